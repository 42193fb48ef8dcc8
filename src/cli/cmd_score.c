/* SPDX-License-Identifier: MIT */
/* leefbaar score: the help text; the options go through cli_api_command() to lb_score_run().
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
           "                      [--full-precision] [--viewer [--viewer-lib DIR]]\n"
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
        "                           grid), tif (the rasters); run.json always\n"
        "  --viewer                 also write OUTDIR/viewer: index.html, an interactive map\n"
        "                           of this run that opens offline (as leefbaar viewer)\n"
        "  --viewer-lib DIR         the web-map library for --viewer (default:\n"
        "                           $LEEFBAAR_VIEWER_LIB, else the installed copy;\n"
        "                           scripts/setup-deps.sh --viewer fetches it)\n"
        "  --viewer-title TEXT      title of the viewer's page\n" CLI_OVERWRITE_HELP CLI_COMMON_HELP
        "\n"
        "-of and -co apply to the rasters (scores_<year>.tif, class_<year>.tif) as in\n"
        "gdal_translate; the defaults are COG with DEFLATE, predictor and overviews.\n\n"
        "Outputs: scores.gpkg (layers grid and <units>, one row per unit and year, and\n"
        "per year grid_<year> and <units>_<year>; QGIS styles inside: lbm and one per\n"
        "dimension), per year scores_<year>.tif and class_<year>.tif with their QGIS\n"
        "styles scores_<year>.qml and class_<year>.qml, per year and dimension\n"
        "dim_<code>_<year>.tif with dim_<code>_<year>.qml, <units>.geojson, <units>.csv,\n"
        "<units>.qml, run.json (area mode: no grid layer and no rasters).\n");
}

int cmd_score(int argc, char **argv)
{
    return cli_api_command(prog, "score", argc, argv, help, lb_score_run, 1);
}
