/* SPDX-License-Identifier: MIT */
/* Reading scored units back, from this tool's runs (run.json + scores.gpkg) or from published
 * Leefbaarometer tables, into one set of units × years (see scoreset.h). */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */

#include "scoreset.h"

#include "../core/ctx.h"
#include "../io/runjson.h"

#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- id → index hash (open addressing, FNV-1a) ------------------------------------------- */

struct lb_idmap {
    size_t cap; /* power of two */
    long *slot; /* unit index, -1 = empty */
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static long idmap_find(const struct lb_idmap *m, char *const *ids, const char *id)
{
    if (!m || !m->cap)
        return -1;
    for (size_t k = fnv1a(id) & (m->cap - 1);; k = (k + 1) & (m->cap - 1)) {
        long v = m->slot[k];
        if (v < 0 || strcmp(ids[v], id) == 0)
            return v;
    }
}

/* Insert unit @p idx (ids[idx] set); grows at half load. 0 on out of memory. */
static int idmap_insert(struct lb_idmap *m, char *const *ids, size_t n_after, long idx)
{
    if (2 * n_after > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        while (2 * n_after > cap)
            cap *= 2;
        long *slot = malloc(cap * sizeof(long));
        if (!slot)
            return 0;
        for (size_t k = 0; k < cap; k++)
            slot[k] = -1;
        for (size_t k = 0; k < m->cap; k++)
            if (m->slot[k] >= 0) {
                size_t j = fnv1a(ids[m->slot[k]]) & (cap - 1);
                while (slot[j] >= 0)
                    j = (j + 1) & (cap - 1);
                slot[j] = m->slot[k];
            }
        free(m->slot);
        m->slot = slot;
        m->cap = cap;
    }
    size_t j = fnv1a(ids[idx]) & (m->cap - 1);
    while (m->slot[j] >= 0)
        j = (j + 1) & (m->cap - 1);
    m->slot[j] = idx;
    return 1;
}

static void idmap_free(struct lb_idmap *m)
{
    if (!m)
        return;
    free(m->slot);
    free(m);
}

/* ---- one source, row by row ---------------------------------------------------------------- */

/* What one source holds, row by row, before units and years are merged. */
typedef struct part {
    char *description;
    char *path; /* the table or GeoPackage read, for messages */
    char *layer;
    int is_published;
    int data_line; /* CSV line of row 0, 0 when not a CSV */
    size_t n_rows;
    char **id, **name, **gm, **wk;
    int *year;
    char *id_field;
    size_t n_dims;
    char **dim_code, **dim_label;
    double *val; /* val[r * (2 + n_dims) + k] */
    double *w;
    char *weight_name;
    size_t n_ind;
    char **ind_id, **ind_label;
    int *ind_dim;
    double *raw, *contrib; /* [r * n_ind + i] */
    lb_vlayer *geom;
    size_t *feat; /* polygon of row r in geom, SIZE_MAX = none */
    double ref;
    int ref_year, ref_fixed;
    size_t n_myears;
    int *myear;
    double *mean; /* [j * n_dims + d] for year myear[j]; myear 0 = every year */
    lb_model *model;
} part;

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void part_free(part *p)
{
    free(p->description);
    free(p->path);
    free(p->layer);
    free_strv(p->id, p->n_rows);
    free_strv(p->name, p->n_rows);
    free_strv(p->gm, p->n_rows);
    free_strv(p->wk, p->n_rows);
    free(p->year);
    free(p->id_field);
    free_strv(p->dim_code, p->n_dims);
    free_strv(p->dim_label, p->n_dims);
    free(p->val);
    free(p->w);
    free(p->weight_name);
    free_strv(p->ind_id, p->n_ind);
    free_strv(p->ind_label, p->n_ind);
    free(p->ind_dim);
    free(p->raw);
    free(p->contrib);
    lb_vlayer_destroy(p->geom);
    free(p->feat);
    free(p->myear);
    free(p->mean);
    lb_model_destroy(p->model);
    memset(p, 0, sizeof(*p));
}

/* "data row 12 (line 13)" for messages; @p buf of 64 bytes. */
static const char *row_where(const part *p, size_t r, char *buf, size_t size)
{
    if (p->data_line)
        snprintf(buf, size, "data row %zu (line %zu)", r + 1, r + (size_t)p->data_line);
    else
        snprintf(buf, size, "row %zu", r + 1);
    return buf;
}

/* Text of cell (c, r): text fields as read, numbers formatted ("3401", "4.05"). NULL when
 * missing. */
static const char *cell_text(const lb_vlayer *t, size_t c, size_t r, char *buf, size_t size)
{
    const lb_field *f = &t->fields[c];
    if (f->is_string)
        return f->str[r];
    double v = f->num[r];
    if (isnan(v))
        return NULL;
    snprintf(buf, size, "%.15g", v);
    return buf;
}

/* Is the text of an id cell a missing-value mark (or a CBS sentinel)? */
static int is_missing_token(const char *s)
{
    double v;
    return lb_number_parse(s, LB_NUM_STYLE_UNKNOWN, &v) == LB_NUM_MISSING;
}

/* Value of cell (c, r): 1 a number in *v, 0 missing (*v = NaN), -1 text that is no number and
 * -2 an ambiguous one ("1.200" in a file that shows no decimal separator). Text fields were
 * parsed by the vector reader with the file's decimal separator (io/number.h). */
static int cell_number(const lb_vlayer *t, size_t c, size_t r, double *v)
{
    const lb_field *f = &t->fields[c];
    *v = f->num[r];
    if (!f->is_string)
        return isnan(*v) ? 0 : 1;
    switch ((lb_num_status)f->state[r]) {
    case LB_NUM_OK:
        return 1;
    case LB_NUM_MISSING:
        return 0;
    case LB_NUM_AMBIGUOUS:
        return -2;
    default:
        return -1;
    }
}

static void column_list(const lb_vlayer *t, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t c = 0; c < t->n_fields; c++)
        lb_core_list_append(buf, size, t->fields[c].name);
}

/* Index of the field named @p name compared case-insensitively, or -1. */
static long table_col(const lb_vlayer *t, const char *name)
{
    for (size_t c = 0; c < t->n_fields; c++)
        if (strcasecmp(t->fields[c].name, name) == 0)
            return (long)c;
    return -1;
}

/* All rows of a table (CSV, DBF, any layer; geometry ignored here), fields in file order. */
static lb_status read_table_rows(lb_ctx *ctx, const char *path, const char *layer,
                                 const char *s_srs, lb_vlayer **out)
{
    lb_source src = {"scores", path, layer, s_srs};
    return lb_vlayer_read_table(ctx, &src, out);
}

/* The file line of data row 0 of a CSV (after its header line), 0 for other formats. */
static int csv_data_line(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0 ? 2 : 0;
}

/* First of @p cand present in @p t (case-insensitive), or -1. */
static long find_col(const lb_vlayer *t, const char *const *cand, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        long c = table_col(t, cand[i]);
        if (c >= 0)
            return c;
    }
    return -1;
}

/* Finest level first: a table of PC4 (or buurt) scores often carries the gemeente code of each
 * row as an attribute, which must not be taken for the unit id. */
static const char *const id_cands[] = {"BU_CODE", "PC6", "WK_CODE", "PC4", "GM_CODE", "CODE", "id"};
static const char *const name_cands[] = {"BU_NAAM",  "WK_NAAM", "GM_NAAM", "BUURTNAAM",
                                         "WIJKNAAM", "NAAM",    "name"};

