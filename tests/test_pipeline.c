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

#include "change/change.h"
#include "core/ctx.h"
#include "core/sha256.h"
#include "diagnose/diagnose.h"
#include "waterbed/waterbed.h"
#include "model/model.h"
#include "score/score.h"
#include "pipeline/demo.h"
#include <leefbaar/leefbaar.h>

#include <cpl_conv.h>
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
    return lb_score_exec(ctx, &o);
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
    /* on 1 and on 2 threads */
    assert_int_equal(lb_ctx_set_threads(ctx, 1), LB_OK);
    assert_int_equal(run(f, ctx, f->model, in, 3, a), LB_OK);
    assert_int_equal(lb_ctx_set_threads(ctx, 2), LB_OK);
    assert_int_equal(run(f, ctx, f->model, in, 3, b), LB_OK);
    /* run.json's SHA-256 of each input (hashed on a thread while the run reads) is the file's */
    for (int k = 0; k < 2; k++) {
        char rj[600];
        snprintf(rj, sizeof(rj), "%s/run.json", k ? b : a);
        struct json_object *doc = json_object_from_file(rj), *inputs = NULL;
        assert_non_null(doc);
        assert_true(json_object_object_get_ex(doc, "inputs", &inputs));
        assert_int_equal(json_object_array_length(inputs), 3);
        for (size_t i = 0; i < 3; i++) {
            struct json_object *o = json_object_array_get_idx(inputs, i), *h = NULL;
            char want[65];
            assert_int_equal(lb_sha256_file(ctx, in[i].path, want), LB_OK);
            assert_true(json_object_object_get_ex(o, "sha256", &h));
            assert_string_equal(json_object_get_string(h), want);
        }
        json_object_put(doc);
    }
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

/* ---- several years in one run (the demo city Leefstad, fixed reference year 2020) ---- */

typedef struct demo_paths {
    char model[600], y2020[600], y2022[600], stat[600], noise[600], green[600];
} demo_paths;

static void demo_paths_init(demo_paths *d)
{
    const char *root = getenv("LB_SOURCE_ROOT");
    snprintf(d->model, sizeof(d->model), "%s/models/default.yaml", root);
    snprintf(d->y2020, sizeof(d->y2020), "%s/shapes/leefstad_2020.gpkg", root);
    snprintf(d->y2022, sizeof(d->y2022), "%s/shapes/leefstad_2022.gpkg", root);
    snprintf(d->stat, sizeof(d->stat), "%s/shapes/leefstad.gpkg", root);
    snprintf(d->noise, sizeof(d->noise), "%s/rasters/noise_lden.tif", root);
    snprintf(d->green, sizeof(d->green), "%s/rasters/green_share.tif", root);
}

/* Both years' buurten, amenities and incidents bound per year; roads and rasters shared. */
static void demo_inputs_two_years(const demo_paths *d, lb_input_spec in[9])
{
    const lb_input_spec all[9] = {{"buurten@2020", d->y2020, "buurten"},
                                  {"buurten@2022", d->y2022, "buurten"},
                                  {"amenities@2020", d->y2020, "amenities"},
                                  {"amenities@2022", d->y2022, "amenities"},
                                  {"incidents@2020", d->y2020, "incidents"},
                                  {"incidents@2022", d->y2022, "incidents"},
                                  {"roads", d->stat, "roads"},
                                  {"noise", d->noise, NULL},
                                  {"green", d->green, NULL}};
    memcpy(in, all, sizeof(all));
}

static lb_status demo_score(lb_ctx *ctx, const demo_paths *d, const lb_input_spec *in, size_t n,
                            const int *years, size_t n_years, const char *reference,
                            const char *out)
{
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = d->model;
    o.inputs = in;
    o.n_inputs = n;
    if (n_years == 1)
        o.year = years[0];
    else {
        o.years = years;
        o.n_years = n_years;
    }
    o.reference_path = reference;
    o.outdir = out;
    lb_status st = lb_score_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    return st;
}

/* Value of @p field for the row of layer @p layer with @p key = @p code and year = @p year;
 * NaN when NULL. Fails when there is not exactly one such row. */
static double row_value(GDALDatasetH ds, const char *layer, const char *key, const char *code,
                        int year, const char *field)
{
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(l);
    char where[256];
    snprintf(where, sizeof(where), "%s = '%s' AND year = %d", key, code, year);
    assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    OGR_L_ResetReading(l);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    assert_non_null(f);
    int i = OGR_F_GetFieldIndex(f, field);
    assert_true(i >= 0);
    double v = OGR_F_IsFieldSetAndNotNull(f, i) ? OGR_F_GetFieldAsDouble(f, i) : NAN;
    OGR_F_Destroy(f);
    assert_null(f = OGR_L_GetNextFeature(l));
    OGR_L_SetAttributeFilter(l, NULL);
    return v;
}

