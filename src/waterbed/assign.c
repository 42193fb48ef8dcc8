/* SPDX-License-Identifier: MIT */
/* Zones of the real focus areas: distance rings (each unit to its nearest focus area),
 * adjacency orders (touching within a tolerance), RIGO zones and the far control. */
#include "wb.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double unit_dist(const wb_data *d, size_t f, size_t u)
{
    return d->dist == LB_WB_DIST_CENTROID ? d->focus[f].dcen[u] : d->focus[f].dpoly[u];
}

/* Distance from unit u's centroid to focus area f's centroid: the tie-break. */
static double centre_dist(const wb_data *d, size_t f, size_t u)
{
    double x, y;
    lb_zunits_centroid(d->zu, u, &x, &y);
    return hypot(x - d->focus[f].cx, y - d->focus[f].cy);
}

/* Does focus area f at distance x from unit u beat the best so far (bf at distance best, bf
 * -1 for none)? Equal distances (a unit touching two focus areas, two areas sharing a border)
 * go to the nearer focus centroid, then to the earlier focus area in the input; with
 * --ties order straight to the earlier one. */
static int beats(const wb_data *d, size_t u, size_t f, double x, int bf, double best)
{
    if (bf < 0)
        return 1;
    if (x != best)
        return x < best;
    if ((int)f == bf)
        return 0;
    if (!d->tie_order) {
        double a = centre_dist(d, f, u), b = centre_dist(d, (size_t)bf, u);
        if (a != b)
            return a < b;
    }
    return (int)f < bf;
}

static void assign_rings(wb_data *d)
{
    double last = d->rings[d->n_rings - 1];
    for (size_t u = 0; u < d->n; u++) {
        d->near[u] = -1;
        d->ring[u] = -1;
        d->near_d[u] = INFINITY;
        d->beyond[u] = 0;
        if (wb_treated(d, u))
            continue;
        double best = INFINITY;
        int bf = -1;
        for (size_t f = 0; f < d->n_focus; f++) {
            double x = unit_dist(d, f, u);
            if (isfinite(x) && beats(d, u, f, x, bf, best)) {
                best = x;
                bf = (int)f;
            }
        }
        d->near_d[u] = best;
        if (bf >= 0 && best <= last) {
            d->near[u] = bf;
            for (size_t r = 0; r < d->n_rings; r++)
                if (best <= d->rings[r]) {
                    d->ring[u] = (int)r;
                    break;
                }
        } else {
            d->beyond[u] = 1;
        }
    }
}

/* Exact distances to the nearest focus area for the units beyond the last ring: the per-area
 * distances stop at the reach of the zones, so there the nearest of the areas measured (or
 * none) is not the nearest area. */
static lb_status exact_far_distances(lb_ctx *ctx, wb_data *d)
{
    size_t n = 0;
    for (size_t u = 0; u < d->n; u++)
        n += d->beyond[u] != 0;
    size_t *units = malloc((n ? n : 1) * sizeof(size_t));
    double *dist = malloc((n ? n : 1) * sizeof(double));
    const unsigned char **wkb = malloc((d->n_focus ? d->n_focus : 1) * sizeof(*wkb));
    size_t *size = malloc((d->n_focus ? d->n_focus : 1) * sizeof(size_t));
    lb_status st = units && dist && wkb && size
                       ? LB_OK
                       : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory measuring distances");
    if (st == LB_OK) {
        n = 0;
        for (size_t u = 0; u < d->n; u++)
            if (d->beyond[u])
                units[n++] = u;
        for (size_t f = 0; f < d->n_focus; f++) {
            wkb[f] = d->focus[f].wkb;
            size[f] = d->focus[f].wkb_size;
        }
        st = lb_zunits_nearest(ctx, d->zu, wkb, size, d->n_focus, units, n,
                               d->dist == LB_WB_DIST_CENTROID, dist);
    }
    for (size_t i = 0; st == LB_OK && i < n; i++)
        d->near_d[units[i]] = dist[i];
    free(units);
    free(dist);
    free(wkb);
    free(size);
    return st;
}

/* Order 1: units within the tolerance of a focus polygon, or of one of its member units
 * (--adjacency-from members); of several such areas the nearest (ties as in beats()). Order
 * k+1: units within the tolerance of an order-k unit, to the focus area of the nearest such
 * neighbour (ties likewise). Grown outward from each order, so only rows near the focus areas
 * are measured. */
