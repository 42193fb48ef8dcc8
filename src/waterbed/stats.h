/* SPDX-License-Identifier: MIT */
/* Zone statistics of the waterbed analysis (DESIGN.md §9): weighted means, development against
 * the regional trend, difference-in-differences against a control re-weighted to the zone's
 * baseline class mix, lagging shares and counts, the score analogue of the WDQ. */
#ifndef LB_WATERBED_STATS_H
#define LB_WATERBED_STATS_H

#include "../model/model.h"
#include <leefbaar/waterbed.h>

#include <math.h>
#include <stddef.h>

/* Sums by baseline class (1..LB_N_CLASSES; index 0 unused): units, Σw and Σw·Δ. */
typedef struct wb_acc {
    double w[LB_N_CLASSES + 1];
    double wd[LB_N_CLASSES + 1];
    size_t cnt[LB_N_CLASSES + 1];
    size_t n;
} wb_acc;

static inline void wb_acc_add(wb_acc *a, int cls, double w, double delta)
{
    a->w[cls] += w;
    a->wd[cls] += w * delta;
    a->cnt[cls]++;
    a->n++;
}

/* a -= b (class by class); used to take the units near a placebo area out of a region total. */
void wb_acc_sub(wb_acc *a, const wb_acc *b);

/* Σw over all classes. */
double wb_acc_wsum(const wb_acc *a);

/* Weighted mean of Δ (NaN when empty). */
double wb_acc_mean(const wb_acc *a);

/* Control development re-weighted to the zone's class mix: Σ_c π_c · m_c with π_c the zone's
 * weight share in class c and m_c the control's weighted mean Δ over a window of classes
 * around c: class c alone when the control has at least @p min_n units in it, else widened
 * one class at a time (the lower side first on a tie) until it holds min_n units or spans
 * all classes. So a sparse class borrows from its neighbours instead of resting on one or
 * two control units. NaN when the zone or the control is empty. */
double wb_ctrl_delta(const wb_acc *zone, const wb_acc *ctrl, size_t min_n);

/* Per-unit inputs of one period and outcome. */
typedef struct wb_obs {
    const double *w;           /* weight at t0 */
    const unsigned char *cls;  /* baseline (matching) class 1..9 at t0; 0 = unknown */
    const double *s0, *s1;     /* outcome at t0 and t1 */
    const unsigned char *lcls; /* Leefbaarometer class at t0 (receiving areas); NULL = cls */
} wb_obs;

/* Is unit u usable: weight > 0, class known, both scores finite. */
static inline int wb_obs_ok(const wb_obs *o, size_t u)
{
    return o->w[u] > 0.0 && isfinite(o->w[u]) && o->cls[u] > 0 && isfinite(o->s0[u]) &&
           isfinite(o->s1[u]);
}

/* Regional trend and spread: trend = Σw·Δ/Σw, sd = sqrt(Σw·(Δ − trend)²/Σw) over the usable
 * units @p units. NaN when none. */
void wb_trend(const wb_obs *o, const size_t *units, size_t n, double *trend, double *sd);

typedef struct wb_params {
    double k1, k2;
    int receiving_class;
    size_t min_control; /* control units per class window (wb_ctrl_delta) */
} wb_params;

/* Statistics of one zone. */
typedef struct wb_zstat {
    size_t n;                   /* usable units */
    double wsum;                /* Σw */
    double mean0, mean1, delta; /* weighted with w (t0 weights at both times) */
    double rel_delta;           /* Σw·d/Σw with d = Δ − trend */
    double delta_ctrl;          /* wb_ctrl_delta against the control */
    double did;                 /* delta − delta_ctrl */
    double delta_ctrl_plain;    /* the control's weighted mean Δ as it is (no re-weighting) */
    double did_plain;           /* delta − delta_ctrl_plain */
    double share_k1;            /* Σ{w : d < −k1·sd}/Σw */
    size_t n_receiving;         /* units with class <= receiving_class at t0 */
    size_t n_k2;                /* of those, units with d/sd < −k2 */
} wb_zstat;

/* Statistics of the zone of units @p units (unusable ones skipped) against control sums
 * @p ctrl (may be NULL: no DiD). */
void wb_zone_stat(const wb_obs *o, const size_t *units, size_t n, const wb_acc *ctrl, double trend,
                  double sd, const wb_params *par, wb_zstat *out);

/* Class sums of the usable units @p units. */
void wb_acc_units(const wb_obs *o, const size_t *units, size_t n, wb_acc *out);

/* The score analogue of the weighted displacement quotient (Bowers & Johnson 2003): with
 * differences instead of ratios to the control, WDQ = (ΔB − ΔC)/(ΔA − ΔC) = did_zone /
 * did_focus, reported only when the focus area improved against its control (did_focus > 0);
 * NaN otherwise. Negative = displacement, positive = diffusion of benefits (their signs). */
double wb_wdq_scores(double did_zone, double did_focus);

/* Breaks of @p n_cls classes at weighted quantiles of @p x (n values, weights @p w; entries
 * with a non-finite x or w <= 0 skipped): break i (1..n_cls−1) is the lowest x whose units
 * below it hold at least i/n_cls of the weight, so class c = 1 + #{breaks <= x} holds the
 * units between the (c−1)/n_cls and c/n_cls weighted quantiles. Fewer breaks when ties merge
 * them (*n_out). @p breaks holds n_cls − 1. */
lb_status wb_quantile_breaks(lb_ctx *ctx, const double *x, const double *w, size_t n, int n_cls,
                             double *breaks, size_t *n_out);

/* Class 1 + #{breaks <= x} of a finite x; 0 for NaN. */
int wb_class_of(double x, const double *breaks, size_t n_breaks);

#endif
