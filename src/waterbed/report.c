/* SPDX-License-Identifier: MIT */
/* waterbed.html and waterbed.md: per period the pooled coefficients with their intervals, the
 * focus areas flagged for displacement or diffusion, a forest plot of the order-1 DiDs with
 * their placebo intervals, and a map of the zones. Everything is read from the result's tables
 * by column name (waterbed_summary, units, focus), so a column the statistics add later shows
 * as soon as the summary carries it. English, like the tables and their column names, so that
 * every number reads the same as in the CSV files (decimal point). */
#include "report.h"

#include "summary.h"

#include "../core/ctx.h"
#include "../diagnose/doc.h"
#include "../diagnose/svg.h"
#include "../geom/overlay.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ----------------------------------------------------------------------------- */

typedef struct nb {
    char s[400]; /* an interval of two numbers as long as nl_number writes them */
} nb;

/* @p v with @p decimals digits after a decimal point, rounded half away from zero as the CSV
 * writer rounds; "–" when missing. */
static nb num(double v, int decimals)
{
    nb b;
    lb_diagnose_nl_number(b.s, sizeof(b.s), v, decimals, 0);
    for (char *c = b.s; *c; c++)
        *c = *c == ',' ? '.' : *c;
    return b;
}

/* A p- or q-value: three decimals, "<0.001" below that. */
static nb pval(double p)
{
    nb b;
    if (isfinite(p) && p < 0.0005)
        snprintf(b.s, sizeof(b.s), "<0.001");
    else
        b = num(p, 3);
    return b;
}

/* A p-value of @p draws random draws: below 1/(draws + 1) it is only known to be smaller than
 * that (a bootstrap p of 0 out of 999 draws is "<0.001", of 99 draws "<0.010"). */
static nb pdraws(double p, double draws)
{
    nb b;
    if (isfinite(p) && draws > 0 && p < 1.0 / (draws + 1.0) - 1e-12) {
        b = num(1.0 / (draws + 1.0), 3); /* at most "1.000" */
        memmove(b.s + 1, b.s, strlen(b.s) + 1);
        b.s[0] = '<';
    } else
        b = pval(p);
    return b;
}

typedef struct nb2 {
    char s[2 * sizeof(nb) + 8];
} nb2;

static nb2 interval(double lo, double hi)
{
    nb2 b;
    if (!isfinite(lo) || !isfinite(hi))
        snprintf(b.s, sizeof(b.s), "\xe2\x80\x93");
    else
        snprintf(b.s, sizeof(b.s), "%s to %s", num(lo, 3).s, num(hi, 3).s);
    return b;
}

/* ---- the summary table ------------------------------------------------------------------- */

typedef struct rep {
    lb_doc k;
    const lb_table *s, *units, *focus;
    struct json_object *doc;
    const lb_column *period, *role, *level, *fid, *fname, *zone, *model, *n, *est, *lo, *hi, *plo,
        *phi, *pd, *qd, *pu, *qu, *p2, *test, *draws, *flag;
    int has_ci, has_diff, has_model;
    const char *forest_zone; /* order-1 adjacency, else the first ring */
} rep;

static const char *txt(const lb_column *c, size_t r)
{
    return wb_summary_text(c, r);
}

static double val(const lb_column *c, size_t r)
{
    return wb_summary_real(c, r);
}

static int eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int is_pooled(const rep *R, size_t r)
{
    return eq(txt(R->level, r), "pooled");
}

/* The focus area of row r as "ID name". */
static void area_label(const rep *R, size_t r, char *buf, size_t size)
{
    const char *id = txt(R->fid, r), *name = txt(R->fname, r);
    snprintf(buf, size, "%s%s%s", id ? id : "?", name && !eq(name, id) ? " " : "",
             name && !eq(name, id) ? name : "");
}

/* The json-c value of run.json option @p key as text ("" when absent). */
static const char *opt(const rep *R, const char *key)
{
    struct json_object *o = NULL, *v = NULL;
    if (R->doc && json_object_object_get_ex(R->doc, "options", &o) &&
        json_object_object_get_ex(o, key, &v) && v)
        return json_object_get_string(v);
    return "";
}

/* ---- sections ---------------------------------------------------------------------------- */

