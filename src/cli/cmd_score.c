/* SPDX-License-Identifier: MIT */
/* leefbaar score: options → lb_score_run(). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const prog = "leefbaar score";

static void help(void)
{
    printf("Usage: leefbaar score --model M.yaml --input NAME=PATH[:LAYER] ... -o OUTDIR\n"
           "                      [--year Y] [--units NAME|grid] [--id-field F]\n"
           "                      [--mode grid|area] [--join NAME=KEY[:UNITS_KEY]] ...\n"
           "                      [--reference RUN.json] [--s-srs SRS] [--preview]\n"
           "                      [--geojson-crs rfc7946|rd] [--csv-sep ','|';']\n"
           "                      [-of COG|GTiff] [-co NAME=VALUE]... [--threads N] [-q]\n\n"
           "Scores the inputs on the 100 m RD grid with the model and aggregates the scores to\n"
           "the units (default: the model's weight layer, e.g. buurten). With --mode area it\n"
           "scores every polygon of the units directly from its attributes, without a grid.\n\n"
           "  --model M.yaml           model file (see models/default.yaml)\n"
           "  --input NAME=PATH[:LAYER] bind a model input to a file (repeat per input)\n"
           "  -o, --output OUTDIR      output directory (created; files appear when complete)\n"
           "  --year Y                 year of the data, recorded in every output\n"
           "  --units NAME|grid        polygon input to aggregate to, or grid only\n"
           "  --id-field F             id field of the units (default BU_CODE, WK_CODE, ...)\n"
           "  --mode grid|area         grid (default) or area: score each unit polygon directly\n"
           "  --join NAME=KEY[:UNITS_KEY] area mode: input NAME is an attribute table (DBF,\n"
           "                           CSV) joined to the units where its KEY equals the\n"
           "                           units' UNITS_KEY (default the same field name)\n"
           "  --reference RUN.json     run.json of the reference year (fixed reference mode)\n"
           "  --s-srs SRS              CRS of inputs that declare none, e.g. EPSG:28992\n"
           "  --geojson-crs rd         GeoJSON in RD New with a crs member (default RFC 7946)\n"
           "  --csv-sep ';'            CSV separator for Dutch spreadsheets\n"
           "  --preview                also write class_<year>.png, a picture of the class "
           "map\n" CLI_COMMON_HELP "\n"
           "-of and -co apply to the rasters (scores_<year>.tif, class_<year>.tif) as in\n"
           "gdal_translate; the defaults are COG with DEFLATE, predictor and overviews.\n\n"
           "Outputs: scores.gpkg (QGIS styles inside), scores_<year>.tif, class_<year>.tif,\n"
           "their QGIS styles scores_<year>.qml and class_<year>.qml, <units>.geojson,\n"
           "<units>.csv, <units>.qml, run.json (area mode: no grid layer and no rasters).\n");
}

/* NAME=PATH[:LAYER]: the layer is split off at the last ':' unless PATH names a file. */
static int parse_input(char *arg, lb_input_spec *spec)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return 0;
    *eq = '\0';
    spec->name = arg;
    spec->path = eq + 1;
    spec->layer = NULL;
    struct stat sb;
    char *colon = strrchr(eq + 1, ':');
    if (colon && stat(eq + 1, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        spec->layer = colon + 1;
    }
    return 1;
}

/* NAME=KEY[:UNITS_KEY], split in place. */
static int parse_join(char *arg, lb_join_spec *j)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return 0;
    *eq = '\0';
    j->input = arg;
    j->key = eq + 1;
    j->units_key = NULL;
    char *colon = strchr(eq + 1, ':');
    if (colon) {
        *colon = '\0';
        j->units_key = colon + 1;
        if (!colon[1] || colon == eq + 1)
            return 0;
    }
    return 1;
}

