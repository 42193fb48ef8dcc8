/* SPDX-License-Identifier: MIT */
/* The score command: read → grid → indicators → model → aggregate → write, for one or several
 * years into one output directory (grid mode; area mode in area_run.c); the run's state and
 * its timings. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "run.h"

#include "../core/ctx.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
    return lb_progress(ctx, 0.05 + 0.85 * ((double)t + within) / (double)r->n_years, stage);
}

void lb_score_year_free_arrays(score_year *y, size_t n_ind)
{
    if (y->x)
        for (size_t i = 0; i < n_ind; i++)
            free(y->x[i]);
    free(y->x);
    y->x = NULL;
    free(y->cell_w);
    y->cell_w = NULL;
    free(y->cells);
    y->cells = NULL;
    free(y->w);
    y->w = NULL;
    lb_scores_free(&y->sc);
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

static void year_free(score_year *y, size_t n_ind)
{
    lb_score_year_free_arrays(y, n_ind);
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
    for (size_t i = 0; r->plain && i < r->o->n_inputs; i++)
        free(r->plain[i]);
    free(r->plain);
    free(r->bind_year);
    free(r->id_field_own);
    lb_reference_free(&r->fixed);
    lb_model_destroy(r->model);
    json_object_put(r->outputs);
    json_object_put(r->peak_mb);
    json_object_put(r->timings);
}

lb_status lb_score_run(lb_ctx *ctx, const lb_score_options *o)
{
    lb_ctx_warnings_reset(ctx);
    lb_status st = lb_score_options_check(ctx, o);
    if (st != LB_OK)
        return st;
    if (o->mode == LB_MODE_AREA)
        return lb_score_area_run(ctx, o);
    score_run r = lb_score_state_init(o);
    st = lb_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = lb_score_plan_prepare(ctx, &r);
    if (st == LB_OK) {
        lb_score_plan_raster_window(&r, r.grid.x0, r.grid.y0, r.grid.x0 + r.grid.nx * r.grid.cell_m,
                                    r.grid.y0 + r.grid.ny * r.grid.cell_m);
        lb_score_stage_done(&r, "read");
        st = lb_score_outputs_open(ctx, &r);
    }
    for (size_t t = 0; st == LB_OK && t < r.n_years; t++)
        st = lb_score_grid_year(ctx, &r, t);
    if (st == LB_OK)
        st = lb_score_outputs_grid_run(ctx, &r);
    if (st == LB_OK)
        st = lb_progress(ctx, 1.0, "done");
    lb_outdir_abort(&r.out);
    lb_score_state_free(&r);
    return st;
}