/* Labels of dimension codes the Leefbaarometer (2.0/3.0) and our default model use. */
static const char *known_label(const char *code)
{
    static const char *const known[][2] = {
        {"won", "Woningvoorraad"},    {"pub", "Publieke ruimte"},
        {"vrz", "Voorzieningen"},     {"bev", "Bevolkingssamenstelling"},
        {"soc", "Sociale samenhang"}, {"vei", "Veiligheid"},
        {"fys", "Fysieke omgeving"},  {"onv", "Overlast en onveiligheid"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcasecmp(code, known[i][0]) == 0)
            return known[i][1];
    return code;
}

static lb_status nomem(lb_ctx *ctx)
{
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading scores");
}

/* Allocate the per-row arrays of @p p for n rows. */
static lb_status part_alloc_rows(lb_ctx *ctx, part *p, size_t n)
{
    size_t nn = n ? n : 1, n_out = 2 + p->n_dims;
    p->n_rows = n;
    p->id = calloc(nn, sizeof(char *));
    p->name = calloc(nn, sizeof(char *));
    p->gm = calloc(nn, sizeof(char *));
    p->wk = calloc(nn, sizeof(char *));
    p->year = calloc(nn, sizeof(int));
    p->val = malloc(nn * n_out * sizeof(double));
    p->w = malloc(nn * sizeof(double));
    p->feat = malloc(nn * sizeof(size_t));
    if (!p->id || !p->name || !p->gm || !p->wk || !p->year || !p->val || !p->w || !p->feat)
        return nomem(ctx);
    for (size_t r = 0; r < n; r++) {
        p->w[r] = NAN;
        p->feat[r] = SIZE_MAX;
        for (size_t k = 0; k < n_out; k++)
            p->val[r * n_out + k] = NAN;
    }
    if (p->n_ind) {
        p->raw = malloc(nn * p->n_ind * sizeof(double));
        p->contrib = malloc(nn * p->n_ind * sizeof(double));
        if (!p->raw || !p->contrib)
            return nomem(ctx);
        for (size_t k = 0; k < n * p->n_ind; k++)
            p->raw[k] = p->contrib[k] = NAN;
    }
    return LB_OK;
}

/* Per row: id (required, trimmed), name and parent codes (optional). */
static lb_status read_ids(lb_ctx *ctx, part *p, const lb_vlayer *t, long c_id)
{
    long c_name = find_col(t, name_cands, sizeof(name_cands) / sizeof(name_cands[0]));
    if (c_name < 0)
        for (size_t c = 0; c < t->n_fields && c_name < 0; c++)
            if (t->fields[c].is_string && strlen(t->fields[c].name) > 4 &&
                strcasecmp(t->fields[c].name + strlen(t->fields[c].name) - 5, "_naam") == 0)
                c_name = (long)c;
    long c_gm = table_col(t, "GM_CODE"), c_wk = table_col(t, "WK_CODE");
    if (c_gm == c_id)
        c_gm = -1;
    if (c_wk == c_id)
        c_wk = -1;
    for (size_t r = 0; r < t->n; r++) {
        char buf[64], wh[64];
        const char *s = cell_text(t, (size_t)c_id, r, buf, sizeof(buf));
        if (s && !is_missing_token(s) && !(p->id[r] = lb_core_strdup_trim(s)))
            return nomem(ctx);
        if (!p->id[r])
            return lb_ctx_error(ctx, LB_ERR_DATA, "%s: %s has no %s", p->description,
                                row_where(p, r, wh, sizeof(wh)), t->fields[c_id].name);
        const long cols[3] = {c_name, c_gm, c_wk};
        char **dst[3] = {p->name, p->gm, p->wk};
        for (int j = 0; j < 3; j++) {
            if (cols[j] < 0)
                continue;
            s = cell_text(t, (size_t)cols[j], r, buf, sizeof(buf));
            if (s && !(dst[j][r] = lb_core_strdup_trim(s)))
                return nomem(ctx);
        }
    }
    return LB_OK;
}

/* Per row: the year from column @p c_year, or @p fallback when the column is absent or the
 * cell is empty (fallback 0 makes an empty cell an error). */
static lb_status read_years(lb_ctx *ctx, part *p, const lb_vlayer *t, long c_year, int fallback)
{
    for (size_t r = 0; r < t->n; r++) {
        double v = NAN;
        int got = c_year >= 0 ? cell_number(t, (size_t)c_year, r, &v) : 0;
        char wh[64], buf[64];
        if (got < 0 || (got > 0 && (v != floor(v) || v < 1000 || v > 9999))) {
            const char *txt = cell_text(t, (size_t)c_year, r, buf, sizeof(buf));
            return lb_ctx_error(ctx, LB_ERR_DATA, "%s: %s: year '%s' is not a year", p->description,
                                row_where(p, r, wh, sizeof(wh)), txt ? txt : "?");
        }
        if (got == 0 && !fallback)
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "%s: %s has no year; give the year of the rows (--from-year / "
                                "--to-year)",
                                p->description, row_where(p, r, wh, sizeof(wh)));
        p->year[r] = got > 0 ? (int)v : fallback;
    }
    return LB_OK;
}

/* Read numeric column @p c into dst[r * stride] for every row; text that is no number is an
 * error naming the row and field. */
static lb_status read_numbers(lb_ctx *ctx, const part *p, const lb_vlayer *t, size_t c, double *dst,
                              size_t stride)
{
    for (size_t r = 0; r < t->n; r++) {
        double v;
        int k = cell_number(t, c, r, &v);
        if (k < 0) {
            char wh[64];
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "%s: %s, field '%s': '%s' %s (missing values are empty, NA, '.' or "
                                "'x')",
                                p->description, row_where(p, r, wh, sizeof(wh)), t->fields[c].name,
                                t->fields[c].str[r],
                                k == -2
                                    ? "could be a number with three decimals or one with a "
                                      "thousands separator, and the file shows no decimal "
                                      "separator elsewhere; write it without thousands separators"
                                    : "is not a number");
        }
        dst[r * stride] = v;
    }
    return LB_OK;
}

/* Geometry of the rows: the layer's own polygons (matched by feature id). */
static lb_status own_geometry(lb_ctx *ctx, part *p, const lb_vlayer *t, const char *s_srs)
{
    lb_source src = {"scores", t->path, t->layer, s_srs};
    lb_status st = lb_vlayer_read(ctx, &src, NULL, &p->geom);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "%s: ", p->description);
    if (p->geom->kind != LB_GEOM_POLYGON)
        return lb_ctx_error(ctx, LB_ERR_DATA, "%s: the units must be polygons", p->description);
    /* Both readers walk the layer in the same order; match by fid all the same. */
    size_t k = 0;
    for (size_t r = 0; r < t->n; r++) {
        if (k < p->geom->n && p->geom->fid[k] == t->fid[r]) {
            p->feat[r] = k++;
            continue;
        }
        for (size_t j = 0; j < p->geom->n; j++)
            if (p->geom->fid[j] == t->fid[r]) {
                p->feat[r] = j;
                k = j + 1;
                break;
            }
    }
    return LB_OK;
}

/* Text of field @p f of feature k ("%.15g" for numbers); NULL when missing. */
static const char *field_text(const lb_field *f, size_t k, char *buf, size_t size)
{
    if (f->is_string)
        return f->str[k];
    if (isnan(f->num[k]))
        return NULL;
    snprintf(buf, size, "%.15g", f->num[k]);
    return buf;
}

/* Split PATH[:LAYER] as the command line gives it: the layer is split off at the last ':'
 * unless the whole string names a file. */
