/* SPDX-License-Identifier: MIT */
/* Waterbed zone designs and input defects on small hand-made cases: adjacency sets from the
 * focus polygon or its member units against a brute-force grid walk, grouped focus areas,
 * the gemeente-or-radius region, the far control without adjacency orders (also that of the
 * pseudo-area placebos), ties, exact distances beyond the reach, and the focus inputs that
 * used to be dropped or mis-read without a word. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <leefbaar/leefbaar.h>

#include "../src/core/ctx.h"
#include "../src/waterbed/wb.h"

#include <stdint.h>
#include <string.h>

/* ---- scored units in memory: rectangles (or any ring) with one score per year ---- */

static unsigned char *ring_wkb(const double *xy, uint32_t pts, size_t *size)
{
    size_t n = 1 + 4 + 4 + 4 + (size_t)pts * 16;
    unsigned char *b = malloc(n), *p = b;
    assert_non_null(b);
    uint32_t type = 3, rings = 1;
    *p++ = 1;
    memcpy(p, &type, 4);
    memcpy(p + 4, &rings, 4);
    memcpy(p + 8, &pts, 4);
    memcpy(p + 12, xy, (size_t)pts * 16);
    *size = n;
    return b;
}

static unsigned char *box_wkb(double x0, double y0, double x1, double y1, size_t *size)
{
    const double xy[10] = {x0, y0, x1, y0, x1, y1, x0, y1, x0, y0};
    return ring_wkb(xy, 5, size);
}

static const double thresholds[LB_N_THRESHOLDS] = {3.46,   3.557,  3.6955, 3.8971,
                                                   3.9972, 4.1924, 4.3044, 4.3926};

/* n units over the years 2020 and 2022, lbm 4.0 then 4.0 + u/100; no dimensions. */
static lb_scoreset *units_new(size_t n)
{
    lb_scoreset *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    s->description = lb_core_strdup("hand-made units");
    s->n_units = n;
    s->id = calloc(n, sizeof(char *));
    s->name = calloc(n, sizeof(char *));
    s->gm_code = calloc(n, sizeof(char *));
    s->wk_code = calloc(n, sizeof(char *));
    s->geom = calloc(1, sizeof(lb_vlayer));
    s->geom->kind = LB_GEOM_POLYGON;
    s->geom->n = n;
    s->geom->path = lb_core_strdup("memory");
    s->geom->layer = lb_core_strdup("units");
    s->geom->fid = calloc(n, sizeof(int64_t));
    s->geom->wkb = calloc(n, sizeof(unsigned char *));
    s->geom->wkb_size = calloc(n, sizeof(size_t));
    s->geom_row = calloc(n, sizeof(size_t));
    s->dim_code = calloc(1, sizeof(char *));
    s->n_years = 2;
    s->years = malloc(2 * sizeof(int));
    s->years[0] = 2020;
    s->years[1] = 2022;
    s->n_out = 2;
    s->value = malloc(2 * 2 * n * sizeof(double));
    s->weight = malloc(2 * n * sizeof(double));
    s->ref = 4.1;
    memcpy(s->thresholds, thresholds, sizeof(thresholds));
    for (size_t u = 0; u < n; u++) {
        s->geom->fid[u] = (int64_t)u;
        s->geom_row[u] = u;
        for (size_t t = 0; t < 2; t++) {
            double l = 4.0 + (t ? (double)u / 100.0 : 0.0);
            s->value[(t * 2 + LB_OUT_LBM) * n + u] = l;
            s->value[(t * 2 + LB_OUT_AFW) * n + u] = l - 4.1;
            s->weight[t * n + u] = 1.0;
        }
    }
    return s;
}

static void unit_set(lb_scoreset *s, size_t u, const char *id, const char *gm, unsigned char *wkb,
                     size_t size)
{
    s->id[u] = lb_core_strdup(id);
    s->gm_code[u] = gm ? lb_core_strdup(gm) : NULL;
    s->geom->wkb[u] = wkb;
    s->geom->wkb_size[u] = size;
}

static void units_free(lb_scoreset *s)
{
    for (size_t u = 0; u < s->n_units; u++) {
        free(s->id[u]);
        free(s->name[u]);
        free(s->gm_code[u]);
        free(s->wk_code[u]);
    }
    free(s->id);
    free(s->name);
    free(s->gm_code);
    free(s->wk_code);
    lb_vlayer_destroy(s->geom);
    free(s->geom_row);
    free(s->dim_code);
    free(s->years);
    free(s->value);
    free(s->weight);
    free(s->description);
    free(s);
}

