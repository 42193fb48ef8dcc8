/* SPDX-License-Identifier: MIT */
/* leefbaar viewer: read the run folders, prepare the units in WGS84 with a point inside each,
 * and write the folder: the page (built in), the web-map library (copied from "viewer-lib"), the
 * data scripts, the diagnoses, run.json. */
#define _DEFAULT_SOURCE /* realpath */

#include "viewer.h"
#include "inrun.h"

#include "../api/opts.h"
#include "../api/provenance.h"
#include "../core/ctx.h"
#include "../data/result.h"
#include "../io/lonlat.h"
#include "../io/outdir.h"
#include "../io/runjson.h"
#include "../io/write.h"

#include <json-c/json.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The library files copied into lib/: what the page loads, and the licence that must travel
 * with them (BSD-3-Clause). */
static const char *const lib_files[] = {"maplibre-gl.js", "maplibre-gl.css", "LICENSE.txt"};
enum { N_LIB_FILES = sizeof(lib_files) / sizeof(lib_files[0]) };

static lb_status nomem(lb_ctx *ctx)
{
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void lb_viewer_data_free(lb_viewer_data *d)
{
    if (!d)
        return;
    lb_scoreset_destroy(d->s);
    free(d->lonlat);
    free(d->label);
    free(d->title);
    free_strv(d->run_dirs, d->n_run_dirs);
    free_strv(d->inputs, d->n_inputs);
    for (size_t i = 0; i < d->n_diag; i++) {
        free(d->diag[i].code);
        free(d->diag[i].path);
        free(d->diag[i].name);
    }
    free(d->diag);
    for (size_t i = 0; i < d->n_grid; i++) {
        free(d->grid[i].gemeente);
        free(d->grid[i].xy);
        free(d->grid[i].value);
        for (size_t c = 0; d->grid[i].cell_id && c < d->grid[i].n; c++)
            free(d->grid[i].cell_id[c]);
        free(d->grid[i].cell_id);
    }
    free(d->grid);
    json_object_put(d->waterbed);
    json_object_put(d->dev);
    free(d->dev_from);
    lb_vlayer_destroy(d->wb_focus);
    free(d->wb_focus_ll);
    free(d->lib_dir);
    json_object_put(d->doc);
    free(d);
}

static void payload_free(void *p)
{
    lb_viewer_data_free(p);
}

/* Append a copy of @p s to the list; 0 when out of memory. */
static int push(char ***v, size_t *n, const char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof(char *));
    if (!nv)
        return 0;
    *v = nv;
    if (!(nv[*n] = lb_core_strdup(s)))
        return 0;
    (*n)++;
    return 1;
}

/* Is @p path (by its real path) already in the list? */
static int listed(char *const *v, size_t n, const char *path)
{
    char *a = realpath(path, NULL);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        char *b = realpath(v[i], NULL);
        found = a && b ? strcmp(a, b) == 0 : strcmp(path, v[i]) == 0;
        free(b);
    }
    free(a);
    return found;
}

/* A score source named in a change run's run.json ("from" / "to"): its "path". */
static lb_status change_source(lb_ctx *ctx, const char *file, struct json_object *doc,
                               const char *side, lb_viewer_data *d)
{
    struct json_object *o = NULL, *p = NULL;
    lb_status st = lb_io_json_member(ctx, file, doc, "", side, json_type_object, 1, &o);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, o, side, "path", json_type_string, 1, &p);
    if (st != LB_OK)
        return st;
    const char *path = json_object_get_string(p);
    char *json = NULL, *dir = NULL;
    int is_run = lb_scores_run_paths(path, &json, &dir);
    free(json);
    if (!is_run) {
        free(dir);
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "'%s': %s.path '%s' is no score run folder (moved or deleted?); give "
                            "the score run to leefbaar viewer directly",
                            file, side, path);
    }
    if (!listed(d->run_dirs, d->n_run_dirs, dir) && !push(&d->run_dirs, &d->n_run_dirs, dir))
        st = nomem(ctx);
    free(dir);
    return st;
}

/* The development classes of a change run (run.json "development"), for the development view:
 * a change with --dev-cuts or --dev-classes classed its units by them, not by the model's. The
 * view has one legend, so change runs with other classes than the first are refused. */
