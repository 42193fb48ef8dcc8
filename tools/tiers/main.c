/* SPDX-License-Identifier: MIT */
/* leefbaar-tiers: the deterministic generator of the benchmark tiers of DESIGN.md §10. Builds the
 * tier in memory, writes every file under a temporary name and renames them all at the end. */
#define _POSIX_C_SOURCE 200809L /* stat, mkdir */

#include "tiers.h"

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
#include <geos_c.h>

#define FIXED_DATE "2024-01-01T00:00:00.000Z"
enum { PATH_SIZE = 4096, MAX_FILES = 16 + TR_MAX_RASTERS };

static const tr_tier tiers[] = {
    {"T0", "unit: 10 x 10 km, 100 buurten", 150000, 460000, 160000, 470000, 100, 12, 1, 3, 4000,
     400, 1500, 20, 0, 20.0, 0},
    {"T1", "city: 56 x 50 km (280k cells), 14k small buurten", 100000, 430000, 156000, 480000,
     14000, 500, 40, 25, 150000, 12000, 40000, 20, 0, 20.0, 0},
    {"T2", "national: 280 x 325 km (9.1M cells), 14k buurten, 4k PC4, 450k inhabited squares", 0,
     300000, 280000, 625000, 14000, 4000, 342, 90, 450000, 50000, 150000, 20, 1, 25.0, 4000.0},
};

typedef struct options {
    const tr_tier *tier;
    const char *outdir;
    unsigned long seed;
    int n_rasters;
    int check;
} options;

static void usage(FILE *out)
{
    fprintf(out, "Usage: leefbaar-tiers T0|T1|T2 OUTDIR [--seed N] [--rasters N] [--check]\n"
                 "\n"
                 "Generate a synthetic benchmark tier in EPSG:28992 (DESIGN.md section 10):\n");
    for (size_t i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++)
        fprintf(out, "  %s  %s\n", tiers[i].name, tiers[i].what);
    fprintf(out,
            "\n"
            "Files in OUTDIR: buurten_{2020,2022}.gpkg (layer buurten, CBS-like fields),\n"
            "pc4.gpkg (pc4), vierkanten_{2020,2022}.gpkg (inhabited 100 m squares),\n"
            "amenities_{2020,2022}.gpkg (CATEGORY), incidents_{2020,2022}.gpkg (TYPE),\n"
            "rasters/<name>.tif (Float32, 100 m, tiled, nodata -9999) and tier.txt.\n"
            "\n"
            "Options:\n"
            "  --seed N      random seed (default %lu); same options give bit-identical files\n"
            "  --rasters N   write only the first N of the 20 rasters\n"
            "  --check       verify with GEOS that every polygon is valid and that the buurten\n"
            "                and the PC4 areas each tile their extent (no gaps, no overlaps)\n"
            "  -h, --help    show this help\n"
            "  --version     show the version\n",
            TR_DEFAULT_SEED);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    errno = 0;
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return 0;
    *out = v;
    return 1;
}

/* Returns 0 to run, 1 to exit successfully (help/version), 2 on a usage error. */
static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof(*o));
    o->seed = TR_DEFAULT_SEED;
    o->n_rasters = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            printf("leefbaar-tiers %s\n", LB_VERSION_STRING);
            return 1;
        }
        if (strcmp(a, "--check") == 0) {
            o->check = 1;
            continue;
        }
        if (strcmp(a, "--seed") == 0 || strcmp(a, "--rasters") == 0) {
            const char *val = i + 1 < argc ? argv[++i] : NULL;
            unsigned long v;
            int is_seed = a[2] == 's';
            if (!parse_ulong(val, is_seed ? 0xffffffffUL : TR_MAX_RASTERS, &v)) {
                fprintf(stderr, "leefbaar-tiers: error: %s needs an integer %s, got '%s'\n", a,
                        is_seed ? "0..4294967295" : "0..20", val ? val : "");
                return 2;
            }
            if (is_seed)
                o->seed = v;
            else
                o->n_rasters = (int)v;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "leefbaar-tiers: error: unknown option '%s'\n", a);
            return 2;
        }
        if (!o->tier) {
            for (size_t k = 0; k < sizeof(tiers) / sizeof(tiers[0]); k++)
                if (strcmp(a, tiers[k].name) == 0)
                    o->tier = &tiers[k];
            if (!o->tier) {
                fprintf(stderr, "leefbaar-tiers: error: unknown tier '%s' (T0, T1 or T2)\n", a);
                return 2;
            }
        } else if (!o->outdir) {
            o->outdir = a;
        } else {
            fprintf(stderr, "leefbaar-tiers: error: unexpected argument '%s'\n", a);
            return 2;
        }
    }
    if (!o->tier || !o->outdir) {
        fprintf(stderr, "leefbaar-tiers: error: %s\n", o->tier ? "missing OUTDIR" : "missing tier");
        return 2;
    }
    if (o->n_rasters < 0)
        o->n_rasters = o->tier->n_rasters;
    return 0;
}

