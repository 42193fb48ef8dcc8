/* SPDX-License-Identifier: MIT */
/* lb_waterbed_run: read the scores and analyse into a result; its writer writes everything or
 * nothing. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, stat */

#include "wb.h"

#include "../api/opts.h"
#include "../api/provenance.h"
#include "../core/ctx.h"
#include "../io/outdir.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What the writer needs after the analysis is gone. */
typedef struct wb_payload {
    char **inputs; /* the scores' paths and the focus file: guarded by the output directory */
    size_t n_inputs;
    struct json_object *doc; /* run.json */
    double seconds;          /* wall time of the compute */
} wb_payload;

static void payload_free(void *p)
{
    wb_payload *pl = p;
    if (!pl)
        return;
    for (size_t i = 0; i < pl->n_inputs; i++)
        free(pl->inputs[i]);
    free(pl->inputs);
    json_object_put(pl->doc);
    free(pl);
}

static lb_status waterbed_write(lb_ctx *ctx, const lb_result *res, const lb_write_opts *w)
{
    const wb_payload *pl = lb_result_payload(res);
    if (w->csv_sep && w->csv_sep != ',' && w->csv_sep != ';')
        return lb_ctx_error(ctx, LB_ERR_ARG, "waterbed: the CSV separator must be ',' or ';'");
    double t0 = now_s();
    size_t n0 = lb_ctx_warning_count(ctx);
    lb_outdir out = {0};
    const lb_outdir_spec spec = {.overwrite = w->overwrite,
                                 .inputs = (const char *const *)pl->inputs,
                                 .n_inputs = pl->n_inputs};
    lb_status st = lb_outdir_open(ctx, w->outdir, &spec, &out);
    int opened = st == LB_OK;
    struct json_object *doc = NULL, *options = NULL;
    if (st == LB_OK && json_object_deep_copy(pl->doc, &doc, NULL) != 0)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK) {
        char sep[2] = {w->csv_sep == ';' ? ';' : ',', '\0'};
        if (json_object_object_get_ex(doc, "options", &options)) {
            json_object_object_add(options, "csv_sep", json_object_new_string(sep));
            json_object_object_add(options, "full_precision",
                                   json_object_new_boolean(w->full_precision));
        }
        double seconds = pl->seconds + now_s() - t0;
        json_object_object_add(doc, "seconds", json_object_new_double(round(seconds * 1e3) / 1e3));
        st = lb_provenance_end(ctx, doc, res, n0, NULL, NULL);
    }
    if (st == LB_OK)
        st = wb_write_files(ctx, res, out.tmp, w->csv_sep, w->full_precision, doc);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &out);
    if (opened)
        lb_outdir_abort(&out); /* after a commit this only frees */
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 1.0, "done");
    json_object_put(doc);
    return st;
}

static const lb_result_ops waterbed_ops = {waterbed_write, payload_free};

lb_status lb_waterbed_compute(lb_ctx *ctx, const lb_waterbed_options *o, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->scores || o->n_scores == 0)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "waterbed: scored units are required (a run directory "
                            "or a table of published scores)");
    double t0 = now_s();
    lb_scoreset *s = NULL;
    wb_result *r = NULL;
    lb_result *res = NULL;
    wb_payload *pl = calloc(1, sizeof(*pl));
    lb_status st = pl ? lb_result_create(ctx, "waterbed", &waterbed_ops, &res)
                      : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK) {
        free(pl);
        return st;
    }
    lb_result_set_payload(res, pl);
    pl->inputs = calloc(o->n_scores + 1, sizeof(char *));
    for (size_t i = 0; pl->inputs && i < o->n_scores; i++)
        pl->inputs[pl->n_inputs++] = lb_core_strdup(o->scores[i].path);
    if (pl->inputs && o->focus_path)
        pl->inputs[pl->n_inputs++] = lb_core_strdup(o->focus_path);
    for (size_t i = 0; st == LB_OK && i < pl->n_inputs; i++)
        if (!pl->inputs[i])
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK && !pl->inputs)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.0, "reading scores");
    if (st == LB_OK)
        st = lb_scoreset_read(ctx, o->scores, o->n_scores, &s);
    if (st == LB_OK)
        st = lb_ctx_progress(ctx, 0.05, "zones");
    if (st == LB_OK)
        st = wb_analyse(ctx, s, o, &r);
    if (st == LB_OK)
        st = wb_tables(ctx, r, o, res);
    if (st == LB_OK) {
        pl->seconds = now_s() - t0;
        pl->doc = wb_run_json(ctx, r, o, pl->seconds);
        if (pl->doc)
            wb_design_json(r, o, pl->doc);
        st = pl->doc
                 ? lb_result_set_provenance(
                       ctx, res, json_object_to_json_string_ext(pl->doc, JSON_C_TO_STRING_PRETTY))
                 : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (st == LB_OK)
        st = lb_result_take_warnings(ctx, res);
    wb_result_destroy(r);
    lb_scoreset_destroy(s);
    if (st != LB_OK) {
        lb_result_destroy(res);
        return st;
    }
    *out = res;
    return LB_OK;
}