static lb_status change_development(lb_ctx *ctx, const char *file, struct json_object *doc,
                                    lb_viewer_data *d)
{
    struct json_object *dev = NULL;
    lb_status st = lb_io_json_member(ctx, file, doc, "", "development", json_type_object, 0, &dev);
    if (st != LB_OK || !dev)
        return st; /* none recorded: the model's classes, as the score runs give them */
    if (d->dev) {
        if (json_object_equal(d->dev, dev))
            return LB_OK;
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "'%s' and '%s' class the development differently (their run.json "
                            "\"development\"); the viewer shows one development legend: give "
                            "change runs made with the same --dev-cuts / --dev-classes",
                            d->dev_from, file);
    }
    if (!(d->dev_from = lb_core_strdup(file)))
        return nomem(ctx);
    d->dev = json_object_get(dev);
    return LB_OK;
}

/* The strings of array @p a (n of them) of a change run's "development" member @p key. */
static lb_status dev_strings(lb_ctx *ctx, const char *file, struct json_object *a, const char *key,
                             size_t n, char **out)
{
    for (size_t k = 0; k < n; k++) {
        struct json_object *v = json_object_array_get_idx(a, k);
        if (!json_object_is_type(v, json_type_string))
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "'%s': development.%s[%zu] is no text; was it written by "
                                "leefbaar change?",
                                file, key, k);
        out[k] = (char *)json_object_get_string(v);
    }
    return LB_OK;
}

/* Replace the score runs' development classes with the change run's (change_development). */
static lb_status apply_development(lb_ctx *ctx, lb_viewer_data *d)
{
    if (!d->dev)
        return LB_OK;
    const char *f = d->dev_from;
    struct json_object *cuts = NULL, *labels = NULL, *colours = NULL;
    lb_status st =
        lb_io_json_member(ctx, f, d->dev, "development", "cuts", json_type_array, 1, &cuts);
    if (st == LB_OK)
        st =
            lb_io_json_member(ctx, f, d->dev, "development", "labels", json_type_array, 1, &labels);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, f, d->dev, "development", "colours", json_type_array, 1,
                               &colours);
    if (st != LB_OK)
        return st;
    size_t n = json_object_array_length(cuts);
    if ((n != 6 && n != 8) || json_object_array_length(labels) != n + 1 ||
        json_object_array_length(colours) != n + 1)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "'%s': development has %zu cuts, %zu labels and %zu colours; 6 or 8 "
                            "cuts and one label and colour more were expected",
                            f, n, json_object_array_length(labels),
                            json_object_array_length(colours));
    double c[LB_MAX_DEV_CLASSES - 1];
    for (size_t k = 0; k < n; k++) {
        struct json_object *v = json_object_array_get_idx(cuts, k);
        c[k] = json_object_get_double(v);
        if (!(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) ||
            !isfinite(c[k]) || (k && !(c[k] > c[k - 1])))
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "'%s': development.cuts[%zu] is no number above the cut before "
                                "it; was it written by leefbaar change?",
                                f, k);
    }
    char *lab[LB_MAX_DEV_CLASSES], *col[LB_MAX_DEV_CLASSES];
    st = dev_strings(ctx, f, labels, "labels", n + 1, lab);
    if (st == LB_OK)
        st = dev_strings(ctx, f, colours, "colours", n + 1, col);
    if (st != LB_OK)
        return st;
    lb_scoreset *s = d->s;
    for (size_t k = 0; k <= s->n_dev_cuts; k++) {
        free(s->dev_labels[k]);
        free(s->dev_colours[k]);
        s->dev_labels[k] = s->dev_colours[k] = NULL;
    }
    s->n_dev_cuts = n;
    memcpy(s->dev_cuts, c, n * sizeof(double));
    for (size_t k = 0; k <= n; k++)
        if (!(s->dev_labels[k] = lb_core_strdup(lab[k])) ||
            !(s->dev_colours[k] = lb_core_strdup(col[k])))
            return nomem(ctx);
    return LB_OK;
}

/* Sort one folder given on the command line: a score run (its units), a change run (the score
 * runs it compared). */
