/* SPDX-License-Identifier: MIT */
/* Placebo-in-space: pseudo focus areas grown from candidate units of similar population and
 * baseline score, away from the real focus areas; the same zones and the same DiD around each;
 * p-values from the rank of the observed DiD among the placebo DiDs. */
#include "wb.h"

#include "../core/ctx.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned long wb_seed_mix(unsigned long seed, const char *key, unsigned long salt)
{
    /* FNV-1a over the key, then the splitmix64 finaliser over seed, key and salt */
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)(key ? key : ""); *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL ^ h ^ ((uint64_t)salt << 32);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    /* mt19937 takes 32 bits of seed; 0 would select GSL's default seed */
    unsigned long s = (unsigned long)(z & 0xFFFFFFFFULL);
    return s ? s : 1;
}

unsigned long wb_placebo_seed(unsigned long seed, const char *focus_id, int t0, int t1, size_t k,
                              unsigned long salt)
{
    char key[512];
    if (k == (size_t)-1)
        snprintf(key, sizeof(key), "%s|%d-%d", focus_id ? focus_id : "", t0, t1);
    else
        snprintf(key, sizeof(key), "%s|%d-%d|%zu", focus_id ? focus_id : "", t0, t1, k);
    return wb_seed_mix(seed, key, salt);
}

double wb_placebo_p_upper(const double *did, size_t m, size_t stride, double obs)
{
    double tol = 1e-12 * fmax(1.0, fabs(obs));
    size_t valid = 0, ge = 0;
    for (size_t i = 0; i < m; i++) {
        double x = did[i * stride];
        if (isnan(x))
            continue;
        valid++;
        ge += x >= obs - tol;
    }
    if (isnan(obs) || valid == 0)
        return NAN;
    return (1.0 + (double)ge) / ((double)valid + 1.0);
}

void wb_placebo_free(wb_placebo *p)
{
    if (!p)
        return;
    free(p->method_p);
    if (p->members)
        for (size_t i = 0; i < p->m; i++)
            free(p->members[i]);
    free(p->members);
    free(p->n_members);
    free(p->did);
    free(p->pop);
    free(p->score);
    memset(p, 0, sizeof(*p));
}

void wb_placebo_p(const double *did, size_t m, size_t stride, double obs, double *p_one,
                  double *p_two, size_t *n_valid)
{
    /* a placebo that re-creates the observed zone (a re-assignment that happens to put every
     * unit back) sums the same numbers in another order: count it as a tie, not by the last
     * bits of its rounding */
    double tol = 1e-12 * fmax(1.0, fabs(obs));
    size_t valid = 0, le = 0, ge_abs = 0;
    for (size_t i = 0; i < m; i++) {
        double x = did[i * stride];
        if (isnan(x))
            continue;
        valid++;
        le += x <= obs + tol;
        ge_abs += fabs(x) >= fabs(obs) - tol;
    }
    *n_valid = valid;
    if (isnan(obs) || valid == 0) {
        *p_one = *p_two = NAN;
        return;
    }
    *p_one = (1.0 + (double)le) / ((double)valid + 1.0);
    *p_two = (1.0 + (double)ge_abs) / ((double)valid + 1.0);
}

/* A grown candidate area. */
typedef struct cluster {
    size_t *u; /* sorted */
    size_t n;
    double pop, score, dist;
    uint64_t hash;
    size_t gen; /* generation order */
} cluster;

static int cmp_size_t(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int cmp_same(const cluster *x, const cluster *y)
{
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    for (size_t i = 0; i < x->n; i++)
        if (x->u[i] != y->u[i])
            return x->u[i] < y->u[i] ? -1 : 1;
    return (x->gen > y->gen) - (x->gen < y->gen);
}

static int cmp_cluster_same(const void *a, const void *b)
{
    return cmp_same(a, b);
}

static int cmp_cluster_dist(const void *a, const void *b)
{
    const cluster *x = a, *y = b;
    if (x->dist != y->dist)
        return x->dist < y->dist ? -1 : 1;
    return (x->gen > y->gen) - (x->gen < y->gen);
}

/* Make room for one more element in *v (capacity *cap, doubling); 0 on out of memory. */
static int room(size_t **v, size_t n, size_t *cap)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? 2 * *cap : 16;
    size_t *g = realloc(*v, nc * sizeof(*g));
    if (!g)
        return 0;
    *v = g;
    *cap = nc;
    return 1;
}

