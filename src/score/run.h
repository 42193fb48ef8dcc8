/* SPDX-License-Identifier: MIT */
/* The score module's private state: one run (model, years, grid, output directory) and one
 * year of it (inputs, scored cells, scores, output rows), and the steps that the module's
 * files share: plan.c, units.c, evaluate.c, grid_run.c, area_run.c, tables.c, provenance.c,
 * outputs.c and score.c. */
#ifndef LB_SCORE_RUN_H
#define LB_SCORE_RUN_H

#include "score.h"

#include "../aggregate/aggregate.h"
#include "../core/codes.h"
#include "../data/table.h"
#include "../data/grid.h"
#include "../indicators/indicators.h"
#include "../indicators/polygons.h"
#include "../io/outdir.h"
#include "../model/score.h"

#include <json-c/json_object.h>
#include <stddef.h>
#include <stdint.h>

/* The outputs made from the units table. */
#define LB_SCORE_UNITS_OUTPUTS (LB_OUT_GPKG | LB_OUT_GEOJSON | LB_OUT_CSV)

/* One year of a run: its inputs, its scored cells and scores, and its rows of the output
 * tables. The heavy arrays are freed as soon as the year's tables are made; the scored cells
 * and their scores stay while the result lives when it has rasters (they fill them).
 * Cell arrays are compact: they hold the scored cells only (ascending grid index), so memory
 * follows the populated area, not the grid's extent. In area mode they hold one entry per
 * unit. */
typedef struct score_year {
    int year;
    lb_source *src;
    size_t n_src;
    lb_inputs *in;
    const lb_vlayer *weight_layer;
    const lb_vlayer *units;
    double *cell_w; /* whole grid, while the indicators are evaluated */
    double weight_input, weight_grid, weight_lost; /* weight totals (grid_run.c) */
    uint32_t *cells;                               /* the scored cells, ascending */
    size_t n_scored;
    size_t n_water; /* units left out as water only (WATER = JA) */
    double *w;      /* weight of cells[k] */
    double **x;     /* x[i][k]: raw value of indicator i at cells[k] */
    lb_reference ref;
    lb_scores sc; /* compact: unit k is cells[k] */
    lb_unit_scores unit;
    double **ux, **uc; /* per indicator and unit: mean raw value and contribution */
    lb_table *grid_t, *units_t;
    struct json_object *counts, *timings;
    double t_stage;
} score_year;

/* Everything one run holds; freed in lb_score_state_free(). After lb_score_compute() it is
 * the payload of the result: @p o is gone then, and the writer reads only what is kept. */
typedef struct score_run {
    const lb_score_options *o; /* during the computation only */
    size_t n_inputs;           /* o->n_inputs */
    int area;                  /* area mode */
    int rasters;               /* the years' cells and scores are kept for the rasters */
    char **protect;            /* the input, model and reference paths: no output replaces one */
    size_t n_protect;
    lb_table *units_t, *grid_t; /* all years' tables, borrowed from the result (may be NULL) */
    struct json_object *doc;    /* run.json as computed: no outputs, no write timing */
    const lb_write_opts *w;     /* during the write only */
    unsigned want;              /* during the write only: the LB_OUT_* bits written */
    lb_model *model;
    size_t n_years;
    score_year *yr;   /* in the order they are scored: the reference year first */
    int single;       /* one year and no NAME@YEAR binding: messages as before years existed */
    char **plain;     /* o->inputs[i].name without @YEAR */
    int *bind_year;   /* o->inputs[i]'s year, 0 = every year */
    char *units_name; /* --units, else the weight layer */
    const char *id_field;
    char *id_field_own; /* id_field when found in the units (they are freed after each year) */
    lb_grid grid;
    lb_reference fixed; /* the reference of fixed mode, once known */
    int have_fixed;
    lb_outdir out;
    struct json_object *outputs, *timings, *peak_mb;
    double t_stage;
    struct score_hashing *hashing; /* the inputs' SHA-256, computed while the run reads them */
} score_run;

/* ---- options.c ---------------------------------------------------------------------------- */

/* The outputs a run writes: the options' choice, else all its mode has. */
unsigned lb_score_options_outputs(const lb_score_options *o);

/* The outputs of mode @p area for the choice @p outputs (0 = all the mode has). */
unsigned lb_score_options_outputs_of(int area, unsigned outputs);

/* The options checked before any work, in the order the messages have always come: the model,
 * CSV separator, years, outputs against the mode; in grid mode also no joins and the raster
 * format and creation options. LB_OK or LB_ERR_ARG with the message. */
lb_status lb_score_options_check(lb_ctx *ctx, const lb_score_options *o);

/* The write options checked against the mode, as lb_score_options_check() checks the struct's:
 * CSV separator, outputs, preview, raster format and creation options. */
lb_status lb_score_options_check_write(lb_ctx *ctx, int area, const lb_write_opts *w);

