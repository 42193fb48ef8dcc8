/* SPDX-License-Identifier: MIT */
/* A uniform bucket grid over segments (points are zero-length segments) with an exact
 * expanding search, and point-in-polygon by crossing number over the layer's rings. */
#include "index.h"

#include "../core/ctx.h"

#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

typedef struct seg {
    double x1, y1, x2, y2;
    uint32_t feat;
} seg;

struct lb_index {
    const lb_vlayer *l;
    size_t n_seg;
    seg *segs;
    /* bucket grid over segments, CSR: bucket b holds items[start[b] .. start[b+1]) */
    double bx0, by0, bs;
    int bnx, bny;
    size_t *start;
    uint32_t *items;
    /* polygons: bucket grid over feature bounding boxes for point-in-polygon */
    size_t *pstart;
    uint32_t *pitems;
    double *fbox; /* 4 per feature: xmin ymin xmax ymax */
};

static double seg_dist2(const seg *s, double x, double y)
{
    double dx = s->x2 - s->x1, dy = s->y2 - s->y1;
    double len2 = dx * dx + dy * dy;
    double t = 0.0;
    if (len2 > 0.0) {
        t = ((x - s->x1) * dx + (y - s->y1) * dy) / len2;
        t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    }
    double px = s->x1 + t * dx - x, py = s->y1 + t * dy - y;
    return px * px + py * py;
}

static int clampi(double v, int hi)
{
    if (v < 0.0)
        return 0;
    if (v >= (double)hi)
        return hi - 1;
    return (int)v;
}

/* Collect the segments of line features from their WKB via OGR. */
static lb_status line_segments(lb_ctx *ctx, const lb_vlayer *l, seg **out, size_t *n_out)
{
    size_t cap = 1024, n = 0;
    seg *s = malloc(cap * sizeof(*s));
    if (!s)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory indexing '%s'", l->path);
    for (size_t f = 0; f < l->n; f++) {
        OGRGeometryH g = NULL;
        if (OGR_G_CreateFromWkb(l->wkb[f], NULL, &g, (int)l->wkb_size[f]) != OGRERR_NONE) {
            free(s);
            return lb_error(ctx, LB_ERR_GEOM, "input '%s' feature %lld: unreadable geometry",
                            l->name, (long long)l->fid[f]);
        }
        int nparts =
            wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString ? 1 : OGR_G_GetGeometryCount(g);
        for (int p = 0; p < nparts; p++) {
            OGRGeometryH ls = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString
                                  ? g
                                  : OGR_G_GetGeometryRef(g, p);
            int np = OGR_G_GetPointCount(ls);
            for (int i = 0; i + 1 < np || (np == 1 && i == 0); i++) {
                if (n == cap) {
                    cap *= 2;
                    seg *t = realloc(s, cap * sizeof(*s));
                    if (!t) {
                        OGR_G_DestroyGeometry(g);
                        free(s);
                        return lb_error(ctx, LB_ERR_NOMEM, "out of memory indexing '%s'", l->path);
                    }
                    s = t;
                }
                int j = np == 1 ? 0 : i + 1;
                s[n++] = (seg){OGR_G_GetX(ls, i), OGR_G_GetY(ls, i), OGR_G_GetX(ls, j),
                               OGR_G_GetY(ls, j), (uint32_t)f};
            }
        }
        OGR_G_DestroyGeometry(g);
    }
    *out = s;
    *n_out = n;
    return LB_OK;
}

static lb_status collect_segments(lb_ctx *ctx, const lb_vlayer *l, seg **out, size_t *n_out)
{
    if (l->kind == LB_GEOM_LINE)
        return line_segments(ctx, l, out, n_out);
    size_t n = l->kind == LB_GEOM_POINT ? l->n : l->ring_pt_start[l->n_rings] - l->n_rings;
    seg *s = malloc((n ? n : 1) * sizeof(*s));
    if (!s)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory indexing '%s'", l->path);
    size_t k = 0;
    if (l->kind == LB_GEOM_POINT) {
        for (size_t f = 0; f < l->n; f++)
            s[k++] = (seg){l->x[f], l->y[f], l->x[f], l->y[f], (uint32_t)f};
    } else {
        for (size_t f = 0; f < l->n; f++)
            for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++)
                for (size_t p = l->ring_pt_start[r]; p + 1 < l->ring_pt_start[r + 1]; p++)
                    s[k++] = (seg){l->ring_xy[2 * p], l->ring_xy[2 * p + 1], l->ring_xy[2 * p + 2],
                                   l->ring_xy[2 * p + 3], (uint32_t)f};
    }
    *out = s;
    *n_out = k;
    return LB_OK;
}

