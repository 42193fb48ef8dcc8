/* SPDX-License-Identifier: MIT */
/* Tests of the QGIS styles: QML documents parsed back with GDAL's XML parser (CPLParseXMLString)
 * and compared entry by entry with the class table; .qml sidecars; GeoPackage layer_styles read
 * back through OGR the way QGIS looks a layer's default style up. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_legend.h"
#include "test_util.h"

#include "core/ctx.h"
#include "io/style.h"
#include "data/table.h"
#include "io/write.h"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const lb_class_table classes9 = {9, lb_test_labels, lb_test_colours, lb_test_thresholds,
                                        "Leefbaarometer 2022"};

typedef lb_test_dir fixture;

static int setup(void **state)
{
    return lb_test_dir_setup(state, "style");
}

/* Parse @p qml; fails the test when it is not well-formed XML with a <qgis> root. */
static CPLXMLNode *parse_qml(const char *qml)
{
    CPLErrorReset();
    CPLXMLNode *root = CPLParseXMLString(qml);
    if (!root || CPLGetLastErrorType() >= CE_Failure) {
        print_error("QML does not parse: %s\n%s\n", CPLGetLastErrorMsg(), qml);
        fail();
    }
    CPLXMLNode *qgis = CPLSearchXMLNode(root, "=qgis");
    assert_non_null(qgis);
    return root;
}

/* The element children named @p name of @p parent, in order (at most @p max). */
static int children(CPLXMLNode *parent, const char *name, CPLXMLNode **out, int max)
{
    int n = 0;
    for (CPLXMLNode *c = parent ? parent->psChild : NULL; c; c = c->psNext)
        if (c->eType == CXT_Element && strcmp(c->pszValue, name) == 0 && n < max)
            out[n++] = c;
    return n;
}

static char *qml_of(fixture *fx, const lb_style *s)
{
    char *qml = NULL;
    assert_int_equal(lb_style_qml(fx->ctx, s, &qml), LB_OK);
    assert_non_null(qml);
    return qml;
}

/* Paletted class raster: 9 entries, value k, colour and label of class k. */
static void check_paletted(CPLXMLNode *root, const lb_class_table *ct, int band)
{
    CPLXMLNode *r = CPLSearchXMLNode(root, "=rasterrenderer");
    assert_non_null(r);
    assert_string_equal(CPLGetXMLValue(r, "type", ""), "paletted");
    assert_int_equal(atoi(CPLGetXMLValue(r, "band", "0")), band);
    CPLXMLNode *e[64];
    int n = children(CPLGetXMLNode(r, "colorPalette"), "paletteEntry", e, 64);
    assert_int_equal(n, (int)ct->n);
    for (int k = 0; k < n; k++) {
        assert_int_equal(atoi(CPLGetXMLValue(e[k], "value", "")), k + 1);
        assert_string_equal(CPLGetXMLValue(e[k], "color", ""), ct->colours[k]);
        assert_string_equal(CPLGetXMLValue(e[k], "label", ""), ct->labels[k]);
        assert_string_equal(CPLGetXMLValue(e[k], "alpha", ""), "255");
    }
}

static void test_style_raster_classes(void **state)
{
    fixture *fx = *state;
    lb_style s = {.kind = LB_STYLE_RASTER_CLASSES, .classes = &classes9};
    char *qml = qml_of(fx, &s);
    CPLXMLNode *root = parse_qml(qml);
    check_paletted(root, &classes9, 1);
    CPLDestroyXMLNode(root);
    free(qml);
}

/* Discrete pseudocolour: item k holds the upper cut-point of class k (read back exactly), the
 * last item +inf; colours and labels of the classes. */