/* Scratch shared by the growth and zone steps. */
typedef struct scratch {
    uint32_t *stamp; /* visit marks */
    uint32_t tick;
    double *dist; /* distance to the pseudo area */
    int *order;   /* adjacency order */
    size_t *touched;
    size_t n_touched, cap_touched;
    size_t *front, *next;
    size_t n_front, n_next;
} scratch;

static int touch(scratch *s, size_t u)
{
    if (!room(&s->touched, s->n_touched, &s->cap_touched))
        return 0;
    s->touched[s->n_touched++] = u;
    return 1;
}

/* Grow one candidate area from a random seed: add random adjacent candidates while that brings
 * the population closer to the target. */
static lb_status grow(lb_ctx *ctx, const wb_data *d, const unsigned char *cand, const size_t *cands,
                      size_t n_cands, const double *w, const double *lbm, double target,
                      gsl_rng *rng, scratch *s, cluster *out)
{
    size_t *mem = NULL, n = 0, cap = 0;
    size_t *fr = NULL, nf = 0, capf = 0;
    s->tick++;
    size_t seed = cands[gsl_rng_uniform_int(rng, n_cands)];
    double pop = 0.0;
    size_t next = seed;
    lb_status st = LB_OK;
    for (;;) {
        if (!room(&mem, n, &cap)) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory growing placebo areas");
            break;
        }
        mem[n++] = next;
        s->stamp[next] = s->tick;
        pop += w[next];
        lb_zrow row;
        st = lb_zgraph_row(ctx, d->graph, next, &row);
        for (size_t e = 0; st == LB_OK && e < row.n; e++) {
            uint32_t v = row.nb[e];
            if (row.d[e] > d->adj_tol_m || !cand[v] || s->stamp[v] == s->tick)
                continue;
            s->stamp[v] = s->tick;
            if (!room(&fr, nf, &capf)) {
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory growing placebo areas");
                break;
            }
            fr[nf++] = v;
        }
        if (st != LB_OK || pop >= target || nf == 0)
            break;
        size_t k = gsl_rng_uniform_int(rng, nf);
        size_t j = fr[k];
        if (fabs(pop + w[j] - target) > fabs(pop - target))
            break;
        fr[k] = fr[--nf];
        next = j;
    }
    free(fr);
    if (st != LB_OK) {
        free(mem);
        return st;
    }
    qsort(mem, n, sizeof(*mem), cmp_size_t);
    uint64_t h = 1469598103934665603ULL;
    double ws = 0.0;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (uint64_t)mem[i]) * 1099511628211ULL;
        ws += w[mem[i]] * lbm[mem[i]];
    }
    *out = (cluster){mem, n, pop, ws / pop, 0.0, h, 0};
    return LB_OK;
}

/* First visit of unit v in this pseudo area's zones: distance @p dist, no adjacency order yet. */
static lb_status first_visit(lb_ctx *ctx, scratch *s, size_t v, double dist)
{
    s->stamp[v] = s->tick;
    s->dist[v] = dist;
    s->order[v] = 0;
    return touch(s, v) ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebo zones");
}

/* Zones of one pseudo area: distance to it (ring) and adjacency order for every unit that is
 * near it and not treated; the area's own units get order -1. The orders are walked as far as
 * the zones or the far-control exclusion need (--far-exclude-adjacency may go beyond the
 * reported orders). Fills s->touched. */
