/* SPDX-License-Identifier: MIT */
/* The score pipeline: read → grid → indicators → model → aggregate → write, for one or several
 * years into one output directory. Cell arrays are compact: they hold the scored cells only
 * (ascending grid index), so memory follows the populated area, not the grid's extent. */
#define _XOPEN_SOURCE 700 /* realpath */

#include <leefbaar/leefbaar.h>

#include "../aggregate/aggregate.h"
#include "../core/codes.h"
#include "../core/ctx.h"
#include "../core/sha256.h"
#include "../geom/geos_bridge.h"
#include "../indicators/indicators.h"
#include "../indicators/polygons.h"
#include "../io/mapset.h"
#include "../io/outdir.h"
#include "../io/runjson.h"
#include "../io/style.h"
#include "../io/write.h"
#include "../model/score.h"

#include <json-c/json.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

void lb_score_options_init(lb_score_options *o)
{
    memset(o, 0, sizeof(*o));
    o->csv_sep = ',';
}

static const struct {
    const char *name;
    unsigned bit;
} output_names[] = {{"gpkg", LB_OUT_GPKG}, {"grid", LB_OUT_GRID}, {"geojson", LB_OUT_GEOJSON},
                    {"csv", LB_OUT_CSV},   {"tif", LB_OUT_TIF},   {"all", LB_OUT_ALL}};

lb_status lb_score_outputs_parse(lb_ctx *ctx, const char *list, unsigned *out)
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
            return lb_error(ctx, LB_ERR_ARG,
                            "outputs: unknown output '%.*s' (choose from gpkg, grid, geojson, csv, "
                            "tif, all)",
                            (int)len, p);
        mask |= output_names[k].bit;
        p += len + (p[len] == ',');
    }
    if (!mask)
        return lb_error(ctx, LB_ERR_ARG,
                        "outputs: the list is empty (choose from gpkg, grid, geojson, csv, tif, "
                        "all)");
    *out = mask;
    return LB_OK;
}

/* The outputs made from the units table. */
#define UNITS_OUTPUTS (LB_OUT_GPKG | LB_OUT_GEOJSON | LB_OUT_CSV)

/* The outputs a run writes: the options' choice, else all its mode has. */
static unsigned outputs_of(const lb_score_options *o)
{
    if (o->outputs)
        return o->outputs;
    return o->mode == LB_MODE_AREA ? UNITS_OUTPUTS : LB_OUT_ALL;
}

/* The outputs' choice checked against the mode and the other options. */
static lb_status outputs_check(lb_ctx *ctx, const lb_score_options *o)
{
    unsigned w = outputs_of(o);
    if (w & ~(unsigned)LB_OUT_ALL)
        return lb_error(ctx, LB_ERR_ARG, "outputs: unknown bits 0x%x", w & ~(unsigned)LB_OUT_ALL);
    if (o->mode == LB_MODE_AREA && (w & (LB_OUT_GRID | LB_OUT_TIF)))
        return lb_error(ctx, LB_ERR_ARG,
                        "outputs: area mode scores polygons and writes no grid layer and no "
                        "rasters; leave grid and tif out of --outputs");
    if (o->preview && !(w & LB_OUT_TIF))
        return lb_error(ctx, LB_ERR_ARG,
                        "--preview draws the class raster: add tif to --outputs (or drop "
                        "--preview)");
    return LB_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One year of a run: its inputs, its scored cells and scores, and its rows of the output
 * tables. The heavy arrays are freed as soon as the year's tables and rasters are made. */
typedef struct year_run {
    int year;
    lb_source *src;
    size_t n_src;
    lb_inputs *in;
    const lb_vlayer *weight_layer;
    const lb_vlayer *units;
    double *cell_w; /* whole grid, while the indicators are evaluated */
    double weight_input, weight_grid, weight_lost; /* weight totals (check_weight_total) */
    uint32_t *cells;                               /* the scored cells, ascending */
    size_t n_scored;
    size_t n_water; /* units left out as water only (WATER = JA) */
    double *w;      /* weight of cells[k] */
    double **x;     /* x[i][k]: raw value of indicator i at cells[k] */
    lb_reference ref;
    lb_scores sc; /* compact: unit k is cells[k] */
    lb_unit_scores unit;
    double **ux, **uc; /* per indicator and unit: mean raw value and contribution */
    lb_table *grid_t, *units_t;
    struct json_object *counts, *timings;
    double t_stage;
} year_run;

/* Everything one run holds; freed in run_free(). */
typedef struct run {
    const lb_score_options *o;
    lb_model *model;
    size_t n_years;
    year_run *yr;   /* in the order they are scored: the reference year first */
    int single;     /* one year and no NAME@YEAR binding: messages as before years existed */
    char **plain;   /* o->inputs[i].name without @YEAR */
    int *bind_year; /* o->inputs[i]'s year, 0 = every year */
    const char *units_name;
    const char *id_field;
    char *id_field_own; /* id_field when found in the units (they are freed after each year) */
    lb_grid grid;
    lb_reference fixed; /* the reference of fixed mode, once known */
    int have_fixed;
    lb_outdir out;
    struct json_object *outputs, *timings, *peak_mb;
    double t_stage;
} run;

/* The process's peak resident memory so far in MB (Linux: VmHWM), or -1 where unknown. */
static double peak_rss_mb(void)
{
    double mb = -1.0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return mb;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        long kb;
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1) {
            mb = (double)kb / 1024.0;
            break;
        }
    }
    fclose(f);
    return mb;
}

/* run.json's peak_rss_mb: the peak so far at the end of each stage, so that a national run
 * shows which stage sets the peak. */
static void note_peak(run *r, const char *stage)
{
    double mb = peak_rss_mb();
    if (mb < 0)
        return;
    if (!r->peak_mb)
        r->peak_mb = json_object_new_object();
    json_object_object_add(r->peak_mb, stage, json_object_new_double(round(mb * 10.0) / 10.0));
}

/* Add @p dt seconds to stage @p name of @p timings (stages repeat once per year). */
static void add_timing(struct json_object *timings, const char *name, double dt)
{
    struct json_object *prev = NULL;
    if (json_object_object_get_ex(timings, name, &prev))
        dt += json_object_get_double(prev);
    json_object_object_add(timings, name, json_object_new_double(round(dt * 1e3) / 1e3));
}

static void stage_done(run *r, const char *name)
{
    double t = now_s();
    add_timing(r->timings, name, t - r->t_stage);
    r->t_stage = t;
    note_peak(r, name);
}

/* A stage of year @p y: timed for the year and in the run's totals. */
static void year_stage(run *r, year_run *y, const char *name)
{
    double t = now_s();
    add_timing(y->timings, name, t - y->t_stage);
    add_timing(r->timings, name, t - y->t_stage);
    y->t_stage = r->t_stage = t;
    note_peak(r, name);
}

static void year_free_arrays(year_run *y, size_t n_ind)
{
    if (y->x)
        for (size_t i = 0; i < n_ind; i++)
            free(y->x[i]);
    free(y->x);
    y->x = NULL;
    free(y->cell_w);
    y->cell_w = NULL;
    free(y->cells);
    y->cells = NULL;
    free(y->w);
    y->w = NULL;
    lb_scores_free(&y->sc);
    lb_unit_scores_free(&y->unit);
    for (size_t i = 0; i < n_ind; i++) {
        if (y->ux)
            free(y->ux[i]);
        if (y->uc)
            free(y->uc[i]);
    }
    free(y->ux);
    free(y->uc);
    y->ux = y->uc = NULL;
}

static void year_free(year_run *y, size_t n_ind)
{
    year_free_arrays(y, n_ind);
    lb_reference_free(&y->ref);
    lb_inputs_destroy(y->in);
    y->in = NULL;
    free(y->src);
    y->src = NULL;
    lb_table_destroy(y->grid_t);
    lb_table_destroy(y->units_t);
    json_object_put(y->counts);
    json_object_put(y->timings);
}

static void run_free(run *r)
{
    for (size_t t = 0; r->yr && t < r->n_years; t++)
        year_free(&r->yr[t], r->model ? r->model->n_ind : 0);
    free(r->yr);
    for (size_t i = 0; r->plain && i < r->o->n_inputs; i++)
        free(r->plain[i]);
    free(r->plain);
    free(r->bind_year);
    free(r->id_field_own);
    lb_reference_free(&r->fixed);
    lb_model_destroy(r->model);
    json_object_put(r->outputs);
    json_object_put(r->peak_mb);
    json_object_put(r->timings);
}

static const char *const name_candidates[] = {"BU_NAAM",  "WK_NAAM",      "GM_NAAM", "BUURTNAAM",
                                              "WIJKNAAM", "GEMEENTENAAM", "NAAM",    "name"};

/* The layer's own name of the first of @p cand it has (case-insensitive), or NULL. */
static const char *find_field(const lb_vlayer *l, const char *const *cand, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < l->n_fields; f++)
            if (strcasecmp(l->fields[f].name, cand[i]) == 0)
                return l->fields[f].name;
    return NULL;
}

/* The layer's code field of @p level (codes.h), or with LB_CODE_NONE the one that identifies
 * its rows (the finest level present); NULL when it has none. */
static const char *code_field(const lb_vlayer *l, lb_code_level level)
{
    const char **names = malloc((l->n_fields ? l->n_fields : 1) * sizeof(char *));
    if (!names)
        return NULL;
    for (size_t f = 0; f < l->n_fields; f++)
        names[f] = l->fields[f].name;
    long i = level == LB_CODE_NONE ? lb_code_field_find(names, l->n_fields)
                                   : lb_code_field_of_level(names, l->n_fields, level);
    free(names);
    return i >= 0 ? l->fields[i].name : NULL;
}

/* The units' field that marks water-only units: WATER (Wijk- en Buurtkaart up to 2021), water
 * (from 2022), H2O (the DBF export of 2023). */
static const char *const water_candidates[] = {"WATER", "H2O"};

/* Which units are water only (the CBS field says "JA"): 1 in @p water (n units), and the
 * count. Units without such a field are land. */
