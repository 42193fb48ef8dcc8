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

#include "../src/viewer/number.h"

#include <float.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_round_trip),
        cmocka_unit_test(test_number_not_finite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