static lb_status pseudo_zones(lb_ctx *ctx, const wb_data *d, const cluster *c, scratch *s)
{
    int centroid = d->dist == LB_WB_DIST_CENTROID;
    s->tick++;
    s->n_touched = 0;
    for (size_t i = 0; i < c->n; i++) {
        lb_status st = first_visit(ctx, s, c->u[i], 0.0);
        if (st != LB_OK)
            return st;
        s->order[c->u[i]] = -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        size_t a = c->u[i];
        lb_zrow row;
        lb_status st = lb_zgraph_row(ctx, d->graph, a, &row);
        if (st != LB_OK)
            return st;
        for (size_t e = 0; e < row.n; e++) {
            uint32_t v = row.nb[e];
            if (wb_treated(d, v))
                continue;
            double x = centroid ? row.dc[e] : row.d[e];
            if (s->stamp[v] != s->tick) {
                st = first_visit(ctx, s, v, x);
                if (st != LB_OK)
                    return st;
            } else if (s->order[v] >= 0 && x < s->dist[v]) {
                s->dist[v] = x;
            }
            if (s->order[v] == 0 && row.d[e] <= d->adj_tol_m)
                s->order[v] = 1;
        }
    }
    /* breadth-first adjacency orders 2.. over edges within the tolerance (untouched units
     * found this way are outside the graph's reach of the area: add them too) */
    s->n_front = 0;
    for (size_t i = 0; i < s->n_touched; i++)
        if (s->order[s->touched[i]] == 1)
            s->front[s->n_front++] = s->touched[i];
    int max_order = d->n_adj > d->far_excl_adj ? d->n_adj : d->far_excl_adj;
    for (int k = 2; k <= max_order && s->n_front > 0; k++) {
        s->n_next = 0;
        for (size_t i = 0; i < s->n_front; i++) {
            size_t a = s->front[i];
            lb_zrow row;
            lb_status st = lb_zgraph_row(ctx, d->graph, a, &row);
            if (st != LB_OK)
                return st;
            for (size_t e = 0; e < row.n; e++) {
                uint32_t v = row.nb[e];
                if (row.d[e] > d->adj_tol_m || wb_treated(d, v))
                    continue;
                if (s->stamp[v] != s->tick && (st = first_visit(ctx, s, v, INFINITY)) != LB_OK)
                    return st;
                if (s->order[v] == 0) {
                    s->order[v] = k;
                    s->next[s->n_next++] = v;
                }
            }
        }
        size_t *t = s->front;
        s->front = s->next;
        s->next = t;
        s->n_front = s->n_next;
    }
    return LB_OK;
}

/* Slot of unit u (touched, not in the area) for zone slot z, as 1/0. */
static int pseudo_in_slot(const wb_data *d, const wb_slot *z, const scratch *s, size_t u)
{
    if (z->scheme == WB_SCHEME_RING) {
        double lo = z->index ? d->rings[z->index - 1] : -1.0;
        return s->dist[u] > lo && s->dist[u] <= d->rings[z->index];
    }
    if (z->scheme == WB_SCHEME_ADJ)
        return s->order[u] == z->index;
    return 0;
}

static lb_status alloc_out(lb_ctx *ctx, wb_placebo *out, size_t m, size_t cells)
{
    out->m = m;
    out->did = malloc((m * cells > 0 ? m * cells : 1) * sizeof(double));
    out->members = calloc(m ? m : 1, sizeof(size_t *));
    out->n_members = calloc(m ? m : 1, sizeof(size_t));
    out->pop = calloc(m ? m : 1, sizeof(double));
    out->score = calloc(m ? m : 1, sizeof(double));
    if (!out->did || !out->members || !out->n_members || !out->pop || !out->score)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
    for (size_t i = 0; i < m * cells; i++)
        out->did[i] = NAN;
    return LB_OK;
}

/* DiDs of one pseudo area for every placebo slot, panel and outcome. */
static lb_status pseudo_dids(lb_ctx *ctx, const wb_data *d, size_t f, const cluster *c,
                             const wb_panel *panels, size_t n_panels, size_t n_out,
                             const wb_acc *tot, size_t min_control, scratch *s, wb_acc *zacc,
                             double *did)
{
    lb_status st = pseudo_zones(ctx, d, c, s);
    if (st != LB_OK)
        return st;
    double last = d->rings[d->n_rings - 1];
    size_t nz = d->n_slots;
    for (size_t p = 0; p < n_panels; p++) {
        for (size_t k = 0; k < n_out; k++) {
            wb_obs o = wb_panel_obs(&panels[p], d->n, k);
            wb_acc far = tot[p * n_out + k];
            memset(zacc, 0, nz * sizeof(*zacc));
            for (size_t i = 0; i < s->n_touched; i++) {
                size_t u = s->touched[i];
                if (!wb_obs_ok(&o, u))
                    continue;
                int in_area = s->order[u] < 0;
                double w = o.w[u], dl = o.s1[u] - o.s0[u];
                int cls = o.cls[u];
                /* the same far control as the tested DiD's: without the adjacency orders
                 * 1..N of the (pseudo) area, else the p-values compare unlike DiDs */
                int excl_adj = s->order[u] >= 1 && s->order[u] <= d->far_excl_adj;
                if ((in_area || s->dist[u] <= last || excl_adj) && wb_in_region(d, f, u)) {
                    far.w[cls] -= w;
                    far.wd[cls] -= w * dl;
                    far.cnt[cls]--;
                    far.n--;
                }
                for (size_t z = 0; z < nz; z++) {
                    const wb_slot *sl = &d->slots[z];
                    if (!sl->placebo)
                        continue;
                    if (sl->scheme == WB_SCHEME_FOCUS ? in_area
                                                      : !in_area && pseudo_in_slot(d, sl, s, u))
                        wb_acc_add(&zacc[z], cls, w, dl);
                }
            }
            for (size_t z = 0; z < nz; z++) {
                if (!d->slots[z].placebo || zacc[z].n == 0)
                    continue;
                did[(z * n_panels + p) * n_out + k] =
                    wb_acc_mean(&zacc[z]) - wb_ctrl_delta(&zacc[z], &far, min_control);
            }
        }
    }
    return LB_OK;
}

