/* SPDX-License-Identifier: MIT */
/* Grid mode: per year the cell weights from the weight layer (checked against the layer's
 * total), the indicators on the scored cells, the model, and the aggregation to the units with
 * each indicator's mean raw value and contribution; then the years' rows as one units table and
 * one grid table, and per year the score and class rasters, filled from the kept scores. */
#include "run.h"

#include "../core/ctx.h"
#include "../grid/coverage.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_fid(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The weight that features of the weight layer without a geometry hold (the reader skipped
 * them): read the layer's rows again, only when it skipped some, and warn with their ids. */
static lb_status weight_without_geometry(lb_ctx *ctx, score_run *r, score_year *y, double *lost)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->weight_layer;
    *lost = 0.0;
    /* Several files: their feature ids overlap, so the rows cannot be matched to the layer's
     * features; the reader has named each file's features without a geometry already. */
    if (!m->weight_field || l->n_skipped == l->n_outside ||
        lb_inputs_files(y->in, m->weight_layer) > 1)
        return LB_OK;
    const lb_source *src = lb_inputs_source(ctx, y->in, m->weight_layer);
    lb_vlayer *t = NULL;
    int64_t *fids = malloc(l->n * sizeof(int64_t));
    lb_status st = !src ? LB_ERR_ARG : fids ? lb_vlayer_read_table(ctx, src, &t) : LB_ERR_NOMEM;
    const lb_field *f = st == LB_OK ? lb_vlayer_field(ctx, t, m->weight_field) : NULL;
    if (st == LB_OK && !f)
        st = LB_ERR_DATA;
    if (st != LB_OK) {
        if (st == LB_ERR_NOMEM)
            lb_ctx_error(ctx, st, "out of memory");
        goto done;
    }
    memcpy(fids, l->fid, l->n * sizeof(int64_t));
    qsort(fids, l->n, sizeof(int64_t), cmp_fid);
    size_t n = 0;
    char ids[200] = "";
    for (size_t k = 0; k < t->n; k++) {
        if (bsearch(&t->fid[k], fids, l->n, sizeof(int64_t), cmp_fid) || !isfinite(f->num[k]))
            continue;
        if (f->num[k] != 0.0 && ++n <= 5) {
            char one[48];
            snprintf(one, sizeof(one), "%lld (%g)", (long long)t->fid[k], f->num[k]);
            lb_core_list_append(ids, sizeof(ids), one);
        }
        *lost += f->num[k];
    }
    if (n)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "weight layer '%s' ('%s'): %zu feature(s) without a geometry hold %.10g of "
                   "'%s', which no cell and no unit receives (features %s%s); give them a "
                   "geometry or leave them out of the layer",
                   l->name, l->path, n, *lost, m->weight_field, ids, n > 5 ? ", ..." : "");
done:
    free(fids);
    lb_vlayer_destroy(t);
    return st;
}

/* Σ cell weights must be the weight the layer's polygons hold inside the grid. A polygon whose
 * rings disagree with its area (an invalid one that was not repaired) or that has no area
 * gives more or less than it holds; name the difference and the first such polygons. */
