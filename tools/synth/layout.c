/* SPDX-License-Identifier: MIT */
/* The city layout: outline, buurt seeds (with two compact interior focus wijken), wijken by
 * k-means of buurt seeds, the atom partition, codes, and the postcode areas. */
#include "synth.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

enum { OUTLINE_VERTICES = 144, MAX_ATTEMPTS = 64, KMEANS_ITER = 60, BEST_CANDIDATES = 40 };

#define FOCUS_SEED_RADIUS_M 430.0
#define FOCUS_EXCLUSION_M 980.0
#define FOCUS_EDGE_MIN_M 600.0
#define FOCUS_GAP_MIN_M 1000.0

/* Approximate centres of the two focus wijken relative to the city centre: both in the western
 * half (west-south-west and just north of the centre), interior and about 2.5 km apart, so that
 * the eastern part of town lies more than 2 km from both and can serve as a far control. */
static const double focus_offset[SY_N_FOCUS][2] = {{-2300.0, -700.0}, {-150.0, 1250.0}};

static double uniform(gsl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * gsl_rng_uniform(r);
}

double sy_shape_radius(const sy_shape *s, double theta)
{
    double r = s->a_m * s->b_m / hypot(s->b_m * cos(theta), s->a_m * sin(theta));
    double f = 1.0;
    for (int k = 0; k < SY_SHAPE_HARMONICS; k++)
        f += s->amp[k] * cos((double)(k + 2) * theta + s->phase[k]);
    return r * f;
}

static int in_shape(const sy_shape *s, double x, double y, double frac)
{
    double dx = x - SY_CENTRE_X, dy = y - SY_CENTRE_Y;
    return hypot(dx, dy) <= frac * sy_shape_radius(s, atan2(dy, dx));
}

static void draw_shape(gsl_rng *r, sy_shape *s)
{
    s->a_m = uniform(r, 4350.0, 4650.0);
    s->b_m = uniform(r, 3350.0, 3650.0);
    for (int k = 0; k < SY_SHAPE_HARMONICS; k++) {
        s->amp[k] = uniform(r, 0.03, 0.08) / pow((double)k + 1.0, 0.8);
        s->phase[k] = uniform(r, 0.0, 2.0 * SY_PI);
    }
}

static GEOSGeometry *outline_polygon(sy_ctx *ctx, const sy_shape *s)
{
    double xy[2 * (OUTLINE_VERTICES + 1)];
    for (int i = 0; i < OUTLINE_VERTICES; i++) {
        double th = 2.0 * SY_PI * (double)i / OUTLINE_VERTICES;
        double rad = sy_shape_radius(s, th);
        xy[2 * i] = sy_round(SY_CENTRE_X + rad * cos(th), SY_GRID_M);
        xy[2 * i + 1] = sy_round(SY_CENTRE_Y + rad * sin(th), SY_GRID_M);
    }
    xy[2 * OUTLINE_VERTICES] = xy[0];
    xy[2 * OUTLINE_VERTICES + 1] = xy[1];
    GEOSCoordSequence *cs =
        GEOSCoordSeq_copyFromBuffer_r(ctx->geos, xy, OUTLINE_VERTICES + 1, 0, 0);
    if (!cs)
        return NULL;
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(ctx->geos, cs);
    if (!ring)
        return NULL;
    return GEOSGeom_createPolygon_r(ctx->geos, ring, NULL, 0);
}

static double min_dist2(const double *xy, size_t n, double x, double y)
{
    double best = DBL_MAX;
    for (size_t i = 0; i < n; i++) {
        double dx = xy[2 * i] - x, dy = xy[2 * i + 1] - y;
        double d = dx * dx + dy * dy;
        if (d < best)
            best = d;
    }
    return best;
}

/* Focus seeds first (one central seed and four around it per focus wijk), then the other buurt
 * seeds by Mitchell's best-candidate sampling, kept away from the focus centres so the focus
 * wijken stay compact. */
