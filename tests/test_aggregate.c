/* SPDX-License-Identifier: MIT */
/* Aggregation of cell scores to polygon units: weighted means by hand, units without scored
 * cells, classes from the unit's own score, cell counts, and conservation of weight over units
 * that tile the grid (coverage computed from a layer written with OGR). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "aggregate/aggregate.h"
#include "core/ctx.h"
#include "model/score.h"
#include "indicators/inputs.h"

#include <gdal.h>
#include <gsl/gsl_rng.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>

#define OX 150000.0
#define OY 450000.0

typedef struct fixture {
    char tmp[256];
    lb_ctx *ctx;
    lb_model *m;
} fixture;

/* Class of a dimension score on the documented default bands (README "Dimension maps"):
 * ±0.02, ±0.05, ±0.10, ±0.20, a value on a cut in the upper class. */
static int default_dim_class(double v)
{
    static const double bands[8] = {-0.20, -0.10, -0.05, -0.02, 0.02, 0.05, 0.10, 0.20};
    int k = 1;
    for (int i = 0; i < 8; i++)
        k += v >= bands[i];
    return k;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->tmp, sizeof(f->tmp), "/tmp/lb-test-aggregate-XXXXXX");
    if (!mkdtemp(f->tmp) || lb_ctx_create(&f->ctx) != LB_OK) {
        free(f);
        return -1;
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/aggregate/two_dims.yaml", getenv("LB_TEST_DATA"));
    if (lb_model_load(f->ctx, path, &f->m) != LB_OK) {
        fprintf(stderr, "%s\n", lb_ctx_errmsg(f->ctx));
        lb_ctx_destroy(f->ctx);
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
    lb_model_destroy(f->m);
    lb_ctx_destroy(f->ctx);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* Cell scores from per-cell deviations: scored[c] = 0 leaves the cell unscored (NaN). */
static void make_cells(fixture *f, size_t n, const double *aa, const double *bb,
                       const unsigned char *scored, const unsigned char *imputed, lb_scores *s)
{
    assert_int_equal(lb_scores_alloc(f->ctx, n, 2, s), LB_OK);
    for (size_t c = 0; c < n; c++) {
        s->dev[0][c] = scored[c] ? aa[c] : NAN;
        s->dev[1][c] = scored[c] ? bb[c] : NAN;
        if (!scored[c])
            s->flags[c] |= LB_FLAG_NO_WEIGHT;
        if (imputed && imputed[c]) {
            s->flags[c] |= LB_FLAG_IMPUTED;
            s->n_imputed[c] = 1;
        }
    }
    lb_scores_finish(f->m, 4.0, s);
    for (size_t c = 0; c < n; c++)
        assert_true(scored[c] ? !isnan(s->lbm[c]) : isnan(s->lbm[c]));
}

/* A coverage in CSR built by hand. */
typedef struct hand_cover {
    lb_layer_cover cov;
    size_t off[8];
    uint32_t cell[16];
    double frac[16];
} hand_cover;

/* lb_aggregate over coverage @p cov: scores @p sc and weights @p w for the @p n ascending grid
 * cells @p cells (NULL: indexed by grid cell, n of them). */
static lb_status aggregate_cov(fixture *f, double ref, const lb_layer_cover *cov,
                               const uint32_t *cells, size_t n, const lb_scores *sc,
                               const double *w, lb_unit_scores *u)
{
    lb_unit_rows rows;
    lb_status st = lb_unit_rows_build(f->ctx, cov, cells, n, sc, w, &rows);
    if (st == LB_OK)
        st = lb_aggregate(f->ctx, f->m, ref, &rows, sc, u);
    lb_unit_rows_free(&rows);
    return st;
}

static void test_aggregate_hand_calculation(void **state)
{
    fixture *f = *state;
    /* Seven cells. c4 and c5 unscored; c6 scored with weight 0; c1 and c6 imputed. */
    const double w[7] = {10, 20, 40, 5, 7, 3, 0};
    const double aa[7] = {0.1, -0.2, 0.3, 0.05, 9.0, 9.0, 0.5};
    const double bb[7] = {-0.1, 0.0, 0.2, -0.3, 9.0, 9.0, 0.5};
    const unsigned char scored[7] = {1, 1, 1, 1, 0, 0, 1};
    const unsigned char imputed[7] = {0, 1, 0, 0, 0, 0, 1};
    lb_scores cells;
    make_cells(f, 7, aa, bb, scored, imputed, &cells);
    /* Units: U0 = c0 (1) + c1 (½) + c2 (¼); U1 = c1 (½) + c3 (1) + c4 (1, unscored);
     * U2 = c5 only (unscored); U3 = c6 only (weight 0); U4 covers no cell at all. */
    hand_cover h = {.off = {0, 3, 6, 7, 8, 8},
                    .cell = {0, 1, 2, 1, 3, 4, 5, 6},
                    .frac = {1.0, 0.5, 0.25, 0.5, 1.0, 1.0, 1.0, 0.75}};
    h.cov = (lb_layer_cover){5, h.off, h.cell, h.frac};
    lb_unit_scores u;
    assert_int_equal(aggregate_cov(f, 4.0, &h.cov, NULL, 7, &cells, w, &u), LB_OK);
    assert_int_equal(u.s.n, 5);
    assert_int_equal(u.s.n_dims, 2);

    /* U0: w·f = 10, 10, 10 → aa = (1 − 2 + 3)/30, bb = (−1 + 0 + 2)/30. */
    assert_near(u.weight[0], 30.0, 1e-12);
    assert_near(u.s.dev[0][0], 2.0 / 30.0, 1e-15);
    assert_near(u.s.dev[1][0], 1.0 / 30.0, 1e-15);
    assert_near(u.s.afw[0], 3.0 / 30.0, 1e-15);
    assert_near(u.s.lbm[0], 4.1, 1e-14);
    assert_int_equal(u.s.kscore[0], 7);  /* [4.0, 4.2) */
    assert_int_equal(u.s.kdim[0][0], 5); /* aa bands: 0.067 in [−0.1, 0.1) */
    assert_int_equal(u.s.kdim[1][0], 6); /* bb default bands: 0.033 in [0.02, 0.05) */
    assert_int_equal(u.n_cells[0], 3);
    assert_int_equal(u.n_imputed_cells[0], 1);
    assert_int_equal(u.s.n_imputed[0], 1);
    assert_true(u.s.flags[0] & LB_FLAG_IMPUTED);
    assert_false(u.s.flags[0] & LB_FLAG_NO_WEIGHT);

    /* U1: w·f = 10 (c1), 5 (c3); c4 is not scored. aa = (−2 + 0.25)/15, bb = −1.5/15. */
    assert_near(u.weight[1], 15.0, 1e-12);
    assert_near(u.s.dev[0][1], -1.75 / 15.0, 1e-15);
    assert_near(u.s.dev[1][1], -0.1, 1e-15);
    assert_near(u.s.lbm[1], 4.0 - 1.75 / 15.0 - 0.1, 1e-14);
    assert_int_equal(u.s.kscore[1], 5); /* 3.783 in [3.6, 3.8) */
    assert_int_equal(u.n_cells[1], 2);
    assert_int_equal(u.n_imputed_cells[1], 1);

    /* U2: only an unscored cell; U3: a scored cell of weight 0; U4: no cell at all. */
    for (size_t p = 2; p < 5; p++) {
        assert_true(isnan(u.s.dev[0][p]));
        assert_true(isnan(u.s.dev[1][p]));
        assert_true(isnan(u.s.afw[p]));
        assert_true(isnan(u.s.lbm[p]));
        assert_int_equal(u.s.kscore[p], 0);
        assert_int_equal(u.s.kdim[0][p], 0);
        assert_true(u.s.flags[p] & LB_FLAG_NO_WEIGHT);
        assert_false(u.s.flags[p] & LB_FLAG_IMPUTED);
        assert_near(u.weight[p], 0.0, 0.0);
    }
    assert_int_equal(u.n_cells[2], 0);
    assert_int_equal(u.n_cells[3], 1); /* scored cells touching the unit, even of weight 0 */
    assert_int_equal(u.n_imputed_cells[3], 1);
    assert_int_equal(u.n_cells[4], 0);

    /* REF is a parameter: another REF shifts lbm, not the deviations. */
    lb_unit_scores v;
    assert_int_equal(aggregate_cov(f, 4.25, &h.cov, NULL, 7, &cells, w, &v), LB_OK);
    assert_near(v.s.dev[0][0], u.s.dev[0][0], 0.0);
    assert_near(v.s.lbm[0], 4.25 + 0.1, 1e-14);
    assert_int_equal(v.s.kscore[0], 8);
    lb_unit_scores_free(&v);
    lb_unit_scores_free(&u);
    lb_unit_scores_free(&u); /* a freed struct is zeroed: freeing again is harmless */
    lb_unit_scores_free(NULL);
    lb_scores_free(&cells);
}

/* Three of five cells are in class 4, but the unit's weighted score lands in class 6, a class
 * none of its cells is in: the unit's class comes from its own lbm, not a vote of cells. */
static void test_aggregate_class_from_own_score(void **state)
{
    fixture *f = *state;
    /* Cells 0-2: afw −0.5 → lbm 3.5 (class 4), weight 1; cells 3-4: afw 0.3 → lbm 4.3
     * (class 8), weight 1.5. Unit: afw = (3·(−0.5) + 3·0.3)/6 = −0.1 → lbm 3.9, class 6. */
    const double w[5] = {1, 1, 1, 1.5, 1.5};
    const double aa[5] = {-0.3, -0.3, -0.3, 0.2, 0.2};
    const double bb[5] = {-0.2, -0.2, -0.2, 0.1, 0.1};
    const unsigned char scored[5] = {1, 1, 1, 1, 1};
    lb_scores cells;
    make_cells(f, 5, aa, bb, scored, NULL, &cells);
    int in_class4 = 0;
    for (int c = 0; c < 5; c++) {
        in_class4 += cells.kscore[c] == 4;
        assert_int_not_equal(cells.kscore[c], 6);
    }
    assert_int_equal(in_class4, 3);
    hand_cover h = {.off = {0, 5}, .cell = {0, 1, 2, 3, 4}, .frac = {1, 1, 1, 1, 1}};
    h.cov = (lb_layer_cover){1, h.off, h.cell, h.frac};
    lb_unit_scores u;
    assert_int_equal(aggregate_cov(f, 4.0, &h.cov, NULL, 5, &cells, w, &u), LB_OK);
    assert_near(u.s.dev[0][0], (3.0 * -0.3 + 3.0 * 0.2) / 6.0, 1e-15);
    assert_near(u.s.dev[1][0], (3.0 * -0.2 + 3.0 * 0.1) / 6.0, 1e-15);
    assert_near(u.s.afw[0], -0.1, 1e-15);
    assert_near(u.s.lbm[0], 3.9, 1e-14);
    assert_int_equal(u.s.kscore[0], 6);
    /* aa = −0.05: class 5 of its bands [−0.1, 0.1); bb = −0.05 (as computed: a rounding below
     * or on the cut −0.05) in the class the default bands give it. */
    assert_int_equal(u.s.kdim[0][0], 5);
    assert_int_equal(u.s.kdim[1][0], default_dim_class(u.s.dev[1][0]));
    assert_true(u.s.kdim[1][0] == 3 || u.s.kdim[1][0] == 4);
    assert_int_equal(u.n_cells[0], 5);
    assert_int_equal(u.n_imputed_cells[0], 0);
    assert_false(u.s.flags[0] & LB_FLAG_IMPUTED);
    lb_unit_scores_free(&u);
    lb_scores_free(&cells);
}

/* Units as rectangles relative to (OX, OY); the first four tile the 10 × 10 grid along
 * x = 430 and y = 370 (not cell edges), the fifth lies outside the grid. */
static const double unit_box[5][4] = {{0, 0, 430, 370},
                                      {430, 0, 1000, 370},
                                      {0, 370, 430, 1000},
                                      {430, 370, 1000, 1000},
                                      {2000, 2000, 2100, 2100}};
enum { N_UNITS = 5 };

static void write_units(const char *path)
{
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GeoJSON"), path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(srs, 28992), OGRERR_NONE);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "units", srs, wkbPolygon, NULL);
    OSRRelease(srs);
    assert_non_null(lyr);
    for (int k = 0; k < N_UNITS; k++) {
        const double *b = unit_box[k];
        OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
        const double xs[5] = {b[0], b[2], b[2], b[0], b[0]}, ys[5] = {b[1], b[1], b[3], b[3], b[1]};
        for (int i = 0; i < 5; i++)
            OGR_G_AddPoint_2D(ring, OX + xs[i], OY + ys[i]);
        OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
        OGR_G_AddGeometryDirectly(poly, ring);
        OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
        OGR_F_SetGeometryDirectly(feat, poly);
        assert_int_equal(OGR_L_CreateFeature(lyr, feat), OGRERR_NONE);
        OGR_F_Destroy(feat);
    }
    GDALClose(ds);
}

static double overlap(double a0, double a1, double b0, double b1)
{
    return fmax(0.0, fmin(a1, b1) - fmax(a0, b0));
}

static void test_aggregate_layer_cover_brute_force(void **state)
{
    fixture *f = *state;
    char path[600];
    snprintf(path, sizeof(path), "%s/units.geojson", f->tmp);
    write_units(path);
    lb_source src = {"units", path, NULL, NULL};
    lb_vlayer *l = NULL;
    assert_int_equal(lb_vlayer_read(f->ctx, &src, NULL, &l), LB_OK);
    assert_int_equal(l->n, N_UNITS);
    lb_grid g;
    assert_int_equal(lb_grid_from_extent(f->ctx, OX, OY, OX + 1000.0, OY + 1000.0, 100.0, &g),
                     LB_OK);
    size_t n = lb_grid_ncells(&g);
    assert_int_equal(n, 100);
    lb_layer_cover *cov = NULL;
    assert_int_equal(lb_indicators_layer_cover_compute(f->ctx, l, &g, &cov), LB_OK);
    assert_int_equal(cov->n_poly, N_UNITS);
    assert_int_equal(cov->off[N_UNITS], cov->off[N_UNITS - 1]); /* outside: no cells */

    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2718);
    double aa[100], bb[100], w[100];
    unsigned char scored[100], imputed[100];
    for (size_t c = 0; c < n; c++) {
        aa[c] = 0.4 * (gsl_rng_uniform(rng) - 0.5);
        bb[c] = 0.3 * (gsl_rng_uniform(rng) - 0.5);
        w[c] = c % 13 == 0 ? 0.0 : floor(200.0 * gsl_rng_uniform(rng)) + 1.0;
        scored[c] = gsl_rng_uniform(rng) > 0.15;
        imputed[c] = gsl_rng_uniform(rng) < 0.2;
    }
    lb_scores cells;
    make_cells(f, n, aa, bb, scored, imputed, &cells);
    lb_unit_scores u;
    assert_int_equal(aggregate_cov(f, 4.0, cov, NULL, n, &cells, w, &u), LB_OK);

    double sum_units = 0.0;
    for (size_t p = 0; p < N_UNITS; p++) {
        /* Brute force: exact overlaps of the cell squares with the unit rectangle. */
        double sw = 0.0, sa = 0.0, sb = 0.0;
        int nc = 0, ni = 0;
        for (size_t c = 0; c < n; c++) {
            double x, y;
            lb_grid_cell_ll(&g, c, &x, &y);
            x -= OX;
            y -= OY;
            const double *b = unit_box[p];
            double fr =
                overlap(x, x + 100.0, b[0], b[2]) * overlap(y, y + 100.0, b[1], b[3]) / 10000.0;
            if (!(fr > 0.0) || !scored[c])
                continue;
            nc++;
            ni += imputed[c];
            sw += w[c] * fr;
            sa += w[c] * fr * aa[c];
            sb += w[c] * fr * bb[c];
        }
        assert_int_equal(u.n_cells[p], nc);
        assert_int_equal(u.n_imputed_cells[p], ni);
        assert_near(u.weight[p], sw, 1e-9 * fmax(1.0, sw));
        if (sw > 0.0) {
            assert_near(u.s.dev[0][p], sa / sw, 1e-12);
            assert_near(u.s.dev[1][p], sb / sw, 1e-12);
            assert_near(u.s.afw[p], u.s.dev[0][p] + u.s.dev[1][p], 1e-15);
            assert_near(u.s.lbm[p], 4.0 + u.s.afw[p], 1e-15);
            assert_int_equal(u.s.kscore[p], lb_model_classify(u.s.lbm[p], f->m->thresholds, 8));
            assert_int_equal((u.s.flags[p] & LB_FLAG_IMPUTED) != 0, ni > 0);
        } else {
            assert_true(isnan(u.s.lbm[p]));
            assert_true(u.s.flags[p] & LB_FLAG_NO_WEIGHT);
        }
        sum_units += u.weight[p];
    }
    /* The outside unit has nothing; the four others carry real weight. */
    assert_int_equal(u.n_cells[4], 0);
    assert_true(u.s.flags[4] & LB_FLAG_NO_WEIGHT);
    for (size_t p = 0; p < 4; p++)
        assert_true(u.weight[p] > 0.0);
    /* Conservation: the units tile the grid, so their weights add up to the scored cells'. */
    double sum_cells = 0.0;
    for (size_t c = 0; c < n; c++)
        if (scored[c])
            sum_cells += w[c];
    assert_near(sum_units, sum_cells, 1e-9 * sum_cells);
    /* And the weighted mean of unit deviations is the weighted mean of cell deviations. */
    for (size_t d = 0; d < 2; d++) {
        double su = 0.0, sc = 0.0;
        for (size_t p = 0; p < 4; p++)
            su += u.weight[p] * u.s.dev[d][p];
        for (size_t c = 0; c < n; c++)
            if (scored[c])
                sc += w[c] * cells.dev[d][c];
        assert_near(su / sum_units, sc / sum_cells, 1e-12);
    }
    lb_unit_scores_free(&u);
    lb_scores_free(&cells);
    gsl_rng_free(rng);
    lb_layer_cover_destroy(cov);
    lb_vlayer_destroy(l);
}

/* Compact scores (the scored cells only, listed by grid cell) give the same units as the
 * scores over the whole grid; lb_aggregate_means averages any value over the same cells and
 * weights (NaN values left out) and recombines the dimension: Σ of parts = the dimension. */
typedef struct value_arrays {
    const double *const *v;
} value_arrays;

static double value_of(const void *user, size_t j, size_t row)
{
    const value_arrays *a = user;
    return a->v[j][row];
}

static void test_aggregate_compact_rows_and_values(void **state)
{
    fixture *f = *state;
    const double w[7] = {10, 20, 40, 5, 7, 3, 0};
    const double aa[7] = {0.1, -0.2, 0.3, 0.05, 9.0, 9.0, 0.5};
    const double bb[7] = {-0.1, 0.0, 0.2, -0.3, 9.0, 9.0, 0.5};
    const unsigned char scored[7] = {1, 1, 1, 1, 0, 0, 1};
    lb_scores full, compact;
    make_cells(f, 7, aa, bb, scored, NULL, &full);
    /* the scored cells 0, 1, 2, 3, 6 as rows 0..4 */
    const uint32_t cells[5] = {0, 1, 2, 3, 6};
    double cw[5], ca[5], cb[5], part1[5], part2[5];
    const unsigned char all[5] = {1, 1, 1, 1, 1};
    for (int k = 0; k < 5; k++) {
        cw[k] = w[cells[k]];
        ca[k] = aa[cells[k]];
        cb[k] = bb[cells[k]];
        part1[k] = 0.25 * ca[k]; /* aa split in two parts */
        part2[k] = 0.75 * ca[k];
    }
    make_cells(f, 5, ca, cb, all, NULL, &compact);
    hand_cover h = {.off = {0, 3, 6, 7, 8, 8},
                    .cell = {0, 1, 2, 1, 3, 4, 5, 6},
                    .frac = {1.0, 0.5, 0.25, 0.5, 1.0, 1.0, 1.0, 0.75}};
    h.cov = (lb_layer_cover){5, h.off, h.cell, h.frac};
    lb_unit_scores u, v;
    assert_int_equal(aggregate_cov(f, 4.0, &h.cov, NULL, 7, &full, w, &u), LB_OK);
    assert_int_equal(aggregate_cov(f, 4.0, &h.cov, cells, 5, &compact, cw, &v), LB_OK);
    for (size_t p = 0; p < 5; p++) {
        assert_true(isnan(u.s.lbm[p]) == isnan(v.s.lbm[p]));
        if (!isnan(u.s.lbm[p])) {
            assert_near(v.s.lbm[p], u.s.lbm[p], 0);
            assert_near(v.s.dev[1][p], u.s.dev[1][p], 0);
        }
        assert_near(v.weight[p], u.weight[p], 0);
        assert_int_equal(v.n_cells[p], u.n_cells[p]);
        assert_int_equal(v.s.flags[p], u.s.flags[p]);
    }
    lb_unit_rows rows;
    assert_int_equal(lb_unit_rows_build(f->ctx, &h.cov, cells, 5, &compact, cw, &rows), LB_OK);
    /* c4, c5 are not listed: U1 keeps c1 and c3, U2 nothing */
    assert_int_equal(rows.off[5], 6);
    assert_int_equal(rows.off[2] - rows.off[1], 2);
    assert_int_equal(rows.off[3], rows.off[2]);
    double m1[5], m2[5], mx[5];
    const double *parts[2] = {part1, part2};
    double *const two[2] = {m1, m2};
    value_arrays pa = {parts};
    lb_aggregate_means(f->ctx, &rows, 2, value_of, &pa, two);
    for (size_t p = 0; p < 5; p++)
        if (!isnan(v.s.lbm[p]))
            assert_near(m1[p] + m2[p], v.s.dev[0][p], 1e-15);
        else
            assert_true(isnan(m1[p]));
    /* NaN-aware: with c1's value missing, U0 averages c0 and c2 only: (10·1 + 10·3)/20 · 0.1 */
    const double x[5] = {1.0, NAN, 3.0, 5.0, 7.0};
    const double *xs[1] = {x};
    double *const one[1] = {mx};
    value_arrays px = {xs};
    lb_aggregate_means(f->ctx, &rows, 1, value_of, &px, one);
    assert_near(mx[0], (10.0 * 1.0 + 10.0 * 3.0) / 20.0, 1e-15);
    assert_near(mx[1], 5.0, 1e-15); /* U1: c1 missing, c3 only */
    assert_true(isnan(mx[3]));      /* U3: c6 has weight 0 */
    lb_unit_rows_free(&rows);
    lb_unit_rows_free(&rows); /* zeroed: harmless */
    lb_unit_rows_free(NULL);
    lb_unit_scores_free(&u);
    lb_unit_scores_free(&v);
    lb_scores_free(&full);
    lb_scores_free(&compact);
}

/* A random coverage (units overlapping, cells covered twice, cells outside the scored list),
 * random scored cells with missing scores, weights of 0 and missing values: lb_aggregate and
 * lb_aggregate_means against a brute force over the whole coverage that looks every cell up by
 * a linear search, and the same bits on 1, 2 and 4 threads. */
enum { R_CELLS = 3000, R_UNITS = 97, R_VALUES = 5 };

static void test_aggregate_random_brute_force_threads(void **state)
{
    fixture *f = *state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 4242);
    /* coverage: each unit a random run of cells in ascending order */
    size_t *off = calloc(R_UNITS + 1, sizeof(size_t));
    uint32_t *cell = malloc(R_UNITS * 200 * sizeof(uint32_t));
    double *frac = malloc(R_UNITS * 200 * sizeof(double));
    assert_non_null(off);
    assert_non_null(cell);
    assert_non_null(frac);
    size_t ne = 0;
    for (size_t p = 0; p < R_UNITS; p++) {
        uint32_t c = (uint32_t)gsl_rng_uniform_int(rng, R_CELLS);
        size_t len = p % 11 == 3 ? 0 : gsl_rng_uniform_int(rng, 200);
        for (size_t k = 0; k < len && c < R_CELLS; k++) {
            cell[ne] = c;
            frac[ne++] = gsl_rng_uniform(rng) < 0.7 ? 1.0 : gsl_rng_uniform_pos(rng);
            c += 1 + (uint32_t)(gsl_rng_uniform(rng) < 0.2 ? gsl_rng_uniform_int(rng, 60) : 0);
        }
        off[p + 1] = ne;
    }
    lb_layer_cover cov = {R_UNITS, off, cell, frac};
    /* scored cells: about half of the grid, ascending; some of them without a score */
    uint32_t *cells = malloc(R_CELLS * sizeof(uint32_t));
    double *w = malloc(R_CELLS * sizeof(double)), *aa = malloc(R_CELLS * sizeof(double)),
           *bb = malloc(R_CELLS * sizeof(double));
    unsigned char *scored = malloc(R_CELLS), *imputed = malloc(R_CELLS);
    double *vals[R_VALUES];
    for (size_t j = 0; j < R_VALUES; j++)
        vals[j] = malloc(R_CELLS * sizeof(double));
    size_t n = 0;
    for (uint32_t c = 0; c < R_CELLS; c++) {
        if (gsl_rng_uniform(rng) < 0.5)
            continue;
        cells[n] = c;
        w[n] = gsl_rng_uniform(rng) < 0.1 ? 0.0 : 50.0 * gsl_rng_uniform(rng);
        aa[n] = gsl_rng_uniform(rng) - 0.5;
        bb[n] = gsl_rng_uniform(rng) - 0.5;
        scored[n] = gsl_rng_uniform(rng) > 0.1;
        imputed[n] = gsl_rng_uniform(rng) < 0.2;
        for (size_t j = 0; j < R_VALUES; j++)
            vals[j][n] = gsl_rng_uniform(rng) < 0.15 ? NAN : 100.0 * gsl_rng_uniform(rng);
        n++;
    }
    lb_scores sc;
    make_cells(f, n, aa, bb, scored, imputed, &sc);

    lb_unit_scores u[3];
    double *means[3][R_VALUES];
    const int threads[3] = {1, 2, 4};
    const double *const *cv = (const double *const *)vals;
    value_arrays va = {cv};
    for (int t = 0; t < 3; t++) {
        assert_int_equal(lb_ctx_set_threads(f->ctx, threads[t]), LB_OK);
        assert_int_equal(aggregate_cov(f, 4.0, &cov, cells, n, &sc, w, &u[t]), LB_OK);
        lb_unit_rows rows;
        assert_int_equal(lb_unit_rows_build(f->ctx, &cov, cells, n, &sc, w, &rows), LB_OK);
        for (size_t j = 0; j < R_VALUES; j++)
            means[t][j] = malloc(R_UNITS * sizeof(double));
        lb_aggregate_means(f->ctx, &rows, R_VALUES, value_of, &va, means[t]);
        lb_unit_rows_free(&rows);
    }
    size_t n_scored_units = 0;
    for (size_t p = 0; p < R_UNITS; p++) {
        double sw = 0.0, sa = 0.0, sb = 0.0, swv[R_VALUES] = {0}, sv[R_VALUES] = {0};
        int nc = 0, ni = 0;
        for (size_t e = off[p]; e < off[p + 1]; e++) {
            size_t k = 0;
            while (k < n && cells[k] != cell[e])
                k++;
            if (k == n || !scored[k])
                continue;
            nc++;
            ni += imputed[k];
            double wk = w[k] * frac[e];
            if (!(wk > 0.0))
                continue;
            sw += wk;
            sa += wk * aa[k];
            sb += wk * bb[k];
            for (size_t j = 0; j < R_VALUES; j++)
                if (!isnan(vals[j][k])) {
                    swv[j] += wk;
                    sv[j] += wk * vals[j][k];
                }
        }
        assert_int_equal(u[0].n_cells[p], nc);
        assert_int_equal(u[0].n_imputed_cells[p], ni);
        assert_near(u[0].weight[p], sw, 1e-12 * fmax(1.0, sw));
        if (sw >= 1.0) { /* the model's min_weight */
            n_scored_units++;
            assert_near(u[0].s.dev[0][p], sa / sw, 1e-12);
            assert_near(u[0].s.dev[1][p], sb / sw, 1e-12);
        } else {
            assert_true(isnan(u[0].s.lbm[p]));
        }
        for (size_t j = 0; j < R_VALUES; j++)
            if (swv[j] > 0.0)
                assert_near(means[0][j][p], sv[j] / swv[j], 1e-12 * fmax(1.0, sv[j] / swv[j]));
            else
                assert_true(isnan(means[0][j][p]));
        /* bit-identical on any number of threads */
        for (int t = 1; t < 3; t++) {
            assert_memory_equal(&u[t].weight[p], &u[0].weight[p], sizeof(double));
            assert_memory_equal(&u[t].s.lbm[p], &u[0].s.lbm[p], sizeof(double));
            assert_memory_equal(&u[t].s.dev[1][p], &u[0].s.dev[1][p], sizeof(double));
            assert_int_equal(u[t].n_cells[p], u[0].n_cells[p]);
            assert_int_equal(u[t].s.flags[p], u[0].s.flags[p]);
            for (size_t j = 0; j < R_VALUES; j++)
                assert_memory_equal(&means[t][j][p], &means[0][j][p], sizeof(double));
        }
    }
    /* the draw exercises both kinds of unit */
    assert_true(n_scored_units > 20 && n_scored_units < R_UNITS);
    for (int t = 0; t < 3; t++) {
        lb_unit_scores_free(&u[t]);
        for (size_t j = 0; j < R_VALUES; j++)
            free(means[t][j]);
    }
    lb_scores_free(&sc);
    for (size_t j = 0; j < R_VALUES; j++)
        free(vals[j]);
    free(scored);
    free(imputed);
    free(aa);
    free(bb);
    free(w);
    free(cells);
    free(frac);
    free(cell);
    free(off);
    gsl_rng_free(rng);
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_aggregate_hand_calculation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_compact_rows_and_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_class_from_own_score, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_layer_cover_brute_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_random_brute_force_threads, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return rc;
}
