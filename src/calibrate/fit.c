/* SPDX-License-Identifier: MIT */
/* Weighted least squares with an optional ridge penalty, CRV1 standard errors, grouped
 * cross-validation, VIF, condition number and sign checks (see fit.h). Each fit centres the
 * predictors by their weighted means (the intercept is then the weighted mean of y), scales the
 * √w-weighted columns to unit length and solves by Householder QR; a ridge penalty is a block
 * of p extra rows under R (Golub & Van Loan, Matrix Computations, §6.1 and §5.3): the normal
 * equations are never formed. */
#include "fit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_VIF_WARN 10.0
#define DEFAULT_COND_WARN 1e4
/* Unit-length columns: a column whose distance from the span of the others (|r_jj|, or the
 * smallest singular value) is below this is taken as an exact linear combination of them. */
#define RANK_TOL 1e-10
/* A predictor whose weighted spread is below this fraction of its magnitude is constant (up to
 * rounding of a constant). */
#define CONST_TOL 1e-12
/* A predictor's share in a null vector of the design above which it is named as collinear. */
#define NULL_LOADING 1e-6

/* ---- one QR fit on a subset of the rows ---- */

typedef struct qrfit {
    size_t p;
    int centre;
    double sw, ybar;
    double *xbar, *scale;   /* p: weighted means (0 without centring), column lengths */
    gsl_matrix *Z;          /* nmax × p: the scaled design, then its QR */
    gsl_vector *zy;         /* nmax: √w (y − ȳ), then Q'·that */
    gsl_vector *ztau;       /* p */
    gsl_matrix *M;          /* 2p × p: [R; √λ·diag(1/scale)], then its QR */
    gsl_vector *mtau, *rhs; /* p, 2p */
    gsl_matrix *Rinv;       /* p × p */
} qrfit;

static void qrfit_free(qrfit *q)
{
    if (!q)
        return;
    free(q->xbar);
    free(q->scale);
    if (q->Z)
        gsl_matrix_free(q->Z);
    if (q->zy)
        gsl_vector_free(q->zy);
    if (q->ztau)
        gsl_vector_free(q->ztau);
    if (q->M)
        gsl_matrix_free(q->M);
    if (q->mtau)
        gsl_vector_free(q->mtau);
    if (q->rhs)
        gsl_vector_free(q->rhs);
    if (q->Rinv)
        gsl_matrix_free(q->Rinv);
    memset(q, 0, sizeof(*q));
}

/* 0 on success, -1 out of memory. */
static int qrfit_alloc(qrfit *q, size_t nmax, size_t p)
{
    memset(q, 0, sizeof(*q));
    q->p = p;
    q->xbar = calloc(p, sizeof(double));
    q->scale = calloc(p, sizeof(double));
    q->Z = gsl_matrix_alloc(nmax, p);
    q->zy = gsl_vector_alloc(nmax);
    q->ztau = gsl_vector_alloc(p);
    q->M = gsl_matrix_alloc(2 * p, p);
    q->mtau = gsl_vector_alloc(p);
    q->rhs = gsl_vector_alloc(2 * p);
    q->Rinv = gsl_matrix_alloc(p, p);
    if (!q->xbar || !q->scale || !q->Z || !q->zy || !q->ztau || !q->M || !q->mtau || !q->rhs ||
        !q->Rinv) {
        qrfit_free(q);
        return -1;
    }
    return 0;
}

static double weight(const lb_fit_data *d, size_t i)
{
    return d->w ? d->w[i] : 1.0;
}

/* Factor the design of the @p m rows @p rows. Returns 0, or 1 + j when predictor j is
 * constant on these rows (zero after centring, or all zero without). */
