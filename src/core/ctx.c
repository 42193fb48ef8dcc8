/* SPDX-License-Identifier: MIT */
/* The library context: error buffer, per-module slots (the GEOS handle), log and progress
 * callbacks. */
#include "ctx.h"

#include "lb_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

enum { ERRMSG_SIZE = 2048 };

struct lb_ctx {
    char errmsg[ERRMSG_SIZE];
    void *slot[LB_CTX_N_SLOTS];
    void (*slot_destroy[LB_CTX_N_SLOTS])(void *);
    lb_log_fn log_fn;
    void *log_user;
    lb_progress_fn progress_fn;
    void *progress_user;
    char **warnings;
    size_t n_warnings;
    size_t cap_warnings;
    void (*divert_fn)(void *user, const char *msg); /* lb_ctx_warnings_divert */
    void *divert_user;
    int threads; /* 0 = all cores */
};

lb_status lb_ctx_create(lb_ctx **out)
{
    if (!out)
        return LB_ERR_ARG;
    lb_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return LB_ERR_NOMEM;
    *out = ctx;
    return LB_OK;
}

void lb_ctx_destroy(lb_ctx *ctx)
{
    if (!ctx)
        return;
    for (int i = LB_CTX_N_SLOTS - 1; i >= 0; i--)
        if (ctx->slot[i] && ctx->slot_destroy[i])
            ctx->slot_destroy[i](ctx->slot[i]);
    for (size_t i = 0; i < ctx->n_warnings; i++)
        free(ctx->warnings[i]);
    free(ctx->warnings);
    free(ctx);
}

const char *lb_ctx_errmsg(const lb_ctx *ctx)
{
    return ctx ? ctx->errmsg : "";
}

void lb_ctx_set_log(lb_ctx *ctx, lb_log_fn fn, void *user)
{
    ctx->log_fn = fn;
    ctx->log_user = user;
}

void lb_ctx_set_progress(lb_ctx *ctx, lb_progress_fn fn, void *user)
{
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

lb_status lb_ctx_set_threads(lb_ctx *ctx, int n)
{
    if (n < 0 || n > LB_MAX_THREADS)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "threads must be 0 (all cores) or 1 to %d, got %d; more threads than "
                            "that only add memory (each one has its own stack and scratch) and "
                            "the OpenMP runtime cannot create tens of thousands",
                            LB_MAX_THREADS, n);
    ctx->threads = n;
    return LB_OK;
}

int lb_ctx_threads(const lb_ctx *ctx)
{
    if (ctx && ctx->threads > 0)
        return ctx->threads;
#ifdef _OPENMP
    int n = omp_get_num_procs();
    return n > 0 ? n : 1;
#else
    return 1;
#endif
}

size_t lb_ctx_warning_count(const lb_ctx *ctx)
{
    return ctx->n_warnings;
}

const char *lb_ctx_warning(const lb_ctx *ctx, size_t i)
{
    return i < ctx->n_warnings ? ctx->warnings[i] : NULL;
}

const char *lb_status_str(lb_status s)
{
    static const char *const names[] = {
        [LB_OK] = "ok",
        [LB_ERR_NOMEM] = "out of memory",
        [LB_ERR_ARG] = "invalid argument",
        [LB_ERR_IO] = "input/output error",
        [LB_ERR_CRS] = "coordinate reference system error",
        [LB_ERR_GEOM] = "geometry error",
        [LB_ERR_DATA] = "data error",
        [LB_ERR_MODEL] = "model error",
        [LB_ERR_INTERNAL] = "internal error",
        [LB_ERR_CANCELLED] = "cancelled",
    };
    if ((unsigned)s < sizeof(names) / sizeof(names[0]))
        return names[s];
    return "unknown status";
}

const char *lb_version(void)
{
    return LB_VERSION_STRING;
}

