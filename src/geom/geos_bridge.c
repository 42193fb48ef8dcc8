/* SPDX-License-Identifier: MIT */
/* GEOS handle set-up: messages from GEOS are routed into the owning lb_ctx. */
#include "geos_bridge.h"

#include "../core/ctx.h"

#include <geos_c.h>

static void on_geos_notice(const char *msg, void *user)
{
    lb_log((lb_ctx *)user, LB_LOG_DEBUG, "GEOS: %s", msg);
}

static void on_geos_error(const char *msg, void *user)
{
    lb_error((lb_ctx *)user, LB_ERR_GEOM, "GEOS: %s", msg);
}

void *lb_geos_init(lb_ctx *ctx)
{
    GEOSContextHandle_t h = GEOS_init_r();
    if (!h)
        return NULL;
    GEOSContext_setNoticeMessageHandler_r(h, on_geos_notice, ctx);
    GEOSContext_setErrorMessageHandler_r(h, on_geos_error, ctx);
    return h;
}

void lb_geos_finish(void *handle)
{
    if (handle)
        GEOS_finish_r((GEOSContextHandle_t)handle);
}

const char *lb_geos_version(void)
{
    return GEOSversion();
}
