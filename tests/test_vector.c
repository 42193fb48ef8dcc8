/* SPDX-License-Identifier: MIT */
/* Reading vector layers: Dutch number parsing, CBS sentinels, the tiny fixtures, filters,
 * points outside the Netherlands, reprojection round trips and the CRS / field / filter errors.
 * Layers other than the static fixtures are written into a temp dir by the tests themselves. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "geom/repair.h"
#include "io/attrtable.h"
#include "io/vector.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    char tiny[512]; /* tests/data/tiny */
    char tmp[256];  /* a fresh temp dir per test */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->tiny, sizeof(f->tiny), "%s/tiny", getenv("LB_TEST_DATA"));
    if (lb_test_tmpdir(f->tmp, sizeof(f->tmp), "vector") != 0) {
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

/* Read and insist on success, printing the message otherwise. */
static lb_vlayer *read_ok(lb_ctx *ctx, const lb_source *src, const char *filter)
{
    lb_vlayer *l = NULL;
    lb_status st = lb_vlayer_read(ctx, src, filter, &l);
    if (st != LB_OK)
        print_error("%s: %s\n", lb_status_str(st), lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_non_null(l);
    return l;
}

static const lb_field *field(lb_ctx *ctx, const lb_vlayer *l, const char *name)
{
    const lb_field *fl = lb_vlayer_field(ctx, l, name);
    if (!fl)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_non_null(fl);
    return fl;
}

static void test_vector_parse_number(void **state)
{
    (void)state;
    const struct {
        const char *s;
        double v;
    } ok[] = {
        {"12,5", 12.5},
        {"12.5", 12.5},
        {" 3 ", 3.0},
        {"1.234,5", 1234.5},
        {"0", 0.0},
        {"-3,25", -3.25},
        {"\t7\t", 7.0},
        {"\"42\"", 42.0},
        {"1e3", 1000.0},
        {"12,5\r\n", 12.5},
        {"1.234.567,8", 1234567.8},
        {"-0,5", -0.5},
        {"100", 100.0},
        {"-99999996", -99999996.0},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = lb_io_parse_number(ok[i].s);
        if (!(fabs(v - ok[i].v) <= 1e-9 * fmax(1.0, fabs(ok[i].v))))
            print_error("lb_io_parse_number(\"%s\") = %.17g, want %.17g\n", ok[i].s, v, ok[i].v);
        assert_near(v, ok[i].v, 1e-9 * fmax(1.0, fabs(ok[i].v)));
    }
    const char *missing[] = {"",      ".",         "x",         "X",         "-",           "?",
                             "   ",   "-99999997", "-99999998", "-99999999", "-99999997,0", "abc",
                             "12abc", "1,2,3",     "12.5.3",    "inf",       "nan",         "1e999",
                             "\"\"",  " . "};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        double v = lb_io_parse_number(missing[i]);
        if (!isnan(v))
            print_error("lb_io_parse_number(\"%s\") = %.17g, want NaN\n", missing[i], v);
        assert_true(isnan(v));
    }
    assert_true(isnan(lb_io_parse_number(NULL)));
}

/* A number longer than the parser's internal buffer must not be silently cut short. */
static void test_vector_parse_number_long(void **state)
{
    (void)state;
    char s[80];
    memset(s, '0', sizeof(s));
    s[0] = '1';
    s[70] = '\0'; /* "1" followed by 69 zeros: 1e69 */
    double v = lb_io_parse_number(s);
    if (!isnan(v) && fabs(v - 1e69) > 1e55)
        print_error("lb_io_parse_number(1 followed by 69 zeros) = %.17g\n", v);
    assert_true(isnan(v) || fabs(v - 1e69) <= 1e55);
    /* Text longer than the buffer ending in blanks: no overrun (ASan); 12.5 or missing. */
    char t[120];
    memset(t, ' ', sizeof(t));
    memcpy(t, "12,5", 4);
    t[119] = '\0';
    double vt = lb_io_parse_number(t);
    assert_true(isnan(vt) || vt == 12.5);
}

static void test_vector_cbs_sentinel(void **state)
{
    (void)state;
    assert_true(lb_io_is_cbs_sentinel(-99999997.0));
    assert_true(lb_io_is_cbs_sentinel(-99999998.0));
    assert_true(lb_io_is_cbs_sentinel(-99999999.0));
    assert_false(lb_io_is_cbs_sentinel(-99999996.0));
    assert_false(lb_io_is_cbs_sentinel(-100000000.0));
    assert_false(lb_io_is_cbs_sentinel(99999997.0));
    assert_false(lb_io_is_cbs_sentinel(0.0));
    assert_false(lb_io_is_cbs_sentinel(NAN));
    assert_false(lb_io_is_cbs_sentinel(-99999997.5));
}

static void test_vector_read_buurten(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/buurten.geojson", f->tiny);
    lb_source src = {"buurten", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_string_equal(l->name, "buurten");
    assert_string_equal(l->path, path);
    assert_string_equal(l->layer, "buurten");
    assert_null(l->filter);
    assert_int_equal(l->kind, LB_GEOM_POLYGON);
    assert_int_equal(l->n, 4);
    assert_int_equal(l->n_skipped, 0);
    assert_null(l->x);
    assert_int_equal(l->n_rings, 4);
    /* Lower-left corners of the four 500 m squares, in file order NW, NE, SW, SE. */
    const double ll[4][2] = {
        {150000, 450500}, {150500, 450500}, {150000, 450000}, {150500, 450000}};
    for (size_t p = 0; p < 4; p++) {
        assert_near(l->area_m2[p], 250000.0, 1e-6);
        assert_int_equal(l->ring_start[p], p);
        assert_int_equal(l->ring_start[p + 1], p + 1);
        assert_int_equal(l->ring_pt_start[p], 5 * p);
        assert_int_equal(l->ring_hole[p], 0);
        assert_non_null(l->wkb[p]);
        assert_true(l->wkb_size[p] > 0);
        const double *xy = &l->ring_xy[2 * l->ring_pt_start[p]];
        double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
        for (size_t k = 0; k < 5; k++) {
            xmin = fmin(xmin, xy[2 * k]);
            xmax = fmax(xmax, xy[2 * k]);
            ymin = fmin(ymin, xy[2 * k + 1]);
            ymax = fmax(ymax, xy[2 * k + 1]);
        }
        assert_near(xmin, ll[p][0], 0.0);
        assert_near(ymin, ll[p][1], 0.0);
        assert_near(xmax, ll[p][0] + 500.0, 0.0);
        assert_near(ymax, ll[p][1] + 500.0, 0.0);
        /* Closed rings. */
        assert_near(xy[0], xy[8], 0.0);
        assert_near(xy[1], xy[9], 0.0);
    }
    assert_int_equal(l->ring_pt_start[4], 20);
    assert_near(l->xmin, 150000.0, 0.0);
    assert_near(l->ymin, 450000.0, 0.0);
    assert_near(l->xmax, 151000.0, 0.0);
    assert_near(l->ymax, 451000.0, 0.0);
    assert_int_equal(l->n_fields, 8);

    const lb_field *woz = field(ctx, l, "WOZ");
    assert_false(woz->is_string);
    assert_null(woz->str);
    assert_near(woz->num[0], 250.0, 0.0);
    assert_true(isnan(woz->num[1])); /* −99999997: secret */
    assert_near(woz->num[2], 180.0, 0.0);
    assert_true(isnan(woz->num[3]));
    assert_int_equal(woz->n_missing, 2);
    const lb_field *inw = field(ctx, l, "AANT_INW");
    const double want_inw[4] = {1000, 500, 2000, 0};
    for (size_t p = 0; p < 4; p++)
        assert_near(inw->num[p], want_inw[p], 0.0);
    assert_int_equal(inw->n_missing, 0);
    const lb_field *koop = field(ctx, l, "P_KOOPWON");
    assert_true(isnan(koop->num[3]));
    assert_int_equal(koop->n_missing, 1);
    const lb_field *code = field(ctx, l, "BU_CODE");
    assert_true(code->is_string);
    assert_string_equal(code->str[0], "BU00010001");
    assert_string_equal(code->str[3], "BU00010004");
    assert_true(isnan(code->num[0])); /* text is not a number */
    const lb_field *naam = field(ctx, l, "BU_NAAM");
    assert_string_equal(naam->str[1], "Noord-Oost");
    lb_vlayer_destroy(l);
    lb_vlayer_destroy(NULL);
    lb_ctx_destroy(ctx);
}

/* Write a GeoJSON FeatureCollection in RD with the features @p feats (JSON text). */
static void write_rd_geojson(const char *path, const char *feats)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
            "\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":[%s]}",
            feats);
    assert_int_equal(fclose(fp), 0);
}

#define SQ_HOLE                                                                                    \
    "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"a\",\"POP\":10},\"geometry\":{\"type\":"     \
    "\"Polygon\",\"coordinates\":[[[150000,450000],[150100,450000],[150100,450100],[150000,"       \
    "450100],[150000,450000]],[[150040,450040],[150060,450040],[150060,450060],[150040,450060],"   \
    "[150040,450040]]]}}"
#define SQ_B                                                                                       \
    "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"b\",\"POP\":20},\"geometry\":{\"type\":"     \
    "\"Polygon\",\"coordinates\":[[[150200,450000],[150300,450000],[150300,450050],[150200,"       \
    "450000]]]}}"
#define SQ_C                                                                                       \
    "{\"type\":\"Feature\",\"properties\":{\"POP\":null,\"NAME\":\"c\"},\"geometry\":{\"type\":"   \
    "\"MultiPolygon\",\"coordinates\":[[[[151000,451000],[151010,451000],[151010,451010],[151000," \
    "451000]]],[[[152000,452000],[152020,452000],[152020,452020],[152000,452000]]]]}}"

/* Several files bound to one name read as one layer (lb_vlayer_read_list): the same rings,
 * offsets, areas and field values as one file holding all features, fields matched by name in
 * any order; a file without matching features is fine unless all are; different fields are
 * refused naming both files and the fields. */
