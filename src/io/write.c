/* SPDX-License-Identifier: MIT */
/* Writers: result tables as GeoPackage / GeoJSON / CSV layers, grids as Cloud Optimized GeoTIFFs
 * (built in a MEM dataset and copied with the COG driver), JSON documents through json-c. */
#include "write.h"

#include "../core/ctx.h"
#include "gdal_env.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <json-c/json_util.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What differs between the vector formats; indexed by lb_vector_format. */
typedef struct vector_format {
    const char *driver;   /* GDAL short name */
    int geometry;         /* writes geometries */
    int add_to_existing;  /* an existing file is opened and gets one more layer */
    int transaction;      /* features go in one transaction (GPKG: one SQLite commit) */
    const char *need_ext; /* required extension, NULL for any */
} vector_format;

static const vector_format vector_formats[] = {
    [LB_FMT_GPKG] = {"GPKG", 1, 1, 1, NULL},
    [LB_FMT_GEOJSON] = {"GeoJSON", 1, 0, 0, NULL},
    /* the CSV driver treats a path without ".csv" as a directory of layers */
    [LB_FMT_CSV] = {"CSV", 0, 0, 0, "csv"},
};

/* GDAL's last failure message, or a stand-in when it gave none. */
static const char *gdal_msg(const lb_cpl_capture *cap)
{
    return cap->msg[0] ? cap->msg : "no message from GDAL";
}

/* Forget earlier captured failures so the next step reports only its own. */
static void cap_reset(lb_cpl_capture *cap)
{
    cap->msg[0] = '\0';
    cap->n_errors = 0;
    CPLErrorReset();
}

/* Close an output and report a failure raised while flushing (GDAL 3.6's GDALClose returns
 * void, so the error state is the only signal). */
static lb_status close_output(lb_ctx *ctx, GDALDatasetH ds, const char *path, lb_cpl_capture *cap)
{
    cap_reset(cap);
    GDALClose(ds);
    if (cap->n_errors > 0 || CPLGetLastErrorType() >= CE_Failure)
        return lb_error(ctx, LB_ERR_IO, "write '%s': closing failed: %s", path,
                        cap->msg[0] ? cap->msg : CPLGetLastErrorMsg());
    return LB_OK;
}

/* VSIStatBufL needs _LARGEFILE64_SOURCE, which strict C17 does not give; opening for reading
 * answers the same question for the files written here. */
static int path_exists(const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (fp)
        VSIFCloseL(fp);
    return fp != NULL;
}

/* Round half away from zero at @p decimals digits. The double nearest a decimal such as 2.675
 * lies a few ulps below it, so round(267.49999999999997) would give 2.67 where the decimal the
 * user sees asks for 2.68; a scaled value within a few ulps of the half therefore counts as the
 * half. Non-finite values and values already integral at this scale pass through. */
static double round_decimals(double v, int decimals)
{
    if (decimals < 0 || decimals > 15 || !isfinite(v))
        return v;
    double p = pow(10.0, decimals);
    double y = v * p;
    if (!isfinite(y) || fabs(y) >= 4503599627370496.0) /* 2^52: no fraction left */
        return v;
    double t = trunc(y);
    double frac = fabs(y - t);
    double r = frac >= 0.5 - 4.0 * DBL_EPSILON * fabs(y) ? t + copysign(1.0, y) : t;
    if (r == 0.0)
        return 0.0; /* no "-0" in the output */
    return r / p;
}

/* The geometry type code in a WKB header (ISO numbering), 0 when the blob is too short. */
static uint32_t wkb_header_type(const unsigned char *wkb, size_t size)
{
    if (!wkb || size < 5)
        return 0;
    if (wkb[0] == 1) /* little endian */
        return (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 | (uint32_t)wkb[3] << 16 |
               (uint32_t)wkb[4] << 24;
    return (uint32_t)wkb[4] | (uint32_t)wkb[3] << 8 | (uint32_t)wkb[2] << 16 |
           (uint32_t)wkb[1] << 24;
}

/* The layer geometry type: the single 2D type all rows share; MultiPolygon when polygons and
 * multipolygons mix (polygons are then promoted, which GeoPackage requires); else Unknown. */
static OGRwkbGeometryType layer_geometry_type(const lb_table *t)
{
    if (!t->wkb)
        return wkbNone;
    uint32_t first = 0;
    int polys_mixed = 0, mixed = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        uint32_t ty = wkb_header_type(t->wkb[r], t->wkb_size[r]);
        if (ty == 0)
            continue;
        if (first == 0)
            first = ty;
        else if (ty != first && (ty == 3 || ty == 6) && (first == 3 || first == 6))
            polys_mixed = 1;
        else if (ty != first)
            mixed = 1;
    }
    if (mixed || first < 1 || first > 7)
        return wkbUnknown;
    if (polys_mixed)
        return wkbMultiPolygon;
    return (OGRwkbGeometryType)first;
}

