/* SPDX-License-Identifier: MIT */
/* The 100 m rasters: road and rail noise (dB Lden) and green share (0..1), on a grid aligned to
 * multiples of 100 m covering the gemeente plus 1 km. */
#include "synth.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

enum { N_SMALL_PARKS = 10 };

sy_status sy_extent(sy_ctx *ctx, const sy_city *city, double *xmin, double *ymin, double *xmax,
                    double *ymax)
{
    GEOSContextHandle_t h = ctx->geos;
    double a = 0, b = 0, c = 0, d = 0;
    if (!GEOSGeom_getXMin_r(h, city->gemeente, &a) || !GEOSGeom_getYMin_r(h, city->gemeente, &b) ||
        !GEOSGeom_getXMax_r(h, city->gemeente, &c) || !GEOSGeom_getYMax_r(h, city->gemeente, &d))
        return sy_geos_fail(ctx, "gemeente extent");
    *xmin = floor((a - SY_RASTER_MARGIN_M) / SY_CELL_M) * SY_CELL_M;
    *ymin = floor((b - SY_RASTER_MARGIN_M) / SY_CELL_M) * SY_CELL_M;
    *xmax = ceil((c + SY_RASTER_MARGIN_M) / SY_CELL_M) * SY_CELL_M;
    *ymax = ceil((d + SY_RASTER_MARGIN_M) / SY_CELL_M) * SY_CELL_M;
    return SY_OK;
}

static int buurt_of_kind(const sy_city *c, sy_kind kind)
{
    for (size_t b = 0; b < c->n_buurten; b++)
        if (c->buurten[b].kind == kind)
            return (int)b;
    return -1;
}

/* Green areas: the park buurt plus a few small neighbourhood parks (discs of 100-300 m radius),
 * inside the gemeente and outside the industrial estate. Used only for the green raster. */
static sy_status parks_build(sy_ctx *ctx, const sy_city *c, GEOSGeometry **out)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *parts[N_SMALL_PARKS + 1] = {NULL};
    GEOSGeometry *u = NULL, *in = NULL, *res = NULL;
    sy_status st = SY_OK;
    int park = buurt_of_kind(c, SY_KIND_PARK), ind = buurt_of_kind(c, SY_KIND_INDUSTRIAL);
    gsl_rng *r = sy_rng_new(ctx, SY_STREAM_RASTER, 1);
    if (!r)
        return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
    for (int i = 0; i < N_SMALL_PARKS; i++) {
        size_t b;
        do
            b = (size_t)gsl_rng_uniform_int(r, c->n_buurten);
        while (c->buurten[b].kind != SY_KIND_RESIDENTIAL);
        const GEOSPreparedGeometry *prep = GEOSPrepare_r(h, c->buurten[b].geom);
        double x = 0.0, y = 0.0;
        st = prep ? sy_random_point_in(ctx, r, prep, c->buurten[b].geom, 1.0, &x, &y)
                  : sy_geos_fail(ctx, "prepare buurt");
        if (prep)
            GEOSPreparedGeom_destroy_r(h, prep);
        if (st != SY_OK)
            goto done;
        GEOSGeometry *p = sy_point_new(ctx, x, y);
        parts[i] = p ? GEOSBuffer_r(h, p, 100.0 + 200.0 * gsl_rng_uniform(r), 8) : NULL;
        GEOSGeom_destroy_r(h, p);
        if (!parts[i]) {
            st = sy_geos_fail(ctx, "small park");
            goto done;
        }
    }
    size_t np = N_SMALL_PARKS;
    if (park >= 0)
        parts[np++] = c->buurten[park].geom;
    u = sy_union_of(ctx, parts, np);
    in = u ? GEOSIntersection_r(h, u, c->gemeente) : NULL;
    res = in && ind >= 0 ? GEOSDifference_r(h, in, c->buurten[ind].geom) : NULL;
    if (!res) {
        st = sy_geos_fail(ctx, "park union");
        goto done;
    }
    *out = res;
