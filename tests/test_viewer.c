/* SPDX-License-Identifier: MIT */
/* leefbaar viewer: the data the page reads equal scores.gpkg read with OGR, each unit's point
 * lies inside its outline, the library is copied as it is, and the folder is all or nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include "../src/pipeline/demo.h"
#include "../src/viewer/viewer.h"

#include <gdal.h>
#include <json-c/json.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, fp) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    if (buf)
        buf[len] = '\0';
    if (n)
        *n = (size_t)len;
    return buf;
}

/* The JSON a data script assigns to window.<name>. */
static struct json_object *script_json(const char *path, const char *name)
{
    char *text = slurp(path, NULL);
    assert_non_null(text);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "window.%s = ", name);
    char *start = strstr(text, prefix);
    assert_non_null(start);
    start += strlen(prefix);
    char *end = strstr(start, ";\n");
    assert_non_null(end);
    *end = '\0';
    struct json_object *o = json_tokener_parse(start);
    free(text);
    assert_non_null(o);
    return o;
}

/* A stand-in for the library: three small files that the viewer copies byte for byte. */
static void fake_lib(const char *dir)
{
    static const char *const names[] = {"maplibre-gl.js", "maplibre-gl.css", "LICENSE.txt"};
    assert_int_equal(mkdir(dir, 0777), 0);
    for (size_t i = 0; i < 3; i++) {
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        fprintf(fp, "/* stand-in %zu: %s */\n", i, names[i]);
        fclose(fp);
    }
}

typedef struct fixture {
    lb_ctx *ctx;
    char dir[256];
    char lib[320], score[320], viewer[320];
} fixture;

static int setup(void **state)
{
    const char *root = getenv("LB_SOURCE_ROOT");
    if (!root)
        return 0;
    fixture *f = calloc(1, sizeof(*f));
    f->ctx = lb_test_ctx();
    assert_int_equal(lb_test_tmpdir(f->dir, sizeof(f->dir), "viewer"), 0);
    assert_int_equal(lb_demo_exec(f->ctx, root, f->dir, NULL, NULL, 0), LB_OK);
    snprintf(f->lib, sizeof(f->lib), "%s/lib", f->dir);
    snprintf(f->score, sizeof(f->score), "%s/score", f->dir);
    snprintf(f->viewer, sizeof(f->viewer), "%s/viewer", f->dir);
    fake_lib(f->lib);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f) {
        lb_test_rmtree(f->dir);
        lb_ctx_destroy(f->ctx);
        free(f);
    }
    return 0;
}

/* Every unit-year value of units.js equals the stored double of scores.gpkg's layer buurten,
 * read with OGR; a unit whose value is NULL there has no property. */
static void test_viewer_values_equal_gpkg(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    const char *runs[] = {f->score};
    assert_int_equal(lb_viewer_exec(f->ctx, runs, 1, f->viewer, f->lib, 0, NULL), LB_OK);
    char path[512];
    snprintf(path, sizeof(path), "%s/data/units.js", f->viewer);
    struct json_object *fc = script_json(path, "LB_UNITS"), *features;
    assert_true(json_object_object_get_ex(fc, "features", &features));
    size_t nf = json_object_array_length(features);
    assert_true(nf > 50);

    GDALAllRegister();
    snprintf(path, sizeof(path), "%s/scores.gpkg", f->score);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "buurten");
    assert_non_null(lyr);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    static const char *const cols[] = {"lbm", "afw", "won", "pub", "vrz", "bev", "soc", "vei"};
    size_t checked = 0, missing = 0;
    OGRFeatureH feat;
    while ((feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        const char *code = OGR_F_GetFieldAsString(feat, OGR_FD_GetFieldIndex(defn, "BU_CODE"));
        int year = OGR_F_GetFieldAsInteger(feat, OGR_FD_GetFieldIndex(defn, "year"));
        struct json_object *props = NULL;
        for (size_t i = 0; i < nf && !props; i++) {
            struct json_object *p, *c;
            json_object_object_get_ex(json_object_array_get_idx(features, i), "properties", &p);
            json_object_object_get_ex(p, "code", &c);
            if (strcmp(json_object_get_string(c), code) == 0)
                props = p;
        }
        assert_non_null(props);
        for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
            int fi = OGR_FD_GetFieldIndex(defn, cols[k]);
            assert_true(fi >= 0);
            char key[32];
            snprintf(key, sizeof(key), "%s_%d", cols[k], year);
            struct json_object *v = NULL;
            int has = json_object_object_get_ex(props, key, &v);
            if (!OGR_F_IsFieldSetAndNotNull(feat, fi)) {
                assert_false(has);
                missing++;
                continue;
            }
            assert_true(has);
            /* shortest round-trip text: the very same double */
            assert_true(json_object_get_double(v) == OGR_F_GetFieldAsDouble(feat, fi));
            checked++;
        }
        OGR_F_Destroy(feat);
    }
    GDALClose(ds);
    assert_true(checked > 800);
    assert_true(missing > 0); /* the unit with no inhabitants has no score */
    json_object_put(fc);
}

