/* SPDX-License-Identifier: MIT */
/* The reports of a calibration: calibrate.json (the provenance document with every number),
 * calibrate.md and a self-contained calibrate.html (an SVG scatter of cross-validated
 * prediction against observation per target, the coefficient table), and the writer that puts
 * them beside the fitted model, all or nothing. */
#include "cal.h"

#include "../api/provenance.h"
#include "../core/ctx.h"
#include "../io/outdir.h"
#include "../io/write.h"

#include <json-c/json.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing text ----------------------------------------------------------------------- */

typedef struct buf {
    char *s;
    size_t n, cap;
    int failed;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->n + (size_t)w)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
}

/* HTML-escaped @p s. */
static void esc(buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            put(b, "&lt;");
            break;
        case '>':
            put(b, "&gt;");
            break;
        case '&':
            put(b, "&amp;");
            break;
        case '"':
            put(b, "&quot;");
            break;
        default:
            put(b, "%c", *s);
        }
    }
}

/* A number for the reports: @p digits significant digits, "–" for none. */
static const char *fmt(char *s, size_t size, double v, int digits)
{
    if (!isfinite(v))
        snprintf(s, size, "–");
    else
        snprintf(s, size, "%.*g", digits, v);
    return s;
}

static struct json_object *jnum(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static const char *sign_word(int s)
{
    return s > 0 ? "+" : s < 0 ? "-" : "";
}

/* ---- calibrate.json ------------------------------------------------------------------------ */

static struct json_object *target_json(const lb_cal *c, const lb_cal_fit *t)
{
    const lb_model *m = c->m;
    const lb_fit *f = t->fit;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "target", json_object_new_string(t->name));
    json_object_object_add(o, "dimension",
                           t->dim >= 0 ? json_object_new_string(m->dims[t->dim].code) : NULL);
    json_object_object_add(o, "table", json_object_new_string(t->spec->path));
    json_object_object_add(o, "layer",
                           t->j.layer && *t->j.layer ? json_object_new_string(t->j.layer) : NULL);
    json_object_object_add(o, "field", json_object_new_string(t->spec->field));
    json_object_object_add(o, "id_field", json_object_new_string(t->j.id_field));
    json_object_object_add(o, "year_field",
                           t->j.year_field ? json_object_new_string(t->j.year_field) : NULL);
    struct json_object *cn = json_object_new_object();
    const struct {
        const char *k;
        size_t v;
    } counts[] = {{"rows", t->j.n_rows},
                  {"rows_of_year", t->j.n_rows_year},
                  {"rows_without_code", t->j.n_no_code},
                  {"rows_not_joined", t->j.n_unjoined},
                  {"units", c->units->n_rows},
                  {"units_without_row", t->n_no_row},
                  {"units_joined", t->j.n_joined},
                  {"left_out_missing_target", t->n_missing_y},
                  {"left_out_missing_indicator", t->n_missing_x},
                  {"left_out_not_scored", t->n_not_scored},
                  {"left_out_no_weight", t->n_no_weight},
                  {"used", t->n},
                  {"used_with_imputed_cells", t->n_partly_imputed}};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
        json_object_object_add(cn, counts[k].k, json_object_new_int64((int64_t)counts[k].v));
    json_object_object_add(o, "counts", cn);
    if (t->j.n_unjoined)
        json_object_object_add(o, "rows_not_joined_examples",
                               json_object_new_string(t->j.unjoined_examples));
    json_object_object_add(o, "n", json_object_new_int64((int64_t)t->n));
    json_object_object_add(o, "n_clusters", json_object_new_int64((int64_t)f->n_clusters));
    json_object_object_add(o, "n_folds", json_object_new_int64((int64_t)f->n_folds));
    json_object_object_add(o, "lambda", jnum(f->lambda));
    json_object_object_add(o, "weighted_mean", jnum(t->y_mean));
    const struct {
        const char *k;
        double v;
    } stats[] = {{"r2", f->r2},     {"r2_adj", f->r2_adj},      {"cv_r2", f->cv_r2},
                 {"rmse", f->rmse}, {"cv_rmse", f->cv_rmse},    {"sigma", f->sigma},
                 {"df", f->df},     {"condition", f->condition}};
    for (size_t k = 0; k < sizeof(stats) / sizeof(stats[0]); k++)
        json_object_object_add(o, stats[k].k, jnum(stats[k].v));
    struct json_object *ic = json_object_new_object();
    json_object_object_add(ic, "coef", jnum(f->intercept));
    json_object_object_add(ic, "se", jnum(f->intercept_se));
    json_object_object_add(ic, "se_cluster", jnum(f->intercept_se_cluster));
    json_object_object_add(o, "intercept", ic);
    if (f->n_lambda > 1) {
        struct json_object *grid = json_object_new_array();
        for (size_t k = 0; k < f->n_lambda; k++) {
            struct json_object *g = json_object_new_object();
            json_object_object_add(g, "lambda", jnum(f->lambda_grid[k]));
            json_object_object_add(g, "cv_r2", jnum(f->lambda_cv_r2[k]));
            json_object_array_add(grid, g);
        }
        json_object_object_add(o, "lambda_grid", grid);
    }
    struct json_object *co = json_object_new_array();
    for (size_t j = 0; j < t->p; j++) {
        const lb_indicator *ind = &m->ind[t->ind[j]];
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "indicator", json_object_new_string(ind->id));
        json_object_object_add(e, "dimension", json_object_new_string(ind->dimension));
        json_object_object_add(e, "previous", jnum(ind->coef));
        json_object_object_add(e, "coef", jnum(f->beta[j]));
        json_object_object_add(e, "se", jnum(f->se[j]));
        json_object_object_add(e, "se_cluster", jnum(f->se_cluster[j]));
        json_object_object_add(e, "t", jnum(f->t[j]));
        json_object_object_add(e, "t_cluster", jnum(f->t_cluster[j]));
        json_object_object_add(e, "vif", jnum(f->vif[j]));
        json_object_object_add(e, "sign",
                               ind->sign ? json_object_new_string(sign_word(ind->sign)) : NULL);
        json_object_object_add(e, "sign_ok",
                               f->sign_ok[j] < 0 ? NULL : json_object_new_boolean(f->sign_ok[j]));
        json_object_object_add(e, "used",
                               json_object_new_boolean(c->coef_from[t->ind[j]] == t - c->t));
        json_object_array_add(co, e);
    }
    json_object_object_add(o, "coefficients", co);
    return o;
}

