/* SPDX-License-Identifier: MIT */
/* The waterbed analysis in memory: periods and weights, zone statistics per focus area, zone,
 * outcome and period, placebo p-values, Benjamini–Hochberg q-values, pooled regressions. */
#include "wb.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

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
    o->run_label = "waterbed";
    o->csv_sep = ',';
}

static double cpu_s(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

static void panel_free(wb_panel *p)
{
    free(p->w);
    free(p->cls);
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
                             const wb_result *r, lb_wb_weight wmode, lb_wb_period per, int pretrend,
                             wb_panel *p)
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
    p->s0 = malloc((n * K > 0 ? n * K : 1) * sizeof(double));
    p->s1 = malloc((n * K > 0 ? n * K : 1) * sizeof(double));
    if (!p->w || !p->cls || !p->s0 || !p->s1)
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
        p->cls[u] = (unsigned char)class_of(s, lb_scoreset_value(s, t0, LB_OUT_LBM, u));
        for (size_t k = 0; k < K; k++) {
            p->s0[k * n + u] = lb_scoreset_value(s, t0, r->out_k[k], u);
            p->s1[k * n + u] = lb_scoreset_value(s, t1, r->out_k[k], u);
        }
    }
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
                w->p_one = w->p_two = w->q_one = w->q_two = NAN;
                if (d->slots[z].placebo && pl->m > 0) {
                    wb_placebo_p(pl->did + (z * P + p) * K + k, pl->m, cells, w->st.did, &w->p_one,
                                 &w->p_two, &w->n_placebo);
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

/* Benjamini–Hochberg over the per-wijk displacement tests of the run: every ring and
 * adjacency row of a main period with a placebo p-value (one family for the one-sided and
 * one for the two-sided p-values). */
static lb_status qvalues(lb_ctx *ctx, wb_result *r)
{
    double *p1 = malloc((r->n_rows ? r->n_rows : 1) * sizeof(double));
    double *p2 = malloc((r->n_rows ? r->n_rows : 1) * sizeof(double));
    double *q1 = malloc((r->n_rows ? r->n_rows : 1) * sizeof(double));
    double *q2 = malloc((r->n_rows ? r->n_rows : 1) * sizeof(double));
    lb_status st = p1 && p2 && q1 && q2 ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < r->n_rows; i++) {
        const wb_row *w = &r->rows[i];
        int scheme = r->data->slots[w->slot].scheme;
        int family =
            !r->panels[w->panel].pretrend && (scheme == WB_SCHEME_RING || scheme == WB_SCHEME_ADJ);
        p1[i] = family ? w->p_one : NAN;
        p2[i] = family ? w->p_two : NAN;
    }
    if (st == LB_OK)
        st = lb_bh_qvalues(ctx, p1, r->n_rows, q1);
    if (st == LB_OK)
        st = lb_bh_qvalues(ctx, p2, r->n_rows, q2);
    for (size_t i = 0; st == LB_OK && i < r->n_rows; i++) {
        r->rows[i].q_one = q1[i];
        r->rows[i].q_two = q2[i];
    }
    free(p1);
    free(p2);
    free(q1);
    free(q2);
    return st;
}

/* Say how the placebo p-values of focus area @p a were drawn when that departs from the
 * request or limits them. */
