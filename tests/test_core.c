/* SPDX-License-Identifier: MIT */
/* The context: creation, error messages (set, prefixed, truncated), status names, collected
 * warnings, log and progress callbacks, the string helpers, and the lower-bound search. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "core/sorted.h"
#include "geom/geos_bridge.h"
#include "lb_config.h"

#include <stdlib.h>
#include <string.h>

enum { ERRMSG_SIZE = 2048 }; /* the size of lb_ctx's error buffer (src/core/ctx.c) */

/* A heap string of @p n copies of @p c. */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_core_create_destroy(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    assert_string_equal(lb_ctx_errmsg(ctx), "");
    assert_int_equal(lb_ctx_warning_count(ctx), 0);
    assert_null(lb_ctx_warning(ctx, 0));
    assert_non_null(lb_geom_geos_handle(ctx));
    assert_ptr_equal(lb_geom_geos_handle(ctx),
                     lb_geom_geos_handle(ctx)); /* made once, kept in the ctx */
    lb_ctx_destroy(ctx);
    lb_ctx_destroy(NULL);
    assert_int_equal(lb_ctx_create(NULL), LB_ERR_ARG);
    assert_string_equal(lb_ctx_errmsg(NULL), "");
    /* Two contexts are independent: an error on one does not show on the other. */
    lb_ctx *a = lb_test_ctx(), *b = lb_test_ctx();
    assert_ptr_not_equal(lb_geom_geos_handle(a), lb_geom_geos_handle(b));
    lb_ctx_error(a, LB_ERR_IO, "only a");
    assert_string_equal(lb_ctx_errmsg(a), "only a");
    assert_string_equal(lb_ctx_errmsg(b), "");
    lb_ctx_destroy(a);
    lb_ctx_destroy(b);
}

static void test_core_version(void **state)
{
    (void)state;
    assert_string_equal(lb_version(), LB_VERSION_STRING);
    int major = -1, minor = -1, patch = -1;
    assert_int_equal(sscanf(lb_version(), "%d.%d.%d", &major, &minor, &patch), 3);
    assert_true(major >= 0 && minor >= 0 && patch >= 0);
}

static void test_core_error_sets_message(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    assert_int_equal(lb_ctx_error(ctx, LB_ERR_IO, "open '%s': %s", "x.gpkg", "no such file"),
                     LB_ERR_IO);
    assert_string_equal(lb_ctx_errmsg(ctx), "open 'x.gpkg': no such file");
    /* The next error replaces the message; the status passes through unchanged. */
    assert_int_equal(lb_ctx_error(ctx, LB_ERR_MODEL, "line %d", 12), LB_ERR_MODEL);
    assert_string_equal(lb_ctx_errmsg(ctx), "line 12");
    assert_int_equal(lb_ctx_error(ctx, LB_OK, "%s", ""), LB_OK);
    assert_string_equal(lb_ctx_errmsg(ctx), "");
    /* A NULL context only returns the status. */
    assert_int_equal(lb_ctx_error(NULL, LB_ERR_DATA, "ignored"), LB_ERR_DATA);
    assert_int_equal(lb_ctx_error_prefix(NULL, LB_ERR_GEOM, "ignored"), LB_ERR_GEOM);
    lb_ctx_error(ctx, LB_ERR_IO, "something");
    lb_ctx_error_clear(ctx);
    assert_string_equal(lb_ctx_errmsg(ctx), "");
    lb_ctx_destroy(ctx);
}

static void test_core_error_truncates_long_message(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    char *longs = repeat('m', 5000);
    assert_int_equal(lb_ctx_error(ctx, LB_ERR_DATA, "%s", longs), LB_ERR_DATA);
    const char *msg = lb_ctx_errmsg(ctx);
    assert_int_equal(strlen(msg), ERRMSG_SIZE - 1);
    assert_int_equal(strspn(msg, "m"), ERRMSG_SIZE - 1);
    free(longs);
    lb_ctx_destroy(ctx);
}