static size_t water_units(const lb_vlayer *l, unsigned char *water)
{
    const char *name = find_field(l, water_candidates, 2);
    const lb_field *f = NULL;
    for (size_t i = 0; name && i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            f = &l->fields[i];
    size_t n = 0;
    for (size_t u = 0; u < l->n; u++) {
        water[u] = f && f->str && f->str[u] && strcasecmp(f->str[u], "JA") == 0;
        n += water[u];
    }
    return n;
}

/* One warning for the water-only units of @p l (count and first codes). */
static void warn_water(lb_ctx *ctx, const run *r, const lb_vlayer *l, const unsigned char *water,
                       size_t n_water)
{
    if (!n_water)
        return;
    const lb_field *id = NULL;
    for (size_t i = 0; r->id_field && i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, r->id_field) == 0)
            id = &l->fields[i];
    char list[256] = "";
    size_t shown = 0;
    for (size_t u = 0; u < l->n && shown < 5; u++) {
        if (!water[u])
            continue;
        char buf[64];
        if (id && id->str && id->str[u])
            snprintf(buf, sizeof(buf), "%s", id->str[u]);
        else
            snprintf(buf, sizeof(buf), "feature %lld", (long long)l->fid[u]);
        lb_list_append(list, sizeof(list), buf);
        shown++;
    }
    lb_log(ctx, LB_LOG_WARN,
           "units '%s' ('%s'): %zu water-only unit(s) (WATER = JA) are left out of the scores "
           "(%s%s)",
           r->units_name, l->path, n_water, list, n_water > shown ? ", ..." : "");
}

/* NAME or NAME@YEAR: the length of NAME and the year (0 = every year); -1 on a bad year. */
static int split_binding(const char *spec, size_t *name_len, int *year)
{
    const char *at = strchr(spec, '@');
    *name_len = at ? (size_t)(at - spec) : strlen(spec);
    *year = 0;
    if (!at)
        return 0;
    char *end = NULL;
    long v = strtol(at + 1, &end, 10);
    if (end == at + 1 || *end || v < 1000 || v > 9999)
        return -1;
    *year = (int)v;
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The years of the run, and the order to score them in: in fixed mode without --reference the
 * reference year goes first, since the others are scored against it. */
static lb_status plan_years(lb_ctx *ctx, run *r)
{
    const lb_score_options *o = r->o;
    size_t n = o->n_years ? o->n_years : 1;
    int *ys = malloc(n * sizeof(int));
    if (!ys)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (o->n_years)
        memcpy(ys, o->years, n * sizeof(int));
    else
        ys[0] = o->year;
    qsort(ys, n, sizeof(int), cmp_int);
    lb_status st = LB_OK;
    for (size_t k = 0; k < n && st == LB_OK; k++) {
        if (o->n_years && (ys[k] < 1000 || ys[k] > 9999))
            st = lb_error(ctx, LB_ERR_ARG, "score: %d is not a year", ys[k]);
        else if (k && ys[k] == ys[k - 1])
            st = lb_error(ctx, LB_ERR_ARG, "score: year %d is given twice", ys[k]);
    }
    if (st == LB_OK && o->n_years && o->year && !bsearch(&o->year, ys, n, sizeof(int), cmp_int))
        st = lb_error(ctx, LB_ERR_ARG, "score: year %d is not among the years to score", o->year);
    r->yr = st == LB_OK ? calloc(n, sizeof(year_run)) : NULL;
    if (st == LB_OK && !r->yr)
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st != LB_OK) {
        free(ys);
        return st;
    }
    r->n_years = n;
    /* Fixed mode: which year is the reference (when no --reference gives one). */
    size_t first = 0;
    const lb_model *m = r->model;
    if (m->ref_mode == LB_REF_FIXED && !o->reference_path) {
        int found = 0;
        for (size_t k = 0; k < n; k++)
            if (m->ref_year && ys[k] == m->ref_year) {
                first = k;
                found = 1;
            }
        if (m->ref_year && !found && ys[0])
            lb_log(ctx, LB_LOG_WARN,
                   "fixed reference mode: the model's reference year %d is not scored in this "
                   "run and no --reference was given; %d is scored against its own population "
                   "and used as the reference",
                   m->ref_year, ys[0]);
    }
    r->yr[0].year = ys[first];
    for (size_t k = 0, j = 1; k < n; k++)
        if (k != first)
            r->yr[j++].year = ys[k];
    free(ys);
    return LB_OK;
}

/* Check the bindings once: NAME or NAME@YEAR, every year bound to is scored. A (name, year)
 * bound to several files reads them as one layer (lb_vlayer_read_list); the same file twice is
 * an error. Fills r->plain (the names without @YEAR) and r->bind_year. */
static lb_status check_bindings(lb_ctx *ctx, run *r)
{
    const lb_score_options *o = r->o;
    size_t n = o->n_inputs;
    r->plain = calloc(n ? n : 1, sizeof(char *));
    r->bind_year = calloc(n ? n : 1, sizeof(int));
    if (!r->plain || !r->bind_year)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    int any_year = 0;
    for (size_t i = 0; i < n; i++) {
        const lb_input_spec *s = &o->inputs[i];
        size_t len;
        if (!s->name || !s->path || split_binding(s->name, &len, &r->bind_year[i]) != 0 || !len)
            return lb_error(ctx, LB_ERR_ARG,
                            "input '%s': a binding is NAME=PATH or NAME@YEAR=PATH (a four-digit "
                            "year)",
                            s->name ? s->name : "(null)");
        if (!(r->plain[i] = lb_strfmt("%.*s", (int)len, s->name)))
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        any_year |= r->bind_year[i] != 0;
        for (size_t k = 0; k < i; k++)
            if (r->bind_year[k] == r->bind_year[i] && strcmp(r->plain[k], r->plain[i]) == 0 &&
                strcmp(o->inputs[k].path, s->path) == 0 &&
                !strcmp(o->inputs[k].layer ? o->inputs[k].layer : "", s->layer ? s->layer : ""))
                return lb_error(ctx, LB_ERR_ARG, "input '%s' is bound twice to '%s'", s->name,
                                s->path);
        int scored = r->bind_year[i] == 0;
        for (size_t t = 0; t < r->n_years; t++)
            scored |= r->yr[t].year == r->bind_year[i];
        if (!scored)
            return lb_error(ctx, LB_ERR_ARG,
                            "input '%s' is bound for %d, which is not among the years scored "
                            "(--year)",
                            s->name, r->bind_year[i]);
    }
    r->single = r->n_years == 1 && !any_year;
    return LB_OK;
}

/* The sources of year @p y: the every-year bindings, replaced by NAME@YEAR ones for it. A name
 * bound to several files (for the year, or for every year) has a source per file, in the
 * order given. */
static lb_status year_sources(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_score_options *o = r->o;
    y->src = calloc(o->n_inputs ? o->n_inputs : 1, sizeof(lb_source));
    if (!y->src)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->n_inputs; i++) {
        int yr = r->bind_year[i];
        if (yr != 0 && yr != y->year)
            continue;
        int for_year = 0; /* a NAME@YEAR binding for this year replaces the every-year ones */
        for (size_t k = 0; yr == 0 && k < o->n_inputs; k++)
            for_year |= r->bind_year[k] != 0 && r->bind_year[k] == y->year &&
                        strcmp(r->plain[k], r->plain[i]) == 0;
        if (for_year)
            continue;
        const lb_input_spec *s = &o->inputs[i];
        y->src[y->n_src++] = (lb_source){r->plain[i], s->path, s->layer, o->s_srs};
    }
    return LB_OK;
}

static lb_status year_error(lb_ctx *ctx, const run *r, const year_run *y, lb_status st)
{
    if (st == LB_OK || r->single)
        return st;
    return lb_error_prefix(ctx, st, "year %d: ", y->year);
}

/* Bind the inputs of year @p y and check that every input the model names is bound, before
 * any heavy work starts. */
static lb_status bind_year(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_model *m = r->model;
    lb_status st = year_sources(ctx, r, y);
    if (st == LB_OK)
        st = lb_inputs_create(ctx, y->src, y->n_src, &y->in);
    for (size_t i = 0; st == LB_OK && i < r->o->n_wheres; i++) {
        const lb_where_spec *w = &r->o->wheres[i];
        if (!w->input || !w->where)
            return lb_error(ctx, LB_ERR_ARG, "--where wants NAME=EXPRESSION");
        st = lb_inputs_set_where(ctx, y->in, w->input, w->where);
        if (st != LB_OK)
            st = lb_error_prefix(ctx, st, "--where %s: ", w->input);
    }
    if (st != LB_OK)
        return st;
    for (size_t i = 0; i < m->n_inputs; i++)
        if (!lb_inputs_source(ctx, y->in, m->inputs[i]))
            return year_error(ctx, r, y, LB_ERR_ARG);
    return LB_OK;
}

typedef struct id_row {
    const char *id;
    size_t row;
} id_row;

