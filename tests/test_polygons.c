/* SPDX-License-Identifier: MIT */
/* Area mode: indicators on polygon units checked against hand-computed overlays, counts,
 * distances and raster means, joins of attribute tables, and a Wijk-en-Buurtkaart-like file
 * scored with models/kwb-area-2016-2021.yaml against scores computed by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "indicators/inputs.h"
#include "indicators/polygons.h"
#include "io/raster.h"
#include "score/score.h"

#include <leefbaar/leefbaar.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <json-c/json.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char data[512]; /* tests/data */
    char tmp[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->data, sizeof(f->data), "%s", getenv("LB_TEST_DATA"));
    if (lb_test_tmpdir(f->tmp, sizeof(f->tmp), "polygons") != 0) {
        free(f);
        return -1;
    }
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

#define RD_CRS "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:28992\"}}"

/* A GeoJSON rectangle feature with properties @p props (JSON members, may be ""). */
static void rect(char *buf, size_t size, double x0, double y0, double x1, double y1,
                 const char *props)
{
    snprintf(buf, size,
             "{\"type\":\"Feature\",\"properties\":{%s},\"geometry\":{\"type\":\"Polygon\","
             "\"coordinates\":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]}}",
             props, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
}

/* Units: three 500 m squares U1 (100000,450000), U2 east of it, U3 north of U1. */
static void write_units(const char *path)
{
    char a[512], b[512], c[512], doc[2048];
    rect(a, sizeof(a), 100000, 450000, 100500, 450500, "\"CODE\":\"U1\",\"INW\":100");
    rect(b, sizeof(b), 100500, 450000, 101000, 450500, "\"CODE\":\"U2\",\"INW\":300");
    rect(c, sizeof(c), 100000, 450500, 100500, 451000, "\"CODE\":\"U3\",\"INW\":50");
    snprintf(doc, sizeof(doc),
             "{\"type\":\"FeatureCollection\"," RD_CRS ",\"features\":[%s,%s,%s]}", a, b, c);
    lb_test_write_text(path, doc);
}

typedef struct area_env {
    lb_ctx *ctx;
    lb_source src[8];
    size_t n;
    lb_inputs *in;
    const lb_vlayer *units;
    lb_area *area;
    int rings; /* the units read as rings only, as area mode reads them */
} area_env;

static void env_open(area_env *e)
{
    e->ctx = lb_test_ctx();
    assert_int_equal(lb_inputs_create(e->ctx, e->src, e->n, &e->in), LB_OK);
    assert_int_equal(e->rings ? lb_inputs_vector_rings(e->ctx, e->in, "units", NULL, &e->units)
                              : lb_inputs_vector(e->ctx, e->in, "units", NULL, &e->units),
                     LB_OK);
    assert_true(e->rings ? e->units->wkb == NULL : e->units->wkb != NULL);
    assert_int_equal(lb_area_create(e->ctx, e->in, "units", e->units, 100.0, &e->area), LB_OK);
}

static void env_close(area_env *e)
{
    lb_area_destroy(e->area);
    lb_inputs_destroy(e->in);
    lb_ctx_destroy(e->ctx);
}

static void eval_ok(area_env *e, const lb_indicator *ind, double *out)
{
    lb_status st = lb_indicators_eval_polygons(e->ctx, ind, e->area, out);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(e->ctx));
    assert_int_equal(st, LB_OK);
}

/* attribute and ratio from another polygon layer by exact overlay, worked by hand:
 * Z1 (100250..100750 × 450250..450750, 250 000 m², POP 1000, RATE 10, NUM 30 / DEN 60);
 * Z2 (100750..101500 × 450000..450500, 375 000 m², POP 400, RATE 20, NUM 10 / DEN 40);
 * Z3 (100000..100500 × 450750..451250, POP secret, RATE 5).
 * U1 ∩ Z1 = 250×250 = 62 500 m²; U2 ∩ Z1 = 62 500; U2 ∩ Z2 = 250×500 = 125 000;
 * U3 ∩ Z1 = 62 500, U3 ∩ Z3 = 500×250 = 125 000. The same with the units held as rings only
 * (area mode): their shapes come from the WKB the rings give. */
