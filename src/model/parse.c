/* SPDX-License-Identifier: MIT */
/* Model files: YAML (libyaml document API) into a validated lb_model with defaults filled in.
 * Every error names "<file>:<line>:<column>" (1-based) of the offending node. */
#include "model.h"

#include "../core/ctx.h"
#include "../core/sha256.h"
#include "../data/table.h"

#include <yaml.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The largest |coef| a model may give. Scores live within a few units of REF and the default
 * model's coefficients are of order 0.01-0.1; even an indicator in raw units of 1e-6 (a share
 * of a share) needs far less than 1e6 to move a score by 1. A bound this loose refuses only
 * typing accidents such as 1e308, which overflow every score to infinity or NaN. */
#define LB_MAX_COEF 1e6

/* The longest `unit:` in characters: a unit is a short label beside a number in a table cell
 * ("aantal binnen 500 m", "× € 1.000"); a longer text belongs in `label` or `why`. */
#define LB_MAX_UNIT_CHARS 40

/* Columns of a units table that do not depend on the model (see parse_indicators). */
#define LB_MODEL_FIXED_COLUMNS 12

enum { WHERE_SIZE = 320, LIST_SIZE = 512, NUM_TEXT = 64 };

typedef struct parser {
    lb_ctx *ctx;
    const char *path;
    yaml_document_t *doc;
    lb_model *m;
    /* Open-addressing set of the indicator ids read so far: slot holds index + 1, 0 = empty.
     * A hash set rather than a scan of the earlier ids: the scan made a model of 110,000
     * indicators take minutes to check. n_id_slots is a power of two, at least 2 n_ind. */
    size_t *id_slot;
    size_t n_id_slots;
} parser;

/* One key of a mapping as read by read_map(): val is NULL when the key is absent or its value
 * is null (null means "use the default" everywhere except in cap ends). */
typedef struct field {
    const char *name;
    yaml_node_t *key;
    yaml_node_t *val;
} field;

/* ---- tables ------------------------------------------------------------------------------ */

enum top_key {
    T_NAME,
    T_VERSION,
    T_DESCRIPTION,
    T_REFERENCE,
    T_WEIGHT,
    T_GRID,
    T_MISSING,
    T_DIMENSIONS,
    T_INDICATORS,
    T_CLASSES,
    T_DEVELOPMENT,
    T_CALIBRATION,
    T_N
};
static const char *const top_keys[T_N] = {
    "name",    "version",    "description", "reference", "weight",      "grid",
    "missing", "dimensions", "indicators",  "classes",   "development", "calibration",
};

enum ref_key { R_MODE, R_YEAR, R_REF, R_MEANS, R_N };
static const char *const ref_keys[R_N] = {"mode", "year", "ref", "means"};
static const char *const ref_modes[] = {"per_year", "fixed"}; /* order of lb_ref_mode */

enum weight_key { W_KIND, W_LAYER, W_FIELD, W_N };
static const char *const weight_keys[W_N] = {"kind", "layer", "field"};
/* "area": no population data; a cell weighs the share of its area inside the weight layer. */
static const char *const weight_kinds[] = {"inhabitants", "dwellings", "area"};
static const char *const weight_fields[] = {"AANT_INW", "WONINGEN", NULL};

enum grid_key { G_CELL_M, G_MIN_WEIGHT, G_N };
static const char *const grid_keys[G_N] = {"cell_m", "min_weight"};

static const char *const missing_rules[] = {"impute", "drop"}; /* order of lb_missing_rule */

enum dim_key { D_CODE, D_LABEL, D_BANDS, D_N };
static const char *const dim_keys[D_N] = {"code", "label", "bands"};

/* Kind parameters first (their bit in kind_spec is 1 << index), then the common keys. */
enum ind_key {
    I_FIELD,
    I_VALUE,
    I_NUMERATOR,
    I_DENOMINATOR,
    I_FILTER,
    I_RADIUS_M,
    I_CAP_M,
    I_BAND,
    I_EXTENSIVE,
    I_PER,
    I_RESAMPLING,
    I_N_PARAMS,
    I_ID = I_N_PARAMS,
    I_LABEL,
    I_DIMENSION,
    I_KIND,
    I_LAYER,
    I_TRANSFORM,
    I_COEF,
    I_WHY,
    I_MISSING_CODES,
    I_VALID,
    I_SIGN,
    I_UNIT,
    I_N
};
static const char *const ind_keys[I_N] = {
    "field", "value",         "numerator", "denominator", "filter",     "radius_m",
    "cap_m", "band",          "extensive", "per",         "resampling", "id",
    "label", "dimension",     "kind",      "layer",       "transform",  "coef",
    "why",   "missing_codes", "valid",     "sign",        "unit",
};
static const char *const resamplings[] = {"bilinear", "nearest"}; /* order of lb_resampling */

/* Which parameters each kind takes and requires (names: lb_kind_name). */
#define P(k) (1u << (k))
static const struct kind_spec {
    unsigned allowed;
    unsigned required;
} kinds[] = {
    [LB_KIND_ATTRIBUTE] = {P(I_FIELD) | P(I_EXTENSIVE), P(I_FIELD)},
    [LB_KIND_RATIO] = {P(I_NUMERATOR) | P(I_DENOMINATOR), P(I_NUMERATOR) | P(I_DENOMINATOR)},
    [LB_KIND_COUNT_WITHIN] = {P(I_RADIUS_M) | P(I_FILTER) | P(I_PER), P(I_RADIUS_M)},
    [LB_KIND_NEAREST_DISTANCE] = {P(I_CAP_M) | P(I_FILTER), 0},
    [LB_KIND_SHARE_WITHIN] = {P(I_RADIUS_M) | P(I_FIELD) | P(I_VALUE) | P(I_FILTER) | P(I_BAND) |
                                  P(I_RESAMPLING),
                              P(I_RADIUS_M)},
    [LB_KIND_RASTER_MEAN] = {P(I_BAND) | P(I_RESAMPLING), 0},
    [LB_KIND_DENSITY] = {P(I_RADIUS_M) | P(I_FIELD) | P(I_FILTER), P(I_RADIUS_M)},
};
#undef P

enum tf_key { X_CAP, X_LOG1P, X_PIECEWISE, X_DUMMY, X_ZSCORE, X_N };
static const char *const tf_keys[X_N] = {"cap", "log1p", "piecewise", "dummy", "zscore"};
static const char *const tf_scalars[] = {"identity", "log1p", "zscore"};

enum pw_key { PW_BREAKS, PW_VALUES, PW_N };
static const char *const pw_keys[PW_N] = {"breaks", "values"};
enum dummy_key { DU_THRESHOLD, DU_ABOVE, DU_N };
static const char *const dummy_keys[DU_N] = {"threshold", "above"};

enum class_key { C_THRESHOLDS, C_LABELS, C_COLOURS, C_N };
static const char *const class_keys[C_N] = {"thresholds", "labels", "colours"};
/* The default tables live in model.c (lb_default_*, lb_dev_table_default). */

enum dev_key { V_CUTS, V_LABELS, V_COLOURS, V_N };
static const char *const dev_keys[V_N] = {"cuts", "labels", "colours"};

/* ---- errors and node helpers --------------------------------------------------------------- */