static void check_weight_total(lb_ctx *ctx, score_run *r, score_year *y, const lb_layer_cover *cov,
                               double lost, const double *wval, size_t n_wcells)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->weight_layer;
    const lb_field *f = m->weight_field ? lb_vlayer_field(ctx, l, m->weight_field) : NULL;
    const lb_grid *g = &r->grid;
    double cell_area = g->cell_m * g->cell_m;
    double gx1 = g->x0 + g->nx * g->cell_m, gy1 = g->y0 + g->ny * g->cell_m;
    double want = 0.0, got = 0.0;
    size_t n_bad = 0;
    char ids[200] = "";
    for (size_t k = 0; k < n_wcells; k++) /* ascending cells: a sum over the grid without zeros */
        got += wval[k];
    for (size_t p = 0; p < l->n; p++) {
        double v = f ? f->num[p] : l->area_m2[p] / cell_area;
        if (!isfinite(v) || v == 0.0)
            continue;
        double covered = 0.0;
        for (size_t k = cov->off[p]; k < cov->off[p + 1]; k++)
            covered += cov->frac[k] * cell_area;
        int inside = 1;
        for (size_t k = l->ring_start[p]; k < l->ring_start[p + 1]; k++)
            for (size_t q = l->ring_pt_start[k]; q < l->ring_pt_start[k + 1]; q++) {
                double x = l->ring_xy[2 * q], yy = l->ring_xy[2 * q + 1];
                inside &= x >= g->x0 && x <= gx1 && yy >= g->y0 && yy <= gy1;
            }
        /* a polygon reaching beyond the grid gives only the share inside it */
        want += inside || !(l->area_m2[p] > 0.0) ? v : v * covered / l->area_m2[p];
        if (inside && !(fabs(covered - l->area_m2[p]) <= 1e-6 * fmax(covered, l->area_m2[p]))) {
            if (++n_bad <= 5) {
                char one[96];
                snprintf(one, sizeof(one), "%lld (area %.6g m2, covered %.6g m2)",
                         (long long)l->fid[p], l->area_m2[p], covered);
                lb_core_list_append(ids, sizeof(ids), one);
            }
        }
    }
    y->weight_input = want + lost;
    y->weight_grid = got;
    if (fabs(got - want) <= 1e-9 * fmax(fabs(want), 1.0) && n_bad == 0)
        return;
    lb_ctx_log(
        ctx, LB_LOG_WARN,
        "weight layer '%s' ('%s'): the grid cells hold %.10g of '%s' but its polygons in the "
        "grid hold %.10g (difference %.6g); %zu polygon(s) whose area differs from their "
        "cells' coverage%s%s%s",
        l->name, l->path, got, m->weight_field ? m->weight_field : "area", want, got - want, n_bad,
        n_bad ? ": features " : "", ids, n_bad > 5 ? ", ..." : "");
}

/* Whether an indicator reads the weights of the whole grid (a count per weight within a
 * radius sums the weight of the disc around each cell). */
static int needs_grid_weights(const lb_model *m)
{
    for (size_t i = 0; i < m->n_ind; i++)
        if (m->ind[i].kind == LB_KIND_COUNT_WITHIN && m->ind[i].per > 0.0)
            return 1;
    return 0;
}

/* The weight of every cell the weight layer covers: its coverage entries' shares of the weight
 * (or area), summed per cell in polygon order. *@p cell and *@p val (the caller frees them)
 * hold the *@p n cells ascending and their weights; no array spans the grid, so the cost is
 * the layer's, not the box's. */
static lb_status cell_weights(lb_ctx *ctx, score_run *r, score_year *y, const lb_layer_cover *cov,
                              uint32_t **cell, double **val, size_t *n, size_t *n_missing)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->weight_layer;
    size_t ne = cov->off[cov->n_poly], k = 0;
    uint32_t *wc = malloc((ne ? ne : 1) * sizeof(uint32_t));
    double *wv = malloc((ne ? ne : 1) * sizeof(double));
    if (!wc || !wv) {
        free(wc);
        free(wv);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the weights of %zu cells", ne);
    }
    *n_missing = 0;
    const lb_field *f = m->weight_field ? lb_vlayer_field(ctx, l, m->weight_field) : NULL;
    double cell_area = r->grid.cell_m * r->grid.cell_m;
    for (size_t p = 0; p < cov->n_poly; p++) {
        double per_m2 = 1.0;
        if (f) {
            double v = f->num[p];
            if (isnan(v)) {
                (*n_missing)++;
                continue;
            }
            if (!(l->area_m2[p] > 0.0))
                continue;
            per_m2 = v / l->area_m2[p];
        }
        /* the same products as a pass over a grid array: share of the weight, or of the area */
        for (size_t e = cov->off[p]; e < cov->off[p + 1]; e++, k++) {
            wc[k] = cov->cell[e];
            wv[k] = f ? per_m2 * cov->frac[e] * cell_area : cov->frac[e];
        }
    }
    lb_status st = lb_grid_cells_sum(ctx, wc, wv, k, n);
    if (st != LB_OK) {
        free(wc);
        free(wv);
        return st;
    }
    *cell = wc;
    *val = wv;
    return LB_OK;
}

