/* SPDX-License-Identifier: MIT */
/* The 100 m grid of a score run for the viewer: the cells of scores.gpkg's layer "grid", each
 * given the gemeente of the unit its centre lies in, grouped per gemeente and year with the
 * corners of each square in WGS84. data.c writes each group as a script of its own that the
 * page loads only when it shows that gemeente's grid. */
#include "viewer.h"

#include "../core/ctx.h"
#include "../io/lonlat.h"
#include "../io/runjson.h"
#include "../io/vector.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static lb_status nomem(lb_ctx *ctx)
{
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

char *lb_viewer_grid_file(const lb_viewer_grid *g)
{
    char *f = lb_core_strfmt("grid_%s_%d.js", g->gemeente, g->year);
    for (char *p = f ? f + 5 : NULL; p && *p && strcmp(p, ".js") != 0; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            *p = '_';
    return f;
}

/* Does the run in @p dir have a grid (run.json: options.mode "grid")? */
static lb_status run_has_grid(lb_ctx *ctx, const char *dir, int *has)
{
    char *file = lb_core_strfmt("%s/run.json", dir);
    struct json_object *doc = NULL, *o = NULL, *mode = NULL;
    lb_status st = file ? lb_io_json_read_object(ctx, file, &doc) : nomem(ctx);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, doc, "", "options", json_type_object, 0, &o);
    if (st == LB_OK)
        st = lb_io_json_member(ctx, file, o, "options", "mode", json_type_string, 0, &mode);
    *has = st == LB_OK && mode && strcmp(json_object_get_string(mode), "grid") == 0;
    json_object_put(doc);
    free(file);
    return st;
}

static const lb_field *field(const lb_vlayer *l, const char *name)
{
    for (size_t i = 0; i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            return &l->fields[i];
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *lb_viewer_grid_outside_key(double x, double y)
{
    long e = (long)floor(x / LB_VIEWER_OUTSIDE_TILE) * (LB_VIEWER_OUTSIDE_TILE / 1000),
         n = (long)floor(y / LB_VIEWER_OUTSIDE_TILE) * (LB_VIEWER_OUTSIDE_TILE / 1000);
    return lb_core_strfmt("geen_%ld_%ld", e, n);
}

/* The gemeente of each cell: gm[i] points into the scoreset's codes, or, for a cell in no unit,
 * to its tile's key in own[i] (made here, freed by the caller). */
static lb_status cells_gemeente(lb_ctx *ctx, const lb_scoreset *s, const lb_vlayer *g,
                                const char **gm, char **own, size_t *n_outside)
{
    size_t n = g->n, *feat = malloc((n ? n : 1) * sizeof(size_t));
    double *c = malloc((n ? n : 1) * 2 * sizeof(double));
    size_t *unit_of = malloc((s->geom->n ? s->geom->n : 1) * sizeof(size_t));
    lb_status st = LB_OK;
    if (!feat || !c || !unit_of) {
        st = nomem(ctx);
        goto cleanup;
    }
    for (size_t f = 0; f < s->geom->n; f++)
        unit_of[f] = SIZE_MAX;
    for (size_t u = 0; u < s->n_units; u++)
        if (s->geom_row[u] != SIZE_MAX)
            unit_of[s->geom_row[u]] = u;
    for (size_t i = 0; i < n; i++) {
        size_t p0 = g->ring_pt_start[g->ring_start[i]], p1 = g->ring_pt_start[g->ring_start[i] + 1];
        double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL, ymax = -HUGE_VAL;
        for (size_t p = p0; p < p1; p++) {
            xmin = fmin(xmin, g->ring_xy[2 * p]);
            xmax = fmax(xmax, g->ring_xy[2 * p]);
            ymin = fmin(ymin, g->ring_xy[2 * p + 1]);
            ymax = fmax(ymax, g->ring_xy[2 * p + 1]);
        }
        c[2 * i] = 0.5 * (xmin + xmax);
        c[2 * i + 1] = 0.5 * (ymin + ymax);
    }
    if (!lb_viewer_points_locate(s->geom, c, n, feat)) {
        st = nomem(ctx);
        goto cleanup;
    }
    /* A cell on the edge of the units' area whose centre is in none: the unit of one of its
     * corners (1 m inside the cell), tried south-west, south-east, north-east, north-west. */
    size_t n_edge = 0;
    for (size_t i = 0; i < n; i++)
        if (feat[i] == SIZE_MAX)
            n_edge++;
    if (n_edge) {
        double *q = malloc(n_edge * 8 * sizeof(double));
        size_t *qf = malloc(n_edge * 4 * sizeof(size_t)), k = 0;
        if (!q || !qf) {
            free(q);
            free(qf);
            st = nomem(ctx);
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++) {
            if (feat[i] != SIZE_MAX)
                continue;
            size_t r = g->ring_start[i];
            double h = 0.0; /* half the cell's width, from its ring */
            for (size_t p = g->ring_pt_start[r]; p < g->ring_pt_start[r + 1]; p++)
                h = fmax(h, fabs(g->ring_xy[2 * p] - c[2 * i]));
            static const double sx[4] = {-1, 1, 1, -1}, sy[4] = {-1, -1, 1, 1};
            for (size_t j = 0; j < 4; j++) {
                q[8 * k + 2 * j] = c[2 * i] + sx[j] * (h - 1.0);
                q[8 * k + 2 * j + 1] = c[2 * i + 1] + sy[j] * (h - 1.0);
            }
            k++;
        }
        int ok = lb_viewer_points_locate(s->geom, q, 4 * n_edge, qf);
        k = 0;
        for (size_t i = 0; ok && i < n; i++) {
            if (feat[i] != SIZE_MAX)
                continue;
            for (size_t j = 0; j < 4 && feat[i] == SIZE_MAX; j++)
                feat[i] = qf[4 * k + j];
            k++;
        }
        free(q);
        free(qf);
        if (!ok) {
            st = nomem(ctx);
            goto cleanup;
        }
    }
    *n_outside = 0;
    for (size_t i = 0; i < n; i++) {
        size_t u = feat[i] == SIZE_MAX ? SIZE_MAX : unit_of[feat[i]];
        const char *code = !s->gm_code ? "all" : u == SIZE_MAX ? NULL : s->gm_code[u];
        if (u == SIZE_MAX)
            (*n_outside)++;
        if (!code && !(own[i] = lb_viewer_grid_outside_key(c[2 * i], c[2 * i + 1]))) {
            st = nomem(ctx);
            goto cleanup;
        }
        gm[i] = code ? code : own[i];
    }
cleanup:
    free(unit_of);
    free(c);
    free(feat);
    return st;
}

typedef struct cell_key {
    size_t gm; /* index into the sorted gemeente names */
    int year;
    size_t i; /* the cell's row in the layer */
} cell_key;

static int cmp_cell_key(const void *a, const void *b)
{
    const cell_key *p = a, *q = b;
    if (p->gm != q->gm)
        return (p->gm > q->gm) - (p->gm < q->gm);
    if (p->year != q->year)
        return (p->year > q->year) - (p->year < q->year);
    return (p->i > q->i) - (p->i < q->i);
}

/* Append the @p n cells @p keys (of gemeente @p gm, year @p year) to their group of d->grid,
 * made when there is none. */
static lb_status add_group(lb_ctx *ctx, lb_viewer_data *d, const char *gm, int year,
                           const cell_key *keys, size_t n, const double *corners,
                           const lb_field *const *val, const lb_field *cell)
{
    const size_t n_out = d->s->n_out;
    lb_viewer_grid *grp = NULL;
    for (size_t k = 0; k < d->n_grid && !grp; k++)
        if (d->grid[k].year == year && strcmp(d->grid[k].gemeente, gm) == 0)
            grp = &d->grid[k];
    if (!grp) {
        lb_viewer_grid *ng = realloc(d->grid, (d->n_grid + 1) * sizeof(*ng));
        if (!ng)
            return nomem(ctx);
        d->grid = ng;
        grp = &d->grid[d->n_grid++];
        memset(grp, 0, sizeof(*grp));
        grp->year = year;
        grp->bbox[0] = grp->bbox[1] = HUGE_VAL;
        grp->bbox[2] = grp->bbox[3] = -HUGE_VAL;
        if (!(grp->gemeente = lb_core_strdup(gm)))
            return nomem(ctx);
    }
    size_t m = grp->n + n;
    double *nxy = realloc(grp->xy, m * 8 * sizeof(double));
    if (nxy)
        grp->xy = nxy;
    double *nv = realloc(grp->value, m * n_out * sizeof(double));
    if (nv)
        grp->value = nv;
    char **ni = realloc(grp->cell_id, m * sizeof(char *));
    if (ni)
        grp->cell_id = ni;
    if (!nxy || !nv || !ni)
        return nomem(ctx);
    for (size_t j = 0; j < n; j++) {
        size_t i = keys[j].i, at = grp->n;
        memcpy(grp->xy + 8 * at, corners + 8 * i, 8 * sizeof(double));
        for (size_t k = 0; k < n_out; k++)
            grp->value[at * n_out + k] = val[k]->num[i];
        const char *id = cell && cell->is_string ? cell->str[i] : NULL;
        grp->cell_id[at] = NULL;
        grp->n++; /* counted before the copy: the free of d frees what was made */
        if (id && !(grp->cell_id[at] = lb_core_strdup(id)))
            return nomem(ctx);
        for (size_t c = 0; c < 4; c++) {
            grp->bbox[0] = fmin(grp->bbox[0], corners[8 * i + 2 * c]);
            grp->bbox[1] = fmin(grp->bbox[1], corners[8 * i + 2 * c + 1]);
            grp->bbox[2] = fmax(grp->bbox[2], corners[8 * i + 2 * c]);
            grp->bbox[3] = fmax(grp->bbox[3], corners[8 * i + 2 * c + 1]);
        }
    }
    return LB_OK;
}

/* Group the cells of layer @p g (of run @p dir) per gemeente and year into d->grid. */
static lb_status add_groups(lb_ctx *ctx, lb_viewer_data *d, const lb_vlayer *g, const char *dir)
{
    const lb_scoreset *s = d->s;
    const lb_field *year = field(g, "year"), *cell = field(g, "cell_id");
    const lb_field **val = calloc(s->n_out, sizeof(*val));
    const char **gm = malloc((g->n ? g->n : 1) * sizeof(char *)), **names = NULL;
    char **own = calloc(g->n ? g->n : 1, sizeof(char *));
    double *corners = NULL;
    cell_key *order = NULL;
    size_t n_outside = 0, n_names = 0;
    lb_status st = val && gm && own ? LB_OK : nomem(ctx);
    if (st == LB_OK && !year)
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "'%s/scores.gpkg', layer grid: no field \"year\"; was it written by "
                          "leefbaar score?",
                          dir);
    for (size_t k = 0; st == LB_OK && k < s->n_out; k++) {
        const char *code = k == LB_OUT_LBM   ? "lbm"
                           : k == LB_OUT_AFW ? "afw"
                                             : s->dim_code[k - LB_OUT_DIM0];
        if (!(val[k] = field(g, code)) || val[k]->is_string)
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "'%s/scores.gpkg', layer grid: no numeric field \"%s\" (the units "
                              "have it); was the grid written by the same run?",
                              dir, code);
    }
    if (st == LB_OK)
        st = cells_gemeente(ctx, s, g, gm, own, &n_outside);
    if (st == LB_OK && n_outside)
        lb_ctx_log(ctx, LB_LOG_INFO,
                   "viewer: %zu of %zu grid cells of %s lie in no unit; they are shown with "
                   "gemeente \"geen\", in chunks per 20 km square",
                   n_outside, g->n, dir);
    /* the distinct gemeenten, sorted */
    if (st == LB_OK && !(names = malloc((g->n ? g->n : 1) * sizeof(char *))))
        st = nomem(ctx);
    if (st == LB_OK) {
        memcpy(names, gm, g->n * sizeof(char *));
        qsort(names, g->n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < g->n; i++)
            if (i == 0 || strcmp(names[i], names[n_names - 1]) != 0)
                names[n_names++] = names[i];
    }
    /* the corners of every cell in WGS84, in one batch */
    if (st == LB_OK && !(corners = malloc((g->n ? g->n : 1) * 8 * sizeof(double))))
        st = nomem(ctx);
    for (size_t i = 0; st == LB_OK && i < g->n; i++) {
        size_t p0 = g->ring_pt_start[g->ring_start[i]], p1 = g->ring_pt_start[g->ring_start[i] + 1];
        double b[4] = {HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
        for (size_t p = p0; p < p1; p++) {
            b[0] = fmin(b[0], g->ring_xy[2 * p]);
            b[1] = fmin(b[1], g->ring_xy[2 * p + 1]);
            b[2] = fmax(b[2], g->ring_xy[2 * p]);
            b[3] = fmax(b[3], g->ring_xy[2 * p + 1]);
        }
        const double q[8] = {b[0], b[1], b[2], b[1], b[2], b[3], b[0], b[3]};
        memcpy(corners + 8 * i, q, sizeof(q));
    }
    if (st == LB_OK)
        st = lb_io_lonlat_from_rd(ctx, corners, 4 * g->n, "viewer: the grid's cells");
    /* one group per gemeente and year, in that order: the cells sorted by both */
    if (st == LB_OK && !(order = malloc((g->n ? g->n : 1) * sizeof(*order))))
        st = nomem(ctx);
    size_t n_order = 0;
    for (size_t i = 0; st == LB_OK && i < g->n; i++) {
        if (!isfinite(year->num[i]))
            continue;
        const char **hit = bsearch(&gm[i], names, n_names, sizeof(char *), cmp_str);
        order[n_order++] = (cell_key){(size_t)(hit - names), (int)year->num[i], i};
    }
    if (st == LB_OK)
        qsort(order, n_order, sizeof(*order), cmp_cell_key);
    for (size_t a = 0; st == LB_OK && a < n_order;) {
        size_t b = a;
        while (b < n_order && order[b].gm == order[a].gm && order[b].year == order[a].year)
            b++;
        st = add_group(ctx, d, names[order[a].gm], order[a].year, order + a, b - a, corners, val,
                       cell);
        a = b;
    }
    free(order);
    free(corners);
    free(names);
    for (size_t i = 0; own && i < g->n; i++)
        free(own[i]);
    free(own);
    free(gm);
    free(val);
    return st;
}

lb_status lb_viewer_grid_read(lb_ctx *ctx, lb_viewer_data *d)
{
    lb_status st = LB_OK;
    if (!d->s->geom)
        return LB_OK;
    for (size_t r = 0; st == LB_OK && r < d->n_run_dirs; r++) {
        int has = 0;
        st = run_has_grid(ctx, d->run_dirs[r], &has);
        if (st != LB_OK || !has)
            continue;
        char *path = lb_core_strfmt("%s/scores.gpkg", d->run_dirs[r]);
        if (!path)
            return nomem(ctx);
        struct stat sb;
        if (stat(path, &sb) != 0) {
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "viewer: the grid run %s has no scores.gpkg (written with another "
                       "--format?); its 100 m grid is not shown",
                       d->run_dirs[r]);
            free(path);
            continue;
        }
        lb_source src = {.name = "grid", .path = path, .layer = "grid", .s_srs = NULL};
        lb_vlayer *g = NULL;
        st = lb_vlayer_read(ctx, &src, NULL, &g);
        if (st == LB_OK && g->kind != LB_GEOM_POLYGON)
            st =
                lb_ctx_error(ctx, LB_ERR_DATA, "'%s', layer grid: the cells are no polygons", path);
        if (st == LB_OK)
            st = add_groups(ctx, d, g, d->run_dirs[r]);
        lb_vlayer_destroy(g);
        free(path);
    }
    return st;
}