static struct json_object *json_path(struct json_object *o, const char *a, const char *b)
{
    struct json_object *v = NULL;
    assert_true(json_object_object_get_ex(o, a, &v));
    if (b)
        assert_true(json_object_object_get_ex(v, b, &v));
    return v;
}

/* 2020 and 2022 in one run give exactly the numbers of two runs (2020 alone, 2022 against the
 * 2020 run.json); the reference year is scored first even when listed last. */
static void test_pipeline_years_in_one_run(void **state)
{
    fixture *f = *state;
    demo_paths d;
    demo_paths_init(&d);
    lb_ctx *ctx = lb_test_ctx();
    lb_input_spec multi[9];
    demo_inputs_two_years(&d, multi);
    const int years[] = {2022, 2020};
    char both[512], a[512], b[512], ref[600];
    snprintf(both, sizeof(both), "%s/both", f->tmp);
    snprintf(a, sizeof(a), "%s/only2020", f->tmp);
    snprintf(b, sizeof(b), "%s/only2022", f->tmp);
    assert_int_equal(demo_score(ctx, &d, multi, 9, years, 2, NULL, both), LB_OK);
    /* the demo's one uninhabited buurt is not scored, in each year (issue 18) */
    assert_int_equal(lb_ctx_warning_count(ctx), 2);
    for (size_t k = 0; k < 2; k++)
        assert_non_null(strstr(lb_ctx_warning(ctx, k), "with AANT_INW 0 are not scored"));
    const lb_input_spec in20[] = {{"buurten", d.y2020, "buurten"},
                                  {"amenities", d.y2020, "amenities"},
                                  {"incidents", d.y2020, "incidents"},
                                  {"roads", d.stat, "roads"},
                                  {"noise", d.noise, NULL},
                                  {"green", d.green, NULL}};
    const lb_input_spec in22[] = {{"buurten", d.y2022, "buurten"},
                                  {"amenities", d.y2022, "amenities"},
                                  {"incidents", d.y2022, "incidents"},
                                  {"roads", d.stat, "roads"},
                                  {"noise", d.noise, NULL},
                                  {"green", d.green, NULL}};
    assert_int_equal(demo_score(ctx, &d, in20, 6, &years[1], 1, NULL, a), LB_OK);
    snprintf(ref, sizeof(ref), "%s/run.json", a);
    assert_int_equal(demo_score(ctx, &d, in22, 6, &years[0], 1, ref, b), LB_OK);

    char g_both[600], g_a[600], g_b[600];
    snprintf(g_both, sizeof(g_both), "%s/scores.gpkg", both);
    snprintf(g_a, sizeof(g_a), "%s/scores.gpkg", a);
    snprintf(g_b, sizeof(g_b), "%s/scores.gpkg", b);
    GDALDatasetH ds = GDALOpenEx(g_both, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH da = GDALOpenEx(g_a, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH db = GDALOpenEx(g_b, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_non_null(da);
    assert_non_null(db);
    OGRLayerH bu = GDALDatasetGetLayerByName(ds, "buurten");
    OGRLayerH ga = GDALDatasetGetLayerByName(da, "grid"),
              gb = GDALDatasetGetLayerByName(db, "grid");
    OGRLayerH gboth = GDALDatasetGetLayerByName(ds, "grid");
    assert_int_equal(OGR_L_GetFeatureCount(bu, 1), 2 * 62);
    assert_int_equal(OGR_L_GetFeatureCount(gboth, 1),
                     OGR_L_GetFeatureCount(ga, 1) + OGR_L_GetFeatureCount(gb, 1));
    const char *fields[] = {"lbm",
                            "afw",
                            "won",
                            "pub",
                            "vrz",
                            "bev",
                            "soc",
                            "vei",
                            "weight",
                            "kscore",
                            "n_cells",
                            "c_green_share",
                            "x_dwelling_value"};
    /* The codes first: row_value() filters and rewinds the same layers. */
    OGRLayerH la = GDALDatasetGetLayerByName(da, "buurten");
    char codes[62][32];
    OGRFeatureH ft;
    int n = 0;
    while ((ft = OGR_L_GetNextFeature(la)) != NULL) {
        assert_true(n < 62);
        snprintf(codes[n++], sizeof(codes[0]), "%s",
                 OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "BU_CODE")));
        OGR_F_Destroy(ft);
    }
    for (int j = 0; j < n; j++) {
        const char *code = codes[j];
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            double v20 = row_value(ds, "buurten", "BU_CODE", code, 2020, fields[k]);
            double v22 = row_value(ds, "buurten", "BU_CODE", code, 2022, fields[k]);
            double s20 = row_value(da, "buurten", "BU_CODE", code, 2020, fields[k]);
            double s22 = row_value(db, "buurten", "BU_CODE", code, 2022, fields[k]);
            assert_true(isnan(v20) == isnan(s20) && isnan(v22) == isnan(s22));
            if (!isnan(s20))
                assert_near(v20, s20, 0);
            if (!isnan(s22))
                assert_near(v22, s22, 0);
        }
    }
    assert_int_equal(n, 62);
    GDALClose(ds);
    GDALClose(da);
    GDALClose(db);

    /* run.json: both years, per-year counts, one fixed reference from 2020. */
    char rj[600];
    snprintf(rj, sizeof(rj), "%s/run.json", both);
    struct json_object *doc = json_object_from_file(rj);
    assert_non_null(doc);
    struct json_object *ys = json_path(doc, "options", "years");
    assert_int_equal(json_object_array_length(ys), 2);
    assert_int_equal(json_object_get_int(json_object_array_get_idx(ys, 0)), 2020);
    assert_int_equal(json_object_get_int(json_path(doc, "reference", "year")), 2020);
    assert_string_equal(json_object_get_string(json_path(doc, "reference", "mode")), "fixed");
    struct json_object *yarr = json_path(doc, "years", NULL);
    assert_int_equal(json_object_array_length(yarr), 2);
    struct json_object *y0 = json_object_array_get_idx(yarr, 0),
                       *y1 = json_object_array_get_idx(yarr, 1);
    assert_int_equal(json_object_get_int(json_path(y0, "year", NULL)), 2020);
    assert_int_equal(json_object_get_int(json_path(y1, "year", NULL)), 2022);
    assert_int_equal(json_object_get_int(json_path(json_path(y1, "reference", NULL), "year", NULL)),
                     2020);
    const char *dims[] = {"won", "pub", "vrz", "bev", "soc", "vei"};
    for (size_t k = 0; k < 6; k++)
        assert_near(
            json_object_get_double(json_path(json_path(y0, "reference", "means"), dims[k], NULL)),
            json_object_get_double(json_path(json_path(y1, "reference", "means"), dims[k], NULL)),
            0);
    int64_t c0 =
        json_object_get_int64(json_path(json_path(y0, "counts", NULL), "scored_cells", NULL));
    int64_t c1 =
        json_object_get_int64(json_path(json_path(y1, "counts", NULL), "scored_cells", NULL));
    assert_int_equal(json_object_get_int64(json_path(doc, "counts", "scored_cells")), c0 + c1);
    struct json_object *outs = json_path(doc, "outputs", NULL);
    const char *want[] = {"scores_2020.tif", "class_2020.tif", "scores_2022.tif", "class_2022.tif",
                          "buurten.geojson", "buurten.csv",    "scores.gpkg",     "run.json"};
    for (size_t k = 0; k < 8; k++) {
        int found = 0;
        for (size_t j = 0; j < json_object_array_length(outs); j++)
            found |=
                strcmp(json_object_get_string(json_object_array_get_idx(outs, j)), want[k]) == 0;
        assert_true(found);
        char pth[700];
        snprintf(pth, sizeof(pth), "%s/%s", both, want[k]);
        assert_true(dir_exists(pth));
    }
    json_object_put(doc);
    lb_ctx_destroy(ctx);
}

