/* SPDX-License-Identifier: MIT */
/* Indicator kinds evaluated at grid cells, in parallel over cells (OpenMP). Every cell's value
 * is computed by one thread in a fixed order, so results are bit-identical for any number of
 * threads; workers never touch the context: failures are flagged and reported after the loop. */
#include "indicators.h"

#include "../core/ctx.h"
#include "../geom/disc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cells per scheduling chunk: large enough to amortise scheduling, small enough to balance
 * cells of very different cost (dense city centre vs countryside). */
enum { CHUNK = 64 };

static lb_status ind_error(lb_ctx *ctx, const lb_indicator *ind, lb_status st)
{
    return lb_ctx_error_prefix(ctx, st, "indicator '%s' (model line %d): ", ind->id, ind->line);
}

/* Centre of the cell at position k of the list. */
static void centre(const lb_grid *g, const uint32_t *cells, size_t k, double *x, double *y)
{
    lb_grid_cell_centre(g, cells[k], x, y);
}

/* ---- polygon attributes ---------------------------------------------------------------- */

/* attribute (intensive: coverage-weighted mean of known values; extensive: area-share sum,
 * missing if any covering polygon's value is missing) and ratio (Σ num·share / Σ den·share).
 * The polygons of each cell are visited in polygon order, as a polygon-major pass would. */
static lb_status eval_polygon_attr(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                   const lb_grid *g, const uint32_t *cells, size_t n, double *out)
{
    const lb_vlayer *l = NULL;
    const lb_cells_cover *cc = NULL;
    lb_status st = lb_inputs_vector(ctx, in, ind->layer, NULL, &l);
    if (st == LB_OK && l->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "input '%s' ('%s' layer '%s') must be a polygon layer here", l->name,
                            l->path, l->layer);
    if (st == LB_OK)
        st = lb_inputs_cells_cover(ctx, in, ind->layer, g, cells, n, &cc);
    if (st != LB_OK)
        return st;
    int is_ratio = ind->kind == LB_KIND_RATIO;
    const lb_field *fa = lb_vlayer_field(ctx, l, is_ratio ? ind->numerator : ind->field);
    const lb_field *fb = is_ratio ? lb_vlayer_field(ctx, l, ind->denominator) : NULL;
    if (!fa || (is_ratio && !fb))
        return LB_ERR_DATA;
    double cell_area = g->cell_m * g->cell_m;
    int extensive = ind->extensive && !is_ratio;
#pragma omp parallel for num_threads(lb_ctx_threads(ctx)) schedule(dynamic, CHUNK)
    for (size_t k = 0; k < n; k++) {
        double num = 0.0, den = 0.0;
        int bad = 0;
        for (size_t e = cc->off[k]; e < cc->off[k + 1]; e++) {
            size_t p = cc->poly[e];
            double a = fa->num[p], b = fb ? fb->num[p] : 1.0, fr = cc->frac[e];
            if (isnan(a) || isnan(b)) {
                bad = 1;
                continue;
            }
            double share = l->area_m2[p] > 0.0 ? cell_area / l->area_m2[p] : 0.0;
            if (is_ratio) {
                num += a * fr * share;
                den += b * fr * share;
            } else if (extensive) {
                num += a * fr * share;
                den = 1.0;
            } else {
                num += a * fr;
                den += fr;
            }
        }
        if (extensive && bad)
            den = 0.0;
        out[k] = den == 0.0 ? NAN : num / den;
    }
    return LB_OK;
}

/* ---- features within a radius, nearest feature ------------------------------------------ */

/* The weight (inhabitants, dwellings) inside the disc of the stencil around cell c: Σ over
 * the cells the disc touches of weight × exact share of the cell inside the disc. */
static double disc_weight(const lb_grid *g, const lb_disc_stencil *s, const double *cell_w,
                          uint32_t c)
{
    double sw, sv;
    lb_disc_stencil_sum(s, cell_w, g->nx, g->ny, (long)(c % (uint32_t)g->nx),
                        (long)(c / (uint32_t)g->nx), &sw, &sv);
    return sv;
}

