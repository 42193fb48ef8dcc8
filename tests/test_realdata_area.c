/* SPDX-License-Identifier: MIT */
/* Area mode and input conventions on the real Dutch data in ../shared/data (never committed;
 * every test skips when its folder is absent): nearest station and school per Amsterdam buurt
 * and accidents per Alkmaar wijk against brute force with GEOS, the Schiedam TopoJSON, CBS
 * sentinels in the KWB DBF, StatLine CSV exports and stations at (0,0) or abroad. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "io/vector.h"
#include "score/score.h"

#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <geos_c.h>
#include <json-c/json.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char shared[512];
    char models[512];
    char tmp[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    const char *shared = getenv("LB_SHARED_DATA");
    snprintf(f->shared, sizeof(f->shared), "%s", shared ? shared : "../shared/data");
    snprintf(f->models, sizeof(f->models), "%s/realdata", getenv("LB_TEST_DATA"));
    if (lb_test_tmpdir(f->tmp, sizeof(f->tmp), "realarea") != 0) {
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

static int have(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- brute force: OGR reads and reprojects, GEOS measures ------------------------------ */

typedef struct geoms {
    size_t n;
    GEOSGeometry **g;
    char **id;
} geoms;

/* All features of @p path (layer @p layer or the first; attribute filter @p where) as GEOS
 * geometries in RD New, with the text of field @p id_field (may be NULL). */
static geoms read_geoms(GEOSContextHandle_t h, const char *path, const char *layer,
                        const char *where, const char *id_field)
{
    geoms gs = {0};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = layer ? GDALDatasetGetLayerByName(ds, layer) : GDALDatasetGetLayer(ds, 0);
    assert_non_null(l);
    if (where)
        assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    OGRSpatialReferenceH rd = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(rd, 28992), OGRERR_NONE);
    OSRSetAxisMappingStrategy(rd, OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReferenceH src = OSRClone(OGR_L_GetSpatialRef(l));
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, rd);
    assert_non_null(ct);
    size_t cap = (size_t)OGR_L_GetFeatureCount(l, 1) + 1;
    gs.g = calloc(cap, sizeof(*gs.g));
    gs.id = calloc(cap, sizeof(*gs.id));
    OGRFeatureH ft;
    while ((ft = OGR_L_GetNextFeature(l)) != NULL) {
        OGRGeometryH g = OGR_G_Clone(OGR_F_GetGeometryRef(ft));
        assert_int_equal(OGR_G_Transform(g, ct), OGRERR_NONE);
        size_t sz = (size_t)OGR_G_WkbSize(g);
        unsigned char *wkb = malloc(sz);
        OGR_G_ExportToWkb(g, wkbNDR, wkb);
        assert_true(gs.n < cap);
        gs.g[gs.n] = GEOSGeomFromWKB_buf_r(h, wkb, sz);
        assert_non_null(gs.g[gs.n]);
        if (id_field)
            gs.id[gs.n] = strdup(OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, id_field)));
        gs.n++;
        free(wkb);
        OGR_G_DestroyGeometry(g);
        OGR_F_Destroy(ft);
    }
    OCTDestroyCoordinateTransformation(ct);
    OSRRelease(src);
    OSRRelease(rd);
    GDALClose(ds);
    return gs;
}

static void free_geoms(GEOSContextHandle_t h, geoms *gs)
{
    for (size_t i = 0; i < gs->n; i++) {
        GEOSGeom_destroy_r(h, gs->g[i]);
        free(gs->id[i]);
    }
    free(gs->g);
    free(gs->id);
}

/* Reference mean M_d of dimension @p dim in run.json. */
static double ref_mean(const char *run_json, const char *dim)
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

/* Dimension @p dim per unit id from the units layer of scores.gpkg, by id field @p id_field.
 * Returns the value for @p id (NaN when missing). */
static double unit_value(const char *gpkg, const char *layer, const char *id_field, const char *id,
                         const char *dim)
{
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(l);
    char where[256];
    snprintf(where, sizeof(where), "\"%s\" = '%s'", id_field, id);
    assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    OGRFeatureH ft = OGR_L_GetNextFeature(l);
    assert_non_null(ft);
    int i = OGR_F_GetFieldIndex(ft, dim);
    double v = OGR_F_IsFieldSetAndNotNull(ft, i) ? OGR_F_GetFieldAsDouble(ft, i) : NAN;
    OGR_F_Destroy(ft);
    GDALClose(ds);
    return v;
}

