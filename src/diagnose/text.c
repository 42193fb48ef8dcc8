/* SPDX-License-Identifier: MIT */
/* Report text: string buffer, Dutch number formatting, HTML and Markdown escaping. */
#include "text.h"

#include "../core/ctx.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lb_text_free(lb_text *t)
{
    free(t->s);
    memset(t, 0, sizeof(*t));
}

static int reserve(lb_text *t, size_t extra)
{
    if (t->failed)
        return 0;
    if (t->len + extra + 1 <= t->cap)
        return 1;
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + extra + 1)
        cap *= 2;
    char *s = realloc(t->s, cap);
    if (!s) {
        t->failed = 1;
        return 0;
    }
    t->s = s;
    t->cap = cap;
    return 1;
}

static void put(lb_text *t, const char *s, size_t n)
{
    if (!reserve(t, n))
        return;
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

void lb_text_puts(lb_text *t, const char *s)
{
    put(t, s, strlen(s));
}

void lb_text_printf(lb_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    if (!reserve(t, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void lb_text_html(lb_text *t, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        switch (*p) {
        case '&':
            lb_text_puts(t, "&amp;");
            break;
        case '<':
            lb_text_puts(t, "&lt;");
            break;
        case '>':
            lb_text_puts(t, "&gt;");
            break;
        case '"':
            lb_text_puts(t, "&quot;");
            break;
        case '\'':
            lb_text_puts(t, "&#39;");
            break;
        default:
            put(t, p, 1);
        }
    }
}

void lb_text_md(lb_text *t, const char *s)
{
    if (!s)
        return;
    const char *p = s;
    /* At the start of a line Markdown reads indentation as code and "-", "+", "=" or "12." as
     * block markers; names and codes from the data must stay text. */
    if (t->len == 0 || t->s[t->len - 1] == '\n') {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t nd = strspn(p, "0123456789");
        if (nd > 0 && (p[nd] == '.' || p[nd] == ')')) {
            put(t, p, nd);
            put(t, "\\", 1);
            put(t, p + nd, 1);
            p += nd + 1;
        } else if (*p == '-' || *p == '+' || *p == '=') {
            put(t, "\\", 1);
            put(t, p++, 1);
        }
    }
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) /* newlines, tabs and other controls end a line or a cell */
            put(t, " ", 1);
        else if (strchr("\\`*_[]<>&|#~!", c)) {
            put(t, "\\", 1);
            put(t, p, 1);
        } else
            put(t, p, 1);
    }
}

lb_status lb_text_write(lb_ctx *ctx, const lb_text *t, const char *path)
{
    if (t->failed)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory while writing '%s'", path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    size_t n = t->len ? fwrite(t->s, 1, t->len, f) : 0;
    int err = (n != t->len || ferror(f)) ? errno : 0;
    if (fclose(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (n != t->len || err)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot write '%s': %s", path,
                            strerror(err ? err : EIO));
    return LB_OK;
}

/* printf's %.*f rounds the exact binary value correctly but breaks exact ties to even
 * (0.125 → "0.12"). A tie has a finite expansion ending in the 5 right after the last kept
 * digit; Dutch reporting rounds those half away from zero, so such values are nudged up. */
static void digits(char *buf, size_t size, double a, int decimals)
{
    if (a < 1e15) {
        char exact[512];
        snprintf(exact, sizeof(exact), "%.*f", decimals + 40, a);
        const char *dot = strchr(exact, '.');
        if (dot && dot[decimals + 1] == '5' && strspn(dot + decimals + 2, "0") == 40 - 1)
            a = nextafter(a, INFINITY);
    }
    snprintf(buf, size, "%.*f", decimals, a);
}

char *lb_diagnose_nl_number(char *buf, size_t size, double v, int decimals, int flags)
{
    if (size == 0)
        return buf;
    if (!isfinite(v)) {
        snprintf(buf, size, "\xe2\x80\x93"); /* en dash */
        return buf;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 12)
        decimals = 12;
    char num[400];
    digits(num, sizeof(num), fabs(v), decimals);
    int zero = strspn(num, "0.") == strlen(num);
    const char *sign = "";
    if (!zero && v < 0)
        sign = "-";
    else if (!zero && (flags & LB_NL_SIGN))
        sign = "+";

    char out[512];
    size_t o = 0;
    for (const char *s = sign; *s; s++)
        out[o++] = *s;
    const char *dot = strchr(num, '.');
    size_t int_len = dot ? (size_t)(dot - num) : strlen(num);
    for (size_t i = 0; i < int_len && o < sizeof(out) - 2; i++) {
        if ((flags & LB_NL_GROUP) && i > 0 && (int_len - i) % 3 == 0)
            out[o++] = '.';
        out[o++] = num[i];
    }
    if (dot) {
        out[o++] = ',';
        for (const char *s = dot + 1; *s && o < sizeof(out) - 1; s++)
            out[o++] = *s;
        if (flags & LB_NL_TRIM) {
            while (out[o - 1] == '0')
                o--;
            if (out[o - 1] == ',')
                o--;
        }
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
    return buf;
}
