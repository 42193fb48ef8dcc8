/* SPDX-License-Identifier: MIT */
/* run.json of a score run: between the shared head and tail of api/provenance.c, the model,
 * options, inputs with their hashes, grid, counts, references and per-year counts and timings. */
#define _XOPEN_SOURCE 700 /* realpath */

#include "run.h"

#include "../core/ctx.h"
#include "../api/provenance.h"
#include "../core/sha256.h"
#include "../io/runjson.h"

#include <json-c/json.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void lb_score_provenance_year_counts(score_year *y)
{
    size_t imputed = 0;
    for (size_t k = 0; k < y->n_scored; k++)
        imputed += (y->sc.flags[k] & LB_FLAG_IMPUTED) != 0;
    y->counts = json_object_new_object();
    json_object_object_add(y->counts, "scored_cells", json_object_new_int64((int64_t)y->n_scored));
    json_object_object_add(y->counts, "cells_imputed", json_object_new_int64((int64_t)imputed));
    json_object_object_add(y->counts, "weight_input", json_object_new_double(y->weight_input));
    json_object_object_add(y->counts, "weight_grid", json_object_new_double(y->weight_grid));
    json_object_object_add(y->counts, "weight_without_geometry",
                           json_object_new_double(y->weight_lost));
    if (y->units) {
        size_t scored_units = 0;
        for (size_t p = 0; p < y->units->n; p++)
            scored_units += !isnan(y->unit.s.lbm[p]);
        json_object_object_add(y->counts, "units", json_object_new_int64((int64_t)y->units->n));
        json_object_object_add(y->counts, "scored_units",
                               json_object_new_int64((int64_t)scored_units));
        json_object_object_add(y->counts, "units_water",
                               json_object_new_int64((int64_t)y->n_water));
    }
}

/* The inputs' fingerprints, computed on a thread while the run reads them. */
struct score_hashing {
    pthread_t thread;
    int running; /* the thread was started and not yet joined */
    size_t n;
    char **path;     /* copies of r->o->inputs[i].path */
    char (*hex)[65]; /* "" for a file that is no regular file or cannot be read */
};

/* The SHA-256 of each regular file of @p h->path into h->hex (a file that cannot be read gets
 * none: it was read by the run, so this is rare). */
