/* SPDX-License-Identifier: MIT */
/* The diagnosis on scores in memory: options, selection, numbers, the three files. */
#include "diagnose.h"

#include "../core/ctx.h"

#include <json-c/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lb_diagnose_options_init(lb_diagnose_options *o)
{
    memset(o, 0, sizeof(*o));
    o->min_inside = 0.5;
    o->clear_sd = 0.5;
    o->focus_distance = 0.20;
    o->min_inhabitants = 2500.0;
}

/* A file name from a code or name: letters, digits, '.', '-' and '_' kept, the rest '_'. */
static char *file_base(const char *s)
{
    char *b = lb_core_strdup(s && *s ? s : "wijk");
    for (char *p = b; p && *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || (c == '.' && p != b)))
            *p = '_';
    }
    return b;
}

static lb_status check_options(lb_ctx *ctx, const lb_diagnose_options *o)
{
    if (!(o->min_inside > 0.0 && o->min_inside <= 1.0))
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: the inside share must be in (0, 1], got %g",
                            o->min_inside);
    if (!(o->clear_sd >= 0.0) || !isfinite(o->clear_sd))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "diagnose: the 'clearly below' threshold must be >= 0 sd, got %g",
                            o->clear_sd);
    if (!isfinite(o->focus_distance))
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: the focus distance must be a number");
    if (!(o->min_inhabitants >= 0.0) || !isfinite(o->min_inhabitants))
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: the minimum size must be >= 0, got %g",
                            o->min_inhabitants);
    if (!o->wijk_polygon && (!o->wijk || !*o->wijk))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "diagnose: no wijk given (a code, a name or a polygon)");
    return LB_OK;
}

/* What a diagnosis result keeps for its writer: the scores, the selection and the numbers. */
typedef struct dx_payload {
    lb_scoreset *own_s; /* NULL when the caller's */
    lb_diagnose_selection sel;
    lb_diagnosis dx;
    int has_sel, has_dx;
    char *base;    /* file name from the wijk's code or name */
    char **inputs; /* the scores, their polygons, the polygon options: never replaced */
    size_t n_inputs;
    char *command_line;
} dx_payload;

static void payload_free(void *p)
{
    dx_payload *pl = p;
    if (!pl)
        return;
    if (pl->has_dx)
        lb_diagnose_free(&pl->dx);
    if (pl->has_sel)
        lb_diagnose_selection_free(&pl->sel);
    lb_scoreset_destroy(pl->own_s);
    free(pl->base);
    for (size_t i = 0; i < pl->n_inputs; i++)
        free(pl->inputs[i]);
    free(pl->inputs);
    free(pl->command_line);
    free(pl);
}

static lb_status dx_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w)
{
    const dx_payload *pl = lb_result_payload(res);
    if (!w->outdir || !*w->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: an output directory is required");
    char *base = w->basename ? file_base(w->basename) : lb_core_strdup(pl->base);
    if (!base)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const lb_diagnose_output out = {w->outdir, w->overwrite, (const char *const *)pl->inputs,
                                    pl->n_inputs, pl->command_line};
    lb_status st = lb_diagnose_write_all(ctx, &pl->dx, &out, base);
    if (st == LB_OK)
        lb_ctx_log(ctx, LB_LOG_INFO, "diagnose: %s: %s (indicative); wrote %s/%s.html, .md, .json",
                   pl->sel.wijk_name, lb_diagnose_verdict_name(pl->dx.verdict), w->outdir, base);
    free(base);
    return st;
}

static const lb_result_ops dx_ops = {dx_write, payload_free};

static lb_status keep_input(lb_ctx *ctx, dx_payload *pl, const char *path)
{
    if (!path)
        return LB_OK;
    char *copy = lb_core_strdup(path);
    if (!copy)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    pl->inputs[pl->n_inputs++] = copy;
    return LB_OK;
}

/* Table "diagnosis": per used year the weighted means of the wijk, the gemeente and the focus
 * areas, with the units and the weight behind them and the class of lbm. */
static lb_status diagnosis_table(lb_ctx *ctx, const lb_diagnosis *dx, lb_result *res)
{
    const lb_scoreset *s = dx->s;
    size_t groups = dx->focus ? 3 : 2, n = dx->n_t * groups;
    lb_table *t = NULL;
    lb_column *year, *group, *units, *weight, *klass, *v[LB_TABLE_MAX_COLS];
    lb_status st = lb_table_create(ctx, n, &t);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "year", LB_COL_INT, &year);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "group", LB_COL_TEXT, &group);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "units", LB_COL_INT, &units);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "weight", LB_COL_REAL, &weight);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "class", LB_COL_INT, &klass);
    for (size_t k = 0; st == LB_OK && k < s->n_out && k + 5 < LB_TABLE_MAX_COLS; k++)
        st = lb_table_add(ctx, t,
                          k == LB_OUT_LBM   ? "lbm"
                          : k == LB_OUT_AFW ? "afw"
                                            : s->dim_code[k - LB_OUT_DIM0],
                          LB_COL_REAL, &v[k]);
    static const char *const names[3] = {"wijk", "gemeente", "focus"};
    for (size_t ti = 0; st == LB_OK && ti < dx->n_t; ti++)
        for (size_t g = 0; st == LB_OK && g < groups; g++) {
            const lb_diagnose_agg *a = g == 0   ? &dx->wijk[ti]
                                       : g == 1 ? &dx->gem[ti]
                                                : &dx->focus[ti];
            size_t row = ti * groups + g;
            year->integer[row] = lb_diagnose_year(dx, ti);
            if (!(group->text[row] = lb_core_strdup(names[g])))
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            units->integer[row] = (int64_t)a->n;
            weight->real[row] = a->weight;
            klass->integer[row] = a->klass ? a->klass : LB_INT_NULL;
            for (size_t k = 0; k < s->n_out; k++)
                v[k]->real[row] = a->v[k];
        }
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    return lb_result_add_table(ctx, res, "diagnosis", t);
}

