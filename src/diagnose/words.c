/* SPDX-License-Identifier: MIT */
/* The Dutch sentences of the report: reasons per criterion, the verdict, the rules. */
#include "diagnose.h"

#include "../core/ctx.h"
#include "text.h"

#include <math.h>
#include <string.h>

const char lb_diagnose_disclaimer[] =
    "Dit is een indicatief signaal voor het opstellen van een plan, geen besluit. Het oordeel "
    "berust alleen op de scores en de drempels hieronder; kennis van de wijk, andere bronnen "
    "en de onderbouwing van de gemeente gaan voor.";

/* Short number formatters for sentences (3 decimals for scores, grouped integers). */
#define NUM(buf, v) lb_diagnose_nl_number(buf, sizeof(buf), v, 3, 0)
#define SIGNED(buf, v) lb_diagnose_nl_number(buf, sizeof(buf), v, 3, LB_NL_SIGN)

static char *done(lb_text *t)
{
    if (t->failed) {
        lb_text_free(t);
        return NULL;
    }
    return t->s ? t->s : lb_core_strdup("");
}

const char *lb_diagnose_weight_phrase(const lb_diagnosis *dx, size_t ti)
{
    const char *w = dx->s->weight_name;
    if (!dx->weighted[ti] || !w)
        return "geen (ongewogen gemiddelde)";
    if (strcmp(w, "inhabitants") == 0)
        return "inwoners";
    if (strcmp(w, "dwellings") == 0)
        return "woningen";
    if (strcmp(w, "area") == 0)
        return "oppervlakte";
    return w;
}

const char *lb_diagnose_unit_noun(const lb_scoreset *s, int plural)
{
    static const struct {
        const char *field, *one, *many;
    } nouns[] = {
        {"BU_CODE", "buurt", "buurten"},
        {"WK_CODE", "wijk", "wijken"},
        {"GM_CODE", "gemeente", "gemeenten"},
        {"PC4", "postcodegebied", "postcodegebieden"},
        {"PC6", "postcodegebied", "postcodegebieden"},
    };
    for (size_t i = 0; s && s->id_field && i < sizeof(nouns) / sizeof(nouns[0]); i++)
        if (lb_core_str_ieq(s->id_field, nouns[i].field))
            return plural ? nouns[i].many : nouns[i].one;
    return plural ? "gebieden" : "gebied";
}

/* What compute.c does: mean_of() and spread() weight each unit by its weight in that year when
 * the year is weighted, and count every unit once otherwise; a unit's own score is its own. */
char *lb_diagnose_weighting(const lb_diagnosis *dx)
{
    lb_text t = {0};
    const char *many = lb_diagnose_unit_noun(dx->s, 1), *one = lb_diagnose_unit_noun(dx->s, 0);
    size_t n_weighted = 0;
    for (size_t ti = 0; ti < dx->n_t; ti++)
        n_weighted += dx->weighted[ti] != 0;
    if (n_weighted == 0) {
        lb_text_printf(&t,
                       "Weging: de scores hebben geen gewichten, dus elk gemiddelde in dit rapport "
                       "(van de wijk, de gemeente en de aandachtswijken, en de spreiding die de "
                       "toets gebruikt) is een gewoon gemiddelde waarin elke %s even zwaar telt.",
                       one);
    } else {
        const char *wn = dx->s->weight_name ? dx->s->weight_name : "";
        const char *by = strcmp(wn, "inhabitants") == 0 ? "het aantal inwoners"
                         : strcmp(wn, "dwellings") == 0 ? "het aantal woningen"
                         : strcmp(wn, "area") == 0      ? "de oppervlakte"
                                                        : "het gewicht in de scores";
        const char *twice = strcmp(wn, "inhabitants") == 0 ? "twee keer zoveel inwoners"
                            : strcmp(wn, "dwellings") == 0 ? "twee keer zoveel woningen"
                            : strcmp(wn, "area") == 0      ? "twee keer de oppervlakte"
                                                           : "twee keer dat gewicht";
        lb_text_printf(&t,
                       "Weging: elk gemiddelde in dit rapport (van de wijk, de gemeente en de "
                       "aandachtswijken, en de spreiding die de toets gebruikt) is gewogen naar "
                       "%s van elke %s: een %s met %s telt twee keer zo zwaar.",
                       by, one, one, twice);
        if (dx->weighted[dx->n_t - 1])
            lb_text_printf(&t,
                           " De kolom '%s (gewicht)' hierboven is de som daarvan over de %s met "
                           "een score.",
                           lb_diagnose_weight_header(dx), many);
        lb_text_printf(&t, " De scores van de afzonderlijke %s in paragraaf 6 zijn niet gemiddeld.",
                       many);
        if (n_weighted < dx->n_t) {
            lb_text_puts(&t, " In ");
            size_t j = 0;
            for (size_t ti = 0; ti < dx->n_t; ti++)
                if (!dx->weighted[ti])
                    lb_text_printf(&t, "%s%d", j++ ? ", " : "", lb_diagnose_year(dx, ti));
            lb_text_printf(&t, " hebben de scores geen gewichten; daar telt elke %s even zwaar.",
                           one);
        }
    }
    return done(&t);
}

