/* SPDX-License-Identifier: MIT */
/* The public API's foundation: the option store (keys, checks, lists, flags, introspection)
 * and the result container (tables, rasters filled on demand, provenance, warnings, write). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#include "api/opts.h"
#include "core/ctx.h"
#include "data/result.h"
#include "io/preview.h"
#include "pipeline/demo.h"

#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <math.h>
#include <ogr_api.h>
#include <string.h>
#include <sys/stat.h>

static lb_opts *opts_of(lb_ctx *ctx, const char *op)
{
    lb_opts *o = NULL;
    assert_int_equal(lb_opts_create(ctx, op, &o), LB_OK);
    assert_non_null(o);
    assert_string_equal(lb_opts_operation(o), op);
    return o;
}

static void test_api_unknown_operation(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_opts *o = NULL;
    assert_int_equal(lb_opts_create(ctx, "frobnicate", &o), LB_ERR_ARG);
    assert_null(o);
    const char *msg = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, "'frobnicate'"));
    const char *ops[] = {"score", "change", "diagnose", "waterbed", "scores", "demo"};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        assert_non_null(strstr(msg, ops[i]));
        lb_opts_destroy(opts_of(ctx, ops[i]));
    }
    lb_opts_destroy(NULL);
    lb_ctx_destroy(ctx);
}

static void test_api_unknown_key(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_opts *o = opts_of(ctx, "change");
    assert_int_equal(lb_opts_set(ctx, o, "frob", "1"), LB_ERR_ARG);
    const char *msg = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, "unknown option '--frob'"));
    /* the message lists the operation's keys */
    assert_non_null(strstr(msg, "from-year"));
    assert_non_null(strstr(msg, "dev-cuts"));
    /* a key of another operation is unknown here */
    assert_int_equal(lb_opts_set(ctx, o, "model", "m.yaml"), LB_ERR_ARG);
    assert_int_equal(lb_opts_clear(ctx, o, "frob"), LB_ERR_ARG);
    lb_opts_destroy(o);
    lb_ctx_destroy(ctx);
}