static size_t qrfit_build(qrfit *q, const lb_fit_data *d, const size_t *rows, size_t m, int centre)
{
    size_t p = d->p;
    q->centre = centre;
    q->sw = 0.0;
    q->ybar = 0.0;
    for (size_t j = 0; j < p; j++)
        q->xbar[j] = 0.0;
    if (centre) {
        for (size_t r = 0; r < m; r++) {
            size_t i = rows[r];
            double wi = weight(d, i);
            q->sw += wi;
            q->ybar += wi * d->y[i];
            for (size_t j = 0; j < p; j++)
                q->xbar[j] += wi * d->x[i * p + j];
        }
        q->ybar /= q->sw;
        for (size_t j = 0; j < p; j++)
            q->xbar[j] /= q->sw;
    } else {
        for (size_t r = 0; r < m; r++)
            q->sw += weight(d, rows[r]);
    }
    for (size_t j = 0; j < p; j++) {
        double ss = 0.0, big = 0.0;
        for (size_t r = 0; r < m; r++) {
            size_t i = rows[r];
            double sq = sqrt(weight(d, i));
            double z = sq * (d->x[i * p + j] - q->xbar[j]);
            gsl_matrix_set(q->Z, r, j, z);
            ss += z * z;
            if (fabs(d->x[i * p + j]) > big)
                big = fabs(d->x[i * p + j]);
        }
        q->scale[j] = sqrt(ss);
        if (!(q->scale[j] > CONST_TOL * big * sqrt(q->sw)))
            return 1 + j;
        for (size_t r = 0; r < m; r++)
            gsl_matrix_set(q->Z, r, j, gsl_matrix_get(q->Z, r, j) / q->scale[j]);
    }
    for (size_t r = 0; r < m; r++) {
        size_t i = rows[r];
        gsl_vector_set(q->zy, r, sqrt(weight(d, i)) * (d->y[i] - q->ybar));
    }
    gsl_matrix_view Z = gsl_matrix_submatrix(q->Z, 0, 0, m, p);
    gsl_vector_view zy = gsl_vector_subvector(q->zy, 0, m);
    gsl_linalg_QR_decomp(&Z.matrix, q->ztau);
    gsl_linalg_QR_QTvec(&Z.matrix, q->ztau, &zy.vector);
    return 0;
}

/* Solve the (ridge) least squares problem for @p lambda: β (p) and the intercept; with @p B
 * (p × p) also B = (Xc'WXc + λI)⁻¹. Returns 0, or 1 + j when the design is singular at
 * predictor j (it is a combination of the predictors before it). */
static size_t qrfit_solve(qrfit *q, double lambda, double *beta, double *alpha, gsl_matrix *B)
{
    size_t p = q->p;
    double sl = sqrt(lambda);
    gsl_matrix_set_zero(q->M);
    gsl_vector_set_zero(q->rhs);
    for (size_t j = 0; j < p; j++) {
        for (size_t k = j; k < p; k++)
            gsl_matrix_set(q->M, j, k, gsl_matrix_get(q->Z, j, k));
        /* scaled coefficient γ_j = scale_j·β_j, so λβ_j² = (√λ/scale_j)²γ_j² */
        gsl_matrix_set(q->M, p + j, j, sl / q->scale[j]);
        gsl_vector_set(q->rhs, j, gsl_vector_get(q->zy, j));
    }
    if (lambda > 0.0) {
        gsl_linalg_QR_decomp(q->M, q->mtau);
        gsl_linalg_QR_QTvec(q->M, q->mtau, q->rhs);
    }
    for (size_t j = 0; j < p; j++)
        if (!(fabs(gsl_matrix_get(q->M, j, j)) > RANK_TOL))
            return 1 + j;
    /* back substitution R γ = c */
    for (size_t jj = p; jj-- > 0;) {
        double s = gsl_vector_get(q->rhs, jj);
        for (size_t k = jj + 1; k < p; k++)
            s -= gsl_matrix_get(q->M, jj, k) * beta[k];
        beta[jj] = s / gsl_matrix_get(q->M, jj, jj);
    }
    for (size_t j = 0; j < p; j++)
        beta[j] /= q->scale[j];
    if (alpha) {
        double a = q->ybar;
        for (size_t j = 0; j < p; j++)
            a -= q->xbar[j] * beta[j];
        *alpha = q->centre ? a : 0.0;
    }
    if (B) {
        /* R⁻¹ column by column; (Z'Z + Λ)⁻¹ = R⁻¹R⁻ᵀ, then unscale */
        gsl_matrix_set_zero(q->Rinv);
        for (size_t c = 0; c < p; c++) {
            for (size_t jj = c + 1; jj-- > 0;) {
                double s = jj == c ? 1.0 : 0.0;
                for (size_t k = jj + 1; k <= c; k++)
                    s -= gsl_matrix_get(q->M, jj, k) * gsl_matrix_get(q->Rinv, k, c);
                gsl_matrix_set(q->Rinv, jj, c, s / gsl_matrix_get(q->M, jj, jj));
            }
        }
        for (size_t j = 0; j < p; j++)
            for (size_t k = j; k < p; k++) {
                double s = 0.0;
                for (size_t m = k; m < p; m++)
                    s += gsl_matrix_get(q->Rinv, j, m) * gsl_matrix_get(q->Rinv, k, m);
                s /= q->scale[j] * q->scale[k];
                gsl_matrix_set(B, j, k, s);
                gsl_matrix_set(B, k, j, s);
            }
    }
    return 0;
}