static lb_status split_path_layer(lb_ctx *ctx, const char *spec, char **path, char **layer)
{
    *path = lb_core_strdup(spec);
    *layer = NULL;
    if (!*path)
        return nomem(ctx);
    struct stat sb;
    char *colon = strrchr(*path, ':');
    if (colon && stat(*path, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        if (!(*layer = lb_core_strdup(colon + 1)))
            return nomem(ctx);
    }
    return LB_OK;
}

/* Geometry joined from another polygon file on the id. Without @p id_field, the field whose
 * values match the most unit ids is taken (a PC4 layer's "postcode" rather than its "id"). */
static lb_status joined_geometry(lb_ctx *ctx, part *p, const lb_score_source *src)
{
    char *gpath = NULL, *glayer = NULL;
    lb_status st = split_path_layer(ctx, src->geometry, &gpath, &glayer);
    struct lb_idmap *ids = calloc(1, sizeof(*ids));
    char **uid = calloc(p->n_rows ? p->n_rows : 1, sizeof(char *));
    long *row_of = malloc((p->n_rows ? p->n_rows : 1) * sizeof(long));
    size_t n_ids = 0;
    if (st == LB_OK && (!ids || !uid || !row_of))
        st = nomem(ctx);
    if (st == LB_OK) {
        lb_source gs = {"geometry", gpath, glayer, src->s_srs};
        st = lb_vlayer_read(ctx, &gs, NULL, &p->geom);
    }
    if (st == LB_OK && p->geom->kind != LB_GEOM_POLYGON)
        st = lb_ctx_error(ctx, LB_ERR_DATA, "geometry '%s' layer '%s': the units must be polygons",
                          gpath, p->geom->layer);
    /* Distinct unit ids of the table. */
    for (size_t r = 0; st == LB_OK && r < p->n_rows; r++) {
        if (idmap_find(ids, uid, p->id[r]) >= 0)
            continue;
        uid[n_ids] = p->id[r];
        row_of[n_ids] = (long)r;
        if (!idmap_insert(ids, uid, n_ids + 1, (long)n_ids))
            st = nomem(ctx);
        n_ids++;
    }
    const lb_field *best = NULL;
    size_t best_hits = 0;
    const lb_vlayer *g = p->geom;
    for (size_t f = 0; st == LB_OK && f < g->n_fields; f++) {
        const lb_field *fl = &g->fields[f];
        if (src->geometry_id && strcasecmp(fl->name, src->geometry_id) != 0)
            continue;
        size_t hits = 0;
        for (size_t k = 0; k < g->n; k++) {
            char buf[64];
            char *s = lb_core_strdup_trim(field_text(fl, k, buf, sizeof(buf)));
            hits += s && idmap_find(ids, uid, s) >= 0;
            free(s);
        }
        if (!best || hits > best_hits) {
            best = fl;
            best_hits = hits;
        }
    }
    if (st == LB_OK && !best) {
        char list[768] = "";
        for (size_t f = 0; f < g->n_fields; f++)
            lb_core_list_append(list, sizeof(list), g->fields[f].name);
        st = lb_ctx_error(ctx, LB_ERR_DATA, "geometry '%s' layer '%s': no field '%s' (fields: %s)",
                          gpath, g->layer, src->geometry_id ? src->geometry_id : "", list);
    }
    if (st == LB_OK && best_hits == 0)
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "geometry '%s' layer '%s': no polygon's %s matches a unit id of %s (e.g. "
                          "'%s'); pass the id field of the polygons",
                          gpath, g->layer, src->geometry_id ? src->geometry_id : "fields",
                          p->description, uid[0]);
    size_t *feat_of = st == LB_OK ? malloc(n_ids * sizeof(size_t)) : NULL;
    if (st == LB_OK && !feat_of)
        st = nomem(ctx);
    size_t dup = 0, unused = 0;
    for (size_t u = 0; st == LB_OK && u < n_ids; u++)
        feat_of[u] = SIZE_MAX;
    for (size_t k = 0; st == LB_OK && k < g->n; k++) {
        char buf[64];
        char *s = lb_core_strdup_trim(field_text(best, k, buf, sizeof(buf)));
        long u = s ? idmap_find(ids, uid, s) : -1;
        free(s);
        if (u < 0)
            unused++;
        else if (feat_of[u] != SIZE_MAX)
            dup++;
        else
            feat_of[u] = k;
    }
    size_t unmatched = 0;
    char examples[256] = "";
    for (size_t u = 0; st == LB_OK && u < n_ids; u++)
        if (feat_of[u] == SIZE_MAX && unmatched++ < 5)
            lb_core_list_append(examples, sizeof(examples), uid[u]);
    for (size_t r = 0; st == LB_OK && r < p->n_rows; r++)
        p->feat[r] = feat_of[idmap_find(ids, uid, p->id[r])];
    if (st == LB_OK) {
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "%s: joined %zu of %zu units to polygons of '%s' on field '%s' (%zu polygons "
                   "without a unit)",
                   p->description, n_ids - unmatched, n_ids, gpath, best->name, unused);
        if (unmatched)
            lb_ctx_log(ctx, LB_LOG_WARN, "%s: %zu unit(s) have no polygon in '%s' (e.g. %s)",
                       p->description, unmatched, gpath, examples);
        if (dup)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "geometry '%s': %zu polygon(s) repeat an id already seen; the first is used",
                       gpath, dup);
    }
    (void)row_of;
    free(feat_of);
    free(row_of);
    free(uid);
    idmap_free(ids);
    free(gpath);
    free(glayer);
    return st;
}

/* Is column @p name of a published table something other than a dimension score? */
static int is_non_dimension(const char *name)
{
    static const char *const exact[] = {
        "lbm",  "afw", "kscore", "weight", "fid",  "index",   "rownames", "ogc_fid",  "postcode",
        "code", "pc4", "pc6",    "year",   "jaar", "n_cells", "flags",    "n_imputed"};
    static const char *const prefixes[] = {"k_", "klasse", "class", "unnamed", "x_", "c_"};
    if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
        return 1; /* "1", "" or "_": a row number column (as in some CSV exports) */
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
        if (strcasecmp(name, exact[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    size_t n = strlen(name);
    if ((n >= 5 && strcasecmp(name + n - 5, "_code") == 0) ||
        (n >= 4 &&
         (strcasecmp(name + n - 4, "naam") == 0 || strcasecmp(name + n - 4, "name") == 0)))
        return 1;
    return 0;
}

/* A published table: one row per unit and year. */
static lb_status read_table(lb_ctx *ctx, const lb_score_source *src, part *p)
{
    lb_vlayer *t = NULL;
    lb_status st = read_table_rows(ctx, src->path, src->layer, src->s_srs, &t);
    if (st != LB_OK)
        return st;
    p->is_published = 1;
    p->path = lb_core_strdup(src->path);
    p->layer = lb_core_strdup(t->layer);
    p->description = lb_core_strfmt("table '%s'", src->path);
    p->data_line = csv_data_line(src->path);
    p->ref = NAN;
    char cols[1024];
    column_list(t, cols, sizeof(cols));
    long c_id = src->id_field ? table_col(t, src->id_field)
                              : find_col(t, id_cands, sizeof(id_cands) / sizeof(id_cands[0]));
    if (!p->path || !p->layer || !p->description) {
        st = nomem(ctx);
        goto done;
    }
    if (c_id < 0) {
        if (src->id_field)
            st = lb_ctx_error(ctx, LB_ERR_DATA, "%s: no id column '%s' (columns: %s)",
                              p->description, src->id_field, cols);
        else
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "%s: no id column (looked for BU_CODE, PC6, WK_CODE, PC4, GM_CODE, "
                              "CODE, id; columns: %s); name it with --id-field",
                              p->description, cols);
        goto done;
    }
    static const char *const year_cands[] = {"year", "jaar"};
    long c_year = src->year_field ? table_col(t, src->year_field) : find_col(t, year_cands, 2);
    if (src->year_field && c_year < 0) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "%s: no year column '%s' (columns: %s)", p->description,
                          src->year_field, cols);
        goto done;
    }
    if (c_year < 0 && !src->year) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "%s: no year column (year, jaar; columns: %s); give the year of its rows",
                          p->description, cols);
        goto done;
    }
    long c_lbm = table_col(t, "lbm"), c_afw = table_col(t, "afw");
    if (c_lbm < 0 && c_afw < 0) {
        st =
            lb_ctx_error(ctx, LB_ERR_DATA, "%s: neither an 'lbm' nor an 'afw' column (columns: %s)",
                         p->description, cols);
        goto done;
    }
    long c_w = src->weight_field ? table_col(t, src->weight_field) : table_col(t, "weight");
    if (src->weight_field && c_w < 0) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "%s: no weight column '%s' (columns: %s)",
                          p->description, src->weight_field, cols);
        goto done;
    }
    /* Dimensions: the other columns holding numbers, in file order. */
    size_t *dcol = calloc(t->n_fields ? t->n_fields : 1, sizeof(size_t));
    p->dim_code = calloc(t->n_fields ? t->n_fields : 1, sizeof(char *));
    p->dim_label = calloc(t->n_fields ? t->n_fields : 1, sizeof(char *));
    if (!dcol || !p->dim_code || !p->dim_label) {
        free(dcol);
        st = nomem(ctx);
        goto done;
    }
    for (size_t c = 0; c < t->n_fields; c++) {
        if ((long)c == c_id || (long)c == c_year || (long)c == c_w ||
            is_non_dimension(t->fields[c].name))
            continue;
        size_t n_num = 0, n_text = 0;
        for (size_t r = 0; r < t->n; r++) {
            double v;
            int k = cell_number(t, c, r, &v);
            n_num += k > 0;
            n_text += k < 0;
        }
        if (n_num == 0) /* a text column (or empty): not a score */
            continue;
        dcol[p->n_dims] = c;
        p->dim_code[p->n_dims] = lb_core_strdup(t->fields[c].name);
        p->dim_label[p->n_dims] = lb_core_strdup(known_label(t->fields[c].name));
        if (!p->dim_code[p->n_dims++] || !p->dim_label[p->n_dims - 1]) {
            free(dcol);
            st = nomem(ctx);
            goto done;
        }
    }
    size_t n_out = 2 + p->n_dims;
    st = part_alloc_rows(ctx, p, t->n);
    if (st == LB_OK && !(p->id_field = lb_core_strdup(t->fields[c_id].name)))
        st = nomem(ctx);
    if (st == LB_OK && c_w >= 0 && !(p->weight_name = lb_core_strdup(t->fields[c_w].name)))
        st = nomem(ctx);
    if (st == LB_OK)
        st = read_ids(ctx, p, t, c_id);
    if (st == LB_OK)
        st = read_years(ctx, p, t, c_year, src->year);
    if (st == LB_OK && c_lbm >= 0)
        st = read_numbers(ctx, p, t, (size_t)c_lbm, p->val + LB_OUT_LBM, n_out);
    if (st == LB_OK && c_afw >= 0)
        st = read_numbers(ctx, p, t, (size_t)c_afw, p->val + LB_OUT_AFW, n_out);
    for (size_t d = 0; st == LB_OK && d < p->n_dims; d++)
        st = read_numbers(ctx, p, t, dcol[d], p->val + LB_OUT_DIM0 + d, n_out);
    if (st == LB_OK && c_w >= 0)
        st = read_numbers(ctx, p, t, (size_t)c_w, p->w, 1);
    free(dcol);
    /* REF = lbm − afw is one constant per release; take the median, say when it varies. */
    if (st == LB_OK && c_lbm >= 0 && c_afw >= 0) {
        double *dv = malloc(p->n_rows * sizeof(double));
        size_t nd = 0;
        if (!dv) {
            st = nomem(ctx);
            goto done;
        }
        for (size_t r = 0; r < p->n_rows; r++) {
            double a = p->val[r * n_out + LB_OUT_LBM], b = p->val[r * n_out + LB_OUT_AFW];
            if (!isnan(a) && !isnan(b)) {
                /* insertion into sorted order: tables are small, and this keeps it exact */
                size_t k = nd++;
                while (k > 0 && dv[k - 1] > a - b) {
                    dv[k] = dv[k - 1];
                    k--;
                }
                dv[k] = a - b;
            }
        }
        if (nd) {
            p->ref = nd % 2 ? dv[nd / 2] : 0.5 * (dv[nd / 2 - 1] + dv[nd / 2]);
            if (dv[nd - 1] - dv[0] > 1e-6)
                lb_ctx_log(ctx, LB_LOG_WARN,
                           "%s: lbm − afw varies between rows (%.6f … %.6f); REF is taken as the "
                           "median %.6f",
                           p->description, dv[0], dv[nd - 1], p->ref);
        }
        free(dv);
    }
    if (st == LB_OK && t->has_geometry)
        st = own_geometry(ctx, p, t, src->s_srs);
    else if (st == LB_OK && src->geometry)
        st = joined_geometry(ctx, p, src);
