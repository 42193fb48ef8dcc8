/* SPDX-License-Identifier: MIT */
/* Score options: their defaults, the --outputs list, the checks made before any work, and the
 * struct filled from the public option set (lb_opts) with every value parsed here. */
#include "run.h"

#include "../core/ctx.h"
#include "../io/write.h"

#include "../api/opts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void lb_score_options_init(lb_score_options *o)
{
    memset(o, 0, sizeof(*o));
    o->csv_sep = ',';
}

unsigned lb_score_options_outputs_of(int area, unsigned outputs)
{
    if (outputs)
        return outputs;
    return area ? LB_SCORE_UNITS_OUTPUTS : LB_OUT_ALL;
}

unsigned lb_score_options_outputs(const lb_score_options *o)
{
    return lb_score_options_outputs_of(o->mode == LB_MODE_AREA, o->outputs);
}

/* The outputs' choice @p w checked against the mode and --preview. */
static lb_status outputs_check(lb_ctx *ctx, int area, unsigned w, int preview)
{
    if (w & ~(unsigned)LB_OUT_ALL)
        return lb_ctx_error(ctx, LB_ERR_ARG, "outputs: unknown bits 0x%x",
                            w & ~(unsigned)LB_OUT_ALL);
    if (area && (w & (LB_OUT_GRID | LB_OUT_TIF)))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "outputs: area mode scores polygons and writes no grid layer and no "
                            "rasters; leave grid and tif out of --outputs");
    if (preview && !(w & LB_OUT_TIF))
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "--preview draws the class raster: add tif to --outputs (or drop "
                            "--preview)");
    return LB_OK;
}

static lb_status csv_sep_check(lb_ctx *ctx, char sep)
{
    if (sep && sep != ',' && sep != ';')
        return lb_ctx_error(ctx, LB_ERR_ARG, "score: the CSV separator must be ',' or ';'");
    return LB_OK;
}

lb_status lb_score_options_check(lb_ctx *ctx, const lb_score_options *o)
{
    if (!o || !o->model_path)
        return lb_ctx_error(ctx, LB_ERR_ARG, "score: a model file is required");
    lb_status st = csv_sep_check(ctx, o->csv_sep);
    if (st != LB_OK)
        return st;
    if (o->n_years && !o->years)
        return lb_ctx_error(ctx, LB_ERR_ARG, "score: n_years is %zu but years is NULL", o->n_years);
    int area = o->mode == LB_MODE_AREA;
    st = outputs_check(ctx, area, lb_score_options_outputs(o), o->preview);
    if (st != LB_OK || area)
        return st;
    if (o->n_joins)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "score: attribute tables are joined to the units in area mode only; "
                            "add --mode area (or join the table to the polygons first, e.g. with "
                            "ogr2ogr -sql ... LEFT JOIN)");
    /* a bad -of or -co fails before any work */
    const lb_raster_opts ro = {o->raster_format, o->creation_options, NULL};
    return lb_raster_opts_check(ctx, &ro);
}

lb_status lb_score_options_check_write(lb_ctx *ctx, int area, const lb_write_opts *w)
{
    lb_status st = csv_sep_check(ctx, w->csv_sep);
    if (st == LB_OK)
        st = outputs_check(ctx, area, lb_score_options_outputs_of(area, w->outputs), w->preview);
    if (st != LB_OK || area)
        return st;
    const lb_raster_opts ro = {w->raster_format, w->creation_options, NULL};
    return lb_raster_opts_check(ctx, &ro);
}

/* ---- from the public option set ------------------------------------------------------------ */

/* A writable copy of @p text kept in @p hold; NULL when out of memory. */
static char *hold_copy(lb_score_hold *hold, const char *text)
{
    char *c = lb_core_strdup(text);
    if (!c)
        return NULL;
    hold->bufs[hold->n_bufs++] = c;
    return c;
}

/* NAME[@YEAR]=PATH[:LAYER]: the layer is split off at the last ':' unless PATH names a file
 * (a Windows drive or a path with ':' stays whole); NAME@YEAR goes on as it is. */
static int split_input(char *arg, lb_input_spec *spec)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return 0;
    *eq = '\0';
    spec->name = arg;
    spec->path = eq + 1;
    spec->layer = NULL;
    struct stat sb;
    char *colon = strrchr(eq + 1, ':');
    if (colon && stat(eq + 1, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        spec->layer = colon + 1;
    }
    return 1;
}

/* NAME=EXPRESSION */
static int split_where(char *arg, lb_where_spec *w)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return 0;
    *eq = '\0';
    w->input = arg;
    w->where = eq + 1;
    return 1;
}

/* NAME=KEY[:UNITS_KEY] */
static int split_join(char *arg, lb_join_spec *j)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return 0;
    *eq = '\0';
    j->input = arg;
    j->key = eq + 1;
    j->units_key = NULL;
    char *colon = strchr(eq + 1, ':');
    if (colon) {
        *colon = '\0';
        j->units_key = colon + 1;
        if (!colon[1] || colon == eq + 1)
            return 0;
    }
    return 1;
}

