/* SPDX-License-Identifier: MIT */
/* The diagnosis' numbers: weighted means of wijk, gemeente and focus areas per year, the
 * comparison per dimension, development, background indicators, and the preventiebudget
 * check with its verdict (DESIGN.md §8; letter of the minister for WWI, 5 Nov 2008). */
#include "diagnose.h"

#include "../core/ctx.h"
#include "../model/score.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Class "zwak" of the 9 Leefbaarometer classes: the level proxy when no focus areas are given. */
enum { ZWAK_CLASS = 4 };

/* ---- rules ------------------------------------------------------------------------------- */

int lb_diagnose_clearly_below(double gap, double sd, double k)
{
    if (isnan(gap) || isnan(sd) || isnan(k))
        return 0;
    return gap < 0.0 && gap <= -k * sd;
}

int lb_diagnose_no_spread(double sd, double scale)
{
    if (isnan(sd))
        return 0;
    return !(sd > 1e-9 * fmax(1.0, isfinite(scale) ? fabs(scale) : 1.0));
}

lb_diagnose_level lb_diagnose_problems_level(size_t n_below)
{
    return n_below >= 2 ? LB_DX_MET : n_below == 1 ? LB_DX_PARTLY : LB_DX_NOT;
}

int lb_diagnose_near(double gap_focus, double max_gap)
{
    return !isnan(gap_focus) && !isnan(max_gap) && gap_focus <= max_gap;
}

int lb_diagnose_declining(int dev_class, size_t n_cuts)
{
    return dev_class > 0 && (size_t)dev_class < n_cuts / 2 + 1;
}

lb_diagnose_level lb_diagnose_risk_level(int near, int direction_known, int declining)
{
    if (!direction_known)
        return near ? LB_DX_PARTLY : LB_DX_NOT;
    if (near && declining)
        return LB_DX_MET;
    return near || declining ? LB_DX_PARTLY : LB_DX_NOT;
}

lb_diagnose_level lb_diagnose_size_level(int known, double inhabitants, double min_inhabitants)
{
    if (!known || isnan(inhabitants))
        return LB_DX_UNKNOWN;
    return inhabitants >= min_inhabitants ? LB_DX_MET : LB_DX_NOT;
}

lb_diagnose_verdict lb_diagnose_decide(lb_diagnose_level problems, lb_diagnose_level risk,
                                       lb_diagnose_level size)
{
    if (problems == LB_DX_UNKNOWN) {
        lb_diagnose_verdict hi = lb_diagnose_decide(LB_DX_MET, risk, size);
        return hi == lb_diagnose_decide(LB_DX_NOT, risk, size) ? hi : LB_DX_UNDECIDED;
    }
    if (problems == LB_DX_MET && risk == LB_DX_MET && size == LB_DX_MET)
        return LB_DX_STRONG;
    if (problems == LB_DX_MET || risk == LB_DX_MET ||
        (problems == LB_DX_PARTLY && risk == LB_DX_PARTLY))
        return LB_DX_POSSIBLE;
    return LB_DX_NONE;
}

const char *lb_diagnose_level_name(lb_diagnose_level l)
{
    switch (l) {
    case LB_DX_NOT:
        return "niet voldaan";
    case LB_DX_PARTLY:
        return "deels voldaan";
    case LB_DX_MET:
        return "voldaan";
    default:
        return "onbekend";
    }
}

const char *lb_diagnose_verdict_name(lb_diagnose_verdict v)
{
    switch (v) {
    case LB_DX_STRONG:
        return "sterke aanwijzing";
    case LB_DX_POSSIBLE:
        return "mogelijke aanwijzing";
    case LB_DX_UNDECIDED:
        return "geen oordeel mogelijk";
    default:
        return "geen aanwijzing";
    }
}

/* ---- labels ------------------------------------------------------------------------------ */

/* Leefbaarometer dimension names for inputs that carry only codes (published tables). */
static const struct {
    const char *code, *label;
} known_dims[] = {
    {"won", "Woningvoorraad"}, {"fys", "Fysieke omgeving"},         {"pub", "Publieke ruimte"},
    {"vrz", "Voorzieningen"},  {"bev", "Bevolkingssamenstelling"},  {"soc", "Sociale samenhang"},
    {"vei", "Veiligheid"},     {"onv", "Overlast en onveiligheid"},
};

