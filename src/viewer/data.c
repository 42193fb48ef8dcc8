/* SPDX-License-Identifier: MIT */
/* The viewer's data as JavaScript files that assign to globals: a page opened from disk
 * (file://) may load scripts but not fetch files. meta.js holds the years, the views with their
 * class tables (the same cut-points, labels and colours as the GeoTIFF and QGIS styles), the
 * gemeente means and the links; units.js the units of every year with their overview outlines
 * (snapped to a coarse grid, drawn below META.detail.minzoom); units_<gemeente>.js the full
 * outlines of one gemeente's units and grid_<gemeente>_<year>.js the 100 m cells of one
 * gemeente, both loaded by the page on demand. */
#include "viewer.h"
#include "number.h"

#include "../core/ctx.h"
#include "../io/style.h"

#include <leefbaar/version.h>

#include <json-c/json.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Colour of a unit without a score in the year shown (and its legend entry). */
#define NODATA_COLOUR "#d9d9d9"

/* The shortest text that reads back as @p v; null for a missing value. */
static struct json_object *jnum(double v)
{
    return lb_viewer_number_json(v);
}

/* {"label", "colour"} per class. */
static struct json_object *classes_json(size_t n, const char *const *labels,
                                        const char *const *colours)
{
    struct json_object *a = json_object_new_array();
    for (size_t k = 0; k < n; k++) {
        struct json_object *c = json_object_new_object();
        json_object_object_add(c, "label", json_object_new_string(labels[k]));
        json_object_object_add(c, "colour", json_object_new_string(colours[k]));
        json_object_array_add(a, c);
    }
    return a;
}

static struct json_object *cuts_json(const double *cuts, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, jnum(cuts[i]));
    return a;
}

static struct json_object *view_json(const char *code, const char *label, const char *kind,
                                     const double *cuts, size_t n_cuts, const char *const *labels,
                                     const char *const *colours)
{
    struct json_object *v = json_object_new_object();
    json_object_object_add(v, "code", json_object_new_string(code));
    json_object_object_add(v, "label", json_object_new_string(label));
    json_object_object_add(v, "kind", json_object_new_string(kind));
    json_object_object_add(v, "cuts", cuts_json(cuts, n_cuts));
    json_object_object_add(v, "classes", classes_json(n_cuts + 1, labels, colours));
    return v;
}

/* The weighted mean of outcome k over the units of gemeente @p gm in year t (weights as the
 * run used; units without a weight count once when no unit of the gemeente has one). */
static double gemeente_mean(const lb_scoreset *s, size_t t, size_t k, const char *gm)
{
    double sw = 0.0, swv = 0.0, n = 0.0, sv = 0.0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (gm && !(s->gm_code && s->gm_code[u] && strcmp(s->gm_code[u], gm) == 0))
            continue;
        double v = lb_scoreset_value(s, t, k, u), w = s->weight[t * s->n_units + u];
        if (!isfinite(v))
            continue;
        n += 1.0;
        sv += v;
        if (isfinite(w) && w > 0.0) {
            sw += w;
            swv += w * v;
        }
    }
    return sw > 0.0 ? swv / sw : n > 0.0 ? sv / n : NAN;
}

/* "lbm", "afw" or the dimension code of outcome k. */
static const char *outcome_code(const lb_scoreset *s, size_t k)
{
    return k == LB_OUT_LBM ? "lbm" : k == LB_OUT_AFW ? "afw" : s->dim_code[k - LB_OUT_DIM0];
}

/* {GM_CODE: {"YEAR": {"lbm": .., "won": ..}}}, and "" for all units together. */
static struct json_object *gemeenten_json(const lb_scoreset *s)
{
    struct json_object *g = json_object_new_object();
    for (size_t u = 0; u <= s->n_units; u++) {
        const char *gm = u < s->n_units ? (s->gm_code ? s->gm_code[u] : NULL) : NULL;
        if (u < s->n_units && (!gm || json_object_object_get_ex(g, gm, NULL)))
            continue;
        struct json_object *years = json_object_new_object();
        for (size_t t = 0; t < s->n_years; t++) {
            struct json_object *y = json_object_new_object();
            for (size_t k = 0; k < s->n_out; k++)
                json_object_object_add(y, outcome_code(s, k), jnum(gemeente_mean(s, t, k, gm)));
            char yr[16];
            snprintf(yr, sizeof(yr), "%d", s->years[t]);
            json_object_object_add(years, yr, y);
        }
        json_object_object_add(g, gm ? gm : "", years);
    }
    return g;
}