/* Σ_{i∈d} c_i − M_d = dev_d for every buurt and year, to 1e-9 (the GeoPackage keeps full
 * precision; M_d from run.json). */
static void test_pipeline_indicator_columns_sum_to_dimensions(void **state)
{
    fixture *f = *state;
    demo_paths d;
    demo_paths_init(&d);
    lb_ctx *ctx = lb_test_ctx();
    lb_input_spec in[9];
    demo_inputs_two_years(&d, in);
    const int years[] = {2020, 2022};
    char out[512];
    snprintf(out, sizeof(out), "%s/identity", f->tmp);
    assert_int_equal(demo_score(ctx, &d, in, 9, years, 2, NULL, out), LB_OK);
    lb_model *m = NULL;
    assert_int_equal(lb_model_load(ctx, d.model, &m), LB_OK);
    char rj[600], gp[600];
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    snprintf(gp, sizeof(gp), "%s/scores.gpkg", out);
    struct json_object *doc = json_object_from_file(rj);
    struct json_object *means = json_path(doc, "reference", "means");
    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "buurten");
    OGRFeatureH ft;
    size_t checked = 0, imputed = 0;
    while ((ft = OGR_L_GetNextFeature(l)) != NULL) {
        if (!OGR_F_IsFieldSetAndNotNull(ft, OGR_F_GetFieldIndex(ft, "lbm"))) {
            OGR_F_Destroy(ft);
            continue;
        }
        imputed += OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "n_imputed")) > 0;
        for (size_t dd = 0; dd < lb_model_dimension_count(m); dd++) {
            const char *code = lb_model_dimension_code(m, dd);
            double sum = 0.0;
            for (size_t i = 0; i < m->n_ind; i++) {
                if ((size_t)m->ind[i].dim != dd)
                    continue;
                char c[128];
                snprintf(c, sizeof(c), "c_%s", m->ind[i].id);
                int k = OGR_F_GetFieldIndex(ft, c);
                assert_true(k >= 0);
                sum += OGR_F_GetFieldAsDouble(ft, k);
            }
            double md = json_object_get_double(json_path(means, code, NULL));
            double dev = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, code));
            assert_near(sum - md, dev, 1e-9);
        }
        checked++;
        OGR_F_Destroy(ft);
    }
    assert_int_equal(checked, 2 * 61); /* 62 buurten, one without inhabitants (unscored) */
    print_message("identity checked on %zu buurt-years (%zu with imputed cells)\n", checked,
                  imputed);
    GDALClose(ds);
    json_object_put(doc);
    lb_model_destroy(m);
    lb_ctx_destroy(ctx);
}

