/* SPDX-License-Identifier: MIT */
/* Scored units over years, read back from this tool's own output or from published
 * Leefbaarometer tables: the common input of change, diagnose and waterbed. */
#ifndef LB_SCORES_SCORESET_H
#define LB_SCORES_SCORESET_H

#include "../io/vector.h"
#include "../model/model.h"

#include <leefbaar/scores.h>

#include <stddef.h>

/* One source of scores (the engines' option structs hold these). Strings are borrowed.
 *
 * - Our own output: @p path is a run directory (it holds run.json) or its run.json. The units
 *   layer named in run.json is read from scores.gpkg (all years it holds), with the model's
 *   dimensions, class table and indicator columns.
 * - A published table: @p path is any OGR-readable table (CSV with ',' or ';', decimal point
 *   or comma, BOM; GPKG; DBF; GeoJSON) in long form: one row per unit and year, e.g.
 *   `PC4,jaar,lbm,afw,fys,onv,soc,vrz,won`. Dimension columns are the numeric columns other
 *   than id, year, name, parent codes, weight, lbm, afw and class columns, in file order.
 *   "NA", "", "." and "x" are missing. When the table has no geometry, @p geometry names a
 *   polygon file (PATH[:LAYER]) joined on the id. */
typedef struct lb_score_source {
    const char *path;
    const char *layer;        /* NULL: the run's units layer, or the table's first layer */
    const char *id_field;     /* NULL: first of BU_CODE WK_CODE GM_CODE PC6 PC4 CODE id
                                 (case-insensitive, so wk_code and pc4 match too) */
    const char *year_field;   /* NULL: "year" or "jaar" (case-insensitive) */
    int year;                 /* year of every row when the table has no year column */
    const char *weight_field; /* NULL: "weight" when present; else no weights (all NaN) */
    const char *geometry;     /* PATH[:LAYER] of polygons to join on the id; NULL = none */
    const char *geometry_id;  /* id field of the polygon layer; NULL: autodetect as above */
    const char *s_srs;        /* CRS of inputs that declare none (as lb_source.s_srs) */
} lb_score_source;

/* Outcomes per unit and year: k = 0 lbm (absolute score), 1 afw (total deviation),
 * 2 .. 2+n_dims-1 the dimension deviations in dim order. */
enum { LB_OUT_LBM = 0, LB_OUT_AFW = 1, LB_OUT_DIM0 = 2 };

struct lb_idmap; /* id → unit index (private to scoreset.c) */

typedef struct lb_scoreset {
    char *description; /* "run 'out/score' (leefbaar 0.2.0, model leefbaar-default)" or
                          "table 'x.csv'"; for messages and run.json */
    int is_published;  /* 1: read from a published table, 0: from our own run */

    size_t n_units;
    char *id_field; /* the id column of the (first) source, e.g. "PC4", "BU_CODE" */
    char **id;      /* unit code as text, unique, trimmed; never NULL */
    char **name;    /* may hold NULL entries */
    char **gm_code; /* parent codes when the source has them (GM_CODE / gm_code), else NULL */
    char **wk_code;
    lb_vlayer *geom;  /* polygons in RD (owned), NULL when the source has no geometry */
    size_t *geom_row; /* feature of geom for unit u; SIZE_MAX when the unit has no polygon */

    size_t n_dims;
    char **dim_code;  /* "won", "fys", ... as in the source */
    char **dim_label; /* model label, or the code when unknown */

    size_t n_years;
    int *years; /* ascending, distinct */

    /* value[(t * n_out + k) * n_units + u] with n_out = 2 + n_dims; NaN = missing or the unit
     * is absent in year t. */
    size_t n_out;
    double *value;
    double *weight;    /* weight[t * n_units + u] (inhabitants, as the run used); NaN = unknown */
    char *weight_name; /* "inhabitants", "dwellings", "area" or NULL when there is none */

    double ref;    /* REF = lbm - afw, from run.json or estimated from the rows; NaN if unknown */
    int ref_year;  /* year the reference (REF, M_d) was computed from; 0 = unknown */
    int ref_fixed; /* 1: one reference for all years (fixed mode); 0: per year or unknown */

    /* Class table: the run's model, or the Leefbaarometer defaults (DESIGN.md §6). */
    double thresholds[LB_N_THRESHOLDS];
    char *class_labels[LB_N_CLASSES];
    char *class_colours[LB_N_CLASSES];
    size_t n_dev_cuts;
    double dev_cuts[LB_MAX_DEV_CLASSES - 1];
    char *dev_labels[LB_MAX_DEV_CLASSES];
    char *dev_colours[LB_MAX_DEV_CLASSES];
    /* Class cut-points of each dimension's deviation, dim_bands[d * LB_N_THRESHOLDS + i]: the
     * run's model's bands for that dimension, else lb_model_default_bands (the dimension maps'
     * legend). */
    double *dim_bands;

    /* Indicators (our own runs only; n_ind = 0 otherwise). raw[(t * n_ind + i) * n_units + u]
     * is the weighted mean raw value of indicator i, contrib[...] its contribution
     * β_i · f_i(x) (so Σ_{i∈d} contrib = C_d and dev_d = C_d − M_d). */
    size_t n_ind;
    char **ind_id;
    char **ind_label;
    int *ind_dim; /* dimension index of indicator i */
    double *raw;
    double *contrib;
    /* M_d per year and dimension, dim_mean[t * n_dims + d] (all years share one set in fixed
     * mode; per_year runs have their own), from run.json; NaN where unknown; NULL when no
     * source is a run. */
    double *dim_mean;

    struct lb_idmap *idmap;
} lb_scoreset;

/* Read and merge @p n sources into one set: units are matched on id across sources, years are
 * the union (a year given by two sources is an error naming both). All sources must have the
 * same dimension codes. Errors name the file, layer, row and field (missing id column listing
 * the columns, duplicate unit-year row, unparsable number, id without polygon when geometry
 * was asked for — reported as a warning with a count, not an error).
 * *out is owned by the caller (lb_scoreset_destroy). */
lb_status lb_scoreset_read(lb_ctx *ctx, const lb_score_source *src, size_t n, lb_scoreset **out);

void lb_scoreset_destroy(lb_scoreset *s);

/* Is @p path one of our runs (a directory holding run.json, or a run.json)? 1 with the paths
 * of its run.json and directory in *json_path and *dir (caller frees both; they may be set on
 * 0 too), else 0. */
int lb_scores_run_paths(const char *path, char **json_path, char **dir);

/* Match dimension codes (case-insensitive, any order): pos[d] is the index in @p a of b[d].
 * LB_ERR_DATA naming both sides and their codes when the sets differ. */
lb_status lb_scores_dims_match(lb_ctx *ctx, const char *desc_a, char *const *a, size_t na,
                               const char *desc_b, char *const *b, size_t nb, size_t *pos);

/* Index of @p year in s->years, or -1. */
int lb_scoreset_year_index(const lb_scoreset *s, int year);

/* Index of unit @p id, or -1 (hashed). */
long lb_scoreset_unit_index(const lb_scoreset *s, const char *id);

/* Value of outcome k for unit u in year index t (NaN when missing). */
static inline double lb_scoreset_value(const lb_scoreset *s, size_t t, size_t k, size_t u)
{
    return s->value[(t * s->n_out + k) * s->n_units + u];
}

#endif
