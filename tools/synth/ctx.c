/* SPDX-License-Identifier: MIT */
/* Generator context: GEOS handle with its messages, error text, seeded random streams and small
 * helpers shared by the stages. */
#include "synth.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int sy_years[SY_N_YEARS] = {2020, 2022};
const char *const sy_zone_names[SY_N_ZONES] = {"focus", "ring_500m", "rest", "non_residential"};
const char *const sy_inc_types[SY_N_INC_TYPES] = {"inbraak", "geweld", "vernieling", "overlast"};
const char *const sy_amenity_cats[SY_N_AMENITY_CATS] = {"supermarket", "huisarts", "basisschool",
                                                        "bibliotheek", "sport",    "station"};

static void geos_message(const char *message, void *userdata)
{
    sy_ctx *ctx = userdata;
    snprintf(ctx->geos_msg, sizeof(ctx->geos_msg), "%s", message);
}

static void geos_notice(const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
}

sy_status sy_ctx_init(sy_ctx *ctx, unsigned long seed, double strength)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->seed = seed;
    ctx->strength = strength;
    ctx->geos = GEOS_init_r();
    if (!ctx->geos)
        return sy_fail(ctx, SY_ERR_NOMEM, "cannot create a GEOS context");
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_message, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, geos_notice, ctx);
    return SY_OK;
}

void sy_ctx_finish(sy_ctx *ctx)
{
    if (ctx && ctx->geos) {
        GEOS_finish_r(ctx->geos);
        ctx->geos = NULL;
    }
}

sy_status sy_fail(sy_ctx *ctx, sy_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return s;
}

sy_status sy_geos_fail(sy_ctx *ctx, const char *what)
{
    return sy_fail(ctx, SY_ERR_GEOM, "GEOS: %s failed%s%s", what, ctx->geos_msg[0] ? ": " : "",
                   ctx->geos_msg);
}

/* SplitMix64 finaliser (Steele, Lea & Flood 2014): turns (seed, stream, index) into
 * well-separated mt19937 seeds. */
static unsigned long long mix64(unsigned long long z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

gsl_rng *sy_rng_new(const sy_ctx *ctx, sy_stream stream, unsigned long index)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return NULL;
    unsigned long long h = mix64(mix64(mix64(ctx->seed) ^ (unsigned long long)stream) ^ index);
    unsigned long s = (unsigned long)(h & 0xffffffffULL);
    gsl_rng_set(r, s ? s : 1UL);
    return r;
}

double sy_round(double v, double step)
{
    return round(v / step) * step;
}

double sy_clamp(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

GEOSGeometry *sy_point_new(sy_ctx *ctx, double x, double y)
{
    return GEOSGeom_createPointFromXY_r(ctx->geos, x, y);
}

GEOSGeometry *sy_union_of(sy_ctx *ctx, GEOSGeometry *const *parts, size_t n)
{
    GEOSGeometry **clones = calloc(n ? n : 1, sizeof(*clones));
    if (!clones)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        clones[i] = GEOSGeom_clone_r(ctx->geos, parts[i]);
        if (!clones[i]) {
            for (size_t j = 0; j < i; j++)
                GEOSGeom_destroy_r(ctx->geos, clones[j]);
            free(clones);
            return NULL;
        }
    }
    GEOSGeometry *coll =
        GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION, clones, (unsigned)n);
    if (!coll) {
        for (size_t j = 0; j < n; j++)
            GEOSGeom_destroy_r(ctx->geos, clones[j]);
        free(clones);
        return NULL;
    }
    free(clones);
    GEOSGeometry *u = GEOSUnaryUnionPrec_r(ctx->geos, coll, SY_GRID_M);
    GEOSGeom_destroy_r(ctx->geos, coll);
    return u;
}

sy_status sy_points_push(sy_ctx *ctx, sy_points *pts, const sy_point *p)
{
    if (pts->n == pts->cap) {
        size_t cap = pts->cap ? 2 * pts->cap : 256;
        sy_point *v = realloc(pts->v, cap * sizeof(*v));
        if (!v)
            return sy_fail(ctx, SY_ERR_NOMEM, "out of memory (points)");
        pts->v = v;
        pts->cap = cap;
    }
    pts->v[pts->n++] = *p;
    return SY_OK;
}

static void destroy(sy_ctx *ctx, GEOSGeometry **g)
{
    if (*g) {
        GEOSGeom_destroy_r(ctx->geos, *g);
        *g = NULL;
    }
}

void sy_city_free(sy_ctx *ctx, sy_city *city)
{
    destroy(ctx, &city->outline);
    destroy(ctx, &city->gemeente);
    for (size_t i = 0; i < SY_N_BUURTEN; i++)
        destroy(ctx, &city->buurten[i].geom);
    for (size_t i = 0; i < SY_N_WIJKEN; i++)
        destroy(ctx, &city->wijken[i].geom);
    for (size_t i = 0; i < SY_N_PC4; i++)
        destroy(ctx, &city->pc4[i].geom);
    for (size_t i = 0; i < city->n_pc6; i++)
        destroy(ctx, &city->pc6[i].geom);
    free(city->pc6);
    city->pc6 = NULL;
    city->n_pc6 = 0;
    for (size_t i = 0; i < SY_N_ROADS; i++)
        destroy(ctx, &city->roads[i].geom);
    sy_atoms_free(ctx, &city->atoms);
    free(city->fine_xy);
    free(city->fine_pc4);
    city->fine_xy = NULL;
    city->fine_pc4 = NULL;
    city->n_fine = 0;
    for (size_t y = 0; y < SY_N_YEARS; y++) {
        free(city->amenities[y].v);
        free(city->incidents[y].v);
        memset(&city->amenities[y], 0, sizeof(city->amenities[y]));
        memset(&city->incidents[y], 0, sizeof(city->incidents[y]));
    }
}
