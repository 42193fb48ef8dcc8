/* SPDX-License-Identifier: MIT */
/* The generic option store: values kept as checked text per key of the operation's table,
 * read back by the operation with typed getters. */
#include "opts.h"

#include "../core/ctx.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct value {
    char **items; /* n items and a NULL */
    size_t n;
} value;

struct lb_opts {
    const lb_operation *op;
    value *values; /* op->n_keys */
};

static const char *const empty_list[] = {NULL};

lb_status lb_opts_create(lb_ctx *ctx, const char *operation, lb_opts **out)
{
    const lb_operation *op = NULL;
    char names[256] = "";
    for (size_t i = 0; i < lb_n_operations; i++) {
        if (operation && strcmp(lb_operations[i]->name, operation) == 0)
            op = lb_operations[i];
        lb_core_list_append(names, sizeof(names), lb_operations[i]->name);
    }
    if (!op)
        return lb_ctx_error(ctx, LB_ERR_ARG, "unknown operation '%s' (operations: %s)",
                            operation ? operation : "(null)", names);
    lb_opts *o = calloc(1, sizeof(*o));
    if (!o || !(o->values = calloc(op->n_keys ? op->n_keys : 1, sizeof(*o->values)))) {
        free(o);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for the options of %s", operation);
    }
    o->op = op;
    *out = o;
    return LB_OK;
}

static void value_clear(value *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = 0;
}

void lb_opts_destroy(lb_opts *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->op->n_keys; i++)
        value_clear(&o->values[i]);
    free(o->values);
    free(o);
}

const char *lb_opts_operation(const lb_opts *o)
{
    return o->op->name;
}

const lb_operation *lb_opts_op(const lb_opts *o)
{
    return o->op;
}

static long key_index(const lb_operation *op, const char *name)
{
    for (size_t i = 0; name && i < op->n_keys; i++)
        if (strcmp(op->keys[i].name, name) == 0)
            return (long)i;
    return -1;
}

static const lb_key_alias *alias_of(const lb_operation *op, const char *name)
{
    for (size_t i = 0; name && i < op->n_aliases; i++)
        if (strcmp(op->aliases[i].alias, name) == 0)
            return &op->aliases[i];
    return NULL;
}

long lb_opts_key_find(const lb_opts *o, const char *name)
{
    long k = key_index(o->op, name);
    const lb_key_alias *a = k < 0 ? alias_of(o->op, name) : NULL;
    return a ? key_index(o->op, a->key) : k;
}

/* The flag value of @p text: 1, 0, or -1 when it is none. */
static int flag_value(const char *text)
{
    if (!text)
        return 1;
    static const char *const on[] = {"true", "1", "yes", "on"};
    static const char *const off[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
        if (lb_core_str_ieq(text, on[i]))
            return 1;
        if (lb_core_str_ieq(text, off[i]))
            return 0;
    }
    return -1;
}

static int parse_long(const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno)
        return 0;
    *out = v;
    return 1;
}

static int parse_real(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

/* Is @p text one of the '|'-separated @p choices? */
static int is_choice(const char *choices, const char *text)
{
    size_t n = strlen(text);
    for (const char *p = choices; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && strncmp(p, text, n) == 0)
            return 1;
        p += len + (p[len] == '|');
    }
    return 0;
}

/* Check @p text for key @p k; LB_ERR_ARG naming key and value when it does not parse. */
static lb_status check_value(lb_ctx *ctx, const lb_key *k, const char *text)
{
    int ok = 1;
    long l = 0;
    double d = 0.0;
    if (k->type == LB_KEY_FLAG) {
        if (flag_value(text) < 0)
            return lb_ctx_error(ctx, LB_ERR_ARG, "--%s is a flag: it takes true or false, got '%s'",
                                k->name, text);
        return LB_OK;
    }
    if (!text)
        return lb_ctx_error(ctx, LB_ERR_ARG, "option --%s needs a value", k->name);
    if (k->type == LB_KEY_INT)
        ok = parse_long(text, &l) && (double)l >= k->lo && (double)l <= k->hi;
    else if (k->type == LB_KEY_REAL)
        ok = parse_real(text, &d) && d >= k->lo && d <= k->hi;
    if (ok && k->choices && !is_choice(k->choices, text)) {
        if (!k->wants) {
            char list[256] = "";
            for (const char *p = k->choices; *p;) {
                size_t len = strcspn(p, "|");
                char word[64];
                snprintf(word, sizeof(word), "%.*s", (int)len, p);
                lb_core_list_append(list, sizeof(list), word);
                p += len + (p[len] == '|');
            }
            return lb_ctx_error(ctx, LB_ERR_ARG, "--%s: unknown value '%s' (one of %s)", k->name,
                                text, list);
        }
        ok = 0;
    }
    if (ok && k->valid)
        ok = k->valid(text);
    if (!ok)
        return lb_ctx_error(ctx, LB_ERR_ARG, "--%s wants %s, got '%s'", k->name,
                            k->wants ? k->wants : "a value", text);
    return LB_OK;
}

static lb_status unknown_key(lb_ctx *ctx, const lb_operation *op, const char *key)
{
    char names[2048] = "";
    for (size_t i = 0; i < op->n_keys; i++)
        lb_core_list_append(names, sizeof(names), op->keys[i].name);
    return lb_ctx_error(ctx, LB_ERR_ARG, "unknown option '--%s' of %s (options: %s)",
                        key ? key : "(null)", op->name, names);
}

