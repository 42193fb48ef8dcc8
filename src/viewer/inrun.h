/* SPDX-License-Identifier: MIT */
/* The viewer as one of a run's outputs: `leefbaar score --viewer` and `change --viewer` write
 * OUTDIR/viewer with the same code as `leefbaar viewer`, into the run's temporary directory,
 * so that it appears with the run's other files or not at all. */
#ifndef LB_VIEWER_INRUN_H
#define LB_VIEWER_INRUN_H

#include <leefbaar/core.h>

struct json_object;

/* The viewer's folder inside the run's output directory (listed in the run's run.json). */
#define LB_VIEWER_RUN_FOLDER "viewer"

/* Before any work: does @p lib hold maplibre-gl.js, maplibre-gl.css and LICENSE.txt? LB_OK, or
 * LB_ERR_ARG naming the missing file and how to get them (scripts/setup-deps.sh --viewer).
 * @p who starts the message ("score --viewer"). */
lb_status lb_viewer_lib_check(lb_ctx *ctx, const char *who, const char *lib);

/* The choice as run.json records it: {"folder": "viewer", "library_dir", "title"}. NULL when
 * out of memory. *return: json_object_put. */
struct json_object *lb_viewer_choice_json(const char *lib, const char *title);

/* Write the viewer of the run whose files (run.json last) are complete in @p run_tmp, the
 * temporary directory of a run that its commit moves into @p run_dir, into
 * @p run_tmp/LB_VIEWER_RUN_FOLDER. The viewer's run.json names @p run_dir, not the temporary
 * directory, and the run's command line (member "command" of @p run_doc, the run's run.json;
 * may be NULL). @p title may be NULL (the default title). An error starts with @p who
 * ("score --viewer"). */
lb_status lb_viewer_write_in_run(lb_ctx *ctx, const char *who, struct json_object *run_doc,
                                 const char *run_tmp, const char *run_dir, const char *lib,
                                 const char *title);

#endif
