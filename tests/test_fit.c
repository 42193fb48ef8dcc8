/* SPDX-License-Identifier: MIT */
/* The calibration fit (src/calibrate/fit.c) against independent computations: a 5-point
 * regression worked by hand, the raw normal equations solved by Cholesky here in the test
 * (coefficients, classical and CRV1 SEs, ridge), brute-force refits per fold for the
 * cross-validation, auxiliary regressions for the VIF, and every error path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include "../src/calibrate/fit.h"
#include "../src/core/ctx.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <string.h>

/* ---- the reference: raw normal equations (A'WA + Λ)θ = A'Wy by Cholesky ---- */

typedef struct ref {
    size_t k;
    double theta[16];     /* intercept first when fitted */
    double ninv[16 * 16]; /* (A'WA + Λ)⁻¹ */
} ref;

static double wt(const double *w, size_t i)
{
    return w ? w[i] : 1.0;
}

/* Fit on rows (NULL = all n) by the textbook formula. */
static void ref_fit(const double *x, const double *y, const double *w, size_t p, const size_t *rows,
                    size_t m, double lambda, int intercept, ref *r)
{
    size_t k = p + (intercept ? 1 : 0);
    assert_true(k <= 16);
    gsl_matrix *N = gsl_matrix_calloc(k, k);
    gsl_vector *b = gsl_vector_calloc(k), *t = gsl_vector_alloc(k);
    double a[17];
    for (size_t r_ = 0; r_ < m; r_++) {
        size_t i = rows ? rows[r_] : r_;
        size_t c = 0;
        if (intercept)
            a[c++] = 1.0;
        for (size_t j = 0; j < p; j++)
            a[c++] = x[i * p + j];
        for (size_t u = 0; u < k; u++) {
            gsl_vector_set(b, u, gsl_vector_get(b, u) + wt(w, i) * a[u] * y[i]);
            for (size_t v = 0; v < k; v++)
                gsl_matrix_set(N, u, v, gsl_matrix_get(N, u, v) + wt(w, i) * a[u] * a[v]);
        }
    }
    for (size_t j = intercept ? 1 : 0; j < k; j++)
        gsl_matrix_set(N, j, j, gsl_matrix_get(N, j, j) + lambda);
    assert_int_equal(gsl_linalg_cholesky_decomp1(N), 0);
    gsl_linalg_cholesky_solve(N, b, t);
    gsl_linalg_cholesky_invert(N);
    r->k = k;
    for (size_t u = 0; u < k; u++) {
        r->theta[u] = gsl_vector_get(t, u);
        for (size_t v = 0; v < k; v++)
            r->ninv[u * k + v] = gsl_matrix_get(N, u, v);
    }
    gsl_vector_free(t);
    gsl_vector_free(b);
    gsl_matrix_free(N);
}

static double ref_predict(const ref *r, const double *xi, size_t p, int intercept)
{
    double yh = intercept ? r->theta[0] : 0.0;
    for (size_t j = 0; j < p; j++)
        yh += r->theta[(intercept ? 1 : 0) + j] * xi[j];
    return yh;
}

/* Classical SEs σ²(N⁻¹ − N⁻¹ΛN⁻¹) with σ² = SSE/(n − df), df = k − λ tr(N⁻¹ on slopes), and
 * CRV1 SEs N⁻¹(Σ_g s_g s_g')N⁻¹·G/(G−1)·(n−1)/(n−k), all from the raw design. */
