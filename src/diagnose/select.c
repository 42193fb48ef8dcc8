/* SPDX-License-Identifier: MIT */
/* Which scored units form the wijk, its gemeente and the focus areas: by code, by name, or
 * by polygon (units at least min_inside of their area inside). */
#define _POSIX_C_SOURCE 200809L

#include "diagnose.h"

#include "../core/ctx.h"
#include "../geom/overlay.h"
#include "text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Fields that name or code an area in polygon layers, in order of preference. */
static const char *const name_fields[] = {
    "WK_NAAM",  "BU_NAAM",   "GM_NAAM",  "NAAM",         "NAME",     "naam", "wijk",
    "wijknaam", "buurtnaam", "gemeente", "gemeentenaam", "statnaam", NULL};
static const char *const code_fields[] = {"WK_CODE", "BU_CODE",  "GM_CODE",  "CODE",
                                          "KODE",    "statcode", "postcode", "PC4",
                                          "PC6",     "ID",       NULL};

int lb_diagnose_code_match(const char *pattern, const char *code)
{
    if (!pattern || !code)
        return 0;
    size_t n = strlen(pattern);
    if (n > 0 && pattern[n - 1] == '*') {
        if (strlen(code) < n - 1)
            return 0;
        for (size_t i = 0; i + 1 < n; i++) {
            char a = pattern[i], b = code[i];
            if (a >= 'a' && a <= 'z')
                a = (char)(a - 'a' + 'A');
            if (b >= 'a' && b <= 'z')
                b = (char)(b - 'a' + 'A');
            if (a != b)
                return 0;
        }
        return 1;
    }
    return lb_core_str_ieq(pattern, code);
}

void lb_diagnose_selection_free(lb_diagnose_selection *sel)
{
    free(sel->wijk);
    free(sel->gemeente);
    free(sel->focus);
    free(sel->wijk_share);
    free(sel->wijk_code);
    free(sel->wijk_name);
    free(sel->wijk_rule);
    free(sel->gemeente_code);
    free(sel->gemeente_name);
    free(sel->gemeente_rule);
    free(sel->focus_rule);
    free(sel->wijk_source);
    free(sel->gemeente_source);
    free(sel->focus_source);
    lb_vlayer_destroy(sel->wijk_poly);
    free(sel->wijk_poly_take);
    lb_vlayer_destroy(sel->focus_poly);
    memset(sel, 0, sizeof(*sel));
}

/* A comma-separated list, split in a copy: items[] point into *buf (caller frees both). */
static lb_status split_list(lb_ctx *ctx, const char *list, char **buf, char ***items, size_t *n)
{
    *buf = lb_core_strdup(list);
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    *items = calloc(cap, sizeof(**items));
    if (!*buf || !*items) {
        free(*buf);
        free(*items);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(*buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len > 0 && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (len > 0)
            (*items)[(*n)++] = tok;
    }
    return LB_OK;
}

/* PATH[:LAYER]: the layer is split off at the last ':' unless PATH names an existing file. */
static lb_status read_polygons(lb_ctx *ctx, const char *what, const char *spec, const char *s_srs,
                               lb_vlayer **out)
{
    char *path = lb_core_strdup(spec);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const char *layer = NULL;
    struct stat sb;
    char *colon = strrchr(path, ':');
    if (colon && stat(path, &sb) != 0 && colon[1] && !strchr(colon, '/')) {
        *colon = '\0';
        layer = colon + 1;
    }
    lb_source src = {.name = what, .path = path, .layer = layer, .s_srs = s_srs};
    lb_status st = lb_vlayer_read(ctx, &src, NULL, out);
    if (st == LB_OK && (*out)->kind != LB_GEOM_POLYGON) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "%s '%s' layer '%s': polygons expected", what, path,
                          (*out)->layer ? (*out)->layer : "");
        lb_vlayer_destroy(*out);
        *out = NULL;
    }
    free(path);
    return st;
}

/* Value of field @p f of feature @p i as text into buf ("" when missing). */
static const char *field_text(const lb_field *f, size_t i, char *buf, size_t size)
{
    if (f->is_string && f->str && f->str[i])
        return f->str[i];
    if (!isnan(f->num[i])) {
        snprintf(buf, size, "%.15g", f->num[i]);
        return buf;
    }
    return "";
}

