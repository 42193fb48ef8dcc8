/* SPDX-License-Identifier: MIT */
/* Tests of the PNG previews: the PNG is read back with GDAL and compared pixel by pixel with the
 * class grid enlarged by brute force, the palette with the class colours, the legend boxes
 * and the text with the glyphs it should show. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_legend.h"
#include "test_util.h"

#include "core/ctx.h"
#include "io/preview.h"

#include <cpl_conv.h>
#include <gdal.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef lb_test_dir fixture;

static int setup(void **state)
{
    return lb_test_dir_setup(state, "preview");
}

/* The PNG's palette indices, its size in *w, *h (caller frees). */
static unsigned char *read_png(const char *path, int *w, int *h, GDALColorTableH *pal_copy)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_string_equal(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "PNG");
    assert_int_equal(GDALGetRasterCount(ds), 1);
    *w = GDALGetRasterXSize(ds);
    *h = GDALGetRasterYSize(ds);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    GDALColorTableH pal = GDALGetRasterColorTable(band);
    assert_non_null(pal);
    *pal_copy = GDALCloneColorTable(pal);
    unsigned char *px = malloc((size_t)*w * (size_t)*h);
    assert_non_null(px);
    assert_int_equal(GDALRasterIO(band, GF_Read, 0, 0, *w, *h, px, *w, *h, GDT_Byte, 0, 0),
                     CE_None);
    GDALClose(ds);
    return px;
}

/* Ink pixels the text @p s should have: each set glyph bit is FONT × FONT pixels. */
static long ink_of(const char *s)
{
    long n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        for (int row = 0; row < LB_PREVIEW_GLYPH_ROWS; row++)
            for (unsigned bits = lb_preview_glyph_row(*p, row); bits; bits >>= 1)
                n += (bits & 1u) * LB_PREVIEW_FONT * LB_PREVIEW_FONT;
    return n;
}

static void test_preview_map_and_legend(void **state)
{
    fixture *fx = *state;
    /* 4 × 3 cells, one nodata */
    lb_grid g = {.x0 = 155000.0, .y0 = 463000.0, .cell_m = 100.0, .nx = 4, .ny = 3};
    const unsigned char cls[12] = {1, 2, 3, 4, 5, 0, 7, 8, 9, 9, 1, 6};
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, NULL, "Leefbaarometer 2022"};
    const char *path = lb_test_path(fx, "class.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 1), LB_OK);

    int w, h;
    GDALColorTableH pal;
    unsigned char *px = read_png(path, &w, &h, &pal);
    int s = LB_PREVIEW_MAX_PX / 4; /* 250 px per cell: 1000 × 750 */
    int map_w = 4 * s, map_h = 3 * s;
    /* legend: the longest text is "ruim onvoldoende" (16) after the box (3 advances) */
    int leg_w = 2 * LB_PREVIEW_PAD + (16 + 3) * LB_PREVIEW_ADVANCE;
    int leg_h = 2 * LB_PREVIEW_PAD + 10 * LB_PREVIEW_ROW;
    assert_int_equal(w, map_w + leg_w);
    assert_int_equal(h, map_h > leg_h ? map_h : leg_h);

    /* palette: 0 transparent, the classes opaque in their colours, then white, ink, frame */
    assert_int_equal(GDALGetColorEntry(pal, 0)->c4, 0);
    for (int k = 1; k <= 9; k++) {
        const GDALColorEntry *e = GDALGetColorEntry(pal, k);
        unsigned r, gg, b;
        assert_int_equal(sscanf(lb_test_colours[k - 1], "#%2x%2x%2x", &r, &gg, &b), 3);
        assert_int_equal(e->c1, r);
        assert_int_equal(e->c2, gg);
        assert_int_equal(e->c3, b);
        assert_int_equal(e->c4, 255);
    }
    const GDALColorEntry *white = GDALGetColorEntry(pal, 9 + LB_PREVIEW_WHITE);
    assert_true(white->c1 == 255 && white->c2 == 255 && white->c3 == 255 && white->c4 == 255);

    /* every map pixel is its cell's class (nearest neighbour, row 0 north) */
    for (int y = 0; y < map_h; y++)
        for (int x = 0; x < map_w; x++)
            if (px[(size_t)y * (size_t)w + (size_t)x] != cls[(y / s) * 4 + x / s]) {
                print_error("pixel (%d, %d) is %d, cell %d has class %d\n", x, y,
                            px[(size_t)y * (size_t)w + (size_t)x], (y / s) * 4 + x / s,
                            cls[(y / s) * 4 + x / s]);
                fail();
            }
    /* below the legend panel the canvas stays transparent */
    for (int y = leg_h; y < h; y++)
        for (int x = map_w; x < w; x++)
            assert_int_equal(px[(size_t)y * (size_t)w + (size_t)x], 0);

    /* legend rows: a framed box of the class colour, its label in ink to the right */
    int x0 = map_w + LB_PREVIEW_PAD;
    for (int k = 0; k < 9; k++) {
        int y0 = LB_PREVIEW_PAD + (k + 1) * LB_PREVIEW_ROW; /* the title takes the first row */
        for (int y = y0; y < y0 + LB_PREVIEW_BOX; y++)
            for (int x = x0; x < x0 + LB_PREVIEW_BOX; x++) {
                int frame = y == y0 || y == y0 + LB_PREVIEW_BOX - 1 || x == x0 ||
                            x == x0 + LB_PREVIEW_BOX - 1;
                assert_int_equal(px[(size_t)y * (size_t)w + (size_t)x],
                                 frame ? 9 + LB_PREVIEW_FRAME : k + 1);
            }
        long ink = 0;
        for (int y = y0; y < y0 + LB_PREVIEW_ROW; y++)
            for (int x = x0 + LB_PREVIEW_BOX; x < w; x++)
                ink += px[(size_t)y * (size_t)w + (size_t)x] == 9 + LB_PREVIEW_INK;
        assert_int_equal(ink, ink_of(lb_test_labels[k]));
    }
    long title_ink = 0;
    for (int y = 0; y < LB_PREVIEW_PAD + LB_PREVIEW_ROW; y++)
        for (int x = map_w; x < w; x++)
            title_ink += px[(size_t)y * (size_t)w + (size_t)x] == 9 + LB_PREVIEW_INK;
    assert_int_equal(title_ink, ink_of("Leefbaarometer 2022"));
    free(px);
    GDALDestroyColorTable(pal);
}