/* Without the model's reference year among the years: the first year is the reference, with a
 * warning; bindings for a year that is not scored, twice, or missing for one year are errors. */
static void test_pipeline_years_reference_and_bindings(void **state)
{
    fixture *f = *state;
    demo_paths d;
    demo_paths_init(&d);
    lb_ctx *ctx = lb_test_ctx();
    lb_input_spec in[] = {{"buurten@2021", d.y2020, "buurten"},
                          {"buurten@2022", d.y2022, "buurten"},
                          {"amenities", d.y2022, "amenities"},
                          {"incidents", d.y2022, "incidents"},
                          {"roads", d.stat, "roads"},
                          {"noise", d.noise, NULL},
                          {"green", d.green, NULL}};
    const int years[] = {2022, 2021};
    char out[512], rj[600];
    snprintf(out, sizeof(out), "%s/noref", f->tmp);
    assert_int_equal(demo_score(ctx, &d, in, 7, years, 2, NULL, out), LB_OK);
    /* and one per year for the demo's uninhabited buurt, which is not scored */
    assert_int_equal(lb_ctx_warning_count(ctx), 3);
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "reference year 2020 is not scored"));
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "2021 is scored against its own population"));
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(rj);
    assert_int_equal(json_object_get_int(json_path(doc, "reference", "year")), 2021);
    json_object_put(doc);
    lb_ctx_destroy(ctx);

    snprintf(out, sizeof(out), "%s/bad", f->tmp);
    ctx = lb_test_ctx();
    in[0].name = "buurten@2019";
    assert_int_equal(demo_score(ctx, &d, in, 7, years, 2, NULL, out), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "input 'buurten@2019' is bound for 2019"));
    /* two files for one (name, year) are read as one layer, but the same file twice is an
     * error */
    in[0] = in[1];
    assert_int_equal(demo_score(ctx, &d, in, 7, years, 2, NULL, out), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "input 'buurten@2022' is bound twice to"));
    assert_int_equal(demo_score(ctx, &d, in + 1, 6, years, 2, NULL, out), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "year 2021: the model uses input 'buurten'"));
    in[0].name = "buurten@20x1";
    assert_int_equal(demo_score(ctx, &d, in, 7, years, 2, NULL, out), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "NAME@YEAR=PATH"));
    const int twice[] = {2021, 2021};
    in[0].name = "buurten@2021";
    assert_int_equal(demo_score(ctx, &d, in, 7, twice, 2, NULL, out), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "year 2021 is given twice"));
    assert_false(dir_exists(out));
    lb_ctx_destroy(ctx);
}

/* per_year mode (the tiny model): each year is its own reference, so the weighted mean of every
 * dimension over the scored cells is 0 in each year, also when a year's data differ. */
