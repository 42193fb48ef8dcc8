/* SPDX-License-Identifier: MIT */
/* The one parser of numbers written as text (CSV cells, text fields, model values): Dutch and
 * English decimal and thousands separators, missing-value marks, and a status that tells a
 * missing value from text that cannot be read, so that readers can count and report the latter.
 */
#ifndef LB_IO_NUMBER_H
#define LB_IO_NUMBER_H

/* What a piece of text is. */
typedef enum lb_num_status {
    LB_NUM_OK = 0,        /* a finite number */
    LB_NUM_MISSING = 1,   /* a missing-value mark or a CBS sentinel value */
    LB_NUM_AMBIGUOUS = 2, /* "1.200" / "1,200": 1200 or 1.2, and the file does not tell */
    LB_NUM_UNREADABLE = 3 /* anything else: words, "0x10", "inf", "1.23.4", overflow */
} lb_num_status;

/* Which separator a file uses for decimals, when its unambiguous values tell. */
typedef enum lb_num_style {
    LB_NUM_STYLE_UNKNOWN = 0, /* no evidence, or both kinds: ambiguous values stay ambiguous */
    LB_NUM_STYLE_COMMA = 1,   /* "12,5" and "1.234,5": a lone "1.200" is 1200 */
    LB_NUM_STYLE_POINT = 2    /* "12.5" and "1,234.5": a lone "1.200" is 1.2 */
} lb_num_style;

/* Parse @p s (may be NULL) into *@p v (set only for LB_NUM_OK). The contract:
 * - Spaces, tabs, CR/LF and double quotes around the text are ignored.
 * - Missing (LB_NUM_MISSING): empty text; the StatLine and spreadsheet marks ".", "x", "-",
 *   "?", "n.v.t.", "NA", "N/A", "NaN", "NULL" (letters in any case); and a number that
 *   lb_io_is_cbs_sentinel() calls a CBS sentinel (-99999997 and the like).
 * - A number is an optional sign ('+' or '-'), digits with at most one decimal separator and
 *   optional thousands separators, and an optional exponent ("1e-04", as R and pandas write).
 *   With both '.' and ',' the last one is the decimal separator and the other groups thousands
 *   ("1.234,5" and "1,234.5" are 1234.5); one separator occurring more than once groups
 *   thousands ("1.234.567" is 1234567). Groups of thousands must be 3 digits after a first group
 *   of 1 to 3 digits.
 * - A single separator followed by exactly 3 digits after 1 to 3 digits not starting with 0
 *   ("1.200", "-12,500") is 1200 in a file of @p style COMMA for '.', 1.2 in a file of style
 *   POINT, and LB_NUM_AMBIGUOUS when @p style is UNKNOWN: it is never guessed. "0.125" is 0.125.
 * - Everything else is LB_NUM_UNREADABLE: words, hexadecimal ("0x10"), "inf", "1e999",
 *   separators in the wrong place, text longer than 63 characters. */
lb_num_status lb_number_parse(const char *s, lb_num_style style, double *v);

/* The evidence @p s gives about its file's decimal separator: COMMA for "12,5", "1.234,5" or
 * "1.234.567"; POINT for "12.5", "0.125", "1,234.5" or "1,234,567"; UNKNOWN for integers,
 * ambiguous values, marks and text. */
lb_num_style lb_number_style_of(const char *s);

/* Is @p s text that lb_number_parse reads as LB_NUM_UNREADABLE whatever the style (and
 * lb_number_style_of as LB_NUM_STYLE_UNKNOWN), told by its first character alone? It is when
 * that is an ASCII letter that starts no missing-value mark (x and n do) and no number (the
 * exponent's e needs digits before it): a CBS square code ("E0930N4410"), most names. A
 * shortcut for readers of many such values; 0 says nothing (NULL: 0). */
int lb_number_surely_text(const char *s);

/* Is @p s (trimmed as above) one of the missing-value marks (not a sentinel number)? */
int lb_number_is_missing_mark(const char *s);

/* Parse with no file context: the number, or NaN for missing, ambiguous and unreadable text.
 * For single values such as a model's category value; readers of tables use lb_number_parse
 * and count what is not a number. */
double lb_io_parse_number(const char *s);

#endif
