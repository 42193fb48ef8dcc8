/* SPDX-License-Identifier: MIT */
/* Waterbed effects (lb_waterbed_run): the engine's option struct and entry points. */
#ifndef LB_WATERBED_WATERBED_H
#define LB_WATERBED_WATERBED_H

#include "../scores/scoreset.h"
#include <leefbaar/waterbed.h>

#include <stddef.h>

/** How the distance from a unit to a focus area is measured. */
typedef enum lb_wb_distance {
    LB_WB_DIST_POLYGON = 0,  /**< nearest points of the unit polygon and the focus polygon */
    LB_WB_DIST_CENTROID = 1, /**< from the unit's centroid to the focus polygon */
} lb_wb_distance;

/** The unit weight of every mean. */
typedef enum lb_wb_weight {
    LB_WB_WEIGHT_AUTO = 0,   /**< the source's weight (inhabitants) when every scored unit has
                                  one, otherwise 1 per unit */
    LB_WB_WEIGHT_SOURCE = 1, /**< the source's weight at t0; units without one are left out */
    LB_WB_WEIGHT_UNIT = 2,   /**< 1 per unit */
    LB_WB_WEIGHT_AREA = 3,   /**< the unit's polygon area (m2) */
} lb_wb_weight;

/** The region of a focus area: far control, regional trend and placebo candidates. */
typedef enum lb_wb_region {
    LB_WB_REGION_AUTO = 0,            /**< GEMEENTE when the units carry gemeente codes, else ALL */
    LB_WB_REGION_ALL = 1,             /**< every unit of the input */
    LB_WB_REGION_GEMEENTE = 2,        /**< the units of the focus area's gemeente */
    LB_WB_REGION_TABLE = 3,           /**< gemeente -> region lookup (region_table) */
    LB_WB_REGION_RADIUS = 4,          /**< units within region_radius_m of the focus area */
    LB_WB_REGION_GEMEENTE_RADIUS = 5, /**< the focus area's gemeente, or a unit centroid within
                                           region_radius_m of the focus area's centroid */
} lb_wb_region;

/** How ties in the nearest-focus assignment (rings, adjacency orders) are broken. */
typedef enum lb_wb_ties {
    LB_WB_TIES_DISTANCE = 0, /**< equal distances: the nearer focus centroid (from the unit's
                                  centroid), then the earlier focus area in the input */
    LB_WB_TIES_ORDER = 1,    /**< equal distances: the earlier focus area in the input */
} lb_wb_ties;

/** What order-1 adjacency is measured from. */
typedef enum lb_wb_adjacency_from {
    LB_WB_ADJ_FROM_POLYGON = 0, /**< the focus area's polygon */
    LB_WB_ADJ_FROM_MEMBERS = 1, /**< the polygons of the focus area's member units */
} lb_wb_adjacency_from;

/** Clusters of the wild cluster bootstrap of the pooled regression. */
typedef enum lb_wb_cluster {
    LB_WB_CLUSTER_AUTO = 0,     /**< GEMEENTE with >= 2 gemeenten, else WIJK, else FOCUS */
    LB_WB_CLUSTER_GEMEENTE = 1, /**< the unit's gemeente code */
    LB_WB_CLUSTER_WIJK = 2,     /**< the unit's wijk code */
    LB_WB_CLUSTER_FOCUS = 3,    /**< the focus area the unit is assigned to */
    LB_WB_CLUSTER_UNIT = 4,     /**< every unit its own cluster (heteroskedasticity only) */
} lb_wb_cluster;

/** How the placebo p-values of a focus area are drawn. */
typedef enum lb_wb_placebo {
    LB_WB_PLACEBO_AUTO = 0,  /**< AREAS when at least 19 disjoint pseudo focus areas fit among
                                  the candidates (so that p can reach 0.05), else UNITS */
    LB_WB_PLACEBO_AREAS = 1, /**< placebo-in-space: up to n_placebo mutually disjoint pseudo
                                  focus areas; p over the K that fit, never below 1/(K + 1) */
    LB_WB_PLACEBO_UNITS = 2, /**< n_placebo random re-assignments of the units of the focus
                                  area's zones and far control to those zones (same sizes) */
} lb_wb_placebo;