static void overlay_attribute(const fixture *f, int rings)
{
    char units[600], zones[600], a[512], b[512], c[512], doc[2048];
    snprintf(units, sizeof(units), "%s/units.geojson", f->tmp);
    snprintf(zones, sizeof(zones), "%s/zones.geojson", f->tmp);
    write_units(units);
    rect(a, sizeof(a), 100250, 450250, 100750, 450750,
         "\"POP\":1000,\"RATE\":10,\"NUM\":30,\"DEN\":60");
    rect(b, sizeof(b), 100750, 450000, 101500, 450500,
         "\"POP\":400,\"RATE\":20,\"NUM\":10,\"DEN\":40");
    rect(c, sizeof(c), 100000, 450750, 100500, 451250,
         "\"POP\":-99999997,\"RATE\":5,\"NUM\":0,\"DEN\":10");
    snprintf(doc, sizeof(doc),
             "{\"type\":\"FeatureCollection\"," RD_CRS ",\"features\":[%s,%s,%s]}", a, b, c);
    lb_test_write_text(zones, doc);
    area_env e = {.n = 2, .rings = rings};
    e.src[0] = (lb_source){"units", units, NULL, NULL};
    e.src[1] = (lb_source){"zones", zones, NULL, NULL};
    env_open(&e);
    double out[3];
    lb_indicator ind = {.id = "x", .line = 1, .layer = "zones"};

    ind.kind = LB_KIND_ATTRIBUTE;
    ind.field = "POP";
    ind.extensive = 1;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 1000.0 * 62500 / 250000, 1e-9);
    assert_near(out[1], 1000.0 * 62500 / 250000 + 400.0 * 125000 / 375000, 1e-9);
    assert_true(isnan(out[2])); /* an overlapping zone's count is secret */

    ind.field = "RATE";
    ind.extensive = 0;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 10.0, 1e-12);
    assert_near(out[1], (10.0 * 62500 + 20.0 * 125000) / 187500, 1e-12);
    assert_near(out[2], (10.0 * 62500 + 5.0 * 125000) / 187500, 1e-12);

    ind.kind = LB_KIND_RATIO;
    ind.field = NULL;
    ind.numerator = "NUM";
    ind.denominator = "DEN";
    eval_ok(&e, &ind, out);
    assert_near(out[0], 30.0 / 60.0, 1e-12);
    double s1 = 62500.0 / 250000, s2 = 125000.0 / 375000;
    assert_near(out[1], (30 * s1 + 10 * s2) / (60 * s1 + 40 * s2), 1e-12);
    double s3 = 125000.0 / 250000;
    assert_near(out[2], (30 * s1 + 0 * s3) / (60 * s1 + 10 * s3), 1e-12);

    /* The units' own field as it is. */
    ind.kind = LB_KIND_ATTRIBUTE;
    ind.layer = "units";
    ind.field = "INW";
    ind.extensive = 1;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 100, 0);
    assert_near(out[1], 300, 0);
    assert_near(out[2], 50, 0);

    /* Weight from the units' own field; weight 'area' in cells of 100 m. */
    lb_model m = {.weight_name = "inhabitants", .weight_layer = "units", .weight_field = "INW"};
    size_t nm = 9;
    assert_int_equal(lb_area_weights(e.ctx, e.area, &m, out, &nm), LB_OK);
    assert_int_equal(nm, 0);
    assert_near(out[1], 300, 0);
    m.weight_field = NULL;
    assert_int_equal(lb_area_weights(e.ctx, e.area, &m, out, &nm), LB_OK);
    assert_near(out[0], 25.0, 1e-9);
    env_close(&e);
}

static void test_polygons_overlay_attribute(void **state)
{
    overlay_attribute(*state, 0);
    overlay_attribute(*state, 1);
}

/* Points: P1 (100250, 450250) centre of U1, 250 m west of U2 and south of U3; P2 (100500,
 * 450100) on the U1|U2 edge, 400 m from U3; P3 (100600, 450700) 100 m east of U3, 200 m north
 * of U2, √(100² + 200²) from U1; P4 (101200, 450250) 200 m east of U2, weight 7; P5 (100250,
 * 451300) 300 m north of U3. */
static void test_polygons_count_density_nearest(void **state)
{
    fixture *f = *state;
    char units[600], pts[600];
    snprintf(units, sizeof(units), "%s/units.geojson", f->tmp);
    snprintf(pts, sizeof(pts), "%s/pts.geojson", f->tmp);
    write_units(units);
    lb_test_write_text(pts,
                       "{\"type\":\"FeatureCollection\"," RD_CRS ",\"features\":["
                       "{\"type\":\"Feature\",\"properties\":{\"K\":\"a\",\"W\":1},\"geometry\":{"
                       "\"type\":\"Point\",\"coordinates\":[100250,450250]}},"
                       "{\"type\":\"Feature\",\"properties\":{\"K\":\"a\",\"W\":2},\"geometry\":{"
                       "\"type\":\"Point\",\"coordinates\":[100500,450100]}},"
                       "{\"type\":\"Feature\",\"properties\":{\"K\":\"b\",\"W\":3},\"geometry\":{"
                       "\"type\":\"Point\",\"coordinates\":[100600,450700]}},"
                       "{\"type\":\"Feature\",\"properties\":{\"K\":\"a\",\"W\":7},\"geometry\":{"
                       "\"type\":\"Point\",\"coordinates\":[101200,450250]}},"
                       "{\"type\":\"Feature\",\"properties\":{\"K\":\"b\",\"W\":5},\"geometry\":{"
                       "\"type\":\"Point\",\"coordinates\":[100250,451300]}}]}");
    area_env e = {.n = 2};
    e.src[0] = (lb_source){"units", units, NULL, NULL};
    e.src[1] = (lb_source){"pts", pts, NULL, NULL};
    env_open(&e);
    double out[3];
    lb_indicator ind = {.id = "x", .line = 1, .layer = "pts", .kind = LB_KIND_COUNT_WITHIN};

    /* radius 0: inside, the boundary included (P2 counts for U1 and U2) */
    eval_ok(&e, &ind, out);
    assert_near(out[0], 2, 0);
    assert_near(out[1], 1, 0);
    assert_near(out[2], 0, 0);
    /* radius 100: P3 is exactly 100 m from U2 and U3; P4 200 m from U2 */
    ind.radius_m = 100;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 2, 0);
    assert_near(out[1], 1, 0);
    assert_near(out[2], 1, 0);
    ind.radius_m = 300; /* exactly 300 m (P5 from U3) is within */
    eval_ok(&e, &ind, out);
    assert_near(out[0], 3, 0);
    assert_near(out[1], 4, 0);
    assert_near(out[2], 3, 0);
    /* filter */
    ind.filter = "K = 'b'";
    eval_ok(&e, &ind, out);
    assert_near(out[2], 2, 0);
    ind.filter = NULL;

    /* density: count (or Σ W) per km² of the unit grown by the radius */
    ind.kind = LB_KIND_DENSITY;
    ind.radius_m = 0;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 2 / 0.25, 1e-9);
    ind.field = "W";
    eval_ok(&e, &ind, out);
    assert_near(out[1], (2 + 0) / 0.25, 1e-9);
    assert_near(out[0], (1 + 2) / 0.25, 1e-9);
    ind.radius_m = 200;
    eval_ok(&e, &ind, out);
    /* U2 grown by 200 m: 900² − the four corners' squares + quarter discs = 900² − 4·200² +
     * π·200²; P2, P3 and P4 within 200 m */
    double km2 = (900.0 * 900 - 4 * 200.0 * 200 + LB_PI * 200 * 200) / 1e6;
    assert_near(out[1], (2 + 3 + 7) / km2, 1e-4 * (12 / km2));
    ind.field = NULL;

    /* nearest distance from the point on surface (the square's centre) */
    ind.kind = LB_KIND_NEAREST_DISTANCE;
    ind.radius_m = 0;
    ind.cap_m = 5000;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 0.0, 1e-9);
    assert_near(out[1], hypot(100750 - 100500, 450250 - 450100), 1e-9);
    assert_near(out[2], hypot(100250 - 100600, 450750 - 450700), 1e-9);
    ind.cap_m = 200;
    eval_ok(&e, &ind, out);
    assert_near(out[1], 200.0, 0);
    env_close(&e);
}

