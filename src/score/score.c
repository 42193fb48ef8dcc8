/* SPDX-License-Identifier: MIT */
/* The score operation: lb_score_compute (read → grid → indicators → model → aggregate, for one
 * or several years, into a result), lb_score_exec (compute + write), the public lb_score_run
 * (an lb_opts into the options struct, then compute); the run's state and its timings. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "run.h"

#include "../api/opts.h"
#include "../core/ctx.h"
#include "../viewer/inrun.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double lb_score_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

score_run lb_score_state_init(const lb_score_options *o)
{
    return (score_run){.o = o,
                       .n_inputs = o->n_inputs,
                       .area = o->mode == LB_MODE_AREA,
                       .timings = json_object_new_object(),
                       .outputs = json_object_new_array(),
                       .t_stage = lb_score_now()};
}

/* The process's peak resident memory so far in MB (Linux: VmHWM), or -1 where unknown. */
static double peak_rss_mb(void)
{
    double mb = -1.0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return mb;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        long kb;
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) {
            mb = (double)kb / 1024.0;
            break;
        }
    }
    fclose(f);
    return mb;
}

/* run.json's peak_rss_mb: the peak so far at the end of each stage, so that a national run
 * shows which stage sets the peak. */
static void note_peak(score_run *r, const char *stage)
{
    double mb = peak_rss_mb();
    if (mb < 0)
        return;
    if (!r->peak_mb)
        r->peak_mb = json_object_new_object();
    json_object_object_add(r->peak_mb, stage, json_object_new_double(round(mb * 10.0) / 10.0));
}

/* Add @p dt seconds to stage @p name of @p timings (stages repeat once per year). */
static void add_timing(struct json_object *timings, const char *name, double dt)
{
    struct json_object *prev = NULL;
    if (json_object_object_get_ex(timings, name, &prev))
        dt += json_object_get_double(prev);
    json_object_object_add(timings, name, json_object_new_double(round(dt * 1e3) / 1e3));
}

void lb_score_stage_done(score_run *r, const char *name)
{
    double t = lb_score_now();
    add_timing(r->timings, name, t - r->t_stage);
    r->t_stage = t;
    note_peak(r, name);
}

void lb_score_doc_stage(struct json_object *doc, const char *name, double dt)
{
    struct json_object *timings = NULL, *peak = NULL;
    if (json_object_object_get_ex(doc, "timings_s", &timings))
        add_timing(timings, name, dt);
    double mb = peak_rss_mb();
    if (mb >= 0 && json_object_object_get_ex(doc, "peak_rss_mb", &peak))
        json_object_object_add(peak, name, json_object_new_double(round(mb * 10.0) / 10.0));
}

void lb_score_year_stage(score_run *r, score_year *y, const char *name)
{
    double t = lb_score_now();
    add_timing(y->timings, name, t - y->t_stage);
    add_timing(r->timings, name, t - y->t_stage);
    y->t_stage = r->t_stage = t;
    note_peak(r, name);
}

lb_status lb_score_year_progress(lb_ctx *ctx, const score_run *r, size_t t, double within,
                                 const char *stage)
{
    return lb_ctx_progress(ctx, 0.05 + 0.85 * ((double)t + within) / (double)r->n_years, stage);
}

void lb_score_year_free_values(score_year *y, size_t n_ind)
{
    if (y->x)
        for (size_t i = 0; i < n_ind; i++)
            free(y->x[i]);
    free(y->x);
    y->x = NULL;
    free(y->cell_w);
    y->cell_w = NULL;
    lb_unit_scores_free(&y->unit);
    for (size_t i = 0; i < n_ind; i++) {
        if (y->ux)
            free(y->ux[i]);
        if (y->uc)
            free(y->uc[i]);
    }
    free(y->ux);
    free(y->uc);
    y->ux = y->uc = NULL;
}

void lb_score_year_free_arrays(score_year *y, size_t n_ind, int keep_scores)
{
    lb_score_year_free_values(y, n_ind);
    free(y->w);
    y->w = NULL;
    if (keep_scores)
        return;
    free(y->cells);
    y->cells = NULL;
    lb_scores_free(&y->sc);
}

static void year_free(score_year *y, size_t n_ind)
{
    lb_score_year_free_arrays(y, n_ind, 0);
    lb_reference_free(&y->ref);
    lb_inputs_destroy(y->in);
    y->in = NULL;
    free(y->src);
    y->src = NULL;
    lb_table_destroy(y->grid_t);
    lb_table_destroy(y->units_t);
    json_object_put(y->counts);
    json_object_put(y->timings);
}

