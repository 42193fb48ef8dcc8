/* SPDX-License-Identifier: MIT */
/* The files of a scan: the ranking as CSV and as a GeoPackage styled on the verdict, an index
 * page linking each wijk's diagnosis, the diagnoses themselves and run.json. */
#include "scan.h"

#include "../core/ctx.h"
#include "../diagnose/text.h"
#include "../io/style.h"
#include "../io/write.h"

#include <json-c/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Verdict classes of table "scan" (verdict_class = lb_scan_verdict_rank + 1). */
static const char *const verdict_labels[4] = {"sterke aanwijzing", "mogelijke aanwijzing",
                                              "geen oordeel mogelijk", "geen aanwijzing"};
static const char *const verdict_colours[4] = {"#b2182b", "#ef8a62", "#bababa", "#67a9cf"};

static lb_status write_path(lb_ctx *ctx, const char *dir, const char *name, char **out)
{
    *out = lb_core_strfmt("%s/%s", dir, name);
    return *out ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
}

static lb_status write_gpkg(lb_ctx *ctx, const lb_table *t, const char *dir)
{
    char *path = NULL;
    lb_status st = write_path(ctx, dir, "scan.gpkg", &path);
    lb_vector_opts vo = {LB_FMT_GPKG, "scan", 0, ',', 0};
    if (st == LB_OK)
        st = lb_write_vector(ctx, path, t, &vo);
    const lb_class_table ct = {4, verdict_labels, verdict_colours, NULL,
                               "Preventiebudget: aanwijzing (indicatief)"};
    const lb_style style = {
        .kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "verdict_class", .outline = 1};
    if (st == LB_OK)
        st = lb_io_gpkg_add_style(ctx, path, "scan", &style, "verdict",
                                  "oordeel van de preventiebudget-check", 1);
    free(path);
    return st;
}

static void nl(lb_text *t, double v, int decimals, int flags)
{
    char buf[64];
    lb_text_puts(t, lb_diagnose_nl_number(buf, sizeof(buf), v, decimals, flags));
}

/* index.html: the ranking with a link to each diagnosis. */
static lb_status write_index(lb_ctx *ctx, const lb_scan_wijk *w, size_t n, const char *path)
{
    lb_text t = {0};
    int trend = n && w[0].dx.n_t >= 3;
    lb_text_puts(&t, "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">\n"
                     "<title>Preventiebudget-scan</title>\n<style>\n"
                     "body{font-family:sans-serif;margin:1.5em;max-width:70em}\n"
                     "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                     "padding:.2em .5em;text-align:left}td.n{text-align:right}\n"
                     "@media print{@page{size:A4;margin:12mm}body{margin:0;max-width:none;"
                     "font-size:8.5pt}table{width:100%}td,th{padding:.1em "
                     ".25em;overflow-wrap:break-word;hyphens:auto}thead{display:table-header-group}"
                     "tr{break-inside:avoid}h1{break-after:avoid}}\n"
                     "</style></head><body>\n<h1>Preventiebudget-scan</h1>\n");
    lb_text_printf(&t,
                   "<p>%zu wijken, elk met een eerste wijkdiagnose. De volgorde: eerst het "
                   "oordeel (sterke aanwijzing, mogelijke aanwijzing, geen oordeel mogelijk, geen "
                   "aanwijzing), dan hoeveel van de criteria meervoudige problematiek en risico op "
                   "afglijden voldaan zijn, dan de laagste score. Het oordeel is indicatief: een "
                   "signaal voor een plan, geen besluit.</p>\n",
                   n);
    if (trend)
        lb_text_puts(&t, "<p>Trend: de verandering van de score per jaar (kleinste-kwadraten-"
                         "lijn door alle jaren) met haar standaardfout. <strong>Jaren tot het "
                         "niveau van de aandachtswijken is een extrapolatie</strong>: het geldt "
                         "alleen als de trend precies zo doorgaat, en is geen voorspelling.</p>\n");
    lb_text_puts(&t, "<table>\n<thead><tr><th>#</th><th>wijk</th><th>gemeente</th><th>score</th>"
                     "<th>klasse</th><th>meervoudige problematiek</th><th>risico op "
                     "afglijden</th><th>omvang</th><th>oordeel</th>");
    if (trend)
        lb_text_puts(&t, "<th>trend per jaar (± standaardfout)</th><th>jaren tot niveau "
                         "aandachtswijken (extrapolatie)</th>");
    lb_text_puts(&t, "</tr></thead>\n<tbody>\n");
    for (size_t r = 0; r < n; r++) {
        const lb_diagnosis *dx = &w[r].dx;
        size_t last = dx->n_t - 1;
        lb_text_printf(&t, "<tr><td class=\"n\">%zu</td><td><a href=\"", r + 1);
        lb_text_html(&t, w[r].base);
        lb_text_puts(&t, ".html\">");
        lb_text_html(&t, w[r].sel.wijk_name);
        lb_text_puts(&t, "</a> (");
        lb_text_html(&t, w[r].code);
        lb_text_puts(&t, ")</td><td>");
        lb_text_html(&t, w[r].sel.gemeente_name);
        lb_text_puts(&t, "</td><td class=\"n\">");
        nl(&t, dx->wijk[last].v[LB_OUT_LBM], 3, 0);
        lb_text_puts(&t, "</td><td>");
        lb_text_html(&t, lb_diagnose_class_label(dx->s, dx->wijk[last].klass));
        const lb_diagnose_level lv[3] = {dx->problems, dx->risk, dx->size};
        for (size_t c = 0; c < 3; c++) {
            lb_text_puts(&t, "</td><td>");
            lb_text_html(&t, lb_diagnose_level_name(lv[c]));
        }
        lb_text_puts(&t, "</td><td><strong>");
        lb_text_html(&t, lb_diagnose_verdict_name(dx->verdict));
        lb_text_puts(&t, "</strong></td>");
        if (trend) {
            const lb_scan_trend *tr = &w[r].trend;
            lb_text_puts(&t, "<td class=\"n\">");
            nl(&t, tr->slope, 4, LB_NL_SIGN);
            lb_text_puts(&t, " ± ");
            nl(&t, tr->se, 4, 0);
            lb_text_puts(&t, "</td><td class=\"n\">");
            if (isnan(tr->years_to_level))
                lb_text_puts(&t, "niet bij deze trend");
            else
                nl(&t, tr->years_to_level, 1, 0);
            lb_text_puts(&t, "</td>");
        }
        lb_text_puts(&t, "</tr>\n");
    }
    lb_text_puts(
        &t, "</tbody></table>\n<p>De rangorde staat ook in scan.csv en, met de wijkgrenzen, in "
            "scan.gpkg; de keuzes van deze scan staan in run.json.</p>\n"
            "</body></html>\n");
    lb_status st = lb_text_write(ctx, &t, path);
    lb_text_free(&t);
    return st;
}

