/* SPDX-License-Identifier: MIT */
/* Regions of unioned polygons and the covered share of other polygons (GEOS). */
#include "region.h"

#include "../core/ctx.h"

#include <geos_c.h>
#include <stdlib.h>

struct lb_region {
    GEOSContextHandle_t h;
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
};

/* Read WKB; repair invalid polygons (self-touching rings are common in buurt layers). */
static GEOSGeometry *read_valid(GEOSContextHandle_t h, GEOSWKBReader *rd, const unsigned char *wkb,
                                size_t size)
{
    GEOSGeometry *g = GEOSWKBReader_read_r(h, rd, wkb, size);
    if (!g)
        return NULL;
    if (GEOSisValid_r(h, g) == 1)
        return g;
    GEOSGeometry *v = GEOSMakeValid_r(h, g);
    GEOSGeom_destroy_r(h, g);
    return v;
}

void lb_region_destroy(lb_region *r)
{
    if (!r)
        return;
    if (r->prep)
        GEOSPreparedGeom_destroy_r(r->h, r->prep);
    if (r->geom)
        GEOSGeom_destroy_r(r->h, r->geom);
    free(r);
}

lb_status lb_region_create(lb_ctx *ctx, const lb_vlayer *l, const unsigned char *take,
                           lb_region **out)
{
    if (l->kind != LB_GEOM_POLYGON)
        return lb_error(ctx, LB_ERR_DATA, "'%s' layer '%s': polygons expected", l->path,
                        l->layer ? l->layer : "");
    GEOSContextHandle_t h = lb_ctx_geos(ctx);
    lb_status st = LB_OK;
    lb_region *r = calloc(1, sizeof(*r));
    GEOSGeometry **parts = calloc(l->n ? l->n : 1, sizeof(*parts));
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    GEOSGeometry *coll = NULL;
    size_t n = 0;
    if (!r || !parts || !rd) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    r->h = h;
    for (size_t f = 0; f < l->n; f++) {
        if (take && !take[f])
            continue;
        parts[n] = read_valid(h, rd, l->wkb[f], l->wkb_size[f]);
        if (!parts[n]) {
            st = lb_error_prefix(ctx, LB_ERR_GEOM, "'%s' layer '%s' feature %lld: ", l->path,
                                 l->layer ? l->layer : "", (long long)l->fid[f]);
            goto done;
        }
        n++;
    }
    if (n == 0) {
        st = lb_error(ctx, LB_ERR_DATA, "'%s' layer '%s': no polygon selected", l->path,
                      l->layer ? l->layer : "");
        goto done;
    }
    /* The collection takes ownership of the parts (GEOS 3.11 does so before it can fail). */
    coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    n = 0;
    if (!coll) {
        st = lb_error_prefix(ctx, LB_ERR_GEOM, "'%s': cannot collect the polygons: ", l->path);
        goto done;
    }
    r->geom = GEOSUnaryUnion_r(h, coll);
    if (!r->geom || !(r->prep = GEOSPrepare_r(h, r->geom))) {
        st = lb_error_prefix(ctx, LB_ERR_GEOM, "'%s': cannot union the polygons: ", l->path);
        goto done;
    }
done:
    for (size_t i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    if (rd)
        GEOSWKBReader_destroy_r(h, rd);
    free(parts);
    if (st != LB_OK)
        lb_region_destroy(r);
    else
        *out = r;
    return st;
}

lb_status lb_region_share(lb_ctx *ctx, const lb_region *r, const unsigned char *wkb, size_t size,
                          double *share)
{
    GEOSContextHandle_t h = r->h;
    GEOSWKBReader *rd = GEOSWKBReader_create_r(h);
    if (!rd)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    GEOSGeometry *g = read_valid(h, rd, wkb, size);
    GEOSWKBReader_destroy_r(h, rd);
    if (!g)
        return lb_error_prefix(ctx, LB_ERR_GEOM, "cannot read a unit polygon: ");
    lb_status st = LB_OK;
    double a = 0.0, ai = 0.0;
    if (GEOSArea_r(h, g, &a) != 1) {
        st = lb_error_prefix(ctx, LB_ERR_GEOM, "area of a unit polygon: ");
    } else if (a <= 0.0 || GEOSPreparedIntersects_r(h, r->prep, g) != 1) {
        ai = 0.0;
    } else if (GEOSPreparedContainsProperly_r(h, r->prep, g) == 1) {
        ai = a;
    } else {
        GEOSGeometry *x = GEOSIntersection_r(h, g, r->geom);
        if (!x || GEOSArea_r(h, x, &ai) != 1)
            st = lb_error_prefix(ctx, LB_ERR_GEOM, "intersection with the region: ");
        if (x)
            GEOSGeom_destroy_r(h, x);
    }
    GEOSGeom_destroy_r(h, g);
    if (st == LB_OK)
        *share = a > 0.0 ? (ai >= a ? 1.0 : ai / a) : 0.0;
    return st;
}
