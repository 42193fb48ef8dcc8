/* SPDX-License-Identifier: MIT */
/* Indicator kinds evaluated on the 100 m grid. */
#include "indicators.h"

#include "../core/ctx.h"
#include "../grid/coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static lb_status ind_error(lb_ctx *ctx, const lb_indicator *ind, lb_status st)
{
    return lb_error_prefix(ctx, st, "indicator '%s' (model line %d): ", ind->id, ind->line);
}

lb_status lb_grid_extensive(lb_ctx *ctx, const lb_vlayer *l, const lb_layer_cover *cov,
                            const lb_grid *g, const lb_field *f, double *out, size_t *n_missing)
{
    (void)ctx;
    size_t n = lb_grid_ncells(g);
    double cell_area = g->cell_m * g->cell_m;
    for (size_t c = 0; c < n; c++)
        out[c] = 0.0;
    *n_missing = 0;
    for (size_t p = 0; p < l->n; p++) {
        double v = f->num[p];
        if (isnan(v)) {
            (*n_missing)++;
            continue;
        }
        if (!(l->area_m2[p] > 0.0))
            continue;
        double per_m2 = v / l->area_m2[p];
        for (size_t k = cov->off[p]; k < cov->off[p + 1]; k++)
            out[cov->cell[k]] += per_m2 * cov->frac[k] * cell_area;
    }
    return LB_OK;
}

/* attribute (intensive: coverage-weighted mean of known values; extensive: area-share sum,
 * missing if any covering polygon's value is missing) and ratio (Σ num·share / Σ den·share). */
static lb_status eval_polygon_attr(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                   const lb_grid *g, const unsigned char *scored, double *out)
{
    const lb_vlayer *l = NULL;
    const lb_layer_cover *cov = NULL;
    lb_status st = lb_inputs_vector(ctx, in, ind->layer, NULL, &l);
    if (st == LB_OK)
        st = lb_inputs_coverage(ctx, in, ind->layer, g, &cov);
    if (st != LB_OK)
        return st;
    int is_ratio = ind->kind == LB_KIND_RATIO;
    const lb_field *fa = lb_vlayer_field(ctx, l, is_ratio ? ind->numerator : ind->field);
    const lb_field *fb = is_ratio ? lb_vlayer_field(ctx, l, ind->denominator) : NULL;
    if (!fa || (is_ratio && !fb))
        return LB_ERR_DATA;
    size_t n = lb_grid_ncells(g);
    double *num = calloc(n, sizeof(double)), *den = calloc(n, sizeof(double));
    unsigned char *bad = calloc(n, 1);
    if (!num || !den || !bad) {
        free(num);
        free(den);
        free(bad);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    double cell_area = g->cell_m * g->cell_m;
    for (size_t p = 0; p < l->n; p++) {
        double a = fa->num[p], b = fb ? fb->num[p] : 1.0;
        int missing = isnan(a) || isnan(b);
        double share = l->area_m2[p] > 0.0 ? cell_area / l->area_m2[p] : 0.0;
        for (size_t k = cov->off[p]; k < cov->off[p + 1]; k++) {
            uint32_t c = cov->cell[k];
            if (!scored[c])
                continue;
            double fr = cov->frac[k];
            if (missing) {
                bad[c] = 1;
                continue;
            }
            if (is_ratio) {
                num[c] += a * fr * share;
                den[c] += b * fr * share;
            } else if (ind->extensive) {
                num[c] += a * fr * share;
                den[c] = 1.0;
            } else {
                num[c] += a * fr;
                den[c] += fr;
            }
        }
    }
    for (size_t c = 0; c < n; c++) {
        if (!scored[c] || den[c] == 0.0 || (ind->extensive && !is_ratio && bad[c]))
            out[c] = NAN;
        else
            out[c] = num[c] / den[c];
    }
    free(num);
    free(den);
    free(bad);
    return LB_OK;
}

static lb_status eval_points(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in, const lb_grid *g,
                             const unsigned char *scored, double *out)
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
    lb_query_scratch sc = {0};
    if (ind->kind != LB_KIND_NEAREST_DISTANCE) {
        st = lb_query_scratch_init(ctx, ix, &sc);
        if (st != LB_OK)
            return st;
    }
    double disc_km2 = LB_PI * ind->radius_m * ind->radius_m / 1.0e6;
    size_t n = lb_grid_ncells(g);
    for (size_t c = 0; c < n; c++) {
        if (!scored[c]) {
            out[c] = NAN;
            continue;
        }
        double x, y;
        lb_grid_cell_centre(g, c, &x, &y);
        switch (ind->kind) {
        case LB_KIND_NEAREST_DISTANCE:
            out[c] = fmin(lb_index_nearest(ix, x, y), ind->cap_m);
            break;
        case LB_KIND_COUNT_WITHIN:
            out[c] = lb_index_within(ix, &sc, x, y, ind->radius_m, NULL);
            break;
        default: /* density: features (or Σ field) per km² within the radius */
            out[c] = lb_index_within(ix, &sc, x, y, ind->radius_m, weights) / disc_km2;
            break;
        }
    }
    lb_query_scratch_free(&sc);
    return LB_OK;
}

