/* SPDX-License-Identifier: MIT */
/* Randomisation placebos: the units of a focus area's zones and of its far control re-assigned
 * at random to those places, every zone DiD recomputed. A Fisher randomisation test of "the
 * zones develop like the far control", for when too few disjoint pseudo focus areas fit. */
#include "wb.h"

#include "../core/ctx.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One re-assignment design of one panel and outcome: the usable units of some zones and of the
 * far control. Places 0..n_zone-1 lie in a tested zone (and may be far control too), the
 * others only in the far control. Place i holds unit[perm[i]]. */
typedef struct design {
    size_t *unit;
    size_t n, n_zone;
    unsigned char *far; /* per zone place: also far control */
    size_t *slot_start; /* places of slot z: place[slot_start[z] .. slot_start[z + 1]) */
    size_t *place;
    size_t *perm;
    wb_acc tot; /* sums over every unit of the design */
} design;

static void design_free(design *g)
{
    free(g->unit);
    free(g->far);
    free(g->slot_start);
    free(g->place);
    free(g->perm);
}

/* Design of the units usable in @p o over the slots with want[z] set, plus the far control
 * (slot z_far); zu[z] / zn[z] are the units of every slot. @p at is scratch of d->n entries,
 * all (size_t)-1 on entry and on return. */
static lb_status design_build(lb_ctx *ctx, const wb_data *d, size_t *const *zu, const size_t *zn,
                              const wb_obs *o, const unsigned char *want, size_t z_far, size_t *at,
                              design *g)
{
    size_t nz = d->n_slots, n_place = 0, cap = zn[z_far];
    for (size_t z = 0; z < nz; z++)
        cap += want[z] ? zn[z] : 0;
    g->unit = malloc((cap ? cap : 1) * sizeof(size_t));
    g->far = calloc(cap ? cap : 1, 1);
    g->slot_start = calloc(nz + 1, sizeof(size_t));
    g->place = malloc((cap ? cap : 1) * sizeof(size_t));
    g->perm = malloc((cap ? cap : 1) * sizeof(size_t));
    if (!g->unit || !g->far || !g->slot_start || !g->place || !g->perm)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
    /* zone places first (a unit in two zones, e.g. a ring and an adjacency order, is one
     * place), then the far control */
    for (size_t z = 0; z < nz; z++) {
        g->slot_start[z] = n_place;
        if (!want[z])
            continue;
        for (size_t i = 0; i < zn[z]; i++) {
            size_t u = zu[z][i];
            if (!wb_obs_ok(o, u))
                continue;
            if (at[u] == (size_t)-1) {
                at[u] = g->n_zone;
                g->unit[g->n_zone++] = u;
            }
            g->place[n_place++] = at[u];
        }
    }
    g->slot_start[nz] = n_place;
    g->n = g->n_zone;
    for (size_t i = 0; i < zn[z_far]; i++) {
        size_t u = zu[z_far][i];
        if (!wb_obs_ok(o, u))
            continue;
        if (at[u] != (size_t)-1)
            g->far[at[u]] = 1;
        else
            g->unit[g->n++] = u;
    }
    memset(&g->tot, 0, sizeof(g->tot));
    for (size_t i = 0; i < g->n; i++) {
        size_t u = g->unit[i];
        g->perm[i] = i;
        wb_acc_add(&g->tot, o->cls[u], o->w[u], o->s1[u] - o->s0[u]);
    }
    for (size_t i = 0; i < g->n_zone; i++)
        at[g->unit[i]] = (size_t)-1;
    return LB_OK;
}

/* A new random arrangement: the zone places get a uniformly random ordered sample of the units
 * (partial Fisher–Yates; the far-only places keep the rest, in whatever order). */
static void design_draw(design *g, gsl_rng *rng)
{
    for (size_t i = 0; i < g->n_zone && i + 1 < g->n; i++) {
        size_t j = i + (size_t)gsl_rng_uniform_int(rng, g->n - i);
        size_t t = g->perm[i];
        g->perm[i] = g->perm[j];
        g->perm[j] = t;
    }
}