const char *lb_diagnose_weight_header(const lb_diagnosis *dx)
{
    const char *w = dx->s->weight_name;
    if (!w)
        return "Gewicht";
    if (strcmp(w, "inhabitants") == 0)
        return "Inwoners";
    if (strcmp(w, "dwellings") == 0)
        return "Woningen";
    if (strcmp(w, "area") == 0)
        return "Oppervlakte";
    return "Gewicht";
}

char *lb_diagnose_focus_note(const lb_diagnosis *dx, int *failed)
{
    const lb_diagnose_selection *sel = dx->sel;
    const size_t in = sel->n_wijk_in_focus, n = dx->n_units_wijk;
    char *r = NULL;
    *failed = 0;
    if (!sel->focus || in == 0)
        return NULL;
    if (in >= n)
        r = lb_core_strfmt("Deze wijk is zelf een van de %zu aandachtswijken waarmee dit rapport "
                           "vergelijkt. Haar eigen %s tellen daarom niet mee in het gemiddelde "
                           "van de aandachtswijken.",
                           sel->n_focus_areas, lb_diagnose_unit_noun(dx->s, 1));
    else
        r = lb_core_strfmt("Deze wijk ligt voor een deel in de aandachtswijken waarmee dit "
                           "rapport vergelijkt: %zu van haar %zu %s. Die tellen niet mee in het "
                           "gemiddelde van de aandachtswijken.",
                           in, n, lb_diagnose_unit_noun(dx->s, 1));
    *failed = r == NULL;
    return r;
}

static void reason_problems(const lb_diagnosis *dx, lb_text *t)
{
    const lb_scoreset *s = dx->s;
    char k[32], a[32];
    lb_diagnose_nl_number(k, sizeof(k), dx->clear_sd, 2, 0);
    if (dx->n_no_spread) {
        /* Without spread "k standard deviations below" is decided by rounding noise. */
        lb_text_puts(t, "Niet te bepalen voor ");
        size_t j = 0;
        for (size_t d = 0; d < s->n_dims; d++) {
            if (!dx->no_spread[d])
                continue;
            lb_text_printf(t, "%s%s",
                           j == 0                     ? ""
                           : j + 1 == dx->n_no_spread ? " en "
                                                      : ", ",
                           lb_diagnose_dim_label(s, d));
            j++;
        }
        lb_text_printf(t,
                       ": de scores van die dimensie verschillen (vrijwel) niet tussen de %s, "
                       "dus er is geen spreiding om een verschil aan af te meten. ",
                       lb_diagnose_unit_noun(s, 1));
    }
    if (dx->n_below == 0) {
        lb_text_printf(t,
                       "Op geen van de %zu vergeleken dimensies ligt de wijk duidelijk (minstens "
                       "%s keer de standaardafwijking) onder het gemeentegemiddelde.",
                       dx->n_compared, k);
        return;
    }
    lb_text_printf(t,
                   "Op %zu van de %zu vergeleken dimensies ligt de wijk duidelijk (minstens %s "
                   "keer de standaardafwijking) onder het gemeentegemiddelde: ",
                   dx->n_below, dx->n_compared, k);
    size_t j = 0;
    for (size_t d = 0; d < s->n_dims; d++) {
        if (!dx->below[d])
            continue;
        lb_text_printf(t, "%s%s (%s)",
                       j == 0                 ? ""
                       : j + 1 == dx->n_below ? " en "
                                              : ", ",
                       lb_diagnose_dim_label(s, d), SIGNED(a, dx->gap[d]));
        j++;
    }
    lb_text_puts(t, ".");
}

