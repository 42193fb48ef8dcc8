/* SPDX-License-Identifier: MIT */
/* The CBS Wijk- en Buurtkaart as downloaded: GeoPackages in the schema of 2023 (long names,
 * special values -99997/-99995/-99991) and of 2017 (short names, -99999997/8/9), made here with
 * OGR, scored with the shipped models and checked against the model arithmetic worked out in
 * closed form; code fields, water-only units, missing_codes and valid ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/codes.h"
#include "diagnose/diagnose.h"
#include "io/vector.h"
#include "score/score.h"

#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <string.h>
#include <sys/stat.h>

enum { N_IND = 7, N_UNITS = 8 };

/* One schema of the Wijk- en Buurtkaart: the names of the fields this test writes, and the
 * special values CBS used in it (secret, and two other "no value" codes). */
typedef struct schema {
    const char *model; /* models/<model> */
    const char *code, *name, *wijk, *gemeente, *water, *inhabitants, *dwellings;
    const char *ind[N_IND]; /* in the order of the model's indicators */
    double secret, later, gone;
} schema;

static const schema kwb2023 = {
    "kwb-area.yaml",
    "buurtcode",
    "buurtnaam",
    "wijkcode",
    "gemeentecode",
    "water",
    "aantal_inwoners",
    "woningvoorraad",
    {"gemiddelde_woningwaarde", "percentage_koopwoningen",
     "perc_huurwoningen_in_bezit_woningcorporaties", "grote_supermarkt_gemiddelde_afstand_in_km",
     "huisartsenpraktijk_gemiddelde_afstand_in_km", "treinstation_gemiddelde_afstand_in_km",
     "basisonderwijs_gemiddelde_afstand_in_km"},
    -99997,
    -99995,
    -99991,
};

static const schema kwb2017 = {
    "kwb-area-2016-2021.yaml",
    "BU_CODE",
    "BU_NAAM",
    "WK_CODE",
    "GM_CODE",
    "WATER",
    "AANT_INW",
    "WONINGEN",
    {"WOZ", "P_KOOPWON", "P_HUURCORP", "AF_SUPERM", "AF_ARTSPR", "AF_TREINST", "AF_ONDBAS"},
    -99999997,
    -99999998,
    -99999999,
};

/* The buurten. In the values S, L and G stand for the schema's secret, later and gone codes;
 * OUT marks values outside the model's valid ranges (a share of 130 %, a distance of -2 km). */
#define S 1e300
#define L 2e300
#define G 3e300
static const struct buurt {
    const char *code, *wijk;
    int water;
    double inhabitants;
    double v[N_IND];
} buurten[N_UNITS] = {
    {"BU99990001", "WK999900", 0, 1200, {250, 40, 45, 0.4, 0.6, 1.2, 0.5}},
    {"BU99990002", "WK999900", 0, 800, {310, 55, 30, 0.5, 0.7, 1.5, 0.4}},
    {"BU99990003", "WK999900", 0, 0, {S, S, S, 1.1, 1.6, 2.0, 1.4}}, /* no inhabitants */
    {"BU99990101", "WK999901", 0, 2000, {280, 60, 25, S, 0.9, 3.0, 0.6}},
    {"BU99990102", "WK999901", 0, 150, {420, 85, L, 2.5, 3.1, 12.0, G}},
    {"BU99990103", "WK999901", 0, 950, {S, 70, 20, 0.8, 1.0, S, 0.7}},
    {"BU99990104", "WK999901", 1, 5, {S, S, S, S, S, S, S}}, /* water, yet 5 inhabitants */
    {"BU99990105", "WK999901", 0, 600, {230, 130, 35, -2.0, 0.8, 2.2, 0.9}},
};

/* The shipped models' indicators (models/kwb-area*.yaml): coefficient, dimension (0 won,
 * 1 vrz), cap and log1p before the z-score. */
static const struct {
    double coef;
    int dim;
    double cap_hi; /* 0: no cap; else cap [0, cap_hi] */
    int log1p;
    double lo, hi; /* valid */
} model_ind[N_IND] = {
    {0.04, 0, 0, 1, 0, INFINITY},   {0.025, 0, 0, 0, 0, 100},      {-0.02, 0, 0, 0, 0, 100},
    {-0.03, 1, 5, 0, 0, INFINITY},  {-0.02, 1, 0, 0, 0, INFINITY}, {-0.015, 1, 10, 1, 0, INFINITY},
    {-0.015, 1, 0, 0, 0, INFINITY},
};

