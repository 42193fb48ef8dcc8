/* SPDX-License-Identifier: MIT */
/* Waterbed outputs: the tidy table (waterbed.csv), the pooled regressions
 * (waterbed_pooled.csv), the zones GeoPackage (units, focus, placebos) and run.json. */
#include "wb.h"

#include "report.h"
#include "summary.h"

#include "../api/provenance.h"
#include "../core/ctx.h"
#include "../data/table.h"
#include "../io/write.h"
#include "zones_style.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const scheme_names[] = {"focus", "ring", "adjacency", "rigo", "control"};

static const char *region_name(lb_wb_region r)
{
    static const char *const n[] = {"auto",  "all",    "gemeente",
                                    "table", "radius", "gemeente-or-radius"};
    return n[r];
}

static const char *cluster_name(lb_wb_cluster c)
{
    static const char *const n[] = {"auto", "gemeente", "wijk", "focus", "unit"};
    return n[c];
}

/* Column adder that remembers the first failure. */
typedef struct tb {
    lb_ctx *ctx;
    lb_table *t;
    lb_status st;
} tb;

static const char *wb_fe_name(lb_wb_fe fe)
{
    return fe == LB_WB_FE_GEMEENTE ? "gemeente" : fe == LB_WB_FE_NONE ? "none" : "focus";
}

static const char *placebo_method_name(lb_wb_placebo m)
{
    static const char *const names[] = {"auto", "areas", "units"};
    return m >= LB_WB_PLACEBO_AUTO && m <= LB_WB_PLACEBO_UNITS ? names[m] : "?";
}

static lb_column *col(tb *b, const char *name, lb_col_type type, int decimals)
{
    lb_column *c = NULL;
    if (b->st == LB_OK)
        b->st = lb_table_add(b->ctx, b->t, name, type, &c);
    if (c)
        c->decimals = decimals;
    return c;
}

static void set_text(tb *b, lb_column *c, size_t r, const char *s)
{
    if (!c || !s || b->st != LB_OK)
        return;
    c->text[r] = lb_core_strdup(s);
    if (!c->text[r])
        b->st = lb_ctx_error(b->ctx, LB_ERR_NOMEM, "out of memory");
}

static void set_real(lb_column *c, size_t r, double v)
{
    if (c)
        c->real[r] = isfinite(v) ? v : NAN;
}

static void set_int(lb_column *c, size_t r, long long v)
{
    if (c)
        c->integer[r] = v;
}

/* Hand over the table, or free it after a failure. */
static lb_status tb_finish(tb *b, lb_table **out)
{
    if (b->st != LB_OK) {
        lb_table_destroy(b->t);
        return b->st;
    }
    *out = b->t;
    return LB_OK;
}

static lb_status write_csv(lb_ctx *ctx, const lb_table *t, const char *dir, const char *name,
                           char sep, int full_precision)
{
    char *path = lb_core_strfmt("%s/%s", dir, name);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    lb_vector_opts vo = {LB_FMT_CSV, NULL, 0, sep == ';' ? ';' : ',', full_precision != 0};
    lb_status st = lb_write_vector(ctx, path, t, &vo);
    free(path);
    return st;
}

/* The central 95 % of the valid placebo DiDs of one row (every @p stride-th of @p m values):
 * their 2.5th and 97.5th percentiles (GSL's linear interpolation between order statistics).
 * NaN when there are none. @p buf holds @p m values. */
static void placebo_interval(const double *did, size_t m, size_t stride, double *buf, double *lo,
                             double *hi)
{
    size_t n = 0;
    for (size_t i = 0; i < m; i++)
        if (!isnan(did[i * stride]))
            buf[n++] = did[i * stride];
    *lo = *hi = NAN;
    if (n == 0)
        return;
    gsl_sort(buf, 1, n);
    *lo = gsl_stats_quantile_from_sorted_data(buf, 1, n, 0.025);
    *hi = gsl_stats_quantile_from_sorted_data(buf, 1, n, 0.975);
}

