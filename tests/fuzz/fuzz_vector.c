/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: the vector layer reader of src/io/vector.c (lb_vlayer_read) on arbitrary
 * bytes as a GeoJSON file: CRS detection (the RD-metres-without-CRS trap), reprojection to RD,
 * points, lines and polygons with their rings and areas, attributes as numbers. */
#include "fuzz.h"

#include "io/vector.h"

#include <math.h>

static const char *const path = "/vsimem/fuzz/layer.geojson";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init_gdal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_vsimem(path, data, size);
    lb_ctx *ctx = fuzz_ctx();
    lb_source src = {"layer", path, NULL, NULL};
    lb_vlayer *l = NULL;
    if (lb_vlayer_read(ctx, &src, NULL, &l) == LB_OK) {
        double sum = 0;
        for (size_t f = 0; f < l->n; f++) {
            sum += (double)l->fid[f];
            if (l->kind == LB_GEOM_POINT)
                sum += l->x[f] + l->y[f];
            else if (l->wkb && l->wkb_size[f])
                sum += l->wkb[f][l->wkb_size[f] - 1];
            if (l->kind == LB_GEOM_POLYGON) {
                if (l->ring_start[f] > l->ring_start[f + 1] || l->ring_start[f + 1] > l->n_rings)
                    abort();
                sum += l->area_m2[f];
            }
        }
        for (size_t r = 0; l->kind == LB_GEOM_POLYGON && r < l->n_rings; r++)
            for (size_t k = l->ring_pt_start[r]; k < l->ring_pt_start[r + 1]; k++)
                sum += l->ring_xy[2 * k] + l->ring_xy[2 * k + 1];
        for (size_t c = 0; c < l->n_fields; c++)
            for (size_t f = 0; f < l->n; f++)
                if (!isnan(l->fields[c].num[f]))
                    sum += l->fields[c].num[f];
        double extent[4] = {l->xmin, l->ymin, l->xmax, l->ymax};
        lb_vlayer_report_outside(ctx, l, extent, 100.0);
        fuzz_sink += sum;
    } else {
        fuzz_refused(ctx, path);
    }
    lb_vlayer_destroy(l);
    lb_ctx_destroy(ctx);
    VSIUnlink(path);
    return 0;
}