static lb_status fail(parser *p, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static lb_status fail(parser *p, const yaml_node_t *at, const char *fmt, ...)
{
    char what[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return lb_ctx_error(p->ctx, LB_ERR_MODEL, "%s:%zu:%zu: %s", p->path, at->start_mark.line + 1,
                        at->start_mark.column + 1, what);
}

static lb_status nomem(parser *p)
{
    return lb_ctx_error(p->ctx, LB_ERR_NOMEM, "%s: out of memory", p->path);
}

static yaml_node_t *node_at(parser *p, int index)
{
    return yaml_document_get_node(p->doc, index);
}

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* YAML 1.2 core schema nulls; only unquoted scalars. */
static int is_null(const yaml_node_t *n)
{
    if (!is_plain(n))
        return 0;
    const char *s = text(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *type_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        return is_null(n) ? "null" : "a scalar";
    case YAML_NO_NODE:
        break;
    }
    return "nothing";
}

/* "a, b, c" into buf (truncated with "..." when it does not fit). */
static const char *join(const char *const *v, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", v[i]);
        if (w < 0 || (size_t)w >= size - used) {
            if (size >= 4)
                memcpy(buf + size - 4, "...", 4);
            break;
        }
        used += (size_t)w;
    }
    return buf;
}

static const char *join_dims(const lb_model *m, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->n_dims && m->dims[i].code; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", m->dims[i].code);
        if (w < 0 || (size_t)w >= size - used) {
            if (size >= 4)
                memcpy(buf + size - 4, "...", 4);
            break;
        }
        used += (size_t)w;
    }
    return buf;
}

static int lookup(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, names[i]))
            return (int)i;
    return -1;
}

/* Identifiers (dimension codes, indicator ids): [a-z0-9_]+. */
static int is_ident(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* The identifier written under @p key in mapping @p map, or NULL: names an entry in messages
 * about its other keys before the entry itself is read. */
static const char *peek_ident(parser *p, const yaml_node_t *map, const char *key)
{
    if (map->type != YAML_MAPPING_NODE)
        return NULL;
    const char *found = NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node_at(p, pr->key), *v = node_at(p, pr->value);
        if (k->type == YAML_SCALAR_NODE && !strcmp(text(k), key) && v->type == YAML_SCALAR_NODE &&
            is_ident(text(v)))
            found = text(v);
    }
    return found;
}

/* Read mapping @p n whose allowed keys are @p keys into @p out (indexed like @p keys).
 * @p name says what the mapping is ("reference"), @p where where a key is ("in reference"). */
static lb_status read_map(parser *p, yaml_node_t *n, const char *name, const char *where,
                          const char *const *keys, size_t n_keys, field *out)
{
    for (size_t i = 0; i < n_keys; i++)
        out[i] = (field){keys[i], NULL, NULL};
    if (n->type != YAML_MAPPING_NODE)
        return fail(p, n, "%s must be a mapping, got %s", name, type_name(n));
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node_at(p, pr->key);
        yaml_node_t *v = node_at(p, pr->value);
        if (k->type != YAML_SCALAR_NODE)
            return fail(p, k, "keys must be plain words %s, got %s", where, type_name(k));
        int idx = lookup(text(k), keys, n_keys);
        if (idx < 0) {
            char list[LIST_SIZE];
            return fail(p, k, "unknown key '%s' %s (keys: %s)", text(k), where,
                        join(keys, n_keys, list, sizeof(list)));
        }
        if (out[idx].key)
            return fail(p, k, "duplicate key '%s' %s (first at line %zu)", text(k), where,
                        out[idx].key->start_mark.line + 1);
        out[idx].key = k;
        out[idx].val = is_null(v) ? NULL : v;
    }
    return LB_OK;
}

/* A required key: absent or null is an error at the key (when written) or at the mapping. */
static lb_status need(parser *p, const field *f, const yaml_node_t *map, const char *where)
{
    if (f->val)
        return LB_OK;
    if (f->key)
        return fail(p, f->key, "'%s' %s has no value (required)", f->name, where);
    return fail(p, map, "missing required key '%s' %s", f->name, where);
}

static lb_status scalar_text(parser *p, const yaml_node_t *v, const char *name, const char *where,
                             const char *what)
{
    if (v->type != YAML_SCALAR_NODE)
        return fail(p, v, "'%s' %s must be %s, got %s", name, where, what, type_name(v));
    if (strlen(text(v)) != v->data.scalar.length)
        return fail(p, v, "'%s' %s contains a NUL character", name, where);
    return LB_OK;
}

/* A string value (any scalar, kept as written). */
static lb_status node_str(parser *p, const yaml_node_t *v, const char *name, const char *where,
                          char **out)
{
    lb_status st = scalar_text(p, v, name, where, "a string");
    if (st)
        return st;
    if (!*text(v))
        return fail(p, v, "'%s' %s must not be empty", name, where);
    char *s = lb_core_strdup(text(v));
    if (!s)
        return nomem(p);
    free(*out);
    *out = s;
    return LB_OK;
}

static lb_status get_str(parser *p, const field *f, const char *where, char **out)
{
    return f->val ? node_str(p, f->val, f->name, where, out) : LB_OK;
}

/* Decimal text of a YAML number: [+-]digits[.digits][(e|E)[+-]digits], at least one digit in
 * the mantissa. Anything else (trailing garbage, hex, "inf", "nan", "1_000") is rejected before
 * strtod, which alone would accept too much. */
static int number_grammar(const char *s)
{
    const char *q = s;
    size_t digits = 0;
    if (*q == '+' || *q == '-')
        q++;
    for (; isdigit((unsigned char)*q); q++)
        digits++;
    if (*q == '.')
        for (q++; isdigit((unsigned char)*q); q++)
            digits++;
    if (!digits)
        return 0;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!isdigit((unsigned char)*q))
            return 0;
        while (isdigit((unsigned char)*q))
            q++;
    }
    return *q == '\0';
}

/* Convert validated decimal text; the decimal point in the file is always '.', whatever
 * LC_NUMERIC the host program has set. Returns 0 when out of range. */
