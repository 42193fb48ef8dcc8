/* SPDX-License-Identifier: MIT */
/* Weighted means of cell scores per polygon, weights split by exact coverage. */
#include "aggregate.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lb_unit_scores_free(lb_unit_scores *u)
{
    if (!u)
        return;
    lb_scores_free(&u->s);
    free(u->weight);
    free(u->n_cells);
    free(u->n_imputed_cells);
    memset(u, 0, sizeof(*u));
}

/* Entry of grid cell @p c in the scores: through the cell → row map, or the cell itself. */
static long entry_of(const int32_t *row_of, uint32_t c)
{
    return row_of ? (long)row_of[c] : (long)c;
}

void lb_aggregate_values(const lb_layer_cover *cov, const int32_t *row_of, const lb_scores *sc,
                         const double *w, const double *v, double *out)
{
    for (size_t p = 0; p < cov->n_poly; p++) {
        double sw = 0.0, sv = 0.0;
        for (size_t k = cov->off[p]; k < cov->off[p + 1]; k++) {
            long e = entry_of(row_of, cov->cell[k]);
            if (e < 0 || isnan(sc->lbm[e]) || isnan(v[e]))
                continue;
            double wk = w[e] * cov->frac[k];
            if (!(wk > 0.0))
                continue;
            sw += wk;
            sv += wk * v[e];
        }
        out[p] = sw > 0.0 ? sv / sw : NAN;
    }
}

lb_status lb_aggregate(lb_ctx *ctx, const lb_model *m, double ref, const lb_layer_cover *cov,
                       const int32_t *row_of, const lb_scores *cells, const double *cell_w,
                       lb_unit_scores *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = cov->n_poly;
    lb_status st = lb_scores_alloc(ctx, n, m->n_dims, &out->s);
    if (st != LB_OK)
        return st;
    out->weight = calloc(n ? n : 1, sizeof(double));
    out->n_cells = calloc(n ? n : 1, sizeof(int));
    out->n_imputed_cells = calloc(n ? n : 1, sizeof(int));
    if (!out->weight || !out->n_cells || !out->n_imputed_cells) {
        lb_unit_scores_free(out);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory aggregating %zu units", n);
    }
    for (size_t p = 0; p < n; p++) {
        double sw = 0.0;
        for (size_t k = cov->off[p]; k < cov->off[p + 1]; k++) {
            long c = entry_of(row_of, cov->cell[k]);
            if (c < 0 || isnan(cells->lbm[c]))
                continue;
            double wk = cell_w[c] * cov->frac[k];
            out->n_cells[p]++;
            if (cells->flags[c] & LB_FLAG_IMPUTED)
                out->n_imputed_cells[p]++;
            if (!(wk > 0.0))
                continue;
            sw += wk;
            for (size_t d = 0; d < m->n_dims; d++) {
                if (isnan(out->s.dev[d][p]))
                    out->s.dev[d][p] = 0.0;
                out->s.dev[d][p] += wk * cells->dev[d][c];
            }
        }
        out->weight[p] = sw;
        out->s.n_imputed[p] = out->n_imputed_cells[p];
        /* Like a cell, a unit needs min_weight to be scored: a unit that only catches slivers
         * of its neighbours' populated cells (reprojection, edges that do not match) would
         * otherwise get their score. */
        if (lb_model_weight_reaches(sw, m->min_weight)) {
            for (size_t d = 0; d < m->n_dims; d++)
                out->s.dev[d][p] /= sw;
            if (out->n_imputed_cells[p])
                out->s.flags[p] |= LB_FLAG_IMPUTED;
        } else {
            for (size_t d = 0; d < m->n_dims; d++)
                out->s.dev[d][p] = NAN;
            out->s.flags[p] |= LB_FLAG_NO_WEIGHT;
        }
    }
    lb_scores_finish(m, ref, &out->s);
    return LB_OK;
}