/* Fill a CSR bucket structure from item boxes (4 doubles per item). */
static lb_status bucket(lb_ctx *ctx, const lb_index *ix, size_t n, const double *box,
                        size_t **start_out, uint32_t **items_out)
{
    size_t nb = (size_t)ix->bnx * (size_t)ix->bny;
    size_t *start = calloc(nb + 1, sizeof(size_t));
    if (!start)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *items = pass ? *items_out : NULL;
        size_t *fill = NULL;
        if (pass) {
            fill = malloc((nb + 1) * sizeof(size_t));
            if (!fill) {
                free(start);
                free(items);
                return lb_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
            }
            memcpy(fill, start, (nb + 1) * sizeof(size_t));
        }
        for (size_t i = 0; i < n; i++) {
            const double *b = &box[4 * i];
            int c0 = clampi((b[0] - ix->bx0) / ix->bs, ix->bnx);
            int c1 = clampi((b[2] - ix->bx0) / ix->bs, ix->bnx);
            int r0 = clampi((b[1] - ix->by0) / ix->bs, ix->bny);
            int r1 = clampi((b[3] - ix->by0) / ix->bs, ix->bny);
            for (int r = r0; r <= r1; r++)
                for (int c = c0; c <= c1; c++) {
                    size_t bi = (size_t)r * (size_t)ix->bnx + (size_t)c;
                    if (pass)
                        items[fill[bi]++] = (uint32_t)i;
                    else
                        start[bi + 1]++;
                }
        }
        if (!pass) {
            for (size_t b = 0; b < nb; b++)
                start[b + 1] += start[b];
            *items_out = malloc((start[nb] ? start[nb] : 1) * sizeof(uint32_t));
            if (!*items_out) {
                free(start);
                return lb_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
            }
        }
        free(fill);
    }
    *start_out = start;
    return LB_OK;
}

lb_status lb_index_create(lb_ctx *ctx, const lb_vlayer *l, lb_index **out)
{
    lb_index *ix = calloc(1, sizeof(*ix));
    if (!ix)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    ix->l = l;
    double *box = NULL;
    lb_status st = collect_segments(ctx, l, &ix->segs, &ix->n_seg);
    if (st != LB_OK)
        goto fail;
    /* About two segments per bucket, at most 4 M buckets. */
    double w = fmax(l->xmax - l->xmin, 1.0), h = fmax(l->ymax - l->ymin, 1.0);
    double bs = sqrt(w * h / fmax((double)ix->n_seg / 2.0, 1.0));
    bs = fmax(bs, sqrt(w * h / 4.0e6));
    bs = fmax(bs, 1.0);
    ix->bs = bs;
    ix->bx0 = l->xmin;
    ix->by0 = l->ymin;
    ix->bnx = (int)(w / bs) + 1;
    ix->bny = (int)(h / bs) + 1;
    box = malloc((ix->n_seg ? ix->n_seg : 1) * 4 * sizeof(double));
    if (!box) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
        goto fail;
    }
    for (size_t i = 0; i < ix->n_seg; i++) {
        const seg *s = &ix->segs[i];
        box[4 * i] = fmin(s->x1, s->x2);
        box[4 * i + 1] = fmin(s->y1, s->y2);
        box[4 * i + 2] = fmax(s->x1, s->x2);
        box[4 * i + 3] = fmax(s->y1, s->y2);
    }
    st = bucket(ctx, ix, ix->n_seg, box, &ix->start, &ix->items);
    if (st != LB_OK)
        goto fail;
    if (l->kind == LB_GEOM_POLYGON) {
        ix->fbox = malloc(l->n * 4 * sizeof(double));
        if (!ix->fbox) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
            goto fail;
        }
        for (size_t f = 0; f < l->n; f++) {
            double *b = &ix->fbox[4 * f];
            b[0] = b[1] = INFINITY;
            b[2] = b[3] = -INFINITY;
            for (size_t p = l->ring_pt_start[l->ring_start[f]];
                 p < l->ring_pt_start[l->ring_start[f + 1]]; p++) {
                b[0] = fmin(b[0], l->ring_xy[2 * p]);
                b[1] = fmin(b[1], l->ring_xy[2 * p + 1]);
                b[2] = fmax(b[2], l->ring_xy[2 * p]);
                b[3] = fmax(b[3], l->ring_xy[2 * p + 1]);
            }
        }
        st = bucket(ctx, ix, l->n, ix->fbox, &ix->pstart, &ix->pitems);
        if (st != LB_OK)
            goto fail;
    }
    free(box);
    *out = ix;
    return LB_OK;
