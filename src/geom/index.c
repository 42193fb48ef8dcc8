/* SPDX-License-Identifier: MIT */
/* A uniform bucket grid over segments (points are zero-length segments) with an exact
 * expanding search, and point-in-polygon by crossing number over the layer's rings. */
#include "index.h"

#include "../core/ctx.h"
#include "disc.h"

#include <math.h>
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
    /* polygons: +1 when a ring runs as the area formulas want it (shells counter-clockwise,
     * holes clockwise), −1 when reversed; the segments are stored in that wanted direction */
    signed char *ring_sign;
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

/* The segments of line features, from the parts and vertices the reader decoded: consecutive
 * points of a part; a part of one point is a zero-length segment. */
static lb_status line_segments(lb_ctx *ctx, const lb_vlayer *l, seg **out, size_t *n_out)
{
    size_t n = 0;
    for (size_t p = 0; p < l->n_parts; p++) {
        size_t np = l->part_pt_start[p + 1] - l->part_pt_start[p];
        n += np == 1 ? 1 : (np > 1 ? np - 1 : 0);
    }
    seg *s = malloc((n ? n : 1) * sizeof(*s));
    if (!s)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory indexing '%s'", l->path);
    size_t k = 0;
    const double *xy = l->part_xy;
    for (size_t f = 0; f < l->n; f++)
        for (size_t p = l->part_start[f]; p < l->part_start[f + 1]; p++) {
            size_t p0 = l->part_pt_start[p], np = l->part_pt_start[p + 1] - p0;
            for (size_t i = 0; i + 1 < np || (np == 1 && i == 0); i++) {
                size_t a = p0 + i, b = np == 1 ? p0 : a + 1;
                s[k++] = (seg){xy[2 * a], xy[2 * a + 1], xy[2 * b], xy[2 * b + 1], (uint32_t)f};
            }
        }
    *out = s;
    *n_out = k;
    return LB_OK;
}

/* Points of ring r: [p0, p1). The edge list closes the ring: edge k runs from point k to point
 * k + 1, and from the last point back to the first when the ring is not explicitly closed. */
static size_t ring_edge_count(const lb_vlayer *l, size_t r)
{
    size_t p0 = l->ring_pt_start[r], p1 = l->ring_pt_start[r + 1];
    if (p1 - p0 < 2)
        return 0;
    const double *xy = l->ring_xy;
    int closed = xy[2 * p0] == xy[2 * (p1 - 1)] && xy[2 * p0 + 1] == xy[2 * (p1 - 1) + 1];
    return p1 - p0 - (closed ? 1 : 0);
}

/* Point index of the end of edge k of ring r. */
static size_t edge_end(const lb_vlayer *l, size_t r, size_t k)
{
    size_t p = l->ring_pt_start[r] + k + 1;
    return p < l->ring_pt_start[r + 1] ? p : l->ring_pt_start[r];
}

/* Shoelace signed area of ring r (positive counter-clockwise), relative to its first point. */
static double ring_area(const lb_vlayer *l, size_t r)
{
    const double *xy = l->ring_xy;
    size_t p0 = l->ring_pt_start[r], ne = ring_edge_count(l, r);
    double ox = xy[2 * p0], oy = xy[2 * p0 + 1], a = 0.0;
    for (size_t k = 0; k < ne; k++) {
        size_t p = p0 + k, q = edge_end(l, r, k);
        a += (xy[2 * p] - ox) * (xy[2 * q + 1] - oy) - (xy[2 * q] - ox) * (xy[2 * p + 1] - oy);
    }
    return 0.5 * a;
}

