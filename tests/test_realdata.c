/* SPDX-License-Identifier: MIT */
/* Real Dutch data from ../shared/data (never committed; skipped when absent): the Rotterdam
 * buurten scored with a raster and point indicators checked against brute force, and the
 * CRS-less RD GeoJSON trap rejected with an explanation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "score/score.h"

#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char data[512];
    char tmp[256];
    char model[512], gpkg[600], bins[600], trees[600], orig[600];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    const char *shared = getenv("LB_SHARED_DATA");
    snprintf(f->data, sizeof(f->data), "%s/rotterdam-tir", shared ? shared : "../shared/data");
    if (lb_test_tmpdir(f->tmp, sizeof(f->tmp), "realdata") != 0)
        return -1;
    snprintf(f->model, sizeof(f->model), "%s/realdata/rotterdam.yaml", getenv("LB_TEST_DATA"));
    snprintf(f->gpkg, sizeof(f->gpkg), "%s/tir_rd.gpkg", f->data);
    snprintf(f->bins, sizeof(f->bins), "%s/afvalbakken_zuid.geojson", f->data);
    snprintf(f->trees, sizeof(f->trees), "%s/trees_per_100m_derived.tif", f->data);
    snprintf(f->orig, sizeof(f->orig), "%s/orig/tir_buurten.geojson", f->data);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = lb_test_rmtree(f->tmp);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int have(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static lb_status score(lb_ctx *ctx, const fixture *f, const char *buurten, const char *layer,
                       const char *s_srs, const char *out)
{
    const lb_input_spec in[] = {
        {"buurten", buurten, layer}, {"bins", f->bins, NULL}, {"trees", f->trees, NULL}};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = f->model;
    o.inputs = in;
    o.n_inputs = 3;
    o.s_srs = s_srs;
    o.id_field = "BUURT";
    o.outdir = out;
    return lb_score_exec(ctx, &o);
}

static double mean_of(const char *run_json, const char *dim)
{
    struct json_object *doc = json_object_from_file(run_json), *o = NULL, *v = NULL;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "reference", &o));
    assert_true(json_object_object_get_ex(o, "means", &o));
    assert_true(json_object_object_get_ex(o, dim, &v));
    double m = json_object_get_double(v);
    json_object_put(doc);
    return m;
}

static void test_realdata_rotterdam_buurten(void **state)
{
    fixture *f = *state;
    if (!have(f->gpkg))
        skip();
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    char out[512], rj[600], gp[600];
    snprintf(out, sizeof(out), "%s/rotterdam", f->tmp);
    lb_status st = score(ctx, f, f->gpkg, "buurten", NULL, out);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    snprintf(gp, sizeof(gp), "%s/scores.gpkg", out);
    double m_pub = mean_of(rj, "pub"), m_vrz = mean_of(rj, "vrz"), m_soc = mean_of(rj, "soc");

    /* Brute force inputs: all litter bins, and the trees raster as GDAL reads it. */
    GDALDatasetH bins = GDALOpenEx(f->bins, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(bins);
    OGRLayerH bl = GDALDatasetGetLayer(bins, 0);
    size_t nb = (size_t)OGR_L_GetFeatureCount(bl, 1), k = 0;
    double *bx = malloc(nb * sizeof(double)), *by = malloc(nb * sizeof(double));
    OGRFeatureH ft;
    while ((ft = OGR_L_GetNextFeature(bl)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(ft);
        bx[k] = OGR_G_GetX(g, 0);
        by[k++] = OGR_G_GetY(g, 0);
        OGR_F_Destroy(ft);
    }
    GDALClose(bins);
    GDALDatasetH tr = GDALOpen(f->trees, GA_ReadOnly);
    assert_non_null(tr);
    double gt[6];
    GDALGetGeoTransform(tr, gt);
    int tw = GDALGetRasterXSize(tr), th = GDALGetRasterYSize(tr);
    float *tv = malloc((size_t)tw * (size_t)th * sizeof(float));
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(tr, 1), GF_Read, 0, 0, tw, th, tv, tw, th,
                                  GDT_Float32, 0, 0),
                     CE_None);
    GDALClose(tr);

    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH grid = GDALDatasetGetLayerByName(ds, "grid");
    size_t n_cells = 0, n_trees = 0;
    while ((ft = OGR_L_GetNextFeature(grid)) != NULL) {
        int e = 0, n = 0;
        const char *id = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "cell_id"));
        assert_int_equal(sscanf(id, "E%dN%d", &e, &n), 2);
        double x = e * 100.0 + 50.0, y = n * 100.0 + 50.0;
        double dmin = INFINITY;
        int cnt = 0;
        for (size_t i = 0; i < nb; i++) {
            double d = hypot(x - bx[i], y - by[i]);
            dmin = fmin(dmin, d);
            cnt += d <= 200.0;
        }
        /* x = (dev + M) / coef with coef 0.001; dev is written with 6 decimals. */
        double vrz = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "vrz"));
        double soc = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "soc"));
        double pub = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "pub"));
        assert_near((vrz + m_vrz) / 0.001, cnt, 1e-3);
        assert_near((soc + m_soc) / 0.001, fmin(dmin, 2000.0), 1e-3);
        int col = (int)floor((x - gt[0]) / gt[1]), row = (int)floor((y - gt[3]) / gt[5]);
        int imputed = OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "n_imputed"));
        if (col >= 0 && row >= 0 && col < tw && row < th &&
            tv[(size_t)row * (size_t)tw + (size_t)col] != 65535.0f) {
            assert_int_equal(imputed, 0);
            assert_near((pub + m_pub) / 0.001, tv[(size_t)row * (size_t)tw + (size_t)col], 1e-3);
            n_trees++;
        } else {
            assert_int_equal(imputed, 1);
        }
        n_cells++;
        OGR_F_Destroy(ft);
    }
    assert_true(n_cells > 10000);
    assert_true(n_trees > n_cells / 2);
    OGRLayerH bu = GDALDatasetGetLayerByName(ds, "buurten");
    assert_int_equal(OGR_L_GetFeatureCount(bu, 1), 91);
    while ((ft = OGR_L_GetNextFeature(bu)) != NULL) {
        double lbm = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "lbm"));
        double afw = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "afw"));
        double sum = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "pub")) +
                     OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "vrz")) +
                     OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "soc"));
        assert_near(afw, sum, 2e-6);
        assert_near(lbm - afw, 4.10, 2e-6);
        OGR_F_Destroy(ft);
    }
    GDALClose(ds);
    free(bx);
    free(by);
    free(tv);
    lb_ctx_destroy(ctx);
}

