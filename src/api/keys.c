/* SPDX-License-Identifier: MIT */
/* The key table of every operation: the long options of its subcommand, in the order of its
 * --help, with how each value is checked, and the required keys.
 *
 * The tables live here, in one file, rather than beside each operation: lb_opts_create must
 * know every operation without linking the modules that compute them, the introspection
 * (bindings, completion, man pages) reads one list, and an operation reads its values only
 * through the getters of opts.h, so its module does not depend on how they were spelled. */
#include "opts.h"

#include "../core/ctx.h"
#include "../data/result.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT(n, h)                                                                                 \
    {                                                                                              \
        .name = n, .type = LB_KEY_TEXT, .help = h                                                  \
    }
#define LIST(n, h)                                                                                 \
    {                                                                                              \
        .name = n, .type = LB_KEY_TEXT, .repeatable = 1, .help = h                                 \
    }
#define FLAG(n, h)                                                                                 \
    {                                                                                              \
        .name = n, .type = LB_KEY_FLAG, .help = h                                                  \
    }
#define CHOICE(n, c, w, h)                                                                         \
    {                                                                                              \
        .name = n, .type = LB_KEY_TEXT, .choices = c, .wants = w, .help = h                        \
    }
#define VALID(n, rep, fn, w, h)                                                                    \
    {                                                                                              \
        .name = n, .type = LB_KEY_TEXT, .repeatable = rep, .valid = fn, .wants = w, .help = h      \
    }
#define INT(n, l, u, w, h)                                                                         \
    {                                                                                              \
        .name = n, .type = LB_KEY_INT, .lo = l, .hi = u, .wants = w, .help = h                     \
    }
#define REAL(n, l, u, w, h)                                                                        \
    {                                                                                              \
        .name = n, .type = LB_KEY_REAL, .lo = l, .hi = u, .wants = w, .help = h                    \
    }
#define YEAR(n, h) INT(n, -INT_MAX, INT_MAX, "a year", h)
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- value checks ---------------------------------------------------------------------- */

/* NAME=VALUE with both parts non-empty. */
static int valid_name_value(const char *s)
{
    const char *eq = strchr(s, '=');
    return eq && eq != s && eq[1];
}

/* NAME=VALUE as -co takes it (the value may be empty). */
static int valid_co(const char *s)
{
    return strchr(s, '=') != NULL;
}

/* NAME=KEY[:UNITS_KEY] */
static int valid_join(const char *s)
{
    if (!valid_name_value(s))
        return 0;
    const char *key = strchr(s, '=') + 1, *colon = strchr(key, ':');
    return !colon || (colon != key && colon[1]);
}

static int valid_years(const char *s)
{
    size_t n = lb_opts_count_items(s), got = 0;
    int *years = n ? malloc(n * sizeof(int)) : NULL;
    int ok = years && lb_opts_parse_ints(s, years, n, &got);
    free(years);
    return ok;
}

static int valid_reals(const char *s)
{
    size_t n = lb_opts_count_items(s), got = 0;
    double *v = n ? malloc(n * sizeof(double)) : NULL;
    int ok = v && lb_opts_parse_reals(s, v, n, &got);
    free(v);
    return ok;
}

/* At most 16 cuts: more than any class table has. */
static int valid_cuts(const char *s)
{
    double cuts[16];
    size_t n;
    return lb_opts_parse_reals(s, cuts, N_OF(cuts), &n);
}

/* Matching classes of the waterbed DiD: lbm, quantiles[:N] (N 2..9) or 1..8 ascending breaks. */
static int valid_match_classes(const char *s)
{
    if (strcmp(s, "lbm") == 0 || strcmp(s, "quantiles") == 0)
        return 1;
    if (strncmp(s, "quantiles:", 10) == 0) {
        char *end;
        long n = strtol(s + 10, &end, 10);
        return *end == '\0' && end != s + 10 && n >= 2 && n <= 9;
    }
    double b[8];
    size_t n = 0;
    if (!lb_opts_parse_reals(s, b, N_OF(b), &n) || n == 0)
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(b[i] > b[i - 1]))
            return 0;
    return 1;
}

