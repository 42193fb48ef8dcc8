/* SPDX-License-Identifier: MIT */
/* leefbaar score: every option to lb_opts_set(), then lb_score_run() and lb_result_write().
 * The library parses and checks every value. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const prog = "leefbaar score";

static void help(void)
{
    printf("Usage: leefbaar score --model M.yaml --input NAME[@YEAR]=PATH[:LAYER] ... -o OUTDIR\n"
           "                      [--year Y ... | --years Y1,Y2,...] [--units NAME|grid]\n"
           "                      [--id-field F] [--where NAME=EXPR] [--mode grid|area]\n"
           "                      [--join NAME=KEY[:UNITS_KEY]]\n"
           "                      [--reference RUN.json] [--s-srs SRS] [--preview]\n"
           "                      [--outputs gpkg,grid,geojson,csv,tif]\n"
           "                      [--geojson-crs rfc7946|rd] [--csv-sep ','|';']\n"
           "                      [--full-precision]\n"
           "                      [-of COG|GTiff] [-co NAME=VALUE]... [--threads N] [-q]\n\n"
           "Scores the inputs on the 100 m RD grid with the model and aggregates the scores to\n"
           "the units (default: the model's weight layer, e.g. buurten). Several years are\n"
           "scored in one run with one grid: in fixed mode the model's reference year first,\n"
           "the others against its reference. With --mode area it scores every polygon of the\n"
           "units directly from its attributes, without a grid (one year).\n\n"
           "  --model M.yaml           model file (see models/default.yaml)\n"
           "  -i, --input NAME[@YEAR]=PATH[:LAYER]\n"
           "                           bind a model input to a file (repeat per input); with\n"
           "                           @YEAR for that year only, without for every year;\n"
           "                           a vector input bound to several files reads them as\n"
           "                           one layer (same fields; rasters: one file)\n"
           "  -o, --output OUTDIR      output directory (created; files appear when complete)\n"
           "  --year Y                 year of the data, recorded in every output (repeat for\n"
           "                           several years)\n"
           "  --years Y1,Y2,...        several years at once\n"
           "  --units NAME|grid        polygon input to aggregate to, or grid only\n"
           "  --id-field F             id field of the units (default BU_CODE/buurtcode,\n"
           "                           WK_CODE/wijkcode, GM_CODE/gemeentecode, PC6, PC4, ...)\n"
           "  --where NAME=EXPR        read only the features of input NAME that match the OGR\n"
           "                           SQL expression, e.g. buurten=\"gemeentecode = 'GM0363'\"\n"
           "                           (in every file bound to NAME)\n"
           "  --mode grid|area         grid (default) or area: score each unit polygon directly\n"
           "  --join NAME=KEY[:UNITS_KEY] area mode: input NAME is an attribute table (DBF,\n"
           "                           CSV) joined to the units where its KEY equals the\n"
           "                           units' UNITS_KEY (default the same field name)\n");
    /* two calls: one literal would pass the 4095 characters ISO C promises to support */
    printf(
        "  --reference RUN.json     run.json of the reference year (fixed reference mode)\n"
        "  --s-srs SRS              CRS of inputs that declare none, e.g. EPSG:28992\n"
        "  --geojson-crs rd         GeoJSON in RD New with a crs member (default RFC 7946)\n"
        "  --csv-sep ';'            CSV separator for Dutch spreadsheets (decimal comma)\n"
        "  --full-precision         CSV and GeoJSON numbers unrounded, as in scores.gpkg\n"
        "  --preview                also write class_<year>.png, a picture of the class "
        "map\n"
        "  --outputs LIST           write only these (comma-separated; default all): gpkg\n"
        "                           (scores.gpkg layer <units>), grid (its layer grid),\n"
        "                           geojson, csv (<units>.csv, grid.csv with --units\n"
        "                           grid), tif (the rasters); run.json always\n" CLI_OVERWRITE_HELP
            CLI_COMMON_HELP "\n"
        "-of and -co apply to the rasters (scores_<year>.tif, class_<year>.tif) as in\n"
        "gdal_translate; the defaults are COG with DEFLATE, predictor and overviews.\n\n"
        "Outputs: scores.gpkg (layers grid and <units>, one row per unit and year, QGIS\n"
        "styles inside), per year scores_<year>.tif and class_<year>.tif with their QGIS\n"
        "styles scores_<year>.qml and class_<year>.qml, <units>.geojson, <units>.csv,\n"
        "<units>.qml, run.json (area mode: no grid layer and no rasters).\n");
}

