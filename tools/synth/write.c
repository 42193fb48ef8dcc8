/* SPDX-License-Identifier: MIT */
/* Writers: the static and per-year GeoPackages and the Float32 GeoTIFFs (GDAL/OGR; geometries
 * go from GEOS to OGR as WKB). Nothing time-dependent is written. */
#include "synth.h"

#include <stdio.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

typedef struct field_def {
    const char *name;
    OGRFieldType type;
    int width;
} field_def;

static const field_def area_fields[] = {{"WK_CODE", OFTString, 8},
                                        {"WK_NAAM", OFTString, 60},
                                        {"GM_CODE", OFTString, 6},
                                        {"GM_NAAM", OFTString, 60}};
static const field_def gemeente_fields[] = {{"GM_CODE", OFTString, 6}, {"GM_NAAM", OFTString, 60}};
static const field_def pc4_fields[] = {{"PC4", OFTString, 4}};
static const field_def pc6_fields[] = {{"PC6", OFTString, 6}, {"PC4", OFTString, 4}};
static const field_def road_fields[] = {{"TYPE", OFTString, 16}, {"NAAM", OFTString, 60}};
static const field_def buurt_fields[] = {
    {"BU_CODE", OFTString, 10},  {"BU_NAAM", OFTString, 60},  {"WK_CODE", OFTString, 8},
    {"WK_NAAM", OFTString, 60},  {"GM_CODE", OFTString, 6},   {"GM_NAAM", OFTString, 60},
    {"JAAR", OFTInteger, 0},     {"AANT_INW", OFTInteger, 0}, {"AANTAL_HH", OFTInteger, 0},
    {"WONINGEN", OFTInteger, 0}, {"WOZ", OFTReal, 0},         {"P_KOOPWON", OFTReal, 0},
    {"P_HUURCORP", OFTReal, 0},  {"P_EENP_HH", OFTReal, 0},   {"P_HH_M_K", OFTReal, 0},
    {"P_65_EO_JR", OFTReal, 0},  {"P_LINK_HH", OFTReal, 0}};
static const field_def amenity_fields[] = {{"CATEGORY", OFTString, 16}, {"NAAM", OFTString, 80}};
static const field_def incident_fields[] = {{"TYPE", OFTString, 16}, {"JAAR", OFTInteger, 0}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static sy_status gdal_fail(sy_ctx *ctx, const char *what, const char *path)
{
    const char *msg = CPLGetLastErrorMsg();
    return sy_fail(ctx, SY_ERR_IO, "%s '%s'%s%s", what, path, msg && *msg ? ": " : "",
                   msg ? msg : "");
}

static OGRSpatialReferenceH rd_new(void)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return NULL;
    if (OSRImportFromEPSG(srs, 28992) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return NULL;
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

static sy_status layer_new(sy_ctx *ctx, GDALDatasetH ds, const char *path, const char *name,
                           OGRwkbGeometryType type, OGRSpatialReferenceH srs,
                           const char *description, const field_def *fields, size_t n,
                           OGRLayerH *out)
{
    char **opts = NULL;
    opts = CSLSetNameValue(opts, "FID", "fid");
    opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
    opts = CSLSetNameValue(opts, "DESCRIPTION", description);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, name, srs, type, opts);
    CSLDestroy(opts);
    if (!lyr)
        return gdal_fail(ctx, "create layer in", path);
    for (size_t i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        if (fields[i].width > 0)
            OGR_Fld_SetWidth(fd, fields[i].width);
        OGRErr err = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return gdal_fail(ctx, "create field in", path);
    }
    *out = lyr;
    return SY_OK;
}

static OGRGeometryH ogr_from_geos(sy_ctx *ctx, const GEOSGeometry *g, int multipolygon)
{
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(ctx->geos);
    if (!w)
        return NULL;
    size_t size = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(ctx->geos, w, g, &size);
    GEOSWKBWriter_destroy_r(ctx->geos, w);
    if (!wkb)
        return NULL;
    OGRGeometryH og = NULL;
    OGRErr err = OGR_G_CreateFromWkb(wkb, NULL, &og, (int)size);
    GEOSFree_r(ctx->geos, wkb);
    if (err != OGRERR_NONE)
        return NULL;
    return multipolygon ? OGR_G_ForceToMultiPolygon(og) : og;
}

/* Sets string/integer/real fields by name from parallel arrays and writes the feature. */
typedef struct value {
    const char *s;
    double d;
} value;

static sy_status put_feature(sy_ctx *ctx, OGRLayerH lyr, const char *path, const field_def *fields,
                             const value *vals, size_t n, OGRGeometryH geom)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    if (!f) {
        OGR_G_DestroyGeometry(geom);
        return gdal_fail(ctx, "create feature for", path);
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].type == OFTString)
            OGR_F_SetFieldString(f, (int)i, vals[i].s);
        else if (fields[i].type == OFTInteger)
            OGR_F_SetFieldInteger(f, (int)i, (int)vals[i].d);
        else
            OGR_F_SetFieldDouble(f, (int)i, vals[i].d);
    }
    OGR_F_SetGeometryDirectly(f, geom);
    OGRErr err = OGR_L_CreateFeature(lyr, f);
    OGR_F_Destroy(f);
    return err == OGRERR_NONE ? SY_OK : gdal_fail(ctx, "write feature to", path);
}

