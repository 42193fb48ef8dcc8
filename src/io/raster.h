/* SPDX-License-Identifier: MIT */
/* Reading single raster bands into memory (lb_band of data/band.h) on a north-up RD grid
 * (warped to RD if needed). */
#ifndef LB_IO_RASTER_H
#define LB_IO_RASTER_H

#include "../data/band.h"
#include "../data/grid.h"
#include "vector.h"

/* Read band @p band (1-based) of raster @p src->path into memory on a north-up RD New grid.
 * A raster already in EPSG:28992 with north-up square pixels is read pixel for pixel. Any other
 * (another CRS — from the file, or @p src->s_srs when the file has none or it is wrong —, a
 * rotated or non-square pixel grid) is warped to RD in memory with GDAL: pixel size the largest
 * of 100, 50, 25, 20, 10, 5, 2, 1 m not coarser than the source's resolution, corners on
 * multiples of it, every pixel position transformed exactly (gdalwarp -et 0, no approximating
 * transformer), bilinear resampling (continuous data) or, with @p nearest, nearest neighbour
 * (classes); pixels outside the source or nodata in it become NaN.
 * Errors: LB_ERR_IO (unreadable), LB_ERR_DATA (no such band, no georeferencing), LB_ERR_CRS (no
 * or unreadable CRS, failed reprojection). *out is owned by the caller (lb_raster_destroy). */
lb_status lb_raster_read_resampled(lb_ctx *ctx, const lb_source *src, int band, int nearest,
                                   lb_band **out);

/* lb_raster_read_resampled() restricted to the pixels that the RD box @p window (xmin, ymin,
 * xmax, ymax; NULL = the whole raster) touches, snapped outward to whole pixels of the raster's
 * own lattice (of the RD lattice for a warped raster), at least one pixel: a run reads only
 * the part it needs, and every pixel it reads has the value a read of everything gives.
 * Errors as lb_raster_read_resampled(), and LB_ERR_DATA when the window is too large to
 * hold (its size in bytes would not fit in size_t). */
lb_status lb_raster_read_window(lb_ctx *ctx, const lb_source *src, int band, int nearest,
                                const double *window, lb_band **out);

/* A band read strip by strip instead of whole (the zonal means of area mode, which need each
 * pixel once): only for a raster read pixel for pixel (RD New, north-up, square pixels). */
typedef struct lb_band_rows lb_band_rows;

/* Open band @p band of @p src over the window @p window (as lb_raster_read_window(): the same
 * pixel grid, the same values). *out = NULL (and LB_OK) when the raster would be warped: read it
 * whole then. Errors as lb_raster_read_window(). Closed with lb_raster_rows_close(). */
lb_status lb_raster_rows_open(lb_ctx *ctx, const lb_source *src, int band, const double *window,
                              lb_band_rows **out);
/* The window's pixel grid (row 0 north). */
const lb_grid *lb_raster_rows_grid(const lb_band_rows *rr);
/* How many rows from row @p row to read next: whole blocks of the file, about @p max_pixels
 * pixels (at least one block), not past the last row. */
int lb_raster_rows_strip(const lb_band_rows *rr, int row, size_t max_pixels);
/* Read rows [@p row, @p row + @p n_rows) of the window into @p v (n_rows × nx doubles, grid
 * index order), nodata and non-finite values as NaN, counted into *n_nodata. LB_ERR_IO when
 * the file cannot be read. */
lb_status lb_raster_rows_read(lb_ctx *ctx, lb_band_rows *rr, int row, int n_rows, double *v,
                              size_t *n_nodata);
void lb_raster_rows_close(lb_band_rows *rr);

/* lb_raster_read_resampled() with bilinear resampling. */
lb_status lb_raster_read(lb_ctx *ctx, const lb_source *src, int band, lb_band **out);

/* Free. NULL is a no-op. (lb_band_destroy of data/band.h, under the name of this file.) */
void lb_raster_destroy(lb_band *r);

/* Is @p path a raster GDAL can open (as opposed to a vector file)? */
int lb_io_path_is_raster(const char *path);

/* The struct's old name, for files outside the layout change that still use it
 * (src/change/change.c on main): remove after the merge (wt-api's change.c says lb_band, and
 * leefbaar/result.h's lb_raster is another type). */

#endif
