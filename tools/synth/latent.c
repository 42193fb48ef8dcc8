/* SPDX-License-Identifier: MIT */
/* Latent livability L per buurt, the zones around the focus wijken, the planted waterbed effect,
 * and the CBS-like attributes derived from L for 2020 and 2022. */
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* Base incident rates per 1,000 inhabitants per year (illustrative, of the order of registered
 * crime in a Dutch middle-sized city): inbraak, geweld, vernieling, overlast. */
static const double inc_base[SY_N_INC_TYPES] = {3.0, 4.0, 6.0, 10.0};
/* Extra weight of the centre (nightlife, shops) per type. */
static const double inc_centre[SY_N_INC_TYPES] = {0.0, 0.8, 0.3, 0.6};
/* Fixed expected incidents per year in the non-residential buurten. */
static const double inc_industrial[SY_N_INC_TYPES] = {7.0, 1.0, 9.0, 3.0};
static const double inc_park[SY_N_INC_TYPES] = {0.0, 3.0, 7.0, 12.0};

/* Standard deviations of the persistent buurt residuals and of the year noise, per attribute
 * (units: dwelling density log, occupancy, percentage points, log WOZ, logits, log rate). */
static const double u_sd[SY_N_U] = {0.15, 0.01, 4.0, 4.0, 3.0, 0.07, 0.25, 0.30, 0.15, 0.20};
static const double e_sd[SY_N_U] = {0.01, 0.004, 0.8, 0.8, 0.5, 0.012, 0.04, 0.04, 0.03, 0.0};

#define FIELD_NOISE_SD 0.35

static double logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

double sy_field_eval(const sy_city *c, double x, double y)
{
    const sy_field *f = &c->field;
    double v = 0.0;
    for (int i = 0; i < f->n; i++) {
        double dx = x - f->x[i], dy = y - f->y[i];
        v += f->amp[i] * exp(-(dx * dx + dy * dy) / (2.0 * f->sd[i] * f->sd[i]));
    }
    /* Slightly better towards the edge of town (suburban owner-occupied housing). */
    double dx = x - SY_CENTRE_X, dy = y - SY_CENTRE_Y;
    double rel = hypot(dx, dy) / sy_shape_radius(&c->shape, atan2(dy, dx));
    v += 0.35 * (rel < 1.2 ? rel : 1.2);
    /* The deprived post-war wijken and, weaker, their surroundings. */
    for (int k = 0; k < SY_N_FOCUS; k++) {
        double fx = x - c->focus_x[k], fy = y - c->focus_y[k];
        v -= f->dip * exp(-(fx * fx + fy * fy) / (2.0 * f->dip_sd * f->dip_sd));
    }
    return v;
}

static void draw_field(gsl_rng *r, sy_city *c)
{
    sy_field *f = &c->field;
    f->n = 6;
    for (int i = 0; i < f->n; i++) {
        f->x[i] = SY_CENTRE_X + (2.0 * gsl_rng_uniform(r) - 1.0) * c->shape.a_m;
        f->y[i] = SY_CENTRE_Y + (2.0 * gsl_rng_uniform(r) - 1.0) * c->shape.b_m;
        f->amp[i] = -0.6 + 1.2 * gsl_rng_uniform(r);
        f->sd[i] = 1000.0 + 1200.0 * gsl_rng_uniform(r);
    }
    f->dip = 1.5;
    f->dip_sd = 850.0;
}

static sy_status zones(sy_ctx *ctx, sy_city *c)
{
    for (size_t b = 0; b < c->n_buurten; b++) {
        sy_buurt *bu = &c->buurten[b];
        if (c->wijken[bu->wijk].focus) {
            bu->zone = SY_ZONE_FOCUS;
            bu->dist_focus_m = 0.0;
            continue;
        }
        double best = -1.0;
        for (int f = 0; f < SY_N_FOCUS; f++) {
            double d = 0.0;
            if (!GEOSDistance_r(ctx->geos, bu->geom, c->wijken[c->focus[f]].geom, &d))
                return sy_geos_fail(ctx, "distance buurt - focus wijk");
            if (best < 0.0 || d < best)
                best = d;
        }
        bu->dist_focus_m = best;
        bu->zone = best <= SY_RING_M ? SY_ZONE_RING : SY_ZONE_REST;
    }
    return SY_OK;
}