static double stored(const schema *s, double v)
{
    return v == S ? s->secret : v == L ? s->later : v == G ? s->gone : v;
}

/* Write the buurten in schema @p s as layer @p layer of a new GeoPackage @p path (EPSG:28992),
 * 500 m squares side by side. With @p with_codes 0 the code fields are left out. */
static void write_kwb(const char *path, const char *layer, const schema *s, int with_codes)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH rd = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(rd, 28992), OGRERR_NONE);
    OGRLayerH l = GDALDatasetCreateLayer(ds, layer, rd, wkbMultiPolygon, NULL);
    assert_non_null(l);
    const char *text[] = {s->code, s->name, s->wijk, s->gemeente, s->water};
    for (size_t i = with_codes ? 0 : 1; i < 5; i++) {
        if (!with_codes && (i == 2 || i == 3))
            continue;
        OGRFieldDefnH fd = OGR_Fld_Create(text[i], OFTString);
        assert_int_equal(OGR_L_CreateField(l, fd, 1), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    const char *ints[] = {s->inhabitants, s->dwellings};
    for (size_t i = 0; i < 2; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(ints[i], OFTInteger);
        assert_int_equal(OGR_L_CreateField(l, fd, 1), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    for (size_t i = 0; i < N_IND; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(s->ind[i], OFTReal);
        assert_int_equal(OGR_L_CreateField(l, fd, 1), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    for (size_t u = 0; u < N_UNITS; u++) {
        const struct buurt *b = &buurten[u];
        OGRFeatureH ft = OGR_F_Create(OGR_L_GetLayerDefn(l));
        char name[32];
        snprintf(name, sizeof(name), "Buurt %zu", u + 1);
        const char *tv[] = {b->code, name, b->wijk, "GM9999", b->water ? "JA" : "NEE"};
        for (size_t i = 0; i < 5; i++)
            if (with_codes || (i != 0 && i != 2 && i != 3))
                OGR_F_SetFieldString(ft, OGR_F_GetFieldIndex(ft, text[i]), tv[i]);
        OGR_F_SetFieldInteger(ft, OGR_F_GetFieldIndex(ft, s->inhabitants), (int)b->inhabitants);
        OGR_F_SetFieldInteger(ft, OGR_F_GetFieldIndex(ft, s->dwellings), (int)(b->inhabitants / 2));
        for (size_t i = 0; i < N_IND; i++)
            OGR_F_SetFieldDouble(ft, OGR_F_GetFieldIndex(ft, s->ind[i]), stored(s, b->v[i]));
        double x0 = 100000.0 + 500.0 * (double)u, y0 = 450000.0;
        char wkt[256];
        snprintf(wkt, sizeof(wkt), "MULTIPOLYGON(((%g %g,%g %g,%g %g,%g %g,%g %g)))", x0, y0,
                 x0 + 500, y0, x0 + 500, y0 + 500, x0, y0 + 500, x0, y0);
        OGRGeometryH g = NULL;
        char *p = wkt;
        assert_int_equal(OGR_G_CreateFromWkt(&p, rd, &g), OGRERR_NONE);
        OGR_F_SetGeometryDirectly(ft, g);
        assert_int_equal(OGR_L_CreateFeature(l, ft), OGRERR_NONE);
        OGR_F_Destroy(ft);
    }
    OSRRelease(rd);
    GDALClose(ds);
}

/* The scores the model arithmetic (DESIGN.md §6) gives the buurten, worked out here in closed
 * form: a unit is scored when it has at least 1 inhabitant and is not water; a value is
 * missing when it is a special value or outside the indicator's valid range; cap and log1p;
 * z = (f − mean) / sd with the inhabitant-weighted mean and population sd of the scored units
 * with a value; a missing value counts z = 0; C_d = Σ coef·z; dev_d = C_d − weighted mean of
 * C_d; lbm = 4.10 + Σ dev_d. */
typedef struct expected {
    int scored[N_UNITS];
    double won[N_UNITS], vrz[N_UNITS], lbm[N_UNITS];
    int n_imputed[N_UNITS];
} expected;

static void expect_scores(expected *e)
{
    double f[N_IND][N_UNITS], w[N_UNITS];
    double c[2][N_UNITS] = {{0}};
    for (size_t u = 0; u < N_UNITS; u++) {
        e->scored[u] = buurten[u].inhabitants >= 1 && !buurten[u].water;
        w[u] = buurten[u].inhabitants;
        e->n_imputed[u] = 0;
    }
    for (size_t i = 0; i < N_IND; i++) {
        double sw = 0, sv = 0, ss = 0;
        for (size_t u = 0; u < N_UNITS; u++) {
            double v = buurten[u].v[i];
            if (v >= S || v < model_ind[i].lo || v > model_ind[i].hi) {
                f[i][u] = NAN;
                continue;
            }
            if (model_ind[i].cap_hi > 0)
                v = fmin(fmax(v, 0.0), model_ind[i].cap_hi);
            if (model_ind[i].log1p)
                v = log1p(v);
            f[i][u] = v;
            if (e->scored[u]) {
                sw += w[u];
                sv += w[u] * v;
            }
        }
        double mean = sv / sw;
        for (size_t u = 0; u < N_UNITS; u++)
            if (e->scored[u] && !isnan(f[i][u]))
                ss += w[u] * (f[i][u] - mean) * (f[i][u] - mean);
        double sd = sqrt(ss / sw);
        for (size_t u = 0; u < N_UNITS; u++) {
            if (!e->scored[u])
                continue;
            if (isnan(f[i][u]))
                e->n_imputed[u]++;
            else
                c[model_ind[i].dim][u] += model_ind[i].coef * (f[i][u] - mean) / sd;
        }
    }
    double md[2];
    for (int d = 0; d < 2; d++) {
        double sw = 0, sv = 0;
        for (size_t u = 0; u < N_UNITS; u++)
            if (e->scored[u]) {
                sw += w[u];
                sv += w[u] * c[d][u];
            }
        md[d] = sv / sw;
    }
    for (size_t u = 0; u < N_UNITS; u++) {
        e->won[u] = e->scored[u] ? c[0][u] - md[0] : NAN;
        e->vrz[u] = e->scored[u] ? c[1][u] - md[1] : NAN;
        e->lbm[u] = e->scored[u] ? 4.10 + e->won[u] + e->vrz[u] : NAN;
    }
}

static lb_status score(lb_ctx *ctx, const char *model, const lb_input_spec *in, size_t n,
                       const char *id_field, const char *out)
{
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = n;
    o.id_field = id_field;
    o.mode = LB_MODE_AREA;
    o.year = 2023;
    o.outdir = out;
    return lb_score_exec(ctx, &o);
}

/* Field @p name of the row with @p key_field = @p key in layer @p layer of @p gpkg (NaN when
 * NULL); @p text receives the text when not NULL. */
static double row_value(const char *gpkg, const char *layer, const char *key_field, const char *key,
                        const char *name, char *text, size_t text_size)
{
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(l);
    char where[128];
    snprintf(where, sizeof(where), "\"%s\" = '%s'", key_field, key);
    assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    OGRFeatureH ft = OGR_L_GetNextFeature(l);
    assert_non_null(ft);
    int i = OGR_F_GetFieldIndex(ft, name);
    if (i < 0)
        fail_msg("no field '%s' in %s", name, gpkg);
    double v = OGR_F_IsFieldSetAndNotNull(ft, i) ? OGR_F_GetFieldAsDouble(ft, i) : NAN;
    if (text)
        snprintf(text, text_size, "%s", OGR_F_GetFieldAsString(ft, i));
    OGR_F_Destroy(ft);
    GDALClose(ds);
    return v;
}

static int64_t count_of(struct json_object *doc, const char *key)
{
    struct json_object *c = NULL, *v = NULL;
    assert_true(json_object_object_get_ex(doc, "counts", &c));
    if (!json_object_object_get_ex(c, key, &v))
        fail_msg("no count '%s' in run.json", key);
    return json_object_get_int64(v);
}

/* Does a warning of run.json contain every one of the NULL-terminated strings? */
static int has_warning(struct json_object *doc, ...)
{
    struct json_object *w = NULL;
    assert_true(json_object_object_get_ex(doc, "warnings", &w));
    for (size_t k = 0; k < json_object_array_length(w); k++) {
        const char *s = json_object_get_string(json_object_array_get_idx(w, k));
        va_list ap;
        va_start(ap, doc);
        int all = 1;
        for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *))
            all &= strstr(s, p) != NULL;
        va_end(ap);
        if (all)
            return 1;
    }
    return 0;
}

/* Score the file of schema @p s with the shipped model and check every number. */
static void check_schema(lb_test_dir *t, const schema *s, const char *tag)
{
    char gpkg[320], out[320], model[600], scores[400], rj[400];
    snprintf(gpkg, sizeof(gpkg), "%s/wijkenbuurten_%s.gpkg", t->dir, tag);
    snprintf(out, sizeof(out), "%s/out-%s", t->dir, tag);
    snprintf(model, sizeof(model), "%s/models/%s", getenv("LB_SOURCE_ROOT"), s->model);
    snprintf(scores, sizeof(scores), "%s/scores.gpkg", out);
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    write_kwb(gpkg, "buurten", s, 1);
    const lb_input_spec in[] = {{"buurten", gpkg, "buurten"}};
    lb_status st = score(t->ctx, model, in, 1, NULL, out);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(t->ctx));
    assert_int_equal(st, LB_OK);

    expected e;
    expect_scores(&e);
    for (size_t u = 0; u < N_UNITS; u++) {
        const char *code = buurten[u].code;
        char wk[32];
        /* codes kept (as BU_CODE / WK_CODE / GM_CODE), never feature ids */
        row_value(scores, "buurten", "BU_CODE", code, "WK_CODE", wk, sizeof(wk));
        assert_string_equal(wk, buurten[u].wijk);
        double lbm = row_value(scores, "buurten", "BU_CODE", code, "lbm", NULL, 0);
        if (!e.scored[u]) {
            assert_true(isnan(lbm));
            continue;
        }
        assert_near(lbm, e.lbm[u], 1e-12);
        assert_near(row_value(scores, "buurten", "BU_CODE", code, "won", NULL, 0), e.won[u], 1e-12);
        assert_near(row_value(scores, "buurten", "BU_CODE", code, "vrz", NULL, 0), e.vrz[u], 1e-12);
        assert_int_equal((int)row_value(scores, "buurten", "BU_CODE", code, "n_imputed", NULL, 0),
                         e.n_imputed[u]);
        /* no special value enters as a raw value */
        for (size_t i = 0; i < N_IND; i++) {
            double v = buurten[u].v[i];
            int missing = v >= S || v < model_ind[i].lo || v > model_ind[i].hi;
            static const char *const ids[N_IND] = {"x_woz_value",         "x_owner_occupied_share",
                                                   "x_social_rent_share", "x_dist_supermarket",
                                                   "x_dist_huisarts",     "x_dist_station",
                                                   "x_dist_basisschool"};
            double x = row_value(scores, "buurten", "BU_CODE", code, ids[i], NULL, 0);
            if (missing)
                assert_true(isnan(x));
            else
                assert_near(x, v, 1e-12);
        }
    }
    /* BU99990101's secret supermarket distance is imputed: its vrz is not the best */
    assert_int_equal(e.n_imputed[3], 1);
    assert_int_equal(e.n_imputed[4], 2);
    assert_int_equal(e.n_imputed[7], 2);
    /* the water buurt is flagged and counted, the empty one is below min_weight */
    assert_int_equal((int)row_value(scores, "buurten", "BU_CODE", "BU99990104", "flags", NULL, 0),
                     8);
    assert_int_equal((int)row_value(scores, "buurten", "BU_CODE", "BU99990003", "flags", NULL, 0),
                     4);
    struct json_object *doc = json_object_from_file(rj), *opt = NULL, *v = NULL;
    assert_non_null(doc);
    assert_int_equal(count_of(doc, "units"), N_UNITS);
    assert_int_equal(count_of(doc, "scored_units"), 6);
    assert_int_equal(count_of(doc, "units_water"), 1);
    assert_int_equal(count_of(doc, "units_imputed"), 4);
    assert_true(json_object_object_get_ex(doc, "options", &opt));
    assert_true(json_object_object_get_ex(opt, "id_field", &v));
    assert_string_equal(json_object_get_string(v), "BU_CODE");
    assert_true(json_object_object_get_ex(opt, "units_id_field", &v));
    assert_string_equal(json_object_get_string(v), s->code);
    assert_true(has_warning(doc, "water-only", "BU99990104", NULL));
    /* the run diagnoses by wijk code, whichever schema came in */
    char report[400];
    snprintf(report, sizeof(report), "%s/diagnose-%s", t->dir, tag);
    lb_score_source src = {.path = out};
    lb_diagnose_options dxo;
    lb_diagnose_options_init(&dxo);
    dxo.sources = &src;
    dxo.n_sources = 1;
    dxo.wijk = "WK999901";
    dxo.outdir = report;
    lb_status dst = lb_diagnose_exec(t->ctx, &dxo);
    if (dst != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(t->ctx));
    assert_int_equal(dst, LB_OK);
    assert_true(has_warning(doc, "owner_occupied_share", s->ind[1], "BU99990105 = 130", NULL));
    assert_true(
        has_warning(doc, "dist_supermarket", s->ind[3], "1 value(s)", "BU99990105 = -2", NULL));
    /* the special values are known as such, not caught as out of range */
    char secret[32];
    snprintf(secret, sizeof(secret), "= %.0f", s->secret);
    assert_false(has_warning(doc, secret, NULL));
    json_object_put(doc);
}

/* A Wijk- en Buurtkaart 2023 GeoPackage as downloaded, scored with models/kwb-area.yaml. */
static void test_kwb_2023_schema(void **state)
{
    check_schema(*state, &kwb2023, "2023");
}

/* A Wijk- en Buurtkaart 2017 GeoPackage, scored with models/kwb-area-2016-2021.yaml. */
static void test_kwb_2017_schema(void **state)
{
    check_schema(*state, &kwb2017, "2017");
}

/* The wijk layer of the 2023 schema: keyed by wijkcode (no buurtcode there). */
static void test_kwb_wijk_layer(void **state)
{
    lb_test_dir *t = *state;
    char gpkg[320], out[320], model[600], scores[400];
    snprintf(gpkg, sizeof(gpkg), "%s/wijken.gpkg", t->dir);
    snprintf(out, sizeof(out), "%s/out-wijken", t->dir);
    snprintf(model, sizeof(model), "%s/models/kwb-area.yaml", getenv("LB_SOURCE_ROOT"));
    snprintf(scores, sizeof(scores), "%s/scores.gpkg", out);
    schema w = kwb2023; /* a wijk layer: wijkcode (unique), gemeentecode, no buurtcode */
    w.code = "wijkcode";
    w.wijk = "ligt_in";
    write_kwb(gpkg, "wijken", &w, 1);
    const lb_input_spec in[] = {{"buurten", gpkg, "wijken"}};
    assert_int_equal(score(t->ctx, model, in, 1, NULL, out), LB_OK);
    char wk[32];
    row_value(scores, "buurten", "WK_CODE", "BU99990002", "GM_CODE", wk, sizeof(wk));
    assert_string_equal(wk, "GM9999");
    GDALDatasetH ds = GDALOpenEx(scores, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, "buurten");
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(l);
    assert_true(OGR_FD_GetFieldIndex(fd, "WK_CODE") >= 0);
    assert_true(OGR_FD_GetFieldIndex(fd, "GM_CODE") >= 0);
    assert_true(OGR_FD_GetFieldIndex(fd, "BU_CODE") < 0);
    GDALClose(ds);
}

/* Units without any code field and no --id-field: an error listing the fields, nothing
 * written. */
static void test_kwb_no_code_field(void **state)
{
    lb_test_dir *t = *state;
    char gpkg[320], out[320], model[600];
    snprintf(gpkg, sizeof(gpkg), "%s/nocode.gpkg", t->dir);
    snprintf(out, sizeof(out), "%s/out-nocode", t->dir);
    snprintf(model, sizeof(model), "%s/models/kwb-area.yaml", getenv("LB_SOURCE_ROOT"));
    write_kwb(gpkg, "buurten", &kwb2023, 0);
    const lb_input_spec in[] = {{"buurten", gpkg, "buurten"}};
    assert_int_equal(score(t->ctx, model, in, 1, NULL, out), LB_ERR_DATA);
    const char *msg = lb_ctx_errmsg(t->ctx);
    assert_non_null(strstr(msg, "no code field"));
    assert_non_null(strstr(msg, "buurtnaam, water, aantal_inwoners"));
    assert_non_null(strstr(msg, "--id-field"));
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
    /* with --id-field the same file scores, keyed by that field */
    assert_int_equal(score(t->ctx, model, in, 1, "buurtnaam", out), LB_OK);
}

/* A model's own missing codes and valid range, and their errors. */
static void test_kwb_missing_codes_valid(void **state)
{
    lb_test_dir *t = *state;
    char gpkg[320], out[320], model[320], scores[400];
    snprintf(gpkg, sizeof(gpkg), "%s/codes.gpkg", t->dir);
    snprintf(out, sizeof(out), "%s/out-codes", t->dir);
    snprintf(model, sizeof(model), "%s/codes.yaml", t->dir);
    snprintf(scores, sizeof(scores), "%s/scores.gpkg", out);
    write_kwb(gpkg, "buurten", &kwb2023, 1);
    lb_test_write_text(model, "name: codes\n"
                              "reference: {mode: per_year}\n"
                              "weight: {kind: inhabitants, layer: buurten, field: "
                              "aantal_inwoners}\n"
                              "dimensions: [{code: won}]\n"
                              "indicators:\n"
                              "  - id: value\n"
                              "    dimension: won\n"
                              "    kind: attribute\n"
                              "    layer: buurten\n"
                              "    field: gemiddelde_woningwaarde\n"
                              "    missing_codes: [310, 420]\n"
                              "    valid: [240, 300]\n"
                              "    coef: 1\n");
    const lb_input_spec in[] = {{"buurten", gpkg, "buurten"}};
    lb_status st = score(t->ctx, model, in, 1, NULL, out);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(t->ctx));
    assert_int_equal(st, LB_OK);
    /* 250 and 280 stay; 310 and 420 are codes; 230 is out of range */
    const char *codes[] = {"BU99990001", "BU99990101", "BU99990002", "BU99990102", "BU99990105"};
    const double want[] = {250, 280, NAN, NAN, NAN};
    for (size_t k = 0; k < 5; k++) {
        double x = row_value(scores, "buurten", "BU_CODE", codes[k], "x_value", NULL, 0);
        if (isnan(want[k]))
            assert_true(isnan(x));
        else
            assert_near(x, want[k], 0);
    }
    char rj[400];
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    struct json_object *doc = json_object_from_file(rj);
    assert_true(has_warning(doc, "'value'", "gemiddelde_woningwaarde", "valid [240, 300]",
                            "BU99990105 = 230", NULL));
    assert_false(has_warning(doc, "BU99990002 = 310", NULL));
    json_object_put(doc);

    /* a reversed range is an error naming the line */
    lb_test_write_text(model, "name: codes\n"
                              "dimensions: [{code: won}]\n"
                              "indicators:\n"
                              "  - {id: v, dimension: won, kind: attribute, layer: buurten,\n"
                              "     field: x, valid: [5, 1], coef: 1}\n");
    lb_model *m = NULL;
    assert_int_equal(lb_model_load(t->ctx, model, &m), LB_ERR_MODEL);
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), "'valid'"));
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), ":5:"));
}