static void ref_se(const double *x, const double *y, const double *w, size_t n, size_t p,
                   const size_t *cl, size_t nc, double lambda, int intercept, const ref *r,
                   double *se, double *se_cl)
{
    size_t k = r->k, o = intercept ? 1 : 0;
    double sse = 0.0, tr = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - ref_predict(r, x + i * p, p, intercept);
        sse += wt(w, i) * e * e;
    }
    for (size_t j = o; j < k; j++)
        tr += r->ninv[j * k + j];
    double df = (double)k - lambda * tr;
    double s2 = sse / ((double)n - df);
    for (size_t u = 0; u < k; u++) {
        double g2 = 0.0;
        for (size_t v = o; v < k; v++)
            g2 += r->ninv[u * k + v] * r->ninv[v * k + u];
        se[u] = sqrt(s2 * (r->ninv[u * k + u] - lambda * g2));
    }
    if (!cl)
        return;
    double *s = calloc(nc * k, sizeof(double));
    double *meat = calloc(k * k, sizeof(double));
    assert_non_null(s);
    assert_non_null(meat);
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - ref_predict(r, x + i * p, p, intercept);
        for (size_t u = 0; u < k; u++)
            s[cl[i] * k + u] += wt(w, i) * e * (u < o ? 1.0 : x[i * p + u - o]);
    }
    size_t G = 0;
    for (size_t g = 0; g < nc; g++) {
        int any = 0;
        for (size_t u = 0; u < k; u++)
            any |= s[g * k + u] != 0.0;
        G += any;
        for (size_t u = 0; u < k; u++)
            for (size_t v = 0; v < k; v++)
                meat[u * k + v] += s[g * k + u] * s[g * k + v];
    }
    double c = (double)G / (double)(G - 1) * (double)(n - 1) / (double)(n - k);
    for (size_t u = 0; u < k; u++) {
        double v_ = 0.0;
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++)
                v_ += r->ninv[u * k + a] * meat[a * k + b] * r->ninv[b * k + u];
        se_cl[u] = sqrt(c * v_);
    }
    free(meat);
    free(s);
}

/* A random, well-conditioned design with clusters of uneven sizes. */
typedef struct design {
    size_t n, p, nc;
    double *x, *y, *w;
    size_t *cl;
} design;

static design design_random(unsigned long seed, size_t n, size_t p, size_t nc)
{
    design g = {n, p, nc, NULL, NULL, NULL, NULL};
    g.x = malloc(n * p * sizeof(double));
    g.y = malloc(n * sizeof(double));
    g.w = malloc(n * sizeof(double));
    g.cl = malloc(n * sizeof(size_t));
    assert_true(g.x && g.y && g.w && g.cl);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        double yi = 3.0;
        for (size_t j = 0; j < p; j++) {
            double v = gsl_ran_gaussian(rng, 1.0 + (double)j) + 0.5 * (double)j;
            if (j > 0) /* mild correlation */
                v += 0.3 * g.x[i * p];
            g.x[i * p + j] = v;
            yi += (j % 2 ? -0.7 : 1.1) * v;
        }
        g.y[i] = yi + gsl_ran_gaussian(rng, 1.5);
        g.w[i] = 0.5 + 3.0 * gsl_rng_uniform(rng);
        /* uneven clusters: squares favour low ids */
        double u = gsl_rng_uniform(rng);
        g.cl[i] = (size_t)(u * u * (double)nc);
    }
    gsl_rng_free(rng);
    return g;
}

static void design_free(design *g)
{
    free(g->x);
    free(g->y);
    free(g->w);
    free(g->cl);
}

static lb_fit_data design_data(const design *g)
{
    lb_fit_data d = {g->n, g->p, g->x, g->y, g->w, g->cl, g->nc, NULL, NULL};
    return d;
}

/* relative closeness for numbers of any size */
#define assert_rel(a, b, eps) assert_near((a), (b), (eps) * (1.0 + fabs(b)))

/* ---- hand case ---- */

/* y = 2, 4, 5, 4, 5 on x = 1..5: x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6, so β = 0.6, α = 2.2,
 * residuals −0.8, 0.6, 1.0, −0.6, −0.2, SSE = 2.4, σ² = 2.4/3 = 0.8, SST = 6, R² = 0.6,
 * se(β) = √(σ²/Sxx) = √0.08, se(α) = √(σ²(1/5 + x̄²/Sxx)) = √0.88. Clusters {1,2}, {3,4},
 * {5}: (A'A)⁻¹ = [[55, −15], [−15, 5]]/50, scores Σe(1, x) = (−0.2, 0.4), (0.4, 0.6),
 * (−0.2, −1.0), so (A'A)⁻¹s_g = (−0.34, 0.1), (0.26, −0.06), (0.08, −0.04); factor
 * 3/2·4/3 = 2: se_cl(β) = √(2·0.0152) = √0.0304, se_cl(α) = √(2·0.1896) = √0.3792. */
static const double hx[5] = {1, 2, 3, 4, 5}, hy[5] = {2, 4, 5, 4, 5};
static const size_t hcl[5] = {0, 0, 1, 1, 2};

