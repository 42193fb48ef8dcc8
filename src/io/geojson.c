/* SPDX-License-Identifier: MIT */
/* GeoJSON written directly. Through GDAL's driver a national buurten layer (14k features,
 * 4.9 M vertices) took 16 s: every geometry became an OGR object and a json-c tree, every
 * coordinate a C++ string stream. Here each row's WKB is read once, its coordinates not seen
 * in an earlier row are transformed in one OCTTransform() call with the driver's own
 * transformation (a vertex shared by neighbours is transformed once), and the text is printed
 * into one buffer that is flushed as it fills. The output is byte for byte the
 * driver's (GDAL 3.6, options RFC7946=YES COORDINATE_PRECISION=7, or COORDINATE_PRECISION=2
 * in RD; SIGNIFICANT_FIGURES=15 or 17, the latter then rewritten by write.c to the shortest
 * exact reals); tests/test_write.c compares the two. */
#include "geojson.h"

#include "../core/bytes.h"
#include "../core/ctx.h"
#include "gdal_env.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Numbers ------------------------------------------------------------------------------ */

static const double pow10_tab[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Put the decimal digits of @p n (>= 0) at @p out; returns how many. */
static size_t put_uint(uint64_t n, char *out)
{
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (size_t i = 0; i < k; i++)
        out[i] = tmp[k - 1 - i];
    return k;
}

/* "%.*f" of @p v (finite) into @p buf; fast when the scaled value is far from a tie. */
static size_t fixed_digits(double v, int prec, char *buf, size_t size)
{
    if (prec >= 0 && prec <= 9) {
        double a = fabs(v) * pow10_tab[prec];
        if (a < 4503599627370496.0) { /* 2^52: the fraction of a is exact */
            double fl = floor(a), frac = a - fl;
            /* a is within half an ulp of |v| * 10^prec; only a fraction that close to 1/2
             * could round the other way, and those go to printf */
            if (fabs(frac - 0.5) > 4.0 * 2.220446049250313e-16 * (a + 1.0)) {
                uint64_t n = (uint64_t)fl + (frac > 0.5);
                uint64_t p = (uint64_t)pow10_tab[prec];
                size_t k = 0;
                if (signbit(v))
                    buf[k++] = '-';
                k += put_uint(n / p, buf + k);
                if (prec > 0) {
                    buf[k++] = '.';
                    uint64_t f = n % p;
                    for (int i = prec - 1; i >= 0; i--) {
                        buf[k + (size_t)i] = (char)('0' + f % 10);
                        f /= 10;
                    }
                    k += (size_t)prec;
                }
                buf[k] = '\0';
                return k;
            }
        }
    }
    int n = snprintf(buf, size, "%.*f", prec, v);
    return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

/* GDAL's roundup(): add one in the last digit of the (possibly signed) decimal in @p s. */
static size_t roundup(char *s, size_t len)
{
    size_t start = s[0] == '-' ? 1 : 0;
    for (size_t pos = len; pos-- > start;) {
        if (s[pos] == '.')
            continue;
        if (s[pos] != '9') {
            s[pos]++;
            return len;
        }
        s[pos] = '0';
        if (pos == start) {
            memmove(s + start + 1, s + start, len - start);
            s[start] = '1';
            return len + 1;
        }
    }
    return len;
}

/* GDAL 3.6's intelliround() of a fixed-notation number longer than 10 characters: a run of
 * five 0s or 9s before the last digit is taken for binary noise and cut (9s rounding up). */
static size_t intelliround(char *s, size_t len)
{
    const char *dot = memchr(s, '.', len);
    if (!dot || len <= 10)
        return len;
    size_t idot = (size_t)(dot - s), i = len;
    size_t before = idot - 1;
    if (s[0] == '-')
        before--;
    if (s[i - 2] == '0' && s[i - 3] == '0' && s[i - 4] == '0' && s[i - 5] == '0' && s[i - 6] == '0')
        return len - 1;
    if (idot < i - 8 && (before >= 4 || s[i - 3] == '0') && (before >= 5 || s[i - 4] == '0') &&
        (before >= 6 || s[i - 5] == '0') && (before >= 7 || s[i - 6] == '0') &&
        (before >= 8 || s[i - 7] == '0') && s[i - 8] == '0' && s[i - 9] == '0')
        return len - 8;
    if (s[i - 2] == '9' && s[i - 3] == '9' && s[i - 4] == '9' && s[i - 5] == '9' && s[i - 6] == '9')
        return roundup(s, i - 6);
    if (idot < i - 9 && (before >= 4 || s[i - 3] == '9') && (before >= 5 || s[i - 4] == '9') &&
        (before >= 6 || s[i - 5] == '9') && (before >= 7 || s[i - 6] == '9') &&
        (before >= 8 || s[i - 7] == '9') && s[i - 8] == '9' && s[i - 9] == '9')
        return roundup(s, i - 9);
    return len;
}

size_t lb_geojson_format_coord(double v, int prec, char *buf, size_t size)
{
    if (!isfinite(v))
        return (size_t)snprintf(buf, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    char tmp[400];
    size_t len = fixed_digits(v, prec, tmp, sizeof(tmp));
    len = intelliround(tmp, len);
    if (memchr(tmp, '.', len)) { /* trailing zeros go, one stays after the point */
        while (len > 0 && tmp[len - 1] == '0')
            len--;
        if (len > 0 && tmp[len - 1] == '.')
            tmp[len++] = '0';
    }
    if (len >= size)
        len = size - 1;
    memcpy(buf, tmp, len);
    buf[len] = '\0';
    return len;
}

/* Does the part of @p s after its point hold a run of six 0s or 9s? (GDAL's test.) */
static int has_noise_run(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot && (strstr(dot, "999999") || strstr(dot, "000000"));
}

size_t lb_geojson_format_real(double v, int sig, char *buf, size_t size)
{
    if (isnan(v))
        return (size_t)snprintf(buf, size, "NaN");
    if (isinf(v))
        return (size_t)snprintf(buf, size, "%s", v > 0 ? "Infinity" : "-Infinity");
    int n = snprintf(buf, size, "%.*g", sig, v);
    if (sig > 10 && has_noise_run(buf)) {
        int ok = 0;
        for (int i = 1; i <= 3 && !ok; i++) {
            n = snprintf(buf, size, "%.*g", sig - i, v);
            ok = strchr(buf, '.') && !has_noise_run(buf);
        }
        if (!ok)
            n = snprintf(buf, size, "%.*g", sig, v);
    }
    if (n > 0 && (size_t)n + 2 < size && !strchr(buf, '.') && !strchr(buf, 'e'))
        n += snprintf(buf + n, size - (size_t)n, ".0");
    return n < 0 ? 0 : (size_t)n;
}

/* lb_geojson_format_real(@p r, 15) for r already rounded to @p decimals (0..9) by
 * lb_io_round_decimals(), without printf: r is the double nearest n / 10^decimals, so with
 * |n| < 10^15 its 15 significant digits are those of n. 0 when another route must print it
 * (exponent notation below 1e-4, a noise run, more digits). */
static size_t real15_fast(double r, int decimals, char *buf)
{
    if (decimals < 0 || decimals > 9 || !(fabs(r) >= 1e-4 || r == 0.0))
        return 0;
    double scaled = r * pow10_tab[decimals];
    if (!(fabs(scaled) < 1e15))
        return 0;
    long long n = llround(scaled);
    char digits[24];
    size_t nd = put_uint((uint64_t)(n < 0 ? -n : n), digits), k = 0;
    size_t d = (size_t)decimals;
    if (n < 0)
        buf[k++] = '-';
    if (nd <= d) {
        buf[k++] = '0';
        buf[k++] = '.';
        for (size_t i = nd; i < d; i++)
            buf[k++] = '0';
        memcpy(buf + k, digits, nd);
        k += nd;
    } else {
        memcpy(buf + k, digits, nd - d);
        k += nd - d;
        if (d > 0) {
            buf[k++] = '.';
            memcpy(buf + k, digits + nd - d, d);
            k += d;
        }
    }
    if (d > 0) { /* %g drops trailing zeros and a bare point */
        while (buf[k - 1] == '0')
            k--;
        if (buf[k - 1] == '.')
            k--;
    }
    buf[k] = '\0';
    if (has_noise_run(buf))
        return 0;
    if (!strchr(buf, '.')) {
        buf[k++] = '.';
        buf[k++] = '0';
        buf[k] = '\0';
    }
    return k;
}

/* ---- Output buffer ------------------------------------------------------------------------ */

typedef struct out_buf {
    FILE *f;
    char *buf;
    size_t len, cap;
    int failed;
} out_buf;

enum { OUT_CAP = 1 << 20, OUT_SLACK = 512 };

static void out_flush(out_buf *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

/* Room for @p n more bytes (n <= OUT_SLACK, or anything for out_mem). */
static char *out_room(out_buf *o, size_t n)
{
    if (o->len + n > o->cap)
        out_flush(o);
    return o->buf + o->len;
}

static void out_mem(out_buf *o, const char *s, size_t n)
{
    if (n > o->cap - o->len) {
        out_flush(o);
        if (n > o->cap) {
            if (fwrite(s, 1, n, o->f) != n)
                o->failed = 1;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_str(out_buf *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

/* A JSON string as json-c escapes it (JSON_C_TO_STRING_NOSLASHESCAPE unless @p slash):
 * quote, backslash and the named controls by name, other controls as \u00xx, UTF-8 as is. */
static void out_json_string(out_buf *o, const char *s, int slash)
{
    out_mem(o, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '\b':
            esc = "\\b";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '/':
            esc = slash ? "\\/" : NULL;
            break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof(u), "\\u00%c%c", "0123456789abcdef"[c >> 4],
                         "0123456789abcdef"[c & 15]);
                esc = u;
            }
        }
        if (!esc)
            continue;
        out_mem(o, run, (size_t)(p - run));
        out_str(o, esc);
        run = p + 1;
    }
    out_str(o, run);
    out_mem(o, "\"", 1);
}

/* ---- Geometry ----------------------------------------------------------------------------- */

/* One row's geometry, flattened: parts (polygons, lines, points), their rings, the points. */
typedef struct flat_geom {
    uint32_t type; /* 1..6 as written (a promoted Polygon is 6) */
    size_t n_parts, n_rings, n_pts;
    size_t *part_rings; /* rings per part */
    size_t *ring_pts;   /* points per ring (a point: 1) */
    double *x, *y, *z;  /* n_pts coordinates; z is zeros */
    size_t cap_parts, cap_rings, cap_pts;
} flat_geom;

static void flat_free(flat_geom *g)
{
    free(g->part_rings);
    free(g->ring_pts);
    free(g->x);
    free(g->y);
    free(g->z);
}

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *p = realloc(*(void **)pp, c * elem);
    if (!p)
        return 0;
    *(void **)pp = p;
    *cap = c;
    return 1;
}

/* A WKB reader over one blob. */
typedef struct wkb_rd {
    const unsigned char *p, *end;
} wkb_rd;

static int rd_u32(wkb_rd *r, int le, uint32_t *v)
{
    if (r->end - r->p < 4)
        return 0;
    *v = lb_core_load_u32(r->p, le);
    r->p += 4;
    return 1;
}

/* Read @p n points (2D) into g; 0 when short, empty or not finite. */
static int rd_points(wkb_rd *r, int le, uint32_t n, flat_geom *g)
{
    if (n == 0 || (size_t)(r->end - r->p) / 16 < n)
        return 0;
    size_t need = g->n_pts + n;
    if (!grow(&g->x, &g->cap_pts, need, sizeof(double)))
        return 0;
    size_t cap = g->cap_pts;
    /* x decides the capacity; y and z follow it */
    double *ny = realloc(g->y, cap * sizeof(double)), *nz = NULL;
    if (ny)
        g->y = ny;
    nz = ny ? realloc(g->z, cap * sizeof(double)) : NULL;
    if (nz)
        g->z = nz;
    if (!ny || !nz)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        double x = lb_core_load_f64(r->p, le), y = lb_core_load_f64(r->p + 8, le);
        if (!isfinite(x) || !isfinite(y))
            return 0;
        g->x[g->n_pts] = x;
        g->y[g->n_pts] = y;
        g->z[g->n_pts++] = 0.0;
        r->p += 16;
    }
    return 1;
}

static int add_ring(flat_geom *g, size_t n)
{
    if (!grow(&g->ring_pts, &g->cap_rings, g->n_rings + 1, sizeof(size_t)))
        return 0;
    g->ring_pts[g->n_rings++] = n;
    return 1;
}

static int add_part(flat_geom *g, size_t rings)
{
    if (!grow(&g->part_rings, &g->cap_parts, g->n_parts + 1, sizeof(size_t)))
        return 0;
    g->part_rings[g->n_parts++] = rings;
    return 1;
}

/* One simple geometry of type @p want (1, 2 or 3; 0 = any of them) as one part. */
static int rd_simple(wkb_rd *r, uint32_t want, flat_geom *g, uint32_t *type_out)
{
    if (r->p >= r->end)
        return 0;
    int le = *r->p++ == 1;
    uint32_t ty, n;
    if (!rd_u32(r, le, &ty) || ty < 1 || ty > 3 || (want && ty != want))
        return 0;
    if (type_out)
        *type_out = ty;
    if (ty == 1)
        return rd_points(r, le, 1, g) && add_ring(g, 1) && add_part(g, 1);
    if (!rd_u32(r, le, &n) || n == 0)
        return 0;
    if (ty == 2)
        return rd_points(r, le, n, g) && add_ring(g, n) && add_part(g, 1);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t np;
        if (!rd_u32(r, le, &np) || !rd_points(r, le, np, g) || !add_ring(g, np))
            return 0;
    }
    return add_part(g, n);
}

/* Flatten @p wkb into @p g; 0 when this writer does not cover it. */
static int flatten(const unsigned char *wkb, size_t size, int promote, flat_geom *g)
{
    g->n_parts = g->n_rings = g->n_pts = 0;
    wkb_rd r = {wkb, wkb + size};
    if (size < 5)
        return 0;
    int le = wkb[0] == 1;
    uint32_t ty;
    wkb_rd peek = {wkb + 1, wkb + size};
    if (!rd_u32(&peek, le, &ty))
        return 0;
    int ok;
    if (ty >= 1 && ty <= 3) {
        ok = rd_simple(&r, 0, g, NULL);
        g->type = ty == 3 && promote ? 6 : ty;
    } else if (ty >= 4 && ty <= 6) {
        uint32_t n;
        r.p = peek.p;
        ok = rd_u32(&r, le, &n) && n > 0;
        for (uint32_t k = 0; ok && k < n; k++)
            ok = rd_simple(&r, ty - 3, g, NULL);
        g->type = ty;
    } else {
        return 0;
    }
    return ok && r.p == r.end;
}

/* GDAL 3.6's OGRLinearRing::isClockwise(): the turn at the lowest, rightmost vertex, with the
 * signed area as the fallback for degenerate pivots. */
static int ring_clockwise(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return 1;
    const double eps = 1.0e-5;
    int fallback = 0;
    size_t v = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (y[i] < y[v] || (y[i] == y[v] && x[i] > x[v])) {
            v = i;
            fallback = 0;
        } else if (y[i] == y[v] && x[i] == x[v]) {
            fallback = 1;
        }
    }
    size_t next = v == 0 ? n - 2 : v - 1;
    if (fabs(x[next] - x[v]) < eps && fabs(y[next] - y[v]) < eps)
        fallback = 1;
    double dx0 = x[next] - x[v], dy0 = y[next] - y[v];
    next = v + 1 >= n - 1 ? 0 : v + 1;
    if (fabs(x[next] - x[v]) < eps && fabs(y[next] - y[v]) < eps)
        fallback = 1;
    double dx1 = x[next] - x[v], dy1 = y[next] - y[v];
    double cross = dx1 * dy0 - dx0 * dy1;
    if (!fallback) {
        if (cross > 0)
            return 0;
        if (cross < 0)
            return 1;
    }
    double sum = x[0] * (y[1] - y[n - 1]);
    for (size_t i = 1; i + 1 < n; i++)
        sum += x[i] * (y[i + 1] - y[i - 1]);
    sum += x[n - 1] * (y[0] - y[n - 2]);
    return sum < 0;
}

/* Twice the signed area of a ring relative to its first point, as write.c's ring_area2()
 * computes it for RD output (> 0 counter-clockwise). */
static double ring_area2(const double *x, const double *y, size_t n)
{
    if (n < 3)
        return 0.0;
    double s = 0.0;
    for (size_t i = 1; i + 1 < n; i++)
        s += (x[i] - x[0]) * (y[i + 1] - y[0]) - (x[i + 1] - x[0]) * (y[i] - y[0]);
    return s;
}

/* ---- Writer ------------------------------------------------------------------------------- */

/* The lon/lat of every distinct RD point transformed so far. Neighbouring units share their
 * boundary vertices (on T2's buurten 4.9 M vertices are 2.46 M distinct points), and PROJ's
 * transformation of a point depends on that point alone, so a point seen before takes its
 * earlier result: the same bits at half the transformations. Open addressing over indices into
 * the dense arrays; point k's RD key is (rx[k], ry[k]) compared bit for bit. */
typedef struct ll_cache {
    uint32_t *slot; /* index + 1, 0 = empty; n_slots a power of two */
    size_t n_slots;
    double *rx, *ry, *lon, *lat; /* per distinct point */
    size_t n, cap;
    uint32_t *idx; /* per point of the current geometry */
    size_t cap_idx;
    int off; /* out of memory once: every geometry is transformed whole, as without a cache */
} ll_cache;

typedef struct gj_writer {
    out_buf o;
    int prec; /* coordinate decimals */
    int rfc;  /* lon/lat, GDAL's winding test */
    OGRCoordinateTransformationH ct;
    ll_cache cache;
} gj_writer;

static void put_coord(gj_writer *w, double x, double y)
{
    char *p = out_room(&w->o, 2 * 64 + 8);
    size_t k = 0;
    p[k++] = '[';
    p[k++] = ' ';
    k += lb_geojson_format_coord(x, w->prec, p + k, 64);
    p[k++] = ',';
    p[k++] = ' ';
    k += lb_geojson_format_coord(y, w->prec, p + k, 64);
    p[k++] = ' ';
    p[k++] = ']';
    w->o.len += k;
}

/* Ring or line @p r of @p g starting at point @p first, reversed when @p rev. */
static void put_line(gj_writer *w, const flat_geom *g, size_t first, size_t n, int rev)
{
    out_mem(&w->o, "[ ", 2);
    for (size_t i = 0; i < n; i++) {
        size_t k = first + (rev ? n - 1 - i : i);
        if (i)
            out_mem(&w->o, ", ", 2);
        put_coord(w, g->x[k], g->y[k]);
    }
    out_mem(&w->o, " ]", 2);
}

/* Polygon rings [@p ring0, ring0 + nr) with points from @p first: the right-hand rule, by
 * GDAL's test on lon/lat (RFC 7946) or by the signed area on RD. */
static void put_polygon(gj_writer *w, const flat_geom *g, size_t ring0, size_t nr, size_t first)
{
    out_mem(&w->o, "[ ", 2);
    for (size_t k = 0; k < nr; k++) {
        size_t n = g->ring_pts[ring0 + k];
        const double *x = g->x + first, *y = g->y + first;
        int rev;
        if (w->rfc) {
            int cw = ring_clockwise(x, y, n);
            rev = k == 0 ? cw : !cw;
        } else {
            double a = ring_area2(x, y, n);
            rev = (k == 0 && a < 0.0) || (k > 0 && a > 0.0);
        }
        if (k)
            out_mem(&w->o, ", ", 2);
        put_line(w, g, first, n, rev);
        first += n;
    }
    out_mem(&w->o, " ]", 2);
}

static const char *const type_names[] = {NULL,         "Point",           "LineString",  "Polygon",
                                         "MultiPoint", "MultiLineString", "MultiPolygon"};

static void put_geometry(gj_writer *w, const flat_geom *g)
{
    out_str(&w->o, "{ \"type\": \"");
    out_str(&w->o, type_names[g->type]);
    out_str(&w->o, "\", \"coordinates\": ");
    size_t ring = 0, pt = 0;
    int multi = g->type >= 4;
    if (multi)
        out_mem(&w->o, "[ ", 2);
    for (size_t p = 0; p < g->n_parts; p++) {
        size_t nr = g->part_rings[p], npts = 0;
        for (size_t k = 0; k < nr; k++)
            npts += g->ring_pts[ring + k];
        if (p)
            out_mem(&w->o, ", ", 2);
        uint32_t simple = multi ? g->type - 3 : g->type;
        if (simple == 1)
            put_coord(w, g->x[pt], g->y[pt]);
        else if (simple == 2)
            put_line(w, g, pt, npts, 0);
        else
            put_polygon(w, g, ring, nr, pt);
        ring += nr;
        pt += npts;
    }
    if (multi)
        out_mem(&w->o, " ]", 2);
    out_str(&w->o, " }");
}

/* Free what the cache holds (its struct is the writer's). */
static void cache_free(ll_cache *c)
{
    free(c->slot);
    free(c->rx);
    free(c->ry);
    free(c->lon);
    free(c->lat);
    free(c->idx);
}

static uint64_t f64_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    return u;
}

