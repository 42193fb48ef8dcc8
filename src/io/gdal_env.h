/* SPDX-License-Identifier: MIT */
/* GDAL set-up shared by the io module: driver registration, error capture, the RD SRS. */
#ifndef LB_IO_GDAL_ENV_H
#define LB_IO_GDAL_ENV_H

#include <leefbaar/core.h>

#include <ogr_srs_api.h>

/* Register GDAL/OGR drivers once (idempotent; GDAL itself guards it). */
void lb_gdal_init(void);

/* Capture CPL errors raised between begin and end into a buffer; end() returns the last
 * failure message ("" when none). Use around a GDAL call whose failure you report yourself.
 * The capture is per call site (a struct on the caller's stack), never global. */
typedef struct lb_cpl_capture {
    char msg[1024];
    int n_errors;
} lb_cpl_capture;
void lb_cpl_begin(lb_cpl_capture *cap);
const char *lb_cpl_end(lb_cpl_capture *cap);

/* A new EPSG:28992 SRS with traditional GIS axis order. Caller releases with OSRRelease().
 * NULL when PROJ cannot find EPSG:28992 (then @p ctx holds the error). */
OGRSpatialReferenceH lb_srs_rd(lb_ctx *ctx);

/* A new EPSG:4326 SRS (lon/lat order). Caller releases with OSRRelease(). */
OGRSpatialReferenceH lb_srs_wgs84(lb_ctx *ctx);

#endif