lb_status lb_diagnose_compute_on(lb_ctx *ctx, lb_scoreset *s, int own_s,
                                 const lb_diagnose_options *o, lb_result **out)
{
    lb_result *res = NULL;
    dx_payload *pl = calloc(1, sizeof(*pl));
    lb_status st = pl ? lb_result_create(ctx, "diagnose", &dx_ops, &res)
                      : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK) {
        free(pl);
        if (own_s)
            lb_scoreset_destroy(s);
        return st;
    }
    lb_result_set_payload(res, pl);
    pl->own_s = own_s ? s : NULL;
    st = check_options(ctx, o);
    if (st == LB_OK && !(pl->inputs = calloc(2 * o->n_sources + 3, sizeof(char *))))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < o->n_sources; i++) {
        st = keep_input(ctx, pl, o->sources[i].path);
        if (st == LB_OK)
            st = keep_input(ctx, pl, o->sources[i].geometry);
    }
    const char *polys[] = {o->wijk_polygon, o->gemeente_polygon, o->focus};
    for (size_t i = 0; st == LB_OK && i < 3; i++)
        st = keep_input(ctx, pl, polys[i]);
    if (st == LB_OK && o->command_line && !(pl->command_line = lb_core_strdup(o->command_line)))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_diagnose_select(ctx, s, o, &pl->sel);
    pl->has_sel = st == LB_OK;
    if (st == LB_OK)
        st = lb_diagnose_compute_selection(ctx, s, &pl->sel, o, &pl->dx);
    pl->has_dx = st == LB_OK;
    if (st == LB_OK) {
        /* One code names the files; a list of codes or a polygon without code uses the name. */
        const char *key = pl->sel.wijk_code && !strchr(pl->sel.wijk_code, ',') ? pl->sel.wijk_code
                                                                               : pl->sel.wijk_name;
        if (!(pl->base = file_base(o->basename ? o->basename : key)))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK)
        st = diagnosis_table(ctx, &pl->dx, res);
    struct json_object *doc = NULL;
    if (st == LB_OK)
        st = lb_diagnose_json(ctx, &pl->dx, o->command_line, &doc);
    if (st == LB_OK)
        st = lb_result_set_provenance(ctx, res,
                                      json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
    json_object_put(doc);
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}

lb_status lb_diagnose_run_on(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o)
{
    if (!o->outdir || !*o->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "diagnose: an output directory is required");
    lb_result *res = NULL;
    /* borrowed: the result never frees it */
    lb_status st = lb_diagnose_compute_on(ctx, (lb_scoreset *)s, 0, o, &res);
    if (st == LB_OK) {
        const lb_write_opts w = {
            .outdir = o->outdir, .overwrite = o->overwrite, .basename = o->basename};
        st = lb_result_write_with(ctx, res, &w);
    }
    lb_result_destroy(res);
    return st;
}