static lb_status add_run(lb_ctx *ctx, const char *path, lb_viewer_data *d)
{
    lb_status st = LB_OK;
    char *json = NULL, *dir = NULL;
    struct json_object *doc = NULL, *name = NULL;

    if (!lb_scores_run_paths(path, &json, &dir)) {
        size_t n_diag = 0;
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            st = lb_viewer_diagnoses_find(ctx, path, d, &n_diag);
            if (st != LB_OK || n_diag > 0)
                goto cleanup;
        }
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "'%s' is no run folder of leefbaar (no run.json, no diagnosis): give "
                          "the output folder of leefbaar score, change, diagnose, scan or "
                          "waterbed",
                          path);
        goto cleanup;
    }
    st = lb_io_json_read_object(ctx, json, &doc);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, json, doc, "", "command_name", json_type_string, 1, &name);
    if (st != LB_OK)
        goto cleanup;
    const char *op = json_object_get_string(name);
    if (strcmp(op, "score") == 0) {
        if (!listed(d->run_dirs, d->n_run_dirs, dir) && !push(&d->run_dirs, &d->n_run_dirs, dir))
            st = nomem(ctx);
    } else if (strcmp(op, "change") == 0) {
        st = change_source(ctx, json, doc, "from", d);
        if (st == LB_OK)
            st = change_source(ctx, json, doc, "to", d);
        if (st == LB_OK)
            st = change_development(ctx, json, doc, d);
    } else if (strcmp(op, "scan") == 0) {
        size_t n_diag = 0;
        st = lb_viewer_diagnoses_find(ctx, dir, d, &n_diag);
    } else if (strcmp(op, "waterbed") == 0) {
        st = lb_viewer_waterbed_read(ctx, dir, d);
        struct json_object *scores = NULL;
        if (st == LB_OK)
            st = lb_io_json_member(ctx, json, doc, "", "scores", json_type_array, 0, &scores);
        for (size_t i = 0; st == LB_OK && scores && i < json_object_array_length(scores); i++) {
            struct json_object *p = NULL;
            char where[32];
            snprintf(where, sizeof(where), "scores[%zu]", i);
            st = lb_io_json_member(ctx, json, json_object_array_get_idx(scores, i), where, "path",
                                   json_type_string, 1, &p);
            char *sj = NULL, *sd = NULL;
            /* a score run it read is shown too; a published table must be given as a run */
            if (st == LB_OK && lb_scores_run_paths(json_object_get_string(p), &sj, &sd) &&
                !listed(d->run_dirs, d->n_run_dirs, sd) && !push(&d->run_dirs, &d->n_run_dirs, sd))
                st = nomem(ctx);
            free(sj);
            free(sd);
        }
    } else {
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "'%s' is a run of leefbaar %s, which the viewer does not show; give a "
                          "score, change, diagnose, scan or waterbed run",
                          path, op);
    }
cleanup:
    json_object_put(doc);
    free(dir);
    free(json);
    return st;
}

/* The units' rings in WGS84 and a point inside each unit. */
static lb_status prepare_geometry(lb_ctx *ctx, lb_viewer_data *d)
{
    const lb_scoreset *s = d->s;
    if (!(d->label = malloc((s->n_units ? s->n_units : 1) * 2 * sizeof(double))))
        return nomem(ctx);
    for (size_t i = 0; i < 2 * s->n_units; i++)
        d->label[i] = NAN;
    if (!s->geom)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "%s: the units have no polygons, so there is nothing to map",
                            s->description);
    const lb_vlayer *l = s->geom;
    size_t n_pts = l->ring_pt_start[l->n_rings], n_label = 0, no_area = 0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (s->geom_row[u] == SIZE_MAX)
            continue;
        if (lb_viewer_label_point(l, s->geom_row[u], &d->label[2 * u], &d->label[2 * u + 1]))
            n_label++;
        else
            no_area++;
    }
    if (no_area)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "viewer: %zu unit(s) of %s have a polygon without area; they are not on the "
                   "map",
                   no_area, s->description);
    if (!(d->lonlat = malloc((n_pts ? n_pts : 1) * 2 * sizeof(double))))
        return nomem(ctx);
    memcpy(d->lonlat, l->ring_xy, n_pts * 2 * sizeof(double));
    lb_status st = lb_io_lonlat_from_rd(ctx, d->lonlat, n_pts, "viewer: the units' outlines");
    if (st == LB_OK) {
        /* the label points as one batch; units without one hold NaN and stay NaN */
        double *tmp = malloc((n_label ? n_label : 1) * 2 * sizeof(double));
        if (!tmp)
            return nomem(ctx);
        size_t k = 0;
        for (size_t u = 0; u < s->n_units; u++)
            if (isfinite(d->label[2 * u])) {
                tmp[2 * k] = d->label[2 * u];
                tmp[2 * k + 1] = d->label[2 * u + 1];
                k++;
            }
        st = lb_io_lonlat_from_rd(ctx, tmp, n_label, "viewer: the units' label points");
        k = 0;
        for (size_t u = 0; st == LB_OK && u < s->n_units; u++)
            if (isfinite(d->label[2 * u])) {
                d->label[2 * u] = tmp[2 * k];
                d->label[2 * u + 1] = tmp[2 * k + 1];
                k++;
            }
        free(tmp);
    }
    return st;
}