static void test_fit_hand_simple(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const char *names[1] = {"x"};
    lb_fit_data d = {5, 1, hx, hy, NULL, hcl, 3, names, NULL};
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, NULL, &f), LB_OK);
    assert_near(f->beta[0], 0.6, 1e-12);
    assert_near(f->intercept, 2.2, 1e-12);
    assert_near(f->se[0], sqrt(0.08), 1e-12);
    assert_near(f->intercept_se, sqrt(0.88), 1e-12);
    assert_near(f->se_cluster[0], sqrt(0.0304), 1e-12);
    assert_near(f->intercept_se_cluster, sqrt(0.3792), 1e-12);
    assert_near(f->r2, 0.6, 1e-12);
    assert_near(f->r2_adj, 1.0 - 0.4 * 4.0 / 3.0, 1e-12);
    assert_near(f->rmse, sqrt(0.48), 1e-12);
    assert_near(f->sigma, sqrt(0.8), 1e-12);
    assert_near(f->t[0], 0.6 / sqrt(0.08), 1e-10);
    assert_near(f->vif[0], 1.0, 1e-12);
    assert_near(f->condition, 1.0, 1e-12);
    assert_near(f->lambda, 0.0, 0.0);
    const double res[5] = {-0.8, 0.6, 1.0, -0.6, -0.2};
    for (size_t i = 0; i < 5; i++) {
        assert_near(f->resid[i], res[i], 1e-12);
        assert_near(f->fitted[i], hy[i] - res[i], 1e-12);
    }
    /* leave one cluster out, one fold per cluster in id order */
    assert_int_equal(f->n_folds, 3);
    assert_int_equal(f->fold[0], 0);
    assert_int_equal(f->fold[1], 0);
    assert_int_equal(f->fold[2], 1);
    assert_int_equal(f->fold[3], 1);
    assert_int_equal(f->fold[4], 2);
    /* fold {1,2} out: x = 3,4,5, y = 5,4,5: x̄ 4, ȳ 14/3, Sxy = 0, β = 0 → ŷ = 14/3.
     * fold {3,4} out: x = 1,2,5, y = 2,4,5: x̄ 8/3, ȳ 11/3, Sxx = 26/3, Sxy = 17/3 → β = 17/26,
     * α = 11/3 − 136/78 = 25/13 → ŷ(3) = 101/26, ŷ(4) = 59/13.
     * fold {5} out: x = 1..4, y = 2,4,5,4: x̄ 2.5, ȳ 3.75, Sxx = 5, Sxy = 3.5 → β = 0.7,
     * α = 2 → ŷ(5) = 5.5. */
    const double cv[5] = {14.0 / 3.0, 14.0 / 3.0, 101.0 / 26.0, 59.0 / 13.0, 5.5};
    double cvsse = 0.0;
    for (size_t i = 0; i < 5; i++) {
        assert_near(f->cv_pred[i], cv[i], 1e-12);
        cvsse += (hy[i] - cv[i]) * (hy[i] - cv[i]);
    }
    assert_near(f->cv_r2, 1.0 - cvsse / 6.0, 1e-12);
    assert_near(f->cv_rmse, sqrt(cvsse / 5.0), 1e-12);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
}

/* Weighted simple regression against the closed form with weighted sums. */
static void test_fit_hand_weighted(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const double w[5] = {1, 2, 1, 2, 1};
    lb_fit_data d = {5, 1, hx, hy, w, NULL, 0, NULL, NULL};
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, NULL, &f), LB_OK);
    /* Σw = 7, Σwx = 21 → x̄ = 3, Σwy = 2+8+5+8+5 = 28 → ȳ = 4; Sxx = 4+2+0+2+4 = 12;
     * Sxy = (−2)(−2) + 2(−1)(0) + 0 + 2(1)(0) + (2)(1) = 6 → β = 0.5, α = 2.5. Residuals
     * y − 2.5 − 0.5x = −1, 0.5, 1, −0.5, 0 → SSE_w = 1 + 0.5 + 1 + 0.5 + 0 = 3, σ² = 1,
     * SST_w = 4 + 0 + 1 + 0 + 1 = 6, R² = 0.5; se(β) = √(1/12), se(α) = √(1/7 + 9/12). */
    assert_near(f->beta[0], 0.5, 1e-12);
    assert_near(f->intercept, 2.5, 1e-12);
    assert_near(f->se[0], sqrt(1.0 / 12.0), 1e-12);
    assert_near(f->intercept_se, sqrt(1.0 / 7.0 + 0.75), 1e-12);
    assert_near(f->r2, 0.5, 1e-12);
    assert_near(f->rmse, sqrt(3.0 / 7.0), 1e-12);
    assert_true(isnan(f->se_cluster[0]));
    assert_true(isnan(f->intercept_se_cluster));
    assert_int_equal(f->n_clusters, 0);
    assert_int_equal(f->n_folds, 5); /* each unit its own cluster: leave one out */
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
}

