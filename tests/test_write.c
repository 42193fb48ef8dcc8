/* SPDX-License-Identifier: MIT */
/* Tests of the writers: hand-built tables and grids are written, then read back with GDAL/OGR
 * and json-c and checked field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_legend.h"
#include "test_util.h"

#include "core/ctx.h"
#include "data/grid.h"
#include "data/table.h"
#include "io/gdal_env.h"
#include "io/write.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <json-c/json.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef lb_test_dir fixture;

static int setup(void **state)
{
    return lb_test_dir_setup(state, "write");
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

/* Little-endian WKB of the square [x, x+size] × [y, y+size], clockwise or counter-clockwise. */
static unsigned char *square_wkb(double x, double y, double size, int clockwise, size_t *len)
{
    double ccw[5][2] = {{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}};
    *len = 1 + 4 + 4 + 4 + 5 * 16;
    unsigned char *w = malloc(*len);
    assert_non_null(w);
    w[0] = 1;
    put_u32(w + 1, 3);
    put_u32(w + 5, 1);
    put_u32(w + 9, 5);
    for (int i = 0; i < 5; i++) {
        int k = clockwise ? 4 - i : i;
        put_f64(w + 13 + 16 * i, ccw[k][0]);
        put_f64(w + 13 + 16 * i + 8, ccw[k][1]);
    }
    return w;
}

/* Two 100 m RD squares side by side near Utrecht: the first wound clockwise, the second
 * counter-clockwise. Columns: code (text), lbm (real, 2 decimals), afw (real, 1 decimal),
 * raw (real, all decimals), n (int). Row 1 has every value missing. */
static lb_table *sample_table(lb_ctx *ctx)
{
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(ctx, 2, &t), LB_OK);
    /* lb_table_add reallocates the column array, so columns are looked up after all are added */
    const char *const names[] = {"code", "lbm", "afw", "raw", "n"};
    const lb_col_type types[] = {LB_COL_TEXT, LB_COL_REAL, LB_COL_REAL, LB_COL_REAL, LB_COL_INT};
    for (size_t k = 0; k < 5; k++) {
        lb_column *c;
        assert_int_equal(lb_table_add(ctx, t, names[k], types[k], &c), LB_OK);
    }
    lb_column *code = lb_table_col(t, "code"), *lbm = lb_table_col(t, "lbm");
    lb_column *afw = lb_table_col(t, "afw"), *raw = lb_table_col(t, "raw");
    lb_column *n = lb_table_col(t, "n");
    code->text[0] = lb_core_strdup("0599");
    lbm->decimals = 2;
    lbm->real[0] = 2.675; /* the double lies just below 2.675: half away from zero = 2.68 */
    afw->decimals = 1;
    afw->real[0] = -1.25;
    afw->real[1] = NAN;
    raw->real[0] = 0.1234567890123;
    n->integer[0] = 42;
    for (size_t r = 0; r < 2; r++) {
        size_t len;
        unsigned char *w = square_wkb(155000.0 + 100.0 * (double)r, 463000.0, 100.0, r == 0, &len);
        assert_int_equal(lb_table_set_geometry(ctx, t, r, w, len), LB_OK);
    }
    return t;
}

static GDALDatasetH open_vector(const char *path)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    return ds;
}

static int field_index(OGRLayerH layer, const char *name)
{
    int i = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), name);
    assert_true(i >= 0);
    return i;
}

static void check_gpkg_layer(GDALDatasetH ds, const char *name)
{
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, name);
    assert_non_null(layer);
    assert_int_equal(OGR_L_GetFeatureCount(layer, TRUE), 2);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    assert_int_equal(OGR_FD_GetFieldCount(defn), 5);
    int i_code = field_index(layer, "code"), i_lbm = field_index(layer, "lbm");
    int i_afw = field_index(layer, "afw"), i_raw = field_index(layer, "raw");
    int i_n = field_index(layer, "n");
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, i_code)), OFTString);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, i_lbm)), OFTReal);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, i_raw)), OFTReal);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, i_n)), OFTInteger64);

    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    assert_non_null(srs);
    assert_string_equal(OSRGetAuthorityCode(srs, NULL), "28992");

    OGR_L_ResetReading(layer);
    OGRFeatureH f = OGR_L_GetNextFeature(layer);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, i_code), "0599");
    assert_near(OGR_F_GetFieldAsDouble(f, i_lbm), 2.68, 1e-12);
    assert_near(OGR_F_GetFieldAsDouble(f, i_afw), -1.3, 1e-12);
    assert_near(OGR_F_GetFieldAsDouble(f, i_raw), 0.1234567890123, 1e-15);
    assert_true(OGR_F_GetFieldAsInteger64(f, i_n) == 42);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    assert_non_null(g);
    assert_near(OGR_G_Area(g), 10000.0, 1e-6);
    OGREnvelope env;
    OGR_G_GetEnvelope(g, &env);
    assert_near(env.MinX, 155000.0, 1e-9);
    assert_near(env.MinY, 463000.0, 1e-9);
    OGR_F_Destroy(f);

    f = OGR_L_GetNextFeature(layer);
    assert_non_null(f);
    assert_true(OGR_F_IsFieldNull(f, i_code));
    assert_true(OGR_F_IsFieldNull(f, i_lbm)); /* NaN */
    assert_true(OGR_F_IsFieldNull(f, i_afw));
    assert_true(OGR_F_IsFieldNull(f, i_raw));
    assert_true(OGR_F_IsFieldNull(f, i_n)); /* LB_INT_NULL */
    OGR_F_Destroy(f);
}

static void test_write_gpkg_two_layers(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    const char *path = lb_test_path(fx, "scores.gpkg");
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "grid"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    o.layer = "buurt";
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    GDALDatasetH ds = open_vector(path);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 2);
    check_gpkg_layer(ds, "grid");
    check_gpkg_layer(ds, "buurt");
    GDALClose(ds);
    lb_table_destroy(t);
}

/* Half away from zero at the column's decimals, on values chosen at the half and just off it. */
static void test_write_gpkg_rounds_half_away_from_zero(void **state)
{
    fixture *fx = *state;
    const double in[] = {1.25, -1.25, 0.05, -0.04, 1.005, 2.5, -2.5, 123.449};
    const int dec[] = {1, 1, 1, 1, 2, 0, 0, 1};
    const double want[] = {1.3, -1.3, 0.1, 0.0, 1.01, 3.0, -3.0, 123.4};
    const size_t n = sizeof(in) / sizeof(in[0]);
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, 1, &t), LB_OK);
    for (size_t k = 0; k < n; k++) {
        char name[16];
        snprintf(name, sizeof(name), "v%zu", k);
        lb_column *c;
        assert_int_equal(lb_table_add(fx->ctx, t, name, LB_COL_REAL, &c), LB_OK);
    }
    for (size_t k = 0; k < n; k++) {
        t->cols[k].decimals = dec[k];
        t->cols[k].real[0] = in[k];
    }
    const char *path = lb_test_path(fx, "round.gpkg");
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "r"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    GDALDatasetH ds = open_vector(path);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "r");
    assert_non_null(layer);
    assert_int_equal(OGR_L_GetGeomType(layer), wkbNone);
    OGRFeatureH f = OGR_L_GetNextFeature(layer);
    assert_non_null(f);
    for (size_t k = 0; k < n; k++) {
        double v = OGR_F_GetFieldAsDouble(f, (int)k);
        assert_near(v, want[k], 1e-12);
        assert_false(signbit(v) && v == 0.0); /* no negative zero */
    }
    OGR_F_Destroy(f);
    GDALClose(ds);
    lb_table_destroy(t);
}

static void test_write_gpkg_layer_twice_is_error(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    const char *path = lb_test_path(fx, "twice.gpkg");
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "buurt"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), path));
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "'buurt'"));

    /* the first layer is untouched */
    GDALDatasetH ds = open_vector(path);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
    check_gpkg_layer(ds, "buurt");
    GDALClose(ds);
    lb_table_destroy(t);
}

/* A MultiPolygon WKB holding one square. */
static unsigned char *multi_square_wkb(double x, double y, size_t *len)
{
    size_t plen;
    unsigned char *poly = square_wkb(x, y, 100.0, 0, &plen);
    *len = 9 + plen;
    unsigned char *w = malloc(*len);
    assert_non_null(w);
    w[0] = 1;
    put_u32(w + 1, 6);
    put_u32(w + 5, 1);
    memcpy(w + 9, poly, plen);
    free(poly);
    return w;
}

/* Polygons and multipolygons in one table make a MultiPolygon layer, as GeoPackage wants. */
static void test_write_gpkg_mixed_polygons_promoted(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    size_t len;
    unsigned char *w = multi_square_wkb(155100.0, 463000.0, &len);
    assert_int_equal(lb_table_set_geometry(fx->ctx, t, 1, w, len), LB_OK);
    const char *path = lb_test_path(fx, "mixed.gpkg");
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "buurt"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    GDALDatasetH ds = open_vector(path);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "buurt");
    assert_non_null(layer);
    assert_int_equal(OGR_L_GetGeomType(layer), wkbMultiPolygon);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbMultiPolygon);
        assert_near(OGR_G_Area(g), 10000.0, 1e-6);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    lb_table_destroy(t);
}

/* A bad geometry fails the write and leaves no trace: a new file is removed, a layer added to
 * an existing file is dropped again. */
static void test_write_gpkg_bad_geometry_leaves_no_trace(void **state)
{
    fixture *fx = *state;
    lb_table *good = sample_table(fx->ctx);
    lb_table *bad = sample_table(fx->ctx);
    unsigned char *junk = malloc(9);
    assert_non_null(junk);
    memcpy(junk, "\x01\x03\x00\x00\x00\xff\xff\xff\x7f", 9); /* 2^31 rings, no data */
    assert_int_equal(lb_table_set_geometry(fx->ctx, bad, 1, junk, 9), LB_OK);

    char path[300];
    snprintf(path, sizeof(path), "%s", lb_test_path(fx, "new.gpkg"));
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "buurt"};
    assert_int_equal(lb_write_vector(fx->ctx, path, bad, &o), LB_ERR_GEOM);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "row 1"));
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), path));
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);

    o.layer = "grid";
    assert_int_equal(lb_write_vector(fx->ctx, path, good, &o), LB_OK);
    o.layer = "buurt";
    assert_int_equal(lb_write_vector(fx->ctx, path, bad, &o), LB_ERR_GEOM);
    GDALDatasetH ds = open_vector(path);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 1);
    check_gpkg_layer(ds, "grid");
    GDALClose(ds);
    lb_table_destroy(bad);
    lb_table_destroy(good);
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    assert_true(json_object_object_get_ex(o, key, &v));
    return v;
}

