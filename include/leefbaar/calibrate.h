/* SPDX-License-Identifier: MIT */
/* Calibration: estimate a model's coefficients from a target per unit (resident judgements or
 * published scores) by weighted least squares, with honest fit statistics. */
#ifndef LEEFBAAR_CALIBRATE_H
#define LEEFBAAR_CALIBRATE_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Calibrate a model: evaluate its indicators on the units of the target exactly as
 * lb_score_run() does ("mode" area, or grid aggregated to the units), join the target table(s)
 * by code, and fit the coefficients by weighted least squares (weights: the units' model
 * weight, or none; optional ridge), with standard errors (also clustered by gemeente), R² and
 * cross-validated R² with folds of whole gemeenten. Nothing is written; lb_result_write()
 * writes the fitted model to "output" and, beside it, its reports.
 *
 * @param o options of operation "calibrate" (lb_opts_create(ctx, "calibrate", ...)): "model",
 *        "input" (repeatable, as for score), "target" (TABLE[:LAYER]:FIELD) and/or "target-dim"
 *        (CODE=TABLE[:LAYER]:FIELD, repeatable), and the rest as the command line's
 *        `leefbaar calibrate` takes them (see lb_opts_key_name()).
 * @param out receives the result (lb_result_destroy): table "coefficients" (one row per target
 *        and coefficient: target, indicator, dimension, previous and fitted coefficient, se,
 *        se_cluster, t, vif, expected sign, sign_ok, used), table "fit" (one row per target: n,
 *        units left out, clusters, folds, λ, intercept, R², adjusted R², CV R², RMSE, CV RMSE,
 *        condition number), table "predictions" (one row per target and unit used: code,
 *        gemeente, fold, weight, observed, fitted, cv_pred, residual, and the transformed
 *        indicator values f_<id> the fit used); provenance = the calibrate.json document.
 * @return LB_OK; LB_ERR_ARG (bad options; a fit that cannot be made: fewer units than
 *         coefficients, a constant indicator, collinear indicators, fewer than 2 gemeenten);
 *         LB_ERR_DATA (a target table without the field, codes that join no unit, a code twice
 *         in the year); LB_ERR_MODEL; LB_ERR_IO; LB_ERR_CANCELLED; LB_ERR_NOMEM.
 */
LB_API lb_status lb_calibrate_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

#ifdef __cplusplus
}
#endif

#endif