static lb_status main_table(lb_ctx *ctx, const wb_result *r, const lb_waterbed_options *o,
                            lb_table **out)
{
    const wb_data *d = r->data;
    tb b = {ctx, NULL, lb_table_create(ctx, r->n_rows, &b.t)};
    int pop_like = strcmp(r->weight_used, "unit") != 0 && strcmp(r->weight_used, "area") != 0;
    lb_column *c_run = col(&b, "run", LB_COL_TEXT, -1), *c_per = col(&b, "period", LB_COL_TEXT, -1),
              *c_t0 = col(&b, "t0", LB_COL_INT, -1), *c_t1 = col(&b, "t1", LB_COL_INT, -1),
              *c_role = col(&b, "period_role", LB_COL_TEXT, -1),
              *c_fid = col(&b, "focus_id", LB_COL_TEXT, -1),
              *c_fname = col(&b, "focus_name", LB_COL_TEXT, -1),
              *c_gm = col(&b, "gemeente", LB_COL_TEXT, -1),
              *c_scheme = col(&b, "scheme", LB_COL_TEXT, -1),
              *c_zone = col(&b, "zone", LB_COL_TEXT, -1),
              *c_lo = col(&b, "ring_min_m", LB_COL_REAL, 1),
              *c_hi = col(&b, "ring_max_m", LB_COL_REAL, 1),
              *c_out = col(&b, "outcome", LB_COL_TEXT, -1),
              *c_n = col(&b, "n_units", LB_COL_INT, -1),
              *c_pop = col(&b, "population", LB_COL_REAL, 1),
              *c_wsum = col(&b, "weight_sum", LB_COL_REAL, 4),
              *c_m0 = col(&b, "mean_t0", LB_COL_REAL, 6),
              *c_m1 = col(&b, "mean_t1", LB_COL_REAL, 6),
              *c_delta = col(&b, "delta", LB_COL_REAL, 6),
              *c_trend = col(&b, "trend", LB_COL_REAL, 6),
              *c_rel = col(&b, "rel_delta", LB_COL_REAL, 6),
              *c_ctrl = col(&b, "delta_ctrl", LB_COL_REAL, 6),
              *c_did = col(&b, "did", LB_COL_REAL, 6),
              *c_didf = col(&b, "did_focus", LB_COL_REAL, 6),
              *c_k1 = col(&b, "share_lagging_k1", LB_COL_REAL, 4),
              *c_recv = col(&b, "n_receiving", LB_COL_INT, -1),
              *c_k2 = col(&b, "n_lagging_k2", LB_COL_INT, -1),
              *c_wdq = col(&b, "wdq", LB_COL_REAL, 4),
              *c_p1 = col(&b, "p_placebo_one", LB_COL_REAL, 6),
              *c_p2 = col(&b, "p_placebo_two", LB_COL_REAL, 6),
              *c_pm = col(&b, "placebo_method", LB_COL_TEXT, -1),
              *c_np = col(&b, "n_placebo", LB_COL_INT, -1),
              *c_pmin = col(&b, "p_placebo_min", LB_COL_REAL, 6),
              *c_q1 = col(&b, "q_one", LB_COL_REAL, 6), *c_q2 = col(&b, "q_two", LB_COL_REAL, 6),
              *c_plo = col(&b, "placebo_lo", LB_COL_REAL, 6),
              *c_phi = col(&b, "placebo_hi", LB_COL_REAL, 6),
              *c_ctrlp = col(&b, "delta_ctrl_plain", LB_COL_REAL, 6),
              *c_didp = col(&b, "did_plain", LB_COL_REAL, 6),
              *c_pu = col(&b, "p_placebo_upper", LB_COL_REAL, 6),
              *c_qu = col(&b, "q_upper", LB_COL_REAL, 6);

    size_t m_max = 1;
    for (size_t f = 0; f < d->n_focus; f++)
        m_max = r->placebo[f].m > m_max ? r->placebo[f].m : m_max;
    double *buf = b.st == LB_OK ? malloc(m_max * sizeof(double)) : NULL;
    if (b.st == LB_OK && !buf)
        b.st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->n_rows && b.st == LB_OK; i++) {
        const wb_row *w = &r->rows[i];
        const wb_panel *p = &r->panels[w->panel];
        const wb_area *a = &d->focus[w->focus];
        const wb_slot *z = &d->slots[w->slot];
        char per[32];
        snprintf(per, sizeof(per), "%d-%d", p->t0, p->t1);
        set_text(&b, c_run, i, o->run_label ? o->run_label : "waterbed");
        set_text(&b, c_per, i, per);
        set_int(c_t0, i, p->t0);
        set_int(c_t1, i, p->t1);
        set_text(&b, c_role, i, p->pretrend ? "pretrend" : "main");
        set_text(&b, c_fid, i, a->id);
        set_text(&b, c_fname, i, a->name);
        set_text(&b, c_gm, i, a->gemeente);
        set_text(&b, c_scheme, i, scheme_names[z->scheme]);
        set_text(&b, c_zone, i, z->name);
        set_real(c_lo, i, z->lo_m);
        set_real(c_hi, i, z->hi_m);
        set_text(&b, c_out, i, r->out_name[w->outcome]);
        set_int(c_n, i, (long long)w->st.n);
        set_real(c_pop, i, pop_like ? w->st.wsum : NAN);
        set_real(c_wsum, i, w->st.wsum);
        set_real(c_m0, i, w->st.mean0);
        set_real(c_m1, i, w->st.mean1);
        set_real(c_delta, i, w->st.delta);
        set_real(c_trend, i, w->trend);
        set_real(c_rel, i, w->st.rel_delta);
        set_real(c_ctrl, i, w->st.delta_ctrl);
        set_real(c_did, i, w->st.did);
        set_real(c_didf, i, w->did_focus);
        set_real(c_k1, i, w->st.share_k1);
        set_int(c_recv, i, (long long)w->st.n_receiving);
        set_int(c_k2, i, (long long)w->st.n_k2);
        set_real(c_wdq, i, w->wdq);
        set_real(c_p1, i, w->p_one);
        set_real(c_p2, i, w->p_two);
        if (z->placebo && w->n_placebo > 0) {
            set_text(&b, c_pm, i, placebo_method_name(r->placebo[w->focus].method_p[w->panel]));
            set_int(c_np, i, (long long)w->n_placebo);
            set_real(c_pmin, i, 1.0 / ((double)w->n_placebo + 1.0));
        }
        set_real(c_q1, i, w->q_one);
        set_real(c_q2, i, w->q_two);
        set_real(c_ctrlp, i, w->st.delta_ctrl_plain);
        set_real(c_didp, i, w->st.did_plain);
        set_real(c_pu, i, w->p_upper);
        set_real(c_qu, i, w->q_upper);
        const wb_placebo *pl = &r->placebo[w->focus];
        if (z->placebo && pl->m > 0 && pl->did) {
            /* the layout of wb_placebo.did (wb.h) */
            size_t P = r->n_panels, K = r->n_out, cells = d->n_slots * P * K;
            double lo, hi;
            placebo_interval(pl->did + (w->slot * P + w->panel) * K + w->outcome, pl->m, cells, buf,
                             &lo, &hi);
            set_real(c_plo, i, lo);
            set_real(c_phi, i, hi);
        }
    }
    free(buf);
    return tb_finish(&b, out);
}

