/* SPDX-License-Identifier: MIT */
/* The square RD grid: extent, cell centres and ids. */
#include "grid.h"

#include "../core/ctx.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>

lb_status lb_grid_from_extent(lb_ctx *ctx, double xmin, double ymin, double xmax, double ymax,
                              double cell_m, lb_grid *out)
{
    if (!(cell_m > 0) || !isfinite(cell_m))
        return lb_ctx_error(ctx, LB_ERR_ARG, "grid: cell size must be a positive number of metres");
    if (!(xmax >= xmin) || !(ymax >= ymin) || !isfinite(xmin) || !isfinite(ymax))
        return lb_ctx_error(ctx, LB_ERR_ARG, "grid: empty or invalid extent");
    double gx0 = floor(xmin / cell_m) * cell_m;
    double gy0 = floor(ymin / cell_m) * cell_m;
    double gx1 = ceil(xmax / cell_m) * cell_m;
    double gy1 = ceil(ymax / cell_m) * cell_m;
    if (gx1 <= gx0)
        gx1 = gx0 + cell_m;
    if (gy1 <= gy0)
        gy1 = gy0 + cell_m;
    double nx = (gx1 - gx0) / cell_m, ny = (gy1 - gy0) / cell_m;
    if (nx * ny > 4.0e9 || nx > INT_MAX || ny > INT_MAX)
        return lb_ctx_error(
            ctx, LB_ERR_ARG,
            "grid: %.0f x %.0f cells of %g m is too large; use a larger cell size or "
            "a smaller extent",
            nx, ny, cell_m);
    out->x0 = gx0;
    out->y0 = gy0;
    out->cell_m = cell_m;
    out->nx = (int)lround(nx);
    out->ny = (int)lround(ny);
    return LB_OK;
}

size_t lb_grid_ncells(const lb_grid *g)
{
    return (size_t)g->nx * (size_t)g->ny;
}

void lb_grid_cell_ll(const lb_grid *g, size_t idx, double *x, double *y)
{
    size_t row = idx / (size_t)g->nx, col = idx % (size_t)g->nx;
    *x = g->x0 + (double)col * g->cell_m;
    *y = g->y0 + (double)((size_t)g->ny - 1 - row) * g->cell_m;
}

void lb_grid_cell_centre(const lb_grid *g, size_t idx, double *x, double *y)
{
    lb_grid_cell_ll(g, idx, x, y);
    *x += 0.5 * g->cell_m;
    *y += 0.5 * g->cell_m;
}

/* @p v (a whole number below 2^53 in magnitude) after @p lead at @p p, as "%.0f" prints it
 * ("-0" for minus zero); the end of the text. */
static char *put_whole(char *p, char lead, double v)
{
    char digits[24];
    int n = 0;
    *p++ = lead;
    if (signbit(v))
        *p++ = '-';
    unsigned long long u = (unsigned long long)fabs(v);
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        *p++ = digits[--n];
    return p;
}

void lb_grid_cell_id(const lb_grid *g, size_t idx, char *buf, size_t bufsize)
{
    double x, y;
    lb_grid_cell_ll(g, idx, &x, &y);
    double e = floor(x / g->cell_m), n = floor(y / g->cell_m);
    /* The ids of a national grid are written once per cell: without printf's machinery where
     * the text fits (2 letters, 2 signs, 2 x 7 digits, the end). */
    if (g->cell_m == 100.0 && bufsize >= 20 && fabs(e) < 1e7 && fabs(n) < 1e7) {
        char *p = put_whole(put_whole(buf, 'E', e), 'N', n);
        *p = '\0';
    } else if (g->cell_m == 100.0)
        snprintf(buf, bufsize, "E%.0fN%.0f", e, n);
    else
        snprintf(buf, bufsize, "E%.0fN%.0f_%gm", floor(x / g->cell_m), floor(y / g->cell_m),
                 g->cell_m);
}

void lb_grid_geotransform(const lb_grid *g, double gt[6])
{
    gt[0] = g->x0;
    gt[1] = g->cell_m;
    gt[2] = 0.0;
    gt[3] = g->y0 + (double)g->ny * g->cell_m;
    gt[4] = 0.0;
    gt[5] = -g->cell_m;
}
