/* SPDX-License-Identifier: MIT */
/* Outlines for the web map: a point inside each unit, GeoJSON polygons in WGS84 with rounded
 * coordinates, and the JSON text of numbers and strings. */
#include "viewer.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Horizontal lines tried across a feature's bounding box. */
enum { N_SCANLINES = 24 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Crossings of the feature's ring edges with the horizontal line y = @p c (@p vertical 0) or
 * the vertical line x = @p c (@p vertical 1), sorted, into @p buf (grown as needed). */
static size_t crossings(const lb_vlayer *l, size_t f, double c, int vertical, double **buf,
                        size_t *cap)
{
    size_t n = 0;
    int a = vertical ? 0 : 1, b = vertical ? 1 : 0; /* a: the coordinate compared with c */
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
        size_t p0 = l->ring_pt_start[r], p1 = l->ring_pt_start[r + 1];
        for (size_t p = p0; p + 1 < p1; p++) {
            const double *u = &l->ring_xy[2 * p], *v = &l->ring_xy[2 * p + 2];
            if ((u[a] > c) == (v[a] > c))
                continue;
            double t = (c - u[a]) / (v[a] - u[a]);
            if (n == *cap) {
                size_t nc = *cap ? 2 * *cap : 64;
                double *nb = realloc(*buf, nc * sizeof(double));
                if (!nb)
                    return n;
                *buf = nb;
                *cap = nc;
            }
            (*buf)[n++] = u[b] + t * (v[b] - u[b]);
        }
    }
    qsort(*buf, n, sizeof(double), cmp_double);
    return n;
}

int lb_viewer_label_point(const lb_vlayer *l, size_t f, double *x, double *y)
{
    double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL, ymax = -HUGE_VAL;
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++)
        for (size_t p = l->ring_pt_start[r]; p < l->ring_pt_start[r + 1]; p++) {
            xmin = fmin(xmin, l->ring_xy[2 * p]);
            xmax = fmax(xmax, l->ring_xy[2 * p]);
            ymin = fmin(ymin, l->ring_xy[2 * p + 1]);
            ymax = fmax(ymax, l->ring_xy[2 * p + 1]);
        }
    if (!(xmax > xmin && ymax > ymin))
        return 0;
    double *h = NULL, *v = NULL, best = -1.0;
    size_t hcap = 0, vcap = 0;
    for (int k = 0; k < N_SCANLINES; k++) {
        /* an odd offset keeps the lines off vertices with round coordinates */
        double cy = ymin + (ymax - ymin) * ((k + 0.5 + 0.0193748) / N_SCANLINES);
        size_t nh = crossings(l, f, cy, 0, &h, &hcap);
        for (size_t i = 0; i + 1 < nh; i += 2) { /* even-odd: inside between pairs */
            double cx = 0.5 * (h[i] + h[i + 1]), half_w = 0.5 * (h[i + 1] - h[i]);
            if (!(half_w > best))
                continue;
            size_t nv = crossings(l, f, cx, 1, &v, &vcap);
            double dist = -1.0;
            for (size_t j = 0; j + 1 < nv; j += 2)
                if (v[j] <= cy && cy <= v[j + 1])
                    dist = fmin(cy - v[j], v[j + 1] - cy);
            double d = fmin(half_w, dist);
            if (d > best) {
                best = d;
                *x = cx;
                *y = cy;
            }
        }
    }
    free(h);
    free(v);
    return best > 0.0;
}

/* The decimal rounding
 * of printf, which rounds the exact binary value (v * 1e6 would round twice: 5.1234565, stored
 * as 5.12345649999..., times 1e6 gives 5123456.5). */
int64_t lb_viewer_fixed(double v)
{
    char buf[48], digits[48];
    size_t n = 0;
    snprintf(buf, sizeof(buf), "%.6f", v);
    for (const char *p = buf; *p && n + 1 < sizeof(digits); p++)
        if (*p != '.')
            digits[n++] = *p;
    digits[n] = '\0';
    return strtoll(digits, NULL, 10);
}

static void put_fixed(FILE *fp, int64_t v)
{
    /* integer arithmetic: the text is exactly the rounded value, with no binary residue */
    int64_t a = v < 0 ? -v : v;
    fprintf(fp, "%s%lld.%06lld", v < 0 ? "-" : "", (long long)(a / 1000000),
            (long long)(a % 1000000));
}

void lb_viewer_write_coord(FILE *fp, double v)
{
    put_fixed(fp, lb_viewer_fixed(v));
}

