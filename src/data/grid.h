/* SPDX-License-Identifier: MIT */
/* The square RD grid: extent snapped to multiples of cell_m, cell ids E{x/100}N{y/100}. Plain
 * data with pure accessors. */
#ifndef LB_DATA_GRID_H
#define LB_DATA_GRID_H

#include <leefbaar/core.h>

#include <stddef.h>
#include <stdint.h>

/* A north-up grid in EPSG:28992. Cell (col, row) has row 0 at the top (north), like a raster;
 * its lower-left corner is (x0 + col*cell_m, y0 + (ny-1-row)*cell_m). Index = row*nx + col. */
typedef struct lb_grid {
    double x0;     /* west edge, a multiple of cell_m */
    double y0;     /* south edge, a multiple of cell_m */
    double cell_m; /* cell size in metres */
    int nx;        /* columns */
    int ny;        /* rows */
} lb_grid;

/* Build the smallest grid of @p cell_m cells whose lower-left corners are multiples of cell_m
 * and that covers [xmin, xmax] × [ymin, ymax]. */
lb_status lb_grid_from_extent(lb_ctx *ctx, double xmin, double ymin, double xmax, double ymax,
                              double cell_m, lb_grid *out);

/* Number of cells. */
size_t lb_grid_ncells(const lb_grid *g);

/* Centre of cell @p idx in RD metres. */
void lb_grid_cell_centre(const lb_grid *g, size_t idx, double *x, double *y);

/* Lower-left corner of cell @p idx in RD metres. */
void lb_grid_cell_ll(const lb_grid *g, size_t idx, double *x, double *y);

/* Write the cell id into @p buf (at least 32 bytes): "E{floor(x/100)}N{floor(y/100)}" for the
 * 100 m grid; for other sizes "E{x}N{y}" in units of the cell size with an "_{cell_m}m" suffix,
 * e.g. "E310N926_500m" for the 500 m cell at (155000, 463000), so ids never collide across cell
 * sizes. */
void lb_grid_cell_id(const lb_grid *g, size_t idx, char *buf, size_t bufsize);

/* GDAL-style geotransform of the grid (north-up). */
void lb_grid_geotransform(const lb_grid *g, double gt[6]);

#endif
