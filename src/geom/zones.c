/* SPDX-License-Identifier: MIT */
/* Zones around focus areas: exact polygon distances (GEOS prepared geometries, STRtree
 * candidates), shares of units inside a polygon, unions, and the unit neighbour graph. */
#include "zones.h"

#include "../core/ctx.h"

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
    GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, wkb, size);
    if (!g)
        return NULL;
    if (GEOSisValid_r(h, g) == 1)
        return g;
    GEOSGeometry *v = GEOSMakeValid_r(h, g);
    GEOSGeom_destroy_r(h, g);
    if (v && repaired)
        (*repaired)++;
    return v;
}

static int envelope(GEOSContextHandle_t h, const GEOSGeometry *g, double *e)
{
    return GEOSGeom_getExtent_r(h, g, &e[0], &e[1], &e[2], &e[3]) == 1;
}

lb_status lb_zunits_create(lb_ctx *ctx, const lb_vlayer *l, const size_t *row, size_t n,
                           lb_zunits **out)
{
    GEOSContextHandle_t h = lb_ctx_geos(ctx);
    lb_status st = LB_OK;
    GEOSWKBReader *rd = NULL;
    lb_zunits *zu = calloc(1, sizeof(*zu));
    if (!zu)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory for unit geometries");
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
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory for unit geometries");
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
            st = lb_error(ctx, LB_ERR_INTERNAL, "unit %zu: no polygon row %zu in '%s'", u, f,
                          l->path ? l->path : "?");
            goto cleanup;
        }
        GEOSGeometry *g = read_valid(h, rd, l->wkb[f], l->wkb_size[f], &repaired);
        if (!g) {
            st = lb_error(ctx, LB_ERR_GEOM, "'%s' layer '%s' feature %lld: unreadable polygon",
                          l->path ? l->path : "?", l->layer ? l->layer : "?", (long long)l->fid[f]);
            goto cleanup;
        }
        zu->g[u] = g;
        zu->pg[u] = GEOSPrepare_r(h, g);
        zu->cen[u] = GEOSGetCentroid_r(h, g);
        double a = 0.0;
        if (!zu->pg[u] || !zu->cen[u] || !envelope(h, g, e) || GEOSArea_r(h, g, &a) != 1 ||
            GEOSGeomGetX_r(h, zu->cen[u], &zu->cx[u]) != 1 ||
            GEOSGeomGetY_r(h, zu->cen[u], &zu->cy[u]) != 1) {
            st = lb_error(ctx, LB_ERR_GEOM, "'%s' feature %lld: GEOS cannot prepare the polygon",
                          l->path ? l->path : "?", (long long)l->fid[f]);
            goto cleanup;
        }
        zu->area[u] = a;
        GEOSSTRtree_insert_r(h, zu->tree, g, &zu->ids[u]);
    }
    if (repaired)
        lb_log(ctx, LB_LOG_WARN,
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
        return lb_error(ctx, LB_ERR_GEOM, "GEOS cannot make a query rectangle");
    c->n = 0;
    GEOSSTRtree_query_r(zu->h, zu->tree, box, collect, c);
    GEOSGeom_destroy_r(zu->h, box);
    if (c->oom)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory querying units");
    /* STRtree order depends on the tree layout; sort so results never depend on it */
    qsort(c->v, c->n, sizeof(*c->v), cmp_u32);
    return LB_OK;
}

typedef struct edge {
    uint32_t a, b;
    double d, dc_ab, dc_ba; /* dc_ab: centroid of b to polygon a */
} edge;

void lb_zgraph_free(lb_zgraph *g)
{
    if (!g)
        return;
    free(g->start);
    free(g->nb);
    free(g->d);
    free(g->dc);
    memset(g, 0, sizeof(*g));
}