/* @p v (1e-6 degree) to the nearest multiple of @p step, ties away from zero: a function of the
 * value alone, so a vertex two units share lands on the same grid point in both. */
static int64_t snap(int64_t v, int64_t step)
{
    if (step <= 1)
        return v;
    int64_t a = v < 0 ? -v : v, q = (a + step / 2) / step * step;
    return v < 0 ? -q : q;
}

/* Twice the signed area of the triangle a, b, c (integer points): 0 when they lie on a line. */
static int64_t cross3(const int64_t *a, const int64_t *b, const int64_t *c)
{
    return (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
}

/* Drop from closed ring @p pt (n points, the last the first again) every point on the line
 * through its neighbours (straight runs and spikes that snapping leaves); the new count,
 * closed again, or less than 4 when nothing with an area is left. */
static size_t drop_collinear(int64_t *pt, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i++) { /* a stack of the points kept */
        pt[2 * k] = pt[2 * i];
        pt[2 * k + 1] = pt[2 * i + 1];
        k++;
        while (k >= 3 && cross3(&pt[2 * k - 6], &pt[2 * k - 4], &pt[2 * k - 2]) == 0) {
            pt[2 * k - 4] = pt[2 * k - 2];
            pt[2 * k - 3] = pt[2 * k - 1];
            k--;
            if (pt[2 * k - 4] == pt[2 * k - 2] && pt[2 * k - 3] == pt[2 * k - 1])
                k--; /* a spike folded back onto its start */
        }
    }
    /* around the closing point: the last, then the first */
    for (int changed = 1; changed && k >= 3;) {
        changed = 0;
        if (pt[2 * k - 2] == pt[0] && pt[2 * k - 1] == pt[1]) {
            k--;
            changed = 1;
        } else if (cross3(&pt[2 * k - 4], &pt[2 * k - 2], &pt[0]) == 0) {
            k--;
            changed = 1;
        } else if (cross3(&pt[2 * k - 2], &pt[0], &pt[2]) == 0) {
            memmove(pt, pt + 2, 2 * (k - 1) * sizeof(int64_t));
            k--;
            changed = 1;
        }
    }
    if (k < 3)
        return k;
    pt[2 * k] = pt[0];
    pt[2 * k + 1] = pt[1];
    return k + 1;
}

/* Ring @p r's points rounded into @p out (pairs), snapped to the overview's grid when @p step
 * is given, consecutive duplicates dropped; the count, the ring closed. */
static size_t snap_ring(const lb_vlayer *l, const double *lonlat, size_t r, const int64_t *step,
                        int64_t *out)
{
    size_t n = 0;
    for (size_t p = l->ring_pt_start[r]; p < l->ring_pt_start[r + 1]; p++) {
        int64_t x = lb_viewer_fixed(lonlat[2 * p]), y = lb_viewer_fixed(lonlat[2 * p + 1]);
        if (step) {
            x = snap(x, step[0]);
            y = snap(y, step[1]);
        }
        if (n && out[2 * n - 2] == x && out[2 * n - 1] == y)
            continue;
        out[2 * n] = x;
        out[2 * n + 1] = y;
        n++;
    }
    if (n && (out[0] != out[2 * n - 2] || out[1] != out[2 * n - 1])) { /* close it */
        out[2 * n] = out[0];
        out[2 * n + 1] = out[1];
        n++;
    }
    return n;
}

/* ---- the overview's shared arcs --------------------------------------------------------- */

/* A snapped vertex of the overview with the distinct vertices next to it in all rings: a
 * vertex with other than two is a node, where the border between two units ends. */
typedef struct ov_vertex {
    int32_t x, y;  /* 1e-6 degree */
    int32_t nb[4]; /* up to two neighbours (x, y) */
    uint8_t n_nb;  /* neighbours seen, 0-2 */
    uint8_t node;  /* 1: a third neighbour (or more) */
    uint8_t used;
} ov_vertex;

struct lb_viewer_ov_nodes {
    ov_vertex *v;
    size_t mask; /* capacity - 1 (a power of 2) */
};

static size_t ov_hash(int64_t x, int64_t y, size_t mask)
{
    uint64_t h = (uint64_t)x * 0x9E3779B97F4A7C15u ^
                 ((uint64_t)y + 0x632BE59BD9B4E019u) * 0xC2B2AE3D27D4EB4Fu;
    h ^= h >> 29;
    return (size_t)h & mask;
}