static void test_vector_read_list(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char pa[600], pb[600], pall[600], pbad[600];
    snprintf(pa, sizeof(pa), "%s/a.geojson", f->tmp);
    snprintf(pb, sizeof(pb), "%s/b.geojson", f->tmp);
    snprintf(pall, sizeof(pall), "%s/all.geojson", f->tmp);
    snprintf(pbad, sizeof(pbad), "%s/bad.geojson", f->tmp);
    write_rd_geojson(pa, SQ_HOLE "," SQ_B);
    /* the second file lists its fields in the other order */
    write_rd_geojson(pb, SQ_C);
    write_rd_geojson(pall, SQ_HOLE "," SQ_B "," SQ_C);
    write_rd_geojson(pbad, "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"d\",\"INW\":1},"
                           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[150000,450000]}}");
    lb_source sa = {"zones", pa, NULL, NULL}, sb = {"zones", pb, NULL, NULL};
    lb_source sall = {"zones", pall, NULL, NULL}, sbad = {"zones", pbad, NULL, NULL};
    const lb_source *two[] = {&sa, &sb};
    lb_vlayer *l = NULL, *one = read_ok(ctx, &sall, NULL);
    lb_status st = lb_vlayer_read_list(ctx, two, 2, NULL, &l);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_int_equal(l->kind, LB_GEOM_POLYGON);
    assert_int_equal(l->n, 3);
    assert_int_equal(one->n, 3);
    assert_int_equal(l->n_rings, 5);
    assert_int_equal(l->n_rings, one->n_rings);
    for (size_t p = 0; p <= 3; p++)
        assert_int_equal(l->ring_start[p], one->ring_start[p]);
    for (size_t r = 0; r <= l->n_rings; r++)
        assert_int_equal(l->ring_pt_start[r], one->ring_pt_start[r]);
    for (size_t r = 0; r < l->n_rings; r++)
        assert_int_equal(l->ring_hole[r], one->ring_hole[r]);
    assert_int_equal(l->ring_pt_start[5], 5 + 5 + 4 + 4 + 4);
    for (size_t i = 0; i < 2 * l->ring_pt_start[5]; i++)
        assert_near(l->ring_xy[i], one->ring_xy[i], 0.0);
    /* areas by hand: 100x100 less a 20x20 hole; a triangle 100x50/2; two triangles */
    const double area[3] = {10000.0 - 400.0, 2500.0, 50.0 + 200.0};
    for (size_t p = 0; p < 3; p++) {
        assert_near(l->area_m2[p], area[p], 1e-9);
        assert_int_equal(l->wkb_size[p], one->wkb_size[p]);
        assert_memory_equal(l->wkb[p], one->wkb[p], l->wkb_size[p]);
    }
    /* each feature keeps the fid it has in its own file */
    assert_int_equal(l->fid[2], 0);
    assert_near(l->xmin, 150000.0, 0.0);
    assert_near(l->xmax, 152020.0, 0.0);
    assert_near(l->ymax, 452020.0, 0.0);
    const lb_field *name = field(ctx, l, "NAME"), *pop = field(ctx, l, "POP");
    assert_string_equal(name->str[0], "a");
    assert_string_equal(name->str[2], "c");
    assert_near(pop->num[1], 20.0, 0.0);
    assert_true(isnan(pop->num[2]));
    assert_int_equal(pop->n_missing, 1);
    assert_non_null(strstr(l->path, " + "));
    lb_vlayer_destroy(l);
    lb_vlayer_destroy(one);

    /* the other order: the first file's all-null text field takes the number type */
    const lb_source *rev[] = {&sb, &sa};
    assert_int_equal(lb_vlayer_read_list(ctx, rev, 2, NULL, &l), LB_OK);
    pop = field(ctx, l, "POP");
    assert_false(pop->is_string);
    assert_null(pop->str);
    assert_true(isnan(pop->num[0]));
    assert_near(pop->num[1], 10.0, 0.0);
    assert_near(pop->num[2], 20.0, 0.0);
    assert_near(l->area_m2[0], 250.0, 1e-9);
    assert_near(l->area_m2[1], 9600.0, 1e-9);
    assert_int_equal(l->ring_start[3], 5);
    lb_vlayer_destroy(l);

    /* a filter that matches in one file only */
    l = NULL;
    assert_int_equal(lb_vlayer_read_list(ctx, two, 2, "NAME = 'c'", &l), LB_OK);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->n_rings, 2);
    assert_int_equal(l->ring_start[0], 0);
    assert_int_equal(l->ring_pt_start[2], 8);
    lb_vlayer_destroy(l);
    l = NULL;
    assert_int_equal(lb_vlayer_read_list(ctx, two, 2, "NAME = 'b'", &l), LB_OK);
    assert_int_equal(l->n, 1);
    assert_near(l->area_m2[0], 2500.0, 1e-9);
    lb_vlayer_destroy(l);
    /* ... but not in none */
    l = NULL;
    assert_int_equal(lb_vlayer_read_list(ctx, two, 2, "NAME = 'z'", &l), LB_ERR_DATA);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "NAME = 'z'"));

    /* different fields: both files and the fields named */
    const lb_source *mixed[] = {&sa, &sbad};
    assert_int_equal(lb_vlayer_read_list(ctx, mixed, 2, NULL, &l), LB_ERR_DATA);
    assert_null(l);
    const char *msg = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, pa));
    assert_non_null(strstr(msg, pbad));
    assert_non_null(strstr(msg, "only in the first: POP"));
    assert_non_null(strstr(msg, "only in the second: INW"));

    /* the same fields but another geometry type */
    write_rd_geojson(pbad, "{\"type\":\"Feature\",\"properties\":{\"NAME\":\"d\",\"POP\":1},"
                           "\"geometry\":{\"type\":\"Point\",\"coordinates\":[150000,450000]}}");
    assert_int_equal(lb_vlayer_read_list(ctx, mixed, 2, NULL, &l), LB_ERR_GEOM);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "same geometry type"));
    lb_ctx_destroy(ctx);
}

static void test_vector_filter(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/amenities.geojson", f->tiny);
    lb_source src = {"amenities", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, "CATEGORY = 'school'");
    assert_int_equal(l->kind, LB_GEOM_POINT);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->filter, "CATEGORY = 'school'");
    const double want[3][2] = {{150450, 450450}, {150460, 450470}, {149000, 449000}};
    for (size_t i = 0; i < 3; i++) {
        assert_near(l->x[i], want[i][0], 0.0);
        assert_near(l->y[i], want[i][1], 0.0);
    }
    assert_near(l->xmin, 149000.0, 0.0);
    assert_near(l->ymin, 449000.0, 0.0);
    assert_near(l->xmax, 150460.0, 0.0);
    assert_near(l->ymax, 450470.0, 0.0);
    const lb_field *cat = field(ctx, l, "CATEGORY");
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(cat->str[i], "school");
    lb_vlayer_destroy(l);
    l = read_ok(ctx, &src, "CATEGORY = 'supermarket'");
    assert_int_equal(l->n, 2);
    lb_vlayer_destroy(l);
    l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 5);
    lb_vlayer_destroy(l);
    /* A filter that keeps nothing is an error naming the filter. */
    l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &src, "CATEGORY = 'bakery'", &l), LB_ERR_DATA);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "CATEGORY = 'bakery'"));
    lb_ctx_destroy(ctx);
}

static void test_vector_bad_filter(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/amenities.geojson", f->tiny);
    lb_source src = {"amenities", path, NULL, NULL};
    const char *bad[] = {"CATEGORY = = 'school'", "NO_SUCH_FIELD = 1", "CATEGORY = 'school"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lb_vlayer *l = NULL;
        lb_status st = lb_vlayer_read(ctx, &src, bad[i], &l);
        if (st != LB_ERR_DATA)
            print_error("filter \"%s\": %s (%s)\n", bad[i], lb_status_str(st), lb_ctx_errmsg(ctx));
        assert_int_equal(st, LB_ERR_DATA);
        assert_null(l);
        assert_non_null(strstr(lb_ctx_errmsg(ctx), bad[i]));
        assert_non_null(strstr(lb_ctx_errmsg(ctx), "filter"));
    }
    lb_ctx_destroy(ctx);
}

static void test_vector_missing_field(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/buurten.geojson", f->tiny);
    lb_source src = {"buurten", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_null(lb_vlayer_field(ctx, l, "AANT_INWONERS"));
    const char *msg = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, "no field 'AANT_INWONERS'"));
    assert_non_null(strstr(msg, "buurten"));
    const char *names[] = {"BU_CODE",  "BU_NAAM",   "WK_CODE", "GM_CODE",
                           "AANT_INW", "P_KOOPWON", "WOZ",     "P_LINK_HH"};
    for (size_t i = 0; i < 8; i++)
        assert_non_null(strstr(msg, names[i]));
    /* Field names are case-sensitive. */
    assert_null(lb_vlayer_field(ctx, l, "woz"));
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

static void test_vector_open_errors(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    lb_vlayer *l = NULL;
    snprintf(path, sizeof(path), "%s/no-such-file.gpkg", f->tmp);
    lb_source src = {"x", path, NULL, NULL};
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no-such-file.gpkg"));
    /* A file that is not a vector dataset. */
    snprintf(path, sizeof(path), "%s/junk.geojson", f->tmp);
    lb_test_write_text(path, "this is not json {");
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_IO);
    /* A layer that does not exist: the message lists the layers there are. */
    snprintf(path, sizeof(path), "%s/buurten.geojson", f->tiny);
    lb_source nolayer = {"buurten", path, "wijken", NULL};
    assert_int_equal(lb_vlayer_read(ctx, &nolayer, NULL, &l), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no layer 'wijken'"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "buurten"));
    /* An empty layer. */
    snprintf(path, sizeof(path), "%s/empty.geojson", f->tiny);
    lb_source empty = {"empty", path, NULL, NULL};
    assert_int_equal(lb_vlayer_read(ctx, &empty, NULL, &l), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no features"));
    /* RD metres in a GeoJSON without a crs member. */
    snprintf(path, sizeof(path), "%s/buurten_nocrs.geojson", f->tiny);
    lb_source nocrs = {"buurten", path, NULL, NULL};
    assert_int_equal(lb_vlayer_read(ctx, &nocrs, NULL, &l), LB_ERR_CRS);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "EPSG:28992"));
    assert_null(l);
    /* ... which reads with an explicit source CRS. */
    nocrs.s_srs = "EPSG:28992";
    l = read_ok(ctx, &nocrs, NULL);
    assert_int_equal(l->n, 4);
    assert_near(l->xmin, 150000.0, 0.0);
    lb_vlayer_destroy(l);
    l = NULL;
    /* An s_srs that is not a CRS. */
    nocrs.s_srs = "EPSG:nonsense";
    assert_int_equal(lb_vlayer_read(ctx, &nocrs, NULL, &l), LB_ERR_CRS);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "EPSG:nonsense"));
    assert_null(l);
    lb_ctx_destroy(ctx);
}

static const char point_rd_json[] =
    "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
    "\"urn:ogc:def:crs:EPSG::28992\"}}, \"features\": [\n"
    "{\"type\": \"Feature\", \"properties\": {\"id\": 1}, \"geometry\": {\"type\": \"Point\", "
    "\"coordinates\": [0, 0]}},\n"
    "{\"type\": \"Feature\", \"properties\": {\"id\": 2}, \"geometry\": {\"type\": \"Point\", "
    "\"coordinates\": [155000, 463000]}}]}\n";

/* WGS84 by RFC 7946 (no crs member): (0, 0) and the Onze Lieve Vrouwetoren in Amersfoort. */
static const char point_ll_json[] =
    "{\"type\": \"FeatureCollection\", \"features\": [\n"
    "{\"type\": \"Feature\", \"properties\": {\"id\": 1}, \"geometry\": {\"type\": \"Point\", "
    "\"coordinates\": [0, 0]}},\n"
    "{\"type\": \"Feature\", \"properties\": {\"id\": 2}, \"geometry\": {\"type\": \"Point\", "
    "\"coordinates\": [5.38720621, 52.15517440]}}]}\n";

static void test_vector_points_outside_nl_skipped(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/points_rd.geojson", f->tmp);
    lb_test_write_text(path, point_rd_json);
    lb_source src = {"pts", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->n_skipped, 1);
    assert_near(l->x[0], 155000.0, 0.0);
    assert_near(l->y[0], 463000.0, 0.0);
    assert_near(field(ctx, l, "id")->num[0], 2.0, 0.0);
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "outside the Netherlands"));
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "points_rd.geojson"));
    lb_vlayer_destroy(l);

    snprintf(path, sizeof(path), "%s/points_ll.geojson", f->tmp);
    lb_test_write_text(path, point_ll_json);
    l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->n_skipped, 1);
    /* The Amersfoort tower is the origin of RD: (155000, 463000) to within a metre. */
    assert_near(l->x[0], 155000.0, 1.0);
    assert_near(l->y[0], 463000.0, 1.0);
    assert_int_equal(lb_ctx_warning_count(ctx), 2);
    assert_non_null(strstr(lb_ctx_warning(ctx, 1), "outside the Netherlands"));
    lb_vlayer_destroy(l);

    /* Only points outside: no usable feature at all is an error. */
    snprintf(path, sizeof(path), "%s/points_out.geojson", f->tmp);
    lb_test_write_text(path,
                       "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", "
                       "\"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::28992\"}}, "
                       "\"features\": [{\"type\": \"Feature\", \"properties\": {}, \"geometry\": "
                       "{\"type\": \"Point\", \"coordinates\": [0, 0]}}]}\n");
    l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_DATA);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "usable geometry"));
    lb_ctx_destroy(ctx);
}

