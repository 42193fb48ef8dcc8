/* SPDX-License-Identifier: MIT */
/* Model files: SHA-256, parsing with defaults, every kind and transform, errors with line:col. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/sha256.h"
#include "model/model.h"
#include "model/score.h"

#include <leefbaar/core.h>
#include <leefbaar/model.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

enum { PATH_SIZE = 1024 };

static void fixture(char *buf, size_t size, const char *name)
{
    const char *dir = getenv("LB_TEST_DATA");
    assert_non_null(dir);
    snprintf(buf, size, "%s/models/%s", dir, name);
}

static int setup(void **state)
{
    lb_ctx *ctx = NULL;
    if (lb_ctx_create(&ctx) != LB_OK)
        return -1;
    *state = ctx;
    return 0;
}

static int teardown(void **state)
{
    lb_ctx_destroy(*state);
    return 0;
}

static lb_model *load_ok(lb_ctx *ctx, const char *name)
{
    char path[PATH_SIZE];
    fixture(path, sizeof(path), name);
    lb_model *m = NULL;
    lb_status st = lb_model_load(ctx, path, &m);
    if (st != LB_OK)
        print_error("%s: %s\n", name, lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    assert_non_null(m);
    return m;
}

/* Loading @p name fails with @p want; the message is "<path>:<line_col>: ..." and holds @p what. */
static void expect_error(lb_ctx *ctx, const char *name, lb_status want, const char *line_col,
                         const char *what)
{
    char path[PATH_SIZE], prefix[PATH_SIZE + 32];
    fixture(path, sizeof(path), name);
    lb_model *const sentinel = (lb_model *)(uintptr_t)16; /* *out stays untouched on failure */
    lb_model *m = sentinel;
    lb_status st = lb_model_load(ctx, path, &m);
    const char *msg = lb_ctx_errmsg(ctx);
    if (st != want || strncmp(msg, path, strlen(path)) != 0 || !strstr(msg, what))
        print_error("%s: status %d, message: %s\n", name, (int)st, msg);
    assert_int_equal(st, want);
    assert_ptr_equal(m, sentinel);
    snprintf(prefix, sizeof(prefix), "%s:%s: ", path, line_col);
    assert_true(strncmp(msg, prefix, strlen(prefix)) == 0);
    assert_non_null(strstr(msg, what));
}

/* ---- SHA-256 ------------------------------------------------------------------------------- */

static void sha256_vectors(void)
{
    char hex[65];
    /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "", "abc", the 448-bit message */
    lb_sha256(NULL, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    lb_sha256("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    lb_sha256(m448, strlen(m448), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    lb_sha256(million, 1000000, hex);
    free(million);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The FIPS vectors through both code paths (SHA extensions where the CPU has them, and the
 * portable code), then the two against each other on every length 0..300 (all paddings and
 * block splits) of pseudo-random bytes. */
static void test_model_sha256_vectors(void **state)
{
    (void)state;
    sha256_vectors();
    lb_sha256_force_portable(1);
    sha256_vectors();
    lb_sha256_force_portable(0);

    unsigned char buf[300];
    unsigned x = 12345u;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    for (size_t len = 0; len <= sizeof(buf); len++) {
        char fast[65], slow[65];
        lb_sha256(buf, len, fast);
        lb_sha256_force_portable(1);
        lb_sha256(buf, len, slow);
        lb_sha256_force_portable(0);
        assert_string_equal(fast, slow);
    }
}

/* Lengths around the padding edges (55/56 bytes: length fits or not; 64: a full block). */
static void test_model_sha256_block_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
    };
    unsigned char buf[1000];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)((i * 7 + 3) & 255);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char hex[65];
        lb_sha256(buf, cases[c].n, hex);
        assert_string_equal(hex, cases[c].hex);
    }
}

static void test_model_sha256_file(void **state)
{
    lb_ctx *ctx = *state;
    char path[PATH_SIZE], hex[65];
    fixture(path, sizeof(path), "full.yaml");
    assert_int_equal(lb_sha256_file(ctx, path, hex), LB_OK);
    /* sha256sum tests/data/models/full.yaml */
    assert_string_equal(hex, "115e67055a36de6e753e75daef87ba1bc234770f4d3cb91200d8a04d3bd866fc");

    fixture(path, sizeof(path), "no_such_file.yaml");
    assert_int_equal(lb_sha256_file(ctx, path, hex), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "no_such_file.yaml"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "No such file or directory"));
}

/* ---- valid models -------------------------------------------------------------------------- */

