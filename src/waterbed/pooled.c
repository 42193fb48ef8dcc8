/* SPDX-License-Identifier: MIT */
/* Pooled regressions over all focus areas, the ring model and the adjacency model: Δ on
 * fixed-effect (focus area, gemeente or none), zone and baseline-class dummies with the unit
 * weights (GSL weighted least squares), CRV1 cluster-robust standard errors, a wild cluster
 * bootstrap with the null imposed (WCR; Rademacher or Webb weights per cluster; Cameron,
 * Gelbach & Miller 2008; Webb 2014) and confidence intervals by inverting that test. */
#include "wb.h"

#include "../core/ctx.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Truncated-SVD weighted least squares: singular values below 1e-10 of the largest are
 * dropped, so dummy sets that are collinear in a sample (a focus area without far units) do
 * not break the fit. */
#define WLS_TOL 1e-10

typedef struct fit {
    gsl_vector *c;
    gsl_matrix *cov; /* (X'WX)^-1 (pseudo-inverse) */
    size_t rank;
} fit;

static void fit_free(fit *f)
{
    if (f->c)
        gsl_vector_free(f->c);
    if (f->cov)
        gsl_matrix_free(f->cov);
    memset(f, 0, sizeof(*f));
}

/* Fit y ~ X with weights w (n × p, row-major). */
static lb_status wls(lb_ctx *ctx, const double *X, const double *y, const double *w, size_t n,
                     size_t p, fit *out)
{
    memset(out, 0, sizeof(*out));
    if (p == 0 || n < p)
        return lb_ctx_error(ctx, LB_ERR_DATA, "regression: %zu observations for %zu parameters", n,
                            p);
    gsl_matrix *A = gsl_matrix_alloc(n, p);
    gsl_vector *yv = gsl_vector_alloc(n), *wv = gsl_vector_alloc(n);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    out->c = gsl_vector_alloc(p);
    out->cov = gsl_matrix_alloc(p, p);
    lb_status st = LB_OK;
    if (!A || !yv || !wv || !ws || !out->c || !out->cov) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the regression");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < p; a++)
            gsl_matrix_set(A, i, a, X[i * p + a]);
        gsl_vector_set(yv, i, y[i]);
        gsl_vector_set(wv, i, w[i]);
    }
    double chisq = 0.0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc =
        gsl_multifit_wlinear_tsvd(A, wv, yv, WLS_TOL, out->c, out->cov, &chisq, &out->rank, ws);
    gsl_set_error_handler(old);
    if (rc != GSL_SUCCESS)
        st = lb_ctx_error(ctx, LB_ERR_DATA, "regression: GSL failed: %s", gsl_strerror(rc));
cleanup:
    if (A)
        gsl_matrix_free(A);
    if (yv)
        gsl_vector_free(yv);
    if (wv)
        gsl_vector_free(wv);
    if (ws)
        gsl_multifit_linear_free(ws);
    if (st != LB_OK)
        fit_free(out);
    return st;
}

/* The design's nonzeros by row (dummy designs have a few per row), shared by every term. */
typedef struct sparse {
    size_t *start; /* n + 1 */
    uint32_t *col;
    double *val;
} sparse;

static void sparse_free(sparse *m)
{
    free(m->start);
    free(m->col);
    free(m->val);
}

static lb_status sparse_build(lb_ctx *ctx, const double *X, size_t n, size_t p, sparse *m)
{
    size_t nnz = 0;
    for (size_t i = 0; i < n * p; i++)
        nnz += X[i] != 0.0;
    m->start = malloc((n + 1) * sizeof(size_t));
    m->col = malloc((nnz ? nnz : 1) * sizeof(uint32_t));
    m->val = malloc((nnz ? nnz : 1) * sizeof(double));
    if (!m->start || !m->col || !m->val) {
        sparse_free(m);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the regression");
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        m->start[i] = k;
        for (size_t a = 0; a < p; a++)
            if (X[i * p + a] != 0.0) {
                m->col[k] = (uint32_t)a;
                m->val[k++] = X[i * p + a];
            }
    }
    m->start[n] = k;
    return LB_OK;
}

