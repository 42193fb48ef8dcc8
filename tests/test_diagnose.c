/* SPDX-License-Identifier: MIT */
/* The first diagnosis on hand-made scored units: Dutch number formatting and escaping, the
 * preventiebudget rules at each boundary, selection by code, name and polygon, and the numbers
 * in the JSON against an independent recomputation of the weighted means. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "diagnose/diagnose.h"
#include "diagnose/text.h"
#include "pipeline/demo.h"
#include <leefbaar/leefbaar.h>

#include <gdal.h>
#include <json-c/json.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- a hand-made scored city --------------------------------------------------------------
 *
 * Eight 500 m square buurten on a 4 × 2 grid from (150000, 450000) in RD:
 *
 *   row 1:  B03 WK01 | B04 WK02 | B06 WK03 (focus) | B08 WK21 (other gemeente)
 *   row 0:  B01 WK01 | B02 WK01 | B05 WK02         | B07 WK21 (other gemeente)
 *
 * Gemeente GM0001 holds WK01-WK03, GM0002 holds WK21. B02 is named "<Oud & Nieuw>".
 * Three dimensions (won, soc, vei), four indicators (two in won), two years. Each unit's
 * dimension deviation is the sum of its indicators' contributions minus M_d, and
 * lbm = REF + Σ dev, as our runs write them. */

enum { NU = 8, ND = 3, NI = 4, NT = 2, NO = 2 + ND };
static const char *const unit_ids[NU] = {"BU00010001", "BU00010002", "BU00010003", "BU00010004",
                                         "BU00010005", "BU00010006", "BU00020007", "BU00020008"};
static const char *const unit_names[NU] = {"Oud Centrum", "<Oud & Nieuw>", "Vaartkwartier",
                                           "Molenbuurt",  "Havenbuurt",    "Zuiderhof",
                                           "Dorp",        "Buitengebied"};
static const char *const unit_wk[NU] = {"WK000101", "WK000101", "WK000101", "WK000102",
                                        "WK000102", "WK000103", "WK000221", "WK000221"};
static const int col_of[NU] = {0, 1, 0, 1, 2, 2, 3, 3}, row_of[NU] = {0, 0, 1, 1, 0, 1, 0, 1};
static const int ind_dim_of[NI] = {0, 0, 1, 2};
static const double M[ND] = {0.010, -0.004, 0.002};
static const double REF = 4.1;

typedef struct fixture {
    char tmp[256];
    char geojson[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || lb_test_tmpdir(f->tmp, sizeof(f->tmp), "diagnose") != 0)
        return -1;
    snprintf(f->geojson, sizeof(f->geojson), "%s/units.geojson", f->tmp);
    FILE *fp = fopen(f->geojson, "w");
    if (!fp)
        return -1;
    fprintf(fp, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
                "{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":[\n");
    for (int u = 0; u < NU; u++) {
        double x0 = 150000 + 500.0 * col_of[u], y0 = 450000 + 500.0 * row_of[u];
        fprintf(fp,
                "%s{\"type\":\"Feature\",\"properties\":{\"code\":\"%s\"},\"geometry\":"
                "{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],"
                "[%.1f,%.1f],[%.1f,%.1f]]]}}\n",
                u ? "," : "", unit_ids[u], x0, y0, x0 + 500, y0, x0 + 500, y0 + 500, x0, y0 + 500,
                x0, y0);
    }
    fprintf(fp, "]}\n");
    fclose(fp);
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

static char *sdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    assert_non_null(d);
    strcpy(d, s);
    return d;
}

/* Deterministic values in [-1, 1). */
static double noise(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return ((*seed >> 8) & 0xFFFF) / 32768.0 - 1.0;
}

/* The city (freed with lb_scoreset_destroy: every member malloc'd). @p with_ind: indicator columns
 * (our own run) or not (a published table);
 * @p weighted: inhabitants as weights or no weights. Geometry when @p geojson is not NULL. */
static lb_scoreset *make_set(const char *geojson, int with_ind, int weighted)
{
    static const char *const cls[LB_N_CLASSES] = {
        "zeer onvoldoende", "ruim onvoldoende", "onvoldoende", "zwak",
        "voldoende",        "ruim voldoende",   "goed",        "zeer goed",
        "uitstekend"};
    static const char *const col[LB_N_CLASSES] = {"#730000", "#e50000", "#e1702e",
                                                  "#ffffbe", "#d3ffbe", "#93e667",
                                                  "#55be00", "#267300", "#2d4900"};
    static const double thr[LB_N_THRESHOLDS] = {3.46,   3.557,  3.6955, 3.8971,
                                                3.9972, 4.1924, 4.3044, 4.3926};
    /* Binary-exact cut-points so development boundaries can be hit exactly. */
    static const double cuts[6] = {-0.25, -0.125, -0.0625, 0.0625, 0.125, 0.25};
    static const char *const devl[7] = {"sterk achteruit",  "achteruit",     "licht achteruit",
                                        "geen verandering", "licht vooruit", "vooruit",
                                        "sterk vooruit"};
    static const char *const dims[ND] = {"won", "soc", "vei"};
    static const char *const labels[ND] = {"Woningvoorraad", "Sociale samenhang", "Veiligheid"};
    lb_scoreset *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->description = sdup("hand-made test city");
    s->is_published = !with_ind;
    s->n_units = NU;
    s->id = calloc(NU, sizeof(char *));
    s->name = calloc(NU, sizeof(char *));
    s->gm_code = calloc(NU, sizeof(char *));
    s->wk_code = calloc(NU, sizeof(char *));
    for (int u = 0; u < NU; u++) {
        s->id[u] = sdup(unit_ids[u]);
        s->name[u] = sdup(unit_names[u]);
        s->gm_code[u] = sdup(u < 6 ? "GM0001" : "GM0002");
        s->wk_code[u] = sdup(unit_wk[u]);
    }
    if (geojson) {
        lb_ctx *ctx = lb_test_ctx();
        lb_source src = {.name = "units", .path = geojson};
        assert_int_equal(lb_vlayer_read(ctx, &src, NULL, &s->geom), LB_OK);
        lb_ctx_destroy(ctx);
        assert_int_equal(s->geom->n, NU);
        s->geom_row = calloc(NU, sizeof(size_t));
        for (size_t u = 0; u < NU; u++)
            s->geom_row[u] = u;
    }
    s->n_dims = ND;
    s->dim_code = calloc(ND, sizeof(char *));
    s->dim_label = calloc(ND, sizeof(char *));
    for (int d = 0; d < ND; d++) {
        s->dim_code[d] = sdup(dims[d]);
        s->dim_label[d] = sdup(with_ind ? labels[d] : dims[d]);
    }
    s->n_years = NT;
    s->years = calloc(NT, sizeof(int));
    s->years[0] = 2020;
    s->years[1] = 2022;
    s->n_out = NO;
    s->value = calloc(NT * NO * NU, sizeof(double));
    s->weight = calloc(NT * NU, sizeof(double));
    s->weight_name = weighted ? sdup("inhabitants") : NULL;
    s->ref = REF;
    memcpy(s->thresholds, thr, sizeof(thr));
    for (int k = 0; k < LB_N_CLASSES; k++) {
        s->class_labels[k] = sdup(cls[k]);
        s->class_colours[k] = sdup(col[k]);
    }
    s->n_dev_cuts = 6;
    memcpy(s->dev_cuts, cuts, sizeof(cuts));
    for (int k = 0; k < 7; k++)
        s->dev_labels[k] = sdup(devl[k]);
    s->n_ind = NI;
    s->ind_id = calloc(NI, sizeof(char *));
    s->ind_label = calloc(NI, sizeof(char *));
    s->ind_dim = calloc(NI, sizeof(int));
    for (int i = 0; i < NI; i++) {
        char b[64];
        snprintf(b, sizeof(b), "ind_%d", i);
        s->ind_id[i] = sdup(b);
        snprintf(b, sizeof(b), "Indicator %d & co", i);
        s->ind_label[i] = sdup(b);
        s->ind_dim[i] = ind_dim_of[i];
    }
    s->raw = calloc(NT * NI * NU, sizeof(double));
    s->contrib = calloc(NT * NI * NU, sizeof(double));
    unsigned seed = 7;
    for (int t = 0; t < NT; t++)
        for (int u = 0; u < NU; u++) {
            s->weight[t * NU + u] = weighted ? 800.0 + 100.0 * u + 50.0 * t : NAN;
            double dev[ND] = {0};
            for (int i = 0; i < NI; i++) {
                /* Wijk 1 is weaker on housing and social cohesion and declines. */
                double c = 0.03 * noise(&seed) + (u < 3 && i != 3 ? -0.05 - 0.04 * t : 0.0);
                s->contrib[(t * NI + i) * NU + u] = c;
                s->raw[(t * NI + i) * NU + u] = 100.0 * c + 50.0;
                dev[ind_dim_of[i]] += c;
            }
            double afw = 0.0;
            for (int d = 0; d < ND; d++) {
                dev[d] -= M[d];
                s->value[(t * NO + 2 + d) * NU + u] = dev[d];
                afw += dev[d];
            }
            s->value[(t * NO + 1) * NU + u] = afw;
            s->value[(t * NO + 0) * NU + u] = REF + afw;
        }
    if (!with_ind) {
        s->n_ind = 0;
        for (int i = 0; i < NI; i++) {
            free(s->ind_id[i]);
            free(s->ind_label[i]);
        }
        free(s->ind_id);
        free(s->ind_label);
        free(s->ind_dim);
        free(s->raw);
        free(s->contrib);
        s->ind_id = s->ind_label = NULL;
        s->ind_dim = NULL;
        s->raw = s->contrib = NULL;
    }
    return s;
}

static double val(const lb_scoreset *s, int t, int k, int u)
{
    return s->value[((size_t)t * s->n_out + (size_t)k) * s->n_units + (size_t)u];
}

/* Independent weighted mean of outcome k over the units whose flag is set. */
static double wmean(const lb_scoreset *s, int t, int k, const int *in)
{
    double num = 0, den = 0;
    for (int u = 0; u < NU; u++)
        if (in[u]) {
            double w = s->weight_name ? s->weight[t * NU + u] : 1.0;
            num += w * val(s, t, k, u);
            den += w;
        }
    return num / den;
}

static double jget(struct json_object *o, const char *path)
{
    /* path like "years.1.wijk.lbm" */
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    struct json_object *cur = o;
    for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, ".")) {
        if (json_object_is_type(cur, json_type_array))
            cur = json_object_array_get_idx(cur, (size_t)atoi(tok));
        else if (!json_object_object_get_ex(cur, tok, &cur))
            cur = NULL;
        if (!cur) {
            print_error("JSON path %s: no '%s'\n", path, tok);
            fail();
        }
    }
    return json_object_get_double(cur);
}

