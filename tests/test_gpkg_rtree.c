/* SPDX-License-Identifier: MIT */
/* Tests of the packed GeoPackage R-tree (src/io/gpkg_rtree.c) that lb_write_vector writes after
 * a GPKG layer's rows. Every fixture is a table of axis-parallel rectangles (so a rectangle
 * meets a query box exactly when their bounding boxes meet), with NULL and empty rows among
 * them. Checked against two independent references: a brute-force box test over the fixture's
 * own doubles, and GDAL's own index of the same file (DisableSpatialIndex + CreateSpatialIndex
 * on a copy), whose rtree rows (float32 boxes), triggers and extension row must be the same. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "data/table.h"
#include "io/gpkg_rtree.h"
#include "io/write.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef lb_test_dir fixture;

static int setup(void **state)
{
    return lb_test_dir_setup(state, "gpkg-rtree");
}

/* ---- fixtures ---- */

typedef struct rect {
    int has;     /* 0: NULL geometry, 1: rectangle, 2: empty polygon */
    double b[4]; /* minx, maxx, miny, maxy */
} rect;

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof(u));
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

/* Little-endian WKB of the rectangle @p r (an empty polygon when r->has == 2). */
static unsigned char *rect_wkb(const rect *r, size_t *len)
{
    int empty = r->has == 2;
    *len = empty ? 9 : 1 + 4 + 4 + 4 + 5 * 16;
    unsigned char *w = malloc(*len);
    assert_non_null(w);
    w[0] = 1;
    put_u32(w + 1, 3);
    put_u32(w + 5, empty ? 0 : 1);
    if (empty)
        return w;
    put_u32(w + 9, 5);
    const double xy[5][2] = {{r->b[0], r->b[2]},
                             {r->b[1], r->b[2]},
                             {r->b[1], r->b[3]},
                             {r->b[0], r->b[3]},
                             {r->b[0], r->b[2]}};
    for (int i = 0; i < 5; i++) {
        put_f64(w + 13 + 16 * i, xy[i][0]);
        put_f64(w + 13 + 16 * i + 8, xy[i][1]);
    }
    return w;
}

static uint64_t lcg_state;
static double lcg01(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / 9007199254740992.0;
}

/* @p n rows: rectangles of many sizes around RD coordinates with fractions no float32 holds,
 * some far from the origin (float spacing > 1) and some negative or exactly representable;
 * every 97th row NULL and every 101st an empty polygon when @p holes. */
static rect *make_rects(size_t n, int holes)
{
    rect *r = calloc(n ? n : 1, sizeof(*r));
    assert_non_null(r);
    lcg_state = 20261207;
    for (size_t i = 0; i < n; i++) {
        r[i].has = holes && i % 97 == 5 ? 0 : holes && i % 101 == 7 ? 2 : 1;
        double x, y;
        switch (i % 5) {
        case 0: /* exactly representable */
            x = 1000.0 + (double)(i % 300) * 8.0;
            y = -2048.0 + (double)(i / 300) * 16.0;
            break;
        case 1: /* far out: float spacing 4 */
            x = 30000000.0 + lcg01() * 1e6;
            y = 20000000.0 + lcg01() * 1e6;
            break;
        case 2: /* negative */
            x = -250000.0 + lcg01() * 1e5;
            y = -1.0 - lcg01() * 3e5;
            break;
        default: /* the RD box with fractions */
            x = 10000.123456789 + lcg01() * 270000.0;
            y = 300000.987654321 + lcg01() * 320000.0;
            break;
        }
        double w = i % 7 == 0 ? 0.1 : 1.0 + lcg01() * (i % 3 == 0 ? 5000.0 : 100.0);
        double h = i % 11 == 0 ? 0.3 : 1.0 + lcg01() * 100.0;
        r[i].b[0] = x;
        r[i].b[1] = x + w;
        r[i].b[2] = y;
        r[i].b[3] = y + h;
    }
    return r;
}

static lb_table *rect_table(lb_ctx *ctx, const rect *r, size_t n)
{
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(ctx, n, &t), LB_OK);
    lb_column *c = NULL;
    assert_int_equal(lb_table_add(ctx, t, "k", LB_COL_INT, &c), LB_OK);
    for (size_t i = 0; i < n; i++) {
        c->integer[i] = (int64_t)i;
        if (r[i].has) {
            size_t len;
            unsigned char *w = rect_wkb(&r[i], &len);
            assert_int_equal(lb_table_set_geometry(ctx, t, i, w, len), LB_OK);
        }
    }
    return t;
}

