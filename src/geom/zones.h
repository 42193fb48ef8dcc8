/* SPDX-License-Identifier: MIT */
/* Geometry for zones around focus areas: polygon distances, shares inside a polygon, unions
 * and the neighbour graph of units (used by the waterbed analysis). All in RD metres. */
#ifndef LB_GEOM_ZONES_H
#define LB_GEOM_ZONES_H

#include "../io/vector.h"

#include <stddef.h>
#include <stdint.h>

/* Unit polygons as GEOS geometries with centroids, areas, envelopes and an STRtree. */
typedef struct lb_zunits lb_zunits;

/* Build from polygon layer @p l: unit u is feature row[u] of @p l, or has no polygon when
 * row[u] == SIZE_MAX (it is then never near anything). @p l is borrowed during the call only.
 * *out is owned by the caller (lb_zunits_destroy). LB_ERR_GEOM names the feature whose WKB
 * GEOS cannot read. */
lb_status lb_zunits_create(lb_ctx *ctx, const lb_vlayer *l, const size_t *row, size_t n,
                           lb_zunits **out);

/* Free. NULL is a no-op. */
void lb_zunits_destroy(lb_zunits *zu);

/* Number of units; whether unit @p u has a polygon; its centroid and area (m2). */
size_t lb_zunits_count(const lb_zunits *zu);
int lb_zunits_has(const lb_zunits *zu, size_t u);
void lb_zunits_centroid(const lb_zunits *zu, size_t u, double *x, double *y);
double lb_zunits_area(const lb_zunits *zu, size_t u);

/* Neighbour graph in compressed rows: the neighbours of unit a are nb[start[a] ..
 * start[a+1]), each with the polygon-to-polygon distance d (0 when they touch or overlap) and
 * dc = the distance from the neighbour's centroid to the polygon of a (0 when inside; NULL when
 * the graph was built without centroid distances). Pairs farther apart than the graph's max_m
 * (by polygon distance) are absent. */
typedef struct lb_zgraph {
    size_t n;
    double max_m;
    size_t *start; /* n + 1 */
    uint32_t *nb;
    double *d;
    double *dc;
} lb_zgraph;

/* Build the graph of all unit pairs whose polygons lie within @p max_m metres. Exact GEOS
 * distances (prepared geometries, STRtree candidates); @p centroid: also the centroid-to-
 * polygon distances dc. @p out is filled on success; free with lb_zgraph_free. */
lb_status lb_zunits_graph(lb_ctx *ctx, const lb_zunits *zu, double max_m, int centroid,
                          lb_zgraph *out);

/* Free the arrays of a graph (the struct itself is the caller's). */
void lb_zgraph_free(lb_zgraph *g);

/* Distances from every unit to one area polygon (WKB in RD): dpoly[u] polygon-to-polygon
 * distance, dcen[u] from the unit's centroid, share[u] = area of the unit inside the polygon /
 * unit area. Units whose envelope lies farther than @p max_m get INFINITY distances and share
 * 0 (also units without polygon). Arrays have lb_zunits_count() entries, caller-allocated.
 * LB_ERR_GEOM when the WKB is unreadable. */
lb_status lb_zunits_to_area(lb_ctx *ctx, const lb_zunits *zu, const unsigned char *wkb,
                            size_t wkb_size, double max_m, double *dpoly, double *dcen,
                            double *share);

/* Union of the polygons of units @p members (n > 0) as WKB (malloc'd, caller frees), with the
 * area in m2. */
lb_status lb_zunits_union(lb_ctx *ctx, const lb_zunits *zu, const size_t *members, size_t n,
                          unsigned char **wkb, size_t *wkb_size, double *area_m2);

/* Area (m2) and centroid of a polygon given as WKB. */
lb_status lb_wkb_area_centroid(lb_ctx *ctx, const unsigned char *wkb, size_t wkb_size,
                               double *area_m2, double *cx, double *cy);

#endif
