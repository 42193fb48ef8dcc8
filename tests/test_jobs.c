/* SPDX-License-Identifier: MIT */
/* lb_jobs_run: jobs on several threads report like a serial run, in list order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/ctx.h"
#include "io/jobs.h"
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct job_spec {
    int fail;        /* return an error */
    int n_warn;      /* warnings to log */
    long sleep_us;   /* make a late job finish first */
    atomic_int *ran; /* counts the calls */
    int id;
} job_spec;

static lb_status job_fn(lb_ctx *ctx, void *user)
{
    job_spec *s = user;
    atomic_fetch_add(s->ran, 1);
    if (s->sleep_us) {
        struct timespec ts = {0, s->sleep_us * 1000L};
        nanosleep(&ts, NULL);
    }
    for (int k = 0; k < s->n_warn; k++)
        lb_ctx_log(ctx, LB_LOG_WARN, "job %d warning %d", s->id, k);
    if (s->fail)
        return lb_ctx_error(ctx, LB_ERR_IO, "job %d failed", s->id);
    return LB_OK;
}

/* Run @p n specs on @p threads; the context's warnings joined by '|' into @p warn. */
static lb_status run_specs(job_spec *specs, size_t n, int threads, char *err, size_t err_size,
                           char *warn, size_t warn_size, const int *rank)
{
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    lb_jobs_item items[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        items[i] = (lb_jobs_item){.fn = job_fn, .user = &specs[i], .rank = rank ? rank[i] : 0};
    lb_status st = lb_jobs_run(ctx, items, n, threads);
    snprintf(err, err_size, "%s", st == LB_OK ? "" : lb_ctx_errmsg(ctx));
    warn[0] = '\0';
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++) {
        strncat(warn, lb_ctx_warning(ctx, i), warn_size - strlen(warn) - 1);
        strncat(warn, "|", warn_size - strlen(warn) - 1);
    }
    lb_ctx_destroy(ctx);
    return st;
}

static void test_jobs_all_run_warnings_in_order(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        atomic_int ran = 0;
        job_spec s[5];
        for (int i = 0; i < 5; i++)
            /* the first jobs take longest: on several threads the later ones finish first */
            s[i] = (job_spec){.n_warn = i % 3, .sleep_us = (5 - i) * 20000L, .ran = &ran, .id = i};
        char err[256], warn[1024];
        assert_int_equal(run_specs(s, 5, threads, err, sizeof(err), warn, sizeof(warn), NULL),
                         LB_OK);
        assert_int_equal(atomic_load(&ran), 5);
        assert_string_equal(warn, "job 1 warning 0|job 2 warning 0|job 2 warning 1|"
                                  "job 4 warning 0|");
    }
}

/* Jobs 2 and 4 fail; job 4 fails first in time. The error is job 2's, as in a serial run,
 * and the warnings are those of jobs 0 to 2 only. */
static void test_jobs_first_error_in_list_order(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        atomic_int ran = 0;
        job_spec s[6];
        for (int i = 0; i < 6; i++)
            s[i] = (job_spec){.n_warn = 1, .ran = &ran, .id = i};
        s[0].sleep_us = 30000;
        s[2].sleep_us = 60000;
        s[2].fail = 1;
        s[4].fail = 1;
        char err[256], warn[1024];
        assert_int_equal(run_specs(s, 6, threads, err, sizeof(err), warn, sizeof(warn), NULL),
                         LB_ERR_IO);
        assert_string_equal(err, "job 2 failed");
        assert_string_equal(warn, "job 0 warning 0|job 1 warning 0|job 2 warning 0|");
        if (threads == 1)
            assert_int_equal(atomic_load(&ran), 3); /* serial: nothing after the failure */
    }
}

/* Started by rank, last job first: still job 1's error (the first in the list), and the
 * warnings of jobs 0 and 1, in list order. */
static void test_jobs_rank(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 3; threads++) {
        atomic_int ran = 0;
        job_spec s[4];
        const int rank[4] = {3, 2, 1, 0};
        for (int i = 0; i < 4; i++)
            s[i] = (job_spec){.n_warn = 1, .ran = &ran, .id = i};
        s[1].fail = 1;
        s[3].fail = 1;
        char err[256], warn[1024];
        assert_int_equal(run_specs(s, 4, threads, err, sizeof(err), warn, sizeof(warn), rank),
                         LB_ERR_IO);
        assert_string_equal(err, "job 1 failed");
        assert_string_equal(warn, "job 0 warning 0|job 1 warning 0|");
    }
}

static void test_jobs_none(void **state)
{
    (void)state;
    char err[8], warn[8];
    assert_int_equal(run_specs(NULL, 0, 2, err, sizeof(err), warn, sizeof(warn), NULL), LB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_all_run_warnings_in_order),
        cmocka_unit_test(test_jobs_first_error_in_list_order),
        cmocka_unit_test(test_jobs_rank),
        cmocka_unit_test(test_jobs_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