/* Write @p n rectangles as layer "t" of @p path; the rows' fids are 1..n in order. */
static rect *write_rects(fixture *fx, const char *path, size_t n, int holes)
{
    rect *r = make_rects(n, holes);
    lb_table *t = rect_table(fx->ctx, r, n);
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "t"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    lb_table_destroy(t);
    return r;
}

/* ---- SQL on a dataset ---- */

static OGRLayerH sql(GDALDatasetH ds, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return GDALDatasetExecuteSQL(ds, buf, NULL, "SQLITE");
}

/* The first column of the first row of a query, as text ("" for none). */
static void sql_text(GDALDatasetH ds, char *out, size_t size, const char *q)
{
    out[0] = '\0';
    OGRLayerH res = sql(ds, "%s", q);
    assert_non_null(res);
    OGRFeatureH f = OGR_L_GetNextFeature(res);
    if (f) {
        snprintf(out, size, "%s", OGR_F_GetFieldAsString(f, 0));
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, res);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The rtree's rows (id, minx, maxx, miny, maxy) by id; *n rows. */
static double *rtree_rows(GDALDatasetH ds, size_t *n)
{
    OGRLayerH res = sql(ds, "SELECT id, minx, maxx, miny, maxy FROM rtree_t_geom ORDER BY id");
    assert_non_null(res);
    size_t cap = 64, k = 0;
    double *v = malloc(cap * 5 * sizeof(*v));
    assert_non_null(v);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(res))) {
        if (k == cap) {
            cap *= 2;
            v = realloc(v, cap * 5 * sizeof(*v));
            assert_non_null(v);
        }
        v[5 * k] = (double)OGR_F_GetFieldAsInteger64(f, 0);
        for (int c = 1; c < 5; c++)
            v[5 * k + c] = OGR_F_GetFieldAsDouble(f, c);
        k++;
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, res);
    *n = k;
    return v;
}

/* The SQL of the rtree's triggers, by name, one after another. */
static char *trigger_sql(GDALDatasetH ds)
{
    OGRLayerH res = sql(ds, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                            "name LIKE 'rtree_t_geom_%%' ORDER BY name");
    assert_non_null(res);
    size_t cap = 1 << 14, len = 0;
    char *s = calloc(cap, 1);
    assert_non_null(s);
    OGRFeatureH f;
    int n = 0;
    while ((f = OGR_L_GetNextFeature(res))) {
        len += (size_t)snprintf(s + len, cap - len, "%s: %s\n", OGR_F_GetFieldAsString(f, 0),
                                OGR_F_GetFieldAsString(f, 1));
        assert_true(len < cap);
        n++;
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, res);
    assert_int_equal(n, 6);
    return s;
}

/* The features a spatial filter on layer "t" returns, sorted; *n of them. */
static int64_t *filter_fids(OGRLayerH layer, const double q[4], size_t *n)
{
    OGR_L_SetSpatialFilterRect(layer, q[0], q[2], q[1], q[3]);
    OGR_L_ResetReading(layer);
    size_t cap = 64, k = 0;
    int64_t *ids = malloc(cap * sizeof(*ids));
    assert_non_null(ids);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer))) {
        if (k == cap) {
            cap *= 2;
            ids = realloc(ids, cap * sizeof(*ids));
            assert_non_null(ids);
        }
        ids[k++] = OGR_F_GetFID(f);
        OGR_F_Destroy(f);
    }
    OGR_L_SetSpatialFilter(layer, NULL);
    qsort(ids, k, sizeof(*ids), cmp_i64);
    *n = k;
    return ids;
}

/* The rtree's own answer (no geometry test after it) for the box @p q, sorted. */
static int64_t *rtree_fids(GDALDatasetH ds, const double q[4], size_t *n)
{
    OGRLayerH res = sql(ds,
                        "SELECT id FROM rtree_t_geom WHERE minx <= %.17g AND maxx >= %.17g "
                        "AND miny <= %.17g AND maxy >= %.17g ORDER BY id",
                        q[1], q[0], q[3], q[2]);
    assert_non_null(res);
    size_t cap = 64, k = 0;
    int64_t *ids = malloc(cap * sizeof(*ids));
    assert_non_null(ids);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(res))) {
        if (k == cap) {
            cap *= 2;
            ids = realloc(ids, cap * sizeof(*ids));
            assert_non_null(ids);
        }
        ids[k++] = OGR_F_GetFieldAsInteger64(f, 0);
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, res);
    *n = k;
    return ids;
}

