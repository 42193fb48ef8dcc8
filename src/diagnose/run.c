/* SPDX-License-Identifier: MIT */
/* `leefbaar diagnose` as a library call: read the scored units, then diagnose. */
#include "diagnose.h"

#include "../core/ctx.h"

lb_status lb_diagnose_run(lb_ctx *ctx, const lb_diagnose_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->sources || o->n_sources == 0)
        return lb_error(ctx, LB_ERR_ARG, "diagnose: scored units are required (--scores)");
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, o->sources, o->n_sources, &s);
    if (st != LB_OK)
        return st;
    st = lb_dx_run_on(ctx, s, o);
    lb_scoreset_destroy(s);
    return st;
}
