/* SPDX-License-Identifier: MIT */
/* Reading scored units back (src/scores): small hand-made published tables (';' and decimal
 * comma, NA, duplicate rows, missing id column, geometry joins, several sources) and our own
 * run on the tiny fixture city, read back and compared with what the run wrote. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "io/runjson.h"
#include "model/model.h"
#include "scores/scoreset.h"
#include "score/score.h"
#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    char tmp[256];
    char tiny[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || lb_test_tmpdir(f->tmp, sizeof(f->tmp), "scores") != 0)
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

/* Write @p text to tmp/name; the path goes into @p path. */
static void write_file(const fixture *f, const char *name, const char *text, char *path,
                       size_t size)
{
    snprintf(path, size, "%s/%s", f->tmp, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static double val(const lb_scoreset *s, const char *id, int year, size_t k)
{
    long u = lb_scoreset_unit_index(s, id);
    int t = lb_scoreset_year_index(s, year);
    assert_true(u >= 0);
    assert_true(t >= 0);
    return lb_scoreset_value(s, (size_t)t, k, (size_t)u);
}

/* Expect lb_scoreset_read to fail with @p want and a message holding both needles. */
static void expect_error(const lb_score_source *src, size_t n, lb_status want, const char *needle1,
                         const char *needle2)
{
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, src, n, &s);
    const char *msg = lb_ctx_errmsg(ctx);
    if (st != want || !strstr(msg, needle1) || (needle2 && !strstr(msg, needle2)))
        print_error("status %d (want %d): %s\n", st, want, msg);
    assert_int_equal(st, want);
    assert_null(s);
    assert_non_null(strstr(msg, needle1));
    if (needle2)
        assert_non_null(strstr(msg, needle2));
    lb_ctx_destroy(ctx);
}

/* A Dutch spreadsheet export: ';' separator, decimal commas, NA, a name column, a unit missing
 * in one year, and a row-number column without a name as some exports have. */
static void test_scores_csv_semicolon_decimal_comma(void **state)
{
    fixture *f = *state;
    char path[600];
    write_file(f, "dutch.csv",
               "1;CODE;jaar;lbm;afw;won;soc;naam\n"
               "1;A1;2020;4,10;0,00;0,01;-0,01;Alpha\n"
               "2;A1;2022;4,2;0,1;0,04;0,06;Alpha\n"
               "3; B2 ;2020;3,90;-0,20;NA;-0,2;Beta\n",
               path, sizeof(path));
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = path};
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, &src, 1, &s);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_int_equal(s->is_published, 1);
    assert_string_equal(s->id_field, "CODE");
    assert_int_equal(s->n_units, 2);
    assert_int_equal(s->n_years, 2);
    assert_int_equal(s->years[0], 2020);
    assert_int_equal(s->years[1], 2022);
    /* The row-number column "1" and the name are not dimensions. */
    assert_int_equal(s->n_dims, 2);
    assert_string_equal(s->dim_code[0], "won");
    assert_string_equal(s->dim_code[1], "soc");
    assert_string_equal(s->dim_label[0], "Woningvoorraad");
    assert_int_equal(s->n_out, 4);
    assert_near(val(s, "A1", 2022, LB_OUT_LBM), 4.2, 1e-15);
    assert_near(val(s, "A1", 2022, LB_OUT_AFW), 0.1, 1e-15);
    assert_near(val(s, "A1", 2022, LB_OUT_DIM0 + 1), 0.06, 1e-15);
    assert_near(val(s, "B2", 2020, LB_OUT_DIM0 + 1), -0.2, 1e-15);
    assert_true(isnan(val(s, "B2", 2020, LB_OUT_DIM0))); /* NA stays missing */
    assert_true(isnan(val(s, "B2", 2022, LB_OUT_LBM)));  /* no row for 2022 */
    assert_string_equal(s->name[lb_scoreset_unit_index(s, "B2")], "Beta");
    assert_int_equal(lb_scoreset_unit_index(s, "C3"), -1);
    /* REF = median of lbm − afw = 4.10 in every row. */
    assert_near(s->ref, 4.10, 1e-12);
    /* No run: the Leefbaarometer class tables, 7 development classes. */
    assert_near(s->thresholds[0], 3.46, 0);
    assert_string_equal(s->class_labels[8], "uitstekend");
    assert_int_equal(s->n_dev_cuts, 6);
    assert_string_equal(s->dev_labels[3], "geen verandering");
    assert_string_equal(s->dev_colours[0], "#b2182b");
    assert_null(s->geom);
    assert_null(s->dim_mean);
    assert_true(isnan(s->weight[0]));
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