/* Cell weights (inhabitants, dwellings or area share) and the scored cells of year @p y. */
static lb_status weights(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    const lb_layer_cover *cov = NULL;
    uint32_t *wcell = NULL;
    double *wval = NULL;
    size_t nw = 0, n_missing = 0;
    lb_status st = lb_inputs_coverage(ctx, y->in, m->weight_layer, &r->grid, &cov);
    if (st == LB_OK && m->weight_field && !lb_vlayer_field(ctx, y->weight_layer, m->weight_field))
        st = LB_ERR_DATA;
    if (st == LB_OK)
        st = cell_weights(ctx, r, y, cov, &wcell, &wval, &nw, &n_missing);
    if (st != LB_OK)
        return lb_score_plan_year_error(ctx, r, y, st);
    if (n_missing)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "weight field '%s' of '%s' is missing in %zu feature(s); their cells are not "
                   "scored",
                   m->weight_field, y->weight_layer->path, n_missing);
    double lost = 0.0;
    st = weight_without_geometry(ctx, r, y, &lost);
    if (st != LB_OK) {
        st = lb_score_plan_year_error(ctx, r, y, st);
        goto done;
    }
    y->weight_lost = lost;
    check_weight_total(ctx, r, y, cov, lost, wval, nw);
    for (size_t k = 0; k < nw; k++)
        y->n_scored += (size_t)lb_model_weight_reaches(wval[k], m->min_weight);
    if (y->n_scored == 0) {
        st = lb_score_plan_year_error(
            ctx, r, y,
            lb_ctx_error(ctx, LB_ERR_DATA,
                         "no grid cell reaches min_weight %g of '%s' from '%s'; check "
                         "the weight field",
                         m->min_weight, m->weight_field ? m->weight_field : "area",
                         y->weight_layer->path));
        goto done;
    }
    y->cells = malloc(y->n_scored * sizeof(uint32_t));
    y->w = malloc(y->n_scored * sizeof(double));
    size_t ng = lb_grid_ncells(&r->grid);
    if (needs_grid_weights(m))
        y->cell_w = calloc(ng ? ng : 1, sizeof(double));
    if (!y->cells || !y->w || (needs_grid_weights(m) && !y->cell_w)) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for %zu scored cells", y->n_scored);
        goto done;
    }
    size_t k = 0;
    for (size_t j = 0; j < nw; j++) {
        if (y->cell_w)
            y->cell_w[wcell[j]] = wval[j];
        if (lb_model_weight_reaches(wval[j], m->min_weight)) {
            y->cells[k] = wcell[j];
            y->w[k++] = wval[j];
        }
    }
done:
    free(wcell);
    free(wval);
    return st;
}

/* The indicators on the year's scored cells; the whole grid's weights are freed afterwards. */
static lb_status indicators(lb_ctx *ctx, score_run *r, score_year *y, size_t t)
{
    lb_status st = lb_score_evaluate(ctx, r, y, t, NULL, y->n_scored, NULL);
    free(y->cell_w);
    y->cell_w = NULL;
    return st;
}

static lb_status copy_reference(lb_ctx *ctx, const lb_reference *a, lb_reference *b)
{
    lb_status st = lb_reference_alloc(ctx, a->n_dims, a->n_ind, b);
    if (st != LB_OK)
        return st;
    b->ref = a->ref;
    b->year = a->year;
    memcpy(b->means, a->means, a->n_dims * sizeof(double));
    memcpy(b->ind_mean, a->ind_mean, a->n_ind * sizeof(double));
    memcpy(b->ind_sd, a->ind_sd, a->n_ind * sizeof(double));
    return LB_OK;
}

/* Score the year's cells against the fixed reference when there is one (else its own
 * population); in fixed mode the first year scored becomes the reference of the others. */
static lb_status model(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    unsigned char *all = malloc(y->n_scored);
    if (!all)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    memset(all, 1, y->n_scored);
    lb_status st = lb_score_units(ctx, m, y->n_scored, (const double *const *)y->x, y->w, all,
                                  r->have_fixed ? &r->fixed : NULL, &y->ref, &y->sc);
    free(all);
    if (st != LB_OK)
        return lb_score_plan_year_error(ctx, r, y, st);
    y->ref.year = r->have_fixed ? r->fixed.year : y->year;
    if (m->ref_mode == LB_REF_FIXED && !r->have_fixed) {
        st = copy_reference(ctx, &y->ref, &r->fixed);
        r->have_fixed = st == LB_OK;
    }
    return st;
}

/* A unit of the weight layer itself whose own weight is 0 (a buurt without inhabitants)
 * holds nobody: what it aggregates are slivers of its neighbours' cells, so it is not scored
 * (flag no weight), whatever those slivers add up to. Counted in a warning. */
