/* SPDX-License-Identifier: MIT */
/* The waterbed analysis in memory: periods and weights, zone statistics per focus area, zone,
 * outcome and period, placebo p-values, Benjamini–Hochberg q-values, pooled regressions. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, CLOCK_THREAD_CPUTIME_ID */
#include "wb.h"

#include "../core/ctx.h"
#include "../io/jobs.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void lb_waterbed_options_init(lb_waterbed_options *o)
{
    memset(o, 0, sizeof(*o));
    o->focus_min_share = 0.5;
    o->region = LB_WB_REGION_AUTO;
    o->pretrend = 1;
    o->distance = LB_WB_DIST_POLYGON;
    o->adjacency_tol_m = 25.0;
    o->adjacency_orders = 3;
    o->rigo = 1;
    o->adjacency_from = LB_WB_ADJ_FROM_POLYGON;
    o->ties = LB_WB_TIES_DISTANCE;
    o->group_identical = 1;
    o->weight = LB_WB_WEIGHT_AUTO;
    o->k1 = 1.0;
    o->k2 = 2.0;
    o->receiving_class = 4;
    o->min_control = 5;
    o->seed = 1;
    o->n_placebo = 199;
    o->placebo_buffer_m = -1.0;
    o->placebo_pool = 5;
    o->n_boot = 999;
    o->cluster = LB_WB_CLUSTER_AUTO;
    o->boot_weights = LB_WB_BOOT_RADEMACHER;
    o->ci_level = 0.95;
    o->pooled_models = LB_WB_POOLED_BOTH;
    o->pooled_fe = LB_WB_FE_FOCUS;
    o->match = LB_WB_MATCH_LBM;
    o->match_n = 5;
    o->bh_family = LB_WB_BH_ZONE;
    o->run_label = "waterbed";
    o->csv_sep = ',';
}

static double cpu_s(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* CPU seconds of the calling thread: the stages that run beside each other count their own. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return cpu_s();
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void panel_free(wb_panel *p)
{
    free(p->w);
    free(p->cls);
    free(p->lcls);
    free(p->breaks);
    free(p->s0);
    free(p->s1);
}

void wb_result_destroy(wb_result *r)
{
    if (!r)
        return;
    for (size_t p = 0; p < r->n_panels; p++)
        panel_free(&r->panels[p]);
    free(r->panels);
    if (r->placebo && r->data)
        for (size_t f = 0; f < r->data->n_focus; f++)
            wb_placebo_free(&r->placebo[f]);
    free(r->placebo);
    for (size_t i = 0; i < r->n_pooled; i++)
        wb_pooled_free(&r->pooled[i].res);
    free(r->pooled);
    free(r->rows);
    free(r->out_k);
    if (r->out_name)
        for (size_t k = 0; k < r->n_out; k++)
            free(r->out_name[k]);
    free(r->out_name);
    wb_data_destroy(r->data);
    free(r);
}

const wb_row *wb_result_row(const wb_result *r, const char *focus_id, const char *slot,
                            const char *outcome, int t0, int t1)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        const wb_row *w = &r->rows[i];
        const wb_panel *p = &r->panels[w->panel];
        if (p->t0 == t0 && p->t1 == t1 && strcmp(r->data->focus[w->focus].id, focus_id) == 0 &&
            strcmp(r->data->slots[w->slot].name, slot) == 0 &&
            strcmp(r->out_name[w->outcome], outcome) == 0)
            return w;
    }
    return NULL;
}

static int class_of(const lb_scoreset *s, double lbm)
{
    if (!isfinite(lbm))
        return 0;
    int c = 1;
    for (int j = 0; j < LB_N_THRESHOLDS; j++)
        c += lbm >= s->thresholds[j];
    return c;
}

static lb_status outcomes(lb_ctx *ctx, const lb_scoreset *s, wb_result *r)
{
    size_t n = 1 + s->n_dims;
    r->out_k = malloc(n * sizeof(size_t));
    r->out_name = calloc(n, sizeof(char *));
    if (!r->out_k || !r->out_name)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    r->n_out = n;
    r->out_k[0] = LB_OUT_LBM;
    r->out_name[0] = lb_core_strdup("lbm");
    for (size_t d = 0; d < s->n_dims; d++) {
        r->out_k[1 + d] = LB_OUT_DIM0 + d;
        r->out_name[1 + d] = lb_core_strdup(s->dim_code[d]);
    }
    for (size_t k = 0; k < n; k++)
        if (!r->out_name[k])
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return LB_OK;
}