/* Digits after the decimal point in a number exactly as the file spells it. */
static int decimals_in_text(json_object *num)
{
    const char *s = json_object_to_json_string(num); /* json-c keeps the parsed text */
    assert_null(strpbrk(s, "eE"));
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* Twice the signed area of a ring of [x, y] arrays (shoelace); > 0 means counter-clockwise. */
static double ring_signed_area2(json_object *ring)
{
    size_t n = json_object_array_length(ring);
    double s = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        json_object *p = json_object_array_get_idx(ring, i);
        json_object *q = json_object_array_get_idx(ring, i + 1);
        double x0 = json_object_get_double(json_object_array_get_idx(p, 0));
        double y0 = json_object_get_double(json_object_array_get_idx(p, 1));
        double x1 = json_object_get_double(json_object_array_get_idx(q, 0));
        double y1 = json_object_get_double(json_object_array_get_idx(q, 1));
        s += x0 * y1 - x1 * y0;
    }
    return s;
}

/* Exterior ring of feature @p i of a parsed FeatureCollection. */
static json_object *exterior_ring(json_object *doc, size_t i)
{
    json_object *feat = json_object_array_get_idx(member(doc, "features"), i);
    assert_non_null(feat);
    json_object *geom = member(feat, "geometry");
    assert_string_equal(json_object_get_string(member(geom, "type")), "Polygon");
    json_object *ring = json_object_array_get_idx(member(geom, "coordinates"), 0);
    assert_non_null(ring);
    assert_int_equal(json_object_array_length(ring), 5);
    return ring;
}

static void test_write_geojson_rfc7946(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    const char *path = lb_test_path(fx, "scores.geojson");
    lb_vector_opts o = {.format = LB_FMT_GEOJSON};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    assert_false(json_object_object_get_ex(doc, "crs", NULL));
    assert_int_equal(json_object_array_length(member(doc, "features")), 2);
    for (size_t i = 0; i < 2; i++) {
        json_object *ring = exterior_ring(doc, i);
        for (size_t k = 0; k < 5; k++) {
            json_object *pt = json_object_array_get_idx(ring, k);
            json_object *lon = json_object_array_get_idx(pt, 0);
            json_object *lat = json_object_array_get_idx(pt, 1);
            assert_true(json_object_get_double(lon) > 3.0 && json_object_get_double(lon) < 7.3);
            assert_true(json_object_get_double(lat) > 50.7 && json_object_get_double(lat) < 53.6);
            assert_true(decimals_in_text(lon) <= 7);
            assert_true(decimals_in_text(lat) <= 7);
        }
        /* right-hand rule: both come out counter-clockwise, whatever the input winding */
        assert_true(ring_signed_area2(ring) > 0);
    }
    json_object *props =
        member(json_object_array_get_idx(member(doc, "features"), 0), "properties");
    assert_string_equal(json_object_get_string(member(props, "code")), "0599");
    assert_near(json_object_get_double(member(props, "lbm")), 2.68, 1e-12);
    json_object *props1 =
        member(json_object_array_get_idx(member(doc, "features"), 1), "properties");
    assert_true(json_object_is_type(member(props1, "lbm"), json_type_null));
    json_object_put(doc);

    /* the file must not exist yet */
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), path));
    lb_table_destroy(t);
}

static void test_write_geojson_rd(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    const char *path = lb_test_path(fx, "scores_rd.geojson");
    lb_vector_opts o = {.format = LB_FMT_GEOJSON, .geojson_rd = 1};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    json_object *crs = member(doc, "crs");
    const char *name = json_object_get_string(member(member(crs, "properties"), "name"));
    assert_non_null(strstr(name, "28992"));
    for (size_t i = 0; i < 2; i++) {
        json_object *ring = exterior_ring(doc, i);
        for (size_t k = 0; k < 5; k++) {
            json_object *pt = json_object_array_get_idx(ring, k);
            double x = json_object_get_double(json_object_array_get_idx(pt, 0));
            double y = json_object_get_double(json_object_array_get_idx(pt, 1));
            assert_true(x >= 155000.0 && x <= 155200.0);
            assert_true(y >= 463000.0 && y <= 463100.0);
            assert_true(decimals_in_text(json_object_array_get_idx(pt, 0)) <= 2);
        }
    }
    json_object_put(doc);
    lb_table_destroy(t);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, fp);
    fclose(fp);
    buf[n] = '\0';
    return buf;
}

static void test_write_csv_semicolon_keeps_codes(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    const char *path = lb_test_path(fx, "scores.csv");
    lb_vector_opts o = {.format = LB_FMT_CSV, .csv_sep = ';'};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    char *text = slurp(path);
    assert_true(strncmp(text, "code;lbm;afw;raw;n", 18) == 0); /* no geometry column */
    assert_non_null(strstr(text, "0599"));
    /* ';' is the Dutch spreadsheet's separator, and it reads decimal commas (issue 11) */
    assert_non_null(strstr(text, "\"0599\";2,68;-1,3;0,1234567890123;42\n"));
    assert_null(strstr(text, "POLYGON"));
    free(text);

    GDALDatasetH ds = open_vector(path);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(layer, TRUE), 2);
    int i_code = field_index(layer, "code");
    OGRFeatureH f = OGR_L_GetNextFeature(layer);
    assert_string_equal(OGR_F_GetFieldAsString(f, i_code), "0599");
    OGR_F_Destroy(f);
    GDALClose(ds);

    /* comma is the default separator */
    path = lb_test_path(fx, "comma.csv");
    o.csv_sep = 0;
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    text = slurp(path);
    assert_true(strncmp(text, "code,lbm,afw,raw,n", 18) == 0);
    free(text);
    lb_table_destroy(t);
}

/* A side × side grid of 100 m cells with its south-west corner at (155000, 463000). */
static lb_grid square_grid(int side)
{
    lb_grid g = {.x0 = 155000.0, .y0 = 463000.0, .cell_m = 100.0, .nx = side, .ny = side};
    return g;
}

static void check_grid_georef(GDALDatasetH ds, const lb_grid *g)
{
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    assert_non_null(srs);
    assert_string_equal(OSRGetAuthorityCode(srs, NULL), "28992");
    double gt[6], want[6];
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    lb_grid_geotransform(g, want);
    for (int k = 0; k < 6; k++)
        assert_near(gt[k], want[k], 1e-9);
    const char *layout = GDALGetMetadataItem(ds, "LAYOUT", "IMAGE_STRUCTURE");
    assert_non_null(layout);
    assert_string_equal(layout, "COG");
}

static void test_write_cog_float(void **state)
{
    fixture *fx = *state;
    lb_grid g = square_grid(512);
    size_t n = lb_grid_ncells(&g);
    float *data[3];
    for (int b = 0; b < 3; b++) {
        data[b] = malloc(n * sizeof(float));
        assert_non_null(data[b]);
        for (size_t i = 0; i < n; i++)
            data[b][i] =
                (i + (size_t)b) % 7 == 0 ? NAN : (float)(b + 1) * 0.37f * (float)(i % 1000);
    }
    const float *const bands[] = {data[0], data[1], data[2]};
    const char *const names[] = {"lbm", "afw", "won"};
    const char *path = lb_test_path(fx, "scores_2024.tif");
    assert_int_equal(lb_write_cog_float(fx->ctx, path, &g, 3, bands, names, "score"), LB_OK);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterCount(ds), 3);
    assert_int_equal(GDALGetRasterXSize(ds), 512);
    assert_int_equal(GDALGetRasterYSize(ds), 512);
    check_grid_georef(ds, &g);
    const char *comp = GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE");
    assert_non_null(comp);
    assert_string_equal(comp, "DEFLATE");
    float *back = malloc(n * sizeof(float));
    assert_non_null(back);
    for (int b = 0; b < 3; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        assert_int_equal(GDALGetRasterDataType(band), GDT_Float32);
        assert_string_equal(GDALGetDescription(band), names[b]);
        assert_string_equal(GDALGetRasterUnitType(band), "score");
        int has = 0;
        double nodata = GDALGetRasterNoDataValue(band, &has);
        assert_true(has);
        assert_true(isnan(nodata));
        int bx = 0, by = 0;
        GDALGetBlockSize(band, &bx, &by);
        assert_int_equal(bx, 256);
        assert_int_equal(by, 256);
        assert_true(GDALGetOverviewCount(band) >= 1);
        assert_int_equal(
            GDALRasterIO(band, GF_Read, 0, 0, 512, 512, back, 512, 512, GDT_Float32, 0, 0),
            CE_None);
        for (size_t i = 0; i < n; i++) {
            if (isnan(data[b][i]))
                assert_true(isnan(back[i]));
            else
                assert_true(back[i] == data[b][i]); /* exact: DEFLATE is lossless */
        }
    }
    free(back);
    GDALClose(ds);
    for (int b = 0; b < 3; b++)
        free(data[b]);
}

static void test_write_cog_classes(void **state)
{
    fixture *fx = *state;
    lb_grid g = {.x0 = 155000.0, .y0 = 463000.0, .cell_m = 100.0, .nx = 3, .ny = 2};
    const unsigned char classes[] = {0, 1, 2, 3, 9, 5};
    const char *const labels[] = {
        "zeer onvoldoende", "ruim onvoldoende", "onvoldoende", "zwak",
        "voldoende",        "ruim voldoende",   "goed",        "zeer goed",
        "uitstekend"};
    const char *const colours[] = {"#8c2d04", "#cc4c02", "#ec7014", "#fe9929", "#fec44f",
                                   "#c7e9b4", "#7fcdbb", "#41b6c4", "#1D91C0"};
    const char *path = lb_test_path(fx, "class_2024.tif");
    assert_int_equal(lb_write_cog_classes(fx->ctx, path, &g, classes, 9, labels, colours), LB_OK);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterCount(ds), 1);
    check_grid_georef(ds, &g);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    assert_int_equal(GDALGetRasterDataType(band), GDT_Byte);
    assert_int_equal(GDALGetOverviewCount(band), 0); /* 3 × 2 is far below one block */
    int has = 0;
    assert_near(GDALGetRasterNoDataValue(band, &has), 0.0, 0);
    assert_true(has);

    GDALColorTableH ct = GDALGetRasterColorTable(band);
    assert_non_null(ct);
    assert_true(GDALGetColorEntryCount(ct) >= 10);
    assert_int_equal(GDALGetColorEntry(ct, 0)->c4, 0); /* nodata is transparent */
    for (int k = 1; k <= 9; k++) {
        const GDALColorEntry *e = GDALGetColorEntry(ct, k);
        unsigned r, gr, b;
        assert_int_equal(sscanf(colours[k - 1], "#%2x%2x%2x", &r, &gr, &b), 3);
        assert_int_equal(e->c1, r);
        assert_int_equal(e->c2, gr);
        assert_int_equal(e->c3, b);
        assert_int_equal(e->c4, 255);
    }
    char **cats = GDALGetRasterCategoryNames(band);
    assert_non_null(cats);
    assert_true(CSLCount(cats) >= 10);
    assert_string_equal(cats[0], "geen waarde");
    for (int k = 1; k <= 9; k++)
        assert_string_equal(cats[k], labels[k - 1]);

    unsigned char back[6];
    assert_int_equal(GDALRasterIO(band, GF_Read, 0, 0, 3, 2, back, 3, 2, GDT_Byte, 0, 0), CE_None);
    assert_memory_equal(back, classes, sizeof(back));
    GDALClose(ds);

    /* a class beyond the legend and a malformed colour are refused */
    const unsigned char bad[] = {0, 1, 2, 3, 10, 5};
    assert_int_equal(
        lb_write_cog_classes(fx->ctx, lb_test_path(fx, "bad.tif"), &g, bad, 9, labels, colours),
        LB_ERR_ARG);
    const char *const bad_colours[] = {"#8c2d04", "red"};
    const unsigned char two[] = {0, 1, 2, 1, 2, 0};
    assert_int_equal(
        lb_write_cog_classes(fx->ctx, lb_test_path(fx, "bad.tif"), &g, two, 2, labels, bad_colours),
        LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "'red'"));
}

