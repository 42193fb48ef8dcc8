/* SPDX-License-Identifier: MIT */
/* The waterbed module's private types: focus areas resolved on the units, zones, periods,
 * results; and the steps of lb_waterbed_run (areas.c, assign.c, placebo.c, pooled.c,
 * analyse.c, output.c). */
#ifndef LB_WATERBED_WB_H
#define LB_WATERBED_WB_H

#include "../geom/zones.h"
#include "../data/result.h"
#include "../scores/scoreset.h"
#include "stats.h"
#include "waterbed.h"

#include <leefbaar/waterbed.h>

#include <gsl/gsl_rng.h>
#include <stddef.h>

/* A focus area (or mask area) on the units. */
typedef struct wb_area {
    char *id, *name, *gemeente; /* gemeente may be NULL */
    unsigned char *wkb;         /* polygon in RD (the layer's, or the union of its units) */
    size_t wkb_size;
    double area_m2, cx, cy;
    size_t *members; /* units inside (share >= min_share, or matched by code) */
    size_t n_members;
    double *dpoly, *dcen, *share; /* per unit; INFINITY / 0 beyond reach */
    char **group;                 /* ids of the focus areas with this very unit set, this one
                                     first (n_group >= 2), else NULL */
    size_t n_group;
} wb_area;

/* Zone slots of one focus area, in output order. */
enum { WB_SCHEME_FOCUS, WB_SCHEME_RING, WB_SCHEME_ADJ, WB_SCHEME_RIGO, WB_SCHEME_CONTROL };

typedef struct wb_slot {
    int scheme;
    int index;         /* ring index, adjacency order, rigo kind (0 adjacent, 1 city, 2 region) */
    char *name;        /* "focus", "ring_0_250", "adj_1", "rigo_city", "far" */
    double lo_m, hi_m; /* ring edges (NaN otherwise) */
    int placebo;       /* placebo-tested */
} wb_slot;

typedef struct wb_data {
    const lb_scoreset *s;
    size_t n; /* units */
    lb_zunits *zu;
    lb_zgraph *graph; /* unit pairs within max(last ring, adjacency tolerance), rows on use */

    wb_area *focus;
    size_t n_focus;
    unsigned char *member; /* member of some focus area */
    unsigned char *masked; /* masked, or without polygon */
    size_t n_masked, n_nogeom;
    size_t n_focus_nogeom;   /* focus features without a geometry, left out */
    size_t n_focus_repaired; /* invalid focus polygons repaired */

    int *unit_gm;  /* interned gemeente code of each unit (normalised "GM0344"), -1 unknown */
    int *focus_gm; /* of each focus area */
    char **gm_names;
    size_t n_gm;

    wb_area *untested; /* focus areas without units of their own, reported, not tested */
    size_t n_untested;
    int tie_order;        /* 1: ties in nearest-focus assignment by file order only */
    int adj_from_members; /* 1: order 1 measured from the member units, not the polygon */
    int far_excl_adj;     /* far control leaves out adjacency orders 1..far_excl_adj */

    lb_wb_region region; /* resolved, never AUTO */
    double region_radius_m;
    int *unit_region;  /* TABLE: region of each unit, -1 unknown */
    int *focus_region; /* TABLE: region of each focus area, -1 unknown */
    char **region_names;
    size_t n_regions;

    double *rings; /* outer edges, ascending */
    size_t n_rings;
    lb_wb_distance dist;
    double adj_tol_m;
    int n_adj;      /* adjacency orders reported */
    int n_adj_calc; /* orders computed (1 at least when RIGO zones need order 1) */
    int rigo;       /* RIGO zones computed (needs gemeente codes) */

    int *near;             /* nearest focus area within the last ring (not treated), else -1 */
    double *near_d;        /* distance to the nearest focus area (exact, also beyond the
                              reach; INFINITY for treated units and units without polygon) */
    int *ring;             /* ring index, -1 none */
    int *adj;              /* adjacency order 1..n_adj, 0 none */
    int *adj_focus;        /* focus area of the adjacency order */
    unsigned char *beyond; /* the far-control pool: not treated, farther than the last ring
                              from every focus area, not in an excluded adjacency order */

    wb_slot *slots;
    size_t n_slots;
} wb_data;

static inline int wb_treated(const wb_data *d, size_t u)
{
    return d->member[u] || d->masked[u];
}