done:
    lb_vlayer_destroy(t);
    return st;
}

/* ---- our own runs ------------------------------------------------------------------------- */

static const char *json_str(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v) || !v ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static struct json_object *json_get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static double json_num(struct json_object *o, const char *key)
{
    struct json_object *v = json_get(o, key);
    if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
        return NAN;
    return json_object_get_double(v);
}

/* M_d of one reference block into mean[0..n_dims) (NaN where absent). */
static void means_from(struct json_object *ref, const part *p, double *mean)
{
    struct json_object *m = json_get(ref, "means");
    for (size_t d = 0; d < p->n_dims; d++)
        mean[d] = json_num(m, p->dim_code[d]);
}

/* The model of a run: its file when still there (and with the run's dimensions), else the
 * defaults with a warning. Indicators come from run.json when it lists them. */
static lb_status run_model(lb_ctx *ctx, part *p, struct json_object *doc)
{
    struct json_object *mj = json_get(doc, "model");
    const char *mpath = json_str(mj, "path"), *mhash = json_str(mj, "sha256");
    struct stat sb;
    if (mpath && stat(mpath, &sb) == 0) {
        lb_model *m = NULL;
        lb_status st = lb_model_load(ctx, mpath, &m);
        int same = st == LB_OK && m->n_dims == p->n_dims;
        for (size_t d = 0; same && d < p->n_dims; d++)
            same = strcmp(m->dims[d].code, p->dim_code[d]) == 0;
        if (same) {
            if (mhash && strcmp(mhash, m->hash) != 0)
                lb_ctx_log(ctx, LB_LOG_WARN,
                           "%s: the model file '%s' changed since the run (sha256 %.12s…, now "
                           "%.12s…); its labels and class tables are used",
                           p->description, mpath, mhash, m->hash);
            p->model = m;
        } else {
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "%s: the model file '%s' %s; the default class tables are used",
                       p->description, mpath,
                       st == LB_OK ? "no longer has the run's dimensions" : "cannot be loaded");
            lb_model_destroy(m);
        }
    } else {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "%s: the model file '%s' is gone; the default class tables and dimension codes "
                   "as labels are used",
                   p->description, mpath ? mpath : "(not recorded)");
    }
    for (size_t d = 0; d < p->n_dims; d++) {
        const char *label = p->model ? p->model->dims[d].label : known_label(p->dim_code[d]);
        if (!(p->dim_label[d] = lb_core_strdup(label)))
            return nomem(ctx);
    }
    /* Indicators: run.json's list (complete even when the model file is gone), else the
     * model's. */
    struct json_object *inds = json_get(mj, "indicators");
    size_t n = inds && json_object_is_type(inds, json_type_array)
                   ? json_object_array_length(inds)
                   : (p->model ? p->model->n_ind : 0);
    p->ind_id = calloc(n ? n : 1, sizeof(char *));
    p->ind_label = calloc(n ? n : 1, sizeof(char *));
    p->ind_dim = calloc(n ? n : 1, sizeof(int));
    if (!p->ind_id || !p->ind_label || !p->ind_dim)
        return nomem(ctx);
    p->n_ind = n;
    for (size_t i = 0; i < n; i++) {
        const char *id, *label, *dim;
        if (inds && json_object_is_type(inds, json_type_array)) {
            struct json_object *o = json_object_array_get_idx(inds, i);
            id = json_str(o, "id");
            label = json_str(o, "label");
            dim = json_str(o, "dimension");
        } else {
            id = p->model->ind[i].id;
            label = p->model->ind[i].label;
            dim = p->model->ind[i].dimension;
        }
        p->ind_dim[i] = -1;
        for (size_t d = 0; dim && d < p->n_dims; d++)
            if (strcmp(dim, p->dim_code[d]) == 0)
                p->ind_dim[i] = (int)d;
        if (!id || p->ind_dim[i] < 0)
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "%s: run.json lists indicator %zu without an id or with an unknown "
                                "dimension",
                                p->description, i + 1);
        if (!(p->ind_id[i] = lb_core_strdup(id)) ||
            !(p->ind_label[i] = lb_core_strdup(label ? label : id)))
            return nomem(ctx);
    }
    return LB_OK;
}

/* The values of a "means" object at @p where: numbers, or null for a dimension without
 * scores. */
static lb_status check_means(lb_ctx *ctx, const char *file, struct json_object *means,
                             const char *where)
{
    json_object_object_foreach(means, key, val)
    {
        struct json_object *v = NULL;
        (void)val;
        lb_status st = lb_io_json_member(ctx, file, means, where, key, json_type_double, 0, &v);
        if (st != LB_OK)
            return st;
    }
    return LB_OK;
}

/* A year member: absent, or a whole number 1000..9999 (cast to int only when it is one). */
static lb_status check_year(lb_ctx *ctx, const char *file, struct json_object *o, const char *where,
                            const char *key)
{
    struct json_object *v = NULL;
    lb_status st = lb_io_json_member(ctx, file, o, where, key, json_type_double, 0, &v);
    if (st != LB_OK || !v)
        return st;
    double y = json_object_get_double(v);
    if (!(y >= 1000 && y <= 9999 && y == floor(y)))
        return lb_ctx_error(ctx, LB_ERR_DATA, "'%s': %s%s%s is %g, not a year", file, where,
                            where[0] ? "." : "", key, y);
    return LB_OK;
}

/* Every member of run.json this reader uses, type-checked before any is read: a file that was
 * not written by leefbaar score (or was edited) gets an error naming the file and the JSON path
 * instead of a crash or numbers read from the wrong type. */