fail:
    free(box);
    lb_index_destroy(ix);
    return st;
}

void lb_index_destroy(lb_index *ix)
{
    if (!ix)
        return;
    free(ix->segs);
    free(ix->start);
    free(ix->items);
    free(ix->pstart);
    free(ix->pitems);
    free(ix->fbox);
    free(ix);
}

/* Crossing-number test over all rings of feature f (even-odd: holes and parts work). */
static int feature_contains(const lb_vlayer *l, size_t f, double x, double y)
{
    int inside = 0;
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
        for (size_t p = l->ring_pt_start[r]; p + 1 < l->ring_pt_start[r + 1]; p++) {
            double x1 = l->ring_xy[2 * p], y1 = l->ring_xy[2 * p + 1];
            double x2 = l->ring_xy[2 * p + 2], y2 = l->ring_xy[2 * p + 3];
            if ((y1 > y) != (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1))
                inside = !inside;
        }
    }
    return inside;
}

/* Call @p fn for every polygon containing (x, y); stop early when it returns non-zero.
 * Returns 1 when stopped early, else 0. */
static int for_each_containing(const lb_index *ix, double x, double y,
                               int (*fn)(void *user, uint32_t f), void *user)
{
    if (!ix->fbox)
        return 0;
    if (x < ix->bx0 || y < ix->by0 || x > ix->bx0 + ix->bnx * ix->bs ||
        y > ix->by0 + ix->bny * ix->bs)
        return 0;
    int c = clampi((x - ix->bx0) / ix->bs, ix->bnx), r = clampi((y - ix->by0) / ix->bs, ix->bny);
    size_t b = (size_t)r * (size_t)ix->bnx + (size_t)c;
    for (size_t k = ix->pstart[b]; k < ix->pstart[b + 1]; k++) {
        uint32_t f = ix->pitems[k];
        const double *fb = &ix->fbox[4 * f];
        if (x < fb[0] || x > fb[2] || y < fb[1] || y > fb[3])
            continue;
        if (feature_contains(ix->l, f, x, y) && fn(user, f))
            return 1;
    }
    return 0;
}

static int stop_at_first(void *user, uint32_t f)
{
    (void)user;
    (void)f;
    return 1;
}

/* Accumulates containing polygons into a within-radius query (each feature once). */
typedef struct within_acc {
    lb_query_scratch *sc;
    const double *feat_weight;
    double total;
} within_acc;

static int add_containing(void *user, uint32_t f)
{
    within_acc *a = user;
    if (a->sc->stamp[f] == a->sc->tick)
        return 0;
    a->sc->stamp[f] = a->sc->tick;
    double w = a->feat_weight ? a->feat_weight[f] : 1.0;
    if (!isnan(w))
        a->total += w;
    return 0;
}

