/* SPDX-License-Identifier: MIT */
/* QGIS styles of zones.gpkg, with the categories its rows hold (ring widths are options, so the
 * ring names are read from the rows, not assumed). */
#include "zones_style.h"

#include "../core/ctx.h"
#include "../io/style.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CATS = 64 };

/* Sequential oranges from the focus area outwards (nearest darkest), then grey for what lies
 * beyond every ring. */
static const char *const near_to_far[] = {"#b30000", "#e34a33", "#fc8d59", "#fdbb84",
                                          "#fdd49e", "#fee8c8", "#fff7ec"};
#define N_NEAR (sizeof(near_to_far) / sizeof(near_to_far[0]))
static const char *const grey = "#bdbdbd";

typedef struct cats {
    size_t n;
    char value[MAX_CATS][48];
    char label[MAX_CATS][96];
    double key[MAX_CATS]; /* sort key */
    const char *values[MAX_CATS], *labels[MAX_CATS], *colours[MAX_CATS];
} cats;

static int has_value(const cats *c, const char *v)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->value[i], v) == 0)
            return 1;
    return 0;
}

/* Insert keeping the categories ordered by key. */
static void add_cat(cats *c, const char *v, const char *label, double key)
{
    if (c->n >= MAX_CATS || has_value(c, v))
        return;
    size_t at = c->n;
    while (at > 0 && c->key[at - 1] > key)
        at--;
    memmove(c->value[at + 1], c->value[at], (c->n - at) * sizeof(c->value[0]));
    memmove(c->label[at + 1], c->label[at], (c->n - at) * sizeof(c->label[0]));
    memmove(c->key + at + 1, c->key + at, (c->n - at) * sizeof(c->key[0]));
    snprintf(c->value[at], sizeof(c->value[at]), "%s", v);
    snprintf(c->label[at], sizeof(c->label[at]), "%s", label);
    c->key[at] = key;
    c->n++;
}

/* Colours by rank (the last one grey when @p last_grey), pointers for the class table. */
static void finish(cats *c, int last_grey)
{
    for (size_t i = 0; i < c->n; i++) {
        c->values[i] = c->value[i];
        c->labels[i] = c->label[i];
        size_t k = c->n > 1 ? i * (N_NEAR - 1) / (c->n - 1) : 0;
        c->colours[i] = near_to_far[k < N_NEAR ? k : N_NEAR - 1];
    }
    if (last_grey && c->n)
        c->colours[c->n - 1] = grey;
}

static void ring_cats(const lb_column *col, size_t n, cats *c)
{
    int beyond = 0;
    for (size_t i = 0; col && i < n; i++) {
        const char *v = col->text[i];
        double lo, hi;
        char label[96];
        if (!v)
            continue;
        if (strcmp(v, "beyond") == 0) {
            beyond = 1;
        } else if (sscanf(v, "ring_%lf_%lf", &lo, &hi) == 2) {
            snprintf(label, sizeof(label), "%g tot %g m van de focuswijk", lo, hi);
            add_cat(c, v, label, lo);
        } else {
            add_cat(c, v, v, HUGE_VAL / 2);
        }
    }
    int grey_last = beyond;
    if (beyond)
        add_cat(c, "beyond", "buiten alle ringen", HUGE_VAL);
    finish(c, grey_last);
}

static void order_cats(const lb_column *col, size_t n, cats *c)
{
    for (size_t i = 0; col && i < n; i++) {
        int64_t v = col->integer[i];
        if (v == LB_INT_NULL)
            continue;
        char value[32], label[96];
        snprintf(value, sizeof(value), "%lld", (long long)v);
        snprintf(label, sizeof(label),
                 v == 1 ? "orde 1: grenst aan de focuswijk" : "orde %lld: grenst aan orde %lld",
                 (long long)v, (long long)v - 1);
        add_cat(c, value, label, (double)v);
    }
    finish(c, 0);
}

static void rigo_cats(const lb_column *col, size_t n, cats *c)
{
    static const char *const names[3][2] = {{"rigo_adjacent", "aangrenzend"},
                                            {"rigo_city", "rest van de gemeente"},
                                            {"rigo_region", "rest van de regio"}};
    for (size_t i = 0; col && i < n; i++) {
        const char *v = col->text[i];
        if (!v)
            continue;
        size_t k = 0;
        while (k < 3 && strcmp(v, names[k][0]) != 0)
            k++;
        add_cat(c, v, k < 3 ? names[k][1] : v, (double)k);
    }
    finish(c, 0);
}

void lb_waterbed_ring_legend(const char *const *rings, size_t n,
                             void (*emit)(void *user, const char *value, const char *label,
                                          const char *colour),
                             void *user)
{
    cats *c = calloc(1, sizeof(*c));
    lb_column col = {.name = "ring", .type = LB_COL_TEXT, .text = (char **)rings};
    if (!c)
        return;
    ring_cats(&col, n, c);
    for (size_t i = 0; i < c->n; i++)
        emit(user, c->values[i], c->labels[i], c->colours[i]);
    free(c);
}

lb_status lb_waterbed_style_zones(lb_ctx *ctx, const char *gpkg, const lb_table *units)
{
    static const char *const field[3] = {"ring", "adj_order", "rigo"};
    static const char *const desc[3] = {
        "leefbaar: afstandsring rond de dichtstbijzijnde focuswijk (ring)",
        "leefbaar: buurorde vanaf de focuswijk (adj_order)", "leefbaar: RIGO-zone (rigo)"};
    void (*const make[3])(const lb_column *, size_t, cats *) = {ring_cats, order_cats, rigo_cats};
    cats *c = malloc(sizeof(*c));
    lb_status st = c ? LB_OK : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    for (int s = 0; st == LB_OK && s < 3; s++) {
        memset(c, 0, sizeof(*c));
        make[s](lb_table_col(units, field[s]), units->n_rows, c);
        if (c->n == 0)
            continue; /* no unit in any category of this scheme */
        const lb_class_table ct = {c->n, c->labels, c->colours, NULL, NULL};
        const lb_style style = {.kind = LB_STYLE_VECTOR_CLASSES,
                                .classes = &ct,
                                .field = field[s],
                                .outline = 1,
                                .values = c->values};
        st = lb_io_gpkg_add_style(ctx, gpkg, "units", &style, field[s], desc[s], s == 0);
    }
    static const char *const focus_colour[1] = {"#000000"};
    static const char *const focus_label[1] = {"focuswijk"};
    const lb_class_table ft = {1, focus_label, focus_colour, NULL, NULL};
    const lb_style fs = {.kind = LB_STYLE_VECTOR_OUTLINE, .classes = &ft};
    if (st == LB_OK)
        st = lb_io_gpkg_add_style(ctx, gpkg, "focus", &fs, "focus", "leefbaar: focuswijken", 1);
    free(c);
    return st;
}
