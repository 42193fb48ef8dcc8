/* SPDX-License-Identifier: MIT */
/* leefbaar change: Δ per unit between two years of scored units (our runs or published
 * tables), development classes, tables and maps; Δ rasters when both sides are grid runs. */
#define _POSIX_C_SOURCE 200809L

#include "change.h"

#include "../core/ctx.h"
#include "../geom/geos_bridge.h"
#include "../io/mapset.h"
#include "../io/outdir.h"
#include "../io/raster.h"
#include "../io/runjson.h"
#include "../io/style.h"
#include "../io/write.h"
#include "../model/score.h"
#include "../scores/scoreset.h"
#include "../viewer/inrun.h"
#include "../api/opts.h"
#include "../api/provenance.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void lb_change_options_init(lb_change_options *o)
{
    memset(o, 0, sizeof(*o));
    o->csv_sep = ',';
}

int lb_change_dev_class(double delta, const double *cuts, size_t n)
{
    return lb_model_classify(delta, cuts, n);
}

lb_status lb_change_dev_choose(lb_ctx *ctx, const lb_change_options *o, size_t model_n_cuts,
                               const double *model_cuts, char *const *model_labels,
                               char *const *model_colours, lb_dev_choice *out)
{
    memset(out, 0, sizeof(*out));
    lb_dev_table def;
    if (o->dev_classes && o->dev_classes != 7 && o->dev_classes != 9)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "change: %d development classes; 7 (6 cuts) or 9 (8 cuts) are possible",
                            o->dev_classes);
    if (o->dev_cuts) {
        if (o->n_dev_cuts != 6 && o->n_dev_cuts != 8)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "change: %zu development cuts; give 6 (7 classes) or 8 (9 classes)",
                                o->n_dev_cuts);
        if (o->dev_classes && (size_t)o->dev_classes != o->n_dev_cuts + 1)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "change: %zu cuts make %zu classes, not the %d asked for",
                                o->n_dev_cuts, o->n_dev_cuts + 1, o->dev_classes);
        for (size_t i = 0; i < o->n_dev_cuts; i++)
            if (!isfinite(o->dev_cuts[i]) || (i && !(o->dev_cuts[i] > o->dev_cuts[i - 1])))
                return lb_ctx_error(
                    ctx, LB_ERR_ARG,
                    "change: development cuts must be finite and ascending (cut %zu "
                    "is %g)",
                    i + 1, o->dev_cuts[i]);
        lb_dev_table_default(o->n_dev_cuts + 1, &def);
        out->n_cuts = o->n_dev_cuts;
        memcpy(out->cuts, o->dev_cuts, o->n_dev_cuts * sizeof(double));
    } else if (o->dev_classes && (size_t)o->dev_classes != model_n_cuts + 1) {
        lb_dev_table_default((size_t)o->dev_classes, &def);
        out->n_cuts = def.n_cuts;
        memcpy(out->cuts, def.cuts, def.n_cuts * sizeof(double));
    } else {
        out->n_cuts = model_n_cuts;
        memcpy(out->cuts, model_cuts, model_n_cuts * sizeof(double));
        for (size_t k = 0; k <= model_n_cuts; k++) {
            out->labels[k] = model_labels[k];
            out->colours[k] = model_colours[k];
        }
        return LB_OK;
    }
    for (size_t k = 0; k <= out->n_cuts; k++) {
        out->labels[k] = def.labels[k];
        out->colours[k] = def.colours[k];
    }
    return LB_OK;
}

/* One side of the comparison: its scores and the year index used. */
typedef struct side {
    lb_scoreset *s;
    int own;   /* s is owned by this side (not shared with the other) */
    size_t t;  /* year index in s */
    int year;  /* s->years[t] */
    char *dir; /* run directory when the source is one of our runs, else NULL */
    char *json;
} side;

/* What a change computes and its writer needs: the payload of its lb_result. */
typedef struct change_run {
    const lb_change_options *o; /* during lb_change_compute only */
    const lb_write_opts *w;     /* during the write only */
    char *from_path, *to_path;  /* the inputs (to_path NULL: one source) */
    side a, b;                  /* from, to */
    size_t *pos;                /* dimension d of a is dimension pos[d] of b */
    lb_dev_choice dev;
    size_t n;      /* units of the union */
    size_t n_geom; /* of which with a polygon */
    long *ua, *ub; /* unit index in a / b, -1 = absent */
    lb_table *t;   /* owned by the result once added */
    int rasters;   /* both sides are grid runs on one grid with their score rasters */
    char path_a[1024], path_b[1024]; /* their scores_<year>.tif */
    lb_grid grid;
    struct json_object *doc; /* run.json without its outputs */
    lb_outdir out;
    struct json_object *outputs, *counts;
} change_run;

static void years_list(const lb_scoreset *s, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t t = 0; t < s->n_years; t++) {
        char y[16];
        snprintf(y, sizeof(y), "%d", s->years[t]);
        lb_core_list_append(buf, size, y);
    }
}

/* The year of side @p sd: @p want, or when 0 its only year, or with @p two (one source for
 * both sides) the first / last of its two years. */
static lb_status pick_year(lb_ctx *ctx, side *sd, int want, int two, int last, const char *opt)
{
    const lb_scoreset *s = sd->s;
    char list[256];
    years_list(s, list, sizeof(list));
    if (want) {
        int t = lb_scoreset_year_index(s, want);
        if (t < 0)
            return lb_ctx_error(ctx, LB_ERR_DATA, "change: %s has no year %d (years: %s)",
                                s->description, want, list);
        sd->t = (size_t)t;
    } else if (s->n_years == 1 || (two && s->n_years == 2)) {
        sd->t = last ? s->n_years - 1 : 0;
    } else {
        return lb_ctx_error(ctx, LB_ERR_DATA, "change: %s holds the years %s; choose one with %s",
                            s->description, list, opt);
    }
    sd->year = s->years[sd->t];
    return LB_OK;
}

