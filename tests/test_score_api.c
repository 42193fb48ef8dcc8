/* SPDX-License-Identifier: MIT */
/* The score operation through the public API (lb_opts → lb_score_run → lb_result): the tables
 * and rasters in memory against the files lb_result_write writes, read back with GDAL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Options of "score" for the demo city's 2022 (as `leefbaar demo` binds it), output @p out;
 * @p outputs may be NULL (all). */
static lb_opts *demo_opts(lb_ctx *ctx, const char *out, const char *outputs)
{
    const char *root = getenv("LB_SOURCE_ROOT");
    assert_non_null(root);
    char v[1200];
    lb_opts *o = NULL;
    assert_int_equal(lb_opts_create(ctx, "score", &o), LB_OK);
    snprintf(v, sizeof(v), "%s/models/default.yaml", root);
    assert_int_equal(lb_opts_set(ctx, o, "model", v), LB_OK);
    const char *const layers[] = {"buurten", "amenities", "incidents"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(v, sizeof(v), "%s=%s/shapes/leefstad_2022.gpkg:%s", layers[i], root, layers[i]);
        assert_int_equal(lb_opts_set(ctx, o, "input", v), LB_OK);
    }
    snprintf(v, sizeof(v), "roads=%s/shapes/leefstad.gpkg:roads", root);
    assert_int_equal(lb_opts_set(ctx, o, "input", v), LB_OK);
    snprintf(v, sizeof(v), "noise=%s/rasters/noise_lden.tif", root);
    assert_int_equal(lb_opts_set(ctx, o, "input", v), LB_OK);
    snprintf(v, sizeof(v), "green=%s/rasters/green_share.tif", root);
    assert_int_equal(lb_opts_set(ctx, o, "input", v), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "year", "2022"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "output", out), LB_OK);
    if (outputs)
        assert_int_equal(lb_opts_set(ctx, o, "outputs", outputs), LB_OK);
    return o;
}

static const lb_raster *raster_named(const lb_result *r, const char *name)
{
    for (size_t i = 0; i < lb_result_raster_count(r); i++)
        if (strcmp(lb_raster_name(lb_result_raster(r, i)), name) == 0)
            return lb_result_raster(r, i);
    return NULL;
}

/* Every column of @p t against layer @p layer of @p path (GDAL): the GeoPackage holds the
 * numbers unrounded, so they must be the same doubles; polygons the same area. */