/* Everything the bootstrap t-statistic of coefficient j needs, for any weight vector v and any
 * null value b0 of β_j.
 *
 * With the null β_j = b0 imposed, the restricted fit is β_r = β̂ − c·s/C_jj (c = C e_j,
 * C = (X'WX)^-1, s = β̂_j − b0), its residuals ũ = û + s·h with û the unrestricted residuals
 * and h = X c / C_jj. The bootstrap sample y* = X β_r + v⊙ũ gives β*_j − b0 = γ_j with
 * γ = C·X'W·(v⊙ũ) and residuals u* = v⊙ũ − X·γ. The CRV1 variance needs per cluster
 * c·s*_g = Σ_{i∈g} a_i u*_i with a_i = w_i (c·x_i). Everything is linear in ũ, so each draw
 * is worked out once for û and once for h, and t*(b0) = (N0 + s·N1) / sqrt(adj·(qa + 2 s qb +
 * s² qc)) follows for every b0 at the cost of a few flops: that is what makes inverting the
 * test for a confidence interval cheap (Roodman, MacKinnon, Nielsen & Webb 2019, §3).
 *
 * Per residual vector e the draw is computed one of two ways, the cheaper one is used:
 * - by cluster: γ = Σ_g v_g δ_g (δ_g = C·X_g'W_g e_g) and c·s*_g = v_g B_g − M_g·γ
 *   (B_g = Σ a_i e_i, M_g = Σ a_i x_i): 2·G·p per draw;
 * - by row: γ = C·(Σ_i w_i v_g(i) e_i x_i), then u*_i row by row: 2·nnz + p² + n per draw. */
typedef struct wcr {
    size_t n, p, G, j;
    int by_row;
    double adj; /* CRV1: G/(G−1)·(N−1)/(N−rank) */
    double estimate, se, t, cjj;
    size_t rank;
    const sparse *X;
    const size_t *cl;
    const double *C; /* p × p, row stride tda */
    size_t tda;
    double *a;                  /* n: a_i */
    double *e[2], *we[2];       /* n: û and h, and w_i times them */
    double *delta[2], *M;       /* by cluster: G × p */
    double *B[2];               /* by cluster: G */
    double *r, *gam[2], *sc[2]; /* scratch: p, p, G */
} wcr;

static void wcr_free(wcr *b)
{
    free(b->a);
    free(b->M);
    free(b->r);
    for (int h = 0; h < 2; h++) {
        free(b->e[h]);
        free(b->we[h]);
        free(b->delta[h]);
        free(b->B[h]);
        free(b->gam[h]);
        free(b->sc[h]);
    }
    memset(b, 0, sizeof(*b));
}

static double dot(const double *a, const double *b, size_t p)
{
    double s = 0.0;
    for (size_t k = 0; k < p; k++)
        s += a[k] * b[k];
    return s;
}

static double sparse_dot(const sparse *m, size_t i, const double *v)
{
    double s = 0.0;
    for (size_t e = m->start[i]; e < m->start[i + 1]; e++)
        s += m->val[e] * v[m->col[e]];
    return s;
}

/* Number of clusters: ids are 0..G-1. */
static size_t count_clusters(const size_t *cl, size_t n)
{
    size_t G = 0;
    for (size_t i = 0; i < n; i++)
        if (cl[i] + 1 > G)
            G = cl[i] + 1;
    return G;
}