static lb_status collect_segments(lb_ctx *ctx, const lb_vlayer *l, const signed char *ring_sign,
                                  seg **out, size_t *n_out)
{
    if (l->kind == LB_GEOM_LINE)
        return line_segments(ctx, l, out, n_out);
    size_t n = 0;
    if (l->kind == LB_GEOM_POINT)
        n = l->n;
    else
        for (size_t r = 0; r < l->n_rings; r++)
            n += ring_edge_count(l, r);
    seg *s = malloc((n ? n : 1) * sizeof(*s));
    if (!s)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory indexing '%s'", l->path);
    size_t k = 0;
    if (l->kind == LB_GEOM_POINT) {
        for (size_t f = 0; f < l->n; f++)
            s[k++] = (seg){l->x[f], l->y[f], l->x[f], l->y[f], (uint32_t)f};
    } else {
        const double *xy = l->ring_xy;
        for (size_t f = 0; f < l->n; f++)
            for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
                size_t ne = ring_edge_count(l, r);
                for (size_t e = 0; e < ne; e++) {
                    size_t a = l->ring_pt_start[r] + e, b = edge_end(l, r, e);
                    if (ring_sign[r] < 0) {
                        size_t t = a;
                        a = b;
                        b = t;
                    }
                    s[k++] = (seg){xy[2 * a], xy[2 * a + 1], xy[2 * b], xy[2 * b + 1], (uint32_t)f};
                }
            }
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
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *items = pass ? *items_out : NULL;
        size_t *fill = NULL;
        if (pass) {
            fill = malloc((nb + 1) * sizeof(size_t));
            if (!fill) {
                free(start);
                free(items);
                return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
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
                return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
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
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    ix->l = l;
    double *box = NULL;
    lb_status st = LB_OK;
    if (l->kind == LB_GEOM_POLYGON) {
        ix->ring_sign = malloc(l->n_rings ? l->n_rings : 1);
        if (!ix->ring_sign) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
            goto fail;
        }
        for (size_t r = 0; r < l->n_rings; r++)
            ix->ring_sign[r] = (ring_area(l, r) >= 0.0) == !l->ring_hole[r] ? 1 : -1;
    }
    st = collect_segments(ctx, l, ix->ring_sign, &ix->segs, &ix->n_seg);
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
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
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
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building a spatial index");
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
    free(ix->ring_sign);
    free(ix);
}

/* Winding number of feature f around (x, y): Σ over its rings of the ring's winding number
 * (Sunday's crossing rule) times its orientation sign, so 1 inside, 0 outside or in a hole.
 * Coordinates are taken relative to (x, y) and the side test is the sign of cross(a, b), the
 * same expression lb_disc_edge_term() uses. */
static int feature_winding(const lb_index *ix, size_t f, double x, double y)
{
    const lb_vlayer *l = ix->l;
    const double *xy = l->ring_xy;
    int w = 0;
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
        size_t ne = ring_edge_count(l, r);
        int wn = 0;
        for (size_t e = 0; e < ne; e++) {
            size_t p = l->ring_pt_start[r] + e, q = edge_end(l, r, e);
            double ax = xy[2 * p] - x, ay = xy[2 * p + 1] - y;
            double bx = xy[2 * q] - x, by = xy[2 * q + 1] - y;
            if (ay <= 0.0) {
                if (by > 0.0 && ax * by - ay * bx > 0.0)
                    wn++;
            } else if (by <= 0.0 && ax * by - ay * bx < 0.0) {
                wn--;
            }
        }
        w += ix->ring_sign[r] * wn;
    }
    return w;
}

/* Call @p fn for every polygon containing (x, y); stop early when it returns non-zero.
 * Returns 1 when stopped early, else 0. */
static int for_each_containing(const lb_index *ix, double x, double y,
                               int (*fn)(void *user, uint32_t f, int w), void *user)
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
        int w = feature_winding(ix, f, x, y);
        if (w != 0 && fn(user, f, w))
            return 1;
    }
    return 0;
}

static int stop_at_first(void *user, uint32_t f, int w)
{
    (void)user;
    (void)f;
    (void)w;
    return 1;
}

/* Accumulates containing polygons into a within-radius query (each feature once). */
typedef struct within_acc {
    lb_query_scratch *sc;
    const double *feat_weight;
    double total;
} within_acc;