static void options(lb_waterbed_options *o, const char *const *codes, size_t n_codes)
{
    lb_waterbed_options_init(o);
    o->focus_codes = codes;
    o->n_focus_codes = n_codes;
    o->n_placebo = 0;
    o->n_boot = 0;
    o->rigo = 0;
    o->min_control = 1;
}

static size_t warnings_with(const lb_ctx *ctx, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        n += strstr(lb_ctx_warning(ctx, i), text) != NULL;
    return n;
}

/* Units of slot @p slot of focus area @p f as a 0/1 mask over n units. */
static void zone_mask(const wb_data *d, size_t f, const char *slot, unsigned char *mask)
{
    memset(mask, 0, d->n);
    for (size_t z = 0; z < d->n_slots; z++) {
        if (strcmp(d->slots[z].name, slot) != 0)
            continue;
        size_t *v = NULL, n = 0;
        lb_ctx *ctx = lb_test_ctx();
        assert_int_equal(wb_zone_units(ctx, d, f, z, &v, &n), LB_OK);
        for (size_t i = 0; i < n; i++)
            mask[v[i]] = 1;
        free(v);
        lb_ctx_destroy(ctx);
        return;
    }
    fail_msg("no slot %s", slot);
}

/* ---- adjacency sets ---- */

/* Grid of NX × NY squares of 100 m at (X0, Y0); unit u = (i, j) with i = u % NX. */
enum { NX = 6, NY = 5 };
static const double X0 = 120000.0, Y0 = 480000.0;

/* Distance between axis-parallel rectangles (x0, y0, x1, y1), by hand. */
static double rect_gap(const double *a, const double *b)
{
    double dx = fmax(0.0, fmax(a[0] - b[2], b[0] - a[2]));
    double dy = fmax(0.0, fmax(a[1] - b[3], b[1] - a[3]));
    return hypot(dx, dy);
}

static void cell_rect(size_t u, double *r)
{
    r[0] = X0 + 100.0 * (double)(u % NX);
    r[1] = Y0 + 100.0 * (double)(u / NX);
    r[2] = r[0] + 100.0;
    r[3] = r[1] + 100.0;
}

/* Adjacency orders by brute force: order 1 = untreated cells within tol of any rectangle of
 * @p from (n_from of them), order k + 1 = untreated cells within tol of an order-k cell. */
static void brute_orders(const double (*from)[4], size_t n_from, const unsigned char *treated,
                         double tol, int orders, int *out)
{
    size_t n = NX * NY;
    for (size_t u = 0; u < n; u++) {
        out[u] = 0;
        double r[4];
        cell_rect(u, r);
        for (size_t k = 0; k < n_from && !treated[u]; k++)
            if (rect_gap(r, from[k]) <= tol)
                out[u] = 1;
    }
    for (int k = 1; k < orders; k++) {
        unsigned char grow[NX * NY] = {0};
        for (size_t u = 0; u < n; u++) {
            double r[4], q[4];
            cell_rect(u, r);
            for (size_t v = 0; v < n && out[u] == 0 && !treated[u]; v++) {
                cell_rect(v, q);
                if (out[v] == k && rect_gap(r, q) <= tol)
                    grow[u] = 1;
            }
        }
        for (size_t u = 0; u < n; u++)
            if (grow[u])
                out[u] = k + 1;
    }
}

/* The focus layer of the adjacency test, in RD (GeoJSON with a crs member):
 * A   the square of cell (1, 2) and a 10 m strip from its east side to x = 430 (so it reaches
 *     into cells (2, 2), (3, 2) and (4, 2) with shares 0.1, 0.1, 0.03): member (1, 2) only;
 * B   no geometry;
 * C   a bow-tie over cells (4, 0) and (5, 0), 60 m high: invalid, repaired into two triangles
 *     that cover 30 % of either cell, so without units of its own. */
