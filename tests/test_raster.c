/* SPDX-License-Identifier: MIT */
/* Rasters in other CRSs are warped to RD on read: a field that is linear in RD coordinates,
 * sampled on an EPSG:4326 grid, must come back as the same linear field (bilinear); classes on an
 * EPSG:3035 grid must come back as the same classes (nearest); indicator values over the warped
 * raster must match those over the same field written in RD. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "test_layers.h"

#include "core/ctx.h"
#include "indicators/indicators.h"
#include "io/raster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    return lb_test_dir_open(state, "raster");
}

static int teardown(void **state)
{
    return lb_test_dir_close(state);
}

/* The field, linear in RD metres. */
static double field(double x, double y)
{
    return 5.0 + 0.01 * (x - 150000.0) + 0.02 * (y - 460000.0);
}

/* Classes on 500 m blocks of RD. */
static double klass(double x, double y)
{
    long i = (long)floor(x / 500.0), j = (long)floor(y / 500.0);
    return (double)(1 + ((i + 2 * j) % 3 + 3) % 3);
}

/* Distance from (x, y) to the nearest class boundary (a multiple of 500 m in x or y). */
static double to_boundary(double x, double y)
{
    double dx = fmod(x, 500.0), dy = fmod(y, 500.0);
    return fmin(fmin(dx, 500.0 - dx), fmin(dy, 500.0 - dy));
}

static OGRCoordinateTransformationH transform(int from, int to)
{
    OGRSpatialReferenceH a = lb_test_srs(from), b = lb_test_srs(to);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(a, b);
    assert_non_null(ct);
    OSRRelease(a);
    OSRRelease(b);
    return ct;
}

static void to(OGRCoordinateTransformationH ct, double *x, double *y)
{
    assert_true(OCTTransform(ct, 1, x, y, NULL));
}

/* Source pixels [20, 40) × [30, 50) (columns × rows) are nodata in rasters written with a hole. */
static int in_hole(double u, double w, double margin)
{
    return u >= 20.0 + margin && u <= 40.0 - margin && w >= 30.0 + margin && w <= 50.0 - margin;
}

/* Write a raster on the grid @p gt of CRS @p epsg whose pixel values are @p fn at the RD
 * position of each pixel centre, nodata in the hole when @p hole. */
static void write_sampled_hole(const char *path, int epsg, const double gt[6], int nx, int ny,
                               double (*fn)(double, double), int hole)
{
    OGRCoordinateTransformationH ct = transform(epsg, 28992);
    double *v = malloc((size_t)nx * (size_t)ny * sizeof(double));
    assert_non_null(v);
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            double x = gt[0] + (i + 0.5) * gt[1], y = gt[3] + (j + 0.5) * gt[5];
            to(ct, &x, &y);
            v[(size_t)j * (size_t)nx + (size_t)i] =
                hole && in_hole(i + 0.5, j + 0.5, 0.0) ? NAN : fn(x, y);
        }
    lb_test_write_raster(path, epsg, gt, nx, ny, v, -9999.0);
    free(v);
    OCTDestroyCoordinateTransformation(ct);
}

static void write_sampled(const char *path, int epsg, const double gt[6], int nx, int ny,
                          double (*fn)(double, double))
{
    write_sampled_hole(path, epsg, gt, nx, ny, fn, 0);
}

static lb_band *read_ok(lb_ctx *ctx, const lb_source *src, int nearest)
{
    lb_band *r = NULL;
    lb_status st = lb_raster_read_resampled(ctx, src, 1, nearest, &r);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    return r;
}

/* The RD grid of a warped raster: a pixel size of the ladder, corners on multiples of it. */
static void check_rd_grid(const lb_band *r, double max_px)
{
    static const double ladder[] = {100, 50, 25, 20, 10, 5, 2, 1};
    int on_ladder = 0;
    for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
        on_ladder |= r->grid.cell_m == ladder[i];
    assert_true(on_ladder);
    assert_true(r->grid.cell_m <= max_px);
    assert_near(fmod(r->grid.x0, r->grid.cell_m), 0.0, 1e-6);
    assert_near(fmod(r->grid.y0, r->grid.cell_m), 0.0, 1e-6);
}

