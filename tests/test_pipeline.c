/* SPDX-License-Identifier: MIT */
/* The score pipeline end to end on the hand-made fixture city (tests/data/tiny): numbers
 * checked against a brute-force recomputation, outputs read back with OGR, and every class
 * of bad input rejected with a clear message and no output left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/sha256.h"
#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char dir[256];
    char tmp[256];
    char model[512], buurten[512], amen[512], noise[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s/tiny", getenv("LB_TEST_DATA"));
    if (lb_test_tmpdir(f->tmp, sizeof(f->tmp), "pipeline") != 0)
        return -1;
    snprintf(f->model, sizeof(f->model), "%s/tiny.yaml", f->dir);
    snprintf(f->buurten, sizeof(f->buurten), "%s/buurten.geojson", f->dir);
    snprintf(f->amen, sizeof(f->amen), "%s/amenities.geojson", f->dir);
    snprintf(f->noise, sizeof(f->noise), "%s/noise.asc", f->dir);
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

static lb_status run(fixture *f, lb_ctx *ctx, const char *model, const lb_input_spec *in, size_t n,
                     const char *out)
{
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = n;
    o.year = 2020;
    o.outdir = out;
    (void)f;
    return lb_score_run(ctx, &o);
}

/* Brute force: the tiny city's cell values straight from the fixture's definition. */
typedef struct cellref {
    double w, won, vrz, pub;
    int scored, buurt;
} cellref;

static void brute_force(cellref cells[100], double *m_won, double *m_vrz, double *m_pub)
{
    const double inw[4] = {1000, 500, 2000, 0}, koop[4] = {60, 40, 20, NAN};
    const double woz[4] = {250, NAN, 180, NAN};
    const double sup[2][2] = {{150120, 450730}, {150880, 450260}};
    const double sch[3][2] = {{150450, 450450}, {150460, 450470}, {149000, 449000}};
    for (int r = 0; r < 10; r++)
        for (int c = 0; c < 10; c++) {
            cellref *e = &cells[r * 10 + c];
            double x = 150000 + 100 * c + 50, y = 451000 - 100 * r - 50;
            int b = (y > 450500 ? 0 : 2) + (x > 150500 ? 1 : 0);
            e->buurt = b;
            e->w = inw[b] / 25.0;
            e->scored = e->w >= 1.0;
            double d = INFINITY;
            for (int k = 0; k < 2; k++)
                d = fmin(d, hypot(x - sup[k][0], y - sup[k][1]));
            int n = 0;
            for (int k = 0; k < 3; k++)
                n += hypot(x - sch[k][0], y - sch[k][1]) <= 300.0;
            e->vrz = -0.0002 * fmin(d, 600.0) + 0.05 * n;
            e->pub = (r == 0 && c == 0) ? NAN : -0.01 * (40 + c + 2 * r);
            e->won = 0.01 * koop[b] + 0.001 * woz[b];
        }
    /* Imputation: the weighted mean of the known values over the scored cells. */
    double sw = 0, swoz = 0, snoise = 0, swn = 0;
    for (int i = 0; i < 100; i++) {
        if (!cells[i].scored)
            continue;
        if (!isnan(woz[cells[i].buurt])) {
            sw += cells[i].w;
            swoz += cells[i].w * woz[cells[i].buurt];
        }
        if (!isnan(cells[i].pub)) {
            swn += cells[i].w;
            snoise += cells[i].w * cells[i].pub;
        }
    }
    double tw = 0, a = 0, b = 0, c = 0;
    for (int i = 0; i < 100; i++) {
        if (!cells[i].scored)
            continue;
        if (isnan(cells[i].won))
            cells[i].won = 0.01 * koop[cells[i].buurt] + 0.001 * swoz / sw;
        if (isnan(cells[i].pub))
            cells[i].pub = snoise / swn;
        tw += cells[i].w;
        a += cells[i].w * cells[i].won;
        b += cells[i].w * cells[i].vrz;
        c += cells[i].w * cells[i].pub;
    }
    *m_won = a / tw;
    *m_vrz = b / tw;
    *m_pub = c / tw;
}