static void free_clusters(cluster *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        free(c[i].u);
    free(c);
}

/* Keep, in order of similarity, the pseudo areas that share no unit with one kept before, up to
 * @p want; their indices into @p pool go to @p keep. Returns how many were kept. */
static size_t pack_disjoint(const cluster *pool, size_t n_pool, size_t want, unsigned char *taken,
                            size_t *keep)
{
    size_t k = 0;
    for (size_t i = 0; i < n_pool && k < want; i++) {
        const cluster *c = &pool[i];
        int free_all = 1;
        for (size_t j = 0; j < c->n && free_all; j++)
            free_all = !taken[c->u[j]];
        if (!free_all)
            continue;
        for (size_t j = 0; j < c->n; j++)
            taken[c->u[j]] = 1;
        keep[k++] = i;
    }
    return k;
}

/* The placebos of focus area f in one period (@p panels holds that one panel). */
static lb_status placebo_one(lb_ctx *ctx, const wb_data *d, size_t f, const wb_panel *panels,
                             size_t n_panels, const wb_placebo_cfg *cfg, wb_placebo *out)
{
    memset(out, 0, sizeof(*out));
    out->method = LB_WB_PLACEBO_AUTO;
    if (cfg->mode == LB_WB_PLACEBO_UNITS)
        return wb_reassign_run(ctx, d, f, panels, n_panels, cfg, out);
    const wb_area *fa = &d->focus[f];
    const wb_panel *p0 = &panels[0];
    const double *w = p0->w, *lbm = p0->s0; /* outcome 0 is lbm */
    size_t n = d->n, n_out = p0->n_out, nz = d->n_slots;
    lb_status st = LB_OK;

    double target = 0.0, tscore = 0.0;
    for (size_t i = 0; i < fa->n_members; i++) {
        size_t u = fa->members[i];
        if (w[u] > 0.0 && isfinite(lbm[u])) {
            target += w[u];
            tscore += w[u] * lbm[u];
        }
    }
    if (!(target > 0.0)) {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus area '%s': no scored unit of its own in %d, so no "
                   "placebo areas can match it",
                   fa->id, p0->t0);
        return cfg->mode == LB_WB_PLACEBO_AUTO
                   ? wb_reassign_run(ctx, d, f, panels, n_panels, cfg, out)
                   : LB_OK;
    }
    tscore /= target;

    unsigned char *cand = calloc(n ? n : 1, 1);
    size_t *cands = malloc((n ? n : 1) * sizeof(size_t)), nc = 0;
    scratch s = {0};
    s.stamp = calloc(n ? n : 1, sizeof(uint32_t));
    s.dist = malloc((n ? n : 1) * sizeof(double));
    s.order = malloc((n ? n : 1) * sizeof(int));
    s.front = malloc((n ? n : 1) * sizeof(size_t));
    s.next = malloc((n ? n : 1) * sizeof(size_t));
    wb_acc *tot = calloc(n_panels * n_out, sizeof(wb_acc));
    wb_acc *zacc = calloc(nz, sizeof(wb_acc));
    size_t *keep = malloc((cfg->m ? cfg->m : 1) * sizeof(size_t));
    cluster *pool = NULL;
    size_t n_pool = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!cand || !cands || !s.stamp || !s.dist || !s.order || !s.front || !s.next || !tot ||
        !zacc || !keep || !rng) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
        goto cleanup;
    }
    gsl_rng_set(rng, wb_placebo_seed(cfg->seed, fa->id, p0->t0, p0->t1, (size_t)-1, 0));

    /* candidates and the spread of baseline scores in the region */
    double sw = 0.0, swx = 0.0, swxx = 0.0;
    for (size_t u = 0; u < n; u++) {
        if (d->masked[u] || !wb_in_region(d, f, u))
            continue;
        if (w[u] > 0.0 && isfinite(lbm[u])) {
            sw += w[u];
            swx += w[u] * lbm[u];
            swxx += w[u] * lbm[u] * lbm[u];
        }
        if (!wb_treated(d, u) && d->near_d[u] > cfg->buffer_m && w[u] > 0.0 && isfinite(lbm[u])) {
            cand[u] = 1;
            cands[nc++] = u;
        }
    }
    out->n_candidates = nc;
    double sd = sw > 0.0 ? sqrt(fmax(0.0, swxx / sw - (swx / sw) * (swx / sw))) : 0.0;

    /* grow the pool, drop duplicates, order by similarity */
    size_t want = nc ? cfg->m * (size_t)(cfg->pool > 0 ? cfg->pool : 1) : 0;
    pool = calloc(want ? want : 1, sizeof(*pool));
    if (!pool) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
        goto cleanup;
    }
    for (size_t i = 0; i < want && st == LB_OK; i++) {
        st = grow(ctx, d, cand, cands, nc, w, lbm, target, rng, &s, &pool[i]);
        if (st == LB_OK) {
            pool[i].gen = i;
            pool[i].dist = fabs(log(pool[i].pop / target)) +
                           (sd > 0.0 ? fabs(pool[i].score - tscore) / sd : 0.0);
            n_pool++;
        }
    }
    if (st != LB_OK)
        goto cleanup;
    qsort(pool, n_pool, sizeof(*pool), cmp_cluster_same);
    size_t nu = 0;
    for (size_t i = 0; i < n_pool; i++) {
        if (nu > 0 && pool[nu - 1].hash == pool[i].hash && pool[nu - 1].n == pool[i].n &&
            memcmp(pool[nu - 1].u, pool[i].u, pool[i].n * sizeof(size_t)) == 0) {
            free(pool[i].u);
            pool[i].u = NULL;
            continue;
        }
        cluster tmp = pool[i];
        pool[i] = (cluster){0};
        pool[nu++] = tmp;
    }
    n_pool = nu;
    qsort(pool, n_pool, sizeof(*pool), cmp_cluster_dist);

    /* Placebo DiDs that share units are correlated: with few disjoint areas their spread
     * understates the DiD's sampling variance and p comes out too small (27 % rejections at
     * 5 % in the 62-buurt null cities of tools/synth). So only mutually disjoint areas count,
     * and with fewer than WB_PLACEBO_MIN of them AUTO re-assigns units instead. */
    memset(cand, 0, n ? n : 1); /* reused: units taken by a kept pseudo area */
    size_t k_fit = pack_disjoint(pool, n_pool, cfg->m, cand, keep);
    out->n_areas = k_fit;
    if (cfg->mode == LB_WB_PLACEBO_AUTO && k_fit < WB_PLACEBO_MIN) {
        size_t n_cand = nc;
        st = wb_reassign_run(ctx, d, f, panels, n_panels, cfg, out);
        out->n_candidates = n_cand;
        out->n_areas = k_fit;
        goto cleanup;
    }
    if (k_fit == 0)
        goto cleanup;
    out->method = LB_WB_PLACEBO_AREAS;
    size_t cells = nz * n_panels * n_out;
    st = alloc_out(ctx, out, k_fit, cells);

    /* region totals of the untreated units, per panel and outcome: the placebo far control
     * is this minus the units near the pseudo area */
    for (size_t p = 0; p < n_panels && st == LB_OK; p++)
        for (size_t k = 0; k < n_out; k++) {
            wb_obs o = wb_panel_obs(&panels[p], n, k);
            wb_acc *a = &tot[p * n_out + k];
            for (size_t u = 0; u < n; u++)
                if (!wb_treated(d, u) && wb_in_region(d, f, u) && wb_obs_ok(&o, u))
                    wb_acc_add(a, o.cls[u], o.w[u], o.s1[u] - o.s0[u]);
        }
    for (size_t i = 0; i < k_fit && st == LB_OK; i++) {
        const cluster *c = &pool[keep[i]];
        out->members[i] = malloc(c->n * sizeof(size_t));
        if (!out->members[i]) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
            break;
        }
        memcpy(out->members[i], c->u, c->n * sizeof(size_t));
        out->n_members[i] = c->n;
        out->pop[i] = c->pop;
        out->score[i] = c->score;
        st = pseudo_dids(ctx, d, f, c, panels, n_panels, n_out, tot, cfg->min_control, &s, zacc,
                         out->did + i * cells);
    }
