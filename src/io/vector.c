/* SPDX-License-Identifier: MIT */
/* Reading vector layers: open, check the CRS, reproject to RD, keep rings, points and fields. */
#include "vector.h"

#include "../core/bigmem.h"
#include "../core/bytes.h"
#include "../core/ctx.h"
#include "gdal_env.h"

#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_vsi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Points outside this RD New envelope (a generous box around the Netherlands) are not real
 * Dutch locations: typically (0,0) in lon/lat or a swapped axis. */
#define RD_XMIN (-10000.0)
#define RD_XMAX 300000.0
#define RD_YMIN 280000.0
#define RD_YMAX 640000.0

/* The special values of the CBS Wijk- en Buurtkaart and Kerncijfers wijken en buurten.
 * Up to 2021 (short upper-case field names): -99999997 (secret), -99999998 and -99999999
 * (unknown; the Toelichting Wijk- en Buurtkaart 2021, table 3.1, names -99999999 "onbekend,
 * onvoldoende betrouwbaar of geheim"). From 2022 (long snake_case names), the Toelichting
 * Wijk- en Buurtkaart 2022, 2023 en 2024 (CBS, 30-10-2024), section 3 "Verklaring van
 * bijzondere waarden": -99997 "waarde geheim of niet aanwezig", -99995 "onderwerp wordt in een
 * latere versie gepubliceerd", -99991 "onderwerp wordt niet meer (op dit ruimtelijk niveau)
 * gepubliceerd". None of these is a value any KWB field can take. */
int lb_io_is_cbs_sentinel(double v)
{
    return v == -99999997.0 || v == -99999998.0 || v == -99999999.0 || v == -99997.0 ||
           v == -99995.0 || v == -99991.0;
}

/* Growable arrays used while reading. */
typedef struct growbuf {
    void *data;
    size_t n, cap, elem;
} growbuf;

static int grow(growbuf *b, size_t extra)
{
    if (b->n + extra <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + extra)
        cap *= 2;
    void *d = realloc(b->data, cap * b->elem);
    if (!d)
        return 0;
    b->data = d;
    b->cap = cap;
    return 1;
}

enum { N_EXAMPLE_FIDS = 5 };

/* Points skipped for one reason: how many, and the first few feature ids for the warning. */
typedef struct skipped {
    size_t n;
    int64_t fid[N_EXAMPLE_FIDS];
} skipped;

typedef struct reader {
    lb_ctx *ctx;
    const lb_source *src;
    lb_vlayer *l;
    int attrs_only; /* a table: keep every row, ignore geometry */
    int rings_only; /* polygons: keep the rings, not the WKB (lb_vlayer_read_rings) */
    growbuf fid, x, y, wkb, wkbsz, ring_start, ring_pt, ring_hole, ring_xy, area;
    growbuf part_start, part_pt, part_xy; /* lines */
    lb_vblock *wkb_blocks;                /* holding WKB of wkb (squares read by their code) */
    skipped outside_nl;
    skipped no_geometry; /* NULL or empty geometry */
} reader;

static void note_skipped(skipped *s, int64_t fid)
{
    if (s->n < N_EXAMPLE_FIDS)
        s->fid[s->n] = fid;
    s->n++;
}

/* One warning per reason: "input 'x' ('f' layer 'l'): 208 point(s) <why>; skipped (features
 * 12, 40, 41, 57, 88, ...)". */
static void warn_skipped(lb_ctx *ctx, const lb_vlayer *l, const skipped *s, const char *why)
{
    if (s->n == 0)
        return;
    char ids[160] = "";
    size_t shown = s->n < N_EXAMPLE_FIDS ? s->n : N_EXAMPLE_FIDS;
    for (size_t i = 0; i < shown; i++) {
        char one[32];
        snprintf(one, sizeof(one), "%lld", (long long)s->fid[i]);
        lb_core_list_append(ids, sizeof(ids), one);
    }
    lb_ctx_log(ctx, LB_LOG_WARN,
               "input '%s' ('%s' layer '%s'): %zu point(s) %s; skipped, not "
               "counted (feature%s %s%s)",
               l->name, l->path, l->layer, s->n, why, s->n > 1 ? "s" : "", ids,
               s->n > shown ? ", ..." : "");
}

static double ring_signed_area(const double *xy, size_t n)
{
    double a = 0.0;
    for (size_t i = 0; i + 1 < n; i++)
        a += xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
    return 0.5 * a;
}

static lb_status add_ring(reader *r, OGRGeometryH ring, int hole, double *area)
{
    int np = OGR_G_GetPointCount(ring);
    if (np < 4)
        return LB_ERR_GEOM;
    if (!grow(&r->ring_pt, 1) || !grow(&r->ring_hole, 1) || !grow(&r->ring_xy, 2 * (size_t)np))
        return LB_ERR_NOMEM;
    ((size_t *)r->ring_pt.data)[r->ring_pt.n++] = r->ring_xy.n / 2;
    ((int *)r->ring_hole.data)[r->ring_hole.n++] = hole;
    double *xy = (double *)r->ring_xy.data + r->ring_xy.n;
    /* x and y interleaved in one call, not two calls per point */
    OGR_G_GetPoints(ring, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    r->ring_xy.n += 2 * (size_t)np;
    double a = fabs(ring_signed_area(xy, (size_t)np));
    *area += hole ? -a : a;
    return LB_OK;
}

/* The parts of a line feature with their vertices: a LineString is one part; for the other
 * line types each of OGR's sub-geometries is one (a bare CircularString has none). */
static lb_status add_line_parts(reader *r, OGRGeometryH g)
{
    int single = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString;
    int nparts = single ? 1 : OGR_G_GetGeometryCount(g);
    if (!grow(&r->part_start, 1))
        return LB_ERR_NOMEM;
    ((size_t *)r->part_start.data)[r->part_start.n++] = r->part_pt.n;
    for (int p = 0; p < nparts; p++) {
        OGRGeometryH ls = single ? g : OGR_G_GetGeometryRef(g, p);
        int np = OGR_G_GetPointCount(ls);
        if (np < 0)
            np = 0;
        if (!grow(&r->part_pt, 1) || !grow(&r->part_xy, 2 * (size_t)np))
            return LB_ERR_NOMEM;
        ((size_t *)r->part_pt.data)[r->part_pt.n++] = r->part_xy.n / 2;
        double *xy = (double *)r->part_xy.data + r->part_xy.n;
        for (int i = 0; i < np; i++) {
            xy[2 * i] = OGR_G_GetX(ls, i);
            xy[2 * i + 1] = OGR_G_GetY(ls, i);
        }
        r->part_xy.n += 2 * (size_t)np;
    }
    return LB_OK;
}

static lb_status add_polygon_rings(reader *r, OGRGeometryH mp, double *area)
{
    int nparts = OGR_G_GetGeometryCount(mp);
    for (int p = 0; p < nparts; p++) {
        OGRGeometryH poly = OGR_G_GetGeometryRef(mp, p);
        int nr = OGR_G_GetGeometryCount(poly);
        for (int k = 0; k < nr; k++) {
            lb_status s = add_ring(r, OGR_G_GetGeometryRef(poly, k), k > 0, area);
            if (s != LB_OK)
                return s;
        }
    }
    return LB_OK;
}

static lb_geom_kind kind_of(OGRwkbGeometryType t)
{
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint:
        return LB_GEOM_POINT;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve:
        return LB_GEOM_LINE;
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface:
        return LB_GEOM_POLYGON;
    default:
        return LB_GEOM_NONE;
    }
}

static const char *kind_name(lb_geom_kind k)
{
    static const char *const names[] = {"none", "point", "line", "polygon"};
    return names[k];
}

/* Keep the WKB of @p g: 1, or -LB_ERR_NOMEM. */
static int keep_wkb(reader *r, OGRGeometryH g)
{
    size_t sz = (size_t)OGR_G_WkbSize(g);
    unsigned char *wkb = malloc(sz);
    if (!wkb || !grow(&r->wkb, 1) || !grow(&r->wkbsz, 1)) {
        free(wkb);
        return -(int)LB_ERR_NOMEM;
    }
    OGR_G_ExportToWkb(g, wkbNDR, wkb);
    ((unsigned char **)r->wkb.data)[r->wkb.n++] = wkb;
    ((size_t *)r->wkbsz.data)[r->wkbsz.n++] = sz;
    return 1;
}

/* The layer read so far as a view for lb_vlayer_polygon_wkb (rings of the features kept). */
static lb_vlayer rings_view(const reader *r)
{
    lb_vlayer v = {0};
    v.kind = LB_GEOM_POLYGON;
    v.ring_start = r->ring_start.data;
    v.ring_pt_start = r->ring_pt.data;
    v.ring_hole = r->ring_hole.data;
    v.ring_xy = r->ring_xy.data;
    return v;
}

/* Do the rings just added for @p g (the last feature) give back its WKB byte for byte? They do
 * for a 2D MultiPolygon whose every polygon has its shell (not for an empty part). */
static int rings_say_all(reader *r, OGRGeometryH g)
{
    if (OGR_G_GetGeometryType(g) != wkbMultiPolygon)
        return 0;
    size_t f = r->ring_start.n - 1, r0 = ((size_t *)r->ring_start.data)[f];
    size_t n_shells = 0;
    for (size_t k = r0; k < r->ring_pt.n; k++)
        n_shells += !((int *)r->ring_hole.data)[k];
    if (n_shells != (size_t)OGR_G_GetGeometryCount(g))
        return 0;
    if (!grow(&r->ring_start, 1) || !grow(&r->ring_pt, 1))
        return 0; /* keeps the WKB: no worse than before */
    /* the end sentinels lb_vlayer_rings_wkb_size reads, overwritten by the next feature */
    ((size_t *)r->ring_start.data)[f + 1] = r->ring_pt.n;
    ((size_t *)r->ring_pt.data)[r->ring_pt.n] = r->ring_xy.n / 2;
    lb_vlayer v = rings_view(r);
    return lb_vlayer_rings_wkb_size(&v, f) == (size_t)OGR_G_WkbSize(g);
}

/* A feature whose WKB the rings do not give back: keep the WKB of every polygon from here on,
 * written from the rings for the features before (the same bytes) and exported for @p g. */
static int wkb_after_all(reader *r, OGRGeometryH g)
{
    r->rings_only = 0;
    size_t n_before = r->ring_start.n - 1;
    if (!grow(&r->ring_start, 1) || !grow(&r->ring_pt, 1) || !grow(&r->wkb, n_before) ||
        !grow(&r->wkbsz, n_before))
        return -(int)LB_ERR_NOMEM;
    ((size_t *)r->ring_start.data)[n_before + 1] = r->ring_pt.n;
    ((size_t *)r->ring_pt.data)[r->ring_pt.n] = r->ring_xy.n / 2;
    lb_vlayer v = rings_view(r);
    for (size_t f = 0; f < n_before; f++) {
        size_t size = 0;
        int own = 0;
        unsigned char *w = (unsigned char *)lb_vlayer_polygon_wkb(&v, f, &size, &own);
        if (!w)
            return -(int)LB_ERR_NOMEM;
        ((unsigned char **)r->wkb.data)[r->wkb.n++] = w;
        ((size_t *)r->wkbsz.data)[r->wkbsz.n++] = size;
    }
    return keep_wkb(r, g);
}