static int to_double(const char *s, double *out)
{
    char buf[NUM_TEXT * 2];
    const char *dp = localeconv()->decimal_point;
    if (dp && strcmp(dp, ".") != 0 && strlen(s) < NUM_TEXT && strlen(dp) < NUM_TEXT / 8) {
        size_t o = 0;
        for (const char *q = s; *q; q++) {
            if (*q == '.') {
                memcpy(buf + o, dp, strlen(dp));
                o += strlen(dp);
            } else {
                buf[o++] = *q;
            }
        }
        buf[o] = '\0';
        s = buf;
    }
    double v = strtod(s, NULL);
    if (!isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Characters of valid UTF-8 text @p s, or -1 when it is not valid UTF-8 (overlong forms,
 * surrogates and code points above U+10FFFF included) or holds a control character. */
static long utf8_chars(const char *s)
{
    const unsigned char *q = (const unsigned char *)s;
    long n = 0;
    while (*q) {
        unsigned c = *q, cp, need;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return -1;
            q++;
            n++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            cp = c & 0x1f;
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            cp = c & 0x0f;
            need = 2;
        } else if (c >= 0xf0 && c <= 0xf4) {
            cp = c & 0x07;
            need = 3;
        } else {
            return -1;
        }
        for (unsigned k = 1; k <= need; k++) {
            if ((q[k] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (q[k] & 0x3fu);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f))
            return -1;
        q += need + 1;
        n++;
    }
    return n;
}

/* `unit:` of an indicator: text (not a number, list or mapping), one line of valid UTF-8, at
 * most LB_MAX_UNIT_CHARS characters. Reports show it beside the indicator's values. */
static lb_status get_unit(parser *p, const yaml_node_t *v, const char *where, char **out)
{
    if (v->type != YAML_SCALAR_NODE)
        return fail(p, v, "'unit' %s must be text such as \"dB Lden\" or \"%%\", got %s", where,
                    type_name(v));
    const char *s = text(v);
    if (is_plain(v) && (number_grammar(s) || !strcmp(s, "true") || !strcmp(s, "false")))
        return fail(p, v,
                    "'unit' %s must be text such as \"dB Lden\" or \"%%\", got the %s '%s' "
                    "(quote it if it is meant as text)",
                    where, number_grammar(s) ? "number" : "boolean", s);
    if (strlen(s) != v->data.scalar.length)
        return fail(p, v, "'unit' %s contains a NUL character", where);
    long n = utf8_chars(s);
    if (n < 0)
        return fail(p, v,
                    "'unit' %s is not one line of valid UTF-8 text (a control character or a "
                    "broken byte sequence); write it as plain text",
                    where);
    if (n == 0)
        return fail(p, v, "'unit' %s must not be empty (leave the key out for no unit)", where);
    if (n > LB_MAX_UNIT_CHARS)
        return fail(p, v,
                    "'unit' %s has %ld characters, at most %d: a unit is a short label such as "
                    "\"aantal binnen 500 m\"; put longer text in 'label' or 'why'",
                    where, n, LB_MAX_UNIT_CHARS);
    char *c = lb_core_strdup(s);
    if (!c)
        return nomem(p);
    free(*out);
    *out = c;
    return LB_OK;
}

static lb_status node_num(parser *p, const yaml_node_t *v, const char *name, const char *where,
                          int allow_inf, double *out)
{
    lb_status st = scalar_text(p, v, name, where, "a number");
    if (st)
        return st;
    const char *s = text(v);
    if (!is_plain(v))
        return fail(p, v, "'%s' %s must be a number, got the quoted string '%s'", name, where, s);
    if (allow_inf) {
        const char *q = s + (*s == '+' || *s == '-');
        if (!strcmp(q, ".inf") || !strcmp(q, ".Inf") || !strcmp(q, ".INF")) {
            *out = *s == '-' ? -INFINITY : INFINITY;
            return LB_OK;
        }
    }
    if (!number_grammar(s))
        return fail(p, v, "'%s' %s must be a number, got '%s'", name, where, s);
    if (!to_double(s, out))
        return fail(p, v, "'%s' %s: number '%s' is out of range", name, where, s);
    return LB_OK;
}

static lb_status get_num(parser *p, const field *f, const char *where, double *out)
{
    return f->val ? node_num(p, f->val, f->name, where, 0, out) : LB_OK;
}

/* A number with a lower bound: strict (> lo) or not (>= lo). */
static lb_status get_num_min(parser *p, const field *f, const char *where, double lo, int strict,
                             double *out)
{
    if (!f->val)
        return LB_OK;
    double v;
    lb_status st = node_num(p, f->val, f->name, where, 0, &v);
    if (st)
        return st;
    if (strict ? !(v > lo) : !(v >= lo))
        return fail(p, f->val, "'%s' %s must be %s %g, got %s", f->name, where,
                    strict ? ">" : ">=", lo, text(f->val));
    *out = v;
    return LB_OK;
}

static lb_status get_int(parser *p, const field *f, const char *where, int lo, int *out)
{
    if (!f->val)
        return LB_OK;
    const yaml_node_t *v = f->val;
    lb_status st = scalar_text(p, v, f->name, where, "an integer");
    if (st)
        return st;
    const char *s = text(v);
    const char *q = s + (*s == '+' || *s == '-');
    int ok = is_plain(v) && *q;
    for (; ok && *q; q++)
        ok = isdigit((unsigned char)*q) != 0;
    if (!ok)
        return fail(p, v, "'%s' %s must be an integer, got '%s'", f->name, where, s);
    errno = 0;
    long l = strtol(s, NULL, 10);
    if (errno == ERANGE || l < lo || l > INT_MAX)
        return fail(p, v, "'%s' %s must be an integer >= %d, got %s", f->name, where, lo, s);
    *out = (int)l;
    return LB_OK;
}

static lb_status node_bool(parser *p, const yaml_node_t *v, const char *name, const char *where,
                           int *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO"};
    lb_status st = scalar_text(p, v, name, where, "true or false");
    if (st)
        return st;
    if (is_plain(v) && lookup(text(v), yes, COUNT(yes)) >= 0)
        *out = 1;
    else if (is_plain(v) && lookup(text(v), no, COUNT(no)) >= 0)
        *out = 0;
    else
        return fail(p, v, "'%s' %s must be true or false (or yes/no), got '%s'", name, where,
                    text(v));
    return LB_OK;
}

static lb_status get_bool(parser *p, const field *f, const char *where, int *out)
{
    return f->val ? node_bool(p, f->val, f->name, where, out) : LB_OK;
}

static lb_status node_enum(parser *p, const yaml_node_t *v, const char *name, const char *where,
                           const char *const *names, size_t n, int *out)
{
    lb_status st = scalar_text(p, v, name, where, "a word");
    if (st)
        return st;
    int idx = lookup(text(v), names, n);
    if (idx < 0) {
        char list[LIST_SIZE];
        return fail(p, v, "'%s' %s must be one of %s; got '%s'", name, where,
                    join(names, n, list, sizeof(list)), text(v));
    }
    *out = idx;
    return LB_OK;
}

static lb_status get_seq(parser *p, const yaml_node_t *v, const char *name, const char *where,
                         size_t *n)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(p, v, "'%s' %s must be a list, got %s", name, where, type_name(v));
    *n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    return LB_OK;
}

static yaml_node_t *item(parser *p, const yaml_node_t *seq, size_t i)
{
    return node_at(p, seq->data.sequence.items.start[i]);
}

/* A list of numbers of length in [lo, hi]; strictly ascending when @p ascending.
 * *out is malloc'd (caller frees) or NULL. */
static lb_status get_numbers(parser *p, const yaml_node_t *v, const char *name, const char *where,
                             size_t lo, size_t hi, int ascending, double **out, size_t *n_out)
{
    size_t n = 0;
    lb_status st = get_seq(p, v, name, where, &n);
    if (st)
        return st;
    if (n < lo || n > hi) {
        if (lo == hi)
            return fail(p, v, "'%s' %s must have exactly %zu numbers, got %zu", name, where, lo, n);
        if (hi == (size_t)-1)
            return fail(p, v, "'%s' %s must have at least %zu numbers, got %zu", name, where, lo,
                        n);
        return fail(p, v, "'%s' %s must have %zu to %zu numbers, got %zu", name, where, lo, hi, n);
    }
    double *a = malloc((n ? n : 1) * sizeof(*a));
    if (!a)
        return nomem(p);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *it = item(p, v, i);
        if (it->type == YAML_SCALAR_NODE && is_null(it))
            st = fail(p, it, "'%s' %s: item %zu is null, expected a number", name, where, i + 1);
        else
            st = node_num(p, it, name, where, 0, &a[i]);
        if (!st && ascending && i > 0 && !(a[i] > a[i - 1]))
            st = fail(p, it, "'%s' %s must be strictly ascending: item %zu (%s) is not above %s",
                      name, where, i + 1, text(it), text(item(p, v, i - 1)));
        if (st) {
            free(a);
            return st;
        }
    }
    *out = a;
    *n_out = n;
    return LB_OK;
}

/* Exactly @p n numbers (strictly ascending) into a fixed array. */
static lb_status get_fixed_numbers(parser *p, const yaml_node_t *v, const char *name,
                                   const char *where, size_t n, double *dst)
{
    double *a = NULL;
    size_t got = 0;
    lb_status st = get_numbers(p, v, name, where, n, n, 1, &a, &got);
    if (!st)
        memcpy(dst, a, n * sizeof(*dst));
    free(a);
    return st;
}

/* ---- sections ------------------------------------------------------------------------------ */