done:
    GEOSGeom_destroy_r(h, in);
    GEOSGeom_destroy_r(h, u);
    for (int i = 0; i < N_SMALL_PARKS; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    gsl_rng_free(r);
    return st;
}

static GEOSGeometry *cell_polygon(sy_ctx *ctx, double x0, double y0_)
{
    double xy[10] = {
        x0, y0_, x0 + SY_CELL_M, y0_, x0 + SY_CELL_M, y0_ + SY_CELL_M, x0, y0_ + SY_CELL_M,
        x0, y0_};
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(ctx->geos, xy, 5, 0, 0);
    GEOSGeometry *ring = cs ? GEOSGeom_createLinearRing_r(ctx->geos, cs) : NULL;
    return ring ? GEOSGeom_createPolygon_r(ctx->geos, ring, NULL, 0) : NULL;
}

/* Fraction of the cell covered by the geometry (exact, by intersection). */
static sy_status coverage(sy_ctx *ctx, const GEOSPreparedGeometry *prep, const GEOSGeometry *g,
                          const GEOSGeometry *cell, double *frac)
{
    GEOSContextHandle_t h = ctx->geos;
    char c = GEOSPreparedContains_r(h, prep, cell);
    char i = c == 1 ? 1 : GEOSPreparedIntersects_r(h, prep, cell);
    if (c == 2 || i == 2)
        return sy_geos_fail(ctx, "cell predicate");
    if (c == 1 || i == 0) {
        *frac = c == 1 ? 1.0 : 0.0;
        return SY_OK;
    }
    GEOSGeometry *x = GEOSIntersection_r(h, g, cell);
    double a = 0.0;
    if (!x || !GEOSArea_r(h, x, &a)) {
        GEOSGeom_destroy_r(h, x);
        return sy_geos_fail(ctx, "cell intersection");
    }
    GEOSGeom_destroy_r(h, x);
    *frac = sy_clamp(a / (SY_CELL_M * SY_CELL_M), 0.0, 1.0);
    return SY_OK;
}

void sy_raster_free(sy_raster *r)
{
    free(r->noise);
    free(r->green);
    r->noise = r->green = NULL;
}