/* --where buurten="wijkcode = 'WK999900'": only that wijk's buurten are read and scored, the
 * reference is their population; a bad expression and an unbound name are errors. */
static void test_kwb_where(void **state)
{
    lb_test_dir *t = *state;
    char gpkg[320], out[320], model[600], rj[400];
    snprintf(gpkg, sizeof(gpkg), "%s/where.gpkg", t->dir);
    snprintf(out, sizeof(out), "%s/out-where", t->dir);
    snprintf(model, sizeof(model), "%s/models/kwb-area.yaml", getenv("LB_SOURCE_ROOT"));
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    write_kwb(gpkg, "buurten", &kwb2023, 1);
    const lb_input_spec in[] = {{"buurten", gpkg, "buurten"}};
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = 1;
    o.mode = LB_MODE_AREA;
    o.outdir = out;
    lb_where_spec w = {"buurten", "wijkcode = 'WK999900'"};
    o.wheres = &w;
    o.n_wheres = 1;
    lb_status st = lb_score_exec(t->ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(t->ctx));
    assert_int_equal(st, LB_OK);
    struct json_object *doc = json_object_from_file(rj), *a = NULL, *v = NULL;
    assert_int_equal(count_of(doc, "units"), 3);
    assert_int_equal(count_of(doc, "scored_units"), 2); /* BU99990003 has no inhabitants */
    assert_true(json_object_object_get_ex(doc, "inputs", &a));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(a, 0), "where", &v));
    assert_string_equal(json_object_get_string(v), w.where);
    json_object_put(doc);
    /* two scored buurten, weights 1200 and 800: each z-score is ±sqrt(w_other / w_self) */
    char scores[400];
    snprintf(scores, sizeof(scores), "%s/scores.gpkg", out);
    double won1 = row_value(scores, "buurten", "BU_CODE", "BU99990001", "won", NULL, 0);
    double won2 = row_value(scores, "buurten", "BU_CODE", "BU99990002", "won", NULL, 0);
    assert_near(1200 * won1 + 800 * won2, 0.0, 1e-12);
    /* the three won indicators: WOZ and koopwoningen higher in 2, corporation rent lower */
    double z1 = -sqrt(800.0 / 1200.0);
    assert_near(won1, (0.04 + 0.025 - 0.02 * -1) * z1, 1e-12);

    char out2[320];
    snprintf(out2, sizeof(out2), "%s/out-where-bad", t->dir);
    o.outdir = out2;
    w.where = "nosuchfield = 1";
    assert_int_equal(lb_score_exec(t->ctx, &o), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), "nosuchfield"));
    w.input = "wijken";
    w.where = "1 = 1";
    assert_int_equal(lb_score_exec(t->ctx, &o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(t->ctx), "--where wijken"));
    struct stat sb;
    assert_int_not_equal(stat(out2, &sb), 0);
}