static void test_write_json_pretty(void **state)
{
    fixture *fx = *state;
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "model", json_object_new_string("modellen/lbm3.yaml"));
    json_object_object_add(doc, "cells", json_object_new_int64(262144));
    const char *path = lb_test_path(fx, "run.json");
    assert_int_equal(lb_write_json(fx->ctx, path, doc), LB_OK);
    json_object_put(doc);

    char *text = slurp(path);
    assert_non_null(strstr(text, "\"modellen/lbm3.yaml\"")); /* no "\/" */
    assert_non_null(strchr(text, '\n'));                     /* pretty-printed */
    free(text);
    json_object *back = json_object_from_file(path);
    assert_non_null(back);
    assert_int_equal(json_object_get_int64(member(back, "cells")), 262144);
    json_object_put(back);
}

static void expect_io_error(fixture *fx, lb_status st, const char *path)
{
    assert_int_equal(st, LB_ERR_IO);
    if (!strstr(lb_ctx_errmsg(fx->ctx), path)) {
        print_error("message '%s' does not name '%s'\n", lb_ctx_errmsg(fx->ctx), path);
        fail();
    }
}

static void test_write_missing_directory_is_io_error(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    char path[300];
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "grid"};
    snprintf(path, sizeof(path), "%s/missing/scores.gpkg", fx->dir);
    expect_io_error(fx, lb_write_vector(fx->ctx, path, t, &o), path);
    snprintf(path, sizeof(path), "%s/missing/scores.geojson", fx->dir);
    o.format = LB_FMT_GEOJSON;
    expect_io_error(fx, lb_write_vector(fx->ctx, path, t, &o), path);
    snprintf(path, sizeof(path), "%s/missing/scores.csv", fx->dir);
    o.format = LB_FMT_CSV;
    expect_io_error(fx, lb_write_vector(fx->ctx, path, t, &o), path);

    lb_grid g = square_grid(4);
    float v[16] = {0};
    const float *const bands[] = {v};
    const char *const names[] = {"lbm"};
    snprintf(path, sizeof(path), "%s/missing/scores.tif", fx->dir);
    expect_io_error(fx, lb_write_cog_float(fx->ctx, path, &g, 1, bands, names, NULL), path);
    unsigned char cls[16] = {0};
    const char *const labels[] = {"a"}, *const colours[] = {"#000000"};
    snprintf(path, sizeof(path), "%s/missing/class.tif", fx->dir);
    expect_io_error(fx, lb_write_cog_classes(fx->ctx, path, &g, cls, 1, labels, colours), path);

    json_object *doc = json_object_new_object();
    snprintf(path, sizeof(path), "%s/missing/run.json", fx->dir);
    expect_io_error(fx, lb_write_json(fx->ctx, path, doc), path);
    json_object_put(doc);
    lb_table_destroy(t);

    /* nothing was left behind */
    snprintf(path, sizeof(path), "%s/missing", fx->dir);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
}

/* ---- COG structure, checked the way GDAL's validate_cloud_optimized_geotiff.py does ---- */

static long long tiff_item(GDALRasterBandH band, const char *key)
{
    const char *v = GDALGetMetadataItem(band, key, "TIFF");
    return v ? atoll(v) : 0;
}

/* Offset of the first stored tile of @p band in row-major order, 0 when none is stored. */
static long long first_block_offset(GDALRasterBandH band)
{
    int bx, by;
    GDALGetBlockSize(band, &bx, &by);
    int nbx = (GDALGetRasterBandXSize(band) + bx - 1) / bx;
    int nby = (GDALGetRasterBandYSize(band) + by - 1) / by;
    for (int y = 0; y < nby; y++)
        for (int x = 0; x < nbx; x++) {
            char key[64];
            snprintf(key, sizeof(key), "BLOCK_OFFSET_%d_%d", x, y);
            long long off = tiff_item(band, key);
            if (off > 0)
                return off;
        }
    return 0;
}

/* Every stored tile of @p band lies after byte @p after; with @p row_major the tiles follow
 * each other in row-major order. */
static void check_tiles_after(GDALRasterBandH band, long long after, int row_major)
{
    int bx, by;
    GDALGetBlockSize(band, &bx, &by);
    int nbx = (GDALGetRasterBandXSize(band) + bx - 1) / bx;
    int nby = (GDALGetRasterBandYSize(band) + by - 1) / by;
    long long last = 0;
    for (int y = 0; y < nby; y++)
        for (int x = 0; x < nbx; x++) {
            char key[64];
            snprintf(key, sizeof(key), "BLOCK_OFFSET_%d_%d", x, y);
            long long off = tiff_item(band, key);
            if (off == 0)
                continue;
            assert_true(off > after);
            if (row_major)
                assert_true(off > last);
            last = off;
        }
}

/* Where the main IFD must start: right after the TIFF header (8 bytes, 16 for BigTIFF) and
 * GDAL's block of structural metadata when present, on an even offset. *row_major tells
 * whether that block promises BLOCK_ORDER=ROW_MAJOR. */
static long long expected_main_ifd(const char *path, int *row_major)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char hdr[4];
    assert_int_equal(fread(hdr, 1, 4, fp), 4);
    assert_true((hdr[0] == 'I' && hdr[1] == 'I') || (hdr[0] == 'M' && hdr[1] == 'M'));
    int big = hdr[2] == 0x2B || hdr[3] == 0x2B;
    long long pos = big ? 16 : 8;
    const char *key = "GDAL_STRUCTURAL_METADATA_SIZE=";
    char buf[64] = {0};
    *row_major = 0;
    assert_int_equal(fseek(fp, (long)pos, SEEK_SET), 0);
    size_t n = fread(buf, 1, 43, fp); /* "GDAL_STRUCTURAL_METADATA_SIZE=000000 bytes\n" */
    if (n == 43 && strncmp(buf, key, strlen(key)) == 0) {
        int size = atoi(buf + strlen(key));
        char *md = calloc(1, (size_t)size + 1);
        assert_non_null(md);
        assert_int_equal(fread(md, 1, (size_t)size, fp), (size_t)size);
        *row_major = strstr(md, "BLOCK_ORDER=ROW_MAJOR") != NULL;
        assert_null(strstr(md, "KNOWN_INCOMPATIBLE_EDITION=YES"));
        free(md);
        pos += 43 + size;
        pos += pos % 2;
    }
    fclose(fp);
    return pos;
}

/* The checks of GDAL's COG validator: LAYOUT=COG, tiled, internal overviews of decreasing size,
 * the main IFD first, IFDs in the order main, overview 0, 1, ..., then the tile data from the
 * smallest overview up to the full resolution, all after the IFDs. Returns the overview count. */
static int check_cog_structure(const char *path)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    const char *layout = GDALGetMetadataItem(ds, "LAYOUT", "IMAGE_STRUCTURE");
    assert_non_null(layout);
    assert_string_equal(layout, "COG");
    char **files = GDALGetFileList(ds);
    for (int i = 0; files && files[i]; i++)
        assert_null(strstr(files[i], ".ovr"));
    CSLDestroy(files);

    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    int bx, by;
    GDALGetBlockSize(band, &bx, &by);
    assert_int_equal(bx, 256); /* tiled, not strips */
    assert_int_equal(by, 256);
    int n_ovr = GDALGetOverviewCount(band);
    long long ifd[32], data[32];
    assert_true(n_ovr < 31);
    int row_major = 0;
    ifd[0] = tiff_item(band, "IFD_OFFSET");
    assert_true(ifd[0] == expected_main_ifd(path, &row_major));
    data[0] = first_block_offset(band);
    int prev_w = GDALGetRasterXSize(ds), prev_h = GDALGetRasterYSize(ds);
    for (int i = 0; i < n_ovr; i++) {
        GDALRasterBandH ov = GDALGetOverview(band, i);
        int w = GDALGetRasterBandXSize(ov), h = GDALGetRasterBandYSize(ov);
        assert_true(w < prev_w && h <= prev_h); /* decreasing sizes */
        prev_w = w;
        prev_h = h;
        GDALGetBlockSize(ov, &bx, &by);
        assert_int_equal(bx, 256);
        ifd[i + 1] = tiff_item(ov, "IFD_OFFSET");
        assert_true(ifd[i + 1] > ifd[i]); /* IFDs: main, then overviews in order */
        data[i + 1] = first_block_offset(ov);
    }
    /* the smallest overview's data after the last IFD, then each larger level after it */
    assert_true(data[n_ovr] > ifd[n_ovr]);
    for (int i = n_ovr; i > 0; i--)
        assert_true(data[i - 1] > data[i]);
    check_tiles_after(band, ifd[n_ovr], row_major);
    for (int i = 0; i < n_ovr; i++)
        check_tiles_after(GDALGetOverview(band, i), ifd[n_ovr], row_major);
    GDALClose(ds);
    return n_ovr;
}

/* A grid of floats with NaN holes: every value distinct enough to notice averaging mistakes. */
static float *float_band(size_t n, int b)
{
    float *v = malloc(n * sizeof(float));
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (i + (size_t)b) % 7 == 0 ? NAN : (float)(b + 1) * 0.37f * (float)(i % 1000);
    return v;
}

