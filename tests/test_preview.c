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
#include "core/sha256.h"
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

/* Ink pixels the UTF-8 text @p s should have: each set glyph bit is FONT × FONT pixels. */
static long ink_of(const char *s)
{
    long n = 0;
    for (const char *p = s; *p;) {
        uint32_t cp = lb_preview_utf8_next(&p);
        for (int row = LB_PREVIEW_GLYPH_TOP; row < LB_PREVIEW_GLYPH_ROWS; row++)
            for (unsigned bits = lb_preview_glyph_row(cp, row); bits; bits >>= 1)
                n += (bits & 1u) * LB_PREVIEW_FONT * LB_PREVIEW_FONT;
    }
    return n;
}

/* 5 bits of a glyph row written as in the font ('#' ink, '.' paper). */
static unsigned bits_of(const char *r)
{
    unsigned b = 0;
    for (int i = 0; i < 5; i++)
        b = b << 1 | (r[i] == '#');
    return b;
}

static void test_preview_map_and_legend(void **state)
{
    fixture *fx = *state;
    /* 4 × 3 cells, one nodata */
    lb_grid g = {.x0 = 155000.0, .y0 = 463000.0, .cell_m = 100.0, .nx = 4, .ny = 3};
    const unsigned char cls[12] = {1, 2, 3, 4, 5, 0, 7, 8, 9, 9, 1, 6};
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, NULL, "Leefbaarometer 2022"};
    const char *path = lb_test_path(fx, "class.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 1, NULL), LB_OK);

    int w, h;
    GDALColorTableH pal;
    unsigned char *px = read_png(path, &w, &h, &pal);
    int s = LB_PREVIEW_MAX_PX / 4; /* 250 px per cell: 1000 × 750 */
    int map_w = 4 * s, map_h = 3 * s;
    /* legend: the longest text is "ruim onvoldoende" (16) after the box (3 advances) */
    int leg_w = 2 * LB_PREVIEW_PAD + (16 + 3) * LB_PREVIEW_ADVANCE;
    int leg_h = 2 * LB_PREVIEW_PAD + 10 * LB_PREVIEW_ROW + 2 * LB_PREVIEW_ROW; /* + scale bar */
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
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 0, NULL), LB_OK);
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
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 0, NULL), LB_OK);
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
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, bad, &ct, 1, NULL), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "class 4 of 3"));
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    const unsigned char ok[2] = {1, 3};
    char missing[300];
    snprintf(missing, sizeof(missing), "%s/missing/p.png", fx->dir);
    assert_int_equal(lb_preview_png(fx->ctx, missing, &g, ok, &ct, 1, NULL), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), missing));
}

