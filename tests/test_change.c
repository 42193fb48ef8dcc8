/* SPDX-License-Identifier: MIT */
/* leefbaar change: development classes at their exact cuts (nextafter on both sides), Δ from
 * hand-made tables read back from every output, units in one year only, the 9-class variant,
 * option errors, and two grid runs whose Δ rasters equal the difference of their score COGs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "change/change.h"
#include "scores/scoreset.h"
#include "score/score.h"
#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char tmp[256];
    char tiny[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || lb_test_tmpdir(f->tmp, sizeof(f->tmp), "change") != 0)
        return -1;
    snprintf(f->tiny, sizeof(f->tiny), "%s/tiny", getenv("LB_TEST_DATA"));
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

static int exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Every cut of the 7- and 9-class tables and of a custom one: a Δ equal to the cut is in the
 * upper class, the next double below it in the lower one. */
static void test_change_dev_class_at_every_cut(void **state)
{
    (void)state;
    const double custom[8] = {-0.3, -0.2, -0.1, -0.05, 0.05, 0.1, 0.2, 0.3};
    for (int variant = 0; variant < 3; variant++) {
        lb_dev_table t;
        if (variant < 2)
            assert_int_equal(lb_dev_table_default(variant ? 9 : 7, &t), 0);
        else
            t = (lb_dev_table){8, custom, NULL, NULL};
        for (size_t k = 0; k < t.n_cuts; k++) {
            double c = t.cuts[k];
            assert_int_equal(lb_change_dev_class(c, t.cuts, t.n_cuts), (int)k + 2);
            assert_int_equal(lb_change_dev_class(nextafter(c, -INFINITY), t.cuts, t.n_cuts),
                             (int)k + 1);
            assert_int_equal(lb_change_dev_class(nextafter(c, INFINITY), t.cuts, t.n_cuts),
                             (int)k + 2);
        }
        assert_int_equal(lb_change_dev_class(-1e9, t.cuts, t.n_cuts), 1);
        assert_int_equal(lb_change_dev_class(1e9, t.cuts, t.n_cuts), (int)t.n_cuts + 1);
        assert_int_equal(lb_change_dev_class(0.0, t.cuts, t.n_cuts), (int)t.n_cuts / 2 + 1);
        assert_int_equal(lb_change_dev_class(NAN, t.cuts, t.n_cuts), 0);
    }
    lb_dev_table t7, t9;
    lb_dev_table_default(7, &t7);
    lb_dev_table_default(9, &t9);
    assert_near(t7.cuts[0], -0.20, 0);
    assert_near(t7.cuts[5], 0.20, 0);
    assert_string_equal(t7.labels[3], "geen verandering");
    assert_string_equal(t9.labels[8], "zeer sterk vooruit");
    assert_int_equal(lb_dev_table_default(8, &t9), -1);
}

/* Write a table: for every cut of the 7-class table a unit at exactly the cut and one just
 * below (lbm from 4.0 is exact: Δ = (4 + c) − 4 is checked to be c before use), a unit only in
 * 2020, one only in 2022. */
static void write_cut_table(const fixture *f, char *path, size_t size, double *deltas,
                            size_t *n_units)
{
    snprintf(path, size, "%s/cuts.csv", f->tmp);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "CODE,jaar,lbm,afw,won\n");
    lb_dev_table t;
    lb_dev_table_default(7, &t);
    size_t n = 0;
    for (size_t k = 0; k < t.n_cuts; k++)
        for (int below = 0; below < 2; below++) {
            double d = below ? nextafter(t.cuts[k], -INFINITY) : t.cuts[k];
            /* from 0 the difference is exact: to − 0 = to */
            fprintf(fp, "U%zu_%d,2020,0,-4,0.5\n", k, below);
            fprintf(fp, "U%zu_%d,2022,%.17g,%.17g,0.25\n", k, below, d, d - 4.0);
            deltas[n++] = d;
        }
    fprintf(fp, "GONE,2020,4.1,0.1,0.1\nNEW,2022,4.2,0.2,0.2\n");
    fclose(fp);
    *n_units = n;
}

