/* SPDX-License-Identifier: MIT */
/* Model arithmetic: C_d = Σ β f(x), M_d weighted reference mean, dev = C − M, afw, lbm, classes. */
#include "score.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

lb_status lb_reference_alloc(lb_ctx *ctx, size_t n_dims, size_t n_ind, lb_reference *r)
{
    memset(r, 0, sizeof(*r));
    r->n_dims = n_dims;
    r->n_ind = n_ind;
    r->means = calloc(n_dims ? n_dims : 1, sizeof(double));
    r->ind_mean = calloc(n_ind ? n_ind : 1, sizeof(double));
    r->ind_sd = calloc(n_ind ? n_ind : 1, sizeof(double));
    if (!r->means || !r->ind_mean || !r->ind_sd) {
        lb_reference_free(r);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    return LB_OK;
}

void lb_reference_free(lb_reference *r)
{
    if (!r)
        return;
    free(r->means);
    free(r->ind_mean);
    free(r->ind_sd);
    memset(r, 0, sizeof(*r));
}

lb_status lb_scores_alloc(lb_ctx *ctx, size_t n, size_t n_dims, lb_scores *s)
{
    memset(s, 0, sizeof(*s));
    s->n = n;
    s->n_dims = n_dims;
    size_t nn = n ? n : 1;
    s->dev = calloc(n_dims ? n_dims : 1, sizeof(double *));
    s->kdim = calloc(n_dims ? n_dims : 1, sizeof(unsigned char *));
    s->afw = malloc(nn * sizeof(double));
    s->lbm = malloc(nn * sizeof(double));
    s->kscore = calloc(nn, 1);
    s->n_imputed = calloc(nn, sizeof(int));
    s->flags = calloc(nn, sizeof(int));
    int ok = s->dev && s->kdim && s->afw && s->lbm && s->kscore && s->n_imputed && s->flags;
    for (size_t d = 0; ok && d < n_dims; d++) {
        s->dev[d] = malloc(nn * sizeof(double));
        s->kdim[d] = calloc(nn, 1);
        ok = s->dev[d] && s->kdim[d];
        for (size_t u = 0; ok && u < n; u++)
            s->dev[d][u] = NAN;
    }
    if (!ok) {
        lb_scores_free(s);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for scores of %zu units", n);
    }
    for (size_t u = 0; u < n; u++)
        s->afw[u] = s->lbm[u] = NAN;
    return LB_OK;
}

void lb_scores_free(lb_scores *s)
{
    if (!s)
        return;
    for (size_t d = 0; s->dev && d < s->n_dims; d++)
        free(s->dev[d]);
    for (size_t d = 0; s->kdim && d < s->n_dims; d++)
        free(s->kdim[d]);
    free(s->dev);
    free(s->kdim);
    free(s->afw);
    free(s->lbm);
    free(s->kscore);
    free(s->n_imputed);
    free(s->flags);
    memset(s, 0, sizeof(*s));
}

static double piecewise(const lb_transform *tf, double x)
{
    size_t n = tf->n_pieces;
    if (x <= tf->breaks[0])
        return tf->values[0];
    if (x >= tf->breaks[n - 1])
        return tf->values[n - 1];
    size_t k = 1;
    while (x > tf->breaks[k])
        k++;
    double t = (x - tf->breaks[k - 1]) / (tf->breaks[k] - tf->breaks[k - 1]);
    return tf->values[k - 1] + t * (tf->values[k] - tf->values[k - 1]);
}

double lb_model_transform_pre(const lb_transform *tf, double x)
{
    if (isnan(x))
        return NAN;
    if (tf->has_cap)
        x = fmin(fmax(x, tf->cap_lo), tf->cap_hi);
    if (tf->log1p) {
        if (x <= -1.0)
            return NAN;
        x = log1p(x);
    }
    if (tf->n_pieces >= 2)
        x = piecewise(tf, x);
    if (tf->has_dummy)
        x = tf->dummy_above ? (x >= tf->dummy_threshold ? 1.0 : 0.0)
                            : (x <= tf->dummy_threshold ? 1.0 : 0.0);
    return x;
}

double lb_model_contribution(const lb_indicator *ind, double f, double mean, double sd)
{
    double v = isnan(f) ? mean : f;
    if (ind->tf.zscore)
        v = sd > 0.0 ? (v - mean) / sd : 0.0;
    return ind->coef * v;
}

int lb_model_classify(double v, const double *thresholds, size_t n)
{
    if (isnan(v))
        return 0;
    int k = 1;
    for (size_t i = 0; i < n; i++)
        if (v >= thresholds[i])
            k++;
    return k;
}

void lb_model_default_bands(const lb_model *m, double bands[LB_N_THRESHOLDS])
{
    /* Symmetric about 0, so that the middle class is "no deviation" and a dimension map reads
     * like the Leefbaarometer's dimension maps (below / around / above the reference). Widths
     * grow outwards to cover dimension spreads of about 0.05–0.13 (DESIGN.md §6). */
    static const double sym[LB_N_THRESHOLDS] = {-0.20, -0.10, -0.05, -0.02, 0.02, 0.05, 0.10, 0.20};
    (void)m;
    memcpy(bands, sym, sizeof(sym));
}

void lb_scores_finish(const lb_model *m, double ref, lb_scores *s)
{
    for (size_t d = 0; d < s->n_dims; d++) {
        double bands[LB_N_THRESHOLDS];
        if (m->dims[d].has_bands)
            memcpy(bands, m->dims[d].bands, sizeof(bands));
        else
            lb_model_default_bands(m, bands);
        for (size_t u = 0; u < s->n; u++)
            s->kdim[d][u] = (unsigned char)lb_model_classify(s->dev[d][u], bands, LB_N_THRESHOLDS);
    }
    for (size_t u = 0; u < s->n; u++) {
        double afw = 0.0;
        for (size_t d = 0; d < s->n_dims; d++)
            afw += s->dev[d][u];
        s->afw[u] = afw;
        s->lbm[u] = ref + afw;
        s->kscore[u] = (unsigned char)lb_model_classify(s->lbm[u], m->thresholds, LB_N_THRESHOLDS);
    }
}

/* Weighted mean and population sd of v over units in the population with finite v. */
static void weighted_stats(size_t n, const double *v, const double *w, const unsigned char *in,
                           double *mean, double *sd)
{
    double sw = 0.0, sv = 0.0;
    for (size_t u = 0; u < n; u++)
        if (in[u] && !isnan(v[u])) {
            sw += w[u];
            sv += w[u] * v[u];
        }
    *mean = sw > 0.0 ? sv / sw : NAN;
    double ss = 0.0;
    for (size_t u = 0; u < n; u++)
        if (in[u] && !isnan(v[u])) {
            double d = v[u] - *mean;
            ss += w[u] * d * d;
        }
    *sd = sw > 0.0 ? sqrt(ss / sw) : NAN;
}

int lb_model_weight_reaches(double w, double min_weight)
{
    return w > 0.0 && w >= min_weight - LB_WEIGHT_RTOL * fabs(min_weight);
}

lb_status lb_score_units(lb_ctx *ctx, const lb_model *m, size_t n, const double *const *x,
                         const double *w, const unsigned char *scored, const lb_reference *fixed,
                         lb_reference *ref_out, lb_scores *out)
{
    lb_status st = lb_scores_alloc(ctx, n, m->n_dims, out);
    if (st != LB_OK)
        return st;
    st = lb_reference_alloc(ctx, m->n_dims, m->n_ind, ref_out);
    unsigned char *pop = malloc(n ? n : 1);
    double *f = malloc((n ? n : 1) * sizeof(double));
    double **contrib = calloc(m->n_dims ? m->n_dims : 1, sizeof(double *));
    if (st != LB_OK || !pop || !f || !contrib) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory scoring %zu units", n);
        goto fail;
    }
    double total_w = 0.0;
    for (size_t u = 0; u < n; u++) {
        pop[u] = scored[u] && w[u] > 0.0;
        if (pop[u])
            total_w += w[u];
        else
            out->flags[u] |= LB_FLAG_NO_WEIGHT;
    }
    if (!(total_w > 0.0)) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "no unit has a weight of at least min_weight (%g): nothing to score; "
                          "check the weight layer and field",
                          m->min_weight);
        goto fail;
    }
    for (size_t d = 0; d < m->n_dims; d++) {
        contrib[d] = calloc(n ? n : 1, sizeof(double));
        if (!contrib[d]) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    ref_out->ref = fixed ? fixed->ref : m->ref;
    for (size_t i = 0; i < m->n_ind; i++) {
        const lb_indicator *ind = &m->ind[i];
        for (size_t u = 0; u < n; u++)
            f[u] = pop[u] ? lb_model_transform_pre(&ind->tf, x[i][u]) : NAN;
        double mean, sd;
        if (fixed) {
            mean = fixed->ind_mean[i];
            sd = fixed->ind_sd[i];
        } else {
            weighted_stats(n, f, w, pop, &mean, &sd);
        }
        ref_out->ind_mean[i] = mean;
        ref_out->ind_sd[i] = sd;
        if (isnan(mean)) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "indicator '%s' (model line %d) is missing for every scored unit; "
                              "check its input '%s'",
                              ind->id, ind->line, ind->layer);
            goto fail;
        }
        if (ind->tf.zscore && !(sd > 0.0))
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "indicator '%s' has no spread in the reference population: its z-score is 0",
                       ind->id);
        for (size_t u = 0; u < n; u++) {
            if (!pop[u])
                continue;
            if (isnan(f[u])) {
                out->n_imputed[u]++;
                if (m->missing == LB_MISSING_DROP)
                    out->flags[u] |= LB_FLAG_DROPPED;
                else
                    out->flags[u] |= LB_FLAG_IMPUTED;
            }
            double c = lb_model_contribution(ind, f[u], mean, sd);
            contrib[ind->dim][u] += c;
            if (!isfinite(c) || !isfinite(contrib[ind->dim][u])) {
                st = lb_ctx_error(ctx, LB_ERR_DATA,
                                  "indicator '%s' (model line %d): the contribution of scored unit "
                                  "%zu (value %g, coef %g) is not a finite number; check the "
                                  "indicator's coefficient and transform",
                                  ind->id, ind->line, u + 1, x[i][u], ind->coef);
                goto fail;
            }
        }
    }
    for (size_t u = 0; u < n; u++)
        if (out->flags[u] & LB_FLAG_DROPPED)
            pop[u] = 0;
    for (size_t d = 0; d < m->n_dims; d++) {
        double md, sdd;
        if (fixed)
            md = fixed->means[d];
        else
            weighted_stats(n, contrib[d], w, pop, &md, &sdd);
        if (m->ref_mode == LB_REF_FIXED && m->has_means)
            md = m->means[d];
        ref_out->means[d] = md;
        for (size_t u = 0; u < n; u++)
            out->dev[d][u] = pop[u] ? contrib[d][u] - md : NAN;
    }
    lb_scores_finish(m, ref_out->ref, out);
    /* Never hand back NaN or infinite scores as if they were numbers: the reference means
     * or their sum can still overflow where every single contribution is finite. */
    for (size_t u = 0; u < n; u++)
        if (pop[u] && !isfinite(out->lbm[u])) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "the score of scored unit %zu is not a finite number (%g); check the "
                              "model's coefficients and reference means",
                              u + 1, out->lbm[u]);
            goto fail;
        }
    for (size_t d = 0; d < m->n_dims; d++)
        free(contrib[d]);
    free(contrib);
    free(f);
    free(pop);
    return LB_OK;
fail:
    for (size_t d = 0; contrib && d < m->n_dims; d++)
        free(contrib[d]);
    free(contrib);
    free(f);
    free(pop);
    lb_scores_free(out);
    lb_reference_free(ref_out);
    return st;
}
