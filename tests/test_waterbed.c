/* SPDX-License-Identifier: MIT */
/* Waterbed analysis: published worked examples (WDQ, WDD, BH), every zone statistic on a
 * hand-made strip, zone geometry against hand distances, the regression and its bootstrap
 * against brute-force refits, placebo size on null data, and the demo city's planted effect. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include "../src/core/ctx.h"
#include "../src/waterbed/wb.h"
#include "../src/pipeline/demo.h"

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>
#include <string.h>

/* ---- building scored units in memory ---- */

static unsigned char *rect_wkb(double x0, double y0, double x1, double y1, size_t *size)
{
    /* little-endian WKB polygon with one ring of 5 points */
    size_t n = 1 + 4 + 4 + 4 + 5 * 16;
    unsigned char *b = malloc(n);
    assert_non_null(b);
    unsigned char *p = b;
    *p++ = 1;
    uint32_t type = 3, rings = 1, pts = 5;
    memcpy(p, &type, 4);
    p += 4;
    memcpy(p, &rings, 4);
    p += 4;
    memcpy(p, &pts, 4);
    p += 4;
    const double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    memcpy(p, xy, sizeof(xy));
    *size = n;
    return b;
}

static const double default_thresholds[LB_N_THRESHOLDS] = {3.46,   3.557,  3.6955, 3.8971,
                                                           3.9972, 4.1924, 4.3044, 4.3926};

/* A set of n rectangular units over n_years years with n_dims dimensions; values and weights
 * are filled by the caller: value[(t * n_out + k) * n + u], weight[t * n + u]. */
static lb_scoreset *set_new(size_t n, size_t n_years, const int *years, size_t n_dims)
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
    s->n_dims = n_dims;
    s->dim_code = calloc(n_dims ? n_dims : 1, sizeof(char *));
    for (size_t d = 0; d < n_dims; d++) {
        static const char *const codes[] = {"won", "pub", "vrz", "bev", "soc", "vei"};
        s->dim_code[d] = lb_core_strdup(codes[d % 6]);
    }
    s->n_years = n_years;
    s->years = malloc(n_years * sizeof(int));
    memcpy(s->years, years, n_years * sizeof(int));
    s->n_out = 2 + n_dims;
    s->value = malloc(n_years * s->n_out * n * sizeof(double));
    for (size_t i = 0; i < n_years * s->n_out * n; i++)
        s->value[i] = NAN;
    s->weight = malloc(n_years * n * sizeof(double));
    for (size_t i = 0; i < n_years * n; i++)
        s->weight[i] = NAN;
    s->weight_name = lb_core_strdup("inhabitants");
    s->ref = 4.1;
    memcpy(s->thresholds, default_thresholds, sizeof(default_thresholds));
    for (size_t u = 0; u < n; u++) {
        s->geom->fid[u] = (int64_t)u;
        s->geom_row[u] = u;
    }
    return s;
}

static void set_unit(lb_scoreset *s, size_t u, const char *id, const char *gm, const char *wk,
                     double x0, double y0, double x1, double y1)
{
    s->id[u] = lb_core_strdup(id);
    s->gm_code[u] = gm ? lb_core_strdup(gm) : NULL;
    s->wk_code[u] = wk ? lb_core_strdup(wk) : NULL;
    s->geom->wkb[u] = rect_wkb(x0, y0, x1, y1, &s->geom->wkb_size[u]);
}

static void set_value(lb_scoreset *s, size_t t, size_t k, size_t u, double v)
{
    s->value[(t * s->n_out + k) * s->n_units + u] = v;
}

static void set_free(lb_scoreset *s)
{
    if (!s)
        return;
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
    for (size_t d = 0; d < s->n_dims; d++)
        free(s->dim_code[d]);
    free(s->dim_code);
    free(s->years);
    free(s->value);
    free(s->weight);
    free(s->weight_name);
    free(s->description);
    free(s);
}

/* ---- published worked examples ---- */

/* Guerette (2009), POP Center tool guide 10, Appendix D (Lancashire, "MOPPIN up Dodge"):
 * response area 207 before, 110 after; buffer 178 / 157; control 308 / 318. The guide prints
 * WDQ = .411, but its own formula (Appendix B, Bowers & Johnson 2003),
 * (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb) = (157/318 − 178/308) / (110/318 − 207/308), gives 0.258.
 * Its GE (97), NE (.326) and TNE (130.5) agree with the formulas. */
static void test_waterbed_wdq_pop_guide(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_wdq_result r;
    assert_int_equal(lb_wdq_counts(ctx, 207, 110, 178, 157, 308, 318, &r), LB_OK);
    assert_near(r.wdq, 0.258, 5e-4);
    assert_near(r.wdq, (157.0 / 318 - 178.0 / 308) / (110.0 / 318 - 207.0 / 308), 1e-15);
    assert_near(r.gross_effect, 97.0, 1e-12);
    assert_near(r.net_effect, 0.326, 5e-4);
    assert_near(r.total_net, 130.5, 0.05);
    assert_true(r.success < 0.0); /* the response worked */
    assert_true(r.buffer < 0.0);  /* crime fell in the buffer too: diffusion of benefits */
    /* bad input names the counts */
    assert_int_equal(lb_wdq_counts(ctx, 1, 1, 1, 1, 0, 1, &r), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "Cb=0"));
    lb_ctx_destroy(ctx);
}

/* Wheeler & Ratcliffe (2018) as worked in Wheeler's note on unequal periods: treated 80 before
 * and 20 after, control 100 before and 50 after: (20 − 80) − (50 − 100) = −10 with Poisson
 * variance 20 + 80 + 50 + 100 = 250 (the only reading of "80/20 treated, 100/50 control" that
 * gives both numbers). With two pre years as per-year counts: −20, variance 115. */
static void test_waterbed_wdd_wheeler_ratcliffe(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const double t[2] = {80, 20}, c[2] = {100, 50};
    lb_wdd_result r;
    assert_int_equal(lb_wdd(ctx, t, c, NULL, NULL, 1.0, 1.0, &r), LB_OK);
    assert_near(r.estimate, -10.0, 1e-12);
    assert_near(r.variance, 250.0, 1e-12);
    assert_near(r.se, sqrt(250.0), 1e-12);
    assert_near(r.z, -10.0 / sqrt(250.0), 1e-12);
    assert_int_equal(lb_wdd(ctx, t, c, NULL, NULL, 2.0, 1.0, &r), LB_OK);
    assert_near(r.estimate, -20.0, 1e-12);
    assert_near(r.variance, 115.0, 1e-12);
    /* displacement areas enter with their own control: + ΔD − ΔCD */
    const double dd[2] = {30, 40}, dc[2] = {60, 60};
    assert_int_equal(lb_wdd(ctx, t, c, dd, dc, 1.0, 1.0, &r), LB_OK);
    assert_near(r.estimate, -10.0 + 10.0 - 0.0, 1e-12);
    assert_near(r.variance, 250.0 + 70.0 + 120.0, 1e-12);
    assert_int_equal(lb_wdd(ctx, t, c, NULL, NULL, 0.0, 1.0, &r), LB_ERR_ARG);
    lb_ctx_destroy(ctx);
}

/* Benjamini & Hochberg (1995), section 4: 15 p-values; at q = 0.05 the step-up procedure
 * rejects the four smallest. The adjusted values are min_{j>=i} p_(j)·15/j, worked by hand. */