/* Without a legend the PNG is the map alone; a grid longer than 1000 cells keeps 1 px per cell;
 * a 3-class development legend works the same way. */
static void test_preview_sizes(void **state)
{
    fixture *fx = *state;
    lb_grid g = {.x0 = 0, .y0 = 300000.0, .cell_m = 100.0, .nx = 1200, .ny = 2};
    unsigned char *cls = malloc(2400);
    assert_non_null(cls);
    for (int i = 0; i < 2400; i++)
        cls[i] = (unsigned char)(i % 4);
    const char *const dl[] = {"achteruit", "geen verandering", "vooruit"};
    const char *const dc[] = {"#ef8a62", "#f7f7f7", "#67a9cf"};
    lb_class_table ct = {3, dl, dc, NULL, NULL};
    const char *path = lb_test_path(fx, "wide.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 0), LB_OK);
    int w, h;
    GDALColorTableH pal;
    unsigned char *px = read_png(path, &w, &h, &pal);
    assert_int_equal(w, 1200);
    assert_int_equal(h, 2);
    assert_memory_equal(px, cls, 2400);
    free(px);
    GDALDestroyColorTable(pal);

    g.nx = 333; /* 1000 / 333 = 3 px per cell: 999 px */
    g.ny = 1;
    path = lb_test_path(fx, "three.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 0), LB_OK);
    px = read_png(path, &w, &h, &pal);
    assert_int_equal(w, 999);
    assert_int_equal(h, 3);
    for (int x = 0; x < 999; x++)
        assert_int_equal(px[2 * 999 + x], cls[x / 3]);
    free(px);
    GDALDestroyColorTable(pal);
    free(cls);
}

static void test_preview_errors(void **state)
{
    fixture *fx = *state;
    lb_grid g = {.x0 = 0, .y0 = 300000.0, .cell_m = 100.0, .nx = 2, .ny = 1};
    const unsigned char bad[2] = {1, 4};
    lb_class_table ct = {3, lb_test_labels, lb_test_colours, NULL, NULL};
    const char *path = lb_test_path(fx, "bad.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, bad, &ct, 1), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "class 4 of 3"));
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    const unsigned char ok[2] = {1, 3};
    char missing[300];
    snprintf(missing, sizeof(missing), "%s/missing/p.png", fx->dir);
    assert_int_equal(lb_preview_png(fx->ctx, missing, &g, ok, &ct, 1), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), missing));
}

/* Glyphs: a few letters drawn by hand here, and what non-ASCII text turns into. */
static void test_preview_glyphs(void **state)
{
    (void)state;
    const unsigned a[9] = {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0, 0}; /* .###. #...# */
    const unsigned g[9] = {0, 0, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E}; /* descender */
    for (int r = 0; r < 9; r++) {
        assert_int_equal(lb_preview_glyph_row('A', r), a[r]);
        assert_int_equal(lb_preview_glyph_row('g', r), g[r]);
        assert_int_equal(lb_preview_glyph_row(' ', r), 0);
        assert_int_equal(lb_preview_glyph_row(0x07, r), lb_preview_glyph_row('?', r));
        assert_int_equal(lb_preview_glyph_row(0xC3, r), lb_preview_glyph_row('?', r));
    }
    assert_int_equal(lb_preview_glyph_row('A', 9), 0);
}

/* "ë" is drawn as "e", "–" as "-" and "☃" as "?": same ink as the ASCII stand-ins. */
static void test_preview_accented_labels(void **state)
{
    fixture *fx = *state;
    lb_grid g = {.x0 = 0, .y0 = 300000.0, .cell_m = 100.0, .nx = 1, .ny = 1};
    const unsigned char cls[1] = {1};
    const char *const l1[] = {"Geïsoleerd ☃ 2020–22"};
    lb_class_table ct = {1, l1, lb_test_colours, NULL, NULL};
    const char *path = lb_test_path(fx, "accents.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 1), LB_OK);
    int w, h;
    GDALColorTableH pal;
    unsigned char *px = read_png(path, &w, &h, &pal);
    long ink = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        ink += px[i] == 1 + LB_PREVIEW_INK;
    assert_int_equal(ink, ink_of("Geisoleerd ? 2020-22"));
    /* the legend is as wide as 20 characters after the box */
    assert_int_equal(w, LB_PREVIEW_MAX_PX + 2 * LB_PREVIEW_PAD + (20 + 3) * LB_PREVIEW_ADVANCE);
    free(px);
    GDALDestroyColorTable(pal);
}

#define PREVIEW_TEST(f) cmocka_unit_test_setup_teardown(f, setup, lb_test_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        PREVIEW_TEST(test_preview_map_and_legend),  PREVIEW_TEST(test_preview_sizes),
        PREVIEW_TEST(test_preview_errors),          PREVIEW_TEST(test_preview_glyphs),
        PREVIEW_TEST(test_preview_accented_labels),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return failed;
}