static void test_pipeline_tiny_city_numbers(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    char out[512];
    snprintf(out, sizeof(out), "%s/numbers", f->tmp);
    const lb_input_spec in[] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", f->noise, NULL}};
    lb_status st = run(f, ctx, f->model, in, 3, out);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);

    cellref cells[100];
    double m_won, m_vrz, m_pub;
    brute_force(cells, &m_won, &m_vrz, &m_pub);

    char gpkg[600];
    snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", out);
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH grid = GDALDatasetGetLayerByName(ds, "grid");
    assert_non_null(grid);
    assert_int_equal(OGR_L_GetFeatureCount(grid, 1), 75);
    double bw[4] = {0}, bl[4] = {0};
    OGRFeatureH ft;
    while ((ft = OGR_L_GetNextFeature(grid)) != NULL) {
        const char *id = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "cell_id"));
        int e = 0, n = 0;
        assert_int_equal(sscanf(id, "E%dN%d", &e, &n), 2);
        int c = e - 1500, r = 4509 - n;
        assert_true(c >= 0 && c < 10 && r >= 0 && r < 10);
        cellref *ref = &cells[r * 10 + c];
        assert_true(ref->scored);
        /* Written with 6 decimals. */
        double won = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "won"));
        double vrz = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "vrz"));
        double pub = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "pub"));
        double lbm = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "lbm"));
        assert_near(won, ref->won - m_won, 6e-7);
        assert_near(vrz, ref->vrz - m_vrz, 6e-7);
        assert_near(pub, ref->pub - m_pub, 6e-7);
        assert_near(lbm, 4.10 + (ref->won - m_won) + (ref->vrz - m_vrz) + (ref->pub - m_pub), 6e-7);
        assert_near(OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "weight")), ref->w, 1e-3);
        bw[ref->buurt] += ref->w;
        bl[ref->buurt] += ref->w * (4.10 + ref->won - m_won + ref->vrz - m_vrz + ref->pub - m_pub);
        OGR_F_Destroy(ft);
    }
    /* Buurt scores are the inhabitant-weighted means of their cells; afw = Σ dimensions. */
    OGRLayerH bu = GDALDatasetGetLayerByName(ds, "buurten");
    assert_non_null(bu);
    int seen = 0;
    while ((ft = OGR_L_GetNextFeature(bu)) != NULL) {
        const char *code = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "BU_CODE"));
        int b = code[9] - '1';
        int ilbm = OGR_F_GetFieldIndex(ft, "lbm");
        if (b == 3) {
            assert_false(OGR_F_IsFieldSetAndNotNull(ft, ilbm));
            assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "flags")), 4);
        } else {
            double lbm = OGR_F_GetFieldAsDouble(ft, ilbm);
            double afw = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "afw"));
            double sum = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "won")) +
                         OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "vrz")) +
                         OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "pub"));
            assert_near(lbm, bl[b] / bw[b], 6e-7);
            assert_near(afw, sum, 2e-6);
            assert_near(lbm - afw, 4.10, 2e-6);
            assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "n_cells")), 25);
        }
        seen++;
        OGR_F_Destroy(ft);
    }
    assert_int_equal(seen, 4);
    GDALClose(ds);

    /* run.json records the reference and the counts. */
    char rj[600];
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(rj), *o = NULL, *v = NULL;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "reference", &o));
    assert_true(json_object_object_get_ex(o, "means", &o));
    assert_true(json_object_object_get_ex(o, "won", &v));
    assert_near(json_object_get_double(v), m_won, 1e-12);
    assert_true(json_object_object_get_ex(doc, "counts", &o));
    assert_true(json_object_object_get_ex(o, "scored_cells", &v));
    assert_int_equal(json_object_get_int(v), 75);
    json_object_put(doc);
    lb_ctx_destroy(ctx);
}

/* Same inputs and options give identical numbers. */
static void test_pipeline_reproducible(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    const lb_input_spec in[] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", f->noise, NULL}};
    char a[512], b[512], fa[600], fb[600];
    snprintf(a, sizeof(a), "%s/rep-a", f->tmp);
    snprintf(b, sizeof(b), "%s/rep-b", f->tmp);
    assert_int_equal(run(f, ctx, f->model, in, 3, a), LB_OK);
    assert_int_equal(run(f, ctx, f->model, in, 3, b), LB_OK);
    const char *files[] = {"buurten.csv", "scores_2020.tif", "class_2020.tif"};
    for (size_t i = 0; i < 3; i++) {
        char ha[65], hb[65];
        snprintf(fa, sizeof(fa), "%s/%s", a, files[i]);
        snprintf(fb, sizeof(fb), "%s/%s", b, files[i]);
        assert_int_equal(lb_sha256_file(ctx, fa, ha), LB_OK);
        assert_int_equal(lb_sha256_file(ctx, fb, hb), LB_OK);
        assert_string_equal(ha, hb);
    }
    lb_ctx_destroy(ctx);
}