/* raster_mean over the tiny noise grid (10×10 cells of 100 m at (150000, 450000), value
 * 40 + col + 2·row with row 0 north, nodata at col 0 row 0) and share_within on polygons. */
static void test_polygons_raster_and_share(void **state)
{
    fixture *f = *state;
    char units[600], noise[600], cls[600], a[512], b[512], c[512], doc[2048];
    snprintf(units, sizeof(units), "%s/runits.geojson", f->tmp);
    snprintf(noise, sizeof(noise), "%s/tiny/noise.asc", f->data);
    snprintf(cls, sizeof(cls), "%s/classes.geojson", f->tmp);
    /* R1 covers col 0..2 × row 7..9 with halves on the edges, symmetric about the centre of
     * (col 1, row 8), so its mean is 40 + 1 + 16 = 57. R2 covers cols 0-1 of row 0: col 0 is
     * nodata, so its mean is col 1's 41. R3 is a triangle: the lower-right half of the pixel
     * (col 5, row 5), v = 55, plus nothing else. */
    rect(a, sizeof(a), 150050, 450050, 150250, 450250, "\"CODE\":\"R1\"");
    rect(b, sizeof(b), 150000, 450900, 150200, 451000, "\"CODE\":\"R2\"");
    snprintf(c, sizeof(c),
             "{\"type\":\"Feature\",\"properties\":{\"CODE\":\"R3\"},\"geometry\":{\"type\":"
             "\"Polygon\",\"coordinates\":[[[150500,450400],[150600,450400],[150600,450500],"
             "[150500,450400]]]}}");
    snprintf(doc, sizeof(doc),
             "{\"type\":\"FeatureCollection\"," RD_CRS ",\"features\":[%s,%s,%s]}", a, b, c);
    lb_test_write_text(units, doc);
    /* Class polygons: water over the west 100 m of R1, park over R2's east half. */
    rect(a, sizeof(a), 150000, 450000, 150150, 450300, "\"T\":\"water\"");
    rect(b, sizeof(b), 150100, 450800, 150400, 451100, "\"T\":\"park\"");
    snprintf(doc, sizeof(doc), "{\"type\":\"FeatureCollection\"," RD_CRS ",\"features\":[%s,%s]}",
             a, b);
    lb_test_write_text(cls, doc);
    area_env e = {.n = 3};
    e.src[0] = (lb_source){"units", units, NULL, NULL};
    e.src[1] = (lb_source){"noise", noise, NULL, NULL};
    e.src[2] = (lb_source){"cls", cls, NULL, NULL};
    env_open(&e);
    double out[3];
    lb_indicator ind = {.id = "x", .line = 1, .layer = "noise", .band = 1};
    ind.kind = LB_KIND_RASTER_MEAN;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 57.0, 1e-9);
    assert_near(out[1], 41.0, 1e-12);
    assert_near(out[2], 55.0, 1e-12);

    /* share_within on a raster: the mean over R1 grown by 50 m (150000..150300 × 450000..
     * 450300 with rounded corners), still symmetric about the centre of (col 1, row 8) on a
     * linear raster, so again 57 */
    ind.kind = LB_KIND_SHARE_WITHIN;
    ind.radius_m = 50;
    eval_ok(&e, &ind, out);
    assert_near(out[0], 57.0, 1e-9);
    ind.radius_m = 0;

    ind.layer = "cls";
    ind.field = "T";
    ind.value = "water";
    eval_ok(&e, &ind, out);
    assert_near(out[0], (100.0 * 200) / (200.0 * 200), 1e-12);
    assert_near(out[1], 0.0, 0);
    ind.value = "park";
    eval_ok(&e, &ind, out);
    assert_near(out[1], 0.5, 1e-12);
    ind.field = ind.value = NULL;
    eval_ok(&e, &ind, out);
    assert_near(out[2], 0.0, 0);
    env_close(&e);
}

