/* SPDX-License-Identifier: MIT */
/* The polygon units a run aggregates to (or scores, in area mode): the layer read for a year,
 * its id field found and checked, its code, name and water fields, and a unit's label for
 * messages. */
#include "run.h"

#include "../core/ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The layer's own name of the first of @p cand it has (case-insensitive), or NULL. */
const char *lb_score_units_field(const lb_vlayer *l, const char *const *cand, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < l->n_fields; f++)
            if (strcasecmp(l->fields[f].name, cand[i]) == 0)
                return l->fields[f].name;
    return NULL;
}

/* The layer's code field of @p level (codes.h), or with LB_CODE_NONE the one that identifies
 * its rows (the finest level present); NULL when it has none. */
const char *lb_score_units_code_field(const lb_vlayer *l, lb_code_level level)
{
    const char **names = malloc((l->n_fields ? l->n_fields : 1) * sizeof(char *));
    if (!names)
        return NULL;
    for (size_t f = 0; f < l->n_fields; f++)
        names[f] = l->fields[f].name;
    long i = level == LB_CODE_NONE ? lb_core_code_field_find(names, l->n_fields)
                                   : lb_core_code_field_of_level(names, l->n_fields, level);
    free(names);
    return i >= 0 ? l->fields[i].name : NULL;
}

/* The units' field that marks water-only units: WATER (Wijk- en Buurtkaart up to 2021), water
 * (from 2022), H2O (the DBF export of 2023). */
static const char *const water_candidates[] = {"WATER", "H2O"};

/* Which units are water only (the CBS field says "JA"): 1 in @p water (n units), and the
 * count. Units without such a field are land. */
size_t lb_score_units_water(const lb_vlayer *l, unsigned char *water)
{
    const char *name = lb_score_units_field(l, water_candidates, 2);
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
void lb_score_units_warn_water(lb_ctx *ctx, const score_run *r, const lb_vlayer *l,
                               const unsigned char *water, size_t n_water)
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
        lb_core_list_append(list, sizeof(list), buf);
        shown++;
    }
    lb_ctx_log(ctx, LB_LOG_WARN,
               "units '%s' ('%s'): %zu water-only unit(s) (WATER = JA) are left out of the scores "
               "(%s%s)",
               r->units_name, l->path, n_water, list, n_water > shown ? ", ..." : "");
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
    lb_status st = LB_OK;
    if (!rows || (!f->is_string && !num)) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto done;
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
                lb_core_list_append(nulls, sizeof(nulls), one);
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
            lb_core_list_append(dups, sizeof(dups), one);
        }
    }
    if (n_null || n_dup) {
        char what[600] = "";
        if (n_null)
            snprintf(what, sizeof(what), "%zu without an id (feature%s %s%s)", n_null,
                     n_null > 1 ? "s" : "", nulls, n_null > 5 ? ", ..." : "");
        if (n_dup)
            snprintf(what + strlen(what), sizeof(what) - strlen(what),
                     "%s%zu duplicated id(s): %s%s", n_null ? "; " : "", n_dup, dups,
                     n_dup > 3 ? ", ..." : "");
        st = lb_ctx_error(
            ctx, LB_ERR_DATA,
            "units '%s' ('%s' layer '%s'): id field '%s' must identify every unit: %s; "
            "fix the layer, filter those features out, or choose another --id-field",
            l->name, l->path, l->layer, id_field, what);
    }
done:
    free(rows);
    free(num);
    return st;
}

/* The polygon units of year @p y (--units, default the weight layer) and their id field (as
 * --id-field, else found in the first year's layer). None for --units grid. */
lb_status lb_score_units_load(lb_ctx *ctx, score_run *r, score_year *y)
{
    if (strcmp(r->units_name, "grid") == 0)
        return LB_OK;
    /* Area mode needs the units' rings (coverage, areas) and writes their WKB from them. */
    lb_status st = r->area ? lb_inputs_vector_rings(ctx, y->in, r->units_name, NULL, &y->units)
                           : lb_inputs_vector(ctx, y->in, r->units_name, NULL, &y->units);
    if (st != LB_OK)
        return lb_score_plan_year_error(ctx, r, y, st);
    if (y->units->kind != LB_GEOM_POLYGON)
        return lb_score_plan_year_error(ctx, r, y,
                                        lb_ctx_error(ctx, LB_ERR_DATA,
                                                     "units '%s' ('%s') must be a polygon layer",
                                                     r->units_name, y->units->path));
    if (!r->id_field && r->o->id_field)
        r->id_field = r->o->id_field;
    else if (!r->id_field && y == &r->yr[0] && lb_score_units_code_field(y->units, LB_CODE_NONE)) {
        if (!(r->id_field_own = lb_core_strdup(lb_score_units_code_field(y->units, LB_CODE_NONE))))
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        r->id_field = r->id_field_own;
    }
    if (!r->id_field) {
        /* Keyed by feature ids the outputs could not be joined, compared over years or
         * diagnosed by code: ask for the field instead. */
        char list[768] = "";
        for (size_t i = 0; i < y->units->n_fields; i++)
            lb_core_list_append(list, sizeof(list), y->units->fields[i].name);
        return lb_score_plan_year_error(
            ctx, r, y,
            lb_ctx_error(
                ctx, LB_ERR_DATA,
                "units '%s' ('%s' layer '%s'): no code field (looked for BU_CODE/buurtcode, "
                "WK_CODE/wijkcode, GM_CODE/gemeentecode, PC6, PC4, CODE, statcode, id; "
                "fields: %s); name the field with --id-field",
                r->units_name, y->units->path, y->units->layer,
                y->units->n_fields ? list : "none"));
    }
    if (!lb_vlayer_field(ctx, y->units, r->id_field))
        return lb_score_plan_year_error(ctx, r, y, LB_ERR_DATA);
    if (r->id_field) {
        lb_status st2 = check_unit_ids(ctx, y->units, r->id_field);
        if (st2 != LB_OK)
            return lb_score_plan_year_error(ctx, r, y, st2);
    }
    return LB_OK;
}

/* The id of unit @p u for a message: its cell id (grid: @p cells), its code, else its fid. */
void lb_score_units_label(const score_run *r, const score_year *y, const uint32_t *cells, size_t u,
                          char *buf, size_t size)
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
