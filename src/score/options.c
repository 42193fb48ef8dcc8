/* SPDX-License-Identifier: MIT */
/* Score options: their defaults, the --outputs list, and the checks made before any work. */
#include "run.h"

#include "../core/ctx.h"
#include "../io/write.h"

#include <string.h>

void lb_score_options_init(lb_score_options *o)
{
    memset(o, 0, sizeof(*o));
    o->csv_sep = ',';
}

static const struct {
    const char *name;
    unsigned bit;
} output_names[] = {{"gpkg", LB_OUT_GPKG}, {"grid", LB_OUT_GRID}, {"geojson", LB_OUT_GEOJSON},
                    {"csv", LB_OUT_CSV},   {"tif", LB_OUT_TIF},   {"all", LB_OUT_ALL}};

lb_status lb_score_outputs_parse(lb_ctx *ctx, const char *list, unsigned *out)
{
    unsigned mask = 0;
    const size_t n_names = sizeof(output_names) / sizeof(output_names[0]);
    for (const char *p = list ? list : ""; *p;) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < n_names &&
               !(strlen(output_names[k].name) == len && strncmp(output_names[k].name, p, len) == 0))
            k++;
        if (k == n_names)
            return lb_error(ctx, LB_ERR_ARG,
                            "outputs: unknown output '%.*s' (choose from gpkg, grid, geojson, csv, "
                            "tif, all)",
                            (int)len, p);
        mask |= output_names[k].bit;
        p += len + (p[len] == ',');
    }
    if (!mask)
        return lb_error(ctx, LB_ERR_ARG,
                        "outputs: the list is empty (choose from gpkg, grid, geojson, csv, tif, "
                        "all)");
    *out = mask;
    return LB_OK;
}

unsigned lb_score_options_outputs(const lb_score_options *o)
{
    if (o->outputs)
        return o->outputs;
    return o->mode == LB_MODE_AREA ? LB_SCORE_UNITS_OUTPUTS : LB_OUT_ALL;
}

/* The outputs' choice checked against the mode and the other options. */
static lb_status outputs_check(lb_ctx *ctx, const lb_score_options *o)
{
    unsigned w = lb_score_options_outputs(o);
    if (w & ~(unsigned)LB_OUT_ALL)
        return lb_error(ctx, LB_ERR_ARG, "outputs: unknown bits 0x%x", w & ~(unsigned)LB_OUT_ALL);
    if (o->mode == LB_MODE_AREA && (w & (LB_OUT_GRID | LB_OUT_TIF)))
        return lb_error(ctx, LB_ERR_ARG,
                        "outputs: area mode scores polygons and writes no grid layer and no "
                        "rasters; leave grid and tif out of --outputs");
    if (o->preview && !(w & LB_OUT_TIF))
        return lb_error(ctx, LB_ERR_ARG,
                        "--preview draws the class raster: add tif to --outputs (or drop "
                        "--preview)");
    return LB_OK;
}

lb_status lb_score_options_check(lb_ctx *ctx, const lb_score_options *o)
{
    if (!o || !o->model_path || !o->outdir)
        return lb_error(ctx, LB_ERR_ARG,
                        "score: a model file and an output directory are "
                        "required");
    if (o->csv_sep && o->csv_sep != ',' && o->csv_sep != ';')
        return lb_error(ctx, LB_ERR_ARG, "score: the CSV separator must be ',' or ';'");
    if (o->n_years && !o->years)
        return lb_error(ctx, LB_ERR_ARG, "score: n_years is %zu but years is NULL", o->n_years);
    lb_status st = outputs_check(ctx, o);
    if (st != LB_OK || o->mode == LB_MODE_AREA)
        return st;
    if (o->n_joins)
        return lb_error(ctx, LB_ERR_ARG,
                        "score: attribute tables are joined to the units in area mode only; "
                        "add --mode area (or join the table to the polygons first, e.g. with "
                        "ogr2ogr -sql ... LEFT JOIN)");
    /* a bad -of or -co fails before any work */
    const lb_raster_opts ro = {o->raster_format, o->creation_options, NULL};
    return lb_raster_opts_check(ctx, &ro);
}
