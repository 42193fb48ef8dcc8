/* SPDX-License-Identifier: MIT */
/* RD New to WGS84 longitude/latitude through GDAL's coordinate transformation. */
#include "lonlat.h"

#include "gdal_env.h"

#include "../core/ctx.h"

#include <ogr_srs_api.h>

#include <stdlib.h>

/* Points per call of OCTTransformEx: bounded scratch for the separate x/y arrays it takes. */
enum { CHUNK = 4096 };

lb_status lb_io_lonlat_from_rd(lb_ctx *ctx, double *xy, size_t n, const char *what)
{
    lb_status st = LB_OK;
    OGRSpatialReferenceH rd = NULL, ll = NULL;
    OGRCoordinateTransformationH ct = NULL;
    double *x = NULL, *y = NULL;
    int *ok = NULL;

    if (n == 0)
        return LB_OK;
    lb_io_gdal_init();
    rd = lb_srs_rd(ctx);
    ll = rd ? lb_srs_wgs84(ctx) : NULL;
    if (!rd || !ll) {
        st = LB_ERR_CRS;
        goto cleanup;
    }
    ct = OCTNewCoordinateTransformation(rd, ll);
    if (!ct) {
        st = lb_ctx_error(ctx, LB_ERR_CRS,
                          "%s: no transformation from RD New (EPSG:28992) to WGS84 (EPSG:4326); "
                          "is proj-data installed?",
                          what);
        goto cleanup;
    }
    x = malloc(CHUNK * sizeof(double));
    y = malloc(CHUNK * sizeof(double));
    ok = malloc(CHUNK * sizeof(int));
    if (!x || !y || !ok) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory transforming %s to WGS84", what);
        goto cleanup;
    }
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        for (size_t i = 0; i < m; i++) {
            x[i] = xy[2 * (i0 + i)];
            y[i] = xy[2 * (i0 + i) + 1];
        }
        int all = OCTTransformEx(ct, (int)m, x, y, NULL, ok);
        for (size_t i = 0; i < m; i++) {
            if (!all && !ok[i]) {
                st = lb_ctx_error(ctx, LB_ERR_CRS,
                                  "%s: point %zu (%.3f, %.3f RD) cannot be transformed to WGS84",
                                  what, i0 + i, xy[2 * (i0 + i)], xy[2 * (i0 + i) + 1]);
                goto cleanup;
            }
            xy[2 * (i0 + i)] = x[i];
            xy[2 * (i0 + i) + 1] = y[i];
        }
    }
cleanup:
    free(ok);
    free(y);
    free(x);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (ll)
        OSRRelease(ll);
    if (rd)
        OSRRelease(rd);
    return st;
}