/* Are two grids the same lattice (same cell size, corners on each other's lines)? */
static int aligned(const lb_grid *a, const lb_grid *b)
{
    if (a->cell_m != b->cell_m)
        return 0;
    double fx = (a->x0 - b->x0) / a->cell_m, fy = (a->y0 - b->y0) / a->cell_m;
    return fabs(fx - round(fx)) < 1e-9 && fabs(fy - round(fy)) < 1e-9;
}

static lb_status eval_raster_mean(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                  const lb_grid *g, const unsigned char *scored, double *out)
{
    const lb_raster *r = NULL;
    lb_status st = lb_inputs_raster(ctx, in, ind->layer, ind->band, &r);
    if (st != LB_OK)
        return st;
    size_t n = lb_grid_ncells(g);
    const lb_grid *rg = &r->grid;
    if (aligned(g, rg)) {
        long dc = lround((g->x0 - rg->x0) / g->cell_m);
        long dr =
            lround(((rg->y0 + rg->ny * rg->cell_m) - (g->y0 + g->ny * g->cell_m)) / g->cell_m);
        for (size_t c = 0; c < n; c++) {
            out[c] = NAN;
            if (!scored[c])
                continue;
            long col = (long)(c % (size_t)g->nx) + dc, row = (long)(c / (size_t)g->nx) + dr;
            if (col >= 0 && row >= 0 && col < rg->nx && row < rg->ny)
                out[c] = r->v[(size_t)row * (size_t)rg->nx + (size_t)col];
        }
        return LB_OK;
    }
    /* General case: exact coverage of the cell square over the raster's pixels. */
    lb_cover cv = {0};
    for (size_t c = 0; c < n; c++) {
        out[c] = NAN;
        if (!scored[c])
            continue;
        double x, y;
        lb_grid_cell_ll(g, c, &x, &y);
        double s = g->cell_m;
        double xy[10] = {x, y, x + s, y, x + s, y + s, x, y + s, x, y};
        lb_ring ring = {xy, 5, 0};
        st = lb_cover_polygon(ctx, rg, &ring, 1, &cv);
        if (st != LB_OK)
            break;
        double sw = 0.0, sv = 0.0;
        for (size_t k = 0; k < cv.n; k++) {
            double v = r->v[cv.cell[k]];
            if (isnan(v))
                continue;
            sw += cv.frac[k];
            sv += cv.frac[k] * v;
        }
        if (sw > 0.0)
            out[c] = sv / sw;
    }
    lb_cover_free(&cv);
    return st;
}

lb_status lb_indicator_eval_grid(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in,
                                 const lb_grid *g, const unsigned char *scored, double *out)
{
    lb_status st;
    switch (ind->kind) {
    case LB_KIND_ATTRIBUTE:
    case LB_KIND_RATIO:
        st = eval_polygon_attr(ctx, ind, in, g, scored, out);
        break;
    case LB_KIND_COUNT_WITHIN:
    case LB_KIND_NEAREST_DISTANCE:
    case LB_KIND_DENSITY:
        st = eval_points(ctx, ind, in, g, scored, out);
        break;
    case LB_KIND_RASTER_MEAN:
        st = eval_raster_mean(ctx, ind, in, g, scored, out);
        break;
    default:
        st = lb_error(ctx, LB_ERR_MODEL,
                      "kind '%s' is not evaluated on the grid by this version (kinds available: "
                      "attribute, ratio, count_within, nearest_distance, density, raster_mean)",
                      lb_kind_name(ind->kind));
        break;
    }
    return st == LB_OK ? LB_OK : ind_error(ctx, ind, st);
}