static void test_style_raster_breaks(void **state)
{
    fixture *fx = *state;
    lb_style s = {.kind = LB_STYLE_RASTER_BREAKS, .classes = &classes9, .band = 1};
    char *qml = qml_of(fx, &s);
    CPLXMLNode *root = parse_qml(qml);
    CPLXMLNode *r = CPLSearchXMLNode(root, "=rasterrenderer");
    assert_non_null(r);
    assert_string_equal(CPLGetXMLValue(r, "type", ""), "singlebandpseudocolor");
    CPLXMLNode *shader = CPLSearchXMLNode(r, "=colorrampshader");
    assert_non_null(shader);
    assert_string_equal(CPLGetXMLValue(shader, "colorRampType", ""), "DISCRETE");
    CPLXMLNode *items[16];
    int n = children(shader, "item", items, 16);
    assert_int_equal(n, 9);
    for (int k = 0; k < 9; k++) {
        const char *v = CPLGetXMLValue(items[k], "value", "");
        if (k < 8)
            assert_true(strtod(v, NULL) == lb_test_thresholds[k]);
        else
            assert_string_equal(v, "inf");
        assert_string_equal(CPLGetXMLValue(items[k], "color", ""), lb_test_colours[k]);
        assert_string_equal(CPLGetXMLValue(items[k], "label", ""), lb_test_labels[k]);
    }
    CPLDestroyXMLNode(root);
    free(qml);

    /* a 7-class development legend on band 2 with symmetric cut-points */
    const double cuts[] = {-0.2, -0.1333, -0.0666, 0.0666, 0.1333, 0.2};
    const char *const dl[] = {"sterk achteruit", "achteruit", "licht achteruit", "geen verandering",
                              "licht vooruit",   "vooruit",   "sterk vooruit"};
    const char *const dc[] = {"#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7",
                              "#d1e5f0", "#67a9cf", "#2166ac"};
    lb_class_table dev = {7, dl, dc, cuts, NULL};
    s.classes = &dev;
    s.band = 2;
    qml = qml_of(fx, &s);
    root = parse_qml(qml);
    r = CPLSearchXMLNode(root, "=rasterrenderer");
    assert_int_equal(atoi(CPLGetXMLValue(r, "band", "0")), 2);
    n = children(CPLSearchXMLNode(r, "=colorrampshader"), "item", items, 16);
    assert_int_equal(n, 7);
    assert_true(strtod(CPLGetXMLValue(items[0], "value", ""), NULL) == -0.2);
    assert_true(strtod(CPLGetXMLValue(items[3], "value", ""), NULL) == 0.0666);
    assert_string_equal(CPLGetXMLValue(items[6], "label", ""), "sterk vooruit");
    CPLDestroyXMLNode(root);
    free(qml);
}

/* Categorized fill: 9 categories on the field with value k and the label of class k, each
 * pointing at a symbol whose fill colour is the class colour as "r,g,b,255" in both the
 * <Option> and the <prop> spelling. */
static void check_categorized(CPLXMLNode *root, const lb_class_table *ct, const char *field)
{
    CPLXMLNode *r = CPLSearchXMLNode(root, "=renderer-v2");
    assert_non_null(r);
    assert_string_equal(CPLGetXMLValue(r, "type", ""), "categorizedSymbol");
    assert_string_equal(CPLGetXMLValue(r, "attr", ""), field);
    CPLXMLNode *cats[64], *syms[64];
    int n = children(CPLGetXMLNode(r, "categories"), "category", cats, 64);
    assert_int_equal(n, (int)ct->n);
    assert_int_equal(children(CPLGetXMLNode(r, "symbols"), "symbol", syms, 64), (int)ct->n);
    for (int k = 0; k < n; k++) {
        assert_int_equal(atoi(CPLGetXMLValue(cats[k], "value", "")), k + 1);
        assert_string_equal(CPLGetXMLValue(cats[k], "label", ""), ct->labels[k]);
        const char *sym = CPLGetXMLValue(cats[k], "symbol", "");
        CPLXMLNode *symbol = NULL;
        for (int j = 0; j < n; j++)
            if (strcmp(CPLGetXMLValue(syms[j], "name", ""), sym) == 0)
                symbol = syms[j];
        assert_non_null(symbol);
        assert_string_equal(CPLGetXMLValue(symbol, "type", ""), "fill");
        unsigned rr, gg, bb;
        assert_int_equal(sscanf(ct->colours[k], "#%2x%2x%2x", &rr, &gg, &bb), 3);
        char want[32];
        snprintf(want, sizeof(want), "%u,%u,%u,255", rr, gg, bb);
        CPLXMLNode *layer = CPLGetXMLNode(symbol, "layer");
        assert_non_null(layer);
        int found_option = 0, found_prop = 0;
        for (CPLXMLNode *c =
                 CPLGetXMLNode(layer, "Option") ? CPLGetXMLNode(layer, "Option")->psChild : NULL;
             c; c = c->psNext)
            if (c->eType == CXT_Element && strcmp(CPLGetXMLValue(c, "name", ""), "color") == 0) {
                assert_string_equal(CPLGetXMLValue(c, "value", ""), want);
                found_option = 1;
            }
        for (CPLXMLNode *c = layer->psChild; c; c = c->psNext)
            if (c->eType == CXT_Element && strcmp(c->pszValue, "prop") == 0 &&
                strcmp(CPLGetXMLValue(c, "k", ""), "color") == 0) {
                assert_string_equal(CPLGetXMLValue(c, "v", ""), want);
                found_prop = 1;
            }
        assert_true(found_option && found_prop);
    }
}