double lb_index_nearest(const lb_index *ix, double x, double y)
{
    if (for_each_containing(ix, x, y, stop_at_first, NULL))
        return 0.0;
    int ci = clampi((x - ix->bx0) / ix->bs, ix->bnx), cj = clampi((y - ix->by0) / ix->bs, ix->bny);
    double best2 = INFINITY;
    int kmax = ix->bnx > ix->bny ? ix->bnx : ix->bny;
    for (int k = 0; k <= kmax; k++) {
        int c0 = ci - k, c1 = ci + k, r0 = cj - k, r1 = cj + k;
        for (int r = r0; r <= r1; r++) {
            if (r < 0 || r >= ix->bny)
                continue;
            int step = (r == r0 || r == r1) ? 1 : c1 - c0;
            for (int c = c0; c <= c1; c += step ? step : 1) {
                if (c < 0 || c >= ix->bnx)
                    continue;
                size_t b = (size_t)r * (size_t)ix->bnx + (size_t)c;
                for (size_t i = ix->start[b]; i < ix->start[b + 1]; i++) {
                    double d2 = seg_dist2(&ix->segs[ix->items[i]], x, y);
                    if (d2 < best2)
                        best2 = d2;
                }
            }
        }
        /* Everything not yet seen lies outside the examined block of buckets. */
        double bx0 = ix->bx0 + (double)c0 * ix->bs, bx1 = ix->bx0 + (double)(c1 + 1) * ix->bs;
        double by0 = ix->by0 + (double)r0 * ix->bs, by1 = ix->by0 + (double)(r1 + 1) * ix->bs;
        int covers_all = c0 <= 0 && r0 <= 0 && c1 >= ix->bnx - 1 && r1 >= ix->bny - 1;
        if (covers_all)
            break;
        double bound = 0.0;
        if (x > bx0 && x < bx1 && y > by0 && y < by1)
            bound = fmin(fmin(x - bx0, bx1 - x), fmin(y - by0, by1 - y));
        if (best2 <= bound * bound)
            break;
    }
    return sqrt(best2);
}

lb_status lb_query_scratch_init(lb_ctx *ctx, const lb_index *ix, lb_query_scratch *sc)
{
    sc->n = ix->l->n;
    sc->tick = 0;
    sc->stamp = calloc(sc->n ? sc->n : 1, sizeof(uint32_t));
    if (!sc->stamp)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    return LB_OK;
}

void lb_query_scratch_free(lb_query_scratch *sc)
{
    free(sc->stamp);
    sc->stamp = NULL;
}

double lb_index_within(const lb_index *ix, lb_query_scratch *sc, double x, double y, double r,
                       const double *feat_weight)
{
    if (++sc->tick == 0) {
        memset(sc->stamp, 0, sc->n * sizeof(uint32_t));
        sc->tick = 1;
    }
    /* Polygons containing the point count even when their boundary is farther than r. */
    within_acc acc = {sc, feat_weight, 0.0};
    for_each_containing(ix, x, y, add_containing, &acc);
    double total = acc.total;
    int c0 = clampi((x - r - ix->bx0) / ix->bs, ix->bnx);
    int c1 = clampi((x + r - ix->bx0) / ix->bs, ix->bnx);
    int r0 = clampi((y - r - ix->by0) / ix->bs, ix->bny);
    int r1 = clampi((y + r - ix->by0) / ix->bs, ix->bny);
    if (x + r < ix->bx0 || y + r < ix->by0 || x - r > ix->bx0 + ix->bnx * ix->bs ||
        y - r > ix->by0 + ix->bny * ix->bs)
        return total;
    double r2 = r * r;
    for (int rr = r0; rr <= r1; rr++)
        for (int c = c0; c <= c1; c++) {
            size_t b = (size_t)rr * (size_t)ix->bnx + (size_t)c;
            for (size_t i = ix->start[b]; i < ix->start[b + 1]; i++) {
                const seg *s = &ix->segs[ix->items[i]];
                if (sc->stamp[s->feat] == sc->tick || seg_dist2(s, x, y) > r2)
                    continue;
                sc->stamp[s->feat] = sc->tick;
                double w = feat_weight ? feat_weight[s->feat] : 1.0;
                if (!isnan(w))
                    total += w;
            }
        }
    return total;
}