static lb_status build_json(lb_ctx *ctx, const lb_cal *c, lb_result *res)
{
    const lb_calibrate_options *o = c->o;
    const lb_model *m = c->m;
    struct json_object *doc = c->doc; /* borrowed: the members are added to it */
    struct json_object *mj = json_object_new_object();
    json_object_object_add(mj, "path", json_object_new_string(o->score.model_path));
    json_object_object_add(mj, "name", json_object_new_string(m->name));
    json_object_object_add(mj, "sha256", json_object_new_string(m->hash));
    json_object_object_add(doc, "model", mj);
    json_object_object_add(doc, "fitted_model",
                           o->output ? json_object_new_string(o->output) : NULL);
    json_object_object_add(doc, "mode",
                           json_object_new_string(o->score.mode == LB_MODE_AREA ? "area" : "grid"));
    struct json_object *uj = json_object_new_object();
    json_object_object_add(uj, "name", json_object_new_string(lb_table_name(c->units)));
    json_object_object_add(uj, "code_field", json_object_new_string(c->units->cols[0].name));
    json_object_object_add(uj, "n", json_object_new_int64((int64_t)c->units->n_rows));
    json_object_object_add(doc, "units", uj);
    json_object_object_add(doc, "year", o->year ? json_object_new_int(o->year) : NULL);
    json_object_object_add(doc, "weight",
                           json_object_new_string(o->weighted ? m->weight_name : "none"));
    struct json_object *cj = json_object_new_object();
    json_object_object_add(cj, "source", json_object_new_string(c->cluster_source));
    json_object_object_add(cj, "n", json_object_new_int64((int64_t)c->n_clusters));
    json_object_object_add(doc, "cluster", cj);
    json_object_object_add(doc, "folds",
                           o->folds ? json_object_new_int64((int64_t)o->folds)
                                    : json_object_new_string("leave-one-gemeente-out"));
    json_object_object_add(doc, "ridge",
                           o->ridge_cv ? json_object_new_string("cv") : jnum(o->ridge));
    struct json_object *rj = json_object_new_object();
    json_object_object_add(rj, "rule",
                           json_object_new_string(o->ref == LB_CAL_REF_TARGET ? "target" : "keep"));
    json_object_object_add(rj, "previous", jnum(m->ref));
    json_object_object_add(rj, "ref", jnum(c->ref));
    json_object_object_add(doc, "ref", rj);
    if (c->means) {
        struct json_object *mm = json_object_new_object();
        for (size_t d = 0; d < m->n_dims; d++)
            json_object_object_add(mm, m->dims[d].code, jnum(c->means[d]));
        json_object_object_add(doc, "means", mm);
    }
    struct json_object *ts = json_object_new_array();
    for (size_t k = 0; k < c->n_t; k++)
        json_object_array_add(ts, target_json(c, &c->t[k]));
    json_object_object_add(doc, "targets", ts);
    struct json_object *cf = json_object_new_object();
    for (size_t i = 0; i < m->n_ind; i++) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "coef", jnum(c->coef[i]));
        json_object_object_add(e, "from",
                               c->coef_from[i] >= 0
                                   ? json_object_new_string(c->t[c->coef_from[i]].name)
                                   : json_object_new_string("kept"));
        json_object_object_add(cf, m->ind[i].id, e);
    }
    json_object_object_add(doc, "fitted_coefficients", cf);
    lb_status st = lb_result_take_warnings(ctx, res);
    if (st == LB_OK)
        st = lb_provenance_end(ctx, doc, res, lb_ctx_warning_count(ctx), NULL, NULL);
    if (st == LB_OK)
        st = lb_provenance_set(ctx, res, doc);
    return st;
}

