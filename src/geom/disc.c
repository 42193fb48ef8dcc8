/* SPDX-License-Identifier: MIT */
/* Closed-form areas of a disc within rectangles and polygons; coverage stencils of a disc. */
#include "disc.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdlib.h>

/* √(r² − x²) for 0 <= x <= r, without the cancellation of r·r − x·x near the circle. */
static double half_chord(double r, double x)
{
    double d = (r - x) * (r + x);
    return d > 0.0 ? sqrt(d) : 0.0;
}

/* Area of the disc within [0, x] × [0, y] for x, y >= 0. */
static double quadrant(double r, double x, double y)
{
    x = x < r ? x : r;
    y = y < r ? y : r;
    if (x * x + y * y <= r * r)
        return x * y;
    double u = half_chord(r, y); /* the circle meets height y at t = u < x */
    double sx = half_chord(r, x);
    /* asin(x/r) − asin(u/r) as a difference of atan2, which stays well conditioned where
     * asin's slope is infinite (x near r). */
    double ang = atan2(x, sx) - atan2(u, y);
    return 0.5 * (y * u + x * sx) + 0.5 * r * r * ang;
}

static double quadrant_signed(double r, double x, double y)
{
    double q = quadrant(r, fabs(x), fabs(y));
    return (x < 0.0) != (y < 0.0) ? -q : q;
}

double lb_disc_rect_area(double r, double x0, double y0, double x1, double y1)
{
    if (!(x1 > x0) || !(y1 > y0) || !(r > 0.0))
        return 0.0;
    double r2 = r * r;
    double fx = fmax(x0 * x0, x1 * x1), fy = fmax(y0 * y0, y1 * y1);
    if (fx + fy <= r2)
        return (x1 - x0) * (y1 - y0);
    double nx = x0 > 0.0 ? x0 : (x1 < 0.0 ? -x1 : 0.0);
    double ny = y0 > 0.0 ? y0 : (y1 < 0.0 ? -y1 : 0.0);
    if (nx * nx + ny * ny >= r2)
        return 0.0;
    double a = quadrant_signed(r, x1, y1) - quadrant_signed(r, x0, y1) -
               quadrant_signed(r, x1, y0) + quadrant_signed(r, x0, y0);
    double full = (x1 - x0) * (y1 - y0);
    return a < 0.0 ? 0.0 : (a > full ? full : a);
}

double lb_disc_edge_term(double ax, double ay, double bx, double by, double r)
{
    double dx = bx - ax, dy = by - ay;
    double A = dx * dx + dy * dy;
    if (A == 0.0)
        return 0.0;
    double r2 = r * r;
    /* |a + t·d|² = r²  ⇔  A t² + 2 B t + C = 0 */
    double B = ax * dx + ay * dy;
    double C = ax * ax + ay * ay - r2;
    double disc = B * B - A * C;
    if (!(disc > 0.0))
        return 0.0; /* the line misses the circle or touches it */
    double sq = sqrt(disc);
    /* Roots without cancellation: q = −(B + sign(B)·√disc), t = q/A and C/q. */
    double q = B >= 0.0 ? -(B + sq) : -B + sq;
    double t0 = q / A, t1 = C / q;
    if (t0 > t1) {
        double t = t0;
        t0 = t1;
        t1 = t;
    }
    double lo = t0 > 0.0 ? t0 : 0.0, hi = t1 < 1.0 ? t1 : 1.0;
    if (!(hi > lo))
        return 0.0;
    double px = lo == 0.0 ? ax : ax + lo * dx, py = lo == 0.0 ? ay : ay + lo * dy;
    double qx = hi == 1.0 ? bx : ax + hi * dx, qy = hi == 1.0 ? by : ay + hi * dy;
    /* cross(p, q) = (hi − lo)·cross(a, b) exactly in real arithmetic; computing it this way
     * gives it the sign of cross(a, b), the same predicate the winding number uses, so the
     * angle below never takes the other branch of atan2 than the winding count assumes. */
    double cr = (hi - lo) * (ax * by - ay * bx);
    double dt = px * qx + py * qy;
    return 0.5 * cr - 0.5 * r2 * atan2(cr, dt);
}