static int cmp_id_row(const void *a, const void *b)
{
    const id_row *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Unit ids must be set and unique: change, diagnose and waterbed join years and units on them
 * and refuse duplicates, so a score run that wrote them would be useless. Names the first
 * NULL and duplicated ids with their feature ids. */
static lb_status check_unit_ids(lb_ctx *ctx, const lb_vlayer *l, const char *id_field)
{
    const lb_field *f = lb_vlayer_field(ctx, l, id_field);
    if (!f)
        return LB_ERR_DATA;
    size_t nn = l->n ? l->n : 1;
    id_row *rows = malloc(nn * sizeof(*rows));
    char(*num)[32] = f->is_string ? NULL : malloc(nn * sizeof(*num)); /* numeric ids as text */
    if (!rows || (!f->is_string && !num)) {
        free(rows);
        free(num);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    char nulls[160] = "", dups[320] = "";
    size_t n = 0, n_null = 0, n_dup = 0;
    for (size_t k = 0; k < l->n; k++) {
        const char *id = f->is_string ? f->str[k] : NULL;
        if (!f->is_string && !isnan(f->num[k])) {
            snprintf(num[k], sizeof(num[k]), "%.17g", f->num[k]);
            id = num[k];
        }
        if (!id || !id[0]) {
            if (++n_null <= 5) {
                char one[32];
                snprintf(one, sizeof(one), "%lld", (long long)l->fid[k]);
                lb_list_append(nulls, sizeof(nulls), one);
            }
            continue;
        }
        rows[n++] = (id_row){id, k};
    }
    qsort(rows, n, sizeof(*rows), cmp_id_row);
    for (size_t a = 0; a + 1 < n; a++) {
        if (strcmp(rows[a].id, rows[a + 1].id) != 0 ||
            (a > 0 && !strcmp(rows[a - 1].id, rows[a].id)))
            continue; /* not a duplicate, or one already named */
        if (++n_dup <= 3) {
            char one[128];
            snprintf(one, sizeof(one), "'%.60s' (features %lld and %lld)", rows[a].id,
                     (long long)l->fid[rows[a].row], (long long)l->fid[rows[a + 1].row]);
            lb_list_append(dups, sizeof(dups), one);
        }
    }
    free(rows);
    free(num);
    if (!n_null && !n_dup)
        return LB_OK;
    char what[600] = "";
    if (n_null)
        snprintf(what, sizeof(what), "%zu without an id (feature%s %s%s)", n_null,
                 n_null > 1 ? "s" : "", nulls, n_null > 5 ? ", ..." : "");
    if (n_dup)
        snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%zu duplicated id(s): %s%s",
                 n_null ? "; " : "", n_dup, dups, n_dup > 3 ? ", ..." : "");
    return lb_error(ctx, LB_ERR_DATA,
                    "units '%s' ('%s' layer '%s'): id field '%s' must identify every unit: %s; "
                    "fix the layer, filter those features out, or choose another --id-field",
                    l->name, l->path, l->layer, id_field, what);
}

/* The polygon units of year @p y (--units, default the weight layer) and their id field (as
 * --id-field, else found in the first year's layer). None for --units grid. */
static lb_status load_units(lb_ctx *ctx, run *r, year_run *y)
{
    if (strcmp(r->units_name, "grid") == 0)
        return LB_OK;
    lb_status st = lb_inputs_vector(ctx, y->in, r->units_name, NULL, &y->units);
    if (st != LB_OK)
        return year_error(ctx, r, y, st);
    if (y->units->kind != LB_GEOM_POLYGON)
        return year_error(ctx, r, y,
                          lb_error(ctx, LB_ERR_DATA, "units '%s' ('%s') must be a polygon layer",
                                   r->units_name, y->units->path));
    if (!r->id_field && r->o->id_field)
        r->id_field = r->o->id_field;
    else if (!r->id_field && y == &r->yr[0] && code_field(y->units, LB_CODE_NONE)) {
        if (!(r->id_field_own = lb_strdup(code_field(y->units, LB_CODE_NONE))))
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        r->id_field = r->id_field_own;
    }
    if (!r->id_field) {
        /* Keyed by feature ids the outputs could not be joined, compared over years or
         * diagnosed by code: ask for the field instead. */
        char list[768] = "";
        for (size_t i = 0; i < y->units->n_fields; i++)
            lb_list_append(list, sizeof(list), y->units->fields[i].name);
        return year_error(
            ctx, r, y,
            lb_error(ctx, LB_ERR_DATA,
                     "units '%s' ('%s' layer '%s'): no code field (looked for BU_CODE/buurtcode, "
                     "WK_CODE/wijkcode, GM_CODE/gemeentecode, PC6, PC4, CODE, statcode, id; "
                     "fields: %s); name the field with --id-field",
                     r->units_name, y->units->path, y->units->layer,
                     y->units->n_fields ? list : "none"));
    }
    if (!lb_vlayer_field(ctx, y->units, r->id_field))
        return year_error(ctx, r, y, LB_ERR_DATA);
    if (r->id_field) {
        lb_status st2 = check_unit_ids(ctx, y->units, r->id_field);
        if (st2 != LB_OK)
            return year_error(ctx, r, y, st2);
    }
    return LB_OK;
}

/* Bind the inputs of year @p y, read its weight and units layers, widen the extent. */
static lb_status open_year(lb_ctx *ctx, run *r, year_run *y, double ext[4])
{
    const lb_model *m = r->model;
    lb_status st = bind_year(ctx, r, y);
    if (st != LB_OK)
        return st;
    st = lb_inputs_vector(ctx, y->in, m->weight_layer, NULL, &y->weight_layer);
    if (st != LB_OK)
        return year_error(ctx, r, y, st);
    if (m->weight_field && !lb_vlayer_field(ctx, y->weight_layer, m->weight_field))
        return year_error(ctx, r, y,
                          lb_error_prefix(ctx, LB_ERR_DATA, "weight (%s): ", m->weight_name));
    st = load_units(ctx, r, y);
    if (st != LB_OK)
        return st;
    const lb_vlayer *e = y->units ? y->units : y->weight_layer;
    if (e->kind != LB_GEOM_POLYGON)
        return year_error(ctx, r, y,
                          lb_error(ctx, LB_ERR_DATA,
                                   "weight layer '%s' ('%s') must be a polygon layer", e->name,
                                   e->path));
    ext[0] = fmin(ext[0], e->xmin);
    ext[1] = fmin(ext[1], e->ymin);
    ext[2] = fmax(ext[2], e->xmax);
    ext[3] = fmax(ext[3], e->ymax);
    return LB_OK;
}

/* The fixed reference of --reference, with a warning where the model's mode disagrees. */
static lb_status load_reference(lb_ctx *ctx, run *r)
{
    const lb_score_options *o = r->o;
    if (!o->reference_path)
        return LB_OK;
    lb_status st = lb_reference_read(ctx, o->reference_path, r->model, &r->fixed);
    if (st != LB_OK)
        return st;
    r->have_fixed = 1;
    if (r->model->ref_mode == LB_REF_PER_YEAR)
        lb_log(ctx, LB_LOG_WARN,
               "--reference given but the model's reference mode is per_year: the fixed "
               "reference of '%s' is used",
               o->reference_path);
    return LB_OK;
}

/* The model, the years in scoring order, the bindings checked, the units' name. */
static lb_status start_run(lb_ctx *ctx, run *r)
{
    lb_status st = lb_model_load(ctx, r->o->model_path, &r->model);
    if (st == LB_OK)
        st = plan_years(ctx, r);
    if (st == LB_OK)
        st = check_bindings(ctx, r);
    if (st == LB_OK)
        r->units_name = r->o->units ? r->o->units : r->model->weight_layer;
    return st;
}

static lb_status prepare(lb_ctx *ctx, run *r)
{
    lb_status st = start_run(ctx, r);
    if (st != LB_OK)
        return st;
    /* One grid for all years, over the union of their extents. */
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t t = 0; t < r->n_years && st == LB_OK; t++) {
        year_run *y = &r->yr[t];
        y->timings = json_object_new_object();
        y->t_stage = now_s();
        st = open_year(ctx, r, y, ext);
    }
    if (st == LB_OK)
        st = lb_grid_from_extent(ctx, ext[0], ext[1], ext[2], ext[3], r->model->cell_m, &r->grid);
    if (st == LB_OK)
        st = load_reference(ctx, r);
    return st;
}

static int cmp_fid(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The weight that features of the weight layer without a geometry hold (the reader skipped
 * them): read the layer's rows again, only when it skipped some, and warn with their ids. */
static lb_status weight_without_geometry(lb_ctx *ctx, run *r, year_run *y, double *lost)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->weight_layer;
    *lost = 0.0;
    /* Several files: their feature ids overlap, so the rows cannot be matched to the layer's
     * features; the reader has named each file's features without a geometry already. */
    if (!m->weight_field || l->n_skipped == l->n_outside ||
        lb_inputs_files(y->in, m->weight_layer) > 1)
        return LB_OK;
    const lb_source *src = lb_inputs_source(ctx, y->in, m->weight_layer);
    lb_vlayer *t = NULL;
    int64_t *fids = malloc(l->n * sizeof(int64_t));
    lb_status st = !src ? LB_ERR_ARG : fids ? lb_vlayer_read_table(ctx, src, &t) : LB_ERR_NOMEM;
    const lb_field *f = st == LB_OK ? lb_vlayer_field(ctx, t, m->weight_field) : NULL;
    if (st == LB_OK && !f)
        st = LB_ERR_DATA;
    if (st != LB_OK) {
        free(fids);
        lb_vlayer_destroy(t);
        return st == LB_ERR_NOMEM ? lb_error(ctx, st, "out of memory") : st;
    }
    memcpy(fids, l->fid, l->n * sizeof(int64_t));
    qsort(fids, l->n, sizeof(int64_t), cmp_fid);
    size_t n = 0;
    char ids[200] = "";
    for (size_t k = 0; k < t->n; k++) {
        if (bsearch(&t->fid[k], fids, l->n, sizeof(int64_t), cmp_fid) || !isfinite(f->num[k]))
            continue;
        if (f->num[k] != 0.0 && ++n <= 5) {
            char one[48];
            snprintf(one, sizeof(one), "%lld (%g)", (long long)t->fid[k], f->num[k]);
            lb_list_append(ids, sizeof(ids), one);
        }
        *lost += f->num[k];
    }
    if (n)
        lb_log(ctx, LB_LOG_WARN,
               "weight layer '%s' ('%s'): %zu feature(s) without a geometry hold %.10g of "
               "'%s', which no cell and no unit receives (features %s%s); give them a "
               "geometry or leave them out of the layer",
               l->name, l->path, n, *lost, m->weight_field, ids, n > 5 ? ", ..." : "");
    free(fids);
    lb_vlayer_destroy(t);
    return LB_OK;
}

/* Σ cell weights must be the weight the layer's polygons hold inside the grid. A polygon whose
 * rings disagree with its area (an invalid one that was not repaired) or that has no area
 * gives more or less than it holds; name the difference and the first such polygons. */
