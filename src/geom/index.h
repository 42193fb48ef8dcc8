/* SPDX-License-Identifier: MIT */
/* Exact nearest-distance and within-radius queries over points, lines and polygons. */
#ifndef LB_GEOM_INDEX_H
#define LB_GEOM_INDEX_H

#include "../data/vlayer.h"

#include <stddef.h>
#include <stdint.h>

/* An index over the features of one layer: points as themselves, lines and polygon boundaries
 * as segments, polygons also by bounding box for point-in-polygon. Queries are exact
 * Euclidean in RD metres. Read-only after creation: one index may serve several threads, each
 * with its own lb_query_scratch. */
typedef struct lb_index lb_index;

/* Per-thread scratch for count queries (a visited stamp per feature). */
typedef struct lb_query_scratch {
    uint32_t *stamp;
    uint32_t tick;
    size_t n;
} lb_query_scratch;

/* Build the index for layer @p l (borrowed: the layer must outlive the index). */
lb_status lb_index_create(lb_ctx *ctx, const lb_vlayer *l, lb_index **out);

/* Free. NULL is a no-op. */
void lb_index_destroy(lb_index *ix);

/* Distance from (x, y) to the nearest feature (0 inside a polygon). */
double lb_index_nearest(const lb_index *ix, double x, double y);

/* min(@p cap_m, distance from (x, y) to the nearest feature): the same exact distance, but the
 * search stops as soon as nothing nearer than the cap can remain, so points far from the data
 * cost little. @p cap_m may be INFINITY. */
double lb_index_nearest_capped(const lb_index *ix, double x, double y, double cap_m);

/* Area in m² of the disc of radius @p r around (x, y) covered by the polygons of a polygon
 * index: exact (closed-form circle–edge terms, see lb_disc_edge_term), summed over polygons,
 * so where polygons overlap their overlap counts twice. A centre within 1e-9 m of an edge is
 * first moved 1e-8 m off it (the area changes by at most 1e-8 m × the boundary length in the
 * disc). NaN for an index that is not over polygons or a radius that is not positive. */
double lb_index_disc_area(const lb_index *ix, double x, double y, double r);

/* Number of features within @p r metres of (x, y) (a polygon containing the point counts).
 * @p feat_weight (may be NULL) gives a value per feature to sum instead of counting 1; features
 * whose value is NaN are skipped. */
double lb_index_within(const lb_index *ix, lb_query_scratch *sc, double x, double y, double r,
                       const double *feat_weight);

/* Number of features meeting the closed box [x0, x1] × [y0, y1] (points inside it or on its
 * boundary, lines crossing or touching it, polygons overlapping or containing it), or the sum of
 * @p feat_weight over them (NaN values skipped), each feature once. */
double lb_index_in_box(const lb_index *ix, lb_query_scratch *sc, double x0, double y0, double x1,
                       double y1, const double *feat_weight);

/* Initialise / free scratch for an index. */
lb_status lb_query_scratch_init(lb_ctx *ctx, const lb_index *ix, lb_query_scratch *sc);
void lb_query_scratch_free(lb_query_scratch *sc);

#endif
