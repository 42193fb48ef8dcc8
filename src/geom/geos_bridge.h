/* SPDX-License-Identifier: MIT */
/* The only door to GEOS: handle set-up, WKB exchange, spatial index and distances. */
#ifndef LB_GEOM_GEOS_BRIDGE_H
#define LB_GEOM_GEOS_BRIDGE_H

#include <leefbaar/core.h>

/* The context's GEOS handle (a GEOSContextHandle_t, typed void * to keep GEOS out of this
 * header), created on first use with its notices and errors going into @p ctx, and kept in the
 * ctx's LB_CTX_SLOT_GEOS until lb_ctx_destroy(). One handle per ctx (one ctx per thread).
 * NULL, with LB_ERR_INTERNAL in the ctx, when GEOS cannot make one. Borrowed. */
void *lb_geom_geos_handle(lb_ctx *ctx);

/* The GEOS library version string. Static. */
const char *lb_geom_geos_version(void);

#endif