static char **layer_options(const lb_vector_opts *o)
{
    char **opts = NULL;
    if (o->format == LB_FMT_GEOJSON && !o->geojson_rd) {
        /* RFC 7946: the driver reprojects to CRS84 lon/lat, orients rings by the right-hand
         * rule and leaves out the crs member */
        opts = CSLSetNameValue(opts, "RFC7946", "YES");
        opts = CSLSetNameValue(opts, "COORDINATE_PRECISION", "7");
    } else if (o->format == LB_FMT_GEOJSON) {
        opts = CSLSetNameValue(opts, "COORDINATE_PRECISION", "2"); /* centimetres */
    }
    if (o->format == LB_FMT_GEOJSON)
        /* attributes are rounded already; 15 digits keep 0.1 from printing as
           0.10000000000000001 */
        opts = CSLSetNameValue(opts, "SIGNIFICANT_FIGURES", "15");
    if (o->format == LB_FMT_CSV) {
        opts = CSLSetNameValue(opts, "SEPARATOR", o->csv_sep == ';' ? "SEMICOLON" : "COMMA");
        /* quote strings that look like numbers, so codes such as "0599" stay text (GDAL 3.6
           quotes integer fields as well: valid CSV, and readers still parse them as numbers) */
        opts = CSLSetNameValue(opts, "STRING_QUOTING", "IF_AMBIGUOUS");
    }
    return opts;
}

static OGRFieldType field_type(lb_col_type t)
{
    switch (t) {
    case LB_COL_REAL:
        return OFTReal;
    case LB_COL_INT:
        return OFTInteger64;
    case LB_COL_TEXT:
        break;
    }
    return OFTString;
}

/* Non-finite reals are written as NULL: JSON has no NaN or Infinity and a missing value is
 * what they mean here. */
static void set_field(OGRFeatureH f, int i, const lb_column *c, size_t r)
{
    switch (c->type) {
    case LB_COL_REAL:
        if (isfinite(c->real[r]))
            OGR_F_SetFieldDouble(f, i, round_decimals(c->real[r], c->decimals));
        else
            OGR_F_SetFieldNull(f, i);
        return;
    case LB_COL_INT:
        if (c->integer[r] != LB_INT_NULL)
            OGR_F_SetFieldInteger64(f, i, (GIntBig)c->integer[r]);
        else
            OGR_F_SetFieldNull(f, i);
        return;
    case LB_COL_TEXT:
        if (c->text[r])
            OGR_F_SetFieldString(f, i, c->text[r]);
        else
            OGR_F_SetFieldNull(f, i);
        return;
    }
}

static lb_status check_vector_args(lb_ctx *ctx, const char *path, const lb_table *t,
                                   const lb_vector_opts *o)
{
    if (!path || !t || !o)
        return lb_error(ctx, LB_ERR_ARG, "write vector: path, table and options are required");
    if ((unsigned)o->format > LB_FMT_CSV)
        return lb_error(ctx, LB_ERR_ARG, "write '%s': unknown vector format %d", path,
                        (int)o->format);
    if (o->format == LB_FMT_GPKG && (!o->layer || !o->layer[0]))
        return lb_error(ctx, LB_ERR_ARG, "write '%s': a GeoPackage layer needs a name", path);
    if (o->format == LB_FMT_CSV && o->csv_sep != 0 && o->csv_sep != ',' && o->csv_sep != ';')
        return lb_error(ctx, LB_ERR_ARG, "write '%s': CSV separator must be ',' or ';', not '%c'",
                        path, o->csv_sep);
    const char *ext = vector_formats[o->format].need_ext;
    if (ext && !EQUAL(CPLGetExtension(path), ext))
        return lb_error(ctx, LB_ERR_ARG, "write '%s': a %s file name must end in .%s", path,
                        vector_formats[o->format].driver, ext);
    for (size_t c = 0; c < t->n_cols; c++)
        if (!t->cols[c].name || !t->cols[c].name[0])
            return lb_error(ctx, LB_ERR_ARG, "write '%s': column %zu has no name", path, c);
    return LB_OK;
}