/* @p full: the unrestricted fit; one fit serves every term and every null value. */
static lb_status wcr_prepare(lb_ctx *ctx, const sparse *X, const double *y, const double *w,
                             const size_t *cl, size_t n, size_t p, size_t j, const fit *full,
                             wcr *b)
{
    memset(b, 0, sizeof(*b));
    size_t G = count_clusters(cl, n), Gs = G ? G : 1;
    b->n = n;
    b->p = p;
    b->G = G;
    b->j = j;
    b->X = X;
    b->cl = cl;
    b->C = full->cov->data;
    b->tda = full->cov->tda;
    b->rank = full->rank;
    size_t nnz = X->start[n];
    b->by_row = 2.0 * (double)nnz + (double)(p * p) + (double)n < 2.0 * (double)G * (double)p;
    const double *C = b->C;
    size_t tda = b->tda;
    double *cj = malloc(p * sizeof(double)), *score = calloc(Gs, sizeof(double));
    double *xg = NULL;
    b->a = malloc(n * sizeof(double));
    b->r = malloc(p * sizeof(double));
    for (int h = 0; h < 2; h++) {
        b->e[h] = malloc(n * sizeof(double));
        b->we[h] = malloc(n * sizeof(double));
        b->gam[h] = malloc(p * sizeof(double));
        b->sc[h] = malloc(Gs * sizeof(double));
    }
    lb_status st = LB_OK;
    if (!cj || !score || !b->a || !b->r || !b->e[0] || !b->e[1] || !b->we[0] || !b->we[1] ||
        !b->gam[0] || !b->gam[1] || !b->sc[0] || !b->sc[1]) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
        goto cleanup;
    }
    for (size_t k = 0; k < p; k++)
        cj[k] = C[j * tda + k];
    b->estimate = gsl_vector_get(full->c, j);
    b->cjj = C[j * tda + j];
    if (!(b->cjj > 0.0)) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "regression: coefficient %zu is not identified", j);
        goto cleanup;
    }
    /* CRV1 variance of the estimate from the unrestricted residuals; û, h */
    for (size_t i = 0; i < n; i++) {
        double xc = sparse_dot(X, i, cj);
        b->a[i] = w[i] * xc;
        b->e[0][i] = y[i] - sparse_dot(X, i, full->c->data);
        b->e[1][i] = xc / b->cjj;
        score[cl[i]] += b->a[i] * b->e[0][i];
        for (int h = 0; h < 2; h++)
            b->we[h][i] = w[i] * b->e[h][i];
    }
    double ss = 0.0;
    for (size_t g = 0; g < G; g++)
        ss += score[g] * score[g];
    b->adj = G > 1 && n > b->rank
                 ? (double)G / (double)(G - 1) * (double)(n - 1) / (double)(n - b->rank)
                 : NAN;
    b->se = sqrt(b->adj * ss);
    b->t = b->estimate / b->se;
    if (b->by_row)
        goto cleanup;
    /* by cluster: X_g'W_g e_g and M_g, then δ_g = C·X_g'W_g e_g */
    size_t gp = G * p > 0 ? G * p : 1;
    xg = calloc(gp, sizeof(double));
    b->M = calloc(gp, sizeof(double));
    for (int h = 0; h < 2; h++) {
        b->delta[h] = calloc(gp, sizeof(double));
        b->B[h] = calloc(Gs, sizeof(double));
    }
    if (!xg || !b->M || !b->delta[0] || !b->delta[1] || !b->B[0] || !b->B[1]) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t e = X->start[i]; e < X->start[i + 1]; e++)
            b->M[cl[i] * p + X->col[e]] += b->a[i] * X->val[e];
    for (int h = 0; h < 2; h++) {
        memset(xg, 0, gp * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            b->B[h][cl[i]] += b->a[i] * b->e[h][i];
            for (size_t e = X->start[i]; e < X->start[i + 1]; e++)
                xg[cl[i] * p + X->col[e]] += b->we[h][i] * X->val[e];
        }
        for (size_t g = 0; g < G; g++)
            for (size_t a = 0; a < p; a++)
                b->delta[h][g * p + a] = dot(C + a * tda, xg + g * p, p);
    }
cleanup:
    free(xg);
    free(cj);
    free(score);
    if (st != LB_OK)
        wcr_free(b);
    return st;
}

/* One bootstrap draw with weights v[g]: the five numbers behind t*(b0) for every b0. */
typedef struct draw {
    double n0, n1, qa, qb, qc;
} draw;

