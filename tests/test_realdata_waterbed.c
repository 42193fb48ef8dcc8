/* SPDX-License-Identifier: MIT */
/* Waterbed analysis on real published scores: Leefbaarometer 3.0 per PC4 in Utrecht
 * (../shared/data/utrecht-pc4-lbm3), around four aandachtswijken. Skipped when absent.
 *
 * PC4 areas do not follow wijk boundaries; the PC4 codes of each wijk were chosen from the
 * PC4 centroids (WGS84) against the wijk locations:
 *   Overvecht      3561 (5.125 52.114), 3562 (5.116 52.117), 3563 (5.099 52.119),
 *                  3564 (5.106 52.124)
 *   Kanaleneiland  3526 (5.103 52.066, with Transwijk), 3527 (5.095 52.079)
 *   Ondiep         3552 (5.104 52.108)
 *   Zuilen         3551 (5.098 52.102, Elinkwijk), 3553 (5.088 52.110), 3554 (5.093 52.115)
 * Ondiep and Zuilen touch, so their rings overlap; each PC4 goes to its nearest focus area. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include "../src/core/ctx.h"
#include "../src/waterbed/wb.h"

#include <string.h>

static const char *const utrecht_focus[] = {
    "Overvecht=3561|3562|3563|3564",
    "Kanaleneiland=3526|3527",
    "Ondiep=3552",
    "Zuilen=3551|3553|3554",
};

static void test_realdata_waterbed_utrecht(void **state)
{
    (void)state;
    const char *root = getenv("LB_SHARED_DATA");
    char csv[1024], geo[1024];
    if (!root)
        skip();
    snprintf(csv, sizeof(csv), "%s/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv", root);
    snprintf(geo, sizeof(geo), "%s/utrecht-pc4-lbm3/pc4_utrecht.geojson", root);
    FILE *f = fopen(csv, "r");
    if (!f)
        skip();
    fclose(f);
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = csv, .geometry = geo};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, &src, 1, &s), LB_OK);
    assert_null(s->weight_name); /* published data: no population */
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    o.focus_codes = utrecht_focus;
    o.n_focus_codes = 4;
    /* the Wijkenaanpak years, and after (dimensions exist from 2014 on) */
    const lb_wb_period per[2] = {{2008, 2012}, {2014, 2022}};
    o.periods = per;
    o.n_periods = 2;
    /* PC4 units are km-sized: wider rings than for buurten */
    static const double rings[3] = {500.0, 1000.0, 2000.0};
    o.rings_m = rings;
    o.n_rings = 3;
    o.seed = 2007;
    o.n_boot = 499;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_data *d = r->data;
    assert_int_equal(d->n_focus, 4);
    const size_t members[4] = {4, 2, 1, 3};
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(d->focus[k].n_members, members[k]);
    assert_string_equal(r->weight_used, "unit");
    assert_int_equal(d->region, LB_WB_REGION_ALL); /* no gemeente codes in the table */
    /* periods: the two asked plus the pre-trend 2002-2008 (2012-2014 for the second) */
    assert_int_equal(r->n_panels, 4);
    assert_int_equal(r->panels[2].t0, 2002);
    assert_int_equal(r->panels[2].t1, 2008);
    assert_true(r->panels[2].pretrend);
    /* AUTO: placebo areas where at least 19 fit disjointly, else re-assigned units */
    for (size_t q = 0; q < 4; q++) {
        const wb_placebo *pl = &r->placebo[q];
        print_message("%s: %zu candidates, %zu disjoint placebo areas, method %s\n", d->focus[q].id,
                      pl->n_candidates, pl->n_areas,
                      pl->method == LB_WB_PLACEBO_AREAS ? "areas" : "units");
        assert_int_equal(pl->method,
                         pl->n_areas >= WB_PLACEBO_MIN ? LB_WB_PLACEBO_AREAS : LB_WB_PLACEBO_UNITS);
        /* each period draws its own placebos: m is the most any period has; n_areas and
         * method are the first period's */
        assert_int_equal(pl->method_p[0], pl->method);
        if (pl->method == LB_WB_PLACEBO_AREAS)
            assert_true(pl->m >= pl->n_areas);
        else
            assert_int_equal(pl->m, 199);
    }
    size_t checked = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        const wb_row *w = &r->rows[i];
        if (w->st.n == 0)
            continue;
        /* sane: scores in the Leefbaarometer range, changes small, p-values proper */
        if (w->outcome == 0) {
            assert_true(w->st.mean0 > 3.3 && w->st.mean0 < 4.8);
            assert_true(w->st.mean1 > 3.3 && w->st.mean1 < 4.8);
        }
        assert_true(fabs(w->st.delta) < 0.5);
        if (!isnan(w->p_one)) {
            assert_true(w->p_one > 0.0 && w->p_one <= 1.0);
            assert_true(w->p_two > 0.0 && w->p_two <= 1.0);
            /* a rank p over n placebos never goes below 1/(n + 1) */
            assert_true(w->n_placebo >= 1);
            assert_true(w->p_one >= 1.0 / ((double)w->n_placebo + 1.0) - 1e-12);
        }
        checked++;
    }
    assert_true(checked > 100);
    /* dimensions are missing before 2014: no units for them in 2008-2012 */
    const wb_row *w = wb_result_row(r, "Overvecht", "focus", "fys", 2008, 2012);
    assert_non_null(w);
    assert_int_equal(w->st.n, 0);
    w = wb_result_row(r, "Overvecht", "focus", "lbm", 2008, 2012);
    assert_int_equal(w->st.n, 4);
    assert_true(isfinite(w->st.did));
    w = wb_result_row(r, "Overvecht", "ring_0_500", "lbm", 2014, 2022);
    assert_non_null(w);
    assert_true(w->st.n >= 2);
    assert_true(!isnan(w->p_one));
    print_message("Overvecht 2014-2022: focus did %.4f, ring_0_500 n=%zu did %.4f p %.3f q %.3f\n",
                  w->did_focus, w->st.n, w->st.did, w->p_one, w->q_one);
    wb_result_destroy(r);
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

