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
#include <cpl_conv.h>
#include <ogr_srs_api.h>
#include <stdint.h>
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

/* The integers of lb_viewer_put_ints' text, decoded here on their own: zigzag values in
 * 5-bit groups, lowest first, the character's index + 32 when another group follows. */
static size_t decode_ints(const char *text, size_t len, int64_t *out, size_t cap)
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
    size_t n = 0;
    uint64_t v = 0;
    int shift = 0;
    for (size_t i = 0; i < len; i++) {
        const char *at = memchr(alphabet, text[i], 64);
        assert_non_null(at);
        uint64_t c = (uint64_t)(at - alphabet);
        v |= (c & 31u) << shift;
        if (c & 32u) {
            shift += 5;
            continue;
        }
        assert_true(n < cap);
        out[n++] = (v & 1u) ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
        v = 0;
        shift = 0;
    }
    assert_int_equal(shift, 0); /* no unfinished value */
    return n;
}

/* A unit's outline ("g" of units.js) as OGR geometry, decoded here on its own: polygons, rings,
 * points as differences of 1e-6 degree, each ring closed again. */
static OGRGeometryH outline(const char *g)
{
    size_t len = strlen(g), n = 0, i = 0;
    int64_t *d = malloc((len + 1) * sizeof(int64_t)), x = 0, y = 0;
    assert_non_null(d);
    n = decode_ints(g, len, d, len + 1);
    OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (int64_t np = d[i++], p = 0; p < np; p++) {
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        for (int64_t nr = d[i++], r = 0; r < nr; r++) {
            OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
            for (int64_t k = 0, npt = d[i++]; k < npt; k++) {
                x += d[i++];
                y += d[i++];
                OGR_G_AddPoint_2D(ring, (double)x / 1e6, (double)y / 1e6);
            }
            OGR_G_CloseRings(ring);
            OGR_G_AddGeometryDirectly(poly, ring);
        }
        OGR_G_AddGeometryDirectly(mp, poly);
    }
    assert_int_equal(i, n); /* every integer used */
    free(d);
    return mp;
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

/* The text each unit's full outline has in its chunk (data/units_<key>.js), by feature id;
 * every id in exactly one chunk, the one its "k" in units.js names, and the counts META.detail
 * gives. Returns a JSON object {"<id>": "<outline text>"}. */
static struct json_object *chunk_outlines(const char *viewer, struct json_object *features)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/data/meta.js", viewer);
    struct json_object *meta = script_json(path, "LB_META"), *detail, *chunks, *out;
    assert_true(json_object_object_get_ex(meta, "detail", &detail));
    assert_true(json_object_object_get_ex(detail, "chunks", &chunks));
    out = json_object_new_object();
    for (size_t c = 0; c < json_object_array_length(chunks); c++) {
        struct json_object *ch = json_object_array_get_idx(chunks, c), *file, *units, *key;
        json_object_object_get_ex(ch, "file", &file);
        json_object_object_get_ex(ch, "units", &units);
        json_object_object_get_ex(ch, "key", &key);
        snprintf(path, sizeof(path), "%s/%s", viewer, json_object_get_string(file));
        char *text = slurp(path, NULL), prefix[128];
        assert_non_null(text);
        snprintf(prefix, sizeof(prefix),
                 "window.LB_DETAIL[\"%s\"] = ", json_object_get_string(key));
        char *start = strstr(text, prefix);
        assert_non_null(start);
        start += strlen(prefix);
        char *end = strstr(start, ";\n");
        assert_non_null(end);
        *end = '\0';
        struct json_object *chunk = json_tokener_parse(start), *ids, *g;
        free(text);
        assert_non_null(chunk);
        assert_true(json_object_object_get_ex(chunk, "ids", &ids));
        assert_true(json_object_object_get_ex(chunk, "g", &g));
        size_t n = json_object_array_length(ids);
        assert_int_equal(json_object_array_length(g), n);
        assert_int_equal(json_object_get_int64(units), n);
        for (size_t i = 0; i < n; i++) {
            char id[32];
            snprintf(id, sizeof(id), "%lld",
                     (long long)json_object_get_int64(json_object_array_get_idx(ids, i)));
            assert_false(json_object_object_get_ex(out, id, NULL)); /* in one chunk only */
            json_object_object_add(out, id, json_object_get(json_object_array_get_idx(g, i)));
            /* the unit's "k" names this chunk */
            int found = 0;
            for (size_t u = 0; u < json_object_array_length(features) && !found; u++) {
                struct json_object *ft = json_object_array_get_idx(features, u), *fid, *k;
                json_object_object_get_ex(ft, "id", &fid);
                if (json_object_get_int64(fid) !=
                    json_object_get_int64(json_object_array_get_idx(ids, i)))
                    continue;
                found = 1;
                assert_true(json_object_object_get_ex(ft, "k", &k));
                assert_int_equal(json_object_get_int64(k), c);
            }
            assert_true(found);
        }
        json_object_put(chunk);
    }
    /* every unit of units.js has its full outline in a chunk */
    assert_int_equal(json_object_object_length(out), json_object_array_length(features));
    json_object_put(meta);
    return out;
}

