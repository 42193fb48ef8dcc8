/* SPDX-License-Identifier: MIT */
/* run.json pieces: the reference (REF, M_d, indicator means/sds) as JSON, and reading it back
 * from an earlier run so that fixed-mode years share one reference. */
#ifndef LB_IO_RUNJSON_H
#define LB_IO_RUNJSON_H

#include "../model/score.h"

#include <json-c/json_object.h>

/* {"mode", "year", "ref", "means": {code: M_d}, "indicators": {id: {"mean", "sd"}}}.
 * New object owned by the caller (json_object_put). */
struct json_object *lb_io_reference_to_json(const lb_model *m, const lb_reference *r);

/* {"gdal", "proj", "geos", "json-c"} versions for run.json; @p geos_version comes from the
 * geom module (GEOS stays there). New object owned by the caller. */
struct json_object *lb_io_run_libraries_json(const char *geos_version);

/* The warnings collected on @p ctx as a JSON array of strings. New object owned by the
 * caller. */
struct json_object *lb_io_run_warnings_json(const lb_ctx *ctx);

/* Read the JSON document in @p file; it must be one object. LB_ERR_IO when it cannot be parsed,
 * LB_ERR_DATA when it is another JSON value; both name the file. *out: json_object_put. */
lb_status lb_io_json_read_object(lb_ctx *ctx, const char *file, struct json_object **out);

/* Member @p key of object @p o, type-checked, for reading run.json without trusting it.
 * @p where is the JSON path of @p o ("" for the document, "reference", "years[1]") and @p file
 * the file, both only for messages. @p want is json_type_object, _array, _string, or
 * json_type_double for any number (integers too). A member that is absent or null (or an
 * @p o that is NULL) gives *out = NULL and LB_OK, or when @p required LB_ERR_DATA
 * "'out/run.json': reference.means is missing; was it written by leefbaar score?". A member of
 * another type is LB_ERR_DATA naming the path and both types. *out is borrowed from @p o. */
lb_status lb_io_json_member(lb_ctx *ctx, const char *file, struct json_object *o, const char *where,
                            const char *key, json_type want, int required,
                            struct json_object **out);

/* Read the "reference" member of a run.json written by an earlier run with the same model.
 * Every dimension code and indicator id of @p m must be present; LB_ERR_DATA names the
 * missing one. A different model hash is a warning. @p out is allocated here. */
lb_status lb_io_reference_read(lb_ctx *ctx, const char *path, const lb_model *m, lb_reference *out);

#endif
