/* SPDX-License-Identifier: MIT */
/* One raster band in memory on a north-up RD grid: plain data that io/raster.c fills and the
 * indicators read. (Named lb_band, not lb_raster: the public lb_raster of leefbaar/result.h is
 * a result's grid of bands.) */
#ifndef LB_DATA_BAND_H
#define LB_DATA_BAND_H

#include "grid.h"

#include <stddef.h>

/* A band in memory: values in grid index order (row 0 north), NaN for nodata. The grid's
 * x0/y0 are the raster's own corner (not necessarily multiples of the pixel size). */
typedef struct lb_band {
    char *name;
    char *path;
    int band;
    lb_grid grid;
    double *v;
    size_t n_nodata;
} lb_band;

/* Free. NULL is a no-op. */
void lb_band_destroy(lb_band *b);

#endif
