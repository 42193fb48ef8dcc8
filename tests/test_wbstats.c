/* SPDX-License-Identifier: MIT */
/* Waterbed statistics (issue 14): the pooled ring and adjacency regressions with their fixed
 * effects against an independent fit of a hand-built design, the fixed-effects estimate and its
 * CRV1 error against the closed form (Frisch–Waugh–Lovell), the bootstrap weights' moments, the
 * interval from the inverted WCR test against refits with the null shifted into y, its
 * coverage on null and planted cities, plain and matched DiD by hand, matching classes,
 * Benjamini–Hochberg families, and placebo p-values that do not depend on the other periods. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include "../src/core/ctx.h"
#include "../src/waterbed/wb.h"

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <string.h>

/* ---- scored units in memory ---- */

static unsigned char *rect_wkb(double x0, double y0, double x1, double y1, size_t *size)
{
    size_t n = 1 + 4 + 4 + 4 + 5 * 16;
    unsigned char *b = malloc(n), *p = b;
    assert_non_null(b);
    uint32_t head[3] = {3, 1, 5}; /* polygon, one ring, 5 points */
    *p++ = 1;
    memcpy(p, head, sizeof(head));
    p += sizeof(head);
    const double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    memcpy(p, xy, sizeof(xy));
    *size = n;
    return b;
}

static const double lbm_thresholds[LB_N_THRESHOLDS] = {3.46,   3.557,  3.6955, 3.8971,
                                                       3.9972, 4.1924, 4.3044, 4.3926};

/* n square units of side @p side at (x[u], y[u]), gemeente gm[u], over @p n_years years. */
static lb_scoreset *set_new(size_t n, size_t n_years, const int *years)
{
    lb_scoreset *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->description = lb_core_strdup("test set");
    s->n_units = n;
    s->id = calloc(n, sizeof(char *));
    s->name = calloc(n, sizeof(char *));
    s->gm_code = calloc(n, sizeof(char *));
    s->wk_code = calloc(n, sizeof(char *));
    s->geom = calloc(1, sizeof(lb_vlayer));
    s->geom->kind = LB_GEOM_POLYGON;
    s->geom->n = n;
    s->geom->path = lb_core_strdup("memory");
    s->geom->layer = lb_core_strdup("units");
    s->geom->fid = calloc(n, sizeof(int64_t));
    s->geom->wkb = calloc(n, sizeof(unsigned char *));
    s->geom->wkb_size = calloc(n, sizeof(size_t));
    s->geom_row = calloc(n, sizeof(size_t));
    s->dim_code = calloc(1, sizeof(char *));
    s->n_years = n_years;
    s->years = malloc(n_years * sizeof(int));
    memcpy(s->years, years, n_years * sizeof(int));
    s->n_out = 2;
    s->value = malloc(n_years * s->n_out * n * sizeof(double));
    for (size_t i = 0; i < n_years * s->n_out * n; i++)
        s->value[i] = NAN;
    s->weight = malloc(n_years * n * sizeof(double));
    for (size_t i = 0; i < n_years * n; i++)
        s->weight[i] = NAN;
    s->weight_name = lb_core_strdup("inhabitants");
    s->ref = 4.1;
    memcpy(s->thresholds, lbm_thresholds, sizeof(lbm_thresholds));
    for (size_t u = 0; u < n; u++) {
        s->geom->fid[u] = (int64_t)u;
        s->geom_row[u] = u;
    }
    return s;
}

static void set_unit(lb_scoreset *s, size_t u, const char *id, const char *gm, double x, double y,
                     double side)
{
    s->id[u] = lb_core_strdup(id);
    s->gm_code[u] = lb_core_strdup(gm);
    s->geom->wkb[u] = rect_wkb(x, y, x + side, y + side, &s->geom->wkb_size[u]);
}

static void set_lbm(lb_scoreset *s, size_t t, size_t u, double v)
{
    s->value[(t * s->n_out + LB_OUT_LBM) * s->n_units + u] = v;
}

static void set_free(lb_scoreset *s)
{
    for (size_t u = 0; u < s->n_units; u++) {
        free(s->id[u]);
        free(s->name[u]);
        free(s->gm_code[u]);
        free(s->wk_code[u]);
    }
    free(s->id);
    free(s->name);
    free(s->gm_code);
    free(s->wk_code);
    lb_vlayer_destroy(s->geom);
    free(s->geom_row);
    free(s->dim_code);
    free(s->years);
    free(s->value);
    free(s->weight);
    free(s->weight_name);
    free(s->description);
    free(s);
}

static const wb_pooled *find_pooled(const wb_result *r, int model, size_t panel)
{
    for (size_t i = 0; i < r->n_pooled; i++)
        if (r->pooled[i].res.model == model && r->pooled[i].panel == panel &&
            r->pooled[i].outcome == 0)
            return &r->pooled[i].res;
    return NULL;
}

static const wb_pooled_term *find_term(const wb_pooled *p, const char *name)
{
    for (size_t t = 0; p && t < p->n_terms; t++)
        if (strcmp(p->terms[t].term, name) == 0)
            return &p->terms[t];
    return NULL;
}

/* ---- an independent weighted fit with CRV1 errors (plain GSL QR-free normal equations) ---- */

