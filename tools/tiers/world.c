/* SPDX-License-Identifier: MIT */
/* The world of a tier: towns, buurt and PC4 seeds and polygons, the inhabited 100 m squares
 * (which give the buurten their inhabitants and dwellings), CBS-like attributes with the CBS
 * secrecy sentinel, and amenity and incident points placed where people live. */
#include "tiers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

const char *const tr_amenity_cats[TR_N_AMENITY_CATS] = {
    "supermarket", "huisarts", "basisschool", "kinderopvang", "bibliotheek",
    "sport",       "station",  "apotheek",    "restaurant",   "cafe"};
static const double amenity_share[TR_N_AMENITY_CATS] = {0.12, 0.10, 0.12, 0.14, 0.03,
                                                        0.12, 0.01, 0.06, 0.20, 0.10};
const char *const tr_inc_types[TR_N_INC_TYPES] = {"inbraak", "geweld", "vernieling", "overlast"};
static const double incident_share[TR_N_INC_TYPES] = {0.30, 0.20, 0.25, 0.25};

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* Seeds drawn from the towns (a share p_town of them) and uniformly over the land, then ghost
 * seeds on a jittered lattice over sea and abroad. */
static tr_status make_seeds(tr_ctx *ctx, const tr_towns *tw, int n, double p_town, tr_stream stream,
                            tr_seeds *s)
{
    const tr_tier *t = ctx->tier;
    gsl_rng *r = tr_rng_new(ctx, stream, 0);
    double *mass = malloc((size_t)(tw->n ? tw->n : 1) * sizeof(double));
    if (!r || !mass) {
        gsl_rng_free(r);
        free(mass);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (seeds)");
    }
    double total = 0;
    for (int k = 0; k < tw->n; k++)
        total += mass[k] = tw->w[k] * tw->sd[k] * tw->sd[k];
    double w = t->xmax - t->xmin, h = t->ymax - t->ymin;
    tr_status st = TR_OK;
    for (int i = 0; i < n && st == TR_OK; i++) {
        double x, y;
        do {
            if (tw->n && gsl_rng_uniform(r) < p_town) {
                double u = gsl_rng_uniform(r) * total;
                int k = 0;
                while (k < tw->n - 1 && u >= mass[k])
                    u -= mass[k++];
                x = tw->x[k] + tw->sd[k] * gsl_ran_ugaussian(r);
                y = tw->y[k] + tw->sd[k] * gsl_ran_ugaussian(r);
            } else {
                x = t->xmin + w * gsl_rng_uniform(r);
                y = t->ymin + h * gsl_rng_uniform(r);
            }
        } while (!tr_is_land(t, x, y));
        st = tr_seeds_push(ctx, s, x, y);
    }
    s->n_keep = s->n;
    gsl_rng_free(r);
    free(mass);
    if (st != TR_OK || !t->national)
        return st;
    gsl_rng *g = tr_rng_new(ctx, TR_STREAM_GHOSTS, (uint64_t)stream);
    if (!g)
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (seeds)");
    double sp = t->ghost_m;
    for (double y = t->ymin + 0.5 * sp; y < t->ymax && st == TR_OK; y += sp)
        for (double x = t->xmin + 0.5 * sp; x < t->xmax && st == TR_OK; x += sp) {
            double gx = x + sp * 0.7 * (gsl_rng_uniform(g) - 0.5);
            double gy = y + sp * 0.7 * (gsl_rng_uniform(g) - 0.5);
            if (!tr_is_land(t, gx, gy))
                st = tr_seeds_push(ctx, s, gx, gy);
        }
    gsl_rng_free(g);
    return st;
}

/* Urban intensity on the 100 m grid, bilinear from a 500 m lattice (the towns are kilometres
 * wide, so nothing is lost). */
