/* SPDX-License-Identifier: MIT */
/* Waterbed effects: did the improvement of focus areas (the 40 aandachtswijken) go with
 * deterioration in the areas around them? Zones, statistics and tests on scored units over
 * years (DESIGN.md §9). */
#ifndef LEEFBAAR_WATERBED_H
#define LEEFBAAR_WATERBED_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Run the waterbed analysis: zones around every focus area, statistics per focus area ×
 * zone × outcome × period, placebo p-values, the pooled ring regression with wild cluster
 * bootstrap, Benjamini–Hochberg q-values (DESIGN.md §9).
 * @param o options of operation "waterbed" (lb_opts_create(ctx, "waterbed", ...)): "scores"
 *        (repeatable, two or more years), "focus" or "focus-codes", and the rest as the
 *        command line's `leefbaar waterbed` takes them.
 * @param out receives the result (the caller frees it with lb_result_destroy): tables
 *        "waterbed" (one row per run × period × focus area × zone × outcome),
 *        "waterbed_pooled" (the pooled regression), and the zones "units", "focus" and
 *        "placebos" (with polygons); provenance = run.json. No file is written:
 *        lb_result_write() writes waterbed.csv, waterbed_pooled.csv, zones.gpkg (those three
 *        layers) and run.json, all or nothing.
 * @return LB_OK, LB_ERR_ARG (bad option), LB_ERR_IO, LB_ERR_DATA (e.g. no focus area matches
 *         the units, fewer than two years), LB_ERR_GEOM, LB_ERR_CANCELLED, LB_ERR_NOMEM; the
 *         message names the file, layer, field or code.
 */
LB_API lb_status lb_waterbed_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

/** Displacement measures of Bowers & Johnson (2003) on counts, as in Guerette's POP Center
 *  guide (Appendix B): R = response (treated) area, D = buffer, C = control; b = before,
 *  a = after. */
typedef struct lb_wdq_result {
    double gross_effect; /**< GE = Rb − Ra */
    double net_effect;   /**< NE = Rb/Cb − Ra/Ca */
    double success;      /**< Ra/Ca − Rb/Cb (WDQ denominator; < 0 = the response worked) */
    double buffer;       /**< Da/Ca − Db/Cb (WDQ numerator; > 0 = possible displacement) */
    double wdq;          /**< buffer / success; NaN when success is 0 */
    double total_net;    /**< TNE = [Rb·Ca/Cb − Ra] + [Db·Ca/Cb − Da] */
} lb_wdq_result;

/** Compute lb_wdq_result from counts (any non-negative values; Cb, Ca > 0). */
LB_API lb_status lb_wdq_counts(lb_ctx *ctx, double rb, double ra, double db, double da, double cb,
                               double ca, lb_wdq_result *out);

/** Weighted displacement difference test of Wheeler & Ratcliffe (2018) on counts:
 *  estimate = (T1 − T0) − (C1 − C0) + (D1 − D0) − (CD1 − CD0) with counts per unit of time
 *  (pre counts divided by @p pre_len, post by @p post_len; 1 and 1 for equal periods), and
 *  Poisson variance = T0/pre² + T1/post² + C0/pre² + ... over all eight counts. Pass 0 for the
 *  displacement areas when there are none. */
typedef struct lb_wdd_result {
    double estimate;
    double variance;
    double se;
    double z;
} lb_wdd_result;

LB_API lb_status lb_wdd(lb_ctx *ctx, const double treated[2], const double control[2],
                        const double disp[2], const double disp_control[2], double pre_len,
                        double post_len, lb_wdd_result *out);

/** Benjamini–Hochberg (1995) adjusted p-values (q-values) of @p n p-values into @p q
 *  (q_(i) = min_{j >= i} p_(j)·n/j over the ascending order). NaN p-values are left out of
 *  the family and get NaN. */
LB_API lb_status lb_bh_qvalues(lb_ctx *ctx, const double *p, size_t n, double *q);

#ifdef __cplusplus
}
#endif

#endif
