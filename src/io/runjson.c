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

struct json_object *lb_reference_to_json(const lb_model *m, const lb_reference *r)
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

struct json_object *lb_run_libraries_json(const char *geos_version)
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

struct json_object *lb_run_warnings_json(const lb_ctx *ctx)
{
    struct json_object *warn = json_object_new_array();
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        json_object_array_add(warn, json_object_new_string(lb_ctx_warning(ctx, i)));
    return warn;
}

static int get_number(struct json_object *o, const char *key, double *v)
{
    struct json_object *x = NULL;
    if (!json_object_object_get_ex(o, key, &x) || !x)
        return 0;
    if (!json_object_is_type(x, json_type_double) && !json_object_is_type(x, json_type_int))
        return 0;
    *v = json_object_get_double(x);
    return 1;
}

lb_status lb_reference_read(lb_ctx *ctx, const char *path, const lb_model *m, lb_reference *out)
{
    struct json_object *doc = json_object_from_file(path);
    if (!doc)
        return lb_error(ctx, LB_ERR_IO, "reference '%s': cannot read it as JSON (%s)", path,
                        json_util_get_last_err() ? json_util_get_last_err() : "unknown error");
    lb_status st = lb_reference_alloc(ctx, m->n_dims, m->n_ind, out);
    if (st != LB_OK) {
        json_object_put(doc);
        return st;
    }
    struct json_object *ref = NULL, *means = NULL, *ind = NULL, *model = NULL, *hash = NULL;
    if (!json_object_object_get_ex(doc, "reference", &ref) || !get_number(ref, "ref", &out->ref) ||
        !json_object_object_get_ex(ref, "means", &means) ||
        !json_object_object_get_ex(ref, "indicators", &ind)) {
        st = lb_error(ctx, LB_ERR_DATA,
                      "reference '%s': no complete \"reference\" member (ref, means, "
                      "indicators); pass the run.json of a leefbaar score run",
                      path);
        goto done;
    }
    double year = 0;
    if (get_number(ref, "year", &year))
        out->year = (int)year;
    for (size_t d = 0; d < m->n_dims; d++)
        if (!get_number(means, m->dims[d].code, &out->means[d])) {
            st = lb_error(ctx, LB_ERR_DATA,
                          "reference '%s': no mean for dimension '%s'; was it made with this "
                          "model?",
                          path, m->dims[d].code);
            goto done;
        }
    for (size_t i = 0; i < m->n_ind; i++) {
        struct json_object *s = NULL;
        if (!json_object_object_get_ex(ind, m->ind[i].id, &s) ||
            !get_number(s, "mean", &out->ind_mean[i])) {
            st = lb_error(ctx, LB_ERR_DATA,
                          "reference '%s': no statistics for indicator '%s'; was it made with "
                          "this model?",
                          path, m->ind[i].id);
            goto done;
        }
        if (!get_number(s, "sd", &out->ind_sd[i]))
            out->ind_sd[i] = NAN;
    }
    if (json_object_object_get_ex(doc, "model", &model) &&
        json_object_object_get_ex(model, "sha256", &hash) &&
        strcmp(json_object_get_string(hash), m->hash) != 0)
        lb_log(ctx, LB_LOG_WARN,
               "reference '%s' was made with another version of the model file (sha256 %.12s…, "
               "now %.12s…)",
               path, json_object_get_string(hash), m->hash);
done:
    if (st != LB_OK)
        lb_reference_free(out);
    json_object_put(doc);
    return st;
}