static const lb_field *find_field(const lb_vlayer *l, const char *const *names)
{
    for (size_t k = 0; names[k]; k++)
        for (size_t j = 0; j < l->n_fields; j++)
            if (lb_core_str_ieq(l->fields[j].name, names[k]))
                return &l->fields[j];
    return NULL;
}

/* Mark features of @p l whose text fields equal one of @p items; returns the count. */
static size_t pick_features(const lb_vlayer *l, char **items, size_t n_items, unsigned char *take)
{
    size_t n = 0;
    char buf[64];
    for (size_t i = 0; i < l->n; i++) {
        take[i] = 0;
        for (size_t j = 0; j < l->n_fields && !take[i]; j++)
            for (size_t k = 0; k < n_items && !take[i]; k++)
                if (lb_core_str_ieq(field_text(&l->fields[j], i, buf, sizeof(buf)), items[k]))
                    take[i] = 1;
        n += take[i];
    }
    return n;
}

/* "a, b, c" of a field over the taken features (distinct, at most a few); caller frees. */
static char *join_field(const lb_vlayer *l, const lb_field *f, const unsigned char *take)
{
    if (!f)
        return NULL;
    lb_text t = {0};
    char buf[64], prev[64];
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (take && !take[i])
            continue;
        const char *v = field_text(f, i, buf, sizeof(buf));
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = (!take || take[j]) && strcmp(field_text(f, j, prev, sizeof(prev)), v) == 0;
        if (!*v || seen)
            continue;
        lb_text_printf(&t, "%s%s", n++ ? ", " : "", v);
    }
    if (t.failed || !t.s) {
        lb_text_free(&t);
        return NULL;
    }
    return t.s;
}

/* "leefstad.gpkg, laag wijken" for the report; caller frees. */
static char *layer_label(const lb_vlayer *l)
{
    const char *slash = strrchr(l->path, '/');
    return lb_core_strfmt("%s, laag %s", slash ? slash + 1 : l->path, l->layer ? l->layer : "");
}

/* Units at least @p min_inside of their area inside the taken features (areas by the GEOS
 * overlay; features of one layer are taken not to overlap, the share is capped at 1). */
static lb_status units_inside(lb_ctx *ctx, const lb_scoreset *s, const lb_vlayer *l,
                              const unsigned char *take, double min_inside, unsigned char *in,
                              double *share, size_t *n_in)
{
    lb_geoset *set = NULL;
    lb_hits hits = {0};
    lb_status st = lb_geoset_create(ctx, l, &set);
    *n_in = 0;
    for (size_t u = 0; st == LB_OK && u < s->n_units; u++) {
        size_t row = s->geom_row ? s->geom_row[u] : SIZE_MAX;
        double sh = 0.0;
        if (row != SIZE_MAX) {
            char what[160];
            snprintf(what, sizeof(what), "unit '%s'", s->id[u]);
            lb_shape *shape = NULL;
            st = lb_shape_create(ctx, s->geom->wkb[row], s->geom->wkb_size[row], 0.0, what, &shape);
            if (st == LB_OK)
                st = lb_geoset_overlay(ctx, set, shape, &hits);
            double a = 0.0;
            for (size_t i = 0; st == LB_OK && i < hits.n; i++)
                if (!take || take[hits.feat[i]])
                    a += hits.amount[i];
            if (st == LB_OK && lb_shape_area(shape) > 0.0)
                sh = fmin(1.0, a / lb_shape_area(shape));
            lb_shape_destroy(shape);
        }
        if (share)
            share[u] = row == SIZE_MAX ? NAN : sh;
        in[u] = st == LB_OK && row != SIZE_MAX && sh >= min_inside;
        *n_in += in[u];
    }
    lb_hits_free(&hits);
    lb_geoset_destroy(set);
    return st;
}