/* The point of each unit (lx, ly) lies inside its full outline as written, by OGR's test. */
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
    struct json_object *full = chunk_outlines(f->viewer, features);
    for (size_t i = 0; i < json_object_array_length(features); i++) {
        struct json_object *ft = json_object_array_get_idx(features, i), *p, *g, *lx, *ly, *id;
        json_object_object_get_ex(ft, "properties", &p);
        assert_true(json_object_object_get_ex(ft, "id", &id));
        assert_true(json_object_object_get_ex(full, json_object_get_string(id), &g));
        assert_true(json_object_object_get_ex(p, "lx", &lx));
        assert_true(json_object_object_get_ex(p, "ly", &ly));
        OGRGeometryH poly = outline(json_object_get_string(g));
        assert_non_null(poly);
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(pt, 0, json_object_get_double(lx), json_object_get_double(ly));
        assert_true(OGR_G_Contains(poly, pt));
        OGR_G_DestroyGeometry(pt);
        OGR_G_DestroyGeometry(poly);
    }
    json_object_put(full);
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

/* Integers through lb_viewer_put_ints and back, small, negative and large. */
static void test_viewer_ints_text(void **state)
{
    (void)state;
    static const int64_t v[] = {
        0,  -1, 1,       15,       16,       -16,           -17,
        31, 32, 1000000, -5123456, 52123456, INT64_MAX / 4, -(INT64_MAX / 4),
        2,  -2};
    enum { N = sizeof(v) / sizeof(v[0]) };
    char *mem = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&mem, &len);
    lb_viewer_put_ints(fp, v, N);
    fclose(fp);
    assert_null(strpbrk(mem, "\"\\<>'")); /* safe in a JavaScript string */
    int64_t back[N + 1];
    assert_int_equal(decode_ints(mem, len, back, N + 1), N);
    for (size_t i = 0; i < N; i++)
        assert_true(back[i] == v[i]);
    /* 0 and -1 take one character, 16 two */
    free(mem);
    fp = open_memstream(&mem, &len);
    lb_viewer_put_ints(fp, v, 3);
    fclose(fp);
    assert_int_equal(len, 3);
    free(mem);
}

/* lb_viewer_points_locate against OGR's Contains on a square with a hole and a triangle
 * beside it, over a lattice of points that includes points in the hole and outside both. */