/* Ridge with one predictor: β = Sxy/(Sxx + λ), α = ȳ − βx̄ (intercept unpenalised). */
static void test_fit_ridge_closed_form(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = {5, 1, hx, hy, NULL, NULL, 0, NULL, NULL};
    lb_fit_options o = {0};
    o.ridge = 2.0;
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &f), LB_OK);
    assert_near(f->lambda, 2.0, 0.0);
    assert_near(f->beta[0], 0.5, 1e-12);
    assert_near(f->intercept, 2.5, 1e-12);
    /* df = 2 − λ/(Sxx + λ) = 2 − 1/6; residuals y − 2.5 − 0.5x = −1, 0.5, 1, −0.5, 0 → SSE = 2.5
     * σ² = 2.5/(5 − 11/6); Var(β) = σ²(1/12 − 2/144) = σ²·10/144 */
    double s2 = 2.5 / (5.0 - 11.0 / 6.0);
    assert_near(f->df, 11.0 / 6.0, 1e-12);
    assert_near(f->se[0], sqrt(s2 * 10.0 / 144.0), 1e-12);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
}

/* ---- a second method on a random design ---- */

static void check_against_ref(const design *g, double lambda, int intercept, int clustered)
{
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(g);
    if (!clustered)
        d.cluster = NULL;
    lb_fit_options o = {0};
    o.ridge = lambda;
    o.no_intercept = !intercept;
    o.folds = 4;
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &f), LB_OK);
    ref r;
    double se[16], se_cl[16];
    ref_fit(g->x, g->y, g->w, g->p, NULL, g->n, lambda, intercept, &r);
    ref_se(g->x, g->y, g->w, g->n, g->p, d.cluster, g->nc, lambda, intercept, &r, se, se_cl);
    size_t o0 = intercept ? 1 : 0;
    if (intercept) {
        assert_rel(f->intercept, r.theta[0], 1e-9);
        assert_rel(f->intercept_se, se[0], 1e-9);
        if (clustered)
            assert_rel(f->intercept_se_cluster, se_cl[0], 1e-9);
    } else {
        assert_near(f->intercept, 0.0, 0.0);
        assert_true(isnan(f->intercept_se));
    }
    for (size_t j = 0; j < g->p; j++) {
        assert_rel(f->beta[j], r.theta[o0 + j], 1e-9);
        assert_rel(f->se[j], se[o0 + j], 1e-9);
        if (clustered)
            assert_rel(f->se_cluster[j], se_cl[o0 + j], 1e-9);
        else
            assert_true(isnan(f->se_cluster[j]));
    }
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
}

static void test_fit_wls_matches_normal_equations(void **state)
{
    (void)state;
    design g = design_random(11, 80, 4, 9);
    check_against_ref(&g, 0.0, 1, 1);
    check_against_ref(&g, 0.0, 1, 0);
    check_against_ref(&g, 0.0, 0, 1);
    design_free(&g);
    /* large offsets and scales: centring and scaling keep the QR accurate */
    g = design_random(12, 120, 5, 12);
    for (size_t i = 0; i < g.n; i++) {
        g.x[i * g.p + 1] = 1e4 + 1e3 * g.x[i * g.p + 1];
        g.x[i * g.p + 3] *= 1e-3;
    }
    check_against_ref(&g, 0.0, 1, 1);
    design_free(&g);
}

static void test_fit_ridge_matches_normal_equations(void **state)
{
    (void)state;
    design g = design_random(13, 70, 3, 8);
    check_against_ref(&g, 5.0, 1, 1);
    check_against_ref(&g, 40.0, 0, 1);
    design_free(&g);
}