static void test_scores_duplicate_row_named(void **state)
{
    fixture *f = *state;
    char path[600];
    write_file(f, "dup.csv",
               "PC4,jaar,lbm,afw\n"
               "3401,2020,4.1,0\n"
               "3402,2020,4.0,-0.1\n"
               "3401,2020,4.2,0.1\n",
               path, sizeof(path));
    lb_score_source src = {.path = path};
    expect_error(&src, 1, LB_ERR_DATA, "data row 1 (line 2) and data row 3 (line 4)",
                 "unit '3401' (id column 'PC4') appears twice for year 2020");
}

/* A PC4 table with the gemeente of every row: the id is PC4 (the finer level), not GM_CODE,
 * which once made "unit 'GM0344' appears twice"; and the gemeente codes reach the units. */
static void test_scores_id_guess_finest(void **state)
{
    fixture *f = *state;
    char path[600];
    write_file(f, "pc4gm.csv",
               "GM_CODE,PC4,jaar,lbm,afw\n"
               "GM0344,3401,2020,4.1,0\n"
               "GM0344,3402,2020,4.0,-0.1\n"
               "GM0356,3431,2020,4.2,0.1\n",
               path, sizeof(path));
    lb_score_source src = {.path = path};
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = NULL;
    if (lb_scoreset_read(ctx, &src, 1, &s) != LB_OK)
        fail_msg("%s", lb_ctx_errmsg(ctx));
    assert_int_equal(s->n_units, 3);
    assert_string_equal(s->id_field, "PC4");
    long u = lb_scoreset_unit_index(s, "3431");
    assert_true(u >= 0);
    assert_string_equal(s->gm_code[u], "GM0356");
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
    /* a true duplicate names the column chosen and the way to choose another */
    write_file(f, "pc4dup.csv",
               "GM_CODE,PC4,jaar,lbm,afw\n"
               "GM0344,3401,2020,4.1,0\n"
               "GM0344,3401,2020,4.0,-0.1\n",
               path, sizeof(path));
    expect_error(&src, 1, LB_ERR_DATA, "(id column 'PC4') appears twice", "--id-field");
}

static void test_scores_missing_id_column_lists_columns(void **state)
{
    fixture *f = *state;
    char path[600];
    write_file(f, "noid.csv", "postcode_x,jaar,lbm\nA,2020,4.1\n", path, sizeof(path));
    lb_score_source src = {.path = path};
    expect_error(&src, 1, LB_ERR_DATA, "no id column", "columns: postcode_x, jaar, lbm");
    src.id_field = "BU_CODE";
    expect_error(&src, 1, LB_ERR_DATA, "no id column 'BU_CODE'", "columns: postcode_x, jaar");
}

static void test_scores_bad_values_named(void **state)
{
    fixture *f = *state;
    char path[600];
    write_file(f, "badnum.csv", "PC4;jaar;lbm;afw;won\n3401;2020;4,1;0;0\n3402;2020;4,0;-0,1;o,1\n",
               path, sizeof(path));
    lb_score_source src = {.path = path};
    expect_error(&src, 1, LB_ERR_DATA, "data row 2 (line 3), field 'won'", "'o,1' is not a number");
    write_file(f, "badyear.csv", "PC4;jaar;lbm\n3401;twintig;4,1\n", path, sizeof(path));
    expect_error(&src, 1, LB_ERR_DATA, "data row 1 (line 2)", "year 'twintig' is not a year");
    write_file(f, "noscores.csv", "PC4;jaar;naam\n3401;2020;x\n", path, sizeof(path));
    expect_error(&src, 1, LB_ERR_DATA, "neither an 'lbm' nor an 'afw' column", "PC4, jaar, naam");
    write_file(f, "noyear.csv", "PC4;lbm\n3401;4,1\n", path, sizeof(path));
    expect_error(&src, 1, LB_ERR_DATA, "no year column", "give the year");
    src.path = "/nonexistent/scores.csv";
    expect_error(&src, 1, LB_ERR_IO, "/nonexistent/scores.csv", NULL);
}

/* Two tables without a year column, one per year, merged on the id; a year given twice is an
 * error naming both sources. */
