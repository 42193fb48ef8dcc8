/* SPDX-License-Identifier: MIT */
/* PNG previews of class rasters, for a person to look at: cells enlarged by nearest neighbour,
 * the class colours, nodata transparent, and a legend of coloured boxes with their labels. */
#ifndef LB_IO_PREVIEW_H
#define LB_IO_PREVIEW_H

#include "write.h"

#include <stdint.h>

/* Layout, in pixels of the PNG. */
enum {
    LB_PREVIEW_MAX_PX = 1000, /* each cell becomes s × s pixels with s = max(1, 1000 / longest
                                 grid side): the map's long side is at most 1000 px (over 500) */
    LB_PREVIEW_PAD = 16,      /* margin around the legend panel's content */
    LB_PREVIEW_BOX = 20,      /* legend box side, a 1 px dark frame included */
    LB_PREVIEW_ROW = 28,      /* legend row pitch */
    LB_PREVIEW_FONT = 2,      /* the 5 × 7 font is drawn at this scale */
    LB_PREVIEW_ADVANCE = 6 * LB_PREVIEW_FONT, /* text advance per character */
    LB_PREVIEW_GLYPH_ROWS = 9,                /* 7 rows down to the baseline, 2 for descenders */
    LB_PREVIEW_GLYPH_TOP = -2,                /* 2 rows above the capitals for their accents */
    LB_PREVIEW_SCALE_PX = 160, /* the scale bar is at most this long, or the legend's width */
    LB_PREVIEW_BAR_H = 6,      /* scale bar height */
};

/* Palette of the PNG: 0 transparent (nodata), 1..n the classes, then these. */
enum { LB_PREVIEW_WHITE = 1, LB_PREVIEW_INK, LB_PREVIEW_FRAME, LB_PREVIEW_LINE }; /* after n */

/* Areas drawn over the map: polygons (e.g. the buurten), grouped by a key (e.g. their wijk
 * code) into areas whose outlines are drawn and whose names are placed inside them. Borrowed. */
typedef struct lb_preview_areas {
    size_t n;                        /* features */
    const unsigned char *const *wkb; /* n polygons or multipolygons, EPSG:28992, as WKB;
                                        NULL entries are skipped */
    const size_t *wkb_size;          /* their sizes in bytes */
    const char *const *key;          /* n area keys; NULL: each feature is an area */
    const char *const *name;         /* n names (UTF-8), the area's is its first feature's;
                                        NULL: no names */
} lb_preview_areas;

/* The polygons of table @p t (NULL allowed) as areas for a preview: only the rows whose "year"
 * equals @p year when @p year is not 0 and the table has that column; grouped by wijk
 * (WK_CODE, named by WK_NAAM or wijknaam when the table has it, else by the code) when the rows
 * carry a wijk code, else each row an area named by its name field (BU_NAAM, WK_NAAM, GM_NAAM,
 * buurtnaam, wijknaam, naam, name) or the @p id_field column. The arrays borrow the table's
 * geometry and text; free them with lb_preview_areas_free(). a->n = 0 when @p t has no
 * geometry. LB_OK or LB_ERR_NOMEM. */
lb_status lb_preview_areas_from_table(lb_ctx *ctx, const lb_table *t, int year,
                                      const char *id_field, lb_preview_areas *a);
void lb_preview_areas_free(lb_preview_areas *a);

/* Write @p path, a paletted PNG of @p classes (lb_grid_ncells(g) values 0..ct->n in grid order,
 * row 0 north, 0 = nodata) with the colours of @p ct. With @p legend, a white panel right of the
 * map holds the title (ct->title, when given) and one row per class: a box in its colour and
 * its label (UTF-8, drawn as lb_preview_glyph_row says), then a scale bar of a round length
 * (1, 2, 2.5 or 5 × 10^k m, as long as fits the panel) labelled "500 m", "1 km", "2,5 km".
 * With @p areas (NULL allowed) the areas are rasterised at pixel centres; a 2 px line is drawn
 * where two areas (or an area and the outside) meet, and each area's name at its point
 * farthest from its outline (city-block pixels), deepest area first, skipping a name that
 * would overlap one drawn or leave the map.
 * LB_OK, LB_ERR_ARG (bad table, class out of range), LB_ERR_IO (path in the message),
 * LB_ERR_GEOM (unreadable WKB), LB_ERR_NOMEM. */
lb_status lb_preview_png(lb_ctx *ctx, const char *path, const lb_grid *g,
                         const unsigned char *classes, const lb_class_table *ct, int legend,
                         const lb_preview_areas *areas);

/* What invalid UTF-8 decodes to (U+FFFD), drawn as a hollow box. */
#define LB_PREVIEW_REPLACEMENT 0xFFFDu

/* Row @p row (-2 and -1 above the capitals for their accents, 0 = top .. 6 = baseline, 7 and 8
 * below it for g j p q y and the cedilla) of the 5 × 7 glyph the preview draws for code point
 * @p cp, as 5 bits with bit 4 the leftmost pixel. Printable ASCII, the Latin-1 letters with
 * their accents (ë é è ê ï ü ö ó à ç ñ å ÿ ..., capitals too), ĳ and Ĳ, en/em dashes and
 * typographic quotes (as - ' "); any other code point is a hollow box, the placeholder. */
unsigned lb_preview_glyph_row(uint32_t cp, int row);

/* The next code point of the NUL-terminated UTF-8 text at *@p s; advances *s past it (at least
 * one byte). Invalid UTF-8 (a stray continuation byte, a truncated, overlong or surrogate
 * sequence) and control characters give LB_PREVIEW_REPLACEMENT. */
uint32_t lb_preview_utf8_next(const char **s);

#endif