/* The years of "year" (each a year) and "years" (lists), in the order of the keys. */
static lb_status collect_years(lb_ctx *ctx, const lb_opts *opts, lb_score_options *o,
                               lb_score_hold *hold)
{
    size_t n_year = 0, n_lists = 0, cap = 0;
    const char *const *year = lb_opts_get_list(opts, "year", &n_year);
    const char *const *lists = lb_opts_get_list(opts, "years", &n_lists);
    cap = n_year;
    for (size_t i = 0; i < n_lists; i++)
        cap += lb_opts_count_items(lists[i]);
    hold->years = malloc((cap ? cap : 1) * sizeof(int));
    if (!hold->years)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < n_year; i++) {
        hold->years[n++] = (int)strtol(year[i], NULL, 10); /* checked by lb_opts_set */
    }
    for (size_t i = 0; i < n_lists; i++) {
        size_t got = 0;
        if (!lb_opts_parse_ints(lists[i], hold->years + n, cap - n, &got))
            return lb_ctx_error(ctx, LB_ERR_ARG, "--years wants years like 2020,2022, got '%s'",
                                lists[i]);
        n += got;
    }
    if (n == 1) {
        o->year = hold->years[0];
    } else {
        o->years = hold->years;
        o->n_years = n;
    }
    return LB_OK;
}

lb_status lb_score_options_from(lb_ctx *ctx, const lb_opts *opts, lb_score_options *o,
                                lb_score_hold *hold)
{
    memset(hold, 0, sizeof(*hold));
    lb_score_options_init(o);
    size_t n_in = 0, n_where = 0, n_join = 0, n_co = 0;
    const char *const *in = lb_opts_get_list(opts, "input", &n_in);
    const char *const *where = lb_opts_get_list(opts, "where", &n_where);
    const char *const *join = lb_opts_get_list(opts, "join", &n_join);
    hold->inputs = calloc(n_in ? n_in : 1, sizeof(*hold->inputs));
    hold->wheres = calloc(n_where ? n_where : 1, sizeof(*hold->wheres));
    hold->joins = calloc(n_join ? n_join : 1, sizeof(*hold->joins));
    hold->bufs = calloc(n_in + n_where + n_join + 1, sizeof(char *));
    if (!hold->inputs || !hold->wheres || !hold->joins || !hold->bufs)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n_in; i++) {
        char *c = hold_copy(hold, in[i]);
        if (!c)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        if (!split_input(c, &hold->inputs[i]))
            return lb_ctx_error(ctx, LB_ERR_ARG, "--input wants NAME=PATH[:LAYER], got '%s'",
                                in[i]);
    }
    for (size_t i = 0; i < n_where; i++) {
        char *c = hold_copy(hold, where[i]);
        if (!c)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        if (!split_where(c, &hold->wheres[i]))
            return lb_ctx_error(ctx, LB_ERR_ARG, "--where wants NAME=EXPRESSION, got '%s'",
                                where[i]);
    }
    for (size_t i = 0; i < n_join; i++) {
        char *c = hold_copy(hold, join[i]);
        if (!c)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        if (!split_join(c, &hold->joins[i]))
            return lb_ctx_error(ctx, LB_ERR_ARG, "--join wants NAME=KEY[:UNITS_KEY], got '%s'",
                                join[i]);
    }
    lb_status st = collect_years(ctx, opts, o, hold);
    if (st != LB_OK)
        return st;
    const char *outputs = lb_opts_get_str(opts, "outputs");
    if (outputs && (st = lb_result_outputs_parse(ctx, outputs, &o->outputs)) != LB_OK)
        return st;
    const char *mode = lb_opts_get_str(opts, "mode"), *sep = lb_opts_get_str(opts, "csv-sep");
    const char *crs = lb_opts_get_str(opts, "geojson-crs");
    const char *const *co = lb_opts_get_list(opts, "co", &n_co);
    o->model_path = lb_opts_get_str(opts, "model");
    o->inputs = hold->inputs;
    o->n_inputs = n_in;
    o->units = lb_opts_get_str(opts, "units");
    o->id_field = lb_opts_get_str(opts, "id-field");
    o->reference_path = lb_opts_get_str(opts, "reference");
    o->s_srs = lb_opts_get_str(opts, "s-srs");
    o->geojson_rd = crs && strcmp(crs, "rd") == 0;
    o->csv_sep = sep ? sep[0] : ',';
    o->full_precision = lb_opts_get_flag(opts, "full-precision");
    o->outdir = lb_opts_get_str(opts, "output");
    o->overwrite = lb_opts_get_flag(opts, "overwrite");
    o->command_line = lb_opts_get_str(opts, "command-line");
    o->mode = mode && strcmp(mode, "area") == 0 ? LB_MODE_AREA : LB_MODE_GRID;
    o->joins = hold->joins;
    o->n_joins = n_join;
    o->wheres = hold->wheres;
    o->n_wheres = n_where;
    o->raster_format = lb_opts_get_str(opts, "of");
    o->creation_options = n_co ? co : NULL;
    o->preview = lb_opts_get_flag(opts, "preview");
    return LB_OK;
}

void lb_score_options_release(lb_score_hold *hold)
{
    for (size_t i = 0; hold->bufs && i < hold->n_bufs; i++)
        free(hold->bufs[i]);
    free(hold->bufs);
    free(hold->inputs);
    free(hold->wheres);
    free(hold->joins);
    free(hold->years);
    memset(hold, 0, sizeof(*hold));
}