/* The library files must all be there before anything is read. */
lb_status lb_viewer_lib_check(lb_ctx *ctx, const char *who, const char *lib)
{
    if (!lib || !*lib)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "%s: no web-map library folder given (it needs maplibre-gl.js, "
                            "maplibre-gl.css and LICENSE.txt of the npm package maplibre-gl); run "
                            "scripts/setup-deps.sh --viewer and rebuild, or pass --viewer-lib DIR",
                            who);
    for (size_t i = 0; i < N_LIB_FILES; i++) {
        char *p = lb_core_strfmt("%s/%s", lib, lib_files[i]);
        struct stat sb;
        int ok = p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
        free(p);
        if (!ok)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "%s: the web-map library folder '%s' has no %s (it needs "
                                "maplibre-gl.js, maplibre-gl.css and LICENSE.txt of the npm "
                                "package maplibre-gl); run scripts/setup-deps.sh --viewer and "
                                "rebuild, or pass --viewer-lib DIR",
                                who, lib, lib_files[i]);
    }
    return LB_OK;
}

static struct json_object *run_doc(const lb_viewer_data *d, const lb_opts *o)
{
    struct json_object *doc = lb_provenance_begin("viewer", lb_opts_get_str(o, "command-line"));
    if (!doc)
        return NULL;
    struct json_object *runs = json_object_new_array();
    for (size_t i = 0; i < d->n_inputs; i++)
        json_object_array_add(runs, json_object_new_string(d->inputs[i]));
    json_object_object_add(doc, "runs", runs);
    struct json_object *scores = json_object_new_array();
    for (size_t i = 0; i < d->n_run_dirs; i++)
        json_object_array_add(scores, json_object_new_string(d->run_dirs[i]));
    json_object_object_add(doc, "score_runs", scores);
    json_object_object_add(doc, "source", json_object_new_string(d->s->description));
    json_object_object_add(doc, "development_from",
                           d->dev_from ? json_object_new_string(d->dev_from) : NULL);
    json_object_object_add(doc, "library",
                           json_object_new_string("MapLibre GL JS (npm maplibre-gl, BSD-3-Clause), "
                                                  "copied into lib/"));
    json_object_object_add(doc, "library_dir", json_object_new_string(d->lib_dir));
    char prec[160];
    snprintf(prec, sizeof(prec),
             "WGS84 lon/lat rounded to %d decimals (0.1 m); scores shown with %d decimals",
             LB_VIEWER_COORD_DECIMALS, LB_VIEWER_SHOWN_DECIMALS);
    json_object_object_add(doc, "precision", json_object_new_string(prec));
    return doc;
}

/* Copy file @p from to @p to byte for byte. */
static lb_status copy_file(lb_ctx *ctx, const char *from, const char *to)
{
    lb_status st = LB_OK;
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    if (!in || !out) {
        st =
            lb_ctx_error(ctx, LB_ERR_IO, "cannot copy '%s' to '%s': %s", from, to, strerror(errno));
        goto cleanup;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s': %s", to, strerror(errno));
            goto cleanup;
        }
    if (ferror(in))
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot read '%s': %s", from, strerror(errno));
cleanup:
    if (out && fclose(out) != 0 && st == LB_OK)
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s': %s", to, strerror(errno));
    if (in)
        fclose(in);
    return st;
}

static lb_status write_buffer(lb_ctx *ctx, const char *path, const unsigned char *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    size_t w = fwrite(data, 1, size, fp);
    if (fclose(fp) != 0 || w != size)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    return LB_OK;
}