lb_status lb_write_vector(lb_ctx *ctx, const char *path, const lb_table *t, const lb_vector_opts *o)
{
    lb_status st = check_vector_args(ctx, path, t, o);
    if (st != LB_OK)
        return st;
    lb_gdal_init();
    const vector_format *vf = &vector_formats[o->format];

    /* GeoJSON and CSV layers are named after the file (the GeoJSON "name" member) */
    char *lname = lb_strdup(vf->add_to_existing ? o->layer : CPLGetBasename(path));
    if (!lname)
        return lb_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);

    lb_cpl_capture cap;
    lb_cpl_begin(&cap); /* also keeps GDAL's warnings off stderr: the library never prints */
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    OGRFeatureH f = NULL;
    char **opts = NULL;
    int created_file = 0, layer_index = -1, in_transaction = 0;
    int exists = path_exists(path);

    GDALDriverH drv = GDALGetDriverByName(vf->driver);
    if (!drv) {
        st = lb_error(ctx, LB_ERR_IO, "write '%s': GDAL has no %s driver", path, vf->driver);
        goto done;
    }
    if (exists && !vf->add_to_existing) {
        st = lb_error(ctx, LB_ERR_IO, "write '%s': the file already exists", path);
        goto done;
    }
    cap_reset(&cap);
    if (exists) {
        const char *const allowed[] = {vf->driver, NULL};
        ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR, allowed,
                        NULL, NULL);
        if (!ds) {
            st = lb_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot open for update: %s", path,
                          lname, gdal_msg(&cap));
            goto done;
        }
    } else {
        ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
        if (!ds) {
            st = lb_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot create: %s", path, lname,
                          gdal_msg(&cap));
            goto done;
        }
        created_file = 1;
    }
    if (GDALDatasetGetLayerByName(ds, lname)) {
        st = lb_error(ctx, LB_ERR_IO, "write '%s': layer '%s' already exists", path, lname);
        goto done;
    }

    OGRwkbGeometryType gtype = vf->geometry ? layer_geometry_type(t) : wkbNone;
    if (gtype != wkbNone) {
        srs = lb_srs_rd(ctx);
        if (!srs) {
            st = lb_error_prefix(ctx, LB_ERR_CRS, "write '%s' layer '%s': ", path, lname);
            goto done;
        }
    }
    opts = layer_options(o);
    cap_reset(&cap);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, lname, srs, gtype, opts);
    if (!layer) {
        st = lb_error(ctx, LB_ERR_IO, "write '%s': cannot create layer '%s': %s", path, lname,
                      gdal_msg(&cap));
        goto done;
    }
    layer_index = GDALDatasetGetLayerCount(ds) - 1;

    for (size_t c = 0; c < t->n_cols; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(t->cols[c].name, field_type(t->cols[c].type));
        cap_reset(&cap);
        OGRErr err = OGR_L_CreateField(layer, fd, FALSE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            st = lb_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot create field '%s': %s",
                          path, lname, t->cols[c].name, gdal_msg(&cap));
            goto done;
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    if ((size_t)OGR_FD_GetFieldCount(defn) != t->n_cols) {
        st = lb_error(ctx, LB_ERR_INTERNAL, "write '%s' layer '%s': %d fields for %zu columns",
                      path, lname, OGR_FD_GetFieldCount(defn), t->n_cols);
        goto done;
    }

    if (vf->transaction) {
        cap_reset(&cap);
        if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
            st = lb_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot start a transaction: %s",
                          path, lname, gdal_msg(&cap));
            goto done;
        }
        in_transaction = 1;
    }
    f = OGR_F_Create(defn);
    if (!f) {
        st = lb_error(ctx, LB_ERR_NOMEM, "write '%s' layer '%s': out of memory", path, lname);
        goto done;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        /* one feature reused for all rows: CreateFeature assigns it an FID each time */
        OGR_F_SetFID(f, OGRNullFID);
        for (size_t c = 0; c < t->n_cols; c++)
            set_field(f, (int)c, &t->cols[c], r);
        OGRGeometryH g = NULL;
        if (gtype != wkbNone && t->wkb[r]) {
            cap_reset(&cap);
            OGRErr err = OGR_G_CreateFromWkbEx(t->wkb[r], srs, &g, t->wkb_size[r]);
            if (err != OGRERR_NONE) {
                st =
                    lb_error(ctx, LB_ERR_GEOM,
                             "write '%s' layer '%s': row %zu: invalid WKB geometry (%zu bytes)%s%s",
                             path, lname, r, t->wkb_size[r], cap.msg[0] ? ": " : "", cap.msg);
                goto done;
            }
            if (gtype == wkbMultiPolygon && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
                g = OGR_G_ForceToMultiPolygon(g);
        }
        OGR_F_SetGeometryDirectly(f, g);
        cap_reset(&cap);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
            st = lb_error(ctx, LB_ERR_IO, "write '%s' layer '%s': row %zu: cannot write: %s", path,
                          lname, r, gdal_msg(&cap));
            goto done;
        }
    }
    if (in_transaction) {
        cap_reset(&cap);
        in_transaction = 0;
        if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
            st = lb_error(ctx, LB_ERR_IO, "write '%s' layer '%s': commit failed: %s", path, lname,
                          gdal_msg(&cap));
            goto done;
        }
    }
    GDALDatasetH closing = ds;
    ds = NULL;
    st = close_output(ctx, closing, path, &cap);
    if (st != LB_OK)
        lb_error_prefix(ctx, st, "layer '%s': ", lname);