static lb_status score_area(lb_ctx *ctx, const char *model, const lb_input_spec *in, size_t n,
                            const char *units, const char *id_field, const lb_join_spec *j,
                            const char *out)
{
    lb_score_options o;
    lb_score_options_init(&o);
    o.model_path = model;
    o.inputs = in;
    o.n_inputs = n;
    o.units = units;
    o.id_field = id_field;
    o.mode = LB_MODE_AREA;
    o.joins = j;
    o.n_joins = j ? 1 : 0;
    o.outdir = out;
    lb_status st = lb_score_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    return st;
}

/* Nearest station (POI rail_stations) and secondary school per Amsterdam buurt, from each
 * buurt's point on surface, against GEOS distances to every candidate point. */
static void test_realdata_area_amsterdam_distances(void **state)
{
    fixture *f = *state;
    char buurten[700], poi[700], schools[700], model[700], out[600], gpkg[700], rj[700];
    snprintf(buurten, sizeof(buurten), "%s/amsterdam-gebieden-2022/buurten.geojson", f->shared);
    snprintf(poi, sizeof(poi), "%s/amsterdam-gebieden-2022/amsterdam_poi.gpkg", f->shared);
    snprintf(schools, sizeof(schools), "%s/nl-poi-citysdk/vo_schools_2013.geojson", f->shared);
    if (!have(buurten) || !have(poi) || !have(schools))
        skip();
    snprintf(model, sizeof(model), "%s/amsterdam-area.yaml", f->models);
    snprintf(out, sizeof(out), "%s/amsterdam", f->tmp);
    snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", out);
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {
        {"buurten", buurten, NULL}, {"poi", poi, "poi_points"}, {"schools", schools, NULL}};
    assert_int_equal(score_area(ctx, model, in, 3, NULL, NULL, NULL, out), LB_OK);
    double m_station = ref_mean(rj, "vrz"), m_school = ref_mean(rj, "bev");

    GEOSContextHandle_t h = GEOS_init_r();
    geoms units = read_geoms(h, buurten, NULL, NULL, "code");
    geoms stations = read_geoms(h, poi, "poi_points", "category = 'rail_stations'", NULL);
    geoms vo = read_geoms(h, schools, NULL, NULL, NULL);
    assert_int_equal(units.n, 518);
    assert_int_equal(stations.n, 230);
    assert_int_equal(vo.n, 507);
    double max_err = 0.0, sum_station = 0.0;
    for (size_t u = 0; u < units.n; u++) {
        GEOSGeometry *p = GEOSPointOnSurface_r(h, units.g[u]);
        assert_non_null(p);
        double best_s = INFINITY, best_v = INFINITY, d;
        for (size_t k = 0; k < stations.n; k++) {
            assert_int_equal(GEOSDistance_r(h, p, stations.g[k], &d), 1);
            best_s = fmin(best_s, d);
        }
        for (size_t k = 0; k < vo.n; k++) {
            assert_int_equal(GEOSDistance_r(h, p, vo.g[k], &d), 1);
            best_v = fmin(best_v, d);
        }
        GEOSGeom_destroy_r(h, p);
        best_s = fmin(best_s, 5000.0);
        best_v = fmin(best_v, 20000.0);
        /* dimension score + reference mean = the raw distance (coef 1, no transform); the
         * output keeps 6 decimals */
        double got_s = unit_value(gpkg, "buurten", "code", units.id[u], "vrz") + m_station;
        double got_v = unit_value(gpkg, "buurten", "code", units.id[u], "bev") + m_school;
        assert_near(got_s, best_s, 1e-5);
        assert_near(got_v, best_v, 1e-5);
        max_err = fmax(max_err, fmax(fabs(got_s - best_s), fabs(got_v - best_v)));
        sum_station += best_s;
    }
    print_message("amsterdam: %zu buurten, mean distance to a rail/metro stop %.1f m, max "
                  "|error| %.2g m\n",
                  units.n, sum_station / (double)units.n, max_err);
    free_geoms(h, &units);
    free_geoms(h, &stations);
    free_geoms(h, &vo);
    GEOS_finish_r(h);
    lb_ctx_destroy(ctx);
}

