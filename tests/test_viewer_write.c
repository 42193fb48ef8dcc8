/* SPDX-License-Identifier: MIT */
/* The viewer as part of a run: the numbers of its data scripts (shortest text that reads back
 * exactly, never NaN in JSON), and `score --viewer` / `change --viewer` through the public API:
 * the viewer folder is one of the run's outputs, all or nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include "../src/pipeline/demo.h"
#include "../src/viewer/number.h"

#include <float.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The text json-c writes for @p v made by lb_viewer_number_json, inside an array. */
static void number_text(double v, char *buf, size_t n)
{
    struct json_object *a = json_object_new_array();
    json_object_array_add(a, lb_viewer_number_json(v));
    const char *s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
    assert_true(strlen(s) >= 2);
    snprintf(buf, n, "%.*s", (int)(strlen(s) - 2), s + 1);
    json_object_put(a);
}

/* Count the significant digits of a decimal text ("0.0012" has 2, "1.5e-300" has 2). */
static int sig_digits(const char *s)
{
    int n = 0, started = 0, trailing = 0;
    for (; *s && *s != 'e' && *s != 'E'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (*s == '0' && !started)
            continue;
        started = 1;
        n++;
        trailing = *s == '0' ? trailing + 1 : 0;
    }
    return n - trailing;
}

/* Each awkward value reads back as the very same double (sign of zero included), with no more
 * digits than it needs: no text with one digit fewer reads back as it. */
static void test_number_round_trip(void **state)
{
    (void)state;
    static const double v[] = {0.1 + 0.2,
                               0.1,
                               1e-300,
                               -0.0,
                               5e-324,
                               DBL_MIN,
                               DBL_MAX,
                               2.0 / 3,
                               -1.0 / 7,
                               0.5,
                               100.0,
                               1e21,
                               123456789012345680.0,
                               4.0999999999999996,
                               2.2250738585072009e-308,
                               -0.014285714285714285};
    char buf[64];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        number_text(v[i], buf, sizeof(buf));
        char *end = NULL;
        double back = strtod(buf, &end);
        assert_true(*end == '\0');
        assert_true(back == v[i]);
        assert_int_equal(signbit(back) != 0, signbit(v[i]) != 0);
        /* shortest: rounding to one digit fewer gives another double */
        int d = sig_digits(buf);
        if (d > 1) {
            char shorter[400];
            snprintf(shorter, sizeof(shorter), "%.*g", d - 1, v[i]);
            assert_true(strtod(shorter, NULL) != v[i]);
        }
    }
    number_text(0.1 + 0.2, buf, sizeof(buf));
    assert_string_equal(buf, "0.30000000000000004");
    number_text(0.1, buf, sizeof(buf));
    assert_string_equal(buf, "0.1");
    number_text(1e-300, buf, sizeof(buf));
    assert_string_equal(buf, "1e-300");
    number_text(5e-324, buf, sizeof(buf)); /* subnormal: "%.15g" would give 4.94065645841247e-324 */
    assert_string_equal(buf, "5e-324");
    number_text(-0.0, buf, sizeof(buf));
    assert_string_equal(buf, "-0");
}

/* NaN and the infinities never reach the JSON: they are null. */
static void test_number_not_finite(void **state)
{
    (void)state;
    static const double v[] = {NAN, INFINITY, -INFINITY};
    char buf[64];
    for (size_t i = 0; i < 3; i++) {
        assert_null(lb_viewer_number_json(v[i]));
        number_text(v[i], buf, sizeof(buf));
        assert_string_equal(buf, "null");
    }
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, fp) : 0;
    (void)n;
    fclose(fp);
    return buf;
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    lb_test_write_text(p, text);
}

/* change --viewer through the API, failing in the write (the library's licence removed after
 * the compute): no folder when there was none, the previous run untouched with overwrite. */
static void test_change_viewer_all_or_none(void **state)
{
    (void)state;
    const char *root = getenv("LB_SOURCE_ROOT");
    if (!root)
        skip();
    lb_ctx *ctx = lb_test_ctx();
    char dir[256], lib[320], score[320], ch[320], lic[400], page[400], runjson[400];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "viewer_write"), 0);
    assert_int_equal(lb_demo_exec(ctx, root, dir, NULL, NULL, 0), LB_OK);
    snprintf(lib, sizeof(lib), "%s/lib", dir);
    snprintf(score, sizeof(score), "%s/score", dir);
    snprintf(ch, sizeof(ch), "%s/ch", dir);
    snprintf(lic, sizeof(lic), "%s/LICENSE.txt", lib);
    snprintf(page, sizeof(page), "%s/viewer/index.html", ch);
    snprintf(runjson, sizeof(runjson), "%s/viewer/run.json", ch);
    assert_int_equal(mkdir(lib, 0777), 0);
    put(lib, "maplibre-gl.js", "/* js */\n");
    put(lib, "maplibre-gl.css", "/* css */\n");
    put(lib, "LICENSE.txt", "licence\n");

    lb_opts *o = NULL;
    lb_result *res = NULL;
    assert_int_equal(lb_opts_create(ctx, "change", &o), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "scores", score), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "from-year", "2020"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "to-year", "2022"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "output", ch), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "viewer", NULL), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "viewer-lib", lib), LB_OK);
    assert_int_equal(lb_change_run(ctx, o, &res), LB_OK);

    struct stat sb;
    assert_int_equal(remove(lic), 0);
    assert_int_equal(lb_result_write(ctx, res, o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "change --viewer"));
    assert_int_not_equal(stat(ch, &sb), 0); /* nothing: not even the change's own files */

    put(lib, "LICENSE.txt", "licence\n");
    assert_int_equal(lb_result_write(ctx, res, o), LB_OK);
    assert_int_equal(stat(page, &sb), 0);
    char *before = slurp(runjson);
    assert_non_null(before);
    assert_non_null(strstr(before, "\"runs\""));
    assert_null(strstr(before, ".leefbaar-tmp"));

    assert_int_equal(lb_opts_set(ctx, o, "overwrite", NULL), LB_OK);
    assert_int_equal(remove(lic), 0);
    assert_int_equal(lb_result_write(ctx, res, o), LB_ERR_ARG);
    char *after = slurp(runjson);
    assert_non_null(after);
    assert_string_equal(before, after); /* the previous viewer, as it was */
    char csv[400];
    snprintf(csv, sizeof(csv), "%s/change.csv", ch);
    assert_int_equal(stat(csv, &sb), 0);
    free(after);
    free(before);
    lb_result_destroy(res);
    lb_opts_destroy(o);
    lb_test_rmtree(dir);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_round_trip),
        cmocka_unit_test(test_number_not_finite),
        cmocka_unit_test(test_change_viewer_all_or_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