static void test_fit_ridge_small_lambda_is_wls(void **state)
{
    (void)state;
    design g = design_random(14, 50, 3, 6);
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(&g);
    lb_fit_options o = {0};
    lb_fit *a = NULL, *b = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &a), LB_OK);
    o.ridge = 1e-10;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &b), LB_OK);
    for (size_t j = 0; j < g.p; j++) {
        assert_rel(b->beta[j], a->beta[j], 1e-9);
        assert_rel(b->se[j], a->se[j], 1e-9);
        assert_rel(b->se_cluster[j], a->se_cluster[j], 1e-9);
    }
    assert_rel(b->cv_r2, a->cv_r2, 1e-9);
    assert_near(b->df, 4.0, 1e-9);
    lb_calibrate_fit_destroy(b);
    lb_calibrate_fit_destroy(a);
    lb_ctx_destroy(ctx);
    design_free(&g);
}

/* ---- cross-validation ---- */

/* Brute force: refit on the other folds with the reference for every fold of f. */
static double brute_cv_r2(const design *g, const lb_fit *f, double lambda, int intercept,
                          double *pred)
{
    size_t *rows = malloc(g->n * sizeof(size_t));
    assert_non_null(rows);
    for (size_t fo = 0; fo < f->n_folds; fo++) {
        size_t m = 0;
        for (size_t i = 0; i < g->n; i++)
            if (f->fold[i] != fo)
                rows[m++] = i;
        ref r;
        ref_fit(g->x, g->y, g->w, g->p, rows, m, lambda, intercept, &r);
        for (size_t i = 0; i < g->n; i++)
            if (f->fold[i] == fo)
                pred[i] = ref_predict(&r, g->x + i * g->p, g->p, intercept);
    }
    free(rows);
    double sw = 0, ybar = 0, sst = 0, sse = 0;
    for (size_t i = 0; i < g->n; i++) {
        sw += g->w[i];
        ybar += g->w[i] * g->y[i];
    }
    ybar /= sw;
    for (size_t i = 0; i < g->n; i++) {
        sst += g->w[i] * (g->y[i] - ybar) * (g->y[i] - ybar);
        sse += g->w[i] * (g->y[i] - pred[i]) * (g->y[i] - pred[i]);
    }
    return 1.0 - sse / sst;
}

static void test_fit_loco_cv_matches_brute_force(void **state)
{
    (void)state;
    design g = design_random(21, 90, 3, 10);
    g.cl[5] = 9; /* make sure the top id is used; ids 0..9 */
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(&g);
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, NULL, &f), LB_OK);
    /* one fold per non-empty cluster, numbered in id order */
    size_t used = 0, fold_of[10];
    for (size_t c = 0; c < 10; c++) {
        int any = 0;
        for (size_t i = 0; i < g.n; i++)
            any |= g.cl[i] == c;
        fold_of[c] = any ? used++ : SIZE_MAX;
    }
    assert_int_equal(f->n_folds, used);
    assert_int_equal(f->n_clusters, used);
    for (size_t i = 0; i < g.n; i++)
        assert_int_equal(f->fold[i], fold_of[g.cl[i]]);
    double *pred = malloc(g.n * sizeof(double));
    double r2 = brute_cv_r2(&g, f, 0.0, 1, pred);
    for (size_t i = 0; i < g.n; i++)
        assert_rel(f->cv_pred[i], pred[i], 1e-9);
    assert_rel(f->cv_r2, r2, 1e-9);
    assert_true(f->cv_r2 < f->r2);
    free(pred);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
    design_free(&g);
}

static void test_fit_kfold_never_splits_a_cluster(void **state)
{
    (void)state;
    design g = design_random(22, 200, 2, 23);
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(&g);
    lb_fit_options o = {0};
    o.folds = 5;
    o.no_intercept = 1;
    lb_fit *f = NULL, *f2 = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &f), LB_OK);
    assert_int_equal(f->n_folds, 5);
    size_t load[5] = {0};
    for (size_t c = 0; c < g.nc; c++) {
        size_t fc = SIZE_MAX;
        for (size_t i = 0; i < g.n; i++) {
            if (g.cl[i] != c)
                continue;
            if (fc == SIZE_MAX)
                fc = f->fold[i];
            assert_int_equal(f->fold[i], fc);
        }
    }
    for (size_t i = 0; i < g.n; i++) {
        assert_true(f->fold[i] < 5);
        load[f->fold[i]]++;
    }
    /* greedy balance: no fold exceeds the average by more than the largest cluster */
    size_t biggest = 0;
    for (size_t c = 0; c < g.nc; c++) {
        size_t s = 0;
        for (size_t i = 0; i < g.n; i++)
            s += g.cl[i] == c;
        if (s > biggest)
            biggest = s;
    }
    for (size_t fo = 0; fo < 5; fo++) {
        assert_true(load[fo] > 0);
        assert_true(load[fo] <= g.n / 5 + biggest);
    }
    /* deterministic, and CV against brute force without intercept */
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &f2), LB_OK);
    for (size_t i = 0; i < g.n; i++)
        assert_int_equal(f2->fold[i], f->fold[i]);
    double *pred = malloc(g.n * sizeof(double));
    double r2 = brute_cv_r2(&g, f, 0.0, 0, pred);
    for (size_t i = 0; i < g.n; i++)
        assert_rel(f->cv_pred[i], pred[i], 1e-9);
    assert_rel(f->cv_r2, r2, 1e-9);
    free(pred);
    lb_calibrate_fit_destroy(f2);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
    design_free(&g);
}

