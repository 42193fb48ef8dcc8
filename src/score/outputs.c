/* SPDX-License-Identifier: MIT */
/* The files of a score run: scores.gpkg (layers grid and <units>, QGIS styles inside),
 * <units>.geojson, <units>.csv (grid.csv with --units grid), the QGIS sidecars, per year
 * scores_<year>.tif and class_<year>.tif (with --preview class_<year>.png), and run.json,
 * written into a temporary directory that appears only when all succeeded. */
#include "run.h"

#include "../core/ctx.h"
#include "../io/mapset.h"
#include "../io/style.h"
#include "../io/write.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Band b of a year's score COG: lbm (b = 0) or a dimension, expanded from the compact cells
 * to the whole grid (NaN elsewhere). */
typedef struct band_src {
    const score_year *y;
    size_t n;
} band_src;

static lb_status fill_band(void *user, size_t b, float *out)
{
    const band_src *bs = user;
    const score_year *y = bs->y;
    const double *v = b == 0 ? y->sc.lbm : y->sc.dev[b - 1];
    for (size_t c = 0; c < bs->n; c++)
        out[c] = NAN;
    for (size_t k = 0; k < y->n_scored; k++)
        out[y->cells[k]] = (float)v[k];
    return LB_OK;
}

/* REF, M_d, year and model inside the TIFFs: NAME=VALUE items, NULL-terminated (caller frees
 * the items and the array); NULL when out of memory. */
static char **raster_metadata(const lb_model *m, const score_year *y)
{
    size_t n = 4 + m->n_dims;
    char **meta = calloc(n, sizeof(char *));
    if (!meta)
        return NULL;
    size_t k = 0;
    char v[32];
    meta[k++] = lb_strfmt("LEEFBAAR_MODEL=%s", m->name);
    lb_format_double(y->ref.ref, v, sizeof(v));
    meta[k++] = lb_strfmt("LEEFBAAR_REF=%s", v);
    for (size_t d = 0; d < m->n_dims && d < y->ref.n_dims; d++) {
        lb_format_double(y->ref.means[d], v, sizeof(v));
        meta[k++] = lb_strfmt("LEEFBAAR_M_%s=%s", m->dims[d].code, v);
    }
    if (y->year)
        meta[k++] = lb_strfmt("LEEFBAAR_YEAR=%d", y->year);
    for (size_t i = 0; i < k; i++)
        if (!meta[i]) {
            for (size_t j = 0; j < k; j++)
                free(meta[j]);
            free(meta);
            return NULL;
        }
    return meta;
}

/* scores_<year>.tif (written one band at a time), class_<year>.tif with its category names,
 * their QGIS sidecars, and with --preview class_<year>.png. */
lb_status lb_score_outputs_rasters(lb_ctx *ctx, score_run *r, score_year *y)
{
    const lb_model *m = r->model;
    size_t n = lb_grid_ncells(&r->grid), nb = 1 + m->n_dims;
    const char **names = calloc(nb, sizeof(char *)), **units = calloc(nb, sizeof(char *));
    char **meta = raster_metadata(m, y);
    unsigned char *cls = calloc(n ? n : 1, 1);
    lb_status st =
        names && units && meta && cls ? LB_OK : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t b = 0; st == LB_OK && b < nb; b++) {
        names[b] = b == 0 ? "lbm" : m->dims[b - 1].code;
        units[b] = b == 0 ? "score" : "score deviation";
    }
    for (size_t k = 0; st == LB_OK && k < y->n_scored; k++)
        cls[y->cells[k]] = y->sc.kscore[k];
    char yr[16] = "", title[64] = "Leefbaarometer-klasse";
    if (y->year) {
        snprintf(yr, sizeof(yr), "_%d", y->year);
        snprintf(title, sizeof(title), "Leefbaarometer-klasse %d", y->year);
    }
    const lb_raster_opts ro = {r->o->raster_format, r->o->creation_options,
                               (const char *const *)meta};
    const lb_class_table ct = {LB_N_CLASSES, (const char *const *)m->class_labels,
                               (const char *const *)m->class_colours, m->thresholds, title};
    band_src bs = {y, n};
    const lb_mapset ms = {"scores", "class", yr,  &r->grid, nb,  fill_band,    &bs,
                          names,    units,   cls, &ct,      &ro, r->o->preview};
    if (st == LB_OK)
        st = lb_mapset_write(ctx, &r->out, &ms, r->outputs);
    for (size_t i = 0; meta && meta[i]; i++)
        free(meta[i]);
    free(meta);
    free(names);
    free(units);
    free(cls);
    return st;
}