static void pooled_table(rep *R, const char *period)
{
    lb_doc *k = &R->k;
    size_t n = 0;
    for (size_t r = 0; r < R->s->n_rows; r++)
        n += is_pooled(R, r) && eq(txt(R->period, r), period);
    if (n == 0) {
        lb_doc_para(k, "No pooled regression in this period (bootstrap off or too few units).");
        return;
    }
    const char *head[] = {"Zone",           "Model",       "Estimate", "95 % CI", "p (two-sided)",
                          "p displacement", "p diffusion", "Units",    "Flag"};
    char align[10] = "llrrrrrrl";
    /* leave out the columns this run does not have */
    const char *h[9];
    char a[10];
    size_t nc = 0;
    for (size_t c = 0; c < 9; c++) {
        if ((c == 1 && !R->has_model) || (c == 3 && !R->has_ci) || (c == 6 && !R->has_diff))
            continue;
        h[nc] = head[c];
        a[nc++] = align[c];
    }
    a[nc] = '\0';
    lb_doc_table_begin(k, a, h);
    for (size_t r = 0; r < R->s->n_rows; r++) {
        if (!is_pooled(R, r) || !eq(txt(R->period, r), period))
            continue;
        lb_doc_cell(k, txt(R->zone, r));
        if (R->has_model)
            lb_doc_cell(k, txt(R->model, r));
        lb_doc_cell(k, num(val(R->est, r), 3).s);
        if (R->has_ci)
            lb_doc_cell(k, interval(val(R->lo, r), val(R->hi, r)).s);
        double b = val(R->draws, r);
        lb_doc_cell(k, pdraws(val(R->p2, r), b).s);
        lb_doc_cell(k, pdraws(val(R->pd, r), b).s);
        if (R->has_diff)
            lb_doc_cell(k, pdraws(val(R->pu, r), b).s);
        lb_doc_cell(k, num(val(R->n, r), 0).s);
        lb_doc_cell(k, txt(R->flag, r));
    }
    lb_doc_table_end(k);
}

static void flagged_table(rep *R, const char *period)
{
    lb_doc *k = &R->k;
    size_t n = 0;
    for (size_t r = 0; r < R->s->n_rows; r++)
        n += !is_pooled(R, r) && eq(txt(R->period, r), period) && txt(R->flag, r);
    if (n == 0) {
        lb_doc_paraf(k,
                     "No focus area is flagged in %s: no zone has a displacement%s q-value at or "
                     "below %s.",
                     period, R->has_diff ? " or diffusion" : "", num(WB_SUMMARY_ALPHA, 2).s);
        return;
    }
    const char *head[] = {"Focus area",   "Zone",           "DiD",
                          "Placebo 95 %", "p displacement", "q displacement",
                          "p diffusion",  "q diffusion",    "Flag"};
    const char *h[9];
    char a[10];
    size_t nc = 0;
    for (size_t c = 0; c < 9; c++) {
        if ((c == 6 || c == 7) && !R->has_diff)
            continue;
        h[nc] = head[c];
        a[nc++] = c < 2 || c == 8 ? 'l' : 'r';
    }
    a[nc] = '\0';
    lb_doc_table_begin(k, a, h);
    for (size_t r = 0; r < R->s->n_rows; r++) {
        if (is_pooled(R, r) || !eq(txt(R->period, r), period) || !txt(R->flag, r))
            continue;
        char lab[256];
        area_label(R, r, lab, sizeof(lab));
        lb_doc_cell(k, lab);
        lb_doc_cell(k, txt(R->zone, r));
        lb_doc_cell(k, num(val(R->est, r), 3).s);
        lb_doc_cell(k, interval(val(R->plo, r), val(R->phi, r)).s);
        lb_doc_cell(k, pval(val(R->pd, r)).s);
        lb_doc_cell(k, pval(val(R->qd, r)).s);
        if (R->has_diff) {
            lb_doc_cell(k, pval(val(R->pu, r)).s);
            lb_doc_cell(k, pval(val(R->qu, r)).s);
        }
        lb_doc_cell(k, txt(R->flag, r));
    }
    lb_doc_table_end(k);
}

/* Rows of the forest plot: the focus areas' rows of the forest zone in @p period, sorted by
 * DiD (most negative first). Returns the count; *rows malloc'd. */
