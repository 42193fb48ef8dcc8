/* SPDX-License-Identifier: MIT */
/* Main roads and the railway: gently meandering lines across the raster extent, and the station
 * on the railway vertex nearest to the city centre. */
#include "synth.h"

#include <math.h>
#include <stdlib.h>

typedef struct road_def {
    const char *type;
    const char *name;
    double x0, y0, x1, y1; /* metres from the city centre; clipped to the raster extent */
    double meander_m;
} road_def;

static const road_def road_defs[SY_N_ROADS] = {
    {"main_road", "A99", 3100.0, -7000.0, 3500.0, 7000.0, 140.0},
    {"main_road", "N999 Leefstadseweg", -7000.0, 350.0, 7000.0, -250.0, 160.0},
    {"main_road", "Zuiderweg", -7000.0, -2300.0, 7000.0, -1300.0, 120.0},
    {"railway", "Spoorlijn Leefstad", -7000.0, -5600.0, 7000.0, 5400.0, 60.0},
};

enum { RAIL = 3 };

static double uniform(gsl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * gsl_rng_uniform(r);
}

static GEOSGeometry *meander_line(sy_ctx *ctx, gsl_rng *r, const road_def *d)
{
    enum { STEP_M = 200 };
    double x0 = SY_CENTRE_X + d->x0, y0_ = SY_CENTRE_Y + d->y0;
    double x1 = SY_CENTRE_X + d->x1, y1_ = SY_CENTRE_Y + d->y1;
    double len = hypot(x1 - x0, y1_ - y0_);
    int n = (int)ceil(len / STEP_M) + 1;
    double nx = -(y1_ - y0_) / len, ny = (x1 - x0) / len;
    double a1 = d->meander_m * uniform(r, 0.6, 1.0), a2 = 0.35 * d->meander_m * gsl_rng_uniform(r);
    double k1 = uniform(r, 1.5, 3.0), k2 = uniform(r, 4.0, 7.0);
    double p1 = uniform(r, 0.0, 2.0 * SY_PI), p2 = uniform(r, 0.0, 2.0 * SY_PI);
    double *xy = malloc(2 * (size_t)n * sizeof(double));
    if (!xy)
        return NULL;
    for (int i = 0; i < n; i++) {
        double t = (double)i / (double)(n - 1);
        /* sin(pi t) tapers the meander to zero at both ends. */
        double off =
            sin(SY_PI * t) * (a1 * sin(SY_PI * k1 * t + p1) + a2 * sin(SY_PI * k2 * t + p2));
        xy[2 * i] = sy_round(x0 + t * (x1 - x0) + off * nx, SY_GRID_M);
        xy[2 * i + 1] = sy_round(y0_ + t * (y1_ - y0_) + off * ny, SY_GRID_M);
    }
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(ctx->geos, xy, (unsigned)n, 0, 0);
    free(xy);
    return cs ? GEOSGeom_createLineString_r(ctx->geos, cs) : NULL;
}

sy_status sy_roads_build(sy_ctx *ctx, sy_city *city)
{
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    sy_status st = sy_extent(ctx, city, &xmin, &ymin, &xmax, &ymax);
    if (st != SY_OK)
        return st;
    gsl_rng *r = sy_rng_new(ctx, SY_STREAM_ROADS, 0);
    if (!r)
        return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
    for (int i = 0; i < SY_N_ROADS; i++) {
        GEOSGeometry *line = meander_line(ctx, r, &road_defs[i]);
        GEOSGeometry *clip =
            line ? GEOSClipByRect_r(ctx->geos, line, xmin, ymin, xmax, ymax) : NULL;
        GEOSGeom_destroy_r(ctx->geos, line);
        if (!clip || GEOSGeomTypeId_r(ctx->geos, clip) != GEOS_LINESTRING) {
            GEOSGeom_destroy_r(ctx->geos, clip);
            gsl_rng_free(r);
            return sy_fail(ctx, SY_ERR_GEOM, "road '%s' does not cross the extent once",
                           road_defs[i].name);
        }
        city->roads[i].type = road_defs[i].type;
        city->roads[i].name = road_defs[i].name;
        city->roads[i].geom = clip;
    }
    gsl_rng_free(r);

    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, city->roads[RAIL].geom);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(ctx->geos, cs, &n) || n == 0)
        return sy_geos_fail(ctx, "railway coordinates");
    double bd = -1.0;
    for (unsigned i = 0; i < n; i++) {
        double x = 0.0, y = 0.0;
        GEOSCoordSeq_getXY_r(ctx->geos, cs, i, &x, &y);
        double d = hypot(x - SY_CENTRE_X, y - SY_CENTRE_Y);
        if (bd < 0.0 || d < bd) {
            bd = d;
            city->station_x = x;
            city->station_y = y;
        }
    }
    return SY_OK;
}