/* Glyphs: a few letters drawn by hand here, accented ones included, and the placeholder. */
static void test_preview_glyphs(void **state)
{
    (void)state;
    const unsigned a[9] = {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0, 0}; /* .###. #...# */
    const unsigned g[9] = {0, 0, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E}; /* descender */
    const char *const box[9] = {"#####", "#...#", "#...#", "#...#", "#...#",
                                "#...#", "#####", ".....", "....."};
    /* ë: the diaeresis on row 0 over e's rows; É: the acute two rows above E */
    const char *const e_uml[9] = {".#.#.", ".....", ".###.", "#...#", "#####",
                                  "#....", ".###.", ".....", "....."};
    const char *const e_acute_cap[11] = {"...#.", ".....", "#####", "#....", "#....", "####.",
                                         "#....", "#....", "#####", ".....", "....."};
    const char *const i_uml[9] = {".#.#.", ".....", ".##..", "..#..", "..#..",
                                  "..#..", ".###.", ".....", "....."};
    const char *const c_ced[9] = {".....", ".....", ".###.", "#....", "#....",
                                  "#...#", ".###.", "..#..", ".##.."};
    for (int r = 0; r < 9; r++) {
        assert_int_equal(lb_preview_glyph_row('A', r), a[r]);
        assert_int_equal(lb_preview_glyph_row('g', r), g[r]);
        assert_int_equal(lb_preview_glyph_row(' ', r), 0);
        assert_int_equal(lb_preview_glyph_row(0xEB, r), bits_of(e_uml[r]));
        assert_int_equal(lb_preview_glyph_row(0xEF, r), bits_of(i_uml[r]));
        assert_int_equal(lb_preview_glyph_row(0xE7, r), bits_of(c_ced[r]));
        assert_int_equal(lb_preview_glyph_row(0x07, r), bits_of(box[r]));
        assert_int_equal(lb_preview_glyph_row(0x2603, r), bits_of(box[r])); /* snowman */
        assert_int_equal(lb_preview_glyph_row(LB_PREVIEW_REPLACEMENT, r), bits_of(box[r]));
        assert_int_equal(lb_preview_glyph_row(0x2013, r), lb_preview_glyph_row('-', r));
    }
    for (int r = -2; r < 9; r++)
        assert_int_equal(lb_preview_glyph_row(0xC9, r), bits_of(e_acute_cap[r + 2]));
    /* lower-case letters and ASCII have nothing above the capitals */
    for (int r = -2; r < 0; r++) {
        assert_int_equal(lb_preview_glyph_row('A', r), 0);
        assert_int_equal(lb_preview_glyph_row(0xEB, r), 0);
    }
    assert_int_equal(lb_preview_glyph_row('A', 9), 0);
    assert_int_equal(lb_preview_glyph_row('A', -3), 0);
    /* ĳ is one glyph: i's stem and j's stem and hook */
    assert_int_equal(lb_preview_glyph_row(0x133, 0), bits_of("#..#."));
    assert_int_equal(lb_preview_glyph_row(0x133, 8), bits_of("..#.."));
}

/* UTF-8 decoding: Dutch letters, ĳ, and every kind of invalid input as U+FFFD, one byte (or
 * the valid prefix of a truncated sequence) at a time. */
static void test_preview_utf8(void **state)
{
    (void)state;
    const char *s = "I\xC4\xB3s\xC3\xABl\xE2\x80\x93\xF0\x9F\x8F\xA0";
    const uint32_t want[] = {'I', 0x133, 's', 0xEB, 'l', 0x2013, 0x1F3E0};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_int_equal(lb_preview_utf8_next(&s), want[i]);
    assert_int_equal(*s, '\0');
    const struct {
        const char *in;
        size_t len; /* bytes consumed */
    } bad[] = {{"\xFF", 1},         {"\x80", 1},     {"\xC3(", 1}, {"\xC0\xAF", 2},
               {"\xED\xA0\x80", 3}, {"\xE2\x80", 2}, {"\x07", 1}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *p = bad[i].in;
        assert_int_equal(lb_preview_utf8_next(&p), LB_PREVIEW_REPLACEMENT);
        assert_int_equal((size_t)(p - bad[i].in), bad[i].len);
    }
}

/* Labels keep their accents: "Geïsoleerd ☃ 2020–22" has the ï's diaeresis (not i's dot), the
 * snowman as the placeholder box and an invalid byte as another box. */
static void test_preview_accented_labels(void **state)
{
    fixture *fx = *state;
    lb_grid g = {.x0 = 0, .y0 = 300000.0, .cell_m = 100.0, .nx = 1, .ny = 1};
    const unsigned char cls[1] = {1};
    const char *const l1[] = {"Ge\xC3\xAFsoleerd \xE2\x98\x83 2020\xE2\x80\x93"
                              "22\xFF"};
    lb_class_table ct = {1, l1, lb_test_colours, NULL, NULL};
    const char *path = lb_test_path(fx, "accents.png");
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 1, NULL), LB_OK);
    int w, h;
    GDALColorTableH pal;
    unsigned char *px = read_png(path, &w, &h, &pal);
    long ink = 0;
    for (int y = 0; y < LB_PREVIEW_PAD + LB_PREVIEW_ROW; y++)
        for (int x = LB_PREVIEW_MAX_PX; x < w; x++)
            ink += px[(size_t)y * (size_t)w + (size_t)x] == 1 + LB_PREVIEW_INK;
    /* by hand: ï has 1 more ink bit than i (diaeresis for dot), each box 20 bits, "?" 9 */
    long per_bit = LB_PREVIEW_FONT * LB_PREVIEW_FONT;
    assert_int_equal(ink, ink_of("Geisoleerd ? 2020-22?") + (1 + 11 + 11) * per_bit);
    /* the legend is as wide as 21 characters after the box */
    assert_int_equal(w, LB_PREVIEW_MAX_PX + 2 * LB_PREVIEW_PAD + (21 + 3) * LB_PREVIEW_ADVANCE);
    free(px);
    GDALDestroyColorTable(pal);
}

