/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the run.json readers on arbitrary bytes as the run.json of a run
 * directory: lb_scoreset_read on the run (src/scores/scoreset.c: tool, options, model,
 * reference means per year, indicators; the units or grid layer of a fixed scores.gpkg made
 * here), lb_io_reference_read (src/io/runjson.c: the reference for --reference) with the tiny
 * model, and the diagnosis of what was read (indicator contributions included). */
#include "fuzz_dx.h"

#include "io/runjson.h"
#include "lb_config.h"
#include "scores/scoreset.h"

#include <gdal_utils.h>
#include <math.h>
#include <sys/stat.h>

static char run_dir[128], json_path[160];
static lb_model *model;

/* The units layer of the tests/data/tiny run (columns as `leefbaar score` writes them) over
 * two years, and a grid layer; in EPSG:28992. NaN is written as null. */
typedef struct unit {
    const char *code, *name;
    int year;
    double lbm, afw, won, vrz, pub, weight, x0, y0;
} unit;
static const unit units[] = {
    {"BU00010001", "Noord-West", 2020, 4.45, 0.35, 0.3, 0.03, 0.02, 1000, 150000, 450000},
    {"BU00010002", "Noord-Oost", 2020, 4.0, -0.1, -0.05, -0.03, -0.02, 500, 150000, 450500},
    {"BU00010003", "Zuid-West", 2020, 3.9, -0.2, -0.1, -0.05, -0.05, 2000, 150500, 450000},
    {"BU00010001", "Noord-West", 2022, 4.5, 0.4, 0.3, 0.03, 0.06, 1000, 150000, 450000},
    {"BU00010002", "Noord-Oost", 2022, 3.8, -0.3, -0.15, -0.1, -0.05, 500, 150000, 450500},
    {"BU00010004", "Zuid-Oost", 2022, NAN, NAN, NAN, NAN, NAN, 0, 150500, 450500},
};

static void num(char *buf, size_t size, const char *key, double v)
{
    size_t n = strlen(buf);
    if (isnan(v))
        snprintf(buf + n, size - n, ",\"%s\":null", key);
    else
        snprintf(buf + n, size - n, ",\"%s\":%.17g", key, v);
}

static char *units_geojson(void)
{
    size_t size = 8192;
    char *buf = malloc(size);
    if (!buf)
        abort();
    snprintf(buf, size, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        const unit *u = &units[i];
        size_t n = strlen(buf);
        snprintf(buf + n, size - n,
                 "%s{\"type\":\"Feature\",\"properties\":{\"BU_CODE\":\"%s\",\"BU_NAAM\":\"%s\","
                 "\"WK_CODE\":\"WK000100\",\"GM_CODE\":\"GM0001\",\"year\":%d",
                 i ? "," : "", u->code, u->name, u->year);
        num(buf, size, "lbm", u->lbm);
        num(buf, size, "afw", u->afw);
        num(buf, size, "won", u->won);
        num(buf, size, "vrz", u->vrz);
        num(buf, size, "pub", u->pub);
        num(buf, size, "weight", u->weight);
        n = strlen(buf);
        snprintf(
            buf + n, size - n,
            ",\"x_koop\":60,\"c_koop\":0.6,\"x_noise\":50,\"c_noise\":-0.5},\"geometry\":"
            "{\"type\":\"Polygon\",\"coordinates\":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}",
            u->x0, u->y0, u->x0, u->y0 + 500, u->x0 + 500, u->y0 + 500, u->x0 + 500, u->y0, u->x0,
            u->y0);
    }
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "]}");
    return buf;
}

static const char grid_geojson[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"cell_id\":\"E1500N4500\",\"year\":2020,\"lbm\":4.2,"
    "\"afw\":0.1,\"won\":0.05,\"vrz\":0.03,\"pub\":0.02},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[150000,450000],[150000,450100],"
    "[150100,450100],[150100,450000],[150000,450000]]]}}]}";

static void add_layer(const char *dst, const char *geojson, const char *name, int update)
{
    VSILFILE *fp = VSIFileFromMemBuffer("/vsimem/fuzz/layer.geojson", (GByte *)geojson,
                                        (vsi_l_offset)strlen(geojson), FALSE);
    if (!fp)
        abort();
    VSIFCloseL(fp);
    char *argv[] = {
        "-f", "GPKG", "-nln", (char *)name, "-a_srs", "EPSG:28992", update ? "-update" : NULL,
        NULL};
    GDALVectorTranslateOptions *opt = GDALVectorTranslateOptionsNew(argv, NULL);
    GDALDatasetH src = GDALOpenEx("/vsimem/fuzz/layer.geojson", GDAL_OF_VECTOR, NULL, NULL, NULL);
    GDALDatasetH out = src ? GDALVectorTranslate(dst, NULL, 1, &src, opt, NULL) : NULL;
    if (!out) {
        fprintf(stderr, "fuzz_runjson: cannot make %s: %s\n", dst, CPLGetLastErrorMsg());
        abort();
    }
    GDALClose(out);
    GDALClose(src);
    GDALVectorTranslateOptionsFree(opt);
    VSIUnlink("/vsimem/fuzz/layer.geojson");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init_gdal();
    snprintf(run_dir, sizeof(run_dir), "%s/run", fuzz_dir());
    snprintf(json_path, sizeof(json_path), "%s/run.json", run_dir);
    if (mkdir(run_dir, 0700) != 0)
        abort();
    char gpkg[192];
    snprintf(gpkg, sizeof(gpkg), "%s/scores.gpkg", run_dir);
    char *geojson = units_geojson();
    add_layer(gpkg, geojson, "buurten", 0);
    free(geojson);
    add_layer(gpkg, grid_geojson, "grid", 1);
    lb_ctx *ctx = fuzz_ctx();
    if (lb_model_load(ctx, LB_SOURCE_ROOT "/tests/data/tiny/tiny.yaml", &model) != LB_OK) {
        fprintf(stderr, "fuzz_runjson: %s\n", lb_ctx_errmsg(ctx));
        abort();
    }
    lb_ctx_destroy(ctx);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(json_path, data, size);
    lb_ctx *ctx = fuzz_ctx();
    lb_score_source src = {.path = run_dir};
    lb_scoreset *s = NULL;
    if (lb_scoreset_read(ctx, &src, 1, &s) == LB_OK) {
        double sum = 0;
        for (size_t i = 0; i < s->n_years * s->n_out * s->n_units; i++)
            sum += s->value[i];
        for (size_t i = 0; s->raw && i < s->n_years * s->n_ind * s->n_units; i++)
            sum += s->raw[i] + s->contrib[i];
        for (size_t i = 0; s->dim_mean && i < s->n_years * s->n_dims; i++)
            sum += s->dim_mean[i];
        fuzz_sink += sum;
        fuzz_diagnose(s);
    } else {
        fuzz_refused(ctx, run_dir);
    }
    lb_scoreset_destroy(s);

    lb_reference ref;
    memset(&ref, 0, sizeof(ref));
    if (lb_io_reference_read(ctx, json_path, model, &ref) == LB_OK)
        lb_reference_free(&ref);
    else
        fuzz_refused(ctx, json_path);
    lb_ctx_destroy(ctx);
    return 0;
}