/* Returns 1 kept, 0 skipped, or a negative lb_status. */
static int add_geometry(reader *r, OGRGeometryH g, int64_t fid)
{
    lb_vlayer *l = r->l;
    lb_geom_kind k = kind_of(OGR_G_GetGeometryType(g));
    if (l->kind == LB_GEOM_NONE)
        l->kind = k;
    if (k != l->kind) {
        lb_ctx_error(r->ctx, LB_ERR_GEOM,
                     "input '%s' ('%s' layer '%s') feature %lld: %s geometry in a %s layer; split "
                     "the layer by geometry type",
                     l->name, l->path, l->layer, (long long)fid, kind_name(k), kind_name(l->kind));
        return -(int)LB_ERR_GEOM;
    }
    if (k == LB_GEOM_POINT) {
        if (OGR_G_GetGeometryCount(g) > 1) {
            lb_ctx_error(r->ctx, LB_ERR_GEOM,
                         "input '%s' ('%s' layer '%s') feature %lld: a multipoint with several "
                         "points; explode it first (ogr2ogr -explodecollections)",
                         l->name, l->path, l->layer, (long long)fid);
            return -(int)LB_ERR_GEOM;
        }
        OGRGeometryH pt = OGR_G_GetGeometryCount(g) == 1 ? OGR_G_GetGeometryRef(g, 0) : g;
        double x = OGR_G_GetX(pt, 0), y = OGR_G_GetY(pt, 0);
        if (!(x >= RD_XMIN && x <= RD_XMAX && y >= RD_YMIN && y <= RD_YMAX)) {
            note_skipped(&r->outside_nl, fid);
            l->n_outside++;
            return 0;
        }
        if (!grow(&r->x, 1) || !grow(&r->y, 1))
            return -(int)LB_ERR_NOMEM;
        ((double *)r->x.data)[r->x.n++] = x;
        ((double *)r->y.data)[r->y.n++] = y;
        return 1;
    }
    if (!(k == LB_GEOM_POLYGON && r->rings_only)) {
        int s = keep_wkb(r, g);
        if (s < 0)
            return s;
    }
    if (k == LB_GEOM_LINE) {
        lb_status s = add_line_parts(r, g);
        if (s != LB_OK)
            return -(int)s;
    }
    if (k == LB_GEOM_POLYGON) {
        if (!grow(&r->ring_start, 1) || !grow(&r->area, 1))
            return -(int)LB_ERR_NOMEM;
        ((size_t *)r->ring_start.data)[r->ring_start.n++] = r->ring_pt.n;
        double area = 0.0;
        lb_status s = add_polygon_rings(r, g, &area);
        if (s == LB_ERR_GEOM) {
            lb_ctx_error(
                r->ctx, LB_ERR_GEOM,
                "input '%s' ('%s' layer '%s') feature %lld: a polygon ring with fewer than "
                "4 points; repair the layer (e.g. ogr2ogr -makevalid)",
                l->name, l->path, l->layer, (long long)fid);
            return -(int)s;
        }
        if (s != LB_OK)
            return -(int)s;
        ((double *)r->area.data)[r->area.n++] = area;
        if (r->rings_only && !rings_say_all(r, g))
            return wkb_after_all(r, g);
    }
    return 1;
}

/* The field columns of @p l with room for @p cap rows (grown by grow_fields()). */
static lb_status read_fields(lb_ctx *ctx, lb_vlayer *l, OGRFeatureDefnH defn, size_t cap)
{
    int nf = OGR_FD_GetFieldCount(defn);
    l->fields = calloc(nf > 0 ? (size_t)nf : 1, sizeof(*l->fields));
    if (!l->fields)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading fields");
    l->n_fields = (size_t)nf;
    for (int i = 0; i < nf; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        OGRFieldType t = OGR_Fld_GetType(fd);
        lb_field *f = &l->fields[i];
        f->name = lb_core_strdup(OGR_Fld_GetNameRef(fd));
        f->is_string = !(t == OFTInteger || t == OFTInteger64 || t == OFTReal);
        f->num = malloc((cap ? cap : 1) * sizeof(double));
        if (f->is_string) {
            f->str = calloc(cap ? cap : 1, sizeof(char *));
            f->state = calloc(cap ? cap : 1, 1);
        }
        if (!f->name || !f->num || (f->is_string && (!f->str || !f->state)))
            return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory reading fields");
    }
    return LB_OK;
}

/* Room for @p cap rows in every field column (cap > the rows stored so far, @p n). */
static int grow_fields(lb_vlayer *l, size_t n, size_t cap)
{
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        double *num = realloc(f->num, cap * sizeof(double));
        if (!num)
            return 0;
        f->num = num;
        if (f->is_string) {
            char **str = realloc(f->str, cap * sizeof(char *));
            if (!str)
                return 0;
            memset(str + n, 0, (cap - n) * sizeof(char *));
            f->str = str;
            unsigned char *state = realloc(f->state, cap);
            if (!state)
                return 0;
            f->state = state;
        }
    }
    return 1;
}

/* The size of the next block of a field's text values: @p first, then doubling to 8 MiB. */
static size_t next_text_block(const lb_vblock *chain, size_t first)
{
    enum { LARGEST = 8 << 20 };
    return !chain ? first : chain->size >= LARGEST / 2 ? LARGEST : 2 * chain->size;
}

/* The field values of @p feat as row @p row. Text values are copied trimmed: each into its
 * own malloc() when @p text is NULL, else into the blocks text[i] of field i, the first of
 * text_first[i] bytes (then the caller hands them to the field). Missing values are counted in
 * f->n_missing, or in n_missing[i] when @p n_missing is given (a pass on another thread). 0 when
 * out of memory. */
static int store_field_values(lb_vlayer *l, OGRFeatureH feat, size_t row, lb_vblock **text,
                              const size_t *text_first, size_t *n_missing)
{
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        size_t *missing = n_missing ? &n_missing[i] : &f->n_missing;
        int idx = (int)i;
        if (!OGR_F_IsFieldSetAndNotNull(feat, idx)) {
            f->num[row] = NAN;
            if (f->is_string) {
                f->str[row] = NULL;
                f->state[row] = LB_NUM_MISSING;
            }
            (*missing)++;
            continue;
        }
        if (f->is_string) {
            /* parsed by parse_text_fields once the file's decimal separator is known */
            const char *s = OGR_F_GetFieldAsString(feat, idx);
            if (text) {
                size_t n;
                s = lb_core_trim(s, &n);
                char *d =
                    lb_vlayer_block_take(&text[i], n + 1, next_text_block(text[i], text_first[i]));
                if (!d)
                    return 0;
                memcpy(d, s, n);
                d[n] = '\0';
                f->str[row] = d;
            } else {
                f->str[row] = lb_core_strdup_trim(s);
            }
            f->num[row] = NAN;
            f->state[row] = LB_NUM_UNREADABLE;
        } else {
            double v = OGR_F_GetFieldAsDouble(feat, idx);
            f->num[row] = (lb_io_is_cbs_sentinel(v) || !isfinite(v)) ? NAN : v;
            if (isnan(f->num[row]))
                (*missing)++;
        }
    }
    return 1;
}

/* Decide the source CRS; NULL on error. The returned SRS is owned by the caller. */
static OGRSpatialReferenceH source_srs(lb_ctx *ctx, const lb_source *src, OGRLayerH lyr,
                                       const char *lname, const char *driver)
{
    OGRSpatialReferenceH layer_srs = OGR_L_GetSpatialRef(lyr);
    if (src->s_srs) {
        OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
        lb_cpl_capture cap;
        lb_io_cpl_begin(&cap);
        OGRErr e = s ? OSRSetFromUserInput(s, src->s_srs) : OGRERR_NOT_ENOUGH_MEMORY;
        lb_io_cpl_end(&cap);
        if (e != OGRERR_NONE) {
            if (s)
                OSRRelease(s);
            lb_ctx_error(ctx, LB_ERR_CRS, "input '%s': cannot understand --s-srs '%s' (%s)",
                         src->name, src->s_srs, cap.msg);
            return NULL;
        }
        OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
        return s;
    }
    if (!layer_srs && strcmp(driver, "TopoJSON") == 0) {
        /* TopoJSON has no CRS member; like GeoJSON its coordinates are WGS84 degrees by
         * convention, which GDAL does not assume. Anything else is refused as below. */
        OGREnvelope env;
        if (OGR_L_GetExtent(lyr, &env, TRUE) == OGRERR_NONE && fabs(env.MinX) <= 180.0 &&
            fabs(env.MaxX) <= 180.0 && fabs(env.MinY) <= 90.0 && fabs(env.MaxY) <= 90.0) {
            OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
            if (s && OSRImportFromEPSG(s, 4326) == OGRERR_NONE) {
                OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
                return s;
            }
            if (s)
                OSRRelease(s);
        }
    }
    if (!layer_srs) {
        lb_ctx_error(ctx, LB_ERR_CRS,
                     "input '%s' ('%s' layer '%s') has no coordinate reference system; if its "
                     "coordinates are RD New metres pass --s-srs EPSG:28992, otherwise give the "
                     "file a CRS (e.g. ogr2ogr -a_srs EPSG:xxxx)",
                     src->name, src->path, lname);
        return NULL;
    }
    OGRSpatialReferenceH s = OSRClone(layer_srs);
    OSRSetAxisMappingStrategy(s, OAMS_TRADITIONAL_GIS_ORDER);
    if (OSRIsGeographic(s)) {
        /* A GeoJSON without "crs" member is WGS84 by definition (RFC 7946), so GDAL says
         * degrees. Coordinates beyond ±180/±90 cannot be degrees: usually RD metres. */
        OGREnvelope env;
        if (OGR_L_GetExtent(lyr, &env, TRUE) == OGRERR_NONE &&
            (fabs(env.MinX) > 180.0 || fabs(env.MaxX) > 180.0 || fabs(env.MinY) > 90.0 ||
             fabs(env.MaxY) > 90.0)) {
            int rd_like = env.MinX > RD_XMIN && env.MaxX < RD_XMAX && env.MinY > RD_YMIN &&
                          env.MaxY < RD_YMAX;
            lb_ctx_error(ctx, LB_ERR_CRS,
                         "input '%s' ('%s' layer '%s'): the %s file declares no CRS, so it is read "
                         "as WGS84 longitude/latitude, but its coordinates reach x=%.0f, y=%.0f, "
                         "which are not degrees%s. Pass --s-srs EPSG:28992 if they are RD New "
                         "metres, or fix the file (ogr2ogr -a_srs EPSG:28992 fixed.gpkg '%s')",
                         src->name, src->path, lname, driver, env.MaxX, env.MaxY,
                         rd_like ? " (they look like RD New metres, EPSG:28992)" : "", src->path);
            OSRRelease(s);
            return NULL;
        }
    }
    return s;
}

static OGRLayerH pick_layer(lb_ctx *ctx, GDALDatasetH ds, const lb_source *src)
{
    int nl = GDALDatasetGetLayerCount(ds);
    if (nl == 0) {
        lb_ctx_error(ctx, LB_ERR_DATA, "input '%s': '%s' holds no vector layer", src->name,
                     src->path);
        return NULL;
    }
    if (!src->layer)
        return GDALDatasetGetLayer(ds, 0);
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, src->layer);
    if (lyr)
        return lyr;
    char list[768] = "";
    for (int i = 0; i < nl; i++)
        lb_core_list_append(list, sizeof(list), OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    lb_ctx_error(ctx, LB_ERR_DATA, "input '%s': '%s' has no layer '%s' (layers: %s)", src->name,
                 src->path, src->layer, list);
    return NULL;
}

/* Take the geometry of feature @p f: 1 kept, 0 skipped (empty, or a point outside the
 * Netherlands), or a negative lb_status with the message set. */
static int take_geometry(reader *r, OGRFeatureH f, int64_t fid, OGRCoordinateTransformationH ct)
{
    lb_vlayer *l = r->l;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g))
        return 0;
    OGRGeometryH own = NULL;
    OGRwkbGeometryType t = OGR_G_GetGeometryType(g);
    lb_geom_kind gk = kind_of(t);
    /* A 2D multipolygon in RD (the CBS layers) is taken as it is: no copy. */
    if (!ct && t == wkbMultiPolygon) {
        int kept = add_geometry(r, g, fid);
        if (kept == -(int)LB_ERR_NOMEM)
            lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
        return kept;
    }
    if (gk == LB_GEOM_POLYGON)
        own = OGR_G_ForceToMultiPolygon(OGR_G_GetLinearGeometry(g, 0, NULL));
    else if (gk == LB_GEOM_LINE)
        own = OGR_G_GetLinearGeometry(g, 0, NULL);
    else
        own = OGR_G_Clone(g);
    if (!own) {
        lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
        return -(int)LB_ERR_NOMEM;
    }
    OGR_G_FlattenTo2D(own);
    if (ct && OGR_G_Transform(own, ct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(own);
        lb_ctx_error(r->ctx, LB_ERR_CRS,
                     "input '%s' ('%s' layer '%s') feature %lld: cannot reproject to RD New "
                     "(EPSG:28992); is the declared CRS right?",
                     l->name, l->path, l->layer, (long long)fid);
        return -(int)LB_ERR_CRS;
    }
    int kept = add_geometry(r, own, fid);
    OGR_G_DestroyGeometry(own);
    if (kept == -(int)LB_ERR_NOMEM)
        lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
    return kept;
}

