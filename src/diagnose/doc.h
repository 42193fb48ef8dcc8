/* SPDX-License-Identifier: MIT */
/* A report written once and rendered as HTML or as Markdown: headings, paragraphs, lists and
 * tables that escape their text for the form at hand, so both forms carry the same numbers
 * and sentences (the diagnosis report, the waterbed summary). */
#ifndef LB_DIAGNOSE_DOC_H
#define LB_DIAGNOSE_DOC_H

#include "text.h"

#include <stddef.h>

/* The document being written. Zero-initialise, set @p html (1 = HTML, 0 = Markdown); the text
 * is in @p t (lb_text_free). An allocation failure sets t.failed (see lb_text). */
typedef struct lb_doc {
    lb_text t;
    int html;
    const char *align; /* current table's column alignment: 'l' or 'r' per column */
    size_t col;
} lb_doc;

/* Append @p s escaped for the form (lb_text_html or lb_text_md). */
void lb_doc_esc(lb_doc *k, const char *s);
void lb_doc_heading(lb_doc *k, int level, const char *text);
void lb_doc_para(lb_doc *k, const char *text);
/* A paragraph from a printf format. */
void lb_doc_paraf(lb_doc *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph with a bold lead-in. */
void lb_doc_para_lead(lb_doc *k, const char *lead, const char *text);
void lb_doc_list_begin(lb_doc *k);
void lb_doc_item(lb_doc *k, const char *text);
void lb_doc_list_end(lb_doc *k);
/* A table of strlen(@p align) columns ('l' or 'r' each) with header cells @p head; then the
 * cells row by row (a row ends by itself after the last column), then lb_doc_table_end. */
void lb_doc_table_begin(lb_doc *k, const char *align, const char *const *head);
void lb_doc_cell(lb_doc *k, const char *text); /* NULL = empty */
/* A cell whose content the caller writes between these two (escaped for the form). */
void lb_doc_cell_open(lb_doc *k);
void lb_doc_cell_close(lb_doc *k);
void lb_doc_table_end(lb_doc *k);

#endif
