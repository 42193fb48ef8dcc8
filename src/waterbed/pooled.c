/* SPDX-License-Identifier: MIT */
/* Pooled ring regression over all focus areas: Δ on focus-area, zone and baseline-class
 * dummies with population weights (GSL weighted least squares), CR1 cluster-robust standard
 * errors and a wild cluster bootstrap with the null imposed (WCR, Rademacher signs per
 * cluster; Cameron, Gelbach & Miller 2008). */
#include "wb.h"

#include "../core/ctx.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
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

/* Everything the bootstrap t-statistic of coefficient j needs, for any sign vector v.
 *
 * With the null imposed, y* = ŷ_r + v⊙ũ and ŷ_r lies in the column space of X, so the
 * bootstrap residuals are u* = v⊙ũ − X·γ with γ = C·X'W·(v⊙ũ) and β*_j = β0_j + γ_j
 * (β0 = C·X'W·ŷ_r). The CR1 variance needs per cluster c_j·s*_g = Σ_{i∈g} a_i u*_i with
 * a_i = w_i (c_j·x_i). Two ways to get it, the cheaper one is used:
 * - by cluster: γ = Σ_g v_g δ_g (δ_g = C·X_g'W_g ũ_g) and c_j·s*_g = v_g B_g − M_g·γ
 *   (B_g = Σ a_i ũ_i, M_g = Σ a_i x_i): 2·G·p per draw;
 * - by row: γ = C·(Σ_i w_i v_g(i) ũ_i x_i), then u*_i row by row: 2·nnz + p² + n per draw. */
typedef struct wcr {
    size_t n, p, G, j;
    int by_row;
    double adj; /* CR1: G/(G−1)·(N−1)/(N−rank) */
    double beta0_j;
    /* by cluster */
    double *delta; /* G × p */
    double *M;     /* G × p */
    double *B;     /* G */
    /* by row */
    const sparse *X;
    const size_t *cl;
    const double *C; /* p × p, row stride tda */
    size_t tda;
    double *a, *wu, *ur; /* n: a_i, w_i ũ_i, ũ_i */
    double *r, *gamma, *score;
    double estimate, se, t;
    size_t rank;
} wcr;

