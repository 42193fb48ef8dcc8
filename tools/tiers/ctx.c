/* SPDX-License-Identifier: MIT */
/* leefbaar-tiers: errors, seeded random streams, small containers, the land of a tier and the
 * towns that make its urban intensity. */
#include "tiers.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

const int tr_years[TR_N_YEARS] = {2020, 2022};

tr_status tr_fail(tr_ctx *ctx, tr_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return s;
}

/* SplitMix64 finaliser (Steele, Lea & Flood 2014): well-separated seeds from (seed, stream,
 * index). */
uint64_t tr_mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

gsl_rng *tr_rng_new(const tr_ctx *ctx, tr_stream stream, uint64_t index)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return NULL;
    uint64_t h = tr_mix64(tr_mix64(tr_mix64(ctx->seed) ^ (uint64_t)stream) ^ index);
    unsigned long s = (unsigned long)(h & 0xffffffffULL);
    gsl_rng_set(r, s ? s : 1UL);
    return r;
}

/* Coordinates are written on a 1 mm lattice: the same value computed on both sides of a shared
 * boundary rounds to the same double. */
double tr_round_mm(double v)
{
    return round(v * 1000.0) / 1000.0;
}

void tr_rings_free(tr_rings *r)
{
    free(r->off);
    free(r->xy);
    r->off = NULL;
    r->xy = NULL;
    r->n = r->cap = 0;
}

tr_status tr_seeds_push(tr_ctx *ctx, tr_seeds *s, double x, double y)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        double *xy = realloc(s->xy, 2 * cap * sizeof(double));
        if (!xy)
            return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (seeds)");
        s->xy = xy;
        s->cap = cap;
    }
    s->xy[2 * s->n] = x;
    s->xy[2 * s->n + 1] = y;
    s->n++;
    return TR_OK;
}

void tr_seeds_free(tr_seeds *s)
{
    free(s->xy);
    s->xy = NULL;
    s->n = s->n_keep = s->cap = 0;
}

/* A caricature of the Netherlands in RD metres (clockwise from Zeeland), touching all four sides
 * of the 280 x 325 km box like the real country: west (Zeeland), north (Wadden), east
 * (Groningen) and south (Zuid-Limburg). Sea and abroad are outside. */
static const double nl_outline[][2] = {
    {0, 372000},      {28000, 396000},  {52000, 424000},  {70000, 458000},  {88000, 498000},
    {100000, 536000}, {110000, 572000}, {140000, 598000}, {190000, 608000}, {238000, 625000},
    {280000, 606000}, {280000, 562000}, {258000, 522000}, {262000, 482000}, {236000, 446000},
    {208000, 424000}, {206000, 382000}, {202000, 342000}, {196000, 300000}, {176000, 312000},
    {178000, 356000}, {152000, 374000}, {106000, 382000}, {62000, 368000},  {22000, 362000}};

int tr_is_land(const tr_tier *t, double x, double y)
{
    if (x < t->xmin || x > t->xmax || y < t->ymin || y > t->ymax)
        return 0;
    if (!t->national)
        return 1;
    /* Crossing number against the outline scaled into the tier box. */
    const size_t n = sizeof(nl_outline) / sizeof(nl_outline[0]);
    double sx = (t->xmax - t->xmin) / 280000.0, sy = (t->ymax - t->ymin) / 325000.0;
    int in = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = t->xmin + nl_outline[i][0] * sx,
               yi = t->ymin + (nl_outline[i][1] - 300000) * sy;
        double xj = t->xmin + nl_outline[j][0] * sx,
               yj = t->ymin + (nl_outline[j][1] - 300000) * sy;
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}

double tr_land_fraction_hint(const tr_tier *t)
{
    if (!t->national)
        return 1.0;
    const size_t n = sizeof(nl_outline) / sizeof(nl_outline[0]);
    double a = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++)
        a += nl_outline[j][0] * nl_outline[i][1] - nl_outline[i][0] * nl_outline[j][1];
    return fabs(0.5 * a) / (280000.0 * 325000.0);
}

tr_status tr_towns_build(tr_ctx *ctx, tr_towns *out)
{
    const tr_tier *t = ctx->tier;
    int n = t->n_towns;
    out->n = 0;
    out->x = calloc((size_t)n, sizeof(double));
    out->y = calloc((size_t)n, sizeof(double));
    out->sd = calloc((size_t)n, sizeof(double));
    out->w = calloc((size_t)n, sizeof(double));
    gsl_rng *r = tr_rng_new(ctx, TR_STREAM_TOWNS, 0);
    if (!out->x || !out->y || !out->sd || !out->w || !r) {
        gsl_rng_free(r);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (towns)");
    }
    double w = t->xmax - t->xmin, h = t->ymax - t->ymin;
    double sd_median = 0.12 * sqrt(w * h / n);
    for (int k = 0; k < n; k++) {
        double x, y;
        do {
            x = t->xmin + w * gsl_rng_uniform(r);
            y = t->ymin + h * gsl_rng_uniform(r);
        } while (!tr_is_land(t, x, y));
        out->x[k] = x;
        out->y[k] = y;
        out->sd[k] = sd_median * exp(0.5 * gsl_ran_ugaussian(r));
        double wk = exp(0.6 * gsl_ran_ugaussian(r));
        out->w[k] = wk > 4.0 ? 4.0 : wk;
    }
    out->n = n;
    gsl_rng_free(r);
    return TR_OK;
}

double tr_towns_eval(const tr_towns *t, double x, double y)
{
    double s = 0;
    for (int k = 0; k < t->n; k++) {
        double dx = x - t->x[k], dy = y - t->y[k], q = (dx * dx + dy * dy) / (t->sd[k] * t->sd[k]);
        if (q < 50.0)
            s += t->w[k] * exp(-0.5 * q);
    }
    return s;
}

void tr_towns_free(tr_towns *t)
{
    free(t->x);
    free(t->y);
    free(t->sd);
    free(t->w);
    t->x = t->y = t->sd = t->w = NULL;
    t->n = 0;
}
