/* SPDX-License-Identifier: MIT */
/* The spatial index (nearest distance, within-radius counts and sums) against brute force over
 * random points, lines and polygons with holes, and every grid indicator kind on a small grid
 * against hand calculations and brute-force area-weighted means. Inputs are written with OGR /
 * GDAL into a temp dir (EPSG:28992) and read back through lb_vlayer_read / the input cache. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "test_geos.h"
#include "test_layers.h"

#include "core/ctx.h"
#include "geom/index.h"
#include "indicators/indicators.h"
#include "indicators/inputs.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gsl/gsl_rng.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

/* Origin of the test area in RD metres (south-west of Amersfoort, well inside the RD envelope). */
#define OX 150000.0
#define OY 450000.0

static int setup(void **state)
{
    return lb_test_dir_open(state, "indicators");
}

static int teardown(void **state)
{
    return lb_test_dir_close(state);
}

/* ---------------------------------------------------------------------------------------- */
/* Writing layers with OGR                                                                   */

static void free_wkt(char **wkt, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(wkt[i]);
    free(wkt);
}

static lb_vlayer *read_layer(lb_ctx *ctx, const char *path, const char *filter)
{
    lb_source src = {"t", path, NULL, NULL};
    lb_vlayer *l = NULL;
    lb_status st = lb_vlayer_read(ctx, &src, filter, &l);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    return l;
}

static lb_index *make_index(lb_ctx *ctx, const lb_vlayer *l)
{
    lb_index *ix = NULL;
    lb_status st = lb_index_create(ctx, l, &ix);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    return ix;
}

/* A random coordinate in [lo, hi) on a 1/16 m lattice, so that every writer and reader keeps
 * it exactly. */
static double rand_coord(gsl_rng *r, double lo, double hi)
{
    return lo + floor(gsl_rng_uniform(r) * (hi - lo) * 16.0) / 16.0;
}

/* ---------------------------------------------------------------------------------------- */
/* Brute force                                                                               */

/* Distance from (x, y) to segment a-b: the three regions of the projection, written
 * independently of the library's clamped-parameter form. */
static double dist_seg(double x, double y, double ax, double ay, double bx, double by)
{
    double vx = bx - ax, vy = by - ay, wx = x - ax, wy = y - ay;
    double c1 = vx * wx + vy * wy;
    if (c1 <= 0.0)
        return hypot(wx, wy);
    double c2 = vx * vx + vy * vy;
    if (c2 <= c1)
        return hypot(x - bx, y - by);
    return fabs(vx * wy - vy * wx) / sqrt(c2);
}

/* A polyline or ring as an array of vertices. */
typedef struct vpath {
    size_t n;
    double xy[2 * 32];
} vpath;

static double dist_path(const vpath *p, double x, double y)
{
    double d = INFINITY;
    for (size_t i = 0; i + 1 < p->n; i++)
        d = fmin(
            d, dist_seg(x, y, p->xy[2 * i], p->xy[2 * i + 1], p->xy[2 * i + 2], p->xy[2 * i + 3]));
    return d;
}

/* Winding number of closed ring @p p around (x, y) (Sunday's algorithm). */
static int winding(const vpath *p, double x, double y)
{
    int wn = 0;
    for (size_t i = 0; i + 1 < p->n; i++) {
        double x1 = p->xy[2 * i], y1 = p->xy[2 * i + 1];
        double x2 = p->xy[2 * i + 2], y2 = p->xy[2 * i + 3];
        double side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1);
        if (y1 <= y) {
            if (y2 > y && side > 0)
                wn++;
        } else if (y2 <= y && side < 0) {
            wn--;
        }
    }
    return wn;
}

/* A polygon feature: rings (shells and holes, of one or several parts). Inside = inside an
 * odd number of rings (rings do not cross). */
typedef struct poly {
    size_t n_rings;
    vpath ring[4];
} poly;

static double dist_poly(const poly *p, double x, double y)
{
    int inside = 0;
    double d = INFINITY;
    for (size_t r = 0; r < p->n_rings; r++) {
        if (winding(&p->ring[r], x, y) != 0)
            inside = !inside;
        d = fmin(d, dist_path(&p->ring[r], x, y));
    }
    return inside ? 0.0 : d;
}

static void ring_wkt(char *buf, size_t size, const vpath *p)
{
    size_t used = strlen(buf);
    used += (size_t)snprintf(buf + used, size - used, "(");
    for (size_t i = 0; i < p->n; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%.17g %.17g", i ? "," : "",
                                 p->xy[2 * i], p->xy[2 * i + 1]);
    snprintf(buf + used, size - used, ")");
}

/* WKT of a polygon (all rings one part) or, with parts[] = ring counts, a multipolygon. */
static char *poly_wkt(const poly *p, const size_t *parts, size_t n_parts)
{
    size_t size = 8192;
    char *buf = calloc(size, 1);
    assert_non_null(buf);
    size_t r = 0;
    if (!parts) {
        strcat(buf, "POLYGON (");
        for (; r < p->n_rings; r++) {
            if (r)
                strcat(buf, ",");
            ring_wkt(buf, size, &p->ring[r]);
        }
        strcat(buf, ")");
        return buf;
    }
    strcat(buf, "MULTIPOLYGON (");
    for (size_t k = 0; k < n_parts; k++) {
        strcat(buf, k ? ",(" : "(");
        for (size_t j = 0; j < parts[k]; j++, r++) {
            if (j)
                strcat(buf, ",");
            ring_wkt(buf, size, &p->ring[r]);
        }
        strcat(buf, ")");
    }
    strcat(buf, ")");
    return buf;
}