/* The page, the library and the diagnoses into @p tmp. */
static lb_status write_static(lb_ctx *ctx, const lb_viewer_data *d, const char *tmp)
{
    lb_status st = LB_OK;
    for (size_t i = 0; st == LB_OK && i < lb_viewer_n_assets; i++) {
        char *p = lb_core_strfmt("%s/%s", tmp, lb_viewer_assets[i].name);
        st = p ? write_buffer(ctx, p, lb_viewer_assets[i].data, lb_viewer_assets[i].size)
               : nomem(ctx);
        free(p);
    }
    char *lib = st == LB_OK ? lb_core_strfmt("%s/lib", tmp) : NULL;
    if (st == LB_OK && (!lib || mkdir(lib, 0777) != 0))
        st = lib ? lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", lib, strerror(errno))
                 : nomem(ctx);
    for (size_t i = 0; st == LB_OK && i < N_LIB_FILES; i++) {
        char *from = lb_core_strfmt("%s/%s", d->lib_dir, lib_files[i]),
             *to = lb_core_strfmt("%s/%s", lib, lib_files[i]);
        st = from && to ? copy_file(ctx, from, to) : nomem(ctx);
        free(to);
        free(from);
    }
    free(lib);
    if (st == LB_OK && d->n_diag) {
        char *dir = lb_core_strfmt("%s/diagnose", tmp);
        if (!dir || mkdir(dir, 0777) != 0)
            st = dir ? lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", dir, strerror(errno))
                     : nomem(ctx);
        for (size_t i = 0; st == LB_OK && i < d->n_diag; i++) {
            char *to = lb_core_strfmt("%s/%s", dir, d->diag[i].name);
            st = to ? copy_file(ctx, d->diag[i].path, to) : nomem(ctx);
            free(to);
        }
        free(dir);
    }
    return st;
}

static lb_status viewer_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w)
{
    const lb_viewer_data *d = lb_result_payload(res);
    if (!w->outdir || !*w->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "viewer: an output folder is required");
    size_t n0 = lb_ctx_warning_count(ctx);
    lb_outdir out = {0};
    const lb_outdir_spec spec = {.overwrite = w->overwrite,
                                 .inputs = (const char *const *)d->inputs,
                                 .n_inputs = d->n_inputs};
    lb_status st = lb_outdir_open(ctx, w->outdir, &spec, &out);
    int opened = st == LB_OK;
    struct json_object *doc = NULL, *outs = NULL;
    char *run_json = NULL;
    if (st == LB_OK && json_object_deep_copy(d->doc, &doc, NULL) != 0)
        st = nomem(ctx);
    if (st == LB_OK) {
        outs = json_object_new_array();
        for (size_t i = 0; i < lb_viewer_n_assets; i++)
            json_object_array_add(outs, json_object_new_string(lb_viewer_assets[i].name));
        json_object_array_add(outs, json_object_new_string("lib"));
        json_object_array_add(outs, json_object_new_string("data"));
        if (d->n_diag)
            json_object_array_add(outs, json_object_new_string("diagnose"));
        json_object_array_add(outs, json_object_new_string("run.json"));
        st = lb_provenance_end(ctx, doc, res, n0, NULL, outs);
    }
    if (st == LB_OK)
        st = write_static(ctx, d, out.tmp);
    if (st == LB_OK)
        st = lb_viewer_write_data(ctx, d, out.tmp);
    if (st == LB_OK && !(run_json = lb_outdir_tmp_path(&out, "run.json")))
        st = nomem(ctx);
    if (st == LB_OK)
        st = lb_write_json(ctx, run_json, doc);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &out);
    if (opened)
        lb_outdir_abort(&out);
    if (st == LB_OK)
        lb_ctx_log(ctx, LB_LOG_INFO, "viewer: %zu units, %zu years; open %s/index.html",
                   d->s->n_units, d->s->n_years, w->outdir);
    free(run_json);
    json_object_put(doc);
    return st;
}

static const lb_result_ops viewer_ops = {viewer_write, payload_free};