static void test_model_minimal_defaults(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "minimal.yaml");

    assert_string_equal(lb_model_name(m), "minimal");
    assert_int_equal(lb_model_version(m), 1);
    assert_null(m->description);
    assert_non_null(strstr(m->path, "minimal.yaml"));

    assert_int_equal(m->ref_mode, LB_REF_FIXED);
    assert_int_equal(m->ref_year, 0);
    assert_near(m->ref, 4.10, 0);
    assert_false(m->has_means);
    assert_null(m->means);

    assert_string_equal(m->weight_name, "inhabitants");
    assert_string_equal(m->weight_layer, "buurten");
    assert_string_equal(m->weight_field, "AANT_INW");
    assert_near(m->cell_m, 100, 0);
    assert_near(m->min_weight, 1, 0);
    assert_int_equal(m->missing, LB_MISSING_IMPUTE);

    assert_int_equal(lb_model_dimension_count(m), 1);
    assert_string_equal(lb_model_dimension_code(m, 0), "won");
    assert_string_equal(lb_model_dimension_label(m, 0), "won");
    assert_false(m->dims[0].has_bands);

    assert_int_equal(lb_model_indicator_count(m), 1);
    const lb_indicator *ind = &m->ind[0];
    assert_string_equal(ind->id, "woz");
    assert_string_equal(ind->label, "woz");
    assert_string_equal(ind->dimension, "won");
    assert_int_equal(ind->dim, 0);
    assert_null(ind->why);
    assert_int_equal(ind->kind, LB_KIND_ATTRIBUTE);
    assert_string_equal(ind->layer, "buurten");
    assert_string_equal(ind->field, "WOZ");
    assert_false(ind->extensive);
    assert_null(ind->value);
    assert_null(ind->numerator);
    assert_null(ind->denominator);
    assert_null(ind->filter);
    assert_near(ind->cap_m, 5000, 0);
    assert_int_equal(ind->band, 1);
    assert_near(ind->coef, 0.05, 0);
    assert_int_equal(ind->line, 6);
    /* identity */
    assert_false(ind->tf.has_cap);
    assert_false(ind->tf.log1p);
    assert_int_equal(ind->tf.n_pieces, 0);
    assert_null(ind->tf.breaks);
    assert_false(ind->tf.has_dummy);
    assert_false(ind->tf.zscore);

    static const double thr[] = {3.46, 3.557, 3.6955, 3.8971, 3.9972, 4.1924, 4.3044, 4.3926};
    static const char *const labels[] = {
        "zeer onvoldoende", "ruim onvoldoende", "onvoldoende", "zwak",
        "voldoende",        "ruim voldoende",   "goed",        "zeer goed",
        "uitstekend"};
    static const char *const colours[] = {"#730000", "#e50000", "#e1702e", "#ffffbe", "#d3ffbe",
                                          "#93e667", "#55be00", "#267300", "#2d4900"};
    for (size_t i = 0; i < LB_N_THRESHOLDS; i++)
        assert_near(m->thresholds[i], thr[i], 0);
    for (size_t i = 0; i < LB_N_CLASSES; i++) {
        assert_string_equal(m->class_labels[i], labels[i]);
        assert_string_equal(m->class_colours[i], colours[i]);
    }

    static const double cuts[] = {-0.20, -0.1333, -0.0666, 0.0666, 0.1333, 0.20};
    static const char *const dev[] = {"sterk achteruit",  "achteruit",     "licht achteruit",
                                      "geen verandering", "licht vooruit", "vooruit",
                                      "sterk vooruit"};
    assert_int_equal(m->n_dev_cuts, 6);
    for (size_t i = 0; i < 6; i++)
        assert_near(m->dev_cuts[i], cuts[i], 0);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(m->dev_labels[i], dev[i]);
    assert_null(m->dev_labels[7]);
    /* Diverging red → grey → green, the neutral class in the middle. */
    assert_string_equal(m->dev_colours[0], "#b2182b");
    assert_string_equal(m->dev_colours[3], "#d9d9d9");
    assert_string_equal(m->dev_colours[6], "#1b7837");
    assert_null(m->dev_colours[7]);

    assert_int_equal(lb_model_input_count(m), 1);
    assert_string_equal(lb_model_input_name(m, 0), "buurten");
    lb_model_destroy(m);
}