static void placebo_note(lb_ctx *ctx, const wb_area *a, const wb_placebo_cfg *cfg,
                         const wb_placebo *pl)
{
    if (pl->method == LB_WB_PLACEBO_UNITS && cfg->mode == LB_WB_PLACEBO_AUTO)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': only %zu disjoint placebo areas fit among its %zu candidate "
                   "units (%d are needed for p to reach 0.05), so its placebo p-values come from "
                   "%zu random re-assignments of the units of its zones and far control "
                   "(placebo_method 'units', which assumes those units exchangeable)",
                   a->id, pl->n_areas, pl->n_candidates, WB_PLACEBO_MIN, pl->m);
    else if (pl->method == LB_WB_PLACEBO_AREAS && pl->m < WB_PLACEBO_MIN)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': only %zu disjoint placebo areas fit among its %zu candidate "
                   "units, so its placebo p-values cannot go below 1/%zu = %.3f (use "
                   "--placebo-mode auto or units, or a larger region)",
                   a->id, pl->m, pl->n_candidates, pl->m + 1, 1.0 / (double)(pl->m + 1));
    else if (pl->method == LB_WB_PLACEBO_AREAS && pl->m < cfg->m)
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "focus area '%s': %zu of the %zu placebo areas asked for fit disjointly; "
                   "p-values over those %zu",
                   a->id, pl->m, cfg->m, pl->m);
    else if (pl->method == LB_WB_PLACEBO_AUTO)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': no placebo areas fit (%zu candidate units); no placebo "
                   "p-values",
                   a->id, pl->n_candidates);
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
    wb_result *r = calloc(1, sizeof(*r));
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
        st = build_panel(ctx, s, d, r, wmode, per[p], pre[p], &r->panels[p]);
    if (st != LB_OK)
        goto cleanup;

    /* placebo areas per focus area */
    r->t_zones = cpu_s() - t0;
    t0 = cpu_s();
    wb_placebo_cfg pc = {
        o->placebo_mode, (size_t)o->n_placebo,
        o->placebo_pool, o->placebo_buffer_m >= 0.0 ? o->placebo_buffer_m : d->rings[0],
        o->seed,         (size_t)o->min_control};
    r->n_placebo_req = pc.m;
    r->placebo_mode = pc.mode;
    r->placebo_buffer_m = pc.buffer_m;
    for (size_t f = 0; f < d->n_focus && st == LB_OK && pc.m > 0; f++) {
        st = wb_placebo_run(ctx, d, f, r->panels, r->n_panels, &pc, &r->placebo[f]);
        if (st == LB_OK)
            placebo_note(ctx, &d->focus[f], &pc, &r->placebo[f]);
        lb_status pst =
            lb_ctx_progress(ctx, 0.1 + 0.6 * (double)(f + 1) / (double)d->n_focus, "placebos");
        if (st == LB_OK)
            st = pst;
    }
    if (st != LB_OK)
        goto cleanup;

    r->t_placebo = cpu_s() - t0;
    t0 = cpu_s();
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
        st = qvalues(ctx, r);
    if (st != LB_OK)
        goto cleanup;

    /* pooled regressions */
    r->t_rows = cpu_s() - t0;
    t0 = cpu_s();
    wb_pooled_cfg cc = {o->n_boot, o->seed, LB_WB_CLUSTER_AUTO};
    st = resolve_cluster(ctx, d, o->cluster, &cc.cluster);
    if (st != LB_OK)
        goto cleanup;
    r->cluster = cc.cluster;
    r->pooled = calloc(np * r->n_out, sizeof(wb_pooled_row));
    if (!r->pooled) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t p = 0; p < np && st == LB_OK; p++)
        for (size_t k = 0; k < r->n_out && st == LB_OK; k++) {
            wb_pooled_row *pr = &r->pooled[r->n_pooled];
            pr->panel = p;
            pr->outcome = k;
            st = wb_pooled_run(ctx, d, &r->panels[p], k, r->out_name[k], &cc, &pr->res);
            if (st == LB_OK)
                r->n_pooled++;
            lb_status pst = lb_ctx_progress(
                ctx, 0.7 + 0.25 * (double)(p * r->n_out + k + 1) / (double)(np * r->n_out),
                "pooled regression");
            if (st == LB_OK)
                st = pst;
        }
    if (st != LB_OK)
        goto cleanup;
    r->t_pooled = cpu_s() - t0;
    *out = r;
    r = NULL;
cleanup:
    free(per);
    free(pre);
    wb_result_destroy(r);
    return st;
}
