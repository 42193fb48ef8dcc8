/* SPDX-License-Identifier: MIT */
/* Raster bands into memory on a north-up RD New grid; other CRSs are warped to RD on read. */
#include "raster.h"

#include "../core/bigmem.h"
#include "../core/ctx.h"
#include "gdal_env.h"

#include <errno.h>
#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <math.h>
#include <stdio.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void lb_raster_destroy(lb_band *r)
{
    lb_band_destroy(r);
}

int lb_io_path_is_raster(const char *path)
{
    lb_io_gdal_init();
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    lb_io_cpl_end(&cap);
    if (!ds)
        return 0;
    int is = GDALGetRasterCount(ds) > 0;
    GDALClose(ds);
    return is;
}

/* The raster's CRS: @p src->s_srs when given, else the dataset's own. *out is released by the
 * caller (OSRRelease). */
static lb_status source_srs(lb_ctx *ctx, const lb_source *src, GDALDatasetH ds,
                            OGRSpatialReferenceH *out)
{
    const char *wkt = GDALGetProjectionRef(ds);
    const char *given = src->s_srs ? src->s_srs : (wkt && *wkt ? wkt : NULL);
    if (!given)
        return lb_ctx_error(
            ctx, LB_ERR_CRS,
            "raster input '%s' ('%s') has no CRS; pass --s-srs EPSG:28992 if it is on "
            "the RD New grid (or its own CRS otherwise), or assign one "
            "(gdal_edit.py -a_srs EPSG:28992)",
            src->name, src->path);
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    if (!s)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    OGRErr e = OSRSetFromUserInput(s, given);
    lb_io_cpl_end(&cap);
    if (e != OGRERR_NONE) {
        OSRRelease(s);
        return lb_ctx_error(ctx, LB_ERR_CRS, "raster input '%s' ('%s'): unreadable CRS '%s' (%s)",
                            src->name, src->path, src->s_srs ? src->s_srs : "(from the file)",
                            cap.msg);
    }
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    *out = s;
    return LB_OK;
}

/* The pixels [*c0, *c1) × [*r0, *r1) of an nx × ny raster with geotransform @p gt (north-up)
 * that the RD box @p win (xmin, ymin, xmax, ymax; NULL = all) touches, snapped outward to whole
 * pixels and at least one pixel. */
static void pixel_window(const double gt[6], int nx, int ny, const double *win, int *c0, int *c1,
                         int *r0, int *r1)
{
    *c0 = 0, *c1 = nx, *r0 = 0, *r1 = ny;
    if (!win)
        return;
    double u0 = floor((win[0] - gt[0]) / gt[1]), u1 = ceil((win[2] - gt[0]) / gt[1]);
    double v0 = floor((win[3] - gt[3]) / gt[5]), v1 = ceil((win[1] - gt[3]) / gt[5]);
    u0 = fmax(0.0, fmin(u0, (double)nx - 1.0));
    v0 = fmax(0.0, fmin(v0, (double)ny - 1.0));
    u1 = fmax(u0 + 1.0, fmin(u1, (double)nx));
    v1 = fmax(v0 + 1.0, fmin(v1, (double)ny));
    *c0 = (int)u0, *c1 = (int)u1, *r0 = (int)v0, *r1 = (int)v1;
}

/* Read the @p nx × @p ny pixels of band @p b (band number @p band of @p src, for messages) from
 * column @p c0, row @p r0 into @p v as doubles, nodata and non-finite values as NaN, adding their
 * number to *n_nodata. */
static lb_status read_rows(lb_ctx *ctx, const lb_source *src, GDALRasterBandH b, int band, int c0,
                           int r0, int nx, int ny, double *v, size_t *n_nodata)
{
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    CPLErr e = GDALRasterIO(b, GF_Read, c0, r0, nx, ny, v, nx, ny, GDT_Float64, 0, 0);
    lb_io_cpl_end(&cap);
    if (e != CE_None) {
        /* A file whose header survived but whose pixel data did not (a cut-off copy or
         * download) fails here, not at open: say what that usually means. */
        return lb_ctx_error(ctx, LB_ERR_IO,
                            "raster input '%s': reading '%s' band %d failed; the file is damaged "
                            "or truncated (%s); copy or write it again",
                            src->name, src->path, band, cap.msg);
    }
    int has_nodata = 0;
    double nodata = GDALGetRasterNoDataValue(b, &has_nodata);
    size_t n = (size_t)nx * (size_t)ny;
    for (size_t i = 0; i < n; i++) {
        if ((has_nodata && (v[i] == nodata || (isnan(nodata) && isnan(v[i])))) || !isfinite(v[i])) {
            v[i] = NAN;
            (*n_nodata)++;
        }
    }
    return LB_OK;
}

