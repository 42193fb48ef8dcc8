/* SPDX-License-Identifier: MIT */
/* The score pipeline: read → grid → indicators → model → aggregate → write. */
#define _POSIX_C_SOURCE 200809L

#include <leefbaar/leefbaar.h>

#include "../aggregate/aggregate.h"
#include "../core/ctx.h"
#include "../core/sha256.h"
#include "../geom/geos_bridge.h"
#include "../indicators/indicators.h"
#include "../indicators/polygons.h"
#include "../io/outdir.h"
#include "../io/preview.h"
#include "../io/runjson.h"
#include "../io/style.h"
#include "../io/write.h"
#include "../model/score.h"

#include <gdal.h>
#include <json-c/json.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void lb_score_options_init(lb_score_options *o)
{
    memset(o, 0, sizeof(*o));
    o->csv_sep = ',';
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Everything one run holds; freed in run_free(). */
typedef struct run {
    const lb_score_options *o;
    lb_model *model;
    lb_source *src;
    lb_inputs *in;
    const lb_vlayer *weight_layer;
    const lb_vlayer *units;
    const char *units_name;
    const char *id_field;
    lb_grid grid;
    double *cell_w;
    unsigned char *scored;
    double **x;
    lb_reference fixed;
    int have_fixed;
    lb_reference ref;
    lb_scores cells;
    lb_unit_scores unit;
    size_t n_scored;
    lb_outdir out;
    struct json_object *timings;
    double t_stage;
} run;

static void stage_done(run *r, const char *name)
{
    double t = now_s();
    json_object_object_add(r->timings, name,
                           json_object_new_double(round((t - r->t_stage) * 1e3) / 1e3));
    r->t_stage = t;
}

static void run_free(run *r)
{
    if (r->x)
        for (size_t i = 0; r->model && i < r->model->n_ind; i++)
            free(r->x[i]);
    free(r->x);
    free(r->cell_w);
    free(r->scored);
    lb_reference_free(&r->fixed);
    lb_reference_free(&r->ref);
    lb_scores_free(&r->cells);
    lb_unit_scores_free(&r->unit);
    lb_inputs_destroy(r->in);
    free(r->src);
    lb_model_destroy(r->model);
    json_object_put(r->timings);
}

static const char *const id_candidates[] = {"BU_CODE", "WK_CODE", "GM_CODE", "PC6",
                                            "PC4",     "CODE",    "code",    "id"};
static const char *const name_candidates[] = {"BU_NAAM",  "WK_NAAM", "GM_NAAM", "BUURTNAAM",
                                              "WIJKNAAM", "NAAM",    "naam",    "name"};

static const char *find_field(const lb_vlayer *l, const char *const *cand, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < l->n_fields; f++)
            if (strcmp(l->fields[f].name, cand[i]) == 0)
                return cand[i];
    return NULL;
}

/* Load the model, bind the inputs and check that every input the model names is bound. */
static lb_status bind_inputs(lb_ctx *ctx, run *r)
{
    const lb_score_options *o = r->o;
    lb_status st = lb_model_load(ctx, o->model_path, &r->model);
    if (st != LB_OK)
        return st;
    r->src = calloc(o->n_inputs ? o->n_inputs : 1, sizeof(*r->src));
    if (!r->src)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < o->n_inputs; i++) {
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->inputs[k].name, o->inputs[i].name) == 0)
                return lb_error(ctx, LB_ERR_ARG, "input '%s' is bound twice", o->inputs[i].name);
        r->src[i] = (lb_source){o->inputs[i].name, o->inputs[i].path, o->inputs[i].layer, o->s_srs};
    }
    st = lb_inputs_create(ctx, r->src, o->n_inputs, &r->in);
    if (st != LB_OK)
        return st;
    /* Every input the model names must be bound before any heavy work starts. */
    for (size_t i = 0; i < r->model->n_inputs; i++)
        if (!lb_inputs_source(ctx, r->in, r->model->inputs[i]))
            return LB_ERR_ARG;
    return LB_OK;
}

/* The polygon units (--units, default the weight layer) and their id field. */
static lb_status load_units(lb_ctx *ctx, run *r)
{
    const lb_score_options *o = r->o;
    r->units_name = o->units ? o->units : r->model->weight_layer;
    if (strcmp(r->units_name, "grid") == 0)
        return LB_OK;
    lb_status st = lb_inputs_vector(ctx, r->in, r->units_name, NULL, &r->units);
    if (st != LB_OK)
        return st;
    if (r->units->kind != LB_GEOM_POLYGON)
        return lb_error(ctx, LB_ERR_DATA, "units '%s' ('%s') must be a polygon layer",
                        r->units_name, r->units->path);
    r->id_field = o->id_field;
    if (r->id_field && !lb_vlayer_field(ctx, r->units, r->id_field))
        return LB_ERR_DATA;
    if (!r->id_field)
        r->id_field =
            find_field(r->units, id_candidates, sizeof(id_candidates) / sizeof(id_candidates[0]));
    return LB_OK;
}