static size_t forest_rows(const rep *R, const char *period, size_t **rows)
{
    size_t n = 0;
    *rows = malloc((R->s->n_rows ? R->s->n_rows : 1) * sizeof(size_t));
    if (!*rows)
        return 0;
    for (size_t r = 0; r < R->s->n_rows; r++)
        if (!is_pooled(R, r) && eq(txt(R->period, r), period) &&
            eq(txt(R->zone, r), R->forest_zone) && isfinite(val(R->est, r)))
            (*rows)[n++] = r;
    /* insertion sort: tens of focus areas, stable (ties keep file order) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && val(R->est, (*rows)[j]) < val(R->est, (*rows)[j - 1]); j--) {
            size_t t = (*rows)[j];
            (*rows)[j] = (*rows)[j - 1];
            (*rows)[j - 1] = t;
        }
    return n;
}

static const char *flag_colour(const char *flag)
{
    return eq(flag, "displacement") ? "#c0392b" : eq(flag, "diffusion") ? "#1f5fa8" : "#222222";
}

/* The forest plot (HTML) or its numbers as a table (Markdown). */
static void forest(rep *R, const char *period)
{
    lb_doc *k = &R->k;
    size_t *rows = NULL, n = forest_rows(R, period, &rows);
    if (!rows) {
        k->t.failed = 1;
        return;
    }
    if (n == 0) {
        lb_doc_paraf(k, "No focus area has a DiD in zone %s in %s.", R->forest_zone, period);
        free(rows);
        return;
    }
    long pooled = -1;
    for (size_t r = 0; r < R->s->n_rows && pooled < 0; r++)
        if (is_pooled(R, r) && eq(txt(R->period, r), period) && eq(txt(R->zone, r), R->forest_zone))
            pooled = (long)r;
    if (!k->html) {
        const char *head[] = {"Focus area",     "DiD", "Placebo 95 %", "p displacement",
                              "q displacement", "Flag"};
        lb_doc_table_begin(k, "lrrrrl", head);
        for (size_t i = 0; i < n; i++) {
            size_t r = rows[i];
            char lab[256];
            area_label(R, r, lab, sizeof(lab));
            lb_doc_cell(k, lab);
            lb_doc_cell(k, num(val(R->est, r), 3).s);
            lb_doc_cell(k, interval(val(R->plo, r), val(R->phi, r)).s);
            lb_doc_cell(k, pval(val(R->pd, r)).s);
            lb_doc_cell(k, pval(val(R->qd, r)).s);
            lb_doc_cell(k, txt(R->flag, r));
        }
        lb_doc_table_end(k);
        free(rows);
        return;
    }
    double lo = 0.0, hi = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double v[3] = {val(R->est, rows[i]), val(R->plo, rows[i]), val(R->phi, rows[i])};
        for (int j = 0; j < 3; j++)
            if (isfinite(v[j])) {
                lo = fmin(lo, v[j]);
                hi = fmax(hi, v[j]);
            }
    }
    if (pooled >= 0) {
        const double v[3] = {val(R->est, (size_t)pooled), val(R->lo, (size_t)pooled),
                             val(R->hi, (size_t)pooled)};
        for (int j = 0; j < 3; j++)
            if (isfinite(v[j])) {
                lo = fmin(lo, v[j]);
                hi = fmax(hi, v[j]);
            }
    }
    double step = lb_svg_nice_up((hi - lo) / 5.0);
    lo = floor(lo / step) * step;
    hi = ceil(hi / step) * step;
    if (!(hi > lo)) {
        lo -= step;
        hi += step;
    }
    const double W = 720, label_w = 250, right = 20, top = 14, row_h = 17;
    const double pw = W - label_w - right;
    double H = top + row_h * (double)(n + (pooled >= 0 ? 1.5 : 0)) + 34;
#define FX(v) (label_w + ((v)-lo) / (hi - lo) * pw)
    lb_text *t = &k->t;
    lb_text_printf(t,
                   "<figure><svg class=\"forest\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                   "height=\"%.0f\" role=\"img\" aria-label=\"DiD in zone ",
                   W, H, W, H);
    lb_text_html(t, R->forest_zone);
    lb_text_puts(t, " per focus area with placebo intervals\">\n");
    double yb = top + row_h * (double)(n + (pooled >= 0 ? 1.5 : 0));
    for (int g = 0; g <= (int)((hi - lo) / step + 0.5); g++) {
        double v = lo + g * step, x = FX(v);
        lb_text_printf(t,
                       "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" "
                       "stroke-width=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
                       "text-anchor=\"middle\">%s</text>\n",
                       x, x, top - 4, yb, fabs(v) < step * 1e-9 ? "#222" : "#ccc",
                       fabs(v) < step * 1e-9 ? "1.2" : "0.6", x, yb + 14,
                       num(fabs(v) < step * 1e-9 ? 0.0 : v, step < 0.01 ? 3 : 2).s);
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows[i];
        double y = top + row_h * ((double)i + 0.5);
        char lab[256];
        area_label(R, r, lab, sizeof(lab));
        lb_text_printf(t,
                       "<text x=\"%.0f\" y=\"%.1f\" class=\"lab\" text-anchor=\"end\" "
                       "dominant-baseline=\"central\">",
                       label_w - 8, y);
        lb_text_html(t, lab);
        lb_text_puts(t, "</text>\n");
        double a = val(R->plo, r), b = val(R->phi, r), e = val(R->est, r);
        if (isfinite(a) && isfinite(b))
            lb_text_printf(t,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"6\" "
                           "fill=\"#bbbbbb\"/>\n",
                           FX(a), y - 3, fmax(FX(b) - FX(a), 0.5));
        const char *f = txt(R->flag, r);
        lb_text_printf(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>", FX(e), y,
                       flag_colour(f));
        lb_text_html(t, lab);
        lb_text_printf(t, ": DiD %s, placebo 95 %% %s, p %s%s%s</title></circle>\n", num(e, 3).s,
                       interval(a, b).s, pval(val(R->pd, r)).s, f ? ", " : "", f ? f : "");
    }
    if (pooled >= 0) {
        size_t r = (size_t)pooled;
        double y = top + row_h * ((double)n + 1.0), e = val(R->est, r);
        double a = val(R->lo, r), b = val(R->hi, r);
        lb_text_printf(t,
                       "<text x=\"%.0f\" y=\"%.1f\" class=\"lab\" font-weight=\"bold\" "
                       "text-anchor=\"end\" dominant-baseline=\"central\">pooled</text>\n",
                       label_w - 8, y);
        if (isfinite(a) && isfinite(b))
            lb_text_printf(t,
                           "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                           "stroke=\"#222\" stroke-width=\"2\"/>\n",
                           FX(a), FX(b), y, y);
        if (isfinite(e))
            lb_text_printf(t,
                           "<path d=\"M%.1f %.1fl6 6-6 6-6-6z\" fill=\"%s\"><title>pooled: %s, "
                           "95 %% CI %s</title></path>\n",
                           FX(e), y - 6, flag_colour(txt(R->flag, r)), num(e, 3).s,
                           interval(a, b).s);
    }
#undef FX
    lb_text_puts(t, "</svg></figure>\n");
    lb_text_puts(t, "<p class=\"legend\"><span class=\"dot\" style=\"background:#c0392b\"></span>"
                    "displacement <span class=\"dot\" style=\"background:#1f5fa8\"></span>"
                    "diffusion <span class=\"dot\" style=\"background:#222\"></span>not flagged "
                    "<span class=\"bar\"></span>central 95 % of the placebo DiDs");
    if (pooled >= 0)
        lb_text_puts(t, " \xe2\x97\x86 pooled estimate (line: 95 % CI)");
    lb_text_puts(t, "</p>\n");
    free(rows);
}

