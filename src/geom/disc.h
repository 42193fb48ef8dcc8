/* SPDX-License-Identifier: MIT */
/* Exact areas of a disc intersected with axis-aligned rectangles and with polygons, in closed
 * form (no segmented circle), and the disc's coverage stencil over a square lattice. */
#ifndef LB_GEOM_DISC_H
#define LB_GEOM_DISC_H

#include <leefbaar/core.h>

#include <stddef.h>

/* Area of the disc of radius @p r centred at the origin intersected with the rectangle
 * [x0, x1] × [y0, y1] (x0 <= x1, y0 <= y1; any unit, the area is in that unit squared).
 * Closed form: inclusion–exclusion over the corners of Q(x, y) = area of the disc within
 * [0, x] × [0, y], Q = x·y while the corner is inside the circle, else
 * Q = ½(y·u + x·√(r²−x²)) + ½r²(asin(x/r) − asin(u/r)) with u = √(r²−y²) (the integral of
 * min(y, √(r²−t²)) over t in [0, x]). Rectangles wholly inside the circle return their own
 * area exactly; wholly outside, 0. */
double lb_disc_rect_area(double r, double x0, double y0, double x1, double y1);

/* The contribution of the straight edge a→b (coordinates relative to the disc centre) to the
 * area of the disc of radius @p r inside a polygon:
 *     area(disc ∩ P) = π r² · W + Σ_edges term(a, b),
 * where W is the winding number of the centre (1 inside, 0 outside; shells counter-clockwise,
 * holes clockwise) and term = ½·cross(p, q) − ½·r²·angle(p, q) for the piece p→q of the edge
 * inside the disc (0 when the edge misses the disc): the triangle (0, p, q) minus its circular
 * sector. This is the triangle-fan formula Σ area(disc ∩ triangle(0, a, b)) with every sector
 * of the edges outside the disc summed in closed form into π r² W. Exact up to rounding,
 * provided the centre is not on the edge (the caller moves it off; see lb_index_disc_area). */
double lb_disc_edge_term(double ax, double ay, double bx, double by, double r);

/* The pixels of a square lattice that a disc covers, with the covered area of each in pixel
 * units (1 = the whole pixel). Pixel (i, j) spans [i, i+1] × [j, j+1] in lattice units; the
 * disc has radius @p rho (lattice units) and its centre at (fu, fv) inside pixel (0, 0).
 * Item k covers the pixels (di[k] .. di[k]+len[k]-1, dj[k]) with area w[k] each: runs of whole
 * pixels inside the circle are one item (len > 1, w = 1), so the stencil takes O(rho) memory.
 * Items are ordered by row, then column, so sums over them have a fixed order. */
typedef struct lb_disc_stencil {
    size_t n;
    size_t cap;
    int *di;   /* first column offset */
    int *dj;   /* row offset */
    int *len;  /* number of pixels (>= 1) */
    double *w; /* covered area of each of these pixels, in (0, 1] */
} lb_disc_stencil;

/* Build the stencil into @p s (its buffers are reused and grown). Returns LB_OK, LB_ERR_ARG
 * for a radius that is not finite and positive or larger than 1e6 pixels, LB_ERR_NOMEM.
 * @p ctx may be NULL (then no message is set: for use inside worker threads). */
lb_status lb_disc_stencil_build(lb_ctx *ctx, double rho, double fu, double fv, lb_disc_stencil *s);

/* Place stencil @p s on pixel (col, row) of the row-major @p nx × @p ny lattice of values @p v
 * (row 0 first) and sum, in the stencil's order, *sw = Σ w and *sv = Σ w·v over the pixels
 * inside the lattice whose value is not NaN. */
void lb_disc_stencil_sum(const lb_disc_stencil *s, const double *v, long nx, long ny, long col,
                         long row, double *sw, double *sv);

/* Free the buffers of @p s (not @p s itself). NULL is a no-op. */
void lb_disc_stencil_free(lb_disc_stencil *s);

#endif