/* ---- calibrate.md ------------------------------------------------------------------------- */

static void md_report(const lb_cal *c, const lb_result *res, buf *b)
{
    const lb_calibrate_options *o = c->o;
    const lb_model *m = c->m;
    char s1[32], s2[32], s3[32], s4[32], s5[32], s6[32];
    put(b, "# Calibration of %s\n\n", m->name);
    put(b, "- model: `%s` (sha256 %.12s…)\n", o->score.model_path, m->hash);
    if (o->output)
        put(b, "- fitted model: `%s`\n", o->output);
    put(b, "- units: %s (%zu, code field %s), %s mode%s", lb_table_name(c->units), c->units->n_rows,
        c->units->cols[0].name, o->score.mode == LB_MODE_AREA ? "area" : "grid",
        o->year ? "" : "\n");
    if (o->year)
        put(b, ", year %d\n", o->year);
    put(b, "- weights: %s\n", o->weighted ? m->weight_name : "none");
    put(b, "- clusters (gemeenten unless said otherwise): %zu, %s\n", c->n_clusters,
        c->cluster_source);
    if (o->folds)
        put(b, "- cross-validation: %zu folds of whole clusters\n", o->folds);
    else
        put(b, "- cross-validation: leave one cluster out\n");
    put(b, "- REF: %s (%s)\n\n", fmt(s1, sizeof(s1), c->ref, 6),
        o->ref == LB_CAL_REF_TARGET ? "the weighted mean of the total target" : "kept");
    put(b, "## Fits\n\n| target | table:field | n | left out | clusters | λ | R² | adj. R² | "
           "CV R² | RMSE | CV RMSE |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t k = 0; k < c->n_t; k++) {
        const lb_cal_fit *t = &c->t[k];
        const lb_fit *f = t->fit;
        put(b, "| %s | `%s`:%s | %zu | %zu | %zu | %s | %s | %s | %s | %s | %s |\n", t->name,
            t->spec->path, t->spec->field, t->n, t->j.n_joined - t->n, f->n_clusters,
            fmt(s1, sizeof(s1), f->lambda, 3), fmt(s2, sizeof(s2), f->r2, 3),
            fmt(s3, sizeof(s3), f->r2_adj, 3), fmt(s4, sizeof(s4), f->cv_r2, 3),
            fmt(s5, sizeof(s5), f->rmse, 3), fmt(s6, sizeof(s6), f->cv_rmse, 3));
    }
    for (size_t k = 0; k < c->n_t; k++) {
        const lb_cal_fit *t = &c->t[k];
        const lb_fit *f = t->fit;
        put(b,
            "\n## Coefficients: %s\n\nIntercept %s (SE %s, clustered %s). Condition number "
            "%s.\n\n",
            t->name, fmt(s1, sizeof(s1), f->intercept, 4), fmt(s2, sizeof(s2), f->intercept_se, 3),
            fmt(s3, sizeof(s3), f->intercept_se_cluster, 3), fmt(s4, sizeof(s4), f->condition, 3));
        put(b, "| indicator | dim | previous | coef | SE | clustered SE | t | VIF | sign |\n"
               "|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (size_t j = 0; j < t->p; j++) {
            const lb_indicator *ind = &m->ind[t->ind[j]];
            put(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s%s |\n", ind->id, ind->dimension,
                fmt(s1, sizeof(s1), ind->coef, 4), fmt(s2, sizeof(s2), f->beta[j], 4),
                fmt(s3, sizeof(s3), f->se[j], 3), fmt(s4, sizeof(s4), f->se_cluster[j], 3),
                fmt(s5, sizeof(s5), f->t[j], 3), fmt(s6, sizeof(s6), f->vif[j], 3),
                sign_word(ind->sign),
                f->sign_ok[j] < 0 ? ""
                : f->sign_ok[j]   ? " ok"
                                  : " **contradicted**");
        }
    }
    if (lb_result_warning_count(res)) {
        put(b, "\n## Warnings\n\n");
        for (size_t i = 0; i < lb_result_warning_count(res); i++)
            put(b, "- %s\n", lb_result_warning(res, i));
    }
    put(b, "\nPredictions per unit (observed, fitted, cross-validated) are in the predictions "
           "CSV beside this report.\n");
}

