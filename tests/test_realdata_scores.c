/* SPDX-License-Identifier: MIT */
/* Published Leefbaarometer 3.0 scores from ../shared/data read as score sources (skipped when
 * the folder is absent): lbm − afw = 4.102265 and afw = Σ dimensions in every row, NA is
 * missing, and the Utrecht PC4 codes join with the PC4 polygons (checked against OGR). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "change/change.h"
#include "scores/scoreset.h"
#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>

/* LBM 3.0's national mean: lbm = 4.102265 + afw in every year of this release. */
#define LBM3_REF 4.102265

static const char *shared(void)
{
    const char *s = getenv("LB_SHARED_DATA");
    return s ? s : "../shared/data";
}

static int have(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Every unit-year with scores: lbm − afw = REF; afw = Σ dimensions where all are present;
 * returns the number of unit-years with dimensions. */
static size_t check_identities(const lb_scoreset *s)
{
    size_t n_rows = 0, n_dims_rows = 0;
    for (size_t t = 0; t < s->n_years; t++)
        for (size_t u = 0; u < s->n_units; u++) {
            double lbm = lb_scoreset_value(s, t, LB_OUT_LBM, u);
            double afw = lb_scoreset_value(s, t, LB_OUT_AFW, u);
            if (isnan(lbm))
                continue;
            n_rows++;
            assert_near(lbm - afw, LBM3_REF, 1e-6);
            double sum = 0.0;
            size_t n_present = 0;
            for (size_t d = 0; d < s->n_dims; d++) {
                double v = lb_scoreset_value(s, t, LB_OUT_DIM0 + d, u);
                if (!isnan(v)) {
                    sum += v;
                    n_present++;
                }
            }
            /* A year has all five dimensions or none. */
            assert_true(n_present == 0 || n_present == s->n_dims);
            if (n_present) {
                assert_near(afw, sum, 1e-6);
                n_dims_rows++;
            }
        }
    assert_true(n_rows > 0);
    return n_dims_rows;
}

static void test_realdata_scores_utrecht_pc4(void **state)
{
    (void)state;
    char csv[600], geo[600];
    snprintf(csv, sizeof(csv), "%s/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv", shared());
    snprintf(geo, sizeof(geo), "%s/utrecht-pc4-lbm3/pc4_utrecht.geojson", shared());
    if (!have(csv) || !have(geo))
        skip();
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = csv, .geometry = geo};
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, &src, 1, &s);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_string_equal(s->id_field, "PC4");
    assert_int_equal(s->n_units, 85);
    const int years[] = {2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022};
    assert_int_equal(s->n_years, 8);
    for (size_t t = 0; t < 8; t++)
        assert_int_equal(s->years[t], years[t]);
    const char *dims[] = {"fys", "onv", "soc", "vrz", "won"};
    assert_int_equal(s->n_dims, 5);
    for (size_t d = 0; d < 5; d++)
        assert_string_equal(s->dim_code[d], dims[d]);
    assert_string_equal(s->dim_label[1], "Overlast en onveiligheid");
    assert_near(s->ref, LBM3_REF, 1e-6);
    /* Dimensions in 2014, 2018, 2020 and 2022 (4 years × 85 units); NA before 2014 and in
     * 2016 (published as a total only) is missing. */
    assert_int_equal(check_identities(s), 4 * 85);
    const size_t no_dims[] = {0, 1, 2, 4};
    for (size_t j = 0; j < 4; j++)
        for (size_t u = 0, t = no_dims[j]; u < s->n_units; u++) {
            assert_false(isnan(lb_scoreset_value(s, t, LB_OUT_LBM, u)));
            for (size_t d = 0; d < 5; d++)
                assert_true(isnan(lb_scoreset_value(s, t, LB_OUT_DIM0 + d, u)));
        }
    /* A row checked by hand against the CSV: 3401 in 2014. */
    long u = lb_scoreset_unit_index(s, "3401");
    assert_true(u >= 0);
    int t14 = lb_scoreset_year_index(s, 2014);
    assert_near(lb_scoreset_value(s, (size_t)t14, LB_OUT_LBM, (size_t)u), 4.127775736833332, 1e-15);
    assert_near(lb_scoreset_value(s, (size_t)t14, LB_OUT_DIM0 + 4, (size_t)u), 0.004965448349844561,
                1e-15);

    /* The join, independently: the CSV codes that OGR finds as a postcode of a polygon. */
    GDALDatasetH ds = GDALOpenEx(geo, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    size_t n_poly = (size_t)OGR_L_GetFeatureCount(l, 1), matched = 0, unmatched = 0;
    for (size_t k = 0; k < s->n_units; k++) {
        char filter[64];
        snprintf(filter, sizeof(filter), "postcode = '%s'", s->id[k]);
        OGR_L_SetAttributeFilter(l, filter);
        int found = OGR_L_GetFeatureCount(l, 1) > 0;
        assert_int_equal(found, s->geom_row[k] != SIZE_MAX);
        matched += found;
        if (!found) {
            unmatched++;
            print_message("PC4 %s has no polygon\n", s->id[k]);
        }
    }
    GDALClose(ds);
    print_message("utrecht-pc4-lbm3: %zu of %zu PC4 codes join with the %zu polygons (%zu "
                  "unmatched)\n",
                  matched, s->n_units, n_poly, unmatched);
    assert_int_equal(matched, 85);
    assert_int_equal(s->geom->n, 85);
    /* Reprojected to RD: lon 4.78–5.20, lat 51.94–52.16 is x ≈ 113–142 km, y ≈ 441–466 km. */
    assert_true(s->geom->xmin > 110000 && s->geom->xmax < 145000);
    assert_true(s->geom->ymin > 438000 && s->geom->ymax < 469000);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

static void test_realdata_scores_amstelveen(void **state)
{
    (void)state;
    char csv[600];
    snprintf(csv, sizeof(csv), "%s/lbm3-amstelveen/lbm3_wijk_amstelveen_2014_2022.csv", shared());
    if (!have(csv))
        skip();
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = csv};
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, &src, 1, &s);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    /* The odd first column (a row number named "1") is neither id nor dimension. */
    assert_string_equal(s->id_field, "wk_code");
    assert_int_equal(s->n_units, 14);
    assert_int_equal(s->n_years, 4);
    assert_int_equal(s->years[0], 2014);
    assert_int_equal(s->years[3], 2022);
    assert_int_equal(s->n_dims, 5);
    assert_string_equal(s->dim_code[0], "fys");
    assert_string_equal(s->dim_code[4], "won");
    long u = lb_scoreset_unit_index(s, "WK036201");
    assert_true(u >= 0);
    assert_string_equal(s->name[u], "Randwijck");
    assert_int_equal(check_identities(s), 56);
    assert_near(s->ref, LBM3_REF, 1e-6);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

