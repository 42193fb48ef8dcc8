/* SPDX-License-Identifier: MIT */
/* Model arithmetic: hand calculations, the invariants of DESIGN.md §6, classes at boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "model/score.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

static lb_model *load(lb_ctx *ctx, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/score/%s", getenv("LB_TEST_DATA"), name);
    lb_model *m = NULL;
    lb_status st = lb_model_load(ctx, path, &m);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    return m;
}

static void test_score_hand_calculation(void **state)
{
    (void)state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_model *m = load(ctx, "hand.yaml");
    /* Three units, weights 1, 1, 2. */
    double x1[] = {1, 2, 3}, x2[] = {1, 3, 2}, x3[] = {0, 1, 3};
    const double *x[] = {x1, x2, x3};
    double w[] = {1, 1, 2};
    unsigned char in[] = {1, 1, 1};
    lb_reference ref;
    lb_scores s;
    assert_int_equal(lb_score_units(ctx, m, 3, x, w, in, NULL, &ref, &s), LB_OK);
    /* aa: C = 2·x1 = 2, 4, 6; M = (2 + 4 + 12)/4 = 4.5. */
    assert_near(ref.means[0], 4.5, 1e-12);
    assert_near(s.dev[0][0], -2.5, 1e-12);
    assert_near(s.dev[0][1], -0.5, 1e-12);
    assert_near(s.dev[0][2], 1.5, 1e-12);
    /* bb: x2 weighted mean (1 + 3 + 4)/4 = 2, sd² = (1 + 1 + 0)/4 = 0.5 → z = -√2, √2, 0;
     * x3 log1p: 0, ln2, ln4 with weighted mean (0 + ln2 + 2 ln4)/4. */
    double z1 = -1.0 / sqrt(0.5), z2 = 1.0 / sqrt(0.5);
    double c[3] = {-0.5 * z1 + 0.25 * 0.0, -0.5 * z2 + 0.25 * log(2.0),
                   -0.5 * 0.0 + 0.25 * log(4.0)};
    double mb = (c[0] + c[1] + 2.0 * c[2]) / 4.0;
    for (int u = 0; u < 3; u++) {
        assert_near(s.dev[1][u], c[u] - mb, 1e-12);
        assert_near(s.afw[u], s.dev[0][u] + s.dev[1][u], 1e-15);
        assert_near(s.lbm[u], 4.10 + s.afw[u], 1e-15);
    }
    assert_near(ref.ind_mean[1], 2.0, 1e-12);
    assert_near(ref.ind_sd[1], sqrt(0.5), 1e-12);
    lb_scores_free(&s);
    lb_reference_free(&ref);
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

