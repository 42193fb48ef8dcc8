/* SPDX-License-Identifier: MIT */
/* Invalid polygons repaired once, with GEOS MakeValid, for every mode. */
#include "repair.h"
#include "repair_geos.h"

#include "../core/ctx.h"
#include "geos_bridge.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_EXAMPLES = 5 };

GEOSGeometry *lb_geom_make_valid(GEOSContextHandle_t h, GEOSGeometry *g, size_t *repaired)
{
    if (!g || GEOSisValid_r(h, g) == 1)
        return g;
    GEOSGeometry *v = GEOSMakeValid_r(h, g);
    GEOSGeom_destroy_r(h, g);
    if (v && repaired)
        (*repaired)++;
    return v;
}

/* Growable arrays of the rebuilt layer. */
typedef struct rings {
    size_t *ring_start, *ring_pt;
    int *hole;
    double *xy;
    size_t n_rings, cap_rings, n_pts, cap_pts;
} rings;

static int room(rings *r, size_t extra_rings, size_t extra_pts)
{
    if (r->n_rings + extra_rings + 1 > r->cap_rings) {
        size_t cap = 2 * (r->n_rings + extra_rings + 1);
        size_t *a = realloc(r->ring_pt, cap * sizeof(*a));
        if (!a)
            return 0;
        r->ring_pt = a;
        int *b = realloc(r->hole, cap * sizeof(*b));
        if (!b)
            return 0;
        r->hole = b;
        r->cap_rings = cap;
    }
    if (r->n_pts + extra_pts > r->cap_pts) {
        size_t cap = 2 * (r->n_pts + extra_pts);
        double *c = realloc(r->xy, 2 * cap * sizeof(*c));
        if (!c)
            return 0;
        r->xy = c;
        r->cap_pts = cap;
    }
    return 1;
}

static int push_ring(rings *r, const double *xy, size_t n, int hole)
{
    if (!room(r, 1, n))
        return 0;
    r->ring_pt[r->n_rings] = r->n_pts;
    r->hole[r->n_rings++] = hole;
    memcpy(r->xy + 2 * r->n_pts, xy, 2 * n * sizeof(double));
    r->n_pts += n;
    return 1;
}

static double ring_area(const double *xy, size_t n)
{
    double a = 0.0;
    for (size_t i = 0; i + 1 < n; i++)
        a += xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
    return fabs(0.5 * a);
}

static int push_geos_ring(GEOSContextHandle_t h, rings *r, const GEOSGeometry *ring, int hole,
                          double *area)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
        return 0;
    if (n < 4)
        return 1; /* a collapsed ring has no area */
    if (!room(r, 1, n))
        return 0;
    double *xy = r->xy + 2 * r->n_pts;
    for (unsigned int i = 0; i < n; i++)
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &xy[2 * i], &xy[2 * i + 1]))
            return 0;
    double a = ring_area(xy, n);
    *area += hole ? -a : a;
    r->ring_pt[r->n_rings] = r->n_pts;
    r->hole[r->n_rings++] = hole;
    r->n_pts += n;
    return 1;
}

/* The rings of every polygon in @p g (a polygon, multipolygon or collection; lines and points
 * that MakeValid leaves from collapsed parts have no area and are dropped). Polygons go to
 * @p polys (clones) for the new WKB. */
static int collect(GEOSContextHandle_t h, const GEOSGeometry *g, rings *r, double *area,
                   GEOSGeometry ***polys, size_t *n_polys, size_t *cap_polys)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            if (!collect(h, GEOSGetGeometryN_r(h, g, i), r, area, polys, n_polys, cap_polys))
                return 0;
        return 1;
    }
    if (t != GEOS_POLYGON || GEOSisEmpty_r(h, g))
        return 1;
    if (!push_geos_ring(h, r, GEOSGetExteriorRing_r(h, g), 0, area))
        return 0;
    int nh = GEOSGetNumInteriorRings_r(h, g);
    for (int k = 0; k < nh; k++)
        if (!push_geos_ring(h, r, GEOSGetInteriorRingN_r(h, g, k), 1, area))
            return 0;
    if (*n_polys == *cap_polys) {
        size_t cap = *cap_polys ? 2 * *cap_polys : 8;
        GEOSGeometry **p = realloc(*polys, cap * sizeof(*p));
        if (!p)
            return 0;
        *polys = p;
        *cap_polys = cap;
    }
    GEOSGeometry *c = GEOSGeom_clone_r(h, g);
    if (!c)
        return 0;
    (*polys)[(*n_polys)++] = c;
    return 1;
}