/** Weights of the wild cluster bootstrap. */
typedef enum lb_wb_boot_weights {
    LB_WB_BOOT_RADEMACHER = 0, /**< ±1 with probability 1/2 (2^G distinct draws) */
    LB_WB_BOOT_WEBB = 1,       /**< Webb's six points ±√½, ±1, ±√1½ (for few clusters) */
} lb_wb_boot_weights;

/** Fixed effects of the pooled regressions. */
typedef enum lb_wb_fe {
    LB_WB_FE_FOCUS = 0,    /**< one intercept per focus area (its zones against its far control) */
    LB_WB_FE_GEMEENTE = 1, /**< one intercept per gemeente of the focus area */
    LB_WB_FE_NONE = 2,     /**< one common intercept */
} lb_wb_fe;

/** Pooled regressions fitted (bits). */
enum { LB_WB_POOLED_RING = 1, LB_WB_POOLED_ADJ = 2, LB_WB_POOLED_BOTH = 3 };

/** Baseline classes of the matched DiD (the control re-weighted to the zone's class mix). */
typedef enum lb_wb_match {
    LB_WB_MATCH_LBM = 0,       /**< the 9 Leefbaarometer classes of lbm at t0 */
    LB_WB_MATCH_QUANTILES = 1, /**< match_n classes at weighted quantiles of lbm at t0 */
    LB_WB_MATCH_BREAKS = 2,    /**< classes between the given ascending breaks of lbm at t0 */
} lb_wb_match;

/** Families of the Benjamini–Hochberg q-values. */
typedef enum lb_wb_bh {
    LB_WB_BH_ZONE = 0,   /**< per period, zone and outcome: the focus areas' tests of one zone */
    LB_WB_BH_PERIOD = 1, /**< per period and outcome: every zone of every focus area */
    LB_WB_BH_RUN = 2,    /**< one family: the ring and adjacency rows of the main periods */
} lb_wb_bh;

/** A period t0 -> t1 (years present in the scores). */
typedef struct lb_wb_period {
    int t0, t1;
} lb_wb_period;

/* Options of lb_waterbed_compute() and lb_waterbed_exec(). Initialise with
 * lb_waterbed_options_init(); strings and arrays are borrowed. */