static int add_containing(void *user, uint32_t f, int w)
{
    (void)w;
    within_acc *a = user;
    if (a->sc->stamp[f] == a->sc->tick)
        return 0;
    a->sc->stamp[f] = a->sc->tick;
    double v = a->feat_weight ? a->feat_weight[f] : 1.0;
    if (!isnan(v))
        a->total += v;
    return 0;
}

double lb_index_nearest_capped(const lb_index *ix, double x, double y, double cap_m)
{
    if (!(cap_m > 0.0))
        return isnan(cap_m) ? NAN : 0.0;
    if (for_each_containing(ix, x, y, stop_at_first, NULL))
        return 0.0;
    int ci = clampi((x - ix->bx0) / ix->bs, ix->bnx), cj = clampi((y - ix->by0) / ix->bs, ix->bny);
    double best2 = INFINITY;
    for (int k = 0;; k++) {
        int c0 = ci - k, c1 = ci + k, r0 = cj - k, r1 = cj + k;
        for (int r = r0; r <= r1; r++) {
            if (r < 0 || r >= ix->bny)
                continue;
            int step = (r == r0 || r == r1 || c1 == c0) ? 1 : c1 - c0;
            for (int c = c0; c <= c1; c += step) {
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
        /* A segment not seen yet lies only in buckets outside the examined block, so beyond
         * one of the block's sides that has not reached the edge of the bucket grid: the
         * nearest such side bounds its distance from below. */
        double bound = INFINITY;
        if (c0 > 0)
            bound = fmin(bound, x - (ix->bx0 + (double)c0 * ix->bs));
        if (c1 < ix->bnx - 1)
            bound = fmin(bound, ix->bx0 + (double)(c1 + 1) * ix->bs - x);
        if (r0 > 0)
            bound = fmin(bound, y - (ix->by0 + (double)r0 * ix->bs));
        if (r1 < ix->bny - 1)
            bound = fmin(bound, ix->by0 + (double)(r1 + 1) * ix->bs - y);
        if (bound == INFINITY)
            break; /* the whole bucket grid is examined */
        bound = fmax(bound, 0.0);
        if (best2 <= bound * bound || bound >= cap_m)
            break;
    }
    double d = sqrt(best2);
    return d < cap_m ? d : cap_m;
}

double lb_index_nearest(const lb_index *ix, double x, double y)
{
    return lb_index_nearest_capped(ix, x, y, INFINITY);
}

lb_status lb_query_scratch_init(lb_ctx *ctx, const lb_index *ix, lb_query_scratch *sc)
{
    sc->n = ix->l->n;
    sc->tick = 0;
    sc->stamp = calloc(sc->n ? sc->n : 1, sizeof(uint32_t));
    if (!sc->stamp)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return LB_OK;
}

void lb_query_scratch_free(lb_query_scratch *sc)
{
    free(sc->stamp);
    sc->stamp = NULL;
}

/* The bucket range [c0, c1] × [r0, r1] that the box [x0, x1] × [y0, y1] touches; 0 when the
 * box misses the bucket grid. */
static int bucket_range(const lb_index *ix, double x0, double y0, double x1, double y1, int rng[4])
{
    if (x1 < ix->bx0 || y1 < ix->by0 || x0 > ix->bx0 + ix->bnx * ix->bs ||
        y0 > ix->by0 + ix->bny * ix->bs)
        return 0;
    rng[0] = clampi((x0 - ix->bx0) / ix->bs, ix->bnx);
    rng[1] = clampi((y0 - ix->by0) / ix->bs, ix->bny);
    rng[2] = clampi((x1 - ix->bx0) / ix->bs, ix->bnx);
    rng[3] = clampi((y1 - ix->by0) / ix->bs, ix->bny);
    return 1;
}

/* A test of one segment against the query's parameters. */
typedef int (*seg_test)(const seg *s, const double *q);

/* Within distance √q[2] of (q[0], q[1]). */
static int seg_within(const seg *s, const double *q)
{
    return seg_dist2(s, q[0], q[1]) <= q[2];
}

/* Does segment @p s meet the closed box [x0, x1] × [y0, y1]? Liang–Barsky clipping of the
 * segment's parameter range against both slabs. */
static int seg_meets_box(const seg *s, double x0, double y0, double x1, double y1)
{
    double t0 = 0.0, t1 = 1.0;
    const double p[2] = {s->x1, s->y1}, d[2] = {s->x2 - s->x1, s->y2 - s->y1};
    const double lo[2] = {x0, y0}, hi[2] = {x1, y1};
    for (int a = 0; a < 2; a++) {
        if (d[a] == 0.0) {
            if (p[a] < lo[a] || p[a] > hi[a])
                return 0;
            continue;
        }
        double ta = (lo[a] - p[a]) / d[a], tb = (hi[a] - p[a]) / d[a];
        if (ta > tb) {
            double t = ta;
            ta = tb;
            tb = t;
        }
        t0 = ta > t0 ? ta : t0;
        t1 = tb < t1 ? tb : t1;
        if (t0 > t1)
            return 0;
    }
    return 1;
}

static int seg_in_box(const seg *s, const double *q)
{
    return seg_meets_box(s, q[0], q[1], q[2], q[3]);
}

/* Σ over the features that contain (cx, cy) (polygons) or have a segment in the buckets of box
 * [bx0, bx1] × [by0, by1] that passes @p test, of their weight (1 when @p feat_weight is NULL,
 * NaN skipped); each feature once, by the scratch's stamps. */
static double sum_features(const lb_index *ix, lb_query_scratch *sc, double cx, double cy,
                           const double box[4], seg_test test, const double *q,
                           const double *feat_weight)
{
    if (++sc->tick == 0) {
        memset(sc->stamp, 0, sc->n * sizeof(uint32_t));
        sc->tick = 1;
    }
    within_acc acc = {sc, feat_weight, 0.0};
    for_each_containing(ix, cx, cy, add_containing, &acc);
    double total = acc.total;
    int r[4];
    if (!bucket_range(ix, box[0], box[1], box[2], box[3], r))
        return total;
    for (int rr = r[1]; rr <= r[3]; rr++)
        for (int c = r[0]; c <= r[2]; c++) {
            size_t b = (size_t)rr * (size_t)ix->bnx + (size_t)c;
            for (size_t i = ix->start[b]; i < ix->start[b + 1]; i++) {
                const seg *s = &ix->segs[ix->items[i]];
                if (sc->stamp[s->feat] == sc->tick || !test(s, q))
                    continue;
                sc->stamp[s->feat] = sc->tick;
                double w = feat_weight ? feat_weight[s->feat] : 1.0;
                if (!isnan(w))
                    total += w;
            }
        }
    return total;
}

double lb_index_within(const lb_index *ix, lb_query_scratch *sc, double x, double y, double r,
                       const double *feat_weight)
{
    /* Polygons containing the point count even when their boundary is farther than r. */
    const double box[4] = {x - r, y - r, x + r, y + r}, q[3] = {x, y, r * r};
    return sum_features(ix, sc, x, y, box, seg_within, q, feat_weight);
}

double lb_index_in_box(const lb_index *ix, lb_query_scratch *sc, double x0, double y0, double x1,
                       double y1, const double *feat_weight)
{
    /* A polygon around the whole box contains its centre while no edge meets the box. */
    const double box[4] = {x0, y0, x1, y1};
    return sum_features(ix, sc, 0.5 * (x0 + x1), 0.5 * (y0 + y1), box, seg_in_box, box,
                        feat_weight);
}

/* Centres closer than this to a polygon edge are moved off it before the disc area is summed:
 * on an edge the winding number and the edge's angle are not defined (the term of that edge
 * would take the wrong branch of atan2). Away from it by DISC_NEAR the signs are exact for
 * edges up to 1e5 m long (|cross| >= DISC_NEAR·len = 1e-4 m² exceeds its rounding error of
 * about 1e-16·len² = 1e-6 m²). */
#define DISC_NEAR 1e-9
/* The move: DISC_STEP in one of 8 directions that puts the centre at least DISC_NEAR from
 * every edge; it changes the area by at most DISC_STEP × the boundary length inside the disc
 * (1e-8 m × a few km: ~1e-11 of a 500 m disc). */
#define DISC_STEP 1e-8

typedef struct disc_sum {
    double sum;   /* Σ lb_disc_edge_term over the edges */
    double near2; /* squared distance from the centre to the closest edge examined */
} disc_sum;

/* Σ of the edge terms of all segments within r of (x, y): each segment is taken once, in the
 * first bucket of the query range it occupies (a segment is listed in every bucket its box
 * touches). */
static disc_sum disc_edges(const lb_index *ix, double x, double y, double r)
{
    disc_sum d = {0.0, INFINITY};
    double reach = r > DISC_NEAR ? r : DISC_NEAR;
    int q[4];
    if (!bucket_range(ix, x - reach, y - reach, x + reach, y + reach, q))
        return d;
    for (int rr = q[1]; rr <= q[3]; rr++)
        for (int c = q[0]; c <= q[2]; c++) {
            size_t b = (size_t)rr * (size_t)ix->bnx + (size_t)c;
            for (size_t i = ix->start[b]; i < ix->start[b + 1]; i++) {
                const seg *s = &ix->segs[ix->items[i]];
                double sx0 = fmin(s->x1, s->x2), sx1 = fmax(s->x1, s->x2);
                double sy0 = fmin(s->y1, s->y2), sy1 = fmax(s->y1, s->y2);
                if (sx1 < x - reach || sx0 > x + reach || sy1 < y - reach || sy0 > y + reach)
                    continue;
                int home_c = clampi((sx0 - ix->bx0) / ix->bs, ix->bnx);
                int home_r = clampi((sy0 - ix->by0) / ix->bs, ix->bny);
                if ((home_c > q[0] ? home_c : q[0]) != c || (home_r > q[1] ? home_r : q[1]) != rr)
                    continue;
                double d2 = seg_dist2(s, x, y);
                if (d2 < d.near2)
                    d.near2 = d2;
                if (d2 >= r * r)
                    continue;
                d.sum += lb_disc_edge_term(s->x1 - x, s->y1 - y, s->x2 - x, s->y2 - y, r);
            }
        }
    return d;
}

static int add_winding(void *user, uint32_t f, int w)
{
    (void)f;
    *(int *)user += w;
    return 0;
}

double lb_index_disc_area(const lb_index *ix, double x, double y, double r)
{
    if (!ix->ring_sign || !(r > 0.0))
        return NAN;
    /* Directions of the move off an edge: not along the axes nor the diagonals, along which
     * edges of real data run most often. */
    static const double dir[8][2] = {{0.9801, 0.1987},  {0.5403, 0.8415},   {-0.1987, 0.9801},
                                     {-0.8415, 0.5403}, {-0.9801, -0.1987}, {-0.5403, -0.8415},
                                     {0.1987, -0.9801}, {0.8415, -0.5403}};
    disc_sum d = disc_edges(ix, x, y, r);
    double px = x, py = y;
    for (int k = 0; d.near2 < DISC_NEAR * DISC_NEAR && k < 24; k++) {
        double step = DISC_STEP * (k < 8 ? 1.0 : (k < 16 ? 10.0 : 100.0));
        px = x + step * dir[k % 8][0];
        py = y + step * dir[k % 8][1];
        d = disc_edges(ix, px, py, r);
    }
    int w = 0;
    for_each_containing(ix, px, py, add_winding, &w);
    return LB_PI * r * r * (double)w + d.sum;
}
