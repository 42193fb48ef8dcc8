/* SPDX-License-Identifier: MIT */
/* The waterbed summary: placebo intervals against percentiles computed by hand from the
 * placebo draws, columns the statistics add later (CIs, diffusion p and q) lighting up the
 * summary and the report, the flag rules on hand-made rows, and HTML/Markdown escaping of
 * names from the data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include "../src/core/ctx.h"
#include "../src/data/result.h"
#include "../src/pipeline/demo.h"
#include "../src/waterbed/report.h"
#include "../src/waterbed/summary.h"
#include "../src/waterbed/wb.h"

#include <string.h>

/* ---- hand-made tables -------------------------------------------------------------------- */

static lb_column *add(lb_ctx *ctx, lb_table *t, const char *name, lb_col_type type)
{
    lb_column *c = NULL;
    assert_int_equal(lb_table_add(ctx, t, name, type, &c), LB_OK);
    return c;
}

static void text(lb_column *c, size_t r, const char *s)
{
    c->text[r] = s ? lb_core_strdup(s) : NULL;
}

/* A detailed table of one period with three focus areas (A, B, C: B's name full of Markdown
 * and HTML) in zones focus and adj_1, plus a far row and a dimension row the summary leaves
 * out. With @p extra the columns the statistics add later: q_diffusion, p_diffusion. */
static lb_table *detail(lb_ctx *ctx, int extra)
{
    enum { N = 8 };
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(ctx, N, &t), LB_OK);
    lb_column *run = add(ctx, t, "run", LB_COL_TEXT), *per = add(ctx, t, "period", LB_COL_TEXT),
              *role = add(ctx, t, "period_role", LB_COL_TEXT),
              *fid = add(ctx, t, "focus_id", LB_COL_TEXT),
              *fname = add(ctx, t, "focus_name", LB_COL_TEXT),
              *scheme = add(ctx, t, "scheme", LB_COL_TEXT),
              *zone = add(ctx, t, "zone", LB_COL_TEXT), *out = add(ctx, t, "outcome", LB_COL_TEXT),
              *n = add(ctx, t, "n_units", LB_COL_INT), *did = add(ctx, t, "did", LB_COL_REAL),
              *p1 = add(ctx, t, "p_placebo_one", LB_COL_REAL),
              *p2 = add(ctx, t, "p_placebo_two", LB_COL_REAL),
              *pm = add(ctx, t, "placebo_method", LB_COL_TEXT),
              *np = add(ctx, t, "n_placebo", LB_COL_INT), *q1 = add(ctx, t, "q_one", LB_COL_REAL),
              *plo = add(ctx, t, "placebo_lo", LB_COL_REAL),
              *phi = add(ctx, t, "placebo_hi", LB_COL_REAL);
    lb_column *pu = extra ? add(ctx, t, "p_diffusion", LB_COL_REAL) : NULL,
              *qu = extra ? add(ctx, t, "q_diffusion", LB_COL_REAL) : NULL;
    static const char *const ids[N] = {"A", "A", "B", "B", "C", "C", "A", "A"};
    static const char *const zones[N] = {"focus", "adj_1", "focus", "adj_1",
                                         "focus", "adj_1", "far",   "adj_1"};
    static const char *const schemes[N] = {"focus", "adjacency", "focus",   "adjacency",
                                           "focus", "adjacency", "control", "adjacency"};
    static const char *const outs[N] = {"lbm", "lbm", "lbm", "lbm", "lbm", "lbm", "lbm", "won"};
    /* A's adj_1 displaced (q 0.01), B's diffused (q_diffusion 0.02), C's neither */
    const double dids[N] = {0.2, -0.08, 0.1, 0.06, 0.15, -0.01, NAN, -0.5};
    const double q1s[N] = {NAN, 0.01, NAN, 0.9, NAN, 0.3, NAN, 0.001};
    const double qus[N] = {NAN, 0.95, NAN, 0.02, NAN, 0.4, NAN, 0.001};
    for (size_t r = 0; r < N; r++) {
        text(run, r, "t");
        text(per, r, "2008-2012");
        text(role, r, "main");
        text(fid, r, ids[r]);
        text(fname, r, r == 2 || r == 3 ? "Oud *West* | [x] <b> & _y_" : "Noord");
        text(scheme, r, schemes[r]);
        text(zone, r, zones[r]);
        text(out, r, outs[r]);
        n->integer[r] = (int64_t)(10 + r);
        did->real[r] = dids[r];
        p1->real[r] = q1s[r] / 2;
        p2->real[r] = q1s[r];
        text(pm, r, "areas");
        np->integer[r] = 199;
        q1->real[r] = q1s[r];
        plo->real[r] = -0.05 - 0.001 * (double)r;
        phi->real[r] = 0.05 + 0.001 * (double)r;
        if (extra) {
            pu->real[r] = qus[r] / 2;
            qu->real[r] = qus[r];
        }
    }
    return t;
}