static lb_status pooled_table(lb_ctx *ctx, const wb_result *r, const lb_waterbed_options *o,
                              lb_table **out)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_pooled; i++)
        n += r->pooled[i].res.n_terms;
    tb b = {ctx, NULL, lb_table_create(ctx, n, &b.t)};
    lb_column *c_run = col(&b, "run", LB_COL_TEXT, -1), *c_per = col(&b, "period", LB_COL_TEXT, -1),
              *c_t0 = col(&b, "t0", LB_COL_INT, -1), *c_t1 = col(&b, "t1", LB_COL_INT, -1),
              *c_role = col(&b, "period_role", LB_COL_TEXT, -1),
              *c_out = col(&b, "outcome", LB_COL_TEXT, -1),
              *c_term = col(&b, "term", LB_COL_TEXT, -1),
              *c_est = col(&b, "estimate", LB_COL_REAL, 6),
              *c_se = col(&b, "se_cr1", LB_COL_REAL, 6), *c_t = col(&b, "t", LB_COL_REAL, 4),
              *c_p2 = col(&b, "p_boot_two", LB_COL_REAL, 4),
              *c_p1 = col(&b, "p_boot_one", LB_COL_REAL, 4),
              *c_n = col(&b, "n_units", LB_COL_INT, -1),
              *c_g = col(&b, "n_clusters", LB_COL_INT, -1),
              *c_k = col(&b, "n_params", LB_COL_INT, -1), *c_b = col(&b, "n_boot", LB_COL_INT, -1),
              *c_cl = col(&b, "cluster", LB_COL_TEXT, -1),
              *c_model = col(&b, "model", LB_COL_TEXT, -1),
              *c_fe = col(&b, "fixed_effects", LB_COL_TEXT, -1),
              *c_bw = col(&b, "boot_weights", LB_COL_TEXT, -1),
              *c_pu = col(&b, "p_boot_upper", LB_COL_REAL, 4),
              *c_lo = col(&b, "ci_low", LB_COL_REAL, 6), *c_hi = col(&b, "ci_high", LB_COL_REAL, 6),
              *c_lvl = col(&b, "ci_level", LB_COL_REAL, 4),
              *c_p2t = col(&b, "p_boot_two_text", LB_COL_TEXT, -1),
              *c_p1t = col(&b, "p_boot_one_text", LB_COL_TEXT, -1),
              *c_put = col(&b, "p_boot_upper_text", LB_COL_TEXT, -1);
    size_t i = 0;
    for (size_t q = 0; q < r->n_pooled && b.st == LB_OK; q++) {
        const wb_pooled_row *pr = &r->pooled[q];
        const wb_panel *p = &r->panels[pr->panel];
        char per[32];
        snprintf(per, sizeof(per), "%d-%d", p->t0, p->t1);
        for (size_t t = 0; t < pr->res.n_terms && b.st == LB_OK; t++, i++) {
            const wb_pooled_term *pt = &pr->res.terms[t];
            set_text(&b, c_run, i, o->run_label ? o->run_label : "waterbed");
            set_text(&b, c_per, i, per);
            set_int(c_t0, i, p->t0);
            set_int(c_t1, i, p->t1);
            set_text(&b, c_role, i, p->pretrend ? "pretrend" : "main");
            set_text(&b, c_out, i, r->out_name[pr->outcome]);
            set_text(&b, c_term, i, pt->term);
            set_real(c_est, i, pt->estimate);
            set_real(c_se, i, pt->se);
            set_real(c_t, i, pt->t);
            set_real(c_p2, i, pt->p_two);
            set_real(c_p1, i, pt->p_one);
            set_int(c_n, i, (long long)pr->res.n_units);
            set_int(c_g, i, (long long)pr->res.n_clusters);
            set_int(c_k, i, (long long)pr->res.n_params);
            set_int(c_b, i, o->n_boot);
            set_text(&b, c_cl, i, cluster_name(r->cluster));
            set_text(&b, c_model, i, pr->res.model == LB_WB_POOLED_ADJ ? "adjacency" : "ring");
            set_text(&b, c_fe, i, wb_fe_name(r->fe));
            set_text(&b, c_bw, i, r->boot_weights == LB_WB_BOOT_WEBB ? "webb" : "rademacher");
            set_real(c_pu, i, pt->p_upper);
            /* an unbounded side (the test never rejects) is left empty, like a missing one */
            set_real(c_lo, i, isfinite(pt->ci_low) ? pt->ci_low : NAN);
            set_real(c_hi, i, isfinite(pt->ci_high) ? pt->ci_high : NAN);
            set_real(c_lvl, i, r->ci_level > 0.0 ? r->ci_level : NAN);
            char txt[32];
            const double pv[3] = {pt->p_two, pt->p_one, pt->p_upper};
            lb_column *pc[3] = {c_p2t, c_p1t, c_put};
            for (int h = 0; h < 3; h++) {
                wb_boot_p_text(pv[h], o->n_boot, txt, sizeof(txt));
                if (txt[0])
                    set_text(&b, pc[h], i, txt);
            }
        }
    }
    return tb_finish(&b, out);
}

