/* SPDX-License-Identifier: MIT */
/* The files of a score run: scores.gpkg (layers grid and <units>, their views per year, QGIS
 * styles inside), <units>.geojson, <units>.csv (grid.csv with --units grid), the QGIS
 * sidecars, per year scores_<year>.tif, class_<year>.tif and dim_<code>_<year>.tif (with
 * --preview class_<year>.png), and run.json,
 * written into a temporary directory that appears only when all succeeded. */
#define _POSIX_C_SOURCE 200809L /* pthread_rwlock_t */

#include "run.h"

#include "../core/ctx.h"
#include "../io/jobs.h"
#include "../io/mapset.h"
#include "../io/style.h"
#include "../io/write.h"
#include "../viewer/inrun.h"

#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The bands of scores_<year>.tif come from the result's raster of that name, one at a time:
 * the file holds what lb_raster_read_band() gives. */
typedef struct band_src {
    lb_ctx *ctx;
    const lb_raster *ra;
} band_src;

static lb_status fill_band(void *user, size_t b, float *out)
{
    const band_src *bs = user;
    return lb_raster_read_band(bs->ctx, bs->ra, b, out);
}

/* The seconds one output took, under "write_timings_s" of run.json (keys: the file, with the
 * layer for GeoPackage layers; "<file> styles" for a layer's QGIS styles and per-year views;
 * "rasters_<year>" for a year's GeoTIFFs). Kept apart from "timings_s", whose stages add up
 * to the run. Summed when a key repeats. */
static void note_write_time(score_run *r, const char *key, double t0)
{
    struct json_object *wt = NULL, *prev = NULL;
    if (!json_object_object_get_ex(r->doc, "write_timings_s", &wt))
        return;
    double dt = lb_score_now() - t0;
    if (json_object_object_get_ex(wt, key, &prev))
        dt += json_object_get_double(prev);
    json_object_object_add(wt, key, json_object_new_double(round(dt * 1000.0) / 1000.0));
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
    meta[k++] = lb_core_strfmt("LEEFBAAR_MODEL=%s", m->name);
    lb_io_format_double(y->ref.ref, v, sizeof(v));
    meta[k++] = lb_core_strfmt("LEEFBAAR_REF=%s", v);
    for (size_t d = 0; d < m->n_dims && d < y->ref.n_dims; d++) {
        lb_io_format_double(y->ref.means[d], v, sizeof(v));
        meta[k++] = lb_core_strfmt("LEEFBAAR_M_%s=%s", m->dims[d].code, v);
    }
    if (y->year)
        meta[k++] = lb_core_strfmt("LEEFBAAR_YEAR=%d", y->year);
    for (size_t i = 0; i < k; i++)
        if (!meta[i]) {
            for (size_t j = 0; j < k; j++)
                free(meta[j]);
            free(meta);
            return NULL;
        }
    return meta;
}

/* The legend of dimension @p d: the model's bands for it, else the default bands centred on 0.
 * @p year 0: no year in the title. */
static void dim_legend(const lb_model *m, size_t d, int year, lb_style_dim_legend *out)
{
    double bands[LB_N_THRESHOLDS];
    if (m->dims[d].has_bands)
        memcpy(bands, m->dims[d].bands, sizeof(bands));
    else
        lb_model_default_bands(m, bands);
    char title[128];
    if (year)
        snprintf(title, sizeof(title), "%s %d (afwijking van de referentie)", m->dims[d].label,
                 year);
    else
        snprintf(title, sizeof(title), "%s (afwijking van de referentie)", m->dims[d].label);
    lb_style_dim_legend_init(out, bands, title);
}

/* dim_<code><yr>.tif: the classes k_<code> of dimension @p d of year @p y as a paletted Byte
 * COG with category names, and its QGIS sidecar: one file per dimension map, its legend centred
 * on 0. @p cls is scratch of lb_grid_ncells cells. */
static lb_status write_dim_raster(lb_ctx *ctx, score_run *r, const score_year *y, size_t d,
                                  const char *yr, const lb_raster_opts *ro, unsigned char *cls)
{
    const lb_model *m = r->model;
    lb_style_dim_legend leg;
    dim_legend(m, d, y->year, &leg);
    memset(cls, 0, lb_grid_ncells(&r->grid));
    for (size_t k = 0; k < y->n_scored; k++)
        cls[y->cells[k]] = y->sc.kdim[d][k];
    char base[256];
    snprintf(base, sizeof(base), "dim_%s%s", m->dims[d].code, yr);
    return lb_style_write_class_map(ctx, &r->out, base, &r->grid, cls, &leg.ct, ro, r->outputs);
}