done:
    OGR_F_Destroy(f);
    if (ds && in_transaction)
        GDALDatasetRollbackTransaction(ds);
    /* leave no half-written output: a file we created goes, a layer we added goes */
    if (ds && st != LB_OK && !created_file && layer_index >= 0)
        GDALDatasetDeleteLayer(ds, layer_index);
    if (ds)
        GDALClose(ds);
    if (st != LB_OK && (created_file || (!exists && path_exists(path))))
        VSIUnlink(path);
    CSLDestroy(opts);
    if (srs)
        OSRRelease(srs);
    lb_cpl_end(&cap);
    free(lname);
    return st;
}

/* ---- Cloud Optimized GeoTIFF ---- */

/* A MEM dataset over the grid in RD with no bands yet. */
static lb_status mem_dataset(lb_ctx *ctx, const char *path, const lb_grid *g, lb_cpl_capture *cap,
                             GDALDatasetH *out)
{
    GDALDriverH mem = GDALGetDriverByName("MEM");
    if (!mem)
        return lb_error(ctx, LB_ERR_IO, "write '%s': GDAL has no MEM driver", path);
    OGRSpatialReferenceH srs = lb_srs_rd(ctx);
    if (!srs)
        return lb_error_prefix(ctx, LB_ERR_CRS, "write '%s': ", path);
    cap_reset(cap);
    GDALDatasetH ds = GDALCreate(mem, "", g->nx, g->ny, 0, GDT_Byte, NULL);
    if (!ds) {
        OSRRelease(srs);
        return lb_error(ctx, LB_ERR_NOMEM, "write '%s': cannot create a %d x %d MEM raster: %s",
                        path, g->nx, g->ny, gdal_msg(cap));
    }
    double gt[6];
    lb_grid_geotransform(g, gt);
    GDALSetGeoTransform(ds, gt);
    CPLErr err = GDALSetSpatialRef(ds, srs);
    OSRRelease(srs);
    if (err != CE_None) {
        GDALClose(ds);
        return lb_error(ctx, LB_ERR_CRS, "write '%s': cannot assign EPSG:28992: %s", path,
                        gdal_msg(cap));
    }
    *out = ds;
    return LB_OK;
}

/* Add a band that reads the caller's array in place. The grids can be hundreds of megabytes, so
 * the MEM band borrows the array instead of copying it; nothing writes to it (only
 * GDALCreateCopy reads), which is why dropping const is safe. */
