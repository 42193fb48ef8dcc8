/* SPDX-License-Identifier: MIT */
/* Development between two years: Δ per unit for the score and every dimension, with the
 * Leefbaarometer's development classes, as maps and tables. */
#ifndef LEEFBAAR_CHANGE_H
#define LEEFBAAR_CHANGE_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Development between two years, per unit matched on its id:
 * Δ_k = S_k(t1) − S_k(t0) for the absolute score (lbm), the total deviation (afw) and every
 * dimension, with the development class of each Δ (1 + the number of cuts at or below it: a
 * Δ equal to a cut belongs to the upper class). Units present in only one year keep a row
 * with Δ missing and are counted in the provenance.
 * @param o options of operation "change" (lb_opts_create(ctx, "change", ...)): "from" and
 *        "to", or "scores" with both years; "from-year", "to-year", "dev-classes", ... as
 *        the command line's `leefbaar change` takes them.
 * @param out receives the result (the caller frees it with lb_result_destroy): table
 *        "change" (one row per unit, with the units' polygons when a source has them); when
 *        both sides are grid runs of this tool on one grid also the rasters
 *        "change_<t0>_<t1>" (bands d_lbm, d_<dimension>) and "change_class_<t0>_<t1>" (the
 *        development class of Δlbm). No file is written: lb_result_write() writes
 *        change.gpkg (layer "change", styled), change.geojson with change.qml, change.csv,
 *        run.json and the rasters as COGs with their .qml (and with "preview" a PNG).
 * @return LB_OK, LB_ERR_ARG (options), LB_ERR_DATA (years missing, different dimensions),
 *         LB_ERR_CANCELLED, or the reading error.
 */
LB_API lb_status lb_change_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

#ifdef __cplusplus
}
#endif

#endif