/* The point of each unit (lx, ly) lies inside its outline as written, by OGR's test. */
static void test_viewer_label_points_inside(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    const char *runs[] = {f->score};
    assert_int_equal(lb_viewer_exec(f->ctx, runs, 1, f->viewer, f->lib, 1, NULL), LB_OK);
    char path[512];
    snprintf(path, sizeof(path), "%s/data/units.js", f->viewer);
    struct json_object *fc = script_json(path, "LB_UNITS"), *features;
    json_object_object_get_ex(fc, "features", &features);
    for (size_t i = 0; i < json_object_array_length(features); i++) {
        struct json_object *ft = json_object_array_get_idx(features, i), *p, *g, *lx, *ly;
        json_object_object_get_ex(ft, "properties", &p);
        json_object_object_get_ex(ft, "geometry", &g);
        assert_true(json_object_object_get_ex(p, "lx", &lx));
        assert_true(json_object_object_get_ex(p, "ly", &ly));
        OGRGeometryH poly = OGR_G_CreateGeometryFromJson(json_object_to_json_string(g));
        assert_non_null(poly);
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(pt, 0, json_object_get_double(lx), json_object_get_double(ly));
        assert_true(OGR_G_Contains(poly, pt));
        OGR_G_DestroyGeometry(pt);
        OGR_G_DestroyGeometry(poly);
    }
    json_object_put(fc);
    /* the library travels unchanged */
    char from[512], to[512];
    snprintf(from, sizeof(from), "%s/maplibre-gl.js", f->lib);
    snprintf(to, sizeof(to), "%s/lib/maplibre-gl.js", f->viewer);
    size_t na, nb;
    char *a = slurp(from, &na), *b = slurp(to, &nb);
    assert_non_null(b);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
}

/* A library folder without LICENSE.txt is refused before anything is written; an existing
 * viewer is not replaced without overwrite, and stays as it was. */
static void test_viewer_refusals(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    char badlib[400], out[400], lic[500], page[500];
    snprintf(badlib, sizeof(badlib), "%s/badlib", f->dir);
    fake_lib(badlib);
    snprintf(lic, sizeof(lic), "%s/LICENSE.txt", badlib);
    assert_int_equal(remove(lic), 0);
    snprintf(out, sizeof(out), "%s/v2", f->dir);
    const char *runs[] = {f->score};
    assert_int_equal(lb_viewer_exec(f->ctx, runs, 1, out, badlib, 0, NULL), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(f->ctx), "LICENSE.txt"));
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);

    assert_int_equal(lb_viewer_exec(f->ctx, runs, 1, out, f->lib, 0, NULL), LB_OK);
    snprintf(page, sizeof(page), "%s/index.html", out);
    assert_int_equal(remove(page), 0); /* so that a replacement would show */
    assert_int_equal(lb_viewer_exec(f->ctx, runs, 1, out, f->lib, 0, NULL), LB_ERR_ARG);
    assert_int_not_equal(stat(page, &sb), 0);
    /* a folder that is no run */
    const char *not_run[] = {f->lib};
    assert_int_equal(lb_viewer_exec(f->ctx, not_run, 1, out, f->lib, 1, NULL), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(f->ctx), "no run folder"));
}

/* The numbers of the data: shortest text that reads back as the same double; coordinates
 * rounded to 6 decimals exactly. */
static void test_viewer_number_text(void **state)
{
    (void)state;
    static const double v[] = {0.1, 4.0999999999999996, -0.014285714285714285, 1e-300,
                               3.0, 2.0 / 3.0};
    char buf[64];
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        lb_viewer_format_number(v[i], buf, sizeof(buf));
        assert_true(strtod(buf, NULL) == v[i]);
    }
    lb_viewer_format_number(0.1, buf, sizeof(buf));
    assert_string_equal(buf, "0.1");
    lb_viewer_format_number(NAN, buf, sizeof(buf));
    assert_string_equal(buf, "null");
    char *mem = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&mem, &len);
    lb_viewer_write_coord(fp, 5.1234565);
    fputc(' ', fp);
    lb_viewer_write_coord(fp, -0.0000004);
    fputc(' ', fp);
    lb_viewer_write_coord(fp, -4.5);
    fclose(fp);
    /* 5.1234565 is stored as 5.12345649999..., so it rounds down */
    assert_string_equal(mem, "5.123456 0.000000 -4.500000");
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viewer_number_text),
        cmocka_unit_test(test_viewer_values_equal_gpkg),
        cmocka_unit_test(test_viewer_label_points_inside),
        cmocka_unit_test(test_viewer_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