/* The pooled table: focus and adj_1 of one period, adj_1 negative with p 0.03. With @p extra
 * a 95 % CI that includes 0 (so the CI, not p, decides: no flag). */
static lb_table *pooled(lb_ctx *ctx, int extra)
{
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(ctx, 2, &t), LB_OK);
    lb_column *run = add(ctx, t, "run", LB_COL_TEXT), *per = add(ctx, t, "period", LB_COL_TEXT),
              *role = add(ctx, t, "period_role", LB_COL_TEXT),
              *out = add(ctx, t, "outcome", LB_COL_TEXT), *term = add(ctx, t, "term", LB_COL_TEXT),
              *est = add(ctx, t, "estimate", LB_COL_REAL),
              *p2 = add(ctx, t, "p_boot_two", LB_COL_REAL),
              *p1 = add(ctx, t, "p_boot_one", LB_COL_REAL), *n = add(ctx, t, "n_units", LB_COL_INT),
              *b = add(ctx, t, "n_boot", LB_COL_INT);
    lb_column *lo = extra ? add(ctx, t, "ci_low", LB_COL_REAL) : NULL,
              *hi = extra ? add(ctx, t, "ci_high", LB_COL_REAL) : NULL;
    const char *terms[2] = {"focus", "adj_1"};
    const double e[2] = {0.123456, -0.045678}, p[2] = {0.0, 0.03};
    for (size_t r = 0; r < 2; r++) {
        text(run, r, "t");
        text(per, r, "2008-2012");
        text(role, r, "main");
        text(out, r, "lbm");
        text(term, r, terms[r]);
        est->real[r] = e[r];
        p2->real[r] = p[r];
        p1->real[r] = p[r] / 2;
        n->integer[r] = 60;
        b->integer[r] = 999;
        if (extra) {
            lo->real[r] = e[r] - 0.07;
            hi->real[r] = e[r] + 0.07;
        }
    }
    return t;
}

static const lb_column *col(const lb_table *t, const char *name)
{
    const lb_column *c = lb_table_col(t, name);
    assert_non_null(c);
    return c;
}

/* Row of summary @p s with level and zone (and focus id for areas); fails when absent. */
static size_t row_of(const lb_table *s, const char *level, const char *zone, const char *fid)
{
    for (size_t r = 0; r < s->n_rows; r++)
        if (strcmp(col(s, "level")->text[r], level) == 0 &&
            strcmp(col(s, "zone")->text[r], zone) == 0 &&
            (!fid || strcmp(col(s, "focus_id")->text[r], fid) == 0))
            return r;
    fail_msg("no summary row %s %s %s", level, zone, fid ? fid : "");
    return 0;
}

static const char *flag_at(const lb_table *s, size_t r)
{
    const char *f = col(s, "flag")->text[r];
    return f ? f : "";
}

/* A result of the hand-made tables and their summary. */
static lb_result *hand_result(lb_ctx *ctx, int extra)
{
    lb_result *res = NULL;
    assert_int_equal(lb_result_create(ctx, "waterbed", NULL, &res), LB_OK);
    assert_int_equal(lb_result_add_table(ctx, res, "waterbed", detail(ctx, extra)), LB_OK);
    assert_int_equal(lb_result_add_table(ctx, res, "waterbed_pooled", pooled(ctx, extra)), LB_OK);
    lb_table *s = NULL;
    assert_int_equal(wb_summary_table(ctx, lb_result_table_by_name(res, "waterbed"),
                                      lb_result_table_by_name(res, "waterbed_pooled"), &s),
                     LB_OK);
    assert_int_equal(lb_result_add_table(ctx, res, "waterbed_summary", s), LB_OK);
    return res;
}

/* Without the later columns: rows, order, values and flags by the rules; with them the
 * diffusion flag and the CI rule of the pooled row take over. */