/* Give option argv[*i] (and its value) to the option set; CLI_OK or CLI_USAGE (message
 * printed). Long options are the library's keys; -i, -o, -of, -co and -s_srs its aliases.
 * *outdir receives the value of the output directory. */
static int store_option(lb_ctx *ctx, lb_opts *o, int argc, char **argv, int *i, const char **outdir)
{
    const char *arg = argv[*i];
    const char *name = arg + (arg[0] == '-' && arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    char key[64];
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    long k = -1;
    if (arg[0] == '-' && len > 0 && len < sizeof(key)) {
        memcpy(key, name, len);
        key[len] = '\0';
        k = lb_opts_key_find(o, key);
    }
    if (k < 0)
        return cli_usage_error(prog, "unknown option '%.*s'",
                               (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
    const char *value = eq ? eq + 1 : NULL;
    /* a flag takes no value; --geojson-rd is the flag spelling of --geojson-crs rd */
    if (!eq && !lb_opts_key_is_flag(o, (size_t)k) && strcmp(key, "geojson-rd") != 0) {
        if (*i + 1 >= argc)
            return cli_usage_error(prog, "option %s needs a value", arg);
        value = argv[++*i];
    }
    if (lb_opts_set(ctx, o, key, value) != LB_OK)
        return cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
    if (strcmp(lb_opts_key_name(o, (size_t)k), "output") == 0)
        *outdir = value;
    return CLI_OK;
}

/* -of, -co and --overwrite are options of the operation; -q, --threads, --config and --help the
 * tool's own. */
static int tool_option(const char *a)
{
    return strcmp(a, "--overwrite") != 0 && strcmp(a, "-of") != 0 && strcmp(a, "--of") != 0 &&
           strcmp(a, "-co") != 0 && strcmp(a, "--co") != 0 && strncmp(a, "--of=", 5) != 0 &&
           strncmp(a, "--co=", 5) != 0;
}

int cmd_score(int argc, char **argv)
{
    cli_term term;
    lb_ctx *ctx = cli_ctx(prog, 0, &term);
    if (!ctx)
        return CLI_FAIL;
    cli_common com = {0};
    lb_opts *o = NULL;
    lb_result *res = NULL;
    const char *outdir = NULL;
    int rc = CLI_OK;
    char *cmdline = cli_join(argc, argv);
    if (!cmdline || lb_opts_create(ctx, "score", &o) != LB_OK ||
        lb_opts_set(ctx, o, "command-line", cmdline) != LB_OK) {
        fprintf(stderr, "%s: error: %s\n", prog, cmdline ? lb_ctx_errmsg(ctx) : "out of memory");
        rc = CLI_FAIL;
    }
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        int r = tool_option(argv[i]) ? cli_common_option(prog, argc, argv, &i, &com) : 0;
        if (r < 0)
            rc = CLI_USAGE;
        else if (r == 0)
            rc = store_option(ctx, o, argc, argv, &i, &outdir);
    }
    term.quiet = com.quiet;
    if (rc == CLI_OK && com.help) {
        help();
    } else if (rc == CLI_OK && lb_opts_check(ctx, o, 1) != LB_OK) {
        rc = cli_usage_error(prog, "%s", lb_ctx_errmsg(ctx));
    } else if (rc == CLI_OK) {
        lb_ctx_set_threads(ctx, com.threads);
        lb_status st = lb_score_run(ctx, o, &res);
        if (st == LB_OK)
            st = lb_result_write(ctx, res, o);
        rc = st == LB_OK ? CLI_OK : cli_fail(prog, ctx, st, &term);
        if (st == LB_OK && !com.quiet)
            fprintf(stderr, "%s: wrote %s\n", prog, outdir);
    }
    lb_result_destroy(res);
    lb_opts_destroy(o);
    free(cmdline);
    lb_ctx_destroy(ctx);
    return rc;
}
