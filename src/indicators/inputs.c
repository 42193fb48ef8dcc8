/* SPDX-License-Identifier: MIT */
/* Cache of inputs and derived structures so that each is read or computed once per run. */
#include "inputs.h"

#include "../core/bigmem.h"
#include "../core/ctx.h"
#include "../core/sorted.h"
#include "../geom/repair.h"
#include "../grid/coverage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum entry_kind {
    ENTRY_VECTOR,
    ENTRY_RASTER,
    ENTRY_INDEX,
    ENTRY_COVER,
    ENTRY_CELLS
} entry_kind;

/* What identifies a cached object besides its kind and input name. */
typedef struct key {
    const char *filter;    /* vector / index */
    int band;              /* raster */
    int nearest;           /* raster */
    const lb_grid *g;      /* cover / cells */
    const uint32_t *cells; /* cells */
    size_t n_cells;
    int rings; /* vector: RINGS_* */
} key;

/* What a request for a polygon layer takes (key.rings). */
enum {
    RINGS_NO = 0,   /* the layer with its WKB */
    RINGS_TAKE = 1, /* rings suffice: a layer read as rings only if one is cached, else with WKB */
    RINGS_READ = 2  /* rings suffice: read it as rings only (lb_vlayer_read_rings) */
};

typedef struct entry {
    entry_kind kind;
    char *name;
    char *filter;
    int band;
    int nearest;
    lb_grid grid;    /* cover / cells: the grid (all zero otherwise) */
    uint32_t *cells; /* a copy of the cell list of a cells cover */
    size_t n_cells;
    int rings_only; /* vector: a polygon layer held as rings only (no WKB) */
    void *obj;
} entry;

static int same_grid(const lb_grid *a, const lb_grid *b)
{
    static const lb_grid none = {0};
    if (!b)
        b = &none;
    return a->x0 == b->x0 && a->y0 == b->y0 && a->cell_m == b->cell_m && a->nx == b->nx &&
           a->ny == b->ny;
}

struct lb_inputs {
    const lb_source *src;
    size_t n_src;
    char **where; /* per source: its own OGR SQL WHERE, or NULL (lb_inputs_set_where) */
    int has_window;
    double window[4]; /* rasters are read over this RD box only (lb_inputs_set_window) */
    entry *e;
    size_t n_e;
};

lb_status lb_inputs_create(lb_ctx *ctx, const lb_source *src, size_t n, lb_inputs **out)
{
    lb_inputs *in = calloc(1, sizeof(*in));
    if (!in)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    in->src = src;
    in->n_src = n;
    in->where = calloc(n ? n : 1, sizeof(char *));
    if (!in->where) {
        free(in);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    *out = in;
    return LB_OK;
}

lb_status lb_inputs_set_where(lb_ctx *ctx, lb_inputs *in, const char *name, const char *where)
{
    /* every file bound to the name */
    for (size_t i = 0; i < in->n_src; i++)
        if (strcmp(in->src[i].name, name) == 0) {
            char *w = lb_core_strdup(where);
            if (!w)
                return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            free(in->where[i]);
            in->where[i] = w;
        }
    return lb_inputs_source(ctx, in, name) ? LB_OK : LB_ERR_ARG;
}

size_t lb_inputs_files(const lb_inputs *in, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < in->n_src; i++)
        n += strcmp(in->src[i].name, name) == 0;
    return n;
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
            else if (pass == 0 && e->kind == ENTRY_CELLS)
                lb_cells_cover_destroy(e->obj);
            else if (pass == 1 && e->kind == ENTRY_VECTOR)
                lb_vlayer_destroy(e->obj);
            else if (pass == 1 && e->kind == ENTRY_RASTER)
                lb_raster_destroy(e->obj);
        }
    for (size_t i = 0; i < in->n_e; i++) {
        free(in->e[i].name);
        free(in->e[i].filter);
        free(in->e[i].cells);
    }
    free(in->e);
    for (size_t i = 0; i < in->n_src; i++)
        free(in->where[i]);
    free(in->where);
    free(in);
}

const double *lb_inputs_window(const lb_inputs *in)
{
    return in->has_window ? in->window : NULL;
}