static draw wcr_draw(const wcr *b, const double *v)
{
    size_t p = b->p, G = b->G;
    for (int h = 0; h < 2; h++) {
        double *gam = b->gam[h], *sc = b->sc[h];
        if (b->by_row) {
            double *r = b->r;
            memset(r, 0, p * sizeof(double));
            for (size_t i = 0; i < b->n; i++) {
                double s = v[b->cl[i]] * b->we[h][i];
                for (size_t e = b->X->start[i]; e < b->X->start[i + 1]; e++)
                    r[b->X->col[e]] += s * b->X->val[e];
            }
            for (size_t a = 0; a < p; a++)
                gam[a] = dot(b->C + a * b->tda, r, p);
            memset(sc, 0, G * sizeof(double));
            for (size_t i = 0; i < b->n; i++)
                sc[b->cl[i]] += b->a[i] * (v[b->cl[i]] * b->e[h][i] - sparse_dot(b->X, i, gam));
        } else {
            memset(gam, 0, p * sizeof(double));
            for (size_t g = 0; g < G; g++) {
                const double *dg = b->delta[h] + g * p;
                double s = v[g];
                for (size_t k = 0; k < p; k++)
                    gam[k] += s * dg[k];
            }
            for (size_t g = 0; g < G; g++)
                sc[g] = v[g] * b->B[h][g] - dot(b->M + g * p, gam, p);
        }
    }
    draw d = {b->gam[0][b->j], b->gam[1][b->j], 0.0, 0.0, 0.0};
    for (size_t g = 0; g < G; g++) {
        d.qa += b->sc[0][g] * b->sc[0][g];
        d.qb += b->sc[0][g] * b->sc[1][g];
        d.qc += b->sc[1][g] * b->sc[1][g];
    }
    return d;
}

/* t* of a draw under the null β_j = β̂_j − s. */
static double draw_t(const draw *d, double adj, double s)
{
    return (d->n0 + s * d->n1) / sqrt(adj * (d->qa + 2.0 * s * d->qb + s * s * d->qc));
}

/* Fill v with Rademacher signs, 32 per draw of the 32-bit generator. */
static void rademacher(gsl_rng *rng, double *v, size_t G)
{
    unsigned long bits = 0;
    for (size_t g = 0; g < G; g++) {
        if (g % 32 == 0)
            bits = gsl_rng_get(rng);
        v[g] = (bits >> (g % 32)) & 1UL ? 1.0 : -1.0;
    }
}

/* Webb's (2014) six-point weights ±√(1/2), ±1, ±√(3/2), each with probability 1/6: mean 0,
 * variance 1, and 6^G distinct draws instead of 2^G, so that few clusters still give a
 * smooth bootstrap distribution. */
static void webb(gsl_rng *rng, double *v, size_t G)
{
    static const double pts[6] = {-1.224744871391589, -1.0, -0.7071067811865476,
                                  0.7071067811865476, 1.0,  1.224744871391589};
    for (size_t g = 0; g < G; g++)
        v[g] = pts[gsl_rng_uniform_int(rng, 6)];
}

void wb_boot_weights_draw(gsl_rng *rng, lb_wb_boot_weights kind, double *v, size_t G)
{
    if (kind == LB_WB_BOOT_WEBB)
        webb(rng, v, G);
    else
        rademacher(rng, v, G);
}

/* Share of the draws whose |t*(b0)| reaches |t(b0)|: the symmetric bootstrap p-value of the
 * null β_j = β̂_j − s. */
static double p_sym(const draw *dr, size_t B, double adj, double se, double s)
{
    double t = s / se;
    size_t ge = 0, valid = 0;
    for (size_t i = 0; i < B; i++) {
        double ts = draw_t(&dr[i], adj, s);
        if (!isfinite(ts))
            continue;
        valid++;
        ge += fabs(ts) >= fabs(t);
    }
    return valid ? (double)ge / (double)valid : NAN;
}

/* One bound of the confidence interval {b0 : p(b0) > α}: from the estimate (p = 1) outward in
 * direction @p dir (−1 lower, +1 upper): double the step from 2 se until the test rejects
 * (infinite when it never does within 2^40 se), then bisect to 1e-7 se. */
static double ci_bound(const draw *dr, size_t B, double adj, double est, double se, double alpha,
                       int dir)
{
    double in = 0.0, out = 2.0 * se; /* distances from the estimate */
    int found = 0;
    for (int k = 0; k < 40; k++) {
        if (!(p_sym(dr, B, adj, se, -dir * out) > alpha)) {
            found = 1;
            break;
        }
        in = out;
        out *= 2.0;
    }
    if (!found)
        return dir * INFINITY;
    while (out - in > 1e-7 * se) {
        double mid = 0.5 * (in + out);
        if (p_sym(dr, B, adj, se, -dir * mid) > alpha)
            in = mid;
        else
            out = mid;
    }
    return est + dir * 0.5 * (in + out);
}

