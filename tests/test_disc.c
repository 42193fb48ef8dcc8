/* SPDX-License-Identifier: MIT */
/* Closed-form disc areas (rectangles, polygons by edge terms, lattice stencils) against hand
 * calculations and against GEOS intersection areas with finely segmented buffers: the exact
 * area must lie between the areas for the inscribed and the circumscribed 4096-gon. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_geos.h"
#include "test_util.h"

#include "core/ctx.h"
#include "geom/disc.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static GEOSGeometry *rect_geom(GEOSContextHandle_t h, double x0, double y0, double x1, double y1)
{
    GEOSGeometry *g = GEOSGeom_createRectangle_r(h, x0, y0, x1, y1);
    assert_non_null(g);
    return g;
}

static void test_disc_rect_area_by_hand(void **state)
{
    (void)state;
    double r = 100.0, disc = LB_PI * r * r;
    assert_near(lb_disc_rect_area(r, -100, -100, 100, 100), disc, 1e-9 * disc);
    assert_near(lb_disc_rect_area(r, -500, -500, 500, 500), disc, 1e-9 * disc);
    assert_near(lb_disc_rect_area(r, 0, 0, 100, 100), disc / 4.0, 1e-9 * disc);
    assert_near(lb_disc_rect_area(r, -100, 0, 100, 100), disc / 2.0, 1e-9 * disc);
    assert_near(lb_disc_rect_area(r, -100, -100, 100, 0), disc / 2.0, 1e-9 * disc);
    /* The corner pixel [50, 150]² of a disc of 100: ∫ from 50 to 50√3 of (√(r²−x²) − 50) dx,
     * = r²(π/3 − π/6)/2 − 50·(50√3 − 50) (the x√(r²−x²) terms cancel at both ends). */
    double corner = r * r * LB_PI / 12.0 - 50.0 * (50.0 * sqrt(3.0) - 50.0);
    assert_near(lb_disc_rect_area(r, 50, 50, 150, 150), corner, 1e-9);
    assert_near(lb_disc_rect_area(r, -150, 50, -50, 150), corner, 1e-9);
    assert_near(lb_disc_rect_area(r, -150, -150, -50, -50), corner, 1e-9);
    /* The edge pixel [50, 150] × [−50, 50]: what is left of the quadrant strip. */
    double strip = 0.5 * (disc - 100.0 * 100.0 - 4.0 * corner) / 2.0;
    assert_near(lb_disc_rect_area(r, 50, -50, 150, 50), strip, 1e-9);
    /* Inside: the rectangle's own area, exactly; outside or empty: 0. */
    assert_near(lb_disc_rect_area(r, -10.5, 3.25, 20.0, 40.0), 30.5 * 36.75, 0.0);
    assert_near(lb_disc_rect_area(r, 71, 71, 80, 80), 0.0, 0.0);
    assert_near(lb_disc_rect_area(r, 10, 10, 10, 50), 0.0, 0.0);
    assert_near(lb_disc_rect_area(0.0, -1, -1, 1, 1), 0.0, 0.0);
}

static void test_disc_rect_area_against_geos(void **state)
{
    (void)state;
    GEOSContextHandle_t h = lb_test_geos();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 4242);
    size_t n_partial = 0;
    for (int t = 0; t < 300; t++) {
        double r = 1.0 + 999.0 * gsl_rng_uniform(rng);
        double x0 = (gsl_rng_uniform(rng) * 2.4 - 1.2) * r,
               y0 = (gsl_rng_uniform(rng) * 2.4 - 1.2) * r;
        double w = gsl_rng_uniform(rng) * 1.5 * r, hgt = gsl_rng_uniform(rng) * 1.5 * r;
        if (t % 10 == 0) /* pixels much smaller than the disc */
            w = hgt = r / 37.0;
        GEOSGeometry *g = rect_geom(h, x0, y0, x0 + w, y0 + hgt);
        double lo, hi;
        lb_test_disc_bracket(h, g, 0.0, 0.0, r, &lo, &hi);
        double a = lb_disc_rect_area(r, x0, y0, x0 + w, y0 + hgt);
        lb_test_assert_in_bracket(a, lo, hi, LB_PI * r * r);
        n_partial += a > 0.0 && a < w * hgt * (1.0 - 1e-9);
        GEOSGeom_destroy_r(h, g);
    }
    assert_true(n_partial > 50);
    gsl_rng_free(rng);
    GEOS_finish_r(h);
}

/* A random simple polygon around (cx, cy): a star with increasing angles and random radii. */
static void star(gsl_rng *rng, double cx, double cy, double rmin, double rmax, int n, double *xy)
{
    for (int i = 0; i < n; i++) {
        double a = 2.0 * LB_PI * (i + 0.5 * gsl_rng_uniform(rng)) / n;
        double rad = rmin + (rmax - rmin) * gsl_rng_uniform(rng);
        xy[2 * i] = cx + rad * cos(a);
        xy[2 * i + 1] = cy + rad * sin(a);
    }
    xy[2 * n] = xy[0];
    xy[2 * n + 1] = xy[1];
}

static GEOSGeometry *ring_polygon(GEOSContextHandle_t h, const double *xy, int n)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n + 1, 2);
    for (int i = 0; i <= n; i++) {
        GEOSCoordSeq_setX_r(h, cs, (unsigned)i, xy[2 * i]);
        GEOSCoordSeq_setY_r(h, cs, (unsigned)i, xy[2 * i + 1]);
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
    GEOSGeometry *p = GEOSGeom_createPolygon_r(h, ring, NULL, 0);
    assert_non_null(p);
    return p;
}

/* Σ edge terms + π r² · winding for one ring, oriented counter-clockwise (@p ccw) or the other
 * way (then the terms are negated). */