/* Read the features: geometry and field values of each, one feature in memory at a time. */
/* "line 12" of a CSV (GDAL numbers its data rows from 1 after the header line), else
 * "feature 12". */
static const char *row_name(const lb_vlayer *l, int is_csv, size_t row, char *buf, size_t size)
{
    snprintf(buf, size, "%s %lld", is_csv ? "line" : "feature",
             (long long)l->fid[row] + (is_csv ? 1 : 0));
    return buf;
}

/* Parse the text fields as numbers with the file's decimal separator (the one its unambiguous
 * values show; see number.h), count what is missing, unreadable or ambiguous, and warn about
 * the fields that hold numbers and also values that are none. */
static void parse_text_fields(lb_ctx *ctx, const lb_source *src, lb_vlayer *l, int is_csv, int warn)
{
    size_t n_comma = 0, n_point = 0;
    for (size_t i = 0; i < l->n_fields; i++)
        for (size_t r = 0; l->fields[i].is_string && r < l->n; r++) {
            if (lb_number_surely_text(l->fields[i].str[r]))
                continue; /* LB_NUM_STYLE_UNKNOWN */
            lb_num_style st = lb_number_style_of(l->fields[i].str[r]);
            n_comma += st == LB_NUM_STYLE_COMMA;
            n_point += st == LB_NUM_STYLE_POINT;
        }
    lb_num_style style = n_comma && !n_point   ? LB_NUM_STYLE_COMMA
                         : n_point && !n_comma ? LB_NUM_STYLE_POINT
                                               : LB_NUM_STYLE_UNKNOWN;
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        if (!f->is_string)
            continue;
        size_t n_num = 0;
        char bad[512] = "";
        size_t n_listed = 0;
        for (size_t r = 0; r < l->n; r++) {
            if (!f->str[r])
                continue; /* NULL: counted as missing when read */
            double v = NAN;
            lb_num_status ns = lb_number_surely_text(f->str[r])
                                   ? LB_NUM_UNREADABLE
                                   : lb_number_parse(f->str[r], style, &v);
            f->state[r] = (unsigned char)ns;
            f->num[r] = ns == LB_NUM_OK ? v : NAN;
            n_num += ns == LB_NUM_OK;
            f->n_missing += ns == LB_NUM_MISSING;
            f->n_unreadable += ns == LB_NUM_UNREADABLE;
            f->n_ambiguous += ns == LB_NUM_AMBIGUOUS;
            if ((ns == LB_NUM_UNREADABLE || ns == LB_NUM_AMBIGUOUS) && n_listed < 3) {
                char where[48], item[160];
                snprintf(item, sizeof(item), "%s '%.60s'",
                         row_name(l, is_csv, r, where, sizeof(where)), f->str[r]);
                lb_core_list_append(bad, sizeof(bad), item);
                n_listed++;
            }
        }
        size_t n_bad = f->n_unreadable + f->n_ambiguous;
        /* A column of names or codes holds no number: its text is not a missing number. */
        if (!warn || n_bad == 0 || (n_num == 0 && f->n_ambiguous == 0))
            continue;
        lb_ctx_log(
            ctx, LB_LOG_WARN,
            "input '%s' ('%s' layer '%s'), field '%s': %zu value(s) are read as missing: "
            "%zu not a number, %zu ambiguous (such as 1.200: 1200 or 1,2, and the file shows "
            "no decimal separator elsewhere); %s%s. Write numbers as 1234,5 or 1234.5 "
            "without thousands separators and missing values as empty, '.' or 'x'",
            src->name, l->path, l->layer, f->name, n_bad, f->n_unreadable, f->n_ambiguous, bad,
            n_bad > n_listed ? ", …" : "");
    }
}

static lb_status read_features(reader *r, OGRLayerH lyr, OGRCoordinateTransformationH ct)
{
    lb_vlayer *l = r->l;
    size_t cap = 1024; /* doubled as needed */
    lb_status st = read_fields(r->ctx, l, OGR_L_GetLayerDefn(lyr), cap);
    OGRFeatureH f;
    OGR_L_ResetReading(lyr);
    while (st == LB_OK && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
        int64_t fid = OGR_F_GetFID(f);
        /* a table keeps every row; a layer only the features with a usable geometry */
        size_t outside_before = l->n_outside;
        int kept = r->attrs_only ? 1 : take_geometry(r, f, fid, ct);
        if (kept < 0) {
            OGR_F_Destroy(f);
            st = (lb_status)(-kept);
            break;
        }
        if (kept == 0) {
            if (l->n_outside == outside_before) /* not a point outside the Netherlands */
                note_skipped(&r->no_geometry, fid);
            l->n_skipped++;
            OGR_F_Destroy(f);
            continue;
        }
        size_t row = r->fid.n;
        if (row == cap) {
            if (!grow_fields(l, row, 2 * cap)) {
                OGR_F_Destroy(f);
                st = lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
                break;
            }
            cap *= 2;
        }
        if (!grow(&r->fid, 1)) {
            OGR_F_Destroy(f);
            st = lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
            break;
        }
        ((int64_t *)r->fid.data)[r->fid.n++] = fid;
        store_field_values(l, f, row, NULL, NULL, NULL);
        OGR_F_Destroy(f);
    }
    l->n = r->fid.n;
    return st;
}

static lb_status finish_layer(reader *r)
{
    lb_vlayer *l = r->l;
    /* Close the offset arrays with their end sentinels. */
    if (l->kind == LB_GEOM_POLYGON) {
        if (!grow(&r->ring_start, 1) || !grow(&r->ring_pt, 1))
            return lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
        ((size_t *)r->ring_start.data)[r->ring_start.n] = r->ring_pt.n;
        ((size_t *)r->ring_pt.data)[r->ring_pt.n] = r->ring_xy.n / 2;
    }
    if (l->kind == LB_GEOM_LINE) {
        if (!grow(&r->part_start, 1) || !grow(&r->part_pt, 1))
            return lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
        ((size_t *)r->part_start.data)[r->part_start.n] = r->part_pt.n;
        ((size_t *)r->part_pt.data)[r->part_pt.n] = r->part_xy.n / 2;
    }
    l->fid = r->fid.data;
    l->x = r->x.data;
    l->y = r->y.data;
    l->wkb = r->wkb.data;
    l->wkb_size = r->wkbsz.data;
    l->wkb_blocks = r->wkb_blocks;
    l->area_m2 = r->area.data;
    l->ring_hole = r->ring_hole.data;
    if (l->kind != LB_GEOM_POLYGON) { /* room reserved by reserve_vertices() */
        free(r->ring_xy.data);
        r->ring_xy.data = NULL;
    }
    l->ring_xy = r->ring_xy.data;
    l->n_rings = r->ring_pt.n;
    l->ring_start = r->ring_start.data;
    l->ring_pt_start = r->ring_pt.data;
    l->part_start = r->part_start.data;
    l->part_pt_start = r->part_pt.data;
    l->part_xy = r->part_xy.data;
    l->n_parts = r->part_pt.n;
    memset(r, 0, sizeof(*r));
    return LB_OK;
}

static void compute_extent(lb_vlayer *l)
{
    l->xmin = l->ymin = INFINITY;
    l->xmax = l->ymax = -INFINITY;
    size_t npts = l->kind == LB_GEOM_POINT ? l->n : 0;
    for (size_t i = 0; i < npts; i++) {
        l->xmin = fmin(l->xmin, l->x[i]);
        l->xmax = fmax(l->xmax, l->x[i]);
        l->ymin = fmin(l->ymin, l->y[i]);
        l->ymax = fmax(l->ymax, l->y[i]);
    }
    if (l->kind == LB_GEOM_POLYGON) {
        size_t np = l->n_rings ? l->ring_pt_start[l->n_rings] : 0;
        for (size_t i = 0; i < np; i++) {
            l->xmin = fmin(l->xmin, l->ring_xy[2 * i]);
            l->xmax = fmax(l->xmax, l->ring_xy[2 * i]);
            l->ymin = fmin(l->ymin, l->ring_xy[2 * i + 1]);
            l->ymax = fmax(l->ymax, l->ring_xy[2 * i + 1]);
        }
    }
    if (l->kind == LB_GEOM_LINE) {
        for (size_t i = 0; i < l->n; i++) {
            OGRGeometryH g = NULL;
            if (OGR_G_CreateFromWkb(l->wkb[i], NULL, &g, (int)l->wkb_size[i]) != OGRERR_NONE)
                continue;
            OGREnvelope e;
            OGR_G_GetEnvelope(g, &e);
            l->xmin = fmin(l->xmin, e.MinX);
            l->xmax = fmax(l->xmax, e.MaxX);
            l->ymin = fmin(l->ymin, e.MinY);
            l->ymax = fmax(l->ymax, e.MaxY);
            OGR_G_DestroyGeometry(g);
        }
    }
}

static void free_reader(reader *r)
{
    for (size_t i = 0; i < r->wkb.n; i++) {
        unsigned char *w = ((unsigned char **)r->wkb.data)[i];
        if (!lb_vlayer_in_blocks(r->wkb_blocks, w))
            free(w);
    }
    lb_vlayer_blocks_free(r->wkb_blocks);
    free(r->fid.data);
    free(r->x.data);
    free(r->y.data);
    free(r->wkb.data);
    free(r->wkbsz.data);
    free(r->ring_start.data);
    free(r->ring_pt.data);
    free(r->ring_hole.data);
    free(r->ring_xy.data);
    free(r->area.data);
    free(r->part_start.data);
    free(r->part_pt.data);
    free(r->part_xy.data);
}

/* An empty reader into layer @p l. */
static void init_reader(reader *r, lb_ctx *ctx, const lb_source *src, int attrs_only,
                        int rings_only, lb_vlayer *l)
{
    *r = (reader){
        .ctx = ctx, .src = src, .attrs_only = attrs_only, .rings_only = rings_only, .l = l};
    r->fid.elem = sizeof(int64_t);
    r->x.elem = r->y.elem = r->area.elem = r->ring_xy.elem = sizeof(double);
    r->wkb.elem = sizeof(unsigned char *);
    r->wkbsz.elem = r->ring_start.elem = r->ring_pt.elem = sizeof(size_t);
    r->ring_hole.elem = sizeof(int);
    r->part_start.elem = r->part_pt.elem = sizeof(size_t);
    r->part_xy.elem = sizeof(double);
}

/* Forget every row read so far (their fields and geometry): the reader and @p r->l start
 * again as init_reader() left them. */
static void reset_reader(reader *r)
{
    lb_vlayer *l = r->l;
    lb_vlayer_fields_free(l, r->fid.n);
    l->n = 0;
    l->kind = LB_GEOM_NONE;
    free_reader(r);
    init_reader(r, r->ctx, r->src, r->attrs_only, r->rings_only, l);
}

/* CBS squares read by their code instead of their geometry (issue 17). The CBS codes a
 * square by the RD x and y of its lower-left corner in whole hectometres, four digits each
 * with leading zeros, after E and N ("E0930N4410"); the field name gives the square's size
 * ("Statistische gegevens per vierkant en postcode", CBS 2023, section 3 "Codering
 * vierkant"). */
static const struct cbs_square_field {
    const char *name;
    double side_m;
} cbs_square_fields[] = {{"crs28992res100m", 100.0}, {"crs28992res500m", 500.0}};

/* Samples of whole geometries compared with the squares of their codes. */
enum { SQUARE_SAMPLES = 1000 };

/* The WKB of a square as the geometry route keeps it: a little-endian multipolygon of one
 * polygon of one ring of 5 points. */
enum { SQUARE_WKB_SIZE = 9 + 9 + 4 + 80 };