static void test_change_table_boundaries_and_one_year_units(void **state)
{
    fixture *f = *state;
    char csv[600], out[600];
    double deltas[16];
    size_t n = 0;
    write_cut_table(f, csv, sizeof(csv), deltas, &n);
    lb_change_options o;
    lb_change_options_init(&o);
    o.from.path = csv;
    o.outdir = out;
    snprintf(out, sizeof(out), "%s/cuts-out", f->tmp);
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_change_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    /* No geometry anywhere: said in a warning; units in one year only: said too. */
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        print_message("warning: %s\n", lb_ctx_warning(ctx, i));
    assert_int_equal(lb_ctx_warning_count(ctx), 2);

    char gp[700];
    snprintf(gp, sizeof(gp), "%s/change.gpkg", out);
    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "change");
    assert_non_null(l);
    assert_int_equal(OGR_L_GetFeatureCount(l, 1), (long long)n + 2);
    OGRFeatureH ft;
    size_t seen = 0;
    while ((ft = OGR_L_GetNextFeature(l)) != NULL) {
        const char *code = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "CODE"));
        int idk = OGR_F_GetFieldIndex(ft, "dk_lbm"), id = OGR_F_GetFieldIndex(ft, "d_lbm");
        const char *status = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "status"));
        if (strcmp(code, "GONE") == 0 || strcmp(code, "NEW") == 0) {
            assert_string_equal(status, code[0] == 'G' ? "only_from" : "only_to");
            assert_false(OGR_F_IsFieldSetAndNotNull(ft, id));
            assert_false(OGR_F_IsFieldSetAndNotNull(ft, idk));
        } else {
            size_t k;
            int below;
            assert_int_equal(sscanf(code, "U%zu_%d", &k, &below), 2);
            assert_string_equal(status, "both");
            assert_near(OGR_F_GetFieldAsDouble(ft, id), deltas[2 * k + (size_t)below], 0);
            assert_int_equal(OGR_F_GetFieldAsInteger(ft, idk), (int)k + 2 - below);
            /* the dimension: 0.25 − 0.5, in class 1 (below −0.20) */
            assert_near(OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "d_won")), -0.25, 0);
            assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "dk_won")), 1);
            assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "year_from")),
                             2020);
            seen++;
        }
        OGR_F_Destroy(ft);
    }
    assert_int_equal(seen, n);
    GDALClose(ds);

    /* The CSV and GeoJSON hold the same rows; CSV codes are text. */
    char p[700];
    snprintf(p, sizeof(p), "%s/change.csv", out);
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    char line[4096];
    assert_non_null(fgets(line, sizeof(line), fp));
    const char *head = "CODE,year_from,year_to,status,lbm_from,lbm_to,d_lbm,dk_lbm,ontwikkeling,";
    assert_true(strncmp(line, head, strlen(head)) == 0);
    size_t rows = 0;
    while (fgets(line, sizeof(line), fp))
        rows++;
    fclose(fp);
    assert_int_equal(rows, n + 2);
    snprintf(p, sizeof(p), "%s/change.geojson", out);
    assert_true(exists(p));

    /* run.json counts the units of one year and the classes. */
    snprintf(p, sizeof(p), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(p), *c = NULL, *v = NULL;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "counts", &c));
    assert_true(json_object_object_get_ex(c, "only_from", &v));
    assert_int_equal(json_object_get_int(v), 1);
    assert_true(json_object_object_get_ex(c, "only_to", &v));
    assert_int_equal(json_object_get_int(v), 1);
    assert_true(json_object_object_get_ex(c, "both_years", &v));
    assert_int_equal(json_object_get_int(v), (int)n);
    assert_true(json_object_object_get_ex(c, "dev_classes_lbm", &c));
    assert_true(json_object_object_get_ex(c, "sterk achteruit", &v));
    assert_int_equal(json_object_get_int(v), 1); /* just below −0.20 */
    assert_true(json_object_object_get_ex(c, "sterk vooruit", &v));
    assert_int_equal(json_object_get_int(v), 1); /* exactly 0.20 */
    json_object_put(doc);
    lb_ctx_destroy(ctx);
}