static void test_waterbed_bh_textbook(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const double p[15] = {0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                          0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000};
    const double want[15] = {0.0015,       0.003,        0.0095,       0.035625,     0.0603,
                             0.0638571429, 0.0638571429, 0.0645,       0.0765,       0.486,
                             0.5811818182, 0.714875,     0.7532307692, 0.8132142857, 1.0};
    /* shuffled order with two NaNs that stay out of the family */
    const size_t perm[15] = {7, 2, 14, 0, 9, 4, 12, 1, 11, 5, 3, 13, 8, 10, 6};
    double pin[17], q[17];
    for (size_t i = 0; i < 15; i++)
        pin[i] = p[perm[i]];
    pin[15] = NAN;
    pin[16] = NAN;
    assert_int_equal(lb_bh_qvalues(ctx, pin, 17, q), LB_OK);
    size_t rejected = 0;
    for (size_t i = 0; i < 15; i++) {
        assert_near(q[i], want[perm[i]], 1e-9);
        rejected += q[i] <= 0.05;
    }
    assert_int_equal(rejected, 4);
    assert_true(isnan(q[15]) && isnan(q[16]));
    pin[0] = 1.5;
    assert_int_equal(lb_bh_qvalues(ctx, pin, 17, q), LB_ERR_ARG);
    lb_ctx_destroy(ctx);
}

/* ---- statistics kernels ---- */

static void test_waterbed_ctrl_reweighting(void **state)
{
    (void)state;
    /* zone: class 3 weight 2, class 5 weight 1; control means by class: 3 → −0.1, 5 → 0.2,
     * 7 → 1.0 (ignored: the zone has no class 7). Re-weighted: 2/3·(−0.1) + 1/3·0.2 = 0. */
    wb_acc z, c;
    memset(&z, 0, sizeof(z));
    memset(&c, 0, sizeof(c));
    wb_acc_add(&z, 3, 2.0, 0.5);
    wb_acc_add(&z, 5, 1.0, 0.5);
    wb_acc_add(&c, 3, 1.0, -0.1);
    wb_acc_add(&c, 3, 3.0, -0.1);
    wb_acc_add(&c, 5, 2.0, 0.2);
    wb_acc_add(&c, 7, 10.0, 1.0);
    assert_near(wb_ctrl_delta(&z, &c, 1), 0.0, 1e-15);
    /* the raw control mean would be (−0.4 + 0.4 + 10)/16 = 0.625 */
    assert_near(wb_acc_mean(&c), 10.0 / 16.0, 1e-15);
    /* a zone class the control lacks borrows the nearest class (4 → 3 on a tie with 5) */
    wb_acc z4, z9, z5, e;
    memset(&z4, 0, sizeof(z4));
    memset(&z9, 0, sizeof(z9));
    memset(&z5, 0, sizeof(z5));
    memset(&e, 0, sizeof(e));
    wb_acc_add(&z4, 4, 1.0, 0.0);
    assert_near(wb_ctrl_delta(&z4, &c, 1), -0.1, 1e-15);
    wb_acc_add(&z9, 9, 1.0, 0.0);
    assert_near(wb_ctrl_delta(&z9, &c, 1), 1.0, 1e-15);
    /* at least 2 control units per window: class 5 has one unit, so [5,5] widens to [4,5]
     * (still one), [4,6] (one), [3,6] (three): (4·(−0.1) + 2·0.2)/(4 + 2) = 0 */
    wb_acc_add(&z5, 5, 1.0, 0.0);
    assert_near(wb_ctrl_delta(&z5, &c, 1), 0.2, 1e-15);
    assert_near(wb_ctrl_delta(&z5, &c, 2), 0.0, 1e-15);
    /* more units than the control has: every class, (−0.4 + 0.4 + 10)/16 */
    assert_near(wb_ctrl_delta(&z5, &c, 99), 10.0 / 16.0, 1e-15);
    /* empty control or zone: NaN */
    assert_true(isnan(wb_ctrl_delta(&z, &e, 1)));
    assert_true(isnan(wb_ctrl_delta(&e, &c, 1)));
    /* WDQ analogue only where the focus area improved */
    assert_near(wb_wdq_scores(-0.05, 0.2), -0.25, 1e-15);
    assert_true(isnan(wb_wdq_scores(-0.05, -0.2)));
    assert_true(isnan(wb_wdq_scores(-0.05, 0.0)));
}

/* The hand-made strip: six 100 m squares in a row, U0 the focus area (by code). Distances
 * from U0: U1 0 m (touching), U2 100, U3 200, U4 300, U5 400. Rings 150 and 250 m:
 * ring_0_150 = {U1, U2}, ring_150_250 = {U3}, far control = {U4, U5}; adjacency: U1 order 1,
 * U2 order 2; RIGO (one gemeente): adjacent U1, rest of city U2..U5.
 *
 *   unit  w    lbm 2020→2022   class   won 2020→2022
 *   U0   100   3.70 → 3.90     4 zwak   0.00 →  0.05
 *   U1   200   3.80 → 3.68     4        0.01 → −0.02
 *   U2   100   4.00 → 3.98     6        0.02 →  0.02
 *   U3   300   3.85 → 3.80     4       −0.01 → −0.03
 *   U4   100   3.75 → 3.77     4        0.00 →  0.01
 *   U5   100   4.05 → 4.04     6        0.03 →  0.02
 *
 * lbm: trend = (100·0.2 − 200·0.12 − 100·0.02 − 300·0.05 + 100·0.02 − 100·0.01)/900 = −0.02/0.9
 * = −0.0222…; sd = sqrt(Σw(Δ−trend)²/Σw) = 0.0899108.
 * ring_0_150: mean_t0 = (200·3.80 + 100·4.00)/300 = 3.86667, mean_t1 = (200·3.68 + 100·3.98)/300
 * = 3.78, delta = −0.08667, rel_delta = delta − trend = −0.06444; control class 4 = U4 (+0.02),
 * class 6 = U5 (−0.01), zone mix 2/3 class 4, 1/3 class 6: delta_ctrl = 0.01; did = −0.09667;
 * lagging (d < −sd): U1 (d = −0.0978) → share 200/300; receiving (class ≤ 4): U1; z(d) of U1 =
 * −1.088 < −0.5 → n_k2 = 1. Focus: delta 0.2, ctrl (class 4) 0.02, did_focus 0.18,
 * wdq = −0.09667/0.18 = −0.53704. */
static lb_scoreset *strip_set(void)
{
    const int years[2] = {2020, 2022};
    lb_scoreset *s = set_new(6, 2, years, 1);
    const double w[6] = {100, 200, 100, 300, 100, 100};
    const double l0[6] = {3.70, 3.80, 4.00, 3.85, 3.75, 4.05};
    const double l1[6] = {3.90, 3.68, 3.98, 3.80, 3.77, 4.04};
    const double w0[6] = {0.00, 0.01, 0.02, -0.01, 0.00, 0.03};
    const double w1[6] = {0.05, -0.02, 0.02, -0.03, 0.01, 0.02};
    for (size_t u = 0; u < 6; u++) {
        char id[8];
        snprintf(id, sizeof(id), "U%zu", u);
        set_unit(s, u, id, "GM0001", "WK000101", 100.0 * (double)u, 0.0, 100.0 * (double)(u + 1),
                 100.0);
        for (size_t t = 0; t < 2; t++) {
            double l = t ? l1[u] : l0[u];
            set_value(s, t, LB_OUT_LBM, u, l);
            set_value(s, t, LB_OUT_AFW, u, l - 4.1);
            set_value(s, t, LB_OUT_DIM0, u, t ? w1[u] : w0[u]);
            s->weight[t * 6 + u] = w[u];
        }
    }
    return s;
}

