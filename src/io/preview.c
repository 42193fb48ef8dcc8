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
#include <ogr_api.h>

#include <math.h>

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

/* The ĳ digraph (U+0133, U+0132: Dutch "IJsselmonde", "Bĳlmer") as one glyph each. */
static const char *const ij_lower[9] = {"#..#.", ".....", "#..#.", "#..#.", "#..#.",
                                        "#..#.", "#..#.", "...#.", "..#.."};
static const char *const ij_upper[9] = {"#.###", "#..#.", "#..#.", "#..#.", "#..#.",
                                        "#..#.", "#.##.", ".....", "....."};
/* What an unknown code point or invalid UTF-8 is drawn as: a hollow box, like U+FFFD in many
 * fonts, so that it shows and is never mistaken for a letter. */
static const char *const placeholder[9] = {"#####", "#...#", "#...#", "#...#", "#...#",
                                           "#...#", "#####", ".....", "....."};

/* Latin-1 letters U+00C0..U+00FF as base letter and accent ('`' grave, '\'' acute, '^'
 * circumflex, '~' tilde, ':' diaeresis, 'o' ring, ',' cedilla); base 0: the placeholder
 * (Æ Ð × Ø Þ ß æ ð ÷ ø þ, none of which Dutch place names use). */
static const char latin1[64][2] = {
    {'A', '`'}, {'A', '\''}, {'A', '^'},  {'A', '~'},  {'A', ':'}, {'A', 'o'},  {0, 0},
    {'C', ','}, {'E', '`'},  {'E', '\''}, {'E', '^'},  {'E', ':'}, {'I', '`'},  {'I', '\''},
    {'I', '^'}, {'I', ':'},  {0, 0},      {'N', '~'},  {'O', '`'}, {'O', '\''}, {'O', '^'},
    {'O', '~'}, {'O', ':'},  {0, 0},      {0, 0},      {'U', '`'}, {'U', '\''}, {'U', '^'},
    {'U', ':'}, {'Y', '\''}, {0, 0},      {0, 0},      {'a', '`'}, {'a', '\''}, {'a', '^'},
    {'a', '~'}, {'a', ':'},  {'a', 'o'},  {0, 0},      {'c', ','}, {'e', '`'},  {'e', '\''},
    {'e', '^'}, {'e', ':'},  {'i', '`'},  {'i', '\''}, {'i', '^'}, {'i', ':'},  {0, 0},
    {'n', '~'}, {'o', '`'},  {'o', '\''}, {'o', '^'},  {'o', '~'}, {'o', ':'},  {0, 0},
    {0, 0},     {'u', '`'},  {'u', '\''}, {'u', '^'},  {'u', ':'}, {'y', '\''}, {0, 0},
    {'y', ':'},
};

/* Accent rows: the upper one (NULL for one-row accents) and the lower one. */
static void accent_rows(char accent, const char **upper, const char **lower)
{
    *upper = NULL;
    switch (accent) {
    case '`':
        *lower = ".#...";
        break;
    case '\'':
        *lower = "...#.";
        break;
    case '^':
        *upper = "..#..";
        *lower = ".#.#.";
        break;
    case '~':
        *lower = ".#.##";
        break;
    case ':':
        *lower = ".#.#.";
        break;
    case 'o':
        *lower = "..#..";
        break;
    default:
        *lower = ".....";
        break;
    }
}

static unsigned row_bits(const char *r)
{
    unsigned bits = 0;
    for (int i = 0; i < 5; i++)
        bits = bits << 1 | (r[i] == '#');
    return bits;
}

/* Row @p row (0..8) of printable ASCII @p c. */
static unsigned ascii_row(unsigned c, int row)
{
    if (row < 0)
        return 0;
    const char *r = row < 7 ? font[c - 32][row] : ".....";
    for (size_t i = 0; i < sizeof(descenders) / sizeof(descenders[0]); i++)
        if ((unsigned char)descenders[i].c == c)
            r = descenders[i].rows[row];
    return row_bits(r);
}