/* --dev-classes 9: the nine-class table, its labels in the output. */
static void test_change_nine_classes(void **state)
{
    fixture *f = *state;
    char csv[600], out[600];
    snprintf(csv, sizeof(csv), "%s/nine.csv", f->tmp);
    FILE *fp = fopen(csv, "w");
    assert_non_null(fp);
    fputs("PC4;jaar;lbm;afw\n1000;2018;4,0;0\n1000;2022;4,3;0,3\n2000;2018;4,0;0\n"
          "2000;2022;3,75;-0,25\n",
          fp);
    fclose(fp);
    lb_change_options o;
    lb_change_options_init(&o);
    o.from.path = csv;
    o.dev_classes = 9;
    snprintf(out, sizeof(out), "%s/nine-out", f->tmp);
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    assert_int_equal(lb_change_exec(ctx, &o), LB_OK);
    char gp[700];
    snprintf(gp, sizeof(gp), "%s/change.gpkg", out);
    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "change");
    OGRFeatureH ft;
    while ((ft = OGR_L_GetNextFeature(l)) != NULL) {
        int up = strcmp(OGR_F_GetFieldAsString(ft, 0), "1000") == 0;
        /* +0.3 ≥ 0.2666: class 9; −0.25 in [−0.2666, −0.20): class 2 */
        assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "dk_lbm")),
                         up ? 9 : 2);
        assert_string_equal(OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "ontwikkeling")),
                            up ? "zeer sterk vooruit" : "sterk achteruit");
        OGR_F_Destroy(ft);
    }
    GDALClose(ds);
    lb_ctx_destroy(ctx);
}

static void expect_change_error(const lb_change_options *o, lb_status want, const char *needle)
{
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_change_exec(ctx, o);
    if (st != want || !strstr(lb_ctx_errmsg(ctx), needle))
        print_error("status %d (want %d): %s\n", st, want, lb_ctx_errmsg(ctx));
    assert_int_equal(st, want);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), needle));
    assert_false(exists(o->outdir));
    lb_ctx_destroy(ctx);
}

static void test_change_errors(void **state)
{
    fixture *f = *state;
    char a[600], b[600], out[600];
    snprintf(a, sizeof(a), "%s/three.csv", f->tmp);
    snprintf(b, sizeof(b), "%s/other.csv", f->tmp);
    FILE *fp = fopen(a, "w");
    fputs("PC4,jaar,lbm,afw,won\n1,2018,4,0,0\n1,2020,4,0,0\n1,2022,4,0,0\n", fp);
    fclose(fp);
    fp = fopen(b, "w");
    fputs("PC4,jaar,lbm,afw,soc\n1,2024,4,0,0\n", fp);
    fclose(fp);
    snprintf(out, sizeof(out), "%s/err-out", f->tmp);
    lb_change_options o;
    lb_change_options_init(&o);
    o.from.path = a;
    o.outdir = out;
    expect_change_error(&o, LB_ERR_DATA, "holds the years 2018, 2020, 2022; choose two");
    o.from_year = 2018;
    o.to_year = 2019;
    expect_change_error(&o, LB_ERR_DATA, "has no year 2019 (years: 2018, 2020, 2022)");
    o.to_year = 2018;
    expect_change_error(&o, LB_ERR_ARG, "from and to are both 2018");
    o.to_year = 2022;
    double cuts[7] = {-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3};
    o.dev_cuts = cuts;
    o.n_dev_cuts = 7;
    expect_change_error(&o, LB_ERR_ARG, "7 development cuts; give 6");
    o.n_dev_cuts = 6;
    cuts[2] = -0.25;
    expect_change_error(&o, LB_ERR_ARG, "finite and ascending (cut 3");
    o.dev_cuts = NULL;
    o.dev_classes = 8;
    expect_change_error(&o, LB_ERR_ARG, "8 development classes");
    o.dev_classes = 0;
    o.to.path = b;
    o.to_year = 0;
    expect_change_error(&o, LB_ERR_DATA, "has the dimensions (soc) but");
    o.from.path = NULL;
    expect_change_error(&o, LB_ERR_ARG, "are required");
}