static void test_viewer_points_locate(void **state)
{
    (void)state;
    double xy[] = {0,  0, 10, 0, 10, 10, 0,  10, 0, 0, /* square */
                   3,  3, 3,  7, 7,  7,  7,  3,  3, 3, /* its hole */
                   10, 0, 20, 0, 10, 10, 10, 0};       /* triangle */
    size_t ring_start[] = {0, 2, 3}, ring_pt_start[] = {0, 5, 10, 14};
    int ring_hole[] = {0, 1, 0};
    lb_vlayer l = {.kind = LB_GEOM_POLYGON,
                   .n = 2,
                   .ring_start = ring_start,
                   .ring_pt_start = ring_pt_start,
                   .ring_hole = ring_hole,
                   .ring_xy = xy,
                   .n_rings = 3};
    OGRGeometryH poly[2];
    char *wkt0 = "POLYGON ((0 0,10 0,10 10,0 10,0 0),(3 3,3 7,7 7,7 3,3 3))",
         *wkt1 = "POLYGON ((10 0,20 0,10 10,10 0))";
    assert_int_equal(OGR_G_CreateFromWkt(&wkt0, NULL, &poly[0]), OGRERR_NONE);
    assert_int_equal(OGR_G_CreateFromWkt(&wkt1, NULL, &poly[1]), OGRERR_NONE);
    enum { NX = 45, NY = 25 };
    double pts[2 * NX * NY];
    size_t feat[NX * NY], n_in[3] = {0, 0, 0};
    for (size_t j = 0; j < NY; j++)
        for (size_t i = 0; i < NX; i++) {
            pts[2 * (j * NX + i)] = -1.25 + 0.5 * (double)i;
            pts[2 * (j * NX + i) + 1] = -1.25 + 0.5 * (double)j;
        }
    assert_true(lb_viewer_points_locate(&l, pts, NX * NY, feat));
    for (size_t k = 0; k < NX * NY; k++) {
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(pt, 0, pts[2 * k], pts[2 * k + 1]);
        size_t want = OGR_G_Contains(poly[0], pt) ? 0 : OGR_G_Contains(poly[1], pt) ? 1 : SIZE_MAX;
        OGR_G_DestroyGeometry(pt);
        if (feat[k] != want)
            fail_msg("point (%g, %g): feature %zu, OGR says %zu", pts[2 * k], pts[2 * k + 1],
                     feat[k], want);
        n_in[want == SIZE_MAX ? 2 : want]++;
    }
    assert_true(n_in[0] > 100 && n_in[1] > 50 && n_in[2] > 100);
    OGR_G_DestroyGeometry(poly[0]);
    OGR_G_DestroyGeometry(poly[1]);
}

/* The grid chunks of the demo's score run against scores.gpkg's layer grid read with OGR:
 * per year, every cell is in exactly one chunk, the chunks' counts add up to the layer's and
 * META.grids says the same; each cell's values are the stored doubles, and its corners,
 * decoded, are the cell's RD corners transformed by OSR within the quantization step. */
