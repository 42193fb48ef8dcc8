/* SPDX-License-Identifier: MIT */
/* Exact overlay of unit polygons with a layer through GEOS: STRtree for candidates, prepared
 * geometries for the predicates, GEOSIntersection for the areas. */
#include "overlay.h"

#include "../core/ctx.h"
#include "geos_bridge.h"
#include "repair_geos.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Quarter-circle segments of buffers: the chord error of a 64-segment quarter is
 * 1 - cos(pi/256) = 7.5e-5 of the radius, far below the precision of the inputs. */
#define BUFFER_QUADSEGS 64

struct lb_geoset {
    GEOSContextHandle_t h;
    lb_geom_kind kind;
    size_t n;
    GEOSGeometry **g;
    uint32_t *ids; /* ids[i] = i: the items the tree hands back */
    GEOSSTRtree *tree;
};

struct lb_shape {
    GEOSContextHandle_t h;
    GEOSGeometry *g;
    const GEOSPreparedGeometry *prep;
    double area;
    double xmin, ymin, xmax, ymax;
};

void lb_hits_free(lb_hits *hh)
{
    if (!hh)
        return;
    free(hh->feat);
    free(hh->amount);
    memset(hh, 0, sizeof(*hh));
}

/* Grow two parallel arrays to @p cap elements; each pointer is replaced only on success, so
 * on failure both stay valid for the caller to free. 1 on success. */
static int grow_pair(void **a, size_t size_a, void **b, size_t size_b, size_t cap)
{
    void *na = realloc(*a, cap * size_a);
    if (na)
        *a = na;
    void *nb = realloc(*b, cap * size_b);
    if (nb)
        *b = nb;
    return na && nb;
}

static int hits_push(lb_hits *hh, uint32_t f, double amount)
{
    if (hh->n == hh->cap) {
        size_t cap = hh->cap ? 2 * hh->cap : 64;
        void *a = hh->feat, *b = hh->amount;
        int ok = grow_pair(&a, sizeof(*hh->feat), &b, sizeof(*hh->amount), cap);
        hh->feat = a;
        hh->amount = b;
        if (!ok)
            return 0;
        hh->cap = cap;
    }
    hh->feat[hh->n] = f;
    hh->amount[hh->n++] = amount;
    return 1;
}

/* Make a polygon valid when GEOS finds it invalid (self-touching rings are common in
 * municipal data), through the one repair path. Returns the geometry to keep (g itself or its
 * repair), NULL on failure. */
static GEOSGeometry *valid_polygon(GEOSContextHandle_t h, GEOSGeometry *g, int *repaired)
{
    size_t n = 0;
    GEOSGeometry *v = lb_geom_make_valid(h, g, &n);
    if (n)
        *repaired = 1;
    return v;
}

void lb_geoset_destroy(lb_geoset *s)
{
    if (!s)
        return;
    if (s->tree)
        GEOSSTRtree_destroy_r(s->h, s->tree);
    for (size_t i = 0; s->g && i < s->n; i++)
        if (s->g[i])
            GEOSGeom_destroy_r(s->h, s->g[i]);
    free(s->g);
    free(s->ids);
    free(s);
}

lb_status lb_geoset_create(lb_ctx *ctx, const lb_vlayer *l, lb_geoset **out)
{
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    lb_geoset *s = calloc(1, sizeof(*s));
    if (!s)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    s->h = h;
    s->kind = l->kind;
    s->n = l->n;
    s->g = calloc(l->n ? l->n : 1, sizeof(*s->g));
    s->ids = malloc((l->n ? l->n : 1) * sizeof(*s->ids));
    s->tree = GEOSSTRtree_create_r(h, 10);
    if (!s->g || !s->ids || !s->tree) {
        lb_geoset_destroy(s);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory building the index of '%s'", l->path);
    }
    size_t n_repaired = 0;
    for (size_t i = 0; i < l->n; i++) {
        GEOSGeometry *g = l->kind == LB_GEOM_POINT
                              ? GEOSGeom_createPointFromXY_r(h, l->x[i], l->y[i])
                              : GEOSGeomFromWKB_buf_r(h, l->wkb[i], l->wkb_size[i]);
        int repaired = 0;
        if (g && l->kind == LB_GEOM_POLYGON)
            g = valid_polygon(h, g, &repaired);
        if (!g) {
            lb_geoset_destroy(s);
            return lb_ctx_error_prefix(ctx, LB_ERR_GEOM,
                                       "input '%s' ('%s' layer '%s') feature %lld: GEOS cannot use "
                                       "the geometry: ",
                                       l->name, l->path, l->layer, (long long)l->fid[i]);
        }
        n_repaired += (size_t)repaired;
        s->g[i] = g;
        s->ids[i] = (uint32_t)i;
        GEOSSTRtree_insert_r(h, s->tree, g, &s->ids[i]);
    }
    if (n_repaired)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "input '%s' ('%s' layer '%s'): %zu invalid polygon(s) repaired with "
                   "GEOSMakeValid before the overlay",
                   l->name, l->path, l->layer, n_repaired);
    *out = s;
    return LB_OK;
}

