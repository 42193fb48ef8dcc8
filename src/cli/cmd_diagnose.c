/* SPDX-License-Identifier: MIT */
/* leefbaar diagnose: options → lb_diagnose_run() → lb_result_write(). */
#include "cli.h"

#include <stdio.h>

static void help(void)
{
    printf(
        "Usage: leefbaar diagnose --scores RUN_DIR|TABLE[:LAYER] [--scores ...]\n"
        "                         --wijk CODE[,CODE...]|NAME | --wijk-polygon PATH[:LAYER]\n"
        "                         [--focus PATH[:LAYER]|CODE[,CODE...]] -o REPORT_DIR\n\n"
        "First diagnosis of one wijk (eerste wijkdiagnose) for a preventiebudget plan: score\n"
        "and class, every dimension against the gemeente and the reference, development,\n"
        "the indicators behind the weakest dimensions, the buurten, and an indicative\n"
        "preventiebudget check. Writes REPORT_DIR/<wijk>.html (self-contained), .md and .json.\n\n"
        "Scores (our runs or published Leefbaarometer tables, one or more years):\n"
        "  --scores PATH[:LAYER]    a run directory of 'leefbaar score' (or its run.json), or a\n"
        "                           table with one row per unit and year (repeat for more)\n"
        "  --id-field F             id column of the tables (default BU_CODE, WK_CODE, PC4, ...)\n"
        "  --year-field F           year column of the tables (default year / jaar)\n"
        "  --table-year Y           year of every row of a table without a year column\n"
        "  --weight-field F         weight column of the tables (default weight; else none)\n"
        "  --geometry PATH[:LAYER]  polygons of the table's units, joined on the id\n"
        "  --geometry-id F          id field of those polygons (default: autodetect)\n"
        "  --s-srs SRS              CRS of inputs that declare none, e.g. EPSG:28992\n\n"
        "The wijk, its gemeente and the aandachtswijken:\n"
        "  --wijk CODE[,CODE...]    wijk code (its buurten: units with that wijk code) or unit\n"
        "                           id(s), e.g. PC4 codes; else a unit's name\n"
        "  --wijk-polygon PATH[:LAYER] the wijk as polygon: units at least --min-inside inside;\n"
        "                           with --wijk, the features whose code or name equals it\n"
        "  --naam NAME              name of the wijk in the report\n"
        "  --gemeente CODE[,...]    gemeente codes or unit ids to compare with; 'X*' is a\n"
        "                           prefix (default: the wijk's gemeente code)\n"
        "  --gemeente-polygon PATH[:LAYER]  the gemeente as polygon\n"
        "  --gemeente-naam NAME     name of the gemeente in the report\n"
        "  --focus PATH[:LAYER]|CODE[,...]  aandachtswijken as polygons or codes, for the\n"
        "                           distance to their level\n"
        "  --min-inside S           share of a unit inside a polygon to belong (default 0.5)\n"
        "  --year Y[,Y...]          years to use (default all; the last is the peiljaar)\n\n"
        "Preventiebudget check (see README):\n"
        "  --clear-sd K             'clearly below the gemeente': at least K sd (default 0.5)\n"
        "  --focus-distance D       near aandachtswijk level: lbm within D (default 0.20)\n"
        "  --min-inhabitants N      size criterion (default 2500)\n\n"
        "Output:\n"
        "  -o, --output DIR         report directory (created; files appear when complete)\n"
        "  --name BASE              file name without extension (default: the wijk code)\n"
        "  --overwrite              replace BASE.html, BASE.md and BASE.json when an earlier\n"
        "                           leefbaar diagnosis wrote them (other files in DIR stay;\n"
        "                           without it an existing BASE.* is an error)\n"
        "  -q, --quiet              no messages\n"
        "  --config KEY VALUE       set a GDAL configuration option\n");
}

int cmd_diagnose(int argc, char **argv)
{
    return cli_api_command("leefbaar diagnose", "diagnose", argc, argv, help, lb_diagnose_run, 0);
}