static lb_status read_sides(lb_ctx *ctx, change_run *r)
{
    const lb_change_options *o = r->o;
    lb_score_source from = o->from, to = o->to;
    /* A table without a year column gets the year asked for. */
    if (!from.year)
        from.year = o->from_year;
    if (!to.year)
        to.year = o->to_year;
    int single = !to.path;
    lb_status st = lb_scoreset_read(ctx, &from, 1, &r->a.s);
    if (st != LB_OK)
        return st;
    r->a.own = 1;
    if (single) {
        r->b.s = r->a.s;
        if (o->from_year == 0 && o->to_year == 0 && r->a.s->n_years != 2) {
            char list[256];
            years_list(r->a.s, list, sizeof(list));
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "change: %s holds the years %s; choose two with --from-year and "
                                "--to-year",
                                r->a.s->description, list);
        }
    } else {
        st = lb_scoreset_read(ctx, &to, 1, &r->b.s);
        if (st != LB_OK)
            return st;
        r->b.own = 1;
    }
    st = pick_year(ctx, &r->a, o->from_year, single, 0, "--from-year");
    if (st == LB_OK)
        st = pick_year(ctx, &r->b, o->to_year, single, 1, "--to-year");
    if (st != LB_OK)
        return st;
    if (single && r->a.t == r->b.t)
        return lb_ctx_error(ctx, LB_ERR_ARG, "change: from and to are both %d", r->a.year);
    if (r->a.year > r->b.year)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "change: the 'from' year %d is later than the 'to' year %d; Δ = %d − %d",
                   r->a.year, r->b.year, r->b.year, r->a.year);
    lb_scores_run_paths(from.path, &r->a.json, &r->a.dir);
    lb_scores_run_paths(single ? from.path : to.path, &r->b.json, &r->b.dir);
    return LB_OK;
}

/* Both sides must score the same dimensions (matched on code, any order): pos[d] is the
 * dimension of 'to' that is dimension d of 'from'. */
static lb_status match_dimensions(lb_ctx *ctx, change_run *r)
{
    const lb_scoreset *a = r->a.s, *b = r->b.s;
    r->pos = malloc((a->n_dims ? a->n_dims : 1) * sizeof(size_t));
    if (!r->pos)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    lb_status st = lb_scores_dims_match(ctx, b->description, b->dim_code, b->n_dims, a->description,
                                        a->dim_code, a->n_dims, r->pos);
    return st == LB_OK ? LB_OK : lb_ctx_error_prefix(ctx, st, "change: ");
}

/* The union of units, in the order of 'from' then the new ones of 'to'. */
static lb_status match_units(lb_ctx *ctx, change_run *r)
{
    const lb_scoreset *a = r->a.s, *b = r->b.s;
    size_t cap = a->n_units + b->n_units + 1;
    r->ua = malloc(cap * sizeof(long));
    r->ub = malloc(cap * sizeof(long));
    if (!r->ua || !r->ub)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < a->n_units; u++) {
        r->ua[r->n] = (long)u;
        r->ub[r->n++] = a == b ? (long)u : lb_scoreset_unit_index(b, a->id[u]);
    }
    for (size_t u = 0; a != b && u < b->n_units; u++)
        if (lb_scoreset_unit_index(a, b->id[u]) < 0) {
            r->ua[r->n] = -1;
            r->ub[r->n++] = (long)u;
        }
    return LB_OK;
}

static double side_value(const side *sd, long u, size_t k)
{
    return u < 0 ? NAN : lb_scoreset_value(sd->s, sd->t, k, (size_t)u);
}

static const char *side_text(char *const *v, long u)
{
    return v && u >= 0 ? v[u] : NULL;
}

/* Columns from, to, Δ (and the development class) of outcome k. */
static lb_status outcome_columns(lb_ctx *ctx, change_run *r, const char *code, size_t ka, size_t kb,
                                 int with_class)
{
    lb_column *c0, *c1, *cd, *ck = NULL;
    char n0[96], n1[96], nd[96], nk[96];
    snprintf(n0, sizeof(n0), "%s_from", code);
    snprintf(n1, sizeof(n1), "%s_to", code);
    snprintf(nd, sizeof(nd), "d_%s", code);
    snprintf(nk, sizeof(nk), "dk_%s", code);
    lb_status st = lb_table_add(ctx, r->t, n0, LB_COL_REAL, &c0);
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, n1, LB_COL_REAL, &c1);
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, nd, LB_COL_REAL, &cd);
    if (st == LB_OK && with_class)
        st = lb_table_add(ctx, r->t, nk, LB_COL_INT, &ck);
    if (st != LB_OK)
        return st;
    c0->decimals = c1->decimals = cd->decimals = 6;
    for (size_t i = 0; i < r->n; i++) {
        double v0 = side_value(&r->a, r->ua[i], ka), v1 = side_value(&r->b, r->ub[i], kb);
        c0->real[i] = v0;
        c1->real[i] = v1;
        cd->real[i] = v1 - v0; /* NaN when either is missing */
        if (ck) {
            int k = lb_change_dev_class(cd->real[i], r->dev.cuts, r->dev.n_cuts);
            ck->integer[i] = k ? k : LB_INT_NULL;
        }
    }
    return LB_OK;
}

static unsigned char *copy_wkb(const lb_scoreset *s, long u, size_t *size)
{
    if (u < 0 || !s->geom || s->geom_row[u] == SIZE_MAX)
        return NULL;
    size_t g = s->geom_row[u];
    unsigned char *w = malloc(s->geom->wkb_size[g]);
    if (w) {
        memcpy(w, s->geom->wkb[g], s->geom->wkb_size[g]);
        *size = s->geom->wkb_size[g];
    }
    return w;
}

