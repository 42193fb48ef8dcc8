/* SPDX-License-Identifier: MIT */
/* Development between two years: Δ per unit for the score and every dimension, with the
 * Leefbaarometer's development classes, as maps and tables. */
#ifndef LEEFBAAR_CHANGE_H
#define LEEFBAAR_CHANGE_H

#include "core.h"
#include "scores.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options of lb_change_run(). Initialise with lb_change_options_init(). Strings borrowed. */
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

/** Fill @p o with defaults. */
LB_API void lb_change_options_init(lb_change_options *o);

/**
 * Development between two years, per unit matched on its id:
 * Δ_k = S_k(t1) − S_k(t0) for the absolute score (lbm), the total deviation (afw) and every
 * dimension, with the development class of each Δ (1 + the number of cuts at or below it: a
 * Δ equal to a cut belongs to the upper class). Units present in only one year keep a row
 * with Δ missing and are counted in run.json.
 * Writes into @p o->outdir: change.gpkg (layer "change", with the units' polygons when a
 * source has them, styled on dk_lbm in layer_styles), change.geojson (RFC 7946) with its QGIS
 * sidecar change.qml, change.csv (codes as text) and run.json; when both sides are grid runs
 * of this tool on the same grid also change_<t0>_<t1>.tif (Float32 COG, bands d_lbm and
 * d_<dimension>) and change_class_<t0>_<t1>.tif (Byte COG with the development colours and
 * class names), their .qml sidecars, and with @p o->preview change_class_<t0>_<t1>.png.
 * @return LB_OK, LB_ERR_ARG (options), LB_ERR_DATA (years missing, different dimensions), or
 *         the reading/writing error; on failure nothing is left behind.
 */
LB_API lb_status lb_change_run(lb_ctx *ctx, const lb_change_options *o);

#ifdef __cplusplus
}
#endif

#endif