static lb_status add_borrowed_band(lb_ctx *ctx, const char *path, GDALDatasetH ds,
                                   GDALDataType type, const void *data, lb_cpl_capture *cap)
{
    char ptr[64] = {0};
    int n = CPLPrintPointer(ptr, (void *)(uintptr_t)data, (int)sizeof(ptr) - 1);
    ptr[n] = '\0';
    char *opt = lb_strfmt("DATAPOINTER=%s", ptr);
    if (!opt)
        return lb_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
    char *opts[] = {opt, NULL};
    cap_reset(cap);
    CPLErr err = GDALAddBand(ds, type, opts);
    free(opt);
    if (err != CE_None)
        return lb_error(ctx, LB_ERR_IO, "write '%s': cannot add a band to the MEM raster: %s", path,
                        gdal_msg(cap));
    return LB_OK;
}

/* Remove a failed raster output and its PAM sidecar (category names live there). */
static void remove_raster(const char *path)
{
    VSIUnlink(path);
    char *aux = lb_strfmt("%s.aux.xml", path);
    if (aux)
        VSIUnlink(aux);
    free(aux);
}

/* Copy @p src to @p path with the COG driver and close it, reporting failures. */
static lb_status cog_copy(lb_ctx *ctx, const char *path, GDALDatasetH src, char **opts,
                          lb_cpl_capture *cap)
{
    GDALDriverH cog = GDALGetDriverByName("COG");
    if (!cog)
        return lb_error(ctx, LB_ERR_IO, "write '%s': GDAL has no COG driver (GDAL >= 3.1 needed)",
                        path);
    cap_reset(cap);
    GDALDatasetH out = GDALCreateCopy(cog, path, src, FALSE, opts, NULL, NULL);
    if (!out || cap->n_errors > 0) {
        lb_status st =
            lb_error(ctx, LB_ERR_IO, "write '%s': COG creation failed: %s", path, gdal_msg(cap));
        if (out)
            GDALClose(out);
        remove_raster(path);
        return st;
    }
    lb_status st = close_output(ctx, out, path, cap);
    if (st != LB_OK)
        remove_raster(path);
    return st;
}

static int grid_ok(const lb_grid *g)
{
    return g && g->nx > 0 && g->ny > 0 && g->cell_m > 0;
}

/* Nodata NaN, the band's name and unit. */
static void float_band_meta(GDALRasterBandH band, const char *name, const char *units)
{
    GDALSetRasterNoDataValue(band, NAN);
    if (name)
        GDALSetDescription(band, name);
    if (units)
        GDALSetRasterUnitType(band, units);
}

/* The Float32 score COG: DEFLATE with the floating-point predictor, AVERAGE overviews. */
static lb_status cog_copy_float(lb_ctx *ctx, const char *path, GDALDatasetH src,
                                lb_cpl_capture *cap)
{
    /* PREDICTOR=YES is the floating-point predictor (3) for Float32 */
    char *opts[] = {"COMPRESS=DEFLATE",
                    "PREDICTOR=YES",
                    "BLOCKSIZE=256",
                    "BIGTIFF=IF_SAFER",
                    "OVERVIEW_RESAMPLING=AVERAGE",
                    NULL};
    return cog_copy(ctx, path, src, opts, cap);
}

lb_status lb_write_cog_float(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                             const float *const *bands, const char *const *names, const char *units)
{
    if (!path || !grid_ok(g) || n_bands == 0 || !bands)
        return lb_error(ctx, LB_ERR_ARG,
                        "write COG '%s': a path, a non-empty grid and at least one band are "
                        "required",
                        path ? path : "(null)");
    for (size_t b = 0; b < n_bands; b++)
        if (!bands[b])
            return lb_error(ctx, LB_ERR_ARG, "write COG '%s': band %zu has no data", path, b + 1);
    lb_gdal_init();

    lb_cpl_capture cap;
    lb_cpl_begin(&cap);
    GDALDatasetH mem = NULL;
    lb_status st = mem_dataset(ctx, path, g, &cap, &mem);
    for (size_t b = 0; st == LB_OK && b < n_bands; b++) {
        st = add_borrowed_band(ctx, path, mem, GDT_Float32, bands[b], &cap);
        if (st != LB_OK)
            break;
        float_band_meta(GDALGetRasterBand(mem, (int)b + 1), names ? names[b] : NULL, units);
    }
    if (st == LB_OK)
        st = cog_copy_float(ctx, path, mem, &cap);
    if (mem)
        GDALClose(mem);
    lb_cpl_end(&cap);
    return st;
}

