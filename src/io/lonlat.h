/* SPDX-License-Identifier: MIT */
/* RD New (EPSG:28992) to WGS84 longitude/latitude, for outputs that web maps read. */
#ifndef LB_IO_LONLAT_H
#define LB_IO_LONLAT_H

#include <leefbaar/core.h>

#include <stddef.h>

/* Transform the @p n points of @p xy (interleaved x, y in RD metres) in place to longitude,
 * latitude in degrees (EPSG:4326, longitude first), with PROJ's best transformation as GDAL
 * chooses it (the same one the readers use the other way). A point PROJ cannot transform is
 * LB_ERR_CRS naming @p what and the point's index. LB_ERR_NOMEM. */
lb_status lb_io_lonlat_from_rd(lb_ctx *ctx, double *xy, size_t n, const char *what);

#endif