/* y ~ X with weights w (n × p); coefficient j and its CRV1 standard error with clusters cl
 * (ids 0..G-1), the sandwich written out: (X'WX)^-1 Σ_g X_g'W_g û_g û_g'W_g X_g (X'WX)^-1 times
 * G/(G−1)·(n−1)/(n−p). */
static void ref_fit(const double *X, const double *y, const double *w, const size_t *cl, size_t n,
                    size_t p, size_t G, size_t j, double *est, double *se)
{
    gsl_matrix *A = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *yv = gsl_vector_alloc(n), *wv = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < p; a++)
            gsl_matrix_set(A, i, a, X[i * p + a]);
        gsl_vector_set(yv, i, y[i]);
        gsl_vector_set(wv, i, w[i]);
    }
    double chisq;
    assert_int_equal(gsl_multifit_wlinear(A, wv, yv, c, cov, &chisq, ws), 0);
    /* score of coefficient j per cluster: Σ_i w_i (C_j·x_i) û_i */
    double *sc = calloc(G, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double fit = 0.0, cx = 0.0;
        for (size_t a = 0; a < p; a++) {
            fit += X[i * p + a] * gsl_vector_get(c, a);
            cx += gsl_matrix_get(cov, j, a) * X[i * p + a];
        }
        sc[cl[i]] += w[i] * cx * (y[i] - fit);
    }
    double ss = 0.0;
    for (size_t g = 0; g < G; g++)
        ss += sc[g] * sc[g];
    *est = gsl_vector_get(c, j);
    *se = sqrt((double)G / (double)(G - 1) * (double)(n - 1) / (double)(n - p) * ss);
    free(sc);
    gsl_matrix_free(A);
    gsl_matrix_free(cov);
    gsl_vector_free(yv);
    gsl_vector_free(wv);
    gsl_vector_free(c);
    gsl_multifit_linear_free(ws);
}

/* ---- the fixed-effects estimate against its closed form ---- */

/* y = α_g + β·D + e with group fixed effects: by Frisch–Waugh–Lovell β̂ = Σ w d̃ ỹ / Σ w d̃²
 * with d̃, ỹ the deviations from their weighted group means, and its CRV1 variance
 * adj·Σ_c (Σ_{i∈c} w_i d̃_i û_i)² / (Σ w d̃²)². */
static void test_wbstats_fe_closed_form(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    enum { N = 60, NG = 4, P = NG + 1, NC = 10 };
    double X[N * P] = {0}, y[N], w[N], D[N];
    size_t cl[N], grp[N];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    for (size_t i = 0; i < N; i++) {
        grp[i] = i % NG;
        cl[i] = i % NC; /* clusters cut across the groups */
        D[i] = gsl_rng_uniform(rng) < 0.3 + 0.1 * (double)grp[i];
        w[i] = 0.5 + 2.0 * gsl_rng_uniform(rng);
        y[i] = 0.3 * (double)grp[i] - 0.07 * D[i] + gsl_ran_gaussian(rng, 0.05);
        X[i * P + grp[i]] = 1.0;
        X[i * P + NG] = D[i];
    }
    double sw[NG] = {0}, swd[NG] = {0}, swy[NG] = {0};
    for (size_t i = 0; i < N; i++) {
        sw[grp[i]] += w[i];
        swd[grp[i]] += w[i] * D[i];
        swy[grp[i]] += w[i] * y[i];
    }
    double sdd = 0.0, sdy = 0.0;
    for (size_t i = 0; i < N; i++) {
        double dt = D[i] - swd[grp[i]] / sw[grp[i]], yt = y[i] - swy[grp[i]] / sw[grp[i]];
        sdd += w[i] * dt * dt;
        sdy += w[i] * dt * yt;
    }
    double beta = sdy / sdd, sc[NC] = {0};
    for (size_t i = 0; i < N; i++) {
        double dt = D[i] - swd[grp[i]] / sw[grp[i]], yt = y[i] - swy[grp[i]] / sw[grp[i]];
        sc[cl[i]] += w[i] * dt * (yt - beta * dt); /* the FE residual is ỹ − β d̃ */
    }
    double ss = 0.0;
    for (size_t c = 0; c < NC; c++)
        ss += sc[c] * sc[c];
    double se = sqrt((double)NC / (NC - 1) * (double)(N - 1) / (double)(N - P) * ss) / sdd;
    wb_wls_test t;
    const wb_boot_cfg cfg = {0, 1, LB_WB_BOOT_RADEMACHER, 0.0};
    assert_int_equal(wb_wls_boot(ctx, X, y, w, cl, N, P, NG, &cfg, &t), LB_OK);
    print_message("FE: beta %.6f (closed form %.6f) se %.6f (%.6f)\n", t.estimate, beta, t.se, se);
    assert_near(t.estimate, beta, 1e-10);
    assert_near(t.se, se, 1e-10);
    assert_int_equal(t.rank, P);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

/* ---- bootstrap weights ---- */

/* Rademacher: ±1 with 1/2 each (E v = E v³ = 0, E v² = E v⁴ = 1). Webb: six points ±√½, ±1,
 * ±√1½ with 1/6 each (E v = E v³ = 0, E v² = 1, E v⁴ = 7/6). 600,000 draws: the sampling sd of
 * a moment is below 0.003. */
static void test_wbstats_weight_moments(void **state)
{
    (void)state;
    enum { N = 600000 };
    double *v = malloc(N * sizeof(double));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int kind = 0; kind < 2; kind++) {
        gsl_rng_set(rng, 11);
        wb_boot_weights_draw(rng, (lb_wb_boot_weights)kind, v, N);
        double m[5] = {0};
        size_t cnt[6] = {0};
        const double pts[6] = {-sqrt(1.5), -1.0, -sqrt(0.5), sqrt(0.5), 1.0, sqrt(1.5)};
        for (size_t i = 0; i < N; i++) {
            double p = 1.0;
            for (int k = 1; k <= 4; k++)
                m[k] += (p *= v[i]) / N;
            int hit = -1;
            for (int q = 0; q < 6; q++)
                if (fabs(v[i] - pts[q]) < 1e-12)
                    hit = q;
            assert_true(hit >= 0);
            assert_true(kind == LB_WB_BOOT_WEBB || hit == 1 || hit == 4);
            cnt[hit]++;
        }
        print_message("%s: E v %.4f, E v2 %.4f, E v3 %.4f, E v4 %.4f\n",
                      kind ? "webb" : "rademacher", m[1], m[2], m[3], m[4]);
        assert_near(m[1], 0.0, 0.01);
        assert_near(m[2], 1.0, 0.01);
        assert_near(m[3], 0.0, 0.01);
        assert_near(m[4], kind ? 7.0 / 6.0 : 1.0, 0.01);
        for (int q = 0; q < 6; q++)
            if (kind == LB_WB_BOOT_WEBB || q == 1 || q == 4)
                assert_near((double)cnt[q] / N, kind ? 1.0 / 6.0 : 0.5, 0.005);
    }
    gsl_rng_free(rng);
    free(v);
}

