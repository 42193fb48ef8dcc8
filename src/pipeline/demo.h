/* SPDX-License-Identifier: MIT */
/* The demo chain with its options as arguments: what lb_demo_run() calls and the tests use. */
#ifndef LB_PIPELINE_DEMO_H
#define LB_PIPELINE_DEMO_H

#include <leefbaar/core.h>

/* Run the demo on @p data_dir (shapes/, rasters/, models/) into @p outdir/{score,change,
 * diagnose,waterbed}; rasters as @p raster_format (NULL = COG) with @p creation_options
 * (NULL-terminated, may be NULL); with @p overwrite a previous demo's outputs are replaced.
 * See lb_demo_run() in <leefbaar/score.h>. */
lb_status lb_demo_exec(lb_ctx *ctx, const char *data_dir, const char *outdir,
                       const char *raster_format, const char *const *creation_options,
                       int overwrite);

#endif
