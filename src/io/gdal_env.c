/* SPDX-License-Identifier: MIT */
/* GDAL set-up: drivers, per-call error capture, spatial references with GIS axis order. */
#include "gdal_env.h"

#include <stdatomic.h>

#include "../core/ctx.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>

void lb_io_gdal_init(void)
{
    static atomic_flag done = ATOMIC_FLAG_INIT;
    GDALAllRegister();
    if (atomic_flag_test_and_set(&done))
        return;
    /* leefbaar reads rasters into its own arrays, so GDAL's block cache only buffers the COGs
     * being written; its default (5 % of RAM, 1.2 GB here) let a national run's peak memory
     * grow by hundreds of MB while writing the maps. 256 MB unless the user set GDAL_CACHEMAX
     * (--config GDAL_CACHEMAX or the environment). */
    if (!CPLGetConfigOption("GDAL_CACHEMAX", NULL))
        GDALSetCacheMax64((GIntBig)256 << 20);
}

static void CPL_STDCALL capture_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    lb_cpl_capture *cap = CPLGetErrorHandlerUserData();
    if (cap && cls >= CE_Failure) {
        cap->n_errors++;
        snprintf(cap->msg, sizeof(cap->msg), "%s", msg ? msg : "");
    }
}

void lb_io_cpl_begin(lb_cpl_capture *cap)
{
    cap->msg[0] = '\0';
    cap->n_errors = 0;
    CPLErrorReset();
    CPLPushErrorHandlerEx(capture_handler, cap);
}

const char *lb_io_cpl_end(lb_cpl_capture *cap)
{
    CPLPopErrorHandler();
    return cap->msg;
}

static OGRSpatialReferenceH srs_epsg(lb_ctx *ctx, int code)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs) {
        lb_ctx_error(ctx, LB_ERR_NOMEM, "cannot allocate a spatial reference");
        return NULL;
    }
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    OGRErr err = OSRImportFromEPSG(srs, code);
    lb_io_cpl_end(&cap);
    if (err != OGRERR_NONE) {
        OSRRelease(srs);
        lb_ctx_error(ctx, LB_ERR_CRS, "PROJ cannot build EPSG:%d (%s); is proj-data installed?",
                     code, cap.msg);
        return NULL;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

OGRSpatialReferenceH lb_srs_rd(lb_ctx *ctx)
{
    return srs_epsg(ctx, 28992);
}

OGRSpatialReferenceH lb_srs_wgs84(lb_ctx *ctx)
{
    return srs_epsg(ctx, 4326);
}

void lb_config_set(const char *key, const char *value)
{
    CPLSetConfigOption(key, value);
}

const char *lb_io_gpkg_date_begin(int *set)
{
    const char *date = CPLGetConfigOption("OGR_CURRENT_DATE", NULL);
    *set = date == NULL;
    if (*set)
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", LB_GPKG_DATE);
    return date ? date : LB_GPKG_DATE;
}

void lb_io_gpkg_date_end(int set)
{
    if (set)
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
}

int lb_io_gpkg_nosync_begin(void)
{
    if (CPLGetConfigOption("OGR_SQLITE_SYNCHRONOUS", NULL))
        return 0;
    CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
    return 1;
}

void lb_io_gpkg_nosync_end(int set)
{
    if (set)
        CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", NULL);
}