/* Some codes present, for "did you mean" messages. */
static void some_codes(const lb_scoreset *s, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t shown = 0;
    for (size_t u = 0; u < s->n_units && shown < 8; u++) {
        const char *c = s->wk_code && s->wk_code[u] ? s->wk_code[u] : s->id[u];
        if (strstr(buf, c))
            continue;
        lb_core_list_append(buf, size, c);
        shown++;
    }
}

/* Match each item against the units' wijk codes, then ids. Returns LB_ERR_DATA naming the
 * first item that matches nothing. *by_wk says whether any item matched wijk codes. */
static lb_status match_codes(lb_ctx *ctx, const lb_scoreset *s, const char *what, char **items,
                             size_t n_items, unsigned char *in, int *by_wk, size_t *n_in)
{
    *by_wk = 0;
    *n_in = 0;
    for (size_t k = 0; k < n_items; k++) {
        size_t hit = 0;
        for (size_t u = 0; u < s->n_units; u++)
            if (s->wk_code && lb_diagnose_code_match(items[k], s->wk_code[u])) {
                hit += !in[u];
                in[u] = 1;
                *by_wk = 1;
            }
        if (!hit)
            for (size_t u = 0; u < s->n_units; u++)
                if (lb_diagnose_code_match(items[k], s->id[u])) {
                    hit += !in[u];
                    in[u] = 1;
                }
        if (!hit) {
            char codes[256];
            some_codes(s, codes, sizeof(codes));
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "%s '%s': no unit of %s has this wijk code or id (codes there: %s)",
                                what, items[k], s->description ? s->description : "the scores",
                                codes);
        }
        *n_in += hit;
    }
    return LB_OK;
}

static lb_status select_wijk(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                             lb_diagnose_selection *sel)
{
    lb_status st = LB_OK;
    char *buf = NULL, **items = NULL;
    size_t n_items = 0, n_in = 0;
    if (o->wijk && (st = split_list(ctx, o->wijk, &buf, &items, &n_items)) != LB_OK)
        return st;
    char pct[32];
    lb_diagnose_nl_number(pct, sizeof(pct), 100.0 * o->min_inside, 0, 0);

    if (o->wijk_polygon) {
        if (!s->geom) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "--wijk-polygon: the scores (%s) have no polygons; give the unit "
                              "polygons with the scores' geometry option",
                              s->description ? s->description : "input");
            goto done;
        }
        if ((st = read_polygons(ctx, "wijk polygon", o->wijk_polygon, o->s_srs, &sel->wijk_poly)) !=
            LB_OK)
            goto done;
        const lb_vlayer *l = sel->wijk_poly;
        sel->wijk_poly_take = malloc(l->n ? l->n : 1);
        if (!sel->wijk_poly_take) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto done;
        }
        if (n_items == 0)
            memset(sel->wijk_poly_take, 1, l->n);
        else if (pick_features(l, items, n_items, sel->wijk_poly_take) == 0) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "--wijk '%s': no feature of '%s' layer '%s' has a field with this "
                              "code or name",
                              o->wijk, l->path, l->layer ? l->layer : "");
            goto done;
        }
        sel->wijk_code = join_field(l, find_field(l, code_fields), sel->wijk_poly_take);
        sel->wijk_name = join_field(l, find_field(l, name_fields), sel->wijk_poly_take);
        if ((st = units_inside(ctx, s, l, sel->wijk_poly_take, o->min_inside, sel->wijk,
                               sel->wijk_share, &n_in)) != LB_OK)
            goto done;
        if (n_in == 0) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "--wijk-polygon '%s': no scored unit lies at least %s %% inside it",
                              o->wijk_polygon, pct);
            goto done;
        }
        sel->wijk_source = layer_label(l);
        sel->wijk_rule = lb_core_strfmt("de %s die voor minstens %s %% binnen de wijkgrens liggen",
                                        lb_diagnose_unit_noun(s, 1), pct);
    } else {
        if (n_items == 0) {
            st = lb_ctx_error(ctx, LB_ERR_ARG, "no wijk given: a code, a name or a polygon");
            goto done;
        }
        int by_wk = 0;
        st = match_codes(ctx, s, "--wijk", items, n_items, sel->wijk, &by_wk, &n_in);
        if (st == LB_ERR_DATA) {
            /* Not a code: maybe the name of a unit (units that are wijken). */
            memset(sel->wijk, 0, s->n_units);
            n_in = 0;
            for (size_t u = 0; u < s->n_units; u++)
                if (s->name && lb_core_str_ieq(s->name[u], o->wijk)) {
                    sel->wijk[u] = 1;
                    n_in++;
                }
            if (n_in == 0)
                goto done;
            st = LB_OK;
            lb_ctx_error_clear(ctx);
            sel->wijk_name = lb_core_strdup(o->wijk);
            sel->wijk_rule =
                lb_core_strfmt("de %s met de naam '%s'", lb_diagnose_unit_noun(s, 0), o->wijk);
            for (size_t u = 0; u < s->n_units; u++)
                if (sel->wijk[u] && !sel->wijk_code)
                    sel->wijk_code = lb_core_strdup(s->id[u]);
        } else if (st != LB_OK) {
            goto done;
        } else {
            sel->wijk_code = lb_core_strdup(o->wijk);
            if (by_wk)
                sel->wijk_rule =
                    lb_core_strfmt("de %s met wijkcode %s", lb_diagnose_unit_noun(s, 1), o->wijk);
            else
                sel->wijk_rule =
                    lb_core_strfmt("de %s %s", lb_diagnose_unit_noun(s, n_in > 1), o->wijk);
            /* A single unit that is itself the wijk gives its name. */
            if (!by_wk && n_in == 1 && s->name)
                for (size_t u = 0; u < s->n_units; u++)
                    if (sel->wijk[u] && s->name[u])
                        sel->wijk_name = lb_core_strdup(s->name[u]);
        }
    }
    if (o->wijk_name) {
        free(sel->wijk_name);
        sel->wijk_name = lb_core_strdup(o->wijk_name);
    }
    if (!sel->wijk_name)
        sel->wijk_name = lb_core_strfmt("wijk %s", sel->wijk_code ? sel->wijk_code : "");
    if (!sel->wijk_name || !sel->wijk_rule)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
