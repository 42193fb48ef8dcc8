/* SPDX-License-Identifier: MIT */
/* leefbaar calibrate: the indicators evaluated as score evaluates them, the targets joined by
 * code, the fits, and the fitted model.
 *
 * The indicators come from the score module itself: the model is scored with every
 * coefficient set to 1 (the model text rewritten at its coef scalars, read from memory), so
 * that each unit's contribution c_<id> is exactly the transformed value f(x) that a
 * coefficient multiplies in `score` (zscore against the same reference, caps, log1p, grid
 * cells aggregated to the unit as score aggregates them). A separate path to the transformed
 * values would have to repeat the reference and aggregation rules and could drift from them. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, strcasecmp */

#include "cal.h"

#include "../api/provenance.h"
#include "../core/ctx.h"
#include "../model/rewrite.h"

#include <json-c/json.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static lb_status nomem(lb_ctx *ctx)
{
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

/* ---- the indicators on the units ------------------------------------------------------------ */

static lb_status score_units(lb_ctx *ctx, lb_cal *c)
{
    const lb_model *m = c->m;
    double *ones = malloc((m->n_ind + 1) * sizeof(double));
    if (!ones)
        return nomem(ctx);
    for (size_t i = 0; i < m->n_ind; i++)
        ones[i] = 1.0;
    /* without a calibration block of an earlier fit: it is not this run's */
    const lb_model_edit e = {.coef = ones, .n_ind = m->n_ind, .calibration = ""};
    size_t len = 0;
    lb_status st = lb_model_rewrite(ctx, c->o->score.model_path, c->text, c->text_len, &e,
                                    &c->unit_text, &len);
    free(ones);
    if (st != LB_OK)
        return st;
    lb_score_options s = c->o->score;
    s.model_text = (const unsigned char *)c->unit_text;
    s.model_text_len = len;
    s.outdir = NULL;
    s.overwrite = 0;
    s.outputs = LB_OUT_CSV; /* the units table only: no grid polygons, no rasters */
    s.preview = 0;
    if (c->o->year) {
        s.year = c->o->year;
        s.years = NULL;
        s.n_years = 0;
    }
    if (s.units && !strcmp(s.units, "grid"))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "calibrate: --units grid has no codes to join a target to; give the "
                            "polygon input of the target's units (e.g. --units wijken)");
    st = lb_score_compute(ctx, &s, &c->sres);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "calibrate: evaluating the indicators: ");
    for (size_t k = 0; k < lb_result_table_count(c->sres); k++) {
        const lb_table *t = lb_result_table(c->sres, k);
        if (strcmp(lb_table_name(t), "grid") != 0)
            c->units = t;
    }
    if (!c->units || c->units->n_cols == 0 || c->units->cols[0].type != LB_COL_TEXT)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "calibrate: the score run made no table of units "
                            "with codes to join the target to");
    const lb_table *u = c->units;
    c->code = (const char *const *)u->cols[0].text;
    const lb_column *wc = lb_table_col(u, "weight"), *lc = lb_table_col(u, "lbm");
    c->c = calloc(m->n_ind + 1, sizeof(*c->c));
    c->x = calloc(m->n_ind + 1, sizeof(*c->x));
    if (!c->c || !c->x)
        return nomem(ctx);
    if (!wc || !lc)
        return lb_ctx_error(ctx, LB_ERR_DATA, "calibrate: the units table has no weight or lbm");
    c->weight = wc->real;
    c->lbm = lc->real;
    const lb_column *ic = lb_table_col(u, "n_imputed");
    if (c->o->score.mode == LB_MODE_GRID && ic && ic->type == LB_COL_INT)
        c->n_imputed_cells = ic->integer;
    for (size_t i = 0; i < m->n_ind; i++) {
        char name[160];
        snprintf(name, sizeof(name), "c_%s", m->ind[i].id);
        const lb_column *cc = lb_table_col(u, name);
        snprintf(name, sizeof(name), "x_%s", m->ind[i].id);
        const lb_column *xc = lb_table_col(u, name);
        if (!cc || !xc)
            return lb_ctx_error(ctx, LB_ERR_DATA, "calibrate: the units table has no %s", name);
        c->c[i] = cc->real;
        c->x[i] = xc->real;
    }
    return LB_OK;
}

/* ---- gemeenten ---------------------------------------------------------------------------------
 */

/* GM + 4 digits from a CBS buurt (BU + 8) or wijk (WK + 6) code; NULL when it is neither. */
static char *gemeente_of(const char *code)
{
    if (!code || strlen(code) < 6)
        return NULL;
    int bu = (code[0] == 'B' || code[0] == 'b') && (code[1] == 'U' || code[1] == 'u');
    int wk = (code[0] == 'W' || code[0] == 'w') && (code[1] == 'K' || code[1] == 'k');
    if (!bu && !wk)
        return NULL;
    for (int k = 2; k < 6; k++)
        if (code[k] < '0' || code[k] > '9')
            return NULL;
    return lb_core_strfmt("GM%.4s", code + 2);
}

static int by_str(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y);
}

/* The gemeente of every unit and the cluster ids. @p from_target: the cluster field's values
 * as read from the first target table (NULL when not asked there). */
