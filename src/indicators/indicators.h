/* SPDX-License-Identifier: MIT */
/* Indicator evaluation: one raw number per unit from one input, per indicator kind. */
#ifndef LB_INDICATORS_INDICATORS_H
#define LB_INDICATORS_INDICATORS_H

#include "../model/model.h"
#include "inputs.h"

/* Evaluate indicator @p ind on the cells of grid @p g. Only cells with scored[c] != 0 are
 * evaluated (others get NaN). @p out has lb_grid_ncells(g) values; NaN = missing.
 * Kinds: attribute and ratio (polygon → cell by exact area coverage), count_within,
 * nearest_distance, density (points, lines or polygons; exact Euclidean from the cell centre),
 * raster_mean (exact coverage of the cell over the raster's pixels).
 * Errors name the indicator, its model line and the input. */
lb_status lb_indicator_eval_grid(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                 const lb_grid *g, const unsigned char *scored, double *out);

/* Distribute an extensive polygon attribute (e.g. AANT_INW) over the grid by area share:
 * out[c] = Σ_p v_p · frac(p,c) · cell_area / area(p). Polygons with a missing value add
 * nothing and are counted in *n_missing. */
lb_status lb_grid_extensive(lb_ctx *ctx, const lb_vlayer *l, const lb_layer_cover *cov,
                            const lb_grid *g, const lb_field *f, double *out, size_t *n_missing);

#endif