/* The lower-left corner (@p x, @p y) of the square coded @p s, squares of @p side_m: 1, or 0
 * when @p s is not exactly E, 4 digits, N, 4 digits on the grid of that size. */
static int parse_square_code(const char *s, double side_m, double *x, double *y)
{
    if (!s || strlen(s) != 10 || s[0] != 'E' || s[5] != 'N')
        return 0;
    int e = 0, n = 0;
    for (int i = 1; i < 5; i++) {
        if (s[i] < '0' || s[i] > '9' || s[i + 5] < '0' || s[i + 5] > '9')
            return 0;
        e = 10 * e + (s[i] - '0');
        n = 10 * n + (s[i + 5] - '0');
    }
    *x = 100.0 * e;
    *y = 100.0 * n;
    int step = (int)(side_m / 100.0); /* the side in hectometres: 1 or 5 */
    return e % step == 0 && n % step == 0;
}

/* The 5 points of @p g when it is a 2D polygon, or a 2D multipolygon of one polygon, of one
 * ring of 5 points: 1, else 0. */
static int one_ring_of_five(OGRGeometryH g, double xy[10])
{
    if (!g)
        return 0;
    if (OGR_G_GetGeometryType(g) == wkbMultiPolygon) {
        if (OGR_G_GetGeometryCount(g) != 1)
            return 0;
        g = OGR_G_GetGeometryRef(g, 0);
    }
    if (OGR_G_GetGeometryType(g) != wkbPolygon || OGR_G_GetGeometryCount(g) != 1)
        return 0;
    OGRGeometryH ring = OGR_G_GetGeometryRef(g, 0);
    if (OGR_G_GetPointCount(ring) != 5)
        return 0;
    OGR_G_GetPoints(ring, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    return 1;
}

/* The ring of the square with lower-left corner (@p x, @p y): its corners (0 lower-left,
 * 1 lower-right, 2 upper-right, 3 upper-left) in the order @p corner, closed. */
static void square_ring(double x, double y, double side_m, const int corner[4], double xy[10])
{
    for (int i = 0; i < 5; i++) {
        int c = corner[i % 4];
        xy[2 * i] = c == 1 || c == 2 ? x + side_m : x;
        xy[2 * i + 1] = c >= 2 ? y + side_m : y;
    }
}

/* The order in which the ring @p xy walks the corners of the square at (@p x, @p y): 1 when it
 * starts at a corner and goes round the square one way, closed; else 0. */
static int corner_order(const double xy[10], double x, double y, double side_m, int corner[4])
{
    for (int i = 0; i < 4; i++) {
        double px = xy[2 * i], py = xy[2 * i + 1];
        int right = px == x + side_m, top = py == y + side_m;
        if (!(right || px == x) || !(top || py == y))
            return 0;
        corner[i] = top ? (right ? 2 : 3) : (right ? 1 : 0);
    }
    int step = (corner[1] - corner[0] + 4) % 4;
    if (step != 1 && step != 3)
        return 0;
    for (int i = 1; i < 4; i++)
        if ((corner[i] - corner[i - 1] + 4) % 4 != step)
            return 0;
    return xy[8] == xy[0] && xy[9] == xy[1];
}

/* @p name as an SQL identifier in double quotes, appended to @p sql (of @p size). */
static void append_ident(char *sql, size_t size, const char *name)
{
    size_t k = strlen(sql);
    if (k + 1 < size)
        sql[k++] = '"';
    for (const char *c = name; *c && k + 2 < size; c++) {
        if (*c == '"')
            sql[k++] = '"';
        sql[k++] = *c;
    }
    if (k + 1 < size)
        sql[k++] = '"';
    sql[k < size ? k : size - 1] = '\0';
}

/* The query of one pass over the squares (feature ids [@p fid0, @p fid1) when @p bounded): the
 * layer's fields, then its geometry blob without the first byte, in feature id order; NULL when
 * out of memory. GDAL makes a GeoPackage blob (magic "GP") in a result into an OGR geometry,
 * which is what this route avoids; without its "G" the blob stays a binary field. */
static char *square_query(OGRLayerH lyr, int bounded, int64_t fid0, int64_t fid1)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    const char *fid = OGR_L_GetFIDColumn(lyr), *geom = OGR_L_GetGeometryColumn(lyr);
    size_t size = 512 + 4 * strlen(OGR_L_GetName(lyr)) + 4 * strlen(geom) + 8 * strlen(fid);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++)
        size += 2 * strlen(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i))) + 4;
    char *sql = calloc(size, 1);
    if (!sql)
        return NULL;
    strcat(sql, "SELECT ");
    append_ident(sql, size, fid);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
        strcat(sql, ", ");
        append_ident(sql, size, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    }
    strcat(sql, ", substr(");
    append_ident(sql, size, geom);
    strcat(sql, ", 2) FROM ");
    append_ident(sql, size, OGR_L_GetName(lyr));
    if (bounded) {
        strcat(sql, " WHERE ");
        append_ident(sql, size, fid);
        size_t k = strlen(sql);
        snprintf(sql + k, size - k, " >= %lld AND ", (long long)fid0);
        append_ident(sql, size, fid);
        k = strlen(sql);
        snprintf(sql + k, size - k, " < %lld", (long long)fid1);
    }
    strcat(sql, " ORDER BY ");
    append_ident(sql, size, fid);
    return sql;
}

/* Does the query's result hold the layer's fields (same names and types, in order) and then
 * one more, the geometry blob? (GDAL types it by the part's first row: binary, unless that
 * row's geometry is NULL.) */
static int query_fields_match(OGRFeatureDefnH table, OGRFeatureDefnH q)
{
    int nf = OGR_FD_GetFieldCount(table);
    if (OGR_FD_GetFieldCount(q) != nf + 1)
        return 0;
    for (int i = 0; i < nf; i++) {
        OGRFieldDefnH a = OGR_FD_GetFieldDefn(table, i), b = OGR_FD_GetFieldDefn(q, i);
        if (strcmp(OGR_Fld_GetNameRef(a), OGR_Fld_GetNameRef(b)) != 0 ||
            OGR_Fld_GetType(a) != OGR_Fld_GetType(b) ||
            OGR_Fld_GetSubType(a) != OGR_Fld_GetSubType(b))
            return 0;
    }
    return 1;
}

/* What a row's geometry blob says about the square its code gives. */
typedef enum blob_verdict {
    BLOB_SQUARE,     /* the ring of the code's square, corners in the layer's order, bit for bit */
    BLOB_OTHER_RING, /* a polygon of 5 points with the square's envelope, another ring */
    BLOB_NOT_SQUARE  /* anything else: what the route before called "not the square of its code" */
} blob_verdict;

/* The verdict on the geometry blob @p b of a row from its second byte on (@p nb bytes; NULL
 * when the geometry is NULL) against @p ring, the square of the row's code at (@p x, @p y) with
 * the layer's corner order. A GeoPackage blob is "GP", a version (0), flags (bit 0 the byte
 * order of the header, bits 1-3 the envelope: 0 none, 1 the 4 doubles minx, maxx, miny, maxy;
 * bit 4 empty, bit 5 extended), an int32 srs_id, the envelope and the WKB (GeoPackage 1.3,
 * clause 2.1.3). A square is a 2D WKB polygon of one ring of 5 points (93 bytes), or a
 * multipolygon of one such polygon (102 bytes), whose envelope (the header's when it has one,
 * else the points') is the square: as before the envelope, type and size; the points show
 * whether its ring is the code's. */
static blob_verdict square_blob(const unsigned char *b, size_t nb, const double ring[10], double x,
                                double y, double side_m)
{
    if (!b || nb < 7 || b[0] != 'P' || b[1] != 0)
        return BLOB_NOT_SQUARE;
    unsigned flags = b[2];
    unsigned env = (flags >> 1) & 7;
    if ((flags & 0x30) || env > 1)
        return BLOB_NOT_SQUARE;
    size_t head = 7 + 32 * env; /* the header less its first byte */
    if (nb < head)
        return BLOB_NOT_SQUARE;
    const unsigned char *w = b + head;
    size_t wn = nb - head;
    if (wn == 102) { /* a multipolygon of one polygon */
        if (w[0] > 1 || lb_core_load_u32(w + 1, w[0]) != 6 || lb_core_load_u32(w + 5, w[0]) != 1)
            return BLOB_NOT_SQUARE;
        w += 9;
        wn -= 9;
    }
    if (wn != 93 || w[0] > 1 || lb_core_load_u32(w + 1, w[0]) != 3 ||
        lb_core_load_u32(w + 5, w[0]) != 1 || lb_core_load_u32(w + 9, w[0]) != 5)
        return BLOB_NOT_SQUARE;
    double xy[10];
    for (int k = 0; k < 10; k++)
        xy[k] = lb_core_load_f64(w + 13 + 8 * k, w[0]);
    double e[4]; /* minx, maxx, miny, maxy */
    if (env) {
        for (int k = 0; k < 4; k++)
            e[k] = lb_core_load_f64(b + 7 + 8 * k, (int)(flags & 1));
    } else {
        e[0] = e[1] = xy[0];
        e[2] = e[3] = xy[1];
        for (int k = 1; k < 5; k++) {
            e[0] = fmin(e[0], xy[2 * k]);
            e[1] = fmax(e[1], xy[2 * k]);
            e[2] = fmin(e[2], xy[2 * k + 1]);
            e[3] = fmax(e[3], xy[2 * k + 1]);
        }
    }
    if (e[0] != x || e[1] != x + side_m || e[2] != y || e[3] != y + side_m)
        return BLOB_NOT_SQUARE;
    return memcmp(xy, ring, sizeof(xy)) == 0 ? BLOB_SQUARE : BLOB_OTHER_RING;
}

/* Square @p xy (a closed 5-point ring) as row @p row of the reader's arrays (reserved): its
 * ring, its area and at @p wkb its WKB, the multipolygon of one polygon that the geometry route
 * keeps. */
static void put_square(reader *r, size_t row, int64_t fid, const double xy[10], unsigned char *wkb)
{
    /* NDR: multipolygon (6) of 1 polygon (3) of 1 ring of 5 points */
    const uint32_t head[] = {6, 1, 3, 1, 5};
    unsigned char *p = wkb;
    for (int k = 0; k < 5; k++) {
        if (k == 0 || k == 2)
            *p++ = 1;
        uint32_t v = head[k];
        for (int b = 0; b < 4; b++)
            *p++ = (unsigned char)(v >> (8 * b));
    }
    for (int k = 0; k < 10; k++) {
        uint64_t bits;
        memcpy(&bits, &xy[k], sizeof(bits));
        for (int b = 0; b < 8; b++)
            *p++ = (unsigned char)(bits >> (8 * b));
    }
    ((int64_t *)r->fid.data)[row] = fid;
    ((unsigned char **)r->wkb.data)[row] = wkb;
    ((size_t *)r->wkbsz.data)[row] = SQUARE_WKB_SIZE;
    ((size_t *)r->ring_start.data)[row] = row;
    ((size_t *)r->ring_pt.data)[row] = 5 * row;
    ((int *)r->ring_hole.data)[row] = 0;
    memcpy((double *)r->ring_xy.data + 10 * row, xy, 10 * sizeof(double));
    ((double *)r->area.data)[row] = fabs(ring_signed_area(xy, 5));
}

/* An array of @p bytes that is filled at once, on huge pages from half of LB_BIGMEM_MIN on: a
 * page fault costs microseconds on a virtual machine, and 449k squares touch 130 MB, 3.6 MB per
 * array of 8 bytes a row (rounded up to LB_BIGMEM_MIN: less than 2 MB more each). */
static void *big_array(size_t bytes)
{
    return lb_bigmem_alloc(bytes >= LB_BIGMEM_MIN / 2 && bytes < LB_BIGMEM_MIN ? LB_BIGMEM_MIN
                                                                               : bytes);
}

/* Room for @p n > 0 rows in one of the reader's arrays, allocated once. */
static int reserve_big(growbuf *b, size_t n)
{
    b->data = big_array(n * b->elem);
    b->cap = b->data ? n : 0;
    return b->data != NULL;
}

