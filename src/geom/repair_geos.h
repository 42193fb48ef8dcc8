/* SPDX-License-Identifier: MIT */
/* The repair of one GEOS geometry, for the GEOS users inside src/geom only. */
#ifndef LB_GEOM_REPAIR_GEOS_H
#define LB_GEOM_REPAIR_GEOS_H

#include <geos_c.h>
#include <stddef.h>

/* @p g when GEOS finds it valid, else its MakeValid repair (and *repaired is incremented).
 * Takes ownership of @p g (destroyed when replaced). NULL when @p g is NULL or GEOS fails. */
GEOSGeometry *lb_geom_make_valid(GEOSContextHandle_t h, GEOSGeometry *g, size_t *repaired);

#endif