/* Read the pixels of band @p band of @p ds (north-up, square pixels, geotransform @p gt) that
 * window @p win touches (NULL: all) into a new raster on the same pixel lattice. */
static lb_status read_band(lb_ctx *ctx, const lb_source *src, GDALDatasetH ds, int ds_band,
                           int band, const double gt[6], const double *win, lb_band **out)
{
    lb_status st = LB_OK;
    lb_band *r = calloc(1, sizeof(*r));
    if (!r)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    r->name = lb_core_strdup(src->name);
    r->path = lb_core_strdup(src->path);
    r->band = band;
    int c0, c1, r0, r1;
    pixel_window(gt, GDALGetRasterXSize(ds), GDALGetRasterYSize(ds), win, &c0, &c1, &r0, &r1);
    r->grid.nx = c1 - c0;
    r->grid.ny = r1 - r0;
    r->grid.cell_m = gt[1];
    r->grid.x0 = gt[0] + gt[1] * c0;
    r->grid.y0 = gt[3] + gt[5] * r1;
    /* n · sizeof(double) must not wrap: a VRT can declare 2^30 × 2^31 pixels in a few bytes */
    size_t nx = (size_t)r->grid.nx, ny = (size_t)r->grid.ny;
    if (nx == 0 || ny == 0 || ny > SIZE_MAX / sizeof(double) / nx) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "raster input '%s' ('%s'): %zu x %zu pixels cannot be held in memory; "
                          "check the file (a VRT may declare any size)",
                          src->name, src->path, nx, ny);
        goto fail;
    }
    size_t n = nx * ny;
    r->v = lb_bigmem_alloc(n * sizeof(double));
    if (!r->v || !r->name || !r->path) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM,
                          "out of memory reading raster '%s': %zu x %zu pixels need %.1f GB",
                          src->path, nx, ny, (double)n * sizeof(double) / 1e9);
        goto fail;
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, ds_band);
    st = read_rows(ctx, src, b, band, c0, r0, r->grid.nx, r->grid.ny, r->v, &r->n_nodata);
    if (st != LB_OK)
        goto fail;
    *out = r;
    return LB_OK;
fail:
    lb_raster_destroy(r);
    return st;
}

/* The RD pixel size a warped raster gets: the largest of 100, 50, 25, 20, 10, 5, 2 and 1 m that
 * is not coarser than the source's own resolution in RD (GDAL's suggestion), so no detail is
 * lost and pixels nest in the 100 m cells; 1 m for anything finer. */
static double rd_pixel_size(double suggested)
{
    static const double ladder[] = {100, 50, 25, 20, 10, 5, 2, 1};
    for (size_t i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++)
        if (ladder[i] <= suggested * (1.0 + 1e-9))
            return ladder[i];
    return 1.0;
}

/* Warp band @p band of @p ds to RD New in memory (MEM dataset, Float64, nodata NaN): pixel size
 * from rd_pixel_size(), corners on multiples of it (gdalwarp -tap), bilinear or nearest. Every
 * pixel position is transformed exactly (-et 0): gdalwarp's default approximation (1/8 source
 * pixel) would shift values by up to 1/8 pixel × their gradient. */