static void write_focus(const char *path)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
             "{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},\"features\":["
             "{\"type\":\"Feature\",\"properties\":{\"code\":\"A\",\"codes\":\"x\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],"
             "[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],"
             "[%.1f,%.1f]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"code\":\"B\",\"codes\":\"y\"},"
             "\"geometry\":null},"
             "{\"type\":\"Feature\",\"properties\":{\"code\":\"C\",\"codes\":\"z\"},"
             "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],"
             "[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f]]]}}]}\n",
             X0 + 100, Y0 + 200, X0 + 200, Y0 + 200, X0 + 200, Y0 + 240, X0 + 430, Y0 + 240,
             X0 + 430, Y0 + 250, X0 + 200, Y0 + 250, X0 + 200, Y0 + 300, X0 + 100, Y0 + 300,
             X0 + 100, Y0 + 200, /* C: */ X0 + 400, Y0, X0 + 600, Y0 + 60, X0 + 600, Y0, X0 + 400,
             Y0 + 60, X0 + 400, Y0);
    lb_test_write_text(path, text);
}

static void test_waterbed_zones_adjacency_sets(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    char dir[64], path[128];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "wbzones"), 0);
    snprintf(path, sizeof(path), "%s/focus.geojson", dir);
    write_focus(path);
    lb_scoreset *s = units_new(NX * NY);
    for (size_t u = 0; u < NX * NY; u++) {
        char id[16];
        double r[4];
        size_t sz = 0;
        snprintf(id, sizeof(id), "G%zu_%zu", u % NX, u / NX);
        cell_rect(u, r);
        unsigned char *w = box_wkb(r[0], r[1], r[2], r[3], &sz);
        unit_set(s, u, id, "GM0001", w, sz);
    }
    lb_waterbed_options o;
    options(&o, NULL, 0);
    o.focus_path = path;
    o.focus_id_field = "code";
    o.focus_codes_field = "codes"; /* not used on polygons: a warning says so */
    static const double rings[1] = {120.0};
    o.rings_m = rings;
    o.n_rings = 1;
    o.adjacency_orders = 3;
    const size_t member = 2 * NX + 1; /* cell (1, 2) */
    const double strip[2][4] = {{X0 + 100, Y0 + 200, X0 + 200, Y0 + 300},
                                {X0 + 200, Y0 + 240, X0 + 430, Y0 + 250}};
    double mrect[1][4];
    cell_rect(member, mrect[0]);
    unsigned char treated[NX * NY] = {0};
    treated[member] = 1;
    for (int from = 0; from < 2; from++) {
        o.adjacency_from = from ? LB_WB_ADJ_FROM_MEMBERS : LB_WB_ADJ_FROM_POLYGON;
        lb_ctx_warnings_reset(ctx);
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        const wb_data *d = r->data;
        /* A is tested; B (no geometry) is named and counted; C (invalid, no unit of its own) is
         * repaired with a warning and reported untested */
        assert_int_equal(d->n_focus, 1);
        assert_string_equal(d->focus[0].id, "A");
        assert_int_equal(d->focus[0].n_members, 1);
        assert_int_equal(d->focus[0].members[0], member);
        assert_int_equal(d->n_focus_nogeom, 1);
        assert_int_equal(warnings_with(ctx, "have no geometry (NULL or empty) and are left out: B"),
                         1);
        assert_int_equal(d->n_focus_repaired, 1);
        assert_true(warnings_with(ctx, "invalid polygon(s) repaired") >= 1);
        assert_int_equal(d->n_untested, 1);
        assert_string_equal(d->untested[0].id, "C");
        assert_int_equal(warnings_with(ctx, "'C': no unit has 50% of its area inside it"), 1);
        assert_int_equal(warnings_with(ctx, "--focus-codes-field 'codes' is not used"), 1);
        /* adjacency orders against the grid walk */
        int want[NX * NY];
        if (from)
            brute_orders((const double(*)[4])mrect, 1, treated, o.adjacency_tol_m, 3, want);
        else
            brute_orders(strip, 2, treated, o.adjacency_tol_m, 3, want);
        for (size_t u = 0; u < NX * NY; u++) {
            if (d->adj[u] != want[u])
                print_error("from %s: cell (%zu, %zu) order %d, by hand %d\n",
                            from ? "members" : "polygon", u % NX, u / NX, d->adj[u], want[u]);
            assert_int_equal(d->adj[u], want[u]);
        }
        /* the two sources differ where the strip reaches: cells (3, 2) and (4, 2) */
        assert_int_equal(d->adj[2 * NX + 4], from ? 3 : 1);
        assert_int_equal(d->adj[2 * NX + 3], from ? 2 : 1);
        wb_result_destroy(r);
    }
    /* asked for: C is tested too (zones only) */
    o.test_empty_focus = 1;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_int_equal(r->data->n_focus, 2);
    assert_int_equal(r->data->n_untested, 0);
    assert_int_equal(r->data->focus[1].n_members, 0);
    wb_result_destroy(r);
    units_free(s);
    assert_int_equal(lb_test_rmtree(dir), 0);
    lb_ctx_destroy(ctx);
}