static void test_pipeline_years_per_year_mode(void **state)
{
    fixture *f = *state;
    char other[600], cmd[1400];
    snprintf(other, sizeof(other), "%s/buurten_2021.geojson", f->tmp);
    /* 2021: the north-west buurt's owner-occupation drops from 60 to 30 %. */
    snprintf(cmd, sizeof(cmd), "sed 's/\"P_KOOPWON\": 60/\"P_KOOPWON\": 30/' '%s' > '%s'",
             f->buurten, other);
    assert_int_equal(system(cmd), 0);
    const lb_input_spec in[] = {{"buurten@2020", f->buurten, NULL},
                                {"buurten@2021", other, NULL},
                                {"amenities", f->amen, NULL},
                                {"noise", f->noise, NULL}};
    const int years[] = {2020, 2021};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = f->model;
    o.inputs = in;
    o.n_inputs = 4;
    o.years = years;
    o.n_years = 2;
    char out[512];
    snprintf(out, sizeof(out), "%s/peryear", f->tmp);
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    char gp[600];
    snprintf(gp, sizeof(gp), "%s/scores.gpkg", out);
    GDALDatasetH ds = GDALOpenEx(gp, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH g = GDALDatasetGetLayerByName(ds, "grid");
    assert_int_equal(OGR_L_GetFeatureCount(g, 1), 150);
    const char *dims[] = {"won", "vrz", "pub"};
    double won_nw[2] = {0};
    for (int t = 0; t < 2; t++) {
        char where[64];
        snprintf(where, sizeof(where), "year = %d", years[t]);
        OGR_L_SetAttributeFilter(g, where);
        double sw = 0, sd[3] = {0};
        OGRFeatureH ft;
        while ((ft = OGR_L_GetNextFeature(g)) != NULL) {
            double w = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "weight"));
            sw += w;
            for (int k = 0; k < 3; k++)
                sd[k] += w * OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, dims[k]));
            OGR_F_Destroy(ft);
        }
        for (int k = 0; k < 3; k++)
            assert_near(sd[k] / sw, 0.0, 1e-12);
        won_nw[t] = row_value(ds, "buurten", "BU_CODE", "BU00010001", years[t], "won");
    }
    /* 30 points less owner-occupation at coefficient 0.01 lowers the buurt's won by 0.3 less the
     * shift of the year's own mean (the buurt holds 1000 of 3500 inhabitants): 0.3 · 2500/3500. */
    assert_near(won_nw[0] - won_nw[1], 0.3 * 2500.0 / 3500.0, 1e-9);
    GDALClose(ds);
    char rj[600];
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(rj);
    assert_string_equal(json_object_get_string(json_path(doc, "reference", "mode")), "per_year");
    struct json_object *yarr = json_path(doc, "years", NULL);
    double m0 = json_object_get_double(json_path(
        json_path(json_object_array_get_idx(yarr, 0), "reference", "means"), "won", NULL));
    double m1 =
        json_object_get_double(json_path(json_object_array_get_idx(yarr, 1), "reference", "means"));
    (void)m1;
    double m1w = json_object_get_double(json_path(
        json_path(json_object_array_get_idx(yarr, 1), "reference", "means"), "won", NULL));
    assert_near(m0 - m1w, 0.3 * 1000.0 / 3500.0, 1e-9);
    json_object_put(doc);
    lb_ctx_destroy(ctx);
}

/* The warnings of @p dir/run.json: their number, and whether one contains @p needle. */
static size_t runjson_warnings(const char *dir, const char *needle, int *found)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/run.json", dir);
    struct json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    struct json_object *w = json_path(doc, "warnings", NULL);
    size_t n = json_object_array_length(w);
    *found = 0;
    for (size_t i = 0; i < n; i++)
        *found |= strstr(json_object_get_string(json_object_array_get_idx(w, i)), needle) != NULL;
    json_object_put(doc);
    return n;
}

/* Issue 11: warnings piled up on the context, so a second run on one context wrote the first
 * run's warnings into its run.json. Three runs of the tiny city on one context: the second
 * (against the first's reference with a per_year model) warns, the third must not list it.
 * Every other entry point starts afresh as well, even when it fails on its arguments. */