static void test_style_vector_classes(void **state)
{
    fixture *fx = *state;
    lb_style s = {.kind = LB_STYLE_VECTOR_CLASSES, .classes = &classes9, .field = "kscore"};
    char *qml = qml_of(fx, &s);
    CPLXMLNode *root = parse_qml(qml);
    check_categorized(root, &classes9, "kscore");
    /* grid cells without outlines, areas with */
    assert_non_null(strstr(qml, "name=\"outline_style\" value=\"no\""));
    assert_null(strstr(qml, "name=\"outline_style\" value=\"solid\""));
    CPLDestroyXMLNode(root);
    free(qml);
    s.outline = 1;
    qml = qml_of(fx, &s);
    assert_null(strstr(qml, "name=\"outline_style\" value=\"no\""));
    free(qml);
}

/* Labels and field names with XML's special characters, quotes, tabs and newlines survive a
 * round trip through the parser unchanged; other control characters become spaces. */
static void test_style_escaping(void **state)
{
    fixture *fx = *state;
    const char *const nasty[] = {"<b>a & b</b>", "\"quoted\" and 'single'",
                                 "tab\there",    "line\nbreak",
                                 "bell\a!",      "ümlaut ë ï"};
    const char *const want[] = {"<b>a & b</b>", "\"quoted\" and 'single'",
                                "tab\there",    "line\nbreak",
                                "bell !",       "ümlaut ë ï"};
    lb_class_table ct = {6, nasty, lb_test_colours, lb_test_thresholds, NULL};
    lb_style s = {.kind = LB_STYLE_VECTOR_CLASSES, .classes = &ct, .field = "k&\"<>"};
    char *qml = qml_of(fx, &s);
    CPLXMLNode *root = parse_qml(qml);
    CPLXMLNode *r = CPLSearchXMLNode(root, "=renderer-v2");
    assert_string_equal(CPLGetXMLValue(r, "attr", ""), "k&\"<>");
    CPLXMLNode *cats[8];
    assert_int_equal(children(CPLGetXMLNode(r, "categories"), "category", cats, 8), 6);
    for (int k = 0; k < 6; k++)
        assert_string_equal(CPLGetXMLValue(cats[k], "label", ""), want[k]);
    CPLDestroyXMLNode(root);
    free(qml);
    /* the same through the raster renderers */
    for (int kind = 0; kind < 2; kind++) {
        lb_style rs = {.kind = kind ? LB_STYLE_RASTER_BREAKS : LB_STYLE_RASTER_CLASSES,
                       .classes = &ct};
        qml = qml_of(fx, &rs);
        root = parse_qml(qml);
        CPLXMLNode *e[8];
        CPLXMLNode *parent = kind ? CPLSearchXMLNode(root, "=colorrampshader")
                                  : CPLSearchXMLNode(root, "=colorPalette");
        int n = children(parent, kind ? "item" : "paletteEntry", e, 8);
        assert_int_equal(n, 6);
        for (int k = 0; k < 6; k++)
            assert_string_equal(CPLGetXMLValue(e[k], "label", ""), want[k]);
        CPLDestroyXMLNode(root);
        free(qml);
    }
}