/* Overview 0 is the AVERAGE of the 2 × 2 blocks, NaN ignored (brute force over every pixel). */
static void check_average_overview(GDALRasterBandH band, const float *full, int side)
{
    GDALRasterBandH ov = GDALGetOverview(band, 0);
    assert_non_null(ov);
    int h = side / 2;
    assert_int_equal(GDALGetRasterBandXSize(ov), h);
    float *back = malloc((size_t)h * (size_t)h * sizeof(float));
    assert_non_null(back);
    assert_int_equal(GDALRasterIO(ov, GF_Read, 0, 0, h, h, back, h, h, GDT_Float32, 0, 0), CE_None);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < h; x++) {
            double sum = 0;
            int cnt = 0;
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    float v = full[(size_t)(2 * y + dy) * (size_t)side + (size_t)(2 * x + dx)];
                    if (!isnan(v)) {
                        sum += v;
                        cnt++;
                    }
                }
            float got = back[(size_t)y * (size_t)h + (size_t)x];
            if (cnt == 0)
                assert_true(isnan(got));
            else
                assert_near(got, sum / cnt, 1e-6 * fmax(1.0, fabs(sum / cnt)));
        }
    free(back);
}

static void test_write_cog_float_structure(void **state)
{
    fixture *fx = *state;
    lb_grid g = square_grid(512);
    size_t n = lb_grid_ncells(&g);
    float *data[2] = {float_band(n, 0), float_band(n, 1)};
    const float *const bands[] = {data[0], data[1]};
    const char *const names[] = {"lbm", "won"};
    const char *const units[] = {"score", "score deviation"};
    const char *const meta[] = {"LEEFBAAR_REF=4.1", "LEEFBAAR_M_won=-0.25", NULL};
    lb_raster_opts ro = {.metadata = meta};
    const char *path = lb_test_path(fx, "scores.tif");
    assert_int_equal(lb_write_raster_float(fx->ctx, path, &g, 2, bands, names, units, &ro), LB_OK);

    assert_true(check_cog_structure(path) >= 1);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_string_equal(GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE"), "3");
    assert_string_equal(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    assert_string_equal(GDALGetMetadataItem(ds, "LEEFBAAR_REF", NULL), "4.1");
    assert_string_equal(GDALGetMetadataItem(ds, "LEEFBAAR_M_won", NULL), "-0.25");
    char **files = GDALGetFileList(ds);
    assert_int_equal(CSLCount(files), 1); /* no sidecar: all of it is inside the TIFF */
    CSLDestroy(files);
    for (int b = 0; b < 2; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        assert_string_equal(GDALGetDescription(band), names[b]);
        assert_string_equal(GDALGetRasterUnitType(band), units[b]);
        check_average_overview(band, data[b], 512);
    }
    GDALClose(ds);
    free(data[0]);
    free(data[1]);
}

/* The whole file, for byte comparisons; *size its length. */
static unsigned char *file_bytes(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long len = ftell(fp);
    assert_true(len > 0);
    rewind(fp);
    unsigned char *buf = malloc((size_t)len);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *size = (size_t)len;
    return buf;
}

typedef struct float_bands_src {
    float **bands;
    size_t n;
} float_bands_src;

static lb_status fill_from_arrays(void *user, size_t b, float *out)
{
    const float_bands_src *src = user;
    memcpy(out, src->bands[b], src->n * sizeof(float));
    return LB_OK;
}

/* Band @p b of a grid @p nx × @p ny: values with NaN holes, and the tile of columns 256..511
 * of rows 0..255 (where the grid has it) nodata only. */
static float *float_band_with_empty_tile(int nx, int ny, int b)
{
    size_t n = (size_t)nx * (size_t)ny;
    float *v = malloc(n * sizeof(float));
    assert_non_null(v);
    for (int y = 0; y < ny; y++)
        for (int x = 0; x < nx; x++) {
            size_t i = (size_t)y * (size_t)nx + (size_t)x;
            int empty = y < 256 && x >= 256 && x < 512;
            v[i] = empty || (i + (size_t)b) % 11 == 0 ? NAN
                                                      : (float)(b + 1) * 0.25f * (float)(i % 997);
        }
    return v;
}

/* lb_write_raster_float_bands goes through a sparse, uncompressed scratch GeoTIFF; its COG must
 * be the one written from the bands in memory byte for byte (pixels, nodata tiles, overviews,
 * layout), also where a tile holds only nodata (left out of the scratch), where the grid is not
 * a multiple of the 256 block and where it is a single cell. */
static void test_write_cog_float_bands_edges(void **state)
{
    fixture *fx = *state;
    const int sizes[][2] = {{600, 300}, {1, 1}, {257, 513}};
    const char *const names[] = {"lbm", "won", "pub"};
    const char *const units[] = {"score", "score deviation", "score deviation"};
    const char *const meta[] = {"LEEFBAAR_REF=4.1", NULL};
    lb_raster_opts ro = {.metadata = meta};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        int nx = sizes[s][0], ny = sizes[s][1];
        lb_grid g = {.x0 = 155000.0, .y0 = 463000.0, .cell_m = 100.0, .nx = nx, .ny = ny};
        size_t n = lb_grid_ncells(&g);
        float *data[3];
        for (int b = 0; b < 3; b++)
            data[b] = float_band_with_empty_tile(nx, ny, b);
        const float *const bands[] = {data[0], data[1], data[2]};
        char name[64];
        snprintf(name, sizeof(name), "mem_%zu.tif", s);
        char *mem_path = strdup(lb_test_path(fx, name));
        snprintf(name, sizeof(name), "bands_%zu.tif", s);
        char *bands_path = strdup(lb_test_path(fx, name));
        assert_non_null(mem_path);
        assert_non_null(bands_path);
        assert_int_equal(lb_write_raster_float(fx->ctx, mem_path, &g, 3, bands, names, units, &ro),
                         LB_OK);
        float_bands_src src = {data, n};
        assert_int_equal(lb_write_raster_float_bands(fx->ctx, bands_path, &g, 3, fill_from_arrays,
                                                     &src, names, units, &ro),
                         LB_OK);
        size_t len_mem, len_bands;
        unsigned char *a = file_bytes(mem_path, &len_mem), *c = file_bytes(bands_path, &len_bands);
        assert_int_equal(len_mem, len_bands);
        assert_memory_equal(a, c, len_mem);
        free(a);
        free(c);
        char *scratch = lb_core_strfmt("%s.bands.tif", bands_path);
        assert_non_null(scratch);
        assert_int_equal(access(scratch, F_OK), -1); /* the scratch is gone */
        free(scratch);

        int want_ovr = 0; /* the COG driver halves (rounding down) until one block holds it */
        for (int w = nx, h = ny; w > 256 || h > 256; w /= 2, h /= 2)
            want_ovr++;
        assert_int_equal(check_cog_structure(bands_path), want_ovr);
        GDALDatasetH ds = GDALOpenEx(bands_path, GDAL_OF_RASTER, NULL, NULL, NULL);
        assert_non_null(ds);
        float *back = malloc(n * sizeof(float));
        assert_non_null(back);
        for (int b = 0; b < 3; b++) {
            GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
            int has_nodata = 0;
            assert_true(isnan(GDALGetRasterNoDataValue(band, &has_nodata)) && has_nodata);
            assert_int_equal(
                GDALRasterIO(band, GF_Read, 0, 0, nx, ny, back, nx, ny, GDT_Float32, 0, 0),
                CE_None);
            for (size_t i = 0; i < n; i++) {
                if (isnan(data[b][i]))
                    assert_true(isnan(back[i]));
                else
                    assert_true(back[i] == data[b][i]);
            }
            /* the nodata-only tile reads back as nodata in every overview too */
            for (int o = 0; o < GDALGetOverviewCount(band) && nx > 256; o++) {
                GDALRasterBandH ov = GDALGetOverview(band, o);
                int ox = GDALGetRasterBandXSize(ov);
                int x0 = (int)(256.0 * ox / nx) + 1, x1 = (int)(512.0 * ox / nx) - 1;
                int y1 = (int)(256.0 * GDALGetRasterBandYSize(ov) / ny) - 1;
                float v;
                for (int y = 0; y < y1; y++)
                    for (int x = x0; x < x1 && x < ox; x++) {
                        assert_int_equal(
                            GDALRasterIO(ov, GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Float32, 0, 0),
                            CE_None);
                        assert_true(isnan(v));
                    }
            }
        }
        free(back);
        GDALClose(ds);
        for (int b = 0; b < 3; b++)
            free(data[b]);
        free(mem_path);
        free(bands_path);
    }
}

/* Classes in 2 × 2 blocks: three cells of class A and one of B (at a rotating position), or
 * three nodata cells and one B. MODE must give A, respectively B (nodata does not vote). */
static unsigned char block_class(int bi, int bj, int dy, int dx)
{
    int a = 1 + (bi + bj) % 9, b = 1 + (bi + bj + 4) % 9, odd = (bi * 2 + bj) % 4;
    if (dy * 2 + dx == odd)
        return (unsigned char)b;
    return (bi + bj) % 5 == 0 ? 0 : (unsigned char)a;
}

static void test_write_cog_classes_structure(void **state)
{
    fixture *fx = *state;
    lb_grid g = square_grid(600);
    size_t n = lb_grid_ncells(&g);
    unsigned char *cls = malloc(n);
    assert_non_null(cls);
    for (int y = 0; y < 600; y++)
        for (int x = 0; x < 600; x++)
            cls[(size_t)y * 600 + (size_t)x] = block_class(y / 2, x / 2, y % 2, x % 2);
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, lb_test_thresholds,
                         "Leefbaarometer 2022"};
    const char *path = lb_test_path(fx, "class.tif");
    assert_int_equal(lb_write_raster_classes(fx->ctx, path, &g, cls, &ct, NULL), LB_OK);
    assert_true(check_cog_structure(path) >= 1);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_string_equal(GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE"), "2");
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    assert_string_equal(GDALGetDescription(band), "Leefbaarometer 2022");
    GDALRasterBandH ov = GDALGetOverview(band, 0);
    assert_int_equal(GDALGetRasterBandXSize(ov), 300);
    unsigned char *back = malloc(300 * 300);
    assert_non_null(back);
    assert_int_equal(GDALRasterIO(ov, GF_Read, 0, 0, 300, 300, back, 300, 300, GDT_Byte, 0, 0),
                     CE_None);
    for (int bi = 0; bi < 300; bi++)
        for (int bj = 0; bj < 300; bj++) {
            int want = (bi + bj) % 5 == 0 ? 1 + (bi + bj + 4) % 9 : 1 + (bi + bj) % 9;
            assert_int_equal(back[bi * 300 + bj], want);
        }
    free(back);
    GDALClose(ds);

    /* without the PAM sidecar the TIFF still holds the colours and CLASS_<k> labels; only the
       category names live in the .aux.xml (GDAL 3.6's GTiff keeps them nowhere else) */
    char aux[300];
    snprintf(aux, sizeof(aux), "%s.aux.xml", path);
    assert_int_equal(remove(aux), 0);
    ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    band = GDALGetRasterBand(ds, 1);
    assert_non_null(GDALGetRasterColorTable(band));
    for (int k = 1; k <= 9; k++) {
        char key[16];
        snprintf(key, sizeof(key), "CLASS_%d", k);
        assert_string_equal(GDALGetMetadataItem(band, key, NULL), lb_test_labels[k - 1]);
    }
    assert_null(GDALGetRasterCategoryNames(band));
    GDALClose(ds);
    free(cls);
}

/* -co overrides a default; a bad format, option name, value or syntax is refused up front,
 * naming the option, and nothing is written. */
static void test_write_raster_options(void **state)
{
    fixture *fx = *state;
    lb_grid g = square_grid(16);
    float v[256];
    for (int i = 0; i < 256; i++)
        v[i] = (float)i / 7.0f;
    const float *const bands[] = {v};
    const char *const names[] = {"lbm"};
    const char *const lzw[] = {"COMPRESS=LZW", NULL};
    lb_raster_opts ro = {.creation_options = lzw};
    const char *path = lb_test_path(fx, "lzw.tif");
    assert_int_equal(lb_write_raster_float(fx->ctx, path, &g, 1, bands, names, NULL, &ro), LB_OK);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_string_equal(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE"), "LZW");
    GDALClose(ds);

    struct {
        const char *format, *co, *needle;
    } bad[] = {
        {NULL, "FOO=1", "FOO"},
        {NULL, "COMPRESS=BAR", "BAR"},
        {NULL, "COMPRESS", "not NAME=VALUE"},
        {"GTiff", "OVERVIEW_RESAMPLING=MODE", "OVERVIEW_RESAMPLING"}, /* a COG-only option */
        {"PNG", NULL, "PNG"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *co[] = {bad[i].co, NULL};
        lb_raster_opts b = {.format = bad[i].format, .creation_options = co};
        assert_int_equal(lb_raster_opts_check(fx->ctx, &b), LB_ERR_ARG);
        assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), bad[i].needle));
        path = lb_test_path(fx, "bad.tif");
        assert_int_equal(lb_write_raster_float(fx->ctx, path, &g, 1, bands, names, NULL, &b),
                         LB_ERR_ARG);
        assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), bad[i].needle));
        struct stat st;
        assert_int_not_equal(stat(path, &st), 0);
    }
    assert_int_equal(lb_raster_opts_check(fx->ctx, NULL), LB_OK);
}