static void test_core_error_prefix(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_ctx_error(ctx, LB_ERR_DATA, "no field 'X'");
    assert_int_equal(lb_ctx_error_prefix(ctx, LB_ERR_DATA, "reading '%s': ", "b.gpkg"),
                     LB_ERR_DATA);
    assert_string_equal(lb_ctx_errmsg(ctx), "reading 'b.gpkg': no field 'X'");
    /* Prefixes nest, outermost first. */
    assert_int_equal(lb_ctx_error_prefix(ctx, LB_ERR_MODEL, "indicator '%s': ", "woz"),
                     LB_ERR_MODEL);
    assert_string_equal(lb_ctx_errmsg(ctx), "indicator 'woz': reading 'b.gpkg': no field 'X'");
    /* A prefix on an empty message is just the prefix. */
    lb_ctx_error_clear(ctx);
    lb_ctx_error_prefix(ctx, LB_ERR_IO, "only prefix");
    assert_string_equal(lb_ctx_errmsg(ctx), "only prefix");
    lb_ctx_destroy(ctx);
}

/* Run under ASan: every combination of a long prefix and a long message must stay in the
 * 2048-byte buffer, keep the prefix first and be NUL-terminated. */
static void test_core_error_prefix_truncates(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const size_t lens[] = {
        0, 1, 100, ERRMSG_SIZE - 2, ERRMSG_SIZE - 1, ERRMSG_SIZE, ERRMSG_SIZE + 1, 3 * ERRMSG_SIZE};
    const size_t nl = sizeof(lens) / sizeof(lens[0]);
    for (size_t i = 0; i < nl; i++) {
        for (size_t k = 0; k < nl; k++) {
            char *pre = repeat('p', lens[i]), *old = repeat('o', lens[k]);
            lb_ctx_error(ctx, LB_ERR_DATA, "%s", old);
            assert_int_equal(lb_ctx_error_prefix(ctx, LB_ERR_IO, "%s", pre), LB_ERR_IO);
            const char *msg = lb_ctx_errmsg(ctx);
            /* The stored old message is itself at most ERRMSG_SIZE - 1 long. */
            size_t np = lens[i] < ERRMSG_SIZE - 1 ? lens[i] : ERRMSG_SIZE - 1;
            size_t no = lens[k] < ERRMSG_SIZE - 1 ? lens[k] : ERRMSG_SIZE - 1;
            size_t want_no = no < ERRMSG_SIZE - 1 - np ? no : ERRMSG_SIZE - 1 - np;
            assert_int_equal(strlen(msg), np + want_no);
            assert_int_equal(strspn(msg, "p"), np);
            assert_int_equal(strspn(msg + np, "o"), want_no);
            free(pre);
            free(old);
        }
    }
    lb_ctx_destroy(ctx);
}

static void test_core_status_str(void **state)
{
    (void)state;
    const struct {
        lb_status s;
        const char *name;
    } want[] = {
        {LB_OK, "ok"},
        {LB_ERR_NOMEM, "out of memory"},
        {LB_ERR_ARG, "invalid argument"},
        {LB_ERR_IO, "input/output error"},
        {LB_ERR_CRS, "coordinate reference system error"},
        {LB_ERR_GEOM, "geometry error"},
        {LB_ERR_DATA, "data error"},
        {LB_ERR_MODEL, "model error"},
        {LB_ERR_INTERNAL, "internal error"},
        {LB_ERR_CANCELLED, "cancelled"},
    };
    const size_t n = sizeof(want) / sizeof(want[0]);
    for (size_t i = 0; i < n; i++) {
        /* The numbering is part of the API and never changes. */
        assert_int_equal((int)want[i].s, (int)i);
        assert_string_equal(lb_status_str(want[i].s), want[i].name);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(lb_status_str(want[i].s), lb_status_str(want[k].s));
    }
    assert_string_equal(lb_status_str((lb_status)10), "unknown status");
    assert_string_equal(lb_status_str((lb_status)1000), "unknown status");
    assert_string_equal(lb_status_str((lb_status)-1), "unknown status");
}

static void test_core_warnings_collected(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_ctx_log(ctx, LB_LOG_DEBUG, "debug %d", 1);
    lb_ctx_log(ctx, LB_LOG_INFO, "info %d", 2);
    assert_int_equal(lb_ctx_warning_count(ctx), 0);
    lb_ctx_log(ctx, LB_LOG_WARN, "feature %d skipped", 7);
    lb_ctx_log(ctx, LB_LOG_WARN, "%s", "second");
    assert_int_equal(lb_ctx_warning_count(ctx), 2);
    assert_string_equal(lb_ctx_warning(ctx, 0), "feature 7 skipped");
    assert_string_equal(lb_ctx_warning(ctx, 1), "second");
    assert_null(lb_ctx_warning(ctx, 2));
    assert_null(lb_ctx_warning(ctx, (size_t)-1));
    /* Many warnings (the store grows) keep their order; a warning does not touch errmsg. */
    for (int i = 0; i < 100; i++)
        lb_ctx_log(ctx, LB_LOG_WARN, "w%d", i);
    assert_int_equal(lb_ctx_warning_count(ctx), 102);
    for (int i = 0; i < 100; i++) {
        char want[16];
        snprintf(want, sizeof(want), "w%d", i);
        assert_string_equal(lb_ctx_warning(ctx, (size_t)i + 2), want);
    }
    assert_string_equal(lb_ctx_errmsg(ctx), "");
    /* A warning longer than the message buffer is truncated, not overflowed. */
    char *longs = repeat('w', 3 * ERRMSG_SIZE);
    lb_ctx_log(ctx, LB_LOG_WARN, "%s", longs);
    assert_int_equal(strlen(lb_ctx_warning(ctx, 102)), ERRMSG_SIZE - 1);
    free(longs);
    lb_ctx_destroy(ctx);
}

