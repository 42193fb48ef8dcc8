/* SPDX-License-Identifier: MIT */
/* leefbaar waterbed: options → lb_waterbed_run(). */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const prog = "leefbaar waterbed";

static void help(void)
{
    printf("Usage: leefbaar waterbed --scores RUN|TABLE[:LAYER] ... (--focus PATH[:LAYER] |\n"
           "                         --focus-codes [NAME=]CODE|CODE,...) -o OUTDIR [options]\n\n"
           "Did the improvement of focus areas (e.g. the 40 aandachtswijken) go with\n"
           "deterioration around them? Zones (distance rings, adjacency orders, RIGO zones),\n"
           "statistics per focus area x zone x outcome x period, placebo p-values (pseudo\n"
           "focus areas, or re-assigned units where too few fit), a pooled ring regression\n"
           "with wild cluster bootstrap, Benjamini-Hochberg q-values.\n\n"
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
        "  --cluster auto|gemeente|wijk|focus|unit  bootstrap clusters\n"
        "Output:\n"
        "  -o, --output OUTDIR      waterbed.csv, waterbed_pooled.csv, zones.gpkg, run.json\n"
        "  --run-label S            value of the `run` column (default waterbed)\n"
        "  --csv-sep ';'            CSV separator for Dutch spreadsheets\n" CLI_OVERWRITE_HELP
        "  -q, --quiet              no progress\n"
        "  --config KEY VALUE       set a GDAL configuration option\n");
}

/* PATH[:LAYER]: the layer is split off at the last ':' unless PATH names a file. */
static void split_layer(char *arg, const char **path, const char **layer)
{
    *path = arg;
    *layer = NULL;
    struct stat sb;
    char *colon = strrchr(arg, ':');
    if (colon && colon != arg && stat(arg, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        *layer = colon + 1;
    }
}

static int parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Split a comma-separated list in place and append its items to @p v. */
static int split_list(char *s, const char ***v, size_t *n)
{
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        const char **g = realloc(*v, (*n + 1) * sizeof(*g));
        if (!g)
            return 0;
        *v = g;
        (*v)[(*n)++] = tok;
    }
    return 1;
}

static int parse_rings(char *s, double **v, size_t *n)
{
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        double x;
        double *g = realloc(*v, (*n + 1) * sizeof(*g));
        if (!g || !parse_double(tok, &x)) {
            if (g)
                *v = g;
            return 0;
        }
        *v = g;
        (*v)[(*n)++] = x;
    }
    return *n > 0;
}

static int parse_periods(char *s, lb_wb_period **v, size_t *n)
{
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        int a, b;
        char c;
        lb_wb_period *g = realloc(*v, (*n + 1) * sizeof(*g));
        if (!g)
            return 0;
        *v = g;
        if (sscanf(tok, "%d%c%d", &a, &c, &b) != 3 || (c != '-' && c != ':'))
            return 0;
        (*v)[(*n)++] = (lb_wb_period){a, b};
    }
    return *n > 0;
}

/* The value of an enumerated option, or -1. */
static int pick(const char *v, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v, names[i]) == 0)
            return i;
    return -1;
}

typedef struct args {
    lb_waterbed_options o;
    lb_score_source tmpl; /* options shared by every --scores source */
    char **scores;
    size_t n_scores;
    const char **focus_codes, **mask_codes;
    double *rings;
    lb_wb_period *periods;
    lb_score_source *src;
} args;

static void args_free(args *a)
{
    free(a->scores);
    free(a->focus_codes);
    free(a->mask_codes);
    free(a->rings);
    free(a->periods);
    free(a->src);
}