/* Accidents per Alkmaar wijk (inside, boundary included) against GEOS point-in-polygon, with
 * AANT_INW and P_65_EO_JR from the CBS wijk table of 2017 joined on the wijk code. */
static void test_realdata_area_alkmaar_accidents(void **state)
{
    fixture *f = *state;
    char wijken[700], acc[700], dbf[700], model[700], out[600], gpkg[700], rj[700];
    snprintf(wijken, sizeof(wijken), "%s/alkmaar-schoolzones/wijken.geojson", f->shared);
    snprintf(acc, sizeof(acc), "%s/alkmaar-schoolzones/accidents.geojson", f->shared);
    snprintf(dbf, sizeof(dbf), "%s/cbs-kwb-wijk-dbf/wijk_2017.dbf", f->shared);
    if (!have(wijken) || !have(acc) || !have(dbf))
        skip();
    snprintf(model, sizeof(model), "%s/alkmaar-area.yaml", f->models);
    snprintf(out, sizeof(out), "%s/alkmaar", f->tmp);
    snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", out);
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {
        {"wijken", wijken, NULL}, {"accidents", acc, NULL}, {"kwb", dbf, NULL}};
    const lb_join_spec j = {"kwb", "WK_CODE", "wijkCode"};
    assert_int_equal(score_area(ctx, model, in, 3, "wijken", "wijkCode", &j, out), LB_OK);
    double m_vei = ref_mean(rj, "vei"), m_bev = ref_mean(rj, "bev");
    struct json_object *doc = json_object_from_file(rj), *opt = NULL, *jj = NULL;
    assert_true(json_object_object_get_ex(doc, "options", &opt));
    assert_true(json_object_object_get_ex(opt, "joins", &jj));
    assert_int_equal(json_object_array_length(jj), 1);
    json_object_put(doc);

    GEOSContextHandle_t h = GEOS_init_r();
    geoms w = read_geoms(h, wijken, NULL, NULL, "wijkCode");
    geoms pts = read_geoms(h, acc, NULL, NULL, NULL);
    assert_int_equal(w.n, 8);
    assert_int_equal(pts.n, 5085);
    size_t total = 0;
    for (size_t u = 0; u < w.n; u++) {
        size_t n = 0;
        for (size_t k = 0; k < pts.n; k++)
            n += GEOSIntersects_r(h, w.g[u], pts.g[k]) == 1;
        total += n;
        double got = unit_value(gpkg, "wijken", "WK_CODE", w.id[u], "vei") + m_vei;
        assert_near(got, (double)n, 1e-5);
        print_message("alkmaar %s: %zu accidents\n", w.id[u], n);
    }
    assert_true(total > 0);
    /* Overdie WK036103 in the 2017 table: 7775 inhabitants, P_65_EO_JR read by GDAL. */
    assert_near(unit_value(gpkg, "wijken", "WK_CODE", "WK036103", "weight"), 7775, 0);
    GDALDatasetH ds = GDALOpenEx(dbf, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGR_L_SetAttributeFilter(l, "WK_CODE = 'WK036103'");
    OGRFeatureH ft = OGR_L_GetNextFeature(l);
    assert_non_null(ft);
    double p65 = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "P_65_EO_JR"));
    OGR_F_Destroy(ft);
    GDALClose(ds);
    assert_near(unit_value(gpkg, "wijken", "WK_CODE", "WK036103", "bev") + m_bev, p65, 1e-5);
    /* the accidents outside the wijken's extent are reported, with a count */
    int reported = 0;
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        reported |= strstr(lb_ctx_warning(ctx, i), "accidents.geojson") &&
                    strstr(lb_ctx_warning(ctx, i), "outside the run's extent");
    assert_true(reported);
    free_geoms(h, &w);
    free_geoms(h, &pts);
    GEOS_finish_r(h);
    lb_ctx_destroy(ctx);
}

