/* SPDX-License-Identifier: MIT */
/* Zones around focus areas: exact polygon distances (GEOS prepared geometries, STRtree
 * candidates), shares of units inside a polygon, unions, and the unit neighbour graph. */
#include "zones.h"

#include "../core/ctx.h"
#include "geos_bridge.h"
#include "repair_geos.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lb_zunits {
    size_t n;
    GEOSGeometry **g;                /* NULL: the unit has no polygon */
    const GEOSPreparedGeometry **pg; /* prepared g */
    GEOSGeometry **cen;              /* centroid points */
    double *cx, *cy, *area;
    double *env; /* xmin, ymin, xmax, ymax per unit */
    uint32_t *ids;
    GEOSSTRtree *tree;
    GEOSContextHandle_t h;
};

size_t lb_zunits_count(const lb_zunits *zu)
{
    return zu->n;
}

int lb_zunits_has(const lb_zunits *zu, size_t u)
{
    return u < zu->n && zu->g[u] != NULL;
}

void lb_zunits_centroid(const lb_zunits *zu, size_t u, double *x, double *y)
{
    *x = zu->cx[u];
    *y = zu->cy[u];
}

double lb_zunits_area(const lb_zunits *zu, size_t u)
{
    return zu->area[u];
}

void lb_zunits_destroy(lb_zunits *zu)
{
    if (!zu)
        return;
    GEOSContextHandle_t h = zu->h;
    if (zu->tree)
        GEOSSTRtree_destroy_r(h, zu->tree);
    for (size_t u = 0; u < zu->n; u++) {
        if (zu->pg && zu->pg[u])
            GEOSPreparedGeom_destroy_r(h, zu->pg[u]);
        if (zu->cen && zu->cen[u])
            GEOSGeom_destroy_r(h, zu->cen[u]);
        if (zu->g && zu->g[u])
            GEOSGeom_destroy_r(h, zu->g[u]);
    }
    free(zu->g);
    free(zu->pg);
    free(zu->cen);
    free(zu->cx);
    free(zu->cy);
    free(zu->area);
    free(zu->env);
    free(zu->ids);
    free(zu);
}

/* Read WKB into a valid GEOS geometry (invalid rings are repaired with MakeValid, which keeps
 * the area of simple self-touching cases and never moves vertices). NULL on failure. */
static GEOSGeometry *read_valid(GEOSContextHandle_t h, GEOSWKBReader *rd, const unsigned char *wkb,
                                size_t size, int *repaired)
{
    size_t n = 0;
    GEOSGeometry *v = lb_geom_make_valid(h, GEOSWKBReader_read_r(h, rd, wkb, size), &n);
    if (repaired)
        *repaired += (int)n;
    return v;
}

static int envelope(GEOSContextHandle_t h, const GEOSGeometry *g, double *e)
{
    return GEOSGeom_getExtent_r(h, g, &e[0], &e[1], &e[2], &e[3]) == 1;
}