/* ---- calibrate.html ------------------------------------------------------------------------- */

/* Cross-validated prediction against observation, with the 1:1 line. */
static void svg_scatter(const lb_cal_fit *t, buf *b)
{
    const lb_fit *f = t->fit;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < t->n; r++) {
        const double v[2] = {t->y[r], f->cv_pred[r]};
        for (int k = 0; k < 2; k++)
            if (isfinite(v[k])) {
                lo = v[k] < lo ? v[k] : lo;
                hi = v[k] > hi ? v[k] : hi;
            }
    }
    if (!(hi > lo)) {
        hi = lo + 1;
        lo -= 1;
    }
    double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;
    const double size = 360, m0 = 48, span = size - m0 - 12;
#define SX(v) (m0 + ((v)-lo) / (hi - lo) * span)
#define SY(v) (12 + span - ((v)-lo) / (hi - lo) * span)
    char s1[32], s2[32];
    put(b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" role=\"img\" "
        "aria-label=\"cross-validated prediction against observed, target %s\">\n",
        size, size, t->name);
    put(b,
        "<rect x=\"%g\" y=\"12\" width=\"%g\" height=\"%g\" fill=\"#fafafa\" "
        "stroke=\"#999\"/>\n",
        m0, span, span);
    put(b,
        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c33\" "
        "stroke-dasharray=\"4 3\"/>\n",
        SX(lo), SY(lo), SX(hi), SY(hi));
    for (size_t r = 0; r < t->n; r++)
        if (isfinite(t->y[r]) && isfinite(f->cv_pred[r]))
            put(b,
                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#2a6fb0\" "
                "fill-opacity=\"0.6\"/>\n",
                SX(t->y[r]), SY(f->cv_pred[r]));
    put(b, "<text x=\"%g\" y=\"%g\" font-size=\"11\">%s</text>\n", m0, size - 2,
        fmt(s1, sizeof(s1), lo, 3));
    put(b, "<text x=\"%g\" y=\"%g\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", size - 12,
        size - 2, fmt(s2, sizeof(s2), hi, 3));
    put(b, "<text x=\"%g\" y=\"%g\" font-size=\"11\" text-anchor=\"middle\">observed</text>\n",
        m0 + span / 2, size - 2);
    put(b,
        "<text x=\"12\" y=\"%g\" font-size=\"11\" text-anchor=\"middle\" "
        "transform=\"rotate(-90 12 %g)\">cross-validated prediction</text>\n",
        12 + span / 2, 12 + span / 2);
    put(b, "<text x=\"%g\" y=\"%g\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", m0 - 4,
        12 + span, fmt(s1, sizeof(s1), lo, 3));
    put(b, "<text x=\"%g\" y=\"22\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", m0 - 4,
        fmt(s2, sizeof(s2), hi, 3));
    put(b, "</svg>\n");
