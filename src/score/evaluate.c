/* SPDX-License-Identifier: MIT */
/* The indicators of one year, on the grid's scored cells or on the units' polygons: evaluated,
 * screened for the model's missing codes and valid ranges, raster gaps warned about; and the
 * contributions β·f(x) that the output tables carry per indicator. */
#include "run.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model's own missing values of indicator @p ind among the @p n raw values @p x: its
 * missing_codes, and values outside its valid range, become NaN (missing, then imputed or
 * dropped like any missing value). Out-of-range values get one warning naming the indicator,
 * its field, the count and the first units with their values. */
static void screen_indicator(lb_ctx *ctx, const score_run *r, const score_year *y,
                             const uint32_t *cells, const lb_indicator *ind, double *x, size_t n)
{
    if (!ind->n_missing_codes && !ind->has_valid)
        return;
    size_t n_codes = 0, n_out = 0;
    char list[384] = "";
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k]))
            continue;
        int code = 0;
        for (size_t j = 0; j < ind->n_missing_codes && !code; j++)
            code = x[k] == ind->missing_codes[j];
        if (code) {
            x[k] = NAN;
            n_codes++;
            continue;
        }
        if (!ind->has_valid || (x[k] >= ind->valid_lo && x[k] <= ind->valid_hi))
            continue;
        if (n_out < 5) {
            char who[64], item[128];
            lb_score_units_label(r, y, cells, k, who, sizeof(who));
            snprintf(item, sizeof(item), "%s = %.15g", who, x[k]);
            lb_core_list_append(list, sizeof(list), item);
        }
        x[k] = NAN;
        n_out++;
    }
    const char *field = ind->field ? ind->field : ind->numerator ? ind->numerator : ind->layer;
    if (n_codes)
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "indicator '%s' (field '%s' of '%s'): %zu value(s) are one of the model's "
                   "missing_codes and count as missing",
                   ind->id, field, ind->layer, n_codes);
    if (n_out)
        lb_ctx_log(
            ctx, LB_LOG_WARN,
            "indicator '%s' (field '%s' of '%s'): %zu value(s) outside valid [%g, %g] count as "
            "missing: %s%s",
            ind->id, field, ind->layer, n_out, ind->valid_lo, ind->valid_hi, list,
            n_out > 5 ? ", ..." : "");
}

/* After indicator @p i: free the rasters of its input when no later indicator reads it. */
static void release_after(const lb_model *m, size_t i, lb_inputs *in)
{
    const char *layer = m->ind[i].layer;
    if (!layer)
        return;
    for (size_t j = i + 1; j < m->n_ind; j++)
        if (m->ind[j].layer && strcmp(m->ind[j].layer, layer) == 0)
            return;
    lb_inputs_release_rasters(in, layer);
}

/* A raster indicator is missing only where no valid pixel lies under the cell, the unit or its
 * disc (all nodata, or off the raster). Say so once per indicator and year, with the count and
 * the first ids, as the points outside the extent are reported: otherwise such units are
 * imputed unnoticed. @p x holds the values of the @p n units (grid: the scored cells, @p cells;
 * area: every unit, @p scored marks those in the population). */
static lb_status warn_no_pixel(lb_ctx *ctx, const score_run *r, const score_year *y, size_t i,
                               const double *x, size_t n, const uint32_t *cells,
                               const unsigned char *scored)
{
    const lb_model *m = r->model;
    const lb_indicator *ind = &m->ind[i];
    int is_raster = ind->kind == LB_KIND_RASTER_MEAN;
    if (ind->kind == LB_KIND_SHARE_WITHIN) {
        lb_status st = lb_inputs_is_raster(ctx, y->in, ind->layer, &is_raster);
        if (st != LB_OK)
            return st;
    }
    if (!is_raster)
        return LB_OK;
    enum { SHOWN = 5 };
    size_t n_pop = 0, n_none = 0;
    char ids[200] = "";
    for (size_t u = 0; u < n; u++) {
        if (scored && !scored[u])
            continue;
        n_pop++;
        if (!isnan(x[u]))
            continue;
        if (n_none++ < SHOWN) {
            char one[64];
            lb_score_units_label(r, y, cells, u, one, sizeof(one));
            lb_core_list_append(ids, sizeof(ids), one);
        }
    }
    if (n_none == 0)
        return LB_OK;
    const lb_source *src = lb_inputs_source(ctx, y->in, ind->layer);
    char year[32] = "";
    if (r->n_years > 1 && y->year)
        snprintf(year, sizeof(year), " in %d", y->year);
    lb_ctx_log(ctx, LB_LOG_WARN,
               "indicator '%s' (model line %d)%s: %zu of %zu scored %s have no valid pixel of "
               "input '%s' ('%s' band %d): nodata or outside the raster (%s%s); the indicator is "
               "missing there and %s",
               ind->id, ind->line, year, n_none, n_pop, cells ? "cell(s)" : "unit(s)", ind->layer,
               src ? src->path : "?", ind->band, ids, n_none > SHOWN ? ", ..." : "",
               m->missing == LB_MISSING_DROP
                   ? "they are dropped (missing: drop)"
                   : "imputed with the reference mean (n_imputed, flags 1)");
    return LB_OK;
}

/* Progress of indicator @p i of year @p t: grid years share 0.05 … 0.90 of the run (see
 * lb_score_year_progress); the one year of area mode takes 0.1 … 0.8. */
static lb_status indicator_progress(lb_ctx *ctx, const score_run *r, size_t t, int area, size_t i)
{
    double n = (double)r->model->n_ind;
    if (area)
        return lb_ctx_progress(ctx, 0.1 + 0.7 * (double)(i + 1) / n, "indicators");
    return lb_score_year_progress(ctx, r, t, 0.05 + 0.65 * (double)(i + 1) / n, "indicators");
}

lb_status lb_score_evaluate(lb_ctx *ctx, score_run *r, score_year *y, size_t t, lb_area *area,
                            size_t n, const unsigned char *scored)
{
    const lb_model *m = r->model;
    const uint32_t *cells = area ? NULL : y->cells;
    if (!y->x && !(y->x = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *))))
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->n_ind; i++) {
        y->x[i] = malloc((n ? n : 1) * sizeof(double));
        if (!y->x[i])
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        lb_status st = area ? lb_indicators_eval_polygons(ctx, &m->ind[i], area, y->x[i])
                            : lb_indicators_eval_cells(ctx, &m->ind[i], y->in, &r->grid, cells, n,
                                                       y->cell_w, y->x[i]);
        if (st == LB_OK)
            st = warn_no_pixel(ctx, r, y, i, y->x[i], n, cells, scored);
        /* area mode scores one year and has always reported without the year */
        if (st != LB_OK)
            return area ? st : lb_score_plan_year_error(ctx, r, y, st);
        screen_indicator(ctx, r, y, cells, &m->ind[i], y->x[i], n);
        release_after(m, i, y->in);
        st = indicator_progress(ctx, r, t, area != NULL, i);
        if (st != LB_OK)
            return st;
    }
    return LB_OK;
}

void lb_score_evaluate_contributions(const lb_model *m, size_t i, const lb_reference *ref,
                                     const double *x, const double *lbm, size_t n, double *out)
{
    const lb_indicator *ind = &m->ind[i];
    for (size_t k = 0; k < n; k++)
        out[k] = lbm && isnan(lbm[k])
                     ? NAN
                     : lb_model_contribution(ind, lb_model_transform_pre(&ind->tf, x[k]),
                                             ref->ind_mean[i], ref->ind_sd[i]);
}
