/* SPDX-License-Identifier: MIT */
/* Test helpers around GEOS, the independent reference for areas: disc areas bracketed between
 * the inscribed and the circumscribed buffer polygon. Include after <cmocka.h>. */
#ifndef LB_TESTS_TEST_GEOS_H
#define LB_TESTS_TEST_GEOS_H

#include <geos_c.h>
#include <math.h>
#include <stdio.h>

/* Buffer segments per quarter circle: the 4096-gon is within 3e-7 of the disc's area. */
enum { LB_TEST_QUADSEGS = 1024 };

static inline void lb_test_geos_msg(const char *msg, void *user)
{
    (void)user;
    print_error("GEOS: %s\n", msg);
}

/* A GEOS context that reports its errors through cmocka. GEOS_finish_r() it. */
static inline GEOSContextHandle_t lb_test_geos(void)
{
    GEOSContextHandle_t h = GEOS_init_r();
    assert_non_null(h);
    GEOSContext_setErrorMessageHandler_r(h, lb_test_geos_msg, NULL);
    return h;
}

static inline GEOSGeometry *lb_test_geos_wkt(GEOSContextHandle_t h, const char *wkt)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, wkt);
    GEOSWKTReader_destroy_r(h, rd);
    assert_non_null(g);
    return g;
}

static inline double lb_test_geos_area(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    double a = 0.0;
    assert_int_equal(GEOSArea_r(h, g, &a), 1);
    return a;
}

/* Area of @p g inside @p clip. */
static inline double lb_test_geos_area_in(GEOSContextHandle_t h, const GEOSGeometry *g,
                                          const GEOSGeometry *clip)
{
    GEOSGeometry *x = GEOSIntersection_r(h, clip, g);
    assert_non_null(x);
    double a = lb_test_geos_area(h, x);
    GEOSGeom_destroy_r(h, x);
    return a;
}

/* The inscribed (@p outer = 0) or circumscribed (1) buffer polygon of the disc of radius @p r
 * around (cx, cy): GEOS puts the vertices on the circle, so for the circumscribed one the
 * radius is r / cos(π/n) and the edges touch the circle. */
static inline GEOSGeometry *lb_test_geos_disc_n(GEOSContextHandle_t h, double cx, double cy,
                                                double r, int outer, int quadsegs)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, cx, cy);
    assert_non_null(pt);
    double n = 4.0 * quadsegs;
    GEOSGeometry *buf =
        GEOSBuffer_r(h, pt, outer ? r / cos(3.14159265358979323846 / n) : r, quadsegs);
    assert_non_null(buf);
    GEOSGeom_destroy_r(h, pt);
    return buf;
}

/* The same with LB_TEST_QUADSEGS segments per quarter. */
static inline GEOSGeometry *lb_test_geos_disc(GEOSContextHandle_t h, double cx, double cy, double r,
                                              int outer)
{
    return lb_test_geos_disc_n(h, cx, cy, r, outer, LB_TEST_QUADSEGS);
}

/* Areas of @p g inside the inscribed and the circumscribed buffer polygon of the disc. */
static inline void lb_test_disc_bracket(GEOSContextHandle_t h, const GEOSGeometry *g, double cx,
                                        double cy, double r, double *lo, double *hi)
{
    GEOSGeometry *in = lb_test_geos_disc(h, cx, cy, r, 0);
    GEOSGeometry *out = lb_test_geos_disc(h, cx, cy, r, 1);
    *lo = lb_test_geos_area_in(h, g, in);
    *hi = lb_test_geos_area_in(h, g, out);
    GEOSGeom_destroy_r(h, in);
    GEOSGeom_destroy_r(h, out);
}

/* @p got must lie in [lo, hi] up to rounding relative to @p scale (e.g. the disc's area). */
static inline void lb_test_assert_in_bracket(double got, double lo, double hi, double scale)
{
    double tol = 1e-9 * scale + 1e-9;
    if (!(got >= lo - tol && got <= hi + tol))
        print_error("area %.12g outside GEOS bracket [%.12g, %.12g]\n", got, lo, hi);
    assert_true(got >= lo - tol && got <= hi + tol);
}

#endif