/* Parse "#rrggbb". */
static int parse_colour(const char *s, GDALColorEntry *e)
{
    if (!s || s[0] != '#' || strlen(s) != 7)
        return 0;
    int rgb[3];
    for (int k = 0; k < 3; k++) {
        int v = 0;
        for (int d = 0; d < 2; d++) {
            char ch = s[1 + 2 * k + d];
            int x = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (x < 0)
                return 0;
            v = v * 16 + x;
        }
        rgb[k] = v;
    }
    e->c1 = (short)rgb[0];
    e->c2 = (short)rgb[1];
    e->c3 = (short)rgb[2];
    e->c4 = 255;
    return 1;
}

/* Colour table and category names on @p band; entry 0 is the transparent nodata class. */
static lb_status class_legend(lb_ctx *ctx, const char *path, GDALRasterBandH band, size_t n_classes,
                              const char *const *labels, const char *const *colours,
                              lb_cpl_capture *cap)
{
    lb_status st = LB_OK;
    GDALColorTableH ct = GDALCreateColorTable(GPI_RGB);
    char **cats = CSLAddString(NULL, "geen score");
    GDALColorEntry none = {0, 0, 0, 0};
    GDALSetColorEntry(ct, 0, &none);
    for (size_t k = 0; k < n_classes; k++) {
        GDALColorEntry e;
        if (!parse_colour(colours[k], &e)) {
            st = lb_error(ctx, LB_ERR_ARG, "write '%s': class %zu: colour '%s' is not #rrggbb",
                          path, k + 1, colours[k] ? colours[k] : "(null)");
            goto done;
        }
        GDALSetColorEntry(ct, (int)k + 1, &e);
        cats = CSLAddString(cats, labels && labels[k] ? labels[k] : "");
    }
    cap_reset(cap);
    if (GDALSetRasterColorTable(band, ct) != CE_None ||
        GDALSetRasterCategoryNames(band, cats) != CE_None)
        st = lb_error(ctx, LB_ERR_IO, "write '%s': cannot set the class legend: %s", path,
                      gdal_msg(cap));
done:
    CSLDestroy(cats);
    GDALDestroyColorTable(ct);
    return st;
}

/* GDAL 3.6's GTiff keeps category names only in the PAM sidecar, so besides @p path this
 * writes "<path>.aux.xml"; the colour table and nodata are inside the TIFF. */
lb_status lb_write_cog_classes(lb_ctx *ctx, const char *path, const lb_grid *g,
                               const unsigned char *classes, size_t n_classes,
                               const char *const *labels, const char *const *colours)
{
    if (!path || !grid_ok(g) || !classes || !colours || n_classes == 0 || n_classes > 255)
        return lb_error(ctx, LB_ERR_ARG,
                        "write class COG '%s': a path, a non-empty grid, the classes and 1..255 "
                        "colours are required",
                        path ? path : "(null)");
    size_t n = lb_grid_ncells(g);
    for (size_t i = 0; i < n; i++)
        if (classes[i] > n_classes)
            return lb_error(ctx, LB_ERR_ARG, "write class COG '%s': cell %zu has class %u of %zu",
                            path, i, (unsigned)classes[i], n_classes);
    lb_gdal_init();

    lb_cpl_capture cap;
    lb_cpl_begin(&cap);
    GDALDatasetH mem = NULL;
    lb_status st = mem_dataset(ctx, path, g, &cap, &mem);
    if (st == LB_OK)
        st = add_borrowed_band(ctx, path, mem, GDT_Byte, classes, &cap);
    if (st == LB_OK) {
        GDALRasterBandH band = GDALGetRasterBand(mem, 1);
        GDALSetRasterNoDataValue(band, 0);
        st = class_legend(ctx, path, band, n_classes, labels, colours, &cap);
    }
    if (st == LB_OK) {
        char *opts[] = {"COMPRESS=DEFLATE", "BLOCKSIZE=256", "BIGTIFF=IF_SAFER",
                        "OVERVIEW_RESAMPLING=NEAREST", NULL};
        st = cog_copy(ctx, path, mem, opts, &cap);
    }
    if (mem)
        GDALClose(mem);
    lb_cpl_end(&cap);
    return st;
}