/* λ chosen by the same grouped CV: every grid point's CV R² is the brute-force one, the chosen
 * λ has the best of them, and the final fit is the ridge fit at that λ. */
static void test_fit_ridge_cv_chooses_best_lambda(void **state)
{
    (void)state;
    /* few units, many noisy predictors: shrinkage helps */
    design g = design_random(23, 40, 8, 8);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    for (size_t i = 0; i < g.n; i++)
        g.y[i] = g.x[i * g.p] * 0.3 + gsl_ran_gaussian(rng, 4.0);
    gsl_rng_free(rng);
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(&g);
    lb_fit_options o = {0};
    o.ridge_cv = 1;
    o.folds = 4;
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &f), LB_OK);
    assert_int_equal(f->n_lambda, LB_FIT_RIDGE_GRID);
    assert_near(f->lambda_grid[0], 0.0, 0.0);
    double *pred = malloc(g.n * sizeof(double));
    size_t best = 0;
    for (size_t l = 0; l < f->n_lambda; l++) {
        if (l > 0)
            assert_true(f->lambda_grid[l] > f->lambda_grid[l - 1]);
        assert_rel(f->lambda_cv_r2[l], brute_cv_r2(&g, f, f->lambda_grid[l], 1, pred), 1e-9);
        if (f->lambda_cv_r2[l] > f->lambda_cv_r2[best])
            best = l;
    }
    assert_near(f->lambda, f->lambda_grid[best], 0.0);
    assert_true(f->lambda > 0.0);
    assert_near(f->cv_r2, f->lambda_cv_r2[best], 1e-12);
    ref r;
    ref_fit(g.x, g.y, g.w, g.p, NULL, g.n, f->lambda, 1, &r);
    for (size_t j = 0; j < g.p; j++)
        assert_rel(f->beta[j], r.theta[1 + j], 1e-9);
    free(pred);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
    design_free(&g);
}

/* ---- collinearity diagnostics ---- */