typedef struct log_rec {
    int n;
    lb_log_level level[8];
    char msg[8][64];
} log_rec;

static void record_log(void *user, lb_log_level level, const char *msg)
{
    log_rec *r = user;
    if (r->n < 8) {
        r->level[r->n] = level;
        snprintf(r->msg[r->n], sizeof(r->msg[r->n]), "%s", msg);
    }
    r->n++;
}

static void test_core_log_callback(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    log_rec rec = {0};
    lb_ctx_log(ctx, LB_LOG_INFO, "before the callback");
    lb_ctx_set_log(ctx, record_log, &rec);
    lb_ctx_log(ctx, LB_LOG_DEBUG, "d%d", 1);
    lb_ctx_log(ctx, LB_LOG_INFO, "i%s", "2");
    lb_ctx_log(ctx, LB_LOG_WARN, "w%.1f", 3.0);
    assert_int_equal(rec.n, 3);
    assert_int_equal(rec.level[0], LB_LOG_DEBUG);
    assert_string_equal(rec.msg[0], "d1");
    assert_int_equal(rec.level[1], LB_LOG_INFO);
    assert_string_equal(rec.msg[1], "i2");
    assert_int_equal(rec.level[2], LB_LOG_WARN);
    assert_string_equal(rec.msg[2], "w3.0");
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    /* NULL silences the callback; warnings are still collected. */
    lb_ctx_set_log(ctx, NULL, NULL);
    lb_ctx_log(ctx, LB_LOG_WARN, "silent");
    assert_int_equal(rec.n, 3);
    assert_int_equal(lb_ctx_warning_count(ctx), 2);
    lb_ctx_destroy(ctx);
}

typedef struct progress_rec {
    int calls;
    int cancel_at; /* cancel on this call (1-based), 0 = never */
    double last_done;
    char last_stage[32];
} progress_rec;

static int record_progress(void *user, double done, const char *stage)
{
    progress_rec *r = user;
    r->calls++;
    r->last_done = done;
    snprintf(r->last_stage, sizeof(r->last_stage), "%s", stage);
    return r->cancel_at && r->calls >= r->cancel_at;
}

static void test_core_progress_cancel(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* Without a callback progress always succeeds. */
    assert_int_equal(lb_ctx_progress(ctx, 0.5, "indicators"), LB_OK);
    progress_rec rec = {.cancel_at = 3};
    lb_ctx_set_progress(ctx, record_progress, &rec);
    assert_int_equal(lb_ctx_progress(ctx, 0.0, "read"), LB_OK);
    assert_int_equal(lb_ctx_progress(ctx, 0.25, "grid"), LB_OK);
    assert_int_equal(rec.calls, 2);
    assert_near(rec.last_done, 0.25, 0.0);
    assert_string_equal(rec.last_stage, "grid");
    assert_string_equal(lb_ctx_errmsg(ctx), "");
    assert_int_equal(lb_ctx_progress(ctx, 0.5, "indicators"), LB_ERR_CANCELLED);
    assert_int_equal(rec.calls, 3);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "cancel"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "indicators"));
    lb_ctx_set_progress(ctx, NULL, NULL);
    assert_int_equal(lb_ctx_progress(ctx, 1.0, "done"), LB_OK);
    assert_int_equal(rec.calls, 3);
    lb_ctx_destroy(ctx);
}