static char *slurp(const char *path)
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
    return s;
}

/* ---- Dutch numbers and escaping ------------------------------------------------------------ */

static void expect_nl(double v, int dec, int flags, const char *want)
{
    char buf[64];
    lb_diagnose_nl_number(buf, sizeof(buf), v, dec, flags);
    if (strcmp(buf, want) != 0) {
        print_error("lb_diagnose_nl_number(%.17g, %d, %d) = '%s', want '%s'\n", v, dec, flags, buf,
                    want);
        fail();
    }
}

static void test_diagnose_dutch_numbers(void **state)
{
    (void)state;
    expect_nl(4.102265, 3, 0, "4,102");
    expect_nl(4.1045, 3, 0, "4,104"); /* 4.1045 is 4.10449999... in binary: below the half */
    expect_nl(4.1035, 3, 0, "4,104"); /* 4.10350000...04 in binary: above the half */
    expect_nl(2500, 0, LB_NL_GROUP, "2.500");
    expect_nl(2500, 0, 0, "2500");
    expect_nl(999, 0, LB_NL_GROUP, "999");
    expect_nl(999.5, 0, LB_NL_GROUP, "1.000"); /* exact tie: half away from zero */
    expect_nl(-1234.5, 0, LB_NL_GROUP, "-1.235");
    expect_nl(1234567.891, 2, LB_NL_GROUP, "1.234.567,89");
    expect_nl(-1234567.891, 1, LB_NL_GROUP, "-1.234.567,9");
    expect_nl(0.125, 2, 0, "0,13");
    expect_nl(-0.125, 2, 0, "-0,13");
    expect_nl(2.5, 0, 0, "3");
    expect_nl(0.0005, 3, 0, "0,001"); /* 0.000500000000000000010 in binary: above the half */
    expect_nl(-0.0004, 3, 0, "0,000");
    expect_nl(-0.0004, 3, LB_NL_SIGN, "0,000");
    expect_nl(0.0, 3, LB_NL_SIGN, "0,000");
    expect_nl(-0.0, 3, 0, "0,000");
    expect_nl(0.031, 3, LB_NL_SIGN, "+0,031");
    expect_nl(-0.1044, 3, LB_NL_SIGN, "-0,104");
    expect_nl(-0.0666, 4, LB_NL_SIGN, "-0,0666");
    expect_nl(12345.678, 3, LB_NL_SIGN | LB_NL_GROUP, "+12.345,678");
    expect_nl(3.6955, 6, LB_NL_TRIM, "3,6955");
    expect_nl(-0.2, 6, LB_NL_SIGN | LB_NL_TRIM, "-0,2");
    expect_nl(2.0, 3, LB_NL_TRIM, "2");
    expect_nl(NAN, 3, 0, "\xe2\x80\x93");
    expect_nl(INFINITY, 3, 0, "\xe2\x80\x93");
    char small[4];
    lb_diagnose_nl_number(small, sizeof(small), 12345.0, 0, LB_NL_GROUP);
    assert_string_equal(small, "12."); /* truncated, still terminated */
}