static lb_status check_run_json(lb_ctx *ctx, const char *file, struct json_object *doc)
{
    struct json_object *tool = NULL, *opt = NULL, *ref = NULL, *means = NULL, *model = NULL,
                       *inds = NULL, *years = NULL, *v = NULL;
    lb_status st = lb_io_json_member(ctx, file, doc, "", "tool", json_type_string, 1, &tool);
    if (st == LB_OK && strcmp(json_object_get_string(tool), "leefbaar") != 0)
        return lb_ctx_error(ctx, LB_ERR_DATA, "'%s': tool is '%s', not 'leefbaar'", file,
                            json_object_get_string(tool));
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "version", json_type_string, 0, &v);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "options", json_type_object, 1, &opt);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, opt, "options", "units", json_type_string, 1, &v);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, opt, "options", "id_field", json_type_string, 0, &v);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, opt, "options", "weight", json_type_string, 0, &v);
    if (st == LB_OK)
        st = check_year(ctx, file, opt, "options", "year");
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "reference", json_type_object, 1, &ref);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, ref, "reference", "means", json_type_object, 1, &means);
    if (st == LB_OK && json_object_object_length(means) == 0)
        st = lb_ctx_error(ctx, LB_ERR_DATA, "'%s': reference.means names no dimension", file);
    if (st == LB_OK)
        st = check_means(ctx, file, means, "reference.means");
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, ref, "reference", "ref", json_type_double, 0, &v);
    if (st == LB_OK)
        st = check_year(ctx, file, ref, "reference", "year");
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, ref, "reference", "mode", json_type_string, 0, &v);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "model", json_type_object, 0, &model);
    static const char *const mkeys[] = {"path", "sha256", "name"};
    for (size_t k = 0; st == LB_OK && k < 3; k++)
        st = lb_io_json_member(ctx, file, model, "model", mkeys[k], json_type_string, 0, &v);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, model, "model", "indicators", json_type_array, 0, &inds);
    for (size_t i = 0; st == LB_OK && inds && i < json_object_array_length(inds); i++) {
        char where[64];
        snprintf(where, sizeof(where), "model.indicators[%zu]", i);
        struct json_object *o = json_object_array_get_idx(inds, i);
        if (!json_object_is_type(o, json_type_object)) {
            st = lb_ctx_error(ctx, LB_ERR_DATA, "'%s': %s is not an object", file, where);
            break;
        }
        static const char *const ikeys[] = {"id", "label", "dimension"};
        for (size_t k = 0; st == LB_OK && k < 3; k++)
            st = lb_io_json_member(ctx, file, o, where, ikeys[k], json_type_string, k != 1, &v);
    }
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "years", json_type_array, 0, &years);
    for (size_t j = 0; st == LB_OK && years && j < json_object_array_length(years); j++) {
        char where[64], rwhere[80];
        snprintf(where, sizeof(where), "years[%zu]", j);
        snprintf(rwhere, sizeof(rwhere), "years[%zu].reference", j);
        struct json_object *y = json_object_array_get_idx(years, j), *yr = NULL, *ym = NULL;
        if (!json_object_is_type(y, json_type_object)) {
            st = lb_ctx_error(ctx, LB_ERR_DATA, "'%s': %s is not an object", file, where);
            break;
        }
        st = check_year(ctx, file, y, where, "year");
        if (st == LB_OK)
            st = lb_io_json_member(ctx, file, y, where, "reference", json_type_object, 0, &yr);
        if (st == LB_OK)
            st = lb_io_json_member(ctx, file, yr, rwhere, "means", json_type_object, 0, &ym);
        if (st == LB_OK && ym) {
            char mwhere[96];
            snprintf(mwhere, sizeof(mwhere), "%s.means", rwhere);
            st = check_means(ctx, file, ym, mwhere);
        }
    }
    return st;
}

/* Our own run: run.json + the units layer of scores.gpkg (all years it holds). */
static lb_status read_run(lb_ctx *ctx, const lb_score_source *src, const char *json_path,
                          const char *dir, part *p)
{
    struct json_object *doc = NULL;
    lb_status st = lb_io_json_read_object(ctx, json_path, &doc);
    if (st != LB_OK)
        return st;
    lb_vlayer *t = NULL;
    st = check_run_json(ctx, json_path, doc);
    if (st != LB_OK)
        goto done;
    struct json_object *opt = json_get(doc, "options"), *ref = json_get(doc, "reference");
    const char *units = json_str(opt, "units");
    const char *layer = src->layer ? src->layer : units;
    int is_grid = strcmp(layer, "grid") == 0;
    const char *model_name = json_str(json_get(doc, "model"), "name");
    p->description = lb_core_strfmt("run '%s' (leefbaar %s, model %s)", dir,
                                    json_str(doc, "version") ? json_str(doc, "version") : "?",
                                    model_name ? model_name : "?");
    p->path = lb_core_strfmt("%s/scores.gpkg", dir);
    if (!p->description || !p->path) {
        st = nomem(ctx);
        goto done;
    }
    st = read_table_rows(ctx, p->path, layer, NULL, &t);
    if (st != LB_OK) {
        lb_ctx_error_prefix(ctx, st, "%s: ", p->description);
        goto done;
    }
    p->layer = lb_core_strdup(t->layer);
    char cols[1024];
    column_list(t, cols, sizeof(cols));
    const char *id_name = is_grid ? "cell_id" : json_str(opt, "id_field");
    if (!id_name)
        id_name = "fid";
    if (src->id_field)
        id_name = src->id_field;
    long c_id = table_col(t, id_name);
    if (c_id < 0) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "%s: layer '%s' has no id column '%s' (columns: %s)",
                          p->description, t->layer, id_name, cols);
        goto done;
    }
    /* The dimensions are the codes of the reference means, in the run's order. */
    struct json_object *means = json_get(ref, "means");
    size_t nd = (size_t)json_object_object_length(means); /* an object: check_run_json */
    p->dim_code = calloc(nd ? nd : 1, sizeof(char *));
    p->dim_label = calloc(nd ? nd : 1, sizeof(char *));
    size_t *dcol = calloc(nd ? nd : 1, sizeof(size_t));
    if (!p->dim_code || !p->dim_label || !dcol) {
        free(dcol);
        st = nomem(ctx);
        goto done;
    }
    json_object_object_foreach(means, key, val)
    {
        (void)val;
        long c = table_col(t, key);
        if (c < 0) {
            free(dcol);
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "%s: layer '%s' has no column for dimension '%s' (columns: %s)",
                              p->description, t->layer, key, cols);
            goto done;
        }
        dcol[p->n_dims] = (size_t)c;
        if (!(p->dim_code[p->n_dims++] = lb_core_strdup(key))) {
            free(dcol);
            st = nomem(ctx);
            goto done;
        }
    }
    st = run_model(ctx, p, doc);
    size_t n_out = 2 + p->n_dims;
    if (st == LB_OK)
        st = part_alloc_rows(ctx, p, t->n);
    if (st == LB_OK && !(p->id_field = lb_core_strdup(t->fields[c_id].name)))
        st = nomem(ctx);
    const char *wname = json_str(opt, "weight");
    if (st == LB_OK && wname && !(p->weight_name = lb_core_strdup(wname)))
        st = nomem(ctx);
    if (st == LB_OK)
        st = read_ids(ctx, p, t, c_id);
    int run_year = (int)(isnan(json_num(opt, "year")) ? 0 : json_num(opt, "year"));
    if (st == LB_OK)
        st = read_years(ctx, p, t, table_col(t, "year"), src->year ? src->year : run_year);
    const char *fixed[2] = {"lbm", "afw"};
    for (int k = 0; st == LB_OK && k < 2; k++) {
        long c = table_col(t, fixed[k]);
        if (c < 0)
            st = lb_ctx_error(ctx, LB_ERR_DATA, "%s: layer '%s' has no column '%s' (columns: %s)",
                              p->description, t->layer, fixed[k], cols);
        else
            st = read_numbers(ctx, p, t, (size_t)c, p->val + k, n_out);
    }
    for (size_t d = 0; st == LB_OK && d < p->n_dims; d++)
        st = read_numbers(ctx, p, t, dcol[d], p->val + LB_OUT_DIM0 + d, n_out);
    free(dcol);
    long c_w = table_col(t, "weight");
    if (st == LB_OK && c_w >= 0)
        st = read_numbers(ctx, p, t, (size_t)c_w, p->w, 1);
    /* Indicator columns x_<id> (raw) and c_<id> (contribution), when the run wrote them. */
    for (size_t i = 0; st == LB_OK && i < p->n_ind; i++) {
        char name[128];
        snprintf(name, sizeof(name), "x_%s", p->ind_id[i]);
        long c = table_col(t, name);
        if (c >= 0)
            st = read_numbers(ctx, p, t, (size_t)c, p->raw + i, p->n_ind);
        snprintf(name, sizeof(name), "c_%s", p->ind_id[i]);
        c = table_col(t, name);
        if (st == LB_OK && c >= 0)
            st = read_numbers(ctx, p, t, (size_t)c, p->contrib + i, p->n_ind);
    }
    /* The reference: REF and M_d; per_year runs of several years list one per year. */
    p->ref = json_num(ref, "ref");
    p->ref_year = isnan(json_num(ref, "year")) ? 0 : (int)json_num(ref, "year");
    p->ref_fixed = json_str(ref, "mode") && strcmp(json_str(ref, "mode"), "fixed") == 0;
    struct json_object *years = json_get(doc, "years");
    size_t ny =
        years && json_object_is_type(years, json_type_array) ? json_object_array_length(years) : 0;
    p->myear = calloc(ny + 1, sizeof(int));
    p->mean = malloc((ny + 1) * (p->n_dims ? p->n_dims : 1) * sizeof(double));
    if (st == LB_OK && (!p->myear || !p->mean))
        st = nomem(ctx);
    if (st == LB_OK) {
        means_from(ref, p, p->mean); /* myear[0] = 0: every year */
        p->n_myears = 1;
        for (size_t j = 0; j < ny; j++) {
            struct json_object *y = json_object_array_get_idx(years, j);
            struct json_object *yr = json_get(y, "reference");
            double yv = json_num(y, "year");
            if (!yr || isnan(yv))
                continue;
            p->myear[p->n_myears] = (int)yv;
            means_from(yr, p, p->mean + p->n_myears * p->n_dims);
            p->n_myears++;
        }
    }
    if (st == LB_OK && t->has_geometry)
        st = own_geometry(ctx, p, t, NULL);