/* Non-residential buurten are taken from the "rest" zone between 700 and 2000 m from the focus
 * wijken, so neither the planted zones nor the far periphery lose populated buurten. */
static int nonres_candidate(const sy_buurt *bu, int relax)
{
    if (bu->zone != SY_ZONE_REST || bu->dist_focus_m <= 700.0)
        return 0;
    return relax || bu->dist_focus_m <= 2000.0;
}

static sy_status choose_nonresidential(sy_ctx *ctx, sy_city *c, gsl_rng *r)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *edge = GEOSBoundary_r(h, c->gemeente);
    if (!edge)
        return sy_geos_fail(ctx, "gemeente boundary");
    int ind = -1;
    double best = 0.0;
    /* Industrial estate: at the edge of town, as close to the railway as possible. */
    for (int relax = 0; relax < 2 && ind < 0; relax++) {
        for (size_t b = 0; b < c->n_buurten; b++) {
            sy_buurt *bu = &c->buurten[b];
            if (!nonres_candidate(bu, relax))
                continue;
            char touches = GEOSIntersects_r(h, bu->geom, edge);
            double d = 0.0;
            if (touches == 2 || !GEOSDistance_r(h, bu->geom, c->roads[3].geom, &d)) {
                GEOSGeom_destroy_r(h, edge);
                return sy_geos_fail(ctx, "industrial candidate");
            }
            if (touches && (ind < 0 || d < best)) {
                ind = (int)b;
                best = d;
            }
        }
    }
    GEOSGeom_destroy_r(h, edge);
    if (ind < 0)
        return sy_fail(ctx, SY_ERR_DATA, "no candidate buurt for the industrial estate");
    sy_buurt *bi = &c->buurten[ind];
    bi->kind = SY_KIND_INDUSTRIAL;
    bi->zone = SY_ZONE_NONRES;
    snprintf(bi->name, sizeof(bi->name), "Bedrijventerrein Spoorzone");

    /* City park: not touching the industrial estate, 1-3.5 km from the centre; seeded pick. */
    int cand[SY_N_BUURTEN];
    size_t nc = 0;
    for (int relax = 0; relax < 2 && nc == 0; relax++) {
        for (size_t b = 0; b < c->n_buurten; b++) {
            sy_buurt *bu = &c->buurten[b];
            double d = 0.0, rc = hypot(bu->cx - SY_CENTRE_X, bu->cy - SY_CENTRE_Y);
            if (!nonres_candidate(bu, relax) || rc < 1000.0 || rc > 3500.0)
                continue;
            if (!GEOSDistance_r(h, bu->geom, bi->geom, &d))
                return sy_geos_fail(ctx, "park candidate");
            if (d > 1.0)
                cand[nc++] = (int)b;
        }
    }
    if (nc == 0)
        return sy_fail(ctx, SY_ERR_DATA, "no candidate buurt for the city park");
    sy_buurt *bp = &c->buurten[cand[gsl_rng_uniform_int(r, nc)]];
    bp->kind = SY_KIND_PARK;
    bp->zone = SY_ZONE_NONRES;
    char wname[sizeof(c->wijken[0].name)];
    memcpy(wname, c->wijken[bp->wijk].name, sizeof(wname));
    snprintf(bp->name, sizeof(bp->name), "Stadspark %.40s", wname);
    return SY_OK;
}

