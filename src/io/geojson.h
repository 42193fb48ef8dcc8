/* SPDX-License-Identifier: MIT */
/* The GeoJSON writer: a result table streamed to a FeatureCollection, byte for byte what
 * GDAL 3.6's GeoJSON driver wrote for it, with each distinct vertex transformed once (the
 * driver's transformation) and numbers formatted without the C++ streams. */
#ifndef LB_IO_GEOJSON_H
#define LB_IO_GEOJSON_H

#include "../data/table.h"
#include "write.h"

#include <ogr_srs_api.h>

/* Write @p t to @p path (which must not exist) as GeoJSON with the options of @p o (the
 * format must be LB_FMT_GEOJSON). @p srs is the table's EPSG:28992 SRS (borrowed; may be NULL
 * when the table has no geometry). @p promote_polygons: write Polygon rows as MultiPolygons
 * (the layer mixes both). The output is the one lb_write_vector() gets through GDAL's driver;
 * what this writer does not cover — geometries with Z or M, collections, empty parts, non-finite
 * or unprojectable coordinates, text that looks like JSON, repeated column names — leaves
 * nothing behind and sets *@p handled to 0, so that the caller writes through the driver.
 * Returns LB_OK (see *handled), LB_ERR_IO, LB_ERR_CRS, LB_ERR_NOMEM. */
lb_status lb_geojson_write(lb_ctx *ctx, const char *path, const lb_table *t,
                           const lb_vector_opts *o, OGRSpatialReferenceH srs, int promote_polygons,
                           int *handled);

/* Print @p v with @p prec decimals as GDAL 3.6's OGRFormatDouble() does for GeoJSON
 * coordinates ("%.*f", GDAL's rounding of long digit runs, trailing zeros dropped but one
 * kept: "52.0"). @p buf of 64 bytes suffices for |v| < 1e40; returns the length. */
size_t lb_geojson_format_coord(double v, int prec, char *buf, size_t size);

/* Print a real property as GDAL 3.6's GeoJSON writer does with SIGNIFICANT_FIGURES=@p sig:
 * "%.<sig>g", fewer digits when that ends in a run of 0s or 9s after the point, ".0" added to
 * integral values ("3000.0"). @p buf of 64 bytes suffices; returns the length. */
size_t lb_geojson_format_real(double v, int sig, char *buf, size_t size);

#endif
