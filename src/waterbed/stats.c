/* SPDX-License-Identifier: MIT */
/* Zone statistics: weighted means, DiD against a class-mix re-weighted control, lagging shares,
 * the score WDQ; plus the classic count formulas (WDQ, WDD) and Benjamini–Hochberg. */
#include "stats.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void wb_acc_sub(wb_acc *a, const wb_acc *b)
{
    for (int c = 0; c <= LB_N_CLASSES; c++) {
        a->w[c] -= b->w[c];
        a->wd[c] -= b->wd[c];
        a->cnt[c] -= b->cnt[c];
    }
    a->n -= b->n;
}

double wb_acc_wsum(const wb_acc *a)
{
    double s = 0.0;
    for (int c = 1; c <= LB_N_CLASSES; c++)
        s += a->w[c];
    return s;
}

double wb_acc_mean(const wb_acc *a)
{
    double w = 0.0, wd = 0.0;
    for (int c = 1; c <= LB_N_CLASSES; c++) {
        w += a->w[c];
        wd += a->wd[c];
    }
    return a->n > 0 && w > 0.0 ? wd / w : NAN;
}

double wb_ctrl_delta(const wb_acc *zone, const wb_acc *ctrl, size_t min_n)
{
    double wz = wb_acc_wsum(zone);
    if (zone->n == 0 || ctrl->n == 0 || !(wz > 0.0))
        return NAN;
    if (min_n < 1)
        min_n = 1;
    double out = 0.0;
    for (int c = 1; c <= LB_N_CLASSES; c++) {
        if (!(zone->w[c] > 0.0))
            continue;
        int lo = c, hi = c;
        size_t cnt = ctrl->cnt[c];
        while (cnt < min_n && (lo > 1 || hi < LB_N_CLASSES)) {
            if (lo > 1 && (hi == LB_N_CLASSES || c - lo <= hi - c))
                cnt += ctrl->cnt[--lo];
            else
                cnt += ctrl->cnt[++hi];
        }
        double w = 0.0, wd = 0.0;
        for (int k = lo; k <= hi; k++) {
            w += ctrl->w[k];
            wd += ctrl->wd[k];
        }
        if (cnt == 0 || !(w > 0.0))
            return NAN;
        out += zone->w[c] / wz * (wd / w);
    }
    return out;
}

void wb_acc_units(const wb_obs *o, const size_t *units, size_t n, wb_acc *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        if (wb_obs_ok(o, u))
            wb_acc_add(out, o->cls[u], o->w[u], o->s1[u] - o->s0[u]);
    }
}

void wb_trend(const wb_obs *o, const size_t *units, size_t n, double *trend, double *sd)
{
    double w = 0.0, wd = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        if (wb_obs_ok(o, u)) {
            w += o->w[u];
            wd += o->w[u] * (o->s1[u] - o->s0[u]);
        }
    }
    if (!(w > 0.0)) {
        *trend = *sd = NAN;
        return;
    }
    double t = wd / w, ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        if (wb_obs_ok(o, u)) {
            double d = o->s1[u] - o->s0[u] - t;
            ss += o->w[u] * d * d;
        }
    }
    *trend = t;
    *sd = sqrt(ss / w);
}

void wb_zone_stat(const wb_obs *o, const size_t *units, size_t n, const wb_acc *ctrl, double trend,
                  double sd, const wb_params *par, wb_zstat *out)
{
    wb_zstat z = {0};
    wb_acc acc;
    memset(&acc, 0, sizeof(acc));
    double w0 = 0.0, w1 = 0.0, wrel = 0.0, wlag = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t u = units[i];
        if (!wb_obs_ok(o, u))
            continue;
        double w = o->w[u], delta = o->s1[u] - o->s0[u], d = delta - trend;
        z.n++;
        z.wsum += w;
        w0 += w * o->s0[u];
        w1 += w * o->s1[u];
        wrel += w * d;
        wb_acc_add(&acc, o->cls[u], w, delta);
        if (sd > 0.0 && d < -par->k1 * sd)
            wlag += w;
        if ((o->lcls ? o->lcls[u] : o->cls[u]) <= par->receiving_class) {
            z.n_receiving++;
            if (sd > 0.0 && d / sd < -par->k2)
                z.n_k2++;
        }
    }
    if (z.n == 0) {
        z.mean0 = z.mean1 = z.delta = z.rel_delta = z.delta_ctrl = z.did = z.share_k1 = NAN;
        z.delta_ctrl_plain = z.did_plain = NAN;
        *out = z;
        return;
    }
    z.mean0 = w0 / z.wsum;
    z.mean1 = w1 / z.wsum;
    z.delta = z.mean1 - z.mean0;
    z.rel_delta = isfinite(trend) ? wrel / z.wsum : NAN;
    z.share_k1 = sd > 0.0 ? wlag / z.wsum : NAN;
    z.delta_ctrl = ctrl ? wb_ctrl_delta(&acc, ctrl, par->min_control) : NAN;
    z.did = z.delta - z.delta_ctrl;
    z.delta_ctrl_plain = ctrl ? wb_acc_mean(ctrl) : NAN;
    z.did_plain = z.delta - z.delta_ctrl_plain;
    *out = z;
}

double wb_wdq_scores(double did_zone, double did_focus)
{
    if (!(did_focus > 0.0) || !isfinite(did_zone))
        return NAN;
    return did_zone / did_focus;
}