static ov_vertex *ov_find(const struct lb_viewer_ov_nodes *t, int64_t x, int64_t y, int add)
{
    for (size_t i = ov_hash(x, y, t->mask);; i = (i + 1) & t->mask) {
        ov_vertex *e = &t->v[i];
        if (!e->used) {
            if (!add)
                return NULL;
            e->used = 1;
            e->x = (int32_t)x;
            e->y = (int32_t)y;
            return e;
        }
        if (e->x == x && e->y == y)
            return e;
    }
}

static void ov_neighbour(ov_vertex *e, const int64_t *q)
{
    for (uint8_t k = 0; k < e->n_nb; k++)
        if (e->nb[2 * k] == q[0] && e->nb[2 * k + 1] == q[1])
            return;
    if (e->n_nb == 2) {
        e->node = 1;
        return;
    }
    e->nb[2 * e->n_nb] = (int32_t)q[0];
    e->nb[2 * e->n_nb + 1] = (int32_t)q[1];
    e->n_nb++;
}

int lb_viewer_overview_init(lb_viewer_overview *ov, const lb_vlayer *l, const double *lonlat,
                            const size_t *feats, size_t n)
{
    ov->step[0] = LB_VIEWER_OVERVIEW_STEP_LON;
    ov->step[1] = LB_VIEWER_OVERVIEW_STEP_LAT;
    ov->tolerance = LB_VIEWER_OVERVIEW_TOLERANCE;
    ov->nodes = NULL;
    size_t max_pts = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t r = l->ring_start[feats[i]]; r < l->ring_start[feats[i] + 1]; r++) {
            size_t np = l->ring_pt_start[r + 1] - l->ring_pt_start[r];
            max_pts = np > max_pts ? np : max_pts;
        }
    struct lb_viewer_ov_nodes *t = malloc(sizeof(*t));
    int64_t *pt = malloc((2 * max_pts + 2) * sizeof(int64_t));
    /* the table sized by the snapped points (a fraction of the outlines' points: on T2 4.9 M
     * points, of which consecutive ones snap together), at most half full */
    size_t snapped = 0, cap = 1024;
    for (size_t i = 0; pt && i < n; i++)
        for (size_t r = l->ring_start[feats[i]]; r < l->ring_start[feats[i] + 1]; r++)
            snapped += snap_ring(l, lonlat, r, ov->step, pt);
    while (cap < 2 * snapped)
        cap *= 2;
    if (t)
        t->v = calloc(cap, sizeof(ov_vertex));
    if (!t || !t->v || !pt) {
        if (t)
            free(t->v);
        free(t);
        free(pt);
        return 0;
    }
    t->mask = cap - 1;
    for (size_t i = 0; i < n; i++)
        for (size_t r = l->ring_start[feats[i]]; r < l->ring_start[feats[i] + 1]; r++) {
            size_t m = snap_ring(l, lonlat, r, ov->step, pt);
            if (m < 2)
                continue;
            m--; /* the closing point is the first */
            for (size_t k = 0; k < m; k++) {
                ov_vertex *e = ov_find(t, pt[2 * k], pt[2 * k + 1], 1);
                ov_neighbour(e, &pt[2 * ((k + m - 1) % m)]);
                ov_neighbour(e, &pt[2 * ((k + 1) % m)]);
            }
        }
    free(pt);
    ov->nodes = t;
    return 1;
}

void lb_viewer_overview_free(lb_viewer_overview *ov)
{
    if (ov && ov->nodes) {
        free(ov->nodes->v);
        free(ov->nodes);
        ov->nodes = NULL;
    }
}

static int lex_less(const int64_t *a, const int64_t *b)
{
    return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
}

/* Distance of @p p from the segment a-b in grid cells (each axis divided by its step). */
static double cell_dist(const int64_t *p, const int64_t *a, const int64_t *b, const int64_t *step)
{
    double px = (double)(p[0] - a[0]) / (double)step[0],
           py = (double)(p[1] - a[1]) / (double)step[1];
    double bx = (double)(b[0] - a[0]) / (double)step[0],
           by = (double)(b[1] - a[1]) / (double)step[1];
    double len2 = bx * bx + by * by, t = len2 > 0.0 ? (px * bx + py * by) / len2 : 0.0;
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    return hypot(px - t * bx, py - t * by);
}

/* Douglas-Peucker on the arc @p a (m + 1 points), the ends kept: keep[i] set for the points
 * kept. The arc is taken in a direction of its own (from its lesser end; a closed arc towards
 * its lesser second point), so the two units on either side of a border keep the same points.
 * @p buf and @p stack hold m + 1 points and 2 (m + 1) indices. */
