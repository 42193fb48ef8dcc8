/* SPDX-License-Identifier: MIT */
/* The score module's interface inside the library: the options as a struct (what the public
 * lb_score_run() fills from an lb_opts), the computation into an lb_result, and compute + write
 * in one call for the tests and the demo. */
#ifndef LB_SCORE_SCORE_H
#define LB_SCORE_SCORE_H

#include <leefbaar/score.h>

#include "../data/result.h"

#include <stddef.h>

/** A named input bound to a file: NAME[@YEAR]=PATH[:LAYER] on the command line. */
typedef struct lb_input_spec {
    const char *name;  /**< the name the model uses ("buurten", "amenities", "noise"), or
                            NAME@YEAR ("buurten@2022") for a file of one year of a multi-year
                            run; a plain NAME serves every year unless a NAME@YEAR binding
                            replaces it for that year */
    const char *path;  /**< vector or raster file */
    const char *layer; /**< layer in a multi-layer file; NULL = the first */
} lb_input_spec;

/** A selection of one input's features: --where NAME=EXPR on the command line. */
typedef struct lb_where_spec {
    const char *input; /**< input name as the model uses it (every year's binding of it) */
    const char *where; /**< OGR SQL WHERE clause, e.g. "gemeentecode = 'GM0363'" */
} lb_where_spec;

/** How a score run scores: on the 100 m grid, then aggregated to the units (the default),
 *  or directly on each polygon of the units (area mode: no grid, no rasters written). */
typedef enum lb_score_mode { LB_MODE_GRID = 0, LB_MODE_AREA = 1 } lb_score_mode;

/** An attribute table (DBF, CSV, a layer without geometry) joined to the units on a code, in
 *  area mode: --join NAME=KEY[:UNITS_KEY] on the command line. */
typedef struct lb_join_spec {
    const char *input;     /**< a bound input, e.g. "kwb" for --input kwb=wijk_2017.dbf */
    const char *key;       /**< its code field, e.g. "WK_CODE" */
    const char *units_key; /**< the units' field with the same codes; NULL = same as key */
} lb_join_spec;

/** Options of lb_score_compute() and lb_score_exec(). Initialise with lb_score_options_init().
 * Strings are borrowed. */
typedef struct lb_score_options {
    const char *model_path;          /**< model file (YAML); required */
    const unsigned char *model_text; /**< when set, the model's text (model_text_len bytes),
                                          read instead of the file model_path, which then only
                                          names it (calibrate scores a copy with unit
                                          coefficients this way) */
    size_t model_text_len;
    const lb_input_spec *inputs; /**< bound inputs */
    size_t n_inputs;
    int year;         /**< year of the data, recorded in every output; 0 = unknown */
    const int *years; /**< several years scored in one run (same model); when given, year
                           must be 0 or one of them */
    size_t n_years;
    const char *units;          /**< polygon input to aggregate to; NULL = the weight layer;
                                     "grid" = grid only */
    const char *id_field;       /**< id field of the units; NULL = first of BU_CODE, WK_CODE,
                                     GM_CODE, PC6, PC4, CODE */
    const char *reference_path; /**< run.json of a reference run: every year is scored
                                     against its REF, M_d and indicator means (fixed mode) */
    const char *s_srs;          /**< CRS of inputs that declare none (e.g. "EPSG:28992") */
    int geojson_rd;             /**< 1: GeoJSON in RD with a crs member; 0: RFC 7946 */
    char csv_sep;               /**< ',' (default) or ';' (then numbers get a decimal comma) */
    int full_precision;         /**< 1: CSV and GeoJSON numbers unrounded, read back as the same
                                     doubles as the GeoPackage's; 0: rounded (README) */
    const char *outdir;         /**< output directory, created when absent; required. It must
                                     be empty unless @p overwrite is set, and never holds an
                                     input of the run */
    int overwrite;              /**< 1: replace the outputs of a previous leefbaar run in
                                     @p outdir (those its run.json lists); other files are
                                     never replaced or deleted (the run fails instead) */
    const char *command_line;   /**< recorded in run.json; may be NULL */
    lb_score_mode mode;         /**< LB_MODE_GRID (default) or LB_MODE_AREA */
    const lb_join_spec *joins;  /**< area mode: attribute tables joined to the units */
    size_t n_joins;
    const lb_where_spec *wheres; /**< inputs read only where their features match */
    size_t n_wheres;
    const char *raster_format;           /**< raster driver: "COG" (default when NULL) or "GTiff" */
    const char *const *creation_options; /**< raster creation options NAME=VALUE overriding
                                              the defaults, NULL-terminated; may be NULL */
    int preview;                         /**< 1: also write class_<year>.png, a PNG with a legend */
    unsigned outputs; /**< LB_OUT_* bits: the outputs to write; 0 = all (area mode: all but
                           grid and tif, which it never writes) */
} lb_score_options;

