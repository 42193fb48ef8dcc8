/* SPDX-License-Identifier: MIT */
/* Indicator kinds evaluated on polygon units (area mode). */
#include "polygons.h"

#include "../core/ctx.h"
#include "../geom/overlay.h"
#include "../grid/coverage.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct join {
    char *name;
    lb_vlayer *table;
    size_t *row; /* per unit: table row, SIZE_MAX when none */
} join;

typedef struct set_entry {
    char *name;
    char *filter;
    lb_geoset *set;
} set_entry;

struct lb_area {
    lb_inputs *in;
    const char *units_name;
    const lb_vlayer *units;
    double cell_m;
    lb_shape **shape; /* per unit, built on first use */
    double *px, *py;  /* point on surface per unit, on first use */
    join *joins;
    size_t n_joins;
    set_entry *sets;
    size_t n_sets;
    char **reported; /* point layers already checked against the extent ("name|filter") */
    size_t n_reported;
    int planned;       /* lb_area_plan() was called: zonal_left is known */
    size_t zonal_left; /* raster means over the units themselves not yet evaluated */
};

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

lb_status lb_area_create(lb_ctx *ctx, lb_inputs *in, const char *units_name, const lb_vlayer *units,
                         double cell_m, lb_area **out)
{
    if (units->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA, "units '%s' ('%s') must be a polygon layer",
                            units_name, units->path);
    lb_area *a = calloc(1, sizeof(*a));
    if (!a)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    a->in = in;
    a->units_name = units_name;
    a->units = units;
    a->cell_m = cell_m;
    *out = a;
    return LB_OK;
}

void lb_area_destroy(lb_area *a)
{
    if (!a)
        return;
    for (size_t u = 0; a->shape && u < a->units->n; u++)
        lb_shape_destroy(a->shape[u]);
    free(a->shape);
    free(a->px);
    free(a->py);
    for (size_t i = 0; i < a->n_joins; i++) {
        free(a->joins[i].name);
        lb_vlayer_destroy(a->joins[i].table);
        free(a->joins[i].row);
    }
    free(a->joins);
    for (size_t i = 0; i < a->n_sets; i++) {
        free(a->sets[i].name);
        free(a->sets[i].filter);
        lb_geoset_destroy(a->sets[i].set);
    }
    free(a->sets);
    for (size_t i = 0; i < a->n_reported; i++)
        free(a->reported[i]);
    free(a->reported);
    free(a);
}

/* ---- joins ---------------------------------------------------------------------------- */

/* The code of row @p i of field @p f as text: the string (trimmed on read), or an integer
 * written without decimals. NULL when missing. */
static const char *key_text(const lb_field *f, size_t i, char *buf, size_t size)
{
    if (f->is_string)
        return f->str[i] && f->str[i][0] ? f->str[i] : NULL;
    if (isnan(f->num[i]))
        return NULL;
    snprintf(buf, size, "%.15g", f->num[i]);
    return buf;
}

typedef struct keyed {
    const char *key;
    size_t row;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

lb_status lb_area_join(lb_ctx *ctx, lb_area *a, const char *name, const char *key,
                       const char *units_key)
{
    const lb_source *src = lb_inputs_source(ctx, a->in, name);
    if (!src)
        return LB_ERR_ARG;
    if (lb_inputs_files(a->in, name) > 1)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "join '%s': the table is bound to several files ('%s', ...); a joined "
                            "table is one file (append them first, e.g. ogr2ogr -append)",
                            name, src->path);
    if (!units_key)
        units_key = key;
    const lb_field *uk = lb_vlayer_field(ctx, a->units, units_key);
    if (!uk)
        return lb_ctx_error_prefix(ctx, LB_ERR_DATA,
                                   "join '%s' on %s: the units need the key: ", name, units_key);
    join j = {lb_core_strdup(name), NULL, NULL};
    keyed *ks = NULL;
    char **texts = NULL;
    lb_status st = j.name ? lb_vlayer_read_table(ctx, src, &j.table)
                          : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const lb_field *tk = NULL;
    if (st == LB_OK && !(tk = lb_vlayer_field(ctx, j.table, key)))
        st = lb_ctx_error_prefix(ctx, LB_ERR_DATA, "join '%s': the table needs its key: ", name);
    size_t nt = j.table ? j.table->n : 0, n_keys = 0;
    if (st == LB_OK) {
        ks = malloc((nt ? nt : 1) * sizeof(*ks));
        texts = calloc(nt ? nt : 1, sizeof(*texts));
        j.row = malloc((a->units->n ? a->units->n : 1) * sizeof(size_t));
        if (!ks || !texts || !j.row)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; st == LB_OK && i < nt; i++) {
        char buf[48];
        const char *k = key_text(tk, i, buf, sizeof(buf));
        if (!k)
            continue;
        texts[i] = lb_core_strdup(k);
        if (!texts[i])
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else
            ks[n_keys++] = (keyed){texts[i], i};
    }
    if (st == LB_OK)
        qsort(ks, n_keys, sizeof(*ks), cmp_keyed);
    for (size_t i = 1; st == LB_OK && i < n_keys; i++)
        if (strcmp(ks[i - 1].key, ks[i].key) == 0)
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "join '%s' ('%s'): code '%s' of field '%s' occurs twice (features "
                              "%lld and %lld); a joined table needs one row per unit",
                              name, src->path, ks[i].key, key,
                              (long long)j.table->fid[ks[i - 1].row],
                              (long long)j.table->fid[ks[i].row]);
    size_t n_unmatched = 0;
    char examples[160] = "";
    for (size_t u = 0; st == LB_OK && u < a->units->n; u++) {
        char buf[48];
        const char *k = key_text(uk, u, buf, sizeof(buf));
        keyed probe = {k, 0}, *hit = NULL;
        if (k && n_keys) {
            /* row 0 sorts first among equal keys, so search for the key alone */
            size_t lo = 0, hi = n_keys;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(ks[mid].key, probe.key) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < n_keys && strcmp(ks[lo].key, k) == 0)
                hit = &ks[lo];
        }
        j.row[u] = hit ? hit->row : SIZE_MAX;
        if (!hit) {
            if (n_unmatched < 5)
                lb_core_list_append(examples, sizeof(examples), k ? k : "(no code)");
            n_unmatched++;
        }
    }
    if (st == LB_OK && n_unmatched)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "join '%s' ('%s') on %s = units' %s: %zu of %zu unit(s) have no row (%s%s); "
                   "their values from '%s' are missing",
                   name, src->path, key, units_key, n_unmatched, a->units->n, examples,
                   n_unmatched > 5 ? ", ..." : "", name);
    if (st == LB_OK && n_unmatched == a->units->n)
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "join '%s' ('%s'): no unit's %s matches the table's %s (units: %s ...); "
                          "check the key fields and the year of the codes",
                          name, src->path, units_key, key, examples);
    for (size_t i = 0; texts && i < nt; i++)
        free(texts[i]);
    free(texts);
    free(ks);
    join *nj = st == LB_OK ? realloc(a->joins, (a->n_joins + 1) * sizeof(*nj)) : NULL;
    if (st == LB_OK && !nj)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK) {
        free(j.name);
        lb_vlayer_destroy(j.table);
        free(j.row);
        return st;
    }
    a->joins = nj;
    a->joins[a->n_joins++] = j;
    return LB_OK;
}