/* Is unit u in the region of focus area f? */
int wb_in_region(const wb_data *d, size_t f, size_t u);

/* Resolve focus areas, mask and regions on the scored units and build the unit geometry
 * (areas.c). *out is owned by the caller (wb_data_destroy). */
lb_status wb_data_create(lb_ctx *ctx, const lb_scoreset *s, const lb_waterbed_options *o,
                         wb_data **out);
void wb_data_destroy(wb_data *d);

/* Assign rings, adjacency orders and the far control of the real focus areas and build the
 * zone slots (assign.c). */
lb_status wb_assign(lb_ctx *ctx, wb_data *d);

/* Units of zone slot @p z of focus area @p f (malloc'd list, caller frees). */
lb_status wb_zone_units(lb_ctx *ctx, const wb_data *d, size_t f, size_t z, size_t **units,
                        size_t *n);

/* Units of the region of focus area f. */
lb_status wb_region_units(lb_ctx *ctx, const wb_data *d, size_t f, size_t **units, size_t *n);

/* One period of the analysis with the per-unit inputs of every outcome. */
typedef struct wb_panel {
    int t0, t1;
    int pretrend; /* 1: a pre-trend placebo period */
    size_t n_out;
    double *w;           /* weight at t0 (NaN: unusable) */
    unsigned char *cls;  /* matching class of lbm at t0 (lbm classes unless asked otherwise) */
    unsigned char *lcls; /* Leefbaarometer class of lbm at t0 (receiving areas) */
    double *breaks;      /* the matching classes' breaks (n_breaks) */
    size_t n_breaks;
    double *s0, *s1; /* [k * n + u] */
} wb_panel;

static inline wb_obs wb_panel_obs(const wb_panel *p, size_t n, size_t k)
{
    return (wb_obs){p->w, p->cls, p->s0 + k * n, p->s1 + k * n, p->lcls};
}

/* The fewest placebo statistics with which a p-value can reach 0.05: 1/(19 + 1). */
enum { WB_PLACEBO_MIN = 19 };

/* Placebo results for one focus area: did[((m * n_slots + z) * n_panels + p) * n_out + k]. */
typedef struct wb_placebo {
    lb_wb_placebo method;    /* AREAS or UNITS; AUTO when none were drawn (of the first period) */
    lb_wb_placebo *method_p; /* per panel: each period draws its own placebos */
    size_t m;            /* placebo statistics: pseudo areas (AREAS) or re-assignments (UNITS) */
    size_t n_candidates; /* candidate units of pseudo areas */
    size_t n_areas;      /* mutually disjoint pseudo areas found (at most the number asked) */
    double *did;
    size_t m_areas;   /* pseudo areas listed in members (of the first period; 0 for UNITS) */
    size_t **members; /* AREAS: per pseudo area, sorted unit indices; NULL for UNITS */
    size_t *n_members;
    double *pop, *score; /* Σw and weighted lbm at t0 of the first period */
} wb_placebo;

typedef struct wb_placebo_cfg {
    lb_wb_placebo mode;
    size_t m;
    int pool;
    double buffer_m;
    unsigned long seed;
    size_t min_control;
} wb_placebo_cfg;

/* Seed of the placebo draws of focus area @p focus_id in period t0-t1 (outcome @p k, or
 * (size_t)-1 for draws every outcome of the period shares): depends on nothing else, so that
 * adding or removing a period or an outcome leaves the others' p-values alone. */
unsigned long wb_placebo_seed(unsigned long seed, const char *focus_id, int t0, int t1, size_t k,
                              unsigned long salt);

/* Placebo DiDs of focus area f for every placebo slot, panel and outcome (placebo.c): pseudo
 * focus areas (AREAS; AUTO takes them when at least WB_PLACEBO_MIN fit), else re-assignments
 * of units (wb_reassign_run). */
lb_status wb_placebo_run(lb_ctx *ctx, const wb_data *d, size_t f, const wb_panel *panels,
                         size_t n_panels, const wb_placebo_cfg *cfg, wb_placebo *out);
void wb_placebo_free(wb_placebo *p);

/* Randomisation placebos (reassign.c): cfg->m times, the units of focus area f's tested zones
 * and its far control are re-assigned at random to those positions (a random permutation, so
 * every zone keeps its number of units) and every zone's DiD is recomputed against the units
 * that land in the far control; the focus area's own row likewise with its members and the far
 * control. Fills out->did (allocated here) and out->m; the units move with their weight and
 * baseline class. */