/* A Latin-1 letter: its base letter, the accent above it (rows -2, -1 over a capital, rows 0
 * and 1 over a lower-case letter, where only i has ink: its dot, which the accent replaces),
 * a cedilla in the descender rows. */
static unsigned accented_row(char base, char accent, int row)
{
    int lower = base >= 'a' && base <= 'z';
    int top = lower ? 0 : -2; /* first row of the accent */
    if (accent == ',') {
        if (row == 7)
            return row_bits("..#..");
        if (row == 8)
            return row_bits(".##..");
        return ascii_row((unsigned char)base, row);
    }
    const char *up, *low;
    accent_rows(accent, &up, &low);
    if (row == top) /* a one-row accent sits on the upper row, a gap below it */
        return row_bits(up ? up : low);
    if (row == top + 1)
        return row_bits(up ? low : ".....");
    return ascii_row((unsigned char)base, row);
}

unsigned lb_preview_glyph_row(uint32_t cp, int row)
{
    if (row < LB_PREVIEW_GLYPH_TOP || row >= LB_PREVIEW_GLYPH_ROWS)
        return 0;
    if (cp >= 32 && cp <= 126)
        return ascii_row(cp, row);
    if (cp == 0x2013 || cp == 0x2014) /* en and em dash, as in "2020–2022" */
        return ascii_row('-', row);
    if (cp == 0x2018 || cp == 0x2019)
        return ascii_row('\'', row);
    if (cp == 0x201C || cp == 0x201D)
        return ascii_row('"', row);
    if (cp == 0xA0)
        return 0; /* no-break space */
    if (cp == 0x132 || cp == 0x133)
        return row < 0 ? 0 : row_bits((cp == 0x133 ? ij_lower : ij_upper)[row]);
    if (cp >= 0xC0 && cp <= 0xFF && latin1[cp - 0xC0][0])
        return accented_row(latin1[cp - 0xC0][0], latin1[cp - 0xC0][1], row);
    return row < 0 ? 0 : row_bits(placeholder[row]);
}

uint32_t lb_preview_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t cp, min;
    int extra;
    if (p[0] < 0x80) {
        *s = (const char *)(p + 1);
        return p[0] >= 32 && p[0] != 127 ? p[0] : LB_PREVIEW_REPLACEMENT;
    }
    if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1Fu;
        extra = 1;
        min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0Fu;
        extra = 2;
        min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        cp = p[0] & 0x07u;
        extra = 3;
        min = 0x10000;
    } else {
        *s = (const char *)(p + 1); /* a stray continuation byte or 0xF8..0xFF */
        return LB_PREVIEW_REPLACEMENT;
    }
    int i = 1;
    for (; i <= extra && (p[i] & 0xC0) == 0x80; i++)
        cp = cp << 6 | (p[i] & 0x3Fu);
    *s = (const char *)(p + i); /* a truncated sequence ends before the byte that broke it */
    if (i <= extra || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return LB_PREVIEW_REPLACEMENT; /* truncated, overlong, beyond Unicode, a surrogate */
    return cp;
}

