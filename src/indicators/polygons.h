/* SPDX-License-Identifier: MIT */
/* Area mode: indicators evaluated directly on polygon units (buurten, wijken, PC4), without a
 * grid, from the units' own attributes, joined attribute tables and exact vector overlays. */
#ifndef LB_INDICATORS_POLYGONS_H
#define LB_INDICATORS_POLYGONS_H

#include "../model/model.h"
#include "inputs.h"

/* The polygon units of an area-mode run with what is derived from them once: GEOS shapes,
 * points on surface, joined tables, overlay sets of other layers. */
typedef struct lb_area lb_area;

/* Create over the units layer @p units, bound as input @p units_name in @p in (both borrowed;
 * they must outlive the area). @p cell_m is the model's cell size: the weight of kind 'area'
 * is the unit's area in cells (hectares for 100 m), as the grid's area weights add up.
 * *out: lb_area_destroy. */
lb_status lb_area_create(lb_ctx *ctx, lb_inputs *in, const char *units_name, const lb_vlayer *units,
                         double cell_m, lb_area **out);

/* Free. NULL is a no-op. */
void lb_area_destroy(lb_area *a);

/* Tell @p a the model whose indicators lb_indicators_eval_polygons() will evaluate, in model
 * order. A raster mean over the units themselves (raster_mean; share_within of a raster with
 * radius 0) after which no other indicator can use the units' coverage then computes each
 * unit's coverage as the raster's strips reach it and frees it after the unit's last strip,
 * instead of holding the coverage of every unit (T2: 58 MB) for indicators that will not come.
 * Without this call every such mean holds the whole coverage, shared by the later ones. The
 * means are the same bits either way. */
void lb_area_plan(lb_area *a, const lb_model *m);

/* Join the attribute table bound as input @p name (DBF, CSV, a layer without geometry) to the
 * units: table row with @p key == the unit's @p units_key (NULL: the same field name), codes
 * compared as trimmed text. Units without a row get missing values (one warning: count and
 * the first codes); table rows without a unit are ignored. Errors (LB_ERR_DATA) name the file,
 * the field (listing the fields) or a code that occurs twice in the table with both rows. */
lb_status lb_area_join(lb_ctx *ctx, lb_area *a, const char *name, const char *key,
                       const char *units_key);

/* Is input @p name a table joined with lb_area_join()? */
int lb_area_is_joined(const lb_area *a, const char *name);

/* The weight of each unit (m->weight_*): the field of the units themselves, of a joined table,
 * or of another polygon layer carried over by area share (Σ v·|A∩B|/|B|); for weight 'area'
 * the unit's area / cell_m². A missing value gives NaN and is counted in *n_missing. */
lb_status lb_area_weights(lb_ctx *ctx, lb_area *a, const lb_model *m, double *w, size_t *n_missing);

/* Evaluate @p ind on every unit: out[u] for u < units->n, NaN = missing.
 *  attribute  units' own field; a joined table's field; another polygon layer by exact
 *             overlay (extensive: Σ v·|A∩B|/|B|, missing when an overlapping B is missing;
 *             intensive: Σ v·|A∩B| / Σ |A∩B| over the B with a value)
 *  ratio      the same for numerator and denominator, then their quotient
 *  count_within   features within radius_m of the polygon (0: inside it, boundary included)
 *  density        the same count (or Σ field) per km² of the polygon grown by radius_m
 *  nearest_distance  exact distance from the unit's point on surface, capped at cap_m
 *  share_within   share of the polygon grown by radius_m covered by the layer's polygons
 *                 (of class field = value), or the raster's mean over it
 *  raster_mean    mean of the raster over the polygon by exact pixel coverage fractions
 * Errors name the indicator and its model line. */
lb_status lb_indicators_eval_polygons(lb_ctx *ctx, const lb_indicator *ind, lb_area *a,
                                      double *out);

#endif