static tr_status urban_grid(tr_ctx *ctx, tr_world *w)
{
    const tr_tier *t = ctx->tier;
    const double sp = 500.0;
    int lx = (int)ceil((t->xmax - t->xmin) / sp) + 2, ly = (int)ceil((t->ymax - t->ymin) / sp) + 2;
    double *lat = malloc((size_t)lx * (size_t)ly * sizeof(double));
    w->urban = malloc((size_t)w->nx * (size_t)w->ny * sizeof(float));
    w->land = malloc((size_t)w->nx * (size_t)w->ny);
    if (!lat || !w->urban || !w->land) {
        free(lat);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (urban intensity)");
    }
    for (int j = 0; j < ly; j++)
        for (int i = 0; i < lx; i++)
            lat[(size_t)j * lx + i] = tr_towns_eval(&w->towns, t->xmin + i * sp, t->ymin + j * sp);
    for (int row = 0; row < w->ny; row++) {
        double y = t->ymax - (row + 0.5) * TR_CELL_M;
        double fy = (y - t->ymin) / sp;
        int j = (int)fy;
        double v = fy - j;
        for (int col = 0; col < w->nx; col++) {
            double fx = (col + 0.5) * TR_CELL_M / sp;
            int i = (int)fx;
            double u = fx - i;
            const double *p = lat + (size_t)j * lx + i;
            double val =
                (1 - v) * ((1 - u) * p[0] + u * p[1]) + v * ((1 - u) * p[lx] + u * p[lx + 1]);
            w->urban[(size_t)row * w->nx + col] = (float)val;
            w->land[(size_t)row * w->nx + col] =
                (unsigned char)tr_is_land(t, t->xmin + (col + 0.5) * TR_CELL_M, y);
        }
    }
    free(lat);
    return TR_OK;
}

/* Occupancy o = min(0.95, a·urban + b): b gives the countryside a quarter of the squares, a is
 * found by bisection so that the expected number of inhabited squares meets the tier's target. */
static double expected_squares(const tr_world *w, const uint32_t *owner, double a, double b)
{
    size_t n = (size_t)w->nx * (size_t)w->ny;
    double s = 0;
    for (size_t c = 0; c < n; c++)
        if (owner[c] != UINT32_MAX) {
            double o = a * w->urban[c] + b;
            s += o > 0.95 ? 0.95 : o;
        }
    return s;
}

static double occupancy_scale(const tr_world *w, const uint32_t *owner, double b, double target)
{
    double lo = 0, hi = 1;
    for (int it = 0; it < 60 && expected_squares(w, owner, hi, b) < target; it++) {
        lo = hi;
        hi *= 2;
    }
    for (int it = 0; it < 60 && hi - lo > 1e-9 * hi; it++) {
        double a = 0.5 * (lo + hi);
        if (expected_squares(w, owner, a, b) < target)
            lo = a;
        else
            hi = a;
    }
    return hi;
}

static tr_status squares(tr_ctx *ctx, tr_world *w)
{
    const tr_tier *t = ctx->tier;
    size_t n = (size_t)w->nx * (size_t)w->ny;
    uint32_t *owner = malloc(n * sizeof(uint32_t));
    if (!owner)
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (grid owners)");
    size_t n_land = 0;
    for (int row = 0; row < w->ny; row++) {
        double y = t->ymax - (row + 0.5) * TR_CELL_M;
        for (int col = 0; col < w->nx; col++) {
            double x = t->xmin + (col + 0.5) * TR_CELL_M;
            size_t s = tr_bucket_nearest(&w->bbucket, x, y);
            size_t c = (size_t)row * w->nx + col;
            owner[c] = s < w->bseeds.n_keep ? (uint32_t)s : UINT32_MAX;
            n_land += owner[c] != UINT32_MAX;
        }
    }
    double target = (double)t->n_cells;
    if (target > 0.9 * (double)n_land)
        target = 0.9 * (double)n_land;
    double b = 0.25 * target / (double)n_land;
    double a = occupancy_scale(w, owner, b, target);
    gsl_rng *r = tr_rng_new(ctx, TR_STREAM_CELLS, 0);
    size_t cap = (size_t)(target * 1.1) + 1024;
    w->sq = malloc(cap * sizeof(tr_square));
    if (!r || !w->sq) {
        gsl_rng_free(r);
        free(owner);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (squares)");
    }
    tr_status st = TR_OK;
    for (size_t c = 0; c < n && st == TR_OK; c++) {
        if (owner[c] == UINT32_MAX)
            continue;
        double u = w->urban[c];
        double o = a * u + b;
        o = o > 0.95 ? 0.95 : o;
        /* Draw every land square's numbers so that the stream does not depend on the outcome. */
        double pick = gsl_rng_uniform(r), z = gsl_ran_ugaussian(r), dz = gsl_ran_ugaussian(r);
        if (pick >= o)
            continue;
        if (w->n_sq == cap) {
            cap *= 2;
            tr_square *p = realloc(w->sq, cap * sizeof(*p));
            if (!p) {
                st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (squares)");
                break;
            }
            w->sq = p;
        }
        tr_square *q = &w->sq[w->n_sq++];
        double uc = u > 2.0 ? 2.0 : u;
        double inw = 5.0 + exp(log(4.0 + 19.0 * uc) + 0.8 * z);
        inw = inw > 2500 ? 2500 : inw;
        double hh_size = 2.6 - 0.35 * (u > 1.0 ? 1.0 : u);
        q->cell = (uint32_t)c;
        q->buurt = owner[c];
        int row = (int)(c / (size_t)w->nx), col = (int)(c % (size_t)w->nx);
        size_t p4 = tr_bucket_nearest(&w->pbucket, t->xmin + (col + 0.5) * TR_CELL_M,
                                      t->ymax - (row + 0.5) * TR_CELL_M);
        q->pc4 = p4 < w->pseeds.n_keep ? (uint32_t)p4 : UINT32_MAX;
        q->inw[0] = (int)lround(inw);
        q->inw[1] = (int)lround(inw * exp(0.01 + 0.06 * dz));
        for (int y = 0; y < TR_N_YEARS; y++) {
            q->won[y] = (int)lround(q->inw[y] / hh_size);
            q->won[y] = q->won[y] < 1 ? 1 : q->won[y];
        }
    }
    gsl_rng_free(r);
    free(owner);
    return st;
}