/* Write a GeoJSON with one polygon feature (property v = 1.5) whose ring is the 5 points
 * xy[0..4]; with @p rd the file declares EPSG:28992, otherwise it is WGS84 (RFC 7946). */
static void write_square(const char *path, int rd, const double xy[5][2])
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "{\"type\": \"FeatureCollection\", %s\"features\": [{\"type\": "
            "\"Feature\", \"properties\": {\"v\": 1.5}, \"geometry\": {\"type\": "
            "\"Polygon\", \"coordinates\": [[",
            rd ? "\"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
                 "\"urn:ogc:def:crs:EPSG::28992\"}}, "
               : "");
    for (int i = 0; i < 5; i++)
        fprintf(fp, "%s[%.17g, %.17g]", i ? ", " : "", xy[i][0], xy[i][1]);
    fprintf(fp, "]]}}]}\n");
    assert_int_equal(fclose(fp), 0);
}

/* A square in RD (two corners not on round numbers), written once in EPSG:28992 and once
 * transformed to EPSG:4326 with OGR here, read back in RD. */
static void test_vector_reprojection_round_trip(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    const double rd[5][2] = {{155012.25, 463017.5},
                             {155612.25, 463017.5},
                             {155612.25, 463617.5},
                             {155012.25, 463617.5},
                             {155012.25, 463017.5}};
    OGRSpatialReferenceH s_rd = OSRNewSpatialReference(NULL);
    OGRSpatialReferenceH s_ll = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(s_rd, 28992), OGRERR_NONE);
    assert_int_equal(OSRImportFromEPSG(s_ll, 4326), OGRERR_NONE);
    OSRSetAxisMappingStrategy(s_rd, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(s_ll, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(s_rd, s_ll);
    assert_non_null(ct);
    double lon[5], lat[5];
    for (int i = 0; i < 5; i++) {
        lon[i] = rd[i][0];
        lat[i] = rd[i][1];
    }
    assert_true(OCTTransform(ct, 5, lon, lat, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRRelease(s_rd);
    OSRRelease(s_ll);
    /* Sanity: near Amersfoort, in degrees, lon first. */
    assert_near(lon[0], 5.387, 0.01);
    assert_near(lat[0], 52.155, 0.01);

    char path_rd[600], path_ll[600];
    snprintf(path_rd, sizeof(path_rd), "%s/square_rd.geojson", f->tmp);
    write_square(path_rd, 1, rd);
    snprintf(path_ll, sizeof(path_ll), "%s/square_ll.geojson", f->tmp);
    double ll[5][2];
    for (int i = 0; i < 5; i++) {
        ll[i][0] = lon[i];
        ll[i][1] = lat[i];
    }
    write_square(path_ll, 0, (const double(*)[2])ll);

    lb_source a = {"a", path_rd, NULL, NULL}, b = {"b", path_ll, NULL, NULL};
    lb_vlayer *la = read_ok(ctx, &a, NULL), *lb = read_ok(ctx, &b, NULL);
    assert_int_equal(la->n_rings, 1);
    assert_int_equal(lb->n_rings, 1);
    assert_int_equal(la->ring_pt_start[1], 5);
    assert_int_equal(lb->ring_pt_start[1], 5);
    for (int i = 0; i < 5; i++) {
        /* RD in, RD out: no transformation at all. */
        assert_near(la->ring_xy[2 * i], rd[i][0], 0.0);
        assert_near(la->ring_xy[2 * i + 1], rd[i][1], 0.0);
        /* Through WGS84 and back: the same pipeline inverted, well under a millimetre. */
        assert_near(lb->ring_xy[2 * i], rd[i][0], 1e-3);
        assert_near(lb->ring_xy[2 * i + 1], rd[i][1], 1e-3);
    }
    assert_near(la->area_m2[0], 360000.0, 1e-6);
    assert_near(lb->area_m2[0], 360000.0, 1.0);
    assert_near(lb->xmin, 155012.25, 1e-3);
    assert_near(lb->ymax, 463617.5, 1e-3);
    assert_near(field(ctx, lb, "v")->num[0], 1.5, 0.0);
    lb_vlayer_destroy(la);
    lb_vlayer_destroy(lb);
    lb_ctx_destroy(ctx);
}

/* A Shapefile written without a .prj: refused unless the caller names the CRS. */
static void test_vector_shapefile_without_prj(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/noprj.shp", f->tmp);
    GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "noprj", NULL, wkbPolygon, NULL);
    assert_non_null(lyr);
    OGRFieldDefnH fd = OGR_Fld_Create("VAL", OFTReal);
    assert_int_equal(OGR_L_CreateField(lyr, fd, TRUE), OGRERR_NONE);
    OGR_Fld_Destroy(fd);
    OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    OGRGeometryH g = NULL;
    char wkt_buf[] = "POLYGON ((150000 450000,150200 450000,150200 450100,150000 450100,"
                     "150000 450000))";
    char *wkt = wkt_buf;
    assert_int_equal(OGR_G_CreateFromWkt(&wkt, NULL, &g), OGRERR_NONE);
    OGR_F_SetGeometryDirectly(feat, g);
    OGR_F_SetFieldDouble(feat, 0, 3.5);
    assert_int_equal(OGR_L_CreateFeature(lyr, feat), OGRERR_NONE);
    OGR_F_Destroy(feat);
    GDALClose(ds);
    char prj[600];
    snprintf(prj, sizeof(prj), "%s/noprj.prj", f->tmp);
    FILE *fp = fopen(prj, "r");
    assert_null(fp); /* really no .prj */

    lb_source src = {"sh", path, NULL, NULL};
    lb_vlayer *l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_CRS);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--s-srs"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "noprj.shp"));
    src.s_srs = "EPSG:28992";
    l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 1);
    assert_near(l->area_m2[0], 20000.0, 1e-6);
    assert_near(l->xmin, 150000.0, 0.0);
    assert_near(l->ymax, 450100.0, 0.0);
    assert_near(field(ctx, l, "VAL")->num[0], 3.5, 0.0);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

/* Holes and multipolygons: rings flagged, area = shells − holes. */
static void test_vector_holes_and_multipolygons(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/holes.geojson", f->tmp);
    lb_test_write_text(
        path, "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": "
              "{\"name\": \"urn:ogc:def:crs:EPSG::28992\"}}, \"features\": [\n"
              "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
              "\"Polygon\", \"coordinates\": [[[150000, 450000], [150300, 450000], [150300, "
              "450300], [150000, 450300], [150000, 450000]], [[150100, 450100], [150100, "
              "450200], [150200, 450200], [150200, 450100], [150100, 450100]]]}},\n"
              "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
              "\"MultiPolygon\", \"coordinates\": [[[[151000, 450000], [151100, 450000], "
              "[151100, 450100], [151000, 450000]]], [[[151200, 450000], [151400, 450000], "
              "[151400, 450050], [151200, 450050], [151200, 450000]]]]}}]}\n");
    lb_source src = {"h", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->n_rings, 4);
    assert_int_equal(l->ring_start[0], 0);
    assert_int_equal(l->ring_start[1], 2);
    assert_int_equal(l->ring_start[2], 4);
    assert_int_equal(l->ring_hole[0], 0);
    assert_int_equal(l->ring_hole[1], 1);
    assert_int_equal(l->ring_hole[2], 0);
    assert_int_equal(l->ring_hole[3], 0);
    assert_int_equal(l->ring_pt_start[2], 10);
    assert_int_equal(l->ring_pt_start[3], 14);
    assert_int_equal(l->ring_pt_start[4], 19);
    assert_near(l->area_m2[0], 90000.0 - 10000.0, 1e-6);
    assert_near(l->area_m2[1], 5000.0 + 10000.0, 1e-6);
    assert_near(l->xmax, 151400.0, 0.0);
    assert_near(l->ymax, 450300.0, 0.0);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

/* Read @p path both ways: lb_vlayer_read (with WKB) and lb_vlayer_read_rings. The rings, areas
 * and extents agree; the WKB that lb_vlayer_polygon_wkb gives for each feature of either is the
 * reader's byte for byte. Returns whether the rings-only layer kept WKB after all. */
static int same_both_ways(lb_ctx *ctx, const char *path, int repair)
{
    lb_source src = {"r", path, NULL, NULL};
    lb_vlayer *full = read_ok(ctx, &src, NULL), *rings = NULL;
    lb_status st = lb_vlayer_read_rings(ctx, &src, NULL, &rings);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    if (repair) {
        assert_int_equal(lb_geom_make_valid_layer(ctx, full, NULL), LB_OK);
        assert_int_equal(lb_geom_make_valid_layer(ctx, rings, NULL), LB_OK);
    }
    assert_non_null(full->wkb);
    assert_int_equal(rings->n, full->n);
    assert_int_equal(rings->n_rings, full->n_rings);
    size_t np = full->ring_pt_start[full->n_rings];
    assert_memory_equal(rings->ring_start, full->ring_start, (full->n + 1) * sizeof(size_t));
    assert_memory_equal(rings->ring_pt_start, full->ring_pt_start,
                        (full->n_rings + 1) * sizeof(size_t));
    assert_memory_equal(rings->ring_hole, full->ring_hole, full->n_rings * sizeof(int));
    assert_memory_equal(rings->ring_xy, full->ring_xy, 2 * np * sizeof(double));
    assert_memory_equal(rings->area_m2, full->area_m2, full->n * sizeof(double));
    assert_true(rings->xmin == full->xmin && rings->ymax == full->ymax);
    for (size_t k = 0; k < full->n; k++) {
        size_t size = 0;
        int own = 0;
        const unsigned char *w = lb_vlayer_polygon_wkb(rings, k, &size, &own);
        assert_non_null(w);
        assert_int_equal(own, rings->wkb == NULL);
        assert_int_equal(size, full->wkb_size[k]);
        assert_memory_equal(w, full->wkb[k], size);
        if (own)
            free((void *)w);
        /* and the full layer hands out its own */
        w = lb_vlayer_polygon_wkb(full, k, &size, &own);
        assert_ptr_equal(w, full->wkb[k]);
        assert_int_equal(own, 0);
    }
    int kept = rings->wkb != NULL;
    lb_vlayer_destroy(rings);
    lb_vlayer_destroy(full);
    return kept;
}

/* A polygon layer read for its rings only keeps no WKB (the area-mode units: 79 MB of the
 * national buurten) and writes each feature's WKB back from the rings, the reader's bytes:
 * polygons with holes, multipolygons, a 3D polygon, a reprojected layer and a repaired one. A
 * multipolygon with an empty part, which the rings cannot give back, makes the layer keep the
 * WKB of every feature. */
static void test_vector_rings_only(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/rings.geojson", f->tmp);
    write_rd_geojson(path, SQ_HOLE
                     "," SQ_B "," SQ_C
                     ",{\"type\":\"Feature\",\"properties\":{\"NAME\":\"z\",\"POP\":1},"
                     "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[153000,453000,1],"
                     "[153010,453000,2],[153010,453010,3],[153000,453000,1]]]}}");
    assert_false(same_both_ways(ctx, path, 0));
    /* lon/lat, reprojected to RD on reading */
    snprintf(path, sizeof(path), "%s/wgs.geojson", f->tmp);
    lb_test_write_text(path, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                             "\"properties\":{},\"geometry\":{\"type\":\"MultiPolygon\","
                             "\"coordinates\":[[[[5.1,52.1],[5.2,52.1],[5.2,52.2],[5.1,52.1]],"
                             "[[5.15,52.11],[5.18,52.11],[5.18,52.12],[5.15,52.11]]]]}}]}");
    assert_false(same_both_ways(ctx, path, 0));
    /* a bow-tie and a collapsed square, repaired: the WKB of the repaired rings is the one
     * GEOS wrote for the layer with WKB */
    snprintf(path, sizeof(path), "%s/bad.geojson", f->tmp);
    write_rd_geojson(path, SQ_B ",{\"type\":\"Feature\",\"properties\":{\"NAME\":\"x\",\"POP\":1},"
                                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[150300,"
                                "450000],[150300,450100],[150400,450000],[150400,450100],[150300,"
                                "450000]]]}},{\"type\":\"Feature\",\"properties\":{\"NAME\":\"y\","
                                "\"POP\":1},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[["
                                "150200,450000],[150200,450100],[150200,450100],[150200,450000],["
                                "150200,450000]]]}}");
    assert_false(same_both_ways(ctx, path, 1));
    /* an empty part (a GeoPackage keeps it; GeoJSON drops it): the rings do not say it, so the
     * layer keeps its WKB, also of the feature before */
    snprintf(path, sizeof(path), "%s/empty.gpkg", f->tmp);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH rd = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(rd, 28992), OGRERR_NONE);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "e", rd, wkbMultiPolygon, NULL);
    assert_non_null(lyr);
    static const char *const wkt[] = {
        "MULTIPOLYGON (((150200 450000,150300 450000,150300 450050,150200 450000)))",
        "MULTIPOLYGON (((151000 451000,151010 451000,151010 451010,151000 451000)),EMPTY)"};
    for (int i = 0; i < 2; i++) {
        OGRGeometryH g = NULL;
        char *text = (char *)wkt[i];
        assert_int_equal(OGR_G_CreateFromWkt(&text, rd, &g), OGRERR_NONE);
        if (i == 1) /* the parser may drop the empty part: add one */
            while (OGR_G_GetGeometryCount(g) < 2)
                OGR_G_AddGeometryDirectly(g, OGR_G_CreateGeometry(wkbPolygon));
        OGRFeatureH ft = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        OGR_F_SetGeometryDirectly(ft, g);
        assert_int_equal(OGR_L_CreateFeature(lyr, ft), OGRERR_NONE);
        OGR_F_Destroy(ft);
    }
    OSRRelease(rd);
    GDALClose(ds);
    assert_true(same_both_ways(ctx, path, 0));
    lb_ctx_destroy(ctx);
}

/* Repairing a layer checks every polygon (squares without GEOS, the rest with it, on any number
 * of threads) and rebuilds the rings only when one is invalid. Among the 5-point rings that look
 * like squares: a zero-width one (a == c), one with a wrong corner and a bow-tie are invalid. */
static void test_vector_repair_checks_each_polygon(void **state)
{
    fixture *f = *state;
    static const char *const rings[] = {
        "[[150000,450000],[150000,450100],[150100,450100],[150100,450000],[150000,450000]]",
        "[[150100,450000],[150200,450000],[150200,450100],[150100,450100],[150100,450000]]",
        "[[150200,450000],[150200,450100],[150200,450100],[150200,450000],[150200,450000]]",
        "[[150300,450000],[150300,450100],[150400,450000],[150400,450100],[150300,450000]]",
        "[[150500,450000],[150500,450100],[150600,450100],[150600,450050],[150500,450000]]",
        "[[150700,450000],[150800,450000],[150800,450100],[150700,450100],[150700,450000]]",
    };
    /* is each valid; the zero-width square collapses to nothing, the bow-tie to 2 triangles */
    static const int valid[] = {1, 1, 0, 0, 1, 1};
    for (int case_ = 0; case_ < 2; case_++) {
        for (int threads = 1; threads <= 2; threads++) {
            lb_ctx *ctx = lb_test_ctx();
            assert_int_equal(lb_ctx_set_threads(ctx, threads), LB_OK);
            char path[600], text[4096];
            snprintf(path, sizeof(path), "%s/sq%d%d.geojson", f->tmp, case_, threads);
            size_t o = (size_t)snprintf(
                text, sizeof(text),
                "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", "
                "\"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::28992\"}}, \"features\": [");
            /* case 0: the valid polygons only; case 1: all */
            int n = 0;
            for (int i = 0; i < 6; i++) {
                if (case_ == 0 && !valid[i])
                    continue;
                o += (size_t)snprintf(text + o, sizeof(text) - o,
                                      "%s{\"type\": \"Feature\", \"properties\": {\"k\": %d}, "
                                      "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
                                      "[%s]}}\n",
                                      n ? "," : "", i, rings[i]);
                n++;
            }
            snprintf(text + o, sizeof(text) - o, "]}\n");
            lb_test_write_text(path, text);
            lb_source src = {"sq", path, NULL, NULL};
            lb_vlayer *l = read_ok(ctx, &src, NULL);
            assert_int_equal(l->n, (size_t)n);
            const double *xy_before = l->ring_xy;
            size_t repaired = 99;
            assert_int_equal(lb_geom_make_valid_layer(ctx, l, &repaired), LB_OK);
            if (case_ == 0) {
                /* nothing to repair: the rings are the ones read, not a copy */
                assert_int_equal(repaired, 0);
                assert_ptr_equal(l->ring_xy, xy_before);
                assert_int_equal(l->n_rings, 4);
            } else {
                assert_int_equal(repaired, 2);
                /* 3 squares and the quadrilateral of 1 ring each, the bow-tie's 2 triangles, none
                 * for the collapsed square */
                assert_int_equal(l->n_rings, 6);
                assert_int_equal(l->ring_start[2] - l->ring_start[1], 1);
                assert_int_equal(l->ring_start[3] - l->ring_start[2], 0);
                assert_int_equal(l->ring_start[4] - l->ring_start[3], 2);
                assert_near(l->area_m2[2], 0.0, 0.0);
                assert_near(l->area_m2[3], 5000.0, 1e-6);
            }
            lb_vlayer_destroy(l);
            lb_ctx_destroy(ctx);
        }
    }
}

static void test_vector_lines_and_bad_geometry(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    const char *rdcrs = "\"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
                        "\"urn:ogc:def:crs:EPSG::28992\"}}";
    char path[600], json[2048];
    snprintf(path, sizeof(path), "%s/lines.geojson", f->tmp);
    snprintf(json, sizeof(json),
             "{\"type\": \"FeatureCollection\", %s, \"features\": [\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
             "\"LineString\", \"coordinates\": [[150000, 450000], [150500, 450800], [149900, "
             "450100]]}},\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
             "\"MultiLineString\", \"coordinates\": [[[151000, 449000], [151100, 449000]], "
             "[[151000, 451000], [151200, 451500]]]}},\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": null}]}\n",
             rdcrs);
    lb_test_write_text(path, json);
    lb_source src = {"l", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->kind, LB_GEOM_LINE);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->n_skipped, 1); /* the null geometry */
    assert_near(l->xmin, 149900.0, 0.0);
    assert_near(l->ymin, 449000.0, 0.0);
    assert_near(l->xmax, 151200.0, 0.0);
    assert_near(l->ymax, 451500.0, 0.0);
    assert_null(l->area_m2);
    /* The parts and vertices of the lines, which the spatial index reads (it has no OGR). */
    static const double xy[] = {150000, 450000, 150500, 450800, 149900, 450100, 151000,
                                449000, 151100, 449000, 151000, 451000, 151200, 451500};
    static const size_t part_start[] = {0, 1, 3}, part_pt[] = {0, 3, 5, 7};
    assert_int_equal(l->n_parts, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(l->part_start[i], part_start[i]);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(l->part_pt_start[i], part_pt[i]);
    for (size_t i = 0; i < 14; i++)
        assert_near(l->part_xy[i], xy[i], 0.0);
    lb_vlayer_destroy(l);
    /* Two files bound to one name: the second file's parts follow the first's. */
    const lb_source *twice[] = {&src, &src};
    l = NULL;
    assert_int_equal(lb_vlayer_read_list(ctx, twice, 2, NULL, &l), LB_OK);
    assert_int_equal(l->n, 4);
    assert_int_equal(l->n_parts, 6);
    static const size_t part_start2[] = {0, 1, 3, 4, 6}, part_pt2[] = {0, 3, 5, 7, 10, 12, 14};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(l->part_start[i], part_start2[i]);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(l->part_pt_start[i], part_pt2[i]);
    for (size_t i = 0; i < 28; i++)
        assert_near(l->part_xy[i], xy[i % 14], 0.0);
    lb_vlayer_destroy(l);

    /* Points and polygons in one layer. */
    snprintf(path, sizeof(path), "%s/mixed.geojson", f->tmp);
    snprintf(json, sizeof(json),
             "{\"type\": \"FeatureCollection\", %s, \"features\": [\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"Point\", "
             "\"coordinates\": [150000, 450000]}},\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
             "\"Polygon\", \"coordinates\": [[[150000, 450000], [150100, 450000], [150100, "
             "450100], [150000, 450000]]]}}]}\n",
             rdcrs);
    lb_test_write_text(path, json);
    l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_GEOM);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "polygon geometry in a point layer"));

    /* A multipoint of one point is a point; of two points it is refused. */
    snprintf(path, sizeof(path), "%s/multi.geojson", f->tmp);
    snprintf(json, sizeof(json),
             "{\"type\": \"FeatureCollection\", %s, \"features\": [\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
             "\"MultiPoint\", \"coordinates\": [[150010, 450020]]}}]}\n",
             rdcrs);
    lb_test_write_text(path, json);
    l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->kind, LB_GEOM_POINT);
    assert_near(l->x[0], 150010.0, 0.0);
    assert_near(l->y[0], 450020.0, 0.0);
    lb_vlayer_destroy(l);
    snprintf(json, sizeof(json),
             "{\"type\": \"FeatureCollection\", %s, \"features\": [\n"
             "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
             "\"MultiPoint\", \"coordinates\": [[150010, 450020], [150030, 450040]]}}]}\n",
             rdcrs);
    lb_test_write_text(path, json);
    l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_GEOM);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "explode"));
    lb_ctx_destroy(ctx);
}