/* ---- the map of the zones ---------------------------------------------------------------- */

enum { Z_OTHER, Z_FAR, Z_ORDER3, Z_ORDER2, Z_ORDER1, Z_MASKED, Z_FOCUS, Z_N };
static const char *const zone_label[Z_N] = {"not in a tested zone",
                                            "far control",
                                            "adjacency order 3+",
                                            "adjacency order 2",
                                            "adjacency order 1",
                                            "other treated (masked)",
                                            "focus area"};
static const char *const zone_colour[Z_N] = {"#eeeeee", "#a6cee3", "#fee8c8", "#fdbb84",
                                             "#e34a33", "#9e9e9e", "#6a1b9a"};

typedef struct shape_rings {
    double *xy;
    size_t *off;
    int *hole;
    size_t n;
    int zone;
    double bb[4];
} shape_rings;

static void rings_free(shape_rings *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].xy);
        free(s[i].off);
        free(s[i].hole);
    }
    free(s);
}

/* The rings of every feature of @p t (WKB through GEOS, drawn as they are: an invalid polygon
 * draws as well as a valid one). */
static lb_status read_rings(lb_ctx *ctx, const lb_table *t, const char *what, shape_rings **out)
{
    shape_rings *s = calloc(t->n_rows ? t->n_rows : 1, sizeof(*s));
    lb_status st = s ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < t->n_rows; i++) {
        s[i].bb[0] = s[i].bb[1] = INFINITY;
        s[i].bb[2] = s[i].bb[3] = -INFINITY;
        if (!t->wkb || !t->wkb[i])
            continue;
        st = lb_geom_wkb_rings(ctx, t->wkb[i], t->wkb_size[i], what, &s[i].xy, &s[i].off,
                               &s[i].hole, &s[i].n);
        for (size_t p = 0; st == LB_OK && p < (s[i].n ? s[i].off[s[i].n] : 0); p++) {
            s[i].bb[0] = fmin(s[i].bb[0], s[i].xy[2 * p]);
            s[i].bb[1] = fmin(s[i].bb[1], s[i].xy[2 * p + 1]);
            s[i].bb[2] = fmax(s[i].bb[2], s[i].xy[2 * p]);
            s[i].bb[3] = fmax(s[i].bb[3], s[i].xy[2 * p + 1]);
        }
    }
    if (st != LB_OK) {
        rings_free(s, t->n_rows);
        return st;
    }
    *out = s;
    return LB_OK;
}

typedef struct view {
    double x0, y1, scale, w, h;
} view;

/* A path of the rings in pixels; vertices closer than 0.6 px to the last one drawn are left
 * out, so national maps stay small. Returns 0 when nothing is left to draw. */
static int ring_path(lb_text *t, const shape_rings *s, const view *v)
{
    int any = 0;
    for (size_t r = 0; r < s->n; r++) {
        size_t a = s->off[r], b = s->off[r + 1], kept = 0;
        double lx = 0, ly = 0;
        for (size_t p = a; p < b; p++) {
            double x = (s->xy[2 * p] - v->x0) * v->scale, y = (v->y1 - s->xy[2 * p + 1]) * v->scale;
            if (kept && p + 1 < b && fabs(x - lx) < 0.6 && fabs(y - ly) < 0.6)
                continue;
            lb_text_printf(t, "%c%.1f %.1f", kept ? 'L' : 'M', x, y);
            lx = x;
            ly = y;
            kept++;
        }
        if (kept) {
            lb_text_puts(t, "Z");
            any = 1;
        }
    }
    return any;
}

static int units_zone(const rep *R, size_t i)
{
    const lb_column *mem = lb_table_col(R->units, "member"),
                    *mask = lb_table_col(R->units, "masked"),
                    *adj = lb_table_col(R->units, "adj_order"),
                    *far = lb_table_col(R->units, "far_control");
    double a = val(adj, i);
    if (val(mem, i) > 0)
        return Z_FOCUS;
    if (val(mask, i) > 0)
        return Z_MASKED;
    if (a == 1)
        return Z_ORDER1;
    if (a == 2)
        return Z_ORDER2;
    if (a >= 3)
        return Z_ORDER3;
    if (val(far, i) > 0)
        return Z_FAR;
    return Z_OTHER;
}