static void test_viewer_grid_chunks(void **state)
{
    fixture *f = *state;
    if (!f)
        skip();
    const char *runs[] = {f->score};
    assert_int_equal(lb_viewer_exec(f->ctx, runs, 1, f->viewer, f->lib, 1, NULL), LB_OK);
    char path[600];
    snprintf(path, sizeof(path), "%s/data/meta.js", f->viewer);
    struct json_object *meta = script_json(path, "LB_META"), *grids;
    assert_true(json_object_object_get_ex(meta, "grids", &grids));
    size_t n_chunks = json_object_array_length(grids);
    assert_true(n_chunks >= 2);

    GDALAllRegister();
    snprintf(path, sizeof(path), "%s/scores.gpkg", f->score);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "grid");
    assert_non_null(lyr);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    OGRSpatialReferenceH rd = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(rd, 28992);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(rd, wgs);
    assert_non_null(ct);
    static const char *const cols[] = {"lbm", "afw", "won", "pub", "vrz", "bev", "soc", "vei"};
    enum { N_COLS = sizeof(cols) / sizeof(cols[0]) };

    /* every chunk: decoded, each cell looked up in the layer by cell id and year */
    size_t total = 0, checked = 0;
    struct json_object *seen = json_object_new_object();
    for (size_t c = 0; c < n_chunks; c++) {
        struct json_object *g = json_object_array_get_idx(grids, c), *file, *cells, *year;
        json_object_object_get_ex(g, "file", &file);
        json_object_object_get_ex(g, "cells", &cells);
        json_object_object_get_ex(g, "year", &year);
        snprintf(path, sizeof(path), "%s/%s", f->viewer, json_object_get_string(file));
        char *text = slurp(path, NULL);
        assert_non_null(text);
        char *start = strstr(text, "] = ");
        assert_non_null(start);
        char *end = strstr(start, ";\n");
        assert_non_null(end);
        *end = '\0';
        struct json_object *chunk = json_tokener_parse(start + 4), *corners, *ids, *values, *n;
        assert_non_null(chunk);
        json_object_object_get_ex(chunk, "n", &n);
        json_object_object_get_ex(chunk, "corners", &corners);
        json_object_object_get_ex(chunk, "cell", &ids);
        json_object_object_get_ex(chunk, "values", &values);
        size_t nc = (size_t)json_object_get_int64(n);
        assert_int_equal(nc, json_object_get_int64(cells));
        assert_int_equal(json_object_array_length(ids), nc);
        int64_t *q = malloc((8 * nc + 1) * sizeof(int64_t));
        assert_int_equal(decode_ints(json_object_get_string(corners),
                                     (size_t)json_object_get_string_len(corners), q, 8 * nc + 1),
                         8 * nc);
        for (size_t k = 2; k < 8 * nc; k++)
            q[k] += q[k - 2]; /* differences from the previous corner */
        for (size_t i = 0; i < nc; i++) {
            const char *id = json_object_get_string(json_object_array_get_idx(ids, i));
            char key[64];
            snprintf(key, sizeof(key), "%s/%d", id, json_object_get_int(year));
            assert_false(json_object_object_get_ex(seen, key, NULL)); /* in one chunk only */
            json_object_object_add(seen, key, NULL);
            char where[128];
            snprintf(where, sizeof(where), "cell_id = '%s' AND year = %d", id,
                     json_object_get_int(year));
            OGR_L_SetAttributeFilter(lyr, where);
            OGRFeatureH ft = OGR_L_GetNextFeature(lyr);
            assert_non_null(ft);
            for (size_t k = 0; k < N_COLS; k++) {
                struct json_object *arr, *v;
                assert_true(json_object_object_get_ex(values, cols[k], &arr));
                v = json_object_array_get_idx(arr, i);
                int fi = OGR_FD_GetFieldIndex(defn, cols[k]);
                if (!OGR_F_IsFieldSetAndNotNull(ft, fi))
                    assert_null(v);
                else
                    assert_true(json_object_get_double(v) == OGR_F_GetFieldAsDouble(ft, fi));
            }
            OGREnvelope e;
            OGR_G_GetEnvelope(OGR_F_GetGeometryRef(ft), &e);
            double x[4] = {e.MinX, e.MaxX, e.MaxX, e.MinX}, y[4] = {e.MinY, e.MinY, e.MaxY, e.MaxY};
            assert_true(OCTTransform(ct, 4, x, y, NULL));
            for (size_t k = 0; k < 4; k++) {
                assert_true(fabs((double)q[8 * i + 2 * k] / 1e6 - x[k]) <= 0.6e-6);
                assert_true(fabs((double)q[8 * i + 2 * k + 1] / 1e6 - y[k]) <= 0.6e-6);
            }
            OGR_F_Destroy(ft);
            checked++;
        }
        total += nc;
        free(q);
        json_object_put(chunk);
        free(text);
    }
    OGR_L_SetAttributeFilter(lyr, NULL);
    assert_int_equal(total, OGR_L_GetFeatureCount(lyr, 1));
    assert_int_equal(checked, total);
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(rd);
    OSRDestroySpatialReference(wgs);
    GDALClose(ds);
    json_object_put(seen);
    json_object_put(meta);
}

/* The integer outline of a feature is the GeoJSON outline lb_viewer_write_polygon writes: the
 * same rings, points and directions, for a polygon with a hole, one whose outer ring rounds
 * away (it and its hole are dropped), and a multipolygon. */
