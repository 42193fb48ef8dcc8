/* SPDX-License-Identifier: MIT */
/* The model in memory: what the YAML file declares, validated and with defaults filled in. */
#ifndef LB_MODEL_MODEL_H
#define LB_MODEL_MODEL_H

#include <leefbaar/model.h>

#include <stddef.h>

enum { LB_N_CLASSES = 9, LB_N_THRESHOLDS = 8, LB_MAX_DEV_CLASSES = 9 };

typedef enum lb_kind {
    LB_KIND_ATTRIBUTE,
    LB_KIND_RATIO,
    LB_KIND_COUNT_WITHIN,
    LB_KIND_NEAREST_DISTANCE,
    LB_KIND_SHARE_WITHIN,
    LB_KIND_RASTER_MEAN,
    LB_KIND_DENSITY,
} lb_kind;

/* The Leefbaarometer class table (DESIGN.md §6): 8 thresholds on the absolute score, 9 labels
 * and 9 colours. What a model without a `classes:` key gets. */
extern const double lb_default_thresholds[LB_N_THRESHOLDS];
extern const char *const lb_default_class_labels[LB_N_CLASSES];
extern const char *const lb_default_class_colours[LB_N_CLASSES];

/* A development table: cuts on Δ (ascending; a value equal to a cut belongs to the upper
 * class), labels and colours (diverging red → grey → green). */
typedef struct lb_dev_table {
    size_t n_cuts;
    const double *cuts;
    const char *const *labels;
    const char *const *colours;
} lb_dev_table;

/* The default development table with @p n_classes classes: 7 (cuts ±0.0666, ±0.1333, ±0.20,
 * DESIGN.md §6) or 9 (the same plus ±0.2666, "zeer sterk achteruit/vooruit"). Returns 0 and
 * fills @p out, or -1 for another count. */
int lb_dev_table_default(size_t n_classes, lb_dev_table *out);

/* Kind name as written in model files ("count_within"). */
const char *lb_kind_name(lb_kind k);

/* Transforms, applied in this fixed order: cap, log1p, piecewise, dummy, zscore.
 * piecewise is linear interpolation through (breaks[i], values[i]), constant outside. */
typedef struct lb_transform {
    int has_cap;
    double cap_lo; /* -INFINITY when only an upper cap is given */
    double cap_hi; /* +INFINITY when only a lower cap is given */
    int log1p;
    size_t n_pieces; /* 0 = no piecewise */
    double *breaks;  /* ascending, n_pieces values */
    double *values;  /* n_pieces values */
    int has_dummy;
    double dummy_threshold;
    int dummy_above; /* 1: x >= threshold → 1 else 0; 0: x <= threshold → 1 else 0 */
    int zscore;      /* standardise against the reference population (weighted) */
} lb_transform;

/* How a raster in another CRS (or not on a north-up square-pixel grid) is resampled to RD:
 * bilinear for continuous quantities (noise, green share), nearest neighbour for classes. */
typedef enum lb_resampling { LB_RESAMPLE_BILINEAR, LB_RESAMPLE_NEAREST } lb_resampling;