/* The options of operation "score" in @p opts as the struct, in @p o; the struct's strings
 * point into @p opts and into *@p hold, which the caller frees with
 * lb_score_options_release(). LB_ERR_ARG for a value that does not parse. */
typedef struct lb_score_hold {
    lb_input_spec *inputs;
    lb_where_spec *wheres;
    lb_join_spec *joins;
    int *years;
    char **bufs; /* writable copies the specs point into */
    size_t n_bufs;
} lb_score_hold;
lb_status lb_score_options_from(lb_ctx *ctx, const lb_opts *opts, lb_score_options *o,
                                lb_score_hold *hold);
void lb_score_options_release(lb_score_hold *hold);

/* ---- score.c: the run's state, timings ------------------------------------------------- */

/* A fresh run of @p o: timings and outputs started. */
score_run lb_score_state_init(const lb_score_options *o);

/* Free the year's indicator values (x), whole-grid weights and unit values (unit, ux, uc);
 * the cells, their weights and scores stay. */
void lb_score_year_free_values(score_year *y, size_t n_ind);

/* Free the year's heavy arrays (indicators, unit values, and unless @p keep_scores the cells
 * and their scores); the tables stay. */
void lb_score_year_free_arrays(score_year *y, size_t n_ind, int keep_scores);

/* Free everything @p r holds. */
void lb_score_state_free(score_run *r);

/* Monotonic seconds. */
double lb_score_now(void);

/* Stage @p name of the run ends now: its time and the peak memory so far into run.json. */
void lb_score_stage_done(score_run *r, const char *name);

/* Stage @p name of year @p y ends now: timed for the year and in the run's totals. */
void lb_score_year_stage(score_run *r, score_year *y, const char *name);

/* Progress over the run: year t of n takes an equal share of 0.05 … 0.90. */
lb_status lb_score_year_progress(lb_ctx *ctx, const score_run *r, size_t t, double within,
                                 const char *stage);

/* ---- plan.c: years, bindings, reading ------------------------------------------------------ */

/* The model, the years in scoring order, the bindings checked, the units' name. */
lb_status lb_score_plan_start(lb_ctx *ctx, score_run *r);

/* Grid mode: lb_score_plan_start(), then every year's inputs bound and its weight and units
 * layers read, one grid over the union of their extents, and the fixed reference of
 * --reference. */
lb_status lb_score_plan_prepare(lb_ctx *ctx, score_run *r);

/* Bind the inputs of year @p y and check that every input the model names is bound. */
lb_status lb_score_plan_bind_year(lb_ctx *ctx, score_run *r, score_year *y);

/* The fixed reference of --reference, with a warning where the model's mode disagrees. */
lb_status lb_score_plan_reference(lb_ctx *ctx, score_run *r);

/* @p st with "year Y: " in front of its message when the run has years to tell apart. */
lb_status lb_score_plan_year_error(lb_ctx *ctx, const score_run *r, const score_year *y,
                                   lb_status st);

/* Rasters are read over the box (x0, y0, x1, y1) the run scores, grown by the largest radius of
 * the model's indicators (a disc or a grown unit reaches that far) and a metre for rounding. */
void lb_score_plan_raster_window(score_run *r, double x0, double y0, double x1, double y1);

/* ---- units.c: the polygon units ------------------------------------------------------------ */

/* The polygon units of year @p y (--units, default the weight layer) and their id field (as
 * --id-field, else found in the first year's layer), ids checked. None for --units grid. */
lb_status lb_score_units_load(lb_ctx *ctx, score_run *r, score_year *y);

/* The layer's own name of the first of @p cand it has (case-insensitive), or NULL. */
const char *lb_score_units_field(const lb_vlayer *l, const char *const *cand, size_t n);

/* The layer's code field of @p level (codes.h), or with LB_CODE_NONE the one that identifies
 * its rows (the finest level present); NULL when it has none. */
const char *lb_score_units_code_field(const lb_vlayer *l, lb_code_level level);

/* Which units are water only (the CBS field says "JA"): 1 in @p water (n units), and the
 * count. Units without such a field are land. */
size_t lb_score_units_water(const lb_vlayer *l, unsigned char *water);

/* One warning for the water-only units of @p l (count and first codes). */
void lb_score_units_warn_water(lb_ctx *ctx, const score_run *r, const lb_vlayer *l,
                               const unsigned char *water, size_t n_water);

/* The id of unit @p u for a message: its cell id (grid: @p cells), its code, else its fid. */
void lb_score_units_label(const score_run *r, const score_year *y, const uint32_t *cells, size_t u,
                          char *buf, size_t size);

/* ---- evaluate.c: indicators and contributions (grid and area mode) ------------------------ */