static void test_viewer_outline_ints(void **state)
{
    (void)state;
    /* lon/lat: a square with a hole; a ring 1e-7 degree across (rounds to one point) with a
     * hole; a clockwise square beside the first */
    double ll[] = {5.0,       52.0,        5.01,  52.0,   5.01,  52.01,  5.0,        52.01,
                   5.0,       52.0,        5.003, 52.003, 5.003, 52.007, 5.007,      52.007,
                   5.007,     52.003,      5.003, 52.003, 5.1,   52.1,   5.1000001,  52.1,
                   5.1000001, 52.1000001,  5.1,   52.1,   5.1,   52.1,   5.10000005, 52.1,
                   5.1,       52.10000005, 5.1,   52.1,   5.02,  52.0,   5.02,       52.01,
                   5.03,      52.01,       5.03,  52.0,   5.02,  52.0};
    size_t ring_start[] = {0, 2, 5}, ring_pt_start[] = {0, 5, 10, 14, 18, 23};
    int ring_hole[] = {0, 1, 0, 1, 0};
    lb_vlayer l = {.kind = LB_GEOM_POLYGON,
                   .n = 2,
                   .ring_start = ring_start,
                   .ring_pt_start = ring_pt_start,
                   .ring_hole = ring_hole,
                   .ring_xy = ll,
                   .n_rings = 5};
    for (size_t f = 0; f < 2; f++) {
        char *js = NULL, *ints = NULL;
        size_t jn = 0, in = 0;
        FILE *a = open_memstream(&js, &jn), *b = open_memstream(&ints, &in);
        size_t wa = lb_viewer_write_polygon(a, &l, ll, f),
               wb = lb_viewer_put_polygon_ints(b, &l, ll, f);
        fclose(a);
        fclose(b);
        assert_int_equal(wa, wb);
        assert_int_equal(wa, f == 0 ? 2 : 1);
        OGRGeometryH g1 = OGR_G_ForceToMultiPolygon(OGR_G_CreateGeometryFromJson(js)),
                     g2 = outline(ints);
        char *w1 = NULL, *w2 = NULL;
        OGR_G_ExportToWkt(g1, &w1);
        OGR_G_ExportToWkt(g2, &w2);
        assert_string_equal(w1, w2); /* the same points in the same order */
        CPLFree(w1);
        CPLFree(w2);
        OGR_G_DestroyGeometry(g1);
        OGR_G_DestroyGeometry(g2);
        free(js);
        free(ints);
    }
}

/* The points of an outline text (as outline() decodes it), without the closing ones. */
static size_t outline_points(const char *g)
{
    size_t len = strlen(g), i = 0, pts = 0;
    int64_t *d = malloc((len + 1) * sizeof(int64_t));
    assert_non_null(d);
    size_t n = decode_ints(g, len, d, len + 1);
    for (int64_t np = d[i++], p = 0; p < np; p++)
        for (int64_t nr = d[i++], r = 0; r < nr; r++) {
            int64_t k = d[i++];
            pts += (size_t)k;
            i += 2 * (size_t)k;
        }
    assert_int_equal(i, n);
    free(d);
    return pts;
}

/* The overview of two units that share a meandering border (wiggles far smaller than the
 * overview grid, a diagonal run across several grid cells) and of one smaller than a grid
 * cell: snapped, the two still tile their box exactly (the sum of their areas and the area of
 * their union are the box's: no overlap, no gap), every point is on the grid, straight runs
 * (also through a ring's first point) are single edges, and the small unit is left out. */
