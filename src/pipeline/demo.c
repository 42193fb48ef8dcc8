/* SPDX-License-Identifier: MIT */
/* `leefbaar demo`: the whole chain on the embedded demo city. */
#include <leefbaar/leefbaar.h>

#include "../core/ctx.h"
#include "../io/write.h"

#include <stdio.h>
#include <stdlib.h>

enum { DEMO_REF_YEAR = 2020, DEMO_YEAR = 2022 };

/* Output settings every year's run shares. */
typedef struct demo_output {
    const char *raster_format;
    const char *const *creation_options;
} demo_output;

static lb_status score_year(lb_ctx *ctx, const char *data, const char *outdir, int year,
                            const char *reference, const demo_output *out_opts)
{
    char model[1024], pts[1024], stat[1024], noise[1024], green[1024], out[1024];
    snprintf(model, sizeof(model), "%s/models/default.yaml", data);
    snprintf(pts, sizeof(pts), "%s/shapes/leefstad_%d.gpkg", data, year);
    snprintf(stat, sizeof(stat), "%s/shapes/leefstad.gpkg", data);
    snprintf(noise, sizeof(noise), "%s/rasters/noise_lden.tif", data);
    snprintf(green, sizeof(green), "%s/rasters/green_share.tif", data);
    snprintf(out, sizeof(out), "%s/score_%d", outdir, year);
    const lb_input_spec inputs[] = {
        {"buurten", pts, "buurten"},     {"amenities", pts, "amenities"},
        {"incidents", pts, "incidents"}, {"roads", stat, "roads"},
        {"noise", noise, NULL},          {"green", green, NULL},
    };
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = inputs;
    o.n_inputs = sizeof(inputs) / sizeof(inputs[0]);
    o.year = year;
    o.reference_path = reference;
    o.outdir = out;
    o.command_line = "leefbaar demo";
    o.raster_format = out_opts->raster_format;
    o.creation_options = out_opts->creation_options;
    o.preview = 1;
    lb_log(ctx, LB_LOG_INFO, "demo: scoring %d into %s", year, out);
    lb_status st = lb_score_run(ctx, &o);
    if (st != LB_OK)
        lb_error_prefix(ctx, st, "demo, year %d: ", year);
    return st;
}

lb_status lb_demo_run(lb_ctx *ctx, const char *data_dir, const char *outdir)
{
    return lb_demo_run_ex(ctx, data_dir, outdir, NULL, NULL);
}

lb_status lb_demo_run_ex(lb_ctx *ctx, const char *data_dir, const char *outdir,
                         const char *raster_format, const char *const *creation_options)
{
    const demo_output out_opts = {raster_format, creation_options};
    if (!data_dir || !outdir)
        return lb_error(ctx, LB_ERR_ARG,
                        "demo: a data directory and an output directory are "
                        "required");
    /* a bad -of or -co fails before any scoring */
    const lb_raster_opts ro = {raster_format, creation_options, NULL};
    lb_status st = lb_raster_opts_check(ctx, &ro);
    if (st != LB_OK)
        return lb_error_prefix(ctx, st, "demo: ");
    /* The reference year first: its run.json carries the fixed reference for later years. */
    st = score_year(ctx, data_dir, outdir, DEMO_REF_YEAR, NULL, &out_opts);
    if (st != LB_OK)
        return st;
    char ref[1024];
    snprintf(ref, sizeof(ref), "%s/score_%d/run.json", outdir, DEMO_REF_YEAR);
    return score_year(ctx, data_dir, outdir, DEMO_YEAR, ref, &out_opts);
}
