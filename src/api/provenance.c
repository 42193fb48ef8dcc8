/* SPDX-License-Identifier: MIT */
/* The one provenance builder (provenance.h). */
#define _POSIX_C_SOURCE 200809L /* stat */

#include "provenance.h"

#include "../core/ctx.h"
#include "../core/sha256.h"
#include "../data/result.h"
#include "../geom/geos_bridge.h"
#include "../io/runjson.h"

#include <gsl/gsl_version.h>
#include <json-c/json.h>
#include <yaml.h>

#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>

struct json_object *lb_provenance_libraries(void)
{
    struct json_object *libs = lb_io_run_libraries_json(lb_geom_geos_version());
    if (libs) {
        json_object_object_add(libs, "gsl", json_object_new_string(gsl_version));
        json_object_object_add(libs, "libyaml", json_object_new_string(yaml_get_version_string()));
    }
    return libs;
}

struct json_object *lb_provenance_begin(const char *operation, const char *command_line)
{
    struct json_object *doc = json_object_new_object();
    if (!doc)
        return NULL;
    json_object_object_add(doc, "tool", json_object_new_string("leefbaar"));
    json_object_object_add(doc, "command_name", json_object_new_string(operation));
    json_object_object_add(doc, "version", json_object_new_string(lb_version()));
    json_object_object_add(doc, "command",
                           command_line ? json_object_new_string(command_line) : NULL);
    json_object_object_add(doc, "libraries", lb_provenance_libraries());
    return doc;
}

lb_status lb_provenance_inputs(lb_ctx *ctx, struct json_object *doc, const char *const *paths,
                               size_t n)
{
    /* The fingerprints first, on the context's threads: inputs can be hundreds of MB. A file
     * that cannot be read gets none (it was read before, so this is rare). */
    char(*hex)[65] = calloc(n ? n : 1, sizeof(*hex));
    struct json_object *arr = json_object_new_array();
    if (!hex || !arr) {
        free(hex);
        json_object_put(arr);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    ptrdiff_t ni = (ptrdiff_t)n;
#pragma omp parallel for schedule(dynamic, 1) num_threads(lb_ctx_threads(ctx))
    for (ptrdiff_t i = 0; i < ni; i++) {
        struct stat sb;
        if (paths[i] && stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
            lb_sha256_file(NULL, paths[i], hex[i]) != LB_OK)
            hex[i][0] = '\0';
    }
    for (size_t i = 0; i < n; i++) {
        if (!paths[i])
            continue;
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "path", json_object_new_string(paths[i]));
        struct stat sb;
        if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
            json_object_object_add(o, "bytes", json_object_new_int64((int64_t)sb.st_size));
            if (hex[i][0])
                json_object_object_add(o, "sha256", json_object_new_string(hex[i]));
        }
        json_object_array_add(arr, o);
    }
    free(hex);
    json_object_object_add(doc, "inputs", arr);
    return LB_OK;
}

lb_status lb_provenance_end(lb_ctx *ctx, struct json_object *doc, const lb_result *res, size_t n0,
                            struct json_object *timings, struct json_object *outputs)
{
    struct json_object *warnings = json_object_new_array();
    if (!warnings) {
        json_object_put(timings);
        json_object_put(outputs);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; res && i < lb_result_warning_count(res); i++)
        json_object_array_add(warnings, json_object_new_string(lb_result_warning(res, i)));
    for (size_t i = res ? n0 : 0; i < lb_ctx_warning_count(ctx); i++)
        json_object_array_add(warnings, json_object_new_string(lb_ctx_warning(ctx, i)));
    if (timings)
        json_object_object_add(doc, "timings_s", timings);
    json_object_object_add(doc, "warnings", warnings);
    if (outputs)
        json_object_object_add(doc, "outputs", outputs);
    return LB_OK;
}

lb_status lb_provenance_set(lb_ctx *ctx, lb_result *res, struct json_object *doc)
{
    const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
    if (!text)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return lb_result_set_provenance(ctx, res, text);
}