static void strip_options(lb_waterbed_options *o, const char *const *codes)
{
    static const double rings[2] = {150.0, 250.0};
    lb_waterbed_options_init(o);
    o->focus_codes = codes;
    o->n_focus_codes = 1;
    o->rings_m = rings;
    o->n_rings = 2;
    o->adjacency_orders = 2;
    o->k2 = 0.5;
    o->min_control = 1; /* the far control has two units: each class stands alone */
    o->n_placebo = 0;
    o->n_boot = 0;
}

static void check_row(const wb_result *r, const char *zone, const char *outcome, size_t n,
                      double wsum, double m0, double m1, double delta, double rel, double ctrl,
                      double did, double k1, size_t recv, size_t k2, double wdq)
{
    const wb_row *w = wb_result_row(r, "F", zone, outcome, 2020, 2022);
    assert_non_null(w);
    assert_int_equal(w->st.n, n);
    assert_near(w->st.wsum, wsum, 1e-9);
    assert_near(w->st.mean0, m0, 1e-12);
    assert_near(w->st.mean1, m1, 1e-12);
    assert_near(w->st.delta, delta, 1e-12);
    assert_near(w->st.rel_delta, rel, 1e-12);
    if (isnan(ctrl)) {
        assert_true(isnan(w->st.delta_ctrl) && isnan(w->st.did));
    } else {
        assert_near(w->st.delta_ctrl, ctrl, 1e-12);
        assert_near(w->st.did, did, 1e-12);
    }
    assert_near(w->st.share_k1, k1, 1e-12);
    assert_int_equal(w->st.n_receiving, recv);
    assert_int_equal(w->st.n_k2, k2);
    if (isnan(wdq))
        assert_true(isnan(w->wdq));
    else
        assert_near(w->wdq, wdq, 1e-9);
}

static void test_waterbed_strip_by_hand(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = strip_set();
    const char *codes[] = {"F=U0"};
    lb_waterbed_options o;
    strip_options(&o, codes);
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_data *d = r->data;
    /* zones */
    const int ring[6] = {-1, 0, 0, 1, -1, -1}, adj[6] = {0, 1, 2, 0, 0, 0};
    const unsigned char beyond[6] = {0, 0, 0, 0, 1, 1};
    /* distances are exact also beyond the reach of the zones (the last ring): U4 and U5 lie
     * 300 and 400 m from U0 (they were once ∞, and distance_m empty) */
    const double dist[6] = {0, 0, 100, 200, 300, 400};
    for (size_t u = 0; u < 6; u++) {
        assert_int_equal(d->ring[u], ring[u]);
        assert_int_equal(d->adj[u], adj[u]);
        assert_int_equal(d->beyond[u], beyond[u]);
        if (u > 0)
            assert_near(d->near_d[u], dist[u], 1e-9);
    }
    assert_int_equal(d->focus[0].n_members, 1);
    assert_int_equal(r->n_panels, 1); /* two years: no pre-trend period */
    assert_string_equal(r->weight_used, "inhabitants");
    /* every statistic (see the table above); NaN delta_ctrl means no DiD for the control */
    check_row(r, "focus", "lbm", 1, 100, 3.7, 3.9, 0.2, 0.222222222222222, 0.02, 0.18, 0, 1, 0,
              NAN);
    check_row(r, "ring_0_150", "lbm", 2, 300, 3.86666666666667, 3.78, -0.0866666666666669,
              -0.0644444444444442, 0.0100000000000001, -0.096666666666667, 0.666666666666667, 1, 1,
              -0.5370370370370395);
    check_row(r, "ring_150_250", "lbm", 1, 300, 3.85, 3.8, -0.05, -0.027777777777778, 0.02, -0.07,
              0, 1, 0, -0.38888888888889106);
    check_row(r, "adj_1", "lbm", 1, 200, 3.8, 3.68, -0.12, -0.0977777777777774, 0.02, -0.14, 1, 1,
              1, -0.7777777777777772);
    check_row(r, "adj_2", "lbm", 1, 100, 4.0, 3.98, -0.02, 0.00222222222222223, -0.01, -0.01, 0, 0,
              0, -0.055555555555556926);
    check_row(r, "rigo_adjacent", "lbm", 1, 200, 3.8, 3.68, -0.12, -0.0977777777777774, 0.02, -0.14,
              1, 1, 1, -0.7777777777777772);
    check_row(r, "rigo_city", "lbm", 4, 600, 3.89166666666667, 3.865, -0.0266666666666664,
              -0.00444444444444451, 0.0100000000000001, -0.0366666666666665, 0, 2, 0,
              -0.20370370370370294);
    check_row(r, "far", "lbm", 2, 200, 3.9, 3.905, 0.005, 0.0272222222222224, NAN, NAN, 0, 1, 0,
              NAN);
    check_row(r, "ring_0_150", "won", 2, 300, 0.0133333333333333, -0.00666666666666667, -0.02,
              -0.0122222222222222, 0.00333333333333333, -0.0233333333333333, 0, 1, 1,
              -0.5833333333333334);
    check_row(r, "adj_2", "won", 1, 100, 0.02, 0.02, 0, 0.00777777777777778, -0.01, 0.01, 0, 0, 0,
              0.24999999999999994);
    check_row(r, "focus", "won", 1, 100, 0, 0.05, 0.05, 0.0577777777777778, 0.01, 0.04, 0, 1, 0,
              NAN);
    const wb_row *w = wb_result_row(r, "F", "ring_0_150", "lbm", 2020, 2022);
    assert_near(w->trend, -0.0222222222222222, 1e-12);
    assert_near(w->sd, 0.0899107925517506, 1e-12);
    assert_near(w->did_focus, 0.18, 1e-12);
    assert_true(isnan(w->p_one)); /* no placebos asked */
    /* rigo_region is empty (one gemeente): NaN means, 0 units */
    w = wb_result_row(r, "F", "rigo_region", "lbm", 2020, 2022);
    assert_non_null(w);
    assert_int_equal(w->st.n, 0);
    assert_true(isnan(w->st.delta));
    wb_result_destroy(r);

    /* unit weights: ring_0_150 mean_t0 = (3.80 + 4.00)/2 */
    o.weight = LB_WB_WEIGHT_UNIT;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_string_equal(r->weight_used, "unit");
    w = wb_result_row(r, "F", "ring_0_150", "lbm", 2020, 2022);
    assert_near(w->st.mean0, 3.9, 1e-12);
    assert_near(w->st.wsum, 2.0, 1e-12);
    wb_result_destroy(r);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* Masks, the 50 % rule on a focus polygon, centroid distances and option errors. */
static void test_waterbed_strip_options(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = strip_set();
    const char *codes[] = {"F=U0"}, *mask[] = {"U4"};
    lb_waterbed_options o;
    strip_options(&o, codes);
    o.mask_codes = mask;
    o.n_mask_codes = 1;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    /* U4 masked: the far control is U5 alone, which is class 6; class-4 zones borrow it */
    const wb_row *w = wb_result_row(r, "F", "far", "lbm", 2020, 2022);
    assert_int_equal(w->st.n, 1);
    w = wb_result_row(r, "F", "ring_150_250", "lbm", 2020, 2022);
    assert_near(w->st.delta_ctrl, -0.01, 1e-12);
    /* the masked unit is out of the regional trend too: (20 − 24 − 2 − 15 − 1)/800 */
    assert_near(w->trend, -22.0 / 800.0, 1e-12);
    assert_int_equal(r->data->masked[4], 1);
    wb_result_destroy(r);

    /* centroid distances: U1's centroid is 50 m from U0, U2's 150, U3's 250, U4's 350 */
    o.n_mask_codes = 0;
    o.distance = LB_WB_DIST_CENTROID;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_near(r->data->near_d[1], 50.0, 1e-9);
    assert_near(r->data->near_d[3], 250.0, 1e-9);
    assert_int_equal(r->data->ring[2], 0); /* 150 ≤ 150 */
    assert_int_equal(r->data->ring[3], 1);
    assert_int_equal(r->data->beyond[4], 1);
    wb_result_destroy(r);

    /* unknown codes: an error naming the units' ids */
    const char *bad[] = {"X=NOPE|NADA"};
    o.focus_codes = bad;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no focus area matches"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "U0"));
    /* bad rings, periods, placebo counts */
    static const double desc[2] = {500.0, 250.0};
    o.focus_codes = codes;
    o.rings_m = desc;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "ascending"));
    strip_options(&o, codes);
    const lb_wb_period per = {2020, 2021};
    o.periods = &per;
    o.n_periods = 1;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "2020, 2022"));
    strip_options(&o, codes);
    o.n_placebo = 5;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_ARG);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* ---- geometry ---- */