static size_t text_chars(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; n++)
        lb_preview_utf8_next(&p);
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
    const char *p = text;
    for (int k = 0; *p; k++) {
        uint32_t ch = lb_preview_utf8_next(&p);
        for (int row = LB_PREVIEW_GLYPH_TOP; row < LB_PREVIEW_GLYPH_ROWS; row++) {
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

/* The scale bar: the longest of 1, 2, 2.5 and 5 × 10^k m that fits in @p max_px at
 * @p px_per_m, its length in pixels (rounded) and its label ("500 m", "2,5 km"). */
static void scale_bar(double px_per_m, int max_px, int *len_px, char *label, size_t size)
{
    static const double steps[] = {1.0, 2.0, 2.5, 5.0};
    double best = 1.0;
    for (double p10 = 1.0; p10 <= 1e6; p10 *= 10.0)
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
            if (steps[i] * p10 * px_per_m <= max_px)
                best = steps[i] * p10;
    *len_px = (int)lround(best * px_per_m);
    if (best < 1000.0)
        snprintf(label, size, "%.0f m", best);
    else if (fmod(best, 1000.0) == 0.0)
        snprintf(label, size, "%.0f km", best / 1000.0);
    else
        snprintf(label, size, "%.0f,%.0f km", floor(best / 1000.0), fmod(best, 1000.0) / 100.0);
}

/* Legend panel size for @p ct, the scale bar below its rows included. */
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
    if ((int)cols * LB_PREVIEW_ADVANCE < LB_PREVIEW_SCALE_PX)
        cols = (size_t)(LB_PREVIEW_SCALE_PX / LB_PREVIEW_ADVANCE);
    *w = 2 * LB_PREVIEW_PAD + (int)cols * LB_PREVIEW_ADVANCE;
    *h = 2 * LB_PREVIEW_PAD + (ct->title ? LB_PREVIEW_ROW : 0) + (int)ct->n * LB_PREVIEW_ROW +
         2 * LB_PREVIEW_ROW;
}

static void draw_legend(canvas *c, int x0, const lb_class_table *ct, int w, int h, double px_per_m)
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
    int len_px;
    char label[32];
    scale_bar(px_per_m, w - 2 * LB_PREVIEW_PAD, &len_px, label, sizeof(label));
    y += LB_PREVIEW_ROW / 2;
    fill_rect(c, x0 + LB_PREVIEW_PAD, y, len_px, LB_PREVIEW_BAR_H, ink);
    draw_text(c, x0 + LB_PREVIEW_PAD, y + LB_PREVIEW_BAR_H + 3 * LB_PREVIEW_FONT, label, ink);
}

/* ---- areas: their outlines and names over the map --------------------------------------- */

typedef struct edge {
    double x1, y1, x2, y2; /* pixel coordinates, y down */
} edge;

typedef struct edges {
    edge *e;
    size_t n, cap;
} edges;

static int edges_add(edges *es, double x1, double y1, double x2, double y2)
{
    if (es->n == es->cap) {
        size_t cap = es->cap ? 2 * es->cap : 256;
        edge *e = realloc(es->e, cap * sizeof(*e));
        if (!e)
            return 0;
        es->e = e;
        es->cap = cap;
    }
    es->e[es->n++] = (edge){x1, y1, x2, y2};
    return 1;
}

/* The rings of polygon or multipolygon @p g as pixel edges (other geometry types add none). */
static int collect_edges(OGRGeometryH g, const lb_grid *grid, int s, edges *es)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon || t == wkbPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            if (!collect_edges(OGR_G_GetGeometryRef(g, i), grid, s, es))
                return 0;
        return 1;
    }
    if (t != wkbLinearRing && t != wkbLineString)
        return 1;
    double k = s / grid->cell_m, top = grid->y0 + grid->ny * grid->cell_m;
    int n = OGR_G_GetPointCount(g);
    for (int i = 0; i + 1 < n; i++)
        if (!edges_add(es, (OGR_G_GetX(g, i) - grid->x0) * k, (top - OGR_G_GetY(g, i)) * k,
                       (OGR_G_GetX(g, i + 1) - grid->x0) * k, (top - OGR_G_GetY(g, i + 1)) * k))
            return 0;
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Set id[] = @p v on the pixels whose centres are inside the edges (even-odd rule, so holes
 * stay out). @p xs has room for es->n crossings. */
static void fill_edges(const edges *es, uint32_t *id, int w, int h, uint32_t v, double *xs)
{
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < es->n; i++) {
        ymin = fmin(ymin, fmin(es->e[i].y1, es->e[i].y2));
        ymax = fmax(ymax, fmax(es->e[i].y1, es->e[i].y2));
    }
    int j0 = ymin > 0 ? (int)floor(ymin) : 0, j1 = ymax < h ? (int)ceil(ymax) : h;
    for (int j = j0; j < j1; j++) {
        double yc = j + 0.5;
        size_t n = 0;
        for (size_t i = 0; i < es->n; i++) {
            const edge *e = &es->e[i];
            if ((e->y1 <= yc) != (e->y2 <= yc))
                xs[n++] = e->x1 + (yc - e->y1) * (e->x2 - e->x1) / (e->y2 - e->y1);
        }
        qsort(xs, n, sizeof(double), cmp_double);
        for (size_t k = 0; k + 1 < n; k += 2) {
            /* pixels i with centre i + 0.5 in [xs[k], xs[k+1]) */
            double a = ceil(xs[k] - 0.5), b = ceil(xs[k + 1] - 0.5);
            int i0 = a > 0 ? (int)a : 0, i1 = b < w ? (int)b : w;
            for (int i = i0; i < i1; i++)
                id[(size_t)j * (size_t)w + (size_t)i] = v;
        }
    }
}