/* Rectangle ring [x0, x1] × [y0, y1] relative to the test origin; @p cw for holes. */
static vpath rect(double x0, double y0, double x1, double y1, int cw)
{
    vpath p = {.n = 5};
    double xs[5] = {x0, x1, x1, x0, x0}, ys[5] = {y0, y0, y1, y1, y0};
    for (int i = 0; i < 5; i++) {
        int k = cw ? 4 - i : i;
        p.xy[2 * i] = OX + xs[k];
        p.xy[2 * i + 1] = OY + ys[k];
    }
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* The spatial index against brute force                                                     */

enum { N_PTS = 2000, N_QUERY = 5000 };

/* Queries: mostly around the data, some far outside it on every side. */
static void random_query(gsl_rng *r, int i, double *x, double *y)
{
    if (i % 50 == 0) {
        double a = 2.0 * 3.14159265358979 * gsl_rng_uniform(r);
        double d = 5000.0 + 100000.0 * gsl_rng_uniform(r);
        *x = OX + 5000.0 + d * cos(a);
        *y = OY + 5000.0 + d * sin(a);
        return;
    }
    *x = OX - 3000.0 + 16000.0 * gsl_rng_uniform(r);
    *y = OY - 3000.0 + 16000.0 * gsl_rng_uniform(r);
}

static void test_indicators_index_points_brute_force(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20240611);
    char **wkt = calloc(N_PTS, sizeof(char *));
    double *px = malloc(N_PTS * sizeof(double)), *py = malloc(N_PTS * sizeof(double));
    double *w = malloc(N_PTS * sizeof(double));
    for (size_t i = 0; i < N_PTS; i++) {
        /* A dense cluster and a sparse spread: uneven bucket occupancy. */
        if (i < N_PTS / 2) {
            px[i] = rand_coord(rng, OX + 2000.0, OX + 3000.0);
            py[i] = rand_coord(rng, OY + 6000.0, OY + 7000.0);
        } else {
            px[i] = rand_coord(rng, OX, OX + 10000.0);
            py[i] = rand_coord(rng, OY, OY + 10000.0);
        }
        w[i] = i % 10 == 3 ? NAN : floor(gsl_rng_uniform(rng) * 100.0) / 4.0;
        wkt[i] = malloc(96);
        snprintf(wkt[i], 96, "POINT (%.17g %.17g)", px[i], py[i]);
    }
    char path[600];
    snprintf(path, sizeof(path), "%s/points.gpkg", f->tmp);
    const char *names[] = {"W"};
    const double *cols[] = {w};
    lb_test_attrs a = {1, names, cols, NULL, NULL};
    lb_test_write_layer(path, "GPKG", wkbPoint, N_PTS, wkt, &a);
    lb_vlayer *l = read_layer(ctx, path, NULL);
    assert_int_equal(l->kind, LB_GEOM_POINT);
    assert_int_equal(l->n, N_PTS);
    for (size_t i = 0; i < N_PTS; i++) {
        assert_near(l->x[i], px[i], 0.0);
        assert_near(l->y[i], py[i], 0.0);
    }
    const lb_field *fw = lb_vlayer_field(ctx, l, "W");
    assert_non_null(fw);
    assert_int_equal(fw->n_missing, N_PTS / 10);
    lb_index *ix = make_index(ctx, l);
    lb_query_scratch sc = {0};
    assert_int_equal(lb_query_scratch_init(ctx, ix, &sc), LB_OK);
    size_t n_nonzero = 0, n_far = 0;
    for (int q = 0; q < N_QUERY; q++) {
        double x, y;
        random_query(rng, q, &x, &y);
        double r = q % 7 == 0 ? 0.0 : 1500.0 * gsl_rng_uniform(rng);
        double best = INFINITY, cnt = 0.0, sum = 0.0;
        int ambiguous = 0;
        for (size_t i = 0; i < N_PTS; i++) {
            double d = hypot(px[i] - x, py[i] - y);
            best = fmin(best, d);
            if (fabs(d - r) < 1e-6 && r > 0.0)
                ambiguous = 1;
            if (d <= r) {
                cnt += 1.0;
                if (!isnan(w[i]))
                    sum += w[i];
            }
        }
        double got = lb_index_nearest(ix, x, y);
        if (fabs(got - best) > 1e-9 * fmax(1.0, best))
            print_error("query %d at (%.3f, %.3f): nearest %.9f, brute force %.9f\n", q, x, y, got,
                        best);
        assert_near(got, best, 1e-9 * fmax(1.0, best));
        if (ambiguous)
            continue;
        assert_near(lb_index_within(ix, &sc, x, y, r, NULL), cnt, 0.0);
        assert_near(lb_index_within(ix, &sc, x, y, r, fw->num), sum, 1e-9 * fmax(1.0, sum));
        n_nonzero += cnt > 0.0;
        n_far += best > 5000.0;
    }
    /* The random queries exercised both outcomes and the far-away case. */
    assert_true(n_nonzero > N_QUERY / 4);
    assert_true(n_far >= 50);
    /* A query exactly on a point; a radius of 0 there counts it. */
    assert_near(lb_index_nearest(ix, px[17], py[17]), 0.0, 0.0);
    assert_true(lb_index_within(ix, &sc, px[17], py[17], 0.0, NULL) >= 1.0);
    lb_query_scratch_free(&sc);
    lb_query_scratch_free(&sc); /* idempotent */
    lb_index_destroy(ix);
    lb_index_destroy(NULL);
    lb_vlayer_destroy(l);
    free_wkt(wkt, N_PTS);
    free(px);
    free(py);
    free(w);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

enum { N_LINES = 300 };

static void test_indicators_index_lines_brute_force(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    vpath *lines = calloc(N_LINES, sizeof(vpath));
    char **wkt = calloc(N_LINES, sizeof(char *));
    for (size_t k = 0; k < N_LINES; k++) {
        vpath *p = &lines[k];
        p->n = 2 + gsl_rng_uniform_int(rng, 7);
        double x = rand_coord(rng, OX, OX + 10000.0), y = rand_coord(rng, OY, OY + 10000.0);
        /* Every tenth line is long (a road across the area); the others short walks. */
        double step = k % 10 == 0 ? 3000.0 : 300.0;
        wkt[k] = calloc(2048, 1);
        size_t used = (size_t)snprintf(wkt[k], 2048, "LINESTRING (");
        for (size_t i = 0; i < p->n; i++) {
            p->xy[2 * i] = x;
            p->xy[2 * i + 1] = y;
            used +=
                (size_t)snprintf(wkt[k] + used, 2048 - used, "%s%.17g %.17g", i ? "," : "", x, y);
            x += floor((gsl_rng_uniform(rng) - 0.5) * 2.0 * step * 16.0) / 16.0;
            y += floor((gsl_rng_uniform(rng) - 0.5) * 2.0 * step * 16.0) / 16.0;
        }
        snprintf(wkt[k] + used, 2048 - used, ")");
    }
    char fpath[600];
    snprintf(fpath, sizeof(fpath), "%s/lines.geojson", f->tmp);
    lb_test_write_layer(fpath, "GeoJSON", wkbLineString, N_LINES, wkt, NULL);
    lb_vlayer *l = read_layer(ctx, fpath, NULL);
    assert_int_equal(l->kind, LB_GEOM_LINE);
    assert_int_equal(l->n, N_LINES);
    lb_index *ix = make_index(ctx, l);
    lb_query_scratch sc = {0};
    assert_int_equal(lb_query_scratch_init(ctx, ix, &sc), LB_OK);
    double *fw = malloc(N_LINES * sizeof(double));
    for (size_t k = 0; k < N_LINES; k++)
        fw[k] = k % 9 == 0 ? NAN : (double)(k % 5) + 0.5;
    size_t n_nonzero = 0;
    for (int q = 0; q < N_QUERY; q++) {
        double x, y;
        random_query(rng, q, &x, &y);
        double r = 800.0 * gsl_rng_uniform(rng);
        double best = INFINITY, cnt = 0.0, sum = 0.0;
        int ambiguous = 0;
        for (size_t k = 0; k < N_LINES; k++) {
            double d = dist_path(&lines[k], x, y);
            best = fmin(best, d);
            if (fabs(d - r) < 1e-6)
                ambiguous = 1;
            if (d <= r) {
                cnt += 1.0;
                sum += isnan(fw[k]) ? 0.0 : fw[k];
            }
        }
        assert_near(lb_index_nearest(ix, x, y), best, 1e-6);
        if (ambiguous)
            continue;
        assert_near(lb_index_within(ix, &sc, x, y, r, NULL), cnt, 0.0);
        assert_near(lb_index_within(ix, &sc, x, y, r, fw), sum, 1e-9);
        n_nonzero += cnt > 0.0;
    }
    assert_true(n_nonzero > N_QUERY / 4);
    /* On a vertex and mid-segment of line 1: distance 0. */
    const vpath *p0 = &lines[1];
    assert_near(lb_index_nearest(ix, p0->xy[0], p0->xy[1]), 0.0, 1e-9);
    assert_near(lb_index_nearest(ix, 0.5 * (p0->xy[0] + p0->xy[2]), 0.5 * (p0->xy[1] + p0->xy[3])),
                0.0, 1e-6);
    lb_query_scratch_free(&sc);
    lb_index_destroy(ix);
    lb_vlayer_destroy(l);
    free_wkt(wkt, N_LINES);
    free(lines);
    free(fw);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

/* Three polygon features: a square with a square hole; a multipolygon of a triangle and a
 * concave L-shape with a hole; a concave star. Coordinates relative to (OX, OY). */
static void make_polygons(gsl_rng *rng, poly P[3], char *wkt[3])
{
    memset(P, 0, 3 * sizeof(poly));
    P[0].n_rings = 2;
    P[0].ring[0] = rect(0, 0, 1000, 1000, 0);
    P[0].ring[1] = rect(300, 300, 700, 700, 1);
    wkt[0] = poly_wkt(&P[0], NULL, 0);

    P[1].n_rings = 3;
    vpath tri = {.n = 4};
    const double t[8] = {1500, 0, 2500, 0, 2000, 800, 1500, 0};
    vpath ell = {.n = 7};
    const double e[14] = {1500, 1200, 2500, 1200, 2500, 1400, 1700,
                          1400, 1700, 2000, 1500, 2000, 1500, 1200};
    for (size_t i = 0; i < 8; i++)
        tri.xy[i] = t[i] + (i % 2 ? OY : OX);
    for (size_t i = 0; i < 14; i++)
        ell.xy[i] = e[i] + (i % 2 ? OY : OX);
    P[1].ring[0] = tri;
    P[1].ring[1] = ell;
    P[1].ring[2] = rect(1550, 1250, 1650, 1350, 1);
    const size_t parts[2] = {1, 2};
    wkt[1] = poly_wkt(&P[1], parts, 2);

    /* Star around (500, 1700): increasing angles, random radii 150..450 → simple, concave. */
    P[2].n_rings = 1;
    vpath *s = &P[2].ring[0];
    s->n = 15;
    for (size_t i = 0; i < 14; i++) {
        double a = 2.0 * 3.14159265358979 * (double)i / 14.0;
        double rad =
            i % 2 ? 150.0 + 50.0 * gsl_rng_uniform(rng) : 350.0 + 100.0 * gsl_rng_uniform(rng);
        s->xy[2 * i] = OX + 500.0 + floor(rad * cos(a) * 16.0) / 16.0;
        s->xy[2 * i + 1] = OY + 1700.0 + floor(rad * sin(a) * 16.0) / 16.0;
    }
    s->xy[28] = s->xy[0];
    s->xy[29] = s->xy[1];
    wkt[2] = poly_wkt(&P[2], NULL, 0);
}

static void test_indicators_index_polygons_brute_force(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 99);
    poly P[3];
    char *wkt[3];
    make_polygons(rng, P, wkt);
    char fpath[600];
    snprintf(fpath, sizeof(fpath), "%s/polys.geojson", f->tmp);
    lb_test_write_layer(fpath, "GeoJSON", wkbUnknown, 3, wkt, NULL);
    lb_vlayer *l = read_layer(ctx, fpath, NULL);
    assert_int_equal(l->kind, LB_GEOM_POLYGON);
    assert_int_equal(l->n, 3);
    assert_near(l->area_m2[0], 1000000.0 - 160000.0, 1e-6);
    assert_near(l->area_m2[1], 400000.0 + 200000.0 + 120000.0 - 10000.0, 1e-6);
    lb_index *ix = make_index(ctx, l);
    lb_query_scratch sc = {0};
    assert_int_equal(lb_query_scratch_init(ctx, ix, &sc), LB_OK);

    /* By hand. Inside the shell: 0. Centre of the hole: 200 m to the hole's edge, not 0. */
    assert_near(lb_index_nearest(ix, OX + 100.0, OY + 100.0), 0.0, 0.0);
    assert_near(lb_index_nearest(ix, OX + 500.0, OY + 500.0), 200.0, 1e-9);
    assert_near(lb_index_nearest(ix, OX + 350.0, OY + 500.0), 50.0, 1e-9);
    /* In the L-shape's hole: 50 m to its edges; in the L's arm: 0; in the triangle: 0. */
    assert_near(lb_index_nearest(ix, OX + 1600.0, OY + 1300.0), 50.0, 1e-9);
    assert_near(lb_index_nearest(ix, OX + 1600.0, OY + 1900.0), 0.0, 0.0);
    assert_near(lb_index_nearest(ix, OX + 2000.0, OY + 100.0), 0.0, 0.0);
    /* In the L's notch (outside): 100 m to (1700, y) or to y = 1400. */
    assert_near(lb_index_nearest(ix, OX + 1800.0, OY + 1500.0), 100.0, 1e-9);
    /* A polygon containing the point counts even when its boundary is beyond r. */
    assert_near(lb_index_within(ix, &sc, OX + 100.0, OY + 150.0, 10.0, NULL), 1.0, 0.0);
    assert_near(lb_index_within(ix, &sc, OX + 500.0, OY + 500.0, 10.0, NULL), 0.0, 0.0);
    assert_near(lb_index_within(ix, &sc, OX + 500.0, OY + 500.0, 200.5, NULL), 1.0, 0.0);
    const double fw[3] = {2.5, NAN, 4.0};
    assert_near(lb_index_within(ix, &sc, OX + 1600.0, OY + 1900.0, 5.0, fw), 0.0, 0.0);
    assert_near(lb_index_within(ix, &sc, OX + 100.0, OY + 150.0, 10.0, fw), 2.5, 0.0);
    /* (1250, 1600) is 250 m from the L (x = 1500) and farther from the rest: the L counts,
     * but its weight is NaN, so the weighted sum is 0. */
    assert_near(lb_index_within(ix, &sc, OX + 1250.0, OY + 1600.0, 260.0, NULL), 1.0, 0.0);
    assert_near(lb_index_within(ix, &sc, OX + 1250.0, OY + 1600.0, 240.0, NULL), 0.0, 0.0);
    assert_near(lb_index_within(ix, &sc, OX + 1250.0, OY + 1600.0, 260.0, fw), 0.0, 0.0);

    size_t n_inside = 0, n_in_hole = 0;
    for (int q = 0; q < N_QUERY; q++) {
        double x, y;
        if (q % 50 == 0) {
            random_query(rng, q, &x, &y);
        } else {
            x = OX - 500.0 + 3500.0 * gsl_rng_uniform(rng);
            y = OY - 500.0 + 3000.0 * gsl_rng_uniform(rng);
        }
        double r = q % 5 == 0 ? 0.0 : 400.0 * gsl_rng_uniform(rng);
        double best = INFINITY, cnt = 0.0, sum = 0.0;
        int ambiguous = 0;
        for (size_t k = 0; k < 3; k++) {
            double d = dist_poly(&P[k], x, y);
            best = fmin(best, d);
            if (d > 0.0 && fabs(d - r) < 1e-6)
                ambiguous = 1;
            if (d <= r) {
                cnt += 1.0;
                sum += isnan(fw[k]) ? 0.0 : fw[k];
            }
        }
        n_inside += best == 0.0;
        n_in_hole += x > OX + 300.0 && x < OX + 700.0 && y > OY + 300.0 && y < OY + 700.0;
        double got = lb_index_nearest(ix, x, y);
        if (fabs(got - best) > 1e-6)
            print_error("query %d at (%.4f, %.4f): nearest %.9f, brute force %.9f\n", q, x - OX,
                        y - OY, got, best);
        assert_near(got, best, 1e-6);
        if (ambiguous)
            continue;
        assert_near(lb_index_within(ix, &sc, x, y, r, NULL), cnt, 0.0);
        assert_near(lb_index_within(ix, &sc, x, y, r, fw), sum, 0.0);
    }
    assert_true(n_inside > N_QUERY / 10);
    assert_true(n_in_hole > 50);
    lb_query_scratch_free(&sc);
    lb_index_destroy(ix);
    lb_vlayer_destroy(l);
    for (int k = 0; k < 3; k++)
        free(wkt[k]);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

/* Overlapping polygons (e.g. a park inside a larger green zone): a point inside both is within
 * any radius of both, so both count. */
static void test_indicators_index_overlapping_polygons(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    poly P[3] = {{.n_rings = 1}, {.n_rings = 1}, {.n_rings = 1}};
    P[0].ring[0] = rect(0, 0, 1000, 1000, 0);
    P[1].ring[0] = rect(200, 200, 1200, 1200, 0);
    P[2].ring[0] = rect(400, 400, 600, 600, 0);
    char *wkt[3];
    for (int k = 0; k < 3; k++)
        wkt[k] = poly_wkt(&P[k], NULL, 0);
    char fpath[600];
    snprintf(fpath, sizeof(fpath), "%s/overlap.geojson", f->tmp);
    lb_test_write_layer(fpath, "GeoJSON", wkbPolygon, 3, wkt, NULL);
    lb_vlayer *l = read_layer(ctx, fpath, NULL);
    lb_index *ix = make_index(ctx, l);
    lb_query_scratch sc = {0};
    assert_int_equal(lb_query_scratch_init(ctx, ix, &sc), LB_OK);
    double d500 = lb_index_nearest(ix, OX + 500.0, OY + 500.0);
    /* (700, 700) is inside the first two and 100 m from the third; (500, 500) is inside all
     * three. Everything is released before the verdict: a failure leaks nothing. */
    double got2 = lb_index_within(ix, &sc, OX + 700.0, OY + 700.0, 10.0, NULL);
    double got3 = lb_index_within(ix, &sc, OX + 500.0, OY + 500.0, 10.0, NULL);
    lb_query_scratch_free(&sc);
    lb_index_destroy(ix);
    lb_vlayer_destroy(l);
    for (int k = 0; k < 3; k++)
        free(wkt[k]);
    lb_ctx_destroy(ctx);
    assert_near(d500, 0.0, 0.0);
    if (got2 != 2.0 || got3 != 3.0)
        print_error("points inside 2 and 3 overlapping polygons count %g and %g of them within "
                    "10 m\n",
                    got2, got3);
    assert_near(got2, 2.0, 0.0);
    assert_near(got3, 3.0, 0.0);
}

/* ---------------------------------------------------------------------------------------- */
/* Indicators on the grid                                                                    */

/* The grid of the indicator tests: 11 × 10 cells of 100 m from (OX, OY); the polygons cover
 * the first 10 columns, so column 10 lies outside every polygon. */
static lb_grid test_grid(lb_ctx *ctx)
{
    lb_grid g;
    assert_int_equal(lb_grid_from_extent(ctx, OX, OY, OX + 1100.0, OY + 1000.0, 100.0, &g), LB_OK);
    assert_int_equal(g.nx, 11);
    assert_int_equal(g.ny, 10);
    return g;
}

/* Cell index from column and row counted from the south. */
static size_t cell_cj(const lb_grid *g, int col, int j)
{
    return (size_t)(g->ny - 1 - j) * (size_t)g->nx + (size_t)col;
}

/* Length of the overlap of [a0, a1] and [b0, b1]. */
static double overlap(double a0, double a1, double b0, double b1)
{
    return fmax(0.0, fmin(a1, b1) - fmax(a0, b0));
}

/* The zones: three rectangles not aligned with the cells (relative to OX, OY):
 *   Z1 [0, 430] × [0, 960]      A 10   INW  860  INW_M  860  NUM 30  DEN 60
 *   Z2 [430, 1000] × [0, 960]   A 40   INW 1140  INW_M 1140  NUM 10  DEN 80
 *   Z3 [0, 1000] × [960, 1000]  A —    INW   40  INW_M  —    NUM —   DEN 50
 * (— is the CBS sentinel −99999999 in the file). Areas 412800, 547200, 40000 m². */
static const double zone_box[3][4] = {{0, 0, 430, 960}, {430, 0, 1000, 960}, {0, 960, 1000, 1000}};
static const double zone_a[3] = {10, 40, NAN}, zone_inw[3] = {860, 1140, 40};
static const double zone_inw_m[3] = {860, 1140, NAN}, zone_num[3] = {30, 10, NAN};
static const double zone_den[3] = {60, 80, 50};

static void write_zones(const char *path)
{
    char *wkt[3];
    for (int k = 0; k < 3; k++) {
        poly p = {.n_rings = 1};
        p.ring[0] = rect(zone_box[k][0], zone_box[k][1], zone_box[k][2], zone_box[k][3], 0);
        wkt[k] = poly_wkt(&p, NULL, 0);
    }
    /* Missing values as CBS sentinels, as in real kerncijfers files. */
    double a[3], inw_m[3], num[3];
    for (int k = 0; k < 3; k++) {
        a[k] = isnan(zone_a[k]) ? -99999999.0 : zone_a[k];
        inw_m[k] = isnan(zone_inw_m[k]) ? -99999997.0 : zone_inw_m[k];
        num[k] = isnan(zone_num[k]) ? -99999998.0 : zone_num[k];
    }
    const char *names[] = {"A", "INW", "INW_M", "NUM", "DEN"};
    const double *cols[] = {a, zone_inw, inw_m, num, zone_den};
    lb_test_attrs at = {5, names, cols, NULL, NULL};
    lb_test_write_layer(path, "GeoJSON", wkbPolygon, 3, wkt, &at);
    for (int k = 0; k < 3; k++)
        free(wkt[k]);
}

/* Fraction of cell c inside zone k (rectangles: exact by hand). */
static double zone_frac(const lb_grid *g, size_t c, int k)
{
    double x, y;
    lb_grid_cell_ll(g, c, &x, &y);
    x -= OX;
    y -= OY;
    return overlap(x, x + 100.0, zone_box[k][0], zone_box[k][2]) *
           overlap(y, y + 100.0, zone_box[k][1], zone_box[k][3]) / 10000.0;
}

static double zone_area(int k)
{
    return (zone_box[k][2] - zone_box[k][0]) * (zone_box[k][3] - zone_box[k][1]);
}

typedef struct env {
    lb_ctx *ctx;
    char zones[600], pts[600], r100[600], r30[600];
    lb_source src[4];
    lb_inputs *in;
    lb_grid g;
    size_t n;
    unsigned char *scored;
    double *w; /* cell weights (inhabitants) */
    double *out;
    gsl_rng *rng;
    double *mis; /* the misaligned raster's values (M_NX × M_NY), NaN = nodata */
} env;

/* A points layer with categories and a weight. */
static const double pt_xy[][2] = {{120, 730},     {880, 260},  {450, 450}, {460, 470},
                                  {-1000, -1000}, {1050, 990}, {430, 500}};
static const char *const pt_cat[] = {"supermarket", "supermarket", "school", "school",
                                     "school",      "park",        "school"};
static const double pt_w[] = {3, 5, NAN, 2, 7, 11, 1};
enum { N_PT = 7 };

/* A north-up GeoTIFF in EPSG:28992 with pixel size @p px, top-left (x0, ytop), values v
 * (row-major, row 0 north) and nodata -9999. */
static void write_raster(const char *path, double x0, double ytop, double px, int nx, int ny,
                         const double *v)
{
    const double gt[6] = {x0, px, 0.0, ytop, 0.0, -px};
    lb_test_write_raster(path, 28992, gt, nx, ny, v, -9999.0);
}

/* Aligned raster: 100 m, top-left (OX − 200, OY + 1200), 14 × 15 pixels, value
 * 100 + col + 0.5·row, nodata at (col 3, row 4). */
enum { A_NX = 14, A_NY = 15 };
static double aligned_value(int col, int row)
{
    return col == 3 && row == 4 ? NAN : 100.0 + col + 0.5 * row;
}

/* Misaligned raster: 30 m pixels, top-left (OX − 53, OY + 1067), i.e. shifted 7 m off the
 * 100 m lattice in both axes; 35 × 35 pixels, so it covers x −53..997 and y 17..1067: the
 * grid's last column and part of its first row and of column 9 stick out. */
enum { M_NX = 35, M_NY = 35 };
#define M_X0 (OX - 53.0)
#define M_YTOP (OY + 1067.0)

/* Write the inputs into the fixture's dir and open them; @p seed seeds e->rng (which drew the
 * misaligned raster's values). */
static void env_open(env *e, const fixture *f, unsigned long seed)
{
    memset(e, 0, sizeof(*e));
    e->rng = gsl_rng_alloc(gsl_rng_mt19937);
    e->mis = malloc(M_NX * M_NY * sizeof(double));
    assert_non_null(e->rng);
    assert_non_null(e->mis);
    gsl_rng_set(e->rng, seed);
    gsl_rng *rng = e->rng;
    double *mis = e->mis;
    e->ctx = lb_test_ctx();
    snprintf(e->zones, sizeof(e->zones), "%s/zones.geojson", f->tmp);
    write_zones(e->zones);
    snprintf(e->pts, sizeof(e->pts), "%s/pts.geojson", f->tmp);
    char *wkt[N_PT];
    for (int i = 0; i < N_PT; i++) {
        wkt[i] = malloc(96);
        snprintf(wkt[i], 96, "POINT (%.17g %.17g)", OX + pt_xy[i][0], OY + pt_xy[i][1]);
    }
    const char *names[] = {"W"};
    const double *cols[] = {pt_w};
    lb_test_attrs a = {1, names, cols, "CATEGORY", pt_cat};
    lb_test_write_layer(e->pts, "GeoJSON", wkbPoint, N_PT, wkt, &a);
    for (int i = 0; i < N_PT; i++)
        free(wkt[i]);

    double va[A_NX * A_NY];
    for (int r = 0; r < A_NY; r++)
        for (int c = 0; c < A_NX; c++) {
            double v = aligned_value(c, r);
            va[r * A_NX + c] = isnan(v) ? -9999.0 : v;
        }
    snprintf(e->r100, sizeof(e->r100), "%s/r100.tif", f->tmp);
    write_raster(e->r100, OX - 200.0, OY + 1200.0, 100.0, A_NX, A_NY, va);
    double vm[M_NX * M_NY];
    for (int i = 0; i < M_NX * M_NY; i++) {
        mis[i] = gsl_rng_uniform(rng) < 0.04 ? NAN : 30.0 + 40.0 * gsl_rng_uniform(rng);
        vm[i] = isnan(mis[i]) ? -9999.0 : mis[i];
    }
    snprintf(e->r30, sizeof(e->r30), "%s/r30.tif", f->tmp);
    write_raster(e->r30, M_X0, M_YTOP, 30.0, M_NX, M_NY, vm);

    e->src[0] = (lb_source){"zones", e->zones, NULL, NULL};
    e->src[1] = (lb_source){"pts", e->pts, NULL, NULL};
    e->src[2] = (lb_source){"r100", e->r100, NULL, NULL};
    e->src[3] = (lb_source){"r30", e->r30, NULL, NULL};
    assert_int_equal(lb_inputs_create(e->ctx, e->src, 4, &e->in), LB_OK);
    e->g = test_grid(e->ctx);
    e->n = lb_grid_ncells(&e->g);
    e->scored = malloc(e->n);
    e->out = malloc(e->n * sizeof(double));
    e->w = calloc(e->n, sizeof(double));
    memset(e->scored, 1, e->n);
    /* Two cells out of the population: they must come out NaN whatever the kind. */
    e->scored[cell_cj(&e->g, 2, 2)] = 0;
    e->scored[cell_cj(&e->g, 4, 5)] = 0;
}

static void env_close(env *e)
{
    gsl_rng_free(e->rng);
    free(e->mis);
    lb_inputs_destroy(e->in);
    free(e->scored);
    free(e->out);
    free(e->w);
    lb_ctx_destroy(e->ctx);
}

static lb_indicator indicator(const char *id, lb_kind kind, const char *layer)
{
    lb_indicator ind;
    memset(&ind, 0, sizeof(ind));
    ind.id = (char *)id;
    ind.label = (char *)id;
    ind.kind = kind;
    ind.layer = (char *)layer;
    ind.cap_m = 5000.0;
    ind.band = 1;
    ind.coef = 1.0;
    ind.line = 42;
    return ind;
}

/* Evaluate at the scored cells; e->out gets the values at their cells and NaN elsewhere. */
static lb_status eval_env(env *e, const lb_indicator *ind)
{
    uint32_t *cells = malloc(e->n * sizeof(uint32_t));
    double *v = malloc(e->n * sizeof(double));
    assert_non_null(cells);
    assert_non_null(v);
    size_t m = 0;
    for (size_t c = 0; c < e->n; c++)
        if (e->scored[c])
            cells[m++] = (uint32_t)c;
    lb_status st = lb_indicators_eval_cells(e->ctx, ind, e->in, &e->g, cells, m, e->w, v);
    for (size_t c = 0; c < e->n; c++)
        e->out[c] = NAN;
    for (size_t k = 0; st == LB_OK && k < m; k++)
        e->out[cells[k]] = v[k];
    free(cells);
    free(v);
    return st;
}

static void eval_ok(env *e, const lb_indicator *ind)
{
    lb_status st = eval_env(e, ind);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(e->ctx));
    assert_int_equal(st, LB_OK);
    for (size_t c = 0; c < e->n; c++)
        if (!e->scored[c])
            assert_true(isnan(e->out[c]));
}

static void check_cell(const env *e, size_t c, double want, double eps)
{
    if (!e->scored[c])
        return;
    if (isnan(want)) {
        if (!isnan(e->out[c]))
            print_error("cell %zu: %.17g, want NaN\n", c, e->out[c]);
        assert_true(isnan(e->out[c]));
        return;
    }
    if (!(fabs(e->out[c] - want) <= eps))
        print_error("cell %zu: %.17g, want %.17g\n", c, e->out[c], want);
    assert_near(e->out[c], want, eps);
}

static void test_indicators_attribute_intensive(void **state)
{
    env e;
    env_open(&e, *state, 0);
    lb_indicator ind = indicator("a_mean", LB_KIND_ATTRIBUTE, "zones");
    ind.field = "A";
    eval_ok(&e, &ind);
    /* By hand. Column 4 (x 400..500) straddles Z1 (30 m) and Z2 (70 m): 0.3·10 + 0.7·40. */
    check_cell(&e, cell_cj(&e.g, 4, 3), 31.0, 1e-12);
    check_cell(&e, cell_cj(&e.g, 0, 0), 10.0, 1e-12);
    check_cell(&e, cell_cj(&e.g, 9, 0), 40.0, 1e-12);
    /* Top row: 40 % of the cell is Z3 whose value is missing; the mean is over the known part:
     * (0.18·10 + 0.42·40) / 0.6 = 31. */
    check_cell(&e, cell_cj(&e.g, 4, 9), 31.0, 1e-12);
    check_cell(&e, cell_cj(&e.g, 1, 9), 10.0, 1e-12);
    /* No polygon under the cell: missing. */
    check_cell(&e, cell_cj(&e.g, 10, 4), NAN, 0.0);
    /* Every cell: Σ_k A_k f_k / Σ_k f_k over zones with a known value. */
    for (size_t c = 0; c < e.n; c++) {
        double sv = 0.0, sf = 0.0;
        for (int k = 0; k < 3; k++) {
            double fr = zone_frac(&e.g, c, k);
            if (fr > 0.0 && !isnan(zone_a[k])) {
                sv += zone_a[k] * fr;
                sf += fr;
            }
        }
        check_cell(&e, c, sf > 0.0 ? sv / sf : NAN, 1e-12);
    }
    env_close(&e);
}

static void test_indicators_attribute_extensive(void **state)
{
    env e;
    env_open(&e, *state, 0);
    memset(e.scored, 1, e.n); /* conservation needs every cell */
    lb_indicator ind = indicator("inw", LB_KIND_ATTRIBUTE, "zones");
    ind.field = "INW";
    ind.extensive = 1;
    eval_ok(&e, &ind);
    /* By hand: the densities are 860/412800 = 1140/547200 = 1/480 and 40/40000 = 1/1000 per m².
     * Cell (4, top): 1800/480 + 4200/480 + 4000/1000 = 16.5; cell (4, middle): 10000/480. */
    check_cell(&e, cell_cj(&e.g, 4, 9), 16.5, 1e-9);
    check_cell(&e, cell_cj(&e.g, 4, 5), 10000.0 / 480.0, 1e-9);
    check_cell(&e, cell_cj(&e.g, 0, 9), 6000.0 / 480.0 + 4.0, 1e-9);
    check_cell(&e, cell_cj(&e.g, 10, 0), NAN, 0.0);
    /* Conservation: the zones lie inside the grid, so the cells add up to the zone totals. */
    double total = 0.0;
    for (size_t c = 0; c < e.n; c++)
        if (!isnan(e.out[c]))
            total += e.out[c];
    assert_near(total, 860.0 + 1140.0 + 40.0, 1e-9);
    for (size_t c = 0; c < e.n; c++) {
        double s = 0.0, sf = 0.0;
        for (int k = 0; k < 3; k++) {
            double fr = zone_frac(&e.g, c, k);
            s += zone_inw[k] * fr * 10000.0 / zone_area(k);
            sf += fr;
        }
        check_cell(&e, c, sf > 0.0 ? s : NAN, 1e-9);
    }
    /* With Z3's value missing, every cell touching Z3 is missing; the others are unchanged. */
    lb_indicator indm = indicator("inw_m", LB_KIND_ATTRIBUTE, "zones");
    indm.field = "INW_M";
    indm.extensive = 1;
    double *first = malloc(e.n * sizeof(double));
    memcpy(first, e.out, e.n * sizeof(double));
    eval_ok(&e, &indm);
    for (size_t c = 0; c < e.n; c++) {
        if (zone_frac(&e.g, c, 2) > 0.0)
            check_cell(&e, c, NAN, 0.0);
        else if (!isnan(first[c]))
            check_cell(&e, c, first[c], 1e-12);
    }
    free(first);
    env_close(&e);
}

static void test_indicators_ratio(void **state)
{
    env e;
    env_open(&e, *state, 0);
    lb_indicator ind = indicator("share", LB_KIND_RATIO, "zones");
    ind.numerator = "NUM";
    ind.denominator = "DEN";
    eval_ok(&e, &ind);
    /* Inside one zone the ratio is that zone's: 30/60 and 10/80. */
    check_cell(&e, cell_cj(&e.g, 0, 0), 0.5, 1e-12);
    check_cell(&e, cell_cj(&e.g, 8, 3), 0.125, 1e-12);
    /* Column 4, middle: shares 3000/412800 and 7000/547200 of the zone totals. */
    double s1 = 3000.0 / 412800.0, s2 = 7000.0 / 547200.0;
    check_cell(&e, cell_cj(&e.g, 4, 4), (30.0 * s1 + 10.0 * s2) / (60.0 * s1 + 80.0 * s2), 1e-12);
    /* Top row, column 4: Z3 (missing numerator) is left out of both sums. */
    s1 = 1800.0 / 412800.0;
    s2 = 4200.0 / 547200.0;
    check_cell(&e, cell_cj(&e.g, 4, 9), (30.0 * s1 + 10.0 * s2) / (60.0 * s1 + 80.0 * s2), 1e-12);
    check_cell(&e, cell_cj(&e.g, 10, 9), NAN, 0.0);
    for (size_t c = 0; c < e.n; c++) {
        double sn = 0.0, sd = 0.0;
        for (int k = 0; k < 3; k++) {
            double fr = zone_frac(&e.g, c, k);
            if (fr > 0.0 && !isnan(zone_num[k]) && !isnan(zone_den[k])) {
                sn += zone_num[k] * fr * 10000.0 / zone_area(k);
                sd += zone_den[k] * fr * 10000.0 / zone_area(k);
            }
        }
        check_cell(&e, c, sd != 0.0 ? sn / sd : NAN, 1e-12);
    }
    env_close(&e);
}

/* count_within, nearest_distance (capped) and density, from each cell centre by brute force. */
static void test_indicators_point_kinds(void **state)
{
    env e;
    env_open(&e, *state, 0);
    lb_indicator cnt = indicator("schools", LB_KIND_COUNT_WITHIN, "pts");
    cnt.filter = "CATEGORY = 'school'";
    cnt.radius_m = 300.0;
    lb_indicator near = indicator("dist_super", LB_KIND_NEAREST_DISTANCE, "pts");
    near.filter = "CATEGORY = 'supermarket'";
    near.cap_m = 600.0;
    lb_indicator dens = indicator("dens", LB_KIND_DENSITY, "pts");
    dens.radius_m = 500.0;
    lb_indicator densw = indicator("dens_w", LB_KIND_DENSITY, "pts");
    densw.radius_m = 500.0;
    densw.field = "W";
    double disc_km2 = 3.14159265358979323846 * 0.25; /* π · 500² m² in km² */

    /* By hand: the cell with centre (450, 450) has the school at (450, 450) at 0 m and
     * (460, 470), (430, 500) within 300 m, not (−1000, −1000). */
    eval_ok(&e, &cnt);
    check_cell(&e, cell_cj(&e.g, 4, 4), 3.0, 0.0);
    check_cell(&e, cell_cj(&e.g, 10, 9), 0.0, 0.0);
    for (size_t c = 0; c < e.n; c++) {
        double x, y, want = 0.0;
        lb_grid_cell_centre(&e.g, c, &x, &y);
        for (int i = 0; i < N_PT; i++)
            if (strcmp(pt_cat[i], "school") == 0 &&
                hypot(OX + pt_xy[i][0] - x, OY + pt_xy[i][1] - y) <= 300.0)
                want += 1.0;
        check_cell(&e, c, want, 0.0);
    }
    /* Nearest supermarket, capped at 600 m: centre (150, 750) is √(30² + 20²) from (120, 730);
     * centre (1050, 950) is 600 m+ from both: capped. */
    eval_ok(&e, &near);
    check_cell(&e, cell_cj(&e.g, 1, 7), hypot(30.0, 20.0), 1e-9);
    check_cell(&e, cell_cj(&e.g, 10, 9), 600.0, 0.0);
    for (size_t c = 0; c < e.n; c++) {
        double x, y, best = INFINITY;
        lb_grid_cell_centre(&e.g, c, &x, &y);
        for (int i = 0; i < N_PT; i++)
            if (strcmp(pt_cat[i], "supermarket") == 0)
                best = fmin(best, hypot(OX + pt_xy[i][0] - x, OY + pt_xy[i][1] - y));
        check_cell(&e, c, fmin(best, 600.0), 1e-9);
    }
    /* Density: features (or Σ W, NaN skipped) within 500 m per km² of the disc. */
    eval_ok(&e, &dens);
    double *count = malloc(e.n * sizeof(double));
    memcpy(count, e.out, e.n * sizeof(double));
    eval_ok(&e, &densw);
    for (size_t c = 0; c < e.n; c++) {
        double x, y, n = 0.0, sw = 0.0;
        lb_grid_cell_centre(&e.g, c, &x, &y);
        for (int i = 0; i < N_PT; i++)
            if (hypot(OX + pt_xy[i][0] - x, OY + pt_xy[i][1] - y) <= 500.0) {
                n += 1.0;
                sw += isnan(pt_w[i]) ? 0.0 : pt_w[i];
            }
        if (!e.scored[c])
            continue;
        assert_near(count[c], n / disc_km2, 1e-9);
        check_cell(&e, c, sw / disc_km2, 1e-9);
    }
    /* By hand, centre (450, 450): (120, 730) and (880, 260) are 433 and 470 m away, the three
     * schools nearby under 60 m; (1050, 990) is 807 m away and (−1000, −1000) farther: 5. */
    assert_near(count[cell_cj(&e.g, 4, 4)], 5.0 / disc_km2, 1e-9);
    free(count);
    env_close(&e);
}

static void test_indicators_raster_mean_aligned(void **state)
{
    env e;
    env_open(&e, *state, 0);
    lb_indicator ind = indicator("noise", LB_KIND_RASTER_MEAN, "r100");
    eval_ok(&e, &ind);
    /* The raster starts two pixels west and two north of the grid: pixel = cell + (2, 2). */
    for (size_t c = 0; c < e.n; c++) {
        int col = (int)(c % (size_t)e.g.nx), row = (int)(c / (size_t)e.g.nx);
        check_cell(&e, c, aligned_value(col + 2, row + 2), 0.0);
    }
    /* Grid row 2, column 1 is the nodata pixel (3, 4). */
    assert_true(isnan(e.out[2 * 11 + 1]));
    check_cell(&e, 0, 100.0 + 2.0 + 1.0, 0.0);
    env_close(&e);
}

/* Releasing a raster frees it and nothing else; the next request reads it again, with the same
 * values, and the other cached inputs stay where they were. */
static void test_indicators_release_rasters(void **state)
{
    env e;
    env_open(&e, *state, 0);
    const lb_band *a = NULL, *b = NULL, *again = NULL;
    const lb_vlayer *zones = NULL, *zones_after = NULL;
    assert_int_equal(lb_inputs_raster(e.ctx, e.in, "r100", 1, &a), LB_OK);
    assert_int_equal(lb_inputs_raster(e.ctx, e.in, "r30", 1, &b), LB_OK);
    assert_int_equal(lb_inputs_vector(e.ctx, e.in, "zones", NULL, &zones), LB_OK);
    size_t n = lb_grid_ncells(&a->grid);
    double *copy = malloc(n * sizeof(double));
    assert_non_null(copy);
    memcpy(copy, a->v, n * sizeof(double));

    lb_inputs_release_rasters(e.in, "r100");
    lb_inputs_release_rasters(e.in, "no-such-input"); /* a no-op */
    const lb_band *b_again = NULL;
    assert_int_equal(lb_inputs_raster(e.ctx, e.in, "r30", 1, &b_again), LB_OK);
    assert_ptr_equal(b_again, b); /* still cached */
    assert_int_equal(lb_inputs_vector(e.ctx, e.in, "zones", NULL, &zones_after), LB_OK);
    assert_ptr_equal(zones_after, zones);
    assert_int_equal(lb_inputs_raster(e.ctx, e.in, "r100", 1, &again), LB_OK);
    assert_int_equal(lb_grid_ncells(&again->grid), n);
    for (size_t i = 0; i < n; i++)
        assert_true(isnan(copy[i]) ? isnan(again->v[i]) : copy[i] == again->v[i]);
    free(copy);
    /* the evaluation after a release reads the raster again */
    lb_inputs_release_rasters(e.in, "r100");
    lb_indicator ind = indicator("noise", LB_KIND_RASTER_MEAN, "r100");
    eval_ok(&e, &ind);
    check_cell(&e, 0, 100.0 + 2.0 + 1.0, 0.0);
    env_close(&e);
}

static void test_indicators_raster_mean_misaligned(void **state)
{
    env e;
    env_open(&e, *state, 31337);
    lb_indicator ind = indicator("noise30", LB_KIND_RASTER_MEAN, "r30");
    eval_ok(&e, &ind);
    size_t n_partial = 0;
    for (size_t c = 0; c < e.n; c++) {
        /* Brute force: the overlap of the cell square with every pixel rectangle. */
        double x, y;
        lb_grid_cell_ll(&e.g, c, &x, &y);
        double sw = 0.0, sv = 0.0, cover = 0.0;
        for (int r = 0; r < M_NY; r++)
            for (int k = 0; k < M_NX; k++) {
                double px0 = M_X0 + 30.0 * k, py1 = M_YTOP - 30.0 * r;
                double a =
                    overlap(x, x + 100.0, px0, px0 + 30.0) * overlap(y, y + 100.0, py1 - 30.0, py1);
                cover += a;
                double v = e.mis[r * M_NX + k];
                if (a > 0.0 && !isnan(v)) {
                    sw += a;
                    sv += a * v;
                }
            }
        n_partial += cover > 0.0 && cover < 10000.0 - 1e-6;
        check_cell(&e, c, sw > 0.0 ? sv / sw : NAN, 1e-9);
    }
    /* The test covered cells that the raster only partly covers. */
    assert_true(n_partial >= 10);
    /* Column 10 lies east of the raster: missing. */
    check_cell(&e, cell_cj(&e.g, 10, 5), NAN, 0.0);
    env_close(&e);
}

static void test_indicators_errors(void **state)
{
    env e;
    env_open(&e, *state, 0);
    /* An input that is not bound. */
    lb_indicator ind = indicator("ghost", LB_KIND_COUNT_WITHIN, "amenities");
    ind.radius_m = 100.0;
    assert_int_equal(eval_env(&e, &ind), LB_ERR_ARG);
    const char *msg = lb_ctx_errmsg(e.ctx);
    assert_non_null(strstr(msg, "indicator 'ghost' (model line 42)"));
    assert_non_null(strstr(msg, "--input amenities="));
    assert_non_null(strstr(msg, "zones"));
    /* A field the layer does not have. */
    lb_indicator nf = indicator("nofield", LB_KIND_ATTRIBUTE, "zones");
    nf.field = "WOZ";
    assert_int_equal(eval_env(&e, &nf), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "indicator 'nofield'"));
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "no field 'WOZ'"));
    /* An attribute of a point layer. */
    lb_indicator pt = indicator("attr_pts", LB_KIND_ATTRIBUTE, "pts");
    pt.field = "W";
    assert_int_equal(eval_env(&e, &pt), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "polygon layer"));
    /* share_within on a raster takes no polygon class. */
    lb_indicator sw = indicator("share", LB_KIND_SHARE_WITHIN, "r100");
    sw.radius_m = 200.0;
    sw.field = "CLASS";
    sw.value = "water";
    assert_int_equal(eval_env(&e, &sw), LB_ERR_MODEL);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "is a raster"));
    /* A raster band that does not exist. */
    lb_indicator rb = indicator("band2", LB_KIND_RASTER_MEAN, "r100");
    rb.band = 2;
    assert_int_equal(eval_env(&e, &rb), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "no band 2"));
    env_close(&e);
}