/* ---- helpers ---- */

static const char *pname(const lb_fit_data *d, size_t j, char *buf, size_t size)
{
    if (d->names && d->names[j])
        return d->names[j];
    snprintf(buf, size, "x%zu", j + 1);
    return buf;
}

typedef struct csize {
    size_t id, size;
} csize;

static int csize_cmp(const void *a, const void *b)
{
    const csize *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static size_t cluster_of(const lb_fit_data *d, size_t i)
{
    return d->cluster ? d->cluster[i] : i;
}

/* Folds of whole clusters (see lb_calibrate_fit): fold[i] for every unit. */
static lb_status assign_folds(lb_ctx *ctx, const lb_fit_data *d, size_t folds, size_t *fold,
                              size_t *n_folds, size_t *n_groups)
{
    lb_status st = LB_OK;
    size_t nc = d->cluster ? d->n_clusters : d->n;
    size_t *size = calloc(nc, sizeof(size_t));
    size_t *of = calloc(nc, sizeof(size_t));
    csize *order = NULL;
    size_t *load = NULL;
    if (!size || !of) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory assigning folds");
        goto cleanup;
    }
    for (size_t i = 0; i < d->n; i++)
        size[cluster_of(d, i)]++;
    size_t G = 0;
    for (size_t c = 0; c < nc; c++)
        G += size[c] > 0;
    *n_groups = G;
    if (G < 2) {
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "calibrate: cross-validation by cluster needs units in at least 2 "
                          "clusters (gemeenten); the data have %zu",
                          G);
        goto cleanup;
    }
    if (folds == 1 || folds > G) {
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "calibrate: %zu cross-validation folds for %zu clusters: use 0 (leave "
                          "one cluster out) or 2 to %zu folds",
                          folds, G, G);
        goto cleanup;
    }
    if (folds == 0) {
        size_t f = 0;
        for (size_t c = 0; c < nc; c++)
            of[c] = size[c] ? f++ : 0;
        *n_folds = G;
    } else {
        order = malloc(G * sizeof(*order));
        load = calloc(folds, sizeof(size_t));
        if (!order || !load) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory assigning folds");
            goto cleanup;
        }
        size_t g = 0;
        for (size_t c = 0; c < nc; c++)
            if (size[c])
                order[g++] = (csize){c, size[c]};
        qsort(order, G, sizeof(*order), csize_cmp);
        for (g = 0; g < G; g++) {
            size_t best = 0;
            for (size_t f = 1; f < folds; f++)
                if (load[f] < load[best])
                    best = f;
            of[order[g].id] = best;
            load[best] += order[g].size;
        }
        *n_folds = folds;
    }
    for (size_t i = 0; i < d->n; i++)
        fold[i] = of[cluster_of(d, i)];
cleanup:
    free(load);
    free(order);
    free(of);
    free(size);
    return st;
}