typedef struct key_ix {
    const char *key;
    size_t i;
} key_ix;

static int cmp_key(const void *a, const void *b)
{
    const key_ix *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Area number (1-based, in key order) of each feature in @p grp, the number of areas in
 * *n_areas and each area's first feature in @p first (n entries, room enough). */
static int group_features(const lb_preview_areas *a, uint32_t *grp, size_t *first, size_t *n_areas)
{
    key_ix *k = malloc((a->n ? a->n : 1) * sizeof(*k));
    if (!k)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        k[i] = (key_ix){a->key && a->key[i] ? a->key[i] : "", i};
    if (a->key)
        qsort(k, a->n, sizeof(*k), cmp_key);
    size_t g = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (i == 0 || !a->key || strcmp(k[i].key, k[i - 1].key) != 0)
            first[g++] = k[i].i;
        grp[k[i].i] = (uint32_t)g;
    }
    *n_areas = g;
    free(k);
    return 1;
}

/* City-block distance of each pixel to the nearest pixel of another area (or the edge). */
static void distance(const uint32_t *id, int w, int h, uint32_t *d)
{
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            size_t p = (size_t)j * (size_t)w + (size_t)i;
            if (i == 0 || j == 0 || i == w - 1 || j == h - 1 || id[p] != id[p - 1] ||
                id[p] != id[p + 1] || id[p] != id[p - (size_t)w] || id[p] != id[p + (size_t)w])
                d[p] = 0;
            else
                d[p] = 1 + (d[p - 1] < d[p - (size_t)w] ? d[p - 1] : d[p - (size_t)w]);
        }
    for (int j = h - 2; j > 0; j--)
        for (int i = w - 2; i > 0; i--) {
            size_t p = (size_t)j * (size_t)w + (size_t)i;
            uint32_t r = d[p + 1] + 1, b = d[p + (size_t)w] + 1;
            if (r < d[p])
                d[p] = r;
            if (b < d[p])
                d[p] = b;
        }
}

typedef struct label {
    uint32_t area;
    uint32_t depth; /* distance of its point to the outline */
    int x, y;       /* its point */
} label;

static int cmp_label(const void *a, const void *b)
{
    const label *x = a, *y = b;
    if (x->depth != y->depth)
        return x->depth < y->depth ? 1 : -1;
    return (x->area > y->area) - (x->area < y->area);
}

static void draw_halo_text(canvas *c, int x, int y, const char *text, unsigned char ink,
                           unsigned char halo)
{
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            if (dx || dy)
                draw_text(c, x + dx, y + dy, text, halo);
    draw_text(c, x, y, text, ink);
}

/* The areas' names at their labels' points, deepest first; a name that would overlap one
 * already drawn (or leave the map) is skipped. */
