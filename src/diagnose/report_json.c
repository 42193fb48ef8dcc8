/* SPDX-License-Identifier: MIT */
/* The diagnosis as JSON: the same numbers as the HTML and Markdown, unrounded, null where
 * missing, for scripts and for checking. */
#include "diagnose.h"

#include "../core/ctx.h"
#include "../model/score.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>

static struct json_object *num(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static struct json_object *str(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static void put(struct json_object *o, const char *key, struct json_object *v)
{
    json_object_object_add(o, key, v);
}

/* {"lbm", "afw", "class", "class_label", "dimensions": {code: v}, ...} of one aggregate. */
static struct json_object *agg_json(const lb_diagnosis *dx, const lb_diagnose_agg *a)
{
    const lb_scoreset *s = dx->s;
    struct json_object *o = json_object_new_object(), *dims = json_object_new_object();
    put(o, "lbm", num(a->v[LB_OUT_LBM]));
    put(o, "afw", num(a->v[LB_OUT_AFW]));
    put(o, "class", a->klass ? json_object_new_int(a->klass) : NULL);
    put(o, "class_label", a->klass ? str(lb_diagnose_class_label(s, a->klass)) : NULL);
    for (size_t d = 0; d < s->n_dims; d++)
        put(dims, s->dim_code[d], num(a->v[LB_OUT_DIM0 + d]));
    put(o, "dimensions", dims);
    put(o, "n_units", json_object_new_int64((int64_t)a->n));
    put(o, "weight_sum", num(a->weight));
    return o;
}

static struct json_object *delta_json(const lb_diagnosis *dx, const double *d, const int *cls)
{
    const lb_scoreset *s = dx->s;
    struct json_object *o = json_object_new_object(), *dims = json_object_new_object();
    put(o, "lbm", num(d[LB_OUT_LBM]));
    put(o, "afw", num(d[LB_OUT_AFW]));
    if (cls) {
        put(o, "class", cls[LB_OUT_LBM] ? json_object_new_int(cls[LB_OUT_LBM]) : NULL);
        put(o, "class_label",
            cls[LB_OUT_LBM] ? str(lb_diagnose_dev_label(s, cls[LB_OUT_LBM])) : NULL);
    }
    for (size_t k = 0; k < s->n_dims; k++) {
        struct json_object *e = json_object_new_object();
        put(e, "delta", num(d[LB_OUT_DIM0 + k]));
        if (cls) {
            int c = cls[LB_OUT_DIM0 + k];
            put(e, "class", c ? json_object_new_int(c) : NULL);
            put(e, "class_label", c ? str(lb_diagnose_dev_label(s, c)) : NULL);
        }
        put(dims, s->dim_code[k], e);
    }
    put(o, "dimensions", dims);
    return o;
}

static struct json_object *units_json(const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const size_t last = dx->n_t - 1, t = dx->t[last];
    struct json_object *arr = json_object_new_array();
    for (size_t j = 0; j < dx->n_units_wijk; j++) {
        size_t u = dx->units[j];
        struct json_object *o = json_object_new_object(), *dims = json_object_new_object();
        put(o, "nr", json_object_new_int((int)j + 1));
        put(o, "code", str(s->id[u]));
        put(o, "name", str(s->name ? s->name[u] : NULL));
        put(o, "weight", num(s->weight ? s->weight[t * s->n_units + u] : NAN));
        double lbm = lb_scoreset_value(s, t, LB_OUT_LBM, u);
        int k = lb_model_classify(lbm, s->thresholds, LB_N_THRESHOLDS);
        put(o, "lbm", num(lbm));
        put(o, "afw", num(lb_scoreset_value(s, t, LB_OUT_AFW, u)));
        put(o, "class", k ? json_object_new_int(k) : NULL);
        put(o, "class_label", k ? str(lb_diagnose_class_label(s, k)) : NULL);
        for (size_t d = 0; d < s->n_dims; d++)
            put(dims, s->dim_code[d], num(lb_scoreset_value(s, t, LB_OUT_DIM0 + d, u)));
        put(o, "dimensions", dims);
        if (dx->sel->wijk_share)
            put(o, "share_inside", num(dx->sel->wijk_share[u]));
        if (dx->n_t > 1) {
            double dl = lb_scoreset_value(s, t, LB_OUT_LBM, u) -
                        lb_scoreset_value(s, dx->t[0], LB_OUT_LBM, u);
            int c = lb_model_classify(dl, s->dev_cuts, s->n_dev_cuts);
            put(o, "delta_lbm", num(dl));
            put(o, "delta_from", json_object_new_int(lb_diagnose_year(dx, 0)));
            put(o, "delta_class", c ? json_object_new_int(c) : NULL);
            put(o, "delta_class_label", c ? str(lb_diagnose_dev_label(s, c)) : NULL);
        }
        json_object_array_add(arr, o);
    }
    return arr;
}

static struct json_object *check_json(const lb_diagnosis *dx, int *oom)
{
    struct json_object *o = json_object_new_object(), *crit = json_object_new_array();
    static const char *const names[3] = {"meervoudige problematiek", "risico op afglijden",
                                         "omvang"};
    const lb_diagnose_level lv[3] = {dx->problems, dx->risk, dx->size};
    for (int c = 0; c < 3; c++) {
        struct json_object *e = json_object_new_object();
        char *why = lb_diagnose_reason(dx, c);
        *oom |= !why;
        put(e, "criterion", json_object_new_int(c + 1));
        put(e, "name", str(names[c]));
        put(e, "status", str(lb_diagnose_level_name(lv[c])));
        put(e, "reason", str(why));
        free(why);
        json_object_array_add(crit, e);
    }
    put(o, "criteria", crit);
    put(o, "n_dimensions_clearly_below", json_object_new_int64((int64_t)dx->n_below));
    put(o, "gap_to_focus", num(dx->gap_focus));
    put(o, "near_focus_level", json_object_new_boolean(dx->near));
    put(o, "near_by_class_proxy", json_object_new_boolean(dx->near_by_class));
    put(o, "declining", dx->direction_known ? json_object_new_boolean(dx->declining) : NULL);
    put(o, "inhabitants", num(dx->inhabitants));
    put(o, "verdict", str(lb_diagnose_verdict_name(dx->verdict)));
    char *why = lb_diagnose_verdict_reason(dx);
    *oom |= !why;
    put(o, "verdict_reason", str(why));
    free(why);
    struct json_object *th = json_object_new_object();
    put(th, "clear_sd", num(dx->clear_sd));
    put(th, "focus_distance", num(dx->focus_distance));
    put(th, "min_inhabitants", num(dx->min_inhabitants));
    put(th, "min_inside", num(dx->min_inside));
    put(o, "thresholds", th);
    struct json_object *rules = json_object_new_array();
    for (size_t i = 0; i < LB_DX_N_RULES; i++) {
        char *r = lb_diagnose_rule(dx, i);
        *oom |= !r;
        json_object_array_add(rules, str(r));
        free(r);
    }
    put(o, "rules", rules);
    put(o, "disclaimer", str(lb_diagnose_disclaimer));
    return o;
}

lb_status lb_diagnose_json(lb_ctx *ctx, const lb_diagnosis *dx, const char *command_line,
                           struct json_object **out)
{
    const lb_scoreset *s = dx->s;
    const lb_diagnose_selection *sel = dx->sel;
    const size_t last = dx->n_t - 1, nd = s->n_dims;
    int oom = 0;
    struct json_object *doc = json_object_new_object();
    if (!doc)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");

    struct json_object *tool = json_object_new_object();
    put(tool, "name", str("leefbaar"));
    put(tool, "version", str(lb_version()));
    put(tool, "command_line", str(command_line));
    put(doc, "tool", tool);
    put(doc, "source", str(s->description));
    put(doc, "published", json_object_new_boolean(s->is_published));

    struct json_object *w = json_object_new_object(), *codes = json_object_new_array();
    put(w, "code", str(sel->wijk_code));
    put(w, "name", str(sel->wijk_name));
    put(w, "rule", str(sel->wijk_rule));
    put(w, "source", str(sel->wijk_source));
    put(w, "units_in_focus",
        sel->focus ? json_object_new_int64((int64_t)sel->n_wijk_in_focus) : NULL);
    put(w, "is_focus_area",
        json_object_new_boolean(sel->focus && sel->n_wijk_in_focus > 0 &&
                                sel->n_wijk_in_focus >= dx->n_units_wijk));
    for (size_t j = 0; j < dx->n_units_wijk; j++)
        json_object_array_add(codes, str(s->id[dx->units[j]]));
    put(w, "units", codes);
    put(doc, "wijk", w);

    struct json_object *g = json_object_new_object();
    put(g, "code", str(sel->gemeente_code));
    put(g, "name", str(sel->gemeente_name));
    put(g, "rule", str(sel->gemeente_rule));
    put(g, "source", str(sel->gemeente_source));
    size_t ng = 0;
    for (size_t u = 0; u < s->n_units; u++)
        ng += sel->gemeente[u];
    put(g, "n_units", json_object_new_int64((int64_t)ng));
    put(doc, "gemeente", g);

    if (sel->focus) {
        struct json_object *f = json_object_new_object(), *fu = json_object_new_array();
        put(f, "rule", str(sel->focus_rule));
        put(f, "source", str(sel->focus_source));
        put(f, "n_areas", json_object_new_int64((int64_t)sel->n_focus_areas));
        for (size_t u = 0; u < s->n_units; u++)
            if (sel->focus[u])
                json_object_array_add(fu, str(s->id[u]));
        put(f, "units", fu);
        put(doc, "focus", f);
    } else {
        put(doc, "focus", NULL);
    }

    struct json_object *ref = json_object_new_object();
    put(ref, "ref", num(s->ref));
    put(ref, "deviation", json_object_new_double(0.0));
    put(doc, "reference", ref);
    put(doc, "weight", str(s->weight_name));
    put(doc, "year", json_object_new_int(lb_diagnose_year(dx, last)));

    struct json_object *dims = json_object_new_array();
    for (size_t d = 0; d < nd; d++) {
        struct json_object *e = json_object_new_object();
        put(e, "code", str(s->dim_code[d]));
        put(e, "label", str(lb_diagnose_dim_label(s, d)));
        json_object_array_add(dims, e);
    }
    put(doc, "dimensions", dims);

    struct json_object *years = json_object_new_array();
    for (size_t ti = 0; ti < dx->n_t; ti++) {
        struct json_object *e = json_object_new_object();
        put(e, "year", json_object_new_int(lb_diagnose_year(dx, ti)));
        put(e, "weighted", json_object_new_boolean(dx->weighted[ti]));
        put(e, "wijk", agg_json(dx, &dx->wijk[ti]));
        put(e, "gemeente", agg_json(dx, &dx->gem[ti]));
        put(e, "focus", dx->focus ? agg_json(dx, &dx->focus[ti]) : NULL);
        json_object_array_add(years, e);
    }
    put(doc, "years", years);

    struct json_object *cmp = json_object_new_array();
    for (size_t d = 0; d < nd; d++) {
        struct json_object *e = json_object_new_object();
        put(e, "code", str(s->dim_code[d]));
        put(e, "wijk", num(dx->wijk[last].v[LB_OUT_DIM0 + d]));
        put(e, "gemeente", num(dx->gem[last].v[LB_OUT_DIM0 + d]));
        put(e, "reference", json_object_new_double(0.0));
        put(e, "gap", num(dx->gap[d]));
        put(e, "sd", num(dx->sd[last * nd + d]));
        put(e, "threshold", num(dx->threshold[d]));
        /* null: not decidable, the dimension has no spread over the units */
        put(e, "clearly_below", dx->no_spread[d] ? NULL : json_object_new_boolean(dx->below[d]));
        put(e, "no_spread", json_object_new_boolean(dx->no_spread[d]));
        json_object_array_add(cmp, e);
    }
    put(doc, "comparison", cmp);

    struct json_object *dev = json_object_new_array();
    for (size_t p = 0; p < dx->n_periods; p++) {
        const lb_diagnose_period *pe = &dx->periods[p];
        struct json_object *e = json_object_new_object();
        put(e, "from", json_object_new_int(lb_diagnose_year(dx, pe->from)));
        put(e, "to", json_object_new_int(lb_diagnose_year(dx, pe->to)));
        put(e, "wijk", delta_json(dx, pe->wijk, pe->wijk_class));
        put(e, "gemeente", delta_json(dx, pe->gemeente, pe->gem_class));
        put(e, "focus", pe->focus ? delta_json(dx, pe->focus, NULL) : NULL);
        json_object_array_add(dev, e);
    }
    put(doc, "development", dev);

    struct json_object *drv = json_object_new_object(), *wd = json_object_new_array();
    put(drv, "available", json_object_new_boolean(dx->has_contrib));
    for (size_t k = 0; k < dx->n_weak; k++) {
        const lb_diagnose_weak *wk = &dx->weak[k];
        struct json_object *e = json_object_new_object(), *inds = json_object_new_array();
        put(e, "code", str(s->dim_code[wk->dim]));
        put(e, "gap", num(dx->gap[wk->dim]));
        for (size_t j = 0; j < wk->n_drivers; j++) {
            const lb_diagnose_driver *dr = &wk->drivers[j];
            struct json_object *ie = json_object_new_object();
            put(ie, "id", str(s->ind_id[dr->ind]));
            put(ie, "label", str(s->ind_label ? s->ind_label[dr->ind] : NULL));
            put(ie, "unit", str(s->ind_unit ? s->ind_unit[dr->ind] : NULL));
            put(ie, "raw_wijk", num(dr->raw_wijk));
            put(ie, "raw_gemeente", num(dr->raw_gem));
            put(ie, "contribution_wijk", num(dr->c_wijk));
            put(ie, "contribution_gemeente", num(dr->c_gem));
            put(ie, "difference", num(dr->diff));
            json_object_array_add(inds, ie);
        }
        put(e, "indicators", inds);
        json_object_array_add(wd, e);
    }
    put(drv, "weakest", wd);
    put(doc, "drivers", drv);

    put(doc, "buurten", units_json(dx));
    put(doc, "check", check_json(dx, &oom));
    if (oom) {
        json_object_put(doc);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    *out = doc;
    return LB_OK;
}