static void test_diagnose_escaping(void **state)
{
    (void)state;
    lb_text t = {0};
    lb_text_html(&t, "<Oud & Nieuw> \"x\" 'y'");
    assert_string_equal(t.s, "&lt;Oud &amp; Nieuw&gt; &quot;x&quot; &#39;y&#39;");
    lb_text_free(&t);
    lb_text_md(&t, "<Oud & Nieuw> | a*b_c [d] #1\nx");
    assert_string_equal(t.s, "\\<Oud \\& Nieuw\\> \\| a\\*b\\_c \\[d\\] \\#1 x");
    lb_text_free(&t);
    /* Strikethrough, images, code spans, tabs and controls; a name at the start of a line
     * that Markdown would read as a list item, a setext underline or a code block. */
    lb_text_md(&t, "1. ~~weg~~ ![x](y) `c`\tz\x01<script>");
    assert_string_equal(t.s, "1\\. \\~\\~weg\\~\\~ \\!\\[x\\](y) \\`c\\` z \\<script\\>");
    lb_text_puts(&t, "\n");
    lb_text_md(&t, "    - De Hoek");
    lb_text_puts(&t, "\n");
    lb_text_md(&t, "+ 3) = x");
    assert_string_equal(t.s, "1\\. \\~\\~weg\\~\\~ \\!\\[x\\](y) \\`c\\` z \\<script\\>\n\\- De "
                             "Hoek\n\\+ 3) = x");
    lb_text_free(&t);
    lb_text_md(&t, "2020) x");
    assert_string_equal(t.s, "2020\\) x");
    lb_text_free(&t);
    assert_true(lb_diagnose_code_match("GM03*", "gm0344"));
    assert_true(lb_diagnose_code_match("3561", "3561"));
    assert_false(lb_diagnose_code_match("356", "3561"));
    assert_false(lb_diagnose_code_match("GM03*", "GM0"));
    assert_true(lb_diagnose_code_match("*", "anything"));
}

/* ---- rules at each boundary ---------------------------------------------------------------- */

static void test_diagnose_rule_boundaries(void **state)
{
    (void)state;
    /* (1) clearly below: gap <= -k sd and gap < 0. 0.5 · 0.25 = 0.125 exactly. */
    assert_true(lb_diagnose_clearly_below(-0.125, 0.25, 0.5));
    assert_false(lb_diagnose_clearly_below(nextafter(-0.125, 0.0), 0.25, 0.5));
    assert_true(lb_diagnose_clearly_below(nextafter(-0.125, -1.0), 0.25, 0.5));
    assert_false(lb_diagnose_clearly_below(0.0, 0.0, 0.5)); /* equal is not below */
    assert_true(lb_diagnose_clearly_below(-1e-9, 0.0, 0.5));
    assert_false(lb_diagnose_clearly_below(NAN, 0.25, 0.5));
    assert_false(lb_diagnose_clearly_below(-1.0, NAN, 0.5));
    assert_int_equal(lb_diagnose_problems_level(0), LB_DX_NOT);
    assert_int_equal(lb_diagnose_problems_level(1), LB_DX_PARTLY);
    assert_int_equal(lb_diagnose_problems_level(2), LB_DX_MET);
    assert_int_equal(lb_diagnose_problems_level(6), LB_DX_MET);

    /* (2) near: gap to focus <= distance. */
    assert_true(lb_diagnose_near(0.25, 0.25));
    assert_false(lb_diagnose_near(nextafter(0.25, 1.0), 0.25));
    assert_true(lb_diagnose_near(-0.3, 0.25)); /* already below the focus level */
    assert_false(lb_diagnose_near(NAN, 0.25));
    /* declining: below the middle class (4 of 7, 5 of 9). */
    assert_true(lb_diagnose_declining(3, 6));
    assert_false(lb_diagnose_declining(4, 6));
    assert_false(lb_diagnose_declining(0, 6)); /* missing */
    assert_true(lb_diagnose_declining(1, 6));
    assert_true(lb_diagnose_declining(4, 8));
    assert_false(lb_diagnose_declining(5, 8));
    assert_int_equal(lb_diagnose_risk_level(1, 1, 1), LB_DX_MET);
    assert_int_equal(lb_diagnose_risk_level(1, 1, 0), LB_DX_PARTLY);
    assert_int_equal(lb_diagnose_risk_level(0, 1, 1), LB_DX_PARTLY);
    assert_int_equal(lb_diagnose_risk_level(0, 1, 0), LB_DX_NOT);
    assert_int_equal(lb_diagnose_risk_level(1, 0, 0), LB_DX_PARTLY);
    assert_int_equal(lb_diagnose_risk_level(0, 0, 1), LB_DX_NOT);

    /* (3) size. */
    assert_int_equal(lb_diagnose_size_level(1, 2500.0, 2500.0), LB_DX_MET);
    assert_int_equal(lb_diagnose_size_level(1, nextafter(2500.0, 0.0), 2500.0), LB_DX_NOT);
    assert_int_equal(lb_diagnose_size_level(0, 9000.0, 2500.0), LB_DX_UNKNOWN);
    assert_int_equal(lb_diagnose_size_level(1, NAN, 2500.0), LB_DX_UNKNOWN);

    /* The verdict over every combination, against the documented rule written out here. */
    const lb_diagnose_level lv[4] = {LB_DX_NOT, LB_DX_PARTLY, LB_DX_MET, LB_DX_UNKNOWN};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 4; c++) {
                lb_diagnose_verdict want;
                if (lv[a] == LB_DX_MET && lv[b] == LB_DX_MET && lv[c] == LB_DX_MET)
                    want = LB_DX_STRONG;
                else if (lv[a] == LB_DX_MET || lv[b] == LB_DX_MET ||
                         (lv[a] == LB_DX_PARTLY && lv[b] == LB_DX_PARTLY))
                    want = LB_DX_POSSIBLE;
                else
                    want = LB_DX_NONE;
                assert_int_equal(lb_diagnose_decide(lv[a], lv[b], lv[c]), want);
            }
    assert_string_equal(lb_diagnose_verdict_name(LB_DX_STRONG), "sterke aanwijzing");
    assert_string_equal(lb_diagnose_verdict_name(LB_DX_POSSIBLE), "mogelijke aanwijzing");
    assert_string_equal(lb_diagnose_verdict_name(LB_DX_NONE), "geen aanwijzing");
}

