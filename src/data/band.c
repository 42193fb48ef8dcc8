/* SPDX-License-Identifier: MIT */
/* Freeing raster bands. */
#include "band.h"

#include <stdlib.h>

void lb_band_destroy(lb_band *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->path);
    free(r->v);
    free(r);
}