static void check_weight_total(lb_ctx *ctx, run *r, year_run *y, const lb_layer_cover *cov,
                               double lost)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->weight_layer;
    const lb_field *f = m->weight_field ? lb_vlayer_field(ctx, l, m->weight_field) : NULL;
    const lb_grid *g = &r->grid;
    double cell_area = g->cell_m * g->cell_m;
    double gx1 = g->x0 + g->nx * g->cell_m, gy1 = g->y0 + g->ny * g->cell_m;
    double want = 0.0, got = 0.0;
    size_t nc = lb_grid_ncells(g), n_bad = 0;
    char ids[200] = "";
    for (size_t c = 0; c < nc; c++)
        got += y->cell_w[c];
    for (size_t p = 0; p < l->n; p++) {
        double v = f ? f->num[p] : l->area_m2[p] / cell_area;
        if (!isfinite(v) || v == 0.0)
            continue;
        double covered = 0.0;
        for (size_t k = cov->off[p]; k < cov->off[p + 1]; k++)
            covered += cov->frac[k] * cell_area;
        int inside = 1;
        for (size_t k = l->ring_start[p]; k < l->ring_start[p + 1]; k++)
            for (size_t q = l->ring_pt_start[k]; q < l->ring_pt_start[k + 1]; q++) {
                double x = l->ring_xy[2 * q], yy = l->ring_xy[2 * q + 1];
                inside &= x >= g->x0 && x <= gx1 && yy >= g->y0 && yy <= gy1;
            }
        /* a polygon reaching beyond the grid gives only the share inside it */
        want += inside || !(l->area_m2[p] > 0.0) ? v : v * covered / l->area_m2[p];
        if (inside && !(fabs(covered - l->area_m2[p]) <= 1e-6 * fmax(covered, l->area_m2[p]))) {
            if (++n_bad <= 5) {
                char one[96];
                snprintf(one, sizeof(one), "%lld (area %.6g m2, covered %.6g m2)",
                         (long long)l->fid[p], l->area_m2[p], covered);
                lb_list_append(ids, sizeof(ids), one);
            }
        }
    }
    y->weight_input = want + lost;
    y->weight_grid = got;
    if (fabs(got - want) <= 1e-9 * fmax(fabs(want), 1.0) && n_bad == 0)
        return;
    lb_log(ctx, LB_LOG_WARN,
           "weight layer '%s' ('%s'): the grid cells hold %.10g of '%s' but its polygons in the "
           "grid hold %.10g (difference %.6g); %zu polygon(s) whose area differs from their "
           "cells' coverage%s%s%s",
           l->name, l->path, got, m->weight_field ? m->weight_field : "area", want, got - want,
           n_bad, n_bad ? ": features " : "", ids, n_bad > 5 ? ", ..." : "");
}

/* Cell weights (inhabitants, dwellings or area share) and the scored cells of year @p y. */
static lb_status weights(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_model *m = r->model;
    size_t n = lb_grid_ncells(&r->grid);
    const lb_layer_cover *cov = NULL;
    lb_status st = lb_inputs_coverage(ctx, y->in, m->weight_layer, &r->grid, &cov);
    if (st != LB_OK)
        return year_error(ctx, r, y, st);
    y->cell_w = malloc((n ? n : 1) * sizeof(double));
    if (!y->cell_w)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory for a grid of %zu cells", n);
    size_t n_missing = 0;
    if (m->weight_field) {
        const lb_field *f = lb_vlayer_field(ctx, y->weight_layer, m->weight_field);
        st = lb_grid_extensive(ctx, y->weight_layer, cov, &r->grid, f, y->cell_w, &n_missing);
        if (st != LB_OK)
            return year_error(ctx, r, y, st);
    } else {
        for (size_t c = 0; c < n; c++)
            y->cell_w[c] = 0.0;
        for (size_t k = 0; k < cov->off[cov->n_poly]; k++)
            y->cell_w[cov->cell[k]] += cov->frac[k];
    }
    if (n_missing)
        lb_log(ctx, LB_LOG_WARN,
               "weight field '%s' of '%s' is missing in %zu feature(s); their cells are not "
               "scored",
               m->weight_field, y->weight_layer->path, n_missing);
    double lost = 0.0;
    st = weight_without_geometry(ctx, r, y, &lost);
    if (st != LB_OK)
        return year_error(ctx, r, y, st);
    y->weight_lost = lost;
    check_weight_total(ctx, r, y, cov, lost);
    for (size_t c = 0; c < n; c++)
        y->n_scored += (size_t)lb_weight_reaches(y->cell_w[c], m->min_weight);
    if (y->n_scored == 0)
        return year_error(ctx, r, y,
                          lb_error(ctx, LB_ERR_DATA,
                                   "no grid cell reaches min_weight %g of '%s' from '%s'; check "
                                   "the weight field",
                                   m->min_weight, m->weight_field ? m->weight_field : "area",
                                   y->weight_layer->path));
    y->cells = malloc(y->n_scored * sizeof(uint32_t));
    y->w = malloc(y->n_scored * sizeof(double));
    if (!y->cells || !y->w)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory for %zu scored cells", y->n_scored);
    size_t k = 0;
    for (size_t c = 0; c < n; c++)
        if (lb_weight_reaches(y->cell_w[c], m->min_weight)) {
            y->cells[k] = (uint32_t)c;
            y->w[k++] = y->cell_w[c];
        }
    return LB_OK;
}

/* Progress over the run: year t of n takes an equal share of 0.05 … 0.90. */
static lb_status year_progress(lb_ctx *ctx, const run *r, size_t t, double within,
                               const char *stage)
{
    return lb_progress(ctx, 0.05 + 0.85 * ((double)t + within) / (double)r->n_years, stage);
}

/* The id of unit @p u for a message: its cell id (grid: @p cells), its code, else its fid. */
static void unit_label(const run *r, const year_run *y, const uint32_t *cells, size_t u, char *buf,
                       size_t size)
{
    const lb_field *f = NULL;
    if (cells) {
        lb_grid_cell_id(&r->grid, cells[u], buf, size);
        return;
    }
    for (size_t k = 0; r->id_field && k < y->units->n_fields; k++)
        if (strcmp(y->units->fields[k].name, r->id_field) == 0)
            f = &y->units->fields[k];
    if (f && f->is_string && f->str[u])
        snprintf(buf, size, "%s", f->str[u]);
    else if (f && !f->is_string && !isnan(f->num[u]))
        snprintf(buf, size, "%.15g", f->num[u]);
    else
        snprintf(buf, size, "feature %lld", (long long)y->units->fid[u]);
}

/* The model's own missing values of indicator @p ind among the @p n raw values @p x: its
 * missing_codes, and values outside its valid range, become NaN (missing, then imputed or
 * dropped like any missing value). Out-of-range values get one warning naming the indicator,
 * its field, the count and the first units with their values. */
static void screen_indicator(lb_ctx *ctx, const run *r, const year_run *y, int area,
                             const lb_indicator *ind, double *x, size_t n)
{
    if (!ind->n_missing_codes && !ind->has_valid)
        return;
    size_t n_codes = 0, n_out = 0;
    char list[384] = "";
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k]))
            continue;
        int code = 0;
        for (size_t j = 0; j < ind->n_missing_codes && !code; j++)
            code = x[k] == ind->missing_codes[j];
        if (code) {
            x[k] = NAN;
            n_codes++;
            continue;
        }
        if (!ind->has_valid || (x[k] >= ind->valid_lo && x[k] <= ind->valid_hi))
            continue;
        if (n_out < 5) {
            char who[64], item[128];
            unit_label(r, y, area ? NULL : y->cells, k, who, sizeof(who));
            snprintf(item, sizeof(item), "%s = %.15g", who, x[k]);
            lb_list_append(list, sizeof(list), item);
        }
        x[k] = NAN;
        n_out++;
    }
    const char *field = ind->field ? ind->field : ind->numerator ? ind->numerator : ind->layer;
    if (n_codes)
        lb_log(ctx, LB_LOG_INFO,
               "indicator '%s' (field '%s' of '%s'): %zu value(s) are one of the model's "
               "missing_codes and count as missing",
               ind->id, field, ind->layer, n_codes);
    if (n_out)
        lb_log(ctx, LB_LOG_WARN,
               "indicator '%s' (field '%s' of '%s'): %zu value(s) outside valid [%g, %g] count as "
               "missing: %s%s",
               ind->id, field, ind->layer, n_out, ind->valid_lo, ind->valid_hi, list,
               n_out > 5 ? ", ..." : "");
}

/* After indicator @p i: free the rasters of its input when no later indicator reads it. */
static void release_after(const lb_model *m, size_t i, lb_inputs *in)
{
    const char *layer = m->ind[i].layer;
    if (!layer)
        return;
    for (size_t j = i + 1; j < m->n_ind; j++)
        if (m->ind[j].layer && strcmp(m->ind[j].layer, layer) == 0)
            return;
    lb_inputs_release_rasters(in, layer);
}

/* A raster indicator is missing only where no valid pixel lies under the cell, the unit or its
 * disc (all nodata, or off the raster). Say so once per indicator and year, with the count and
 * the first ids, as the points outside the extent are reported: otherwise such units are
 * imputed unnoticed. @p x holds the values of the @p n units (grid: the scored cells, @p cells;
 * area: every unit, @p scored marks those in the population). */