/* Main periods (given, or first -> last year) and pre-trend periods. */
static lb_status periods(lb_ctx *ctx, const lb_scoreset *s, const lb_waterbed_options *o,
                         lb_wb_period **out, int **pre, size_t *n_out)
{
    if (s->n_years < 2)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "the scores (%s) hold %zu year(s); a waterbed "
                            "analysis needs two or more",
                            s->description ? s->description : "input", s->n_years);
    size_t nm = o->n_periods ? o->n_periods : 1;
    lb_wb_period *v = malloc(2 * nm * sizeof(*v));
    int *isp = malloc(2 * nm * sizeof(int));
    if (!v || !isp) {
        free(v);
        free(isp);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    char years[256] = "";
    for (size_t t = 0; t < s->n_years; t++) {
        char y[16];
        snprintf(y, sizeof(y), "%d", s->years[t]);
        lb_core_list_append(years, sizeof(years), y);
    }
    size_t n = 0;
    for (size_t i = 0; i < nm; i++) {
        lb_wb_period p =
            o->n_periods ? o->periods[i] : (lb_wb_period){s->years[0], s->years[s->n_years - 1]};
        if (lb_scoreset_year_index(s, p.t0) < 0 || lb_scoreset_year_index(s, p.t1) < 0 ||
            p.t0 >= p.t1) {
            free(v);
            free(isp);
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "period %d-%d: both years must be in the scores (years: %s) and "
                                "the first before the second",
                                p.t0, p.t1, years);
        }
        for (size_t j = 0; j < n; j++)
            if (v[j].t0 == p.t0 && v[j].t1 == p.t1) {
                free(v);
                free(isp);
                return lb_ctx_error(ctx, LB_ERR_ARG, "period %d-%d is given twice", p.t0, p.t1);
            }
        isp[n] = 0;
        v[n++] = p;
    }
    size_t n_main = n;
    for (size_t i = 0; o->pretrend && i < n_main; i++) {
        int ti = lb_scoreset_year_index(s, v[i].t0);
        if (ti <= 0)
            continue;
        lb_wb_period p = {s->years[ti - 1], v[i].t0};
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= v[j].t0 == p.t0 && v[j].t1 == p.t1;
        if (!dup) {
            isp[n] = 1;
            v[n++] = p;
        }
    }
    *out = v;
    *pre = isp;
    *n_out = n;
    return LB_OK;
}

/* The weight of the analysis (AUTO resolved against the data). */
static lb_wb_weight resolve_weight(lb_ctx *ctx, const lb_scoreset *s, const wb_data *d,
                                   lb_wb_weight want, const lb_wb_period *per, size_t np)
{
    if (want != LB_WB_WEIGHT_AUTO)
        return want;
    if (!s->weight || !s->weight_name)
        return LB_WB_WEIGHT_UNIT; /* published tables carry no population */
    size_t missing = 0;
    for (size_t i = 0; i < np; i++) {
        size_t t = (size_t)lb_scoreset_year_index(s, per[i].t0);
        for (size_t u = 0; u < s->n_units; u++) {
            double w = s->weight[t * s->n_units + u];
            if (!d->masked[u] && isfinite(lb_scoreset_value(s, t, LB_OUT_LBM, u)) &&
                !(w > 0.0 && isfinite(w)))
                missing++;
        }
    }
    if (missing) {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "%zu scored unit-year(s) have no weight; every unit weighs 1 instead (pass "
                   "--weight source to use the weights and leave those units out)",
                   missing);
        return LB_WB_WEIGHT_UNIT;
    }
    return LB_WB_WEIGHT_SOURCE;
}

static lb_status build_panel(lb_ctx *ctx, const lb_scoreset *s, const wb_data *d,
                             const wb_result *r, const lb_waterbed_options *o, lb_wb_weight wmode,
                             lb_wb_period per, int pretrend, wb_panel *p)
{
    size_t n = s->n_units, K = r->n_out;
    size_t t0 = (size_t)lb_scoreset_year_index(s, per.t0);
    size_t t1 = (size_t)lb_scoreset_year_index(s, per.t1);
    p->t0 = per.t0;
    p->t1 = per.t1;
    p->pretrend = pretrend;
    p->n_out = K;
    p->w = malloc((n ? n : 1) * sizeof(double));
    p->cls = malloc(n ? n : 1);
    p->lcls = malloc(n ? n : 1);
    p->breaks = malloc(LB_N_CLASSES * sizeof(double));
    p->s0 = malloc((n * K > 0 ? n * K : 1) * sizeof(double));
    p->s1 = malloc((n * K > 0 ? n * K : 1) * sizeof(double));
    if (!p->w || !p->cls || !p->lcls || !p->breaks || !p->s0 || !p->s1)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for period %d-%d", per.t0, per.t1);
    for (size_t u = 0; u < n; u++) {
        double w = NAN;
        if (!d->masked[u]) {
            switch (wmode) {
            case LB_WB_WEIGHT_SOURCE:
                w = s->weight ? s->weight[t0 * n + u] : NAN;
                break;
            case LB_WB_WEIGHT_AREA:
                w = lb_zunits_area(d->zu, u);
                break;
            default:
                w = 1.0;
            }
        }
        p->w[u] = w > 0.0 && isfinite(w) ? w : NAN;
        p->lcls[u] = (unsigned char)class_of(s, lb_scoreset_value(s, t0, LB_OUT_LBM, u));
        for (size_t k = 0; k < K; k++) {
            p->s0[k * n + u] = lb_scoreset_value(s, t0, r->out_k[k], u);
            p->s1[k * n + u] = lb_scoreset_value(s, t1, r->out_k[k], u);
        }
    }
    /* matching classes: the lbm classes, given breaks, or weighted quantiles of this period's
     * baseline over the usable units (so every period has its own, whatever else is run) */
    const double *lbm0 = p->s0; /* outcome 0 is lbm */
    if (o->match == LB_WB_MATCH_BREAKS) {
        memcpy(p->breaks, o->match_breaks, o->n_match_breaks * sizeof(double));
        p->n_breaks = o->n_match_breaks;
    } else if (o->match == LB_WB_MATCH_QUANTILES) {
        lb_status st = wb_quantile_breaks(ctx, lbm0, p->w, n, o->match_n, p->breaks, &p->n_breaks);
        if (st != LB_OK)
            return st;
        if (p->n_breaks + 1 < (size_t)o->match_n)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "matching classes %d-%d: ties in lbm at %d leave %zu of the %d quantile "
                       "classes asked for",
                       per.t0, per.t1, per.t0, p->n_breaks + 1, o->match_n);
    } else {
        memcpy(p->breaks, s->thresholds, LB_N_THRESHOLDS * sizeof(double));
        p->n_breaks = LB_N_THRESHOLDS;
    }
    for (size_t u = 0; u < n; u++)
        p->cls[u] =
            o->match == LB_WB_MATCH_LBM
                ? p->lcls[u]
                : (unsigned char)(isfinite(p->w[u]) ? wb_class_of(lbm0[u], p->breaks, p->n_breaks)
                                                    : 0);
    return LB_OK;
}

