/* SPDX-License-Identifier: MIT */
/* The RD grid: extents snapped to multiples of the cell size, cell geometry (row 0 north),
 * cell ids and the geotransform, checked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_util.h"

#include "core/ctx.h"
#include "data/grid.h"

#include <limits.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

/* Build a grid and check it succeeded. */
static lb_grid grid_of(lb_ctx *ctx, double xmin, double ymin, double xmax, double ymax, double cell)
{
    lb_grid g;
    lb_status st = lb_grid_from_extent(ctx, xmin, ymin, xmax, ymax, cell, &g);
    if (st != LB_OK)
        print_error("%s\n", lb_ctx_errmsg(ctx));
    assert_int_equal(st, LB_OK);
    return g;
}

/* Index of the cell in column @p col whose row counted from the south is @p j. */
static size_t idx_cj(const lb_grid *g, int col, int j)
{
    return (size_t)(g->ny - 1 - j) * (size_t)g->nx + (size_t)col;
}

static void test_grid_extent_snaps(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_grid g = grid_of(ctx, 150012.5, 463200.1, 150987.0, 463999.9, 100.0);
    assert_near(g.x0, 150000.0, 0.0);
    assert_near(g.y0, 463200.0, 0.0);
    assert_near(g.cell_m, 100.0, 0.0);
    assert_int_equal(g.nx, 10);
    assert_int_equal(g.ny, 8);
    assert_int_equal(lb_grid_ncells(&g), 80);
    /* An extent already on the lattice is kept exactly: no extra row or column. */
    g = grid_of(ctx, 150000.0, 450000.0, 151000.0, 451000.0, 100.0);
    assert_near(g.x0, 150000.0, 0.0);
    assert_near(g.y0, 450000.0, 0.0);
    assert_int_equal(g.nx, 10);
    assert_int_equal(g.ny, 10);
    /* Other cell sizes: 250 m; corners are multiples of 250. */
    g = grid_of(ctx, 150010.0, 463260.0, 150990.0, 463740.0, 250.0);
    assert_near(g.x0, 150000.0, 0.0);
    assert_near(g.y0, 463250.0, 0.0);
    assert_int_equal(g.nx, 4);
    assert_int_equal(g.ny, 2);
    /* The grid covers the extent and is the smallest such lattice grid. */
    const double ext[][4] = {{150012.5, 463200.1, 150987.0, 463999.9},
                             {1.0, 2.0, 3.0, 4.0},
                             {-1234.5, -50.0, 77.0, 0.0},
                             {155301.0, 463299.0, 155399.0, 463301.0}};
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        const double *e = ext[i];
        g = grid_of(ctx, e[0], e[1], e[2], e[3], 100.0);
        assert_true(g.x0 <= e[0] && g.x0 + 100.0 > e[0]);
        assert_true(g.y0 <= e[1] && g.y0 + 100.0 > e[1]);
        double x1 = g.x0 + g.nx * 100.0, y1 = g.y0 + g.ny * 100.0;
        assert_true(x1 >= e[2] && x1 - 100.0 < e[2]);
        assert_true(y1 >= e[3] && y1 - 100.0 < e[3]);
        assert_near(fmod(g.x0, 100.0), 0.0, 0.0);
        assert_near(fmod(g.y0, 100.0), 0.0, 0.0);
    }
    lb_ctx_destroy(ctx);
}

static void test_grid_degenerate_extent(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* A point inside a cell: that one cell. */
    lb_grid g = grid_of(ctx, 155350.0, 463250.0, 155350.0, 463250.0, 100.0);
    assert_int_equal(g.nx, 1);
    assert_int_equal(g.ny, 1);
    assert_near(g.x0, 155300.0, 0.0);
    assert_near(g.y0, 463200.0, 0.0);
    /* A point on a lattice corner: the cell whose lower-left corner it is. */
    g = grid_of(ctx, 155300.0, 463200.0, 155300.0, 463200.0, 100.0);
    assert_int_equal(g.nx, 1);
    assert_int_equal(g.ny, 1);
    assert_near(g.x0, 155300.0, 0.0);
    assert_near(g.y0, 463200.0, 0.0);
    /* A horizontal line along a lattice line: one row. */
    g = grid_of(ctx, 155310.0, 463200.0, 155590.0, 463200.0, 100.0);
    assert_int_equal(g.nx, 3);
    assert_int_equal(g.ny, 1);
    lb_ctx_destroy(ctx);
}