static void test_fit_vif_matches_auxiliary_regressions(void **state)
{
    (void)state;
    design g = design_random(31, 60, 4, 6);
    for (size_t i = 0; i < g.n; i++) /* x4 close to x1 + x2 */
        g.x[i * 4 + 3] = g.x[i * 4] + g.x[i * 4 + 1] + 0.05 * g.x[i * 4 + 3];
    const char *names[4] = {"a", "b", "c", "d"};
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(&g);
    d.names = names;
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, NULL, &f), LB_OK);
    double *xo = malloc(g.n * 3 * sizeof(double)), *xj = malloc(g.n * sizeof(double));
    for (size_t j = 0; j < 4; j++) {
        for (size_t i = 0; i < g.n; i++) {
            size_t c = 0;
            for (size_t m = 0; m < 4; m++)
                if (m != j)
                    xo[i * 3 + c++] = g.x[i * 4 + m];
            xj[i] = g.x[i * 4 + j];
        }
        ref r;
        ref_fit(xo, xj, g.w, 3, NULL, g.n, 0.0, 1, &r);
        double sw = 0, mean = 0, sst = 0, sse = 0;
        for (size_t i = 0; i < g.n; i++) {
            sw += g.w[i];
            mean += g.w[i] * xj[i];
        }
        mean /= sw;
        for (size_t i = 0; i < g.n; i++) {
            double e = xj[i] - ref_predict(&r, xo + i * 3, 3, 1);
            sse += g.w[i] * e * e;
            sst += g.w[i] * (xj[i] - mean) * (xj[i] - mean);
        }
        assert_rel(f->vif[j], 1.0 / (sse / sst), 1e-8);
    }
    assert_true(f->vif[3] > 10.0 && f->vif[0] > 10.0 && f->vif[2] < 10.0);
    /* condition = sqrt(λmax/λmin) of the weighted correlation matrix */
    gsl_matrix *C = gsl_matrix_calloc(4, 4);
    double mu[4] = {0}, sw = 0;
    for (size_t i = 0; i < g.n; i++) {
        sw += g.w[i];
        for (size_t j = 0; j < 4; j++)
            mu[j] += g.w[i] * g.x[i * 4 + j];
    }
    for (size_t j = 0; j < 4; j++)
        mu[j] /= sw;
    for (size_t i = 0; i < g.n; i++)
        for (size_t j = 0; j < 4; j++)
            for (size_t m = 0; m < 4; m++)
                *gsl_matrix_ptr(C, j, m) +=
                    g.w[i] * (g.x[i * 4 + j] - mu[j]) * (g.x[i * 4 + m] - mu[m]);
    for (size_t j = 0; j < 4; j++)
        for (size_t m = 0; m < 4; m++)
            if (m != j)
                *gsl_matrix_ptr(C, j, m) /= sqrt(gsl_matrix_get(C, j, j) * gsl_matrix_get(C, m, m));
    for (size_t j = 0; j < 4; j++)
        gsl_matrix_set(C, j, j, 1.0);
    gsl_vector *ev = gsl_vector_alloc(4);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(4);
    gsl_eigen_symm(C, ev, ws);
    assert_rel(f->condition, sqrt(gsl_vector_max(ev) / gsl_vector_min(ev)), 1e-8);
    /* warnings name the collinear predictors, not the independent one */
    int warned_d = 0, warned_c = 0;
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++) {
        warned_d |= strstr(lb_ctx_warning(ctx, i), "'d' has VIF") != NULL;
        warned_c |= strstr(lb_ctx_warning(ctx, i), "'c' has VIF") != NULL;
    }
    assert_true(warned_d);
    assert_false(warned_c);
    gsl_eigen_symm_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(C);
    free(xj);
    free(xo);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
    design_free(&g);
}

static void test_fit_condition_and_sign_warnings(void **state)
{
    (void)state;
    design g = design_random(32, 60, 3, 6);
    /* y rises with x1 and falls with x2 (design_random's coefficients 1.1, −0.7, 1.1) */
    const char *names[3] = {"groen", "overlast", "winkels"};
    const int sign[3] = {+1, +1, 0};
    lb_ctx *ctx = lb_test_ctx();
    lb_fit_data d = design_data(&g);
    d.names = names;
    d.sign = sign;
    lb_fit_options o = {0};
    o.cond_warn = 1.0001; /* any design is above this */
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, &d, &o, &f), LB_OK);
    assert_int_equal(f->sign_ok[0], 1);
    assert_int_equal(f->sign_ok[1], 0);
    assert_int_equal(f->sign_ok[2], -1);
    int sign_w = 0, cond_w = 0;
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++) {
        const char *w = lb_ctx_warning(ctx, i);
        if (strstr(w, "'overlast'") && strstr(w, "expected sign +"))
            sign_w++;
        if (strstr(w, "'groen'") && strstr(w, "expected sign"))
            sign_w += 10;
        cond_w += strstr(w, "condition number") != NULL;
    }
    assert_int_equal(sign_w, 1);
    assert_int_equal(cond_w, 1);
    lb_calibrate_fit_destroy(f);
    lb_ctx_destroy(ctx);
    design_free(&g);
}

/* ---- errors ---- */

static void expect_error(const lb_fit_data *d, const lb_fit_options *o, const char *a,
                         const char *b)
{
    lb_ctx *ctx = lb_test_ctx();
    lb_fit *f = NULL;
    assert_int_equal(lb_calibrate_fit(ctx, d, o, &f), LB_ERR_ARG);
    assert_null(f);
    const char *msg = lb_ctx_errmsg(ctx);
    if (!strstr(msg, a) || (b && !strstr(msg, b))) {
        print_error("message '%s' lacks '%s' / '%s'\n", msg, a, b ? b : "");
        fail();
    }
    lb_ctx_destroy(ctx);
}

