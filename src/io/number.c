/* SPDX-License-Identifier: MIT */
/* The one parser of numbers written as text; the contract is in number.h. */
#include "number.h"

#include "vector.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAX_LEN = 63 };

/* Copy @p s without the spaces, tabs, CR/LF and quotes around it into @p buf (MAX_LEN + 1).
 * 0 when it is longer than MAX_LEN (no number a table holds is this long: never cut it). */
static int trim_into(const char *s, char *buf)
{
    while (*s == ' ' || *s == '\t' || *s == '"' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n'))
        n--;
    if (n > MAX_LEN)
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return 1;
}

static int is_mark(const char *t)
{
    static const char *const marks[] = {"",   ".",   "x",   "-",    "?",
                                        "na", "n/a", "nan", "null", "n.v.t."};
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
        if (strcasecmp(t, marks[i]) == 0)
            return 1;
    return 0;
}

int lb_number_is_missing_mark(const char *s)
{
    char buf[MAX_LEN + 1];
    return s && trim_into(s, buf) && is_mark(buf);
}

int lb_number_surely_text(const char *s)
{
    if (!s)
        return 0;
    char c = (char)(s[0] | 0x20); /* lower case for letters; not a letter stays none */
    return c >= 'a' && c <= 'z' && c != 'x' && c != 'n';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Digits of t[a, b) split by @p grp into a first group of 1-3 digits (not a lone leading 0)
 * and further groups of exactly 3. */
static int valid_groups(const char *t, size_t a, size_t b, char grp)
{
    size_t run = 0, groups = 0;
    for (size_t i = a; i < b; i++) {
        if (t[i] == grp) {
            if (run == 0 || (groups == 0 && (run > 3 || t[a] == '0')) || (groups > 0 && run != 3))
                return 0;
            groups++;
            run = 0;
        } else {
            run++;
        }
    }
    return groups > 0 && run == 3;
}

/* The core: the status, and for LB_NUM_OK the value; *dec_out / *grp_out receive the decimal and
 * grouping separators the text used (0 when none), for lb_number_style_of. */
static lb_num_status parse(const char *s, lb_num_style style, double *v, char *dec_out,
                           char *grp_out)
{
    char t[MAX_LEN + 1];
    *dec_out = *grp_out = 0;
    if (!s)
        return LB_NUM_MISSING;
    if (!trim_into(s, t))
        return LB_NUM_UNREADABLE;
    if (is_mark(t))
        return LB_NUM_MISSING;
    size_t i = 0;
    if (t[i] == '+' || t[i] == '-')
        i++;
    const size_t m0 = i; /* the mantissa: digits and separators */
    size_t n_dot = 0, n_comma = 0, last_dot = 0, last_comma = 0, n_digits = 0;
    for (; t[i] && t[i] != 'e' && t[i] != 'E'; i++) {
        if (t[i] == '.')
            n_dot++, last_dot = i;
        else if (t[i] == ',')
            n_comma++, last_comma = i;
        else if (is_digit(t[i]))
            n_digits++;
        else
            return LB_NUM_UNREADABLE; /* letters ("0x10", "inf"), spaces, a second sign */
    }
    const size_t m1 = i;
    if (n_digits == 0)
        return LB_NUM_UNREADABLE;
    if (t[i]) { /* exponent: e, optional sign, digits */
        size_t k = i + 1;
        if (t[k] == '+' || t[k] == '-')
            k++;
        if (!is_digit(t[k]))
            return LB_NUM_UNREADABLE;
        while (is_digit(t[k]))
            k++;
        if (t[k])
            return LB_NUM_UNREADABLE;
    }
    char dec = 0, grp = 0;
    if (n_dot && n_comma) {
        dec = last_dot > last_comma ? '.' : ',';
        grp = dec == '.' ? ',' : '.';
        if ((dec == '.' ? n_dot : n_comma) != 1)
            return LB_NUM_UNREADABLE;
    } else if (n_dot > 1 || n_comma > 1) {
        grp = n_dot ? '.' : ',';
    } else if (n_dot || n_comma) {
        char sep = n_dot ? '.' : ',';
        size_t at = n_dot ? last_dot : last_comma, int_len = at - m0, frac_len = m1 - at - 1;
        if (frac_len == 3 && int_len >= 1 && int_len <= 3 && t[m0] != '0' && !t[m1]) {
            /* "1.200": a thousands group or three decimals; only the file can tell */
            lb_num_style sep_groups = sep == '.' ? LB_NUM_STYLE_COMMA : LB_NUM_STYLE_POINT;
            if (style == LB_NUM_STYLE_UNKNOWN)
                return LB_NUM_AMBIGUOUS;
            if (style == sep_groups)
                grp = sep;
            else
                dec = sep;
        } else {
            dec = sep;
        }
    }
    /* The integer part ends at the decimal separator (or the exponent). */
    size_t int_end = m1;
    if (dec)
        int_end = dec == '.' ? last_dot : last_comma;
    if (grp && !valid_groups(t, m0, int_end, grp))
        return LB_NUM_UNREADABLE;
    char clean[MAX_LEN + 1];
    size_t o = 0;
    for (size_t k = 0; t[k]; k++) {
        if (k >= m0 && k < m1 && t[k] == grp)
            continue;
        clean[o++] = k >= m0 && k < m1 && t[k] == dec ? '.' : t[k];
    }
    clean[o] = '\0';
    char *end = NULL;
    errno = 0;
    double x = strtod(clean, &end);
    if (end == clean || *end != '\0' || errno == ERANGE || !isfinite(x))
        return LB_NUM_UNREADABLE;
    if (lb_io_is_cbs_sentinel(x))
        return LB_NUM_MISSING;
    *dec_out = dec;
    *grp_out = grp;
    *v = x;
    return LB_NUM_OK;
}

lb_num_status lb_number_parse(const char *s, lb_num_style style, double *v)
{
    char dec, grp;
    return parse(s, style, v, &dec, &grp);
}

lb_num_style lb_number_style_of(const char *s)
{
    char dec, grp;
    double v;
    if (parse(s, LB_NUM_STYLE_UNKNOWN, &v, &dec, &grp) != LB_NUM_OK)
        return LB_NUM_STYLE_UNKNOWN;
    if (dec == ',' || grp == '.')
        return LB_NUM_STYLE_COMMA;
    if (dec == '.' || grp == ',')
        return LB_NUM_STYLE_POINT;
    return LB_NUM_STYLE_UNKNOWN;
}

double lb_io_parse_number(const char *s)
{
    double v = NAN;
    return lb_number_parse(s, LB_NUM_STYLE_UNKNOWN, &v) == LB_NUM_OK ? v : NAN;
}