/* ---- Cloud Optimized GeoTIFF, one band at a time ---- */

lb_status lb_write_cog_float_bands(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                                   lb_band_fill_fn fill, void *user, const char *const *names,
                                   const char *units)
{
    if (!path || !grid_ok(g) || n_bands == 0 || !fill)
        return lb_error(ctx, LB_ERR_ARG,
                        "write COG '%s': a path, a non-empty grid, bands and a fill function "
                        "are required",
                        path ? path : "(null)");
    lb_gdal_init();
    size_t n = lb_grid_ncells(g);
    float *buf = malloc(n * sizeof(float));
    char *tmp = lb_strfmt("%s.bands.tif", path);
    OGRSpatialReferenceH srs = NULL;
    GDALDatasetH ds = NULL;
    lb_cpl_capture cap;
    lb_cpl_begin(&cap);
    lb_status st =
        buf && tmp ? LB_OK : lb_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
    GDALDriverH gtiff = GDALGetDriverByName("GTiff");
    if (st == LB_OK && !gtiff)
        st = lb_error(ctx, LB_ERR_IO, "write '%s': GDAL has no GTiff driver", path);
    if (st == LB_OK && !(srs = lb_srs_rd(ctx)))
        st = lb_error_prefix(ctx, LB_ERR_CRS, "write '%s': ", path);
    if (st == LB_OK) {
        /* Band-interleaved tiles, fast compression: a scratch file read once by the COG copy. */
        char *copts[] = {"TILED=YES",       "BLOCKXSIZE=256",   "BLOCKYSIZE=256",
                         "INTERLEAVE=BAND", "COMPRESS=DEFLATE", "ZLEVEL=1",
                         "PREDICTOR=3",     "BIGTIFF=IF_SAFER", NULL};
        cap_reset(&cap);
        ds = GDALCreate(gtiff, tmp, g->nx, g->ny, (int)n_bands, GDT_Float32, copts);
        if (!ds)
            st = lb_error(ctx, LB_ERR_IO, "write '%s': cannot create '%s': %s", path, tmp,
                          gdal_msg(&cap));
    }
    if (st == LB_OK) {
        double gt[6];
        lb_grid_geotransform(g, gt);
        GDALSetGeoTransform(ds, gt);
        if (GDALSetSpatialRef(ds, srs) != CE_None)
            st = lb_error(ctx, LB_ERR_CRS, "write '%s': cannot assign EPSG:28992: %s", path,
                          gdal_msg(&cap));
    }
    for (size_t b = 0; st == LB_OK && b < n_bands; b++) {
        st = fill(user, b, buf);
        if (st != LB_OK)
            break;
        GDALRasterBandH band = GDALGetRasterBand(ds, (int)b + 1);
        float_band_meta(band, names ? names[b] : NULL, units);
        cap_reset(&cap);
        if (GDALRasterIO(band, GF_Write, 0, 0, g->nx, g->ny, buf, g->nx, g->ny, GDT_Float32, 0,
                         0) != CE_None ||
            GDALFlushRasterCache(band) != CE_None)
            st = lb_error(ctx, LB_ERR_IO, "write '%s': band %zu: %s", path, b + 1, gdal_msg(&cap));
    }
    free(buf);
    buf = NULL;
    if (st == LB_OK)
        st = cog_copy_float(ctx, path, ds, &cap);
    if (ds)
        GDALClose(ds);
    if (tmp)
        remove_raster(tmp);
    if (srs)
        OSRRelease(srs);
    lb_cpl_end(&cap);
    free(buf);
    free(tmp);
    return st;
}

/* ---- JSON ---- */

lb_status lb_write_json(lb_ctx *ctx, const char *path, struct json_object *doc)
{
    if (!path || !doc)
        return lb_error(ctx, LB_ERR_ARG, "write JSON: a path and a document are required");
    errno = 0;
    if (json_object_to_file_ext(path, doc,
                                JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) != 0) {
        int err = errno;
        return lb_error(ctx, LB_ERR_IO, "write '%s': %s", path,
                        err ? strerror(err) : json_util_get_last_err());
    }
    return LB_OK;
}