static void test_scores_merge_sources(void **state)
{
    fixture *f = *state;
    char a[600], b[600];
    write_file(f, "y2018.csv", "PC4,lbm,afw,fys\n3401,4.0,-0.1,-0.1\n3402,4.2,0.1,0.1\n", a,
               sizeof(a));
    write_file(f, "y2022.csv", "PC4,lbm,afw,fys\n3402,4.3,0.2,0.2\n3403,3.9,-0.2,-0.2\n", b,
               sizeof(b));
    lb_score_source src[2] = {{.path = a, .year = 2018}, {.path = b, .year = 2022}};
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, src, 2, &s), LB_OK);
    assert_int_equal(s->n_units, 3);
    assert_int_equal(s->n_years, 2);
    assert_string_equal(s->id[0], "3401");
    assert_string_equal(s->id[2], "3403");
    assert_near(val(s, "3402", 2022, LB_OUT_LBM) - val(s, "3402", 2018, LB_OUT_LBM), 0.1, 1e-12);
    assert_true(isnan(val(s, "3401", 2022, LB_OUT_LBM)));
    assert_true(isnan(val(s, "3403", 2018, LB_OUT_DIM0)));
    assert_non_null(strstr(s->description, "y2018.csv"));
    assert_non_null(strstr(s->description, "y2022.csv"));
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
    src[1].year = 2018;
    expect_error(src, 2, LB_ERR_DATA, "year 2018 is in both", "y2022.csv");
    write_file(f, "other.csv", "PC4,lbm,afw,won\n3402,4.3,0.2,0.2\n", b, sizeof(b));
    src[1].year = 2022;
    expect_error(src, 2, LB_ERR_DATA, "has the dimensions (fys)", "(won)");
}

/* Polygons joined on the id from another file: the field that matches (postcode) is found
 * even though another field is called id; unmatched units are counted in a warning. */
static void test_scores_geometry_join(void **state)
{
    fixture *f = *state;
    char csv[600], geo[600];
    write_file(f, "pc.csv",
               "PC4,jaar,lbm,afw\n3401,2020,4.1,0\n3402,2020,4.0,-0.1\n9999,2020,4,-0.1\n", csv,
               sizeof(csv));
    write_file(f, "pc.geojson",
               "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
               "{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":["
               "{\"type\":\"Feature\",\"properties\":{\"id\":\"f1\",\"postcode\":\"3402\"},"
               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[150000,450000],[151000,"
               "450000],[151000,451000],[150000,451000],[150000,450000]]]}},"
               "{\"type\":\"Feature\",\"properties\":{\"id\":\"f2\",\"postcode\":\"3401\"},"
               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[151000,450000],[152000,"
               "450000],[152000,450500],[151000,450500],[151000,450000]]]}},"
               "{\"type\":\"Feature\",\"properties\":{\"id\":\"f3\",\"postcode\":\"3500\"},"
               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[160000,450000],[161000,"
               "450000],[161000,451000],[160000,451000],[160000,450000]]]}}]}\n",
               geo, sizeof(geo));
    lb_score_source src = {.path = csv, .geometry = geo};
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, &src, 1, &s);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_non_null(s->geom);
    assert_int_equal(s->geom->n, 2);
    long u1 = lb_scoreset_unit_index(s, "3401"), u2 = lb_scoreset_unit_index(s, "3402");
    long u9 = lb_scoreset_unit_index(s, "9999");
    assert_near(s->geom->area_m2[s->geom_row[u1]], 500000.0, 1e-6);
    assert_near(s->geom->area_m2[s->geom_row[u2]], 1000000.0, 1e-6);
    assert_true(s->geom_row[u9] == SIZE_MAX);
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "1 unit(s) have no polygon"));
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "9999"));
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
    src.geometry_id = "gemeente";
    expect_error(&src, 1, LB_ERR_DATA, "no field 'gemeente'", "fields: id, postcode");
    src.geometry_id = "id";
    expect_error(&src, 1, LB_ERR_DATA, "no polygon's id matches a unit id", NULL);
}

/* Score the tiny city (per_year model) into tmp/name with a copy of the model at model_copy. */
static void score_tiny(const fixture *f, const char *model, const char *name, char *out,
                       size_t size)
{
    char bu[600], am[600], no[600];
    snprintf(bu, sizeof(bu), "%s/buurten.geojson", f->tiny);
    snprintf(am, sizeof(am), "%s/amenities.geojson", f->tiny);
    snprintf(no, sizeof(no), "%s/noise.asc", f->tiny);
    const lb_input_spec in[] = {
        {"buurten", bu, NULL}, {"amenities", am, NULL}, {"noise", no, NULL}};
    snprintf(out, size, "%s/%s", f->tmp, name);
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = 3;
    o.year = 2020;
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_score_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    lb_ctx_destroy(ctx);
}

