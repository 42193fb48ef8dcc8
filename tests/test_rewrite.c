/* SPDX-License-Identifier: MIT */
/* The model schema additions of calibrate (sign per indicator, the calibration block) and the
 * rewriter that replaces coefficients at their libyaml marks: the text around them stays byte
 * for byte (also after multi-byte UTF-8 comments and in flow style), REF is replaced or added,
 * stored means replaced, an old calibration block replaced, and the result loads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../src/core/ctx.h"
#include "../src/model/model.h"
#include "../src/model/rewrite.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    lb_ctx *ctx = NULL;
    if (lb_ctx_create(&ctx) != LB_OK)
        return -1;
    *state = ctx;
    return 0;
}

static int teardown(void **state)
{
    lb_ctx_destroy(*state);
    return 0;
}

/* Two indicators; a comment with multi-byte characters before the first coef, so that a
 * rewriter that took libyaml's character marks for byte offsets would cut in the wrong place. */
static const char *const BLOCK = "# model — met één comment (β, €)\n"
                                 "name: t\n"
                                 "reference:\n"
                                 "  mode: per_year\n"
                                 "  ref: 4.10   # REF\n"
                                 "dimensions:\n"
                                 "  - {code: won, label: Wonen — één}\n"
                                 "  - {code: vrz, label: Voorz}\n"
                                 "indicators:\n"
                                 "  - id: a\n"
                                 "    dimension: won\n"
                                 "    kind: attribute\n"
                                 "    layer: buurten\n"
                                 "    field: A\n"
                                 "    coef: 0.04   # über\n"
                                 "    sign: \"+\"\n"
                                 "  - {id: b, dimension: vrz, kind: attribute, layer: buurten, "
                                 "field: B, coef: -3e-2, sign: negative}\n";

static lb_model *load(lb_ctx *ctx, const char *text)
{
    lb_model *m = NULL;
    lb_status st =
        lb_model_load_buffer(ctx, "t.yaml", (const unsigned char *)text, strlen(text), &m);
    if (st != LB_OK)
        fail_msg("%s", lb_ctx_errmsg(ctx));
    return m;
}

static char *rewrite(lb_ctx *ctx, const char *text, const lb_model_edit *e)
{
    char *out = NULL;
    size_t len = 0;
    lb_status st =
        lb_model_rewrite(ctx, "t.yaml", (const unsigned char *)text, strlen(text), e, &out, &len);
    if (st != LB_OK)
        fail_msg("%s", lb_ctx_errmsg(ctx));
    assert_int_equal(len, strlen(out));
    return out;
}

static void test_sign_parsed(void **state)
{
    lb_model *m = load(*state, BLOCK);
    assert_int_equal(m->ind[0].sign, 1);
    assert_int_equal(m->ind[1].sign, -1);
    assert_null(m->calibration);
    lb_model_destroy(m);
}

static void test_sign_bad_value(void **state)
{
    lb_ctx *ctx = *state;
    char text[2048];
    snprintf(text, sizeof(text), "%s", BLOCK);
    char *at = strstr(text, "sign: negative");
    memcpy(at, "sign: downward", 14);
    lb_model *m = NULL;
    assert_int_equal(
        lb_model_load_buffer(ctx, "t.yaml", (const unsigned char *)text, strlen(text), &m),
        LB_ERR_MODEL);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "t.yaml:17:"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "'sign' in indicator 'b' is 'downward'"));
}

static void test_coefs_replaced_in_place(void **state)
{
    lb_ctx *ctx = *state;
    const double coef[2] = {0.123456789, -1.5};
    const lb_model_edit e = {.coef = coef, .n_ind = 2};
    char *out = rewrite(ctx, BLOCK, &e);
    /* exactly the two scalars differ */
    char *want = malloc(strlen(BLOCK) + 64);
    assert_non_null(want);
    const char *c1 = strstr(BLOCK, "0.04"), *c2 = strstr(BLOCK, "-3e-2");
    snprintf(want, strlen(BLOCK) + 64, "%.*s0.12345679%.*s-1.5%s", (int)(c1 - BLOCK), BLOCK,
             (int)(c2 - c1 - 4), c1 + 4, c2 + 5);
    assert_string_equal(out, want);
    lb_model *m = load(ctx, out);
    assert_true(fabs(m->ind[0].coef - 0.12345679) < 1e-15);
    assert_true(m->ind[1].coef == -1.5);
    assert_true(m->ref == 4.10);
    lb_model_destroy(m);
    free(want);
    free(out);
}

