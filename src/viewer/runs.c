/* SPDX-License-Identifier: MIT */
/* The runs the viewer links or overlays: diagnoses (of leefbaar diagnose and scan) and the
 * zones and effects of a waterbed run. */
#include "viewer.h"
#include "number.h"

#include "../core/ctx.h"
#include "../io/lonlat.h"
#include "../io/runjson.h"
#include "../io/vector.h"
#include "../waterbed/zones_style.h"

#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static lb_status nomem(lb_ctx *ctx)
{
    return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int ends_with(const char *s, const char *tail)
{
    size_t ls = strlen(s), lt = strlen(tail);
    return ls > lt && strcmp(s + ls - lt, tail) == 0;
}

/* The wijk code of a diagnosis document ("tool": {"name": "leefbaar"}, "wijk": {"code"},
 * "check"), or NULL for any other JSON. Borrowed from @p doc. */
static const char *diagnosis_code(struct json_object *doc)
{
    struct json_object *tool, *name, *wijk, *code, *check;
    if (!json_object_object_get_ex(doc, "tool", &tool) ||
        !json_object_object_get_ex(tool, "name", &name) ||
        strcmp(json_object_get_string(name), "leefbaar") != 0 ||
        !json_object_object_get_ex(doc, "wijk", &wijk) ||
        !json_object_object_get_ex(wijk, "code", &code) ||
        !json_object_is_type(code, json_type_string) ||
        !json_object_object_get_ex(doc, "check", &check))
        return NULL;
    return json_object_get_string(code);
}

lb_status lb_viewer_diagnoses_find(lb_ctx *ctx, const char *dir, lb_viewer_data *d, size_t *n_added)
{
    lb_status st = LB_OK;
    DIR *dh = opendir(dir);
    struct dirent *e;
    *n_added = 0;
    if (!dh)
        return lb_ctx_error(ctx, LB_ERR_IO, "viewer: cannot read folder '%s'", dir);
    while (st == LB_OK && (e = readdir(dh)) != NULL) {
        if (!ends_with(e->d_name, ".json") || strcmp(e->d_name, "run.json") == 0)
            continue;
        char *json = lb_core_strfmt("%s/%s", dir, e->d_name);
        char *html = json ? lb_core_strfmt("%.*s.html", (int)(strlen(json) - 5), json) : NULL;
        struct json_object *doc = json ? json_object_from_file(json) : NULL;
        const char *code = doc ? diagnosis_code(doc) : NULL;
        int known = 0;
        for (size_t i = 0; code && i < d->n_diag; i++)
            known |= strcmp(d->diag[i].code, code) == 0;
        if (!json || !html) {
            st = nomem(ctx);
        } else if (code && !known && is_file(html)) {
            lb_viewer_diag *nd = realloc(d->diag, (d->n_diag + 1) * sizeof(*nd));
            if (!nd) {
                st = nomem(ctx);
            } else {
                d->diag = nd;
                lb_viewer_diag *g = &d->diag[d->n_diag];
                g->code = lb_core_strdup(code);
                g->path = html;
                g->name = lb_core_strfmt("%s.html", code);
                html = NULL;
                d->n_diag++;
                (*n_added)++;
                if (!g->code || !g->name)
                    st = nomem(ctx);
            }
        }
        json_object_put(doc);
        free(html);
        free(json);
    }
    closedir(dh);
    return st;
}

static void add_legend(void *user, const char *value, const char *label, const char *colour)
{
    struct json_object *a = user, *o = json_object_new_object();
    json_object_object_add(o, "value", json_object_new_string(value));
    json_object_object_add(o, "label", json_object_new_string(label));
    json_object_object_add(o, "colour", json_object_new_string(colour));
    json_object_array_add(a, o);
}

/* Text of field @p f at row @p r, NULL when missing. */
static const char *text(const lb_field *f, size_t r)
{
    return f && f->is_string ? f->str[r] : NULL;
}

static struct json_object *jnum(const lb_field *f, size_t r)
{
    return f ? lb_viewer_number_json(f->num[r]) : NULL;
}

/* The zone of every unit and the focus areas' outlines, from zones.gpkg. */
static lb_status read_zones(lb_ctx *ctx, const char *gpkg, lb_viewer_data *d)
{
    lb_status st = LB_OK;
    lb_vlayer *u = NULL;
    const char **rings = NULL;
    const lb_source us = {"waterbed zones", gpkg, "units", NULL};
    const lb_source fs = {"waterbed focus areas", gpkg, "focus", NULL};
    st = lb_vlayer_read_table_where(ctx, &us, NULL, 0, &u);
    if (st != LB_OK)
        goto cleanup;
    const lb_field *id = lb_vlayer_field(ctx, u, "id"), *ring = NULL, *focus = NULL, *member = NULL;
    if (id)
        ring = lb_vlayer_field(ctx, u, "ring");
    if (ring)
        focus = lb_vlayer_field(ctx, u, "focus_id");
    if (focus)
        member = lb_vlayer_field(ctx, u, "member");
    if (!member) {
        st = lb_ctx_error_prefix(ctx, LB_ERR_DATA, "viewer, waterbed zones '%s': ", gpkg);
        goto cleanup;
    }
    if (!(rings = calloc(u->n ? u->n : 1, sizeof(char *)))) {
        st = nomem(ctx);
        goto cleanup;
    }
    struct json_object *units = json_object_new_object();
    json_object_object_add(d->waterbed, "units", units);
    for (size_t r = 0; r < u->n; r++) {
        const char *code = text(id, r);
        if (!code)
            continue;
        int is_member = isfinite(member->num[r]) && member->num[r] != 0.0;
        const char *zone = is_member ? "focus" : text(ring, r);
        rings[r] = is_member ? NULL : text(ring, r);
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "zone", zone ? json_object_new_string(zone) : NULL);
        json_object_object_add(o, "focus",
                               text(focus, r) ? json_object_new_string(text(focus, r)) : NULL);
        json_object_object_add(units, code, o);
    }
    struct json_object *legend = json_object_new_array();
    add_legend(legend, "focus", "focuswijk", "#ffffff");
    lb_waterbed_ring_legend(rings, u->n, add_legend, legend);
    json_object_object_add(d->waterbed, "legend", legend);
    st = lb_vlayer_read(ctx, &fs, NULL, &d->wb_focus);
    if (st != LB_OK)
        goto cleanup;
    if (d->wb_focus->kind != LB_GEOM_POLYGON) {
        st =
            lb_ctx_error(ctx, LB_ERR_DATA, "viewer: layer 'focus' of '%s' holds no polygons", gpkg);
        goto cleanup;
    }
    size_t n_pts = d->wb_focus->ring_pt_start[d->wb_focus->n_rings];
    if (!(d->wb_focus_ll = malloc((n_pts ? n_pts : 1) * 2 * sizeof(double)))) {
        st = nomem(ctx);
        goto cleanup;
    }
    memcpy(d->wb_focus_ll, d->wb_focus->ring_xy, n_pts * 2 * sizeof(double));
    st = lb_io_lonlat_from_rd(ctx, d->wb_focus_ll, n_pts, "viewer: the focus areas");
cleanup:
    free(rings);
    lb_vlayer_destroy(u);
    return st;
}