static int valid_outputs(const char *s)
{
    unsigned bits = 0;
    return lb_result_outputs_parse(NULL, s, &bits) == LB_OK;
}

/* Y0-Y1 (or Y0:Y1), comma-separated. */
static int valid_periods(const char *s)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, ",");
        char buf[64];
        int a, b, used = 0;
        char c;
        if (len == 0 || len >= sizeof(buf))
            return 0;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (sscanf(buf, "%d%c%d%n", &a, &c, &b, &used) != 3 || (c != '-' && c != ':') || buf[used])
            return 0;
        p += len;
        if (*p == ',' && !*++p)
            return 0;
    }
    return 1;
}

/* A whole number >= 0 that fits an unsigned long. */
static int valid_seed(const char *s)
{
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return 0;
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    return !(v == ULONG_MAX && strlen(s) > 20);
}

/* TABLE[:LAYER]:FIELD */
static int valid_target(const char *s)
{
    const char *colon = strrchr(s, ':');
    return colon && colon != s && colon[1];
}

/* CODE=TABLE[:LAYER]:FIELD */
static int valid_target_dim(const char *s)
{
    return valid_name_value(s) && valid_target(strchr(s, '=') + 1);
}

/* a number >= 0 or cv */
static int valid_ridge(const char *s)
{
    if (!strcmp(s, "cv"))
        return 1;
    char *end = NULL;
    double v = strtod(s, &end);
    return end != s && !*end && isfinite(v) && v >= 0;
}

/* ---- checks of required keys ----------------------------------------------------------- */

static lb_status need_output(lb_ctx *ctx, const lb_opts *o, int writing, const char *what)
{
    if (writing && !lb_opts_is_set(o, "output"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "-o %s is required", what);
    return LB_OK;
}

/* --viewer-lib and --viewer-title belong to --viewer; --viewer needs the library. */
static lb_status check_viewer_keys(lb_ctx *ctx, const lb_opts *o)
{
    int viewer = lb_opts_get_flag(o, "viewer");
    const char *const keys[] = {"viewer-lib", "viewer-title"};
    for (size_t i = 0; i < N_OF(keys); i++)
        if (!viewer && lb_opts_is_set(o, keys[i]))
            return lb_ctx_error(ctx, LB_ERR_ARG, "--%s applies to the viewer: add --viewer",
                                keys[i]);
    if (viewer && !lb_opts_is_set(o, "viewer-lib"))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "--viewer needs --viewer-lib, the folder holding maplibre-gl.js, "
                            "maplibre-gl.css and LICENSE.txt (scripts/setup-deps.sh --viewer "
                            "fetches them)");
    return LB_OK;
}