static void test_waterbed_zone_geometry(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* a 4 × 4 grid of 100 m squares; unit (i, j) at x = 100 i, y = 100 j */
    const int years[2] = {2020, 2022};
    lb_scoreset *s = set_new(16, 2, years, 0);
    for (size_t u = 0; u < 16; u++) {
        char id[8];
        snprintf(id, sizeof(id), "G%zu", u);
        double x = 100.0 * (double)(u % 4), y = 100.0 * (double)(u / 4);
        set_unit(s, u, id, NULL, NULL, x, y, x + 100.0, y + 100.0);
    }
    lb_zunits *zu = NULL;
    assert_int_equal(lb_zunits_create(ctx, s->geom, s->geom_row, 16, &zu), LB_OK);
    lb_zgraph *g = NULL;
    assert_int_equal(lb_zgraph_create(ctx, zu, 150.0, 1, &g), LB_OK);
    /* brute force: polygon distance of squares (i,j), (k,l) = hypot of the gaps; rows asked in
     * a scattered order, so that some are filled from rows measured before */
    for (size_t step = 0; step < 16; step++) {
        size_t a = (step * 7) % 16;
        lb_zrow row;
        assert_int_equal(lb_zgraph_row(ctx, g, a, &row), LB_OK);
        size_t cnt = 0;
        for (size_t b = 0; b < 16; b++) {
            if (a == b)
                continue;
            double gx = fmax(0.0, 100.0 * (fabs((double)(a % 4) - (double)(b % 4)) - 1.0));
            double gy = fmax(0.0, 100.0 * (fabs((double)(a / 4) - (double)(b / 4)) - 1.0));
            double dd = hypot(gx, gy);
            if (dd > 150.0)
                continue;
            cnt++;
            int found = 0;
            for (size_t e = 0; e < row.n; e++)
                if (row.nb[e] == b) {
                    found = 1;
                    assert_near(row.d[e], dd, 1e-9);
                    /* centroid of b to polygon a, and of a to polygon b */
                    double cx = 100.0 * (double)(b % 4) + 50.0, cy = 100.0 * (double)(b / 4) + 50.0;
                    double ax0 = 100.0 * (double)(a % 4), ay0 = 100.0 * (double)(a / 4);
                    double ex = fmax(0.0, fmax(ax0 - cx, cx - ax0 - 100.0));
                    double ey = fmax(0.0, fmax(ay0 - cy, cy - ay0 - 100.0));
                    assert_near(row.dc[e], hypot(ex, ey), 1e-9);
                    assert_near(row.dci[e], hypot(ex, ey), 1e-9); /* squares: symmetric */
                }
            assert_true(found);
        }
        assert_int_equal(row.n, cnt);
        for (size_t e = 1; e < row.n; e++)
            assert_true(row.nb[e] > row.nb[e - 1]);
    }
    assert_int_equal(lb_zgraph_rows_done(g), 16);
    /* an area covering the left half of the grid plus 30 m: shares 1 and 0.3 */
    size_t sz = 0;
    unsigned char *area = rect_wkb(0.0, 0.0, 230.0, 400.0, &sz);
    double dp[16], dc[16], sh[16];
    assert_int_equal(lb_zunits_to_area(ctx, zu, area, sz, 1000.0, dp, dc, sh), LB_OK);
    for (size_t u = 0; u < 16; u++) {
        size_t i = u % 4;
        double want_share = i < 2 ? 1.0 : (i == 2 ? 0.3 : 0.0);
        double want_d = i == 3 ? 70.0 : 0.0;
        assert_near(sh[u], want_share, 1e-9);
        assert_near(dp[u], want_d, 1e-9);
        assert_near(dc[u], i == 3 ? 120.0 : (i == 2 ? 20.0 : 0.0), 1e-9);
    }
    /* reach: beyond 50 m nothing is measured */
    assert_int_equal(lb_zunits_to_area(ctx, zu, area, sz, 50.0, dp, dc, sh), LB_OK);
    assert_true(isinf(dp[3]));
    free(area);
    /* an area far from every unit: the query finds nothing (this once passed NULL to qsort,
     * which the UBSan build reports) and nothing is measured */
    area = rect_wkb(90000.0, 90000.0, 90100.0, 90100.0, &sz);
    assert_int_equal(lb_zunits_to_area(ctx, zu, area, sz, 50.0, dp, dc, sh), LB_OK);
    for (size_t u = 0; u < 16; u++) {
        assert_true(isinf(dp[u]) && isinf(dc[u]));
        assert_near(sh[u], 0.0, 0);
    }
    free(area);
    /* union of a 2 × 2 block: 40000 m2 */
    const size_t block[4] = {5, 6, 9, 10};
    unsigned char *wkb = NULL;
    double a2 = 0.0, cx = 0.0, cy = 0.0;
    assert_int_equal(lb_zunits_union(ctx, zu, block, 4, &wkb, &sz, &a2), LB_OK);
    assert_near(a2, 40000.0, 1e-6);
    assert_int_equal(lb_geom_wkb_area_centroid(ctx, wkb, sz, &a2, &cx, &cy), LB_OK);
    assert_near(cx, 200.0, 1e-9);
    assert_near(cy, 200.0, 1e-9);
    free(wkb);
    lb_zgraph_destroy(g);
    lb_zunits_destroy(zu);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* ---- regression ---- */

/* Brute force: refit y* = ŷ_r + v_g ũ with GSL directly and compute the CR1 t of coefficient
 * j from scratch; the restricted fit by dropping the column. */
static double brute_tstar(const double *X, const double *y, const double *w, const size_t *cl,
                          size_t n, size_t p, size_t j, const double *v, size_t G)
{
    gsl_matrix *A = gsl_matrix_alloc(n, p), *Ar = gsl_matrix_alloc(n, p - 1);
    gsl_matrix *cov = gsl_matrix_alloc(p, p), *covr = gsl_matrix_alloc(p - 1, p - 1);
    gsl_vector *yv = gsl_vector_alloc(n), *wv = gsl_vector_alloc(n), *c = gsl_vector_alloc(p),
               *cr = gsl_vector_alloc(p - 1);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p),
                                  *wr = gsl_multifit_linear_alloc(n, p - 1);
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0, b = 0; a < p; a++) {
            gsl_matrix_set(A, i, a, X[i * p + a]);
            if (a != j)
                gsl_matrix_set(Ar, i, b++, X[i * p + a]);
        }
        gsl_vector_set(yv, i, y[i]);
        gsl_vector_set(wv, i, w[i]);
    }
    double chisq;
    gsl_multifit_wlinear(Ar, wv, yv, cr, covr, &chisq, wr);
    double *ys = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double f = 0.0;
        for (size_t a = 0, b = 0; a < p; a++)
            if (a != j)
                f += X[i * p + a] * gsl_vector_get(cr, b++);
        ys[i] = f + v[cl[i]] * (y[i] - f);
        gsl_vector_set(yv, i, ys[i]);
    }
    gsl_multifit_wlinear(A, wv, yv, c, cov, &chisq, ws);
    double ss = 0.0;
    for (size_t g = 0; g < G; g++) {
        double sc = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (cl[i] != g)
                continue;
            double f = 0.0, cx = 0.0;
            for (size_t a = 0; a < p; a++) {
                f += X[i * p + a] * gsl_vector_get(c, a);
                cx += gsl_matrix_get(cov, j, a) * X[i * p + a];
            }
            sc += w[i] * cx * (ys[i] - f);
        }
        ss += sc * sc;
    }
    double adj = (double)G / (double)(G - 1) * (double)(n - 1) / (double)(n - p);
    double t = gsl_vector_get(c, j) / sqrt(adj * ss);
    free(ys);
    gsl_matrix_free(A);
    gsl_matrix_free(Ar);
    gsl_matrix_free(cov);
    gsl_matrix_free(covr);
    gsl_vector_free(yv);
    gsl_vector_free(wv);
    gsl_vector_free(c);
    gsl_vector_free(cr);
    gsl_multifit_linear_free(ws);
    gsl_multifit_linear_free(wr);
    return t;
}

