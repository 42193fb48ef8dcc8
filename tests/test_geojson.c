/* SPDX-License-Identifier: MIT */
/* Tests of the direct GeoJSON writer (io/geojson.c): its output is byte for byte what GDAL's
 * GeoJSON driver writes for the same table (lb_io_write_vector_via_gdal), over edge cases of
 * text, numbers and geometry; read back with GDAL's reader it gives the table; and it keeps
 * RFC 7946 (lon/lat, right-hand rule, no crs member). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "data/table.h"
#include "io/gdal_env.h"
#include "io/geojson.h"
#include "io/write.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <json-c/json.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef lb_test_dir fixture;

static int setup(void **state)
{
    return lb_test_dir_setup(state, "geojson");
}

/* ---- WKB builders (little or big endian) ---- */

typedef struct wkb_buf {
    unsigned char *p;
    size_t len, cap;
    int be;
} wkb_buf;

static void wb_bytes(wkb_buf *b, const unsigned char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void wb_u32(wkb_buf *b, uint32_t v)
{
    unsigned char t[4];
    for (int i = 0; i < 4; i++)
        t[b->be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
    wb_bytes(b, t, 4);
}

static void wb_f64(wkb_buf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    unsigned char t[8];
    for (int i = 0; i < 8; i++)
        t[b->be ? 7 - i : i] = (unsigned char)(u >> (8 * i));
    wb_bytes(b, t, 8);
}

static void wb_head(wkb_buf *b, uint32_t type)
{
    unsigned char o = b->be ? 0 : 1;
    wb_bytes(b, &o, 1);
    wb_u32(b, type);
}

/* A closed ring around (cx, cy): @p n distinct vertices on a wobbly circle of radius @p r,
 * counter-clockwise unless @p cw. */
static void wb_ring(wkb_buf *b, double cx, double cy, double r, int n, int cw)
{
    wb_u32(b, (uint32_t)n + 1);
    for (int i = 0; i <= n; i++) {
        int k = i % n;
        double a = 2.0 * M_PI * (cw ? -k : k) / n;
        double rr = r * (1.0 + 0.13 * sin(5.0 * a));
        wb_f64(b, cx + rr * cos(a) + 0.0037 * k);
        wb_f64(b, cy + rr * sin(a) - 0.0011 * k);
    }
}

/* A polygon (optionally with a hole) as its WKB body after the header. */
static void wb_polygon(wkb_buf *b, double cx, double cy, int hole, int cw_ext, int cw_hole)
{
    wb_head(b, 3);
    wb_u32(b, hole ? 2 : 1);
    wb_ring(b, cx, cy, 300.0, 23, cw_ext);
    if (hole)
        wb_ring(b, cx + 20.0, cy - 10.0, 90.0, 9, cw_hole);
}

static void set_geom(lb_ctx *ctx, lb_table *t, size_t r, wkb_buf *b)
{
    assert_int_equal(lb_table_set_geometry(ctx, t, r, b->p, b->len), LB_OK);
    *b = (wkb_buf){0};
}

/* ---- The table of edge cases ---- */

enum { NROWS = 12 };

/* Columns: name (text with non-ASCII, quotes, controls, slashes, NULL), code (text that reads
 * as a number), reals with 0, 2, 6 and 9 decimals and unrounded (-1), an integer column. */
static lb_table *edge_table(lb_ctx *ctx)
{
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(ctx, NROWS, &t), LB_OK);
    const char *const names[] = {"naam", "code", "r0", "r2", "r6", "r9", "raw", "n", "é/\"q\""};
    const lb_col_type types[] = {LB_COL_TEXT, LB_COL_TEXT, LB_COL_REAL, LB_COL_REAL, LB_COL_REAL,
                                 LB_COL_REAL, LB_COL_REAL, LB_COL_INT,  LB_COL_REAL};
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        lb_column *c;
        assert_int_equal(lb_table_add(ctx, t, names[k], types[k], &c), LB_OK);
    }
    static const char *const texts[NROWS] = {"Ĳsselmonde-Oost",
                                             "’s-Hertogenbosch \"Zuid\"",
                                             "a/b\\c",
                                             "tab\there\nline",
                                             "\x01\x1f",
                                             "",
                                             NULL,
                                             "0599",
                                             "{not json",
                                             "Ærø – ünïcödé",
                                             "x",
                                             "end]"};
    static const double reals[NROWS] = {2.675, -1.25,    0.0,       -0.0,        1e-5,   123456.789,
                                        NAN,   INFINITY, 1.0000001, 0.999999999, 3000.0, -0.000049};
    lb_column *naam = lb_table_col(t, "naam"), *code = lb_table_col(t, "code");
    lb_column *rc[5] = {lb_table_col(t, "r0"), lb_table_col(t, "r2"), lb_table_col(t, "r6"),
                        lb_table_col(t, "r9"), lb_table_col(t, "raw")};
    const int dec[5] = {0, 2, 6, 9, -1};
    lb_column *n = lb_table_col(t, "n"), *odd = lb_table_col(t, "é/\"q\"");
    odd->decimals = 3;
    for (size_t r = 0; r < NROWS; r++) {
        naam->text[r] = texts[r] ? lb_core_strdup(texts[r]) : NULL;
        char buf[16];
        snprintf(buf, sizeof(buf), "%04zu", r * 37);
        code->text[r] = r == 5 ? NULL : lb_core_strdup(buf);
        for (int k = 0; k < 5; k++) {
            rc[k]->decimals = dec[k];
            rc[k]->real[r] = reals[(r + (size_t)k) % NROWS] * (k == 4 ? 1.0 / 3.0 : 1.0);
        }
        n->integer[r] = r == 3 ? LB_INT_NULL : r == 4 ? INT64_C(-9007199254740993) : (int64_t)r;
        odd->real[r] = 0.1 * (double)r + 0.2;
    }
    return t;
}