/* Zone statistics, DiD and placebo p-values of focus area f for every panel and outcome. */
static lb_status focus_rows(lb_ctx *ctx, const wb_result *r, size_t f, const wb_params *par,
                            wb_row *dst, size_t *row)
{
    const wb_data *d = r->data;
    size_t n = d->n, nz = d->n_slots, K = r->n_out, P = r->n_panels;
    size_t *reg = NULL, n_reg = 0, *far = NULL, n_far = 0;
    size_t **zu = calloc(nz, sizeof(size_t *)), *zn = calloc(nz, sizeof(size_t));
    lb_status st = zu && zn ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = wb_region_units(ctx, d, f, &reg, &n_reg);
    for (size_t z = 0; z < nz && st == LB_OK; z++)
        st = wb_zone_units(ctx, d, f, z, &zu[z], &zn[z]);
    for (size_t z = 0; z < nz && st == LB_OK; z++)
        if (d->slots[z].scheme == WB_SCHEME_CONTROL) {
            far = zu[z];
            n_far = zn[z];
        }
    const wb_placebo *pl = &r->placebo[f];
    size_t cells = nz * P * K;
    for (size_t p = 0; p < P && st == LB_OK; p++) {
        for (size_t k = 0; k < K; k++) {
            wb_obs o = wb_panel_obs(&r->panels[p], n, k);
            double trend, sd;
            wb_trend(&o, reg, n_reg, &trend, &sd);
            wb_acc ctrl;
            wb_acc_units(&o, far, n_far, &ctrl);
            size_t first = *row;
            for (size_t z = 0; z < nz; z++) {
                wb_row *w = &dst[(*row)++];
                memset(w, 0, sizeof(*w));
                w->panel = p;
                w->focus = f;
                w->slot = z;
                w->outcome = k;
                w->trend = trend;
                w->sd = sd;
                int is_far = d->slots[z].scheme == WB_SCHEME_CONTROL;
                wb_zone_stat(&o, zu[z], zn[z], is_far ? NULL : &ctrl, trend, sd, par, &w->st);
                w->p_one = w->p_two = w->q_one = w->q_two = w->p_upper = w->q_upper = NAN;
                if (d->slots[z].placebo && pl->m > 0) {
                    const double *pd = pl->did + (z * P + p) * K + k;
                    wb_placebo_p(pd, pl->m, cells, w->st.did, &w->p_one, &w->p_two, &w->n_placebo);
                    w->p_upper = wb_placebo_p_upper(pd, pl->m, cells, w->st.did);
                }
            }
            double did_focus = dst[first].st.did;
            for (size_t z = 0; z < nz; z++) {
                wb_row *w = &dst[first + z];
                w->did_focus = did_focus;
                int zone = d->slots[z].scheme != WB_SCHEME_FOCUS &&
                           d->slots[z].scheme != WB_SCHEME_CONTROL;
                w->wdq = zone ? wb_wdq_scores(w->st.did, did_focus) : NAN;
            }
        }
    }
    if (zu)
        for (size_t z = 0; z < nz; z++)
            free(zu[z]);
    free(zu);
    free(zn);
    free(reg);
    return st;
}

/* Benjamini–Hochberg q-values of the placebo tests, one family per period, zone and outcome
 * (LB_WB_BH_ZONE: the focus areas' tests of one hypothesis), per period and outcome
 * (LB_WB_BH_PERIOD), or one for the run (LB_WB_BH_RUN: the ring and adjacency rows of the main
 * periods, every outcome, as before this option). Each tail (one-sided, two-sided, upper) is
 * adjusted on its own. */