static double ring_area(const tr_rings *r, size_t p)
{
    const double *xy = r->xy + 2 * r->off[p];
    size_t n = r->off[p + 1] - r->off[p];
    double ox = xy[0], oy = xy[1], s = 0;
    for (size_t i = 0; i + 1 < n; i++)
        s += (xy[2 * i] - ox) * (xy[2 * i + 3] - oy) - (xy[2 * i + 2] - ox) * (xy[2 * i + 1] - oy);
    return fabs(0.5 * s);
}

/* Gemeenten: nearest of n_gemeenten buurten picked at random; wijken: within each gemeente,
 * nearest of about one in eight of its buurten. Codes follow CBS: GMgggg, WKggggww, BUggggwwbb. */
static tr_status admin(tr_ctx *ctx, tr_world *w)
{
    const tr_tier *t = ctx->tier;
    size_t nb = w->bseeds.n_keep;
    int ng = t->n_gemeenten < 1 ? 1 : t->n_gemeenten;
    const double *s = w->bseeds.xy;
    gsl_rng *r = tr_rng_new(ctx, TR_STREAM_ADMIN, 0);
    size_t *perm = malloc(nb * sizeof(size_t));
    int *is_centre = calloc(nb, sizeof(int));
    int *n_wk = calloc((size_t)ng, sizeof(int));
    int *n_bu = NULL;
    if (!r || !perm || !is_centre || !n_wk) {
        gsl_rng_free(r);
        free(perm);
        free(is_centre);
        free(n_wk);
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (admin)");
    }
    for (size_t i = 0; i < nb; i++)
        perm[i] = i;
    gsl_ran_shuffle(r, perm, nb, sizeof(size_t));
    tr_seeds gs = {0};
    tr_status st = TR_OK;
    for (int g = 0; g < ng && st == TR_OK; g++)
        st = tr_seeds_push(ctx, &gs, s[2 * perm[g]], s[2 * perm[g] + 1]);
    gs.n_keep = gs.n;
    tr_bucket gb = {0};
    if (st == TR_OK)
        st = tr_bucket_build(ctx, &gs, t->xmin, t->ymin, t->xmax, t->ymax, &gb);
    for (size_t i = 0; i < nb && st == TR_OK; i++)
        w->buurten[i].gemeente = (int)tr_bucket_nearest(&gb, s[2 * i], s[2 * i + 1]);
    /* Wijk centres: the gemeente's own centre buurt plus one in eight of the others. */
    for (int g = 0; g < ng && st == TR_OK; g++)
        is_centre[perm[g]] = 1;
    for (size_t i = 0; i < nb; i++) {
        double u = gsl_rng_uniform(r);
        if (!is_centre[i] && u < 0.125)
            is_centre[i] = 1;
    }
    /* Per gemeente, list its wijk centres (ascending buurt index), then assign. */
    size_t *cstart = calloc((size_t)ng + 1, sizeof(size_t));
    size_t *clist = malloc(nb * sizeof(size_t));
    if (!cstart || !clist) {
        st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (admin)");
    } else {
        for (size_t i = 0; i < nb; i++)
            if (is_centre[i])
                cstart[w->buurten[i].gemeente + 1]++;
        for (int g = 0; g < ng; g++)
            cstart[g + 1] += cstart[g];
        size_t *fill = calloc((size_t)ng, sizeof(size_t));
        if (!fill) {
            st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (admin)");
        } else {
            for (size_t i = 0; i < nb; i++)
                if (is_centre[i]) {
                    int g = w->buurten[i].gemeente;
                    clist[cstart[g] + fill[g]++] = i;
                }
            free(fill);
        }
    }
    for (size_t i = 0; i < nb && st == TR_OK; i++) {
        int g = w->buurten[i].gemeente;
        double bd = INFINITY;
        int best = 0;
        for (size_t q = cstart[g]; q < cstart[g + 1]; q++) {
            size_t c = clist[q];
            double dx = s[2 * c] - s[2 * i], dy = s[2 * c + 1] - s[2 * i + 1],
                   d = dx * dx + dy * dy;
            if (d < bd) {
                bd = d;
                best = (int)(q - cstart[g]);
            }
        }
        w->buurten[i].wijk = best;
    }
    if (st == TR_OK) {
        size_t nwk_total = cstart[ng];
        n_bu = calloc(nwk_total ? nwk_total : 1, sizeof(int));
        if (!n_bu)
            st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (admin)");
    }
    for (size_t i = 0; i < nb && st == TR_OK; i++) {
        tr_buurt *bu = &w->buurten[i];
        int g = bu->gemeente;
        int wk = bu->wijk;
        int k = n_bu[cstart[g] + (size_t)wk]++;
        snprintf(bu->gm_code, sizeof(bu->gm_code), "GM%04d", g + 1);
        snprintf(bu->gm_name, sizeof(bu->gm_name), "Gemeente %04d", g + 1);
        snprintf(bu->wk_code, sizeof(bu->wk_code), "WK%04d%02d", g + 1, wk);
        snprintf(bu->code, sizeof(bu->code), "BU%04d%02d%02d", g + 1, wk, k);
        snprintf(bu->name, sizeof(bu->name), "Buurt %d-%d-%d", g + 1, wk, k);
    }
    (void)n_wk;
    free(n_bu);
    free(cstart);
    free(clist);
    tr_bucket_free(&gb);
    tr_seeds_free(&gs);
    gsl_rng_free(r);
    free(perm);
    free(is_centre);
    free(n_wk);
    return st;
}

