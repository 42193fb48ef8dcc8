/* SPDX-License-Identifier: MIT */
/* Exact cell coverage of a polygon by signed-area accumulation (font-rasterizer style). */
#include "coverage.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fractions below this (after clamping to [0, 1]) are rounding noise and are not emitted. */
#define COVER_EPS 1e-12

/* Local frame, in units of cells, of the window of the grid that the polygon's bbox touches:
 * u = 0 is the window's west edge, v = 0 its south edge. The accumulation buffer has one row per
 * window row, stored north to south (so that compaction into cell order can run in place), and
 * cols + 1 slots per row (the last takes the carry out of the eastmost column). @c hit has one
 * entry per window cell (rows × cols, same row order): nonzero when the polygon's boundary
 * passes through the cell's open interior. */
typedef struct window {
    double *acc;
    uint32_t *hit;
    size_t stride; /* cols + 1 */
    int rows;
    int cols;
} window;

/* Add the piece of an edge that lies inside window row @p row (bottom = 0) and runs from x = xs to
 * x = xe (any order) with weighted height h = s·dy. The covered area of a cell is the integral of
 * the winding number over it; a piece in column c with mean x xm adds h·(c+1−xm) to cell c and
 * h·1 to every cell east of it. The latter is stored as the difference h·(xm−c) in slot c+1 so
 * that one prefix sum along the row later yields every cell's area (cf. font-rs, exactextract).
 * The split is continuous in xm, so a piece on a column line may go to either column. */
static void add_row_piece(const window *w, int row, double xs, double xe, double h)
{
    double *a = w->acc + (size_t)(w->rows - 1 - row) * w->stride;
    uint32_t *hit = w->hit + (size_t)(w->rows - 1 - row) * (size_t)w->cols;
    double xl = xs < xe ? xs : xe, xr = xs < xe ? xe : xs;
    int cols = w->cols;

    /* East of the window: it only moves winding for cells outside the window. */
    if (xl >= cols)
        return;
    /* West of the window: the whole row to the east gets h, which is cell 0's full share. */
    if (xr <= 0) {
        a[0] += h;
        return;
    }
    if (xl >= 0) {
        int c = (int)xl;
        if (xr <= c + 1) {
            double xm = 0.5 * (xl + xr);
            a[c] += h * (c + 1 - xm);
            a[c + 1] += h * (xm - c);
            /* The piece has height (row pieces are never horizontal), so it enters the open
             * cell unless it runs along the column line u = c. */
            if (xr > c)
                hit[c] = 1;
            return;
        }
    }
    /* The piece crosses column lines: split it, sharing h in proportion to width (the edge is
     * straight). Here xr > xl. */
    double hpw = h / (xr - xl);
    double x = xl;
    if (x < 0) {
        a[0] += hpw * -x;
        x = 0;
    }
    double end = xr < cols ? xr : (double)cols;
    int c = (int)x;
    while (x < end) {
        double b = c + 1 < end ? (double)(c + 1) : end;
        double xm = 0.5 * (x + b), hh = hpw * (b - x);
        a[c] += hh * (c + 1 - xm);
        a[c + 1] += hh * (xm - c);
        hit[c] = 1; /* b > x: a slanted stretch through the open cell */
        x = b;
        c++;
    }
}

/* A horizontal edge at v from ua to ub adds no area, but it still cuts through the cells of its
 * row unless it runs along a row line. */
static void mark_horizontal(const window *w, double ua, double ub, double v)
{
    if (!(v > 0 && v < w->rows) || v == floor(v))
        return;
    double xl = ua < ub ? ua : ub, xr = ua < ub ? ub : ua;
    if (xr <= 0 || xl >= w->cols)
        return;
    int c0 = xl <= 0 ? 0 : (int)xl;
    int c1 = xr >= w->cols ? w->cols - 1 : (int)ceil(xr) - 1;
    uint32_t *hit = w->hit + (size_t)(w->rows - 1 - (int)v) * (size_t)w->cols;
    for (int c = c0; c <= c1; c++)
        hit[c] = 1;
}

/* Accumulate edge (ua,va)→(ub,vb) (window units) with ring weight m: the contribution of a piece
 * is m·dy with dy signed in the edge's own direction. Horizontal edges add nothing. */