#undef SX
#undef SY
}

static void html_report(const lb_cal *c, const lb_result *res, buf *b)
{
    const lb_calibrate_options *o = c->o;
    const lb_model *m = c->m;
    char s1[32], s2[32], s3[32], s4[32], s5[32], s6[32];
    put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<title>Calibration of ");
    esc(b, m->name);
    put(b, "</title>\n<style>\nbody{font-family:system-ui,sans-serif;max-width:60em;margin:2em "
           "auto;padding:0 1em;color:#222}\ntable{border-collapse:collapse;margin:1em 0}\n"
           "th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:right}\n"
           "th:first-child,td:first-child{text-align:left}\n.bad{color:#b00;font-weight:bold}"
           "\n.ok{color:#070}\n.note{color:#555;font-size:.9em}\n</style>\n</head>\n<body>\n");
    put(b, "<h1>Calibration of ");
    esc(b, m->name);
    put(b, "</h1>\n<ul>\n<li>model: <code>");
    esc(b, o->score.model_path);
    put(b, "</code></li>\n");
    if (o->output) {
        put(b, "<li>fitted model: <code>");
        esc(b, o->output);
        put(b, "</code></li>\n");
    }
    put(b, "<li>units: ");
    esc(b, lb_table_name(c->units));
    put(b, " (%zu, code field ", c->units->n_rows);
    esc(b, c->units->cols[0].name);
    put(b, "), %s mode", o->score.mode == LB_MODE_AREA ? "area" : "grid");
    if (o->year)
        put(b, ", year %d", o->year);
    put(b, "</li>\n<li>weights: %s</li>\n<li>clusters (gemeenten unless said otherwise): %zu, ",
        o->weighted ? m->weight_name : "none", c->n_clusters);
    esc(b, c->cluster_source);
    put(b, "</li>\n<li>cross-validation: ");
    if (o->folds)
        put(b, "%zu folds of whole clusters", o->folds);
    else
        put(b, "leave one cluster out");
    put(b, "</li>\n<li>REF: %s (%s)</li>\n</ul>\n", fmt(s1, sizeof(s1), c->ref, 6),
        o->ref == LB_CAL_REF_TARGET ? "the weighted mean of the total target" : "kept");
    for (size_t k = 0; k < c->n_t; k++) {
        const lb_cal_fit *t = &c->t[k];
        const lb_fit *f = t->fit;
        put(b, "<h2>Target %s: <code>", t->name);
        esc(b, t->spec->path);
        put(b, "</code> field <code>");
        esc(b, t->spec->field);
        put(b,
            "</code></h2>\n<p>%zu units used, %zu left out, %zu gemeenten, %zu folds. "
            "R² %s, adjusted %s, <b>cross-validated R² %s</b>; RMSE %s, cross-validated %s",
            t->n, t->j.n_joined - t->n, f->n_clusters, f->n_folds, fmt(s1, sizeof(s1), f->r2, 3),
            fmt(s2, sizeof(s2), f->r2_adj, 3), fmt(s3, sizeof(s3), f->cv_r2, 3),
            fmt(s4, sizeof(s4), f->rmse, 3), fmt(s5, sizeof(s5), f->cv_rmse, 3));
        if (f->lambda > 0)
            put(b, "; ridge λ %s", fmt(s6, sizeof(s6), f->lambda, 3));
        put(b, ".</p>\n");
        svg_scatter(t, b);
        put(b, "<p class=\"note\">Each point is a unit: its observed target and its prediction by "
               "the fit without its gemeente's units (dashed: prediction = observation).</p>\n");
        put(b, "<table>\n<tr><th>indicator</th><th>dim</th><th>previous</th><th>coef</th>"
               "<th>SE</th><th>clustered SE</th><th>t</th><th>VIF</th><th>expected sign</th>"
               "</tr>\n");
        put(b,
            "<tr><td>(intercept)</td><td></td><td></td><td>%s</td><td>%s</td><td>%s</td>"
            "<td></td><td></td><td></td></tr>\n",
            fmt(s1, sizeof(s1), f->intercept, 4), fmt(s2, sizeof(s2), f->intercept_se, 3),
            fmt(s3, sizeof(s3), f->intercept_se_cluster, 3));
        for (size_t j = 0; j < t->p; j++) {
            const lb_indicator *ind = &m->ind[t->ind[j]];
            put(b, "<tr><td>");
            esc(b, ind->id);
            put(b, "</td><td>");
            esc(b, ind->dimension);
            put(b, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td%s>%s</td>",
                fmt(s1, sizeof(s1), ind->coef, 4), fmt(s2, sizeof(s2), f->beta[j], 4),
                fmt(s3, sizeof(s3), f->se[j], 3), fmt(s4, sizeof(s4), f->se_cluster[j], 3),
                fmt(s5, sizeof(s5), f->t[j], 3), f->vif[j] > 10 ? " class=\"bad\"" : "",
                fmt(s6, sizeof(s6), f->vif[j], 3));
            if (f->sign_ok[j] < 0)
                put(b, "<td>%s</td></tr>\n", sign_word(ind->sign));
            else
                put(b, "<td class=\"%s\">%s %s</td></tr>\n", f->sign_ok[j] ? "ok" : "bad",
                    sign_word(ind->sign), f->sign_ok[j] ? "ok" : "contradicted");
        }
        put(b, "</table>\n");
    }
    if (lb_result_warning_count(res)) {
        put(b, "<h2>Warnings</h2>\n<ul>\n");
        for (size_t i = 0; i < lb_result_warning_count(res); i++) {
            put(b, "<li>");
            esc(b, lb_result_warning(res, i));
            put(b, "</li>\n");
        }
        put(b, "</ul>\n");
    }
    put(b, "<p class=\"note\">Written by leefbaar %s.</p>\n</body>\n</html>\n", lb_version());
}

