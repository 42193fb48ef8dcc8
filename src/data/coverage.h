/* SPDX-License-Identifier: MIT */
/* Coverage of grid cells by polygons: a polygon's rings, one polygon's sparse coverage, and a
 * whole layer's (polygon-major and cell-major). Plain data: grid/coverage.c computes one
 * polygon's, indicators/inputs.c a layer's; aggregate and the stages read them. */
#ifndef LB_DATA_COVERAGE_H
#define LB_DATA_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

/* One ring of a polygon: @p n points as interleaved x,y (RD metres), closed (first == last).
 * Orientation does not matter; @p is_hole says whether it is an interior ring. */
typedef struct lb_ring {
    const double *xy;
    size_t n;
    int is_hole;
} lb_ring;

/* Sparse coverage of one polygon over a grid: cells with fraction > 0, ascending cell index.
 * frac[i] in (0, 1] is the share of cell cell[i]'s area inside the polygon. */
typedef struct lb_cover {
    size_t n;
    size_t cap;
    uint32_t *cell;
    double *frac;
} lb_cover;

/* Free the buffers of @p c (not @p c itself). NULL is a no-op. */
void lb_cover_free(lb_cover *c);

/* Coverage of every polygon of a layer over the run's grid, CSR: polygon p covers cells
 * cell[off[p] .. off[p+1]) with fractions frac[...]. */
typedef struct lb_layer_cover {
    size_t n_poly;
    size_t *off;
    uint32_t *cell;
    double *frac;
} lb_layer_cover;

/* The coverage of a polygon layer restricted to a list of cells, cell-major: the k-th cell of
 * the list is covered by polygons poly[off[k] .. off[k+1]) with fractions frac[...], in polygon
 * order (so sums over them have the order of a polygon-major pass). */
typedef struct lb_cells_cover {
    size_t n;
    size_t *off;
    uint32_t *poly;
    double *frac;
} lb_cells_cover;

/* Free. NULL is a no-op. */
void lb_layer_cover_destroy(lb_layer_cover *c);
void lb_cells_cover_destroy(lb_cells_cover *c);

#endif
