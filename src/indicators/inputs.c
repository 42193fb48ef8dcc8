/* SPDX-License-Identifier: MIT */
/* Cache of inputs and derived structures so that each is read or computed once per run. */
#include "inputs.h"

#include "../core/ctx.h"
#include "../grid/coverage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum entry_kind { ENTRY_VECTOR, ENTRY_RASTER, ENTRY_INDEX, ENTRY_COVER } entry_kind;

typedef struct entry {
    entry_kind kind;
    char *name;
    char *filter; /* vector / index */
    int band;     /* raster */
    void *obj;
} entry;

struct lb_inputs {
    const lb_source *src;
    size_t n_src;
    entry *e;
    size_t n_e;
};

lb_status lb_inputs_create(lb_ctx *ctx, const lb_source *src, size_t n, lb_inputs **out)
{
    lb_inputs *in = calloc(1, sizeof(*in));
    if (!in)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    in->src = src;
    in->n_src = n;
    *out = in;
    return LB_OK;
}

void lb_inputs_destroy(lb_inputs *in)
{
    if (!in)
        return;
    /* Indices and coverages borrow layers: free them first. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < in->n_e; i++) {
            entry *e = &in->e[i];
            if (pass == 0 && e->kind == ENTRY_INDEX)
                lb_index_destroy(e->obj);
            else if (pass == 0 && e->kind == ENTRY_COVER)
                lb_layer_cover_destroy(e->obj);
            else if (pass == 1 && e->kind == ENTRY_VECTOR)
                lb_vlayer_destroy(e->obj);
            else if (pass == 1 && e->kind == ENTRY_RASTER)
                lb_raster_destroy(e->obj);
        }
    for (size_t i = 0; i < in->n_e; i++) {
        free(in->e[i].name);
        free(in->e[i].filter);
    }
    free(in->e);
    free(in);
}

const lb_source *lb_inputs_source(lb_ctx *ctx, const lb_inputs *in, const char *name)
{
    for (size_t i = 0; i < in->n_src; i++)
        if (strcmp(in->src[i].name, name) == 0)
            return &in->src[i];
    char list[512] = "";
    for (size_t i = 0; i < in->n_src; i++)
        lb_list_append(list, sizeof(list), in->src[i].name);
    lb_error(ctx, LB_ERR_ARG,
             "the model uses input '%s' but none is bound; add --input %s=PATH[:LAYER] "
             "(bound: %s)",
             name, name, in->n_src ? list : "none");
    return NULL;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static entry *find(lb_inputs *in, entry_kind k, const char *name, const char *filter, int band)
{
    for (size_t i = 0; i < in->n_e; i++) {
        entry *e = &in->e[i];
        if (e->kind == k && strcmp(e->name, name) == 0 && same(e->filter, filter) &&
            e->band == band)
            return e;
    }
    return NULL;
}

static lb_status keep(lb_ctx *ctx, lb_inputs *in, entry_kind k, const char *name,
                      const char *filter, int band, void *obj)
{
    entry *e = realloc(in->e, (in->n_e + 1) * sizeof(*e));
    if (!e)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    in->e = e;
    e = &in->e[in->n_e];
    e->kind = k;
    e->name = lb_strdup(name);
    e->filter = lb_strdup(filter);
    e->band = band;
    e->obj = obj;
    if (!e->name || (filter && !e->filter)) {
        free(e->name);
        free(e->filter);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    in->n_e++;
    return LB_OK;
}

/* Load an object for an entry that is not cached yet; ownership goes to the cache. */
typedef lb_status (*load_fn)(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                             int band, const lb_grid *g, void **obj);
typedef void (*destroy_fn)(void *obj);

/* The cached object for (kind, name, filter, band), loading and keeping it on first use. */
static lb_status cached(lb_ctx *ctx, lb_inputs *in, entry_kind k, const char *name,
                        const char *filter, int band, const lb_grid *g, load_fn load,
                        destroy_fn destroy, const void **out)
{
    entry *e = find(in, k, name, filter, band);
    if (e) {
        *out = e->obj;
        return LB_OK;
    }
    void *obj = NULL;
    lb_status st = load(ctx, in, name, filter, band, g, &obj);
    if (st != LB_OK)
        return st;
    st = keep(ctx, in, k, name, filter, band, obj);
    if (st != LB_OK) {
        destroy(obj);
        return st;
    }
    *out = obj;
    return LB_OK;
}

static lb_status load_vector(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                             int band, const lb_grid *g, void **obj)
{
    (void)band;
    (void)g;
    const lb_source *src = lb_inputs_source(ctx, in, name);
    return src ? lb_vlayer_read(ctx, src, filter, (lb_vlayer **)obj) : LB_ERR_ARG;
}

static lb_status load_raster(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                             int band, const lb_grid *g, void **obj)
{
    (void)filter;
    (void)g;
    const lb_source *src = lb_inputs_source(ctx, in, name);
    return src ? lb_raster_read(ctx, src, band, (lb_raster **)obj) : LB_ERR_ARG;
}

static lb_status load_index(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                            int band, const lb_grid *g, void **obj)
{
    (void)band;
    (void)g;
    const lb_vlayer *l = NULL;
    lb_status st = lb_inputs_vector(ctx, in, name, filter, &l);
    return st == LB_OK ? lb_index_create(ctx, l, (lb_index **)obj) : st;
}

static lb_status load_cover(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                            int band, const lb_grid *g, void **obj)
{
    (void)band;
    const lb_vlayer *l = NULL;
    lb_status st = lb_inputs_vector(ctx, in, name, filter, &l);
    return st == LB_OK ? lb_layer_cover_compute(ctx, l, g, (lb_layer_cover **)obj) : st;
}

static void destroy_vector(void *o)
{
    lb_vlayer_destroy(o);
}

static void destroy_raster(void *o)
{
    lb_raster_destroy(o);
}

static void destroy_index(void *o)
{
    lb_index_destroy(o);
}

static void destroy_cover(void *o)
{
    lb_layer_cover_destroy(o);
}

lb_status lb_inputs_vector(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                           const lb_vlayer **out)
{
    return cached(ctx, in, ENTRY_VECTOR, name, filter, 0, NULL, load_vector, destroy_vector,
                  (const void **)out);
}

lb_status lb_inputs_raster(lb_ctx *ctx, lb_inputs *in, const char *name, int band,
                           const lb_raster **out)
{
    return cached(ctx, in, ENTRY_RASTER, name, NULL, band, NULL, load_raster, destroy_raster,
                  (const void **)out);
}

lb_status lb_inputs_index(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                          const lb_index **out)
{
    return cached(ctx, in, ENTRY_INDEX, name, filter, 0, NULL, load_index, destroy_index,
                  (const void **)out);
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

lb_status lb_layer_cover_compute(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g,
                                 lb_layer_cover **out)
{
    if (l->kind != LB_GEOM_POLYGON)
        return lb_error(ctx, LB_ERR_DATA,
                        "input '%s' ('%s' layer '%s') must be a polygon layer here", l->name,
                        l->path, l->layer);
    lb_status st = LB_OK;
    lb_cover one = {0};
    lb_ring *rings = NULL;
    size_t cap = 0;
    lb_layer_cover *c = calloc(1, sizeof(*c));
    if (!c)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    c->n_poly = l->n;
    c->off = calloc(l->n + 1, sizeof(size_t));
    if (!c->off) {
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto fail;
    }
    size_t total = 0;
    for (size_t f = 0; f < l->n; f++) {
        size_t nr = l->ring_start[f + 1] - l->ring_start[f];
        lb_ring *rr = realloc(rings, (nr ? nr : 1) * sizeof(*rr));
        if (!rr) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto fail;
        }
        rings = rr;
        for (size_t k = 0; k < nr; k++) {
            size_t r = l->ring_start[f] + k;
            rings[k].xy = &l->ring_xy[2 * l->ring_pt_start[r]];
            rings[k].n = l->ring_pt_start[r + 1] - l->ring_pt_start[r];
            rings[k].is_hole = l->ring_hole[r];
        }
        st = lb_cover_polygon(ctx, g, rings, nr, &one);
        if (st != LB_OK) {
            lb_error_prefix(ctx, st, "input '%s' ('%s' layer '%s') feature %lld: ", l->name,
                            l->path, l->layer, (long long)l->fid[f]);
            goto fail;
        }
        if (total + one.n > cap) {
            size_t ncap = cap ? cap : 1024;
            while (ncap < total + one.n)
                ncap *= 2;
            uint32_t *nc = realloc(c->cell, ncap * sizeof(uint32_t));
            if (nc)
                c->cell = nc;
            double *nf = realloc(c->frac, ncap * sizeof(double));
            if (nf)
                c->frac = nf;
            if (!nc || !nf) {
                st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
                goto fail;
            }
            cap = ncap;
        }
        if (one.n) {
            memcpy(c->cell + total, one.cell, one.n * sizeof(uint32_t));
            memcpy(c->frac + total, one.frac, one.n * sizeof(double));
        }
        total += one.n;
        c->off[f + 1] = total;
    }
    lb_cover_free(&one);
    free(rings);
    *out = c;
    return LB_OK;
fail:
    lb_cover_free(&one);
    free(rings);
    lb_layer_cover_destroy(c);
    return st;
}

lb_status lb_inputs_coverage(lb_ctx *ctx, lb_inputs *in, const char *name, const lb_grid *g,
                             const lb_layer_cover **out)
{
    return cached(ctx, in, ENTRY_COVER, name, NULL, 0, g, load_cover, destroy_cover,
                  (const void **)out);
}