/* Replace feature @p f's WKB by the multipolygon of @p polys (consumed). */
static int set_wkb(GEOSContextHandle_t h, GEOSWKBWriter *wr, lb_vlayer *l, size_t f,
                   GEOSGeometry **polys, size_t n_polys)
{
    if (!l->wkb) { /* a layer of rings only: its WKB is written from the repaired rings */
        for (size_t i = 0; i < n_polys; i++)
            GEOSGeom_destroy_r(h, polys[i]);
        return 1;
    }
    GEOSGeometry *mp =
        GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned int)n_polys);
    if (!mp) {
        for (size_t i = 0; i < n_polys; i++)
            GEOSGeom_destroy_r(h, polys[i]);
        return 0;
    }
    size_t size = 0;
    unsigned char *w = GEOSWKBWriter_write_r(h, wr, mp, &size);
    GEOSGeom_destroy_r(h, mp);
    unsigned char *copy = w ? malloc(size) : NULL;
    if (copy)
        memcpy(copy, w, size);
    if (w)
        GEOSFree_r(h, w);
    if (!copy)
        return 0;
    if (!lb_vlayer_in_blocks(l->wkb_blocks, l->wkb[f])) /* else freed with its block */
        free(l->wkb[f]);
    l->wkb[f] = copy;
    l->wkb_size[f] = size;
    return 1;
}

/* Is feature @p f one ring of 5 finite points that walk the corners of an axis-parallel
 * rectangle with sides > 0 (either way round) and close? Such a polygon is valid: GEOS needs
 * not be asked. The squares of a CBS vierkant layer are all such. */
/* Feature @p f of @p l as a GEOS geometry: read from its WKB, or from the WKB its rings give
 * (a layer of rings only, lb_vlayer_read_rings). NULL when GEOS cannot read it or out of
 * memory. */
static GEOSGeometry *read_feature(GEOSContextHandle_t h, GEOSWKBReader *rd, const lb_vlayer *l,
                                  size_t f)
{
    size_t size = 0;
    int own = 0;
    const unsigned char *w = lb_vlayer_polygon_wkb(l, f, &size, &own);
    GEOSGeometry *g = w ? GEOSWKBReader_read_r(h, rd, w, size) : NULL;
    if (own)
        free((void *)w);
    return g;
}

static int is_plain_rectangle(const lb_vlayer *l, size_t f)
{
    size_t k = l->ring_start[f];
    if (l->ring_start[f + 1] != k + 1 || l->ring_pt_start[k + 1] - l->ring_pt_start[k] != 5)
        return 0;
    const double *p = &l->ring_xy[2 * l->ring_pt_start[k]];
    for (int i = 0; i < 10; i++)
        if (!isfinite(p[i]))
            return 0;
    if (p[8] != p[0] || p[9] != p[1])
        return 0;
    double a = p[0], b = p[1], c = p[4], d = p[5];
    if (a == c || b == d)
        return 0;
    /* (a,b) (a,d) (c,d) (c,b) or (a,b) (c,b) (c,d) (a,d) */
    return (p[2] == a && p[3] == d && p[6] == c && p[7] == b) ||
           (p[2] == c && p[3] == b && p[6] == a && p[7] == d);
}

/* valid[f] = 1 when feature @p f of @p l is a valid polygon, else 0 (invalid or unreadable:
 * the caller looks again with the run's GEOS handle). The features are checked on the run's
 * threads, each with its own GEOS context; returns 0 when out of memory. */
static int check_valid(lb_ctx *ctx, const lb_vlayer *l, unsigned char *valid)
{
    ptrdiff_t n = (ptrdiff_t)l->n;
    int failed = 0;
#pragma omp parallel num_threads(lb_ctx_threads(ctx)) reduction(| : failed)
    {
        GEOSContextHandle_t h = GEOS_init_r();
        GEOSWKBReader *rd = h ? GEOSWKBReader_create_r(h) : NULL;
        failed |= !rd;
#pragma omp for schedule(dynamic, 256)
        for (ptrdiff_t f = 0; f < n; f++) {
            if (is_plain_rectangle(l, (size_t)f)) {
                valid[f] = 1;
                continue;
            }
            GEOSGeometry *g = rd ? read_feature(h, rd, l, (size_t)f) : NULL;
            valid[f] = g && GEOSisValid_r(h, g) == 1;
            if (g)
                GEOSGeom_destroy_r(h, g);
        }
        if (rd)
            GEOSWKBReader_destroy_r(h, rd);
        if (h)
            GEOS_finish_r(h);
    }
    return !failed;
}