/* Many bad points: one warning with the count and the first five feature ids. Points beyond
 * an extent are reported by lb_vlayer_report_outside() the same way. */
static void test_vector_outside_reported_once(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600], doc[4096] = "";
    snprintf(path, sizeof(path), "%s/many.geojson", f->tmp);
    strcat(doc, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (int i = 0; i < 8; i++) {
        char one[200];
        /* ids 10..17; the odd ones at (0,0), the even ones in Amersfoort, 100 m apart */
        snprintf(one, sizeof(one),
                 "%s{\"type\":\"Feature\",\"id\":%d,\"properties\":{},\"geometry\":{\"type\":"
                 "\"Point\",\"coordinates\":[%s]}}",
                 i ? "," : "", 10 + i, i % 2 ? "0,0" : (i == 0 ? "5.3872,52.1552" : "5.40,52.16"));
        strcat(doc, one);
    }
    strcat(doc, "]}");
    lb_test_write_text(path, doc);
    lb_source src = {"pts", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 4);
    assert_int_equal(l->n_outside, 4);
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    const char *w = lb_ctx_warning(ctx, 0);
    assert_non_null(strstr(w, "many.geojson"));
    assert_non_null(strstr(w, "4 point(s) lie outside the Netherlands"));
    assert_non_null(strstr(w, "(features 11, 13, 15, 17)"));
    /* an extent around the first point only: the three others (1 km east) are outside */
    double ext[4] = {l->x[0] - 10, l->y[0] - 10, l->x[0] + 10, l->y[0] + 10};
    assert_int_equal(lb_vlayer_report_outside(ctx, l, ext, 50.0), 3);
    assert_int_equal(lb_ctx_warning_count(ctx), 2);
    assert_non_null(strstr(lb_ctx_warning(ctx, 1), "3 point(s) lie outside the run's extent "
                                                   "grown by 50 m"));
    assert_non_null(strstr(lb_ctx_warning(ctx, 1), "(features 12, 14, 16)"));
    assert_int_equal(lb_vlayer_report_outside(ctx, l, ext, 5000.0), 0);
    assert_int_equal(lb_ctx_warning_count(ctx), 2);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

/* Attribute tables: a StatLine-like CSV (BOM, ';', quotes, padded codes, decimal comma, "."
 * and "x"), a DBF with CBS sentinels; a table given where geometry is needed; the StatLine
 * table layout refused with the export to take instead. */
static void test_vector_tables(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char csv[600], dbf[600], tl[600];
    snprintf(csv, sizeof(csv), "%s/statline.csv", f->tmp);
    snprintf(tl, sizeof(tl), "%s/tabelindeling.csv", f->tmp);
    snprintf(dbf, sizeof(dbf), "%s/kwb.dbf", f->tmp);
    lb_test_write_text(csv, "\xEF\xBB\xBF\"Perioden\";\"Codering (code)\";\"Inwoners (aantal)\";"
                            "\"Dichtheid (per km2)\"\n"
                            "\"2021\";\"GM0001    \";\"   12500\";\"  1234,5\"\n"
                            "\"2021\";\"WK000101  \";\"       x\";\"       .\"\n"
                            "\"2021\";\"BU00010101\";\"    -99999997\";\"  0,75\"\n");
    lb_source src = {"sl", csv, NULL, NULL};
    lb_vlayer *t = NULL;
    lb_status st = lb_vlayer_read_table(ctx, &src, &t);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_int_equal(t->kind, LB_GEOM_NONE);
    assert_int_equal(t->n, 3);
    const lb_field *code = field(ctx, t, "Codering (code)");
    const lb_field *inw = field(ctx, t, "Inwoners (aantal)");
    const lb_field *dens = field(ctx, t, "Dichtheid (per km2)");
    assert_string_equal(code->str[0], "GM0001");
    assert_string_equal(code->str[1], "WK000101");
    assert_near(inw->num[0], 12500, 0);
    assert_true(isnan(inw->num[1]));
    assert_true(isnan(inw->num[2]));
    assert_int_equal(inw->n_missing, 2);
    assert_near(dens->num[0], 1234.5, 1e-12);
    assert_true(isnan(dens->num[1]));
    assert_near(dens->num[2], 0.75, 1e-15);
    assert_int_equal(dens->n_missing, 1);
    lb_vlayer_destroy(t);

    /* DBF written through GDAL with integer sentinels */
    GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
    GDALDatasetH ds = GDALCreate(drv, dbf, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "kwb", NULL, wkbNone, NULL);
    OGRFieldDefnH fc = OGR_Fld_Create("WK_CODE", OFTString),
                  fi = OGR_Fld_Create("AANT_INW", OFTInteger);
    OGR_L_CreateField(lyr, fc, 1);
    OGR_L_CreateField(lyr, fi, 1);
    OGR_Fld_Destroy(fc);
    OGR_Fld_Destroy(fi);
    const int vals[] = {1500, -99999997, -99999998, -99999999, 0};
    for (int i = 0; i < 5; i++) {
        OGRFeatureH ft = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        char c[16];
        snprintf(c, sizeof(c), "WK00010%d", i);
        OGR_F_SetFieldString(ft, 0, c);
        OGR_F_SetFieldInteger(ft, 1, vals[i]);
        assert_int_equal(OGR_L_CreateFeature(lyr, ft), OGRERR_NONE);
        OGR_F_Destroy(ft);
    }
    GDALClose(ds);
    lb_source dsrc = {"kwb", dbf, NULL, NULL};
    assert_int_equal(lb_vlayer_read_table(ctx, &dsrc, &t), LB_OK);
    const lb_field *a = field(ctx, t, "AANT_INW");
    assert_int_equal(t->n, 5);
    assert_int_equal(a->n_missing, 3);
    assert_near(a->num[0], 1500, 0);
    assert_true(isnan(a->num[1]) && isnan(a->num[2]) && isnan(a->num[3]));
    assert_near(a->num[4], 0, 0); /* a true 0 stays 0 */
    lb_vlayer_destroy(t);

    /* the same table where a geometry is needed */
    lb_vlayer *l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &dsrc, NULL, &l), LB_ERR_DATA);
    assert_null(l);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "table without geometry"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--join kwb=WK_CODE"));

    /* StatLine "CSV volgens tabelindeling" */
    lb_test_write_text(
        tl, "\xEF\xBB\xBF\"Nabijheid voorzieningen; afstand locatie\"\n\"\"\n"
            "\"\";\"\";\"Wijken en buurten\"\n"
            "\"Onderwerp\";\"\";\"Nederland\";\"Aa en Hunze\"\n"
            "\"Regioaanduiding|Codering\";\"code\";\"NL00\";\"GM1680\"\n"
            "\"Afstand tot huisartsenpraktijk\";\"km\";\"1,0\";\"2,5\"\n\"Bron: CBS\"\n");
    lb_source tsrc = {"nab", tl, NULL, NULL};
    assert_int_equal(lb_vlayer_read_table(ctx, &tsrc, &t), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "tabelindeling.csv"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "CSV met statistische symbolen"));
    lb_ctx_destroy(ctx);
}