/* scores_<year>.tif (written one band at a time), class_<year>.tif with its category names,
 * their QGIS sidecars, per dimension dim_<code>_<year>.tif with its sidecar, and with --preview
 * class_<year>.png. */
static lb_status write_rasters(lb_ctx *ctx, score_run *r, const lb_result *res, const score_year *y)
{
    const lb_model *m = r->model;
    size_t n = lb_grid_ncells(&r->grid), nb = 1 + m->n_dims;
    const char **names = calloc(nb, sizeof(char *)), **units = calloc(nb, sizeof(char *));
    char **meta = raster_metadata(m, y);
    unsigned char *cls = calloc(n ? n : 1, 1);
    lb_status st =
        names && units && meta && cls ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t b = 0; st == LB_OK && b < nb; b++) {
        names[b] = b == 0 ? "lbm" : m->dims[b - 1].code;
        units[b] = b == 0 ? "score" : "score deviation";
    }
    for (size_t k = 0; st == LB_OK && k < y->n_scored; k++)
        cls[y->cells[k]] = y->sc.kscore[k];
    char yr[16] = "", title[64] = "Leefbaarometer-klasse", name[32];
    if (y->year) {
        snprintf(yr, sizeof(yr), "_%d", y->year);
        snprintf(title, sizeof(title), "Leefbaarometer-klasse %d", y->year);
    }
    snprintf(name, sizeof(name), "scores%s", yr);
    band_src bs = {ctx, NULL};
    for (size_t i = 0; i < lb_result_raster_count(res); i++)
        if (strcmp(lb_raster_name(lb_result_raster(res, i)), name) == 0)
            bs.ra = lb_result_raster(res, i);
    if (st == LB_OK && !bs.ra)
        st = lb_ctx_error(ctx, LB_ERR_INTERNAL, "score: the result has no raster '%s'", name);
    const lb_raster_opts ro = {r->w->raster_format, r->w->creation_options,
                               (const char *const *)meta};
    const lb_class_table ct = {LB_N_CLASSES, (const char *const *)m->class_labels,
                               (const char *const *)m->class_colours, m->thresholds, title};
    lb_preview_areas areas = {0};
    if (st == LB_OK && r->w->preview)
        st = lb_preview_areas_from_table(ctx, r->units_t, y->year, r->id_field, &areas);
    const lb_mapset ms = {"scores", "class", yr,  &r->grid, nb,  fill_band,     &bs,
                          names,    units,   cls, &ct,      &ro, r->w->preview, &areas};
    if (st == LB_OK)
        st = lb_mapset_write(ctx, &r->out, &ms, r->outputs);
    for (size_t d = 0; st == LB_OK && d < m->n_dims; d++)
        st = write_dim_raster(ctx, r, y, d, yr, &ro, cls);
    lb_preview_areas_free(&areas);
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
static lb_status write_table(lb_ctx *ctx, score_run *r, const lb_table *t, const char *file,
                             lb_vector_format fmt, const char *layer)
{
    lb_vector_opts vo = {.format = fmt,
                         .layer = layer,
                         .geojson_rd = r->w->geojson_rd,
                         .csv_sep = r->w->csv_sep,
                         .full_precision = fmt == LB_FMT_GPKG || r->w->full_precision};
    char *path = lb_outdir_tmp_path(&r->out, file);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    double t0 = lb_score_now();
    lb_status st = lb_write_vector(ctx, path, t, &vo);
    free(path);
    char key[320];
    snprintf(key, sizeof(key), fmt == LB_FMT_GPKG ? "%s:%s" : "%s", file, layer);
    note_write_time(r, key, t0);
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

/* Layer @p layer of scores.gpkg opens styled in QGIS (layer_styles): style "lbm" (the
 * classes kscore) as its default, and one style per dimension named by its code (the classes
 * k_<code>, legend centred on 0), which Layer Properties → Symbology → Style switches to. */
static lb_status style_layer(lb_ctx *ctx, score_run *r, const char *layer, int outline)
{
    const lb_model *m = r->model;
    const lb_class_table ct = model_classes(m);
    const lb_style style = {
        .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "kscore", .outline = outline};
    char *gpkg = lb_outdir_tmp_path(&r->out, "scores.gpkg");
    lb_status st = gpkg ? lb_io_gpkg_add_style(ctx, gpkg, layer, &style, "lbm",
                                               "leefbaar: Leefbaarometer-klasse (kscore)", 1)
                        : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t d = 0; st == LB_OK && d < m->n_dims; d++) {
        lb_style_dim_legend leg;
        dim_legend(m, d, 0, &leg);
        char field[80], desc[160];
        snprintf(field, sizeof(field), "k_%s", m->dims[d].code);
        snprintf(desc, sizeof(desc), "leefbaar: %s, klasse van de afwijking (%s)", m->dims[d].label,
                 field);
        const lb_style ds = {.kind = LB_STYLE_VECTOR_CLASSES,
                             .classes = &leg.ct,
                             .field = field,
                             .outline = outline};
        st = lb_io_gpkg_add_style(ctx, gpkg, layer, &ds, m->dims[d].code, desc, 0);
    }
    free(gpkg);
    return st;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Layer @p layer of scores.gpkg styled, and per year of the run the view <layer>_<year> of
 * its rows, styled alike: QGIS lists one layer per year (Identify finds one feature, no year
 * draws over another) beside the long layer of all years. */
static lb_status style_layer_years(lb_ctx *ctx, score_run *r, const char *layer, int outline)
{
    double t0 = lb_score_now();
    lb_status st = style_layer(ctx, r, layer, outline);
    int *years = calloc(r->n_years ? r->n_years : 1, sizeof(int));
    size_t n = 0;
    if (st == LB_OK && !years)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t t = 0; st == LB_OK && t < r->n_years; t++)
        if (r->yr[t].year)
            years[n++] = r->yr[t].year;
    if (n)
        qsort(years, n, sizeof(int), cmp_int);
    char *gpkg = st == LB_OK ? lb_outdir_tmp_path(&r->out, "scores.gpkg") : NULL;
    if (st == LB_OK && !gpkg)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LB_OK && i < n; i++) {
        char view[256];
        snprintf(view, sizeof(view), "%s_%d", layer, years[i]);
        st = lb_io_gpkg_add_view(ctx, gpkg, layer, view, "year", years[i]);
        if (st == LB_OK)
            st = style_layer(ctx, r, view, outline);
    }
    free(gpkg);
    free(years);
    char key[320];
    snprintf(key, sizeof(key), "scores.gpkg:%s styles", layer);
    note_write_time(r, key, t0);
    return st;
}