static size_t point_hash(double x, double y, size_t mask)
{
    uint64_t h = f64_bits(x) * UINT64_C(0x9E3779B97F4A7C15);
    h ^= (h >> 32) ^ f64_bits(y) * UINT64_C(0xC2B2AE3D27D4EB4F);
    h ^= h >> 29;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 32;
    return (size_t)h & mask;
}

/* Slot table of @p n_slots (a power of two) refilled from the distinct points; 0 when out of
 * memory (the old table is kept). */
static int cache_rehash(ll_cache *c, size_t n_slots)
{
    uint32_t *slot = calloc(n_slots, sizeof(*slot));
    if (!slot)
        return 0;
    for (size_t k = 0; k < c->n; k++) {
        size_t h = point_hash(c->rx[k], c->ry[k], n_slots - 1);
        while (slot[h])
            h = (h + 1) & (n_slots - 1);
        slot[h] = (uint32_t)k + 1;
    }
    free(c->slot);
    c->slot = slot;
    c->n_slots = n_slots;
    return 1;
}

/* Room for @p more distinct points (dense arrays and a slot table at most 3/4 full). */
static int cache_reserve(ll_cache *c, size_t more)
{
    size_t need = c->n + more;
    if (need >= UINT32_MAX)
        return 0;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < need)
            cap *= 2;
        double **arr[] = {&c->rx, &c->ry, &c->lon, &c->lat};
        for (size_t a = 0; a < 4; a++) {
            double *p = realloc(*arr[a], cap * sizeof(double));
            if (!p)
                return 0;
            *arr[a] = p;
        }
        c->cap = cap;
    }
    size_t n_slots = c->n_slots ? c->n_slots : 8192;
    while (need > n_slots / 4 * 3)
        n_slots *= 2;
    return n_slots == c->n_slots || cache_rehash(c, n_slots);
}