void lb_score_state_free(score_run *r)
{
    for (size_t t = 0; r->yr && t < r->n_years; t++)
        year_free(&r->yr[t], r->model ? r->model->n_ind : 0);
    free(r->yr);
    for (size_t i = 0; r->plain && i < r->n_inputs; i++)
        free(r->plain[i]);
    for (size_t i = 0; r->protect && i < r->n_protect; i++)
        free(r->protect[i]);
    free(r->protect);
    json_object_put(r->doc);
    free(r->plain);
    free(r->bind_year);
    free(r->id_field_own);
    free(r->units_name);
    lb_reference_free(&r->fixed);
    lb_model_destroy(r->model);
    json_object_put(r->outputs);
    json_object_put(r->peak_mb);
    json_object_put(r->timings);
    lb_score_hash_free(r);
}

/* The payload of a score result. */
static void payload_free(void *payload)
{
    score_run *r = payload;
    if (!r)
        return;
    lb_score_state_free(r);
    free(r);
}

static const lb_result_ops score_ops = {lb_score_outputs_write, payload_free};

/* The paths no output may replace, copied for the write: the inputs, the model, the
 * reference. */
static lb_status keep_protected(lb_ctx *ctx, score_run *r)
{
    const lb_score_options *o = r->o;
    r->protect = calloc(o->n_inputs + 2, sizeof(char *));
    if (!r->protect)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const char *model_ref[2] = {o->model_path, o->reference_path};
    for (size_t i = 0; i < o->n_inputs + 2; i++) {
        const char *p = i < o->n_inputs ? o->inputs[i].path : model_ref[i - o->n_inputs];
        if (!p)
            continue;
        if (!(r->protect[r->n_protect++] = lb_core_strdup(p)))
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    return LB_OK;
}

/* run.json as computed, kept for the writer and given to the result as text. */
static lb_status set_provenance(lb_ctx *ctx, score_run *r, lb_result *res)
{
    r->doc = lb_score_provenance(ctx, r);
    const char *text =
        r->doc ? json_object_to_json_string_ext(r->doc, JSON_C_TO_STRING_PRETTY) : NULL;
    return text ? lb_result_set_provenance(ctx, res, text)
                : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

lb_status lb_score_compute(lb_ctx *ctx, const lb_score_options *o, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    lb_status st = lb_score_options_check(ctx, o);
    if (st != LB_OK)
        return st;
    lb_result *res = NULL;
    st = lb_result_create(ctx, "score", &score_ops, &res);
    score_run *r = st == LB_OK ? malloc(sizeof(*r)) : NULL;
    if (r) {
        *r = lb_score_state_init(o);
        lb_result_set_payload(res, r); /* freed with the result from here */
    } else if (st == LB_OK) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK)
        st = keep_protected(ctx, r);
    if (st == LB_OK)
        lb_score_hash_start(r);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = r->area ? lb_score_area_compute(ctx, r, res) : lb_score_grid_compute(ctx, r, res);
    if (st == LB_OK)
        st = set_provenance(ctx, r, res);
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    if (r)
        r->o = NULL;
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}

lb_status lb_score_exec(lb_ctx *ctx, const lb_score_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->model_path || !o->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "score: a model file and an output directory are "
                            "required");
    lb_result *res = NULL;
    lb_status st = lb_score_compute(ctx, o, &res);
    if (st == LB_OK) {
        const lb_write_opts w = {.outdir = o->outdir,
                                 .overwrite = o->overwrite,
                                 .outputs = o->outputs,
                                 .csv_sep = o->csv_sep,
                                 .full_precision = o->full_precision,
                                 .geojson_rd = o->geojson_rd,
                                 .raster_format = o->raster_format,
                                 .creation_options = o->creation_options,
                                 .preview = o->preview};
        st = lb_result_write_with(ctx, res, &w);
    }
    lb_result_destroy(res);
    return st;
}

/* --viewer, before any work: the web-map library is there and the run writes what the viewer
 * reads (scores.gpkg with the units). */
static lb_status viewer_precheck(lb_ctx *ctx, const lb_opts *opts, const lb_score_options *o)
{
    lb_status st = lb_viewer_lib_check(ctx, "score --viewer", lb_opts_get_str(opts, "viewer-lib"));
    if (st == LB_OK && !(lb_score_options_outputs(o) & LB_OUT_GPKG))
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "score --viewer: the viewer reads the units from scores.gpkg; add gpkg "
                          "to --outputs");
    return st;
}

lb_status lb_score_run(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || !out || strcmp(lb_opts_operation(opts), "score") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_score_run: options of \"%s\", not of \"score\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "score: ");
    lb_score_options o;
    lb_score_hold hold;
    st = lb_score_options_from(ctx, opts, &o, &hold);
    if (st == LB_OK && lb_opts_get_flag(opts, "viewer"))
        st = viewer_precheck(ctx, opts, &o);
    if (st == LB_OK)
        st = lb_score_compute(ctx, &o, out);
    lb_score_options_release(&hold);
    return st;
}