/* Check the data: sizes, finite values, weights, cluster ids, a constant target. */
static lb_status check_data(lb_ctx *ctx, const lb_fit_data *d, const lb_fit_options *o)
{
    char nb[32];
    if (!d || !d->x || !d->y)
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: no data to fit");
    if (d->p == 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: no predictors to fit");
    if (d->n <= d->p + 1)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "calibrate: %zu units for %zu predictors and an intercept: a fit "
                            "needs more units than coefficients (at least %zu units)",
                            d->n, d->p, d->p + 2);
    if (d->cluster && d->n_clusters == 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: cluster ids given but n_clusters is 0");
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->p; j++)
            if (!isfinite(d->x[i * d->p + j]))
                return lb_ctx_error(ctx, LB_ERR_ARG,
                                    "calibrate: predictor '%s' (column %zu) is %g at row %zu "
                                    "(counting from 0); leave out units with missing values",
                                    pname(d, j, nb, sizeof(nb)), j, d->x[i * d->p + j], i);
        if (!isfinite(d->y[i]))
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "calibrate: the target is %g at row %zu (counting from 0); leave "
                                "out units with a missing target",
                                d->y[i], i);
        if (d->w && !(isfinite(d->w[i]) && d->w[i] > 0.0))
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "calibrate: weight %g at row %zu (counting from 0): weights must "
                                "be finite and > 0",
                                d->w[i], i);
        if (d->cluster && d->cluster[i] >= d->n_clusters)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "calibrate: cluster id %zu at row %zu (counting from 0) is not "
                                "below the number of clusters %zu",
                                d->cluster[i], i, d->n_clusters);
    }
    if (o->ridge_cv == 0 && !(isfinite(o->ridge) && o->ridge >= 0.0))
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: ridge λ %g: use a finite λ >= 0",
                            o->ridge);
    if (!(o->vif_warn >= 0.0) || !(o->cond_warn >= 0.0))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "calibrate: VIF and condition warning limits must be >= 0 (0 = "
                            "default)");
    double sw = 0.0, ybar = 0.0, sst = 0.0, big = 0.0;
    for (size_t i = 0; i < d->n; i++) {
        sw += weight(d, i);
        ybar += weight(d, i) * d->y[i];
        if (fabs(d->y[i]) > big)
            big = fabs(d->y[i]);
    }
    ybar /= sw;
    for (size_t i = 0; i < d->n; i++)
        sst += weight(d, i) * (d->y[i] - ybar) * (d->y[i] - ybar);
    if (!(sqrt(sst) > CONST_TOL * big * sqrt(sw)))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "calibrate: the target is constant (%g on every unit): there is "
                            "nothing to explain",
                            d->y[0]);
    return LB_OK;
}

/* The centred, scaled design's singular values: condition, VIF, and the predictors of an
 * exactly collinear design. @p q holds the full data's centred QR. */
static lb_status diagnose(lb_ctx *ctx, const lb_fit_data *d, const qrfit *q, lb_fit *f)
{
    lb_status st = LB_OK;
    size_t p = d->p;
    gsl_matrix *A = gsl_matrix_alloc(p, p), *V = gsl_matrix_alloc(p, p);
    gsl_vector *S = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    if (!A || !V || !S || !work) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory");
        goto cleanup;
    }
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k < p; k++)
            gsl_matrix_set(A, j, k, k >= j ? gsl_matrix_get(q->Z, j, k) : 0.0);
    /* R has the singular values of the scaled design (Z = QR, Q orthonormal) */
    gsl_linalg_SV_decomp(A, V, S, work);
    double smax = gsl_vector_get(S, 0), smin = gsl_vector_get(S, p - 1);
    f->condition = smin > 0.0 ? smax / smin : INFINITY;
    if (!(smin > RANK_TOL * smax)) {
        char list[512] = "";
        char nb[32];
        size_t count = 0;
        for (size_t j = 0; j < p; j++) {
            int in = 0;
            for (size_t m = 0; m < p; m++)
                if (!(gsl_vector_get(S, m) > RANK_TOL * smax) &&
                    fabs(gsl_matrix_get(V, j, m)) > NULL_LOADING)
                    in = 1;
            if (in) {
                lb_core_list_append(list, sizeof(list), pname(d, j, nb, sizeof(nb)));
                count++;
            }
        }
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "calibrate: the design is exactly collinear: predictors %s are a "
                          "linear combination of each other (condition number %.3g); drop one "
                          "of them",
                          list, f->condition);
        goto cleanup;
    }
    /* VIF_j = [(Z'Z)⁻¹]_jj with Z'Z the weighted correlation matrix, = Σ_m V_jm²/s_m² */
    for (size_t j = 0; j < p; j++) {
        double v = 0.0;
        for (size_t m = 0; m < p; m++) {
            double s = gsl_vector_get(S, m), vj = gsl_matrix_get(V, j, m);
            v += vj * vj / (s * s);
        }
        f->vif[j] = v;
    }
