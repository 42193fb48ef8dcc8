/* SPDX-License-Identifier: MIT */
/* The report as HTML and as Markdown. The content is written once, through a few primitives
 * (heading, paragraph, table, figure) that render either form, so both carry the same numbers
 * and sentences; the HTML adds inline CSS and SVG figures. */
#include "diagnose.h"

#include "../core/ctx.h"
#include "../io/outdir.h"
#include "../io/write.h"
#include "../model/score.h"
#include "doc.h"
#include "svg.h"
#include "text.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef lb_doc sink;

/* Dark class colours get white text. */
static int is_dark(const char *hex)
{
    unsigned r = 0, g = 0, b = 0;
    if (!hex || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
        return 0;
    return 0.299 * r + 0.587 * g + 0.114 * b < 140;
}

/* A class label, in HTML on its class colour. */
static void cell_chip(sink *k, const char *label, const char *colour)
{
    lb_doc_cell_open(k);
    if (k->html && colour) {
        lb_text_printf(&k->t, "<span class=\"chip\" style=\"background:%s;color:%s\">", colour,
                       is_dark(colour) ? "#fff" : "#111");
        lb_doc_esc(k, label);
        lb_text_puts(&k->t, "</span>");
    } else {
        lb_doc_esc(k, label);
    }
    lb_doc_cell_close(k);
}

/* ---- numbers ----------------------------------------------------------------------------- */

typedef struct nbuf {
    char s[48];
} nbuf;

static nbuf score(double v)
{
    nbuf b;
    lb_diagnose_nl_number(b.s, sizeof(b.s), v, 3, 0);
    return b;
}

static nbuf dev(double v)
{
    nbuf b;
    lb_diagnose_nl_number(b.s, sizeof(b.s), v, 3, LB_NL_SIGN);
    return b;
}

static nbuf count(double v)
{
    nbuf b;
    lb_diagnose_nl_number(b.s, sizeof(b.s), v, 0, LB_NL_GROUP);
    return b;
}

/* Raw indicator values span metres, euros and shares: decimals by magnitude. */
static nbuf raw(double v)
{
    nbuf b;
    double a = fabs(v);
    lb_diagnose_nl_number(b.s, sizeof(b.s), v,
                          a >= 100  ? 0
                          : a >= 10 ? 1
                          : a >= 1  ? 2
                                    : 3,
                          LB_NL_GROUP);
    return b;
}

/* A raw indicator value with the model's unit ("55,1 dB Lden"); no unit when the model gives
 * none or the value is missing. */
typedef struct ubuf {
    char s[48 + 4 * 40 + 8]; /* a number, a space and a unit of at most 40 UTF-8 characters */
} ubuf;

static ubuf raw_unit(double v, const char *unit)
{
    ubuf b;
    snprintf(b.s, sizeof(b.s), "%s%s%s", raw(v).s, unit && *unit && !isnan(v) ? " " : "",
             unit && *unit && !isnan(v) ? unit : "");
    return b;
}

static const char *colour_of(const lb_scoreset *s, int k)
{
    return k >= 1 && k <= LB_N_CLASSES ? s->class_colours[k - 1] : NULL;
}

/* ---- content ----------------------------------------------------------------------------- */

static void verdict_box(sink *k, const lb_diagnosis *dx, const char *why)
{
    static const char *const css[] = {"v-none", "v-possible", "v-strong", "v-none"};
    if (k->html) {
        lb_text_printf(&k->t, "<section class=\"verdict %s\">\n", css[dx->verdict]);
        lb_text_puts(&k->t, "<h2>Preventiebudget: indicatief oordeel</h2>\n<p class=\"big\">");
        lb_doc_esc(k, lb_diagnose_verdict_name(dx->verdict));
        lb_text_puts(&k->t, "</p>\n");
        lb_doc_para(k, why);
        lb_text_puts(&k->t, "<p class=\"disclaimer\"><strong>Signaal voor een plan, geen "
                            "besluit.</strong> ");
        lb_doc_esc(k, lb_diagnose_disclaimer);
        lb_text_puts(&k->t, "</p>\n</section>\n");
    } else {
        lb_doc_heading(k, 2, "Preventiebudget: indicatief oordeel");
        lb_text_puts(&k->t, "> **");
        lb_doc_esc(k, lb_diagnose_verdict_name(dx->verdict));
        lb_text_puts(&k->t, "**\n>\n> ");
        lb_doc_esc(k, why);
        lb_text_puts(&k->t, "\n>\n> **Signaal voor een plan, geen besluit.** ");
        lb_doc_esc(k, lb_diagnose_disclaimer);
        lb_text_puts(&k->t, "\n\n");
    }
}

static void section_score(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const lb_diagnose_selection *sel = dx->sel;
    const size_t last = dx->n_t - 1;
    const int year = lb_diagnose_year(dx, last);
    char h[96];
    snprintf(h, sizeof(h), "1. Score en klasse in %d", year);
    lb_doc_heading(k, 2, h);
    char wh[64], nh[64];
    if (dx->weighted[last])
        snprintf(wh, sizeof(wh), "%s (gewicht)", lb_diagnose_weight_header(dx));
    else
        snprintf(wh, sizeof(wh), "Gewicht (geen)");
    snprintf(nh, sizeof(nh), "Aantal %s", lb_diagnose_unit_noun(s, 1));
    const char *const head[] = {"", "Totaalscore", "Afwijking van de referentie", "Klasse", wh, nh};
    lb_doc_table_begin(k, "lrrlrr", head);
    const lb_diagnose_agg *rows[3] = {&dx->wijk[last], &dx->gem[last],
                                      dx->focus ? &dx->focus[last] : NULL};
    const char *names[3] = {"Wijk", "Gemeente", "Aandachtswijken (gemiddelde)"};
    for (int r = 0; r < 3; r++) {
        if (!rows[r])
            continue;
        lb_doc_cell(k, names[r]);
        lb_doc_cell(k, score(rows[r]->v[LB_OUT_LBM]).s);
        lb_doc_cell(k, dev(rows[r]->v[LB_OUT_AFW]).s);
        cell_chip(k, lb_diagnose_class_label(s, rows[r]->klass), colour_of(s, rows[r]->klass));
        lb_doc_cell(k, count(rows[r]->weight).s);
        lb_doc_cell(k, count((double)rows[r]->n).s);
    }
    int kref = lb_model_classify(s->ref, s->thresholds, LB_N_THRESHOLDS);
    lb_doc_cell(k, "Referentie");
    lb_doc_cell(k, score(s->ref).s);
    lb_doc_cell(k, dev(0.0).s);
    cell_chip(k, lb_diagnose_class_label(s, kref), colour_of(s, kref));
    lb_doc_cell(k, "");
    lb_doc_cell(k, "");
    lb_doc_table_end(k);
    lb_doc_paraf(k,
                 "De wijk %s bestaat uit %zu %s: %s. Vergeleken wordt met %s: %s. De klasse van "
                 "de wijk volgt uit haar eigen gemiddelde totaalscore.",
                 sel->wijk_name, dx->n_units_wijk, lb_diagnose_unit_noun(s, dx->n_units_wijk != 1),
                 sel->wijk_rule, sel->gemeente_name, sel->gemeente_rule);
    char *weighting = lb_diagnose_weighting(dx);
    if (!weighting) {
        k->t.failed = 1;
        return;
    }
    lb_doc_para(k, weighting);
    free(weighting);
    lb_doc_paraf(k,
                 "De referentie is het niveau waartegen de scores zijn gemeten (bij de "
                 "Leefbaarometer: het gemiddelde van heel Nederland); een afwijking van 0 is dat "
                 "niveau, een totaalscore van %s.",
                 score(s->ref).s);
}

static void section_map(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    lb_doc_heading(k, 2, "2. Kaart van de wijk en omgeving");
    if (!k->html) {
        lb_doc_para(k, "De kaart staat in de HTML-versie van dit rapport.");
        return;
    }
    lb_text_puts(&k->t, "<figure>\n");
    int drawn = lb_diagnose_svg_map(&k->t, dx);
    lb_text_puts(&k->t, "</figure>\n");
    if (!drawn) {
        lb_doc_para(k, "Geen kaart: bij de scores zijn geen gebiedsgrenzen opgegeven.");
        return;
    }
    lb_text_puts(&k->t, "<div class=\"legend\">");
    for (int c = 1; c <= LB_N_CLASSES; c++) {
        lb_text_printf(&k->t, "<span><i style=\"background:%s\"></i>",
                       s->class_colours[c - 1] ? s->class_colours[c - 1] : "#ccc");
        lb_doc_esc(k, lb_diagnose_class_label(s, c));
        lb_text_puts(&k->t, "</span>");
    }
    lb_text_puts(&k->t, "<span><i style=\"background:#e0e0e0\"></i>geen score</span>"
                        "<span><i class=\"wijk\"></i>de wijk (nummers als in de "
                        "tabel van paragraaf 6)</span>");
    if (dx->focus)
        lb_text_puts(&k->t, "<span><i class=\"focus\"></i>aandachtswijken</span>");
    lb_text_puts(&k->t, "</div>\n");
    char y[80];
    snprintf(y, sizeof(y), "Klassen in %d; noorden boven.", lb_diagnose_year(dx, dx->n_t - 1));
    lb_doc_para(k, y);
}

static void section_dimensions(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const size_t last = dx->n_t - 1, nd = s->n_dims;
    lb_doc_heading(k, 2, "3. Dimensies: wijk, gemeente en referentie");
    char kk[32];
    lb_diagnose_nl_number(kk, sizeof(kk), dx->clear_sd, 2, 0);
    lb_doc_paraf(
        k,
        "Per dimensie de afwijking van de referentie (0 = referentieniveau) voor de wijk en "
        "de gemeente, en het verschil wijk \xe2\x88\x92 gemeente. Een dimensie ligt duidelijk "
        "lager als het verschil minstens %s keer de standaardafwijking (de spreiding van die "
        "dimensie over alle %s in de invoer) onder nul ligt; de stippellijn in de grafiek is "
        "die grens.",
        kk, lb_diagnose_unit_noun(s, 1));
    if (k->html) {
        lb_text_puts(&k->t, "<figure>\n");
        lb_diagnose_svg_bars(&k->t, dx);
        lb_text_puts(&k->t, "</figure>\n");
    }
    static const char *const head[] = {"Dimensie",
                                       "Wijk",
                                       "Gemeente",
                                       "Referentie",
                                       "Wijk \xe2\x88\x92 gemeente",
                                       "Grens duidelijk lager",
                                       "Duidelijk lager"};
    lb_doc_table_begin(k, "lrrrrrl", head);
    for (size_t d = 0; d < nd; d++) {
        lb_doc_cell(k, lb_diagnose_dim_label(s, d));
        lb_doc_cell(k, dev(dx->wijk[last].v[LB_OUT_DIM0 + d]).s);
        lb_doc_cell(k, dev(dx->gem[last].v[LB_OUT_DIM0 + d]).s);
        lb_doc_cell(k, dev(0.0).s);
        lb_doc_cell(k, dev(dx->gap[d]).s);
        lb_doc_cell(k, dev(-dx->threshold[d]).s);
        lb_doc_cell(k, isnan(dx->gap[d])  ? "geen gegevens"
                       : dx->no_spread[d] ? "niet te bepalen (geen spreiding)"
                       : dx->below[d]     ? "ja"
                                          : "nee");
    }
    lb_doc_table_end(k);
}

static void section_development(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    lb_doc_heading(k, 2, "4. Ontwikkeling");
    if (dx->n_t < 2) {
        lb_doc_paraf(k, "Er is maar \xc3\xa9\xc3\xa9n jaar (%d); de ontwikkeling is onbekend.",
                     lb_diagnose_year(dx, 0));
        return;
    }
    if (k->html) {
        lb_text_puts(&k->t, "<figure>\n");
        lb_diagnose_svg_development(&k->t, dx);
        lb_text_puts(&k->t, "</figure>\n<div class=\"legend\"><span><i class=\"lw\"></i>wijk"
                            "</span><span><i class=\"lg\"></i>gemeente</span>");
        if (dx->focus)
            lb_text_puts(&k->t, "<span><i class=\"lf\"></i>aandachtswijken</span>");
        lb_text_puts(&k->t, "<span>achtergrond: klassen</span></div>\n");
    }
    static const char *const head_y[] = {"Jaar", "Wijk", "Klasse wijk", "Gemeente",
                                         "Aandachtswijken"};
    lb_doc_table_begin(k, dx->focus ? "rrlrr" : "rrlr", head_y);
    for (size_t ti = 0; ti < dx->n_t; ti++) {
        char y[16];
        snprintf(y, sizeof(y), "%d", lb_diagnose_year(dx, ti));
        lb_doc_cell(k, y);
        lb_doc_cell(k, score(dx->wijk[ti].v[LB_OUT_LBM]).s);
        cell_chip(k, lb_diagnose_class_label(s, dx->wijk[ti].klass),
                  colour_of(s, dx->wijk[ti].klass));
        lb_doc_cell(k, score(dx->gem[ti].v[LB_OUT_LBM]).s);
        if (dx->focus)
            lb_doc_cell(k, score(dx->focus[ti].v[LB_OUT_LBM]).s);
    }
    lb_doc_table_end(k);

    lb_doc_paraf(k, "De verandering van de totaalscore per periode, met de ontwikkelingsklasse, "
                    "en per dimensie de verandering van de afwijking van de referentie.");
    /* Rows: total then dimensions; columns: the periods. */
    size_t np = dx->n_periods;
    const char **head = calloc(np + 1, sizeof(*head));
    char(*labels)[32] = calloc(np + 1, sizeof(*labels));
    char *align = calloc(np + 2, 1);
    if (!head || !labels || !align) {
        k->t.failed = 1;
        free(head);
        free(labels);
        free(align);
        return;
    }
    head[0] = "";
    align[0] = 'l';
    for (size_t p = 0; p < np; p++) {
        snprintf(labels[p], sizeof(labels[p]), "%d\xe2\x80\x93%d",
                 lb_diagnose_year(dx, dx->periods[p].from),
                 lb_diagnose_year(dx, dx->periods[p].to));
        head[p + 1] = labels[p];
        align[p + 1] = 'l';
    }
    lb_doc_table_begin(k, align, head);
    for (size_t r = 0; r < 2 + s->n_dims + (dx->focus ? 1 : 0); r++) {
        /* r = 0 wijk total, 1 gemeente total, [2 focus total], then wijk dimensions. */
        size_t d = r - 2 - (dx->focus ? 1 : 0);
        if (r == 0)
            lb_doc_cell(k, "Wijk: totaalscore");
        else if (r == 1)
            lb_doc_cell(k, "Gemeente: totaalscore");
        else if (dx->focus && r == 2)
            lb_doc_cell(k, "Aandachtswijken: totaalscore");
        else {
            char lab[160];
            snprintf(lab, sizeof(lab), "Wijk: %s", lb_diagnose_dim_label(s, d));
            lb_doc_cell(k, lab);
        }
        for (size_t p = 0; p < np; p++) {
            const lb_diagnose_period *pe = &dx->periods[p];
            double v;
            int c;
            if (r == 0) {
                v = pe->wijk[LB_OUT_LBM];
                c = pe->wijk_class[LB_OUT_LBM];
            } else if (r == 1) {
                v = pe->gemeente[LB_OUT_LBM];
                c = pe->gem_class[LB_OUT_LBM];
            } else if (dx->focus && r == 2) {
                v = pe->focus[LB_OUT_LBM];
                c = lb_model_classify(v, s->dev_cuts, s->n_dev_cuts);
            } else {
                v = pe->wijk[LB_OUT_DIM0 + d];
                c = pe->wijk_class[LB_OUT_DIM0 + d];
            }
            char txt[96];
            if (isnan(v))
                snprintf(txt, sizeof(txt), "%s", dev(v).s);
            else
                snprintf(txt, sizeof(txt), "%s (%s)", dev(v).s, lb_diagnose_dev_label(s, c));
            lb_doc_cell(k, txt);
        }
    }
    lb_doc_table_end(k);
    free(head);
    free(labels);
    free(align);
}

static void section_drivers(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    lb_doc_heading(k, 2, "5. Achtergrond: indicatoren bij de zwakste dimensies");
    if (!dx->has_contrib) {
        if (s->is_published || s->n_ind == 0)
            lb_doc_para(k,
                        "Voor deze scores zijn geen indicatorbijdragen beschikbaar (gepubliceerde "
                        "scores bevatten alleen de dimensiescores), dus de achtergrond per "
                        "indicator kan niet worden gegeven. Met scores die met leefbaar zelf zijn "
                        "berekend staan hier de indicatoren die de zwakste dimensies bepalen.");
        else
            lb_doc_para(k,
                        "Voor deze scores zijn geen indicatorbijdragen beschikbaar: de berekening "
                        "heeft de bijdragen per indicator niet bewaard, dus de achtergrond per "
                        "indicator kan niet worden gegeven.");
        lb_text_puts(&k->t, k->html ? "<p>" : "");
        lb_doc_esc(k, "Zwakste dimensies (wijk \xe2\x88\x92 gemeente): ");
        for (size_t w = 0; w < dx->n_weak; w++) {
            char item_txt[200];
            snprintf(item_txt, sizeof(item_txt), "%s%s %s", w ? "; " : "",
                     lb_diagnose_dim_label(s, dx->weak[w].dim), dev(dx->gap[dx->weak[w].dim]).s);
            lb_doc_esc(k, item_txt);
        }
        lb_text_puts(&k->t, k->html ? ".</p>\n" : ".\n\n");
        return;
    }
    lb_doc_para(k,
                "Per zwakke dimensie de indicatoren met hun gemiddelde waarde (in de maat die "
                "het model opgeeft) en hun bijdrage aan de dimensie, voor de wijk en voor de "
                "gemeente. De bijdrage is wat de indicator volgens het model aan de afwijking "
                "van de dimensie toevoegt (positief) of afhaalt (negatief). Het verschil in "
                "bijdrage telt op tot het verschil wijk \xe2\x88\x92 gemeente van de dimensie; de "
                "indicator met het meest negatieve verschil trekt de wijk het sterkst omlaag.");
    static const char *const head[] = {"Indicator",     "Waarde wijk",       "Waarde gemeente",
                                       "Bijdrage wijk", "Bijdrage gemeente", "Verschil"};
    for (size_t w = 0; w < dx->n_weak; w++) {
        const lb_diagnose_weak *wk = &dx->weak[w];
        char h[200];
        snprintf(h, sizeof(h), "%s (wijk \xe2\x88\x92 gemeente %s)",
                 lb_diagnose_dim_label(s, wk->dim), dev(dx->gap[wk->dim]).s);
        lb_doc_heading(k, 3, h);
        if (wk->n_drivers == 0) {
            lb_doc_para(k, "Het model heeft voor deze dimensie geen indicatoren.");
            continue;
        }
        lb_doc_table_begin(k, "lrrrrr", head);
        for (size_t j = 0; j < wk->n_drivers; j++) {
            const lb_diagnose_driver *dr = &wk->drivers[j];
            lb_doc_cell(k, s->ind_label && s->ind_label[dr->ind] ? s->ind_label[dr->ind]
                                                                 : s->ind_id[dr->ind]);
            const char *unit = s->ind_unit ? s->ind_unit[dr->ind] : NULL;
            lb_doc_cell(k, raw_unit(dr->raw_wijk, unit).s);
            lb_doc_cell(k, raw_unit(dr->raw_gem, unit).s);
            lb_doc_cell(k, dev(dr->c_wijk).s);
            lb_doc_cell(k, dev(dr->c_gem).s);
            lb_doc_cell(k, dev(dr->diff).s);
        }
        lb_doc_table_end(k);
    }
}

static void section_units(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const size_t last = dx->n_t - 1, t = dx->t[last], nd = s->n_dims;
    char h[96];
    /* Name the units after their id field: buurten in our runs, PC4 areas in published ones. */
    const char *noun = lb_diagnose_unit_noun(s, 1);
    snprintf(h, sizeof(h), "6. %c%s van de wijk in %d", noun[0] - 'a' + 'A', noun + 1,
             lb_diagnose_year(dx, last));
    lb_doc_heading(k, 2, h);
    int share = dx->sel->wijk_share != NULL, dev_col = dx->n_t > 1;
    size_t nc = 6 + nd + (size_t)dev_col + (size_t)share;
    const char **head = calloc(nc, sizeof(*head));
    char *align = calloc(nc + 1, 1);
    char dev_head[64];
    if (!head || !align) {
        k->t.failed = 1;
        free(head);
        free(align);
        return;
    }
    size_t c = 0;
    head[c] = "Nr";
    align[c++] = 'r';
    head[c] = "Code";
    align[c++] = 'l';
    head[c] = "Naam";
    align[c++] = 'l';
    head[c] = dx->weighted[last] ? lb_diagnose_weight_header(dx) : "Gewicht (geen)";
    align[c++] = 'r';
    head[c] = "Totaalscore";
    align[c++] = 'r';
    head[c] = "Klasse";
    align[c++] = 'l';
    for (size_t d = 0; d < nd; d++) {
        head[c] = lb_diagnose_dim_label(s, d);
        align[c++] = 'r';
    }
    if (dev_col) {
        snprintf(dev_head, sizeof(dev_head), "Verandering totaalscore %d\xe2\x80\x93%d",
                 lb_diagnose_year(dx, 0), lb_diagnose_year(dx, last));
        head[c] = dev_head;
        align[c++] = 'l';
    }
    if (share) {
        head[c] = "Aandeel binnen de wijk";
        align[c++] = 'r';
    }
    lb_doc_table_begin(k, align, head);
    for (size_t j = 0; j < dx->n_units_wijk; j++) {
        size_t u = dx->units[j];
        char nr[32];
        snprintf(nr, sizeof(nr), "%zu", j + 1);
        lb_doc_cell(k, nr);
        lb_doc_cell(k, s->id[u]);
        lb_doc_cell(k, s->name && s->name[u] ? s->name[u] : "");
        lb_doc_cell(k, count(s->weight ? s->weight[t * s->n_units + u] : NAN).s);
        double lbm = lb_scoreset_value(s, t, LB_OUT_LBM, u);
        int kl = lb_model_classify(lbm, s->thresholds, LB_N_THRESHOLDS);
        lb_doc_cell(k, score(lbm).s);
        cell_chip(k, kl ? lb_diagnose_class_label(s, kl) : "geen score", colour_of(s, kl));
        for (size_t d = 0; d < nd; d++)
            lb_doc_cell(k, dev(lb_scoreset_value(s, t, LB_OUT_DIM0 + d, u)).s);
        if (dev_col) {
            double dl = lbm - lb_scoreset_value(s, dx->t[0], LB_OUT_LBM, u);
            char txt[96];
            if (isnan(dl))
                snprintf(txt, sizeof(txt), "%s", dev(dl).s);
            else
                snprintf(
                    txt, sizeof(txt), "%s (%s)", dev(dl).s,
                    lb_diagnose_dev_label(s, lb_model_classify(dl, s->dev_cuts, s->n_dev_cuts)));
            lb_doc_cell(k, txt);
        }
        if (share) {
            char pct[32];
            lb_diagnose_nl_number(pct, sizeof(pct), 100.0 * dx->sel->wijk_share[u], 0, 0);
            strcat(pct, " %");
            lb_doc_cell(k, pct);
        }
    }
    lb_doc_table_end(k);
    free(head);
    free(align);
}

static void section_check(sink *k, const lb_diagnosis *dx, char *const reasons[3], const char *why)
{
    lb_doc_heading(k, 2, "7. Preventiebudget-toets");
    lb_doc_para(k, "De drie punten uit de brief van 5 november 2008 over het preventiebudget, "
                   "uitgewerkt met de scores. De regels staan onder de tabel.");
    static const char *const head[] = {"Punt", "Uitkomst", "Toelichting"};
    static const char *const names[3] = {"(1) Meervoudige problematiek", "(2) Risico op afglijden",
                                         "(3) Omvang"};
    const lb_diagnose_level lv[3] = {dx->problems, dx->risk, dx->size};
    lb_doc_table_begin(k, "lll", head);
    for (int c = 0; c < 3; c++) {
        lb_doc_cell(k, names[c]);
        lb_doc_cell(k, lb_diagnose_level_name(lv[c]));
        lb_doc_cell(k, reasons[c]);
    }
    lb_doc_table_end(k);
    lb_doc_para_lead(k, "Indicatief oordeel:", lb_diagnose_verdict_name(dx->verdict));
    lb_doc_para(k, why);
    lb_doc_heading(k, 3, "Regels");
    lb_doc_list_begin(k);
    for (size_t i = 0; i < LB_DX_N_RULES; i++) {
        char *r = lb_diagnose_rule(dx, i);
        if (!r) {
            k->t.failed = 1;
            return;
        }
        lb_doc_item(k, r);
        free(r);
    }
    lb_doc_list_end(k);
}

/* Every average the JSON holds, so that a printed report carries all its figures (issue 15):
 * each year's score, deviation and dimensions for the wijk, the gemeente and the focus areas. */
static void section_all_years(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const size_t nd = s->n_dims, nc = 4 + nd;
    lb_doc_heading(k, 2, "Bijlage: alle gemiddelden per jaar");
    lb_doc_para(k, "De scores en afwijkingen per dimensie waarop dit rapport steunt, voor elk jaar "
                   "en elk gebied (0 = referentieniveau).");
    const char **head = calloc(nc, sizeof(*head));
    char *align = calloc(nc + 1, 1);
    if (!head || !align) {
        k->t.failed = 1;
        free(head);
        free(align);
        return;
    }
    head[0] = "Jaar";
    head[1] = "Gebied";
    head[2] = "Totaalscore";
    head[3] = "Afwijking van de referentie";
    memcpy(align, "llrr", 4);
    for (size_t d = 0; d < nd; d++) {
        head[4 + d] = lb_diagnose_dim_label(s, d);
        align[4 + d] = 'r';
    }
    lb_doc_table_begin(k, align, head);
    for (size_t ti = 0; ti < dx->n_t; ti++) {
        const lb_diagnose_agg *rows[3] = {&dx->wijk[ti], &dx->gem[ti],
                                          dx->focus ? &dx->focus[ti] : NULL};
        static const char *const names[3] = {"wijk", "gemeente", "aandachtswijken"};
        char year[16];
        snprintf(year, sizeof(year), "%d", lb_diagnose_year(dx, ti));
        for (int r = 0; r < 3; r++) {
            if (!rows[r])
                continue;
            lb_doc_cell(k, year);
            lb_doc_cell(k, names[r]);
            lb_doc_cell(k, score(rows[r]->v[LB_OUT_LBM]).s);
            lb_doc_cell(k, dev(rows[r]->v[LB_OUT_AFW]).s);
            for (size_t d = 0; d < nd; d++)
                lb_doc_cell(k, dev(rows[r]->v[LB_OUT_DIM0 + d]).s);
        }
    }
    lb_doc_table_end(k);
    free(head);
    free(align);
}

static void section_method(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    lb_doc_heading(k, 2, "Verantwoording");
    lb_doc_list_begin(k);
    char buf[1024];
    snprintf(buf, sizeof(buf), "Bron van de scores: %s.",
             s->is_published ? "gepubliceerde scores" : "berekend met leefbaar");
    lb_doc_item(k, buf);
    lb_text yrs = {0};
    for (size_t ti = 0; ti < dx->n_t; ti++)
        lb_text_printf(&yrs, "%s%d", ti ? ", " : "", lb_diagnose_year(dx, ti));
    snprintf(buf, sizeof(buf), "Jaren: %s; peiljaar %d.", yrs.s ? yrs.s : "",
             lb_diagnose_year(dx, dx->n_t - 1));
    lb_text_free(&yrs);
    lb_doc_item(k, buf);
    lb_doc_item(k, "Weging: zie paragraaf 1.");
    snprintf(buf, sizeof(buf), "Wijk: %s.", dx->sel->wijk_rule);
    lb_doc_item(k, buf);
    snprintf(buf, sizeof(buf), "Gemeente: %s.", dx->sel->gemeente_rule);
    lb_doc_item(k, buf);
    if (dx->sel->focus_rule) {
        snprintf(buf, sizeof(buf), "Aandachtswijken: %s.", dx->sel->focus_rule);
        lb_doc_item(k, buf);
    }
    lb_text th = {0};
    char cut[32];
    for (int i = 0; i < LB_N_THRESHOLDS; i++)
        lb_text_printf(&th, "%s%s", i ? "; " : "",
                       lb_diagnose_nl_number(cut, sizeof(cut), s->thresholds[i], 6, LB_NL_TRIM));
    snprintf(buf, sizeof(buf),
             "Klassegrenzen op de totaalscore: %s (een waarde op een grens hoort "
             "bij de hogere klasse).",
             th.s ? th.s : "");
    lb_text_free(&th);
    lb_doc_item(k, buf);
    lb_text dc = {0};
    for (size_t i = 0; i < s->n_dev_cuts; i++)
        lb_text_printf(
            &dc, "%s%s", i ? "; " : "",
            lb_diagnose_nl_number(cut, sizeof(cut), s->dev_cuts[i], 6, LB_NL_SIGN | LB_NL_TRIM));
    snprintf(buf, sizeof(buf), "Grenzen van de ontwikkelingsklassen op de verandering: %s.",
             dc.s ? dc.s : "");
    lb_text_free(&dc);
    lb_doc_item(k, buf);
    lb_doc_list_end(k);
}

/* @p desc with every quoted path cut to its base name ("run '/tmp/out/score' (...)" →
 * "map 'score' (...)"): the appendix names files, never where they were on one machine. */
static void put_source(lb_text *t, const char *desc)
{
    if (strncmp(desc, "run '", 5) == 0) {
        lb_text_puts(t, "map ");
        desc += 4;
    } else if (strncmp(desc, "table '", 7) == 0) {
        lb_text_puts(t, "tabel ");
        desc += 6;
    }
    for (const char *q = desc; *q;) {
        const char *open = strchr(q, '\'');
        const char *close = open ? strchr(open + 1, '\'') : NULL;
        if (!close) {
            lb_text_puts(t, q);
            break;
        }
        lb_text_printf(t, "%.*s", (int)(open + 1 - q), q);
        const char *base = open + 1;
        for (const char *c = open + 1; c < close; c++)
            if ((*c == '/' || *c == '\\') && c + 1 < close)
                base = c + 1;
        lb_text_printf(t, "%.*s'", (int)(close - base), base);
        q = close + 1;
    }
}

/* File names (base names only) and the tool version: the one place for technical detail. */
static void section_technical(sink *k, const lb_diagnosis *dx)
{
    const lb_scoreset *s = dx->s;
    const lb_diagnose_selection *sel = dx->sel;
    lb_doc_heading(k, 2, "Technische bijlage: bestanden");
    lb_doc_list_begin(k);
    lb_text b = {0};
    lb_text_puts(&b, "Scores: ");
    put_source(&b, s->description ? s->description : "");
    lb_text_puts(&b, ".");
    lb_doc_item(k, b.s ? b.s : "");
    lb_text_free(&b);
    char buf[1024];
    static const char *const what[3] = {"Wijkgrens", "Gemeentegrens", "Aandachtswijken"};
    const char *const from[3] = {sel->wijk_source, sel->gemeente_source, sel->focus_source};
    for (int i = 0; i < 3; i++)
        if (from[i]) {
            snprintf(buf, sizeof(buf), "%s: %s.", what[i], from[i]);
            lb_doc_item(k, buf);
        }
    snprintf(buf, sizeof(buf),
             "Gemaakt met leefbaar %s; dezelfde getallen staan ongerond in het JSON-bestand met "
             "dezelfde naam als dit rapport.",
             lb_version());
    lb_doc_item(k, buf);
    lb_doc_list_end(k);
}

/* Near the top, set apart: the wijk is itself (partly) one of the focus areas. */
static void focus_note(sink *k, const lb_diagnosis *dx)
{
    int failed = 0;
    char *note = lb_diagnose_focus_note(dx, &failed);
    if (failed)
        k->t.failed = 1;
    if (!note)
        return;
    if (k->html) {
        lb_text_puts(&k->t, "<p class=\"focusnote\"><strong>");
        lb_doc_esc(k, note);
        lb_text_puts(&k->t, "</strong></p>\n");
    } else {
        lb_text_puts(&k->t, "\n> **");
        lb_doc_esc(k, note);
        lb_text_puts(&k->t, "**\n");
    }
    free(note);
}

static const char css[] =
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#1b1b1b;background:#fff;"
    "margin:0;line-height:1.45;font-size:15px}"
    "main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 10px;border-bottom:2px "
    "solid #1f5fa8;padding-bottom:3px}h3{font-size:16px;margin:18px 0 6px}"
    ".sub{color:#555;margin:0 0 18px}"
    ".verdict{border-left:8px solid #888;background:#f3f3f3;padding:10px 18px;margin:16px 0}"
    ".verdict h2{border:0;margin:4px 0;font-size:17px}"
    ".verdict .big{font-size:24px;font-weight:bold;margin:4px 0}"
    ".v-strong{border-color:#c0392b;background:#fdecea}"
    ".v-possible{border-color:#e67e22;background:#fff4e5}"
    ".v-none{border-color:#2e7d32;background:#edf7ee}"
    ".disclaimer{font-size:14px;color:#333}"
    ".focusnote{border:2px dashed #6a1b9a;background:#f6effa;padding:8px 14px;margin:14px 0}"
    ".tw{overflow-x:auto}"
    "table{border-collapse:collapse;margin:8px 0 14px;font-size:14px}"
    "th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef2f7}th.r{text-align:right}td.r{text-align:right;white-space:nowrap}"
    ".chip{display:inline-block;padding:1px 7px;border-radius:3px;white-space:nowrap}"
    "figure{margin:8px 0}svg{max-width:100%;height:auto;font-family:inherit}"
    "svg .lbl{font-size:13px;font-weight:bold;fill:#111;paint-order:stroke;stroke:#fff;"
    "stroke-width:3px}"
    "svg .axis{font-size:11px;fill:#333}svg .dim{font-size:13px;fill:#111}"
    "svg .val{font-size:12px;fill:#111}svg .scale text,svg .north{font-size:12px;fill:#222}"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px;margin:4px 0 8px}"
    ".legend i{display:inline-block;width:16px;height:12px;margin-right:5px;vertical-align:"
    "-1px;border:1px solid #999}"
    ".legend i.wijk{border:2px solid #111;background:#fff}"
    ".legend i.focus{border:2px dashed #6a1b9a;background:#fff}"
    ".legend i.lw{height:0;border:0;border-top:3px solid #111}"
    ".legend i.lg{height:0;border:0;border-top:2px solid #1f5fa8}"
    ".legend i.lf{height:0;border:0;border-top:2px dashed #6a1b9a}"
    /* Print (issue 15): A4, nothing clipped by a scroll box, wide tables shrink and wrap
     * their headers instead of running off the page, headings stay with what follows them. */
    "@page{size:A4;margin:14mm 10mm 16mm}"
    "@media print{body{font-size:10.5pt;line-height:1.35}main{max-width:none;padding:0}"
    "h2{margin:18px 0 8px}.tw{overflow:visible}"
    "table{width:100%;font-size:8.5pt;margin:6px 0 10px}th,td{padding:2px 4px}"
    "th{white-space:normal;overflow-wrap:normal;hyphens:manual}"
    ".wide table{font-size:7pt}.wide th,.wide td{padding:2px 2px}"
    "thead{display:table-header-group}tr,li{break-inside:avoid}"
    "h1,h2,h3,h4,.sub{break-after:avoid}"
    "figure,svg,.legend,.verdict,.focusnote{break-inside:avoid}"
    ".chip{white-space:normal;border:1px solid #999}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static lb_status render(lb_ctx *ctx, const lb_diagnosis *dx, int html, lb_text *out)
{
    sink k = {.html = html};
    char *reasons[3] = {NULL, NULL, NULL}, *why = lb_diagnose_verdict_reason(dx);
    for (int c = 0; c < 3; c++)
        reasons[c] = lb_diagnose_reason(dx, c);
    if (!why || !reasons[0] || !reasons[1] || !reasons[2]) {
        free(why);
        for (int c = 0; c < 3; c++)
            free(reasons[c]);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    const lb_diagnose_selection *sel = dx->sel;
    char title[512], sub[1024];
    snprintf(title, sizeof(title), "Eerste wijkdiagnose: %s", sel->wijk_name);
    snprintf(sub, sizeof(sub), "%s%s%s \xc2\xb7 peiljaar %d \xc2\xb7 scores van %d tot %d",
             sel->wijk_code ? sel->wijk_code : "", sel->wijk_code ? " \xc2\xb7 " : "",
             sel->gemeente_name, lb_diagnose_year(dx, dx->n_t - 1), lb_diagnose_year(dx, 0),
             lb_diagnose_year(dx, dx->n_t - 1));
    if (html) {
        lb_text_puts(&k.t, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">"
                           "\n<meta name=\"viewport\" content=\"width=device-width, "
                           "initial-scale=1\">\n<title>");
        lb_doc_esc(&k, title);
        lb_text_printf(&k.t, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
        lb_doc_esc(&k, title);
        lb_text_puts(&k.t, "</h1>\n<p class=\"sub\">");
        lb_doc_esc(&k, sub);
        lb_text_puts(&k.t, "</p>\n");
    } else {
        lb_text_puts(&k.t, "# ");
        lb_doc_esc(&k, title);
        lb_text_puts(&k.t, "\n\n");
        lb_doc_esc(&k, sub);
        lb_text_puts(&k.t, "\n");
    }
    focus_note(&k, dx);
    verdict_box(&k, dx, why);
    section_score(&k, dx);
    section_map(&k, dx);
    section_dimensions(&k, dx);
    section_development(&k, dx);
    section_drivers(&k, dx);
    section_units(&k, dx);
    section_check(&k, dx, reasons, why);
    section_method(&k, dx);
    section_all_years(&k, dx);
    section_technical(&k, dx);
    if (html)
        lb_text_puts(&k.t, "</main>\n</body>\n</html>\n");
    free(why);
    for (int c = 0; c < 3; c++)
        free(reasons[c]);
    if (k.t.failed) {
        lb_text_free(&k.t);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    *out = k.t;
    return LB_OK;
}

static lb_status write_form(lb_ctx *ctx, const lb_diagnosis *dx, int html, const char *path)
{
    lb_text t = {0};
    lb_status st = render(ctx, dx, html, &t);
    if (st == LB_OK)
        st = lb_text_write(ctx, &t, path);
    lb_text_free(&t);
    return st;
}

lb_status lb_diagnose_write_html(lb_ctx *ctx, const lb_diagnosis *dx, const char *path)
{
    return write_form(ctx, dx, 1, path);
}

lb_status lb_diagnose_write_md(lb_ctx *ctx, const lb_diagnosis *dx, const char *path)
{
    return write_form(ctx, dx, 0, path);
}

lb_status lb_diagnose_write_all(lb_ctx *ctx, const lb_diagnosis *dx, const lb_diagnose_output *o,
                                const char *base)
{
    const char *command_line = o->command_line;
    lb_outdir od = {0};
    char *names[3] = {lb_core_strfmt("%s.html", base), lb_core_strfmt("%s.md", base),
                      lb_core_strfmt("%s.json", base)};
    char *paths[3] = {NULL, NULL, NULL};
    struct json_object *doc = NULL;
    const char *const *in = o->inputs;
    size_t n_in = o->n_inputs;
    lb_status st = LB_OK;
    if (!names[0] || !names[1] || !names[2])
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK) {
        const lb_outdir_spec spec = {.overwrite = o->overwrite,
                                     .names = (const char *const *)names,
                                     .n_names = 3,
                                     .inputs = in,
                                     .n_inputs = n_in};
        st = lb_outdir_open(ctx, o->outdir, &spec, &od);
    }
    for (int i = 0; st == LB_OK && i < 3; i++)
        if (!(paths[i] = lb_outdir_tmp_path(&od, names[i])))
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    if (st == LB_OK)
        st = lb_diagnose_write_html(ctx, dx, paths[0]);
    if (st == LB_OK)
        st = lb_diagnose_write_md(ctx, dx, paths[1]);
    if (st == LB_OK)
        st = lb_diagnose_json(ctx, dx, command_line, &doc);
    if (st == LB_OK)
        st = lb_write_json(ctx, paths[2], doc);
    if (st == LB_OK)
        st = lb_outdir_commit(ctx, &od);
    lb_outdir_abort(&od);
    json_object_put(doc);
    for (int i = 0; i < 3; i++) {
        free(names[i]);
        free(paths[i]);
    }
    return st;
}