static lb_status zones_map(lb_ctx *ctx, rep *R)
{
    lb_text *t = &R->k.t;
    shape_rings *u = NULL, *f = NULL;
    size_t nu = R->units ? R->units->n_rows : 0, nf = R->focus ? R->focus->n_rows : 0;
    lb_status st = nu ? read_rings(ctx, R->units, "waterbed units", &u) : LB_OK;
    if (st == LB_OK && nf)
        st = read_rings(ctx, R->focus, "waterbed focus areas", &f);
    if (st != LB_OK || !u) {
        if (st == LB_OK)
            lb_doc_para(&R->k, "No map: the run has no unit polygons.");
        rings_free(u, nu);
        rings_free(f, nf);
        return st;
    }
    /* The extent: the focus areas and their first two adjacency orders (all units when the
     * run has none), with a margin. */
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    int seen[Z_N] = {0};
    for (int pass = 0; pass < 2 && !isfinite(bb[0]); pass++)
        for (size_t i = 0; i < nu; i++) {
            u[i].zone = units_zone(R, i);
            if (pass == 0 && u[i].zone < Z_ORDER2)
                continue;
            bb[0] = fmin(bb[0], u[i].bb[0]);
            bb[1] = fmin(bb[1], u[i].bb[1]);
            bb[2] = fmax(bb[2], u[i].bb[2]);
            bb[3] = fmax(bb[3], u[i].bb[3]);
        }
    if (!isfinite(bb[0])) {
        lb_doc_para(&R->k, "No map: the run has no unit polygons.");
        rings_free(u, nu);
        rings_free(f, nf);
        return LB_OK;
    }
    double pad = 0.08 * fmax(fmax(bb[2] - bb[0], bb[3] - bb[1]), 500.0);
    bb[0] -= pad;
    bb[1] -= pad;
    bb[2] += pad;
    bb[3] += pad;
    const double max_w = 700, max_h = 760, legend_h = 22.0 * 4 + 10;
    view v = {bb[0], bb[3], fmin(max_w / (bb[2] - bb[0]), max_h / (bb[3] - bb[1])), 0, 0};
    v.w = (bb[2] - bb[0]) * v.scale;
    v.h = (bb[3] - bb[1]) * v.scale;
    const double svg_w = fmax(v.w, 3 * 230.0); /* a tall map still has room for the legend */
    lb_text_printf(t,
                   "<figure><svg class=\"map\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                   "height=\"%.0f\" role=\"img\" aria-label=\"Map of the zones\">\n"
                   "<defs><clipPath id=\"zclip\"><rect width=\"%.0f\" height=\"%.0f\"/>"
                   "</clipPath></defs>\n<g clip-path=\"url(#zclip)\" fill-rule=\"evenodd\" "
                   "stroke=\"#ffffff\" stroke-width=\"0.4\">\n",
                   svg_w, v.h + legend_h, svg_w, v.h + legend_h, v.w, v.h);
    const lb_column *uid = lb_table_col(R->units, "id");
    for (int z = 0; z < Z_N; z++) /* lower zones first, the focus areas on top */
        for (size_t i = 0; i < nu; i++) {
            if (u[i].zone != z || u[i].bb[2] < bb[0] || u[i].bb[0] > bb[2] || u[i].bb[3] < bb[1] ||
                u[i].bb[1] > bb[3])
                continue;
            size_t mark = t->len;
            lb_text_printf(t, "<path fill=\"%s\" d=\"", zone_colour[z]);
            if (!ring_path(t, &u[i], &v)) {
                t->len = mark; /* too small to see */
                if (t->s)
                    t->s[mark] = '\0';
                continue;
            }
            seen[z] = 1;
            lb_text_puts(t, "\"><title>");
            lb_text_html(t, txt(uid, i));
            lb_text_printf(t, ": %s</title></path>\n", zone_label[z]);
        }
    lb_text_puts(t, "</g>\n<g fill=\"none\" stroke=\"#111111\" stroke-width=\"1.6\">\n");
    const lb_column *fid = R->focus ? lb_table_col(R->focus, "id") : NULL;
    for (size_t i = 0; i < nf; i++) {
        lb_text_puts(t, "<path d=\"");
        ring_path(t, &f[i], &v);
        lb_text_puts(t, "\"><title>");
        lb_text_html(t, txt(fid, i));
        lb_text_puts(t, "</title></path>\n");
    }
    lb_text_puts(t, "</g>\n");
    /* focus ids beside their areas when they are few enough to read */
    for (size_t i = 0; nf <= 12 && i < nf; i++) {
        if (!isfinite(f[i].bb[0]))
            continue;
        lb_text_printf(t, "<text x=\"%.1f\" y=\"%.1f\" class=\"flab\" text-anchor=\"middle\">",
                       ((f[i].bb[0] + f[i].bb[2]) / 2 - v.x0) * v.scale,
                       (v.y1 - f[i].bb[3]) * v.scale - 4);
        lb_text_html(t, txt(fid, i));
        lb_text_puts(t, "</text>\n");
    }
    lb_svg_scale_north(t, bb[2] - bb[0], v.scale, v.w, v.h, 0);
    /* the legend under the map: every zone drawn, and the focus outline */
    size_t item = 0;
    for (int z = Z_N - 1; z >= 0; z--) {
        if (!seen[z])
            continue;
        double x = 10 + (double)(item % 3) * 230, y = v.h + 12 + (double)(item / 3) * 22;
        lb_text_printf(t,
                       "<rect x=\"%.0f\" y=\"%.0f\" width=\"16\" height=\"12\" fill=\"%s\" "
                       "stroke=\"#999\"/><text x=\"%.0f\" y=\"%.0f\" class=\"leg\">%s</text>\n",
                       x, y, zone_colour[z], x + 22, y + 10, zone_label[z]);
        item++;
    }
    double x = 10 + (double)(item % 3) * 230, y = v.h + 12 + (double)(item / 3) * 22;
    lb_text_printf(t,
                   "<rect x=\"%.0f\" y=\"%.0f\" width=\"16\" height=\"12\" fill=\"none\" "
                   "stroke=\"#111\" stroke-width=\"1.6\"/><text x=\"%.0f\" y=\"%.0f\" "
                   "class=\"leg\">focus area outline</text>\n</svg></figure>\n",
                   x, y, x + 22, y + 10);
    rings_free(u, nu);
    rings_free(f, nf);
    return LB_OK;
}

