/* SPDX-License-Identifier: MIT */
/* leefbaar diagnose: options → lb_diagnose_run(). */
#include "cli.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const prog = "leefbaar diagnose";

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

/* PATH[:LAYER] of --scores: the layer is split off at the last ':' unless PATH exists. */
static void split_layer(char *arg, lb_score_source *src)
{
    struct stat sb;
    src->path = arg;
    src->layer = NULL;
    char *colon = strrchr(arg, ':');
    if (colon && stat(arg, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        src->layer = colon + 1;
    }
}

static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!*s || *end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* "2020,2022" appended to years[]. */
static int parse_years(const char *s, int *years, size_t *n, size_t cap)
{
    char buf[256];
    if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
        return 0;
    for (char *p = buf, *q; p && *p; p = q) {
        q = strchr(p, ',');
        if (q)
            *q++ = '\0';
        if (*n >= cap || !cli_int(p, &years[*n]))
            return 0;
        (*n)++;
    }
    return 1;
}

/* Options that take a text value, and where it goes: a field of the options or of the
 * source options shared by every --scores. */
typedef struct text_opt {
    const char *name;
    int in_source;
    size_t offset;
} text_opt;

static const text_opt text_opts[] = {
    {"--wijk", 0, offsetof(lb_diagnose_options, wijk)},
    {"--wijk-polygon", 0, offsetof(lb_diagnose_options, wijk_polygon)},
    {"--naam", 0, offsetof(lb_diagnose_options, wijk_name)},
    {"--gemeente", 0, offsetof(lb_diagnose_options, gemeente)},
    {"--gemeente-polygon", 0, offsetof(lb_diagnose_options, gemeente_polygon)},
    {"--gemeente-naam", 0, offsetof(lb_diagnose_options, gemeente_name)},
    {"--focus", 0, offsetof(lb_diagnose_options, focus)},
    {"--name", 0, offsetof(lb_diagnose_options, basename)},
    {"--s-srs", 0, offsetof(lb_diagnose_options, s_srs)},
    {"--id-field", 1, offsetof(lb_score_source, id_field)},
    {"--year-field", 1, offsetof(lb_score_source, year_field)},
    {"--weight-field", 1, offsetof(lb_score_source, weight_field)},
    {"--geometry", 1, offsetof(lb_score_source, geometry)},
    {"--geometry-id", 1, offsetof(lb_score_source, geometry_id)},
};

static const struct {
    const char *name;
    size_t offset;
} num_opts[] = {
    {"--min-inside", offsetof(lb_diagnose_options, min_inside)},
    {"--clear-sd", offsetof(lb_diagnose_options, clear_sd)},
    {"--focus-distance", offsetof(lb_diagnose_options, focus_distance)},
    {"--min-inhabitants", offsetof(lb_diagnose_options, min_inhabitants)},
};

static lb_status run(lb_ctx *ctx, const void *o)
{
    return lb_diagnose_run(ctx, (const lb_diagnose_options *)o);
}

int cmd_diagnose(int argc, char **argv)
{
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    lb_score_source common = {0}; /* source options shared by every --scores */
    cli_common com = {0};
    lb_score_source *src = calloc((size_t)argc, sizeof(*src));
    int *years = calloc((size_t)argc * 8 + 1, sizeof(int));
    size_t n_src = 0, n_years = 0;
    char *cmdline = cli_join(argc, argv);
    int rc = src && years && cmdline ? CLI_OK : CLI_FAIL;
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *v = NULL;
        int r = cli_common_option(prog, argc, argv, &i, &com), done = r != 0;
        if (r < 0)
            rc = CLI_USAGE;
        for (size_t k = 0; !done && k < sizeof(text_opts) / sizeof(text_opts[0]); k++) {
            if ((r = cli_value(prog, argc, argv, &i, text_opts[k].name, NULL, &v)) == 0)
                continue;
            done = 1;
            if (r < 0)
                rc = CLI_USAGE;
            else
                *(const char **)((text_opts[k].in_source ? (char *)&common : (char *)&o) +
                                 text_opts[k].offset) = v;
        }
        for (size_t k = 0; !done && k < sizeof(num_opts) / sizeof(num_opts[0]); k++) {
            if ((r = cli_value(prog, argc, argv, &i, num_opts[k].name, NULL, &v)) == 0)
                continue;
            done = 1;
            if (r < 0 || !parse_double(v, (double *)((char *)&o + num_opts[k].offset)))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "%s wants a number, got '%s'", num_opts[k].name,
                                             v);
        }
        if (done)
            continue;
        if ((r = cli_value(prog, argc, argv, &i, "--scores", "-s", &v)) != 0) {
            if (r < 0)
                rc = CLI_USAGE;
            else
                split_layer((char *)v, &src[n_src++]);
        } else if ((r = cli_value(prog, argc, argv, &i, "--output", "-o", &v)) != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            o.outdir = v;
        } else if ((r = cli_value(prog, argc, argv, &i, "--year", NULL, &v)) != 0) {
            if (r < 0 || !parse_years(v, years, &n_years, (size_t)argc * 8))
                rc =
                    r < 0 ? CLI_USAGE : cli_usage_error(prog, "--year wants Y[,Y...], got '%s'", v);
        } else if ((r = cli_value(prog, argc, argv, &i, "--table-year", NULL, &v)) != 0) {
            if (r < 0 || !cli_int(v, &common.year))
                rc = r < 0 ? CLI_USAGE
                           : cli_usage_error(prog, "--table-year wants a year, got '%s'", v);
        } else {
            rc = cli_usage_error(prog, "unknown option '%s'", argv[i]);
        }
    }
    if (rc == CLI_OK && com.help) {
        help();
    } else if (rc == CLI_OK) {
        if (n_src == 0)
            rc = cli_usage_error(prog, "--scores is required");
        else if (!o.wijk && !o.wijk_polygon)
            rc = cli_usage_error(prog, "--wijk or --wijk-polygon is required");
        else if (!o.outdir)
            rc = cli_usage_error(prog, "-o REPORT_DIR is required");
    }
    if (rc == CLI_OK && !com.help) {
        for (size_t k = 0; k < n_src; k++) {
            src[k].id_field = common.id_field;
            src[k].year_field = common.year_field;
            src[k].year = common.year;
            src[k].weight_field = common.weight_field;
            src[k].geometry = common.geometry;
            src[k].geometry_id = common.geometry_id;
            src[k].s_srs = o.s_srs;
        }
        o.sources = src;
        o.n_sources = n_src;
        o.years = n_years ? years : NULL;
        o.n_years = n_years;
        o.command_line = cmdline;
        o.overwrite = com.overwrite;
        rc = cli_run(prog, &com, run, &o, NULL);
    }
    free(cmdline);
    free(years);
    free(src);
    return rc;
}
