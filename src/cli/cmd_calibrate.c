/* SPDX-License-Identifier: MIT */
/* leefbaar calibrate: the help text; the options go through cli_api_command() to
 * lb_calibrate_run(). The library parses and checks every value. */
#include "cli.h"

#include <stdio.h>

static void help(void)
{
    printf(
        "Usage: leefbaar calibrate --model M.yaml --input NAME=PATH[:LAYER] ...\n"
        "                          --target TABLE[:LAYER]:FIELD | --target-dim CODE=TABLE:FIELD\n"
        "                          -o FITTED.yaml [--year Y] [--units NAME] [--mode area|grid]\n"
        "                          [--weight inhabitants|none] [--cluster-field F] [--folds K]\n"
        "                          [--ridge LAMBDA|cv] [--ref keep|target] [--overwrite]\n\n"
        "Fits the model's coefficients to a target per unit (resident judgements, published\n"
        "Leefbaarometer scores) by weighted least squares: the indicators are evaluated on the\n"
        "units exactly as 'leefbaar score' evaluates them, the target is joined by code, and the\n"
        "fit is reported with standard errors (also clustered by gemeente), R² and R² cross-\n"
        "validated with whole gemeenten left out. Writes the fitted model (the input model with\n"
        "its coefficients replaced and a calibration block; 'leefbaar score' runs it as it is)\n"
        "and beside it BASE.calibrate.json, BASE.calibrate.md, BASE.calibrate.html and\n"
        "BASE.predictions.csv.\n\n"
        "Indicators (as for score):\n"
        "  --model M.yaml           model whose coefficients are fitted\n"
        "  -i, --input NAME=PATH[:LAYER]  bind a model input to a file (repeat per input)\n"
        "  --units NAME             polygon input of the target's units (default: the model's\n"
        "                           weight layer)\n"
        "  --id-field F             code field of the units (default BU_CODE, WK_CODE, ...)\n"
        "  --where NAME=EXPR        read only the features of input NAME matching the OGR SQL\n"
        "  --mode area|grid         area (default): each unit from its own attributes; grid:\n"
        "                           on the 100 m grid, aggregated to the units\n"
        "  --join NAME=KEY[:UNITS_KEY] area mode: attribute table NAME joined to the units\n"
        "  --s-srs SRS              CRS of inputs that declare none\n\n"
        "Targets:\n"
        "  --target TABLE[:LAYER]:FIELD  the total's target, fitted on all indicators\n"
        "  --target-dim CODE=TABLE[:LAYER]:FIELD  a dimension's own target, fitted on the\n"
        "                           indicators of dimension CODE (repeatable)\n"
        "  --target-id F            code field of the target tables (default: the units' code\n"
        "                           field, else the table's finest code field)\n"
        "  --target-year-field F    year field of the tables (default jaar or year)\n"
        "  --year Y                 use the rows of year Y (required when a table holds more\n"
        "                           than one year); also the year scored\n\n");
    printf("Fit:\n"
           "  --weight inhabitants|none  weights: the units' model weight (default) or none\n"
           "  --cluster-field F        gemeente field of the units or the target table (default\n"
           "                           GM_CODE; else derived from BU/WK codes)\n"
           "  --folds K                K cross-validation folds of whole gemeenten (default: one\n"
           "                           gemeente per fold)\n"
           "  --ridge LAMBDA|cv        ridge penalty, or cv: chosen by the same cross-validation\n"
           "  --ref keep|target        REF of the fitted model: kept (default), or the weighted\n"
           "                           mean of the total target (scores on the target's scale)\n\n"
           "Output:\n"
           "  -o, --output FITTED.yaml the fitted model; the reports go beside it\n"
           "  --overwrite              replace the files of an earlier calibrate of that name\n"
           "  --csv-sep ','|';'        separator of the predictions CSV\n"
           "  --threads N              threads, 0 to 256 (default 0: all cores)\n"
           "  -q, --quiet              no progress\n"
           "  --config KEY VALUE       set a GDAL configuration option\n"
           "  -h, --help               this help\n");
}

int cmd_calibrate(int argc, char **argv)
{
    return cli_api_command("leefbaar calibrate", "calibrate", argc, argv, help, lb_calibrate_run,
                           1);
}
