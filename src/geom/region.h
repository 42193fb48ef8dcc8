/* SPDX-License-Identifier: MIT */
/* A region made of polygons (a wijk, a gemeente, a set of focus areas) and the share of other
 * polygons that lies inside it: the "units at least X % inside" membership rule. */
#ifndef LB_GEOM_REGION_H
#define LB_GEOM_REGION_H

#include "../io/vector.h"

#include <stddef.h>

typedef struct lb_region lb_region;

/* Union the polygon features of @p l for which @p take[f] is non-zero (NULL: all) into one
 * region. LB_ERR_DATA when the layer holds no polygons or nothing is taken; LB_ERR_GEOM when
 * GEOS cannot read or union them (invalid rings are repaired with GEOSMakeValid first).
 * *out is owned by the caller (lb_region_destroy). */
lb_status lb_region_create(lb_ctx *ctx, const lb_vlayer *l, const unsigned char *take,
                           lb_region **out);

/* Share of the polygon @p wkb (EPSG:28992 WKB) that lies inside the region: area of the
 * intersection / area of the polygon, in [0, 1]; 0 for an empty or zero-area polygon. */
lb_status lb_region_share(lb_ctx *ctx, const lb_region *r, const unsigned char *wkb, size_t size,
                          double *share);

/* Free. NULL is a no-op. */
void lb_region_destroy(lb_region *r);

#endif