static lb_status warp_to_rd(lb_ctx *ctx, const lb_source *src, GDALDatasetH ds, int band,
                            OGRSpatialReferenceH s_srs, int nearest, const double *win,
                            GDALDatasetH *out)
{
    lb_status st = LB_OK;
    lb_cpl_capture cap;
    char *rd_wkt = NULL, *src_wkt = NULL;
    GDALDatasetH one = NULL, warped = NULL;
    void *tr = NULL;
    GDALTranslateOptions *topt = NULL;
    GDALWarpAppOptions *wopt = NULL;
    OGRSpatialReferenceH rd = lb_srs_rd(ctx);
    if (!rd)
        return LB_ERR_CRS;
    if (OSRExportToWkt(rd, &rd_wkt) != OGRERR_NONE ||
        OSRExportToWkt(s_srs, &src_wkt) != OGRERR_NONE) {
        st =
            lb_ctx_error(ctx, LB_ERR_CRS, "raster input '%s' ('%s'): cannot express its CRS as WKT",
                         src->name, src->path);
        goto done;
    }
    lb_io_cpl_begin(&cap);
    /* GDAL 3.6's gdalwarp has no band selection: take the band out in a virtual dataset. */
    char bandtxt[16];
    snprintf(bandtxt, sizeof(bandtxt), "%d", band);
    char *targv[] = {"-of", "VRT", "-b", bandtxt, NULL};
    topt = GDALTranslateOptionsNew(targv, NULL);
    if (topt)
        one = GDALTranslate("", ds, topt, NULL);
    if (one) {
        char *opts[] = {NULL, NULL, NULL};
        char *a = lb_core_strfmt("SRC_SRS=%s", src_wkt), *b = lb_core_strfmt("DST_SRS=%s", rd_wkt);
        opts[0] = a;
        opts[1] = b;
        if (a && b)
            tr = GDALCreateGenImgProjTransformer2(one, NULL, opts);
        free(a);
        free(b);
    }
    double gt[6], ext[4];
    int sx = 0, sy = 0;
    if (tr && GDALSuggestedWarpOutput2(one, GDALGenImgProjTransform, tr, gt, &sx, &sy, ext, 0) ==
                  CE_None) {
        char px[32], threads[32], te[4][32];
        double size = rd_pixel_size(fabs(gt[1]));
        snprintf(px, sizeof(px), "%.17g", size);
        snprintf(threads, sizeof(threads), "NUM_THREADS=%d", lb_ctx_threads(ctx));
        /* The window: the part of the output extent inside @p win (or @p win itself when they
         * do not meet), snapped outward to multiples of the pixel size as -tap snaps the whole
         * extent, so the pixels are those of a warp of everything. */
        double b[4] = {ext[0], ext[1], ext[2], ext[3]};
        if (win) {
            double i0 = fmax(ext[0], win[0]), i1 = fmax(ext[1], win[1]);
            double i2 = fmin(ext[2], win[2]), i3 = fmin(ext[3], win[3]);
            int meet = i2 > i0 && i3 > i1;
            b[0] = meet ? i0 : win[0], b[1] = meet ? i1 : win[1];
            b[2] = meet ? i2 : win[2], b[3] = meet ? i3 : win[3];
        }
        for (int k = 0; k < 4; k++)
            snprintf(te[k], sizeof(te[k]), "%.17g",
                     (k < 2 ? floor(b[k] / size) : ceil(b[k] / size)) * size);
        char *wargv[32];
        int k = 0;
        char *fixed[] = {"-of",    "MEM",  "-s_srs",  src_wkt,
                         "-t_srs", rd_wkt, "-r",      nearest ? "near" : "bilinear",
                         "-tr",    px,     px,        "-et",
                         "0",      "-ot",  "Float64", "-dstnodata",
                         "nan",    "-wo",  threads};
        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
            wargv[k++] = fixed[i];
        if (win) { /* GDAL 3.6 ignores -tap with -te: the bounds are snapped above */
            wargv[k++] = "-te";
            for (int i = 0; i < 4; i++)
                wargv[k++] = te[i];
        } else {
            wargv[k++] = "-tap";
        }
        wargv[k] = NULL;
        wopt = GDALWarpAppOptionsNew(wargv, NULL);
        if (wopt)
            warped = GDALWarp("", NULL, 1, &one, wopt, NULL);
    }
    lb_io_cpl_end(&cap);
    if (!warped) {
        st = lb_ctx_error(ctx, LB_ERR_CRS,
                          "raster input '%s' ('%s'): reprojecting band %d to RD New (EPSG:28992) "
                          "failed: %s",
                          src->name, src->path, band, cap.msg[0] ? cap.msg : "no transformation");
        goto done;
    }
    *out = warped;
done:
    if (tr)
        GDALDestroyGenImgProjTransformer(tr);
    GDALWarpAppOptionsFree(wopt);
    GDALTranslateOptionsFree(topt);
    if (one)
        GDALClose(one);
    CPLFree(src_wkt);
    CPLFree(rd_wkt);
    OSRRelease(rd);
    return st;
}