/* ---- the document ------------------------------------------------------------------------ */

/* Periods in order of first appearance, main ones first. */
static size_t periods(const rep *R, const char **out, size_t cap)
{
    size_t n = 0;
    for (int main_first = 1; main_first >= 0; main_first--)
        for (size_t r = 0; r < R->s->n_rows; r++) {
            const char *p = txt(R->period, r);
            if (!p || eq(txt(R->role, r), "main") != main_first)
                continue;
            size_t i = 0;
            while (i < n && !eq(out[i], p))
                i++;
            if (i == n && n < cap)
                out[n++] = p;
        }
    return n;
}

static int period_is_main(const rep *R, const char *period)
{
    for (size_t r = 0; r < R->s->n_rows; r++)
        if (eq(txt(R->period, r), period))
            return eq(txt(R->role, r), "main");
    return 0;
}

/* One sentence per main period: what the pooled model and the focus areas say. */
static void in_brief(rep *R, const char *period)
{
    lb_text s = {0};
    lb_text_printf(&s, "%s: ", period);
    size_t n_pooled_flag = 0, n_pooled = 0;
    for (size_t r = 0; r < R->s->n_rows; r++) {
        if (!is_pooled(R, r) || !eq(txt(R->period, r), period) || eq(txt(R->zone, r), "focus"))
            continue;
        n_pooled++;
        const char *f = txt(R->flag, r);
        if (!f)
            continue;
        lb_text_printf(&s, "%s%s in %s (pooled %s, %s %s)", n_pooled_flag ? "; " : "", f,
                       txt(R->zone, r), num(val(R->est, r), 3).s,
                       isfinite(val(R->lo, r)) ? "95 % CI" : "p",
                       isfinite(val(R->lo, r)) ? interval(val(R->lo, r), val(R->hi, r)).s
                                               : pdraws(val(R->p2, r), val(R->draws, r)).s);
        n_pooled_flag++;
    }
    if (n_pooled == 0)
        lb_text_puts(&s, "no pooled regression");
    else if (n_pooled_flag == 0)
        lb_text_printf(&s, "no pooled zone coefficient differs from 0 at %s",
                       num(WB_SUMMARY_ALPHA, 2).s);
    /* focus areas with at least one flagged zone */
    const char *kinds[2] = {"displacement", "diffusion"};
    for (int kd = 0; kd < 2; kd++) {
        size_t cnt = 0, tested = 0;
        lb_text ids = {0};
        for (size_t r = 0; r < R->s->n_rows; r++) {
            if (is_pooled(R, r) || !eq(txt(R->period, r), period))
                continue;
            const char *id = txt(R->fid, r);
            int first = 1, flagged_before = 0, this_flag = eq(txt(R->flag, r), kinds[kd]);
            for (size_t q = 0; q < r; q++)
                if (!is_pooled(R, q) && eq(txt(R->period, q), period) && eq(txt(R->fid, q), id)) {
                    first = 0;
                    flagged_before |= eq(txt(R->flag, q), kinds[kd]);
                }
            tested += first;
            if (this_flag && !flagged_before) {
                lb_text_printf(&ids, "%s%s", cnt ? ", " : "", id ? id : "?");
                cnt++;
            }
        }
        if (kd == 1 && !R->has_diff)
            break;
        lb_text_printf(&s, ". Focus areas with %s in a zone (q \xe2\x89\xa4 %s): %zu of %zu%s%s%s",
                       kinds[kd], num(WB_SUMMARY_ALPHA, 2).s, cnt, tested, cnt ? " (" : "",
                       cnt ? ids.s : "", cnt ? ")" : "");
        lb_text_free(&ids);
    }
    lb_text_puts(&s, ".");
    if (s.failed)
        R->k.t.failed = 1;
    else
        lb_doc_item(&R->k, s.s);
    lb_text_free(&s);
}