/* Brute force over the fixture: rows (fid = index + 1) whose rectangle meets @p q. */
static int64_t *brute_fids(const rect *r, size_t n_rows, const double q[4], size_t *n)
{
    int64_t *ids = malloc((n_rows ? n_rows : 1) * sizeof(*ids));
    assert_non_null(ids);
    size_t k = 0;
    for (size_t i = 0; i < n_rows; i++)
        if (r[i].has == 1 && r[i].b[0] <= q[1] && r[i].b[1] >= q[0] && r[i].b[2] <= q[3] &&
            r[i].b[3] >= q[2])
            ids[k++] = (int64_t)i + 1;
    *n = k;
    return ids;
}

static void assert_same_ids(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        assert_true(a[i] == b[i]);
}

/* Query boxes: the whole plane, random boxes of many sizes, a point, and boxes whose edges lie
 * exactly on rows' edges (touching counts as meeting). */
static size_t query_boxes(const rect *r, size_t n, double (*q)[4], size_t max)
{
    size_t k = 0;
    const double all[4] = {-1e9, 1e9, -1e9, 1e9};
    memcpy(q[k++], all, sizeof(all));
    lcg_state = 77;
    while (k < max / 2) {
        double cx = -300000.0 + lcg01() * 3.2e7, cy = -400000.0 + lcg01() * 2.1e7;
        double w = lcg01() < 0.5 ? lcg01() * 5000.0 : lcg01() * 5e6;
        double box[4] = {cx, cx + w, cy, cy + w * (0.2 + lcg01())};
        memcpy(q[k++], box, sizeof(box));
    }
    for (size_t i = 0; i < n && k < max; i += 1 + n / 40) {
        if (!r[i].has)
            continue;
        double right[4] = {r[i].b[1], r[i].b[1] + 10.0, r[i].b[2], r[i].b[3]};
        memcpy(q[k++], right, sizeof(right));
        if (k < max) {
            double pt[4] = {r[i].b[0], r[i].b[0], r[i].b[3], r[i].b[3]};
            memcpy(q[k++], pt, sizeof(pt));
        }
    }
    return k;
}

/* Everything about the index of layer "t" in @p path with the rows @p r. */
static void check_index(fixture *fx, const char *path, const rect *r, size_t n)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "t");
    assert_non_null(layer);
    char text[256];

    /* GDAL (and so QGIS) see the index */
    assert_true(OGR_L_TestCapability(layer, OLCFastSpatialFilter));
    sql_text(ds, text, sizeof(text), "SELECT HasSpatialIndex('t', 'geom')");
    assert_string_equal(text, "1");
    /* SQLite's own consistency check of the tree */
    sql_text(ds, text, sizeof(text), "SELECT rtreecheck('rtree_t_geom')");
    assert_string_equal(text, "ok");
    size_t n_indexed = 0;
    for (size_t i = 0; i < n; i++)
        n_indexed += r[i].has == 1;
    sql_text(ds, text, sizeof(text), "SELECT count(*) FROM rtree_t_geom_rowid");
    assert_int_equal(atoll(text), (long long)n_indexed);

    /* spatial filters return what the brute force returns */
    double q[120][4];
    size_t nq = query_boxes(r, n, q, 120);
    for (size_t k = 0; k < nq; k++) {
        size_t na, nb;
        int64_t *a = filter_fids(layer, q[k], &na);
        int64_t *b = brute_fids(r, n, q[k], &nb);
        assert_same_ids(a, na, b, nb);
        free(a);
        free(b);
    }

    /* GDAL's own index of the same rows, on a copy */
    char copy[300];
    snprintf(copy, sizeof(copy), "%s/gdal-%zu.gpkg", fx->dir, n);
    assert_int_equal(CPLCopyFile(copy, path), 0);
    GDALDatasetH ref = GDALOpenEx(copy, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ref);
    OGRLayerH res = sql(ref, "SELECT DisableSpatialIndex('t', 'geom')");
    if (res)
        GDALDatasetReleaseResultSet(ref, res);
    res = sql(ref, "SELECT CreateSpatialIndex('t', 'geom')");
    if (res)
        GDALDatasetReleaseResultSet(ref, res);
    sql_text(ref, text, sizeof(text), "SELECT rtreecheck('rtree_t_geom')");
    assert_string_equal(text, "ok");

    /* the same float32 boxes as SQLite's rounding gives them */
    size_t nr_ours, nr_ref;
    double *ours = rtree_rows(ds, &nr_ours);
    double *theirs = rtree_rows(ref, &nr_ref);
    assert_int_equal(nr_ours, n_indexed);
    assert_int_equal(nr_ours, nr_ref);
    for (size_t i = 0; i < 5 * nr_ours; i++)
        assert_true(ours[i] == theirs[i]);
    free(ours);
    free(theirs);
    /* the same triggers and extension row */
    char *t_ours = trigger_sql(ds), *t_ref = trigger_sql(ref);
    assert_string_equal(t_ours, t_ref);
    free(t_ours);
    free(t_ref);
    const char *ext = "SELECT table_name || '|' || column_name || '|' || extension_name || '|' || "
                      "definition || '|' || scope FROM gpkg_extensions WHERE "
                      "extension_name = 'gpkg_rtree_index'";
    char e_ref[256];
    sql_text(ds, text, sizeof(text), ext);
    sql_text(ref, e_ref, sizeof(e_ref), ext);
    assert_string_equal(text, e_ref);
    /* and the same candidates from both trees */
    for (size_t k = 0; k < nq; k++) {
        size_t na, nb;
        int64_t *a = rtree_fids(ds, q[k], &na);
        int64_t *b = rtree_fids(ref, q[k], &nb);
        assert_same_ids(a, na, b, nb);
        free(a);
        free(b);
    }
    GDALClose(ref);
    GDALClose(ds);
}