static void arc_simplify(const int64_t *a, size_t m, const lb_viewer_overview *ov, char *keep,
                         int64_t *buf, size_t *stack)
{
    int reverse = lex_less(&a[2 * m], &a[0]) || (a[0] == a[2 * m] && a[1] == a[2 * m + 1] &&
                                                 m >= 2 && lex_less(&a[2 * (m - 1)], &a[2]));
    for (size_t i = 0; i <= m; i++) {
        size_t j = reverse ? m - i : i;
        buf[2 * i] = a[2 * j];
        buf[2 * i + 1] = a[2 * j + 1];
    }
    char *k = keep;
    for (size_t i = 0; i <= m; i++)
        k[i] = 0;
    k[0] = k[m] = 1;
    size_t top = 0;
    stack[top++] = 0;
    stack[top++] = m;
    while (top) {
        size_t j = stack[--top], i = stack[--top], far = 0;
        double best = -1.0;
        for (size_t q = i + 1; q < j; q++) {
            double dq = cell_dist(&buf[2 * q], &buf[2 * i], &buf[2 * j], ov->step);
            if (dq > best) {
                best = dq;
                far = q;
            }
        }
        /* a closed arc keeps its farthest point whatever the tolerance: it is a ring */
        if (far && (best > ov->tolerance ||
                    (i == 0 && j == m && buf[0] == buf[2 * m] && buf[1] == buf[2 * m + 1]))) {
            k[far] = 1;
            stack[top++] = i;
            stack[top++] = far;
            stack[top++] = far;
            stack[top++] = j;
        }
    }
    if (reverse)
        for (size_t i = 0; i < (m + 1) / 2; i++) {
            char c = k[i];
            k[i] = k[m - i];
            k[m - i] = c;
        }
}

/* Simplify the snapped closed ring @p pt (n points) arc by arc between the nodes of the
 * overview; the new count, closed (the ring as it was when out of memory). */
static size_t ring_arcs(int64_t *pt, size_t n, const lb_viewer_overview *ov)
{
    size_t m = n - 1, start = SIZE_MAX, low = 0, out = n; /* unchanged when out of memory */
    int64_t *r = malloc(2 * (m + 1) * sizeof(int64_t)),
            *buf = malloc(2 * (m + 1) * sizeof(int64_t));
    size_t *stack = malloc(2 * (m + 1) * sizeof(size_t));
    char *node = malloc(m + 1), *keep = malloc(m + 1);
    if (!r || !buf || !stack || !node || !keep)
        goto cleanup;
    for (size_t i = 0; i < m; i++) {
        const ov_vertex *e = ov_find(ov->nodes, pt[2 * i], pt[2 * i + 1], 0);
        node[i] = !e || e->node || e->n_nb != 2;
        if (node[i] && start == SIZE_MAX)
            start = i;
        if (lex_less(&pt[2 * i], &pt[2 * low]))
            low = i;
    }
    if (start == SIZE_MAX) /* no node: the ring is a closed arc from its least point */
        start = low;
    for (size_t j = 0; j <= m; j++) {
        size_t i = (start + j) % m;
        r[2 * j] = pt[2 * i];
        r[2 * j + 1] = pt[2 * i + 1];
    }
    char *rn = keep; /* the nodes in r's order, then reused */
    for (size_t j = 0; j < m; j++)
        rn[j] = node[(start + j) % m];
    rn[0] = 1;
    rn[m] = 1;
    memcpy(node, rn, m + 1);
    for (size_t a = 0; a < m;) {
        size_t b = a + 1;
        while (b < m && !node[b])
            b++;
        arc_simplify(&r[2 * a], b - a, ov, keep + a, buf, stack);
        a = b;
    }
    out = 0;
    for (size_t j = 0; j < m; j++)
        if (keep[j]) {
            pt[2 * out] = r[2 * j];
            pt[2 * out + 1] = r[2 * j + 1];
            out++;
        }
    pt[2 * out] = pt[0];
    pt[2 * out + 1] = pt[1];
    out++;
cleanup:
    free(keep);
    free(node);
    free(stack);
    free(buf);
    free(r);
    return out;
}

/* Ring @p r's points rounded into @p out (pairs) and, for the overview @p ov, snapped to its
 * grid, simplified arc by arc and cleared of points on a line with their neighbours; the count,
 * the ring closed. */