static lb_status copy_wkb(lb_ctx *ctx, lb_table *t, size_t row, const unsigned char *wkb,
                          size_t size)
{
    unsigned char *c = malloc(size);
    if (!c)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    memcpy(c, wkb, size);
    return lb_table_set_geometry(ctx, t, row, c, size);
}

/* The zone of unit u in the ring scheme as text. */
static const char *ring_label(const wb_data *d, size_t u)
{
    if (d->ring[u] >= 0)
        return d->slots[1 + d->ring[u]].name;
    if (d->beyond[u])
        return "beyond";
    return NULL;
}

static const char *rigo_label(const wb_data *d, size_t u)
{
    if (!d->rigo || wb_treated(d, u))
        return NULL;
    if (d->adj[u] == 1)
        return "rigo_adjacent";
    for (size_t f = 0; f < d->n_focus; f++)
        if (d->focus_gm[f] >= 0 && d->unit_gm[u] == d->focus_gm[f])
            return "rigo_city";
    for (size_t f = 0; f < d->n_focus; f++)
        if (wb_in_region(d, f, u))
            return "rigo_region";
    return NULL;
}

static lb_status units_layer(lb_ctx *ctx, const wb_result *r, lb_table **out)
{
    const wb_data *d = r->data;
    const lb_scoreset *s = d->s;
    size_t n = 0;
    for (size_t u = 0; u < d->n; u++)
        n += lb_zunits_has(d->zu, u);
    tb b = {ctx, NULL, lb_table_create(ctx, n, &b.t)};
    lb_column *c_id = col(&b, "id", LB_COL_TEXT, -1), *c_name = col(&b, "name", LB_COL_TEXT, -1),
              *c_gm = col(&b, "gm_code", LB_COL_TEXT, -1),
              *c_focus = col(&b, "focus_id", LB_COL_TEXT, -1),
              *c_mem = col(&b, "member", LB_COL_INT, -1),
              *c_mask = col(&b, "masked", LB_COL_INT, -1),
              *c_dist = col(&b, "distance_m", LB_COL_REAL, 1),
              *c_ring = col(&b, "ring", LB_COL_TEXT, -1),
              *c_adj = col(&b, "adj_order", LB_COL_INT, -1),
              *c_adjf = col(&b, "adj_focus_id", LB_COL_TEXT, -1),
              *c_rigo = col(&b, "rigo", LB_COL_TEXT, -1),
              *c_far = col(&b, "far_control", LB_COL_INT, -1),
              *c_reg = col(&b, "region", LB_COL_TEXT, -1);
    size_t i = 0;
    for (size_t u = 0; u < d->n && b.st == LB_OK; u++) {
        if (!lb_zunits_has(d->zu, u))
            continue;
        set_text(&b, c_id, i, s->id[u]);
        set_text(&b, c_name, i, s->name ? s->name[u] : NULL);
        set_text(&b, c_gm, i, d->unit_gm[u] >= 0 ? d->gm_names[d->unit_gm[u]] : NULL);
        int f = -1;
        for (size_t k = 0; k < d->n_focus && f < 0; k++)
            for (size_t m = 0; m < d->focus[k].n_members && f < 0; m++)
                if (d->focus[k].members[m] == u)
                    f = (int)k;
        if (f < 0)
            f = d->near[u];
        set_text(&b, c_focus, i, f >= 0 ? d->focus[f].id : NULL);
        set_int(c_mem, i, d->member[u]);
        set_int(c_mask, i, d->masked[u]);
        set_real(c_dist, i, d->member[u] ? 0.0 : d->near_d[u]);
        set_text(&b, c_ring, i, ring_label(d, u));
        if (d->adj[u] > 0 && d->adj[u] <= d->n_adj) {
            set_int(c_adj, i, d->adj[u]);
            set_text(&b, c_adjf, i, d->focus[d->adj_focus[u]].id);
        }
        set_text(&b, c_rigo, i, rigo_label(d, u));
        int far = 0;
        for (size_t k = 0; k < d->n_focus && !far; k++)
            far = d->beyond[u] && wb_in_region(d, k, u);
        set_int(c_far, i, far);
        if (d->region == LB_WB_REGION_TABLE && d->unit_region[u] >= 0)
            set_text(&b, c_reg, i, d->region_names[d->unit_region[u]]);
        if (b.st == LB_OK)
            b.st = copy_wkb(ctx, b.t, i, s->geom->wkb[s->geom_row[u]],
                            s->geom->wkb_size[s->geom_row[u]]);
        i++;
    }
    return tb_finish(&b, out);
}

