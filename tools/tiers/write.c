/* SPDX-License-Identifier: MIT */
/* Writers of a tier: GeoPackages (buurten per year, PC4, 100 m squares per year, amenities and
 * incidents per year) and tiled Float32 GeoTIFFs, all in EPSG:28992 with nothing
 * time-dependent in them. */
#include "tiers.h"

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

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static tr_status gdal_fail(tr_ctx *ctx, const char *what, const char *path)
{
    const char *msg = CPLGetLastErrorMsg();
    return tr_fail(ctx, TR_ERR_IO, "%s '%s'%s%s", what, path, msg && *msg ? ": " : "",
                   msg ? msg : "");
}

static OGRSpatialReferenceH rd_new(void)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (srs && OSRImportFromEPSG(srs, 28992) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        return NULL;
    }
    if (srs)
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

typedef struct gpkg {
    GDALDatasetH ds;
    OGRSpatialReferenceH srs;
    OGRLayerH lyr;
    const char *path;
} gpkg;

static tr_status gpkg_open(tr_ctx *ctx, gpkg *g, const char *path, const char *layer,
                           OGRwkbGeometryType type, const char *description,
                           const field_def *fields, size_t n)
{
    g->path = path;
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return tr_fail(ctx, TR_ERR_IO, "GDAL has no GPKG driver");
    CPLErrorReset();
    g->srs = rd_new();
    if (!g->srs)
        return tr_fail(ctx, TR_ERR_IO, "cannot build EPSG:28992 (is proj.db installed?)");
    g->ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!g->ds)
        return gdal_fail(ctx, "create", path);
    char **opts = NULL;
    opts = CSLSetNameValue(opts, "FID", "fid");
    opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
    opts = CSLSetNameValue(opts, "DESCRIPTION", description);
    g->lyr = GDALDatasetCreateLayer(g->ds, layer, g->srs, type, opts);
    CSLDestroy(opts);
    if (!g->lyr)
        return gdal_fail(ctx, "create layer in", path);
    for (size_t i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        if (fields[i].width > 0)
            OGR_Fld_SetWidth(fd, fields[i].width);
        OGRErr err = OGR_L_CreateField(g->lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return gdal_fail(ctx, "create field in", path);
    }
    if (GDALDatasetStartTransaction(g->ds, FALSE) != OGRERR_NONE)
        return gdal_fail(ctx, "start transaction in", path);
    return TR_OK;
}

static tr_status gpkg_close(tr_ctx *ctx, gpkg *g, tr_status st)
{
    if (g->ds) {
        if (st == TR_OK && GDALDatasetCommitTransaction(g->ds) != OGRERR_NONE)
            st = gdal_fail(ctx, "commit", g->path);
        CPLErrorReset();
        GDALClose(g->ds);
        if (st == TR_OK && CPLGetLastErrorType() >= CE_Failure)
            st = gdal_fail(ctx, "close", g->path);
    }
    if (g->srs)
        OSRDestroySpatialReference(g->srs);
    return st;
}

/* A value per field: text or number (integers are written as such). */
typedef struct value {
    const char *s;
    double d;
} value;

static tr_status put(tr_ctx *ctx, gpkg *g, const field_def *fields, const value *v, size_t n,
                     OGRGeometryH geom)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(g->lyr));
    if (!f) {
        OGR_G_DestroyGeometry(geom);
        return gdal_fail(ctx, "create feature for", g->path);
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].type == OFTString)
            OGR_F_SetFieldString(f, (int)i, v[i].s);
        else if (fields[i].type == OFTInteger)
            OGR_F_SetFieldInteger(f, (int)i, (int)v[i].d);
        else if (fields[i].type == OFTInteger64)
            OGR_F_SetFieldInteger64(f, (int)i, (GIntBig)v[i].d);
        else
            OGR_F_SetFieldDouble(f, (int)i, v[i].d);
    }
    OGR_F_SetGeometryDirectly(f, geom);
    OGRErr err = OGR_L_CreateFeature(g->lyr, f);
    OGR_F_Destroy(f);
    return err == OGRERR_NONE ? TR_OK : gdal_fail(ctx, "write feature to", g->path);
}

static OGRGeometryH ring_polygon(const tr_rings *r, size_t p, int multi)
{
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    size_t n = r->off[p + 1] - r->off[p];
    const double *xy = r->xy + 2 * r->off[p];
    OGR_G_SetPointCount(ring, (int)n);
    for (size_t i = 0; i < n; i++)
        OGR_G_SetPoint_2D(ring, (int)i, xy[2 * i], xy[2 * i + 1]);
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddGeometryDirectly(poly, ring);
    if (!multi)
        return poly;
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    OGR_G_AddGeometryDirectly(mp, poly);
    return mp;
}

