/* SPDX-License-Identifier: MIT */
/* Freeing and looking into vector layers; no reading (that is io/vector.c). */
#include "vlayer.h"

#include "../core/bigmem.h"
#include "../core/ctx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The bytes of block @p b, after its header. */
static unsigned char *block_bytes(const lb_vblock *b)
{
    return (unsigned char *)(uintptr_t)(b + 1);
}

void *lb_vlayer_block_take(lb_vblock **chain, size_t bytes, size_t block_size)
{
    lb_vblock *b = *chain;
    if (!b || b->size - b->used < bytes) {
        size_t size = bytes > block_size ? bytes : block_size;
        if (size > SIZE_MAX - sizeof(lb_vblock))
            return NULL;
        b = lb_bigmem_alloc(sizeof(lb_vblock) + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = *chain;
        *chain = b;
    }
    void *p = block_bytes(b) + b->used;
    b->used += bytes;
    return p;
}

int lb_vlayer_in_blocks(const lb_vblock *chain, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    for (const lb_vblock *b = chain; b; b = b->next) {
        uintptr_t lo = (uintptr_t)block_bytes(b);
        if (a >= lo && a - lo < b->size)
            return 1;
    }
    return 0;
}

void lb_vlayer_blocks_join(lb_vblock **to, lb_vblock **from)
{
    if (!*from)
        return;
    lb_vblock *last = *from;
    while (last->next)
        last = last->next;
    last->next = *to;
    *to = *from;
    *from = NULL;
}

void lb_vlayer_blocks_free(lb_vblock *chain)
{
    while (chain) {
        lb_vblock *next = chain->next;
        free(chain);
        chain = next;
    }
}

void lb_vlayer_fields_free(lb_vlayer *l, size_t n_rows)
{
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        for (size_t k = 0; f->str && !f->text_blocks && k < n_rows; k++)
            free(f->str[k]);
        lb_vlayer_blocks_free(f->text_blocks);
        free(f->str);
        free(f->num);
        free(f->state);
        free(f->name);
    }
    free(l->fields);
    l->fields = NULL;
    l->n_fields = 0;
}

void lb_vlayer_destroy(lb_vlayer *l)
{
    if (!l)
        return;
    lb_vlayer_fields_free(l, l->n);
    if (l->wkb)
        for (size_t k = 0; k < l->n; k++)
            if (!l->wkb_blocks || !lb_vlayer_in_blocks(l->wkb_blocks, l->wkb[k]))
                free(l->wkb[k]);
    lb_vlayer_blocks_free(l->wkb_blocks);
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

size_t lb_vlayer_rings_wkb_size(const lb_vlayer *l, size_t f)
{
    size_t size = 9; /* byte order, type, number of polygons */
    for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++)
        size +=
            (l->ring_hole[r] ? 0 : 9) + 4 + 16 * (l->ring_pt_start[r + 1] - l->ring_pt_start[r]);
    return size;
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) /* little-endian whatever the host */
        p[i] = (unsigned char)(v >> (8 * i));
    return p + 4;
}

static unsigned char *put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof(v));
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
    return p + 8;
}

const unsigned char *lb_vlayer_polygon_wkb(const lb_vlayer *l, size_t f, size_t *size, int *own)
{
    if (l->wkb) {
        *own = 0;
        *size = l->wkb_size[f];
        return l->wkb[f];
    }
    *own = 1;
    *size = lb_vlayer_rings_wkb_size(l, f);
    unsigned char *w = malloc(*size), *p = w;
    if (!w)
        return NULL;
    size_t r0 = l->ring_start[f], r1 = l->ring_start[f + 1], n_poly = 0;
    for (size_t r = r0; r < r1; r++)
        n_poly += !l->ring_hole[r];
    *p++ = 1;          /* NDR */
    p = put_u32(p, 6); /* MultiPolygon */
    p = put_u32(p, (uint32_t)n_poly);
    for (size_t r = r0; r < r1; r++) {
        if (!l->ring_hole[r]) {
            size_t holes = 0;
            while (r + 1 + holes < r1 && l->ring_hole[r + 1 + holes])
                holes++;
            *p++ = 1;
            p = put_u32(p, 3); /* Polygon */
            p = put_u32(p, (uint32_t)(1 + holes));
        }
        size_t a = l->ring_pt_start[r], b = l->ring_pt_start[r + 1];
        p = put_u32(p, (uint32_t)(b - a));
        for (size_t k = 2 * a; k < 2 * b; k++)
            p = put_f64(p, l->ring_xy[k]);
    }
    return w;
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