static lb_status warn_no_pixel(lb_ctx *ctx, const run *r, const year_run *y, size_t i,
                               const double *x, size_t n, const uint32_t *cells,
                               const unsigned char *scored)
{
    const lb_model *m = r->model;
    const lb_indicator *ind = &m->ind[i];
    int is_raster = ind->kind == LB_KIND_RASTER_MEAN;
    if (ind->kind == LB_KIND_SHARE_WITHIN) {
        lb_status st = lb_inputs_is_raster(ctx, y->in, ind->layer, &is_raster);
        if (st != LB_OK)
            return st;
    }
    if (!is_raster)
        return LB_OK;
    enum { SHOWN = 5 };
    size_t n_pop = 0, n_none = 0;
    char ids[200] = "";
    for (size_t u = 0; u < n; u++) {
        if (scored && !scored[u])
            continue;
        n_pop++;
        if (!isnan(x[u]))
            continue;
        if (n_none++ < SHOWN) {
            char one[64];
            unit_label(r, y, cells, u, one, sizeof(one));
            lb_list_append(ids, sizeof(ids), one);
        }
    }
    if (n_none == 0)
        return LB_OK;
    const lb_source *src = lb_inputs_source(ctx, y->in, ind->layer);
    char year[32] = "";
    if (r->n_years > 1 && y->year)
        snprintf(year, sizeof(year), " in %d", y->year);
    lb_log(ctx, LB_LOG_WARN,
           "indicator '%s' (model line %d)%s: %zu of %zu scored %s have no valid pixel of "
           "input '%s' ('%s' band %d): nodata or outside the raster (%s%s); the indicator is "
           "missing there and %s",
           ind->id, ind->line, year, n_none, n_pop, cells ? "cell(s)" : "unit(s)", ind->layer,
           src ? src->path : "?", ind->band, ids, n_none > SHOWN ? ", ..." : "",
           m->missing == LB_MISSING_DROP ? "they are dropped (missing: drop)"
                                         : "imputed with the reference mean (n_imputed, flags 1)");
    return LB_OK;
}

static lb_status indicators(lb_ctx *ctx, run *r, year_run *y, size_t t)
{
    const lb_model *m = r->model;
    y->x = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    if (!y->x)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->n_ind; i++) {
        y->x[i] = malloc(y->n_scored * sizeof(double));
        if (!y->x[i])
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        lb_status st = lb_indicator_eval_cells(ctx, &m->ind[i], y->in, &r->grid, y->cells,
                                               y->n_scored, y->cell_w, y->x[i]);
        if (st == LB_OK)
            st = warn_no_pixel(ctx, r, y, i, y->x[i], y->n_scored, y->cells, NULL);
        if (st != LB_OK)
            return year_error(ctx, r, y, st);
        screen_indicator(ctx, r, y, 0, &m->ind[i], y->x[i], y->n_scored);
        release_after(m, i, y->in);
        st = year_progress(ctx, r, t, 0.05 + 0.65 * (double)(i + 1) / (double)m->n_ind,
                           "indicators");
        if (st != LB_OK)
            return st;
    }
    free(y->cell_w);
    y->cell_w = NULL;
    return LB_OK;
}

static lb_status copy_reference(lb_ctx *ctx, const lb_reference *a, lb_reference *b)
{
    lb_status st = lb_reference_alloc(ctx, a->n_dims, a->n_ind, b);
    if (st != LB_OK)
        return st;
    b->ref = a->ref;
    b->year = a->year;
    memcpy(b->means, a->means, a->n_dims * sizeof(double));
    memcpy(b->ind_mean, a->ind_mean, a->n_ind * sizeof(double));
    memcpy(b->ind_sd, a->ind_sd, a->n_ind * sizeof(double));
    return LB_OK;
}

/* Score the year's cells against the fixed reference when there is one (else its own
 * population); in fixed mode the first year scored becomes the reference of the others. */
static lb_status model(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_model *m = r->model;
    unsigned char *all = malloc(y->n_scored);
    if (!all)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    memset(all, 1, y->n_scored);
    lb_status st = lb_score_units(ctx, m, y->n_scored, (const double *const *)y->x, y->w, all,
                                  r->have_fixed ? &r->fixed : NULL, &y->ref, &y->sc);
    free(all);
    if (st != LB_OK)
        return year_error(ctx, r, y, st);
    y->ref.year = r->have_fixed ? r->fixed.year : y->year;
    if (m->ref_mode == LB_REF_FIXED && !r->have_fixed) {
        st = copy_reference(ctx, &y->ref, &r->fixed);
        r->have_fixed = st == LB_OK;
    }
    return st;
}

/* A unit of the weight layer itself whose own weight is 0 (a buurt without inhabitants)
 * holds nobody: what it aggregates are slivers of its neighbours' cells, so it is not scored
 * (flag no weight), whatever those slivers add up to. Counted in a warning. */
static void unscore_empty_units(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_model *m = r->model;
    if (!m->weight_field || strcmp(r->units_name, m->weight_layer) != 0 || !y->units)
        return;
    const lb_field *f = lb_vlayer_field(ctx, y->units, m->weight_field);
    lb_unit_scores *u = &y->unit;
    size_t n = 0;
    for (size_t p = 0; f && p < u->s.n; p++) {
        if (!(f->num[p] == 0.0) || isnan(u->s.lbm[p]))
            continue;
        for (size_t d = 0; d < m->n_dims; d++)
            u->s.dev[d][p] = NAN;
        for (size_t i = 0; i < m->n_ind; i++)
            y->ux[i][p] = y->uc[i][p] = NAN;
        u->s.flags[p] |= LB_FLAG_NO_WEIGHT;
        n++;
    }
    if (!n)
        return;
    lb_scores_finish(m, y->ref.ref, &u->s);
    lb_log(ctx, LB_LOG_WARN,
           "%zu unit(s) of '%s' with %s 0 are not scored: the weight they catch comes only from "
           "slivers of their neighbours' cells",
           n, y->units->path, m->weight_field);
}

/* Grid mode: a water-only unit of the Wijk- en Buurtkaart (WATER = JA) is not scored either
 * (flag water, counted and warned as in area mode); its cells keep whatever their weight says.
 * Out of memory leaves the units as they are. */
static void unscore_water_units(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_model *m = r->model;
    lb_unit_scores *u = &y->unit;
    unsigned char *water = calloc(u->s.n ? u->s.n : 1, 1);
    if (!water || !y->units || y->units->n != u->s.n) {
        free(water);
        return;
    }
    y->n_water = water_units(y->units, water);
    for (size_t p = 0; y->n_water && p < u->s.n; p++) {
        if (!water[p])
            continue;
        for (size_t d = 0; d < m->n_dims; d++)
            u->s.dev[d][p] = NAN;
        for (size_t i = 0; i < m->n_ind; i++)
            y->ux[i][p] = y->uc[i][p] = NAN;
        u->s.flags[p] = LB_FLAG_WATER;
        u->s.n_imputed[p] = 0;
    }
    if (y->n_water) {
        lb_scores_finish(m, y->ref.ref, &u->s);
        warn_water(ctx, r, y->units, water, y->n_water);
    }
    free(water);
}

/* Units: the aggregated scores, and per indicator the weighted mean raw value (x_<id>) and
 * contribution (c_<id>) over the same cells and weights, so Σ_{i∈d} c_i − M_d = dev_d. */