static lb_status eval_features(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                               const lb_grid *g, const uint32_t *cells, size_t n,
                               const double *cell_w, double *out)
{
    const lb_index *ix = NULL;
    lb_status st = lb_inputs_index(ctx, in, ind->layer, ind->filter, &ix);
    if (st != LB_OK)
        return st;
    const double *weights = NULL;
    if (ind->kind == LB_KIND_DENSITY && ind->field) {
        const lb_vlayer *l = NULL;
        st = lb_inputs_vector(ctx, in, ind->layer, ind->filter, &l);
        if (st != LB_OK)
            return st;
        const lb_field *f = lb_vlayer_field(ctx, l, ind->field);
        if (!f)
            return LB_ERR_DATA;
        weights = f->num;
    }
    int threads = lb_ctx_threads(ctx);
    if (ind->kind == LB_KIND_NEAREST_DISTANCE) {
#pragma omp parallel for num_threads(threads) schedule(dynamic, CHUNK)
        for (size_t k = 0; k < n; k++) {
            double x, y;
            centre(g, cells, k, &x, &y);
            out[k] = lb_index_nearest_capped(ix, x, y, ind->cap_m);
        }
        return LB_OK;
    }
    lb_disc_stencil disc = {0};
    int per = ind->kind == LB_KIND_COUNT_WITHIN && ind->per > 0.0;
    /* Radius 0 (count_within only): the features inside the cell, as area mode counts those
     * inside the unit; per then divides by the cell's own weight. */
    int in_cell = !(ind->radius_m > 0.0);
    if (in_cell && ind->kind != LB_KIND_COUNT_WITHIN)
        return lb_ctx_error(ctx, LB_ERR_MODEL, "%s needs a radius above 0",
                            lb_kind_name(ind->kind));
    if (per && !cell_w)
        return lb_ctx_error(ctx, LB_ERR_ARG, "'per' needs the cell weights (none were given)");
    if (per && !in_cell) {
        st = lb_disc_stencil_build(ctx, ind->radius_m / g->cell_m, 0.5, 0.5, &disc);
        if (st != LB_OK) {
            lb_disc_stencil_free(&disc);
            return st;
        }
    }
    double disc_km2 = LB_PI * ind->radius_m * ind->radius_m / 1.0e6;
    int failed = 0;
#pragma omp parallel num_threads(threads) reduction(| : failed)
    {
        lb_query_scratch sc = {0};
        int ok = lb_query_scratch_init(NULL, ix, &sc) == LB_OK;
        failed |= !ok;
#pragma omp for schedule(dynamic, CHUNK)
        for (size_t k = 0; k < n; k++) {
            if (!ok) {
                out[k] = NAN;
                continue;
            }
            double x, y, v;
            if (in_cell) {
                lb_grid_cell_ll(g, cells[k], &x, &y);
                v = lb_index_in_box(ix, &sc, x, y, x + g->cell_m, y + g->cell_m, weights);
            } else {
                centre(g, cells, k, &x, &y);
                v = lb_index_within(ix, &sc, x, y, ind->radius_m, weights);
            }
            if (ind->kind == LB_KIND_DENSITY) {
                v /= disc_km2;
            } else if (per) {
                double w = in_cell ? cell_w[cells[k]] : disc_weight(g, &disc, cell_w, cells[k]);
                v = w > 0.0 ? v / w * ind->per : NAN;
            }
            out[k] = v;
        }
        lb_query_scratch_free(&sc);
    }
    lb_disc_stencil_free(&disc);
    if (failed)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the query scratch of '%s'",
                            ind->layer);
    return LB_OK;
}

/* ---- share of a disc covered by polygons -------------------------------------------------- */

/* Append @p s to @p buf at *o, doubling every @p quote character and enclosing it in quotes. */
static void put_quoted(char *buf, size_t *o, const char *s, char quote)
{
    buf[(*o)++] = quote;
    for (; *s; s++) {
        if (*s == quote)
            buf[(*o)++] = quote;
        buf[(*o)++] = *s;
    }
    buf[(*o)++] = quote;
    buf[*o] = '\0';
}

/* *out = "(filter) AND ("field" = value)" for the polygon class of a share_within, or the
 * filter alone (NULL when there is none); the value is quoted as text for a text field and
 * must be a number otherwise. The caller frees *out. */