static void unscore_empty_units(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    if (!m->weight_field || strcmp(r->units_name, m->weight_layer) != 0 || !y->units)
        return;
    const lb_field *f = lb_vlayer_field(ctx, y->units, m->weight_field);
    lb_unit_scores *u = &y->unit;
    size_t n = 0;
    for (size_t p = 0; f && p < u->s.n; p++) {
        if (!(f->num[p] == 0.0) || isnan(u->s.lbm[p]))
            continue;
        for (size_t d = 0; d < m->n_dims; d++)
            u->s.dev[d][p] = NAN;
        for (size_t i = 0; i < m->n_ind; i++)
            y->ux[i][p] = y->uc[i][p] = NAN;
        u->s.flags[p] |= LB_FLAG_NO_WEIGHT;
        n++;
    }
    if (!n)
        return;
    lb_scores_finish(m, y->ref.ref, &u->s);
    lb_ctx_log(
        ctx, LB_LOG_WARN,
        "%zu unit(s) of '%s' with %s 0 are not scored: the weight they catch comes only from "
        "slivers of their neighbours' cells",
        n, y->units->path, m->weight_field);
}

/* Grid mode: a water-only unit of the Wijk- en Buurtkaart (WATER = JA) is not scored either
 * (flag water, counted and warned as in area mode); its cells keep whatever their weight says.
 * Out of memory leaves the units as they are. */
static void unscore_water_units(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    lb_unit_scores *u = &y->unit;
    if (!y->units || y->units->n != u->s.n)
        return;
    unsigned char *water = calloc(u->s.n ? u->s.n : 1, 1);
    if (!water)
        return;
    y->n_water = lb_score_units_water(y->units, water);
    for (size_t p = 0; y->n_water && p < u->s.n; p++) {
        if (!water[p])
            continue;
        for (size_t d = 0; d < m->n_dims; d++)
            u->s.dev[d][p] = NAN;
        for (size_t i = 0; i < m->n_ind; i++)
            y->ux[i][p] = y->uc[i][p] = NAN;
        u->s.flags[p] = LB_FLAG_WATER;
        u->s.n_imputed[p] = 0;
    }
    if (y->n_water) {
        lb_scores_finish(m, y->ref.ref, &u->s);
        lb_score_units_warn_water(ctx, r, y->units, water, y->n_water);
    }
    free(water);
}

/* Value j of lb_aggregate_means for the units: the n_ind raw values x_<id>, then the n_ind
 * contributions c_<id> (as lb_score_evaluate_contributions computes them, per row). */
typedef struct unit_values {
    const lb_model *m;
    const lb_reference *ref;
    double *const *x;
} unit_values;

static double unit_value(const void *user, size_t j, size_t row)
{
    const unit_values *u = user;
    size_t n_ind = u->m->n_ind;
    if (j < n_ind)
        return u->x[j][row];
    size_t i = j - n_ind;
    const lb_indicator *ind = &u->m->ind[i];
    return lb_model_contribution(ind, lb_model_transform_pre(&ind->tf, u->x[i][row]),
                                 u->ref->ind_mean[i], u->ref->ind_sd[i]);
}

/* Units: the aggregated scores, and per indicator the weighted mean raw value (x_<id>) and
 * contribution (c_<id>) over the same cells and weights, so Σ_{i∈d} c_i − M_d = dev_d. All of
 * it over the units' coverage cut down to the scored cells, the means in one pass. */
static lb_status aggregate(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    const lb_layer_cover *cov = NULL;
    lb_unit_rows rows = {0};
    double **means = NULL;
    lb_status st = lb_inputs_coverage(ctx, y->in, r->units_name, &r->grid, &cov);
    if (st == LB_OK)
        st = lb_unit_rows_build(ctx, cov, y->cells, y->n_scored, &y->sc, y->w, &rows);
    if (st == LB_OK)
        st = lb_aggregate(ctx, m, y->ref.ref, &rows, &y->sc, &y->unit);
    if (st != LB_OK) {
        st = lb_score_plan_year_error(ctx, r, y, st);
        goto done;
    }
    size_t nu = cov->n_poly ? cov->n_poly : 1, ni = m->n_ind;
    y->ux = calloc(ni ? ni : 1, sizeof(double *));
    y->uc = calloc(ni ? ni : 1, sizeof(double *));
    means = calloc(2 * ni + 1, sizeof(double *));
    if (!y->ux || !y->uc || !means)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < ni; i++) {
        y->ux[i] = means[i] = malloc(nu * sizeof(double));
        y->uc[i] = means[ni + i] = malloc(nu * sizeof(double));
        if (!y->ux[i] || !y->uc[i])
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK) {
        unit_values uv = {m, &y->ref, y->x};
        lb_aggregate_means(ctx, &rows, 2 * ni, unit_value, &uv, means);
        unscore_empty_units(ctx, r, y);
        unscore_water_units(ctx, r, y);
    }