static lb_status aggregate(lb_ctx *ctx, run *r, year_run *y)
{
    const lb_model *m = r->model;
    const lb_layer_cover *cov = NULL;
    lb_status st = lb_inputs_coverage(ctx, y->in, r->units_name, &r->grid, &cov);
    /* cell → compact row, so that each coverage entry finds its cell in O(1) */
    size_t ng = lb_grid_ncells(&r->grid);
    int32_t *row_of = st == LB_OK ? malloc((ng ? ng : 1) * sizeof(int32_t)) : NULL;
    if (st == LB_OK && !row_of)
        st = lb_error(ctx, LB_ERR_NOMEM, "out of memory for a grid of %zu cells", ng);
    for (size_t c = 0; st == LB_OK && c < ng; c++)
        row_of[c] = -1;
    for (size_t k = 0; st == LB_OK && k < y->n_scored; k++)
        row_of[y->cells[k]] = (int32_t)k;
    if (st == LB_OK)
        st = lb_aggregate(ctx, m, y->ref.ref, cov, row_of, &y->sc, y->w, &y->unit);
    if (st != LB_OK) {
        free(row_of);
        return year_error(ctx, r, y, st);
    }
    size_t nu = cov->n_poly ? cov->n_poly : 1;
    y->ux = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    y->uc = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    double *c = malloc(y->n_scored * sizeof(double));
    if (!y->ux || !y->uc || !c) {
        free(c);
        free(row_of);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->n_ind; i++) {
        y->ux[i] = malloc(nu * sizeof(double));
        y->uc[i] = malloc(nu * sizeof(double));
        if (!y->ux[i] || !y->uc[i]) {
            free(c);
            free(row_of);
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
        const lb_indicator *ind = &m->ind[i];
        for (size_t k = 0; k < y->n_scored; k++)
            c[k] = lb_contribution(ind, lb_transform_pre(&ind->tf, y->x[i][k]), y->ref.ind_mean[i],
                                   y->ref.ind_sd[i]);
        lb_aggregate_values(cov, row_of, &y->sc, y->w, y->x[i], y->ux[i]);
        lb_aggregate_values(cov, row_of, &y->sc, y->w, c, y->uc[i]);
    }
    free(c);
    free(row_of);
    unscore_empty_units(ctx, r, y);
    unscore_water_units(ctx, r, y);
    return LB_OK;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le_double(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof(v));
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* WKB polygon of a grid cell square (counter-clockwise). */
static unsigned char *cell_wkb(const lb_grid *g, size_t c, size_t *size)
{
    *size = 1 + 4 + 4 + 4 + 5 * 16;
    unsigned char *b = malloc(*size);
    if (!b)
        return NULL;
    double x, y, s = g->cell_m;
    lb_grid_cell_ll(g, c, &x, &y);
    const double xy[10] = {x, y, x + s, y, x + s, y + s, x, y + s, x, y};
    b[0] = 1;
    put_le32(b + 1, 3);
    put_le32(b + 5, 1);
    put_le32(b + 9, 5);
    for (int i = 0; i < 10; i++)
        put_le_double(b + 13 + 8 * i, xy[i]);
    return b;
}

/* Add the score columns shared by grid and unit tables (table row k is scores entry k). */
static lb_status add_score_columns(lb_ctx *ctx, const lb_model *m, lb_table *t, const lb_scores *s,
                                   int year)
{
    lb_column *c;
    lb_status st = lb_table_add(ctx, t, "year", LB_COL_INT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
        c->integer[k] = year ? year : LB_INT_NULL;
    const char *names[2] = {"lbm", "afw"};
    const double *vals[2] = {s->lbm, s->afw};
    for (int j = 0; j < 2 && st == LB_OK; j++) {
        st = lb_table_add(ctx, t, names[j], LB_COL_REAL, &c);
        if (st == LB_OK) {
            c->decimals = 6;
            memcpy(c->real, vals[j], t->n_rows * sizeof(double));
        }
    }
    for (size_t d = 0; d < m->n_dims && st == LB_OK; d++) {
        st = lb_table_add(ctx, t, m->dims[d].code, LB_COL_REAL, &c);
        if (st == LB_OK) {
            c->decimals = 6;
            memcpy(c->real, s->dev[d], t->n_rows * sizeof(double));
        }
    }
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "kscore", LB_COL_INT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
        c->integer[k] = s->kscore[k] ? s->kscore[k] : LB_INT_NULL;
    /* The class's name beside its number, for readers without the legend (spreadsheets). */
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "klasse", LB_COL_TEXT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++) {
        if (!s->kscore[k])
            continue;
        c->text[k] = lb_strdup(m->class_labels[s->kscore[k] - 1]);
        if (!c->text[k])
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    for (size_t d = 0; d < m->n_dims && st == LB_OK; d++) {
        char name[64];
        snprintf(name, sizeof(name), "k_%s", m->dims[d].code);
        st = lb_table_add(ctx, t, name, LB_COL_INT, &c);
        for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
            c->integer[k] = s->kdim[d][k] ? s->kdim[d][k] : LB_INT_NULL;
    }
    return st;
}

/* The scored cells as rows (cell id, scores, weight, flags), with their squares when
 * @p geometry (the grid layer; grid.csv goes without). */
static lb_status grid_table(lb_ctx *ctx, run *r, year_run *y, int geometry)
{
    size_t n = y->n_scored;
    lb_table *t = NULL;
    lb_column *id = NULL, *w = NULL, *ni = NULL, *fl = NULL;
    lb_status st = lb_table_create(ctx, n, &t);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "cell_id", LB_COL_TEXT, &id);
    if (st == LB_OK)
        st = add_score_columns(ctx, r->model, t, &y->sc, y->year);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "weight", LB_COL_REAL, &w);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "n_imputed", LB_COL_INT, &ni);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "flags", LB_COL_INT, &fl);
    for (size_t k = 0; st == LB_OK && k < n; k++) {
        size_t c = y->cells[k];
        char buf[48];
        lb_grid_cell_id(&r->grid, c, buf, sizeof(buf));
        id->text[k] = lb_strdup(buf);
        w->real[k] = y->w[k];
        ni->integer[k] = y->sc.n_imputed[k];
        fl->integer[k] = y->sc.flags[k];
        if (!id->text[k]) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        if (!geometry)
            continue;
        size_t sz;
        unsigned char *wkb = cell_wkb(&r->grid, c, &sz);
        st = wkb ? lb_table_set_geometry(ctx, t, k, wkb, sz)
                 : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    if (w)
        w->decimals = 3;
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    y->grid_t = t;
    return LB_OK;
}
/* Field @p name of @p l as text column @p out_name (NULL: the same name); nothing when the
 * layer has no such field. */
static lb_status copy_text_field(lb_ctx *ctx, lb_table *t, const lb_vlayer *l, const char *name,
                                 const char *out_name)
{
    const lb_field *f = NULL;
    for (size_t i = 0; name && i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            f = &l->fields[i];
    if (!f)
        return LB_OK;
    lb_column *c;
    lb_status st = lb_table_add(ctx, t, out_name ? out_name : name, LB_COL_TEXT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++) {
        char buf[64];
        const char *v = f->str ? f->str[k] : NULL;
        if (!f->str && !isnan(f->num[k])) {
            snprintf(buf, sizeof(buf), "%.15g", f->num[k]);
            v = buf;
        }
        c->text[k] = v ? lb_strdup(v) : NULL;
    }
    return st;
}

/* The units with code, name and parent codes, the scores @p s and weight @p w, the integer
 * columns @p ints, per indicator x_<id> (@p ux) and c_<id> (@p uc), and the polygons. */
static lb_status units_table(lb_ctx *ctx, run *r, year_run *y, const lb_scores *s, const double *w,
                             size_t n_ints, const char *const *ints, const int *const *ivals,
                             double *const *ux, double *const *uc)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->units;
    lb_table *t = NULL;
    lb_column *c = NULL;
    lb_status st = lb_table_create(ctx, l->n, &t);
    /* CBS codes go out under the names of our outputs (BU_CODE, WK_CODE, GM_CODE) whichever
     * Wijk- en Buurtkaart schema came in, so that change, diagnose and waterbed read both. */
    lb_code_level id_level = lb_code_field_level(r->id_field);
    if (st == LB_OK)
        st = copy_text_field(ctx, t, l, r->id_field, lb_code_level_name(id_level));
    const char *name =
        find_field(l, name_candidates, sizeof(name_candidates) / sizeof(name_candidates[0]));
    if (st == LB_OK && name && strcmp(name, r->id_field) != 0)
        st = copy_text_field(ctx, t, l, name, NULL);
    const lb_code_level parents[] = {LB_CODE_WIJK, LB_CODE_GEMEENTE};
    for (size_t i = 0; i < 2 && st == LB_OK; i++) {
        const char *pf = code_field(l, parents[i]);
        if (pf && strcmp(pf, r->id_field) != 0 && id_level != parents[i])
            st = copy_text_field(ctx, t, l, pf, lb_code_level_name(parents[i]));
    }
    if (st == LB_OK)
        st = add_score_columns(ctx, m, t, s, y->year);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "weight", LB_COL_REAL, &c);
    if (st == LB_OK) {
        c->decimals = 2;
        memcpy(c->real, w, l->n * sizeof(double));
    }
    for (size_t j = 0; j < n_ints && st == LB_OK; j++) {
        st = lb_table_add(ctx, t, ints[j], LB_COL_INT, &c);
        for (size_t k = 0; st == LB_OK && k < l->n; k++)
            c->integer[k] = ivals[j][k];
    }
    for (size_t i = 0; i < m->n_ind && st == LB_OK; i++)
        for (int j = 0; j < 2 && st == LB_OK; j++) {
            char cname[128];
            snprintf(cname, sizeof(cname), "%s_%s", j ? "c" : "x", m->ind[i].id);
            st = lb_table_add(ctx, t, cname, LB_COL_REAL, &c);
            if (st == LB_OK) {
                c->decimals = 6;
                memcpy(c->real, j ? uc[i] : ux[i], l->n * sizeof(double));
            }
        }
    for (size_t k = 0; st == LB_OK && k < l->n; k++) {
        unsigned char *wkb = malloc(l->wkb_size[k]);
        if (!wkb) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(wkb, l->wkb[k], l->wkb_size[k]);
        st = lb_table_set_geometry(ctx, t, k, wkb, l->wkb_size[k]);
    }
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    y->units_t = t;
    return LB_OK;
}

/* Band b of a year's score COG: lbm (b = 0) or a dimension, expanded from the compact cells
 * to the whole grid (NaN elsewhere). */
typedef struct band_src {
    const year_run *y;
    size_t n;
} band_src;

static lb_status fill_band(void *user, size_t b, float *out)
{
    const band_src *bs = user;
    const year_run *y = bs->y;
    const double *v = b == 0 ? y->sc.lbm : y->sc.dev[b - 1];
    for (size_t c = 0; c < bs->n; c++)
        out[c] = NAN;
    for (size_t k = 0; k < y->n_scored; k++)
        out[y->cells[k]] = (float)v[k];
    return LB_OK;
}

/* REF, M_d, year and model inside the TIFFs: NAME=VALUE items, NULL-terminated (caller frees
 * the items and the array); NULL when out of memory. */
static char **raster_metadata(const lb_model *m, const year_run *y)
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
static lb_status write_rasters(lb_ctx *ctx, run *r, year_run *y)
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

static void year_counts(run *r, year_run *y)
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
    (void)r;
}

/* Score year t of the run and make its rows and rasters; frees its heavy arrays afterwards. */
static lb_status score_year(lb_ctx *ctx, run *r, size_t t)
{
    year_run *y = &r->yr[t];
    if (!r->single)
        lb_log(ctx, LB_LOG_INFO, "scoring %d", y->year);
    y->t_stage = now_s();
    lb_status st = weights(ctx, r, y);
    if (st == LB_OK) {
        year_stage(r, y, "grid_weights");
        st = indicators(ctx, r, y, t);
    }
    if (st == LB_OK) {
        year_stage(r, y, "indicators");
        st = model(ctx, r, y);
    }
    if (st == LB_OK)
        year_stage(r, y, "model");
    if (st == LB_OK && y->units) {
        st = aggregate(ctx, r, y);
        if (st == LB_OK)
            year_stage(r, y, "aggregate");
    }
    if (st == LB_OK)
        st = year_progress(ctx, r, t, 0.8, "writing");
    unsigned want = outputs_of(r->o);
    if (st == LB_OK && ((want & LB_OUT_GRID) || (!y->units && (want & LB_OUT_CSV))))
        st = grid_table(ctx, r, y, (want & LB_OUT_GRID) != 0);
    if (st == LB_OK && y->units && (want & UNITS_OUTPUTS)) {
        const char *const ints[] = {"n_cells", "n_imputed", "flags"};
        const int *const vals[] = {y->unit.n_cells, y->unit.n_imputed_cells, y->unit.s.flags};
        st = units_table(ctx, r, y, &y->unit.s, y->unit.weight, 3, ints, vals, y->ux, y->uc);
    }
    if (st == LB_OK && (want & LB_OUT_TIF))
        st = write_rasters(ctx, r, y);
    if (st == LB_OK) {
        year_counts(r, y);
        year_stage(r, y, "write");
    }
    year_free_arrays(y, r->model->n_ind);
    /* The year's inputs (layers, indices, coverages) are no longer needed. */
    lb_inputs_destroy(y->in);
    y->in = NULL;
    y->units = y->weight_layer = NULL; /* they lived in the inputs cache */
    return st;
}