/* mkdir -p */
static tr_status ensure_dir(tr_ctx *ctx, const char *path)
{
    struct stat sb;
    char parent[PATH_SIZE];
    snprintf(parent, sizeof(parent), "%s", path);
    char *slash = strrchr(parent, '/');
    while (slash && slash > parent && slash[1] == '\0') { /* trailing slashes */
        *slash = '\0';
        slash = strrchr(parent, '/');
    }
    if (slash && slash > parent && stat(path, &sb) != 0) {
        *slash = '\0';
        tr_status st = ensure_dir(ctx, parent);
        if (st != TR_OK)
            return st;
    }
    if (stat(path, &sb) == 0)
        return S_ISDIR(sb.st_mode)
                   ? TR_OK
                   : tr_fail(ctx, TR_ERR_IO, "'%s' exists and is not a directory", path);
    if (mkdir(path, 0755) != 0)
        return tr_fail(ctx, TR_ERR_IO, "cannot create directory '%s': %s", path, strerror(errno));
    return TR_OK;
}

/* ---- --check: GEOS validity and tiling ------------------------------------------------- */

static void geos_msg(const char *m, void *u)
{
    snprintf((char *)u, 512, "%s", m);
}

static GEOSGeometry *geos_ring_polygon(GEOSContextHandle_t h, const tr_rings *r, size_t p)
{
    size_t n = r->off[p + 1] - r->off[p];
    GEOSCoordSequence *cs =
        GEOSCoordSeq_copyFromBuffer_r(h, r->xy + 2 * r->off[p], (unsigned)n, 0, 0);
    GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* Every polygon valid, and Σ area equal to the area of the union (no overlaps) and, for a tier
 * without sea, to the box (no gaps). */
static tr_status check_tiling(tr_ctx *ctx, const tr_rings *r, const char *what)
{
    const tr_tier *t = ctx->tier;
    char msg[512] = "";
    GEOSContextHandle_t h = GEOS_init_r();
    if (!h)
        return tr_fail(ctx, TR_ERR_NOMEM, "cannot create a GEOS context");
    GEOSContext_setErrorMessageHandler_r(h, geos_msg, msg);
    tr_status st = TR_OK;
    GEOSGeometry **g = calloc(r->n ? r->n : 1, sizeof(*g));
    double sum = 0;
    for (size_t p = 0; g && p < r->n && st == TR_OK; p++) {
        g[p] = geos_ring_polygon(h, r, p);
        if (!g[p] || GEOSisValid_r(h, g[p]) != 1) {
            char *reason = g[p] ? GEOSisValidReason_r(h, g[p]) : NULL;
            st = tr_fail(ctx, TR_ERR_GEOM, "check: %s polygon %zu is invalid: %s", what, p,
                         reason ? reason : msg);
            GEOSFree_r(h, reason);
            break;
        }
        double a = 0;
        GEOSArea_r(h, g[p], &a);
        sum += a;
    }
    if (!g)
        st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (check)");
    if (st == TR_OK) {
        GEOSGeometry *coll =
            GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, g, (unsigned)r->n);
        GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        double ua = 0;
        if (!u || !GEOSArea_r(h, u, &ua)) {
            st = tr_fail(ctx, TR_ERR_GEOM, "check: union of the %s failed: %s", what, msg);
        } else {
            double box = (t->xmax - t->xmin) * (t->ymax - t->ymin);
            if (fabs(sum - ua) > 1e-9 * ua)
                st = tr_fail(ctx, TR_ERR_GEOM,
                             "check: %s overlap: sum of areas %.3f m2, union %.3f m2", what, sum,
                             ua);
            else if (!t->national && fabs(ua - box) > 1e-9 * box)
                st = tr_fail(ctx, TR_ERR_GEOM, "check: %s leave gaps: union %.3f m2, box %.3f m2",
                             what, ua, box);
            else
                printf("  check: %zu %s valid, sum of areas = union = %.1f km2\n", r->n, what,
                       ua / 1e6);
        }
        GEOSGeom_destroy_r(h, u);
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        else
            for (size_t p = 0; p < r->n; p++)
                GEOSGeom_destroy_r(h, g[p]);
    } else if (g) {
        for (size_t p = 0; p < r->n; p++)
            if (g[p])
                GEOSGeom_destroy_r(h, g[p]);
    }
    free(g);
    GEOS_finish_r(h);
    return st;
}