/* ---- a row of units: grouped focus areas, regions, far control, ties ---- */

/* n units of 100 × 100 m in a row, U0 at x = 0; gemeente GM0001 for u < n_gm1, else GM0002. */
static lb_scoreset *row_units(size_t n, size_t n_gm1)
{
    lb_scoreset *s = units_new(n);
    for (size_t u = 0; u < n; u++) {
        char id[8];
        size_t sz = 0;
        snprintf(id, sizeof(id), "U%zu", u);
        unsigned char *w = box_wkb(100.0 * (double)u, 0.0, 100.0 * (double)(u + 1), 100.0, &sz);
        unit_set(s, u, id, u < n_gm1 ? "GM0001" : "GM0002", w, sz);
    }
    return s;
}

static void test_waterbed_zones_grouped(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = row_units(12, 12);
    static const double rings[2] = {50.0, 150.0};
    const char *codes[] = {"A=U2|U3", "B=U3|U2", "C=U9"};
    lb_waterbed_options o;
    options(&o, codes, 3);
    o.rings_m = rings;
    o.n_rings = 2;
    o.adjacency_orders = 2;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_data *d = r->data;
    /* one group under A with both ids, and one note naming them */
    assert_int_equal(d->n_focus, 2);
    assert_string_equal(d->focus[0].id, "A");
    assert_string_equal(d->focus[1].id, "C");
    assert_int_equal(d->focus[0].n_group, 2);
    assert_string_equal(d->focus[0].group[0], "A");
    assert_string_equal(d->focus[0].group[1], "B");
    assert_int_equal(warnings_with(ctx, "focus areas A, B have the very same 2 unit(s)"), 1);
    /* one test: rows for A and C only */
    assert_null(wb_result_row(r, "B", "focus", "lbm", 2020, 2022));
    assert_non_null(wb_result_row(r, "A", "ring_0_50", "lbm", 2020, 2022));
    /* the zones are those of A alone: by hand, U1 and U4 touch it, U0 and U5 lie 100 m off;
     * C's: U8 and U10, then U7 and U11 */
    unsigned char m[12];
    zone_mask(d, 0, "ring_0_50", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], u == 1 || u == 4);
    zone_mask(d, 0, "ring_50_150", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], u == 0 || u == 5);
    zone_mask(d, 1, "ring_0_50", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], u == 8 || u == 10);
    /* the group's polygon is the union of its members': 20000 m2 centred at x = 300 */
    assert_near(d->focus[0].area_m2, 20000.0, 1e-6);
    assert_near(d->focus[0].cx, 300.0, 1e-9);
    wb_result_destroy(r);

    /* kept apart (the old way): B's rings are empty, every unit goes to A */
    o.group_identical = 0;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_int_equal(r->data->n_focus, 3);
    zone_mask(r->data, 1, "ring_0_50", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], 0);
    wb_result_destroy(r);
    units_free(s);
    lb_ctx_destroy(ctx);
}

static void test_waterbed_zones_region_far(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* U0..U4 in GM0001, U5..U11 in GM0002; focus U1 (centroid x = 150) */
    lb_scoreset *s = row_units(12, 5);
    static const double rings[1] = {150.0};
    const char *codes[] = {"F=U1"};
    lb_waterbed_options o;
    options(&o, codes, 1);
    o.rings_m = rings;
    o.n_rings = 1;
    o.adjacency_orders = 3;
    o.region = LB_WB_REGION_GEMEENTE_RADIUS;
    o.region_radius_m = 650.0;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_data *d = r->data;
    /* region by brute force: same gemeente, or centroid 50 + 100 u within 650 of 150 */
    for (size_t u = 0; u < 12; u++) {
        int want = u < 5 || fabs(50.0 + 100.0 * (double)u - 150.0) <= 650.0;
        assert_int_equal(wb_in_region(d, 0, u), want);
    }
    /* far control: beyond the ring (gap > 150 m: U4 on) and in the region: U4..U7 */
    unsigned char m[12];
    zone_mask(d, 0, "far", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], u >= 4 && u <= 7);
    /* adjacency orders by hand: U0, U2 order 1, U3 order 2, U4 order 3 */
    assert_int_equal(d->adj[0], 1);
    assert_int_equal(d->adj[3], 2);
    assert_int_equal(d->adj[4], 3);
    wb_result_destroy(r);

    /* far control without adjacency orders 1..3: U5..U7; 1..4 (beyond the reported orders):
     * U6, U7 */
    o.far_exclude_adjacency = 3;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    zone_mask(r->data, 0, "far", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], u >= 5 && u <= 7);
    wb_result_destroy(r);
    o.far_exclude_adjacency = 4;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    zone_mask(r->data, 0, "far", m);
    for (size_t u = 0; u < 12; u++)
        assert_int_equal(m[u], u >= 6 && u <= 7);
    assert_int_equal(r->data->n_slots, 1 + 1 + 3 + 1); /* focus, ring, adj_1..3, far */
    wb_result_destroy(r);

    /* the radius is required */
    o.region_radius_m = 0.0;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "gemeente-or-radius"));
    units_free(s);
    lb_ctx_destroy(ctx);
}