static void wcr_free(wcr *b)
{
    free(b->delta);
    free(b->M);
    free(b->B);
    free(b->a);
    free(b->wu);
    free(b->ur);
    free(b->r);
    free(b->gamma);
    free(b->score);
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

/* @p full: the unrestricted fit. The fit with β_j = 0 imposed is the restricted least-squares
 * solution β_r = β̂ − C e_j β̂_j / C_jj (C = (X'WX)^-1), so one fit serves every term. */
static lb_status wcr_prepare(lb_ctx *ctx, const sparse *X, const double *y, const double *w,
                             const size_t *cl, size_t n, size_t p, size_t j, const fit *full,
                             wcr *b)
{
    memset(b, 0, sizeof(*b));
    size_t G = count_clusters(cl, n);
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
    double *br = malloc(p * sizeof(double)), *cj = malloc(p * sizeof(double));
    double *score = calloc(G ? G : 1, sizeof(double)), *xw = calloc(p, sizeof(double));
    b->a = malloc(n * sizeof(double));
    b->ur = malloc(n * sizeof(double));
    b->wu = malloc(n * sizeof(double));
    b->B = calloc(G ? G : 1, sizeof(double));
    lb_status st = LB_OK;
    if (!br || !cj || !score || !xw || !b->a || !b->ur || !b->wu || !b->B) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
        goto cleanup;
    }
    for (size_t k = 0; k < p; k++)
        cj[k] = C[j * tda + k];
    b->estimate = gsl_vector_get(full->c, j);
    if (!(C[j * tda + j] > 0.0)) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "regression: coefficient %zu is not identified", j);
        goto cleanup;
    }
    for (size_t k = 0; k < p; k++)
        br[k] = gsl_vector_get(full->c, k) - cj[k] * b->estimate / C[j * tda + j];
    br[j] = 0.0;
    /* CR1 variance of the estimate from the unrestricted residuals; ŷ_r, ũ, X'W ŷ_r */
    for (size_t i = 0; i < n; i++) {
        double fitted = sparse_dot(X, i, full->c->data), yr = sparse_dot(X, i, br);
        b->a[i] = w[i] * sparse_dot(X, i, cj);
        score[cl[i]] += b->a[i] * (y[i] - fitted);
        b->ur[i] = y[i] - yr;
        b->wu[i] = w[i] * b->ur[i];
        b->B[cl[i]] += b->a[i] * b->ur[i];
        for (size_t e = X->start[i]; e < X->start[i + 1]; e++)
            xw[X->col[e]] += w[i] * X->val[e] * yr;
    }
    double ss = 0.0;
    for (size_t g = 0; g < G; g++)
        ss += score[g] * score[g];
    b->adj = G > 1 && n > b->rank
                 ? (double)G / (double)(G - 1) * (double)(n - 1) / (double)(n - b->rank)
                 : NAN;
    b->se = sqrt(b->adj * ss);
    b->t = b->estimate / b->se;
    b->beta0_j = dot(C + j * tda, xw, p);
    if (b->by_row) {
        b->r = malloc(p * sizeof(double));
        b->gamma = malloc(p * sizeof(double));
        b->score = malloc((G ? G : 1) * sizeof(double));
        if (!b->r || !b->gamma || !b->score)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
        goto cleanup;
    }
    /* by cluster: X_g'W_g ũ_g and M_g, then δ_g = C·X_g'W_g ũ_g */
    double *xg = calloc(G * p > 0 ? G * p : 1, sizeof(double));
    b->delta = calloc(G * p > 0 ? G * p : 1, sizeof(double));
    b->M = calloc(G * p > 0 ? G * p : 1, sizeof(double));
    if (!xg || !b->delta || !b->M) {
        free(xg);
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t e = X->start[i]; e < X->start[i + 1]; e++) {
            xg[cl[i] * p + X->col[e]] += b->wu[i] * X->val[e];
            b->M[cl[i] * p + X->col[e]] += b->a[i] * X->val[e];
        }
    for (size_t g = 0; g < G; g++)
        for (size_t a = 0; a < p; a++)
            b->delta[g * p + a] = dot(C + a * tda, xg + g * p, p);
    free(xg);
cleanup:
    free(br);
    free(cj);
    free(score);
    free(xw);
    if (st != LB_OK)
        wcr_free(b);
    return st;
}