static void test_pipeline_warnings_per_run(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", f->noise, NULL}};
    char a[512], b[512], c[512], ref[600];
    snprintf(a, sizeof(a), "%s/warn-a", f->tmp);
    snprintf(b, sizeof(b), "%s/warn-b", f->tmp);
    snprintf(c, sizeof(c), "%s/warn-c", f->tmp);
    snprintf(ref, sizeof(ref), "%s/run.json", a);
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = f->model;
    o.inputs = in;
    o.n_inputs = 3;
    o.year = 2020;
    o.outputs = LB_OUT_GPKG;
    o.outdir = a;
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    int found = 0;
    size_t n_a = runjson_warnings(a, "--reference", &found);
    assert_false(found);

    o.reference_path = ref;
    o.outdir = b;
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    assert_int_equal(runjson_warnings(b, "--reference", &found), n_a + 1);
    assert_true(found);
    assert_int_equal(lb_ctx_warning_count(ctx), n_a + 1);

    o.reference_path = NULL;
    o.outdir = c;
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    assert_int_equal(runjson_warnings(c, "--reference", &found), n_a);
    assert_false(found);
    assert_int_equal(lb_ctx_warning_count(ctx), n_a);

    lb_change_options co;
    lb_change_options_init(&co);
    lb_diagnose_options dopt;
    lb_diagnose_options_init(&dopt);
    lb_waterbed_options wo;
    lb_waterbed_options_init(&wo);
    for (int k = 0; k < 5; k++) {
        lb_ctx_log(ctx, LB_LOG_WARN, "left over from an earlier run");
        assert_true(lb_ctx_warning_count(ctx) > 0);
        lb_status st = k == 0   ? lb_change_exec(ctx, &co)
                       : k == 1 ? lb_diagnose_exec(ctx, &dopt)
                       : k == 2 ? lb_waterbed_exec(ctx, &wo)
                       : k == 3 ? lb_demo_exec(ctx, NULL, NULL, NULL, NULL, 0)
                                : lb_demo_run(ctx, NULL);
        assert_int_equal(st, LB_ERR_ARG);
        assert_int_equal(lb_ctx_warning_count(ctx), 0);
    }
    lb_ctx_destroy(ctx);
}

/* The one warning of the last run on @p ctx that contains @p needle (NULL when none; fails
 * the test when there are several). */
static const char *the_warning(const lb_ctx *ctx, const char *needle)
{
    const char *w = NULL;
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        if (strstr(lb_ctx_warning(ctx, i), needle)) {
            assert_null(w);
            w = lb_ctx_warning(ctx, i);
        }
    return w;
}

/* Issue 11: units whose raster indicator has no valid pixel were imputed without a word. The
 * noise raster here covers only the west half of the tiny city (all valid): the 25 scored
 * cells of buurt NE lie off it (grid mode), and so does buurt NE itself (area mode; SE has no
 * inhabitants and is not scored). One warning per indicator with the count and first ids. */
static void test_pipeline_raster_without_pixels(void **state)
{
    fixture *f = *state;
    char noise[600], out[600];
    snprintf(noise, sizeof(noise), "%s/west.asc", f->tmp);
    char asc[1024];
    size_t at = (size_t)snprintf(asc, sizeof(asc),
                                 "ncols 5\nnrows 10\nxllcorner 150000\nyllcorner 450000\n"
                                 "cellsize 100\nNODATA_value -9999\n");
    for (int row = 0; row < 10; row++)
        at += (size_t)snprintf(asc + at, sizeof(asc) - at, "50 51 52 53 54\n");
    assert_true(at < sizeof(asc));
    lb_test_write_text(noise, asc);
    char prj[600];
    snprintf(prj, sizeof(prj), "%s/west.prj", f->tmp);
    char src_prj[600];
    snprintf(src_prj, sizeof(src_prj), "%s/noise.prj", f->dir);
    FILE *fp = fopen(src_prj, "r");
    assert_non_null(fp);
    char wkt[4096];
    size_t nw = fread(wkt, 1, sizeof(wkt) - 1, fp);
    fclose(fp);
    wkt[nw] = '\0';
    lb_test_write_text(prj, wkt);

    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", noise, NULL}};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = f->model;
    o.inputs = in;
    o.n_inputs = 3;
    o.year = 2020;
    o.outputs = LB_OUT_GPKG;
    snprintf(out, sizeof(out), "%s/nopixel-grid", f->tmp);
    o.outdir = out;
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    const char *w = the_warning(ctx, "no valid pixel");
    assert_non_null(w);
    assert_non_null(strstr(w, "indicator 'noise'"));
    assert_non_null(strstr(w, "25 of 75 scored cell(s)"));
    assert_non_null(strstr(w, "(E1505N4509, E1506N4509, E1507N4509, E1508N4509, E1509N4509, ...)"));
    assert_non_null(strstr(w, "imputed"));

    snprintf(out, sizeof(out), "%s/nopixel-area", f->tmp);
    o.mode = LB_MODE_AREA;
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    w = the_warning(ctx, "no valid pixel");
    assert_non_null(w);
    assert_non_null(strstr(w, "1 of 3 scored unit(s)"));
    assert_non_null(strstr(w, "(BU00010002)"));

    /* The fixture's own raster has valid pixels in every buurt: no warning in area mode. */
    const lb_input_spec full[] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", f->noise, NULL}};
    o.inputs = full;
    snprintf(out, sizeof(out), "%s/nopixel-none", f->tmp);
    assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
    assert_null(the_warning(ctx, "no valid pixel"));
    lb_ctx_destroy(ctx);
}

/* Every real field of the units layer of @p gpkg equals, bit for bit, the same field of the
 * same unit in @p other (a CSV or GeoJSON, read with GDAL), matched on BU_CODE and year.
 * Returns the number of values compared. */
