/* SPDX-License-Identifier: MIT */
/* lb_scores_open: scored units (our runs or published tables) as one table in memory. */
#define _POSIX_C_SOURCE 200809L /* stat */

#include "scoreset.h"

#include "../api/opts.h"
#include "../core/ctx.h"
#include "../data/result.h"
#include "../io/runjson.h"
#include "../model/score.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Does unit u have anything in year index t? */
static int present(const lb_scoreset *s, size_t t, size_t u)
{
    for (size_t k = 0; k < s->n_out; k++)
        if (!isnan(lb_scoreset_value(s, t, k, u)))
            return 1;
    return 0;
}

static lb_status text_column(lb_ctx *ctx, lb_table *t, const char *name, char *const *v,
                             const size_t *unit)
{
    lb_column *c = NULL;
    lb_status st = lb_table_add(ctx, t, name, LB_COL_TEXT, &c);
    for (size_t i = 0; st == LB_OK && i < t->n_rows; i++)
        if (v[unit[i]] && !(c->text[i] = lb_core_strdup(v[unit[i]])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return st;
}

/* Table "scores": one row per unit and year in which the unit has a value. */
static lb_status scores_table(lb_ctx *ctx, const lb_scoreset *s, lb_table **out)
{
    size_t n = 0;
    for (size_t t = 0; t < s->n_years; t++)
        for (size_t u = 0; u < s->n_units; u++)
            n += present(s, t, u);
    size_t *unit = malloc((n ? n : 1) * sizeof(size_t)),
           *year = malloc((n ? n : 1) * sizeof(size_t));
    lb_table *tb = NULL;
    lb_status st = unit && year ? lb_table_create(ctx, n, &tb)
                                : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (size_t u = 0; st == LB_OK && u < s->n_units; u++) /* a unit's years together */
        for (size_t t = 0; t < s->n_years; t++)
            if (present(s, t, u)) {
                unit[i] = u;
                year[i++] = t;
            }
    const char *id_name = s->id_field ? s->id_field : "id";
    if (st == LB_OK)
        st = text_column(ctx, tb, id_name, s->id, unit);
    const char *tn[3] = {"name", "WK_CODE", "GM_CODE"};
    char **tv[3] = {s->name, s->wk_code, s->gm_code};
    for (int j = 0; j < 3 && st == LB_OK; j++)
        if (tv[j] && !lb_core_str_ieq(tn[j], id_name))
            st = text_column(ctx, tb, tn[j], tv[j], unit);
    lb_column *cy = NULL, *cw = NULL, *ck = NULL, *cv = NULL;
    if (st == LB_OK)
        st = lb_table_add(ctx, tb, "year", LB_COL_INT, &cy);
    if (st == LB_OK)
        st = lb_table_add(ctx, tb, "weight", LB_COL_REAL, &cw);
    for (size_t r = 0; st == LB_OK && r < n; r++) {
        cy->integer[r] = s->years[year[r]];
        cw->real[r] = s->weight[year[r] * s->n_units + unit[r]];
    }
    for (size_t k = 0; st == LB_OK && k < s->n_out; k++) {
        const char *name = k == LB_OUT_LBM   ? "lbm"
                           : k == LB_OUT_AFW ? "afw"
                                             : s->dim_code[k - LB_OUT_DIM0];
        st = lb_table_add(ctx, tb, name, LB_COL_REAL, &cv);
        for (size_t r = 0; st == LB_OK && r < n; r++)
            cv->real[r] = lb_scoreset_value(s, year[r], k, unit[r]);
        if (st == LB_OK && k == LB_OUT_LBM)
            st = lb_table_add(ctx, tb, "kscore", LB_COL_INT, &ck);
        for (size_t r = 0; st == LB_OK && ck && k == LB_OUT_LBM && r < n; r++) {
            int c = lb_model_classify(cv->real[r], s->thresholds, LB_N_THRESHOLDS);
            ck->integer[r] = c ? c : LB_INT_NULL;
        }
    }
    for (size_t r = 0; st == LB_OK && s->geom && r < n; r++) {
        size_t g = s->geom_row[unit[r]];
        if (g == SIZE_MAX)
            continue;
        unsigned char *w = malloc(s->geom->wkb_size[g]);
        if (!w) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(w, s->geom->wkb[g], s->geom->wkb_size[g]);
        st = lb_table_set_geometry(ctx, tb, r, w, s->geom->wkb_size[g]);
    }
    free(unit);
    free(year);
    if (st != LB_OK) {
        lb_table_destroy(tb);
        return st;
    }
    *out = tb;
    return LB_OK;
}

/* What was read: the sources, the years and dimensions, the warnings. */
static lb_status provenance(lb_ctx *ctx, const lb_scoreset *s, const lb_score_source *src,
                            size_t n_src, lb_result *res)
{
    struct json_object *doc = json_object_new_object(), *sources = json_object_new_array(),
                       *years = json_object_new_array(), *dims = json_object_new_array();
    json_object_object_add(doc, "tool", json_object_new_string("leefbaar"));
    json_object_object_add(doc, "command_name", json_object_new_string("scores"));
    json_object_object_add(doc, "version", json_object_new_string(lb_version()));
    for (size_t i = 0; i < n_src; i++) {
        struct json_object *x = json_object_new_object();
        json_object_object_add(x, "path", json_object_new_string(src[i].path));
        json_object_object_add(x, "layer",
                               src[i].layer ? json_object_new_string(src[i].layer) : NULL);
        json_object_array_add(sources, x);
    }
    json_object_object_add(doc, "sources", sources);
    json_object_object_add(doc, "description", json_object_new_string(s->description));
    json_object_object_add(doc, "published", json_object_new_boolean(s->is_published));
    for (size_t t = 0; t < s->n_years; t++)
        json_object_array_add(years, json_object_new_int(s->years[t]));
    json_object_object_add(doc, "years", years);
    for (size_t d = 0; d < s->n_dims; d++)
        json_object_array_add(dims, json_object_new_string(s->dim_code[d]));
    json_object_object_add(doc, "dimensions", dims);
    json_object_object_add(doc, "units", json_object_new_int64((int64_t)s->n_units));
    json_object_object_add(doc, "warnings", lb_io_run_warnings_json(ctx));
    lb_status st = lb_result_set_provenance(
        ctx, res, json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
    json_object_put(doc);
    return st;
}

lb_status lb_scores_open(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || strcmp(lb_opts_operation(opts), "scores") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_scores_open: options of \"%s\", not of \"scores\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "scores: ");
    size_t n_src = 0;
    const char *const *paths = lb_opts_get_list(opts, "scores", &n_src);
    lb_score_source *src = calloc(n_src, sizeof(*src));
    char **copies = calloc(n_src, sizeof(char *));
    lb_scoreset *s = NULL;
    lb_result *res = NULL;
    lb_table *t = NULL;
    if (!src || !copies)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == LB_OK && k < n_src; k++) {
        if (!(copies[k] = lb_core_strdup(paths[k]))) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        /* PATH[:LAYER]: the layer is split off at the last ':' unless PATH exists */
        struct stat sb;
        char *colon = strrchr(copies[k], ':');
        src[k].path = copies[k];
        if (colon && stat(copies[k], &sb) != 0 && colon[1] && !strchr(colon, '/')) {
            *colon = '\0';
            src[k].layer = colon + 1;
        }
        if (lb_opts_is_set(opts, "layer"))
            src[k].layer = lb_opts_get_str(opts, "layer");
        src[k].id_field = lb_opts_get_str(opts, "id-field");
        src[k].year_field = lb_opts_get_str(opts, "year-field");
        src[k].year = (int)lb_opts_get_int(opts, "table-year", 0);
        src[k].weight_field = lb_opts_get_str(opts, "weight-field");
        src[k].geometry = lb_opts_get_str(opts, "geometry");
        src[k].geometry_id = lb_opts_get_str(opts, "geometry-id");
        src[k].s_srs = lb_opts_get_str(opts, "s-srs");
    }
    if (st == LB_OK)
        st = lb_scoreset_read(ctx, src, n_src, &s);
    if (st == LB_OK)
        st = lb_result_create(ctx, "scores", NULL, &res);
    if (st == LB_OK)
        st = scores_table(ctx, s, &t);
    if (st == LB_OK)
        st = lb_result_add_table(ctx, res, "scores", t);
    if (st == LB_OK)
        st = provenance(ctx, s, src, n_src, res);
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    lb_scoreset_destroy(s);
    for (size_t k = 0; copies && k < n_src; k++)
        free(copies[k]);
    free(copies);
    free(src);
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}
