/* SPDX-License-Identifier: MIT */
/* Exact vector overlay of polygon units with a layer (GEOS, STRtree, prepared geometries):
 * intersection areas, features within a distance, points on surface, buffers. */
#ifndef LB_GEOM_OVERLAY_H
#define LB_GEOM_OVERLAY_H

#include "../data/vlayer.h"

#include <stddef.h>
#include <stdint.h>

/* The features of one layer as GEOS geometries in an STRtree. Invalid polygons are repaired
 * with GEOSMakeValid (counted in a warning). Borrows nothing from the layer after creation. */
typedef struct lb_geoset lb_geoset;

/* One unit polygon, prepared for repeated predicates; optionally grown by a buffer. */
typedef struct lb_shape lb_shape;

/* Features that a query found: feat[i] is the feature index in its layer (ascending), amount[i]
 * the intersection area in m² (overlay) or 1 (within). The buffers are reused across queries. */
typedef struct lb_hits {
    size_t n, cap;
    uint32_t *feat;
    double *amount;
} lb_hits;

/* Build the set for layer @p l (points, lines or polygons, RD metres). *out is owned by the
 * caller (lb_geoset_destroy). LB_ERR_GEOM names the feature whose WKB GEOS cannot read. */
lb_status lb_geoset_create(lb_ctx *ctx, const lb_vlayer *l, lb_geoset **out);
void lb_geoset_destroy(lb_geoset *s);

/* A shape from polygon WKB (RD), grown by @p buffer_m metres when > 0 (round joins, 64
 * segments per quarter circle: the area of the rounded corners is within 0.01 % of exact).
 * @p what names the unit in messages ("units 'buurten' feature 12"). *out: lb_shape_destroy. */
lb_status lb_shape_create(lb_ctx *ctx, const unsigned char *wkb, size_t size, double buffer_m,
                          const char *what, lb_shape **out);
void lb_shape_destroy(lb_shape *s);

/* Area of the shape in m². */
double lb_shape_area(const lb_shape *s);

/* A point guaranteed to lie inside the shape (GEOSPointOnSurface). */
lb_status lb_shape_point_on_surface(lb_ctx *ctx, const lb_shape *s, double *x, double *y);

/* The shape's rings as interleaved x,y: ring r has points [off[r], off[r+1]) of *xy and is a
 * hole when hole[r]. All three arrays are malloc'd for the caller. */
lb_status lb_shape_rings(lb_ctx *ctx, const lb_shape *s, double **xy, size_t **off, int **hole,
                         size_t *n_rings);

/* The rings of polygon WKB as it is (not repaired, for drawing): as lb_shape_rings, but
 * @p n_rings may be 0 (empty, or no polygon) and then the arrays may be NULL. LB_ERR_GEOM
 * naming @p what when GEOS cannot read the WKB. */
lb_status lb_geom_wkb_rings(lb_ctx *ctx, const unsigned char *wkb, size_t size, const char *what,
                            double **xy, size_t **off, int **hole, size_t *n_rings);

/* Polygon features of @p set that overlap @p s, with the exact area of each intersection
 * (features that only touch are left out). LB_ERR_DATA when the set is not polygons. */
lb_status lb_geoset_overlay(lb_ctx *ctx, const lb_geoset *set, const lb_shape *s, lb_hits *out);

/* Features of @p set within @p r metres of @p s (exact Euclidean distance between the
 * geometries; r = 0: features intersecting the shape, its boundary included). */
lb_status lb_geoset_within(lb_ctx *ctx, const lb_geoset *set, const lb_shape *s, double r,
                           lb_hits *out);

/* Free the buffers of @p h (not @p h). NULL is a no-op. */
void lb_hits_free(lb_hits *h);

#endif