/* One option at argv[*i]; CLI_OK, CLI_USAGE, or -1 when it is not a waterbed option. */
static int option(args *a, int argc, char **argv, int *i)
{
    lb_waterbed_options *o = &a->o;
    const char *v = NULL;
    int r;
#define VALUE(name, alias) ((r = cli_value(prog, argc, argv, i, name, alias, &v)) != 0)
    if (VALUE("--scores", NULL)) {
        char **g = r > 0 ? realloc(a->scores, (a->n_scores + 1) * sizeof(*g)) : NULL;
        if (!g)
            return CLI_USAGE;
        a->scores = g;
        a->scores[a->n_scores++] = (char *)v;
        return CLI_OK;
    }
    if (r < 0)
        return CLI_USAGE;
    struct {
        const char *name;
        const char **dst;
    } strs[] = {
        {"--geometry", &a->tmpl.geometry},
        {"--geometry-id", &a->tmpl.geometry_id},
        {"--id-field", &a->tmpl.id_field},
        {"--year-field", &a->tmpl.year_field},
        {"--weight-field", &a->tmpl.weight_field},
        {"--s-srs", &a->tmpl.s_srs},
        {"--focus-where", &o->focus_where},
        {"--focus-id", &o->focus_id_field},
        {"--focus-name", &o->focus_name_field},
        {"--focus-gemeente", &o->focus_gemeente_field},
        {"--focus-codes-field", &o->focus_codes_field},
        {"--region-field", &o->region_field},
        {"--region-gemeente-field", &o->region_gemeente_field},
        {"--run-label", &o->run_label},
        {"--output", &o->outdir},
    };
    for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
        if (VALUE(strs[k].name, strcmp(strs[k].name, "--output") == 0 ? "-o" : NULL)) {
            *strs[k].dst = v;
            return r < 0 ? CLI_USAGE : CLI_OK;
        }
    }
    if (VALUE("--focus", NULL)) {
        if (r < 0)
            return CLI_USAGE;
        split_layer((char *)v, &o->focus_path, &o->focus_layer);
        return CLI_OK;
    }
    if (VALUE("--mask", NULL)) {
        if (r < 0)
            return CLI_USAGE;
        split_layer((char *)v, &o->mask_path, &o->mask_layer);
        return CLI_OK;
    }
    if (VALUE("--focus-codes", NULL)) {
        if (r < 0 || !split_list((char *)v, &a->focus_codes, &o->n_focus_codes))
            return CLI_USAGE;
        return CLI_OK;
    }
    if (VALUE("--mask-codes", NULL)) {
        if (r < 0 || !split_list((char *)v, &a->mask_codes, &o->n_mask_codes))
            return CLI_USAGE;
        return CLI_OK;
    }
    if (VALUE("--region-table", NULL)) {
        o->region_table = v;
        o->region = LB_WB_REGION_TABLE;
        return r < 0 ? CLI_USAGE : CLI_OK;
    }
    struct {
        const char *name;
        double *dst;
        double lo;
    } nums[] = {
        {"--focus-share", &o->focus_min_share, 0.0},
        {"--region-radius", &o->region_radius_m, 0.0},
        {"--adjacency-tol", &o->adjacency_tol_m, 0.0},
        {"--k1", &o->k1, 0.0},
        {"--k2", &o->k2, 0.0},
        {"--placebo-buffer", &o->placebo_buffer_m, 0.0},
    };
    for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
        if (VALUE(nums[k].name, NULL)) {
            if (r < 0)
                return CLI_USAGE;
            if (!parse_double(v, nums[k].dst) || *nums[k].dst < nums[k].lo)
                return cli_usage_error(prog, "%s wants a number >= %g, got '%s'", nums[k].name,
                                       nums[k].lo, v);
            if (strcmp(nums[k].name, "--region-radius") == 0)
                o->region = LB_WB_REGION_RADIUS;
            return CLI_OK;
        }
    }
    struct {
        const char *name;
        int *dst;
    } ints[] = {
        {"--adjacency-orders", &o->adjacency_orders},
        {"--receiving-class", &o->receiving_class},
        {"--placebos", &o->n_placebo},
        {"--placebo-pool", &o->placebo_pool},
        {"--bootstrap", &o->n_boot},
        {"--year", &a->tmpl.year},
    };
    for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) {
        if (VALUE(ints[k].name, NULL)) {
            if (r < 0)
                return CLI_USAGE;
            if (!cli_int(v, ints[k].dst) || *ints[k].dst < 0)
                return cli_usage_error(prog, "%s wants a whole number >= 0, got '%s'", ints[k].name,
                                       v);
            return CLI_OK;
        }
    }
    if (VALUE("--seed", NULL)) {
        char *end = NULL;
        errno = 0;
        unsigned long s = r > 0 ? strtoul(v, &end, 10) : 0;
        if (r < 0)
            return CLI_USAGE;
        if (!*v || *end || errno || v[0] == '-')
            return cli_usage_error(prog, "--seed wants a whole number >= 0, got '%s'", v);
        o->seed = s;
        return CLI_OK;
    }
    if (VALUE("--rings", NULL)) {
        if (r < 0)
            return CLI_USAGE;
        free(a->rings);
        a->rings = NULL;
        o->n_rings = 0;
        if (!parse_rings((char *)v, &a->rings, &o->n_rings))
            return cli_usage_error(prog, "--rings wants metres like 250,500,1000,2000");
        return CLI_OK;
    }
    if (VALUE("--periods", NULL)) {
        if (r < 0)
            return CLI_USAGE;
        if (!parse_periods((char *)v, &a->periods, &o->n_periods))
            return cli_usage_error(prog, "--periods wants Y0-Y1[,Y0-Y1...], got '%s'", v);
        return CLI_OK;
    }
    static const char *const regions[] = {"auto", "all", "gemeente", "table", "radius"};
    static const char *const dists[] = {"polygon", "centroid"};
    static const char *const weights[] = {"auto", "source", "unit", "area"};
    static const char *const clusters[] = {"auto", "gemeente", "wijk", "focus", "unit"};
    static const char *const seps[] = {",", ";"};
    static const char *const placebo_modes[] = {"auto", "areas", "units"};
    struct {
        const char *name;
        const char *const *names;
        int n;
        int *dst;
    } enums[] = {
        {"--region", regions, 5, (int *)&o->region},
        {"--distance", dists, 2, (int *)&o->distance},
        {"--weight", weights, 4, (int *)&o->weight},
        {"--cluster", clusters, 5, (int *)&o->cluster},
        {"--placebo-mode", placebo_modes, 3, (int *)&o->placebo_mode},
    };
    for (size_t k = 0; k < sizeof(enums) / sizeof(enums[0]); k++) {
        if (VALUE(enums[k].name, NULL)) {
            if (r < 0)
                return CLI_USAGE;
            int x = pick(v, enums[k].names, enums[k].n);
            if (x < 0)
                return cli_usage_error(prog, "%s: unknown value '%s'", enums[k].name, v);
            *enums[k].dst = x;
            return CLI_OK;
        }
    }
    if (VALUE("--csv-sep", NULL)) {
        if (r < 0)
            return CLI_USAGE;
        int x = pick(v, seps, 2);
        if (x < 0)
            return cli_usage_error(prog, "--csv-sep wants ',' or ';', got '%s'", v);
        o->csv_sep = seps[x][0];
        return CLI_OK;
    }