static lb_status build_csr(lb_ctx *ctx, size_t n, const edge *e, size_t ne, int centroid,
                           lb_zgraph *g)
{
    g->n = n;
    g->start = calloc(n + 1, sizeof(size_t));
    g->nb = malloc((ne > 0 ? 2 * ne : 1) * sizeof(uint32_t));
    g->d = malloc((ne > 0 ? 2 * ne : 1) * sizeof(double));
    g->dc = centroid ? malloc((ne > 0 ? 2 * ne : 1) * sizeof(double)) : NULL;
    size_t *fill = calloc(n + 1, sizeof(size_t));
    if (!g->start || !g->nb || !g->d || (centroid && !g->dc) || !fill) {
        free(fill);
        lb_zgraph_free(g);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory for the unit graph");
    }
    for (size_t k = 0; k < ne; k++) {
        g->start[e[k].a + 1]++;
        g->start[e[k].b + 1]++;
    }
    for (size_t u = 0; u < n; u++)
        g->start[u + 1] += g->start[u];
    /* Edges come sorted by (a, b) with a < b, so filling a's row in edge order and b's row
     * in edge order keeps every row sorted by neighbour index. */
    for (size_t k = 0; k < ne; k++) {
        size_t pb = g->start[e[k].b] + fill[e[k].b]++;
        g->nb[pb] = e[k].a;
        g->d[pb] = e[k].d;
        if (centroid)
            g->dc[pb] = e[k].dc_ba;
    }
    for (size_t k = 0; k < ne; k++) {
        size_t pa = g->start[e[k].a] + fill[e[k].a]++;
        g->nb[pa] = e[k].b;
        g->d[pa] = e[k].d;
        if (centroid)
            g->dc[pa] = e[k].dc_ab;
    }
    free(fill);
    return LB_OK;
}