/* ---------------------------------------------------------------------------------------- */
/* share_within, per inhabitants, coverage and threads                                       */

/* The land-use layer: make_polygons' three features (a square with a hole, a multipolygon of a
 * triangle and an L with a hole, a concave star) with a class and a numeric code. */
static const char *const lu_class[3] = {"green", "water", "green"};
static const double lu_code[3] = {1, 2, 1};

typedef struct landuse {
    poly P[3];
    char *wkt[3];
    char path[600];
    GEOSContextHandle_t h;
    GEOSGeometry *geom[3];
} landuse;

static void landuse_open(landuse *lu, const fixture *f, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    make_polygons(rng, lu->P, lu->wkt);
    gsl_rng_free(rng);
    snprintf(lu->path, sizeof(lu->path), "%s/landuse.geojson", f->tmp);
    const char *names[] = {"CODE"};
    const double *cols[] = {lu_code};
    lb_test_attrs a = {1, names, cols, "CLASS", lu_class};
    lb_test_write_layer(lu->path, "GeoJSON", wkbUnknown, 3, lu->wkt, &a);
    lu->h = lb_test_geos();
    for (int k = 0; k < 3; k++)
        lu->geom[k] = lb_test_geos_wkt(lu->h, lu->wkt[k]);
}

static void landuse_close(landuse *lu)
{
    for (int k = 0; k < 3; k++) {
        GEOSGeom_destroy_r(lu->h, lu->geom[k]);
        free(lu->wkt[k]);
    }
    GEOS_finish_r(lu->h);
}