static lb_status parse_dimensions(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    size_t n = 0;
    lb_status st = get_seq(p, v, "dimensions", "at top level", &n);
    if (st)
        return st;
    if (n == 0)
        return fail(p, v, "'dimensions' must list at least one dimension");
    m->dims = calloc(n, sizeof(*m->dims));
    if (!m->dims)
        return nomem(p);
    m->n_dims = n;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *d = item(p, v, i);
        lb_dimension *dim = &m->dims[i];
        char where[WHERE_SIZE];
        field f[D_N];
        const char *code = peek_ident(p, d, "code");
        if (code)
            snprintf(where, sizeof(where), "in dimension '%s'", code);
        else
            snprintf(where, sizeof(where), "in dimension %zu", i + 1);
        char name[32];
        snprintf(name, sizeof(name), "dimension %zu", i + 1);
        if ((st = read_map(p, d, name, where, dim_keys, D_N, f)) ||
            (st = need(p, &f[D_CODE], d, where)) ||
            (st = get_str(p, &f[D_CODE], where, &dim->code)))
            return st;
        if (!is_ident(dim->code))
            return fail(p, f[D_CODE].val,
                        "dimension code '%s' may only use a-z, 0-9 and '_' (like 'won')",
                        dim->code);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->dims[j].code, dim->code))
                return fail(p, f[D_CODE].val, "duplicate dimension code '%s' (first at line %zu)",
                            dim->code, item(p, v, j)->start_mark.line + 1);
        snprintf(where, sizeof(where), "in dimension '%s'", dim->code);
        if ((st = get_str(p, &f[D_LABEL], where, &dim->label)))
            return st;
        if (!dim->label && !(dim->label = lb_core_strdup(dim->code)))
            return nomem(p);
        if (f[D_BANDS].val) {
            st = get_fixed_numbers(p, f[D_BANDS].val, "bands", where, LB_N_THRESHOLDS, dim->bands);
            if (st)
                return st;
            dim->has_bands = 1;
        }
    }
    return LB_OK;
}

/* '[lo, hi]' of @p key (null or .inf for an open end) into @p ends; @p closed allows lo == hi. */
static lb_status parse_range(parser *p, const yaml_node_t *v, const char *key, const char *where,
                             int closed, double ends[2])
{
    size_t n = 0;
    lb_status st = get_seq(p, v, key, where, &n);
    if (st)
        return st;
    if (n != 2)
        return fail(p, v, "'%s' %s must be [lo, hi] (null or .inf for an open end), got %zu values",
                    key, where, n);
    ends[0] = -INFINITY;
    ends[1] = INFINITY;
    for (size_t i = 0; i < 2; i++) {
        yaml_node_t *it = item(p, v, i);
        if (!is_null(it) && (st = node_num(p, it, key, where, 1, &ends[i])))
            return st;
    }
    if (closed ? !(ends[0] <= ends[1]) : !(ends[0] < ends[1]))
        return fail(p, v, "'%s' %s: lower end %g must %s upper end %g", key, where, ends[0],
                    closed ? "not be above" : "be below", ends[1]);
    return LB_OK;
}

static lb_status parse_cap(parser *p, const yaml_node_t *v, const char *where, lb_transform *tf)
{
    double ends[2];
    lb_status st = parse_range(p, v, "cap", where, 0, ends);
    if (st)
        return st;
    tf->has_cap = 1;
    tf->cap_lo = ends[0];
    tf->cap_hi = ends[1];
    return LB_OK;
}

static lb_status parse_piecewise(parser *p, yaml_node_t *v, const char *id, lb_transform *tf)
{
    char sub[WHERE_SIZE];
    snprintf(sub, sizeof(sub), "in transform.piecewise of indicator '%s'", id);
    field f[PW_N];
    lb_status st;
    if ((st = read_map(p, v, "'piecewise'", sub, pw_keys, PW_N, f)) ||
        (st = need(p, &f[PW_BREAKS], v, sub)) || (st = need(p, &f[PW_VALUES], v, sub)))
        return st;
    size_t nb = 0, nv = 0;
    if ((st =
             get_numbers(p, f[PW_BREAKS].val, "breaks", sub, 2, (size_t)-1, 1, &tf->breaks, &nb)) ||
        (st = get_numbers(p, f[PW_VALUES].val, "values", sub, 2, (size_t)-1, 0, &tf->values, &nv)))
        return st;
    if (nb != nv)
        return fail(p, f[PW_VALUES].val,
                    "'values' %s must have as many items as 'breaks' (%zu), got %zu", sub, nb, nv);
    tf->n_pieces = nb;
    return LB_OK;
}

static lb_status parse_transform(parser *p, yaml_node_t *v, const char *id, lb_transform *tf)
{
    char where[WHERE_SIZE];
    lb_status st;
    snprintf(where, sizeof(where), "in indicator '%s'", id);
    if (v->type == YAML_SCALAR_NODE) {
        int idx = lookup(text(v), tf_scalars, COUNT(tf_scalars));
        if (idx < 0 && lookup(text(v), tf_keys, X_N) >= 0)
            return fail(p, v,
                        "transform '%s' %s needs parameters: write it as a mapping, e.g. "
                        "{cap: [0, 100]}, {piecewise: {breaks: [...], values: [...]}}, "
                        "{dummy: {threshold: 1}}",
                        text(v), where);
        if (idx < 0)
            return fail(p, v,
                        "unknown transform '%s' %s (transforms: identity, log1p, zscore, or "
                        "a mapping of cap, log1p, piecewise, dummy, zscore)",
                        text(v), where);
        tf->log1p = idx == 1;
        tf->zscore = idx == 2;
        return LB_OK;
    }
    char sub[WHERE_SIZE];
    snprintf(sub, sizeof(sub), "in transform of indicator '%s'", id);
    field f[X_N];
    if ((st = read_map(p, v, "'transform'", sub, tf_keys, X_N, f)) ||
        (st = get_bool(p, &f[X_LOG1P], sub, &tf->log1p)) ||
        (st = get_bool(p, &f[X_ZSCORE], sub, &tf->zscore)))
        return st;
    if (f[X_CAP].val && (st = parse_cap(p, f[X_CAP].val, sub, tf)))
        return st;
    if (f[X_PIECEWISE].val && (st = parse_piecewise(p, f[X_PIECEWISE].val, id, tf)))
        return st;
    if (f[X_DUMMY].val) {
        char dsub[WHERE_SIZE];
        snprintf(dsub, sizeof(dsub), "in transform.dummy of indicator '%s'", id);
        field d[DU_N];
        tf->dummy_above = 1;
        if ((st = read_map(p, f[X_DUMMY].val, "'dummy'", dsub, dummy_keys, DU_N, d)) ||
            (st = need(p, &d[DU_THRESHOLD], f[X_DUMMY].val, dsub)) ||
            (st = get_num(p, &d[DU_THRESHOLD], dsub, &tf->dummy_threshold)) ||
            (st = get_bool(p, &d[DU_ABOVE], dsub, &tf->dummy_above)))
            return st;
        tf->has_dummy = 1;
    }
    return LB_OK;
}

/* 'valid: [lo, hi]': the range a raw value must lie in (ends included; null or .inf for an
 * open end); a value outside it is missing, with a warning. */
static lb_status parse_valid(parser *p, const yaml_node_t *v, const char *where, lb_indicator *ind)
{
    double ends[2];
    lb_status st = parse_range(p, v, "valid", where, 1, ends);
    if (st)
        return st;
    ind->has_valid = 1;
    ind->valid_lo = ends[0];
    ind->valid_hi = ends[1];
    return LB_OK;
}