static void add_edge(const window *w, double ua, double va, double ub, double vb, double m)
{
    if (va == vb) {
        mark_horizontal(w, ua, ub, va);
        return;
    }
    if (va > vb) {
        double t = ua;
        ua = ub;
        ub = t;
        t = va;
        va = vb;
        vb = t;
        m = -m;
    }
    if (vb <= 0 || va >= w->rows)
        return;
    int j0 = va <= 0 ? 0 : (int)va;
    /* Most edges of real boundaries are shorter than a cell: no interpolation needed. */
    if (va >= 0 && vb <= j0 + 1) {
        add_row_piece(w, j0, ua, ub, m * (vb - va));
        return;
    }
    int j1 = w->rows - 1;
    if (vb < w->rows) {
        j1 = (int)vb; /* the row holding vb, or the one below when vb is on a row line */
        if (j1 == vb)
            j1--;
    }
    double dxdv = (ub - ua) / (vb - va);
    for (int j = j0; j <= j1; j++) {
        double ys = va > j ? va : (double)j;
        double ye = vb < j + 1 ? vb : (double)(j + 1);
        if (!(ye > ys))
            continue;
        /* Use the exact end points where the piece ends at a vertex. */
        double xs = ys == va ? ua : ua + (ys - va) * dxdv;
        double xe = ye == vb ? ub : ua + (ye - va) * dxdv;
        add_row_piece(w, j, xs, xe, m * (ye - ys));
    }
}

/* Shoelace signed area (positive for counter-clockwise), relative to the first point for
 * precision at RD magnitudes. The ring is treated as closed. */
static double ring_signed_area(const lb_ring *r)
{
    const double *p = r->xy;
    double ox = p[0], oy = p[1], s = 0;
    for (size_t i = 0; i < r->n; i++) {
        size_t k = i + 1 == r->n ? 0 : i + 1;
        s += (p[2 * i] - ox) * (p[2 * k + 1] - oy) - (p[2 * k] - ox) * (p[2 * i + 1] - oy);
    }
    return 0.5 * s;
}

static lb_status grow(lb_ctx *ctx, lb_cover *out, size_t need)
{
    if (need <= out->cap)
        return LB_OK;
    size_t cap = out->cap ? out->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > SIZE_MAX / sizeof(double))
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "coverage: %zu cells do not fit in memory", need);
    double *f = realloc(out->frac, cap * sizeof(*f));
    if (!f)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "coverage: out of memory for %zu cells", need);
    out->frac = f;
    uint32_t *c = realloc(out->cell, cap * sizeof(*c));
    if (!c)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "coverage: out of memory for %zu cells", need);
    out->cell = c;
    out->cap = cap;
    return LB_OK;
}