static lb_status class_filter(lb_ctx *ctx, const lb_indicator *ind, const lb_vlayer *l, char **out)
{
    *out = NULL;
    if (!ind->field) {
        *out = lb_core_strdup(ind->filter);
        return !ind->filter || *out ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    const lb_field *f = lb_vlayer_field(ctx, l, ind->field);
    if (!f)
        return LB_ERR_DATA;
    double num = f->is_string ? 0.0 : lb_io_parse_number(ind->value);
    if (isnan(num))
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "field '%s' of '%s' is numeric but value '%s' is not a number",
                            ind->field, l->path, ind->value);
    /* Worst case: every character doubled by quoting, plus the quotes. */
    size_t nf = 2 * strlen(ind->field) + 3, nv = 2 * strlen(ind->value) + 32;
    char *qf = malloc(nf), *qv = malloc(nv);
    if (qf && qv) {
        size_t o = 0;
        put_quoted(qf, &o, ind->field, '"');
        o = 0;
        if (f->is_string)
            put_quoted(qv, &o, ind->value, '\'');
        else
            snprintf(qv, nv, "%.17g", num);
        *out = ind->filter ? lb_core_strfmt("(%s) AND (%s = %s)", ind->filter, qf, qv)
                           : lb_core_strfmt("%s = %s", qf, qv);
    }
    free(qf);
    free(qv);
    return *out ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

static lb_status eval_share_polygons(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                     const lb_grid *g, const uint32_t *cells, size_t n, double *out)
{
    const lb_vlayer *l = NULL;
    lb_status st = lb_inputs_vector(ctx, in, ind->layer, ind->filter, &l);
    if (st != LB_OK)
        return st;
    if (l->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "input '%s' ('%s' layer '%s') must be a polygon layer or a raster for "
                            "share_within",
                            l->name, l->path, l->layer);
    char *filter = NULL;
    st = class_filter(ctx, ind, l, &filter);
    if (st != LB_OK)
        return st;
    const lb_index *ix = NULL;
    st = lb_inputs_index(ctx, in, ind->layer, filter, &ix);
    free(filter);
    if (st != LB_OK)
        return st;
    double r = ind->radius_m, disc = LB_PI * r * r;
#pragma omp parallel for num_threads(lb_ctx_threads(ctx)) schedule(dynamic, CHUNK)
    for (size_t k = 0; k < n; k++) {
        double x, y;
        centre(g, cells, k, &x, &y);
        double s = lb_index_disc_area(ix, x, y, r) / disc;
        out[k] = s < 0.0 ? 0.0 : (s > 1.0 ? 1.0 : s);
    }
    return LB_OK;
}

/* ---- rasters ------------------------------------------------------------------------------- */

/* Where a cell centre falls on a raster: pixel (iu, iv) and the offset (fu, fv) in [0, 1)
 * inside it, in pixel units (v grows southwards like the rows). */
typedef struct on_raster {
    double fu, fv;
    long iu, iv;
    uint32_t k;
} on_raster;

static on_raster locate(const lb_band *r, const lb_grid *g, const uint32_t *cells, size_t k)
{
    const lb_grid *rg = &r->grid;
    double x, y;
    centre(g, cells, k, &x, &y);
    double px = rg->cell_m, top = rg->y0 + rg->ny * px;
    /* The offsets as remainders in metres first: exact for centres and corners on round
     * coordinates, so cells that sit alike on the pixel lattice share one stencil. */
    double du = x - rg->x0, dv = top - y;
    double iu = floor(du / px), iv = floor(dv / px);
    double fu = (du - iu * px) / px, fv = (dv - iv * px) / px;
    if (fu >= 1.0) {
        fu -= 1.0;
        iu += 1.0;
    }
    if (fv >= 1.0) {
        fv -= 1.0;
        iv += 1.0;
    }
    if (fu < 0.0) {
        fu += 1.0;
        iu -= 1.0;
    }
    if (fv < 0.0) {
        fv += 1.0;
        iv -= 1.0;
    }
    on_raster o = {fu, fv, (long)iu, (long)iv, (uint32_t)k};
    return o;
}

static int cmp_offset(const void *a, const void *b)
{
    const on_raster *p = a, *q = b;
    if (p->fu != q->fu)
        return p->fu < q->fu ? -1 : 1;
    if (p->fv != q->fv)
        return p->fv < q->fv ? -1 : 1;
    return p->k < q->k ? -1 : (p->k > q->k);
}

/* Mean of the raster over the stencil placed at pixel (iu, iv); NaN when nothing valid. */
static double stencil_mean(const lb_band *r, const lb_disc_stencil *s, long iu, long iv)
{
    double sw, sv;
    lb_disc_stencil_sum(s, r->v, r->grid.nx, r->grid.ny, iu, iv, &sw, &sv);
    return sw > 0.0 ? sv / sw : NAN;
}

/* Stencils kept for at most this many stencil items in all (about 24 bytes each). */
enum { STENCIL_BUDGET = 4 << 20 };

/* share_within on a raster: cells that sit alike on the pixel lattice (the same offset of the
 * centre inside its pixel) share one stencil of exact pixel areas; with a raster aligned to
 * the grid that is one stencil for all cells. */
static lb_status eval_share_raster(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                   const lb_grid *g, const uint32_t *cells, size_t n, double *out)
{
    if (ind->field || ind->value || ind->filter)
        return lb_ctx_error(ctx, LB_ERR_MODEL,
                            "input '%s' is a raster: share_within takes no field, value or filter "
                            "there (it is the mean of band %d within %g m)",
                            ind->layer, ind->band, ind->radius_m);
    const lb_band *r = NULL;
    lb_status st = lb_inputs_raster_resampled(ctx, in, ind->layer, ind->band,
                                              ind->resampling == LB_RESAMPLE_NEAREST, &r);
    if (st != LB_OK)
        return st;
    double rho = ind->radius_m / r->grid.cell_m;
    on_raster *at = malloc((n ? n : 1) * sizeof(*at));
    size_t *first = malloc((n + 1) * sizeof(size_t));
    lb_disc_stencil *sten = NULL;
    size_t n_cls = 0;
    if (!at || !first) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        at[k] = locate(r, g, cells, k);
    qsort(at, n, sizeof(*at), cmp_offset);
    for (size_t k = 0; k < n; k++)
        if (k == 0 || at[k].fu != at[k - 1].fu || at[k].fv != at[k - 1].fv)
            first[n_cls++] = k;
    first[n_cls] = n;
    /* Items of one stencil: about 2·rho rows of a run and two boundary pixels, plus the
     * ~8·rho pixels the circle crosses. */
    double items = 12.0 * (rho + 1.0);
    int keep_all = (double)n_cls * items <= (double)STENCIL_BUDGET;
    size_t n_sten = keep_all ? n_cls : 0;
    sten = calloc(n_sten ? n_sten : 1, sizeof(*sten));
    if (!sten) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    int failed = 0;
#pragma omp parallel num_threads(lb_ctx_threads(ctx)) reduction(| : failed)
    {
        lb_disc_stencil own = {0};
#pragma omp for schedule(dynamic, 1)
        for (size_t c = 0; c < n_cls; c++) {
            lb_disc_stencil *s = keep_all ? &sten[c] : &own;
            if (lb_disc_stencil_build(NULL, rho, at[first[c]].fu, at[first[c]].fv, s) != LB_OK) {
                failed |= 1;
                for (size_t k = first[c]; k < first[c + 1]; k++)
                    out[at[k].k] = NAN;
                continue;
            }
            for (size_t k = first[c]; k < first[c + 1]; k++)
                out[at[k].k] = stencil_mean(r, s, at[k].iu, at[k].iv);
        }
        lb_disc_stencil_free(&own);
    }
    if (failed)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM,
                          "out of memory for the disc of %g m over the %g m pixels of '%s'",
                          ind->radius_m, r->grid.cell_m, ind->layer);
done:
    for (size_t c = 0; sten && c < n_sten; c++)
        lb_disc_stencil_free(&sten[c]);
    free(sten);
    free(first);
    free(at);
    return st;
}