sy_status sy_rasters_compute(sy_ctx *ctx, const sy_city *c, sy_raster *out)
{
    GEOSContextHandle_t h = ctx->geos;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    sy_status st = sy_extent(ctx, c, &xmin, &ymin, &xmax, &ymax);
    if (st != SY_OK)
        return st;
    sy_raster ras = {
        xmin, ymax, (int)lround((xmax - xmin) / SY_CELL_M), (int)lround((ymax - ymin) / SY_CELL_M),
        NULL, NULL};
    GEOSGeometry *parks = NULL, *edge = NULL;
    const GEOSPreparedGeometry *p_gem = NULL, *p_park = NULL, *p_ind = NULL;
    gsl_rng *r = NULL;
    int ind = buurt_of_kind(c, SY_KIND_INDUSTRIAL);
    size_t ncell = (size_t)ras.nx * (size_t)ras.ny;

    ras.noise = malloc(ncell * sizeof(float));
    ras.green = malloc(ncell * sizeof(float));
    r = sy_rng_new(ctx, SY_STREAM_RASTER, 0);
    if (!ras.noise || !ras.green || !r || ind < 0) {
        st = sy_fail(ctx, SY_ERR_NOMEM, "out of memory (rasters)");
        goto done;
    }
    st = parks_build(ctx, c, &parks);
    if (st != SY_OK)
        goto done;
    edge = GEOSBoundary_r(h, c->gemeente);
    p_gem = GEOSPrepare_r(h, c->gemeente);
    p_park = GEOSPrepare_r(h, parks);
    p_ind = GEOSPrepare_r(h, c->buurten[ind].geom);
    if (!edge || !p_gem || !p_park || !p_ind) {
        st = sy_geos_fail(ctx, "prepare raster geometries");
        goto done;
    }
    for (int row = 0; row < ras.ny; row++) {
        for (int col = 0; col < ras.nx; col++) {
            double x0 = xmin + col * SY_CELL_M, y0_ = ymax - (row + 1) * SY_CELL_M;
            double x = x0 + SY_CELL_M / 2.0, y = y0_ + SY_CELL_M / 2.0;
            double fin = 0, fpark = 0, find = 0, d_edge = 0;
            GEOSGeometry *cell = cell_polygon(ctx, x0, y0_);
            GEOSGeometry *pt = sy_point_new(ctx, x, y);
            if (!cell || !pt) {
                GEOSGeom_destroy_r(h, cell);
                GEOSGeom_destroy_r(h, pt);
                st = sy_geos_fail(ctx, "raster cell");
                goto done;
            }
            st = coverage(ctx, p_gem, c->gemeente, cell, &fin);
            if (st == SY_OK)
                st = coverage(ctx, p_park, parks, cell, &fpark);
            if (st == SY_OK)
                st = coverage(ctx, p_ind, c->buurten[ind].geom, cell, &find);
            if (st == SY_OK && !GEOSDistance_r(h, pt, edge, &d_edge))
                st = sy_geos_fail(ctx, "distance to the gemeente edge");
            /* Noise: energetic sum of a background and each line source, whose level falls
             * by 16 dB per decade of (1 + d/15 m): 72 dB on a main road, 68 dB on the rail. */
            double rc = hypot(x - SY_CENTRE_X, y - SY_CENTRE_Y);
            double bg = 41.0 + 5.0 * fin + 3.0 * exp(-rc / 2000.0) + 4.0 * find;
            double energy = pow(10.0, bg / 10.0);
            for (int k = 0; k < SY_N_ROADS && st == SY_OK; k++) {
                double d = 0.0;
                if (!GEOSDistance_r(h, pt, c->roads[k].geom, &d)) {
                    st = sy_geos_fail(ctx, "distance to road");
                    break;
                }
                double l0 = c->roads[k].type[0] == 'r' ? 68.0 : 72.0;
                energy += pow(10.0, (l0 - 16.0 * log10(1.0 + d / 15.0)) / 10.0);
            }
            GEOSGeom_destroy_r(h, cell);
            GEOSGeom_destroy_r(h, pt);
            if (st != SY_OK)
                goto done;
            double noise = 10.0 * log10(energy) + gsl_ran_gaussian(r, 0.5);
            /* Green: countryside outside the gemeente, parks, the green edge of town, leafier
             * where the latent field is higher; almost none on the industrial estate. */
            double lf = (sy_field_eval(c, x, y) - c->field.mean) / c->field.sd_all;
            double edge_w = fin > 0.0 && d_edge < 400.0 ? 1.0 - d_edge / 400.0 : 0.0;
            double g_urban = sy_clamp(0.14 + 0.05 * lf + 0.30 * edge_w, 0.02, 0.6);
            double rest = sy_clamp(fin - fpark - find, 0.0, 1.0);
            double green = (1.0 - fin) * 0.82 + fpark * 0.92 + find * 0.05 + rest * g_urban +
                           gsl_ran_gaussian(r, 0.02);
            size_t i = (size_t)row * (size_t)ras.nx + (size_t)col;
            ras.noise[i] = (float)sy_round(noise, 0.1);
            ras.green[i] = (float)sy_round(sy_clamp(green, 0.0, 1.0), 0.001);
        }
    }
    *out = ras;
    ras.noise = ras.green = NULL;
done:
    if (p_ind)
        GEOSPreparedGeom_destroy_r(h, p_ind);
    if (p_park)
        GEOSPreparedGeom_destroy_r(h, p_park);
    if (p_gem)
        GEOSPreparedGeom_destroy_r(h, p_gem);
    GEOSGeom_destroy_r(h, edge);
    GEOSGeom_destroy_r(h, parks);
    gsl_rng_free(r);
    sy_raster_free(&ras);
    return st;
}