/* ---- selection ---------------------------------------------------------------------------- */

static void flags_are(const unsigned char *got, const int *want)
{
    for (int u = 0; u < NU; u++)
        if (!!got[u] != !!want[u]) {
            print_error("unit %s: got %d, want %d\n", unit_ids[u], got[u], want[u]);
            fail();
        }
}

static void test_diagnose_select_codes_names(void **state)
{
    (void)state;
    lb_scoreset *s = make_set(NULL, 1, 1);
    lb_ctx *ctx = lb_test_ctx();
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    lb_diagnose_selection sel;

    o.wijk = "wk000101"; /* wijk code, case-insensitive: its buurten */
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_OK);
    flags_are(sel.wijk, (int[NU]){1, 1, 1, 0, 0, 0, 0, 0});
    flags_are(sel.gemeente, (int[NU]){1, 1, 1, 1, 1, 1, 0, 0});
    assert_null(sel.focus);
    assert_string_equal(sel.gemeente_code, "GM0001");
    lb_diagnose_selection_free(&sel);

    o.wijk = "BU00010004, BU00010005"; /* unit ids */
    o.focus = "WK000103";
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_OK);
    flags_are(sel.wijk, (int[NU]){0, 0, 0, 1, 1, 0, 0, 0});
    flags_are(sel.focus, (int[NU]){0, 0, 0, 0, 0, 1, 0, 0});
    lb_diagnose_selection_free(&sel);

    o.wijk = "Havenbuurt"; /* a unit's name */
    o.focus = "WK000102";  /* holds the wijk itself: left out of the focus */
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_OK);
    flags_are(sel.wijk, (int[NU]){0, 0, 0, 0, 1, 0, 0, 0});
    flags_are(sel.focus, (int[NU]){0, 0, 0, 1, 0, 0, 0, 0});
    assert_string_equal(sel.wijk_name, "Havenbuurt");
    lb_diagnose_selection_free(&sel);

    o.focus = NULL;
    o.wijk = "WK000101";
    o.gemeente = "GM000*"; /* a pattern: both gemeenten */
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_OK);
    flags_are(sel.gemeente, (int[NU]){1, 1, 1, 1, 1, 1, 1, 1});
    lb_diagnose_selection_free(&sel);

    o.gemeente = NULL;
    o.wijk = "WK000101,WK000199"; /* one code matches nothing: an error naming it */
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "'WK000199'"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "WK000101"));
    o.wijk = "Nergensbuurt";
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "Nergensbuurt"));
    o.wijk = "WK000101";
    o.gemeente = "GM0009";
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "GM0009"));
    lb_ctx_destroy(ctx);
    lb_scoreset_destroy(s);
}

static void test_diagnose_select_polygon(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 1, 1);
    lb_ctx *ctx = lb_test_ctx();
    /* A wijk polygon covering B01 fully, B02 at 60 %, B03 at 40 % (and a second feature that
     * is not selected), and a focus layer covering B06 at exactly 50 % and B05 at 49 %. */
    char wp[600], fp[600];
    snprintf(wp, sizeof(wp), "%s/wijk.geojson", f->tmp);
    snprintf(fp, sizeof(fp), "%s/focus.geojson", f->tmp);
    FILE *w = fopen(wp, "w");
    assert_non_null(w);
    fprintf(w, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
               "{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":["
               "{\"type\":\"Feature\",\"properties\":{\"WK_CODE\":\"WK0001X\",\"WK_NAAM\":"
               "\"Proefwijk\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[150000,"
               "450000],[151000,450000],[151000,450300],[150500,450300],[150500,450700],[150000,"
               "450700],[150000,450000]]]}},"
               "{\"type\":\"Feature\",\"properties\":{\"WK_CODE\":\"WK0001Y\",\"WK_NAAM\":"
               "\"Anders\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[151500,450000],"
               "[152000,450000],[152000,451000],[151500,451000],[151500,450000]]]}}]}\n");
    fclose(w);
    FILE *g = fopen(fp, "w");
    assert_non_null(g);
    fprintf(g, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
               "{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":["
               "{\"type\":\"Feature\",\"properties\":{\"WK_NAAM\":\"Zuiderhof\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[151000,450500],[151250,450500],"
               "[151250,451000],[151000,451000],[151000,450500]]]}},"
               "{\"type\":\"Feature\",\"properties\":{\"WK_NAAM\":\"Rand\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[151000,450000],[151245,450000],"
               "[151245,450500],[151000,450500],[151000,450000]]]}}]}\n");
    fclose(g);
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk_polygon = wp;
    o.wijk = "Proefwijk"; /* picks the feature by its name */
    o.focus = fp;
    lb_diagnose_selection sel;
    lb_status st = lb_diagnose_select(ctx, s, &o, &sel);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    flags_are(sel.wijk, (int[NU]){1, 1, 0, 0, 0, 0, 0, 0});
    assert_near(sel.wijk_share[0], 1.0, 1e-12);
    assert_near(sel.wijk_share[1], 0.6, 1e-12);
    assert_near(sel.wijk_share[2], 0.4, 1e-12);
    assert_near(sel.wijk_share[4], 0.0, 1e-12);
    assert_string_equal(sel.wijk_name, "Proefwijk");
    assert_string_equal(sel.wijk_code, "WK0001X");
    flags_are(sel.focus, (int[NU]){0, 0, 0, 0, 0, 1, 0, 0});
    assert_int_equal(sel.n_focus_areas, 2);
    lb_diagnose_selection_free(&sel);

    o.min_inside = 0.3; /* now B03 (40 %) is in too */
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_OK);
    flags_are(sel.wijk, (int[NU]){1, 1, 1, 0, 0, 0, 0, 0});
    lb_diagnose_selection_free(&sel);

    o.wijk = "Onbekend";
    assert_int_equal(lb_diagnose_select(ctx, s, &o, &sel), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "Onbekend"));
    lb_ctx_destroy(ctx);
    lb_scoreset_destroy(s);
}

/* ---- the numbers -------------------------------------------------------------------------- */