/* @p g's points to lon/lat through the cache: the points not seen before in one OCTTransform()
 * call, the others from their earlier result. -1 when the cache cannot grow, 0 when a point
 * fails to transform, 1 on success. */
static int cached_lonlat(gj_writer *w, flat_geom *g)
{
    ll_cache *c = &w->cache;
    if (!cache_reserve(c, g->n_pts) || !grow(&c->idx, &c->cap_idx, g->n_pts, sizeof(uint32_t)))
        return -1;
    size_t first_new = c->n, mask = c->n_slots - 1;
    for (size_t i = 0; i < g->n_pts; i++) {
        double x = g->x[i], y = g->y[i];
        uint64_t bx = f64_bits(x), by = f64_bits(y);
        size_t h = point_hash(x, y, mask);
        uint32_t k;
        while ((k = c->slot[h]) != 0 &&
               (f64_bits(c->rx[k - 1]) != bx || f64_bits(c->ry[k - 1]) != by))
            h = (h + 1) & mask;
        if (!k) {
            k = (uint32_t)++c->n;
            c->slot[h] = k;
            c->rx[k - 1] = c->lon[k - 1] = x;
            c->ry[k - 1] = c->lat[k - 1] = y;
        }
        c->idx[i] = k - 1;
    }
    size_t n_new = c->n - first_new;
    if (n_new) {
        /* z zeros, as OGRSimpleCurve::transform passes them; g->z has room for n_pts */
        memset(g->z, 0, n_new * sizeof(double));
        if (n_new > INT32_MAX ||
            !OCTTransform(w->ct, (int)n_new, c->lon + first_new, c->lat + first_new, g->z))
            return 0;
    }
    for (size_t i = 0; i < g->n_pts; i++) {
        g->x[i] = c->lon[c->idx[i]];
        g->y[i] = c->lat[c->idx[i]];
    }
    return 1;
}

