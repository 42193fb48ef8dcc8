/* SPDX-License-Identifier: MIT */
/* Voronoi tessellation of seeds inside the tier box by half-plane clipping, with every vertex
 * recomputed from the seeds that define it (so neighbours agree to the bit) and every shared edge
 * replaced by one seeded fractal polyline that stays inside the two seeds' triangles over the
 * edge: the result tiles the box (or the land) without gaps, overlaps or self-intersections. */
#include "tiers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* ---- bucket grid ----------------------------------------------------------------------- */

tr_status tr_bucket_build(tr_ctx *ctx, const tr_seeds *s, double xmin, double ymin, double xmax,
                          double ymax, tr_bucket *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = s->n ? s->n : 1;
    double size = sqrt((xmax - xmin) * (ymax - ymin) / (double)n);
    out->s = s;
    out->x0 = xmin;
    out->y0 = ymin;
    out->size = size;
    out->nx = (int)ceil((xmax - xmin) / size);
    out->ny = (int)ceil((ymax - ymin) / size);
    out->nx = out->nx < 1 ? 1 : out->nx;
    out->ny = out->ny < 1 ? 1 : out->ny;
    size_t nb = (size_t)out->nx * (size_t)out->ny;
    out->start = calloc(nb + 1, sizeof(uint32_t));
    out->idx = malloc(n * sizeof(uint32_t));
    uint32_t *fill = calloc(nb, sizeof(uint32_t));
    if (!out->start || !out->idx || !fill) {
        free(fill);
        tr_bucket_free(out);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (bucket grid)");
    }
    size_t *which = malloc(n * sizeof(size_t));
    if (!which) {
        free(fill);
        tr_bucket_free(out);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (bucket grid)");
    }
    for (size_t i = 0; i < s->n; i++) {
        int bx = (int)floor((s->xy[2 * i] - xmin) / size),
            by = (int)floor((s->xy[2 * i + 1] - ymin) / size);
        bx = bx < 0 ? 0 : (bx >= out->nx ? out->nx - 1 : bx);
        by = by < 0 ? 0 : (by >= out->ny ? out->ny - 1 : by);
        which[i] = (size_t)by * (size_t)out->nx + (size_t)bx;
        out->start[which[i] + 1]++;
    }
    for (size_t b = 0; b < nb; b++)
        out->start[b + 1] += out->start[b];
    for (size_t i = 0; i < s->n; i++)
        out->idx[out->start[which[i]] + fill[which[i]]++] = (uint32_t)i;
    free(which);
    free(fill);
    return TR_OK;
}

void tr_bucket_free(tr_bucket *b)
{
    free(b->start);
    free(b->idx);
    b->start = NULL;
    b->idx = NULL;
}

static void bucket_of(const tr_bucket *b, double x, double y, int *bx, int *by)
{
    int i = (int)floor((x - b->x0) / b->size), j = (int)floor((y - b->y0) / b->size);
    *bx = i < 0 ? 0 : (i >= b->nx ? b->nx - 1 : i);
    *by = j < 0 ? 0 : (j >= b->ny ? b->ny - 1 : j);
}

size_t tr_bucket_nearest(const tr_bucket *b, double x, double y)
{
    int bx, by;
    bucket_of(b, x, y, &bx, &by);
    size_t best = (size_t)-1;
    double bd = INFINITY;
    int kmax = b->nx > b->ny ? b->nx : b->ny;
    for (int k = 0; k <= kmax; k++) {
        for (int j = by - k; j <= by + k; j++) {
            if (j < 0 || j >= b->ny)
                continue;
            int step = (j == by - k || j == by + k) ? 1 : 2 * k;
            for (int i = bx - k; i <= bx + k; i += step ? step : 1) {
                if (i < 0 || i >= b->nx)
                    continue;
                size_t bb = (size_t)j * (size_t)b->nx + (size_t)i;
                for (uint32_t q = b->start[bb]; q < b->start[bb + 1]; q++) {
                    uint32_t s = b->idx[q];
                    double dx = b->s->xy[2 * s] - x, dy = b->s->xy[2 * s + 1] - y;
                    double d = dx * dx + dy * dy;
                    /* Ties go to the lower index, whatever the visiting order. */
                    if (d < bd || (d == bd && s < best)) {
                        bd = d;
                        best = s;
                    }
                }
                if (step == 0)
                    break;
            }
        }
        /* Buckets of ring k+1 are at least k bucket widths away. */
        double reach = k * b->size;
        if (best != (size_t)-1 && bd < reach * reach)
            break;
    }
    return best;
}

/* ---- Voronoi cells by half-plane clipping ---------------------------------------------- */