static struct json_object *run_json(const fixture *f, lb_scoreset *s, lb_diagnose_options *o,
                                    const char *sub, const char *base)
{
    char dir[600], path[700];
    snprintf(dir, sizeof(dir), "%s/%s", f->tmp, sub);
    o->outdir = dir;
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_diagnose_run_on(ctx, s, o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    lb_ctx_destroy(ctx);
    snprintf(path, sizeof(path), "%s/%s.json", dir, base);
    struct json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    return doc;
}

static void test_diagnose_json_numbers(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 1, 1);
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk = "WK000101";
    o.focus = "WK000103";
    struct json_object *doc = run_json(f, s, &o, "numbers", "WK000101");
    const int wijk[NU] = {1, 1, 1, 0, 0, 0, 0, 0}, gem[NU] = {1, 1, 1, 1, 1, 1, 0, 0};
    const int all[NU] = {1, 1, 1, 1, 1, 1, 1, 1};
    char p[128];
    for (int t = 0; t < NT; t++) {
        snprintf(p, sizeof(p), "years.%d.year", t);
        assert_int_equal((int)jget(doc, p), s->years[t]);
        static const char *const outs[NO] = {"lbm", "afw", "dimensions.won", "dimensions.soc",
                                             "dimensions.vei"};
        for (int k = 0; k < NO; k++) {
            snprintf(p, sizeof(p), "years.%d.wijk.%s", t, outs[k]);
            assert_near(jget(doc, p), wmean(s, t, k, wijk), 1e-12);
            snprintf(p, sizeof(p), "years.%d.gemeente.%s", t, outs[k]);
            assert_near(jget(doc, p), wmean(s, t, k, gem), 1e-12);
            snprintf(p, sizeof(p), "years.%d.focus.%s", t, outs[k]);
            assert_near(jget(doc, p), val(s, t, k, 5), 1e-12);
        }
        double inh = 0;
        for (int u = 0; u < 3; u++)
            inh += s->weight[t * NU + u];
        snprintf(p, sizeof(p), "years.%d.wijk.weight_sum", t);
        assert_near(jget(doc, p), inh, 1e-9);
    }
    /* Buurten: exactly the scored values (17 significant digits survive the JSON). */
    for (int j = 0; j < 3; j++) {
        snprintf(p, sizeof(p), "buurten.%d.lbm", j);
        assert_true(jget(doc, p) == val(s, 1, 0, j));
        snprintf(p, sizeof(p), "buurten.%d.dimensions.soc", j);
        assert_true(jget(doc, p) == val(s, 1, 3, j));
        snprintf(p, sizeof(p), "buurten.%d.weight", j);
        assert_true(jget(doc, p) == s->weight[NU + j]);
    }
    /* Comparison: gap, sd over all units, threshold, and the check's count. */
    int n_below = 0;
    for (int d = 0; d < ND; d++) {
        double gap = wmean(s, 1, 2 + d, wijk) - wmean(s, 1, 2 + d, gem);
        double m = wmean(s, 1, 2 + d, all), ss = 0, ww = 0;
        for (int u = 0; u < NU; u++) {
            ss += s->weight[NU + u] * pow(val(s, 1, 2 + d, u) - m, 2);
            ww += s->weight[NU + u];
        }
        double sd = sqrt(ss / ww);
        snprintf(p, sizeof(p), "comparison.%d.gap", d);
        assert_near(jget(doc, p), gap, 1e-12);
        snprintf(p, sizeof(p), "comparison.%d.sd", d);
        assert_near(jget(doc, p), sd, 1e-12);
        snprintf(p, sizeof(p), "comparison.%d.threshold", d);
        assert_near(jget(doc, p), 0.5 * sd, 1e-12);
        n_below += gap < 0 && gap <= -0.5 * sd;
    }
    assert_int_equal((int)jget(doc, "check.n_dimensions_clearly_below"), n_below);
    assert_true(n_below >= 2); /* the planted weakness in won and soc */
    /* Development 2020 → 2022 and its class. */
    double dl = wmean(s, 1, 0, wijk) - wmean(s, 0, 0, wijk);
    assert_near(jget(doc, "development.0.wijk.lbm"), dl, 1e-12);
    assert_near(jget(doc, "development.0.wijk.class"),
                1 + (dl >= -0.25) + (dl >= -0.125) + (dl >= -0.0625) + (dl >= 0.0625) +
                    (dl >= 0.125) + (dl >= 0.25),
                0);
    /* Drivers: contribution differences add up to the dimension's gap. */
    struct json_object *weak = NULL;
    assert_true(
        json_object_object_get_ex(json_object_object_get(doc, "drivers"), "weakest", &weak));
    assert_true(json_object_array_length(weak) >= 2);
    for (size_t w = 0; w < json_object_array_length(weak); w++) {
        struct json_object *e = json_object_array_get_idx(weak, w), *inds = NULL;
        assert_true(json_object_object_get_ex(e, "indicators", &inds));
        double sum = 0;
        for (size_t i = 0; i < json_object_array_length(inds); i++) {
            struct json_object *ie = json_object_array_get_idx(inds, i);
            double c_w = json_object_get_double(json_object_object_get(ie, "contribution_wijk"));
            double c_g =
                json_object_get_double(json_object_object_get(ie, "contribution_gemeente"));
            assert_near(json_object_get_double(json_object_object_get(ie, "difference")), c_w - c_g,
                        1e-15);
            sum += c_w - c_g;
        }
        assert_near(sum, json_object_get_double(json_object_object_get(e, "gap")), 1e-12);
    }
    /* Focus gap and size. */
    assert_near(jget(doc, "check.gap_to_focus"), wmean(s, 1, 0, wijk) - val(s, 1, 0, 5), 1e-12);
    assert_near(jget(doc, "check.inhabitants"),
                s->weight[NU] + s->weight[NU + 1] + s->weight[NU + 2], 1e-9);
    json_object_put(doc);
    lb_scoreset_destroy(s);
}

/* Published-style scores: no weights, no indicator columns, dimension codes only. */
static void test_diagnose_published_unweighted(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 0, 0);
    for (int u = 0; u < NU; u++) /* gm codes absent altogether */
        free(s->gm_code[u]);
    free(s->gm_code);
    s->gm_code = NULL;
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk = "BU00010001,BU00010002,BU00010003";
    o.wijk_name = "Drie buurten";
    struct json_object *doc = run_json(f, s, &o, "published", "Drie_buurten");
    const int wijk[NU] = {1, 1, 1, 0, 0, 0, 0, 0}, all[NU] = {1, 1, 1, 1, 1, 1, 1, 1};
    assert_near(jget(doc, "years.1.wijk.lbm"), wmean(s, 1, 0, wijk), 1e-12);
    assert_near(jget(doc, "years.1.gemeente.lbm"), wmean(s, 1, 0, all), 1e-12);
    assert_null(json_object_object_get(
        json_object_object_get(json_object_array_get_idx(json_object_object_get(doc, "years"), 1),
                               "wijk"),
        "weight_sum"));
    assert_false(json_object_get_boolean(
        json_object_object_get(json_object_object_get(doc, "drivers"), "available")));
    struct json_object *crit =
        json_object_object_get(json_object_object_get(doc, "check"), "criteria");
    assert_string_equal(json_object_get_string(
                            json_object_object_get(json_object_array_get_idx(crit, 2), "status")),
                        "onbekend");
    const char *verdict = json_object_get_string(
        json_object_object_get(json_object_object_get(doc, "check"), "verdict"));
    assert_string_not_equal(verdict, "sterke aanwijzing");
    json_object_put(doc);

    char path[700];
    snprintf(path, sizeof(path), "%s/published/Drie_buurten.html", f->tmp);
    char *html = slurp(path);
    assert_non_null(strstr(html, "geen indicatorbijdragen beschikbaar"));
    assert_non_null(strstr(html, "Omvang onbekend"));
    assert_non_null(strstr(html, "Sociale samenhang")); /* the Leefbaarometer name of 'soc' */
    free(html);
    lb_scoreset_destroy(s);
}