lb_status lb_zunits_create(lb_ctx *ctx, const lb_vlayer *l, const size_t *row, size_t n,
                           lb_zunits **out)
{
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    lb_status st = LB_OK;
    GEOSWKBReader *rd = NULL;
    lb_zunits *zu = calloc(1, sizeof(*zu));
    if (!zu)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for unit geometries");
    zu->h = h;
    zu->n = n;
    size_t nn = n ? n : 1;
    zu->g = calloc(nn, sizeof(*zu->g));
    zu->pg = calloc(nn, sizeof(*zu->pg));
    zu->cen = calloc(nn, sizeof(*zu->cen));
    zu->cx = malloc(nn * sizeof(double));
    zu->cy = malloc(nn * sizeof(double));
    zu->area = malloc(nn * sizeof(double));
    zu->env = malloc(4 * nn * sizeof(double));
    zu->ids = malloc(nn * sizeof(uint32_t));
    zu->tree = GEOSSTRtree_create_r(h, 10);
    rd = GEOSWKBReader_create_r(h);
    if (!zu->g || !zu->pg || !zu->cen || !zu->cx || !zu->cy || !zu->area || !zu->env || !zu->ids ||
        !zu->tree || !rd) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for unit geometries");
        goto cleanup;
    }
    int repaired = 0;
    for (size_t u = 0; u < n; u++) {
        zu->ids[u] = (uint32_t)u;
        zu->cx[u] = zu->cy[u] = zu->area[u] = NAN;
        double *e = &zu->env[4 * u];
        e[0] = e[1] = INFINITY;
        e[2] = e[3] = -INFINITY;
        if (!l || row[u] == SIZE_MAX)
            continue;
        size_t f = row[u];
        if (l->kind != LB_GEOM_POLYGON || f >= l->n) {
            st = lb_ctx_error(ctx, LB_ERR_INTERNAL, "unit %zu: no polygon row %zu in '%s'", u, f,
                              l->path ? l->path : "?");
            goto cleanup;
        }
        GEOSGeometry *g = read_valid(h, rd, l->wkb[f], l->wkb_size[f], &repaired);
        if (!g) {
            st = lb_ctx_error(ctx, LB_ERR_GEOM, "'%s' layer '%s' feature %lld: unreadable polygon",
                              l->path ? l->path : "?", l->layer ? l->layer : "?",
                              (long long)l->fid[f]);
            goto cleanup;
        }
        zu->g[u] = g;
        zu->pg[u] = GEOSPrepare_r(h, g);
        zu->cen[u] = GEOSGetCentroid_r(h, g);
        double a = 0.0;
        if (!zu->pg[u] || !zu->cen[u] || !envelope(h, g, e) || GEOSArea_r(h, g, &a) != 1 ||
            GEOSGeomGetX_r(h, zu->cen[u], &zu->cx[u]) != 1 ||
            GEOSGeomGetY_r(h, zu->cen[u], &zu->cy[u]) != 1) {
            st =
                lb_ctx_error(ctx, LB_ERR_GEOM, "'%s' feature %lld: GEOS cannot prepare the polygon",
                             l->path ? l->path : "?", (long long)l->fid[f]);
            goto cleanup;
        }
        zu->area[u] = a;
        GEOSSTRtree_insert_r(h, zu->tree, g, &zu->ids[u]);
    }
    if (repaired)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "unit polygons of %s: %d invalid one(s) repaired with GEOS MakeValid",
                   l && l->path ? l->path : "units", repaired);
    *out = zu;
    zu = NULL;
cleanup:
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    lb_zunits_destroy(zu);
    return st;
}

/* Candidates from an STRtree query, collected into a growing array. */
typedef struct cand {
    uint32_t *v;
    size_t n, cap;
    int oom;
} cand;