static lb_status assign_clusters(lb_ctx *ctx, lb_cal *c, char **from_target)
{
    const lb_table *u = c->units;
    size_t n = u->n_rows;
    const char *want = c->o->cluster_field;
    const lb_column *col = NULL;
    for (size_t k = 0; k < u->n_cols && !col; k++)
        if (u->cols[k].type == LB_COL_TEXT && k > 0 &&
            !strcasecmp(u->cols[k].name, want ? want : "GM_CODE"))
            col = &u->cols[k];
    c->gm = calloc(n + 1, sizeof(char *));
    c->cluster = calloc(n + 1, sizeof(size_t));
    if (!c->gm || !c->cluster)
        return nomem(ctx);
    size_t unknown = 0;
    if (col) {
        snprintf(c->cluster_source, sizeof(c->cluster_source), "field %s of the units", col->name);
        for (size_t r = 0; r < n; r++)
            if (col->text[r] && !(c->gm[r] = lb_core_strdup(col->text[r])))
                return nomem(ctx);
    } else if (from_target) {
        snprintf(c->cluster_source, sizeof(c->cluster_source), "field %s of the target table",
                 want);
        for (size_t r = 0; r < n; r++)
            if (from_target[r] && !(c->gm[r] = lb_core_strdup(from_target[r])))
                return nomem(ctx);
    } else if (want) {
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "calibrate: --cluster-field '%s' is neither a field of the units "
                            "table nor of the target table",
                            want);
    } else {
        snprintf(c->cluster_source, sizeof(c->cluster_source),
                 "derived from the units' CBS codes (BU/WK -> GM + 4 digits)");
        for (size_t r = 0; r < n; r++)
            if (c->code[r] && !(c->gm[r] = gemeente_of(c->code[r])))
                unknown++;
        if (unknown == n) {
            snprintf(c->cluster_source, sizeof(c->cluster_source),
                     "none: every unit its own cluster (no gemeente field, codes not BU/WK)");
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "calibrate: no gemeente for the units (no GM_CODE field and the codes are "
                       "no CBS buurt or wijk codes): standard errors are not clustered and "
                       "cross-validation leaves one unit out at a time, so neighbours predict "
                       "each other; give --cluster-field");
            for (size_t r = 0; r < n; r++)
                c->cluster[r] = r;
            c->n_clusters = n;
            return LB_OK;
        }
    }
    /* ids in code order; a unit without a gemeente is its own cluster */
    const char **sorted = malloc((n + 1) * sizeof(*sorted));
    if (!sorted)
        return nomem(ctx);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (c->gm[r])
            sorted[k++] = c->gm[r];
    qsort(sorted, k, sizeof(*sorted), by_str);
    size_t g = 0;
    for (size_t i = 0; i < k; i++)
        if (i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0)
            sorted[g++] = sorted[i];
    for (size_t r = 0; r < n; r++) {
        if (!c->gm[r]) {
            c->cluster[r] = g++;
            continue;
        }
        const char **hit = bsearch(&c->gm[r], sorted, g, sizeof(*sorted), by_str);
        c->cluster[r] = (size_t)(hit - sorted);
    }
    free(sorted);
    c->n_clusters = g;
    return LB_OK;
}

/* ---- the fits ------------------------------------------------------------------------------- */

static lb_status choose_rows(lb_ctx *ctx, lb_cal *c, lb_cal_fit *t)
{
    const lb_model *m = c->m;
    size_t n = c->units->n_rows;
    t->rows = malloc((n + 1) * sizeof(size_t));
    size_t *miss = calloc(m->n_ind + 1, sizeof(size_t));
    if (!t->rows || !miss) {
        free(miss);
        return nomem(ctx);
    }
    for (size_t u = 0; u < n; u++) {
        double y = t->j.y[u];
        if (isnan(y)) {
            continue; /* counted from the join: no row or a missing value */
        }
        if (!isfinite(c->lbm[u])) {
            t->n_not_scored++;
            continue;
        }
        if (c->o->weighted && !(c->weight[u] > 0 && isfinite(c->weight[u]))) {
            t->n_no_weight++;
            continue;
        }
        int ok = 1;
        for (size_t k = 0; k < t->p; k++) {
            size_t i = t->ind[k];
            if (!isfinite(c->x[i][u]) || !isfinite(c->c[i][u])) {
                miss[i]++;
                ok = 0;
            }
        }
        if (!ok) {
            t->n_missing_x++;
            continue;
        }
        t->rows[t->n++] = u;
        if (c->n_imputed_cells && c->n_imputed_cells[u] > 0 && c->n_imputed_cells[u] != LB_INT_NULL)
            t->n_partly_imputed++;
    }
    t->n_no_row = n - t->j.n_joined;
    t->n_missing_y = t->j.n_missing;
    t->worst_ind = -1;
    for (size_t i = 0; i < m->n_ind; i++)
        if (miss[i] && (t->worst_ind < 0 || miss[i] > miss[t->worst_ind]))
            t->worst_ind = (long)i;
    free(miss);
    size_t left = t->n_missing_y + t->n_missing_x + t->n_not_scored + t->n_no_weight;
    if (left)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: target %s: %zu of the %zu units with a row in '%s' left out: %zu "
                   "with a missing target, %zu with a missing indicator%s%s%s, %zu not scored, "
                   "%zu without weight",
                   t->name, left, t->j.n_joined, t->spec->path, t->n_missing_y, t->n_missing_x,
                   t->worst_ind >= 0 ? " (most often " : "",
                   t->worst_ind >= 0 ? m->ind[t->worst_ind].id : "", t->worst_ind >= 0 ? ")" : "",
                   t->n_not_scored, t->n_no_weight);
    if (t->n_partly_imputed)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: target %s: %zu of the %zu units used have cells with an imputed "
                   "indicator (at the reference mean, as score imputes them); they are kept",
                   t->name, t->n_partly_imputed, t->n);
    if (t->j.n_unjoined)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: target %s: %zu rows of '%s' have a code that no unit has (e.g. "
                   "%s); they are not used",
                   t->name, t->j.n_unjoined, t->spec->path, t->j.unjoined_examples);
    if (t->n_no_row)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: target %s: %zu of the %zu units have no row in "
                   "'%s'",
                   t->name, t->n_no_row, n, t->spec->path);
    return LB_OK;
}

