/* SPDX-License-Identifier: MIT */
/* lb_jobs_run: a list of independent jobs on a few threads, reported in list order. */
#include "jobs.h"

#include "gdal_env.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct pool {
    lb_jobs_item *jobs;
    size_t *order; /* the list indices by rank */
    lb_ctx **ctxs;
    size_t n;
    atomic_size_t next;
    atomic_size_t first_failed; /* the lowest index of a failed job, n while none failed */
} pool;

static void note_failure(pool *p, size_t i)
{
    size_t cur = atomic_load(&p->first_failed);
    while (i < cur && !atomic_compare_exchange_weak(&p->first_failed, &cur, i))
        ;
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        size_t k = atomic_fetch_add(&p->next, 1);
        if (k >= p->n)
            break;
        size_t i = p->order[k];
        /* a job after a failed one is not started (a serial run would have stopped before
           it); every job before the first failure runs */
        if (atomic_load(&p->first_failed) < i)
            continue;
        lb_jobs_item *j = &p->jobs[i];
        j->ran = 1;
        j->status = j->fn(p->ctxs[i], j->user);
        if (j->status != LB_OK)
            note_failure(p, i);
    }
    return NULL;
}

lb_status lb_jobs_run(lb_ctx *ctx, lb_jobs_item *jobs, size_t n, int threads)
{
    lb_status st = LB_OK;
    size_t n_started = 0;
    pthread_t *tid = NULL;
    pool p = {.jobs = jobs,
              .n = n,
              .ctxs = calloc(n ? n : 1, sizeof(lb_ctx *)),
              .order = malloc((n ? n : 1) * sizeof(size_t))};
    atomic_init(&p.next, 0);
    atomic_init(&p.first_failed, n);
    size_t nt = threads > 0 ? (size_t)threads : (size_t)lb_ctx_threads(ctx);
    if (nt > n)
        nt = n;
    if (nt < 1)
        nt = 1;
    if (!p.ctxs || !p.order) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* stable insertion sort by rank: the lists are short */
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        while (k > 0 && jobs[p.order[k - 1]].rank > jobs[i].rank) {
            p.order[k] = p.order[k - 1];
            k--;
        }
        p.order[k] = i;
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i].status = LB_OK;
        jobs[i].ran = 0;
        if (lb_ctx_create(&p.ctxs[i]) != LB_OK) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto done;
        }
        /* a job's own parallel parts (GDAL's compression threads) keep the run's count */
        lb_ctx_set_threads(p.ctxs[i], lb_ctx_threads(ctx));
    }
    lb_io_gdal_init(); /* once, before any thread opens a dataset */
    tid = calloc(nt, sizeof(pthread_t));
    if (!tid) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* the calling thread is worker 0; a thread that cannot be created leaves its share to
       the others */
    for (size_t t = 1; t < nt; t++)
        if (pthread_create(&tid[n_started], NULL, worker, &p) == 0)
            n_started++;
    worker(&p);
    for (size_t t = 0; t < n_started; t++)
        pthread_join(tid[t], NULL);
    for (size_t i = 0; i < n && st == LB_OK; i++) {
        if (!jobs[i].ran)
            break;
        for (size_t k = 0; k < lb_ctx_warning_count(p.ctxs[i]); k++)
            lb_ctx_log(ctx, LB_LOG_WARN, "%s", lb_ctx_warning(p.ctxs[i], k));
        if (jobs[i].status != LB_OK)
            st = lb_ctx_error(ctx, jobs[i].status, "%s", lb_ctx_errmsg(p.ctxs[i]));
    }

done:
    free(tid);
    for (size_t i = 0; p.ctxs && i < n; i++)
        lb_ctx_destroy(p.ctxs[i]);
    free(p.ctxs);
    free(p.order);
    return st;
}
