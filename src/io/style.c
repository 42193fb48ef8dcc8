/* SPDX-License-Identifier: MIT */
/* QGIS styles: QML written by hand into a growing buffer (every attribute value escaped), .qml
 * sidecars, GeoPackage layer_styles rows written through OGR with QGIS's own schema, and
 * per-year GeoPackage views. */
#include "style.h"

#include "../core/ctx.h"
#include "gdal_env.h"
#include "outdir.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>

#include <json-c/json.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The QGIS version the documents are written for: the renderers and attributes used here are
 * read the same way by every QGIS 3 release. */
#define QML_VERSION "3.22.0"

/* ---- a growing text buffer ---- */

typedef struct xbuf {
    char *s;
    size_t len, cap;
    int failed; /* an allocation failed; later appends are no-ops */
} xbuf;

static void xb_put(xbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void xb_str(xbuf *b, const char *s)
{
    xb_put(b, s, strlen(s));
}

static void xb_printf(xbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xb_printf(xbuf *b, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        b->failed = 1; /* only short fixed markup goes through here */
    else
        xb_put(b, buf, (size_t)n);
}

/* Text for a double-quoted attribute value: the five XML specials as entities; tab, newline
 * and carriage return as character references so attribute normalisation keeps them; other
 * control characters, which XML 1.0 cannot carry at all, become spaces. */
static void xb_attr(xbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&':
            xb_str(b, "&amp;");
            break;
        case '<':
            xb_str(b, "&lt;");
            break;
        case '>':
            xb_str(b, "&gt;");
            break;
        case '"':
            xb_str(b, "&quot;");
            break;
        case '\'':
            xb_str(b, "&apos;");
            break;
        case '\t':
            xb_str(b, "&#9;");
            break;
        case '\n':
            xb_str(b, "&#10;");
            break;
        case '\r':
            xb_str(b, "&#13;");
            break;
        default:
            xb_put(b, *p < 0x20 ? " " : (const char *)p, 1);
        }
    }
}

/* name="value" with the value escaped, preceded by a space. */
static void xb_kv(xbuf *b, const char *name, const char *value)
{
    xb_printf(b, " %s=\"", name);
    xb_attr(b, value);
    xb_str(b, "\"");
}

/* ---- the documents ---- */