/* CBS-like fields from the squares and the urban intensity; a buurt with fewer than 50
 * inhabitants gets the secrecy sentinel for its rates and WOZ, as CBS publishes them. */
static tr_status attributes(tr_ctx *ctx, tr_world *w)
{
    size_t nb = w->bseeds.n_keep;
    for (size_t q = 0; q < w->n_sq; q++) {
        tr_buurt *bu = &w->buurten[w->sq[q].buurt];
        for (int y = 0; y < TR_N_YEARS; y++) {
            bu->inw[y] += w->sq[q].inw[y];
            bu->won[y] += w->sq[q].won[y];
        }
        if (w->sq[q].pc4 != UINT32_MAX)
            w->pc4_inw[w->sq[q].pc4] += w->sq[q].inw[0];
    }
    for (size_t i = 0; i < nb; i++) {
        tr_buurt *bu = &w->buurten[i];
        gsl_rng *r = tr_rng_new(ctx, TR_STREAM_ATTRS, i);
        if (!r)
            return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (attributes)");
        double u = clampd(bu->urban, 0.0, 1.5);
        double koop = clampd(62 - 22 * u + 10 * gsl_ran_ugaussian(r), 2, 98);
        double corp = clampd(18 + 18 * u + 8 * gsl_ran_ugaussian(r), 0, 100 - koop);
        double eenp = clampd(28 + 16 * u + 6 * gsl_ran_ugaussian(r), 5, 90);
        double hhmk = clampd(34 - 8 * u + 6 * gsl_ran_ugaussian(r), 2, 70);
        double p65 = clampd(21 - 4 * u + 5 * gsl_ran_ugaussian(r), 1, 60);
        double woz = clampd(290 + 40 * u + 70 * gsl_ran_ugaussian(r), 90, 1500);
        for (int y = 0; y < TR_N_YEARS; y++) {
            double hh_size = bu->won[y] > 0 ? (double)bu->inw[y] / (double)bu->won[y] : 0;
            bu->hh[y] = hh_size > 0 ? lround(bu->inw[y] / (hh_size * 1.04)) : 0;
            double dk = y ? 0.8 * gsl_ran_ugaussian(r) : 0, dc = y ? 0.8 * gsl_ran_ugaussian(r) : 0;
            double dwoz = y ? 1.22 * exp(0.04 * gsl_ran_ugaussian(r)) : 1.0;
            if (bu->inw[y] < 50) {
                bu->woz[y] = bu->p_koop[y] = bu->p_corp[y] = TR_SENT_SECRET;
                bu->p_eenp[y] = bu->p_hhmk[y] = bu->p_65[y] = TR_SENT_SECRET;
                continue;
            }
            bu->p_koop[y] = round(10 * clampd(koop + dk, 0, 100)) / 10;
            bu->p_corp[y] = round(10 * clampd(corp + dc, 0, 100 - bu->p_koop[y])) / 10;
            bu->p_eenp[y] = round(10 * eenp) / 10;
            bu->p_hhmk[y] = round(10 * hhmk) / 10;
            bu->p_65[y] = round(10 * p65) / 10;
            bu->woz[y] = round(woz * dwoz);
        }
        gsl_rng_free(r);
    }
    return TR_OK;
}