/* GEOS bracket of the area of the disc covered by the features with mask[k] set. */
static void landuse_bracket(const landuse *lu, const int mask[3], double x, double y, double r,
                            double *lo, double *hi)
{
    *lo = *hi = 0.0;
    for (int k = 0; k < 3; k++) {
        if (!mask[k])
            continue;
        double a, b;
        lb_test_disc_bracket(lu->h, lu->geom[k], x, y, r, &a, &b);
        *lo += a;
        *hi += b;
    }
}

/* Disc areas from the polygon index against GEOS, with centres anywhere, on vertices and on
 * edges (where the centre is moved off the edge by 1e-6 m first). */
static void test_indicators_disc_area_against_geos(void **state)
{
    landuse lu;
    landuse_open(&lu, *state, 99);
    lb_ctx *ctx = lb_test_ctx();
    lb_vlayer *l = read_layer(ctx, lu.path, NULL);
    lb_index *ix = make_index(ctx, l);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2718);
    const int all[3] = {1, 1, 1};
    size_t n_partial = 0, n_full = 0;
    for (int q = 0; q < 300; q++) {
        double x, y;
        const poly *p = &lu.P[gsl_rng_uniform_int(rng, 3)];
        const vpath *ring = &p->ring[gsl_rng_uniform_int(rng, p->n_rings)];
        size_t i = gsl_rng_uniform_int(rng, ring->n - 1);
        switch (q % 3) {
        case 0: /* anywhere around the layer */
            x = OX - 500.0 + 3500.0 * gsl_rng_uniform(rng);
            y = OY - 500.0 + 3000.0 * gsl_rng_uniform(rng);
            break;
        case 1: /* on a vertex */
            x = ring->xy[2 * i];
            y = ring->xy[2 * i + 1];
            break;
        default: /* on an edge */
            x = 0.5 * (ring->xy[2 * i] + ring->xy[2 * i + 2]);
            y = 0.5 * (ring->xy[2 * i + 1] + ring->xy[2 * i + 3]);
            break;
        }
        double r = q % 10 == 0 ? 1500.0 : 1.0 + 600.0 * gsl_rng_uniform(rng);
        double got = lb_index_disc_area(ix, x, y, r), lo, hi;
        landuse_bracket(&lu, all, x, y, r, &lo, &hi);
        if (!(got >= lo - 1e-6 && got <= hi + 1e-6))
            print_error("query %d (type %d) at (%.4f, %.4f) r %.3f\n", q, q % 3, x - OX, y - OY, r);
        /* A centre on the boundary is moved 1e-8 m off it: up to 1e-8 m × the boundary
         * length in the disc (at most two edges through it, 2r each) of extra slack. */
        double slack = q % 3 ? 1e-8 * 4.0 * r : 0.0;
        lb_test_assert_in_bracket(got, lo - slack, hi + slack, LB_PI * r * r);
        n_partial += lo > 1.0 && hi < LB_PI * r * r * 0.999;
        n_full += lo > LB_PI * r * r * 0.999;
    }
    assert_true(n_partial > 150);
    assert_true(n_full > 0);
    /* Not a polygon layer, or no radius: NaN. */
    assert_true(isnan(lb_index_disc_area(ix, OX, OY, 0.0)));
    gsl_rng_free(rng);
    lb_index_destroy(ix);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
    landuse_close(&lu);
}

