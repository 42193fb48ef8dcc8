/* SPDX-License-Identifier: MIT */
/* Model accessors: names, dimensions, one-line indicator descriptions, inputs; destruction. */
#include "model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double lb_default_thresholds[LB_N_THRESHOLDS] = {3.46,   3.557,  3.6955, 3.8971,
                                                       3.9972, 4.1924, 4.3044, 4.3926};
const char *const lb_default_class_labels[LB_N_CLASSES] = {
    "zeer onvoldoende", "ruim onvoldoende", "onvoldoende", "zwak",
    "voldoende",        "ruim voldoende",   "goed",        "zeer goed",
    "uitstekend"};
const char *const lb_default_class_colours[LB_N_CLASSES] = {"#730000", "#e50000", "#e1702e",
                                                            "#ffffbe", "#d3ffbe", "#93e667",
                                                            "#55be00", "#267300", "#2d4900"};

/* Development: the Leefbaarometer's seven classes; the nine-class variant extends the equal
 * steps of 0.0666 by one more on each side. Colours: a diverging red → grey → green palette
 * (ColorBrewer RdBu reds, a neutral grey, PRGn greens) so decline reads as warm and growth as
 * green, like the class map. */
static const double dev_cuts7[6] = {-0.20, -0.1333, -0.0666, 0.0666, 0.1333, 0.20};
static const char *const dev_labels7[7] = {"sterk achteruit",  "achteruit",     "licht achteruit",
                                           "geen verandering", "licht vooruit", "vooruit",
                                           "sterk vooruit"};
static const char *const dev_colours7[7] = {"#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9",
                                            "#d9f0d3", "#7fbf7b", "#1b7837"};
static const double dev_cuts9[8] = {-0.2666, -0.20, -0.1333, -0.0666, 0.0666, 0.1333, 0.20, 0.2666};
static const char *const dev_labels9[9] = {
    "zeer sterk achteruit", "sterk achteruit", "achteruit", "licht achteruit",
    "geen verandering",     "licht vooruit",   "vooruit",   "sterk vooruit",
    "zeer sterk vooruit"};
static const char *const dev_colours9[9] = {"#67001f", "#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9",
                                            "#d9f0d3", "#7fbf7b", "#1b7837", "#00441b"};

int lb_dev_table_default(size_t n_classes, lb_dev_table *out)
{
    if (n_classes == 7)
        *out = (lb_dev_table){6, dev_cuts7, dev_labels7, dev_colours7};
    else if (n_classes == 9)
        *out = (lb_dev_table){8, dev_cuts9, dev_labels9, dev_colours9};
    else
        return -1;
    return 0;
}

const char *lb_kind_name(lb_kind k)
{
    static const char *const names[] = {
        [LB_KIND_ATTRIBUTE] = "attribute",       [LB_KIND_RATIO] = "ratio",
        [LB_KIND_COUNT_WITHIN] = "count_within", [LB_KIND_NEAREST_DISTANCE] = "nearest_distance",
        [LB_KIND_SHARE_WITHIN] = "share_within", [LB_KIND_RASTER_MEAN] = "raster_mean",
        [LB_KIND_DENSITY] = "density",
    };
    if ((unsigned)k < sizeof(names) / sizeof(names[0]))
        return names[k];
    return "unknown";
}

void lb_model_destroy(lb_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_inputs; i++)
        free(m->inputs[i]);
    free(m->inputs);
    for (size_t i = 0; i < LB_MAX_DEV_CLASSES; i++) {
        free(m->dev_labels[i]);
        free(m->dev_colours[i]);
    }
    for (size_t i = 0; i < LB_N_CLASSES; i++) {
        free(m->class_colours[i]);
        free(m->class_labels[i]);
    }
    for (size_t i = 0; i < m->n_ind; i++) {
        lb_indicator *ind = &m->ind[i];
        free(ind->missing_codes);
        free(ind->tf.values);
        free(ind->tf.breaks);
        free(ind->filter);
        free(ind->denominator);
        free(ind->numerator);
        free(ind->value);
        free(ind->field);
        free(ind->layer);
        free(ind->why);
        free(ind->unit);
        free(ind->dimension);
        free(ind->label);
        free(ind->id);
    }
    free(m->ind);
    for (size_t i = 0; i < m->n_dims; i++) {
        free(m->dims[i].label);
        free(m->dims[i].code);
    }
    free(m->dims);
    free(m->weight_field);
    free(m->weight_layer);
    free(m->weight_name);
    free(m->means);
    lb_model_node_clear(m->calibration);
    free(m->calibration);
    free(m->description);
    free(m->name);
    free(m->path);
    free(m);
}

const char *lb_model_name(const lb_model *m)
{
    return m ? m->name : NULL;
}

int lb_model_version(const lb_model *m)
{
    return m ? m->version : 0;
}

const char *lb_model_hash(const lb_model *m)
{
    return m ? m->hash : NULL;
}

size_t lb_model_dimension_count(const lb_model *m)
{
    return m ? m->n_dims : 0;
}