done:
    lb_vlayer_destroy(t);
    json_object_put(doc);
    return st;
}

int lb_scores_run_paths(const char *path, char **json_path, char **dir)
{
    *json_path = *dir = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    if (S_ISDIR(sb.st_mode)) {
        *json_path = lb_core_strfmt("%s/run.json", path);
        *dir = lb_core_strdup(path);
        return *json_path && stat(*json_path, &sb) == 0;
    }
    size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 5, ".json") != 0)
        return 0;
    /* A JSON file: a run.json when its tool member says so. */
    struct json_object *doc = json_object_from_file(path);
    const char *tool = json_str(doc, "tool");
    int yes = tool && strcmp(tool, "leefbaar") == 0 && json_get(doc, "reference");
    json_object_put(doc);
    if (!yes)
        return 0;
    *json_path = lb_core_strdup(path);
    const char *slash = strrchr(path, '/');
    *dir = slash ? lb_core_strfmt("%.*s", (int)(slash - path), path) : lb_core_strdup(".");
    return *json_path && *dir;
}

static lb_status read_part(lb_ctx *ctx, const lb_score_source *src, part *p)
{
    if (!src || !src->path)
        return lb_ctx_error(ctx, LB_ERR_ARG, "scores: a source needs a path");
    char *json_path = NULL, *dir = NULL;
    lb_status st;
    if (lb_scores_run_paths(src->path, &json_path, &dir))
        st = read_run(ctx, src, json_path, dir, p);
    else
        st = read_table(ctx, src, p);
    free(json_path);
    free(dir);
    return st;
}

/* ---- merging ------------------------------------------------------------------------------ */

void lb_scoreset_destroy(lb_scoreset *s)
{
    if (!s)
        return;
    free(s->description);
    free(s->id_field);
    free_strv(s->id, s->n_units);
    free_strv(s->name, s->n_units);
    free_strv(s->gm_code, s->n_units);
    free_strv(s->wk_code, s->n_units);
    lb_vlayer_destroy(s->geom);
    free(s->geom_row);
    free_strv(s->dim_code, s->n_dims);
    free_strv(s->dim_label, s->n_dims);
    free(s->years);
    free(s->value);
    free(s->weight);
    free(s->weight_name);
    for (size_t k = 0; k < LB_N_CLASSES; k++) {
        free(s->class_labels[k]);
        free(s->class_colours[k]);
    }
    for (size_t k = 0; k < LB_MAX_DEV_CLASSES; k++) {
        free(s->dev_labels[k]);
        free(s->dev_colours[k]);
    }
    free_strv(s->ind_id, s->n_ind);
    free_strv(s->ind_label, s->n_ind);
    free(s->ind_dim);
    free(s->raw);
    free(s->contrib);
    free(s->dim_mean);
    free(s->dim_bands);
    idmap_free(s->idmap);
    free(s);
}

int lb_scoreset_year_index(const lb_scoreset *s, int year)
{
    for (size_t t = 0; t < s->n_years; t++)
        if (s->years[t] == year)
            return (int)t;
    return -1;
}

long lb_scoreset_unit_index(const lb_scoreset *s, const char *id)
{
    return idmap_find(s->idmap, s->id, id);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Class tables of the first run with a model, else the Leefbaarometer defaults. */
static lb_status class_tables(lb_ctx *ctx, lb_scoreset *s, const part *parts, size_t n)
{
    const lb_model *m = NULL;
    for (size_t i = 0; i < n && !m; i++)
        m = parts[i].model;
    memcpy(s->thresholds, m ? m->thresholds : lb_default_thresholds, sizeof(s->thresholds));
    for (size_t k = 0; k < LB_N_CLASSES; k++)
        if (!(s->class_labels[k] =
                  lb_core_strdup(m ? m->class_labels[k] : lb_default_class_labels[k])) ||
            !(s->class_colours[k] =
                  lb_core_strdup(m ? m->class_colours[k] : lb_default_class_colours[k])))
            return nomem(ctx);
    lb_dev_table def;
    lb_dev_table_default(7, &def);
    s->n_dev_cuts = m ? m->n_dev_cuts : def.n_cuts;
    memcpy(s->dev_cuts, m ? m->dev_cuts : def.cuts, s->n_dev_cuts * sizeof(double));
    for (size_t k = 0; k <= s->n_dev_cuts; k++)
        if (!(s->dev_labels[k] = lb_core_strdup(m ? m->dev_labels[k] : def.labels[k])) ||
            !(s->dev_colours[k] = lb_core_strdup(m ? m->dev_colours[k] : def.colours[k])))
            return nomem(ctx);
    if (!(s->dim_bands = malloc((s->n_dims ? s->n_dims : 1) * LB_N_THRESHOLDS * sizeof(double))))
        return nomem(ctx);
    for (size_t d = 0; d < s->n_dims; d++) {
        double *b = s->dim_bands + d * LB_N_THRESHOLDS;
        lb_model_default_bands(m, b);
        for (size_t j = 0; m && j < m->n_dims; j++)
            if (m->dims[j].has_bands && strcasecmp(m->dims[j].code, s->dim_code[d]) == 0)
                memcpy(b, m->dims[j].bands, LB_N_THRESHOLDS * sizeof(double));
    }
    return LB_OK;
}

/* One polygon per unit that has one, copied out of the sources' layers. */
static lb_status gather_geometry(lb_ctx *ctx, lb_scoreset *s, const lb_vlayer **lay,
                                 const size_t *feat)
{
    size_t nf = 0, nr = 0, np = 0;
    for (size_t u = 0; u < s->n_units; u++) {
        s->geom_row[u] = SIZE_MAX;
        if (!lay[u])
            continue;
        const lb_vlayer *l = lay[u];
        size_t f = feat[u];
        nf++;
        nr += l->ring_start[f + 1] - l->ring_start[f];
        np += l->ring_pt_start[l->ring_start[f + 1]] - l->ring_pt_start[l->ring_start[f]];
    }
    if (nf == 0)
        return LB_OK;
    lb_vlayer *g = calloc(1, sizeof(*g));
    if (!g)
        return nomem(ctx);
    s->geom = g;
    g->name = lb_core_strdup("units");
    g->path = lb_core_strdup(s->description);
    g->layer = lb_core_strdup("units");
    g->kind = LB_GEOM_POLYGON;
    g->fid = malloc(nf * sizeof(int64_t));
    g->wkb = calloc(nf, sizeof(unsigned char *));
    g->wkb_size = malloc(nf * sizeof(size_t));
    g->area_m2 = malloc(nf * sizeof(double));
    g->ring_start = malloc((nf + 1) * sizeof(size_t));
    g->ring_pt_start = malloc((nr + 1) * sizeof(size_t));
    g->ring_hole = malloc((nr ? nr : 1) * sizeof(int));
    g->ring_xy = malloc(2 * (np ? np : 1) * sizeof(double));
    g->fields = calloc(1, sizeof(lb_field));
    if (!g->name || !g->path || !g->layer || !g->fid || !g->wkb || !g->wkb_size || !g->area_m2 ||
        !g->ring_start || !g->ring_pt_start || !g->ring_hole || !g->ring_xy || !g->fields)
        return nomem(ctx);
    g->xmin = g->ymin = INFINITY;
    g->xmax = g->ymax = -INFINITY;
    size_t k = 0, rr = 0, pp = 0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (!lay[u])
            continue;
        const lb_vlayer *l = lay[u];
        size_t f = feat[u];
        g->fid[k] = l->fid[f];
        g->area_m2[k] = l->area_m2[f];
        g->wkb_size[k] = l->wkb_size[f];
        if (!(g->wkb[k] = malloc(l->wkb_size[f])))
            return nomem(ctx);
        g->n = k + 1;
        memcpy(g->wkb[k], l->wkb[f], l->wkb_size[f]);
        g->ring_start[k] = rr;
        for (size_t r = l->ring_start[f]; r < l->ring_start[f + 1]; r++) {
            g->ring_hole[rr] = l->ring_hole[r];
            g->ring_pt_start[rr++] = pp;
            for (size_t q = l->ring_pt_start[r]; q < l->ring_pt_start[r + 1]; q++) {
                double x = l->ring_xy[2 * q], y = l->ring_xy[2 * q + 1];
                g->ring_xy[2 * pp] = x;
                g->ring_xy[2 * pp + 1] = y;
                pp++;
                g->xmin = fmin(g->xmin, x);
                g->xmax = fmax(g->xmax, x);
                g->ymin = fmin(g->ymin, y);
                g->ymax = fmax(g->ymax, y);
            }
        }
        s->geom_row[u] = k++;
    }
    g->ring_start[k] = rr;
    g->ring_pt_start[rr] = pp;
    g->n_rings = rr;
    return LB_OK;
}