/* Score the tiny city for 2020 and 2021 (2021 with 30 points less owner-occupation in the
 * north-west) into one run. */
static void score_two_years(const fixture *f, const char *out)
{
    char bu[600], bu21[600], am[600], no[600], model[600], cmd[1400];
    snprintf(bu, sizeof(bu), "%s/buurten.geojson", f->tiny);
    snprintf(bu21, sizeof(bu21), "%s/buurten_2021.geojson", f->tmp);
    snprintf(am, sizeof(am), "%s/amenities.geojson", f->tiny);
    snprintf(no, sizeof(no), "%s/noise.asc", f->tiny);
    snprintf(model, sizeof(model), "%s/tiny.yaml", f->tiny);
    snprintf(cmd, sizeof(cmd), "sed 's/\"P_KOOPWON\": 60/\"P_KOOPWON\": 30/' '%s' > '%s'", bu,
             bu21);
    assert_int_equal(system(cmd), 0);
    const lb_input_spec in[] = {{"buurten@2020", bu, NULL},
                                {"buurten@2021", bu21, NULL},
                                {"amenities", am, NULL},
                                {"noise", no, NULL}};
    const int years[] = {2020, 2021};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = 4;
    o.years = years;
    o.n_years = 2;
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    lb_ctx_destroy(ctx);
}

/* Read band @p b of a raster into a new array (caller frees). */
static double *read_band(const char *path, int b, int *nx, int *ny)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    *nx = GDALGetRasterXSize(ds);
    *ny = GDALGetRasterYSize(ds);
    double *v = malloc((size_t)*nx * (size_t)*ny * sizeof(double));
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Read, 0, 0, *nx, *ny, v, *nx, *ny,
                                  GDT_Float64, 0, 0),
                     CE_None);
    GDALClose(ds);
    return v;
}

/* A two-year grid run: the Δ COG is the difference of the score COGs at every cell, its class
 * COG the development class of that; the table's Δ is the difference of the buurt scores. */