static lb_status build_table(lb_ctx *ctx, change_run *r)
{
    const lb_scoreset *a = r->a.s, *b = r->b.s;
    lb_status st = lb_table_create(ctx, r->n, &r->t);
    lb_column *c = NULL;
    const char *idname = a->id_field ? a->id_field : "id";
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, idname, LB_COL_TEXT, &c);
    for (size_t i = 0; st == LB_OK && i < r->n; i++)
        if (!(c->text[i] = lb_core_strdup(r->ua[i] >= 0 ? a->id[r->ua[i]] : b->id[r->ub[i]])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    /* Name and parent codes when a side has them (the later side first: names change). */
    const char *tnames[3] = {"name", "WK_CODE", "GM_CODE"};
    char *const *va[3] = {a->name, a->wk_code, a->gm_code};
    char *const *vb[3] = {b->name, b->wk_code, b->gm_code};
    for (int j = 0; j < 3 && st == LB_OK; j++) {
        int any = 0;
        for (size_t i = 0; i < r->n && !any; i++)
            any = side_text(va[j], r->ua[i]) || side_text(vb[j], r->ub[i]);
        if (!any || strcasecmp(tnames[j], idname) == 0)
            continue;
        st = lb_table_add(ctx, r->t, tnames[j], LB_COL_TEXT, &c);
        for (size_t i = 0; st == LB_OK && i < r->n; i++) {
            const char *v = side_text(vb[j], r->ub[i]);
            if (!v)
                v = side_text(va[j], r->ua[i]);
            if (v && !(c->text[i] = lb_core_strdup(v)))
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
    }
    lb_column *y0 = NULL, *y1 = NULL, *status = NULL;
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, "year_from", LB_COL_INT, &y0);
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, "year_to", LB_COL_INT, &y1);
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, "status", LB_COL_TEXT, &status);
    size_t n_both = 0, n_from = 0, n_to = 0;
    for (size_t i = 0; st == LB_OK && i < r->n; i++) {
        y0->integer[i] = r->a.year;
        y1->integer[i] = r->b.year;
        int in0 = !isnan(side_value(&r->a, r->ua[i], LB_OUT_LBM));
        int in1 = !isnan(side_value(&r->b, r->ub[i], LB_OUT_LBM));
        const char *s = in0 && in1 ? "both" : in0 ? "only_from" : in1 ? "only_to" : "neither";
        n_both += in0 && in1;
        n_from += in0 && !in1;
        n_to += !in0 && in1;
        if (!(status->text[i] = lb_core_strdup(s)))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK)
        st = outcome_columns(ctx, r, "lbm", LB_OUT_LBM, LB_OUT_LBM, 1);
    /* The development label of Δlbm, and the score classes of both years. */
    lb_column *dk = st == LB_OK ? lb_table_col(r->t, "dk_lbm") : NULL;
    if (st == LB_OK)
        st = lb_table_add(ctx, r->t, "ontwikkeling", LB_COL_TEXT, &c);
    for (size_t i = 0; st == LB_OK && i < r->n; i++)
        if (dk->integer[i] != LB_INT_NULL &&
            !(c->text[i] = lb_core_strdup(r->dev.labels[dk->integer[i] - 1])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const side *sides[2] = {&r->a, &r->b};
    const char *kn[2] = {"kscore_from", "kscore_to"};
    for (int j = 0; j < 2 && st == LB_OK; j++) {
        st = lb_table_add(ctx, r->t, kn[j], LB_COL_INT, &c);
        for (size_t i = 0; st == LB_OK && i < r->n; i++) {
            int k = lb_model_classify(side_value(sides[j], j ? r->ub[i] : r->ua[i], LB_OUT_LBM),
                                      sides[j]->s->thresholds, LB_N_THRESHOLDS);
            c->integer[i] = k ? k : LB_INT_NULL;
        }
    }
    if (st == LB_OK)
        st = outcome_columns(ctx, r, "afw", LB_OUT_AFW, LB_OUT_AFW, 0);
    for (size_t d = 0; d < a->n_dims && st == LB_OK; d++)
        st = outcome_columns(ctx, r, a->dim_code[d], LB_OUT_DIM0 + d, LB_OUT_DIM0 + r->pos[d], 1);
    /* Weights (inhabitants) when the sources have them: what weighted summaries need. */
    for (int j = 0; j < 2 && st == LB_OK; j++) {
        const side *sd = sides[j];
        int any = 0;
        for (size_t i = 0; i < r->n && !any; i++) {
            long u = j ? r->ub[i] : r->ua[i];
            any = u >= 0 && !isnan(sd->s->weight[sd->t * sd->s->n_units + (size_t)u]);
        }
        if (!any)
            continue;
        st = lb_table_add(ctx, r->t, j ? "weight_to" : "weight_from", LB_COL_REAL, &c);
        for (size_t i = 0; st == LB_OK && i < r->n; i++) {
            long u = j ? r->ub[i] : r->ua[i];
            c->real[i] = u >= 0 ? sd->s->weight[sd->t * sd->s->n_units + (size_t)u] : NAN;
        }
        if (st == LB_OK)
            c->decimals = 2;
    }
    size_t n_geom = 0;
    for (size_t i = 0; st == LB_OK && i < r->n; i++) {
        size_t size = 0;
        unsigned char *w = copy_wkb(b, r->ub[i], &size);
        if (!w)
            w = copy_wkb(a, r->ua[i], &size);
        if (w) {
            n_geom++;
            st = lb_table_set_geometry(ctx, r->t, i, w, size);
        }
    }
    if (st != LB_OK)
        return st;
    r->n_geom = n_geom;
    if (n_geom == 0)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "change: neither source has polygons for the units; the outputs have no "
                   "geometry (give the polygons with --geometry PATH[:LAYER])");
    else if (n_geom < r->n)
        lb_ctx_log(ctx, LB_LOG_WARN, "change: %zu of %zu units have no polygon", r->n - n_geom,
                   r->n);
    if (n_from || n_to)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "change: %zu unit(s) are scored only in %d and %zu only in %d; their Δ is "
                   "missing",
                   n_from, r->a.year, n_to, r->b.year);
    /* Counts for run.json. */
    r->counts = json_object_new_object();
    json_object_object_add(r->counts, "units", json_object_new_int64((int64_t)r->n));
    json_object_object_add(r->counts, "both_years", json_object_new_int64((int64_t)n_both));
    json_object_object_add(r->counts, "only_from", json_object_new_int64((int64_t)n_from));
    json_object_object_add(r->counts, "only_to", json_object_new_int64((int64_t)n_to));
    json_object_object_add(r->counts, "with_geometry", json_object_new_int64((int64_t)n_geom));
    struct json_object *hist = json_object_new_object();
    lb_column *dl = lb_table_col(r->t, "d_lbm"), *w0 = lb_table_col(r->t, "weight_from");
    double sum = 0.0, sw = 0.0, swd = 0.0;
    size_t nd = 0;
    for (size_t k = 0; k <= r->dev.n_cuts; k++) {
        size_t cnt = 0;
        for (size_t i = 0; i < r->n; i++)
            cnt += dk->integer[i] == (int64_t)(k + 1);
        json_object_object_add(hist, r->dev.labels[k], json_object_new_int64((int64_t)cnt));
    }
    for (size_t i = 0; i < r->n; i++) {
        if (isnan(dl->real[i]))
            continue;
        sum += dl->real[i];
        nd++;
        if (w0 && w0->real[i] > 0.0) {
            sw += w0->real[i];
            swd += w0->real[i] * dl->real[i];
        }
    }
    json_object_object_add(r->counts, "dev_classes_lbm", hist);
    json_object_object_add(r->counts, "mean_d_lbm", nd ? json_object_new_double(sum / nd) : NULL);
    json_object_object_add(r->counts, "weighted_mean_d_lbm",
                           sw > 0.0 ? json_object_new_double(swd / sw) : NULL);
    return LB_OK;
}