static void test_grid_negative_coordinates(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* floor, not truncation toward zero: -150 lies in the cell [-200, -100). */
    lb_grid g = grid_of(ctx, -150.0, -0.5, -50.0, 99.5, 100.0);
    assert_near(g.x0, -200.0, 0.0);
    assert_near(g.y0, -100.0, 0.0);
    assert_int_equal(g.nx, 2);
    assert_int_equal(g.ny, 2);
    g = grid_of(ctx, -7000.0, -7001.0, -6999.0, -6999.5, 100.0);
    assert_near(g.x0, -7000.0, 0.0);
    assert_near(g.y0, -7100.0, 0.0);
    assert_int_equal(g.nx, 1);
    assert_int_equal(g.ny, 2);
    /* Cell ids floor as well: the cell [-200, -100) × [-100, 0) is E-2N-1. */
    char id[32];
    g = grid_of(ctx, -150.0, -50.0, 50.0, 50.0, 100.0);
    lb_grid_cell_id(&g, idx_cj(&g, 0, 0), id, sizeof(id));
    assert_string_equal(id, "E-2N-1");
    lb_grid_cell_id(&g, idx_cj(&g, 2, 1), id, sizeof(id));
    assert_string_equal(id, "E0N0");
    lb_ctx_destroy(ctx);
}

static void test_grid_invalid_arguments(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const lb_grid keep = {.x0 = 1, .y0 = 2, .cell_m = 3, .nx = 4, .ny = 5};
    const double bad_cells[] = {0.0, -100.0, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof(bad_cells) / sizeof(bad_cells[0]); i++) {
        lb_grid g = keep;
        lb_ctx_error_clear(ctx);
        assert_int_equal(lb_grid_from_extent(ctx, 0, 0, 1000, 1000, bad_cells[i], &g), LB_ERR_ARG);
        assert_non_null(strstr(lb_ctx_errmsg(ctx), "cell size"));
        assert_memory_equal(&g, &keep, sizeof(g)); /* *out untouched on failure */
    }
    /* Inverted or non-finite extents. */
    const double bad_ext[][4] = {
        {1000, 0, 0, 1000},     {0, 1000, 1000, 0},          {NAN, 0, 1000, 1000},
        {0, NAN, 1000, 1000},   {0, 0, NAN, 1000},           {0, 0, 1000, NAN},
        {-INFINITY, 0, 10, 10}, {0, -INFINITY, 10, 10},      {0, 0, INFINITY, 10},
        {0, 0, 10, INFINITY},   {INFINITY, 0, INFINITY, 10},
    };
    for (size_t i = 0; i < sizeof(bad_ext) / sizeof(bad_ext[0]); i++) {
        const double *e = bad_ext[i];
        lb_grid g = keep;
        lb_ctx_error_clear(ctx);
        assert_int_equal(lb_grid_from_extent(ctx, e[0], e[1], e[2], e[3], 100.0, &g), LB_ERR_ARG);
        assert_true(strlen(lb_ctx_errmsg(ctx)) > 0);
        assert_memory_equal(&g, &keep, sizeof(g));
    }
    lb_ctx_destroy(ctx);
}

static void test_grid_too_large(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_grid g;
    /* 10^7 × 10^7 cells of 1 m. */
    assert_int_equal(lb_grid_from_extent(ctx, 0, 0, 1.0e7, 1.0e7, 1.0, &g), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "too large"));
    /* The whole of the Netherlands at 100 m is fine (2800 × 3250 cells). */
    g = grid_of(ctx, 0, 300000, 280000, 625000, 100.0);
    assert_int_equal(g.nx, 2800);
    assert_int_equal(g.ny, 3250);
    /* Fewer than 4e9 cells in total, but one side has more columns than an int holds: the
     * grid cannot be represented and must be refused, not wrapped to a negative nx. The ctx
     * is released before the verdict so that a failure leaks nothing under LeakSanitizer. */
    lb_status st = lb_grid_from_extent(ctx, 0, 0, 3.0e9, 1.0, 1.0, &g);
    lb_ctx_destroy(ctx);
    if (st == LB_OK)
        print_error("3e9 x 1 cells of 1 m accepted as nx = %d, ny = %d\n", g.nx, g.ny);
    assert_int_equal(st, LB_ERR_ARG);
}

