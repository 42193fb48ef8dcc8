/* SPDX-License-Identifier: MIT */
/* The output tables of a score run: the grid's scored cells (with their squares as WKB), the
 * units with their codes, names, scores, counts, per indicator x_<id> and c_<id>, and one table
 * of all years' rows. */
#include "run.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The units' name field, the first of these it has. */
static const char *const name_candidates[] = {"BU_NAAM",  "WK_NAAM",      "GM_NAAM", "BUURTNAAM",
                                              "WIJKNAAM", "GEMEENTENAAM", "NAAM",    "name"};

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

/* Real column @p name of @p t with the values @p v: copied, or with @p take (&v's array) the
 * array itself, which the table takes (*@p take becomes NULL). */
static lb_status add_reals(lb_ctx *ctx, lb_table *t, const char *name, const double *v,
                           double **take, lb_column **c)
{
    if (take) {
        double *a = *take;
        *take = NULL;
        return lb_table_add_reals(ctx, t, name, a, c);
    }
    lb_status st = lb_table_add(ctx, t, name, LB_COL_REAL, c);
    if (st == LB_OK)
        memcpy((*c)->real, v, t->n_rows * sizeof(double));
    return st;
}

/* Add the score columns shared by grid and unit tables (table row k is scores entry k). With
 * @p take (@p s itself, for scores that are freed next) the columns lbm, afw and the
 * dimensions' take its arrays (which become NULL) instead of copies. */
static lb_status add_score_columns(lb_ctx *ctx, const lb_model *m, lb_table *t, const lb_scores *s,
                                   int year, lb_scores *take)
{
    lb_column *c;
    lb_status st = lb_table_add(ctx, t, "year", LB_COL_INT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
        c->integer[k] = year ? year : LB_INT_NULL;
    const char *names[2] = {"lbm", "afw"};
    const double *vals[2] = {s->lbm, s->afw};
    double **owned[2] = {take ? &take->lbm : NULL, take ? &take->afw : NULL};
    for (int j = 0; j < 2 && st == LB_OK; j++) {
        st = add_reals(ctx, t, names[j], vals[j], owned[j], &c);
        if (st == LB_OK)
            c->decimals = 6;
    }
    for (size_t d = 0; d < m->n_dims && st == LB_OK; d++) {
        st = add_reals(ctx, t, m->dims[d].code, s->dev[d], take ? &take->dev[d] : NULL, &c);
        if (st == LB_OK)
            c->decimals = 6;
    }
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "kscore", LB_COL_INT, &c);
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
        c->integer[k] = s->kscore[k] ? s->kscore[k] : LB_INT_NULL;
    /* The class's name beside its number, for readers without the legend (spreadsheets):
     * the rows of a class share one copy of its label. */
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "klasse", LB_COL_TEXT, &c);
    size_t bytes = 0;
    for (int i = 0; i < LB_N_CLASSES; i++)
        bytes += strlen(m->class_labels[i]) + 1;
    char *labels = NULL, *label[LB_N_CLASSES];
    if (st == LB_OK)
        st = lb_table_text_block(ctx, c, bytes, &labels);
    for (int i = 0; st == LB_OK && i < LB_N_CLASSES; i++) {
        size_t len = strlen(m->class_labels[i]) + 1;
        label[i] = memcpy(labels, m->class_labels[i], len);
        labels += len;
    }
    for (size_t k = 0; st == LB_OK && k < t->n_rows; k++)
        c->text[k] = s->kscore[k] ? label[s->kscore[k] - 1] : NULL;
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
 * @p geometry (the grid layer; grid.csv goes without). Without rasters the year's scores and
 * weights are not needed afterwards: the table takes their real arrays instead of copies. */
lb_status lb_score_tables_grid(lb_ctx *ctx, score_run *r, score_year *y, int geometry)
{
    size_t n = y->n_scored;
    int take = !r->rasters;
    lb_table *t = NULL;
    lb_column *id = NULL, *w = NULL, *ni = NULL, *fl = NULL;
    lb_status st = lb_table_create(ctx, n, &t);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "cell_id", LB_COL_TEXT, &id);
    if (st == LB_OK)
        st = add_score_columns(ctx, r->model, t, &y->sc, y->year, take ? &y->sc : NULL);
    if (st == LB_OK)
        st = add_reals(ctx, t, "weight", y->w, take ? &y->w : NULL, &w);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "n_imputed", LB_COL_INT, &ni);
    if (st == LB_OK)
        st = lb_table_add(ctx, t, "flags", LB_COL_INT, &fl);
    /* The ids packed in one block (at most CELL_ID_MAX bytes each, as they always were cut);
     * the part of it they leave is never touched. */
    enum { CELL_ID_MAX = 48 };
    char *ids = NULL;
    if (st == LB_OK)
        st = lb_table_text_block(ctx, id, (n ? n : 1) * CELL_ID_MAX, &ids);
    for (size_t k = 0; st == LB_OK && k < n; k++) {
        size_t c = y->cells[k];
        lb_grid_cell_id(&r->grid, c, ids, CELL_ID_MAX);
        id->text[k] = ids;
        ids += strlen(ids) + 1;
        ni->integer[k] = y->sc.n_imputed[k];
        fl->integer[k] = y->sc.flags[k];
        if (!geometry)
            continue;
        size_t sz;
        unsigned char *wkb = cell_wkb(&r->grid, c, &sz);
        st = wkb ? lb_table_set_geometry(ctx, t, k, wkb, sz)
                 : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
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
        c->text[k] = v ? lb_core_strdup(v) : NULL;
    }
    return st;
}