done:
    free(items);
    free(buf);
    return st;
}

static lb_status select_gemeente(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                                 lb_diagnose_selection *sel)
{
    lb_status st = LB_OK;
    size_t n_in = 0;
    char pct[32];
    lb_diagnose_nl_number(pct, sizeof(pct), 100.0 * o->min_inside, 0, 0);
    if (o->gemeente_polygon) {
        if (!s->geom)
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "--gemeente-polygon: the scores have no polygons; give the unit "
                                "polygons with the scores' geometry option");
        lb_vlayer *l = NULL;
        if ((st = read_polygons(ctx, "gemeente polygon", o->gemeente_polygon, o->s_srs, &l)) !=
            LB_OK)
            return st;
        st = units_inside(ctx, s, l, NULL, o->min_inside, sel->gemeente, NULL, &n_in);
        sel->gemeente_code = join_field(l, find_field(l, code_fields), NULL);
        sel->gemeente_name = join_field(l, find_field(l, name_fields), NULL);
        sel->gemeente_source = layer_label(l);
        sel->gemeente_rule =
            lb_core_strfmt("de %s die voor minstens %s %% binnen de gemeentegrens liggen",
                           lb_diagnose_unit_noun(s, 1), pct);
        lb_vlayer_destroy(l);
        if (st != LB_OK)
            return st;
        if (n_in == 0)
            return lb_ctx_error(
                ctx, LB_ERR_DATA,
                "--gemeente-polygon '%s': no scored unit lies at least %s %% inside",
                o->gemeente_polygon, pct);
    } else if (o->gemeente) {
        char *buf = NULL, **items = NULL;
        size_t n_items = 0;
        if ((st = split_list(ctx, o->gemeente, &buf, &items, &n_items)) != LB_OK)
            return st;
        for (size_t k = 0; k < n_items; k++) {
            size_t hit = 0;
            for (size_t u = 0; u < s->n_units; u++)
                if ((s->gm_code && lb_diagnose_code_match(items[k], s->gm_code[u])) ||
                    lb_diagnose_code_match(items[k], s->id[u])) {
                    hit += !sel->gemeente[u];
                    sel->gemeente[u] = 1;
                }
            if (!hit && st == LB_OK)
                st =
                    lb_ctx_error(ctx, LB_ERR_DATA,
                                 "--gemeente '%s': no unit has this gemeente code or id", items[k]);
            n_in += hit;
        }
        free(items);
        free(buf);
        if (st != LB_OK)
            return st;
        sel->gemeente_code = lb_core_strdup(o->gemeente);
        sel->gemeente_rule = lb_core_strfmt("de %s met gemeentecode of code %s",
                                            lb_diagnose_unit_noun(s, 1), o->gemeente);
    } else {
        /* The gemeente codes of the wijk's units. */
        lb_text codes = {0};
        for (size_t u = 0; u < s->n_units; u++) {
            const char *g = sel->wijk[u] && s->gm_code ? s->gm_code[u] : NULL;
            if (!g || sel->gemeente[u]) /* done already: the code of an earlier wijk unit */
                continue;
            lb_text_printf(&codes, "%s%s", codes.len ? ", " : "", g);
            for (size_t v = 0; v < s->n_units; v++)
                if (s->gm_code[v] && strcmp(s->gm_code[v], g) == 0)
                    sel->gemeente[v] = 1;
        }
        if (codes.failed) {
            lb_text_free(&codes);
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        }
        if (!codes.s) {
            memset(sel->gemeente, 1, s->n_units);
            sel->gemeente_rule =
                lb_core_strfmt("alle %s in de invoer (de invoer heeft geen gemeentecodes; geef "
                               "de gemeente op om te beperken)",
                               lb_diagnose_unit_noun(s, 1));
            sel->gemeente_name =
                lb_core_strfmt("alle %s in de invoer", lb_diagnose_unit_noun(s, 1));
            lb_ctx_log(ctx, LB_LOG_WARN,
                       "diagnose: the scores have no gemeente codes; the wijk is compared with all "
                       "units of the input (give --gemeente to restrict)");
        } else {
            if (strchr(codes.s, ','))
                lb_ctx_log(ctx, LB_LOG_WARN,
                           "diagnose: the wijk's units lie in several gemeenten (%s); all of them "
                           "form the comparison",
                           codes.s);
            sel->gemeente_code = codes.s;
            codes.s = NULL;
            sel->gemeente_rule = lb_core_strfmt("de %s met gemeentecode %s",
                                                lb_diagnose_unit_noun(s, 1), sel->gemeente_code);
        }
        lb_text_free(&codes);
    }
    if (o->gemeente_name) {
        free(sel->gemeente_name);
        sel->gemeente_name = lb_core_strdup(o->gemeente_name);
    }
    if (!sel->gemeente_name)
        sel->gemeente_name =
            lb_core_strfmt("gemeente %s", sel->gemeente_code ? sel->gemeente_code : "");
    if (!sel->gemeente_name || !sel->gemeente_rule)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t outside = 0;
    for (size_t u = 0; u < s->n_units; u++)
        outside += sel->wijk[u] && !sel->gemeente[u];
    if (outside)
        lb_ctx_log(ctx, LB_LOG_WARN, "diagnose: %zu unit(s) of the wijk lie outside the gemeente",
                   outside);
    return LB_OK;
}

