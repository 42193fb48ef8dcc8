/* SPDX-License-Identifier: MIT */
/* GDAL set-up shared by the io module: driver registration, error capture, the RD SRS. */
#ifndef LB_IO_GDAL_ENV_H
#define LB_IO_GDAL_ENV_H

#include <leefbaar/core.h>

#include <ogr_srs_api.h>

/* Register GDAL/OGR drivers once (idempotent; GDAL itself guards it). */
void lb_io_gdal_init(void);

/* Capture CPL errors raised between begin and end into a buffer; end() returns the last
 * failure message ("" when none). Use around a GDAL call whose failure you report yourself.
 * The capture is per call site (a struct on the caller's stack), never global. */
typedef struct lb_cpl_capture {
    char msg[1024];
    int n_errors;
} lb_cpl_capture;
void lb_io_cpl_begin(lb_cpl_capture *cap);
const char *lb_io_cpl_end(lb_cpl_capture *cap);

/* A new EPSG:28992 SRS with traditional GIS axis order. Caller releases with OSRRelease().
 * NULL when PROJ cannot find EPSG:28992 (then @p ctx holds the error). */
OGRSpatialReferenceH lb_srs_rd(lb_ctx *ctx);

/* A new EPSG:4326 SRS (lon/lat order). Caller releases with OSRRelease(). */
OGRSpatialReferenceH lb_srs_wgs84(lb_ctx *ctx);

/* GeoPackage timestamps (gpkg_contents.last_change, layer_styles.update_time) that do not
 * depend on the clock, so that two identical runs write identical files: GDAL's configuration
 * option OGR_CURRENT_DATE when the caller set it (the CLI sets it from SOURCE_DATE_EPOCH), else
 * LB_GPKG_DATE, set for the calling thread only between begin and end. Returns the date in
 * effect (borrowed); pass *set on to lb_io_gpkg_date_end(). */
#define LB_GPKG_DATE "1970-01-01T00:00:00.000Z"
const char *lb_io_gpkg_date_begin(int *set);
void lb_io_gpkg_date_end(int set);

/* GeoPackages written without SQLite's fsync at each commit (PRAGMA synchronous = OFF through
 * GDAL's configuration option OGR_SQLITE_SYNCHRONOUS), set for the calling thread only between
 * begin and end, unless the caller set the option. Every GeoPackage leefbaar writes is a new
 * output in the run's temporary directory, written like its GeoTIFFs and CSVs (none of them is
 * synced either); the fsyncs cost a T2 score 2.5 s of waiting for the disk (a style commit of
 * the 240 MB scores.gpkg flushed the whole file), and the bytes are the same. Returns 1 when
 * it set the option; pass that on to lb_io_gpkg_nosync_end(). */
int lb_io_gpkg_nosync_begin(void);
void lb_io_gpkg_nosync_end(int set);

#endif
