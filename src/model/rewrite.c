/* SPDX-License-Identifier: MIT */
/* A model file with new coefficients, written as the old text with only the changed scalars
 * replaced at their libyaml marks: comments, order, quoting and layout stay as the author wrote
 * them. Used by leefbaar calibrate for the fitted model (and its unit-coefficient copy). */
#include "rewrite.h"

#include "../core/ctx.h"

#include <yaml.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One replacement: bytes [from, to) of the old text become @p text. */
typedef struct splice {
    size_t from, to;
    char *text;
} splice;

typedef struct rewriter {
    lb_ctx *ctx;
    const char *path;
    const unsigned char *buf;
    size_t len;
    size_t *byte_of; /* byte offset of character index i (libyaml marks count characters) */
    size_t n_chars;
    yaml_document_t *doc;
    splice *sp;
    size_t n_sp, cap_sp;
} rewriter;

static lb_status nomem(rewriter *w)
{
    return lb_ctx_error(w->ctx, LB_ERR_NOMEM, "%s: out of memory", w->path);
}

static yaml_node_t *node(rewriter *w, int i)
{
    return yaml_document_get_node(w->doc, i);
}

static size_t byte_at(const rewriter *w, size_t char_index)
{
    return char_index < w->n_chars ? w->byte_of[char_index] : w->len;
}

/* libyaml counts characters in its marks; map them to bytes of the UTF-8 text. A BOM is
 * skipped by the reader without counting. */
static lb_status index_chars(rewriter *w)
{
    size_t start = w->len >= 3 && !memcmp(w->buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
    w->byte_of = malloc((w->len - start + 1) * sizeof(size_t));
    if (!w->byte_of)
        return nomem(w);
    for (size_t b = start; b < w->len; b++)
        if ((w->buf[b] & 0xC0) != 0x80)
            w->byte_of[w->n_chars++] = b;
    w->byte_of[w->n_chars] = w->len;
    return LB_OK;
}

static lb_status add_splice(rewriter *w, size_t from, size_t to, const char *text)
{
    if (w->n_sp == w->cap_sp) {
        size_t cap = w->cap_sp ? 2 * w->cap_sp : 32;
        splice *n = realloc(w->sp, cap * sizeof(*n));
        if (!n)
            return nomem(w);
        w->sp = n;
        w->cap_sp = cap;
    }
    char *t = lb_core_strdup(text);
    if (!t)
        return nomem(w);
    w->sp[w->n_sp++] = (splice){from, to, t};
    return LB_OK;
}

/* Replace scalar @p n by the number @p v. */
static lb_status put_number(rewriter *w, const yaml_node_t *n, double v)
{
    char num[64];
    snprintf(num, sizeof(num), "%.8g", v == 0 ? 0.0 : v); /* no "-0" */
    return add_splice(w, byte_at(w, n->start_mark.index), byte_at(w, n->end_mark.index), num);
}

/* The value node of @p key in mapping @p map, its pair's key node in @p *key_out. */
static yaml_node_t *map_get(rewriter *w, const yaml_node_t *map, const char *key,
                            yaml_node_t **key_out)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = node(w, pr->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key)) {
            if (key_out)
                *key_out = k;
            return node(w, pr->value);
        }
    }
    return NULL;
}

static int is_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE;
}

static lb_status edit_coefs(rewriter *w, const yaml_node_t *root, const lb_model_edit *e)
{
    const yaml_node_t *inds = map_get(w, root, "indicators", NULL);
    if (!inds || inds->type != YAML_SEQUENCE_NODE)
        return lb_ctx_error(w->ctx, LB_ERR_MODEL, "%s: no list 'indicators' to rewrite", w->path);
    size_t n = (size_t)(inds->data.sequence.items.top - inds->data.sequence.items.start);
    if (n != e->n_ind)
        return lb_ctx_error(w->ctx, LB_ERR_MODEL,
                            "%s: %zu indicators in the file, %zu coefficients to write; was the "
                            "model changed while it was being calibrated?",
                            w->path, n, e->n_ind);
    for (size_t i = 0; i < n; i++) {
        if (isnan(e->coef[i]))
            continue;
        const yaml_node_t *ind = node(w, inds->data.sequence.items.start[i]);
        const yaml_node_t *c = map_get(w, ind, "coef", NULL);
        if (!is_scalar(c))
            return lb_ctx_error(w->ctx, LB_ERR_MODEL, "%s: indicator %zu has no scalar 'coef'",
                                w->path, i + 1);
        lb_status st = put_number(w, c, e->coef[i]);
        if (st != LB_OK)
            return st;
    }
    return LB_OK;
}