static void collect(void *item, void *user)
{
    cand *c = user;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        uint32_t *v = realloc(c->v, cap * sizeof(*v));
        if (!v) {
            c->oom = 1;
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = *(const uint32_t *)item;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Lower bound of the distance between two envelopes. */
static double env_gap(const double *a, const double *b)
{
    double dx = fmax(0.0, fmax(a[0] - b[2], b[0] - a[2]));
    double dy = fmax(0.0, fmax(a[1] - b[3], b[1] - a[3]));
    return hypot(dx, dy);
}

static lb_status query(lb_ctx *ctx, const lb_zunits *zu, const double *e, double m, cand *c)
{
    GEOSGeometry *box = GEOSGeom_createRectangle_r(zu->h, e[0] - m, e[1] - m, e[2] + m, e[3] + m);
    if (!box)
        return lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot make a query rectangle");
    c->n = 0;
    GEOSSTRtree_query_r(zu->h, zu->tree, box, collect, c);
    GEOSGeom_destroy_r(zu->h, box);
    if (c->oom)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory querying units");
    /* STRtree order depends on the tree layout; sort so results never depend on it */
    if (c->n > 1) /* c->v is NULL before the first hit; qsort(NULL, 0) is undefined */
        qsort(c->v, c->n, sizeof(*c->v), cmp_u32);
    return LB_OK;
}

struct lb_zgraph {
    const lb_zunits *zu;
    double max_m;
    int centroid;
    unsigned char *done;
    size_t *n;
    uint32_t **nb;
    double **d, **dc, **dci;
    size_t rows_done;
    cand c; /* query scratch */
};

lb_status lb_zgraph_create(lb_ctx *ctx, const lb_zunits *zu, double max_m, int centroid,
                           lb_zgraph **out)
{
    if (!(max_m >= 0.0))
        return lb_ctx_error(ctx, LB_ERR_ARG, "unit graph: distance %g m must be >= 0", max_m);
    lb_zgraph *g = calloc(1, sizeof(*g));
    size_t n = zu->n ? zu->n : 1;
    if (g) {
        g->zu = zu;
        g->max_m = max_m;
        g->centroid = centroid;
        g->done = calloc(n, 1);
        g->n = calloc(n, sizeof(size_t));
        g->nb = calloc(n, sizeof(uint32_t *));
        g->d = calloc(n, sizeof(double *));
        g->dc = calloc(n, sizeof(double *));
        g->dci = calloc(n, sizeof(double *));
    }
    if (!g || !g->done || !g->n || !g->nb || !g->d || !g->dc || !g->dci) {
        lb_zgraph_destroy(g);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the unit graph");
    }
    *out = g;
    return LB_OK;
}

void lb_zgraph_destroy(lb_zgraph *g)
{
    if (!g)
        return;
    for (size_t u = 0; g->nb && u < g->zu->n; u++) {
        free(g->nb[u]);
        free(g->d[u]);
        free(g->dc[u]);
        free(g->dci[u]);
    }
    free(g->done);
    free(g->n);
    free(g->nb);
    free(g->d);
    free(g->dc);
    free(g->dci);
    free(g->c.v);
    free(g);
}

size_t lb_zgraph_rows_done(const lb_zgraph *g)
{
    return g->rows_done;
}

/* Position of @p a in the (sorted) row of b, or -1. */
static long find_in_row(const lb_zgraph *g, size_t b, uint32_t a)
{
    size_t lo = 0, hi = g->n[b];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->nb[b][mid] < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->n[b] && g->nb[b][lo] == a ? (long)lo : -1;
}

static lb_status compute_row(lb_ctx *ctx, lb_zgraph *g, size_t a)
{
    const lb_zunits *zu = g->zu;
    GEOSContextHandle_t h = zu->h;
    double max_m = g->max_m;
    int centroid = g->centroid;
    lb_status st = LB_OK;
    size_t m = 0;
    uint32_t *nb = NULL;
    double *d = NULL, *dc = NULL, *dci = NULL;
    if (zu->g[a]) {
        const double *ea = &zu->env[4 * a];
        st = query(ctx, zu, ea, max_m, &g->c);
        size_t cap = g->c.n ? g->c.n : 1;
        nb = malloc(cap * sizeof(uint32_t));
        d = malloc(cap * sizeof(double));
        dc = centroid ? malloc(cap * sizeof(double)) : NULL;
        dci = centroid ? malloc(cap * sizeof(double)) : NULL;
        if (st == LB_OK && (!nb || !d || (centroid && (!dc || !dci))))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the unit graph");
        for (size_t k = 0; k < g->c.n && st == LB_OK; k++) {
            uint32_t b = g->c.v[k];
            if (b == a || env_gap(ea, &zu->env[4 * b]) > max_m)
                continue;
            double x = 0.0, xc = 0.0, xci = 0.0;
            if (g->done[b]) {
                /* measured from b's side already: reuse (absent = farther than max_m) */
                long at = find_in_row(g, b, (uint32_t)a);
                if (at < 0)
                    continue;
                x = g->d[b][at];
                if (centroid) {
                    xc = g->dci[b][at];
                    xci = g->dc[b][at];
                }
            } else {
                if (GEOSPreparedDistance_r(h, zu->pg[a], zu->g[b], &x) != 1 ||
                    (centroid && x <= max_m &&
                     (GEOSPreparedDistance_r(h, zu->pg[a], zu->cen[b], &xc) != 1 ||
                      GEOSPreparedDistance_r(h, zu->pg[b], zu->cen[a], &xci) != 1))) {
                    st = lb_ctx_error(ctx, LB_ERR_GEOM,
                                      "GEOS distance between units %zu and %u failed", a, b);
                    break;
                }
                if (x > max_m)
                    continue;
            }
            nb[m] = b;
            d[m] = x;
            if (centroid) {
                dc[m] = xc;
                dci[m] = xci;
            }
            m++;
        }
    }
    if (st != LB_OK) {
        free(nb);
        free(d);
        free(dc);
        free(dci);
        return st;
    }
    g->nb[a] = nb;
    g->d[a] = d;
    g->dc[a] = dc;
    g->dci[a] = dci;
    g->n[a] = m;
    g->done[a] = 1;
    g->rows_done++;
    return LB_OK;
}

lb_status lb_zgraph_row(lb_ctx *ctx, lb_zgraph *g, size_t a, lb_zrow *row)
{
    if (a >= g->zu->n)
        return lb_ctx_error(ctx, LB_ERR_INTERNAL, "unit graph: no unit %zu", a);
    if (!g->done[a]) {
        lb_status st = compute_row(ctx, g, a);
        if (st != LB_OK)
            return st;
    }
    row->n = g->n[a];
    row->nb = g->nb[a];
    row->d = g->d[a];
    row->dc = g->dc[a];
    row->dci = g->dci[a];
    return LB_OK;
}

lb_status lb_zunits_to_area(lb_ctx *ctx, const lb_zunits *zu, const unsigned char *wkb,
                            size_t wkb_size, double max_m, double *dpoly, double *dcen,
                            double *share)
{
    GEOSContextHandle_t h = zu->h;
    for (size_t u = 0; u < zu->n; u++) {
        dpoly[u] = dcen[u] = INFINITY;
        share[u] = 0.0;
    }
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    if (!rd)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading an area polygon");
    GEOSGeometry *area = read_valid(h, rd, wkb, wkb_size, NULL);
    GEOSWKBReader_destroy_r(h, rd);
    if (!area)
        return lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot read the area polygon");
    const GEOSPreparedGeometry *pa = GEOSPrepare_r(h, area);
    double e[4];
    cand c = {0};
    lb_status st = LB_OK;
    if (!pa || !envelope(h, area, e))
        st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot prepare the area polygon");
    if (st == LB_OK)
        st = query(ctx, zu, e, max_m, &c);
    for (size_t k = 0; k < c.n && st == LB_OK; k++) {
        uint32_t u = c.v[k];
        if (env_gap(e, &zu->env[4 * u]) > max_m)
            continue;
        double d = 0.0, dc = 0.0;
        if (GEOSPreparedDistance_r(h, pa, zu->g[u], &d) != 1 ||
            GEOSPreparedDistance_r(h, pa, zu->cen[u], &dc) != 1) {
            st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS distance from unit %u to an area failed", u);
            break;
        }
        dpoly[u] = d;
        dcen[u] = dc;
        if (d > 0.0 || !(zu->area[u] > 0.0))
            continue;
        if (GEOSPreparedContainsProperly_r(h, pa, zu->g[u]) == 1) {
            share[u] = 1.0;
            continue;
        }
        GEOSGeometry *ix = GEOSIntersection_r(h, area, zu->g[u]);
        double a = 0.0;
        if (!ix || GEOSArea_r(h, ix, &a) != 1) {
            if (ix)
                GEOSGeom_destroy_r(h, ix);
            st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS intersection of unit %u with an area failed",
                              u);
            break;
        }
        GEOSGeom_destroy_r(h, ix);
        share[u] = fmin(1.0, a / zu->area[u]);
    }
    free(c.v);
    if (pa)
        GEOSPreparedGeom_destroy_r(h, pa);
    GEOSGeom_destroy_r(h, area);
    return st;
}

static lb_status to_wkb(lb_ctx *ctx, GEOSContextHandle_t h, const GEOSGeometry *g,
                        unsigned char **wkb, size_t *size)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    if (!w)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory writing WKB");
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    size_t n = 0;
    unsigned char *buf = GEOSWKBWriter_write_r(h, w, g, &n);
    GEOSWKBWriter_destroy_r(h, w);
    if (!buf)
        return lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot write WKB");
    unsigned char *copy = malloc(n);
    if (copy)
        memcpy(copy, buf, n);
    GEOSFree_r(h, buf);
    if (!copy)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory writing WKB");
    *wkb = copy;
    *size = n;
    return LB_OK;
}