/* The fitted model keeps each indicator's unit: the rewrite touches only the scalars it
 * replaces, so `unit:` lines (block and flow style, UTF-8) stay byte for byte and load again. */
static void test_units_kept(void **state)
{
    lb_ctx *ctx = *state;
    char text[2048];
    const char *at = strstr(BLOCK, "    coef: 0.04");
    const char *fb = strstr(BLOCK, "coef: -3e-2");
    snprintf(text, sizeof(text),
             "%.*s    unit: \"\xc2\xb5g/m\xc2\xb3\"\n%.*sunit: \"\xc3\x97 \xe2\x82\xac 1.000\", %s",
             (int)(at - BLOCK), BLOCK, (int)(fb - at), at, fb);
    lb_model *m = load(ctx, text);
    assert_string_equal(m->ind[0].unit, "\xc2\xb5g/m\xc2\xb3");
    assert_string_equal(m->ind[1].unit, "\xc3\x97 \xe2\x82\xac 1.000");
    lb_model_destroy(m);
    const double coef[2] = {0.5, -0.25};
    const lb_model_edit e = {.coef = coef, .n_ind = 2, .calibration = "calibration:\n  n: 3\n"};
    char *out = rewrite(ctx, text, &e);
    assert_non_null(strstr(out, "    unit: \"\xc2\xb5g/m\xc2\xb3\"\n"));
    assert_non_null(strstr(out, "unit: \"\xc3\x97 \xe2\x82\xac 1.000\", coef: -0.25"));
    m = load(ctx, out);
    assert_string_equal(m->ind[0].unit, "\xc2\xb5g/m\xc2\xb3");
    assert_string_equal(m->ind[1].unit, "\xc3\x97 \xe2\x82\xac 1.000");
    assert_true(m->ind[0].coef == 0.5 && m->ind[1].coef == -0.25);
    lb_model_destroy(m);
    free(out);
}

static void test_keep_nan_and_ref(void **state)
{
    lb_ctx *ctx = *state;
    const double coef[2] = {NAN, 2.0};
    const lb_model_edit e = {.coef = coef, .n_ind = 2, .set_ref = 1, .ref = 7.25};
    char *out = rewrite(ctx, BLOCK, &e);
    assert_non_null(strstr(out, "coef: 0.04   # über\n"));
    assert_non_null(strstr(out, "  ref: 7.25   # REF\n"));
    lb_model *m = load(ctx, out);
    assert_true(m->ref == 7.25 && m->ind[0].coef == 0.04 && m->ind[1].coef == 2.0);
    lb_model_destroy(m);
    free(out);
}

/* A model without ref gets one: first key of its reference mapping, or a new mapping. */
static void test_ref_added(void **state)
{
    lb_ctx *ctx = *state;
    const char *no_ref_key = "name: t\nreference:\n  mode: per_year\ndimensions:\n"
                             "  - {code: won}\nindicators:\n  - {id: a, dimension: won, kind: "
                             "attribute, layer: l, field: A, coef: 1}\n";
    const lb_model_edit e = {.set_ref = 1, .ref = 5.5};
    char *out = rewrite(ctx, no_ref_key, &e);
    assert_non_null(strstr(out, "reference:\n  ref: 5.5\n  mode: per_year\n"));
    lb_model *m = load(ctx, out);
    assert_true(m->ref == 5.5 && m->ref_mode == LB_REF_PER_YEAR);
    lb_model_destroy(m);
    free(out);
    const char *flow = "name: t\nreference: {mode: per_year}\ndimensions: [{code: won}]\n"
                       "indicators: [{id: a, dimension: won, kind: attribute, layer: l, field: "
                       "A, coef: 1}]\n";
    out = rewrite(ctx, flow, &e);
    assert_non_null(strstr(out, "reference: {ref: 5.5, mode: per_year}"));
    m = load(ctx, out);
    assert_true(m->ref == 5.5);
    lb_model_destroy(m);
    free(out);
    const char *none = "name: t\ndimensions: [{code: won}]\n"
                       "indicators: [{id: a, dimension: won, kind: attribute, layer: l, field: "
                       "A, coef: 1}]";
    out = rewrite(ctx, none, &e);
    m = load(ctx, out);
    assert_true(m->ref == 5.5 && m->ref_mode == LB_REF_FIXED);
    lb_model_destroy(m);
    free(out);
}