/* Pseudo-area placebos leave the adjacency orders 1..N of the pseudo area out of their far
 * control, as the real far control leaves out those of the focus area (issue 14); N above the
 * reported orders, so the orders must be walked further than the zones need. Every pseudo
 * area's focus DiD against a brute-force walk along a row of touching squares. */
static void test_waterbed_zones_placebo_far_exclusion(void **state)
{
    (void)state;
    enum { N_ROW = 40, N_EXCL = 3 };
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = row_units(N_ROW, N_ROW);
    /* uneven lbm changes, so that leaving out a pair of units around a pseudo area moves the
     * control mean whatever the area's place */
    double delta[N_ROW];
    for (size_t u = 0; u < N_ROW; u++) {
        delta[u] = (double)((u * 37) % 11) / 100.0;
        s->value[(1 * 2 + LB_OUT_LBM) * N_ROW + u] = 4.0 + delta[u];
    }
    static const double rings[1] = {150.0};
    const char *codes[] = {"F=U1"};
    lb_waterbed_options o;
    options(&o, codes, 1);
    o.rings_m = rings;
    o.n_rings = 1;
    o.adjacency_orders = 1;
    o.far_exclude_adjacency = N_EXCL;
    o.n_placebo = 19;
    o.placebo_mode = LB_WB_PLACEBO_AREAS;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    const wb_data *d = r->data;
    const wb_placebo *pl = &r->placebo[0];
    assert_int_equal(pl->method, LB_WB_PLACEBO_AREAS);
    assert_true(pl->m_areas >= 3);
    assert_string_equal(r->out_name[0], "lbm");
    size_t zf = d->n_slots;
    for (size_t z = 0; z < d->n_slots; z++)
        if (d->slots[z].scheme == WB_SCHEME_FOCUS)
            zf = z;
    assert_true(zf < d->n_slots && d->slots[zf].placebo);
    size_t P = r->n_panels, K = r->n_out, cells = d->n_slots * P * K;
    for (size_t i = 0; i < pl->m_areas; i++) {
        /* adjacency orders from the pseudo area: squares touch their row neighbours only
         * (a gap of 100 m is beyond the 25 m tolerance); treated units are not walked */
        int ord[N_ROW] = {0};
        double gap[N_ROW], in_sum = 0.0;
        for (size_t u = 0; u < N_ROW; u++)
            gap[u] = INFINITY;
        for (size_t k = 0; k < pl->n_members[i]; k++) {
            size_t a = pl->members[i][k];
            ord[a] = -1;
            in_sum += delta[a];
            for (size_t u = 0; u < N_ROW; u++) {
                double g = fmax(0.0, (fabs((double)u - (double)a) - 1.0) * 100.0);
                gap[u] = fmin(gap[u], g);
            }
        }
        for (int k = 1; k <= N_EXCL; k++) {
            int next[N_ROW];
            memcpy(next, ord, sizeof(ord));
            int from = k == 1 ? -1 : k - 1;
            for (size_t u = 0; u < N_ROW; u++)
                if (ord[u] == 0 && !wb_treated(d, u) &&
                    ((u > 0 && ord[u - 1] == from) || (u + 1 < N_ROW && ord[u + 1] == from)))
                    next[u] = k;
            memcpy(ord, next, sizeof(ord));
        }
        /* far control: the untreated units of the region (here all) that are neither in the
         * pseudo area, nor within the ring, nor of adjacency orders 1..N_EXCL */
        double far_sum = 0.0;
        size_t far_n = 0;
        for (size_t u = 0; u < N_ROW; u++) {
            assert_true(wb_in_region(d, 0, u));
            if (wb_treated(d, u) || ord[u] != 0 || gap[u] <= rings[0])
                continue;
            far_sum += delta[u];
            far_n++;
        }
        assert_true(far_n > 0);
        double want = in_sum / (double)pl->n_members[i] - far_sum / (double)far_n;
        assert_near(pl->did[i * cells + (zf * P + 0) * K + 0], want, 1e-12);
    }
    wb_result_destroy(r);
    units_free(s);
    lb_ctx_destroy(ctx);
}