/* Evaluate every indicator of the model for year @p y (the @p t-th scored) into y->x: on the
 * y->n_scored cells y->cells with weights y->cell_w (grid mode, @p area NULL), or on each of
 * the @p n units of @p area (area mode; @p scored marks the units in the population). Then the
 * model's missing codes and valid ranges are applied, raster indicators without a valid pixel
 * warned about, and an input's rasters freed after its last indicator. */
lb_status lb_score_evaluate(lb_ctx *ctx, score_run *r, score_year *y, size_t t, lb_area *area,
                            size_t n, const unsigned char *scored);

/* The contribution β·f(x) of indicator @p i at each of the @p n values @p x against @p ref
 * (a missing value is imputed at the reference contribution by lb_model_contribution); NaN where
 * @p lbm (may be NULL) is NaN, i.e. for a unit that is not scored. */
void lb_score_evaluate_contributions(const lb_model *m, size_t i, const lb_reference *ref,
                                     const double *x, const double *lbm, size_t n, double *out);

/* ---- grid_run.c: one year on the grid ----------------------------------------------------- */

/* Grid mode of lb_score_compute(): read, score every year on one grid, aggregate to the
 * units; the tables and rasters into @p res. */
lb_status lb_score_grid_compute(lb_ctx *ctx, score_run *r, lb_result *res);

/* ---- area_run.c -------------------------------------------------------------------------- */

/* Area mode of lb_score_compute(): every unit scored from its own indicators; the units table
 * into @p res. */
lb_status lb_score_area_compute(lb_ctx *ctx, score_run *r, lb_result *res);

/* ---- tables.c: the output tables ----------------------------------------------------------- */

/* The scored cells of @p y as rows (cell id, scores, weight, flags) into y->grid_t, with their
 * squares when @p geometry (the grid layer; grid.csv goes without). The cell ids are packed in
 * one block, the class labels shared. Without rasters (r->rasters 0) the table takes the
 * year's real arrays (y->w, y->sc.lbm, afw, dev), which become NULL. */
lb_status lb_score_tables_grid(lb_ctx *ctx, score_run *r, score_year *y, int geometry);

/* The units of @p y into y->units_t: code, name and parent codes, the scores @p s and weight
 * @p w, the integer columns @p ints, per indicator x_<id> (@p ux) and c_<id> (@p uc), and, when
 * @p geometry, the polygons (<units>.csv goes without). */
lb_status lb_score_tables_units(lb_ctx *ctx, score_run *r, score_year *y, int geometry,
                                const lb_scores *s, const double *w, size_t n_ints,
                                const char *const *ints, const int *const *ivals, double *const *ux,
                                double *const *uc);

/* One table of all years' rows (the years' tables share their columns, or a column missing in
 * a year is NULL there) into *@p out. One part is moved (parts[0] becomes NULL); of several,
 * the geometries are moved out of @p parts and the columns copied. The caller frees what
 * @p parts still holds. */
lb_status lb_score_tables_concat(lb_ctx *ctx, lb_table **parts, size_t n, lb_table **out);

/* ---- provenance.c: run.json --------------------------------------------------------------- */

/* Start hashing the inputs of r->o (the regular files among them) on a thread of its own, so
 * that the SHA-256 of hundreds of MB is computed while the run reads and computes; run.json
 * waits for it. Without memory or a thread the hashes are computed when run.json is made. */
void lb_score_hash_start(score_run *r);

/* Wait for the hashing thread (if any) and free what it holds. */
void lb_score_hash_free(score_run *r);

/* The run.json document of @p r: grid mode with the raster options of r->o, area mode with
 * its own counts and joins; "outputs" empty. New object owned by the caller. */
struct json_object *lb_score_provenance(lb_ctx *ctx, const score_run *r);

/* The parts of run.json that the write decides: the options that shaped the files (GeoJSON CRS,
 * CSV separator, and in grid mode -of, -co, --preview), set in place in @p doc. */
void lb_score_provenance_write_options(const score_run *r, const lb_write_opts *w,
                                       struct json_object *doc);

/* The counts of grid year @p y for run.json (y->counts). */
void lb_score_provenance_year_counts(score_year *y);

/* ---- outputs.c: files ---------------------------------------------------------------------- */

/* The writer of a score result (its ops->write): every file of the run into a temporary
 * directory in w->outdir, which appears when all are complete. */
lb_status lb_score_outputs_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w);

/* Grid mode: the output directory of the options (o->outdir, may be NULL), when it exists
 * already, checked as the write will check it (empty, or a previous run's with overwrite; no
 * input inside), so that a run that cannot be written fails before the scoring. Nothing stays
 * behind in it. */
lb_status lb_score_outputs_precheck(lb_ctx *ctx, const score_run *r);

/* Add @p dt seconds to stage @p name of "timings_s" of @p doc and the peak memory so far to
 * its "peak_rss_mb" (score.c). */
void lb_score_doc_stage(struct json_object *doc, const char *name, double dt);

#endif