static void check_gpkg(const lb_table *t, const char *path, const char *layer)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(l);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    size_t n = lb_table_row_count(t);
    assert_int_equal((size_t)OGR_L_GetFeatureCount(l, 1), n);
    OGR_L_ResetReading(l);
    for (size_t row = 0; row < n; row++) {
        OGRFeatureH f = OGR_L_GetNextFeature(l);
        assert_non_null(f);
        for (size_t c = 0; c < lb_table_column_count(t); c++) {
            int fi = OGR_FD_GetFieldIndex(defn, lb_table_column_name(t, c));
            assert_true(fi >= 0);
            int set = OGR_F_IsFieldSetAndNotNull(f, fi);
            if (lb_table_column_type(t, c) == LB_COL_REAL) {
                double v = lb_table_reals(t, c)[row];
                assert_int_equal(set, !isnan(v));
                if (set)
                    assert_true(OGR_F_GetFieldAsDouble(f, fi) == v);
            } else if (lb_table_column_type(t, c) == LB_COL_INT) {
                int64_t v = lb_table_ints(t, c)[row];
                assert_int_equal(set, v != LB_INT_NULL);
                if (set)
                    assert_true(OGR_F_GetFieldAsInteger64(f, fi) == v);
            } else {
                const char *v = lb_table_text(t, c, row);
                assert_int_equal(set, v != NULL);
                if (set)
                    assert_string_equal(OGR_F_GetFieldAsString(f, fi), v);
            }
        }
        size_t size = 0;
        const unsigned char *wkb = lb_table_wkb(t, row, &size);
        OGRGeometryH mine = NULL, theirs = OGR_F_GetGeometryRef(f);
        assert_non_null(wkb);
        assert_non_null(theirs);
        assert_int_equal(OGR_G_CreateFromWkbEx(wkb, NULL, &mine, size), OGRERR_NONE);
        double a = OGR_G_Area(mine), b = OGR_G_Area(theirs);
        assert_true(a > 0.0);
        assert_near(a, b, 1e-9 * a);
        OGR_G_DestroyGeometry(mine);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

/* The CSV holds the numbers rounded (weight to 2 decimals, the rest to 6 at most): each cell
 * within half a unit of its last decimal, empty where the table has a missing value. */
static void check_csv(const lb_table *t, const char *path)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(l);
    size_t n = lb_table_row_count(t);
    assert_int_equal((size_t)OGR_L_GetFeatureCount(l, 1), n);
    OGR_L_ResetReading(l);
    for (size_t row = 0; row < n; row++) {
        OGRFeatureH f = OGR_L_GetNextFeature(l);
        assert_non_null(f);
        for (size_t c = 0; c < lb_table_column_count(t); c++) {
            const char *name = lb_table_column_name(t, c);
            int fi = OGR_FD_GetFieldIndex(defn, name);
            assert_true(fi >= 0);
            const char *s = OGR_F_GetFieldAsString(f, fi);
            if (lb_table_column_type(t, c) == LB_COL_REAL) {
                double v = lb_table_reals(t, c)[row];
                assert_int_equal(s[0] != '\0', !isnan(v));
                if (s[0])
                    assert_near(strtod(s, NULL), v, strcmp(name, "weight") == 0 ? 5e-3 : 5.1e-7);
            } else if (lb_table_column_type(t, c) == LB_COL_INT) {
                int64_t v = lb_table_ints(t, c)[row];
                assert_int_equal(s[0] != '\0', v != LB_INT_NULL);
                if (s[0])
                    assert_true(strtoll(s, NULL, 10) == v);
            } else {
                const char *v = lb_table_text(t, c, row);
                assert_string_equal(s, v ? v : "");
            }
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
}

/* Band @p band of @p r (lb_raster_read_band) against band @p band + 1 of the GeoTIFF @p path:
 * the same grid and the same values; @p nodata_zero: the file's 0 is the raster's NaN (class
 * rasters). Returns the number of cells with a value. */
static size_t check_band(lb_ctx *ctx, const lb_raster *r, size_t band, const char *path,
                         int nodata_zero)
{
    size_t nx = 0, ny = 0, nb = 0;
    lb_raster_size(r, &nx, &ny, &nb);
    assert_true(band < nb);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal((size_t)GDALGetRasterXSize(ds), nx);
    assert_int_equal((size_t)GDALGetRasterYSize(ds), ny);
    double gt[6], fgt[6];
    lb_raster_geotransform(r, gt);
    assert_int_equal(GDALGetGeoTransform(ds, fgt), CE_None);
    for (int i = 0; i < 6; i++)
        assert_true(gt[i] == fgt[i]);
    float *mine = malloc(nx * ny * sizeof(float)), *theirs = malloc(nx * ny * sizeof(float));
    assert_non_null(mine);
    assert_non_null(theirs);
    assert_int_equal(lb_raster_read_band(ctx, r, band, mine), LB_OK);
    GDALRasterBandH b = GDALGetRasterBand(ds, (int)band + 1);
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, (int)nx, (int)ny, theirs, (int)nx, (int)ny,
                                  GDT_Float32, 0, 0),
                     CE_None);
    size_t n_value = 0;
    for (size_t k = 0; k < nx * ny; k++) {
        float t = nodata_zero && theirs[k] == 0.0f ? NAN : theirs[k];
        assert_int_equal(isnan(mine[k]), isnan(t));
        if (!isnan(t)) {
            assert_true(mine[k] == t);
            n_value++;
        }
    }
    free(mine);
    free(theirs);
    GDALClose(ds);
    return n_value;
}

