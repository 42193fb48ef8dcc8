/* SPDX-License-Identifier: MIT */
/* Weighted least squares (optionally ridge) of a target on a design of predictors, with the fit
 * statistics a calibration reports: classical and cluster-robust (CRV1) standard errors, R²,
 * grouped cross-validation, VIF, condition number and sign checks. Pure arithmetic on GSL. */
#ifndef LB_CALIBRATE_FIT_H
#define LB_CALIBRATE_FIT_H

#include "../core/ctx.h"

#include <stddef.h>

/* The data of one fit. Borrowed by lb_calibrate_fit(), which copies what it keeps. */
typedef struct lb_fit_data {
    size_t n, p;           /* units (rows) and predictors (columns, intercept not included) */
    const double *x;       /* n*p row-major, x[u*p+j]: predictor j of unit u; all finite */
    const double *y;       /* n targets, finite */
    const double *w;       /* n weights > 0, or NULL = unweighted */
    const size_t *cluster; /* n cluster ids in [0, n_clusters) (gemeente), or NULL = each
                              unit its own cluster */
    size_t n_clusters;
    const char *const *names; /* p predictor names (for warnings and errors); NULL: "x1".."xp" */
    const int *sign;          /* p expected signs +1 / -1 / 0 (none), or NULL */
} lb_fit_data;

/* How to fit. All zero is plain WLS with an intercept and leave-one-cluster-out CV. */
typedef struct lb_fit_options {
    int no_intercept; /* 0 (default): an unpenalised intercept is fitted */
    double ridge;     /* λ >= 0 (0 = plain WLS); penalty λ·Σβ_j² on the raw coefficients */
    int ridge_cv;     /* 1: choose λ from the grid below by the grouped CV (ridge is ignored) */
    size_t folds;     /* 0 = leave-one-cluster-out; K >= 2: K folds of whole clusters,
                         assigned deterministically (no RNG dependence on threads) */
    double vif_warn;  /* 0 = default 10: warn for VIF above */
    double cond_warn; /* 0 = default 1e4 (of the standardised design): warn above */
} lb_fit_options;

/* Number of λ values tried by ridge_cv: 0 and LB_FIT_RIDGE_GRID - 1 values s·10^e, e from -6
 * to 2 in steps of 0.5, where s = tr(Xc'WXc)/p is the mean weighted sum of squares of the
 * centred predictors (so the grid follows the scale of the design). */
#define LB_FIT_RIDGE_GRID 18

/* The result of a fit. Everything weighted by w where weights are given.
 *
 * Standard errors:
 * - se: classical, Cov = σ²·(G − GΛG) with G = (A'WA + Λ)⁻¹, A = [1 X], Λ = diag(0, λ..λ),
 *   σ² = Σw e² / (n − df), df = k − λ·tr((Xc'WXc + λI)⁻¹) (k coefficients incl. the
 *   intercept). For λ = 0 this is the textbook σ²(A'WA)⁻¹ with df = k.
 * - se_cluster: CRV1 sandwich G·(Σ_g s_g s_g')·G with scores s_g = Σ_{i∈g} w_i e_i a_i and the
 *   small-sample factor G/(G−1)·(n−1)/(n−k) (G clusters, k coefficients), the same for ridge
 *   (a sandwich of the ridge estimator, which is biased: its SEs measure variance only).
 *   NaN when no clusters are given.
 * - CV: each fold's units are predicted by a refit (same λ, same intercept rule, predictor
 *   means of the training units) on all other folds. With ridge_cv λ is chosen by the same
 *   folds, so cv_r2 is then mildly optimistic (the choice of one number out of the grid).
 * - rmse = sqrt(Σw e²/Σw), cv_rmse likewise from the out-of-fold residuals; r2 = 1 − Σw e² /
 *   Σw (y − ȳ_w)² (centred also without intercept), r2_adj = 1 − (1 − r2)(n − 1)/(n − df).
 * - vif and condition describe the predictors centred by their weighted means and scaled to
 *   unit weighted length (whether or not an intercept is fitted): VIF_j = 1/(1 − R²_j) of the
 *   weighted regression of predictor j on the others, condition = s_max/s_min of that design.
 */
typedef struct lb_fit {
    size_t n, p, n_clusters, n_folds;
    double lambda;                                        /* the λ used */
    double intercept, intercept_se, intercept_se_cluster; /* 0 / NaN with no_intercept */
    double *beta, *se, *se_cluster, *t, *vif;             /* p each; se_cluster: CRV1 with
                                 G/(G-1)·(n-1)/(n-k) correction; NaN when no clusters given */
    int *sign_ok; /* p: 1 agrees / 0 contradicts / -1 no expectation */
    double r2, r2_adj, rmse, cv_r2, cv_rmse, condition; /* weighted; CV R² = 1 − Σw(y−ŷ_cv)²
                               / Σw(y−ȳ_w)², ŷ_cv from the fold that left the unit out */
    double *fitted, *resid, *cv_pred;                   /* n each */
    size_t *fold; /* n: the fold of each unit (a cluster never split) */
    /* additions beyond the first contract */
    double sigma;         /* residual standard deviation sqrt(Σw e²/(n − df)) */
    double df;            /* effective number of coefficients (k for λ = 0) */
    size_t n_lambda;      /* λ values tried: 1, or LB_FIT_RIDGE_GRID with ridge_cv */
    double *lambda_grid;  /* n_lambda: the values tried, ascending */
    double *lambda_cv_r2; /* n_lambda: CV R² of each */
    double *t_cluster;    /* p: beta / se_cluster (NaN without clusters) */
} lb_fit;

/* Fit y on x by weighted least squares (ridge when o->ridge > 0 or o->ridge_cv) with the
 * statistics of lb_fit. @p o may be NULL (all defaults).
 *
 * Folds: leave-one-cluster-out gives fold f to the f-th non-empty cluster in id order. With K
 * folds the clusters, largest first (ties: lower id first), go each to the fold with the fewest
 * units so far (ties: lowest fold), so folds are balanced and the same on every machine.
 *
 * Returns LB_OK, LB_ERR_NOMEM, LB_ERR_CANCELLED (progress callback), or LB_ERR_ARG with a
 * message naming the cause for: no predictors or n <= p+1; a non-finite value (row, column);
 * a weight not > 0; a cluster id out of range; a constant predictor (named); an exactly
 * collinear design (naming the predictors involved); fewer than 2 clusters for CV, or more
 * folds than clusters; a training set of a fold on which a predictor is constant or the design
 * is singular (naming the fold's first cluster and the predictor); a negative or non-finite λ.
 * Warnings (lb_ctx_log at warning level) for VIF/condition above the limits, for each sign
 * contradiction (naming the predictor, β and expected sign) and for a λ chosen at the edge of
 * the grid. *out: lb_calibrate_fit_destroy. */
lb_status lb_calibrate_fit(lb_ctx *ctx, const lb_fit_data *d, const lb_fit_options *o,
                           lb_fit **out);

/* Free a fit; NULL is a no-op. */
void lb_calibrate_fit_destroy(lb_fit *f);

#endif