lb_status lb_raster_read(lb_ctx *ctx, const lb_source *src, int band, lb_band **out)
{
    return lb_raster_read_resampled(ctx, src, band, 0, out);
}

lb_status lb_raster_read_resampled(lb_ctx *ctx, const lb_source *src, int band, int nearest,
                                   lb_band **out)
{
    return lb_raster_read_window(ctx, src, band, nearest, NULL, out);
}

/* Open @p src and check its band @p band, CRS and georeferencing: *native = 1 when it is on a
 * north-up RD grid with square pixels (geotransform in @p gt, read pixel for pixel), 0 when it
 * must be warped (*s_srs_out: its CRS, released by the caller). *ds_out is closed by the caller
 * (on success only). */
static lb_status open_checked(lb_ctx *ctx, const lb_source *src, int band, GDALDatasetH *ds_out,
                              OGRSpatialReferenceH *s_srs_out, int *native, double gt[6])
{
    lb_io_gdal_init();
    struct stat sb;
    if (stat(src->path, &sb) != 0 && strncmp(src->path, "/vsi", 4) != 0)
        return lb_ctx_error(ctx, LB_ERR_IO, "raster input '%s': cannot open '%s': %s", src->name,
                            src->path, strerror(errno));
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    GDALDatasetH ds = GDALOpenEx(
        src->path, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, NULL, NULL, NULL);
    /* A truncated TIFF opens with only warnings ("IO error during reading of GeoKeyDirectory"),
     * losing its georeferencing: say so rather than that it has no CRS. */
    char damage[512] = "";
    if (ds && CPLGetLastErrorType() == CE_Warning && strstr(CPLGetLastErrorMsg(), "IO error"))
        snprintf(damage, sizeof(damage), "%s", CPLGetLastErrorMsg());
    lb_io_cpl_end(&cap);
    if (ds && damage[0]) {
        GDALClose(ds);
        return lb_ctx_error(
            ctx, LB_ERR_IO,
            "raster input '%s': '%s' is damaged or truncated (%s); copy or write it "
            "again",
            src->name, src->path, damage);
    }
    if (!ds)
        return lb_ctx_error(ctx, LB_ERR_IO, "raster input '%s': '%s' is not a readable raster (%s)",
                            src->name, src->path, cap.msg);
    lb_status st = LB_OK;
    OGRSpatialReferenceH s_srs = NULL, rd = NULL;
    int nb = GDALGetRasterCount(ds);
    if (band < 1 || band > nb) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "raster input '%s' ('%s') has %d band(s), no band %d",
                          src->name, src->path, nb, band);
        goto fail;
    }
    st = source_srs(ctx, src, ds, &s_srs);
    if (st != LB_OK)
        goto fail;
    rd = lb_srs_rd(ctx);
    if (!rd) {
        st = LB_ERR_CRS;
        goto fail;
    }
    int has_gt = GDALGetGeoTransform(ds, gt) == CE_None;
    /* RD already, north-up with square pixels: read as is, pixel for pixel. */
    *native = has_gt && OSRIsSame(s_srs, rd) && gt[2] == 0.0 && gt[4] == 0.0 && gt[5] < 0.0 &&
              fabs(gt[1] + gt[5]) <= 1e-9 * gt[1];
    if (!*native && !has_gt && GDALGetGCPCount(ds) == 0) {
        st =
            lb_ctx_error(ctx, LB_ERR_DATA,
                         "raster input '%s' ('%s') has no georeferencing (no geotransform or GCPs)",
                         src->name, src->path);
        goto fail;
    }
    OSRRelease(rd);
    *ds_out = ds;
    *s_srs_out = s_srs;
    return LB_OK;
fail:
    if (rd)
        OSRRelease(rd);
    if (s_srs)
        OSRRelease(s_srs);
    GDALClose(ds);
    return st;
}

