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
 * disc (all nodata, or off the raster). Say so once per year, with the count and the first ids,
 * as the points outside the extent are reported: otherwise such units are imputed unnoticed.
 * Indicators missing at exactly the same units (rasters with the same gaps, or the same extent)
 * share one warning that names each of them with its input, file and band; the count is the
 * same for all of them, so nothing the separate warnings said is lost. */
enum { GAP_SHOWN = 5 };
typedef struct gap {
    size_t n_pop, n_none;
    size_t *pos; /* the n_none units (positions in x) where the indicators are missing */
    size_t *ind; /* the indicators with this gap, in model order */
    size_t n_ind;
    char ids[200]; /* the first GAP_SHOWN of them, labelled */
} gap;

typedef struct gaps {
    gap *g;
    size_t n;
} gaps;

static void gaps_free(gaps *gs)
{
    for (size_t k = 0; k < gs->n; k++) {
        free(gs->g[k].pos);
        free(gs->g[k].ind);
    }
    free(gs->g);
    gs->g = NULL;
    gs->n = 0;
}

/* Record where raster indicator @p i has no value. @p x holds the values of the @p n units
 * (grid: the scored cells, @p cells; area: every unit, @p scored marks those in the
 * population). Read before the model's own missing codes and valid range are applied. */
static lb_status gap_add(lb_ctx *ctx, const score_run *r, const score_year *y, gaps *gs, size_t i,
                         const double *x, size_t n, const uint32_t *cells,
                         const unsigned char *scored)
{
    const lb_indicator *ind = &r->model->ind[i];
    int is_raster = ind->kind == LB_KIND_RASTER_MEAN;
    if (ind->kind == LB_KIND_SHARE_WITHIN) {
        lb_status st = lb_inputs_is_raster(ctx, y->in, ind->layer, &is_raster);
        if (st != LB_OK)
            return st;
    }
    if (!is_raster)
        return LB_OK;
    size_t n_pop = 0, n_none = 0;
    for (size_t u = 0; u < n; u++)
        if (!scored || scored[u]) {
            n_pop++;
            n_none += isnan(x[u]) != 0;
        }
    if (n_none == 0)
        return LB_OK;
    size_t *pos = malloc(n_none * sizeof(size_t)), k = 0;
    if (!pos)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for %zu units", n_none);
    for (size_t u = 0; u < n; u++)
        if ((!scored || scored[u]) && isnan(x[u]))
            pos[k++] = u;
    gap *g = NULL;
    for (size_t j = 0; j < gs->n && !g; j++)
        if (gs->g[j].n_none == n_none && memcmp(gs->g[j].pos, pos, n_none * sizeof(size_t)) == 0)
            g = &gs->g[j];
    if (g) {
        free(pos);
    } else {
        gap *more = realloc(gs->g, (gs->n + 1) * sizeof(gap));
        if (!more) {
            free(pos);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
        gs->g = more;
        g = &gs->g[gs->n++];
        *g = (gap){.n_pop = n_pop, .n_none = n_none, .pos = pos};
        for (k = 0; k < n_none && k < GAP_SHOWN; k++) {
            char one[64];
            lb_score_units_label(r, y, cells, pos[k], one, sizeof(one));
            lb_core_list_append(g->ids, sizeof(g->ids), one);
        }
    }
    size_t *more = realloc(g->ind, (g->n_ind + 1) * sizeof(size_t));
    if (!more)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    g->ind = more;
    g->ind[g->n_ind++] = i;
    return LB_OK;
}

/* The warning of @p n_list indicators (named in @p list) that miss the same units. */
static void warn_shared(lb_ctx *ctx, const gap *g, const char *year, const char *what,
                        size_t n_list, const char *list, const char *fate)
{
    lb_ctx_log(ctx, LB_LOG_WARN,
               "%zu indicators%s have no valid pixel at the same %zu of %zu scored %s (%s%s): %s: "
               "nodata or outside the raster; each of them is missing there and %s",
               n_list, year, g->n_none, g->n_pop, what, g->ids,
               g->n_none > GAP_SHOWN ? ", ..." : "", list, fate);
}

/* One warning per gap: the indicator's own sentence when it is alone, else one naming each
 * indicator with its model line, input, file and band. A context keeps a message of up to 2047
 * bytes, so a gap shared by very many indicators is told in as many warnings as it takes,
 * each naming its own indicators whole. */
static void gaps_warn(lb_ctx *ctx, const score_run *r, const score_year *y, const gaps *gs,
                      int grid)
{
    enum { LIST = 1400 };
    const lb_model *m = r->model;
    char year[32] = "";
    if (r->n_years > 1 && y->year)
        snprintf(year, sizeof(year), " in %d", y->year);
    const char *what = grid ? "cell(s)" : "unit(s)";
    const char *fate = m->missing == LB_MISSING_DROP
                           ? "they are dropped (missing: drop)"
                           : "imputed with the reference mean (n_imputed, flags 1)";
    for (size_t k = 0; k < gs->n; k++) {
        const gap *g = &gs->g[k];
        if (g->n_ind == 1) {
            const lb_indicator *ind = &m->ind[g->ind[0]];
            const lb_source *src = lb_inputs_source(ctx, y->in, ind->layer);
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "indicator '%s' (model line %d)%s: %zu of %zu scored %s have no valid "
                       "pixel of input '%s' ('%s' band %d): nodata or outside the raster (%s%s); "
                       "the indicator is missing there and %s",
                       ind->id, ind->line, year, g->n_none, g->n_pop, what, ind->layer,
                       src ? src->path : "?", ind->band, g->ids,
                       g->n_none > GAP_SHOWN ? ", ..." : "", fate);
            continue;
        }
        char list[LIST] = "";
        size_t n_list = 0;
        for (size_t j = 0; j < g->n_ind; j++) {
            const lb_indicator *ind = &m->ind[g->ind[j]];
            const lb_source *src = lb_inputs_source(ctx, y->in, ind->layer);
            char item[LIST / 2];
            snprintf(item, sizeof(item), "'%s' (model line %d) of input '%s' ('%s' band %d)",
                     ind->id, ind->line, ind->layer, src ? src->path : "?", ind->band);
            if (n_list && strlen(list) + 2 + strlen(item) >= sizeof(list)) {
                warn_shared(ctx, g, year, what, n_list, list, fate);
                list[0] = '\0';
                n_list = 0;
            }
            lb_core_list_append(list, sizeof(list), item);
            n_list++;
        }
        warn_shared(ctx, g, year, what, n_list, list, fate);
    }
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
    gaps gs = {0};
    lb_status st = LB_OK;
    for (size_t i = 0; i < m->n_ind && st == LB_OK; i++) {
        y->x[i] = malloc((n ? n : 1) * sizeof(double));
        if (!y->x[i]) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        st = area ? lb_indicators_eval_polygons(ctx, &m->ind[i], area, y->x[i])
                  : lb_indicators_eval_cells(ctx, &m->ind[i], y->in, &r->grid, cells, n, y->cell_w,
                                             y->x[i]);
        if (st == LB_OK)
            st = gap_add(ctx, r, y, &gs, i, y->x[i], n, cells, scored);
        /* area mode scores one year and has always reported without the year */
        if (st != LB_OK) {
            st = area ? st : lb_score_plan_year_error(ctx, r, y, st);
            break;
        }
        screen_indicator(ctx, r, y, cells, &m->ind[i], y->x[i], n);
        release_after(m, i, y->in);
        st = indicator_progress(ctx, r, t, area != NULL, i);
    }
    if (st == LB_OK)
        gaps_warn(ctx, r, y, &gs, area == NULL);
    gaps_free(&gs);
    return st;
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