lb_status lb_diagnose_focus_resolve(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                                    lb_diagnose_selection *sel)
{
    lb_status st = LB_OK;
    size_t n_in = 0;
    sel->focus = calloc(s->n_units ? s->n_units : 1, 1);
    if (!sel->focus)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    char *path = lb_core_strdup(o->focus);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    char *colon = strrchr(path, ':');
    struct stat sb;
    if (colon && stat(path, &sb) != 0)
        *colon = '\0';
    int is_file = stat(path, &sb) == 0;
    free(path);
    char pct[32];
    lb_diagnose_nl_number(pct, sizeof(pct), 100.0 * o->min_inside, 0, 0);
    if (is_file) {
        if (!s->geom)
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "--focus: the scores have no polygons; give the unit polygons with "
                                "the scores' geometry option, or focus codes");
        if ((st = read_polygons(ctx, "focus", o->focus, o->s_srs, &sel->focus_poly)) != LB_OK)
            return st;
        if ((st = units_inside(ctx, s, sel->focus_poly, NULL, o->min_inside, sel->focus, NULL,
                               &n_in)) != LB_OK)
            return st;
        sel->n_focus_areas = sel->focus_poly->n;
        char *names = join_field(sel->focus_poly, find_field(sel->focus_poly, name_fields), NULL);
        sel->focus_source = layer_label(sel->focus_poly);
        sel->focus_rule = lb_core_strfmt(
            "%zu aandachtswijk%s%s%s; de %s die voor minstens %s %% daarbinnen liggen",
            sel->n_focus_areas, sel->n_focus_areas == 1 ? "" : "en", names ? ": " : "",
            names ? names : "", lb_diagnose_unit_noun(s, 1), pct);
        free(names);
    } else {
        char *buf = NULL, **items = NULL;
        size_t n_items = 0;
        int by_wk = 0;
        if ((st = split_list(ctx, o->focus, &buf, &items, &n_items)) != LB_OK)
            return st;
        if (n_items == 0)
            st = lb_ctx_error(ctx, LB_ERR_ARG, "--focus: empty list of codes");
        else
            st = match_codes(ctx, s, "--focus", items, n_items, sel->focus, &by_wk, &n_in);
        free(items);
        free(buf);
        if (st != LB_OK)
            return st;
        sel->n_focus_areas = n_items;
        sel->focus_rule = lb_core_strfmt("aandachtswijken met de codes %s", o->focus);
    }
    if (!sel->focus_rule)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    return LB_OK;
}

