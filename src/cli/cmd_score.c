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

/* NAME[@YEAR]=PATH[:LAYER]: the layer is split off at the last ':' unless PATH names a file;
 * NAME@YEAR goes to the library as it is. */
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

/* Add the comma-separated years of @p v to years[*n]; 0 on a malformed list. */
static int add_years(const char *v, int *years, size_t *n, size_t cap)
{
    char buf[32];
    for (const char *p = v; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof(buf) || *n == cap)
            return 0;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (!cli_int(buf, &years[*n]))
            return 0;
        (*n)++;
        p += len + (comma ? 1 : 0);
        if (comma && !*p)
            return 0;
    }
    return 1;
}

/* NAME=KEY[:UNITS_KEY], split in place. */
/* NAME=EXPRESSION (split in place). */
static int parse_where(char *arg, lb_where_spec *w)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return 0;
    *eq = '\0';
    w->input = arg;
    w->where = eq + 1;
    return 1;
}

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

static lb_status run(lb_ctx *ctx, const void *o)
{
    return lb_score_run(ctx, (const lb_score_options *)o);
}

int cmd_score(int argc, char **argv)
{
    lb_score_options o;
    lb_score_options_init(&o);
    cli_common com = {0};
    lb_input_spec *inputs = calloc((size_t)argc, sizeof(*inputs));
    size_t cap_years = 16 * (size_t)argc, n_years = 0;
    int *years = calloc(cap_years, sizeof(int));
    lb_join_spec *joins = calloc((size_t)argc, sizeof(*joins));
    lb_where_spec *wheres = calloc((size_t)argc, sizeof(*wheres));
    if (!inputs || !years || !joins || !wheres) {
        free(inputs);
        free(years);
        free(joins);
        free(wheres);
        return CLI_FAIL;
    }
    size_t n_inputs = 0, n_joins = 0, n_wheres = 0;
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
            if (r < 0 || n_years == cap_years || !cli_int(v, &years[n_years++]))
                rc = r < 0 ? CLI_USAGE : cli_usage_error(prog, "--year wants a year, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--years", NULL, &v)) != 0) {
            if (r < 0 || !add_years(v, years, &n_years, cap_years))
                rc = r < 0
                         ? CLI_USAGE
                         : cli_usage_error(prog, "--years wants years like 2020,2022, got '%s'", v);
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
        } else if ((r = cli_value(prog, argc, argv, &i, "--where", NULL, &v)) != 0) {
            if (r < 0 || !parse_where((char *)v, &wheres[n_wheres++]))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "--where wants NAME=EXPRESSION, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--id-field", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.id_field = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--reference", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.reference_path = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--s-srs", "-s_srs", &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.s_srs = v;
        } else if ((r = cli_table_option(prog, argc, argv, &i, &o.geojson_rd, &o.csv_sep,
                                         &o.full_precision)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
        } else if ((r = cli_value(prog, argc, argv, &i, "--outputs", NULL, &v)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
            else if (lb_score_outputs_parse(NULL, v, &o.outputs) != LB_OK)
                rc = cli_usage_error(prog,
                                     "--outputs wants a comma-separated list of gpkg, grid, "
                                     "geojson, csv, tif or all, got '%s'",
                                     v);
        } else if (strcmp(argv[i], "--preview") == 0) {
            o.preview = 1;
        } else {
            rc = cli_usage_error(prog, "unknown option '%s'", argv[i]);
        }
    }
    if (rc == CLI_OK && com.help) {
        help();
        free(cmdline);
        free(inputs);
        free(years);
        free(joins);
        free(wheres);
        return CLI_OK;
    }
    if (rc == CLI_OK && !o.model_path)
        rc = cli_usage_error(prog, "--model is required");
    if (rc == CLI_OK && !o.outdir)
        rc = cli_usage_error(prog, "-o OUTDIR is required");
    if (rc != CLI_OK) {
        free(cmdline);
        free(inputs);
        free(years);
        free(joins);
        free(wheres);
        return rc;
    }
    if (n_years == 1) {
        o.year = years[0];
    } else {
        o.years = years;
        o.n_years = n_years;
    }
    o.inputs = inputs;
    o.n_inputs = n_inputs;
    o.joins = joins;
    o.n_joins = n_joins;
    o.wheres = wheres;
    o.n_wheres = n_wheres;
    o.raster_format = com.format;
    o.creation_options = com.n_co ? com.co : NULL;
    o.overwrite = com.overwrite;
    o.command_line = cmdline;
    rc = cli_run(prog, &com, run, &o, o.outdir);
    free(cmdline);
    free(inputs);
    free(years);
    free(joins);
    free(wheres);
    return rc;
}