static lb_status fit_target(lb_ctx *ctx, lb_cal *c, lb_cal_fit *t)
{
    const lb_model *m = c->m;
    size_t n = t->n, p = t->p;
    t->y = malloc((n + 1) * sizeof(double));
    t->w = malloc((n + 1) * sizeof(double));
    t->x = malloc((n * p + 1) * sizeof(double));
    t->cl = malloc((n + 1) * sizeof(size_t));
    const char **names = malloc((p + 1) * sizeof(char *));
    int *sign = malloc((p + 1) * sizeof(int));
    size_t *remap = malloc((c->n_clusters + 1) * sizeof(size_t));
    lb_status st = LB_OK;
    if (!t->y || !t->w || !t->x || !t->cl || !names || !sign || !remap) {
        st = nomem(ctx);
        goto cleanup;
    }
    for (size_t k = 0; k < p; k++) {
        names[k] = m->ind[t->ind[k]].id;
        sign[k] = m->ind[t->ind[k]].sign;
    }
    /* cluster ids of the units used, renumbered densely */
    for (size_t g = 0; g < c->n_clusters; g++)
        remap[g] = (size_t)-1;
    size_t g_used = 0;
    double sw = 0, swy = 0;
    for (size_t r = 0; r < n; r++) {
        size_t u = t->rows[r];
        t->y[r] = t->j.y[u];
        t->w[r] = c->o->weighted ? c->weight[u] : 1.0;
        for (size_t k = 0; k < p; k++)
            t->x[r * p + k] = c->c[t->ind[k]][u];
        size_t g = c->cluster[u];
        if (remap[g] == (size_t)-1)
            remap[g] = g_used++;
        t->cl[r] = remap[g];
        sw += t->w[r];
        swy += t->w[r] * t->y[r];
    }
    t->y_mean = sw > 0 ? swy / sw : NAN;
    const lb_fit_data d = {.n = n,
                           .p = p,
                           .x = t->x,
                           .y = t->y,
                           .w = c->o->weighted ? t->w : NULL,
                           .cluster = t->cl,
                           .n_clusters = g_used,
                           .names = names,
                           .sign = sign};
    const lb_fit_options fo = {
        .ridge = c->o->ridge, .ridge_cv = c->o->ridge_cv, .folds = c->o->folds};
    if (n <= p + 1) {
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "calibrate: target %s ('%s' field %s): %zu units with a target and "
                          "every indicator, but %zu indicators and an intercept need at least "
                          "%zu; use fewer indicators or more units",
                          t->name, t->spec->path, t->spec->field, n, p, p + 2);
        goto cleanup;
    }
    st = lb_calibrate_fit(ctx, &d, &fo, &t->fit);
    if (st != LB_OK)
        st = lb_ctx_error_prefix(ctx, st,
                                 "calibrate: target %s ('%s' field %s, %zu units): ", t->name,
                                 t->spec->path, t->spec->field, n);
cleanup:
    free(remap);
    free(sign);
    free(names);
    return st;
}

/* ---- the fitted model ------------------------------------------------------------------------ */

/* A YAML double-quoted scalar of @p s into @p buf. */
static const char *yq(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    if (size < 4)
        return "\"\"";
    buf[k++] = '"';
    for (; s && *s && k + 7 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)ch;
        } else if (ch < 0x20) {
            k += (size_t)snprintf(buf + k, size - k, "\\x%02x", ch);
        } else {
            buf[k++] = (char)ch;
        }
    }
    buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}

/* Append to a growing text. */
typedef struct text {
    char *s;
    size_t n, cap;
    int failed;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            t->failed = 1;
            return;
        }
        if (t->s && t->n + (size_t)w < t->cap) {
            t->n += (size_t)w;
            return;
        }
        size_t cap = t->cap ? t->cap : 1024;
        while (cap <= t->n + (size_t)w)
            cap *= 2;
        char *ns = realloc(t->s, cap);
        if (!ns) {
            t->failed = 1;
            return;
        }
        t->s = ns;
        t->cap = cap;
    }
}

static void num(char *buf, size_t size, double v)
{
    if (isfinite(v))
        snprintf(buf, size, "%.6g", v);
    else
        snprintf(buf, size, ".nan");
}