/* Position of each of @p p's dimension codes among the set's; LB_ERR_DATA when they differ. */
lb_status lb_scores_dims_match(lb_ctx *ctx, const char *desc_a, char *const *a, size_t na,
                               const char *desc_b, char *const *b, size_t nb, size_t *pos)
{
    int same = na == nb;
    for (size_t d = 0; same && d < nb; d++) {
        pos[d] = SIZE_MAX;
        for (size_t e = 0; e < na; e++)
            if (strcasecmp(b[d], a[e]) == 0)
                pos[d] = e;
        same = pos[d] != SIZE_MAX;
    }
    if (same)
        return LB_OK;
    char la[512] = "", lbuf[512] = "";
    for (size_t d = 0; d < na; d++)
        lb_core_list_append(la, sizeof(la), a[d]);
    for (size_t d = 0; d < nb; d++)
        lb_core_list_append(lbuf, sizeof(lbuf), b[d]);
    return lb_ctx_error(ctx, LB_ERR_DATA,
                        "%s has the dimensions (%s) but %s has (%s); only scores of the same model "
                        "can be compared",
                        desc_a, la, desc_b, lbuf);
}

/* Position of each of @p p's dimension codes among the set's. */
static lb_status match_dims(lb_ctx *ctx, const lb_scoreset *s, const part *p, size_t *pos)
{
    return lb_scores_dims_match(ctx, s->description, s->dim_code, s->n_dims, p->description,
                                p->dim_code, p->n_dims, pos);
}

static lb_status add_unit(lb_ctx *ctx, lb_scoreset *s, size_t *cap, const char *id, long *u)
{
    *u = idmap_find(s->idmap, s->id, id);
    if (*u >= 0)
        return LB_OK;
    if (s->n_units == *cap) {
        size_t nc = *cap ? 2 * *cap : 256;
        char **a = realloc(s->id, nc * sizeof(char *));
        if (!a)
            return nomem(ctx);
        s->id = a;
        *cap = nc;
    }
    if (!(s->id[s->n_units] = lb_core_strdup(id)))
        return nomem(ctx);
    *u = (long)s->n_units++;
    if (!idmap_insert(s->idmap, s->id, s->n_units, *u))
        return nomem(ctx);
    return LB_OK;
}