static void qml_open(xbuf *b)
{
    xb_str(b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n");
    xb_str(b, "<qgis version=\"" QML_VERSION "\" styleCategories=\"Symbology\">\n");
}

static void qml_close(xbuf *b)
{
    xb_str(b, "  <blendMode>0</blendMode>\n</qgis>\n");
}

static const char *label_of(const lb_class_table *ct, size_t k, char *buf, size_t size)
{
    if (ct->labels && ct->labels[k])
        return ct->labels[k];
    snprintf(buf, size, "%zu", k + 1);
    return buf;
}

static void raster_renderer_open(xbuf *b, const char *type, int band, const char *extra)
{
    xb_printf(b,
              "  <pipe>\n"
              "    <rasterrenderer type=\"%s\" band=\"%d\" opacity=\"1\" alphaBand=\"-1\" "
              "nodataColor=\"\"%s>\n"
              "      <rasterTransparency/>\n"
              "      <minMaxOrigin>\n"
              "        <limits>None</limits>\n"
              "        <extent>WholeRaster</extent>\n"
              "        <statAccuracy>Estimated</statAccuracy>\n"
              "        <cumulativeCutLower>0.02</cumulativeCutLower>\n"
              "        <cumulativeCutUpper>0.98</cumulativeCutUpper>\n"
              "        <stdDevFactor>2</stdDevFactor>\n"
              "      </minMaxOrigin>\n",
              type, band, extra);
}

/* Nearest-neighbour resampling keeps cells sharp and classes unmixed when zooming. */
static void raster_renderer_close(xbuf *b)
{
    xb_str(b, "    </rasterrenderer>\n"
              "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
              "    <rasterresampler maxOversampling=\"2\"/>\n"
              "  </pipe>\n");
}

static void qml_raster_classes(xbuf *b, const lb_class_table *ct, int band)
{
    raster_renderer_open(b, "paletted", band, "");
    xb_str(b, "      <colorPalette>\n");
    for (size_t k = 0; k < ct->n; k++) {
        char num[32];
        xb_printf(b, "        <paletteEntry value=\"%zu\" alpha=\"255\"", k + 1);
        xb_kv(b, "color", ct->colours[k]);
        xb_kv(b, "label", label_of(ct, k, num, sizeof(num)));
        xb_str(b, "/>\n");
    }
    xb_str(b, "      </colorPalette>\n");
    raster_renderer_close(b);
}

/* QGIS's discrete shader gives a value the colour of the first item whose value is >= it: item
 * k carries the upper cut-point of class k, the last item +inf. */
static void qml_raster_breaks(xbuf *b, const lb_class_table *ct, int band)
{
    char lo[32], hi[32], extra[128];
    lb_io_format_double(ct->breaks[0], lo, sizeof(lo));
    lb_io_format_double(ct->n > 1 ? ct->breaks[ct->n - 2] : INFINITY, hi, sizeof(hi));
    snprintf(extra, sizeof(extra), " classificationMin=\"%s\" classificationMax=\"%s\"", lo, hi);
    raster_renderer_open(b, "singlebandpseudocolor", band, extra);
    xb_printf(b,
              "      <rastershader>\n"
              "        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"1\" "
              "clip=\"0\" minimumValue=\"%s\" maximumValue=\"%s\">\n",
              lo, hi);
    for (size_t k = 0; k < ct->n; k++) {
        char num[32], value[32];
        lb_io_format_double(k + 1 < ct->n ? ct->breaks[k] : INFINITY, value, sizeof(value));
        xb_printf(b, "          <item value=\"%s\" alpha=\"255\"", value);
        xb_kv(b, "color", ct->colours[k]);
        xb_kv(b, "label", label_of(ct, k, num, sizeof(num)));
        xb_str(b, "/>\n");
    }
    xb_str(b, "        </colorrampshader>\n"
              "      </rastershader>\n");
    raster_renderer_close(b);
}

/* One simple-fill property, in both spellings QGIS 3 reads: <Option> (3.26 on) and <prop>. */
typedef struct fill_prop {
    const char *name;
    char value[48];
} fill_prop;

static void qml_fill_symbol(xbuf *b, size_t index, const char *colour, int outline, int hollow)
{
    unsigned char rgb[3] = {0, 0, 0};
    lb_io_colour_parse(colour, rgb); /* checked with the table */
    fill_prop props[] = {
        {"color", ""},          {"style", "solid"},       {"outline_color", "128,128,128,255"},
        {"outline_style", ""},  {"outline_width", "0.1"}, {"outline_width_unit", "MM"},
        {"joinstyle", "bevel"},
    };
    snprintf(props[0].value, sizeof(props[0].value), "%u,%u,%u,255", rgb[0], rgb[1], rgb[2]);
    snprintf(props[3].value, sizeof(props[3].value), "%s", outline ? "solid" : "no");
    if (hollow) { /* no fill, a heavy outline in the colour: drawn over other layers */
        snprintf(props[1].value, sizeof(props[1].value), "no");
        snprintf(props[2].value, sizeof(props[2].value), "%u,%u,%u,255", rgb[0], rgb[1], rgb[2]);
        snprintf(props[4].value, sizeof(props[4].value), "0.8");
    }
    size_t np = sizeof(props) / sizeof(props[0]);

    xb_printf(b,
              "      <symbol type=\"fill\" name=\"%zu\" alpha=\"1\" clip_to_extent=\"1\" "
              "force_rhr=\"0\">\n"
              "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
              "          <Option type=\"Map\">\n",
              index);
    for (size_t i = 0; i < np; i++)
        xb_printf(b, "            <Option type=\"QString\" name=\"%s\" value=\"%s\"/>\n",
                  props[i].name, props[i].value);
    xb_str(b, "          </Option>\n");
    for (size_t i = 0; i < np; i++)
        xb_printf(b, "          <prop k=\"%s\" v=\"%s\"/>\n", props[i].name, props[i].value);
    xb_str(b, "        </layer>\n"
              "      </symbol>\n");
}

static void qml_vector_end(xbuf *b)
{
    xb_str(b, "  </renderer-v2>\n"
              "  <featureBlendMode>0</featureBlendMode>\n"
              "  <layerOpacity>1</layerOpacity>\n");
}

static void qml_vector_classes(xbuf *b, const lb_style *s)
{
    const lb_class_table *ct = s->classes;
    xb_str(b, "  <renderer-v2 type=\"categorizedSymbol\"");
    xb_kv(b, "attr", s->field);
    xb_str(b, " symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
              "    <categories>\n");
    for (size_t k = 0; k < ct->n; k++) {
        char num[32], value[32];
        snprintf(value, sizeof(value), "%zu", k + 1);
        xb_printf(b, "      <category render=\"true\" symbol=\"%zu\"", k);
        xb_kv(b, "value", s->values ? s->values[k] : value);
        xb_kv(b, "label", label_of(ct, k, num, sizeof(num)));
        xb_str(b, "/>\n");
    }
    xb_str(b, "    </categories>\n"
              "    <symbols>\n");
    for (size_t k = 0; k < ct->n; k++)
        qml_fill_symbol(b, k, ct->colours[k], s->outline, 0);
    xb_str(b, "    </symbols>\n");
    qml_vector_end(b);
}

static void qml_vector_outline(xbuf *b, const lb_style *s)
{
    xb_str(b, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
              "forceraster=\"0\">\n"
              "    <symbols>\n");
    qml_fill_symbol(b, 0, s->classes->colours[0], 1, 1);
    xb_str(b, "    </symbols>\n");
    qml_vector_end(b);
}

/* Class k of a dimension: from far below the reference (1) through "gemiddeld" around 0 (5) to
 * far above (9); colours diverge from the Leefbaarometer's dark red to its dark green through a
 * pale middle, so that the middle class reads as "no deviation". */
static const char *const dim_words[9] = {"zeer veel zwakker", "veel zwakker", "zwakker",
                                         "iets zwakker",      "gemiddeld",    "iets sterker",
                                         "sterker",           "veel sterker", "zeer veel sterker"};
static const char *const dim_colours[9] = {"#730000", "#e50000", "#e1702e", "#f5c48f", "#f2f2e6",
                                           "#c5e8a9", "#93e667", "#55be00", "#267300"};

/* A cut-point as a Dutch reader writes it: decimal comma, a real minus sign. */
static void dutch_number(double v, char *buf, size_t size)
{
    char raw[32];
    lb_io_format_double(v, raw, sizeof(raw));
    size_t w = 0;
    for (const char *p = raw; *p && w + 4 < size; p++) {
        if (*p == '-') {
            memcpy(buf + w, "\xe2\x88\x92", 3); /* U+2212 */
            w += 3;
        } else {
            buf[w++] = *p == '.' ? ',' : *p;
        }
    }
    buf[w] = '\0';
}

void lb_style_dim_legend_init(lb_style_dim_legend *out, const double bands[8], const char *title)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->bands, bands, sizeof(out->bands));
    for (size_t k = 0; k < 9; k++) {
        char lo[40], hi[40];
        if (k > 0)
            dutch_number(bands[k - 1], lo, sizeof(lo));
        if (k < 8)
            dutch_number(bands[k], hi, sizeof(hi));
        if (k == 0)
            snprintf(out->text[k], sizeof(out->text[k]), "%s (< %s)", dim_words[k], hi);
        else if (k == 8)
            snprintf(out->text[k], sizeof(out->text[k]), "%s (\xe2\x89\xa5 %s)", dim_words[k], lo);
        else
            snprintf(out->text[k], sizeof(out->text[k]), "%s (%s tot %s)", dim_words[k], lo, hi);
        out->labels[k] = out->text[k];
    }
    if (title)
        snprintf(out->title, sizeof(out->title), "%s", title);
    out->ct = (lb_class_table){9, out->labels, dim_colours, out->bands, title ? out->title : NULL};
}