/* All cells of a grid, as a cell list. */
static uint32_t *all_cells(const lb_grid *g, size_t *n)
{
    *n = lb_grid_ncells(g);
    uint32_t *c = malloc(*n * sizeof(uint32_t));
    assert_non_null(c);
    for (size_t k = 0; k < *n; k++)
        c[k] = (uint32_t)k;
    return c;
}

static void eval_cells_ok(lb_ctx *ctx, const lb_indicator *ind, lb_inputs *in, const lb_grid *g,
                          const uint32_t *cells, size_t n, const double *w, double *out)
{
    lb_status st = lb_indicators_eval_cells(ctx, ind, in, g, cells, n, w, out);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
}

static void test_indicators_share_within_polygons(void **state)
{
    landuse lu;
    landuse_open(&lu, *state, 5);
    lb_ctx *ctx = lb_test_ctx();
    lb_source src = {"landuse", lu.path, NULL, NULL};
    lb_inputs *in = NULL;
    assert_int_equal(lb_inputs_create(ctx, &src, 1, &in), LB_OK);
    lb_grid g;
    assert_int_equal(lb_grid_from_extent(ctx, OX - 500, OY - 500, OX + 3000, OY + 2500, 100.0, &g),
                     LB_OK);
    size_t n;
    uint32_t *cells = all_cells(&g, &n);
    double *green = malloc(n * sizeof(double)), *code1 = malloc(n * sizeof(double));
    double *water = malloc(n * sizeof(double));
    lb_indicator ind = indicator("green", LB_KIND_SHARE_WITHIN, "landuse");
    ind.radius_m = 250.0;
    ind.field = "CLASS";
    ind.value = "green";
    eval_cells_ok(ctx, &ind, in, &g, cells, n, NULL, green);
    /* The same class by a filter on the numeric code: the same polygons, the same numbers. */
    lb_indicator byfilter = ind;
    byfilter.field = NULL;
    byfilter.value = NULL;
    byfilter.filter = "CODE = 1";
    eval_cells_ok(ctx, &byfilter, in, &g, cells, n, NULL, code1);
    assert_memory_equal(green, code1, n * sizeof(double));
    /* A numeric field compared with a number. */
    lb_indicator wat = indicator("water", LB_KIND_SHARE_WITHIN, "landuse");
    wat.radius_m = 400.0;
    wat.field = "CODE";
    wat.value = "2";
    eval_cells_ok(ctx, &wat, in, &g, cells, n, NULL, water);
    const int m_green[3] = {1, 0, 1}, m_water[3] = {0, 1, 0};
    size_t n_checked = 0, n_partial = 0;
    for (size_t k = 0; k < n; k += 3) {
        double x, y, lo, hi;
        lb_grid_cell_centre(&g, cells[k], &x, &y);
        double d = LB_PI * 250.0 * 250.0;
        landuse_bracket(&lu, m_green, x, y, 250.0, &lo, &hi);
        lb_test_assert_in_bracket(green[k] * d, lo, fmin(hi, d), d);
        n_partial += green[k] > 0.01 && green[k] < 0.99;
        d = LB_PI * 400.0 * 400.0;
        landuse_bracket(&lu, m_water, x, y, 400.0, &lo, &hi);
        lb_test_assert_in_bracket(water[k] * d, lo, fmin(hi, d), d);
        n_checked++;
    }
    assert_true(n_checked > 300);
    assert_true(n_partial > 40);
    /* Deep inside the square (150 m from every edge) a disc of 100 m is all green: exactly 1.
     * Far from everything: exactly 0. */
    ind.radius_m = 100.0;
    uint32_t one[2];
    one[0] = (uint32_t)((size_t)(g.ny - 1 - 27) * (size_t)g.nx + 33); /* centre (2850, 2250) */
    one[1] = (uint32_t)((size_t)(g.ny - 1 - 6) * (size_t)g.nx + 6);   /* centre (150, 150) */
    double v[2];
    lb_grid_cell_centre(&g, one[1], &v[0], &v[1]);
    assert_near(v[0], OX + 150.0, 0.0);
    assert_near(v[1], OY + 150.0, 0.0);
    eval_cells_ok(ctx, &ind, in, &g, one, 2, NULL, v);
    assert_near(v[0], 0.0, 0.0);
    assert_near(v[1], 1.0, 0.0);
    /* A numeric field with a value that is no number; a point layer. */
    wat.value = "water";
    assert_int_equal(lb_indicators_eval_cells(ctx, &wat, in, &g, cells, n, NULL, water),
                     LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "not a number"));
    free(green);
    free(code1);
    free(water);
    free(cells);
    lb_inputs_destroy(in);
    lb_ctx_destroy(ctx);
    landuse_close(&lu);
}