static void test_model_full_every_kind_and_transform(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "full.yaml");

    assert_string_equal(lb_model_name(m), "full-test");
    assert_int_equal(lb_model_version(m), 3);
    assert_string_equal(m->description, "All kinds and transforms, for tests");
    assert_int_equal(m->ref_mode, LB_REF_FIXED);
    assert_int_equal(m->ref_year, 2020);
    assert_near(m->ref, 4.25, 0);
    assert_true(m->has_means);
    assert_near(m->means[0], 0.01, 0);
    assert_near(m->means[1], -0.02, 0);
    assert_near(m->means[2], 0, 0);
    assert_string_equal(m->weight_name, "dwellings");
    assert_string_equal(m->weight_layer, "cbs_vierkant");
    assert_string_equal(m->weight_field, "WONINGEN");
    assert_near(m->cell_m, 250, 0);
    assert_near(m->min_weight, 0, 0);
    assert_int_equal(m->missing, LB_MISSING_DROP);

    assert_int_equal(lb_model_dimension_count(m), 3);
    assert_string_equal(lb_model_dimension_label(m, 0), "Woningvoorraad");
    assert_string_equal(lb_model_dimension_label(m, 1), "Publieke ruimte");
    assert_string_equal(lb_model_dimension_label(m, 2), "vrz");
    assert_true(m->dims[0].has_bands);
    assert_near(m->dims[0].bands[0], -0.2, 0);
    assert_near(m->dims[0].bands[7], 0.2, 0);
    assert_false(m->dims[1].has_bands);

    assert_int_equal(lb_model_indicator_count(m), 11);
    const lb_indicator *ind = m->ind;

    /* attribute, cap + log1p + zscore in one mapping */
    assert_string_equal(ind[0].label, "WOZ-waarde");
    assert_string_equal(ind[0].why, "higher values go with more positive judgements");
    assert_int_equal(ind[0].kind, LB_KIND_ATTRIBUTE);
    assert_false(ind[0].extensive);
    assert_true(ind[0].tf.has_cap);
    assert_near(ind[0].tf.cap_lo, 0, 0);
    assert_near(ind[0].tf.cap_hi, 1500, 0);
    assert_true(ind[0].tf.log1p);
    assert_true(ind[0].tf.zscore);
    assert_int_equal(ind[0].line, 25);

    /* attribute, extensive ("yes"), scalar identity */
    assert_true(ind[1].extensive);
    assert_false(ind[1].tf.has_cap || ind[1].tf.log1p || ind[1].tf.zscore);
    assert_near(ind[1].coef, 0.0015, 0);

    /* ratio, scalar zscore */
    assert_int_equal(ind[2].kind, LB_KIND_RATIO);
    assert_string_equal(ind[2].numerator, "HUURCORP");
    assert_string_equal(ind[2].denominator, "WONINGEN");
    assert_true(ind[2].tf.zscore);
    assert_false(ind[2].tf.log1p);
    assert_near(ind[2].coef, -0.020, 0);

    /* count_within, cap with a null lower end */
    assert_int_equal(ind[3].kind, LB_KIND_COUNT_WITHIN);
    assert_int_equal(ind[3].dim, 1);
    assert_near(ind[3].radius_m, 500, 0);
    assert_string_equal(ind[3].filter, "type = 'burglary'");
    assert_true(ind[3].tf.has_cap);
    assert_true(isinf(ind[3].tf.cap_lo) && ind[3].tf.cap_lo < 0);
    assert_near(ind[3].tf.cap_hi, 50, 0);

    /* nearest_distance, scalar log1p; and the default cap_m with a .inf upper end */
    assert_int_equal(ind[4].kind, LB_KIND_NEAREST_DISTANCE);
    assert_near(ind[4].cap_m, 3000, 0);
    assert_true(ind[4].tf.log1p);
    assert_near(ind[5].cap_m, 5000, 0);
    assert_null(ind[5].filter);
    assert_near(ind[5].tf.cap_lo, 100, 0);
    assert_true(isinf(ind[5].tf.cap_hi) && ind[5].tf.cap_hi > 0);

    /* share_within on a polygon class, piecewise */
    assert_int_equal(ind[6].kind, LB_KIND_SHARE_WITHIN);
    assert_string_equal(ind[6].field, "class");
    assert_string_equal(ind[6].value, "40");
    assert_near(ind[6].radius_m, 300, 0);
    assert_int_equal(ind[6].band, 1);
    assert_int_equal(ind[6].tf.n_pieces, 3);
    assert_near(ind[6].tf.breaks[1], 0.2, 0);
    assert_near(ind[6].tf.values[1], 0.8, 0);

    /* share_within on a raster band, -.inf cap and dummy (above defaults to true) */
    assert_null(ind[7].field);
    assert_int_equal(ind[7].band, 2);
    assert_true(isinf(ind[7].tf.cap_lo) && ind[7].tf.cap_lo < 0);
    assert_near(ind[7].tf.cap_hi, 1, 0);
    assert_true(ind[7].tf.has_dummy);
    assert_near(ind[7].tf.dummy_threshold, 0.3, 0);
    assert_true(ind[7].tf.dummy_above);

    /* raster_mean, dummy below */
    assert_int_equal(ind[8].kind, LB_KIND_RASTER_MEAN);
    assert_int_equal(ind[8].band, 1);
    assert_true(ind[8].tf.has_dummy);
    assert_false(ind[8].tf.dummy_above);
    assert_near(ind[8].tf.dummy_threshold, 55, 0);

    /* density: sum of a field with a filter; plain count with an empty transform mapping */
    assert_int_equal(ind[9].kind, LB_KIND_DENSITY);
    assert_string_equal(ind[9].field, "units");
    assert_string_equal(ind[9].filter, "status = 'in gebruik'");
    assert_near(ind[9].radius_m, 250, 0);
    assert_int_equal(ind[10].kind, LB_KIND_DENSITY);
    assert_null(ind[10].field);
    assert_false(ind[10].tf.has_cap || ind[10].tf.zscore || ind[10].tf.n_pieces);

    assert_near(m->thresholds[0], 1, 0);
    assert_near(m->thresholds[7], 8, 0);
    assert_string_equal(m->class_labels[8], "k9");
    assert_string_equal(m->class_colours[8], "#aabbcc"); /* stored lowercase */
    assert_int_equal(m->n_dev_cuts, 8);
    assert_near(m->dev_cuts[7], 0.3, 0);
    assert_string_equal(m->dev_labels[8], "d9");
    /* Nine classes without colours get the nine-class palette. */
    assert_string_equal(m->dev_colours[0], "#67001f");
    assert_string_equal(m->dev_colours[4], "#d9d9d9");
    assert_string_equal(m->dev_colours[8], "#00441b");

    lb_model_destroy(m);
}

