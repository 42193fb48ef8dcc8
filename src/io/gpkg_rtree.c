/* SPDX-License-Identifier: MIT */
/* A packed GeoPackage R-tree, written after the rows.
 *
 * GDAL 3.6 fills a layer's rtree with one R*-tree insertion per row, which took more than half
 * of the time of writing the 449k-square grid layer. Here the boxes are collected while the
 * rows are written, sorted along a Hilbert curve and packed bottom-up into nodes, and the nodes
 * go into the rtree's shadow tables through GDAL's SQL on the open dataset.
 *
 * SQLite's rtree (ext/rtree/rtree.c, "Database Format of R-Tree Tables"): three tables
 *   %_node(nodeno INTEGER PRIMARY KEY, data BLOB)     one blob per node, node 1 is the root
 *   %_parent(nodeno INTEGER PRIMARY KEY, parentnode)  every node but the root
 *   %_rowid(rowid INTEGER PRIMARY KEY, nodeno)        every row: the leaf that holds it
 * A node blob has the size of the root's (fixed when the table is created: page size - 64,
 * at most 4 + 51 cells); big-endian throughout: 2 bytes tree depth (root only, else 0), 2 bytes
 * cell count, then the cells: an 8-byte rowid (leaf) or child node number, and the box as
 * float32 minx, maxx, miny, maxy. A leaf's box is the row's double envelope rounded outward to
 * float32 the way the rtree rounds on insert; an inner cell's box is the union of its child's. */
#include "gpkg_rtree.h"

#include "../core/ctx.h"
#include "gdal_env.h"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_BYTES 24     /* 8-byte id + 4 float32 */
#define MAX_LEVELS 40     /* SQLite's RTREE_MAX_DEPTH */
#define NODES_PER_SQL 64  /* node blobs per INSERT statement */
#define ROWS_PER_SQL 2000 /* (rowid, node) pairs per INSERT statement */

typedef struct entry {
    uint64_t hilbert; /* sort key: the box centre on a 2^16 x 2^16 Hilbert curve */
    int64_t id;       /* rowid (leaf) or child node number */
    float box[4];     /* minx, maxx, miny, maxy */
    size_t order;     /* leaves: position in the order the rows were added */
} entry;

struct lb_gpkg_rtree {
    entry *e;
    size_t n, cap;
};

lb_status lb_gpkg_rtree_create(lb_ctx *ctx, size_t n_hint, lb_gpkg_rtree **out)
{
    lb_gpkg_rtree *rt = calloc(1, sizeof(*rt));
    if (!rt)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a spatial index");
    rt->cap = n_hint > 0 ? n_hint : 16;
    rt->e = malloc(rt->cap * sizeof(*rt->e));
    if (!rt->e) {
        free(rt);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a spatial index of %zu rows",
                            n_hint);
    }
    *out = rt;
    return LB_OK;
}

void lb_gpkg_rtree_destroy(lb_gpkg_rtree *rt)
{
    if (!rt)
        return;
    free(rt->e);
    free(rt);
}

/* The float32 at or below @p d, as SQLite's rtree stores a box's lower bound: the nearest float
 * when that is not above d, else d scaled by one float ulp towards -inf before converting. */
static float float_down(double d)
{
    float f = (float)d;
    if (f > d)
        f = (float)(d * (d < 0 ? 1.0 + 1.0 / 8388608.0 : 1.0 - 1.0 / 8388608.0));
    return f;
}

/* The float32 at or above @p d (a box's upper bound), mirroring float_down(). */
static float float_up(double d)
{
    float f = (float)d;
    if (f < d)
        f = (float)(d * (d < 0 ? 1.0 - 1.0 / 8388608.0 : 1.0 + 1.0 / 8388608.0));
    return f;
}