static void hash_all(struct score_hashing *h)
{
    for (size_t i = 0; i < h->n; i++) {
        struct stat sb;
        h->hex[i][0] = '\0';
        if (stat(h->path[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
            lb_sha256_file(NULL, h->path[i], h->hex[i]) != LB_OK)
            h->hex[i][0] = '\0';
    }
}

static void *hash_thread(void *arg)
{
    hash_all(arg);
    return NULL;
}

void lb_score_hash_free(score_run *r)
{
    struct score_hashing *h = r->hashing;
    if (!h)
        return;
    if (h->running)
        pthread_join(h->thread, NULL);
    for (size_t i = 0; i < h->n; i++)
        free(h->path[i]);
    free(h->path);
    free(h->hex);
    free(h);
    r->hashing = NULL;
}

void lb_score_hash_start(score_run *r)
{
    size_t n = r->o->n_inputs;
    struct score_hashing *h = calloc(1, sizeof(*h));
    if (!h)
        return;
    r->hashing = h;
    h->path = calloc(n ? n : 1, sizeof(char *));
    h->hex = calloc(n ? n : 1, sizeof(*h->hex));
    int ok = h->path && h->hex;
    for (size_t i = 0; ok && i < n; i++, h->n++)
        ok = (h->path[i] = lb_core_strdup(r->o->inputs[i].path)) != NULL;
    if (ok)
        h->running = pthread_create(&h->thread, NULL, hash_thread, h) == 0;
    if (!h->running)
        lb_score_hash_free(r); /* hashed when run.json is made */
}

/* The hashes of the inputs: the thread's, or computed now. NULL when out of memory. */
static const char (*input_hashes(const score_run *r, char (**own)[65]))[65]
{
    struct score_hashing *h = r->hashing;
    *own = NULL;
    if (h && h->n == r->o->n_inputs) {
        if (h->running)
            pthread_join(h->thread, NULL);
        h->running = 0;
        return (const char(*)[65])h->hex;
    }
    size_t n = r->o->n_inputs;
    struct score_hashing now = {.n = n};
    now.path = calloc(n ? n : 1, sizeof(char *));
    now.hex = calloc(n ? n : 1, sizeof(*now.hex));
    if (now.path && now.hex) {
        for (size_t i = 0; i < n; i++)
            now.path[i] = (char *)r->o->inputs[i].path;
        hash_all(&now);
    }
    free(now.path);
    if (!now.path) {
        free(now.hex);
        now.hex = NULL;
    }
    *own = now.hex;
    return (const char(*)[65])now.hex;
}

static struct json_object *inputs_json(const score_run *r)
{
    size_t n = r->o->n_inputs;
    char(*own)[65] = NULL;
    const char(*hex)[65] = input_hashes(r, &own);
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        const lb_input_spec *s = &r->o->inputs[i];
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(r->plain[i]));
        json_object_object_add(o, "year",
                               r->bind_year[i] ? json_object_new_int(r->bind_year[i]) : NULL);
        json_object_object_add(o, "path", json_object_new_string(s->path));
        json_object_object_add(o, "layer", s->layer ? json_object_new_string(s->layer) : NULL);
        const char *where = NULL;
        for (size_t k = 0; k < r->o->n_wheres; k++)
            if (r->o->wheres[k].input && strcmp(r->o->wheres[k].input, r->plain[i]) == 0)
                where = r->o->wheres[k].where;
        json_object_object_add(o, "where", where ? json_object_new_string(where) : NULL);
        struct stat sb;
        if (stat(s->path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            json_object_object_add(o, "bytes", json_object_new_int64((int64_t)sb.st_size));
            if (hex && hex[i][0])
                json_object_object_add(o, "sha256", json_object_new_string(hex[i]));
        }
        json_object_array_add(arr, o);
    }
    free(own);
    return arr;
}

/* A node of the model's calibration block as JSON: numbers stay numbers. */
static struct json_object *node_json(const lb_model_node *n)
{
    if (n->text) {
        if (!n->is_number)
            return json_object_new_string(n->text);
        if (!strpbrk(n->text, ".eE"))
            return json_object_new_int64(strtoll(n->text, NULL, 10));
        return json_object_new_double(strtod(n->text, NULL));
    }
    struct json_object *o = n->is_list ? json_object_new_array() : json_object_new_object();
    for (size_t i = 0; i < n->n_kids; i++) {
        struct json_object *v = node_json(&n->kids[i]);
        if (n->is_list)
            json_object_array_add(o, v);
        else
            json_object_object_add(o, n->kids[i].key, v);
    }
    return o;
}

/* The model block: file, hash, and the indicators with their dimensions, so that readers of
 * the run (diagnose) know them even when the model file is gone. */
static struct json_object *model_json(const lb_model *m)
{
    struct json_object *mj = json_object_new_object();
    /* Absolute, so that readers of the run find the model from any directory. */
    char *abs = realpath(m->path, NULL);
    json_object_object_add(mj, "path", json_object_new_string(abs ? abs : m->path));
    free(abs);
    json_object_object_add(mj, "name", json_object_new_string(m->name));
    json_object_object_add(mj, "version", json_object_new_int(m->version));
    json_object_object_add(mj, "sha256", json_object_new_string(m->hash));
    struct json_object *inds = json_object_new_array();
    for (size_t i = 0; i < m->n_ind; i++) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(m->ind[i].id));
        json_object_object_add(o, "label", json_object_new_string(m->ind[i].label));
        json_object_object_add(o, "dimension", json_object_new_string(m->ind[i].dimension));
        json_object_object_add(o, "coef", json_object_new_double(m->ind[i].coef));
        /* the unit of the raw value x_<id>, so that reports can print it beside the value */
        if (m->ind[i].unit)
            json_object_object_add(o, "unit", json_object_new_string(m->ind[i].unit));
        json_object_array_add(inds, o);
    }
    json_object_object_add(mj, "indicators", inds);
    if (m->calibration)
        json_object_object_add(mj, "calibration", node_json(m->calibration));
    return mj;
}

