/* SPDX-License-Identifier: MIT */
/* Area mode: every polygon of the units is scored from its own indicators
 * (src/indicators/polygons.c), without a grid, with the same model arithmetic; one year; written as
 * scores.gpkg layer <units>, <units>.geojson, <units>.csv and run.json. The year's compact arrays
 * hold one entry per unit: w (weights), x (indicators), sc (scores). */
#include "run.h"

#include "../core/ctx.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static lb_status area_prepare(lb_ctx *ctx, score_run *r, lb_area **area)
{
    const lb_score_options *o = r->o;
    if (o->n_years > 1)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "area mode scores one year per run; run it once per year (got %zu "
                            "years)",
                            o->n_years);
    lb_status st = lb_score_plan_start(ctx, r);
    if (st != LB_OK)
        return st;
    score_year *y = &r->yr[0];
    y->timings = json_object_new_object();
    y->t_stage = lb_score_now();
    st = lb_score_plan_bind_year(ctx, r, y);
    if (st == LB_OK)
        st = lb_score_units_load(ctx, r, y);
    if (st == LB_OK && !y->units)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "area mode scores polygons: --units must name a polygon input, not "
                            "'grid'");
    if (st == LB_OK)
        st = lb_area_create(ctx, y->in, r->units_name, y->units, r->model->cell_m, area);
    if (st == LB_OK)
        lb_area_plan(*area, r->model);
    for (size_t i = 0; st == LB_OK && i < o->n_joins; i++) {
        const lb_join_spec *j = &o->joins[i];
        if (!j->input || !j->key)
            return lb_ctx_error(ctx, LB_ERR_ARG, "--join wants NAME=KEY[:UNITS_KEY]");
        if (strcmp(j->input, r->units_name) == 0)
            return lb_ctx_error(
                ctx, LB_ERR_ARG,
                "--join %s: '%s' is the units layer itself; its attributes are used "
                "as they are",
                j->input, j->input);
        if (lb_area_is_joined(*area, j->input))
            return lb_ctx_error(ctx, LB_ERR_ARG, "--join %s is given twice", j->input);
        size_t k = 0;
        while (k < y->n_src && strcmp(y->src[k].name, j->input) != 0)
            k++;
        if (k == y->n_src)
            return lb_ctx_error(
                ctx, LB_ERR_ARG,
                "--join %s=%s: no input '%s' is bound; add --input %s=TABLE.dbf|csv", j->input,
                j->key, j->input, j->input);
        st = lb_area_join(ctx, *area, j->input, j->key, j->units_key);
    }
    if (st == LB_OK)
        st = lb_score_plan_reference(ctx, r);
    return st;
}

/* Weights, indicators, scores and contributions of every unit of the one year. */
static lb_status area_score(lb_ctx *ctx, score_run *r, lb_area *a)
{
    const lb_model *m = r->model;
    score_year *y = &r->yr[0];
    size_t n = y->units->n;
    unsigned char *scored = calloc(n ? n : 1, 1);
    unsigned char *water = calloc(n ? n : 1, 1);
    y->w = malloc((n ? n : 1) * sizeof(double));
    lb_status st = LB_OK;
    if (!scored || !water || !y->w) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    size_t n_missing = 0;
    st = lb_area_weights(ctx, a, m, y->w, &n_missing);
    if (st == LB_OK && n_missing)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "weight field '%s' of '%s' is missing for %zu unit(s); they are not scored",
                   m->weight_field, m->weight_layer, n_missing);
    y->n_water = lb_score_units_water(y->units, water);
    lb_score_units_warn_water(ctx, r, y->units, water, y->n_water);
    for (size_t u = 0; st == LB_OK && u < n; u++) {
        scored[u] = (unsigned char)(!water[u] && lb_model_weight_reaches(y->w[u], m->min_weight));
        y->n_scored += scored[u];
    }
    if (st == LB_OK && y->n_scored == 0)
        st =
            lb_ctx_error(ctx, LB_ERR_DATA,
                         "no unit of '%s' reaches min_weight %g of '%s'; check the weight field",
                         y->units->path, m->min_weight, m->weight_field ? m->weight_field : "area");
    if (st != LB_OK)
        goto done;
    lb_score_year_stage(r, y, "weights");
    st = lb_score_evaluate(ctx, r, y, 0, a, n, scored);
    if (st != LB_OK)
        goto done;
    lb_score_year_stage(r, y, "indicators");
    st = lb_score_units(ctx, m, n, (const double *const *)y->x, y->w, scored,
                        r->have_fixed ? &r->fixed : NULL, &y->ref, &y->sc);
    if (st != LB_OK)
        goto done;
    for (size_t u = 0; u < n; u++)
        if (water[u])
            y->sc.flags[u] = LB_FLAG_WATER;
    y->ref.year = r->have_fixed ? r->fixed.year : y->year;
    lb_score_year_stage(r, y, "model");
    /* x_<id> is the unit's own value; c_<id> its contribution. */
    y->ux = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    y->uc = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    for (size_t i = 0; st == LB_OK && i < m->n_ind; i++) {
        if (y->ux && y->uc) {
            y->ux[i] = malloc((n ? n : 1) * sizeof(double));
            y->uc[i] = malloc((n ? n : 1) * sizeof(double));
        }
        if (!y->ux || !y->uc || !y->ux[i] || !y->uc[i]) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(y->ux[i], y->x[i], n * sizeof(double));
        lb_score_evaluate_contributions(m, i, &y->ref, y->x[i], y->sc.lbm, n, y->uc[i]);
    }
done:
    free(scored);
    free(water);
    return st;
}

lb_status lb_score_area_compute(lb_ctx *ctx, score_run *r, lb_result *res)
{
    lb_area *a = NULL;
    lb_status st = area_prepare(ctx, r, &a);
    score_year *y = r->yr; /* the one year; NULL when the plan failed early */
    if (st == LB_OK) {
        const lb_vlayer *u = y->units;
        lb_score_plan_raster_window(r, u->xmin, u->ymin, u->xmax, u->ymax);
        lb_score_stage_done(r, "read");
        y->t_stage = r->t_stage; /* the year's stages start after the read */
        st = area_score(ctx, r, a);
    }
    /* The units' coverages are done with: free them before the table's WKB is made. */
    if (y && y->in)
        lb_inputs_release_coverages(y->in);
    unsigned outputs = lb_score_options_outputs(r->o);
    if (st == LB_OK && (outputs & LB_SCORE_UNITS_OUTPUTS)) {
        const char *const ints[] = {"n_imputed", "flags"};
        const int *const vals[] = {y->sc.n_imputed, y->sc.flags};
        /* Only scores.gpkg and <units>.geojson draw the polygons: with csv alone the table goes
         * without them (T2: 79 MB of WKB, the run's largest memory after the units' rings). */
        int geometry = (outputs & (LB_OUT_GPKG | LB_OUT_GEOJSON)) != 0;
        st = lb_score_tables_units(ctx, r, y, geometry, &y->sc, y->w, 2, ints, vals, y->ux, y->uc);
    }
    if (st == LB_OK && y->units_t) {
        st = lb_result_add_table(ctx, res, r->units_name, y->units_t); /* owns it from here */
        r->units_t = st == LB_OK ? y->units_t : NULL;
        y->units_t = NULL;
    }
    lb_area_destroy(a); /* borrows the year's inputs */
    if (y) {
        lb_inputs_destroy(y->in);
        y->in = NULL;
        y->units = y->weight_layer = NULL; /* they lived in the inputs cache */
    }
    return st;
}
