/* SPDX-License-Identifier: MIT */
/* Exact fraction of each grid cell covered by a polygon (the exactextract idea). */
#ifndef LB_GRID_COVERAGE_H
#define LB_GRID_COVERAGE_H

#include "../data/coverage.h"
#include "../data/grid.h"

#include <stddef.h>
#include <stdint.h>

/* Compute the coverage of the polygon made of @p rings (shells and holes of a polygon or
 * multipolygon; shells must not overlap) over grid @p g. Cells of the polygon outside the grid
 * are left out. @p out is reset (its buffers are reused and grown as needed).
 * Σ frac × cell area equals the polygon's area inside the grid to ~1e-9 relative. A cell that
 * lies wholly inside the polygon (no edge passes through its interior; edges may run along its
 * sides) has frac exactly 1.0, and one wholly outside none: rounding never shaves a whole cell.
 * Rings must be simple; a ring whose last point differs from its first is closed implicitly.
 * @p out's buffers double as the work buffer, so they grow to the number of grid cells in the
 * polygon's bounding box and keep that size until lb_cover_free().
 * Returns LB_OK, LB_ERR_NOMEM, LB_ERR_ARG (NULL grid/output/rings, invalid grid), or
 * LB_ERR_GEOM for a ring with fewer than 4 points or non-finite coordinates (the message names
 * the ring and point index). */
lb_status lb_grid_cover_polygon(lb_ctx *ctx, const lb_grid *g, const lb_ring *rings, size_t nrings,
                                lb_cover *out);

/* Sum values per grid cell without a grid-sized array: the @p n pairs (cell[k], val[k]) become
 * the distinct cells in ascending order, cell[0 .. *n_out), each with the sum of its values in
 * val[0 .. *n_out). Each sum is taken in the pairs' order (a stable sort by cell), so it has the
 * bits of adding val[k] for k = 0, 1, ... into a zeroed array indexed by cell. Both arrays are
 * reordered and overwritten. Costs O(n) time and 12·n bytes of scratch.
 * Returns LB_OK or LB_ERR_NOMEM. */
lb_status lb_grid_cells_sum(lb_ctx *ctx, uint32_t *cell, double *val, size_t n, size_t *n_out);

#endif
