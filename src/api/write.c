/* SPDX-License-Identifier: MIT */
/* lb_result_write: the write keys of the options into lb_write_opts, then the operation's
 * own writer. */
#include "opts.h"

#include "../core/ctx.h"
#include "../data/result.h"

#include <string.h>

/* Read the write keys of @p o that its operation has (the others stay at their defaults). */
lb_status lb_write_opts_from(lb_ctx *ctx, const lb_opts *o, lb_write_opts *w)
{
    memset(w, 0, sizeof(*w));
    w->csv_sep = ',';
    w->outdir = lb_opts_get_str(o, "output");
    if (!w->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "%s: no output directory: set \"output\"",
                            lb_opts_operation(o));
    w->overwrite = lb_opts_get_flag(o, "overwrite");
    const char *outputs = lb_opts_get_str(o, "outputs");
    if (outputs) {
        lb_status st = lb_result_outputs_parse(ctx, outputs, &w->outputs);
        if (st != LB_OK)
            return st;
    }
    const char *sep = lb_opts_get_str(o, "csv-sep");
    if (sep)
        w->csv_sep = sep[0];
    w->full_precision = lb_opts_get_flag(o, "full-precision");
    const char *crs = lb_opts_get_str(o, "geojson-crs");
    w->geojson_rd = crs && strcmp(crs, "rd") == 0;
    w->raster_format = lb_opts_get_str(o, "of");
    size_t n_co = 0;
    const char *const *co = lb_opts_get_list(o, "co", &n_co);
    w->creation_options = n_co ? co : NULL;
    w->preview = lb_opts_get_flag(o, "preview");
    w->basename = lb_opts_get_str(o, "name");
    w->viewer = lb_opts_get_flag(o, "viewer");
    w->viewer_lib = lb_opts_get_str(o, "viewer-lib");
    w->viewer_title = lb_opts_get_str(o, "viewer-title");
    return LB_OK;
}

lb_status lb_result_write(lb_ctx *ctx, const lb_result *r, const lb_opts *opts)
{
    if (!r || !opts)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_result_write: no %s", r ? "options" : "result");
    if (strcmp(lb_opts_operation(opts), lb_result_operation(r)) != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "options of %s cannot write a result of %s",
                            lb_opts_operation(opts), lb_result_operation(r));
    lb_write_opts w;
    lb_status st = lb_write_opts_from(ctx, opts, &w);
    if (st == LB_OK)
        st = lb_result_write_with(ctx, r, &w);
    return st;
}
