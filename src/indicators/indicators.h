/* SPDX-License-Identifier: MIT */
/* Indicator evaluation: one raw number per unit from one input, per indicator kind. */
#ifndef LB_INDICATORS_INDICATORS_H
#define LB_INDICATORS_INDICATORS_H

#include "../model/model.h"
#include "inputs.h"

/* Evaluate indicator @p ind at @p n cells of grid @p g: out[k] is the value at cell cells[k]
 * (NaN = missing). @p cells are cell indices of @p g in strictly ascending order; @p cell_w
 * holds the weight (inhabitants or dwellings) of every cell of the grid and is only read by
 * count_within with `per` (it may be NULL otherwise). Nothing of grid size is allocated: the
 * work and memory are proportional to the cells asked for and their neighbourhoods.
 *
 * Kinds, all from the cell centre (x, y) or over the cell square, in RD metres:
 * - attribute: intensive — coverage-weighted mean of the known values of the polygons under the
 *   cell; extensive — Σ value × (covered area / polygon area), missing when any of them is.
 *   ratio: Σ num·share / Σ den·share over polygons with both known. Exact cell coverage.
 * - count_within: features within radius_m (points by distance, lines by their nearest point,
 *   polygons when their boundary is within the radius or they contain the centre); radius 0:
 *   the features meeting the cell square, boundary included (as area mode counts those inside
 *   the unit); with `per`: count / (weight within the disc, or of the cell for radius 0) × per,
 *   the weight within the disc being Σ cell weight × exact share of the cell inside the disc;
 *   NaN when that weight is 0.
 * - nearest_distance: exact Euclidean distance to the nearest feature (0 inside a polygon),
 *   capped at cap_m.
 * - density: features (or Σ field, NaN values skipped) within radius_m per km² of the disc.
 * - share_within: polygon input — share of the disc of radius_m covered by the polygons passing
 *   filter and field = value (exact circle–polygon areas; overlapping polygons would count twice
 *   and the share is clamped to [0, 1]); raster input — mean of the band over the disc weighted
 *   by the exact area of each pixel inside the disc, nodata and pixels outside the raster left
 *   out, NaN when nothing valid remains.
 * - raster_mean: mean of the band over the cell square weighted by exact pixel overlap, nodata
 *   left out, NaN when nothing valid remains.
 * Work is spread over lb_ctx_threads(ctx) threads; the numbers do not depend on that number.
 * Returns LB_OK or an error naming the indicator, its model line and the input: LB_ERR_ARG
 * (unbound input, cells not ascending or outside the grid, NULL cell_w with per), LB_ERR_DATA
 * (wrong layer type, missing field), LB_ERR_IO / LB_ERR_CRS (reading), LB_ERR_NOMEM. */
lb_status lb_indicators_eval_cells(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                   const lb_grid *g, const uint32_t *cells, size_t n,
                                   const double *cell_w, double *out);

#endif