/* Our own run read back: every value equals what scores.gpkg holds (read with OGR here), REF and
 * M_d come from run.json, labels and tables from the model. */
static void test_scores_own_run_read_back(void **state)
{
    fixture *f = *state;
    char model[600], out[600];
    snprintf(model, sizeof(model), "%s/tiny.yaml", f->tiny);
    score_tiny(f, model, "run", out, sizeof(out));
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = out};
    lb_scoreset *s = NULL;
    lb_status st = lb_scoreset_read(ctx, &src, 1, &s);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_int_equal(s->is_published, 0);
    assert_string_equal(s->id_field, "BU_CODE");
    assert_int_equal(s->n_units, 4);
    assert_int_equal(s->n_years, 1);
    assert_int_equal(s->years[0], 2020);
    assert_int_equal(s->n_dims, 3);
    assert_string_equal(s->dim_code[2], "pub");
    assert_string_equal(s->dim_label[1], "Voorzieningen");
    assert_string_equal(s->weight_name, "inhabitants");
    assert_int_equal(s->n_ind, 5);
    assert_string_equal(s->ind_id[2], "dist_super");
    assert_int_equal(s->ind_dim[2], 1);
    assert_non_null(s->geom);
    assert_int_equal(s->geom->n, 4);
    assert_int_equal(lb_ctx_warning_count(ctx), 0);

    char gpkg[700];
    snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", out);
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH bu = GDALDatasetGetLayerByName(ds, "buurten");
    OGRFeatureH ft;
    const char *cols[5] = {"lbm", "afw", "won", "vrz", "pub"};
    int n = 0;
    while ((ft = OGR_L_GetNextFeature(bu)) != NULL) {
        const char *code = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "BU_CODE"));
        long u = lb_scoreset_unit_index(s, code);
        assert_true(u >= 0);
        for (size_t k = 0; k < 5; k++) {
            int i = OGR_F_GetFieldIndex(ft, cols[k]);
            double v = lb_scoreset_value(s, 0, k, (size_t)u);
            if (OGR_F_IsFieldSetAndNotNull(ft, i))
                assert_near(v, OGR_F_GetFieldAsDouble(ft, i), 0);
            else
                assert_true(isnan(v));
        }
        assert_near(s->weight[u], OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "weight")), 0);
        assert_string_equal(s->wk_code[u], "WK000100");
        assert_non_null(s->name[u]);
        /* The polygon of the unit is the buurt's own. */
        OGRGeometryH g = OGR_F_GetGeometryRef(ft);
        assert_near(s->geom->area_m2[s->geom_row[u]], OGR_G_Area(g), 1e-6);
        n++;
        OGR_F_Destroy(ft);
    }
    assert_int_equal(n, 4);
    GDALClose(ds);

    char rj[700];
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(rj), *ref = NULL, *means = NULL, *v = NULL;
    assert_true(json_object_object_get_ex(doc, "reference", &ref));
    assert_true(json_object_object_get_ex(ref, "ref", &v));
    assert_near(s->ref, json_object_get_double(v), 0);
    assert_true(json_object_object_get_ex(ref, "means", &means));
    for (size_t d = 0; d < 3; d++) {
        assert_true(json_object_object_get_ex(means, s->dim_code[d], &v));
        assert_near(s->dim_mean[d], json_object_get_double(v), 0);
    }
    json_object_put(doc);
    assert_int_equal(s->ref_year, 2020);
    assert_int_equal(s->ref_fixed, 0);
    lb_scoreset_destroy(s);

    /* run.json itself is a source as well; the grid layer can be asked for. */
    src.path = rj;
    src.layer = "grid";
    assert_int_equal(lb_scoreset_read(ctx, &src, 1, &s), LB_OK);
    assert_string_equal(s->id_field, "cell_id");
    assert_int_equal(s->n_units, 75);
    assert_int_equal(s->geom->n, 75);
    assert_near(s->geom->area_m2[0], 10000.0, 1e-6);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