static lb_status check_style(lb_ctx *ctx, const lb_style *s)
{
    if (!s)
        return lb_ctx_error(ctx, LB_ERR_ARG, "QGIS style: no style given");
    lb_status st = lb_class_table_check(ctx, s->classes, "QGIS style");
    if (st != LB_OK)
        return st;
    switch (s->kind) {
    case LB_STYLE_RASTER_CLASSES:
        break;
    case LB_STYLE_RASTER_BREAKS:
        if (!s->classes->breaks || s->classes->n < 2)
            return lb_ctx_error(
                ctx, LB_ERR_ARG,
                "QGIS style: a pseudocolour style needs at least 2 classes and their "
                "cut-points");
        break;
    case LB_STYLE_VECTOR_CLASSES:
        if (!s->field || !s->field[0])
            return lb_ctx_error(ctx, LB_ERR_ARG, "QGIS style: a categorized style needs a field");
        for (size_t k = 0; s->values && k < s->classes->n; k++)
            if (!s->values[k])
                return lb_ctx_error(ctx, LB_ERR_ARG, "QGIS style: category %zu has no value",
                                    k + 1);
        break;
    case LB_STYLE_VECTOR_OUTLINE:
        break;
    default:
        return lb_ctx_error(ctx, LB_ERR_ARG, "QGIS style: unknown kind %d", (int)s->kind);
    }
    if (s->band < 0)
        return lb_ctx_error(ctx, LB_ERR_ARG, "QGIS style: band %d is not a band number", s->band);
    return LB_OK;
}

