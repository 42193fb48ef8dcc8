/* SPDX-License-Identifier: MIT */
/* First diagnosis of one wijk (eerste wijkdiagnose, DESIGN.md §8): score, dimensions against
 * the gemeente and the reference, development, background indicators, buurten, and the
 * preventiebudget check, as one self-contained HTML file plus Markdown and JSON. */
#ifndef LEEFBAAR_DIAGNOSE_H
#define LEEFBAAR_DIAGNOSE_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The first diagnosis of one wijk: read the scored units, find the wijk, its gemeente and the
 * focus areas, and compute the report's numbers.
 * @param o options of operation "diagnose" (lb_opts_create(ctx, "diagnose", ...)): "scores"
 *        (repeatable), "wijk" or "wijk-polygon", and the rest as the command line's
 *        `leefbaar diagnose` takes them.
 * @param out receives the result (the caller frees it with lb_result_destroy): table
 *        "diagnosis", one row per used year and group ("wijk", "gemeente", "focus") with the
 *        weighted means (lbm, afw, every dimension), the units and weight behind them and the
 *        class; provenance = the report's JSON document. No file is written:
 *        lb_result_write() writes <name>.html (self-contained), <name>.md and <name>.json
 *        into "output", all three or none ("name" defaults to the wijk code).
 * @return LB_OK; LB_ERR_ARG (bad options, e.g. no wijk); LB_ERR_DATA (no unit matches the wijk,
 *         listing examples of the codes present; a year not in the input; the wijk has no score
 *         in the last year); LB_ERR_IO, LB_ERR_CRS, LB_ERR_GEOM from reading; LB_ERR_NOMEM.
 */
LB_API lb_status lb_diagnose_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

#ifdef __cplusplus
}
#endif

#endif