static size_t same_reals(const char *gpkg, const char *other, const char *const *oo)
{
    GDALDatasetH a = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH b = GDALOpenEx(other, GDAL_OF_VECTOR, NULL, oo, NULL);
    assert_non_null(a);
    assert_non_null(b);
    OGRLayerH la = GDALDatasetGetLayerByName(a, "buurten"), lb = GDALDatasetGetLayer(b, 0);
    assert_non_null(la);
    OGRFeatureDefnH da = OGR_L_GetLayerDefn(la), db = OGR_L_GetLayerDefn(lb);
    assert_int_equal(OGR_L_GetFeatureCount(la, 1), OGR_L_GetFeatureCount(lb, 1));
    size_t n = 0;
    OGRFeatureH fa;
    while ((fa = OGR_L_GetNextFeature(la)) != NULL) {
        const char *code = OGR_F_GetFieldAsString(fa, OGR_FD_GetFieldIndex(da, "BU_CODE"));
        OGR_L_ResetReading(lb);
        OGRFeatureH fb = NULL;
        while ((fb = OGR_L_GetNextFeature(lb)) != NULL &&
               strcmp(OGR_F_GetFieldAsString(fb, OGR_FD_GetFieldIndex(db, "BU_CODE")), code) != 0)
            OGR_F_Destroy(fb);
        assert_non_null(fb);
        for (int i = 0; i < OGR_FD_GetFieldCount(da); i++) {
            OGRFieldDefnH fd = OGR_FD_GetFieldDefn(da, i);
            if (OGR_Fld_GetType(fd) != OFTReal)
                continue;
            int j = OGR_FD_GetFieldIndex(db, OGR_Fld_GetNameRef(fd));
            assert_true(j >= 0);
            int set_a = OGR_F_IsFieldSetAndNotNull(fa, i);
            const char *text_b = OGR_F_GetFieldAsString(fb, j);
            assert_int_equal(set_a, OGR_F_IsFieldSetAndNotNull(fb, j) && text_b[0]);
            if (!set_a)
                continue;
            /* CSV fields are read as text (CPLStrtod of the exact text); GeoJSON's reader
             * types them Real and parses the JSON number itself (its text form would be
             * GDAL's %.15g) */
            int real_b = OGR_Fld_GetType(OGR_FD_GetFieldDefn(db, j)) == OFTReal;
            double va = OGR_F_GetFieldAsDouble(fa, i);
            double vb = real_b ? OGR_F_GetFieldAsDouble(fb, j) : CPLStrtod(text_b, NULL);
            if (va != vb)
                print_error("%s %s: GPKG %.17g, %s %.17g (%s)\n", code, OGR_Fld_GetNameRef(fd), va,
                            other, vb, text_b);
            assert_true(va == vb);
            n++;
        }
        OGR_F_Destroy(fb);
        OGR_F_Destroy(fa);
    }
    GDALClose(a);
    GDALClose(b);
    return n;
}

/* --full-precision (issue 11): the CSV and the GeoJSON carry the GeoPackage's numbers bit for
 * bit (scores, weights, indicator values and contributions); without it they are rounded. */
static void test_pipeline_full_precision(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {
        {"buurten", f->buurten, NULL}, {"amenities", f->amen, NULL}, {"noise", f->noise, NULL}};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = f->model;
    o.inputs = in;
    o.n_inputs = 3;
    o.year = 2020;
    o.outputs = LB_OUT_GPKG | LB_OUT_CSV | LB_OUT_GEOJSON;
    const char *const oo[] = {"QUOTED_FIELDS_AS_STRING=YES", NULL};
    for (int full = 1; full >= 0; full--) {
        char out[600], gpkg[700], csv[700], gj[700];
        snprintf(out, sizeof(out), "%s/precision-%d", f->tmp, full);
        snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", out);
        snprintf(csv, sizeof(csv), "%s/buurten.csv", out);
        snprintf(gj, sizeof(gj), "%s/buurten.geojson", out);
        o.outdir = out;
        o.full_precision = full;
        assert_int_equal(lb_score_exec(ctx, &o), LB_OK);
        if (full) {
            /* 3 scored buurten × (lbm, afw, 3 dimensions, weight, 5 × x_ and c_) at least */
            assert_true(same_reals(gpkg, csv, oo) >= 3 * 16);
            assert_true(same_reals(gpkg, gj, NULL) >= 3 * 16);
        } else {
            /* rounded to 6 decimals: the unrounded lbm of a scored buurt is not in the CSV */
            GDALDatasetH a = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
            assert_non_null(a);
            OGRLayerH la = GDALDatasetGetLayerByName(a, "buurten");
            OGRFeatureH fa = OGR_L_GetNextFeature(la);
            double lbm =
                OGR_F_GetFieldAsDouble(fa, OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(la), "lbm"));
            OGR_F_Destroy(fa);
            GDALClose(a);
            char *text = NULL;
            FILE *fp = fopen(csv, "rb");
            assert_non_null(fp);
            text = calloc(1, 1 << 16);
            assert_non_null(text);
            size_t nr = fread(text, 1, (1 << 16) - 1, fp);
            fclose(fp);
            text[nr] = '\0';
            char want[64];
            snprintf(want, sizeof(want), ",%.6f,", lbm);
            assert_non_null(strstr(text, want));
            snprintf(want, sizeof(want), ",%.17g,", lbm);
            assert_null(strstr(text, want));
            free(text);
        }
    }
    lb_ctx_destroy(ctx);
}

