/* SPDX-License-Identifier: MIT */
/* A target table joined to the scored units: the project's one table reader, the year chosen
 * by a year column, one row per code, values read by the one number parser, and counts of what
 * did not join. */
#include "target.h"

#include "../core/codes.h"
#include "../core/ctx.h"
#include "../io/attrtable.h"
#include "../io/number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { EXAMPLES = 3 };

typedef struct code_row {
    const char *code;
    size_t row;
} code_row;

static int by_code(const void *a, const void *b)
{
    const code_row *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* Text of cell (@p c, @p r): the trimmed text, or the number formatted; NULL when empty. */
static const char *cell_text(const lb_attr_table *t, long c, size_t r, char *buf, size_t size)
{
    if (t->text && t->text[c])
        return t->text[c][r];
    if (t->num && t->num[c] && !isnan(t->num[c][r])) {
        snprintf(buf, size, "%.15g", t->num[c][r]);
        return buf;
    }
    return NULL;
}

/* Where row @p r is, for messages: "line N" of a CSV, else "feature FID". */
static void where_row(const lb_attr_table *t, size_t r, char *buf, size_t size)
{
    if (t->data_line > 0)
        snprintf(buf, size, "line %zu", (size_t)t->data_line + r);
    else
        snprintf(buf, size, "feature %lld", (long long)t->fid[r]);
}

static lb_status find_field(lb_ctx *ctx, const lb_attr_table *t, const char *name, const char *what,
                            long *out)
{
    long c = lb_attr_table_col(t, name);
    if (c < 0) {
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < t->n_cols && used + 4 < sizeof(list); i++) {
            int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", t->names[i]);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "target table '%s' (layer %s) has no %s field '%s' "
                            "(fields: %s)",
                            t->path, t->layer, what, name, list);
    }
    *out = c;
    return LB_OK;
}

/* The rows of the year: year column given or found (jaar, year) and --year. */
static lb_status select_year(lb_ctx *ctx, const lb_attr_table *t, const char *year_field, int year,
                             unsigned char *keep, long *year_col)
{
    long yc = -1;
    lb_status st = LB_OK;
    if (year_field) {
        if ((st = find_field(ctx, t, year_field, "year", &yc)) != LB_OK)
            return st;
    } else {
        yc = lb_attr_table_col(t, "jaar");
        if (yc < 0)
            yc = lb_attr_table_col(t, "year");
    }
    *year_col = yc;
    for (size_t r = 0; r < t->n_rows; r++)
        keep[r] = 1;
    if (yc < 0)
        return LB_OK;
    int years[16];
    size_t n_years = 0, n_kept = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        char buf[64], where[64];
        const char *s = cell_text(t, yc, r, buf, sizeof(buf));
        double v = NAN;
        if (!s || lb_number_parse(s, LB_NUM_STYLE_POINT, &v) != LB_NUM_OK || v != floor(v)) {
            where_row(t, r, where, sizeof(where));
            return lb_ctx_error(ctx, LB_ERR_DATA,
                                "target table '%s', %s: year field '%s' holds '%s', not a year",
                                t->path, where, t->names[yc], s ? s : "");
        }
        int y = (int)v;
        size_t k = 0;
        while (k < n_years && years[k] != y)
            k++;
        if (k == n_years && n_years < sizeof(years) / sizeof(years[0]))
            years[n_years++] = y;
        keep[r] = !year || y == year;
        n_kept += keep[r];
    }
    char list[160] = "";
    for (size_t k = 0, used = 0; k < n_years; k++) {
        int w = snprintf(list + used, sizeof(list) - used, "%s%d", k ? ", " : "", years[k]);
        if (w < 0 || (size_t)w >= sizeof(list) - used)
            break;
        used += (size_t)w;
    }
    if (!year && n_years > 1)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "target table '%s' holds the years %s (field '%s'); choose one with "
                            "--year",
                            t->path, list, t->names[yc]);
    if (n_kept == 0)
        return lb_ctx_error(ctx, LB_ERR_DATA,
                            "target table '%s' has no row of year %d (field '%s' holds %s)",
                            t->path, year, t->names[yc], list);
    return LB_OK;
}