static void test_viewer_overview_coverage(void **state)
{
    (void)state;
    const double sx = LB_VIEWER_OVERVIEW_STEP_LON * 1e-6, sy = LB_VIEWER_OVERVIEW_STEP_LAT * 1e-6;
    /* the box's corners on the grid */
    const double x0 = 3572 * sx, y0 = 57778 * sy, x1 = x0 + 10 * sx, y1 = y0 + 10 * sy;
    enum { NB = 41 }; /* points of the shared border, south to north */
    double border[2 * NB];
    for (int i = 0; i < NB; i++) {
        double t = (double)i / (NB - 1);
        border[2 * i] = x0 + 4.3 * sx + 2.4 * sx * t + 0.2 * sx * sin(37.0 * t);
        border[2 * i + 1] = y0 + (y1 - y0) * t;
    }
    /* A: west of the border, its ring starting halfway up its west side; B: east of it, the
     * border run backwards; C: a square a third of a grid cell across */
    double ll[2 * (2 * NB + 20)];
    size_t n = 0;
#define PT(X, Y) (ll[2 * n] = (X), ll[2 * n + 1] = (Y), n++)
    PT(x0, 0.5 * (y0 + y1));
    PT(x0, y0);
    for (int i = 0; i < NB; i++)
        PT(border[2 * i], border[2 * i + 1]);
    PT(x0, y1);
    PT(x0, 0.5 * (y0 + y1));
    size_t a_end = n;
    PT(x1, y0);
    PT(x1, y1);
    for (int i = NB - 1; i >= 0; i--)
        PT(border[2 * i], border[2 * i + 1]);
    PT(x1, y0);
    size_t b_end = n;
    double cx = x0 + 20.1 * sx, cy = y0 + 3.1 * sy;
    PT(cx, cy);
    PT(cx + sx / 3, cy);
    PT(cx + sx / 3, cy + sy / 3);
    PT(cx, cy + sy / 3);
    PT(cx, cy);
#undef PT
    size_t ring_start[] = {0, 1, 2, 3}, ring_pt_start[] = {0, a_end, b_end, n};
    int ring_hole[] = {0, 0, 0};
    lb_vlayer l = {.kind = LB_GEOM_POLYGON,
                   .n = 3,
                   .ring_start = ring_start,
                   .ring_pt_start = ring_pt_start,
                   .ring_hole = ring_hole,
                   .ring_xy = ll,
                   .n_rings = 3};
    const size_t feats[] = {0, 1, 2};
    lb_viewer_overview ov;
    assert_true(lb_viewer_overview_init(&ov, &l, ll, feats, 3));
    const int64_t *step = ov.step;
    OGRGeometryH g[3];
    size_t pts[3];
    for (size_t f = 0; f < 3; f++) {
        char *text = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&text, &len);
        size_t rings = lb_viewer_put_polygon_ints_snapped(fp, &l, ll, f, &ov, &pts[f]);
        fclose(fp);
        assert_int_equal(rings, f < 2 ? 1 : 0);
        assert_int_equal(outline_points(text), pts[f]);
        g[f] = outline(text);
        /* every point on the grid */
        for (int i = 0; f < 2 && i < OGR_G_GetPointCount(
                                         OGR_G_GetGeometryRef(OGR_G_GetGeometryRef(g[f], 0), 0));
             i++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(OGR_G_GetGeometryRef(g[f], 0), 0);
            double x = OGR_G_GetX(ring, i) * 1e6, y = OGR_G_GetY(ring, i) * 1e6;
            assert_true(fabs(x / step[0] - round(x / step[0])) < 1e-6);
            assert_true(fabs(y / step[1] - round(y / step[1])) < 1e-6);
        }
        free(text);
    }
    assert_int_equal(pts[2], 0);
    /* the border's 41 points become a staircase of far fewer; A's west side one edge */
    assert_true(pts[0] < NB / 2 && pts[1] < NB / 2);
    OGRGeometryH ring_a = OGR_G_GetGeometryRef(OGR_G_GetGeometryRef(g[0], 0), 0);
    for (int i = 0; i < OGR_G_GetPointCount(ring_a); i++)
        assert_false(fabs(OGR_G_GetX(ring_a, i) - x0) < 1e-7 &&
                     fabs(OGR_G_GetY(ring_a, i) - 0.5 * (y0 + y1)) < 1e-7);
    double box = (x1 - x0) * (y1 - y0), aa = OGR_G_Area(g[0]), ab = OGR_G_Area(g[1]);
    OGRGeometryH u = OGR_G_Union(g[0], g[1]);
    assert_non_null(u);
    assert_true(OGR_G_IsValid(g[0]) && OGR_G_IsValid(g[1]));
    assert_true(fabs(aa + ab - box) < 1e-9 * box);       /* no overlap ... */
    assert_true(fabs(OGR_G_Area(u) - box) < 1e-9 * box); /* ... and no gap */
    assert_true(aa > 0.3 * box && ab > 0.3 * box);
    OGR_G_DestroyGeometry(u);
    for (size_t f = 0; f < 3; f++)
        OGR_G_DestroyGeometry(g[f]);
    lb_viewer_overview_free(&ov);
}

