/* SPDX-License-Identifier: MIT */
/* leefbaar-synth: command line of the deterministic demo-city generator. Builds the city in
 * stages, writes every file under a temporary name and renames them all at the end. */
#define _POSIX_C_SOURCE 200809L /* stat, mkdir */

#include "synth.h"

#include "lb_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>

/* GeoPackage timestamps (gpkg_contents.last_change) are taken from this, not from the clock. */
#define FIXED_DATE "2024-01-01T00:00:00.000Z"

enum { PATH_SIZE = 4096, N_OUTPUTS = 7 };

typedef enum out_kind {
    OUT_STATIC,
    OUT_YEAR0,
    OUT_YEAR1,
    OUT_NOISE,
    OUT_GREEN,
    OUT_JUDGEMENTS,
    OUT_JUDGEMENT_MODEL
} out_kind;

typedef struct output {
    const char *dir;
    const char *stem;
    const char *ext;
    out_kind kind;
} output;

static const output outputs[N_OUTPUTS] = {
    {"shapes", "leefstad", "gpkg", OUT_STATIC},
    {"shapes", "leefstad_2020", "gpkg", OUT_YEAR0},
    {"shapes", "leefstad_2022", "gpkg", OUT_YEAR1},
    {"rasters", "noise_lden", "tif", OUT_NOISE},
    {"rasters", "green_share", "tif", OUT_GREEN},
    {"shapes", "leefstad_oordelen", "csv", OUT_JUDGEMENTS},
    {"shapes", "leefstad_oordeel", "yaml", OUT_JUDGEMENT_MODEL},
};

typedef struct options {
    const char *outroot;
    unsigned long seed;
    double strength;
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: leefbaar-synth city OUTROOT [--seed N] [--waterbed-strength S]\n"
            "\n"
            "Generate the deterministic demo city 'Leefstad' (GM9901, EPSG:28992):\n"
            "  OUTROOT/shapes/leefstad.gpkg        gemeente, wijken, focus_wijken, pc4, pc6, "
            "roads\n"
            "  OUTROOT/shapes/leefstad_2020.gpkg   buurten, amenities, incidents (2020)\n"
            "  OUTROOT/shapes/leefstad_2022.gpkg   buurten, amenities, incidents (2022)\n"
            "  OUTROOT/rasters/noise_lden.tif      road/rail noise, dB Lden, 100 m\n"
            "  OUTROOT/rasters/green_share.tif     green share 0..1, 100 m\n"
            "  OUTROOT/shapes/leefstad_oordelen.csv  resident judgements (rapportcijfer) per\n"
            "                                        buurt, 2020 and 2022\n"
            "  OUTROOT/shapes/leefstad_oordeel.yaml  the planted model behind them\n"
            "\n"
            "Options:\n"
            "  --seed N                 random seed (default %lu); same options give\n"
            "                           bit-identical files\n"
            "  --waterbed-strength S    planted waterbed effect between 2020 and 2022\n"
            "                           (default %g; 0 = none; allowed -5..5)\n"
            "  -h, --help               show this help\n"
            "  --version                show the version\n"
            "\n"
            "The rules are documented in shapes/README.md.\n",
            SY_DEFAULT_SEED, SY_DEFAULT_STRENGTH);
}

static int parse_ulong(const char *s, unsigned long *out)
{
    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    errno = 0;
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > 0xffffffffUL)
        return 0;
    *out = v;
    return 1;
}

static int parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return 0;
    errno = 0;
    char *end = NULL;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Returns 0 to run, 1 to exit successfully (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, options *o)
{
    int have_cmd = 0;
    o->outroot = NULL;
    o->seed = SY_DEFAULT_SEED;
    o->strength = SY_DEFAULT_STRENGTH;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("leefbaar-synth %s\n", LB_VERSION_STRING);
            return 1;
        }
        if (strncmp(a, "--seed", 6) == 0 && (a[6] == '\0' || a[6] == '=')) {
            val = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!parse_ulong(val, &o->seed)) {
                fprintf(stderr,
                        "leefbaar-synth: error: --seed needs an integer 0..4294967295, "
                        "got '%s'\n",
                        val ? val : "");
                return 2;
            }
            continue;
        }
        if (strncmp(a, "--waterbed-strength", 19) == 0 && (a[19] == '\0' || a[19] == '=')) {
            val = a[19] == '=' ? a + 20 : (i + 1 < argc ? argv[++i] : NULL);
            if (!parse_double(val, &o->strength) || o->strength < -5.0 || o->strength > 5.0) {
                fprintf(stderr,
                        "leefbaar-synth: error: --waterbed-strength needs a number in "
                        "-5..5, got '%s'\n",
                        val ? val : "");
                return 2;
            }
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "leefbaar-synth: error: unknown option '%s'\n", a);
            return 2;
        }
        if (!have_cmd) {
            if (strcmp(a, "city") != 0) {
                fprintf(stderr, "leefbaar-synth: error: unknown command '%s' (expected 'city')\n",
                        a);
                return 2;
            }
            have_cmd = 1;
        } else if (!o->outroot) {
            o->outroot = a;
        } else {
            fprintf(stderr, "leefbaar-synth: error: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (!have_cmd || !o->outroot) {
        fprintf(stderr, "leefbaar-synth: error: %s\n",
                have_cmd ? "missing OUTROOT" : "missing command 'city'");
        return 2;
    }
    return 0;
}

