/* SPDX-License-Identifier: MIT */
/* Freeing and looking into vector layers; no reading (that is io/vector.c). */
#include "vlayer.h"

#include "../core/ctx.h"

#include <stdlib.h>
#include <string.h>

void lb_vlayer_destroy(lb_vlayer *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        if (f->str)
            for (size_t k = 0; k < l->n; k++)
                free(f->str[k]);
        free(f->str);
        free(f->num);
        free(f->state);
        free(f->name);
    }
    free(l->fields);
    if (l->wkb)
        for (size_t k = 0; k < l->n; k++)
            free(l->wkb[k]);
    free(l->wkb);
    free(l->wkb_size);
    free(l->fid);
    free(l->x);
    free(l->y);
    free(l->ring_start);
    free(l->ring_pt_start);
    free(l->ring_hole);
    free(l->ring_xy);
    free(l->part_start);
    free(l->part_pt_start);
    free(l->part_xy);
    free(l->area_m2);
    free(l->name);
    free(l->path);
    free(l->layer);
    free(l->driver);
    free(l->filter);
    free(l);
}

const lb_field *lb_vlayer_field(lb_ctx *ctx, const lb_vlayer *l, const char *name)
{
    for (size_t i = 0; i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            return &l->fields[i];
    char list[768] = "";
    for (size_t i = 0; i < l->n_fields; i++)
        lb_core_list_append(list, sizeof(list), l->fields[i].name);
    lb_ctx_error(ctx, LB_ERR_DATA, "input '%s' ('%s' layer '%s'): no field '%s' (fields: %s)",
                 l->name, l->path, l->layer, name, l->n_fields ? list : "none");
    return NULL;
}