static lb_status check_score(lb_ctx *ctx, const lb_opts *o, int writing)
{
    if (!lb_opts_is_set(o, "model"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--model is required");
    lb_status st = check_viewer_keys(ctx, o);
    return st != LB_OK ? st : need_output(ctx, o, writing, "OUTDIR");
}

static lb_status check_change(lb_ctx *ctx, const lb_opts *o, int writing)
{
    int scores = lb_opts_is_set(o, "scores"), from = lb_opts_is_set(o, "from"),
        to = lb_opts_is_set(o, "to");
    if (scores && (from || to))
        return lb_ctx_error(ctx, LB_ERR_ARG, "give either --scores or --from/--to");
    if (!scores && !from)
        return lb_ctx_error(ctx, LB_ERR_ARG, "--from and --to (or --scores) are required");
    if (!scores && !to)
        return lb_ctx_error(ctx, LB_ERR_ARG, "--to is required with --from (or use --scores)");
    lb_status st = check_viewer_keys(ctx, o);
    return st != LB_OK ? st : need_output(ctx, o, writing, "OUTDIR");
}

static lb_status check_diagnose(lb_ctx *ctx, const lb_opts *o, int writing)
{
    if (!lb_opts_is_set(o, "scores"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--scores is required");
    if (!lb_opts_is_set(o, "wijk") && !lb_opts_is_set(o, "wijk-polygon"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--wijk or --wijk-polygon is required");
    return need_output(ctx, o, writing, "REPORT_DIR");
}

static lb_status check_scan(lb_ctx *ctx, const lb_opts *o, int writing)
{
    if (!lb_opts_is_set(o, "scores"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--scores is required");
    return need_output(ctx, o, writing, "OUTDIR");
}

static lb_status check_waterbed(lb_ctx *ctx, const lb_opts *o, int writing)
{
    if (!lb_opts_is_set(o, "scores"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--scores is required");
    if (!lb_opts_is_set(o, "focus") && !lb_opts_is_set(o, "focus-codes"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--focus or --focus-codes is required");
    return need_output(ctx, o, writing, "OUTDIR");
}

static lb_status check_scores(lb_ctx *ctx, const lb_opts *o, int writing)
{
    (void)writing;
    if (!lb_opts_is_set(o, "scores"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--scores is required");
    return LB_OK;
}

static lb_status check_calibrate(lb_ctx *ctx, const lb_opts *o, int writing)
{
    if (!lb_opts_is_set(o, "model"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--model is required");
    if (!lb_opts_is_set(o, "target") && !lb_opts_is_set(o, "target-dim"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "--target or --target-dim is required");
    return need_output(ctx, o, writing, "FITTED.yaml");
}

static lb_status check_viewer(lb_ctx *ctx, const lb_opts *o, int writing)
{
    if (!lb_opts_is_set(o, "run"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "a RUN_DIR (--run) is required");
    if (!lb_opts_is_set(o, "viewer-lib"))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "--viewer-lib (the folder holding maplibre-gl.js, maplibre-gl.css and "
                            "LICENSE.txt) is required");
    return need_output(ctx, o, writing, "VIEWER_DIR");
}

static lb_status check_demo(lb_ctx *ctx, const lb_opts *o, int writing)
{
    (void)writing; /* the demo always writes */
    if (!lb_opts_is_set(o, "output"))
        return lb_ctx_error(ctx, LB_ERR_ARG, "OUTDIR is required");
    return LB_OK;
}

/* ---- the tables ------------------------------------------------------------------------ */

#define K_OUTPUT TEXT("output", "output directory (created; files appear when complete)")
#define K_OVERWRITE                                                                                \
    FLAG("overwrite", "replace a previous leefbaar run's outputs in the output directory")
#define K_GEOJSON_CRS                                                                              \
    CHOICE("geojson-crs", "rfc7946|rd", "rfc7946 or rd",                                           \
           "GeoJSON in RFC 7946 (default) or in RD New with a crs member")
#define K_CSV_SEP                                                                                  \
    CHOICE("csv-sep", ",|;", "',' or ';'", "CSV separator; ';' also writes decimal commas")
#define K_FULL_PRECISION FLAG("full-precision", "CSV and GeoJSON numbers unrounded")
#define K_OF TEXT("of", "raster format: COG (default) or GTiff")
#define K_CO                                                                                       \
    VALID("co", 1, valid_co, "NAME=VALUE", "raster creation option NAME=VALUE (repeatable)")
#define K_COMMAND_LINE TEXT("command-line", "the command line recorded in run.json")
#define K_VIEWER                                                                                   \
    FLAG("viewer", "also write OUTDIR/viewer, the offline map of this run (leefbaar viewer)"),     \
        TEXT("viewer-lib", "--viewer: folder holding maplibre-gl.js, maplibre-gl.css and "         \
                           "LICENSE.txt"),                                                         \
        TEXT("viewer-title", "--viewer: title of the page (default: from the run)")
#define K_S_SRS TEXT("s-srs", "CRS of inputs that declare none, e.g. EPSG:28992")
#define K_SOURCE_FIELDS                                                                            \
    TEXT("id-field", "id column of a table (default BU_CODE, PC6, WK_CODE, PC4, GM_CODE, ...)"),   \
        TEXT("year-field", "year column of a table (default year or jaar)"),                       \
        TEXT("weight-field", "weight column of a table (e.g. inhabitants)"),                       \
        TEXT("geometry", "PATH[:LAYER] of polygons joined on the id to a table without geometry"), \
        TEXT("geometry-id", "id field of those polygons (default: autodetect)")

static const lb_key score_keys[] = {
    TEXT("model", "model file (YAML); required"),
    VALID("input", 1, valid_name_value, "NAME=PATH[:LAYER]",
          "bind model input NAME[@YEAR] to PATH[:LAYER] (repeatable)"),
    K_OUTPUT,
    {.name = "year",
     .type = LB_KEY_INT,
     .repeatable = 1,
     .lo = -INT_MAX,
     .hi = INT_MAX,
     .wants = "a year",
     .help = "year of the data (repeatable for several years)"},
    VALID("years", 1, valid_years, "years like 2020,2022", "several years at once: Y1,Y2,..."),
    TEXT("units", "polygon input to aggregate to, or grid (default: the model's weight layer)"),
    TEXT("id-field", "id field of the units (default BU_CODE, WK_CODE, GM_CODE, PC6, PC4, ...)"),
    VALID("where", 1, valid_name_value, "NAME=EXPRESSION",
          "read input NAME only where the OGR SQL expression holds (repeatable)"),
    CHOICE("mode", "grid|area", "grid or area", "grid (default) or area: score each unit polygon"),
    VALID("join", 1, valid_join, "NAME=KEY[:UNITS_KEY]",
          "area mode: attribute table NAME joined on KEY = the units' UNITS_KEY (repeatable)"),
    TEXT("reference", "run.json of the reference year (fixed reference mode)"),
    K_S_SRS,
    K_GEOJSON_CRS,
    K_CSV_SEP,
    K_FULL_PRECISION,
    FLAG("preview", "also write class_<year>.png, a picture of the class map"),
    VALID("outputs", 0, valid_outputs,
          "a comma-separated list of gpkg, grid, geojson, csv, tif or all",
          "write only these outputs: gpkg, grid, geojson, csv, tif (default all)"),
    K_VIEWER,
    K_OVERWRITE,
    K_OF,
    K_CO,
    K_COMMAND_LINE,
};

static const lb_key change_keys[] = {
    TEXT("from", "the earlier scores: a score run (directory or run.json) or a table"),
    TEXT("to", "the later scores"),
    TEXT("scores", "one source holding both years"),
    YEAR("from-year", "the earlier year (needed when a source holds more than one)"),
    YEAR("to-year", "the later year"),
    K_OUTPUT,
    TEXT("layer", "units layer of a run (default its units; 'grid' for cells) or of a table"),
    K_SOURCE_FIELDS,
    K_S_SRS,
    CHOICE("dev-classes", "7|9", "7 or 9", "development classes (default the model's, else 7)"),
    VALID("dev-cuts", 0, valid_cuts, "numbers like -0.2,-0.1333,-0.0666,0.0666,0.1333,0.2",
          "custom development cuts: 6 (7 classes) or 8 (9 classes)"),
    K_GEOJSON_CRS,
    K_CSV_SEP,
    K_FULL_PRECISION,
    FLAG("preview", "also write change_class_<y0>_<y1>.png (grid runs)"),
    K_VIEWER,
    K_OVERWRITE,
    K_OF,
    K_CO,
    K_COMMAND_LINE,
};

/* The focus areas, years and thresholds of the preventiebudget check: diagnose and scan. */
#define K_DX_CHECK                                                                                 \
    TEXT("focus", "aandachtswijken as polygons PATH[:LAYER] or codes CODE[,...]"),                 \
        REAL("min-inside", -HUGE_VAL, HUGE_VAL, "a number",                                        \
             "share of a unit inside a polygon to belong (default 0.5)"),                          \
        VALID("year", 1, valid_years, "Y[,Y...]",                                                  \
              "years to use (default all; the last is the peiljaar)"),                             \
        REAL("clear-sd", -HUGE_VAL, HUGE_VAL, "a number",                                          \
             "'clearly below the gemeente': at least K sd (default 0.5)"),                         \
        REAL("focus-distance", -HUGE_VAL, HUGE_VAL, "a number",                                    \
             "near aandachtswijk level: lbm within D (default 0.20)"),                             \
        REAL("min-inhabitants", -HUGE_VAL, HUGE_VAL, "a number", "size criterion (default 2500)")

static const lb_key diagnose_keys[] = {
    LIST("scores", "PATH[:LAYER]: a score run or a table of scores (repeatable)"),
    K_SOURCE_FIELDS,
    YEAR("table-year", "year of every row of a table without a year column"),
    K_S_SRS,
    TEXT("wijk", "wijk code(s) CODE[,CODE...] or a unit's name"),
    TEXT("wijk-polygon", "the wijk as polygon PATH[:LAYER]"),
    TEXT("naam", "name of the wijk in the report"),
    TEXT("gemeente", "gemeente codes or unit ids to compare with; 'X*' is a prefix"),
    TEXT("gemeente-polygon", "the gemeente as polygon PATH[:LAYER]"),
    TEXT("gemeente-naam", "name of the gemeente in the report"),
    K_DX_CHECK,
    TEXT("output", "report directory (created; files appear when complete)"),
    TEXT("name", "file name of the report without extension (default: the wijk code)"),
    FLAG("overwrite", "replace the report of the same name written earlier by leefbaar"),
    K_COMMAND_LINE,
};

static const lb_key scan_keys[] = {
    LIST("scores", "PATH[:LAYER]: a score run or a table of scores (repeatable)"),
    K_SOURCE_FIELDS,
    YEAR("table-year", "year of every row of a table without a year column"),
    K_S_SRS,
    TEXT("gemeente", "the gemeenten to scan: codes CODE[,CODE...], 'X*' a prefix (default all)"),
    K_DX_CHECK,
    TEXT("output", "output directory (created; files appear when complete)"),
    FLAG("overwrite", "replace the files of an earlier scan in the directory"),
    K_COMMAND_LINE,
};

#define NONNEG_INT(n, h) INT(n, 0, INT_MAX, "a whole number >= 0", h)
#define NONNEG_REAL(n, h) REAL(n, 0.0, HUGE_VAL, "a number >= 0", h)

static const lb_key waterbed_keys[] = {
    LIST("scores",
         "PATH[:LAYER]: a score run or a table of scores, two or more years (repeatable)"),
    K_SOURCE_FIELDS,
    NONNEG_INT("year", "year of every row of a table without a year column"),
    K_S_SRS,
    TEXT("focus", "focus areas: polygons PATH[:LAYER] or a table of code lists"),
    LIST("focus-codes", "focus areas as [NAME=]CODE|CODE|..., comma-separated (repeatable)"),
    TEXT("focus-where", "OGR SQL filter on the focus layer or table"),
    TEXT("focus-id", "id field of the focus areas"),
    TEXT("focus-name", "name field of the focus areas"),
    TEXT("focus-gemeente", "gemeente field of the focus areas"),
    TEXT("focus-codes-field", "field of '|'-separated unit codes in a focus table"),
    NONNEG_REAL("focus-share", "share of a unit inside a focus polygon to be a member (0.5)"),
    TEXT("mask", "other treated areas PATH[:LAYER], left out of zones and controls"),
    LIST("mask-codes", "other treated areas as code lists (repeatable)"),
    {.name = "region",
     .type = LB_KEY_TEXT,
     .choices = "auto|all|gemeente|table|radius|gemeente-or-radius",
     .help = "region of a focus area: auto, all, gemeente, table, radius or gemeente-or-radius"},
    TEXT("region-table", "gemeente -> region lookup table (e.g. COROP)"),
    TEXT("region-field", "region field of the lookup table"),
    TEXT("region-gemeente-field", "gemeente field of the lookup table"),
    NONNEG_REAL("region-radius", "region: units within M metres of the focus area"),
    NONNEG_INT("far-exclude-adjacency",
               "far control leaves out units of adjacency orders 1..N (default 0 = none)"),
    VALID("periods", 1, valid_periods, "Y0-Y1[,Y0-Y1...]",
          "periods Y0-Y1,... (default: first year - last year)"),
    FLAG("no-pretrend", "no pre-trend placebo period (previous year - t0)"),
    VALID("rings", 0, valid_reals, "metres like 250,500,1000,2000",
          "outer ring edges in metres (default 250,500,1000,2000)"),
    {.name = "distance",
     .type = LB_KEY_TEXT,
     .choices = "polygon|centroid",
     .help = "distance from the unit polygon or its centroid to the focus polygon"},
    NONNEG_REAL("adjacency-tol", "touching tolerance in metres (default 25)"),
    NONNEG_INT("adjacency-orders", "adjacency orders reported (default 3, 0 = none)"),
    FLAG("no-rigo", "no RIGO zones (adjacent, rest of city, rest of region)"),
    {.name = "adjacency-from",
     .type = LB_KEY_TEXT,
     .choices = "polygon|members",
     .help = "order-1 adjacency from the focus polygon (default) or its member units"},
    {.name = "ties",
     .type = LB_KEY_TEXT,
     .choices = "distance|order",
     .help = "equal distances to two focus areas: nearer centroid, then input order (default "
             "distance), or input order"},
    {.name = "identical-focus",
     .type = LB_KEY_TEXT,
     .choices = "group|keep",
     .help = "focus areas with the same units: one group (default) or kept apart"},
    FLAG("test-empty-focus", "also test focus areas without units of their own"),
    {.name = "weight",
     .type = LB_KEY_TEXT,
     .choices = "auto|source|unit|area",
     .help = "unit weight: auto, source, unit or area"},
    NONNEG_REAL("k1", "lagging threshold in sd of d (default 1)"),
    NONNEG_REAL("k2", "strongly lagging threshold in sd of d (default 2)"),
    NONNEG_INT("receiving-class", "potential receiving areas: class <= N at t0 (default 4)"),
    NONNEG_INT("min-control", "far-control units per baseline-class window (default 5)"),
    VALID("seed", 0, valid_seed, "a whole number >= 0",
          "random seed of placebos and bootstrap (default 1)"),
    {.name = "placebo-mode",
     .type = LB_KEY_TEXT,
     .choices = "auto|areas|units",
     .help = "placebo p-values from pseudo focus areas or re-assigned units (default auto)"},
    NONNEG_INT("placebos", "pseudo focus areas or re-assignments per focus area (default 199)"),
    NONNEG_REAL("placebo-buffer", "placebo candidates lie farther than M from every focus area"),
    NONNEG_INT("placebo-pool", "grown candidates per kept placebo (default 5)"),
    NONNEG_INT("bootstrap", "wild cluster bootstrap draws (default 999; 0 = off)"),
    {.name = "cluster",
     .type = LB_KEY_TEXT,
     .choices = "auto|gemeente|wijk|focus|unit",
     .help = "bootstrap clusters: auto, gemeente, wijk, focus or unit"},
    CHOICE("boot-weights", "rademacher|webb", "rademacher or webb",
           "wild bootstrap weights: rademacher (default) or webb (6-point, for few clusters)"),
    REAL("ci-level", 0.0, 0.999999, "a number in [0, 1), e.g. 0.95",
         "level of the pooled coefficients' bootstrap intervals (default 0.95; 0 = none)"),
    CHOICE("pooled", "both|ring|adjacency|none", "both, ring, adjacency or none",
           "pooled regressions: ring and adjacency model (default both)"),
    CHOICE("pooled-fe", "focus|gemeente|none", "focus, gemeente or none",
           "fixed effects of the pooled regressions: per focus area (default), per gemeente of "
           "the focus area, or none"),
    VALID("match-classes", 0, valid_match_classes, "lbm, quantiles[:N] or breaks like 3.6,3.8,4",
          "baseline classes of the matched DiD: lbm (default), quantiles[:N] or lbm breaks"),
    CHOICE("bh-family", "zone|period|run", "zone, period or run",
           "Benjamini-Hochberg families: per period, zone and outcome (default), per period "
           "and outcome, or the whole run"),
    K_OUTPUT,
    TEXT("run-label", "value of the run column (default waterbed)"),
    K_CSV_SEP,
    K_FULL_PRECISION,
    K_OVERWRITE,
    K_COMMAND_LINE,
};

static const lb_key scores_keys[] = {
    LIST("scores", "PATH[:LAYER]: a score run or a table of scores (repeatable)"),
    TEXT("layer", "units layer of a run (default its units) or layer of a table"),
    K_SOURCE_FIELDS,
    YEAR("table-year", "year of every row of a table without a year column"),
    K_S_SRS,
};

static const lb_key calibrate_keys[] = {
    TEXT("model", "model file (YAML) whose coefficients are fitted; required"),
    VALID("input", 1, valid_name_value, "NAME=PATH[:LAYER]",
          "bind model input NAME to PATH[:LAYER], as for score (repeatable)"),
    VALID("target", 0, valid_target, "TABLE[:LAYER]:FIELD",
          "the total's target: column FIELD of a table (CSV, DBF, GPKG, ...)"),
    VALID("target-dim", 1, valid_target_dim, "CODE=TABLE[:LAYER]:FIELD",
          "a dimension's target, fitted on that dimension's indicators (repeatable)"),
    TEXT("target-id", "code field of the target tables (default the units' code field)"),
    TEXT("target-year-field", "year field of the target tables (default jaar or year)"),
    YEAR("year", "year of the data: the target rows of that year, and the year scored"),
    TEXT("units", "polygon input of the target's units (default: the model's weight layer)"),
    TEXT("id-field", "code field of the units (default BU_CODE, WK_CODE, GM_CODE, ...)"),
    VALID("where", 1, valid_name_value, "NAME=EXPRESSION",
          "read input NAME only where the OGR SQL expression holds (repeatable)"),
    CHOICE("mode", "area|grid", "area or grid",
           "area (default): each unit from its own attributes; grid: cells aggregated"),
    VALID("join", 1, valid_join, "NAME=KEY[:UNITS_KEY]",
          "area mode: attribute table NAME joined on KEY = the units' UNITS_KEY (repeatable)"),
    K_S_SRS,
    CHOICE("weight", "inhabitants|none", "inhabitants or none",
           "fit weights: the units' model weight (default) or none"),
    TEXT("cluster-field", "gemeente field (default GM_CODE, else from BU/WK codes)"),
    INT("folds", 2, INT_MAX, "a whole number >= 2",
        "cross-validation folds of whole gemeenten (default: one gemeente per fold)"),
    VALID("ridge", 0, valid_ridge, "a number >= 0 or cv",
          "ridge penalty lambda, or cv to choose it by the grouped cross-validation"),
    CHOICE("ref", "keep|target", "keep or target",
           "REF of the fitted model: kept (default) or the weighted mean of the target"),
    TEXT("output", "the fitted model file; reports are written beside it"),
    FLAG("overwrite", "replace the fitted model and reports an earlier calibrate wrote"),
    K_CSV_SEP,
    K_COMMAND_LINE,
};

static const lb_key demo_keys[] = {
    TEXT("output", "output directory of the demo"),
    TEXT("data", "folder holding shapes/, rasters/ and models/"),
    K_OVERWRITE,
    K_OF,
    K_CO,
    FLAG("viewer", "also write OUTDIR/viewer, the offline map of the runs (leefbaar viewer)"),
    TEXT("viewer-lib", "folder holding maplibre-gl.js, maplibre-gl.css and LICENSE.txt"),
};

static const lb_key viewer_keys[] = {
    LIST("run", "RUN_DIR: a folder of leefbaar score, change, diagnose, scan or waterbed "
                "(repeatable)"),
    TEXT("output", "the viewer folder (created; files appear when complete)"),
    K_OVERWRITE,
    TEXT("viewer-lib", "folder holding the web-map library: maplibre-gl.js, maplibre-gl.css, "
                       "LICENSE.txt"),
    TEXT("title", "title of the page (default: from the runs)"),
    K_COMMAND_LINE,
};

#define ALIAS(a, k)                                                                                \
    {                                                                                              \
        .alias = a, .key = k                                                                       \
    }
#define COMMON_ALIASES ALIAS("o", "output"), ALIAS("raster-format", "of")
#define GEOJSON_ALIAS                                                                              \
    {                                                                                              \
        .alias = "geojson-rd", .key = "geojson-crs", .on = "rd", .off = "rfc7946"                  \
    }

static const lb_key_alias score_aliases[] = {COMMON_ALIASES, ALIAS("i", "input"),
                                             ALIAS("s_srs", "s-srs"), GEOJSON_ALIAS};
static const lb_key_alias change_aliases[] = {COMMON_ALIASES, ALIAS("s_srs", "s-srs"),
                                              GEOJSON_ALIAS};
static const lb_key_alias diagnose_aliases[] = {ALIAS("o", "output"), ALIAS("s", "scores"),
                                                ALIAS("basename", "name")};
static const lb_key_alias scan_aliases[] = {ALIAS("o", "output"), ALIAS("s", "scores")};
static const lb_key_alias waterbed_aliases[] = {ALIAS("o", "output")};
static const lb_key_alias scores_aliases[] = {ALIAS("s", "scores")};
static const lb_key_alias calibrate_aliases[] = {ALIAS("o", "output"), ALIAS("i", "input"),
                                                 ALIAS("s_srs", "s-srs")};
static const lb_key_alias demo_aliases[] = {COMMON_ALIASES};
static const lb_key_alias viewer_aliases[] = {ALIAS("o", "output")};

#define OPERATION(n, k, a, chk)                                                                    \
    {                                                                                              \
        .name = n, .keys = k, .n_keys = N_OF(k), .aliases = a, .n_aliases = N_OF(a), .check = chk  \
    }

static const lb_operation op_score = OPERATION("score", score_keys, score_aliases, check_score);
static const lb_operation op_change =
    OPERATION("change", change_keys, change_aliases, check_change);
static const lb_operation op_diagnose =
    OPERATION("diagnose", diagnose_keys, diagnose_aliases, check_diagnose);
static const lb_operation op_scan = OPERATION("scan", scan_keys, scan_aliases, check_scan);
static const lb_operation op_waterbed =
    OPERATION("waterbed", waterbed_keys, waterbed_aliases, check_waterbed);
static const lb_operation op_scores =
    OPERATION("scores", scores_keys, scores_aliases, check_scores);
static const lb_operation op_calibrate =
    OPERATION("calibrate", calibrate_keys, calibrate_aliases, check_calibrate);
static const lb_operation op_demo = OPERATION("demo", demo_keys, demo_aliases, check_demo);
static const lb_operation op_viewer =
    OPERATION("viewer", viewer_keys, viewer_aliases, check_viewer);

const lb_operation *const lb_operations[] = {&op_score,    &op_change, &op_diagnose,
                                             &op_waterbed, &op_scores, &op_calibrate,
                                             &op_demo,     &op_scan,   &op_viewer};
const size_t lb_n_operations = N_OF(lb_operations);