/* ---- rasters when both sides are grid runs on one grid ---------------------------------- */

typedef struct raster_pair {
    lb_ctx *ctx;
    const change_run *r;
    unsigned char *cls; /* development class of Δlbm per cell, or NULL */
} raster_pair;

/* Band b of the Δ raster: band b of 'to' minus band b of 'from' (dimension bands matched on
 * code); for b = 0 also the development classes into p->cls when given. */
static lb_status fill_delta(void *user, size_t b, float *out)
{
    raster_pair *p = user;
    const change_run *r = p->r;
    int band_a = (int)b + 1, band_b = b == 0 ? 1 : (int)r->pos[b - 1] + 2;
    lb_source sa = {"from", r->path_a, NULL, NULL}, sb = {"to", r->path_b, NULL, NULL};
    lb_band *ra = NULL, *rb = NULL;
    lb_status st = lb_raster_read(p->ctx, &sa, band_a, &ra);
    if (st == LB_OK)
        st = lb_raster_read(p->ctx, &sb, band_b, &rb);
    if (st == LB_OK && (ra->grid.nx != r->grid.nx || ra->grid.ny != r->grid.ny ||
                        rb->grid.nx != r->grid.nx || rb->grid.ny != r->grid.ny))
        st = lb_ctx_error(p->ctx, LB_ERR_DATA, "change: '%s' and '%s' are not on the runs' grid",
                          r->path_a, r->path_b);
    size_t n = lb_grid_ncells(&r->grid);
    for (size_t c = 0; st == LB_OK && c < n; c++) {
        double d = rb->v[c] - ra->v[c];
        out[c] = (float)d;
        if (b == 0 && p->cls)
            p->cls[c] = (unsigned char)lb_change_dev_class(d, r->dev.cuts, r->dev.n_cuts);
    }
    lb_raster_destroy(ra);
    lb_raster_destroy(rb);
    return st;
}

/* The rasters of the result: the Δ bands, and the development class of Δlbm (NaN = none). */
static lb_status fill_result_delta(lb_ctx *ctx, const lb_raster *ra, size_t band, float *out,
                                   void *user)
{
    (void)ra;
    raster_pair p = {ctx, user, NULL};
    return fill_delta(&p, band, out);
}

static lb_status fill_result_class(lb_ctx *ctx, const lb_raster *ra, size_t band, float *out,
                                   void *user)
{
    (void)band;
    const change_run *r = user;
    raster_pair p = {ctx, r, NULL};
    lb_status st = fill_delta(&p, 0, out);
    for (size_t c = 0; st == LB_OK && c < ra->nx * ra->ny; c++) {
        int k = lb_change_dev_class(out[c], r->dev.cuts, r->dev.n_cuts);
        out[c] = k ? (float)k : NAN;
    }
    return st;
}

/* The development legend: classes of Δ with the cuts as breaks. */
static lb_class_table dev_classes(const change_run *r, const char *title)
{
    return (lb_class_table){r->dev.n_cuts + 1, r->dev.labels, r->dev.colours, r->dev.cuts, title};
}

/* The grid of a run from the "grid" member of its run.json @p file: *has = 0 when there is none
 * (an area run); every member type-checked and in range, else LB_ERR_DATA naming the member. */
static lb_status grid_of(lb_ctx *ctx, const char *file, lb_grid *out, int *has)
{
    struct json_object *doc = NULL, *g = NULL, *v[5] = {NULL};
    *has = 0;
    lb_status st = lb_io_json_read_object(ctx, file, &doc);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "grid", json_type_object, 0, &g);
    static const char *const keys[5] = {"cell_m", "x0", "y0", "nx", "ny"};
    for (size_t k = 0; st == LB_OK && g && k < 5; k++)
        st = lb_io_json_member(ctx, file, g, "grid", keys[k], json_type_double, 1, &v[k]);
    if (st == LB_OK && g) {
        double x[5];
        for (size_t k = 0; k < 5; k++)
            x[k] = json_object_get_double(v[k]);
        /* The widest grid of the Netherlands at 1 m is ~300 000 columns; 1e7 bounds the cast. */
        if (!(x[0] > 0.0 && x[0] < 1e6) || !isfinite(x[1]) || !isfinite(x[2]) ||
            !(x[3] >= 1 && x[3] <= 1e7 && x[3] == floor(x[3])) ||
            !(x[4] >= 1 && x[4] <= 1e7 && x[4] == floor(x[4])))
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "'%s': grid (cell_m %g, x0 %g, y0 %g, nx %g, ny %g) is not a grid; "
                              "was it written by leefbaar score?",
                              file, x[0], x[1], x[2], x[3], x[4]);
        else {
            *out = (lb_grid){x[1], x[2], x[0], (int)x[3], (int)x[4]};
            *has = 1;
        }
    }
    json_object_put(doc);
    return st;
}

