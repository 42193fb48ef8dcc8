/* SPDX-License-Identifier: MIT */
/* The preventiebudget scan: the first diagnosis of every wijk of one or more gemeenten (or of
 * all the input) in one run, ranked, with a forward signal where three or more years exist. */
#ifndef LEEFBAAR_SCAN_H
#define LEEFBAAR_SCAN_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Diagnose every wijk of the scored units (as `leefbaar diagnose` does for one) and rank them.
 * A wijk is the set of units sharing a wijk code (buurten) when the input has wijk codes,
 * otherwise every unit is one (wijken, PC4 areas).
 * @param o options of operation "scan" (lb_opts_create(ctx, "scan", ...)): "scores"
 *        (repeatable) and the source fields, "gemeente" (codes, 'X*' prefixes; default all),
 *        "focus", "year", the thresholds of the check, as `leefbaar scan` takes them.
 * @param out receives the result (lb_result_destroy): table "scan", one row per diagnosed wijk
 *        in rank order (rank, code, name, gemeente, year, lbm, class, the three criteria, the
 *        verdict, the trend per year with its standard error and 95 % interval, the level of
 *        the aandachtswijken and the extrapolated years until that level, the diagnosis file),
 *        with the wijk polygons when the input has geometry. lb_result_write() writes into
 *        "output": scan.csv, scan.gpkg (when there are polygons; styled on the verdict),
 *        index.html, one diagnosis <code>.html/.md/.json per wijk, and run.json.
 * @return LB_OK; LB_ERR_ARG (bad options); LB_ERR_DATA (no wijk of the gemeenten given, no
 *         wijk with a score in the last year); LB_ERR_IO, LB_ERR_CRS, LB_ERR_GEOM from reading;
 *         LB_ERR_NOMEM.
 */
LB_API lb_status lb_scan_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

#ifdef __cplusplus
}
#endif

#endif
