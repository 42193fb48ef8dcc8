/* SPDX-License-Identifier: MIT */
/* Test helpers that write small vector layers and rasters with OGR / GDAL, in any CRS, into a
 * temp dir per test. Include after <cmocka.h> and "test_util.h". */
#ifndef LB_TESTS_TEST_LAYERS_H
#define LB_TESTS_TEST_LAYERS_H

#include <cpl_conv.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stddef.h>
#include <stdlib.h>

/* A fresh temp dir per test: *state points to one of these. */
typedef struct fixture {
    char tmp[256];
} fixture;

/* cmocka setup: make /tmp/lb-test-<tag>-XXXXXX into a new fixture in *state. */
static inline int lb_test_dir_open(void **state, const char *tag)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || lb_test_tmpdir(f->tmp, sizeof(f->tmp), tag) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

/* cmocka teardown: remove the fixture's temp dir and free it. */
static inline int lb_test_dir_close(void **state)
{
    fixture *f = *state;
    int rc = lb_test_rmtree(f->tmp);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* Optional attributes per feature: numeric fields (NaN = null) and one string field. */
typedef struct lb_test_attrs {
    size_t n_num;
    const char *const *num_names;
    const double *const *num; /* num[k][feature] */
    const char *str_name;     /* may be NULL */
    const char *const *str;   /* str[feature] */
} lb_test_attrs;

/* EPSG:@p code with traditional GIS axis order (x = easting / longitude). Release with
 * OSRRelease(). */
static inline OGRSpatialReferenceH lb_test_srs(int code)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(s, code), OGRERR_NONE);
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

/* Write @p n features given as WKT into a new EPSG:28992 file (driver "GeoJSON" or "GPKG"). */
static inline void lb_test_write_layer(const char *path, const char *driver,
                                       OGRwkbGeometryType type, size_t n, char *const *wkt,
                                       const lb_test_attrs *a)
{
    GDALDriverH drv = GDALGetDriverByName(driver);
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = lb_test_srs(28992);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "layer", srs, type, NULL);
    OSRRelease(srs);
    assert_non_null(lyr);
    size_t n_num = a ? a->n_num : 0;
    for (size_t k = 0; k < n_num; k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(a->num_names[k], OFTReal);
        assert_int_equal(OGR_L_CreateField(lyr, fd, TRUE), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    if (a && a->str_name) {
        OGRFieldDefnH fd = OGR_Fld_Create(a->str_name, OFTString);
        assert_int_equal(OGR_L_CreateField(lyr, fd, TRUE), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    assert_int_equal(OGR_L_StartTransaction(lyr), OGRERR_NONE);
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        OGRGeometryH g = NULL;
        char *w = wkt[i];
        assert_int_equal(OGR_G_CreateFromWkt(&w, NULL, &g), OGRERR_NONE);
        OGR_F_SetGeometryDirectly(feat, g);
        for (size_t k = 0; k < n_num; k++) {
            if (isnan(a->num[k][i]))
                OGR_F_SetFieldNull(feat, (int)k);
            else
                OGR_F_SetFieldDouble(feat, (int)k, a->num[k][i]);
        }
        if (a && a->str_name)
            OGR_F_SetFieldString(feat, (int)n_num, a->str[i]);
        assert_int_equal(OGR_L_CreateFeature(lyr, feat), OGRERR_NONE);
        OGR_F_Destroy(feat);
    }
    assert_int_equal(OGR_L_CommitTransaction(lyr), OGRERR_NONE);
    GDALClose(ds);
}

/* A one-band Float64 GeoTIFF in EPSG:@p epsg (0 = no CRS) with geotransform @p gt, values v
 * (row-major, row 0 at the top) and nodata @p nodata (NaN in v is written as nodata). */
static inline void lb_test_write_raster(const char *path, int epsg, const double gt[6], int nx,
                                        int ny, const double *v, double nodata)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, nx, ny, 1, GDT_Float64, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALSetGeoTransform(ds, (double *)gt), CE_None);
    if (epsg) {
        OGRSpatialReferenceH s = lb_test_srs(epsg);
        char *wkt = NULL;
        assert_int_equal(OSRExportToWkt(s, &wkt), OGRERR_NONE);
        assert_int_equal(GDALSetProjection(ds, wkt), CE_None);
        CPLFree(wkt);
        OSRRelease(s);
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    assert_int_equal(GDALSetRasterNoDataValue(b, nodata), CE_None);
    double *buf = malloc((size_t)nx * (size_t)ny * sizeof(double));
    assert_non_null(buf);
    for (size_t i = 0; i < (size_t)nx * (size_t)ny; i++)
        buf[i] = isnan(v[i]) ? nodata : v[i];
    assert_int_equal(GDALRasterIO(b, GF_Write, 0, 0, nx, ny, buf, nx, ny, GDT_Float64, 0, 0),
                     CE_None);
    free(buf);
    GDALClose(ds);
}

#endif
