/* SPDX-License-Identifier: MIT */
/* Planning a score run: the model, the years and the order to score them in, the inputs bound
 * to each year (NAME or NAME@YEAR), each year's weight and units layers read, one grid over all
 * of them, the fixed reference, and the window the rasters are read over. */
#include "run.h"

#include "../core/ctx.h"
#include "../io/runjson.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* NAME or NAME@YEAR: the length of NAME and the year (0 = every year); -1 on a bad year. */
static int split_binding(const char *spec, size_t *name_len, int *year)
{
    const char *at = strchr(spec, '@');
    *name_len = at ? (size_t)(at - spec) : strlen(spec);
    *year = 0;
    if (!at)
        return 0;
    char *end = NULL;
    long v = strtol(at + 1, &end, 10);
    if (end == at + 1 || *end || v < 1000 || v > 9999)
        return -1;
    *year = (int)v;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The years of the run, and the order to score them in: in fixed mode without --reference the
 * reference year goes first, since the others are scored against it. */
static lb_status plan_years(lb_ctx *ctx, score_run *r)
{
    const lb_score_options *o = r->o;
    size_t n = o->n_years ? o->n_years : 1;
    int *ys = malloc(n * sizeof(int));
    if (!ys)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (o->n_years)
        memcpy(ys, o->years, n * sizeof(int));
    else
        ys[0] = o->year;
    qsort(ys, n, sizeof(int), cmp_int);
    lb_status st = LB_OK;
    for (size_t k = 0; k < n && st == LB_OK; k++) {
        if (o->n_years && (ys[k] < 1000 || ys[k] > 9999))
            st = lb_ctx_error(ctx, LB_ERR_ARG, "score: %d is not a year", ys[k]);
        else if (k && ys[k] == ys[k - 1])
            st = lb_ctx_error(ctx, LB_ERR_ARG, "score: year %d is given twice", ys[k]);
    }
    if (st == LB_OK && o->n_years && o->year && !bsearch(&o->year, ys, n, sizeof(int), cmp_int))
        st = lb_ctx_error(ctx, LB_ERR_ARG, "score: year %d is not among the years to score",
                          o->year);
    r->yr = st == LB_OK ? calloc(n, sizeof(score_year)) : NULL;
    if (st == LB_OK && !r->yr)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK)
        goto done;
    r->n_years = n;
    /* Fixed mode: which year is the reference (when no --reference gives one). */
    size_t first = 0;
    const lb_model *m = r->model;
    if (m->ref_mode == LB_REF_FIXED && !o->reference_path) {
        int found = 0;
        for (size_t k = 0; k < n; k++)
            if (m->ref_year && ys[k] == m->ref_year) {
                first = k;
                found = 1;
            }
        if (m->ref_year && !found && ys[0])
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "fixed reference mode: the model's reference year %d is not scored in this "
                       "run and no --reference was given; %d is scored against its own population "
                       "and used as the reference",
                       m->ref_year, ys[0]);
    }
    r->yr[0].year = ys[first];
    for (size_t k = 0, j = 1; k < n; k++)
        if (k != first)
            r->yr[j++].year = ys[k];
done:
    free(ys);
    return st;
}

/* Check the bindings once: NAME or NAME@YEAR, every year bound to is scored. A (name, year)
 * bound to several files reads them as one layer (lb_vlayer_read_list); the same file twice is
 * an error. Fills r->plain (the names without @YEAR) and r->bind_year. */
static lb_status check_bindings(lb_ctx *ctx, score_run *r)
{
    const lb_score_options *o = r->o;
    size_t n = o->n_inputs;
    r->plain = calloc(n ? n : 1, sizeof(char *));
    r->bind_year = calloc(n ? n : 1, sizeof(int));
    if (!r->plain || !r->bind_year)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    int any_year = 0;
    for (size_t i = 0; i < n; i++) {
        const lb_input_spec *s = &o->inputs[i];
        size_t len;
        if (!s->name || !s->path || split_binding(s->name, &len, &r->bind_year[i]) != 0 || !len)
            return lb_ctx_error(
                ctx, LB_ERR_ARG,
                "input '%s': a binding is NAME=PATH or NAME@YEAR=PATH (a four-digit "
                "year)",
                s->name ? s->name : "(null)");
        if (!(r->plain[i] = lb_core_strfmt("%.*s", (int)len, s->name)))
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        any_year |= r->bind_year[i] != 0;
        for (size_t k = 0; k < i; k++)
            if (r->bind_year[k] == r->bind_year[i] && strcmp(r->plain[k], r->plain[i]) == 0 &&
                strcmp(o->inputs[k].path, s->path) == 0 &&
                !strcmp(o->inputs[k].layer ? o->inputs[k].layer : "", s->layer ? s->layer : ""))
                return lb_ctx_error(ctx, LB_ERR_ARG, "input '%s' is bound twice to '%s'", s->name,
                                    s->path);
        int scored = r->bind_year[i] == 0;
        for (size_t t = 0; t < r->n_years; t++)
            scored |= r->yr[t].year == r->bind_year[i];
        if (!scored)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "input '%s' is bound for %d, which is not among the years scored "
                                "(--year)",
                                s->name, r->bind_year[i]);
    }
    r->single = r->n_years == 1 && !any_year;
    return LB_OK;
}

