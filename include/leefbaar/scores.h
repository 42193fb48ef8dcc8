/* SPDX-License-Identifier: MIT */
/* Where scored units come from: this tool's own runs or published Leefbaarometer tables. */
#ifndef LEEFBAAR_SCORES_H
#define LEEFBAAR_SCORES_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One source of scores. Strings are borrowed.
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

#ifdef __cplusplus
}
#endif

#endif