/* t* for signs v[g]; @p gamma is scratch of p values (by cluster). */
static double wcr_tstar(const wcr *b, const double *v, double *gamma)
{
    size_t p = b->p, G = b->G;
    double ss = 0.0;
    if (b->by_row) {
        double *r = b->r, *sc = b->score;
        gamma = b->gamma;
        memset(r, 0, p * sizeof(double));
        for (size_t i = 0; i < b->n; i++) {
            double s = v[b->cl[i]] * b->wu[i];
            for (size_t e = b->X->start[i]; e < b->X->start[i + 1]; e++)
                r[b->X->col[e]] += s * b->X->val[e];
        }
        for (size_t a = 0; a < p; a++)
            gamma[a] = dot(b->C + a * b->tda, r, p);
        memset(sc, 0, G * sizeof(double));
        for (size_t i = 0; i < b->n; i++)
            sc[b->cl[i]] += b->a[i] * (v[b->cl[i]] * b->ur[i] - sparse_dot(b->X, i, gamma));
        for (size_t g = 0; g < G; g++)
            ss += sc[g] * sc[g];
    } else {
        memset(gamma, 0, p * sizeof(double));
        for (size_t g = 0; g < G; g++) {
            const double *dg = b->delta + g * p;
            double s = v[g];
            for (size_t k = 0; k < p; k++)
                gamma[k] += s * dg[k];
        }
        for (size_t g = 0; g < G; g++) {
            double sc = v[g] * b->B[g] - dot(b->M + g * p, gamma, p);
            ss += sc * sc;
        }
    }
    return (b->beta0_j + gamma[b->j]) / sqrt(b->adj * ss);
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

/* Tests of several coefficients of one fit; seeds[i] seeds the bootstrap of term js[i]. */
static lb_status wcr_terms(lb_ctx *ctx, const double *X, const double *y, const double *w,
                           const size_t *cluster, size_t n, size_t p, const size_t *js, size_t nj,
                           int n_boot, const unsigned long *seeds, wb_wls_test *out,
                           const double *v_fixed, double *tstar_fixed)
{
    fit full;
    sparse sx = {0};
    lb_status st = wls(ctx, X, y, w, n, p, &full);
    if (st != LB_OK)
        return st;
    st = sparse_build(ctx, X, n, p, &sx);
    double *gamma = malloc(p * sizeof(double));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (st == LB_OK && (!gamma || !rng))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
    for (size_t t = 0; t < nj && st == LB_OK; t++) {
        wcr b;
        st = wcr_prepare(ctx, &sx, y, w, cluster, n, p, js[t], &full, &b);
        if (st != LB_OK)
            break;
        wb_wls_test r = {b.estimate, b.se, b.t, NAN, NAN, b.rank};
        if (v_fixed) {
            *tstar_fixed = wcr_tstar(&b, v_fixed, gamma);
        } else if (n_boot > 0 && b.G >= 2 && isfinite(b.t)) {
            double *v = malloc(b.G * sizeof(double));
            if (!v) {
                wcr_free(&b);
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the bootstrap");
                break;
            }
            gsl_rng_set(rng, seeds[t]);
            size_t two = 0, one = 0, valid = 0;
            for (int rep = 0; rep < n_boot; rep++) {
                rademacher(rng, v, b.G);
                double ts = wcr_tstar(&b, v, gamma);
                if (!isfinite(ts))
                    continue;
                valid++;
                two += fabs(ts) >= fabs(b.t);
                one += ts <= b.t;
            }
            if (valid > 0) {
                r.p_two = (double)two / (double)valid;
                r.p_one = (double)one / (double)valid;
            }
            free(v);
        }
        wcr_free(&b);
        out[t] = r;
    }
    free(gamma);
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
    return wcr_terms(ctx, X, y, w, cluster, n, p, &j, 1, 0, &seed, &t, v, tstar);
}

lb_status wb_wls_wcr(lb_ctx *ctx, const double *X, const double *y, const double *w,
                     const size_t *cluster, size_t n, size_t p, size_t j, int n_boot,
                     unsigned long seed, wb_wls_test *out)
{
    if (j >= p)
        return lb_ctx_error(ctx, LB_ERR_ARG, "regression: coefficient %zu of %zu", j, p);
    return wcr_terms(ctx, X, y, w, cluster, n, p, &j, 1, n_boot, &seed, out, NULL, NULL);
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

/* Sample role of each unit: focus area and zone column (0 = the focus area itself, 1..R =
 * rings, R+1 = far control), -1 when not in the regression. */
static void unit_roles(const wb_data *d, int *rf, int *rz)
{
    size_t R = d->n_rings;
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
        if (d->ring[u] >= 0) {
            rf[u] = d->near[u];
            rz[u] = d->ring[u] + 1;
        } else if (d->beyond[u]) {
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
                rz[u] = (int)R + 1;
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
    size_t R = d->n_rings, nF = d->n_focus, nZ = R + 2;
    wb_obs o = wb_panel_obs(pn, d->n, k);
    int *rf = malloc((d->n ? d->n : 1) * sizeof(int)),
        *rz = malloc((d->n ? d->n : 1) * sizeof(int));
    size_t *units = malloc((d->n ? d->n : 1) * sizeof(size_t)), n = 0;
    double *X = NULL, *y = NULL, *w = NULL;
    size_t *cl = NULL;
    lb_status st = LB_OK;
    if (!rf || !rz || !units) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    unit_roles(d, rf, rz);
    size_t zone_n[64] = {0}, class_w[LB_N_CLASSES + 1] = {0};
    size_t *focus_n = calloc(nF ? nF : 1, sizeof(size_t));
    if (!focus_n) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    if (nZ > 64) {
        free(focus_n);
        st = lb_ctx_error(ctx, LB_ERR_ARG, "pooled regression: at most 62 rings");
        goto cleanup;
    }
    for (size_t u = 0; u < d->n; u++) {
        if (rz[u] < 0 || !wb_obs_ok(&o, u))
            continue;
        units[n++] = u;
        zone_n[rz[u]]++;
        focus_n[rf[u]]++;
        class_w[o.cls[u]]++;
    }
    /* columns: focus areas present, zones present except the far control (the reference),
     * classes present except the most frequent (the reference) */
    int ref_cls = 1;
    for (int c = 1; c <= LB_N_CLASSES; c++)
        if (class_w[c] > class_w[ref_cls])
            ref_cls = c;
    int *col_focus = malloc((nF ? nF : 1) * sizeof(int)), col_zone[64], col_cls[LB_N_CLASSES + 1];
    size_t p = 0;
    for (size_t f = 0; col_focus && f < nF; f++)
        col_focus[f] = focus_n[f] ? (int)p++ : -1;
    free(focus_n);
    if (!col_focus) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    for (size_t z = 0; z < nZ; z++)
        col_zone[z] = z < R + 1 && zone_n[z] ? (int)p++ : -1;
    for (int c = 0; c <= LB_N_CLASSES; c++)
        col_cls[c] = c >= 1 && c != ref_cls && class_w[c] ? (int)p++ : -1;
    if (zone_n[R + 1] == 0 || n <= p) {
        free(col_focus);
        if (n > 0) /* an outcome without data in the period is no news */
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "pooled regression %d-%d, %s: %zu units for %zu parameters%s; skipped",
                       pn->t0, pn->t1, outcome, n, p,
                       zone_n[R + 1] == 0 ? " and no far control" : "");
        goto cleanup;
    }
    X = calloc(n * p, sizeof(double));
    y = malloc(n * sizeof(double));
    w = malloc(n * sizeof(double));
    cl = malloc(n * sizeof(size_t));
    if (!X || !y || !w || !cl) {
        free(col_focus);
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        X[i * p + (size_t)col_focus[rf[u]]] = 1.0;
        if (col_zone[rz[u]] >= 0)
            X[i * p + (size_t)col_zone[rz[u]]] = 1.0;
        if (col_cls[o.cls[u]] >= 0)
            X[i * p + (size_t)col_cls[o.cls[u]]] = 1.0;
        y[i] = o.s1[u] - o.s0[u];
        w[i] = o.w[u];
    }
    free(col_focus);
    st = cluster_ids(ctx, d, cfg->cluster, units, n, rf, cl);
    if (st != LB_OK)
        goto cleanup;
    size_t G = count_clusters(cl, n);
    out->n_units = n;
    out->n_clusters = G;
    out->n_params = p;
    out->terms = calloc(R + 1, sizeof(wb_pooled_term));
    if (!out->terms) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regression");
        goto cleanup;
    }
    size_t js[64], nj = 0;
    unsigned long seeds[64];
    wb_wls_test tests[64];
    for (size_t z = 0; z <= R && st == LB_OK; z++) {
        if (col_zone[z] < 0)
            continue;
        /* zone column z: 0 focus, 1..R rings, in the order of the zone slots */
        char *key = lb_core_strfmt("pooled:%d-%d:%zu:%s", pn->t0, pn->t1, k, d->slots[z].name);
        if (!key) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        seeds[nj] = wb_seed_mix(cfg->seed, key, 1);
        free(key);
        out->terms[nj].term = lb_core_strdup(d->slots[z].name);
        if (!out->terms[nj].term) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        js[nj++] = (size_t)col_zone[z];
        out->n_terms = nj;
    }
    if (st == LB_OK)
        st = wcr_terms(ctx, X, y, w, cl, n, p, js, nj, cfg->n_boot, seeds, tests, NULL, NULL);
    for (size_t t = 0; st == LB_OK && t < nj; t++) {
        out->terms[t].estimate = tests[t].estimate;
        out->terms[t].se = tests[t].se;
        out->terms[t].t = tests[t].t;
        out->terms[t].p_two = tests[t].p_two;
        out->terms[t].p_one = tests[t].p_one;
    }
cleanup:
    if (st != LB_OK)
        wb_pooled_free(out);
    free(rf);
    free(rz);
    free(units);
    free(X);
    free(y);
    free(w);
    free(cl);
    return st;
}