static const join *find_join(const lb_area *a, const char *name)
{
    for (size_t i = 0; i < a->n_joins; i++)
        if (strcmp(a->joins[i].name, name) == 0)
            return &a->joins[i];
    return NULL;
}

int lb_area_is_joined(const lb_area *a, const char *name)
{
    return find_join(a, name) != NULL;
}

/* ---- shapes and sets ------------------------------------------------------------------ */

static void unit_what(const lb_area *a, size_t u, char *buf, size_t size)
{
    snprintf(buf, size, "units '%s' ('%s') feature %lld", a->units_name, a->units->path,
             (long long)a->units->fid[u]);
}

/* lb_shape_create of unit @p u grown by @p r, from its WKB (written from its rings when the
 * units are held as rings only). */
static lb_status unit_shape(lb_ctx *ctx, const lb_area *a, size_t u, double r, const char *what,
                            lb_shape **out)
{
    size_t size = 0;
    int own = 0;
    const unsigned char *w = lb_vlayer_polygon_wkb(a->units, u, &size, &own);
    if (!w)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    lb_status st = lb_shape_create(ctx, w, size, r, what, out);
    if (own)
        free((void *)w);
    return st;
}

static lb_status ensure_shapes(lb_ctx *ctx, lb_area *a)
{
    if (a->shape)
        return LB_OK;
    const lb_vlayer *l = a->units;
    lb_shape **sh = calloc(l->n ? l->n : 1, sizeof(*sh));
    if (!sh)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < l->n; u++) {
        char what[600];
        unit_what(a, u, what, sizeof(what));
        lb_status st = unit_shape(ctx, a, u, 0.0, what, &sh[u]);
        if (st != LB_OK) {
            for (size_t k = 0; k < u; k++)
                lb_shape_destroy(sh[k]);
            free(sh);
            return st;
        }
    }
    a->shape = sh;
    return LB_OK;
}

static lb_status ensure_points(lb_ctx *ctx, lb_area *a)
{
    if (a->px)
        return LB_OK;
    lb_status st = ensure_shapes(ctx, a);
    if (st != LB_OK)
        return st;
    size_t n = a->units->n ? a->units->n : 1;
    double *px = malloc(n * sizeof(double)), *py = malloc(n * sizeof(double));
    if (!px || !py)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t u = 0; st == LB_OK && u < a->units->n; u++)
        st = lb_shape_point_on_surface(ctx, a->shape[u], &px[u], &py[u]);
    if (st != LB_OK) {
        free(px);
        free(py);
        return st;
    }
    a->px = px;
    a->py = py;
    return LB_OK;
}