static const field_def buurt_fields[] = {
    {"BU_CODE", OFTString, 10},  {"BU_NAAM", OFTString, 60},   {"WK_CODE", OFTString, 8},
    {"GM_CODE", OFTString, 6},   {"GM_NAAM", OFTString, 60},   {"JAAR", OFTInteger, 0},
    {"AANT_INW", OFTInteger, 0}, {"AANTAL_HH", OFTInteger, 0}, {"WONINGEN", OFTInteger, 0},
    {"WOZ", OFTReal, 0},         {"P_KOOPWON", OFTReal, 0},    {"P_HUURCORP", OFTReal, 0},
    {"P_EENP_HH", OFTReal, 0},   {"P_HH_M_K", OFTReal, 0},     {"P_65_EO_JR", OFTReal, 0},
    {"OPP_TOT", OFTInteger, 0},  {"BEV_DICHTH", OFTInteger, 0}};

tr_status tr_write_buurten(tr_ctx *ctx, const tr_world *w, int y, const char *path)
{
    gpkg g = {0};
    char desc[256];
    snprintf(desc, sizeof(desc),
             "Synthetic buurten of tier %s in %d, CBS-like fields (leefbaar-tiers, seed %lu)",
             ctx->tier->name, tr_years[y], ctx->seed);
    tr_status st = gpkg_open(ctx, &g, path, "buurten", wkbMultiPolygon, desc, buurt_fields,
                             COUNT(buurt_fields));
    for (size_t i = 0; st == TR_OK && i < w->bseeds.n_keep; i++) {
        const tr_buurt *b = &w->buurten[i];
        double ha = b->area_m2 / 1e4;
        double km2 = b->area_m2 / 1e6;
        value v[] = {{b->code, 0},
                     {b->name, 0},
                     {b->wk_code, 0},
                     {b->gm_code, 0},
                     {b->gm_name, 0},
                     {NULL, tr_years[y]},
                     {NULL, (double)b->inw[y]},
                     {NULL, (double)b->hh[y]},
                     {NULL, (double)b->won[y]},
                     {NULL, b->woz[y]},
                     {NULL, b->p_koop[y]},
                     {NULL, b->p_corp[y]},
                     {NULL, b->p_eenp[y]},
                     {NULL, b->p_hhmk[y]},
                     {NULL, b->p_65[y]},
                     {NULL, (double)(long)(ha + 0.5)},
                     {NULL, km2 > 0 ? (double)(long)(b->inw[y] / km2 + 0.5) : 0}};
        st = put(ctx, &g, buurt_fields, v, COUNT(v), ring_polygon(&w->buurt_rings, i, 1));
    }
    return gpkg_close(ctx, &g, st);
}

static const field_def pc4_fields[] = {{"PC4", OFTString, 4}, {"AANT_INW", OFTInteger, 0}};

tr_status tr_write_pc4(tr_ctx *ctx, const tr_world *w, const char *path)
{
    gpkg g = {0};
    char desc[256];
    snprintf(desc, sizeof(desc), "Synthetic PC4 areas of tier %s, 2020 (leefbaar-tiers, seed %lu)",
             ctx->tier->name, ctx->seed);
    tr_status st =
        gpkg_open(ctx, &g, path, "pc4", wkbMultiPolygon, desc, pc4_fields, COUNT(pc4_fields));
    for (size_t i = 0; st == TR_OK && i < w->pseeds.n_keep; i++) {
        char code[16];
        snprintf(code, sizeof(code), "%04zu", 1000 + i % 9000);
        value v[] = {{code, 0}, {NULL, (double)w->pc4_inw[i]}};
        st = put(ctx, &g, pc4_fields, v, COUNT(v), ring_polygon(&w->pc4_rings, i, 1));
    }
    return gpkg_close(ctx, &g, st);
}

static const field_def square_fields[] = {{"crs28992res100m", OFTString, 10},
                                          {"aantal_inwoners", OFTInteger, 0},
                                          {"aantal_woningen", OFTInteger, 0}};