/* -of GTiff: a tiled, compressed GeoTIFF with internal AVERAGE / MODE overviews. */
static void test_write_gtiff_format(void **state)
{
    fixture *fx = *state;
    lb_grid g = square_grid(512);
    size_t n = lb_grid_ncells(&g);
    float *v = float_band(n, 0);
    const float *const bands[] = {v};
    const char *const names[] = {"lbm"};
    lb_raster_opts ro = {.format = "GTiff"};
    const char *path = lb_test_path(fx, "plain.tif");
    assert_int_equal(lb_write_raster_float(fx->ctx, path, &g, 1, bands, names, NULL, &ro), LB_OK);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_null(GDALGetMetadataItem(ds, "LAYOUT", "IMAGE_STRUCTURE"));
    assert_string_equal(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    assert_string_equal(GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE"), "3");
    char **files = GDALGetFileList(ds);
    assert_int_equal(CSLCount(files), 1); /* internal overviews, no .ovr */
    CSLDestroy(files);
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    int bx, by;
    GDALGetBlockSize(band, &bx, &by);
    assert_int_equal(bx, 256);
    assert_int_equal(GDALGetOverviewCount(band), 1);
    check_average_overview(band, v, 512);
    GDALClose(ds);
    free(v);

    unsigned char *cls = malloc(n);
    assert_non_null(cls);
    for (int y = 0; y < 512; y++)
        for (int x = 0; x < 512; x++)
            cls[(size_t)y * 512 + (size_t)x] = block_class(y / 2, x / 2, y % 2, x % 2);
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, NULL, NULL};
    path = lb_test_path(fx, "plain_class.tif");
    assert_int_equal(lb_write_raster_classes(fx->ctx, path, &g, cls, &ct, &ro), LB_OK);
    ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_string_equal(GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE"), "2");
    GDALRasterBandH ov = GDALGetOverview(GDALGetRasterBand(ds, 1), 0);
    assert_non_null(ov);
    unsigned char px;
    for (int bi = 0; bi < 256; bi += 37)
        for (int bj = 0; bj < 256; bj += 11) {
            assert_int_equal(GDALRasterIO(ov, GF_Read, bj, bi, 1, 1, &px, 1, 1, GDT_Byte, 0, 0),
                             CE_None);
            int want = (bi + bj) % 5 == 0 ? 1 + (bi + bj + 4) % 9 : 1 + (bi + bj) % 9;
            assert_int_equal(px, want);
        }
    GDALClose(ds);
    free(cls);
}

/* A class table with a bad colour, too many classes or unordered breaks is refused. */
static void test_write_class_table_check(void **state)
{
    fixture *fx = *state;
    lb_class_table ct = {9, lb_test_labels, lb_test_colours, lb_test_thresholds, NULL};
    assert_int_equal(lb_class_table_check(fx->ctx, &ct, "t"), LB_OK);
    const double unordered[] = {3.46, 3.557, 3.557, 3.8971, 3.9972, 4.1924, 4.3044, 4.3926};
    ct.breaks = unordered;
    assert_int_equal(lb_class_table_check(fx->ctx, &ct, "t"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "cut-point 3"));
    ct.breaks = NULL;
    const char *const bad_colours[] = {"#730000", "#e5000", "#e1702e"};
    lb_class_table ct3 = {3, lb_test_labels, bad_colours, NULL, NULL};
    assert_int_equal(lb_class_table_check(fx->ctx, &ct3, "t"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "class 2"));
    ct.n = 0;
    assert_int_equal(lb_class_table_check(fx->ctx, &ct, "t"), LB_ERR_ARG);
    ct.n = LB_MAX_CLASSES + 1;
    assert_int_equal(lb_class_table_check(fx->ctx, &ct, "t"), LB_ERR_ARG);

    char buf[32];
    const double vals[] = {3.46, 4.1, 0.1, -2.5e-7, 1e300, 4.0999999999999996};
    const char *want[] = {"3.46", "4.1", "0.1", "-2.5e-07", "1e+300", "4.1"};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        lb_io_format_double(vals[i], buf, sizeof(buf));
        assert_string_equal(buf, want[i]);
        assert_true(strtod(buf, NULL) == vals[i]);
    }
    lb_io_format_double(INFINITY, buf, sizeof(buf));
    assert_string_equal(buf, "inf");
}

/* ---- vector winding and CSV types ---- */

/* Little-endian WKB polygon: the square [x, x+outer] × [y, y+outer] clockwise with a square hole
 * of side @p inner at its centre wound counter-clockwise: both the wrong way round. */
static unsigned char *holed_wkb(double x, double y, double outer, double inner, size_t *len)
{
    double h0 = (outer - inner) / 2, h1 = h0 + inner;
    double ext[5][2] = {{x, y}, {x, y + outer}, {x + outer, y + outer}, {x + outer, y}, {x, y}};
    double hole[5][2] = {
        {x + h0, y + h0}, {x + h1, y + h0}, {x + h1, y + h1}, {x + h0, y + h1}, {x + h0, y + h0}};
    *len = 1 + 4 + 4 + 2 * (4 + 5 * 16);
    unsigned char *w = malloc(*len), *p = w;
    assert_non_null(w);
    *p++ = 1;
    put_u32(p, 3);
    put_u32(p + 4, 2);
    p += 8;
    for (int r = 0; r < 2; r++) {
        put_u32(p, 5);
        p += 4;
        for (int i = 0; i < 5; i++, p += 16) {
            put_f64(p, r == 0 ? ext[i][0] : hole[i][0]);
            put_f64(p + 8, r == 0 ? ext[i][1] : hole[i][1]);
        }
    }
    return w;
}

/* Every ring of every polygon: exterior counter-clockwise, holes clockwise (RFC 7946 §3.1.6);
 * coordinates inside @p box (xmin, ymin, xmax, ymax). Returns the number of holes seen. */
static int check_winding(json_object *doc, const double box[4])
{
    int holes = 0;
    json_object *features = member(doc, "features");
    for (size_t i = 0; i < json_object_array_length(features); i++) {
        json_object *geom = member(json_object_array_get_idx(features, i), "geometry");
        const char *type = json_object_get_string(member(geom, "type"));
        json_object *coords = member(geom, "coordinates");
        size_t n_poly = strcmp(type, "MultiPolygon") == 0 ? json_object_array_length(coords) : 1;
        for (size_t p = 0; p < n_poly; p++) {
            json_object *poly =
                strcmp(type, "MultiPolygon") == 0 ? json_object_array_get_idx(coords, p) : coords;
            for (size_t r = 0; r < json_object_array_length(poly); r++) {
                json_object *ring = json_object_array_get_idx(poly, r);
                double a = ring_signed_area2(ring);
                if (r == 0)
                    assert_true(a > 0);
                else
                    assert_true(a < 0);
                holes += r > 0;
                for (size_t k = 0; k < json_object_array_length(ring); k++) {
                    json_object *pt = json_object_array_get_idx(ring, k);
                    double x = json_object_get_double(json_object_array_get_idx(pt, 0));
                    double y = json_object_get_double(json_object_array_get_idx(pt, 1));
                    assert_true(x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3]);
                }
            }
        }
    }
    return holes;
}

/* Rings wound the wrong way (exterior clockwise, hole counter-clockwise) come out by the
 * right-hand rule in RFC 7946 output (lon/lat within the Netherlands) and in RD output. */
static void test_write_geojson_winding_holes(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    size_t len;
    unsigned char *w = holed_wkb(120000.0, 480000.0, 1000.0, 400.0, &len);
    assert_int_equal(lb_table_set_geometry(fx->ctx, t, 0, w, len), LB_OK);
    w = multi_square_wkb(250000.0, 580000.0, &len); /* counter-clockwise already */
    assert_int_equal(lb_table_set_geometry(fx->ctx, t, 1, w, len), LB_OK);

    const double nl[4] = {3.2, 50.7, 7.3, 53.6};
    const char *path = lb_test_path(fx, "holes.geojson");
    lb_vector_opts o = {.format = LB_FMT_GEOJSON};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    assert_false(json_object_object_get_ex(doc, "crs", NULL));
    assert_int_equal(check_winding(doc, nl), 1);
    json_object_put(doc);

    const double rd[4] = {0.0, 300000.0, 300000.0, 625000.0};
    path = lb_test_path(fx, "holes_rd.geojson");
    o.geojson_rd = 1;
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    doc = json_object_from_file(path);
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "crs", NULL));
    assert_int_equal(check_winding(doc, rd), 1);
    /* reversing kept the shape: exterior 1000², hole 400² (the layer is MultiPolygon) */
    json_object *poly0 = json_object_array_get_idx(
        member(member(json_object_array_get_idx(member(doc, "features"), 0), "geometry"),
               "coordinates"),
        0);
    assert_near(ring_signed_area2(json_object_array_get_idx(poly0, 0)), 2.0 * 1000.0 * 1000.0,
                1e-3);
    assert_near(ring_signed_area2(json_object_array_get_idx(poly0, 1)), -2.0 * 400.0 * 400.0, 1e-3);
    json_object_put(doc);
    lb_table_destroy(t);
}

