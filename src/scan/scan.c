/* SPDX-License-Identifier: MIT */
/* `leefbaar scan`: the diagnose stage run on every wijk of the input, the wijken ranked on its
 * verdict, and the trend of each wijk's score as a forward signal. */
#include "scan.h"

#include "../api/provenance.h"
#include "../core/ctx.h"
#include "../geom/zones.h"
#include "../io/outdir.h"

#include <gsl/gsl_cdf.h>
#include <json-c/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound of class "zwak" (class 4 of 9): the level of the aandachtswijken when no focus
 * areas are given, the same proxy the diagnosis uses for its distance criterion. */
enum { ZWAK_UPPER = 3 };

void lb_scan_trend_fit(const double *t, const double *y, size_t n, double last, double level,
                       lb_scan_trend *out)
{
    memset(out, 0, sizeof(*out));
    out->slope = out->se = out->lo95 = out->hi95 = out->years_to_level = NAN;
    out->level = level;
    double st = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            st += t[i];
            sy += y[i];
            out->n++;
        }
    if (out->n < 3)
        return;
    double tm = st / (double)out->n, ym = sy / (double)out->n, sxx = 0.0, sxy = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            sxx += (t[i] - tm) * (t[i] - tm);
            sxy += (t[i] - tm) * (y[i] - ym);
        }
    out->slope = sxy / sxx;
    double rss = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i])) {
            double e = y[i] - ym - out->slope * (t[i] - tm);
            rss += e * e;
        }
    double df = (double)out->n - 2.0;
    out->se = sqrt(rss / df / sxx);
    double q = gsl_cdf_tdist_Pinv(0.975, df);
    out->lo95 = out->slope - q * out->se;
    out->hi95 = out->slope + q * out->se;
    if (isnan(level) || isnan(last))
        return;
    if (last <= level)
        out->years_to_level = 0.0;
    else if (out->slope < 0.0)
        out->years_to_level = (level - last) / out->slope;
}

int lb_scan_verdict_rank(lb_diagnose_verdict v)
{
    switch (v) {
    case LB_DX_STRONG:
        return 0;
    case LB_DX_POSSIBLE:
        return 1;
    case LB_DX_UNDECIDED:
        return 2;
    default:
        return 3;
    }
}

int lb_scan_level_points(lb_diagnose_level l)
{
    return l == LB_DX_MET ? 2 : l == LB_DX_PARTLY ? 1 : 0;
}

static double last_lbm(const lb_diagnosis *dx)
{
    return dx->wijk[dx->n_t - 1].v[LB_OUT_LBM];
}

/* The ranking (README "leefbaar scan"): verdict, then the points of criteria (1) and (2), then
 * the lower score, then the code. */