static void test_style_errors(void **state)
{
    fixture *fx = *state;
    char *qml = NULL;
    lb_class_table nobreaks = {9, lb_test_labels, lb_test_colours, NULL, NULL};
    lb_style s = {.kind = LB_STYLE_RASTER_BREAKS, .classes = &nobreaks};
    assert_int_equal(lb_style_qml(fx->ctx, &s, &qml), LB_ERR_ARG);
    assert_null(qml);
    s = (lb_style){.kind = LB_STYLE_VECTOR_CLASSES, .classes = &classes9};
    assert_int_equal(lb_style_qml(fx->ctx, &s, &qml), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "field"));
    const char *const bad[] = {"#730000", "rood"};
    lb_class_table badct = {2, lb_test_labels, bad, NULL, NULL};
    s = (lb_style){.kind = LB_STYLE_RASTER_CLASSES, .classes = &badct};
    assert_int_equal(lb_style_qml(fx->ctx, &s, &qml), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "'rood'"));
    assert_int_equal(lb_style_qml(fx->ctx, NULL, &qml), LB_ERR_ARG);

    /* an unwritable path names the path and leaves nothing */
    char path[300];
    snprintf(path, sizeof(path), "%s/missing/x.qml", fx->dir);
    s = (lb_style){.kind = LB_STYLE_RASTER_CLASSES, .classes = &classes9};
    assert_int_equal(lb_style_write_qml(fx->ctx, path, &s), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), path));
}

/* QGIS looks for <dir>/<base>.qml beside a data file. */
static void test_style_sidecar_file(void **state)
{
    fixture *fx = *state;
    char *p = lb_style_sidecar_path("/data/out.v2/scores_2022.tif");
    assert_string_equal(p, "/data/out.v2/scores_2022.qml");
    free(p);
    p = lb_style_sidecar_path("buurten.geojson");
    assert_string_equal(p, "buurten.qml");
    free(p);

    lb_style s = {.kind = LB_STYLE_RASTER_CLASSES, .classes = &classes9};
    char *path = lb_style_sidecar_path(lb_test_path(fx, "class_2022.tif"));
    assert_int_equal(lb_style_write_qml(fx->ctx, path, &s), LB_OK);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    CPLXMLNode *root = parse_qml(buf);
    check_paletted(root, &classes9, 1);
    CPLDestroyXMLNode(root);
    free(path);
}

/* A dimension legend: 9 classes on the bands, labels with a word and the range in Dutch
 * notation, the middle class "gemiddeld" around 0; the QML of a class raster carries them. */
static void test_style_dim_legend(void **state)
{
    fixture *fx = *state;
    const double bands[8] = {-0.2, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.2};
    lb_style_dim_legend leg;
    lb_style_dim_legend_init(&leg, bands, "Woningvoorraad 2022");
    assert_int_equal(leg.ct.n, 9);
    assert_ptr_equal(leg.ct.breaks, leg.bands);
    for (int k = 0; k < 8; k++)
        assert_true(leg.ct.breaks[k] == bands[k]);
    assert_string_equal(leg.ct.title, "Woningvoorraad 2022");
    assert_string_equal(leg.ct.labels[0], "zeer veel zwakker (< \u22120,2)");
    assert_string_equal(leg.ct.labels[3], "iets zwakker (\u22120,05 tot \u22120,02)");
    assert_string_equal(leg.ct.labels[4], "gemiddeld (\u22120,02 tot 0,02)");
    assert_string_equal(leg.ct.labels[8], "zeer veel sterker (\u2265 0,2)");
    /* colours mirror around the middle: dark red ... pale ... dark green, all valid */
    assert_int_equal(lb_class_table_check(fx->ctx, &leg.ct, "dimension legend"), LB_OK);
    assert_string_not_equal(leg.ct.colours[0], leg.ct.colours[8]);
    lb_style s = {.kind = LB_STYLE_RASTER_CLASSES, .classes = &leg.ct};
    char *qml = qml_of(fx, &s);
    CPLXMLNode *root = parse_qml(qml);
    check_paletted(root, &leg.ct, 1);
    CPLDestroyXMLNode(root);
    free(qml);
    /* a model's own bands give their own labels */
    const double own[8] = {-4, -3, -2, -1, 1, 2, 3, 4};
    lb_style_dim_legend_init(&leg, own, NULL);
    assert_null(leg.ct.title);
    assert_string_equal(leg.ct.labels[4], "gemiddeld (\u22121 tot 1)");
}

/* Categories on text values (the waterbed zones' ring names), escaped like every attribute,
 * and a hollow single symbol for outlines. */
