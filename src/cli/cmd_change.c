/* SPDX-License-Identifier: MIT */
/* leefbaar change: options → lb_change_run(). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const prog = "leefbaar change";

static void help(void)
{
    printf(
        "Usage: leefbaar change --from SRC --to SRC [--from-year Y] [--to-year Y] -o OUTDIR\n"
        "       leefbaar change --scores SRC --from-year Y0 --to-year Y1 -o OUTDIR\n\n"
        "Development between two years per unit: Δ = score(to) − score(from) for lbm, afw and\n"
        "every dimension, with the development classes (a Δ equal to a cut goes to the upper\n"
        "class). SRC is a 'leefbaar score' output directory (or its run.json) or a published\n"
        "table such as the Leefbaarometer's (PC4,jaar,lbm,afw,fys,onv,soc,vrz,won).\n\n"
        "  --from SRC, --to SRC     the earlier and the later scores\n"
        "  --scores SRC             one source holding both years\n"
        "  --from-year Y, --to-year Y  the years (needed when a source holds more than one,\n"
        "                           or is a table without a year column)\n"
        "  -o, --output OUTDIR      output directory (created; files appear when complete)\n"
        "  --layer NAME             units layer of a run (default its units; 'grid' for cells)\n"
        "                           or layer of a table\n"
        "  --id-field F             id column (default BU_CODE, WK_CODE, GM_CODE, PC6, PC4, ...)\n"
        "  --year-field F           year column of a table (default year or jaar)\n"
        "  --weight-field F         weight column of a table (e.g. inhabitants)\n"
        "  --geometry PATH[:LAYER]  polygons for tables without geometry, joined on the id\n"
        "  --geometry-id F          id field of those polygons (default: the best match)\n"
        "  --s-srs SRS              CRS of inputs that declare none\n"
        "  --dev-classes 7|9        development classes (default the model's, else 7)\n"
        "  --dev-cuts C1,...        custom cuts: 6 (7 classes) or 8 (9 classes)\n"
        "  --geojson-crs rd         GeoJSON in RD New with a crs member (default RFC 7946)\n"
        "  --csv-sep ';'            CSV separator for Dutch spreadsheets (decimal comma)\n"
        "  --full-precision         CSV and GeoJSON numbers unrounded (as in change.gpkg)\n"
        "  --preview                also write change_class_<y0>_<y1>.png, a picture of the\n"
        "                           development map (grid runs)\n" CLI_OVERWRITE_HELP
            CLI_COMMON_HELP "\n"
        "Outputs: change.gpkg (layer change, QGIS style inside), change.geojson with\n"
        "change.qml, change.csv, run.json; for two grid runs on one grid also\n"
        "change_<y0>_<y1>.tif (Δ bands) and change_class_<y0>_<y1>.tif with their .qml.\n");
}

/* Comma-separated numbers into cuts[]; the count in *n; 0 when malformed. */
static int parse_cuts(const char *v, double *cuts, size_t cap, size_t *n)
{
    *n = 0;
    const char *p = v;
    while (*p) {
        char *end = NULL;
        double x = strtod(p, &end);
        if (end == p || *n == cap || (*end && *end != ','))
            return 0;
        cuts[(*n)++] = x;
        p = *end ? end + 1 : end;
        if (*end && !*p)
            return 0;
    }
    return *n > 0;
}

static lb_status run(lb_ctx *ctx, const void *o)
{
    return lb_change_run(ctx, (const lb_change_options *)o);
}

int cmd_change(int argc, char **argv)
{
    lb_change_options o;
    lb_change_options_init(&o);
    cli_common com = {0};
    const char *scores = NULL, *layer = NULL, *id_field = NULL, *year_field = NULL;
    const char *weight_field = NULL, *geometry = NULL, *geometry_id = NULL, *s_srs = NULL;
    double cuts[16];
    int rc = CLI_OK;
    char *cmdline = cli_join(argc, argv);
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *v = NULL;
        int r;
        if ((r = cli_common_option(prog, argc, argv, &i, &com)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
        } else if ((r = cli_value(prog, argc, argv, &i, "--from", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.from.path = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--to", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.to.path = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--scores", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            scores = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--from-year", NULL, &v)) != 0) {
            if (r < 0 || !cli_int(v, &o.from_year))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "--from-year wants a year, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--to-year", NULL, &v)) != 0) {
            if (r < 0 || !cli_int(v, &o.to_year))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "--to-year wants a year, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--output", "-o", &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.outdir = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--layer", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            layer = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--id-field", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            id_field = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--year-field", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            year_field = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--weight-field", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            weight_field = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--geometry", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            geometry = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--geometry-id", NULL, &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            geometry_id = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--s-srs", "-s_srs", &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            s_srs = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--dev-classes", NULL, &v)) != 0) {
            if (r < 0 || !cli_int(v, &o.dev_classes) || (o.dev_classes != 7 && o.dev_classes != 9))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "--dev-classes wants 7 or 9, got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--dev-cuts", NULL, &v)) != 0) {
            if (r < 0 || !parse_cuts(v, cuts, sizeof(cuts) / sizeof(cuts[0]), &o.n_dev_cuts))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog,
                                             "--dev-cuts wants numbers like "
                                             "-0.2,-0.1333,-0.0666,0.0666,0.1333,0.2, got '%s'",
                                             v);
            o.dev_cuts = cuts;
        } else if (strcmp(argv[i], "--preview") == 0) {
            o.preview = 1;
        } else if ((r = cli_table_option(prog, argc, argv, &i, &o.geojson_rd, &o.csv_sep,
                                         &o.full_precision)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
        } else {
            rc = cli_usage_error(prog, "unknown option '%s'", argv[i]);
        }
    }
    if (rc == CLI_OK && com.help) {
        help();
        free(cmdline);
        return CLI_OK;
    }
    if (rc == CLI_OK && scores && (o.from.path || o.to.path))
        rc = cli_usage_error(prog, "give either --scores or --from/--to");
    if (rc == CLI_OK && scores)
        o.from.path = scores;
    if (rc == CLI_OK && !o.from.path)
        rc = cli_usage_error(prog, "--from and --to (or --scores) are required");
    if (rc == CLI_OK && o.to.path == NULL && !scores)
        rc = cli_usage_error(prog, "--to is required with --from (or use --scores)");
    if (rc == CLI_OK && !o.outdir)
        rc = cli_usage_error(prog, "-o OUTDIR is required");
    if (rc != CLI_OK) {
        free(cmdline);
        return rc;
    }
    lb_score_source *sides[2] = {&o.from, &o.to};
    for (int k = 0; k < 2; k++) {
        sides[k]->layer = layer;
        sides[k]->id_field = id_field;
        sides[k]->year_field = year_field;
        sides[k]->weight_field = weight_field;
        sides[k]->geometry = geometry;
        sides[k]->geometry_id = geometry_id;
        sides[k]->s_srs = s_srs;
    }
    o.raster_format = com.format;
    o.creation_options = com.n_co ? com.co : NULL;
    o.overwrite = com.overwrite;
    o.command_line = cmdline;
    rc = cli_run(prog, &com, run, &o, o.outdir);
    free(cmdline);
    return rc;
}