static int rank_cmp(const void *pa, const void *pb)
{
    const lb_scan_wijk *a = pa, *b = pb;
    int ra = lb_scan_verdict_rank(a->dx.verdict), rb = lb_scan_verdict_rank(b->dx.verdict);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    int pa2 = lb_scan_level_points(a->dx.problems) + lb_scan_level_points(a->dx.risk);
    int pb2 = lb_scan_level_points(b->dx.problems) + lb_scan_level_points(b->dx.risk);
    if (pa2 != pb2)
        return pa2 > pb2 ? -1 : 1;
    double la = last_lbm(&a->dx), lb = last_lbm(&b->dx);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* ---- the result -------------------------------------------------------------------------- */

typedef struct scan_payload {
    lb_scoreset *s;
    lb_scan_wijk *w; /* ranked */
    size_t n;
    char **inputs;
    size_t n_inputs;
    struct json_object *doc; /* run.json without its tail */
} scan_payload;

static void payload_free(void *p)
{
    scan_payload *pl = p;
    if (!pl)
        return;
    for (size_t i = 0; i < pl->n; i++) {
        lb_diagnose_free(&pl->w[i].dx);
        lb_diagnose_selection_free(&pl->w[i].sel);
        free(pl->w[i].code);
        free(pl->w[i].base);
    }
    free(pl->w);
    for (size_t i = 0; i < pl->n_inputs; i++)
        free(pl->inputs[i]);
    free(pl->inputs);
    json_object_put(pl->doc);
    lb_scoreset_destroy(pl->s);
    free(pl);
}

static lb_status scan_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w)
{
    const scan_payload *pl = lb_result_payload(res);
    if (!w->outdir || !*w->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "scan: an output directory is required");
    size_t n0 = lb_ctx_warning_count(ctx);
    lb_outdir out = {0};
    const lb_outdir_spec spec = {.overwrite = w->overwrite,
                                 .inputs = (const char *const *)pl->inputs,
                                 .n_inputs = pl->n_inputs};
    lb_status st = lb_outdir_open(ctx, w->outdir, &spec, &out);
    int opened = st == LB_OK;
    struct json_object *doc = NULL, *outs = NULL;
    if (st == LB_OK && json_object_deep_copy(pl->doc, &doc, NULL) != 0)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK) {
        outs = json_object_new_array();
        const char *fixed[] = {"scan.csv", "index.html", "run.json"};
        for (size_t i = 0; i < 3; i++)
            json_object_array_add(outs, json_object_new_string(fixed[i]));
        if (lb_table_has_geometry(lb_result_table_by_name(res, "scan")))
            json_object_array_add(outs, json_object_new_string("scan.gpkg"));
        static const char *const ext[] = {"html", "md", "json"};
        for (size_t i = 0; i < pl->n; i++)
            for (size_t e = 0; e < 3; e++) {
                char *name = lb_core_strfmt("%s.%s", pl->w[i].base, ext[e]);
                json_object_array_add(outs, json_object_new_string(name ? name : ""));
                free(name);
            }
        st = lb_provenance_end(ctx, doc, res, n0, NULL, outs);
    }
    if (st == LB_OK)
        st = lb_scan_write_files(ctx, res, pl->w, pl->n, out.tmp, doc);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &out);
    if (opened)
        lb_outdir_abort(&out);
    if (st == LB_OK)
        lb_ctx_log(ctx, LB_LOG_INFO, "scan: %zu wijken ranked; wrote %s/index.html", pl->n,
                   w->outdir);
    json_object_put(doc);
    return st;
}

static const lb_result_ops scan_ops = {scan_write, payload_free};

/* Does any of @p items (comma-separated codes or 'X*' prefixes) match unit @p u's gemeente
 * code, its wijk code or its id? */
static int in_gemeenten(const lb_scoreset *s, size_t u, const char *items)
{
    char *copy = lb_core_strdup(items);
    int hit = 0;
    for (char *save = NULL, *it = copy ? strtok_r(copy, ",", &save) : NULL; it && !hit;
         it = strtok_r(NULL, ",", &save))
        hit = (s->gm_code && s->gm_code[u] && lb_diagnose_code_match(it, s->gm_code[u])) ||
              (s->wk_code && s->wk_code[u] && lb_diagnose_code_match(it, s->wk_code[u])) ||
              lb_diagnose_code_match(it, s->id[u]);
    free(copy);
    return hit;
}

/* The wijk codes to diagnose, in first-seen order: the distinct wijk codes of the units when
 * the input has them (units without one are counted and warned), else every unit's id. */
static lb_status wijk_codes(lb_ctx *ctx, const lb_scoreset *s, const char *gemeente, char ***out,
                            size_t *n_out)
{
    char **codes = calloc(s->n_units + 1, sizeof(char *));
    size_t n = 0, no_code = 0;
    int by_wijk = 0; /* a published table may have the column but no wijk codes in it */
    for (size_t u = 0; s->wk_code && u < s->n_units && !by_wijk; u++)
        by_wijk = s->wk_code[u] && *s->wk_code[u];
    if (!codes)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < s->n_units; u++) {
        const char *c = s->id[u];
        if (by_wijk) {
            c = s->wk_code[u];
            if (!c || !*c) {
                no_code++;
                continue;
            }
        }
        if (gemeente && !in_gemeenten(s, u, gemeente))
            continue;
        int seen = 0;
        for (size_t k = n; k-- > 0 && !seen;) /* units of a wijk are usually adjacent */
            seen = strcmp(codes[k], c) == 0;
        if (!seen)
            codes[n++] = (char *)c;
    }
    if (no_code)
        lb_ctx_log(ctx, LB_LOG_WARN, "scan: %zu units of %s have no wijk code and are in no wijk",
                   no_code, s->description);
    if (n == 0) {
        free(codes);
        if (gemeente)
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "scan: no wijk of gemeente '%s' in %s (e.g. unit %s, gemeente "
                                "%s); give gemeente codes as in the input, 'X*' for a prefix",
                                gemeente, s->description, s->n_units ? s->id[0] : "-",
                                s->gm_code && s->n_units && s->gm_code[0] ? s->gm_code[0] : "-");
        return lb_ctx_error(ctx, LB_ERR_DATA, "scan: %s holds no wijk", s->description);
    }
    *out = codes; /* borrowed strings of s */
    *n_out = n;
    return LB_OK;
}