lb_status wb_reassign_run(lb_ctx *ctx, const wb_data *d, size_t f, const wb_panel *panels,
                          size_t n_panels, const wb_placebo_cfg *cfg, wb_placebo *out);

/* One-sided (placebo DiD <= observed) and two-sided (|placebo| >= |observed|) placebo
 * p-values: (1 + count) / (valid + 1), ties (within 1e-12 relative) counted. NaN when the
 * observation or every placebo is NaN. */
void wb_placebo_p(const double *did, size_t m, size_t stride, double obs, double *p_one,
                  double *p_two, size_t *n_valid);

/* The upper-tail (diffusion) placebo p-value: (1 + #{placebo DiD >= observed}) / (valid + 1),
 * ties as in wb_placebo_p. NaN when the observation or every placebo is NaN. */
double wb_placebo_p_upper(const double *did, size_t m, size_t stride, double obs);

/* Pooled regressions with wild cluster bootstrap (pooled.c): the ring model (every unit once as
 * focus, ring or far control) and the adjacency model (once as focus, adjacency order 1, order 2
 * or far control). */
typedef struct wb_pooled_term {
    char *term; /* "focus", "ring_0_250", "adj_1", ... */
    double estimate, se, t, p_two, p_one, p_upper, ci_low, ci_high;
} wb_pooled_term;

typedef struct wb_pooled {
    int model; /* LB_WB_POOLED_RING or LB_WB_POOLED_ADJ */
    size_t n_units, n_clusters, n_params;
    size_t n_terms;
    wb_pooled_term *terms;
} wb_pooled;

typedef struct wb_pooled_cfg {
    int n_boot;
    unsigned long seed;
    lb_wb_cluster cluster; /* resolved, never AUTO */
    int model;             /* LB_WB_POOLED_RING or LB_WB_POOLED_ADJ */
    lb_wb_fe fe;
    lb_wb_boot_weights weights;
    double ci_level; /* 0: no interval */
} wb_pooled_cfg;

lb_status wb_pooled_run(lb_ctx *ctx, const wb_data *d, const wb_panel *p, size_t k,
                        const char *outcome, const wb_pooled_cfg *cfg, wb_pooled *out);
void wb_pooled_free(wb_pooled *p);

/* Low level, exposed for tests: weighted least squares y ~ X (n × p, row-major) with cluster
 * ids, the CRV1 cluster-robust standard error of coefficient j (G/(G−1)·(N−1)/(N−rank)), and
 * the wild cluster bootstrap with the null β_j = 0 imposed (WCR; weights per cluster, B draws
 * from gsl_rng_mt19937 seeded with @p seed): p_two = share of |t*| >= |t|, p_one of t* <= t
 * (displacement), p_upper of t* >= t (diffusion); [ci_low, ci_high] = {b0 : the symmetric WCR
 * test of β_j = b0 with the same draws does not reject at 1 − ci_level}, by bisection over b0.
 * NaN p-values and interval with fewer than 2 clusters or B = 0. */
typedef struct wb_wls_test {
    double estimate, se, t, p_two, p_one, p_upper, ci_low, ci_high;
    size_t rank, n_clusters;
} wb_wls_test;

typedef struct wb_boot_cfg {
    int n_boot;
    unsigned long seed;
    lb_wb_boot_weights weights;
    double ci_level; /* 0: no interval */
} wb_boot_cfg;

lb_status wb_wls_boot(lb_ctx *ctx, const double *X, const double *y, const double *w,
                      const size_t *cluster, size_t n, size_t p, size_t j, const wb_boot_cfg *cfg,
                      wb_wls_test *out);

/* wb_wls_boot with Rademacher weights and a 95 % interval. */
lb_status wb_wls_wcr(lb_ctx *ctx, const double *X, const double *y, const double *w,
                     const size_t *cluster, size_t n, size_t p, size_t j, int n_boot,
                     unsigned long seed, wb_wls_test *out);

/* The bootstrap t-statistic of coefficient j for one given vector of cluster weights v[g]
 * (g = cluster id 0..G-1), with the null β_j = 0 imposed: for tests against brute-force refits. */