/* Special values and code fields, one by one. */
static void test_kwb_special_values_and_codes(void **state)
{
    (void)state;
    const double special[] = {-99997, -99995, -99991, -99999997, -99999998, -99999999};
    for (size_t k = 0; k < sizeof(special) / sizeof(special[0]); k++)
        assert_true(lb_io_is_cbs_sentinel(special[k]));
    const double numbers[] = {0, -1, -99996, -99998, -9999, 99997, -99999996};
    for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++)
        assert_false(lb_io_is_cbs_sentinel(numbers[k]));
    assert_int_equal(lb_core_code_field_level("buurtcode"), LB_CODE_BUURT);
    assert_int_equal(lb_core_code_field_level("BU_CODE"), LB_CODE_BUURT);
    assert_int_equal(lb_core_code_field_level("WijkCode"), LB_CODE_WIJK);
    assert_int_equal(lb_core_code_field_level("gemeentecode"), LB_CODE_GEMEENTE);
    assert_int_equal(lb_core_code_field_level("buurtnaam"), LB_CODE_NONE);
    const char *f2023[] = {"buurtnaam", "wijkcode", "gemeentecode", "buurtcode", "water"};
    assert_int_equal(lb_core_code_field_find(f2023, 5), 3);
    const char *fwijk[] = {"gemeentecode", "wijknaam", "wijkcode"};
    assert_int_equal(lb_core_code_field_find(fwijk, 3), 2);
    const char *fams[] = {"id", "naam", "code"};
    assert_int_equal(lb_core_code_field_find(fams, 3), 2); /* CODE before id */
    const char *none[] = {"naam", "aantal_inwoners"};
    assert_int_equal(lb_core_code_field_find(none, 2), -1);
}

static int setup(void **state)
{
    return lb_test_dir_setup(state, "kwb");
}

static int teardown(void **state)
{
    return lb_test_dir_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kwb_special_values_and_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kwb_2023_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kwb_2017_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kwb_wijk_layer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kwb_no_code_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kwb_missing_codes_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kwb_where, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