static int draw_names(canvas *c, int map_w, int map_h, const uint32_t *id, size_t n_areas,
                      const char *const *names, unsigned char ink, unsigned char halo)
{
    size_t np = (size_t)map_w * (size_t)map_h;
    uint32_t *d = malloc(np * sizeof(*d));
    label *lab = calloc(n_areas ? n_areas : 1, sizeof(*lab));
    int *box = malloc((n_areas ? n_areas : 1) * 4 * sizeof(int));
    if (!d || !lab || !box) {
        free(box);
        free(lab);
        free(d);
        return 0;
    }
    distance(id, map_w, map_h, d);
    for (size_t a = 0; a < n_areas; a++)
        lab[a].area = (uint32_t)a + 1;
    for (size_t p = 0; p < np; p++) /* strictly deeper: the first pixel in raster order wins */
        if (id[p] && (d[p] > lab[id[p] - 1].depth))
            lab[id[p] - 1] =
                (label){id[p], d[p], (int)(p % (size_t)map_w), (int)(p / (size_t)map_w)};
    qsort(lab, n_areas, sizeof(*lab), cmp_label);
    size_t n_box = 0;
    int th = (LB_PREVIEW_GLYPH_ROWS - LB_PREVIEW_GLYPH_TOP) * LB_PREVIEW_FONT;
    for (size_t k = 0; k < n_areas; k++) {
        const char *name = names[lab[k].area - 1];
        if (!lab[k].depth || !name || !*name)
            continue;
        int tw = (int)text_chars(name) * LB_PREVIEW_ADVANCE;
        int x = lab[k].x - tw / 2, y = lab[k].y - th / 2; /* y: top of the accent rows */
        int b[4] = {x - 2, y - 2, x + tw + 2, y + th + 2};
        int ok = b[0] >= 0 && b[1] >= 0 && b[2] <= map_w && b[3] <= map_h;
        for (size_t i = 0; ok && i < n_box; i++)
            ok = b[2] <= box[4 * i] || box[4 * i + 2] <= b[0] || b[3] <= box[4 * i + 1] ||
                 box[4 * i + 3] <= b[1];
        if (!ok)
            continue;
        memcpy(box + 4 * n_box++, b, sizeof(b));
        draw_halo_text(c, x, y - LB_PREVIEW_GLYPH_TOP * LB_PREVIEW_FONT, name, ink, halo);
    }
    free(box);
    free(lab);
    free(d);
    return 1;
}

/* Rasterise @p a in the map's pixels, draw the outlines between areas (2 px: one on each side)
 * and, with names, the names. */
static lb_status draw_areas(lb_ctx *ctx, const char *path, canvas *c, int map_w, int map_h,
                            const lb_grid *g, int s, const lb_preview_areas *a, size_t n_cls)
{
    lb_status st = LB_OK;
    size_t np = (size_t)map_w * (size_t)map_h, n_areas = 0;
    uint32_t *id = calloc(np ? np : 1, sizeof(*id));
    uint32_t *grp = malloc((a->n ? a->n : 1) * sizeof(*grp));
    size_t *first = malloc((a->n ? a->n : 1) * sizeof(*first));
    const char **names = calloc(a->n ? a->n : 1, sizeof(*names));
    edges es = {NULL, 0, 0};
    double *xs = NULL;
    if (!id || !grp || !first || !names || !group_features(a, grp, first, &n_areas)) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "preview '%s': out of memory for the areas", path);
        goto cleanup;
    }
    for (size_t f = 0; st == LB_OK && f < a->n; f++) {
        if (!a->wkb[f] || !a->wkb_size[f])
            continue;
        OGRGeometryH geom = NULL;
        if (OGR_G_CreateFromWkb(a->wkb[f], NULL, &geom, (int)a->wkb_size[f]) != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_GEOM, "preview '%s': feature %zu: unreadable WKB", path,
                              f);
            break;
        }
        es.n = 0;
        double *nx = NULL;
        if (!collect_edges(geom, g, s, &es) ||
            !(nx = realloc(xs, (es.n ? es.n : 1) * sizeof(double))))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "preview '%s': out of memory", path);
        else
            xs = nx;
        OGR_G_DestroyGeometry(geom);
        if (st == LB_OK)
            fill_edges(&es, id, map_w, map_h, grp[f], xs);
    }
    if (st != LB_OK)
        goto cleanup;
    unsigned char line = (unsigned char)(n_cls + LB_PREVIEW_LINE);
    for (int j = 0; j < map_h; j++)
        for (int i = 0; i < map_w; i++) {
            size_t p = (size_t)j * (size_t)map_w + (size_t)i;
            if (i + 1 < map_w && id[p] != id[p + 1]) {
                c->px[(size_t)j * (size_t)c->w + (size_t)i] = line;
                c->px[(size_t)j * (size_t)c->w + (size_t)i + 1] = line;
            }
            if (j + 1 < map_h && id[p] != id[p + (size_t)map_w]) {
                c->px[(size_t)j * (size_t)c->w + (size_t)i] = line;
                c->px[(size_t)(j + 1) * (size_t)c->w + (size_t)i] = line;
            }
        }
    if (a->name) {
        for (size_t k = 0; k < n_areas; k++)
            names[k] = a->name[first[k]];
        if (!draw_names(c, map_w, map_h, id, n_areas, names,
                        (unsigned char)(n_cls + LB_PREVIEW_INK),
                        (unsigned char)(n_cls + LB_PREVIEW_WHITE)))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "preview '%s': out of memory", path);
    }