/* The three files of one diagnosis, as `leefbaar diagnose` writes them. */
static lb_status write_diagnosis(lb_ctx *ctx, const lb_scan_wijk *w, const char *dir,
                                 const char *command_line)
{
    char *p[3] = {lb_core_strfmt("%s/%s.html", dir, w->base),
                  lb_core_strfmt("%s/%s.md", dir, w->base),
                  lb_core_strfmt("%s/%s.json", dir, w->base)};
    struct json_object *doc = NULL;
    lb_status st = p[0] && p[1] && p[2] ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_diagnose_write_html(ctx, &w->dx, p[0]);
    if (st == LB_OK)
        st = lb_diagnose_write_md(ctx, &w->dx, p[1]);
    if (st == LB_OK)
        st = lb_diagnose_json(ctx, &w->dx, command_line, &doc);
    if (st == LB_OK)
        st = lb_write_json(ctx, p[2], doc);
    json_object_put(doc);
    for (size_t i = 0; i < 3; i++)
        free(p[i]);
    return st;
}

lb_status lb_scan_write_files(lb_ctx *ctx, const lb_result *res, const lb_scan_wijk *w, size_t n,
                              const char *dir, struct json_object *doc)
{
    const lb_table *t = lb_result_table_by_name(res, "scan");
    char *path = NULL;
    struct json_object *cl = NULL;
    const char *command_line =
        json_object_object_get_ex(doc, "command", &cl) && cl ? json_object_get_string(cl) : NULL;
    lb_status st = t ? write_path(ctx, dir, "scan.csv", &path)
                     : lb_ctx_error(ctx, LB_ERR_INTERNAL, "scan: no table 'scan'");
    lb_vector_opts vo = {LB_FMT_CSV, NULL, 0, ',', 0};
    if (st == LB_OK)
        st = lb_write_vector(ctx, path, t, &vo);
    free(path);
    path = NULL;
    if (st == LB_OK && lb_table_has_geometry(t))
        st = write_gpkg(ctx, t, dir);
    if (st == LB_OK)
        st = write_path(ctx, dir, "index.html", &path);
    if (st == LB_OK)
        st = write_index(ctx, w, n, path);
    free(path);
    path = NULL;
    for (size_t i = 0; st == LB_OK && i < n; i++) {
        st = lb_ctx_progress(ctx, 0.9 + 0.1 * (double)i / (double)(n ? n : 1), "writing diagnoses");
        if (st == LB_OK)
            st = write_diagnosis(ctx, &w[i], dir, command_line);
    }
    if (st == LB_OK)
        st = write_path(ctx, dir, "run.json", &path);
    if (st == LB_OK)
        st = lb_write_json(ctx, path, doc);
    free(path);
    return st;
}