static void draw_buurt_seeds(gsl_rng *r, sy_city *c, double *xy, int *label)
{
    size_t n = 0;
    for (int f = 0; f < SY_N_FOCUS; f++) {
        double fx = SY_CENTRE_X + focus_offset[f][0] + uniform(r, -200.0, 200.0);
        double fy = SY_CENTRE_Y + focus_offset[f][1] + uniform(r, -200.0, 200.0);
        c->focus_x[f] = fx;
        c->focus_y[f] = fy;
        xy[2 * n] = fx;
        xy[2 * n + 1] = fy;
        label[n++] = SY_N_WIJKEN - SY_N_FOCUS + f;
        double th0 = uniform(r, 0.0, 2.0 * SY_PI);
        for (int k = 0; k < SY_SEEDS_PER_FOCUS - 1; k++) {
            double th = th0 + (double)k * SY_PI / 2.0 + uniform(r, -0.25, 0.25);
            xy[2 * n] = fx + FOCUS_SEED_RADIUS_M * cos(th);
            xy[2 * n + 1] = fy + FOCUS_SEED_RADIUS_M * sin(th);
            label[n++] = SY_N_WIJKEN - SY_N_FOCUS + f;
        }
    }
    double xmin = SY_CENTRE_X - 1.3 * c->shape.a_m, xmax = SY_CENTRE_X + 1.3 * c->shape.a_m;
    double ymin = SY_CENTRE_Y - 1.3 * c->shape.b_m, ymax = SY_CENTRE_Y + 1.3 * c->shape.b_m;
    while (n < SY_N_BUURTEN) {
        double bx = 0.0, by = 0.0, bd = -1.0;
        for (int k = 0; k < BEST_CANDIDATES; k++) {
            double x = uniform(r, xmin, xmax), y = uniform(r, ymin, ymax);
            if (!in_shape(&c->shape, x, y, 0.93)) {
                k--;
                continue;
            }
            int near_focus = 0;
            for (int f = 0; f < SY_N_FOCUS; f++)
                if (hypot(x - c->focus_x[f], y - c->focus_y[f]) < FOCUS_EXCLUSION_M)
                    near_focus = 1;
            if (near_focus) {
                k--;
                continue;
            }
            double d = min_dist2(xy, n, x, y);
            if (d > bd) {
                bd = d;
                bx = x;
                by = y;
            }
        }
        xy[2 * n] = bx;
        xy[2 * n + 1] = by;
        label[n++] = -1;
    }
}

/* Lloyd's k-means on the non-focus seeds: cluster 0 starts at the city centre (Centrum), the
 * others on a ring; contiguity of the resulting wijken is checked after the partition. */
static void kmeans(gsl_rng *r, const sy_shape *s, const double *xy, int *label, size_t n)
{
    enum { K = SY_N_WIJKEN - SY_N_FOCUS };
    double c[2 * K];
    double phi = uniform(r, 0.0, 2.0 * SY_PI);
    c[0] = SY_CENTRE_X;
    c[1] = SY_CENTRE_Y;
    for (int j = 1; j < K; j++) {
        double th = phi + 2.0 * SY_PI * (double)(j - 1) / (double)(K - 1);
        double rad = 0.62 * sy_shape_radius(s, th);
        c[2 * j] = SY_CENTRE_X + rad * cos(th);
        c[2 * j + 1] = SY_CENTRE_Y + rad * sin(th);
    }
    for (int it = 0; it < KMEANS_ITER; it++) {
        double sx[K] = {0}, sy[K] = {0};
        int cnt[K] = {0};
        for (size_t i = 0; i < n; i++) {
            if (label[i] >= K)
                continue;
            int best = 0;
            double bd = DBL_MAX;
            for (int j = 0; j < K; j++) {
                double dx = xy[2 * i] - c[2 * j], dy = xy[2 * i + 1] - c[2 * j + 1];
                double d = dx * dx + dy * dy;
                if (d < bd) {
                    bd = d;
                    best = j;
                }
            }
            label[i] = best;
            sx[best] += xy[2 * i];
            sy[best] += xy[2 * i + 1];
            cnt[best]++;
        }
        /* The Centrum cluster keeps its centre so that it stays central. */
        for (int j = 1; j < K; j++) {
            if (cnt[j] > 0) {
                c[2 * j] = sx[j] / cnt[j];
                c[2 * j + 1] = sy[j] / cnt[j];
            }
        }
    }
}