/* The fixed reference of --reference, with a warning where the model's mode disagrees. */
static lb_status load_reference(lb_ctx *ctx, run *r)
{
    const lb_score_options *o = r->o;
    if (o->reference_path) {
        lb_status st = lb_reference_read(ctx, o->reference_path, r->model, &r->fixed);
        if (st != LB_OK)
            return st;
        r->have_fixed = 1;
        if (r->model->ref_mode == LB_REF_PER_YEAR)
            lb_log(ctx, LB_LOG_WARN,
                   "--reference given but the model's reference mode is per_year: the fixed "
                   "reference of '%s' is used",
                   o->reference_path);
    } else if (r->model->ref_mode == LB_REF_FIXED && r->model->ref_year && o->year &&
               o->year != r->model->ref_year) {
        lb_log(ctx, LB_LOG_WARN,
               "fixed reference mode: the model's reference year is %d but this run scores %d "
               "without --reference; this year's population is used as the reference",
               r->model->ref_year, o->year);
    }
    return LB_OK;
}

static lb_status prepare(lb_ctx *ctx, run *r)
{
    lb_status st = bind_inputs(ctx, r);
    if (st != LB_OK)
        return st;
    st = lb_inputs_vector(ctx, r->in, r->model->weight_layer, NULL, &r->weight_layer);
    if (st != LB_OK)
        return st;
    if (r->model->weight_field && !lb_vlayer_field(ctx, r->weight_layer, r->model->weight_field))
        return lb_error_prefix(ctx, LB_ERR_DATA, "weight (%s): ", r->model->weight_name);
    st = load_units(ctx, r);
    if (st != LB_OK)
        return st;
    const lb_vlayer *ext = r->units ? r->units : r->weight_layer;
    if (ext->kind != LB_GEOM_POLYGON)
        return lb_error(ctx, LB_ERR_DATA, "weight layer '%s' ('%s') must be a polygon layer",
                        ext->name, ext->path);
    st = lb_grid_from_extent(ctx, ext->xmin, ext->ymin, ext->xmax, ext->ymax, r->model->cell_m,
                             &r->grid);
    if (st != LB_OK)
        return st;
    return load_reference(ctx, r);
}

static lb_status weights(lb_ctx *ctx, run *r)
{
    size_t n = lb_grid_ncells(&r->grid);
    const lb_layer_cover *cov = NULL;
    lb_status st = lb_inputs_coverage(ctx, r->in, r->model->weight_layer, &r->grid, &cov);
    if (st != LB_OK)
        return st;
    r->cell_w = malloc(n * sizeof(double));
    r->scored = calloc(n, 1);
    if (!r->cell_w || !r->scored)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory for a grid of %zu cells", n);
    size_t n_missing = 0;
    if (r->model->weight_field) {
        const lb_field *f = lb_vlayer_field(ctx, r->weight_layer, r->model->weight_field);
        st = lb_grid_extensive(ctx, r->weight_layer, cov, &r->grid, f, r->cell_w, &n_missing);
        if (st != LB_OK)
            return st;
    } else {
        for (size_t c = 0; c < n; c++)
            r->cell_w[c] = 0.0;
        for (size_t k = 0; k < cov->off[cov->n_poly]; k++)
            r->cell_w[cov->cell[k]] += cov->frac[k];
    }
    if (n_missing)
        lb_log(ctx, LB_LOG_WARN,
               "weight field '%s' of '%s' is missing in %zu feature(s); their cells are not "
               "scored",
               r->model->weight_field, r->weight_layer->path, n_missing);
    for (size_t c = 0; c < n; c++) {
        r->scored[c] = r->cell_w[c] >= r->model->min_weight && r->cell_w[c] > 0.0;
        r->n_scored += r->scored[c];
    }
    if (r->n_scored == 0)
        return lb_error(ctx, LB_ERR_DATA,
                        "no grid cell reaches min_weight %g of '%s' from '%s'; check the weight "
                        "field",
                        r->model->min_weight,
                        r->model->weight_field ? r->model->weight_field : "area",
                        r->weight_layer->path);
    return LB_OK;
}

static lb_status indicators(lb_ctx *ctx, run *r)
{
    size_t n = lb_grid_ncells(&r->grid), m = 0;
    r->x = calloc(r->model->n_ind, sizeof(double *));
    uint32_t *cells = malloc((r->n_scored ? r->n_scored : 1) * sizeof(uint32_t));
    double *v = malloc((r->n_scored ? r->n_scored : 1) * sizeof(double));
    lb_status st = r->x && cells && v ? LB_OK : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t c = 0; st == LB_OK && c < n; c++)
        if (r->scored[c])
            cells[m++] = (uint32_t)c;
    for (size_t i = 0; st == LB_OK && i < r->model->n_ind; i++) {
        r->x[i] = malloc(n * sizeof(double));
        if (!r->x[i]) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        st = lb_indicator_eval_cells(ctx, &r->model->ind[i], r->in, &r->grid, cells, m, r->cell_w,
                                     v);
        if (st != LB_OK)
            break;
        for (size_t c = 0; c < n; c++)
            r->x[i][c] = NAN;
        for (size_t k = 0; k < m; k++)
            r->x[i][cells[k]] = v[k];
        st = lb_progress(ctx, 0.1 + 0.6 * (double)(i + 1) / (double)r->model->n_ind, "indicators");
    }
    free(cells);
    free(v);
    return st;
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