/* The units with code, name and parent codes, the scores @p s and weight @p w, the integer
 * columns @p ints, per indicator x_<id> (@p ux) and c_<id> (@p uc), and the polygons. */
lb_status lb_score_tables_units(lb_ctx *ctx, score_run *r, score_year *y, int geometry,
                                const lb_scores *s, const double *w, size_t n_ints,
                                const char *const *ints, const int *const *ivals, double *const *ux,
                                double *const *uc)
{
    const lb_model *m = r->model;
    const lb_vlayer *l = y->units;
    lb_table *t = NULL;
    lb_column *c = NULL;
    lb_status st = lb_table_create(ctx, l->n, &t);
    /* CBS codes go out under the names of our outputs (BU_CODE, WK_CODE, GM_CODE) whichever
     * Wijk- en Buurtkaart schema came in, so that change, diagnose and waterbed read both. */
    lb_code_level id_level = lb_core_code_field_level(r->id_field);
    if (st == LB_OK)
        st = copy_text_field(ctx, t, l, r->id_field, lb_code_level_name(id_level));
    const char *name = lb_score_units_field(l, name_candidates,
                                            sizeof(name_candidates) / sizeof(name_candidates[0]));
    if (st == LB_OK && name && strcmp(name, r->id_field) != 0)
        st = copy_text_field(ctx, t, l, name, NULL);
    const lb_code_level parents[] = {LB_CODE_WIJK, LB_CODE_GEMEENTE};
    for (size_t i = 0; i < 2 && st == LB_OK; i++) {
        const char *pf = lb_score_units_code_field(l, parents[i]);
        if (pf && strcmp(pf, r->id_field) != 0 && id_level != parents[i])
            st = copy_text_field(ctx, t, l, pf, lb_code_level_name(parents[i]));
    }
    if (st == LB_OK)
        st = add_score_columns(ctx, m, t, s, y->year, NULL);
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
    for (size_t k = 0; geometry && st == LB_OK && k < l->n; k++) {
        /* units read as rings only (area mode) give their WKB back from the rings */
        size_t size = 0;
        int own = 0;
        const unsigned char *g = lb_vlayer_polygon_wkb(l, k, &size, &own);
        unsigned char *wkb = own ? (unsigned char *)g : g ? malloc(size) : NULL;
        if (!wkb) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            break;
        }
        if (!own)
            memcpy(wkb, g, size);
        st = lb_table_set_geometry(ctx, t, k, wkb, size);
    }
    if (st != LB_OK) {
        lb_table_destroy(t);
        return st;
    }
    y->units_t = t;
    return LB_OK;
}

/* Text column @p c of the joined table: the strings of the parts' columns named so, copied
 * into one block (a part's block column shares its strings between rows and frees them with
 * the block, so they cannot be moved one by one). */
static lb_status concat_text(lb_ctx *ctx, lb_column *c, lb_table **parts, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const lb_column *pc = lb_table_col(parts[i], c->name);
        for (size_t k = 0; pc && k < parts[i]->n_rows; k++)
            bytes += pc->text[k] ? strlen(pc->text[k]) + 1 : 0;
    }
    char *block = NULL;
    lb_status st = lb_table_text_block(ctx, c, bytes ? bytes : 1, &block);
    for (size_t i = 0, at = 0; st == LB_OK && i < n; at += parts[i]->n_rows, i++) {
        const lb_column *pc = lb_table_col(parts[i], c->name);
        for (size_t k = 0; pc && k < parts[i]->n_rows; k++) {
            if (!pc->text[k])
                continue;
            size_t len = strlen(pc->text[k]) + 1;
            c->text[at + k] = memcpy(block, pc->text[k], len);
            block += len;
        }
    }
    return st;
}

/* One table of all years' rows (the years' tables share their columns, or a column missing in
 * a year is NULL there). One part is moved as it is; of several, the geometries are moved out
 * of @p parts and the columns copied. */
lb_status lb_score_tables_concat(lb_ctx *ctx, lb_table **parts, size_t n, lb_table **out)
{
    if (n == 1) {
        *out = parts[0];
        parts[0] = NULL;
        return LB_OK;
    }
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
    for (size_t j = 0; st == LB_OK && j < t->n_cols; j++) {
        lb_column *c = &t->cols[j];
        if (c->type == LB_COL_TEXT) {
            st = concat_text(ctx, c, parts, n);
            continue;
        }
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            lb_column *pc = lb_table_col(parts[i], c->name);
            size_t m = parts[i]->n_rows;
            if (pc && c->type == LB_COL_REAL)
                memcpy(c->real + at, pc->real, m * sizeof(double));
            else if (pc && c->type == LB_COL_INT)
                memcpy(c->integer + at, pc->integer, m * sizeof(int64_t));
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
