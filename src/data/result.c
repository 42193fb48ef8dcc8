/* SPDX-License-Identifier: MIT */
/* The result container and the public accessors of results, tables and rasters. */
#include "result.h"

#include "../core/ctx.h"

#include <stdlib.h>
#include <string.h>

lb_status lb_result_create(lb_ctx *ctx, const char *operation, const lb_result_ops *ops,
                           lb_result **out)
{
    lb_result *r = calloc(1, sizeof(*r));
    if (!r || !(r->operation = lb_core_strdup(operation))) {
        free(r);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the result of %s", operation);
    }
    r->ops = ops;
    *out = r;
    return LB_OK;
}

void lb_result_set_payload(lb_result *r, void *payload)
{
    r->payload = payload;
}

void *lb_result_payload(const lb_result *r)
{
    return r->payload;
}

static void raster_destroy(lb_raster *ra)
{
    if (!ra)
        return;
    for (size_t b = 0; b < ra->n_bands; b++)
        free(ra->band_names ? ra->band_names[b] : NULL);
    free(ra->band_names);
    free(ra->name);
    free(ra);
}

void lb_result_destroy(lb_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_tables; i++)
        lb_table_destroy(r->tables[i]);
    free(r->tables);
    for (size_t i = 0; i < r->n_rasters; i++)
        raster_destroy(r->rasters[i]);
    free(r->rasters);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r->provenance);
    /* after the rasters: their fills borrow the payload */
    if (r->ops && r->ops->destroy && r->payload)
        r->ops->destroy(r->payload);
    free(r->operation);
    free(r);
}

/* Make room for one more pointer in *items (of *cap); 0 when out of memory. */
static int grow(void ***items, size_t n, size_t *cap)
{
    if (n < *cap)
        return 1;
    size_t c = *cap ? 2 * *cap : 4;
    void **g = realloc(*items, c * sizeof(*g));
    if (!g)
        return 0;
    *items = g;
    *cap = c;
    return 1;
}

lb_status lb_result_add_table(lb_ctx *ctx, lb_result *r, const char *name, lb_table *t)
{
    lb_status st = LB_OK;
    if (lb_result_table_by_name(r, name)) {
        st = lb_ctx_error(ctx, LB_ERR_ARG, "%s: two tables named '%s'", r->operation, name);
        goto fail;
    }
    char *copy = lb_core_strdup(name);
    if (!copy || !grow((void ***)&r->tables, r->n_tables, &r->cap_tables)) {
        free(copy);
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory adding table '%s'", name);
        goto fail;
    }
    free(t->name);
    t->name = copy;
    r->tables[r->n_tables++] = t;
    return LB_OK;
fail:
    lb_table_destroy(t);
    return st;
}

lb_status lb_result_add_raster(lb_ctx *ctx, lb_result *r, const char *name, size_t nx, size_t ny,
                               const double gt[6], size_t n_bands, const char *const *band_names,
                               lb_raster_fill_fn fill, void *user, lb_raster **out)
{
    lb_raster *ra = calloc(1, sizeof(*ra));
    int ok = ra && (ra->name = lb_core_strdup(name)) &&
             (ra->band_names = calloc(n_bands ? n_bands : 1, sizeof(char *)));
    if (ok) {
        ra->n_bands = n_bands;
        for (size_t b = 0; ok && b < n_bands; b++)
            ok = (ra->band_names[b] = lb_core_strdup(band_names[b])) != NULL;
    }
    if (!ok || !grow((void ***)&r->rasters, r->n_rasters, &r->cap_rasters)) {
        raster_destroy(ra);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory adding raster '%s'", name);
    }
    ra->nx = nx;
    ra->ny = ny;
    memcpy(ra->gt, gt, sizeof(ra->gt));
    ra->fill = fill;
    ra->user = user;
    r->rasters[r->n_rasters++] = ra;
    if (out)
        *out = ra;
    return LB_OK;
}

lb_status lb_result_set_provenance(lb_ctx *ctx, lb_result *r, const char *json)
{
    char *copy = lb_core_strdup(json);
    if (!copy)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the provenance of %s",
                            r->operation);
    free(r->provenance);
    r->provenance = copy;
    return LB_OK;
}

lb_status lb_result_take_warnings(lb_ctx *ctx, lb_result *r)
{
    size_t n = lb_ctx_warning_count(ctx);
    if (n == 0)
        return LB_OK;
    char **w = realloc(r->warnings, (r->n_warnings + n) * sizeof(*w));
    if (!w)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory copying %zu warnings", n);
    r->warnings = w;
    for (size_t i = 0; i < n; i++) {
        char *copy = lb_core_strdup(lb_ctx_warning(ctx, i));
        if (!copy)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory copying %zu warnings", n);
        r->warnings[r->n_warnings++] = copy;
    }
    return LB_OK;
}

lb_status lb_result_write_with(lb_ctx *ctx, const lb_result *r, const lb_write_opts *w)
{
    if (!r->ops || !r->ops->write)
        return lb_ctx_error(ctx, LB_ERR_ARG, "a result of %s writes no files", r->operation);
    return r->ops->write(ctx, r, w);
}

const char *lb_result_operation(const lb_result *r)
{
    return r->operation;
}

