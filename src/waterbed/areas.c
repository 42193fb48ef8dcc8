/* SPDX-License-Identifier: MIT */
/* Focus areas, masks and regions resolved on the scored units: polygon layers (membership by
 * the share of a unit inside), code lists (unit id, wijk or gemeente codes), gemeente -> region
 * lookups. */
#include "wb.h"

#include "../core/ctx.h"
#include "../geom/repair.h"
#include "../io/attrtable.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const double default_rings[] = {250.0, 500.0, 1000.0, 2000.0};

/* ---- small string helpers ---- */

static char *trim_dup(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char *o = malloc(len + 1);
    if (o) {
        memcpy(o, s, len);
        o[len] = '\0';
    }
    return o;
}

/* Gemeente codes compare as "GM" + four digits: "344", "0344", "gm0344" all become "GM0344". */
static char *gm_norm(const char *s)
{
    if (!s)
        return NULL;
    char *t = trim_dup(s, strlen(s));
    if (!t || !*t) {
        free(t);
        return NULL;
    }
    const char *digits = t;
    if ((t[0] == 'G' || t[0] == 'g') && (t[1] == 'M' || t[1] == 'm'))
        digits = t + 2;
    int all = *digits != '\0';
    for (const char *p = digits; *p; p++)
        all &= isdigit((unsigned char)*p) != 0;
    if (all && strlen(digits) <= 4) {
        char *o = lb_core_strfmt("GM%04d", atoi(digits));
        free(t);
        return o;
    }
    for (char *p = t; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return t;
}

/* Intern @p code into the gemeente table; -1 for NULL; -2 on out of memory. */
static int gm_intern(wb_data *d, const char *code)
{
    char *c = gm_norm(code);
    if (!c)
        return -1;
    for (size_t i = 0; i < d->n_gm; i++)
        if (strcmp(d->gm_names[i], c) == 0) {
            free(c);
            return (int)i;
        }
    char **g = realloc(d->gm_names, (d->n_gm + 1) * sizeof(*g));
    if (!g) {
        free(c);
        return -2;
    }
    d->gm_names = g;
    d->gm_names[d->n_gm] = c;
    return (int)d->n_gm++;
}

/* ---- unit code index ---- */

typedef struct code_ix {
    const char *const *key; /* per unit, may hold NULL */
    size_t *order;          /* units with a key, sorted by key */
    size_t n;
} code_ix;

/* qsort has no context argument; sort pairs instead. */
typedef struct keyed {
    const char *key;
    size_t u;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return (x->u > y->u) - (x->u < y->u);
}

static int code_ix_build(code_ix *ix, char *const *key, size_t n)
{
    ix->key = (const char *const *)key;
    ix->order = NULL;
    ix->n = 0;
    if (!key)
        return 1;
    keyed *k = malloc((n ? n : 1) * sizeof(*k));
    ix->order = malloc((n ? n : 1) * sizeof(size_t));
    if (!k || !ix->order) {
        free(k);
        free(ix->order);
        ix->order = NULL;
        return 0;
    }
    for (size_t u = 0; u < n; u++)
        if (key[u])
            k[ix->n++] = (keyed){key[u], u};
    qsort(k, ix->n, sizeof(*k), cmp_keyed);
    for (size_t i = 0; i < ix->n; i++)
        ix->order[i] = k[i].u;
    free(k);
    return 1;
}

/* First position of @p code in the index and the number of equal keys. */
static size_t code_ix_find(const code_ix *ix, const char *code, size_t *count)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->key[ix->order[mid]], code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < ix->n && strcmp(ix->key[ix->order[e]], code) == 0)
        e++;
    *count = e - lo;
    return lo;
}

typedef struct unit_codes {
    code_ix id, wk, gm;
} unit_codes;

static void unit_codes_free(unit_codes *c)
{
    free(c->id.order);
    free(c->wk.order);
    free(c->gm.order);
}