/* A table longer than the reader's first guess of its size (CSV: the driver does not know its
 * count up front): every row lands in its place, text and numbers, missing ones included. */
static void test_vector_table_grows(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char csv[600];
    snprintf(csv, sizeof(csv), "%s/long.csv", f->tmp);
    enum { N_ROWS = 2500 };
    size_t cap = 64 + (size_t)N_ROWS * 32;
    char *text = malloc(cap), *p = text;
    assert_non_null(text);
    p += sprintf(p, "code;value\n");
    for (int i = 0; i < N_ROWS; i++)
        p += i % 7 == 3 ? sprintf(p, "BU%08d;.\n", i) : sprintf(p, "BU%08d;%d,5\n", i, i);
    lb_test_write_text(csv, text);
    free(text);
    lb_source src = {"long", csv, NULL, NULL};
    lb_vlayer *t = NULL;
    assert_int_equal(lb_vlayer_read_table(ctx, &src, &t), LB_OK);
    assert_int_equal(t->n, N_ROWS);
    const lb_field *code = field(ctx, t, "code");
    const lb_field *val = field(ctx, t, "value");
    size_t missing = 0;
    for (int i = 0; i < N_ROWS; i++) {
        char want[16];
        snprintf(want, sizeof(want), "BU%08d", i);
        assert_string_equal(code->str[i], want);
        if (i % 7 == 3) {
            assert_true(isnan(val->num[i]));
            missing++;
        } else {
            assert_near(val->num[i], i + 0.5, 0);
        }
    }
    assert_int_equal(val->n_missing, missing);
    lb_vlayer_destroy(t);
    lb_ctx_destroy(ctx);
}

/* TopoJSON carries no CRS: degrees are read as WGS84, RD metres are refused with the fix. */
static void test_vector_topojson(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char path[600];
    snprintf(path, sizeof(path), "%s/b.topojson", f->tmp);
    /* one square around the Amersfoort tower, without transform (plain coordinates) */
    lb_test_write_text(path,
                       "{\"type\":\"Topology\",\"objects\":{\"b\":{\"type\":\"GeometryCollection\","
                       "\"geometries\":[{\"type\":\"Polygon\",\"arcs\":[[0]],\"properties\":{"
                       "\"code\":\"B1\"}}]}},\"arcs\":[[[5.38,52.15],[5.39,52.15],[5.39,52.16],"
                       "[5.38,52.16],[5.38,52.15]]]}");
    lb_source src = {"b", path, NULL, NULL};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->kind, LB_GEOM_POLYGON);
    /* 0.01° × 0.01° at 52.155° N is about 684 m × 1112 m */
    assert_true(l->area_m2[0] > 0.74e6 && l->area_m2[0] < 0.78e6);
    assert_true(l->xmin > 154000 && l->xmax < 157000);
    lb_vlayer_destroy(l);
    lb_test_write_text(path,
                       "{\"type\":\"Topology\",\"objects\":{\"b\":{\"type\":\"GeometryCollection\","
                       "\"geometries\":[{\"type\":\"Polygon\",\"arcs\":[[0]]}]}},\"arcs\":[[["
                       "155000,463000],[155100,463000],[155100,463100],[155000,463100],[155000,"
                       "463000]]]}");
    l = NULL;
    assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &l), LB_ERR_CRS);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--s-srs EPSG:28992"));
    src.s_srs = "EPSG:28992";
    l = read_ok(ctx, &src, NULL);
    assert_near(l->area_m2[0], 10000.0, 1e-6);
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
}

/* lb_number_surely_text, the shortcut of the text fields' parse (CBS square codes), says "no
 * number" only where lb_number_parse and lb_number_style_of say so in every style: every first
 * byte before tails that make marks, numbers and exponents. */
static void test_vector_surely_text(void **state)
{
    (void)state;
    static const char *const tails[] = {"",         "0",  "1,5", ".200", "e5",    "E0",
                                        "a",        "an", "/a",  "ull",  ".v.t.", "0930N4410",
                                        "msterdam", " ",  "\"",  "1e3",  "-1"};
    static const lb_num_style styles[] = {LB_NUM_STYLE_UNKNOWN, LB_NUM_STYLE_COMMA,
                                          LB_NUM_STYLE_POINT};
    size_t n_text = 0;
    for (int c = 1; c < 256; c++)
        for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
            char s[32];
            s[0] = (char)c;
            snprintf(s + 1, sizeof(s) - 1, "%s", tails[t]);
            if (!lb_number_surely_text(s))
                continue;
            n_text++;
            for (size_t k = 0; k < 3; k++) {
                double v = 0.0;
                assert_int_equal(lb_number_parse(s, styles[k], &v), LB_NUM_UNREADABLE);
            }
            assert_int_equal(lb_number_style_of(s), LB_NUM_STYLE_UNKNOWN);
        }
    /* the letters but x and n, either case, before every tail */
    assert_int_equal(n_text, 2 * 24 * sizeof(tails) / sizeof(tails[0]));
    assert_true(lb_number_surely_text("E0930N4410"));
    assert_false(lb_number_surely_text("nan"));
    assert_false(lb_number_surely_text("X"));
    assert_false(lb_number_surely_text("12"));
    assert_false(lb_number_surely_text(""));
    assert_false(lb_number_surely_text(NULL));
}

/* The one number parser's contract (io/number.h): statuses, not just NaN, and ambiguous
 * thousands separators decided by the file's style or not at all. */