static void test_model_inputs_in_order_of_first_use(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "full.yaml");
    static const char *const want[] = {"cbs_vierkant", "buurten", "incidents", "amenities",
                                       "landuse",      "trees",   "noise",     "bag"};
    assert_int_equal(lb_model_input_count(m), 8);
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(lb_model_input_name(m, i), want[i]);
    assert_null(lb_model_input_name(m, 8));
    lb_model_destroy(m);
}

static void test_model_describe(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "full.yaml");
    char buf[256];
    static const char *const want[] = {
        "woz_value  won  attribute(buurten: WOZ)  cap[0,1500]+log1p+zscore  coef 0.035",
        "dwellings  won  attribute(buurten: WONINGEN, extensive)  identity  coef 0.0015",
        "social_rent_share  won  ratio(buurten: HUURCORP/WONINGEN)  zscore  coef -0.020",
        "incidents  pub  count_within(incidents, r 500 m, where type = 'burglary')  "
        "cap[-inf,50]  coef -0.010",
        "dist_supermarket  vrz  nearest_distance(amenities, cap 3000 m, where category = "
        "'supermarket')  log1p  coef -0.030",
        "dist_school  vrz  nearest_distance(amenities, cap 5000 m)  cap[100,inf]  coef -0.010",
        "green_share  pub  share_within(landuse: class = 40, r 300 m)  piecewise(3)  coef 0.040",
        "tree_cover  pub  share_within(trees, r 200 m, band 2)  cap[-inf,1]+dummy>=0.3  coef "
        "0.020",
        "noise  pub  raster_mean(noise, band 1)  dummy<=55  coef 0.030",
        "address_density  won  density(bag: sum units, r 250 m, where status = 'in gebruik')  "
        "identity  coef -0.001",
        "shops_density  vrz  density(amenities, r 1000 m)  identity  coef 0.002",
    };
    for (size_t i = 0; i < lb_model_indicator_count(m); i++) {
        lb_model_indicator_describe(m, i, buf, sizeof(buf));
        assert_string_equal(buf, want[i]);
    }
    /* truncated, still terminated */
    char small[12];
    lb_model_indicator_describe(m, 0, small, sizeof(small));
    assert_string_equal(small, "woz_value  ");
    /* out of range: empty */
    lb_model_indicator_describe(m, 99, buf, sizeof(buf));
    assert_string_equal(buf, "");
    lb_model_destroy(m);
}

static void test_model_hash_matches_sha256sum(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "minimal.yaml");
    /* sha256sum tests/data/models/minimal.yaml */
    assert_string_equal(lb_model_hash(m),
                        "61e1aafa3c20868d4aa45ac2cee122985844ba9a86bcc488ad77ee85090e6318");
    lb_model_destroy(m);
}

static void test_model_accessors_null_safe(void **state)
{
    (void)state;
    lb_model_destroy(NULL);
    assert_null(lb_model_name(NULL));
    assert_int_equal(lb_model_version(NULL), 0);
    assert_null(lb_model_hash(NULL));
    assert_int_equal(lb_model_dimension_count(NULL), 0);
    assert_null(lb_model_dimension_code(NULL, 0));
    assert_int_equal(lb_model_indicator_count(NULL), 0);
    assert_int_equal(lb_model_input_count(NULL), 0);
    assert_string_equal(lb_kind_name(LB_KIND_SHARE_WITHIN), "share_within");
    assert_string_equal(lb_kind_name(LB_KIND_DENSITY), "density");
}

/* ---- the keys of the indicator engine and transforms at their edges ------------------------ */

static void test_model_kinds_keys(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "kinds.yaml");
    const lb_indicator *ind = m->ind;
    assert_int_equal(ind[0].kind, LB_KIND_COUNT_WITHIN);
    assert_near(ind[0].per, 1000.0, 0.0);
    assert_near(ind[1].per, 1.0, 0.0);
    assert_int_equal(ind[2].resampling, LB_RESAMPLE_NEAREST);
    assert_int_equal(ind[3].resampling, LB_RESAMPLE_BILINEAR);
    assert_int_equal(ind[4].kind, LB_KIND_SHARE_WITHIN);
    assert_string_equal(ind[4].field, "CLASS");
    assert_string_equal(ind[4].value, "park");
    assert_string_equal(ind[4].filter, "AREA_M2 > 5000");
    assert_int_equal(ind[4].resampling, LB_RESAMPLE_BILINEAR); /* the default */
    char buf[256];
    lb_model_indicator_describe(m, 0, buf, sizeof(buf));
    assert_non_null(strstr(buf, "count_within(amenities, r 2000 m, per 1000 inhabitants"));
    lb_model_indicator_describe(m, 2, buf, sizeof(buf));
    assert_non_null(strstr(buf, "raster_mean(landuse, band 1, nearest)"));
    lb_model_indicator_describe(m, 4, buf, sizeof(buf));
    assert_non_null(strstr(buf, "share_within(landuse_polygons: CLASS = park, r 500 m, where "
                                "AREA_M2 > 5000)"));
    /* Without per, count_within counts. */
    lb_model *f = load_ok(ctx, "full.yaml");
    assert_near(f->ind[3].per, 0.0, 0.0);
    lb_model_destroy(f);
    lb_model_destroy(m);
}