/* count_within's 'per': "<N>_<weight>" or "<weight>" (N = 1), where <weight> is the model's
 * weight kind (inhabitants or dwellings), e.g. "1000_inhabitants". */
static lb_status parse_per(parser *p, const yaml_node_t *v, const char *where, double *out)
{
    lb_status st = scalar_text(p, v, "per", where, "a string like 1000_inhabitants");
    if (st)
        return st;
    const lb_model *m = p->m;
    const char *s = text(v);
    const char *unit = strrchr(s, '_');
    double n = 1.0;
    if (unit) {
        char num[NUM_TEXT];
        size_t len = (size_t)(unit - s);
        if (len == 0 || len >= sizeof(num))
            return fail(p, v, "'per' %s must be like 1000_%s, got '%s'", where, m->weight_name, s);
        memcpy(num, s, len);
        num[len] = '\0';
        if (!number_grammar(num) || !to_double(num, &n) || !(n > 0.0))
            return fail(p, v, "'per' %s: '%s' is not a positive number (write e.g. 1000_%s)", where,
                        num, m->weight_name);
        unit++;
    } else {
        unit = s;
    }
    if (strcmp(m->weight_name, "area") == 0)
        return fail(p, v,
                    "'per' %s needs a population weight, but the model's weight kind is 'area'; "
                    "set weight: {kind: inhabitants} or drop 'per'",
                    where);
    if (strcmp(unit, m->weight_name) != 0)
        return fail(p, v,
                    "'per' %s counts per '%s' but the model's weight is '%s' (the population "
                    "within the radius comes from the cell weights); write e.g. 1000_%s",
                    where, unit, m->weight_name, m->weight_name);
    *out = n;
    return LB_OK;
}

/* FNV-1a over the id's bytes. */
static size_t id_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static lb_status parse_indicator(parser *p, yaml_node_t *v, size_t i)
{
    lb_model *m = p->m;
    lb_indicator *ind = &m->ind[i];
    char where[WHERE_SIZE];
    char name[32];
    field f[I_N];
    lb_status st;
    snprintf(where, sizeof(where), "in indicator %zu", i + 1);
    snprintf(name, sizeof(name), "indicator %zu", i + 1);
    const char *id = peek_ident(p, v, "id");
    if (id)
        snprintf(where, sizeof(where), "in indicator '%s'", id);
    if ((st = read_map(p, v, name, where, ind_keys, I_N, f)) ||
        (st = need(p, &f[I_ID], v, where)) || (st = get_str(p, &f[I_ID], where, &ind->id)))
        return st;
    if (!is_ident(ind->id))
        return fail(p, f[I_ID].val, "indicator id '%s' may only use a-z, 0-9 and '_'", ind->id);
    size_t slot = id_hash(ind->id) & (p->n_id_slots - 1);
    for (; p->id_slot[slot]; slot = (slot + 1) & (p->n_id_slots - 1)) {
        const lb_indicator *first = &m->ind[p->id_slot[slot] - 1];
        if (!strcmp(first->id, ind->id))
            return fail(p, f[I_ID].val, "duplicate indicator id '%s' (first at line %d)", ind->id,
                        first->line);
    }
    p->id_slot[slot] = i + 1;
    ind->line = (int)v->start_mark.line + 1;
    snprintf(where, sizeof(where), "in indicator '%s'", ind->id);

    if ((st = get_str(p, &f[I_LABEL], where, &ind->label)) ||
        (st = get_str(p, &f[I_WHY], where, &ind->why)))
        return st;
    if (!ind->label && !(ind->label = lb_core_strdup(ind->id)))
        return nomem(p);
    if (f[I_UNIT].val && (st = get_unit(p, f[I_UNIT].val, where, &ind->unit)))
        return st;

    if ((st = need(p, &f[I_DIMENSION], v, where)) ||
        (st = get_str(p, &f[I_DIMENSION], where, &ind->dimension)))
        return st;
    ind->dim = -1;
    for (size_t d = 0; d < m->n_dims; d++)
        if (!strcmp(m->dims[d].code, ind->dimension))
            ind->dim = (int)d;
    if (ind->dim < 0) {
        char list[LIST_SIZE];
        return fail(p, f[I_DIMENSION].val, "unknown dimension '%s' %s (dimensions: %s)",
                    ind->dimension, where, join_dims(m, list, sizeof(list)));
    }

    if ((st = need(p, &f[I_KIND], v, where)) ||
        (st = scalar_text(p, f[I_KIND].val, "kind", where, "a word")))
        return st;
    int k = -1;
    for (size_t j = 0; j < COUNT(kinds); j++)
        if (!strcmp(text(f[I_KIND].val), lb_kind_name((lb_kind)j)))
            k = (int)j;
    if (k < 0) {
        char list[LIST_SIZE];
        const char *names[COUNT(kinds)];
        for (size_t j = 0; j < COUNT(kinds); j++)
            names[j] = lb_kind_name((lb_kind)j);
        return fail(p, f[I_KIND].val, "unknown indicator kind '%s' (kinds: %s)",
                    text(f[I_KIND].val), join(names, COUNT(kinds), list, sizeof(list)));
    }
    ind->kind = (lb_kind)k;
    const struct kind_spec *ks = &kinds[k];
    const char *kname = lb_kind_name(ind->kind);

    /* What this kind takes, for the messages below. */
    char takes[LIST_SIZE];
    const char *params[I_N_PARAMS];
    size_t n_params = 0;
    for (size_t j = 0; j < I_N_PARAMS; j++)
        if (ks->allowed & (1u << j))
            params[n_params++] = ind_keys[j];
    join(params, n_params, takes, sizeof(takes));
    for (size_t j = 0; j < I_N_PARAMS; j++) {
        if (f[j].key && !(ks->allowed & (1u << j)))
            return fail(p, f[j].key, "'%s' is not a parameter of kind '%s' %s (%s takes: %s)",
                        ind_keys[j], kname, where, kname, takes);
        if (!f[j].val && (ks->required & (1u << j))) {
            if (f[j].key)
                return fail(p, f[j].key, "'%s' %s has no value (kind '%s' requires it)",
                            ind_keys[j], where, kname);
            return fail(p, v, "kind '%s' requires '%s' %s (%s takes: %s)", kname, ind_keys[j],
                        where, kname, takes);
        }
    }

    ind->cap_m = 5000;
    ind->band = 1;
    if ((st = need(p, &f[I_LAYER], v, where)) ||
        (st = get_str(p, &f[I_LAYER], where, &ind->layer)) ||
        (st = get_str(p, &f[I_FIELD], where, &ind->field)) ||
        (st = get_str(p, &f[I_VALUE], where, &ind->value)) ||
        (st = get_str(p, &f[I_NUMERATOR], where, &ind->numerator)) ||
        (st = get_str(p, &f[I_DENOMINATOR], where, &ind->denominator)) ||
        (st = get_str(p, &f[I_FILTER], where, &ind->filter)) ||
        /* count_within may take radius 0: features inside the unit (area mode) */
        (st = get_num_min(p, &f[I_RADIUS_M], where, 0, ind->kind != LB_KIND_COUNT_WITHIN,
                          &ind->radius_m)) ||
        (st = get_num_min(p, &f[I_CAP_M], where, 0, 1, &ind->cap_m)) ||
        (st = get_int(p, &f[I_BAND], where, 1, &ind->band)) ||
        (st = get_bool(p, &f[I_EXTENSIVE], where, &ind->extensive)) ||
        (f[I_PER].val && (st = parse_per(p, f[I_PER].val, where, &ind->per))))
        return st;
    if (f[I_RESAMPLING].val) {
        int rs = 0;
        if ((st = node_enum(p, f[I_RESAMPLING].val, "resampling", where, resamplings,
                            COUNT(resamplings), &rs)))
            return st;
        ind->resampling = (lb_resampling)rs;
    }
    if (ind->kind == LB_KIND_SHARE_WITHIN && !ind->field != !ind->value) {
        const field *given = ind->field ? &f[I_FIELD] : &f[I_VALUE];
        return fail(p, given->key,
                    "share_within %s: 'field' and 'value' go together (the polygon class that "
                    "counts); give both or neither",
                    where);
    }

    if (f[I_TRANSFORM].val && (st = parse_transform(p, f[I_TRANSFORM].val, ind->id, &ind->tf)))
        return st;
    if (f[I_MISSING_CODES].val &&
        (st = get_numbers(p, f[I_MISSING_CODES].val, "missing_codes", where, 1, (size_t)-1, 0,
                          &ind->missing_codes, &ind->n_missing_codes)))
        return st;
    if (f[I_VALID].val && (st = parse_valid(p, f[I_VALID].val, where, ind)))
        return st;

    if ((st = need(p, &f[I_COEF], v, where)) || (st = get_num(p, &f[I_COEF], where, &ind->coef)))
        return st;
    if (!(fabs(ind->coef) <= LB_MAX_COEF))
        return fail(p, f[I_COEF].val,
                    "'coef' %s is %s; a coefficient must lie within +-%g (scores live within a "
                    "few units of the reference, so no indicator needs more, and 1e308 turns "
                    "every score into infinity or NaN)",
                    where, text(f[I_COEF].val), LB_MAX_COEF);
    if (f[I_SIGN].val) {
        /* '-' alone starts a YAML list, so the words and +1/-1 are accepted too */
        static const char *const pos[] = {"+", "+1", "1", "positive"};
        static const char *const neg[] = {"-", "-1", "negative"};
        if ((st = scalar_text(p, f[I_SIGN].val, "sign", where, "'+' or '-'")))
            return st;
        const char *sv = text(f[I_SIGN].val);
        if (lookup(sv, pos, COUNT(pos)) >= 0)
            ind->sign = 1;
        else if (lookup(sv, neg, COUNT(neg)) >= 0)
            ind->sign = -1;
        else
            return fail(p, f[I_SIGN].val,
                        "'sign' %s is '%s'; the expected sign of the coefficient is \"+\" or "
                        "\"-\" (quoted), positive or negative, or +1 or -1",
                        where, sv);
    }
    return LB_OK;
}