/* The main period's rows of lbm per focus area and zone, from waterbed.csv. */
static lb_status read_results(lb_ctx *ctx, const char *csv, lb_viewer_data *d)
{
    static const char *const need[] = {"period_role",   "focus_id",      "focus_name", "scheme",
                                       "zone",          "outcome",       "n_units",    "did",
                                       "p_placebo_one", "p_placebo_two", "period"};
    enum { N_NEED = sizeof(need) / sizeof(need[0]) };
    const lb_field *f[N_NEED];
    lb_vlayer *t = NULL;
    const lb_source src = {"waterbed results", csv, NULL, NULL};
    lb_status st = lb_vlayer_read_table_where(ctx, &src, NULL, 0, &t);
    for (size_t i = 0; st == LB_OK && i < N_NEED; i++)
        if (!(f[i] = lb_vlayer_field(ctx, t, need[i])))
            st = lb_ctx_error_prefix(ctx, LB_ERR_DATA, "viewer: ");
    if (st != LB_OK) {
        lb_vlayer_destroy(t);
        return st;
    }
    struct json_object *res = json_object_new_object();
    json_object_object_add(d->waterbed, "results", res);
    for (size_t r = 0; r < t->n; r++) {
        const char *role = text(f[0], r), *fid = text(f[1], r), *out = text(f[5], r);
        if (!role || strcmp(role, "main") != 0 || !fid || !out || strcmp(out, "lbm") != 0)
            continue;
        struct json_object *fa, *rows;
        if (!json_object_object_get_ex(res, fid, &fa)) {
            fa = json_object_new_object();
            json_object_object_add(fa, "name",
                                   text(f[2], r) ? json_object_new_string(text(f[2], r)) : NULL);
            json_object_object_add(fa, "period",
                                   text(f[10], r) ? json_object_new_string(text(f[10], r)) : NULL);
            json_object_object_add(fa, "rows", json_object_new_array());
            json_object_object_add(res, fid, fa);
        }
        json_object_object_get_ex(fa, "rows", &rows);
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "scheme",
                               text(f[3], r) ? json_object_new_string(text(f[3], r)) : NULL);
        json_object_object_add(o, "zone",
                               text(f[4], r) ? json_object_new_string(text(f[4], r)) : NULL);
        json_object_object_add(o, "n", jnum(f[6], r));
        json_object_object_add(o, "did", jnum(f[7], r));
        json_object_object_add(o, "p_one", jnum(f[8], r));
        json_object_object_add(o, "p_two", jnum(f[9], r));
        json_object_array_add(rows, o);
    }
    lb_vlayer_destroy(t);
    return LB_OK;
}

lb_status lb_viewer_waterbed_read(lb_ctx *ctx, const char *dir, lb_viewer_data *d)
{
    lb_status st = LB_OK;
    char *gpkg = lb_core_strfmt("%s/zones.gpkg", dir),
         *csv = lb_core_strfmt("%s/waterbed.csv", dir);
    if (!gpkg || !csv) {
        st = nomem(ctx);
        goto cleanup;
    }
    if (d->waterbed) {
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "viewer: more than one waterbed run given; only the first is shown ('%s' is "
                   "not)",
                   dir);
        goto cleanup;
    }
    if (!is_file(gpkg) || !is_file(csv)) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "viewer: waterbed run '%s' has no zones.gpkg or waterbed.csv (both are "
                          "written by leefbaar waterbed); was a file removed?",
                          dir);
        goto cleanup;
    }
    d->waterbed = json_object_new_object();
    json_object_object_add(d->waterbed, "run", json_object_new_string(dir));
    st = read_zones(ctx, gpkg, d);
    if (st == LB_OK)
        st = read_results(ctx, csv, d);
cleanup:
    free(csv);
    free(gpkg);
    return st;
}