static void check_rows(fixture *fx, size_t n, int holes)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/r%zu.gpkg", fx->dir, n);
    rect *r = write_rects(fx, path, n, holes);
    check_index(fx, path, r, n);
    free(r);
}

/* ---- tests ---- */

/* No rows (a table's writer never makes a geometry layer of none, so the index is built here
 * on a layer GDAL made): the root alone, empty, depth 0. */
static void test_rtree_no_rows(void **state)
{
    fixture *fx = *state;
    char path[300];
    snprintf(path, sizeof(path), "%s", lb_test_path(fx, "none.gpkg"));
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    char **opts = CSLSetNameValue(NULL, "SPATIAL_INDEX", "NO");
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "t", NULL, wkbPolygon, opts);
    CSLDestroy(opts);
    assert_non_null(layer);
    lb_gpkg_rtree *rt = NULL;
    assert_int_equal(lb_gpkg_rtree_create(fx->ctx, 0, &rt), LB_OK);
    assert_int_equal(GDALDatasetStartTransaction(ds, FALSE), OGRERR_NONE);
    assert_int_equal(lb_gpkg_rtree_write(fx->ctx, rt, ds, path, "t", OGR_L_GetGeometryColumn(layer),
                                         OGR_L_GetFIDColumn(layer)),
                     LB_OK);
    assert_int_equal(GDALDatasetCommitTransaction(ds), OGRERR_NONE);
    lb_gpkg_rtree_destroy(rt);
    GDALClose(ds);
    rect none = {0, {0, 0, 0, 0}};
    check_index(fx, path, &none, 0);
}

static void test_rtree_one_row(void **state)
{
    check_rows(*state, 1, 0);
}

/* 51 cells fill a root node of a 4096-byte page exactly; 52 need two leaves */
static void test_rtree_one_full_node(void **state)
{
    check_rows(*state, 51, 0);
}

static void test_rtree_one_more_than_a_node(void **state)
{
    check_rows(*state, 52, 0);
}

/* 3000 rows: 59 leaves, 2 inner nodes, a root of depth 2; NULL and empty rows left out */
static void test_rtree_three_levels(void **state)
{
    fixture *fx = *state;
    check_rows(fx, 3000, 1);
    GDALDatasetH ds = GDALOpenEx(lb_test_path(fx, "r3000.gpkg"), GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    char text[64];
    sql_text(ds, text, sizeof(text),
             "SELECT hex(substr(data, 1, 2)) FROM rtree_t_geom_node WHERE nodeno = 1");
    assert_string_equal(text, "0002"); /* the root's depth */
    GDALClose(ds);
}

/* Only NULL and empty geometries: nothing indexed, the index still there and sound. */
static void test_rtree_only_null_and_empty(void **state)
{
    fixture *fx = *state;
    rect r[3] = {{0, {0, 0, 0, 0}}, {2, {0, 0, 0, 0}}, {0, {0, 0, 0, 0}}};
    lb_table *t = rect_table(fx->ctx, r, 3);
    const char *path = lb_test_path(fx, "empty.gpkg");
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "t"};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);
    lb_table_destroy(t);
    char p[300];
    snprintf(p, sizeof(p), "%s", path);
    check_index(fx, p, r, 3);
}