static lb_status parse_indicators(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    size_t n = 0;
    lb_status st = get_seq(p, v, "indicators", "at top level", &n);
    if (st)
        return st;
    if (n == 0)
        return fail(p, v, "'indicators' must list at least one indicator");
    m->ind = calloc(n, sizeof(*m->ind));
    if (!m->ind)
        return nomem(p);
    m->n_ind = n;
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    p->id_slot = calloc(slots, sizeof(*p->id_slot));
    if (!p->id_slot)
        return nomem(p);
    p->n_id_slots = slots;
    for (size_t i = 0; i < n && st == LB_OK; i++)
        st = parse_indicator(p, item(p, v, i), i);
    free(p->id_slot);
    p->id_slot = NULL;
    p->n_id_slots = 0;
    /* The units table of a score run: up to 4 id/name/parent columns, year, lbm, afw, kscore,
     * weight and up to 3 counts, a score and a class per dimension, x_ and c_ per indicator.
     * Refuse here what the writers would refuse after all the work. */
    size_t cols = LB_MODEL_FIXED_COLUMNS + 2 * m->n_dims + 2 * n;
    if (st == LB_OK && cols > LB_TABLE_MAX_COLS)
        st = fail(p, v,
                  "%zu indicators and %zu dimensions make a units table of up to %zu columns, "
                  "more than the %d a GeoPackage layer holds; use at most %zu indicators",
                  n, m->n_dims, cols, LB_TABLE_MAX_COLS,
                  (LB_TABLE_MAX_COLS - LB_MODEL_FIXED_COLUMNS - 2 * m->n_dims) / 2);
    return st;
}

static lb_status parse_means(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    const char *where = "in reference.means";
    char list[LIST_SIZE];
    if (v->type != YAML_MAPPING_NODE)
        return fail(p, v,
                    "'means' in reference must be a mapping of dimension code to mean, got %s",
                    type_name(v));
    m->means = calloc(m->n_dims, sizeof(*m->means));
    yaml_node_t **seen = calloc(m->n_dims, sizeof(*seen));
    lb_status st = LB_OK;
    if (!m->means || !seen) {
        st = nomem(p);
        goto done;
    }
    for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = node_at(p, pr->key);
        yaml_node_t *val = node_at(p, pr->value);
        int d = -1;
        if (k->type == YAML_SCALAR_NODE)
            for (size_t j = 0; j < m->n_dims; j++)
                if (!strcmp(m->dims[j].code, text(k)))
                    d = (int)j;
        if (d < 0) {
            st = fail(p, k, "unknown dimension '%s' %s (dimensions: %s)",
                      k->type == YAML_SCALAR_NODE ? text(k) : "?", where,
                      join_dims(m, list, sizeof(list)));
            goto done;
        }
        if (seen[d]) {
            st = fail(p, k, "duplicate dimension '%s' %s (first at line %zu)", text(k), where,
                      seen[d]->start_mark.line + 1);
            goto done;
        }
        seen[d] = k;
        if ((st = node_num(p, val, text(k), where, 0, &m->means[d])))
            goto done;
    }
    for (size_t j = 0; j < m->n_dims; j++)
        if (!seen[j]) {
            st = fail(p, v,
                      "reference.means has no value for dimension '%s' (means must name every "
                      "dimension exactly once: %s)",
                      m->dims[j].code, join_dims(m, list, sizeof(list)));
            goto done;
        }
    m->has_means = 1;
done:
    free(seen);
    return st;
}

static lb_status parse_reference(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    const char *where = "in reference";
    field f[R_N];
    int mode = (int)m->ref_mode;
    lb_status st;
    if ((st = read_map(p, v, "'reference'", where, ref_keys, R_N, f)) ||
        (f[R_MODE].val &&
         (st = node_enum(p, f[R_MODE].val, "mode", where, ref_modes, COUNT(ref_modes), &mode))) ||
        (st = get_int(p, &f[R_YEAR], where, 1, &m->ref_year)) ||
        (st = get_num(p, &f[R_REF], where, &m->ref)))
        return st;
    m->ref_mode = (lb_ref_mode)mode;
    if (f[R_MEANS].val) {
        if (m->ref_mode != LB_REF_FIXED)
            return fail(p, f[R_MEANS].key,
                        "'means' in reference is only used with mode: fixed (per_year computes "
                        "them from each year's population)");
        if ((st = parse_means(p, f[R_MEANS].val)))
            return st;
    }
    return LB_OK;
}

static lb_status parse_weight(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    const char *where = "in weight";
    field f[W_N] = {{0}};
    int kind = 0;
    lb_status st;
    if (v) {
        if ((st = read_map(p, v, "'weight'", where, weight_keys, W_N, f)) ||
            (f[W_KIND].val && (st = node_enum(p, f[W_KIND].val, "kind", where, weight_kinds,
                                              COUNT(weight_kinds), &kind))) ||
            (st = get_str(p, &f[W_LAYER], where, &m->weight_layer)) ||
            (st = get_str(p, &f[W_FIELD], where, &m->weight_field)))
            return st;
    }
    if (!weight_fields[kind] && m->weight_field) {
        yaml_node_t *at = f[W_FIELD].val ? f[W_FIELD].val : v;
        return lb_ctx_error(
            p->ctx, LB_ERR_MODEL,
            "%s:%zu:%zu: weight kind 'area' takes no field (the weight is the share "
            "of each cell inside the weight layer)",
            p->path, at->start_mark.line + 1, at->start_mark.column + 1);
    }
    if (!(m->weight_name = lb_core_strdup(weight_kinds[kind])))
        return nomem(p);
    if (!m->weight_layer && !(m->weight_layer = lb_core_strdup("buurten")))
        return nomem(p);
    if (!m->weight_field && weight_fields[kind] &&
        !(m->weight_field = lb_core_strdup(weight_fields[kind])))
        return nomem(p);
    return LB_OK;
}