/* The pixels a segment [a, b] (pixel units) overlaps, with the overlap length of each. */
static long span(double a, double b, long n, long *i0)
{
    double f0 = floor(a), f1 = ceil(b);
    if (f0 < 0.0)
        f0 = 0.0;
    if (f1 > (double)n)
        f1 = (double)n;
    *i0 = (long)f0;
    return f1 > f0 ? (long)(f1 - f0) : 0;
}

static double overlap(double a, double b, long i)
{
    double lo = a > (double)i ? a : (double)i, hi = b < (double)(i + 1) ? b : (double)(i + 1);
    return hi > lo ? hi - lo : 0.0;
}

/* raster_mean over the cell square: a square over a north-up pixel lattice covers each pixel
 * by the product of its overlaps along x and y — exact coverage in closed form. */
static lb_status eval_raster_mean(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                  const lb_grid *g, const uint32_t *cells, size_t n, double *out)
{
    const lb_band *r = NULL;
    lb_status st = lb_inputs_raster_resampled(ctx, in, ind->layer, ind->band,
                                              ind->resampling == LB_RESAMPLE_NEAREST, &r);
    if (st != LB_OK)
        return st;
    const lb_grid *rg = &r->grid;
    double px = rg->cell_m, top = rg->y0 + rg->ny * px, s = g->cell_m;
#pragma omp parallel for num_threads(lb_ctx_threads(ctx)) schedule(dynamic, CHUNK)
    for (size_t k = 0; k < n; k++) {
        double x, y;
        lb_grid_cell_ll(g, cells[k], &x, &y);
        double u0 = (x - rg->x0) / px, u1 = (x + s - rg->x0) / px;
        double v0 = (top - (y + s)) / px, v1 = (top - y) / px;
        long i0, j0;
        long ni = span(u0, u1, rg->nx, &i0), nj = span(v0, v1, rg->ny, &j0);
        double sw = 0.0, sv = 0.0;
        for (long j = j0; j < j0 + nj; j++) {
            double wy = overlap(v0, v1, j);
            const double *v = r->v + (size_t)j * (size_t)rg->nx;
            for (long i = i0; i < i0 + ni; i++) {
                double w = wy * overlap(u0, u1, i);
                if (w > 0.0 && !isnan(v[i])) {
                    sw += w;
                    sv += w * v[i];
                }
            }
        }
        out[k] = sw > 0.0 ? sv / sw : NAN;
    }
    return LB_OK;
}