static void test_waterbed_zones_ties(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    /* B = U4|U5 (centroid x = 500) comes first in the input, A = U0 (centroid 50). U2
     * (centroid 250) lies 100 m from both polygons: a tie, which the nearer centroid (A at
     * 200 m, B at 250 m) settles for A; by input order it went to B. In adjacency, U2 touches
     * U1 (order 1 of A) and U3 (order 1 of B): again a tie at order 2. */
    lb_scoreset *s = row_units(8, 8);
    static const double rings[1] = {100.0};
    const char *codes[] = {"B=U4|U5", "A=U0"};
    lb_waterbed_options o;
    options(&o, codes, 2);
    o.rings_m = rings;
    o.n_rings = 1;
    o.adjacency_orders = 2;
    for (int order = 0; order < 2; order++) {
        o.ties = order ? LB_WB_TIES_ORDER : LB_WB_TIES_DISTANCE;
        wb_result *r = NULL;
        assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
        const wb_data *d = r->data;
        assert_string_equal(d->focus[0].id, "B");
        int want = order ? 0 : 1;
        assert_near(d->near_d[2], 100.0, 1e-9);
        assert_int_equal(d->near[2], want);
        assert_int_equal(d->adj[2], 2);
        assert_int_equal(d->adj_focus[2], want);
        /* no tie elsewhere: U1 to A, U3 to B */
        assert_int_equal(d->near[1], 1);
        assert_int_equal(d->near[3], 0);
        wb_result_destroy(r);
    }
    units_free(s);
    lb_ctx_destroy(ctx);
}

/* distance_m beyond the reach: the unit T (a right triangle) has its envelope within the
 * reach (100 m) of focus area X but lies 665 m from it; the nearer focus area Y (200 m) lies
 * beyond the reach by envelope too. Once the distance was 665 m (the only area measured). */
static void test_waterbed_zones_far_distance(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    lb_scoreset *s = units_new(4);
    size_t sz[4] = {0};
    const double tri[8] = {0, 0, 1000, 0, 1000, 1000, 0, 0};
    unsigned char *w[4] = {ring_wkb(tri, 4, &sz[0]), box_wkb(-50, 900, -40, 910, &sz[1]),
                           box_wkb(1200, 500, 1210, 510, &sz[2]),
                           box_wkb(5000, 5000, 5010, 5010, &sz[3])};
    const char *ids[4] = {"T", "X", "Y", "Z"};
    for (size_t u = 0; u < 4; u++)
        unit_set(s, u, ids[u], NULL, w[u], sz[u]);
    const char *codes[] = {"X=X", "Y=Y"};
    static const double rings[1] = {100.0};
    lb_waterbed_options o;
    options(&o, codes, 2);
    o.rings_m = rings;
    o.n_rings = 1;
    o.adjacency_orders = 0;
    wb_result *r = NULL;
    if (wb_analyse(ctx, s, &o, &r) != LB_OK)
        fail_msg("%s", lb_ctx_errmsg(ctx));
    const wb_data *d = r->data;
    assert_int_equal(d->beyond[0], 1);
    assert_near(d->near_d[0], 200.0, 1e-9);
    /* Z: nearest Y by hand, hypot(5000 − 1210, 5000 − 510) */
    assert_near(d->near_d[3], hypot(3790.0, 4490.0), 1e-6);
    wb_result_destroy(r);
    /* by centroid: T's centroid (666.7, 333.3) to Y's west side x = 1200 */
    o.distance = LB_WB_DIST_CENTROID;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_near(r->data->near_d[0], hypot(1200.0 - 2000.0 / 3.0, 500.0 - 1000.0 / 3.0), 1e-6);
    wb_result_destroy(r);
    units_free(s);
    lb_ctx_destroy(ctx);
}