/* The units table, the grid table and the rasters in memory are what the files hold. */
static void test_score_api_result_matches_files(void **state)
{
    lb_test_dir *td = *state;
    lb_ctx *ctx = td->ctx;
    char out[128], path[256];
    snprintf(out, sizeof(out), "%s/run", td->dir);
    lb_opts *o = demo_opts(ctx, out, NULL);
    lb_result *res = NULL;
    assert_int_equal(lb_score_run(ctx, o, &res), LB_OK);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0); /* computing writes nothing */
    assert_string_equal(lb_result_operation(res), "score");
    const lb_table *units = lb_result_table_by_name(res, "buurten");
    const lb_table *grid = lb_result_table_by_name(res, "grid");
    assert_non_null(units);
    assert_non_null(grid);
    assert_true(lb_table_row_count(units) > 10);
    assert_true(lb_table_has_geometry(units));
    assert_true(lb_table_column_index(units, "lbm") >= 0);
    assert_true(lb_table_column_index(units, "BU_CODE") >= 0);
    assert_non_null(strstr(lb_result_provenance(res), "\"leefbaar-default\""));

    assert_int_equal(lb_result_write(ctx, res, o), LB_OK);
    snprintf(path, sizeof(path), "%s/scores.gpkg", out);
    check_gpkg(units, path, "buurten");
    check_gpkg(grid, path, "grid");
    snprintf(path, sizeof(path), "%s/buurten.csv", out);
    check_csv(units, path);

    const lb_raster *scores = raster_named(res, "scores_2022");
    const lb_raster *cls = raster_named(res, "class_2022");
    assert_non_null(scores);
    assert_non_null(cls);
    size_t nb = 0;
    lb_raster_size(scores, NULL, NULL, &nb);
    assert_true(nb > 1);
    assert_string_equal(lb_raster_band_name(scores, 0), "lbm");
    snprintf(path, sizeof(path), "%s/scores_2022.tif", out);
    size_t n_scored = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t n = check_band(ctx, scores, b, path, 0);
        if (b == 0)
            n_scored = n;
        assert_true(n > 0 && n <= n_scored); /* a dimension may be missing where lbm is not */
    }
    /* every scored cell is a row of the grid table */
    assert_int_equal(n_scored, lb_table_row_count(grid));
    snprintf(path, sizeof(path), "%s/class_2022.tif", out);
    assert_int_equal(check_band(ctx, cls, 0, path, 1), n_scored);
    lb_result_destroy(res);
    lb_opts_destroy(o);
}

/* A result computed with fewer outputs has no table or raster behind the others: writing one
 * of those is refused and leaves nothing behind; what was computed writes. */
static void test_score_api_write_what_was_computed(void **state)
{
    lb_test_dir *td = *state;
    lb_ctx *ctx = td->ctx;
    char out[128], path[256];
    snprintf(out, sizeof(out), "%s/csv", td->dir);
    lb_opts *o = demo_opts(ctx, out, "csv");
    lb_result *res = NULL;
    assert_int_equal(lb_score_run(ctx, o, &res), LB_OK);
    assert_non_null(lb_result_table_by_name(res, "buurten"));
    assert_null(lb_result_table_by_name(res, "grid"));
    assert_int_equal(lb_result_raster_count(res), 0);
    assert_int_equal(lb_opts_set(ctx, o, "outputs", "csv,tif"), LB_OK);
    assert_int_equal(lb_result_write(ctx, res, o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "rasters"));
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
    assert_int_equal(lb_opts_set(ctx, o, "outputs", "csv"), LB_OK);
    assert_int_equal(lb_result_write(ctx, res, o), LB_OK);
    snprintf(path, sizeof(path), "%s/buurten.csv", out);
    check_csv(lb_result_table_by_name(res, "buurten"), path);
    snprintf(path, sizeof(path), "%s/scores.gpkg", out);
    assert_int_not_equal(stat(path, &sb), 0);
    lb_result_destroy(res);
    lb_opts_destroy(o);
}