/* The overlay set of (layer, filter), built once. */
static lb_status get_set(lb_ctx *ctx, lb_area *a, const char *name, const char *filter,
                         const lb_vlayer **layer, const lb_geoset **out)
{
    lb_status st = lb_inputs_vector(ctx, a->in, name, filter, layer);
    if (st != LB_OK)
        return st;
    for (size_t i = 0; i < a->n_sets; i++)
        if (strcmp(a->sets[i].name, name) == 0 && same_str(a->sets[i].filter, filter)) {
            *out = a->sets[i].set;
            return LB_OK;
        }
    set_entry e = {lb_core_strdup(name), lb_core_strdup(filter), NULL};
    set_entry *ns = realloc(a->sets, (a->n_sets + 1) * sizeof(*ns));
    if (ns)
        a->sets = ns;
    if (!ns || !e.name || (filter && !e.filter)) {
        free(e.name);
        free(e.filter);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    st = lb_geoset_create(ctx, *layer, &e.set);
    if (st != LB_OK) {
        free(e.name);
        free(e.filter);
        return st;
    }
    a->sets[a->n_sets++] = e;
    *out = e.set;
    return LB_OK;
}

/* Report, once per (layer, filter), the points that lie beyond the units' extent grown by
 * @p margin_m: they can never be counted or be nearest within the cap. */
static lb_status report_outside(lb_ctx *ctx, lb_area *a, const char *name, const char *filter,
                                const lb_vlayer *l, double margin_m)
{
    char *tag = lb_core_strfmt("%s|%s", name, filter ? filter : "");
    if (!tag)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < a->n_reported; i++)
        if (strcmp(a->reported[i], tag) == 0) {
            free(tag);
            return LB_OK;
        }
    char **nr = realloc(a->reported, (a->n_reported + 1) * sizeof(*nr));
    if (!nr) {
        free(tag);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    a->reported = nr;
    a->reported[a->n_reported++] = tag;
    const lb_vlayer *u = a->units;
    const double ext[4] = {u->xmin, u->ymin, u->xmax, u->ymax};
    lb_vlayer_report_outside(ctx, l, ext, margin_m);
    return LB_OK;
}

/* The unit grown by @p r (r > 0: a new shape in *tmp to destroy), or the unit itself. */
static lb_status neighbourhood(lb_ctx *ctx, lb_area *a, size_t u, double r, lb_shape **tmp,
                               const lb_shape **use)
{
    *tmp = NULL;
    if (!(r > 0.0)) {
        *use = a->shape[u];
        return LB_OK;
    }
    char what[600];
    unit_what(a, u, what, sizeof(what));
    lb_status st = unit_shape(ctx, a, u, r, what, tmp);
    *use = *tmp;
    return st;
}

/* ---- attribute and ratio ------------------------------------------------------------- */

/* Sums over the polygons B of @p l overlapping unit @p s: Σ v_B |A∩B| / |B| (extensive share)
 * and Σ |A∩B| (for intensive means), for one or two fields. */
static lb_status overlay_attr(lb_ctx *ctx, const lb_indicator *ind, const lb_vlayer *l,
                              const lb_geoset *set, const lb_shape *s, lb_hits *hits, double *val)
{
    int is_ratio = ind->kind == LB_KIND_RATIO;
    const lb_field *fa = lb_vlayer_field(ctx, l, is_ratio ? ind->numerator : ind->field);
    const lb_field *fb = is_ratio ? lb_vlayer_field(ctx, l, ind->denominator) : NULL;
    if (!fa || (is_ratio && !fb))
        return LB_ERR_DATA;
    lb_status st = lb_geoset_overlay(ctx, set, s, hits);
    if (st != LB_OK)
        return st;
    double num = 0.0, den = 0.0;
    int any_missing = 0;
    for (size_t k = 0; k < hits->n; k++) {
        size_t b = hits->feat[k];
        double inter = hits->amount[k];
        double va = fa->num[b], vb = fb ? fb->num[b] : 1.0;
        if (isnan(va) || isnan(vb)) {
            any_missing = 1;
            continue;
        }
        double share = l->area_m2[b] > 0.0 ? inter / l->area_m2[b] : 0.0;
        if (is_ratio) {
            num += va * share;
            den += vb * share;
        } else if (ind->extensive) {
            num += va * share;
        } else {
            num += va * inter;
            den += inter;
        }
    }
    if (ind->extensive && !is_ratio)
        /* A count with an unknown part is unknown; no overlap at all is a true 0. */
        *val = any_missing ? NAN : num;
    else
        *val = den > 0.0 ? num / den : NAN;
    return LB_OK;
}

/* The value of attribute / ratio @p ind from row @p row of a layer or table. */
static double row_value(const lb_indicator *ind, const lb_field *fa, const lb_field *fb, size_t row)
{
    if (row == SIZE_MAX)
        return NAN;
    double va = fa->num[row];
    if (ind->kind != LB_KIND_RATIO)
        return va;
    double vb = fb->num[row];
    return (isnan(va) || isnan(vb) || vb == 0.0) ? NAN : va / vb;
}

static lb_status eval_attr(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double *out)
{
    size_t n = a->units->n;
    int is_ratio = ind->kind == LB_KIND_RATIO;
    const char *fa_name = is_ratio ? ind->numerator : ind->field;
    const join *j = find_join(a, ind->layer);
    int own = strcmp(ind->layer, a->units_name) == 0;
    if (own || j) {
        /* The units' own attributes, or the joined table's row of each unit. */
        const lb_vlayer *l = own ? a->units : j->table;
        const lb_field *fa = lb_vlayer_field(ctx, l, fa_name);
        const lb_field *fb = is_ratio ? lb_vlayer_field(ctx, l, ind->denominator) : NULL;
        if (!fa || (is_ratio && !fb))
            return LB_ERR_DATA;
        for (size_t u = 0; u < n; u++)
            out[u] = row_value(ind, fa, fb, own ? u : j->row[u]);
        return LB_OK;
    }
    const lb_vlayer *l = NULL;
    const lb_geoset *set = NULL;
    lb_status st = get_set(ctx, a, ind->layer, NULL, &l, &set);
    if (st != LB_OK)
        return st;
    if (l->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "kind '%s' needs a polygon layer or a joined table, but '%s' ('%s') "
                            "holds %s",
                            lb_kind_name(ind->kind), ind->layer, l->path,
                            l->kind == LB_GEOM_POINT ? "points" : "lines");
    if ((st = ensure_shapes(ctx, a)) != LB_OK)
        return st;
    lb_hits hits = {0};
    for (size_t u = 0; u < n && st == LB_OK; u++)
        st = overlay_attr(ctx, ind, l, set, a->shape[u], &hits, &out[u]);
    lb_hits_free(&hits);
    return st;
}

/* ---- points, lines and polygons around the unit ----------------------------------------- */

static lb_status eval_count(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double *out)
{
    const lb_vlayer *l = NULL;
    const lb_geoset *set = NULL;
    lb_status st = get_set(ctx, a, ind->layer, ind->filter, &l, &set);
    if (st == LB_OK)
        st = report_outside(ctx, a, ind->layer, ind->filter, l, ind->radius_m);
    if (st == LB_OK)
        st = ensure_shapes(ctx, a);
    if (st != LB_OK)
        return st;
    const double *wv = NULL;
    if (ind->kind == LB_KIND_DENSITY && ind->field) {
        const lb_field *f = lb_vlayer_field(ctx, l, ind->field);
        if (!f)
            return LB_ERR_DATA;
        wv = f->num;
    }
    lb_hits hits = {0};
    for (size_t u = 0; u < a->units->n && st == LB_OK; u++) {
        st = lb_geoset_within(ctx, set, a->shape[u], ind->radius_m, &hits);
        if (st != LB_OK)
            break;
        double sum = 0.0;
        for (size_t k = 0; k < hits.n; k++) {
            double v = wv ? wv[hits.feat[k]] : 1.0;
            if (!isnan(v))
                sum += v;
        }
        if (ind->kind == LB_KIND_COUNT_WITHIN) {
            out[u] = sum;
            continue;
        }
        /* density: per km² of the area the count was taken over */
        lb_shape *tmp = NULL;
        const lb_shape *nb = NULL;
        st = neighbourhood(ctx, a, u, ind->radius_m, &tmp, &nb);
        if (st == LB_OK) {
            double km2 = lb_shape_area(nb) / 1.0e6;
            out[u] = km2 > 0.0 ? sum / km2 : NAN;
        }
        lb_shape_destroy(tmp);
    }
    lb_hits_free(&hits);
    return st;
}

/* nearest_distance from the unit's point on surface: a point inside the unit that stands for
 * where its residents are, as the cell centre does on the grid. Distance from the polygon
 * itself would be 0 for every unit with a facility anywhere inside (large rural buurten
 * would look as well served as a city centre) and falls with the unit's size. */
static lb_status eval_nearest(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double *out)
{
    const lb_index *ix = NULL;
    const lb_vlayer *l = NULL;
    lb_status st = lb_inputs_index(ctx, a->in, ind->layer, ind->filter, &ix);
    if (st == LB_OK)
        st = lb_inputs_vector(ctx, a->in, ind->layer, ind->filter, &l);
    if (st == LB_OK)
        st = report_outside(ctx, a, ind->layer, ind->filter, l, ind->cap_m);
    if (st == LB_OK)
        st = ensure_points(ctx, a);
    if (st != LB_OK)
        return st;
    for (size_t u = 0; u < a->units->n; u++)
        out[u] = fmin(lb_index_nearest(ix, a->px[u], a->py[u]), ind->cap_m);
    return LB_OK;
}

/* ---- rasters ----------------------------------------------------------------------------- */

/* Mean of the values @p v at the @p n covered cells @p cell weighted by their fractions @p frac;
 * nodata (NaN) cells are left out; NaN when no covered cell has a value. */
static double covered_mean(const double *v, const uint32_t *cell, const double *frac, size_t n)
{
    double sw = 0.0, sv = 0.0;
    for (size_t k = 0; k < n; k++) {
        double x = v[cell[k]];
        if (isnan(x))
            continue;
        sw += frac[k];
        sv += frac[k] * x;
    }
    return sw > 0.0 ? sv / sw : NAN;
}

/* Mean of raster @p r over shape @p s weighted by the exact covered fraction of each pixel;
 * nodata pixels are left out; NaN when no pixel with data is covered. */
static lb_status raster_mean_over(lb_ctx *ctx, const lb_band *r, const lb_shape *s, lb_cover *cv,
                                  double *out)
{
    double *xy = NULL;
    size_t *off = NULL, nr = 0;
    int *hole = NULL;
    lb_status st = lb_shape_rings(ctx, s, &xy, &off, &hole, &nr);
    if (st != LB_OK)
        return st;
    lb_ring *rings = malloc(nr * sizeof(*rings));
    if (!rings)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == LB_OK && k < nr; k++)
        rings[k] = (lb_ring){&xy[2 * off[k]], off[k + 1] - off[k], hole[k]};
    if (st == LB_OK)
        st = lb_grid_cover_polygon(ctx, &r->grid, rings, nr, cv);
    if (st == LB_OK)
        *out = covered_mean(r->v, cv->cell, cv->frac, cv->n);
    free(rings);
    free(xy);
    free(off);
    free(hole);
    return st;
}

