/* SPDX-License-Identifier: MIT */
/* Inline SVG figures of the report: the map of the wijk and its surroundings coloured by
 * class (RD New projected to SVG pixels, y flipped), the bar chart of dimension deviations
 * against the gemeente, and the development of the score over the years. */
#include "svg.h"

#include "../model/score.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAP_W = 760, MAP_MAX_H = 640 };
static const char no_score_colour[] = "#e0e0e0";
static const char wijk_stroke[] = "#111111";
static const char focus_stroke[] = "#6a1b9a";

/* Bounding box of feature f of a polygon layer from its rings. */
static void feature_bbox(const lb_vlayer *l, size_t f, double bb[4])
{
    bb[0] = bb[1] = INFINITY;
    bb[2] = bb[3] = -INFINITY;
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++)
        for (size_t p = l->ring_pt_start[r]; p < l->ring_pt_start[r + 1]; p++) {
            double x = l->ring_xy[2 * p], y = l->ring_xy[2 * p + 1];
            bb[0] = fmin(bb[0], x);
            bb[1] = fmin(bb[1], y);
            bb[2] = fmax(bb[2], x);
            bb[3] = fmax(bb[3], y);
        }
}

typedef struct view {
    double x0, y0, x1, y1; /* RD metres */
    double scale;          /* pixels per metre */
    double w, h;           /* pixels */
} view;

static double px(const view *v, double x)
{
    return (x - v->x0) * v->scale;
}

/* SVG y grows downwards, RD northing upwards. */
static double py(const view *v, double y)
{
    return (v->y1 - y) * v->scale;
}

static void ring_path(lb_text *t, const lb_vlayer *l, size_t f, const view *v)
{
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
        size_t a = l->ring_pt_start[r], b = l->ring_pt_start[r + 1];
        for (size_t p = a; p < b; p++)
            lb_text_printf(t, "%c%.1f %.1f", p == a ? 'M' : 'L', px(v, l->ring_xy[2 * p]),
                           py(v, l->ring_xy[2 * p + 1]));
        lb_text_puts(t, "Z");
    }
}

/* Label point: centroid of the largest ring of the feature (shoelace formula). */
static void label_point(const lb_vlayer *l, size_t f, double *cx, double *cy)
{
    double best = -1.0;
    *cx = *cy = NAN;
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
        if (l->ring_hole[r])
            continue;
        size_t a = l->ring_pt_start[r], b = l->ring_pt_start[r + 1];
        double A = 0.0, sx = 0.0, sy = 0.0;
        for (size_t p = a; p + 1 < b; p++) {
            double x0 = l->ring_xy[2 * p], y0 = l->ring_xy[2 * p + 1];
            double x1 = l->ring_xy[2 * p + 2], y1 = l->ring_xy[2 * p + 3];
            double c = x0 * y1 - x1 * y0;
            A += c;
            sx += (x0 + x1) * c;
            sy += (y0 + y1) * c;
        }
        if (fabs(A) > best && A != 0.0) {
            best = fabs(A);
            *cx = sx / (3.0 * A);
            *cy = sy / (3.0 * A);
        }
    }
}

static const char *class_colour(const lb_scoreset *s, int k)
{
    return k >= 1 && k <= LB_N_CLASSES && s->class_colours[k - 1] ? s->class_colours[k - 1]
                                                                  : no_score_colour;
}

static void unit_path(lb_text *t, const lb_diagnosis *dx, size_t u, const view *v,
                      const char *style, int number)
{
    const lb_scoreset *s = dx->s;
    const size_t tl = dx->t[dx->n_t - 1];
    double lbm = lb_scoreset_value(s, tl, LB_OUT_LBM, u);
    int k = lb_model_classify(lbm, s->thresholds, LB_N_THRESHOLDS);
    char a[32];
    lb_text_printf(t, "<path fill=\"%s\" %s d=\"", class_colour(s, k), style);
    ring_path(t, s->geom, s->geom_row[u], v);
    lb_text_puts(t, "\"><title>");
    if (number)
        lb_text_printf(t, "%d. ", number);
    lb_text_html(t, s->id[u]);
    if (s->name && s->name[u]) {
        lb_text_puts(t, " ");
        lb_text_html(t, s->name[u]);
    }
    lb_text_printf(t, ": %s (%s)</title></path>\n", lb_diagnose_nl_number(a, sizeof(a), lbm, 3, 0),
                   k ? lb_diagnose_class_label(s, k) : "geen score");
}