/* ---- the interval from the inverted test ---- */

/* Testing β_j = b0 on y is testing β_j = 0 on y − b0·x_j. With the same seed (the same draws)
 * the symmetric p-value of the shifted refit must not exceed α just outside each bound and must
 * exceed it just inside; the p-values of the shifted refits are computed the old way (a full
 * refit, the null at 0), independent of the closed form in b0 the interval search uses. */
static void test_wbstats_ci_inversion(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    enum { N = 96, P = 3, G = 12, B = 999 };
    double X[N * P], y[N], w[N], ys[N];
    size_t cl[N];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 8);
    for (size_t i = 0; i < N; i++) {
        cl[i] = i / 8;
        double x1 = gsl_rng_uniform(rng), dm = (double)(i % 3 == 0);
        X[i * P] = 1.0;
        X[i * P + 1] = x1;
        X[i * P + 2] = dm;
        w[i] = 1.0 + (double)(i % 5);
        y[i] = 1.0 + 0.5 * x1 - 0.1 * dm + gsl_ran_gaussian(rng, 0.2) + 0.1 * (double)(cl[i] % 3);
    }
    for (int kind = 0; kind < 2; kind++) {
        const wb_boot_cfg cfg = {B, 77, (lb_wb_boot_weights)kind, 0.95};
        wb_wls_test t;
        assert_int_equal(wb_wls_boot(ctx, X, y, w, cl, N, P, 2, &cfg, &t), LB_OK);
        print_message("%s: est %.5f se %.5f ci [%.5f, %.5f] p %.4f\n", kind ? "webb" : "rademacher",
                      t.estimate, t.se, t.ci_low, t.ci_high, t.p_two);
        assert_true(t.ci_low < t.estimate && t.estimate < t.ci_high);
        /* of the order of the CRV1 interval, t(G−1) quantile 2.2 */
        assert_true(t.ci_high - t.ci_low > 2.0 * 1.5 * t.se);
        assert_true(t.ci_high - t.ci_low < 2.0 * 4.0 * t.se);
        const double bounds[2] = {t.ci_low, t.ci_high};
        for (int b = 0; b < 2; b++)
            for (int side = -1; side <= 1; side += 2) { /* +1: just outside the interval */
                double b0 = bounds[b] + (b == 0 ? -1.0 : 1.0) * side * 1e-4 * t.se;
                for (size_t i = 0; i < N; i++)
                    ys[i] = y[i] - b0 * X[i * P + 2];
                wb_wls_test s;
                const wb_boot_cfg c0 = {B, 77, (lb_wb_boot_weights)kind, 0.0};
                assert_int_equal(wb_wls_boot(ctx, X, ys, w, cl, N, P, 2, &c0, &s), LB_OK);
                assert_near(s.estimate, t.estimate - b0, 1e-12);
                if (side > 0)
                    assert_true(s.p_two <= 0.05);
                else
                    assert_true(s.p_two > 0.05);
            }
        /* the null value 0: its p-value is the one reported */
        assert_true((t.p_two > 0.05) == (t.ci_low < 0.0 && 0.0 < t.ci_high));
    }
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

