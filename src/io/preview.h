/* SPDX-License-Identifier: MIT */
/* PNG previews of class rasters, for a person to look at: cells enlarged by nearest neighbour,
 * the class colours, nodata transparent, and a legend of coloured boxes with their labels. */
#ifndef LB_IO_PREVIEW_H
#define LB_IO_PREVIEW_H

#include "write.h"

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
};

/* Palette of the PNG: 0 transparent (nodata), 1..n the classes, then these. */
enum { LB_PREVIEW_WHITE = 1, LB_PREVIEW_INK, LB_PREVIEW_FRAME }; /* offsets after n */

/* Write @p path, a paletted PNG of @p classes (lb_grid_ncells(g) values 0..ct->n in grid order,
 * row 0 north, 0 = nodata) with the colours of @p ct. With @p legend, a white panel right of the
 * map holds the title (ct->title, when given) and one row per class: a box in its colour and
 * its label (ASCII; accented Latin-1 letters drawn without accent, typographic dashes and quotes
 * as ASCII ones, other characters as '?').
 * LB_OK, LB_ERR_ARG (bad table, class out of range), LB_ERR_IO (path in the message),
 * LB_ERR_NOMEM. */
lb_status lb_preview_png(lb_ctx *ctx, const char *path, const lb_grid *g,
                         const unsigned char *classes, const lb_class_table *ct, int legend);

/* Row @p row (0 = top .. 6 = baseline, 7 and 8 below it for g j p q y) of the 5 × 7 glyph the
 * preview draws for byte @p c, as 5 bits with bit 4 the leftmost pixel; characters outside
 * printable ASCII give '?'. */
unsigned lb_preview_glyph_row(unsigned char c, int row);

#endif