/* The units' full outlines in chunks: one per gemeente ("geen" for units without one, "all"
 * when the units have no gemeente codes), each with the box of its outlines. */
typedef struct detail_chunk {
    const char *key;
    char *file;     /* under the viewer folder: "data/units_<key>.js" */
    size_t n;       /* its units */
    double bbox[4]; /* west, south, east, north (lon/lat) */
} detail_chunk;

typedef struct detail_set {
    detail_chunk *c;
    size_t n;
    size_t *of; /* of[u]: the chunk of unit u; SIZE_MAX when the unit is not drawn */
} detail_set;

static void detail_set_free(detail_set *ds)
{
    for (size_t i = 0; i < ds->n; i++)
        free(ds->c[i].file);
    free(ds->c);
    free(ds->of);
}

/* Is unit u drawn (it has an outline and a point inside)? */
static int unit_drawn(const lb_viewer_data *d, size_t u)
{
    const lb_scoreset *s = d->s;
    return s->geom && s->geom_row[u] != SIZE_MAX && isfinite(d->label[2 * u]);
}

static const char *chunk_key(const lb_scoreset *s, size_t u)
{
    return !s->gm_code ? "all" : s->gm_code[u] ? s->gm_code[u] : "geen";
}

static lb_status detail_set_make(lb_ctx *ctx, const lb_viewer_data *d, detail_set *ds)
{
    const lb_scoreset *s = d->s;
    memset(ds, 0, sizeof(*ds));
    if (!(ds->of = malloc((s->n_units ? s->n_units : 1) * sizeof(size_t))) ||
        !(ds->c = calloc(s->n_units ? s->n_units : 1, sizeof(detail_chunk))))
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t u = 0; u < s->n_units; u++) {
        ds->of[u] = SIZE_MAX;
        if (!unit_drawn(d, u))
            continue;
        const char *k = chunk_key(s, u);
        size_t c = 0;
        while (c < ds->n && strcmp(ds->c[c].key, k) != 0) /* few gemeenten: a linear search */
            c++;
        if (c == ds->n) {
            detail_chunk *ch = &ds->c[ds->n++];
            ch->key = k;
            ch->bbox[0] = ch->bbox[1] = HUGE_VAL;
            ch->bbox[2] = ch->bbox[3] = -HUGE_VAL;
            ch->file = lb_core_strfmt("data/units_%s.js", k);
            if (!ch->file)
                return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            for (char *p = ch->file + strlen("data/units_"); *p && strcmp(p, ".js") != 0; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                    *p = '_';
        }
        detail_chunk *ch = &ds->c[c];
        ds->of[u] = c;
        ch->n++;
        const lb_vlayer *g = s->geom;
        size_t f = s->geom_row[u];
        for (size_t p = g->ring_pt_start[g->ring_start[f]];
             p < g->ring_pt_start[g->ring_start[f + 1]]; p++) {
            ch->bbox[0] = fmin(ch->bbox[0], d->lonlat[2 * p]);
            ch->bbox[1] = fmin(ch->bbox[1], d->lonlat[2 * p + 1]);
            ch->bbox[2] = fmax(ch->bbox[2], d->lonlat[2 * p]);
            ch->bbox[3] = fmax(ch->bbox[3], d->lonlat[2 * p + 1]);
        }
    }
    /* two gemeenten whose keys become the same file name get a number each */
    for (size_t i = 0; i < ds->n; i++)
        for (size_t j = i + 1; j < ds->n; j++)
            if (strcmp(ds->c[i].file, ds->c[j].file) == 0) {
                char *nf = lb_core_strfmt("data/units_%zu.js", j);
                if (!nf)
                    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
                free(ds->c[j].file);
                ds->c[j].file = nf;
            }
    return LB_OK;
}

static struct json_object *bbox_json(const double *b)
{
    struct json_object *a = json_object_new_array();
    for (size_t k = 0; k < 4; k++) {
        char num[40];
        lb_viewer_format_number(b[k], num, sizeof(num));
        json_object_array_add(a, json_object_new_double_s(b[k], num));
    }
    return a;
}