/* The longest horizontal run of @p v in rows [y0, y1) from column @p x0; its row in *row. */
static int longest_run(const unsigned char *px, int w, int x0, int y0, int y1, int v, int *row)
{
    int best = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0, run = 0; x < w; x++) {
            run = px[(size_t)y * (size_t)w + (size_t)x] == v ? run + 1 : 0;
            if (run > best) {
                best = run;
                *row = y;
            }
        }
    return best;
}

/* The scale bar below the legend: the longest round length that fits the panel (228 px of
 * content here), in pixels at the preview's 250 px per cell. */
static void test_preview_scale_bar(void **state)
{
    fixture *fx = *state;
    const unsigned char cls[12] = {1, 2, 3, 4, 5, 0, 7, 8, 9, 9, 1, 6};
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, NULL, "Leefbaarometer 2022"};
    /* Each cell is 250 px. 100 m cells: 2.5 px/m; 100 m would be 250 px > 228, so 50 m =
     * 125 px. 25 m cells: 10 px/m; 25 m would be 250 px, so 20 m = 200 px. 4000 m cells:
     * 0.0625 px/m; 5 km would be 312.5 px, so 2.5 km = 156.25 px. 10 km cells: 0.025 px/m;
     * 10 km would be 250 px, so 5 km = 125 px. */
    const struct {
        double cell_m;
        int px;
        const char *label;
    } want[] = {
        {100.0, 125, "50 m"}, {25.0, 200, "20 m"}, {4000.0, 156, "2,5 km"}, {10000.0, 125, "5 km"}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        lb_grid g = {.x0 = 0, .y0 = 300000.0, .cell_m = want[i].cell_m, .nx = 4, .ny = 3};
        const char *path = lb_test_path(fx, "scale.png");
        assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 1, NULL), LB_OK);
        int w, h, row = 0;
        GDALColorTableH pal;
        unsigned char *px = read_png(path, &w, &h, &pal);
        int rows_end = LB_PREVIEW_PAD + 10 * LB_PREVIEW_ROW; /* title and 9 classes */
        int run = longest_run(px, w, 1000, rows_end, h, 9 + LB_PREVIEW_INK, &row);
        assert_int_equal(run, want[i].px);
        /* the bar is LB_PREVIEW_BAR_H rows high, its label below it */
        for (int y = row; y < row + LB_PREVIEW_BAR_H; y++)
            assert_int_equal(px[(size_t)y * (size_t)w + 1000 + LB_PREVIEW_PAD], 9 + LB_PREVIEW_INK);
        long ink = 0;
        for (int y = row + LB_PREVIEW_BAR_H; y < h; y++)
            for (int x = 1000; x < w; x++)
                ink += px[(size_t)y * (size_t)w + (size_t)x] == 9 + LB_PREVIEW_INK;
        assert_int_equal(ink, ink_of(want[i].label));
        free(px);
        GDALDestroyColorTable(pal);
    }
}

/* A little-endian WKB polygon of the rectangle [x0, x1] × [y0, y1] (41 + 80 bytes). */
static size_t rect_wkb(unsigned char *b, double x0, double y0, double x1, double y1)
{
    const double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    const uint32_t type = 3, rings = 1, pts = 5;
    b[0] = 1;
    memcpy(b + 1, &type, 4);
    memcpy(b + 5, &rings, 4);
    memcpy(b + 9, &pts, 4);
    memcpy(b + 13, xy, sizeof(xy));
    return 13 + sizeof(xy);
}