/* A StatLine-like CSV (BOM, ';', quotes, padded codes, decimal commas, "." missing) joined on
 * CODE; an unmatched unit is missing and reported; a duplicated code is an error. */
static void test_polygons_join_table(void **state)
{
    fixture *f = *state;
    char units[600], csv[600], dup[600];
    snprintf(units, sizeof(units), "%s/units.geojson", f->tmp);
    snprintf(csv, sizeof(csv), "%s/table.csv", f->tmp);
    snprintf(dup, sizeof(dup), "%s/dup.csv", f->tmp);
    write_units(units);
    lb_test_write_text(
        csv, "\xEF\xBB\xBF\"Regiocode\";\"Naam\";\"Inwoners (aantal)\";\"Score (getal)\"\n"
             "\"U1    \";\"Een\";\"  1200\";\"  0,25\"\n"
             "\"U2    \";\"Twee\";\"   800\";\"      .\"\n"
             "\"U9    \";\"Elders\";\"    10\";\"  1,5\"\n");
    lb_test_write_text(dup, "CODE;V\nU1;1\nU2;2\nU1;3\n");
    area_env e = {.n = 3};
    e.src[0] = (lb_source){"units", units, NULL, NULL};
    e.src[1] = (lb_source){"tab", csv, NULL, NULL};
    e.src[2] = (lb_source){"dup", dup, NULL, NULL};
    env_open(&e);
    size_t nw = lb_ctx_warning_count(e.ctx);
    lb_status st = lb_area_join(e.ctx, e.area, "tab", "Regiocode", "CODE");
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(e.ctx));
    assert_int_equal(st, LB_OK);
    assert_true(lb_area_is_joined(e.area, "tab"));
    assert_int_equal(lb_ctx_warning_count(e.ctx), nw + 1);
    assert_non_null(strstr(lb_ctx_warning(e.ctx, nw), "1 of 3 unit(s) have no row (U3)"));
    double out[3];
    lb_indicator ind = {.id = "x", .line = 1, .layer = "tab", .kind = LB_KIND_ATTRIBUTE};
    ind.field = "Inwoners (aantal)";
    eval_ok(&e, &ind, out);
    assert_near(out[0], 1200, 0);
    assert_near(out[1], 800, 0);
    assert_true(isnan(out[2]));
    ind.field = "Score (getal)";
    eval_ok(&e, &ind, out);
    assert_near(out[0], 0.25, 1e-15);
    assert_true(isnan(out[1])); /* StatLine "." */
    /* a table cannot serve geometry kinds */
    ind.kind = LB_KIND_COUNT_WITHIN;
    assert_int_equal(lb_indicators_eval_polygons(e.ctx, &ind, e.area, out), LB_ERR_MODEL);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "joined attribute table"));
    /* a code twice */
    assert_int_equal(lb_area_join(e.ctx, e.area, "dup", "CODE", NULL), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "code 'U1' of field 'CODE' occurs twice"));
    /* a key the table lacks, listing its fields */
    assert_int_equal(lb_area_join(e.ctx, e.area, "tab", "BU_CODE", "CODE"), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(e.ctx), "no field 'BU_CODE'"));
    env_close(&e);
}

/* ---- the Wijk-en-Buurtkaart-like fixture scored with models/kwb-area-2016-2021.yaml
 * ---------------- */

static lb_status run_area(const char *model, const lb_input_spec *in, size_t n, const char *units,
                          const lb_join_spec *joins, size_t n_joins, const char *out, lb_ctx *ctx)
{
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = n;
    o.units = units;
    o.mode = LB_MODE_AREA;
    o.joins = joins;
    o.n_joins = n_joins;
    o.year = 2022;
    o.outdir = out;
    return lb_score_exec(ctx, &o);
}

/* Read field @p name of the feature with BU_CODE @p code from layer @p layer of @p path. */
static double read_value(const char *path, const char *layer, const char *code, const char *name)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(l);
    char where[128];
    snprintf(where, sizeof(where), "BU_CODE = '%s'", code);
    assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    OGRFeatureH ft = OGR_L_GetNextFeature(l);
    assert_non_null(ft);
    int i = OGR_F_GetFieldIndex(ft, name);
    assert_true(i >= 0);
    double v = OGR_F_IsFieldSetAndNotNull(ft, i) ? OGR_F_GetFieldAsDouble(ft, i) : NAN;
    OGR_F_Destroy(ft);
    GDALClose(ds);
    return v;
}