/* Mean of raster @p r over every unit from the units' coverage of the raster's grid, computed
 * once per grid and shared by every raster on it (lb_inputs_coverage). */
static lb_status raster_means(lb_ctx *ctx, const lb_band *r, lb_area *a, double *out)
{
    const lb_layer_cover *cov = NULL;
    lb_status st = lb_inputs_coverage(ctx, a->in, a->units_name, &r->grid, &cov);
    if (st != LB_OK)
        return st;
    ptrdiff_t n = (ptrdiff_t)a->units->n;
#pragma omp parallel for schedule(static) num_threads(lb_ctx_threads(ctx))
    for (ptrdiff_t u = 0; u < n; u++) {
        size_t k0 = cov->off[u];
        out[u] = covered_mean(r->v, cov->cell + k0, cov->frac + k0, cov->off[u + 1] - k0);
    }
    return LB_OK;
}

/* Pixels per strip of a raster read strip by strip (8 MB of doubles; whole file blocks). */
#define STRIP_PIXELS ((size_t)1 << 20)
/* A unit's coverage entries still to be summed in later strips, and how many of them the strips
 * have summed: the whole layer's coverage of the unit, or (streamed) what of it lies south of
 * the strip where it was computed. */
typedef struct zunit {
    uint32_t *cell;
    double *frac;
    size_t n, k;
} zunit;