/* Tests of several coefficients of one fit; seeds[i] seeds the bootstrap of term js[i]. With
 * @p v_fixed, only t* of that weight vector (null β_j = 0) goes to *tstar_fixed. */
static lb_status wcr_terms(lb_ctx *ctx, const double *X, const double *y, const double *w,
                           const size_t *cluster, size_t n, size_t p, const size_t *js, size_t nj,
                           const wb_boot_cfg *cfg, const unsigned long *seeds, wb_wls_test *out,
                           const double *v_fixed, double *tstar_fixed)
{
    fit full;
    sparse sx = {0};
    lb_status st = wls(ctx, X, y, w, n, p, &full);
    if (st != LB_OK)
        return st;
    st = sparse_build(ctx, X, n, p, &sx);
    size_t nb = cfg->n_boot > 0 ? (size_t)cfg->n_boot : 1;
    draw *dr = malloc(nb * sizeof(draw));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (st == LB_OK && (!dr || !rng))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
    for (size_t t = 0; t < nj && st == LB_OK; t++) {
        wcr b;
        st = wcr_prepare(ctx, &sx, y, w, cluster, n, p, js[t], &full, &b);
        if (st != LB_OK)
            break;
        wb_wls_test r = {b.estimate, b.se, b.t, NAN, NAN, NAN, NAN, NAN, b.rank, b.G};
        if (v_fixed) {
            draw d = wcr_draw(&b, v_fixed);
            *tstar_fixed = draw_t(&d, b.adj, b.estimate);
        } else if (cfg->n_boot > 0 && b.G >= 2 && isfinite(b.t) && b.se > 0.0) {
            double *v = malloc(b.G * sizeof(double));
            if (!v) {
                wcr_free(&b);
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
                break;
            }
            gsl_rng_set(rng, seeds[t]);
            size_t two = 0, one = 0, upper = 0, valid = 0;
            for (size_t rep = 0; rep < nb; rep++) {
                wb_boot_weights_draw(rng, cfg->weights, v, b.G);
                dr[rep] = wcr_draw(&b, v);
                double ts = draw_t(&dr[rep], b.adj, b.estimate);
                if (!isfinite(ts))
                    continue;
                valid++;
                two += fabs(ts) >= fabs(b.t);
                one += ts <= b.t;
                upper += ts >= b.t;
            }
            if (valid > 0) {
                r.p_two = (double)two / (double)valid;
                r.p_one = (double)one / (double)valid;
                r.p_upper = (double)upper / (double)valid;
            }
            if (valid > 0 && cfg->ci_level > 0.0 && cfg->ci_level < 1.0) {
                double alpha = 1.0 - cfg->ci_level;
                r.ci_low = ci_bound(dr, nb, b.adj, b.estimate, b.se, alpha, -1);
                r.ci_high = ci_bound(dr, nb, b.adj, b.estimate, b.se, alpha, +1);
            }
            free(v);
        }
        wcr_free(&b);
        out[t] = r;
    }
    free(dr);
    if (rng)
        gsl_rng_free(rng);
    sparse_free(&sx);
    fit_free(&full);
    return st;
}

lb_status wb_wls_wcr_tstar(lb_ctx *ctx, const double *X, const double *y, const double *w,
                           const size_t *cluster, size_t n, size_t p, size_t j, const double *v,
                           double *tstar)
{
    if (j >= p)
        return lb_ctx_error(ctx, LB_ERR_ARG, "regression: coefficient %zu of %zu", j, p);
    wb_wls_test t;
    unsigned long seed = 1;
    const wb_boot_cfg cfg = {0, 1, LB_WB_BOOT_RADEMACHER, 0.0};
    return wcr_terms(ctx, X, y, w, cluster, n, p, &j, 1, &cfg, &seed, &t, v, tstar);
}

lb_status wb_wls_boot(lb_ctx *ctx, const double *X, const double *y, const double *w,
                      const size_t *cluster, size_t n, size_t p, size_t j, const wb_boot_cfg *cfg,
                      wb_wls_test *out)
{
    if (j >= p)
        return lb_ctx_error(ctx, LB_ERR_ARG, "regression: coefficient %zu of %zu", j, p);
    unsigned long seed = cfg->seed;
    return wcr_terms(ctx, X, y, w, cluster, n, p, &j, 1, cfg, &seed, out, NULL, NULL);
}