void lb_inputs_set_window(lb_inputs *in, const double window[4])
{
    in->has_window = window != NULL;
    if (window)
        memcpy(in->window, window, sizeof(in->window));
}

/* Drop the entries of kind @p kind (of input @p name; NULL: every input) with @p destroy. */
static void release_entries(lb_inputs *in, entry_kind kind, const char *name,
                            void (*destroy)(void *))
{
    size_t k = 0;
    for (size_t i = 0; i < in->n_e; i++) {
        entry *e = &in->e[i];
        if (e->kind == kind && (!name || strcmp(e->name, name) == 0)) {
            destroy(e->obj);
            free(e->name);
            free(e->filter);
            free(e->cells);
            continue;
        }
        in->e[k++] = *e;
    }
    in->n_e = k;
}

static void destroy_raster(void *o);
static void destroy_cover(void *o);

void lb_inputs_release_rasters(lb_inputs *in, const char *name)
{
    release_entries(in, ENTRY_RASTER, name, destroy_raster);
}

const lb_source *lb_inputs_source(lb_ctx *ctx, const lb_inputs *in, const char *name)
{
    for (size_t i = 0; i < in->n_src; i++)
        if (strcmp(in->src[i].name, name) == 0)
            return &in->src[i];
    char list[512] = "";
    for (size_t i = 0; i < in->n_src; i++)
        lb_core_list_append(list, sizeof(list), in->src[i].name);
    lb_ctx_error(ctx, LB_ERR_ARG,
                 "the model uses input '%s' but none is bound; add --input %s=PATH[:LAYER] "
                 "(bound: %s)",
                 name, name, in->n_src ? list : "none");
    return NULL;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static entry *find(lb_inputs *in, entry_kind k, const char *name, const key *ky)
{
    for (size_t i = 0; i < in->n_e; i++) {
        entry *e = &in->e[i];
        if (e->kind == k && strcmp(e->name, name) == 0 && same(e->filter, ky->filter) &&
            (!e->rings_only || ky->rings != RINGS_NO) && e->band == ky->band &&
            e->nearest == ky->nearest && same_grid(&e->grid, ky->g) && e->n_cells == ky->n_cells &&
            (!ky->n_cells || memcmp(e->cells, ky->cells, ky->n_cells * sizeof(uint32_t)) == 0))
            return e;
    }
    return NULL;
}

static lb_status keep(lb_ctx *ctx, lb_inputs *in, entry_kind k, const char *name, const key *ky,
                      void *obj)
{
    entry *e = realloc(in->e, (in->n_e + 1) * sizeof(*e));
    if (!e)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    in->e = e;
    e = &in->e[in->n_e];
    memset(e, 0, sizeof(*e));
    e->kind = k;
    e->name = lb_core_strdup(name);
    e->filter = lb_core_strdup(ky->filter);
    e->band = ky->band;
    e->nearest = ky->nearest;
    if (ky->g)
        e->grid = *ky->g;
    e->n_cells = ky->n_cells;
    e->rings_only = k == ENTRY_VECTOR && !((const lb_vlayer *)obj)->wkb &&
                    ((const lb_vlayer *)obj)->kind == LB_GEOM_POLYGON;
    e->obj = obj;
    if (ky->n_cells) {
        e->cells = malloc(ky->n_cells * sizeof(uint32_t));
        if (e->cells)
            memcpy(e->cells, ky->cells, ky->n_cells * sizeof(uint32_t));
    }
    if (!e->name || (ky->filter && !e->filter) || (ky->n_cells && !e->cells)) {
        free(e->name);
        free(e->filter);
        free(e->cells);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    in->n_e++;
    return LB_OK;
}

/* Load an object for an entry that is not cached yet; ownership goes to the cache. */
typedef lb_status (*load_fn)(lb_ctx *ctx, lb_inputs *in, const char *name, const key *ky,
                             void **obj);
typedef void (*destroy_fn)(void *obj);

/* The cached object for (kind, name, key), loading and keeping it on first use. */
static lb_status cached(lb_ctx *ctx, lb_inputs *in, entry_kind k, const char *name, const key *ky,
                        load_fn load, destroy_fn destroy, const void **out)
{
    entry *e = find(in, k, name, ky);
    if (e) {
        *out = e->obj;
        return LB_OK;
    }
    void *obj = NULL;
    lb_status st = load(ctx, in, name, ky, &obj);
    if (st != LB_OK)
        return st;
    st = keep(ctx, in, k, name, ky, obj);
    if (st != LB_OK) {
        destroy(obj);
        return st;
    }
    *out = obj;
    return LB_OK;
}

static lb_status load_vector(lb_ctx *ctx, lb_inputs *in, const char *name, const key *ky,
                             void **obj)
{
    const lb_source *src = lb_inputs_source(ctx, in, name);
    if (!src)
        return LB_ERR_ARG;
    const char *where = in->where[src - in->src];
    /* the input's own selection, and the indicator's filter within it */
    char *both = NULL;
    if (where) {
        both =
            ky->filter ? lb_core_strfmt("(%s) AND (%s)", where, ky->filter) : lb_core_strdup(where);
        if (!both)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    /* every file bound to the name, read as one layer */
    const lb_source **files = malloc(in->n_src * sizeof(*files));
    size_t n_files = 0;
    for (size_t i = 0; files && i < in->n_src; i++)
        if (strcmp(in->src[i].name, name) == 0)
            files[n_files++] = &in->src[i];
    lb_status st =
        !files ? lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory")
        : ky->rings == RINGS_READ && n_files == 1
            ? lb_vlayer_read_rings(ctx, files[0], where ? both : ky->filter, (lb_vlayer **)obj)
            : lb_vlayer_read_list(ctx, files, n_files, where ? both : ky->filter,
                                  (lb_vlayer **)obj);
    free(files);
    free(both);
    /* Repair invalid polygons once, for every mode: grid coverage walks the repaired rings. */
    if (st == LB_OK)
        st = lb_geom_make_valid_layer(ctx, *(lb_vlayer **)obj, NULL);
    return st;
}

static lb_status load_raster(lb_ctx *ctx, lb_inputs *in, const char *name, const key *ky,
                             void **obj)
{
    const lb_source *src = lb_inputs_source(ctx, in, name);
    if (src && lb_inputs_files(in, name) > 1)
        return lb_ctx_error(
            ctx, LB_ERR_ARG,
            "input '%s' is a raster bound to several files ('%s', ...); a raster "
            "input is one file: mosaic them first (gdalbuildvrt %s.vrt FILES...) and "
            "bind the VRT",
            name, src->path, name);
    return src ? lb_raster_read_window(ctx, src, ky->band, ky->nearest,
                                       in->has_window ? in->window : NULL, (lb_band **)obj)
               : LB_ERR_ARG;
}

static lb_status load_index(lb_ctx *ctx, lb_inputs *in, const char *name, const key *ky, void **obj)
{
    const lb_vlayer *l = NULL;
    lb_status st = lb_inputs_vector(ctx, in, name, ky->filter, &l);
    return st == LB_OK ? lb_index_create(ctx, l, (lb_index **)obj) : st;
}

static void destroy_vector(void *o);

static lb_status load_cover(lb_ctx *ctx, lb_inputs *in, const char *name, const key *ky, void **obj)
{
    const lb_vlayer *l = NULL;
    key kv = {.filter = ky->filter, .rings = RINGS_TAKE}; /* the rings are enough */
    lb_status st =
        cached(ctx, in, ENTRY_VECTOR, name, &kv, load_vector, destroy_vector, (const void **)&l);
    return st == LB_OK ? lb_indicators_layer_cover_compute(ctx, l, ky->g, (lb_layer_cover **)obj)
                       : st;
}

static lb_status load_cells(lb_ctx *ctx, lb_inputs *in, const char *name, const key *ky, void **obj)
{
    const lb_layer_cover *cov = NULL;
    lb_status st = lb_inputs_coverage(ctx, in, name, ky->g, &cov);
    return st == LB_OK ? lb_indicators_cells_cover_build(ctx, cov, ky->g, ky->cells, ky->n_cells,
                                                         (lb_cells_cover **)obj)
                       : st;
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

static void destroy_cells(void *o)
{
    lb_cells_cover_destroy(o);
}

lb_status lb_inputs_vector(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                           const lb_vlayer **out)
{
    key ky = {.filter = filter};
    return cached(ctx, in, ENTRY_VECTOR, name, &ky, load_vector, destroy_vector,
                  (const void **)out);
}

lb_status lb_inputs_vector_rings(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                                 const lb_vlayer **out)
{
    key ky = {.filter = filter, .rings = RINGS_READ};
    return cached(ctx, in, ENTRY_VECTOR, name, &ky, load_vector, destroy_vector,
                  (const void **)out);
}

void lb_inputs_release_coverages(lb_inputs *in)
{
    release_entries(in, ENTRY_COVER, NULL, destroy_cover);
}

lb_status lb_inputs_raster_resampled(lb_ctx *ctx, lb_inputs *in, const char *name, int band,
                                     int nearest, const lb_band **out)
{
    key ky = {.band = band, .nearest = nearest != 0};
    return cached(ctx, in, ENTRY_RASTER, name, &ky, load_raster, destroy_raster,
                  (const void **)out);
}

lb_status lb_inputs_raster(lb_ctx *ctx, lb_inputs *in, const char *name, int band,
                           const lb_band **out)
{
    return lb_inputs_raster_resampled(ctx, in, name, band, 0, out);
}

lb_status lb_inputs_is_raster(lb_ctx *ctx, const lb_inputs *in, const char *name, int *out)
{
    const lb_source *src = lb_inputs_source(ctx, in, name);
    if (!src)
        return LB_ERR_ARG;
    /* A named layer means a vector layer, even in a GeoPackage that also holds rasters. */
    *out = !src->layer && lb_io_path_is_raster(src->path);
    return LB_OK;
}

lb_status lb_inputs_index(lb_ctx *ctx, lb_inputs *in, const char *name, const char *filter,
                          const lb_index **out)
{
    key ky = {.filter = filter};
    return cached(ctx, in, ENTRY_INDEX, name, &ky, load_index, destroy_index, (const void **)out);
}

/* A run of consecutive polygons covered by one thread, and its first failure. */
typedef struct cover_chunk {
    size_t f0, f1; /* polygons [f0, f1) */
    lb_status st;  /* the first failure in the chunk, with its feature and message */
    size_t bad_f;
    char msg[512];
} cover_chunk;

lb_status lb_indicators_feature_error(lb_ctx *ctx, lb_status st, const char *msg,
                                      const lb_vlayer *l, size_t f)
{
    st = st == LB_ERR_NOMEM && !msg[0] ? lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory")
                                       : lb_ctx_error(ctx, st, "%s", msg);
    return lb_ctx_error_prefix(ctx, st, "input '%s' ('%s' layer '%s') feature %lld: ", l->name,
                               l->path, l->layer, (long long)l->fid[f]);
}

lb_status lb_indicators_feature_cover(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g, size_t f,
                                      lb_cover *one, lb_ring **rings, size_t *rcap)
{
    size_t nr = l->ring_start[f + 1] - l->ring_start[f];
    if (nr > *rcap) {
        lb_ring *rr = realloc(*rings, nr * sizeof(*rr));
        if (!rr)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        *rings = rr;
        *rcap = nr;
    }
    for (size_t k = 0; k < nr; k++) {
        size_t r = l->ring_start[f] + k;
        (*rings)[k].xy = &l->ring_xy[2 * l->ring_pt_start[r]];
        (*rings)[k].n = l->ring_pt_start[r + 1] - l->ring_pt_start[r];
        (*rings)[k].is_hole = l->ring_hole[r];
    }
    return lb_grid_cover_polygon(ctx, g, *rings, nr, one);
}

/* Cover polygons [ch->f0, ch->f1) with @p tctx (the thread's own context: errors of
 * lb_grid_cover_polygon land there, not on the caller's) and thread-owned scratch. Without
 * @p c->cell (the first pass) only the number of entries of each polygon is kept, in
 * c->off[f + 1]; with it (the second) the entries go to their place from c->off[f]. */
static void cover_chunk_run(lb_ctx *tctx, const lb_vlayer *l, const lb_grid *g, lb_layer_cover *c,
                            cover_chunk *ch, lb_cover *one, lb_ring **rings, size_t *rcap)
{
    for (size_t f = ch->f0; f < ch->f1; f++) {
        lb_status st =
            tctx ? lb_indicators_feature_cover(tctx, l, g, f, one, rings, rcap) : LB_ERR_NOMEM;
        if (st != LB_OK) {
            ch->st = st;
            ch->bad_f = f;
            snprintf(ch->msg, sizeof(ch->msg), "%s",
                     tctx ? lb_ctx_errmsg(tctx) : "out of memory for a thread context");
            return;
        }
        if (!c->cell) {
            c->off[f + 1] = one->n;
        } else if (one->n) { /* the same polygon and grid: the count of the first pass */
            memcpy(c->cell + c->off[f], one->cell, one->n * sizeof(uint32_t));
            memcpy(c->frac + c->off[f], one->frac, one->n * sizeof(double));
        }
    }
}

/* One pass of lb_grid_cover_polygon over every polygon of @p l on the run's threads; the
 * first failure (lowest feature) as the caller's error. */
static lb_status cover_pass(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g, lb_layer_cover *c,
                            cover_chunk *ch, size_t n_chunks)
{
    for (size_t k = 0; k < n_chunks; k++) {
        ch[k].f0 = k * l->n / n_chunks;
        ch[k].f1 = (k + 1) * l->n / n_chunks;
        ch[k].st = LB_OK;
        ch[k].msg[0] = '\0';
    }
#pragma omp parallel num_threads(lb_ctx_threads(ctx))
    {
        lb_ctx *tctx = NULL;
        lb_cover one = {0};
        lb_ring *rings = NULL;
        size_t rcap = 0;
        if (lb_ctx_create(&tctx) != LB_OK)
            tctx = NULL;
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < n_chunks; k++)
            cover_chunk_run(tctx, l, g, c, &ch[k], &one, &rings, &rcap);
        lb_cover_free(&one);
        free(rings);
        lb_ctx_destroy(tctx);
    }
    for (size_t k = 0; k < n_chunks; k++)
        if (ch[k].st != LB_OK) {
            return lb_indicators_feature_error(ctx, ch[k].st, ch[k].msg, l, ch[k].bad_f);
        }
    return LB_OK;
}

/* The coverage is computed twice: once to count each polygon's entries, once to write them
 * straight into arrays of the exact size. Computing a polygon's coverage is a small part of
 * the run; holding every entry twice (per-thread buffers grown by doubling, then the final
 * arrays) was the largest memory of an area-mode zonal mean (T2: 144 MB for 58 MB of entries).
 * lb_grid_cover_polygon is deterministic, so both passes agree entry for entry. */
lb_status lb_indicators_layer_cover_compute(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g,
                                            lb_layer_cover **out)
{
    if (l->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "input '%s' ('%s' layer '%s') must be a polygon layer here", l->name,
                            l->path, l->layer);
    lb_status st = LB_OK;
    /* Many more chunks than threads balance big and small polygons. */
    size_t n_chunks = l->n < 256 ? (l->n ? l->n : 1) : 256;
    cover_chunk *ch = calloc(n_chunks, sizeof(*ch));
    lb_layer_cover *c = calloc(1, sizeof(*c));
    if (!ch || !c || !(c->off = calloc(l->n + 1, sizeof(size_t)))) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    c->n_poly = l->n;
    st = cover_pass(ctx, l, g, c, ch, n_chunks);
    if (st != LB_OK)
        goto done;
    for (size_t f = 0; f < l->n; f++)
        c->off[f + 1] += c->off[f];
    size_t total = c->off[l->n];
    c->cell = lb_bigmem_alloc((total ? total : 1) * sizeof(uint32_t));
    c->frac = lb_bigmem_alloc((total ? total : 1) * sizeof(double));
    if (!c->cell || !c->frac) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the coverage of '%s' (%zu entries)",
                          l->path, total);
        goto done;
    }
    st = cover_pass(ctx, l, g, c, ch, n_chunks);
    if (st != LB_OK)
        goto done;
    *out = c;
    c = NULL;
done:
    free(ch);
    lb_layer_cover_destroy(c);
    return st;
}

lb_status lb_inputs_coverage(lb_ctx *ctx, lb_inputs *in, const char *name, const lb_grid *g,
                             const lb_layer_cover **out)
{
    key ky = {.g = g};
    return cached(ctx, in, ENTRY_COVER, name, &ky, load_cover, destroy_cover, (const void **)out);
}

const lb_layer_cover *lb_inputs_coverage_cached(lb_inputs *in, const char *name, const lb_grid *g)
{
    key ky = {.g = g};
    const entry *e = find(in, ENTRY_COVER, name, &ky);
    return e ? e->obj : NULL;
}

lb_status lb_inputs_cells_cover(lb_ctx *ctx, lb_inputs *in, const char *name, const lb_grid *g,
                                const uint32_t *cells, size_t n, const lb_cells_cover **out)
{
    key ky = {.g = g, .cells = cells, .n_cells = n};
    return cached(ctx, in, ENTRY_CELLS, name, &ky, load_cells, destroy_cells, (const void **)out);
}

/* Call back for every coverage entry (polygon p, entry e) whose cell is in the list, with the
 * position k of the cell in the list. Each polygon's entries are ascending cell indices, in
 * runs along grid rows: one binary search per run, then a merge along the run, so the cost is
 * O(entries + runs · log n). */
typedef void (*entry_fn)(void *user, size_t k, size_t p, size_t e);

static void for_each_listed(const lb_layer_cover *cov, const lb_grid *g, const uint32_t *cells,
                            size_t n, entry_fn fn, void *user)
{
    size_t nx = (size_t)g->nx;
    for (size_t p = 0; p < cov->n_poly; p++) {
        size_t e = cov->off[p], end = cov->off[p + 1];
        while (e < end) {
            size_t row_end = (cov->cell[e] / nx + 1) * nx;
            size_t k = lb_core_lower_bound_u32(cells, 0, n, cov->cell[e]);
            for (; e < end && cov->cell[e] < row_end; e++) {
                while (k < n && cells[k] < cov->cell[e])
                    k++;
                if (k < n && cells[k] == cov->cell[e])
                    fn(user, k, p, e);
            }
        }
    }
}

typedef struct fill_state {
    const lb_layer_cover *cov;
    lb_cells_cover *out;
    size_t *next;
} fill_state;

static void count_entry(void *user, size_t k, size_t p, size_t e)
{
    (void)p;
    (void)e;
    fill_state *s = user;
    s->out->off[k + 1]++;
}

static void fill_entry(void *user, size_t k, size_t p, size_t e)
{
    fill_state *s = user;
    size_t at = s->next[k]++;
    s->out->poly[at] = (uint32_t)p;
    s->out->frac[at] = s->cov->frac[e];
}

lb_status lb_indicators_cells_cover_build(lb_ctx *ctx, const lb_layer_cover *cov, const lb_grid *g,
                                          const uint32_t *cells, size_t n, lb_cells_cover **out)
{
    if (cov->n_poly > UINT32_MAX)
        return lb_ctx_error(ctx, LB_ERR_DATA, "more than %u polygons in one layer", UINT32_MAX);
    lb_cells_cover *c = calloc(1, sizeof(*c));
    size_t *next = NULL;
    if (!c || !(c->off = calloc(n + 1, sizeof(size_t))))
        goto nomem;
    c->n = n;
    fill_state s = {cov, c, NULL};
    for_each_listed(cov, g, cells, n, count_entry, &s);
    for (size_t k = 0; k < n; k++)
        c->off[k + 1] += c->off[k];
    size_t m = c->off[n];
    c->poly = malloc((m ? m : 1) * sizeof(uint32_t));
    c->frac = malloc((m ? m : 1) * sizeof(double));
    next = malloc((n ? n : 1) * sizeof(size_t));
    if (!c->poly || !c->frac || !next)
        goto nomem;
    memcpy(next, c->off, n * sizeof(size_t));
    s.next = next;
    /* Polygons in ascending order: every cell's entries come out in polygon order. */
    for_each_listed(cov, g, cells, n, fill_entry, &s);
    free(next);
    *out = c;
    return LB_OK;
nomem:
    free(next);
    lb_cells_cover_destroy(c);
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the coverage of %zu cells", n);
}