typedef struct lb_waterbed_options {
    /* Scored units (two or more years, polygons in RD or joined via lb_score_source.geometry). */
    const lb_score_source *scores;
    size_t n_scores;

    /* Focus areas, one of:
     * - focus_path with polygons (fields id/name/gemeente autodetected: WK_CODE, WK_NAAM,
     *   GM_CODE, ...); a unit belongs to a focus area when at least focus_min_share of its
     *   area lies inside;
     * - focus_path without geometry (CSV): one focus area per row, focus_codes_field holds
     *   '|'-separated unit codes (default: the first field whose name ends in "codes");
     * - focus_codes: "NAME=CODE|CODE|..." or "CODE|CODE" per focus area.
     * Codes match the unit id, else the units' wijk code, else their gemeente code. */
    const char *focus_path;
    const char *focus_layer;
    const char *focus_where; /**< OGR SQL filter on the focus layer/table; NULL = all */
    const char *focus_id_field;
    const char *focus_name_field;
    const char *focus_gemeente_field;
    const char *focus_codes_field;
    const char *const *focus_codes;
    size_t n_focus_codes;
    double focus_min_share; /**< default 0.5 */

    /* Other treated areas, excluded from zones, controls, trends and placebos: a polygon
     * layer (units with >= focus_min_share inside) and/or code lists like focus_codes. */
    const char *mask_path;
    const char *mask_layer;
    const char *const *mask_codes;
    size_t n_mask_codes;

    /* Region. */
    lb_wb_region region;
    const char *region_table;          /**< lookup table (CSV, ...) for LB_WB_REGION_TABLE */
    const char *region_gemeente_field; /**< default: first of GM_CODE, gm_code*, gemeente */
    const char *region_field;          /**< default: first of region, regio, COROP*, ... */
    double region_radius_m;    /**< for LB_WB_REGION_RADIUS and _GEMEENTE_RADIUS, e.g. 20000 */
    int far_exclude_adjacency; /**< far control leaves out units of adjacency orders 1..N of
                                    any focus area; default 0 (none) */

    /* Periods; none = first year -> last year. pretrend: 1 = also the period (previous year
     * -> t0) for every period whose t0 has an earlier year in the data. */
    const lb_wb_period *periods;
    size_t n_periods;
    int pretrend; /**< default 1 */

    /* Zones. */
    const double *rings_m; /**< ascending outer edges; default 250, 500, 1000, 2000 */
    size_t n_rings;
    lb_wb_distance distance;
    double adjacency_tol_m; /**< default 25 */
    int adjacency_orders;   /**< default 3; 0 = no adjacency zones */
    int rigo;               /**< RIGO zones (adjacent, rest of city, rest of region); default 1 */
    lb_wb_adjacency_from adjacency_from; /**< default LB_WB_ADJ_FROM_POLYGON */
    lb_wb_ties ties;                     /**< default LB_WB_TIES_DISTANCE */
    int group_identical;  /**< focus areas with the very same units form one group (one set of
                               zones, one test); default 1. 0: each is kept (the later ones get
                               no rings: every unit goes to the first) */
    int test_empty_focus; /**< 1: also test focus areas without units of their own (zones
                               only, no focus row); default 0: reported, not tested */

    /* Statistics. */
    lb_wb_weight weight;
    double k1;           /**< lagging: d_i < -k1 sd(d); default 1 */
    double k2;           /**< strongly lagging: z(d) < -k2; default 2 */
    int receiving_class; /**< potential receiving areas: class <= this at t0; default 4 (zwak) */
    int min_control;     /**< far-control units per baseline-class window of the re-weighting;
                              a sparser class borrows neighbouring classes; default 5 */

    /* Tests. */
    unsigned long seed;         /**< default 1 */
    lb_wb_placebo placebo_mode; /**< default LB_WB_PLACEBO_AUTO */
    int n_placebo; /**< pseudo focus areas (AREAS) or re-assignments (UNITS) per focus area;
                        default 199, >= 19 */
    double placebo_buffer_m; /**< candidates lie farther than this from every focus area;
                                  default: the first ring's outer edge */
    int placebo_pool;        /**< grown candidates per kept placebo; default 5 */
    int n_boot;              /**< wild cluster bootstrap replications; default 999, 0 = off */
    lb_wb_cluster cluster;
    lb_wb_boot_weights boot_weights; /**< default Rademacher */
    double ci_level;    /**< of the pooled coefficients' WCR intervals; default 0.95, 0 = none */
    int pooled_models;  /**< LB_WB_POOLED_* bits; default both */
    lb_wb_fe pooled_fe; /**< default LB_WB_FE_FOCUS */
    lb_wb_match match;  /**< default LB_WB_MATCH_LBM */
    int match_n;        /**< classes of LB_WB_MATCH_QUANTILES (2..9); default 5 */
    const double *match_breaks; /**< LB_WB_MATCH_BREAKS: 1..8 ascending lbm values */
    size_t n_match_breaks;
    lb_wb_bh bh_family; /**< default LB_WB_BH_ZONE */

    /* Output. */
    const char *outdir;       /**< required; created when absent; empty unless overwrite */
    int overwrite;            /**< 1: replace a previous leefbaar run's outputs in outdir */
    const char *run_label;    /**< the `run` column; default "waterbed" */
    char csv_sep;             /**< ',' (default) or ';' */
    int full_precision;       /**< 1: CSV reals unrounded (shortest exact decimal) */
    const char *command_line; /**< recorded in run.json; may be NULL */
} lb_waterbed_options;

/* Fill @p o with the defaults above. */
void lb_waterbed_options_init(lb_waterbed_options *o);

/* The analysis without writing a file (see lb_waterbed_run in include/leefbaar/waterbed.h);
 * *out is owned by the caller. The output fields of @p o other than run_label and
 * command_line are not used. */
lb_status lb_waterbed_compute(lb_ctx *ctx, const lb_waterbed_options *o, lb_result **out);

/* lb_waterbed_compute, then write into o->outdir (required) with o->csv_sep and
 * o->overwrite: what the struct-based lb_waterbed_run did, all or nothing. */
lb_status lb_waterbed_exec(lb_ctx *ctx, const lb_waterbed_options *o);

#endif
