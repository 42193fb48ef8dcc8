/* SPDX-License-Identifier: MIT */
/* The reference block of run.json, written and read back. */
#include "runjson.h"

#include "../core/ctx.h"

#include <gdal.h>
#include <json-c/json.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

static struct json_object *num_or_null(double v)
{
    return isnan(v) ? NULL : json_object_new_double(v);
}

struct json_object *lb_io_reference_to_json(const lb_model *m, const lb_reference *r)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(
        o, "mode", json_object_new_string(m->ref_mode == LB_REF_FIXED ? "fixed" : "per_year"));
    json_object_object_add(o, "year", r->year ? json_object_new_int(r->year) : NULL);
    json_object_object_add(o, "ref", json_object_new_double(r->ref));
    struct json_object *means = json_object_new_object();
    for (size_t d = 0; d < m->n_dims; d++)
        json_object_object_add(means, m->dims[d].code, num_or_null(r->means[d]));
    json_object_object_add(o, "means", means);
    struct json_object *ind = json_object_new_object();
    for (size_t i = 0; i < m->n_ind; i++) {
        struct json_object *s = json_object_new_object();
        json_object_object_add(s, "mean", num_or_null(r->ind_mean[i]));
        json_object_object_add(s, "sd", num_or_null(r->ind_sd[i]));
        json_object_object_add(ind, m->ind[i].id, s);
    }
    json_object_object_add(o, "indicators", ind);
    return o;
}

struct json_object *lb_io_run_libraries_json(const char *geos_version)
{
    struct json_object *libs = json_object_new_object();
    json_object_object_add(libs, "gdal", json_object_new_string(GDALVersionInfo("RELEASE_NAME")));
    int pmaj = 0, pmin = 0, ppatch = 0;
    OSRGetPROJVersion(&pmaj, &pmin, &ppatch);
    char pv[32];
    snprintf(pv, sizeof(pv), "%d.%d.%d", pmaj, pmin, ppatch);
    json_object_object_add(libs, "proj", json_object_new_string(pv));
    json_object_object_add(libs, "geos", json_object_new_string(geos_version));
    json_object_object_add(libs, "json-c", json_object_new_string(json_c_version()));
    return libs;
}

struct json_object *lb_io_run_warnings_json(const lb_ctx *ctx)
{
    struct json_object *warn = json_object_new_array();
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        json_object_array_add(warn, json_object_new_string(lb_ctx_warning(ctx, i)));
    return warn;
}

static const char *type_name(json_type t)
{
    switch (t) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_double:
    case json_type_int:
        return "a number";
    case json_type_object:
        return "an object";
    case json_type_array:
        return "an array";
    case json_type_string:
        return "a string";
    }
    return "something else";
}

lb_status lb_io_json_read_object(lb_ctx *ctx, const char *file, struct json_object **out)
{
    struct json_object *doc = json_object_from_file(file);
    if (!doc)
        return lb_ctx_error(ctx, LB_ERR_IO, "'%s': cannot read it as JSON (%s)", file,
                            json_util_get_last_err() ? json_util_get_last_err() : "unknown error");
    if (!json_object_is_type(doc, json_type_object)) {
        lb_status st = lb_ctx_error(ctx, LB_ERR_DATA,
                                    "'%s' holds %s, not a JSON object; is it the run.json of a "
                                    "leefbaar score run?",
                                    file, type_name(json_object_get_type(doc)));
        json_object_put(doc);
        return st;
    }
    *out = doc;
    return LB_OK;
}