static size_t round_ring(const lb_vlayer *l, const double *lonlat, size_t r,
                         const lb_viewer_overview *ov, int64_t *out)
{
    size_t n = snap_ring(l, lonlat, r, ov ? ov->step : NULL, out);
    if (ov && ov->nodes && n >= 4)
        n = ring_arcs(out, n, ov);
    if (ov && n >= 4)
        n = drop_collinear(out, n);
    return n;
}

/* Must closed ring @p pt (n points) be reversed to run counter-clockwise (@p want_ccw 1) or
 * clockwise (0)? */
static int must_reverse(const int64_t *pt, size_t n, int want_ccw)
{
    double area2 = 0.0; /* twice the signed area (in 1e-12 square degrees): > 0 is CCW */
    for (size_t i = 0; i + 1 < n; i++)
        area2 += (double)pt[2 * i] * (double)pt[2 * i + 3] -
                 (double)pt[2 * i + 2] * (double)pt[2 * i + 1];
    return (area2 > 0.0) != want_ccw;
}

static void put_ring(FILE *fp, const int64_t *pt, size_t n, int want_ccw)
{
    int reverse = must_reverse(pt, n, want_ccw);
    fputc('[', fp);
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        fputs(k ? ",[" : "[", fp);
        put_fixed(fp, pt[2 * i]);
        fputc(',', fp);
        put_fixed(fp, pt[2 * i + 1]);
        fputc(']', fp);
    }
    fputc(']', fp);
}

size_t lb_viewer_write_polygon(FILE *fp, const lb_vlayer *l, const double *lonlat, size_t f)
{
    size_t r0 = l->ring_start[f], r1 = l->ring_start[f + 1], max_pts = 0, n_outer = 0;
    for (size_t r = r0; r < r1; r++) {
        size_t np = l->ring_pt_start[r + 1] - l->ring_pt_start[r];
        max_pts = np > max_pts ? np : max_pts;
        n_outer += !l->ring_hole[r];
    }
    int64_t *pt = malloc((2 * max_pts + 2) * sizeof(int64_t));
    if (!pt)
        return 0;
    /* The reader keeps OGR's order: each outer ring is followed by its holes. */
    int multi = n_outer > 1, open_poly = 0;
    size_t written = 0;
    fputs(multi ? "{\"type\":\"MultiPolygon\",\"coordinates\":["
                : "{\"type\":\"Polygon\",\"coordinates\":",
          fp);
    int skip_holes = 0;
    for (size_t r = r0; r < r1; r++) {
        size_t n = round_ring(l, lonlat, r, NULL, pt);
        if (!l->ring_hole[r]) {
            if (open_poly)
                fputc(']', fp);
            open_poly = 0;
            skip_holes = n < 4;
            if (skip_holes)
                continue;
            if (multi && written)
                fputc(',', fp);
            fputc('[', fp);
            open_poly = 1;
            put_ring(fp, pt, n, 1);
            written++;
        } else if (!skip_holes && open_poly && n >= 4) {
            fputc(',', fp);
            put_ring(fp, pt, n, 0);
            written++;
        }
    }
    if (open_poly)
        fputc(']', fp);
    else if (!multi)
        fputs("[]", fp);
    fputs(multi ? "]}" : "}", fp);
    free(pt);
    return written;
}

typedef struct pt_ref {
    double x, y;
    size_t i;
} pt_ref;

static int cmp_pt_ref(const void *a, const void *b)
{
    const pt_ref *p = a, *q = b;
    if (p->y != q->y)
        return (p->y > q->y) - (p->y < q->y);
    return (p->x > q->x) - (p->x < q->x);
}

