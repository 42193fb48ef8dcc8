/* SPDX-License-Identifier: MIT */
/* Indicator rasters of a tier: smooth value noise at three scales, a share tied to the urban
 * intensity, and pixel noise; nodata over sea and abroad. */
#include "tiers.h"

#include <math.h>
#include <stdlib.h>

/* name, unit, base, amplitude of the smooth noise, urban effect, clamp range. */
const tr_raster_def tr_raster_defs[TR_MAX_RASTERS] = {
    {"noise_lden", "dB", 48, 5, 14, 30, 85},
    {"green_share", "1", 0.55, 0.2, -0.4, 0, 1},
    {"no2", "ug/m3", 14, 4, 12, 3, 60},
    {"pm25", "ug/m3", 9, 1.5, 2.5, 4, 20},
    {"tree_cover", "1", 0.2, 0.12, -0.1, 0, 1},
    {"impervious", "1", 0.08, 0.06, 0.6, 0, 1},
    {"heat_island", "K", 0.3, 0.4, 2.5, 0, 6},
    {"flood_depth", "m", 0.2, 0.5, 0, 0, 5},
    {"subsidence", "mm/yr", 1.5, 1.5, 0.5, 0, 12},
    {"night_light", "nW/cm2/sr", 2, 2, 40, 0, 120},
    {"rail_noise", "dB", 38, 6, 6, 20, 80},
    {"air_traffic_noise", "dB", 35, 8, 2, 20, 75},
    {"wind_turbine_noise", "dB", 25, 6, -4, 10, 60},
    {"odour", "ou/m3", 0.8, 1.2, -0.4, 0, 10},
    {"soil_quality", "index", 0.6, 0.15, -0.2, 0, 1},
    {"water_share", "1", 0.08, 0.1, 0.02, 0, 1},
    {"park_access", "m", 900, 500, -700, 0, 5000},
    {"elevation", "m", 2, 6, -1, -7, 320},
    {"groundwater_depth", "m", 1.2, 0.8, 0.6, 0, 15},
    {"biodiversity", "index", 0.5, 0.2, -0.3, 0, 1}};

typedef struct lattice {
    double x0, y0, sp;
    int nx, ny;
    double *v;
} lattice;

static tr_status lattice_make(tr_ctx *ctx, gsl_rng *r, double sp, lattice *l)
{
    const tr_tier *t = ctx->tier;
    l->x0 = t->xmin;
    l->y0 = t->ymin;
    l->sp = sp;
    l->nx = (int)ceil((t->xmax - t->xmin) / sp) + 2;
    l->ny = (int)ceil((t->ymax - t->ymin) / sp) + 2;
    l->v = malloc((size_t)l->nx * (size_t)l->ny * sizeof(double));
    if (!l->v)
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (raster lattice)");
    for (size_t i = 0; i < (size_t)l->nx * (size_t)l->ny; i++)
        l->v[i] = 2.0 * gsl_rng_uniform(r) - 1.0;
    return TR_OK;
}

/* Bilinear value noise with a smoothstep blend. */
static double lattice_eval(const lattice *l, double x, double y)
{
    double fx = (x - l->x0) / l->sp, fy = (y - l->y0) / l->sp;
    int i = (int)fx, j = (int)fy;
    double u = fx - i, v = fy - j;
    u = u * u * (3 - 2 * u);
    v = v * v * (3 - 2 * v);
    const double *p = l->v + (size_t)j * l->nx + i;
    return (1 - v) * ((1 - u) * p[0] + u * p[1]) + v * ((1 - u) * p[l->nx] + u * p[l->nx + 1]);
}

tr_status tr_raster_make(tr_ctx *ctx, const tr_world *w, int k, float *out)
{
    const tr_tier *t = ctx->tier;
    const tr_raster_def *d = &tr_raster_defs[k];
    gsl_rng *r = tr_rng_new(ctx, TR_STREAM_RASTER, (uint64_t)k);
    if (!r)
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (raster)");
    static const double spacing[3] = {20000, 5000, 1000};
    static const double weight[3] = {0.57, 0.29, 0.14};
    lattice lat[3] = {{0}};
    tr_status st = TR_OK;
    for (int o = 0; o < 3 && st == TR_OK; o++)
        st = lattice_make(ctx, r, spacing[o], &lat[o]);
    for (int row = 0; row < w->ny && st == TR_OK; row++) {
        double y = t->ymax - (row + 0.5) * TR_CELL_M;
        for (int col = 0; col < w->nx; col++) {
            double x = t->xmin + (col + 0.5) * TR_CELL_M;
            size_t c = (size_t)row * w->nx + col;
            double pixel = gsl_rng_uniform(r) - 0.5; /* drawn for every pixel: a fixed stream */
            if (!w->land[c]) {
                out[c] = (float)TR_NODATA;
                continue;
            }
            double s = 0;
            for (int o = 0; o < 3; o++)
                s += weight[o] * lattice_eval(&lat[o], x, y);
            double u = w->urban[c] > 2.0f ? 2.0 : w->urban[c];
            double v = d->base + d->amp * (1.6 * s + 0.3 * pixel) + d->urban * 0.5 * u;
            v = v < d->lo ? d->lo : (v > d->hi ? d->hi : v);
            out[c] = (float)v;
        }
    }
    for (int o = 0; o < 3; o++)
        free(lat[o].v);
    gsl_rng_free(r);
    return st;
}