const char *lb_diagnose_dim_label(const lb_scoreset *s, size_t d)
{
    const char *code = s->dim_code[d];
    const char *label = s->dim_label ? s->dim_label[d] : NULL;
    if (label && !lb_core_str_ieq(label, code))
        return label;
    for (size_t i = 0; i < sizeof(known_dims) / sizeof(known_dims[0]); i++)
        if (lb_core_str_ieq(code, known_dims[i].code))
            return known_dims[i].label;
    return code;
}

const char *lb_diagnose_class_label(const lb_scoreset *s, int k)
{
    if (k < 1 || k > LB_N_CLASSES || !s->class_labels[k - 1])
        return "\xe2\x80\x93";
    return s->class_labels[k - 1];
}

const char *lb_diagnose_dev_label(const lb_scoreset *s, int k)
{
    if (k < 1 || (size_t)k > s->n_dev_cuts + 1 || !s->dev_labels[k - 1])
        return "\xe2\x80\x93";
    return s->dev_labels[k - 1];
}

int lb_diagnose_year(const lb_diagnosis *dx, size_t ti)
{
    return dx->s->years[dx->t[ti]];
}

/* ---- means ------------------------------------------------------------------------------- */

static double unit_weight(const lb_scoreset *s, size_t t, size_t u, int weighted)
{
    if (!weighted)
        return 1.0;
    double w = s->weight[t * s->n_units + u];
    return w > 0.0 ? w : NAN; /* NaN and 0 leave the unit out */
}

/* Weighted mean of outcome/indicator values v(u) over the flagged units with a weight. */
static double mean_of(const lb_scoreset *s, size_t t, const unsigned char *in, int weighted,
                      const double *col)
{
    double num = 0.0, den = 0.0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (in && !in[u])
            continue;
        double w = unit_weight(s, t, u, weighted), v = col[u];
        if (isnan(w) || isnan(v))
            continue;
        num += w * v;
        den += w;
    }
    return den > 0.0 ? num / den : NAN;
}

static lb_status agg_alloc(lb_ctx *ctx, const lb_scoreset *s, lb_diagnose_agg *a)
{
    a->v = calloc(s->n_out, sizeof(double));
    if (s->n_ind) {
        a->contrib = calloc(s->n_ind, sizeof(double));
        a->raw = calloc(s->n_ind, sizeof(double));
    }
    if (!a->v || (s->n_ind && (!a->contrib || !a->raw)))
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return LB_OK;
}

static void agg_free(lb_diagnose_agg *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].v);
        free(a[i].contrib);
        free(a[i].raw);
    }
    free(a);
}

static void aggregate(const lb_scoreset *s, size_t t, const unsigned char *in, int weighted,
                      lb_diagnose_agg *a)
{
    const size_t nu = s->n_units;
    for (size_t k = 0; k < s->n_out; k++)
        a->v[k] = mean_of(s, t, in, weighted, s->value + (t * s->n_out + k) * nu);
    for (size_t i = 0; i < s->n_ind; i++) {
        a->contrib[i] =
            s->contrib ? mean_of(s, t, in, weighted, s->contrib + (t * s->n_ind + i) * nu) : NAN;
        a->raw[i] = s->raw ? mean_of(s, t, in, weighted, s->raw + (t * s->n_ind + i) * nu) : NAN;
    }
    double wsum = 0.0;
    a->n = 0;
    for (size_t u = 0; u < nu; u++) {
        double w = unit_weight(s, t, u, weighted);
        if (in[u] && !isnan(w) && !isnan(lb_scoreset_value(s, t, LB_OUT_LBM, u))) {
            wsum += w;
            a->n++;
        }
    }
    a->weight = weighted ? wsum : NAN;
    a->klass = lb_model_classify(a->v[LB_OUT_LBM], s->thresholds, LB_N_THRESHOLDS);
}

/* Weighted population sd of outcome k over every unit of the input in year t. */
static double spread(const lb_scoreset *s, size_t t, size_t k, int weighted)
{
    const double *col = s->value + (t * s->n_out + k) * s->n_units;
    double m = mean_of(s, t, NULL, weighted, col), num = 0.0, den = 0.0;
    for (size_t u = 0; u < s->n_units; u++) {
        double w = unit_weight(s, t, u, weighted);
        if (isnan(w) || isnan(col[u]))
            continue;
        num += w * (col[u] - m) * (col[u] - m);
        den += w;
    }
    return den > 0.0 ? sqrt(num / den) : NAN;
}

/* ---- compute ----------------------------------------------------------------------------- */