/* The sources of year @p y: the every-year bindings, replaced by NAME@YEAR ones for it. A name
 * bound to several files (for the year, or for every year) has a source per file, in the
 * order given. */
static lb_status year_sources(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_score_options *o = r->o;
    y->src = calloc(o->n_inputs ? o->n_inputs : 1, sizeof(lb_source));
    if (!y->src)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->n_inputs; i++) {
        int yr = r->bind_year[i];
        if (yr != 0 && yr != y->year)
            continue;
        int for_year = 0; /* a NAME@YEAR binding for this year replaces the every-year ones */
        for (size_t k = 0; yr == 0 && k < o->n_inputs; k++)
            for_year |= r->bind_year[k] != 0 && r->bind_year[k] == y->year &&
                        strcmp(r->plain[k], r->plain[i]) == 0;
        if (for_year)
            continue;
        const lb_input_spec *s = &o->inputs[i];
        y->src[y->n_src++] = (lb_source){r->plain[i], s->path, s->layer, o->s_srs};
    }
    return LB_OK;
}

lb_status lb_score_plan_year_error(lb_ctx *ctx, const score_run *r, const score_year *y,
                                   lb_status st)
{
    if (st == LB_OK || r->single)
        return st;
    return lb_ctx_error_prefix(ctx, st, "year %d: ", y->year);
}

/* Bind the inputs of year @p y and check that every input the model names is bound, before
 * any heavy work starts. */
lb_status lb_score_plan_bind_year(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    lb_status st = year_sources(ctx, r, y);
    if (st == LB_OK)
        st = lb_inputs_create(ctx, y->src, y->n_src, &y->in);
    for (size_t i = 0; st == LB_OK && i < r->o->n_wheres; i++) {
        const lb_where_spec *w = &r->o->wheres[i];
        if (!w->input || !w->where)
            return lb_ctx_error(ctx, LB_ERR_ARG, "--where wants NAME=EXPRESSION");
        st = lb_inputs_set_where(ctx, y->in, w->input, w->where);
        if (st != LB_OK)
            st = lb_ctx_error_prefix(ctx, st, "--where %s: ", w->input);
    }
    if (st != LB_OK)
        return st;
    for (size_t i = 0; i < m->n_inputs; i++)
        if (!lb_inputs_source(ctx, y->in, m->inputs[i]))
            return lb_score_plan_year_error(ctx, r, y, LB_ERR_ARG);
    return LB_OK;
}

/* Bind the inputs of year @p y, read its weight and units layers, widen the extent. */
static lb_status open_year(lb_ctx *ctx, score_run *r, score_year *y, double ext[4])
{
    const lb_model *m = r->model;
    lb_status st = lb_score_plan_bind_year(ctx, r, y);
    if (st != LB_OK)
        return st;
    st = lb_inputs_vector(ctx, y->in, m->weight_layer, NULL, &y->weight_layer);
    if (st != LB_OK)
        return lb_score_plan_year_error(ctx, r, y, st);
    if (m->weight_field && !lb_vlayer_field(ctx, y->weight_layer, m->weight_field))
        return lb_score_plan_year_error(
            ctx, r, y, lb_ctx_error_prefix(ctx, LB_ERR_DATA, "weight (%s): ", m->weight_name));
    st = lb_score_units_load(ctx, r, y);
    if (st != LB_OK)
        return st;
    const lb_vlayer *e = y->units ? y->units : y->weight_layer;
    if (e->kind != LB_GEOM_POLYGON)
        return lb_score_plan_year_error(
            ctx, r, y,
            lb_ctx_error(ctx, LB_ERR_DATA, "weight layer '%s' ('%s') must be a polygon layer",
                         e->name, e->path));
    ext[0] = fmin(ext[0], e->xmin);
    ext[1] = fmin(ext[1], e->ymin);
    ext[2] = fmax(ext[2], e->xmax);
    ext[3] = fmax(ext[3], e->ymax);
    return LB_OK;
}