/* Units matching @p code: unit id, else wijk code, else gemeente code. Appends to *list. */
static lb_status match_code(lb_ctx *ctx, const unit_codes *uc, const char *code, size_t **list,
                            size_t *n, size_t *cap, int *found)
{
    const code_ix *order[3] = {&uc->id, &uc->wk, &uc->gm};
    *found = 0;
    for (int k = 0; k < 3 && !*found; k++) {
        if (!order[k]->order)
            continue;
        size_t cnt = 0, at = code_ix_find(order[k], code, &cnt);
        for (size_t i = 0; i < cnt; i++) {
            if (*n == *cap) {
                size_t nc = *cap ? 2 * *cap : 16;
                size_t *l = realloc(*list, nc * sizeof(*l));
                if (!l)
                    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory matching codes");
                *list = l;
                *cap = nc;
            }
            (*list)[(*n)++] = order[k]->order[at + i];
        }
        *found = cnt > 0;
    }
    return LB_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Sort and drop duplicates. */
static size_t uniq(size_t *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_size);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

/* Resolve a list of codes ("A|B|C", also ',' ';' or blanks between codes) to units. Unmatched
 * codes are listed in @p missing (truncated). */
static lb_status resolve_codes(lb_ctx *ctx, const unit_codes *uc, const char *codes, size_t **units,
                               size_t *n_units, char *missing, size_t msize, size_t *n_missing)
{
    size_t *list = NULL, n = 0, cap = 0;
    *n_missing = 0;
    missing[0] = '\0';
    const char *p = codes;
    while (*p) {
        size_t len = strcspn(p, "|,; \t");
        if (len > 0) {
            char *c = trim_dup(p, len);
            if (!c) {
                free(list);
                return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory matching codes");
            }
            int found = 0;
            lb_status st = match_code(ctx, uc, c, &list, &n, &cap, &found);
            if (st == LB_OK && !found) {
                lb_core_list_append(missing, msize, c);
                (*n_missing)++;
            }
            free(c);
            if (st != LB_OK) {
                free(list);
                return st;
            }
        }
        p += len;
        if (*p)
            p++;
    }
    *units = list;
    *n_units = uniq(list, n);
    return LB_OK;
}

/* ---- areas ---- */

static void area_free(wb_area *a)
{
    free(a->id);
    free(a->name);
    free(a->gemeente);
    free(a->wkb);
    free(a->members);
    free(a->dpoly);
    free(a->dcen);
    free(a->share);
    for (size_t i = 0; i < a->n_group; i++)
        free(a->group[i]);
    free(a->group);
}

void wb_data_destroy(wb_data *d)
{
    if (!d)
        return;
    for (size_t f = 0; f < d->n_focus; f++)
        area_free(&d->focus[f]);
    free(d->focus);
    for (size_t f = 0; f < d->n_untested; f++)
        area_free(&d->untested[f]);
    free(d->untested);
    lb_zgraph_destroy(d->graph);
    lb_zunits_destroy(d->zu);
    free(d->member);
    free(d->masked);
    free(d->unit_gm);
    free(d->focus_gm);
    for (size_t i = 0; i < d->n_gm; i++)
        free(d->gm_names[i]);
    free(d->gm_names);
    free(d->unit_region);
    free(d->focus_region);
    for (size_t i = 0; i < d->n_regions; i++)
        free(d->region_names[i]);
    free(d->region_names);
    free(d->rings);
    free(d->near);
    free(d->near_d);
    free(d->ring);
    free(d->adj);
    free(d->adj_focus);
    free(d->beyond);
    for (size_t z = 0; z < d->n_slots; z++)
        free(d->slots[z].name);
    free(d->slots);
    free(d);
}

int wb_in_region(const wb_data *d, size_t f, size_t u)
{
    switch (d->region) {
    case LB_WB_REGION_GEMEENTE:
        return d->focus_gm[f] >= 0 && d->unit_gm[u] == d->focus_gm[f];
    case LB_WB_REGION_TABLE:
        return d->focus_region[f] >= 0 && d->unit_region[u] == d->focus_region[f];
    case LB_WB_REGION_RADIUS:
        return d->focus[f].dpoly[u] <= d->region_radius_m;
    case LB_WB_REGION_GEMEENTE_RADIUS: {
        if (d->focus_gm[f] >= 0 && d->unit_gm[u] == d->focus_gm[f])
            return 1;
        if (!lb_zunits_has(d->zu, u))
            return 0;
        double x, y;
        lb_zunits_centroid(d->zu, u, &x, &y);
        return hypot(x - d->focus[f].cx, y - d->focus[f].cy) <= d->region_radius_m;
    }
    default:
        return 1;
    }
}

/* Distances and shares of every unit for area @p a (its wkb set), members by share. */
static lb_status area_measure(lb_ctx *ctx, wb_data *d, wb_area *a, double reach, double min_share,
                              int members_by_share)
{
    a->dpoly = malloc(d->n * sizeof(double));
    a->dcen = malloc(d->n * sizeof(double));
    a->share = malloc(d->n * sizeof(double));
    if (!a->dpoly || !a->dcen || !a->share)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory measuring area '%s'", a->id);
    lb_status st =
        lb_zunits_to_area(ctx, d->zu, a->wkb, a->wkb_size, reach, a->dpoly, a->dcen, a->share);
    if (st == LB_OK)
        st = lb_geom_wkb_area_centroid(ctx, a->wkb, a->wkb_size, &a->area_m2, &a->cx, &a->cy);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "area '%s': ", a->id);
    if (!members_by_share)
        return LB_OK;
    size_t n = 0;
    for (size_t u = 0; u < d->n; u++)
        n += lb_zunits_has(d->zu, u) && a->share[u] >= min_share;
    a->members = malloc((n ? n : 1) * sizeof(size_t));
    if (!a->members)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for area '%s'", a->id);
    for (size_t u = 0; u < d->n; u++)
        if (lb_zunits_has(d->zu, u) && a->share[u] >= min_share)
            a->members[a->n_members++] = u;
    return LB_OK;
}

static char *field_text(const lb_field *f, size_t row)
{
    if (!f)
        return NULL;
    if (f->is_string)
        return f->str[row] ? trim_dup(f->str[row], strlen(f->str[row])) : NULL;
    if (isnan(f->num[row]))
        return NULL;
    return lb_core_strfmt("%.15g", f->num[row]);
}

/* Cell text of an attribute table (malloc'd, trimmed; numbers formatted); NULL when null. */
static char *cell_text(const lb_attr_table *t, long c, size_t r)
{
    if (c < 0)
        return NULL;
    if (t->num[c])
        return isnan(t->num[c][r]) ? NULL : lb_core_strfmt("%.15g", t->num[c][r]);
    const char *s = t->text[c][r];
    return s ? trim_dup(s, strlen(s)) : NULL;
}

/* First field among @p cands (case-insensitive); a candidate ending in '*' matches a prefix. */
static int pick_field(char *const *names, size_t n, const char *const *cands)
{
    for (const char *const *c = cands; *c; c++) {
        size_t len = strlen(*c);
        int prefix = len > 0 && (*c)[len - 1] == '*';
        for (size_t i = 0; i < n; i++) {
            if (prefix ? strncasecmp(names[i], *c, len - 1) == 0 : strcasecmp(names[i], *c) == 0)
                return (int)i;
        }
    }
    return -1;
}

static const char *const id_cands[] = {"WK_CODE", "BU_CODE", "PC6",     "PC4", "id",
                                       "nr",      "CODE",    "GM_CODE", NULL};