/* Transform @p g to lon/lat as GDAL's RFC 7946 layer does, each point as that layer's
 * OCTTransform() of the geometry transforms it (z zeros, as OGRSimpleCurve::transform passes
 * them), points seen in an earlier geometry from the cache. 0 when any point fails or lands
 * within 10 degrees of the antimeridian or beyond the poles (the driver then decides). */
static int to_lonlat(gj_writer *w, flat_geom *g)
{
    int ok = -1;
    if (!w->cache.off) {
        ok = cached_lonlat(w, g);
        if (ok < 0)
            w->cache.off = 1;
    }
    if (ok == 0 ||
        (ok < 0 && (g->n_pts > INT32_MAX || !OCTTransform(w->ct, (int)g->n_pts, g->x, g->y, g->z))))
        return 0;
    /* near the antimeridian the driver's WRAPDATELINE=YES may cut or shift geometries */
    for (size_t i = 0; i < g->n_pts; i++)
        if (!(g->x[i] > -170.0 && g->x[i] < 170.0 && g->y[i] >= -90.0 && g->y[i] <= 90.0))
            return 0;
    /* away from it, WRAPDATELINE still rebuilds (multi)polygons and (multi)lines from their
     * parts, and a single part comes out as the simple type */
    if ((g->type == 6 || g->type == 5) && g->n_parts == 1)
        g->type -= 3;
    return 1;
}