static void test_api_bad_values(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_opts *c = opts_of(ctx, "change");
    assert_int_equal(lb_opts_set(ctx, c, "from-year", "2020"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, c, "from-year", "20x0"), LB_ERR_ARG);
    assert_string_equal(lb_ctx_errmsg(ctx), "--from-year wants a year, got '20x0'");
    /* a refused value leaves the old one */
    assert_int_equal(lb_opts_get_int(c, "from-year", 0), 2020);
    assert_int_equal(lb_opts_set(ctx, c, "dev-classes", "8"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--dev-classes wants 7 or 9, got '8'"));
    assert_int_equal(lb_opts_set(ctx, c, "dev-cuts", "-0.2,0.1,"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, c, "dev-cuts", "-0.2,,0.1"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, c, "dev-cuts", "-0.2,-0.1,0.1,0.2"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, c, "csv-sep", ":"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "','"));
    assert_int_equal(lb_opts_set(ctx, c, "co", "COMPRESS"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "NAME=VALUE"));
    assert_int_equal(lb_opts_set(ctx, c, "from", NULL), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--from needs a value"));
    lb_opts_destroy(c);

    lb_opts *w = opts_of(ctx, "waterbed");
    assert_int_equal(lb_opts_set(ctx, w, "distance", "far"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--distance: unknown value 'far'"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "polygon, centroid"));
    assert_int_equal(lb_opts_set(ctx, w, "k1", "-1"), LB_ERR_ARG);
    assert_string_equal(lb_ctx_errmsg(ctx), "--k1 wants a number >= 0, got '-1'");
    assert_int_equal(lb_opts_set(ctx, w, "k1", "1.5"), LB_OK);
    assert_near(lb_opts_get_double(w, "k1", 1.0), 1.5, 0.0);
    assert_near(lb_opts_get_double(w, "k2", 2.0), 2.0, 0.0); /* unset: the default */
    assert_int_equal(lb_opts_set(ctx, w, "placebos", "-3"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, w, "seed", "-1"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, w, "seed", "18446744073709551615"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, w, "periods", "2020-2022,2018"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, w, "periods", "2020-2022,2018:2020"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, w, "rings", "250,abc"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--rings wants metres"));
    lb_opts_destroy(w);

    lb_opts *s = opts_of(ctx, "score");
    assert_int_equal(lb_opts_set(ctx, s, "input", "noequals"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "NAME=PATH[:LAYER]"));
    assert_int_equal(lb_opts_set(ctx, s, "join", "kwb=WK_CODE:"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, s, "join", "kwb=WK_CODE:wijkcode"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, s, "outputs", "gpkg,png"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, s, "outputs", "gpkg,csv"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, s, "years", "2020,,2022"), LB_ERR_ARG);
    assert_int_equal(lb_opts_set(ctx, s, "mode", "areas"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--mode wants grid or area, got 'areas'"));
    lb_opts_destroy(s);
    lb_ctx_destroy(ctx);
}

static void test_api_lists_and_clear(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_opts *o = opts_of(ctx, "diagnose");
    size_t n = 99;
    const char *const *l = lb_opts_get_list(o, "scores", &n);
    assert_int_equal(n, 0);
    assert_null(l[0]);
    assert_int_equal(lb_opts_set(ctx, o, "scores", "a"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "s", "b:layer"), LB_OK); /* the short option */
    assert_int_equal(lb_opts_set(ctx, o, "scores", "c"), LB_OK);
    l = lb_opts_get_list(o, "scores", &n);
    assert_int_equal(n, 3);
    assert_string_equal(l[0], "a");
    assert_string_equal(l[1], "b:layer");
    assert_string_equal(l[2], "c");
    assert_null(l[3]);
    /* a single key is replaced, not appended */
    assert_int_equal(lb_opts_set(ctx, o, "wijk", "WK1"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "wijk", "WK2"), LB_OK);
    lb_opts_get_list(o, "wijk", &n);
    assert_int_equal(n, 1);
    assert_string_equal(lb_opts_get_str(o, "wijk"), "WK2");
    /* the value is copied */
    char buf[8] = "WK3";
    assert_int_equal(lb_opts_set(ctx, o, "naam", buf), LB_OK);
    buf[0] = 'X';
    assert_string_equal(lb_opts_get_str(o, "naam"), "WK3");
    assert_int_equal(lb_opts_clear(ctx, o, "scores"), LB_OK);
    lb_opts_get_list(o, "scores", &n);
    assert_int_equal(n, 0);
    assert_false(lb_opts_is_set(o, "scores"));
    assert_int_equal(lb_opts_clear(ctx, o, "basename"), LB_OK); /* an alias, never set */
    assert_int_equal(lb_opts_set(ctx, o, "basename", "rapport"), LB_OK);
    assert_string_equal(lb_opts_get_str(o, "name"), "rapport");
    lb_opts_destroy(o);
    lb_ctx_destroy(ctx);
}

static void test_api_flags(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_opts *o = opts_of(ctx, "change");
    assert_false(lb_opts_get_flag(o, "preview"));
    assert_int_equal(lb_opts_set(ctx, o, "preview", NULL), LB_OK);
    assert_true(lb_opts_get_flag(o, "preview"));
    assert_int_equal(lb_opts_set(ctx, o, "preview", "false"), LB_OK);
    assert_false(lb_opts_get_flag(o, "preview"));
    assert_int_equal(lb_opts_set(ctx, o, "preview", "TRUE"), LB_OK);
    assert_true(lb_opts_get_flag(o, "preview"));
    assert_int_equal(lb_opts_set(ctx, o, "preview", "maybe"), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--preview"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "'maybe'"));
    assert_true(lb_opts_get_flag(o, "preview"));
    /* geojson-rd is a flag spelling of geojson-crs */
    assert_int_equal(lb_opts_set(ctx, o, "geojson-rd", NULL), LB_OK);
    assert_string_equal(lb_opts_get_str(o, "geojson-crs"), "rd");
    assert_int_equal(lb_opts_set(ctx, o, "geojson-rd", "false"), LB_OK);
    assert_string_equal(lb_opts_get_str(o, "geojson-crs"), "rfc7946");
    lb_opts_destroy(o);
    lb_ctx_destroy(ctx);
}

static void test_api_introspection(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const char *ops[] = {"score", "change", "diagnose", "waterbed", "scores", "demo"};
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        lb_opts *o = opts_of(ctx, ops[k]);
        size_t n = lb_opts_key_count(o);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            const char *name = lb_opts_key_name(o, i);
            assert_non_null(name);
            assert_non_null(lb_opts_key_help(o, i));
            assert_true(strlen(lb_opts_key_help(o, i)) > 5);
            assert_int_equal(lb_opts_key_find(o, name), (long)i);
            for (size_t j = 0; j < i; j++) /* no key twice */
                assert_string_not_equal(lb_opts_key_name(o, j), name);
        }
        assert_null(lb_opts_key_name(o, n));
        assert_null(lb_opts_key_help(o, n));
        assert_int_equal(lb_opts_key_repeatable(o, n), 0);
        assert_int_equal(lb_opts_key_is_flag(o, n), 0);
        /* every operation writes into "output" */
        assert_true(lb_opts_key_find(o, "output") >= 0 || strcmp(ops[k], "scores") == 0);
        lb_opts_destroy(o);
    }
    lb_opts *o = opts_of(ctx, "score");
    long input = lb_opts_key_find(o, "input"), preview = lb_opts_key_find(o, "preview");
    assert_true(input >= 0 && preview >= 0);
    assert_int_equal(lb_opts_key_find(o, "i"), input);
    assert_int_equal(lb_opts_key_find(o, "raster-format"), lb_opts_key_find(o, "of"));
    assert_int_equal(lb_opts_key_find(o, "nope"), -1);
    assert_int_equal(lb_opts_key_repeatable(o, (size_t)input), 1);
    assert_int_equal(lb_opts_key_is_flag(o, (size_t)input), 0);
    assert_int_equal(lb_opts_key_repeatable(o, (size_t)preview), 0);
    assert_int_equal(lb_opts_key_is_flag(o, (size_t)preview), 1);
    /* the write keys */
    const char *write_keys[] = {"output",      "overwrite", "outputs", "csv-sep", "full-precision",
                                "geojson-crs", "of",        "co",      "preview"};
    for (size_t i = 0; i < sizeof(write_keys) / sizeof(write_keys[0]); i++)
        assert_true(lb_opts_key_find(o, write_keys[i]) >= 0);
    lb_opts_destroy(o);
    lb_ctx_destroy(ctx);
}

static void test_api_check(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_opts *o = opts_of(ctx, "change");
    assert_int_equal(lb_opts_check(ctx, o, 0), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--from and --to (or --scores) are required"));
    assert_int_equal(lb_opts_set(ctx, o, "from", "a"), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 0), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--to is required"));
    assert_int_equal(lb_opts_set(ctx, o, "to", "b"), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 0), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 1), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "-o OUTDIR is required"));
    assert_int_equal(lb_opts_set(ctx, o, "o", "/tmp/x"), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 1), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "scores", "c"), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 1), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "either --scores or --from/--to"));
    lb_opts_destroy(o);
    o = opts_of(ctx, "waterbed");
    assert_int_equal(lb_opts_set(ctx, o, "scores", "s"), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 0), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--focus or --focus-codes is required"));
    assert_int_equal(lb_opts_set(ctx, o, "focus-codes", "A=WK1|WK2"), LB_OK);
    assert_int_equal(lb_opts_check(ctx, o, 0), LB_OK);
    lb_opts_destroy(o);
    lb_ctx_destroy(ctx);
}

/* ---- the result container ---------------------------------------------------------------- */

typedef struct payload {
    int *destroyed;
    double offset;
    int writes;
    lb_write_opts last;
    char co0[32];
} payload;

static void payload_destroy(void *p)
{
    payload *pl = p;
    (*pl->destroyed)++;
}

static lb_status payload_write(lb_ctx *ctx, const lb_result *r, const lb_write_opts *w)
{
    (void)ctx;
    payload *pl = lb_result_payload(r);
    pl->writes++;
    pl->last = *w;
    snprintf(pl->co0, sizeof(pl->co0), "%s", w->creation_options ? w->creation_options[0] : "");
    return LB_OK;
}

static const lb_result_ops test_ops = {payload_write, payload_destroy};

/* value = offset + 100 * band + 10 * row + col; NaN on the diagonal */
static lb_status fill(lb_ctx *ctx, const lb_raster *r, size_t band, float *out, void *user)
{
    (void)ctx;
    const payload *pl = user;
    for (size_t y = 0; y < r->ny; y++)
        for (size_t x = 0; x < r->nx; x++)
            out[y * r->nx + x] =
                x == y ? NAN
                       : (float)(pl->offset + 100.0 * (double)band + 10.0 * (double)y + (double)x);
    return LB_OK;
}

static lb_table *small_table(lb_ctx *ctx)
{
    lb_table *t = NULL;
    lb_column *code, *score, *n;
    assert_int_equal(lb_table_create(ctx, 3, &t), LB_OK);
    assert_int_equal(lb_table_add(ctx, t, "code", LB_COL_TEXT, &code), LB_OK);
    assert_int_equal(lb_table_add(ctx, t, "lbm", LB_COL_REAL, &score), LB_OK);
    assert_int_equal(lb_table_add(ctx, t, "n", LB_COL_INT, &n), LB_OK);
    code->text[0] = lb_core_strdup("BU1");
    code->text[2] = lb_core_strdup("BU3");
    score->real[0] = 4.25;
    score->real[1] = -0.5;
    n->integer[2] = 7;
    unsigned char *wkb = malloc(21);
    assert_non_null(wkb);
    memset(wkb, 0, 21);
    wkb[0] = 1;
    wkb[1] = 1; /* a point */
    assert_int_equal(lb_table_set_geometry(ctx, t, 1, wkb, 21), LB_OK);
    return t;
}

static void test_api_result_tables(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_result *r = NULL;
    assert_int_equal(lb_result_create(ctx, "change", NULL, &r), LB_OK);
    assert_string_equal(lb_result_operation(r), "change");
    assert_int_equal(lb_result_add_table(ctx, r, "change", small_table(ctx)), LB_OK);
    /* a second table of that name is refused (and freed: no leak under ASan) */
    assert_int_equal(lb_result_add_table(ctx, r, "change", small_table(ctx)), LB_ERR_ARG);
    assert_int_equal(lb_result_table_count(r), 1);
    const lb_table *t = lb_result_table_by_name(r, "change");
    assert_non_null(t);
    assert_ptr_equal(t, lb_result_table(r, 0));
    assert_null(lb_result_table(r, 1));
    assert_null(lb_result_table_by_name(r, "grid"));
    assert_string_equal(lb_table_name(t), "change");
    assert_int_equal(lb_table_row_count(t), 3);
    assert_int_equal(lb_table_column_count(t), 3);
    assert_string_equal(lb_table_column_name(t, 1), "lbm");
    assert_null(lb_table_column_name(t, 3));
    assert_int_equal(lb_table_column_type(t, 0), LB_COL_TEXT);
    assert_int_equal(lb_table_column_type(t, 2), LB_COL_INT);
    assert_int_equal(lb_table_column_index(t, "n"), 2);
    assert_int_equal(lb_table_column_index(t, "x"), -1);
    const double *lbm = lb_table_reals(t, 1);
    assert_non_null(lbm);
    assert_near(lbm[0], 4.25, 0.0);
    assert_near(lbm[1], -0.5, 0.0);
    assert_true(isnan(lbm[2]));
    assert_null(lb_table_reals(t, 0));
    assert_null(lb_table_ints(t, 1));
    const int64_t *n = lb_table_ints(t, 2);
    assert_true(n[0] == LB_INT_NULL && n[2] == 7);
    assert_string_equal(lb_table_text(t, 0, 0), "BU1");
    assert_null(lb_table_text(t, 0, 1));
    assert_null(lb_table_text(t, 1, 0));
    assert_null(lb_table_text(t, 0, 3));
    assert_true(lb_table_has_geometry(t));
    size_t size = 99;
    assert_null(lb_table_wkb(t, 0, &size));
    assert_int_equal(size, 0);
    const unsigned char *g = lb_table_wkb(t, 1, &size);
    assert_non_null(g);
    assert_int_equal(size, 21);
    assert_int_equal(g[1], 1);
    /* no provenance yet */
    assert_string_equal(lb_result_provenance(r), "{}");
    assert_int_equal(lb_result_set_provenance(ctx, r, "{\"tool\":\"leefbaar\"}"), LB_OK);
    assert_string_equal(lb_result_provenance(r), "{\"tool\":\"leefbaar\"}");
    /* a result without a writer writes nothing */
    lb_opts *o = opts_of(ctx, "change");
    assert_int_equal(lb_opts_set(ctx, o, "output", "/tmp/nowhere"), LB_OK);
    assert_int_equal(lb_result_write(ctx, r, o), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "writes no files"));
    lb_opts_destroy(o);
    lb_result_destroy(r);
    lb_result_destroy(NULL);
    lb_ctx_destroy(ctx);
}

static void test_api_result_rasters(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    int destroyed = 0;
    payload *pl = calloc(1, sizeof(*pl));
    assert_non_null(pl);
    pl->destroyed = &destroyed;
    pl->offset = 0.5;
    lb_result *r = NULL;
    assert_int_equal(lb_result_create(ctx, "change", &test_ops, &r), LB_OK);
    lb_result_set_payload(r, pl);
    const double gt[6] = {1000.0, 100.0, 0.0, 5000.0, 0.0, -100.0};
    const char *bands[] = {"d_lbm", "d_fys"};
    lb_raster *added = NULL;
    assert_int_equal(
        lb_result_add_raster(ctx, r, "change_2020_2022", 4, 3, gt, 2, bands, fill, pl, &added),
        LB_OK);
    assert_int_equal(lb_result_raster_count(r), 1);
    const lb_raster *ra = lb_result_raster(r, 0);
    assert_ptr_equal(ra, added);
    assert_null(lb_result_raster(r, 1));
    assert_string_equal(lb_raster_name(ra), "change_2020_2022");
    size_t nx, ny, nb;
    lb_raster_size(ra, &nx, &ny, &nb);
    assert_int_equal(nx, 4);
    assert_int_equal(ny, 3);
    assert_int_equal(nb, 2);
    double got[6];
    lb_raster_geotransform(ra, got);
    for (int i = 0; i < 6; i++)
        assert_near(got[i], gt[i], 0.0);
    assert_string_equal(lb_raster_band_name(ra, 1), "d_fys");
    assert_null(lb_raster_band_name(ra, 2));
    float cells[12];
    assert_int_equal(lb_raster_read_band(ctx, ra, 1, cells), LB_OK);
    assert_true(isnan(cells[0]) && isnan(cells[5]));
    assert_near(cells[1], 101.5, 0.0);         /* row 0, col 1 */
    assert_near(cells[2 * 4 + 3], 123.5, 0.0); /* row 2, col 3 */
    assert_int_equal(lb_raster_read_band(ctx, ra, 2, cells), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "change_2020_2022"));

    /* lb_result_write parses the write keys and calls the operation's writer */
    lb_opts *o = opts_of(ctx, "change");
    assert_int_equal(lb_result_write(ctx, r, o), LB_ERR_ARG); /* no output */
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "output"));
    assert_int_equal(lb_opts_set(ctx, o, "o", "/tmp/out"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "csv-sep", ";"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "co", "COMPRESS=ZSTD"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "co", "LEVEL=9"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "raster-format", "GTiff"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "geojson-crs", "rd"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "overwrite", NULL), LB_OK);
    assert_int_equal(lb_result_write(ctx, r, o), LB_OK);
    assert_int_equal(pl->writes, 1);
    assert_string_equal(pl->last.outdir, "/tmp/out");
    assert_int_equal(pl->last.csv_sep, ';');
    assert_string_equal(pl->co0, "COMPRESS=ZSTD");
    assert_string_equal(pl->last.raster_format, "GTiff");
    assert_int_equal(pl->last.geojson_rd, 1);
    assert_int_equal(pl->last.overwrite, 1);
    assert_int_equal(pl->last.preview, 0);
    assert_int_equal(pl->last.full_precision, 0);
    assert_null(pl->last.basename);
    lb_opts_destroy(o);
    /* options of another operation do not write this result */
    o = opts_of(ctx, "waterbed");
    assert_int_equal(lb_opts_set(ctx, o, "output", "/tmp/out"), LB_OK);
    assert_int_equal(lb_result_write(ctx, r, o), LB_ERR_ARG);
    assert_int_equal(pl->writes, 1);
    lb_opts_destroy(o);

    assert_int_equal(destroyed, 0);
    lb_result_destroy(r);
    assert_int_equal(destroyed, 1);
    free(pl);
    lb_ctx_destroy(ctx);
}