static void test_change_grid_runs_rasters(void **state)
{
    fixture *f = *state;
    char run[600], out[600], out2[600];
    snprintf(run, sizeof(run), "%s/run", f->tmp);
    score_two_years(f, run);
    lb_change_options o;
    lb_change_options_init(&o);
    o.from.path = run;
    snprintf(out, sizeof(out), "%s/ch", f->tmp);
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_change_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_int_equal(lb_ctx_warning_count(ctx), 0);

    char p0[700], p1[700], pd[700], pc[700];
    snprintf(p0, sizeof(p0), "%s/scores_2020.tif", run);
    snprintf(p1, sizeof(p1), "%s/scores_2021.tif", run);
    snprintf(pd, sizeof(pd), "%s/change_2020_2021.tif", out);
    snprintf(pc, sizeof(pc), "%s/change_class_2020_2021.tif", out);
    lb_dev_table t;
    lb_dev_table_default(7, &t);
    for (int b = 1; b <= 4; b++) {
        int nx, ny, mx, my;
        double *a = read_band(p0, b, &nx, &ny), *c = read_band(p1, b, &mx, &my);
        double *d = read_band(pd, b, &mx, &my);
        double *k = b == 1 ? read_band(pc, 1, &mx, &my) : NULL;
        assert_int_equal(nx * ny, mx * my);
        size_t n_cells = 0;
        for (size_t i = 0; i < (size_t)nx * (size_t)ny; i++) {
            if (isnan(a[i]) || isnan(c[i])) {
                assert_true(isnan(d[i]));
                continue;
            }
            assert_near(d[i], (double)(float)(c[i] - a[i]), 0);
            if (k)
                assert_int_equal((int)k[i], lb_change_dev_class(c[i] - a[i], t.cuts, t.n_cuts));
            n_cells++;
        }
        assert_int_equal(n_cells, 75);
        free(a);
        free(c);
        free(d);
        free(k);
    }
    GDALDatasetH ds = GDALOpen(pd, GA_ReadOnly);
    assert_string_equal(GDALGetDescription(GDALGetRasterBand(ds, 1)), "d_lbm");
    assert_string_equal(GDALGetDescription(GDALGetRasterBand(ds, 2)), "d_won");
    GDALClose(ds);
    ds = GDALOpen(pc, GA_ReadOnly);
    GDALColorTableH ct = GDALGetRasterColorTable(GDALGetRasterBand(ds, 1));
    assert_non_null(ct);
    const GDALColorEntry *e = GDALGetColorEntry(ct, 1);
    assert_int_equal(e->c1, 0xb2);
    assert_int_equal(e->c2, 0x18);
    assert_int_equal(e->c3, 0x2b);
    char **cats = GDALGetRasterCategoryNames(GDALGetRasterBand(ds, 1));
    assert_non_null(cats);
    assert_string_equal(cats[4], "geen verandering");
    GDALClose(ds);

    /* The table: Δlbm of the north-west buurt = its 2021 score − its 2020 score; the same
     * numbers from two sources (each year a source) as from one. */
    lb_score_source src = {.path = run};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, &src, 1, &s), LB_OK);
    long u = lb_scoreset_unit_index(s, "BU00010001");
    double want = lb_scoreset_value(s, 1, 0, (size_t)u) - lb_scoreset_value(s, 0, 0, (size_t)u);
    lb_scoreset_destroy(s);
    char gp[700];
    snprintf(gp, sizeof(gp), "%s/change.gpkg", out);
    GDALDatasetH dv = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayerByName(dv, "change");
    OGR_L_SetAttributeFilter(l, "BU_CODE = 'BU00010001'");
    OGRFeatureH ft = OGR_L_GetNextFeature(l);
    assert_non_null(ft);
    assert_near(OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "d_lbm")), want, 0);
    /* 30 points less owner-occupation × 0.01 less the shift of the year's mean */
    assert_near(OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "d_won")),
                -0.3 * 2500.0 / 3500.0, 1e-12);
    OGR_F_Destroy(ft);
    GDALClose(dv);

    o.from_year = 2020;
    o.to.path = run;
    o.to_year = 2021;
    snprintf(out2, sizeof(out2), "%s/ch2", f->tmp);
    o.outdir = out2;
    assert_int_equal(lb_change_exec(ctx, &o), LB_OK);
    char c1[1400], c2[1400];
    snprintf(c1, sizeof(c1), "cmp '%s/change.csv' '%s/change.csv'", out, out2);
    assert_int_equal(system(c1), 0);
    snprintf(c2, sizeof(c2), "cmp '%s/change_2020_2021.tif' '%s/change_2020_2021.tif'", out, out2);
    assert_int_equal(system(c2), 0);

    /* A run.json whose grid is not one (edited, or not ours) is refused naming the member; its
     * members used to be read with json-c's untyped getters (a string nx became 0 cells). */
    char rj[700], out3[700];
    snprintf(rj, sizeof(rj), "%s/run.json", run);
    struct json_object *doc = json_object_from_file(rj), *g = NULL;
    assert_true(json_object_object_get_ex(doc, "grid", &g));
    json_object_object_add(g, "nx", json_object_new_string("x"));
    assert_int_equal(json_object_to_file(rj, doc), 0);
    snprintf(out3, sizeof(out3), "%s/ch3", f->tmp);
    o.outdir = out3;
    assert_int_equal(lb_change_exec(ctx, &o), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "grid.nx is a string, not a number"));
    json_object_object_add(g, "nx", json_object_new_double(1e300));
    assert_int_equal(json_object_to_file(rj, doc), 0);
    assert_int_equal(lb_change_exec(ctx, &o), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "is not a grid"));
    json_object_put(doc);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_change_dev_class_at_every_cut),
        cmocka_unit_test_setup_teardown(test_change_table_boundaries_and_one_year_units, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_change_nine_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_grid_runs_rasters, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
