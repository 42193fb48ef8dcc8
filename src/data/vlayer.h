/* SPDX-License-Identifier: MIT */
/* A vector layer in memory (points, lines or polygons in EPSG:28992, and attribute columns):
 * plain data that io's readers fill (io/vector.h) and geom, grid and the stages read (geom's
 * lb_geom_make_valid_layer is the one writer after the reader: it repairs polygons in place). */
#ifndef LB_DATA_VLAYER_H
#define LB_DATA_VLAYER_H

#include <leefbaar/core.h>

#include <stddef.h>
#include <stdint.h>

typedef enum lb_geom_kind {
    LB_GEOM_NONE,
    LB_GEOM_POINT,
    LB_GEOM_LINE,
    LB_GEOM_POLYGON
} lb_geom_kind;

/* Where a named input comes from. @p layer may be NULL (the only / first layer). @p s_srs may be
 * NULL; when set it is the CRS of data that carries none (or a CRS-less GeoJSON). */
typedef struct lb_source {
    const char *name;
    const char *path;
    const char *layer;
    const char *s_srs;
} lb_source;

/* Memory that holds the values of many features at once (the WKB of the squares read by their
 * code, the text of their fields; io/vector.h): a chain of blocks, each its size, the bytes in
 * use and then the bytes. A value that lies in a block is freed with its block, never on its
 * own. */
typedef struct lb_vblock {
    struct lb_vblock *next;
    size_t size, used;
} lb_vblock;

/* One attribute column: numeric value (NaN when NULL, non-numeric, a CBS special value
 * (lb_io_is_cbs_sentinel, io/vector.h), or StatLine "." / "x") and, for string fields, the text. */
typedef struct lb_field {
    char *name;
    int is_string;
    double *num; /* n values */
    char **str;  /* n values when is_string, else NULL */
    size_t n_missing;
    /* Text fields: what each value is as a number (lb_num_status of io/number.h; num[] is NaN
     * unless LB_NUM_OK), and how many values are no number (n_unreadable) or could be two numbers
     * (n_ambiguous, "1.200" in a file that does not tell). NULL / 0 for numeric fields. */
    unsigned char *state;
    size_t n_unreadable, n_ambiguous;
    /* Text fields: NULL when every str[k] is a malloc() of its own; else the blocks that hold
     * every str[k] (none is freed on its own). Readers of str[k] need not care. */
    lb_vblock *text_blocks;
} lb_field;

/* A layer in memory. Polygons are kept as rings (for exact coverage) and WKB (for GEOS);
 * points as x/y arrays. All coordinates in EPSG:28992 metres. A polygon layer read for its
 * rings only (the area-mode units, io/vector.h) has wkb == NULL: lb_vlayer_polygon_wkb()
 * writes a feature's WKB from its rings, the bytes the reader would have kept. */
typedef struct lb_vlayer {
    char *name; /* input name */
    char *path;
    char *layer;  /* OGR layer name actually read */
    char *driver; /* GDAL driver short name of the file, e.g. "CSV", "GPKG" */
    char *filter;
    lb_geom_kind kind;
    size_t n;
    int64_t *fid;
    double *x, *y;       /* LB_GEOM_POINT: coordinates; otherwise NULL */
    unsigned char **wkb; /* LB_GEOM_LINE / POLYGON: WKB per feature */
    size_t *wkb_size;
    size_t *ring_start;    /* POLYGON: feature f has rings [ring_start[f], ring_start[f+1]) */
    size_t *ring_pt_start; /* ring r has points [ring_pt_start[r], ring_pt_start[r+1]) */
    int *ring_hole;
    double *ring_xy; /* interleaved x,y of all rings */
    size_t n_rings;
    /* LB_GEOM_LINE: feature f has parts [part_start[f], part_start[f+1]) (the linestrings of a
     * multilinestring or compound curve, as OGR counts them); part p has points
     * [part_pt_start[p], part_pt_start[p+1]) of part_xy (interleaved x,y). The vertices of the
     * WKB, decoded once by the reader so that no reader of the layer needs OGR. */
    size_t *part_start;
    size_t *part_pt_start;
    double *part_xy;
    size_t n_parts;
    double *area_m2; /* POLYGON: area per feature */
    /* Blocks that hold some of the wkb[f] (NULL: each wkb[f] is a malloc() of its own); a wkb[f]
     * replaced or taken must not be freed when it lies in one (lb_vlayer_in_blocks). */
    lb_vblock *wkb_blocks;
    double xmin, ymin, xmax, ymax;
    size_t n_fields;
    lb_field *fields;
    size_t n_skipped; /* features skipped: empty geometry, points outside the Netherlands */
    size_t n_outside; /* of which points outside the Netherlands' RD envelope (e.g. at 0,0) */
    int has_geometry; /* the layer has a geometry field (lb_vlayer_read_table ignores it) */
} lb_vlayer;

/* @p bytes from the first block of @p *chain, or from a new first block of at least @p bytes
 * and @p block_size bytes (on huge pages when large, core/bigmem.h) when it has no room: the
 * memory is the chain's and is freed with it. NULL when out of memory. */
void *lb_vlayer_block_take(lb_vblock **chain, size_t bytes, size_t block_size);

/* Does @p p point into a block of @p chain? */
int lb_vlayer_in_blocks(const lb_vblock *chain, const void *p);

/* Move the blocks of @p *from to the chain @p *to (*from becomes NULL). */
void lb_vlayer_blocks_join(lb_vblock **to, lb_vblock **from);

/* Free every block of @p chain. NULL is a no-op. */
void lb_vlayer_blocks_free(lb_vblock *chain);

/* Free a layer and everything it holds. NULL is a no-op. */
void lb_vlayer_destroy(lb_vlayer *l);

/* Free the fields of @p l (their first @p n_rows text values, names, numbers and states) and
 * leave it without fields. */
void lb_vlayer_fields_free(lb_vlayer *l, size_t n_rows);

/* The WKB of polygon feature @p f: l->wkb[f] itself (*own = 0) when the layer keeps WKB,
 * else written from its rings into a new buffer (*own = 1; free() it): a 2D little-endian
 * MultiPolygon, a polygon per shell ring with the holes that follow it, as OGR exports what
 * the reader read. NULL when out of memory. */
const unsigned char *lb_vlayer_polygon_wkb(const lb_vlayer *l, size_t f, size_t *size, int *own);

/* Size in bytes of the WKB that lb_vlayer_polygon_wkb() writes from the rings of feature @p f. */
size_t lb_vlayer_rings_wkb_size(const lb_vlayer *l, size_t f);

/* Column @p name, or NULL with an LB_ERR_DATA message that lists the fields. Borrowed. */
const lb_field *lb_vlayer_field(lb_ctx *ctx, const lb_vlayer *l, const char *name);

#endif