/* The first grid row a unit's coverage can reach: the row of the northmost point of its rings,
 * one row earlier for rounding (too early costs only memory). g->ny when it has no points. */
static int unit_first_row(const lb_vlayer *l, const lb_grid *g, size_t f)
{
    size_t p0 = l->ring_pt_start[l->ring_start[f]], p1 = l->ring_pt_start[l->ring_start[f + 1]];
    if (p0 == p1)
        return g->ny;
    double ymax = -INFINITY;
    for (size_t p = p0; p < p1; p++) {
        double y = l->ring_xy[2 * p + 1];
        if (!(y <= ymax)) /* NaN too: its coverage is computed (and fails) with the first strip */
            ymax = y;
    }
    double r = floor((g->y0 + g->ny * g->cell_m - ymax) / g->cell_m) - 1.0;
    return !(r > 0.0) ? 0 : r >= g->ny ? g->ny : (int)r;
}

/* Add to a unit's sums @p w, @p s the entries k0, k0 + 1, ... of @p cell / @p frac that lie
 * before cell @p hi (the end of the strip @p v, whose first cell is @p lo); returns the first
 * entry not added. */
static size_t zonal_sum(const double *v, size_t lo, size_t hi, const uint32_t *cell,
                        const double *frac, size_t k0, size_t n, double *w, double *s)
{
    double sw = *w, sv = *s;
    size_t k = k0;
    for (; k < n && cell[k] < hi; k++) {
        double x = v[cell[k] - lo];
        if (isnan(x))
            continue;
        sw += frac[k];
        sv += frac[k] * x;
    }
    *w = sw;
    *s = sv;
    return k;
}

/* One strip of a zonal mean on the run's threads: the units that carry entries from earlier
 * strips (@p act[0 .. n_act)) add theirs in the strip; with @p fresh, the units whose first row
 * lies in the strip get their coverage computed, add its entries in the strip, and keep only
 * the rest in z[u] (for the next strips). A unit adds its entries in their order either way.
 * On failure the error of the lowest failing fresh unit, named as lb_inputs_coverage names it;
 * LB_ERR_INTERNAL when a fresh unit's coverage starts north of the strip. */
