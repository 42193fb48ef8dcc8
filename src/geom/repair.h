/* SPDX-License-Identifier: MIT */
/* The one repair path for invalid polygons: GEOS MakeValid, used by every mode (grid coverage
 * walks the repaired rings; area mode, zones and overlays use the repaired geometries). */
#ifndef LB_GEOM_REPAIR_H
#define LB_GEOM_REPAIR_H

#include "../data/vlayer.h"

/* Repair the invalid polygons of @p l in place: each one's WKB, rings and area are replaced by
 * the polygonal part of its MakeValid repair, so that exact coverage (which walks the rings)
 * and the area that spreads a polygon's value over the cells agree. A bow-tie becomes its two
 * triangles, a hole outside its shell a polygon of its own, a figure-8 two rings. One warning
 * names the count and the first feature ids. No-op for other kinds or when all are valid.
 * *n_repaired (may be NULL) gets the count. LB_ERR_GEOM names a feature GEOS cannot read. */
lb_status lb_geom_make_valid_layer(lb_ctx *ctx, lb_vlayer *l, size_t *n_repaired);

#endif