lb_status lb_style_qml(lb_ctx *ctx, const lb_style *s, char **out)
{
    lb_status st = check_style(ctx, s);
    if (st != LB_OK)
        return st;
    xbuf b = {0};
    int band = s->band ? s->band : 1;
    qml_open(&b);
    if (s->kind == LB_STYLE_RASTER_CLASSES)
        qml_raster_classes(&b, s->classes, band);
    else if (s->kind == LB_STYLE_RASTER_BREAKS)
        qml_raster_breaks(&b, s->classes, band);
    else if (s->kind == LB_STYLE_VECTOR_CLASSES)
        qml_vector_classes(&b, s);
    else
        qml_vector_outline(&b, s);
    qml_close(&b);
    if (b.failed) {
        free(b.s);
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "QGIS style: out of memory");
    }
    *out = b.s;
    return LB_OK;
}

lb_status lb_style_write_qml(lb_ctx *ctx, const char *path, const lb_style *s)
{
    if (!path)
        return lb_ctx_error(ctx, LB_ERR_ARG, "write QGIS style: no path");
    char *qml = NULL;
    lb_status st = lb_style_qml(ctx, s, &qml);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "write '%s': ", path);
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        int err = errno;
        free(qml);
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", path, strerror(err));
    }
    size_t n = strlen(qml);
    int bad = fwrite(qml, 1, n, fp) != n;
    bad |= fclose(fp) != 0;
    free(qml);
    if (bad) {
        remove(path);
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': write failed (disk full?)", path);
    }
    return LB_OK;
}

char *lb_style_sidecar_path(const char *data_path)
{
    return data_path ? lb_core_strdup(CPLResetExtension(data_path, "qml")) : NULL;
}

/* ---- GeoPackage layer_styles ---- */

/* The schema QGIS creates (and the SpatiaLite and PostGIS providers share), so QGIS finds and
 * manages these rows as its own: name, type, width (0 = unbounded). */
typedef struct style_field {
    const char *name;
    OGRFieldType type;
    int width;
} style_field;

static const style_field style_fields[] = {
    {"f_table_catalog", OFTString, 256},
    {"f_table_schema", OFTString, 256},
    {"f_table_name", OFTString, 256},
    {"f_geometry_column", OFTString, 256},
    {"styleName", OFTString, 30},
    {"styleQML", OFTString, 0},
    {"styleSLD", OFTString, 0},
    {"useAsDefault", OFTInteger, 0}, /* boolean subtype */
    {"description", OFTString, 0},
    {"owner", OFTString, 30},
    {"ui", OFTString, 30},
    {"update_time", OFTDateTime, 0}, /* defaults to CURRENT_TIMESTAMP */
};

static OGRLayerH create_styles_table(GDALDatasetH ds)
{
    char *opts[] = {"FID=id", NULL};
    OGRLayerH l = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, opts);
    if (!l)
        return NULL;
    for (size_t i = 0; i < sizeof(style_fields) / sizeof(style_fields[0]); i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(style_fields[i].name, style_fields[i].type);
        if (style_fields[i].width)
            OGR_Fld_SetWidth(fd, style_fields[i].width);
        if (style_fields[i].type == OFTInteger)
            OGR_Fld_SetSubType(fd, OFSTBoolean);
        if (style_fields[i].type == OFTDateTime)
            OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
        OGRErr err = OGR_L_CreateField(l, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return NULL;
    }
    return l;
}