/* Write @p t as @p file. The GeoPackage keeps full precision (change, diagnose and waterbed
 * read it back and recombine the numbers); GeoJSON and CSV are rounded for people. */
static lb_status write_table(lb_ctx *ctx, score_run *r, lb_table *t, const char *file,
                             lb_vector_format fmt, const char *layer)
{
    lb_vector_opts vo = {.format = fmt,
                         .layer = layer,
                         .geojson_rd = r->o->geojson_rd,
                         .csv_sep = r->o->csv_sep,
                         .full_precision = r->o->full_precision};
    char *path = lb_outdir_tmp_path(&r->out, file);
    if (!path)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    int decimals[LB_TABLE_MAX_COLS];
    for (size_t j = 0; j < t->n_cols; j++) {
        decimals[j] = t->cols[j].decimals;
        if (fmt == LB_FMT_GPKG)
            t->cols[j].decimals = -1;
    }
    lb_status st = lb_write_vector(ctx, path, t, &vo);
    for (size_t j = 0; j < t->n_cols; j++)
        t->cols[j].decimals = decimals[j];
    free(path);
    if (st == LB_OK && fmt != LB_FMT_GPKG)
        json_object_array_add(r->outputs, json_object_new_string(file));
    return st;
}

/* The class legend every vector layer opens with in QGIS: categorized on kscore. */
static lb_class_table model_classes(const lb_model *m)
{
    return (lb_class_table){LB_N_CLASSES, (const char *const *)m->class_labels,
                            (const char *const *)m->class_colours, m->thresholds, NULL};
}

/* Layer @p layer of scores.gpkg opens styled in QGIS (layer_styles). */
static lb_status style_layer(lb_ctx *ctx, score_run *r, const char *layer, int outline)
{
    const lb_class_table ct = model_classes(r->model);
    const lb_style style = {
        .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "kscore", .outline = outline};
    char *gpkg = lb_outdir_tmp_path(&r->out, "scores.gpkg");
    lb_status st =
        gpkg ? lb_gpkg_add_style(ctx, gpkg, layer, &style, NULL, "leefbaar: classes (kscore)", 1)
             : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(gpkg);
    return st;
}

/* The units table as scores.gpkg layer <units>, <units>.geojson and <units>.csv; with
 * @p styled the layer's QGIS style in the GeoPackage and the sidecar <units>.qml (grid runs;
 * area runs are written as the area mode always wrote them). */
lb_status lb_score_outputs_units(lb_ctx *ctx, score_run *r, lb_table *ut, int styled)
{
    unsigned want = lb_score_options_outputs(r->o);
    lb_status st = LB_OK;
    if (want & LB_OUT_GPKG)
        st = write_table(ctx, r, ut, "scores.gpkg", LB_FMT_GPKG, r->units_name);
    if (st == LB_OK && styled && (want & LB_OUT_GPKG))
        st = style_layer(ctx, r, r->units_name, 1);
    char file[256];
    snprintf(file, sizeof(file), "%s.geojson", r->units_name);
    if (st == LB_OK && (want & LB_OUT_GEOJSON))
        st = write_table(ctx, r, ut, file, LB_FMT_GEOJSON, r->units_name);
    snprintf(file, sizeof(file), "%s.csv", r->units_name);
    if (st == LB_OK && (want & LB_OUT_CSV))
        st = write_table(ctx, r, ut, file, LB_FMT_CSV, r->units_name);
    /* QGIS applies <name>.qml to <name>.geojson */
    const lb_class_table ct = model_classes(r->model);
    const lb_style style = {
        .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "kscore", .outline = 1};
    snprintf(file, sizeof(file), "%s.qml", r->units_name);
    if (!styled || !(want & LB_OUT_GEOJSON))
        return st;
    char *qml = st == LB_OK ? lb_outdir_tmp_path(&r->out, file) : NULL;
    if (st == LB_OK)
        st = qml ? lb_style_write_qml(ctx, qml, &style)
                 : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(qml);
    if (st == LB_OK)
        json_object_array_add(r->outputs, json_object_new_string(file));
    return st;
}