static void draw_fine_seeds(gsl_rng *r, const sy_shape *s, double *xy, size_t cap, size_t *n)
{
    const double sp = SY_FINE_SPACING_M;
    double x0 = SY_CENTRE_X - 1.3 * s->a_m, x1 = SY_CENTRE_X + 1.3 * s->a_m;
    double y0_ = SY_CENTRE_Y - 1.3 * s->b_m, y1_ = SY_CENTRE_Y + 1.3 * s->b_m;
    *n = 0;
    for (double y = y1_; y >= y0_; y -= sp) {
        for (double x = x0; x <= x1; x += sp) {
            double px = x + uniform(r, -0.35, 0.35) * sp;
            double py = y + uniform(r, -0.35, 0.35) * sp;
            if (!in_shape(s, px, py, 1.0) || *n >= cap)
                continue;
            xy[2 * *n] = px;
            xy[2 * *n + 1] = py;
            (*n)++;
        }
    }
}

typedef struct wijk_order {
    int label;
    double angle;
} wijk_order;

static int cmp_wijk_order(const void *a, const void *b)
{
    const wijk_order *p = a, *q = b;
    if (p->label == 0 || q->label == 0)
        return (q->label == 0) - (p->label == 0);
    return (p->angle > q->angle) - (p->angle < q->angle);
}

static int cmp_buurt(const void *a, const void *b)
{
    const sy_buurt *p = a, *q = b;
    if (p->wijk != q->wijk)
        return p->wijk - q->wijk;
    if (p->seed_y != q->seed_y)
        return (p->seed_y < q->seed_y) - (p->seed_y > q->seed_y);
    return (p->seed_x > q->seed_x) - (p->seed_x < q->seed_x);
}

static sy_status centroid(sy_ctx *ctx, const GEOSGeometry *g, double *x, double *y)
{
    GEOSGeometry *c = GEOSGetCentroid_r(ctx->geos, g);
    if (!c || !GEOSGeomGetX_r(ctx->geos, c, x) || !GEOSGeomGetY_r(ctx->geos, c, y)) {
        GEOSGeom_destroy_r(ctx->geos, c);
        return sy_geos_fail(ctx, "centroid");
    }
    GEOSGeom_destroy_r(ctx->geos, c);
    return SY_OK;
}

