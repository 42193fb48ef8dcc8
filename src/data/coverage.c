/* SPDX-License-Identifier: MIT */
/* Freeing coverages. */
#include "coverage.h"

#include <stdlib.h>

void lb_cover_free(lb_cover *c)
{
    if (!c)
        return;
    free(c->cell);
    free(c->frac);
    c->cell = NULL;
    c->frac = NULL;
    c->n = 0;
    c->cap = 0;
}

void lb_layer_cover_destroy(lb_layer_cover *c)
{
    if (!c)
        return;
    free(c->off);
    free(c->cell);
    free(c->frac);
    free(c);
}

void lb_cells_cover_destroy(lb_cells_cover *c)
{
    if (!c)
        return;
    free(c->off);
    free(c->poly);
    free(c->frac);
    free(c);
}