/* Room for @p n rows in the reader's arrays and fields of a square layer, and the WKB of each. */
static int reserve_squares(reader *r, size_t n, unsigned char **wkb)
{
    lb_vlayer *l = r->l;
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        free(f->num);
        free(f->str);
        free(f->state);
        f->num = big_array(n * sizeof(double));
        f->str = f->is_string ? big_array(n * sizeof(char *)) : NULL;
        f->state = f->is_string ? big_array(n) : NULL;
        if (!f->num || (f->is_string && (!f->str || !f->state)))
            return 0;
    }
    *wkb = lb_vlayer_block_take(&r->wkb_blocks, n * SQUARE_WKB_SIZE, 0);
    /* ring_start and ring_pt with room for the end sentinels finish_layer() writes */
    return *wkb && reserve_big(&r->fid, n) && reserve_big(&r->wkb, n) &&
           reserve_big(&r->wkbsz, n) && reserve_big(&r->ring_start, n + 1) &&
           reserve_big(&r->area, n) && reserve_big(&r->ring_pt, n + 1) &&
           reserve_big(&r->ring_hole, n) && reserve_big(&r->ring_xy, 10 * n);
}

/* Rows per part below which the squares are read in one pass: a part opens the file again. */
enum { SQUARE_PART_MIN = 1024, SQUARE_PARTS_MAX = 8 };

/* What every pass over the squares shares (read-only during the passes). */
typedef struct squares_pass {
    reader *r;
    const struct cbs_square_field *sq;
    int code;           /* the index of the code field */
    int corner[4];      /* the first feature's order of the corners */
    unsigned char *wkb; /* row k's WKB at wkb + k * SQUARE_WKB_SIZE */
    size_t n;           /* rows: the layer's feature count */
    int64_t fid_first;  /* the first feature's id */
} squares_pass;

/* One SQL pass over the squares: the feature ids [fid0, fid1) when bounded (the fids of such a
 * part are dense: fid0, fid0 + 1, ...), else every row; its rows are rows row0, row0 + 1, ...
 * of the layer, n_max of them. */
typedef struct square_part {
    char *sql;
    int bounded;
    int64_t fid0, fid1;
    size_t row0, n_max;
    /* what the pass found */
    size_t n;           /* rows kept */
    lb_status st;       /* LB_ERR_NOMEM, else LB_OK */
    int64_t bad_fid;    /* the first row that is not the square of its code (why), or -1 */
    int miscount;       /* rows other than the feature count says */
    int no_query;       /* the query or the file failed (why) */
    int64_t other_ring; /* the first row whose blob is BLOB_OTHER_RING, or -1 */
    size_t bad_sample;  /* the first sampled row whose whole geometry differs, or SIZE_MAX */
    double ext[4];      /* xmin, ymin, xmax, ymax of its squares */
    char why[320];
    size_t *n_missing;  /* per field */
    lb_vblock **text;   /* per field: the blocks of its text values */
    size_t *text_first; /* per field: the size of its first block */
} square_part;

/* The next row the samples look at after row @p k of @p n: every @p step-th from the first,
 * and the last. */
static size_t next_sample(size_t k, size_t n, size_t step)
{
    return k + step < n || k == n - 1 ? k + step : n - 1;
}

/* Compare the whole geometry (OGR's, from @p lyr) of the sampled rows among those of part @p p
 * with the squares kept for them: about SQUARE_SAMPLES rows spread over the layer, the first
 * and the last among them. Sets p->bad_sample to the first that differs. */
static void squares_sampled(const squares_pass *sp, OGRLayerH lyr, square_part *p)
{
    size_t n = sp->n, step = n > SQUARE_SAMPLES ? n / SQUARE_SAMPLES : 1;
    const int64_t *fid = sp->r->fid.data;
    const double *ring = sp->r->ring_xy.data;
    for (size_t k = 0; k < n && k < p->row0 + p->n; k = next_sample(k, n, step)) {
        if (k < p->row0)
            continue;
        OGRFeatureH f = OGR_L_GetFeature(lyr, (GIntBig)fid[k]);
        double xy[10];
        int same = f && one_ring_of_five(OGR_F_GetGeometryRef(f), xy) &&
                   memcmp(xy, ring + 10 * k, sizeof(xy)) == 0;
        if (f)
            OGR_F_Destroy(f);
        if (!same) {
            p->bad_sample = k;
            return;
        }
    }
}

/* One pass (part @p p) over the squares: each row's code must parse and its geometry blob be
 * the square of its code (square_blob); its square, WKB and field values go to its row. Opens
 * the file again unless @p ds is given (GDAL handles are for one thread). Then the samples of
 * the part's rows. Runs on any thread: it writes only its own rows and @p p. */
static void square_part_run(const squares_pass *sp, GDALDatasetH ds, square_part *p)
{
    reader *r = sp->r;
    lb_vlayer *l = r->l;
    int nf = (int)l->n_fields;
    double side = sp->sq->side_m;
    GDALDatasetH own = NULL;
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    if (!ds)
        ds = own = GDALOpenEx(l->path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                              NULL, NULL, NULL);
    OGRLayerH lyr = ds ? GDALDatasetGetLayerByName(ds, l->layer) : NULL;
    OGRLayerH q = lyr ? GDALDatasetExecuteSQL(ds, p->sql, NULL, NULL) : NULL;
    lb_io_cpl_end(&cap);
    if (!q || !query_fields_match(OGR_L_GetLayerDefn(lyr), OGR_L_GetLayerDefn(q))) {
        p->no_query = 1;
        snprintf(p->why, sizeof(p->why), "the query of its geometries failed%s%.200s",
                 cap.msg[0] ? ": " : "", cap.msg);
    }
    /* A column GDAL did not type binary (a NULL geometry first) gives no blob: the first row is
     * not a square, or the blobs are unreadable here. */
    int binary = q && OGR_Fld_GetType(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(q), nf)) == OFTBinary;
    OGRFeatureH f;
    while (!p->no_query && p->st == LB_OK && p->bad_fid < 0 &&
           (f = OGR_L_GetNextFeature(q)) != NULL) {
        int64_t fid = OGR_F_GetFID(f);
        size_t row = p->row0 + p->n;
        if (p->n == p->n_max || (p->bounded && fid != p->fid0 + (int64_t)p->n)) {
            p->miscount = 1;
            OGR_F_Destroy(f);
            break;
        }
        const char *c =
            OGR_F_IsFieldSetAndNotNull(f, sp->code) ? OGR_F_GetFieldAsString(f, sp->code) : "";
        double x, y, xy[10];
        int nb = 0;
        const unsigned char *blob = NULL;
        if (!parse_square_code(c, side, &x, &y)) {
            p->bad_fid = fid;
            snprintf(p->why, sizeof(p->why), "feature %lld: '%.20s' is no code of a %g m square",
                     (long long)fid, c, side);
        } else {
            square_ring(x, y, side, sp->corner, xy);
            int has_geom = OGR_F_IsFieldSetAndNotNull(f, nf);
            if (has_geom && binary)
                blob = OGR_F_GetFieldAsBinary(f, nf, &nb);
            blob_verdict v = square_blob(blob, blob ? (size_t)nb : 0, xy, x, y, side);
            if (has_geom && !binary) {
                p->no_query = 1;
                snprintf(p->why, sizeof(p->why),
                         "the query of its geometries gives no blob at feature %lld",
                         (long long)fid);
            } else if (v == BLOB_NOT_SQUARE) {
                p->bad_fid = fid;
                snprintf(p->why, sizeof(p->why),
                         "feature %lld: its geometry is not the square of its code '%s'",
                         (long long)fid, c);
            } else {
                if (v == BLOB_OTHER_RING && p->other_ring < 0)
                    p->other_ring = fid;
                put_square(r, row, fid, xy, sp->wkb + row * SQUARE_WKB_SIZE);
                /* the extent of the rings: corners of squares, never NaN or -0 */
                p->ext[0] = x < p->ext[0] ? x : p->ext[0];
                p->ext[1] = y < p->ext[1] ? y : p->ext[1];
                p->ext[2] = x + side > p->ext[2] ? x + side : p->ext[2];
                p->ext[3] = y + side > p->ext[3] ? y + side : p->ext[3];
                if (!store_field_values(l, f, row, p->text, p->text_first, p->n_missing))
                    p->st = LB_ERR_NOMEM;
                p->n++;
            }
        }
        OGR_F_Destroy(f);
    }
    if (q)
        GDALDatasetReleaseResultSet(ds, q);
    if (!p->no_query && p->st == LB_OK && p->bad_fid < 0 && !p->miscount && p->n != p->n_max)
        p->miscount = 1;
    if (!p->no_query && p->st == LB_OK && p->bad_fid < 0 && !p->miscount)
        squares_sampled(sp, lyr, p);
    if (own)
        GDALClose(own);
}

/* The first and the last feature id of @p lyr in @p ds: 1, else 0. */
static int fid_span(GDALDatasetH ds, OGRLayerH lyr, int64_t *lo, int64_t *hi)
{
    const char *fid = OGR_L_GetFIDColumn(lyr);
    size_t size = 64 + 4 * strlen(fid) + 4 * strlen(OGR_L_GetName(lyr)) + 8;
    char *sql = calloc(size, 1);
    if (!sql)
        return 0;
    /* two subqueries: SQLite looks a lone MIN or MAX up in the index, both at once it scans */
    strcat(sql, "SELECT (SELECT MIN(");
    append_ident(sql, size, fid);
    strcat(sql, ") FROM ");
    append_ident(sql, size, OGR_L_GetName(lyr));
    strcat(sql, "), (SELECT MAX(");
    append_ident(sql, size, fid);
    strcat(sql, ") FROM ");
    append_ident(sql, size, OGR_L_GetName(lyr));
    strcat(sql, ")");
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    OGRLayerH q = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    OGRFeatureH f = q ? OGR_L_GetNextFeature(q) : NULL;
    lb_io_cpl_end(&cap);
    int ok = f && OGR_F_GetFieldCount(f) == 2 && OGR_F_IsFieldSetAndNotNull(f, 0) &&
             OGR_F_IsFieldSetAndNotNull(f, 1);
    if (ok) {
        *lo = OGR_F_GetFieldAsInteger64(f, 0);
        *hi = OGR_F_GetFieldAsInteger64(f, 1);
    }
    if (f)
        OGR_F_Destroy(f);
    if (q)
        GDALDatasetReleaseResultSet(ds, q);
    free(sql);
    return ok;
}

/* Split the @p n rows of @p lyr into parts of SQL passes, as many as @p threads allows and the
 * rows fill (SQUARE_PART_MIN each): ranges of feature ids when the ids are dense (the first to
 * the last is n ids: row k is feature first + k), else one pass. The parts' queries and
 * per-field arrays are allocated; 0 when out of memory. */
static int split_squares(GDALDatasetH ds, OGRLayerH lyr, size_t n, size_t n_fields, int threads,
                         square_part *parts, size_t *n_parts)
{
    size_t np = 1;
    int64_t lo = 0, hi = -1;
    if (threads > 1 && n >= 2 * (size_t)SQUARE_PART_MIN && fid_span(ds, lyr, &lo, &hi) &&
        hi >= lo && (uint64_t)(hi - lo) == (uint64_t)n - 1) {
        np = n / SQUARE_PART_MIN;
        if (np > (size_t)threads)
            np = (size_t)threads;
        if (np > SQUARE_PARTS_MAX)
            np = SQUARE_PARTS_MAX;
    }
    *n_parts = np;
    for (size_t k = 0; k < np; k++)
        parts[k] = (square_part){.bad_fid = -1,
                                 .other_ring = -1,
                                 .bad_sample = SIZE_MAX,
                                 .ext = {INFINITY, INFINITY, -INFINITY, -INFINITY}};
    for (size_t k = 0; k < np; k++) {
        square_part *p = &parts[k];
        p->bounded = np > 1;
        p->row0 = k * n / np;
        p->n_max = (k + 1) * n / np - p->row0;
        p->fid0 = lo + (int64_t)p->row0;
        p->fid1 = p->fid0 + (int64_t)p->n_max;
        p->sql = square_query(lyr, p->bounded, p->fid0, p->fid1);
        p->n_missing = calloc(n_fields ? n_fields : 1, sizeof(size_t));
        p->text = calloc(n_fields ? n_fields : 1, sizeof(lb_vblock *));
        p->text_first = calloc(n_fields ? n_fields : 1, sizeof(size_t));
        if (!p->sql || !p->n_missing || !p->text || !p->text_first)
            return 0;
        /* room for the part's values at the field's width (characters; more bytes in UTF-8
         * grow the blocks), within reason */
        for (size_t i = 0; i < n_fields; i++) {
            int w = OGR_Fld_GetWidth(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(lyr), (int)i));
            size_t first = w > 0 && w < 64 ? p->n_max * (size_t)(w + 1) : 0;
            p->text_first[i] = first > (64 << 10) ? first : 64 << 10;
        }
    }
    return 1;
}