static void test_api_result_warnings(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_ctx_log(ctx, LB_LOG_WARN, "an earlier call's warning");
    lb_ctx_warnings_reset(ctx);
    lb_ctx_log(ctx, LB_LOG_WARN, "unit %s has no score", "BU1");
    lb_ctx_log(ctx, LB_LOG_INFO, "not a warning");
    lb_ctx_log(ctx, LB_LOG_WARN, "second");
    lb_result *r = NULL;
    assert_int_equal(lb_result_create(ctx, "waterbed", NULL, &r), LB_OK);
    assert_int_equal(lb_result_warning_count(r), 0);
    assert_int_equal(lb_result_take_warnings(ctx, r), LB_OK);
    lb_ctx_warnings_reset(ctx); /* the copies stay */
    assert_int_equal(lb_result_warning_count(r), 2);
    assert_string_equal(lb_result_warning(r, 0), "unit BU1 has no score");
    assert_string_equal(lb_result_warning(r, 1), "second");
    assert_null(lb_result_warning(r, 2));
    lb_result_destroy(r);
    lb_ctx_destroy(ctx);
}

static void test_api_cancelled(void **state)
{
    (void)state;
    assert_int_equal((int)LB_ERR_CANCELLED, 9);
    assert_string_equal(lb_status_str(LB_ERR_CANCELLED), "cancelled");
}