cleanup:
    if (work)
        gsl_vector_free(work);
    if (S)
        gsl_vector_free(S);
    if (V)
        gsl_matrix_free(V);
    if (A)
        gsl_matrix_free(A);
    return st;
}

void lb_calibrate_fit_destroy(lb_fit *f)
{
    if (!f)
        return;
    free(f->beta);
    free(f->se);
    free(f->se_cluster);
    free(f->t);
    free(f->vif);
    free(f->sign_ok);
    free(f->fitted);
    free(f->resid);
    free(f->cv_pred);
    free(f->fold);
    free(f->lambda_grid);
    free(f->lambda_cv_r2);
    free(f->t_cluster);
    free(f);
}

static lb_fit *fit_alloc(size_t n, size_t p, size_t n_lambda)
{
    lb_fit *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->beta = calloc(p, sizeof(double));
    f->se = calloc(p, sizeof(double));
    f->se_cluster = calloc(p, sizeof(double));
    f->t = calloc(p, sizeof(double));
    f->t_cluster = calloc(p, sizeof(double));
    f->vif = calloc(p, sizeof(double));
    f->sign_ok = calloc(p, sizeof(int));
    f->fitted = calloc(n, sizeof(double));
    f->resid = calloc(n, sizeof(double));
    f->cv_pred = calloc(n, sizeof(double));
    f->fold = calloc(n, sizeof(size_t));
    f->lambda_grid = calloc(n_lambda, sizeof(double));
    f->lambda_cv_r2 = calloc(n_lambda, sizeof(double));
    if (!f->beta || !f->se || !f->se_cluster || !f->t || !f->t_cluster || !f->vif || !f->sign_ok ||
        !f->fitted || !f->resid || !f->cv_pred || !f->fold || !f->lambda_grid || !f->lambda_cv_r2) {
        lb_calibrate_fit_destroy(f);
        return NULL;
    }
    f->n = n;
    f->p = p;
    f->n_lambda = n_lambda;
    return f;
}

/* Out-of-fold predictions pred[l * n + i] for every λ of the grid. */
static lb_status cross_validate(lb_ctx *ctx, const lb_fit_data *d, int centre, lb_fit *f,
                                double *pred)
{
    lb_status st = LB_OK;
    size_t n = d->n, p = d->p;
    size_t *rows = malloc(n * sizeof(size_t));
    double *beta = malloc(p * sizeof(double));
    qrfit q = {0};
    if (!rows || !beta || qrfit_alloc(&q, n, p) != 0) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory for cross-validation");
        goto cleanup;
    }
    for (size_t fo = 0; fo < f->n_folds; fo++) {
        size_t m = 0, first = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            if (f->fold[i] != fo)
                rows[m++] = i;
            else if (first == SIZE_MAX)
                first = i;
        }
        char nb[32];
        size_t bad = 0;
        if (m <= p + 1) {
            st = lb_ctx_error(ctx, LB_ERR_ARG,
                              "calibrate: cross-validation fold %zu (with cluster %zu) leaves "
                              "%zu units to fit %zu predictors: use more folds or more clusters",
                              fo, cluster_of(d, first), m, p);
            goto cleanup;
        }
        bad = qrfit_build(&q, d, rows, m, centre);
        if (bad) {
            st = lb_ctx_error(ctx, LB_ERR_ARG,
                              "calibrate: cross-validation fold %zu (with cluster %zu): "
                              "predictor '%s' is constant on the other units, so the fold "
                              "cannot be fitted; use fewer folds or drop the predictor",
                              fo, cluster_of(d, first), pname(d, bad - 1, nb, sizeof(nb)));
            goto cleanup;
        }
        for (size_t l = 0; l < f->n_lambda; l++) {
            double alpha = 0.0;
            bad = qrfit_solve(&q, f->lambda_grid[l], beta, &alpha, NULL);
            if (bad) {
                st = lb_ctx_error(ctx, LB_ERR_ARG,
                                  "calibrate: cross-validation fold %zu (with cluster %zu): "
                                  "on the other units predictor '%s' is a linear combination "
                                  "of the others; use fewer folds, ridge, or drop a predictor",
                                  fo, cluster_of(d, first), pname(d, bad - 1, nb, sizeof(nb)));
                goto cleanup;
            }
            for (size_t i = 0; i < n; i++) {
                if (f->fold[i] != fo)
                    continue;
                double yh = alpha;
                for (size_t j = 0; j < p; j++)
                    yh += d->x[i * p + j] * beta[j];
                pred[l * n + i] = yh;
            }
        }
        st = lb_ctx_progress(ctx, (double)(fo + 1) / (double)f->n_folds,
                             "calibrate: cross-validation");
        if (st != LB_OK)
            goto cleanup;
    }