/* The fixed reference of --reference, with a warning where the model's mode disagrees. */
lb_status lb_score_plan_reference(lb_ctx *ctx, score_run *r)
{
    const lb_score_options *o = r->o;
    if (!o->reference_path)
        return LB_OK;
    lb_status st = lb_io_reference_read(ctx, o->reference_path, r->model, &r->fixed);
    if (st != LB_OK)
        return st;
    r->have_fixed = 1;
    if (r->model->ref_mode == LB_REF_PER_YEAR)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "--reference given but the model's reference mode is per_year: the fixed "
                   "reference of '%s' is used",
                   o->reference_path);
    return LB_OK;
}

/* A model fitted by leefbaar calibrate in the other mode: its coefficients were fitted to
 * indicators evaluated differently (a unit's own attributes, or its cells aggregated). */
static void warn_calibration_mode(lb_ctx *ctx, const score_run *r)
{
    const lb_model_node *c = r->model->calibration;
    const char *mode = r->area ? "area" : "grid";
    for (size_t k = 0; c && k < c->n_kids; k++)
        if (c->kids[k].key && !strcmp(c->kids[k].key, "mode") && c->kids[k].text &&
            strcmp(c->kids[k].text, mode) != 0)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "model '%s' was calibrated in %s mode and is scored here in %s mode: its "
                       "coefficients were fitted to indicators evaluated the other way "
                       "(calibrate with --mode %s to score in %s mode)",
                       r->model->path, c->kids[k].text, mode, mode, mode);
}

/* The model, the years in scoring order, the bindings checked, the units' name. */
lb_status lb_score_plan_start(lb_ctx *ctx, score_run *r)
{
    lb_status st = r->o->model_text ? lb_model_load_buffer(ctx, r->o->model_path, r->o->model_text,
                                                           r->o->model_text_len, &r->model)
                                    : lb_model_load(ctx, r->o->model_path, &r->model);
    if (st == LB_OK)
        warn_calibration_mode(ctx, r);
    if (st == LB_OK)
        st = plan_years(ctx, r);
    if (st == LB_OK)
        st = check_bindings(ctx, r);
    /* kept for the writer, when the options are gone */
    if (st == LB_OK &&
        !(r->units_name = lb_core_strdup(r->o->units ? r->o->units : r->model->weight_layer)))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return st;
}

lb_status lb_score_plan_prepare(lb_ctx *ctx, score_run *r)
{
    lb_status st = lb_score_plan_start(ctx, r);
    if (st != LB_OK)
        return st;
    /* One grid for all years, over the union of their extents. */
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t t = 0; t < r->n_years && st == LB_OK; t++) {
        score_year *y = &r->yr[t];
        y->timings = json_object_new_object();
        y->t_stage = lb_score_now();
        st = open_year(ctx, r, y, ext);
    }
    if (st == LB_OK)
        st = lb_grid_from_extent(ctx, ext[0], ext[1], ext[2], ext[3], r->model->cell_m, &r->grid);
    if (st == LB_OK)
        st = lb_score_plan_reference(ctx, r);
    return st;
}

/* Rasters are read over the box (x0, y0, x1, y1) the run scores, grown by the largest radius of
 * the model's indicators (a disc or a grown unit reaches that far) and a metre for rounding. */
void lb_score_plan_raster_window(score_run *r, double x0, double y0, double x1, double y1)
{
    double margin = 0.0;
    for (size_t i = 0; i < r->model->n_ind; i++)
        if (isfinite(r->model->ind[i].radius_m))
            margin = fmax(margin, r->model->ind[i].radius_m);
    margin += 1.0;
    const double win[4] = {x0 - margin, y0 - margin, x1 + margin, y1 + margin};
    for (size_t t = 0; t < r->n_years; t++)
        if (r->yr[t].in)
            lb_inputs_set_window(r->yr[t].in, win);
}