lb_status lb_waterbed_exec(lb_ctx *ctx, const lb_waterbed_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->outdir)
        return lb_ctx_error(ctx, LB_ERR_ARG, "waterbed: an output directory is required");
    lb_result *res = NULL;
    lb_status st = lb_waterbed_compute(ctx, o, &res);
    if (st == LB_OK) {
        const lb_write_opts w = {.outdir = o->outdir,
                                 .overwrite = o->overwrite,
                                 .csv_sep = o->csv_sep,
                                 .full_precision = o->full_precision};
        st = lb_result_write_with(ctx, res, &w);
    }
    lb_result_destroy(res);
    return st;
}

/* ---- lb_waterbed_run: the options handle into the struct ---------------------------------- */

/* Text the struct borrows while the compute runs. */
typedef struct arena {
    char **s;
    size_t n, cap;
    int failed;
} arena;

static char *keep(arena *a, char *s)
{
    if (!s || a->failed) {
        a->failed = 1;
        free(s);
        return NULL;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        char **g = realloc(a->s, cap * sizeof(*g));
        if (!g) {
            a->failed = 1;
            free(s);
            return NULL;
        }
        a->s = g;
        a->cap = cap;
    }
    return a->s[a->n++] = s;
}

/* PATH[:LAYER]: the layer is split off at the last ':' unless PATH names a file. */
static void split_layer(arena *a, const char *arg, const char **path, const char **layer)
{
    char *copy = keep(a, lb_core_strdup(arg));
    *path = copy;
    *layer = NULL;
    if (!copy)
        return;
    struct stat sb;
    char *colon = strrchr(copy, ':');
    if (colon && colon != copy && stat(copy, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        *layer = colon + 1;
    }
}

/* The comma-separated items of every value of @p key (empty items skipped). */
static const char **items(arena *a, const lb_opts *opts, const char *key, size_t *n)
{
    size_t nv = 0, cap = 1;
    const char *const *v = lb_opts_get_list(opts, key, &nv);
    for (size_t i = 0; i < nv; i++)
        cap += lb_opts_count_items(v[i]);
    const char **out = (const char **)keep(a, calloc(cap, sizeof(char *)));
    *n = 0;
    for (size_t i = 0; out && i < nv; i++) {
        char *copy = keep(a, lb_core_strdup(v[i]));
        for (char *p = copy, *q; p && *p; p = q) {
            q = p + strcspn(p, ",");
            if (*q)
                *q++ = '\0';
            if (*p)
                out[(*n)++] = p;
        }
    }
    return out;
}

static int choice(const char *v, const char *const *names, int n, int def)
{
    for (int i = 0; v && i < n; i++)
        if (strcmp(v, names[i]) == 0)
            return i;
    return def;
}

lb_status lb_waterbed_run(lb_ctx *ctx, const lb_opts *opts, lb_result **out)
{
    lb_ctx_warnings_reset(ctx);
    if (!opts || strcmp(lb_opts_operation(opts), "waterbed") != 0)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "lb_waterbed_run: options of \"%s\", not of \"waterbed\"",
                            opts ? lb_opts_operation(opts) : "(null)");
    lb_status st = lb_opts_check(ctx, opts, 0);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "waterbed: ");
    arena a = {0};
    lb_waterbed_options o;
    lb_waterbed_options_init(&o);
    lb_score_source tmpl = {0};
    tmpl.geometry = lb_opts_get_str(opts, "geometry");
    tmpl.geometry_id = lb_opts_get_str(opts, "geometry-id");
    tmpl.id_field = lb_opts_get_str(opts, "id-field");
    tmpl.year_field = lb_opts_get_str(opts, "year-field");
    tmpl.weight_field = lb_opts_get_str(opts, "weight-field");
    tmpl.s_srs = lb_opts_get_str(opts, "s-srs");
    tmpl.year = (int)lb_opts_get_int(opts, "year", 0);
    size_t n_scores = 0;
    const char *const *scores = lb_opts_get_list(opts, "scores", &n_scores);
    lb_score_source *src = (lb_score_source *)keep(&a, calloc(n_scores + 1, sizeof(*src)));
    for (size_t k = 0; src && k < n_scores; k++) {
        src[k] = tmpl;
        split_layer(&a, scores[k], &src[k].path, &src[k].layer);
    }
    o.scores = src;
    o.n_scores = n_scores;
    if (lb_opts_is_set(opts, "focus"))
        split_layer(&a, lb_opts_get_str(opts, "focus"), &o.focus_path, &o.focus_layer);
    if (lb_opts_is_set(opts, "mask"))
        split_layer(&a, lb_opts_get_str(opts, "mask"), &o.mask_path, &o.mask_layer);
    o.focus_codes = items(&a, opts, "focus-codes", &o.n_focus_codes);
    o.mask_codes = items(&a, opts, "mask-codes", &o.n_mask_codes);
    o.focus_where = lb_opts_get_str(opts, "focus-where");
    o.focus_id_field = lb_opts_get_str(opts, "focus-id");
    o.focus_name_field = lb_opts_get_str(opts, "focus-name");
    o.focus_gemeente_field = lb_opts_get_str(opts, "focus-gemeente");
    o.focus_codes_field = lb_opts_get_str(opts, "focus-codes-field");
    o.focus_min_share = lb_opts_get_double(opts, "focus-share", o.focus_min_share);
    o.region_table = lb_opts_get_str(opts, "region-table");
    o.region_field = lb_opts_get_str(opts, "region-field");
    o.region_gemeente_field = lb_opts_get_str(opts, "region-gemeente-field");
    o.region_radius_m = lb_opts_get_double(opts, "region-radius", o.region_radius_m);
    /* an explicit region wins; else a radius or a lookup table chooses its region */
    static const char *const regions[] = {"auto",  "all",    "gemeente",
                                          "table", "radius", "gemeente-or-radius"};
    o.region = lb_opts_is_set(opts, "region-radius")  ? LB_WB_REGION_RADIUS
               : lb_opts_is_set(opts, "region-table") ? LB_WB_REGION_TABLE
                                                      : o.region;
    o.region = (lb_wb_region)choice(lb_opts_get_str(opts, "region"), regions, 6, (int)o.region);
    o.far_exclude_adjacency =
        (int)lb_opts_get_int(opts, "far-exclude-adjacency", o.far_exclude_adjacency);
    /* periods Y0-Y1 (or Y0:Y1), every item of every value */
    size_t n_per = 0;
    const char **per = items(&a, opts, "periods", &n_per);
    lb_wb_period *periods = (lb_wb_period *)keep(&a, calloc(n_per + 1, sizeof(*periods)));
    for (size_t i = 0; periods && per && i < n_per; i++) {
        char c;
        if (sscanf(per[i], "%d%c%d", &periods[i].t0, &c, &periods[i].t1) != 3)
            a.failed = 1; /* checked by lb_opts_set; cannot happen */
    }
    o.periods = n_per ? periods : NULL;
    o.n_periods = n_per;
    o.pretrend = !lb_opts_get_flag(opts, "no-pretrend");
    const char *rings = lb_opts_get_str(opts, "rings");
    if (rings) {
        size_t n = lb_opts_count_items(rings);
        double *v = (double *)keep(&a, calloc(n + 1, sizeof(double)));
        if (v && lb_opts_parse_reals(rings, v, n, &o.n_rings))
            o.rings_m = v;
    }
    static const char *const dists[] = {"polygon", "centroid"};
    o.distance = (lb_wb_distance)choice(lb_opts_get_str(opts, "distance"), dists, 2, 0);
    o.adjacency_tol_m = lb_opts_get_double(opts, "adjacency-tol", o.adjacency_tol_m);
    o.adjacency_orders = (int)lb_opts_get_int(opts, "adjacency-orders", o.adjacency_orders);
    o.rigo = !lb_opts_get_flag(opts, "no-rigo");
    static const char *const adj_from[] = {"polygon", "members"};
    o.adjacency_from =
        (lb_wb_adjacency_from)choice(lb_opts_get_str(opts, "adjacency-from"), adj_from, 2, 0);
    static const char *const ties[] = {"distance", "order"};
    o.ties = (lb_wb_ties)choice(lb_opts_get_str(opts, "ties"), ties, 2, 0);
    static const char *const identical[] = {"keep", "group"};
    o.group_identical = choice(lb_opts_get_str(opts, "identical-focus"), identical, 2, 1);
    o.test_empty_focus = lb_opts_get_flag(opts, "test-empty-focus");
    static const char *const weights[] = {"auto", "source", "unit", "area"};
    o.weight = (lb_wb_weight)choice(lb_opts_get_str(opts, "weight"), weights, 4, 0);
    o.k1 = lb_opts_get_double(opts, "k1", o.k1);
    o.k2 = lb_opts_get_double(opts, "k2", o.k2);
    o.receiving_class = (int)lb_opts_get_int(opts, "receiving-class", o.receiving_class);
    o.min_control = (int)lb_opts_get_int(opts, "min-control", o.min_control);
    const char *seed = lb_opts_get_str(opts, "seed");
    if (seed)
        o.seed = strtoul(seed, NULL, 10);
    static const char *const modes[] = {"auto", "areas", "units"};
    o.placebo_mode = (lb_wb_placebo)choice(lb_opts_get_str(opts, "placebo-mode"), modes, 3, 0);
    o.n_placebo = (int)lb_opts_get_int(opts, "placebos", o.n_placebo);
    o.placebo_buffer_m = lb_opts_get_double(opts, "placebo-buffer", o.placebo_buffer_m);
    o.placebo_pool = (int)lb_opts_get_int(opts, "placebo-pool", o.placebo_pool);
    o.n_boot = (int)lb_opts_get_int(opts, "bootstrap", o.n_boot);
    static const char *const clusters[] = {"auto", "gemeente", "wijk", "focus", "unit"};
    o.cluster = (lb_wb_cluster)choice(lb_opts_get_str(opts, "cluster"), clusters, 5, 0);
    static const char *const bweights[] = {"rademacher", "webb"};
    o.boot_weights =
        (lb_wb_boot_weights)choice(lb_opts_get_str(opts, "boot-weights"), bweights, 2, 0);
    o.ci_level = lb_opts_get_double(opts, "ci-level", o.ci_level);
    static const char *const pooled[] = {"none", "ring", "adjacency", "both"};
    o.pooled_models = choice(lb_opts_get_str(opts, "pooled"), pooled, 4, o.pooled_models);
    static const char *const fes[] = {"focus", "gemeente", "none"};
    o.pooled_fe = (lb_wb_fe)choice(lb_opts_get_str(opts, "pooled-fe"), fes, 3, 0);
    static const char *const bhs[] = {"zone", "period", "run"};
    o.bh_family = (lb_wb_bh)choice(lb_opts_get_str(opts, "bh-family"), bhs, 3, 0);
    const char *mc = lb_opts_get_str(opts, "match-classes");
    if (mc && strncmp(mc, "quantiles", 9) == 0) {
        o.match = LB_WB_MATCH_QUANTILES;
        if (mc[9] == ':')
            o.match_n = atoi(mc + 10);
    } else if (mc && strcmp(mc, "lbm") != 0) {
        size_t n = lb_opts_count_items(mc);
        double *v = (double *)keep(&a, calloc(n + 1, sizeof(double)));
        if (v && lb_opts_parse_reals(mc, v, n, &o.n_match_breaks)) {
            o.match = LB_WB_MATCH_BREAKS;
            o.match_breaks = v;
        }
    }
    if (lb_opts_is_set(opts, "run-label"))
        o.run_label = lb_opts_get_str(opts, "run-label");
    const char *sep = lb_opts_get_str(opts, "csv-sep");
    if (sep)
        o.csv_sep = sep[0]; /* recorded in the provenance; the files take the write's */
    o.command_line = lb_opts_get_str(opts, "command-line");
    st = a.failed ? lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory")
                  : lb_waterbed_compute(ctx, &o, out);
    for (size_t i = 0; i < a.n; i++)
        free(a.s[i]);
    free(a.s);
    return st;
}
