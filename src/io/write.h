/* SPDX-License-Identifier: MIT */
/* Writers: GeoPackage / GeoJSON / CSV layers from a result table, Cloud Optimized GeoTIFFs
 * from grids, JSON documents. Every writer writes to the exact path it is given; the pipeline
 * gives temporary names and renames when the whole run has succeeded. */
#ifndef LB_IO_WRITE_H
#define LB_IO_WRITE_H

#include "../grid/grid.h"
#include "table.h"

#include <json-c/json_object.h>

typedef enum lb_vector_format { LB_FMT_GPKG, LB_FMT_GEOJSON, LB_FMT_CSV } lb_vector_format;

typedef struct lb_vector_opts {
    lb_vector_format format;
    const char *layer; /* layer name (GPKG); ignored for GeoJSON/CSV */
    int geojson_rd;    /* GeoJSON: 0 = RFC 7946 (CRS84 lon/lat, 7 decimals, right-hand rule,
                          no crs member); 1 = RD New metres with a crs member */
    char csv_sep;      /* CSV: ',' (default when 0) or ';' */
} lb_vector_opts;

/* Write @p t as a layer. GPKG: the file is created if absent, else the layer is added to it
 * (a layer of the same name is an error). GeoJSON and CSV: the file must not exist.
 * Real columns are rounded to their `decimals` on output; NaN / LB_INT_NULL / NULL text are
 * written as NULL (empty in CSV). Geometry (if any) is EPSG:28992 WKB.
 * Returns LB_OK, LB_ERR_IO (with the GDAL message and path), LB_ERR_CRS, LB_ERR_NOMEM. */
lb_status lb_write_vector(lb_ctx *ctx, const char *path, const lb_table *t,
                          const lb_vector_opts *o);

/* Write a Float32 Cloud Optimized GeoTIFF in EPSG:28992 with @p n_bands bands over grid @p g.
 * bands[b] holds lb_grid_ncells(g) values in grid index order (row 0 north); NaN is nodata.
 * names[b] becomes the band description; @p units (may be NULL) the band unit type.
 * Tiled 256, DEFLATE with floating-point predictor, AVERAGE overviews.
 * Returns LB_OK, LB_ERR_IO, LB_ERR_CRS, LB_ERR_NOMEM. */
lb_status lb_write_cog_float(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                             const float *const *bands, const char *const *names,
                             const char *units);

/* Produce band @p b (0-based) of a Float32 grid into @p out (lb_grid_ncells values, grid index
 * order, NaN = nodata). */
typedef lb_status (*lb_band_fill_fn)(void *user, size_t b, float *out);

/* As lb_write_cog_float, but the bands are produced one at a time by @p fill into one buffer
 * and written to a temporary tiled GeoTIFF beside @p path, which is copied to the COG and
 * removed: memory holds one band, not all of them (a national grid band is ~36 MB). */
lb_status lb_write_cog_float_bands(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                                   lb_band_fill_fn fill, void *user, const char *const *names,
                                   const char *units);

/* Write a Byte COG of classes 1..n_classes (0 = nodata) with a colour table
 * (colours[k] = "#rrggbb" for class k+1) and category names (labels[k]); NEAREST overviews. */
lb_status lb_write_cog_classes(lb_ctx *ctx, const char *path, const lb_grid *g,
                               const unsigned char *classes, size_t n_classes,
                               const char *const *labels, const char *const *colours);

/* Write @p doc as pretty-printed JSON. */
lb_status lb_write_json(lb_ctx *ctx, const char *path, struct json_object *doc);

#endif