static const char *const name_cands[] = {"WK_NAAM", "BU_NAAM",      "GM_NAAM", "naam",
                                         "name",    "wijk_besluit", "wijk",    NULL};
static const char *const gm_cands[] = {"GM_CODE", "gm_code*", "gemeentecode", "gemeente", NULL};

/* Resolve a field option: the named one (error when absent) or the first candidate. */
static lb_status want_field(lb_ctx *ctx, char *const *names, size_t n, const char *opt,
                            const char *const *cands, const char *what, const char *path, int *out)
{
    if (opt) {
        for (size_t i = 0; i < n; i++)
            if (strcasecmp(names[i], opt) == 0) {
                *out = (int)i;
                return LB_OK;
            }
        char list[768] = "";
        for (size_t i = 0; i < n; i++)
            lb_core_list_append(list, sizeof(list), names[i]);
        return lb_ctx_error(ctx, LB_ERR_DATA, "'%s': no %s field '%s' (fields: %s)", path, what,
                            opt, list);
    }
    *out = pick_field(names, n, cands);
    return LB_OK;
}

/* Gemeente of an area from its members' codes: the most frequent (smallest code on a tie). */
static char *member_gemeente(const wb_data *d, const wb_area *a)
{
    if (!d->s->gm_code || a->n_members == 0)
        return NULL;
    int best = -1;
    size_t best_n = 0;
    for (size_t i = 0; i < a->n_members; i++) {
        int g = d->unit_gm[a->members[i]];
        if (g < 0)
            continue;
        size_t cnt = 0;
        for (size_t j = 0; j < a->n_members; j++)
            cnt += d->unit_gm[a->members[j]] == g;
        if (cnt > best_n ||
            (cnt == best_n && best >= 0 && strcmp(d->gm_names[g], d->gm_names[best]) < 0)) {
            best = g;
            best_n = cnt;
        }
    }
    return best >= 0 ? lb_core_strdup(d->gm_names[best]) : NULL;
}

static lb_status push_area(lb_ctx *ctx, wb_area **v, size_t *n, size_t *cap, wb_area *a)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        wb_area *g = realloc(*v, nc * sizeof(*g));
        if (!g) {
            area_free(a);
            memset(a, 0, sizeof(*a));
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for focus areas");
        }
        *v = g;
        *cap = nc;
    }
    (*v)[(*n)++] = *a;
    memset(a, 0, sizeof(*a));
    return LB_OK;
}

typedef struct area_list {
    wb_area *v;
    size_t n, cap;
} area_list;

static void area_list_free(area_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        area_free(&l->v[i]);
    free(l->v);
}

/* An area made of the units matching @p codes; skipped when nothing matches: with a warning,
 * or silently with *matched = 0 when @p matched is given (the caller sums up). */
static lb_status area_from_codes(lb_ctx *ctx, wb_data *d, const unit_codes *uc, char *id,
                                 char *name, char *gemeente, const char *codes, double reach,
                                 const char *what, area_list *out, int *matched)
{
    wb_area a = {.id = id, .name = name, .gemeente = gemeente};
    char missing[512];
    size_t n_missing = 0;
    lb_status st = resolve_codes(ctx, uc, codes, &a.members, &a.n_members, missing, sizeof(missing),
                                 &n_missing);
    if (st != LB_OK) {
        area_free(&a);
        return st;
    }
    /* units without polygon cannot be members of a zone analysis */
    size_t k = 0;
    for (size_t i = 0; i < a.n_members; i++)
        if (lb_zunits_has(d->zu, a.members[i]))
            a.members[k++] = a.members[i];
    a.n_members = k;
    if (matched)
        *matched = a.n_members > 0;
    if (a.n_members == 0 && matched) {
        area_free(&a);
        return LB_OK;
    }
    if (a.n_members == 0) {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "%s '%s': none of its codes (%s) matches a unit id, wijk or gemeente code of "
                   "the scores; left out",
                   what, a.id, codes);
        area_free(&a);
        return LB_OK;
    }
    if (n_missing)
        lb_ctx_log(ctx, LB_LOG_WARN, "%s '%s': %zu code(s) match no unit: %s", what, a.id,
                   n_missing, missing);
    st = lb_zunits_union(ctx, d->zu, a.members, a.n_members, &a.wkb, &a.wkb_size, NULL);
    if (st == LB_OK)
        st = area_measure(ctx, d, &a, reach, 0.0, 0);
    if (st == LB_OK)
        return push_area(ctx, &out->v, &out->n, &out->cap, &a);
    area_free(&a);
    return st;
}

/* "NAME=A|B" or "A|B" given on the command line. */
static lb_status areas_from_code_args(lb_ctx *ctx, wb_data *d, const unit_codes *uc,
                                      const char *const *args, size_t n, double reach,
                                      const char *what, area_list *out)
{
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(args[i], '=');
        const char *codes = eq ? eq + 1 : args[i];
        char *id = eq ? trim_dup(args[i], (size_t)(eq - args[i])) : lb_core_strdup(args[i]);
        char *name = lb_core_strdup(id);
        if (!id || !name || !*id) {
            free(id);
            free(name);
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "%s codes '%s': expected NAME=CODE|CODE|... or "
                                "CODE|CODE|...",
                                what, args[i]);
        }
        lb_status st = area_from_codes(ctx, d, uc, id, name, NULL, codes, reach, what, out, NULL);
        if (st != LB_OK)
            return st;
    }
    return LB_OK;
}

