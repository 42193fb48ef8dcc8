/* SPDX-License-Identifier: MIT */
/* The zone design of a waterbed run in run.json: the choices behind the zones (adjacency
 * source, ties, grouped and untested focus areas, far-control exclusion) and what they did. */
#include "wb.h"

#include <json-c/json.h>
#include <string.h>

static struct json_object *jstr_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static struct json_object *id_array(char *const *ids, size_t n)
{
    struct json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < n; i++)
        json_object_array_add(a, json_object_new_string(ids[i]));
    return a;
}

void wb_design_json(const wb_result *r, const lb_waterbed_options *o, struct json_object *doc)
{
    const wb_data *d = r->data;
    struct json_object *opt = NULL, *counts = NULL, *fa = NULL;
    if (json_object_object_get_ex(doc, "options", &opt)) {
        json_object_object_add(opt, "adjacency_from",
                               json_object_new_string(d->adj_from_members ? "members" : "polygon"));
        json_object_object_add(opt, "ties",
                               json_object_new_string(d->tie_order ? "order" : "distance"));
        json_object_object_add(opt, "identical_focus",
                               json_object_new_string(o->group_identical ? "group" : "keep"));
        json_object_object_add(opt, "test_empty_focus",
                               json_object_new_boolean(o->test_empty_focus));
        json_object_object_add(opt, "far_exclude_adjacency", json_object_new_int(d->far_excl_adj));
    }
    if (json_object_object_get_ex(doc, "counts", &counts)) {
        json_object_object_add(counts, "focus_without_geometry",
                               json_object_new_int64((int64_t)d->n_focus_nogeom));
        json_object_object_add(counts, "focus_polygons_repaired",
                               json_object_new_int64((int64_t)d->n_focus_repaired));
        json_object_object_add(counts, "focus_areas_untested",
                               json_object_new_int64((int64_t)d->n_untested));
    }
    /* the grouped focus areas: every member's id beside the group's entry */
    if (json_object_object_get_ex(doc, "focus_areas", &fa) &&
        json_object_get_type(fa) == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(fa) && i < d->n_focus; i++) {
            struct json_object *x = json_object_array_get_idx(fa, i);
            const wb_area *a = &d->focus[i];
            json_object_object_add(x, "group", a->n_group ? id_array(a->group, a->n_group) : NULL);
        }
    }
    struct json_object *un = json_object_new_array();
    for (size_t f = 0; un && f < d->n_untested; f++) {
        const wb_area *a = &d->untested[f];
        struct json_object *x = json_object_new_object();
        json_object_object_add(x, "id", json_object_new_string(a->id));
        json_object_object_add(x, "name", jstr_or_null(a->name));
        json_object_object_add(x, "gemeente", jstr_or_null(a->gemeente));
        json_object_object_add(x, "units", json_object_new_int(0));
        json_object_object_add(
            x, "reason",
            json_object_new_string("no unit has --focus-share of its area inside it; not tested "
                                   "(--test-empty-focus tests its zones)"));
        json_object_array_add(un, x);
    }
    json_object_object_add(doc, "focus_areas_untested", un);
}