static int make_path(char *buf, const char *root, const char *dir, const char *name)
{
    int n = name ? snprintf(buf, PATH_SIZE, "%s/%s/%s", root, dir, name)
                 : snprintf(buf, PATH_SIZE, "%s/%s", root, dir);
    return n > 0 && n < PATH_SIZE;
}

static sy_status ensure_dir(sy_ctx *ctx, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return SY_OK;
        return sy_fail(ctx, SY_ERR_IO, "'%s' exists and is not a directory", path);
    }
    if (mkdir(path, 0755) != 0)
        return sy_fail(ctx, SY_ERR_IO, "cannot create directory '%s': %s", path, strerror(errno));
    return SY_OK;
}

static sy_status build_city(sy_ctx *ctx, sy_city *city, sy_raster *ras)
{
    sy_status st = sy_layout_build(ctx, city);
    if (st == SY_OK)
        st = sy_names_assign(ctx, city);
    if (st == SY_OK)
        st = sy_roads_build(ctx, city);
    if (st == SY_OK)
        st = sy_latent_build(ctx, city);
    if (st == SY_OK)
        st = sy_judgement_build(ctx, city);
    if (st == SY_OK)
        st = sy_postcodes_build(ctx, city);
    if (st == SY_OK)
        st = sy_points_build(ctx, city);
    if (st == SY_OK)
        st = sy_rasters_compute(ctx, city, ras);
    return st;
}

static sy_status write_all(sy_ctx *ctx, const sy_city *city, const sy_raster *ras, const char *root)
{
    char tmp[N_OUTPUTS][PATH_SIZE], fin[N_OUTPUTS][PATH_SIZE], dir[PATH_SIZE];
    sy_status st = ensure_dir(ctx, root);
    for (int i = 0; st == SY_OK && i < N_OUTPUTS; i++) {
        char name[256];
        if (!make_path(dir, root, outputs[i].dir, NULL))
            return sy_fail(ctx, SY_ERR_ARG, "output path too long: '%s'", root);
        st = ensure_dir(ctx, dir);
        snprintf(name, sizeof(name), ".%s.tmp.%s", outputs[i].stem, outputs[i].ext);
        if (!make_path(tmp[i], root, outputs[i].dir, name))
            return sy_fail(ctx, SY_ERR_ARG, "output path too long: '%s'", root);
        snprintf(name, sizeof(name), "%s.%s", outputs[i].stem, outputs[i].ext);
        if (!make_path(fin[i], root, outputs[i].dir, name))
            return sy_fail(ctx, SY_ERR_ARG, "output path too long: '%s'", root);
    }
    if (st != SY_OK)
        return st;
    int written = 0;
    for (int i = 0; st == SY_OK && i < N_OUTPUTS; i++) {
        VSIUnlink(tmp[i]); /* leftover of an interrupted run */
        switch (outputs[i].kind) {
        case OUT_STATIC:
            st = sy_write_static(ctx, city, tmp[i]);
            break;
        case OUT_YEAR0:
            st = sy_write_year(ctx, city, 0, tmp[i]);
            break;
        case OUT_YEAR1:
            st = sy_write_year(ctx, city, 1, tmp[i]);
            break;
        case OUT_NOISE:
            st = sy_write_raster(ctx, ras, ras->noise, "noise_lden", "dB", tmp[i]);
            break;
        case OUT_GREEN:
            st = sy_write_raster(ctx, ras, ras->green, "green_share", "1", tmp[i]);
            break;
        case OUT_JUDGEMENTS:
            st = sy_write_judgements(ctx, city, tmp[i]);
            break;
        case OUT_JUDGEMENT_MODEL:
            st = sy_write_judgement_model(ctx, tmp[i]);
            break;
        }
        written = i + 1;
    }
    if (st != SY_OK) {
        for (int i = 0; i < written; i++)
            VSIUnlink(tmp[i]);
        return st;
    }
    for (int i = 0; i < N_OUTPUTS; i++) {
        if (VSIRename(tmp[i], fin[i]) != 0) {
            st = sy_fail(ctx, SY_ERR_IO, "cannot rename '%s' to '%s': %s", tmp[i], fin[i],
                         strerror(errno));
            for (int j = i; j < N_OUTPUTS; j++)
                VSIUnlink(tmp[j]);
            return st;
        }
    }
    return SY_OK;
}