static lb_status qvalues(lb_ctx *ctx, wb_result *r, lb_wb_bh family)
{
    size_t n = r->n_rows ? r->n_rows : 1, nz = r->data->n_slots, K = r->n_out;
    double *pv = malloc(n * sizeof(double)), *qv = malloc(n * sizeof(double));
    size_t *fam = malloc(n * sizeof(size_t)), *idx = malloc(n * sizeof(size_t));
    lb_status st =
        pv && qv && fam && idx ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t n_fam = family == LB_WB_BH_RUN      ? 1
                   : family == LB_WB_BH_PERIOD ? r->n_panels * K
                                               : r->n_panels * nz * K;
    for (size_t i = 0; st == LB_OK && i < r->n_rows; i++) {
        const wb_row *w = &r->rows[i];
        int scheme = r->data->slots[w->slot].scheme;
        fam[i] = (size_t)-1;
        if (family == LB_WB_BH_RUN) {
            if (!r->panels[w->panel].pretrend &&
                (scheme == WB_SCHEME_RING || scheme == WB_SCHEME_ADJ))
                fam[i] = 0;
        } else if (r->data->slots[w->slot].placebo && scheme != WB_SCHEME_CONTROL) {
            fam[i] = family == LB_WB_BH_PERIOD ? w->panel * K + w->outcome
                                               : (w->panel * nz + w->slot) * K + w->outcome;
        }
        r->rows[i].q_one = r->rows[i].q_two = r->rows[i].q_upper = NAN;
    }
    for (size_t f = 0; st == LB_OK && f < n_fam; f++)
        for (int tail = 0; tail < 3 && st == LB_OK; tail++) {
            size_t m = 0;
            for (size_t i = 0; i < r->n_rows; i++) {
                if (fam[i] != f)
                    continue;
                const wb_row *w = &r->rows[i];
                idx[m] = i;
                pv[m++] = tail == 0 ? w->p_one : tail == 1 ? w->p_two : w->p_upper;
            }
            if (m == 0)
                break;
            st = lb_bh_qvalues(ctx, pv, m, qv);
            for (size_t j = 0; st == LB_OK && j < m; j++) {
                wb_row *w = &r->rows[idx[j]];
                *(tail == 0 ? &w->q_one : tail == 1 ? &w->q_two : &w->q_upper) = qv[j];
            }
        }
    free(pv);
    free(qv);
    free(fam);
    free(idx);
    return st;
}

/* How the placebo p-values of a focus area were drawn, when that departs from the request or
 * limits them. */
typedef enum wb_pnote {
    WB_PNOTE_NONE,
    WB_PNOTE_UNITS,   /* auto fell back to re-assigned units */
    WB_PNOTE_FEW,     /* areas asked for, too few for p to reach 0.05 */
    WB_PNOTE_PARTLY,  /* areas asked for, fewer than asked but enough */
    WB_PNOTE_NONE_FIT /* no placebo statistic at all */
} wb_pnote;

static wb_pnote placebo_case(const wb_placebo_cfg *cfg, const wb_placebo *pl)
{
    if (pl->method == LB_WB_PLACEBO_UNITS && cfg->mode == LB_WB_PLACEBO_AUTO)
        return WB_PNOTE_UNITS;
    if (pl->method == LB_WB_PLACEBO_AREAS && pl->m < WB_PLACEBO_MIN)
        return WB_PNOTE_FEW;
    if (pl->method == LB_WB_PLACEBO_AREAS && pl->m < cfg->m)
        return WB_PNOTE_PARTLY;
    if (pl->method == LB_WB_PLACEBO_AUTO)
        return WB_PNOTE_NONE_FIT;
    return WB_PNOTE_NONE;
}

/* The note of one focus area, as a whole sentence. */
static void placebo_note(lb_ctx *ctx, wb_pnote c, const wb_area *a, const wb_placebo_cfg *cfg,
                         const wb_placebo *pl)
{
    if (c == WB_PNOTE_UNITS)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': only %zu disjoint placebo areas fit among its %zu candidate "
                   "units (%d are needed for p to reach 0.05), so its placebo p-values come from "
                   "%zu random re-assignments of the units of its zones and far control "
                   "(placebo_method 'units', which assumes those units exchangeable)",
                   a->id, pl->n_areas, pl->n_candidates, WB_PLACEBO_MIN, pl->m);
    else if (c == WB_PNOTE_FEW)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': only %zu disjoint placebo areas fit among its %zu candidate "
                   "units, so its placebo p-values cannot go below 1/%zu = %.3f (use "
                   "--placebo-mode auto or units, or a larger region)",
                   a->id, pl->m, pl->n_candidates, pl->m + 1, 1.0 / (double)(pl->m + 1));
    else if (c == WB_PNOTE_PARTLY)
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "focus area '%s': %zu of the %zu placebo areas asked for fit disjointly; "
                   "p-values over those %zu",
                   a->id, pl->m, cfg->m, pl->m);
    else if (c == WB_PNOTE_NONE_FIT)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': no placebo areas fit (%zu candidate units); no placebo "
                   "p-values",
                   a->id, pl->n_candidates);
}

enum { WB_PNOTE_LISTED = 12 }; /* focus areas named in a grouped note */

/* The notes of every focus area: a case that several focus areas share is said once, with the
 * figures of each (the first WB_PNOTE_LISTED of them; waterbed.csv and run.json have every
 * focus area's placebo_method), so that 40 wijken do not give 40 near-identical warnings. */