static lb_status select_focus(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                              lb_diagnose_selection *sel)
{
    const lb_diagnose_selection *once = o->focus_resolved;
    lb_status st = LB_OK;
    if (!once)
        st = lb_diagnose_focus_resolve(ctx, s, o, sel);
    else if (!(sel->focus = malloc(s->n_units ? s->n_units : 1)) ||
             !(sel->focus_rule = lb_core_strdup(once->focus_rule)))
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    else {
        memcpy(sel->focus, once->focus, s->n_units);
        sel->n_focus_areas = once->n_focus_areas;
    }
    if (st != LB_OK)
        return st;
    /* The wijk itself is not its own yardstick. */
    size_t overlap = 0, left = 0;
    for (size_t u = 0; u < s->n_units; u++) {
        if (sel->focus[u] && sel->wijk[u]) {
            sel->focus[u] = 0;
            overlap++;
        }
        left += sel->focus[u];
    }
    sel->n_wijk_in_focus = overlap;
    if (overlap) {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "diagnose: %zu unit(s) of the wijk are also in the focus areas; they are left "
                   "out of the focus average",
                   overlap);
        char *r = lb_core_strfmt("%s; de %zu %s van de wijk zelf niet meegeteld", sel->focus_rule,
                                 overlap, lb_diagnose_unit_noun(s, overlap != 1));
        if (!r)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        free(sel->focus_rule);
        sel->focus_rule = r;
    }
    if (left == 0)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "--focus '%s': no scored unit belongs to the focus areas (apart from "
                            "the wijk itself)",
                            o->focus);
    return LB_OK;
}

lb_status lb_diagnose_select(lb_ctx *ctx, const lb_scoreset *s, const lb_diagnose_options *o,
                             lb_diagnose_selection *sel)
{
    memset(sel, 0, sizeof(*sel));
    size_t n = s->n_units ? s->n_units : 1;
    sel->wijk = calloc(n, 1);
    sel->gemeente = calloc(n, 1);
    if (o->wijk_polygon)
        sel->wijk_share = calloc(n, sizeof(double));
    if (!sel->wijk || !sel->gemeente || (o->wijk_polygon && !sel->wijk_share)) {
        lb_diagnose_selection_free(sel);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    lb_status st = select_wijk(ctx, s, o, sel);
    if (st == LB_OK)
        st = select_gemeente(ctx, s, o, sel);
    if (st == LB_OK && o->focus && *o->focus)
        st = select_focus(ctx, s, o, sel);
    if (st != LB_OK)
        lb_diagnose_selection_free(sel);
    return st;
}