static void test_vector_number_contract(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        lb_num_style style;
        lb_num_status want;
        double v;
    } cases[] = {
        {"1.200", LB_NUM_STYLE_UNKNOWN, LB_NUM_AMBIGUOUS, 0},
        {"1.200", LB_NUM_STYLE_COMMA, LB_NUM_OK, 1200},
        {"1.200", LB_NUM_STYLE_POINT, LB_NUM_OK, 1.2},
        {"1,200", LB_NUM_STYLE_UNKNOWN, LB_NUM_AMBIGUOUS, 0},
        {"1,200", LB_NUM_STYLE_COMMA, LB_NUM_OK, 1.2},
        {"1,200", LB_NUM_STYLE_POINT, LB_NUM_OK, 1200},
        {"-12.500", LB_NUM_STYLE_UNKNOWN, LB_NUM_AMBIGUOUS, 0},
        {"-12.500", LB_NUM_STYLE_COMMA, LB_NUM_OK, -12500},
        {"0.125", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 0.125},
        {"1.2345", LB_NUM_STYLE_COMMA, LB_NUM_OK, 1.2345},
        {"1.234.567", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 1234567},
        {"1.234.567", LB_NUM_STYLE_POINT, LB_NUM_OK, 1234567},
        {"1,234,567", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 1234567},
        {"1.234,5", LB_NUM_STYLE_POINT, LB_NUM_OK, 1234.5},
        {"1,234.5", LB_NUM_STYLE_COMMA, LB_NUM_OK, 1234.5},
        {"12,5", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 12.5},
        {"+5", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 5},
        {"1e-04", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 1e-4},
        {"1.200e3", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 1200},
        {" \"42\" ", LB_NUM_STYLE_UNKNOWN, LB_NUM_OK, 42},
        {"0x10", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"inf", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"-Infinity", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"1e999", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"1e", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"1.23.4", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"12.34.567", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"1.234,5,6", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"0.234.567", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"1 200", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"--5", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"5-", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"n.b.", LB_NUM_STYLE_UNKNOWN, LB_NUM_UNREADABLE, 0},
        {"n.v.t.", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {"N.V.T.", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {"NA", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {"NaN", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {"", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {" x ", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {"-99999997", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {"-99.999.998", LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
        {NULL, LB_NUM_STYLE_UNKNOWN, LB_NUM_MISSING, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double v = NAN;
        lb_num_status st = lb_number_parse(cases[i].s, cases[i].style, &v);
        if (st != cases[i].want || (st == LB_NUM_OK && v != cases[i].v))
            print_error("lb_number_parse(\"%s\", %d) = %d, %.17g; want %d, %.17g\n",
                        cases[i].s ? cases[i].s : "NULL", cases[i].style, st, v, cases[i].want,
                        cases[i].v);
        assert_int_equal(st, cases[i].want);
        if (st == LB_NUM_OK)
            assert_near(v, cases[i].v, 1e-12 * fabs(cases[i].v));
        else
            assert_true(isnan(v)); /* untouched */
    }
    assert_int_equal(lb_number_style_of("12,5"), LB_NUM_STYLE_COMMA);
    assert_int_equal(lb_number_style_of("1.234.567"), LB_NUM_STYLE_COMMA);
    assert_int_equal(lb_number_style_of("12.5"), LB_NUM_STYLE_POINT);
    assert_int_equal(lb_number_style_of("0.125"), LB_NUM_STYLE_POINT);
    assert_int_equal(lb_number_style_of("1.200"), LB_NUM_STYLE_UNKNOWN);
    assert_int_equal(lb_number_style_of("12"), LB_NUM_STYLE_UNKNOWN);
    assert_int_equal(lb_number_style_of("x"), LB_NUM_STYLE_UNKNOWN);
    assert_true(isnan(lb_io_parse_number("1.200"))); /* no file to tell: never guessed */
    assert_true(isnan(lb_io_parse_number("0x10")));
}

/* Read @p text as a CSV table; the status, and the layer in *out on success. */
static lb_status read_csv(const fixture *f, lb_ctx *ctx, const char *name, const char *text,
                          lb_vlayer **out)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", f->tmp, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(text, 1, strlen(text), fp);
    fclose(fp);
    lb_source src = {"kwb", path, NULL, NULL};
    *out = NULL;
    return lb_vlayer_read_table(ctx, &src, out);
}

/* Numbers in score inputs were read silently wrong ("1.200" inhabitants as 1.2, "0x10" as 16)
 * or silently missing ("1.234.567", "n.b."). Now the file's decimal separator decides
 * "1.200", and what is no number is counted and reported with its lines. */
static void test_vector_csv_numbers_counted(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    lb_vlayer *t = NULL;
    /* Dutch: decimal commas elsewhere in the file, so dots group thousands. */
    assert_int_equal(read_csv(f, ctx, "nl.csv",
                              "code;naam;inw;dichtheid\n"
                              "BU01;Oost;1.200;12,5\n"
                              "BU02;West;1.234.567;3,25\n"
                              "BU03;Zuid;n.v.t.;0x10\n"
                              "BU04;Noord;850;n.b.\n",
                              &t),
                     LB_OK);
    const lb_field *inw = field(ctx, t, "inw"), *dens = field(ctx, t, "dichtheid");
    assert_near(inw->num[0], 1200, 0);
    assert_near(inw->num[1], 1234567, 0);
    assert_true(isnan(inw->num[2]));
    assert_near(inw->num[3], 850, 0);
    assert_int_equal(inw->n_missing, 1);
    assert_int_equal(inw->n_unreadable, 0);
    assert_near(dens->num[0], 12.5, 1e-15);
    assert_true(isnan(dens->num[2]) && isnan(dens->num[3]));
    assert_int_equal(dens->n_unreadable, 2);
    /* One warning, for the numeric field with unreadable values, naming lines and values;
     * the name column is text, not missing numbers. */
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    const char *w = lb_ctx_warning(ctx, 0);
    assert_non_null(strstr(w, "field 'dichtheid': 2 value(s) are read as missing"));
    assert_non_null(strstr(w, "line 4 '0x10'"));
    assert_non_null(strstr(w, "line 5 'n.b.'"));
    lb_vlayer_destroy(t);
    lb_ctx_destroy(ctx);

    /* A '.'-decimal export (R, pandas): "1.200" is 1.2 there. */
    ctx = lb_test_ctx();
    assert_int_equal(
        read_csv(f, ctx, "en.csv", "code,score,inw\nBU01,4.0635,1.200\nBU02,3.9,7\n", &t), LB_OK);
    assert_near(field(ctx, t, "inw")->num[0], 1.2, 1e-15);
    assert_int_equal(lb_ctx_warning_count(ctx), 0);
    lb_vlayer_destroy(t);
    lb_ctx_destroy(ctx);

    /* Nothing in the file tells: "1.200" is neither 1200 nor 1.2 but reported. */
    ctx = lb_test_ctx();
    assert_int_equal(read_csv(f, ctx, "amb.csv", "code;inw\nBU01;1.200\nBU02;3.400\nBU03;90\n", &t),
                     LB_OK);
    inw = field(ctx, t, "inw");
    assert_true(isnan(inw->num[0]) && isnan(inw->num[1]));
    assert_near(inw->num[2], 90, 0);
    assert_int_equal(inw->n_ambiguous, 2);
    assert_int_equal(lb_ctx_warning_count(ctx), 1);
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "2 ambiguous"));
    assert_non_null(strstr(lb_ctx_warning(ctx, 0), "line 2 '1.200'"));
    lb_vlayer_destroy(t);
    lb_ctx_destroy(ctx);
}

/* Ragged rows and NUL bytes made GDAL drop or blank values without a word (and an unquoted
 * separator shifts a row's values into the wrong columns): refused, naming the lines. */
static void test_vector_csv_ragged_and_nul(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    lb_vlayer *t = NULL;
    assert_int_equal(read_csv(f, ctx, "ragged.csv",
                              "code;naam;inw\nBU01;Oost;10\nBU02;West; Oud;20\nBU03;Zuid\n"
                              "\"BU04\";\"Noord;\nmidden\";30\n",
                              &t),
                     LB_ERR_DATA);
    assert_null(t);
    const char *m = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(m, "ragged.csv' has 2 row(s)"));
    assert_non_null(strstr(m, "header line's 3 (separator ';')"));
    assert_non_null(strstr(m, "line 3 has 4, line 4 has 2"));
    /* A quoted separator and newline (row 4) and a blank last line are fine. */
    assert_int_equal(
        read_csv(f, ctx, "quoted.csv",
                 "code,naam,inw\r\nBU01,\"Oost, West\",10\r\n\"BU02\",\"a\nb\",20\r\n\r\n", &t),
        LB_OK);
    assert_int_equal(t->n, 2);
    assert_near(field(ctx, t, "inw")->num[1], 20, 0);
    lb_vlayer_destroy(t);

    char path[600];
    snprintf(path, sizeof(path), "%s/nul.csv", f->tmp);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    static const char nul[] = "code;inw\nBU01;10\nBU02;2\0"
                              "0\n";
    fwrite(nul, 1, sizeof(nul) - 1, fp);
    fclose(fp);
    lb_source src = {"kwb", path, NULL, NULL};
    assert_int_equal(lb_vlayer_read_table(ctx, &src, &t), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "nul.csv' line 3 holds a NUL byte"));
    lb_ctx_destroy(ctx);
}

/* Both entry points of the one table reader: lb_attr_table_read (waterbed's region and focus
 * tables) read CSV through OGR on its own, without trimming, with empty text as "", without
 * the CSV shape check, and kept CBS special values of numeric fields as numbers; it now gives
 * what lb_vlayer_read_table gives. The input is named by its file name in both. */
static void same_text(const char *a, const char *b)
{
    if (!a || !b)
        assert_true(a == b);
    else
        assert_string_equal(a, b);
}

static void check_same_table(lb_ctx *ctx, const char *path, size_t n_rows, size_t n_cols)
{
    const char *slash = strrchr(path, '/');
    lb_source src = {slash + 1, path, NULL, NULL};
    lb_vlayer *l = NULL;
    lb_attr_table *t = NULL;
    assert_int_equal(lb_vlayer_read_table(ctx, &src, &l), LB_OK);
    assert_int_equal(lb_attr_table_read(ctx, path, NULL, &t), LB_OK);
    assert_int_equal(l->n, n_rows);
    assert_int_equal(t->n_rows, n_rows);
    assert_int_equal(l->n_fields, n_cols);
    assert_int_equal(t->n_cols, n_cols);
    for (size_t c = 0; c < n_cols; c++) {
        const lb_field *fl = &l->fields[c];
        assert_string_equal(t->names[c], fl->name);
        assert_true((t->num[c] == NULL) == (fl->is_string != 0));
        for (size_t r = 0; r < n_rows; r++) {
            assert_int_equal(t->fid[r], l->fid[r]);
            if (fl->is_string) {
                same_text(t->text[c][r], fl->str[r]);
            } else {
                assert_null(t->text[c][r]);
                assert_true(isnan(t->num[c][r]) == isnan(fl->num[r]));
                if (!isnan(fl->num[r]))
                    assert_near(t->num[c][r], fl->num[r], 0);
            }
        }
    }
    lb_attr_table_destroy(t);
    lb_vlayer_destroy(l);
}

static void test_vector_one_table_reader(void **state)
{
    fixture *f = *state;
    lb_ctx *ctx = lb_test_ctx();
    char csv[600];
    snprintf(csv, sizeof(csv), "%s/regio.csv", f->tmp);
    /* BOM, ';', quoted fields with padding and a quoted separator, decimal comma, a CBS secret
     * value, StatLine's '.' and 'x', an empty name. */
    lb_test_write_text(csv, "\xEF\xBB\xBF\"code\";\"naam\";\"score\";\"inw\"\r\n"
                            "\"GM0363  \";\"Amsterdam; centrum\";\"4,25\";\"-99999997\"\r\n"
                            "\"GM0518\";\"\";\"3,5\";\".\"\r\n"
                            "GM0599;Rotterdam;x;1.234\r\n");
    check_same_table(ctx, csv, 3, 4);
    /* The values themselves, computed by hand. */
    lb_vlayer *l = NULL;
    lb_source src = {"regio.csv", csv, NULL, NULL};
    assert_int_equal(lb_vlayer_read_table(ctx, &src, &l), LB_OK);
    assert_string_equal(l->fields[0].str[0], "GM0363");
    assert_string_equal(l->fields[1].str[0], "Amsterdam; centrum");
    assert_null(l->fields[1].str[1]);
    assert_near(l->fields[2].num[0], 4.25, 0);
    assert_near(l->fields[2].num[1], 3.5, 0);
    assert_true(isnan(l->fields[2].num[2]));
    assert_true(isnan(l->fields[3].num[0])); /* secret */
    assert_true(isnan(l->fields[3].num[1]));
    assert_near(l->fields[3].num[2], 1234, 0); /* the file writes decimals with a comma */
    lb_vlayer_destroy(l);
    lb_attr_table *t = NULL;
    assert_int_equal(lb_attr_table_read(ctx, csv, NULL, &t), LB_OK);
    assert_int_equal(t->data_line, 2);
    assert_string_equal(t->driver, "CSV");
    assert_int_equal(t->has_geometry, 0);
    lb_attr_table_destroy(t);

    /* A numeric CBS secret value of a GeoPackage is missing through both. */
    char gpkg[600];
    snprintf(gpkg, sizeof(gpkg), "%s/regio.gpkg", f->tmp);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), gpkg, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "regio", NULL, wkbNone, NULL);
    OGRFieldDefnH fc = OGR_Fld_Create("code", OFTString), fi = OGR_Fld_Create("inw", OFTInteger);
    OGR_L_CreateField(lyr, fc, 1);
    OGR_L_CreateField(lyr, fi, 1);
    OGR_Fld_Destroy(fc);
    OGR_Fld_Destroy(fi);
    static const char *const codes[] = {"GM0363", "GM0518"};
    static const int inw[] = {931298, -99999997};
    for (int i = 0; i < 2; i++) {
        OGRFeatureH ft = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        OGR_F_SetFieldString(ft, 0, codes[i]);
        OGR_F_SetFieldInteger(ft, 1, inw[i]);
        assert_int_equal(OGR_L_CreateFeature(lyr, ft), OGRERR_NONE);
        OGR_F_Destroy(ft);
    }
    GDALClose(ds);
    check_same_table(ctx, gpkg, 2, 2);
    assert_int_equal(lb_attr_table_read(ctx, gpkg, NULL, &t), LB_OK);
    assert_near(t->num[1][0], 931298, 0);
    assert_true(isnan(t->num[1][1]));
    lb_attr_table_destroy(t);

    /* A CSV with a row of too many fields is refused through both, with the same message. */
    char bad[600];
    snprintf(bad, sizeof(bad), "%s/scheef.csv", f->tmp);
    lb_test_write_text(bad, "code;naam\nGM0363;Amsterdam\nGM0518;Den;Haag\n");
    lb_source bsrc = {"scheef.csv", bad, NULL, NULL};
    l = NULL;
    assert_int_equal(lb_vlayer_read_table(ctx, &bsrc, &l), LB_ERR_DATA);
    char *msg = lb_core_strdup(lb_ctx_errmsg(ctx));
    assert_non_null(strstr(msg, "line 3 has 3"));
    t = NULL;
    assert_int_equal(lb_attr_table_read(ctx, bad, NULL, &t), LB_ERR_DATA);
    assert_null(t);
    assert_string_equal(lb_ctx_errmsg(ctx), msg);
    free(msg);
    lb_ctx_destroy(ctx);
}

/* A GeoPackage layer 'vierkanten' in EPSG:28992 of CBS squares: fields code (crs28992res100m, or
 * crs28992res500m for 500 m squares), aantal_inwoners (i + 5) and naam ("sq<i>", NULL in every
 * 7th row from the 4th), each square's geometry the square of its code, but for the features
 * (ids from 1; 0 for none) with a defect. */
typedef struct squares_spec {
    int n;          /* squares */
    int side500;    /* 500 m squares (else 100 m) */
    int cw;         /* rings clockwise from the upper-left corner (else counter-clockwise from the
                       lower-left, as CBS and the tiers) */
    int multi;      /* multipolygons of one polygon */
    int shifted;    /* its square 100 m east of its code */
    int bad_code;   /* a code that does not parse */
    int null_code;  /* no code */
    int diamond;    /* 4 points on the sides of its code's square: the same envelope */
    int off_grid;   /* a code not on the grid of its side */
    int turned;     /* its ring starts at another corner: the same envelope and size */
    int null_geom;  /* no geometry */
    int plain_blob; /* from this feature on every 3rd blob without envelope, big-endian (SQL) */
    int gaps;       /* delete every 97th feature after writing: feature ids not dense */
} squares_spec;

#define SQUARES(...) ((squares_spec){__VA_ARGS__})

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int b = 0; b < bytes; b++)
        p[b] = (unsigned char)(v >> (8 * (bytes - 1 - b)));
}