/* The options of an area-mode score of the KWB fixture's buurten for 2022. */
static lb_opts *kwb_area_opts(lb_ctx *ctx)
{
    const char *root = getenv("LB_SOURCE_ROOT"), *data = getenv("LB_TEST_DATA");
    char v[1200];
    lb_opts *o = NULL;
    assert_int_equal(lb_opts_create(ctx, "score", &o), LB_OK);
    snprintf(v, sizeof(v), "%s/models/kwb-area-2016-2021.yaml", root);
    assert_int_equal(lb_opts_set(ctx, o, "model", v), LB_OK);
    snprintf(v, sizeof(v), "buurten=%s/kwb/kwb_buurten.geojson", data);
    assert_int_equal(lb_opts_set(ctx, o, "input", v), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "mode", "area"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "units", "buurten"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "year", "2022"), LB_OK);
    return o;
}

/* Area mode through the API: the units table only, and Centrum-Noord's score as computed by
 * hand for tests/cli/cli_score_area.sh (4.048043 rounded). */
static void test_score_api_area(void **state)
{
    lb_test_dir *td = *state;
    lb_ctx *ctx = td->ctx;
    lb_opts *o = kwb_area_opts(ctx);
    lb_result *res = NULL;
    assert_int_equal(lb_score_run(ctx, o, &res), LB_OK);
    assert_int_equal(lb_result_table_count(res), 1);
    assert_int_equal(lb_result_raster_count(res), 0);
    const lb_table *t = lb_result_table_by_name(res, "buurten");
    assert_non_null(t);
    long code = lb_table_column_index(t, "BU_CODE"), lbm = lb_table_column_index(t, "lbm");
    assert_true(code >= 0 && lbm >= 0);
    size_t found = 0;
    for (size_t row = 0; row < lb_table_row_count(t); row++)
        if (strcmp(lb_table_text(t, (size_t)code, row), "BU99990001") == 0) {
            assert_near(lb_table_reals(t, (size_t)lbm)[row], 4.048043, 5e-7);
            found++;
        }
    assert_int_equal(found, 1);
    assert_non_null(strstr(lb_result_provenance(res), "\"area\""));
    lb_result_destroy(res);
    lb_opts_destroy(o);
}

/* Area mode with outputs csv alone: the units table goes without its polygons (nothing of the
 * run draws them; on T2 they were 79 MB of WKB) and with the numbers of a run with all
 * outputs; writing scores.gpkg or the GeoJSON from it is refused, the CSV writes. */
static void test_score_api_area_csv_only(void **state)
{
    lb_test_dir *td = *state;
    lb_ctx *ctx = td->ctx;
    char out[600], path[700];
    lb_result *res[2] = {NULL, NULL};
    lb_opts *o = NULL;
    for (int csv_only = 0; csv_only < 2; csv_only++) {
        o = kwb_area_opts(ctx);
        if (csv_only)
            assert_int_equal(lb_opts_set(ctx, o, "outputs", "csv"), LB_OK);
        assert_int_equal(lb_score_run(ctx, o, &res[csv_only]), LB_OK);
        if (csv_only)
            break;
        lb_opts_destroy(o);
    }
    const lb_table *all = lb_result_table_by_name(res[0], "buurten");
    const lb_table *csv = lb_result_table_by_name(res[1], "buurten");
    assert_non_null(all);
    assert_non_null(csv);
    assert_true(lb_table_has_geometry(all));
    assert_false(lb_table_has_geometry(csv));
    assert_null(lb_table_wkb(csv, 0, NULL));
    size_t n = lb_table_row_count(all);
    assert_int_equal(lb_table_row_count(csv), n);
    assert_int_equal(lb_table_column_count(csv), lb_table_column_count(all));
    for (size_t c = 0; c < lb_table_column_count(all); c++) {
        assert_string_equal(lb_table_column_name(csv, c), lb_table_column_name(all, c));
        if (lb_table_column_type(all, c) == LB_COL_REAL)
            assert_memory_equal(lb_table_reals(csv, c), lb_table_reals(all, c), n * sizeof(double));
    }
    snprintf(out, sizeof(out), "%s/area-csv", td->dir);
    assert_int_equal(lb_opts_set(ctx, o, "output", out), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "outputs", "csv,gpkg"), LB_OK);
    assert_int_equal(lb_result_write(ctx, res[1], o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "units' polygons"));
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
    assert_int_equal(lb_opts_set(ctx, o, "outputs", "csv"), LB_OK);
    assert_int_equal(lb_result_write(ctx, res[1], o), LB_OK);
    snprintf(path, sizeof(path), "%s/buurten.csv", out);
    assert_int_equal(stat(path, &sb), 0);
    lb_result_destroy(res[0]);
    lb_result_destroy(res[1]);
    lb_opts_destroy(o);
}