/* File name of a diagnosis: the code with characters outside [A-Za-z0-9._-] as '_'. */
static char *file_base(const char *code)
{
    char *b = lb_core_strdup(code);
    for (char *p = b; p && *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", *p) &&
            !(*p == '.' && p != b))
            *p = '_';
    return b;
}

static int has_gemeente_codes(const lb_scoreset *s)
{
    for (size_t u = 0; s->gm_code && u < s->n_units; u++)
        if (s->gm_code[u] && *s->gm_code[u])
            return 1;
    return 0;
}

/* Diagnose wijk @p code into @p w. LB_ERR_DATA (the wijk has no score in the last year) is
 * returned for the caller to skip the wijk. */
static lb_status diagnose_one(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                              const char *code, lb_scan_wijk *w)
{
    memset(w, 0, sizeof(*w));
    lb_diagnose_options d = *o;
    d.wijk = code;
    /* Each wijk is compared with its own gemeente; an input without gemeente codes (published
     * PC4 or wijk tables) has none, and the units --gemeente chose are the comparison. */
    if (has_gemeente_codes(s))
        d.gemeente = NULL;
    lb_status st = lb_diagnose_select(ctx, s, &d, &w->sel);
    if (st != LB_OK)
        return st;
    st = lb_diagnose_compute_selection(ctx, s, &w->sel, &d, &w->dx);
    if (st != LB_OK) {
        lb_diagnose_selection_free(&w->sel);
        return st;
    }
    w->code = lb_core_strdup(code);
    w->base = file_base(code);
    if (!w->code || !w->base) {
        lb_diagnose_free(&w->dx);
        lb_diagnose_selection_free(&w->sel);
        free(w->code);
        free(w->base);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    const lb_diagnosis *dx = &w->dx;
    double t[64], y[64];
    size_t nt = dx->n_t < 64 ? dx->n_t : 64;
    for (size_t ti = 0; ti < nt; ti++) {
        t[ti] = lb_diagnose_year(dx, ti);
        y[ti] = dx->wijk[ti].v[LB_OUT_LBM];
    }
    double level = dx->focus ? dx->focus[dx->n_t - 1].v[LB_OUT_LBM] : s->thresholds[ZWAK_UPPER];
    lb_scan_trend_fit(t, y, nt, last_lbm(dx), level, &w->trend);
    return LB_OK;
}

/* ---- warnings repeated by the diagnoses ------------------------------------------------- */

enum { WARN_IDS = 3 }; /* wijk codes named with a grouped warning */

/* The warnings of the per-wijk diagnoses, grouped by their text: most repeat for every wijk
 * ("the scores have no gemeente codes ..."), and 85 identical lines bury the ones that matter. */
typedef struct warn_group {
    char *msg;
    size_t count;
    char ids[WARN_IDS * 24];
} warn_group;

typedef struct warn_groups {
    warn_group *g;
    size_t n, cap;
    const char *wijk; /* the wijk being diagnosed */
    size_t lost;      /* messages not kept (out of memory) */
} warn_groups;

static void warn_collect(void *user, const char *msg)
{
    warn_groups *wg = user;
    warn_group *g = NULL;
    for (size_t i = 0; i < wg->n && !g; i++)
        if (strcmp(wg->g[i].msg, msg) == 0)
            g = &wg->g[i];
    if (!g) {
        if (wg->n == wg->cap) {
            size_t cap = wg->cap ? 2 * wg->cap : 8;
            warn_group *ng = realloc(wg->g, cap * sizeof(*ng));
            if (!ng) {
                wg->lost++;
                return;
            }
            wg->g = ng;
            wg->cap = cap;
        }
        g = &wg->g[wg->n];
        memset(g, 0, sizeof(*g));
        if (!(g->msg = lb_core_strdup(msg))) {
            wg->lost++;
            return;
        }
        wg->n++;
    }
    if (g->count < WARN_IDS && wg->wijk)
        lb_core_list_append(g->ids, sizeof(g->ids), wg->wijk);
    g->count++;
}

/* Log each group once: "scan: wijk X: msg" or "scan: N wijken (A, B, C, ...): msg". */
static void warn_flush(lb_ctx *ctx, warn_groups *wg)
{
    for (size_t i = 0; i < wg->n; i++) {
        const warn_group *g = &wg->g[i];
        if (g->count == 1)
            lb_ctx_log(ctx, LB_LOG_WARN, "scan: wijk %s: %s", g->ids, g->msg);
        else
            lb_ctx_log(ctx, LB_LOG_WARN, "scan: %zu wijken (%s%s): %s", g->count, g->ids,
                       g->count > WARN_IDS ? ", ..." : "", g->msg);
        free(wg->g[i].msg);
    }
    if (wg->lost)
        lb_ctx_log(ctx, LB_LOG_WARN, "scan: %zu warnings of the diagnoses lost (out of memory)",
                   wg->lost);
    free(wg->g);
    memset(wg, 0, sizeof(*wg));
}

/* Table "scan": one row per wijk in rank order, with the union of its units' polygons. */
static lb_status scan_table(lb_ctx *ctx, const lb_scoreset *s, const lb_scan_wijk *w, size_t n,
                            lb_result *res)
{
    static const char *const names[] = {"rank",           "code",
                                        "name",           "gemeente",
                                        "year",           "lbm",
                                        "class",          "class_label",
                                        "problems",       "risk",
                                        "size",           "dims_below",
                                        "gap_focus",      "verdict",
                                        "verdict_class",  "trend_years",
                                        "trend_per_year", "trend_se",
                                        "trend_lo95",     "trend_hi95",
                                        "focus_level",    "years_to_focus_level_extrapolated",
                                        "diagnosis"};
    static const lb_col_type types[] = {
        LB_COL_INT,  LB_COL_TEXT, LB_COL_TEXT, LB_COL_TEXT, LB_COL_INT,  LB_COL_REAL,
        LB_COL_INT,  LB_COL_TEXT, LB_COL_TEXT, LB_COL_TEXT, LB_COL_TEXT, LB_COL_INT,
        LB_COL_REAL, LB_COL_TEXT, LB_COL_INT,  LB_COL_INT,  LB_COL_REAL, LB_COL_REAL,
        LB_COL_REAL, LB_COL_REAL, LB_COL_REAL, LB_COL_REAL, LB_COL_TEXT};
    enum { NC = sizeof(names) / sizeof(names[0]) };
    lb_column *c[NC];
    lb_table *t = NULL;
    lb_status st = lb_table_create(ctx, n, &t);
    for (size_t k = 0; st == LB_OK && k < NC; k++) {
        st = lb_table_add(ctx, t, names[k], types[k], &c[k]);
        if (st == LB_OK && types[k] == LB_COL_REAL)
            c[k]->decimals = 4;
    }
    unsigned char **wkb = s->geom ? calloc(s->n_units + 1, sizeof(*wkb)) : NULL;
    size_t *wsz = s->geom ? calloc(s->n_units + 1, sizeof(*wsz)) : NULL;
    if (st == LB_OK && s->geom && (!wkb || !wsz))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t r = 0; st == LB_OK && r < n; r++) {
        const lb_diagnosis *dx = &w[r].dx;
        const lb_scan_trend *tr = &w[r].trend;
        size_t last = dx->n_t - 1;
        char *text[NC] = {0};
        text[1] = lb_core_strdup(w[r].code);
        text[2] = lb_core_strdup(w[r].sel.wijk_name);
        text[3] = lb_core_strdup(w[r].sel.gemeente_code ? w[r].sel.gemeente_code
                                                        : w[r].sel.gemeente_name);
        text[7] = dx->wijk[last].klass
                      ? lb_core_strdup(lb_diagnose_class_label(s, dx->wijk[last].klass))
                      : NULL;
        text[8] = lb_core_strdup(lb_diagnose_level_name(dx->problems));
        text[9] = lb_core_strdup(lb_diagnose_level_name(dx->risk));
        text[10] = lb_core_strdup(lb_diagnose_level_name(dx->size));
        text[13] = lb_core_strdup(lb_diagnose_verdict_name(dx->verdict));
        text[22] = lb_core_strfmt("%s.html", w[r].base);
        for (size_t k = 0; k < NC; k++)
            c[k]->text ? (void)(c[k]->text[r] = text[k]) : free(text[k]);
        if (!text[1] || !text[2] || !text[3] || !text[8] || !text[13] || !text[22])
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        c[0]->integer[r] = (int64_t)r + 1;
        c[4]->integer[r] = lb_diagnose_year(dx, last);
        c[5]->real[r] = dx->wijk[last].v[LB_OUT_LBM];
        c[6]->integer[r] = dx->wijk[last].klass ? dx->wijk[last].klass : LB_INT_NULL;
        c[11]->integer[r] = (int64_t)dx->n_below;
        c[12]->real[r] = dx->gap_focus;
        c[14]->integer[r] = lb_scan_verdict_rank(dx->verdict) + 1;
        c[15]->integer[r] = (int64_t)tr->n;
        c[16]->real[r] = tr->slope;
        c[17]->real[r] = tr->se;
        c[18]->real[r] = tr->lo95;
        c[19]->real[r] = tr->hi95;
        c[20]->real[r] = tr->level;
        c[21]->real[r] = tr->years_to_level;
        if (st != LB_OK || !s->geom)
            continue;
        size_t m = 0;
        for (size_t j = 0; j < dx->n_units_wijk; j++) {
            size_t g = s->geom_row[dx->units[j]];
            if (g != SIZE_MAX && s->geom->wkb[g]) {
                wkb[m] = s->geom->wkb[g];
                wsz[m++] = s->geom->wkb_size[g];
            }
        }
        unsigned char *u = NULL;
        size_t usz = 0;
        if (m)
            st = lb_geom_wkb_union(ctx, (const unsigned char *const *)wkb, wsz, m, &u, &usz);
        if (st == LB_OK && u)
            st = lb_table_set_geometry(ctx, t, r, u, usz);
    }
    free(wsz);
    free(wkb);
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    return lb_result_add_table(ctx, res, "scan", t);
}