static lb_status assign_adjacency(lb_ctx *ctx, wb_data *d)
{
    size_t *front = NULL, nfront = 0, *next = NULL;
    double *best = malloc((d->n ? d->n : 1) * sizeof(double));
    int *bestf = malloc((d->n ? d->n : 1) * sizeof(int));
    front = malloc((d->n ? d->n : 1) * sizeof(size_t));
    next = malloc((d->n ? d->n : 1) * sizeof(size_t));
    lb_status st = LB_OK;
    if (!best || !bestf || !front || !next) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for adjacency orders");
        goto cleanup;
    }
    for (size_t u = 0; u < d->n; u++) {
        d->adj[u] = 0;
        d->adj_focus[u] = -1;
        best[u] = INFINITY;
        bestf[u] = -1;
    }
    if (d->n_adj_calc < 1)
        goto cleanup;
    if (d->adj_from_members) {
        for (size_t f = 0; f < d->n_focus && st == LB_OK; f++)
            for (size_t i = 0; i < d->focus[f].n_members && st == LB_OK; i++) {
                lb_zrow row;
                st = lb_zgraph_row(ctx, d->graph, d->focus[f].members[i], &row);
                for (size_t e = 0; st == LB_OK && e < row.n; e++) {
                    uint32_t u = row.nb[e];
                    if (row.d[e] <= d->adj_tol_m && !wb_treated(d, u) &&
                        beats(d, u, f, row.d[e], bestf[u], best[u])) {
                        best[u] = row.d[e];
                        bestf[u] = (int)f;
                    }
                }
            }
    } else {
        for (size_t u = 0; u < d->n; u++)
            for (size_t f = 0; f < d->n_focus && !wb_treated(d, u); f++) {
                double x = d->focus[f].dpoly[u];
                if (x <= d->adj_tol_m && beats(d, u, f, x, bestf[u], best[u])) {
                    best[u] = x;
                    bestf[u] = (int)f;
                }
            }
    }
    for (size_t u = 0; st == LB_OK && u < d->n; u++) {
        if (bestf[u] >= 0) {
            d->adj[u] = 1;
            d->adj_focus[u] = bestf[u];
            front[nfront++] = u;
        }
        best[u] = INFINITY;
        bestf[u] = -1;
    }
    for (int k = 1; k < d->n_adj_calc && nfront > 0 && st == LB_OK; k++) {
        size_t nnext = 0;
        for (size_t i = 0; i < nfront && st == LB_OK; i++) {
            size_t v = front[i];
            lb_zrow row;
            st = lb_zgraph_row(ctx, d->graph, v, &row);
            for (size_t e = 0; st == LB_OK && e < row.n; e++) {
                uint32_t u = row.nb[e];
                if (row.d[e] > d->adj_tol_m || wb_treated(d, u) || d->adj[u] != 0)
                    continue;
                if (bestf[u] < 0)
                    next[nnext++] = u;
                if (beats(d, u, (size_t)d->adj_focus[v], row.d[e], bestf[u], best[u])) {
                    best[u] = row.d[e];
                    bestf[u] = d->adj_focus[v];
                }
            }
        }
        for (size_t i = 0; i < nnext; i++) {
            size_t u = next[i];
            d->adj[u] = k + 1;
            d->adj_focus[u] = bestf[u];
            front[i] = u;
        }
        nfront = nnext;
    }
cleanup:
    free(best);
    free(bestf);
    free(front);
    free(next);
    return st;
}

static lb_status add_slot(lb_ctx *ctx, wb_data *d, size_t *cap, int scheme, int index, char *name,
                          double lo, double hi, int placebo)
{
    if (!name)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for zones");
    if (d->n_slots == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        wb_slot *s = realloc(d->slots, nc * sizeof(*s));
        if (!s) {
            free(name);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for zones");
        }
        d->slots = s;
        *cap = nc;
    }
    d->slots[d->n_slots++] = (wb_slot){scheme, index, name, lo, hi, placebo};
    return LB_OK;
}

static lb_status build_slots(lb_ctx *ctx, wb_data *d)
{
    size_t cap = 0;
    lb_status st = add_slot(ctx, d, &cap, WB_SCHEME_FOCUS, 0, lb_core_strdup("focus"), NAN, NAN, 1);
    for (size_t r = 0; st == LB_OK && r < d->n_rings; r++) {
        double lo = r ? d->rings[r - 1] : 0.0;
        st = add_slot(ctx, d, &cap, WB_SCHEME_RING, (int)r,
                      lb_core_strfmt("ring_%g_%g", lo, d->rings[r]), lo, d->rings[r], 1);
    }
    for (int k = 1; st == LB_OK && k <= d->n_adj; k++)
        st = add_slot(ctx, d, &cap, WB_SCHEME_ADJ, k, lb_core_strfmt("adj_%d", k), NAN, NAN, 1);
    static const char *const rigo[] = {"rigo_adjacent", "rigo_city", "rigo_region"};
    for (int k = 0; st == LB_OK && d->rigo && k < 3; k++)
        st = add_slot(ctx, d, &cap, WB_SCHEME_RIGO, k, lb_core_strdup(rigo[k]), NAN, NAN, 0);
    if (st == LB_OK)
        st = add_slot(ctx, d, &cap, WB_SCHEME_CONTROL, 0, lb_core_strdup("far"), NAN, NAN, 0);
    return st;
}