/* run.json, then the directory appears; @p amend (may be NULL) adjusts the document first. */
lb_status lb_score_outputs_run_json(lb_ctx *ctx, score_run *r,
                                    void (*amend)(const score_run *r, struct json_object *doc))
{
    lb_status st = lb_progress(ctx, 0.95, "writing");
    if (st != LB_OK)
        return st;
    lb_score_stage_done(r, "write");
    json_object_array_add(r->outputs, json_object_new_string("run.json"));
    struct json_object *doc = lb_score_provenance(ctx, r);
    if (amend)
        amend(r, doc);
    char *path = lb_outdir_tmp_path(&r->out, "run.json");
    st = path ? lb_write_json(ctx, path, doc) : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(path);
    json_object_put(doc);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &r->out);
    return st;
}

/* The tables of all years, rows in ascending year order: scores.gpkg (grid and units),
 * <units>.geojson and <units>.csv; then run.json. */
lb_status lb_score_outputs_grid_run(lb_ctx *ctx, score_run *r)
{
    lb_table **parts = calloc(r->n_years, sizeof(*parts));
    size_t *order = malloc(r->n_years * sizeof(size_t));
    lb_table *gt = NULL, *ut = NULL;
    lb_status st = parts && order ? LB_OK : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t t = 0; st == LB_OK && t < r->n_years; t++) {
        size_t k = t;
        while (k > 0 && r->yr[order[k - 1]].year > r->yr[t].year) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = t;
    }
    for (size_t t = 0; st == LB_OK && t < r->n_years; t++)
        parts[t] = r->yr[order[t]].grid_t;
    unsigned want = lb_score_options_outputs(r->o);
    int grid_csv = !r->yr[0].units_t && (want & LB_OUT_CSV); /* --units grid: the cells' CSV */
    if (st == LB_OK && ((want & LB_OUT_GRID) || grid_csv))
        st = lb_score_tables_concat(ctx, parts, r->n_years, &gt);
    if (st == LB_OK && (want & LB_OUT_GRID))
        st = write_table(ctx, r, gt, "scores.gpkg", LB_FMT_GPKG, "grid");
    if (st == LB_OK && (want & LB_OUT_GRID))
        st = style_layer(ctx, r, "grid", 0);
    if (st == LB_OK && grid_csv)
        st = write_table(ctx, r, gt, "grid.csv", LB_FMT_CSV, "grid");
    lb_table_destroy(gt);
    if (st == LB_OK && r->yr[0].units_t) {
        for (size_t t = 0; t < r->n_years; t++)
            parts[t] = r->yr[order[t]].units_t;
        st = lb_score_tables_concat(ctx, parts, r->n_years, &ut);
        if (st == LB_OK)
            st = lb_score_outputs_units(ctx, r, ut, 1);
    }
    lb_table_destroy(ut);
    free(parts);
    free(order);
    if (st == LB_OK) {
        if (want & (LB_OUT_GRID | (r->yr[0].units_t ? LB_OUT_GPKG : 0)))
            json_object_array_add(r->outputs, json_object_new_string("scores.gpkg"));
        st = lb_score_outputs_run_json(ctx, r, lb_score_provenance_rasters);
    }
    return st;
}

/* The output directory, checked against every input of the run (no output may replace one). */
lb_status lb_score_outputs_open(lb_ctx *ctx, score_run *r)
{
    const lb_score_options *o = r->o;
    const char **in = malloc((o->n_inputs + 2) * sizeof(char *));
    if (!in)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < o->n_inputs; i++)
        in[n++] = o->inputs[i].path;
    in[n++] = o->model_path;
    if (o->reference_path)
        in[n++] = o->reference_path;
    const lb_outdir_spec spec = {.overwrite = o->overwrite, .inputs = in, .n_inputs = n};
    lb_status st = lb_outdir_open(ctx, o->outdir, &spec, &r->out);
    free(in);
    return st;
}