static void placebo_notes(lb_ctx *ctx, const wb_data *d, const wb_placebo_cfg *cfg,
                          const wb_placebo *pl)
{
    for (wb_pnote c = WB_PNOTE_UNITS; c <= WB_PNOTE_NONE_FIT; c++) {
        size_t n = 0, first = 0;
        for (size_t f = 0; f < d->n_focus; f++)
            if (placebo_case(cfg, &pl[f]) == c && n++ == 0)
                first = f;
        if (n == 0)
            continue;
        if (n == 1) {
            placebo_note(ctx, c, &d->focus[first], cfg, &pl[first]);
            continue;
        }
        /* "'WK01' (2 of 14)", the disjoint areas that fit of the candidate units */
        char *list = NULL;
        size_t shown = 0;
        for (size_t f = 0; f < d->n_focus && shown < WB_PNOTE_LISTED; f++) {
            if (placebo_case(cfg, &pl[f]) != c)
                continue;
            size_t fit = c == WB_PNOTE_UNITS ? pl[f].n_areas : pl[f].m;
            char *next =
                c == WB_PNOTE_NONE_FIT
                    ? lb_core_strfmt("%s%s'%s' (%zu candidates)", list ? list : "",
                                     list ? ", " : "", d->focus[f].id, pl[f].n_candidates)
                    : lb_core_strfmt("%s%s'%s' (%zu %s among %zu candidates)", list ? list : "",
                                     list ? ", " : "", d->focus[f].id, fit,
                                     fit == 1 ? "area fits" : "areas fit", pl[f].n_candidates);
            free(list);
            list = next;
            if (!list)
                return; /* out of memory: the notes are advice, the results stand */
            shown++;
        }
        char *more = n > shown ? lb_core_strfmt(" and %zu more", n - shown) : NULL;
        char *who = n == 2 && d->n_focus == 2 ? lb_core_strfmt("both focus areas")
                    : n == d->n_focus         ? lb_core_strfmt("all %zu focus areas", n)
                                      : lb_core_strfmt("%zu of the %zu focus areas", n, d->n_focus);
        const char *tail = more ? more : "";
        if (!who || (n > shown && !more)) {
            free(who);
            free(more);
            free(list);
            return;
        }
        if (c == WB_PNOTE_UNITS)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "%s: too few disjoint placebo areas fit among their candidate units (%d "
                       "are needed for p to reach 0.05), so their placebo p-values come from %zu "
                       "random re-assignments of the units of their zones and far control "
                       "(placebo_method 'units', which assumes those units exchangeable): %s%s",
                       who, WB_PLACEBO_MIN, pl[first].m, list, tail);
        else if (c == WB_PNOTE_FEW)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "%s: fewer than %d disjoint placebo areas fit among their candidate units, "
                       "so their placebo p-values cannot go below 1/(areas + 1): %s%s (use "
                       "--placebo-mode auto or units, or a larger region)",
                       who, WB_PLACEBO_MIN, list, tail);
        else if (c == WB_PNOTE_PARTLY)
            lb_ctx_log(ctx, LB_LOG_INFO,
                       "%s: fewer of the %zu placebo areas asked for fit disjointly; p-values "
                       "over those that fit: %s%s",
                       who, cfg->m, list, tail);
        else
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "%s: no placebo areas fit, so they have no placebo p-values: %s%s", who,
                       list, tail);
        free(who);
        free(more);
        free(list);
    }
}

/* The clusters of the pooled regression (AUTO resolved). Asked for gemeente or wijk
 * clusters on units without those codes, the bootstrap would silently treat every unit as its
 * own cluster: an error naming the fallbacks; units partly without codes draw a warning. */
static lb_status resolve_cluster(lb_ctx *ctx, const wb_data *d, lb_wb_cluster want,
                                 lb_wb_cluster *out)
{
    size_t with_gm = 0, with_wk = 0, n = 0, n_unit_gm = 0;
    unsigned char *seen = calloc(d->n_gm ? d->n_gm : 1, 1);
    if (!seen)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < d->n; u++) {
        if (d->masked[u])
            continue;
        n++;
        with_gm += d->unit_gm[u] >= 0;
        with_wk += d->s->wk_code && d->s->wk_code[u];
        if (d->unit_gm[u] >= 0 && !seen[d->unit_gm[u]]) {
            seen[d->unit_gm[u]] = 1;
            n_unit_gm++;
        }
    }
    free(seen);
    if (want == LB_WB_CLUSTER_AUTO) {
        /* gemeenten of the units: those of the focus areas alone (a focus table's gemeente
         * column) do not make clusters */
        *out = n_unit_gm >= 2 ? LB_WB_CLUSTER_GEMEENTE
               : with_wk      ? LB_WB_CLUSTER_WIJK
                              : LB_WB_CLUSTER_UNIT;
        if (*out == LB_WB_CLUSTER_UNIT && n > 0)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "cluster 'auto': the units carry no gemeente or wijk codes (or one "
                       "gemeente only), so every unit is its own cluster of the pooled "
                       "regression (heteroskedasticity-robust only; --cluster focus clusters by "
                       "focus area)");
        want = *out;
    }
    *out = want;
    if (want != LB_WB_CLUSTER_GEMEENTE && want != LB_WB_CLUSTER_WIJK)
        return LB_OK;
    size_t with = want == LB_WB_CLUSTER_GEMEENTE ? with_gm : with_wk;
    const char *what = want == LB_WB_CLUSTER_GEMEENTE ? "gemeente" : "wijk";
    if (with == 0 && n > 0)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "--cluster %s: none of the %zu units of %s has a %s code, so every "
                            "unit would be its own cluster; give the scores %s codes (a GM_CODE / "
                            "WK_CODE column), or choose --cluster focus or --cluster unit",
                            what, n, d->s->description ? d->s->description : "the scores", what,
                            what);
    if (with < n)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "--cluster %s: %zu of %zu units have no %s code; each of them is a cluster of "
                   "its own",
                   what, n - with, n, what);
    return LB_OK;
}