static double ring_disc_area(const double *xy, int n, double cx, double cy, double r, int inside,
                             int ccw)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        int a = ccw ? i : n - i, b = ccw ? i + 1 : n - i - 1;
        s += lb_disc_edge_term(xy[2 * a] - cx, xy[2 * a + 1] - cy, xy[2 * b] - cx,
                               xy[2 * b + 1] - cy, r);
    }
    return (ccw ? 1.0 : -1.0) * s + (inside ? LB_PI * r * r : 0.0);
}

static void test_disc_edge_terms_against_geos(void **state)
{
    (void)state;
    GEOSContextHandle_t h = lb_test_geos();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 777);
    enum { NV = 40 };
    double xy[2 * (NV + 1)];
    size_t n_in = 0, n_cut = 0;
    for (int t = 0; t < 200; t++) {
        star(rng, 0.0, 0.0, 100.0, 600.0, NV, xy);
        GEOSGeometry *poly = ring_polygon(h, xy, NV);
        double cx = 800.0 * gsl_rng_uniform(rng) - 400.0, cy = 800.0 * gsl_rng_uniform(rng) - 400.0;
        double r = t % 4 == 0 ? 1000.0 : 5.0 + 400.0 * gsl_rng_uniform(rng);
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, cx, cy);
        char inside = 0;
        inside = GEOSContains_r(h, poly, pt);
        GEOSGeom_destroy_r(h, pt);
        double lo, hi;
        lb_test_disc_bracket(h, poly, cx, cy, r, &lo, &hi);
        /* The terms sum to the same area whichever way the ring runs. */
        double a1 = ring_disc_area(xy, NV, cx, cy, r, inside, 1);
        double a2 = ring_disc_area(xy, NV, cx, cy, r, inside, 0);
        lb_test_assert_in_bracket(a1, lo, hi, LB_PI * r * r);
        assert_near(a1, a2, 1e-9 * LB_PI * r * r);
        n_in += inside;
        n_cut += lo > 1.0 && lo < LB_PI * r * r * 0.99;
        GEOSGeom_destroy_r(h, poly);
    }
    assert_true(n_in > 40);
    assert_true(n_cut > 60);
    /* By hand: a square of side 2 around the centre inside a disc of 10: its own area. A
     * half-plane edge through the centre: half the disc. */
    const double sq[10] = {-1, -1, 1, -1, 1, 1, -1, 1, -1, -1};
    assert_near(ring_disc_area(sq, 4, 0.0, 0.0, 10.0, 1, 1), 4.0, 1e-12);
    const double big[10] = {0, -50, 50, -50, 50, 50, 0, 50, 0, -50};
    assert_near(ring_disc_area(big, 4, 1e-3, 0.0, 10.0, 1, 1),
                lb_disc_rect_area(10.0, -1e-3, -50, 50 - 1e-3, 50), 1e-9);
    gsl_rng_free(rng);
    GEOS_finish_r(h);
}

static void test_disc_stencil(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_disc_stencil s = {0};
    const double rhos[] = {0.3, 1.0, 5.0, 7.31, 50.0};
    const double offs[][2] = {{0.5, 0.5}, {0.0, 0.0}, {0.123, 0.877}, {0.999, 0.01}};
    for (size_t a = 0; a < sizeof(rhos) / sizeof(rhos[0]); a++)
        for (size_t b = 0; b < sizeof(offs) / sizeof(offs[0]); b++) {
            double rho = rhos[a], fu = offs[b][0], fv = offs[b][1];
            assert_int_equal(lb_disc_stencil_build(ctx, rho, fu, fv, &s), LB_OK);
            double total = 0.0;
            size_t n_runs = 0;
            for (size_t t = 0; t < s.n; t++) {
                total += s.w[t] * s.len[t];
                assert_true(s.w[t] > 0.0 && s.w[t] <= 1.0);
                if (s.len[t] > 1) {
                    n_runs++;
                    assert_near(s.w[t], 1.0, 0.0);
                }
                if (t) /* rows, then columns, ascending and not overlapping */
                    assert_true(s.dj[t] > s.dj[t - 1] ||
                                (s.dj[t] == s.dj[t - 1] && s.di[t] >= s.di[t - 1] + s.len[t - 1]));
                for (int i = 0; i < s.len[t]; i++) {
                    double x0 = s.di[t] + i - fu, y0 = s.dj[t] - fv;
                    assert_near(s.w[t], lb_disc_rect_area(rho, x0, y0, x0 + 1.0, y0 + 1.0), 1e-12);
                }
            }
            assert_near(total, LB_PI * rho * rho, 1e-9 * LB_PI * rho * rho);
            if (rho >= 5.0)
                assert_true(n_runs > 0);
        }
    /* A disc smaller than a pixel, centred in it: one item, its whole area. */
    assert_int_equal(lb_disc_stencil_build(ctx, 0.3, 0.5, 0.5, &s), LB_OK);
    assert_int_equal(s.n, 1);
    assert_near(s.w[0], LB_PI * 0.09, 1e-12);
    assert_int_equal(lb_disc_stencil_build(ctx, -1.0, 0.5, 0.5, &s), LB_ERR_ARG);
    assert_int_equal(lb_disc_stencil_build(ctx, NAN, 0.5, 0.5, &s), LB_ERR_ARG);
    lb_disc_stencil_free(&s);
    lb_disc_stencil_free(&s);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disc_rect_area_by_hand),
        cmocka_unit_test(test_disc_rect_area_against_geos),
        cmocka_unit_test(test_disc_edge_terms_against_geos),
        cmocka_unit_test(test_disc_stencil),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