static char *calibration_block(lb_cal *c, const char *date)
{
    const lb_calibrate_options *o = c->o;
    text t = {0};
    char q[1024], a[64], b[64], d[64];
    add(&t, "\ncalibration:\n");
    add(&t, "  # written by leefbaar calibrate: the coefficients above were fitted to the "
            "targets below\n");
    add(&t, "  tool: %s\n", yq(lb_version(), q, sizeof(q)));
    add(&t, "  date: %s\n", yq(date, q, sizeof(q)));
    const lb_cal_fit *t0 = &c->t[0];
    add(&t, "  target: %s\n", yq(t0->name, q, sizeof(q)));
    add(&t, "  units: %s\n", yq(lb_table_name(c->units), q, sizeof(q)));
    add(&t, "  mode: %s\n", o->score.mode == LB_MODE_AREA ? "area" : "grid");
    if (o->year)
        add(&t, "  year: %d\n", o->year);
    add(&t, "  weight: %s\n", o->weighted ? c->m->weight_name : "none");
    add(&t, "  cluster: %s\n", yq(c->cluster_source, q, sizeof(q)));
    if (o->folds)
        add(&t, "  folds: %zu\n", o->folds);
    else
        add(&t, "  folds: leave-one-gemeente-out\n");
    num(a, sizeof(a), t0->fit->r2);
    num(b, sizeof(b), t0->fit->cv_r2);
    add(&t, "  n: %zu\n  n_left_out: %zu\n  r2: %s\n  cv_r2: %s\n", t0->n, t0->j.n_joined - t0->n,
        a, b);
    num(a, sizeof(a), c->ref);
    add(&t, "  ref: %s\n", a);
    add(&t, "  ref_rule: %s\n", o->ref == LB_CAL_REF_TARGET ? "target mean" : "kept");
    add(&t, "  model: {path: %s, sha256: %s}\n", yq(o->score.model_path, q, sizeof(q)), c->m->hash);
    add(&t, "  fits:\n");
    for (size_t k = 0; k < c->n_t; k++) {
        const lb_cal_fit *f = &c->t[k];
        add(&t, "    - target: %s\n", yq(f->name, q, sizeof(q)));
        add(&t, "      table: %s\n", yq(f->spec->path, q, sizeof(q)));
        if (f->j.layer && *f->j.layer)
            add(&t, "      layer: %s\n", yq(f->j.layer, q, sizeof(q)));
        add(&t, "      field: %s\n", yq(f->spec->field, q, sizeof(q)));
        add(&t, "      n: %zu\n      n_left_out: %zu\n      n_clusters: %zu\n", f->n,
            f->j.n_joined - f->n, f->fit->n_clusters);
        num(a, sizeof(a), f->fit->r2);
        num(b, sizeof(b), f->fit->cv_r2);
        num(d, sizeof(d), f->fit->intercept);
        add(&t, "      r2: %s\n      cv_r2: %s\n      intercept: %s\n", a, b, d);
        num(a, sizeof(a), f->fit->lambda);
        add(&t, "      lambda: %s\n", a);
    }
    /* the inputs with their hashes, from the provenance of the evaluation */
    struct json_object *in = NULL;
    if (json_object_object_get_ex(c->doc, "inputs", &in) &&
        json_object_get_type(in) == json_type_array) {
        add(&t, "  inputs:\n");
        for (size_t i = 0; i < json_object_array_length(in); i++) {
            struct json_object *e = json_object_array_get_idx(in, i), *pv = NULL, *hv = NULL;
            json_object_object_get_ex(e, "path", &pv);
            json_object_object_get_ex(e, "sha256", &hv);
            add(&t, "    - {path: %s", yq(pv ? json_object_get_string(pv) : "", q, sizeof(q)));
            if (hv)
                add(&t, ", sha256: %s", json_object_get_string(hv));
            add(&t, "}\n");
        }
    }
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    return t.s;
}

/* Coefficients: a dimension's own fit, else the total's, else kept. */
static lb_status assemble(lb_ctx *ctx, lb_cal *c)
{
    const lb_model *m = c->m;
    c->coef = malloc((m->n_ind + 1) * sizeof(double));
    c->coef_from = malloc((m->n_ind + 1) * sizeof(int));
    if (!c->coef || !c->coef_from)
        return nomem(ctx);
    size_t kept = 0;
    for (size_t i = 0; i < m->n_ind; i++) {
        c->coef[i] = m->ind[i].coef;
        c->coef_from[i] = -1;
        for (size_t k = 0; k < c->n_t; k++) {
            const lb_cal_fit *t = &c->t[k];
            if (t->dim >= 0 ? t->dim != m->ind[i].dim : c->coef_from[i] >= 0)
                continue;
            for (size_t j = 0; j < t->p; j++)
                if (t->ind[j] == i) {
                    c->coef[i] = t->fit->beta[j];
                    c->coef_from[i] = (int)k;
                }
        }
        kept += c->coef_from[i] < 0;
    }
    if (kept)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "calibrate: %zu indicators keep their coefficients: no target fits their "
                   "dimension (give --target or --target-dim for it)",
                   kept);
    /* REF */
    c->ref = m->ref;
    if (c->o->ref == LB_CAL_REF_TARGET)
        c->ref = c->t[0].y_mean;
    /* stored means: what score would compute for this population with the new coefficients */
    if (m->has_means) {
        c->means = calloc(m->n_dims + 1, sizeof(double));
        if (!c->means)
            return nomem(ctx);
        size_t n = c->units->n_rows;
        for (size_t d = 0; d < m->n_dims; d++) {
            double sw = 0, s = 0;
            for (size_t u = 0; u < n; u++) {
                double w = c->weight[u];
                if (!isfinite(c->lbm[u]) || !(w > 0))
                    continue;
                double v = 0;
                for (size_t i = 0; i < m->n_ind; i++)
                    if (m->ind[i].dim == (int)d)
                        v += c->coef[i] * c->c[i][u];
                if (!isfinite(v))
                    continue;
                sw += w;
                s += w * v;
            }
            c->means[d] = sw > 0 ? s / sw : NAN;
        }
    }
    return LB_OK;
}