static void test_style_values_and_outline(void **state)
{
    fixture *fx = *state;
    const char *const values[] = {"ring_0_250", "ring_250_500", "a&b\"c"};
    const char *const labels[] = {"0 tot 250 m", "250 tot 500 m", "anders"};
    const char *const colours[] = {"#b30000", "#fc8d59", "#bdbdbd"};
    lb_class_table ct = {3, labels, colours, NULL, NULL};
    lb_style s = {.kind = LB_STYLE_VECTOR_CLASSES,
                  .classes = &ct,
                  .field = "ring",
                  .outline = 1,
                  .values = values};
    char *qml = qml_of(fx, &s);
    CPLXMLNode *root = parse_qml(qml);
    CPLXMLNode *r = CPLSearchXMLNode(root, "=renderer-v2");
    assert_string_equal(CPLGetXMLValue(r, "attr", ""), "ring");
    CPLXMLNode *cats[8];
    assert_int_equal(children(CPLGetXMLNode(r, "categories"), "category", cats, 8), 3);
    for (int k = 0; k < 3; k++) {
        assert_string_equal(CPLGetXMLValue(cats[k], "value", ""), values[k]);
        assert_string_equal(CPLGetXMLValue(cats[k], "label", ""), labels[k]);
    }
    CPLDestroyXMLNode(root);
    free(qml);
    const char *const missing[] = {"ring_0_250", NULL, "x"};
    s.values = missing;
    assert_int_equal(lb_style_qml(fx->ctx, &s, &qml), LB_ERR_ARG);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "category 2"));

    lb_style o = {.kind = LB_STYLE_VECTOR_OUTLINE, .classes = &ct};
    qml = qml_of(fx, &o);
    root = parse_qml(qml);
    r = CPLSearchXMLNode(root, "=renderer-v2");
    assert_string_equal(CPLGetXMLValue(r, "type", ""), "singleSymbol");
    CPLXMLNode *syms[4];
    assert_int_equal(children(CPLGetXMLNode(r, "symbols"), "symbol", syms, 4), 1);
    /* no fill, the outline in the first colour */
    assert_non_null(strstr(qml, "<prop k=\"style\" v=\"no\"/>"));
    assert_non_null(strstr(qml, "<prop k=\"outline_color\" v=\"179,0,0,255\"/>"));
    CPLDestroyXMLNode(root);
    free(qml);
}

/* A GeoPackage with a polygon layer @p name (one square in RD). */
static void write_layer(fixture *fx, const char *gpkg, const char *name)
{
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, 1, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "kscore", LB_COL_INT, &c), LB_OK);
    c->integer[0] = 5;
    const double xy[10] = {155000, 463000, 155100, 463000, 155100,
                           463100, 155000, 463100, 155000, 463000};
    size_t len = 1 + 4 + 4 + 4 + 5 * 16;
    unsigned char *w = calloc(1, len);
    assert_non_null(w);
    w[0] = 1;
    w[1] = 3;
    w[5] = 1;
    w[9] = 5;
    for (int i = 0; i < 10; i++) {
        uint64_t u;
        memcpy(&u, &xy[i], sizeof(u));
        for (int b = 0; b < 8; b++)
            w[13 + 8 * i + b] = (unsigned char)(u >> (8 * b));
    }
    assert_int_equal(lb_table_set_geometry(fx->ctx, t, 0, w, len), LB_OK);
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = name};
    assert_int_equal(lb_write_vector(fx->ctx, gpkg, t, &o), LB_OK);
    lb_table_destroy(t);
}

/* The default styles of @p layer as QGIS selects them; returns how many rows the layer has
 * and copies the default's QML into *qml (caller frees) when exactly one is default. */
static int styles_of(const char *gpkg, const char *layer, char **qml, int *n_default)
{
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH target = GDALDatasetGetLayerByName(ds, layer);
    assert_non_null(target);
    const char *geom = OGR_L_GetGeometryColumn(target);
    OGRLayerH st = GDALDatasetGetLayerByName(ds, "layer_styles");
    assert_non_null(st);
    /* QGIS's schema, field by field */
    const char *fields[] = {
        "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
        "styleName",       "styleQML",       "styleSLD",     "useAsDefault",
        "description",     "owner",          "ui",           "update_time"};
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(st);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        assert_true(OGR_FD_GetFieldIndex(defn, fields[i]) >= 0);
    assert_string_equal(OGR_L_GetFIDColumn(st), "id");
    OGRFieldDefnH def = OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "useAsDefault"));
    assert_int_equal(OGR_Fld_GetSubType(def), OFSTBoolean);

    int n = 0;
    *n_default = 0;
    *qml = NULL;
    OGRFeatureH f;
    OGR_L_ResetReading(st);
    while ((f = OGR_L_GetNextFeature(st)) != NULL) {
        int i_table = OGR_FD_GetFieldIndex(defn, "f_table_name");
        if (strcmp(OGR_F_GetFieldAsString(f, i_table), layer) == 0) {
            n++;
            assert_string_equal(
                OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(defn, "f_geometry_column")), geom);
            assert_string_equal(
                OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(defn, "f_table_schema")), "");
            assert_true(OGR_F_IsFieldSetAndNotNull(f, OGR_FD_GetFieldIndex(defn, "update_time")));
            if (OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(defn, "useAsDefault"))) {
                (*n_default)++;
                free(*qml);
                *qml = strdup(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(defn, "styleQML")));
            }
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return n;
}