lb_status lb_geom_make_valid_layer(lb_ctx *ctx, lb_vlayer *l, size_t *n_repaired)
{
    if (n_repaired)
        *n_repaired = 0;
    if (l->kind != LB_GEOM_POLYGON || l->n == 0)
        return LB_OK;
    GEOSContextHandle_t h = lb_geom_geos_handle(ctx);
    if (!h)
        return LB_ERR_INTERNAL;
    /* Most layers are valid throughout: check every feature first, in parallel, and rebuild
     * the rings only when one needs repair. */
    unsigned char *valid = malloc(l->n);
    if (!valid || !check_valid(ctx, l, valid)) {
        free(valid);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory checking the polygons of '%s'",
                            l->path);
    }
    size_t n_valid = 0;
    for (size_t f = 0; f < l->n; f++)
        n_valid += valid[f];
    if (n_valid == l->n) {
        free(valid);
        return LB_OK;
    }
    lb_status st = LB_OK;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    rings r = {0};
    size_t *ring_start = malloc((l->n + 1) * sizeof(size_t));
    GEOSGeometry **polys = NULL;
    size_t cap_polys = 0, repaired = 0;
    int64_t example[N_EXAMPLES];
    if (!rd || !wr || !ring_start) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory repairing '%s'", l->path);
        goto cleanup;
    }
    for (size_t f = 0; f < l->n; f++) {
        ring_start[f] = r.n_rings;
        GEOSGeometry *g = valid[f] ? NULL : read_feature(h, rd, l, f);
        if (valid[f] || (g && GEOSisValid_r(h, g) == 1)) {
            if (g)
                GEOSGeom_destroy_r(h, g);
            /* keep the rings as read */
            for (size_t k = l->ring_start[f]; k < l->ring_start[f + 1]; k++) {
                size_t p0 = l->ring_pt_start[k], p1 = l->ring_pt_start[k + 1];
                if (!push_ring(&r, &l->ring_xy[2 * p0], p1 - p0, l->ring_hole[k])) {
                    st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory repairing '%s'", l->path);
                    goto cleanup;
                }
            }
            continue;
        }
        size_t before = repaired;
        GEOSGeometry *v = g ? lb_geom_make_valid(h, g, &repaired) : NULL;
        if (!v) {
            st = lb_ctx_error_prefix(
                ctx, LB_ERR_GEOM,
                "input '%s' ('%s' layer '%s') feature %lld: GEOS cannot %s the "
                "polygon: ",
                l->name, l->path, l->layer, (long long)l->fid[f], g ? "repair" : "read");
            goto cleanup;
        }
        if (repaired > before && repaired <= N_EXAMPLES)
            example[repaired - 1] = l->fid[f];
        double area = 0.0;
        size_t n_polys = 0;
        int ok = collect(h, v, &r, &area, &polys, &n_polys, &cap_polys);
        GEOSGeom_destroy_r(h, v);
        ok = ok && set_wkb(h, wr, l, f, polys, n_polys);
        if (!ok) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory repairing '%s' feature %lld",
                              l->path, (long long)l->fid[f]);
            goto cleanup;
        }
        l->area_m2[f] = area;
    }
    if (repaired == 0)
        goto cleanup;
    ring_start[l->n] = r.n_rings;
    if (!room(&r, 0, 0)) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory repairing '%s'", l->path);
        goto cleanup;
    }
    r.ring_pt[r.n_rings] = r.n_pts;
    free(l->ring_start);
    free(l->ring_pt_start);
    free(l->ring_hole);
    free(l->ring_xy);
    l->ring_start = ring_start;
    l->ring_pt_start = r.ring_pt;
    l->ring_hole = r.hole;
    l->ring_xy = r.xy;
    l->n_rings = r.n_rings;
    ring_start = NULL;
    r = (rings){0};
    char ids[160] = "";
    for (size_t i = 0; i < repaired && i < N_EXAMPLES; i++) {
        char one[32];
        snprintf(one, sizeof(one), "%lld", (long long)example[i]);
        lb_core_list_append(ids, sizeof(ids), one);
    }
    lb_ctx_log(ctx, LB_LOG_WARN,
               "input '%s' ('%s' layer '%s'): %zu invalid polygon(s) repaired with GEOSMakeValid "
               "(feature%s %s%s); check them: a self-crossing ring, a hole outside its shell or a "
               "figure-8 now counts its whole area",
               l->name, l->path, l->layer, repaired, repaired > 1 ? "s" : "", ids,
               repaired > N_EXAMPLES ? ", ..." : "");
    if (n_repaired)
        *n_repaired = repaired;
cleanup:
    free(valid);
    free(polys);
    free(ring_start);
    free(r.ring_pt);
    free(r.hole);
    free(r.xy);
    if (wr)
        GEOSWKBWriter_destroy_r(h, wr);
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    return st;
}