static void test_waterbed_wcr_bootstrap(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* y = 1 + 0.5 x1 − 0.2 d + noise, 6 clusters of 8 observations, weights 1..4 */
    enum { N = 48, P = 3, G = 6 };
    double X[N * P], y[N], w[N];
    size_t cl[N];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    for (size_t i = 0; i < N; i++) {
        double x1 = gsl_rng_uniform(rng), dm = (double)(i % 3 == 0);
        X[i * P] = 1.0;
        X[i * P + 1] = x1;
        X[i * P + 2] = dm;
        cl[i] = i / 8;
        w[i] = 1.0 + (double)(i % 4);
        y[i] = 1.0 + 0.5 * x1 - 0.2 * dm + gsl_ran_gaussian(rng, 0.3) + 0.2 * (double)(cl[i] % 2);
    }
    /* the estimate equals GSL's weighted fit */
    wb_wls_test t;
    assert_int_equal(wb_wls_wcr(ctx, X, y, w, cl, N, P, 2, 0, 1, &t), LB_OK);
    {
        gsl_matrix *A = gsl_matrix_alloc(N, P), *cov = gsl_matrix_alloc(P, P);
        gsl_vector *yv = gsl_vector_alloc(N), *wv = gsl_vector_alloc(N), *c = gsl_vector_alloc(P);
        gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(N, P);
        for (size_t i = 0; i < N; i++) {
            for (size_t a = 0; a < P; a++)
                gsl_matrix_set(A, i, a, X[i * P + a]);
            gsl_vector_set(yv, i, y[i]);
            gsl_vector_set(wv, i, w[i]);
        }
        double chisq;
        gsl_multifit_wlinear(A, wv, yv, c, cov, &chisq, ws);
        assert_near(t.estimate, gsl_vector_get(c, 2), 1e-12);
        gsl_matrix_free(A);
        gsl_matrix_free(cov);
        gsl_vector_free(yv);
        gsl_vector_free(wv);
        gsl_vector_free(c);
        gsl_multifit_linear_free(ws);
    }
    assert_true(isnan(t.p_two));
    /* t* for a sign vector matches a brute-force refit */
    double v[G];
    for (unsigned mask = 0; mask < (1u << G); mask += 7) {
        for (size_t g = 0; g < G; g++)
            v[g] = (mask >> g) & 1u ? -1.0 : 1.0;
        double ts = 0.0;
        assert_int_equal(wb_wls_wcr_tstar(ctx, X, y, w, cl, N, P, 2, v, &ts), LB_OK);
        assert_near(ts, brute_tstar(X, y, w, cl, N, P, 2, v, G), 1e-9);
    }
    /* every observation its own cluster: the bootstrap then works row by row (cheaper than by
     * cluster when clusters are many); the same brute-force check */
    size_t cl1[N];
    double v1[N];
    for (size_t i = 0; i < N; i++)
        cl1[i] = i;
    for (int rep = 0; rep < 5; rep++) {
        for (size_t i = 0; i < N; i++)
            v1[i] = gsl_rng_uniform(rng) < 0.5 ? -1.0 : 1.0;
        double ts = 0.0;
        assert_int_equal(wb_wls_wcr_tstar(ctx, X, y, w, cl1, N, P, 2, v1, &ts), LB_OK);
        assert_near(ts, brute_tstar(X, y, w, cl1, N, P, 2, v1, N), 1e-9);
    }
    /* the bootstrap p-value against full enumeration of the 2^6 sign vectors: with 19999
     * draws the Monte Carlo error of p is below 0.004 (sd); allow 0.02 */
    size_t ge = 0, le = 0;
    for (unsigned mask = 0; mask < (1u << G); mask++) {
        for (size_t g = 0; g < G; g++)
            v[g] = (mask >> g) & 1u ? -1.0 : 1.0;
        double ts = brute_tstar(X, y, w, cl, N, P, 2, v, G);
        ge += fabs(ts) >= fabs(t.t);
        le += ts <= t.t;
    }
    assert_int_equal(wb_wls_wcr(ctx, X, y, w, cl, N, P, 2, 19999, 7, &t), LB_OK);
    assert_near(t.p_two, (double)ge / 64.0, 0.02);
    assert_near(t.p_one, (double)le / 64.0, 0.02);
    /* seeded: the same seed gives the same p */
    wb_wls_test t2;
    assert_int_equal(wb_wls_wcr(ctx, X, y, w, cl, N, P, 2, 19999, 7, &t2), LB_OK);
    assert_true(t.p_two == t2.p_two && t.p_one == t2.p_one);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

/* ---- placebo size on null data ---- */

/* A side × side grid of 200 m squares in one gemeente, units C000, C001, ... row by row. */
static lb_scoreset *grid_set(size_t side)
{
    const int years[2] = {2020, 2022};
    lb_scoreset *s = set_new(side * side, 2, years, 0);
    for (size_t u = 0; u < side * side; u++) {
        char id[12];
        snprintf(id, sizeof(id), "C%03zu", u);
        double x = 200.0 * (double)(u % side), y = 200.0 * (double)(u / side);
        set_unit(s, u, id, "GM0001", NULL, x, y, x + 200.0, y + 200.0);
    }
    return s;
}

/* New null data: lbm 4 ± 0.15 at t0, Δ independent N(0, 0.05) (no effect anywhere), weights
 * uniform in 500..2500. */
static void null_draw(lb_scoreset *s, gsl_rng *rng)
{
    size_t n = s->n_units;
    for (size_t u = 0; u < n; u++) {
        double l0 = 4.0 + gsl_ran_gaussian(rng, 0.15);
        double dl = gsl_ran_gaussian(rng, 0.05);
        set_value(s, 0, LB_OUT_LBM, u, l0);
        set_value(s, 1, LB_OUT_LBM, u, l0 + dl);
        s->weight[u] = s->weight[n + u] = 500.0 + 2000.0 * gsl_rng_uniform(rng);
    }
}

/* Options of the null runs: one focus area from @p codes, rings 250 and 500 m, no adjacency
 * or RIGO zones, 99 placebos, no bootstrap. */
static void null_options(lb_waterbed_options *o, const char *const *codes, unsigned long seed)
{
    static const double rings[2] = {250.0, 500.0};
    lb_waterbed_options_init(o);
    o->focus_codes = codes;
    o->n_focus_codes = 1;
    o->rings_m = rings;
    o->n_rings = 2;
    o->adjacency_orders = 0;
    o->rigo = 0;
    o->n_placebo = 99;
    o->placebo_pool = 3;
    o->n_boot = 0;
    o->seed = seed;
}

/* A 24 × 24 grid of 200 m squares in one gemeente, Δ independent noise (no effect anywhere),
 * one 2 × 2 focus block at a random place: room for dozens of disjoint pseudo areas, so AUTO
 * takes placebo areas. Over many replications the one-sided placebo test of ring_0_250 at 5 %
 * must reject about 5 % of the time (1,000 replications gave 42). The generator's strength-0
 * cities, where too few areas fit, are tested in tests/cli/cli_waterbed_null.sh. */
static void test_waterbed_placebo_null_size(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    enum { S = 24, REPS = 120 };
    lb_scoreset *s = grid_set(S);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2024);
    size_t rejected = 0, tested = 0;
    double sum_p = 0.0;
    for (int rep = 0; rep < REPS; rep++) {
        null_draw(s, rng);
        size_t i = 4 + gsl_rng_uniform_int(rng, S - 9), j = 4 + gsl_rng_uniform_int(rng, S - 9);
        char codes[64];
        snprintf(codes, sizeof(codes), "F=C%03zu|C%03zu|C%03zu|C%03zu", j * S + i, j * S + i + 1,
                 (j + 1) * S + i, (j + 1) * S + i + 1);
        const char *fc[1] = {codes};
        lb_waterbed_options o;
        null_options(&o, fc, (unsigned long)rep + 1);
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        const wb_row *w = wb_result_row(r, "F", "ring_0_250", "lbm", 2020, 2022);
        assert_non_null(w);
        assert_int_equal(r->placebo[0].method, LB_WB_PLACEBO_AREAS);
        assert_true(r->placebo[0].m >= WB_PLACEBO_MIN && r->placebo[0].m <= 99);
        if (!isnan(w->p_one)) {
            tested++;
            rejected += w->p_one <= 0.05;
            sum_p += w->p_one;
        }
        wb_result_destroy(r);
    }
    assert_int_equal(tested, REPS);
    /* 5 % of 120 = 6; P(X <= 1) and P(X >= 13) are both below 1 % for Binomial(120, 0.05) */
    print_message("null size: %zu of %zu rejected at 5 %%, mean p %.3f\n", rejected, tested,
                  sum_p / (double)tested);
    assert_true(rejected >= 2 && rejected <= 12);
    assert_near(sum_p / (double)tested, 0.5, 0.08);
    gsl_rng_free(rng);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* ---- placebos from re-assigned units ---- */

/* DiD of the units in @p in (mask over @p n units of @p pool) against the others, one class
 * and min_control 1: a plain difference of weighted means. */
static double split_did(const double *w, const double *dl, const size_t *pool, size_t n,
                        unsigned mask)
{
    double wi = 0.0, di = 0.0, wo = 0.0, dout = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t u = pool[i];
        if (mask >> i & 1u) {
            wi += w[u];
            di += w[u] * dl[u];
        } else {
            wo += w[u];
            dout += w[u] * dl[u];
        }
    }
    return di / wi - dout / wo;
}

