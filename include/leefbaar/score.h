/* SPDX-License-Identifier: MIT */
/* Scoring: read inputs, evaluate indicators on the grid, score, aggregate, into a result. */
#ifndef LEEFBAAR_SCORE_H
#define LEEFBAAR_SCORE_H

#include "core.h"
#include "options.h"
#include "result.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Score one or several years into a new result, without writing any file (inputs are only
 * read). @p o holds options of operation "score" (lb_opts_create(ctx, "score", ...)); its keys
 * are the long options of `leefbaar score` ("model", "input", "year", "years", "units",
 * "id-field", "where", "mode", "join", "reference", "s-srs", ...; see lb_opts_key_name()).
 * "model" is required.
 *
 * The result holds table "<units>" (e.g. "buurten": one row per unit and year, with the unit's
 * polygon; scores lbm, afw, the dimensions, kscore, klasse, k_<dim>, weight, counts, flags, and
 * per indicator x_<id> and c_<id>) unless "units" is "grid"; table "grid" (one row per scored
 * cell and year: cell_id, the scores, weight, n_imputed, flags, with the cell's square when
 * "outputs" includes grid); per year the rasters "scores_<year>" (band "lbm" and one band per
 * dimension) and "class_<year>" (band "class": 1..9, NaN where no cell is scored) on the run's
 * grid; the run.json document as provenance; and the run's warnings. In area mode ("mode"
 * "area") it holds the units table only. See README.md for the columns.
 *
 * The write keys ("output", "overwrite", "csv-sep", "geojson-crs", "full-precision", "of",
 * "co", "preview") are for lb_result_write(), which writes scores.gpkg, <units>.geojson,
 * <units>.csv, the rasters with their QGIS styles and run.json exactly as `leefbaar score`
 * does. "outputs" is read here as well: a table or raster behind an output it leaves out is
 * not built (national runs save the grid layer's polygons that way); and in grid mode an
 * "output" directory that exists already is checked after the inputs are read, so that a run
 * that could not be written fails before the scoring (nothing is written there).
 *
 * @param ctx context; its warnings are reset at the start and copied into the result.
 * @param o options of "score" (borrowed; the result does not refer to them).
 * @param out receives the result on success; the caller frees it with lb_result_destroy().
 * @return LB_OK; LB_ERR_ARG (options of another operation, a missing model, an option that
 *         does not fit the others); LB_ERR_IO, LB_ERR_DATA, LB_ERR_MODEL, LB_ERR_CRS with a
 *         message naming file, layer, feature, field or model line; LB_ERR_CANCELLED;
 *         LB_ERR_NOMEM.
 */
LB_API lb_status lb_score_run(lb_ctx *ctx, const lb_opts *o, lb_result **out);

/**
 * Run the whole demo chain on the embedded demo city and write its files: score 2020 (the
 * reference year) and 2022 in one run into OUTDIR/score (PNG previews of both class maps),
 * their development 2020 -> 2022 into OUTDIR/change (with a PNG preview of the development
 * class map), the first diagnosis of wijk Centrum (WK990100) into OUTDIR/diagnose (see
 * lb_diagnose_run()) and the waterbed analysis around the focus wijken into OUTDIR/waterbed
 * (see lb_waterbed_run()). Unlike the other operations it computes and writes in one call:
 * each step reads the files of the one before, as a user's chain would.
 * @p o holds options of operation "demo": "output" (OUTDIR, required), "data" (the folder
 * holding shapes/, rasters/ and models/default.yaml; required: the library does not guess
 * where it is installed — the command line finds it), "overwrite" (replace the outputs of a
 * previous demo; without it each of the four directories must be absent or empty), "of" and
 * "co" (raster format and creation options, as for score).
 * @return LB_OK; LB_ERR_ARG (missing or bad options); LB_ERR_CANCELLED; or the status of the
 *         failing step, whose outputs are then left as they were.
 */
LB_API lb_status lb_demo_run(lb_ctx *ctx, const lb_opts *o);

#ifdef __cplusplus
}
#endif

#endif