lb_status lb_ctx_error(lb_ctx *ctx, lb_status s, const char *fmt, ...)
{
    if (!ctx)
        return s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
    va_end(ap);
    return s;
}

lb_status lb_ctx_error_prefix(lb_ctx *ctx, lb_status s, const char *fmt, ...)
{
    if (!ctx)
        return s;
    char prefix[ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    char old[ERRMSG_SIZE];
    memcpy(old, ctx->errmsg, sizeof(old));
    size_t np = strlen(prefix);
    if (np >= sizeof(ctx->errmsg))
        np = sizeof(ctx->errmsg) - 1;
    memcpy(ctx->errmsg, prefix, np);
    size_t room = sizeof(ctx->errmsg) - 1 - np;
    size_t no = strlen(old);
    if (no > room)
        no = room;
    memcpy(ctx->errmsg + np, old, no);
    ctx->errmsg[np + no] = '\0';
    return s;
}

void lb_ctx_error_clear(lb_ctx *ctx)
{
    ctx->errmsg[0] = '\0';
}

void lb_ctx_warnings_reset(lb_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n_warnings; i++)
        free(ctx->warnings[i]);
    ctx->n_warnings = 0;
}

void lb_ctx_warnings_divert(lb_ctx *ctx, void (*fn)(void *user, const char *msg), void *user)
{
    ctx->divert_fn = fn;
    ctx->divert_user = user;
}

static void keep_warning(lb_ctx *ctx, const char *msg)
{
    if (ctx->n_warnings == ctx->cap_warnings) {
        size_t cap = ctx->cap_warnings ? 2 * ctx->cap_warnings : 8;
        char **w = realloc(ctx->warnings, cap * sizeof(*w));
        if (!w)
            return;
        ctx->warnings = w;
        ctx->cap_warnings = cap;
    }
    char *copy = lb_core_strdup(msg);
    if (copy)
        ctx->warnings[ctx->n_warnings++] = copy;
}

void lb_ctx_log(lb_ctx *ctx, lb_log_level level, const char *fmt, ...)
{
    char msg[ERRMSG_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (level == LB_LOG_WARN && ctx->divert_fn) {
        ctx->divert_fn(ctx->divert_user, msg);
        return;
    }
    if (level == LB_LOG_WARN)
        keep_warning(ctx, msg);
    if (ctx->log_fn)
        ctx->log_fn(ctx->log_user, level, msg);
}

lb_status lb_ctx_progress(lb_ctx *ctx, double done, const char *stage)
{
    if (ctx->progress_fn && ctx->progress_fn(ctx->progress_user, done, stage) != 0)
        return lb_ctx_error(ctx, LB_ERR_CANCELLED, "cancelled by the progress callback during %s",
                            stage);
    return LB_OK;
}

void *lb_ctx_slot_get(const lb_ctx *ctx, lb_ctx_slot slot)
{
    return ctx && slot < LB_CTX_N_SLOTS ? ctx->slot[slot] : NULL;
}

void lb_ctx_slot_set(lb_ctx *ctx, lb_ctx_slot slot, void *obj, void (*destroy)(void *))
{
    if (!ctx || slot >= LB_CTX_N_SLOTS)
        return;
    if (ctx->slot[slot] && ctx->slot_destroy[slot] && ctx->slot[slot] != obj)
        ctx->slot_destroy[slot](ctx->slot[slot]);
    ctx->slot[slot] = obj;
    ctx->slot_destroy[slot] = destroy;
}

char *lb_core_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int lb_core_str_ieq(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return *a == *b;
}

const char *lb_core_trim(const char *s, size_t *n)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t k = strlen(s);
    while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r' || s[k - 1] == '\n'))
        k--;
    *n = k;
    return s;
}

char *lb_core_strdup_trim(const char *s)
{
    if (!s)
        return NULL;
    size_t n;
    s = lb_core_trim(s, &n);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *lb_core_strfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void lb_core_list_append(char *buf, size_t size, const char *name)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
}