void lb_diagnose_free(lb_diagnosis *dx)
{
    agg_free(dx->wijk, dx->n_t);
    agg_free(dx->gem, dx->n_t);
    agg_free(dx->focus, dx->n_t);
    for (size_t p = 0; dx->periods && p < dx->n_periods; p++) {
        free(dx->periods[p].wijk);
        free(dx->periods[p].gemeente);
        free(dx->periods[p].focus);
        free(dx->periods[p].wijk_class);
        free(dx->periods[p].gem_class);
    }
    free(dx->periods);
    for (size_t w = 0; dx->weak && w < dx->n_weak; w++)
        free(dx->weak[w].drivers);
    free(dx->weak);
    free(dx->t);
    free(dx->weighted);
    free(dx->sd);
    free(dx->units);
    free(dx->gap);
    free(dx->threshold);
    free(dx->below);
    free(dx->no_spread);
    memset(dx, 0, sizeof(*dx));
}

static lb_status pick_years(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                            lb_diagnosis *dx)
{
    dx->t = calloc(s->n_years ? s->n_years : 1, sizeof(size_t));
    if (!dx->t)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (!o->years || o->n_years == 0) {
        for (size_t t = 0; t < s->n_years; t++)
            dx->t[t] = t;
        dx->n_t = s->n_years;
    } else {
        /* s->years is ascending, so walking it keeps the used years ascending. */
        for (size_t k = 0; k < o->n_years; k++) {
            size_t t = 0;
            while (t < s->n_years && s->years[t] != o->years[k])
                t++;
            if (t == s->n_years)
                return lb_ctx_error(ctx, LB_ERR_DATA, "year %d is not in the scores (%s)",
                                    o->years[k], s->description ? s->description : "input");
        }
        for (size_t t = 0; t < s->n_years; t++)
            for (size_t k = 0; k < o->n_years; k++)
                if (s->years[t] == o->years[k]) {
                    dx->t[dx->n_t++] = t;
                    break;
                }
    }
    if (dx->n_t == 0)
        return lb_ctx_error(ctx, LB_ERR_DATA, "the scores hold no year");
    return LB_OK;
}

static lb_status add_period(lb_ctx *ctx, lb_diagnosis *dx, size_t from, size_t to)
{
    const lb_scoreset *s = dx->s;
    lb_diagnose_period *p = &dx->periods[dx->n_periods];
    memset(p, 0, sizeof(*p));
    p->from = from;
    p->to = to;
    p->wijk = calloc(s->n_out, sizeof(double));
    p->gemeente = calloc(s->n_out, sizeof(double));
    p->wijk_class = calloc(s->n_out, sizeof(int));
    p->gem_class = calloc(s->n_out, sizeof(int));
    if (dx->focus)
        p->focus = calloc(s->n_out, sizeof(double));
    dx->n_periods++;
    if (!p->wijk || !p->gemeente || !p->wijk_class || !p->gem_class || (dx->focus && !p->focus))
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < s->n_out; k++) {
        p->wijk[k] = dx->wijk[to].v[k] - dx->wijk[from].v[k];
        p->gemeente[k] = dx->gem[to].v[k] - dx->gem[from].v[k];
        if (p->focus)
            p->focus[k] = dx->focus[to].v[k] - dx->focus[from].v[k];
        p->wijk_class[k] = lb_model_classify(p->wijk[k], s->dev_cuts, s->n_dev_cuts);
        p->gem_class[k] = lb_model_classify(p->gemeente[k], s->dev_cuts, s->n_dev_cuts);
    }
    return LB_OK;
}