/* A table of code lists, one area per row. */
static lb_status areas_from_table(lb_ctx *ctx, wb_data *d, const unit_codes *uc,
                                  const lb_attr_table *t, const lb_waterbed_options *o,
                                  double reach, area_list *out)
{
    int fid = -1, fname = -1, fgm = -1, fcodes = -1;
    static const char *const codes_cands[] = {"codes", "*codes", NULL};
    lb_status st =
        want_field(ctx, t->names, t->n_cols, o->focus_id_field, id_cands, "id", t->path, &fid);
    if (st == LB_OK)
        st = want_field(ctx, t->names, t->n_cols, o->focus_name_field, name_cands, "name", t->path,
                        &fname);
    if (st == LB_OK)
        st = want_field(ctx, t->names, t->n_cols, o->focus_gemeente_field, gm_cands, "gemeente",
                        t->path, &fgm);
    if (st == LB_OK && o->focus_codes_field)
        st = want_field(ctx, t->names, t->n_cols, o->focus_codes_field, codes_cands, "codes",
                        t->path, &fcodes);
    if (st != LB_OK)
        return st;
    if (fcodes < 0) {
        /* the first field whose name ends in "codes" */
        for (size_t i = 0; i < t->n_cols && fcodes < 0; i++) {
            size_t len = strlen(t->names[i]);
            if (len >= 5 && strcasecmp(t->names[i] + len - 5, "codes") == 0)
                fcodes = (int)i;
        }
    }
    if (fcodes < 0) {
        char list[768] = "";
        for (size_t i = 0; i < t->n_cols; i++)
            lb_core_list_append(list, sizeof(list), t->names[i]);
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "'%s' has no geometry and no field of unit codes (a name ending in "
                            "'codes'); name it with --focus-codes-field (fields: %s)",
                            t->path, list);
    }
    char unmatched[512] = "", example[128] = "";
    size_t n_unmatched = 0, n_tried = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        char *codes = cell_text(t, fcodes, r);
        char *id = cell_text(t, fid, r);
        if (!id)
            id = lb_core_strfmt("%zu", r + 1);
        char *name = cell_text(t, fname, r);
        if (!name && id)
            name = lb_core_strdup(id);
        char *gv = cell_text(t, fgm, r), *gm = gm_norm(gv);
        free(gv);
        if (!id || !name) {
            free(id);
            free(name);
            free(gm);
            free(codes);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for focus areas");
        }
        if (!codes || !*codes) {
            lb_ctx_log(ctx, LB_LOG_WARN, "'%s' row %zu (focus area '%s'): no codes; left out",
                       t->path, r + 1, id);
            free(id);
            free(name);
            free(gm);
            free(codes);
            continue;
        }
        char idcopy[64];
        snprintf(idcopy, sizeof(idcopy), "%s", id);
        if (!example[0])
            snprintf(example, sizeof(example), "%.*s", (int)strcspn(codes, "|,; \t"), codes);
        int matched = 0;
        n_tried++;
        st = area_from_codes(ctx, d, uc, id, name, gm, codes, reach, "focus area", out, &matched);
        free(codes);
        if (st != LB_OK)
            return st;
        if (!matched) {
            lb_core_list_append(unmatched, sizeof(unmatched), idcopy);
            n_unmatched++;
        }
    }
    if (n_tried > 0 && n_unmatched == n_tried) {
        /* one message for the whole table instead of one per row: the codes are of another
         * kind than the units (wijk codes against PC4 units, say) */
        char ids[256] = "";
        int any_wk = 0;
        for (size_t u = 0; u < d->n && u < 5; u++)
            lb_core_list_append(ids, sizeof(ids), d->s->id[u]);
        for (size_t u = 0; d->s->wk_code && u < d->n && !any_wk; u++)
            any_wk = d->s->wk_code[u] != NULL;
        return lb_ctx_error(
            ctx, LB_ERR_DATA,
            "'%s': none of the %zu focus areas' codes (field '%s', e.g. '%s') matches a unit id, "
            "wijk code or gemeente code of the scores (unit ids look like: %s%s). Units that do "
            "not nest in CBS wijken (PC4, PC6, grid cells) cannot be matched by wijk codes: give "
            "the focus areas as polygons (--focus wijken.gpkg, with --focus-where to pick them), "
            "or as lists of the units' own codes (--focus-codes NAME=CODE|CODE, or a table "
            "whose codes field lists them)",
            t->path, n_tried, t->names[fcodes], example, ids,
            any_wk ? "" : "; the units carry no wijk codes");
    }
    if (n_unmatched)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "'%s': %zu of %zu focus areas match no unit by their codes (field '%s') and "
                   "are left out: %s",
                   t->path, n_unmatched, n_tried, t->names[fcodes], unmatched);
    return LB_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Features of the focus table (every row) that the polygon reader left out for want of a
 * geometry: counted and named by their id (or feature id), so that none goes missing unseen. */
static void focus_without_geometry(lb_ctx *ctx, wb_data *d, const lb_attr_table *t,
                                   const lb_vlayer *l, const lb_waterbed_options *o)
{
    if (t->n_rows <= l->n)
        return;
    int64_t *kept = malloc((l->n ? l->n : 1) * sizeof(int64_t));
    if (!kept)
        return; /* only a warning is lost */
    memcpy(kept, l->fid, l->n * sizeof(int64_t));
    qsort(kept, l->n, sizeof(int64_t), cmp_i64);
    int fid = -1;
    if (want_field(ctx, t->names, t->n_cols, o->focus_id_field, id_cands, "id", t->path, &fid) !=
        LB_OK)
        fid = -1;
    char ids[512] = "";
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (bsearch(&t->fid[r], kept, l->n, sizeof(int64_t), cmp_i64))
            continue;
        char *id = cell_text(t, fid, r);
        char *one = id ? id : lb_core_strfmt("feature %lld", (long long)t->fid[r]);
        if (one)
            lb_core_list_append(ids, sizeof(ids), one);
        free(one);
        n++;
    }
    free(kept);
    d->n_focus_nogeom = n;
    if (n)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus layer '%s' layer '%s': %zu of %zu focus area(s) have no geometry (NULL "
                   "or empty) and are left out: %s; give them polygons, or list their units with "
                   "--focus-codes",
                   t->path, t->layer ? t->layer : l->layer, n, t->n_rows, ids);
}