static lb_status write_model(lb_ctx *ctx, lb_cal *c)
{
    const lb_model *m = c->m;
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    char *block = calibration_block(c, date);
    const char **codes = malloc((m->n_dims + 1) * sizeof(char *));
    if (!block || !codes) {
        free(block);
        free(codes);
        return nomem(ctx);
    }
    for (size_t d = 0; d < m->n_dims; d++)
        codes[d] = m->dims[d].code;
    const lb_model_edit e = {.coef = c->coef,
                             .n_ind = m->n_ind,
                             .set_ref = c->o->ref == LB_CAL_REF_TARGET,
                             .ref = c->ref,
                             .means = c->means,
                             .dim_codes = codes,
                             .n_dims = m->n_dims,
                             .calibration = block};
    lb_status st = lb_model_rewrite(ctx, c->o->score.model_path, c->text, c->text_len, &e,
                                    &c->fitted, &c->fitted_len);
    free(block);
    free(codes);
    /* what score will read: it must load as it is */
    lb_model *check = NULL;
    if (st == LB_OK)
        st = lb_model_load_buffer(ctx, c->o->output ? c->o->output : "fitted model",
                                  (const unsigned char *)c->fitted, c->fitted_len, &check);
    if (st != LB_OK && st != LB_ERR_NOMEM)
        st = lb_ctx_error_prefix(ctx, st, "calibrate: the fitted model does not load (a bug): ");
    lb_model_destroy(check);
    return st;
}

/* ---- result tables -------------------------------------------------------------------------- */

static lb_status add_col(lb_ctx *ctx, lb_table *t, const char *name, lb_col_type type, int decimals,
                         lb_column **out)
{
    lb_status st = lb_table_add(ctx, t, name, type, out);
    if (st == LB_OK && type == LB_COL_REAL)
        (*out)->decimals = decimals;
    return st;
}

static lb_status set_text(lb_ctx *ctx, lb_column *col, size_t r, const char *s)
{
    if (!s)
        return LB_OK;
    if (!(col->text[r] = lb_core_strdup(s)))
        return nomem(ctx);
    return LB_OK;
}

static lb_status table_fit(lb_ctx *ctx, lb_cal *c, lb_result *res)
{
    lb_table *t = NULL;
    lb_status st = lb_table_create(ctx, c->n_t, &t);
    enum { N_REAL = 10 };
    static const char *const rn[N_REAL] = {"lambda", "intercept", "r2",        "r2_adj", "cv_r2",
                                           "rmse",   "cv_rmse",   "condition", "sigma",  "y_mean"};
    lb_column *target = NULL, *table = NULL, *field = NULL, *ints[6] = {0}, *reals[N_REAL] = {0};
    static const char *const in[6] = {"n",          "n_left_out", "n_no_row",
                                      "n_unjoined", "n_clusters", "n_folds"};
    if (st == LB_OK)
        st = add_col(ctx, t, "target", LB_COL_TEXT, 0, &target);
    if (st == LB_OK)
        st = add_col(ctx, t, "table", LB_COL_TEXT, 0, &table);
    if (st == LB_OK)
        st = add_col(ctx, t, "field", LB_COL_TEXT, 0, &field);
    for (int k = 0; k < 6 && st == LB_OK; k++)
        st = add_col(ctx, t, in[k], LB_COL_INT, 0, &ints[k]);
    for (int k = 0; k < N_REAL && st == LB_OK; k++)
        st = add_col(ctx, t, rn[k], LB_COL_REAL, -1, &reals[k]);
    for (size_t r = 0; r < c->n_t && st == LB_OK; r++) {
        const lb_cal_fit *f = &c->t[r];
        const lb_fit *ft = f->fit;
        if ((st = set_text(ctx, target, r, f->name)) ||
            (st = set_text(ctx, table, r, f->spec->path)) ||
            (st = set_text(ctx, field, r, f->spec->field)))
            break;
        const int64_t iv[6] = {(int64_t)f->n,           (int64_t)(f->j.n_joined - f->n),
                               (int64_t)f->n_no_row,    (int64_t)f->j.n_unjoined,
                               (int64_t)ft->n_clusters, (int64_t)ft->n_folds};
        const double rv[N_REAL] = {ft->lambda, ft->intercept, ft->r2,        ft->r2_adj, ft->cv_r2,
                                   ft->rmse,   ft->cv_rmse,   ft->condition, ft->sigma,  f->y_mean};
        for (int k = 0; k < 6; k++)
            ints[k]->integer[r] = iv[k];
        for (int k = 0; k < N_REAL; k++)
            reals[k]->real[r] = rv[k];
    }
    return st == LB_OK ? lb_result_add_table(ctx, res, "fit", t) : (lb_table_destroy(t), st);
}