/* Add the score columns shared by grid and unit tables: rows[k] maps table row k to scores
 * row rows[k] (NULL = identity). */
static lb_status add_score_columns(lb_ctx *ctx, const lb_model *m, lb_table *t, const lb_scores *s,
                                   const size_t *rows, int year)
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
            for (size_t k = 0; k < t->n_rows; k++)
                c->real[k] = vals[j][rows ? rows[k] : k];
        }
    }
    for (size_t d = 0; d < m->n_dims && st == LB_OK; d++) {
        st = lb_table_add(ctx, t, m->dims[d].code, LB_COL_REAL, &c);
        if (st == LB_OK) {
            c->decimals = 6;
            for (size_t k = 0; k < t->n_rows; k++)
                c->real[k] = s->dev[d][rows ? rows[k] : k];
        }
    }
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "kscore", LB_COL_INT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++) {
        int v = s->kscore[rows ? rows[k] : k];
        c->integer[k] = v ? v : LB_INT_NULL;
    }
    for (size_t d = 0; d < m->n_dims && st == LB_OK; d++) {
        char name[64];
        snprintf(name, sizeof(name), "k_%s", m->dims[d].code);
        st = lb_table_add(ctx, t, name, LB_COL_INT, &c);
        for (size_t k = 0; st == LB_OK && k < t->n_rows; k++) {
            int v = s->kdim[d][rows ? rows[k] : k];
            c->integer[k] = v ? v : LB_INT_NULL;
        }
    }
    return st;
}

static lb_status grid_table(lb_ctx *ctx, run *r, lb_table **out)
{
    size_t n = lb_grid_ncells(&r->grid);
    size_t *rows = malloc((r->n_scored ? r->n_scored : 1) * sizeof(size_t));
    if (!rows)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t c = 0; c < n; c++)
        if (r->scored[c])
            rows[k++] = c;
    lb_table *t = NULL;
    lb_column *id = NULL, *w = NULL, *ni = NULL, *fl = NULL;
    lb_status st = lb_table_create(ctx, k, &t);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "cell_id", LB_COL_TEXT, &id);
    if (st == LB_OK)
        st = add_score_columns(ctx, r->model, t, &r->cells, rows, r->o->year);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "weight", LB_COL_REAL, &w);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "n_imputed", LB_COL_INT, &ni);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "flags", LB_COL_INT, &fl);
    for (size_t i = 0; st == LB_OK && i < k; i++) {
        size_t c = rows[i];
        char buf[48];
        lb_grid_cell_id(&r->grid, c, buf, sizeof(buf));
        id->text[i] = lb_strdup(buf);
        w->real[i] = r->cell_w[c];
        ni->integer[i] = r->cells.n_imputed[c];
        fl->integer[i] = r->cells.flags[c];
        size_t sz;
        unsigned char *wkb = cell_wkb(&r->grid, c, &sz);
        if (!wkb || !id->text[i])
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        else
            st = lb_table_set_geometry(ctx, t, i, wkb, sz);
    }
    if (w)
        w->decimals = 3;
    free(rows);
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    *out = t;
    return LB_OK;
}