/* The HTML escapes names, holds no external reference, and the Markdown has the same
 * numbers. */
static void test_diagnose_html_markdown(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 1, 1);
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk = "WK000101";
    o.wijk_name = "Wijk <1> & \"Co\"";
    o.basename = "rapport";
    /* A name that is markup in both forms. */
    free(s->name[2]);
    s->name[2] = sdup("1. `Vaart`*kwartier*|<script>alert(1)</script>\n# x");
    struct json_object *doc = run_json(f, s, &o, "html", "rapport");
    char path[700];
    snprintf(path, sizeof(path), "%s/html/rapport.html", f->tmp);
    char *html = slurp(path);
    snprintf(path, sizeof(path), "%s/html/rapport.md", f->tmp);
    char *md = slurp(path);
    const char *kr = getenv("LB_DIAGNOSE_KEEP");
    if (kr) {
        FILE *k = fopen(kr, "w");
        if (k) {
            fputs(html, k);
            fclose(k);
        }
    }
    assert_non_null(strstr(html, "&lt;Oud &amp; Nieuw&gt;"));
    assert_null(strstr(html, "<Oud & Nieuw>"));
    assert_non_null(strstr(html, "Wijk &lt;1&gt; &amp; &quot;Co&quot;"));
    assert_non_null(strstr(html, "Indicator 0 &amp; co"));
    assert_non_null(strstr(md, "\\<Oud \\& Nieuw\\>"));
    assert_null(strstr(md, "<Oud & Nieuw>"));
    assert_null(strstr(html, "<script"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    for (const char *p = strstr(md, "<script"); p; p = strstr(p + 1, "<script"))
        assert_true(p > md && p[-1] == '\\'); /* every one escaped */
    assert_non_null(
        strstr(md, "\\`Vaart\\`\\*kwartier\\*\\|\\<script\\>alert(1)\\</script\\> \\# x"));
    /* Self-contained: no external resource of any kind. */
    assert_null(strstr(html, "http"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "href="));
    assert_null(strstr(html, "@import"));
    assert_non_null(strstr(html, "<svg class=\"map\""));
    assert_non_null(strstr(html, "<html lang=\"nl\">"));
    /* The same numbers: the wijk's score the Dutch way in both. */
    char want[64];
    lb_diagnose_nl_number(want, sizeof(want), jget(doc, "years.1.wijk.lbm"), 3, 0);
    assert_non_null(strstr(html, want));
    assert_non_null(strstr(md, want));
    lb_diagnose_nl_number(want, sizeof(want), jget(doc, "comparison.0.gap"), 3, LB_NL_SIGN);
    assert_non_null(strstr(html, want));
    assert_non_null(strstr(md, want));
    assert_non_null(strstr(html, "geen besluit"));
    assert_non_null(strstr(md, "geen besluit"));
    /* The map: RD to SVG pixels with y flipped. The wijk (B01-B03) spans 1,000 m; 400 m
     * around it make an 1,800 m square view, 640 px high at most, so 640/1800 px per metre
     * from (149600, 451400) at the top left. */
    const double sc = 640.0 / 1800.0;
    for (int u = 0; u < 3; u++) {
        char title[64], want_m[64];
        snprintf(title, sizeof(title), "<title>%d. %s", u + 1, unit_ids[u]);
        char *at = strstr(html, title);
        assert_non_null(at);
        *at = '\0'; /* the path's d attribute is the last one before its title */
        char *d = strrchr(html, 'M');
        assert_non_null(d);
        snprintf(want_m, sizeof(want_m), "M%.1f %.1f", (150000 + 500.0 * col_of[u] - 149600) * sc,
                 (451400 - (450000 + 500.0 * row_of[u])) * sc);
        if (strncmp(d, want_m, strlen(want_m)) != 0) {
            print_error("unit %s: path starts '%.30s', want '%s'\n", unit_ids[u], d, want_m);
            fail();
        }
        *at = '<';
    }
    json_object_put(doc);
    free(html);
    free(md);
    lb_scoreset_destroy(s);
}

/* Count of @p needle in @p hay. */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The development chart's gridlines depend on the range of the scores, not on their size: one
 * score of 1e5 once made a 352 MB report (a line every 0.05 from 0 to 1e5), 1e7 ran out of
 * memory and 1e300 never ended. Every report stays small and ends. */
static void test_diagnose_huge_scores_bounded(void **state)
{
    fixture *f = *state;
    static const double big[] = {1e5, 1e7, 1e300, -1e300, 1.7e308};
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        lb_scoreset *s = make_set(f->geojson, 1, 1);
        /* The wijk's first unit gets the huge score in the last year; -1e300 with +1e300 in
         * the other wijk makes a range no double holds. */
        s->value[(1 * NO + 0) * NU + 0] = big[i];
        if (big[i] < 0)
            s->value[(1 * NO + 0) * NU + 1] = -big[i];
        lb_diagnose_options o;
        lb_diagnose_options_init(&o);
        o.wijk = "WK000101";
        o.basename = "rapport";
        char sub[32], path[700];
        snprintf(sub, sizeof(sub), "big%zu", i);
        struct json_object *doc = run_json(f, s, &o, sub, "rapport");
        json_object_put(doc);
        snprintf(path, sizeof(path), "%s/%s/rapport.html", f->tmp, sub);
        char *html = slurp(path);
        size_t len = strlen(html), lines = count_of(html, "stroke=\"#bbb\" stroke-width=\"0.5\"");
        if (len > 300000 || lines > 21)
            print_error("score %g: %zu bytes of HTML, %zu gridlines\n", big[i], len, lines);
        assert_true(len <= 300000);
        assert_true(lines <= 21);
        free(html);
        lb_scoreset_destroy(s);
    }
}

/* Identical scores everywhere (up to the last bit) leave an sd of ~1e-17: "clearly below the
 * gemeente" was then decided by rounding noise and gave a verdict. Now such a dimension is
 * "not decidable", criterion (1) is unknown and the verdict says when it depends on (1). */