/* --cluster gemeente on units without gemeente codes: an error naming the fallbacks; auto with
 * gemeente codes on the focus areas only: not gemeente clusters (one per unit), and a warning. */
static void test_waterbed_zones_cluster_codes(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    char dir[64], path[128];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "wbzones"), 0);
    snprintf(path, sizeof(path), "%s/focus.csv", dir);
    lb_test_write_text(path, "naam,gm_code,codes\nEen,GM0001,U1\nTwee,GM0002,U8\n");
    lb_scoreset *s = row_units(12, 0);
    for (size_t u = 0; u < 12; u++) {
        free(s->gm_code[u]);
        s->gm_code[u] = NULL;
    }
    static const double rings[1] = {100.0};
    lb_waterbed_options o;
    options(&o, NULL, 0);
    o.focus_path = path;
    o.rings_m = rings;
    o.n_rings = 1;
    o.n_boot = 19;
    o.region = LB_WB_REGION_ALL;
    o.cluster = LB_WB_CLUSTER_GEMEENTE;
    wb_result *r = NULL;
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_DATA);
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--cluster gemeente: none of the"));
    assert_non_null(strstr(lb_ctx_errmsg(ctx), "--cluster focus"));
    o.cluster = LB_WB_CLUSTER_AUTO;
    lb_ctx_warnings_reset(ctx);
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_int_equal(r->data->n_gm, 2); /* the focus areas' */
    assert_int_equal(r->cluster, LB_WB_CLUSTER_UNIT);
    assert_int_equal(warnings_with(ctx, "every unit is its own cluster"), 1);
    wb_result_destroy(r);
    units_free(s);
    assert_int_equal(lb_test_rmtree(dir), 0);
    lb_ctx_destroy(ctx);
}

/* The aandachtswijken route on PC4 units: wijk codes match nothing. One error that suggests
 * polygons or PC4 code lists, not one warning per focus area first. */
static void test_waterbed_zones_codes_mismatch(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    char dir[64], path[128];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "wbzones"), 0);
    snprintf(path, sizeof(path), "%s/aandachtswijken.csv", dir);
    lb_test_write_text(path, "nr,wijk_besluit,candidate_cbs2016_wijk_codes\n"
                             "1,Overdie,WK036103\n2,De Kruiskamp,WK030707\n"
                             "3,Overvecht,WK034410|WK034411\n");
    lb_scoreset *s = row_units(6, 6);
    lb_waterbed_options o;
    options(&o, NULL, 0);
    o.focus_path = path;
    wb_result *r = NULL;
    lb_ctx_warnings_reset(ctx);
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_ERR_DATA);
    const char *msg = lb_ctx_errmsg(ctx);
    assert_non_null(strstr(msg, "none of the 3 focus areas' codes"));
    assert_non_null(strstr(msg, "candidate_cbs2016_wijk_codes"));
    assert_non_null(strstr(msg, "as polygons"));
    assert_non_null(strstr(msg, "--focus-codes"));
    assert_int_equal(warnings_with(ctx, "none of its codes"), 0);
    /* some match: one warning naming those left out */
    lb_test_write_text(path, "nr,naam,codes\n1,Een,U1\n2,Twee,WK000101\n3,Drie,WK000102\n");
    lb_ctx_warnings_reset(ctx);
    assert_int_equal(wb_analyse(ctx, s, &o, &r), LB_OK);
    assert_int_equal(r->data->n_focus, 1);
    assert_int_equal(warnings_with(ctx, "2 of 3 focus areas match no unit by their codes"), 1);
    wb_result_destroy(r);
    units_free(s);
    assert_int_equal(lb_test_rmtree(dir), 0);
    lb_ctx_destroy(ctx);
}

/* The options through the public entry: --min-control (documented, once rejected as unknown)
 * and every zone design choice reach the analysis and run.json. Scores: a PC4 table with a
 * GM_CODE column (the id must be PC4) joined to polygons in RD. */