tr_status tr_write_squares(tr_ctx *ctx, const tr_world *w, int y, const char *path)
{
    const tr_tier *t = ctx->tier;
    gpkg g = {0};
    char desc[256];
    snprintf(desc, sizeof(desc),
             "Synthetic inhabited 100 m squares (CBS vierkant-like) of tier %s in %d "
             "(leefbaar-tiers, seed %lu)",
             t->name, tr_years[y], ctx->seed);
    tr_status st = gpkg_open(ctx, &g, path, "vierkanten", wkbPolygon, desc, square_fields,
                             COUNT(square_fields));
    for (size_t q = 0; st == TR_OK && q < w->n_sq; q++) {
        const tr_square *s = &w->sq[q];
        int row = (int)(s->cell / (uint32_t)w->nx), col = (int)(s->cell % (uint32_t)w->nx);
        double x = t->xmin + col * TR_CELL_M, yy = t->ymax - (row + 1) * TR_CELL_M;
        char code[24];
        snprintf(code, sizeof(code), "E%04dN%04d", (int)(x / 100), (int)(yy / 100));
        value v[] = {{code, 0}, {NULL, s->inw[y]}, {NULL, s->won[y]}};
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        OGR_G_AddPoint_2D(ring, x, yy);
        OGR_G_AddPoint_2D(ring, x + TR_CELL_M, yy);
        OGR_G_AddPoint_2D(ring, x + TR_CELL_M, yy + TR_CELL_M);
        OGR_G_AddPoint_2D(ring, x, yy + TR_CELL_M);
        OGR_G_AddPoint_2D(ring, x, yy);
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        st = put(ctx, &g, square_fields, v, COUNT(v), poly);
    }
    return gpkg_close(ctx, &g, st);
}

static const field_def amenity_fields[] = {{"CATEGORY", OFTString, 16}, {"JAAR", OFTInteger, 0}};
static const field_def incident_fields[] = {{"TYPE", OFTString, 16}, {"JAAR", OFTInteger, 0}};

tr_status tr_write_points(tr_ctx *ctx, const tr_world *w, int amenities, int y, const char *path)
{
    gpkg g = {0};
    char desc[256];
    snprintf(desc, sizeof(desc), "Synthetic %s of tier %s in %d (leefbaar-tiers, seed %lu)",
             amenities ? "amenities" : "incidents", ctx->tier->name, tr_years[y], ctx->seed);
    const field_def *fields = amenities ? amenity_fields : incident_fields;
    const tr_points *pts = amenities ? &w->amenities[y] : &w->incidents[y];
    tr_status st =
        gpkg_open(ctx, &g, path, amenities ? "amenities" : "incidents", wkbPoint, desc, fields, 2);
    for (size_t i = 0; st == TR_OK && i < pts->n; i++) {
        const tr_point *p = &pts->v[i];
        value v[] = {{amenities ? tr_amenity_cats[p->cat] : tr_inc_types[p->cat], 0},
                     {NULL, tr_years[y]}};
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(pt, 0, p->x, p->y);
        st = put(ctx, &g, fields, v, 2, pt);
    }
    return gpkg_close(ctx, &g, st);
}

tr_status tr_write_raster(tr_ctx *ctx, const tr_world *w, const float *v, const char *name,
                          const char *unit, const char *path)
{
    const tr_tier *t = ctx->tier;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return tr_fail(ctx, TR_ERR_IO, "GDAL has no GTiff driver");
    OGRSpatialReferenceH srs = rd_new();
    if (!srs)
        return tr_fail(ctx, TR_ERR_IO, "cannot build EPSG:28992 (is proj.db installed?)");
    /* Tiled and uncompressed: every peer reads it at disk speed, as a national raster store
     * would serve it. */
    char **co = NULL;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "BLOCKXSIZE", "256");
    co = CSLSetNameValue(co, "BLOCKYSIZE", "256");
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, path, w->nx, w->ny, 1, GDT_Float32, co);
    CSLDestroy(co);
    if (!ds) {
        OSRDestroySpatialReference(srs);
        return gdal_fail(ctx, "create", path);
    }
    tr_status st = TR_OK;
    double gt[6] = {t->xmin, TR_CELL_M, 0.0, t->ymax, 0.0, -TR_CELL_M};
    char seed[32];
    snprintf(seed, sizeof(seed), "%lu", ctx->seed);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    if (GDALSetGeoTransform(ds, gt) != CE_None || GDALSetSpatialRef(ds, srs) != CE_None ||
        GDALSetMetadataItem(ds, "GENERATOR", "leefbaar-tiers", NULL) != CE_None ||
        GDALSetMetadataItem(ds, "SEED", seed, NULL) != CE_None ||
        GDALSetRasterNoDataValue(band, TR_NODATA) != CE_None ||
        GDALSetRasterUnitType(band, unit) != CE_None)
        st = gdal_fail(ctx, "set georeferencing of", path);
    if (st == TR_OK) {
        GDALSetDescription(band, name);
        if (GDALRasterIO(band, GF_Write, 0, 0, w->nx, w->ny, (void *)v, w->nx, w->ny, GDT_Float32,
                         0, 0) != CE_None)
            st = gdal_fail(ctx, "write", path);
    }
    CPLErrorReset();
    GDALClose(ds);
    if (st == TR_OK && CPLGetLastErrorType() >= CE_Failure)
        st = gdal_fail(ctx, "close", path);
    OSRDestroySpatialReference(srs);
    return st;
}
