/* SPDX-License-Identifier: MIT */
/* QGIS styles of the waterbed zones GeoPackage: its units by zone (ring, adjacency order, RIGO
 * zone) and its focus areas as outlines. */
#ifndef LB_WATERBED_ZONES_STYLE_H
#define LB_WATERBED_ZONES_STYLE_H

#include "../data/table.h"

#include <leefbaar/core.h>

/* Store the styles of layers "units" (@p units: its rows as written) and "focus" of the
 * GeoPackage @p gpkg in its layer_styles: units styles "ring" (the default: categorized on
 * ring, nearest ring darkest, "beyond" grey), "adj_order" (adjacency order 1, 2, …) and "rigo"
 * (adjacent, rest of city, rest of region), each with the categories the rows hold; focus style
 * "focus" (hollow outlines). LB_OK or the style writer's error. */
lb_status lb_waterbed_style_zones(lb_ctx *ctx, const char *gpkg, const lb_table *units);

/* The legend of style "ring" for the @p n ring values @p rings (NULL entries skipped): each
 * category in legend order (nearest ring first, "beyond" last and grey) with its label and
 * colour, passed to @p emit. The viewer colours the zones with it. */
void lb_waterbed_ring_legend(const char *const *rings, size_t n,
                             void (*emit)(void *user, const char *value, const char *label,
                                          const char *colour),
                             void *user);

#endif