/* Attributes of a residential buurt from its latent livability (see shapes/README.md). */
static void residential_attrs(const sy_city *c, const sy_buurt *bu, double L, double L_inc,
                              double inc_mult, const double *e, int won_base, sy_attrs *a)
{
    const double *u = bu->u;
    double dx = bu->cx - SY_CENTRE_X, dy = bu->cy - SY_CENTRE_Y;
    double r = hypot(dx, dy);
    double rel = r / sy_shape_radius(&c->shape, atan2(dy, dx));
    double cen = exp(-r / 1500.0);
    double fprox = 0.0;
    for (int f = 0; f < SY_N_FOCUS; f++) {
        double fx = bu->cx - c->focus_x[f], fy = bu->cy - c->focus_y[f];
        double p = exp(-(fx * fx + fy * fy) / (2.0 * 800.0 * 800.0));
        fprox = p > fprox ? p : fprox;
    }
    if (won_base < 0) {
        /* Dwellings per km2: dense centre, post-war high-rise around the focus wijken. */
        double dens = (600.0 + 2600.0 * exp(-r / 2000.0) + 1200.0 * fprox) * exp(u[SY_U_DENS]);
        a->won = (int)lround(dens * bu->area_m2 / 1e6);
    } else {
        a->won = (int)lround(won_base * exp(e[SY_U_DENS]));
    }
    double occ = sy_clamp(0.955 + u[SY_U_OCC] + e[SY_U_OCC], 0.85, 0.995);
    a->hh = (int)lround(a->won * occ);
    double eenp = sy_clamp(34.0 + 16.0 * cen - 2.0 * L + u[SY_U_EENP] + e[SY_U_EENP], 12.0, 75.0);
    double hhmk = sy_clamp(31.0 - 12.0 * cen + 2.5 * L + u[SY_U_HHMK] + e[SY_U_HHMK], 6.0, 55.0);
    double hhsize = (eenp * 1.0 + hhmk * 3.75 + (100.0 - eenp - hhmk) * 2.05) / 100.0;
    a->inw = (int)lround(a->hh * hhsize);
    a->p_eenp = sy_round(eenp, 0.1);
    a->p_hhmk = sy_round(hhmk, 0.1);
    a->p_65 = sy_round(
        sy_clamp(18.5 + 5.0 * rel - 3.0 * cen + 0.8 * L + u[SY_U_65] + e[SY_U_65], 4.0, 40.0), 0.1);
    a->woz = (double)lround(255.0 * exp(0.21 * L + 0.25 * cen + u[SY_U_WOZ] + e[SY_U_WOZ]));
    double koop = 100.0 * logistic(0.1 + 1.05 * L - 0.9 * cen + u[SY_U_KOOP] + e[SY_U_KOOP]);
    a->p_koop = sy_round(koop, 0.1);
    a->p_corp =
        sy_round((100.0 - koop) * logistic(0.9 - 0.75 * L + u[SY_U_CORP] + e[SY_U_CORP]), 0.1);
    a->p_link = sy_round(
        100.0 * logistic(-0.55 - 0.55 * L + 0.35 * cen + u[SY_U_LINK] + e[SY_U_LINK]), 0.1);
    for (int k = 0; k < SY_N_INC_TYPES; k++)
        a->inc_lambda[k] = a->inw / 1000.0 * inc_base[k] * (1.0 + inc_centre[k] * cen) *
                           exp(-0.45 * L_inc + u[SY_U_INC]) * inc_mult;
}

static void nonres_attrs(const sy_buurt *bu, int inw, sy_attrs *a)
{
    if (bu->kind == SY_KIND_PARK) {
        a->inw = a->hh = a->won = 0;
        a->woz = a->p_koop = a->p_corp = a->p_eenp = a->p_hhmk = a->p_65 = a->p_link =
            SY_SENT_UNKNOWN;
        for (int k = 0; k < SY_N_INC_TYPES; k++)
            a->inc_lambda[k] = inc_park[k];
        return;
    }
    /* A few caretakers' dwellings: too few to publish (CBS "geheim"); no income statistics. */
    a->inw = inw;
    a->hh = (inw + 1) / 2;
    a->won = a->hh + 1;
    a->woz = a->p_koop = a->p_corp = a->p_eenp = a->p_hhmk = a->p_65 = SY_SENT_SECRET;
    a->p_link = SY_SENT_UNKNOWN;
    for (int k = 0; k < SY_N_INC_TYPES; k++)
        a->inc_lambda[k] = inc_industrial[k];
}