/* Whether the Δ rasters can be made: both sides are runs of this tool on one grid with their
 * score rasters present (r->rasters, r->grid, r->path_a/b). */
static lb_status find_rasters(lb_ctx *ctx, change_run *r)
{
    if (!r->a.dir || !r->b.dir)
        return LB_OK;
    lb_grid gb = {0};
    int has_a = 0, has_b = 0;
    lb_status st = grid_of(ctx, r->a.json, &r->grid, &has_a);
    if (st == LB_OK)
        st = grid_of(ctx, r->b.json, &gb, &has_b);
    if (st != LB_OK)
        return st;
    int ok = has_a && has_b && r->grid.cell_m == gb.cell_m && r->grid.x0 == gb.x0 &&
             r->grid.y0 == gb.y0 && r->grid.nx == gb.nx && r->grid.ny == gb.ny;
    if (!ok)
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "change: the sources are not grid runs on one grid; no Δ rasters");
    if (ok) {
        snprintf(r->path_a, sizeof(r->path_a), "%s/scores_%d.tif", r->a.dir, r->a.year);
        snprintf(r->path_b, sizeof(r->path_b), "%s/scores_%d.tif", r->b.dir, r->b.year);
        struct stat sb;
        if (stat(r->path_a, &sb) != 0 || stat(r->path_b, &sb) != 0) {
            lb_ctx_log(ctx, LB_LOG_WARN, "change: no Δ raster: '%s' or '%s' is missing", r->path_a,
                       r->path_b);
            ok = 0;
        }
    }
    r->rasters = ok;
    return LB_OK;
}

/* The band names d_lbm, d_<dimension>; NULL when out of memory. Free with free_names. */
static char **band_names(const change_run *r, size_t nb)
{
    char **names = calloc(nb, sizeof(char *));
    for (size_t k = 0; names && k < nb; k++)
        if (!(names[k] = lb_core_strfmt("d_%s", k ? r->a.s->dim_code[k - 1] : "lbm"))) {
            for (size_t j = 0; j < k; j++)
                free(names[j]);
            free(names);
            return NULL;
        }
    return names;
}

static void free_names(char **names, size_t nb)
{
    for (size_t k = 0; names && k < nb; k++)
        free(names[k]);
    free(names);
}

/* Add the Δ and class rasters to the result. */
static lb_status add_rasters(lb_ctx *ctx, change_run *r, lb_result *res)
{
    if (!r->rasters)
        return LB_OK;
    size_t nb = 1 + r->a.s->n_dims;
    const lb_grid *g = &r->grid;
    const double gt[6] = {g->x0, g->cell_m, 0.0, g->y0 + g->ny * g->cell_m, 0.0, -g->cell_m};
    char **names = band_names(r, nb);
    char delta[64], cls[64];
    snprintf(delta, sizeof(delta), "change_%d_%d", r->a.year, r->b.year);
    snprintf(cls, sizeof(cls), "change_class_%d_%d", r->a.year, r->b.year);
    const char *const dk[1] = {"dk_lbm"};
    lb_status st = names ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_result_add_raster(ctx, res, delta, (size_t)g->nx, (size_t)g->ny, gt, nb,
                                  (const char *const *)names, fill_result_delta, r, NULL);
    if (st == LB_OK)
        st = lb_result_add_raster(ctx, res, cls, (size_t)g->nx, (size_t)g->ny, gt, 1, dk,
                                  fill_result_class, r, NULL);
    free_names(names, nb);
    return st;
}

/* change_class_<code>_<y0>_<y1>.tif: the development class of dimension @p d's Δ (band d + 1 of
 * the Δ raster) with the development legend and its QGIS sidecar, so that a dimension's
 * development shows in QGIS as the total's does. @p delta and @p cls are scratch of
 * lb_grid_ncells cells. */
static lb_status write_dim_class(lb_ctx *ctx, change_run *r, size_t d, const lb_raster_opts *ro,
                                 float *delta, unsigned char *cls)
{
    raster_pair p = {.ctx = ctx, .r = r};
    lb_status st = fill_delta(&p, d + 1, delta);
    size_t n = lb_grid_ncells(&r->grid);
    for (size_t c = 0; st == LB_OK && c < n; c++)
        cls[c] = (unsigned char)lb_change_dev_class(delta[c], r->dev.cuts, r->dev.n_cuts);
    const char *code = r->a.s->dim_code[d];
    char title[160];
    snprintf(title, sizeof(title), "Ontwikkeling %s %d-%d", r->a.s->dim_label[d], r->a.year,
             r->b.year);
    const lb_class_table ct = dev_classes(r, title);
    if (st != LB_OK)
        return st;
    char base[256];
    snprintf(base, sizeof(base), "change_class_%s_%d_%d", code, r->a.year, r->b.year);
    return lb_style_write_class_map(ctx, &r->out, base, &r->grid, cls, &ct, ro, r->outputs);
}

/* The Δ raster (bands written one at a time), the development-class raster, their QGIS
 * sidecars and with "preview" a PNG of the class map; per dimension its development-class
 * raster. */