/* Scores of the five inhabited buurten, worked out by hand (a separate Python script doing
 * the arithmetic of DESIGN.md §6 on the fixture's values: cap/log1p, weighted mean and sd by
 * AANT_INW, z = 0 for a missing value, Σ coef·z per dimension, minus the weighted mean,
 * REF 4.10): lbm, won, vrz. */
static const struct expect {
    const char *code;
    double lbm, won, vrz;
    int n_imputed;
} kwb_expect[] = {
    {"BU99990001", 4.048043063923, -0.112864196908, 0.060907260831, 0},
    {"BU99990002", 4.172089810213, 0.025768327563, 0.046321482650, 0},
    {"BU99990101", 4.101685451069, 0.016242156592, -0.014556705523, 0},
    {"BU99990102", 4.013376931318, 0.247704928059, -0.334327996741, 1}, /* AF_TREINST unknown */
    {"BU99990103", 4.115051613986, 0.047560338786, -0.032508724800, 1}, /* WOZ secret */
};

static void check_kwb_scores(const char *out)
{
    char gpkg[600], csv[600], gj[600], rj[600], tif[600];
    snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", out);
    snprintf(csv, sizeof(csv), "%s/buurten.csv", out);
    snprintf(gj, sizeof(gj), "%s/buurten.geojson", out);
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    snprintf(tif, sizeof(tif), "%s/scores_2022.tif", out);
    struct stat sb;
    assert_int_equal(stat(csv, &sb), 0);
    assert_int_equal(stat(gj, &sb), 0);
    assert_int_not_equal(stat(tif, &sb), 0); /* no rasters in area mode */
    for (size_t k = 0; k < sizeof(kwb_expect) / sizeof(kwb_expect[0]); k++) {
        const struct expect *x = &kwb_expect[k];
        /* outputs keep 6 decimals */
        assert_near(read_value(gpkg, "buurten", x->code, "lbm"), x->lbm, 6e-7);
        assert_near(read_value(gpkg, "buurten", x->code, "won"), x->won, 6e-7);
        assert_near(read_value(gpkg, "buurten", x->code, "vrz"), x->vrz, 6e-7);
        assert_near(read_value(gpkg, "buurten", x->code, "n_imputed"), x->n_imputed, 0);
        assert_near(read_value(csv, "buurten", x->code, "lbm"), x->lbm, 6e-7);
    }
    /* Haven (0 inhabitants) and Binnenwater (AANT_INW secret) are not scored. */
    assert_true(isnan(read_value(gpkg, "buurten", "BU99990003", "lbm")));
    assert_near(read_value(gpkg, "buurten", "BU99990003", "flags"), 4, 0);
    assert_true(isnan(read_value(gpkg, "buurten", "BU99990104", "lbm")));
    assert_true(isnan(read_value(gpkg, "buurten", "BU99990104", "weight")));
    /* no grid layer: the units, their year's view and the styles */
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 3);
    assert_string_equal(OGR_L_GetName(GDALDatasetGetLayer(ds, 0)), "buurten");
    assert_non_null(GDALDatasetGetLayerByName(ds, "layer_styles"));
    OGRLayerH year = GDALDatasetGetLayerByName(ds, "buurten_2022");
    assert_non_null(year);
    assert_int_equal(OGR_L_GetFeatureCount(year, TRUE),
                     OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE));
    assert_null(GDALDatasetGetLayerByName(ds, "grid"));
    GDALClose(ds);
    struct json_object *doc = json_object_from_file(rj), *v = NULL, *c = NULL;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "mode", &v));
    assert_string_equal(json_object_get_string(v), "area");
    assert_false(json_object_object_get_ex(doc, "grid", &v));
    assert_true(json_object_object_get_ex(doc, "counts", &c));
    assert_true(json_object_object_get_ex(c, "units", &v));
    assert_int_equal(json_object_get_int(v), 7);
    assert_true(json_object_object_get_ex(c, "scored_units", &v));
    assert_int_equal(json_object_get_int(v), 5);
    assert_true(json_object_object_get_ex(c, "units_imputed", &v));
    assert_int_equal(json_object_get_int(v), 2);
    json_object_put(doc);
}