static void test_means_replaced(void **state)
{
    lb_ctx *ctx = *state;
    const char *text = "name: t\nreference:\n  year: 2020\n  means: {won: 0.5, vrz: -0.25}\n"
                       "dimensions: [{code: won}, {code: vrz}]\n"
                       "indicators: [{id: a, dimension: won, kind: attribute, layer: l, field: "
                       "A, coef: 1}, {id: b, dimension: vrz, kind: attribute, layer: l, field: "
                       "B, coef: 1}]\n";
    const double means[2] = {0.125, NAN};
    const char *codes[2] = {"won", "vrz"};
    const lb_model_edit e = {.means = means, .dim_codes = codes, .n_dims = 2};
    char *out = rewrite(ctx, text, &e);
    assert_non_null(strstr(out, "means: {won: 0.125, vrz: -0.25}"));
    lb_model *m = load(ctx, out);
    assert_true(m->has_means && m->means[0] == 0.125 && m->means[1] == -0.25);
    lb_model_destroy(m);
    free(out);
}

/* The calibration block is appended, read back as a tree, and replaced on a second rewrite
 * (also when other keys follow it), never duplicated. */
static void test_calibration_block(void **state)
{
    lb_ctx *ctx = *state;
    const lb_model_edit e1 = {.calibration = "calibration:\n  n: 48\n  r2: 0.5\n"
                                             "  target: \"total\"\n  fits:\n    - {n: 48}\n"};
    char *once = rewrite(ctx, BLOCK, &e1);
    lb_model *m = load(ctx, once);
    assert_non_null(m->calibration);
    assert_int_equal(m->calibration->n_kids, 4);
    assert_string_equal(m->calibration->kids[0].key, "n");
    assert_true(m->calibration->kids[0].is_number);
    assert_string_equal(m->calibration->kids[2].text, "total");
    assert_false(m->calibration->kids[2].is_number);
    assert_true(m->calibration->kids[3].is_list);
    lb_model_destroy(m);
    /* a key after the block, then a second calibration */
    size_t n = strlen(once) + 64;
    char *more = malloc(n);
    assert_non_null(more);
    snprintf(more, n, "%smissing: impute\n", once);
    const lb_model_edit e2 = {.calibration = "calibration:\n  n: 12\n"};
    char *twice = rewrite(ctx, more, &e2);
    assert_null(strstr(twice, "n: 48"));
    assert_non_null(strstr(twice, "missing: impute\n"));
    const char *first = strstr(twice, "calibration:");
    assert_non_null(first);
    assert_null(strstr(first + 1, "calibration:"));
    m = load(ctx, twice);
    assert_int_equal(m->calibration->n_kids, 1);
    assert_string_equal(m->calibration->kids[0].text, "12");
    assert_int_equal(m->missing, LB_MISSING_IMPUTE);
    lb_model_destroy(m);
    free(twice);
    free(more);
    free(once);
}

static void test_calibration_not_a_mapping(void **state)
{
    lb_ctx *ctx = *state;
    const char *text = "name: t\ndimensions: [{code: won}]\n"
                       "indicators: [{id: a, dimension: won, kind: attribute, layer: l, field: "
                       "A, coef: 1}]\ncalibration: 3\n";
    lb_model *m = NULL;
    assert_int_equal(
        lb_model_load_buffer(ctx, "t.yaml", (const unsigned char *)text, strlen(text), &m),
        LB_ERR_MODEL);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "t.yaml:4:14: 'calibration' must be a mapping"));
}

static void test_indicator_count_mismatch(void **state)
{
    lb_ctx *ctx = *state;
    const double coef[3] = {1, 2, 3};
    const lb_model_edit e = {.coef = coef, .n_ind = 3};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(lb_model_rewrite(ctx, "t.yaml", (const unsigned char *)BLOCK, strlen(BLOCK),
                                      &e, &out, &len),
                     LB_ERR_MODEL);
    assert_null(out);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "2 indicators in the file, 3 coefficients"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_parsed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_bad_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coefs_replaced_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_nan_and_ref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ref_added, setup, teardown),
        cmocka_unit_test_setup_teardown(test_means_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calibration_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calibration_not_a_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicator_count_mismatch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