/* Rings closed in RD (more than 2 points, first == last): after the transform of the same
 * numbers they are closed again, since PROJ gives the same output for the same input; checked
 * rather than assumed. */
static int rings_closed_same(const flat_geom *g, const unsigned char *closed)
{
    size_t first = 0;
    for (size_t r = 0; r < g->n_rings; r++) {
        size_t n = g->ring_pts[r];
        if (closed[r] && (g->x[first] != g->x[first + n - 1] || g->y[first] != g->y[first + n - 1]))
            return 0;
        first += n;
    }
    return 1;
}

/* Is text @p s what GDAL's writer would parse as embedded JSON? */
static int looks_like_json(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && ((s[0] == '{' && s[n - 1] == '}') || (s[0] == '[' && s[n - 1] == ']'));
}

/* Can this writer reproduce the driver for @p t? (Geometry is checked row by row later.) */
static int covered(const lb_table *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        for (size_t d = 0; d < c; d++)
            if (strcmp(t->cols[c].name, t->cols[d].name) == 0)
                return 0;
        if (t->cols[c].type == LB_COL_TEXT)
            for (size_t r = 0; r < t->n_rows; r++)
                if (t->cols[c].text[r] && looks_like_json(t->cols[c].text[r]))
                    return 0;
    }
    return 1;
}