size_t lb_result_table_count(const lb_result *r)
{
    return r->n_tables;
}

const lb_table *lb_result_table(const lb_result *r, size_t i)
{
    return i < r->n_tables ? r->tables[i] : NULL;
}

const lb_table *lb_result_table_by_name(const lb_result *r, const char *name)
{
    for (size_t i = 0; name && i < r->n_tables; i++)
        if (r->tables[i]->name && strcmp(r->tables[i]->name, name) == 0)
            return r->tables[i];
    return NULL;
}

size_t lb_result_raster_count(const lb_result *r)
{
    return r->n_rasters;
}

const lb_raster *lb_result_raster(const lb_result *r, size_t i)
{
    return i < r->n_rasters ? r->rasters[i] : NULL;
}

const char *lb_result_provenance(const lb_result *r)
{
    return r->provenance ? r->provenance : "{}";
}

size_t lb_result_warning_count(const lb_result *r)
{
    return r->n_warnings;
}

const char *lb_result_warning(const lb_result *r, size_t i)
{
    return i < r->n_warnings ? r->warnings[i] : NULL;
}

const char *lb_table_name(const lb_table *t)
{
    return t->name ? t->name : "";
}

size_t lb_table_row_count(const lb_table *t)
{
    return t->n_rows;
}

size_t lb_table_column_count(const lb_table *t)
{
    return t->n_cols;
}

const char *lb_table_column_name(const lb_table *t, size_t col)
{
    return col < t->n_cols ? t->cols[col].name : NULL;
}

lb_col_type lb_table_column_type(const lb_table *t, size_t col)
{
    return col < t->n_cols ? t->cols[col].type : LB_COL_REAL;
}

long lb_table_column_index(const lb_table *t, const char *name)
{
    for (size_t i = 0; name && i < t->n_cols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

const double *lb_table_reals(const lb_table *t, size_t col)
{
    return col < t->n_cols && t->cols[col].type == LB_COL_REAL ? t->cols[col].real : NULL;
}

const int64_t *lb_table_ints(const lb_table *t, size_t col)
{
    return col < t->n_cols && t->cols[col].type == LB_COL_INT ? t->cols[col].integer : NULL;
}

const char *lb_table_text(const lb_table *t, size_t col, size_t row)
{
    if (col >= t->n_cols || row >= t->n_rows || t->cols[col].type != LB_COL_TEXT)
        return NULL;
    return t->cols[col].text[row];
}

int lb_table_has_geometry(const lb_table *t)
{
    return t->wkb != NULL;
}

const unsigned char *lb_table_wkb(const lb_table *t, size_t row, size_t *size)
{
    const unsigned char *g = t->wkb && row < t->n_rows ? t->wkb[row] : NULL;
    if (size)
        *size = g ? t->wkb_size[row] : 0;
    return g;
}

const char *lb_raster_name(const lb_raster *r)
{
    return r->name;
}

void lb_raster_size(const lb_raster *r, size_t *nx, size_t *ny, size_t *n_bands)
{
    if (nx)
        *nx = r->nx;
    if (ny)
        *ny = r->ny;
    if (n_bands)
        *n_bands = r->n_bands;
}

void lb_raster_geotransform(const lb_raster *r, double gt[6])
{
    memcpy(gt, r->gt, 6 * sizeof(double));
}

const char *lb_raster_band_name(const lb_raster *r, size_t band)
{
    return band < r->n_bands ? r->band_names[band] : NULL;
}

lb_status lb_raster_read_band(lb_ctx *ctx, const lb_raster *r, size_t band, float *out)
{
    if (band >= r->n_bands)
        return lb_ctx_error(ctx, LB_ERR_ARG, "raster '%s' has %zu bands; there is no band %zu",
                            r->name, r->n_bands, band + 1);
    if (!r->fill)
        return lb_ctx_error(ctx, LB_ERR_INTERNAL, "raster '%s' cannot be filled", r->name);
    return r->fill(ctx, r, band, out, r->user);
}

static const struct {
    const char *name;
    unsigned bit;
} output_names[] = {{"gpkg", LB_OUT_GPKG}, {"grid", LB_OUT_GRID}, {"geojson", LB_OUT_GEOJSON},
                    {"csv", LB_OUT_CSV},   {"tif", LB_OUT_TIF},   {"all", LB_OUT_ALL}};

lb_status lb_result_outputs_parse(lb_ctx *ctx, const char *list, unsigned *out)
{
    unsigned mask = 0;
    const size_t n_names = sizeof(output_names) / sizeof(output_names[0]);
    for (const char *p = list ? list : ""; *p;) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < n_names &&
               !(strlen(output_names[k].name) == len && strncmp(output_names[k].name, p, len) == 0))
            k++;
        if (k == n_names)
            return lb_ctx_error(
                ctx, LB_ERR_ARG,
                "outputs: unknown output '%.*s' (choose from gpkg, grid, geojson, csv, "
                "tif, all)",
                (int)len, p);
        mask |= output_names[k].bit;
        p += len + (p[len] == ',');
    }
    if (!mask)
        return lb_ctx_error(
            ctx, LB_ERR_ARG,
            "outputs: the list is empty (choose from gpkg, grid, geojson, csv, tif, "
            "all)");
    *out = mask;
    return LB_OK;
}