/* One pooled regression (a period, an outcome, a model) as a job. The regressions read the
 * zones and panels only, never the unit graph that the placebos grow, so they run beside the
 * placebos on the threads the placebos leave free. */
typedef struct pooled_job {
    const wb_data *d;
    const wb_panel *panel;
    size_t p, k;
    const char *outcome;
    wb_pooled_cfg cfg;
    wb_pooled res;
    double cpu; /* CPU seconds of the job's thread */
} pooled_job;

static lb_status run_pooled_job(lb_ctx *ctx, void *user)
{
    pooled_job *j = user;
    double t0 = thread_cpu_s();
    lb_status st = wb_pooled_run(ctx, j->d, j->panel, j->k, j->outcome, &j->cfg, &j->res);
    j->cpu = thread_cpu_s() - t0;
    return st;
}

/* Every pooled regression of a run, in the order of the serial loop (period, outcome, model),
 * run on a context of its own: what the jobs report reaches the run's context, in that order,
 * only in pooled_finish(), at the place of the serial loop, so the messages are the same for
 * any number of threads. */
typedef struct pooled_batch {
    lb_ctx *ctx;
    pooled_job *jobs;
    lb_jobs_item *items;
    size_t n;
    int threads;
    lb_status st;
    pthread_t tid;
    int started; /* running on its own thread (pooled_start) */
} pooled_batch;

/* The batch of @p r: its clusters resolved first, on the batch's context (so what that says,
 * and its error in b->st, come at the regressions' place too), then one job per regression. */
static lb_status pooled_plan(lb_ctx *ctx, wb_result *r, const lb_waterbed_options *o,
                             pooled_batch *b)
{
    memset(b, 0, sizeof(*b));
    size_t cap = 2 * r->n_panels * r->n_out;
    b->jobs = calloc(cap ? cap : 1, sizeof(*b->jobs));
    b->items = calloc(cap ? cap : 1, sizeof(*b->items));
    if (!b->jobs || !b->items || lb_ctx_create(&b->ctx) != LB_OK)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the pooled regressions");
    wb_pooled_cfg cc = {o->n_boot,    o->seed,         LB_WB_CLUSTER_AUTO, 0,
                        o->pooled_fe, o->boot_weights, o->ci_level};
    b->st = resolve_cluster(b->ctx, r->data, o->cluster, &cc.cluster);
    r->cluster = cc.cluster;
    for (size_t p = 0; b->st == LB_OK && p < r->n_panels; p++)
        for (size_t k = 0; k < r->n_out; k++)
            for (int m = LB_WB_POOLED_RING; m <= LB_WB_POOLED_ADJ; m++) {
                if (!(o->pooled_models & m))
                    continue;
                pooled_job *j = &b->jobs[b->n];
                *j = (pooled_job){.d = r->data,
                                  .panel = &r->panels[p],
                                  .p = p,
                                  .k = k,
                                  .outcome = r->out_name[k],
                                  .cfg = cc};
                j->cfg.model = m;
                b->items[b->n] = (lb_jobs_item){.fn = run_pooled_job, .user = j};
                b->n++;
            }
    return LB_OK;
}

static void *pooled_thread(void *arg)
{
    pooled_batch *b = arg;
    b->st = lb_jobs_run(b->ctx, b->items, b->n, b->threads);
    return NULL;
}

/* Run the batch on @p threads threads of its own beside the caller (when no thread can be
 * started, pooled_finish runs it). */
static void pooled_start(pooled_batch *b, int threads)
{
    b->threads = threads;
    b->started = pthread_create(&b->tid, NULL, pooled_thread, b) == 0;
}

/* Wait for the batch (or run it now on @p threads), then hand its reports to @p ctx and its
 * regressions to @p r in the serial order: a regression without terms is dropped, the first
 * failed one ends the run with its error. */