/* ---- writing --------------------------------------------------------------------------- */

typedef enum file_kind {
    F_BUURTEN,
    F_PC4,
    F_SQUARES,
    F_AMENITIES,
    F_INCIDENTS,
    F_RASTER,
    F_MANIFEST
} file_kind;

typedef struct file {
    file_kind kind;
    int year; /* index; or raster number */
    char name[128];
} file;

static size_t plan(const options *o, file *f)
{
    size_t n = 0;
    for (int y = 0; y < TR_N_YEARS; y++) {
        f[n] = (file){F_BUURTEN, y, ""};
        snprintf(f[n++].name, sizeof(f->name), "buurten_%d.gpkg", tr_years[y]);
    }
    f[n] = (file){F_PC4, 0, "pc4.gpkg"};
    n++;
    for (int y = 0; y < TR_N_YEARS; y++) {
        f[n] = (file){F_SQUARES, y, ""};
        snprintf(f[n++].name, sizeof(f->name), "vierkanten_%d.gpkg", tr_years[y]);
        f[n] = (file){F_AMENITIES, y, ""};
        snprintf(f[n++].name, sizeof(f->name), "amenities_%d.gpkg", tr_years[y]);
        f[n] = (file){F_INCIDENTS, y, ""};
        snprintf(f[n++].name, sizeof(f->name), "incidents_%d.gpkg", tr_years[y]);
    }
    for (int k = 0; k < o->n_rasters; k++) {
        f[n] = (file){F_RASTER, k, ""};
        snprintf(f[n++].name, sizeof(f->name), "rasters/%s.tif", tr_raster_defs[k].name);
    }
    f[n] = (file){F_MANIFEST, 0, "tier.txt"};
    return n + 1;
}

static size_t total_vertices(const tr_rings *r)
{
    return r->n ? r->off[r->n] : 0;
}

