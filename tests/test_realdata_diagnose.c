/* SPDX-License-Identifier: MIT */
/* The first diagnosis on real published scores (../shared/data, never committed; skipped when
 * absent): Utrecht Overvecht from the Leefbaarometer 3.0 PC4 scores, the README's command.
 * Overvecht is the PC4 areas at least half inside the gemeente's own wijk boundary of
 * Overvecht (utrecht-gemeente-2013): 3561-3566; the gemeente is the PC4 areas half inside its
 * boundary, which must be exactly PC4 345* (Vleuten-De Meern) and 35*; Kanaleneiland, for the
 * distance check, is PC4 3526 and 3527 (they hold 50 % and 43 % of its two buurten's area).
 * The numbers in the JSON are checked against means recomputed here from the CSV. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "diagnose/diagnose.h"

#include <leefbaar/leefbaar.h>

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char csv[512], pc4[512], wijk[512], gem[512], tmp[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    const char *shared = getenv("LB_SHARED_DATA");
    if (!f || lb_test_tmpdir(f->tmp, sizeof(f->tmp), "realdata-diagnose") != 0)
        return -1;
    snprintf(f->csv, sizeof(f->csv), "%s/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv",
             shared ? shared : "../shared/data");
    snprintf(f->pc4, sizeof(f->pc4), "%s/utrecht-pc4-lbm3/pc4_utrecht.geojson",
             shared ? shared : "../shared/data");
    snprintf(f->wijk, sizeof(f->wijk), "%s/utrecht-gemeente-2013/wijk.geojson",
             shared ? shared : "../shared/data");
    snprintf(f->gem, sizeof(f->gem), "%s/utrecht-gemeente-2013/gemeente.geojson",
             shared ? shared : "../shared/data");
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

/* Plain mean of column @p col (0-based: PC4,jaar,lbm,afw,fys,onv,soc,vrz,won) over the rows
 * of @p year whose PC4 satisfies @p pick; "NA" rows are left out. */
static double csv_mean(const char *path, int year, int col, int (*pick)(int))
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[512];
    double sum = 0.0;
    int n = 0;
    assert_non_null(fgets(line, sizeof(line), fp)); /* header */
    while (fgets(line, sizeof(line), fp)) {
        char *save = NULL, *tok = strtok_r(line, ",\r\n", &save);
        int pc4 = atoi(tok), y = atoi(strtok_r(NULL, ",\r\n", &save));
        for (int c = 2; c <= col; c++)
            tok = strtok_r(NULL, ",\r\n", &save);
        if (y != year || !pick(pc4) || !tok || strcmp(tok, "NA") == 0)
            continue;
        sum += strtod(tok, NULL);
        n++;
    }
    fclose(fp);
    return n ? sum / n : NAN;
}

static int overvecht(int pc4)
{
    return pc4 >= 3561 && pc4 <= 3566;
}

static int utrecht(int pc4)
{
    return (pc4 >= 3450 && pc4 <= 3459) || (pc4 >= 3500 && pc4 <= 3599);
}

static int kanaleneiland(int pc4)
{
    return pc4 == 3526 || pc4 == 3527;
}

static double jnum(struct json_object *o, const char *a, const char *b, const char *c)
{
    struct json_object *x = o;
    assert_true(json_object_object_get_ex(x, a, &x));
    if (b)
        assert_true(json_object_object_get_ex(x, b, &x));
    if (c)
        assert_true(json_object_object_get_ex(x, c, &x));
    return json_object_get_double(x);
}