/* Lon/lat grid around Amersfoort: 0.0005° pixels (about 34 m east-west, 56 m north-south). */
static const double wgs_gt[6] = {5.35, 0.0005, 0.0, 52.19, 0.0, -0.0005};
enum { WGS_NX = 200, WGS_NY = 140 };

static void test_raster_wgs84_bilinear(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/wgs84.tif", f->tmp);
    write_sampled_hole(path, 4326, wgs_gt, WGS_NX, WGS_NY, field, 1);
    lb_source src = {"field", path, NULL, NULL};
    lb_band *r = read_ok(ctx, &src, 0);
    check_rd_grid(r, 56.0);
    OGRCoordinateTransformationH back = transform(28992, 4326);
    size_t n_checked = 0, n_hole = 0;
    for (int j = 0; j < r->grid.ny; j++)
        for (int i = 0; i < r->grid.nx; i++) {
            double v = r->v[(size_t)j * (size_t)r->grid.nx + (size_t)i];
            double x = r->grid.x0 + (i + 0.5) * r->grid.cell_m;
            double y = r->grid.y0 + (r->grid.ny - j - 0.5) * r->grid.cell_m;
            double lon = x, lat = y;
            to(back, &lon, &lat);
            /* Source pixel coordinates of the centre. */
            double u = (lon - wgs_gt[0]) / wgs_gt[1], w = (lat - wgs_gt[3]) / wgs_gt[5];
            /* Nodata in the source stays missing, never 0 or a blend with 0. */
            if (in_hole(u, w, 1.0)) {
                assert_true(isnan(v));
                n_hole++;
            }
            /* Bilinear needs the neighbours: stay two source pixels inside and off the hole. */
            if (u < 2.0 || w < 2.0 || u > WGS_NX - 2.0 || w > WGS_NY - 2.0 || in_hole(u, w, -2.0))
                continue;
            if (!(fabs(v - field(x, y)) <= 1e-3))
                print_error("RD pixel (%d, %d) at (%.1f, %.1f): %.9g, field %.9g\n", i, j, x, y, v,
                            field(x, y));
            assert_near(v, field(x, y), 1e-3);
            n_checked++;
        }
    assert_true(n_checked > 10000);
    assert_true(n_hole > 300);
    OCTDestroyCoordinateTransformation(back);
    lb_raster_destroy(r);
    lb_ctx_destroy(ctx);
}

static void test_raster_etrs_laea_nearest_classes(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    /* An EPSG:3035 grid of 20 m covering RD [150000, 160000] × [458000, 468000]. */
    OGRCoordinateTransformationH ct = transform(28992, 3035);
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    const double corners[4][2] = {
        {150000, 458000}, {160000, 458000}, {150000, 468000}, {160000, 468000}};
    for (int k = 0; k < 4; k++) {
        double x = corners[k][0], y = corners[k][1];
        to(ct, &x, &y);
        xmin = fmin(xmin, x);
        xmax = fmax(xmax, x);
        ymin = fmin(ymin, y);
        ymax = fmax(ymax, y);
    }
    OCTDestroyCoordinateTransformation(ct);
    double gt[6] = {floor(xmin / 20.0) * 20.0, 20.0, 0.0, ceil(ymax / 20.0) * 20.0, 0.0, -20.0};
    int nx = (int)ceil((xmax - gt[0]) / 20.0), ny = (int)ceil((gt[3] - ymin) / 20.0);
    char path[600];
    snprintf(path, sizeof(path), "%s/laea.tif", f->tmp);
    write_sampled(path, 3035, gt, nx, ny, klass);
    lb_source src = {"classes", path, NULL, NULL};
    lb_band *r = read_ok(ctx, &src, 1);
    check_rd_grid(r, 20.0);
    size_t n_checked = 0, n_valid = 0;
    for (int j = 0; j < r->grid.ny; j++)
        for (int i = 0; i < r->grid.nx; i++) {
            double v = r->v[(size_t)j * (size_t)r->grid.nx + (size_t)i];
            if (isnan(v))
                continue;
            n_valid++;
            /* Nearest neighbour never blends: only the classes themselves. */
            assert_true(v == 1.0 || v == 2.0 || v == 3.0);
            double x = r->grid.x0 + (i + 0.5) * r->grid.cell_m;
            double y = r->grid.y0 + (r->grid.ny - j - 0.5) * r->grid.cell_m;
            /* The nearest source centre is within half a source pixel diagonal (14.2 m). */
            if (x < 150100 || x > 159900 || y < 458100 || y > 467900 || to_boundary(x, y) < 30.0)
                continue;
            assert_near(v, klass(x, y), 0.0);
            n_checked++;
        }
    assert_true(n_checked > 100000);
    lb_raster_destroy(r);
    /* Bilinear on the same classes blends them along the block edges. */
    r = read_ok(ctx, &src, 0);
    size_t n_blend = 0;
    for (size_t k = 0; k < (size_t)r->grid.nx * (size_t)r->grid.ny; k++)
        n_blend += !isnan(r->v[k]) && r->v[k] != floor(r->v[k]);
    assert_true(n_blend > 1000);
    assert_true(n_valid > 0);
    lb_raster_destroy(r);
    lb_ctx_destroy(ctx);
}