typedef struct lb_indicator {
    char *id;
    char *label;     /* defaults to id */
    char *dimension; /* dimension code as written */
    int dim;         /* index into lb_model.dims */
    char *why;       /* one-line rationale, may be NULL */
    char *unit;      /* unit of the raw value ("dB Lden", "%"), UTF-8, at most 40 characters;
                        NULL when the model gives none (reports then show no unit) */
    lb_kind kind;
    char *layer;       /* named input (vector or raster) */
    char *field;       /* attribute, density (NULL = count features), share_within (class field) */
    char *value;       /* share_within: class value of field that counts, as text; may be NULL */
    int extensive;     /* attribute: 1 = counts (sum by area share), 0 = rates (weighted mean) */
    char *numerator;   /* ratio */
    char *denominator; /* ratio */
    char *filter;      /* OGR SQL WHERE clause on the layer, may be NULL */
    double per;        /* count_within: count per this many units of the model's weight within
                          the radius (per: 1000_inhabitants → 1000); 0 = plain count */
    lb_resampling resampling; /* raster_mean, share_within on a raster; default bilinear */
    double radius_m;          /* count_within, share_within, density */
    double cap_m;             /* nearest_distance; default 5000 */
    int band;                 /* raster_mean / share_within on rasters; default 1 */
    lb_transform tf;
    size_t n_missing_codes; /* missing_codes: raw values that mean "missing" (e.g. -99997) */
    double *missing_codes;
    int has_valid;   /* valid: [lo, hi]; a raw value outside is missing (with a warning) */
    double valid_lo; /* -INFINITY for an open lower end */
    double valid_hi; /* +INFINITY for an open upper end */
    double coef;     /* β, sign included */
    int sign;        /* expected sign of coef: +1, -1, or 0 for none ('sign:' absent) */
    int line;        /* 1-based line of the indicator's entry in the model file */
} lb_indicator;

typedef struct lb_dimension {
    char *code;
    char *label;
    int has_bands;
    double bands[LB_N_THRESHOLDS]; /* class thresholds on the dimension deviation, ascending */
} lb_dimension;

/* A node of the model's free-form `calibration:` block (provenance written by leefbaar
 * calibrate): a scalar (text), a mapping (kids with keys) or a list (kids without keys). */
typedef struct lb_model_node {
    char *key;     /* in a mapping; NULL in a list or at the top */
    char *text;    /* a scalar's text; NULL for a mapping or list */
    int is_number; /* a plain scalar written as a decimal number */
    int is_list;   /* 1: a list, 0: a mapping (when text is NULL) */
    size_t n_kids;
    struct lb_model_node *kids;
} lb_model_node;

/* Free what @p n holds (not @p n itself). NULL is a no-op. */
void lb_model_node_clear(lb_model_node *n);

typedef enum lb_ref_mode { LB_REF_PER_YEAR, LB_REF_FIXED } lb_ref_mode;
typedef enum lb_missing_rule { LB_MISSING_IMPUTE, LB_MISSING_DROP } lb_missing_rule;

struct lb_model {
    char *path;
    char hash[65];
    char *name;
    int version;
    char *description;

    lb_ref_mode ref_mode; /* default fixed */
    int ref_year;         /* 0 = not given */
    double ref;           /* REF, default 4.10 */
    int has_means;        /* stored M_d given for every dimension */
    double *means;        /* n_dims values when has_means */

    char *weight_name;       /* "inhabitants" (default), "dwellings" or "area" */
    char *weight_layer;      /* named input holding the weight field; default "buurten" */
    char *weight_field;      /* default AANT_INW / WONINGEN; NULL for "area" (cell share inside
                                the weight layer's polygons) */
    double cell_m;           /* grid cell size, default 100 */
    double min_weight;       /* a cell is scored when its weight >= min_weight; default 1 */
    lb_missing_rule missing; /* default impute */

    size_t n_dims;
    lb_dimension *dims;
    size_t n_ind;
    lb_indicator *ind;

    double thresholds[LB_N_THRESHOLDS];
    char *class_labels[LB_N_CLASSES];
    char *class_colours[LB_N_CLASSES]; /* "#rrggbb" */

    size_t n_dev_cuts; /* 6 (7 classes, default) or 8 (9 classes) */
    double dev_cuts[LB_MAX_DEV_CLASSES - 1];
    char *dev_labels[LB_MAX_DEV_CLASSES];
    char *dev_colours[LB_MAX_DEV_CLASSES]; /* "#rrggbb"; default red → grey → green */

    lb_model_node *calibration; /* the `calibration:` block, NULL when absent */

    size_t n_inputs; /* distinct input names, in order of first use (weight layer first) */
    char **inputs;
};

/* Load a model from the @p len bytes of @p buf (a model file's text) as lb_model_load does;
 * @p path names it in messages and in the model (its hash is that of @p buf). */
lb_status lb_model_load_buffer(lb_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                               lb_model **out);

#endif