lb_status lb_gpkg_rtree_add(lb_ctx *ctx, lb_gpkg_rtree *rt, int64_t fid, double minx, double maxx,
                            double miny, double maxy)
{
    if (rt->n == rt->cap) {
        size_t cap = rt->cap * 2;
        entry *e = realloc(rt->e, cap * sizeof(*e));
        if (!e)
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory for a spatial index of %zu rows",
                                cap);
        rt->e = e;
        rt->cap = cap;
    }
    entry *x = &rt->e[rt->n];
    x->hilbert = 0;
    x->id = fid;
    x->box[0] = float_down(minx);
    x->box[1] = float_up(maxx);
    x->box[2] = float_down(miny);
    x->box[3] = float_up(maxy);
    x->order = rt->n;
    rt->n++;
    return LB_OK;
}

/* Position of (x, y), both below 2^16, along the Hilbert curve that fills the 2^16 square. */
static uint64_t hilbert_index(uint32_t x, uint32_t y)
{
    const uint32_t side = 1u << 16;
    uint64_t d = 0;
    for (uint32_t s = side / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) ? 1u : 0u, ry = (y & s) ? 1u : 0u;
        d += (uint64_t)s * s * ((3u * rx) ^ ry);
        if (ry == 0) { /* rotate the quadrant so the curve enters and leaves it right */
            if (rx == 1) {
                x = side - 1 - x;
                y = side - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

/* Hilbert keys of the box centres over the boxes' extent. */
static void hilbert_keys(entry *e, size_t n)
{
    double lo[2] = {e[0].box[0], e[0].box[2]}, hi[2] = {e[0].box[1], e[0].box[3]};
    for (size_t i = 1; i < n; i++)
        for (int a = 0; a < 2; a++) {
            if (e[i].box[2 * a] < lo[a])
                lo[a] = e[i].box[2 * a];
            if (e[i].box[2 * a + 1] > hi[a])
                hi[a] = e[i].box[2 * a + 1];
        }
    for (size_t i = 0; i < n; i++) {
        uint32_t q[2];
        for (int a = 0; a < 2; a++) {
            double c = 0.5 * ((double)e[i].box[2 * a] + (double)e[i].box[2 * a + 1]);
            double span = hi[a] - lo[a];
            double v = span > 0 ? (c - lo[a]) / span * 65535.0 : 0.0;
            q[a] = v <= 0 ? 0u : v >= 65535.0 ? 65535u : (uint32_t)v;
        }
        e[i].hilbert = hilbert_index(q[0], q[1]);
    }
}

/* Hilbert order; ties by rowid, so the order (and the file) does not depend on qsort. */
static int cmp_hilbert(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->hilbert != y->hilbert)
        return x->hilbert < y->hilbert ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* ---- SQL text ---- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int nomem;
} sbuf;

static void sb_reserve(sbuf *b, size_t more)
{
    if (b->nomem || b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->nomem = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->nomem = 1;
        return;
    }
    sb_reserve(b, (size_t)n);
    if (b->nomem)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* @p name with every @p q doubled, so that it can stand between two q's in SQL. */
static void sb_quoted(sbuf *b, const char *name, char q)
{
    sb_reserve(b, 2 * strlen(name));
    if (b->nomem)
        return;
    for (const char *p = name; *p; p++) {
        if (*p == q)
            b->s[b->len++] = q;
        b->s[b->len++] = *p;
    }
    b->s[b->len] = '\0';
}

static void sb_hex(sbuf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    sb_reserve(b, 2 * n);
    if (b->nomem)
        return;
    for (size_t i = 0; i < n; i++) {
        b->s[b->len++] = digits[p[i] >> 4];
        b->s[b->len++] = digits[p[i] & 15];
    }
    b->s[b->len] = '\0';
}

static void sb_clear(sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

/* Run one statement of @p b on @p ds; @p what names it in the error. A SELECT's first integer
 * goes to *value when @p value is not NULL. */
static lb_status exec_sql(lb_ctx *ctx, GDALDatasetH ds, const char *path, const char *rt_name,
                          sbuf *b, const char *what, long long *value)
{
    if (b->nomem)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory building %s of '%s'",
                            path, what, rt_name);
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    OGRLayerH res = GDALDatasetExecuteSQL(ds, b->s, NULL, "SQLITE");
    int have = 0;
    if (res) {
        OGRFeatureH f = OGR_L_GetNextFeature(res);
        if (f) {
            if (value && OGR_F_IsFieldSetAndNotNull(f, 0)) {
                *value = OGR_F_GetFieldAsInteger64(f, 0);
                have = 1;
            }
            OGR_F_Destroy(f);
        }
        GDALDatasetReleaseResultSet(ds, res);
    }
    lb_io_cpl_end(&cap);
    if (cap.n_errors > 0)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': spatial index '%s': %s failed: %s", path,
                            rt_name, what, cap.msg);
    if (value && !have)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': spatial index '%s': %s returned nothing",
                            path, rt_name, what);
    return LB_OK;
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

/* The blob of one node: @p n cells of @p cells, depth bytes @p depth (root only). */
static void node_blob(unsigned char *blob, size_t size, unsigned depth, const entry *cells,
                      size_t n)
{
    memset(blob, 0, size);
    put_be(blob, depth, 2);
    put_be(blob + 2, n, 2);
    for (size_t i = 0; i < n; i++) {
        unsigned char *c = blob + 4 + i * CELL_BYTES;
        put_be(c, (uint64_t)cells[i].id, 8);
        for (int k = 0; k < 4; k++) {
            uint32_t u;
            memcpy(&u, &cells[i].box[k], sizeof(u));
            put_be(c + 8 + 4 * k, u, 4);
        }
    }
}

/* Cells [lo, hi) of node j when @p count cells are spread over @p nodes nodes as evenly as
 * possible (so no node but the root is less than half full). */
static size_t chunk_start(size_t j, size_t count, size_t nodes)
{
    return (size_t)((unsigned long long)j * count / nodes);
}

/* The GDAL 3.6 triggers that keep rtree_<t>_<g> current (the GeoPackage 1.2 rtree extension). */
static void sb_triggers(sbuf *b, int which, const char *t, const char *g, const char *fid,
                        const char *rt)
{
    /* the spec's text with the identifiers in place, as GDAL writes it */
#define Q(x) sb_quoted(b, (x), '"')
    sb_printf(b, "CREATE TRIGGER \"");
    Q(rt);
    static const char *const suffix[] = {"insert",  "update1", "update2",
                                         "update3", "update4", "delete"};
    sb_printf(b, "_%s\" AFTER ", suffix[which]);
    switch (which) {
    case 0: /* insert */
        sb_printf(b, "INSERT ON \"");
        Q(t);
        sb_printf(b, "\" WHEN (new.\"");
        Q(g);
        sb_printf(b, "\" NOT NULL AND NOT ST_IsEmpty(NEW.\"");
        Q(g);
        sb_printf(b, "\")) BEGIN ");
        break;
    case 1: /* update of the geometry to a non-empty one */
    case 2: /* update of the geometry to NULL or empty */
        sb_printf(b, "UPDATE OF \"");
        Q(g);
        sb_printf(b, "\" ON \"");
        Q(t);
        sb_printf(b, "\" WHEN OLD.\"");
        Q(fid);
        sb_printf(b, "\" = NEW.\"");
        Q(fid);
        sb_printf(b, "\" AND (NEW.\"");
        Q(g);
        sb_printf(b, which == 1 ? "\" NOTNULL AND NOT ST_IsEmpty(NEW.\""
                                : "\" ISNULL OR ST_IsEmpty(NEW.\"");
        Q(g);
        sb_printf(b, "\")) BEGIN ");
        break;
    case 3: /* fid changed, non-empty geometry */
    case 4: /* fid changed, NULL or empty geometry */
        sb_printf(b, "UPDATE ON \"");
        Q(t);
        sb_printf(b, "\" WHEN OLD.\"");
        Q(fid);
        sb_printf(b, "\" != NEW.\"");
        Q(fid);
        sb_printf(b, "\" AND (NEW.\"");
        Q(g);
        sb_printf(b, which == 3 ? "\" NOTNULL AND NOT ST_IsEmpty(NEW.\""
                                : "\" ISNULL OR ST_IsEmpty(NEW.\"");
        Q(g);
        sb_printf(b, "\")) BEGIN ");
        break;
    default: /* delete */
        sb_printf(b, "DELETE ON \"");
        Q(t);
        sb_printf(b, "\" WHEN old.\"");
        Q(g);
        sb_printf(b, "\" NOT NULL BEGIN ");
        break;
    }
    if (which == 3 || which == 4 || which == 2 || which == 5) {
        sb_printf(b, "DELETE FROM \"");
        Q(rt);
        if (which == 4) {
            sb_printf(b, "\" WHERE id IN (OLD.\"");
            Q(fid);
            sb_printf(b, "\", NEW.\"");
            Q(fid);
            sb_printf(b, "\"); ");
        } else {
            sb_printf(b, "\" WHERE id = OLD.\"");
            Q(fid);
            sb_printf(b, "\"; ");
        }
    }
    if (which == 0 || which == 1 || which == 3) {
        sb_printf(b, "INSERT OR REPLACE INTO \"");
        Q(rt);
        sb_printf(b, "\" VALUES (NEW.\"");
        Q(fid);
        sb_printf(b, "\",ST_MinX(NEW.\"");
        Q(g);
        sb_printf(b, "\"), ST_MaxX(NEW.\"");
        Q(g);
        sb_printf(b, "\"),ST_MinY(NEW.\"");
        Q(g);
        sb_printf(b, "\"), ST_MaxY(NEW.\"");
        Q(g);
        sb_printf(b, "\")); ");
    }
    sb_printf(b, "END");
#undef Q
}

lb_status lb_gpkg_rtree_write(lb_ctx *ctx, lb_gpkg_rtree *rt, GDALDatasetH ds, const char *path,
                              const char *table, const char *geom_col, const char *fid_col)
{
    lb_status st = LB_OK;
    sbuf b = {0};
    char *rt_name = lb_core_strfmt("rtree_%s_%s", table, geom_col);
    entry *level[MAX_LEVELS + 1] = {0};
    size_t count[MAX_LEVELS + 1] = {0};
    int64_t base[MAX_LEVELS + 1] = {0};
    int64_t *leaf_of = NULL;  /* per row in the order added: its leaf's node number */
    int64_t *rowid_of = NULL; /* per row in the order added: its rowid */
    unsigned char *blob = NULL;
    int h = 0;
    if (!rt_name) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
        goto cleanup;
    }

    sb_printf(&b, "CREATE VIRTUAL TABLE \"");
    sb_quoted(&b, rt_name, '"');
    sb_printf(&b, "\" USING rtree(id, minx, maxx, miny, maxy)");
    st = exec_sql(ctx, ds, path, rt_name, &b, "creating the rtree table", NULL);
    if (st != LB_OK)
        goto cleanup;

    /* the node size SQLite chose from the page size: the root it wrote has it */
    long long node_size = 0;
    sb_clear(&b);
    sb_printf(&b, "SELECT length(data) FROM \"");
    sb_quoted(&b, rt_name, '"');
    sb_printf(&b, "_node\" WHERE nodeno = 1");
    st = exec_sql(ctx, ds, path, rt_name, &b, "reading the node size", &node_size);
    if (st != LB_OK)
        goto cleanup;
    size_t max_cells = node_size > 4 ? (size_t)(node_size - 4) / CELL_BYTES : 0;
    if (max_cells < 3 || max_cells > 0xffff) {
        st = lb_ctx_error(ctx, LB_ERR_IO,
                          "write '%s': spatial index '%s': unexpected node size %lld", path,
                          rt_name, node_size);
        goto cleanup;
    }

    if (rt->n > 0) {
        /* the levels bottom-up: level[0] the rows, level[k + 1] one cell per node of level k */
        hilbert_keys(rt->e, rt->n);
        qsort(rt->e, rt->n, sizeof(*rt->e), cmp_hilbert);
        level[0] = rt->e;
        count[0] = rt->n;
        while (count[h] > max_cells) {
            if (h == MAX_LEVELS) {
                st = lb_ctx_error(ctx, LB_ERR_INTERNAL, "write '%s': spatial index '%s' too deep",
                                  path, rt_name);
                goto cleanup;
            }
            size_t nodes = (count[h] + max_cells - 1) / max_cells;
            level[h + 1] = calloc(nodes, sizeof(entry));
            if (!level[h + 1]) {
                st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
                goto cleanup;
            }
            for (size_t j = 0; j < nodes; j++) {
                size_t lo = chunk_start(j, count[h], nodes);
                size_t hi = chunk_start(j + 1, count[h], nodes);
                entry *p = &level[h + 1][j];
                memcpy(p->box, level[h][lo].box, sizeof(p->box));
                for (size_t i = lo + 1; i < hi; i++) {
                    const float *c = level[h][i].box;
                    if (c[0] < p->box[0])
                        p->box[0] = c[0];
                    if (c[1] > p->box[1])
                        p->box[1] = c[1];
                    if (c[2] < p->box[2])
                        p->box[2] = c[2];
                    if (c[3] > p->box[3])
                        p->box[3] = c[3];
                }
            }
            count[h + 1] = nodes;
            h++;
        }
        /* node numbers top-down: the root 1, then each level below in order */
        base[h] = 1;
        for (int k = h - 1; k >= 0; k--)
            base[k] = base[k + 1] + (int64_t)(k + 1 == h ? 1 : count[k + 2]);
        for (int k = 0; k < h; k++)
            for (size_t j = 0; j < count[k + 1]; j++)
                level[k + 1][j].id = base[k] + (int64_t)j;

        blob = malloc((size_t)node_size);
        leaf_of = malloc(rt->n * sizeof(*leaf_of));
        if (!blob || !leaf_of) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
            goto cleanup;
        }

        /* the node blobs, root first */
        size_t in_stmt = 0;
        sb_clear(&b);
        for (int k = h; k >= 0 && st == LB_OK; k--) {
            size_t nodes = k == h ? 1 : count[k + 1];
            for (size_t j = 0; j < nodes; j++) {
                size_t lo = k == h ? 0 : chunk_start(j, count[k], nodes);
                size_t hi = k == h ? count[k] : chunk_start(j + 1, count[k], nodes);
                int64_t nodeno = base[k] + (int64_t)j;
                node_blob(blob, (size_t)node_size, k == h ? (unsigned)h : 0u, level[k] + lo,
                          hi - lo);
                if (k == 0)
                    for (size_t i = lo; i < hi; i++)
                        leaf_of[level[0][i].order] = nodeno;
                if (nodeno == 1) { /* the root exists already */
                    sb_printf(&b, "UPDATE \"");
                    sb_quoted(&b, rt_name, '"');
                    sb_printf(&b, "_node\" SET data = X'");
                    sb_hex(&b, blob, (size_t)node_size);
                    sb_printf(&b, "' WHERE nodeno = 1");
                    st = exec_sql(ctx, ds, path, rt_name, &b, "writing the root node", NULL);
                    sb_clear(&b);
                    if (st != LB_OK)
                        break;
                    continue;
                }
                if (in_stmt == 0) {
                    sb_printf(&b, "INSERT INTO \"");
                    sb_quoted(&b, rt_name, '"');
                    sb_printf(&b, "_node\" (nodeno, data) VALUES ");
                }
                sb_printf(&b, "%s(%lld, X'", in_stmt ? "," : "", (long long)nodeno);
                sb_hex(&b, blob, (size_t)node_size);
                sb_printf(&b, "')");
                if (++in_stmt == NODES_PER_SQL) {
                    st = exec_sql(ctx, ds, path, rt_name, &b, "writing the nodes", NULL);
                    sb_clear(&b);
                    in_stmt = 0;
                    if (st != LB_OK)
                        break;
                }
            }
        }
        if (st == LB_OK && in_stmt > 0)
            st = exec_sql(ctx, ds, path, rt_name, &b, "writing the nodes", NULL);
        if (st != LB_OK)
            goto cleanup;

        /* every node but the root: its parent (the node holding its cell one level up) */
        sb_clear(&b);
        in_stmt = 0;
        for (int k = 0; k < h && st == LB_OK; k++) {
            size_t cells = count[k + 1];
            size_t parents = k + 1 == h ? 1 : count[k + 2];
            size_t p = 0;
            for (size_t j = 0; j < cells; j++) {
                while (k + 1 < h && j >= chunk_start(p + 1, cells, parents))
                    p++;
                if (in_stmt == 0) {
                    sb_printf(&b, "INSERT INTO \"");
                    sb_quoted(&b, rt_name, '"');
                    sb_printf(&b, "_parent\" (nodeno, parentnode) VALUES ");
                }
                sb_printf(&b, "%s(%lld,%lld)", in_stmt ? "," : "",
                          (long long)(base[k] + (int64_t)j), (long long)(base[k + 1] + (int64_t)p));
                if (++in_stmt == ROWS_PER_SQL) {
                    st = exec_sql(ctx, ds, path, rt_name, &b, "writing the node parents", NULL);
                    sb_clear(&b);
                    in_stmt = 0;
                    if (st != LB_OK)
                        break;
                }
            }
        }
        if (st == LB_OK && in_stmt > 0)
            st = exec_sql(ctx, ds, path, rt_name, &b, "writing the node parents", NULL);
        if (st != LB_OK)
            goto cleanup;

        /* every row: its leaf, in the order the rows were added (rowid order as written) */
        rowid_of = malloc(rt->n * sizeof(*rowid_of));
        if (!rowid_of) {
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
            goto cleanup;
        }
        for (size_t i = 0; i < rt->n; i++)
            rowid_of[rt->e[i].order] = rt->e[i].id;
        sb_clear(&b);
        in_stmt = 0;
        for (size_t i = 0; i < rt->n && st == LB_OK; i++) {
            if (in_stmt == 0) {
                sb_printf(&b, "INSERT INTO \"");
                sb_quoted(&b, rt_name, '"');
                sb_printf(&b, "_rowid\" (rowid, nodeno) VALUES ");
            }
            sb_printf(&b, "%s(%lld,%lld)", in_stmt ? "," : "", (long long)rowid_of[i],
                      (long long)leaf_of[i]);
            if (++in_stmt == ROWS_PER_SQL || i + 1 == rt->n) {
                st = exec_sql(ctx, ds, path, rt_name, &b, "writing the row leaves", NULL);
                sb_clear(&b);
                in_stmt = 0;
            }
        }
        if (st != LB_OK)
            goto cleanup;
    }

    for (int which = 0; which < 6 && st == LB_OK; which++) {
        sb_clear(&b);
        sb_triggers(&b, which, table, geom_col, fid_col, rt_name);
        st = exec_sql(ctx, ds, path, rt_name, &b, "creating a trigger", NULL);
    }
    if (st != LB_OK)
        goto cleanup;

    /* the extension, with gpkg_extensions as GDAL creates it when it is not there yet */
    sb_clear(&b);
    sb_printf(&b, "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,"
                  "extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,"
                  "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))");
    st = exec_sql(ctx, ds, path, rt_name, &b, "creating gpkg_extensions", NULL);
    if (st != LB_OK)
        goto cleanup;
    sb_clear(&b);
    sb_printf(&b, "INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,"
                  "scope) VALUES ('");
    sb_quoted(&b, table, '\'');
    sb_printf(&b, "', '");
    sb_quoted(&b, geom_col, '\'');
    sb_printf(&b, "', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', "
                  "'write-only')");
    st = exec_sql(ctx, ds, path, rt_name, &b, "registering the extension", NULL);

cleanup:
    for (int k = 1; k <= MAX_LEVELS; k++)
        free(level[k]);
    free(rowid_of);
    free(leaf_of);
    free(blob);
    free(b.s);
    free(rt_name);
    return st;
}
