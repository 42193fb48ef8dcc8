/* SPDX-License-Identifier: MIT */
/* Development between two years (lb_change_run): the engine with its option struct, and the
 * pieces tests reach directly. */
#ifndef LB_CHANGE_CHANGE_H
#define LB_CHANGE_CHANGE_H

#include <leefbaar/change.h>
#include "../scores/scoreset.h"

#include "../data/result.h"
#include "../model/model.h"

#include <stddef.h>

/* Options of lb_change_compute() and lb_change_exec(). Initialise with
 * lb_change_options_init(). Strings borrowed. The output fields are used by lb_change_exec only. */
typedef struct lb_change_options {
    /** The earlier scores: a run directory (or its run.json) or a published table. When @p to
     *  has no path, this one source holds both years. */
    lb_score_source from;
    /** The later scores; to.path NULL = the same source as @p from. */
    lb_score_source to;
    int from_year; /**< t0; 0 = the only year of its source (or the first of a two-year one) */
    int to_year;   /**< t1; 0 = the only year of its source (or the last of a two-year one) */
    /** Development classes: 0 = the model's table (7 classes by default); 7 or 9 = the default
     *  table of that many classes. */
    int dev_classes;
    const double *dev_cuts; /**< custom ascending cuts (6 or 8), or NULL */
    size_t n_dev_cuts;
    int geojson_rd;            /**< 1: change.geojson in RD with a crs member; 0: RFC 7946 */
    const char *raster_format; /**< raster driver: "COG" (default when NULL) or "GTiff" */
    const char *const *creation_options; /**< raster creation options NAME=VALUE, NULL-terminated;
                                              may be NULL */
    int preview;        /**< 1: also change_class_<t0>_<t1>.png, the class map with its legend */
    char csv_sep;       /**< ',' (default) or ';' (then numbers get a decimal comma) */
    int full_precision; /**< 1: CSV and GeoJSON numbers unrounded, as in the GeoPackage */
    const char *outdir; /**< output directory; required; empty unless @p overwrite */
    int overwrite;      /**< 1: replace a previous leefbaar run's outputs in @p outdir */
    const char *command_line; /**< recorded in run.json; may be NULL */
} lb_change_options;

/* Fill @p o with defaults. */
void lb_change_options_init(lb_change_options *o);

/* Compute the change without writing a file (see lb_change_run in include/leefbaar/change.h);
 * *out is owned by the caller. The output fields of @p o are not used. */
lb_status lb_change_compute(lb_ctx *ctx, const lb_change_options *o, lb_result **out);

/* lb_change_compute, then write with the output fields of @p o (outdir required): what the
 * command did before the in-memory API, all or nothing. */
lb_status lb_change_exec(lb_ctx *ctx, const lb_change_options *o);

/* Development class of @p delta on @p n ascending cuts: 1 + #{cuts <= delta} (a Δ equal to a
 * cut belongs to the upper class, as lb_model_classify); 0 for NaN. */
int lb_change_dev_class(double delta, const double *cuts, size_t n);

/* The development table a run uses: custom cuts (labels and colours of the default table with
 * as many classes), or the default table of @p dev_classes (7 or 9) when the model's has
 * another size, else the model's. @p model_* is the scores' table (model or default).
 * LB_ERR_ARG for a bad count or cuts that do not ascend. Strings in @p out are borrowed. */
typedef struct lb_dev_choice {
    size_t n_cuts;
    double cuts[LB_MAX_DEV_CLASSES - 1];
    const char *labels[LB_MAX_DEV_CLASSES];
    const char *colours[LB_MAX_DEV_CLASSES];
} lb_dev_choice;

lb_status lb_change_dev_choose(lb_ctx *ctx, const lb_change_options *o, size_t model_n_cuts,
                               const double *model_cuts, char *const *model_labels,
                               char *const *model_colours, lb_dev_choice *out);

#endif