/* One layout attempt; *ok = 0 when a quality rule fails (the caller retries with new draws). */
static sy_status try_layout(sy_ctx *ctx, sy_city *c, gsl_rng *r, int *ok, char *why,
                            size_t why_size)
{
    GEOSContextHandle_t h = ctx->geos;
    sy_status st = SY_OK;
    double bxy[2 * SY_N_BUURTEN];
    int label[SY_N_BUURTEN];
    GEOSGeometry *bgeom[SY_N_BUURTEN] = {NULL};
    GEOSGeometry *wgeom[SY_N_WIJKEN] = {NULL};
    GEOSGeometry *gem_boundary = NULL;
    size_t fine_cap = 4000;

    *ok = 0;
    draw_shape(r, &c->shape);
    c->outline = outline_polygon(ctx, &c->shape);
    if (!c->outline)
        return sy_geos_fail(ctx, "outline polygon");
    draw_buurt_seeds(r, c, bxy, label);
    kmeans(r, &c->shape, bxy, label, SY_N_BUURTEN);
    c->fine_xy = malloc(2 * fine_cap * sizeof(double));
    if (!c->fine_xy)
        return sy_fail(ctx, SY_ERR_NOMEM, "out of memory (fine seeds)");
    draw_fine_seeds(r, &c->shape, c->fine_xy, fine_cap, &c->n_fine);

    st = sy_partition(ctx, c->outline, bxy, SY_N_BUURTEN, c->fine_xy, c->n_fine, &c->atoms);
    if (st != SY_OK)
        return st;
    st = sy_dissolve(ctx, &c->atoms, c->atoms.buurt, SY_N_BUURTEN, bgeom);
    if (st != SY_OK)
        return st;
    int n_in_wijk[SY_N_WIJKEN] = {0};
    for (size_t b = 0; b < SY_N_BUURTEN; b++) {
        if (!bgeom[b] || GEOSGeomTypeId_r(h, bgeom[b]) != GEOS_POLYGON) {
            snprintf(why, why_size, "buurt seed %zu is empty or not one polygon", b);
            goto done;
        }
        n_in_wijk[label[b]]++;
    }
    for (int w = 0; w < SY_N_WIJKEN; w++) {
        GEOSGeometry *mine[SY_N_BUURTEN];
        size_t k = 0;
        for (size_t b = 0; b < SY_N_BUURTEN; b++)
            if (label[b] == w)
                mine[k++] = bgeom[b];
        if (k < 3) {
            snprintf(why, why_size, "wijk cluster %d has %zu buurten", w, k);
            goto done;
        }
        wgeom[w] = sy_union_of(ctx, mine, k);
        if (!wgeom[w]) {
            st = sy_geos_fail(ctx, "wijk union");
            goto done;
        }
        if (GEOSGeomTypeId_r(h, wgeom[w]) != GEOS_POLYGON) {
            snprintf(why, why_size, "wijk cluster %d is not contiguous", w);
            goto done;
        }
    }
    c->gemeente = sy_union_of(ctx, wgeom, SY_N_WIJKEN);
    gem_boundary = c->gemeente ? GEOSBoundary_r(h, c->gemeente) : NULL;
    if (!gem_boundary) {
        st = sy_geos_fail(ctx, "gemeente union");
        goto done;
    }
    if (GEOSGeomTypeId_r(h, c->gemeente) != GEOS_POLYGON) {
        snprintf(why, why_size, "gemeente is not one polygon");
        goto done;
    }
    double area_sum = 0.0, area_gem = 0.0, a = 0.0;
    for (size_t b = 0; b < SY_N_BUURTEN; b++) {
        GEOSArea_r(h, bgeom[b], &a);
        area_sum += a;
    }
    GEOSArea_r(h, c->gemeente, &area_gem);
    if (fabs(area_sum - area_gem) > 1e-9 * area_gem) {
        snprintf(why, why_size, "buurten do not partition the gemeente (%.3f vs %.3f m2)", area_sum,
                 area_gem);
        goto done;
    }
    /* Focus wijken: interior (rings inside the city) and well apart from each other. */
    for (int f = 0; f < SY_N_FOCUS; f++) {
        double d = 0.0;
        const GEOSGeometry *fg = wgeom[SY_N_WIJKEN - SY_N_FOCUS + f];
        if (!GEOSDistance_r(h, fg, gem_boundary, &d)) {
            st = sy_geos_fail(ctx, "focus edge distance");
            goto done;
        }
        if (d < FOCUS_EDGE_MIN_M) {
            snprintf(why, why_size, "focus wijk %d is %.0f m from the gemeente edge", f, d);
            goto done;
        }
        for (int g = f + 1; g < SY_N_FOCUS; g++) {
            if (!GEOSDistance_r(h, fg, wgeom[SY_N_WIJKEN - SY_N_FOCUS + g], &d)) {
                st = sy_geos_fail(ctx, "focus gap");
                goto done;
            }
            if (d < FOCUS_GAP_MIN_M) {
                snprintf(why, why_size, "focus wijken %d and %d are %.0f m apart", f, g, d);
                goto done;
            }
        }
    }

    /* Codes: WK..00 is the Centrum cluster; the others clockwise from north. */
    wijk_order ord[SY_N_WIJKEN];
    int label_to_wijk[SY_N_WIJKEN];
    for (int w = 0; w < SY_N_WIJKEN; w++) {
        double x = 0.0, y = 0.0;
        st = centroid(ctx, wgeom[w], &x, &y);
        if (st != SY_OK)
            goto done;
        double ang = atan2(x - SY_CENTRE_X, y - SY_CENTRE_Y);
        ord[w].label = w;
        ord[w].angle = ang < 0.0 ? ang + 2.0 * SY_PI : ang;
    }
    qsort(ord, SY_N_WIJKEN, sizeof(ord[0]), cmp_wijk_order);
    for (int i = 0; i < SY_N_WIJKEN; i++) {
        sy_wijk *wk = &c->wijken[i];
        int l = ord[i].label;
        label_to_wijk[l] = i;
        wk->label = l;
        wk->geom = wgeom[l];
        wgeom[l] = NULL;
        wk->n_buurten = n_in_wijk[l];
        wk->focus = l >= SY_N_WIJKEN - SY_N_FOCUS;
        snprintf(wk->code, sizeof(wk->code), "WK9901%02d", i);
        snprintf(wk->name, sizeof(wk->name), "%s", sy_wijk_name((size_t)i));
        st = centroid(ctx, wk->geom, &wk->cx, &wk->cy);
        if (st != SY_OK)
            goto done;
    }
    for (int f = 0, k = 0; f < SY_N_WIJKEN; f++)
        if (c->wijken[f].focus)
            c->focus[k++] = f;
    /* The focus centres follow the wijk order too. */
    double fx[SY_N_FOCUS], fy[SY_N_FOCUS];
    for (int f = 0; f < SY_N_FOCUS; f++) {
        int l = c->wijken[c->focus[f]].label - (SY_N_WIJKEN - SY_N_FOCUS);
        fx[f] = c->focus_x[l];
        fy[f] = c->focus_y[l];
    }
    memcpy(c->focus_x, fx, sizeof(fx));
    memcpy(c->focus_y, fy, sizeof(fy));

    for (size_t b = 0; b < SY_N_BUURTEN; b++) {
        sy_buurt *bu = &c->buurten[b];
        bu->orig = b;
        bu->wijk = label_to_wijk[label[b]];
        bu->seed_x = bxy[2 * b];
        bu->seed_y = bxy[2 * b + 1];
        bu->geom = bgeom[b];
        bgeom[b] = NULL;
    }
    c->n_buurten = SY_N_BUURTEN;
    qsort(c->buurten, SY_N_BUURTEN, sizeof(c->buurten[0]), cmp_buurt);
    int orig_to_new[SY_N_BUURTEN];
    int seq[SY_N_WIJKEN] = {0};
    for (size_t b = 0; b < SY_N_BUURTEN; b++) {
        sy_buurt *bu = &c->buurten[b];
        orig_to_new[bu->orig] = (int)b;
        snprintf(bu->code, sizeof(bu->code), "BU9901%02d%02d", bu->wijk, ++seq[bu->wijk]);
        GEOSArea_r(h, bu->geom, &bu->area_m2);
        st = centroid(ctx, bu->geom, &bu->cx, &bu->cy);
        if (st != SY_OK)
            goto done;
    }
    for (size_t i = 0; i < c->atoms.n; i++)
        c->atoms.buurt[i] = orig_to_new[c->atoms.buurt[i]];
    *ok = 1;
done:
    GEOSGeom_destroy_r(h, gem_boundary);
    for (size_t b = 0; b < SY_N_BUURTEN; b++)
        GEOSGeom_destroy_r(h, bgeom[b]);
    for (int w = 0; w < SY_N_WIJKEN; w++)
        GEOSGeom_destroy_r(h, wgeom[w]);
    return st;
}