/* SQL that sets the geometry of feature @p fid to a GeoPackage blob without envelope, its header
 * and WKB big-endian, of the polygon @p ring (5 points). */
static void plain_blob_sql(char *sql, size_t size, int fid, double ring[5][2])
{
    unsigned char b[8 + 93];
    memcpy(b, "GP\0\0", 4); /* version 0, flags 0: big-endian, no envelope, not empty */
    put_be(b + 4, 28992, 4);
    b[8] = 0; /* XDR */
    put_be(b + 9, 3, 4);
    put_be(b + 13, 1, 4);
    put_be(b + 17, 5, 4);
    for (int k = 0; k < 10; k++) {
        uint64_t bits;
        memcpy(&bits, &ring[k / 2][k % 2], sizeof(bits));
        put_be(b + 21 + 8 * k, bits, 8);
    }
    int o = snprintf(sql, size, "UPDATE vierkanten SET geom = X'");
    for (size_t k = 0; k < sizeof(b); k++)
        o += snprintf(sql + o, size - (size_t)o, "%02X", b[k]);
    snprintf(sql + o, size - (size_t)o, "' WHERE fid = %d", fid);
}

static void run_sql(GDALDatasetH ds, const char *sql)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    assert_int_equal(CPLGetLastErrorType(), CE_None);
}

static void write_squares(const char *path, squares_spec s)
{
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 28992);
    OGRLayerH l =
        GDALDatasetCreateLayer(ds, "vierkanten", srs, s.multi ? wkbMultiPolygon : wkbPolygon, NULL);
    OSRRelease(srs);
    assert_non_null(l);
    OGRFieldDefnH fd = OGR_Fld_Create(s.side500 ? "crs28992res500m" : "crs28992res100m", OFTString);
    OGR_Fld_SetWidth(fd, 10);
    assert_int_equal(OGR_L_CreateField(l, fd, TRUE), OGRERR_NONE);
    OGR_Fld_Destroy(fd);
    fd = OGR_Fld_Create("aantal_inwoners", OFTInteger);
    assert_int_equal(OGR_L_CreateField(l, fd, TRUE), OGRERR_NONE);
    OGR_Fld_Destroy(fd);
    fd = OGR_Fld_Create("naam", OFTString);
    assert_int_equal(OGR_L_CreateField(l, fd, TRUE), OGRERR_NONE);
    OGR_Fld_Destroy(fd);
    assert_int_equal(OGR_L_StartTransaction(l), OGRERR_NONE);
    double side = s.side500 ? 500.0 : 100.0;
    for (int i = 0; i < s.n; i++) {
        int id = i + 1; /* the feature id GDAL gives */
        /* corners in hectometres, on the grid of the side */
        int step = (int)(side / 100.0), e = step * (35 + 3 * (i % 11)), n = 4500 + step * (i / 11);
        double x = 100.0 * e, y = 100.0 * n;
        char code[32], naam[16];
        snprintf(code, sizeof(code), "E%04dN%04d", e, n);
        if (id == s.off_grid)
            snprintf(code, sizeof(code), "E%04dN%04d", e + 1, n); /* not a 500 m corner */
        if (id == s.bad_code)
            snprintf(code, sizeof(code), "E%03dxN%04d", e % 1000, n);
        if (id == s.shifted)
            x += 100.0;
        snprintf(naam, sizeof(naam), "sq%d", i);
        double ring[5][2] = {{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}};
        if (s.cw) {
            double cw[5][2] = {
                {x, y + side}, {x + side, y + side}, {x + side, y}, {x, y}, {x, y + side}};
            memcpy(ring, cw, sizeof(ring));
        }
        if (id == s.diamond) {
            double h = side / 2;
            double dm[5][2] = {
                {x, y + h}, {x + h, y}, {x + side, y + h}, {x + h, y + side}, {x, y + h}};
            memcpy(ring, dm, sizeof(ring));
        }
        if (id == s.turned) {
            double tn[5][2] = {
                {x + side, y}, {x + side, y + side}, {x, y + side}, {x, y}, {x + side, y}};
            memcpy(ring, tn, sizeof(ring));
        }
        OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(l));
        if (id != s.null_code)
            OGR_F_SetFieldString(feat, 0, code);
        OGR_F_SetFieldInteger(feat, 1, i + 5);
        if (i % 7 != 3)
            OGR_F_SetFieldString(feat, 2, naam);
        if (id != s.null_geom) {
            OGRGeometryH r = OGR_G_CreateGeometry(wkbLinearRing);
            for (int k = 0; k < 5; k++)
                OGR_G_AddPoint_2D(r, ring[k][0], ring[k][1]);
            OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
            OGR_G_AddGeometryDirectly(poly, r);
            if (s.multi) {
                OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon);
                OGR_G_AddGeometryDirectly(mp, poly);
                poly = mp;
            }
            OGR_F_SetGeometryDirectly(feat, poly);
        }
        assert_int_equal(OGR_L_CreateFeature(l, feat), OGRERR_NONE);
        assert_int_equal(OGR_F_GetFID(feat), id);
        OGR_F_Destroy(feat);
        if (s.plain_blob && id >= s.plain_blob && id % 3 == 0 && id != s.null_geom) {
            char sql[512];
            plain_blob_sql(sql, sizeof(sql), id, ring);
            run_sql(ds, sql);
        }
    }
    assert_int_equal(OGR_L_CommitTransaction(l), OGRERR_NONE);
    if (s.gaps)
        run_sql(ds, "DELETE FROM vierkanten WHERE fid % 97 = 0");
    GDALClose(ds);
}

/* The messages at info level and above, appended. */
static void keep_log(void *user, lb_log_level level, const char *msg)
{
    char *buf = user;
    if (level >= LB_LOG_INFO && strlen(buf) + strlen(msg) + 2 < 4096) {
        strcat(buf, msg);
        strcat(buf, "\n");
    }
}

/* Two layers hold the same features: ids, fields (values, what they are as numbers and the
 * counts), rings, areas, WKB and extent. */