static lb_status copy_text_field(lb_ctx *ctx, lb_table *t, const lb_vlayer *l, const char *name)
{
    const lb_field *f = NULL;
    for (size_t i = 0; i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            f = &l->fields[i];
    if (!f)
        return LB_OK;
    lb_column *c;
    lb_status st = lb_table_add(ctx, t, name, LB_COL_TEXT, &c);
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

/* The units with code, name and parent codes, the scores @p s, the weight @p w and the
 * polygons; the caller adds its count columns. */
static lb_status units_table_base(lb_ctx *ctx, run *r, const lb_scores *s, const double *w,
                                  lb_table **out)
{
    const lb_vlayer *l = r->units;
    lb_table *t = NULL;
    lb_column *c = NULL;
    lb_status st = lb_table_create(ctx, l->n, &t);
    if (st == LB_OK && r->id_field)
        st = copy_text_field(ctx, t, l, r->id_field);
    if (st == LB_OK && !r->id_field) {
        st = lb_table_add(ctx, t, "fid", LB_COL_INT, &c);
        for (size_t k = 0; st == LB_OK && k < l->n; k++)
            c->integer[k] = l->fid[k];
    }
    const char *name =
        find_field(l, name_candidates, sizeof(name_candidates) / sizeof(name_candidates[0]));
    if (st == LB_OK && name)
        st = copy_text_field(ctx, t, l, name);
    const char *parents[] = {"WK_CODE", "GM_CODE"};
    for (size_t i = 0; i < 2 && st == LB_OK; i++)
        if (!r->id_field || strcmp(parents[i], r->id_field) != 0)
            st = copy_text_field(ctx, t, l, parents[i]);
    if (st == LB_OK)
        st = add_score_columns(ctx, r->model, t, s, NULL, r->o->year);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "weight", LB_COL_REAL, &c);
    if (st == LB_OK) {
        c->decimals = 2;
        memcpy(c->real, w, l->n * sizeof(double));
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
    *out = t;
    return LB_OK;
}

/* Add integer columns @p names[j] with values @p vals[j][row]. */
static lb_status add_int_columns(lb_ctx *ctx, lb_table *t, size_t n, const char *const *names,
                                 const int *const *vals)
{
    lb_status st = LB_OK;
    for (size_t j = 0; j < n && st == LB_OK; j++) {
        lb_column *c = NULL;
        st = lb_table_add(ctx, t, names[j], LB_COL_INT, &c);
        for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
            c->integer[k] = vals[j][k];
    }
    return st;
}

static lb_status units_table(lb_ctx *ctx, run *r, lb_table **out)
{
    lb_table *t = NULL;
    lb_status st = units_table_base(ctx, r, &r->unit.s, r->unit.weight, &t);
    const char *const ints[] = {"n_cells", "n_imputed", "flags"};
    const int *const vals[] = {r->unit.n_cells, r->unit.n_imputed_cells, r->unit.s.flags};
    if (st == LB_OK)
        st = add_int_columns(ctx, t, 3, ints, vals);
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    *out = t;
    return LB_OK;
}

static lb_status write_rasters(lb_ctx *ctx, run *r, struct json_object *outputs)
{
    const lb_model *m = r->model;
    size_t n = lb_grid_ncells(&r->grid), nb = 1 + m->n_dims;
    float **bands = calloc(nb, sizeof(float *));
    const char **names = calloc(nb, sizeof(char *)), **units = calloc(nb, sizeof(char *));
    /* REF, M_d, year and model inside the TIFFs: NAME=VALUE items, NULL-terminated */
    char **meta = calloc(nb + 4, sizeof(char *));
    unsigned char *cls = malloc(n);
    lb_status st = (bands && names && units && meta && cls)
                       ? LB_OK
                       : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (size_t b = 0; st == LB_OK && b < nb; b++) {
        bands[b] = malloc(n * sizeof(float));
        if (!bands[b]) {
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        const double *v = b == 0 ? r->cells.lbm : r->cells.dev[b - 1];
        names[b] = b == 0 ? "lbm" : m->dims[b - 1].code;
        units[b] = b == 0 ? "score" : "score deviation";
        for (size_t c = 0; c < n; c++)
            bands[b][c] = (float)v[c];
    }
    if (st == LB_OK) {
        size_t k = 0;
        char v[32];
        meta[k++] = lb_strfmt("LEEFBAAR_MODEL=%s", m->name);
        lb_format_double(r->ref.ref, v, sizeof(v));
        meta[k++] = lb_strfmt("LEEFBAAR_REF=%s", v);
        for (size_t d = 0; d < m->n_dims && d < r->ref.n_dims; d++) {
            lb_format_double(r->ref.means[d], v, sizeof(v));
            meta[k++] = lb_strfmt("LEEFBAAR_M_%s=%s", m->dims[d].code, v);
        }
        if (r->o->year)
            meta[k++] = lb_strfmt("LEEFBAAR_YEAR=%d", r->o->year);
        for (size_t i = 0; i < k; i++)
            if (!meta[i])
                st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    char yr[16] = "", title[64] = "Leefbaarometer-klasse";
    if (r->o->year) {
        snprintf(yr, sizeof(yr), "_%d", r->o->year);
        snprintf(title, sizeof(title), "Leefbaarometer-klasse %d", r->o->year);
    }
    const lb_raster_opts ro = {r->o->raster_format, r->o->creation_options,
                               (const char *const *)meta};
    const lb_class_table ct = {LB_N_CLASSES, (const char *const *)m->class_labels,
                               (const char *const *)m->class_colours, m->thresholds, title};
    const lb_style score_style = {.kind = LB_STYLE_RASTER_BREAKS, .classes = &ct, .band = 1};
    const lb_style class_style = {.kind = LB_STYLE_RASTER_CLASSES, .classes = &ct, .band = 1};
    for (size_t c = 0; st == LB_OK && c < n; c++)
        cls[c] = r->cells.kscore[c];
    /* the outputs in order (the preview only when asked for): stem + year + extension */
    enum { SCORES, SCORES_QML, CLASSES, CLASSES_QML, PREVIEW, N_OUT };
    const char *const stem[N_OUT][2] = {{"scores", ".tif"},
                                        {"scores", ".qml"},
                                        {"class", ".tif"},
                                        {"class", ".qml"},
                                        {"class", ".png"}};
    for (int f = 0; st == LB_OK && f < N_OUT - !r->o->preview; f++) {
        char file[64];
        snprintf(file, sizeof(file), "%s%s%s", stem[f][0], yr, stem[f][1]);
        char *path = lb_outdir_tmp_path(&r->out, file);
        if (!path)
            st = lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (f == SCORES)
            st = lb_write_raster_float(ctx, path, &r->grid, nb, (const float *const *)bands, names,
                                       units, &ro);
        else if (f == SCORES_QML || f == CLASSES_QML)
            st = lb_style_write_qml(ctx, path, f == SCORES_QML ? &score_style : &class_style);
        else if (f == CLASSES)
            st = lb_write_raster_classes(ctx, path, &r->grid, cls, &ct, &ro);
        else
            st = lb_preview_png(ctx, path, &r->grid, cls, &ct, 1);
        free(path);
        if (st == LB_OK)
            json_object_array_add(outputs, json_object_new_string(file));
        if (st == LB_OK && f == CLASSES) { /* the category names */
            char *aux = lb_strfmt("%s.aux.xml", file);
            json_object_array_add(outputs, aux ? json_object_new_string(aux) : NULL);
            free(aux);
        }
    }
    for (size_t b = 0; bands && b < nb; b++)
        free(bands[b]);
    for (size_t i = 0; meta && i < nb + 4; i++)
        free(meta[i]);
    free(meta);
    free(bands);
    free(names);
    free(units);
    free(cls);
    return st;
}

static lb_status write_table(lb_ctx *ctx, run *r, const lb_table *t, const char *file,
                             lb_vector_format fmt, const char *layer, struct json_object *outputs)
{
    lb_vector_opts vo = {
        .format = fmt, .layer = layer, .geojson_rd = r->o->geojson_rd, .csv_sep = r->o->csv_sep};
    char *path = lb_outdir_tmp_path(&r->out, file);
    if (!path)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    lb_status st = lb_write_vector(ctx, path, t, &vo);
    free(path);
    if (st == LB_OK && fmt != LB_FMT_GPKG)
        json_object_array_add(outputs, json_object_new_string(file));
    return st;
}

static struct json_object *inputs_json(lb_ctx *ctx, const run *r)
{
    struct json_object *arr = json_object_new_array();
    for (size_t i = 0; i < r->o->n_inputs; i++) {
        const lb_input_spec *s = &r->o->inputs[i];
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(s->name));
        json_object_object_add(o, "path", json_object_new_string(s->path));
        json_object_object_add(o, "layer", s->layer ? json_object_new_string(s->layer) : NULL);
        struct stat sb;
        if (stat(s->path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            json_object_object_add(o, "bytes", json_object_new_int64((int64_t)sb.st_size));
            char hex[65];
            if (lb_sha256_file(ctx, s->path, hex) == LB_OK)
                json_object_object_add(o, "sha256", json_object_new_string(hex));
        }
        json_object_array_add(arr, o);
    }
    return arr;
}

static struct json_object *run_json(lb_ctx *ctx, const run *r, struct json_object *outputs)
{
    const lb_score_options *o = r->o;
    const lb_model *m = r->model;
    struct json_object *doc = json_object_new_object();
    json_object_object_add(doc, "tool", json_object_new_string("leefbaar"));
    json_object_object_add(doc, "version", json_object_new_string(lb_version()));
    json_object_object_add(doc, "command",
                           o->command_line ? json_object_new_string(o->command_line) : NULL);
    struct json_object *libs = json_object_new_object();
    json_object_object_add(libs, "gdal", json_object_new_string(GDALVersionInfo("RELEASE_NAME")));
    int pmaj = 0, pmin = 0, ppatch = 0;
    OSRGetPROJVersion(&pmaj, &pmin, &ppatch);
    char pv[32];
    snprintf(pv, sizeof(pv), "%d.%d.%d", pmaj, pmin, ppatch);
    json_object_object_add(libs, "proj", json_object_new_string(pv));
    json_object_object_add(libs, "geos", json_object_new_string(lb_geos_version()));
    json_object_object_add(libs, "json-c", json_object_new_string(json_c_version()));
    json_object_object_add(doc, "libraries", libs);
    struct json_object *mj = json_object_new_object();
    json_object_object_add(mj, "path", json_object_new_string(m->path));
    json_object_object_add(mj, "name", json_object_new_string(m->name));
    json_object_object_add(mj, "version", json_object_new_int(m->version));
    json_object_object_add(mj, "sha256", json_object_new_string(m->hash));
    json_object_object_add(doc, "model", mj);
    struct json_object *opt = json_object_new_object();
    json_object_object_add(opt, "year", o->year ? json_object_new_int(o->year) : NULL);
    json_object_object_add(opt, "mode",
                           json_object_new_string(o->mode == LB_MODE_AREA ? "area" : "grid"));
    json_object_object_add(opt, "units", json_object_new_string(r->units_name));
    json_object_object_add(opt, "id_field",
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
    struct json_object *counts = json_object_new_object();
    size_t imputed = 0, n = lb_grid_ncells(&r->grid);
    for (size_t c = 0; c < n; c++)
        imputed += (r->cells.flags[c] & LB_FLAG_IMPUTED) != 0;
    json_object_object_add(counts, "cells", json_object_new_int64((int64_t)n));
    json_object_object_add(counts, "scored_cells", json_object_new_int64((int64_t)r->n_scored));
    json_object_object_add(counts, "cells_imputed", json_object_new_int64((int64_t)imputed));
    if (r->units && r->unit.s.lbm) {
        size_t scored_units = 0;
        for (size_t p = 0; p < r->units->n; p++)
            scored_units += !isnan(r->unit.s.lbm[p]);
        json_object_object_add(counts, "units", json_object_new_int64((int64_t)r->units->n));
        json_object_object_add(counts, "scored_units",
                               json_object_new_int64((int64_t)scored_units));
    }
    json_object_object_add(doc, "counts", counts);
    json_object_object_add(doc, "reference", lb_reference_to_json(m, &r->ref));
    json_object_object_add(doc, "timings_s", json_object_get(r->timings));
    struct json_object *warn = json_object_new_array();
    for (size_t i = 0; i < lb_ctx_warning_count(ctx); i++)
        json_object_array_add(warn, json_object_new_string(lb_ctx_warning(ctx, i)));
    json_object_object_add(doc, "warnings", warn);
    json_object_object_add(doc, "outputs", json_object_get(outputs));
    return doc;
}

/* Write run.json into the output directory; @p amend (may be NULL) adjusts the document
 * first (area mode). */
static lb_status write_run_json(lb_ctx *ctx, run *r, struct json_object *outputs,
                                void (*amend)(const run *r, struct json_object *doc))
{
    stage_done(r, "write");
    json_object_array_add(outputs, json_object_new_string("run.json"));
    struct json_object *doc = run_json(ctx, r, outputs);
    if (amend)
        amend(r, doc);
    char *path = lb_outdir_tmp_path(&r->out, "run.json");
    lb_status st =
        path ? lb_write_json(ctx, path, doc) : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    free(path);
    json_object_put(doc);
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

static lb_status write_all(lb_ctx *ctx, run *r)
{
    const lb_raster_opts ro = {r->o->raster_format, r->o->creation_options, NULL};
    lb_status st = lb_raster_opts_check(ctx, &ro);
    if (st == LB_OK)
        st = lb_outdir_open(ctx, r->o->outdir, &r->out);
    if (st != LB_OK)
        return st;
    struct json_object *outputs = json_object_new_array();
    lb_table *gt = NULL, *ut = NULL;
    /* every vector layer opens in QGIS categorized on kscore with the model's legend */
    const lb_class_table ct = {LB_N_CLASSES, (const char *const *)r->model->class_labels,
                               (const char *const *)r->model->class_colours, r->model->thresholds,
                               NULL};
    lb_style style = {.kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "kscore"};
    char *gpkg = lb_outdir_tmp_path(&r->out, "scores.gpkg");
    st = gpkg ? grid_table(ctx, r, &gt) : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = write_table(ctx, r, gt, "scores.gpkg", LB_FMT_GPKG, "grid", outputs);
    if (st == LB_OK)
        st = lb_gpkg_add_style(ctx, gpkg, "grid", &style, NULL, "leefbaar: classes (kscore)", 1);
    if (st == LB_OK && r->units) {
        st = units_table(ctx, r, &ut);
        if (st == LB_OK)
            st = write_table(ctx, r, ut, "scores.gpkg", LB_FMT_GPKG, r->units_name, outputs);
        style.outline = 1;
        if (st == LB_OK)
            st = lb_gpkg_add_style(ctx, gpkg, r->units_name, &style, NULL,
                                   "leefbaar: classes (kscore)", 1);
        char file[256];
        snprintf(file, sizeof(file), "%s.geojson", r->units_name);
        if (st == LB_OK)
            st = write_table(ctx, r, ut, file, LB_FMT_GEOJSON, r->units_name, outputs);
        snprintf(file, sizeof(file), "%s.csv", r->units_name);
        if (st == LB_OK)
            st = write_table(ctx, r, ut, file, LB_FMT_CSV, r->units_name, outputs);
        /* QGIS applies <name>.qml to <name>.geojson (and to the CSV's rows, had they shapes) */
        snprintf(file, sizeof(file), "%s.qml", r->units_name);
        char *qml = st == LB_OK ? lb_outdir_tmp_path(&r->out, file) : NULL;
        if (st == LB_OK)
            st = qml ? lb_style_write_qml(ctx, qml, &style)
                     : lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        if (st == LB_OK)
            json_object_array_add(outputs, json_object_new_string(file));
        free(qml);
    }
    free(gpkg);
    if (st == LB_OK) {
        json_object_array_add(outputs, json_object_new_string("scores.gpkg"));
        st = write_rasters(ctx, r, outputs);
    }
    if (st == LB_OK)
        st = lb_progress(ctx, 0.95, "writing");
    if (st == LB_OK)
        st = write_run_json(ctx, r, outputs, record_raster_options);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &r->out);
    lb_table_destroy(gt);
    lb_table_destroy(ut);
    json_object_put(outputs);
    lb_outdir_abort(&r->out);
    return st;
}

static lb_status score_area(lb_ctx *ctx, const lb_score_options *o);

lb_status lb_score_run(lb_ctx *ctx, const lb_score_options *o)
{
    if (!o || !o->model_path || !o->outdir)
        return lb_error(ctx, LB_ERR_ARG,
                        "score: a model file and an output directory are "
                        "required");
    if (o->csv_sep && o->csv_sep != ',' && o->csv_sep != ';')
        return lb_error(ctx, LB_ERR_ARG, "score: the CSV separator must be ',' or ';'");
    if (o->mode == LB_MODE_AREA)
        return score_area(ctx, o);
    if (o->n_joins)
        return lb_error(ctx, LB_ERR_ARG,
                        "score: attribute tables are joined to the units in area mode only; "
                        "add --mode area (or join the table to the polygons first, e.g. with "
                        "ogr2ogr -sql ... LEFT JOIN)");
    run r = {.o = o, .timings = json_object_new_object(), .t_stage = now_s()};
    lb_status st = lb_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = prepare(ctx, &r);
    if (st == LB_OK) {
        stage_done(&r, "read");
        st = weights(ctx, &r);
    }
    if (st == LB_OK) {
        stage_done(&r, "grid_weights");
        st = lb_progress(ctx, 0.1, "indicators");
    }
    if (st == LB_OK)
        st = indicators(ctx, &r);
    if (st == LB_OK) {
        stage_done(&r, "indicators");
        st = lb_score_units(ctx, r.model, lb_grid_ncells(&r.grid), (const double *const *)r.x,
                            r.cell_w, r.scored, r.have_fixed ? &r.fixed : NULL, &r.ref, &r.cells);
    }
    if (st == LB_OK) {
        r.ref.year = r.have_fixed ? r.fixed.year : o->year;
        stage_done(&r, "model");
    }
    if (st == LB_OK && r.units) {
        const lb_layer_cover *cov = NULL;
        st = lb_inputs_coverage(ctx, r.in, r.units_name, &r.grid, &cov);
        if (st == LB_OK)
            st = lb_aggregate(ctx, r.model, r.ref.ref, cov, &r.cells, r.cell_w, &r.unit);
        if (st == LB_OK)
            stage_done(&r, "aggregate");
    }
    if (st == LB_OK)
        st = lb_progress(ctx, 0.75, "writing");
    if (st == LB_OK)
        st = write_all(ctx, &r);
    if (st == LB_OK)
        st = lb_progress(ctx, 1.0, "done");
    run_free(&r);
    return st;
}

/* ---- Area mode -----------------------------------------------------------------------------
 * Every polygon of the units is scored from its own indicators (src/indicators/polygons.c),
 * without a grid, with the same model arithmetic; written as scores.gpkg layer <units>,
 * <units>.geojson, <units>.csv and run.json. The run struct is reused with one row per unit in
 * cell_w (weights), scored, x (indicators) and cells (the unit scores); grid stays empty. */

static lb_status area_prepare(lb_ctx *ctx, run *r, lb_area **area)
{
    const lb_score_options *o = r->o;
    lb_status st = bind_inputs(ctx, r);
    if (st == LB_OK)
        st = load_units(ctx, r);
    if (st == LB_OK && !r->units)
        return lb_error(ctx, LB_ERR_ARG,
                        "area mode scores polygons: --units must name a polygon input, not "
                        "'grid'");
    if (st == LB_OK)
        st = lb_area_create(ctx, r->in, r->units_name, r->units, r->model->cell_m, area);
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
        while (k < o->n_inputs && strcmp(o->inputs[k].name, j->input) != 0)
            k++;
        if (k == o->n_inputs)
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
    size_t n = r->units->n;
    r->cell_w = malloc(n * sizeof(double));
    r->scored = calloc(n, 1);
    r->x = calloc(m->n_ind, sizeof(double *));
    if (!r->cell_w || !r->scored || !r->x)
        return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t n_missing = 0;
    lb_status st = lb_area_weights(ctx, a, m, r->cell_w, &n_missing);
    if (st != LB_OK)
        return st;
    if (n_missing)
        lb_log(ctx, LB_LOG_WARN,
               "weight field '%s' of '%s' is missing for %zu unit(s); they are not scored",
               m->weight_field, m->weight_layer, n_missing);
    for (size_t u = 0; u < n; u++) {
        r->scored[u] = r->cell_w[u] >= m->min_weight && r->cell_w[u] > 0.0;
        r->n_scored += r->scored[u];
    }
    if (r->n_scored == 0)
        return lb_error(ctx, LB_ERR_DATA,
                        "no unit of '%s' reaches min_weight %g of '%s'; check the weight field",
                        r->units->path, m->min_weight, m->weight_field ? m->weight_field : "area");
    stage_done(r, "weights");
    for (size_t i = 0; i < m->n_ind; i++) {
        r->x[i] = malloc(n * sizeof(double));
        if (!r->x[i])
            return lb_error(ctx, LB_ERR_NOMEM, "out of memory");
        st = lb_indicator_eval_polygons(ctx, &m->ind[i], a, r->x[i]);
        if (st == LB_OK)
            st = lb_progress(ctx, 0.1 + 0.7 * (double)(i + 1) / (double)m->n_ind, "indicators");
        if (st != LB_OK)
            return st;
    }
    stage_done(r, "indicators");
    st = lb_score_units(ctx, m, n, (const double *const *)r->x, r->cell_w, r->scored,
                        r->have_fixed ? &r->fixed : NULL, &r->ref, &r->cells);
    if (st != LB_OK)
        return st;
    r->ref.year = r->have_fixed ? r->fixed.year : r->o->year;
    stage_done(r, "model");
    return LB_OK;
}

/* run.json of an area run: no grid, counts of units instead of cells. */
static void area_amend(const run *r, struct json_object *doc)
{
    json_object_object_del(doc, "grid");
    json_object_object_add(doc, "mode", json_object_new_string("area"));
    size_t scored = 0, imputed = 0, dropped = 0, no_weight = 0;
    for (size_t u = 0; u < r->cells.n; u++) {
        scored += !isnan(r->cells.lbm[u]);
        imputed += (r->cells.flags[u] & LB_FLAG_IMPUTED) != 0;
        dropped += (r->cells.flags[u] & LB_FLAG_DROPPED) != 0;
        no_weight += (r->cells.flags[u] & LB_FLAG_NO_WEIGHT) != 0;
    }
    struct json_object *c = json_object_new_object();
    json_object_object_add(c, "units", json_object_new_int64((int64_t)r->cells.n));
    json_object_object_add(c, "scored_units", json_object_new_int64((int64_t)scored));
    json_object_object_add(c, "units_imputed", json_object_new_int64((int64_t)imputed));
    json_object_object_add(c, "units_dropped", json_object_new_int64((int64_t)dropped));
    json_object_object_add(c, "units_below_min_weight", json_object_new_int64((int64_t)no_weight));
    json_object_object_add(doc, "counts", c);
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
    lb_status st = lb_outdir_open(ctx, r->o->outdir, &r->out);
    if (st != LB_OK)
        return st;
    struct json_object *outputs = json_object_new_array();
    lb_table *t = NULL;
    st = units_table_base(ctx, r, &r->cells, r->cell_w, &t);
    const char *const ints[] = {"n_imputed", "flags"};
    const int *const vals[] = {r->cells.n_imputed, r->cells.flags};
    if (st == LB_OK)
        st = add_int_columns(ctx, t, 2, ints, vals);
    char file[256];
    if (st == LB_OK)
        st = write_table(ctx, r, t, "scores.gpkg", LB_FMT_GPKG, r->units_name, outputs);
    snprintf(file, sizeof(file), "%s.geojson", r->units_name);
    if (st == LB_OK)
        st = write_table(ctx, r, t, file, LB_FMT_GEOJSON, r->units_name, outputs);
    snprintf(file, sizeof(file), "%s.csv", r->units_name);
    if (st == LB_OK)
        st = write_table(ctx, r, t, file, LB_FMT_CSV, r->units_name, outputs);
    if (st == LB_OK) {
        json_object_array_add(outputs, json_object_new_string("scores.gpkg"));
        st = lb_progress(ctx, 0.95, "writing");
    }
    if (st == LB_OK)
        st = write_run_json(ctx, r, outputs, area_amend);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &r->out);
    lb_table_destroy(t);
    json_object_put(outputs);
    lb_outdir_abort(&r->out);
    return st;
}

static lb_status score_area(lb_ctx *ctx, const lb_score_options *o)
{
    run r = {.o = o, .timings = json_object_new_object(), .t_stage = now_s()};
    lb_area *a = NULL;
    lb_status st = lb_progress(ctx, 0.0, "reading");
    if (st == LB_OK)
        st = area_prepare(ctx, &r, &a);
    if (st == LB_OK) {
        stage_done(&r, "read");
        st = area_score(ctx, &r, a);
    }
    if (st == LB_OK)
        st = area_write(ctx, &r);
    if (st == LB_OK)
        st = lb_progress(ctx, 1.0, "done");
    lb_area_destroy(a); /* borrows the inputs that run_free() releases */
    run_free(&r);
    return st;
}