/* Hand what the parts counted and the blocks of their text to the fields of @p l, and free the
 * parts. */
static void finish_parts(lb_vlayer *l, square_part *parts, size_t n_parts)
{
    for (size_t k = 0; k < n_parts; k++) {
        square_part *p = &parts[k];
        for (size_t i = 0; p->text && p->n_missing && i < l->n_fields; i++) {
            l->fields[i].n_missing += p->n_missing[i];
            lb_vlayer_blocks_join(&l->fields[i].text_blocks, &p->text[i]);
        }
        free(p->sql);
        free(p->n_missing);
        free(p->text);
        free(p->text_first);
    }
}

/* Why the parts do not give the layer: the first part with a row that is not the square of
 * its code or other rows than counted (the part with the lowest fids first, as one pass would
 * stop there), else the first sample whose whole geometry differs, else the first row with the
 * envelope of its square but another ring. "" when they give it. */
static void squares_verdict(const squares_pass *sp, const square_part *parts, size_t n_parts,
                            char *why, size_t why_size)
{
    const int64_t *fid = sp->r->fid.data;
    for (size_t k = 0; k < n_parts; k++) {
        const square_part *p = &parts[k];
        if (p->no_query || p->bad_fid >= 0) {
            snprintf(why, why_size, "%s", p->why);
            return;
        }
        if (p->miscount) {
            snprintf(why, why_size,
                     "its feature count (%zu) is not the number of rows its query gives", sp->n);
            return;
        }
    }
    int64_t bad = -1;
    for (size_t k = 0; bad < 0 && k < n_parts; k++)
        if (parts[k].bad_sample != SIZE_MAX)
            bad = fid[parts[k].bad_sample];
    for (size_t k = 0; bad < 0 && k < n_parts; k++)
        bad = parts[k].other_ring;
    if (bad < 0)
        why[0] = '\0';
    else
        snprintf(why, why_size,
                 "feature %lld: its geometry is not the square of its code, corners in the "
                 "order of feature %lld",
                 (long long)bad, (long long)sp->fid_first);
}

/* Read the squares of a GeoPackage layer with a CBS code field (cbs_square_fields) in RD by
 * their code: the fields and each feature's geometry blob through SQL (OGR builds no geometry).
 * Every feature's geometry must be a single 2D polygon of 5 points whose envelope is the square
 * of its code, the first feature's ring gives the order of the corners that every square's ring
 * must follow (every row's points are compared), and about SQUARE_SAMPLES whole geometries read
 * by OGR are compared with their squares. Then the rows are what the geometry route keeps
 * (fields, ids, rings, areas, WKB), and *@p used is 1. Otherwise *@p used is 0, nothing is kept
 * and @p why says why the layer has to be read by its geometry. The rows are read in up to
 * lb_ctx_threads() passes over ranges of feature ids at once, each with its own GDAL handle,
 * into their own rows of the arrays: the same layer and the same why for any number. */
static lb_status read_squares(reader *r, GDALDatasetH ds, OGRLayerH lyr, int *used, char *why,
                              size_t why_size)
{
    lb_vlayer *l = r->l;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    *used = 0;
    squares_pass sp = {.r = r, .code = -1};
    for (size_t k = 0; !sp.sq && k < sizeof(cbs_square_fields) / sizeof(cbs_square_fields[0]);
         k++) {
        sp.code = OGR_FD_GetFieldIndex(defn, cbs_square_fields[k].name);
        if (sp.code >= 0 && OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, sp.code)) == OFTString)
            sp.sq = &cbs_square_fields[k];
    }
    const char *fidcol = OGR_L_GetFIDColumn(lyr), *geomcol = OGR_L_GetGeometryColumn(lyr);
    if (!sp.sq || !fidcol || !*fidcol || !geomcol || !*geomcol)
        return LB_OK;
    OGRwkbGeometryType gt = OGR_L_GetGeomType(lyr);
    if (gt != wkbPolygon && gt != wkbMultiPolygon) {
        snprintf(why, why_size, "its geometry type is %s", OGRGeometryTypeToName(gt));
        return LB_OK;
    }
    /* the order of the corners, from the first feature */
    OGR_L_ResetReading(lyr);
    OGRFeatureH first = OGR_L_GetNextFeature(lyr);
    double xy[10], x = 0.0, y = 0.0;
    int ok = first && OGR_F_IsFieldSetAndNotNull(first, sp.code) &&
             parse_square_code(OGR_F_GetFieldAsString(first, sp.code), sp.sq->side_m, &x, &y) &&
             one_ring_of_five(OGR_F_GetGeometryRef(first), xy) &&
             corner_order(xy, x, y, sp.sq->side_m, sp.corner);
    if (first && !ok)
        snprintf(why, why_size, "feature %lld: its geometry is not the square of its code",
                 (long long)OGR_F_GetFID(first));
    if (first) {
        sp.fid_first = OGR_F_GetFID(first);
        OGR_F_Destroy(first);
    }
    OGR_L_ResetReading(lyr);
    if (!ok)
        return LB_OK;
    GIntBig count = OGR_L_GetFeatureCount(lyr, TRUE);
    if (count <= 0) {
        snprintf(why, why_size, "it does not tell its number of features");
        return LB_OK;
    }
    sp.n = (size_t)count;
    square_part parts[SQUARE_PARTS_MAX];
    size_t n_parts = 0;
    lb_status st = read_fields(r->ctx, l, defn, 1);
    if (st == LB_OK &&
        (!reserve_squares(r, sp.n, &sp.wkb) ||
         !split_squares(ds, lyr, sp.n, l->n_fields, lb_ctx_threads(r->ctx), parts, &n_parts)))
        st = LB_ERR_NOMEM;
    l->kind = LB_GEOM_POLYGON;
    if (st == LB_OK) {
#pragma omp parallel for num_threads((int)n_parts) schedule(static, 1)
        for (size_t k = 0; k < n_parts; k++)
            square_part_run(&sp, k == 0 ? ds : NULL, &parts[k]);
    }
    for (size_t k = 0; k < n_parts; k++)
        if (parts[k].st != LB_OK)
            st = parts[k].st;
    if (st == LB_OK)
        squares_verdict(&sp, parts, n_parts, why, why_size);
    finish_parts(l, parts, n_parts);
    if (st != LB_OK)
        return lb_ctx_error(r->ctx, LB_ERR_NOMEM, "out of memory reading '%s'", l->path);
    if (why[0]) {
        reset_reader(r);
        return LB_OK;
    }
    r->fid.n = r->wkb.n = r->wkbsz.n = r->ring_start.n = r->area.n = r->ring_pt.n = r->ring_hole.n =
        sp.n;
    r->ring_xy.n = 10 * sp.n;
    l->n = sp.n;
    /* the extent compute_extent() would find, without going over every point again */
    l->xmin = l->ymin = INFINITY;
    l->xmax = l->ymax = -INFINITY;
    for (size_t k = 0; k < n_parts; k++) {
        l->xmin = parts[k].ext[0] < l->xmin ? parts[k].ext[0] : l->xmin;
        l->ymin = parts[k].ext[1] < l->ymin ? parts[k].ext[1] : l->ymin;
        l->xmax = parts[k].ext[2] > l->xmax ? parts[k].ext[2] : l->xmax;
        l->ymax = parts[k].ext[3] > l->ymax ? parts[k].ext[3] : l->ymax;
    }
    *used = 1;
    lb_ctx_log(r->ctx, LB_LOG_INFO,
               "input '%s' ('%s' layer '%s'): %zu squares read by their code ('%s'), every "
               "geometry checked against its code",
               l->name, l->path, l->layer, sp.n, sp.sq->name);
    return LB_OK;
}

/* Does the path end in @p ext (".csv"), ignoring case? */
static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = path[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

/* Is @p path a StatLine export in table layout ("CSV volgens tabelindeling"): a title line,
 * then a header row "Onderwerp";...;regions and rows per topic such as
 * "Regioaanduiding|Codering";"code";"NL00";"GM1680";...? Reads the first 8 KiB. */
static int is_statline_table_layout(const char *path)
{
    char head[8192];
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        return 0;
    size_t n = VSIFReadL(head, 1, sizeof(head) - 1, fp);
    VSIFCloseL(fp);
    head[n] = '\0';
    return strstr(head, "\n\"Onderwerp\";") != NULL || strstr(head, "Regioaanduiding|") != NULL;
}

/* A CSV that GDAL would read with values in the wrong columns or cut short: a NUL byte (GDAL
 * ends the field there) or a row with more or fewer fields than the header line (GDAL drops the
 * extra fields and reads the missing ones as NULL, and a name with an unquoted separator shifts
 * every later value of its row). The separator is the one of ',', ';', tab and '|' the header
 * line uses most, as GDAL picks it. Quoted fields may hold separators and newlines. */
static lb_status check_csv_shape(lb_ctx *ctx, const lb_source *src)
{
    VSILFILE *fp = VSIFOpenL(src->path, "rb");
    if (!fp)
        return LB_OK; /* GDAL reports it */
    enum { CHUNK = 65536 };
    char *buf = malloc(CHUNK);
    if (!buf) {
        VSIFCloseL(fp);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory checking '%s'", src->path);
    }
    static const char seps[4] = {',', ';', '\t', '|'};
    size_t head_count[4] = {0}, n_fields = 1, header_fields = 0, line = 1, rec_line = 1;
    size_t n_bad = 0, rec_chars = 0;
    int in_quote = 0, header_done = 0;
    char sep = ',', bad[256] = "";
    lb_status st = LB_OK;
    size_t n;
    while (st == LB_OK && (n = VSIFReadL(buf, 1, CHUNK, fp)) > 0) {
        for (size_t i = 0; i < n && st == LB_OK; i++) {
            char c = buf[i];
            if (c == '\0') {
                st =
                    lb_ctx_error(ctx, LB_ERR_DATA,
                                 "input '%s': '%s' line %zu holds a NUL byte: not a text CSV, or a "
                                 "damaged one; export it again",
                                 src->name, src->path, line);
                break;
            }
            if (c == '"') {
                in_quote = !in_quote;
                rec_chars++;
                continue;
            }
            if (c == '\n')
                line++;
            if (in_quote)
                continue;
            if (c == '\n') {
                if (!header_done) {
                    size_t best = 0;
                    for (int k = 1; k < 4; k++)
                        if (head_count[k] > head_count[best])
                            best = (size_t)k;
                    sep = seps[best];
                    header_fields = head_count[best] + 1;
                    header_done = 1;
                } else if (rec_chars > 0 && n_fields != header_fields) {
                    /* a blank line is no row */
                    if (n_bad++ < 3) {
                        char item[64];
                        snprintf(item, sizeof(item), "line %zu has %zu", rec_line, n_fields);
                        lb_core_list_append(bad, sizeof(bad), item);
                    }
                }
                n_fields = 1;
                rec_chars = 0;
                rec_line = line;
                continue;
            }
            if (c == '\r')
                continue;
            rec_chars++;
            if (!header_done) {
                for (int k = 0; k < 4; k++)
                    head_count[k] += c == seps[k];
            } else if (c == sep) {
                n_fields++;
            }
        }
    }
    /* the last row when the file does not end with a newline */
    if (st == LB_OK && header_done && rec_chars > 0 && n_fields != header_fields && n_bad++ < 3) {
        char item[64];
        snprintf(item, sizeof(item), "line %zu has %zu", rec_line, n_fields);
        lb_core_list_append(bad, sizeof(bad), item);
    }
    char sep_name[3] = {sep, '\0', '\0'};
    if (sep == '\t')
        memcpy(sep_name, "\\t", 3);
    if (st == LB_OK && n_bad)
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "input '%s': '%s' has %zu row(s) whose number of fields differs from the "
                          "header line's %zu (separator '%s'): %s%s. Quote fields that hold the "
                          "separator and give every row all fields (empty for missing)",
                          src->name, src->path, n_bad, header_fields, sep_name, bad,
                          n_bad > 3 ? ", …" : "");
    free(buf);
    VSIFCloseL(fp);
    return st;
}