static void test_diagnose_identical_scores_no_verdict(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 0, 1);
    const double v = 0.1, lower = 0.1 - 1e-16;
    for (int t = 0; t < NT; t++)
        for (int u = 0; u < NU; u++) {
            for (int d = 0; d < ND; d++)
                s->value[(t * NO + 2 + d) * NU + u] = u < 3 ? lower : v;
            s->value[(t * NO + 1) * NU + u] = 0.3;
            s->value[(t * NO + 0) * NU + u] = 4.4; /* "uitstekend": far from zwak */
        }
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk = "WK000101";
    o.basename = "rapport";
    struct json_object *doc = run_json(f, s, &o, "flat", "rapport"), *cmp = NULL, *chk = NULL,
                       *x = NULL;
    assert_true(json_object_object_get_ex(doc, "comparison", &cmp));
    for (size_t d = 0; d < ND; d++) {
        struct json_object *e = json_object_array_get_idx(cmp, d);
        double sd = jget(e, "sd"), gap = jget(e, "gap");
        /* The premise: the gap is noise of the size of the sd (so gap <= -k sd held). */
        if (!(sd > 0 && sd < 1e-15 && gap < 0 && gap > -1e-15))
            print_error("dimension %zu: sd %g, gap %g\n", d, sd, gap);
        assert_true(sd > 0 && sd < 1e-15 && gap < 0 && gap > -1e-15);
        assert_true(json_object_object_get_ex(e, "clearly_below", &x));
        assert_null(x);
        assert_true(json_object_object_get_ex(e, "no_spread", &x));
        assert_true(json_object_get_boolean(x));
    }
    assert_true(json_object_object_get_ex(doc, "check", &chk));
    assert_near(jget(chk, "n_dimensions_clearly_below"), 0, 0);
    assert_true(json_object_object_get_ex(chk, "criteria", &x));
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_array_get_idx(x, 0), "status")),
        "onbekend");
    /* Far from zwak and not declining: risk not met; (1) met would give "possible", (1) not
     * met "none", so there is no verdict. */
    assert_string_equal(json_object_get_string(json_object_object_get(chk, "verdict")),
                        "geen oordeel mogelijk");
    json_object_put(doc);
    char path[700];
    snprintf(path, sizeof(path), "%s/flat/rapport.md", f->tmp);
    char *md = slurp(path);
    assert_non_null(strstr(md, "niet te bepalen (geen spreiding)"));
    assert_non_null(
        strstr(md, "Niet te bepalen voor Woningvoorraad, Sociale samenhang en Veiligheid"));
    free(md);
    lb_scoreset_destroy(s);

    /* The rules themselves. */
    assert_true(lb_diagnose_no_spread(4e-17, 0.1));
    assert_true(lb_diagnose_no_spread(0.0, 0.0));
    assert_false(lb_diagnose_no_spread(1e-6, 0.1));
    assert_false(lb_diagnose_no_spread(NAN, 0.1));
    assert_true(lb_diagnose_no_spread(1e-7, 1e5)); /* relative to the scale of the scores */
    assert_int_equal(lb_diagnose_decide(LB_DX_UNKNOWN, LB_DX_NOT, LB_DX_MET), LB_DX_UNDECIDED);
    assert_int_equal(lb_diagnose_decide(LB_DX_UNKNOWN, LB_DX_MET, LB_DX_NOT), LB_DX_POSSIBLE);
    assert_int_equal(lb_diagnose_decide(LB_DX_UNKNOWN, LB_DX_MET, LB_DX_MET), LB_DX_UNDECIDED);
}

/* Weights that are powers of two make every mean exactly the unit's value, so boundaries are
 * hit exactly: focus distance 0.25 and the development cut -0.0625. The wijk is one unit. */
static void set_exact(lb_scoreset *s, double wijk20, double wijk22, double focus22)
{
    for (int t = 0; t < NT; t++)
        for (int u = 0; u < NU; u++) {
            s->weight[t * NU + u] = 4096.0;
            for (int k = 0; k < NO; k++)
                s->value[(t * NO + k) * NU + u] = k == 0 ? 4.25 : 0.0;
        }
    s->value[(0 * NO + 0) * NU + 0] = wijk20;
    s->value[(1 * NO + 0) * NU + 0] = wijk22;
    s->value[(1 * NO + 0) * NU + 5] = focus22;
    /* Two dimensions clearly below in the wijk (the others at 0). */
    s->value[(1 * NO + 2) * NU + 0] = -0.5;
    s->value[(1 * NO + 3) * NU + 0] = -0.5;
}

static const char *verdict_of(const fixture *f, lb_scoreset *s, const char *sub, double min_inh)
{
    static char buf[64];
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk = "BU00010001";
    o.focus = "WK000103";
    o.focus_distance = 0.25;
    o.min_inhabitants = min_inh;
    struct json_object *doc = run_json(f, s, &o, sub, "BU00010001");
    snprintf(buf, sizeof(buf), "%s",
             json_object_get_string(
                 json_object_object_get(json_object_object_get(doc, "check"), "verdict")));
    json_object_put(doc);
    return buf;
}

static void test_diagnose_verdict_end_to_end(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 1, 1);
    const double a = nextafter(3.9375, 0.0);
    /* Near (gap exactly 0.25) and declining (-0.0625 - ulp): strong. */
    set_exact(s, 4.0, a, a - 0.25);
    assert_string_equal(verdict_of(f, s, "v1", 2500), "sterke aanwijzing");
    /* On the cut -0.0625 the class is "geen verandering": not declining → possible. */
    set_exact(s, 4.0, 3.9375, 3.6875);
    assert_string_equal(verdict_of(f, s, "v2", 2500), "mogelijke aanwijzing");
    /* Gap one ulp above 0.25: not near; declining only; problems met → possible. */
    set_exact(s, 4.0, 3.875, nextafter(3.625, 0.0));
    assert_string_equal(verdict_of(f, s, "v3", 2500), "mogelijke aanwijzing");
    /* Size exactly at the minimum: strong; one unit of weight less: possible. */
    set_exact(s, 4.0, 3.875, 3.625);
    assert_string_equal(verdict_of(f, s, "v4", 4096), "sterke aanwijzing");
    assert_string_equal(verdict_of(f, s, "v5", nextafter(4096, 5000)), "mogelijke aanwijzing");
    /* One dimension clearly below only, and risk partly (near, improving): possible. */
    set_exact(s, 3.5, 3.875, 3.625);
    s->value[(1 * NO + 3) * NU + 0] = 0.0;
    assert_string_equal(verdict_of(f, s, "v6", 2500), "mogelijke aanwijzing");
    /* ... and with the risk gone (far from the focus level): none. */
    set_exact(s, 3.5, 3.875, 3.5);
    s->value[(1 * NO + 3) * NU + 0] = 0.0;
    assert_string_equal(verdict_of(f, s, "v7", 2500), "geen aanwijzing");
    /* No dimension below, far from the focus, improving: none. */
    set_exact(s, 4.0, 4.25, 3.5);
    s->value[(1 * NO + 2) * NU + 0] = 0.0;
    s->value[(1 * NO + 3) * NU + 0] = 0.0;
    assert_string_equal(verdict_of(f, s, "v8", 2500), "geen aanwijzing");
    lb_scoreset_destroy(s);
}