/* One table of all years' rows (the years' tables share their columns, or a column missing in
 * a year is NULL there). Moves cells and geometries out of @p parts, column by column. */
static lb_status concat_tables(lb_ctx *ctx, lb_table **parts, size_t n, lb_table **out)
{
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += parts[i]->n_rows;
    lb_table *t = NULL;
    lb_status st = lb_table_create(ctx, rows, &t);
    for (size_t i = 0; i < n && st == LB_OK; i++)
        for (size_t j = 0; j < parts[i]->n_cols && st == LB_OK; j++) {
            const lb_column *pc = &parts[i]->cols[j];
            lb_column *c = lb_table_col(t, pc->name);
            if (c)
                continue;
            st = lb_table_add(ctx, t, pc->name, pc->type, &c);
            if (st == LB_OK)
                c->decimals = pc->decimals;
        }
    for (size_t j = 0; j < (st == LB_OK ? t->n_cols : 0); j++) {
        lb_column *c = &t->cols[j];
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            lb_column *pc = lb_table_col(parts[i], c->name);
            size_t m = parts[i]->n_rows;
            if (pc && c->type == LB_COL_REAL)
                memcpy(c->real + at, pc->real, m * sizeof(double));
            else if (pc && c->type == LB_COL_INT)
                memcpy(c->integer + at, pc->integer, m * sizeof(int64_t));
            else if (pc)
                for (size_t k = 0; k < m; k++) {
                    c->text[at + k] = pc->text[k];
                    pc->text[k] = NULL;
                }
            at += m;
        }
    }
    for (size_t i = 0, at = 0; i < n && st == LB_OK; i++) {
        for (size_t k = 0; parts[i]->wkb && k < parts[i]->n_rows && st == LB_OK; k++) {
            st = lb_table_set_geometry(ctx, t, at + k, parts[i]->wkb[k], parts[i]->wkb_size[k]);
            parts[i]->wkb[k] = NULL;
        }
        at += parts[i]->n_rows;
    }
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    *out = t;
    return LB_OK;
}

/* Write @p t as @p file. The GeoPackage keeps full precision (change, diagnose and waterbed
 * read it back and recombine the numbers); GeoJSON and CSV are rounded for people. */
static lb_status write_table(lb_ctx *ctx, run *r, lb_table *t, const char *file,
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

static struct json_object *inputs_json(lb_ctx *ctx, const run *r)
{
    /* The fingerprints first, on the run's threads: at national scale the inputs are hundreds
     * of MB. A file that cannot be read gets none (it was read before, so this is rare). */
    size_t n = r->o->n_inputs;
    char(*hex)[65] = calloc(n ? n : 1, sizeof(*hex));
    if (hex) {
        ptrdiff_t ni = (ptrdiff_t)n;
#pragma omp parallel for schedule(dynamic, 1) num_threads(lb_ctx_threads(ctx))
        for (ptrdiff_t i = 0; i < ni; i++) {
            struct stat sb;
            const char *path = r->o->inputs[i].path;
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
                lb_sha256_file(NULL, path, hex[i]) != LB_OK)
                hex[i][0] = '\0';
        }
    }
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
    free(hex);
    return arr;
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
        json_object_array_add(inds, o);
    }
    json_object_object_add(mj, "indicators", inds);
    return mj;
}

static struct json_object *run_json(lb_ctx *ctx, const run *r)
{
    const lb_score_options *o = r->o;
    const lb_model *m = r->model;
    struct json_object *doc = json_object_new_object();
    json_object_object_add(doc, "tool", json_object_new_string("leefbaar"));
    json_object_object_add(doc, "version", json_object_new_string(lb_version()));
    json_object_object_add(doc, "command",
                           o->command_line ? json_object_new_string(o->command_line) : NULL);
    json_object_object_add(doc, "libraries", lb_run_libraries_json(lb_geos_version()));
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
    json_object_object_add(opt, "mode",
                           json_object_new_string(o->mode == LB_MODE_AREA ? "area" : "grid"));
    json_object_object_add(opt, "units", json_object_new_string(r->units_name));
    /* id_field is the id column of the outputs (readers of the run look for it); CBS codes go
     * out as BU_CODE/WK_CODE/GM_CODE, so the units' own field name is recorded beside it */
    const char *out_id = lb_code_level_name(lb_code_field_level(r->id_field));
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
    json_object_object_add(doc, "inputs", inputs_json(ctx, r));
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
    json_object_object_add(doc, "reference", lb_reference_to_json(m, &r->yr[0].ref));
    struct json_object *years = json_object_new_array();
    for (size_t j = 0; ys && order && j < r->n_years; j++) {
        const year_run *y = &r->yr[order[j]];
        struct json_object *yo = json_object_new_object();
        json_object_object_add(yo, "year", y->year ? json_object_new_int(y->year) : NULL);
        json_object_object_add(yo, "counts", json_object_get(y->counts));
        json_object_object_add(yo, "reference", lb_reference_to_json(m, &y->ref));
        json_object_object_add(yo, "timings_s", json_object_get(y->timings));
        json_object_array_add(years, yo);
    }
    json_object_object_add(doc, "years", years);
    json_object_object_add(doc, "timings_s", json_object_get(r->timings));
    if (r->peak_mb)
        json_object_object_add(doc, "peak_rss_mb", json_object_get(r->peak_mb));
    json_object_object_add(doc, "warnings", lb_run_warnings_json(ctx));
    json_object_object_add(doc, "outputs", json_object_get(r->outputs));
    free(ys);
    free(order);
    return doc;
}

/* The tables of all years into scores.gpkg, <units>.geojson and <units>.csv; then run.json,
 * and the directory appears. */
/* The class legend every vector layer opens with in QGIS: categorized on kscore. */
static lb_class_table model_classes(const lb_model *m)
{
    return (lb_class_table){LB_N_CLASSES, (const char *const *)m->class_labels,
                            (const char *const *)m->class_colours, m->thresholds, NULL};
}

/* Layer @p layer of scores.gpkg opens styled in QGIS (layer_styles). */
static lb_status style_layer(lb_ctx *ctx, run *r, const char *layer, int outline)
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
static lb_status write_units(lb_ctx *ctx, run *r, lb_table *ut, int styled)
{
    unsigned want = outputs_of(r->o);
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

/* run.json's options gain what shaped the rasters: -of, -co, --preview. */
static void record_raster_options(const run *r, struct json_object *doc)
{
    struct json_object *opt = NULL;
    if (!json_object_object_get_ex(doc, "options", &opt))
        return;
    struct json_object *co = json_object_new_array();
    for (size_t i = 0; r->o->creation_options && r->o->creation_options[i]; i++)
        json_object_array_add(co, json_object_new_string(r->o->creation_options[i]));
    json_object_object_add(
        opt, "raster_format",
        json_object_new_string(r->o->raster_format ? r->o->raster_format : "COG"));
    json_object_object_add(opt, "creation_options", co);
    json_object_object_add(opt, "preview", json_object_new_boolean(r->o->preview));
}

/* run.json, then the directory appears; @p amend (may be NULL) adjusts the document first. */
static lb_status write_run_json(lb_ctx *ctx, run *r,
                                void (*amend)(const run *r, struct json_object *doc))
{
    lb_status st = lb_progress(ctx, 0.95, "writing");
    if (st != LB_OK)
        return st;
    stage_done(r, "write");
    json_object_array_add(r->outputs, json_object_new_string("run.json"));
    struct json_object *doc = run_json(ctx, r);
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
static lb_status write_all(lb_ctx *ctx, run *r)
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
    unsigned want = outputs_of(r->o);
    int grid_csv = !r->yr[0].units_t && (want & LB_OUT_CSV); /* --units grid: the cells' CSV */
    if (st == LB_OK && ((want & LB_OUT_GRID) || grid_csv))
        st = concat_tables(ctx, parts, r->n_years, &gt);
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
        st = concat_tables(ctx, parts, r->n_years, &ut);
        if (st == LB_OK)
            st = write_units(ctx, r, ut, 1);
    }
    lb_table_destroy(ut);
    free(parts);
    free(order);
    if (st == LB_OK) {
        if (want & (LB_OUT_GRID | (r->yr[0].units_t ? LB_OUT_GPKG : 0)))
            json_object_array_add(r->outputs, json_object_new_string("scores.gpkg"));
        st = write_run_json(ctx, r, record_raster_options);
    }
    return st;
}

static lb_status score_area(lb_ctx *ctx, const lb_score_options *o);

/* Rasters are read over the box (x0, y0, x1, y1) the run scores, grown by the largest radius of
 * the model's indicators (a disc or a grown unit reaches that far) and a metre for rounding. */
static void set_raster_window(run *r, double x0, double y0, double x1, double y1)
{
    double margin = 0.0;
    for (size_t i = 0; i < r->model->n_ind; i++)
        if (isfinite(r->model->ind[i].radius_m))
            margin = fmax(margin, r->model->ind[i].radius_m);
    margin += 1.0;
    const double win[4] = {x0 - margin, y0 - margin, x1 + margin, y1 + margin};
    for (size_t t = 0; t < r->n_years; t++)
        if (r->yr[t].in)
            lb_inputs_set_window(r->yr[t].in, win);
}

/* The output directory, checked against every input of the run (no output may replace one). */
static lb_status open_outdir(lb_ctx *ctx, run *r)
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