/* Nice round length for the scale bar, about a fifth of the map width. */
static double scale_length(double width_m)
{
    static const double steps[] = {100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000};
    double want = width_m / 5.0, best = steps[0];
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (steps[i] <= want)
            best = steps[i];
    return best;
}

void lb_svg_scale_north(lb_text *t, double width_m, double scale, double w, double h,
                        int decimal_comma)
{
    double len = scale_length(width_m), lp = len * scale;
    char a[32];
    if (len >= 1000) {
        lb_diagnose_nl_number(a, sizeof(a), len / 1000.0, fmod(len, 1000.0) == 0.0 ? 0 : 1, 0);
        for (char *c = a; !decimal_comma && *c; c++)
            *c = *c == ',' ? '.' : *c;
        lb_text_printf(t,
                       "<g class=\"scale\"><rect x=\"12\" y=\"%.0f\" width=\"%.1f\" "
                       "height=\"5\" fill=\"#333\"/><text x=\"12\" y=\"%.0f\">%s km</text></g>\n",
                       h - 18, lp, h - 24, a);
    } else
        lb_text_printf(t,
                       "<g class=\"scale\"><rect x=\"12\" y=\"%.0f\" width=\"%.1f\" "
                       "height=\"5\" fill=\"#333\"/><text x=\"12\" y=\"%.0f\">%.0f m</text></g>\n",
                       h - 18, lp, h - 24, len);
    lb_text_printf(t,
                   "<text x=\"%.0f\" y=\"22\" class=\"north\" text-anchor=\"middle\">N "
                   "\xe2\x86\x91</text>\n",
                   w - 20);
}

int lb_diagnose_svg_map(lb_text *t, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    if (!s->geom || !s->geom_row || s->geom->kind != LB_GEOM_POLYGON)
        return 0;
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, fb[4];
    for (size_t j = 0; j < dx->n_units_wijk; j++) {
        size_t row = s->geom_row[dx->units[j]];
        if (row == SIZE_MAX)
            continue;
        feature_bbox(s->geom, row, fb);
        bb[0] = fmin(bb[0], fb[0]);
        bb[1] = fmin(bb[1], fb[1]);
        bb[2] = fmax(bb[2], fb[2]);
        bb[3] = fmax(bb[3], fb[3]);
    }
    if (!isfinite(bb[0]))
        return 0;
    /* Surroundings: a margin of a third of the wijk's size, at least 400 m. */
    double pad = fmax(400.0, 0.35 * fmax(bb[2] - bb[0], bb[3] - bb[1]));
    view v = {bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad, 0, 0, 0};
    v.scale = MAP_W / (v.x1 - v.x0);
    if ((v.y1 - v.y0) * v.scale > MAP_MAX_H)
        v.scale = MAP_MAX_H / (v.y1 - v.y0);
    v.w = (v.x1 - v.x0) * v.scale;
    v.h = (v.y1 - v.y0) * v.scale;

    lb_text_printf(t,
                   "<svg class=\"map\" viewBox=\"0 0 %.0f "
                   "%.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"Kaart van de "
                   "wijk en omgeving naar klasse\">\n"
                   "<defs><clipPath id=\"mapclip\"><rect x=\"0\" y=\"0\" width=\"%.0f\" "
                   "height=\"%.0f\"/></clipPath></defs>\n"
                   "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#f4f7fa\"/>\n"
                   "<g clip-path=\"url(#mapclip)\" fill-rule=\"evenodd\">\n",
                   v.w, v.h, v.w, v.h, v.w, v.h, v.w, v.h);
    /* Surroundings first, then focus areas, then the wijk on top. */
    for (int pass = 0; pass < 3; pass++)
        for (size_t u = 0; u < s->n_units; u++) {
            size_t row = s->geom_row[u];
            if (row == SIZE_MAX)
                continue;
            int in_wijk = dx->sel->wijk[u], in_focus = dx->sel->focus && dx->sel->focus[u];
            if ((pass == 0 && (in_wijk || in_focus)) || (pass == 1 && !in_focus) ||
                (pass == 2 && !in_wijk))
                continue;
            feature_bbox(s->geom, row, fb);
            if (fb[2] < v.x0 || fb[0] > v.x1 || fb[3] < v.y0 || fb[1] > v.y1)
                continue;
            char style[96];
            if (pass == 0)
                unit_path(t, dx, u, &v, "stroke=\"#ffffff\" stroke-width=\"0.8\"", 0);
            else if (pass == 1) {
                snprintf(style, sizeof(style),
                         "stroke=\"%s\" stroke-width=\"1.8\" stroke-dasharray=\"6 3\"",
                         focus_stroke);
                unit_path(t, dx, u, &v, style, 0);
            } else {
                int nr = 0;
                for (size_t j = 0; j < dx->n_units_wijk; j++)
                    if (dx->units[j] == u)
                        nr = (int)j + 1;
                snprintf(style, sizeof(style), "stroke=\"%s\" stroke-width=\"2.2\"", wijk_stroke);
                unit_path(t, dx, u, &v, style, nr);
            }
        }
    /* Numbers of the wijk's buurten (as in the table). */
    for (size_t j = 0; j < dx->n_units_wijk; j++) {
        size_t row = s->geom_row[dx->units[j]];
        double cx, cy;
        if (row == SIZE_MAX)
            continue;
        label_point(s->geom, row, &cx, &cy);
        if (!isfinite(cx))
            continue;
        lb_text_printf(t,
                       "<text x=\"%.1f\" y=\"%.1f\" class=\"lbl\" text-anchor=\"middle\" "
                       "dominant-baseline=\"central\">%zu</text>\n",
                       px(&v, cx), py(&v, cy), j + 1);
    }
    lb_text_puts(t, "</g>\n");
    lb_svg_scale_north(t, v.x1 - v.x0, v.scale, v.w, v.h, 1);
    lb_text_puts(t, "</svg>\n");
    return 1;
}

