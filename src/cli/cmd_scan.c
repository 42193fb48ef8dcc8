/* SPDX-License-Identifier: MIT */
/* leefbaar scan: options → lb_scan_run() → lb_result_write(). */
#include "cli.h"

#include <stdio.h>

static void help(void)
{
    printf(
        "Usage: leefbaar scan --scores RUN_DIR|TABLE[:LAYER] [--scores ...]\n"
        "                     [--gemeente CODE[,CODE...]] [--focus PATH[:LAYER]|CODE[,...]]\n"
        "                     -o OUTDIR\n\n"
        "The preventiebudget check for every wijk of one or more gemeenten (default: every wijk\n"
        "of the input) in one run: the first diagnosis of each wijk as 'leefbaar diagnose'\n"
        "makes it, ranked on its verdict. Writes OUTDIR/scan.csv (the ranking), scan.gpkg (the\n"
        "wijken styled on the verdict, when the scores have polygons), index.html (the ranking\n"
        "with a link to each diagnosis), <wijk>.html, .md and .json per wijk, and run.json.\n"
        "With three or more years: the trend of each wijk's score per year with its standard\n"
        "error, and the years until it reaches the aandachtswijken level at that trend (an\n"
        "extrapolation, not a forecast).\n\n"
        "Scores (our runs or published Leefbaarometer tables):\n"
        "  --scores PATH[:LAYER]    a run directory of 'leefbaar score' (or its run.json), or a\n"
        "                           table with one row per unit and year (repeat for more)\n"
        "  --id-field F             id column of the tables (default BU_CODE, WK_CODE, PC4, ...)\n"
        "  --year-field F           year column of the tables (default year / jaar)\n"
        "  --table-year Y           year of every row of a table without a year column\n"
        "  --weight-field F         weight column of the tables (default weight; else none)\n"
        "  --geometry PATH[:LAYER]  polygons of the table's units, joined on the id\n"
        "  --geometry-id F          id field of those polygons (default: autodetect)\n"
        "  --s-srs SRS              CRS of inputs that declare none, e.g. EPSG:28992\n\n"
        "Which wijken:\n"
        "  --gemeente CODE[,...]    gemeente codes (or wijk codes, unit ids); 'X*' is a prefix\n"
        "                           (default: all). Each wijk is compared with its own gemeente\n"
        "                           (input without gemeente codes: with the units chosen)\n"
        "  --focus PATH[:LAYER]|CODE[,...]  aandachtswijken as polygons or codes\n"
        "  --min-inside S           share of a unit inside a polygon to belong (default 0.5)\n"
        "  --year Y[,Y...]          years to use (default all; the last is the peiljaar)\n\n"
        "Preventiebudget check (as leefbaar diagnose; see README):\n"
        "  --clear-sd K             'clearly below the gemeente': at least K sd (default 0.5)\n"
        "  --focus-distance D       near aandachtswijk level: lbm within D (default 0.20)\n"
        "  --min-inhabitants N      size criterion (default 2500)\n\n"
        "Output:\n"
        "  -o, --output DIR         output directory (created; files appear when complete)\n"
        "  --overwrite              replace the files of an earlier scan in DIR\n"
        "  -q, --quiet              no messages\n"
        "  --config KEY VALUE       set a GDAL configuration option\n");
}

int cmd_scan(int argc, char **argv)
{
    return cli_api_command("leefbaar scan", "scan", argc, argv, help, lb_scan_run, 0);
}