/* Polygons of a layer, one area per feature. */
static lb_status areas_from_polygons(lb_ctx *ctx, wb_data *d, const char *path, const char *layer,
                                     const char *where, const char *s_srs,
                                     const lb_waterbed_options *o, double reach, int focus,
                                     const lb_attr_table *table, area_list *out)
{
    lb_vlayer *l = NULL;
    lb_source src = {focus ? "focus" : "mask", path, layer, s_srs};
    lb_status st = lb_vlayer_read(ctx, &src, where, &l);
    if (st != LB_OK)
        return st;
    if (l->kind != LB_GEOM_POLYGON) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "'%s' layer '%s': %s areas must be polygons", path,
                          l->layer, focus ? "focus" : "mask");
        lb_vlayer_destroy(l);
        return st;
    }
    if (focus && o->focus_codes_field)
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "'%s' layer '%s' has polygons, so --focus-codes-field '%s' is not used: a "
                   "unit belongs to a focus area by the share of it inside the polygon (list unit "
                   "codes in a table without geometry, or with --focus-codes, to use codes)",
                   path, l->layer, o->focus_codes_field);
    /* the one repair path, with its warning naming the features (as area mode does) */
    size_t n_rep = 0;
    st = lb_geom_make_valid_layer(ctx, l, &n_rep);
    if (st != LB_OK) {
        lb_vlayer_destroy(l);
        return st;
    }
    if (focus)
        d->n_focus_repaired = n_rep;
    if (focus && table)
        focus_without_geometry(ctx, d, table, l, o);
    char **names = calloc(l->n_fields ? l->n_fields : 1, sizeof(char *));
    if (!names) {
        lb_vlayer_destroy(l);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < l->n_fields; i++)
        names[i] = l->fields[i].name;
    int fid = -1, fname = -1, fgm = -1;
    st = want_field(ctx, names, l->n_fields, focus ? o->focus_id_field : NULL, id_cands, "id", path,
                    &fid);
    if (st == LB_OK)
        st = want_field(ctx, names, l->n_fields, focus ? o->focus_name_field : NULL, name_cands,
                        "name", path, &fname);
    if (st == LB_OK)
        st = want_field(ctx, names, l->n_fields, focus ? o->focus_gemeente_field : NULL, gm_cands,
                        "gemeente", path, &fgm);
    free(names);
    for (size_t r = 0; r < l->n && st == LB_OK; r++) {
        wb_area a = {0};
        a.id = fid >= 0 ? field_text(&l->fields[fid], r) : NULL;
        if (!a.id)
            a.id = lb_core_strfmt("%s_%lld", focus ? "focus" : "mask", (long long)l->fid[r]);
        char *nm = fname >= 0 ? field_text(&l->fields[fname], r) : NULL;
        a.name = nm ? nm : lb_core_strdup(a.id);
        char *gm = fgm >= 0 ? field_text(&l->fields[fgm], r) : NULL;
        a.gemeente = gm_norm(gm);
        free(gm);
        a.wkb = malloc(l->wkb_size[r]);
        if (!a.id || !a.name || !a.wkb) {
            area_free(&a);
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for focus areas");
            break;
        }
        memcpy(a.wkb, l->wkb[r], l->wkb_size[r]);
        a.wkb_size = l->wkb_size[r];
        st = area_measure(ctx, d, &a, reach, o->focus_min_share, 1);
        if (st == LB_OK)
            st = push_area(ctx, &out->v, &out->n, &out->cap, &a);
        else
            area_free(&a);
    }
    lb_vlayer_destroy(l);
    return st;
}

static int same_units(const wb_area *a, const wb_area *b)
{
    return a->n_members > 0 && a->n_members == b->n_members &&
           memcmp(a->members, b->members, a->n_members * sizeof(size_t)) == 0;
}

/* Focus areas with the very same member units (sorted lists) become one group: the first in
 * file order keeps its place and id, its polygon becomes the union of the group's, its
 * distances the smallest and its shares the largest of the members' (those of the union:
 * every unit was measured against each member polygon); the others are dropped with a note
 * naming them. Otherwise every unit would go to the first of them and the others would get
 * empty zones. */