static void test_wbstats_p_text(void **state)
{
    (void)state;
    char buf[32];
    wb_boot_p_text(0.0, 999, buf, sizeof(buf));
    assert_string_equal(buf, "< 0.001");
    wb_boot_p_text(0.0, 99, buf, sizeof(buf));
    assert_string_equal(buf, "< 0.01");
    wb_boot_p_text(0.0, 500, buf, sizeof(buf));
    assert_string_equal(buf, "< 0.002");
    wb_boot_p_text(0.0421, 999, buf, sizeof(buf));
    assert_string_equal(buf, "0.0421");
    wb_boot_p_text(NAN, 999, buf, sizeof(buf));
    assert_string_equal(buf, "");
}

/* ---- a hand-made town: two strips in two gemeenten ---- */

/* Strip 1 (GM0001, y 0..100): units U00..U19 of 100 m, focus areas A = U00|U01 and
 * B = U18|U19. Strip 2 (GM0002, y 1000..1100): U20..U39, focus area C = U38|U39. With one ring
 * (0, 150] and 3 adjacency orders the roles are known by hand:
 *   ring model: ring_0_150 A {2,3} B {16,17} C {36,37}; far control (beyond 150 m, nearest
 *     focus centroid in the gemeente) A {4..9} B {10..15} C {20..35};
 *   adjacency model: adj_1 A {2} B {17} C {37}, adj_2 A {3} B {16} C {36}; far control without
 *     the order-3 units 4, 15 and 35.
 * lbm at t0 3.9 (class 5) for every third unit, else 4.05 (class 6); Δ and weights random. */
enum { TOWN = 40 };

static lb_scoreset *town_new(size_t n_years, const int *years, unsigned long seed)
{
    lb_scoreset *s = set_new(TOWN, n_years, years);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (size_t u = 0; u < TOWN; u++) {
        char id[8];
        snprintf(id, sizeof(id), "U%02zu", u);
        set_unit(s, u, id, u < 20 ? "GM0001" : "GM0002", 100.0 * (double)(u % 20),
                 u < 20 ? 0.0 : 1000.0, 100.0);
        double l = u % 3 == 0 ? 3.9 : 4.05;
        for (size_t t = 0; t < n_years; t++) {
            set_lbm(s, t, u, l);
            s->weight[t * TOWN + u] = 100.0 + 900.0 * gsl_rng_uniform(rng);
            l += gsl_ran_gaussian(rng, 0.05) - (u % 20 == 2 || u % 20 == 17 ? 0.03 : 0.0);
        }
    }
    gsl_rng_free(rng);
    return s;
}

static const char *const town_focus[3] = {"A=U00|U01", "B=U18|U19", "C=U38|U39"};

static void town_options(lb_waterbed_options *o)
{
    static const double rings[1] = {150.0};
    lb_waterbed_options_init(o);
    o->focus_codes = town_focus;
    o->n_focus_codes = 3;
    o->rings_m = rings;
    o->n_rings = 1;
    o->adjacency_orders = 3;
    o->rigo = 0;
    o->n_placebo = 0;
    o->n_boot = 0;
    o->cluster = LB_WB_CLUSTER_FOCUS;
    o->pretrend = 0;
}

/* Role of unit u by hand: focus area (0 A, 1 B, 2 C) and zone (0 focus, 1.. zones, 9 far),
 * -1 outside the model. */
static void town_role(int model, size_t u, int *f, int *z)
{
    static const int ring_zone[20] = {0, 0, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1, 1, 0, 0};
    static const int adj_zone[20] = {0, 0, 1, 2, -1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, -1, 2, 1, 0, 0};
    size_t i = u % 20;
    *f = u >= 20 ? 2 : i < 10 ? 0 : 1;
    if (u >= 20 && i < 15) /* strip 2 has its focus area at the end only: far control */
        i = 9;
    *z = model == LB_WB_POOLED_RING ? ring_zone[i] : adj_zone[i];
    if (*z < 0)
        *f = -1;
}

/* The pooled fits of the hand-made town against GSL on the design built here from the roles
 * above, for both models and every fixed-effects option. */
