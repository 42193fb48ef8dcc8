/* SPDX-License-Identifier: MIT */
/* Writers: GeoPackage / GeoJSON / CSV layers from a result table, Cloud Optimized GeoTIFFs
 * from grids, JSON documents. Every writer writes to the exact path it is given; the pipeline
 * gives temporary names and renames when the whole run has succeeded. */
#ifndef LB_IO_WRITE_H
#define LB_IO_WRITE_H

#include "../data/grid.h"
#include "../data/table.h"

#include <json-c/json_object.h>

typedef enum lb_vector_format { LB_FMT_GPKG, LB_FMT_GEOJSON, LB_FMT_CSV } lb_vector_format;

typedef struct lb_vector_opts {
    lb_vector_format format;
    const char *layer;  /* layer name (GPKG); ignored for GeoJSON/CSV */
    int geojson_rd;     /* GeoJSON: 0 = RFC 7946 (CRS84 lon/lat, 7 decimals, right-hand rule,
                           no crs member); 1 = RD New metres with a crs member, rings also
                           wound by the right-hand rule */
    char csv_sep;       /* CSV: ',' (default when 0) or ';'; with ';' numbers get a decimal comma
                           (4,1023), as Dutch spreadsheets read them */
    int full_precision; /* GeoJSON and CSV: 1 = reals unrounded, as the shortest of 15–17
                           significant digits that reads back as the same double (GeoJSON: 17
                           digits); 0 = rounded to each column's decimals */
} lb_vector_opts;

/* Write @p t as a layer. GPKG: the file is created if absent, else the layer is added to it
 * (a layer of the same name is an error). GeoJSON and CSV: the file must not exist.
 * Real columns are rounded to their `decimals` on output (unless @p o->full_precision);
 * NaN / LB_INT_NULL / NULL text are written as NULL (empty in CSV). Geometry (if any) is
 * EPSG:28992 WKB.
 * CSV: no geometry; integers and reals unquoted, reals with a decimal comma when the separator
 * is ';'; text quoted when it would read as a number, with either decimal mark (codes such as
 * "0599" stay text for readers that honour quotes).
 * Returns LB_OK, LB_ERR_IO (with the GDAL message and path), LB_ERR_CRS, LB_ERR_NOMEM. */
lb_status lb_write_vector(lb_ctx *ctx, const char *path, const lb_table *t,
                          const lb_vector_opts *o);

/* lb_write_vector() with GeoJSON always through GDAL's driver: the reference that the direct
 * GeoJSON writer (geojson.c) reproduces byte for byte, kept for tests and as its fallback. */
lb_status lb_io_write_vector_via_gdal(lb_ctx *ctx, const char *path, const lb_table *t,
                                      const lb_vector_opts *o);

/* A legend of classes numbered 1..n, shared by class rasters, QGIS styles and previews. It fits
 * the 9 score classes of a model as well as the 7 or 9 development classes. All pointers are
 * borrowed. */
typedef struct lb_class_table {
    size_t n;                   /* number of classes, 1..LB_MAX_CLASSES */
    const char *const *labels;  /* n labels (UTF-8); NULL = the class numbers */
    const char *const *colours; /* n colours "#rrggbb" */
    const double *breaks;       /* n - 1 ascending cut-points of the continuous value the classes
                                   come from (class k covers [breaks[k-2], breaks[k-1]), a value
                                   on a cut-point in the upper class); NULL when none */
    const char *title;          /* legend title, e.g. "Leefbaarometer 2022"; may be NULL */
} lb_class_table;

enum { LB_MAX_CLASSES = 240 }; /* leaves palette entries free for previews */

/* Check a class table: 1..LB_MAX_CLASSES classes, every colour "#rrggbb", breaks finite and
 * strictly ascending. @p what names the output in the message. LB_OK or LB_ERR_ARG. */
lb_status lb_class_table_check(lb_ctx *ctx, const lb_class_table *ct, const char *what);

/* The shortest decimal that reads back as @p v ("4.1", not "4.0999999999999996"); "inf",
 * "-inf" or "nan" for those. @p size of 32 always suffices. */
void lb_io_format_double(double v, char *buf, size_t size);

/* @p v rounded half away from zero at @p decimals digits (0..15; others, and non-finite
 * values, pass through), a scaled value within a few ulps of the half counting as the half;
 * never -0. What every vector writer writes for a real column. */
double lb_io_round_decimals(double v, int decimals);

/* The shortest of %.15g, %.16g and %.17g that reads back as @p v (finite); 17 always does.
 * @p size of 32 suffices. */
void lb_io_shortest_exact(double v, char *buf, size_t size);