int cmd_score(int argc, char **argv)
{
    lb_score_options o;
    lb_score_options_init(&o);
    cli_common com = {0};
    lb_input_spec *inputs = calloc((size_t)argc, sizeof(*inputs));
    lb_join_spec *joins = calloc((size_t)argc, sizeof(*joins));
    if (!inputs || !joins) {
        free(inputs);
        free(joins);
        return CLI_FAIL;
    }
    size_t n_inputs = 0, n_joins = 0;
    int rc = CLI_OK;
    /* Joined before parsing: --input values are split in place. */
    char *cmdline = cli_join(argc, argv);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *v = NULL;
        int r;
        if ((r = cli_common_option(prog, argc, argv, &i, &com)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
        } else if ((r = cli_value(prog, argc, argv, &i, "--model", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.model_path = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--input", "-i", &v)) != 0) {
            if (r < 0 || !parse_input((char *)v, &inputs[n_inputs++]))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "--input wants NAME=PATH[:LAYER], got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--output", "-o", &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.outdir = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--year", NULL, &v)) != 0) {
            if (r < 0 || !cli_int(v, &o.year))
                rc = r < 0 ? CLI_USAGE : cli_usage_error(prog, "--year wants a year, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--units", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.units = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--mode", NULL, &v)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
            else if (strcmp(v, "area") == 0)
                o.mode = LB_MODE_AREA;
            else if (strcmp(v, "grid") != 0)
                rc = cli_usage_error(prog, "--mode wants grid or area, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--join", NULL, &v)) != 0) {
            if (r < 0 || !parse_join((char *)v, &joins[n_joins++]))
                rc = r < 0
                         ? CLI_USAGE
                         : cli_usage_error(prog, "--join wants NAME=KEY[:UNITS_KEY], got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--id-field", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.id_field = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--reference", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.reference_path = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--s-srs", "-s_srs", &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.s_srs = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--geojson-crs", NULL, &v)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
            else if (strcmp(v, "rd") == 0)
                o.geojson_rd = 1;
            else if (strcmp(v, "rfc7946") != 0)
                rc = cli_usage_error(prog, "--geojson-crs wants rfc7946 or rd, got '%s'", v);
        } else if (strcmp(argv[i], "--preview") == 0) {
            o.preview = 1;
        } else if ((r = cli_value(prog, argc, argv, &i, "--csv-sep", NULL, &v)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
            else if ((v[0] == ',' || v[0] == ';') && !v[1])
                o.csv_sep = v[0];
            else
                rc = cli_usage_error(prog, "--csv-sep wants ',' or ';', got '%s'", v);
        } else {
            rc = cli_usage_error(prog, "unknown option '%s'", argv[i]);
        }
    }
    if (rc == CLI_OK && com.help) {
        help();
        free(cmdline);
        free(inputs);
        free(joins);
        return CLI_OK;
    }
    if (rc == CLI_OK && !o.model_path)
        rc = cli_usage_error(prog, "--model is required");
    if (rc == CLI_OK && !o.outdir)
        rc = cli_usage_error(prog, "-o OUTDIR is required");
    if (rc != CLI_OK) {
        free(cmdline);
        free(inputs);
        free(joins);
        return rc;
    }
    o.inputs = inputs;
    o.n_inputs = n_inputs;
    o.joins = joins;
    o.n_joins = n_joins;
    o.raster_format = com.format;
    o.creation_options = com.n_co ? com.co : NULL;
    o.command_line = cmdline;
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, com.quiet, &term);
    if (!ctx) {
        rc = CLI_FAIL;
    } else {
        lb_ctx_set_threads(ctx, com.threads);
        lb_status st = lb_score_run(ctx, &o);
        rc = st == LB_OK ? CLI_OK : cli_fail(prog, ctx, st, &term);
        if (st == LB_OK && !com.quiet)
            fprintf(stderr, "%s: wrote %s\n", prog, o.outdir);
    }
    lb_ctx_destroy(ctx);
    free(cmdline);
    free(inputs);
    free(joins);
    return rc;
}