static lb_status focus_layer(lb_ctx *ctx, const wb_result *r, lb_table **out)
{
    const wb_data *d = r->data;
    const wb_panel *p0 = &r->panels[0];
    tb b = {ctx, NULL, lb_table_create(ctx, d->n_focus, &b.t)};
    lb_column *c_id = col(&b, "id", LB_COL_TEXT, -1), *c_name = col(&b, "name", LB_COL_TEXT, -1),
              *c_gm = col(&b, "gemeente", LB_COL_TEXT, -1),
              *c_reg = col(&b, "region", LB_COL_TEXT, -1),
              *c_n = col(&b, "n_units", LB_COL_INT, -1),
              *c_area = col(&b, "area_m2", LB_COL_REAL, 0),
              *c_w = col(&b, "weight_t0", LB_COL_REAL, 2),
              *c_lbm = col(&b, "lbm_t0", LB_COL_REAL, 6),
              *c_pm = col(&b, "placebo_method", LB_COL_TEXT, -1),
              *c_cand = col(&b, "placebo_candidates", LB_COL_INT, -1),
              *c_fit = col(&b, "placebo_areas_fit", LB_COL_INT, -1);
    for (size_t f = 0; f < d->n_focus && b.st == LB_OK; f++) {
        const wb_area *a = &d->focus[f];
        set_text(&b, c_id, f, a->id);
        set_text(&b, c_name, f, a->name);
        set_text(&b, c_gm, f, a->gemeente);
        if (d->region == LB_WB_REGION_TABLE && d->focus_region[f] >= 0)
            set_text(&b, c_reg, f, d->region_names[d->focus_region[f]]);
        set_int(c_n, f, (long long)a->n_members);
        set_real(c_area, f, a->area_m2);
        double w = 0.0, wl = 0.0;
        for (size_t m = 0; m < a->n_members; m++) {
            size_t u = a->members[m];
            if (p0->w[u] > 0.0 && isfinite(p0->s0[u])) {
                w += p0->w[u];
                wl += p0->w[u] * p0->s0[u];
            }
        }
        set_real(c_w, f, w);
        set_real(c_lbm, f, w > 0.0 ? wl / w : NAN);
        const wb_placebo *pl = &r->placebo[f];
        if (pl->method != LB_WB_PLACEBO_AUTO)
            set_text(&b, c_pm, f, placebo_method_name(pl->method));
        if (r->n_placebo_req > 0 && r->placebo_mode != LB_WB_PLACEBO_UNITS) {
            set_int(c_cand, f, (long long)pl->n_candidates);
            set_int(c_fit, f, (long long)pl->n_areas);
        }
        if (b.st == LB_OK)
            b.st = copy_wkb(ctx, b.t, f, a->wkb, a->wkb_size);
    }
    return tb_finish(&b, out);
}

static lb_status placebo_layer(lb_ctx *ctx, const wb_result *r, lb_table **out)
{
    const wb_data *d = r->data;
    size_t n = 0;
    for (size_t f = 0; f < d->n_focus; f++)
        n += r->placebo[f].m_areas;
    tb b = {ctx, NULL, lb_table_create(ctx, n, &b.t)};
    lb_column *c_f = col(&b, "focus_id", LB_COL_TEXT, -1),
              *c_k = col(&b, "placebo", LB_COL_INT, -1), *c_n = col(&b, "n_units", LB_COL_INT, -1),
              *c_w = col(&b, "weight_t0", LB_COL_REAL, 2), *c_l = col(&b, "lbm_t0", LB_COL_REAL, 6),
              *c_u = col(&b, "units", LB_COL_TEXT, -1);
    size_t i = 0;
    for (size_t f = 0; f < d->n_focus && b.st == LB_OK; f++) {
        const wb_placebo *pl = &r->placebo[f];
        for (size_t m = 0; m < pl->m_areas && b.st == LB_OK; m++, i++) {
            set_text(&b, c_f, i, d->focus[f].id);
            set_int(c_k, i, (long long)m + 1);
            set_int(c_n, i, (long long)pl->n_members[m]);
            set_real(c_w, i, pl->pop[m]);
            set_real(c_l, i, pl->score[m]);
            size_t len = 1;
            for (size_t j = 0; j < pl->n_members[m]; j++)
                len += strlen(d->s->id[pl->members[m][j]]) + 1;
            char *txt = malloc(len);
            if (!txt) {
                b.st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
                break;
            }
            txt[0] = '\0';
            for (size_t j = 0; j < pl->n_members[m]; j++) {
                if (j)
                    strcat(txt, "|");
                strcat(txt, d->s->id[pl->members[m][j]]);
            }
            c_u->text[i] = txt;
        }
    }
    return tb_finish(&b, out);
}

