/* SPDX-License-Identifier: MIT */
/* PNG previews: the class grid enlarged into a paletted canvas, a legend drawn beside it with a
 * built-in 5 × 7 bitmap font, written through a MEM dataset and GDAL's PNG driver. */
#include "preview.h"

#include "../core/ctx.h"
#include "gdal_env.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Printable ASCII 32..126, 7 rows of 5 pixels each ('#' ink, '.' paper) down to the baseline;
 * g j p q y continue below it in descenders[]. */
static const char *const font[95][7] = {
    /*   */ {".....", ".....", ".....", ".....", ".....", ".....", "....."},
    /* ! */ {"..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."},
    /* " */ {".#.#.", ".#.#.", ".....", ".....", ".....", ".....", "....."},
    /* # */ {".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."},
    /* $ */ {"..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."},
    /* % */ {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"},
    /* & */ {".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"},
    /* ' */ {"..#..", "..#..", ".....", ".....", ".....", ".....", "....."},
    /* ( */ {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."},
    /* ) */ {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."},
    /* * */ {".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."},
    /* + */ {".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."},
    /* , */ {".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."},
    /* - */ {".....", ".....", ".....", "#####", ".....", ".....", "....."},
    /* . */ {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."},
    /* / */ {".....", "....#", "...#.", "..#..", ".#...", "#....", "....."},
    /* 0 */ {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."},
    /* 1 */ {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."},
    /* 2 */ {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"},
    /* 3 */ {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."},
    /* 4 */ {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."},
    /* 5 */ {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."},
    /* 6 */ {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."},
    /* 7 */ {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."},
    /* 8 */ {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."},
    /* 9 */ {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."},
    /* : */ {".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."},
    /* ; */ {".....", ".##..", ".##..", ".....", ".##..", "..#..", ".#..."},
    /* < */ {"...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."},
    /* = */ {".....", ".....", "#####", ".....", "#####", ".....", "....."},
    /* > */ {".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."},
    /* ? */ {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."},
    /* @ */ {".###.", "#...#", "....#", ".##.#", "#.#.#", "#.#.#", ".###."},
    /* A */ {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
    /* B */ {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."},
    /* C */ {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."},
    /* D */ {"###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."},
    /* E */ {"#####", "#....", "#....", "####.", "#....", "#....", "#####"},
    /* F */ {"#####", "#....", "#....", "####.", "#....", "#....", "#...."},
    /* G */ {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"},
    /* H */ {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"},
    /* I */ {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."},
    /* J */ {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."},
    /* K */ {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"},
    /* L */ {"#....", "#....", "#....", "#....", "#....", "#....", "#####"},
    /* M */ {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"},
    /* N */ {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"},
    /* O */ {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
    /* P */ {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."},
    /* Q */ {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"},
    /* R */ {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"},
    /* S */ {".####", "#....", "#....", ".###.", "....#", "....#", "####."},
    /* T */ {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
    /* U */ {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."},
    /* V */ {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."},
    /* W */ {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."},
    /* X */ {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"},
    /* Y */ {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."},
    /* Z */ {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"},
    /* [ */ {".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###."},
    /* \ */ {".....", "#....", ".#...", "..#..", "...#.", "....#", "....."},
    /* ] */ {".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###."},
    /* ^ */ {"..#..", ".#.#.", "#...#", ".....", ".....", ".....", "....."},
    /* _ */ {".....", ".....", ".....", ".....", ".....", ".....", "#####"},
    /* ` */ {".#...", "..#..", ".....", ".....", ".....", ".....", "....."},
    /* a */ {".....", ".....", ".###.", "....#", ".####", "#...#", ".####"},
    /* b */ {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."},
    /* c */ {".....", ".....", ".###.", "#....", "#....", "#...#", ".###."},
    /* d */ {"....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"},
    /* e */ {".....", ".....", ".###.", "#...#", "#####", "#....", ".###."},
    /* f */ {"..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."},
    /* g */ {".....", ".....", ".####", "#...#", "#...#", "#...#", ".####"},
    /* h */ {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"},
    /* i */ {"..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."},
    /* j */ {"...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#."},
    /* k */ {"#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."},
    /* l */ {".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."},
    /* m */ {".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#"},
    /* n */ {".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"},
    /* o */ {".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."},
    /* p */ {".....", ".....", "####.", "#...#", "#...#", "#...#", "####."},
    /* q */ {".....", ".....", ".####", "#...#", "#...#", "#...#", ".####"},
    /* r */ {".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."},
    /* s */ {".....", ".....", ".###.", "#....", ".###.", "....#", "####."},
    /* t */ {".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."},
    /* u */ {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"},
    /* v */ {".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."},
    /* w */ {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."},
    /* x */ {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"},
    /* y */ {".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####"},
    /* z */ {".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"},
    /* { */ {"...#.", "..#..", "..#..", ".#...", "..#..", "..#..", "...#."},
    /* | */ {"..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."},
    /* } */ {".#...", "..#..", "..#..", "...#.", "..#..", "..#..", ".#..."},
    /* ~ */ {".....", ".....", ".#...", "#.#.#", "...#.", ".....", "....."},
};

/* Letters with a descender use two more rows below the baseline (rows 7 and 8). */
typedef struct descender_glyph {
    char c;
    const char *rows[9];
} descender_glyph;

static const descender_glyph descenders[] = {
    {'g', {".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###."}},
    {'j', {"...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'p', {".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."}},
    {'q', {".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"}},
    {'y', {".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."}},
};

unsigned lb_preview_glyph_row(unsigned char c, int row)
{
    if (c < 32 || c > 126)
        c = '?';
    if (row < 0 || row >= LB_PREVIEW_GLYPH_ROWS)
        return 0;
    const char *r = row < 7 ? font[c - 32][row] : ".....";
    for (size_t i = 0; i < sizeof(descenders) / sizeof(descenders[0]); i++)
        if (descenders[i].c == (char)c)
            r = descenders[i].rows[row];
    unsigned bits = 0;
    for (int i = 0; i < 5; i++)
        bits = bits << 1 | (r[i] == '#');
    return bits;
}

/* Latin-1 letters U+00C0..U+00FF without their accents ("ë" is drawn as "e"); '?' for the
 * few that have no ASCII base letter. */
static const char latin1_base[] = "AAAAAAACEEEEIIIIDNOOOOO?OUUUUY?s"
                                  "aaaaaaaceeeeiiiidnooooo?ouuuuy?y";

/* The next character of UTF-8 text @p *s as a printable byte; advances *s. */
static unsigned char next_char(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned cp;
    int extra;
    if (p[0] < 0x80) {
        *s = p + 1;
        return p[0] >= 32 ? p[0] : '?';
    }
    if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1Fu;
        extra = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0Fu;
        extra = 2;
    } else if ((p[0] & 0xF8) == 0xF0) {
        cp = p[0] & 0x07u;
        extra = 3;
    } else {
        *s = p + 1; /* a stray continuation byte */
        return '?';
    }
    int i = 1;
    for (; i <= extra && (p[i] & 0xC0) == 0x80; i++)
        cp = cp << 6 | (p[i] & 0x3Fu);
    *s = p + i;
    if (i <= extra)
        return '?'; /* truncated sequence */
    if (cp >= 0xC0 && cp <= 0xFF)
        return (unsigned char)latin1_base[cp - 0xC0];
    if (cp == 0x2013 || cp == 0x2014) /* en and em dash, as in "2020–2022" */
        return '-';
    if (cp == 0x2018 || cp == 0x2019)
        return '\'';
    if (cp == 0x201C || cp == 0x201D)
        return '"';
    return '?';
}

static size_t text_chars(const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; n++)
        next_char(&p);
    return n;
}

typedef struct canvas {
    int w, h;
    unsigned char *px; /* palette indices, row-major */
} canvas;

static void fill_rect(canvas *c, int x, int y, int w, int h, unsigned char v)
{
    for (int j = y; j < y + h && j < c->h; j++)
        for (int i = x; i < x + w && i < c->w; i++)
            if (i >= 0 && j >= 0)
                c->px[(size_t)j * (size_t)c->w + (size_t)i] = v;
}

/* Draw @p text with its top-left corner at (x, y). */
static void draw_text(canvas *c, int x, int y, const char *text, unsigned char ink)
{
    const unsigned char *p = (const unsigned char *)text;
    for (int k = 0; *p; k++) {
        unsigned char ch = next_char(&p);
        for (int row = 0; row < LB_PREVIEW_GLYPH_ROWS; row++) {
            unsigned bits = lb_preview_glyph_row(ch, row);
            for (int col = 0; col < 5; col++)
                if (bits & (1u << (4 - col)))
                    fill_rect(c, x + k * LB_PREVIEW_ADVANCE + col * LB_PREVIEW_FONT,
                              y + row * LB_PREVIEW_FONT, LB_PREVIEW_FONT, LB_PREVIEW_FONT, ink);
        }
    }
}

static const char *legend_label(const lb_class_table *ct, size_t k, char *buf, size_t size)
{
    if (ct->labels && ct->labels[k])
        return ct->labels[k];
    snprintf(buf, size, "%zu", k + 1);
    return buf;
}

/* Legend panel size for @p ct. */
static void legend_size(const lb_class_table *ct, int *w, int *h)
{
    size_t cols = ct->title ? text_chars(ct->title) : 0;
    for (size_t k = 0; k < ct->n; k++) {
        char num[32];
        size_t n = text_chars(legend_label(ct, k, num, sizeof(num)));
        /* labels sit after the box and a gap of one box width */
        size_t need = (size_t)(LB_PREVIEW_BOX + LB_PREVIEW_BOX / 2) / LB_PREVIEW_ADVANCE + 1 + n;
        if (need > cols)
            cols = need;
    }
    if (cols > 200)
        cols = 200; /* labels longer than that are cut */
    *w = 2 * LB_PREVIEW_PAD + (int)cols * LB_PREVIEW_ADVANCE;
    *h = 2 * LB_PREVIEW_PAD + (ct->title ? LB_PREVIEW_ROW : 0) + (int)ct->n * LB_PREVIEW_ROW;
}

static void draw_legend(canvas *c, int x0, const lb_class_table *ct, int w, int h)
{
    unsigned char white = (unsigned char)(ct->n + LB_PREVIEW_WHITE);
    unsigned char ink = (unsigned char)(ct->n + LB_PREVIEW_INK);
    unsigned char frame = (unsigned char)(ct->n + LB_PREVIEW_FRAME);
    fill_rect(c, x0, 0, w, h, white);
    int y = LB_PREVIEW_PAD;
    /* the 7 rows above the baseline are centred on the box; descenders hang below */
    int text_dy = (LB_PREVIEW_BOX - 7 * LB_PREVIEW_FONT) / 2;
    if (ct->title) {
        draw_text(c, x0 + LB_PREVIEW_PAD, y + text_dy, ct->title, ink);
        y += LB_PREVIEW_ROW;
    }
    for (size_t k = 0; k < ct->n; k++, y += LB_PREVIEW_ROW) {
        int bx = x0 + LB_PREVIEW_PAD;
        fill_rect(c, bx, y, LB_PREVIEW_BOX, LB_PREVIEW_BOX, frame);
        fill_rect(c, bx + 1, y + 1, LB_PREVIEW_BOX - 2, LB_PREVIEW_BOX - 2, (unsigned char)(k + 1));
        char num[32];
        draw_text(c, bx + LB_PREVIEW_BOX + LB_PREVIEW_BOX / 2, y + text_dy,
                  legend_label(ct, k, num, sizeof(num)), ink);
    }
}

/* Palette: 0 transparent, the classes, white, ink, frame. */
static GDALColorTableH palette(const lb_class_table *ct)
{
    GDALColorTableH pal = GDALCreateColorTable(GPI_RGB);
    GDALColorEntry none = {0, 0, 0, 0};
    GDALSetColorEntry(pal, 0, &none);
    for (size_t k = 0; k < ct->n; k++) {
        unsigned char rgb[3];
        lb_io_colour_parse(ct->colours[k], rgb);
        GDALColorEntry e = {rgb[0], rgb[1], rgb[2], 255};
        GDALSetColorEntry(pal, (int)k + 1, &e);
    }
    GDALColorEntry white = {255, 255, 255, 255}, ink = {20, 20, 20, 255};
    GDALColorEntry frame = {90, 90, 90, 255};
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_WHITE, &white);
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_INK, &ink);
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_FRAME, &frame);
    return pal;
}

static lb_status write_png(lb_ctx *ctx, const char *path, const canvas *c, const lb_class_table *ct)
{
    lb_io_gdal_init();
    GDALDriverH mem = GDALGetDriverByName("MEM"), png = GDALGetDriverByName("PNG");
    if (!mem || !png)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': GDAL lacks the MEM or PNG driver", path);
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    lb_status st = LB_OK;
    GDALDatasetH src = GDALCreate(mem, "", c->w, c->h, 0, GDT_Byte, NULL);
    char ptr[64] = {0}, opt[96];
    int n = CPLPrintPointer(ptr, c->px, (int)sizeof(ptr) - 1);
    ptr[n] = '\0';
    snprintf(opt, sizeof(opt), "DATAPOINTER=%s", ptr);
    char *band_opts[] = {opt, NULL};
    if (!src || GDALAddBand(src, GDT_Byte, band_opts) != CE_None) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': cannot set up a %d x %d image: %s", path,
                          c->w, c->h, cap.msg);
    } else {
        GDALColorTableH pal = palette(ct);
        GDALSetRasterColorTable(GDALGetRasterBand(src, 1), pal);
        GDALDestroyColorTable(pal);
        CPLErrorReset();
        GDALDatasetH out = GDALCreateCopy(png, path, src, FALSE, NULL, NULL, NULL);
        if (out) {
            GDALClose(out);
        }
        if (!out || cap.n_errors > 0 || CPLGetLastErrorType() >= CE_Failure) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': PNG creation failed: %s", path,
                              cap.msg[0] ? cap.msg : "no message from GDAL");
            VSIUnlink(path);
        }
    }
    if (src)
        GDALClose(src);
    lb_io_cpl_end(&cap);
    return st;
}

lb_status lb_preview_png(lb_ctx *ctx, const char *path, const lb_grid *g,
                         const unsigned char *classes, const lb_class_table *ct, int legend)
{
    lb_status st = lb_io_class_grid_check(ctx, "preview", path, g, classes, ct);
    if (st != LB_OK)
        return st;
    int longest = g->nx > g->ny ? g->nx : g->ny;
    int s = LB_PREVIEW_MAX_PX / longest > 1 ? LB_PREVIEW_MAX_PX / longest : 1;
    int map_w = g->nx * s, map_h = g->ny * s, leg_w = 0, leg_h = 0;
    if (legend)
        legend_size(ct, &leg_w, &leg_h);
    canvas c = {map_w + leg_w, map_h > leg_h ? map_h : leg_h, NULL};
    c.px = calloc((size_t)c.w * (size_t)c.h, 1); /* 0: transparent */
    if (!c.px)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "preview '%s': out of memory for %d x %d pixels",
                            path, c.w, c.h);
    for (int y = 0; y < map_h; y++) {
        const unsigned char *row = classes + (size_t)(y / s) * (size_t)g->nx;
        unsigned char *out = c.px + (size_t)y * (size_t)c.w;
        for (int x = 0; x < map_w; x++)
            out[x] = row[x / s];
    }
    if (legend)
        draw_legend(&c, map_w, ct, leg_w, leg_h);
    st = write_png(ctx, path, &c, ct);
    free(c.px);
    return st;
}
