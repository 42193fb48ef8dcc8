/* SPDX-License-Identifier: MIT */
/* leefbaar waterbed: options → lb_waterbed_run() → lb_result_write(). */
#include "cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: leefbaar waterbed --scores RUN|TABLE[:LAYER] ... (--focus PATH[:LAYER] |\n"
           "                         --focus-codes [NAME=]CODE|CODE,...) -o OUTDIR [options]\n\n"
           "Did the improvement of focus areas (e.g. the 40 aandachtswijken) go with\n"
           "deterioration around them? Zones (distance rings, adjacency orders, RIGO zones),\n"
           "statistics per focus area x zone x outcome x period, placebo p-values (pseudo\n"
           "focus areas, or re-assigned units where too few fit), pooled ring and adjacency\n"
           "regressions with wild cluster bootstrap, Benjamini-Hochberg q-values.\n\n"
           "Scores (two or more years):\n"
           "  --scores PATH[:LAYER]    run directory / run.json of `leefbaar score`, or a table\n"
           "                           of published scores (one row per unit and year); repeat\n"
           "  --geometry PATH[:LAYER]  polygons to join to a table without geometry\n"
           "  --geometry-id F          id field of those polygons (default: autodetect)\n"
           "  --id-field F, --year-field F, --weight-field F, --year Y, --s-srs SRS\n"
           "                           as for published tables (see README)\n"
           "Focus areas:\n"
           "  --focus PATH[:LAYER]     polygons (fields WK_CODE/WK_NAAM/GM_CODE or as named), or\n"
           "                           a table with one focus area per row and a field of\n"
           "                           '|'-separated unit codes (e.g. aandachtswijken_40.csv)\n"
           "  --focus-codes LIST       focus areas as [NAME=]CODE|CODE|..., comma-separated;\n"
           "                           codes match unit ids, else wijk codes, else gemeente codes\n"
           "  --focus-where SQL        OGR SQL filter on the focus layer or table\n"
           "  --focus-id F, --focus-name F, --focus-gemeente F, --focus-codes-field F\n"
           "  --focus-share X          share of a unit inside a focus polygon to be a member\n"
           "                           (default 0.5)\n"
           "  --mask PATH[:LAYER]      other treated areas, left out of zones and controls\n"
           "  --mask-codes LIST        the same as code lists\n"
           "Region (far control, regional trend, placebo candidates):\n"
           "  --region all|gemeente    default: gemeente when units carry gemeente codes\n"
           "  --region-table PATH      gemeente -> region lookup (e.g. COROP); --region-field F,\n"
           "                           --region-gemeente-field F\n"
           "  --region-radius M        units within M metres of the focus area\n"
           "Periods and zones:\n"
           "  --periods Y0-Y1,...      default: first year - last year\n"
           "  --no-pretrend            no pre-trend placebo period (previous year - t0)\n"
           "  --rings M,M,...          outer ring edges in metres (default 250,500,1000,2000)\n"
           "  --distance polygon|centroid  unit polygon or unit centroid to the focus polygon\n"
           "  --adjacency-tol M        touching tolerance (default 25)\n"
           "  --adjacency-orders N     adjacency orders reported (default 3, 0 = none)\n"
           "  --no-rigo                no RIGO zones (adjacent, rest of city, rest of region)\n");
    /* two strings: C99 compilers need only take 4095 characters in one */
    printf(
        "Statistics and tests:\n"
        "  --weight auto|source|unit|area  unit weight (default: inhabitants when known, else 1)\n"
        "  --k1 X, --k2 X           lagging thresholds in sd of d (default 1 and 2)\n"
        "  --receiving-class N      potential receiving areas: class <= N at t0 (default 4)\n"
        "  --min-control N          far-control units per baseline-class window (default 5)\n"
        "  --seed N                 random seed of placebos and bootstrap (default 1)\n"
        "  --placebo-mode auto|areas|units  placebo p-values from disjoint pseudo focus\n"
        "                           areas, or from random re-assignments of the units of\n"
        "                           the zones and far control (default auto: areas when\n"
        "                           at least 19 fit, else units)\n"
        "  --placebos M             pseudo focus areas or re-assignments per focus area\n"
        "                           (default 199; 0 = off)\n"
        "  --placebo-buffer M       candidates lie farther than M from every focus area\n"
        "                           (default: the first ring's outer edge)\n"
        "  --placebo-pool K         grown candidates per kept placebo (default 5)\n"
        "  --bootstrap B            wild cluster bootstrap draws (default 999; 0 = off)\n"
        "  --cluster auto|gemeente|wijk|focus|unit  bootstrap clusters\n");
    printf("  --boot-weights rademacher|webb  wild bootstrap weights (default rademacher;\n"
           "                           webb's 6 points for few clusters)\n"
           "  --ci-level X             level of the pooled coefficients' intervals, found by\n"
           "                           inverting the WCR bootstrap test (default 0.95; 0 = none)\n"
           "  --pooled both|ring|adjacency|none  pooled regressions (default both)\n"
           "  --pooled-fe focus|gemeente|none  their fixed effects: per focus area (default),\n"
           "                           per gemeente of the focus area, or none\n"
           "  --match-classes lbm|quantiles[:N]|B,B,...  baseline classes of the matched DiD:\n"
           "                           the 9 lbm classes (default), N weighted quantiles\n"
           "                           (default 5), or lbm breaks\n"
           "  --bh-family zone|period|run  Benjamini-Hochberg families: per period, zone and\n"
           "                           outcome (default), per period and outcome, or one\n"
           "Output:\n"
           "  -o, --output OUTDIR      waterbed.csv, waterbed_pooled.csv, zones.gpkg, run.json\n"
           "  --run-label S            value of the `run` column (default waterbed)\n"
           "  --csv-sep ';'            CSV separator for Dutch spreadsheets\n" CLI_OVERWRITE_HELP
           "  -q, --quiet              no progress\n"
           "  --config KEY VALUE       set a GDAL configuration option\n");
}

int cmd_waterbed(int argc, char **argv)
{
    return cli_api_command("leefbaar waterbed", "waterbed", argc, argv, help, lb_waterbed_run, 1);
}