static lb_status zonal_strip(lb_ctx *ctx, const lb_vlayer *l, const lb_grid *g, const double *v,
                             size_t lo, size_t hi, const size_t *fresh, size_t n_fresh, zunit *z,
                             const size_t *act, size_t n_act, double *sw, double *sv)
{
    size_t bad = SIZE_MAX;
    lb_status bad_st = LB_OK;
    char msg[512] = "";
    ptrdiff_t nf = (ptrdiff_t)n_fresh, na = (ptrdiff_t)n_act;
#pragma omp parallel num_threads(lb_ctx_threads(ctx))
    {
        lb_ctx *tctx = NULL;
        lb_cover one = {0};
        lb_ring *rings = NULL;
        size_t rcap = 0;
        if (nf && lb_ctx_create(&tctx) != LB_OK)
            tctx = NULL;
#pragma omp for schedule(dynamic, 8) nowait
        for (ptrdiff_t i = 0; i < nf; i++) {
            size_t f = fresh[i];
            lb_status st = tctx ? lb_indicators_feature_cover(tctx, l, g, f, &one, &rings, &rcap)
                                : LB_ERR_NOMEM;
            if (st == LB_OK && tctx && one.n && one.cell[0] < lo)
                st = lb_ctx_error(tctx, LB_ERR_INTERNAL,
                                  "its coverage starts at row %u, north of the strip at row %zu "
                                  "where it was computed",
                                  (unsigned)(one.cell[0] / (size_t)g->nx), lo / (size_t)g->nx);
            size_t k = st == LB_OK
                           ? zonal_sum(v, lo, hi, one.cell, one.frac, 0, one.n, &sw[f], &sv[f])
                           : 0;
            zunit *zu = &z[f];
            if (st == LB_OK && k < one.n) { /* the entries of the next strips */
                size_t rest = one.n - k;
                zu->cell = malloc(rest * sizeof(uint32_t));
                zu->frac = malloc(rest * sizeof(double));
                if (zu->cell && zu->frac) {
                    memcpy(zu->cell, one.cell + k, rest * sizeof(uint32_t));
                    memcpy(zu->frac, one.frac + k, rest * sizeof(double));
                    zu->n = rest;
                } else {
                    st = lb_ctx_error(tctx, LB_ERR_NOMEM, "out of memory");
                }
            }
            if (st != LB_OK) {
#pragma omp critical(lb_zonal_strip_error)
                if (f < bad) {
                    bad = f;
                    bad_st = st;
                    snprintf(msg, sizeof(msg), "%s",
                             tctx && lb_ctx_errmsg(tctx)[0] ? lb_ctx_errmsg(tctx)
                                                            : "out of memory");
                }
            }
        }
        /* The fresh units are not among the carried ones: no wait between the loops, nor after
         * them (the region ends with one barrier; on a loaded machine each barrier waits for a
         * descheduled thread). */
#pragma omp for schedule(static) nowait
        for (ptrdiff_t i = 0; i < na; i++) {
            zunit *zu = &z[act[i]];
            zu->k =
                zonal_sum(v, lo, hi, zu->cell, zu->frac, zu->k, zu->n, &sw[act[i]], &sv[act[i]]);
        }
        lb_cover_free(&one);
        free(rings);
        lb_ctx_destroy(tctx);
    }
    if (bad == SIZE_MAX)
        return LB_OK;
    return lb_indicators_feature_error(ctx, bad_st, msg, l, bad);
}

/* raster_means() without holding the raster: the band is read in strips of rows, north to
 * south, and every unit's sums advance over its coverage entries in the strip. A unit's entries
 * are in ascending cell order and strips follow that order, so each unit adds the same terms in
 * the same order as covered_mean() over the whole raster: the same bits, for any number of
 * threads. With @p stream (no later indicator shares the units' coverage, and it is not held
 * yet) a unit's coverage is computed when the strips reach its northmost row and freed after
 * its last entry, so that only the units under a strip hold theirs; else the coverage of every
 * unit is computed once and kept for the others (lb_inputs_coverage). The entries and their
 * order are the same either way. *done = 0 (nothing computed) when the raster is not read
 * pixel for pixel (warped). */