#undef VALUE
    if (strcmp(argv[*i], "--no-pretrend") == 0) {
        o->pretrend = 0;
        return CLI_OK;
    }
    if (strcmp(argv[*i], "--no-rigo") == 0) {
        o->rigo = 0;
        return CLI_OK;
    }
    return -1;
}

static lb_status run(lb_ctx *ctx, const void *o)
{
    return lb_waterbed_run(ctx, (const lb_waterbed_options *)o);
}

int cmd_waterbed(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof(a));
    lb_waterbed_options_init(&a.o);
    cli_common com = {0};
    int rc = CLI_OK;
    char *cmdline = cli_join(argc, argv); /* before parsing: lists are split in place */
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        int r = cli_common_option(prog, argc, argv, &i, &com);
        if (r != 0) {
            rc = r < 0 ? CLI_USAGE : CLI_OK;
            continue;
        }
        r = option(&a, argc, argv, &i);
        if (r < 0)
            rc = cli_usage_error(prog, "unknown option '%s'", argv[i]);
        else
            rc = r;
    }
    if (rc == CLI_OK && com.help) {
        help();
        free(cmdline);
        args_free(&a);
        return CLI_OK;
    }
    if (rc == CLI_OK && a.n_scores == 0)
        rc = cli_usage_error(prog, "--scores is required");
    if (rc == CLI_OK && !a.o.focus_path && a.o.n_focus_codes == 0)
        rc = cli_usage_error(prog, "--focus or --focus-codes is required");
    if (rc == CLI_OK && !a.o.outdir)
        rc = cli_usage_error(prog, "-o OUTDIR is required");
    if (rc == CLI_OK && !(a.src = calloc(a.n_scores, sizeof(*a.src))))
        rc = CLI_FAIL;
    if (rc != CLI_OK) {
        free(cmdline);
        args_free(&a);
        return rc;
    }
    for (size_t k = 0; k < a.n_scores; k++) {
        a.src[k] = a.tmpl;
        split_layer(a.scores[k], &a.src[k].path, &a.src[k].layer);
    }
    a.o.scores = a.src;
    a.o.n_scores = a.n_scores;
    a.o.focus_codes = a.focus_codes;
    a.o.mask_codes = a.mask_codes;
    a.o.rings_m = a.rings;
    a.o.periods = a.periods;
    a.o.command_line = cmdline;
    a.o.overwrite = com.overwrite;
    rc = cli_run(prog, &com, run, &a.o, a.o.outdir);
    free(cmdline);
    args_free(&a);
    return rc;
}