/* ---- dispatch --------------------------------------------------------------------------- */

static lb_status check_cells(lb_ctx *ctx, const lb_grid *g, const uint32_t *cells, size_t n)
{
    size_t nc = lb_grid_ncells(g);
    for (size_t k = 0; k < n; k++) {
        if (cells[k] >= nc)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "cell %zu (index %u) is outside the grid of %zu cells", k, cells[k],
                                nc);
        if (k && cells[k] <= cells[k - 1])
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "cells must be strictly ascending: cell %zu (index %u) follows %u",
                                k, cells[k], cells[k - 1]);
    }
    return LB_OK;
}

lb_status lb_indicators_eval_cells(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                   const lb_grid *g, const uint32_t *cells, size_t n,
                                   const double *cell_w, double *out)
{
    if (!ind || !in || !g || (n && (!cells || !out)))
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_indicators_eval_cells: NULL argument");
    lb_status st = check_cells(ctx, g, cells, n);
    int is_raster = 0;
    if (st == LB_OK && ind->kind == LB_KIND_SHARE_WITHIN)
        st = lb_inputs_is_raster(ctx, in, ind->layer, &is_raster);
    if (st == LB_OK) {
        switch (ind->kind) {
        case LB_KIND_ATTRIBUTE:
        case LB_KIND_RATIO:
            st = eval_polygon_attr(ctx, ind, in, g, cells, n, out);
            break;
        case LB_KIND_COUNT_WITHIN:
        case LB_KIND_NEAREST_DISTANCE:
        case LB_KIND_DENSITY:
            st = eval_features(ctx, ind, in, g, cells, n, cell_w, out);
            break;
        case LB_KIND_SHARE_WITHIN:
            st = is_raster ? eval_share_raster(ctx, ind, in, g, cells, n, out)
                           : eval_share_polygons(ctx, ind, in, g, cells, n, out);
            break;
        case LB_KIND_RASTER_MEAN:
            st = eval_raster_mean(ctx, ind, in, g, cells, n, out);
            break;
        default:
            st = lb_ctx_error(ctx, LB_ERR_MODEL, "unknown indicator kind %d", (int)ind->kind);
            break;
        }
    }
    return st == LB_OK ? LB_OK : ind_error(ctx, ind, st);
}