lb_status lb_zunits_graph(lb_ctx *ctx, const lb_zunits *zu, double max_m, int centroid,
                          lb_zgraph *out)
{
    if (!(max_m >= 0.0))
        return lb_error(ctx, LB_ERR_ARG, "unit graph: distance %g m must be >= 0", max_m);
    GEOSContextHandle_t h = zu->h;
    cand c = {0};
    edge *e = NULL;
    size_t ne = 0, cap = 0;
    lb_status st = LB_OK;
    for (size_t a = 0; a < zu->n && st == LB_OK; a++) {
        if (!zu->g[a])
            continue;
        const double *ea = &zu->env[4 * a];
        st = query(ctx, zu, ea, max_m, &c);
        for (size_t k = 0; k < c.n && st == LB_OK; k++) {
            uint32_t b = c.v[k];
            if (b <= a || env_gap(ea, &zu->env[4 * b]) > max_m)
                continue;
            double d = 0.0, dab = 0.0, dba = 0.0;
            if (GEOSPreparedDistance_r(h, zu->pg[a], zu->g[b], &d) != 1 ||
                (centroid && d <= max_m &&
                 (GEOSPreparedDistance_r(h, zu->pg[a], zu->cen[b], &dab) != 1 ||
                  GEOSPreparedDistance_r(h, zu->pg[b], zu->cen[a], &dba) != 1))) {
                st = lb_error(ctx, LB_ERR_GEOM, "GEOS distance between units %zu and %u failed", a,
                              b);
                break;
            }
            if (d > max_m)
                continue;
            if (ne == cap) {
                size_t nc = cap ? 2 * cap : 1024;
                edge *ne2 = realloc(e, nc * sizeof(*e));
                if (!ne2) {
                    st = lb_error(ctx, LB_ERR_NOMEM, "out of memory for the unit graph");
                    break;
                }
                e = ne2;
                cap = nc;
            }
            e[ne++] = (edge){(uint32_t)a, b, d, dab, dba};
        }
    }
    free(c.v);
    if (st == LB_OK) {
        memset(out, 0, sizeof(*out));
        st = build_csr(ctx, zu->n, e, ne, centroid, out);
        out->max_m = max_m;
    }
    free(e);
    return st;
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
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading an area polygon");
    GEOSGeometry *area = read_valid(h, rd, wkb, wkb_size, NULL);
    GEOSWKBReader_destroy_r(h, rd);
    if (!area)
        return lb_error(ctx, LB_ERR_GEOM, "GEOS cannot read the area polygon");
    const GEOSPreparedGeometry *pa = GEOSPrepare_r(h, area);
    double e[4];
    cand c = {0};
    lb_status st = LB_OK;
    if (!pa || !envelope(h, area, e))
        st = lb_error(ctx, LB_ERR_GEOM, "GEOS cannot prepare the area polygon");
    if (st == LB_OK)
        st = query(ctx, zu, e, max_m, &c);
    for (size_t k = 0; k < c.n && st == LB_OK; k++) {
        uint32_t u = c.v[k];
        if (env_gap(e, &zu->env[4 * u]) > max_m)
            continue;
        double d = 0.0, dc = 0.0;
        if (GEOSPreparedDistance_r(h, pa, zu->g[u], &d) != 1 ||
            GEOSPreparedDistance_r(h, pa, zu->cen[u], &dc) != 1) {
            st = lb_error(ctx, LB_ERR_GEOM, "GEOS distance from unit %u to an area failed", u);
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
            st = lb_error(ctx, LB_ERR_GEOM, "GEOS intersection of unit %u with an area failed", u);
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
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory writing WKB");
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    size_t n = 0;
    unsigned char *buf = GEOSWKBWriter_write_r(h, w, g, &n);
    GEOSWKBWriter_destroy_r(h, w);
    if (!buf)
        return lb_error(ctx, LB_ERR_GEOM, "GEOS cannot write WKB");
    unsigned char *copy = malloc(n);
    if (copy)
        memcpy(copy, buf, n);
    GEOSFree_r(h, buf);
    if (!copy)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory writing WKB");
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
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory for a union");
    size_t np = 0;
    lb_status st = LB_OK;
    for (size_t k = 0; k < n; k++) {
        size_t u = members[k];
        if (u >= zu->n || !zu->g[u])
            continue;
        parts[np] = GEOSGeom_clone_r(h, zu->g[u]);
        if (!parts[np]) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory for a union");
            break;
        }
        np++;
    }
    if (st == LB_OK && np == 0)
        st = lb_error(ctx, LB_ERR_DATA, "a union of units without polygons");
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
        return lb_error(ctx, LB_ERR_GEOM, "GEOS cannot collect %zu polygons", np);
    GEOSGeometry *un = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    if (!un)
        return lb_error(ctx, LB_ERR_GEOM, "GEOS cannot union %zu polygons", np);
    double a = 0.0;
    if (GEOSArea_r(h, un, &a) != 1)
        st = lb_error(ctx, LB_ERR_GEOM, "GEOS cannot measure a union");
    if (st == LB_OK)
        st = to_wkb(ctx, h, un, wkb, wkb_size);
    GEOSGeom_destroy_r(h, un);
    if (st == LB_OK && area_m2)
        *area_m2 = a;
    return st;
}

lb_status lb_wkb_area_centroid(lb_ctx *ctx, const unsigned char *wkb, size_t wkb_size,
                               double *area_m2, double *cx, double *cy)
{
    GEOSContextHandle_t h = lb_ctx_geos(ctx);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    if (!rd)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory reading a polygon");
    GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, wkb, wkb_size);
    GEOSWKBReader_destroy_r(h, rd);
    if (!g)
        return lb_error(ctx, LB_ERR_GEOM, "GEOS cannot read a polygon");
    GEOSGeometry *c = GEOSGetCentroid_r(h, g);
    lb_status st = LB_OK;
    if (!c || GEOSArea_r(h, g, area_m2) != 1 || GEOSGeomGetX_r(h, c, cx) != 1 ||
        GEOSGeomGetY_r(h, c, cy) != 1)
        st = lb_error(ctx, LB_ERR_GEOM, "GEOS cannot measure a polygon");
    if (c)
        GEOSGeom_destroy_r(h, c);
    GEOSGeom_destroy_r(h, g);
    return st;
}