/* The original GeoJSON carries RD metres without a crs member: GDAL would read them as
 * degrees. leefbaar refuses and says why and how to fix it; with --s-srs it scores them and
 * gets the same numbers as from the GeoPackage built from those files. */
static void test_realdata_rotterdam_crsless_geojson(void **state)
{
    fixture *f = *state;
    if (!have(f->orig))
        skip();
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    char out[512];
    snprintf(out, sizeof(out), "%s/orig", f->tmp);
    assert_int_equal(score(ctx, f, f->orig, NULL, NULL, out), LB_ERR_CRS);
    const char *msg = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, "tir_buurten.geojson"));
    assert_non_null(strstr(msg, "declares no CRS"));
    assert_non_null(strstr(msg, "RD New metres"));
    assert_non_null(strstr(msg, "--s-srs EPSG:28992"));
    assert_false(have(out));

    char a[512], b[512];
    snprintf(a, sizeof(a), "%s/from-orig", f->tmp);
    snprintf(b, sizeof(b), "%s/from-gpkg", f->tmp);
    assert_int_equal(score(ctx, f, f->orig, NULL, "EPSG:28992", a), LB_OK);
    assert_int_equal(score(ctx, f, f->gpkg, "buurten", NULL, b), LB_OK);
    char pa[600], pb[600];
    snprintf(pa, sizeof(pa), "%s/buurten.csv", a);
    snprintf(pb, sizeof(pb), "%s/buurten.csv", b);
    char cmd[1300];
    /* Feature order differs between the two files; compare rows keyed by BUURT. */
    snprintf(cmd, sizeof(cmd), "cmp -s <(sort '%s') <(sort '%s')", pa, pb);
    char bash[1400];
    snprintf(bash, sizeof(bash), "bash -c \"%s\"", cmd);
    assert_int_equal(system(bash), 0);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_realdata_rotterdam_buurten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_rotterdam_crsless_geojson, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