/* REF: replaced where written; added as the reference mapping's first key, or as a new
 * top-level reference mapping at the end (@p tail collects what is appended). */
static lb_status edit_ref(rewriter *w, const yaml_node_t *root, double ref, char *tail,
                          size_t tail_size)
{
    char num[64];
    snprintf(num, sizeof(num), "%.8g", ref);
    yaml_node_t *refmap = map_get(w, root, "reference", NULL);
    if (refmap && refmap->type == YAML_MAPPING_NODE) {
        const yaml_node_t *r = map_get(w, refmap, "ref", NULL);
        if (is_scalar(r))
            return put_number(w, r, ref);
        if (refmap->data.mapping.pairs.top > refmap->data.mapping.pairs.start) {
            const yaml_node_t *k0 = node(w, refmap->data.mapping.pairs.start[0].key);
            char text[128];
            if (refmap->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
                snprintf(text, sizeof(text), "ref: %s, ", num);
            else
                snprintf(text, sizeof(text), "ref: %s\n%*s", num, (int)k0->start_mark.column, "");
            size_t at = byte_at(w, k0->start_mark.index);
            return add_splice(w, at, at, text);
        }
        return lb_ctx_error(w->ctx, LB_ERR_MODEL,
                            "%s: 'reference' is an empty mapping; write 'ref:' in it to calibrate",
                            w->path);
    }
    if (refmap)
        return lb_ctx_error(w->ctx, LB_ERR_MODEL, "%s: 'reference' is not a mapping", w->path);
    size_t used = strlen(tail);
    snprintf(tail + used, tail_size - used, "reference:\n  ref: %s\n", num);
    return LB_OK;
}

static lb_status edit_means(rewriter *w, const yaml_node_t *root, const lb_model_edit *e)
{
    const yaml_node_t *means = map_get(w, map_get(w, root, "reference", NULL), "means", NULL);
    if (!means || means->type != YAML_MAPPING_NODE)
        return LB_OK;
    for (size_t d = 0; d < e->n_dims; d++) {
        const yaml_node_t *v = map_get(w, means, e->dim_codes[d], NULL);
        if (is_scalar(v) && !isnan(e->means[d])) {
            lb_status st = put_number(w, v, e->means[d]);
            if (st != LB_OK)
                return st;
        }
    }
    return LB_OK;
}

/* An existing top-level calibration block is removed: from its key to the end of its value,
 * through the end of that line. */
static lb_status drop_calibration(rewriter *w, const yaml_node_t *root)
{
    yaml_node_t *k = NULL;
    const yaml_node_t *v = map_get(w, root, "calibration", &k);
    if (!v)
        return LB_OK;
    if (root->data.mapping.style == YAML_FLOW_MAPPING_STYLE)
        return lb_ctx_error(w->ctx, LB_ERR_MODEL,
                            "%s: a model written as one flow mapping cannot take a calibration "
                            "block; write it in block style",
                            w->path);
    size_t from = byte_at(w, k->start_mark.index), to = byte_at(w, v->end_mark.index);
    /* a block value ends at the start of the next key's line; a scalar at its last character */
    if (to > 0 && w->buf[to - 1] != '\n')
        while (to < w->len && w->buf[to] != '\n')
            to++;
    if (to < w->len && w->buf[to] == '\n' && (to == 0 || w->buf[to - 1] != '\n'))
        to++;
    return add_splice(w, from, to, "");
}

static int by_from(const void *a, const void *b)
{
    const splice *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

lb_status lb_model_rewrite(lb_ctx *ctx, const char *path, const unsigned char *buf, size_t len,
                           const lb_model_edit *e, char **out, size_t *out_len)
{
    lb_status st = LB_OK;
    rewriter w = {.ctx = ctx, .path = path, .buf = buf, .len = len};
    yaml_parser_t yp;
    yaml_document_t doc;
    int have_parser = 0, have_doc = 0;
    char tail[256] = "";
    char *text = NULL;

    if ((st = index_chars(&w)) != LB_OK)
        goto cleanup;
    if (!yaml_parser_initialize(&yp)) {
        st = nomem(&w);
        goto cleanup;
    }
    have_parser = 1;
    yaml_parser_set_input_string(&yp, buf, len);
    if (!yaml_parser_load(&yp, &doc)) {
        st = lb_ctx_error(ctx, LB_ERR_MODEL, "%s:%zu:%zu: %s", path, yp.problem_mark.line + 1,
                          yp.problem_mark.column + 1, yp.problem ? yp.problem : "invalid YAML");
        goto cleanup;
    }
    have_doc = 1;
    w.doc = &doc;
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        st = lb_ctx_error(ctx, LB_ERR_MODEL, "%s: not a model file (no top-level mapping)", path);
        goto cleanup;
    }
    if ((e->coef && (st = edit_coefs(&w, root, e)) != LB_OK) ||
        (e->set_ref && (st = edit_ref(&w, root, e->ref, tail, sizeof(tail))) != LB_OK) ||
        (e->means && (st = edit_means(&w, root, e)) != LB_OK) ||
        (e->calibration && (st = drop_calibration(&w, root)) != LB_OK))
        goto cleanup;

    if (w.n_sp > 1) /* qsort's pointer must not be NULL, even for 0 elements */
        qsort(w.sp, w.n_sp, sizeof(*w.sp), by_from);
    size_t cap = len + strlen(tail) + (e->calibration ? strlen(e->calibration) : 0) + 64;
    for (size_t i = 0; i < w.n_sp; i++)
        cap += strlen(w.sp[i].text);
    text = malloc(cap);
    if (!text) {
        st = nomem(&w);
        goto cleanup;
    }
    size_t n = 0, at = 0;
    for (size_t i = 0; i < w.n_sp; i++) {
        memcpy(text + n, buf + at, w.sp[i].from - at);
        n += w.sp[i].from - at;
        size_t tl = strlen(w.sp[i].text);
        memcpy(text + n, w.sp[i].text, tl);
        n += tl;
        at = w.sp[i].to;
    }
    memcpy(text + n, buf + at, len - at);
    n += len - at;
    if ((tail[0] || e->calibration) && n > 0 && text[n - 1] != '\n')
        text[n++] = '\n';
    /* no blank lines pile up where an old calibration block was removed */
    while (e->calibration && *e->calibration && n > 1 && text[n - 1] == '\n' && text[n - 2] == '\n')
        n--;
    memcpy(text + n, tail, strlen(tail));
    n += strlen(tail);
    if (e->calibration) {
        memcpy(text + n, e->calibration, strlen(e->calibration));
        n += strlen(e->calibration);
    }
    text[n] = '\0';
    *out = text;
    *out_len = n;
    text = NULL;
cleanup:
    free(text);
    for (size_t i = 0; i < w.n_sp; i++)
        free(w.sp[i].text);
    free(w.sp);
    free(w.byte_of);
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&yp);
    return st;
}

lb_status lb_model_read_text(lb_ctx *ctx, const char *path, unsigned char **out, size_t *len)
{
    lb_status st = LB_OK;
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lb_ctx_error(ctx, LB_ERR_IO, "cannot read model '%s': %s", path, strerror(errno));
    for (;;) {
        if (n + 1 >= cap) {
            size_t ncap = cap ? 2 * cap : 4096;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "reading model '%s': out of memory", path);
                goto cleanup;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "cannot read model '%s': %s", path, strerror(errno));
        goto cleanup;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
cleanup:
    free(buf);
    fclose(f);
    return st;
}