/* Area of the square [x0, x0+s] × [y0, y0+s] inside the inscribed buffer polygon @p disc. */
static double square_in(GEOSContextHandle_t h, const GEOSGeometry *disc, double x0, double y0,
                        double s)
{
    GEOSGeometry *sq = GEOSGeom_createRectangle_r(h, x0, y0, x0 + s, y0 + s);
    assert_non_null(sq);
    double a = lb_test_geos_area_in(h, sq, disc);
    GEOSGeom_destroy_r(h, sq);
    return a;
}

static void test_indicators_share_within_raster(void **state)
{
    env e;
    env_open(&e, *state, 31337);
    /* By hand on the aligned 100 m raster (pixel = cell + (2, 2), value 100 + col + row/2), a
     * disc of 100 m around a cell centre: the centre pixel whole, each edge pixel the strip
     * (π·r² − r² − 4·corner)/4 and each corner pixel r²π/12 − 50·(50√3 − 50) (see test_disc). */
    lb_indicator ind = indicator("r100_disc", LB_KIND_SHARE_WITHIN, "r100");
    ind.radius_m = 100.0;
    eval_ok(&e, &ind);
    double corner = (1e4 * LB_PI / 12.0 - 50.0 * (50.0 * sqrt(3.0) - 50.0)) / 1e4;
    double strip = (LB_PI - 1.0 - 4.0 * corner) / 4.0;
    /* Cell (col 2, row 2): centre pixel (4, 4) = 106; its west neighbour (3, 4) is nodata. */
    double want =
        (106.0 + strip * (107.0 + 105.5 + 106.5) + corner * (104.5 + 106.5 + 105.5 + 107.5)) /
        (1.0 + 3.0 * strip + 4.0 * corner);
    check_cell(&e, 2 * 11 + 2, want, 1e-12);
    /* Cell (5, 5), all nine pixels valid: the mean of a linear field is its centre value. */
    check_cell(&e, 5 * 11 + 5, 100.0 + 7.0 + 3.5, 1e-12);
    /* A disc of 10 m inside the nodata pixel: nothing valid, missing. */
    ind.radius_m = 10.0;
    eval_ok(&e, &ind);
    check_cell(&e, 2 * 11 + 1, NAN, 0.0);
    check_cell(&e, 5 * 11 + 5, 110.5, 0.0);

    /* The misaligned 30 m raster with a disc of 150 m, partly beyond the raster for the cells
     * in the east and south: brute force, the exact pixel areas from GEOS (inscribed 4096-gon,
     * within 3e-7 of the disc). */
    lb_indicator r30 = indicator("r30_disc", LB_KIND_SHARE_WITHIN, "r30");
    r30.radius_m = 150.0;
    eval_ok(&e, &r30);
    GEOSContextHandle_t h = lb_test_geos();
    size_t n_outside = 0;
    for (size_t c = 0; c < e.n; c++) {
        if (!e.scored[c])
            continue;
        double x, y;
        lb_grid_cell_centre(&e.g, c, &x, &y);
        /* A 2048-gon: its area is within 2e-6 of the disc's, all of it in the boundary
         * pixels: the mean is off by ~1e-5. */
        GEOSGeometry *disc = lb_test_geos_disc_n(h, x, y, 150.0, 0, 512);
        double sw = 0.0, sv = 0.0, inside = 0.0;
        for (int r = 0; r < M_NY; r++)
            for (int k = 0; k < M_NX; k++) {
                double px0 = M_X0 + 30.0 * k, py0 = M_YTOP - 30.0 * (r + 1);
                if (px0 > x + 150.0 || px0 + 30.0 < x - 150.0 || py0 > y + 150.0 ||
                    py0 + 30.0 < y - 150.0)
                    continue;
                double a = square_in(h, disc, px0, py0, 30.0);
                inside += a;
                double v = e.mis[r * M_NX + k];
                if (a > 0.0 && !isnan(v)) {
                    sw += a;
                    sv += a * v;
                }
            }
        n_outside += inside < LB_PI * 150.0 * 150.0 * 0.99;
        GEOSGeom_destroy_r(h, disc);
        check_cell(&e, c, sw > 0.0 ? sv / sw : NAN, 1e-4);
    }
    assert_true(n_outside >= 10);
    GEOS_finish_r(h);
    env_close(&e);
}

static void test_indicators_count_per_inhabitants(void **state)
{
    env e;
    env_open(&e, *state, 0);
    /* Inhabitants: 3..12 per cell, none in column 10. */
    for (size_t c = 0; c < e.n; c++)
        e.w[c] = c % 11 == 10 ? 0.0 : 3.0 + (double)(c % 10);
    lb_indicator ind = indicator("schools_per_1000", LB_KIND_COUNT_WITHIN, "pts");
    ind.filter = "CATEGORY = 'school'";
    ind.radius_m = 300.0;
    ind.per = 1000.0;
    eval_ok(&e, &ind);
    GEOSContextHandle_t h = lb_test_geos();
    size_t n_counted = 0;
    for (size_t c = 0; c < e.n; c++) {
        if (!e.scored[c])
            continue;
        double x, y, cnt = 0.0;
        lb_grid_cell_centre(&e.g, c, &x, &y);
        for (int i = 0; i < N_PT; i++)
            if (strcmp(pt_cat[i], "school") == 0 &&
                hypot(OX + pt_xy[i][0] - x, OY + pt_xy[i][1] - y) <= 300.0)
                cnt += 1.0;
        /* Inhabitants in the disc: Σ weight × share of the cell inside it (GEOS, both
         * bracketing polygons). */
        double pop[2] = {0.0, 0.0};
        for (int outer = 0; outer < 2; outer++) {
            /* A bracket whatever the number of segments; 512 make it 3e-5 wide. */
            GEOSGeometry *disc = lb_test_geos_disc_n(h, x, y, 300.0, outer, 128);
            for (size_t d = 0; d < e.n; d++) {
                double x0, y0;
                lb_grid_cell_ll(&e.g, d, &x0, &y0);
                if (e.w[d] > 0.0 && fabs(x0 + 50.0 - x) < 350.0 && fabs(y0 + 50.0 - y) < 350.0)
                    pop[outer] += e.w[d] * square_in(h, disc, x0, y0, 100.0) / 1e4;
            }
            GEOSGeom_destroy_r(h, disc);
        }
        double v = e.out[c];
        if (cnt == 0.0) {
            assert_near(v, 0.0, 0.0);
            continue;
        }
        double lo = cnt * 1000.0 / pop[1], hi = cnt * 1000.0 / pop[0];
        if (!(v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)))
            print_error("cell %zu: %.12g not in [%.12g, %.12g]\n", c, v, lo, hi);
        assert_true(v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));
        n_counted++;
    }
    assert_true(n_counted > 20);
    GEOS_finish_r(h);
    /* By hand, a disc of 40 m stays inside its cell: count × 1000 / (w · π 40² / 100²). Around
     * centre (450, 450) the schools at (450, 450) and (460, 470) are within 40 m, (430, 500)
     * is 53.9 m away. In column 10 there is nobody: missing, not ∞. */
    ind.radius_m = 40.0;
    eval_ok(&e, &ind);
    size_t c44 = cell_cj(&e.g, 4, 4);
    check_cell(&e, c44, 2.0 * 1000.0 / (e.w[c44] * LB_PI * 0.16), 1e-9);
    for (int j = 0; j < 10; j++)
        check_cell(&e, cell_cj(&e.g, 10, j), NAN, 0.0);
    /* Radius 0: the schools in the cell itself per 1000 of its inhabitants. Cell (4, 4) spans
     * [400, 500]²: (450, 450), (460, 470) and (430, 500) on its north edge (boundary included). */
    ind.radius_m = 0.0;
    eval_ok(&e, &ind);
    check_cell(&e, c44, 3.0 * 1000.0 / e.w[c44], 1e-12);
    check_cell(&e, cell_cj(&e.g, 10, 3), NAN, 0.0);
    check_cell(&e, cell_cj(&e.g, 0, 0), 0.0, 0.0);
    /* per needs the weights. */
    uint32_t cell = 0;
    double v;
    assert_int_equal(lb_indicators_eval_cells(e.ctx, &ind, e.in, &e.g, &cell, 1, NULL, &v),
                     LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "schools_per_1000"));
    env_close(&e);
}

/* A sorted random subset (about @p share) of the cells of @p g. */
static uint32_t *random_cells(gsl_rng *rng, const lb_grid *g, double share, size_t *n)
{
    size_t nc = lb_grid_ncells(g);
    uint32_t *c = malloc(nc * sizeof(uint32_t));
    assert_non_null(c);
    *n = 0;
    for (size_t k = 0; k < nc; k++)
        if (gsl_rng_uniform(rng) < share)
            c[(*n)++] = (uint32_t)k;
    return c;
}