static void notes(rep *R)
{
    lb_doc *k = &R->k;
    lb_doc_heading(k, 2, "How to read this");
    lb_doc_list_begin(k);
    lb_doc_item(k, "DiD: the change of the zone's weighted mean score minus the change of the "
                   "far control's (difference in differences), on the total score (lbm). A "
                   "negative DiD in a zone around a focus area is what a waterbed effect "
                   "(displacement) looks like; a positive one is diffusion of the improvement.");
    char buf[1200];
    snprintf(buf, sizeof(buf),
             "Placebo 95 %%: the central 95 %% (2.5th to 97.5th percentile) of the DiDs of the "
             "same zone around placebo focus areas or with re-assigned units (%s per focus "
             "area; the column test of waterbed_summary.csv names the method). A DiD outside "
             "it is unusual for an area without treatment.",
             opt(R, "placebos"));
    lb_doc_item(k, buf);
    lb_doc_item(k, "p displacement: the share of placebo DiDs at or below the observed one; p "
                   "diffusion: at or above it. q: Benjamini-Hochberg adjusted p over the family "
                   "of zone tests of the run (see run.json).");
    snprintf(buf, sizeof(buf),
             "Flags: a focus area's zone is flagged when its q-value is at or below %s; a "
             "pooled coefficient when its 95 %% CI excludes 0 (without CIs: when its two-sided "
             "wild cluster bootstrap p, %s draws, clusters by %s, is at or below %s). The "
             "focus areas themselves and pre-trend periods are not flagged.",
             num(WB_SUMMARY_ALPHA, 2).s, opt(R, "bootstrap"), opt(R, "cluster_used"),
             num(WB_SUMMARY_ALPHA, 2).s);
    lb_doc_item(k, buf);
    if (!R->has_ci)
        lb_doc_item(k, "This run's pooled table has no confidence intervals (columns ci_low and "
                       "ci_high); they appear here when it has them.");
    if (!R->has_diff)
        lb_doc_item(k, "This run's tables have no diffusion p-values (columns p_diffusion and "
                       "q_diffusion); they appear here when they have them.");
    lb_doc_item(k, "The numbers are those of waterbed_summary.csv, rounded to three decimals; "
                   "waterbed.csv and waterbed_pooled.csv hold every zone, outcome and column, "
                   "zones.gpkg the zones, run.json every choice of the run.");
    lb_doc_list_end(k);
}

static const char css[] =
    "@page{size:A4;margin:14mm}"
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#1b1b1b;margin:0;"
    "font-size:13px;line-height:1.4}"
    "main{max-width:760px;margin:0 auto;padding:18px 20px 40px}"
    "h1{font-size:22px;margin:0 0 4px}"
    "h2{font-size:17px;margin:24px 0 8px;border-bottom:2px solid #444;padding-bottom:2px}"
    "h3{font-size:14px;margin:14px 0 6px}"
    ".sub{color:#555;margin:0 0 12px}"
    "table{border-collapse:collapse;margin:6px 0 12px;font-size:12px}"
    "th,td{border-bottom:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
    "th{background:#eeeeee}th.r,td.r{text-align:right;white-space:nowrap}"
    "figure{margin:6px 0;break-inside:avoid}svg{max-width:100%;height:auto}"
    "svg .ax{font-size:10px;fill:#333}svg .lab{font-size:11px;fill:#111}"
    "svg .leg{font-size:12px;fill:#111}svg .scale text,svg .north{font-size:11px;fill:#222}"
    "svg .flab{font-size:11px;font-weight:bold;fill:#111;paint-order:stroke;stroke:#fff;"
    "stroke-width:3px}"
    ".legend{font-size:12px}.legend .dot{display:inline-block;width:9px;height:9px;"
    "border-radius:50%;margin:0 4px 0 10px}.legend .bar{display:inline-block;width:22px;"
    "height:6px;background:#bbb;margin:0 4px 0 10px}"
    "tr,li{break-inside:avoid}h2,h3{break-after:avoid}"
    "@media print{main{max-width:none;padding:0}}";