/* PC4 centres by best-candidate sampling, numbered outwards from the centre (9901 central);
 * each fine cell goes to the nearest centre. */
static void draw_pc4(gsl_rng *r, sy_city *c)
{
    double xy[2 * SY_N_PC4];
    size_t n = 0;
    double xmin = SY_CENTRE_X - 1.3 * c->shape.a_m, xmax = SY_CENTRE_X + 1.3 * c->shape.a_m;
    double ymin = SY_CENTRE_Y - 1.3 * c->shape.b_m, ymax = SY_CENTRE_Y + 1.3 * c->shape.b_m;
    while (n < SY_N_PC4) {
        double bx = 0.0, by = 0.0, bd = -1.0;
        for (int k = 0; k < 30; k++) {
            double x = uniform(r, xmin, xmax), y = uniform(r, ymin, ymax);
            if (!in_shape(&c->shape, x, y, 0.85)) {
                k--;
                continue;
            }
            double d = n ? min_dist2(xy, n, x, y) : DBL_MAX - 1.0;
            if (d > bd) {
                bd = d;
                bx = x;
                by = y;
            }
        }
        xy[2 * n] = bx;
        xy[2 * n + 1] = by;
        n++;
    }
    /* Selection sort by distance from the centre (14 items). */
    for (size_t i = 0; i < n; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < n; j++)
            if (hypot(xy[2 * j] - SY_CENTRE_X, xy[2 * j + 1] - SY_CENTRE_Y) <
                hypot(xy[2 * best] - SY_CENTRE_X, xy[2 * best + 1] - SY_CENTRE_Y))
                best = j;
        double tx = xy[2 * i], ty = xy[2 * i + 1];
        xy[2 * i] = xy[2 * best];
        xy[2 * i + 1] = xy[2 * best + 1];
        xy[2 * best] = tx;
        xy[2 * best + 1] = ty;
        c->pc4[i].x = xy[2 * i];
        c->pc4[i].y = xy[2 * i + 1];
        snprintf(c->pc4[i].code, sizeof(c->pc4[i].code), "%d", 9901 + (int)i);
    }
}