/* Exact randomisation p-values by enumerating every way of picking the zone's 2 units from the
 * 7 of zone and far control (21 sets, the observed one among them). */
static void exact_p(const double *w, const double *dl, const size_t *pool, double *p_one,
                    double *p_two)
{
    double obs = split_did(w, dl, pool, 7, 3u); /* the first two are the zone */
    size_t le = 0, ge = 0, sets = 0;
    for (unsigned mask = 0; mask < 128u; mask++) {
        if (__builtin_popcount(mask) != 2)
            continue;
        double t = split_did(w, dl, pool, 7, mask);
        sets++;
        le += t <= obs + 1e-12;
        ge += fabs(t) >= fabs(obs) - 1e-12;
    }
    assert_int_equal(sets, 21);
    *p_one = (double)le / 21.0;
    *p_two = (double)ge / 21.0;
}

/* A strip of nine 100 m squares, focus U0|U1, one ring (0,150] = U2, U3, far control U4..U8,
 * one baseline class. With units re-assigned the placebo p-values of the ring and of the focus
 * area are randomisation p-values over the 21 equally likely ways to pick their 2 units from
 * the 7 of zone and far control: 19,999 draws must match the enumeration (Monte Carlo sd of p
 * below 0.0035; allowed 0.015). */
static void test_waterbed_placebo_units_exact(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    enum { N = 9 };
    const int years[2] = {2020, 2022};
    lb_scoreset *s = set_new(N, 2, years, 0);
    const double w[N] = {300, 500, 120, 800, 450, 200, 650, 380, 900};
    const double l0[N] = {4.02, 4.05, 4.03, 4.08, 4.01, 4.10, 4.06, 4.04, 4.09};
    const double dl[N] = {0.02, -0.01, -0.061, 0.035, 0.017, -0.008, 0.041, -0.023, 0.006};
    for (size_t u = 0; u < N; u++) {
        char id[8];
        snprintf(id, sizeof(id), "U%zu", u);
        set_unit(s, u, id, "GM0001", NULL, 100.0 * (double)u, 0.0, 100.0 * (double)(u + 1), 100.0);
        set_value(s, 0, LB_OUT_LBM, u, l0[u]);
        set_value(s, 1, LB_OUT_LBM, u, l0[u] + dl[u]);
        s->weight[u] = s->weight[N + u] = w[u];
    }
    static const double rings[1] = {150.0};
    const char *codes[] = {"F=U0|U1"};
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    o.focus_codes = codes;
    o.n_focus_codes = 1;
    o.rings_m = rings;
    o.n_rings = 1;
    o.adjacency_orders = 0;
    o.rigo = 0;
    o.min_control = 1;
    o.n_boot = 0;
    o.n_placebo = 19999;
    o.placebo_mode = LB_WB_PLACEBO_UNITS;
    o.seed = 5;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_int_equal(r->placebo[0].method, LB_WB_PLACEBO_UNITS);
    assert_int_equal(r->placebo[0].m, 19999);
    assert_null(r->placebo[0].members);
    const size_t ring_pool[7] = {2, 3, 4, 5, 6, 7, 8}, focus_pool[7] = {0, 1, 4, 5, 6, 7, 8};
    const char *zones[2] = {"ring_0_150", "focus"};
    const size_t *pools[2] = {ring_pool, focus_pool};
    for (size_t z = 0; z < 2; z++) {
        const wb_row *row = wb_result_row(r, "F", zones[z], "lbm", 2020, 2022);
        assert_non_null(row);
        assert_near(row->st.did, split_did(w, dl, pools[z], 7, 3u), 1e-12);
        double p1, p2;
        exact_p(w, dl, pools[z], &p1, &p2);
        print_message("%s: did %.4f p_one %.4f (exact %.4f) p_two %.4f (exact %.4f)\n", zones[z],
                      row->st.did, row->p_one, p1, row->p_two, p2);
        assert_int_equal(row->n_placebo, 19999);
        assert_near(row->p_one, p1, 0.015);
        assert_near(row->p_two, p2, 0.015);
    }
    /* deterministic for a seed */
    wb_result *r2 = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r2), LB_OK);
    const wb_row *a = wb_result_row(r, "F", "ring_0_150", "lbm", 2020, 2022);
    const wb_row *b = wb_result_row(r2, "F", "ring_0_150", "lbm", 2020, 2022);
    assert_true(a->p_one == b->p_one && a->p_two == b->p_two);
    wb_result_destroy(r2);
    wb_result_destroy(r);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* A 9 × 9 grid of 200 m squares (an 81-unit town, like the demo city's 62 buurten) with a 3 × 3
 * focus block: the 56 candidates fit fewer than 19 disjoint pseudo areas of its size.
 * - AUTO re-assigns units; with independent noise (no effect) the one-sided first-ring test
 *   rejects at its nominal 5 % over 400 replications: Binomial(400, 0.05) has mean 20 and
 *   P(X <= 7), P(X >= 34) below 0.002 each; the mean p is 0.5 (sd 0.015).
 * - AREAS keeps only disjoint pseudo areas, away from the focus area, and its p-values stay at
 *   or above 1/(K + 1) for the K that fit. */
static void test_waterbed_placebo_small_town(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    enum { S = 9, N = S * S, REPS = 400 };
    lb_scoreset *s = grid_set(S);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 77);
    size_t rejected = 0, tested = 0;
    double sum_p = 0.0;
    for (int rep = 0; rep <= REPS; rep++) {
        null_draw(s, rng);
        size_t i = 2 + gsl_rng_uniform_int(rng, 3), j = 2 + gsl_rng_uniform_int(rng, 3);
        char codes[64] = "F=";
        for (size_t b = 0; b < 9; b++)
            snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes), "%sC%03zu", b ? "|" : "",
                     (j + b / 3) * S + i + b % 3);
        const char *fc[1] = {codes};
        lb_waterbed_options o;
        null_options(&o, fc, (unsigned long)rep + 1);
        o.placebo_mode = rep < REPS ? LB_WB_PLACEBO_AUTO : LB_WB_PLACEBO_AREAS;
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        const wb_placebo *pl = &r->placebo[0];
        const wb_row *w = wb_result_row(r, "F", "ring_0_250", "lbm", 2020, 2022);
        assert_non_null(w);
        if (rep < REPS) {
            assert_true(pl->n_areas < WB_PLACEBO_MIN);
            assert_int_equal(pl->method, LB_WB_PLACEBO_UNITS);
            assert_int_equal(w->n_placebo, 99);
            tested++;
            rejected += w->p_one <= 0.05;
            sum_p += w->p_one;
            wb_result_destroy(r);
            continue;
        }
        /* forced areas: K disjoint pseudo areas, p never below 1/(K + 1), and a warning */
        const wb_data *d = r->data;
        assert_int_equal(pl->method, LB_WB_PLACEBO_AREAS);
        assert_true(pl->m >= 1 && pl->m < WB_PLACEBO_MIN && pl->m == pl->n_areas);
        unsigned char seen[N] = {0};
        for (size_t m = 0; m < pl->m; m++)
            for (size_t k = 0; k < pl->n_members[m]; k++) {
                size_t u = pl->members[m][k];
                assert_int_equal(seen[u], 0);
                seen[u] = 1;
                assert_false(wb_treated(d, u));
                assert_true(d->near_d[u] > r->placebo_buffer_m);
            }
        for (size_t z = 0; z < d->n_slots; z++) {
            if (!d->slots[z].placebo)
                continue;
            w = wb_result_row(r, "F", d->slots[z].name, "lbm", 2020, 2022);
            if (isnan(w->p_one))
                continue;
            assert_true(w->n_placebo <= pl->m);
            assert_true(w->p_one >= 1.0 / ((double)pl->m + 1.0) - 1e-12);
            assert_true(w->p_two >= 1.0 / ((double)pl->m + 1.0) - 1e-12);
        }
        int warned = 0;
        for (size_t k = 0; k < lb_ctx_warning_count(ctx); k++)
            warned |= strstr(lb_ctx_warning(ctx, k), "cannot go below") != NULL;
        assert_true(warned);
        wb_result_destroy(r);
    }
    print_message("small town, units: %zu of %zu rejected at 5 %%, mean p %.3f\n", rejected, tested,
                  sum_p / (double)tested);
    assert_true(rejected >= 8 && rejected <= 33);
    assert_near(sum_p / (double)tested, 0.5, 0.05);
    gsl_rng_free(rng);
    set_free(s);
    lb_ctx_destroy(ctx);
}