/* The tree stays an R-tree SQLite can change: after deletes, inserts and moves through OGR
 * (the triggers) rtreecheck passes and the filters still equal the brute force. */
static void test_rtree_edits_after_bulk(void **state)
{
    fixture *fx = *state;
    char path[300];
    snprintf(path, sizeof(path), "%s", lb_test_path(fx, "edit.gpkg"));
    size_t n = 3000;
    rect *r = write_rects(fx, path, n, 1);
    r = realloc(r, (n + 200) * sizeof(*r));
    assert_non_null(r);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "t");
    assert_non_null(layer);
    for (size_t i = 0; i < n; i += 3) { /* a third of the rows go */
        assert_int_equal(OGR_L_DeleteFeature(layer, (GIntBig)i + 1), OGRERR_NONE);
        r[i].has = 0;
    }
    for (size_t i = 1; i < n; i += 10) { /* some move far */
        if (r[i].has != 1)
            continue;
        OGRFeatureH f = OGR_L_GetFeature(layer, (GIntBig)i + 1);
        assert_non_null(f);
        r[i].b[0] += 12345.5;
        r[i].b[1] += 12345.5;
        r[i].b[2] -= 54321.25;
        r[i].b[3] -= 54321.25;
        size_t len;
        unsigned char *w = rect_wkb(&r[i], &len);
        OGRGeometryH g = NULL;
        assert_int_equal(OGR_G_CreateFromWkbEx(w, NULL, &g, len), OGRERR_NONE);
        free(w);
        OGR_F_SetGeometryDirectly(f, g);
        assert_int_equal(OGR_L_SetFeature(layer, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    rect *more = make_rects(200, 0);
    for (size_t i = 0; i < 200; i++) { /* new rows get fids n+1.. */
        r[n + i] = more[i];
        r[n + i].b[0] += 7.0;
        r[n + i].b[1] += 7.0;
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        size_t len;
        unsigned char *w = rect_wkb(&r[n + i], &len);
        OGRGeometryH g = NULL;
        assert_int_equal(OGR_G_CreateFromWkbEx(w, NULL, &g, len), OGRERR_NONE);
        free(w);
        OGR_F_SetGeometryDirectly(f, g);
        assert_int_equal(OGR_L_CreateFeature(layer, f), OGRERR_NONE);
        assert_true(OGR_F_GetFID(f) == (GIntBig)(n + i + 1));
        OGR_F_Destroy(f);
    }
    free(more);
    GDALClose(ds);
    check_index(fx, path, r, n + 200);
    free(r);
}

/* Two runs write the same bytes. */
static void test_rtree_rerun_identical(void **state)
{
    fixture *fx = *state;
    char a[300], b[300];
    snprintf(a, sizeof(a), "%s", lb_test_path(fx, "a.gpkg"));
    snprintf(b, sizeof(b), "%s", lb_test_path(fx, "b.gpkg"));
    free(write_rects(fx, a, 3000, 1));
    free(write_rects(fx, b, 3000, 1));
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    int ca, cb;
    size_t n = 0;
    do {
        ca = fgetc(fa);
        cb = fgetc(fb);
        assert_int_equal(ca, cb);
        n++;
    } while (ca != EOF);
    assert_true(n > 100000);
    fclose(fa);
    fclose(fb);
}

#define RTREE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, lb_test_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        RTREE_TEST(test_rtree_no_rows),          RTREE_TEST(test_rtree_one_row),
        RTREE_TEST(test_rtree_one_full_node),    RTREE_TEST(test_rtree_one_more_than_a_node),
        RTREE_TEST(test_rtree_three_levels),     RTREE_TEST(test_rtree_only_null_and_empty),
        RTREE_TEST(test_rtree_edits_after_bulk), RTREE_TEST(test_rtree_rerun_identical),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return failed;
}