/* Areas over the map: a 200 × 200 m wijk of two buurten (one key) and a neighbour east of it
 * on a 4 × 4 grid of 100 m cells (250 px per cell, so 2.5 px per m). The outline runs where
 * the wijk meets the outside and the neighbour, not between its own buurten; its name is drawn
 * once, with its ĳ and ë; the neighbour's name, too long for it, is left out. */
static void test_preview_areas(void **state)
{
    fixture *fx = *state;
    lb_grid g = {.x0 = 155000.0, .y0 = 463000.0, .cell_m = 100.0, .nx = 4, .ny = 4};
    unsigned char cls[16];
    memset(cls, 1, sizeof(cls));
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, NULL, NULL};
    unsigned char w0[128], w1[128], w2[128];
    /* the wijk: x 155100..155300, y 463100..463300 as two buurten split at x = 155200 */
    const unsigned char *wkb[3] = {w0, w1, w2};
    const size_t size[3] = {rect_wkb(w0, 155100, 463100, 155200, 463300),
                            rect_wkb(w1, 155200, 463100, 155300, 463300),
                            rect_wkb(w2, 155300, 463100, 155400, 463300)};
    const char *const key[3] = {"WK01", "WK01", "WK02"};
    const char *const name[3] = {"\xC4\xB2ssel\xC3\xAB", "ignored: not the first",
                                 "Een naam die niet in de wijk past"};
    const lb_preview_areas areas = {3, wkb, size, key, name};
    char path[300], again[300];
    snprintf(path, sizeof(path), "%s", lb_test_path(fx, "areas.png"));
    snprintf(again, sizeof(again), "%s", lb_test_path(fx, "areas2.png"));
    assert_int_equal(lb_preview_png(fx->ctx, path, &g, cls, &ct, 0, &areas), LB_OK);
    int w, h;
    GDALColorTableH pal;
    unsigned char *px = read_png(path, &w, &h, &pal);
    assert_int_equal(w, 1000);
    assert_int_equal(h, 1000);
    const int line = 9 + LB_PREVIEW_LINE, ink = 9 + LB_PREVIEW_INK;
    /* in pixels (y down from 463400): the wijk is x 250..750, y 250..750, the neighbour
     * x 750..1000 */
#define PX(x, y) px[(size_t)(y)*1000u + (size_t)(x)]
    for (int y = 260; y < 740; y += 7) {
        assert_int_equal(PX(249, y), line); /* west edge, both sides */
        assert_int_equal(PX(250, y), line);
        assert_int_equal(PX(749, y), line); /* wijk | neighbour */
        assert_int_equal(PX(750, y), line);
        assert_int_equal(PX(251, y) != line, 1);
        assert_int_equal(PX(499, y) == line || PX(500, y) == line, 0); /* buurt | buurt */
        assert_int_equal(PX(100, y), 1);
    }
    for (int x = 260; x < 990; x += 7) {
        assert_int_equal(PX(x, 249), line);
        assert_int_equal(PX(x, 250), line);
        assert_int_equal(PX(x, 749), line);
        assert_int_equal(PX(x, 750), line);
        assert_int_equal(PX(x, 100), 1);
    }
    assert_int_equal(PX(300, 300), 1);
    long n_ink = 0;
    for (size_t i = 0; i < 1000u * 1000u; i++)
        n_ink += px[i] == ink;
    assert_int_equal(n_ink, ink_of("\xC4\xB2ssel\xC3\xAB"));
    /* the name sits at the wijk's centre */
    int ink_x0 = 1000, ink_x1 = 0;
    for (int y = 0; y < 1000; y++)
        for (int x = 0; x < 1000; x++)
            if (PX(x, y) == ink) {
                ink_x0 = x < ink_x0 ? x : ink_x0;
                ink_x1 = x > ink_x1 ? x : ink_x1;
            }
    assert_true(abs((ink_x0 + ink_x1) / 2 - 500) <= LB_PREVIEW_ADVANCE);
#undef PX
    free(px);
    GDALDestroyColorTable(pal);

    /* a second run writes the same bytes */
    assert_int_equal(lb_preview_png(fx->ctx, again, &g, cls, &ct, 0, &areas), LB_OK);
    char ha[65], hb[65];
    assert_int_equal(lb_sha256_file(fx->ctx, path, ha), LB_OK);
    assert_int_equal(lb_sha256_file(fx->ctx, again, hb), LB_OK);
    assert_string_equal(ha, hb);
}

