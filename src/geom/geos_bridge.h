/* SPDX-License-Identifier: MIT */
/* The only door to GEOS: handle set-up, WKB exchange, spatial index and distances. */
#ifndef LB_GEOM_GEOS_BRIDGE_H
#define LB_GEOM_GEOS_BRIDGE_H

#include <leefbaar/core.h>

/* Create a GEOS handle whose notices and errors go into @p ctx. NULL on failure. */
void *lb_geos_init(lb_ctx *ctx);

/* Finish a handle made by lb_geos_init(). NULL is a no-op. */
void lb_geos_finish(void *handle);

/* The GEOS library version string. Static. */
const char *lb_geos_version(void);

#endif