cleanup:
    free(xs);
    free(es.e);
    free(names);
    free(first);
    free(grp);
    free(id);
    return st;
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
    GDALColorEntry frame = {90, 90, 90, 255}, line = {45, 45, 45, 255};
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_WHITE, &white);
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_INK, &ink);
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_FRAME, &frame);
    GDALSetColorEntry(pal, (int)ct->n + LB_PREVIEW_LINE, &line);
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
                         const unsigned char *classes, const lb_class_table *ct, int legend,
                         const lb_preview_areas *areas)
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
    if (areas && areas->n)
        st = draw_areas(ctx, path, &c, map_w, map_h, g, s, areas, ct->n);
    if (st == LB_OK && legend)
        draw_legend(&c, map_w, ct, leg_w, leg_h, s / g->cell_m);
    if (st == LB_OK)
        st = write_png(ctx, path, &c, ct);
    free(c.px);
    return st;
}

/* ---- areas from a table ------------------------------------------------------------------- */

lb_status lb_preview_areas_from_table(lb_ctx *ctx, const lb_table *t, int year,
                                      const char *id_field, lb_preview_areas *a)
{
    *a = (lb_preview_areas){0};
    if (!t || !t->wkb)
        return LB_OK;
    const lb_column *yc = lb_table_col(t, "year"), *key = lb_table_col(t, "WK_CODE");
    const lb_column *name = NULL;
    static const char *const wk_names[] = {"WK_NAAM", "wijknaam"};
    static const char *const unit_names[] = {"BU_NAAM",  "WK_NAAM", "GM_NAAM", "buurtnaam",
                                             "wijknaam", "naam",    "name"};
    const char *const *cand = key && key->type == LB_COL_TEXT ? wk_names : unit_names;
    size_t n_cand = cand == wk_names ? 2 : sizeof(unit_names) / sizeof(unit_names[0]);
    if (key && key->type != LB_COL_TEXT)
        key = NULL;
    for (size_t i = 0; !name && i < n_cand; i++) {
        name = lb_table_col(t, cand[i]);
        if (name && name->type != LB_COL_TEXT)
            name = NULL;
    }
    if (!name)
        name = key ? key : lb_table_col(t, id_field ? id_field : "");
    if (name && name->type != LB_COL_TEXT)
        name = NULL;
    size_t cap = t->n_rows ? t->n_rows : 1;
    const unsigned char **wkb = calloc(cap, sizeof(*wkb));
    size_t *size = calloc(cap, sizeof(*size));
    const char **keys = key ? calloc(cap, sizeof(*keys)) : NULL;
    const char **names = name ? calloc(cap, sizeof(*names)) : NULL;
    if (!wkb || !size || (key && !keys) || (name && !names)) {
        free(names);
        free(keys);
        free(size);
        free(wkb);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
        if (year && yc && yc->type == LB_COL_INT && yc->integer[i] != year)
            continue;
        wkb[n] = t->wkb[i];
        size[n] = t->wkb_size[i];
        if (keys)
            keys[n] = key->text[i] ? key->text[i] : "";
        if (names)
            names[n] = name->text[i];
        n++;
    }
    *a = (lb_preview_areas){n, wkb, size, keys, names};
    return LB_OK;
}

void lb_preview_areas_free(lb_preview_areas *a)
{
    if (!a)
        return;
    free((void *)a->name);
    free((void *)a->key);
    free((void *)a->wkb_size);
    free((void *)a->wkb);
    *a = (lb_preview_areas){0};
}