static void summary(const sy_ctx *ctx, const sy_city *c, const sy_raster *ras, const char *root)
{
    int n[SY_N_ZONES] = {0};
    long inw[SY_N_ZONES] = {0}, inc[SY_N_ZONES][SY_N_YEARS] = {{0}};
    double L0[SY_N_ZONES] = {0}, dl[SY_N_ZONES] = {0}, dlp[SY_N_ZONES] = {0};
    for (size_t b = 0; b < c->n_buurten; b++) {
        const sy_buurt *bu = &c->buurten[b];
        n[bu->zone]++;
        inw[bu->zone] += bu->a[0].inw;
        L0[bu->zone] += bu->L[0];
        dl[bu->zone] += bu->L[1] - bu->L[0];
        dlp[bu->zone] += bu->dL_planted;
    }
    for (int t = 0; t < SY_N_YEARS; t++)
        for (size_t i = 0; i < c->incidents[t].n; i++)
            inc[c->buurten[c->incidents[t].v[i].buurt].zone][t]++;
    printf("leefbaar-synth: %s (%s), seed %lu, waterbed strength %g, layout attempt %d\n",
           SY_GM_NAAM, SY_GM_CODE, ctx->seed, ctx->strength, c->layout_attempt);
    printf("  %zu buurten, %d wijken, %d PC4, %zu PC6, raster %d x %d cells of 100 m\n",
           c->n_buurten, SY_N_WIJKEN, SY_N_PC4, c->n_pc6, ras->nx, ras->ny);
    printf("  focus wijken:");
    for (int f = 0; f < SY_N_FOCUS; f++) {
        const sy_wijk *w = &c->wijken[c->focus[f]];
        printf("%s %s %s (%d buurten)", f ? "," : "", w->code, w->name, w->n_buurten);
    }
    printf("\n  %-16s %7s %9s %9s %8s %11s %15s\n", "zone", "buurten", "inw_2020", "mean_L20",
           "mean_dL", "planted_dL", "incidents 20>22");
    for (int z = 0; z < SY_N_ZONES; z++) {
        if (z == SY_ZONE_NONRES)
            printf("  %-16s %7d %9ld %9s %8s %11s %7ld>%-7ld\n", sy_zone_names[z], n[z], inw[z],
                   "-", "-", "-", inc[z][0], inc[z][1]);
        else
            printf("  %-16s %7d %9ld %+9.3f %+8.3f %+11.3f %7ld>%-7ld\n", sy_zone_names[z], n[z],
                   inw[z], n[z] ? L0[z] / n[z] : 0.0, n[z] ? dl[z] / n[z] : 0.0,
                   n[z] ? dlp[z] / n[z] : 0.0, inc[z][0], inc[z][1]);
    }
    printf("  amenities %zu (2020), %zu (2022); incidents %zu (2020), %zu (2022)\n",
           c->amenities[0].n, c->amenities[1].n, c->incidents[0].n, c->incidents[1].n);
    for (int t = 0; t < SY_N_YEARS; t++) {
        int np = 0;
        double sum = 0.0, lo = HUGE_VAL, hi = -HUGE_VAL;
        for (size_t b = 0; b < c->n_buurten; b++) {
            double v = c->buurten[b].judgement[t];
            if (!isfinite(v))
                continue;
            np++;
            sum += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        printf("  rapportcijfer %d: %d buurten published, mean %.2f, range %.1f .. %.1f\n",
               sy_years[t], np, np ? sum / np : NAN, lo, hi);
    }
    printf("  wrote %s/shapes/{leefstad,leefstad_2020,leefstad_2022}.gpkg, "
           "%s/shapes/leefstad_oordelen.csv, %s/shapes/leefstad_oordeel.yaml and "
           "%s/rasters/{noise_lden,green_share}.tif\n",
           root, root, root, root);
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc == 1)
        return 0;
    if (rc == 2) {
        fprintf(stderr, "Try 'leefbaar-synth --help'.\n");
        return 2;
    }
    GDALAllRegister();
    CPLSetConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
    CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    CPLPushErrorHandler(CPLQuietErrorHandler);

    sy_ctx ctx;
    sy_city *city = calloc(1, sizeof(*city));
    sy_raster ras = {0};
    sy_status st = sy_ctx_init(&ctx, o.seed, o.strength);
    if (!city && st == SY_OK)
        st = sy_fail(&ctx, SY_ERR_NOMEM, "out of memory");
    if (st == SY_OK)
        st = build_city(&ctx, city, &ras);
    if (st == SY_OK)
        st = write_all(&ctx, city, &ras, o.outroot);
    if (st == SY_OK)
        summary(&ctx, city, &ras, o.outroot);
    else
        fprintf(stderr, "leefbaar-synth: error: %s\n", ctx.err);
    sy_raster_free(&ras);
    if (city)
        sy_city_free(&ctx, city);
    free(city);
    sy_ctx_finish(&ctx);
    CPLPopErrorHandler();
    GDALDestroyDriverManager();
    return st == SY_OK ? 0 : 1;
}