static lb_status build(lb_ctx *ctx, part *parts, size_t n, lb_scoreset *s)
{
    const part *p0 = &parts[0];
    lb_status st = LB_OK;
    /* Description, dimensions, units, years. */
    char desc[2048] = "";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(desc, " + ", sizeof(desc) - strlen(desc) - 1);
        strncat(desc, parts[i].description, sizeof(desc) - strlen(desc) - 1);
    }
    s->description = lb_core_strdup(desc);
    s->id_field = lb_core_strdup(p0->id_field);
    s->is_published = p0->is_published;
    s->n_dims = p0->n_dims;
    s->n_out = 2 + s->n_dims;
    s->dim_code = calloc(s->n_dims ? s->n_dims : 1, sizeof(char *));
    s->dim_label = calloc(s->n_dims ? s->n_dims : 1, sizeof(char *));
    s->idmap = calloc(1, sizeof(*s->idmap));
    if (!s->description || !s->id_field || !s->dim_code || !s->dim_label || !s->idmap)
        return nomem(ctx);
    for (size_t d = 0; d < s->n_dims; d++)
        if (!(s->dim_code[d] = lb_core_strdup(p0->dim_code[d])) ||
            !(s->dim_label[d] = lb_core_strdup(p0->dim_label[d])))
            return nomem(ctx);
    size_t cap = 0, n_rows = 0;
    for (size_t i = 0; i < n; i++)
        n_rows += parts[i].n_rows;
    int *yr = malloc((n_rows ? n_rows : 1) * sizeof(int));
    int *yr_part = NULL;
    if (!yr)
        return nomem(ctx);
    size_t ny = 0;
    for (size_t i = 0; i < n && st == LB_OK; i++) {
        for (size_t r = 0; r < parts[i].n_rows; r++) {
            long u;
            if ((st = add_unit(ctx, s, &cap, parts[i].id[r], &u)) != LB_OK)
                break;
            yr[ny++] = parts[i].year[r];
        }
    }
    if (st != LB_OK) {
        free(yr);
        return st;
    }
    qsort(yr, ny, sizeof(int), cmp_int);
    s->n_years = 0;
    for (size_t k = 0; k < ny; k++)
        if (k == 0 || yr[k] != yr[k - 1])
            yr[s->n_years++] = yr[k];
    s->years = yr;
    /* A year may come from one source only. */
    yr_part = malloc((s->n_years ? s->n_years : 1) * sizeof(int));
    if (!yr_part)
        return nomem(ctx);
    for (size_t t = 0; t < s->n_years; t++)
        yr_part[t] = -1;
    for (size_t i = 0; i < n && st == LB_OK; i++)
        for (size_t r = 0; r < parts[i].n_rows; r++) {
            int t = lb_scoreset_year_index(s, parts[i].year[r]);
            if (yr_part[t] >= 0 && yr_part[t] != (int)i) {
                st = lb_ctx_error(
                    ctx, LB_ERR_DATA, "year %d is in both %s and %s; give each year once",
                    parts[i].year[r], parts[yr_part[t]].description, parts[i].description);
                break;
            }
            yr_part[t] = (int)i;
        }
    free(yr_part);
    if (st != LB_OK)
        return st;

    size_t nu = s->n_units ? s->n_units : 1, nt = s->n_years;
    s->name = calloc(nu, sizeof(char *));
    s->gm_code = calloc(nu, sizeof(char *));
    s->wk_code = calloc(nu, sizeof(char *));
    s->geom_row = malloc(nu * sizeof(size_t));
    s->value = malloc(nt * s->n_out * nu * sizeof(double));
    s->weight = malloc(nt * nu * sizeof(double));
    long *seen = malloc(nt * nu * sizeof(long)); /* row + 1 that set (t, u), 0 = none */
    const lb_vlayer **lay = calloc(nu, sizeof(*lay));
    size_t *feat = malloc(nu * sizeof(size_t));
    size_t *pos = malloc((s->n_dims ? s->n_dims : 1) * sizeof(size_t));
    if (!s->name || !s->gm_code || !s->wk_code || !s->geom_row || !s->value || !s->weight ||
        !seen || !lay || !feat || !pos) {
        st = nomem(ctx);
        goto done;
    }
    for (size_t k = 0; k < nt * s->n_out * s->n_units; k++)
        s->value[k] = NAN;
    for (size_t k = 0; k < nt * s->n_units; k++) {
        s->weight[k] = NAN;
        seen[k] = 0;
    }
    for (size_t i = 0; i < n && st == LB_OK; i++) {
        const part *p = &parts[i];
        if ((st = match_dims(ctx, s, p, pos)) != LB_OK)
            break;
        for (size_t r = 0; r < p->n_rows; r++) {
            long u = lb_scoreset_unit_index(s, p->id[r]);
            size_t t = (size_t)lb_scoreset_year_index(s, p->year[r]);
            size_t tu = t * s->n_units + (size_t)u;
            if (seen[tu]) {
                char w1[64], w2[64];
                st = lb_ctx_error(
                    ctx, LB_ERR_DATA,
                    "%s: %s and %s: unit '%s' (id column '%s') appears twice for year %d; "
                    "each unit has one row per year (is '%s' the unit id? name the id column "
                    "with --id-field)",
                    p->description, row_where(p, (size_t)seen[tu] - 1, w1, sizeof(w1)),
                    row_where(p, r, w2, sizeof(w2)), p->id[r], p->id_field ? p->id_field : "?",
                    p->year[r], p->id_field ? p->id_field : "?");
                break;
            }
            seen[tu] = (long)r + 1;
            const double *v = p->val + r * (2 + p->n_dims);
            s->value[(t * s->n_out + LB_OUT_LBM) * s->n_units + (size_t)u] = v[LB_OUT_LBM];
            s->value[(t * s->n_out + LB_OUT_AFW) * s->n_units + (size_t)u] = v[LB_OUT_AFW];
            for (size_t d = 0; d < p->n_dims; d++)
                s->value[(t * s->n_out + LB_OUT_DIM0 + pos[d]) * s->n_units + (size_t)u] =
                    v[LB_OUT_DIM0 + d];
            s->weight[tu] = p->w[r];
            char **dst[3] = {s->name, s->gm_code, s->wk_code};
            char *const *srcv[3] = {p->name, p->gm, p->wk};
            for (int j = 0; j < 3; j++)
                if (!dst[j][u] && srcv[j][r] && !(dst[j][u] = lb_core_strdup(srcv[j][r]))) {
                    st = nomem(ctx);
                    break;
                }
            if (!lay[u] && p->geom && p->feat[r] != SIZE_MAX) {
                lay[u] = p->geom;
                feat[u] = p->feat[r];
            }
        }
    }
    if (st == LB_OK)
        st = gather_geometry(ctx, s, lay, feat);
    if (st == LB_OK)
        st = class_tables(ctx, s, parts, n);
    if (st != LB_OK)
        goto done;
    /* Weights, reference. */
    for (size_t i = 0; i < n && !s->weight_name; i++)
        if (parts[i].weight_name && !(s->weight_name = lb_core_strdup(parts[i].weight_name))) {
            st = nomem(ctx);
            goto done;
        }
    s->ref = NAN;
    for (size_t i = 0; i < n; i++) {
        if (isnan(parts[i].ref))
            continue;
        if (isnan(s->ref)) {
            s->ref = parts[i].ref;
            s->ref_year = parts[i].ref_year;
            s->ref_fixed = parts[i].ref_fixed;
        } else if (fabs(s->ref - parts[i].ref) > 1e-9) {
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "REF differs between sources (%.6f in %s, %.6f in %s): absolute scores of "
                       "the two are not on one level",
                       s->ref, parts[0].description, parts[i].ref, parts[i].description);
        }
    }
    /* M_d per year from the runs (per-year blocks first, else the run's one reference). */
    int any_means = 0;
    for (size_t i = 0; i < n; i++)
        any_means |= parts[i].n_myears > 0;
    if (any_means) {
        s->dim_mean = malloc(nt * (s->n_dims ? s->n_dims : 1) * sizeof(double));
        if (!s->dim_mean) {
            st = nomem(ctx);
            goto done;
        }
        for (size_t k = 0; k < nt * s->n_dims; k++)
            s->dim_mean[k] = NAN;
        for (size_t i = 0; i < n; i++) {
            const part *p = &parts[i];
            if ((st = match_dims(ctx, s, p, pos)) != LB_OK)
                goto done;
            for (size_t t = 0; t < nt; t++) {
                int in_part = 0;
                for (size_t r = 0; r < p->n_rows && !in_part; r++)
                    in_part = p->year[r] == s->years[t];
                if (!in_part || !p->n_myears)
                    continue;
                size_t j = 0; /* block 0 is the run's reference (every year) */
                for (size_t q = 1; q < p->n_myears; q++)
                    if (p->myear[q] == s->years[t])
                        j = q;
                for (size_t d = 0; d < p->n_dims; d++)
                    s->dim_mean[t * s->n_dims + pos[d]] = p->mean[j * p->n_dims + d];
            }
        }
    }
    /* Indicators: those of the first run that has them; later runs matched by id. */
    const part *pi = NULL;
    for (size_t i = 0; i < n && !pi; i++)
        if (parts[i].n_ind)
            pi = &parts[i];
    if (pi) {
        s->n_ind = pi->n_ind;
        s->ind_id = calloc(s->n_ind, sizeof(char *));
        s->ind_label = calloc(s->n_ind, sizeof(char *));
        s->ind_dim = malloc(s->n_ind * sizeof(int));
        s->raw = malloc(nt * s->n_ind * nu * sizeof(double));
        s->contrib = malloc(nt * s->n_ind * nu * sizeof(double));
        if (!s->ind_id || !s->ind_label || !s->ind_dim || !s->raw || !s->contrib) {
            st = nomem(ctx);
            goto done;
        }
        for (size_t k = 0; k < nt * s->n_ind * s->n_units; k++)
            s->raw[k] = s->contrib[k] = NAN;
        if ((st = match_dims(ctx, s, pi, pos)) != LB_OK)
            goto done;
        for (size_t i = 0; i < s->n_ind; i++) {
            s->ind_dim[i] = (int)pos[pi->ind_dim[i]];
            if (!(s->ind_id[i] = lb_core_strdup(pi->ind_id[i])) ||
                !(s->ind_label[i] = lb_core_strdup(pi->ind_label[i]))) {
                st = nomem(ctx);
                goto done;
            }
        }
        for (size_t i = 0; i < n; i++) {
            const part *p = &parts[i];
            for (size_t j = 0; j < p->n_ind; j++) {
                long ii = -1;
                for (size_t q = 0; q < s->n_ind; q++)
                    if (strcmp(s->ind_id[q], p->ind_id[j]) == 0)
                        ii = (long)q;
                if (ii < 0)
                    continue;
                for (size_t r = 0; r < p->n_rows; r++) {
                    long u = lb_scoreset_unit_index(s, p->id[r]);
                    size_t t = (size_t)lb_scoreset_year_index(s, p->year[r]);
                    size_t at = (t * s->n_ind + (size_t)ii) * s->n_units + (size_t)u;
                    s->raw[at] = p->raw[r * p->n_ind + j];
                    s->contrib[at] = p->contrib[r * p->n_ind + j];
                }
            }
        }
    }
done:
    free(seen);
    free(lay);
    free(feat);
    free(pos);
    return st;
}

lb_status lb_scoreset_read(lb_ctx *ctx, const lb_score_source *src, size_t n, lb_scoreset **out)
{
    if (!src || n == 0 || !out)
        return lb_ctx_error(ctx, LB_ERR_ARG, "scores: at least one source is required");
    part *parts = calloc(n, sizeof(*parts));
    lb_scoreset *s = calloc(1, sizeof(*s));
    lb_status st = parts && s ? LB_OK : nomem(ctx);
    for (size_t i = 0; st == LB_OK && i < n; i++)
        st = read_part(ctx, &src[i], &parts[i]);
    if (st == LB_OK)
        st = build(ctx, parts, n, s);
    for (size_t i = 0; parts && i < n; i++)
        part_free(&parts[i]);
    free(parts);
    if (st != LB_OK) {
        lb_scoreset_destroy(s);
        return st;
    }
    *out = s;
    return LB_OK;
}