/* First index in pts[lo, hi) whose x is >= @p x (pts sorted by x within the range). */
static size_t lower_x(const pt_ref *pts, size_t lo, size_t hi, double x)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pts[mid].x < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int lb_viewer_points_locate(const lb_vlayer *l, const double *xy, size_t n, size_t *feat)
{
    pt_ref *pts = malloc((n ? n : 1) * sizeof(*pts));
    size_t *row_start = malloc((n + 1) * sizeof(size_t));
    double *cross = NULL;
    size_t cap = 0, n_rows = 0;
    int ok = pts && row_start;
    if (!ok)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        pts[i] = (pt_ref){xy[2 * i], xy[2 * i + 1], i};
        feat[i] = SIZE_MAX;
    }
    qsort(pts, n, sizeof(*pts), cmp_pt_ref);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || pts[i].y != pts[i - 1].y)
            row_start[n_rows++] = i;
    row_start[n_rows] = n;
    for (size_t f = 0; f < l->n && n_rows; f++) {
        double ymin = HUGE_VAL, ymax = -HUGE_VAL;
        for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++)
            for (size_t p = l->ring_pt_start[r]; p < l->ring_pt_start[r + 1]; p++) {
                ymin = fmin(ymin, l->ring_xy[2 * p + 1]);
                ymax = fmax(ymax, l->ring_xy[2 * p + 1]);
            }
        /* the first row at or above ymin */
        size_t lo = 0, hi = n_rows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (pts[row_start[mid]].y < ymin)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t row = lo; row < n_rows && pts[row_start[row]].y <= ymax; row++) {
            size_t nc = crossings(l, f, pts[row_start[row]].y, 0, &cross, &cap);
            for (size_t k = 0; k + 1 < nc; k += 2) { /* even-odd: inside between pairs */
                size_t a = lower_x(pts, row_start[row], row_start[row + 1], cross[k]);
                for (; a < row_start[row + 1] && pts[a].x < cross[k + 1]; a++)
                    if (feat[pts[a].i] == SIZE_MAX)
                        feat[pts[a].i] = f;
            }
        }
    }
cleanup:
    free(cross);
    free(row_start);
    free(pts);
    return ok;
}

void lb_viewer_put_ints(FILE *fp, const int64_t *v, size_t n)
{
    static const char alphabet[] = LB_VIEWER_INT_ALPHABET;
    for (size_t i = 0; i < n; i++) {
        uint64_t z = v[i] < 0 ? 2 * (uint64_t)(-(v[i] + 1)) + 1 : 2 * (uint64_t)v[i];
        do {
            unsigned g = (unsigned)(z & 31u);
            z >>= 5;
            fputc(alphabet[g + (z ? 32u : 0u)], fp);
        } while (z);
    }
}

size_t lb_viewer_put_polygon_ints_snapped(FILE *fp, const lb_vlayer *l, const double *lonlat,
                                          size_t f, const lb_viewer_overview *ov, size_t *n_points)
{
    size_t r0 = l->ring_start[f], r1 = l->ring_start[f + 1], max_pts = 0, all_pts = 0;
    for (size_t r = r0; r < r1; r++) {
        size_t np = l->ring_pt_start[r + 1] - l->ring_pt_start[r];
        max_pts = np > max_pts ? np : max_pts;
        all_pts += np + 1;
    }
    int64_t *pt = malloc((2 * max_pts + 2) * sizeof(int64_t)),
            *buf = malloc((2 * all_pts + 2 * (r1 - r0) + 1) * sizeof(int64_t));
    if (!pt || !buf) {
        free(pt);
        free(buf);
        return 0;
    }
    /* The same rings as lb_viewer_write_polygon, in the same order and direction. */
    size_t nb = 1, poly_at = SIZE_MAX, written = 0, pts = 0;
    int64_t px = 0, py = 0;
    buf[0] = 0;
    for (size_t r = r0; r < r1; r++) {
        size_t n = round_ring(l, lonlat, r, ov, pt);
        if (!l->ring_hole[r]) {
            poly_at = SIZE_MAX;
            if (n < 4)
                continue;
            buf[0]++;
            poly_at = nb;
            buf[nb++] = 0;
        } else if (poly_at == SIZE_MAX || n < 4) {
            continue;
        }
        buf[poly_at]++;
        int reverse = must_reverse(pt, n, !l->ring_hole[r]);
        buf[nb++] = (int64_t)(n - 1); /* the closing point is the first again */
        for (size_t k = 0; k + 1 < n; k++) {
            size_t i = reverse ? n - 1 - k : k;
            buf[nb++] = pt[2 * i] - px;
            buf[nb++] = pt[2 * i + 1] - py;
            px = pt[2 * i];
            py = pt[2 * i + 1];
        }
        written++;
        pts += n - 1;
    }
    if (n_points)
        *n_points = pts;
    lb_viewer_put_ints(fp, buf, nb);
    free(buf);
    free(pt);
    return written;
}

size_t lb_viewer_put_polygon_ints(FILE *fp, const lb_vlayer *l, const double *lonlat, size_t f)
{
    return lb_viewer_put_polygon_ints_snapped(fp, l, lonlat, f, NULL, NULL);
}

void lb_viewer_format_number(double v, char *buf, size_t n)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "null");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void lb_viewer_write_string(FILE *fp, const char *s)
{
    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p == '/' && p > (const unsigned char *)s && p[-1] == '<')
            fputs("\\/", fp);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}