lb_status wb_assign(lb_ctx *ctx, wb_data *d)
{
    size_t n = d->n ? d->n : 1;
    d->near = malloc(n * sizeof(int));
    d->near_d = malloc(n * sizeof(double));
    d->ring = malloc(n * sizeof(int));
    d->adj = malloc(n * sizeof(int));
    d->adj_focus = malloc(n * sizeof(int));
    d->beyond = malloc(n);
    if (!d->near || !d->near_d || !d->ring || !d->adj || !d->adj_focus || !d->beyond)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for zones");
    int any_gm = 0;
    for (size_t u = 0; u < d->n && !any_gm; u++)
        any_gm = d->unit_gm[u] >= 0;
    if (d->rigo && !any_gm) {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "RIGO zones need gemeente codes on the units; none given, "
                   "so they are left out");
        d->rigo = 0;
    }
    d->n_adj_calc = d->n_adj > 0 ? d->n_adj : (d->rigo ? 1 : 0);
    if (d->far_excl_adj > d->n_adj_calc)
        d->n_adj_calc = d->far_excl_adj;
    assign_rings(d);
    lb_status st = exact_far_distances(ctx, d);
    if (st == LB_OK)
        st = assign_adjacency(ctx, d);
    /* the far control leaves out the units of the excluded adjacency orders */
    for (size_t u = 0; st == LB_OK && u < d->n; u++)
        if (d->beyond[u] && d->adj[u] >= 1 && d->adj[u] <= d->far_excl_adj)
            d->beyond[u] = 0;
    return st == LB_OK ? build_slots(ctx, d) : st;
}

static int in_slot(const wb_data *d, size_t f, const wb_slot *z, size_t u)
{
    if (wb_treated(d, u))
        return 0;
    switch (z->scheme) {
    case WB_SCHEME_RING:
        return d->near[u] == (int)f && d->ring[u] == z->index;
    case WB_SCHEME_ADJ:
        return d->adj_focus[u] == (int)f && d->adj[u] == z->index;
    case WB_SCHEME_RIGO:
        if (z->index == 0)
            return d->adj_focus[u] == (int)f && d->adj[u] == 1;
        if (d->adj[u] == 1)
            return 0;
        if (z->index == 1)
            return d->focus_gm[f] >= 0 && d->unit_gm[u] == d->focus_gm[f];
        return wb_in_region(d, f, u) && d->unit_gm[u] != d->focus_gm[f];
    case WB_SCHEME_CONTROL:
        return d->beyond[u] && wb_in_region(d, f, u);
    default:
        return 0;
    }
}

lb_status wb_zone_units(lb_ctx *ctx, const wb_data *d, size_t f, size_t z, size_t **units,
                        size_t *n)
{
    const wb_slot *s = &d->slots[z];
    size_t cnt = 0;
    if (s->scheme == WB_SCHEME_FOCUS) {
        cnt = d->focus[f].n_members;
    } else {
        for (size_t u = 0; u < d->n; u++)
            cnt += in_slot(d, f, s, u);
    }
    size_t *v = malloc((cnt ? cnt : 1) * sizeof(size_t));
    if (!v)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for zone units");
    if (s->scheme == WB_SCHEME_FOCUS) {
        if (cnt)
            memcpy(v, d->focus[f].members, cnt * sizeof(size_t));
    } else {
        size_t k = 0;
        for (size_t u = 0; u < d->n; u++)
            if (in_slot(d, f, s, u))
                v[k++] = u;
    }
    *units = v;
    *n = cnt;
    return LB_OK;
}

lb_status wb_region_units(lb_ctx *ctx, const wb_data *d, size_t f, size_t **units, size_t *n)
{
    size_t cnt = 0;
    for (size_t u = 0; u < d->n; u++)
        cnt += !d->masked[u] && wb_in_region(d, f, u);
    size_t *v = malloc((cnt ? cnt : 1) * sizeof(size_t));
    if (!v)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for region units");
    size_t k = 0;
    for (size_t u = 0; u < d->n; u++)
        if (!d->masked[u] && wb_in_region(d, f, u))
            v[k++] = u;
    *units = v;
    *n = cnt;
    return LB_OK;
}