/* The aandachtswijken list (CBS wijk codes) against PC4 units: one error suggesting polygons or
 * PC4 code lists, instead of 40 warnings and a bare "no focus area matches". */
static void test_realdata_waterbed_aandachtswijken_pc4(void **state)
{
    (void)state;
    const char *root = getenv("LB_SHARED_DATA");
    char csv[1024], geo[1024], aw[1024];
    if (!root)
        skip();
    snprintf(csv, sizeof(csv), "%s/utrecht-pc4-lbm3/lbm3_pc4_scores_utrecht.csv", root);
    snprintf(geo, sizeof(geo), "%s/utrecht-pc4-lbm3/pc4_utrecht.geojson", root);
    snprintf(aw, sizeof(aw), "%s/aandachtswijken-40/aandachtswijken_40.csv", root);
    FILE *f = fopen(aw, "r");
    if (!f)
        skip();
    fclose(f);
    lb_ctx *ctx = lb_test_ctx();
    lb_score_source src = {.path = csv, .geometry = geo};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, &src, 1, &s), LB_OK);
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    o.focus_path = aw;
    o.n_placebo = 0;
    o.n_boot = 0;
    wb_result *r = NULL;
    lb_ctx_warnings_reset(ctx);
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_DATA);
    const char *msg = lb_ctx_errmsg(ctx);
    print_message("%s\n", msg);
    assert_non_null(strstr(msg, "none of the 40 focus areas' codes"));
    assert_non_null(strstr(msg, "as polygons"));
    assert_non_null(strstr(msg, "--focus-codes"));
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        assert_null(strstr(lb_ctx_warning(ctx, i), "none of its codes"));
    lb_scoreset_destroy(s);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realdata_waterbed_utrecht),
        cmocka_unit_test(test_realdata_waterbed_aandachtswijken_pc4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