/* ---- the operations through the public API on the demo city -------------------------------
 * Memory and files must agree: every number of a result table is compared with the file
 * lb_result_write wrote, read back with GDAL/OGR or json-c (an independent reader). */

typedef struct demo_fixture {
    char dir[256];
    char root[512];
    lb_ctx *ctx;
} demo_fixture;

static int demo_setup(void **state)
{
    demo_fixture *f = calloc(1, sizeof(*f));
    const char *root = getenv("LB_SOURCE_ROOT");
    if (!f || !root || lb_test_tmpdir(f->dir, sizeof(f->dir), "api") != 0)
        return -1;
    snprintf(f->root, sizeof(f->root), "%s", root);
    if (lb_ctx_create(&f->ctx) != LB_OK)
        return -1;
    lb_ctx_set_threads(f->ctx, 1);
    GDALAllRegister();
    char out[400];
    snprintf(out, sizeof(out), "%s/demo", f->dir);
    if (lb_demo_exec(f->ctx, f->root, out, NULL, NULL, 0) != LB_OK) {
        fprintf(stderr, "demo: %s\n", lb_ctx_errmsg(f->ctx));
        return -1;
    }
    *state = f;
    return 0;
}

static int demo_teardown(void **state)
{
    demo_fixture *f = *state;
    lb_ctx_destroy(f->ctx);
    int rc = lb_test_rmtree(f->dir);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* The table column's rounding on output (CSV): half a unit of its last decimal. */
static double tolerance(const lb_table *t, size_t col)
{
    int d = t->cols[col].decimals;
    return d >= 0 ? 0.5 * pow(10.0, -d) * (1.0 + 1e-9) : 0.0;
}

/* Compare every column of @p t with layer @p layer, row i with feature i (@p by_id: the
 * feature whose first column equals row i's), reals within their output rounding (@p exact:
 * bit for bit, as change.gpkg keeps them). Returns the number of values compared. */
static size_t compare_layer(const lb_table *t, OGRLayerH layer, int by_id, int exact)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    assert_int_equal((size_t)OGR_L_GetFeatureCount(layer, 1), lb_table_row_count(t));
    size_t compared = 0;
    OGR_L_ResetReading(layer);
    OGRFeatureH feat;
    for (size_t i = 0; (feat = OGR_L_GetNextFeature(layer)) != NULL; i++) {
        size_t row = i;
        if (by_id) {
            const char *id =
                OGR_F_GetFieldAsString(feat, OGR_F_GetFieldIndex(feat, lb_table_column_name(t, 0)));
            row = SIZE_MAX;
            for (size_t r = 0; r < lb_table_row_count(t); r++)
                if (lb_table_text(t, 0, r) && strcmp(lb_table_text(t, 0, r), id) == 0)
                    row = r;
            assert_true(row != SIZE_MAX);
        }
        for (size_t c = 0; c < lb_table_column_count(t); c++) {
            int fi = OGR_FD_GetFieldIndex(defn, lb_table_column_name(t, c));
            assert_true(fi >= 0);
            int set = OGR_F_IsFieldSetAndNotNull(feat, fi) && *OGR_F_GetFieldAsString(feat, fi);
            if (lb_table_column_type(t, c) == LB_COL_REAL) {
                double v = lb_table_reals(t, c)[row];
                if (isnan(v)) {
                    assert_false(set);
                } else {
                    assert_true(set);
                    double got = OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, fi)) == OFTReal
                                     ? OGR_F_GetFieldAsDouble(feat, fi)
                                     : atof(OGR_F_GetFieldAsString(feat, fi));
                    assert_near(got, v, exact ? 0.0 : tolerance(t, c));
                }
            } else if (lb_table_column_type(t, c) == LB_COL_INT) {
                int64_t v = lb_table_ints(t, c)[row];
                assert_int_equal(set, v != LB_INT_NULL);
                if (set)
                    assert_true(atoll(OGR_F_GetFieldAsString(feat, fi)) == v);
            } else {
                const char *v = lb_table_text(t, c, row);
                assert_int_equal(set, v != NULL && *v);
                if (set)
                    assert_string_equal(OGR_F_GetFieldAsString(feat, fi), v);
            }
            compared++;
        }
        OGR_F_Destroy(feat);
    }
    return compared;
}