lb_status lb_wdq_counts(lb_ctx *ctx, double rb, double ra, double db, double da, double cb,
                        double ca, lb_wdq_result *out)
{
    if (!out || !(cb > 0.0) || !(ca > 0.0) || !(rb >= 0.0) || !(ra >= 0.0) || !(db >= 0.0) ||
        !(da >= 0.0))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "WDQ: counts must be >= 0 and the control counts > 0 (got Rb=%g Ra=%g "
                            "Db=%g Da=%g Cb=%g Ca=%g)",
                            rb, ra, db, da, cb, ca);
    lb_wdq_result r;
    r.gross_effect = rb - ra;
    r.net_effect = rb / cb - ra / ca;
    r.success = ra / ca - rb / cb;
    r.buffer = da / ca - db / cb;
    r.wdq = r.success != 0.0 ? r.buffer / r.success : NAN;
    r.total_net = (rb * ca / cb - ra) + (db * ca / cb - da);
    *out = r;
    return LB_OK;
}

lb_status lb_wdd(lb_ctx *ctx, const double treated[2], const double control[2],
                 const double disp[2], const double disp_control[2], double pre_len,
                 double post_len, lb_wdd_result *out)
{
    if (!out || !treated || !control || !(pre_len > 0.0) || !(post_len > 0.0))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "WDD: treated and control counts and positive period "
                            "lengths are required");
    const double zero[2] = {0.0, 0.0};
    const double *c4[4] = {treated, control, disp ? disp : zero,
                           disp_control ? disp_control : zero};
    for (int k = 0; k < 4; k++)
        if (!(c4[k][0] >= 0.0) || !(c4[k][1] >= 0.0))
            return lb_ctx_error(ctx, LB_ERR_ARG, "WDD: counts must be >= 0");
    /* Wheeler & Ratcliffe (2018): ΔT − ΔC + ΔD − ΔCD, counts per unit of time; a Poisson count
     * X scaled by 1/L has variance X/L². */
    double delta[4], var = 0.0;
    for (int k = 0; k < 4; k++) {
        delta[k] = c4[k][1] / post_len - c4[k][0] / pre_len;
        var += c4[k][0] / (pre_len * pre_len) + c4[k][1] / (post_len * post_len);
    }
    lb_wdd_result r;
    r.estimate = delta[0] - delta[1] + delta[2] - delta[3];
    r.variance = var;
    r.se = sqrt(var);
    r.z = r.se > 0.0 ? r.estimate / r.se : NAN;
    *out = r;
    return LB_OK;
}

typedef struct pidx {
    double p;
    size_t i;
} pidx;

static int cmp_pidx(const void *a, const void *b)
{
    const pidx *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

lb_status lb_bh_qvalues(lb_ctx *ctx, const double *p, size_t n, double *q)
{
    pidx *v = malloc((n ? n : 1) * sizeof(*v));
    if (!v)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for q-values");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        q[i] = NAN;
        if (isnan(p[i]))
            continue;
        if (p[i] < 0.0 || p[i] > 1.0) {
            free(v);
            return lb_ctx_error(ctx, LB_ERR_ARG, "q-values: p-value %zu is %g, outside [0, 1]", i,
                                p[i]);
        }
        v[m++] = (pidx){p[i], i};
    }
    qsort(v, m, sizeof(*v), cmp_pidx);
    /* step-up: q_(k) = min_{j >= k} p_(j)·m/j, capped at 1 */
    double run = 1.0;
    for (size_t k = m; k-- > 0;) {
        double val = v[k].p * (double)m / (double)(k + 1);
        if (val < run)
            run = val;
        q[v[k].i] = run;
    }
    free(v);
    return LB_OK;
}

int wb_class_of(double x, const double *breaks, size_t n_breaks)
{
    if (!isfinite(x))
        return 0;
    int c = 1;
    for (size_t j = 0; j < n_breaks; j++)
        c += x >= breaks[j];
    return c;
}

typedef struct xw {
    double x, w;
} xw;

static int cmp_xw(const void *a, const void *b)
{
    const xw *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

lb_status wb_quantile_breaks(lb_ctx *ctx, const double *x, const double *w, size_t n, int n_cls,
                             double *breaks, size_t *n_out)
{
    *n_out = 0;
    if (n_cls < 2 || n_cls > LB_N_CLASSES)
        return lb_ctx_error(ctx, LB_ERR_ARG, "matching classes: %d quantile classes (2..%d)", n_cls,
                            LB_N_CLASSES);
    xw *v = malloc((n ? n : 1) * sizeof(*v));
    if (!v)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for quantile classes");
    size_t m = 0;
    double tot = 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && w[i] > 0.0 && isfinite(w[i])) {
            v[m++] = (xw){x[i], w[i]};
            tot += w[i];
        }
    qsort(v, m, sizeof(*v), cmp_xw);
    /* walk up: below = weight of the units strictly below v[k].x */
    double below = 0.0;
    size_t k = 0;
    for (int i = 1; i < n_cls && m > 0; i++) {
        double target = tot * (double)i / (double)n_cls;
        while (k < m && below < target * (1.0 - 1e-12)) {
            double xk = v[k].x;
            while (k < m && v[k].x == xk) /* ties stay in one class */
                below += v[k++].w;
        }
        if (k >= m)
            break;
        if (*n_out == 0 || v[k].x > breaks[*n_out - 1])
            breaks[(*n_out)++] = v[k].x;
    }
    free(v);
    return LB_OK;
}