static struct json_object *jnum(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

/* run.json without its tail: the options, the rules of the ranking and the trend. */
static struct json_object *run_doc(const lb_diagnose_options *o, const char *gemeente,
                                   const lb_scoreset *s, size_t n, size_t skipped)
{
    struct json_object *doc = lb_provenance_begin("scan", o->command_line);
    if (!doc)
        return NULL;
    struct json_object *opt = json_object_new_object();
    json_object_object_add(opt, "gemeente", gemeente ? json_object_new_string(gemeente) : NULL);
    json_object_object_add(opt, "focus", o->focus ? json_object_new_string(o->focus) : NULL);
    json_object_object_add(opt, "clear_sd", jnum(o->clear_sd));
    json_object_object_add(opt, "focus_distance", jnum(o->focus_distance));
    json_object_object_add(opt, "min_inhabitants", jnum(o->min_inhabitants));
    json_object_object_add(opt, "min_inside", jnum(o->min_inside));
    json_object_object_add(doc, "options", opt);
    json_object_object_add(doc, "source", json_object_new_string(s->description));
    json_object_object_add(doc, "n_wijken", json_object_new_int64((int64_t)n));
    json_object_object_add(doc, "n_skipped", json_object_new_int64((int64_t)skipped));
    json_object_object_add(
        doc, "ranking",
        json_object_new_string("verdict (sterke, mogelijke, geen oordeel mogelijk, geen "
                               "aanwijzing), then points of criteria 1 and 2 (voldaan 2, deels "
                               "1), higher first, then lbm of the last year, lower first, then "
                               "the code"));
    json_object_object_add(
        doc, "trend",
        json_object_new_string("OLS of the wijk's lbm on the year over the used years (3 or "
                               "more); se = sqrt(RSS/(n-2)/Sxx); 95 % interval with Student t; "
                               "years to the focus level = (level - last lbm) / slope when the "
                               "slope is negative: an extrapolation, not a forecast"));
    json_object_object_add(
        doc, "focus_level",
        json_object_new_string(o->focus ? "weighted mean lbm of the focus areas in the last year"
                                        : "upper bound of class 'zwak' (no focus areas given)"));
    return doc;
}

static lb_status scan_compute(lb_ctx *ctx, const lb_diagnose_options *o, const char *gemeente,
                              lb_result **out)
{
    lb_result *res = NULL;
    char **codes = NULL;
    size_t n_codes = 0, skipped = 0;
    scan_payload *pl = calloc(1, sizeof(*pl));
    lb_status st = pl ? lb_result_create(ctx, "scan", &scan_ops, &res)
                      : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK) {
        free(pl);
        return st;
    }
    lb_result_set_payload(res, pl);
    if (!(o->min_inside > 0.0 && o->min_inside <= 1.0) || !(o->clear_sd >= 0.0) ||
        !isfinite(o->clear_sd) || !isfinite(o->focus_distance) || !(o->min_inhabitants >= 0.0) ||
        !isfinite(o->min_inhabitants))
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "scan: --min-inside must be in (0, 1], --clear-sd and "
                          "--min-inhabitants >= 0 and --focus-distance a number");
    if (st == LB_OK && !(pl->inputs = calloc(2 * o->n_sources + 2, sizeof(char *))))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < o->n_sources; i++) {
        const char *p[2] = {o->sources[i].path, o->sources[i].geometry};
        for (size_t j = 0; j < 2; j++)
            if (p[j] && !(pl->inputs[pl->n_inputs++] = lb_core_strdup(p[j])))
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK && o->focus && !(pl->inputs[pl->n_inputs++] = lb_core_strdup(o->focus)))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_scoreset_read(ctx, o->sources, o->n_sources, &pl->s);
    if (st == LB_OK)
        st = wijk_codes(ctx, pl->s, gemeente, &codes, &n_codes);
    if (st == LB_OK && !(pl->w = calloc(n_codes, sizeof(*pl->w))))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    /* The focus areas are read (and their polygons overlaid) once, not once per wijk. */
    lb_diagnose_options od = *o;
    lb_diagnose_selection focus = {0};
    if (st == LB_OK && o->focus && *o->focus) {
        st = lb_diagnose_focus_resolve(ctx, pl->s, o, &focus);
        od.focus_resolved = &focus;
    }
    warn_groups wg = {0};
    for (size_t i = 0; st == LB_OK && i < n_codes; i++) {
        st = lb_ctx_progress(ctx, 0.9 * (double)i / (double)n_codes, "diagnosing wijken");
        wg.wijk = codes[i];
        lb_ctx_warnings_divert(ctx, warn_collect, &wg);
        if (st == LB_OK)
            st = diagnose_one(ctx, pl->s, &od, codes[i], &pl->w[pl->n]);
        lb_ctx_warnings_divert(ctx, NULL, NULL);
        if (st == LB_OK) {
            pl->n++;
        } else if (st == LB_ERR_DATA) { /* e.g. no score in the last year: skip, counted */
            lb_ctx_log(ctx, LB_LOG_WARN, "scan: wijk %s left out: %s", codes[i],
                       lb_ctx_errmsg(ctx));
            skipped++;
            st = LB_OK;
        }
    }
    warn_flush(ctx, &wg);
    lb_diagnose_selection_free(&focus);
    if (st == LB_OK && pl->n == 0)
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "scan: none of the %zu wijken could be diagnosed (see the warnings)",
                          n_codes);
    if (st == LB_OK) {
        qsort(pl->w, pl->n, sizeof(*pl->w), rank_cmp);
        /* The diagnosis borrows its selection, which moved with the sort. */
        for (size_t i = 0; i < pl->n; i++)
            pl->w[i].dx.sel = &pl->w[i].sel;
        st = scan_table(ctx, pl->s, pl->w, pl->n, res);
    }
    if (st == LB_OK && !(pl->doc = run_doc(o, gemeente, pl->s, pl->n, skipped)))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_result_set_provenance(
            ctx, res, json_object_to_json_string_ext(pl->doc, JSON_C_TO_STRING_PRETTY));
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    free(codes);
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}

lb_status lb_scan_run(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || strcmp(lb_opts_operation(opts), "scan") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_scan_run: options of \"%s\", not of \"scan\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "scan: ");
    lb_diagnose_options o;
    lb_diagnose_opts_mem m;
    st = lb_diagnose_options_from_opts(ctx, opts, &o, &m);
    if (st != LB_OK)
        return st;
    st = scan_compute(ctx, &o, o.gemeente, out);
    lb_diagnose_opts_free(&m);
    return st;
}
