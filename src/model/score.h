/* SPDX-License-Identifier: MIT */
/* Model arithmetic (DESIGN.md §6): transforms, reference means, deviations, totals, classes. */
#ifndef LB_MODEL_SCORE_H
#define LB_MODEL_SCORE_H

#include "model.h"

#include <stddef.h>

/* The reference against which deviations are taken. In per_year mode it is computed from the
 * scored population itself; in fixed mode it is taken from the reference year's run. */
typedef struct lb_reference {
    double ref; /* REF */
    size_t n_dims;
    double *means; /* M_d */
    size_t n_ind;
    double *ind_mean; /* weighted mean of each indicator after the pre-zscore transforms */
    double *ind_sd;   /* weighted population sd of the same */
    int year;         /* the year it was computed from (0 = unknown) */
} lb_reference;

lb_status lb_reference_alloc(lb_ctx *ctx, size_t n_dims, size_t n_ind, lb_reference *r);
void lb_reference_free(lb_reference *r);

/* Scores of n units. dev[d][u] is the dimension deviation; NaN where a unit is not scored. */
typedef struct lb_scores {
    size_t n;
    size_t n_dims;
    double **dev;
    double *afw;
    double *lbm;
    unsigned char *kscore; /* 1..9, 0 = not scored */
    unsigned char **kdim;  /* per dimension 1..9, 0 = not scored */
    int *n_imputed;        /* imputed indicators per unit */
    int *flags;            /* LB_FLAG_* bits */
} lb_scores;

enum {
    LB_FLAG_IMPUTED = 1,   /* at least one indicator imputed with the reference mean */
    LB_FLAG_DROPPED = 2,   /* not scored: a missing indicator and missing: drop */
    LB_FLAG_NO_WEIGHT = 4, /* not scored: weight below min_weight */
    LB_FLAG_WATER = 8,     /* not scored: a water-only unit of the Wijk- en Buurtkaart */
};

lb_status lb_scores_alloc(lb_ctx *ctx, size_t n, size_t n_dims, lb_scores *s);
void lb_scores_free(lb_scores *s);

/* The transforms before zscore (cap, log1p, piecewise, dummy). NaN in, or outside the domain
 * of log1p (x <= -1), gives NaN. */
double lb_model_transform_pre(const lb_transform *tf, double x);

/* Contribution β · f(x) of indicator @p ind for a unit whose pre-zscore transformed value is
 * @p f (lb_model_transform_pre), against reference mean @p mean and sd @p sd of f: a missing f
 * counts at the reference mean (imputation), zscore standardises with a zero-spread reference
 * giving 0. The one definition lb_score_units and the per-indicator outputs share. */
double lb_model_contribution(const lb_indicator *ind, double f, double mean, double sd);

/* Class 1..n+1 of @p v on @p n ascending thresholds: 1 + #{t : v >= t} (a value equal to a
 * threshold belongs to the upper class). 0 for NaN. */
int lb_model_classify(double v, const double *thresholds, size_t n);

/* Default dimension bands when a dimension declares none: ±0.02, ±0.05, ±0.10, ±0.20, centred
 * on 0 (class 5, "gemiddeld", is [−0.02, 0.02)). */
void lb_model_default_bands(const lb_model *m, double bands[LB_N_THRESHOLDS]);

/* Relative tolerance of the min_weight test. A cell's weight is a sum of value × coverage
 * fraction over the polygons under it; a cell split between two buurten with weight kind 'area'
 * weighs f + (1 − f), which comes out as 1 − 2⁻⁵³ as often as 1. Those sums carry rounding errors
 * of a few ulps per term (below 1e-13 relative even for hundreds of terms), while real weights
 * (inhabitants, dwellings, area shares) never sit within 1e-9 of a threshold without being
 * equal to it. So 1e-9 lets rounding noise never decide, with four orders of margin either way. */
#define LB_WEIGHT_RTOL 1e-9

/* Does a unit of weight @p w reach @p min_weight? w > 0 and w ≥ min_weight − LB_WEIGHT_RTOL ×
 * |min_weight| (the tolerance scales with the threshold, so it means the same for inhabitants
 * and for area shares). NaN never reaches. The one test every scoring path uses. */
int lb_model_weight_reaches(double w, double min_weight);

/* Score n units.
 * @param x        x[i][u]: raw value of indicator i for unit u (NaN = missing)
 * @param w        weight per unit (inhabitants or dwellings)
 * @param scored   1 = the unit is in the population (lb_model_weight_reaches), 0 = not scored
 * @param fixed    NULL: compute the reference from this population (per_year behaviour, and
 *                 the reference year of fixed mode); else use it as is
 * @param ref_out  receives the reference used (allocated here; lb_reference_free)
 * @param out      receives the scores (allocated here; lb_scores_free)
 * Model-stored means (reference.means) replace M_d in fixed mode.
 * Returns LB_OK, LB_ERR_NOMEM, LB_ERR_DATA (no unit with positive weight). */
lb_status lb_score_units(lb_ctx *ctx, const lb_model *m, size_t n, const double *const *x,
                         const double *w, const unsigned char *scored, const lb_reference *fixed,
                         lb_reference *ref_out, lb_scores *out);

/* Totals and classes from deviations (after aggregation): afw = Σ dev, lbm = REF + afw. */
void lb_scores_finish(const lb_model *m, double ref, lb_scores *s);

#endif
