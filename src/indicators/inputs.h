/* SPDX-License-Identifier: MIT */
/* The named inputs of a run and everything derived from them, loaded once and reused by every
 * indicator: layers (per filter), rasters (per band), spatial indices and grid coverages. */
#ifndef LB_INDICATORS_INPUTS_H
#define LB_INDICATORS_INPUTS_H

#include "../geom/index.h"
#include "../grid/grid.h"
#include "../io/raster.h"
#include "../io/vector.h"

/* Coverage of every polygon of a layer over the run's grid, CSR: polygon p covers cells
 * cell[off[p] .. off[p+1]) with fractions frac[...]. */
typedef struct lb_layer_cover {
    size_t n_poly;
    size_t *off;
    uint32_t *cell;
    double *frac;
} lb_layer_cover;

typedef struct lb_inputs lb_inputs;

/* Create the cache over @p n sources (borrowed; they must outlive the cache). */
lb_status lb_inputs_create(lb_ctx *ctx, const lb_source *src, size_t n, lb_inputs **out);
void lb_inputs_destroy(lb_inputs *in);

/* The source bound to @p name, or NULL with LB_ERR_ARG naming the bound inputs. */
const lb_source *lb_inputs_source(lb_ctx *ctx, const lb_inputs *in, const char *name);

/* A vector layer (filter may be NULL). Borrowed from the cache. */
lb_status lb_inputs_vector(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                           const lb_vlayer **out);

/* A raster band. Borrowed from the cache. */
lb_status lb_inputs_raster(lb_ctx *ctx, lb_inputs *in, const char *name, int band,
                           const lb_raster **out);

/* The spatial index of a (filtered) vector layer. Borrowed. */
lb_status lb_inputs_index(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                          const lb_index **out);

/* Coverage of the polygons of input @p name over grid @p g (the run's single grid: the first
 * call fixes it). Borrowed. LB_ERR_DATA when the layer is not a polygon layer. */
lb_status lb_inputs_coverage(lb_ctx *ctx, lb_inputs *in, const char *name, const lb_grid *g,
                             const lb_layer_cover **out);

/* Compute the coverage of all polygons of @p l over @p g (owned by the caller). */
lb_status lb_layer_cover_compute(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g,
                                 lb_layer_cover **out);
void lb_layer_cover_destroy(lb_layer_cover *c);

#endif