/* The Schiedam TopoJSON has no CRS member: read as WGS84 and reprojected, 52 buurten. */
static void test_realdata_area_schiedam_topojson(void **state)
{
    fixture *f = *state;
    char path[700];
    snprintf(path, sizeof(path), "%s/schiedam-webmapper/buurten-schiedam.topojson", f->shared);
    if (!have(path))
        skip();
    lb_ctx *ctx = lb_test_ctx();
    lb_source src = {"buurten", path, NULL, NULL};
    lb_vlayer *l = NULL;
    lb_status st = lb_vlayer_read(ctx, &src, NULL, &l);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_int_equal(l->n, 52);
    assert_int_equal(l->kind, LB_GEOM_POLYGON);
    /* Schiedam lies within RD x 83683..88397, y 434760..442120 (the file's lon/lat extent
     * 4.351057..4.418099 E, 51.896785..51.963513 N through cs2cs) */
    assert_true(l->xmin > 83000 && l->xmax < 89000 && l->ymin > 434000 && l->ymax < 443000);
    double total = 0.0;
    for (size_t i = 0; i < l->n; i++) {
        assert_true(l->area_m2[i] > 0.0);
        total += l->area_m2[i];
    }
    /* the gemeente Schiedam covers about 19.9 km² (land and water) */
    assert_true(total > 15e6 && total < 22e6);
    print_message("schiedam: %zu buurten, %.2f km²\n", l->n, total / 1e6);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

/* CBS sentinels −99999997/8/9 in the KWB wijk table become missing and are counted: compare
 * with a scan of the raw integers through GDAL. */
static void test_realdata_area_kwb_sentinels(void **state)
{
    fixture *f = *state;
    char path[700];
    snprintf(path, sizeof(path), "%s/cbs-kwb-wijk-dbf/wijk_2016.dbf", f->shared);
    if (!have(path))
        skip();
    lb_ctx *ctx = lb_test_ctx();
    lb_source src = {"kwb", path, NULL, NULL};
    lb_vlayer *t = NULL;
    assert_int_equal(lb_vlayer_read_table(ctx, &src, &t), LB_OK);
    assert_int_equal(t->kind, LB_GEOM_NONE);
    assert_int_equal(t->n, 2981);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    size_t total = 0;
    for (size_t k = 0; k < t->n_fields; k++) {
        const lb_field *fl = &t->fields[k];
        if (fl->is_string)
            continue;
        size_t n_sent = 0, row = 0, misplaced = 0;
        OGRFeatureH ft;
        OGR_L_ResetReading(l);
        int idx = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), fl->name);
        while ((ft = OGR_L_GetNextFeature(l)) != NULL) {
            double v = OGR_F_GetFieldAsDouble(ft, idx);
            int sent = v == -99999997.0 || v == -99999998.0 || v == -99999999.0;
            int null = !OGR_F_IsFieldSetAndNotNull(ft, idx);
            n_sent += sent || null;
            misplaced += (sent || null) != (isnan(fl->num[row]) != 0);
            row++;
            OGR_F_Destroy(ft);
        }
        assert_int_equal(misplaced, 0);
        assert_int_equal(fl->n_missing, n_sent);
        total += n_sent;
    }
    GDALClose(ds);
    assert_true(total > 0);
    print_message("wijk_2016.dbf: %zu missing values (sentinels) over %zu fields\n", total,
                  t->n_fields);
    lb_vlayer_destroy(t);
    lb_ctx_destroy(ctx);
}

/* The CBS wijk table of 2017 as the Wijk- en Buurtkaart shapefile of that year would be: every
 * field of wijk_2017.dbf, with a 100 m square per wijk standing in for the geometry the
 * snapshot lacks. Scored in area mode with a model on its population block (valid ranges
 * declared), keyed by WK_CODE without --id-field: no CBS special value (-99999999 here)
 * enters a raw value or a score, the 88 water-only rows are left out and counted, codes are
 * kept, and the deviations average 0 (per_year reference). */