static lb_status parse_grid(parser *p, yaml_node_t *v)
{
    const char *where = "in grid";
    field f[G_N];
    lb_status st;
    if ((st = read_map(p, v, "'grid'", where, grid_keys, G_N, f)) ||
        (st = get_num_min(p, &f[G_CELL_M], where, 0, 1, &p->m->cell_m)) ||
        (st = get_num_min(p, &f[G_MIN_WEIGHT], where, 0, 0, &p->m->min_weight)))
        return st;
    return LB_OK;
}

static int is_colour(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return 0;
    for (int i = 1; i < 7; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Exactly @p n non-empty strings into dst[0..n-1] (replacing what is there). */
static lb_status get_strings(parser *p, const yaml_node_t *v, const char *name, const char *where,
                             size_t n, const char *hint, char **dst)
{
    size_t got = 0;
    lb_status st = get_seq(p, v, name, where, &got);
    if (st)
        return st;
    if (got != n)
        return fail(p, v, "'%s' %s must have exactly %zu items%s, got %zu", name, where, n, hint,
                    got);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *it = item(p, v, i);
        if (is_null(it))
            return fail(p, it, "'%s' %s: item %zu is null, expected a string", name, where, i + 1);
        if ((st = node_str(p, it, name, where, &dst[i])))
            return st;
    }
    return LB_OK;
}

/* Exactly @p n colours "#rrggbb" into dst[0..n-1], lower-cased. */
static lb_status get_colours(parser *p, const yaml_node_t *v, const char *where, size_t n,
                             const char *hint, char **dst)
{
    lb_status st = get_strings(p, v, "colours", where, n, hint, dst);
    if (st)
        return st;
    for (size_t i = 0; i < n; i++) {
        char *c = dst[i];
        if (!is_colour(c))
            return fail(p, item(p, v, i),
                        "colour %zu '%s' %s is not \"#rrggbb\" (quote it: '#' starts a YAML "
                        "comment)",
                        i + 1, c, where);
        for (; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    return LB_OK;
}

static lb_status parse_classes(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    const char *where = "in classes";
    field f[C_N] = {{0}};
    lb_status st;
    if (v && (st = read_map(p, v, "'classes'", where, class_keys, C_N, f)))
        return st;
    memcpy(m->thresholds, lb_default_thresholds, sizeof(m->thresholds));
    for (size_t i = 0; i < LB_N_CLASSES; i++)
        if (!(m->class_labels[i] = lb_core_strdup(lb_default_class_labels[i])) ||
            !(m->class_colours[i] = lb_core_strdup(lb_default_class_colours[i])))
            return nomem(p);
    if (!v)
        return LB_OK;
    if (f[C_THRESHOLDS].val && (st = get_fixed_numbers(p, f[C_THRESHOLDS].val, "thresholds", where,
                                                       LB_N_THRESHOLDS, m->thresholds)))
        return st;
    if (f[C_LABELS].val && (st = get_strings(p, f[C_LABELS].val, "labels", where, LB_N_CLASSES,
                                             " (one per class)", m->class_labels)))
        return st;
    if (f[C_COLOURS].val)
        return get_colours(p, f[C_COLOURS].val, where, LB_N_CLASSES, " (one per class)",
                           m->class_colours);
    return LB_OK;
}

static lb_status parse_development(parser *p, yaml_node_t *v)
{
    lb_model *m = p->m;
    const char *where = "in development";
    field f[V_N] = {{0}};
    lb_status st;
    lb_dev_table def;
    lb_dev_table_default(7, &def);
    m->n_dev_cuts = def.n_cuts;
    memcpy(m->dev_cuts, def.cuts, def.n_cuts * sizeof(double));
    if (v && (st = read_map(p, v, "'development'", where, dev_keys, V_N, f)))
        return st;
    if (v && f[V_CUTS].val) {
        double *a = NULL;
        size_t n = 0;
        if ((st = get_numbers(p, f[V_CUTS].val, "cuts", where, 6, 8, 1, &a, &n)))
            return st;
        memcpy(m->dev_cuts, a, n * sizeof(*a));
        free(a);
        if (n == 7)
            return fail(p, f[V_CUTS].val,
                        "'cuts' %s must have 6 numbers (7 classes) or 8 (9 classes), got 7", where);
        m->n_dev_cuts = n;
    }
    size_t n_classes = m->n_dev_cuts + 1;
    char hint[64];
    snprintf(hint, sizeof(hint), " (one per class: %zu cuts make %zu classes)", m->n_dev_cuts,
             n_classes);
    /* Custom nine-class cuts need their own names; the colours follow the class count. */
    lb_dev_table_default(n_classes, &def);
    if (v && f[V_LABELS].val) {
        if ((st = get_strings(p, f[V_LABELS].val, "labels", where, n_classes, hint, m->dev_labels)))
            return st;
    } else if (n_classes != 7) {
        return fail(p, f[V_CUTS].val, "'labels' %s is required with %zu cuts (%zu classes)", where,
                    m->n_dev_cuts, n_classes);
    } else {
        for (size_t i = 0; i < n_classes; i++)
            if (!(m->dev_labels[i] = lb_core_strdup(def.labels[i])))
                return nomem(p);
    }
    if (v && f[V_COLOURS].val)
        return get_colours(p, f[V_COLOURS].val, where, n_classes, hint, m->dev_colours);
    for (size_t i = 0; i < n_classes; i++)
        if (!(m->dev_colours[i] = lb_core_strdup(def.colours[i])))
            return nomem(p);
    return LB_OK;
}

/* Distinct input names in order of first use: the weight layer, then each indicator's layer. */
static lb_status collect_inputs(parser *p)
{
    lb_model *m = p->m;
    m->inputs = calloc(m->n_ind + 1, sizeof(*m->inputs));
    if (!m->inputs)
        return nomem(p);
    for (size_t i = 0; i <= m->n_ind; i++) {
        const char *name = i == 0 ? m->weight_layer : m->ind[i - 1].layer;
        size_t j = 0;
        while (j < m->n_inputs && strcmp(m->inputs[j], name) != 0)
            j++;
        if (j < m->n_inputs)
            continue;
        if (!(m->inputs[m->n_inputs] = lb_core_strdup(name)))
            return nomem(p);
        m->n_inputs++;
    }
    return LB_OK;
}

/* The free-form `calibration:` block, copied as a tree (provenance: score records it). */
static lb_status copy_node(parser *p, const yaml_node_t *v, lb_model_node *out, int depth)
{
    if (depth > 16)
        return fail(p, v, "'calibration' is nested more than 16 levels deep");
    if (v->type == YAML_SCALAR_NODE) {
        if (!(out->text = lb_core_strdup(text(v))))
            return nomem(p);
        out->is_number = is_plain(v) && number_grammar(text(v));
        return LB_OK;
    }
    out->is_list = v->type == YAML_SEQUENCE_NODE;
    size_t n = out->is_list ? (size_t)(v->data.sequence.items.top - v->data.sequence.items.start)
                            : (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    if (n && !(out->kids = calloc(n, sizeof(*out->kids))))
        return nomem(p);
    lb_status st = LB_OK;
    for (size_t i = 0; i < n && st == LB_OK; i++) {
        lb_model_node *kid = &out->kids[out->n_kids++];
        if (out->is_list) {
            st = copy_node(p, node_at(p, v->data.sequence.items.start[i]), kid, depth + 1);
            continue;
        }
        const yaml_node_pair_t *pr = &v->data.mapping.pairs.start[i];
        const yaml_node_t *k = node_at(p, pr->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(p, k, "keys must be plain words in calibration, got %s", type_name(k));
        if (!(kid->key = lb_core_strdup(text(k))))
            return nomem(p);
        st = copy_node(p, node_at(p, pr->value), kid, depth + 1);
    }
    return st;
}

static lb_status parse_calibration(parser *p, const yaml_node_t *v)
{
    if (v->type != YAML_MAPPING_NODE)
        return fail(p, v,
                    "'calibration' must be a mapping (the provenance leefbaar calibrate writes), "
                    "got %s",
                    type_name(v));
    if (!(p->m->calibration = calloc(1, sizeof(*p->m->calibration))))
        return nomem(p);
    return copy_node(p, v, p->m->calibration, 0);
}

static lb_status parse_model(parser *p, yaml_node_t *root)
{
    lb_model *m = p->m;
    const char *where = "at top level";
    field f[T_N];
    int missing = (int)m->missing;
    lb_status st;
    if (root->type != YAML_MAPPING_NODE)
        return fail(p, root, "a model file must be a mapping (name:, dimensions:, ...), got %s",
                    type_name(root));
    if ((st = read_map(p, root, "the model", where, top_keys, T_N, f)) ||
        (st = need(p, &f[T_NAME], root, where)) || (st = get_str(p, &f[T_NAME], where, &m->name)) ||
        (st = get_int(p, &f[T_VERSION], where, 1, &m->version)) ||
        (st = get_str(p, &f[T_DESCRIPTION], where, &m->description)) ||
        (st = need(p, &f[T_DIMENSIONS], root, where)) ||
        (st = parse_dimensions(p, f[T_DIMENSIONS].val)) ||
        (st = parse_weight(p, f[T_WEIGHT].val)) || (st = need(p, &f[T_INDICATORS], root, where)) ||
        (st = parse_indicators(p, f[T_INDICATORS].val)) ||
        (f[T_REFERENCE].val && (st = parse_reference(p, f[T_REFERENCE].val))) ||
        (f[T_GRID].val && (st = parse_grid(p, f[T_GRID].val))) ||
        (f[T_MISSING].val && (st = node_enum(p, f[T_MISSING].val, "missing", where, missing_rules,
                                             COUNT(missing_rules), &missing))) ||
        (st = parse_classes(p, f[T_CLASSES].val)) ||
        (st = parse_development(p, f[T_DEVELOPMENT].val)) ||
        (f[T_CALIBRATION].val && (st = parse_calibration(p, f[T_CALIBRATION].val))) ||
        (st = collect_inputs(p)))
        return st;
    m->missing = (lb_missing_rule)missing;
    return LB_OK;
}

/* ---- file and libyaml ---------------------------------------------------------------------- */

static lb_status read_file(lb_ctx *ctx, const char *path, unsigned char **out, size_t *len)
{
    lb_status st = LB_OK;
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot read model '%s': %s", path, strerror(errno));
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 4096;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "reading model '%s': out of memory", path);
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot read model '%s': %s", path, strerror(errno));
        goto done;
    }
    *out = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    fclose(f);
    return st;
}

static lb_status yaml_failure(parser *p, const yaml_parser_t *yp, const unsigned char *buf,
                              size_t len)
{
    const char *problem = yp->problem ? yp->problem : "invalid YAML";
    if (yp->error == YAML_MEMORY_ERROR)
        return nomem(p);
    if (yp->error == YAML_READER_ERROR) {
        /* the reader gives a byte offset only: count lines to it */
        size_t line = 1, col = 1;
        for (size_t i = 0; i < yp->problem_offset && i < len; i++, col++)
            if (buf[i] == '\n') {
                line++;
                col = 0;
            }
        if (yp->problem_value < 0)
            return lb_ctx_error(p->ctx, LB_ERR_MODEL, "%s:%zu:%zu: %s", p->path, line, col,
                                problem);
        return lb_ctx_error(p->ctx, LB_ERR_MODEL, "%s:%zu:%zu: %s (byte 0x%02x)", p->path, line,
                            col, problem, (unsigned)yp->problem_value & 0xffu);
    }
    if (yp->context)
        return lb_ctx_error(p->ctx, LB_ERR_MODEL, "%s:%zu:%zu: %s (%s at %zu:%zu)", p->path,
                            yp->problem_mark.line + 1, yp->problem_mark.column + 1, problem,
                            yp->context, yp->context_mark.line + 1, yp->context_mark.column + 1);
    return lb_ctx_error(p->ctx, LB_ERR_MODEL, "%s:%zu:%zu: %s", p->path, yp->problem_mark.line + 1,
                        yp->problem_mark.column + 1, problem);
}

lb_status lb_model_load(lb_ctx *ctx, const char *path, lb_model **out)
{
    if (!path || !out)
        return lb_ctx_error(ctx, LB_ERR_ARG, "lb_model_load: path and out must not be NULL");
    unsigned char *buf = NULL;
    size_t len = 0;
    lb_status st = read_file(ctx, path, &buf, &len);
    if (st == LB_OK)
        st = lb_model_load_buffer(ctx, path, buf, len, out);
    free(buf);
    return st;
}

lb_status lb_model_load_buffer(lb_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                               lb_model **out)
{
    if (!path || !buf || !out)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "lb_model_load_buffer: path, buf and out must not be NULL");
    lb_status st = LB_OK;
    yaml_parser_t yp;
    yaml_document_t doc, extra;
    int have_parser = 0, have_doc = 0;
    parser p = {.ctx = ctx, .path = path, .doc = &doc};

    p.m = calloc(1, sizeof(*p.m));
    if (!p.m) {
        st = nomem(&p);
        goto done;
    }
    lb_model *m = p.m;
    m->version = 1;
    m->ref_mode = LB_REF_FIXED;
    m->ref = 4.10;
    m->cell_m = 100;
    m->min_weight = 1;
    m->missing = LB_MISSING_IMPUTE;
    lb_sha256(buf, len, m->hash);
    if (!(m->path = lb_core_strdup(path))) {
        st = nomem(&p);
        goto done;
    }

    if (!yaml_parser_initialize(&yp)) {
        st = nomem(&p);
        goto done;
    }
    have_parser = 1;
    yaml_parser_set_input_string(&yp, buf, len);
    if (!yaml_parser_load(&yp, &doc)) {
        st = yaml_failure(&p, &yp, buf, len);
        goto done;
    }
    have_doc = 1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        st = lb_ctx_error(ctx, LB_ERR_MODEL, "%s:1:1: the model file is empty", path);
        goto done;
    }
    if (!yaml_parser_load(&yp, &extra)) {
        st = yaml_failure(&p, &yp, buf, len);
        goto done;
    }
    yaml_node_t *second = yaml_document_get_root_node(&extra);
    if (second)
        st = fail(&p, second, "a model file holds one YAML document; found a second one");
    yaml_document_delete(&extra);
    if (st)
        goto done;

    if ((st = parse_model(&p, root)))
        goto done;
    *out = p.m;
    p.m = NULL;
done:
    lb_model_destroy(p.m);
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&yp);
    return st;
}
