/* SPDX-License-Identifier: MIT */
/* Weighted means of cell scores per polygon, weights split by exact coverage. The layer's
 * coverage is first cut down to the scored cells (lb_unit_rows); every mean then runs over
 * those entries only, one unit per thread at a time, in the entries' order. */
#include "aggregate.h"

#include "../core/ctx.h"
#include "../core/sorted.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Units per scheduling chunk: buurten differ a lot in size (city vs countryside). */
enum { UNIT_CHUNK = 16 };

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

void lb_unit_rows_free(lb_unit_rows *r)
{
    if (!r)
        return;
    free(r->off);
    free(r->row);
    free(r->wk);
    memset(r, 0, sizeof(*r));
}

/* The first k ≥ @p lo with cells[k] ≥ @p c (n when none); cells ascending. It gallops forward
 * from lo: a polygon's entries ascend, so consecutive look-ups land close to each other and a
 * jump to the next grid row costs log of the distance. */
static size_t seek(const uint32_t *cells, size_t n, size_t lo, uint32_t c)
{
    if (lo >= n || cells[lo] >= c)
        return lo;
    size_t step = 1, hi = lo + 1;
    while (hi < n && cells[hi] < c) {
        lo = hi;
        step *= 2;
        hi = step < n - lo ? lo + step : n;
    }
    /* cells[lo] < c; hi == n or cells[hi] >= c */
    return lb_core_lower_bound_u32(cells, lo + 1, hi, c);
}

/* Walk unit p's coverage entries whose cell has a score. @p emit NULL: only count them. */
static size_t unit_entries(const lb_layer_cover *cov, const uint32_t *cells, size_t n,
                           const lb_scores *sc, const double *w, size_t p, uint32_t *row,
                           double *wk)
{
    size_t got = 0, k = 0;
    for (size_t e = cov->off[p]; e < cov->off[p + 1]; e++) {
        uint32_t c = cov->cell[e];
        size_t r = c;
        if (cells) {
            k = seek(cells, n, k, c);
            if (k == n)
                break;
            if (cells[k] != c)
                continue;
            r = k;
        } else if (r >= n) {
            continue;
        }
        if (isnan(sc->lbm[r]))
            continue;
        if (row) {
            row[got] = (uint32_t)r;
            wk[got] = w[r] * cov->frac[e];
        }
        got++;
    }
    return got;
}

lb_status lb_unit_rows_build(lb_ctx *ctx, const lb_layer_cover *cov, const uint32_t *cells,
                             size_t n, const lb_scores *sc, const double *w, lb_unit_rows *out)
{
    memset(out, 0, sizeof(*out));
    size_t np = cov->n_poly;
    if (n > (size_t)UINT32_MAX + 1)
        return lb_ctx_error(ctx, LB_ERR_ARG, "aggregate: more than 2^32 scored cells");
    out->n_poly = np;
    out->off = calloc(np + 1, sizeof(size_t));
    if (!out->off)
        goto nomem;
    int threads = lb_ctx_threads(ctx);
#pragma omp parallel for schedule(dynamic, UNIT_CHUNK) num_threads(threads)
    for (size_t p = 0; p < np; p++)
        out->off[p + 1] = unit_entries(cov, cells, n, sc, w, p, NULL, NULL);
    for (size_t p = 0; p < np; p++)
        out->off[p + 1] += out->off[p];
    size_t total = out->off[np];
    out->row = malloc((total ? total : 1) * sizeof(uint32_t));
    out->wk = malloc((total ? total : 1) * sizeof(double));
    if (!out->row || !out->wk)
        goto nomem;
#pragma omp parallel for schedule(dynamic, UNIT_CHUNK) num_threads(threads)
    for (size_t p = 0; p < np; p++)
        unit_entries(cov, cells, n, sc, w, p, out->row + out->off[p], out->wk + out->off[p]);
    return LB_OK;
nomem:
    lb_unit_rows_free(out);
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory aggregating %zu units", np);
}

/* Unit p of lb_aggregate: counts, weight and Σ wk·dev (not yet divided). */
static void aggregate_unit(const lb_model *m, const lb_unit_rows *rows, const lb_scores *cells,
                           size_t p, lb_unit_scores *out)
{
    double sw = 0.0;
    for (size_t e = rows->off[p]; e < rows->off[p + 1]; e++) {
        size_t c = rows->row[e];
        double wk = rows->wk[e];
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
    /* Like a cell, a unit needs min_weight to be scored: a unit that only catches slivers of its
     * neighbours' populated cells (reprojection, edges that do not match) would otherwise get
     * their score. */
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

lb_status lb_aggregate(lb_ctx *ctx, const lb_model *m, double ref, const lb_unit_rows *rows,
                       const lb_scores *cells, lb_unit_scores *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = rows->n_poly;
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
    int threads = lb_ctx_threads(ctx);
#pragma omp parallel for schedule(dynamic, UNIT_CHUNK) num_threads(threads)
    for (size_t p = 0; p < n; p++)
        aggregate_unit(m, rows, cells, p, out);
    lb_scores_finish(m, ref, &out->s);
    return LB_OK;
}

void lb_aggregate_means(lb_ctx *ctx, const lb_unit_rows *rows, size_t n_values,
                        lb_aggregate_value_fn value, const void *user, double *const *out)
{
    int threads = lb_ctx_threads(ctx);
#pragma omp parallel for schedule(dynamic, UNIT_CHUNK) num_threads(threads)
    for (size_t p = 0; p < rows->n_poly; p++) {
        for (size_t j = 0; j < n_values; j++) {
            double sw = 0.0, sv = 0.0;
            for (size_t e = rows->off[p]; e < rows->off[p + 1]; e++) {
                double wk = rows->wk[e];
                if (!(wk > 0.0))
                    continue;
                double v = value(user, j, rows->row[e]);
                if (isnan(v))
                    continue;
                sw += wk;
                sv += wk * v;
            }
            out[j][p] = sw > 0.0 ? sv / sw : NAN;
        }
    }
}
