/* SPDX-License-Identifier: MIT */
/* lb_waterbed_run: read the scores, analyse, write everything or nothing. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "wb.h"

#include "../core/ctx.h"
#include "../io/outdir.h"

#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

lb_status lb_waterbed_run(lb_ctx *ctx, const lb_waterbed_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->outdir)
        return lb_error(ctx, LB_ERR_ARG, "waterbed: an output directory is required");
    if (!o->scores || o->n_scores == 0)
        return lb_error(ctx, LB_ERR_ARG,
                        "waterbed: scored units are required (a run directory "
                        "or a table of published scores)");
    double t0 = now_s();
    lb_scoreset *s = NULL;
    wb_result *r = NULL;
    lb_outdir out = {0};
    int opened = 0;
    lb_status st = lb_progress(ctx, 0.0, "reading scores");
    if (st == LB_OK)
        st = lb_scoreset_read(ctx, o->scores, o->n_scores, &s);
    if (st == LB_OK)
        st = lb_progress(ctx, 0.05, "zones");
    if (st == LB_OK)
        st = wb_analyse(ctx, s, o, &r);
    if (st == LB_OK) {
        const char **in = malloc((o->n_scores + 1) * sizeof(char *));
        size_t n = 0;
        for (size_t i = 0; in && i < o->n_scores; i++)
            in[n++] = o->scores[i].path;
        if (in && o->focus_path)
            in[n++] = o->focus_path;
        const lb_outdir_spec spec = {.overwrite = o->overwrite, .inputs = in, .n_inputs = n};
        st = in ? lb_outdir_open(ctx, o->outdir, &spec, &out)
                : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        free(in);
        opened = st == LB_OK;
    }
    if (st == LB_OK)
        st = wb_write(ctx, r, o, out.tmp, now_s() - t0);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &out);
    if (opened)
        lb_outdir_abort(&out); /* after a commit this only frees */
    if (st == LB_OK)
        st = lb_progress(ctx, 1.0, "done");
    wb_result_destroy(r);
    lb_scoreset_destroy(s);
    return st;
}