static void test_polygons_kwb_area_mode(void **state)
{
    fixture *f = *state;
    char model[600], gj[600], gpkg[600], out1[600], out2[600];
    snprintf(model, sizeof(model), "%s/../../models/kwb-area-2016-2021.yaml", f->data);
    snprintf(gj, sizeof(gj), "%s/kwb/kwb_buurten.geojson", f->data);
    snprintf(gpkg, sizeof(gpkg), "%s/kwb.gpkg", f->tmp);
    snprintf(out1, sizeof(out1), "%s/kwb-geojson", f->tmp);
    snprintf(out2, sizeof(out2), "%s/kwb-gpkg", f->tmp);
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {{"buurten", gj, NULL}};
    lb_status st = run_area(model, in, 1, "buurten", NULL, 0, out1, ctx);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    check_kwb_scores(out1);

    /* The same buurten as a GeoPackage layer 'buurten', like the CBS file. */
    GDALAllRegister();
    GDALDatasetH src = GDALOpenEx(gj, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(src);
    char *argv[] = {"-f", "GPKG", "-nln", "buurten", NULL};
    GDALVectorTranslateOptions *vo = GDALVectorTranslateOptionsNew(argv, NULL);
    GDALDatasetH dst = GDALVectorTranslate(gpkg, NULL, 1, &src, vo, NULL);
    GDALVectorTranslateOptionsFree(vo);
    assert_non_null(dst);
    GDALClose(dst);
    GDALClose(src);
    const lb_input_spec in2[] = {{"buurten", gpkg, "buurten"}};
    st = run_area(model, in2, 1, NULL, NULL, 0, out2, ctx);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    check_kwb_scores(out2);
    lb_ctx_destroy(ctx);
}

/* Area-mode errors: units 'grid', a join outside area mode, a join on a missing input. */
static void test_polygons_area_errors(void **state)
{
    fixture *f = *state;
    char model[600], gj[600], out[600];
    snprintf(model, sizeof(model), "%s/../../models/kwb-area-2016-2021.yaml", f->data);
    snprintf(gj, sizeof(gj), "%s/kwb/kwb_buurten.geojson", f->data);
    snprintf(out, sizeof(out), "%s/err", f->tmp);
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {{"buurten", gj, NULL}};
    assert_int_equal(run_area(model, in, 1, "grid", NULL, 0, out, ctx), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "area mode scores polygons"));
    const lb_join_spec j = {"nope", "BU_CODE", NULL};
    assert_int_equal(run_area(model, in, 1, NULL, &j, 1, out, ctx), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no input 'nope' is bound; add --input nope="));
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = 1;
    o.joins = &j;
    o.n_joins = 1;
    o.outdir = out;
    assert_int_equal(lb_score_exec(ctx, &o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "area mode only"));
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0); /* nothing written */
    lb_ctx_destroy(ctx);
}

/* ---- zonal means with the raster read in strips (issue 17) -------------------------------- */

/* A tiled Float32 raster of 4000 × 600 pixels of 5 m (blocks of 256 × 16) over
 * [150000, 170000] × [463000, 466000]; nodata -9999 on a scatter of pixels and on rows 254-258
 * (across the strip border at row 256) of columns 1000-2999. */
enum { STRIP_NX = 4000, STRIP_NY = 600 };
static const double strip_gt[6] = {150000.0, 5.0, 0.0, 466000.0, 0.0, -5.0};

static double strip_value(int i, int j)
{
    if ((i * 7 + j * 13) % 29 == 0 || (j >= 254 && j <= 258 && i >= 1000 && i < 3000))
        return NAN;
    /* exact in Float32: a multiple of 1/64 below 2^10 */
    return (double)((i * 37 + j * 101) % 60000) / 64.0;
}

static void write_strip_raster(const char *path)
{
    char *opt[] = {"TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=16", NULL};
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("GTiff"), path, STRIP_NX, STRIP_NY, 1, GDT_Float32, opt);
    assert_non_null(ds);
    assert_int_equal(GDALSetGeoTransform(ds, (double *)strip_gt), CE_None);
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(s, 28992), OGRERR_NONE);
    char *wkt = NULL;
    assert_int_equal(OSRExportToWkt(s, &wkt), OGRERR_NONE);
    assert_int_equal(GDALSetProjection(ds, wkt), CE_None);
    CPLFree(wkt);
    OSRRelease(s);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    assert_int_equal(GDALSetRasterNoDataValue(b, -9999.0), CE_None);
    float *row = malloc(STRIP_NX * sizeof(float));
    assert_non_null(row);
    for (int j = 0; j < STRIP_NY; j++) {
        for (int i = 0; i < STRIP_NX; i++) {
            double v = strip_value(i, j);
            row[i] = isnan(v) ? -9999.0f : (float)v;
        }
        assert_int_equal(
            GDALRasterIO(b, GF_Write, 0, j, STRIP_NX, 1, row, STRIP_NX, 1, GDT_Float32, 0, 0),
            CE_None);
    }
    free(row);
    GDALClose(ds);
}

/* Add to @p sw, @p sv the coverage weights and weighted values of the raster's pixels under
 * rectangle @p r (x0, y0, x1, y1) times @p sign (-1 for a hole), pixel by pixel from the overlap
 * lengths: independent of the project's coverage code. */
static void rect_sums(const double r[4], double sign, double *sw, double *sv)
{
    for (int j = 0; j < STRIP_NY; j++) {
        double top = strip_gt[3] - 5.0 * j, bottom = top - 5.0;
        double oy = fmin(top, r[3]) - fmax(bottom, r[1]);
        if (oy <= 0.0)
            continue;
        for (int i = 0; i < STRIP_NX; i++) {
            double west = strip_gt[0] + 5.0 * i, east = west + 5.0;
            double ox = fmin(east, r[2]) - fmax(west, r[0]);
            double v = strip_value(i, j);
            if (ox <= 0.0 || isnan(v))
                continue;
            double w = sign * ox * oy / 25.0;
            *sw += w;
            *sv += w * v;
        }
    }
}

/* A ring of rectangle @p r as GeoJSON coordinates. */
static void rect_ring(char *buf, size_t size, const double r[4])
{
    snprintf(buf, size, "[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]", r[0], r[1],
             r[2], r[1], r[2], r[3], r[0], r[3], r[0], r[1]);
}