static lb_status group_identical(lb_ctx *ctx, wb_data *d)
{
    lb_status st = LB_OK;
    for (size_t f = 0; f < d->n_focus && st == LB_OK; f++) {
        wb_area *a = &d->focus[f];
        size_t n_same = 0;
        for (size_t g = f + 1; g < d->n_focus; g++)
            n_same += same_units(a, &d->focus[g]);
        if (n_same == 0)
            continue;
        a->group = calloc(n_same + 1, sizeof(char *));
        const unsigned char **wkb = calloc(n_same + 1, sizeof(*wkb));
        size_t *size = calloc(n_same + 1, sizeof(size_t));
        unsigned char *un = NULL;
        size_t un_size = 0;
        if (!a->group || !wkb || !size || !(a->group[0] = lb_core_strdup(a->id))) {
            free(wkb);
            free(size);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory grouping focus areas");
        }
        a->n_group = 1;
        wkb[0] = a->wkb;
        size[0] = a->wkb_size;
        char names[512] = "";
        lb_core_list_append(names, sizeof(names), a->id);
        for (size_t g = f + 1; g < d->n_focus; g++) {
            wb_area *b = &d->focus[g];
            if (!same_units(a, b))
                continue;
            for (size_t u = 0; u < d->n; u++) {
                a->dpoly[u] = fmin(a->dpoly[u], b->dpoly[u]);
                a->dcen[u] = fmin(a->dcen[u], b->dcen[u]);
                a->share[u] = fmax(a->share[u], b->share[u]);
            }
            if (!a->gemeente && b->gemeente) {
                a->gemeente = b->gemeente;
                b->gemeente = NULL;
            }
            wkb[a->n_group] = b->wkb;
            size[a->n_group] = b->wkb_size;
            a->group[a->n_group++] = b->id;
            lb_core_list_append(names, sizeof(names), b->id);
            b->id = NULL;
        }
        st = lb_geom_wkb_union(ctx, wkb, size, a->n_group, &un, &un_size);
        free(wkb);
        free(size);
        if (st == LB_OK) {
            free(a->wkb);
            a->wkb = un;
            a->wkb_size = un_size;
            st = lb_geom_wkb_area_centroid(ctx, a->wkb, a->wkb_size, &a->area_m2, &a->cx, &a->cy);
        }
        /* drop the grouped ones (their ids moved into the group) */
        size_t k = f + 1;
        for (size_t g = f + 1; g < d->n_focus; g++) {
            if (d->focus[g].id == NULL) {
                area_free(&d->focus[g]);
                continue;
            }
            d->focus[k++] = d->focus[g];
        }
        d->n_focus = k;
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "focus areas %s have the very same %zu unit(s); they form one group under "
                   "'%s' (one set of zones, one test)",
                   names, a->n_members, a->id);
    }
    return st;
}

static lb_status read_regions(lb_ctx *ctx, wb_data *d, const lb_waterbed_options *o)
{
    lb_attr_table *t = NULL;
    lb_status st = lb_attr_table_read(ctx, o->region_table, NULL, &t);
    if (st != LB_OK)
        return st;
    static const char *const reg_cands[] = {"region", "regio",   "COROP", "corop*",
                                            "regio*", "region*", NULL};
    int fg = -1, fr = -1;
    st = want_field(ctx, t->names, t->n_cols, o->region_gemeente_field, gm_cands, "gemeente",
                    t->path, &fg);
    if (st == LB_OK)
        st = want_field(ctx, t->names, t->n_cols, o->region_field, reg_cands, "region", t->path,
                        &fr);
    if (st == LB_OK && (fg < 0 || fr < 0)) {
        char list[768] = "";
        for (size_t i = 0; i < t->n_cols; i++)
            lb_core_list_append(list, sizeof(list), t->names[i]);
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "region table '%s': cannot tell the %s column (fields: %s); name it with "
                          "--region-%s",
                          t->path, fg < 0 ? "gemeente" : "region", list,
                          fg < 0 ? "gemeente-field" : "field");
    }
    /* gemeente id -> region id */
    int *gm_region = NULL;
    if (st == LB_OK) {
        gm_region = malloc((d->n_gm ? d->n_gm : 1) * sizeof(int));
        if (!gm_region)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for regions");
        for (size_t i = 0; gm_region && i < d->n_gm; i++)
            gm_region[i] = -1;
    }
    for (size_t r = 0; st == LB_OK && r < t->n_rows; r++) {
        char *gv = cell_text(t, fg, r), *rv = cell_text(t, fr, r);
        char *g = gm_norm(gv);
        free(gv);
        if (!g || !rv || !*rv) {
            free(g);
            free(rv);
            continue;
        }
        int gi = -1;
        for (size_t i = 0; i < d->n_gm; i++)
            if (strcmp(d->gm_names[i], g) == 0)
                gi = (int)i;
        free(g);
        if (gi < 0) {
            free(rv);
            continue; /* a gemeente without units or focus areas */
        }
        int ri = -1;
        for (size_t i = 0; i < d->n_regions; i++)
            if (strcmp(d->region_names[i], rv) == 0)
                ri = (int)i;
        if (ri < 0) {
            char **nr = realloc(d->region_names, (d->n_regions + 1) * sizeof(*nr));
            if (!nr) {
                free(rv);
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for regions");
                break;
            }
            d->region_names = nr;
            d->region_names[d->n_regions] = rv;
            rv = NULL;
            ri = (int)d->n_regions++;
        }
        if (gm_region[gi] >= 0 && gm_region[gi] != ri) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "region table '%s' row %zu: gemeente %s is in region '%s' and in "
                              "region '%s'",
                              t->path, r + 1, d->gm_names[gi], d->region_names[gm_region[gi]],
                              d->region_names[ri]);
            free(rv);
            break;
        }
        free(rv);
        gm_region[gi] = ri;
    }
    if (st == LB_OK) {
        d->unit_region = malloc((d->n ? d->n : 1) * sizeof(int));
        d->focus_region = malloc((d->n_focus ? d->n_focus : 1) * sizeof(int));
        if (!d->unit_region || !d->focus_region)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for regions");
    }
    if (st == LB_OK) {
        size_t unknown = 0;
        for (size_t u = 0; u < d->n; u++) {
            d->unit_region[u] = d->unit_gm[u] >= 0 ? gm_region[d->unit_gm[u]] : -1;
            unknown += d->unit_region[u] < 0;
        }
        if (unknown)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "region table '%s': %zu unit(s) have a gemeente code it does not list (or "
                       "none); they are in no region",
                       t->path, unknown);
        for (size_t f = 0; f < d->n_focus; f++) {
            d->focus_region[f] = d->focus_gm[f] >= 0 ? gm_region[d->focus_gm[f]] : -1;
            if (d->focus_region[f] < 0)
                lb_ctx_log(ctx, LB_LOG_WARN,
                           "focus area '%s': gemeente %s is not in region table '%s'; it has no "
                           "region, so no far control or regional trend",
                           d->focus[f].id,
                           d->focus[f].gemeente ? d->focus[f].gemeente : "(unknown)", t->path);
        }
    }
    free(gm_region);
    lb_attr_table_destroy(t);
    return st;
}