/* DiD of every slot of the design in the current arrangement into did[z * stride]. */
static void design_dids(const wb_data *d, const design *g, const wb_obs *o, size_t min_control,
                        double *did, size_t stride)
{
    /* the far control = every unit of the design minus those on zone-only places */
    wb_acc far = g->tot, inner;
    memset(&inner, 0, sizeof(inner));
    for (size_t i = 0; i < g->n_zone; i++) {
        size_t u = g->unit[g->perm[i]];
        if (!g->far[i])
            wb_acc_add(&inner, o->cls[u], o->w[u], o->s1[u] - o->s0[u]);
    }
    wb_acc_sub(&far, &inner);
    for (size_t z = 0; z < d->n_slots; z++) {
        if (g->slot_start[z] == g->slot_start[z + 1])
            continue;
        wb_acc a;
        memset(&a, 0, sizeof(a));
        for (size_t j = g->slot_start[z]; j < g->slot_start[z + 1]; j++) {
            size_t u = g->unit[g->perm[g->place[j]]];
            wb_acc_add(&a, o->cls[u], o->w[u], o->s1[u] - o->s0[u]);
        }
        did[z * stride] = wb_acc_mean(&a) - wb_ctrl_delta(&a, &far, min_control);
    }
}

lb_status wb_reassign_run(lb_ctx *ctx, const wb_data *d, size_t f, const wb_panel *panels,
                          size_t n_panels, const wb_placebo_cfg *cfg, wb_placebo *out)
{
    size_t nz = d->n_slots, n_out = panels[0].n_out, cells = nz * n_panels * n_out;
    size_t m = cfg->m, z_far = nz, n_des = 2 * n_panels * n_out;
    /* per panel and outcome two designs: the zones against the far control, and the focus
     * area's own units against it (kept apart, so that an improvement of the focus area is
     * never moved into its rings, nor a displacement in the rings into the focus area) */
    design *g = calloc(n_des, sizeof(design));
    unsigned char *want = calloc(2 * nz, 1);
    size_t *at = malloc((d->n ? d->n : 1) * sizeof(size_t));
    size_t **zu = calloc(nz, sizeof(size_t *)), *zn = calloc(nz, sizeof(size_t));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    out->did = malloc((m * cells > 0 ? m * cells : 1) * sizeof(double));
    lb_status st = g && want && at && zu && zn && rng && out->did
                       ? LB_OK
                       : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for placebos");
    for (size_t z = 0; z < nz && st == LB_OK; z++) {
        const wb_slot *sl = &d->slots[z];
        if (sl->scheme == WB_SCHEME_CONTROL)
            z_far = z;
        if (sl->placebo)
            want[(sl->scheme == WB_SCHEME_FOCUS ? nz : 0) + z] = 1;
        if (sl->placebo || sl->scheme == WB_SCHEME_CONTROL)
            st = wb_zone_units(ctx, d, f, z, &zu[z], &zn[z]);
    }
    if (st == LB_OK && z_far == nz)
        st = lb_ctx_error(ctx, LB_ERR_INTERNAL, "waterbed: no far-control zone");
    for (size_t i = 0; st == LB_OK && i < d->n; i++)
        at[i] = (size_t)-1;
    for (size_t p = 0; p < n_panels && st == LB_OK; p++)
        for (size_t k = 0; k < n_out && st == LB_OK; k++) {
            wb_obs o = wb_panel_obs(&panels[p], d->n, k);
            for (size_t h = 0; h < 2 && st == LB_OK; h++)
                st = design_build(ctx, d, zu, zn, &o, want + h * nz, z_far, at,
                                  &g[(p * n_out + k) * 2 + h]);
        }
    if (st == LB_OK) {
        for (size_t i = 0; i < m * cells; i++)
            out->did[i] = NAN;
        /* one stream per period and outcome (wb_placebo_seed) */
        for (size_t p = 0; p < n_panels; p++)
            for (size_t k = 0; k < n_out; k++) {
                gsl_rng_set(rng, wb_placebo_seed(cfg->seed, d->focus[f].id, panels[p].t0,
                                                 panels[p].t1, k, 1));
                for (size_t i = 0; i < m; i++) {
                    wb_obs o = wb_panel_obs(&panels[p], d->n, k);
                    for (size_t h = 0; h < 2; h++) {
                        design *x = &g[(p * n_out + k) * 2 + h];
                        design_draw(x, rng);
                        design_dids(d, x, &o, cfg->min_control,
                                    out->did + i * cells + p * n_out + k, n_panels * n_out);
                    }
                }
            }
        out->m = m;
        out->method = LB_WB_PLACEBO_UNITS;
    }
    for (size_t i = 0; g && i < n_des; i++)
        design_free(&g[i]);
    free(g);
    free(want);
    free(at);
    for (size_t z = 0; zu && z < nz; z++)
        free(zu[z]);
    free(zu);
    free(zn);
    if (rng)
        gsl_rng_free(rng);
    if (st != LB_OK) {
        free(out->did);
        out->did = NULL;
    }
    return st;
}