static lb_status table_coefficients(lb_ctx *ctx, lb_cal *c, lb_result *res)
{
    const lb_model *m = c->m;
    size_t rows = 0;
    for (size_t k = 0; k < c->n_t; k++)
        rows += c->t[k].p + 1;
    lb_table *t = NULL;
    lb_status st = lb_table_create(ctx, rows, &t);
    lb_column *tc = NULL, *ic = NULL, *dc = NULL, *sc = NULL, *ok = NULL, *used = NULL;
    enum { NR = 8 };
    static const char *const rn[NR] = {"previous", "coef",      "se",  "se_cluster",
                                       "t",        "t_cluster", "vif", "p_share"};
    lb_column *rc[NR] = {0};
    if (st == LB_OK)
        st = add_col(ctx, t, "target", LB_COL_TEXT, 0, &tc);
    if (st == LB_OK)
        st = add_col(ctx, t, "indicator", LB_COL_TEXT, 0, &ic);
    if (st == LB_OK)
        st = add_col(ctx, t, "dimension", LB_COL_TEXT, 0, &dc);
    for (int k = 0; k < NR - 1 && st == LB_OK; k++)
        st = add_col(ctx, t, rn[k], LB_COL_REAL, -1, &rc[k]);
    if (st == LB_OK)
        st = add_col(ctx, t, "sign", LB_COL_TEXT, 0, &sc);
    if (st == LB_OK)
        st = add_col(ctx, t, "sign_ok", LB_COL_INT, 0, &ok);
    if (st == LB_OK)
        st = add_col(ctx, t, "used", LB_COL_INT, 0, &used);
    size_t r = 0;
    for (size_t k = 0; k < c->n_t && st == LB_OK; k++) {
        const lb_cal_fit *f = &c->t[k];
        const lb_fit *ft = f->fit;
        for (size_t j = 0; j <= f->p && st == LB_OK; j++, r++) {
            int icpt = j == f->p;
            size_t i = icpt ? 0 : f->ind[j];
            if ((st = set_text(ctx, tc, r, f->name)) ||
                (st = set_text(ctx, ic, r, icpt ? "(intercept)" : m->ind[i].id)) ||
                (!icpt && (st = set_text(ctx, dc, r, m->ind[i].dimension))))
                break;
            const double v[NR - 1] = {icpt ? NAN : m->ind[i].coef,
                                      icpt ? ft->intercept : ft->beta[j],
                                      icpt ? ft->intercept_se : ft->se[j],
                                      icpt ? ft->intercept_se_cluster : ft->se_cluster[j],
                                      icpt ? ft->intercept / ft->intercept_se : ft->t[j],
                                      icpt ? ft->intercept / ft->intercept_se_cluster
                                           : ft->t_cluster[j],
                                      icpt ? NAN : ft->vif[j]};
            for (int q = 0; q < NR - 1; q++)
                rc[q]->real[r] = v[q];
            int sg = icpt ? 0 : m->ind[i].sign;
            if (sg && (st = set_text(ctx, sc, r, sg > 0 ? "+" : "-")))
                break;
            ok->integer[r] = icpt || ft->sign_ok[j] < 0 ? LB_INT_NULL : ft->sign_ok[j];
            used->integer[r] = icpt ? 0 : c->coef_from[i] == (int)k;
        }
    }
    return st == LB_OK ? lb_result_add_table(ctx, res, "coefficients", t)
                       : (lb_table_destroy(t), st);
}