static lb_status check_options(lb_ctx *ctx, const lb_scoreset *s, const lb_waterbed_options *o)
{
    if (!s->geom)
        return lb_ctx_error(
            ctx, LB_ERR_DATA,
            "the scores (%s) have no polygons; zones need them: join a polygon layer "
            "with --geometry PATH[:LAYER]",
            s->description ? s->description : "input");
    for (size_t i = 0; i < o->n_rings; i++)
        if (!(o->rings_m[i] > 0.0) || (i > 0 && !(o->rings_m[i] > o->rings_m[i - 1])))
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "rings: outer edges must be positive and ascending (got %g after "
                                "%g)",
                                o->rings_m[i], i > 0 ? o->rings_m[i - 1] : 0.0);
    if (!(o->focus_min_share > 0.0 && o->focus_min_share <= 1.0))
        return lb_ctx_error(ctx, LB_ERR_ARG, "focus share %g must lie in (0, 1]",
                            o->focus_min_share);
    if (!(o->adjacency_tol_m >= 0.0) || o->adjacency_orders < 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "adjacency: tolerance must be >= 0 m and orders >= 0");
    int sources = (o->focus_path != NULL) + (o->n_focus_codes > 0);
    if (sources != 1)
        return lb_ctx_error(
            ctx, LB_ERR_ARG,
            "give focus areas either as a layer or table (--focus) or as code lists "
            "(--focus-codes), %s",
            sources ? "not both" : "none given");
    if (o->region == LB_WB_REGION_TABLE && !o->region_table)
        return lb_ctx_error(ctx, LB_ERR_ARG, "region mode 'table' needs a region table");
    if ((o->region == LB_WB_REGION_RADIUS || o->region == LB_WB_REGION_GEMEENTE_RADIUS) &&
        !(o->region_radius_m > 0.0))
        return lb_ctx_error(ctx, LB_ERR_ARG, "region mode '%s' needs --region-radius > 0 m",
                            o->region == LB_WB_REGION_RADIUS ? "radius" : "gemeente-or-radius");
    if ((o->region == LB_WB_REGION_TABLE || o->region == LB_WB_REGION_GEMEENTE ||
         o->region == LB_WB_REGION_GEMEENTE_RADIUS) &&
        !s->gm_code)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "region by %s needs gemeente codes on the units, and %s has none; use "
                            "--region-radius or --region all",
                            o->region == LB_WB_REGION_TABLE      ? "table"
                            : o->region == LB_WB_REGION_GEMEENTE ? "gemeente"
                                                                 : "gemeente or radius",
                            s->description ? s->description : "the input");
    if (o->far_exclude_adjacency < 0 || o->adjacency_from < LB_WB_ADJ_FROM_POLYGON ||
        o->adjacency_from > LB_WB_ADJ_FROM_MEMBERS || o->ties < LB_WB_TIES_DISTANCE ||
        o->ties > LB_WB_TIES_ORDER)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "far-control exclusion must be an adjacency order >= 0, adjacency "
                            "from 'polygon' or 'members', ties 'distance' or 'order'");
    return LB_OK;
}