sy_status sy_layout_build(sy_ctx *ctx, sy_city *city)
{
    char why[256] = "";
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        gsl_rng *r = sy_rng_new(ctx, SY_STREAM_LAYOUT, (unsigned long)attempt);
        if (!r)
            return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
        int ok = 0;
        sy_status st = try_layout(ctx, city, r, &ok, why, sizeof(why));
        if (st == SY_OK && ok) {
            draw_pc4(r, city);
            gsl_rng_free(r);
            city->layout_attempt = attempt;
            city->fine_pc4 = calloc(city->n_fine, sizeof(int));
            if (!city->fine_pc4)
                return sy_fail(ctx, SY_ERR_NOMEM, "out of memory (fine cells)");
            for (size_t i = 0; i < city->n_fine; i++) {
                double bd = DBL_MAX;
                for (int p = 0; p < SY_N_PC4; p++) {
                    double d = hypot(city->fine_xy[2 * i] - city->pc4[p].x,
                                     city->fine_xy[2 * i + 1] - city->pc4[p].y);
                    if (d < bd) {
                        bd = d;
                        city->fine_pc4[i] = p;
                    }
                }
            }
            return SY_OK;
        }
        gsl_rng_free(r);
        sy_city_free(ctx, city);
        memset(city, 0, sizeof(*city));
        if (st != SY_OK)
            return st;
    }
    return sy_fail(ctx, SY_ERR_GEOM, "no acceptable city layout in %d attempts (last: %s)",
                   MAX_ATTEMPTS, why);
}

typedef struct pc6_order {
    size_t fine;
    int pc4;
    double x, y;
} pc6_order;

static int cmp_pc6(const void *a, const void *b)
{
    const pc6_order *p = a, *q = b;
    if (p->pc4 != q->pc4)
        return p->pc4 - q->pc4;
    if (p->y != q->y)
        return (p->y < q->y) - (p->y > q->y);
    return (p->x > q->x) - (p->x < q->x);
}