/* The document both modes share. */
static struct json_object *base_doc(lb_ctx *ctx, const score_run *r)
{
    const lb_score_options *o = r->o;
    const lb_model *m = r->model;
    struct json_object *doc = lb_provenance_begin("score", o->command_line);
    if (!doc)
        return NULL;
    json_object_object_add(doc, "model", model_json(m));
    /* Years in ascending order (they were scored reference year first). */
    int *ys = malloc(r->n_years * sizeof(int));
    size_t *order = malloc(r->n_years * sizeof(size_t));
    for (size_t t = 0; ys && order && t < r->n_years; t++) {
        size_t k = t;
        while (k > 0 && ys[k - 1] > r->yr[t].year) {
            ys[k] = ys[k - 1];
            order[k] = order[k - 1];
            k--;
        }
        ys[k] = r->yr[t].year;
        order[k] = t;
    }
    struct json_object *opt = json_object_new_object();
    json_object_object_add(opt, "year",
                           r->n_years == 1 && ys && ys[0] ? json_object_new_int(ys[0]) : NULL);
    struct json_object *yarr = json_object_new_array();
    for (size_t t = 0; ys && t < r->n_years; t++)
        if (ys[t])
            json_object_array_add(yarr, json_object_new_int(ys[t]));
    json_object_object_add(opt, "years", yarr);
    json_object_object_add(opt, "mode", json_object_new_string(r->area ? "area" : "grid"));
    json_object_object_add(opt, "units", json_object_new_string(r->units_name));
    /* id_field is the id column of the outputs (readers of the run look for it); CBS codes go
     * out as BU_CODE/WK_CODE/GM_CODE, so the units' own field name is recorded beside it */
    const char *out_id = lb_code_level_name(lb_core_code_field_level(r->id_field));
    json_object_object_add(opt, "id_field",
                           r->id_field ? json_object_new_string(out_id ? out_id : r->id_field)
                                       : NULL);
    json_object_object_add(opt, "units_id_field",
                           r->id_field ? json_object_new_string(r->id_field) : NULL);
    json_object_object_add(opt, "reference",
                           o->reference_path ? json_object_new_string(o->reference_path) : NULL);
    json_object_object_add(opt, "s_srs", o->s_srs ? json_object_new_string(o->s_srs) : NULL);
    json_object_object_add(opt, "geojson_crs",
                           json_object_new_string(o->geojson_rd ? "rd" : "rfc7946"));
    char sep[2] = {o->csv_sep ? o->csv_sep : ',', '\0'};
    json_object_object_add(opt, "csv_sep", json_object_new_string(sep));
    json_object_object_add(opt, "weight", json_object_new_string(m->weight_name));
    json_object_object_add(opt, "weight_source", json_object_new_string(m->weight_layer));
    json_object_object_add(opt, "weight_field",
                           m->weight_field ? json_object_new_string(m->weight_field) : NULL);
    json_object_object_add(opt, "min_weight", json_object_new_double(m->min_weight));
    json_object_object_add(
        opt, "missing", json_object_new_string(m->missing == LB_MISSING_DROP ? "drop" : "impute"));
    json_object_object_add(doc, "options", opt);
    json_object_object_add(doc, "inputs", inputs_json(r));
    struct json_object *g = json_object_new_object();
    json_object_object_add(g, "crs", json_object_new_string("EPSG:28992"));
    json_object_object_add(g, "cell_m", json_object_new_double(r->grid.cell_m));
    json_object_object_add(g, "x0", json_object_new_double(r->grid.x0));
    json_object_object_add(g, "y0", json_object_new_double(r->grid.y0));
    json_object_object_add(g, "nx", json_object_new_int(r->grid.nx));
    json_object_object_add(g, "ny", json_object_new_int(r->grid.ny));
    json_object_object_add(doc, "grid", g);
    /* Counts summed over the years (= rows of the layers), and per year below. */
    struct json_object *counts = json_object_new_object();
    json_object_object_add(counts, "cells",
                           json_object_new_int64((int64_t)lb_grid_ncells(&r->grid)));
    json_object_object_add(counts, "years", json_object_new_int64((int64_t)r->n_years));
    const char *keys[] = {"scored_cells", "cells_imputed", "units", "scored_units", "units_water"};
    for (size_t k = 0; k < 5; k++) {
        int64_t sum = 0;
        int any = 0;
        for (size_t t = 0; t < r->n_years; t++) {
            struct json_object *v = NULL;
            if (json_object_object_get_ex(r->yr[t].counts, keys[k], &v)) {
                sum += json_object_get_int64(v);
                any = 1;
            }
        }
        if (any)
            json_object_object_add(counts, keys[k], json_object_new_int64(sum));
    }
    json_object_object_add(doc, "counts", counts);
    /* The run's reference: the fixed one, or in per_year mode the first scored year's. */
    json_object_object_add(doc, "reference", lb_io_reference_to_json(m, &r->yr[0].ref));
    struct json_object *years = json_object_new_array();
    for (size_t j = 0; ys && order && j < r->n_years; j++) {
        const score_year *y = &r->yr[order[j]];
        struct json_object *yo = json_object_new_object();
        json_object_object_add(yo, "year", y->year ? json_object_new_int(y->year) : NULL);
        json_object_object_add(yo, "counts", json_object_get(y->counts));
        json_object_object_add(yo, "reference", lb_io_reference_to_json(m, &y->ref));
        json_object_object_add(yo, "timings_s", json_object_get(y->timings));
        json_object_array_add(years, yo);
    }
    json_object_object_add(doc, "years", years);
    if (r->peak_mb)
        json_object_object_add(doc, "peak_rss_mb", json_object_get(r->peak_mb));
    /* the shared tail: timings, this run's warnings, outputs */
    if (lb_provenance_end(ctx, doc, NULL, 0, json_object_get(r->timings),
                          json_object_get(r->outputs)) != LB_OK) {
        json_object_put(doc);
        doc = NULL;
    }
    free(ys);
    free(order);
    return doc;
}