/* Check the arguments of a class-grid writer: @p path given, @p g non-empty, @p ct valid and
 * every cell of @p classes (lb_grid_ncells(g) values) within 0..ct->n. @p what starts the
 * message ("write class raster"). LB_OK or LB_ERR_ARG. */
lb_status lb_io_class_grid_check(lb_ctx *ctx, const char *what, const char *path, const lb_grid *g,
                                 const unsigned char *classes, const lb_class_table *ct);

/* Parse "#rrggbb" into @p rgb; 1 on success, 0 when malformed. */
int lb_io_colour_parse(const char *s, unsigned char rgb[3]);

/* Raster output settings shared by every raster writer (the CLI's -of and -co). */
typedef struct lb_raster_opts {
    const char *format; /* GDAL driver: "COG" (default when NULL) or "GTiff" (tiled GeoTIFF with
                           the same compression and internal overviews, without COG layout) */
    const char *const *creation_options; /* NAME=VALUE, NULL-terminated; override the defaults
                                            (e.g. COMPRESS=ZSTD); may be NULL */
    const char *const *metadata; /* dataset metadata NAME=VALUE, NULL-terminated (stored inside
                                    the TIFF); may be NULL */
} lb_raster_opts;

/* Validate @p o before any work: a known format, every creation option NAME=VALUE and accepted
 * by the driver (name and value, as GDAL's option list declares them). NULL means defaults.
 * LB_OK or LB_ERR_ARG naming the option and what GDAL said. */
lb_status lb_raster_opts_check(lb_ctx *ctx, const lb_raster_opts *o);

/* Write a Float32 raster (COG by default) in EPSG:28992 with @p n_bands bands over grid @p g.
 * bands[b] holds lb_grid_ncells(g) values in grid index order (row 0 north); NaN is nodata.
 * names[b] becomes the band description, units[b] (units or units[b] may be NULL) the band's
 * unit type. Tiled 256, DEFLATE with the floating-point predictor (3), AVERAGE overviews; @p o
 * (may be NULL) picks the format and overrides creation options.
 * Returns LB_OK, LB_ERR_ARG (bad options), LB_ERR_IO, LB_ERR_CRS, LB_ERR_NOMEM. */
lb_status lb_write_raster_float(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                                const float *const *bands, const char *const *names,
                                const char *const *units, const lb_raster_opts *o);

/* Write a Byte raster (COG by default) of classes 1..ct->n (0 = nodata) with a colour table
 * (entry 0 transparent), category names ("geen waarde", then the labels) and the labels also as
 * band metadata CLASS_<k> inside the TIFF. DEFLATE with the horizontal predictor (2), MODE
 * overviews (the most frequent class, nodata ignored). GDAL 3.6's GTiff driver keeps category
 * names only in the PAM sidecar "<path>.aux.xml", which is written too.
 * Returns as lb_write_raster_float(). */
lb_status lb_write_raster_classes(lb_ctx *ctx, const char *path, const lb_grid *g,
                                  const unsigned char *classes, const lb_class_table *ct,
                                  const lb_raster_opts *o);

/* Produce band @p b (0-based) of a Float32 grid into @p out (lb_grid_ncells values, grid index
 * order, NaN = nodata). */
typedef lb_status (*lb_band_fill_fn)(void *user, size_t b, float *out);

/* As lb_write_raster_float(), but the bands are produced one at a time by @p fill into one
 * buffer and written to a temporary tiled GeoTIFF beside @p path (uncompressed, nodata-only
 * tiles left out: page cache rather than process memory), which is then copied to the
 * output and removed: memory holds one band, not all of them (~36 MB per band on a national
 * grid of 9.1 M cells). */
lb_status lb_write_raster_float_bands(lb_ctx *ctx, const char *path, const lb_grid *g,
                                      size_t n_bands, lb_band_fill_fn fill, void *user,
                                      const char *const *names, const char *const *units,
                                      const lb_raster_opts *o);

/* lb_write_raster_float() as a COG with default options and one unit for all bands. */
lb_status lb_write_cog_float(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                             const float *const *bands, const char *const *names,
                             const char *units);

/* lb_write_raster_classes() as a COG with default options (colours[k], labels[k] for class
 * k+1; labels may be NULL). */
lb_status lb_write_cog_classes(lb_ctx *ctx, const char *path, const lb_grid *g,
                               const unsigned char *classes, size_t n_classes,
                               const char *const *labels, const char *const *colours);

/* Write @p doc as pretty-printed JSON. */
lb_status lb_write_json(lb_ctx *ctx, const char *path, struct json_object *doc);

#endif
