/* SPDX-License-Identifier: MIT */
/* GEOS handle set-up: one handle per lb_ctx, kept in its GEOS slot, with messages from GEOS
 * routed into that ctx. */
#include "geos_bridge.h"

#include "../core/ctx.h"

#include <geos_c.h>

static void on_geos_notice(const char *msg, void *user)
{
    lb_ctx_log((lb_ctx *)user, LB_LOG_DEBUG, "GEOS: %s", msg);
}

static void on_geos_error(const char *msg, void *user)
{
    lb_ctx_error((lb_ctx *)user, LB_ERR_GEOM, "GEOS: %s", msg);
}

static void finish_handle(void *handle)
{
    if (handle)
        GEOS_finish_r((GEOSContextHandle_t)handle);
}

void *lb_geom_geos_handle(lb_ctx *ctx)
{
    void *h = lb_ctx_slot_get(ctx, LB_CTX_SLOT_GEOS);
    if (h)
        return h;
    GEOSContextHandle_t g = GEOS_init_r();
    if (!g) {
        lb_ctx_error(ctx, LB_ERR_INTERNAL, "cannot create a GEOS context");
        return NULL;
    }
    GEOSContext_setNoticeMessageHandler_r(g, on_geos_notice, ctx);
    GEOSContext_setErrorMessageHandler_r(g, on_geos_error, ctx);
    lb_ctx_slot_set(ctx, LB_CTX_SLOT_GEOS, g, finish_handle);
    return g;
}

const char *lb_geom_geos_version(void)
{
    return GEOSversion();
}