/* Labels of cell edges: a neighbour seed (>= 0) or a side of the box. */
enum { SIDE_W = -1, SIDE_S = -2, SIDE_E = -3, SIDE_N = -4 };
#define MAXV 512

typedef struct pv {
    double x, y; /* relative to the seed while clipping */
    long lab;    /* label of the edge that starts at this vertex */
} pv;

/* Keep the part of convex polygon @p in (n vertices) closer to the seed (origin) than to the
 * seed at (dx, dy), whose index is j. */
static int clip(const pv *in, int n, pv *out, double dx, double dy, long j)
{
    double c = 0.5 * (dx * dx + dy * dy);
    int m = 0;
    for (int k = 0; k < n; k++) {
        const pv *a = &in[k], *b = &in[(k + 1) % n];
        double fa = dx * a->x + dy * a->y - c, fb = dx * b->x + dy * b->y - c;
        if (fa <= 0) {
            out[m++] = *a;
            if (fb > 0) {
                double t = fa / (fa - fb);
                out[m++] = (pv){a->x + t * (b->x - a->x), a->y + t * (b->y - a->y), j};
            }
        } else if (fb <= 0) {
            double t = fa / (fa - fb);
            out[m++] = (pv){a->x + t * (b->x - a->x), a->y + t * (b->y - a->y), a->lab};
        }
        if (m >= MAXV - 2)
            return -1;
    }
    return m;
}

static void circumcentre(const double *s, long a, long b, long c, double *x, double *y)
{
    long t;
    if (a > b) {
        t = a, a = b, b = t;
    }
    if (b > c) {
        t = b, b = c, c = t;
    }
    if (a > b) {
        t = a, a = b, b = t;
    }
    double ax = s[2 * a], ay = s[2 * a + 1];
    double bx = s[2 * b] - ax, by = s[2 * b + 1] - ay, cx = s[2 * c] - ax, cy = s[2 * c + 1] - ay;
    double d = 2.0 * (bx * cy - by * cx), b2 = bx * bx + by * by, c2 = cx * cx + cy * cy;
    *x = ax + (cy * b2 - by * c2) / d;
    *y = ay + (bx * c2 - cx * b2) / d;
}

/* Where the bisector of seeds p and q meets a side of the box. */
static void bisector_side(const double *s, const tr_tier *t, long p, long q, long side, double *x,
                          double *y)
{
    if (p > q) {
        long tmp = p;
        p = q;
        q = tmp;
    }
    double xp = s[2 * p], yp = s[2 * p + 1], xq = s[2 * q], yq = s[2 * q + 1];
    if (side == SIDE_W || side == SIDE_E) {
        double X = side == SIDE_W ? t->xmin : t->xmax;
        *x = X;
        *y = ((X - xq) * (X - xq) - (X - xp) * (X - xp)) / (2.0 * (yq - yp)) + 0.5 * (yq + yp);
    } else {
        double Y = side == SIDE_S ? t->ymin : t->ymax;
        *y = Y;
        *x = ((Y - yq) * (Y - yq) - (Y - yp) * (Y - yp)) / (2.0 * (xq - xp)) + 0.5 * (xq + xp);
    }
}

/* The vertex of seed i's cell between the edges labelled la (before) and lb (after), computed
 * from the labels alone so that every cell sharing it gets the same double. */
static void canonical(const tr_seeds *sd, const tr_tier *t, long i, long la, long lb, double *x,
                      double *y)
{
    if (la >= 0 && lb >= 0) {
        circumcentre(sd->xy, i, la, lb, x, y);
    } else if (la < 0 && lb < 0) {
        *x = (la == SIDE_W || lb == SIDE_W) ? t->xmin : t->xmax;
        *y = (la == SIDE_S || lb == SIDE_S) ? t->ymin : t->ymax;
    } else {
        bisector_side(sd->xy, t, i, la >= 0 ? la : lb, la < 0 ? la : lb, x, y);
    }
    *x = tr_round_mm(*x);
    *y = tr_round_mm(*y);
}