static lb_status write_rasters(lb_ctx *ctx, change_run *r)
{
    if (!r->rasters)
        return LB_OK;
    raster_pair p = {.ctx = ctx, .r = r};
    const lb_scoreset *a = r->a.s;
    size_t n = lb_grid_ncells(&r->grid), nb = 1 + a->n_dims;
    char **names = band_names(r, nb);
    const char **units = calloc(nb, sizeof(char *));
    char *meta[4] = {lb_core_strfmt("LEEFBAAR_FROM_YEAR=%d", r->a.year),
                     lb_core_strfmt("LEEFBAAR_TO_YEAR=%d", r->b.year),
                     lb_core_strfmt("LEEFBAAR_DEVELOPMENT=to - from"), NULL};
    p.cls = calloc(n ? n : 1, 1);
    lb_status st = LB_OK;
    if (!names || !units || !p.cls || !meta[0] || !meta[1] || !meta[2])
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == LB_OK && k < nb; k++)
        units[k] = "score change";
    char title[64], yy[32];
    snprintf(title, sizeof(title), "Ontwikkeling %d-%d", r->a.year, r->b.year);
    snprintf(yy, sizeof(yy), "_%d_%d", r->a.year, r->b.year);
    const lb_class_table ct = dev_classes(r, title);
    const lb_raster_opts ro = {r->w->raster_format, r->w->creation_options,
                               (const char *const *)meta};
    /* The preview draws the wijken (or units) of the change table over the classes. */
    lb_preview_areas areas = {0};
    if (st == LB_OK && r->w->preview)
        st = lb_preview_areas_from_table(ctx, r->t, 0, a->id_field ? a->id_field : "id", &areas);
    /* the Δ raster's fill also classifies Δlbm into p.cls */
    const lb_mapset ms = {"change",
                          "change_class",
                          yy,
                          &r->grid,
                          nb,
                          fill_delta,
                          &p,
                          (const char *const *)names,
                          units,
                          p.cls,
                          &ct,
                          &ro,
                          r->w->preview,
                          &areas};
    if (st == LB_OK)
        st = lb_mapset_write(ctx, &r->out, &ms, r->outputs);
    float *delta = st == LB_OK ? malloc((n ? n : 1) * sizeof(float)) : NULL;
    if (st == LB_OK && !delta)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t d = 0; st == LB_OK && d < a->n_dims; d++)
        st = write_dim_class(ctx, r, d, &ro, delta, p.cls);
    free(delta);
    lb_preview_areas_free(&areas);
    free_names(names, nb);
    for (size_t k = 0; k < 3; k++)
        free(meta[k]);
    free(units);
    free(p.cls);
    return st;
}

/* ---- outputs ------------------------------------------------------------------------------ */

static lb_status write_table(lb_ctx *ctx, change_run *r, const char *file, lb_vector_format fmt)
{
    lb_vector_opts vo = {.format = fmt,
                         .layer = "change",
                         .geojson_rd = r->w->geojson_rd,
                         .csv_sep = r->w->csv_sep,
                         .full_precision = r->w->full_precision};
    char *path = lb_outdir_tmp_path(&r->out, file);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    /* The GeoPackage keeps full precision; GeoJSON and CSV are rounded for people. */
    int decimals[LB_TABLE_MAX_COLS];
    for (size_t j = 0; j < r->t->n_cols; j++) {
        decimals[j] = r->t->cols[j].decimals;
        if (fmt == LB_FMT_GPKG)
            r->t->cols[j].decimals = -1;
    }
    lb_status st = lb_write_vector(ctx, path, r->t, &vo);
    for (size_t j = 0; j < r->t->n_cols; j++)
        r->t->cols[j].decimals = decimals[j];
    free(path);
    if (st == LB_OK)
        json_object_array_add(r->outputs, json_object_new_string(file));
    return st;
}

/* change.gpkg's layer opens in QGIS categorized on dk_lbm with the development legend (style
 * "d_lbm", the default); its other styles show the development of each dimension ("d_<code>",
 * dk_<code>) and the class of lbm in either year ("lbm_<year>", kscore_from / kscore_to).
 * change.qml styles change.geojson on dk_lbm. All need polygons. */
static lb_status style_tables(lb_ctx *ctx, change_run *r)
{
    if (r->n_geom == 0)
        return LB_OK;
    char title[64];
    snprintf(title, sizeof(title), "Ontwikkeling %d-%d", r->a.year, r->b.year);
    const lb_class_table ct = dev_classes(r, title);
    const lb_style style = {
        .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "dk_lbm", .outline = 1};
    char *gpkg = lb_outdir_tmp_path(&r->out, "change.gpkg");
    char *qml = lb_outdir_tmp_path(&r->out, "change.qml");
    lb_status st = gpkg && qml ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_io_gpkg_add_style(ctx, gpkg, "change", &style, "d_lbm",
                                  "leefbaar: development classes (dk_lbm)", 1);
    for (size_t d = 0; st == LB_OK && d < r->a.s->n_dims; d++) {
        char name[80], field[80], desc[160];
        snprintf(name, sizeof(name), "d_%s", r->a.s->dim_code[d]);
        snprintf(field, sizeof(field), "dk_%s", r->a.s->dim_code[d]);
        snprintf(desc, sizeof(desc), "leefbaar: development classes of %s (%s)",
                 r->a.s->dim_code[d], field);
        const lb_style ds = {
            .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = field, .outline = 1};
        st = lb_io_gpkg_add_style(ctx, gpkg, "change", &ds, name, desc, 0);
    }
    const side *sides[2] = {&r->a, &r->b};
    for (int j = 0; j < 2 && st == LB_OK; j++) {
        char name[32], desc[96];
        const char *field = j ? "kscore_to" : "kscore_from";
        snprintf(name, sizeof(name), "lbm_%d", sides[j]->year);
        snprintf(desc, sizeof(desc), "leefbaar: Leefbaarometer-klasse %d (%s)", sides[j]->year,
                 field);
        const lb_scoreset *ss = sides[j]->s;
        const lb_class_table kt = {LB_N_CLASSES, (const char *const *)ss->class_labels,
                                   (const char *const *)ss->class_colours, ss->thresholds, NULL};
        const lb_style ks = {
            .kind = LB_STYLE_VECTOR_CLASSES, .classes = &kt, .field = field, .outline = 1};
        st = lb_io_gpkg_add_style(ctx, gpkg, "change", &ks, name, desc, 0);
    }
    if (st == LB_OK)
        st = lb_style_write_qml(ctx, qml, &style);
    if (st == LB_OK)
        json_object_array_add(r->outputs, json_object_new_string("change.qml"));
    free(gpkg);
    free(qml);
    return st;
}

