/* SPDX-License-Identifier: MIT */
/* The offline viewer: a folder whose index.html shows the scores of one or more runs on an
 * interactive map, opened from disk in a browser without network access. */
#ifndef LEEFBAAR_VIEWER_H
#define LEEFBAAR_VIEWER_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Read run folders of `leefbaar score` (the units of every year they hold, their grid),
 * `change`, `diagnose`, `scan` and `waterbed`, and prepare the viewer's data.
 * @param o options of operation "viewer" (lb_opts_create(ctx, "viewer", ...)): "run"
 *        (repeatable; at least one score run, directly or as the scores a change, diagnose,
 *        scan or waterbed run read), "viewer-lib" (the folder holding the web-map library's
 *        maplibre-gl.js, maplibre-gl.css and LICENSE.txt; the command line finds it), "title",
 *        "grid" (auto or none).
 * @param out receives the result (lb_result_destroy): table "units", one row per unit with
 *        its code, name, gemeente, representative point (lon, lat) and, per year, lbm and the
 *        dimension scores. lb_result_write() writes into "output": index.html, app.js,
 *        app.css, lib/ (the library), data/ (the data as JavaScript files: a page opened from
 *        disk may not fetch files), diagnose/ (copied diagnoses) and run.json.
 * @return LB_OK; LB_ERR_ARG (no run, a folder that is no run, no library files); LB_ERR_IO,
 *         LB_ERR_DATA, LB_ERR_CRS from reading the runs; LB_ERR_NOMEM.
 */
LB_API lb_status lb_viewer_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

#ifdef __cplusplus
}
#endif

#endif