done:
    free(means);
    lb_unit_rows_free(&rows);
    return st;
}

/* Score year t of the run and make its rows; frees its heavy arrays afterwards (the cells and
 * scores stay for the rasters). */
static lb_status grid_year(lb_ctx *ctx, score_run *r, size_t t)
{
    score_year *y = &r->yr[t];
    if (!r->single)
        lb_ctx_log(ctx, LB_LOG_INFO, "scoring %d", y->year);
    y->t_stage = lb_score_now();
    lb_status st = weights(ctx, r, y);
    if (st == LB_OK) {
        lb_score_year_stage(r, y, "grid_weights");
        st = indicators(ctx, r, y, t);
    }
    if (st == LB_OK) {
        lb_score_year_stage(r, y, "indicators");
        st = model(ctx, r, y);
    }
    if (st == LB_OK)
        lb_score_year_stage(r, y, "model");
    if (st == LB_OK && y->units) {
        st = aggregate(ctx, r, y);
        if (st == LB_OK)
            lb_score_year_stage(r, y, "aggregate");
    }
    if (st == LB_OK)
        st = lb_score_year_progress(ctx, r, t, 0.8, "writing");
    unsigned want = lb_score_options_outputs(r->o);
    int grid_units = !y->units; /* --units grid: grid.csv is the cells' table */
    if (st == LB_OK && y->units && (want & LB_SCORE_UNITS_OUTPUTS)) {
        const char *const ints[] = {"n_cells", "n_imputed", "flags"};
        const int *const vals[] = {y->unit.n_cells, y->unit.n_imputed_cells, y->unit.s.flags};
        st = lb_score_tables_units(ctx, r, y, 1, &y->unit.s, y->unit.weight, 3, ints, vals, y->ux,
                                   y->uc);
    }
    if (st == LB_OK)
        lb_score_provenance_year_counts(y);
    /* The year's inputs (layers, indices, coverages) and its indicator and unit values are no
     * longer needed: freed before the grid table is made, so that its columns reuse their
     * memory instead of faulting in fresh pages (T2: 5-19 ms per column of 449k cells). */
    lb_inputs_destroy(y->in);
    y->in = NULL;
    y->units = y->weight_layer = NULL; /* they lived in the inputs cache */
    lb_score_year_free_values(y, r->model->n_ind);
    if (st == LB_OK && ((want & LB_OUT_GRID) || (grid_units && (want & LB_OUT_CSV))))
        st = lb_score_tables_grid(ctx, r, y, (want & LB_OUT_GRID) != 0);
    if (st == LB_OK)
        lb_score_year_stage(r, y, "write");
    lb_score_year_free_arrays(y, r->model->n_ind, r->rasters);
    return st;
}

/* The years in ascending order: indices into r->yr (which is in scoring order). Caller
 * frees; NULL when out of memory. */
static size_t *ascending_years(const score_run *r)
{
    size_t *order = malloc((r->n_years ? r->n_years : 1) * sizeof(size_t));
    for (size_t t = 0; order && t < r->n_years; t++) {
        size_t k = t;
        while (k > 0 && r->yr[order[k - 1]].year > r->yr[t].year) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = t;
    }
    return order;
}

/* All years' rows of one kind (@p units: the units tables, else the grid tables) as one table
 * named @p name in @p res, rows in ascending year order; *@p kept borrows it. The years' tables
 * are taken: moved into it (one year) or emptied into it and freed. Nothing when the years have no
 * such table. */