/* Polygons and multipolygons around Utrecht in RD: clockwise and counter-clockwise exteriors,
 * holes wound either way, one and two parts, big-endian WKB, and a row without geometry. */
static void polygon_geometries(lb_ctx *ctx, lb_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        if (r == 6)
            continue; /* NULL geometry */
        wkb_buf b = {.be = r % 4 == 3};
        double cx = 120000.0 + 1731.0 * (double)r, cy = 455000.0 + 913.0 * (double)r;
        if (r % 3 == 2) {
            int parts = r % 2 ? 1 : 2;
            wb_head(&b, 6);
            wb_u32(&b, (uint32_t)parts);
            for (int p = 0; p < parts; p++)
                wb_polygon(&b, cx + 800.0 * p, cy, p == 0, (int)(r % 2), (int)(r % 5 == 0));
        } else {
            wb_polygon(&b, cx, cy, r % 2 == 0, (int)(r % 2), (int)(r % 4 == 0));
        }
        set_geom(ctx, t, r, &b);
    }
}

/* Lines and multilines (one and two parts). */
static void line_geometries(lb_ctx *ctx, lb_table *t)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        wkb_buf b = {.be = r % 2};
        int parts = r % 3 == 0 ? 0 : (int)(r % 2) + 1;
        if (parts)
            wb_head(&b, 5), wb_u32(&b, (uint32_t)parts);
        for (int p = 0; p < (parts ? parts : 1); p++) {
            wb_head(&b, 2);
            wb_u32(&b, 4);
            for (int i = 0; i < 4; i++) {
                wb_f64(&b, 100000.0 + 250.0 * (double)r + 31.7 * i + 500.0 * p);
                wb_f64(&b, 400000.0 + 77.3 * (double)r - 12.9 * i * i);
            }
        }
        set_geom(ctx, t, r, &b);
    }
}