static void put_properties(gj_writer *w, const lb_table *t, size_t r, int full)
{
    out_mem(&w->o, "\"properties\": {", 15);
    for (size_t c = 0; c < t->n_cols; c++) {
        const lb_column *col = &t->cols[c];
        out_mem(&w->o, c ? ", " : " ", c ? 2 : 1);
        out_json_string(&w->o, col->name, 0);
        out_mem(&w->o, ": ", 2);
        char *p = out_room(&w->o, 64);
        size_t k = 0;
        switch (col->type) {
        case LB_COL_REAL: {
            double v = col->real[r];
            if (!isfinite(v)) {
                out_mem(&w->o, "null", 4);
            } else if (full) {
                lb_io_shortest_exact(v, p, 64);
                w->o.len += strlen(p);
            } else {
                double rv = lb_io_round_decimals(v, col->decimals);
                k = real15_fast(rv, col->decimals, p);
                if (!k)
                    k = lb_geojson_format_real(rv, 15, p, 64);
                w->o.len += k;
            }
            break;
        }
        case LB_COL_INT:
            if (col->integer[r] == LB_INT_NULL) {
                out_mem(&w->o, "null", 4);
            } else {
                int64_t v = col->integer[r];
                if (v < 0)
                    p[k++] = '-';
                k += put_uint(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p + k);
                w->o.len += k;
            }
            break;
        case LB_COL_TEXT:
            if (col->text[r])
                out_json_string(&w->o, col->text[r], 0);
            else
                out_mem(&w->o, "null", 4);
            break;
        }
    }
    out_mem(&w->o, " }", 2);
}

