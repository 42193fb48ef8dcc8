/* SPDX-License-Identifier: MIT */
/* The diagnosis of a set of scores read from fuzzed bytes: select the first unit as the wijk
 * (and the last as focus area), compute, and render the JSON, HTML and Markdown reports. */
#ifndef LB_TESTS_FUZZ_FUZZ_DX_H
#define LB_TESTS_FUZZ_FUZZ_DX_H

#include "fuzz.h"

#include "diagnose/diagnose.h"

#include <json-c/json_object.h>
#include <sys/stat.h>

/* Diagnose @p s for the wijk @p wijk with focus areas @p focus (may be NULL); the reports go to
 * the scratch directory. A refusal is fine but must say why. */
static inline void fuzz_diagnose_one(const lb_scoreset *s, const char *wijk, const char *focus)
{
    lb_ctx *ctx = fuzz_ctx();
    lb_diagnose_options o;
    lb_diagnose_options_init(&o);
    o.wijk = wijk;
    o.focus = focus;
    o.outdir = fuzz_dir();
    lb_diagnose_selection sel;
    lb_diagnosis dx;
    lb_status st = lb_diagnose_select(ctx, s, &o, &sel);
    if (st == LB_OK) {
        st = lb_diagnose_compute_selection(ctx, s, &sel, &o, &dx);
        if (st == LB_OK) {
            char html[128], md[128];
            snprintf(html, sizeof(html), "%s/dx.html", fuzz_dir());
            snprintf(md, sizeof(md), "%s/dx.md", fuzz_dir());
            struct json_object *doc = NULL;
            if (lb_diagnose_json(ctx, &dx, "fuzz", &doc) == LB_OK) {
                if (!json_object_to_json_string(doc))
                    abort();
            } else if (!lb_ctx_errmsg(ctx)[0]) {
                abort();
            }
            json_object_put(doc);
            if (lb_diagnose_write_html(ctx, &dx, html) != LB_OK ||
                lb_diagnose_write_md(ctx, &dx, md) != LB_OK)
                if (!lb_ctx_errmsg(ctx)[0])
                    abort();
            lb_diagnose_free(&dx);
        }
        lb_diagnose_selection_free(&sel);
    }
    fuzz_note(ctx, st == LB_OK ? "diagnosed" : "not diagnosed");
    if (st != LB_OK && !lb_ctx_errmsg(ctx)[0])
        abort(); /* a refusal must say why */
    lb_ctx_destroy(ctx);
}

/* The wijk is the first unit; a second diagnosis takes the last unit as focus area unless its
 * id names a file (then the option would read that file as polygons). */
static inline void fuzz_diagnose(const lb_scoreset *s)
{
    if (s->n_units == 0)
        return;
    fuzz_diagnose_one(s, s->id[0], NULL);
    struct stat sb;
    const char *last = s->id[s->n_units - 1];
    if (s->n_units > 1 && *last && stat(last, &sb) != 0)
        fuzz_diagnose_one(s, s->id[0], last);
}

#endif
