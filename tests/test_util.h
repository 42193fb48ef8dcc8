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

/* A context and a fresh output directory, for suites that write files: use as cmocka state. */
typedef struct lb_test_dir {
    lb_ctx *ctx;
    char dir[64];
    char path[256]; /* scratch for lb_test_path() */
} lb_test_dir;

/* Setup for a suite's tests: *state becomes a new lb_test_dir under /tmp/lb-test-<tag>-*. */
static inline int lb_test_dir_setup(void **state, const char *tag)
{
    lb_test_dir *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    t->ctx = lb_test_ctx();
    assert_int_equal(lb_test_tmpdir(t->dir, sizeof(t->dir), tag), 0);
    *state = t;
    return 0;
}

/* Teardown: removes the directory (kept when LB_KEEP_TEST_OUTPUT is set) and the context. */
static inline int lb_test_dir_teardown(void **state)
{
    lb_test_dir *t = *state;
    if (!getenv("LB_KEEP_TEST_OUTPUT"))
        lb_test_rmtree(t->dir);
    lb_ctx_destroy(t->ctx);
    free(t);
    return 0;
}

/* @p name inside the test directory (valid until the next call). */
static inline const char *lb_test_path(lb_test_dir *t, const char *name)
{
    snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
    return t->path;
}

#endif