/* {"minzoom", "step": [lon, lat], "chunks": [{"key", "file", "units", "bbox"}]} */
static struct json_object *detail_json(const detail_set *ds)
{
    struct json_object *o = json_object_new_object(), *chunks = json_object_new_array(),
                       *step = json_object_new_array();
    json_object_object_add(o, "minzoom", json_object_new_int(LB_VIEWER_DETAIL_MINZOOM));
    json_object_array_add(step, json_object_new_int(LB_VIEWER_OVERVIEW_STEP_LON));
    json_object_array_add(step, json_object_new_int(LB_VIEWER_OVERVIEW_STEP_LAT));
    json_object_object_add(o, "step", step);
    for (size_t i = 0; i < ds->n; i++) {
        struct json_object *c = json_object_new_object();
        json_object_object_add(c, "key", json_object_new_string(ds->c[i].key));
        json_object_object_add(c, "file", json_object_new_string(ds->c[i].file));
        json_object_object_add(c, "units", json_object_new_int64((int64_t)ds->c[i].n));
        json_object_object_add(c, "bbox", bbox_json(ds->c[i].bbox));
        json_object_array_add(chunks, c);
    }
    json_object_object_add(o, "chunks", chunks);
    return o;
}

static struct json_object *meta_json(const lb_viewer_data *d, const detail_set *ds)
{
    const lb_scoreset *s = d->s;
    struct json_object *m = json_object_new_object();
    json_object_object_add(m, "title", json_object_new_string(d->title));
    json_object_object_add(m, "tool", json_object_new_string("leefbaar " LB_VERSION_STRING));
    struct json_object *years = json_object_new_array();
    for (size_t t = 0; t < s->n_years; t++)
        json_object_array_add(years, json_object_new_int(s->years[t]));
    json_object_object_add(m, "years", years);
    json_object_object_add(m, "ref", jnum(s->ref));
    json_object_object_add(m, "ref_year", s->ref_year ? json_object_new_int(s->ref_year) : NULL);
    json_object_object_add(m, "weight",
                           s->weight_name ? json_object_new_string(s->weight_name) : NULL);
    json_object_object_add(m, "decimals", json_object_new_int(LB_VIEWER_SHOWN_DECIMALS));
    struct json_object *nd = json_object_new_object();
    json_object_object_add(nd, "label", json_object_new_string("geen score"));
    json_object_object_add(nd, "colour", json_object_new_string(NODATA_COLOUR));
    json_object_object_add(m, "nodata", nd);

    struct json_object *views = json_object_new_array();
    json_object_array_add(views,
                          view_json("lbm", "Leefbaarometer (totaalscore)", "score", s->thresholds,
                                    LB_N_THRESHOLDS, (const char *const *)s->class_labels,
                                    (const char *const *)s->class_colours));
    for (size_t k = 0; k < s->n_dims; k++) {
        lb_style_dim_legend leg;
        lb_style_dim_legend_init(&leg, s->dim_bands + k * LB_N_THRESHOLDS, NULL);
        json_object_array_add(views, view_json(s->dim_code[k], s->dim_label[k], "dim", leg.bands,
                                               LB_N_THRESHOLDS, leg.ct.labels, leg.ct.colours));
    }
    if (s->n_years > 1)
        json_object_array_add(views, view_json("change", "Ontwikkeling (verschil in score)",
                                               "change", s->dev_cuts, s->n_dev_cuts,
                                               (const char *const *)s->dev_labels,
                                               (const char *const *)s->dev_colours));
    json_object_object_add(m, "views", views);
    json_object_object_add(m, "gemeenten", gemeenten_json(s));

    struct json_object *diag = json_object_new_object();
    for (size_t i = 0; i < d->n_diag; i++) {
        char *rel = lb_core_strfmt("diagnose/%s", d->diag[i].name);
        json_object_object_add(diag, d->diag[i].code, rel ? json_object_new_string(rel) : NULL);
        free(rel);
    }
    json_object_object_add(m, "diagnoses", diag);

    double b[4] = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    if (s->geom)
        for (size_t p = 0; p < s->geom->ring_pt_start[s->geom->n_rings]; p++) {
            b[0] = fmin(b[0], d->lonlat[2 * p]);
            b[1] = fmin(b[1], d->lonlat[2 * p + 1]);
            b[2] = fmax(b[2], d->lonlat[2 * p]);
            b[3] = fmax(b[3], d->lonlat[2 * p + 1]);
        }
    struct json_object *bounds = json_object_new_array();
    for (size_t i = 0; i < 4 && isfinite(b[0]); i++)
        json_object_array_add(bounds, jnum(b[i]));
    json_object_object_add(m, "bounds", bounds);