static void test_realdata_diagnose_overvecht(void **state)
{
    fixture *f = *state;
    struct stat sb;
    if (stat(f->csv, &sb) != 0 || stat(f->wijk, &sb) != 0)
        skip();
    char out[400], path[600];
    snprintf(out, sizeof(out), "%s/utrecht", f->tmp);
    lb_score_source src = {.path = f->csv, .geometry = f->pc4};
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.sources = &src;
    o.n_sources = 1;
    o.wijk_polygon = f->wijk;
    o.wijk = "Overvecht";
    o.wijk_name = "Overvecht";
    o.gemeente_polygon = f->gem;
    o.gemeente_name = "Utrecht";
    o.focus = "3526,3527";
    o.basename = "Overvecht";
    o.outdir = out;
    lb_ctx *ctx = lb_test_ctx();
    lb_status st = lb_diagnose_exec(ctx, &o);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    lb_ctx_destroy(ctx);

    snprintf(path, sizeof(path), "%s/Overvecht.json", out);
    struct json_object *doc = json_object_from_file(path), *years = NULL, *y22 = NULL;
    assert_non_null(doc);
    assert_true(json_object_object_get_ex(doc, "years", &years));
    size_t ny = json_object_array_length(years);
    assert_int_equal(ny, 8); /* 2002 2008 2012 2014 2016 2018 2020 2022 */
    y22 = json_object_array_get_idx(years, ny - 1);
    assert_int_equal((int)jnum(y22, "year", NULL, NULL), 2022);
    /* Published scores carry no weights: plain means, recomputed from the CSV. */
    static const char *const dims[] = {"fys", "onv", "soc", "vrz", "won"};
    assert_near(jnum(y22, "wijk", "lbm", NULL), csv_mean(f->csv, 2022, 2, overvecht), 1e-12);
    assert_near(jnum(y22, "gemeente", "lbm", NULL), csv_mean(f->csv, 2022, 2, utrecht), 1e-12);
    assert_near(jnum(y22, "focus", "lbm", NULL), csv_mean(f->csv, 2022, 2, kanaleneiland), 1e-12);
    for (int d = 0; d < 5; d++) {
        assert_near(jnum(y22, "wijk", "dimensions", dims[d]),
                    csv_mean(f->csv, 2022, 4 + d, overvecht), 1e-12);
        assert_near(jnum(y22, "gemeente", "dimensions", dims[d]),
                    csv_mean(f->csv, 2022, 4 + d, utrecht), 1e-12);
    }
    /* Leefbaarometer 3.0: lbm − afw = 4.102265 holds for the means as for every row. */
    assert_near(jnum(y22, "wijk", "lbm", NULL) - jnum(y22, "wijk", "afw", NULL), 4.102265, 1e-6);
    assert_near(jnum(doc, "reference", "ref", NULL), 4.102265, 1e-6);
    /* Overvecht: 6 PC4 areas, 47 in the gemeente, class "voldoende" in 2022. */
    struct json_object *units =
        json_object_object_get(json_object_object_get(doc, "wijk"), "units");
    assert_int_equal(json_object_array_length(units), 6);
    for (size_t i = 0; i < 6; i++)
        assert_true(overvecht(atoi(json_object_get_string(json_object_array_get_idx(units, i)))));
    assert_int_equal((int)jnum(y22, "wijk", "n_units", NULL), 6);
    assert_int_equal((int)jnum(y22, "gemeente", "n_units", NULL), 47);
    assert_int_equal((int)jnum(y22, "wijk", "class", NULL), 5);
    /* Development 2020 → 2022 (the last consecutive period). */
    struct json_object *dev = NULL;
    assert_true(json_object_object_get_ex(doc, "development", &dev));
    struct json_object *recent = json_object_array_get_idx(dev, ny - 2);
    assert_int_equal((int)jnum(recent, "from", NULL, NULL), 2020);
    assert_near(jnum(recent, "wijk", "lbm", NULL),
                csv_mean(f->csv, 2022, 2, overvecht) - csv_mean(f->csv, 2020, 2, overvecht), 1e-12);
    /* No inhabitants in published scores: size unknown, so never a strong indication. */
    assert_true(isnan(jnum(doc, "check", "inhabitants", NULL)) ||
                jnum(doc, "check", "inhabitants", NULL) == 0.0);
    struct json_object *v = NULL;
    assert_true(json_object_object_get_ex(json_object_object_get(doc, "check"), "verdict", &v));
    assert_string_not_equal(json_object_get_string(v), "sterke aanwijzing");
    json_object_put(doc);

    snprintf(path, sizeof(path), "%s/Overvecht.html", out);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char html[1 << 20];
    size_t n = fread(html, 1, sizeof(html) - 1, fp);
    fclose(fp);
    html[n] = '\0';
    assert_non_null(strstr(html, "Eerste wijkdiagnose: Overvecht"));
    assert_non_null(strstr(html, "<svg class=\"map\""));
    assert_null(strstr(html, "http"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realdata_diagnose_overvecht),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