static void test_waterbed_zones_options_run_json(void **state)
{
    (void)state;
    lb_ctx *ctx = lb_test_ctx();
    char dir[64], csv[128], geo[128];
    assert_int_equal(lb_test_tmpdir(dir, sizeof(dir), "wbzones"), 0);
    snprintf(csv, sizeof(csv), "%s/scores.csv", dir);
    snprintf(geo, sizeof(geo), "%s/pc4.geojson", dir);
    char text[8192] = "GM_CODE,PC4,jaar,lbm,afw\n", *p = text + strlen(text);
    char gj[8192], *q = gj;
    q += snprintf(q, sizeof(gj),
                  "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\","
                  "\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::28992\"}},"
                  "\"features\":[");
    for (int u = 0; u < 10; u++) {
        for (int y = 2020; y <= 2022; y += 2)
            p += snprintf(p, sizeof(text) - (size_t)(p - text), "GM%04d,%d,%d,%.3f,%.3f\n",
                          u < 5 ? 344 : 356, 3500 + u, y, 4.0 + (y - 2020) * 0.001 * u,
                          (y - 2020) * 0.001 * u - 0.1);
        double x0 = X0 + 100.0 * u;
        q += snprintf(q, sizeof(gj) - (size_t)(q - gj),
                      "%s{\"type\":\"Feature\",\"properties\":{\"PC4\":\"%d\"},\"geometry\":"
                      "{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,"
                      "%.1f],[%.1f,%.1f],[%.1f,%.1f]]]}}",
                      u ? "," : "", 3500 + u, x0, Y0, x0 + 100, Y0, x0 + 100, Y0 + 100, x0,
                      Y0 + 100, x0, Y0);
    }
    snprintf(q, sizeof(gj) - (size_t)(q - gj), "]}\n");
    lb_test_write_text(csv, text);
    lb_test_write_text(geo, gj);
    lb_opts *o = NULL;
    assert_int_equal(lb_opts_create(ctx, "waterbed", &o), LB_OK);
    const char *kv[][2] = {{"scores", csv},
                           {"geometry", geo},
                           {"focus-codes", "A=3502,B=3502"},
                           {"min-control", "3"},
                           {"region", "gemeente-or-radius"},
                           {"region-radius", "450"},
                           {"far-exclude-adjacency", "2"},
                           {"adjacency-from", "members"},
                           {"ties", "order"},
                           {"identical-focus", "group"},
                           {"test-empty-focus", "1"},
                           {"rings", "100"},
                           {"placebos", "0"},
                           {"bootstrap", "0"}};
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
        if (lb_opts_set(ctx, o, kv[i][0], kv[i][1]) != LB_OK)
            fail_msg("--%s %s: %s", kv[i][0], kv[i][1], lb_ctx_errmsg(ctx));
    lb_result *res = NULL;
    if (lb_waterbed_run(ctx, o, &res) != LB_OK)
        fail_msg("%s", lb_ctx_errmsg(ctx));
    const char *prov = lb_result_provenance(res);
    assert_non_null(prov);
    const char *want[] = {"\"min_control\":3",
                          "\"region\":\"gemeente-or-radius\"",
                          "\"region_radius_m\":450",
                          "\"far_exclude_adjacency\":2",
                          "\"adjacency_from\":\"members\"",
                          "\"ties\":\"order\"",
                          "\"identical_focus\":\"group\"",
                          "\"test_empty_focus\":true",
                          "\"group\":[\"A\",\"B\"]",
                          "\"focus_areas_untested\":[]",
                          "\"focus_without_geometry\":0"};
    /* compare without blanks: the provenance is pretty-printed */
    char *flat = malloc(strlen(prov) + 1), *fp = flat;
    assert_non_null(flat);
    for (const char *c = prov; *c; c++)
        if (*c != ' ' && *c != '\n')
            *fp++ = *c;
    *fp = '\0';
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!strstr(flat, want[i]))
            print_error("run.json lacks %s\n", want[i]);
        assert_non_null(strstr(flat, want[i]));
    }
    free(flat);
    lb_result_destroy(res);
    lb_opts_destroy(o);
    assert_int_equal(lb_test_rmtree(dir), 0);
    lb_ctx_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waterbed_zones_adjacency_sets),
        cmocka_unit_test(test_waterbed_zones_grouped),
        cmocka_unit_test(test_waterbed_zones_region_far),
        cmocka_unit_test(test_waterbed_zones_placebo_far_exclusion),
        cmocka_unit_test(test_waterbed_zones_ties),
        cmocka_unit_test(test_waterbed_zones_far_distance),
        cmocka_unit_test(test_waterbed_zones_cluster_codes),
        cmocka_unit_test(test_waterbed_zones_codes_mismatch),
        cmocka_unit_test(test_waterbed_zones_options_run_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