/* The demo viewer's overview against its full outlines: every unit has both, the overview
 * has no more points than the full outline, each overview point is on the grid and within
 * half a grid cell's diagonal of the full outline's boundary. */
static void test_viewer_overview_demo(void **state)
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
    struct json_object *full = chunk_outlines(f->viewer, features);
    const double sx = LB_VIEWER_OVERVIEW_STEP_LON * 1e-6, sy = LB_VIEWER_OVERVIEW_STEP_LAT * 1e-6,
                 reach = 0.5 * hypot(sx, sy) + 2e-6;
    size_t n_ov = 0, n_full = 0, n_drawn = 0;
    for (size_t i = 0; i < json_object_array_length(features); i++) {
        struct json_object *ft = json_object_array_get_idx(features, i), *o, *g, *id;
        assert_true(json_object_object_get_ex(ft, "o", &o));
        assert_true(json_object_object_get_ex(ft, "id", &id));
        assert_true(json_object_object_get_ex(full, json_object_get_string(id), &g));
        size_t po = outline_points(json_object_get_string(o)),
               pf = outline_points(json_object_get_string(g));
        assert_true(po <= pf);
        n_ov += po;
        n_full += pf;
        n_drawn += po > 0;
        OGRGeometryH go = outline(json_object_get_string(o)),
                     gf = outline(json_object_get_string(g));
        OGRGeometryH edge = OGR_G_Boundary(gf);
        assert_non_null(edge);
        for (int p = 0; p < OGR_G_GetGeometryCount(go); p++) {
            OGRGeometryH poly = OGR_G_GetGeometryRef(go, p);
            for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) {
                OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
                for (int k = 0; k < OGR_G_GetPointCount(ring); k++) {
                    double x = OGR_G_GetX(ring, k), y = OGR_G_GetY(ring, k);
                    double qx = x * 1e6 / LB_VIEWER_OVERVIEW_STEP_LON,
                           qy = y * 1e6 / LB_VIEWER_OVERVIEW_STEP_LAT;
                    assert_true(fabs(qx - round(qx)) < 1e-6 && fabs(qy - round(qy)) < 1e-6);
                    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
                    OGR_G_SetPoint_2D(pt, 0, x, y);
                    assert_true(OGR_G_Distance(pt, edge) <= reach);
                    OGR_G_DestroyGeometry(pt);
                }
            }
        }
        OGR_G_DestroyGeometry(edge);
        OGR_G_DestroyGeometry(go);
        OGR_G_DestroyGeometry(gf);
    }
    assert_true(n_ov < n_full);
    assert_true(n_drawn > 0);
    json_object_put(full);
    json_object_put(fc);
}

/* Grid cells in no unit go into a chunk per 20 km RD square, named by its south-west corner in
 * km: a cell just inside a square's edge, one on the edge (the square to its north-east) and one
 * west of the RD origin. */
static void test_viewer_grid_outside_key(void **state)
{
    (void)state;
    static const struct {
        double x, y;
        const char *key;
    } cases[] = {{155050.0, 463050.0, "geen_140_460"},
                 {159950.0, 479950.0, "geen_140_460"},
                 {160000.0, 480000.0, "geen_160_480"},
                 {-50.0, 300050.0, "geen_-20_300"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *k = lb_viewer_grid_outside_key(cases[i].x, cases[i].y);
        assert_non_null(k);
        assert_string_equal(k, cases[i].key);
        free(k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viewer_number_text),
        cmocka_unit_test(test_viewer_values_equal_gpkg),
        cmocka_unit_test(test_viewer_label_points_inside),
        cmocka_unit_test(test_viewer_refusals),
        cmocka_unit_test(test_viewer_ints_text),
        cmocka_unit_test(test_viewer_outline_ints),
        cmocka_unit_test(test_viewer_points_locate),
        cmocka_unit_test(test_viewer_grid_chunks),
        cmocka_unit_test(test_viewer_overview_coverage),
        cmocka_unit_test(test_viewer_overview_demo),
        cmocka_unit_test(test_viewer_grid_outside_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