sy_status sy_latent_build(sy_ctx *ctx, sy_city *c)
{
    sy_status st = zones(ctx, c);
    if (st != SY_OK)
        return st;
    gsl_rng *r = sy_rng_new(ctx, SY_STREAM_NONRES, 0);
    if (!r)
        return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
    st = choose_nonresidential(ctx, c, r);
    int ind_inw[SY_N_YEARS];
    ind_inw[0] = 8 + (int)gsl_rng_uniform_int(r, 13);
    ind_inw[1] = ind_inw[0] + (int)gsl_rng_uniform_int(r, 5) - 2;
    gsl_rng_free(r);
    if (st != SY_OK)
        return st;

    r = sy_rng_new(ctx, SY_STREAM_FIELD, 0);
    if (!r)
        return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
    draw_field(r, c);
    gsl_rng_free(r);

    /* Persistent per-buurt draws, always in the same order whatever the zone or S. */
    double raw[SY_N_BUURTEN];
    double sum = 0.0, sum2 = 0.0;
    int n = 0;
    for (size_t b = 0; b < c->n_buurten; b++) {
        sy_buurt *bu = &c->buurten[b];
        r = sy_rng_new(ctx, SY_STREAM_BUURT, b);
        if (!r)
            return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
        raw[b] = sy_field_eval(c, bu->cx, bu->cy) + gsl_ran_gaussian(r, FIELD_NOISE_SD);
        bu->dL_noise = gsl_ran_gaussian(r, SY_NOISE_DL);
        for (int k = 0; k < SY_N_U; k++)
            bu->u[k] = gsl_ran_gaussian(r, u_sd[k]);
        gsl_rng_free(r);
        if (bu->kind == SY_KIND_RESIDENTIAL) {
            sum += raw[b];
            sum2 += raw[b] * raw[b];
            n++;
        }
    }
    c->field.mean = sum / n;
    c->field.sd_all = sqrt((sum2 - sum * sum / n) / (n - 1));

    const double s = ctx->strength;
    for (size_t b = 0; b < c->n_buurten; b++) {
        sy_buurt *bu = &c->buurten[b];
        bu->L[0] = (raw[b] - c->field.mean) / c->field.sd_all;
        double planted = 0.0, mult = 1.0;
        if (bu->zone == SY_ZONE_FOCUS) {
            planted = SY_FOCUS_DL * s;
            mult = pow(SY_FOCUS_INC_MULT, s);
        } else if (bu->zone == SY_ZONE_RING) {
            planted = SY_RING_DL * s;
            mult = pow(SY_RING_INC_MULT, s);
        }
        bu->dL_planted = bu->kind == SY_KIND_RESIDENTIAL ? planted : 0.0;
        bu->L[1] = bu->L[0] + bu->dL_noise + bu->dL_planted;
        for (int t = 0; t < SY_N_YEARS; t++) {
            double e[SY_N_U];
            r = sy_rng_new(ctx, SY_STREAM_YEAR, 2 * b + (size_t)t);
            if (!r)
                return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
            for (int k = 0; k < SY_N_U; k++)
                e[k] = e_sd[k] > 0.0 ? gsl_ran_gaussian(r, e_sd[k]) : 0.0;
            gsl_rng_free(r);
            if (bu->kind != SY_KIND_RESIDENTIAL) {
                nonres_attrs(bu, ind_inw[t], &bu->a[t]);
                continue;
            }
            /* Incidents follow L without the planted shift; the planted effect on incidents is
             * the explicit multiplier (0.60^S in focus, 1.50^S in the ring). */
            double L_inc = t == 0 ? bu->L[0] : bu->L[0] + bu->dL_noise;
            residential_attrs(c, bu, bu->L[t], L_inc, t == 0 ? 1.0 : mult, e,
                              t == 0 ? -1 : bu->a[0].won, &bu->a[t]);
        }
    }
    return SY_OK;
}