static void test_style_gpkg_layer_styles(void **state)
{
    fixture *fx = *state;
    char gpkg[300];
    snprintf(gpkg, sizeof(gpkg), "%s", lb_test_path(fx, "scores.gpkg"));
    write_layer(fx, gpkg, "grid");
    write_layer(fx, gpkg, "buurten");
    lb_style grid = {.kind = LB_STYLE_VECTOR_CLASSES, .classes = &classes9, .field = "kscore"};
    lb_style units = grid;
    units.outline = 1;
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, gpkg, "grid", &grid, NULL, NULL, 1), LB_OK);
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, gpkg, "buurten", &units, NULL, "klassen", 1),
                     LB_OK);

    /* the file still opens with both layers and its features */
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "grid"), TRUE), 1);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "buurten"), TRUE), 1);
    GDALClose(ds);

    const char *layers[] = {"grid", "buurten"};
    for (int i = 0; i < 2; i++) {
        char *qml = NULL;
        int n_default = 0;
        assert_int_equal(styles_of(gpkg, layers[i], &qml, &n_default), 1);
        assert_int_equal(n_default, 1);
        CPLXMLNode *root = parse_qml(qml);
        check_categorized(root, &classes9, "kscore");
        CPLDestroyXMLNode(root);
        free(qml);
    }

    /* the same style again replaces its row; a second default clears the first */
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, gpkg, "grid", &grid, NULL, NULL, 1), LB_OK);
    char *qml = NULL;
    int n_default = 0;
    assert_int_equal(styles_of(gpkg, "grid", &qml, &n_default), 1);
    free(qml);
    const char *const two_colours[] = {"#000000", "#ffffff"};
    lb_class_table two = {2, lb_test_labels, two_colours, NULL, NULL};
    lb_style other = {.kind = LB_STYLE_VECTOR_CLASSES, .classes = &two, .field = "kscore"};
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, gpkg, "grid", &other, "twee", NULL, 1), LB_OK);
    assert_int_equal(styles_of(gpkg, "grid", &qml, &n_default), 2);
    assert_int_equal(n_default, 1);
    CPLXMLNode *root = parse_qml(qml);
    check_categorized(root, &two, "kscore");
    CPLDestroyXMLNode(root);
    free(qml);
    /* the other layer's default is untouched */
    assert_int_equal(styles_of(gpkg, "buurten", &qml, &n_default), 1);
    assert_int_equal(n_default, 1);
    free(qml);

    /* a layer that does not exist, a file that is not there */
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, gpkg, "wijken", &grid, NULL, NULL, 1),
                     LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "'wijken'"));
    char missing[300];
    snprintf(missing, sizeof(missing), "%s/none.gpkg", fx->dir);
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, missing, "grid", &grid, NULL, NULL, 1),
                     LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), missing));
}

/* Views per year: listed by GDAL as layers of their own, each with the rows of its year (the
 * base's fids), styled like any layer; the base layer keeps all rows. */