/* CSV: integers unquoted, codes that look like numbers quoted, and a reader that honours
 * quotes (GDAL with AUTODETECT_TYPE and QUOTED_FIELDS_AS_STRING) gets the codes back as text
 * with their leading zeros and the integers as integers. */
static void test_write_csv_codes_and_integers(void **state)
{
    fixture *fx = *state;
    const char *codes[] = {"0101", "1234", "BU00030000", NULL};
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, 4, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "pc4", LB_COL_TEXT, &c), LB_OK);
    assert_int_equal(lb_table_add(fx->ctx, t, "kscore", LB_COL_INT, &c), LB_OK);
    assert_int_equal(lb_table_add(fx->ctx, t, "lbm", LB_COL_REAL, &c), LB_OK);
    lb_column *pc4 = lb_table_col(t, "pc4"), *k = lb_table_col(t, "kscore");
    lb_column *lbm = lb_table_col(t, "lbm");
    lbm->decimals = 3;
    for (size_t r = 0; r < 4; r++) {
        pc4->text[r] = codes[r] ? lb_core_strdup(codes[r]) : NULL;
        k->integer[r] = r == 3 ? LB_INT_NULL : (int64_t)r + 7;
        lbm->real[r] = 4.0 + 0.0625 * (double)r;
    }
    const char *path = lb_test_path(fx, "pc4.csv");
    lb_vector_opts o = {.format = LB_FMT_CSV};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    char *text = slurp(path);
    assert_non_null(strstr(text, "pc4,kscore,lbm\n"));
    assert_non_null(strstr(text, "\"0101\",7,4\n"));
    assert_non_null(strstr(text, "\"1234\",8,4.063\n")); /* 4.0625: half away from zero */
    assert_non_null(strstr(text, "BU00030000,9,4.125\n"));
    assert_non_null(strstr(text, "\n,,4.188\n"));
    free(text);

    const char *const oo[] = {"AUTODETECT_TYPE=YES", "QUOTED_FIELDS_AS_STRING=YES", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, oo, NULL);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 0)), OFTString);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 1)), OFTInteger);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, 2)), OFTReal);
    for (size_t r = 0; r < 4; r++) {
        OGRFeatureH f = OGR_L_GetNextFeature(layer);
        assert_non_null(f);
        /* CSV cannot tell a missing text from an empty one */
        assert_string_equal(OGR_F_GetFieldAsString(f, 0), codes[r] ? codes[r] : "");
        if (r < 3)
            assert_int_equal(OGR_F_GetFieldAsInteger(f, 1), (int)r + 7);
        else
            assert_false(OGR_F_IsFieldSetAndNotNull(f, 1));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    lb_table_destroy(t);
}

/* Integers as "%lld" prints them and reals rounded to 0-9 decimals as "%.15g" prints the
 * rounded double (values where it chooses fixed notation), from the CSV writer's own digit
 * formatting. */
static void test_write_csv_numbers_as_printf(void **state)
{
    fixture *fx = *state;
    const int64_t ints[] = {
        0, 1, -1, 9, -10, 1234567890123, -987654321098765, INT64_MAX, INT64_MIN + 1, 449284};
    const double reals[] = {0.5,   1.25,  12345.678901234, -987.654321987,      3.14159265358979,
                            100.0, -0.25, 1591.488491,     7.0e8 + 0.123456789, 0.0123};
    enum { NV = sizeof(ints) / sizeof(ints[0]), ND = 10 };
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, NV, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "i", LB_COL_INT, &c), LB_OK);
    for (int d = 0; d < ND; d++) {
        char name[8];
        snprintf(name, sizeof(name), "d%d", d);
        assert_int_equal(lb_table_add(fx->ctx, t, name, LB_COL_REAL, &c), LB_OK);
        c->decimals = d;
    }
    for (size_t r = 0; r < NV; r++) {
        t->cols[0].integer[r] = ints[r];
        for (int d = 0; d < ND; d++)
            t->cols[1 + d].real[r] = reals[r];
    }
    const char *path = lb_test_path(fx, "numbers.csv");
    lb_vector_opts o = {.format = LB_FMT_CSV};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    char *text = slurp(path);
    char *line = strchr(text, '\n');
    for (size_t r = 0; r < NV; r++) {
        char want[1024];
        int k = snprintf(want, sizeof(want), "\n%lld", (long long)ints[r]);
        for (int d = 0; d < ND; d++)
            k += snprintf(want + k, sizeof(want) - (size_t)k, ",%.15g",
                          lb_io_round_decimals(reals[r], d));
        snprintf(want + k, sizeof(want) - (size_t)k, "\n");
        assert_non_null(line);
        if (strncmp(line, want, strlen(want)) != 0)
            print_error("row %zu: want %s", r, want + 1);
        assert_int_equal(strncmp(line, want, strlen(want)), 0);
        line = strchr(line + 1, '\n');
    }
    free(text);
    lb_table_destroy(t);
}

/* The CSV writer's buffer (64 KiB) at its boundaries: rows of every length cross it at every
 * offset, a quoted text longer than the buffer is written quote by quote through it, and a
 * plain text longer than it goes past it; the file is the text the test builds on its own. */
static void test_write_csv_buffer_boundaries(void **state)
{
    fixture *fx = *state;
    enum { NR = 4000, LONG_PLAIN = 200000, LONG_QUOTED = 70001 };
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, NR, &t), LB_OK);
    lb_column *ci, *ct;
    assert_int_equal(lb_table_add(fx->ctx, t, "i", LB_COL_INT, &ci), LB_OK);
    assert_int_equal(lb_table_add(fx->ctx, t, "s", LB_COL_TEXT, &ct), LB_OK);
    size_t cap = 64 + (size_t)NR * 460 + LONG_PLAIN + 2 * LONG_QUOTED;
    char *want = malloc(cap);
    assert_non_null(want);
    size_t k = (size_t)snprintf(want, cap, "i,s\n");
    for (size_t r = 0; r < NR; r++) {
        size_t len = r == 1000 ? LONG_PLAIN : r == 2500 ? LONG_QUOTED : (r * 37) % 211;
        int quoted = r % 7 == 3 || r == 2500; /* with quotes inside, so quoted */
        char *v = malloc(len + 2);
        assert_non_null(v);
        for (size_t j = 0; j < len; j++)
            v[j] = quoted && j % 5 == 1 ? '"' : (char)('a' + (r + j) % 26);
        v[len] = '\0';
        if (quoted && len < 2) { /* a text of a single quote */
            v[0] = '"';
            v[1] = '\0';
        }
        ci->integer[r] = (int64_t)r * 1000003 - 7;
        ct->text[r] = v;
        k += (size_t)snprintf(want + k, cap - k, "%lld,", (long long)ci->integer[r]);
        if (strchr(v, '"') || !*v) { /* quoted, with "" for a quote; empty text too */
            want[k++] = '"';
            for (const char *c = v; *c; c++) {
                if (*c == '"')
                    want[k++] = '"';
                want[k++] = *c;
            }
            want[k++] = '"';
        } else {
            memcpy(want + k, v, strlen(v));
            k += strlen(v);
        }
        want[k++] = '\n';
        assert_true(k < cap);
    }
    const char *path = lb_test_path(fx, "buffer.csv");
    lb_vector_opts o = {.format = LB_FMT_CSV};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    FILE *fp = fopen(path, "rb"); /* the whole file (slurp() reads its first 64 KiB) */
    assert_non_null(fp);
    char *text = malloc(k + 2);
    assert_non_null(text);
    size_t got = fread(text, 1, k + 1, fp);
    fclose(fp);
    assert_int_equal(got, k);
    assert_memory_equal(text, want, k);
    free(text);
    free(want);
    lb_table_destroy(t);
}

/* CSV edge cases, read back by GDAL's CSV reader (an independent parser): text with the
 * separator, quotes, a line break, blanks at either end, empty text, text that reads as a
 * number; reals at every magnitude (fixed notation, never "-0"), no rounding (-1 decimals),
 * integers beyond 2^53; a header name that needs quotes. */
static void test_write_csv_edge_cases(void **state)
{
    fixture *fx = *state;
    const char *texts[] = {"a,b", "say \"hi\"", "two\nlines",  " padded ", "",
                           "1e5", "-0.5",       "Oud & Nieuw", NULL};
    const double reals[] = {2.9e-05, -4e-07, 1e20, 123456.789, 2.5, -0.0625, 0.1, NAN, 7.0};
    const int decimals[] = {6, 6, 2, 2, 0, 3, -1, 6, 6};
    const char *want_real[] = {"0.000029", "0",   "1e+20", "123456.79", "3",
                               "-0.063",   "0.1", "",      "7"};
    enum { N = 9 };
    /* decimals belong to a column: each case is a one-row table of its own */
    char *text = NULL;
    for (size_t r = 0; r < N; r++) {
        lb_table *one = NULL;
        lb_column *a = NULL, *b = NULL, *c = NULL;
        assert_int_equal(lb_table_create(fx->ctx, 1, &one), LB_OK);
        assert_int_equal(lb_table_add(fx->ctx, one, "name, full", LB_COL_TEXT, &a), LB_OK);
        assert_int_equal(lb_table_add(fx->ctx, one, "v", LB_COL_REAL, &b), LB_OK);
        assert_int_equal(lb_table_add(fx->ctx, one, "big", LB_COL_INT, &c), LB_OK);
        a->text[0] = texts[r] ? lb_core_strdup(texts[r]) : NULL;
        b->real[0] = reals[r];
        b->decimals = decimals[r];
        c->integer[0] = r == 0 ? (INT64_C(1) << 62) + 1 : r == 1 ? LB_INT_NULL : -(int64_t)r;
        char name[32];
        snprintf(name, sizeof(name), "edge%zu.csv", r);
        const char *path = lb_test_path(fx, name);
        lb_vector_opts o = {.format = LB_FMT_CSV};
        assert_int_equal(lb_write_vector(fx->ctx, path, one, &o), LB_OK);
        text = slurp(path);
        assert_true(strncmp(text, "\"name, full\",v,big\n", 19) == 0);
        free(text);

        const char *const oo[] = {"QUOTED_FIELDS_AS_STRING=YES", NULL};
        GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, oo, NULL);
        assert_non_null(ds);
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        OGRFeatureH f = OGR_L_GetNextFeature(layer);
        assert_non_null(f);
        assert_string_equal(OGR_F_GetFieldAsString(f, 0), texts[r] ? texts[r] : "");
        assert_string_equal(OGR_F_GetFieldAsString(f, 1), want_real[r]);
        if (r == 1)
            assert_string_equal(OGR_F_GetFieldAsString(f, 2), "");
        else if (r == 0)
            assert_string_equal(OGR_F_GetFieldAsString(f, 2), "4611686018427387905");
        else
            assert_int_equal(OGR_F_GetFieldAsInteger64(f, 2), -(GIntBig)r);
        assert_null(OGR_L_GetNextFeature(layer));
        OGR_F_Destroy(f);
        GDALClose(ds);
        lb_table_destroy(one);
    }

    /* the separator decides what needs quotes: a comma is plain text in a ';' file */
    lb_table *one = NULL;
    lb_column *a = NULL;
    assert_int_equal(lb_table_create(fx->ctx, 1, &one), LB_OK);
    assert_int_equal(lb_table_add(fx->ctx, one, "naam", LB_COL_TEXT, &a), LB_OK);
    a->text[0] = lb_core_strdup("Rijswijk, Zuid-Holland");
    const char *path = lb_test_path(fx, "semi.csv");
    lb_vector_opts o = {.format = LB_FMT_CSV, .csv_sep = ';'};
    assert_int_equal(lb_write_vector(fx->ctx, path, one, &o), LB_OK);
    text = slurp(path);
    assert_string_equal(text, "naam\nRijswijk, Zuid-Holland\n");
    free(text);
    /* an existing file is not overwritten */
    assert_int_equal(lb_write_vector(fx->ctx, path, one, &o), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "already exists"));
    lb_table_destroy(one);
}