cleanup:
    qrfit_free(&q);
    free(beta);
    free(rows);
    return st;
}

/* Classical and CRV1 standard errors of the fit in @p f (see fit.h). */
static lb_status standard_errors(lb_ctx *ctx, const lb_fit_data *d, const qrfit *q,
                                 const gsl_matrix *B, size_t k, size_t G, lb_fit *f)
{
    lb_status st = LB_OK;
    size_t n = d->n, p = d->p;
    int ic = q->centre;
    double *scores = NULL, *u = NULL, *var = NULL;
    double lam = f->lambda;
    /* classical: Cov(β) = σ²(B − λB²); Var(intercept) = σ²/Σw + x̄'Cov(β)x̄ */
    for (size_t j = 0; j < p; j++) {
        double bjj = gsl_matrix_get(B, j, j), b2 = 0.0;
        for (size_t m = 0; m < p; m++)
            b2 += gsl_matrix_get(B, j, m) * gsl_matrix_get(B, m, j);
        f->se[j] = f->sigma * sqrt(bjj - lam * b2);
    }
    if (ic) {
        double v = 1.0 / q->sw;
        for (size_t j = 0; j < p; j++)
            for (size_t m = 0; m < p; m++) {
                double bjm = gsl_matrix_get(B, j, m), b2 = 0.0;
                for (size_t r = 0; r < p; r++)
                    b2 += gsl_matrix_get(B, j, r) * gsl_matrix_get(B, r, m);
                v += q->xbar[j] * (bjm - lam * b2) * q->xbar[m];
            }
        f->intercept_se = f->sigma * sqrt(v);
    } else {
        f->intercept_se = NAN;
    }
    f->intercept_se_cluster = NAN;
    for (size_t j = 0; j < p; j++)
        f->se_cluster[j] = NAN;
    if (!d->cluster)
        goto cleanup;
    /* CRV1 in the centred parameters (intercept at x̄, slopes): bread diag(1/Σw, B), scores
     * s_g = Σ_{i∈g} w_i e_i (1, x_i − x̄); then intercept = (intercept at x̄) − x̄'β */
    size_t nc = d->n_clusters;
    scores = calloc(nc * k, sizeof(double));
    u = malloc(k * sizeof(double));
    var = calloc(k, sizeof(double));
    if (!scores || !u || !var) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        double *s = scores + d->cluster[i] * k;
        double we = weight(d, i) * f->resid[i];
        if (ic)
            s[0] += we;
        for (size_t j = 0; j < p; j++)
            s[ic + j] += we * (d->x[i * p + j] - q->xbar[j]);
    }
    for (size_t c = 0; c < nc; c++) {
        const double *s = scores + c * k;
        for (size_t j = 0; j < p; j++) {
            double v = 0.0;
            for (size_t m = 0; m < p; m++)
                v += gsl_matrix_get(B, j, m) * s[ic + m];
            u[ic + j] = v;
        }
        if (ic) {
            u[0] = s[0] / q->sw;
            for (size_t j = 0; j < p; j++)
                u[0] -= q->xbar[j] * u[1 + j];
        }
        for (size_t j = 0; j < k; j++)
            var[j] += u[j] * u[j];
    }
    double corr = (double)G / (double)(G - 1) * (double)(n - 1) / (double)(n - k);
    if (ic)
        f->intercept_se_cluster = sqrt(corr * var[0]);
    for (size_t j = 0; j < p; j++)
        f->se_cluster[j] = sqrt(corr * var[ic + j]);
