/* SPDX-License-Identifier: MIT */
/* The option store behind include/leefbaar/options.h: per-operation key tables (keys.c) and
 * typed getters through which each operation reads its values. */
#ifndef LB_API_OPTS_H
#define LB_API_OPTS_H

#include <leefbaar/options.h>

#include <stddef.h>

/* How a key's value is checked on lb_opts_set and read back. */
typedef enum lb_key_type {
    LB_KEY_TEXT, /* any text, or one of `choices`, or what `valid` accepts */
    LB_KEY_INT,  /* a whole number in [lo, hi] */
    LB_KEY_REAL, /* a finite number in [lo, hi] */
    LB_KEY_FLAG, /* on/off: NULL, "true"/"false", "1"/"0", "yes"/"no" */
} lb_key_type;

typedef struct lb_key {
    const char *name; /* the long option without "--" */
    lb_key_type type;
    int repeatable;                 /* 1: every set appends */
    const char *help;               /* one line */
    const char *choices;            /* TEXT: "a|b|c", the only words accepted; NULL = any */
    double lo, hi;                  /* INT, REAL: the accepted range */
    int (*valid)(const char *text); /* further check of the text (1 = fine); NULL = none */
    const char *wants; /* what the value looks like, for "--KEY wants WANTS, got 'V'"; NULL
                          for choices: "--KEY: unknown value 'V' (one of a, b, c)" */
} lb_key;

/* Another spelling of a key. With on/off set the alias is a flag that sets the key to @p on
 * (true) or @p off (false). */
typedef struct lb_key_alias {
    const char *alias;
    const char *key;
    const char *on, *off;
} lb_key_alias;

typedef struct lb_operation {
    const char *name;
    const lb_key *keys;
    size_t n_keys;
    const lb_key_alias *aliases;
    size_t n_aliases;
    /* Required keys and combinations (lb_opts_check); NULL = none. */
    lb_status (*check)(lb_ctx *ctx, const lb_opts *o, int writing);
} lb_operation;

/* The operations, in the order lb_opts_create lists them (keys.c). */
extern const lb_operation *const lb_operations[];
extern const size_t lb_n_operations;

/* The operation of @p o. */
const lb_operation *lb_opts_op(const lb_opts *o);

/* Getters. @p key must be a key of the operation (a programming error otherwise: the getters
 * then answer as for an unset key). */
int lb_opts_is_set(const lb_opts *o, const char *key);
/* The last value of @p key (the value for a single key); NULL when unset. Borrowed. */
const char *lb_opts_get_str(const lb_opts *o, const char *key);
/* INT key: its value, or @p def when unset. */
long lb_opts_get_int(const lb_opts *o, const char *key, long def);
/* REAL key: its value, or @p def when unset. */
double lb_opts_get_double(const lb_opts *o, const char *key, double def);
/* FLAG key: 1 when set to true, else 0. */
int lb_opts_get_flag(const lb_opts *o, const char *key);
/* Every value of @p key in the order set (one for a single key), NULL-terminated; *n (may be
 * NULL) receives the count. Borrowed; NULL-terminated empty list when unset. */
const char *const *lb_opts_get_list(const lb_opts *o, const char *key, size_t *n);

/* Parse a comma-separated list of numbers into @p out (at most @p cap); the count in *n.
 * 0 when malformed (an empty item, a non-number, more than @p cap). */
int lb_opts_parse_reals(const char *text, double *out, size_t cap, size_t *n);
/* Parse a comma-separated list of whole numbers (years) into @p out; as above. */
int lb_opts_parse_ints(const char *text, int *out, size_t cap, size_t *n);
/* Number of comma-separated items of @p text (0 for ""). */
size_t lb_opts_count_items(const char *text);

/* The write keys of @p o (those its operation has) as lb_write_opts (src/data/result.h);
 * LB_ERR_ARG without "output". Strings in @p w are borrowed from @p o. */
struct lb_write_opts;
lb_status lb_write_opts_from(lb_ctx *ctx, const lb_opts *o, struct lb_write_opts *w);

#endif