double lb_svg_nice_up(double x)
{
    if (!(x > 0))
        return 0.01;
    double e = pow(10.0, floor(log10(x))), m = x / e;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

void lb_diagnose_svg_bars(lb_text *t, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const size_t nd = s->n_dims;
    const double label_w = 210, plot_w = 500, row_h = 34, top = 28;
    double h = top + row_h * (double)nd + 36, W = label_w + plot_w + 40;
    double m = 0.0;
    for (size_t d = 0; d < nd; d++) {
        if (isfinite(dx->gap[d]))
            m = fmax(m, fabs(dx->gap[d]));
        if (isfinite(dx->threshold[d]))
            m = fmax(m, dx->threshold[d]);
    }
    m = lb_svg_nice_up(m * 1.1);
    const double x0 = label_w + plot_w / 2.0, sc = (plot_w / 2.0) / m;
    char a[32];
    lb_text_printf(t,
                   "<svg class=\"chart\" viewBox=\"0 0 %.0f "
                   "%.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"Afwijking "
                   "van de wijk ten opzichte van het gemeentegemiddelde per dimensie\">\n",
                   W, h, W, h);
    lb_text_printf(t,
                   "<text x=\"%.0f\" y=\"16\" class=\"axis\" text-anchor=\"end\">lager dan de "
                   "gemeente</text><text x=\"%.0f\" y=\"16\" class=\"axis\">hoger dan de "
                   "gemeente</text>\n",
                   x0 - 8, x0 + 8);
    for (size_t d = 0; d < nd; d++) {
        double y = top + row_h * (double)d, g = dx->gap[d];
        lb_text_printf(t,
                       "<text x=\"%.0f\" y=\"%.1f\" class=\"dim\" text-anchor=\"end\" "
                       "dominant-baseline=\"central\">",
                       label_w - 10, y + row_h / 2);
        lb_text_html(t, lb_diagnose_dim_label(s, d));
        lb_text_puts(t, "</text>\n");
        if (isfinite(dx->threshold[d]) && dx->threshold[d] > 0)
            lb_text_printf(t,
                           "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                           "stroke=\"#555\" stroke-dasharray=\"3 2\"/>\n",
                           x0 - dx->threshold[d] * sc, x0 - dx->threshold[d] * sc, y + 4,
                           y + row_h - 4);
        if (!isfinite(g)) {
            lb_text_printf(t,
                           "<text x=\"%.0f\" y=\"%.1f\" class=\"val\" "
                           "dominant-baseline=\"central\">geen gegevens</text>\n",
                           x0 + 6, y + row_h / 2);
            continue;
        }
        const char *col = dx->below[d] ? "#c0392b" : g < 0 ? "#e67e22" : "#2e7d32";
        double bx = g < 0 ? x0 + g * sc : x0, bw = fabs(g) * sc;
        lb_text_printf(t,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                       "<title>",
                       bx, y + 7, fmax(bw, 0.5), row_h - 14, col);
        lb_text_html(t, lb_diagnose_dim_label(s, d));
        lb_text_printf(t, ": %s</title></rect>\n",
                       lb_diagnose_nl_number(a, sizeof(a), g, 3, LB_NL_SIGN));
        lb_text_printf(t,
                       "<text x=\"%.1f\" y=\"%.1f\" class=\"val\" text-anchor=\"%s\" "
                       "dominant-baseline=\"central\">%s</text>\n",
                       g < 0 ? bx - 4 : bx + bw + 4, y + row_h / 2, g < 0 ? "end" : "start", a);
    }
    double yb = top + row_h * (double)nd;
    lb_text_printf(t,
                   "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.1f\" stroke=\"#222\"/>\n"
                   "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n",
                   x0, x0, top - 4, yb, label_w, label_w + plot_w, yb, yb);
    for (int k = -2; k <= 2; k++) {
        double v = m * k / 2.0, x = x0 + v * sc;
        lb_text_printf(t,
                       "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" "
                       "text-anchor=\"middle\">%s</text>\n",
                       x, x, yb, yb + 5, x, yb + 18,
                       lb_diagnose_nl_number(a, sizeof(a), v, m < 0.1 ? 3 : 2, LB_NL_SIGN));
    }
    lb_text_puts(t, "</svg>\n");
}

/* One polyline per run of consecutive years with values. */
static void series(lb_text *t, const lb_diagnosis *dx, const lb_diagnose_agg *a, const double *xs,
                   double ylo, double yhi, double top, double ph, const char *style,
                   const char *colour)
{
    int open = 0;
    for (size_t ti = 0; ti < dx->n_t; ti++) {
        double v = a[ti].v[LB_OUT_LBM];
        if (!isfinite(v)) {
            if (open)
                lb_text_puts(t, "\"/>\n");
            open = 0;
            continue;
        }
        double y = top + (yhi - v) / (yhi - ylo) * ph;
        if (!open)
            lb_text_printf(t, "<polyline fill=\"none\" stroke=\"%s\" %s points=\"", colour, style);
        lb_text_printf(t, "%.1f,%.1f ", xs[ti], y);
        open = 1;
    }
    if (open)
        lb_text_puts(t, "\"/>\n");
    for (size_t ti = 0; ti < dx->n_t; ti++) {
        double v = a[ti].v[LB_OUT_LBM];
        if (isfinite(v))
            lb_text_printf(t, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", xs[ti],
                           top + (yhi - v) / (yhi - ylo) * ph, colour);
    }
}

void lb_diagnose_svg_development(lb_text *t, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const double W = 760, H = 320, left = 60, right = 150, top = 20, bottom = 40;
    const double pw = W - left - right, ph = H - top - bottom;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t ti = 0; ti < dx->n_t; ti++) {
        const lb_diagnose_agg *g[3] = {&dx->wijk[ti], &dx->gem[ti],
                                       dx->focus ? &dx->focus[ti] : NULL};
        for (int k = 0; k < 3; k++)
            if (g[k] && isfinite(g[k]->v[LB_OUT_LBM])) {
                lo = fmin(lo, g[k]->v[LB_OUT_LBM]);
                hi = fmax(hi, g[k]->v[LB_OUT_LBM]);
            }
    }
    if (!isfinite(lo))
        return;
    /* Gridlines every 1, 2 or 5 × 10^k (at least 0.05, the scale of score differences that
     * matter) with at most ~10 over the range: the number of lines never depends on the size of
     * the scores, which once made a 352 MB report for one score of 1e5. A range too wide for a
     * double (scores near ±1e308) gets no chart. */
    double pad = fmax(0.03, 0.05 * (hi - lo));
    double step = fmax(0.05, lb_svg_nice_up((hi - lo + 2.0 * pad) / 8.0));
    lo = floor((lo - pad) / step) * step;
    hi = ceil((hi + pad) / step) * step;
    double n_lines = (hi - lo) / step;
    if (!isfinite(lo) || !isfinite(hi) || !isfinite(n_lines) || !(hi > lo) || n_lines > 20.0)
        return;
    const int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
    double y0 = lb_diagnose_year(dx, 0), y1 = lb_diagnose_year(dx, dx->n_t - 1);
    double *xs = malloc(dx->n_t * sizeof(double));
    if (!xs) {
        t->failed = 1;
        return;
    }
    const size_t n = dx->n_t;
    for (size_t ti = 0; ti < n; ti++)
        xs[ti] = y1 > y0 ? left + (lb_diagnose_year(dx, ti) - y0) / (y1 - y0) * pw : left + pw / 2;
    char a[512]; /* labels of scores up to 1e308 */
    lb_text_printf(t,
                   "<svg class=\"chart\" viewBox=\"0 0 %.0f "
                   "%.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"Ontwikkeling "
                   "van de score over de jaren\">\n",
                   W, H, W, H);
    /* Class bands behind the lines. */
    for (int k = 1; k <= LB_N_CLASSES; k++) {
        double a0 = k == 1 ? -INFINITY : s->thresholds[k - 2];
        double a1 = k == LB_N_CLASSES ? INFINITY : s->thresholds[k - 1];
        double b0 = fmax(a0, lo), b1 = fmin(a1, hi);
        if (b1 <= b0)
            continue;
        double ya = top + (hi - b1) / (hi - lo) * ph, yb = top + (hi - b0) / (hi - lo) * ph;
        lb_text_printf(t,
                       "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"%s\" "
                       "fill-opacity=\"0.35\"/>",
                       left, ya, pw, yb - ya, class_colour(s, k));
        if (yb - ya >= 11) {
            lb_text_printf(t,
                           "<text x=\"%.0f\" y=\"%.1f\" class=\"axis\" "
                           "dominant-baseline=\"central\">",
                           left + pw + 6, (ya + yb) / 2);
            lb_text_html(t, lb_diagnose_class_label(s, k));
            lb_text_puts(t, "</text>");
        }
        lb_text_puts(t, "\n");
    }
    for (int k = 0; k <= (int)(n_lines + 0.5); k++) {
        double v = lo + k * step, y = top + (hi - v) / (hi - lo) * ph;
        lb_text_printf(t,
                       "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#bbb\" "
                       "stroke-width=\"0.5\"/><text x=\"%.0f\" y=\"%.1f\" class=\"axis\" "
                       "text-anchor=\"end\" dominant-baseline=\"central\">%s</text>\n",
                       left, left + pw, y, y, left - 6, y,
                       lb_diagnose_nl_number(a, sizeof(a), v, decimals, 0));
    }
    for (size_t ti = 0; ti < n; ti++)
        lb_text_printf(t,
                       "<text x=\"%.1f\" y=\"%.0f\" class=\"axis\" "
                       "text-anchor=\"middle\">%d</text>\n",
                       xs[ti], top + ph + 18, lb_diagnose_year(dx, ti));
    if (dx->focus)
        series(t, dx, dx->focus, xs, lo, hi, top, ph, "stroke-width=\"2\" stroke-dasharray=\"6 3\"",
               focus_stroke);
    series(t, dx, dx->gem, xs, lo, hi, top, ph, "stroke-width=\"2\"", "#1f5fa8");
    series(t, dx, dx->wijk, xs, lo, hi, top, ph, "stroke-width=\"3\"", wijk_stroke);
    lb_text_puts(t, "</svg>\n");
    free(xs);
}