/* The units table as scores.gpkg layer <units> and, with @p styled, its QGIS styles and
 * per-year views. */
static lb_status write_units_gpkg(lb_ctx *ctx, score_run *r, int styled)
{
    lb_status st = write_table(ctx, r, r->units_t, "scores.gpkg", LB_FMT_GPKG, r->units_name);
    if (st == LB_OK && styled)
        st = style_layer_years(ctx, r, r->units_name, 1);
    return st;
}

/* <units>.qml: QGIS applies <name>.qml to <name>.geojson. */
static lb_status write_units_qml(lb_ctx *ctx, score_run *r)
{
    const lb_class_table ct = model_classes(r->model);
    const lb_style style = {
        .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "kscore", .outline = 1};
    char file[256];
    snprintf(file, sizeof(file), "%s.qml", r->units_name);
    char *qml = lb_outdir_tmp_path(&r->out, file);
    lb_status st = qml ? lb_style_write_qml(ctx, qml, &style)
                       : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(qml);
    if (st == LB_OK)
        json_object_array_add(r->outputs, json_object_new_string(file));
    return st;
}

/* run.json: the computed document with what the write decided (options, timing), the
 * result's warnings and those the write gave since warning @p n0 of @p ctx, and the files. */
static lb_status write_run_json(lb_ctx *ctx, score_run *r, const lb_result *res, size_t n0,
                                double t0)
{
    lb_status st = lb_ctx_progress(ctx, 0.95, "writing");
    if (st != LB_OK)
        return st;
    struct json_object *doc = NULL, *warnings = json_object_new_array();
    if (!warnings || json_object_deep_copy(r->doc, &doc, NULL) != 0) {
        json_object_put(warnings);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    lb_score_doc_stage(doc, "write", lb_score_now() - t0);
    lb_score_provenance_write_options(r, r->w, doc);
    json_object_object_add(
        doc, "viewer",
        r->w->viewer ? lb_viewer_choice_json(r->w->viewer_lib, r->w->viewer_title) : NULL);
    for (size_t i = 0; i < lb_result_warning_count(res); i++)
        json_object_array_add(warnings, json_object_new_string(lb_result_warning(res, i)));
    for (size_t i = n0; i < lb_ctx_warning_count(ctx); i++)
        json_object_array_add(warnings, json_object_new_string(lb_ctx_warning(ctx, i)));
    json_object_object_add(doc, "warnings", warnings);
    json_object_array_add(r->outputs, json_object_new_string("run.json"));
    json_object_object_add(doc, "outputs", json_object_get(r->outputs));
    char *path = lb_outdir_tmp_path(&r->out, "run.json");
    st = path ? lb_write_json(ctx, path, doc) : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(path);
    json_object_put(doc);
    return st;
}

/* --units grid with csv: the cells' table as grid.csv. */
static int grid_csv(const score_run *r)
{
    return strcmp(r->units_name, "grid") == 0 && (r->want & LB_OUT_CSV);
}

/* One output file (scores.gpkg with all its layers counts as one: GDAL writes a dataset on
 * one thread) of the run. */
typedef enum job_kind {
    JOB_RASTERS,       /* a year's GeoTIFFs and their sidecars */
    JOB_GPKG,          /* scores.gpkg: layer grid and/or <units>, styles and views */
    JOB_GRID_CSV,      /* grid.csv */
    JOB_UNITS_GEOJSON, /* <units>.geojson */
    JOB_UNITS_CSV,     /* <units>.csv */
    JOB_UNITS_QML      /* <units>.qml */
} job_kind;

/* A job sees the run through @p view: the shared run with a list of files and a
 * "write_timings_s" of its own, merged into the run's in list order once all jobs are done. */
typedef struct write_job {
    job_kind kind;
    score_run view;
    const lb_result *res;
    size_t year; /* JOB_RASTERS: index into r->yr */
    /* The rasters (the full-box score and class arrays, GDAL's block cache) run alone: they
     * hold the lock for writing, every other job for reading. On T2 the rasters beside the
     * GeoPackage took the peak from 0.69 GB (either alone) to 1.01 GB, and with the GeoJSON
     * as well to 1.19 GB; the GeoPackage beside the GeoJSON stays at 0.69 GB. The rasters start
     * last (job_rank), so the wall time is nearly that of running everything at once. */
    pthread_rwlock_t *alone;
} write_job;

static lb_status run_job(lb_ctx *ctx, void *user)
{
    write_job *j = user;
    score_run *r = &j->view;
    char file[256];
    lb_status st = LB_OK;
    if (j->kind == JOB_RASTERS)
        pthread_rwlock_wrlock(j->alone);
    else
        pthread_rwlock_rdlock(j->alone);
    switch (j->kind) {
    case JOB_RASTERS: {
        double t0 = lb_score_now();
        st = write_rasters(ctx, r, j->res, &r->yr[j->year]);
        char key[32] = "rasters";
        if (r->yr[j->year].year)
            snprintf(key, sizeof(key), "rasters_%d", r->yr[j->year].year);
        note_write_time(r, key, t0);
        break;
    }
    case JOB_GPKG:
        if (!r->area && (r->want & LB_OUT_GRID)) {
            st = write_table(ctx, r, r->grid_t, "scores.gpkg", LB_FMT_GPKG, "grid");
            if (st == LB_OK)
                st = style_layer_years(ctx, r, "grid", 0);
        }
        if (st == LB_OK && r->units_t && (r->want & LB_OUT_GPKG))
            st = write_units_gpkg(ctx, r, 1);
        break;
    case JOB_GRID_CSV:
        st = write_table(ctx, r, r->grid_t, "grid.csv", LB_FMT_CSV, "grid");
        break;
    case JOB_UNITS_GEOJSON:
        snprintf(file, sizeof(file), "%s.geojson", r->units_name);
        st = write_table(ctx, r, r->units_t, file, LB_FMT_GEOJSON, r->units_name);
        break;
    case JOB_UNITS_CSV:
        snprintf(file, sizeof(file), "%s.csv", r->units_name);
        st = write_table(ctx, r, r->units_t, file, LB_FMT_CSV, r->units_name);
        break;
    case JOB_UNITS_QML:
        st = write_units_qml(ctx, r);
        break;
    }
    pthread_rwlock_unlock(j->alone);
    return st;
}

/* The jobs of the run, in the order a serial write took them (run.json lists the files and
 * their timings in this order): per year (in scoring order) the rasters, scores.gpkg (grid,
 * then units), grid.csv, <units>.geojson, <units>.csv, <units>.qml. Returns the count. */
static size_t plan_jobs(const score_run *r, write_job *jobs)
{
    size_t n = 0;
    for (size_t t = 0; !r->area && (r->want & LB_OUT_TIF) && t < r->n_years; t++)
        jobs[n++] = (write_job){.kind = JOB_RASTERS, .year = t};
    if ((!r->area && (r->want & LB_OUT_GRID)) || (r->units_t && (r->want & LB_OUT_GPKG)))
        jobs[n++] = (write_job){.kind = JOB_GPKG};
    if (!r->area && grid_csv(r))
        jobs[n++] = (write_job){.kind = JOB_GRID_CSV};
    if (r->units_t && (r->want & LB_OUT_GEOJSON))
        jobs[n++] = (write_job){.kind = JOB_UNITS_GEOJSON};
    if (r->units_t && (r->want & LB_OUT_CSV))
        jobs[n++] = (write_job){.kind = JOB_UNITS_CSV};
    if (r->units_t && (r->want & LB_OUT_GEOJSON))
        jobs[n++] = (write_job){.kind = JOB_UNITS_QML};
    return n;
}

/* The order the jobs start in: the longest first (the grid layer of scores.gpkg), then the
 * GeoJSON, then the rasters, which wait until the jobs before them are done (write_job.alone);
 * the small files last. */
static int job_rank(job_kind kind)
{
    switch (kind) {
    case JOB_GPKG:
        return 0;
    case JOB_UNITS_GEOJSON:
        return 1;
    case JOB_RASTERS:
        return 2;
    default:
        return 3;
    }
}

/* Add @p from's timings to @p to's (summed where a key repeats). */
static void merge_timings(struct json_object *to, struct json_object *from)
{
    struct json_object *wt = NULL, *src = NULL, *prev = NULL;
    if (!json_object_object_get_ex(to, "write_timings_s", &wt) ||
        !json_object_object_get_ex(from, "write_timings_s", &src))
        return;
    json_object_object_foreach(src, key, val)
    {
        double dt = json_object_get_double(val);
        if (json_object_object_get_ex(wt, key, &prev))
            dt += json_object_get_double(prev);
        json_object_object_add(wt, key, json_object_new_double(round(dt * 1000.0) / 1000.0));
    }
}

/* All output files but run.json, each file a job on the run's threads. */
static lb_status write_files(lb_ctx *ctx, score_run *r, const lb_result *res)
{
    size_t cap = r->n_years + 6, n = 0;
    pthread_rwlock_t alone = PTHREAD_RWLOCK_INITIALIZER;
    write_job *jobs = calloc(cap, sizeof(*jobs));
    lb_jobs_item *items = calloc(cap, sizeof(*items));
    lb_status st = jobs && items ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        n = plan_jobs(r, jobs);
    for (size_t i = 0; st == LB_OK && i < n; i++) {
        jobs[i].res = res;
        jobs[i].alone = &alone;
        jobs[i].view = *r;
        jobs[i].view.outputs = json_object_new_array();
        jobs[i].view.doc = json_object_new_object();
        struct json_object *wt = json_object_new_object();
        if (!jobs[i].view.outputs || !jobs[i].view.doc || !wt) {
            json_object_put(wt);
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        json_object_object_add(jobs[i].view.doc, "write_timings_s", wt);
        items[i] = (lb_jobs_item){.fn = run_job, .user = &jobs[i], .rank = job_rank(jobs[i].kind)};
    }
    if (st == LB_OK)
        st = lb_jobs_run(ctx, items, n, 0);
    for (size_t i = 0; st == LB_OK && i < n; i++) {
        merge_timings(r->doc, jobs[i].view.doc);
        size_t k = json_object_array_length(jobs[i].view.outputs);
        for (size_t f = 0; f < k; f++)
            json_object_array_add(
                r->outputs, json_object_get(json_object_array_get_idx(jobs[i].view.outputs, f)));
    }
    if (st == LB_OK && (r->want & ((r->area ? 0 : LB_OUT_GRID) | (r->units_t ? LB_OUT_GPKG : 0))))
        json_object_array_add(r->outputs, json_object_new_string("scores.gpkg"));
    for (size_t i = 0; jobs && i < n; i++) {
        json_object_put(jobs[i].view.outputs);
        json_object_put(jobs[i].view.doc);
    }
    free(items);
    pthread_rwlock_destroy(&alone);
    free(jobs);
    return st;
}

/* What the write asks for must have been computed: a result computed with fewer outputs has
 * no table or rasters behind the others. */
static lb_status check_computed(lb_ctx *ctx, const score_run *r)
{
    const char *missing = NULL, *output = NULL;
    if (!r->area && (r->want & LB_OUT_TIF) && !r->rasters)
        missing = "rasters", output = "tif";
    else if ((r->want & LB_OUT_GRID) && !(r->grid_t && r->grid_t->wkb))
        missing = "grid cells' polygons", output = "grid";
    else if (grid_csv(r) && !r->grid_t)
        missing = "grid cells", output = "csv";
    else if (strcmp(r->units_name, "grid") != 0 && (r->want & LB_SCORE_UNITS_OUTPUTS) &&
             !r->units_t)
        missing = "units table", output = "gpkg, geojson or csv";
    else if ((r->want & (LB_OUT_GPKG | LB_OUT_GEOJSON)) && r->units_t && !r->units_t->wkb)
        missing = "units' polygons", output = "gpkg or geojson";
    if (!missing)
        return LB_OK;
    return lb_ctx_error(
        ctx, LB_ERR_ARG,
        "score: this result has no %s (it was computed with \"outputs\" leaving out "
        "%s); score again with them to write %s",
        missing, output, output);
}

/* --viewer: OUTDIR/viewer from the run's files, written into the temporary directory after
 * run.json, so that it is committed with them or not at all. */
static lb_status write_viewer(lb_ctx *ctx, score_run *r)
{
    lb_status st = lb_ctx_progress(ctx, 0.97, "viewer");
    return st != LB_OK ? st
                       : lb_viewer_write_in_run(ctx, "score --viewer", r->doc, r->out.tmp,
                                                r->w->outdir, r->w->viewer_lib, r->w->viewer_title);
}

/* The output directory, checked against every input of the run (no output may replace one). */
static lb_status open_outdir(lb_ctx *ctx, score_run *r)
{
    const lb_outdir_spec spec = {.overwrite = r->w->overwrite,
                                 .inputs = (const char *const *)r->protect,
                                 .n_inputs = r->n_protect};
    return lb_outdir_open(ctx, r->w->outdir, &spec, &r->out);
}

lb_status lb_score_outputs_precheck(lb_ctx *ctx, const score_run *r)
{
    struct stat sb;
    const char *dir = r->o->outdir;
    if (!dir || stat(dir, &sb) != 0)
        return LB_OK; /* nothing there yet: the write creates it */
    const lb_outdir_spec spec = {.overwrite = r->o->overwrite,
                                 .inputs = (const char *const *)r->protect,
                                 .n_inputs = r->n_protect};
    lb_outdir out;
    lb_status st = lb_outdir_open(ctx, dir, &spec, &out);
    lb_outdir_abort(&out);
    return st;
}

lb_status lb_score_outputs_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w)
{
    score_run *r = lb_result_payload(res);
    if (!r || !w || !w->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "score: no output directory to write to");
    lb_status st = lb_score_options_check_write(ctx, r->area, w);
    if (st != LB_OK)
        return st;
    r->w = w;
    r->want = lb_score_options_outputs_of(r->area, w->outputs);
    st = check_computed(ctx, r);
    double t0 = lb_score_now();
    size_t n0 = lb_ctx_warning_count(ctx);
    json_object_put(r->outputs);
    r->outputs = json_object_new_array();
    struct json_object *wt = json_object_new_object();
    if (wt) /* this write's timings replace an earlier write's */
        json_object_object_add(r->doc, "write_timings_s", wt);
    memset(&r->out, 0, sizeof(r->out));
    if (st == LB_OK && !r->outputs)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = open_outdir(ctx, r);
    if (st == LB_OK)
        st = write_files(ctx, r, res);
    if (st == LB_OK && w->viewer)
        json_object_array_add(r->outputs, json_object_new_string(LB_VIEWER_RUN_FOLDER));
    if (st == LB_OK)
        st = write_run_json(ctx, r, res, n0, t0);
    if (st == LB_OK && w->viewer)
        st = write_viewer(ctx, r);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &r->out);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 1.0, "done");
    lb_outdir_abort(&r->out);
    r->w = NULL;
    return st;
}