const char *lb_model_dimension_code(const lb_model *m, size_t i)
{
    return m && i < m->n_dims ? m->dims[i].code : NULL;
}

const char *lb_model_dimension_label(const lb_model *m, size_t i)
{
    return m && i < m->n_dims ? m->dims[i].label : NULL;
}

size_t lb_model_indicator_count(const lb_model *m)
{
    return m ? m->n_ind : 0;
}

size_t lb_model_input_count(const lb_model *m)
{
    return m ? m->n_inputs : 0;
}

const char *lb_model_input_name(const lb_model *m, size_t i)
{
    return m && i < m->n_inputs ? m->inputs[i] : NULL;
}

/* Appends to a fixed buffer; output past the end is dropped, the buffer stays terminated. */
typedef struct outbuf {
    char *buf;
    size_t size;
    size_t used;
} outbuf;

static void put(outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(outbuf *o, const char *fmt, ...)
{
    if (o->used + 1 >= o->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(o->buf + o->used, o->size - o->used, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    o->used += (size_t)w;
    if (o->used >= o->size)
        o->used = o->size - 1;
}

static void put_kind(outbuf *o, const lb_model *m, const lb_indicator *ind)
{
    put(o, "%s(%s", lb_kind_name(ind->kind), ind->layer);
    switch (ind->kind) {
    case LB_KIND_ATTRIBUTE:
        put(o, ": %s%s", ind->field, ind->extensive ? ", extensive" : "");
        break;
    case LB_KIND_RATIO:
        put(o, ": %s/%s", ind->numerator, ind->denominator);
        break;
    case LB_KIND_COUNT_WITHIN:
        put(o, ", r %g m", ind->radius_m);
        if (ind->per > 0.0)
            put(o, ", per %g %s", ind->per, m->weight_name);
        break;
    case LB_KIND_NEAREST_DISTANCE:
        put(o, ", cap %g m", ind->cap_m);
        break;
    case LB_KIND_SHARE_WITHIN:
        if (ind->field)
            put(o, ": %s = %s", ind->field, ind->value);
        put(o, ", r %g m", ind->radius_m);
        if (ind->band != 1)
            put(o, ", band %d", ind->band);
        if (ind->resampling == LB_RESAMPLE_NEAREST)
            put(o, ", nearest");
        break;
    case LB_KIND_RASTER_MEAN:
        put(o, ", band %d", ind->band);
        if (ind->resampling == LB_RESAMPLE_NEAREST)
            put(o, ", nearest");
        break;
    case LB_KIND_DENSITY:
        if (ind->field)
            put(o, ": sum %s", ind->field);
        put(o, ", r %g m", ind->radius_m);
        break;
    }
    if (ind->filter)
        put(o, ", where %s", ind->filter);
    put(o, ")");
}

/* Transform steps joined by '+' in the order they are applied (model.h). */
static void put_transform(outbuf *o, const lb_transform *tf)
{
    const char *sep = "";
    if (tf->has_cap) {
        put(o, "cap[%g,%g]", tf->cap_lo, tf->cap_hi);
        sep = "+";
    }
    if (tf->log1p) {
        put(o, "%slog1p", sep);
        sep = "+";
    }
    if (tf->n_pieces) {
        put(o, "%spiecewise(%zu)", sep, tf->n_pieces);
        sep = "+";
    }
    if (tf->has_dummy) {
        put(o, "%sdummy%s%g", sep, tf->dummy_above ? ">=" : "<=", tf->dummy_threshold);
        sep = "+";
    }
    if (tf->zscore) {
        put(o, "%szscore", sep);
        sep = "+";
    }
    if (!*sep)
        put(o, "identity");
}

void lb_model_indicator_describe(const lb_model *m, size_t i, char *buf, size_t size)
{
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    if (!m || i >= m->n_ind)
        return;
    const lb_indicator *ind = &m->ind[i];
    outbuf o = {buf, size, 0};
    put(&o, "%s  %s  ", ind->id, m->dims[ind->dim].code);
    put_kind(&o, m, ind);
    put(&o, "  ");
    put_transform(&o, &ind->tf);
    for (size_t k = 0; k < ind->n_missing_codes; k++)
        put(&o, "%s%.15g", k ? "," : "  missing ", ind->missing_codes[k]);
    if (ind->has_valid)
        put(&o, "  valid [%g,%g]", ind->valid_lo, ind->valid_hi);
    /* three decimals as coefficients are usually written; more only when they matter */
    double milli = ind->coef * 1000;
    if (fabs(milli - round(milli)) < 1e-9 * fmax(1, fabs(milli)))
        put(&o, "  coef %.3f", ind->coef);
    else
        put(&o, "  coef %.6g", ind->coef);
    if (ind->unit)
        put(&o, "  unit \"%s\"", ind->unit);
}

void lb_model_node_clear(lb_model_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        lb_model_node_clear(&n->kids[i]);
    free(n->kids);
    free(n->key);
    free(n->text);
    memset(n, 0, sizeof(*n));
}