static GDALDatasetH open_file(const char *dir, const char *file, unsigned kind)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    GDALDatasetH ds = GDALOpenEx(path, kind | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        print_error("cannot open %s\n", path);
    assert_non_null(ds);
    return ds;
}

static lb_opts *demo_opts(demo_fixture *f, const char *op, const char *out)
{
    lb_opts *o = opts_of(f->ctx, op);
    char scores[400], path[400];
    snprintf(scores, sizeof(scores), "%s/demo/score", f->dir);
    snprintf(path, sizeof(path), "%s/%s", f->dir, out);
    assert_int_equal(lb_opts_set(f->ctx, o, "scores", scores), LB_OK);
    assert_int_equal(lb_opts_set(f->ctx, o, "output", path), LB_OK);
    return o;
}

static void run_ok(lb_ctx *ctx, lb_status st)
{
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
}

/* The head every run.json shares (the one provenance builder): tool "leefbaar" (waterbed wrote
 * "leefbaar waterbed"), command_name, version, command, every library (waterbed had none) and
 * the inputs with their SHA-256 (a file input: @p file, PATH[:LAYER] allowed). */
static void check_provenance_head(struct json_object *doc, const char *op, const char *file)
{
    struct json_object *x = NULL, *libs = NULL, *inputs = NULL;
    assert_true(json_object_object_get_ex(doc, "tool", &x));
    assert_string_equal(json_object_get_string(x), "leefbaar");
    assert_true(json_object_object_get_ex(doc, "command_name", &x));
    assert_string_equal(json_object_get_string(x), op);
    assert_true(json_object_object_get_ex(doc, "version", &x));
    assert_string_equal(json_object_get_string(x), lb_version());
    assert_true(json_object_object_get_ex(doc, "libraries", &libs));
    const char *names[] = {"gdal", "proj", "geos", "json-c", "gsl", "libyaml"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_true(json_object_object_get_ex(libs, names[i], &x));
        assert_true(strlen(json_object_get_string(x)) > 0);
    }
    assert_true(json_object_object_get_ex(doc, "warnings", &x));
    assert_true(json_object_is_type(x, json_type_array));
    assert_true(json_object_object_get_ex(doc, "inputs", &inputs));
    int hashed = 0;
    for (size_t i = 0; file && i < json_object_array_length(inputs); i++) {
        struct json_object *in = json_object_array_get_idx(inputs, i), *p, *h;
        if (json_object_object_get_ex(in, "path", &p) &&
            strncmp(json_object_get_string(p), file, strlen(json_object_get_string(p))) == 0 &&
            json_object_object_get_ex(in, "sha256", &h))
            hashed = strlen(json_object_get_string(h)) == 64;
    }
    assert_true(!file || hashed);
}