enum { N_STRIP_RECTS = 8 };

/* The units of the strip tests, in file order: the rectangles of strip_rects, then one
 * multipolygon of two parts far apart (in the first and the last strip), the second with a
 * hole across the strip border at row 512. */
static const double strip_rects[N_STRIP_RECTS][4] = {
    {149503.3, 465002.1, 150517.7, 465492.6}, /* west of the raster; the window's top */
    {155000.4, 464603.1, 157333.3, 464851.7}, /* across strip border row 256 (y 464720) */
    {158000.9, 462800.0, 158441.2, 463141.9}, /* south of the raster */
    {169800.2, 464000.3, 170400.0, 464333.7}, /* east of the raster */
    {160001.1, 463100.2, 161234.5, 465400.9}, /* over all three strips */
    {152222.2, 463400.1, 152333.3, 463480.9}, /* across strip border row 512 (y 463440) */
    {163000.0, 464000.0, 163500.0, 464720.0}, /* top on the strip border row 256 */
    {151000.0, 466100.0, 151500.0, 466400.0}, /* north of the raster: no pixel */
};
static const double strip_part_a[4] = {165000.3, 465100.7, 165400.9, 465390.1};
static const double strip_part_b[4] = {166000.2, 463010.5, 166800.8, 463700.3};
static const double strip_hole[4] = {166200.0, 463300.0, 166500.0, 463600.0};

static void write_strip_units(const char *path)
{
    char doc[8192] = "", ring[3][256];
    size_t len = (size_t)snprintf(doc, sizeof(doc),
                                  "{\"type\":\"FeatureCollection\"," RD_CRS ",\"features\":[");
    for (int k = 0; k < N_STRIP_RECTS; k++) {
        char props[32], feat[512];
        snprintf(props, sizeof(props), "\"CODE\":\"S%d\"", k);
        rect(feat, sizeof(feat), strip_rects[k][0], strip_rects[k][1], strip_rects[k][2],
             strip_rects[k][3], props);
        len += (size_t)snprintf(doc + len, sizeof(doc) - len, "%s,", feat);
    }
    rect_ring(ring[0], sizeof(ring[0]), strip_part_a);
    rect_ring(ring[1], sizeof(ring[1]), strip_part_b);
    rect_ring(ring[2], sizeof(ring[2]), strip_hole);
    snprintf(doc + len, sizeof(doc) - len,
             "{\"type\":\"Feature\",\"properties\":{\"CODE\":\"M\"},\"geometry\":{\"type\":"
             "\"MultiPolygon\",\"coordinates\":[[%s],[%s,%s]]}}]}",
             ring[0], ring[1], ring[2]);
    lb_test_write_text(path, doc);
}

/* The independent means of the strip units (NaN where no pixel with a value is covered). */
static void strip_want(double *want)
{
    for (int k = 0; k <= N_STRIP_RECTS; k++) {
        double sw = 0.0, sv = 0.0;
        if (k < N_STRIP_RECTS) {
            rect_sums(strip_rects[k], 1.0, &sw, &sv);
        } else {
            rect_sums(strip_part_a, 1.0, &sw, &sv);
            rect_sums(strip_part_b, 1.0, &sw, &sv);
            rect_sums(strip_hole, -1.0, &sw, &sv);
        }
        want[k] = sw > 0.0 ? sv / sw : NAN;
    }
}

/* The zonal mean of area mode reads the raster in strips of whole blocks instead of whole: the
 * means are those of the whole raster (bit for bit: same terms, same order) and of an
 * independent computation, with the window's first strip short of a block, a unit across a
 * strip border with nodata at the border, units partly outside the raster on three sides and
 * one wholly outside, a unit whose top is a strip border, a multipolygon with a hole and parts
 * in the first and the last strip, 5 m pixels, any number of threads, and the study area's
 * window set or not. Each unit's coverage is either computed as the strips reach it and freed
 * after them (the model's last raster mean: lb_area_plan) or the whole layer's, held for the
 * later means; both give the same bits. */