static lb_status raster_means_rows(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, int stream,
                                   double *out, int *done)
{
    *done = 0;
    const lb_source *src = lb_inputs_source(ctx, a->in, ind->layer);
    if (!src)
        return LB_ERR_ARG;
    if (lb_inputs_files(a->in, ind->layer) > 1) /* the whole read says what is wrong */
        return LB_OK;
    lb_band_rows *rr = NULL;
    lb_status st = lb_raster_rows_open(ctx, src, ind->band, lb_inputs_window(a->in), &rr);
    if (st != LB_OK || !rr)
        return st;
    const lb_grid *g = lb_raster_rows_grid(rr);
    const lb_vlayer *l = a->units;
    const lb_layer_cover *cov = lb_inputs_coverage_cached(a->in, a->units_name, g);
    if (cov)
        stream = 0;
    size_t n = l->n, nx = (size_t)g->nx, n_nodata = 0, n_steps = 0, n_act = 0;
    size_t one = n ? n : 1, rows = (size_t)g->ny + 1;
    double *sw = calloc(one, sizeof(double)), *sv = calloc(one, sizeof(double));
    zunit *z = calloc(one, sizeof(*z));
    size_t *act = malloc(one * sizeof(size_t)), *order = NULL, *t_first = NULL;
    int *t_row = malloc(rows * sizeof(int)), *u_step = NULL;
    double *v = NULL;
    if (!sw || !sv || !z || !act || !t_row) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    int h = 0, h_max = 1;
    for (int row = 0; row < g->ny; row += h) { /* the first strip may be short of a block */
        h = lb_raster_rows_strip(rr, row, STRIP_PIXELS);
        h_max = h > h_max ? h : h_max;
        t_row[n_steps++] = row;
    }
    t_row[n_steps] = g->ny;
    if (!stream) {
        if (!cov && (st = lb_inputs_coverage(ctx, a->in, a->units_name, g, &cov)) != LB_OK)
            goto done;
        for (size_t u = 0; u < n; u++) {
            size_t k0 = cov->off[u];
            z[u] = (zunit){(uint32_t *)(cov->cell + k0), (double *)(cov->frac + k0),
                           cov->off[u + 1] - k0, 0};
            act[n_act++] = u;
        }
    } else if (n_steps) {
        /* The units by the strip of their first row (those south of the raster with the last
         * strip: their coverage is empty, or fails as the whole layer's would), in unit order. */
        order = malloc(one * sizeof(size_t));
        t_first = calloc(n_steps + 1, sizeof(size_t));
        u_step = malloc(one * sizeof(int));
        if (!order || !t_first || !u_step) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto done;
        }
        for (size_t u = 0; u < n; u++) {
            int r = unit_first_row(l, g, u);
            size_t lo = 0, hi = n_steps - 1; /* the last strip starting at or before r */
            while (lo < hi) {
                size_t mid = (lo + hi + 1) / 2;
                if (t_row[mid] <= r)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            u_step[u] = (int)lo;
            t_first[lo + 1]++;
        }
        for (size_t k = 0; k < n_steps; k++)
            t_first[k + 1] += t_first[k];
        for (size_t u = 0; u < n; u++) /* t_first[k] runs to the end of strip k's units */
            order[t_first[u_step[u]]++] = u;
        memmove(t_first + 1, t_first, n_steps * sizeof(size_t)); /* back to their starts */
        t_first[0] = 0;
    }
    v = malloc((size_t)h_max * nx * sizeof(double));
    if (!v) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n_steps; k++) {
        int row = t_row[k];
        size_t lo = (size_t)row * nx, hi = (size_t)t_row[k + 1] * nx;
        st = lb_raster_rows_read(ctx, rr, row, t_row[k + 1] - row, v, &n_nodata);
        if (st != LB_OK)
            goto done;
        const size_t *fresh = stream ? order + t_first[k] : NULL;
        size_t n_fresh = stream ? t_first[k + 1] - t_first[k] : 0;
        st = zonal_strip(ctx, l, g, v, lo, hi, fresh, n_fresh, z, act, n_act, sw, sv);
        if (st != LB_OK)
            goto done;
        size_t keep = 0; /* the units with entries south of the strip stay */
        for (size_t i = 0; i < n_act; i++) {
            zunit *zu = &z[act[i]];
            if (zu->k < zu->n) {
                act[keep++] = act[i];
            } else if (stream) {
                free(zu->cell);
                free(zu->frac);
                zu->cell = NULL;
                zu->frac = NULL;
            }
        }
        for (size_t i = 0; i < n_fresh; i++) /* and the fresh ones that reach the next strips */
            if (z[fresh[i]].n)
                act[keep++] = fresh[i];
        n_act = keep;
    }
    for (size_t u = 0; u < n; u++)
        out[u] = sw[u] > 0.0 ? sv[u] / sw[u] : NAN;
    *done = 1;
done:
    for (size_t u = 0; stream && z && u < n; u++) {
        free(z[u].cell);
        free(z[u].frac);
    }
    free(v);
    free(u_step);
    free(t_first);
    free(order);
    free(t_row);
    free(act);
    free(z);
    free(sv);
    free(sw);
    lb_raster_rows_close(rr);
    return st;
}

static lb_status eval_raster(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double radius_m,
                             double *out)
{
    const lb_band *r = NULL;
    if (radius_m <= 0.0) {
        int done = 0;
        lb_status st = raster_means_rows(ctx, ind, a, a->planned && a->zonal_left == 0, out, &done);
        if (st != LB_OK || done)
            return st;
    }
    lb_status st = lb_inputs_raster_resampled(ctx, a->in, ind->layer, ind->band,
                                              ind->resampling == LB_RESAMPLE_NEAREST, &r);
    if (st == LB_OK && radius_m <= 0.0)
        return raster_means(ctx, r, a, out);
    if (st == LB_OK)
        st = ensure_shapes(ctx, a);
    lb_cover cv = {0};
    for (size_t u = 0; st == LB_OK && u < a->units->n; u++) {
        lb_shape *tmp = NULL;
        const lb_shape *s = NULL;
        st = neighbourhood(ctx, a, u, radius_m, &tmp, &s);
        if (st == LB_OK)
            st = raster_mean_over(ctx, r, s, &cv, &out[u]);
        lb_shape_destroy(tmp);
        if (st != LB_OK) {
            char what[600];
            unit_what(a, u, what, sizeof(what));
            lb_ctx_error_prefix(ctx, st, "%s: ", what);
        }
    }
    lb_cover_free(&cv);
    return st;
}

/* share_within on polygons: Σ |N∩B| / |N| over the class polygons B (field = value, or all),
 * N the unit grown by radius_m. Overlapping class polygons would count twice: clamp to 1. */
