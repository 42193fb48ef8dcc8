/* SPDX-License-Identifier: MIT */
/* The GeoPackage R-tree spatial index (extension gpkg_rtree_index) of a feature table, built in
 * bulk after the rows: a packed tree written straight into the SQLite rtree's shadow tables. */
#ifndef LB_IO_GPKG_RTREE_H
#define LB_IO_GPKG_RTREE_H

#include <leefbaar/core.h>

#include <gdal.h>

#include <stddef.h>
#include <stdint.h>

/* The bounding boxes of a table's rows, collected while the rows are written. */
typedef struct lb_gpkg_rtree lb_gpkg_rtree;

/* An empty collection for about @p n_hint rows. *out: lb_gpkg_rtree_destroy. */
lb_status lb_gpkg_rtree_create(lb_ctx *ctx, size_t n_hint, lb_gpkg_rtree **out);

/* Add the row @p fid with its geometry's envelope (as OGR_G_GetEnvelope gives it; the row must
 * have a non-empty geometry: NULL and empty geometries are not indexed, as in GDAL). */
lb_status lb_gpkg_rtree_add(lb_ctx *ctx, lb_gpkg_rtree *rt, int64_t fid, double minx, double maxx,
                            double miny, double maxy);

/* Create the spatial index of @p table's geometry column @p geom_col (primary key @p fid_col) in
 * the open GeoPackage @p ds (@p path names it in errors) from the collected boxes: the rtree
 * virtual table rtree_<table>_<geom_col> holding a packed tree (Hilbert order of the box
 * centres, nodes filled evenly to at most SQLite's capacity), the six triggers that keep it
 * current as GDAL 3.6 writes them, and the gpkg_extensions row. The same tree SQLite would
 * answer queries with, with the same float32 boxes (rounded outward as SQLite's rtree does), so
 * that a spatial filter returns what GDAL's own index returns. Call it inside the transaction
 * of the rows, on a layer created with SPATIAL_INDEX=NO. */
lb_status lb_gpkg_rtree_write(lb_ctx *ctx, lb_gpkg_rtree *rt, GDALDatasetH ds, const char *path,
                              const char *table, const char *geom_col, const char *fid_col);

/* NULL-safe. */
void lb_gpkg_rtree_destroy(lb_gpkg_rtree *rt);

#endif