/* When the run's model file is gone, the defaults are used and a warning says so. */
static void test_scores_own_run_model_gone(void **state)
{
    fixture *f = *state;
    char src_model[600], model[600], out[600], cmd[1400];
    snprintf(src_model, sizeof(src_model), "%s/tiny.yaml", f->tiny);
    snprintf(model, sizeof(model), "%s/copy.yaml", f->tmp);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src_model, model);
    assert_int_equal(system(cmd), 0);
    score_tiny(f, model, "gone", out, sizeof(out));
    assert_int_equal(remove(model), 0);
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = out};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, &src, 1, &s), LB_OK);
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "copy.yaml' is gone"));
    assert_int_equal(s->n_dims, 3);
    assert_string_equal(s->dim_label[0], "Woningvoorraad"); /* a known code */
    assert_near(s->thresholds[7], 4.3926, 0);
    assert_string_equal(s->class_colours[0], "#730000");
    assert_int_equal(s->n_dev_cuts, 6);
    assert_near(s->ref, 4.10, 0);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

/* A run of two years (per_year model): both years read back, M_d per year from run.json, and
 * the indicator contributions recombine to the dimension scores: Σ_{i∈d} c_i − M_d = dev_d. */
static void test_scores_own_run_two_years(void **state)
{
    fixture *f = *state;
    char bu[600], bu21[600], am[600], no[600], model[600], out[600], cmd[1400];
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
    const int years[] = {2021, 2020};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = 4;
    o.years = years;
    o.n_years = 2;
    snprintf(out, sizeof(out), "%s/two", f->tmp);
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    lb_score_source src = {.path = out};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, &src, 1, &s), LB_OK);
    assert_int_equal(s->n_years, 2);
    assert_int_equal(s->years[0], 2020);
    assert_int_equal(s->n_units, 4);
    assert_int_equal(s->n_ind, 5);
    assert_non_null(s->dim_mean);
    /* won's mean drops by 0.3 · 1000/3500 from 2020 to 2021 (per_year references). */
    assert_near(s->dim_mean[0] - s->dim_mean[s->n_dims], 0.3 * 1000.0 / 3500.0, 1e-12);
    size_t checked = 0;
    for (size_t t = 0; t < 2; t++)
        for (size_t u = 0; u < s->n_units; u++) {
            if (isnan(lb_scoreset_value(s, t, LB_OUT_LBM, u)))
                continue;
            for (size_t d = 0; d < s->n_dims; d++) {
                double sum = 0.0;
                for (size_t i = 0; i < s->n_ind; i++)
                    if ((size_t)s->ind_dim[i] == d)
                        sum += s->contrib[(t * s->n_ind + i) * s->n_units + u];
                assert_near(sum - s->dim_mean[t * s->n_dims + d],
                            lb_scoreset_value(s, t, LB_OUT_DIM0 + d, u), 1e-12);
            }
            /* The raw value of an attribute indicator is the buurt's own. */
            if (strcmp(s->id[u], "BU00010001") == 0)
                assert_near(s->raw[(t * s->n_ind + 0) * s->n_units + u], t ? 30.0 : 60.0, 1e-12);
            checked++;
        }
    assert_int_equal(checked, 6);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

/* Replace member @p key of the object at dotted path @p where in doc (NULL value deletes). */
static void json_set(struct json_object *doc, const char *where, const char *key,
                     struct json_object *value)
{
    struct json_object *o = doc;
    char path[128];
    snprintf(path, sizeof(path), "%s", where);
    for (char *tok = strtok(path, "."); tok; tok = strtok(NULL, "."))
        assert_true(json_object_object_get_ex(o, tok, &o));
    if (value)
        json_object_object_add(o, key, value);
    else
        json_object_object_del(o, key);
}

/* A run.json that was edited or not written by leefbaar score: every member the reader uses is
 * type-checked first, and the error names the file and the JSON path (it used to crash on a
 * missing reference.means or assert in json-c on one that was not an object). */
