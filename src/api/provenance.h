/* SPDX-License-Identifier: MIT */
/* The one provenance builder: every run.json (score, change, waterbed) starts with the same
 * head and ends with the same tail, written here, so that the fields they share cannot drift
 * apart again. Between the two an operation adds its own members. */
#ifndef LB_API_PROVENANCE_H
#define LB_API_PROVENANCE_H

#include <leefbaar/core.h>
#include <leefbaar/result.h>

#include <stddef.h>

struct json_object;

/* A new run.json document with the shared head, in this order:
 *   "tool": "leefbaar", "command_name": @p operation ("score", "change", "waterbed", ...),
 *   "version": lb_version(), "command": @p command_line (null when NULL),
 *   "libraries": {"gdal", "proj", "geos", "json-c", "gsl", "libyaml"} versions.
 * NULL when out of memory. The caller owns it (json_object_put). */
struct json_object *lb_provenance_begin(const char *operation, const char *command_line);

/* The libraries' versions alone (the "libraries" member). New object. */
struct json_object *lb_provenance_libraries(void);

/* "inputs": the files @p paths (n of them; NULL entries skipped) as an array of
 * {"path", "bytes", "sha256"} (size and hash for regular files only: a directory or a
 * database name gets neither), hashed on the context's threads. Added to @p doc.
 * LB_ERR_NOMEM. */
lb_status lb_provenance_inputs(lb_ctx *ctx, struct json_object *doc, const char *const *paths,
                               size_t n);

/* The shared tail: "timings_s" (@p timings, an object of seconds per stage; taken, may be
 * NULL for none), "warnings" (those of @p res, then those logged on @p ctx since warning
 * @p n0; with @p res NULL all of @p ctx's), and "outputs" (@p outputs, an array of file names;
 * taken, may be NULL for none). A member already in @p doc keeps its place and gets the new
 * value. LB_ERR_NOMEM. */
lb_status lb_provenance_end(lb_ctx *ctx, struct json_object *doc, const lb_result *res, size_t n0,
                            struct json_object *timings, struct json_object *outputs);

/* Serialise @p doc (pretty) as the provenance of @p res. */
lb_status lb_provenance_set(lb_ctx *ctx, lb_result *res, struct json_object *doc);

#endif
