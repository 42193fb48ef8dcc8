/* SPDX-License-Identifier: MIT */
/* Resident judgements: a wijkmonitor-like rapportcijfer per buurt and year, made from the buurt's
 * published attributes by a planted linear model (the "oordelenmodel" truth) plus survey noise,
 * and the two files that carry them: the judgements as a CSV export and the planted model as a
 * leefbaar model YAML (see shapes/README.md, "Resident judgements"). */
#include "synth.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* The planted oordelenmodel: cijfer = SY_JUDGE_INTERCEPT + sum coef * transform(field). The
 * values were chosen so that the expected cijfer spans about 6.3-8.2 over the residential
 * buurten (a usual range in Dutch wijkmonitors) and every term moves it by a tenth or more. */
const sy_judge_term sy_judge_terms[SY_N_JUDGE_TERMS] = {
    {"woz_log", "Gemiddelde WOZ-waarde", "× € 1.000", "won", SY_ATTR_WOZ, 1, 1.0,
     "dearer dwellings go with higher judgements of the dwelling and its surroundings"},
    {"low_income", "Huishoudens met laag inkomen", "%", "bev", SY_ATTR_LINK, 0, -0.015,
     "a concentration of low incomes goes with lower judgements"},
    {"single_person", "Eenpersoonshuishoudens", "%", "bev", SY_ATTR_EENP, 0, -0.020,
     "many single-person households mean fewer neighbours who stay and know each other"},
    {"aged_65_plus", "Inwoners van 65 jaar en ouder", "%", "bev", SY_ATTR_65, 0, 0.025,
     "older residents judge their buurt more favourably"},
};

const char *sy_attr_field(sy_attr_field_id f)
{
    switch (f) {
    case SY_ATTR_WOZ:
        return "WOZ";
    case SY_ATTR_LINK:
        return "P_LINK_HH";
    case SY_ATTR_EENP:
        return "P_EENP_HH";
    case SY_ATTR_65:
        return "P_65_EO_JR";
    }
    return "?";
}

static double attr_value(const sy_attrs *a, sy_attr_field_id f)
{
    switch (f) {
    case SY_ATTR_WOZ:
        return a->woz;
    case SY_ATTR_LINK:
        return a->p_link;
    case SY_ATTR_EENP:
        return a->p_eenp;
    case SY_ATTR_65:
        return a->p_65;
    }
    return NAN;
}

/* The expected cijfer of a buurt from its attributes exactly as written (rounded as published),
 * or NaN when one of them is a CBS sentinel. */
double sy_judgement_expected(const sy_attrs *a)
{
    double v = SY_JUDGE_INTERCEPT;
    for (int k = 0; k < SY_N_JUDGE_TERMS; k++) {
        const sy_judge_term *t = &sy_judge_terms[k];
        double x = attr_value(a, t->field);
        if (x < 0.0) /* sentinels (-99999997/-99999999); no real value is negative */
            return NAN;
        v += t->coef * (t->log1p ? log1p(x) : x);
    }
    return v;
}

sy_status sy_judgement_build(sy_ctx *ctx, sy_city *c)
{
    for (size_t b = 0; b < c->n_buurten; b++) {
        sy_buurt *bu = &c->buurten[b];
        for (int t = 0; t < SY_N_YEARS; t++) {
            gsl_rng *r = sy_rng_new(ctx, SY_STREAM_JUDGEMENT, 2 * b + (size_t)t);
            if (!r)
                return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
            /* Respondents: every inhabitant answers with the response share; the noise of the
             * buurt mean of their individual grades is N(0, SD^2 / n). Both draws are made for
             * every buurt so the stream never depends on whether the buurt is published. */
            const int inw = bu->a[t].inw > 0 ? bu->a[t].inw : 0;
            unsigned n = gsl_ran_binomial(r, SY_JUDGE_RESPONSE, (unsigned)inw);
            double z = gsl_ran_ugaussian(r);
            gsl_rng_free(r);
            double mu = sy_judgement_expected(&bu->a[t]);
            bu->n_resp[t] = (int)n;
            if (bu->kind != SY_KIND_RESIDENTIAL || n < SY_JUDGE_MIN_RESP || !isfinite(mu)) {
                bu->judgement[t] = NAN; /* not published */
                continue;
            }
            bu->judgement[t] = sy_round(mu + z * SY_JUDGE_SD / sqrt((double)n), 0.1);
        }
    }
    return SY_OK;
}

static int by_code(const void *a, const void *b)
{
    const sy_buurt *x = *(const sy_buurt *const *)a, *y = *(const sy_buurt *const *)b;
    return strcmp(x->code, y->code);
}