/* Order for sorting indices by a key array (NaN last), ties by index. */
typedef struct keyed {
    double key;
    size_t idx;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int xn = isnan(x->key), yn = isnan(y->key);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static lb_status weak_dimensions(lb_ctx *ctx, lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    keyed *order = calloc(s->n_dims ? s->n_dims : 1, sizeof(*order));
    if (!order)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t d = 0; d < s->n_dims; d++)
        order[d] = (keyed){dx->gap[d], d};
    qsort(order, s->n_dims, sizeof(*order), cmp_keyed);
    /* The two lowest, and any further dimension that is clearly below. */
    size_t n = 0;
    for (size_t r = 0; r < s->n_dims; r++)
        if (!isnan(order[r].key) && (r < 2 || dx->below[order[r].idx]))
            n = r + 1;
    dx->weak = calloc(n ? n : 1, sizeof(*dx->weak));
    if (!dx->weak) {
        free(order);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    const size_t last = dx->n_t - 1;
    for (size_t r = 0; r < n; r++) {
        lb_diagnose_weak *w = &dx->weak[dx->n_weak++];
        w->dim = order[r].idx;
        size_t m = 0;
        for (size_t i = 0; dx->has_contrib && i < s->n_ind; i++)
            m += (size_t)s->ind_dim[i] == w->dim;
        if (m == 0)
            continue;
        w->drivers = calloc(m, sizeof(*w->drivers));
        keyed *ko = calloc(m, sizeof(*ko));
        if (!w->drivers || !ko) {
            free(ko);
            free(order);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < s->n_ind; i++) {
            if ((size_t)s->ind_dim[i] != w->dim)
                continue;
            lb_diagnose_driver *dr = &w->drivers[w->n_drivers];
            dr->ind = i;
            dr->raw_wijk = dx->wijk[last].raw[i];
            dr->raw_gem = dx->gem[last].raw[i];
            dr->c_wijk = dx->wijk[last].contrib[i];
            dr->c_gem = dx->gem[last].contrib[i];
            dr->diff = dr->c_wijk - dr->c_gem;
            ko[w->n_drivers] = (keyed){dr->diff, w->n_drivers};
            w->n_drivers++;
        }
        qsort(ko, m, sizeof(*ko), cmp_keyed);
        lb_diagnose_driver *sorted = calloc(m, sizeof(*sorted));
        if (!sorted) {
            free(ko);
            free(order);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
        for (size_t j = 0; j < m; j++)
            sorted[j] = w->drivers[ko[j].idx];
        free(w->drivers);
        w->drivers = sorted;
        free(ko);
    }
    free(order);
    return LB_OK;
}

static int cmp_unit_ids(const void *a, const void *b, const lb_scoreset *s)
{
    return strcmp(s->id[*(const size_t *)a], s->id[*(const size_t *)b]);
}

/* Insertion sort of the wijk's units by id (a wijk has tens of units at most). */
static void sort_units(const lb_scoreset *s, size_t *u, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp_unit_ids(&u[j - 1], &u[j], s) > 0; j--) {
            size_t x = u[j];
            u[j] = u[j - 1];
            u[j - 1] = x;
        }
}

static void check(lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const size_t last = dx->n_t - 1;
    dx->problems = lb_diagnose_problems_level(dx->n_below);
    /* A dimension without spread might be below or not; it decides (1) unless two others are. */
    if (dx->n_no_spread && dx->problems != LB_DX_MET)
        dx->problems = LB_DX_UNKNOWN;

    dx->gap_focus = NAN;
    if (dx->focus && !isnan(dx->focus[last].v[LB_OUT_LBM])) {
        dx->gap_focus = dx->wijk[last].v[LB_OUT_LBM] - dx->focus[last].v[LB_OUT_LBM];
        dx->near = lb_diagnose_near(dx->gap_focus, dx->focus_distance);
    } else {
        dx->near_by_class = 1;
        dx->near = dx->wijk[last].klass > 0 && dx->wijk[last].klass <= ZWAK_CLASS;
    }
    /* The most recent development: the last consecutive period with a wijk score at both ends
     * (periods[] holds the consecutive ones first). */
    size_t n_consec = dx->n_t > 1 ? dx->n_t - 1 : 0;
    for (size_t p = n_consec; p-- > 0;)
        if (!isnan(dx->periods[p].wijk[LB_OUT_LBM])) {
            dx->direction_known = 1;
            dx->recent = p;
            dx->declining =
                lb_diagnose_declining(dx->periods[p].wijk_class[LB_OUT_LBM], s->n_dev_cuts);
            break;
        }
    dx->risk = lb_diagnose_risk_level(dx->near, dx->direction_known, dx->declining);

    dx->size_known =
        dx->weighted[last] && s->weight_name && strcmp(s->weight_name, "inhabitants") == 0;
    dx->inhabitants = dx->size_known ? dx->wijk[last].weight : NAN;
    dx->size = lb_diagnose_size_level(dx->size_known, dx->inhabitants, dx->min_inhabitants);
    dx->verdict = lb_diagnose_decide(dx->problems, dx->risk, dx->size);
}

lb_status lb_diagnose_compute_selection(lb_ctx *ctx, const lb_scoreset *s,
                                        const lb_diagnose_selection *sel,
                                        const lb_diagnose_options *o, lb_diagnosis *dx)
{
    memset(dx, 0, sizeof(*dx));
    dx->s = s;
    dx->sel = sel;
    dx->clear_sd = o->clear_sd;
    dx->focus_distance = o->focus_distance;
    dx->min_inhabitants = o->min_inhabitants;
    dx->min_inside = o->min_inside;
    lb_status st = pick_years(ctx, s, o, dx);
    if (st != LB_OK)
        goto fail;
    const size_t nt = dx->n_t, nd = s->n_dims;
    dx->weighted = calloc(nt, sizeof(int));
    dx->wijk = calloc(nt, sizeof(lb_diagnose_agg));
    dx->gem = calloc(nt, sizeof(lb_diagnose_agg));
    if (sel->focus)
        dx->focus = calloc(nt, sizeof(lb_diagnose_agg));
    dx->sd = calloc(nt * (nd ? nd : 1), sizeof(double));
    dx->gap = calloc(nd ? nd : 1, sizeof(double));
    dx->threshold = calloc(nd ? nd : 1, sizeof(double));
    dx->below = calloc(nd ? nd : 1, 1);
    dx->no_spread = calloc(nd ? nd : 1, 1);
    dx->units = calloc(s->n_units ? s->n_units : 1, sizeof(size_t));
    dx->periods = calloc(nt + 1, sizeof(*dx->periods));
    if (!dx->weighted || !dx->wijk || !dx->gem || (sel->focus && !dx->focus) || !dx->sd ||
        !dx->gap || !dx->threshold || !dx->below || !dx->no_spread || !dx->units || !dx->periods) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t u = 0; u < s->n_units; u++)
        if (sel->wijk[u])
            dx->units[dx->n_units_wijk++] = u;
    sort_units(s, dx->units, dx->n_units_wijk);

    for (size_t ti = 0; ti < nt; ti++) {
        const size_t t = dx->t[ti];
        /* Weighted when the input has weights and this year carries any. */
        int w = 0;
        for (size_t u = 0; s->weight_name && s->weight && u < s->n_units && !w; u++)
            w = s->weight[t * s->n_units + u] > 0.0;
        dx->weighted[ti] = w;
        if ((st = agg_alloc(ctx, s, &dx->wijk[ti])) != LB_OK ||
            (st = agg_alloc(ctx, s, &dx->gem[ti])) != LB_OK ||
            (dx->focus && (st = agg_alloc(ctx, s, &dx->focus[ti])) != LB_OK))
            goto fail;
        aggregate(s, t, sel->wijk, w, &dx->wijk[ti]);
        aggregate(s, t, sel->gemeente, w, &dx->gem[ti]);
        if (dx->focus)
            aggregate(s, t, sel->focus, w, &dx->focus[ti]);
        for (size_t d = 0; d < nd; d++)
            dx->sd[ti * nd + d] = spread(s, t, LB_OUT_DIM0 + d, w);
    }
    const size_t last = nt - 1;
    if (isnan(dx->wijk[last].v[LB_OUT_LBM])) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "the wijk '%s' has no score in %d (%zu unit(s), none "
                          "scored)",
                          sel->wijk_name, lb_diagnose_year(dx, last), dx->n_units_wijk);
        goto fail;
    }
    for (size_t d = 0; d < nd; d++) {
        dx->gap[d] = dx->wijk[last].v[LB_OUT_DIM0 + d] - dx->gem[last].v[LB_OUT_DIM0 + d];
        dx->threshold[d] = dx->clear_sd * dx->sd[last * nd + d];
        double scale =
            fmax(fabs(dx->wijk[last].v[LB_OUT_DIM0 + d]), fabs(dx->gem[last].v[LB_OUT_DIM0 + d]));
        /* Only a negative gap can be "clearly below"; without spread that cannot be told. */
        if (dx->gap[d] < 0.0 && lb_diagnose_no_spread(dx->sd[last * nd + d], scale)) {
            dx->no_spread[d] = 1;
            dx->n_no_spread++;
            continue;
        }
        dx->below[d] = (unsigned char)lb_diagnose_clearly_below(dx->gap[d], dx->sd[last * nd + d],
                                                                dx->clear_sd);
        dx->n_below += dx->below[d];
        dx->n_compared += !isnan(dx->gap[d]);
    }
    for (size_t ti = 1; ti < nt; ti++)
        if ((st = add_period(ctx, dx, ti - 1, ti)) != LB_OK)
            goto fail;
    if (nt > 2 && (st = add_period(ctx, dx, 0, last)) != LB_OK)
        goto fail;
    /* Runs without indicator columns still name their indicators: values are all NaN. */
    for (size_t i = 0; i < s->n_ind && !dx->has_contrib; i++)
        dx->has_contrib = !isnan(dx->wijk[last].contrib[i]);
    if ((st = weak_dimensions(ctx, dx)) != LB_OK)
        goto fail;
    check(dx);
    return LB_OK;
fail:
    lb_diagnose_free(dx);
    return st;
}