static lb_status pooled_finish(lb_ctx *ctx, wb_result *r, const lb_waterbed_options *o,
                               pooled_batch *b, int threads, lb_status st)
{
    if (b->started)
        pthread_join(b->tid, NULL);
    else if (st == LB_OK && b->st == LB_OK)
        b->st = lb_jobs_run(b->ctx, b->items, b->n, threads);
    b->started = 0;
    if (st != LB_OK)
        return st;
    for (size_t i = 0; i < lb_ctx_warning_count(b->ctx); i++)
        lb_ctx_log(ctx, LB_LOG_WARN, "%s", lb_ctx_warning(b->ctx, i));
    if (b->st != LB_OK)
        return lb_ctx_error(ctx, b->st, "%s", lb_ctx_errmsg(b->ctx));
    size_t few_g = 0;
    r->t_pooled = 0.0;
    for (size_t i = 0; i < b->n; i++) {
        pooled_job *j = &b->jobs[i];
        r->t_pooled += j->cpu;
        if (j->res.n_terms == 0) {
            wb_pooled_free(&j->res);
            continue;
        }
        wb_pooled_row *pr = &r->pooled[r->n_pooled++];
        pr->panel = j->p;
        pr->outcome = j->k;
        pr->res = j->res;
        memset(&j->res, 0, sizeof(j->res)); /* now r's */
        size_t G = pr->res.n_clusters;
        if (o->boot_weights == LB_WB_BOOT_RADEMACHER && o->n_boot > 0 && G >= 2 && G < 31 &&
            (1UL << G) < (unsigned long)o->n_boot && (!few_g || G < few_g))
            few_g = G;
    }
    if (few_g)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "pooled regressions: with %zu clusters Rademacher weights give only %lu "
                   "distinct bootstrap draws (of %d asked), so the bootstrap p-values and "
                   "intervals are coarse; --boot-weights webb has 6^G",
                   few_g, 1UL << few_g, o->n_boot);
    return LB_OK;
}

/* Free what the batch still holds (joining its thread if it runs). */
static void pooled_free(pooled_batch *b)
{
    if (b->started)
        pthread_join(b->tid, NULL);
    for (size_t i = 0; b->jobs && i < b->n; i++)
        wb_pooled_free(&b->jobs[i].res);
    free(b->jobs);
    free(b->items);
    lb_ctx_destroy(b->ctx);
    memset(b, 0, sizeof(*b));
}