static tr_status write_manifest(tr_ctx *ctx, const options *o, const tr_world *w, const file *f,
                                size_t nf, const char *path)
{
    const tr_tier *t = o->tier;
    FILE *fp = fopen(path, "w");
    if (!fp)
        return tr_fail(ctx, TR_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    size_t land = 0;
    for (size_t c = 0; c < (size_t)w->nx * (size_t)w->ny; c++)
        land += w->land[c];
    long inw = 0;
    for (size_t q = 0; q < w->n_sq; q++)
        inw += w->sq[q].inw[0];
    fprintf(fp, "# leefbaar-tiers %s: synthetic benchmark tier (EPSG:28992)\n", LB_VERSION_STRING);
    fprintf(fp, "tier: %s\nwhat: %s\nseed: %lu\n", t->name, t->what, o->seed);
    fprintf(fp, "extent: %.0f %.0f %.0f %.0f\n", t->xmin, t->ymin, t->xmax, t->ymax);
    fprintf(fp, "grid: %d x %d cells of 100 m (%zu cells, %zu on land)\n", w->nx, w->ny,
            (size_t)w->nx * (size_t)w->ny, land);
    fprintf(fp, "buurten: %zu (%zu vertices)\n", w->bseeds.n_keep, total_vertices(&w->buurt_rings));
    fprintf(fp, "pc4: %zu (%zu vertices)\n", w->pseeds.n_keep, total_vertices(&w->pc4_rings));
    fprintf(fp, "gemeenten: %d\n", t->n_gemeenten);
    fprintf(fp, "inhabited squares: %zu (%ld inhabitants in %d)\n", w->n_sq, inw, tr_years[0]);
    for (int y = 0; y < TR_N_YEARS; y++)
        fprintf(fp, "points %d: %zu amenities, %zu incidents\n", tr_years[y], w->amenities[y].n,
                w->incidents[y].n);
    fprintf(fp, "rasters: %d\n", o->n_rasters);
    fprintf(fp, "files:\n");
    for (size_t i = 0; i < nf; i++)
        if (f[i].kind != F_MANIFEST)
            fprintf(fp, "  %s\n", f[i].name);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return tr_fail(ctx, TR_ERR_IO, "cannot write '%s'", path);
    return TR_OK;
}

static tr_status write_all(tr_ctx *ctx, const options *o, const tr_world *w)
{
    file f[MAX_FILES];
    size_t nf = plan(o, f);
    char tmp[PATH_SIZE], fin[PATH_SIZE], dir[PATH_SIZE];
    tr_status st = ensure_dir(ctx, o->outdir);
    snprintf(dir, sizeof(dir), "%s/rasters", o->outdir);
    if (st == TR_OK && o->n_rasters > 0)
        st = ensure_dir(ctx, dir);
    float *buf = NULL;
    if (st == TR_OK && o->n_rasters > 0) {
        buf = malloc((size_t)w->nx * (size_t)w->ny * sizeof(float));
        if (!buf)
            st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (raster)");
    }
    size_t done = 0;
    for (size_t i = 0; i < nf && st == TR_OK; i++) {
        const char *slash = strrchr(f[i].name, '/');
        if (slash)
            snprintf(tmp, sizeof(tmp), "%s/%.*s/.tmp.%s", o->outdir, (int)(slash - f[i].name),
                     f[i].name, slash + 1);
        else
            snprintf(tmp, sizeof(tmp), "%s/.tmp.%s", o->outdir, f[i].name);
        VSIUnlink(tmp);
        switch (f[i].kind) {
        case F_BUURTEN:
            st = tr_write_buurten(ctx, w, f[i].year, tmp);
            break;
        case F_PC4:
            st = tr_write_pc4(ctx, w, tmp);
            break;
        case F_SQUARES:
            st = tr_write_squares(ctx, w, f[i].year, tmp);
            break;
        case F_AMENITIES:
            st = tr_write_points(ctx, w, 1, f[i].year, tmp);
            break;
        case F_INCIDENTS:
            st = tr_write_points(ctx, w, 0, f[i].year, tmp);
            break;
        case F_RASTER:
            st = tr_raster_make(ctx, w, f[i].year, buf);
            if (st == TR_OK)
                st = tr_write_raster(ctx, w, buf, tr_raster_defs[f[i].year].name,
                                     tr_raster_defs[f[i].year].unit, tmp);
            break;
        case F_MANIFEST:
            st = write_manifest(ctx, o, w, f, nf, tmp);
            break;
        }
        done = i + 1;
    }
    free(buf);
    for (size_t i = 0; i < done; i++) {
        const char *slash = strrchr(f[i].name, '/');
        if (slash)
            snprintf(tmp, sizeof(tmp), "%s/%.*s/.tmp.%s", o->outdir, (int)(slash - f[i].name),
                     f[i].name, slash + 1);
        else
            snprintf(tmp, sizeof(tmp), "%s/.tmp.%s", o->outdir, f[i].name);
        snprintf(fin, sizeof(fin), "%s/%s", o->outdir, f[i].name);
        if (st != TR_OK) {
            VSIUnlink(tmp);
        } else if (VSIRename(tmp, fin) != 0) {
            st = tr_fail(ctx, TR_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, fin,
                         strerror(errno));
        }
    }
    return st;
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc == 1)
        return 0;
    if (rc == 2) {
        fprintf(stderr, "Try 'leefbaar-tiers --help'.\n");
        return 2;
    }
    GDALAllRegister();
    CPLSetConfigOption("OGR_CURRENT_DATE", FIXED_DATE);
    CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    CPLPushErrorHandler(CPLQuietErrorHandler);

    tr_ctx ctx = {.seed = o.seed, .tier = o.tier};
    tr_world w;
    tr_status st = tr_world_build(&ctx, &w);
    if (st == TR_OK && o.check) {
        st = check_tiling(&ctx, &w.buurt_rings, "buurten");
        if (st == TR_OK)
            st = check_tiling(&ctx, &w.pc4_rings, "pc4 areas");
    }
    if (st == TR_OK)
        st = write_all(&ctx, &o, &w);
    if (st == TR_OK)
        printf("leefbaar-tiers: %s (seed %lu): %zu buurten (%zu vertices), %zu PC4, %zu inhabited "
               "squares, %zu amenities, %d rasters of %d x %d -> %s\n",
               o.tier->name, o.seed, w.bseeds.n_keep, total_vertices(&w.buurt_rings),
               w.pseeds.n_keep, w.n_sq, w.amenities[0].n, o.n_rasters, w.nx, w.ny, o.outdir);
    else {
        fflush(stdout);
        fprintf(stderr, "leefbaar-tiers: error: %s\n", ctx.err);
    }
    tr_world_free(&w);
    CPLPopErrorHandler();
    GDALDestroyDriverManager();
    return st == TR_OK ? 0 : 1;
}
