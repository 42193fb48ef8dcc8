/* SPDX-License-Identifier: MIT */
/* `leefbaar demo`: the whole chain on the embedded demo city. */
#include <leefbaar/leefbaar.h>

#include "demo.h"

#include "../api/opts.h"
#include "../change/change.h"
#include "../core/ctx.h"
#include "../diagnose/diagnose.h"
#include "../waterbed/waterbed.h"
#include "../io/write.h"
#include "../score/score.h"
#include "../viewer/viewer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DEMO_REF_YEAR = 2020, DEMO_YEAR = 2022 };

/* Output settings every step shares. */
typedef struct demo_output {
    const char *raster_format;
    const char *const *creation_options;
    int overwrite;
} demo_output;

/* Both years in one run into OUTDIR/score: the buurten, amenities and incidents of each year,
 * the roads and rasters shared; 2020 is the model's reference year, scored first. */
static lb_status demo_score(lb_ctx *ctx, const char *data, const char *outdir,
                            const demo_output *out_opts)
{
    char model[1024], y0[1024], y1[1024], stat[1024], noise[1024], green[1024], out[1024];
    snprintf(model, sizeof(model), "%s/models/default.yaml", data);
    snprintf(y0, sizeof(y0), "%s/shapes/leefstad_%d.gpkg", data, DEMO_REF_YEAR);
    snprintf(y1, sizeof(y1), "%s/shapes/leefstad_%d.gpkg", data, DEMO_YEAR);
    snprintf(stat, sizeof(stat), "%s/shapes/leefstad.gpkg", data);
    snprintf(noise, sizeof(noise), "%s/rasters/noise_lden.tif", data);
    snprintf(green, sizeof(green), "%s/rasters/green_share.tif", data);
    snprintf(out, sizeof(out), "%s/score", outdir);
    const lb_input_spec inputs[] = {
        {"buurten@2020", y0, "buurten"},
        {"buurten@2022", y1, "buurten"},
        {"amenities@2020", y0, "amenities"},
        {"amenities@2022", y1, "amenities"},
        {"incidents@2020", y0, "incidents"},
        {"incidents@2022", y1, "incidents"},
        {"roads", stat, "roads"},
        {"noise", noise, NULL},
        {"green", green, NULL},
    };
    const int years[] = {DEMO_REF_YEAR, DEMO_YEAR};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = inputs;
    o.n_inputs = sizeof(inputs) / sizeof(inputs[0]);
    o.years = years;
    o.n_years = 2;
    o.outdir = out;
    o.command_line = "leefbaar demo";
    o.raster_format = out_opts->raster_format;
    o.creation_options = out_opts->creation_options;
    o.preview = 1;
    o.overwrite = out_opts->overwrite;
    lb_ctx_log(ctx, LB_LOG_INFO, "demo: scoring %d and %d into %s", DEMO_REF_YEAR, DEMO_YEAR, out);
    lb_status st = lb_score_exec(ctx, &o);
    if (st != LB_OK)
        lb_ctx_error_prefix(ctx, st, "demo, scoring: ");
    return st;
}

/* The development 2020 → 2022 into OUTDIR/change, with a preview of the class map. */
static lb_status demo_change(lb_ctx *ctx, const char *outdir, const demo_output *out_opts)
{
    char scores[1024], out[1024];
    snprintf(scores, sizeof(scores), "%s/score", outdir);
    snprintf(out, sizeof(out), "%s/change", outdir);
    lb_change_options o;
    lb_change_options_init(&o);
    o.from.path = scores;
    o.from_year = DEMO_REF_YEAR;
    o.to_year = DEMO_YEAR;
    o.outdir = out;
    o.command_line = "leefbaar demo";
    o.raster_format = out_opts->raster_format;
    o.creation_options = out_opts->creation_options;
    o.preview = 1;
    o.overwrite = out_opts->overwrite;
    lb_ctx_log(ctx, LB_LOG_INFO, "demo: change %d → %d into %s", DEMO_REF_YEAR, DEMO_YEAR, out);
    lb_status st = lb_change_exec(ctx, &o);
    if (st != LB_OK)
        lb_ctx_error_prefix(ctx, st, "demo, change: ");
    return st;
}

/* The first diagnosis of wijk Centrum, which borders both focus wijken and declined while
 * they improved, into OUTDIR/diagnose/WK990100.{html,md,json}. */