static void test_realdata_area_kwb_wijk_2017(void **state)
{
    fixture *f = *state;
    char dbf[700], gpkg[400], model[400], out[400], scores[500], rj[500];
    snprintf(dbf, sizeof(dbf), "%s/cbs-kwb-wijk-dbf/wijk_2017.dbf", f->shared);
    if (!have(dbf))
        skip();
    snprintf(gpkg, sizeof(gpkg), "%s/wijk_2017.gpkg", f->tmp);
    snprintf(model, sizeof(model), "%s/bev.yaml", f->tmp);
    snprintf(out, sizeof(out), "%s/kwb2017", f->tmp);
    snprintf(scores, sizeof(scores), "%s/scores.gpkg", out);
    snprintf(rj, sizeof(rj), "%s/run.json", out);
    GDALAllRegister();
    GDALDatasetH src = GDALOpenEx(dbf, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(src);
    OGRLayerH sl = GDALDatasetGetLayer(src, 0);
    GDALDatasetH dst = GDALCreate(GDALGetDriverByName("GPKG"), gpkg, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(dst);
    OGRSpatialReferenceH rd = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(rd, 28992), OGRERR_NONE);
    OGRLayerH dl = GDALDatasetCreateLayer(dst, "wijken", rd, wkbPolygon, NULL);
    OGRFeatureDefnH sd = OGR_L_GetLayerDefn(sl);
    for (int i = 0; i < OGR_FD_GetFieldCount(sd); i++)
        assert_int_equal(OGR_L_CreateField(dl, OGR_FD_GetFieldDefn(sd, i), 1), OGRERR_NONE);
    assert_int_equal(OGR_L_StartTransaction(dl), OGRERR_NONE);
    OGRFeatureH ft;
    size_t n = 0, n_water = 0, n_pop = 0;
    while ((ft = OGR_L_GetNextFeature(sl)) != NULL) {
        OGRFeatureH nf = OGR_F_Create(OGR_L_GetLayerDefn(dl));
        assert_int_equal(OGR_F_SetFrom(nf, ft, 1), OGRERR_NONE);
        double x0 = 100000.0 + 100.0 * (double)(n % 60), y0 = 400000.0 + 100.0 * (double)(n / 60);
        char wkt[200], *p = wkt;
        snprintf(wkt, sizeof(wkt), "POLYGON((%g %g,%g %g,%g %g,%g %g,%g %g))", x0, y0, x0 + 100, y0,
                 x0 + 100, y0 + 100, x0, y0 + 100, x0, y0);
        OGRGeometryH g = NULL;
        assert_int_equal(OGR_G_CreateFromWkt(&p, rd, &g), OGRERR_NONE);
        OGR_F_SetGeometryDirectly(nf, g);
        assert_int_equal(OGR_L_CreateFeature(dl, nf), OGRERR_NONE);
        int water = strcmp(OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "WATER")), "JA") == 0;
        double inw = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "AANT_INW"));
        n_water += water;
        n_pop += !water && inw >= 1;
        OGR_F_Destroy(nf);
        OGR_F_Destroy(ft);
        n++;
    }
    assert_int_equal(OGR_L_CommitTransaction(dl), OGRERR_NONE);
    OSRRelease(rd);
    GDALClose(dst);
    assert_int_equal(n, 3159);
    assert_int_equal(n_water, 88);
    lb_test_write_text(model, "name: kwb-bev-2017\n"
                              "reference: {mode: per_year, ref: 4.10}\n"
                              "weight: {kind: inhabitants, layer: wijken, field: AANT_INW}\n"
                              "dimensions: [{code: bev, label: Bevolking}]\n"
                              "indicators:\n"
                              "  - {id: seniors, dimension: bev, kind: attribute, layer: wijken,\n"
                              "     field: P_65_EO_JR, valid: [0, 100], transform: zscore,\n"
                              "     coef: -0.01}\n"
                              "  - {id: single, dimension: bev, kind: attribute, layer: wijken,\n"
                              "     field: P_EENP_HH, valid: [0, 100], transform: zscore,\n"
                              "     coef: -0.02}\n"
                              "  - {id: hh_size, dimension: bev, kind: attribute, layer: wijken,\n"
                              "     field: GEM_HH_GR, valid: [0, 20], transform: zscore,\n"
                              "     coef: 0.015}\n");
    lb_ctx *ctx = lb_test_ctx();
    const lb_input_spec in[] = {{"wijken", gpkg, "wijken"}};
    assert_int_equal(score_area(ctx, model, in, 1, NULL, NULL, NULL, out), LB_OK);

    /* every output row against its DBF row, by code (the DBF read once into memory) */
    static const char *const fields[] = {"P_65_EO_JR", "P_EENP_HH", "GEM_HH_GR"};
    static const char *const xs[] = {"x_seniors", "x_single", "x_hh_size"};
    char(*codes)[16] = calloc(n, sizeof(*codes));
    double(*vals)[5] = calloc(n, sizeof(*vals)); /* 3 fields, AANT_INW, water */
    assert_non_null(codes);
    assert_non_null(vals);
    OGR_L_ResetReading(sl);
    for (size_t k = 0; (ft = OGR_L_GetNextFeature(sl)) != NULL; k++) {
        snprintf(codes[k], sizeof(codes[k]), "%s",
                 OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "WK_CODE")));
        for (size_t j = 0; j < 3; j++)
            vals[k][j] = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, fields[j]));
        vals[k][3] = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "AANT_INW"));
        vals[k][4] =
            strcmp(OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "WATER")), "JA") == 0;
        OGR_F_Destroy(ft);
    }
    GDALDatasetH ds = GDALOpenEx(scores, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH ol = GDALDatasetGetLayerByName(ds, "wijken");
    assert_non_null(ol);
    assert_int_equal(OGR_L_GetFeatureCount(ol, 1), 3159);
    size_t scored = 0, missing = 0, sentinels = 0;
    double sw = 0.0, swd = 0.0;
    while ((ft = OGR_L_GetNextFeature(ol)) != NULL) {
        const char *code = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "WK_CODE"));
        assert_int_equal(strncmp(code, "WK", 2), 0);
        size_t row = 0;
        while (row < n && strcmp(codes[row], code) != 0)
            row++;
        assert_true(row < n);
        int il = OGR_F_GetFieldIndex(ft, "lbm");
        int is_scored = OGR_F_IsFieldSetAndNotNull(ft, il);
        if (vals[row][4] != 0.0) {
            assert_false(is_scored);
            assert_int_equal(OGR_F_GetFieldAsInteger(ft, OGR_F_GetFieldIndex(ft, "flags")), 8);
        }
        if (is_scored) {
            scored++;
            double w = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "weight"));
            assert_near(w, vals[row][3], 0);
            sw += w;
            swd += w * OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "bev"));
            for (size_t k = 0; k < 3; k++) {
                double v = vals[row][k];
                int ix = OGR_F_GetFieldIndex(ft, xs[k]);
                if (v == -99999999.0 || v == -99999998.0 || v == -99999997.0) {
                    sentinels++;
                    assert_false(OGR_F_IsFieldSetAndNotNull(ft, ix));
                    missing++;
                } else {
                    assert_near(OGR_F_GetFieldAsDouble(ft, ix), v, 1e-9);
                }
            }
        }
        OGR_F_Destroy(ft);
    }
    free(codes);
    free(vals);
    GDALClose(ds);
    GDALClose(src);
    assert_int_equal(scored, n_pop);
    assert_near(swd / sw, 0.0, 1e-12);
    struct json_object *doc = json_object_from_file(rj), *c = NULL, *v = NULL, *opt = NULL;
    assert_true(json_object_object_get_ex(doc, "counts", &c));
    assert_true(json_object_object_get_ex(c, "units_water", &v));
    assert_int_equal(json_object_get_int(v), 88);
    assert_true(json_object_object_get_ex(c, "scored_units", &v));
    assert_int_equal((size_t)json_object_get_int(v), n_pop);
    assert_true(json_object_object_get_ex(doc, "options", &opt));
    assert_true(json_object_object_get_ex(opt, "id_field", &v));
    assert_string_equal(json_object_get_string(v), "WK_CODE");
    json_object_put(doc);
    print_message("wijk_2017: %zu wijken, %zu water-only left out, %zu scored; %zu special "
                  "values in the scored wijken, all missing (%zu)\n",
                  n, n_water, scored, sentinels, missing);
    lb_ctx_destroy(ctx);
}