/* The FeatureCollection's opening lines, as OGRGeoJSONDataSource::ICreateLayer prints them:
 * the layer name unless it is GDAL's default, the crs member in RD. */
static lb_status put_header(lb_ctx *ctx, gj_writer *w, const char *path, OGRSpatialReferenceH srs)
{
    out_str(&w->o, "{\n\"type\": \"FeatureCollection\",\n");
    const char *name = CPLGetBasename(path);
    if (name[0] && !EQUAL(name, "OGRGeoJSON")) {
        out_str(&w->o, "\"name\": ");
        out_json_string(&w->o, name, 1);
        out_str(&w->o, ",\n");
    }
    if (!w->rfc && srs) {
        const char *auth = OSRGetAuthorityName(srs, NULL), *code = OSRGetAuthorityCode(srs, NULL);
        if (!auth || !code)
            return lb_ctx_error(ctx, LB_ERR_CRS, "write '%s': the RD SRS has no EPSG code", path);
        out_str(&w->o, "\"crs\": { \"type\": \"name\", \"properties\": { \"name\": ");
        char urn[96];
        snprintf(urn, sizeof(urn), "urn:ogc:def:crs:%s::%s", auth, code);
        out_json_string(&w->o, urn, 1);
        out_str(&w->o, " } },\n");
    }
    out_str(&w->o, "\"features\": [\n");
    return LB_OK;
}