/* Points and multipoints. */
static void point_geometries(lb_ctx *ctx, lb_table *t, int multi)
{
    for (size_t r = 0; r < t->n_rows; r++) {
        wkb_buf b = {.be = r % 2};
        if (multi)
            wb_head(&b, 4), wb_u32(&b, (uint32_t)(r % 3) + 1);
        for (size_t p = 0; p < (multi ? r % 3 + 1 : 1); p++) {
            wb_head(&b, 1);
            wb_f64(&b, 13000.0 + 21111.11 * (double)r + 7.0 * (double)p);
            wb_f64(&b, 306000.0 + 27777.77 * (double)r);
        }
        set_geom(ctx, t, r, &b);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

/* Does the layer mix polygons and multipolygons (then polygons are promoted)? */
static int mixes_polygons(const lb_table *t)
{
    int seen3 = 0, seen6 = 0;
    for (size_t r = 0; t->wkb && r < t->n_rows; r++)
        if (t->wkb[r]) {
            unsigned char *w = t->wkb[r];
            uint32_t ty = w[0] ? w[1] : w[4];
            seen3 |= ty == 3;
            seen6 |= ty == 6;
        }
    return seen3 && seen6;
}

/* Write @p t directly and through GDAL's driver with @p o; the files must be equal. With
 * @p direct the direct writer must have written it itself (not left it to the driver). */
static void expect_same_as_gdal_ex(fixture *fx, const lb_table *t, const lb_vector_opts *o,
                                   const char *name, int direct);

static void expect_same_as_gdal(fixture *fx, const lb_table *t, const lb_vector_opts *o,
                                const char *name)
{
    expect_same_as_gdal_ex(fx, t, o, name, 1);
}

static void expect_same_as_gdal_ex(fixture *fx, const lb_table *t, const lb_vector_opts *o,
                                   const char *name, int direct_expected)
{
    char direct[320], ref[320];
    snprintf(direct, sizeof(direct), "%s/%s.geojson", fx->dir, name);
    snprintf(ref, sizeof(ref), "%s/gdal-%s/%s.geojson", fx->dir, name, name);
    char sub[320];
    snprintf(sub, sizeof(sub), "%s/gdal-%s", fx->dir, name);
    assert_int_equal(VSIMkdir(sub, 0755), 0);
    if (direct_expected) {
        OGRSpatialReferenceH srs = t->wkb ? lb_srs_rd(fx->ctx) : NULL;
        int handled = 0;
        assert_int_equal(lb_geojson_write(fx->ctx, direct, t, o, srs, mixes_polygons(t), &handled),
                         LB_OK);
        assert_int_equal(handled, 1);
        if (srs)
            OSRRelease(srs);
    } else {
        assert_int_equal(lb_write_vector(fx->ctx, direct, t, o), LB_OK);
    }
    assert_int_equal(lb_io_write_vector_via_gdal(fx->ctx, ref, t, o), LB_OK);
    size_t na, nb;
    char *a = slurp(direct, &na), *b = slurp(ref, &nb);
    if (na != nb || memcmp(a, b, na) != 0) {
        size_t i = 0;
        while (i < na && i < nb && a[i] == b[i])
            i++;
        size_t from = i > 80 ? i - 80 : 0;
        print_message("%s: differs at byte %zu\n direct: %.160s\n   gdal: %.160s\n", name, i,
                      a + from, b + from);
        fail();
    }
    json_object *doc = json_tokener_parse(a); /* valid JSON */
    assert_non_null(doc);
    json_object_put(doc);
    free(a);
    free(b);
}

static void test_geojson_same_as_gdal_polygons(void **state)
{
    fixture *fx = *state;
    lb_table *t = edge_table(fx->ctx);
    polygon_geometries(fx->ctx, t);
    for (int rd = 0; rd < 2; rd++)
        for (int full = 0; full < 2; full++) {
            lb_vector_opts o = {.format = LB_FMT_GEOJSON, .geojson_rd = rd, .full_precision = full};
            char name[64];
            snprintf(name, sizeof(name), "polygons-%s-%s", rd ? "rd" : "rfc",
                     full ? "full" : "rounded");
            expect_same_as_gdal(fx, t, &o, name);
        }
    lb_table_destroy(t);
}

static void test_geojson_same_as_gdal_lines_points(void **state)
{
    fixture *fx = *state;
    for (int kind = 0; kind < 3; kind++) {
        lb_table *t = edge_table(fx->ctx);
        if (kind == 0)
            line_geometries(fx->ctx, t);
        else
            point_geometries(fx->ctx, t, kind == 2);
        for (int rd = 0; rd < 2; rd++) {
            lb_vector_opts o = {.format = LB_FMT_GEOJSON, .geojson_rd = rd};
            char name[64];
            snprintf(name, sizeof(name), "%s-%s",
                     kind == 0   ? "lines"
                     : kind == 1 ? "points"
                                 : "mp",
                     rd ? "rd" : "rfc");
            expect_same_as_gdal(fx, t, &o, name);
        }
        lb_table_destroy(t);
    }
}

/* No geometry column at all, no rows, no columns, a non-ASCII file name, and text the driver
 * embeds as JSON (left to the driver). */
static void test_geojson_same_as_gdal_edges(void **state)
{
    fixture *fx = *state;
    lb_vector_opts o = {.format = LB_FMT_GEOJSON};
    lb_table *t = edge_table(fx->ctx);
    expect_same_as_gdal(fx, t, &o, "no-geometry");
    lb_table_destroy(t);

    assert_int_equal(lb_table_create(fx->ctx, 0, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "a", LB_COL_REAL, &c), LB_OK);
    expect_same_as_gdal(fx, t, &o, "no-rows");
    lb_table_destroy(t);

    assert_int_equal(lb_table_create(fx->ctx, 3, &t), LB_OK);
    polygon_geometries(fx->ctx, t);
    expect_same_as_gdal(fx, t, &o, "no-columns");
    expect_same_as_gdal(fx, t, &o, "wijken Ĳsselmonde é");
    lb_table_destroy(t);

    t = edge_table(fx->ctx);
    polygon_geometries(fx->ctx, t);
    free(t->cols[0].text[1]);
    t->cols[0].text[1] = lb_core_strdup("[1, 2]");
    expect_same_as_gdal_ex(fx, t, &o, "json-text", 0);
    lb_table_destroy(t);
}

/* A vertex of the wobbly lattice of shared_tessellation(): the same point for every cell
 * around it. */
static void lattice_xy(int i, int j, double *x, double *y)
{
    *x = 150000.0 + 25.0 * i + 3.1 * sin(0.7 * i + 1.3 * j);
    *y = 450000.0 + 25.0 * j + 2.3 * cos(1.1 * i - 0.4 * j);
}

/* Cell (cx, cy) of the tessellation: the ring through the lattice vertices on its boundary,
 * @p m segments a side, counter-clockwise unless @p cw. */
static void wb_cell_ring(wkb_buf *b, int cx, int cy, int m, int cw)
{
    int n = 4 * m;
    wb_u32(b, (uint32_t)n + 1);
    for (int k = 0; k <= n; k++) {
        int s = cw ? (n - k) % n : k % n, side = s / m, t = s % m, i, j;
        if (side == 0)
            i = cx * m + t, j = cy * m;
        else if (side == 1)
            i = (cx + 1) * m, j = cy * m + t;
        else if (side == 2)
            i = (cx + 1) * m - t, j = (cy + 1) * m;
        else
            i = cx * m, j = (cy + 1) * m - t;
        double x, y;
        lattice_xy(i, j, &x, &y);
        wb_f64(b, x);
        wb_f64(b, y);
    }
}

/* Units that share their boundaries, as buurten do: every inner vertex is in two to four
 * rows, some rows are two-cell multipolygons, some rings run clockwise, the last rows repeat
 * earlier ones, and there are more distinct vertices than the writer's first cache holds. */
static lb_table *shared_tessellation(lb_ctx *ctx)
{
    enum { NX = 30, NY = 20, M = 4 };
    lb_table *t = NULL;
    size_t n = NX * NY + 3;
    assert_int_equal(lb_table_create(ctx, n, &t), LB_OK);
    lb_column *id;
    assert_int_equal(lb_table_add(ctx, t, "id", LB_COL_INT, &id), LB_OK);
    /* rows in an order that is not the lattice's, as a code order need not be */
    for (size_t r = 0; r < NX * NY; r++) {
        size_t c = (r * 7919) % (NX * NY);
        int cx = (int)(c % NX), cy = (int)(c / NX);
        wkb_buf b = {.be = r % 5 == 4};
        if (c % 11 == 3 && cx + 1 < NX) {
            wb_head(&b, 6);
            wb_u32(&b, 2);
            for (int p = 0; p < 2; p++) {
                wb_head(&b, 3);
                wb_u32(&b, 1);
                wb_cell_ring(&b, cx + p, cy, M, p);
            }
        } else {
            wb_head(&b, 3);
            wb_u32(&b, 1);
            wb_cell_ring(&b, cx, cy, M, c % 3 == 1);
        }
        id->integer[r] = (int64_t)c;
        set_geom(ctx, t, r, &b);
    }
    for (size_t r = NX * NY; r < n; r++) {
        size_t from = (r - NX * NY) * 97;
        id->integer[r] = id->integer[from];
        unsigned char *copy = malloc(t->wkb_size[from]);
        assert_non_null(copy);
        memcpy(copy, t->wkb[from], t->wkb_size[from]);
        assert_int_equal(lb_table_set_geometry(ctx, t, r, copy, t->wkb_size[from]), LB_OK);
    }
    return t;
}

/* Each vertex shared by neighbours is transformed once and reused: the file stays the
 * driver's, which transforms every geometry whole. */
static void test_geojson_shared_vertices_same_as_gdal(void **state)
{
    fixture *fx = *state;
    lb_table *t = shared_tessellation(fx->ctx);
    lb_vector_opts o = {.format = LB_FMT_GEOJSON};
    expect_same_as_gdal(fx, t, &o, "shared-rfc");
    o.full_precision = 1;
    expect_same_as_gdal(fx, t, &o, "shared-rfc-full");
    lb_table_destroy(t);
}

/* Coordinates: our formatting is GDAL's (OGR_G_ExportToJsonEx prints through the same
 * OGRFormatDouble) over values near ties, long digit runs and both signs. */
static void test_geojson_coord_format_matches_gdal(void **state)
{
    (void)state;
    static const double fixed[] = {
        0.0,         -0.0,           5.36563385,           -5.36563385,  52.00000005,
        52.00000015, 123.4567899999, -12.0000000001,       179.99999999, 1e-9,
        -1e-9,       155000.125,     155000.135,           463000.005,   12345.000000011,
        99.99999999, 1e15,           -123456789.987654321, 123.0000001,  -45.0000002,
        100.9999998, -12.3999996,    -99.9999999,          999999.995,   -1234567.8900001};
    char *opt7[] = {"COORDINATE_PRECISION=7", NULL}, *opt2[] = {"COORDINATE_PRECISION=2", NULL};
    uint64_t s = 88172645463325252ULL;
    for (size_t i = 0; i < 20000 + sizeof(fixed) / sizeof(fixed[0]); i++) {
        double v;
        if (i < sizeof(fixed) / sizeof(fixed[0])) {
            v = fixed[i];
        } else {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            double u = (double)(s >> 11) / 9007199254740992.0;
            int scale = (int)(s % 9);
            v = (u - 0.3) * pow(10.0, scale - 2);
            if (s % 5 == 0) /* exact ties at the 7th and 2nd decimal */
                v = (double)((long long)(u * 1e9)) / 1e9 * ((s % 3) ? 1 : -1);
        }
        for (int k = 0; k < 2; k++) {
            int prec = k ? 2 : 7;
            OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
            OGR_G_SetPoint_2D(p, 0, v, 0.5);
            char *json = OGR_G_ExportToJsonEx(p, k ? opt2 : opt7);
            OGR_G_DestroyGeometry(p);
            assert_non_null(json);
            const char *c = strstr(json, "[ ");
            assert_non_null(c);
            c += 2;
            size_t n = strcspn(c, ",");
            char mine[64];
            size_t len = lb_geojson_format_coord(v, prec, mine, sizeof(mine));
            if (len != n || memcmp(mine, c, n) != 0) {
                print_message("%.17g at %d decimals: ours %s, GDAL %.*s\n", v, prec, mine, (int)n,
                              c);
                fail();
            }
            CPLFree(json);
        }
    }
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    assert_true(json_object_object_get_ex(o, key, &v));
    return v;
}

/* Twice the signed area of a ring of [x, y] arrays (> 0 counter-clockwise). */
static double ring_area2(json_object *ring)
{
    double s = 0.0;
    size_t n = json_object_array_length(ring);
    for (size_t i = 0; i + 1 < n; i++) {
        json_object *a = json_object_array_get_idx(ring, i),
                    *b = json_object_array_get_idx(ring, i + 1);
        s += json_object_get_double(json_object_array_get_idx(a, 0)) *
                 json_object_get_double(json_object_array_get_idx(b, 1)) -
             json_object_get_double(json_object_array_get_idx(b, 0)) *
                 json_object_get_double(json_object_array_get_idx(a, 1));
    }
    return s;
}

/* Read back with GDAL's reader: every property equals the table's value at its decimals
 * (NULL where missing), every vertex within the written 1e-7 degrees of an independent
 * transformation of the RD vertex; json-c sees RFC 7946: no crs, lon/lat ranges, exteriors
 * counter-clockwise and holes clockwise. */
static void test_geojson_reads_back(void **state)
{
    fixture *fx = *state;
    lb_table *t = edge_table(fx->ctx);
    polygon_geometries(fx->ctx, t);
    const char *path = lb_test_path(fx, "back.geojson");
    lb_vector_opts o = {.format = LB_FMT_GEOJSON};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_OK);

    size_t len;
    char *text = slurp(path, &len);
    json_object *doc = json_tokener_parse(text);
    assert_non_null(doc);
    json_object *crs = NULL;
    assert_false(json_object_object_get_ex(doc, "crs", &crs));
    json_object *features = member(doc, "features");
    assert_int_equal(json_object_array_length(features), NROWS);
    int holes = 0;
    for (size_t i = 0; i < NROWS; i++) {
        json_object *geom = member(json_object_array_get_idx(features, i), "geometry");
        if (i == 6) {
            assert_null(geom);
            continue;
        }
        const char *type = json_object_get_string(member(geom, "type"));
        json_object *coords = member(geom, "coordinates");
        int multi = strcmp(type, "MultiPolygon") == 0;
        size_t np = multi ? json_object_array_length(coords) : 1;
        for (size_t p = 0; p < np; p++) {
            json_object *poly = multi ? json_object_array_get_idx(coords, p) : coords;
            for (size_t r = 0; r < json_object_array_length(poly); r++) {
                json_object *ring = json_object_array_get_idx(poly, r);
                assert_true(r == 0 ? ring_area2(ring) > 0 : ring_area2(ring) < 0);
                holes += r > 0;
                for (size_t k = 0; k < json_object_array_length(ring); k++) {
                    json_object *pt = json_object_array_get_idx(ring, k);
                    double x = json_object_get_double(json_object_array_get_idx(pt, 0));
                    double y = json_object_get_double(json_object_array_get_idx(pt, 1));
                    assert_true(x > 3.0 && x < 8.0 && y > 50.0 && y < 54.0);
                }
            }
        }
    }
    assert_true(holes >= 6);
    json_object_put(doc);
    free(text);

    OGRSpatialReferenceH rd = OSRNewSpatialReference(NULL), ll = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(rd, 28992), OGRERR_NONE);
    assert_int_equal(OSRImportFromEPSG(ll, 4326), OGRERR_NONE);
    OSRSetAxisMappingStrategy(rd, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(ll, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(rd, ll);
    assert_non_null(ct);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(layer, TRUE), NROWS);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    assert_int_equal(OGR_FD_GetFieldCount(defn), (int)t->n_cols);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    size_t r = 0;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const lb_column *col = &t->cols[c];
            int i = OGR_F_GetFieldIndex(f, col->name);
            assert_true(i >= 0);
            if (col->type == LB_COL_TEXT) {
                if (!col->text[r])
                    assert_true(OGR_F_IsFieldNull(f, i));
                else
                    assert_string_equal(OGR_F_GetFieldAsString(f, i), col->text[r]);
            } else if (col->type == LB_COL_INT) {
                if (col->integer[r] == LB_INT_NULL)
                    assert_true(OGR_F_IsFieldNull(f, i));
                else
                    assert_true(OGR_F_GetFieldAsInteger64(f, i) == col->integer[r]);
            } else if (!isfinite(col->real[r])) {
                assert_true(OGR_F_IsFieldNull(f, i));
            } else {
                double want = col->real[r], got = OGR_F_GetFieldAsDouble(f, i);
                double tol = col->decimals >= 0 ? 0.5 * pow(10.0, -col->decimals) + 1e-12
                                                : 1e-14 * fabs(want) + 1e-300;
                if (!(fabs(got - want) <= tol)) {
                    print_message("row %zu %s: %.17g for %.17g\n", r, col->name, got, want);
                    fail();
                }
            }
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (!t->wkb[r]) {
            assert_null(g);
        } else {
            OGRGeometryH src = NULL;
            assert_int_equal(OGR_G_CreateFromWkb(t->wkb[r], NULL, &src, (int)t->wkb_size[r]),
                             OGRERR_NONE);
            /* the same vertices, possibly in reverse ring order: compare as sets by envelope
               and by each RD vertex's transform being one of the written vertices */
            OGRGeometryH tr = OGR_G_Clone(src);
            OGR_G_AssignSpatialReference(tr, rd);
            assert_int_equal(OGR_G_Transform(tr, ct), OGRERR_NONE);
            OGREnvelope a, b;
            OGR_G_GetEnvelope(tr, &a);
            OGR_G_GetEnvelope(g, &b);
            assert_true(fabs(a.MinX - b.MinX) <= 5.1e-8 && fabs(a.MaxX - b.MaxX) <= 5.1e-8);
            assert_true(fabs(a.MinY - b.MinY) <= 5.1e-8 && fabs(a.MaxY - b.MaxY) <= 5.1e-8);
            /* 1e-7 degrees on rings ~0.005 degrees across: areas agree to ~1e-4 */
            assert_true(fabs(OGR_G_Area(tr) - OGR_G_Area(g)) <= 1e-3 * OGR_G_Area(tr));
            OGR_G_DestroyGeometry(tr);
            OGR_G_DestroyGeometry(src);
        }
        OGR_F_Destroy(f);
        r++;
    }
    assert_int_equal(r, NROWS);
    GDALClose(ds);
    OCTDestroyCoordinateTransformation(ct);
    OSRRelease(rd);
    OSRRelease(ll);
    lb_table_destroy(t);
}