lb_status lb_zunits_union(lb_ctx *ctx, const lb_zunits *zu, const size_t *members, size_t n,
                          unsigned char **wkb, size_t *wkb_size, double *area_m2)
{
    GEOSContextHandle_t h = zu->h;
    GEOSGeometry **parts = calloc(n ? n : 1, sizeof(*parts));
    if (!parts)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a union");
    size_t np = 0;
    lb_status st = LB_OK;
    for (size_t k = 0; k < n; k++) {
        size_t u = members[k];
        if (u >= zu->n || !zu->g[u])
            continue;
        parts[np] = GEOSGeom_clone_r(h, zu->g[u]);
        if (!parts[np]) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a union");
            break;
        }
        np++;
    }
    if (st == LB_OK && np == 0)
        st = lb_ctx_error(ctx, LB_ERR_DATA, "a union of units without polygons");
    if (st != LB_OK) {
        for (size_t k = 0; k < np; k++)
            GEOSGeom_destroy_r(h, parts[k]);
        free(parts);
        return st;
    }
    /* the collection takes ownership of the parts */
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
    free(parts);
    if (!coll)
        return lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot collect %zu polygons", np);
    GEOSGeometry *un = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    if (!un)
        return lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot union %zu polygons", np);
    double a = 0.0;
    if (GEOSArea_r(h, un, &a) != 1)
        st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot measure a union");
    if (st == LB_OK)
        st = to_wkb(ctx, h, un, wkb, wkb_size);
    GEOSGeom_destroy_r(h, un);
    if (st == LB_OK && area_m2)
        *area_m2 = a;
    return st;
}