static void test_waterbed_summary_rows_and_flags(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    for (int extra = 0; extra <= 1; extra++) {
        lb_result *res = hand_result(ctx, extra);
        const lb_table *s = lb_result_table_by_name(res, "waterbed_summary");
        /* 2 pooled + 6 area rows (far and the dimension row left out), pooled first per zone */
        assert_int_equal(s->n_rows, 8);
        static const char *const order[8][2] = {
            {"pooled", "focus"}, {"area", "focus"}, {"area", "focus"}, {"area", "focus"},
            {"pooled", "adj_1"}, {"area", "adj_1"}, {"area", "adj_1"}, {"area", "adj_1"}};
        for (size_t r = 0; r < 8; r++) {
            assert_string_equal(col(s, "level")->text[r], order[r][0]);
            assert_string_equal(col(s, "zone")->text[r], order[r][1]);
            assert_string_equal(col(s, "outcome")->text[r], "lbm");
        }
        size_t a = row_of(s, "area", "adj_1", "A"), b = row_of(s, "area", "adj_1", "B"),
               c = row_of(s, "area", "adj_1", "C"), p = row_of(s, "pooled", "adj_1", NULL);
        assert_near(col(s, "estimate")->real[a], -0.08, 0);
        assert_near(col(s, "q_displacement")->real[a], 0.01, 0);
        assert_near(col(s, "p_displacement")->real[a], 0.005, 0);
        assert_near(col(s, "placebo_lo")->real[a], -0.051, 1e-15);
        assert_int_equal(col(s, "n_units")->integer[a], 11);
        assert_string_equal(col(s, "test")->text[a], "placebo_areas");
        assert_int_equal(col(s, "n_draws")->integer[a], 199);
        assert_near(col(s, "estimate")->real[p], -0.045678, 0);
        assert_string_equal(col(s, "test")->text[p], "wild_bootstrap");
        assert_string_equal(flag_at(s, a), "displacement");
        assert_string_equal(flag_at(s, c), "");
        assert_string_equal(flag_at(s, row_of(s, "area", "focus", "A")), "");
        if (!extra) {
            assert_true(isnan(col(s, "p_diffusion")->real[b]));
            assert_true(isnan(col(s, "ci_low")->real[p]));
            assert_string_equal(flag_at(s, b), "");
            assert_string_equal(flag_at(s, p), "displacement"); /* p_two 0.03 */
        } else {
            assert_near(col(s, "q_diffusion")->real[b], 0.02, 0);
            assert_near(col(s, "ci_low")->real[p], -0.045678 - 0.07, 1e-15);
            assert_string_equal(flag_at(s, b), "diffusion");
            assert_string_equal(flag_at(s, p), ""); /* the CI includes 0 */
        }
        lb_result_destroy(res);
    }
    lb_ctx_destroy(ctx);
}

/* The report shows CIs and diffusion columns only when the tables have them, and says so. */
static void test_waterbed_summary_report_lights_up(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    for (int extra = 0; extra <= 1; extra++) {
        lb_result *res = hand_result(ctx, extra);
        char *html = NULL, *md = NULL;
        assert_int_equal(wb_report_render(ctx, res, NULL, 1, &html), LB_OK);
        assert_int_equal(wb_report_render(ctx, res, NULL, 0, &md), LB_OK);
        const char *doc[2] = {html, md};
        for (int k = 0; k < 2; k++) {
            assert_true((strstr(doc[k], "95 % CI") && strstr(doc[k], "-0.116 to 0.024")) ==
                        (extra != 0));
            assert_true((strstr(doc[k], "q diffusion") != NULL) == (extra != 0));
            assert_true((strstr(doc[k], "has no confidence intervals") != NULL) == !extra);
            assert_true((strstr(doc[k], "no diffusion p-values") != NULL) == !extra);
            /* every pooled number, p of 0 out of 999 draws as <0.001 */
            assert_non_null(strstr(doc[k], "-0.046"));
            assert_non_null(strstr(doc[k], "0.123"));
            assert_non_null(strstr(doc[k], k ? "\\<0.001" : "&lt;0.001"));
        }
        /* the forest plot of adj_1 with the pooled diamond, in HTML only */
        assert_non_null(strstr(html, "<svg class=\"forest\""));
        assert_null(strstr(md, "<svg"));
        free(html);
        free(md);
        lb_result_destroy(res);
    }
    lb_ctx_destroy(ctx);
}

/* Names from the data stay text: Markdown punctuation backslash-escaped, HTML as entities. */
static void test_waterbed_summary_escaping(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_result *res = hand_result(ctx, 1);
    char *html = NULL, *md = NULL;
    assert_int_equal(wb_report_render(ctx, res, NULL, 1, &html), LB_OK);
    assert_int_equal(wb_report_render(ctx, res, NULL, 0, &md), LB_OK);
    /* B is flagged (diffusion), so its name is in the flagged table */
    assert_non_null(strstr(md, "B Oud \\*West\\* \\| \\[x\\] \\<b\\> \\& \\_y\\_"));
    assert_null(strstr(md, "<b>"));
    assert_non_null(strstr(html, "B Oud *West* | [x] &lt;b&gt; &amp; _y_"));
    assert_null(strstr(html, "<b>"));
    /* a Markdown table row has as many cells as its header: no unescaped '|' added one */
    for (const char *line = md; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "| B Oud", 7) != 0)
            continue;
        size_t bars = 0;
        for (const char *p = line; *p && *p != '\n'; p++)
            bars += *p == '|' && (p == line || p[-1] != '\\');
        /* the flagged table: 9 columns with the diffusion ones; the forest table: 6 */
        assert_true(bars == 10 || bars == 7);
    }
    free(html);
    free(md);
    lb_result_destroy(res);
    lb_ctx_destroy(ctx);
}