lb_status lb_grid_cover_polygon(lb_ctx *ctx, const lb_grid *g, const lb_ring *rings, size_t nrings,
                                lb_cover *out)
{
    if (!g || !out || (nrings && !rings))
        return lb_ctx_error(ctx, LB_ERR_ARG, "coverage: NULL grid, rings or output");
    if (!(g->cell_m > 0) || g->nx <= 0 || g->ny <= 0 || lb_grid_ncells(g) - 1 > (size_t)UINT32_MAX)
        return lb_ctx_error(ctx, LB_ERR_ARG, "coverage: invalid grid (%d x %d cells of %g m)",
                            g->nx, g->ny, g->cell_m);

    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (size_t r = 0; r < nrings; r++) {
        const lb_ring *ring = &rings[r];
        if (ring->n < 4)
            return lb_ctx_error(ctx, LB_ERR_GEOM,
                                "coverage: ring %zu has %zu points; a ring needs at least 4", r,
                                ring->n);
        if (!ring->xy)
            return lb_ctx_error(ctx, LB_ERR_ARG, "coverage: ring %zu has no coordinates", r);
        for (size_t i = 0; i < ring->n; i++) {
            double x = ring->xy[2 * i], y = ring->xy[2 * i + 1];
            if (!isfinite(x) || !isfinite(y))
                return lb_ctx_error(
                    ctx, LB_ERR_GEOM,
                    "coverage: ring %zu point %zu has a non-finite coordinate (%g, %g)", r, i, x,
                    y);
            xmin = x < xmin ? x : xmin;
            xmax = x > xmax ? x : xmax;
            ymin = y < ymin ? y : ymin;
            ymax = y > ymax ? y : ymax;
        }
    }

    /* Window = bbox snapped outward to grid lines, intersected with the grid. Columns west of
     * the grid need no storage: a piece there adds its full height to the window's first
     * column (see add_row_piece), which is exact. Rows outside the grid are simply dropped. */
    double cell = g->cell_m;
    double fi0 = floor((xmin - g->x0) / cell), fi1 = ceil((xmax - g->x0) / cell);
    double fj0 = floor((ymin - g->y0) / cell), fj1 = ceil((ymax - g->y0) / cell);
    fi0 = fi0 < 0 ? 0 : fi0;
    fj0 = fj0 < 0 ? 0 : fj0;
    fi1 = fi1 > g->nx ? g->nx : fi1;
    fj1 = fj1 > g->ny ? g->ny : fj1;
    if (nrings == 0 || !(fi1 > fi0) || !(fj1 > fj0)) {
        out->n = 0;
        return LB_OK;
    }
    int i0 = (int)fi0, j0 = (int)fj0; /* window's first column, first row from the south */
    window w = {.rows = (int)fj1 - j0, .cols = (int)fi1 - i0};
    w.stride = (size_t)w.cols + 1;
    size_t need = (size_t)w.rows * w.stride;

    /* The accumulation buffer lives in out->frac: compaction below writes entry n only after
     * reading entry ≥ n, so the sparse result can overwrite the dense buffer in place. */
    lb_status st = grow(ctx, out, need);
    if (st != LB_OK)
        return st;
    w.acc = out->frac;
    memset(w.acc, 0, need * sizeof(*w.acc));
    /* The boundary marks live in out->cell the same way (rows × cols < need entries). */
    w.hit = out->cell;
    memset(w.hit, 0, (size_t)w.rows * (size_t)w.cols * sizeof(*w.hit));

    double wx0 = g->x0 + i0 * cell, wy0 = g->y0 + j0 * cell;
    for (size_t r = 0; r < nrings; r++) {
        const lb_ring *ring = &rings[r];
        double a = ring_signed_area(ring);
        if (a == 0)
            continue;
        /* With weight −1 a counter-clockwise ring accumulates +1 inside; flip so that shells
         * count +1 and holes −1 whatever the ring's orientation. */
        double m = (a > 0) == !ring->is_hole ? -1.0 : 1.0;
        const double *p = ring->xy;
        double pu = (p[0] - wx0) / cell, pv = (p[1] - wy0) / cell;
        for (size_t i = 1; i <= ring->n; i++) {
            size_t k = i == ring->n ? 0 : i; /* closes an unclosed ring */
            double qu = (p[2 * k] - wx0) / cell, qv = (p[2 * k + 1] - wy0) / cell;
            add_edge(&w, pu, pv, qu, qv, m);
            pu = qu;
            pv = qv;
        }
    }

    /* Prefix sums per row give area in cell units = fraction; emit north to south, west to east,
     * which is ascending cell index. A cell that no edge enters lies wholly inside or wholly
     * outside the polygon: its winding number is constant, so its fraction is exactly 0 or 1.
     * The prefix sum only approximates that integer (the heights of the pieces of the boundary
     * west of it, each split between two cells, add up to 1 within a few ulps), so round it;
     * otherwise interior cells come out as 1 − 2⁻⁵² and fall below thresholds such as
     * min_weight: 1. Writing entry n reads hit and acc at dense positions ≥ n first. */
    size_t n = 0;
    for (int t = 0; t < w.rows; t++) {
        const double *row = w.acc + (size_t)t * w.stride;
        const uint32_t *hit = w.hit + (size_t)t * (size_t)w.cols;
        size_t base = (size_t)(g->ny - (j0 + w.rows) + t) * (size_t)g->nx + (size_t)i0;
        double s = 0;
        for (int c = 0; c < w.cols; c++) {
            s += row[c];
            double f = s > 1.0 ? 1.0 : s;
            if (!hit[c])
                f = f >= 0.5 ? 1.0 : 0.0;
            if (!(f >= COVER_EPS)) /* also drops NaN from absurd coordinates */
                continue;
            out->cell[n] = (uint32_t)(base + (size_t)c);
            out->frac[n] = f;
            n++;
        }
    }
    out->n = n;
    return LB_OK;
}

/* One stable counting-sort pass on 16 bits of the cell (LSD radix). */
static void radix_pass(const uint32_t *ck, const double *cv, uint32_t *dk, double *dv, size_t n,
                       int shift, size_t *count)
{
    memset(count, 0, 65537 * sizeof(size_t));
    for (size_t k = 0; k < n; k++)
        count[((ck[k] >> shift) & 0xffffu) + 1]++;
    for (size_t b = 0; b < 65536; b++)
        count[b + 1] += count[b];
    for (size_t k = 0; k < n; k++) {
        size_t at = count[(ck[k] >> shift) & 0xffffu]++;
        dk[at] = ck[k];
        dv[at] = cv[k];
    }
}

lb_status lb_grid_cells_sum(lb_ctx *ctx, uint32_t *cell, double *val, size_t n, size_t *n_out)
{
    *n_out = 0;
    if (n == 0)
        return LB_OK;
    uint32_t *tk = malloc(n * sizeof(uint32_t));
    double *tv = malloc(n * sizeof(double));
    size_t *count = malloc(65537 * sizeof(size_t));
    if (!tk || !tv || !count) {
        free(tk);
        free(tv);
        free(count);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory summing %zu cell values", n);
    }
    radix_pass(cell, val, tk, tv, n, 0, count);
    radix_pass(tk, tv, cell, val, n, 16, count);
    free(tk);
    free(tv);
    free(count);
    size_t m = 0;
    for (size_t k = 0; k < n;) {
        uint32_t c = cell[k];
        double s = 0.0;
        for (; k < n && cell[k] == c; k++)
            s += val[k];
        cell[m] = c;
        val[m++] = s;
    }
    *n_out = m;
    return LB_OK;
}