static struct json_object *jstr(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static struct json_object *options_json(const wb_result *r, const lb_waterbed_options *o)
{
    const wb_data *d = r->data;
    struct json_object *j = json_object_new_object();
    json_object_object_add(j, "run_label", jstr(o->run_label));
    json_object_object_add(j, "focus", jstr(o->focus_path));
    json_object_object_add(j, "focus_layer", jstr(o->focus_layer));
    json_object_object_add(j, "focus_where", jstr(o->focus_where));
    json_object_object_add(j, "focus_id_field", jstr(o->focus_id_field));
    json_object_object_add(j, "focus_name_field", jstr(o->focus_name_field));
    json_object_object_add(j, "focus_gemeente_field", jstr(o->focus_gemeente_field));
    json_object_object_add(j, "focus_codes_field", jstr(o->focus_codes_field));
    struct json_object *fc = json_object_new_array();
    for (size_t i = 0; i < o->n_focus_codes; i++)
        json_object_array_add(fc, json_object_new_string(o->focus_codes[i]));
    json_object_object_add(j, "focus_codes", fc);
    json_object_object_add(j, "focus_min_share", json_object_new_double(o->focus_min_share));
    json_object_object_add(j, "mask", jstr(o->mask_path));
    json_object_object_add(j, "mask_layer", jstr(o->mask_layer));
    struct json_object *mc = json_object_new_array();
    for (size_t i = 0; i < o->n_mask_codes; i++)
        json_object_array_add(mc, json_object_new_string(o->mask_codes[i]));
    json_object_object_add(j, "mask_codes", mc);
    json_object_object_add(j, "region", json_object_new_string(region_name(o->region)));
    json_object_object_add(j, "region_used", json_object_new_string(region_name(d->region)));
    json_object_object_add(j, "region_table", jstr(o->region_table));
    json_object_object_add(j, "region_radius_m", json_object_new_double(o->region_radius_m));
    struct json_object *per = json_object_new_array();
    for (size_t p = 0; p < r->n_panels; p++) {
        struct json_object *x = json_object_new_object();
        json_object_object_add(x, "t0", json_object_new_int(r->panels[p].t0));
        json_object_object_add(x, "t1", json_object_new_int(r->panels[p].t1));
        json_object_object_add(x, "role",
                               json_object_new_string(r->panels[p].pretrend ? "pretrend" : "main"));
        json_object_array_add(per, x);
    }
    json_object_object_add(j, "periods", per);
    json_object_object_add(j, "pretrend", json_object_new_boolean(o->pretrend));
    struct json_object *rings = json_object_new_array();
    for (size_t i = 0; i < d->n_rings; i++)
        json_object_array_add(rings, json_object_new_double(d->rings[i]));
    json_object_object_add(j, "rings_m", rings);
    json_object_object_add(
        j, "distance",
        json_object_new_string(o->distance == LB_WB_DIST_CENTROID ? "centroid" : "polygon"));
    json_object_object_add(j, "adjacency_tol_m", json_object_new_double(o->adjacency_tol_m));
    json_object_object_add(j, "adjacency_orders", json_object_new_int(o->adjacency_orders));
    json_object_object_add(j, "rigo", json_object_new_boolean(d->rigo));
    static const char *const wn[] = {"auto", "source", "unit", "area"};
    json_object_object_add(j, "weight", json_object_new_string(wn[o->weight]));
    json_object_object_add(j, "weight_used", json_object_new_string(r->weight_used));
    json_object_object_add(j, "k1", json_object_new_double(o->k1));
    json_object_object_add(j, "k2", json_object_new_double(o->k2));
    json_object_object_add(j, "receiving_class", json_object_new_int(o->receiving_class));
    json_object_object_add(j, "min_control", json_object_new_int(o->min_control));
    json_object_object_add(j, "seed", json_object_new_int64((int64_t)o->seed));
    json_object_object_add(j, "rng", json_object_new_string("gsl_rng_mt19937"));
    json_object_object_add(j, "placebo_mode",
                           json_object_new_string(placebo_method_name(o->placebo_mode)));
    json_object_object_add(j, "placebos", json_object_new_int(o->n_placebo));
    json_object_object_add(j, "placebo_buffer_m", json_object_new_double(r->placebo_buffer_m));
    json_object_object_add(j, "placebo_pool", json_object_new_int(o->placebo_pool));
    json_object_object_add(j, "bootstrap", json_object_new_int(o->n_boot));
    json_object_object_add(j, "cluster", json_object_new_string(cluster_name(o->cluster)));
    json_object_object_add(j, "cluster_used", json_object_new_string(cluster_name(r->cluster)));
    json_object_object_add(
        j, "boot_weights",
        json_object_new_string(o->boot_weights == LB_WB_BOOT_WEBB ? "webb" : "rademacher"));
    json_object_object_add(j, "ci_level", json_object_new_double(o->ci_level));
    json_object_object_add(j, "ci_method",
                           json_object_new_string("inverted restricted wild cluster bootstrap "
                                                  "(WCR) test, symmetric, bisection over the null "
                                                  "value with the same draws"));
    struct json_object *pm = json_object_new_array();
    if (o->pooled_models & LB_WB_POOLED_RING)
        json_object_array_add(pm, json_object_new_string("ring"));
    if (o->pooled_models & LB_WB_POOLED_ADJ)
        json_object_array_add(pm, json_object_new_string("adjacency"));
    json_object_object_add(j, "pooled_models", pm);
    json_object_object_add(j, "pooled_fe", json_object_new_string(wb_fe_name(o->pooled_fe)));
    json_object_object_add(j, "se", json_object_new_string("CRV1"));
    static const char *const mn[] = {"lbm", "quantiles", "breaks"};
    json_object_object_add(j, "match_classes", json_object_new_string(mn[o->match]));
    json_object_object_add(j, "match_quantiles",
                           o->match == LB_WB_MATCH_QUANTILES ? json_object_new_int(o->match_n)
                                                             : NULL);
    struct json_object *mb = json_object_new_array();
    for (size_t p = 0; p < r->n_panels; p++) {
        struct json_object *x = json_object_new_object(), *v = json_object_new_array();
        json_object_object_add(x, "t0", json_object_new_int(r->panels[p].t0));
        json_object_object_add(x, "t1", json_object_new_int(r->panels[p].t1));
        for (size_t i = 0; i < r->panels[p].n_breaks; i++)
            json_object_array_add(v, json_object_new_double(r->panels[p].breaks[i]));
        json_object_object_add(x, "breaks", v);
        json_object_array_add(mb, x);
    }
    json_object_object_add(j, "match_breaks", mb);
    static const char *const bn[] = {"zone", "period", "run"};
    json_object_object_add(j, "bh_family", json_object_new_string(bn[o->bh_family]));
    json_object_object_add(j, "placebo_seeding",
                           json_object_new_string("per focus area and period (pseudo areas), per "
                                                  "focus area, period and outcome (re-assigned "
                                                  "units)"));
    char sep[2] = {o->csv_sep == ';' ? ';' : ',', '\0'};
    /* replaced by the separator and precision the files are written with */
    json_object_object_add(j, "csv_sep", json_object_new_string(sep));
    json_object_object_add(j, "full_precision", json_object_new_boolean(o->full_precision));
    return j;
}

struct json_object *wb_run_json(lb_ctx *ctx, const wb_result *r, const lb_waterbed_options *o,
                                double seconds)
{
    const wb_data *d = r->data;
    /* the shared head: "tool" was "leefbaar waterbed" and "libraries" were missing */
    struct json_object *doc = lb_provenance_begin("waterbed", o->command_line);
    if (!doc)
        return NULL;
    const char **in = calloc(o->n_scores + 3, sizeof(char *));
    size_t n_in = 0;
    for (size_t i = 0; in && i < o->n_scores; i++)
        in[n_in++] = o->scores[i].path;
    if (in) {
        in[n_in++] = o->focus_path;
        in[n_in++] = o->mask_path;
        in[n_in++] = o->region_table;
    }
    if (!in || lb_provenance_inputs(ctx, doc, in, n_in) != LB_OK) {
        free(in);
        json_object_put(doc);
        return NULL;
    }
    free(in);
    struct json_object *src = json_object_new_array();
    for (size_t i = 0; i < o->n_scores; i++) {
        const lb_score_source *s = &o->scores[i];
        struct json_object *x = json_object_new_object();
        json_object_object_add(x, "path", jstr(s->path));
        json_object_object_add(x, "layer", jstr(s->layer));
        json_object_object_add(x, "id_field", jstr(s->id_field));
        json_object_object_add(x, "geometry", jstr(s->geometry));
        json_object_array_add(src, x);
    }
    json_object_object_add(doc, "scores", src);
    json_object_object_add(doc, "scores_description", jstr(d->s->description));
    json_object_object_add(doc, "options", options_json(r, o));
    struct json_object *counts = json_object_new_object();
    json_object_object_add(counts, "units", json_object_new_int64((int64_t)d->n));
    json_object_object_add(counts, "units_without_polygon",
                           json_object_new_int64((int64_t)d->n_nogeom));
    json_object_object_add(counts, "units_masked", json_object_new_int64((int64_t)d->n_masked));
    json_object_object_add(counts, "focus_areas", json_object_new_int64((int64_t)d->n_focus));
    json_object_object_add(counts, "rows", json_object_new_int64((int64_t)r->n_rows));
    json_object_object_add(doc, "counts", counts);
    struct json_object *fa = json_object_new_array();
    for (size_t f = 0; f < d->n_focus; f++) {
        struct json_object *x = json_object_new_object();
        json_object_object_add(x, "id", json_object_new_string(d->focus[f].id));
        json_object_object_add(x, "name", jstr(d->focus[f].name));
        json_object_object_add(x, "gemeente", jstr(d->focus[f].gemeente));
        json_object_object_add(x, "units", json_object_new_int64((int64_t)d->focus[f].n_members));
        const wb_placebo *pl = &r->placebo[f];
        json_object_object_add(x, "placebo_method",
                               pl->method == LB_WB_PLACEBO_AUTO
                                   ? NULL
                                   : json_object_new_string(placebo_method_name(pl->method)));
        int areas = r->n_placebo_req > 0 && r->placebo_mode != LB_WB_PLACEBO_UNITS;
        json_object_object_add(x, "placebo_candidates",
                               areas ? json_object_new_int64((int64_t)pl->n_candidates) : NULL);
        json_object_object_add(x, "placebo_areas_fit",
                               areas ? json_object_new_int64((int64_t)pl->n_areas) : NULL);
        json_object_object_add(x, "placebo_draws", json_object_new_int64((int64_t)pl->m));
        json_object_array_add(fa, x);
    }
    json_object_object_add(doc, "focus_areas", fa);
    /* how waterbed_summary.csv and waterbed.html narrow the tables and flag their rows */
    struct json_object *sm = json_object_new_object();
    json_object_object_add(sm, "outcome", json_object_new_string(WB_SUMMARY_OUTCOME));
    json_object_object_add(sm, "alpha", json_object_new_double(WB_SUMMARY_ALPHA));
    json_object_object_add(sm, "flag_areas",
                           json_object_new_string("q_displacement or q_diffusion <= alpha"));
    json_object_object_add(
        sm, "flag_pooled",
        json_object_new_string("95 % CI excludes 0 (else two-sided bootstrap p <= alpha)"));
    json_object_object_add(sm, "placebo_interval",
                           json_object_new_string("2.5th and 97.5th percentile of the placebo "
                                                  "DiDs"));
    json_object_object_add(doc, "summary", sm);
    struct json_object *outs = json_object_new_array();
    const char *files[] = {"waterbed.csv",  "waterbed_pooled.csv", "waterbed_summary.csv",
                           "waterbed.html", "waterbed.md",         "zones.gpkg",
                           "run.json"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        json_object_array_add(outs, json_object_new_string(files[i]));
    json_object_object_add(doc, "outputs", outs);
    json_object_object_add(doc, "seconds", json_object_new_double(round(seconds * 1e3) / 1e3));
    struct json_object *tm = json_object_new_object();
    const double t[4] = {r->t_zones, r->t_placebo, r->t_rows, r->t_pooled};
    const char *tn[4] = {"zones", "placebos", "statistics", "pooled_regression"};
    for (int i = 0; i < 4; i++)
        json_object_object_add(tm, tn[i], json_object_new_double(round(t[i] * 1e3) / 1e3));
    json_object_object_add(doc, "cpu_seconds", tm);
    if (lb_provenance_end(ctx, doc, NULL, 0, NULL, NULL) != LB_OK) {
        json_object_put(doc);
        return NULL;
    }
    return doc;
}

lb_status wb_tables(lb_ctx *ctx, const wb_result *r, const lb_waterbed_options *o, lb_result *res)
{
    lb_table *t = NULL;
    lb_status st = main_table(ctx, r, o, &t);
    if (st == LB_OK)
        st = lb_result_add_table(ctx, res, "waterbed", t);
    if (st == LB_OK)
        st = pooled_table(ctx, r, o, &t);
    if (st == LB_OK)
        st = lb_result_add_table(ctx, res, "waterbed_pooled", t);
    if (st == LB_OK)
        st = wb_summary_table(ctx, lb_result_table_by_name(res, "waterbed"),
                              lb_result_table_by_name(res, "waterbed_pooled"), &t);
    if (st == LB_OK)
        st = lb_result_add_table(ctx, res, "waterbed_summary", t);
    lb_status (*const layers[])(lb_ctx *, const wb_result *,
                                lb_table **) = {units_layer, focus_layer, placebo_layer};
    const char *names[] = {"units", "focus", "placebos"};
    for (size_t i = 0; i < 3 && st == LB_OK; i++) {
        st = layers[i](ctx, r, &t);
        if (st == LB_OK)
            st = lb_result_add_table(ctx, res, names[i], t);
    }
    return st;
}

lb_status wb_write_files(lb_ctx *ctx, const lb_result *res, const char *dir, char csv_sep,
                         int full_precision, struct json_object *doc)
{
    const lb_table *main = lb_result_table_by_name(res, "waterbed");
    const lb_table *pooled = lb_result_table_by_name(res, "waterbed_pooled");
    const lb_table *summary = lb_result_table_by_name(res, "waterbed_summary");
    lb_status st = main && pooled && summary
                       ? LB_OK
                       : lb_ctx_error(ctx, LB_ERR_INTERNAL, "waterbed: no tables");
    if (st == LB_OK)
        st = write_csv(ctx, main, dir, "waterbed.csv", csv_sep, full_precision);
    if (st == LB_OK)
        st = write_csv(ctx, pooled, dir, "waterbed_pooled.csv", csv_sep, full_precision);
    if (st == LB_OK)
        st = write_csv(ctx, summary, dir, "waterbed_summary.csv", csv_sep, full_precision);
    if (st == LB_OK)
        st = wb_report_write(ctx, res, doc, dir);
    char *gpkg = st == LB_OK ? lb_core_strfmt("%s/zones.gpkg", dir) : NULL;
    if (st == LB_OK && !gpkg)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const char *names[] = {"units", "focus", "placebos"};
    for (size_t i = 0; i < 3 && st == LB_OK; i++) {
        lb_vector_opts vo = {LB_FMT_GPKG, names[i], 0, ',', 0};
        const lb_table *t = lb_result_table_by_name(res, names[i]);
        st = t ? lb_write_vector(ctx, gpkg, t, &vo)
               : lb_ctx_error(ctx, LB_ERR_INTERNAL, "waterbed: no table '%s'", names[i]);
    }
    if (st == LB_OK) /* QGIS opens the zones styled */
        st = lb_waterbed_style_zones(ctx, gpkg, lb_result_table_by_name(res, "units"));
    free(gpkg);
    if (st == LB_OK) {
        char *path = lb_core_strfmt("%s/run.json", dir);
        st =
            path ? lb_write_json(ctx, path, doc) : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        free(path);
    }
    return st;
}