lb_status lb_geom_wkb_area_centroid(lb_ctx *ctx, const unsigned char *wkb, size_t wkb_size,
                                    double *area_m2, double *cx, double *cy)
{
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    if (!rd)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading a polygon");
    GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, wkb, wkb_size);
    GEOSWKBReader_destroy_r(h, rd);
    if (!g)
        return lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot read a polygon");
    GEOSGeometry *c = GEOSGetCentroid_r(h, g);
    lb_status st = LB_OK;
    if (!c || GEOSArea_r(h, g, area_m2) != 1 || GEOSGeomGetX_r(h, c, cx) != 1 ||
        GEOSGeomGetY_r(h, c, cy) != 1)
        st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot measure a polygon");
    if (c)
        GEOSGeom_destroy_r(h, c);
    GEOSGeom_destroy_r(h, g);
    return st;
}

/* Areas read for lb_zunits_nearest: geometry, prepared geometry and envelope. */
typedef struct near_area {
    GEOSGeometry *g;
    const GEOSPreparedGeometry *pg;
    double env[4];
} near_area;

lb_status lb_zunits_nearest(lb_ctx *ctx, const lb_zunits *zu, const unsigned char *const *wkb,
                            const size_t *wkb_size, size_t n_areas, const size_t *units,
                            size_t n_units, int centroid, double *out)
{
    GEOSContextHandle_t h = zu->h;
    lb_status st = LB_OK;
    near_area *a = calloc(n_areas ? n_areas : 1, sizeof(*a));
    size_t *ord = malloc((n_areas ? n_areas : 1) * sizeof(size_t));
    double *gap = malloc((n_areas ? n_areas : 1) * sizeof(double));
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    if (!a || !ord || !gap || !rd) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory measuring distances");
        goto cleanup;
    }
    for (size_t k = 0; k < n_areas; k++) {
        a[k].g = read_valid(h, rd, wkb[k], wkb_size[k], NULL);
        a[k].pg = a[k].g ? GEOSPrepare_r(h, a[k].g) : NULL;
        if (!a[k].pg || !envelope(h, a[k].g, a[k].env)) {
            st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot read area polygon %zu", k + 1);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < n_units; i++) {
        size_t u = units[i];
        out[i] = INFINITY;
        if (u >= zu->n || !zu->g[u])
            continue;
        const double *ue = &zu->env[4 * u];
        double pt[4] = {zu->cx[u], zu->cy[u], zu->cx[u], zu->cy[u]};
        /* insertion sort of the areas by envelope gap (few areas) */
        for (size_t k = 0; k < n_areas; k++) {
            double gk = env_gap(a[k].env, centroid ? pt : ue);
            size_t j = k;
            while (j > 0 && gap[j - 1] > gk) {
                gap[j] = gap[j - 1];
                ord[j] = ord[j - 1];
                j--;
            }
            gap[j] = gk;
            ord[j] = k;
        }
        for (size_t j = 0; j < n_areas && gap[j] <= out[i]; j++) {
            double dd = 0.0;
            if (GEOSPreparedDistance_r(h, a[ord[j]].pg, centroid ? zu->cen[u] : zu->g[u], &dd) !=
                1) {
                st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS distance from unit %zu to an area failed",
                                  u);
                goto cleanup;
            }
            if (dd < out[i])
                out[i] = dd;
        }
    }