lb_status wb_wls_wcr_tstar(lb_ctx *ctx, const double *X, const double *y, const double *w,
                           const size_t *cluster, size_t n, size_t p, size_t j, const double *v,
                           double *tstar);

/* G bootstrap weights of kind @p kind from @p rng (exposed for the moments test). */
void wb_boot_weights_draw(gsl_rng *rng, lb_wb_boot_weights kind, double *v, size_t G);

/* A bootstrap p-value as text: the number, or "< 1/(B+1)" written out (e.g. "< 0.001") when no
 * draw reached the statistic (p = 0 only says p < 1/(B + 1)). "" for NaN. */
void wb_boot_p_text(double p, int n_boot, char *buf, size_t size);

/* Seed of a derived random stream: mixes the run seed with a text key (focus id, term). */
unsigned long wb_seed_mix(unsigned long seed, const char *key, unsigned long salt);

/* The whole analysis in memory (analyse.c). */
typedef struct wb_row {
    size_t panel, focus, slot, outcome;
    wb_zstat st;
    double trend, sd;
    double did_focus, wdq;
    double p_one, p_two, q_one, q_two;
    double p_upper, q_upper; /* diffusion: placebo DiDs at or above the observed one */
    size_t n_placebo;        /* valid placebo statistics behind p_one and p_two */
} wb_row;

typedef struct wb_pooled_row {
    size_t panel, outcome; /* res.model: which regression */
    wb_pooled res;
} wb_pooled_row;

typedef struct wb_result {
    wb_data *data;
    wb_panel *panels;
    size_t n_panels;
    size_t n_out;
    size_t *out_k;   /* scoreset outcome index of each outcome */
    char **out_name; /* "lbm", dimension codes */
    wb_row *rows;
    size_t n_rows;
    wb_pooled_row *pooled;
    size_t n_pooled;
    wb_placebo *placebo;     /* per focus area */
    const char *weight_used; /* "inhabitants" (the source's name), "unit", "area" */
    lb_wb_cluster cluster;
    lb_wb_fe fe;
    lb_wb_boot_weights boot_weights;
    double ci_level;
    size_t n_placebo_req;
    lb_wb_placebo placebo_mode; /* as asked */
    double placebo_buffer_m;
    double t_zones, t_placebo, t_rows, t_pooled; /* seconds per stage (CPU clock) */
} wb_result;

/* Run the analysis of @p s (borrowed; must outlive the result) with options @p o (outdir is
 * not used). *out is owned by the caller (wb_result_destroy). */
lb_status wb_analyse(lb_ctx *ctx, const lb_scoreset *s, const lb_waterbed_options *o,
                     wb_result **out);
void wb_result_destroy(wb_result *r);

/* Find a row (NULL when absent): by focus id, slot name, outcome name and period t0/t1. */
const wb_row *wb_result_row(const wb_result *r, const char *focus_id, const char *slot,
                            const char *outcome, int t0, int t1);

/* Add the tables of @p r to @p res: "waterbed", "waterbed_pooled", and the zones "units",
 * "focus", "placebos" (output.c). */
lb_status wb_tables(lb_ctx *ctx, const wb_result *r, const lb_waterbed_options *o, lb_result *res);

/* run.json of the analysis (without the files' CSV separator, set when writing); @p seconds
 * the run's wall time so far. New object (json_object_put). */
struct json_object *wb_run_json(lb_ctx *ctx, const wb_result *r, const lb_waterbed_options *o,
                                double seconds);

/* Add the zone design to run.json @p doc (design.c): options adjacency_from, ties,
 * identical_focus, test_empty_focus, far_exclude_adjacency; counts of focus features without
 * geometry, repaired and untested; each grouped focus area's member ids; the untested focus
 * areas. */
void wb_design_json(const wb_result *r, const lb_waterbed_options *o, struct json_object *doc);

/* Write the tables of @p res as waterbed.csv, waterbed_pooled.csv, waterbed_summary.csv
 * (separator @p csv_sep; reals unrounded with @p full_precision), the summary report
 * waterbed.html and waterbed.md, and zones.gpkg into @p dir (a temporary directory of the
 * caller), then @p doc as run.json. */
lb_status wb_write_files(lb_ctx *ctx, const lb_result *res, const char *dir, char csv_sep,
                         int full_precision, struct json_object *doc);

#endif