    struct json_object *grids = json_object_new_array();
    for (size_t i = 0; i < d->n_grid; i++) {
        struct json_object *g = json_object_new_object();
        json_object_object_add(g, "gemeente", json_object_new_string(d->grid[i].gemeente));
        json_object_object_add(g, "year", json_object_new_int(d->grid[i].year));
        char *name = lb_viewer_grid_file(&d->grid[i]),
             *f = name ? lb_core_strfmt("data/%s", name) : NULL;
        json_object_object_add(g, "file", f ? json_object_new_string(f) : NULL);
        free(f);
        free(name);
        json_object_object_add(g, "cells", json_object_new_int64((int64_t)d->grid[i].n));
        struct json_object *gb = json_object_new_array();
        for (size_t k = 0; k < 4; k++) {
            char num[40];
            lb_viewer_format_number(d->grid[i].bbox[k], num, sizeof(num));
            json_object_array_add(gb, json_object_new_double_s(d->grid[i].bbox[k], num));
        }
        json_object_object_add(g, "bbox", gb);
        json_object_array_add(grids, g);
    }
    json_object_object_add(m, "grids", grids);
    json_object_object_add(m, "detail", detail_json(ds));
    json_object_object_add(m, "waterbed", json_object_new_boolean(d->waterbed != NULL));
    return m;
}

static lb_status close_file(lb_ctx *ctx, FILE *fp, const char *path)
{
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return LB_OK;
}

static lb_status write_meta(lb_ctx *ctx, const lb_viewer_data *d, const detail_set *ds,
                            const char *path)
{
    struct json_object *m = meta_json(d, ds);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        json_object_put(m);
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    }
    fprintf(
        fp,
        "/* Written by leefbaar viewer: the years, views, classes and gemeente means. */\n"
        "window.LB_META = %s;\n",
        json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(m);
    return close_file(ctx, fp, path);
}

/* "KEY":value for a finite value; nothing for a missing one (the page colours it "geen
 * score"). */
static void put_value(FILE *fp, const char *key, int year, double v)
{
    if (!isfinite(v))
        return;
    char num[40];
    lb_viewer_format_number(v, num, sizeof(num));
    fprintf(fp, ",\"%s_%d\":%s", key, year, num);
}

/* data/units.js: every unit's properties with its overview outline ("o", snapped to the
 * overview grid) and its chunk ("k", an index into META.detail.chunks). */
static lb_status write_units(lb_ctx *ctx, const lb_viewer_data *d, const detail_set *ds,
                             const char *path, size_t *n_points)
{
    const lb_scoreset *s = d->s;
    lb_viewer_overview ov;
    size_t *feats = malloc((s->n_units ? s->n_units : 1) * sizeof(size_t)), n_feats = 0;
    for (size_t u = 0; feats && u < s->n_units; u++)
        if (unit_drawn(d, u))
            feats[n_feats++] = s->geom_row[u];
    int ok = feats && lb_viewer_overview_init(&ov, s->geom, d->lonlat, feats, n_feats);
    free(feats);
    if (!ok)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    FILE *fp = fopen(path, "w");
    if (!fp) {
        lb_viewer_overview_free(&ov);
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    }
    fputs(
        "/* Written by leefbaar viewer: the units of every year; each overview outline (\"o\") in\n"
        " * WGS84 as integers of 1e-6 degree snapped to the overview grid (META.detail.step) and\n"
        " * simplified border by border, differences from the previous point, in the text of "
        "lb_viewer_put_ints\n"
        " * (src/viewer/shape.c), which app.js decodes into GeoJSON; \"k\" is the unit's chunk of\n"
        " * full outlines (META.detail.chunks). */\n"
        "window.LB_UNITS = {\"type\":\"FeatureCollection\",\"features\":[",
        fp);
    size_t n = 0;
    *n_points = 0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (!unit_drawn(d, u))
            continue;
        fprintf(fp, "%s\n{\"type\":\"Feature\",\"id\":%zu,\"properties\":{\"code\":", n ? "," : "",
                u);
        lb_viewer_write_string(fp, s->id[u]);
        fputs(",\"name\":", fp);
        lb_viewer_write_string(fp, s->name[u]);
        fputs(",\"gm\":", fp);
        lb_viewer_write_string(fp, s->gm_code ? s->gm_code[u] : NULL);
        fputs(",\"wk\":", fp);
        lb_viewer_write_string(fp, s->wk_code ? s->wk_code[u] : NULL);
        fputs(",\"lx\":", fp);
        lb_viewer_write_coord(fp, d->label[2 * u]);
        fputs(",\"ly\":", fp);
        lb_viewer_write_coord(fp, d->label[2 * u + 1]);
        for (size_t t = 0; t < s->n_years; t++) {
            for (size_t k = 0; k < s->n_out; k++)
                put_value(fp, outcome_code(s, k), s->years[t], lb_scoreset_value(s, t, k, u));
            put_value(fp, "weight", s->years[t], s->weight[t * s->n_units + u]);
        }
        fprintf(fp, "},\"k\":%zu,\"o\":\"", ds->of[u]);
        size_t np = 0;
        lb_viewer_put_polygon_ints_snapped(fp, s->geom, d->lonlat, s->geom_row[u], &ov, &np);
        *n_points += np;
        fputs("\"}", fp);
        n++;
    }
    lb_viewer_overview_free(&ov);
    fputs("\n]};\n", fp);
    return close_file(ctx, fp, path);
}