static lb_status diagnose_demo(lb_ctx *ctx, const char *data, const char *outdir,
                               const demo_output *out_opts)
{
    char scores[1024], wijken[1024], gemeente[1024], focus[1024], out[1024];
    snprintf(scores, sizeof(scores), "%s/score", outdir);
    snprintf(wijken, sizeof(wijken), "%s/shapes/leefstad.gpkg:wijken", data);
    snprintf(gemeente, sizeof(gemeente), "%s/shapes/leefstad.gpkg:gemeente", data);
    snprintf(focus, sizeof(focus), "%s/shapes/leefstad.gpkg:focus_wijken", data);
    snprintf(out, sizeof(out), "%s/diagnose", outdir);
    const lb_score_source src[1] = {{.path = scores}}; /* both years, one run */
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.sources = src;
    o.n_sources = 1;
    o.wijk = "WK990100";
    o.wijk_polygon = wijken;
    o.gemeente_polygon = gemeente;
    o.focus = focus;
    o.outdir = out;
    o.overwrite = out_opts->overwrite;
    o.command_line = "leefbaar demo";
    lb_status st = lb_diagnose_exec(ctx, &o);
    if (st != LB_OK)
        lb_ctx_error_prefix(ctx, st, "demo, diagnosis: ");
    return st;
}

/* Waterbed analysis around the two focus wijken, on the two scored years. */
static lb_status demo_waterbed(lb_ctx *ctx, const char *data, const char *outdir,
                               const demo_output *out_opts)
{
    char scores[1024], focus[1024], out[1024];
    snprintf(scores, sizeof(scores), "%s/score", outdir);
    snprintf(focus, sizeof(focus), "%s/shapes/leefstad.gpkg", data);
    snprintf(out, sizeof(out), "%s/waterbed", outdir);
    const lb_score_source src[1] = {{.path = scores}}; /* both years, one run */
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    o.scores = src;
    o.n_scores = 1;
    o.focus_path = focus;
    o.focus_layer = "focus_wijken";
    o.outdir = out;
    o.overwrite = out_opts->overwrite;
    o.command_line = "leefbaar demo";
    lb_ctx_log(ctx, LB_LOG_INFO, "demo: waterbed analysis into %s", out);
    lb_status st = lb_waterbed_exec(ctx, &o);
    if (st != LB_OK)
        lb_ctx_error_prefix(ctx, st, "demo, waterbed: ");
    return st;
}

lb_status lb_demo_exec(lb_ctx *ctx, const char *data_dir, const char *outdir,
                       const char *raster_format, const char *const *creation_options,
                       int overwrite)
{
    lb_ctx_warnings_reset(ctx);
    const demo_output out_opts = {raster_format, creation_options, overwrite};
    if (!data_dir || !outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "demo: a data directory and an output directory are "
                            "required");
    /* a bad -of or -co fails before any scoring */
    const lb_raster_opts ro = {raster_format, creation_options, NULL};
    lb_status st = lb_raster_opts_check(ctx, &ro);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "demo: ");
    st = demo_score(ctx, data_dir, outdir, &out_opts);
    if (st == LB_OK)
        st = demo_change(ctx, outdir, &out_opts);
    if (st == LB_OK)
        st = diagnose_demo(ctx, data_dir, outdir, &out_opts);
    if (st == LB_OK)
        st = demo_waterbed(ctx, data_dir, outdir, &out_opts);
    return st;
}

lb_status lb_demo_run(lb_ctx *ctx, const lb_opts *o)
{
    lb_ctx_warnings_reset(ctx); /* also when the options are refused */
    if (!o || strcmp(lb_opts_operation(o), "demo") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "demo: the options are not those of operation 'demo'");
    lb_status st = lb_opts_check(ctx, o, 1);
    if (st != LB_OK)
        return st;
    if (!lb_opts_is_set(o, "data"))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "demo: 'data' (the folder holding shapes/, rasters/ and models/) is "
                            "required");
    int viewer = lb_opts_get_flag(o, "viewer");
    if (viewer && !lb_opts_is_set(o, "viewer-lib"))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "demo: --viewer needs 'viewer-lib', the folder holding "
                            "maplibre-gl.js, maplibre-gl.css and LICENSE.txt");
    const char *const *co = lb_opts_get_list(o, "co", NULL);
    const char *out = lb_opts_get_str(o, "output");
    st = lb_demo_exec(ctx, lb_opts_get_str(o, "data"), out, lb_opts_get_str(o, "of"),
                      co && co[0] ? co : NULL, lb_opts_get_flag(o, "overwrite"));
    if (st != LB_OK || !viewer)
        return st;
    /* the map of all four runs into OUTDIR/viewer */
    static const char *const sub[] = {"score", "change", "diagnose", "waterbed", "viewer"};
    char *path[5] = {NULL};
    for (size_t i = 0; i < 5 && st == LB_OK; i++)
        if (!(path[i] = lb_core_strfmt("%s/%s", out, sub[i])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK) {
        lb_ctx_log(ctx, LB_LOG_INFO, "demo: the viewer into %s", path[4]);
        st = lb_viewer_exec(ctx, (const char *const *)path, 4, path[4],
                            lb_opts_get_str(o, "viewer-lib"), lb_opts_get_flag(o, "overwrite"),
                            "leefbaar demo --viewer");
        if (st != LB_OK)
            lb_ctx_error_prefix(ctx, st, "demo, viewer: ");
    }
    for (size_t i = 0; i < 5; i++)
        free(path[i]);
    return st;
}