static void same_layer(const lb_vlayer *a, const lb_vlayer *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->n_rings, b->n_rings);
    assert_int_equal(a->n_fields, b->n_fields);
    assert_memory_equal(a->fid, b->fid, a->n * sizeof(int64_t));
    assert_memory_equal(a->ring_start, b->ring_start, (a->n + 1) * sizeof(size_t));
    assert_memory_equal(a->ring_pt_start, b->ring_pt_start, (a->n_rings + 1) * sizeof(size_t));
    assert_memory_equal(a->ring_hole, b->ring_hole, a->n_rings * sizeof(int));
    assert_memory_equal(a->ring_xy, b->ring_xy, 2 * a->ring_pt_start[a->n_rings] * sizeof(double));
    assert_memory_equal(a->area_m2, b->area_m2, a->n * sizeof(double));
    for (size_t k = 0; k < a->n; k++) {
        assert_int_equal(a->wkb_size[k], b->wkb_size[k]);
        assert_memory_equal(a->wkb[k], b->wkb[k], a->wkb_size[k]);
    }
    for (size_t i = 0; i < a->n_fields; i++) {
        const lb_field *fa = &a->fields[i], *fb = &b->fields[i];
        assert_string_equal(fa->name, fb->name);
        assert_int_equal(fa->is_string, fb->is_string);
        assert_int_equal(fa->n_missing, fb->n_missing);
        assert_int_equal(fa->n_unreadable, fb->n_unreadable);
        assert_int_equal(fa->n_ambiguous, fb->n_ambiguous);
        for (size_t k = 0; k < a->n; k++) {
            assert_true(fa->num[k] == fb->num[k] || (isnan(fa->num[k]) && isnan(fb->num[k])));
            if (fa->is_string) {
                assert_int_equal(fa->state[k], fb->state[k]);
                assert_true(fa->str[k] == fb->str[k] ||
                            (fa->str[k] && fb->str[k] && !strcmp(fa->str[k], fb->str[k])));
            }
        }
    }
    assert_true(a->xmin == b->xmin && a->ymin == b->ymin && a->xmax == b->xmax &&
                a->ymax == b->ymax);
}

/* Read @p path by code (lb_vlayer_read) on @p threads; the info messages into @p log. */
static lb_vlayer *read_squares_log(const char *path, int threads, char *log)
{
    log[0] = '\0';
    lb_ctx *ctx = lb_test_ctx();
    lb_ctx_set_log(ctx, keep_log, log);
    assert_int_equal(lb_ctx_set_threads(ctx, threads), LB_OK);
    lb_source src = {.name = "vierkanten", .path = path, .layer = "vierkanten"};
    lb_vlayer *l = read_ok(ctx, &src, NULL);
    lb_ctx_destroy(ctx);
    return l;
}

/* CBS squares read by their code (issue 17): where every square's geometry is the square of its
 * code, the layer is the one read by the geometry, said in an info message; where one feature
 * disagrees (a shifted square, a code that does not parse or is missing, a diamond with its
 * square's envelope, a code off the 500 m grid, a ring from another corner, no geometry), the
 * layer is read by its geometry (so the same again) and the message names that feature; on 1
 * and on 2 threads alike (the rows read in two passes over halves of the feature ids). */
static void test_vector_cbs_squares(void **state)
{
    fixture *f = *state;
    enum { N_MANY = 3001 }; /* odd: two passes of 1500 and 1501 rows */
    static const char agree100[] = "squares read by their code ('crs28992res100m')";
    const struct {
        squares_spec s;
        const char *said; /* in the info message */
    } cases[] = {
        {SQUARES(.n = 60), "60 squares read by their code ('crs28992res100m'), every geometry"},
        {SQUARES(.n = 60, .cw = 1), agree100},
        {SQUARES(.n = 60, .side500 = 1), "60 squares read by their code ('crs28992res500m')"},
        {SQUARES(.n = 60, .multi = 1), agree100},
        {SQUARES(.n = 60, .shifted = 41), "feature 41: its geometry is not the square of its code "
                                          "'E0056N4503'"},
        {SQUARES(.n = 60, .bad_code = 8), "feature 8: 'E056xN4500' is no code of a 100 m square"},
        {SQUARES(.n = 60, .null_code = 10), "feature 10: '' is no code of a 100 m square"},
        {SQUARES(.n = 60, .diamond = 21), "feature 21: its geometry is not the square of its code"},
        {SQUARES(.n = 60, .side500 = 1, .off_grid = 31),
         "feature 31: 'E0296N4510' is no code of a 500 m square"},
        {SQUARES(.n = 60, .turned = 13), "feature 13: its geometry is not the square of its code, "
                                         "corners in the order of feature 1"},
        {SQUARES(.n = 60, .null_geom = 34), "feature 34: its geometry is not the square of its "
                                            "code 'E0035N4503'"},
        /* blobs without envelope, big-endian: their points give the envelope */
        {SQUARES(.n = 60, .plain_blob = 2), agree100},
        /* many rows: two passes on 2 threads */
        {SQUARES(.n = N_MANY), "3001 squares read by their code ('crs28992res100m')"},
        {SQUARES(.n = N_MANY, .cw = 1, .plain_blob = 2001), agree100},
        /* feature ids with gaps: one pass */
        {SQUARES(.n = N_MANY, .gaps = 1), "2971 squares read by their code"},
        /* a bad row in the second half; in both (the first half's is named); no geometry in the
         * first row of the second half */
        {SQUARES(.n = N_MANY, .shifted = 2501), "feature 2501: its geometry is not the square"},
        {SQUARES(.n = N_MANY, .bad_code = 101, .shifted = 2501),
         "feature 101: 'E038xN4509' is no code"},
        {SQUARES(.n = N_MANY, .null_geom = 1501), "feature 1501: its geometry is not the square"},
        {SQUARES(.n = N_MANY, .turned = 1701, .shifted = 3000),
         "feature 3000: its geometry is not the square of its code 'E"},
        /* a turned ring the ~1,000 samples miss (every 3rd row is sampled): seen in its row */
        {SQUARES(.n = N_MANY, .turned = 1001), "feature 1001: its geometry is not the square of "
                                               "its code, corners in the order of feature 1"},
        {SQUARES(.n = N_MANY, .turned = 1001, .diamond = 2002),
         "feature 2002: its geometry is not the square of its code, corners in the order"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char path[512], log1[4096], log2[4096];
        snprintf(path, sizeof(path), "%s/squares%zu.gpkg", f->tmp, k);
        write_squares(path, cases[k].s);
        lb_vlayer *one = read_squares_log(path, 1, log1), *two = read_squares_log(path, 2, log2);
        lb_ctx *ctx = lb_test_ctx();
        lb_source src = {.name = "vierkanten", .path = path, .layer = "vierkanten"};
        lb_vlayer *by_geom = NULL;
        assert_int_equal(lb_vlayer_read_by_geometry(ctx, &src, NULL, &by_geom), LB_OK);
        same_layer(one, by_geom);
        same_layer(two, by_geom);
        if (!strstr(log1, cases[k].said))
            print_error("case %zu: '%s' not in the log:\n%s", k, cases[k].said, log1);
        assert_non_null(strstr(log1, cases[k].said));
        assert_string_equal(log1, log2);
        lb_vlayer_destroy(one);
        lb_vlayer_destroy(two);
        lb_vlayer_destroy(by_geom);
        lb_ctx_destroy(ctx);
    }
}

/* Text values in blocks (squares read by their code) and text values of their own (read by
 * geometry) in one layer: files bound to one input in either order, with NULL values among
 * them, a layer of 1 square and one of none; every value where it belongs and everything freed
 * once (the sanitizer build). */
static void test_vector_squares_text_blocks(void **state)
{
    fixture *f = *state;
    char pc[512], pg[512], p1[512], p0[512], log[4096];
    snprintf(pc, sizeof(pc), "%s/by_code.gpkg", f->tmp);
    snprintf(pg, sizeof(pg), "%s/by_geom.gpkg", f->tmp);
    snprintf(p1, sizeof(p1), "%s/one.gpkg", f->tmp);
    snprintf(p0, sizeof(p0), "%s/none.gpkg", f->tmp);
    write_squares(pc, SQUARES(.n = 2100));
    write_squares(pg, SQUARES(.n = 40, .shifted = 6)); /* read by its geometry */
    write_squares(p1, SQUARES(.n = 1));
    write_squares(p0, SQUARES(.n = 0));
    lb_vlayer *one = read_squares_log(p1, 2, log);
    assert_non_null(strstr(log, "1 squares read by their code"));
    assert_int_equal(one->n, 1);
    assert_string_equal(one->fields[2].str[0], "sq0");
    assert_non_null(one->fields[2].text_blocks);
    lb_vlayer_destroy(one);
    lb_vlayer *c = read_squares_log(pc, 2, log);
    assert_non_null(c->fields[0].text_blocks);
    assert_non_null(c->wkb_blocks);
    lb_vlayer_destroy(c);
    lb_source sc = {"vierkanten", pc, "vierkanten", NULL},
              sg = {"vierkanten", pg, "vierkanten", NULL};
    lb_source s1 = {"vierkanten", p1, "vierkanten", NULL},
              s0 = {"vierkanten", p0, "vierkanten", NULL};
    const lb_source *orders[][4] = {
        {&sc, &sg, &s0, &s1}, {&sg, &s0, &s1, &sc}, {&s0, &s1, &sc, &sg}};
    for (size_t o = 0; o < 3; o++) {
        lb_ctx *ctx = lb_test_ctx();
        lb_vlayer *l = NULL;
        lb_status st = lb_vlayer_read_list(ctx, (const lb_source *const *)orders[o], 4, NULL, &l);
        if (st != LB_OK)
            print_error("%s\n", lb_ctx_errmsg(ctx));
        assert_int_equal(st, LB_OK);
        assert_int_equal(l->n, 2100 + 40 + 1);
        const lb_field *code = field(ctx, l, "crs28992res100m"), *naam = field(ctx, l, "naam");
        size_t at = 0, n_null = 0;
        for (size_t src = 0; src < 4; src++) {
            size_t n = orders[o][src] == &sc   ? 2100
                       : orders[o][src] == &sg ? 40
                       : orders[o][src] == &s1 ? 1
                                               : 0;
            for (size_t i = 0; i < n; i++, at++) {
                char want[16];
                snprintf(want, sizeof(want), "sq%zu", i);
                assert_int_equal(l->fid[at], (int64_t)i + 1);
                if (i % 7 == 3) {
                    assert_null(naam->str[at]);
                    assert_int_equal(naam->state[at], LB_NUM_MISSING);
                    n_null++;
                } else {
                    assert_string_equal(naam->str[at], want);
                    assert_int_equal(naam->state[at], LB_NUM_UNREADABLE);
                }
                assert_int_equal(strlen(code->str[at]), 10);
                assert_int_equal(code->state[at], LB_NUM_UNREADABLE);
            }
        }
        assert_int_equal(naam->n_missing, n_null);
        assert_int_equal(code->n_unreadable, l->n);
        /* every text value lies in the field's blocks: none is freed on its own */
        for (size_t k = 0; k < l->n; k++)
            assert_true(!naam->str[k] || lb_vlayer_in_blocks(naam->text_blocks, naam->str[k]));
        lb_vlayer_destroy(l);
        lb_ctx_destroy(ctx);
    }
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_parse_number),
        cmocka_unit_test(test_vector_parse_number_long),
        cmocka_unit_test(test_vector_cbs_sentinel),
        cmocka_unit_test(test_vector_number_contract),
        cmocka_unit_test_setup_teardown(test_vector_csv_numbers_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_one_table_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_csv_ragged_and_nul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_read_buurten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_bad_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_missing_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_open_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_points_outside_nl_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_reprojection_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_shapefile_without_prj, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_holes_and_multipolygons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_rings_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_lines_and_bad_geometry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_repair_checks_each_polygon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_outside_reported_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_table_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_topojson, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_read_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_cbs_squares, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vector_squares_text_blocks, setup, teardown),
        cmocka_unit_test(test_vector_surely_text),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