/* Table "units": code, name, gemeente, the point inside (lon, lat). */
static lb_status units_table(lb_ctx *ctx, const lb_viewer_data *d, lb_result *res)
{
    const lb_scoreset *s = d->s;
    lb_table *t = NULL;
    lb_column *c[5];
    static const char *const names[5] = {"code", "name", "gemeente", "lon", "lat"};
    static const lb_col_type types[5] = {LB_COL_TEXT, LB_COL_TEXT, LB_COL_TEXT, LB_COL_REAL,
                                         LB_COL_REAL};
    lb_status st = lb_table_create(ctx, s->n_units, &t);
    for (size_t i = 0; st == LB_OK && i < 5; i++)
        st = lb_table_add(ctx, t, names[i], types[i], &c[i]);
    for (size_t u = 0; st == LB_OK && u < s->n_units; u++) {
        const char *txt[3] = {s->id[u], s->name[u], s->gm_code ? s->gm_code[u] : NULL};
        for (size_t i = 0; i < 3; i++)
            if (txt[i] && !(c[i]->text[u] = lb_core_strdup(txt[i])))
                st = nomem(ctx);
        c[3]->real[u] = d->label[2 * u];
        c[4]->real[u] = d->label[2 * u + 1];
    }
    if (st == LB_OK) {
        st = lb_result_add_table(ctx, res, "units", t);
        t = NULL;
    }
    lb_table_destroy(t);
    return st;
}

/* The page title: the option, else the model or the run. */
static char *page_title(const lb_opts *o, const lb_scoreset *s)
{
    const char *t = lb_opts_get_str(o, "title");
    if (t)
        return lb_core_strdup(t);
    return lb_core_strfmt("Leefbaarheid %d\xe2\x80\x93%d", s->years[0], s->years[s->n_years - 1]);
}

lb_status lb_viewer_run(lb_ctx *ctx, const lb_opts *o, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || strcmp(lb_opts_operation(o), "viewer") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_viewer_run: options of \"%s\", not of \"viewer\"",
                            o ? lb_opts_operation(o) : "(null)");
    lb_status st = lb_opts_check(ctx, o, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "viewer: ");
    lb_result *res = NULL;
    lb_score_source *src = NULL;
    lb_viewer_data *d = calloc(1, sizeof(*d));
    st = d ? lb_result_create(ctx, "viewer", &viewer_ops, &res) : nomem(ctx);
    if (st != LB_OK) {
        free(d);
        return st;
    }
    lb_result_set_payload(res, d);
    size_t n_runs = 0;
    const char *const *runs = lb_opts_get_list(o, "run", &n_runs);
    if (!(d->lib_dir = lb_core_strdup(lb_opts_get_str(o, "viewer-lib"))))
        st = nomem(ctx);
    if (st == LB_OK)
        st = lb_viewer_lib_check(ctx, "viewer", d->lib_dir);
    for (size_t i = 0; st == LB_OK && i < n_runs; i++) {
        if (!push(&d->inputs, &d->n_inputs, runs[i]))
            st = nomem(ctx);
        else
            st = add_run(ctx, runs[i], d);
    }
    if (st == LB_OK && d->n_run_dirs == 0)
        st = lb_ctx_error(ctx, LB_ERR_ARG,
                          "viewer: none of the folders given is or names a score run");
    if (st == LB_OK && !(src = calloc(d->n_run_dirs, sizeof(*src))))
        st = nomem(ctx);
    for (size_t i = 0; st == LB_OK && i < d->n_run_dirs; i++)
        src[i].path = d->run_dirs[i];
    if (st == LB_OK)
        st = lb_scoreset_read(ctx, src, d->n_run_dirs, &d->s);
    if (st == LB_OK)
        st = apply_development(ctx, d);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.5, "viewer: outlines to WGS84");
    if (st == LB_OK)
        st = prepare_geometry(ctx, d);
    if (st == LB_OK)
        st = lb_viewer_grid_read(ctx, d);
    if (st == LB_OK && !(d->title = page_title(o, d->s)))
        st = nomem(ctx);
    if (st == LB_OK)
        st = units_table(ctx, d, res);
    if (st == LB_OK && !(d->doc = run_doc(d, o)))
        st = nomem(ctx);
    if (st == LB_OK)
        st = lb_result_set_provenance(
            ctx, res, json_object_to_json_string_ext(d->doc, JSON_C_TO_STRING_PRETTY));
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    free(src);
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}