lb_status wb_analyse(lb_ctx *ctx, const lb_scoreset *s, const lb_waterbed_options *o,
                     wb_result **out)
{
    if (o->n_placebo != 0 && o->n_placebo < 19)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "placebos: %d is too few (at least 19, so that p can reach 0.05; 199 "
                            "or more recommended; 0 turns the test off)",
                            o->n_placebo);
    if (o->placebo_mode < LB_WB_PLACEBO_AUTO || o->placebo_mode > LB_WB_PLACEBO_UNITS)
        return lb_ctx_error(ctx, LB_ERR_ARG, "placebo mode %d: expected auto, areas or units",
                            (int)o->placebo_mode);
    if (o->n_boot < 0 || !(o->k1 > 0.0) || !(o->k2 > 0.0) || o->receiving_class < 1 ||
        o->receiving_class > LB_N_CLASSES)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "bootstrap replications must be >= 0, k1 and k2 > 0, "
                            "and the receiving class 1..9");
    if (!(o->ci_level >= 0.0 && o->ci_level < 1.0))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "ci level %g: expected a number in (0, 1), e.g. 0.95 (0 = none)",
                            o->ci_level);
    if (o->ci_level > 0.0 && o->n_boot > 0 && (1.0 - o->ci_level) * (o->n_boot + 1) < 1.0)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "a %g %% interval needs at least %.0f bootstrap draws (--bootstrap)",
                            100.0 * o->ci_level, ceil(1.0 / (1.0 - o->ci_level)) - 1.0);
    if (o->pooled_models < 0 || o->pooled_models > LB_WB_POOLED_BOTH ||
        o->pooled_fe < LB_WB_FE_FOCUS || o->pooled_fe > LB_WB_FE_NONE ||
        o->boot_weights < LB_WB_BOOT_RADEMACHER || o->boot_weights > LB_WB_BOOT_WEBB ||
        o->bh_family < LB_WB_BH_ZONE || o->bh_family > LB_WB_BH_RUN)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "waterbed: a pooled, bootstrap or BH option is out "
                            "of range");
    if (o->match == LB_WB_MATCH_QUANTILES && (o->match_n < 2 || o->match_n > LB_N_CLASSES))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "matching classes: %d quantile classes; expected 2..%d", o->match_n,
                            LB_N_CLASSES);
    if (o->match == LB_WB_MATCH_BREAKS) {
        int ok = o->match_breaks && o->n_match_breaks >= 1 && o->n_match_breaks <= LB_N_CLASSES - 1;
        for (size_t i = 0; ok && i < o->n_match_breaks; i++)
            ok = isfinite(o->match_breaks[i]) &&
                 (i == 0 || o->match_breaks[i] > o->match_breaks[i - 1]);
        if (!ok)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "matching classes: 1 to %d strictly ascending finite lbm breaks "
                                "expected (e.g. --match-classes 3.6,3.8,4.0,4.2)",
                                LB_N_CLASSES - 1);
    } else if (o->match < LB_WB_MATCH_LBM || o->match > LB_WB_MATCH_BREAKS) {
        return lb_ctx_error(ctx, LB_ERR_ARG, "matching classes: mode %d out of range",
                            (int)o->match);
    }
    wb_result *r = calloc(1, sizeof(*r));
    pooled_batch pooled = {0};
    lb_wb_period *per = NULL;
    int *pre = NULL;
    size_t np = 0;
    lb_status st = r ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = periods(ctx, s, o, &per, &pre, &np);
    if (st == LB_OK)
        st = outcomes(ctx, s, r);
    double t0 = cpu_s();
    if (st == LB_OK)
        st = wb_data_create(ctx, s, o, &r->data);
    if (st == LB_OK)
        st = wb_assign(ctx, r->data);
    if (st != LB_OK)
        goto cleanup;
    wb_data *d = r->data;
    lb_wb_weight wmode = resolve_weight(ctx, s, d, o->weight, per, np);
    r->weight_used = wmode == LB_WB_WEIGHT_SOURCE ? (s->weight_name ? s->weight_name : "weight")
                     : wmode == LB_WB_WEIGHT_AREA ? "area"
                                                  : "unit";
    r->panels = calloc(np, sizeof(wb_panel));
    r->placebo = calloc(d->n_focus, sizeof(wb_placebo));
    if (!r->panels || !r->placebo) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    r->n_panels = np;
    for (size_t p = 0; p < np && st == LB_OK; p++)
        st = build_panel(ctx, s, d, r, o, wmode, per[p], pre[p], &r->panels[p]);
    if (st != LB_OK)
        goto cleanup;

    r->t_zones = cpu_s() - t0;

    /* The pooled regressions, planned now so that they run beside the placebos on the
     * threads these leave free; what they report reaches @p ctx at the serial loop's place. */
    r->pooled = calloc(2 * np * r->n_out, sizeof(wb_pooled_row));
    if (!r->pooled) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    st = pooled_plan(ctx, r, o, &pooled);
    if (st != LB_OK)
        goto cleanup;
    int threads = lb_ctx_threads(ctx);
    if (threads > 1 && pooled.st == LB_OK)
        pooled_start(&pooled, threads - 1); /* else run at its place below */

    /* placebo areas per focus area */
    t0 = thread_cpu_s();
    wb_placebo_cfg pc = {
        o->placebo_mode, (size_t)o->n_placebo,
        o->placebo_pool, o->placebo_buffer_m >= 0.0 ? o->placebo_buffer_m : d->rings[0],
        o->seed,         (size_t)o->min_control};
    r->n_placebo_req = pc.m;
    r->placebo_mode = pc.mode;
    r->placebo_buffer_m = pc.buffer_m;
    for (size_t f = 0; f < d->n_focus && st == LB_OK && pc.m > 0; f++) {
        st = wb_placebo_run(ctx, d, f, r->panels, r->n_panels, &pc, &r->placebo[f]);
        lb_status pst =
            lb_ctx_progress(ctx, 0.1 + 0.6 * (double)(f + 1) / (double)d->n_focus, "placebos");
        if (st == LB_OK)
            st = pst;
    }
    if (st != LB_OK)
        goto cleanup;
    if (pc.m > 0)
        placebo_notes(ctx, d, &pc, r->placebo);

    r->t_placebo = thread_cpu_s() - t0;
    t0 = thread_cpu_s();
    r->n_rows = np * d->n_focus * d->n_slots * r->n_out;
    r->rows = calloc(r->n_rows ? r->n_rows : 1, sizeof(wb_row));
    if (!r->rows) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for %zu rows", r->n_rows);
        goto cleanup;
    }
    /* filled per focus area as [panel][outcome][zone], written as [panel][focus][zone][outcome] */
    wb_row *tmp = calloc(r->n_rows ? r->n_rows : 1, sizeof(wb_row));
    if (!tmp) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for %zu rows", r->n_rows);
        goto cleanup;
    }
    wb_params par = {o->k1, o->k2, o->receiving_class, (size_t)o->min_control};
    size_t at = 0;
    for (size_t f = 0; f < d->n_focus && st == LB_OK; f++)
        st = focus_rows(ctx, r, f, &par, tmp, &at);
    if (st == LB_OK) {
        size_t K = r->n_out, Z = d->n_slots, F = d->n_focus, i = 0;
        for (size_t p = 0; p < np; p++)
            for (size_t f = 0; f < F; f++)
                for (size_t z = 0; z < Z; z++)
                    for (size_t k = 0; k < K; k++)
                        r->rows[i++] = tmp[((f * np + p) * K + k) * Z + z];
    }
    free(tmp);
    if (st == LB_OK)
        st = qvalues(ctx, r, o->bh_family);
    if (st != LB_OK)
        goto cleanup;
    r->t_rows = thread_cpu_s() - t0;

    /* pooled regressions: per period and outcome the ring model, then the adjacency model */
    r->fe = o->pooled_fe;
    r->boot_weights = o->boot_weights;
    r->ci_level = o->ci_level;
    st = pooled_finish(ctx, r, o, &pooled, threads, st);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.95, "pooled regression");
    if (st != LB_OK)
        goto cleanup;
    *out = r;
    r = NULL;
cleanup:
    pooled_free(&pooled);
    free(per);
    free(pre);
    wb_result_destroy(r);
    return st;
}