static void test_raster_indicators_match_rd(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char wgs[600], rd[600];
    snprintf(wgs, sizeof(wgs), "%s/wgs84.tif", f->tmp);
    snprintf(rd, sizeof(rd), "%s/rd.tif", f->tmp);
    write_sampled(wgs, 4326, wgs_gt, WGS_NX, WGS_NY, field);
    /* The same field on a 25 m RD grid over [152000, 158000] × [459000, 466000]. */
    const double rd_gt[6] = {152000.0, 25.0, 0.0, 466000.0, 0.0, -25.0};
    write_sampled(rd, 28992, rd_gt, 240, 280, field);
    lb_source src[2] = {{"wgs", wgs, NULL, NULL}, {"rd", rd, NULL, NULL}};
    lb_inputs *in = NULL;
    assert_int_equal(lb_inputs_create(ctx, src, 2, &in), LB_OK);
    lb_grid g;
    assert_int_equal(lb_grid_from_extent(ctx, 153000, 460000, 157000, 465000, 100.0, &g), LB_OK);
    size_t n = lb_grid_ncells(&g);
    uint32_t *cells = malloc(n * sizeof(uint32_t));
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));
    for (size_t c = 0; c < n; c++)
        cells[c] = (uint32_t)c;
    lb_indicator ind;
    memset(&ind, 0, sizeof(ind));
    ind.id = "field";
    ind.band = 1;
    ind.line = 1;
    for (int kind = 0; kind < 2; kind++) {
        ind.kind = kind ? LB_KIND_SHARE_WITHIN : LB_KIND_RASTER_MEAN;
        ind.radius_m = 300.0;
        ind.layer = "wgs";
        assert_int_equal(lb_indicators_eval_cells(ctx, &ind, in, &g, cells, n, NULL, a), LB_OK);
        ind.layer = "rd";
        assert_int_equal(lb_indicators_eval_cells(ctx, &ind, in, &g, cells, n, NULL, b), LB_OK);
        for (size_t c = 0; c < n; c++) {
            double x, y;
            lb_grid_cell_centre(&g, c, &x, &y);
            /* A linear field's mean over a square or a disc is its value at the centre. */
            assert_near(b[c], field(x, y), 1e-9);
            assert_near(a[c], b[c], 1e-3);
        }
    }
    free(cells);
    free(a);
    free(b);
    lb_inputs_destroy(in);
    lb_ctx_destroy(ctx);
}