lb_status wb_data_create(lb_ctx *ctx, const lb_scoreset *s, const lb_waterbed_options *o,
                         wb_data **out)
{
    lb_status st = check_options(ctx, s, o);
    if (st != LB_OK)
        return st;
    wb_data *d = calloc(1, sizeof(*d));
    unit_codes uc = {0};
    area_list focus = {0}, mask = {0};
    lb_attr_table *table = NULL;
    if (!d)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    d->s = s;
    d->n = s->n_units;
    d->n_rings = o->n_rings ? o->n_rings : sizeof(default_rings) / sizeof(default_rings[0]);
    d->rings = malloc(d->n_rings * sizeof(double));
    d->member = calloc(d->n ? d->n : 1, 1);
    d->masked = calloc(d->n ? d->n : 1, 1);
    d->unit_gm = malloc((d->n ? d->n : 1) * sizeof(int));
    if (!d->rings || !d->member || !d->masked || !d->unit_gm) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    memcpy(d->rings, o->n_rings ? o->rings_m : default_rings, d->n_rings * sizeof(double));
    d->dist = o->distance;
    d->adj_tol_m = o->adjacency_tol_m;
    d->n_adj = o->adjacency_orders;
    d->rigo = o->rigo;
    d->tie_order = o->ties == LB_WB_TIES_ORDER;
    d->adj_from_members = o->adjacency_from == LB_WB_ADJ_FROM_MEMBERS;
    d->far_excl_adj = o->far_exclude_adjacency;
    for (size_t u = 0; u < d->n; u++) {
        int g = s->gm_code ? gm_intern(d, s->gm_code[u]) : -1;
        if (g == -2) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        d->unit_gm[u] = g;
    }

    d->region = o->region;
    if (d->region == LB_WB_REGION_AUTO)
        d->region = s->gm_code && d->n_gm > 0 ? LB_WB_REGION_GEMEENTE : LB_WB_REGION_ALL;
    d->region_radius_m = o->region_radius_m;
    double last = d->rings[d->n_rings - 1];
    double reach = fmax(last, d->adj_tol_m);
    if (d->region == LB_WB_REGION_RADIUS)
        reach = fmax(reach, d->region_radius_m);

    st = lb_zunits_create(ctx, s->geom, s->geom_row, d->n, &d->zu);
    if (st != LB_OK)
        goto cleanup;
    for (size_t u = 0; u < d->n; u++)
        if (!lb_zunits_has(d->zu, u)) {
            d->masked[u] = 1;
            d->n_nogeom++;
        }
    if (d->n_nogeom)
        lb_ctx_log(ctx, LB_LOG_WARN, "%zu unit(s) have no polygon and are left out of every zone",
                   d->n_nogeom);
    if (!code_ix_build(&uc.id, s->id, d->n) || !code_ix_build(&uc.wk, s->wk_code, d->n) ||
        !code_ix_build(&uc.gm, s->gm_code, d->n)) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory indexing unit codes");
        goto cleanup;
    }

    const char *s_srs = o->n_scores > 0 && o->scores ? o->scores[0].s_srs : NULL;
    if (o->focus_path) {
        /* the attribute reader keeps rows without geometry and tells whether there is one */
        st = lb_attr_table_read_where(ctx, o->focus_path, o->focus_layer, o->focus_where, &table);
        if (st == LB_OK && table->has_geometry)
            st = areas_from_polygons(ctx, d, o->focus_path, o->focus_layer, o->focus_where, s_srs,
                                     o, reach, 1, table, &focus);
        else if (st == LB_OK)
            st = areas_from_table(ctx, d, &uc, table, o, reach, &focus);
    } else {
        st = areas_from_code_args(ctx, d, &uc, o->focus_codes, o->n_focus_codes, reach,
                                  "focus area", &focus);
    }
    if (st != LB_OK)
        goto cleanup;
    if (o->mask_path)
        st = areas_from_polygons(ctx, d, o->mask_path, o->mask_layer, NULL, s_srs, o, reach, 0,
                                 NULL, &mask);
    if (st == LB_OK && o->n_mask_codes)
        st = areas_from_code_args(ctx, d, &uc, o->mask_codes, o->n_mask_codes, reach, "mask area",
                                  &mask);
    if (st != LB_OK)
        goto cleanup;

    /* keep the focus areas that reach the units at all */
    size_t focus_cap = 0, untested_cap = 0;
    for (size_t i = 0; i < focus.n; i++) {
        wb_area *a = &focus.v[i];
        int near = 0;
        for (size_t u = 0; u < d->n && !near; u++)
            near = isfinite(a->dpoly[u]);
        if (!near) {
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "focus area '%s' lies farther than %.0f m from every scored unit; left out",
                       a->id, reach);
            area_free(a);
            memset(a, 0, sizeof(*a));
            continue;
        }
        if (a->n_members == 0 && o->test_empty_focus)
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "focus area '%s': no unit has %.0f%% of its area inside it, so its own "
                       "statistics are empty; its zones are tested as asked (--test-empty-focus)",
                       a->id, 100.0 * o->focus_min_share);
        if (a->n_members == 0 && !o->test_empty_focus) {
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "focus area '%s': no unit has %.0f%% of its area inside it (units larger "
                       "than the area?); it is reported as untested, without zones or tests. "
                       "Lower --focus-share, or pass --test-empty-focus to test its zones anyway",
                       a->id, 100.0 * o->focus_min_share);
            st = push_area(ctx, &d->untested, &d->n_untested, &untested_cap, a);
        } else {
            st = push_area(ctx, &d->focus, &d->n_focus, &focus_cap, a);
        }
        if (st != LB_OK)
            goto cleanup;
    }
    focus.n = 0;
    if (o->group_identical) {
        st = group_identical(ctx, d);
        if (st != LB_OK)
            goto cleanup;
    }
    if (d->n_focus == 0 && d->n_untested > 0) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "none of the %zu focus areas of %s has a unit of its own (%.0f%% of the "
                          "unit inside); lower --focus-share, or pass --test-empty-focus",
                          d->n_untested, o->focus_path ? o->focus_path : "--focus-codes",
                          100.0 * o->focus_min_share);
        goto cleanup;
    }
    if (d->n_focus == 0) {
        char ids[256] = "";
        for (size_t u = 0; u < d->n && u < 5; u++)
            lb_core_list_append(ids, sizeof(ids), s->id[u]);
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "no focus area matches the scored units (%s; unit ids look like: %s)",
                          o->focus_path ? o->focus_path : "--focus-codes", ids);
        goto cleanup;
    }
    d->focus_gm = malloc(d->n_focus * sizeof(int));
    if (!d->focus_gm) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t f = 0; f < d->n_focus; f++) {
        wb_area *a = &d->focus[f];
        if (!a->gemeente)
            a->gemeente = member_gemeente(d, a);
        int g = a->gemeente ? gm_intern(d, a->gemeente) : -1;
        if (g == -2) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        d->focus_gm[f] = g;
        for (size_t i = 0; i < a->n_members; i++)
            d->member[a->members[i]] = 1;
    }
    /* mask areas: their members (units inside by share, or matched by code) are masked */
    for (size_t i = 0; i < mask.n; i++)
        for (size_t k = 0; k < mask.v[i].n_members; k++)
            d->masked[mask.v[i].members[k]] = 1;
    for (size_t u = 0; u < d->n; u++) {
        if (d->member[u] && d->masked[u] && lb_zunits_has(d->zu, u))
            d->masked[u] = 0; /* a focus area's own unit is never masked */
        d->n_masked += d->masked[u] && lb_zunits_has(d->zu, u);
    }
    if (d->region == LB_WB_REGION_TABLE) {
        st = read_regions(ctx, d, o);
        if (st != LB_OK)
            goto cleanup;
    }
    st = lb_zgraph_create(ctx, d->zu, fmax(last, d->adj_tol_m), d->dist == LB_WB_DIST_CENTROID,
                          &d->graph);
    if (st != LB_OK)
        goto cleanup;
    *out = d;
    d = NULL;
cleanup:
    lb_attr_table_destroy(table);
    area_list_free(&focus);
    area_list_free(&mask);
    unit_codes_free(&uc);
    wb_data_destroy(d);
    return st;
}