static void test_grid_cell_geometry(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_grid g = grid_of(ctx, 155000.0, 463000.0, 156000.0, 463500.0, 100.0);
    assert_int_equal(g.nx, 10);
    assert_int_equal(g.ny, 5);
    double x, y;
    /* Index 0 is the north-west cell, the last index the south-east one. */
    lb_grid_cell_ll(&g, 0, &x, &y);
    assert_near(x, 155000.0, 0.0);
    assert_near(y, 463400.0, 0.0);
    lb_grid_cell_ll(&g, lb_grid_ncells(&g) - 1, &x, &y);
    assert_near(x, 155900.0, 0.0);
    assert_near(y, 463000.0, 0.0);
    /* Row 1, column 3: lower-left (155300, 463300), centre 50 m further. */
    lb_grid_cell_ll(&g, 13, &x, &y);
    assert_near(x, 155300.0, 0.0);
    assert_near(y, 463300.0, 0.0);
    lb_grid_cell_centre(&g, 13, &x, &y);
    assert_near(x, 155350.0, 0.0);
    assert_near(y, 463350.0, 0.0);
    /* Every cell: centre = lower-left + half a cell; index = row·nx + col; rows go south. */
    for (size_t c = 0; c < lb_grid_ncells(&g); c++) {
        double lx, ly, cx, cy;
        lb_grid_cell_ll(&g, c, &lx, &ly);
        lb_grid_cell_centre(&g, c, &cx, &cy);
        assert_near(cx - lx, 50.0, 0.0);
        assert_near(cy - ly, 50.0, 0.0);
        size_t row = c / 10, col = c % 10;
        assert_near(lx, 155000.0 + 100.0 * (double)col, 0.0);
        assert_near(ly, 463000.0 + 100.0 * (double)(4 - row), 0.0);
    }
    lb_ctx_destroy(ctx);
}

static void test_grid_cell_ids_100m(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_grid g = grid_of(ctx, 155000.0, 463000.0, 156000.0, 464000.0, 100.0);
    char id[32];
    /* The cell with lower-left (155300, 463200): column 3, third row from the south. */
    size_t c = idx_cj(&g, 3, 2);
    double x, y;
    lb_grid_cell_ll(&g, c, &x, &y);
    assert_near(x, 155300.0, 0.0);
    assert_near(y, 463200.0, 0.0);
    lb_grid_cell_id(&g, c, id, sizeof(id));
    assert_string_equal(id, "E1553N4632");
    lb_grid_cell_id(&g, 0, id, sizeof(id));
    assert_string_equal(id, "E1550N4639");
    lb_grid_cell_id(&g, lb_grid_ncells(&g) - 1, id, sizeof(id));
    assert_string_equal(id, "E1559N4630");
    /* Ids are unique over the grid and parse back to the cell's corner. */
    for (size_t k = 0; k < lb_grid_ncells(&g); k++) {
        lb_grid_cell_id(&g, k, id, sizeof(id));
        long e = 0, n = 0;
        int used = 0;
        assert_int_equal(sscanf(id, "E%ldN%ld%n", &e, &n, &used), 2);
        assert_int_equal(id[used], '\0');
        lb_grid_cell_ll(&g, k, &x, &y);
        assert_int_equal(e * 100, (long)x);
        assert_int_equal(n * 100, (long)y);
    }
    /* A buffer too small for the id is truncated, never overrun (run under ASan). */
    char small[5];
    lb_grid_cell_id(&g, c, small, sizeof(small));
    assert_string_equal(small, "E155");
    lb_ctx_destroy(ctx);
}

/* The 100 m ids are what "E%.0fN%.0f" prints of the corner in hectometres, also west and south
 * of the RD origin and with large numbers, whatever the buffer. */
static void test_grid_cell_ids_as_printf(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    const double boxes[][4] = {{-1250.0, -730.0, 1020.0, 480.0},
                               {155000.0, 463000.0, 156000.0, 464000.0},
                               {-9.87654e8, 1.23456e8, -9.87652e8, 1.23458e8}};
    for (size_t b = 0; b < sizeof(boxes) / sizeof(boxes[0]); b++) {
        lb_grid g = grid_of(ctx, boxes[b][0], boxes[b][1], boxes[b][2], boxes[b][3], 100.0);
        for (size_t k = 0; k < lb_grid_ncells(&g); k++) {
            double x, y;
            lb_grid_cell_ll(&g, k, &x, &y);
            char want[64], id[64], id20[20];
            snprintf(want, sizeof(want), "E%.0fN%.0f", floor(x / 100.0), floor(y / 100.0));
            lb_grid_cell_id(&g, k, id, sizeof(id));
            assert_string_equal(id, want);
            lb_grid_cell_id(&g, k, id20, sizeof(id20));
            assert_int_equal(strncmp(id20, want, sizeof(id20) - 1), 0);
        }
    }
    lb_ctx_destroy(ctx);
}