static lb_status render(lb_ctx *ctx, rep *R)
{
    lb_doc *k = &R->k;
    const char *per[64];
    size_t np = periods(R, per, 64);
    const char *label = opt(R, "run_label");
    char title[256], sub[512];
    snprintf(title, sizeof(title), "Waterbed effects: summary%s%s", *label ? " of " : "", label);
    struct json_object *c = NULL, *x = NULL;
    long n_focus = -1, n_units = -1;
    if (R->doc && json_object_object_get_ex(R->doc, "counts", &c)) {
        if (json_object_object_get_ex(c, "focus_areas", &x))
            n_focus = (long)json_object_get_int64(x);
        if (json_object_object_get_ex(c, "units", &x))
            n_units = (long)json_object_get_int64(x);
    }
    snprintf(sub, sizeof(sub),
             "%ld focus areas, %ld units; weight %s; region %s; outcome %s (total score); "
             "flags at %s.",
             n_focus, n_units, opt(R, "weight_used"), opt(R, "region_used"), WB_SUMMARY_OUTCOME,
             num(WB_SUMMARY_ALPHA, 2).s);
    if (k->html) {
        lb_text_puts(&k->t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
                            "\n<title>");
        lb_doc_esc(k, title);
        lb_text_printf(&k->t, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
        lb_doc_esc(k, title);
        lb_text_puts(&k->t, "</h1>\n<p class=\"sub\">");
        lb_doc_esc(k, sub);
        lb_text_puts(&k->t, "</p>\n");
    } else {
        lb_text_puts(&k->t, "# ");
        lb_doc_esc(k, title);
        lb_text_puts(&k->t, "\n\n");
        lb_doc_esc(k, sub);
        lb_text_puts(&k->t, "\n");
    }
    lb_doc_heading(k, 2, "In brief");
    lb_doc_list_begin(k);
    for (size_t i = 0; i < np; i++)
        if (period_is_main(R, per[i]))
            in_brief(R, per[i]);
    lb_doc_list_end(k);
    for (size_t i = 0; i < np; i++) {
        int main_p = period_is_main(R, per[i]);
        char h[160];
        snprintf(h, sizeof(h), "Period %s%s", per[i], main_p ? "" : " (pre-trend check)");
        lb_doc_heading(k, 2, h);
        if (!main_p)
            lb_doc_para(k, "A period before the treatment: the zones should not differ from "
                           "their far control yet. Nothing here is flagged.");
        lb_doc_heading(k, 3, "Pooled coefficients");
        pooled_table(R, per[i]);
        if (main_p) {
            lb_doc_heading(k, 3, "Flagged focus areas");
            flagged_table(R, per[i]);
        }
        if (R->forest_zone) {
            snprintf(h, sizeof(h), "DiD in zone %s per focus area", R->forest_zone);
            lb_doc_heading(k, 3, h);
            forest(R, per[i]);
        }
    }
    lb_doc_heading(k, 2, "Map of the zones");
    lb_status st = LB_OK;
    if (k->html)
        st = zones_map(ctx, R);
    else
        lb_doc_para(k, "The map is in waterbed.html; the zones are in zones.gpkg.");
    notes(R);
    if (k->html)
        lb_text_puts(&k->t, "</main>\n</body>\n</html>\n");
    if (st == LB_OK && k->t.failed)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory writing the waterbed report");
    return st;
}

lb_status wb_report_render(lb_ctx *ctx, const lb_result *res, struct json_object *doc, int html,
                           char **out)
{
    rep R = {.k = {.html = html}, .doc = doc};
    R.s = lb_result_table_by_name(res, "waterbed_summary");
    R.units = lb_result_table_by_name(res, "units");
    R.focus = lb_result_table_by_name(res, "focus");
    if (!R.s)
        return lb_ctx_error(ctx, LB_ERR_INTERNAL, "waterbed report: no summary table");
    const lb_table *s = R.s;
    R.period = lb_table_col(s, "period");
    R.role = lb_table_col(s, "period_role");
    R.level = lb_table_col(s, "level");
    R.fid = lb_table_col(s, "focus_id");
    R.fname = lb_table_col(s, "focus_name");
    R.zone = lb_table_col(s, "zone");
    R.model = lb_table_col(s, "model");
    R.n = lb_table_col(s, "n_units");
    R.est = lb_table_col(s, "estimate");
    R.lo = lb_table_col(s, "ci_low");
    R.hi = lb_table_col(s, "ci_high");
    R.plo = lb_table_col(s, "placebo_lo");
    R.phi = lb_table_col(s, "placebo_hi");
    R.pd = lb_table_col(s, "p_displacement");
    R.qd = lb_table_col(s, "q_displacement");
    R.pu = lb_table_col(s, "p_diffusion");
    R.qu = lb_table_col(s, "q_diffusion");
    R.p2 = lb_table_col(s, "p_two_sided");
    R.flag = lb_table_col(s, "flag");
    R.draws = lb_table_col(s, "n_draws");
    for (size_t r = 0; r < s->n_rows; r++) {
        R.has_ci |= isfinite(val(R.lo, r)) || isfinite(val(R.hi, r));
        R.has_diff |= isfinite(val(R.pu, r));
        R.has_model |= txt(R.model, r) != NULL;
        const char *z = txt(R.zone, r);
        if (!is_pooled(&R, r) && eq(z, "adj_1"))
            R.forest_zone = z;
        else if (!is_pooled(&R, r) && !R.forest_zone && z && strncmp(z, "ring_", 5) == 0)
            R.forest_zone = z;
    }
    lb_status st = render(ctx, &R);
    if (st != LB_OK) {
        lb_text_free(&R.k.t);
        return st;
    }
    *out = R.k.t.s;
    return LB_OK;
}

lb_status wb_report_write(lb_ctx *ctx, const lb_result *res, struct json_object *doc,
                          const char *dir)
{
    const char *names[2] = {"waterbed.html", "waterbed.md"};
    lb_status st = LB_OK;
    for (int html = 1; html >= 0 && st == LB_OK; html--) {
        char *text = NULL, *path = lb_core_strfmt("%s/%s", dir, names[1 - html]);
        st = path ? wb_report_render(ctx, res, doc, html, &text)
                  : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        if (st == LB_OK) {
            lb_text t = {text, strlen(text), strlen(text) + 1, 0};
            st = lb_text_write(ctx, &t, path);
        }
        free(text);
        free(path);
    }
    return st;
}