lb_status wb_wls_wcr(lb_ctx *ctx, const double *X, const double *y, const double *w,
                     const size_t *cluster, size_t n, size_t p, size_t j, int n_boot,
                     unsigned long seed, wb_wls_test *out)
{
    const wb_boot_cfg cfg = {n_boot, seed, LB_WB_BOOT_RADEMACHER, 0.95};
    return wb_wls_boot(ctx, X, y, w, cluster, n, p, j, &cfg, out);
}

void wb_boot_p_text(double p, int n_boot, char *buf, size_t size)
{
    if (isnan(p) || size == 0) {
        if (size)
            buf[0] = '\0';
        return;
    }
    if (p <= 0.0 && n_boot > 0)
        snprintf(buf, size, "< %.3g", 1.0 / ((double)n_boot + 1.0));
    else
        snprintf(buf, size, "%.4f", p);
}

void wb_pooled_free(wb_pooled *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_terms; i++)
        free(p->terms[i].term);
    free(p->terms);
    memset(p, 0, sizeof(*p));
}

/* Zone columns of model @p model besides the focus area: the rings, or adjacency orders 1 and 2
 * (fewer when fewer are reported). */
static size_t model_zones(const wb_data *d, int model)
{
    if (model == LB_WB_POOLED_RING)
        return d->n_rings;
    return d->n_adj < 2 ? (size_t)(d->n_adj > 0 ? d->n_adj : 0) : 2;
}

/* Sample role of each unit: focus area and zone column (0 = the focus area itself, 1..Z = rings
 * or adjacency orders, Z+1 = far control), -1 when not in the regression. Every unit enters
 * once. The far control: units beyond the last ring (in the adjacency model also in no
 * adjacency order), each with the focus area of nearest centroid whose region holds it. */
static void unit_roles(const wb_data *d, int model, int *rf, int *rz)
{
    size_t Z = model_zones(d, model);
    for (size_t u = 0; u < d->n; u++) {
        rf[u] = rz[u] = -1;
    }
    for (size_t f = d->n_focus; f-- > 0;)
        for (size_t i = 0; i < d->focus[f].n_members; i++) {
            rf[d->focus[f].members[i]] = (int)f; /* the first focus area wins */
            rz[d->focus[f].members[i]] = 0;
        }
    for (size_t u = 0; u < d->n; u++) {
        if (rz[u] >= 0 || wb_treated(d, u))
            continue;
        if (model == LB_WB_POOLED_RING && d->ring[u] >= 0) {
            rf[u] = d->near[u];
            rz[u] = d->ring[u] + 1;
        } else if (model == LB_WB_POOLED_ADJ && d->adj[u] >= 1 && (size_t)d->adj[u] <= Z) {
            rf[u] = d->adj_focus[u];
            rz[u] = d->adj[u];
        } else if (d->beyond[u] && (model == LB_WB_POOLED_RING || d->adj[u] == 0)) {
            double best = INFINITY, x, y;
            lb_zunits_centroid(d->zu, u, &x, &y);
            for (size_t f = 0; f < d->n_focus; f++) {
                if (!wb_in_region(d, f, u))
                    continue;
                double dd = hypot(x - d->focus[f].cx, y - d->focus[f].cy);
                if (dd < best) {
                    best = dd;
                    rf[u] = (int)f;
                }
            }
            if (rf[u] >= 0)
                rz[u] = (int)Z + 1;
        }
    }
}

/* Cluster ids 0..G-1 in first-seen order of the sample; units without a key (no gemeente or
 * wijk code) are clusters of their own. */