static lb_status push(lb_disc_stencil *s, int di, int dj, int len, double w)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        int *a = realloc(s->di, cap * sizeof(int));
        if (!a)
            return LB_ERR_NOMEM;
        s->di = a;
        a = realloc(s->dj, cap * sizeof(int));
        if (!a)
            return LB_ERR_NOMEM;
        s->dj = a;
        a = realloc(s->len, cap * sizeof(int));
        if (!a)
            return LB_ERR_NOMEM;
        s->len = a;
        double *b = realloc(s->w, cap * sizeof(double));
        if (!b)
            return LB_ERR_NOMEM;
        s->w = b;
        s->cap = cap;
    }
    s->di[s->n] = di;
    s->dj[s->n] = dj;
    s->len[s->n] = len;
    s->w[s->n] = w;
    s->n++;
    return LB_OK;
}

lb_status lb_disc_stencil_build(lb_ctx *ctx, double rho, double fu, double fv, lb_disc_stencil *s)
{
    if (!(rho > 0.0) || !(rho <= 1e6) || !isfinite(fu) || !isfinite(fv))
        return lb_ctx_error(ctx, LB_ERR_ARG, "disc stencil: radius %g pixels is out of range", rho);
    s->n = 0;
    int j0 = (int)floor(fv - rho), j1 = (int)floor(fv + rho);
    for (int j = j0; j <= j1; j++) {
        double y0 = j - fv, y1 = y0 + 1.0;
        double ny = y0 > 0.0 ? y0 : (y1 < 0.0 ? -y1 : 0.0);
        double hw = half_chord(rho, fmin(ny, rho));
        int i0 = (int)floor(fu - hw), i1 = (int)floor(fu + hw);
        for (int i = i0; i <= i1; i++) {
            double x0 = i - fu, x1 = x0 + 1.0;
            /* A pixel with all corners inside the circle is whole: exactly 1. */
            double a = fmax(x0 * x0, x1 * x1) + fmax(y0 * y0, y1 * y1) <= rho * rho
                           ? 1.0
                           : lb_disc_rect_area(rho, x0, y0, x1, y1);
            if (!(a > 0.0))
                continue;
            /* Extend the previous item when it is a run of whole pixels ending just here. */
            if (a == 1.0 && s->n && s->dj[s->n - 1] == j && s->w[s->n - 1] == 1.0 &&
                s->di[s->n - 1] + s->len[s->n - 1] == i) {
                s->len[s->n - 1]++;
                continue;
            }
            if (push(s, i, j, 1, a) != LB_OK)
                return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a disc of %g pixels",
                                    rho);
        }
    }
    return LB_OK;
}

void lb_disc_stencil_sum(const lb_disc_stencil *s, const double *v, long nx, long ny, long col,
                         long row, double *sw, double *sv)
{
    double a = 0.0, b = 0.0;
    for (size_t t = 0; t < s->n; t++) {
        long r = row + s->dj[t];
        if (r < 0 || r >= ny)
            continue;
        long c0 = col + s->di[t], c1 = c0 + s->len[t];
        c0 = c0 < 0 ? 0 : c0;
        c1 = c1 > nx ? nx : c1;
        const double *line = v + (size_t)r * (size_t)nx;
        double w = s->w[t];
        for (long i = c0; i < c1; i++) {
            if (isnan(line[i]))
                continue;
            a += w;
            b += w * line[i];
        }
    }
    *sw = a;
    *sv = b;
}

void lb_disc_stencil_free(lb_disc_stencil *s)
{
    if (!s)
        return;
    free(s->di);
    free(s->dj);
    free(s->len);
    free(s->w);
    s->di = s->dj = s->len = NULL;
    s->w = NULL;
    s->n = s->cap = 0;
}