static tr_status points_push(tr_ctx *ctx, tr_points *p, double x, double y, int cat)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4096;
        tr_point *v = realloc(p->v, cap * sizeof(*v));
        if (!v)
            return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (points)");
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = (tr_point){x, y, cat};
    return TR_OK;
}

static int draw_cat(gsl_rng *r, const double *share, int n)
{
    double u = gsl_rng_uniform(r);
    for (int k = 0; k < n - 1; k++) {
        if (u < share[k])
            return k;
        u -= share[k];
    }
    return n - 1;
}

/* A point in a square drawn with probability proportional to its inhabitants in year y. */
static void draw_place(const tr_tier *t, const tr_world *w, const double *cum, gsl_rng *r,
                       double *x, double *y)
{
    double u = gsl_rng_uniform(r) * cum[w->n_sq - 1];
    size_t lo = 0, hi = w->n_sq - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    uint32_t c = w->sq[lo].cell;
    int row = (int)(c / (uint32_t)w->nx), col = (int)(c % (uint32_t)w->nx);
    double fx = gsl_rng_uniform(r), fy = gsl_rng_uniform(r);
    /* On the 1 cm lattice, like surveyed addresses. */
    *x = round((t->xmin + (col + fx) * TR_CELL_M) * 100.0) / 100.0;
    *y = round((t->ymax - (row + fy) * TR_CELL_M) * 100.0) / 100.0;
}

static tr_status points(tr_ctx *ctx, tr_world *w)
{
    const tr_tier *t = ctx->tier;
    if (w->n_sq == 0)
        return tr_fail(ctx, TR_ERR_ARG, "tier %s has no inhabited squares", t->name);
    double *cum = malloc(w->n_sq * sizeof(double));
    if (!cum)
        return tr_fail(ctx, TR_ERR_NOMEM, "out of memory (points)");
    tr_status st = TR_OK;
    for (int y = 0; y < TR_N_YEARS && st == TR_OK; y++) {
        double s = 0;
        for (size_t q = 0; q < w->n_sq; q++)
            cum[q] = s += w->sq[q].inw[y];
        gsl_rng *ra = tr_rng_new(ctx, TR_STREAM_AMENITIES, (uint64_t)y);
        gsl_rng *ri = tr_rng_new(ctx, TR_STREAM_INCIDENTS, (uint64_t)y);
        if (!ra || !ri) {
            gsl_rng_free(ra);
            gsl_rng_free(ri);
            st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (points)");
            break;
        }
        double px, py;
        if (y == 0) {
            for (long i = 0; i < t->n_amenities && st == TR_OK; i++) {
                int cat = draw_cat(ra, amenity_share, TR_N_AMENITY_CATS);
                draw_place(t, w, cum, ra, &px, &py);
                st = points_push(ctx, &w->amenities[0], px, py, cat);
            }
        } else {
            /* Most amenities stay; some close, a few more open. */
            for (size_t i = 0; i < w->amenities[0].n && st == TR_OK; i++)
                if (gsl_rng_uniform(ra) >= 0.05)
                    st = points_push(ctx, &w->amenities[1], w->amenities[0].v[i].x,
                                     w->amenities[0].v[i].y, w->amenities[0].v[i].cat);
            long n_new = (long)(0.07 * (double)t->n_amenities);
            for (long i = 0; i < n_new && st == TR_OK; i++) {
                int cat = draw_cat(ra, amenity_share, TR_N_AMENITY_CATS);
                draw_place(t, w, cum, ra, &px, &py);
                st = points_push(ctx, &w->amenities[1], px, py, cat);
            }
        }
        long n_inc = (long)((double)t->n_incidents * (y ? 0.96 : 1.0));
        for (long i = 0; i < n_inc && st == TR_OK; i++) {
            int cat = draw_cat(ri, incident_share, TR_N_INC_TYPES);
            draw_place(t, w, cum, ri, &px, &py);
            st = points_push(ctx, &w->incidents[y], px, py, cat);
        }
        gsl_rng_free(ra);
        gsl_rng_free(ri);
    }
    free(cum);
    return st;
}

