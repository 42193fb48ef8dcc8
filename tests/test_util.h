/* SPDX-License-Identifier: MIT */
/* Shared helpers for the cmocka suites. Include after <cmocka.h>. */
#ifndef LB_TESTS_TEST_UTIL_H
#define LB_TESTS_TEST_UTIL_H

#include <leefbaar/core.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* cmocka 1.1's assert_float_equal compares as float; this compares doubles. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b), e_ = (eps);                                                     \
        if (!(fabs(a_ - b_) <= e_)) {                                                              \
            print_error("%s = %.17g, %s = %.17g, differ by %.3g > %.3g\n", #a, a_, #b, b_,         \
                        fabs(a_ - b_), e_);                                                        \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* A new context; fails the test when it cannot be made. */
static inline lb_ctx *lb_test_ctx(void)
{
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    return ctx;
}

/* Make a fresh directory /tmp/lb-test-<tag>-XXXXXX into @p buf. 0 on success. (The suites are
 * built with _POSIX_C_SOURCE=200809L for mkdtemp.) */
static inline int lb_test_tmpdir(char *buf, size_t size, const char *tag)
{
    if (snprintf(buf, size, "/tmp/lb-test-%s-XXXXXX", tag) >= (int)size)
        return -1;
    return mkdtemp(buf) ? 0 : -1;
}

/* Remove a directory tree made by lb_test_tmpdir(). 0 on success. */
static inline int lb_test_rmtree(const char *dir)
{
    char cmd[1100];
    if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}

/* Write @p text to the file @p path (a fixture made by the test); fails the test on error. */
static inline void lb_test_write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_true(fputs(text, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
}

#endif