cleanup:
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    for (size_t k = 0; a && k < n_areas; k++) {
        if (a[k].pg)
            GEOSPreparedGeom_destroy_r(h, a[k].pg);
        if (a[k].g)
            GEOSGeom_destroy_r(h, a[k].g);
    }
    free(gap);
    free(ord);
    free(a);
    return st;
}

lb_status lb_geom_wkb_union(lb_ctx *ctx, const unsigned char *const *wkb, const size_t *wkb_size,
                            size_t n, unsigned char **out, size_t *out_size)
{
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    lb_status st = LB_OK;
    GEOSGeometry **parts = calloc(n ? n : 1, sizeof(*parts)), *coll = NULL, *un = NULL;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    size_t np = 0;
    if (!parts || !rd) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a union");
        goto cleanup;
    }
    for (; np < n; np++) {
        parts[np] = read_valid(h, rd, wkb[np], wkb_size[np], NULL);
        if (!parts[np]) {
            st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot read polygon %zu of a union", np + 1);
            goto cleanup;
        }
    }
    /* the collection takes ownership of the parts */
    coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
    if (!coll) {
        st = lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot collect %zu polygons", np);
        goto cleanup;
    }
    np = 0;
    un = GEOSUnaryUnion_r(h, coll);
    st = un ? to_wkb(ctx, h, un, out, out_size)
            : lb_ctx_error(ctx, LB_ERR_GEOM, "GEOS cannot union %zu polygons", n);
cleanup:
    if (un)
        GEOSGeom_destroy_r(h, un);
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    for (size_t k = 0; parts && k < np; k++)
        GEOSGeom_destroy_r(h, parts[k]);
    free(parts);
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    return st;
}