/* Open @p src->path as a vector dataset. CSV is opened with every column as text (numbers are
 * parsed the Dutch way by lb_io_parse_number: "12,5", StatLine "." and "x") and empty strings as
 * NULL; GDAL's CSV driver detects the ';' separator and skips the UTF-8 BOM itself. */
static lb_status open_vector(lb_ctx *ctx, const lb_source *src, GDALDatasetH *out)
{
    struct stat sb;
    if (stat(src->path, &sb) != 0 && strncmp(src->path, "/vsi", 4) != 0)
        return lb_ctx_error(ctx, LB_ERR_IO, "input '%s': cannot open '%s': %s", src->name,
                            src->path, strerror(errno));
    static const char *const csv_options[] = {"HEADERS=YES", "AUTODETECT_TYPE=NO",
                                              "EMPTY_STRING_AS_NULL=YES", NULL};
    int is_csv = has_ext(src->path, ".csv");
    if (is_csv && !is_statline_table_layout(src->path)) {
        lb_status st = check_csv_shape(ctx, src);
        if (st != LB_OK)
            return st;
    }
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    GDALDatasetH ds =
        GDALOpenEx(src->path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, NULL,
                   is_csv ? (const char *const *)csv_options : NULL, NULL);
    lb_io_cpl_end(&cap);
    if (ds) {
        *out = ds;
        return LB_OK;
    }
    if (is_csv && is_statline_table_layout(src->path))
        return lb_ctx_error(
            ctx, LB_ERR_DATA,
            "input '%s': '%s' is a CBS StatLine export in table layout (\"CSV volgens "
            "tabelindeling\": topics as rows, regions as columns), which cannot be joined "
            "to units. Download the table again from StatLine as \"CSV met statistische "
            "symbolen\" (one row per region, one column per topic; Downloaden > CSV), or "
            "transpose it so that the first row names the columns and each region is a row",
            src->name, src->path);
    struct stat dir_sb;
    if (stat(src->path, &dir_sb) == 0 && S_ISDIR(dir_sb.st_mode))
        return lb_ctx_error(ctx, LB_ERR_IO,
                            "input '%s': '%s' is not a readable vector file: it is a directory "
                            "that GDAL cannot read as a dataset, and a directory without run.json "
                            "(not a leefbaar output directory); give a file, or a run directory",
                            src->name, src->path);
    return lb_ctx_error(ctx, LB_ERR_IO, "input '%s': '%s' is not a readable vector file (%s)",
                        src->name, src->path, cap.msg[0] ? cap.msg : "no driver recognises it");
}

/* Reserve room for the vertices of a large file up front: as many doubles as the file has
 * bytes (a vertex takes 16 bytes in the file as in memory, so this is rarely outgrown). The
 * reservation is one block of its own that the kernel backs only where it is written (on huge
 * pages where it can), and realloc grows it by remapping. Grown from 64 doubles by doubling,
 * the array was copied a dozen times through the heap, which kept the copies' pages: 37 MB
 * more resident memory after reading the 67 MB of vertices of the national buurten (T2). */
static void reserve_vertices(reader *r, const lb_source *src)
{
    enum { FROM_BYTES = 32 << 20, AT_MOST = 1 << 30 };
    struct stat sb;
    if (stat(src->path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < FROM_BYTES)
        return;
    size_t bytes = sb.st_size < AT_MOST ? (size_t)sb.st_size : (size_t)AT_MOST;
    size_t cap = bytes / sizeof(double);
    double *xy = lb_bigmem_alloc(cap * sizeof(double)); /* few page faults (core/bigmem.h) */
    if (!xy)
        return; /* grown as needed instead */
    r->ring_xy.data = xy;
    r->ring_xy.cap = cap;
}

/* Read one layer. @p allow_empty: no features is no error (one file of several bound to a name;
 * lb_vlayer_read_list checks the total). */
static lb_status read_layer(lb_ctx *ctx, const lb_source *src, const char *filter, int attrs_only,
                            int allow_empty, int warn_text, int by_code, int rings_only,
                            lb_vlayer **out)
{
    lb_io_gdal_init();
    lb_status st = LB_OK;
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH s_srs = NULL, rd = NULL;
    OGRCoordinateTransformationH ct = NULL;
    reader r;
    init_reader(&r, ctx, src, attrs_only, rings_only, NULL);

    lb_vlayer *l = calloc(1, sizeof(*l));
    if (!l)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    r.l = l;
    l->name = lb_core_strdup(src->name);
    l->path = lb_core_strdup(src->path);
    l->filter = lb_core_strdup(filter);

    st = open_vector(ctx, src, &ds);
    if (st != LB_OK)
        goto cleanup;
    OGRLayerH lyr = pick_layer(ctx, ds, src);
    if (!lyr) {
        st = LB_ERR_DATA;
        goto cleanup;
    }
    l->layer = lb_core_strdup(OGR_L_GetName(lyr));
    const char *driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    l->driver = lb_core_strdup(driver);
    if (!allow_empty && OGR_L_GetFeatureCount(lyr, TRUE) == 0) {
        st = lb_ctx_error(ctx, LB_ERR_DATA, "input '%s' ('%s' layer '%s') has no %s", src->name,
                          src->path, l->layer, attrs_only ? "rows" : "features");
        goto cleanup;
    }
    if (filter) {
        lb_cpl_capture cap;
        lb_io_cpl_begin(&cap);
        OGRErr e = OGR_L_SetAttributeFilter(lyr, filter);
        lb_io_cpl_end(&cap);
        if (e != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_DATA,
                              "input '%s' ('%s' layer '%s'): bad filter \"%s\": %s", src->name,
                              src->path, l->layer, filter, cap.msg);
            goto cleanup;
        }
    }
    int has_geom = OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(lyr)) > 0;
    l->has_geometry = has_geom;
    if (!attrs_only && !has_geom) {
        st = lb_ctx_error(ctx, LB_ERR_DATA,
                          "input '%s' ('%s' layer '%s') is a table without geometry; an attribute "
                          "table can be used in area mode, joined to the units on a code: "
                          "--mode area --join %s=KEY[:UNITS_KEY] (e.g. --join %s=WK_CODE)",
                          src->name, src->path, l->layer, src->name, src->name);
        goto cleanup;
    }
    if (!attrs_only) {
        s_srs = source_srs(ctx, src, lyr, l->layer, driver);
        if (!s_srs) {
            st = LB_ERR_CRS;
            goto cleanup;
        }
        rd = lb_srs_rd(ctx);
        if (!rd) {
            st = LB_ERR_CRS;
            goto cleanup;
        }
        if (!OSRIsSame(s_srs, rd)) {
            ct = OCTNewCoordinateTransformation(s_srs, rd);
            if (!ct) {
                st = lb_ctx_error(ctx, LB_ERR_CRS,
                                  "input '%s' ('%s' layer '%s'): no transformation from its CRS to "
                                  "RD New (EPSG:28992)",
                                  src->name, src->path, l->layer);
                goto cleanup;
            }
        }
    }
    /* CBS squares in RD: by their code where it agrees with their geometry (read_squares); not
     * for a rings-only read, which keeps no WKB while the squares route writes it */
    int squares = 0;
    char why[320] = "";
    if (by_code && !rings_only && !ct && !filter && strcmp(driver, "GPKG") == 0) {
        st = read_squares(&r, ds, lyr, &squares, why, sizeof(why));
        if (st != LB_OK)
            goto cleanup;
        if (!squares && why[0])
            lb_ctx_log(ctx, LB_LOG_INFO,
                       "input '%s' ('%s' layer '%s'): read by the geometry of its features, not "
                       "by their CBS square code: %s",
                       src->name, src->path, l->layer, why);
    }
    if (!squares && !attrs_only)
        reserve_vertices(&r, src);
    st = squares ? LB_OK : read_features(&r, lyr, ct);
    if (st != LB_OK)
        goto cleanup;
    warn_skipped(ctx, l, &r.outside_nl,
                 "lie outside the Netherlands (RD New envelope; e.g. at 0,0 or abroad)");
    if (r.no_geometry.n) {
        /* Such a feature is in no output and its values count nowhere: say which. */
        char ids[160] = "";
        for (size_t i = 0; i < r.no_geometry.n && i < N_EXAMPLE_FIDS; i++) {
            char one[32];
            snprintf(one, sizeof(one), "%lld", (long long)r.no_geometry.fid[i]);
            lb_core_list_append(ids, sizeof(ids), one);
        }
        lb_ctx_log(ctx, LB_LOG_WARN,
                   "input '%s' ('%s' layer '%s'): %zu feature(s) without a geometry (NULL or "
                   "empty) skipped: they are in no output and their values count nowhere "
                   "(feature%s %s%s)",
                   l->name, l->path, l->layer, r.no_geometry.n, r.no_geometry.n > 1 ? "s" : "", ids,
                   r.no_geometry.n > N_EXAMPLE_FIDS ? ", ..." : "");
    }
    if (l->n == 0 && !allow_empty) {
        st =
            lb_ctx_error(ctx, LB_ERR_DATA, "input '%s' ('%s' layer '%s'%s%s%s) has no %s%s",
                         src->name, src->path, l->layer, filter ? ", filter \"" : "",
                         filter ? filter : "", filter ? "\"" : "", attrs_only ? "rows" : "features",
                         l->n_skipped ? " with a usable geometry" : "");
        goto cleanup;
    }
    if (l->kind == LB_GEOM_NONE && !attrs_only && l->n > 0) {
        st =
            lb_ctx_error(ctx, LB_ERR_DATA,
                         "input '%s' ('%s' layer '%s'): geometry type not supported (points, lines "
                         "or polygons expected)",
                         src->name, src->path, l->layer);
        goto cleanup;
    }
    st = finish_layer(&r);
    if (st != LB_OK)
        goto cleanup;
    parse_text_fields(ctx, src, l, has_ext(src->path, ".csv"), warn_text);
    if (!attrs_only && !squares)
        compute_extent(l);
    *out = l;
    l = NULL;
cleanup:
    free_reader(&r);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (rd)
        OSRRelease(rd);
    if (s_srs)
        OSRRelease(s_srs);
    if (ds)
        GDALClose(ds);
    lb_vlayer_destroy(l);
    return st;
}

size_t lb_vlayer_report_outside(lb_ctx *ctx, const lb_vlayer *l, const double extent[4],
                                double margin_m)
{
    skipped s = {0};
    double x0 = extent[0] - margin_m, y0 = extent[1] - margin_m;
    double x1 = extent[2] + margin_m, y1 = extent[3] + margin_m;
    for (size_t i = 0; l->kind == LB_GEOM_POINT && i < l->n; i++)
        if (!(l->x[i] >= x0 && l->x[i] <= x1 && l->y[i] >= y0 && l->y[i] <= y1))
            note_skipped(&s, l->fid[i]);
    char why[160];
    snprintf(why, sizeof(why), "lie outside the run's extent grown by %.0f m", margin_m);
    warn_skipped(ctx, l, &s, why);
    return s.n;
}

lb_status lb_vlayer_read(lb_ctx *ctx, const lb_source *src, const char *filter, lb_vlayer **out)
{
    return read_layer(ctx, src, filter, 0, 0, 1, 1, 0, out);
}

lb_status lb_vlayer_read_rings(lb_ctx *ctx, const lb_source *src, const char *filter,
                               lb_vlayer **out)
{
    return read_layer(ctx, src, filter, 0, 0, 1, 0, 1, out);
}