static struct json_object *side_json(const side *sd, const lb_score_source *src)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(src->path));
    json_object_object_add(o, "description", json_object_new_string(sd->s->description));
    json_object_object_add(o, "published", json_object_new_boolean(sd->s->is_published));
    json_object_object_add(o, "year", json_object_new_int(sd->year));
    json_object_object_add(o, "id_field",
                           sd->s->id_field ? json_object_new_string(sd->s->id_field) : NULL);
    json_object_object_add(o, "ref", isnan(sd->s->ref) ? NULL : json_object_new_double(sd->s->ref));
    return o;
}

/* run.json without its outputs, from what the compute knows. */
static lb_status build_doc(lb_ctx *ctx, change_run *r)
{
    const lb_change_options *o = r->o;
    struct json_object *doc = lb_provenance_begin("change", o->command_line);
    if (!doc)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    json_object_object_add(doc, "from", side_json(&r->a, &o->from));
    json_object_object_add(doc, "to", side_json(&r->b, o->to.path ? &o->to : &o->from));
    const char *inputs[2] = {r->from_path, r->to_path};
    lb_status st = lb_provenance_inputs(ctx, doc, inputs, 2);
    struct json_object *dev = json_object_new_object(), *cuts = json_object_new_array(),
                       *labels = json_object_new_array(), *colours = json_object_new_array();
    for (size_t k = 0; k < r->dev.n_cuts; k++)
        json_object_array_add(cuts, json_object_new_double(r->dev.cuts[k]));
    for (size_t k = 0; k <= r->dev.n_cuts; k++) {
        json_object_array_add(labels, json_object_new_string(r->dev.labels[k]));
        json_object_array_add(colours, json_object_new_string(r->dev.colours[k]));
    }
    json_object_object_add(dev, "cuts", cuts);
    json_object_object_add(dev, "labels", labels);
    json_object_object_add(dev, "colours", colours);
    json_object_object_add(dev, "rule",
                           json_object_new_string("a Δ equal to a cut belongs to "
                                                  "the upper class"));
    json_object_object_add(doc, "development", dev);
    json_object_object_add(doc, "counts", json_object_get(r->counts));
    if (st == LB_OK)
        st = lb_provenance_end(ctx, doc, NULL, 0, NULL, NULL);
    r->doc = doc;
    return st;
}

/* run.json: the compute's document with the result's warnings, those the write gave since
 * warning @p n0 of @p ctx, and the files written. */
static lb_status write_run_json(lb_ctx *ctx, change_run *r, const lb_result *res, size_t n0)
{
    struct json_object *doc = NULL;
    if (json_object_deep_copy(r->doc, &doc, NULL) != 0)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    json_object_array_add(r->outputs, json_object_new_string("run.json"));
    json_object_object_add(
        doc, "viewer",
        r->w->viewer ? lb_viewer_choice_json(r->w->viewer_lib, r->w->viewer_title) : NULL);
    lb_status st = lb_provenance_end(ctx, doc, res, n0, NULL, json_object_get(r->outputs));
    char *path = st == LB_OK ? lb_outdir_tmp_path(&r->out, "run.json") : NULL;
    if (st == LB_OK)
        st =
            path ? lb_write_json(ctx, path, doc) : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(path);
    json_object_put(doc);
    return st;
}

static void change_free(void *payload)
{
    change_run *r = payload;
    if (!r)
        return;
    if (r->b.own)
        lb_scoreset_destroy(r->b.s);
    if (r->a.own)
        lb_scoreset_destroy(r->a.s);
    free(r->a.dir);
    free(r->a.json);
    free(r->b.dir);
    free(r->b.json);
    free(r->from_path);
    free(r->to_path);
    free(r->pos);
    free(r->ua);
    free(r->ub);
    json_object_put(r->counts);
    json_object_put(r->doc);
    free(r);
}

/* --viewer: OUTDIR/viewer, the score runs compared on a map, written into the temporary
 * directory after run.json, so that it is committed with the other files or not at all. */
static lb_status write_viewer(lb_ctx *ctx, change_run *r)
{
    lb_status st = lb_ctx_progress(ctx, 0.95, "viewer");
    return st != LB_OK ? st
                       : lb_viewer_write_in_run(ctx, "change --viewer", r->doc, r->out.tmp,
                                                r->w->outdir, r->w->viewer_lib, r->w->viewer_title);
}

/* The writer of a change result: every file into a temporary directory, moved into place
 * when all are complete. */
static lb_status change_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w)
{
    change_run *r = lb_result_payload(res);
    if (w->csv_sep && w->csv_sep != ',' && w->csv_sep != ';')
        return lb_ctx_error(ctx, LB_ERR_ARG, "change: the CSV separator must be ',' or ';'");
    const lb_raster_opts ro = {w->raster_format, w->creation_options, NULL};
    lb_status st = lb_raster_opts_check(ctx, &ro);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "change: ");
    size_t n0 = lb_ctx_warning_count(ctx);
    r->w = w;
    /* the table's decimals are switched for the GeoPackage and back while writing */
    r->t = (lb_table *)lb_result_table_by_name(res, "change");
    r->outputs = json_object_new_array();
    memset(&r->out, 0, sizeof(r->out));
    st = lb_outdir_open(ctx, w->outdir,
                        &(lb_outdir_spec){.overwrite = w->overwrite,
                                          .inputs = (const char *const[]){r->from_path, r->to_path},
                                          .n_inputs = r->to_path ? 2 : 1},
                        &r->out);
    if (st == LB_OK)
        st = write_table(ctx, r, "change.gpkg", LB_FMT_GPKG);
    if (st == LB_OK)
        st = write_table(ctx, r, "change.geojson", LB_FMT_GEOJSON);
    if (st == LB_OK)
        st = write_table(ctx, r, "change.csv", LB_FMT_CSV);
    if (st == LB_OK)
        st = style_tables(ctx, r);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.5, "rasters");
    if (st == LB_OK)
        st = write_rasters(ctx, r);
    if (st == LB_OK && w->viewer)
        json_object_array_add(r->outputs, json_object_new_string(LB_VIEWER_RUN_FOLDER));
    if (st == LB_OK)
        st = write_run_json(ctx, r, res, n0);
    if (st == LB_OK && w->viewer)
        st = write_viewer(ctx, r);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &r->out);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 1.0, "done");
    lb_outdir_abort(&r->out);
    json_object_put(r->outputs);
    r->outputs = NULL;
    r->w = NULL;
    return st;
}