/* PostNL never uses the letter pairs SA, SD and SS. */
static void pc6_letters(int k, char out[3])
{
    int skipped = 0;
    for (int i = 0;; i++) {
        char a = (char)('A' + i / 26), b = (char)('A' + i % 26);
        if (a == 'S' && (b == 'A' || b == 'D' || b == 'S'))
            continue;
        if (skipped++ == k) {
            out[0] = a;
            out[1] = b;
            out[2] = '\0';
            return;
        }
    }
}

sy_status sy_postcodes_build(sy_ctx *ctx, sy_city *c)
{
    sy_status st = SY_OK;
    int *group = malloc((c->atoms.n ? c->atoms.n : 1) * sizeof(int));
    GEOSGeometry **cells = calloc(c->n_fine, sizeof(*cells));
    GEOSGeometry *pc4g[SY_N_PC4] = {NULL};
    pc6_order *ord = calloc(c->n_fine, sizeof(*ord));
    if (!group || !cells || !ord) {
        st = sy_fail(ctx, SY_ERR_NOMEM, "out of memory (postcodes)");
        goto done;
    }
    for (size_t i = 0; i < c->atoms.n; i++)
        group[i] = c->fine_pc4[c->atoms.fine[i]];
    st = sy_dissolve(ctx, &c->atoms, group, SY_N_PC4, pc4g);
    if (st != SY_OK)
        goto done;
    for (int p = 0; p < SY_N_PC4; p++) {
        if (!pc4g[p]) {
            st = sy_fail(ctx, SY_ERR_GEOM, "PC4 %s received no area", c->pc4[p].code);
            goto done;
        }
        c->pc4[p].geom = pc4g[p];
        pc4g[p] = NULL;
    }
    /* PC6 covers the populated area: everything except the park buurt. */
    for (size_t i = 0; i < c->atoms.n; i++)
        group[i] = c->buurten[c->atoms.buurt[i]].kind == SY_KIND_PARK ? -1 : c->atoms.fine[i];
    st = sy_dissolve(ctx, &c->atoms, group, c->n_fine, cells);
    if (st != SY_OK)
        goto done;
    size_t n = 0;
    for (size_t i = 0; i < c->n_fine; i++) {
        if (!cells[i])
            continue;
        ord[n].fine = i;
        ord[n].pc4 = c->fine_pc4[i];
        ord[n].x = c->fine_xy[2 * i];
        ord[n].y = c->fine_xy[2 * i + 1];
        n++;
    }
    qsort(ord, n, sizeof(*ord), cmp_pc6);
    c->pc6 = calloc(n ? n : 1, sizeof(*c->pc6));
    if (!c->pc6) {
        st = sy_fail(ctx, SY_ERR_NOMEM, "out of memory (pc6)");
        goto done;
    }
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && ord[i].pc4 != ord[i - 1].pc4)
            k = 0;
        if (k >= 26 * 26 - 3) {
            st = sy_fail(ctx, SY_ERR_DATA, "PC4 %s has too many PC6", c->pc4[ord[i].pc4].code);
            goto done;
        }
        char letters[3];
        pc6_letters(k++, letters);
        sy_pc6 *p6 = &c->pc6[c->n_pc6++];
        p6->pc4 = ord[i].pc4;
        snprintf(p6->code, sizeof(p6->code), "%s%s", c->pc4[ord[i].pc4].code, letters);
        p6->geom = cells[ord[i].fine];
        cells[ord[i].fine] = NULL;
    }
done:
    for (int p = 0; p < SY_N_PC4; p++)
        GEOSGeom_destroy_r(ctx->geos, pc4g[p]);
    if (cells)
        for (size_t i = 0; i < c->n_fine; i++)
            GEOSGeom_destroy_r(ctx->geos, cells[i]);
    free(cells);
    free(ord);
    free(group);
    return st;
}