lb_status lb_calibrate_report_build(lb_ctx *ctx, const lb_cal *c, lb_result *res,
                                    lb_calibrate_payload *pl)
{
    lb_status st = build_json(ctx, c, res);
    if (st != LB_OK)
        return st;
    buf md = {0}, html = {0};
    md_report(c, res, &md);
    html_report(c, res, &html);
    if (md.failed || html.failed) {
        free(md.s);
        free(html.s);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    pl->md = md.s;
    pl->html = html.s;
    /* no output may replace the model, an input or a target table */
    const lb_calibrate_options *o = c->o;
    size_t n = 1 + o->score.n_inputs + c->n_t;
    pl->protect = calloc(n, sizeof(char *));
    if (!pl->protect)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const char *paths[1] = {o->score.model_path};
    for (size_t i = 0; i < n; i++) {
        const char *p = i == 0                   ? paths[0]
                        : i <= o->score.n_inputs ? o->score.inputs[i - 1].path
                                                 : c->t[i - 1 - o->score.n_inputs].spec->path;
        if (!(pl->protect[pl->n_protect++] = lb_core_strdup(p)))
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    return LB_OK;
}

void lb_calibrate_payload_free(void *payload)
{
    lb_calibrate_payload *pl = payload;
    if (!pl)
        return;
    for (size_t i = 0; i < pl->n_protect; i++)
        free(pl->protect[i]);
    free(pl->protect);
    free(pl->html);
    free(pl->md);
    free(pl->model_text);
    free(pl);
}

/* ---- the writer ------------------------------------------------------------------------- */

static lb_status write_text(lb_ctx *ctx, const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s'", path);
    size_t put_n = fwrite(text, 1, len, f);
    int bad = put_n != len;
    bad |= fclose(f) != 0;
    return bad ? lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s' (disk full?)", path) : LB_OK;
}

lb_status lb_calibrate_write(lb_ctx *ctx, const lb_result *r, const lb_write_opts *w)
{
    const lb_calibrate_payload *pl = lb_result_payload(r);
    const char *out = w->outdir; /* "output": the fitted model file */
    if (!out || !*out)
        return lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: -o FITTED.yaml is required");
    size_t len = strlen(out);
    if (out[len - 1] == '/')
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "calibrate: -o names the fitted model file (e.g. fitted.yaml), not a "
                            "directory: '%s'",
                            out);
    const char *slash = strrchr(out, '/');
    const char *base = slash ? slash + 1 : out;
    size_t stem = strlen(base);
    if (stem > 5 && !strcmp(base + stem - 5, ".yaml"))
        stem -= 5;
    else if (stem > 4 && !strcmp(base + stem - 4, ".yml"))
        stem -= 4;
    char *dir = slash ? lb_core_strfmt("%.*s", (int)(slash - out), out) : lb_core_strdup(".");
    if (dir && !*dir) {
        free(dir);
        dir = lb_core_strdup("/");
    }
    enum { N = 5 };
    char *names[N] = {lb_core_strdup(base), lb_core_strfmt("%.*s.calibrate.json", (int)stem, base),
                      lb_core_strfmt("%.*s.calibrate.md", (int)stem, base),
                      lb_core_strfmt("%.*s.calibrate.html", (int)stem, base),
                      lb_core_strfmt("%.*s.predictions.csv", (int)stem, base)};
    char *paths[N] = {0};
    lb_outdir od = {0};
    struct json_object *doc = NULL;
    lb_status st = LB_OK;
    for (int i = 0; i < N; i++)
        if (!names[i])
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (!dir)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK) {
        const lb_outdir_spec spec = {.overwrite = w->overwrite,
                                     .names = (const char *const *)names,
                                     .n_names = N,
                                     .inputs = (const char *const *)pl->protect,
                                     .n_inputs = pl->n_protect};
        st = lb_outdir_open(ctx, dir, &spec, &od);
    }
    for (int i = 0; st == LB_OK && i < N; i++)
        if (!(paths[i] = lb_outdir_tmp_path(&od, names[i])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = write_text(ctx, paths[0], pl->model_text, pl->model_len);
    if (st == LB_OK) {
        doc = json_tokener_parse(lb_result_provenance(r));
        struct json_object *outs = json_object_new_array();
        if (!doc || !outs) {
            json_object_put(outs);
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        } else {
            for (int i = 0; i < N; i++)
                json_object_array_add(outs, json_object_new_string(names[i]));
            json_object_object_add(doc, "outputs", outs);
            st = lb_write_json(ctx, paths[1], doc);
        }
    }
    if (st == LB_OK)
        st = write_text(ctx, paths[2], pl->md, strlen(pl->md));
    if (st == LB_OK)
        st = write_text(ctx, paths[3], pl->html, strlen(pl->html));
    if (st == LB_OK) {
        const lb_table *pred = lb_result_table_by_name(r, "predictions");
        const lb_vector_opts vo = {
            .format = LB_FMT_CSV, .csv_sep = w->csv_sep ? w->csv_sep : ',', .full_precision = 1};
        st = pred ? lb_write_vector(ctx, paths[4], pred, &vo)
                  : lb_ctx_error(ctx, LB_ERR_ARG, "calibrate: the result has no predictions");
    }
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &od);
    lb_outdir_abort(&od);
    json_object_put(doc);
    for (int i = 0; i < N; i++) {
        free(names[i]);
        free(paths[i]);
    }
    free(dir);
    return st;
}