lb_status lb_raster_read_window(lb_ctx *ctx, const lb_source *src, int band, int nearest,
                                const double *window, lb_band **out)
{
    GDALDatasetH ds = NULL, warped = NULL;
    OGRSpatialReferenceH s_srs = NULL;
    int native = 0;
    double gt[6];
    lb_status st = open_checked(ctx, src, band, &ds, &s_srs, &native, gt);
    if (st != LB_OK)
        return st;
    if (native) {
        st = read_band(ctx, src, ds, band, band, gt, window, out);
        goto cleanup;
    }
    /* Any other CRS or pixel layout: warp to RD in memory. */
    st = warp_to_rd(ctx, src, ds, band, s_srs, nearest, window, &warped);
    if (st != LB_OK)
        goto cleanup;
    if (GDALGetGeoTransform(warped, gt) != CE_None) {
        st = lb_ctx_error(ctx, LB_ERR_INTERNAL,
                          "raster input '%s': the warped raster lost its grid", src->name);
        goto cleanup;
    }
    st = read_band(ctx, src, warped, 1, band, gt, NULL, out);
cleanup:
    if (warped)
        GDALClose(warped);
    if (s_srs)
        OSRRelease(s_srs);
    GDALClose(ds);
    return st;
}

/* ---- reading by strips of rows ----------------------------------------------------------- */

struct lb_band_rows {
    const lb_source *src;
    int band;
    GDALDatasetH ds;
    GDALRasterBandH b;
    int c0, r0;   /* the window's first column and row in the file */
    int block_y;  /* the file's block height */
    lb_grid grid; /* the window's pixel grid */
};

lb_status lb_raster_rows_open(lb_ctx *ctx, const lb_source *src, int band, const double *window,
                              lb_band_rows **out)
{
    *out = NULL;
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH s_srs = NULL;
    int native = 0;
    double gt[6];
    lb_status st = open_checked(ctx, src, band, &ds, &s_srs, &native, gt);
    if (st != LB_OK)
        return st;
    if (s_srs)
        OSRRelease(s_srs);
    if (!native) {
        GDALClose(ds);
        return LB_OK;
    }
    lb_band_rows *rr = calloc(1, sizeof(*rr));
    if (!rr) {
        GDALClose(ds);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    rr->src = src;
    rr->band = band;
    rr->ds = ds;
    rr->b = GDALGetRasterBand(ds, band);
    int c1, r1, bx = 0, by = 0;
    pixel_window(gt, GDALGetRasterXSize(ds), GDALGetRasterYSize(ds), window, &rr->c0, &c1, &rr->r0,
                 &r1);
    GDALGetBlockSize(rr->b, &bx, &by);
    rr->block_y = by > 0 ? by : 1;
    /* the same grid as read_band() gives for this window */
    rr->grid.nx = c1 - rr->c0;
    rr->grid.ny = r1 - rr->r0;
    rr->grid.cell_m = gt[1];
    rr->grid.x0 = gt[0] + gt[1] * rr->c0;
    rr->grid.y0 = gt[3] + gt[5] * r1;
    *out = rr;
    return LB_OK;
}

const lb_grid *lb_raster_rows_grid(const lb_band_rows *rr)
{
    return &rr->grid;
}

int lb_raster_rows_strip(const lb_band_rows *rr, int row, size_t max_pixels)
{
    /* whole file blocks: a strip ends on a block boundary of the file, so no block is decoded
     * twice */
    size_t per_block = (size_t)rr->block_y * (size_t)rr->grid.nx;
    size_t blocks = per_block ? max_pixels / per_block : 1;
    if (blocks < 1)
        blocks = 1;
    long end = ((long)(rr->r0 + row) / rr->block_y + (long)blocks) * rr->block_y - rr->r0;
    if (end > rr->grid.ny)
        end = rr->grid.ny;
    return (int)(end - row);
}

lb_status lb_raster_rows_read(lb_ctx *ctx, lb_band_rows *rr, int row, int n_rows, double *v,
                              size_t *n_nodata)
{
    lb_status st = read_rows(ctx, rr->src, rr->b, rr->band, rr->c0, rr->r0 + row, rr->grid.nx,
                             n_rows, v, n_nodata);
    /* the rows are read once: do not keep their blocks in GDAL's cache */
    GDALFlushRasterCache(rr->b);
    return st;
}

void lb_raster_rows_close(lb_band_rows *rr)
{
    if (!rr)
        return;
    GDALClose(rr->ds);
    free(rr);
}