/* An OGR SQL string literal: single quotes doubled. Caller frees. */
static char *sql_quote(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 2 : 1;
    char *q = malloc(n), *w = q;
    if (!q)
        return NULL;
    *w++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            *w++ = '\'';
        *w++ = *p;
    }
    *w++ = '\'';
    *w = '\0';
    return q;
}

/* The rows of layer_styles that belong to this table and geometry column (QGIS's own test). */
static char *style_filter(const char *table, const char *geom)
{
    char *qt = sql_quote(table), *qg = sql_quote(geom);
    char *f = qt && qg ? lb_core_strfmt("f_table_schema = '' AND f_table_name = %s AND "
                                        "f_geometry_column = %s",
                                        qt, qg)
                       : NULL;
    free(qt);
    free(qg);
    return f;
}

lb_status lb_io_gpkg_add_style(lb_ctx *ctx, const char *gpkg, const char *layer, const lb_style *s,
                               const char *style_name, const char *description, int as_default)
{
    if (!gpkg || !layer || !layer[0])
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "GeoPackage style: a file and a layer name are required");
    char *qml = NULL;
    lb_status st = lb_style_qml(ctx, s, &qml);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "style of '%s' layer '%s': ", gpkg, layer);
    const char *name = style_name ? style_name : layer;
    lb_io_gdal_init();

    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    int date_set = 0;
    const char *date = lb_io_gpkg_date_begin(&date_set); /* reruns write identical GeoPackages */
    int nosync = lb_io_gpkg_nosync_begin();
    char *filter = NULL;
    OGRFeatureH f = NULL;
    const char *const drivers[] = {"GPKG", NULL};
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR,
                                 drivers, NULL, NULL);
    if (!ds) {
        st =
            lb_ctx_error(ctx, LB_ERR_IO, "style of '%s' layer '%s': cannot open the GeoPackage: %s",
                         gpkg, layer, cap.msg[0] ? cap.msg : "no message from GDAL");
        goto done;
    }
    OGRLayerH target = GDALDatasetGetLayerByName(ds, layer);
    if (!target) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "style of '%s': no layer '%s'", gpkg, layer);
        goto done;
    }
    /* QGIS matches styles on the geometry column name ("geom" in GDAL's GeoPackages) */
    const char *geom = OGR_L_GetGeometryColumn(target);
    char *geom_col = lb_core_strdup(geom ? geom : "");
    OGRLayerH styles = GDALDatasetGetLayerByName(ds, "layer_styles");
    if (!styles)
        styles = create_styles_table(ds);
    filter = geom_col ? style_filter(layer, geom_col) : NULL;
    if (!styles || !filter) {
        st = !styles
                 ? lb_ctx_error(ctx, LB_ERR_IO,
                                "style of '%s' layer '%s': cannot create table layer_styles: %s",
                                gpkg, layer, cap.msg[0] ? cap.msg : "no message from GDAL")
                 : lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        free(geom_col);
        goto done;
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(styles);
    int i_default = OGR_FD_GetFieldIndex(defn, "useAsDefault");
    if (i_default < 0) {
        st = lb_ctx_error(ctx, LB_ERR_IO,
                          "style of '%s': its table layer_styles lacks QGIS's field useAsDefault",
                          gpkg);
        free(geom_col);
        goto done;
    }
    if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "style of '%s': cannot start a transaction: %s", gpkg,
                          cap.msg);
        free(geom_col);
        goto done;
    }
    /* one default per layer: clear the others; replace a style of the same name */
    OGR_L_SetAttributeFilter(styles, filter);
    OGR_L_ResetReading(styles);
    GIntBig replace = OGRNullFID;
    OGRFeatureH old;
    while ((old = OGR_L_GetNextFeature(styles)) != NULL) {
        int same =
            strcmp(OGR_F_GetFieldAsString(old, OGR_FD_GetFieldIndex(defn, "styleName")), name) == 0;
        if (same)
            replace = OGR_F_GetFID(old);
        else if (as_default && OGR_F_GetFieldAsInteger(old, i_default)) {
            OGR_F_SetFieldInteger(old, i_default, 0);
            if (OGR_L_SetFeature(styles, old) != OGRERR_NONE)
                st = lb_ctx_error(ctx, LB_ERR_IO, "style of '%s': cannot update layer_styles: %s",
                                  gpkg, cap.msg);
        }
        OGR_F_Destroy(old);
    }
    OGR_L_SetAttributeFilter(styles, NULL);
    f = OGR_F_Create(defn);
    if (st == LB_OK && f) {
        const char *values[][2] = {
            {"f_table_catalog", ""},
            {"f_table_schema", ""},
            {"f_table_name", layer},
            {"f_geometry_column", geom_col},
            {"styleName", name},
            {"styleQML", qml},
            {"styleSLD", ""},
            {"owner", ""},
            {"description", description ? description : "leefbaar"},
        };
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
            OGR_F_SetFieldString(f, OGR_FD_GetFieldIndex(defn, values[i][0]), values[i][1]);
        OGR_F_SetFieldInteger(f, i_default, as_default ? 1 : 0);
        int i_time = OGR_FD_GetFieldIndex(defn, "update_time");
        if (i_time >= 0) /* not the clock (its default), the run's date */
            OGR_F_SetFieldString(f, i_time, date);
        OGR_F_SetFID(f, replace);
        OGRErr err =
            replace == OGRNullFID ? OGR_L_CreateFeature(styles, f) : OGR_L_SetFeature(styles, f);
        if (err != OGRERR_NONE)
            st = lb_ctx_error(ctx, LB_ERR_IO, "style of '%s' layer '%s': cannot write: %s", gpkg,
                              layer, cap.msg);
    } else if (st == LB_OK) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    }
    free(geom_col);
    if (st == LB_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        st = lb_ctx_error(ctx, LB_ERR_IO, "style of '%s': commit failed: %s", gpkg, cap.msg);
    else if (st != LB_OK)
        GDALDatasetRollbackTransaction(ds);
    if (st == LB_OK) {
        cap.n_errors = 0;
        CPLErrorReset();
        GDALClose(ds);
        ds = NULL;
        if (cap.n_errors > 0 || CPLGetLastErrorType() >= CE_Failure)
            st = lb_ctx_error(ctx, LB_ERR_IO, "style of '%s': closing failed: %s", gpkg, cap.msg);
    }

done:
    OGR_F_Destroy(f);
    if (ds)
        GDALClose(ds);
    lb_io_gpkg_nosync_end(nosync);
    lb_io_gpkg_date_end(date_set);
    lb_io_cpl_end(&cap);
    free(filter);
    free(qml);
    return st;
}