/* Random populations: per_year deviations have weighted mean 0, afw = Σ dev, lbm = REF + afw. */
static void test_score_invariants_per_year(void **state)
{
    (void)state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_model *m = load(ctx, "hand.yaml");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    enum { N = 2000 };
    double *x1 = malloc(N * sizeof(double)), *x2 = malloc(N * sizeof(double));
    double *x3 = malloc(N * sizeof(double)), *w = malloc(N * sizeof(double));
    unsigned char *in = malloc(N);
    for (int u = 0; u < N; u++) {
        x1[u] = gsl_ran_gaussian(rng, 3.0);
        x2[u] = u % 17 == 0 ? NAN : gsl_ran_gaussian(rng, 1.0) + 5.0;
        x3[u] = gsl_ran_exponential(rng, 10.0);
        w[u] = 1.0 + floor(gsl_rng_uniform(rng) * 200.0);
        in[u] = u % 11 != 0;
    }
    const double *x[] = {x1, x2, x3};
    lb_reference ref;
    lb_scores s;
    assert_int_equal(lb_score_units(ctx, m, N, x, w, in, NULL, &ref, &s), LB_OK);
    for (size_t d = 0; d < 2; d++) {
        double sw = 0.0, sd = 0.0;
        for (int u = 0; u < N; u++)
            if (in[u]) {
                sw += w[u];
                sd += w[u] * s.dev[d][u];
            }
        assert_near(sd / sw, 0.0, 1e-12);
    }
    for (int u = 0; u < N; u++) {
        if (!in[u]) {
            assert_true(isnan(s.lbm[u]));
            assert_int_equal(s.kscore[u], 0);
            assert_true(s.flags[u] & LB_FLAG_NO_WEIGHT);
            continue;
        }
        assert_near(s.afw[u], s.dev[0][u] + s.dev[1][u], 1e-14);
        assert_near(s.lbm[u], 4.10 + s.afw[u], 1e-14);
        assert_int_equal(s.n_imputed[u], u % 17 == 0 ? 1 : 0);
    }
    lb_scores_free(&s);
    lb_reference_free(&ref);
    gsl_rng_free(rng);
    free(x1);
    free(x2);
    free(x3);
    free(w);
    free(in);
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

/* A reference from one population applied to another: the second's deviations are taken
 * against the first's means, so a uniform improvement shows as a positive mean deviation. */
static void test_score_fixed_reference(void **state)
{
    (void)state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_model *m = load(ctx, "hand.yaml");
    double a1[] = {1, 2, 3, 4}, a2[] = {1, 2, 3, 5}, a3[] = {0, 1, 2, 3};
    double b1[] = {2, 3, 4, 5}, b2[] = {1, 2, 3, 5}, b3[] = {0, 1, 2, 3};
    const double *xa[] = {a1, a2, a3}, *xb[] = {b1, b2, b3};
    double w[] = {1, 1, 1, 1};
    unsigned char in[] = {1, 1, 1, 1};
    lb_reference ra, rb;
    lb_scores sa, sb;
    assert_int_equal(lb_score_units(ctx, m, 4, xa, w, in, NULL, &ra, &sa), LB_OK);
    assert_int_equal(lb_score_units(ctx, m, 4, xb, w, in, &ra, &rb, &sb), LB_OK);
    for (int u = 0; u < 4; u++) {
        /* x1 rose by 1 everywhere, coefficient 2: dimension aa rises by exactly 2. */
        assert_near(sb.dev[0][u] - sa.dev[0][u], 2.0, 1e-12);
        assert_near(sb.dev[1][u], sa.dev[1][u], 1e-12);
    }
    assert_near(rb.means[0], ra.means[0], 0.0);
    lb_scores_free(&sa);
    lb_scores_free(&sb);
    lb_reference_free(&ra);
    lb_reference_free(&rb);
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

static void test_score_stored_means_and_drop(void **state)
{
    (void)state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_model *m = load(ctx, "fixedmeans.yaml");
    double x1[] = {1, 2, NAN};
    const double *x[] = {x1};
    double w[] = {1, 3, 1};
    unsigned char in[] = {1, 1, 1};
    lb_reference ref;
    lb_scores s;
    assert_int_equal(lb_score_units(ctx, m, 3, x, w, in, NULL, &ref, &s), LB_OK);
    assert_near(ref.means[0], 1.5, 0.0);
    assert_near(s.dev[0][0], -0.5, 1e-15);
    assert_near(s.lbm[1], 4.0 + 0.5, 1e-15);
    /* Imputed: the reference mean of x1 over known values, (1 + 6)/4 = 1.75. */
    assert_near(s.dev[0][2], 1.75 - 1.5, 1e-15);
    assert_true(s.flags[2] & LB_FLAG_IMPUTED);
    lb_scores_free(&s);
    lb_reference_free(&ref);
    lb_model_destroy(m);

    m = load(ctx, "drop.yaml");
    assert_int_equal(lb_score_units(ctx, m, 3, x, w, in, NULL, &ref, &s), LB_OK);
    assert_true(isnan(s.lbm[2]));
    assert_true(s.flags[2] & LB_FLAG_DROPPED);
    /* The dropped unit is outside the reference: M = (1 + 6)/4. */
    assert_near(ref.means[0], 1.75, 1e-15);
    lb_scores_free(&s);
    lb_reference_free(&ref);
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

static void test_score_classes_at_boundaries(void **state)
{
    (void)state;
    const double t[8] = {3.46, 3.557, 3.6955, 3.8971, 3.9972, 4.1924, 4.3044, 4.3926};
    assert_int_equal(lb_model_classify(3.0, t, 8), 1);
    assert_int_equal(lb_model_classify(nextafter(3.46, 0.0), t, 8), 1);
    for (int k = 0; k < 8; k++) {
        assert_int_equal(lb_model_classify(t[k], t, 8), k + 2);
        assert_int_equal(lb_model_classify(nextafter(t[k], 0.0), t, 8), k + 1);
    }
    assert_int_equal(lb_model_classify(5.0, t, 8), 9);
    assert_int_equal(lb_model_classify(NAN, t, 8), 0);
}

static void test_score_transforms(void **state)
{
    (void)state;
    double br[] = {0, 500, 1000}, va[] = {1, 0.5, 0};
    lb_transform tf = {0};
    assert_near(lb_model_transform_pre(&tf, 3.25), 3.25, 0.0);
    tf.has_cap = 1;
    tf.cap_lo = 40;
    tf.cap_hi = 75;
    assert_near(lb_model_transform_pre(&tf, 30), 40, 0.0);
    assert_near(lb_model_transform_pre(&tf, 80), 75, 0.0);
    tf = (lb_transform){.log1p = 1};
    assert_near(lb_model_transform_pre(&tf, 1.0), log(2.0), 1e-15);
    assert_true(isnan(lb_model_transform_pre(&tf, -1.0)));
    assert_true(isnan(lb_model_transform_pre(&tf, NAN)));
    tf = (lb_transform){.n_pieces = 3, .breaks = br, .values = va};
    assert_near(lb_model_transform_pre(&tf, -5), 1.0, 0.0);
    assert_near(lb_model_transform_pre(&tf, 250), 0.75, 1e-15);
    assert_near(lb_model_transform_pre(&tf, 750), 0.25, 1e-15);
    assert_near(lb_model_transform_pre(&tf, 5000), 0.0, 0.0);
    tf = (lb_transform){.has_dummy = 1, .dummy_threshold = 10, .dummy_above = 1};
    assert_near(lb_model_transform_pre(&tf, 10), 1.0, 0.0);
    assert_near(lb_model_transform_pre(&tf, 9.99), 0.0, 0.0);
    tf.dummy_above = 0;
    assert_near(lb_model_transform_pre(&tf, 10), 1.0, 0.0);
    assert_near(lb_model_transform_pre(&tf, 10.01), 0.0, 0.0);
}

static void test_score_no_population_is_an_error(void **state)
{
    (void)state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_model *m = load(ctx, "drop.yaml");
    double x1[] = {1, 2};
    const double *x[] = {x1};
    double w[] = {0, 0};
    unsigned char in[] = {1, 1};
    lb_reference ref;
    lb_scores s;
    assert_int_equal(lb_score_units(ctx, m, 2, x, w, in, NULL, &ref, &s), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "min_weight"));
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

/* min_weight with the tolerance of LB_WEIGHT_RTOL: a cell split between buurten weighs the sum
 * of its fractions, e.g. 0.7 + 0.2 + 0.1, which is 1 − 2⁻⁵³ in doubles, and must reach
 * min_weight 1; a weight short by more than rounding can explain must not. The cell counts of
 * real sums are in tests/test_pipeline.c (test_pipeline_area_weight_whole_cells). */
static void test_score_min_weight_tolerance(void **state)
{
    (void)state;
    volatile double a = 0.7, b = 0.2, c = 0.1; /* no constant folding in a wider type */
    double w = a + b + c;
    assert_true(w < 1.0);
    assert_true(lb_model_weight_reaches(w, 1.0));
    assert_true(lb_model_weight_reaches(nextafter(1.0, 0.0), 1.0));
    assert_true(lb_model_weight_reaches(1.0 - 4e-16, 1.0));
    assert_true(lb_model_weight_reaches(1.0, 1.0));
    assert_false(lb_model_weight_reaches(1.0 - 1e-6, 1.0));
    assert_false(lb_model_weight_reaches(0.5, 1.0));
    /* The tolerance scales with the threshold: inhabitants as well as area shares. */
    assert_true(lb_model_weight_reaches(250.0 * (1.0 - 1e-15), 250.0));
    assert_false(lb_model_weight_reaches(249.99, 250.0));
    assert_true(lb_model_weight_reaches(0.25 * (1.0 - 1e-15), 0.25));
    assert_false(lb_model_weight_reaches(0.2499, 0.25));
    /* Nothing, or nothing known, is never scored, whatever the threshold. */
    assert_false(lb_model_weight_reaches(0.0, 0.0));
    assert_false(lb_model_weight_reaches(-1.0, 0.0));
    assert_false(lb_model_weight_reaches(NAN, 0.0));
    assert_true(lb_model_weight_reaches(1e-300, 0.0));
}

/* A coefficient that overflows the arithmetic must be an error, never NaN/inf scores with
 * LB_OK (issue 18: coef 1e308 made every score NaN with exit 0). */
static void test_score_non_finite_is_an_error(void **state)
{
    (void)state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_model *m = load(ctx, "drop.yaml");
    double w[] = {10, 10};
    unsigned char in[] = {1, 1};
    lb_reference ref;
    lb_scores s;
    /* one contribution overflows: 1e300 * 1e10 */
    m->ind[0].coef = 1e300;
    double big[] = {1e10, 1};
    const double *x1[] = {big};
    assert_int_equal(lb_score_units(ctx, m, 2, x1, w, in, NULL, &ref, &s), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "indicator 'x1'"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "not a finite number"));
    /* every contribution is finite (1.5e308) but their weighted mean overflows */
    m->ind[0].coef = 1.5e300;
    double v[] = {1e8, 1e8};
    const double *x2[] = {v};
    assert_int_equal(lb_score_units(ctx, m, 2, x2, w, in, NULL, &ref, &s), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "score of scored unit 1 is not a finite number"));
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_hand_calculation),
        cmocka_unit_test(test_score_invariants_per_year),
        cmocka_unit_test(test_score_fixed_reference),
        cmocka_unit_test(test_score_stored_means_and_drop),
        cmocka_unit_test(test_score_classes_at_boundaries),
        cmocka_unit_test(test_score_transforms),
        cmocka_unit_test(test_score_no_population_is_an_error),
        cmocka_unit_test(test_score_min_weight_tolerance),
        cmocka_unit_test(test_score_non_finite_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
