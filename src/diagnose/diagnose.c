/* SPDX-License-Identifier: MIT */
/* The diagnosis on scores in memory: options, selection, numbers, the three files. */
#include "diagnose.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lb_diagnose_options_init(lb_diagnose_options *o)
{
    memset(o, 0, sizeof(*o));
    o->min_inside = 0.5;
    o->clear_sd = 0.5;
    o->focus_distance = 0.20;
    o->min_inhabitants = 2500.0;
}

/* A file name from a code or name: letters, digits, '.', '-' and '_' kept, the rest '_'. */
static char *file_base(const char *s)
{
    char *b = lb_strdup(s && *s ? s : "wijk");
    for (char *p = b; p && *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || (c == '.' && p != b)))
            *p = '_';
    }
    return b;
}

static lb_status check_options(lb_ctx *ctx, const lb_diagnose_options *o)
{
    if (!o->outdir || !*o->outdir)
        return lb_error(ctx, LB_ERR_ARG, "diagnose: an output directory is required");
    if (!(o->min_inside > 0.0 && o->min_inside <= 1.0))
        return lb_error(ctx, LB_ERR_ARG, "diagnose: the inside share must be in (0, 1], got %g",
                        o->min_inside);
    if (!(o->clear_sd >= 0.0) || !isfinite(o->clear_sd))
        return lb_error(ctx, LB_ERR_ARG,
                        "diagnose: the 'clearly below' threshold must be >= 0 sd, got %g",
                        o->clear_sd);
    if (!isfinite(o->focus_distance))
        return lb_error(ctx, LB_ERR_ARG, "diagnose: the focus distance must be a number");
    if (!(o->min_inhabitants >= 0.0) || !isfinite(o->min_inhabitants))
        return lb_error(ctx, LB_ERR_ARG, "diagnose: the minimum size must be >= 0, got %g",
                        o->min_inhabitants);
    if (!o->wijk_polygon && (!o->wijk || !*o->wijk))
        return lb_error(ctx, LB_ERR_ARG, "diagnose: no wijk given (a code, a name or a polygon)");
    return LB_OK;
}

lb_status lb_dx_run_on(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o)
{
    lb_status st = check_options(ctx, o);
    if (st != LB_OK)
        return st;
    lb_dx_selection sel;
    lb_diagnosis dx;
    if ((st = lb_dx_select(ctx, s, o, &sel)) != LB_OK)
        return st;
    if ((st = lb_dx_compute(ctx, s, &sel, o, &dx)) != LB_OK) {
        lb_dx_selection_free(&sel);
        return st;
    }
    /* One code names the files; a list of codes or a polygon without code uses the name. */
    const char *key = o->basename;
    if (!key)
        key = sel.wijk_code && !strchr(sel.wijk_code, ',') ? sel.wijk_code : sel.wijk_name;
    char *base = file_base(key);
    if (!base)
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    else
        st = lb_dx_write_all(ctx, &dx, o, base);
    if (st == LB_OK)
        lb_log(ctx, LB_LOG_INFO, "diagnose: %s: %s (indicative); wrote %s/%s.html, .md, .json",
               sel.wijk_name, lb_dx_verdict_name(dx.verdict), o->outdir, base);
    free(base);
    lb_dx_free(&dx);
    lb_dx_selection_free(&sel);
    return st;
}