/* Bad input: nothing written, clear errors. */
static void test_diagnose_errors_leave_nothing(void **state)
{
    fixture *f = *state;
    lb_scoreset *s = make_set(f->geojson, 1, 1);
    lb_ctx *ctx = lb_test_ctx();
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/never", f->tmp);
    o.outdir = dir;
    o.wijk = "WK999999";
    assert_int_equal(lb_diagnose_run_on(ctx, s, &o), LB_ERR_DATA);
    struct stat sb;
    assert_int_not_equal(stat(dir, &sb), 0);
    o.wijk = "WK000101";
    o.years = (int[]){2021};
    o.n_years = 1;
    assert_int_equal(lb_diagnose_run_on(ctx, s, &o), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "2021"));
    assert_int_not_equal(stat(dir, &sb), 0);
    o.years = NULL;
    o.n_years = 0;
    o.min_inside = 0.0;
    assert_int_equal(lb_diagnose_run_on(ctx, s, &o), LB_ERR_ARG);
    o.min_inside = 0.5;
    /* The wijk unscored in the last year. */
    for (int u = 0; u < 3; u++)
        for (int k = 0; k < NO; k++)
            s->value[(1 * NO + k) * NU + u] = NAN;
    assert_int_equal(lb_diagnose_run_on(ctx, s, &o), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "2022"));
    assert_int_not_equal(stat(dir, &sb), 0);
    /* One year only: development unknown, still a report. */
    o.years = (int[]){2020};
    o.n_years = 1;
    assert_int_equal(lb_diagnose_run_on(ctx, s, &o), LB_OK);
    assert_int_equal(stat(dir, &sb), 0);
    lb_ctx_destroy(ctx);
    lb_scoreset_destroy(s);
}

/* The demo's diagnosis of Centrum against scores.gpkg read with OGR: the wijk's, gemeente's
 * and focus wijken's inhabitant-weighted means recomputed here from the buurten layer. */
static void test_diagnose_demo_matches_scores(void **state)
{
    fixture *f = *state;
    char out[600], path[800];
    snprintf(out, sizeof(out), "%s/demo", f->tmp);
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_demo_exec(ctx, getenv("LB_SOURCE_ROOT"), out, NULL, NULL, 0);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    lb_ctx_destroy(ctx);
    snprintf(path, sizeof(path), "%s/diagnose/WK990100.json", out);
    struct json_object *doc = json_object_from_file(path);
    assert_non_null(doc);
    static const char *const outs[] = {"lbm", "afw", "won", "pub", "vrz", "bev", "soc", "vei"};
    const int years[2] = {2020, 2022};
    for (int t = 0; t < 2; t++) {
        /* the demo scores both years in one run: one row per buurt and year */
        snprintf(path, sizeof(path), "%s/score/scores.gpkg", out);
        GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
        assert_non_null(ds);
        OGRLayerH l = GDALDatasetGetLayerByName(ds, "buurten");
        assert_non_null(l);
        char where[32];
        snprintf(where, sizeof(where), "year = %d", years[t]);
        assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
        /* sums[group][k]: group 0 wijk (WK990100), 1 gemeente (all), 2 focus (06, 09). */
        double num[3][8] = {{0}}, den[3] = {0};
        OGRFeatureH ft;
        OGR_L_ResetReading(l);
        while ((ft = OGR_L_GetNextFeature(l)) != NULL) {
            const char *wk = OGR_F_GetFieldAsString(ft, OGR_F_GetFieldIndex(ft, "WK_CODE"));
            double w = OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, "weight"));
            int lbm_i = OGR_F_GetFieldIndex(ft, "lbm");
            if (OGR_F_IsFieldSetAndNotNull(ft, lbm_i) && w > 0) {
                int in[3] = {strcmp(wk, "WK990100") == 0, 1,
                             strcmp(wk, "WK990106") == 0 || strcmp(wk, "WK990109") == 0};
                for (int g = 0; g < 3; g++) {
                    if (!in[g])
                        continue;
                    den[g] += w;
                    for (int k = 0; k < 8; k++)
                        num[g][k] +=
                            w * OGR_F_GetFieldAsDouble(ft, OGR_F_GetFieldIndex(ft, outs[k]));
                }
            }
            OGR_F_Destroy(ft);
        }
        GDALClose(ds);
        static const char *const groups[3] = {"wijk", "gemeente", "focus"};
        char p[128];
        for (int g = 0; g < 3; g++) {
            for (int k = 0; k < 8; k++) {
                snprintf(p, sizeof(p), "years.%d.%s.%s%s", t, groups[g], k < 2 ? "" : "dimensions.",
                         outs[k]);
                assert_near(jget(doc, p), num[g][k] / den[g], 1e-9);
            }
            snprintf(p, sizeof(p), "years.%d.%s.weight_sum", t, groups[g]);
            assert_near(jget(doc, p), den[g], 1e-6);
        }
    }
    /* The wijk is Centrum by its polygon: the six buurten of WK990100. */
    struct json_object *units =
        json_object_object_get(json_object_object_get(doc, "wijk"), "units");
    assert_int_equal(json_object_array_length(units), 6);
    assert_string_equal(
        json_object_get_string(json_object_object_get(json_object_object_get(doc, "wijk"), "name")),
        "Centrum");
    json_object_put(doc);
    snprintf(path, sizeof(path), "%s/diagnose/WK990100.html", out);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diagnose_dutch_numbers),
        cmocka_unit_test(test_diagnose_escaping),
        cmocka_unit_test(test_diagnose_rule_boundaries),
        cmocka_unit_test(test_diagnose_select_codes_names),
        cmocka_unit_test(test_diagnose_select_polygon),
        cmocka_unit_test(test_diagnose_json_numbers),
        cmocka_unit_test(test_diagnose_published_unweighted),
        cmocka_unit_test(test_diagnose_html_markdown),
        cmocka_unit_test(test_diagnose_huge_scores_bounded),
        cmocka_unit_test(test_diagnose_identical_scores_no_verdict),
        cmocka_unit_test(test_diagnose_verdict_end_to_end),
        cmocka_unit_test(test_diagnose_errors_leave_nothing),
        cmocka_unit_test(test_diagnose_demo_matches_scores),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