static void test_style_gpkg_views(void **state)
{
    fixture *fx = *state;
    char gpkg[300];
    snprintf(gpkg, sizeof(gpkg), "%s", lb_test_path(fx, "years.gpkg"));
    lb_table *t = NULL;
    assert_int_equal(lb_table_create(fx->ctx, 5, &t), LB_OK);
    lb_column *c;
    assert_int_equal(lb_table_add(fx->ctx, t, "year", LB_COL_INT, &c), LB_OK);
    const int years[5] = {2020, 2022, 2020, 2022, 2022};
    for (int i = 0; i < 5; i++) {
        c->integer[i] = years[i];
        size_t len = 1 + 4 + 4 + 4 + 5 * 16;
        unsigned char *w = calloc(1, len);
        assert_non_null(w);
        w[0] = 1;
        w[1] = 3;
        w[5] = 1;
        w[9] = 5;
        const double x0 = 155000 + 100 * (i % 2), y0 = 463000;
        const double xy[10] = {x0, y0, x0 + 100, y0, x0 + 100, y0 + 100, x0, y0 + 100, x0, y0};
        for (int j = 0; j < 10; j++) {
            uint64_t u;
            memcpy(&u, &xy[j], sizeof(u));
            for (int b = 0; b < 8; b++)
                w[13 + 8 * j + b] = (unsigned char)(u >> (8 * b));
        }
        assert_int_equal(lb_table_set_geometry(fx->ctx, t, (size_t)i, w, len), LB_OK);
    }
    lb_vector_opts o = {.format = LB_FMT_GPKG, .layer = "bu\"urten"};
    assert_int_equal(lb_write_vector(fx->ctx, gpkg, t, &o), LB_OK);
    lb_table_destroy(t);

    assert_int_equal(
        lb_io_gpkg_add_view(fx->ctx, gpkg, "bu\"urten", "bu\"urten_2020", "year", 2020), LB_OK);
    assert_int_equal(
        lb_io_gpkg_add_view(fx->ctx, gpkg, "bu\"urten", "bu\"urten_2022", "year", 2022), LB_OK);
    lb_style st = {.kind = LB_STYLE_VECTOR_CLASSES, .classes = &classes9, .field = "year"};
    assert_int_equal(lb_io_gpkg_add_style(fx->ctx, gpkg, "bu\"urten_2022", &st, "lbm", NULL, 1),
                     LB_OK);

    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(GDALDatasetGetLayerCount(ds), 4); /* base, 2 views, layer_styles */
    const int want_n[2] = {2, 3};
    const char *names[2] = {"bu\"urten_2020", "bu\"urten_2022"};
    for (int v = 0; v < 2; v++) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, names[v]);
        assert_non_null(l);
        assert_int_equal(OGR_L_GetGeomType(l), OGR_L_GetGeomType(GDALDatasetGetLayer(ds, 0)));
        assert_int_equal(OGR_L_GetFeatureCount(l, TRUE), want_n[v]);
        OGRFeatureH f;
        OGR_L_ResetReading(l);
        while ((f = OGR_L_GetNextFeature(l)) != NULL) {
            GIntBig fid = OGR_F_GetFID(f);
            assert_true(fid >= 1 && fid <= 5);
            assert_int_equal(OGR_F_GetFieldAsInteger(f, 0), years[fid - 1]);
            assert_int_equal(years[fid - 1], v ? 2022 : 2020);
            assert_non_null(OGR_F_GetGeometryRef(f));
            OGR_F_Destroy(f);
        }
    }
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "bu\"urten"), TRUE), 5);
    GDALClose(ds);
    char *qml = NULL;
    int n_default = 0;
    assert_int_equal(styles_of(gpkg, "bu\"urten_2022", &qml, &n_default), 1);
    assert_int_equal(n_default, 1);
    free(qml);

    /* a second view of the same name, a base that is not there */
    assert_int_equal(
        lb_io_gpkg_add_view(fx->ctx, gpkg, "bu\"urten", "bu\"urten_2020", "year", 2020), LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "bu\"urten_2020"));
    assert_int_equal(lb_io_gpkg_add_view(fx->ctx, gpkg, "wijken", "wijken_2020", "year", 2020),
                     LB_ERR_IO);
    assert_non_null(strstr(lb_ctx_errmsg(fx->ctx), "no layer 'wijken'"));
}

#define STYLE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, lb_test_dir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        STYLE_TEST(test_style_raster_classes),
        STYLE_TEST(test_style_raster_breaks),
        STYLE_TEST(test_style_vector_classes),
        STYLE_TEST(test_style_escaping),
        STYLE_TEST(test_style_errors),
        STYLE_TEST(test_style_sidecar_file),
        STYLE_TEST(test_style_gpkg_layer_styles),
        STYLE_TEST(test_style_dim_legend),
        STYLE_TEST(test_style_values_and_outline),
        STYLE_TEST(test_style_gpkg_views),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    GDALDestroyDriverManager();
    return failed;
}