void lb_shape_destroy(lb_shape *s)
{
    if (!s)
        return;
    if (s->prep)
        GEOSPreparedGeom_destroy_r(s->h, s->prep);
    if (s->g)
        GEOSGeom_destroy_r(s->h, s->g);
    free(s);
}

lb_status lb_shape_create(lb_ctx *ctx, const unsigned char *wkb, size_t size, double buffer_m,
                          const char *what, lb_shape **out)
{
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    lb_shape *s = calloc(1, sizeof(*s));
    if (!s)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    s->h = h;
    int repaired = 0;
    s->g = GEOSGeomFromWKB_buf_r(h, wkb, size);
    if (s->g)
        s->g = valid_polygon(h, s->g, &repaired);
    if (s->g && buffer_m > 0.0) {
        GEOSGeometry *b = GEOSBuffer_r(h, s->g, buffer_m, BUFFER_QUADSEGS);
        GEOSGeom_destroy_r(h, s->g);
        s->g = b;
    }
    if (s->g)
        s->prep = GEOSPrepare_r(h, s->g);
    if (!s->g || !s->prep || GEOSArea_r(h, s->g, &s->area) != 1 ||
        GEOSGeom_getXMin_r(h, s->g, &s->xmin) != 1 || GEOSGeom_getYMin_r(h, s->g, &s->ymin) != 1 ||
        GEOSGeom_getXMax_r(h, s->g, &s->xmax) != 1 || GEOSGeom_getYMax_r(h, s->g, &s->ymax) != 1) {
        lb_shape_destroy(s);
        return lb_ctx_error_prefix(ctx, LB_ERR_GEOM, "%s: GEOS cannot use the polygon: ", what);
    }
    if (repaired)
        lb_ctx_log(ctx, LB_LOG_WARN, "%s: invalid polygon repaired with GEOSMakeValid", what);
    *out = s;
    return LB_OK;
}

double lb_shape_area(const lb_shape *s)
{
    return s->area;
}

lb_status lb_shape_point_on_surface(lb_ctx *ctx, const lb_shape *s, double *x, double *y)
{
    GEOSGeometry *p = GEOSPointOnSurface_r(s->h, s->g);
    int ok = p && GEOSGeomGetX_r(s->h, p, x) == 1 && GEOSGeomGetY_r(s->h, p, y) == 1;
    if (p)
        GEOSGeom_destroy_r(s->h, p);
    return ok ? LB_OK : lb_ctx_error_prefix(ctx, LB_ERR_GEOM, "point on surface: ");
}

typedef struct ringbuf {
    double *xy;
    size_t n_pt, cap_pt;
    size_t *off;
    int *hole;
    size_t n_ring, cap_ring;
} ringbuf;

static int add_ring(GEOSContextHandle_t h, ringbuf *b, const GEOSGeometry *ring, int hole)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
        return 0;
    if (b->n_ring + 2 > b->cap_ring) {
        size_t cap = b->cap_ring ? 2 * b->cap_ring : 16;
        void *o = b->off, *hl = b->hole;
        int ok = grow_pair(&o, sizeof(*b->off), &hl, sizeof(*b->hole), cap);
        b->off = o;
        b->hole = hl;
        if (!ok)
            return 0;
        b->cap_ring = cap;
    }
    if (b->n_pt + n > b->cap_pt) {
        size_t cap = b->cap_pt ? b->cap_pt : 256;
        while (cap < b->n_pt + n)
            cap *= 2;
        double *nx = realloc(b->xy, 2 * cap * sizeof(double));
        if (!nx)
            return 0;
        b->xy = nx;
        b->cap_pt = cap;
    }
    b->off[b->n_ring] = b->n_pt;
    b->hole[b->n_ring++] = hole;
    for (unsigned int i = 0; i < n; i++) {
        double *p = &b->xy[2 * (b->n_pt + i)];
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &p[0], &p[1]))
            return 0;
    }
    b->n_pt += n;
    b->off[b->n_ring] = b->n_pt;
    return 1;
}

/* The rings of the polygons in @p g into @p b; 0 when out of memory. */
static int polygon_rings(GEOSContextHandle_t h, const GEOSGeometry *g, ringbuf *b)
{
    int ok = 1;
    int np = GEOSGetNumGeometries_r(h, g);
    for (int p = 0; ok && p < np; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
        if (GEOSGeomTypeId_r(h, poly) != GEOS_POLYGON || GEOSisEmpty_r(h, poly) == 1)
            continue;
        ok = add_ring(h, b, GEOSGetExteriorRing_r(h, poly), 0);
        int nh = GEOSGetNumInteriorRings_r(h, poly);
        for (int k = 0; ok && k < nh; k++)
            ok = add_ring(h, b, GEOSGetInteriorRingN_r(h, poly, k), 1);
    }
    return ok;
}

