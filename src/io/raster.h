/* SPDX-License-Identifier: MIT */
/* Reading single raster bands into memory on their own north-up RD grid. */
#ifndef LB_IO_RASTER_H
#define LB_IO_RASTER_H

#include "../grid/grid.h"
#include "vector.h"

/* A band in memory: values in grid index order (row 0 north), NaN for nodata. The grid's
 * x0/y0 are the raster's own corner (not necessarily multiples of the pixel size). */
typedef struct lb_raster {
    char *name;
    char *path;
    int band;
    lb_grid grid;
    double *v;
    size_t n_nodata;
} lb_raster;

/* Read band @p band (1-based) of raster @p src->path. The raster must be in EPSG:28992 (or
 * @p src->s_srs must say so), north-up with square pixels; otherwise LB_ERR_CRS / LB_ERR_DATA
 * tell how to fix it with gdalwarp. *out is owned by the caller (lb_raster_destroy). */
lb_status lb_raster_read(lb_ctx *ctx, const lb_source *src, int band, lb_raster **out);

/* Free. NULL is a no-op. */
void lb_raster_destroy(lb_raster *r);

/* Is @p path a raster GDAL can open (as opposed to a vector file)? */
int lb_path_is_raster(const char *path);

#endif
