/* SPDX-License-Identifier: MIT */
/* Independent jobs (the output files of a run) on the run's threads: each job gets a context
 * of its own, and what they report reaches the caller's context in the order of the list, so
 * messages and warnings are the same whatever the number of threads. */
#ifndef LB_IO_JOBS_H
#define LB_IO_JOBS_H

#include "../core/ctx.h"

#include <stddef.h>

typedef struct lb_jobs_item {
    /* The work: reports through @p ctx (the job's own context), touches nothing another job of
     * the list touches (GDAL allows one thread per dataset: one job per file). */
    lb_status (*fn)(lb_ctx *ctx, void *user);
    void *user;
    int rank;         /* jobs start by ascending rank, in list order among equal ranks */
    lb_status status; /* set by lb_jobs_run: the job's result; LB_OK also when it was skipped */
    int ran;          /* set by lb_jobs_run: 0 when skipped after an earlier job failed */
} lb_jobs_item;

/* Run the @p n jobs on up to @p threads threads (0 = as many as @p ctx has), started by rank
 * (e.g. so that two jobs that need much memory do not run at once). A job is not started once
 * one before it in the list has failed; every job before the first failure runs. Then, in list
 * order, the warnings
 * of each job that ran are logged on @p ctx (as lb_ctx_log would have, one after another), up
 * to the first job that failed, whose error becomes @p ctx's error and the result: the same
 * one a serial run would stop at. */
lb_status lb_jobs_run(lb_ctx *ctx, lb_jobs_item *jobs, size_t n, int threads);

#endif