static void test_grid_cell_ids_other_sizes(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    char id[32];
    /* 500 m: E{x/500}N{y/500}_500m. Lower-left (155000, 463000): 310, 926. */
    lb_grid g = grid_of(ctx, 155000.0, 463000.0, 156000.0, 464000.0, 500.0);
    assert_int_equal(g.nx, 2);
    lb_grid_cell_id(&g, idx_cj(&g, 0, 0), id, sizeof(id));
    assert_string_equal(id, "E310N926_500m");
    lb_grid_cell_id(&g, idx_cj(&g, 1, 1), id, sizeof(id));
    assert_string_equal(id, "E311N927_500m");
    /* 250 m: lower-left (155000, 463250) → 620, 1853. */
    g = grid_of(ctx, 155000.0, 463250.0, 155250.0, 463500.0, 250.0);
    lb_grid_cell_id(&g, 0, id, sizeof(id));
    assert_string_equal(id, "E620N1853_250m");
    /* 1000 m and a non-integer size. */
    g = grid_of(ctx, 155000.0, 463000.0, 155000.0, 463000.0, 1000.0);
    lb_grid_cell_id(&g, 0, id, sizeof(id));
    assert_string_equal(id, "E155N463_1000m");
    g = grid_of(ctx, 10.0, 20.0, 10.0, 20.0, 2.5);
    lb_grid_cell_id(&g, 0, id, sizeof(id));
    assert_string_equal(id, "E4N8_2.5m");
    /* The same corner at 100 m and at 500 m never gives the same id. */
    lb_grid g100 = grid_of(ctx, 155000.0, 463000.0, 155000.0, 463000.0, 100.0);
    lb_grid g500 = grid_of(ctx, 155000.0, 463000.0, 155000.0, 463000.0, 500.0);
    char a[32], b[32];
    lb_grid_cell_id(&g100, 0, a, sizeof(a));
    lb_grid_cell_id(&g500, 0, b, sizeof(b));
    assert_string_equal(a, "E1550N4630");
    assert_string_not_equal(a, b);
    lb_ctx_destroy(ctx);
}

static void test_grid_geotransform(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_grid g = grid_of(ctx, 155012.0, 463020.0, 155890.0, 463480.0, 100.0);
    double gt[6];
    lb_grid_geotransform(&g, gt);
    /* North-up: origin at the north-west corner, negative pixel height. */
    assert_near(gt[0], 155000.0, 0.0);
    assert_near(gt[1], 100.0, 0.0);
    assert_near(gt[2], 0.0, 0.0);
    assert_near(gt[3], 463500.0, 0.0);
    assert_near(gt[4], 0.0, 0.0);
    assert_near(gt[5], -100.0, 0.0);
    /* Pixel (col + ½, row + ½) through the geotransform is the cell centre. */
    for (size_t c = 0; c < lb_grid_ncells(&g); c++) {
        double px = (double)(c % (size_t)g.nx) + 0.5, py = (double)(c / (size_t)g.nx) + 0.5;
        double gx = gt[0] + px * gt[1] + py * gt[2], gy = gt[3] + px * gt[4] + py * gt[5];
        double cx, cy;
        lb_grid_cell_centre(&g, c, &cx, &cy);
        assert_near(gx, cx, 1e-9);
        assert_near(gy, cy, 1e-9);
    }
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_extent_snaps),
        cmocka_unit_test(test_grid_degenerate_extent),
        cmocka_unit_test(test_grid_negative_coordinates),
        cmocka_unit_test(test_grid_invalid_arguments),
        cmocka_unit_test(test_grid_too_large),
        cmocka_unit_test(test_grid_cell_geometry),
        cmocka_unit_test(test_grid_cell_ids_100m),
        cmocka_unit_test(test_grid_cell_ids_as_printf),
        cmocka_unit_test(test_grid_cell_ids_other_sizes),
        cmocka_unit_test(test_grid_geotransform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