static void test_model_transforms_at_the_edges(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "kinds.yaml");
    /* piecewise through (0, −1), (1, 0), (3, 0.5): constant outside the breaks, linear between,
     * exact at the breaks. */
    const lb_transform *pw = &m->ind[0].tf;
    assert_near(lb_model_transform_pre(pw, -7.0), -1.0, 0.0);
    assert_near(lb_model_transform_pre(pw, 0.0), -1.0, 0.0);
    assert_near(lb_model_transform_pre(pw, 0.5), -0.5, 1e-15);
    assert_near(lb_model_transform_pre(pw, 1.0), 0.0, 0.0);
    assert_near(lb_model_transform_pre(pw, 2.0), 0.25, 1e-15);
    assert_near(lb_model_transform_pre(pw, 3.0), 0.5, 0.0);
    assert_near(lb_model_transform_pre(pw, 1e9), 0.5, 0.0);
    assert_true(isnan(lb_model_transform_pre(pw, NAN)));
    /* dummy above 0.25: exactly at the threshold is 1, just below 0. */
    const lb_transform *du = &m->ind[1].tf;
    assert_near(lb_model_transform_pre(du, 0.25), 1.0, 0.0);
    assert_near(lb_model_transform_pre(du, nextafter(0.25, 0.0)), 0.0, 0.0);
    assert_near(lb_model_transform_pre(du, 7.0), 1.0, 0.0);
    assert_true(isnan(lb_model_transform_pre(du, NAN)));
    /* dummy below 3 (above: false): exactly at it is 1, just above 0. */
    const lb_transform *db = &m->ind[2].tf;
    assert_near(lb_model_transform_pre(db, 3.0), 1.0, 0.0);
    assert_near(lb_model_transform_pre(db, nextafter(3.0, 4.0)), 0.0, 0.0);
    assert_near(lb_model_transform_pre(db, -2.0), 1.0, 0.0);
    /* cap [40, 70] then log1p: the cap comes first. */
    const lb_transform *cl = &m->ind[3].tf;
    assert_near(lb_model_transform_pre(cl, 12.0), log(41.0), 1e-15);
    assert_near(lb_model_transform_pre(cl, 55.0), log(56.0), 1e-15);
    assert_near(lb_model_transform_pre(cl, 70.0), log(71.0), 1e-15);
    assert_near(lb_model_transform_pre(cl, 1e6), log(71.0), 1e-15);
    /* log1p alone: log1p(−1) = −∞ is no value, so missing (imputed later), as is anything
     * below −1; log1p(0) = 0; log1p(−0.5) = −log 2. */
    const lb_transform *lp = &m->ind[4].tf;
    assert_true(isnan(lb_model_transform_pre(lp, -1.0)));
    assert_true(isnan(lb_model_transform_pre(lp, -2.5)));
    assert_near(lb_model_transform_pre(lp, 0.0), 0.0, 0.0);
    assert_near(lb_model_transform_pre(lp, -0.5), -log(2.0), 1e-15);
    assert_near(lb_model_transform_pre(lp, 1e-20), 1e-20, 1e-35);
    lb_model_destroy(m);
    /* identity (no transform) leaves the value as it is. */
    m = load_ok(ctx, "minimal.yaml");
    assert_near(lb_model_transform_pre(&m->ind[0].tf, -123.456), -123.456, 0.0);
    lb_model_destroy(m);
}

/* z-scores against the weighted reference population, by hand: a = [1, 2, 4], b = [0, e−1,
 * e²−1] (log1p: 0, 1, 2), weights [1, 1, 2]. */
static void test_model_zscore_by_hand(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = load_ok(ctx, "zscore.yaml");
    const double a[3] = {1, 2, 4}, b[3] = {0, exp(1.0) - 1.0, exp(2.0) - 1.0};
    const double *x[2] = {a, b};
    const double w[3] = {1, 1, 2};
    const unsigned char scored[3] = {1, 1, 1};
    lb_reference ref;
    lb_scores s;
    assert_int_equal(lb_score_units(ctx, m, 3, x, w, scored, NULL, &ref, &s), LB_OK);
    /* a: mean (1 + 2 + 8)/4 = 2.75, variance (1.75² + 0.75² + 2·1.25²)/4 = 1.6875.
     * log1p(b): mean (0 + 1 + 4)/4 = 1.25, variance (1.25² + 0.25² + 2·0.75²)/4 = 0.6875. */
    double ma = 2.75, sa = sqrt(1.6875), mb = 1.25, sb = sqrt(0.6875);
    assert_near(ref.ind_mean[0], ma, 1e-15);
    assert_near(ref.ind_sd[0], sa, 1e-15);
    assert_near(ref.ind_mean[1], mb, 1e-15);
    assert_near(ref.ind_sd[1], sb, 1e-15);
    const double lb[3] = {0, 1, 2};
    for (int u = 0; u < 3; u++) {
        double c = (a[u] - ma) / sa + 0.5 * (lb[u] - mb) / sb;
        /* The weighted mean of the contributions is 0 (z-scores centre them), so dev = C. */
        assert_near(s.dev[0][u], c, 1e-12);
        assert_near(s.lbm[u], 4.0 + c, 1e-12);
    }
    lb_scores_free(&s);
    lb_reference_free(&ref);
    lb_model_destroy(m);
}

/* ---- errors -------------------------------------------------------------------------------- */