tr_status tr_world_build(tr_ctx *ctx, tr_world *w)
{
    const tr_tier *t = ctx->tier;
    memset(w, 0, sizeof(*w));
    w->nx = (int)lround((t->xmax - t->xmin) / TR_CELL_M);
    w->ny = (int)lround((t->ymax - t->ymin) / TR_CELL_M);
    tr_status st = tr_towns_build(ctx, &w->towns);
    if (st == TR_OK)
        st = urban_grid(ctx, w);
    if (st == TR_OK)
        st = make_seeds(ctx, &w->towns, t->n_buurten, 0.75, TR_STREAM_BUURT_SEEDS, &w->bseeds);
    if (st == TR_OK)
        st = make_seeds(ctx, &w->towns, t->n_pc4, 0.6, TR_STREAM_PC4_SEEDS, &w->pseeds);
    if (st == TR_OK)
        st = tr_bucket_build(ctx, &w->bseeds, t->xmin, t->ymin, t->xmax, t->ymax, &w->bbucket);
    if (st == TR_OK)
        st = tr_bucket_build(ctx, &w->pseeds, t->xmin, t->ymin, t->xmax, t->ymax, &w->pbucket);
    if (st == TR_OK)
        st = tr_tessellate(ctx, &w->bseeds, &w->bbucket, 1, &w->buurt_rings);
    if (st == TR_OK)
        st = tr_tessellate(ctx, &w->pseeds, &w->pbucket, 2, &w->pc4_rings);
    if (st == TR_OK) {
        w->buurten = calloc(w->bseeds.n_keep, sizeof(tr_buurt));
        w->pc4_inw = calloc(w->pseeds.n_keep ? w->pseeds.n_keep : 1, sizeof(long));
        if (!w->buurten || !w->pc4_inw)
            st = tr_fail(ctx, TR_ERR_NOMEM, "out of memory (buurten)");
    }
    for (size_t i = 0; st == TR_OK && i < w->bseeds.n_keep; i++) {
        w->buurten[i].area_m2 = ring_area(&w->buurt_rings, i);
        w->buurten[i].urban =
            tr_towns_eval(&w->towns, w->bseeds.xy[2 * i], w->bseeds.xy[2 * i + 1]);
    }
    if (st == TR_OK)
        st = squares(ctx, w);
    if (st == TR_OK)
        st = admin(ctx, w);
    if (st == TR_OK)
        st = attributes(ctx, w);
    if (st == TR_OK)
        st = points(ctx, w);
    return st;
}

void tr_world_free(tr_world *w)
{
    tr_towns_free(&w->towns);
    free(w->urban);
    free(w->land);
    tr_bucket_free(&w->bbucket);
    tr_bucket_free(&w->pbucket);
    tr_seeds_free(&w->bseeds);
    tr_seeds_free(&w->pseeds);
    tr_rings_free(&w->buurt_rings);
    tr_rings_free(&w->pc4_rings);
    free(w->buurten);
    free(w->pc4_inw);
    free(w->sq);
    for (int y = 0; y < TR_N_YEARS; y++) {
        free(w->amenities[y].v);
        free(w->incidents[y].v);
    }
    memset(w, 0, sizeof(*w));
}