static const lb_result_ops change_ops = {change_write, change_free};

lb_status lb_change_compute(lb_ctx *ctx, const lb_change_options *o, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->from.path)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "change: the scores (--from or --scores) are required");
    if (o->csv_sep && o->csv_sep != ',' && o->csv_sep != ';')
        return lb_ctx_error(ctx, LB_ERR_ARG, "change: the CSV separator must be ',' or ';'");
    /* a bad -of or -co fails before any work */
    const lb_raster_opts ro = {o->raster_format, o->creation_options, NULL};
    lb_status st = lb_raster_opts_check(ctx, &ro);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "change: ");
    lb_result *res = NULL;
    change_run *r = calloc(1, sizeof(*r));
    st = r ? lb_result_create(ctx, "change", &change_ops, &res)
           : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK) {
        free(r);
        return st;
    }
    lb_result_set_payload(res, r);
    r->o = o;
    r->from_path = lb_core_strdup(o->from.path);
    r->to_path = lb_core_strdup(o->to.path);
    if (!r->from_path || (o->to.path && !r->to_path))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = read_sides(ctx, r);
    if (st == LB_OK)
        st = match_dimensions(ctx, r);
    if (st == LB_OK)
        st = lb_change_dev_choose(ctx, o, r->a.s->n_dev_cuts, r->a.s->dev_cuts, r->a.s->dev_labels,
                                  r->a.s->dev_colours, &r->dev);
    if (st == LB_OK)
        st = match_units(ctx, r);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.3, "change");
    if (st == LB_OK)
        st = build_table(ctx, r);
    if (st == LB_OK) {
        st = lb_result_add_table(ctx, res, "change", r->t);
        if (st != LB_OK)
            r->t = NULL; /* freed by lb_result_add_table */
    } else {
        lb_table_destroy(r->t);
        r->t = NULL;
    }
    if (st == LB_OK)
        st = find_rasters(ctx, r);
    if (st == LB_OK)
        st = add_rasters(ctx, r, res);
    if (st == LB_OK)
        st = build_doc(ctx, r);
    if (st == LB_OK)
        st = lb_provenance_set(ctx, res, r->doc);
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    r->o = NULL;
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}

lb_status lb_change_exec(lb_ctx *ctx, const lb_change_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->from.path || !o->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "change: the scores (--from or --scores) and an output "
                            "directory are required");
    lb_result *res = NULL;
    lb_status st = lb_change_compute(ctx, o, &res);
    if (st == LB_OK) {
        const lb_write_opts w = {.outdir = o->outdir,
                                 .overwrite = o->overwrite,
                                 .csv_sep = o->csv_sep,
                                 .full_precision = o->full_precision,
                                 .geojson_rd = o->geojson_rd,
                                 .raster_format = o->raster_format,
                                 .creation_options = o->creation_options,
                                 .preview = o->preview};
        st = lb_result_write_with(ctx, res, &w);
    }
    lb_result_destroy(res);
    return st;
}

/* --viewer, before any work: the web-map library is there and both sources are score runs
 * (the viewer maps a run's units; a published table has none). */
static lb_status viewer_precheck(lb_ctx *ctx, const lb_opts *opts, const lb_change_options *o)
{
    lb_status st = lb_viewer_lib_check(ctx, "change --viewer", lb_opts_get_str(opts, "viewer-lib"));
    const char *paths[2] = {o->from.path, o->to.path};
    for (int k = 0; st == LB_OK && k < 2; k++) {
        char *json = NULL, *dir = NULL;
        if (paths[k] && !lb_scores_run_paths(paths[k], &json, &dir))
            st = lb_ctx_error(ctx, LB_ERR_ARG,
                              "change --viewer: '%s' is no output folder of leefbaar score; the "
                              "viewer maps the units of score runs (a table of scores has none): "
                              "leave out --viewer, or compare two score runs",
                              paths[k]);
        free(json);
        free(dir);
    }
    return st;
}

lb_status lb_change_run(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || strcmp(lb_opts_operation(opts), "change") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_change_run: options of \"%s\", not of \"change\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "change: ");
    lb_change_options o;
    lb_change_options_init(&o);
    const char *scores = lb_opts_get_str(opts, "scores");
    o.from.path = scores ? scores : lb_opts_get_str(opts, "from");
    o.to.path = scores ? NULL : lb_opts_get_str(opts, "to");
    lb_score_source *sides[2] = {&o.from, &o.to};
    for (int k = 0; k < 2; k++) {
        sides[k]->layer = lb_opts_get_str(opts, "layer");
        sides[k]->id_field = lb_opts_get_str(opts, "id-field");
        sides[k]->year_field = lb_opts_get_str(opts, "year-field");
        sides[k]->weight_field = lb_opts_get_str(opts, "weight-field");
        sides[k]->geometry = lb_opts_get_str(opts, "geometry");
        sides[k]->geometry_id = lb_opts_get_str(opts, "geometry-id");
        sides[k]->s_srs = lb_opts_get_str(opts, "s-srs");
    }
    o.from_year = (int)lb_opts_get_int(opts, "from-year", 0);
    o.to_year = (int)lb_opts_get_int(opts, "to-year", 0);
    o.dev_classes = (int)lb_opts_get_int(opts, "dev-classes", 0);
    double cuts[16];
    const char *dev_cuts = lb_opts_get_str(opts, "dev-cuts");
    if (dev_cuts && lb_opts_parse_reals(dev_cuts, cuts, 16, &o.n_dev_cuts))
        o.dev_cuts = cuts;
    o.command_line = lb_opts_get_str(opts, "command-line");
    if (lb_opts_get_flag(opts, "viewer"))
        st = viewer_precheck(ctx, opts, &o);
    return st == LB_OK ? lb_change_compute(ctx, &o, out) : st;
}