lb_status lb_geojson_write(lb_ctx *ctx, const char *path, const lb_table *t,
                           const lb_vector_opts *o, OGRSpatialReferenceH srs, int promote_polygons,
                           int *handled)
{
    *handled = 0;
    if (!covered(t) || (t->wkb && !srs))
        return LB_OK;
    lb_status st = LB_OK;
    gj_writer w = {.prec = o->geojson_rd ? 2 : 7, .rfc = !o->geojson_rd};
    flat_geom g = {0};
    unsigned char *closed = NULL;
    size_t cap_closed = 0;
    OGRSpatialReferenceH wgs84 = NULL;
    int fallback = 0;

    if (w.rfc && t->wkb) {
        /* the driver's transformation: to OSRSetWellKnownGeogCS("WGS84") in lon/lat order */
        wgs84 = OSRNewSpatialReference(NULL);
        if (!wgs84 || OSRSetWellKnownGeogCS(wgs84, "WGS84") != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_CRS, "write '%s': cannot set up WGS84", path);
            goto done;
        }
        OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
        w.ct = OCTNewCoordinateTransformation(srs, wgs84);
        if (!w.ct) {
            st = lb_ctx_error(ctx, LB_ERR_CRS,
                              "write '%s': no transformation from RD New to WGS84 lon/lat", path);
            goto done;
        }
    }
    FILE *probe = fopen(path, "rb");
    if (probe) {
        fclose(probe);
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': the file already exists", path);
        goto done;
    }
    w.o.f = fopen(path, "wb");
    w.o.buf = malloc(OUT_CAP + OUT_SLACK);
    w.o.cap = OUT_CAP;
    if (!w.o.f) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot create: %s", path, strerror(errno));
        goto done;
    }
    if (!w.o.buf) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
        goto done;
    }
    st = put_header(ctx, &w, path, srs);
    int full = o->full_precision;
    for (size_t r = 0; st == LB_OK && !fallback && r < t->n_rows; r++) {
        int has_geom = t->wkb && t->wkb[r];
        if (has_geom) {
            if (!flatten(t->wkb[r], t->wkb_size[r], promote_polygons, &g)) {
                fallback = 1;
                break;
            }
            if (w.rfc) {
                if (!grow(&closed, &cap_closed, g.n_rings, 1)) {
                    st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
                    break;
                }
                size_t first = 0;
                for (size_t k = 0; k < g.n_rings; k++) {
                    size_t n = g.ring_pts[k];
                    closed[k] = n > 2 && g.x[first] == g.x[first + n - 1] &&
                                g.y[first] == g.y[first + n - 1];
                    first += n;
                }
                if (!to_lonlat(&w, &g) || !rings_closed_same(&g, closed)) {
                    fallback = 1;
                    break;
                }
            }
        }
        if (r)
            out_mem(&w.o, ",\n", 2);
        out_str(&w.o, "{ \"type\": \"Feature\", ");
        put_properties(&w, t, r, full);
        out_str(&w.o, ", \"geometry\": ");
        if (has_geom)
            put_geometry(&w, &g);
        else
            out_mem(&w.o, "null", 4);
        out_mem(&w.o, " }", 2);
        if (w.o.failed)
            break;
    }
    if (st == LB_OK && !fallback)
        out_str(&w.o, "\n]\n}\n");
    if (st == LB_OK && !fallback)
        out_flush(&w.o);
    if (st == LB_OK && !fallback && w.o.failed)
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", path, strerror(errno ? errno : EIO));

done:
    if (w.o.f && fclose(w.o.f) != 0 && st == LB_OK && !fallback)
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", path, strerror(errno ? errno : EIO));
    if (w.o.f && (st != LB_OK || fallback))
        remove(path);
    if (st == LB_OK && !fallback && w.o.f)
        *handled = 1;
    free(w.o.buf);
    free(closed);
    flat_free(&g);
    cache_free(&w.cache);
    if (w.ct)
        OCTDestroyCoordinateTransformation(w.ct);
    if (wgs84)
        OSRRelease(wgs84);
    return st;
}