/* The decimal separator the column's values agree on. */
static lb_num_style column_style(const lb_attr_table *t, long c, const unsigned char *keep)
{
    int comma = 0, point = 0;
    for (size_t r = 0; t->text && t->text[c] && r < t->n_rows; r++) {
        if (!keep[r] || !t->text[c][r])
            continue;
        lb_num_style s = lb_number_style_of(t->text[c][r]);
        comma |= s == LB_NUM_STYLE_COMMA;
        point |= s == LB_NUM_STYLE_POINT;
    }
    return comma && !point   ? LB_NUM_STYLE_COMMA
           : point && !comma ? LB_NUM_STYLE_POINT
                             : LB_NUM_STYLE_UNKNOWN;
}

static void examples(char *buf, size_t size, const char *const *codes, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0, used = 0, k = 0; i < n && k < EXAMPLES; i++) {
        if (!codes[i])
            continue;
        int w = snprintf(buf + used, size - used, "%s%s", k ? ", " : "", codes[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
        k++;
    }
}

void lb_calibrate_joined_free(lb_calibrate_joined *j)
{
    if (!j)
        return;
    free(j->y);
    for (size_t u = 0; j->cluster && u < j->n_units; u++)
        free(j->cluster[u]);
    free(j->cluster);
    free(j->id_field);
    free(j->year_field);
    free(j->layer);
    memset(j, 0, sizeof(*j));
}

lb_status lb_calibrate_target_join(lb_ctx *ctx, const lb_calibrate_target_spec *s,
                                   lb_calibrate_joined *out)
{
    lb_status st = LB_OK;
    lb_attr_table *t = NULL;
    unsigned char *keep = NULL;
    code_row *rows = NULL;
    const char **unjoined = NULL;
    lb_calibrate_joined j = {.n_units = s->n_units};

    if ((st = lb_attr_table_read(ctx, s->path, s->layer, &t)) != LB_OK)
        goto cleanup;
    keep = malloc(t->n_rows + 1);
    rows = malloc((t->n_rows + 1) * sizeof(*rows));
    unjoined = calloc(t->n_rows + 1, sizeof(*unjoined));
    j.y = malloc((s->n_units + 1) * sizeof(double));
    if (s->cluster_field)
        j.cluster = calloc(s->n_units + 1, sizeof(char *));
    if (!keep || !rows || !unjoined || !j.y || (s->cluster_field && !j.cluster)) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    j.layer = lb_core_strdup(t->layer ? t->layer : "");
    j.n_rows = t->n_rows;

    /* the code column: given, the units' own, or the finest code field of the table */
    long idc = -1, fc = -1, cc = -1, yc = -1;
    if (s->id_field) {
        if ((st = find_field(ctx, t, s->id_field, "code", &idc)) != LB_OK)
            goto cleanup;
    } else {
        idc = lb_attr_table_col(t, s->units_id_name);
        if (idc < 0)
            idc = lb_core_code_field_find((const char *const *)t->names, t->n_cols);
        if (idc < 0) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "target table '%s' has no code field (BU_CODE, WK_CODE, GM_CODE, "
                              "buurtcode, ...) nor '%s' like the units; name it with --target-id",
                              s->path, s->units_id_name);
            goto cleanup;
        }
    }
    if ((st = find_field(ctx, t, s->field, "target", &fc)) != LB_OK ||
        (s->cluster_field && (st = find_field(ctx, t, s->cluster_field, "gemeente", &cc))))
        goto cleanup;
    if ((st = select_year(ctx, t, s->year_field, s->year, keep, &yc)) != LB_OK)
        goto cleanup;
    if (!(j.id_field = lb_core_strdup(t->names[idc])) ||
        (yc >= 0 && !(j.year_field = lb_core_strdup(t->names[yc])))) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }

    /* one row per code among the rows kept */
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!keep[r])
            continue;
        const char *code = t->text && t->text[idc] ? t->text[idc][r] : NULL;
        if (!code) {
            char where[64];
            where_row(t, r, where, sizeof(where));
            if (t->num && t->num[idc]) {
                st = lb_ctx_error(ctx, LB_ERR_DATA,
                                  "target table '%s': code field '%s' is numeric; codes are text "
                                  "such as WK036301 (name a text field with --target-id)",
                                  s->path, t->names[idc]);
                goto cleanup;
            }
            j.n_no_code++;
            continue;
        }
        rows[n++] = (code_row){code, r};
    }
    j.n_rows_year = n + j.n_no_code;
    qsort(rows, n, sizeof(*rows), by_code);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(rows[i].code, rows[i - 1].code)) {
            char w1[64], w2[64];
            where_row(t, rows[i - 1].row, w1, sizeof(w1));
            where_row(t, rows[i].row, w2, sizeof(w2));
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "target table '%s': code %s occurs twice (%s and %s)%s; a target "
                              "needs one row per unit%s",
                              s->path, rows[i].code, w1, w2, yc >= 0 ? " in the year chosen" : "",
                              yc >= 0 || s->year ? ""
                                                 : " (a table of several years needs a year "
                                                   "column: name it with --target-year-field)");
            goto cleanup;
        }

    lb_num_style style = column_style(t, fc, keep);
    unsigned char *used = calloc(n + 1, 1);
    if (!used) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t u = 0; u < s->n_units; u++) {
        j.y[u] = NAN;
        const char *code = s->unit_codes[u];
        if (!code)
            continue;
        code_row key = {code, 0};
        /* the first row of the code: every row sorts after {code, 0} or equals it */
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (by_code(&rows[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo >= n || strcmp(rows[lo].code, code) != 0)
            continue;
        size_t r = rows[lo].row;
        used[lo] = 1;
        j.n_joined++;
        if (j.cluster) {
            char buf[64];
            const char *g = cell_text(t, cc, r, buf, sizeof(buf));
            if (g && !(j.cluster[u] = lb_core_strdup(g))) {
                free(used);
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
                goto cleanup;
            }
        }
        double v = NAN;
        if (t->num && t->num[fc]) {
            v = t->num[fc][r];
        } else {
            const char *txt = t->text[fc][r];
            lb_num_status ns = lb_number_parse(txt, style, &v);
            if (ns == LB_NUM_AMBIGUOUS || ns == LB_NUM_UNREADABLE) {
                char where[64];
                where_row(t, r, where, sizeof(where));
                free(used);
                st = lb_ctx_error(
                    ctx, LB_ERR_DATA, "target table '%s', %s, field '%s' (code %s): '%s' is %s",
                    s->path, where, t->names[fc], code, txt,
                    ns == LB_NUM_AMBIGUOUS ? "ambiguous (1.200: 1200 or 1.2?); write it without "
                                             "thousands separators"
                                           : "not a number");
                goto cleanup;
            }
            if (ns != LB_NUM_OK)
                v = NAN;
        }
        j.y[u] = v;
        if (isnan(v))
            j.n_missing++;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!used[i])
            unjoined[k++] = rows[i].code;
    free(used);
    j.n_unjoined = k;
    examples(j.unjoined_examples, sizeof(j.unjoined_examples), unjoined, k);
    if (j.n_joined == 0) {
        char theirs[160], ours[160];
        const char **codes = calloc(n + 1, sizeof(*codes));
        if (!codes) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++)
            codes[i] = rows[i].code;
        examples(theirs, sizeof(theirs), codes, n);
        free(codes);
        examples(ours, sizeof(ours), s->unit_codes, s->n_units);
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "target table '%s': none of its %zu codes (field '%s', e.g. %s) is a "
                          "code of the %zu units (field '%s' of '%s', e.g. %s); are they the "
                          "same level and year of the Wijk- en Buurtkaart? (--target-id names "
                          "the target's code field)",
                          s->path, n, t->names[idc], n ? theirs : "none", s->n_units,
                          s->units_id_name, s->units_name, ours[0] ? ours : "none");
        goto cleanup;
    }
    *out = j;
    memset(&j, 0, sizeof(j));
cleanup:
    lb_calibrate_joined_free(&j);
    free(unjoined);
    free(rows);
    free(keep);
    lb_attr_table_destroy(t);
    return st;
}