/* Append the points of the wavy line that splits the test rectangle below, from west to east
 * (forward) or east to west, as GeoJSON positions with a trailing comma. */
static size_t wavy_line(char *buf, size_t at, size_t size, int forward)
{
    enum { N = 137 };
    for (int i = 0; i <= N; i++) {
        int k = forward ? i : N - i;
        double x = 155000.0 + 950.0 * k / N;
        double y = 463400.0 + 230.0 * sin(0.37 * k + 0.1) + 0.3137 * k;
        at += (size_t)snprintf(buf + at, size - at, "[%.17g,%.17g],", x, y);
        assert_true(at < size);
    }
    return at;
}

/* Issue 11: with weight kind 'area' and min_weight 1, grid cells wholly inside the weight
 * polygons were dropped when their coverage summed to 1 − 2⁻⁵³ (inside one polygon, or split
 * between two). Two buurten split the rectangle [155000, 155950] × [463000, 463800] along a
 * wavy line of 137 edges at non-round coordinates: the 9 × 8 cells west of 155900 lie wholly
 * inside the union and must all be scored; the 8 cells of the last column are half covered
 * and must not be. */
static void test_pipeline_area_weight_whole_cells(void **state)
{
    fixture *f = *state;
    char model[600], buurten[600], out[600], runjson[700];
    snprintf(model, sizeof(model), "%s/area.yaml", f->tmp);
    snprintf(buurten, sizeof(buurten), "%s/split.geojson", f->tmp);
    snprintf(out, sizeof(out), "%s/area-out", f->tmp);
    lb_test_write_text(model, "name: area-weight\n"
                              "reference: {mode: per_year, ref: 4.10}\n"
                              "weight: {kind: area, layer: buurten}\n"
                              "grid: {min_weight: 1}\n"
                              "dimensions:\n"
                              "  - {code: won, label: Woningvoorraad}\n"
                              "indicators:\n"
                              "  - {id: x, dimension: won, kind: attribute, layer: buurten,\n"
                              "     field: X, coef: 0.01}\n");
    enum { SZ = 16384 };
    char *gj = malloc(SZ);
    assert_non_null(gj);
    size_t at = (size_t)snprintf(
        gj, SZ,
        "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
        "{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"BU_CODE\":\"BU00010001\",\"X\":1},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[155000,463000],"
        "[155950,463000],");
    at = wavy_line(gj, at, SZ, 0);
    at += (size_t)snprintf(gj + at, SZ - at,
                           "[155000,463000]]]}},"
                           "{\"type\":\"Feature\",\"properties\":{\"BU_CODE\":\"BU00010002\","
                           "\"X\":2},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[");
    at = wavy_line(gj, at, SZ, 1);
    at += (size_t)snprintf(gj + at, SZ - at, "[155950,463800],[155000,463800],[155000,%.17g]]]}}]}",
                           463400.0 + 230.0 * sin(0.1));
    assert_true(at < SZ);
    lb_test_write_text(buurten, gj);
    free(gj);

    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {{"buurten", buurten, NULL}};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = 1;
    o.year = 2022;
    o.outdir = out;
    o.outputs = LB_OUT_GPKG | LB_OUT_GRID;
    lb_status st = lb_score_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    snprintf(runjson, sizeof(runjson), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(runjson);
    assert_non_null(doc);
    assert_int_equal(json_object_get_int64(json_path(doc, "counts", "cells")), 80);
    assert_int_equal(json_object_get_int64(json_path(doc, "counts", "scored_cells")), 72);
    json_object_put(doc);
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
        cmocka_unit_test_setup_teardown(test_pipeline_years_in_one_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_indicator_columns_sum_to_dimensions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_years_reference_and_bindings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_years_per_year_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_area_weight_whole_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_warnings_per_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_raster_without_pixels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipeline_full_precision, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
