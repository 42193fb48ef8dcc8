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

/* Ring @p r's points rounded into @p out (pairs), snapped to multiples of step[0] (lon) and
 * step[1] (lat) when @p step is given, consecutive duplicates dropped (and, snapped, points on
 * a line with their neighbours); the count, the ring closed. */
static size_t round_ring(const lb_vlayer *l, const double *lonlat, size_t r, const int64_t *step,
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
    if (step && n >= 4)
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
                                          size_t f, const int64_t *step, size_t *n_points)
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
        size_t n = round_ring(l, lonlat, r, step, pt);
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