static void test_api_change_memory_equals_files(void **state)
{
    demo_fixture *f = *state;
    lb_ctx *ctx = f->ctx;
    lb_opts *o = demo_opts(f, "change", "change");
    assert_int_equal(lb_opts_set(ctx, o, "from-year", "2020"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "to-year", "2022"), LB_OK);
    lb_result *r = NULL;
    run_ok(ctx, lb_change_run(ctx, o, &r));
    assert_string_equal(lb_result_operation(r), "change");
    const lb_table *t = lb_result_table_by_name(r, "change");
    assert_non_null(t);
    assert_true(lb_table_row_count(t) > 50); /* the demo's buurten */
    assert_true(lb_table_has_geometry(t));
    assert_non_null(strstr(lb_result_provenance(r), "\"command_name\""));
    char dir[400];
    snprintf(dir, sizeof(dir), "%s/change", f->dir);
    struct stat sb;
    assert_int_not_equal(stat(dir, &sb), 0); /* the compute wrote nothing */
    run_ok(ctx, lb_result_write(ctx, r, o));

    GDALDatasetH ds = open_file(dir, "change.gpkg", GDAL_OF_VECTOR);
    size_t n = compare_layer(t, GDALDatasetGetLayerByName(ds, "change"), 1, 1);
    GDALClose(ds);
    ds = open_file(dir, "change.csv", GDAL_OF_VECTOR);
    compare_layer(t, GDALDatasetGetLayer(ds, 0), 0, 0);
    GDALClose(ds);
    assert_true(n > 10 * lb_table_row_count(t));

    /* the rasters, band by band and cell by cell */
    assert_int_equal(lb_result_raster_count(r), 2);
    for (size_t k = 0; k < 2; k++) {
        const lb_raster *ra = lb_result_raster(r, k);
        char file[128];
        snprintf(file, sizeof(file), "%s.tif", lb_raster_name(ra));
        ds = open_file(dir, file, GDAL_OF_RASTER);
        size_t nx, ny, nb;
        lb_raster_size(ra, &nx, &ny, &nb);
        assert_int_equal((size_t)GDALGetRasterXSize(ds), nx);
        assert_int_equal((size_t)GDALGetRasterYSize(ds), ny);
        assert_int_equal((size_t)GDALGetRasterCount(ds), nb);
        double gt[6], want[6];
        lb_raster_geotransform(ra, gt);
        GDALGetGeoTransform(ds, want);
        for (int i = 0; i < 6; i++)
            assert_near(gt[i], want[i], 1e-9);
        float *mem = malloc(nx * ny * sizeof(float)), *file_v = malloc(nx * ny * sizeof(float));
        assert_true(mem && file_v);
        size_t finite = 0;
        for (size_t b = 0; b < nb; b++) {
            run_ok(ctx, lb_raster_read_band(ctx, ra, b, mem));
            GDALRasterBandH band = GDALGetRasterBand(ds, (int)b + 1);
            assert_int_equal(GDALRasterIO(band, GF_Read, 0, 0, (int)nx, (int)ny, file_v, (int)nx,
                                          (int)ny, GDT_Float32, 0, 0),
                             CE_None);
            int has_nodata = 0;
            double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
            for (size_t c = 0; c < nx * ny; c++) {
                int missing = isnan(file_v[c]) || (has_nodata && file_v[c] == (float)nodata);
                assert_int_equal(isnan(mem[c]) != 0, missing);
                if (!missing) {
                    assert_true(mem[c] == file_v[c]);
                    finite++;
                }
            }
        }
        assert_true(finite > 100);
        free(mem);
        free(file_v);
        GDALClose(ds);
    }
    char path[700];
    snprintf(path, sizeof(path), "%s/run.json", dir);
    struct json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    check_provenance_head(doc, "change", NULL);
    json_object_put(doc);
    lb_result_destroy(r);
    lb_opts_destroy(o);
}

/* The demo's class preview shows the wijk outlines: pixels of the boundary colour, and the
 * colour is the dark grey of lb_preview_png's palette. */