/* Options of another operation, or without a model, are refused before any work. */
static void test_score_api_bad_options(void **state)
{
    lb_test_dir *td = *state;
    lb_ctx *ctx = td->ctx;
    lb_opts *o = NULL;
    lb_result *res = NULL;
    assert_int_equal(lb_opts_create(ctx, "change", &o), LB_OK);
    assert_int_equal(lb_score_run(ctx, o, &res), LB_ERR_ARG);
    assert_null(res);
    lb_opts_destroy(o);
    assert_int_equal(lb_opts_create(ctx, "score", &o), LB_OK);
    assert_int_equal(lb_score_run(ctx, o, &res), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--model is required"));
    assert_null(res);
    lb_opts_destroy(o);
}

/* The lower-left corner of a cell square's WKB polygon (little-endian, one ring): the least x
 * and y of its points. */
static void wkb_corner(const unsigned char *wkb, size_t size, double *x, double *y)
{
    assert_true(size >= 13 + 5 * 16);
    assert_int_equal(wkb[0], 1);
    *x = *y = INFINITY;
    for (size_t i = 0; i < 5; i++) {
        double px, py;
        memcpy(&px, wkb + 13 + 16 * i, sizeof(double));
        memcpy(&py, wkb + 13 + 16 * i + 8, sizeof(double));
        *x = fmin(*x, px);
        *y = fmin(*y, py);
    }
}

/* Two years on the grid (--units grid): the cells' table joins the years' tables (their text
 * columns copied into one block). It is the same table whether it took the scores' arrays (no
 * rasters) or copied them (with rasters); every cell id is what "E%.0fN%.0f" prints of its
 * square's corner in hectometres; the rows of a class share its label, unscored cells have
 * none; the years come in ascending order; grid.csv holds the table. */
static void test_score_api_grid_table_two_years(void **state)
{
    lb_test_dir *td = *state;
    lb_ctx *ctx = td->ctx;
    const char *outputs[2] = {"csv,grid", "csv,grid,tif"};
    lb_result *res[2] = {NULL, NULL};
    lb_opts *o[2] = {NULL, NULL};
    char out[2][128], path[300];
    for (int i = 0; i < 2; i++) {
        snprintf(out[i], sizeof(out[i]), "%s/grid%d", td->dir, i);
        o[i] = demo_opts(ctx, out[i], outputs[i]);
        assert_int_equal(lb_opts_set(ctx, o[i], "year", "2020"), LB_OK);
        assert_int_equal(lb_opts_set(ctx, o[i], "units", "grid"), LB_OK);
        assert_int_equal(lb_score_run(ctx, o[i], &res[i]), LB_OK);
    }
    const lb_table *a = lb_result_table_by_name(res[0], "grid");
    const lb_table *b = lb_result_table_by_name(res[1], "grid");
    assert_non_null(a);
    assert_non_null(b);
    size_t n = lb_table_row_count(a), nc = lb_table_column_count(a);
    assert_true(n > 100 && n % 2 == 0);
    assert_int_equal(lb_table_row_count(b), n);
    assert_int_equal(lb_table_column_count(b), nc);
    for (size_t c = 0; c < nc; c++) {
        assert_string_equal(lb_table_column_name(a, c), lb_table_column_name(b, c));
        lb_col_type type = lb_table_column_type(a, c);
        assert_int_equal(lb_table_column_type(b, c), type);
        for (size_t row = 0; row < n; row++) {
            if (type == LB_COL_REAL) {
                assert_memory_equal(&lb_table_reals(a, c)[row], &lb_table_reals(b, c)[row],
                                    sizeof(double));
            } else if (type == LB_COL_INT) {
                assert_true(lb_table_ints(a, c)[row] == lb_table_ints(b, c)[row]);
            } else {
                const char *ta = lb_table_text(a, c, row), *tb = lb_table_text(b, c, row);
                assert_int_equal(ta == NULL, tb == NULL);
                if (ta)
                    assert_string_equal(ta, tb);
            }
        }
    }
    long cid = lb_table_column_index(a, "cell_id"), cy = lb_table_column_index(a, "year");
    long ck = lb_table_column_index(a, "kscore"), cl = lb_table_column_index(a, "klasse");
    assert_true(cid >= 0 && cy >= 0 && ck >= 0 && cl >= 0);
    const char *label[10] = {NULL};
    size_t classed = 0;
    for (size_t row = 0; row < n; row++) {
        size_t size = 0;
        const unsigned char *wkb = lb_table_wkb(a, row, &size);
        assert_non_null(wkb);
        double x, y;
        wkb_corner(wkb, size, &x, &y);
        char want[64];
        snprintf(want, sizeof(want), "E%.0fN%.0f", floor(x / 100.0), floor(y / 100.0));
        assert_string_equal(lb_table_text(a, (size_t)cid, row), want);
        assert_int_equal(lb_table_ints(a, (size_t)cy)[row], row < n / 2 ? 2020 : 2022);
        if (row >= n / 2) /* the same inputs both years: the same cells */
            assert_string_equal(lb_table_text(a, (size_t)cid, row),
                                lb_table_text(a, (size_t)cid, row - n / 2));
        int64_t k = lb_table_ints(a, (size_t)ck)[row];
        const char *txt = lb_table_text(a, (size_t)cl, row);
        if (k == LB_INT_NULL) {
            assert_null(txt);
            continue;
        }
        assert_true(k >= 1 && k <= 9);
        assert_non_null(txt);
        classed++;
        if (!label[k])
            label[k] = txt;
        assert_string_equal(txt, label[k]);
        for (int j = 1; j <= 9; j++) /* one label per class */
            assert_true(j == k || !label[j] || strcmp(label[j], txt) != 0);
    }
    assert_true(classed > n / 2);
    assert_int_equal(lb_result_write(ctx, res[0], o[0]), LB_OK);
    snprintf(path, sizeof(path), "%s/grid.csv", out[0]);
    check_csv(a, path);
    for (int i = 0; i < 2; i++) {
        lb_result_destroy(res[i]);
        lb_opts_destroy(o[i]);
    }
}

static int setup(void **state)
{
    GDALAllRegister();
    return lb_test_dir_setup(state, "score-api");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_api_result_matches_files),
        cmocka_unit_test(test_score_api_write_what_was_computed),
        cmocka_unit_test(test_score_api_area),
        cmocka_unit_test(test_score_api_area_csv_only),
        cmocka_unit_test(test_score_api_bad_options),
        cmocka_unit_test(test_score_api_grid_table_two_years),
    };
    return cmocka_run_group_tests(tests, setup, lb_test_dir_teardown);
}