static void test_wbstats_pooled_town(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const int years[2] = {2020, 2022};
    lb_scoreset *s = town_new(2, years, 21);
    for (int fe = LB_WB_FE_FOCUS; fe <= LB_WB_FE_NONE; fe++) {
        lb_waterbed_options o;
        town_options(&o);
        o.pooled_fe = (lb_wb_fe)fe;
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        for (int model = LB_WB_POOLED_RING; model <= LB_WB_POOLED_ADJ; model++) {
            const wb_pooled *pr = find_pooled(r, model, 0);
            assert_non_null(pr);
            /* the design by hand: fixed effects, zone dummies, class 5 (the rarer class) */
            size_t n_fe = fe == LB_WB_FE_FOCUS ? 3 : fe == LB_WB_FE_GEMEENTE ? 2 : 1;
            size_t nz = model == LB_WB_POOLED_RING ? 2 : 3, p = n_fe + nz + 1, n = 0;
            double X[TOWN * 8] = {0}, y[TOWN], w[TOWN];
            size_t cl[TOWN];
            for (size_t u = 0; u < TOWN; u++) {
                int f, z;
                town_role(model, u, &f, &z);
                if (f < 0)
                    continue;
                size_t g = fe == LB_WB_FE_FOCUS ? (size_t)f : fe == LB_WB_FE_GEMEENTE ? f == 2 : 0;
                X[n * p + g] = 1.0;
                if (z != 9)
                    X[n * p + n_fe + (size_t)z] = 1.0;
                X[n * p + n_fe + nz] = u % 3 == 0;
                y[n] = s->value[(1 * s->n_out) * TOWN + u] - s->value[u];
                w[n] = s->weight[u];
                cl[n] = (size_t)f;
                n++;
            }
            assert_int_equal(pr->n_units, n);
            assert_int_equal(pr->n_params, p);
            assert_int_equal(pr->n_clusters, 3);
            assert_int_equal(pr->n_terms, nz);
            for (size_t z = 0; z < nz; z++) {
                char name[16];
                snprintf(name, sizeof(name),
                         z == 0                       ? "focus"
                         : model == LB_WB_POOLED_RING ? "ring_0_150"
                                                      : "adj_%zu",
                         z);
                const wb_pooled_term *t = find_term(pr, name);
                assert_non_null(t);
                double est, se;
                ref_fit(X, y, w, cl, n, p, 3, n_fe + z, &est, &se);
                print_message("fe %d model %d %s: %.6f (%.6f) se %.6f (%.6f)\n", fe, model, name,
                              t->estimate, est, t->se, se);
                assert_near(t->estimate, est, 1e-10);
                assert_near(t->se, se, 1e-10);
            }
        }
        wb_result_destroy(r);
    }
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* Plain and class-matched DiD of A's ring by hand: zone U02|U03, far control U04..U15 (every
 * unit of GM0001 beyond the ring), min_control 1 so each class uses its own control mean. With
 * one matching class (a break above every score) the matched DiD is the plain one. */
static void test_wbstats_plain_matched(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const int years[2] = {2020, 2022};
    lb_scoreset *s = town_new(2, years, 5);
    /* put both classes into the zone: U02 class 6, U03 class 5 (3 % 3 == 0) */
    lb_waterbed_options o;
    town_options(&o);
    o.min_control = 1;
    o.receiving_class = 5; /* U03 (class 5) is a potential receiving area, U02 (class 6) not */
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_row *row = wb_result_row(r, "A", "ring_0_150", "lbm", 2020, 2022);
    assert_non_null(row);
    double zw[10] = {0}, zwd[10] = {0}, cw[10] = {0}, cwd[10] = {0};
    for (size_t u = 2; u <= 15; u++) {
        double d = s->value[s->n_out * TOWN + u] - s->value[u], w = s->weight[u];
        int c = u % 3 == 0 ? 5 : 6;
        if (u <= 3) {
            zw[c] += w;
            zwd[c] += w * d;
        } else {
            cw[c] += w;
            cwd[c] += w * d;
        }
    }
    double zmean = (zwd[5] + zwd[6]) / (zw[5] + zw[6]);
    double plain = zmean - (cwd[5] + cwd[6]) / (cw[5] + cw[6]);
    double matched = zmean - (zw[5] * cwd[5] / cw[5] + zw[6] * cwd[6] / cw[6]) / (zw[5] + zw[6]);
    print_message("ring A: plain %.6f (%.6f) matched %.6f (%.6f)\n", row->st.did_plain, plain,
                  row->st.did, matched);
    assert_near(row->st.did_plain, plain, 1e-12);
    assert_near(row->st.did, matched, 1e-12);
    assert_true(fabs(plain - matched) > 1e-6); /* the case tells them apart */
    size_t n_receiving = row->st.n_receiving;
    assert_int_equal(n_receiving, 1);
    wb_result_destroy(r);
    /* one matching class: matched = plain, and the receiving-area count still uses lbm */
    const double breaks[1] = {10.0};
    o.match = LB_WB_MATCH_BREAKS;
    o.match_breaks = breaks;
    o.n_match_breaks = 1;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_row *one = wb_result_row(r, "A", "ring_0_150", "lbm", 2020, 2022);
    assert_near(one->st.did, plain, 1e-12);
    assert_near(one->st.did_plain, plain, 1e-12);
    assert_int_equal(one->st.n_receiving, n_receiving);
    wb_result_destroy(r);
    /* bad breaks are refused */
    const double bad[2] = {4.0, 3.9};
    o.match_breaks = bad;
    o.n_match_breaks = 2;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_ARG);
    set_free(s);
    lb_ctx_destroy(ctx);
}