static void test_api_demo_preview_has_wijken(void **state)
{
    demo_fixture *f = *state;
    char png[600];
    snprintf(png, sizeof(png), "%s/demo/score/class_2022.png", f->dir);
    GDALDatasetH ds = GDALOpenEx(png, GDAL_OF_RASTER, NULL, NULL, NULL);
    assert_non_null(ds);
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    const int line = 9 + LB_PREVIEW_LINE; /* after the 9 classes */
    const GDALColorEntry *e = GDALGetColorEntry(GDALGetRasterColorTable(b), line);
    assert_non_null(e);
    assert_true(e->c1 < 80 && e->c2 < 80 && e->c3 < 80 && e->c4 == 255);
    unsigned char *px = malloc((size_t)w * (size_t)h);
    assert_non_null(px);
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, w, h, px, w, h, GDT_Byte, 0, 0), CE_None);
    size_t n_line = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        n_line += px[i] == line;
    assert_true(n_line > 1000); /* ten wijken: thousands of outline pixels */
    free(px);
    GDALClose(ds);
}

static void test_api_waterbed_memory_equals_files(void **state)
{
    demo_fixture *f = *state;
    lb_ctx *ctx = f->ctx;
    lb_opts *o = demo_opts(f, "waterbed", "waterbed");
    char focus[700];
    snprintf(focus, sizeof(focus), "%s/shapes/leefstad.gpkg:focus_wijken", f->root);
    assert_int_equal(lb_opts_set(ctx, o, "focus", focus), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "placebos", "19"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "bootstrap", "99"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "csv-sep", ";"), LB_OK);
    lb_result *r = NULL;
    run_ok(ctx, lb_waterbed_run(ctx, o, &r));
    assert_int_equal(lb_result_table_count(r), 6);
    run_ok(ctx, lb_result_write(ctx, r, o));
    char dir[400];
    snprintf(dir, sizeof(dir), "%s/waterbed", f->dir);
    const char *csv[3] = {"waterbed.csv", "waterbed_pooled.csv", "waterbed_summary.csv"};
    const char *tables[3] = {"waterbed", "waterbed_pooled", "waterbed_summary"};
    for (int k = 0; k < 3; k++) {
        const lb_table *t = lb_result_table_by_name(r, tables[k]);
        assert_non_null(t);
        assert_true(lb_table_row_count(t) > 0);
        /* a ';' CSV has decimal commas: read it with the separator and compare as text */
        char path[700];
        snprintf(path, sizeof(path), "%s/%s", dir, csv[k]);
        const char *open_opts[] = {"SEPARATOR=SEMICOLON", NULL};
        GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, open_opts, NULL);
        assert_non_null(ds);
        OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
        assert_int_equal((size_t)OGR_L_GetFeatureCount(layer, 1), lb_table_row_count(t));
        OGRFeatureH feat;
        size_t compared = 0;
        for (size_t i = 0; (feat = OGR_L_GetNextFeature(layer)) != NULL; i++) {
            for (size_t c = 0; c < lb_table_column_count(t); c++) {
                if (lb_table_column_type(t, c) != LB_COL_REAL)
                    continue;
                int fi = OGR_F_GetFieldIndex(feat, lb_table_column_name(t, c));
                assert_true(fi >= 0);
                char text[64];
                snprintf(text, sizeof(text), "%s", OGR_F_GetFieldAsString(feat, fi));
                for (char *p = text; *p; p++)
                    if (*p == ',')
                        *p = '.';
                double v = lb_table_reals(t, c)[i];
                assert_int_equal(isnan(v) != 0, text[0] == '\0');
                if (!isnan(v)) {
                    assert_near(atof(text), v, tolerance(t, c));
                    compared++;
                }
            }
            OGR_F_Destroy(feat);
        }
        assert_true(compared > 10);
        GDALClose(ds);
    }
    GDALDatasetH ds = open_file(dir, "zones.gpkg", GDAL_OF_VECTOR);
    const char *layers[3] = {"units", "focus", "placebos"};
    for (int k = 0; k < 3; k++) {
        const lb_table *t = lb_result_table_by_name(r, layers[k]);
        assert_non_null(t);
        OGRLayerH layer = GDALDatasetGetLayerByName(ds, layers[k]);
        assert_non_null(layer);
        compare_layer(t, layer, 0, 0); /* rounded as in the CSV */
    }
    GDALClose(ds);
    /* run.json is the provenance with the files written */
    char path[700];
    snprintf(path, sizeof(path), "%s/run.json", dir);
    struct json_object *doc = json_object_from_file(path),
                       *prov = json_tokener_parse(lb_result_provenance(r)), *a, *b;
    assert_non_null(doc);
    assert_non_null(prov);
    assert_true(json_object_object_get_ex(doc, "counts", &a));
    assert_true(json_object_object_get_ex(prov, "counts", &b));
    assert_true(json_object_equal(a, b));
    check_provenance_head(doc, "waterbed", focus);
    json_object_put(doc);
    json_object_put(prov);
    lb_result_destroy(r);
    lb_opts_destroy(o);
}