/* ---- the demo city ------------------------------------------------------------------------ */

/* R-7 (linear interpolation between order statistics at h = (n − 1)p), by hand. */
static double percentile(double *v, size_t n, double p)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    return lo + 1 < n ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/* placebo_lo/placebo_hi of every tested row are the 2.5th and 97.5th percentiles of that row's
 * placebo DiDs, and the summary carries them unchanged. */
static void test_waterbed_summary_placebo_interval(void **state)
{
    (void)state;
    const char *root = getenv("LB_SOURCE_ROOT");
    if (!root)
        skip();
    lb_ctx *ctx = lb_test_ctx();
    char dir[256], focus[1024], scores[300];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "wbsum"), 0);
    assert_int_equal(lb_demo_exec(ctx, root, dir, NULL, NULL, 0), LB_OK);
    snprintf(scores, sizeof(scores), "%s/score", dir);
    const lb_score_source src[1] = {{.path = scores}};
    lb_scoreset *s = NULL;
    assert_int_equal(lb_scoreset_read(ctx, src, 1, &s), LB_OK);
    snprintf(focus, sizeof(focus), "%s/shapes/leefstad.gpkg", root);
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    o.focus_path = focus;
    o.focus_layer = "focus_wijken";
    o.n_placebo = 39;
    o.n_boot = 0;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    lb_result *res = NULL;
    assert_int_equal(lb_result_create(ctx, "waterbed", NULL, &res), LB_OK);
    assert_int_equal(wb_tables(ctx, r, &o, res), LB_OK);
    const lb_table *t = lb_result_table_by_name(res, "waterbed");
    const lb_table *sum = lb_result_table_by_name(res, "waterbed_summary");
    assert_non_null(sum);
    const lb_column *lo = col(t, "placebo_lo"), *hi = col(t, "placebo_hi");
    size_t P = r->n_panels, K = r->n_out, Z = r->data->n_slots, checked = 0;
    double *v = malloc(400 * sizeof(double));
    assert_non_null(v);
    for (size_t i = 0; i < r->n_rows; i++) {
        const wb_row *w = &r->rows[i];
        const wb_placebo *pl = &r->placebo[w->focus];
        if (!r->data->slots[w->slot].placebo) {
            assert_true(isnan(lo->real[i]) && isnan(hi->real[i]));
            continue;
        }
        size_t n = 0;
        for (size_t m = 0; m < pl->m; m++) {
            double x = pl->did[((m * Z + w->slot) * P + w->panel) * K + w->outcome];
            if (!isnan(x))
                v[n++] = x;
        }
        assert_true(n >= 19 && n <= 400);
        assert_near(lo->real[i], percentile(v, n, 0.025), 1e-12);
        assert_near(hi->real[i], percentile(v, n, 0.975), 1e-12);
        assert_true(lo->real[i] < hi->real[i]);
        checked++;
    }
    assert_true(checked > 50);
    /* the summary's rows carry the detailed row's interval */
    size_t matched = 0;
    for (size_t j = 0; j < sum->n_rows; j++) {
        if (strcmp(col(sum, "level")->text[j], "area") != 0)
            continue;
        for (size_t i = 0; i < t->n_rows; i++)
            if (strcmp(col(t, "focus_id")->text[i], col(sum, "focus_id")->text[j]) == 0 &&
                strcmp(col(t, "zone")->text[i], col(sum, "zone")->text[j]) == 0 &&
                strcmp(col(t, "outcome")->text[i], "lbm") == 0 &&
                strcmp(col(t, "period")->text[i], col(sum, "period")->text[j]) == 0) {
                assert_true(col(sum, "placebo_lo")->real[j] == lo->real[i]);
                assert_true(col(sum, "placebo_hi")->real[j] == hi->real[i]);
                matched++;
            }
    }
    assert_true(matched >= 2 * 8); /* 2 focus areas × (focus + 4 rings + 3 orders) */
    free(v);
    lb_result_destroy(res);
    wb_result_destroy(r);
    lb_scoreset_destroy(s);
    assert_int_equal(lb_test_rmtree(dir), 0);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waterbed_summary_rows_and_flags),
        cmocka_unit_test(test_waterbed_summary_report_lights_up),
        cmocka_unit_test(test_waterbed_summary_escaping),
        cmocka_unit_test(test_waterbed_summary_placebo_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