static void test_wbstats_quantile_breaks(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    double b[8];
    size_t nb;
    const double x[6] = {6, 2, 4, 1, 5, 3}, one[6] = {1, 1, 1, 1, 1, 1};
    assert_int_equal(wb_quantile_breaks(ctx, x, one, 6, 3, b, &nb), LB_OK);
    assert_int_equal(nb, 2); /* thirds: {1,2} {3,4} {5,6} */
    assert_near(b[0], 3.0, 0);
    assert_near(b[1], 5.0, 0);
    const double wx[6] = {1, 1, 1, 1, 1, 3}; /* weight 3 on x = 3: total 8, half = 4 */
    assert_int_equal(wb_quantile_breaks(ctx, x, wx, 6, 2, b, &nb), LB_OK);
    assert_int_equal(nb, 1);
    assert_near(b[0], 4.0, 0); /* below 4: x 1, 2, 3 weigh 1 + 1 + 3 = 5 >= 4; below 3: 2 */
    const double tie[4] = {1, 1, 1, 2}, nanx[3] = {NAN, 1, 2};
    assert_int_equal(wb_quantile_breaks(ctx, tie, one, 4, 2, b, &nb), LB_OK);
    assert_int_equal(nb, 1);
    assert_near(b[0], 2.0, 0);
    assert_int_equal(wb_class_of(1.0, b, nb), 1);
    assert_int_equal(wb_class_of(2.0, b, nb), 2);
    assert_int_equal(wb_class_of(NAN, b, nb), 0);
    assert_int_equal(wb_quantile_breaks(ctx, nanx, one, 3, 2, b, &nb), LB_OK);
    assert_int_equal(nb, 1);
    assert_near(b[0], 2.0, 0);
    assert_int_equal(wb_quantile_breaks(ctx, x, one, 6, 10, b, &nb), LB_ERR_ARG);
    lb_ctx_destroy(ctx);
}

/* Benjamini–Hochberg families on the town (placebos from re-assigned units): per zone, the q
 * of a row is BH over the three focus areas' p of that zone, period and outcome, worked out
 * here; per run, over every ring and adjacency row. */