static lb_status eval_share_polygons(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double *out)
{
    const lb_vlayer *l = NULL;
    const lb_geoset *set = NULL;
    lb_status st = get_set(ctx, a, ind->layer, ind->filter, &l, &set);
    if (st != LB_OK)
        return st;
    if (l->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "share_within needs a polygon layer or a raster, but '%s' ('%s') holds "
                            "%s",
                            ind->layer, l->path, l->kind == LB_GEOM_POINT ? "points" : "lines");
    const lb_field *f = ind->field ? lb_vlayer_field(ctx, l, ind->field) : NULL;
    if (ind->field && !f)
        return LB_ERR_DATA;
    double want = ind->value ? lb_io_parse_number(ind->value) : NAN;
    if ((st = ensure_shapes(ctx, a)) != LB_OK)
        return st;
    lb_hits hits = {0};
    for (size_t u = 0; u < a->units->n && st == LB_OK; u++) {
        lb_shape *tmp = NULL;
        const lb_shape *nb = NULL;
        st = neighbourhood(ctx, a, u, ind->radius_m, &tmp, &nb);
        if (st == LB_OK)
            st = lb_geoset_overlay(ctx, set, nb, &hits);
        if (st == LB_OK) {
            double covered = 0.0;
            for (size_t k = 0; k < hits.n; k++) {
                size_t b = hits.feat[k];
                int in_class = !f ||
                               (f->is_string && f->str[b] && !strcmp(f->str[b], ind->value)) ||
                               (!f->is_string && f->num[b] == want);
                if (in_class)
                    covered += hits.amount[k];
            }
            double area = lb_shape_area(nb);
            out[u] = area > 0.0 ? fmin(1.0, covered / area) : NAN;
        }
        lb_shape_destroy(tmp);
    }
    lb_hits_free(&hits);
    return st;
}

static lb_status eval_share(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double *out)
{
    const lb_source *src = lb_inputs_source(ctx, a->in, ind->layer);
    if (!src)
        return LB_ERR_ARG;
    if (lb_io_path_is_raster(src->path))
        return eval_raster(ctx, ind, a, ind->radius_m, out);
    return eval_share_polygons(ctx, ind, a, out);
}

/* ---- entry points ------------------------------------------------------------------------ */

lb_status lb_area_weights(lb_ctx *ctx, lb_area *a, const lb_model *m, double *w, size_t *n_missing)
{
    size_t n = a->units->n;
    *n_missing = 0;
    if (!m->weight_field) {
        double cell_area = a->cell_m * a->cell_m;
        for (size_t u = 0; u < n; u++)
            w[u] = a->units->area_m2[u] / cell_area;
        return LB_OK;
    }
    /* The weight is an extensive attribute of the weight layer. */
    lb_indicator wi = {.id = "weight",
                       .kind = LB_KIND_ATTRIBUTE,
                       .layer = m->weight_layer,
                       .field = m->weight_field,
                       .extensive = 1};
    lb_status st = eval_attr(ctx, &wi, a, w);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "weight (%s): ", m->weight_name);
    for (size_t u = 0; u < n; u++)
        *n_missing += isnan(w[u]) != 0;
    return LB_OK;
}

/* Can @p ind take a raster's mean over the units themselves (their coverage of its grid)? */
static int may_use_coverage(const lb_indicator *ind)
{
    return ind->kind == LB_KIND_RASTER_MEAN ||
           (ind->kind == LB_KIND_SHARE_WITHIN && !(ind->radius_m > 0.0));
}

void lb_area_plan(lb_area *a, const lb_model *m)
{
    a->planned = 1;
    a->zonal_left = 0;
    for (size_t i = 0; i < m->n_ind; i++)
        a->zonal_left += may_use_coverage(&m->ind[i]) != 0;
}

lb_status lb_indicators_eval_polygons(lb_ctx *ctx, const lb_indicator *ind, lb_area *a, double *out)
{
    lb_status st;
    if (may_use_coverage(ind) && a->zonal_left > 0)
        a->zonal_left--;
    if (find_join(a, ind->layer) && ind->kind != LB_KIND_ATTRIBUTE && ind->kind != LB_KIND_RATIO) {
        st = lb_ctx_error(ctx, LB_ERR_MODEL,
                          "input '%s' is a joined attribute table: only kinds attribute and ratio "
                          "can use it (kind '%s' needs geometry)",
                          ind->layer, lb_kind_name(ind->kind));
        return lb_ctx_error_prefix(ctx, st, "indicator '%s' (model line %d): ", ind->id, ind->line);
    }
    switch (ind->kind) {
    case LB_KIND_ATTRIBUTE:
    case LB_KIND_RATIO:
        st = eval_attr(ctx, ind, a, out);
        break;
    case LB_KIND_COUNT_WITHIN:
    case LB_KIND_DENSITY:
        st = eval_count(ctx, ind, a, out);
        break;
    case LB_KIND_NEAREST_DISTANCE:
        st = eval_nearest(ctx, ind, a, out);
        break;
    case LB_KIND_SHARE_WITHIN:
        st = eval_share(ctx, ind, a, out);
        break;
    case LB_KIND_RASTER_MEAN:
        st = eval_raster(ctx, ind, a, 0.0, out);
        break;
    default:
        st = lb_ctx_error(ctx, LB_ERR_MODEL, "kind '%s' is not known in area mode",
                          lb_kind_name(ind->kind));
        break;
    }
    return st == LB_OK ? LB_OK
                       : lb_ctx_error_prefix(ctx, st, "indicator '%s' (model line %d): ", ind->id,
                                             ind->line);
}