static lb_status table_predictions(lb_ctx *ctx, lb_cal *c, lb_result *res)
{
    const lb_model *m = c->m;
    size_t rows = 0;
    for (size_t k = 0; k < c->n_t; k++)
        rows += c->t[k].n;
    lb_table *t = NULL;
    lb_status st = lb_table_create(ctx, rows, &t);
    lb_column *tc = NULL, *cc = NULL, *gc = NULL, *fc = NULL, *rc[6] = {0};
    static const char *const rn[6] = {"weight",  "observed", "fitted",
                                      "cv_pred", "residual", "cv_residual"};
    lb_column **ic = calloc(m->n_ind + 1, sizeof(*ic));
    if (!ic)
        st = nomem(ctx);
    if (st == LB_OK)
        st = add_col(ctx, t, "target", LB_COL_TEXT, 0, &tc);
    if (st == LB_OK)
        st = add_col(ctx, t, "code", LB_COL_TEXT, 0, &cc);
    if (st == LB_OK)
        st = add_col(ctx, t, "gemeente", LB_COL_TEXT, 0, &gc);
    if (st == LB_OK)
        st = add_col(ctx, t, "fold", LB_COL_INT, 0, &fc);
    for (int k = 0; k < 6 && st == LB_OK; k++)
        st = add_col(ctx, t, rn[k], LB_COL_REAL, 6, &rc[k]);
    for (size_t i = 0; i < m->n_ind && st == LB_OK; i++) {
        char name[160];
        snprintf(name, sizeof(name), "f_%s", m->ind[i].id);
        st = add_col(ctx, t, name, LB_COL_REAL, 6, &ic[i]);
    }
    size_t r = 0;
    for (size_t k = 0; k < c->n_t && st == LB_OK; k++) {
        const lb_cal_fit *f = &c->t[k];
        for (size_t j = 0; j < f->n && st == LB_OK; j++, r++) {
            size_t u = f->rows[j];
            if ((st = set_text(ctx, tc, r, f->name)) || (st = set_text(ctx, cc, r, c->code[u])) ||
                (st = set_text(ctx, gc, r, c->gm[u])))
                break;
            fc->integer[r] = (int64_t)f->fit->fold[j];
            const double v[6] = {f->w[j],           f->y[j],
                                 f->fit->fitted[j], f->fit->cv_pred[j],
                                 f->fit->resid[j],  f->y[j] - f->fit->cv_pred[j]};
            for (int q = 0; q < 6; q++)
                rc[q]->real[r] = v[q];
            if (!c->o->weighted)
                rc[0]->real[r] = NAN;
            for (size_t i = 0; i < m->n_ind; i++)
                ic[i]->real[r] = c->c[i][u];
        }
    }
    free(ic);
    return st == LB_OK ? lb_result_add_table(ctx, res, "predictions", t)
                       : (lb_table_destroy(t), st);
}

/* ---- the whole computation --------------------------------------------------------------- */

static void cal_free(lb_cal *c)
{
    for (size_t k = 0; c->t && k < c->n_t; k++) {
        lb_cal_fit *t = &c->t[k];
        lb_calibrate_joined_free(&t->j);
        free(t->ind);
        free(t->rows);
        free(t->y);
        free(t->w);
        free(t->x);
        free(t->cl);
        lb_calibrate_fit_destroy(t->fit);
    }
    free(c->t);
    for (size_t u = 0; c->gm && c->units && u < c->units->n_rows; u++)
        free(c->gm[u]);
    free(c->gm);
    free(c->cluster);
    free(c->c);
    free(c->x);
    free(c->coef);
    free(c->coef_from);
    free(c->means);
    free(c->fitted);
    json_object_put(c->doc);
    lb_result_destroy(c->sres);
    free(c->unit_text);
    lb_model_destroy(c->m);
    free(c->text);
}

static lb_status check_options(lb_ctx *ctx, const lb_calibrate_options *o)
{
    if (!o || !o->score.model_path)
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: --model is required");
    if (o->n_targets == 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: --target or --target-dim is required");
    if (o->ref == LB_CAL_REF_TARGET && o->targets[0].dim)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "calibrate: --ref target needs a total target (--target)");
    for (size_t k = 0; k < o->n_targets; k++)
        for (size_t l = 0; l < k; l++)
            if ((!o->targets[k].dim && !o->targets[l].dim) ||
                (o->targets[k].dim && o->targets[l].dim &&
                 !strcmp(o->targets[k].dim, o->targets[l].dim)))
                return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: two targets for %s",
                                    o->targets[k].dim ? o->targets[k].dim : "the total");
    return LB_OK;
}

/* The targets' indicators; a dimension code the model does not have is an error. */
static lb_status plan_targets(lb_ctx *ctx, lb_cal *c)
{
    const lb_model *m = c->m;
    c->t = calloc(c->o->n_targets, sizeof(*c->t));
    if (!c->t)
        return nomem(ctx);
    c->n_t = c->o->n_targets;
    for (size_t k = 0; k < c->n_t; k++) {
        lb_cal_fit *t = &c->t[k];
        t->spec = &c->o->targets[k];
        t->dim = -1;
        snprintf(t->name, sizeof(t->name), "%s", t->spec->dim ? t->spec->dim : "total");
        if (t->spec->dim) {
            for (size_t d = 0; d < m->n_dims; d++)
                if (!strcmp(m->dims[d].code, t->spec->dim))
                    t->dim = (int)d;
            if (t->dim < 0) {
                char list[512] = "";
                for (size_t d = 0, used = 0; d < m->n_dims; d++) {
                    int w = snprintf(list + used, sizeof(list) - used, "%s%s", d ? ", " : "",
                                     m->dims[d].code);
                    if (w < 0 || (size_t)w >= sizeof(list) - used)
                        break;
                    used += (size_t)w;
                }
                return lb_ctx_error(ctx, LB_ERR_ARG,
                                    "calibrate: --target-dim %s: the model '%s' has no dimension "
                                    "'%s' (dimensions: %s)",
                                    t->spec->dim, c->o->score.model_path, t->spec->dim, list);
            }
        }
        t->ind = malloc((m->n_ind + 1) * sizeof(size_t));
        if (!t->ind)
            return nomem(ctx);
        for (size_t i = 0; i < m->n_ind; i++)
            if (t->dim < 0 || m->ind[i].dim == t->dim)
                t->ind[t->p++] = i;
        if (t->p == 0)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "calibrate: --target-dim %s: the model has no indicator in "
                                "dimension %s",
                                t->spec->dim, t->spec->dim);
    }
    return LB_OK;
}