static void reason_risk(const lb_diagnosis *dx, lb_text *t)
{
    const lb_scoreset *s = dx->s;
    const size_t last = dx->n_t - 1;
    char a[32], b[32], c[32], e[32];
    if (!dx->near_by_class) {
        double g = dx->gap_focus;
        NUM(a, dx->wijk[last].v[LB_OUT_LBM]);
        NUM(b, dx->focus[last].v[LB_OUT_LBM]);
        NUM(c, dx->focus_distance);
        if (g > 0)
            lb_text_printf(t,
                           "De totaalscore van de wijk (%s) ligt %s boven het gemiddelde van de "
                           "aandachtswijken (%s); ",
                           a, NUM(e, g), b);
        else
            lb_text_printf(t,
                           "De totaalscore van de wijk (%s) ligt op of onder het gemiddelde van de "
                           "aandachtswijken (%s); ",
                           a, b);
        lb_text_printf(
            t, "%s (grens: %s boven dat gemiddelde). ",
            dx->near ? "dat is dicht bij hun niveau" : "dat is niet dicht bij hun niveau", c);
    } else {
        lb_text_printf(t,
                       "Er zijn geen aandachtswijken opgegeven; als benadering van hun niveau telt "
                       "de klasse 'zwak' of lager. De wijk heeft klasse '%s', %s. ",
                       lb_diagnose_class_label(s, dx->wijk[last].klass),
                       dx->near ? "dus op dat niveau" : "dus daarboven");
    }
    if (!dx->direction_known) {
        lb_text_puts(t, "De richting van de ontwikkeling is onbekend (er is maar één jaar).");
        return;
    }
    const lb_diagnose_period *p = &dx->periods[dx->recent];
    lb_text_printf(t, "Verandering van de totaalscore %d\xe2\x80\x93%d: %s (%s), %s.",
                   lb_diagnose_year(dx, p->from), lb_diagnose_year(dx, p->to),
                   SIGNED(a, p->wijk[LB_OUT_LBM]),
                   lb_diagnose_dev_label(s, p->wijk_class[LB_OUT_LBM]),
                   dx->declining ? "dus achteruitgang" : "geen achteruitgang");
}

static void reason_size(const lb_diagnosis *dx, lb_text *t)
{
    const size_t last = dx->n_t - 1;
    char a[32], b[32];
    lb_diagnose_nl_number(b, sizeof(b), dx->min_inhabitants, 0, LB_NL_GROUP);
    if (!dx->size_known) {
        if (!dx->weighted[last] || !dx->s->weight_name)
            lb_text_printf(t,
                           "Omvang onbekend: de scores hebben geen inwonersaantallen. Ga na of de "
                           "wijk ongeveer %s inwoners of meer heeft.",
                           b);
        else
            lb_text_printf(t,
                           "Omvang onbekend: het gewicht van de scores is %s, niet inwoners. Ga "
                           "na of de wijk ongeveer %s inwoners of meer heeft.",
                           lb_diagnose_weight_phrase(dx, last), b);
        return;
    }
    lb_diagnose_nl_number(a, sizeof(a), dx->inhabitants, 0, LB_NL_GROUP);
    if (dx->size == LB_DX_MET)
        lb_text_printf(t, "De wijk telt %s inwoners in %d: minstens %s.", a,
                       lb_diagnose_year(dx, last), b);
    else
        lb_text_printf(t,
                       "De wijk telt %s inwoners in %d: minder dan ongeveer %s, dus een aanvraag "
                       "vraagt een onderbouwing van de omvang.",
                       a, lb_diagnose_year(dx, last), b);
}

char *lb_diagnose_reason(const lb_diagnosis *dx, int c)
{
    lb_text t = {0};
    if (c == 0)
        reason_problems(dx, &t);
    else if (c == 1)
        reason_risk(dx, &t);
    else
        reason_size(dx, &t);
    return done(&t);
}