/* ---- GeoPackage views: one layer per year ---- */

/* A SQL identifier in double quotes (quotes doubled). Caller frees. */
static char *sql_ident(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '"' ? 2 : 1;
    char *q = malloc(n), *w = q;
    if (!q)
        return NULL;
    *w++ = '"';
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            *w++ = '"';
        *w++ = *p;
    }
    *w++ = '"';
    *w = '\0';
    return q;
}

lb_status lb_io_gpkg_add_view(lb_ctx *ctx, const char *gpkg, const char *base, const char *view,
                              const char *field, long long value)
{
    if (!gpkg || !base || !view || !field || !view[0])
        return lb_ctx_error(ctx, LB_ERR_ARG, "GeoPackage view: file, layer, view and field needed");
    lb_io_gdal_init();
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    lb_status st = LB_OK;
    char *ib = sql_ident(base), *iv = sql_ident(view), *iff = sql_ident(field);
    char *qb = sql_quote(base), *qv = sql_quote(view);
    char *idx_name = lb_core_strfmt("%s_%s", base, field);
    char *ii = idx_name ? sql_ident(idx_name) : NULL;
    char *sql[4] = {NULL};
    if (ib && iv && iff && qb && qv && ii) {
        /* the base table's rows of one value; its index makes the view as quick to draw */
        sql[0] = lb_core_strfmt("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", ii, ib, iff);
        sql[1] = lb_core_strfmt("CREATE VIEW %s AS SELECT * FROM %s WHERE %s = %lld", iv, ib, iff,
                                value);
        /* registered as a features layer like its base (extent, SRS, the run's date), so GDAL and
         * QGIS list it */
        sql[2] = lb_core_strfmt(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change, min_x, min_y, max_x, max_y, srs_id) SELECT %s, data_type, %s, "
            "description, last_change, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents "
            "WHERE table_name = %s",
            qv, qv, qb);
        sql[3] = lb_core_strfmt("INSERT INTO gpkg_geometry_columns (table_name, column_name, "
                                "geometry_type_name, srs_id, z, m) SELECT %s, column_name, "
                                "geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns "
                                "WHERE table_name = %s",
                                qv, qb);
    }
    for (size_t i = 0; i < 4; i++)
        if (!sql[i])
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
    const char *const drivers[] = {"GPKG", NULL};
    GDALDatasetH ds = NULL;
    int nosync = lb_io_gpkg_nosync_begin();
    if (st == LB_OK) {
        ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR, drivers,
                        NULL, NULL);
        if (!ds)
            st = lb_ctx_error(ctx, LB_ERR_IO, "view '%s' of '%s': cannot open the GeoPackage: %s",
                              view, gpkg, cap.msg[0] ? cap.msg : "no message from GDAL");
    }
    if (st == LB_OK && !GDALDatasetGetLayerByName(ds, base))
        st = lb_ctx_error(ctx, LB_ERR_IO, "view '%s' of '%s': no layer '%s'", view, gpkg, base);
    for (size_t i = 0; st == LB_OK && i < 4; i++) {
        CPLErrorReset();
        cap.n_errors = 0;
        OGRLayerH res = GDALDatasetExecuteSQL(ds, sql[i], NULL, NULL);
        if (res)
            GDALDatasetReleaseResultSet(ds, res);
        if (cap.n_errors > 0 || CPLGetLastErrorType() >= CE_Failure)
            st = lb_ctx_error(ctx, LB_ERR_IO, "view '%s' of '%s' layer '%s': %s", view, gpkg, base,
                              cap.msg[0] ? cap.msg : "SQLite failed");
    }
    if (ds) {
        cap.n_errors = 0;
        CPLErrorReset();
        GDALClose(ds);
        if (st == LB_OK && (cap.n_errors > 0 || CPLGetLastErrorType() >= CE_Failure))
            st = lb_ctx_error(ctx, LB_ERR_IO, "view '%s' of '%s': closing failed: %s", view, gpkg,
                              cap.msg);
    }
    lb_io_gpkg_nosync_end(nosync);
    lb_io_cpl_end(&cap);
    for (size_t i = 0; i < 4; i++)
        free(sql[i]);
    free(ii);
    free(idx_name);
    free(qv);
    free(qb);
    free(iff);
    free(iv);
    free(ib);
    return st;
}

