/* SPDX-License-Identifier: MIT */
/* Made-up Dutch-sounding names for wijken, buurten and amenities (const tables, seeded picks). */
#include "synth.h"

#include <stdio.h>
#include <string.h>

static const char *const wijk_names[SY_N_WIJKEN] = {
    "Centrum",   "Vlietzoom",    "Hazelaarveld", "Oosterbroek", "Kraaienhorst",
    "De Wielen", "Zuiderpolder", "Westerkade",   "Molenakker",  "Noorderhaven"};

static const char *const buurt_prefix[] = {
    "Berken",   "Eiken",     "Linden",     "Wilgen",     "Beuken",    "Iepen",    "Essen",
    "Populier", "Kastanje",  "Hazelaar",   "Vlier",      "Meidoorn",  "Lijster",  "Merel",
    "Reiger",   "Zwaluw",    "Kievit",     "Vinken",     "Spreeuw",   "Roerdomp", "Ooievaar",
    "Fazant",   "Tulpen",    "Narcis",     "Krokus",     "Lelie",     "Anjer",    "Seringen",
    "Heide",    "Klaver",    "Boterbloem", "Zonnebloem", "Rembrandt", "Vermeer",  "Mesdag",
    "Breitner", "Mondriaan", "Escher",     "Sweelinck",  "Huygens",   "Erasmus",  "Spinoza",
    "Molen",    "Sluis",     "Dijk",       "Polder",     "Gracht",    "Haven",    "Kade",
    "Akker",    "Beemd",     "Donk",       "Horst",      "Laak",      "Rijn",     "Vaart",
    "Wetering", "Zijl",      "Kerk",       "Burcht",     "Hoeve",     "Schans",   "Veste",
    "Poort",    "Wal",       "Brink",      "Esch",       "Kamp"};

static const char *const buurt_suffix[] = {"hof",   "kwartier", "park",  "veld", "hoek",
                                           "buurt", "laan",     "weide", "rijk", "oord"};

static const char *const supermarkets[] = {"Buurtsuper", "Dagmarkt", "Versmarkt", "Korfje",
                                           "Spaarhuis"};
static const char *const surnames[] = {
    "De Vries",       "Jansen",   "Bakker", "Visser",   "Smit",      "Meijer",       "De Boer",
    "Mulder",         "De Groot", "Bos",    "Vos",      "Peters",    "Hendriks",     "Van Leeuwen",
    "Dekker",         "Brouwer",  "De Wit", "Dijkstra", "Smits",     "De Graaf",     "Van der Meer",
    "Van der Linden", "Kok",      "Jacobs", "De Haan",  "Vermeulen", "Van den Berg", "Schouten"};
static const char *const schools[] = {"De Regenboog",   "De Fontein",     "'t Klimrek",
                                      "De Zonnewijzer", "De Vlieger",     "Het Kompas",
                                      "De Wegwijzer",   "De Springplank", "De Horizon",
                                      "Het Palet",      "De Bolster",     "De Toermalijn"};
static const char *const sports[] = {"Sporthal", "Sportpark", "Zwembad", "Gymzaal", "Tennispark"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *sy_wijk_name(size_t i)
{
    return i < SY_N_WIJKEN ? wijk_names[i] : "?";
}

sy_status sy_names_assign(sy_ctx *ctx, sy_city *city)
{
    enum { NP = COUNT(buurt_prefix) };
    size_t perm[NP];
    if (city->n_buurten > NP)
        return sy_fail(ctx, SY_ERR_DATA, "more buurten (%zu) than buurt names (%d)",
                       city->n_buurten, (int)NP);
    gsl_rng *r = sy_rng_new(ctx, SY_STREAM_NAMES, 0);
    if (!r)
        return sy_fail(ctx, SY_ERR_NOMEM, "cannot allocate a random generator");
    for (size_t i = 0; i < NP; i++)
        perm[i] = i;
    for (size_t i = NP - 1; i > 0; i--) {
        size_t j = (size_t)gsl_rng_uniform_int(r, i + 1);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t b = 0; b < city->n_buurten; b++) {
        const char *suf = buurt_suffix[gsl_rng_uniform_int(r, COUNT(buurt_suffix))];
        snprintf(city->buurten[b].name, sizeof(city->buurten[b].name), "%s%s",
                 buurt_prefix[perm[b]], suf);
    }
    gsl_rng_free(r);
    return SY_OK;
}

/* The first word of a buurt name (its prefix), used to name amenities after their buurt. */
static void buurt_stem(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    for (size_t i = 0; i < COUNT(buurt_suffix); i++) {
        size_t ln = strlen(out), ls = strlen(buurt_suffix[i]);
        if (ln > ls && strcmp(out + ln - ls, buurt_suffix[i]) == 0) {
            out[ln - ls] = '\0';
            return;
        }
    }
}

void sy_amenity_name(gsl_rng *r, const sy_city *city, int cat, int buurt, char *buf, size_t size)
{
    const sy_buurt *b = &city->buurten[buurt];
    char stem[64];
    buurt_stem(b->name, stem, sizeof(stem));
    switch (cat) {
    case 0:
        snprintf(buf, size, "%s %s", supermarkets[gsl_rng_uniform_int(r, COUNT(supermarkets))],
                 b->name);
        break;
    case 1:
        snprintf(buf, size, "Huisartsenpraktijk %s",
                 surnames[gsl_rng_uniform_int(r, COUNT(surnames))]);
        break;
    case 2:
        snprintf(buf, size, "Basisschool %s", schools[gsl_rng_uniform_int(r, COUNT(schools))]);
        break;
    case 3:
        snprintf(buf, size, "Bibliotheek %s", city->wijken[b->wijk].name);
        break;
    case 4:
        snprintf(buf, size, "%s %s", sports[gsl_rng_uniform_int(r, COUNT(sports))], stem);
        break;
    default:
        snprintf(buf, size, "Station %s", SY_GM_NAAM);
        break;
    }
}