/* Published scores through `change`: Utrecht PC4 2018 → 2022 with the PC4 polygons; a few Δ
 * computed by hand from the CSV lines (e.g. 3401: 4.149638922374431 − 4.164288029291572). */
static void test_realdata_scores_utrecht_change(void **state)
{
    (void)state;
    char csv[600], geo[600], tmp[256], out[400];
    snprintf(csv, sizeof(csv), "%s/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv", shared());
    snprintf(geo, sizeof(geo), "%s/utrecht-pc4-lbm3/pc4_utrecht.geojson", shared());
    if (!have(csv) || !have(geo))
        skip();
    assert_int_equal(lb_test_tmpdir(tmp, sizeof(tmp), "rd-change"), 0);
    snprintf(out, sizeof(out), "%s/change", tmp);
    lb_change_options o;
    lb_change_options_init(&o);
    o.from.path = csv;
    o.from.geometry = geo;
    o.from_year = 2018;
    o.to_year = 2022;
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_change_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    char gp[500];
    snprintf(gp, sizeof(gp), "%s/change.gpkg", out);
    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "change");
    assert_int_equal(OGR_L_GetFeatureCount(l, 1), 85);
    /* By hand from the CSV: Δlbm, Δwon and the development class. */
    const struct {
        const char *pc4;
        double d_lbm, d_won;
        int dk;
    } want[] = {
        {"3401", 4.149638922374431 - 4.164288029291572,
         -0.017739218848655265 - -0.0027670251075961267, 4},
        {"3512", 4.359798445076004 - 4.35928653392207, 0.04233707531684771 - 0.042982635914847245,
         4},
        {"3563", 3.860905840052215 - 3.789308813457417,
         -0.059250179516861755 - -0.06573863570045947, 5},
    };
    for (size_t k = 0; k < 3; k++) {
        char where[64];
        snprintf(where, sizeof(where), "PC4 = '%s'", want[k].pc4);
        OGR_L_SetAttributeFilter(l, where);
        OGRFeatureH ft = OGR_L_GetNextFeature(l);
        assert_non_null(ft);
        assert_near(OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "d_lbm")), want[k].d_lbm,
                    1e-15);
        assert_near(OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "d_won")), want[k].d_won,
                    1e-15);
        assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "dk_lbm")),
                         want[k].dk);
        assert_non_null(OGR_F_GetGeometryRef(ft));
        OGR_F_Destroy(ft);
    }
    GDALClose(ds);
    /* RFC 7946 GeoJSON: lon/lat around Utrecht. */
    char gj[500];
    snprintf(gj, sizeof(gj), "%s/change.geojson", out);
    ds = GDALOpenEx(gj, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGREnvelope env;
    assert_int_equal(OGR_L_GetExtent(GDALDatasetGetLayer(ds, 0), &env, 1), OGRERR_NONE);
    assert_true(env.MinX > 4.7 && env.MaxX < 5.3 && env.MinY > 51.9 && env.MaxY < 52.2);
    GDALClose(ds);
    char rj[500];
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(rj), *c = NULL, *v = NULL;
    assert_true(json_object_object_get_ex(doc, "counts", &c));
    assert_true(json_object_object_get_ex(c, "both_years", &v));
    assert_int_equal(json_object_get_int(v), 85);
    assert_true(json_object_object_get_ex(c, "with_geometry", &v));
    assert_int_equal(json_object_get_int(v), 85);
    json_object_put(doc);
    lb_ctx_destroy(ctx);
    assert_int_equal(lb_test_rmtree(tmp), 0);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realdata_scores_utrecht_pc4),
        cmocka_unit_test(test_realdata_scores_amstelveen),
        cmocka_unit_test(test_realdata_scores_utrecht_change),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