static int dir_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* Each bad input: the expected status, a message naming what is wrong, no output. */
static void expect_failure(fixture *f, const char *model, const lb_input_spec *in, size_t n,
                           lb_status want, const char *needle1, const char *needle2)
{
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    char out[512];
    snprintf(out, sizeof(out), "%s/fail-out", f->tmp);
    lb_status st = run(f, ctx, model, in, n, out);
    const char *msg = lb_ctx_errmsg(ctx);
    if (st != want || !strstr(msg, needle1) || (needle2 && !strstr(msg, needle2)))
        print_error("status %d (want %d): %s\n", st, want, msg);
    assert_int_equal(st, want);
    assert_non_null(strstr(msg, needle1));
    if (needle2)
        assert_non_null(strstr(msg, needle2));
    assert_false(dir_exists(out));
    lb_ctx_destroy(ctx);
}

static void test_pipeline_bad_inputs(void **state)
{
    fixture *f = *state;
    char p[8][600];
    char before[65], after[65];
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    assert_int_equal(lb_sha256_file(ctx, f->buurten, before), LB_OK);

    lb_input_spec in[3] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", f->noise, NULL}};
    snprintf(p[0], sizeof(p[0]), "%s/nosuch.gpkg", f->dir);
    in[0].path = p[0];
    expect_failure(f, f->model, in, 3, LB_ERR_IO, "nosuch.gpkg", "No such file");
    in[0].path = f->buurten;
    in[0].layer = "wijken";
    expect_failure(f, f->model, in, 3, LB_ERR_DATA, "no layer 'wijken'", "layers: buurten");
    in[0].layer = NULL;
    snprintf(p[1], sizeof(p[1]), "%s/badfield.yaml", f->dir);
    expect_failure(f, p[1], in, 3, LB_ERR_DATA, "no field 'P_KOOPWONINGEN'", "P_KOOPWON");
    snprintf(p[2], sizeof(p[2]), "%s/malformed.yaml", f->dir);
    expect_failure(f, p[2], in, 3, LB_ERR_MODEL, "malformed.yaml:", NULL);
    snprintf(p[3], sizeof(p[3]), "%s/badkind.yaml", f->dir);
    expect_failure(f, p[3], in, 3, LB_ERR_MODEL, "badkind.yaml:7:", "nearest");
    snprintf(p[4], sizeof(p[4]), "%s/buurten_nocrs.geojson", f->dir);
    in[0].path = p[4];
    expect_failure(f, f->model, in, 3, LB_ERR_CRS, "RD New", "--s-srs EPSG:28992");
    snprintf(p[5], sizeof(p[5]), "%s/empty.geojson", f->dir);
    in[1].path = p[5];
    in[0].path = f->buurten;
    expect_failure(f, f->model, in, 3, LB_ERR_DATA, "no features", "amenities");
    in[1].path = f->amen;
    expect_failure(f, f->model, in, 2, LB_ERR_ARG, "input 'noise'", "--input noise=");

    assert_int_equal(lb_sha256_file(ctx, f->buurten, after), LB_OK);
    assert_string_equal(before, after);
    lb_ctx_destroy(ctx);
}

/* A failure into an existing directory keeps what was there and leaves no temporary files. */
static void test_pipeline_failure_keeps_existing_dir(void **state)
{
    fixture *f = *state;
    char out[512], keep[600];
    snprintf(out, sizeof(out), "%s/existing", f->tmp);
    mkdir(out, 0777);
    snprintf(keep, sizeof(keep), "%s/notes.txt", out);
    FILE *fp = fopen(keep, "w");
    assert_non_null(fp);
    fputs("mine\n", fp);
    fclose(fp);
    lb_ctx *ctx = NULL;
    assert_int_equal(lb_ctx_create(&ctx), LB_OK);
    const lb_input_spec in[] = {{"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}};
    assert_int_equal(run(f, ctx, f->model, in, 2, out), LB_ERR_ARG);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = notes.txt", out);
    assert_int_equal(system(cmd), 0);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pipeline_tiny_city_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_reproducible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_bad_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_failure_keeps_existing_dir, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