static sy_status close_file(sy_ctx *ctx, FILE *f, const char *path, int write_failed)
{
    int err = ferror(f) || write_failed;
    if (fclose(f) != 0)
        err = 1;
    if (err)
        return sy_fail(ctx, SY_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return SY_OK;
}

sy_status sy_write_judgements(sy_ctx *ctx, const sy_city *c, const char *path)
{
    const sy_buurt *order[SY_N_BUURTEN];
    for (size_t b = 0; b < c->n_buurten; b++)
        order[b] = &c->buurten[b];
    qsort(order, c->n_buurten, sizeof(order[0]), by_code);
    FILE *f = fopen(path, "w");
    if (!f)
        return sy_fail(ctx, SY_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    int bad = fprintf(f, "BU_CODE,WK_CODE,GM_CODE,JAAR,RAPPORTCIJFER,N_RESPONDENTEN\n") < 0;
    for (size_t i = 0; i < c->n_buurten && !bad; i++) {
        const sy_buurt *bu = order[i];
        for (int t = 0; t < SY_N_YEARS && !bad; t++) {
            char cijfer[32] = "";
            if (isfinite(bu->judgement[t]))
                snprintf(cijfer, sizeof(cijfer), "%.1f", bu->judgement[t]);
            bad = fprintf(f, "%s,%s,%s,%d,%s,%d\n", bu->code, c->wijken[bu->wijk].code, SY_GM_CODE,
                          sy_years[t], cijfer, bu->n_resp[t]) < 0;
        }
    }
    return close_file(ctx, f, path, bad);
}

sy_status sy_write_judgement_model(sy_ctx *ctx, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return sy_fail(ctx, SY_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    int bad = 0;
    bad |= fprintf(f,
                   "# The planted oordelenmodel of the demo city Leefstad, written by\n"
                   "# leefbaar-synth (tools/synth/judgement.c).\n"
                   "# RAPPORTCIJFER in shapes/leefstad_oordelen.csv is, per residential buurt "
                   "and year,\n"
                   "#   %.4f + sum over the indicators of coef * transform(field)\n"
                   "# on the buurt's attributes in shapes/leefstad_<year>.gpkg (layer buurten, "
                   "as written),\n"
                   "# plus N(0, %.2f^2 / N_RESPONDENTEN) survey noise, rounded to one "
                   "decimal; N_RESPONDENTEN ~\n"
                   "# Binomial(AANT_INW, %.2f); a buurt with fewer than %d respondents is not "
                   "published.\n"
                   "# `leefbaar calibrate` on these judgements should recover the coefs below "
                   "within their\n"
                   "# standard errors (tests/cli/cli_calibrate_recovery.sh).\n"
                   "# planted_intercept: %.4f\n",
                   SY_JUDGE_INTERCEPT, SY_JUDGE_SD, SY_JUDGE_RESPONSE, SY_JUDGE_MIN_RESP,
                   SY_JUDGE_INTERCEPT) < 0;
    bad |= fprintf(f, "name: leefstad-oordeel\n"
                      "version: 1\n"
                      "description: Planted resident-judgement model of the demo city "
                      "(rapportcijfer, 1-10)\n"
                      "\n"
                      "reference:\n"
                      "  mode: per_year\n"
                      "  ref: 7.0\n"
                      "\n"
                      "weight:\n"
                      "  kind: inhabitants\n"
                      "  layer: buurten\n"
                      "  field: AANT_INW\n"
                      "\n"
                      "grid:\n"
                      "  min_weight: 1\n"
                      "\n"
                      "missing: drop\n"
                      "\n"
                      "dimensions:\n"
                      "  - {code: won, label: Woningvoorraad}\n"
                      "  - {code: bev, label: Bewoners}\n"
                      "\n"
                      "indicators:\n") < 0;
    for (int k = 0; k < SY_N_JUDGE_TERMS && !bad; k++) {
        const sy_judge_term *t = &sy_judge_terms[k];
        bad |= fprintf(f,
                       "  - id: %s\n"
                       "    label: %s\n"
                       "    unit: \"%s\"\n"
                       "    dimension: %s\n"
                       "    kind: attribute\n"
                       "    layer: buurten\n"
                       "    field: %s\n"
                       "    transform: %s\n"
                       "    coef: %.4f\n"
                       "    why: %s\n",
                       t->id, t->label, t->unit, t->dimension, sy_attr_field(t->field),
                       t->log1p ? "log1p" : "identity", t->coef, t->why) < 0;
    }
    return close_file(ctx, f, path, bad);
}