/** Fill @p o with defaults. */
void lb_score_options_init(lb_score_options *o);

/**
 * Score as lb_score_exec() does, into a new result without writing any file (inputs are only
 * read): table "<units>" (one row per unit and year, with geometry) unless o->units is "grid",
 * table "grid" (the scored cells of every year; with their squares when o->outputs has grid),
 * per year the rasters "scores_<year>" (lbm and one band per dimension) and "class_<year>"
 * (the class 1..9, NaN where none), filled on demand from the scores kept in the result, and
 * the run.json document as provenance. Area mode has the units table only. The output fields
 * of @p o are not used, except o->outputs: a table or raster behind an output it leaves out is
 * not built (the result cannot write that output then); and in grid mode an o->outdir that
 * exists already is checked after the inputs are read, as the write will check it, so that a
 * run that could not be written fails before the scoring. The ctx's warnings are reset first and
 * copied into the result. *out belongs to the caller (lb_result_destroy); its writer (the
 * result's ops) writes exactly the files of lb_score_exec().
 */
lb_status lb_score_compute(lb_ctx *ctx, const lb_score_options *o, lb_result **out);

/**
 * lb_score_compute(), then its result written (lb_result_write_with) with the output fields of
 * @p o: what `leefbaar score` does. Score one or several years and write, into @p o->outdir:
 * scores.gpkg (layers "grid" and the units, one row per unit and year with a year column), per year
 * scores_<year>.tif (Float32 COG: lbm + one band per dimension) and class_<year>.tif (Byte COG, 9
 * classes with colour table), <units>.geojson (RFC 7946) and <units>.csv (all years, tidy) and
 * run.json (years, per-year counts and references, timings). All years share one grid.
 *
 * Reference: in the model's fixed mode the reference year (the model's, else the first year
 * with a warning) is scored first against its own population and every other year against its
 * REF, M_d and indicator means; with @p o->reference_path every year is scored against that
 * run's reference; in per_year mode each year is its own reference.
 * The units layer gets, per indicator, x_<id> (weighted mean raw value over the unit's scored
 * cells with a value) and c_<id> (weighted mean contribution β·f(x), imputed cells at the
 * reference contribution), so that Σ_{i∈d} c_i − M_d = dev_d.
 * Outputs carry their QGIS styles: each scores.gpkg layer has a default style in layer_styles,
 * and scores_<year>.qml, class_<year>.qml and <units>.qml are sidecars; class_<year>.tif's
 * category names are in class_<year>.tif.aux.xml; with o->preview also class_<year>.png.
 * In area mode (@p o->mode LB_MODE_AREA) every polygon of the units is scored from its own
 * indicators (see DESIGN.md §4) and only scores.gpkg (layer <units>), <units>.geojson,
 * <units>.csv and run.json ("mode": "area") are written.
 * @p o->outputs selects a subset of these files (for national runs the grid layer, with a
 * polygon per scored cell, and the GeoJSON are the slow ones); the heavy arrays behind an output
 * that is not written are not built.
 * Files are written under a temporary name and renamed only when all succeeded; on failure
 * nothing is left behind and inputs are never modified.
 * @return LB_OK or the status of the first failure, with a message naming file, layer,
 *         feature, field or model line.
 */
lb_status lb_score_exec(lb_ctx *ctx, const lb_score_options *o);

#endif