cleanup:
    free(var);
    free(u);
    free(scores);
    return st;
}

lb_status lb_calibrate_fit(lb_ctx *ctx, const lb_fit_data *d, const lb_fit_options *o, lb_fit **out)
{
    lb_status st = LB_OK;
    const lb_fit_options defaults = {0};
    lb_fit *f = NULL;
    size_t *all = NULL;
    double *pred = NULL, *beta = NULL;
    gsl_matrix *B = NULL;
    qrfit full = {0}, raw = {0};
    gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
    char nb[32];

    if (!o)
        o = &defaults;
    st = check_data(ctx, d, o);
    if (st != LB_OK)
        goto cleanup;
    size_t n = d->n, p = d->p;
    int centre = !o->no_intercept;
    size_t k = p + (size_t)centre;
    size_t n_lambda = o->ridge_cv ? LB_FIT_RIDGE_GRID : 1;
    f = fit_alloc(n, p, n_lambda);
    all = malloc(n * sizeof(size_t));
    beta = malloc(p * sizeof(double));
    B = gsl_matrix_alloc(p, p);
    if (!f || !all || !beta || !B || qrfit_alloc(&full, n, p) != 0) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory for %zu units", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        all[i] = i;

    /* the centred design: constant predictors, collinearity, VIF, condition */
    size_t bad = qrfit_build(&full, d, all, n, 1);
    if (bad) {
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "calibrate: predictor '%s' is constant (%g on every unit): it "
                          "cannot be estimated; drop it from the model",
                          pname(d, bad - 1, nb, sizeof(nb)), d->x[bad - 1]);
        goto cleanup;
    }
    st = diagnose(ctx, d, &full, f);
    if (st != LB_OK)
        goto cleanup;

    /* folds and the λ values to try */
    size_t G = 0;
    st = assign_folds(ctx, d, o->folds, f->fold, &f->n_folds, &G);
    if (st != LB_OK)
        goto cleanup;
    f->n_clusters = d->cluster ? G : 0;
    if (o->ridge_cv) {
        double s = 0.0;
        for (size_t j = 0; j < p; j++)
            s += full.scale[j] * full.scale[j];
        s /= (double)p;
        f->lambda_grid[0] = 0.0;
        for (size_t l = 1; l < n_lambda; l++)
            f->lambda_grid[l] = s * pow(10.0, -6.0 + 0.5 * (double)(l - 1));
    } else {
        f->lambda_grid[0] = o->ridge;
    }

    pred = malloc(n_lambda * n * sizeof(double));
    if (!pred) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory for %zu units", n);
        goto cleanup;
    }
    st = cross_validate(ctx, d, centre, f, pred);
    if (st != LB_OK)
        goto cleanup;

    double sw = 0.0, ybar = 0.0, sst = 0.0;
    for (size_t i = 0; i < n; i++) {
        sw += weight(d, i);
        ybar += weight(d, i) * d->y[i];
    }
    ybar /= sw;
    for (size_t i = 0; i < n; i++)
        sst += weight(d, i) * (d->y[i] - ybar) * (d->y[i] - ybar);
    size_t best = 0;
    for (size_t l = 0; l < n_lambda; l++) {
        double sse = 0.0;
        for (size_t i = 0; i < n; i++) {
            double e = d->y[i] - pred[l * n + i];
            sse += weight(d, i) * e * e;
        }
        f->lambda_cv_r2[l] = 1.0 - sse / sst;
        if (f->lambda_cv_r2[l] > f->lambda_cv_r2[best])
            best = l;
    }
    f->lambda = f->lambda_grid[best];
    memcpy(f->cv_pred, pred + best * n, n * sizeof(double));

    /* the fit on all units */
    qrfit *q = &full;
    if (!centre) {
        if (qrfit_alloc(&raw, n, p) != 0) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "calibrate: out of memory for %zu units", n);
            goto cleanup;
        }
        bad = qrfit_build(&raw, d, all, n, 0);
        q = &raw;
    }
    if (!bad)
        bad = qrfit_solve(q, f->lambda, f->beta, &f->intercept, B);
    if (bad) {
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "calibrate: the design is singular at predictor '%s' (a linear "
                          "combination of the others); drop it",
                          pname(d, bad - 1, nb, sizeof(nb)));
        goto cleanup;
    }
    double sse = 0.0, cvsse = 0.0, trB = 0.0;
    for (size_t i = 0; i < n; i++) {
        double yh = f->intercept;
        for (size_t j = 0; j < p; j++)
            yh += d->x[i * p + j] * f->beta[j];
        f->fitted[i] = yh;
        f->resid[i] = d->y[i] - yh;
        sse += weight(d, i) * f->resid[i] * f->resid[i];
        double e = d->y[i] - f->cv_pred[i];
        cvsse += weight(d, i) * e * e;
    }
    for (size_t j = 0; j < p; j++)
        trB += gsl_matrix_get(B, j, j);
    f->df = (double)k - f->lambda * trB;
    f->sigma = sqrt(sse / ((double)n - f->df));
    f->r2 = 1.0 - sse / sst;
    f->r2_adj = 1.0 - (1.0 - f->r2) * (double)(n - 1) / ((double)n - f->df);
    f->rmse = sqrt(sse / sw);
    f->cv_r2 = 1.0 - cvsse / sst;
    f->cv_rmse = sqrt(cvsse / sw);
    if (!centre)
        f->intercept = 0.0;
    st = standard_errors(ctx, d, q, B, k, G, f);
    if (st != LB_OK)
        goto cleanup;
    for (size_t j = 0; j < p; j++) {
        f->t[j] = f->beta[j] / f->se[j];
        f->t_cluster[j] = f->beta[j] / f->se_cluster[j];
    }

    /* warnings */
    double vif_warn = o->vif_warn > 0.0 ? o->vif_warn : DEFAULT_VIF_WARN;
    double cond_warn = o->cond_warn > 0.0 ? o->cond_warn : DEFAULT_COND_WARN;
    if (f->condition > cond_warn)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: the condition number of the standardised design is %.3g (above "
                   "%g): the predictors are nearly collinear and their coefficients unstable",
                   f->condition, cond_warn);
    for (size_t j = 0; j < p; j++) {
        if (f->vif[j] > vif_warn)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "calibrate: predictor '%s' has VIF %.3g (above %g): it is largely "
                       "explained by the other predictors",
                       pname(d, j, nb, sizeof(nb)), f->vif[j], vif_warn);
        int s = d->sign ? d->sign[j] : 0;
        f->sign_ok[j] = s == 0 ? -1 : (s > 0 ? f->beta[j] >= 0.0 : f->beta[j] <= 0.0);
        if (f->sign_ok[j] == 0)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "calibrate: predictor '%s' has coefficient %.4g, contradicting its "
                       "expected sign %c",
                       pname(d, j, nb, sizeof(nb)), f->beta[j], s > 0 ? '+' : '-');
    }
    if (o->ridge_cv && best == n_lambda - 1)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: cross-validation chose the largest ridge λ of the grid (%g): "
                   "the predictors hardly predict the target out of sample",
                   f->lambda);

    *out = f;
    f = NULL;
cleanup:
    qrfit_free(&raw);
    qrfit_free(&full);
    if (B)
        gsl_matrix_free(B);
    free(beta);
    free(pred);
    free(all);
    lb_calibrate_fit_destroy(f);
    gsl_set_error_handler(old_handler);
    return st;
}