char *lb_diagnose_verdict_reason(const lb_diagnosis *dx)
{
    lb_text t = {0};
    lb_text_printf(&t,
                   "(1) meervoudige problematiek: %s; (2) risico op afglijden: %s; "
                   "(3) omvang: %s. ",
                   lb_diagnose_level_name(dx->problems), lb_diagnose_level_name(dx->risk),
                   lb_diagnose_level_name(dx->size));
    switch (dx->verdict) {
    case LB_DX_UNDECIDED:
        lb_text_puts(&t, "Punt (1) is niet te bepalen en het oordeel hangt ervan af; er is "
                         "daarom geen oordeel.");
        break;
    case LB_DX_STRONG:
        lb_text_puts(&t, "Alle drie de punten zijn voldaan.");
        break;
    case LB_DX_POSSIBLE:
        if (dx->problems == LB_DX_MET && dx->risk == LB_DX_MET)
            lb_text_puts(&t, "(1) en (2) zijn voldaan, maar de omvang is niet aangetoond.");
        else if (dx->problems == LB_DX_MET || dx->risk == LB_DX_MET)
            lb_text_printf(&t, "Punt (%d) is voldaan, niet alle drie.",
                           dx->problems == LB_DX_MET ? 1 : 2);
        else
            lb_text_puts(&t, "(1) en (2) zijn beide deels voldaan.");
        break;
    default:
        lb_text_puts(&t, "Punt (1) en (2) zijn niet voldaan en niet beide deels voldaan.");
    }
    return done(&t);
}

char *lb_diagnose_rule(const lb_diagnosis *dx, size_t i)
{
    char k[32], d[32], m[32];
    lb_diagnose_nl_number(k, sizeof(k), dx->clear_sd, 2, 0);
    lb_diagnose_nl_number(d, sizeof(d), dx->focus_distance, 2, 0);
    lb_diagnose_nl_number(m, sizeof(m), dx->min_inhabitants, 0, LB_NL_GROUP);
    switch (i) {
    case 0:
        return lb_core_strfmt(
            "(1) Meervoudige problematiek: een dimensie ligt duidelijk onder het "
            "gemeentegemiddelde als het verschil wijk \xe2\x88\x92 gemeente negatief is en "
            "minstens %s keer de standaardafwijking van die dimensie over alle %s in de "
            "invoer bedraagt (laatste jaar, met dezelfde weging als de gemiddelden). Twee of "
            "meer zulke dimensies: voldaan; \xc3\xa9\xc3\xa9n: deels voldaan; geen: niet "
            "voldaan.",
            k, lb_diagnose_unit_noun(dx->s, 1));
    case 1:
        return lb_core_strfmt(
            "(2) Risico op afglijden naar het niveau van de aandachtswijken: de wijk is dichtbij "
            "als haar totaalscore hoogstens %s boven het gemiddelde van de "
            "aandachtswijken ligt (of eronder); zonder opgegeven aandachtswijken geldt klasse "
            "'zwak' of lager als benadering. De richting is de ontwikkelingsklasse van de "
            "verandering van de totaalscore in de meest recente periode; elke klasse onder 'geen "
            "verandering' is achteruitgang. Dichtbij "
            "\xc3\xa9n achteruit: voldaan; \xc3\xa9\xc3\xa9n van beide: deels voldaan; geen van "
            "beide: niet voldaan. Met \xc3\xa9\xc3\xa9n jaar is de richting onbekend en geeft "
            "dichtbij deels voldaan.",
            d);
    case 2:
        return lb_core_strfmt(
            "(3) Omvang: minstens ongeveer %s inwoners (het aantal inwoners van de %s van de "
            "wijk met een score, in het laatste jaar): voldaan; minder: niet voldaan (een "
            "aanvraag vraagt dan een onderbouwing). Hebben de scores geen inwonersaantallen als "
            "gewicht, dan is de omvang onbekend.",
            m, lb_diagnose_unit_noun(dx->s, 1));
    case 3:
        return lb_core_strfmt(
            "Oordeel: sterke aanwijzing als (1), (2) en (3) alle drie voldaan zijn; mogelijke "
            "aanwijzing als dat niet zo is maar (1) of (2) voldaan is, of (1) en (2) beide deels "
            "voldaan zijn; anders geen aanwijzing.");
    case 4:
        return lb_core_strfmt(
            "Grondslag: de brief van de minister voor Wonen, Wijken en Integratie "
            "van 5 november 2008 over het preventiebudget (substanti\xc3\xab"
            "le en cumulatieve problemen op meerdere terreinen, risico op "
            "afglijden naar het niveau van de aandachtswijken, omvang van "
            "ongeveer 2.500 inwoners of meer). %s",
            lb_diagnose_disclaimer);
    default:
        return NULL;
    }
}