static void test_fit_errors(void **state)
{
    (void)state;
    design g = design_random(41, 30, 3, 5);
    const char *names[3] = {"groen", "overlast", "winkels"};
    lb_fit_data d = design_data(&g);
    d.names = names;
    lb_fit_options o = {0};

    lb_fit_data small = d;
    small.n = 4;
    expect_error(&small, NULL, "4 units for 3 predictors", NULL);
    small.p = 0;
    expect_error(&small, NULL, "no predictors", NULL);

    double keep = g.x[7 * 3 + 1];
    g.x[7 * 3 + 1] = NAN;
    expect_error(&d, NULL, "'overlast' (column 1)", "row 7");
    g.x[7 * 3 + 1] = keep;
    keep = g.y[4];
    g.y[4] = INFINITY;
    expect_error(&d, NULL, "target is inf at row 4", NULL);
    g.y[4] = keep;
    g.w[3] = 0.0;
    expect_error(&d, NULL, "weight 0 at row 3", NULL);
    g.w[3] = 1.0;
    g.cl[2] = 5;
    expect_error(&d, NULL, "cluster id 5 at row 2", NULL);
    g.cl[2] = 0;

    double *x = malloc(g.n * 3 * sizeof(double));
    memcpy(x, g.x, g.n * 3 * sizeof(double));
    d.x = x;
    for (size_t i = 0; i < g.n; i++)
        x[i * 3 + 2] = 7.5;
    expect_error(&d, NULL, "predictor 'winkels' is constant (7.5", NULL);
    for (size_t i = 0; i < g.n; i++)
        x[i * 3 + 2] = 2.0 * x[i * 3] - x[i * 3 + 1];
    expect_error(&d, NULL, "exactly collinear: predictors groen, overlast, winkels", NULL);
    memcpy(x, g.x, g.n * 3 * sizeof(double));
    for (size_t i = 0; i < g.n; i++)
        x[i * 3 + 1] = -3.0 * x[i * 3 + 2] + 1.0; /* collinear with the intercept's help */
    expect_error(&d, NULL, "predictors overlast, winkels are", NULL);
    d.x = g.x;

    size_t *one = calloc(g.n, sizeof(size_t));
    lb_fit_data d1 = d;
    d1.cluster = one;
    expect_error(&d1, NULL, "at least 2 clusters", "have 1");
    o.folds = 6;
    expect_error(&d, &o, "6 cross-validation folds for 5 clusters", NULL);
    o.folds = 1;
    expect_error(&d, &o, "1 cross-validation folds", NULL);
    o.folds = 0;

    /* a predictor that varies only inside one cluster: constant when that cluster is out */
    memcpy(x, g.x, g.n * 3 * sizeof(double));
    for (size_t i = 0; i < g.n; i++)
        x[i * 3 + 2] = g.cl[i] == 0 ? (double)(i % 3) : 0.0;
    d.x = x;
    expect_error(&d, NULL, "predictor 'winkels' is constant on the other units", "cluster 0");
    d.x = g.x;

    memcpy(x, g.y, g.n * sizeof(double));
    for (size_t i = 0; i < g.n; i++)
        x[i] = 4.0;
    d.y = x;
    expect_error(&d, NULL, "target is constant", NULL);
    d.y = g.y;

    o.ridge = -1.0;
    expect_error(&d, &o, "ridge", NULL);
    o.ridge = NAN;
    expect_error(&d, &o, "ridge", NULL);

    free(one);
    free(x);
    design_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_hand_simple),
        cmocka_unit_test(test_fit_hand_weighted),
        cmocka_unit_test(test_fit_ridge_closed_form),
        cmocka_unit_test(test_fit_wls_matches_normal_equations),
        cmocka_unit_test(test_fit_ridge_matches_normal_equations),
        cmocka_unit_test(test_fit_ridge_small_lambda_is_wls),
        cmocka_unit_test(test_fit_loco_cv_matches_brute_force),
        cmocka_unit_test(test_fit_kfold_never_splits_a_cluster),
        cmocka_unit_test(test_fit_ridge_cv_chooses_best_lambda),
        cmocka_unit_test(test_fit_vif_matches_auxiliary_regressions),
        cmocka_unit_test(test_fit_condition_and_sign_warnings),
        cmocka_unit_test(test_fit_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