static const lb_field *field_of(const lb_vlayer *t, const char *name)
{
    for (size_t i = 0; i < t->n_fields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    fail_msg("no field '%s'", name);
    return NULL;
}

static size_t row_of(const lb_vlayer *t, const lb_field *code, const char *value)
{
    for (size_t i = 0; i < t->n; i++)
        if (code->str[i] && strcmp(code->str[i], value) == 0)
            return i;
    fail_msg("no row '%s'", value);
    return 0;
}

/* The StatLine SES-WOA export: BOM, ';', quotes, codes padded to 10 ("GM0363    "), "."
 * for missing. Cells checked by hand against the file. The transposed "tabelindeling" export
 * is refused with a message saying which export to take. */
static void test_realdata_area_statline(void **state)
{
    fixture *f = *state;
    char ses[700], nab[700];
    snprintf(ses, sizeof(ses), "%s/cbs-statline-samples/ses_woa_2019_amsterdam.csv", f->shared);
    snprintf(nab, sizeof(nab), "%s/cbs-statline-samples/nabijheid_2021_aa_en_hunze.csv", f->shared);
    if (!have(ses) || !have(nab))
        skip();
    lb_ctx *ctx = lb_test_ctx();
    lb_source src = {"ses", ses, NULL, NULL};
    lb_vlayer *t = NULL;
    assert_int_equal(lb_vlayer_read_table(ctx, &src, &t), LB_OK);
    assert_int_equal(t->n, 579);
    const lb_field *code = field_of(t, "Regiocode (gemeente, wijk, buurt) (code)");
    const lb_field *hh = field_of(t, "Particuliere huishoudens (Aantal)");
    const lb_field *laag = field_of(t, "Opleidingsniveau/Laag/Waarde (%)");
    const lb_field *score = field_of(t, "SES-WOA/Totaalscore/Gemiddelde score (Getal)");
    assert_string_equal(code->str[0], "GM0363"); /* the padding is gone */
    assert_near(hh->num[0], 457400, 0);
    assert_near(laag->num[0], 20.8, 1e-12);
    assert_near(score->num[0], -0.100, 1e-12);
    size_t r = row_of(t, code, "WK036300"); /* Burgwallen-Oude Zijde */
    assert_near(hh->num[r], 2900, 0);
    assert_near(score->num[r], -0.022, 1e-12);
    r = row_of(t, code, "BU03630000"); /* Kop Zeedijk */
    assert_near(laag->num[r], 12.4, 1e-12);
    assert_near(score->num[r], 0.045, 1e-12);
    r = row_of(t, code, "BU03639801"); /* Landelijk gebied Driemond: "." */
    assert_near(hh->num[r], 0, 0);
    assert_true(isnan(laag->num[r]));
    assert_true(isnan(score->num[r]));
    assert_true(score->n_missing > 0);
    lb_vlayer_destroy(t);

    lb_source tsrc = {"nabijheid", nab, NULL, NULL};
    t = NULL;
    assert_int_equal(lb_vlayer_read_table(ctx, &tsrc, &t), LB_ERR_DATA);
    assert_null(t);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "table layout"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "CSV met statistische symbolen"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "nabijheid_2021_aa_en_hunze.csv"));
    lb_ctx_destroy(ctx);
}