static void ringbuf_free(ringbuf *b)
{
    free(b->xy);
    free(b->off);
    free(b->hole);
}

lb_status lb_shape_rings(lb_ctx *ctx, const lb_shape *s, double **xy, size_t **off, int **hole,
                         size_t *n_rings)
{
    ringbuf b = {0};
    int ok = polygon_rings(s->h, s->g, &b);
    if (!ok || b.n_ring == 0) {
        ringbuf_free(&b);
        return ok ? lb_ctx_error(ctx, LB_ERR_GEOM, "the polygon has no rings")
                  : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory copying rings");
    }
    *xy = b.xy;
    *off = b.off;
    *hole = b.hole;
    *n_rings = b.n_ring;
    return LB_OK;
}

lb_status lb_geom_wkb_rings(lb_ctx *ctx, const unsigned char *wkb, size_t size, const char *what,
                            double **xy, size_t **off, int **hole, size_t *n_rings)
{
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    GEOSGeometry *g = GEOSGeomFromWKB_buf_r(h, wkb, size);
    if (!g)
        return lb_ctx_error_prefix(ctx, LB_ERR_GEOM, "%s: GEOS cannot read the WKB: ", what);
    ringbuf b = {0};
    int ok = polygon_rings(h, g, &b);
    GEOSGeom_destroy_r(h, g);
    if (!ok) {
        ringbuf_free(&b);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory copying rings of %s", what);
    }
    *xy = b.xy;
    *off = b.off;
    *hole = b.hole;
    *n_rings = b.n_ring;
    return LB_OK;
}

typedef struct query {
    lb_hits *hits;
    int nomem;
} query;

static void collect(void *item, void *user)
{
    query *q = user;
    if (!hits_push(q->hits, *(const uint32_t *)item, 1.0))
        q->nomem = 1;
}

static int cmp_hit(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Candidates whose envelope meets the shape's envelope grown by @p r, ascending (so that
 * sums over hits are the same whatever order the tree returns). */
static lb_status candidates(lb_ctx *ctx, const lb_geoset *set, const lb_shape *s, double r,
                            lb_hits *out)
{
    out->n = 0;
    GEOSGeometry *box =
        GEOSGeom_createRectangle_r(set->h, s->xmin - r, s->ymin - r, s->xmax + r, s->ymax + r);
    if (!box)
        return lb_ctx_error_prefix(ctx, LB_ERR_GEOM, "query box: ");
    query q = {out, 0};
    GEOSSTRtree_query_r(set->h, set->tree, box, collect, &q);
    GEOSGeom_destroy_r(set->h, box);
    if (q.nomem)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (out->n > 1) /* qsort on a NULL buffer is undefined even for 0 elements */
        qsort(out->feat, out->n, sizeof(uint32_t), cmp_hit);
    return LB_OK;
}

lb_status lb_geoset_overlay(lb_ctx *ctx, const lb_geoset *set, const lb_shape *s, lb_hits *out)
{
    if (set->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA, "an area overlay needs a polygon layer");
    lb_status st = candidates(ctx, set, s, 0.0, out);
    if (st != LB_OK)
        return st;
    GEOSContextHandle_t h = set->h;
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        const GEOSGeometry *g = set->g[out->feat[i]];
        double a = 0.0;
        if (GEOSPreparedContains_r(h, s->prep, g) == 1) {
            if (GEOSArea_r(h, g, &a) != 1)
                return lb_ctx_error_prefix(ctx, LB_ERR_GEOM, "area of feature %u: ", out->feat[i]);
        } else if (GEOSPreparedIntersects_r(h, s->prep, g) == 1) {
            GEOSGeometry *x = GEOSIntersection_r(h, s->g, g);
            int ok = x && GEOSArea_r(h, x, &a) == 1;
            if (x)
                GEOSGeom_destroy_r(h, x);
            if (!ok)
                return lb_ctx_error_prefix(ctx, LB_ERR_GEOM,
                                           "intersection with feature %u: ", out->feat[i]);
        }
        if (a > 0.0) {
            out->feat[k] = out->feat[i];
            out->amount[k++] = a;
        }
    }
    out->n = k;
    return LB_OK;
}

lb_status lb_geoset_within(lb_ctx *ctx, const lb_geoset *set, const lb_shape *s, double r,
                           lb_hits *out)
{
    lb_status st = candidates(ctx, set, s, r, out);
    if (st != LB_OK)
        return st;
    GEOSContextHandle_t h = set->h;
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        const GEOSGeometry *g = set->g[out->feat[i]];
        char in = r > 0.0 ? GEOSPreparedDistanceWithin_r(h, s->prep, g, r)
                          : GEOSPreparedIntersects_r(h, s->prep, g);
        if (in == 2)
            return lb_ctx_error_prefix(ctx, LB_ERR_GEOM, "distance to feature %u: ", out->feat[i]);
        if (in == 1) {
            out->feat[k] = out->feat[i];
            out->amount[k++] = 1.0;
        }
    }
    out->n = k;
    return LB_OK;
}
