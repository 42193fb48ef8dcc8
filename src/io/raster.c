/* SPDX-License-Identifier: MIT */
/* Raster bands into memory, checked to be RD New, north-up and square. */
#include "raster.h"

#include "../core/ctx.h"
#include "gdal_env.h"

#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void lb_raster_destroy(lb_raster *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->path);
    free(r->v);
    free(r);
}

int lb_path_is_raster(const char *path)
{
    lb_gdal_init();
    lb_cpl_capture cap;
    lb_cpl_begin(&cap);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    lb_cpl_end(&cap);
    if (!ds)
        return 0;
    int is = GDALGetRasterCount(ds) > 0;
    GDALClose(ds);
    return is;
}

static lb_status check_srs(lb_ctx *ctx, const lb_source *src, GDALDatasetH ds)
{
    OGRSpatialReferenceH rd = lb_srs_rd(ctx);
    if (!rd)
        return LB_ERR_CRS;
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    lb_status st = LB_OK;
    const char *wkt = GDALGetProjectionRef(ds);
    const char *given = src->s_srs ? src->s_srs : (wkt && *wkt ? wkt : NULL);
    if (!given) {
        st = lb_error(ctx, LB_ERR_CRS,
                      "raster input '%s' ('%s') has no CRS; pass --s-srs EPSG:28992 if it is on "
                      "the RD New grid, or assign one (gdal_edit.py -a_srs EPSG:28992)",
                      src->name, src->path);
    } else if (OSRSetFromUserInput(s, given) != OGRERR_NONE) {
        st = lb_error(ctx, LB_ERR_CRS, "raster input '%s' ('%s'): unreadable CRS", src->name,
                      src->path);
    } else if (!OSRIsSame(s, rd)) {
        st = lb_error(ctx, LB_ERR_CRS,
                      "raster input '%s' ('%s') is not in RD New (EPSG:28992); warp it first: "
                      "gdalwarp -t_srs EPSG:28992 -tr 100 100 -tap '%s' rd.tif",
                      src->name, src->path, src->path);
    }
    OSRRelease(s);
    OSRRelease(rd);
    return st;
}

lb_status lb_raster_read(lb_ctx *ctx, const lb_source *src, int band, lb_raster **out)
{
    lb_gdal_init();
    struct stat sb;
    if (stat(src->path, &sb) != 0 && strncmp(src->path, "/vsi", 4) != 0)
        return lb_error(ctx, LB_ERR_IO, "raster input '%s': cannot open '%s': %s", src->name,
                        src->path, strerror(errno));
    lb_cpl_capture cap;
    lb_cpl_begin(&cap);
    GDALDatasetH ds = GDALOpenEx(
        src->path, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, NULL, NULL, NULL);
    lb_cpl_end(&cap);
    if (!ds)
        return lb_error(ctx, LB_ERR_IO, "raster input '%s': '%s' is not a readable raster (%s)",
                        src->name, src->path, cap.msg);
    lb_status st = LB_OK;
    lb_raster *r = NULL;
    double gt[6];
    int nb = GDALGetRasterCount(ds);
    if (band < 1 || band > nb) {
        st = lb_error(ctx, LB_ERR_DATA, "raster input '%s' ('%s') has %d band(s), no band %d",
                      src->name, src->path, nb, band);
        goto cleanup;
    }
    st = check_srs(ctx, src, ds);
    if (st != LB_OK)
        goto cleanup;
    if (GDALGetGeoTransform(ds, gt) != CE_None || gt[2] != 0.0 || gt[4] != 0.0 || gt[5] >= 0.0 ||
        fabs(gt[1] + gt[5]) > 1e-9 * gt[1]) {
        st = lb_error(ctx, LB_ERR_DATA,
                      "raster input '%s' ('%s') must be north-up with square pixels; resample it "
                      "(gdalwarp -tr 100 100 -tap '%s' fixed.tif)",
                      src->name, src->path, src->path);
        goto cleanup;
    }
    r = calloc(1, sizeof(*r));
    if (!r) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    r->name = lb_strdup(src->name);
    r->path = lb_strdup(src->path);
    r->band = band;
    r->grid.nx = GDALGetRasterXSize(ds);
    r->grid.ny = GDALGetRasterYSize(ds);
    r->grid.cell_m = gt[1];
    r->grid.x0 = gt[0];
    r->grid.y0 = gt[3] + gt[5] * r->grid.ny;
    size_t n = lb_grid_ncells(&r->grid);
    r->v = malloc(n * sizeof(double));
    if (!r->v || !r->name || !r->path) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory reading raster '%s'", src->path);
        goto cleanup;
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, band);
    lb_cpl_begin(&cap);
    CPLErr e = GDALRasterIO(b, GF_Read, 0, 0, r->grid.nx, r->grid.ny, r->v, r->grid.nx, r->grid.ny,
                            GDT_Float64, 0, 0);
    lb_cpl_end(&cap);
    if (e != CE_None) {
        st = lb_error(ctx, LB_ERR_IO, "raster input '%s': reading '%s' band %d failed: %s",
                      src->name, src->path, band, cap.msg);
        goto cleanup;
    }
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(b, &has_nodata);
    for (size_t i = 0; i < n; i++) {
        if ((has_nodata && (r->v[i] == nodata || (isnan(nodata) && isnan(r->v[i])))) ||
            !isfinite(r->v[i])) {
            r->v[i] = NAN;
            r->n_nodata++;
        }
    }
    *out = r;
    r = NULL;
cleanup:
    lb_raster_destroy(r);
    GDALClose(ds);
    return st;
}