/* The provenance of the evaluation: its inputs (with hashes) into @p c->doc. */
static lb_status start_doc(lb_ctx *ctx, lb_cal *c)
{
    const lb_calibrate_options *o = c->o;
    c->doc = lb_provenance_begin("calibrate", o->command_line);
    if (!c->doc)
        return nomem(ctx);
    struct json_object *sdoc = json_tokener_parse(lb_result_provenance(c->sres));
    struct json_object *in = NULL;
    if (sdoc && json_object_object_get_ex(sdoc, "inputs", &in))
        json_object_object_add(c->doc, "inputs", json_object_get(in));
    json_object_put(sdoc);
    /* the target tables too */
    struct json_object *arr = NULL;
    if (!json_object_object_get_ex(c->doc, "inputs", &arr)) {
        arr = json_object_new_array();
        json_object_object_add(c->doc, "inputs", arr);
    }
    struct json_object *tmp = json_object_new_object();
    const char **paths = malloc((c->n_t + 1) * sizeof(char *));
    if (!tmp || !paths) {
        json_object_put(tmp);
        free(paths);
        return nomem(ctx);
    }
    size_t n = 0;
    for (size_t k = 0; k < c->n_t; k++) {
        size_t l = 0;
        while (l < k && strcmp(c->t[l].spec->path, c->t[k].spec->path) != 0)
            l++;
        if (l == k)
            paths[n++] = c->t[k].spec->path;
    }
    lb_status st = lb_provenance_inputs(ctx, tmp, paths, n);
    struct json_object *ti = NULL;
    if (st == LB_OK && json_object_object_get_ex(tmp, "inputs", &ti))
        for (size_t i = 0; i < json_object_array_length(ti); i++)
            json_object_array_add(arr, json_object_get(json_object_array_get_idx(ti, i)));
    json_object_put(tmp);
    free(paths);
    return st;
}

lb_status lb_calibrate_compute(lb_ctx *ctx, const lb_calibrate_options *o, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    lb_cal c = {.o = o};
    lb_result *res = NULL;
    lb_calibrate_payload *pl = NULL;
    lb_status st = check_options(ctx, o);
    if (st != LB_OK)
        goto cleanup;
    if ((st = lb_model_read_text(ctx, o->score.model_path, &c.text, &c.text_len)) != LB_OK ||
        (st = lb_model_load_buffer(ctx, o->score.model_path, c.text, c.text_len, &c.m)) != LB_OK ||
        (st = plan_targets(ctx, &c)) != LB_OK)
        goto cleanup;
    /* resets the warnings: nothing is logged before it */
    if ((st = score_units(ctx, &c)) != LB_OK)
        goto cleanup;
    size_t n_units = c.units->n_rows;
    for (size_t k = 0; k < c.n_t; k++) {
        const lb_calibrate_target_spec s = {
            .path = c.t[k].spec->path,
            .layer = c.t[k].spec->layer,
            .field = c.t[k].spec->field,
            .id_field = o->target_id,
            .year_field = o->target_year_field,
            .year = o->year,
            .cluster_field = k == 0 && o->cluster_field && !lb_table_col(c.units, o->cluster_field)
                                 ? o->cluster_field
                                 : NULL,
            .n_units = n_units,
            .unit_codes = c.code,
            .units_id_name = c.units->cols[0].name,
            .units_name = lb_table_name(c.units)};
        if ((st = lb_calibrate_target_join(ctx, &s, &c.t[k].j)) != LB_OK) {
            st = lb_ctx_error_prefix(ctx, st, "calibrate: target %s: ", c.t[k].name);
            goto cleanup;
        }
    }
    if ((st = assign_clusters(ctx, &c, c.t[0].j.cluster)) != LB_OK)
        goto cleanup;
    for (size_t k = 0; k < c.n_t; k++)
        if ((st = choose_rows(ctx, &c, &c.t[k])) != LB_OK ||
            (st = fit_target(ctx, &c, &c.t[k])) != LB_OK)
            goto cleanup;
    if ((st = assemble(ctx, &c)) != LB_OK || (st = start_doc(ctx, &c)) != LB_OK ||
        (st = write_model(ctx, &c)) != LB_OK)
        goto cleanup;

    static const lb_result_ops ops = {.write = lb_calibrate_write,
                                      .destroy = lb_calibrate_payload_free};
    if ((st = lb_result_create(ctx, "calibrate", &ops, &res)) != LB_OK)
        goto cleanup;
    if (!(pl = calloc(1, sizeof(*pl)))) {
        st = nomem(ctx);
        goto cleanup;
    }
    lb_result_set_payload(res, pl);
    pl->model_text = c.fitted;
    pl->model_len = c.fitted_len;
    c.fitted = NULL;
    if ((st = table_coefficients(ctx, &c, res)) != LB_OK ||
        (st = table_fit(ctx, &c, res)) != LB_OK || (st = table_predictions(ctx, &c, res)) != LB_OK)
        goto cleanup;
    if ((st = lb_calibrate_report_build(ctx, &c, res, pl)) != LB_OK)
        goto cleanup;
    *out = res;
    res = NULL;
cleanup:
    lb_result_destroy(res);
    cal_free(&c);
    return st;
}