/* NS stations at (0,0) or abroad: reported once with a count that matches a brute-force check
 * of the reprojected points against the RD envelope of the Netherlands, and skipped. */
static void test_realdata_area_bad_points(void **state)
{
    fixture *f = *state;
    char path[700];
    snprintf(path, sizeof(path), "%s/nl-poi-citysdk/ns_stations.geojson", f->shared);
    if (!have(path))
        skip();
    GEOSContextHandle_t h = GEOS_init_r();
    geoms all = read_geoms(h, path, NULL, NULL, NULL);
    size_t outside = 0;
    for (size_t i = 0; i < all.n; i++) {
        double x, y;
        assert_int_equal(GEOSGeomGetX_r(h, all.g[i], &x), 1);
        assert_int_equal(GEOSGeomGetY_r(h, all.g[i], &y), 1);
        outside += !(x >= -10000 && x <= 300000 && y >= 280000 && y <= 640000);
    }
    size_t n_all = all.n;
    free_geoms(h, &all);
    GEOS_finish_r(h);
    assert_true(outside > 0);

    lb_ctx *ctx = lb_test_ctx();
    lb_source src = {"stations", path, NULL, NULL};
    lb_vlayer *l = NULL;
    size_t nw = lb_ctx_warning_count(ctx);
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_OK);
    assert_int_equal(l->n_outside, outside);
    assert_int_equal(l->n, n_all - outside);
    assert_int_equal(lb_ctx_warning_count(ctx), nw + 1);
    char expect[64];
    snprintf(expect, sizeof(expect), "%zu point(s) lie outside the Netherlands", outside);
    assert_non_null(strstr(lb_ctx_warning(ctx, nw), expect));
    assert_non_null(strstr(lb_ctx_warning(ctx, nw), "ns_stations.geojson"));
    assert_non_null(strstr(lb_ctx_warning(ctx, nw), "(features "));
    print_message("ns_stations: %zu of %zu outside the Netherlands\n", outside, n_all);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_realdata_area_amsterdam_distances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_area_alkmaar_accidents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_area_schiedam_topojson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_area_kwb_sentinels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_area_kwb_wijk_2017, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_area_statline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_realdata_area_bad_points, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
