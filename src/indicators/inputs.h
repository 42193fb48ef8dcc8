/* SPDX-License-Identifier: MIT */
/* The named inputs of a run and everything derived from them, loaded once and reused by every
 * indicator: layers (per filter), rasters (per band), spatial indices and grid coverages. */
#ifndef LB_INDICATORS_INPUTS_H
#define LB_INDICATORS_INPUTS_H

#include "../data/band.h"
#include "../data/coverage.h"
#include "../data/grid.h"
#include "../data/vlayer.h"
#include "../geom/index.h"
#include "../io/raster.h"
#include "../io/vector.h"

typedef struct lb_inputs lb_inputs;

/* Create the cache over @p n sources (borrowed; they must outlive the cache). */
lb_status lb_inputs_create(lb_ctx *ctx, const lb_source *src, size_t n, lb_inputs **out);
void lb_inputs_destroy(lb_inputs *in);

/* Read rasters over the RD box @p window (xmin, ymin, xmax, ymax) only, or whole (NULL, the
 * default): the run's extent grown by the largest radius of its indicators, so that a national
 * raster over a small study area costs the memory of that area (lb_raster_read_window). Set it
 * before the first raster is read: rasters already cached keep their extent. */
void lb_inputs_set_window(lb_inputs *in, const double window[4]);
/* The window set with lb_inputs_set_window(), or NULL. */
const double *lb_inputs_window(const lb_inputs *in);

/* Free the rasters read from input @p name (every band and resampling): a run calls this after
 * the last indicator that uses them, so that a national run holds one raster at a time. A later
 * request reads the raster again. */
void lb_inputs_release_rasters(lb_inputs *in, const char *name);
/* Read only the features of input @p name that match the OGR SQL WHERE clause @p where (copied),
 * in every file bound to it and every vector read of it (an indicator's filter applies within).
 * LB_ERR_ARG when no input is bound as @p name. */
lb_status lb_inputs_set_where(lb_ctx *ctx, lb_inputs *in, const char *name, const char *where);
/* How many files are bound to @p name (the sources may name an input several times: its
 * vector layers are then read as one, lb_vlayer_read_list; a raster bound twice is an error). */
size_t lb_inputs_files(const lb_inputs *in, const char *name);
/* The (first) source bound to @p name, or NULL with LB_ERR_ARG naming the bound inputs. */
const lb_source *lb_inputs_source(lb_ctx *ctx, const lb_inputs *in, const char *name);

/* A vector layer (filter may be NULL). Borrowed from the cache. */
lb_status lb_inputs_vector(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                           const lb_vlayer **out);

/* lb_inputs_vector() for a caller that needs a polygon layer's rings, not its WKB (the units of
 * area mode): read with lb_vlayer_read_rings (one file bound), so l->wkb may be NULL and the WKB
 * of a feature comes from lb_vlayer_polygon_wkb(). Cached apart: lb_inputs_vector() of the same
 * name reads the layer again with its WKB; coverages (lb_inputs_coverage) use either. */
lb_status lb_inputs_vector_rings(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                                 const lb_vlayer **out);

/* Free every cached coverage (lb_inputs_coverage): for a caller done with them, before it
 * builds its outputs. Pointers to them are invalid afterwards. */
void lb_inputs_release_coverages(lb_inputs *in);

/* A raster band, warped to RD with bilinear resampling if it is not on an RD grid. Borrowed
 * from the cache. */
lb_status lb_inputs_raster(lb_ctx *ctx, lb_inputs *in, const char *name, int band,
                           const lb_band **out);

/* The same with the resampling chosen: @p nearest for categorical rasters (see
 * lb_raster_read_resampled). Cached per (name, band, resampling). */
lb_status lb_inputs_raster_resampled(lb_ctx *ctx, lb_inputs *in, const char *name, int band,
                                     int nearest, const lb_band **out);

/* Is input @p name a raster (as opposed to a vector layer)? LB_ERR_ARG when it is not bound. */
lb_status lb_inputs_is_raster(lb_ctx *ctx, const lb_inputs *in, const char *name, int *out);

/* The spatial index of a (filtered) vector layer. Borrowed. */
lb_status lb_inputs_index(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                          const lb_index **out);

/* Coverage of the polygons of input @p name over grid @p g, cached per (name, grid). Borrowed.
 * LB_ERR_DATA when the layer is not a polygon layer. */
lb_status lb_inputs_coverage(lb_ctx *ctx, lb_inputs *in, const char *name, const lb_grid *g,
                             const lb_layer_cover **out);

/* The coverage of input @p name over grid @p g when lb_inputs_coverage() has made it and it is
 * still held, else NULL (nothing is computed). Borrowed. */
const lb_layer_cover *lb_inputs_coverage_cached(lb_inputs *in, const char *name, const lb_grid *g);

/* The coverage of the polygons of input @p name restricted to the @p n cells @p cells (ascending
 * indices of grid @p g), cell-major. Cached per (name, cell list); built from the layer's
 * coverage (lb_inputs_coverage) in O(coverage entries). Borrowed. */
lb_status lb_inputs_cells_cover(lb_ctx *ctx, lb_inputs *in, const char *name, const lb_grid *g,
                                const uint32_t *cells, size_t n, const lb_cells_cover **out);

/* Compute the coverage of all polygons of @p l over @p g (owned by the caller), on
 * lb_ctx_threads(ctx) threads; the result does not depend on the number of threads. */
lb_status lb_indicators_layer_cover_compute(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g,
                                            lb_layer_cover **out);

/* The coverage of polygon feature @p f of @p l over @p g into @p one (lb_grid_cover_polygon;
 * @p one is reset), its rings set up in the caller's scratch *@p rings of *@p rcap entries
 * (grown as needed; free() it). Errors as lb_grid_cover_polygon, without the feature. */
lb_status lb_indicators_feature_cover(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g, size_t f,
                                      lb_cover *one, lb_ring **rings, size_t *rcap);

/* Set @p ctx's error @p st to a thread's message @p msg ("out of memory" for an empty one of
 * LB_ERR_NOMEM) about feature @p f of @p l, prefixed with the input, file, layer and fid. */
lb_status lb_indicators_feature_error(lb_ctx *ctx, lb_status st, const char *msg,
                                      const lb_vlayer *l, size_t f);

/* Restrict @p cov (over grid @p g) to the @p n ascending cells @p cells, cell-major (owned by
 * the caller). */
lb_status lb_indicators_cells_cover_build(lb_ctx *ctx, const lb_layer_cover *cov, const lb_grid *g,
                                          const uint32_t *cells, size_t n, lb_cells_cover **out);

#endif