/* The areas of a table, as score (its units) and change (its change table) draw them: the
 * rows of one year, grouped by WK_CODE and named by WK_NAAM; without WK_CODE every row is an
 * area named by its name field; without geometry there are none. */
static void test_preview_areas_from_table(void **state)
{
    fixture *fx = *state;
    lb_table *t = NULL;
    lb_column *year = NULL, *wk = NULL, *wn = NULL, *id = NULL;
    assert_int_equal(lb_table_create(fx->ctx, 3, &t), LB_OK);
    lb_preview_areas a;
    assert_int_equal(lb_preview_areas_from_table(fx->ctx, t, 0, "BU_CODE", &a), LB_OK);
    assert_int_equal(a.n, 0); /* no geometry */
    assert_int_equal(lb_table_add(fx->ctx, t, "BU_CODE", LB_COL_TEXT, &id), LB_OK);
    assert_int_equal(lb_table_add(fx->ctx, t, "year", LB_COL_INT, &year), LB_OK);
    const int years[3] = {2020, 2022, 2022};
    const char *ids[3] = {"BU1", "BU2", "BU3"};
    for (size_t i = 0; i < 3; i++) {
        unsigned char *w = malloc(128);
        assert_non_null(w);
        size_t n =
            rect_wkb(w, 155000 + 100.0 * (double)i, 463000, 155100 + 100.0 * (double)i, 463100);
        assert_int_equal(lb_table_set_geometry(fx->ctx, t, i, w, n), LB_OK);
        year->integer[i] = years[i];
        id->text[i] = lb_core_strdup(ids[i]);
    }
    /* no wijk code and no name field: each row its own area, named by the id */
    assert_int_equal(lb_preview_areas_from_table(fx->ctx, t, 2022, "BU_CODE", &a), LB_OK);
    assert_int_equal(a.n, 2);
    assert_null(a.key);
    assert_non_null(a.name);
    assert_string_equal(a.name[0], "BU2");
    assert_string_equal(a.name[1], "BU3");
    assert_ptr_equal(a.wkb[0], t->wkb[1]);
    lb_preview_areas_free(&a);
    assert_null(a.wkb);
    /* with wijk codes and names: grouped by the code, named by the wijk's name; year 0 = all */
    assert_int_equal(lb_table_add(fx->ctx, t, "WK_CODE", LB_COL_TEXT, &wk), LB_OK);
    assert_int_equal(lb_table_add(fx->ctx, t, "WK_NAAM", LB_COL_TEXT, &wn), LB_OK);
    for (size_t i = 0; i < 3; i++) {
        wk->text[i] = lb_core_strdup(i ? "WK02" : "WK01");
        wn->text[i] = lb_core_strdup(i ? "Oost" : "West");
    }
    assert_int_equal(lb_preview_areas_from_table(fx->ctx, t, 0, "BU_CODE", &a), LB_OK);
    assert_int_equal(a.n, 3);
    assert_string_equal(a.key[0], "WK01");
    assert_string_equal(a.key[2], "WK02");
    assert_string_equal(a.name[2], "Oost");
    assert_int_equal(a.wkb_size[2], t->wkb_size[2]);
    lb_preview_areas_free(&a);
    lb_preview_areas_free(NULL);
    lb_table_destroy(t);
}

#define PREVIEW_TEST(f) cmocka_unit_test_setup_teardown(f, setup, lb_test_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        PREVIEW_TEST(test_preview_map_and_legend),   PREVIEW_TEST(test_preview_sizes),
        PREVIEW_TEST(test_preview_errors),           PREVIEW_TEST(test_preview_glyphs),
        PREVIEW_TEST(test_preview_accented_labels),  PREVIEW_TEST(test_preview_utf8),
        PREVIEW_TEST(test_preview_scale_bar),        PREVIEW_TEST(test_preview_areas),
        PREVIEW_TEST(test_preview_areas_from_table),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return failed;
}