static void test_scores_own_run_bad_run_json(void **state)
{
    fixture *f = *state;
    char model[600], out[600], rj[700], saved[700];
    snprintf(model, sizeof(model), "%s/tiny.yaml", f->tiny);
    score_tiny(f, model, "bad", out, sizeof(out));
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    snprintf(saved, sizeof(saved), "%s/saved.json", f->tmp);
    struct json_object *orig = json_object_from_file(rj);
    assert_non_null(orig);
    assert_int_equal(json_object_to_file(saved, orig), 0);
    json_object_put(orig);
    lb_score_source src = {.path = out};
    static const struct {
        const char *where, *key, *value; /* value NULL: delete; where "=": the whole file */
        const char *want;
    } cases[] = {
        {"reference", "means", NULL, "reference.means is missing"},
        {"reference", "means", "[1, 2]", "reference.means is an array, not an object"},
        {"reference", "means", "{}", "reference.means names no dimension"},
        {"reference.means", "won", "\"4.1\"", "reference.means.won is a string, not a number"},
        {"", "reference", "\"x\"", "reference is a string, not an object"},
        {"", "options", "[]", "options is an array, not an object"},
        {"options", "units", "7", "options.units is a number, not a string"},
        {"options", "year", "1e300", "options.year is 1e+300, not a year"},
        {"", "tool", "\"qgis\"", "tool is 'qgis', not 'leefbaar'"},
        {"model", "indicators", "{}", "model.indicators is an object, not an array"},
        {"model", "indicators", "[3]", "model.indicators[0] is not an object"},
        {"", "years", "[1]", "years[0] is not an object"},
        {"", "years", "[{\"year\": 2020, \"reference\": {\"means\": {\"won\": []}}}]",
         "years[0].reference.means.won is an array, not a number"},
        {"=", NULL, "[1, 2, 3]", "holds an array, not a JSON object"},
        {"=", NULL,
         "{\"tool\":\"leefbaar\",\"options\":{\"units\":\"buurten\",\"id_field\":"
         "\"BU_CODE\"},\"reference\":{}}",
         "reference.means is missing; was it written by leefbaar score?"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (strcmp(cases[i].where, "=") == 0) {
            lb_test_write_text(rj, cases[i].value);
        } else {
            struct json_object *doc = json_object_from_file(saved);
            assert_non_null(doc);
            struct json_object *v = NULL;
            if (cases[i].value)
                assert_non_null(v = json_tokener_parse(cases[i].value));
            json_set(doc, cases[i].where, cases[i].key, v);
            assert_int_equal(json_object_to_file(rj, doc), 0);
            json_object_put(doc);
        }
        expect_error(&src, 1, LB_ERR_DATA, cases[i].want, "run.json");
    }
}

/* lb_io_reference_read (score --reference) checks the types of what it reads as well. */
static void test_scores_reference_bad_types(void **state)
{
    fixture *f = *state;
    char model[600], out[600], rj[700];
    snprintf(model, sizeof(model), "%s/tiny.yaml", f->tiny);
    score_tiny(f, model, "ref", out, sizeof(out));
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    lb_ctx *ctx = lb_test_ctx();
    lb_model *m = NULL;
    assert_int_equal(lb_model_load(ctx, model, &m), LB_OK);
    lb_reference r;
    assert_int_equal(lb_io_reference_read(ctx, rj, m, &r), LB_OK);
    lb_reference_free(&r);
    static const struct {
        const char *where, *key, *value, *want;
    } cases[] = {
        {"reference", "means", "[]", "reference.means is an array, not an object"},
        {"reference", "ref", "\"4\"", "reference.ref is a string, not a number"},
        {"reference", "year", "12345", "reference.year 12345 is not a year"},
        {"model", "sha256", "{}", "model.sha256 is an object, not a string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct json_object *doc = json_object_from_file(rj);
        assert_non_null(doc);
        json_set(doc, cases[i].where, cases[i].key, json_tokener_parse(cases[i].value));
        char bad[800];
        snprintf(bad, sizeof(bad), "%s/bad%zu.json", f->tmp, i);
        assert_int_equal(json_object_to_file(bad, doc), 0);
        json_object_put(doc);
        lb_status st = lb_io_reference_read(ctx, bad, m, &r);
        if (st != LB_ERR_DATA || !strstr(lb_ctx_errmsg(ctx), cases[i].want))
            print_error("case %zu: status %d: %s\n", i, st, lb_ctx_errmsg(ctx));
        assert_int_equal(st, LB_ERR_DATA);
        assert_non_null(strstr(lb_ctx_errmsg(ctx), cases[i].want));
        assert_non_null(strstr(lb_ctx_errmsg(ctx), bad));
    }
    lb_test_write_text(rj, "[]");
    assert_int_equal(lb_io_reference_read(ctx, rj, m, &r), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "not a JSON object"));
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scores_csv_semicolon_decimal_comma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_duplicate_row_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_id_guess_finest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_missing_id_column_lists_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scores_bad_values_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_merge_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_geometry_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_own_run_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_own_run_model_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_own_run_two_years, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_own_run_bad_run_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scores_reference_bad_types, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