static void test_model_err_unknown_top_key(void **state)
{
    expect_error(*state, "bad_top_key.yaml", LB_ERR_MODEL, "3:1",
                 "unknown key 'dimensons' at top level (keys: name, version, description, "
                 "reference, weight, grid, missing, dimensions, indicators, classes, "
                 "development, calibration)");
}

static void test_model_err_unknown_kind(void **state)
{
    expect_error(*state, "bad_kind.yaml", LB_ERR_MODEL, "14:11",
                 "unknown indicator kind 'nearest' (kinds: attribute, ratio, count_within, "
                 "nearest_distance, share_within, raster_mean, density)");
}

static void test_model_err_missing_coef(void **state)
{
    expect_error(*state, "bad_missing_coef.yaml", LB_ERR_MODEL, "5:5",
                 "missing required key 'coef' in indicator 'woz'");
}

static void test_model_err_wrong_type(void **state)
{
    expect_error(*state, "bad_wrong_type.yaml", LB_ERR_MODEL, "10:11",
                 "'coef' in indicator 'woz' must be a number, got a list");
}

static void test_model_err_bad_number(void **state)
{
    expect_error(*state, "bad_number.yaml", LB_ERR_MODEL, "10:11",
                 "'coef' in indicator 'woz' must be a number, got '0.1.2'");
}

static void test_model_err_bad_colour(void **state)
{
    expect_error(*state, "bad_colour.yaml", LB_ERR_MODEL, "8:24",
                 "colour 7 '#55be0' in classes is not \"#rrggbb\"");
}

static void test_model_err_thresholds_not_ascending(void **state)
{
    expect_error(*state, "bad_thresholds_order.yaml", LB_ERR_MODEL, "7:45",
                 "'thresholds' in classes must be strictly ascending: item 5 (3.8971) is not "
                 "above 3.8971");
}

static void test_model_err_thresholds_wrong_count(void **state)
{
    expect_error(*state, "bad_thresholds_count.yaml", LB_ERR_MODEL, "8:5",
                 "'thresholds' in classes must have exactly 8 numbers, got 7");
}

static void test_model_err_duplicate_indicator_id(void **state)
{
    expect_error(*state, "bad_duplicate_id.yaml", LB_ERR_MODEL, "11:9",
                 "duplicate indicator id 'woz' (first at line 5)");
}

static void test_model_err_duplicate_key(void **state)
{
    expect_error(*state, "bad_duplicate_key.yaml", LB_ERR_MODEL, "11:5",
                 "duplicate key 'coef' in indicator 'woz' (first at line 10)");
}

static void test_model_err_unknown_dimension(void **state)
{
    expect_error(*state, "bad_unknown_dimension.yaml", LB_ERR_MODEL, "7:16",
                 "unknown dimension 'wonen' in indicator 'woz' (dimensions: won, pub)");
}

static void test_model_err_param_not_allowed_for_kind(void **state)
{
    expect_error(*state, "bad_param_kind.yaml", LB_ERR_MODEL, "10:5",
                 "'radius_m' is not a parameter of kind 'attribute' in indicator 'woz' "
                 "(attribute takes: field, extensive)");
}

static void test_model_err_malformed_yaml(void **state)
{
    /* libyaml's own problem text and position */
    expect_error(*state, "bad_indent.yaml", LB_ERR_MODEL, "7:10",
                 "mapping values are not allowed in this context");
}

static void test_model_err_means_missing_dimension(void **state)
{
    expect_error(*state, "bad_means.yaml", LB_ERR_MODEL, "4:10",
                 "reference.means has no value for dimension 'vei' (means must name every "
                 "dimension exactly once: won, pub, vei)");
}

static void test_model_err_piecewise_lengths(void **state)
{
    expect_error(*state, "bad_piecewise.yaml", LB_ERR_MODEL, "13:17",
                 "'values' in transform.piecewise of indicator 'woz' must have as many items as "
                 "'breaks' (3), got 2");
}

static void test_model_err_nine_dev_classes_need_labels(void **state)
{
    expect_error(*state, "bad_dev_labels.yaml", LB_ERR_MODEL, "7:9",
                 "'labels' in development is required with 8 cuts (9 classes)");
}

static void test_model_err_dev_colours_count(void **state)
{
    expect_error(*state, "bad_dev_colours.yaml", LB_ERR_MODEL, "7:12",
                 "'colours' in development must have exactly 7 items (one per class: 6 cuts make "
                 "7 classes), got 2");
}

static void test_model_err_missing_file(void **state)
{
    lb_ctx *ctx = *state;
    char path[PATH_SIZE], want[PATH_SIZE + 64];
    fixture(path, sizeof(path), "no_such_model.yaml");
    lb_model *m = NULL;
    assert_int_equal(lb_model_load(ctx, path, &m), LB_ERR_IO);
    assert_null(m);
    snprintf(want, sizeof(want), "cannot read model '%s': No such file or directory", path);
    assert_string_equal(lb_ctx_errmsg(ctx), want);
}

static void test_model_err_per_unit(void **state)
{
    expect_error(*state, "bad_per_unit.yaml", LB_ERR_MODEL, "11:10",
                 "'per' in indicator 'doctors' counts per 'dwellings' but the model's weight is "
                 "'inhabitants'");
}