static void test_polygons_raster_mean_strips(void **state)
{
    fixture *f = *state;
    enum { NU = N_STRIP_RECTS + 1 };
    char units[600], tif[600];
    snprintf(units, sizeof(units), "%s/sunits.geojson", f->tmp);
    snprintf(tif, sizeof(tif), "%s/strips.tif", f->tmp);
    write_strip_raster(tif);
    write_strip_units(units);
    /* the window of a run (rows from 101, not on a block border; unit S7 lies north of it) */
    const double win[4] = {149503.3, 462800.0, 170400.0, 465492.6};
    double want[NU];
    strip_want(want);
    for (int k = 0; k < NU; k++)
        assert_true(k == 7 ? isnan(want[k]) : isfinite(want[k]));
    for (int windowed = 0; windowed < 2; windowed++) {
        double got[2][2][NU];
        for (int streamed = 0; streamed < 2; streamed++)
            for (int threads = 1; threads <= 2; threads++) {
                /* the units as rings only (area mode) in one of each pair: the same bits */
                area_env e = {.n = 2, .rings = threads == 2};
                e.src[0] = (lb_source){"units", units, NULL, NULL};
                e.src[1] = (lb_source){"noise", tif, NULL, NULL};
                env_open(&e);
                assert_int_equal(lb_ctx_set_threads(e.ctx, threads), LB_OK);
                if (windowed)
                    lb_inputs_set_window(e.in, win);
                lb_indicator ind[2] = {{.id = "x", .line = 1, .layer = "noise", .band = 1},
                                       {.id = "y", .line = 2, .layer = "noise", .band = 1}};
                ind[0].kind = ind[1].kind = LB_KIND_RASTER_MEAN;
                /* streamed: the model's one raster mean; else the first of two */
                lb_model m = {.n_ind = streamed ? 1 : 2, .ind = ind};
                lb_area_plan(e.area, &m);
                double *g = got[streamed][threads - 1];
                eval_ok(&e, &ind[0], g);
                for (int k = 0; k < NU; k++)
                    assert_true(isnan(want[k]) ? isnan(g[k])
                                               : fabs(g[k] - want[k]) <= 1e-9 * fabs(want[k]));

                /* the whole raster over the same window and the same coverage, summed as before */
                lb_band *band = NULL;
                assert_int_equal(
                    lb_raster_read_window(e.ctx, &e.src[1], 1, 0, windowed ? win : NULL, &band),
                    LB_OK);
                if (windowed) {
                    assert_int_equal(band->grid.ny, STRIP_NY - 101);
                    assert_int_equal(band->grid.nx, STRIP_NX);
                }
                /* streamed, the layer's coverage was not kept; else it is kept for the next */
                const lb_layer_cover *cov = lb_inputs_coverage_cached(e.in, "units", &band->grid);
                assert_true(streamed ? cov == NULL : cov != NULL);
                assert_int_equal(lb_inputs_coverage(e.ctx, e.in, "units", &band->grid, &cov),
                                 LB_OK);
                for (size_t u = 0; u < NU; u++) {
                    double sw = 0.0, sv = 0.0;
                    for (size_t k = cov->off[u]; k < cov->off[u + 1]; k++) {
                        double x = band->v[cov->cell[k]];
                        if (isnan(x))
                            continue;
                        sw += cov->frac[k];
                        sv += cov->frac[k] * x;
                    }
                    double whole = sw > 0.0 ? sv / sw : NAN;
                    assert_memory_equal(&whole, &g[u], sizeof(double));
                }
                if (!streamed) { /* the second mean takes the held coverage: the same bits */
                    double again[NU];
                    eval_ok(&e, &ind[1], again);
                    assert_memory_equal(again, g, sizeof(again));
                }
                lb_raster_destroy(band);
                env_close(&e);
            }
        assert_memory_equal(got[0][0], got[0][1], sizeof(got[0][0]));
        assert_memory_equal(got[0][0], got[1][0], sizeof(got[0][0]));
        assert_memory_equal(got[0][0], got[1][1], sizeof(got[0][0]));
    }
}

/* The strip reader gives the pixels of the whole read, strip after strip, on the same grid. */
static void test_polygons_raster_rows(void **state)
{
    fixture *f = *state;
    char tif[600];
    snprintf(tif, sizeof(tif), "%s/rows.tif", f->tmp);
    write_strip_raster(tif);
    lb_ctx *ctx = lb_test_ctx();
    lb_source src = {"noise", tif, NULL, NULL};
    const double win[4] = {151234.0, 463321.0, 168888.8, 465555.5};
    lb_band *all = NULL;
    assert_int_equal(lb_raster_read_window(ctx, &src, 1, 0, win, &all), LB_OK);
    lb_band_rows *rr = NULL;
    assert_int_equal(lb_raster_rows_open(ctx, &src, 1, win, &rr), LB_OK);
    assert_non_null(rr);
    const lb_grid *g = lb_raster_rows_grid(rr);
    assert_memory_equal(g, &all->grid, sizeof(*g));
    size_t nx = (size_t)g->nx, n_nodata = 0;
    double *v = malloc(nx * (size_t)g->ny * sizeof(double));
    assert_non_null(v);
    int strips = 0;
    for (int row = 0, h = 0; row < g->ny; row += h, strips++) {
        h = lb_raster_rows_strip(rr, row, 30000); /* 30000 pixels: 2 blocks of 16 rows */
        assert_true(h >= 1 && row + h <= g->ny);
        /* every strip but the last ends on a block border of the file (row 88 = file row 0) */
        if (row + h < g->ny)
            assert_int_equal((row + h + 88) % 16, 0);
        assert_int_equal(lb_raster_rows_read(ctx, rr, row, h, v + (size_t)row * nx, &n_nodata),
                         LB_OK);
    }
    assert_true(strips > 3);
    assert_int_equal(n_nodata, all->n_nodata);
    for (size_t i = 0; i < nx * (size_t)g->ny; i++) {
        assert_true(isnan(v[i]) == isnan(all->v[i]));
        if (!isnan(v[i]))
            assert_memory_equal(&v[i], &all->v[i], sizeof(double));
    }
    free(v);
    lb_raster_rows_close(rr);
    lb_raster_destroy(all);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_polygons_overlay_attribute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_count_density_nearest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_raster_and_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_join_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_kwb_area_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_area_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_raster_mean_strips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_polygons_raster_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
