/* SPDX-License-Identifier: MIT */
/* Where scored units come from: this tool's own runs or published Leefbaarometer tables. */
#ifndef LEEFBAAR_SCORES_H
#define LEEFBAAR_SCORES_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Open scored units: this tool's own score runs or published Leefbaarometer tables, merged
 * into one table.
 * @param o options of operation "scores" (lb_opts_create(ctx, "scores", ...)):
 *        - "scores" (repeatable): a run directory of `leefbaar score` (or its run.json), whose
 *          units layer is read from scores.gpkg with every year it holds; or any OGR-readable
 *          table in long form (one row per unit and year, e.g. PC4,jaar,lbm,afw,fys,...;
 *          CSV with ',' or ';', decimal point or comma). PATH:LAYER names a layer.
 *        - "layer", "id-field", "year-field", "table-year", "weight-field", "geometry"
 *          (PATH[:LAYER] of polygons joined on the id to a table without geometry),
 *          "geometry-id", "s-srs".
 * @param out receives the result (the caller frees it with lb_result_destroy): table
 *        "scores", one row per unit and year with the id, name and parent codes when known,
 *        year, weight, lbm, its class kscore, afw and every dimension (NaN = missing), with
 *        the units' polygons when a source has them. The result writes no files.
 * @return LB_OK; LB_ERR_ARG (no "scores"); LB_ERR_IO, LB_ERR_DATA (errors name the file,
 *         layer, row and field); LB_ERR_NOMEM.
 */
LB_API lb_status lb_scores_open(lb_ctx *ctx, const lb_opts *o, lb_result **out);

#ifdef __cplusplus
}
#endif

#endif
