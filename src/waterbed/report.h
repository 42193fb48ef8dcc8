/* SPDX-License-Identifier: MIT */
/* The waterbed summary report: waterbed.html (self-contained: inline CSS and SVG, prints on
 * A4) and waterbed.md, written from a result's tables by column name. */
#ifndef LB_WATERBED_REPORT_H
#define LB_WATERBED_REPORT_H

#include "../data/result.h"

struct json_object;

/* Render the report of @p res (tables "waterbed_summary", "units" and "focus"; @p doc its
 * run.json, may be NULL) as HTML (@p html 1) or Markdown (0) into *out (malloc'd, NUL-ended,
 * caller frees). LB_ERR_INTERNAL when the summary table is missing, LB_ERR_NOMEM. */
lb_status wb_report_render(lb_ctx *ctx, const lb_result *res, struct json_object *doc, int html,
                           char **out);

/* Write waterbed.html and waterbed.md into directory @p dir. LB_ERR_IO names the file. */
lb_status wb_report_write(lb_ctx *ctx, const lb_result *res, struct json_object *doc,
                          const char *dir);

#endif