cleanup:
    if (st != LB_OK)
        wb_placebo_free(out);
    free_clusters(pool, n_pool);
    if (rng)
        gsl_rng_free(rng);
    free(cand);
    free(cands);
    free(keep);
    free(s.stamp);
    free(s.dist);
    free(s.order);
    free(s.front);
    free(s.next);
    free(s.touched);
    free(tot);
    free(zacc);
    return st;
}

lb_status wb_placebo_run(lb_ctx *ctx, const wb_data *d, size_t f, const wb_panel *panels,
                         size_t n_panels, const wb_placebo_cfg *cfg, wb_placebo *out)
{
    /* Each period draws its own placebos from its own seed (focus area, period; the unit
     * re-assignments also the outcome), so that a period's p-values are the same whichever
     * other periods are in the run. */
    memset(out, 0, sizeof(*out));
    out->method = LB_WB_PLACEBO_AUTO;
    size_t nz = d->n_slots, K = n_panels ? panels[0].n_out : 0, P = n_panels, m = 0;
    wb_placebo *one = calloc(P ? P : 1, sizeof(*one));
    out->method_p = calloc(P ? P : 1, sizeof(*out->method_p));
    lb_status st = one && out->method_p
                       ? LB_OK
                       : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
    for (size_t p = 0; p < P && st == LB_OK; p++) {
        st = placebo_one(ctx, d, f, &panels[p], 1, cfg, &one[p]);
        if (st == LB_OK && one[p].m > m)
            m = one[p].m;
    }
    size_t cells = nz * P * K;
    if (st == LB_OK && m > 0) {
        out->did = malloc(m * cells * sizeof(double));
        if (one[0].members) { /* pseudo areas: listed, with their size and score */
            out->members = calloc(m, sizeof(size_t *));
            out->n_members = calloc(m, sizeof(size_t));
            out->pop = calloc(m, sizeof(double));
            out->score = calloc(m, sizeof(double));
        }
        if (!out->did ||
            (one[0].members && (!out->members || !out->n_members || !out->pop || !out->score)))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
    }
    if (st == LB_OK && m > 0) {
        for (size_t i = 0; i < m * cells; i++)
            out->did[i] = NAN;
        for (size_t p = 0; p < P; p++)
            for (size_t i = 0; i < one[p].m; i++)
                for (size_t z = 0; z < nz; z++)
                    for (size_t k = 0; k < K; k++)
                        out->did[i * cells + (z * P + p) * K + k] =
                            one[p].did[i * nz * K + z * K + k];
        out->m = m;
        /* the pseudo areas listed (zones.gpkg) are those of the first period */
        for (size_t i = 0; one[0].members && i < one[0].m; i++) {
            out->members[i] = one[0].members[i];
            one[0].members[i] = NULL;
            out->n_members[i] = one[0].n_members[i];
            out->pop[i] = one[0].pop[i];
            out->score[i] = one[0].score[i];
        }
        out->m_areas = one[0].members ? one[0].m : 0;
    }
    if (st == LB_OK && P > 0) {
        out->method = one[0].method;
        out->n_candidates = one[0].n_candidates;
        out->n_areas = one[0].n_areas;
        for (size_t p = 0; p < P; p++)
            out->method_p[p] = one[p].method;
    }
    for (size_t p = 0; one && p < P; p++)
        wb_placebo_free(&one[p]);
    free(one);
    if (st != LB_OK)
        wb_placebo_free(out);
    return st;
}