static lb_status join_years(lb_ctx *ctx, score_run *r, lb_result *res, const size_t *order,
                            int units, const char *name, lb_table **kept)
{
    lb_table **parts = calloc(r->n_years ? r->n_years : 1, sizeof(*parts));
    lb_table *t = NULL;
    lb_status st = parts ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == LB_OK && k < r->n_years; k++) {
        score_year *y = &r->yr[order[k]];
        lb_table **own = units ? &y->units_t : &y->grid_t;
        parts[k] = *own; /* the years' tables are the join's from here */
        *own = NULL;
    }
    if (st == LB_OK && r->n_years && parts[0])
        st = lb_score_tables_concat(ctx, parts, r->n_years, &t);
    if (st == LB_OK && t) {
        st = lb_result_add_table(ctx, res, name, t); /* owns t, also on failure */
        *kept = st == LB_OK ? t : NULL;
    }
    for (size_t k = 0; parts && k < r->n_years; k++)
        lb_table_destroy(parts[k]);
    free(parts);
    return st;
}

/* Band @p band of raster scores_<year> (lbm, then the dimensions) or class_<year> (the class,
 * NaN where none) over the whole grid, from the year's compact cells. */
static lb_status fill_scores(lb_ctx *ctx, const lb_raster *ra, size_t band, float *out, void *user)
{
    (void)ctx;
    const score_year *y = user;
    const double *v = band == 0 ? y->sc.lbm : y->sc.dev[band - 1];
    for (size_t c = 0; c < ra->nx * ra->ny; c++)
        out[c] = NAN;
    for (size_t k = 0; k < y->n_scored; k++)
        out[y->cells[k]] = (float)v[k];
    return LB_OK;
}

static lb_status fill_class(lb_ctx *ctx, const lb_raster *ra, size_t band, float *out, void *user)
{
    (void)ctx;
    (void)band;
    const score_year *y = user;
    for (size_t c = 0; c < ra->nx * ra->ny; c++)
        out[c] = NAN;
    for (size_t k = 0; k < y->n_scored; k++)
        if (y->sc.kscore[k])
            out[y->cells[k]] = (float)y->sc.kscore[k];
    return LB_OK;
}

/* The rasters of every year into @p res, in ascending year order. */
static lb_status add_rasters(lb_ctx *ctx, score_run *r, lb_result *res, const size_t *order)
{
    const lb_model *m = r->model;
    size_t nb = 1 + m->n_dims;
    const char **names = calloc(nb, sizeof(char *));
    if (!names)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t b = 0; b < nb; b++)
        names[b] = b == 0 ? "lbm" : m->dims[b - 1].code;
    double gt[6];
    lb_grid_geotransform(&r->grid, gt);
    const char *const class_band[] = {"class"};
    lb_status st = LB_OK;
    for (size_t k = 0; st == LB_OK && k < r->n_years; k++) {
        score_year *y = &r->yr[order[k]];
        char sname[32] = "scores", cname[32] = "class";
        if (y->year) {
            snprintf(sname, sizeof(sname), "scores_%d", y->year);
            snprintf(cname, sizeof(cname), "class_%d", y->year);
        }
        st = lb_result_add_raster(ctx, res, sname, (size_t)r->grid.nx, (size_t)r->grid.ny, gt, nb,
                                  names, fill_scores, y, NULL);
        if (st == LB_OK)
            st = lb_result_add_raster(ctx, res, cname, (size_t)r->grid.nx, (size_t)r->grid.ny, gt,
                                      1, class_band, fill_class, y, NULL);
    }
    free(names);
    return st;
}

lb_status lb_score_grid_compute(lb_ctx *ctx, score_run *r, lb_result *res)
{
    r->rasters = (lb_score_options_outputs(r->o) & LB_OUT_TIF) != 0;
    lb_status st = lb_score_plan_prepare(ctx, r);
    if (st != LB_OK)
        return st;
    lb_score_plan_raster_window(r, r->grid.x0, r->grid.y0, r->grid.x0 + r->grid.nx * r->grid.cell_m,
                                r->grid.y0 + r->grid.ny * r->grid.cell_m);
    lb_score_stage_done(r, "read");
    st = lb_score_outputs_precheck(ctx, r);
    for (size_t t = 0; st == LB_OK && t < r->n_years; t++)
        st = grid_year(ctx, r, t);
    size_t *order = st == LB_OK ? ascending_years(r) : NULL;
    if (st == LB_OK && !order)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = join_years(ctx, r, res, order, 0, "grid", &r->grid_t);
    if (st == LB_OK)
        st = join_years(ctx, r, res, order, 1, r->units_name, &r->units_t);
    if (st == LB_OK && r->rasters)
        st = add_rasters(ctx, r, res, order);
    free(order);
    return st;
}