static lb_status cluster_ids(lb_ctx *ctx, const wb_data *d, lb_wb_cluster mode, const size_t *units,
                             size_t n, const int *rf, size_t *cl)
{
    const char **keys = malloc((n ? n : 1) * sizeof(*keys)); /* text keys seen (wijk) */
    size_t *key_id = malloc((n ? n : 1) * sizeof(size_t)), n_keys = 0;
    size_t n_map = mode == LB_WB_CLUSTER_GEMEENTE ? d->n_gm : d->n_focus;
    long *map = malloc((n_map ? n_map : 1) * sizeof(long));
    if (!keys || !key_id || !map) {
        free(keys);
        free(key_id);
        free(map);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for clusters");
    }
    for (size_t i = 0; i < n_map; i++)
        map[i] = -1;
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        if (mode == LB_WB_CLUSTER_WIJK) {
            const char *k = d->s->wk_code ? d->s->wk_code[u] : NULL;
            if (!k) {
                cl[i] = next++;
                continue;
            }
            size_t j = 0;
            while (j < n_keys && strcmp(keys[j], k) != 0)
                j++;
            if (j == n_keys) {
                keys[n_keys] = k;
                key_id[n_keys++] = next++;
            }
            cl[i] = key_id[j];
            continue;
        }
        int key = mode == LB_WB_CLUSTER_GEMEENTE ? d->unit_gm[u]
                  : mode == LB_WB_CLUSTER_FOCUS  ? rf[u]
                                                 : -1;
        if (key >= 0 && (size_t)key < n_map) {
            if (map[key] < 0)
                map[key] = (long)next++;
            cl[i] = (size_t)map[key];
        } else {
            cl[i] = next++;
        }
    }
    free(keys);
    free(key_id);
    free(map);
    return LB_OK;
}

