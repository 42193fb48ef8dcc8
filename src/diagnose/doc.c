/* SPDX-License-Identifier: MIT */
/* The report primitives of doc.h: each writes HTML or Markdown, escaping its text. */
#include "doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lb_doc_esc(lb_doc *k, const char *s)
{
    if (k->html)
        lb_text_html(&k->t, s);
    else
        lb_text_md(&k->t, s);
}

void lb_doc_heading(lb_doc *k, int level, const char *text)
{
    if (k->html) {
        lb_text_printf(&k->t, "<h%d>", level);
        lb_doc_esc(k, text);
        lb_text_printf(&k->t, "</h%d>\n", level);
    } else {
        lb_text_printf(&k->t, "\n%.*s ", level, "######");
        lb_doc_esc(k, text);
        lb_text_puts(&k->t, "\n\n");
    }
}

void lb_doc_para(lb_doc *k, const char *text)
{
    lb_text_puts(&k->t, k->html ? "<p>" : "");
    lb_doc_esc(k, text);
    lb_text_puts(&k->t, k->html ? "</p>\n" : "\n\n");
}

void lb_doc_para_lead(lb_doc *k, const char *lead, const char *text)
{
    lb_text_puts(&k->t, k->html ? "<p><strong>" : "**");
    lb_doc_esc(k, lead);
    lb_text_puts(&k->t, k->html ? "</strong> " : "** ");
    lb_doc_esc(k, text);
    lb_text_puts(&k->t, k->html ? "</p>\n" : "\n\n");
}

void lb_doc_item(lb_doc *k, const char *text)
{
    lb_text_puts(&k->t, k->html ? "<li>" : "- ");
    lb_doc_esc(k, text);
    lb_text_puts(&k->t, k->html ? "</li>\n" : "\n");
}

void lb_doc_list_begin(lb_doc *k)
{
    if (k->html)
        lb_text_puts(&k->t, "<ul>\n");
}

void lb_doc_list_end(lb_doc *k)
{
    lb_text_puts(&k->t, k->html ? "</ul>\n" : "\n");
}

void lb_doc_table_begin(lb_doc *k, const char *align, const char *const *head)
{
    size_t n = strlen(align);
    k->align = align;
    k->col = 0;
    if (k->html) {
        /* Ten or more columns do not fit an A4 page at the normal size: the print CSS
         * shrinks tables marked wide. */
        lb_text_printf(&k->t, "<div class=\"tw%s\"><table>\n<thead><tr>", n >= 10 ? " wide" : "");
        for (size_t i = 0; i < n; i++) {
            lb_text_printf(&k->t, "<th%s>", align[i] == 'r' ? " class=\"r\"" : "");
            lb_doc_esc(k, head[i]);
            lb_text_puts(&k->t, "</th>");
        }
        lb_text_puts(&k->t, "</tr></thead>\n<tbody>\n");
    } else {
        lb_text_puts(&k->t, "|");
        for (size_t i = 0; i < n; i++) {
            lb_text_puts(&k->t, " ");
            lb_doc_esc(k, head[i]);
            lb_text_puts(&k->t, " |");
        }
        lb_text_puts(&k->t, "\n|");
        for (size_t i = 0; i < n; i++)
            lb_text_puts(&k->t, align[i] == 'r' ? " --: |" : " --- |");
        lb_text_puts(&k->t, "\n");
    }
}

void lb_doc_cell_open(lb_doc *k)
{
    if (k->col == 0)
        lb_text_puts(&k->t, k->html ? "<tr>" : "|");
    if (k->html)
        lb_text_printf(&k->t, "<td%s>", k->align[k->col] == 'r' ? " class=\"r\"" : "");
    else
        lb_text_puts(&k->t, " ");
}

void lb_doc_cell_close(lb_doc *k)
{
    lb_text_puts(&k->t, k->html ? "</td>" : " |");
    if (++k->col == strlen(k->align)) {
        lb_text_puts(&k->t, k->html ? "</tr>\n" : "\n");
        k->col = 0;
    }
}

void lb_doc_cell(lb_doc *k, const char *text)
{
    lb_doc_cell_open(k);
    lb_doc_esc(k, text ? text : "");
    lb_doc_cell_close(k);
}

void lb_doc_table_end(lb_doc *k)
{
    lb_text_puts(&k->t, k->html ? "</tbody></table></div>\n" : "\n");
}

void lb_doc_paraf(lb_doc *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf) {
        k->t.failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    lb_doc_para(k, buf);
    free(buf);
}