static void test_raster_crs_from_option(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char bare[600], tagged[600];
    snprintf(bare, sizeof(bare), "%s/bare.tif", f->tmp);
    snprintf(tagged, sizeof(tagged), "%s/tagged.tif", f->tmp);
    const double gt[6] = {5.38, 0.001, 0.0, 52.16, 0.0, -0.001};
    double v[30 * 20];
    for (int k = 0; k < 600; k++)
        v[k] = k % 7 == 0 ? NAN : 0.25 * k;
    lb_test_write_raster(bare, 0, gt, 30, 20, v, -1.0);
    lb_test_write_raster(tagged, 4326, gt, 30, 20, v, -1.0);
    /* No CRS: an error that says how to give one. */
    lb_source src = {"noise", bare, NULL, NULL};
    lb_band *r = NULL;
    assert_int_equal(lb_raster_read_resampled(ctx, &src, 1, 0, &r), LB_ERR_CRS);
    assert_null(r);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--s-srs"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "bare.tif"));
    /* The CRS from the option gives what the CRS in the file gives, value for value. */
    src.s_srs = "EPSG:4326";
    lb_band *a = read_ok(ctx, &src, 0);
    lb_source src2 = {"noise", tagged, NULL, NULL};
    lb_band *b = read_ok(ctx, &src2, 0);
    assert_int_equal(a->grid.nx, b->grid.nx);
    assert_int_equal(a->grid.ny, b->grid.ny);
    assert_near(a->grid.x0, b->grid.x0, 0.0);
    assert_near(a->grid.y0, b->grid.y0, 0.0);
    size_t n = (size_t)a->grid.nx * (size_t)a->grid.ny, n_nan = 0;
    for (size_t k = 0; k < n; k++) {
        assert_true(isnan(a->v[k]) == isnan(b->v[k]));
        if (!isnan(a->v[k]))
            assert_near(a->v[k], b->v[k], 0.0);
        n_nan += isnan(a->v[k]);
    }
    assert_true(n_nan > 0 && n_nan < n);
    lb_raster_destroy(a);
    lb_raster_destroy(b);
    /* A band that is not there. */
    assert_int_equal(lb_raster_read_resampled(ctx, &src2, 2, 0, &r), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no band 2"));
    lb_ctx_destroy(ctx);
}

/* An RD raster with non-square pixels is warped to square ones instead of refused; an RD
 * raster with square north-up pixels is read pixel for pixel. */
static void test_raster_rd_pixels(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/rect.tif", f->tmp);
    const double gt[6] = {150000.0, 25.0, 0.0, 462000.0, 0.0, -50.0};
    write_sampled(path, 28992, gt, 80, 40, field);
    lb_source src = {"rect", path, NULL, NULL};
    lb_band *r = read_ok(ctx, &src, 0);
    check_rd_grid(r, 50.0);
    size_t n_checked = 0;
    for (int j = 2; j < r->grid.ny - 2; j++)
        for (int i = 2; i < r->grid.nx - 2; i++) {
            double x = r->grid.x0 + (i + 0.5) * r->grid.cell_m;
            double y = r->grid.y0 + (r->grid.ny - j - 0.5) * r->grid.cell_m;
            if (x < 150050 || x > 151950 || y < 460100 || y > 461900)
                continue;
            assert_near(r->v[(size_t)j * (size_t)r->grid.nx + (size_t)i], field(x, y), 1e-9);
            n_checked++;
        }
    assert_true(n_checked > 500);
    lb_raster_destroy(r);
    const double sq[6] = {150000.0, 10.0, 0.0, 462000.0, 0.0, -10.0};
    write_sampled(path, 28992, sq, 30, 20, field);
    r = read_ok(ctx, &src, 1);
    assert_int_equal(r->grid.nx, 30);
    assert_int_equal(r->grid.ny, 20);
    assert_near(r->grid.x0, 150000.0, 0.0);
    assert_near(r->grid.y0, 461800.0, 0.0);
    assert_near(r->v[0], field(150005.0, 461995.0), 1e-9);
    lb_raster_destroy(r);
    lb_ctx_destroy(ctx);
}

/* Every pixel of a window has the value a read of everything gives, on the same lattice. */
static void check_window(const lb_band *all, const lb_band *w)
{
    assert_near(w->grid.cell_m, all->grid.cell_m, 0.0);
    double px = w->grid.cell_m;
    double di = (w->grid.x0 - all->grid.x0) / px;
    double dj = ((all->grid.y0 + all->grid.ny * px) - (w->grid.y0 + w->grid.ny * px)) / px;
    assert_near(di, round(di), 1e-9);
    assert_near(dj, round(dj), 1e-9);
    long i0 = lround(di), j0 = lround(dj);
    assert_true(i0 >= 0 && j0 >= 0 && i0 + w->grid.nx <= all->grid.nx &&
                j0 + w->grid.ny <= all->grid.ny);
    for (long j = 0; j < w->grid.ny; j++)
        for (long i = 0; i < w->grid.nx; i++) {
            double a = all->v[(size_t)(j + j0) * (size_t)all->grid.nx + (size_t)(i + i0)];
            double b = w->v[(size_t)j * (size_t)w->grid.nx + (size_t)i];
            assert_true(isnan(a) == isnan(b));
            if (!isnan(a))
                assert_near(a, b, 0.0);
        }
}

/* A window of an RD raster is its own pixels the box touches, clipped to the raster; a window
 * of a warped raster is a part of the whole warp's lattice, value for value. */
static void test_raster_window_same_pixels(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/rd.tif", f->tmp);
    const double sq[6] = {150000.0, 10.0, 0.0, 462000.0, 0.0, -10.0};
    write_sampled(path, 28992, sq, 30, 20, field);
    lb_source src = {"rd", path, NULL, NULL};
    lb_band *all = read_ok(ctx, &src, 0), *w = NULL;
    /* columns floor(5.05) = 5 .. ceil(12) = 12; rows floor(10.5) = 10 .. 20 (clipped) */
    const double win[4] = {150050.5, 461700.0, 150120.0, 461895.0};
    assert_int_equal(lb_raster_read_window(ctx, &src, 1, 0, win, &w), LB_OK);
    assert_int_equal(w->grid.nx, 7);
    assert_int_equal(w->grid.ny, 10);
    assert_near(w->grid.x0, 150050.0, 0.0);
    assert_near(w->grid.y0, 461800.0, 0.0);
    check_window(all, w);
    lb_raster_destroy(w);
    lb_raster_destroy(all);

    snprintf(path, sizeof(path), "%s/wgs.tif", f->tmp);
    write_sampled_hole(path, 4326, wgs_gt, WGS_NX, WGS_NY, field, 1);
    lb_source wgs = {"wgs", path, NULL, NULL};
    all = read_ok(ctx, &wgs, 0);
    const double mid[4] = {all->grid.x0 + 1234.5, all->grid.y0 + 987.0, all->grid.x0 + 3456.0,
                           all->grid.y0 + 2345.0};
    w = NULL;
    assert_int_equal(lb_raster_read_window(ctx, &wgs, 1, 0, mid, &w), LB_OK);
    assert_true(w->grid.nx < all->grid.nx && w->grid.ny < all->grid.ny);
    check_window(all, w);
    lb_raster_destroy(w);
    lb_raster_destroy(all);
    lb_ctx_destroy(ctx);
}

/* Issue 18: a VRT declaring 1073807362 x 2147352580 pixels made nx * ny * 8 wrap to 64 bytes
 * and GDAL write past them. Read whole it is an error naming the size; read over a window it
 * is that window only. */
static void test_raster_huge_vrt(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char tif[600], vrt[600];
    snprintf(tif, sizeof(tif), "%s/small.tif", f->tmp);
    snprintf(vrt, sizeof(vrt), "%s/huge.vrt", f->tmp);
    const double sq[6] = {150000.0, 10.0, 0.0, 462000.0, 0.0, -10.0};
    write_sampled(tif, 28992, sq, 30, 20, field);
    FILE *fp = fopen(vrt, "w");
    assert_non_null(fp);
    fprintf(fp,
            "<VRTDataset rasterXSize=\"1073807362\" rasterYSize=\"2147352580\">\n"
            "  <SRS>EPSG:28992</SRS>\n"
            "  <GeoTransform>150000, 10, 0, 462000, 0, -10</GeoTransform>\n"
            "  <VRTRasterBand dataType=\"Float32\" band=\"1\">\n"
            "    <SimpleSource><SourceFilename relativeToVRT=\"0\">%s</SourceFilename>\n"
            "      <SourceBand>1</SourceBand></SimpleSource>\n"
            "  </VRTRasterBand>\n"
            "</VRTDataset>\n",
            tif);
    fclose(fp);
    lb_source src = {"huge", vrt, NULL, NULL};
    lb_band *r = NULL;
    assert_int_equal(lb_raster_read(ctx, &src, 1, &r), LB_ERR_DATA);
    assert_null(r);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "1073807362 x 2147352580 pixels"));
    const double win[4] = {150000.0, 461800.0, 150300.0, 462000.0};
    assert_int_equal(lb_raster_read_window(ctx, &src, 1, 0, win, &r), LB_OK);
    assert_int_equal(r->grid.nx, 30);
    assert_int_equal(r->grid.ny, 20);
    assert_near(r->v[0], field(150005.0, 461995.0), 1e-3); /* Float32 */
    lb_raster_destroy(r);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_raster_wgs84_bilinear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raster_etrs_laea_nearest_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raster_indicators_match_rd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raster_crs_from_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raster_rd_pixels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raster_window_same_pixels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raster_huge_vrt, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