/* Bit for bit: @p a and @p b hold the same double. */
static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

/* The pooled regressions run beside the placebos on the threads the placebos leave free: the
 * results and the messages (their order too: the placebo note, the cluster note, then those of
 * the regressions) are those of one thread, bit for bit, on 1, 2 and 3 threads. A 9 x 9 town
 * with forced placebo areas (too few fit: a warning from the placebos) in one gemeente without
 * wijk codes (every unit its own cluster: a warning from resolving the clusters), adjacency
 * orders (both pooled models) and a bootstrap. */
static void test_waterbed_threads_same(void **state)
{
    (void)state;
    enum { S = 9 };
    lb_scoreset *s = grid_set(S);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    null_draw(s, rng);
    const char *fc[1] = {"F=C030|C031|C039|C040"};
    lb_waterbed_options o;
    null_options(&o, fc, 3);
    o.placebo_mode = LB_WB_PLACEBO_AREAS;
    o.adjacency_orders = 2;
    o.n_boot = 199;
    wb_result *base = NULL;
    lb_ctx *base_ctx = NULL;
    for (int threads = 1; threads <= 3; threads++) {
        lb_ctx *ctx = lb_test_ctx();
        assert_int_equal(lb_ctx_set_threads(ctx, threads), LB_OK);
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        if (threads == 1) {
            /* the order of a serial run: placebos, then clusters */
            size_t n_w = lb_ctx_warning_count(ctx), at_placebo = n_w, at_cluster = n_w;
            for (size_t k = 0; k < n_w; k++) {
                const char *w = lb_ctx_warning(ctx, k);
                if (strstr(w, "cannot go below") && at_placebo == n_w)
                    at_placebo = k;
                if (strstr(w, "cluster 'auto'") && at_cluster == n_w)
                    at_cluster = k;
            }
            assert_true(at_placebo < at_cluster && at_cluster < n_w);
            assert_true(r->n_pooled >= 2);
            base = r;
            base_ctx = ctx;
            continue;
        }
        assert_int_equal(lb_ctx_warning_count(ctx), lb_ctx_warning_count(base_ctx));
        for (size_t k = 0; k < lb_ctx_warning_count(ctx); k++)
            assert_string_equal(lb_ctx_warning(ctx, k), lb_ctx_warning(base_ctx, k));
        assert_int_equal(r->n_rows, base->n_rows);
        for (size_t i = 0; i < r->n_rows; i++) {
            const wb_row *a = &r->rows[i], *b = &base->rows[i];
            assert_true(same_bits(a->st.did, b->st.did) && same_bits(a->p_one, b->p_one) &&
                        same_bits(a->p_two, b->p_two) && same_bits(a->q_one, b->q_one));
        }
        assert_int_equal(r->n_pooled, base->n_pooled);
        for (size_t i = 0; i < r->n_pooled; i++) {
            const wb_pooled_row *a = &r->pooled[i], *b = &base->pooled[i];
            assert_int_equal(a->panel, b->panel);
            assert_int_equal(a->outcome, b->outcome);
            assert_int_equal(a->res.model, b->res.model);
            assert_int_equal(a->res.n_terms, b->res.n_terms);
            for (size_t t = 0; t < a->res.n_terms; t++) {
                const wb_pooled_term *x = &a->res.terms[t], *y = &b->res.terms[t];
                assert_string_equal(x->term, y->term);
                assert_true(same_bits(x->estimate, y->estimate) && same_bits(x->se, y->se) &&
                            same_bits(x->p_two, y->p_two) && same_bits(x->p_one, y->p_one) &&
                            same_bits(x->ci_low, y->ci_low) && same_bits(x->ci_high, y->ci_high));
            }
        }
        wb_result_destroy(r);
        lb_ctx_destroy(ctx);
    }
    wb_result_destroy(base);
    lb_ctx_destroy(base_ctx);
    gsl_rng_free(rng);
    set_free(s);
}

