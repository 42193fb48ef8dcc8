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

/* dev_d(p) = Σ_c w_c f_pc dev_d(c) / Σ_c w_c f_pc over scored cells c; afw and lbm follow
 * (afw = Σ_d dev_d holds by linearity). Units without scored cells are missing (NaN, flag
 * LB_FLAG_NO_WEIGHT).
 * @param row_of NULL: @p sc and @p w are indexed by grid cell; else they are compact and
 *               row_of[c] (one entry per grid cell) is the entry of cell c, −1 when the cell is
 *               not among them. */
lb_status lb_aggregate(lb_ctx *ctx, const lb_model *m, double ref, const lb_layer_cover *cov,
                       const int32_t *row_of, const lb_scores *sc, const double *w,
                       lb_unit_scores *out);

/* Weighted means of any cell value per unit, over the same cells and weights as
 * lb_aggregate: out[p] = Σ w_c f_pc v_c / Σ w_c f_pc over cells with a score (sc->lbm not NaN)
 * and a value (v not NaN); NaN when there is none. @p row_of, @p sc, @p w as in
 * lb_aggregate; @p v is indexed like @p w. */
void lb_aggregate_values(const lb_layer_cover *cov, const int32_t *row_of, const lb_scores *sc,
                         const double *w, const double *v, double *out);

void lb_unit_scores_free(lb_unit_scores *u);

#endif
