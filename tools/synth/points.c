/* SPDX-License-Identifier: MIT */
/* Point layers per year: amenities (density proportional to population, with some churn between
 * the years) and incidents (Poisson counts per buurt, uniform positions inside the buurt). */
#include "synth.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

enum { STATION = 5, MAX_TRIES = 100000 };

/* Inhabitants per amenity (0: fixed count in fixed_count). */
static const double per_amenity[SY_N_AMENITY_CATS] = {4500.0, 2400.0, 2500.0, 0.0, 4000.0, 0.0};
static const int fixed_count[SY_N_AMENITY_CATS] = {0, 0, 0, 3, 0, 1};
#define AMENITY_SURVIVAL 0.95

sy_status sy_random_point_in(sy_ctx *ctx, gsl_rng *r, const GEOSPreparedGeometry *prep,
                             const GEOSGeometry *geom, double step, double *x, double *y)
{
    GEOSContextHandle_t h = ctx->geos;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    if (!GEOSGeom_getXMin_r(h, geom, &xmin) || !GEOSGeom_getYMin_r(h, geom, &ymin) ||
        !GEOSGeom_getXMax_r(h, geom, &xmax) || !GEOSGeom_getYMax_r(h, geom, &ymax))
        return sy_geos_fail(ctx, "bounding box");
    for (int i = 0; i < MAX_TRIES; i++) {
        double px = sy_round(xmin + (xmax - xmin) * gsl_rng_uniform(r), step);
        double py = sy_round(ymin + (ymax - ymin) * gsl_rng_uniform(r), step);
        GEOSGeometry *p = sy_point_new(ctx, px, py);
        if (!p)
            return sy_geos_fail(ctx, "point");
        char in = GEOSPreparedContains_r(h, prep, p);
        GEOSGeom_destroy_r(h, p);
        if (in == 2)
            return sy_geos_fail(ctx, "point in polygon");
        if (in) {
            *x = px;
            *y = py;
            return SY_OK;
        }
    }
    return sy_fail(ctx, SY_ERR_GEOM, "no random point found inside a polygon");
}

static sy_status place_amenity(sy_ctx *ctx, sy_city *c, gsl_rng *r, const gsl_ran_discrete_t *pick,
                               const GEOSPreparedGeometry *const *prep, int cat, sy_points *out)
{
    sy_point p = {0};
    p.cat = cat;
    p.buurt = (int)gsl_ran_discrete(r, pick);
    sy_status st =
        sy_random_point_in(ctx, r, prep[p.buurt], c->buurten[p.buurt].geom, 1.0, &p.x, &p.y);
    if (st != SY_OK)
        return st;
    sy_amenity_name(r, c, cat, p.buurt, p.name, sizeof(p.name));
    return sy_points_push(ctx, out, &p);
}

static sy_status amenities(sy_ctx *ctx, sy_city *c, const GEOSPreparedGeometry *const *prep)
{
    double w[SY_N_BUURTEN];
    double pop = 0.0;
    for (size_t b = 0; b < c->n_buurten; b++) {
        w[b] = c->buurten[b].a[0].inw;
        pop += w[b];
    }
    gsl_ran_discrete_t *pick = gsl_ran_discrete_preproc(c->n_buurten, w);
    gsl_rng *r = sy_rng_new(ctx, SY_STREAM_AMENITIES, 0);
    sy_status st = SY_OK;
    if (!pick || !r) {
        st = sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate amenity sampler");
        goto done;
    }
    for (int cat = 0; cat < SY_N_AMENITY_CATS; cat++) {
        int n = fixed_count[cat] ? fixed_count[cat] : (int)lround(pop / per_amenity[cat]);
        if (cat == STATION) {
            sy_point p = {0};
            p.cat = cat;
            p.x = c->station_x;
            p.y = c->station_y;
            sy_amenity_name(r, c, cat, 0, p.name, sizeof(p.name));
            for (int t = 0; t < SY_N_YEARS && st == SY_OK; t++)
                st = sy_points_push(ctx, &c->amenities[t], &p);
            if (st != SY_OK)
                goto done;
            continue;
        }
        size_t first = c->amenities[0].n;
        for (int i = 0; i < n; i++) {
            st = place_amenity(ctx, c, r, pick, prep, cat, &c->amenities[0]);
            if (st != SY_OK)
                goto done;
        }
        /* 2022: each amenity survives with probability 0.95; closures are replaced by new ones
         * placed with the 2020 population, so the counts stay equal and S plays no part. */
        int kept = 0;
        for (size_t i = first; i < c->amenities[0].n; i++) {
            if (gsl_rng_uniform(r) < AMENITY_SURVIVAL) {
                st = sy_points_push(ctx, &c->amenities[1], &c->amenities[0].v[i]);
                if (st != SY_OK)
                    goto done;
                kept++;
            }
        }
        for (int i = kept; i < n; i++) {
            st = place_amenity(ctx, c, r, pick, prep, cat, &c->amenities[1]);
            if (st != SY_OK)
                goto done;
        }
    }
done:
    gsl_rng_free(r);
    gsl_ran_discrete_free(pick);
    return st;
}

static sy_status incidents(sy_ctx *ctx, sy_city *c, const GEOSPreparedGeometry *const *prep)
{
    for (int t = 0; t < SY_N_YEARS; t++) {
        for (size_t b = 0; b < c->n_buurten; b++) {
            const sy_buurt *bu = &c->buurten[b];
            /* One stream per (buurt, year): buurten outside the planted zones get the same
             * incidents whatever S is. */
            gsl_rng *r = sy_rng_new(ctx, SY_STREAM_INCIDENTS, 2 * b + (size_t)t);
            if (!r)
                return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
            for (int k = 0; k < SY_N_INC_TYPES; k++) {
                unsigned n = gsl_ran_poisson(r, bu->a[t].inc_lambda[k]);
                for (unsigned i = 0; i < n; i++) {
                    sy_point p = {0};
                    p.cat = k;
                    p.buurt = (int)b;
                    sy_status st = sy_random_point_in(ctx, r, prep[b], bu->geom, 1.0, &p.x, &p.y);
                    if (st == SY_OK)
                        st = sy_points_push(ctx, &c->incidents[t], &p);
                    if (st != SY_OK) {
                        gsl_rng_free(r);
                        return st;
                    }
                }
            }
            gsl_rng_free(r);
        }
    }
    return SY_OK;
}

sy_status sy_points_build(sy_ctx *ctx, sy_city *c)
{
    const GEOSPreparedGeometry *prep[SY_N_BUURTEN] = {NULL};
    sy_status st = SY_OK;
    for (size_t b = 0; b < c->n_buurten; b++) {
        prep[b] = GEOSPrepare_r(ctx->geos, c->buurten[b].geom);
        if (!prep[b]) {
            st = sy_geos_fail(ctx, "prepare buurt");
            goto done;
        }
    }
    st = amenities(ctx, c, prep);
    if (st == SY_OK)
        st = incidents(ctx, c, prep);
done:
    for (size_t b = 0; b < c->n_buurten; b++)
        if (prep[b])
            GEOSPreparedGeom_destroy_r(ctx->geos, prep[b]);
    return st;
}