enum { RF_PTS = 400, RF_LINES = 40 };

/* count_within, nearest_distance (capped) and density (with and without a field) on random
 * points, lines and polygons at random cells, against brute force over all features. */
static void test_indicators_random_features_brute_force(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 8675309);
    /* Points and lines with a weight W (NaN for some), polygons from make_polygons. */
    vpath *geo = calloc(RF_PTS + RF_LINES, sizeof(vpath));
    double *w = malloc((RF_PTS + RF_LINES) * sizeof(double));
    char **wkt = calloc(RF_PTS + RF_LINES, sizeof(char *));
    for (size_t k = 0; k < RF_PTS + RF_LINES; k++) {
        vpath *p = &geo[k];
        p->n = k < RF_PTS ? 1 : 2 + gsl_rng_uniform_int(rng, 4);
        w[k] = k % 13 == 0 ? NAN : (double)(k % 6) + 0.25;
        wkt[k] = calloc(1024, 1);
        size_t used = (size_t)snprintf(wkt[k], 1024, k < RF_PTS ? "POINT (" : "LINESTRING (");
        double x = rand_coord(rng, OX - 1000.0, OX + 3000.0),
               y = rand_coord(rng, OY - 1000.0, OY + 3000.0);
        for (size_t i = 0; i < p->n; i++) {
            p->xy[2 * i] = x;
            p->xy[2 * i + 1] = y;
            used +=
                (size_t)snprintf(wkt[k] + used, 1024 - used, "%s%.17g %.17g", i ? "," : "", x, y);
            x += rand_coord(rng, -400.0, 400.0);
            y += rand_coord(rng, -400.0, 400.0);
        }
        snprintf(wkt[k] + used, 1024 - used, ")");
    }
    char ppath[600], lpath[600], gpath[600];
    snprintf(ppath, sizeof(ppath), "%s/rpts.gpkg", f->tmp);
    snprintf(lpath, sizeof(lpath), "%s/rlines.gpkg", f->tmp);
    snprintf(gpath, sizeof(gpath), "%s/rpolys.geojson", f->tmp);
    const char *names[] = {"W"};
    const double *cols[] = {w};
    lb_test_attrs ap = {1, names, cols, NULL, NULL};
    lb_test_write_layer(ppath, "GPKG", wkbPoint, RF_PTS, wkt, &ap);
    const double *lcols[] = {w + RF_PTS};
    lb_test_attrs al = {1, names, lcols, NULL, NULL};
    lb_test_write_layer(lpath, "GPKG", wkbLineString, RF_LINES, wkt + RF_PTS, &al);
    poly P[3];
    char *pwkt[3];
    make_polygons(rng, P, pwkt);
    lb_test_write_layer(gpath, "GeoJSON", wkbUnknown, 3, pwkt, NULL);
    lb_source src[3] = {
        {"pts", ppath, NULL, NULL}, {"lines", lpath, NULL, NULL}, {"polys", gpath, NULL, NULL}};
    lb_inputs *in = NULL;
    assert_int_equal(lb_inputs_create(ctx, src, 3, &in), LB_OK);
    lb_grid g;
    assert_int_equal(
        lb_grid_from_extent(ctx, OX - 1500, OY - 1500, OX + 3500, OY + 3500, 100.0, &g), LB_OK);
    size_t n;
    uint32_t *cells = random_cells(rng, &g, 0.3, &n);
    double *out = malloc(n * sizeof(double));
    size_t n_nonzero = 0, n_capped = 0;
    for (int layer = 0; layer < 3; layer++)
        for (int kind = 0; kind < 4; kind++) {
            if (layer == 2 && kind == 3)
                continue; /* the polygons carry no field */
            double r = 150.0 + 500.0 * gsl_rng_uniform(rng),
                   cap = 200.0 + 800.0 * gsl_rng_uniform(rng);
            lb_indicator ind = indicator("rf", LB_KIND_COUNT_WITHIN, src[layer].name);
            ind.radius_m = r;
            ind.cap_m = cap;
            if (kind == 1)
                ind.kind = LB_KIND_NEAREST_DISTANCE;
            if (kind >= 2)
                ind.kind = LB_KIND_DENSITY;
            if (kind == 3)
                ind.field = "W";
            eval_cells_ok(ctx, &ind, in, &g, cells, n, NULL, out);
            double disc_km2 = LB_PI * r * r / 1e6;
            for (size_t k = 0; k < n; k++) {
                double x, y, best = INFINITY, cnt = 0.0, sum = 0.0;
                int ambiguous = 0;
                lb_grid_cell_centre(&g, cells[k], &x, &y);
                size_t nf = layer == 0 ? RF_PTS : (layer == 1 ? RF_LINES : 3);
                for (size_t i = 0; i < nf; i++) {
                    double d = layer == 0   ? hypot(geo[i].xy[0] - x, geo[i].xy[1] - y)
                               : layer == 1 ? dist_path(&geo[RF_PTS + i], x, y)
                                            : dist_poly(&P[i], x, y);
                    double wi = layer == 0 ? w[i] : (layer == 1 ? w[RF_PTS + i] : 1.0);
                    best = fmin(best, d);
                    ambiguous |= fabs(d - r) < 1e-6;
                    if (d <= r) {
                        cnt += 1.0;
                        sum += isnan(wi) ? 0.0 : wi;
                    }
                }
                if (kind == 1) {
                    assert_near(out[k], fmin(best, cap), 1e-6);
                    n_capped += best >= cap;
                    continue;
                }
                if (ambiguous)
                    continue;
                double want = kind == 0 ? cnt : (kind == 2 ? cnt / disc_km2 : sum / disc_km2);
                if (!(fabs(out[k] - want) <= 1e-9 * fmax(1.0, want)))
                    print_error("layer %d kind %d cell %u: %.12g, brute force %.12g\n", layer, kind,
                                cells[k], out[k], want);
                assert_near(out[k], want, 1e-9 * fmax(1.0, want));
                n_nonzero += want > 0.0;
            }
        }
    assert_true(n_nonzero > 1000);
    assert_true(n_capped > 50);
    /* Radius 0: the features meeting the cell square, boundary included, against GEOS. */
    GEOSContextHandle_t h = lb_test_geos();
    size_t n_in_cell = 0;
    for (int layer = 0; layer < 3; layer++) {
        lb_indicator ind = indicator("rf0", LB_KIND_COUNT_WITHIN, src[layer].name);
        ind.radius_m = 0.0;
        eval_cells_ok(ctx, &ind, in, &g, cells, n, NULL, out);
        size_t nf = layer == 0 ? RF_PTS : (layer == 1 ? RF_LINES : 3);
        GEOSGeometry **fg = malloc(nf * sizeof(*fg));
        for (size_t i = 0; i < nf; i++)
            fg[i] = lb_test_geos_wkt(h, layer == 2 ? pwkt[i] : wkt[(layer ? RF_PTS : 0) + i]);
        for (size_t k = 0; k < n; k++) {
            double x0, y0, cnt = 0.0;
            lb_grid_cell_ll(&g, cells[k], &x0, &y0);
            GEOSGeometry *sq = GEOSGeom_createRectangle_r(h, x0, y0, x0 + 100.0, y0 + 100.0);
            for (size_t i = 0; i < nf; i++)
                cnt += GEOSIntersects_r(h, sq, fg[i]) == 1;
            GEOSGeom_destroy_r(h, sq);
            if (out[k] != cnt)
                print_error("layer %d cell %u: %g features in the cell, GEOS %g\n", layer, cells[k],
                            out[k], cnt);
            assert_near(out[k], cnt, 0.0);
            n_in_cell += cnt > 0.0;
        }
        for (size_t i = 0; i < nf; i++)
            GEOSGeom_destroy_r(h, fg[i]);
        free(fg);
    }
    assert_true(n_in_cell > 100);
    GEOS_finish_r(h);
    free(out);
    free(cells);
    lb_inputs_destroy(in);
    for (int k = 0; k < 3; k++)
        free(pwkt[k]);
    free_wkt(wkt, RF_PTS + RF_LINES);
    free(geo);
    free(w);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

/* Σ frac × cell area = the polygon's area inside the grid, within 1e-6 relative, for holes,
 * multipolygons, polygons smaller than a cell and polygons across the edge of the extent (GEOS
 * gives the area inside the extent); the coverage of a layer of many polygons is the same
 * bit for bit on 1 and 2 threads. */
static void test_indicators_coverage_conservation(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1234);
    /* The hand-made shapes, then many small random triangles and squares (more polygons than
     * the 256 chunks the work is split into). */
    enum { N_HAND = 7, N_RAND = 700, N_ALL = N_HAND + N_RAND };
    char **wkt = calloc(N_ALL, sizeof(char *));
    poly P[3];
    char *pw[3];
    make_polygons(rng, P, pw);
    wkt[0] = pw[0]; /* square with a hole */
    wkt[1] = pw[1]; /* multipolygon: triangle + L with a hole */
    wkt[2] = pw[2]; /* concave star */
    wkt[3] =
        lb_core_strfmt("POLYGON ((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))",
                       OX + 1210.5, OY + 310.25, OX + 1217.0, OY + 311.0, OX + 1212.0, OY + 322.5,
                       OX + 1210.5, OY + 310.25); /* a triangle of 40 m² inside one cell */
    wkt[4] = lb_core_strfmt(
        "POLYGON ((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))", OX + 1395.0,
        OY + 1395.0, OX + 1405.0, OY + 1395.0, OX + 1405.0, OY + 1405.0, OX + 1395.0, OY + 1405.0,
        OX + 1395.0, OY + 1395.0); /* 10 m square on a cell corner */
    wkt[5] =
        lb_core_strfmt("POLYGON ((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))", OX - 333.3,
                       OY + 2100.0, OX + 480.7, OY + 1650.1, OX + 120.0, OY + 2612.9, OX - 333.3,
                       OY + 2100.0); /* across the west edge of the grid */
    wkt[6] = lb_core_strfmt("POLYGON ((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))",
                            OX - 900.0, OY - 900.0, OX - 600.0, OY - 900.0, OX - 700.0, OY - 650.0,
                            OX - 900.0, OY - 900.0); /* wholly outside */
    for (size_t k = N_HAND; k < N_ALL; k++) {
        double x = rand_coord(rng, OX - 50.0, OX + 2950.0),
               y = rand_coord(rng, OY - 50.0, OY + 2450.0);
        double s = rand_coord(rng, 3.0, 180.0);
        if (k % 2)
            wkt[k] =
                lb_core_strfmt("POLYGON ((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))", x,
                               y, x + s, y + 0.3 * s, x + 0.2 * s, y + s, x, y);
        else
            wkt[k] = lb_core_strfmt(
                "POLYGON ((%.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g, %.17g %.17g))", x, y,
                x + s, y, x + s, y + s, x, y + s, x, y);
    }
    char path[600];
    snprintf(path, sizeof(path), "%s/conserve.gpkg", f->tmp);
    lb_test_write_layer(path, "GPKG", wkbUnknown, N_ALL, wkt, NULL);
    lb_vlayer *l = read_layer(ctx, path, NULL);
    assert_int_equal(l->n, N_ALL);
    lb_grid g;
    assert_int_equal(lb_grid_from_extent(ctx, OX, OY, OX + 3000.0, OY + 2500.0, 100.0, &g), LB_OK);
    lb_layer_cover *c1 = NULL, *c2 = NULL;
    assert_int_equal(lb_ctx_set_threads(ctx, 1), LB_OK);
    assert_int_equal(lb_indicators_layer_cover_compute(ctx, l, &g, &c1), LB_OK);
    assert_int_equal(lb_ctx_set_threads(ctx, 2), LB_OK);
    assert_int_equal(lb_indicators_layer_cover_compute(ctx, l, &g, &c2), LB_OK);
    assert_int_equal(lb_ctx_threads(ctx), 2);
    assert_memory_equal(c1->off, c2->off, (N_ALL + 1) * sizeof(size_t));
    assert_memory_equal(c1->cell, c2->cell, c1->off[N_ALL] * sizeof(uint32_t));
    assert_memory_equal(c1->frac, c2->frac, c1->off[N_ALL] * sizeof(double));
    GEOSContextHandle_t h = lb_test_geos();
    GEOSGeometry *ext =
        GEOSGeom_createRectangle_r(h, g.x0, g.y0, g.x0 + g.nx * g.cell_m, g.y0 + g.ny * g.cell_m);
    for (size_t p = 0; p < N_ALL; p++) {
        double sum = 0.0;
        for (size_t k = c2->off[p]; k < c2->off[p + 1]; k++)
            sum += c2->frac[k] * g.cell_m * g.cell_m;
        GEOSGeometry *gp = lb_test_geos_wkt(h, wkt[p]);
        double want = lb_test_geos_area_in(h, gp, ext);
        GEOSGeom_destroy_r(h, gp);
        if (!(fabs(sum - want) <= 1e-6 * want + 1e-9))
            print_error("polygon %zu: Σ frac × cell area %.12g, GEOS %.12g\n", p, sum, want);
        assert_near(sum, want, 1e-6 * want + 1e-9);
    }
    /* The hand-made cases are what they say. */
    assert_near(c2->off[4] - c2->off[3], 1, 0); /* the small triangle: one cell */
    assert_near(c2->off[5] - c2->off[4], 4, 0); /* the square on a corner: four */
    assert_near(c2->off[7] - c2->off[6], 0, 0); /* outside: none */
    GEOSGeom_destroy_r(h, ext);
    GEOS_finish_r(h);
    assert_int_equal(lb_ctx_set_threads(ctx, -1), LB_ERR_ARG);
    assert_int_equal(lb_ctx_threads(ctx), 2);
    /* a bound the OpenMP runtime can honour, instead of aborting inside it */
    assert_int_equal(lb_ctx_set_threads(ctx, 100000), LB_ERR_ARG);
    assert_int_equal(lb_ctx_set_threads(ctx, LB_MAX_THREADS + 1), LB_ERR_ARG);
    assert_int_equal(lb_ctx_threads(ctx), 2);
    lb_layer_cover_destroy(c1);
    lb_layer_cover_destroy(c2);
    lb_vlayer_destroy(l);
    for (size_t k = 0; k < N_ALL; k++)
        free(wkt[k]);
    free(wkt);
    gsl_rng_free(rng);
    lb_ctx_destroy(ctx);
}

