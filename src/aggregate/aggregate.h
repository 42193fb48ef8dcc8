/* SPDX-License-Identifier: MIT */
/* Grid scores to polygon units: weight-weighted means with weights split by exact coverage. */
#ifndef LB_AGGREGATE_AGGREGATE_H
#define LB_AGGREGATE_AGGREGATE_H

#include "../data/coverage.h"
#include "../model/score.h"

/* Per unit: the aggregated deviations, totals and classes (from the unit's own aggregated
 * score, not a majority of cells), plus its weight and cell counts. */
typedef struct lb_unit_scores {
    lb_scores s;
    double *weight;       /* Σ_c w_c · frac(p, c) over scored cells */
    int *n_cells;         /* scored cells touching the unit */
    int *n_imputed_cells; /* of which with at least one imputed indicator */
} lb_unit_scores;

/* The coverage of the units restricted to the scored cells, polygon-major (CSR): unit p's
 * entries are [off[p], off[p+1]), each a row of the compact scores and its weight share
 * wk = w[row] · frac(p, cell), in the coverage's (ascending cell) order. Only cells with a
 * score (lbm not NaN) are kept, so every pass over it costs the scored cells, not the grid. */
typedef struct lb_unit_rows {
    size_t n_poly;
    size_t *off;
    uint32_t *row;
    double *wk;
} lb_unit_rows;

/* Restrict the layer coverage @p cov to the scored cells.
 * @param cells  ascending grid cells of the compact scores @p sc and weights @p w (row k is cell
 *               cells[k]), @p n of them; NULL: @p sc and @p w are indexed by grid cell and
 *               @p n is their length.
 * Runs on the context's threads; the result does not depend on their number. @p out belongs to
 * the caller (lb_unit_rows_free). LB_OK or LB_ERR_NOMEM. */
lb_status lb_unit_rows_build(lb_ctx *ctx, const lb_layer_cover *cov, const uint32_t *cells,
                             size_t n, const lb_scores *sc, const double *w, lb_unit_rows *out);

/* Free the arrays of @p r (not @p r itself). NULL is a no-op. */
void lb_unit_rows_free(lb_unit_rows *r);

/* dev_d(p) = Σ_c w_c f_pc dev_d(c) / Σ_c w_c f_pc over scored cells c; afw and lbm follow
 * (afw = Σ_d dev_d holds by linearity). Units without scored cells are missing (NaN, flag
 * LB_FLAG_NO_WEIGHT). @p rows from lb_unit_rows_build over the same @p sc. */
lb_status lb_aggregate(lb_ctx *ctx, const lb_model *m, double ref, const lb_unit_rows *rows,
                       const lb_scores *sc, lb_unit_scores *out);

/* Value @p j (0 ≤ j < n_values) of row @p row of the compact scores; NaN when missing. */
typedef double (*lb_aggregate_value_fn)(const void *user, size_t j, size_t row);

/* Weighted means of @p n_values cell values per unit, in one pass over @p rows, over the same
 * cells and weights as lb_aggregate: out[j][p] = Σ wk v_j / Σ wk over the entries with wk > 0
 * and a value (v_j not NaN); NaN when there is none. Each unit is summed by one thread in the
 * entries' order, so the numbers are the same for any number of threads. */
void lb_aggregate_means(lb_ctx *ctx, const lb_unit_rows *rows, size_t n_values,
                        lb_aggregate_value_fn value, const void *user, double *const *out);

void lb_unit_scores_free(lb_unit_scores *u);

#endif