/* The fields of line @p line (0 = header) of CSV text @p text, split at @p sep (no quoted
 * separators in these tables), into @p out (at most @p max); returns their number. The fields
 * point into @p buf. */
static size_t csv_fields(const char *text, size_t line, char sep, char *buf, size_t size,
                         char **out, size_t max)
{
    const char *p = text;
    for (size_t l = 0; l < line; l++) {
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    size_t n = strcspn(p, "\n");
    assert_true(n < size);
    memcpy(buf, p, n);
    buf[n] = '\0';
    size_t k = 0;
    char *s = buf;
    while (k < max) {
        out[k++] = s;
        char *e = strchr(s, sep);
        if (!e)
            break;
        *e = '\0';
        s = e + 1;
    }
    return k;
}

/* A number as written with decimal mark @p mark, parsed independently of the writer: the mark
 * must occur at most once and no '.' may appear when the mark is ','. */
static double parse_mark(const char *s, char mark)
{
    char tmp[64];
    size_t n = strlen(s);
    assert_true(n > 0 && n < sizeof(tmp));
    int marks = 0;
    for (size_t i = 0; i <= n; i++) {
        if (mark == ',' && s[i] == '.')
            fail_msg("'%s' has a decimal point in a decimal-comma file", s);
        marks += s[i] == mark;
        tmp[i] = s[i] == mark ? '.' : s[i];
    }
    assert_true(marks <= 1);
    char *end = NULL;
    double v = strtod(tmp, &end);
    assert_true(end != tmp && *end == '\0');
    return v;
}

/* Decimal commas with ';' (issue 11): every magnitude and rounding, text that reads as a number
 * with either mark quoted, a comma inside text left alone; with ',' the same numbers keep '.'. */
static void test_write_csv_decimal_comma(void **state)
{
    fixture *fx = *state;
    const double reals[] = {2.9e-05, 123456.789, -0.0625, 4.1023456, 1e20, 7.0, -0.5};
    const int decimals[] = {6, 2, 3, 4, 2, 6, 6};
    const char *want[] = {"0,000029", "123456,79", "-0,063", "4,1023", "1e+20", "7", "-0,5"};
    const char *texts[] = {"4,5",   "4.5",     "0599",   "Rijswijk, Zuid-Holland",
                           "-0,25", "12,5 ha", "BU0001", "1,2,3"};
    const int quoted[] = {1, 1, 1, 0, 1, 0, 0, 0};
    enum { NR = 7, NT = 8 };
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, NT, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "naam", LB_COL_TEXT, &c), LB_OK);
    for (size_t k = 0; k < NR; k++) {
        char name[16];
        snprintf(name, sizeof(name), "v%zu", k);
        assert_int_equal(lb_table_add(fx->ctx, t, name, LB_COL_REAL, &c), LB_OK);
    }
    for (size_t r = 0; r < NT; r++) {
        t->cols[0].text[r] = lb_core_strdup(texts[r]);
        for (size_t k = 0; k < NR; k++) {
            t->cols[1 + k].decimals = decimals[k];
            t->cols[1 + k].real[r] = reals[k];
        }
    }
    const char seps[2] = {';', ','};
    for (int s = 0; s < 2; s++) {
        char sep = seps[s], mark = sep == ';' ? ',' : '.';
        const char *path = lb_test_path(fx, s ? "comma.csv" : "semicolon.csv");
        lb_vector_opts o = {.format = LB_FMT_CSV, .csv_sep = sep};
        assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
        char *text = slurp(path);
        for (size_t r = 0; r < NT; r++) {
            char buf[512], *f[1 + NR];
            if (sep == ',' && strchr(texts[r], ','))
                continue; /* quoted separator: the reader below does not split those */
            assert_int_equal(csv_fields(text, r + 1, sep, buf, sizeof(buf), f, 1 + NR), 1 + NR);
            char q[64];
            int needs = quoted[r] || (sep == ',' && strchr(texts[r], ','));
            snprintf(q, sizeof(q), needs ? "\"%s\"" : "%s", texts[r]);
            assert_string_equal(f[0], q);
            for (size_t k = 0; k < NR; k++) {
                char w[64];
                snprintf(w, sizeof(w), "%s", want[k]);
                if (mark == '.')
                    for (char *p = w; *p; p++)
                        *p = *p == ',' ? '.' : *p;
                assert_string_equal(f[1 + k], w);
                double p = parse_mark(f[1 + k], mark);
                double scale = pow(10.0, decimals[k]);
                assert_near(p, reals[k], fabs(reals[k]) > 1e15 ? 0 : 0.5 / scale + 1e-12);
            }
        }
        free(text);
    }
    lb_table_destroy(t);
}

/* Awkward doubles: thirds, sevenths, tiny and huge magnitudes, a value on a rounding half. */
static double awkward(size_t r, size_t k)
{
    double base[] = {1.0 / 3.0, 4.1023456789012345, -2.0 / 7.0,        0.1, 2.675,
                     1e-300,    -6.02e23,           123456.78901234567};
    return base[(r + k) % 8] * (1.0 + (double)r / 9.0);
}

/* --full-precision (issue 11): CSV and GeoJSON attribute values read back as the very doubles
 * written, with ',' and with ';' (decimal comma), while coordinates keep RFC 7946's 7
 * decimals; without it the same columns are rounded to their decimals. Read back with GDAL's
 * CSV and GeoJSON readers (and the ';' file by hand: GDAL does not read decimal commas). */
static void test_write_full_precision(void **state)
{
    fixture *fx = *state;
    enum { NROW = 8, NCOL = 3 };
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, NROW, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "code", LB_COL_TEXT, &c), LB_OK);
    for (size_t k = 0; k < NCOL; k++) {
        char name[8];
        snprintf(name, sizeof(name), "v%zu", k);
        assert_int_equal(lb_table_add(fx->ctx, t, name, LB_COL_REAL, &c), LB_OK);
    }
    for (size_t r = 0; r < NROW; r++) {
        char code[16];
        snprintf(code, sizeof(code), "%04zu", r);
        t->cols[0].text[r] = lb_core_strdup(code);
        for (size_t k = 0; k < NCOL; k++) {
            t->cols[1 + k].decimals = 6;
            t->cols[1 + k].real[r] = awkward(r, k);
        }
        size_t len;
        unsigned char *w = square_wkb(155000.0 + 100.0 * (double)r, 463000.0, 100.0, 0, &len);
        assert_int_equal(lb_table_set_geometry(fx->ctx, t, r, w, len), LB_OK);
    }
    for (int full = 0; full < 2; full++) {
        char name[32];
        snprintf(name, sizeof(name), "full%d.csv", full);
        const char *path = lb_test_path(fx, name);
        lb_vector_opts o = {.format = LB_FMT_CSV, .full_precision = full};
        assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
        const char *const oo[] = {"QUOTED_FIELDS_AS_STRING=YES", NULL};
        GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, oo, NULL);
        assert_non_null(ds);
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        size_t exact = 0;
        for (size_t r = 0; r < NROW; r++) {
            OGRFeatureH f = OGR_L_GetNextFeature(layer);
            assert_non_null(f);
            assert_string_equal(OGR_F_GetFieldAsString(f, 0), t->cols[0].text[r]);
            for (size_t k = 0; k < NCOL; k++) {
                double got = CPLStrtod(OGR_F_GetFieldAsString(f, 1 + (int)k), NULL);
                exact += got == t->cols[1 + k].real[r];
                if (full)
                    assert_true(got == t->cols[1 + k].real[r]);
            }
            OGR_F_Destroy(f);
        }
        GDALClose(ds);
        if (!full)
            assert_true(exact < NROW * NCOL / 2); /* rounded: most differ */

        /* the same numbers with a decimal comma */
        snprintf(name, sizeof(name), "full%d_semi.csv", full);
        path = lb_test_path(fx, name);
        o.csv_sep = ';';
        assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
        char *text = slurp(path);
        for (size_t r = 0; r < NROW; r++) {
            char buf[512], *fld[1 + NCOL];
            assert_int_equal(csv_fields(text, r + 1, ';', buf, sizeof(buf), fld, 1 + NCOL),
                             1 + NCOL);
            for (size_t k = 0; k < NCOL; k++) {
                double got = parse_mark(fld[1 + k], ',');
                if (full)
                    assert_true(got == t->cols[1 + k].real[r]);
                else
                    assert_near(got, t->cols[1 + k].real[r],
                                5e-7 + 1e-14 * fabs(t->cols[1 + k].real[r]));
            }
        }
        free(text);

        snprintf(name, sizeof(name), "full%d.geojson", full);
        path = lb_test_path(fx, name);
        lb_vector_opts g = {.format = LB_FMT_GEOJSON, .full_precision = full};
        assert_int_equal(lb_write_vector(fx->ctx, path, t, &g), LB_OK);
        json_object *doc = json_object_from_file(path);
        assert_non_null(doc);
        json_object *feats = member(doc, "features");
        exact = 0;
        for (size_t r = 0; r < NROW; r++) {
            json_object *props = member(json_object_array_get_idx(feats, r), "properties");
            assert_string_equal(json_object_get_string(member(props, "code")), t->cols[0].text[r]);
            for (size_t k = 0; k < NCOL; k++) {
                char key[8];
                snprintf(key, sizeof(key), "v%zu", k);
                double got = json_object_get_double(member(props, key));
                exact += got == t->cols[1 + k].real[r];
                if (full)
                    assert_true(got == t->cols[1 + k].real[r]);
            }
            json_object *ring = exterior_ring(doc, r);
            for (size_t i = 0; i < 5; i++) {
                json_object *pt = json_object_array_get_idx(ring, i);
                assert_true(decimals_in_text(json_object_array_get_idx(pt, 0)) <= 7);
                assert_true(decimals_in_text(json_object_array_get_idx(pt, 1)) <= 7);
            }
        }
        if (!full)
            assert_true(exact < NROW * NCOL / 2);
        json_object_put(doc);
    }
    lb_table_destroy(t);
}