lb_status lb_viewer_exec(lb_ctx *ctx, const char *const *runs, size_t n, const char *outdir,
                         const char *lib, int overwrite, const char *command_line)
{
    lb_opts *o = NULL;
    lb_result *res = NULL;
    lb_status st = lb_opts_create(ctx, "viewer", &o);
    for (size_t i = 0; st == LB_OK && i < n; i++)
        st = lb_opts_set(ctx, o, "run", runs[i]);
    if (st == LB_OK)
        st = lb_opts_set(ctx, o, "output", outdir);
    if (st == LB_OK && lib)
        st = lb_opts_set(ctx, o, "viewer-lib", lib);
    if (st == LB_OK && overwrite)
        st = lb_opts_set(ctx, o, "overwrite", NULL);
    if (st == LB_OK && command_line)
        st = lb_opts_set(ctx, o, "command-line", command_line);
    if (st == LB_OK)
        st = lb_viewer_run(ctx, o, &res);
    if (st == LB_OK)
        st = lb_result_write(ctx, res, o);
    lb_result_destroy(res);
    lb_opts_destroy(o);
    return st;
}

/* @p s with its first @p from replaced by @p to (a new string; NULL when out of memory). */
static char *replace_once(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    if (!at)
        return lb_core_strdup(s);
    return lb_core_strfmt("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* In the strings of member @p key of @p doc (a string or an array of them), the temporary
 * directory @p tmp becomes the run's directory @p dir. 0 when out of memory. */
static int rename_member(struct json_object *doc, const char *key, const char *tmp, const char *dir)
{
    struct json_object *m = NULL;
    if (!json_object_object_get_ex(doc, key, &m) || !m)
        return 1;
    int array = json_object_is_type(m, json_type_array);
    size_t n = array ? json_object_array_length(m) : 1;
    for (size_t i = 0; i < n; i++) {
        struct json_object *e = array ? json_object_array_get_idx(m, i) : m;
        if (!json_object_is_type(e, json_type_string))
            continue;
        char *t = replace_once(json_object_get_string(e), tmp, dir);
        if (!t)
            return 0;
        json_object_set_string(e, t);
        free(t);
    }
    return 1;
}

struct json_object *lb_viewer_choice_json(const char *lib, const char *title)
{
    struct json_object *v = json_object_new_object();
    if (!v)
        return NULL;
    json_object_object_add(v, "folder", json_object_new_string(LB_VIEWER_RUN_FOLDER));
    json_object_object_add(v, "library_dir", lib ? json_object_new_string(lib) : NULL);
    json_object_object_add(v, "title", title ? json_object_new_string(title) : NULL);
    return v;
}

lb_status lb_viewer_write_in_run(lb_ctx *ctx, const char *who, struct json_object *run_doc,
                                 const char *run_tmp, const char *run_dir, const char *lib,
                                 const char *title)
{
    struct json_object *cmd = NULL;
    const char *command_line =
        json_object_object_get_ex(run_doc, "command", &cmd) ? json_object_get_string(cmd) : NULL;
    lb_opts *o = NULL;
    lb_result *res = NULL;
    char *out = lb_core_strfmt("%s/%s", run_tmp, LB_VIEWER_RUN_FOLDER);
    lb_status st = out ? lb_opts_create(ctx, "viewer", &o) : nomem(ctx);
    if (st == LB_OK)
        st = lb_opts_set(ctx, o, "run", run_tmp);
    if (st == LB_OK)
        st = lb_opts_set(ctx, o, "output", out);
    if (st == LB_OK)
        st = lb_opts_set(ctx, o, "viewer-lib", lib);
    if (st == LB_OK && title)
        st = lb_opts_set(ctx, o, "title", title);
    if (st == LB_OK && command_line)
        st = lb_opts_set(ctx, o, "command-line", command_line);
    if (st == LB_OK)
        st = lb_viewer_run(ctx, o, &res);
    if (st == LB_OK) {
        /* the viewer's run.json names the run where it will be, not where it is written */
        lb_viewer_data *d = lb_result_payload(res);
        static const char *const keys[] = {"runs", "score_runs", "source", "development_from"};
        for (size_t i = 0; st == LB_OK && i < sizeof(keys) / sizeof(keys[0]); i++)
            if (!rename_member(d->doc, keys[i], run_tmp, run_dir))
                st = nomem(ctx);
    }
    if (st == LB_OK)
        st = lb_result_write(ctx, res, o);
    lb_result_destroy(res);
    lb_opts_destroy(o);
    free(out);
    return st == LB_OK ? st : lb_ctx_error_prefix(ctx, st, "%s: ", who);
}