static void test_model_err_per_number(void **state)
{
    expect_error(*state, "bad_per_number.yaml", LB_ERR_MODEL, "12:10",
                 "'per' in indicator 'doctors': '-5' is not a positive number");
}

static void test_model_err_per_area(void **state)
{
    expect_error(*state, "bad_per_area.yaml", LB_ERR_MODEL, "12:10",
                 "needs a population weight, but the model's weight kind is 'area'");
}

static void test_model_err_resampling(void **state)
{
    expect_error(*state, "bad_resampling.yaml", LB_ERR_MODEL, "10:17",
                 "'resampling' in indicator 'green' must be one of bilinear, nearest; got 'cubic'");
}

/* ---- unit: ---------------------------------------------------------------------------------- */

/* A one-indicator model whose indicator entry ends with the line @p unit_line (may be ""). */
static lb_status load_unit(lb_ctx *ctx, const char *unit_line, lb_model **out)
{
    char text[1024];
    int n = snprintf(text, sizeof(text),
                     "name: u\n"
                     "dimensions:\n"
                     "  - {code: won, label: Woningvoorraad}\n"
                     "indicators:\n"
                     "  - id: koop\n"
                     "    dimension: won\n"
                     "    kind: attribute\n"
                     "    layer: buurten\n"
                     "    field: P_KOOPWON\n"
                     "    coef: 0.01\n"
                     "%s",
                     unit_line);
    assert_true(n > 0 && (size_t)n < sizeof(text));
    return lb_model_load_buffer(ctx, "unit.yaml", (const unsigned char *)text, (size_t)n, out);
}

static void expect_unit_error(lb_ctx *ctx, const char *unit_line, const char *where,
                              const char *what)
{
    lb_model *m = NULL;
    lb_status st = load_unit(ctx, unit_line, &m);
    const char *msg = lb_ctx_errmsg(ctx);
    if (st != LB_ERR_MODEL || strncmp(msg, where, strlen(where)) != 0 || !strstr(msg, what))
        print_error("unit line '%s': status %d, message: %s\n", unit_line, (int)st, msg);
    assert_int_equal(st, LB_ERR_MODEL);
    assert_null(m);
    assert_true(strncmp(msg, where, strlen(where)) == 0);
    assert_non_null(strstr(msg, what));
}

static void test_model_unit_kept_as_written(void **state)
{
    lb_ctx *ctx = *state;
    lb_model *m = NULL;
    /* µg/m³: two- and three-byte UTF-8 */
    assert_int_equal(load_unit(ctx, "    unit: \"\xc2\xb5g/m\xc2\xb3\"\n", &m), LB_OK);
    assert_string_equal(m->ind[0].unit, "\xc2\xb5g/m\xc2\xb3");
    char buf[512];
    lb_model_indicator_describe(m, 0, buf, sizeof(buf));
    assert_non_null(strstr(buf, "unit \"\xc2\xb5g/m\xc2\xb3\""));
    lb_model_destroy(m);
    /* plain text, spaces inside */
    assert_int_equal(load_unit(ctx, "    unit: aantal binnen 500 m\n", &m), LB_OK);
    assert_string_equal(m->ind[0].unit, "aantal binnen 500 m");
    lb_model_destroy(m);
    /* no unit: none, never a default */
    assert_int_equal(load_unit(ctx, "", &m), LB_OK);
    assert_null(m->ind[0].unit);
    lb_model_indicator_describe(m, 0, buf, sizeof(buf));
    assert_null(strstr(buf, "unit"));
    lb_model_destroy(m);
    /* the bound counts characters, not bytes: 40 times "×" (80 bytes) is allowed */
    char line[256] = "    unit: \"";
    for (int i = 0; i < 40; i++)
        strcat(line, "\xc3\x97");
    strcat(line, "\"\n");
    assert_int_equal(load_unit(ctx, line, &m), LB_OK);
    assert_int_equal(strlen(m->ind[0].unit), 80);
    lb_model_destroy(m);
}

static void test_model_err_unit(void **state)
{
    lb_ctx *ctx = *state;
    /* 41 characters */
    expect_unit_error(
        ctx, "    unit: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n",
        "unit.yaml:11:11: ", "'unit' in indicator 'koop' has 41 characters, at most 40");
    expect_unit_error(ctx, "    unit: [dB, Lden]\n",
                      "unit.yaml:11:11: ", "'unit' in indicator 'koop' must be text");
    expect_unit_error(ctx, "    unit: {a: b}\n",
                      "unit.yaml:11:11: ", "'unit' in indicator 'koop' must be text");
    expect_unit_error(ctx, "    unit: 1000\n", "unit.yaml:11:11: ", "got the number '1000'");
    expect_unit_error(ctx, "    unit: \"\"\n", "unit.yaml:11:11: ", "must not be empty");
    /* a control character written as an escape, and a C1 control (U+0085) */
    expect_unit_error(ctx, "    unit: \"dB\\tLden\"\n",
                      "unit.yaml:11:11: ", "is not one line of valid UTF-8 text");
    expect_unit_error(ctx, "    unit: \"dB\\x85\"\n",
                      "unit.yaml:11:11: ", "is not one line of valid UTF-8 text");
    /* bytes that are not UTF-8 at all: refused by the reader, naming file, line and byte */
    expect_unit_error(ctx, "    unit: \"dB\xff\"\n", "unit.yaml:11:", "0xff");
    expect_unit_error(ctx, "    unit: \"\xc3(\"\n", "unit.yaml:11:", "UTF-8");
}