static void test_wbstats_bh_family(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const int years[2] = {2020, 2022};
    lb_scoreset *s = town_new(2, years, 9);
    const char *ids[3] = {"A", "B", "C"};
    for (int fam = LB_WB_BH_ZONE; fam <= LB_WB_BH_RUN; fam += 2) {
        lb_waterbed_options o;
        town_options(&o);
        o.n_placebo = 99;
        o.placebo_mode = LB_WB_PLACEBO_UNITS;
        o.bh_family = (lb_wb_bh)fam;
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        const wb_row *rows[3];
        for (int f = 0; f < 3; f++) {
            rows[f] = wb_result_row(r, ids[f], "adj_1", "lbm", 2020, 2022);
            assert_non_null(rows[f]);
            assert_false(isnan(rows[f]->p_one));
            assert_false(isnan(rows[f]->p_upper));
        }
        if (fam == LB_WB_BH_ZONE) {
            for (int tail = 0; tail < 3; tail++) {
                double p[3], q[3];
                for (int f = 0; f < 3; f++)
                    p[f] = tail == 0   ? rows[f]->p_one
                           : tail == 1 ? rows[f]->p_two
                                       : rows[f]->p_upper;
                /* step-up by hand: q_i = min over p_j >= p_i of p_j·3/rank_j */
                for (int i = 0; i < 3; i++) {
                    q[i] = 1.0;
                    for (int j = 0; j < 3; j++) {
                        int rank = 1;
                        for (int k = 0; k < 3; k++)
                            rank += p[k] < p[j] || (p[k] == p[j] && k < j);
                        if (p[j] >= p[i])
                            q[i] = fmin(q[i], p[j] * 3.0 / rank);
                    }
                    double got = tail == 0   ? rows[i]->q_one
                                 : tail == 1 ? rows[i]->q_two
                                             : rows[i]->q_upper;
                    assert_near(got, q[i], 1e-12);
                }
            }
            /* the focus rows form families of their own */
            assert_false(isnan(wb_result_row(r, "A", "focus", "lbm", 2020, 2022)->q_one));
        } else {
            /* one family of 3 areas × (1 ring + 3 adjacency orders) = 12 rows: q >= p */
            for (int f = 0; f < 3; f++)
                assert_true(rows[f]->q_one >= rows[f]->p_one);
            assert_true(isnan(wb_result_row(r, "A", "focus", "lbm", 2020, 2022)->q_one));
        }
        /* the diffusion p: upper tail, the complement of the lower one but for ties */
        for (int f = 0; f < 3; f++)
            assert_true(rows[f]->p_one + rows[f]->p_upper >= 1.0);
        wb_result_destroy(r);
    }
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* Placebo and bootstrap p-values of 2020-2022 are the same whether 2018-2022 is in the run or
 * not (before, the draws of all periods came from one stream per focus area and the pseudo
 * areas were grown on the first period's baseline). Units re-assigned on the town, pseudo
 * areas on a 20 × 20 grid. */
static void same_period_p(lb_ctx *ctx, const lb_scoreset *s, lb_waterbed_options *o,
                          const char *focus, size_t *n_checked)
{
    const lb_wb_period both[2] = {{2018, 2022}, {2020, 2022}}, alone[1] = {{2020, 2022}};
    wb_result *r1 = NULL, *r2 = NULL;
    o->periods = both;
    o->n_periods = 2;
    assert_int_equal(wb_analyse(ctx, s, o, &r1), LB_OK);
    o->periods = alone;
    o->n_periods = 1;
    assert_int_equal(wb_analyse(ctx, s, o, &r2), LB_OK);
    for (size_t z = 0; z < r1->data->n_slots; z++) {
        const char *zone = r1->data->slots[z].name;
        const wb_row *a = wb_result_row(r1, focus, zone, "lbm", 2020, 2022);
        const wb_row *b = wb_result_row(r2, focus, zone, "lbm", 2020, 2022);
        assert_non_null(a);
        assert_non_null(b);
        if (isnan(a->p_one))
            continue;
        assert_true(a->p_one == b->p_one && a->p_two == b->p_two && a->p_upper == b->p_upper);
        assert_int_equal(a->n_placebo, b->n_placebo);
        (*n_checked)++;
    }
    const wb_pooled *pa = find_pooled(r1, LB_WB_POOLED_RING, 1),
                    *pb = find_pooled(r2, LB_WB_POOLED_RING, 0);
    assert_non_null(pa);
    assert_non_null(pb);
    for (size_t t = 0; t < pa->n_terms; t++) {
        assert_true(pa->terms[t].p_two == pb->terms[t].p_two);
        assert_true(pa->terms[t].ci_low == pb->terms[t].ci_low);
    }
    wb_result_destroy(r1);
    wb_result_destroy(r2);
}

static void test_wbstats_placebo_periods(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const int years[3] = {2018, 2020, 2022};
    size_t checked = 0;
    lb_scoreset *s = town_new(3, years, 13);
    lb_waterbed_options o;
    town_options(&o);
    o.n_placebo = 49;
    o.n_boot = 199;
    o.placebo_mode = LB_WB_PLACEBO_UNITS;
    same_period_p(ctx, s, &o, "B", &checked);
    set_free(s);
    /* pseudo areas: a 20 × 20 grid of 200 m squares in one gemeente, focus in the middle */
    enum { S = 20 };
    s = set_new(S * S, 3, years);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17);
    for (size_t u = 0; u < S * S; u++) {
        char id[8];
        snprintf(id, sizeof(id), "G%03zu", u);
        set_unit(s, u, id, "GM0001", 200.0 * (double)(u % S), 200.0 * (double)(u / S), 200.0);
        double l = 4.0 + gsl_ran_gaussian(rng, 0.15);
        for (size_t t = 0; t < 3; t++) {
            set_lbm(s, t, u, l);
            s->weight[t * S * S + u] = 500.0 + 2000.0 * gsl_rng_uniform(rng);
            l += gsl_ran_gaussian(rng, 0.05);
        }
    }
    gsl_rng_free(rng);
    static const double rings[2] = {250.0, 500.0};
    const char *codes[1] = {"F=G189|G190|G209|G210"};
    lb_waterbed_options_init(&o);
    o.focus_codes = codes;
    o.n_focus_codes = 1;
    o.rings_m = rings;
    o.n_rings = 2;
    o.rigo = 0;
    o.n_placebo = 29;
    o.placebo_pool = 3;
    o.placebo_mode = LB_WB_PLACEBO_AREAS;
    o.n_boot = 99;
    o.cluster = LB_WB_CLUSTER_UNIT;
    o.pretrend = 0;
    same_period_p(ctx, s, &o, "F", &checked);
    print_message("%zu placebo rows identical with and without the other period\n", checked);
    assert_true(checked >= 6);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* ---- coverage of the pooled intervals ---- */

/* A 24 × 24 grid of 200 m squares in 9 gemeenten of 8 × 8, one 2 × 2 focus area near a corner
 * of each. Δ = gemeente effect N(0, 0.02) + unit noise N(0, 0.05) + φ in the focus areas + β in
 * the units within 250 m of a focus area (ring_0_250, which holds every adjacency-order-1 unit).
 * The null cities have φ = β = 0, the planted ones φ = 0.08, β = −0.04. */
enum { CS = 24, CB = 8 };

static void coverage_city(lb_scoreset *s, gsl_rng *rng, double phi, double beta, char codes[9][64])
{
    double ge[9];
    for (int g = 0; g < 9; g++)
        ge[g] = gsl_ran_gaussian(rng, 0.02);
    size_t fx[9], fy[9];
    for (int g = 0; g < 9; g++) {
        size_t ox = 1 + gsl_rng_uniform_int(rng, 2), oy = 1 + gsl_rng_uniform_int(rng, 2);
        if (gsl_rng_uniform(rng) < 0.5)
            ox = CB - 2 - ox;
        if (gsl_rng_uniform(rng) < 0.5)
            oy = CB - 2 - oy;
        fx[g] = (size_t)(g % 3) * CB + ox;
        fy[g] = (size_t)(g / 3) * CB + oy;
        size_t u = fy[g] * CS + fx[g];
        snprintf(codes[g], 64, "F%d=C%03zu|C%03zu|C%03zu|C%03zu", g, u, u + 1, u + CS, u + CS + 1);
    }
    for (size_t u = 0; u < CS * CS; u++) {
        size_t x = u % CS, y = u / CS;
        int g = (int)(y / CB) * 3 + (int)(x / CB);
        /* distance in units to the nearest focus block (polygon distance (k − 1)·200 m) */
        double dmin = INFINITY;
        int inside = 0;
        for (int h = 0; h < 9; h++) {
            double dx = x < fx[h]       ? (double)(fx[h] - x)
                        : x > fx[h] + 1 ? (double)(x - fx[h] - 1)
                                        : 0;
            double dy = y < fy[h]       ? (double)(fy[h] - y)
                        : y > fy[h] + 1 ? (double)(y - fy[h] - 1)
                                        : 0;
            inside |= dx == 0 && dy == 0;
            double dm = 200.0 * hypot(dx > 0 ? dx - 1 : 0, dy > 0 ? dy - 1 : 0);
            if (!(dx == 0 && dy == 0) && dm < dmin)
                dmin = dm;
        }
        double l0 = 4.0 + gsl_ran_gaussian(rng, 0.15);
        double dl = ge[g] + gsl_ran_gaussian(rng, 0.05) + (inside ? phi : dmin <= 250.0 ? beta : 0);
        set_lbm(s, 0, u, l0);
        set_lbm(s, 1, u, l0 + dl);
        s->weight[u] = s->weight[CS * CS + u] = 500.0 + 2000.0 * gsl_rng_uniform(rng);
    }
}

/* Over 2 × 90 cities the 95 % WCR intervals of ring_0_250 (ring model), adj_1 (adjacency model)
 * and the focus term must cover the truth about 95 % of the time: 540 intervals, misses
 * Binomial(540, 0.05) with mean 27 (P(X <= 13) and P(X >= 43) below 0.003 each if the
 * intervals were independent; those of one city are not quite). Fixed effects per focus area or
 * none, Rademacher or Webb weights, alternating. */
static void test_wbstats_ci_coverage(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const int years[2] = {2020, 2022};
    lb_scoreset *s = set_new(CS * CS, 2, years);
    for (size_t u = 0; u < CS * CS; u++) {
        char id[8], gm[8];
        size_t x = u % CS, y = u / CS;
        snprintf(id, sizeof(id), "C%03zu", u);
        snprintf(gm, sizeof(gm), "GM%04zu", (y / CB) * 3 + x / CB + 1);
        set_unit(s, u, id, gm, 200.0 * (double)x, 200.0 * (double)y, 200.0);
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2026);
    enum { REPS = 90 };
    static const double rings[2] = {250.0, 500.0};
    size_t miss[2][3] = {{0}}, tested = 0;
    double width = 0.0;
    for (int planted = 0; planted < 2; planted++)
        for (int rep = 0; rep < REPS; rep++) {
            double phi = planted ? 0.08 : 0.0, beta = planted ? -0.04 : 0.0;
            char codes[9][64];
            coverage_city(s, rng, phi, beta, codes);
            const char *fc[9];
            for (int g = 0; g < 9; g++)
                fc[g] = codes[g];
            lb_waterbed_options o;
            lb_waterbed_options_init(&o);
            o.focus_codes = fc;
            o.n_focus_codes = 9;
            o.rings_m = rings;
            o.n_rings = 2;
            o.adjacency_orders = 2;
            o.rigo = 0;
            o.n_placebo = 0;
            o.n_boot = 399;
            o.seed = (unsigned long)(1000 * planted + rep + 1);
            o.pooled_fe = rep % 2 ? LB_WB_FE_NONE : LB_WB_FE_FOCUS;
            o.boot_weights = (rep / 2) % 2 ? LB_WB_BOOT_WEBB : LB_WB_BOOT_RADEMACHER;
            wb_result *r = NULL;
            assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
            assert_int_equal(r->cluster, LB_WB_CLUSTER_GEMEENTE);
            const wb_pooled *ring = find_pooled(r, LB_WB_POOLED_RING, 0),
                            *adj = find_pooled(r, LB_WB_POOLED_ADJ, 0);
            assert_non_null(ring);
            assert_non_null(adj);
            assert_int_equal(ring->n_clusters, 9);
            const wb_pooled_term *t[3] = {find_term(ring, "ring_0_250"), find_term(adj, "adj_1"),
                                          find_term(ring, "focus")};
            const double truth[3] = {beta, beta, phi};
            for (int k = 0; k < 3; k++) {
                assert_non_null(t[k]);
                assert_true(t[k]->ci_low < t[k]->estimate && t[k]->estimate < t[k]->ci_high);
                miss[planted][k] += !(t[k]->ci_low <= truth[k] && truth[k] <= t[k]->ci_high);
            }
            width += t[0]->ci_high - t[0]->ci_low;
            tested++;
            wb_result_destroy(r);
        }
    size_t total = 0;
    for (int planted = 0; planted < 2; planted++) {
        print_message("%s cities: misses ring_0_250 %zu, adj_1 %zu, focus %zu of %d each\n",
                      planted ? "planted" : "null", miss[planted][0], miss[planted][1],
                      miss[planted][2], REPS);
        total += miss[planted][0] + miss[planted][1] + miss[planted][2];
    }
    print_message("coverage %.3f over %zu intervals; mean ring_0_250 width %.4f\n",
                  1.0 - (double)total / (double)(3 * tested), 3 * tested, width / (double)tested);
    assert_true(total >= 14 && total <= 42);
    gsl_rng_free(rng);
    set_free(s);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wbstats_fe_closed_form),
        cmocka_unit_test(test_wbstats_weight_moments),
        cmocka_unit_test(test_wbstats_ci_inversion),
        cmocka_unit_test(test_wbstats_p_text),
        cmocka_unit_test(test_wbstats_pooled_town),
        cmocka_unit_test(test_wbstats_plain_matched),
        cmocka_unit_test(test_wbstats_quantile_breaks),
        cmocka_unit_test(test_wbstats_bh_family),
        cmocka_unit_test(test_wbstats_placebo_periods),
        cmocka_unit_test(test_wbstats_ci_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