/* run.json's options gain what shaped the rasters: -of, -co, --preview. */
static void raster_options(struct json_object *doc, const char *format, const char *const *co,
                           int preview)
{
    struct json_object *opt = NULL;
    if (!json_object_object_get_ex(doc, "options", &opt))
        return;
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; co && co[i]; i++)
        json_object_array_add(arr, json_object_new_string(co[i]));
    json_object_object_add(opt, "raster_format", json_object_new_string(format ? format : "COG"));
    json_object_object_add(opt, "creation_options", arr);
    json_object_object_add(opt, "preview", json_object_new_boolean(preview));
}

/* run.json of an area run: no grid, counts of units instead of cells, the joins. */
static void area_amend(const score_run *r, struct json_object *doc)
{
    const lb_scores *sc = &r->yr[0].sc;
    json_object_object_del(doc, "grid");
    json_object_object_add(doc, "mode", json_object_new_string("area"));
    size_t scored = 0, imputed = 0, dropped = 0, no_weight = 0, water = 0;
    for (size_t u = 0; u < sc->n; u++) {
        water += (sc->flags[u] & LB_FLAG_WATER) != 0;
        scored += !isnan(sc->lbm[u]);
        imputed += (sc->flags[u] & LB_FLAG_IMPUTED) != 0;
        dropped += (sc->flags[u] & LB_FLAG_DROPPED) != 0;
        no_weight += (sc->flags[u] & LB_FLAG_NO_WEIGHT) != 0;
    }
    struct json_object *c = json_object_new_object();
    json_object_object_add(c, "units", json_object_new_int64((int64_t)sc->n));
    json_object_object_add(c, "scored_units", json_object_new_int64((int64_t)scored));
    json_object_object_add(c, "units_imputed", json_object_new_int64((int64_t)imputed));
    json_object_object_add(c, "units_dropped", json_object_new_int64((int64_t)dropped));
    json_object_object_add(c, "units_below_min_weight", json_object_new_int64((int64_t)no_weight));
    json_object_object_add(c, "units_water", json_object_new_int64((int64_t)water));
    json_object_object_add(doc, "counts", c);
    struct json_object *years = NULL, *y0 = NULL;
    if (json_object_object_get_ex(doc, "years", &years) &&
        (y0 = json_object_array_get_idx(years, 0)) != NULL)
        json_object_object_add(y0, "counts", json_object_get(c));
    struct json_object *opt = NULL, *joins = json_object_new_array();
    for (size_t i = 0; i < r->o->n_joins; i++) {
        const lb_join_spec *j = &r->o->joins[i];
        struct json_object *jo = json_object_new_object();
        json_object_object_add(jo, "input", json_object_new_string(j->input));
        json_object_object_add(jo, "key", json_object_new_string(j->key));
        json_object_object_add(jo, "units_key",
                               json_object_new_string(j->units_key ? j->units_key : j->key));
        json_object_array_add(joins, jo);
    }
    if (json_object_object_get_ex(doc, "options", &opt))
        json_object_object_add(opt, "joins", joins);
    else
        json_object_put(joins);
}

struct json_object *lb_score_provenance(lb_ctx *ctx, const score_run *r)
{
    struct json_object *doc = base_doc(ctx, r);
    if (doc && r->area)
        area_amend(r, doc);
    else if (doc)
        raster_options(doc, r->o->raster_format, r->o->creation_options, r->o->preview);
    return doc;
}

void lb_score_provenance_write_options(const score_run *r, const lb_write_opts *w,
                                       struct json_object *doc)
{
    struct json_object *opt = NULL;
    if (!json_object_object_get_ex(doc, "options", &opt))
        return;
    json_object_object_add(opt, "geojson_crs",
                           json_object_new_string(w->geojson_rd ? "rd" : "rfc7946"));
    char sep[2] = {w->csv_sep ? w->csv_sep : ',', '\0'};
    json_object_object_add(opt, "csv_sep", json_object_new_string(sep));
    if (!r->area)
        raster_options(doc, w->raster_format, w->creation_options, w->preview);
}