lb_status lb_opts_set(lb_ctx *ctx, lb_opts *o, const char *key, const char *text)
{
    long i = key_index(o->op, key);
    const lb_key_alias *a = i < 0 ? alias_of(o->op, key) : NULL;
    if (a) {
        i = key_index(o->op, a->key);
        if (a->on) {
            int f = flag_value(text);
            if (f < 0)
                return lb_ctx_error(ctx, LB_ERR_ARG,
                                    "--%s is a flag: it takes true or false, got '%s'", key, text);
            text = f ? a->on : a->off;
        }
    }
    if (i < 0)
        return unknown_key(ctx, o->op, key);
    const lb_key *k = &o->op->keys[i];
    lb_status st = check_value(ctx, k, text);
    if (st != LB_OK)
        return st;
    if (k->type == LB_KEY_FLAG)
        text = flag_value(text) ? "true" : "false";
    char *copy = lb_core_strdup(text);
    value *v = &o->values[i];
    size_t n = k->repeatable ? v->n + 1 : 1;
    char **items = copy ? malloc((n + 1) * sizeof(*items)) : NULL;
    if (!items) {
        free(copy);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory setting --%s", k->name);
    }
    if (k->repeatable && v->n)
        memcpy(items, v->items, v->n * sizeof(*items));
    else
        value_clear(v);
    free(v->items);
    items[n - 1] = copy;
    items[n] = NULL;
    v->items = items;
    v->n = n;
    return LB_OK;
}

const char *lb_opts_get(const lb_opts *o, const char *key)
{
    long i = lb_opts_key_find(o, key);
    return i < 0 || o->values[i].n == 0 ? NULL : o->values[i].items[o->values[i].n - 1];
}

lb_status lb_opts_clear(lb_ctx *ctx, lb_opts *o, const char *key)
{
    long i = lb_opts_key_find(o, key);
    if (i < 0)
        return unknown_key(ctx, o->op, key);
    value_clear(&o->values[i]);
    return LB_OK;
}

lb_status lb_opts_check(lb_ctx *ctx, const lb_opts *o, int writing)
{
    return o->op->check ? o->op->check(ctx, o, writing) : LB_OK;
}

size_t lb_opts_key_count(const lb_opts *o)
{
    return o->op->n_keys;
}

const char *lb_opts_key_name(const lb_opts *o, size_t i)
{
    return i < o->op->n_keys ? o->op->keys[i].name : NULL;
}

const char *lb_opts_key_help(const lb_opts *o, size_t i)
{
    return i < o->op->n_keys ? o->op->keys[i].help : NULL;
}

int lb_opts_key_repeatable(const lb_opts *o, size_t i)
{
    return i < o->op->n_keys && o->op->keys[i].repeatable;
}

int lb_opts_key_is_flag(const lb_opts *o, size_t i)
{
    return i < o->op->n_keys && o->op->keys[i].type == LB_KEY_FLAG;
}

static const value *value_of(const lb_opts *o, const char *key)
{
    long i = key_index(o->op, key);
    return i < 0 ? NULL : &o->values[i];
}

int lb_opts_is_set(const lb_opts *o, const char *key)
{
    const value *v = value_of(o, key);
    return v && v->n > 0;
}

const char *lb_opts_get_str(const lb_opts *o, const char *key)
{
    const value *v = value_of(o, key);
    return v && v->n ? v->items[v->n - 1] : NULL;
}

long lb_opts_get_int(const lb_opts *o, const char *key, long def)
{
    const char *s = lb_opts_get_str(o, key);
    long l;
    return s && parse_long(s, &l) ? l : def;
}

double lb_opts_get_double(const lb_opts *o, const char *key, double def)
{
    const char *s = lb_opts_get_str(o, key);
    double d;
    return s && parse_real(s, &d) ? d : def;
}

int lb_opts_get_flag(const lb_opts *o, const char *key)
{
    const char *s = lb_opts_get_str(o, key);
    return s && flag_value(s) == 1;
}

const char *const *lb_opts_get_list(const lb_opts *o, const char *key, size_t *n)
{
    const value *v = value_of(o, key);
    if (n)
        *n = v ? v->n : 0;
    return v && v->n ? (const char *const *)v->items : empty_list;
}

size_t lb_opts_count_items(const char *text)
{
    size_t n = 0;
    for (const char *p = text; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
        n++;
    return n;
}

int lb_opts_parse_reals(const char *text, double *out, size_t cap, size_t *n)
{
    *n = 0;
    char buf[64];
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof(buf) || *n == cap)
            return 0;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (!parse_real(buf, &out[*n]))
            return 0;
        (*n)++;
        p += len;
        if (*p == ',' && !*++p)
            return 0; /* a trailing comma */
    }
    return *n > 0;
}

int lb_opts_parse_ints(const char *text, int *out, size_t cap, size_t *n)
{
    *n = 0;
    char buf[32];
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        long l;
        if (len == 0 || len >= sizeof(buf) || *n == cap)
            return 0;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (!parse_long(buf, &l) || l < INT_MIN + 1 || l > INT_MAX)
            return 0;
        out[(*n)++] = (int)l;
        p += len;
        if (*p == ',' && !*++p)
            return 0;
    }
    return *n > 0;
}