static int voronoi_cell(const tr_seeds *sd, const tr_bucket *b, const tr_tier *t, size_t i,
                        pv *poly, pv *tmp)
{
    double sx = sd->xy[2 * i], sy = sd->xy[2 * i + 1];
    int n = 4;
    poly[0] = (pv){t->xmin - sx, t->ymin - sy, SIDE_S};
    poly[1] = (pv){t->xmax - sx, t->ymin - sy, SIDE_E};
    poly[2] = (pv){t->xmax - sx, t->ymax - sy, SIDE_N};
    poly[3] = (pv){t->xmin - sx, t->ymax - sy, SIDE_W};
    int bx, by;
    bucket_of(b, sx, sy, &bx, &by);
    int kmax = b->nx > b->ny ? b->nx : b->ny;
    for (int k = 0; k <= kmax; k++) {
        for (int j = by - k; j <= by + k; j++) {
            if (j < 0 || j >= b->ny)
                continue;
            int step = (j == by - k || j == by + k) ? 1 : 2 * k;
            for (int ii = bx - k; ii <= bx + k; ii += step ? step : 1) {
                if (ii >= 0 && ii < b->nx) {
                    size_t bb = (size_t)j * (size_t)b->nx + (size_t)ii;
                    for (uint32_t q = b->start[bb]; q < b->start[bb + 1]; q++) {
                        uint32_t o = b->idx[q];
                        if (o == i)
                            continue;
                        int m = clip(poly, n, tmp, sd->xy[2 * o] - sx, sd->xy[2 * o + 1] - sy, o);
                        if (m < 0)
                            return -1;
                        memcpy(poly, tmp, (size_t)m * sizeof(pv));
                        n = m;
                    }
                }
                if (step == 0)
                    break;
            }
        }
        double r2 = 0;
        for (int v = 0; v < n; v++) {
            double d = poly[v].x * poly[v].x + poly[v].y * poly[v].y;
            r2 = d > r2 ? d : r2;
        }
        /* Seeds beyond ring k are at least k bucket widths away; a seed farther than twice the
         * cell's radius cannot cut it. */
        double reach = k * b->size;
        if (k >= 1 && reach * reach > 4.0 * r2)
            break;
    }
    return n;
}

/* ---- fractal edges --------------------------------------------------------------------- */

typedef struct edge_buf {
    double *xy;
    size_t cap;
} edge_buf;

/* Width available at parameter t on the side of seed (px, py) of the edge U + t·D: the triangle
 * (U, U+D, seed) in edge coordinates has apex (ts, H). */
static double side_width(double ts, double H, double t)
{
    double w = INFINITY;
    if (ts > 0)
        w = H * t / ts;
    if (ts < 1) {
        double w2 = H * (1 - t) / (1 - ts);
        w = w2 < w ? w2 : w;
    }
    return w;
}

/* Interior points of the polyline that replaces the edge between seeds a < b from U to V (U < V
 * lexicographically), in that direction. Returns the number of interior points (in buf). */
static long fractal_edge(tr_ctx *ctx, gsl_rng *r, const tr_seeds *sd, uint64_t stream_base, long a,
                         long b, double ux, double uy, double vx, double vy, edge_buf *buf)
{
    double dx = vx - ux, dy = vy - uy, L = hypot(dx, dy);
    double vm = ctx->tier->vertex_m;
    if (!(L >= 2.0 * vm))
        return 0;
    int K = (int)ceil(log2(L / vm));
    K = K > 14 ? 14 : K;
    size_t N = (size_t)1 << K;
    if (buf->cap < 3 * (N + 1)) {
        double *p = realloc(buf->xy, 3 * (N + 1) * sizeof(double));
        if (!p)
            return -1;
        buf->xy = p;
        buf->cap = 3 * (N + 1);
    }
    double *h = buf->xy + 2 * (N + 1);
    uint64_t key = tr_mix64(((uint64_t)a << 32) ^ (uint64_t)b) ^ stream_base;
    uint64_t z = tr_mix64(tr_mix64(tr_mix64(ctx->seed) ^ (uint64_t)TR_STREAM_EDGE) ^ key);
    unsigned long s = (unsigned long)(z & 0xffffffffULL);
    gsl_rng_set(r, s ? s : 1UL);
    /* Midpoint displacement: at each level the new midpoints move by a Gaussian whose sd is a
     * fixed share of the interval they split (self-similar, like a digitised street line). */
    h[0] = h[N] = 0.0;
    for (size_t step = N / 2; step >= 1; step /= 2) {
        double sdv = 0.12 * L * (double)(2 * step) / (double)N;
        for (size_t m = step; m < N; m += 2 * step)
            h[m] = 0.5 * (h[m - step] + h[m + step]) + sdv * gsl_ran_ugaussian(r);
        if (step == 1)
            break;
    }
    /* Stay inside the triangles (U, V, seed a) and (U, V, seed b): clamp to 80 % of the width on
     * each side. Both triangles lie in the union of the two cells, so the polyline cannot meet
     * any other edge, and as a graph over UV it cannot cross itself. */
    double nx = -dy / L, ny = dx / L;
    double ax = sd->xy[2 * a] - ux, ay = sd->xy[2 * a + 1] - uy;
    double bx = sd->xy[2 * b] - ux, by = sd->xy[2 * b + 1] - uy;
    double ha = ax * nx + ay * ny, hb = bx * nx + by * ny;
    double ta = (ax * dx + ay * dy) / (L * L), tb = (bx * dx + by * dy) / (L * L);
    double Hpos = ha > 0 ? ha : hb, tpos = ha > 0 ? ta : tb;
    double Hneg = ha > 0 ? -hb : -ha, tneg = ha > 0 ? tb : ta;
    long n = 0;
    for (size_t m = 1; m < N; m++) {
        double t = (double)m / (double)N;
        double up = 0.8 * side_width(tpos, Hpos, t), lo = -0.8 * side_width(tneg, Hneg, t);
        double hv = h[m] > up ? up : (h[m] < lo ? lo : h[m]);
        buf->xy[2 * n] = tr_round_mm(ux + t * dx + hv * nx);
        buf->xy[2 * n + 1] = tr_round_mm(uy + t * dy + hv * ny);
        n++;
    }
    return n;
}