lb_status lb_score_run(lb_ctx *ctx, const lb_score_options *o)
{
    lb_ctx_warnings_reset(ctx);
    if (!o || !o->model_path || !o->outdir)
        return lb_error(ctx, LB_ERR_ARG,
                        "score: a model file and an output directory are "
                        "required");
    if (o->csv_sep && o->csv_sep != ',' && o->csv_sep != ';')
        return lb_error(ctx, LB_ERR_ARG, "score: the CSV separator must be ',' or ';'");
    if (o->n_years && !o->years)
        return lb_error(ctx, LB_ERR_ARG, "score: n_years is %zu but years is NULL", o->n_years);
    lb_status st0 = outputs_check(ctx, o);
    if (st0 != LB_OK)
        return st0;
    if (o->mode == LB_MODE_AREA)
        return score_area(ctx, o);
    if (o->n_joins)
        return lb_error(ctx, LB_ERR_ARG,
                        "score: attribute tables are joined to the units in area mode only; "
                        "add --mode area (or join the table to the polygons first, e.g. with "
                        "ogr2ogr -sql ... LEFT JOIN)");
    /* a bad -of or -co fails before any work */
    const lb_raster_opts ro = {o->raster_format, o->creation_options, NULL};
    lb_status st = lb_raster_opts_check(ctx, &ro);
    if (st != LB_OK)
        return st;
    run r = {.o = o,
             .timings = json_object_new_object(),
             .outputs = json_object_new_array(),
             .t_stage = now_s()};
    st = lb_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = prepare(ctx, &r);
    if (st == LB_OK) {
        set_raster_window(&r, r.grid.x0, r.grid.y0, r.grid.x0 + r.grid.nx * r.grid.cell_m,
                          r.grid.y0 + r.grid.ny * r.grid.cell_m);
        stage_done(&r, "read");
        st = open_outdir(ctx, &r);
    }
    for (size_t t = 0; st == LB_OK && t < r.n_years; t++)
        st = score_year(ctx, &r, t);
    if (st == LB_OK)
        st = write_all(ctx, &r);
    if (st == LB_OK)
        st = lb_progress(ctx, 1.0, "done");
    lb_outdir_abort(&r.out);
    run_free(&r);
    return st;
}

/* ---- Area mode -----------------------------------------------------------------------------
 * Every polygon of the units is scored from its own indicators (src/indicators/polygons.c),
 * without a grid, with the same model arithmetic; one year; written as scores.gpkg layer
 * <units>, <units>.geojson, <units>.csv and run.json. The year's compact arrays hold one
 * entry per unit: w (weights), x (indicators), sc (scores). */

static lb_status area_prepare(lb_ctx *ctx, run *r, lb_area **area)
{
    const lb_score_options *o = r->o;
    if (o->n_years > 1)
        return lb_error(ctx, LB_ERR_ARG,
                        "area mode scores one year per run; run it once per year (got %zu "
                        "years)",
                        o->n_years);
    lb_status st = start_run(ctx, r);
    if (st != LB_OK)
        return st;
    year_run *y = &r->yr[0];
    y->timings = json_object_new_object();
    y->t_stage = now_s();
    st = bind_year(ctx, r, y);
    if (st == LB_OK)
        st = load_units(ctx, r, y);
    if (st == LB_OK && !y->units)
        return lb_error(ctx, LB_ERR_ARG,
                        "area mode scores polygons: --units must name a polygon input, not "
                        "'grid'");
    if (st == LB_OK)
        st = lb_area_create(ctx, y->in, r->units_name, y->units, r->model->cell_m, area);
    for (size_t i = 0; st == LB_OK && i < o->n_joins; i++) {
        const lb_join_spec *j = &o->joins[i];
        if (!j->input || !j->key)
            return lb_error(ctx, LB_ERR_ARG, "--join wants NAME=KEY[:UNITS_KEY]");
        if (strcmp(j->input, r->units_name) == 0)
            return lb_error(ctx, LB_ERR_ARG,
                            "--join %s: '%s' is the units layer itself; its attributes are used "
                            "as they are",
                            j->input, j->input);
        if (lb_area_is_joined(*area, j->input))
            return lb_error(ctx, LB_ERR_ARG, "--join %s is given twice", j->input);
        size_t k = 0;
        while (k < y->n_src && strcmp(y->src[k].name, j->input) != 0)
            k++;
        if (k == y->n_src)
            return lb_error(ctx, LB_ERR_ARG,
                            "--join %s=%s: no input '%s' is bound; add --input %s=TABLE.dbf|csv",
                            j->input, j->key, j->input, j->input);
        st = lb_area_join(ctx, *area, j->input, j->key, j->units_key);
    }
    if (st == LB_OK)
        st = load_reference(ctx, r);
    return st;
}

static lb_status area_score(lb_ctx *ctx, run *r, lb_area *a)
{
    const lb_model *m = r->model;
    year_run *y = &r->yr[0];
    size_t n = y->units->n;
    unsigned char *scored = calloc(n ? n : 1, 1);
    y->w = malloc((n ? n : 1) * sizeof(double));
    y->x = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    if (!scored || !y->w || !y->x) {
        free(scored);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    size_t n_missing = 0;
    lb_status st = lb_area_weights(ctx, a, m, y->w, &n_missing);
    if (st == LB_OK && n_missing)
        lb_log(ctx, LB_LOG_WARN,
               "weight field '%s' of '%s' is missing for %zu unit(s); they are not scored",
               m->weight_field, m->weight_layer, n_missing);
    unsigned char *water = calloc(n ? n : 1, 1);
    if (!water) {
        free(scored);
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    y->n_water = water_units(y->units, water);
    warn_water(ctx, r, y->units, water, y->n_water);
    for (size_t u = 0; st == LB_OK && u < n; u++) {
        scored[u] = (unsigned char)(!water[u] && lb_weight_reaches(y->w[u], m->min_weight));
        y->n_scored += scored[u];
    }
    if (st == LB_OK && y->n_scored == 0)
        st = lb_error(ctx, LB_ERR_DATA,
                      "no unit of '%s' reaches min_weight %g of '%s'; check the weight field",
                      y->units->path, m->min_weight, m->weight_field ? m->weight_field : "area");
    if (st == LB_OK)
        year_stage(r, y, "weights");
    for (size_t i = 0; st == LB_OK && i < m->n_ind; i++) {
        y->x[i] = malloc((n ? n : 1) * sizeof(double));
        if (!y->x[i])
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        if (st == LB_OK)
            st = lb_indicator_eval_polygons(ctx, &m->ind[i], a, y->x[i]);
        if (st == LB_OK)
            st = warn_no_pixel(ctx, r, y, i, y->x[i], n, NULL, scored);
        if (st == LB_OK)
            screen_indicator(ctx, r, y, 1, &m->ind[i], y->x[i], n);
        if (st == LB_OK)
            release_after(m, i, y->in);
        if (st == LB_OK)
            st = lb_progress(ctx, 0.1 + 0.7 * (double)(i + 1) / (double)m->n_ind, "indicators");
    }
    if (st == LB_OK) {
        year_stage(r, y, "indicators");
        st = lb_score_units(ctx, m, n, (const double *const *)y->x, y->w, scored,
                            r->have_fixed ? &r->fixed : NULL, &y->ref, &y->sc);
    }
    for (size_t u = 0; st == LB_OK && u < n; u++)
        if (water[u])
            y->sc.flags[u] = LB_FLAG_WATER;
    free(scored);
    free(water);
    if (st != LB_OK)
        return st;
    y->ref.year = r->have_fixed ? r->fixed.year : y->year;
    year_stage(r, y, "model");
    /* x_<id> is the unit's own value; c_<id> its contribution. */
    y->ux = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    y->uc = calloc(m->n_ind ? m->n_ind : 1, sizeof(double *));
    if (!y->ux || !y->uc)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->n_ind; i++) {
        const lb_indicator *ind = &m->ind[i];
        y->ux[i] = malloc((n ? n : 1) * sizeof(double));
        y->uc[i] = malloc((n ? n : 1) * sizeof(double));
        if (!y->ux[i] || !y->uc[i])
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        for (size_t u = 0; u < n; u++) {
            y->ux[i][u] = y->x[i][u];
            y->uc[i][u] = isnan(y->sc.lbm[u])
                              ? NAN
                              : lb_contribution(ind, lb_transform_pre(&ind->tf, y->x[i][u]),
                                                y->ref.ind_mean[i], y->ref.ind_sd[i]);
        }
    }
    return LB_OK;
}

/* run.json of an area run: no grid, counts of units instead of cells, the joins. */
static void area_amend(const run *r, struct json_object *doc)
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

static lb_status area_write(lb_ctx *ctx, run *r)
{
    year_run *y = &r->yr[0];
    lb_status st = open_outdir(ctx, r);
    const char *const ints[] = {"n_imputed", "flags"};
    const int *const vals[] = {y->sc.n_imputed, y->sc.flags};
    if (st == LB_OK)
        st = units_table(ctx, r, y, &y->sc, y->w, 2, ints, vals, y->ux, y->uc);
    if (st == LB_OK)
        st = write_units(ctx, r, y->units_t, 0);
    if (st == LB_OK) {
        if (outputs_of(r->o) & LB_OUT_GPKG)
            json_object_array_add(r->outputs, json_object_new_string("scores.gpkg"));
        st = write_run_json(ctx, r, area_amend);
    }
    return st;
}

static lb_status score_area(lb_ctx *ctx, const lb_score_options *o)
{
    run r = {.o = o,
             .timings = json_object_new_object(),
             .outputs = json_object_new_array(),
             .t_stage = now_s()};
    lb_area *a = NULL;
    lb_status st = lb_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = area_prepare(ctx, &r, &a);
    if (st == LB_OK) {
        const lb_vlayer *u = r.yr[0].units;
        set_raster_window(&r, u->xmin, u->ymin, u->xmax, u->ymax);
        stage_done(&r, "read");
        r.yr[0].t_stage = r.t_stage; /* the year's stages start after the read */
        st = area_score(ctx, &r, a);
    }
    if (st == LB_OK)
        st = area_write(ctx, &r);
    if (st == LB_OK)
        st = lb_progress(ctx, 1.0, "done");
    lb_outdir_abort(&r.out);
    lb_area_destroy(a); /* borrows the inputs that run_free() releases */
    run_free(&r);
    return st;
}