lb_status lb_style_write_class_map(lb_ctx *ctx, const struct lb_outdir *out, const char *base,
                                   const lb_grid *g, const unsigned char *classes,
                                   const lb_class_table *ct, const lb_raster_opts *ro,
                                   struct json_object *outputs)
{
    const lb_style style = {.kind = LB_STYLE_RASTER_CLASSES, .classes = ct, .band = 1};
    lb_status st = LB_OK;
    for (int f = 0; st == LB_OK && f < 2; f++) {
        char *file = lb_core_strfmt("%s.%s", base, f ? "qml" : "tif");
        char *path = file ? lb_outdir_tmp_path(out, file) : NULL;
        if (!path)
            st = lb_ctx_error(ctx, LB_ERR_NOMEM, "out of memory");
        else if (f == 0)
            st = lb_write_raster_classes(ctx, path, g, classes, ct, ro);
        else
            st = lb_style_write_qml(ctx, path, &style);
        free(path);
        if (st == LB_OK)
            json_object_array_add(outputs, json_object_new_string(file));
        if (st == LB_OK && f == 0) { /* the category names */
            char *aux = lb_core_strfmt("%s.aux.xml", file);
            json_object_array_add(outputs, aux ? json_object_new_string(aux) : NULL);
            free(aux);
        }
        free(file);
    }
    return st;
}