static void test_api_diagnose_memory_equals_files(void **state)
{
    demo_fixture *f = *state;
    lb_ctx *ctx = f->ctx;
    lb_opts *o = demo_opts(f, "diagnose", "diagnose");
    assert_int_equal(lb_opts_set(ctx, o, "wijk", "WK990100"), LB_OK);
    assert_int_equal(lb_opts_set(ctx, o, "name", "centrum"), LB_OK);
    lb_result *r = NULL;
    run_ok(ctx, lb_diagnose_run(ctx, o, &r));
    run_ok(ctx, lb_result_write(ctx, r, o));
    const lb_table *t = lb_result_table_by_name(r, "diagnosis");
    assert_non_null(t);
    char path[700];
    snprintf(path, sizeof(path), "%s/diagnose/centrum.json", f->dir);
    struct json_object *doc = json_object_from_file(path), *years = NULL;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "years", &years));
    long cy = lb_table_column_index(t, "year"), cg = lb_table_column_index(t, "group");
    long cl = lb_table_column_index(t, "lbm"), ca = lb_table_column_index(t, "afw");
    long cu = lb_table_column_index(t, "units"), cw = lb_table_column_index(t, "weight");
    assert_true(cy >= 0 && cg >= 0 && cl >= 0 && ca >= 0 && cu >= 0 && cw >= 0);
    size_t compared = 0;
    for (size_t row = 0; row < lb_table_row_count(t); row++) {
        int year = (int)lb_table_ints(t, (size_t)cy)[row];
        struct json_object *y = NULL, *g = NULL, *x = NULL, *dims = NULL;
        for (size_t i = 0; i < json_object_array_length(years); i++) {
            struct json_object *e = json_object_array_get_idx(years, i), *yy;
            if (json_object_object_get_ex(e, "year", &yy) && json_object_get_int(yy) == year)
                y = e;
        }
        assert_non_null(y);
        assert_true(json_object_object_get_ex(y, lb_table_text(t, (size_t)cg, row), &g));
        assert_true(json_object_object_get_ex(g, "lbm", &x));
        assert_near(json_object_get_double(x), lb_table_reals(t, (size_t)cl)[row], 0.0);
        assert_true(json_object_object_get_ex(g, "afw", &x));
        assert_near(json_object_get_double(x), lb_table_reals(t, (size_t)ca)[row], 0.0);
        assert_true(json_object_object_get_ex(g, "n_units", &x));
        assert_int_equal(json_object_get_int64(x), lb_table_ints(t, (size_t)cu)[row]);
        assert_true(json_object_object_get_ex(g, "dimensions", &dims));
        json_object_object_foreach(dims, code, val)
        {
            long c = lb_table_column_index(t, code);
            assert_true(c >= 0);
            double v = lb_table_reals(t, (size_t)c)[row];
            if (json_object_is_type(val, json_type_null))
                assert_true(isnan(v));
            else
                assert_near(json_object_get_double(val), v, 0.0);
            compared++;
        }
    }
    assert_true(compared >= 6 * 4); /* 6 dimensions, 2 years, wijk and gemeente at least */
    json_object_put(doc);
    lb_result_destroy(r);
    lb_opts_destroy(o);
}

static void test_api_scores_open(void **state)
{
    demo_fixture *f = *state;
    lb_ctx *ctx = f->ctx;
    lb_opts *o = opts_of(ctx, "scores");
    char scores[400];
    snprintf(scores, sizeof(scores), "%s/demo/score", f->dir);
    assert_int_equal(lb_opts_set(ctx, o, "scores", scores), LB_OK);
    lb_result *r = NULL;
    run_ok(ctx, lb_scores_open(ctx, o, &r));
    const lb_table *t = lb_result_table_by_name(r, "scores");
    assert_non_null(t);
    /* the same numbers as the run's own GeoPackage layer (one row per unit and year) */
    GDALDatasetH ds = open_file(scores, "scores.gpkg", GDAL_OF_VECTOR);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "buurten");
    assert_non_null(layer);
    long cy = lb_table_column_index(t, "year"), cl = lb_table_column_index(t, "lbm");
    assert_true(cy >= 0 && cl >= 0);
    size_t matched = 0;
    OGRFeatureH feat;
    while ((feat = OGR_L_GetNextFeature(layer)) != NULL) {
        const char *id = OGR_F_GetFieldAsString(feat, OGR_F_GetFieldIndex(feat, "BU_CODE"));
        int year = OGR_F_GetFieldAsInteger(feat, OGR_F_GetFieldIndex(feat, "year"));
        int fl = OGR_F_GetFieldIndex(feat, "lbm");
        for (size_t row = 0; row < lb_table_row_count(t); row++)
            if (strcmp(lb_table_text(t, 0, row), id) == 0 &&
                lb_table_ints(t, (size_t)cy)[row] == year) {
                if (OGR_F_IsFieldSetAndNotNull(feat, fl)) {
                    assert_near(lb_table_reals(t, (size_t)cl)[row],
                                OGR_F_GetFieldAsDouble(feat, fl), 0.0);
                    matched++;
                }
            }
        OGR_F_Destroy(feat);
    }
    GDALClose(ds);
    assert_true(matched > 100);
    /* a scores result writes no files */
    lb_opts *w = opts_of(ctx, "scores");
    assert_int_equal(lb_result_write(ctx, r, w), LB_ERR_ARG);
    lb_opts_destroy(w);
    lb_result_destroy(r);
    lb_opts_destroy(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_unknown_operation),
        cmocka_unit_test(test_api_unknown_key),
        cmocka_unit_test(test_api_bad_values),
        cmocka_unit_test(test_api_lists_and_clear),
        cmocka_unit_test(test_api_flags),
        cmocka_unit_test(test_api_introspection),
        cmocka_unit_test(test_api_check),
        cmocka_unit_test(test_api_result_tables),
        cmocka_unit_test(test_api_result_rasters),
        cmocka_unit_test(test_api_result_warnings),
        cmocka_unit_test(test_api_cancelled),
    };
    const struct CMUnitTest demo[] = {
        cmocka_unit_test(test_api_change_memory_equals_files),
        cmocka_unit_test(test_api_waterbed_memory_equals_files),
        cmocka_unit_test(test_api_diagnose_memory_equals_files),
        cmocka_unit_test(test_api_scores_open),
        cmocka_unit_test(test_api_demo_preview_has_wijken),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    return rc + cmocka_run_group_tests(demo, demo_setup, demo_teardown);
}
