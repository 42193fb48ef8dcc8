/* SPDX-License-Identifier: MIT */
/* Text for the reports: a growing string buffer, numbers written the Dutch way, and escaping
 * for HTML and Markdown. */
#ifndef LB_DIAGNOSE_TEXT_H
#define LB_DIAGNOSE_TEXT_H

#include <leefbaar/core.h>

#include <stddef.h>

/* A growing NUL-terminated string. An allocation failure sets @p failed and makes every later
 * append a no-op, so writers check once at the end. Zero-initialise; free with lb_text_free. */
typedef struct lb_text {
    char *s;
    size_t len, cap;
    int failed;
} lb_text;

void lb_text_free(lb_text *t);
void lb_text_puts(lb_text *t, const char *s);
void lb_text_printf(lb_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append @p s with &, <, >, " and ' replaced by entities (text and attribute values). */
void lb_text_html(lb_text *t, const char *s);

/* Append @p s for Markdown text or a table cell: ASCII punctuation that Markdown would
 * interpret (\ ` * _ [ ] < > & | # ~ !) is backslash-escaped (CommonMark), control characters
 * (newlines, tabs) become spaces, and at the start of a line indentation is dropped and a
 * block marker ("-", "+", "=", "12." or "12)") escaped. */
void lb_text_md(lb_text *t, const char *s);

/* Write the buffer to @p path (created or truncated). LB_ERR_NOMEM when the buffer failed,
 * LB_ERR_IO with the path and reason otherwise. */
lb_status lb_text_write(lb_ctx *ctx, const lb_text *t, const char *path);

/* Number formats for lb_diagnose_nl_number(). */
enum {
    LB_NL_PLAIN = 0,
    LB_NL_SIGN = 1,  /* always a sign: "+0,031", "-0,104", and "0,000" without one */
    LB_NL_GROUP = 2, /* thousands separated by a point: "2.500", "12.345,6" */
    LB_NL_TRIM = 4,  /* trailing zeros after the comma dropped: "3,46", "0,2", "2" */
};

/* Format @p v with @p decimals digits after a decimal comma, rounded half away from zero on
 * the decimal digits as printed (so 0.0005 → "0,001" at 3 decimals only when the double is
 * at or above the half). A result that rounds to zero has no minus sign ("0,000", never
 * "-0,000"). NaN or infinity gives "–" (en dash). Writes at most @p size bytes including the
 * NUL and returns @p buf. */
char *lb_diagnose_nl_number(char *buf, size_t size, double v, int decimals, int flags);

#endif