lb_status wb_pooled_run(lb_ctx *ctx, const wb_data *d, const wb_panel *pn, size_t k,
                        const char *outcome, const wb_pooled_cfg *cfg, wb_pooled *out)
{
    memset(out, 0, sizeof(*out));
    out->model = cfg->model;
    size_t Z = model_zones(d, cfg->model), nF = d->n_focus, nZ = Z + 2;
    size_t n_grp = nF + d->n_gm + 1; /* fixed-effect groups: focus areas, gemeenten or one */
    wb_obs o = wb_panel_obs(pn, d->n, k);
    int *rf = malloc((d->n ? d->n : 1) * sizeof(int)),
        *rz = malloc((d->n ? d->n : 1) * sizeof(int));
    size_t *units = malloc((d->n ? d->n : 1) * sizeof(size_t)), n = 0;
    size_t *grp_of = malloc((nF ? nF : 1) * sizeof(size_t));
    size_t *grp_n = calloc(n_grp, sizeof(size_t));
    int *col_grp = malloc(n_grp * sizeof(int));
    double *X = NULL, *y = NULL, *w = NULL;
    size_t *cl = NULL;
    lb_status st = LB_OK;
    if (!rf || !rz || !units || !grp_of || !grp_n || !col_grp) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    if (Z == 0) /* the adjacency model without adjacency orders */
        goto cleanup;
    if (nZ > 64) {
        st = lb_ctx_error(ctx, LB_ERR_ARG, "pooled regression: at most 62 rings");
        goto cleanup;
    }
    for (size_t f = 0; f < nF; f++)
        grp_of[f] = cfg->fe == LB_WB_FE_FOCUS  ? f
                    : cfg->fe == LB_WB_FE_NONE ? nF + d->n_gm
                    : d->focus_gm[f] >= 0 && (size_t)d->focus_gm[f] < d->n_gm
                        ? nF + (size_t)d->focus_gm[f]
                        : f;
    unit_roles(d, cfg->model, rf, rz);
    size_t zone_n[64] = {0}, class_w[LB_N_CLASSES + 1] = {0};
    for (size_t u = 0; u < d->n; u++) {
        if (rz[u] < 0 || !wb_obs_ok(&o, u))
            continue;
        units[n++] = u;
        zone_n[rz[u]]++;
        grp_n[grp_of[rf[u]]]++;
        class_w[o.cls[u]]++;
    }
    /* columns: fixed-effect groups present, zones present except the far control (the
     * reference), classes present except the most frequent (the reference) */
    int ref_cls = 1;
    for (int c = 1; c <= LB_N_CLASSES; c++)
        if (class_w[c] > class_w[ref_cls])
            ref_cls = c;
    int col_zone[64], col_cls[LB_N_CLASSES + 1];
    size_t p = 0;
    for (size_t g = 0; g < n_grp; g++)
        col_grp[g] = grp_n[g] ? (int)p++ : -1;
    for (size_t z = 0; z < nZ; z++)
        col_zone[z] = z < Z + 1 && zone_n[z] ? (int)p++ : -1;
    for (int c = 0; c <= LB_N_CLASSES; c++)
        col_cls[c] = c >= 1 && c != ref_cls && class_w[c] ? (int)p++ : -1;
    if (zone_n[Z + 1] == 0 || n <= p) {
        if (n > 0) /* an outcome without data in the period is no news */
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "pooled %s regression %d-%d, %s: %zu units for %zu parameters%s; skipped",
                       cfg->model == LB_WB_POOLED_RING ? "ring" : "adjacency", pn->t0, pn->t1,
                       outcome, n, p, zone_n[Z + 1] == 0 ? " and no far control" : "");
        goto cleanup;
    }
    X = calloc(n * p, sizeof(double));
    y = malloc(n * sizeof(double));
    w = malloc(n * sizeof(double));
    cl = malloc(n * sizeof(size_t));
    if (!X || !y || !w || !cl) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        X[i * p + (size_t)col_grp[grp_of[rf[u]]]] = 1.0;
        if (col_zone[rz[u]] >= 0)
            X[i * p + (size_t)col_zone[rz[u]]] = 1.0;
        if (col_cls[o.cls[u]] >= 0)
            X[i * p + (size_t)col_cls[o.cls[u]]] = 1.0;
        y[i] = o.s1[u] - o.s0[u];
        w[i] = o.w[u];
    }
    st = cluster_ids(ctx, d, cfg->cluster, units, n, rf, cl);
    if (st != LB_OK)
        goto cleanup;
    size_t G = count_clusters(cl, n);
    out->n_units = n;
    out->n_clusters = G;
    out->n_params = p;
    out->terms = calloc(Z + 1, sizeof(wb_pooled_term));
    if (!out->terms) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    size_t js[64], nj = 0;
    unsigned long seeds[64];
    wb_wls_test tests[64];
    for (size_t z = 0; z <= Z && st == LB_OK; z++) {
        if (col_zone[z] < 0)
            continue;
        /* zone column z: 0 focus, then the rings (in the order of the zone slots) or the
         * adjacency orders; the ring model keeps its seeds of before */
        char adj_name[16];
        snprintf(adj_name, sizeof(adj_name), z ? "adj_%zu" : "focus", z);
        const char *name = cfg->model == LB_WB_POOLED_RING ? d->slots[z].name : adj_name;
        char *key = cfg->model == LB_WB_POOLED_RING
                        ? lb_core_strfmt("pooled:%d-%d:%zu:%s", pn->t0, pn->t1, k, name)
                        : lb_core_strfmt("pooled-adj:%d-%d:%zu:%s", pn->t0, pn->t1, k, name);
        if (!key) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        seeds[nj] = wb_seed_mix(cfg->seed, key, 1);
        free(key);
        out->terms[nj].term = lb_core_strdup(name);
        if (!out->terms[nj].term) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        js[nj++] = (size_t)col_zone[z];
        out->n_terms = nj;
    }
    const wb_boot_cfg bc = {cfg->n_boot, cfg->seed, cfg->weights, cfg->ci_level};
    if (st == LB_OK)
        st = wcr_terms(ctx, X, y, w, cl, n, p, js, nj, &bc, seeds, tests, NULL, NULL);
    for (size_t t = 0; st == LB_OK && t < nj; t++) {
        wb_pooled_term *pt = &out->terms[t];
        pt->estimate = tests[t].estimate;
        pt->se = tests[t].se;
        pt->t = tests[t].t;
        pt->p_two = tests[t].p_two;
        pt->p_one = tests[t].p_one;
        pt->p_upper = tests[t].p_upper;
        pt->ci_low = tests[t].ci_low;
        pt->ci_high = tests[t].ci_high;
    }
cleanup:
    if (st != LB_OK)
        wb_pooled_free(out);
    free(rf);
    free(rz);
    free(units);
    free(grp_of);
    free(grp_n);
    free(col_grp);
    free(X);
    free(y);
    free(w);
    free(cl);
    return st;
}