/* An existing file is an error and stays as it was; a geometry the writer does not cover goes
 * through the driver without a trace of the direct attempt. */
static void test_geojson_existing_file_and_fallback(void **state)
{
    fixture *fx = *state;
    lb_table *t = edge_table(fx->ctx);
    polygon_geometries(fx->ctx, t);
    const char *path = lb_test_path(fx, "there.geojson");
    lb_test_write_text(path, "keep");
    lb_vector_opts o = {.format = LB_FMT_GEOJSON};
    assert_int_equal(lb_write_vector(fx->ctx, path, t, &o), LB_ERR_IO);
    size_t len;
    char *s = slurp(path, &len);
    assert_string_equal(s, "keep");
    free(s);
    /* a 3D point in row 11: left to the driver, which writes it */
    wkb_buf b = {0};
    wb_head(&b, 1001);
    wb_f64(&b, 155000.0);
    wb_f64(&b, 463000.0);
    wb_f64(&b, 3.5);
    free(t->wkb[11]);
    t->wkb[11] = b.p;
    t->wkb_size[11] = b.len;
    expect_same_as_gdal_ex(fx, t, &o, "with-3d", 0);
    lb_table_destroy(t);
}

#define GJ_TEST(f) cmocka_unit_test_setup_teardown(f, setup, lb_test_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        GJ_TEST(test_geojson_coord_format_matches_gdal),
        GJ_TEST(test_geojson_same_as_gdal_polygons),
        GJ_TEST(test_geojson_same_as_gdal_lines_points),
        GJ_TEST(test_geojson_same_as_gdal_edges),
        GJ_TEST(test_geojson_shared_vertices_same_as_gdal),
        GJ_TEST(test_geojson_reads_back),
        GJ_TEST(test_geojson_existing_file_and_fallback),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return failed;
}