lb_status lb_io_json_member(lb_ctx *ctx, const char *file, struct json_object *o, const char *where,
                            const char *key, json_type want, int required, struct json_object **out)
{
    struct json_object *v = NULL;
    *out = NULL;
    const char *dot = where && where[0] ? "." : "";
    if (!o || !json_object_object_get_ex(o, key, &v) || !v) {
        if (!required)
            return LB_OK;
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "'%s': %s%s%s is missing; was it written by leefbaar "
                            "score?",
                            file, where ? where : "", dot, key);
    }
    json_type t = json_object_get_type(v);
    int ok = want == json_type_double ? t == json_type_double || t == json_type_int : t == want;
    if (!ok)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "'%s': %s%s%s is %s, not %s; was it written by leefbaar "
                            "score?",
                            file, where ? where : "", dot, key, type_name(t), type_name(want));
    *out = v;
    return LB_OK;
}

lb_status lb_io_reference_read(lb_ctx *ctx, const char *path, const lb_model *m, lb_reference *out)
{
    struct json_object *doc = NULL;
    lb_status st = lb_io_json_read_object(ctx, path, &doc);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "reference: ");
    st = lb_reference_alloc(ctx, m->n_dims, m->n_ind, out);
    if (st != LB_OK) {
        json_object_put(doc);
        return st;
    }
    struct json_object *ref = NULL, *means = NULL, *ind = NULL, *model = NULL, *hash = NULL,
                       *v = NULL;
    st = lb_io_json_member(ctx, path, doc, "", "reference", json_type_object, 1, &ref);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, path, ref, "reference", "ref", json_type_double, 1, &v);
    if (st == LB_OK)
        out->ref = json_object_get_double(v);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, path, ref, "reference", "means", json_type_object, 1, &means);
    if (st == LB_OK)
        st =
            lb_io_json_member(ctx, path, ref, "reference", "indicators", json_type_object, 1, &ind);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, path, ref, "reference", "year", json_type_double, 0, &v);
    if (st == LB_OK && v) {
        double year = json_object_get_double(v);
        if (!(year >= 1000 && year <= 9999 && year == floor(year)))
            st =
                lb_ctx_error(ctx, LB_ERR_DATA, "'%s': reference.year %g is not a year", path, year);
        else
            out->year = (int)year;
    }
    for (size_t d = 0; st == LB_OK && d < m->n_dims; d++) {
        st = lb_io_json_member(ctx, path, means, "reference.means", m->dims[d].code,
                               json_type_double, 0, &v);
        if (st == LB_OK && !v)
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "reference '%s': no mean for dimension '%s'; was it made with this "
                              "model?",
                              path, m->dims[d].code);
        if (st == LB_OK)
            out->means[d] = json_object_get_double(v);
    }
    for (size_t i = 0; st == LB_OK && i < m->n_ind; i++) {
        char where[160];
        snprintf(where, sizeof(where), "reference.indicators.%s", m->ind[i].id);
        struct json_object *s = NULL;
        st = lb_io_json_member(ctx, path, ind, "reference.indicators", m->ind[i].id,
                               json_type_object, 0, &s);
        if (st == LB_OK && s)
            st = lb_io_json_member(ctx, path, s, where, "mean", json_type_double, 0, &v);
        if (st == LB_OK && (!s || !v))
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "reference '%s': no statistics for indicator '%s'; was it made with "
                              "this model?",
                              path, m->ind[i].id);
        if (st == LB_OK)
            out->ind_mean[i] = json_object_get_double(v);
        if (st == LB_OK)
            st = lb_io_json_member(ctx, path, s, where, "sd", json_type_double, 0, &v);
        if (st == LB_OK)
            out->ind_sd[i] = v ? json_object_get_double(v) : NAN;
    }
    if (st == LB_OK)
        st = lb_io_json_member(ctx, path, doc, "", "model", json_type_object, 0, &model);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, path, model, "model", "sha256", json_type_string, 0, &hash);
    if (st == LB_OK && hash && strcmp(json_object_get_string(hash), m->hash) != 0)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "reference '%s' was made with another version of the model file (sha256 %.12s…, "
                   "now %.12s…)",
                   path, json_object_get_string(hash), m->hash);
    if (st != LB_OK)
        lb_reference_free(out);
    json_object_put(doc);
    return st;
}