/* A failure inside the parallel coverage is reported after the loop, on the caller's context,
 * naming the first bad feature in layer order whatever thread met it. The layer is built in
 * memory: 300 unit squares, features 120 and 250 with a ring of 3 points. */
static void test_indicators_coverage_error_from_a_thread(void **state)
{
    (void)state;
    enum { NF = 300 };
    lb_ctx *ctx = lb_test_ctx();
    size_t ring_start[NF + 1], pt_start[NF + 1], n_pts = 0;
    int hole[NF];
    int64_t fid[NF];
    double *xy = malloc(NF * 5 * 2 * sizeof(double)), area[NF];
    for (size_t f = 0; f < NF; f++) {
        ring_start[f] = f;
        pt_start[f] = n_pts;
        hole[f] = 0;
        fid[f] = 1000 + (int64_t)f;
        area[f] = 1.0;
        double x = OX + 10.0 * (double)(f % 20), y = OY + 10.0 * (double)(f / 20);
        const double sq[10] = {x, y, x + 1, y, x + 1, y + 1, x, y + 1, x, y};
        size_t np = f == 120 || f == 250 ? 3 : 5;
        for (size_t i = 0; i < np; i++) {
            xy[2 * n_pts] = sq[2 * i];
            xy[2 * n_pts + 1] = sq[2 * i + 1];
            n_pts++;
        }
    }
    ring_start[NF] = NF;
    pt_start[NF] = n_pts;
    lb_vlayer l;
    memset(&l, 0, sizeof(l));
    l.name = "squares";
    l.path = "memory";
    l.layer = "squares";
    l.kind = LB_GEOM_POLYGON;
    l.n = NF;
    l.fid = fid;
    l.ring_start = ring_start;
    l.ring_pt_start = pt_start;
    l.ring_hole = hole;
    l.ring_xy = xy;
    l.n_rings = NF;
    l.area_m2 = area;
    lb_grid g;
    assert_int_equal(lb_grid_from_extent(ctx, OX, OY, OX + 200, OY + 200, 100.0, &g), LB_OK);
    for (int threads = 1; threads <= 2; threads++) {
        assert_int_equal(lb_ctx_set_threads(ctx, threads), LB_OK);
        lb_layer_cover *c = NULL;
        assert_int_equal(lb_indicators_layer_cover_compute(ctx, &l, &g, &c), LB_ERR_GEOM);
        assert_null(c);
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", lb_ctx_errmsg(ctx));
        if (!strstr(msg, "feature 1120: coverage: ring 0 has 3 points"))
            print_error("%s\n", msg);
        assert_non_null(strstr(msg, "input 'squares' ('memory' layer 'squares') feature 1120: "
                                    "coverage: ring 0 has 3 points"));
    }
    free(xy);
    lb_ctx_destroy(ctx);
}

/* Every kind gives the same bits on 1 and on 2 threads (random cells, every input). */
static void test_indicators_threads_identical(void **state)
{
    env e;
    env_open(&e, *state, 4711);
    for (size_t c = 0; c < e.n; c++)
        e.w[c] = (double)(c % 9);
    landuse lu;
    landuse_open(&lu, *state, 3);
    lb_source src[5] = {e.src[0], e.src[1], e.src[2], e.src[3], {"landuse", lu.path, NULL, NULL}};
    lb_inputs *in = NULL;
    assert_int_equal(lb_inputs_create(e.ctx, src, 5, &in), LB_OK);
    lb_grid g;
    assert_int_equal(
        lb_grid_from_extent(e.ctx, OX - 300, OY - 300, OX + 2800, OY + 2300, 100.0, &g), LB_OK);
    size_t n, nc = lb_grid_ncells(&g);
    uint32_t *cells = random_cells(e.rng, &g, 0.7, &n);
    double *w = malloc(nc * sizeof(double)), *a = malloc(n * sizeof(double));
    double *b = malloc(n * sizeof(double));
    for (size_t c = 0; c < nc; c++)
        w[c] = c % 5 == 0 ? 0.0 : gsl_rng_uniform(e.rng) * 30.0;
    lb_indicator k[12];
    k[0] = indicator("attr", LB_KIND_ATTRIBUTE, "zones");
    k[0].field = "A";
    k[1] = indicator("ext", LB_KIND_ATTRIBUTE, "zones");
    k[1].field = "INW";
    k[1].extensive = 1;
    k[2] = indicator("ratio", LB_KIND_RATIO, "zones");
    k[2].numerator = "NUM";
    k[2].denominator = "DEN";
    k[3] = indicator("count", LB_KIND_COUNT_WITHIN, "pts");
    k[3].radius_m = 700.0;
    k[4] = k[3];
    k[4].per = 1000.0;
    k[5] = indicator("near", LB_KIND_NEAREST_DISTANCE, "landuse");
    k[5].cap_m = 900.0;
    k[6] = indicator("dens", LB_KIND_DENSITY, "pts");
    k[6].radius_m = 500.0;
    k[7] = k[6];
    k[7].field = "W";
    k[8] = indicator("green", LB_KIND_SHARE_WITHIN, "landuse");
    k[8].radius_m = 333.0;
    k[8].field = "CLASS";
    k[8].value = "green";
    k[9] = indicator("r30disc", LB_KIND_SHARE_WITHIN, "r30");
    k[9].radius_m = 170.0;
    k[10] = indicator("r30mean", LB_KIND_RASTER_MEAN, "r30");
    k[11] = indicator("r100disc", LB_KIND_SHARE_WITHIN, "r100");
    k[11].radius_m = 250.0;
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        assert_int_equal(lb_ctx_set_threads(e.ctx, 1), LB_OK);
        eval_cells_ok(e.ctx, &k[i], in, &g, cells, n, w, a);
        assert_int_equal(lb_ctx_set_threads(e.ctx, 2), LB_OK);
        eval_cells_ok(e.ctx, &k[i], in, &g, cells, n, w, b);
        size_t n_valid = 0;
        for (size_t j = 0; j < n; j++)
            n_valid += !isnan(a[j]);
        if (memcmp(a, b, n * sizeof(double)) != 0)
            print_error("indicator %s differs between 1 and 2 threads\n", k[i].id);
        assert_memory_equal(a, b, n * sizeof(double));
        assert_true(n_valid > 20);
    }
    free(w);
    free(a);
    free(b);
    free(cells);
    lb_inputs_destroy(in);
    landuse_close(&lu);
    env_close(&e);
}

static void test_indicators_eval_cells_arguments(void **state)
{
    env e;
    env_open(&e, *state, 0);
    lb_indicator ind = indicator("near", LB_KIND_NEAREST_DISTANCE, "pts");
    double out[3];
    const uint32_t unsorted[3] = {5, 3, 9}, twice[3] = {1, 4, 4}, outside[2] = {7, 110};
    assert_int_equal(lb_indicators_eval_cells(e.ctx, &ind, e.in, &e.g, unsorted, 3, NULL, out),
                     LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "ascending"));
    assert_int_equal(lb_indicators_eval_cells(e.ctx, &ind, e.in, &e.g, twice, 3, NULL, out),
                     LB_ERR_ARG);
    assert_int_equal(lb_indicators_eval_cells(e.ctx, &ind, e.in, &e.g, outside, 2, NULL, out),
                     LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "outside the grid"));
    /* No cells: nothing to do. */
    assert_int_equal(lb_indicators_eval_cells(e.ctx, &ind, e.in, &e.g, NULL, 0, NULL, NULL), LB_OK);
    /* Coverages are cached per grid: another grid gets its own. */
    const lb_layer_cover *c1 = NULL, *c2 = NULL, *c3 = NULL;
    lb_grid g2;
    assert_int_equal(lb_grid_from_extent(e.ctx, OX, OY, OX + 1000, OY + 1000, 50.0, &g2), LB_OK);
    assert_int_equal(lb_inputs_coverage(e.ctx, e.in, "zones", &e.g, &c1), LB_OK);
    assert_int_equal(lb_inputs_coverage(e.ctx, e.in, "zones", &g2, &c2), LB_OK);
    assert_int_equal(lb_inputs_coverage(e.ctx, e.in, "zones", &e.g, &c3), LB_OK);
    assert_ptr_not_equal(c1, c2);
    assert_ptr_equal(c1, c3);
    assert_true(c2->off[c2->n_poly] > c1->off[c1->n_poly]);
    /* share_within of points is not defined. */
    lb_indicator sw = indicator("share_pts", LB_KIND_SHARE_WITHIN, "pts");
    sw.radius_m = 100.0;
    assert_int_equal(eval_env(&e, &sw), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "polygon layer or a raster"));
    env_close(&e);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_indicators_index_points_brute_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_index_lines_brute_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_index_polygons_brute_force, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_indicators_index_overlapping_polygons, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_indicators_attribute_intensive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_attribute_extensive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_ratio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_point_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_raster_mean_aligned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_release_rasters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_raster_mean_misaligned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_disc_area_against_geos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_share_within_polygons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_share_within_raster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_count_per_inhabitants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_random_features_brute_force, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_indicators_coverage_conservation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_coverage_error_from_a_thread, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_indicators_threads_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indicators_eval_cells_arguments, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