lb_status lb_vlayer_read_by_geometry(lb_ctx *ctx, const lb_source *src, const char *filter,
                                     lb_vlayer **out)
{
    return read_layer(ctx, src, filter, 0, 0, 1, 0, 0, out);
}

lb_status lb_vlayer_read_table(lb_ctx *ctx, const lb_source *src, lb_vlayer **out)
{
    return read_layer(ctx, src, NULL, 1, 0, 1, 0, 0, out);
}

lb_status lb_vlayer_read_table_where(lb_ctx *ctx, const lb_source *src, const char *where,
                                     int warn_text, lb_vlayer **out)
{
    return read_layer(ctx, src, where, 1, 0, warn_text, 0, 0, out);
}

/* Grow @p *p (n elements of @p elem bytes) by the m elements at @p q; 0 when out of memory. */
static int concat(void *p, size_t n, const void *q, size_t m, size_t elem)
{
    if (m == 0)
        return 1;
    void **pp = p;
    unsigned char *a = realloc(*pp, (n + m) * elem);
    if (!a)
        return 0;
    memcpy(a + n * elem, q, m * elem);
    *pp = a;
    return 1;
}

/* Move the text values of field @p f (@p n rows), each a malloc() of its own, into one block,
 * unless they are in blocks already (lb_vlayer_append joins the blocks of two fields). 0 when
 * out of memory, @p f unchanged. */
static int text_to_blocks(lb_field *f, size_t n)
{
    if (f->text_blocks || !f->str)
        return 1;
    size_t bytes = 0;
    for (size_t k = 0; k < n; k++)
        bytes += f->str[k] ? strlen(f->str[k]) + 1 : 0;
    if (bytes == 0)
        return 1;
    char *d = lb_vlayer_block_take(&f->text_blocks, bytes, bytes);
    if (!d)
        return 0;
    for (size_t k = 0; k < n; k++) {
        if (!f->str[k])
            continue;
        size_t len = strlen(f->str[k]) + 1;
        memcpy(d, f->str[k], len);
        free(f->str[k]);
        f->str[k] = d;
        d += len;
    }
    return 1;
}

/* The field of @p l called @p name, or NULL. */
static lb_field *field_named(const lb_vlayer *l, const char *name)
{
    for (size_t i = 0; i < l->n_fields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            return &l->fields[i];
    return NULL;
}

/* Is @p f a text field without a value in its @p n rows? (GeoJSON types a field that is null
 * in every feature as text: its type says nothing.) */
static int all_null_text(const lb_field *f, size_t n)
{
    for (size_t k = 0; f->is_string && k < n; k++)
        if (f->str[k])
            return 0;
    return f->is_string;
}

/* Do the fields of @p a and @p b agree (names and types; a text field null in every row agrees
 * with a number)? Otherwise an LB_ERR_DATA message that names both files and the fields that
 * differ. */
static lb_status same_fields(lb_ctx *ctx, const lb_vlayer *a, const lb_vlayer *b)
{
    char only_a[256] = "", only_b[256] = "", types[256] = "";
    for (size_t i = 0; i < a->n_fields; i++) {
        const lb_field *g = field_named(b, a->fields[i].name);
        if (!g)
            lb_core_list_append(only_a, sizeof(only_a), a->fields[i].name);
        else if (g->is_string != a->fields[i].is_string && !all_null_text(g, b->n) &&
                 !all_null_text(&a->fields[i], a->n)) {
            char one[160];
            snprintf(one, sizeof(one), "%s (%s in the first, %s in the second)", g->name,
                     a->fields[i].is_string ? "text" : "number", g->is_string ? "text" : "number");
            lb_core_list_append(types, sizeof(types), one);
        }
    }
    for (size_t i = 0; i < b->n_fields; i++)
        if (!field_named(a, b->fields[i].name))
            lb_core_list_append(only_b, sizeof(only_b), b->fields[i].name);
    if (!only_a[0] && !only_b[0] && !types[0])
        return LB_OK;
    return lb_ctx_error(
        ctx, LB_ERR_DATA,
        "input '%s' is bound to '%s' and '%s', whose fields differ (%s%s%s%s%s%s%s%s); "
        "files bound to one name are read as one layer and need the same fields "
        "(names and types, in any order)",
        a->name, a->path, b->path, only_a[0] ? "only in the first: " : "", only_a,
        only_a[0] && (only_b[0] || types[0]) ? "; " : "", only_b[0] ? "only in the second: " : "",
        only_b, only_b[0] && types[0] ? "; " : "", types[0] ? "other type: " : "", types);
}

lb_status lb_vlayer_append(lb_ctx *ctx, lb_vlayer *l, lb_vlayer *more)
{
    lb_status st = same_fields(ctx, l, more);
    if (st != LB_OK)
        return st;
    if (l->n && more->n && l->kind != more->kind)
        return lb_ctx_error(
            ctx, LB_ERR_GEOM,
            "input '%s' is bound to '%s' (%s) and '%s' (%s); files bound to one name "
            "are read as one layer and need the same geometry type",
            l->name, l->path, kind_name(l->kind), more->path, kind_name(more->kind));
    char *path = lb_core_strfmt("%s + %s", l->path, more->path);
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    size_t n = l->n, m = more->n;
    lb_geom_kind kind = l->n ? l->kind : more->kind;
    size_t np_l = l->n_rings ? l->ring_pt_start[l->n_rings] : 0;
    size_t np_m = more->n_rings ? more->ring_pt_start[more->n_rings] : 0;
    size_t lp_l = l->n_parts ? l->part_pt_start[l->n_parts] : 0;
    size_t lp_m = more->n_parts ? more->part_pt_start[more->n_parts] : 0;
    /* A text field of @p l without any value takes the other file's number type (its values
     * stay missing: num[] is NaN). */
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        if (f->is_string && !field_named(more, f->name)->is_string && all_null_text(f, n)) {
            free(f->str);
            free(f->state);
            lb_vlayer_blocks_free(f->text_blocks);
            f->str = NULL;
            f->state = NULL;
            f->text_blocks = NULL;
            f->is_string = 0;
        }
    }
    /* Grow every array first (a failure leaves @p l as it was, with spare room). Text values in
     * blocks and text values of their own are not mixed in one field: the latter move into a
     * block. */
    int ok = concat(&l->fid, n, more->fid, m, sizeof(int64_t));
    for (size_t i = 0; ok && i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        lb_field *g = field_named(more, f->name);
        ok = concat(&f->num, n, g->num, m, sizeof(double));
        if (ok && f->is_string && g->is_string && (f->text_blocks || g->text_blocks))
            ok = text_to_blocks(f, n) && text_to_blocks(g, m);
        if (ok && f->is_string && g->is_string)
            ok = concat(&f->str, n, g->str, m, sizeof(char *)) &&
                 concat(&f->state, n, g->state, m, 1);
    }
    if (ok && kind == LB_GEOM_POINT)
        ok = concat(&l->x, n, more->x, m, sizeof(double)) &&
             concat(&l->y, n, more->y, m, sizeof(double));
    if (ok && (kind == LB_GEOM_LINE || kind == LB_GEOM_POLYGON))
        ok = concat(&l->wkb, n, more->wkb, m, sizeof(unsigned char *)) &&
             concat(&l->wkb_size, n, more->wkb_size, m, sizeof(size_t));
    if (ok && kind == LB_GEOM_POLYGON && m) {
        /* offsets of the appended rings and points move by the rings and points before them */
        size_t *rs = realloc(l->ring_start, (n + m + 1) * sizeof(size_t));
        ok = rs != NULL;
        if (ok)
            l->ring_start = rs;
        size_t *rp =
            ok ? realloc(l->ring_pt_start, (l->n_rings + more->n_rings + 1) * sizeof(size_t))
               : NULL;
        ok = ok && rp != NULL;
        if (ok)
            l->ring_pt_start = rp;
        ok = ok && concat(&l->ring_hole, l->n_rings, more->ring_hole, more->n_rings, sizeof(int)) &&
             concat(&l->ring_xy, 2 * np_l, more->ring_xy, 2 * np_m, sizeof(double)) &&
             concat(&l->area_m2, n, more->area_m2, m, sizeof(double));
        if (ok) {
            if (n == 0)
                rs[0] = rp[0] = 0;
            for (size_t f = 0; f <= m; f++)
                rs[n + f] = l->n_rings + more->ring_start[f];
            for (size_t r = 0; r <= more->n_rings; r++)
                rp[l->n_rings + r] = np_l + more->ring_pt_start[r];
        }
    }
    if (ok && kind == LB_GEOM_LINE && m) {
        /* the same for the parts of lines and their points */
        size_t *ps = realloc(l->part_start, (n + m + 1) * sizeof(size_t));
        ok = ps != NULL;
        if (ok)
            l->part_start = ps;
        size_t *pp =
            ok ? realloc(l->part_pt_start, (l->n_parts + more->n_parts + 1) * sizeof(size_t))
               : NULL;
        ok = ok && pp != NULL;
        if (ok)
            l->part_pt_start = pp;
        ok = ok && concat(&l->part_xy, 2 * lp_l, more->part_xy, 2 * lp_m, sizeof(double));
        if (ok) {
            if (n == 0)
                ps[0] = pp[0] = 0;
            for (size_t f = 0; f <= m; f++)
                ps[n + f] = l->n_parts + more->part_start[f];
            for (size_t q = 0; q <= more->n_parts; q++)
                pp[l->n_parts + q] = lp_l + more->part_pt_start[q];
        }
    }
    if (!ok) {
        free(path);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory appending '%s' to '%s'", more->path,
                            l->path);
    }
    /* The rows now belong to @p l: empty @p more of what it owned. */
    for (size_t i = 0; i < l->n_fields; i++) {
        lb_field *f = &l->fields[i];
        lb_field *g = field_named(more, f->name);
        f->n_missing += g->n_missing;
        f->n_unreadable += g->n_unreadable;
        f->n_ambiguous += g->n_ambiguous;
        if (g->str)
            memset(g->str, 0, m * sizeof(char *));
        if (f->is_string && g->is_string)
            lb_vlayer_blocks_join(&f->text_blocks, &g->text_blocks);
    }
    if (more->wkb) {
        memset(more->wkb, 0, m * sizeof(unsigned char *));
        lb_vlayer_blocks_join(&l->wkb_blocks, &more->wkb_blocks);
    }
    l->n_rings += more->n_rings;
    if (kind == LB_GEOM_LINE)
        l->n_parts += more->n_parts;
    l->kind = kind;
    l->n = n + m;
    l->n_skipped += more->n_skipped;
    l->n_outside += more->n_outside;
    l->has_geometry |= more->has_geometry;
    if (more->n) {
        l->xmin = n ? fmin(l->xmin, more->xmin) : more->xmin;
        l->ymin = n ? fmin(l->ymin, more->ymin) : more->ymin;
        l->xmax = n ? fmax(l->xmax, more->xmax) : more->xmax;
        l->ymax = n ? fmax(l->ymax, more->ymax) : more->ymax;
    }
    free(l->path);
    l->path = path;
    return LB_OK;
}

lb_status lb_vlayer_read_list(lb_ctx *ctx, const lb_source *const *src, size_t n,
                              const char *filter, lb_vlayer **out)
{
    if (n == 1)
        return lb_vlayer_read(ctx, src[0], filter, out);
    lb_vlayer *l = NULL, *more = NULL;
    lb_status st = LB_OK;
    for (size_t i = 0; st == LB_OK && i < n; i++) {
        st = read_layer(ctx, src[i], filter, 0, 1, 1, 1, 0, i == 0 ? &l : &more);
        if (st == LB_OK && i > 0)
            st = lb_vlayer_append(ctx, l, more);
        lb_vlayer_destroy(more);
        more = NULL;
    }
    if (st == LB_OK && l->n == 0)
        st = lb_ctx_error(ctx, LB_ERR_DATA, "input '%s' ('%s'%s%s%s) has no features", l->name,
                          l->path, filter ? ", filter \"" : "", filter ? filter : "",
                          filter ? "\"" : "");
    if (st != LB_OK) {
        lb_vlayer_destroy(l);
        return st;
    }
    *out = l;
    return LB_OK;
}