/* Write a model with @p n attribute indicators (ids i0, i1, ...; indicator @p dup_of reused as
 * the id of the last one when >= 0, coefficient @p coef) to a temporary file in @p path. */
static void write_generated_model(char *path, size_t size, size_t n, long dup_of, const char *coef)
{
    snprintf(path, size, "/tmp/lb-test-model-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fprintf(fp, "name: generated\ndimensions:\n  - {code: won}\nindicators:\n");
    for (size_t i = 0; i < n; i++) {
        long id = (dup_of >= 0 && i + 1 == n) ? dup_of : (long)i;
        fprintf(fp,
                "  - {id: i%ld, dimension: won, kind: attribute, layer: b, field: F, coef: %s}\n",
                id, coef);
    }
    assert_int_equal(fclose(fp), 0);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds libyaml alone takes to load @p path as a document: the peer the model parser is timed
 * against, measured in the same process a moment apart, so a loaded machine slows both. */
static double yaml_load_seconds(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    yaml_parser_t parser;
    yaml_document_t doc;
    assert_true(yaml_parser_initialize(&parser));
    yaml_parser_set_input_file(&parser, fp);
    double t0 = seconds_now();
    assert_true(yaml_parser_load(&parser, &doc));
    double dt = seconds_now() - t0;
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(fp);
    return dt;
}

/* 110,000 indicators with a duplicate at the very end: the duplicate is found, naming the first
 * one's line, and the check is not quadratic. It took 247 s against about 1 s for libyaml to
 * load the same file; with a hash set the whole parse costs a small multiple of libyaml's load.
 * The bound is a ratio to that peer (best of two each), not a wall-clock limit, so a busy or
 * sanitised build does not fail it while a quadratic check (ratio in the hundreds) does. */
static void test_model_many_indicators_duplicate_fast(void **state)
{
    lb_ctx *ctx = *state;
    char path[64];
    write_generated_model(path, sizeof(path), 110000, 50000, "0.01");
    double best_yaml = HUGE_VAL, best_model = HUGE_VAL;
    for (int rep = 0; rep < 2; rep++) {
        double y = yaml_load_seconds(path);
        best_yaml = y < best_yaml ? y : best_yaml;
        lb_model *m = NULL;
        double t0 = seconds_now();
        lb_status st = lb_model_load(ctx, path, &m);
        double dt = seconds_now() - t0;
        best_model = dt < best_model ? dt : best_model;
        assert_int_equal(st, LB_ERR_MODEL);
        /* indicator i50000 is the 50001st item, on line 5 + 50000 */
        assert_non_null(strstr(lb_ctx_errmsg(ctx), "duplicate indicator id 'i50000' (first at "
                                                   "line 50005)"));
    }
    unlink(path);
    print_message("110000 indicators checked in %.2f s; libyaml loads the file in %.2f s\n",
                  best_model, best_yaml);
    assert_true(best_model < 20.0 * best_yaml + 0.05);
}

/* Non-finite and absurd coefficients are refused by the parser (issue 18: coef 1e308 turned
 * every score into NaN with exit 0). */
static void test_model_err_coef_out_of_range(void **state)
{
    lb_ctx *ctx = *state;
    char path[64];
    const char *bad[] = {"1e308", "-2e6", ".nan", ".inf"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        write_generated_model(path, sizeof(path), 1, -1, bad[k]);
        lb_model *m = NULL;
        lb_status st = lb_model_load(ctx, path, &m);
        unlink(path);
        if (st != LB_ERR_MODEL)
            print_error("coef %s: status %d\n", bad[k], (int)st);
        assert_int_equal(st, LB_ERR_MODEL);
        assert_non_null(strstr(lb_ctx_errmsg(ctx), "'coef' in indicator 'i0'"));
    }
    write_generated_model(path, sizeof(path), 1, -1, "-1e6");
    lb_model *m = NULL;
    assert_int_equal(lb_model_load(ctx, path, &m), LB_OK);
    unlink(path);
    assert_near(m->ind[0].coef, -1e6, 0);
    lb_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_sha256_vectors),
        cmocka_unit_test(test_model_sha256_block_boundaries),
        cmocka_unit_test_setup_teardown(test_model_sha256_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_minimal_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_full_every_kind_and_transform, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_inputs_in_order_of_first_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_hash_matches_sha256sum, setup, teardown),
        cmocka_unit_test(test_model_accessors_null_safe),
        cmocka_unit_test_setup_teardown(test_model_err_unknown_top_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_unknown_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_missing_coef, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_wrong_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_bad_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_bad_colour, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_thresholds_not_ascending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_thresholds_wrong_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_duplicate_indicator_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_many_indicators_duplicate_fast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_coef_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_duplicate_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_unknown_dimension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_param_not_allowed_for_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_malformed_yaml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_means_missing_dimension, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_piecewise_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_dev_colours_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_nine_dev_classes_need_labels, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_model_err_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_kinds_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_transforms_at_the_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_zscore_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_per_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_per_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_per_area, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_resampling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_unit_kept_as_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_err_unit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