/* data/units_<key>.js: LB_DETAIL["<key>"] = {"ids": [the units' feature ids], "g": [their full
 * outlines as lb_viewer_put_polygon_ints writes them]}. */
static lb_status write_chunk(lb_ctx *ctx, const lb_viewer_data *d, const detail_set *ds, size_t c,
                             const char *dir, size_t *n_points)
{
    const lb_scoreset *s = d->s;
    char *path = lb_core_strfmt("%s/%s", dir, ds->c[c].file);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    FILE *fp = fopen(path, "w");
    if (!fp) {
        lb_status st =
            lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
        free(path);
        return st;
    }
    fputs("/* Written by leefbaar viewer: the full outlines of one gemeente's units. */\n"
          "window.LB_DETAIL = window.LB_DETAIL || {};\nwindow.LB_DETAIL[",
          fp);
    lb_viewer_write_string(fp, ds->c[c].key);
    fputs("] = {\"ids\":[", fp);
    size_t n = 0;
    for (size_t u = 0; u < s->n_units; u++)
        if (ds->of[u] == c)
            fprintf(fp, "%s%zu", n++ ? "," : "", u);
    fputs("],\n\"g\":[", fp);
    n = 0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (ds->of[u] != c)
            continue;
        fputs(n++ ? ",\n\"" : "\n\"", fp);
        size_t np = 0;
        lb_viewer_put_polygon_ints_snapped(fp, s->geom, d->lonlat, s->geom_row[u], NULL, &np);
        *n_points += np;
        fputc('"', fp);
    }
    fputs("]};\n", fp);
    lb_status st = close_file(ctx, fp, path);
    free(path);
    return st;
}

/* data/waterbed.js: the zones, effects and focus outlines of a waterbed run; null globals
 * without one (the page always loads the file). */
static lb_status write_waterbed(lb_ctx *ctx, const lb_viewer_data *d, const char *path)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    fputs("/* Written by leefbaar viewer: the waterbed run's zones and effects (lbm, main period). "
          "*/\nwindow.LB_WATERBED = ",
          fp);
    fputs(d->waterbed ? json_object_to_json_string_ext(
                            d->waterbed, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                      : "null",
          fp);
    fputs(";\nwindow.LB_WATERBED_FOCUS = ", fp);
    const lb_vlayer *l = d->wb_focus;
    if (!l) {
        fputs("null;\n", fp);
        return close_file(ctx, fp, path);
    }
    const lb_field *id = NULL, *name = NULL;
    for (size_t i = 0; i < l->n_fields; i++) {
        if (strcmp(l->fields[i].name, "id") == 0 && l->fields[i].is_string)
            id = &l->fields[i];
        if (strcmp(l->fields[i].name, "name") == 0 && l->fields[i].is_string)
            name = &l->fields[i];
    }
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", fp);
    for (size_t f = 0; f < l->n; f++) {
        fputs(f ? ",\n{\"type\":\"Feature\",\"properties\":{\"id\":"
                : "\n{\"type\":\"Feature\",\"properties\":{\"id\":",
              fp);
        lb_viewer_write_string(fp, id ? id->str[f] : NULL);
        fputs(",\"name\":", fp);
        lb_viewer_write_string(fp, name ? name->str[f] : NULL);
        fputs("},\"geometry\":", fp);
        lb_viewer_write_polygon(fp, l, d->wb_focus_ll, f);
        fputc('}', fp);
    }
    fputs("\n]};\n", fp);
    return close_file(ctx, fp, path);
}