/* A text column holding its strings in one block (rows sharing a string, missing rows) writes
 * the same CSV as the same texts each in a string of its own, and frees without a leak or a
 * double free (run under ASan). */
static void test_write_csv_text_block(void **state)
{
    fixture *fx = *state;
    const char *values[] = {"Zeer goed", NULL, "E1553N4632", "Zeer goed", "4,5", "0599", ""};
    enum { N = 7 };
    char *text[2] = {NULL, NULL};
    for (int blocked = 0; blocked < 2; blocked++) {
        lb_table *t = NULL;
        lb_column *c = NULL;
        assert_int_equal(lb_table_create(fx->ctx, N, &t), LB_OK);
        assert_int_equal(lb_table_add(fx->ctx, t, "naam", LB_COL_TEXT, &c), LB_OK);
        if (blocked) {
            char *block = NULL;
            assert_int_equal(lb_table_text_block(fx->ctx, c, 64, &block), LB_OK);
            char *shared = strcpy(block, values[0]); /* rows 0 and 3 share it */
            block += strlen(shared) + 1;
            for (size_t r = 0; r < N; r++) {
                if (r == 0 || r == 3 || !values[r]) {
                    c->text[r] = values[r] ? shared : NULL;
                    continue;
                }
                c->text[r] = strcpy(block, values[r]);
                block += strlen(values[r]) + 1;
            }
            /* a second block is refused */
            char *again = NULL;
            assert_int_equal(lb_table_text_block(fx->ctx, c, 8, &again), LB_ERR_INTERNAL);
        } else {
            for (size_t r = 0; r < N; r++)
                c->text[r] = values[r] ? lb_core_strdup(values[r]) : NULL;
        }
        const char *path = lb_test_path(fx, blocked ? "block.csv" : "strings.csv");
        lb_vector_opts o = {.format = LB_FMT_CSV, .csv_sep = ';'};
        assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
        text[blocked] = slurp(path);
        lb_table_destroy(t);
    }
    assert_string_equal(text[1], text[0]);
    assert_string_equal(text[0],
                        "naam\nZeer goed\n\nE1553N4632\nZeer goed\n\"4,5\"\n\"0599\"\n\"\"\n");
    free(text[0]);
    free(text[1]);
}

/* Text is quoted exactly when strtod reads all of it as a number (with ';' also when it does
 * so with the comma for a point), whatever character it starts with: the writer's quick test of
 * the first character must never leave a number unquoted. */
static void test_write_csv_quotes_what_reads_as_number(void **state)
{
    fixture *fx = *state;
    const char *texts[] = {"1",   "+1",  "-1",       ".5",    ",5",   "1e5", "inf", "INF",
                           "nan", "NaN", "Infinity", "0x1p3", "-inf", "i",   "n",   "E1553N4632",
                           "e5",  "x1",  "BU0001",   "Goed",  "_1",   "#1",  "$1",  "(1)",
                           "1,5", "a1",  "N4632",    "I",     "-",    "+",   ".",   ","};
    enum { N = sizeof(texts) / sizeof(texts[0]) };
    for (int semi = 0; semi < 2; semi++) {
        lb_table *t = NULL;
        lb_column *c = NULL;
        assert_int_equal(lb_table_create(fx->ctx, 1, &t), LB_OK);
        assert_int_equal(lb_table_add(fx->ctx, t, "v", LB_COL_TEXT, &c), LB_OK);
        for (size_t i = 0; i < N; i++) {
            free(c->text[0]);
            c->text[0] = lb_core_strdup(texts[i]);
            char name[32];
            snprintf(name, sizeof(name), "q%d_%zu.csv", semi, i);
            const char *path = lb_test_path(fx, name);
            lb_vector_opts o = {.format = LB_FMT_CSV, .csv_sep = semi ? ';' : ','};
            assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
            char *got = slurp(path);
            /* independently: does strtod read it all (commas as points in a ';' file)? */
            char tmp[64];
            snprintf(tmp, sizeof(tmp), "%s", texts[i]);
            for (char *p = tmp; semi && *p; p++)
                if (*p == ',')
                    *p = '.';
            char *end = NULL;
            (void)strtod(tmp, &end);
            int number = end != tmp && *end == '\0';
            int sep_inside = strchr(texts[i], semi ? ';' : ',') != NULL;
            char want[80];
            snprintf(want, sizeof(want), number || sep_inside ? "v\n\"%s\"\n" : "v\n%s\n",
                     texts[i]);
            if (strcmp(got, want) != 0)
                fail_msg("'%s' (sep '%c'): wrote '%s', want '%s'", texts[i], semi ? ';' : ',', got,
                         want);
            free(got);
        }
        lb_table_destroy(t);
    }
}

/* lb_io_round_decimals takes its powers of ten from a table: the same doubles as computing
 * with pow(10, d), for every number of decimals it rounds to and values of every magnitude. */
static void test_write_round_decimals_as_pow(void **state)
{
    (void)state;
    const double values[] = {0.0,        2.5,    -2.5,        0.125, 1.0 / 3.0, -2.0 / 3.0,
                             123456.789, 1e-7,   4.35,        -4.35, 1e15,      2.9e-05,
                             0.1 + 0.2,  99.995, -1234.56785, 7.0,   1e300,     6.02214076e23};
    for (int d = 0; d <= 15; d++)
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            double v = values[i], p = pow(10.0, d), y = v * p, want = v;
            if (isfinite(y) && fabs(y) < 4503599627370496.0) {
                double tr = trunc(y);
                double r =
                    fabs(y - tr) >= 0.5 - 4.0 * DBL_EPSILON * fabs(y) ? tr + copysign(1.0, y) : tr;
                want = r == 0.0 ? 0.0 : r / p;
            }
            double got = lb_io_round_decimals(v, d);
            if (memcmp(&got, &want, sizeof(double)) != 0)
                fail_msg("round(%.17g, %d) = %.17g, want %.17g", v, d, got, want);
        }
}

/* SQLite's PRAGMA synchronous of a connection GDAL opens to @p path on this thread. */
static int gpkg_synchronous(const char *path)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH res = GDALDatasetExecuteSQL(ds, "PRAGMA synchronous", NULL, NULL);
    assert_non_null(res);
    OGRFeatureH f = OGR_L_GetNextFeature(res);
    assert_non_null(f);
    int v = OGR_F_GetFieldAsInteger(f, 0);
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, res);
    GDALClose(ds);
    return v;
}

/* GeoPackages are written without an fsync per commit (synchronous OFF) on the writing thread
 * only, and a caller's own OGR_SQLITE_SYNCHRONOUS wins. */
static void test_write_gpkg_nosync_option(void **state)
{
    fixture *fx = *state;
    lb_table *t = sample_table(fx->ctx);
    const char *path = lb_test_path(fx, "sync.gpkg");
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "buurt"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    int dflt = gpkg_synchronous(path);
    assert_int_not_equal(dflt, 0); /* SQLite's FULL or GDAL's choice, not OFF */
    int set = lb_io_gpkg_nosync_begin();
    assert_int_equal(set, 1);
    assert_int_equal(gpkg_synchronous(path), 0);
    lb_io_gpkg_nosync_end(set);
    assert_int_equal(gpkg_synchronous(path), dflt);
    assert_null(CPLGetConfigOption("OGR_SQLITE_SYNCHRONOUS", NULL));

    CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "NORMAL");
    set = lb_io_gpkg_nosync_begin();
    assert_int_equal(set, 0);
    assert_int_equal(gpkg_synchronous(path), 1);
    lb_io_gpkg_nosync_end(set);
    assert_string_equal(CPLGetConfigOption("OGR_SQLITE_SYNCHRONOUS", ""), "NORMAL");
    CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", NULL);
    lb_table_destroy(t);
}

#define WRITE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, lb_test_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WRITE_TEST(test_write_gpkg_two_layers),
        WRITE_TEST(test_write_csv_edge_cases),
        WRITE_TEST(test_write_csv_numbers_as_printf),
        WRITE_TEST(test_write_csv_buffer_boundaries),
        WRITE_TEST(test_write_gpkg_rounds_half_away_from_zero),
        WRITE_TEST(test_write_gpkg_layer_twice_is_error),
        WRITE_TEST(test_write_gpkg_mixed_polygons_promoted),
        WRITE_TEST(test_write_gpkg_bad_geometry_leaves_no_trace),
        WRITE_TEST(test_write_gpkg_nosync_option),
        WRITE_TEST(test_write_geojson_rfc7946),
        WRITE_TEST(test_write_geojson_rd),
        WRITE_TEST(test_write_csv_semicolon_keeps_codes),
        WRITE_TEST(test_write_csv_decimal_comma),
        WRITE_TEST(test_write_full_precision),
        WRITE_TEST(test_write_cog_float),
        WRITE_TEST(test_write_cog_classes),
        WRITE_TEST(test_write_cog_float_structure),
        WRITE_TEST(test_write_cog_classes_structure),
        WRITE_TEST(test_write_cog_float_bands_edges),
        WRITE_TEST(test_write_raster_options),
        WRITE_TEST(test_write_gtiff_format),
        WRITE_TEST(test_write_class_table_check),
        WRITE_TEST(test_write_geojson_winding_holes),
        WRITE_TEST(test_write_csv_codes_and_integers),
        WRITE_TEST(test_write_json_pretty),
        WRITE_TEST(test_write_missing_directory_is_io_error),
        WRITE_TEST(test_write_csv_text_block),
        WRITE_TEST(test_write_csv_quotes_what_reads_as_number),
        WRITE_TEST(test_write_round_decimals_as_pow),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* release GDAL's drivers so LeakSanitizer sees only our own allocations */
    GDALDestroyDriverManager();
    return failed;
}