/* ---- the demo city ---- */

/* The demo city's planted effect (tools/synth: Δlbm +0.165 in the two focus wijken, −0.094 in
 * the buurten within 500 m, −0.010 elsewhere) is found: the first ring's DiD is negative with
 * a one-sided placebo p below 0.05 around both focus wijken, and the pooled first-ring
 * coefficient is negative. */
static void test_waterbed_demo_planted(void **state)
{
    (void)state;
    const char *root = getenv("LB_SOURCE_ROOT");
    if (!root)
        skip();
    lb_ctx *ctx = lb_test_ctx();
    char dir[256], focus[1024];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "wbdemo"), 0);
    assert_int_equal(lb_demo_exec(ctx, root, dir, NULL, NULL, 0), LB_OK);
    char scores[300];
    snprintf(scores, sizeof(scores), "%s/score", dir); /* both years, one run */
    const lb_score_source src[1] = {{.path = scores}};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, src, 1, &s), LB_OK);
    snprintf(focus, sizeof(focus), "%s/shapes/leefstad.gpkg", root);
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    o.focus_path = focus;
    o.focus_layer = "focus_wijken";
    o.seed = 20;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_int_equal(r->data->n_focus, 2);
    for (size_t f = 0; f < 2; f++) {
        const char *id = r->data->focus[f].id;
        const wb_row *fo = wb_result_row(r, id, "focus", "lbm", 2020, 2022);
        const wb_row *r1 = wb_result_row(r, id, "ring_0_250", "lbm", 2020, 2022);
        print_message("%s: focus n=%zu delta %.4f did %.4f p %.4f | ring1 n=%zu delta %.4f did "
                      "%.4f p %.4f (two %.4f) q %.4f placebos %zu (%zu areas fit)\n",
                      id, fo->st.n, fo->st.delta, fo->st.did, fo->p_one, r1->st.n, r1->st.delta,
                      r1->st.did, r1->p_one, r1->p_two, r1->q_one, r1->n_placebo,
                      r->placebo[f].n_areas);
        assert_int_equal(fo->st.n, 5);
        /* ~33 candidate buurten fit only ~5 disjoint placebo areas: units re-assigned */
        assert_true(r->placebo[f].n_areas < WB_PLACEBO_MIN);
        assert_int_equal(r->placebo[f].method, LB_WB_PLACEBO_UNITS);
        assert_true(fo->st.did > 0.1);
        assert_true(r1->st.did < 0.0);
        assert_true(r1->p_one < 0.05);
    }
    for (size_t i = 0; i < r->n_pooled; i++) {
        const wb_pooled_row *pr = &r->pooled[i];
        for (size_t t = 0; t < pr->res.n_terms; t++)
            print_message("pooled %s %s: %.4f se %.4f t %.2f p2 %.4f p1 %.4f G=%zu\n",
                          r->out_name[pr->outcome], pr->res.terms[t].term,
                          pr->res.terms[t].estimate, pr->res.terms[t].se, pr->res.terms[t].t,
                          pr->res.terms[t].p_two, pr->res.terms[t].p_one, pr->res.n_clusters);
    }
    assert_true(r->pooled[0].res.n_terms >= 2);
    assert_string_equal(r->pooled[0].res.terms[1].term, "ring_0_250");
    assert_true(r->pooled[0].res.terms[1].estimate < 0.0);
    wb_result_destroy(r);
    lb_scoreset_destroy(s);
    /* the demo itself wrote the same analysis (seed 1) */
    char csv[300];
    snprintf(csv, sizeof(csv), "%s/waterbed/waterbed.csv", dir);
    FILE *fp = fopen(csv, "r");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(lb_test_rmtree(dir), 0);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waterbed_wdq_pop_guide),
        cmocka_unit_test(test_waterbed_wdd_wheeler_ratcliffe),
        cmocka_unit_test(test_waterbed_bh_textbook),
        cmocka_unit_test(test_waterbed_ctrl_reweighting),
        cmocka_unit_test(test_waterbed_strip_by_hand),
        cmocka_unit_test(test_waterbed_strip_options),
        cmocka_unit_test(test_waterbed_zone_geometry),
        cmocka_unit_test(test_waterbed_wcr_bootstrap),
        cmocka_unit_test(test_waterbed_placebo_null_size),
        cmocka_unit_test(test_waterbed_placebo_units_exact),
        cmocka_unit_test(test_waterbed_placebo_small_town),
        cmocka_unit_test(test_waterbed_threads_same),
        cmocka_unit_test(test_waterbed_demo_planted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