/* data/grid_<gemeente>_<year>.js: LB_GRID["<gemeente>_<year>"] = {"gemeente", "year", "n",
 * "corners": the 4 corners of each cell (lon, lat in 1e-6 degree) as differences from the
 * previous corner in lb_viewer_put_ints' text, "cell": the cell ids, "values": {code: [n values,
 * null when missing]}}. */
static lb_status write_grid(lb_ctx *ctx, const lb_viewer_data *d, const lb_viewer_grid *g,
                            const char *dir)
{
    const lb_scoreset *s = d->s;
    char *name = lb_viewer_grid_file(g),
         *path = name ? lb_core_strfmt("%s/data/%s", dir, name) : NULL;
    int64_t *q = malloc((g->n ? g->n : 1) * 8 * sizeof(int64_t));
    FILE *fp = path && q ? fopen(path, "w") : NULL;
    lb_status st = LB_OK;
    if (!path || !q) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (!fp) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
        goto cleanup;
    }
    fputs("/* Written by leefbaar viewer: the 100 m cells of one gemeente and year. */\n"
          "window.LB_GRID = window.LB_GRID || {};\nwindow.LB_GRID[",
          fp);
    char *k = lb_core_strfmt("%s_%d", g->gemeente, g->year);
    lb_viewer_write_string(fp, k ? k : "");
    free(k);
    fputs("] = {\"gemeente\":", fp);
    lb_viewer_write_string(fp, g->gemeente);
    fprintf(fp, ",\"year\":%d,\"n\":%zu,\"corners\":\"", g->year, g->n);
    int64_t prev[2] = {0, 0};
    for (size_t i = 0; i < 4 * g->n; i++)
        for (size_t c = 0; c < 2; c++) {
            int64_t v = lb_viewer_fixed(g->xy[2 * i + c]);
            q[2 * i + c] = v - prev[c];
            prev[c] = v;
        }
    lb_viewer_put_ints(fp, q, 8 * g->n);
    fputs("\",\n\"cell\":[", fp);
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            fputc(',', fp);
        lb_viewer_write_string(fp, g->cell_id ? g->cell_id[i] : NULL);
    }
    fputs("],\n\"values\":{", fp);
    for (size_t o = 0; o < s->n_out; o++) {
        fprintf(fp, "%s\"%s\":[", o ? ",\n" : "", outcome_code(s, o));
        for (size_t i = 0; i < g->n; i++) {
            char num[40];
            lb_viewer_format_number(g->value[i * s->n_out + o], num, sizeof(num));
            fprintf(fp, "%s%s", i ? "," : "", num);
        }
        fputc(']', fp);
    }
    fputs("}};\n", fp);
    st = close_file(ctx, fp, path);
    fp = NULL;
cleanup:
    if (fp)
        fclose(fp);
    free(q);
    free(path);
    free(name);
    return st;
}

lb_status lb_viewer_write_data(lb_ctx *ctx, const lb_viewer_data *d, const char *dir)
{
    lb_status st = LB_OK;
    detail_set ds = {0};
    size_t n_overview = 0, n_full = 0;
    char *data = lb_core_strfmt("%s/data", dir), *meta = lb_core_strfmt("%s/data/meta.js", dir),
         *units = lb_core_strfmt("%s/data/units.js", dir),
         *wb = lb_core_strfmt("%s/data/waterbed.js", dir);
    if (!data || !meta || !units || !wb) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (mkdir(data, 0777) != 0) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", data, strerror(errno));
        goto cleanup;
    }
    st = detail_set_make(ctx, d, &ds);
    if (st == LB_OK)
        st = write_meta(ctx, d, &ds, meta);
    if (st == LB_OK)
        st = write_units(ctx, d, &ds, units, &n_overview);
    for (size_t c = 0; st == LB_OK && c < ds.n; c++)
        st = write_chunk(ctx, d, &ds, c, dir, &n_full);
    if (st == LB_OK)
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "viewer: the overview has %zu of the units' %zu outline points; the full "
                   "outlines are in %zu chunks",
                   n_overview, n_full, ds.n);
    if (st == LB_OK)
        st = write_waterbed(ctx, d, wb);
    for (size_t i = 0; st == LB_OK && i < d->n_grid; i++)
        st = write_grid(ctx, d, &d->grid[i], dir);
cleanup:
    detail_set_free(&ds);
    free(wb);
    free(units);
    free(meta);
    free(data);
    return st;
}
