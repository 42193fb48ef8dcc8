/* SPDX-License-Identifier: MIT */
/* Geometry for zones around focus areas: polygon distances, shares inside a polygon, unions
 * and the neighbour graph of units (used by the waterbed analysis). All in RD metres. */
#ifndef LB_GEOM_ZONES_H
#define LB_GEOM_ZONES_H

#include "../data/vlayer.h"

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

/* The neighbour graph of the units: for unit a, every unit b whose polygon lies within the
 * graph's max_m of a's (by polygon distance), with d = polygon-to-polygon distance (0 when
 * they touch or overlap), dc = distance from b's centroid to a's polygon and dci = from a's
 * centroid to b's polygon (centroid distances only when the graph was made with them; else
 * NULL). Rows are computed on first use (exact GEOS distances, prepared geometries, STRtree
 * candidates) and kept; a pair measured for one row is reused for the other. Rows are sorted
 * by neighbour index, so results never depend on the order rows were asked for. Not for
 * concurrent use. */
typedef struct lb_zgraph lb_zgraph;

typedef struct lb_zrow {
    size_t n;
    const uint32_t *nb;
    const double *d, *dc, *dci;
} lb_zrow;

/* A graph over @p zu (borrowed: must outlive the graph) up to @p max_m metres; @p centroid:
 * also centroid distances. *out is owned by the caller (lb_zgraph_destroy). */
lb_status lb_zgraph_create(lb_ctx *ctx, const lb_zunits *zu, double max_m, int centroid,
                           lb_zgraph **out);

/* The row of unit @p a (computed now when needed). @p row stays valid while the graph
 * lives. LB_ERR_GEOM when GEOS fails, LB_ERR_NOMEM. */
lb_status lb_zgraph_row(lb_ctx *ctx, lb_zgraph *g, size_t a, lb_zrow *row);

/* Rows computed so far. */
size_t lb_zgraph_rows_done(const lb_zgraph *g);

/* Free. NULL is a no-op. */
void lb_zgraph_destroy(lb_zgraph *g);

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

/* Exact distance from each unit units[i] to the nearest of @p n_areas polygons (WKB in RD),
 * without a reach: from the unit's polygon, or from its centroid when @p centroid. Areas are
 * tried in the order of their envelope gap and the search stops once that gap exceeds the best
 * distance found, so far units cost few GEOS calls. out[i] is INFINITY for a unit without
 * polygon or when n_areas is 0. LB_ERR_GEOM when a WKB is unreadable. */
lb_status lb_zunits_nearest(lb_ctx *ctx, const lb_zunits *zu, const unsigned char *const *wkb,
                            const size_t *wkb_size, size_t n_areas, const size_t *units,
                            size_t n_units, int centroid, double *out);

/* Union of @p n (> 0) polygons given as WKB (each repaired when invalid), as WKB (malloc'd,
 * caller frees). */
lb_status lb_geom_wkb_union(lb_ctx *ctx, const unsigned char *const *wkb, const size_t *wkb_size,
                            size_t n, unsigned char **out, size_t *out_size);

/* Area (m2) and centroid of a polygon given as WKB. */
lb_status lb_geom_wkb_area_centroid(lb_ctx *ctx, const unsigned char *wkb, size_t wkb_size,
                                    double *area_m2, double *cx, double *cy);

#endif
