/* SPDX-License-Identifier: MIT */
/* leefbaar change: options → lb_change_run() → lb_result_write(). */
#include "cli.h"

#include <stdio.h>

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
        "                           development map (grid runs)\n"
        "  --viewer                 also write OUTDIR/viewer: index.html, an interactive map\n"
        "                           of the two score runs and their development that opens\n"
        "                           offline (as leefbaar viewer; sources must be score runs)\n"
        "  --viewer-lib DIR         the web-map library for --viewer (default:\n"
        "                           $LEEFBAAR_VIEWER_LIB, else the installed copy;\n"
        "                           scripts/setup-deps.sh --viewer fetches it)\n"
        "  --viewer-title TEXT      title of the viewer's page\n" CLI_OVERWRITE_HELP CLI_COMMON_HELP
        "\n"
        "Outputs: change.gpkg (layer change, QGIS styles inside: d_lbm, d_<code> per\n"
        "dimension, lbm_<year>), change.geojson with change.qml, change.csv, run.json; for\n"
        "two grid runs on one grid also change_<y0>_<y1>.tif (Δ bands),\n"
        "change_class_<y0>_<y1>.tif and change_class_<code>_<y0>_<y1>.tif with their .qml.\n");
}

int cmd_change(int argc, char **argv)
{
    return cli_api_command("leefbaar change", "change", argc, argv, help, lb_change_run, 1);
}