static void test_core_strings(void **state)
{
    (void)state;
    assert_null(lb_core_strdup(NULL));
    char *e = lb_core_strdup("");
    assert_non_null(e);
    assert_string_equal(e, "");
    free(e);
    const char *src = "Leefbaarometer";
    char *d = lb_core_strdup(src);
    assert_ptr_not_equal(d, src);
    assert_string_equal(d, src);
    free(d);
    char *f = lb_core_strfmt("%s-%03d-%.2f", "cell", 7, 0.125);
    assert_string_equal(f, "cell-007-0.12");
    free(f);
    char *empty = lb_core_strfmt("%s", "");
    assert_non_null(empty);
    assert_string_equal(empty, "");
    free(empty);
    /* Longer than any fixed buffer in the library: allocated to size. */
    char *longs = repeat('z', 10000);
    char *g = lb_core_strfmt("<%s>", longs);
    assert_int_equal(strlen(g), 10002);
    assert_int_equal(g[0], '<');
    assert_int_equal(g[10001], '>');
    assert_int_equal(strspn(g + 1, "z"), 10000);
    free(g);
    free(longs);
}

/* The first index in [lo, hi) whose element is >= v, by a linear scan: the reference the binary
 * search must agree with. */
static size_t lower_bound_linear(const uint32_t *a, size_t lo, size_t hi, uint32_t v)
{
    size_t i = lo;
    while (i < hi && a[i] < v)
        i++;
    return i < hi ? i : hi;
}

static void test_core_lower_bound(void **state)
{
    (void)state;
    /* Empty: no element, the answer is the end of the range (also for an empty sub-range). */
    assert_int_equal(lb_core_lower_bound_u32(NULL, 0, 0, 7), 0);
    const uint32_t a[] = {3, 5, 5, 5, 9, 12, 12, UINT32_MAX};
    const size_t n = sizeof(a) / sizeof(a[0]);
    assert_int_equal(lb_core_lower_bound_u32(a, 4, 4, 0), 4);
    assert_int_equal(lb_core_lower_bound_u32(a, 5, 3, 0), 3); /* lo > hi: hi */
    /* All larger: the first index of the range. */
    assert_int_equal(lb_core_lower_bound_u32(a, 0, n, 0), 0);
    assert_int_equal(lb_core_lower_bound_u32(a, 0, n, 3), 0);
    assert_int_equal(lb_core_lower_bound_u32(a, 4, n, 2), 4);
    /* All smaller: the end of the range. */
    assert_int_equal(lb_core_lower_bound_u32(a, 0, n - 1, 13), n - 1);
    assert_int_equal(lb_core_lower_bound_u32(a, 0, 4, 6), 4);
    /* Duplicates: the first of them, also when the range starts among them. */
    assert_int_equal(lb_core_lower_bound_u32(a, 0, n, 5), 1);
    assert_int_equal(lb_core_lower_bound_u32(a, 2, n, 5), 2);
    assert_int_equal(lb_core_lower_bound_u32(a, 0, n, 12), 5);
    assert_int_equal(lb_core_lower_bound_u32(a, 0, n, UINT32_MAX), n - 1);
    /* Every value and every sub-range against the linear scan. */
    for (size_t lo = 0; lo <= n; lo++)
        for (size_t hi = lo; hi <= n; hi++)
            for (uint32_t v = 0; v <= 14; v++)
                assert_int_equal(lb_core_lower_bound_u32(a, lo, hi, v),
                                 lower_bound_linear(a, lo, hi, v));
    /* One element, all equal. */
    const uint32_t one[] = {4}, same[] = {2, 2, 2, 2};
    assert_int_equal(lb_core_lower_bound_u32(one, 0, 1, 4), 0);
    assert_int_equal(lb_core_lower_bound_u32(one, 0, 1, 5), 1);
    assert_int_equal(lb_core_lower_bound_u32(same, 0, 4, 2), 0);
    assert_int_equal(lb_core_lower_bound_u32(same, 0, 4, 3), 4);
    assert_int_equal(lb_core_lower_bound_u32(same, 0, 4, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_create_destroy),
        cmocka_unit_test(test_core_version),
        cmocka_unit_test(test_core_error_sets_message),
        cmocka_unit_test(test_core_error_truncates_long_message),
        cmocka_unit_test(test_core_error_prefix),
        cmocka_unit_test(test_core_error_prefix_truncates),
        cmocka_unit_test(test_core_status_str),
        cmocka_unit_test(test_core_warnings_collected),
        cmocka_unit_test(test_core_log_callback),
        cmocka_unit_test(test_core_progress_cancel),
        cmocka_unit_test(test_core_strings),
        cmocka_unit_test(test_core_lower_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