static OGRGeometryH ogr_point(double x, double y)
{
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    if (g)
        OGR_G_SetPoint_2D(g, 0, x, y);
    return g;
}

static sy_status gpkg_open(sy_ctx *ctx, const char *path, GDALDatasetH *ds,
                           OGRSpatialReferenceH *srs)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return sy_fail(ctx, SY_ERR_IO, "GDAL has no GPKG driver");
    CPLErrorReset();
    *srs = rd_new();
    if (!*srs)
        return sy_fail(ctx, SY_ERR_IO, "cannot build EPSG:28992 (is proj.db installed?)");
    *ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!*ds) {
        OSRDestroySpatialReference(*srs);
        *srs = NULL;
        return gdal_fail(ctx, "create", path);
    }
    if (GDALDatasetStartTransaction(*ds, FALSE) != OGRERR_NONE)
        return gdal_fail(ctx, "start transaction in", path);
    return SY_OK;
}

static sy_status gpkg_close(sy_ctx *ctx, const char *path, GDALDatasetH ds,
                            OGRSpatialReferenceH srs, sy_status st)
{
    if (ds) {
        if (st == SY_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
            st = gdal_fail(ctx, "commit", path);
        CPLErrorReset();
        GDALClose(ds);
        if (st == SY_OK && CPLGetLastErrorType() >= CE_Failure)
            st = gdal_fail(ctx, "close", path);
    }
    if (srs)
        OSRDestroySpatialReference(srs);
    return st;
}

static sy_status write_area(sy_ctx *ctx, OGRLayerH lyr, const char *path, const sy_wijk *w)
{
    value v[] = {{w->code, 0}, {w->name, 0}, {SY_GM_CODE, 0}, {SY_GM_NAAM, 0}};
    OGRGeometryH g = ogr_from_geos(ctx, w->geom, 1);
    if (!g)
        return sy_fail(ctx, SY_ERR_GEOM, "wijk %s: geometry conversion failed", w->code);
    return put_feature(ctx, lyr, path, area_fields, v, COUNT(v), g);
}

sy_status sy_write_static(sy_ctx *ctx, const sy_city *c, const char *path)
{
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    OGRLayerH lyr = NULL;
    char desc[256];
    sy_status st = gpkg_open(ctx, path, &ds, &srs);
    if (st != SY_OK)
        return gpkg_close(ctx, path, ds, srs, st);

    snprintf(desc, sizeof(desc), "Fictitious gemeente %s (leefbaar-synth, seed %lu)", SY_GM_NAAM,
             ctx->seed);
    st = layer_new(ctx, ds, path, "gemeente", wkbMultiPolygon, srs, desc, gemeente_fields,
                   COUNT(gemeente_fields), &lyr);
    if (st == SY_OK) {
        value v[] = {{SY_GM_CODE, 0}, {SY_GM_NAAM, 0}};
        OGRGeometryH g = ogr_from_geos(ctx, c->gemeente, 1);
        st = g ? put_feature(ctx, lyr, path, gemeente_fields, v, COUNT(v), g)
               : sy_fail(ctx, SY_ERR_GEOM, "gemeente: geometry conversion failed");
    }
    if (st == SY_OK) {
        snprintf(desc, sizeof(desc), "Wijken of %s: exact unions of their buurten", SY_GM_NAAM);
        st = layer_new(ctx, ds, path, "wijken", wkbMultiPolygon, srs, desc, area_fields,
                       COUNT(area_fields), &lyr);
    }
    for (int w = 0; st == SY_OK && w < SY_N_WIJKEN; w++)
        st = write_area(ctx, lyr, path, &c->wijken[w]);
    if (st == SY_OK)
        st = layer_new(ctx, ds, path, "focus_wijken", wkbMultiPolygon, srs,
                       "Focus wijken (targeted improvement, like the 2007 aandachtswijken)",
                       area_fields, COUNT(area_fields), &lyr);
    for (int f = 0; st == SY_OK && f < SY_N_FOCUS; f++)
        st = write_area(ctx, lyr, path, &c->wijken[c->focus[f]]);
    if (st == SY_OK)
        st = layer_new(ctx, ds, path, "pc4", wkbMultiPolygon, srs,
                       "PC4 areas: a partition of the gemeente not nested in the wijken",
                       pc4_fields, COUNT(pc4_fields), &lyr);
    for (int p = 0; st == SY_OK && p < SY_N_PC4; p++) {
        value v[] = {{c->pc4[p].code, 0}};
        OGRGeometryH g = ogr_from_geos(ctx, c->pc4[p].geom, 1);
        st = g ? put_feature(ctx, lyr, path, pc4_fields, v, COUNT(v), g)
               : sy_fail(ctx, SY_ERR_GEOM, "pc4 %s: geometry conversion failed", c->pc4[p].code);
    }
    if (st == SY_OK)
        st = layer_new(ctx, ds, path, "pc6", wkbMultiPolygon, srs,
                       "PC6 areas: a partition of the populated area, nested in PC4", pc6_fields,
                       COUNT(pc6_fields), &lyr);
    for (size_t p = 0; st == SY_OK && p < c->n_pc6; p++) {
        value v[] = {{c->pc6[p].code, 0}, {c->pc4[c->pc6[p].pc4].code, 0}};
        OGRGeometryH g = ogr_from_geos(ctx, c->pc6[p].geom, 1);
        st = g ? put_feature(ctx, lyr, path, pc6_fields, v, COUNT(v), g)
               : sy_fail(ctx, SY_ERR_GEOM, "pc6 %s: geometry conversion failed", c->pc6[p].code);
    }
    if (st == SY_OK)
        st = layer_new(ctx, ds, path, "roads", wkbLineString, srs,
                       "Main roads and the railway (clipped to the raster extent)", road_fields,
                       COUNT(road_fields), &lyr);
    for (int k = 0; st == SY_OK && k < SY_N_ROADS; k++) {
        value v[] = {{c->roads[k].type, 0}, {c->roads[k].name, 0}};
        OGRGeometryH g = ogr_from_geos(ctx, c->roads[k].geom, 0);
        st = g ? put_feature(ctx, lyr, path, road_fields, v, COUNT(v), g)
               : sy_fail(ctx, SY_ERR_GEOM, "road %s: geometry conversion failed", c->roads[k].name);
    }
    return gpkg_close(ctx, path, ds, srs, st);
}

sy_status sy_write_year(sy_ctx *ctx, const sy_city *c, int t, const char *path)
{
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    OGRLayerH lyr = NULL;
    char desc[256];
    const int year = sy_years[t];
    sy_status st = gpkg_open(ctx, path, &ds, &srs);
    if (st != SY_OK)
        return gpkg_close(ctx, path, ds, srs, st);

    snprintf(desc, sizeof(desc),
             "Buurten of %s %d, CBS-like attributes (leefbaar-synth, seed %lu, waterbed "
             "strength %g)",
             SY_GM_NAAM, year, ctx->seed, ctx->strength);
    st = layer_new(ctx, ds, path, "buurten", wkbMultiPolygon, srs, desc, buurt_fields,
                   COUNT(buurt_fields), &lyr);
    for (size_t b = 0; st == SY_OK && b < c->n_buurten; b++) {
        const sy_buurt *bu = &c->buurten[b];
        const sy_wijk *w = &c->wijken[bu->wijk];
        const sy_attrs *a = &bu->a[t];
        value v[] = {{bu->code, 0},     {bu->name, 0},     {w->code, 0},      {w->name, 0},
                     {SY_GM_CODE, 0},   {SY_GM_NAAM, 0},   {NULL, year},      {NULL, a->inw},
                     {NULL, a->hh},     {NULL, a->won},    {NULL, a->woz},    {NULL, a->p_koop},
                     {NULL, a->p_corp}, {NULL, a->p_eenp}, {NULL, a->p_hhmk}, {NULL, a->p_65},
                     {NULL, a->p_link}};
        OGRGeometryH g = ogr_from_geos(ctx, bu->geom, 1);
        st = g ? put_feature(ctx, lyr, path, buurt_fields, v, COUNT(v), g)
               : sy_fail(ctx, SY_ERR_GEOM, "buurt %s: geometry conversion failed", bu->code);
    }
    if (st == SY_OK) {
        snprintf(desc, sizeof(desc), "Amenities of %s in %d", SY_GM_NAAM, year);
        st = layer_new(ctx, ds, path, "amenities", wkbPoint, srs, desc, amenity_fields,
                       COUNT(amenity_fields), &lyr);
    }
    for (size_t i = 0; st == SY_OK && i < c->amenities[t].n; i++) {
        const sy_point *p = &c->amenities[t].v[i];
        value v[] = {{sy_amenity_cats[p->cat], 0}, {p->name, 0}};
        st = put_feature(ctx, lyr, path, amenity_fields, v, COUNT(v), ogr_point(p->x, p->y));
    }
    if (st == SY_OK) {
        snprintf(desc, sizeof(desc), "Registered incidents in %s in %d", SY_GM_NAAM, year);
        st = layer_new(ctx, ds, path, "incidents", wkbPoint, srs, desc, incident_fields,
                       COUNT(incident_fields), &lyr);
    }
    for (size_t i = 0; st == SY_OK && i < c->incidents[t].n; i++) {
        const sy_point *p = &c->incidents[t].v[i];
        value v[] = {{sy_inc_types[p->cat], 0}, {NULL, year}};
        st = put_feature(ctx, lyr, path, incident_fields, v, COUNT(v), ogr_point(p->x, p->y));
    }
    return gpkg_close(ctx, path, ds, srs, st);
}

sy_status sy_write_raster(sy_ctx *ctx, const sy_raster *r, const float *values,
                          const char *description, const char *unit, const char *path)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return sy_fail(ctx, SY_ERR_IO, "GDAL has no GTiff driver");
    OGRSpatialReferenceH srs = rd_new();
    if (!srs)
        return sy_fail(ctx, SY_ERR_IO, "cannot build EPSG:28992 (is proj.db installed?)");
    char **co = NULL;
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "PREDICTOR", "3");
    co = CSLSetNameValue(co, "ZLEVEL", "9");
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, r->nx, r->ny, 1, GDT_Float32, co);
    CSLDestroy(co);
    sy_status st = SY_OK;
    if (!ds) {
        OSRDestroySpatialReference(srs);
        return gdal_fail(ctx, "create", path);
    }
    double gt[6] = {r->x0, SY_CELL_M, 0.0, r->y_top, 0.0, -SY_CELL_M};
    char seed[32];
    snprintf(seed, sizeof(seed), "%lu", ctx->seed);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    if (GDALSetGeoTransform(ds, gt) != CE_None || GDALSetSpatialRef(ds, srs) != CE_None ||
        GDALSetMetadataItem(ds, "GENERATOR", "leefbaar-synth city", NULL) != CE_None ||
        GDALSetMetadataItem(ds, "SEED", seed, NULL) != CE_None ||
        GDALSetRasterNoDataValue(band, SY_NODATA) != CE_None ||
        GDALSetRasterUnitType(band, unit) != CE_None)
        st = gdal_fail(ctx, "set georeferencing of", path);
    if (st == SY_OK) {
        GDALSetDescription(band, description);
        if (GDALRasterIO(band, GF_Write, 0, 0, r->nx, r->ny, (void *)values, r->nx, r->ny,
                         GDT_Float32, 0, 0) != CE_None)
            st = gdal_fail(ctx, "write", path);
    }
    CPLErrorReset();
    GDALClose(ds);
    if (st == SY_OK && CPLGetLastErrorType() >= CE_Failure)
        st = gdal_fail(ctx, "close", path);
    OSRDestroySpatialReference(srs);
    return st;
}