static tr_status ring_push(tr_ctx *ctx, tr_rings *out, size_t *np, double x, double y)
{
    if (*np == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 65536;
        double *xy = realloc(out->xy, 2 * cap * sizeof(double));
        if (!xy)
            return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (polygon vertices)");
        out->xy = xy;
        out->cap = cap;
    }
    out->xy[2 * *np] = x;
    out->xy[2 * *np + 1] = y;
    (*np)++;
    return TR_OK;
}

tr_status tr_tessellate(tr_ctx *ctx, const tr_seeds *sd, const tr_bucket *b, uint64_t stream_base,
                        tr_rings *out)
{
    const tr_tier *t = ctx->tier;
    memset(out, 0, sizeof(*out));
    out->off = calloc(sd->n_keep + 1, sizeof(size_t));
    pv *poly = malloc(2 * MAXV * sizeof(pv));
    double *vx = malloc(2 * MAXV * sizeof(double));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    edge_buf eb = {0};
    tr_status st = TR_OK;
    if (!out->off || !poly || !vx || !r) {
        st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (tessellation)");
        goto done;
    }
    size_t np = 0;
    for (size_t i = 0; i < sd->n_keep && st == TR_OK; i++) {
        int n = voronoi_cell(sd, b, t, i, poly, poly + MAXV);
        if (n < 3) {
            st = tr_fail(ctx, TR_ERR_GEOM, "Voronoi cell of seed %zu is degenerate (%d vertices)",
                         i, n);
            break;
        }
        for (int k = 0; k < n; k++)
            canonical(sd, t, (long)i, poly[(k + n - 1) % n].lab, poly[k].lab, &vx[2 * k],
                      &vx[2 * k + 1]);
        size_t first = np;
        for (int k = 0; k < n && st == TR_OK; k++) {
            int k1 = (k + 1) % n;
            double px = vx[2 * k], py = vx[2 * k + 1], qx = vx[2 * k1], qy = vx[2 * k1 + 1];
            if (px == qx && py == qy)
                continue; /* an edge shorter than the rounding */
            st = ring_push(ctx, out, &np, px, py);
            long lab = poly[k].lab;
            if (lab < 0 || st != TR_OK)
                continue;
            int fwd = px < qx || (px == qx && py < qy);
            long a = (long)i < lab ? (long)i : lab, bb = (long)i < lab ? lab : (long)i;
            long m = fwd ? fractal_edge(ctx, r, sd, stream_base, a, bb, px, py, qx, qy, &eb)
                         : fractal_edge(ctx, r, sd, stream_base, a, bb, qx, qy, px, py, &eb);
            if (m < 0) {
                st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (edges)");
                break;
            }
            for (long e = 0; e < m && st == TR_OK; e++) {
                long q = fwd ? e : m - 1 - e;
                st = ring_push(ctx, out, &np, eb.xy[2 * q], eb.xy[2 * q + 1]);
            }
        }
        if (st == TR_OK && np - first < 3)
            st = tr_fail(ctx, TR_ERR_GEOM, "polygon of seed %zu has fewer than 3 vertices", i);
        if (st == TR_OK)
            st = ring_push(ctx, out, &np, out->xy[2 * first], out->xy[2 * first + 1]);
        out->off[i + 1] = np;
    }
    out->n = sd->n_keep;
done:
    free(eb.xy);
    gsl_rng_free(r);
    free(vx);
    free(poly);
    if (st != TR_OK)
        tr_rings_free(out);
    return st;
}
