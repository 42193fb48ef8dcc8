/* SPDX-License-Identifier: MIT */
/* Writers: result tables as GeoPackage / GeoJSON / CSV layers, grids as Cloud Optimized GeoTIFFs
 * (built in a MEM dataset and copied with the COG driver), JSON documents through json-c. */
#include "write.h"

#include "../core/bytes.h"
#include "../core/ctx.h"
#include "gdal_env.h"
#include "geojson.h"
#include "gpkg_rtree.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <json-c/json.h>
#include <json-c/json_util.h>

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What differs between the vector formats; indexed by lb_vector_format. */
typedef struct vector_format {
    const char *driver;   /* GDAL short name */
    int geometry;         /* writes geometries */
    int add_to_existing;  /* an existing file is opened and gets one more layer */
    int transaction;      /* features go in one transaction (GPKG: one SQLite commit) */
    const char *need_ext; /* required extension, NULL for any */
} vector_format;

static const vector_format vector_formats[] = {
    [LB_FMT_GPKG] = {"GPKG", 1, 1, 1, NULL},
    [LB_FMT_GEOJSON] = {"GeoJSON", 1, 0, 0, NULL},
    /* the CSV driver treats a path without ".csv" as a directory of layers */
    [LB_FMT_CSV] = {"CSV", 0, 0, 0, "csv"},
};

/* GDAL's last failure message, or a stand-in when it gave none. */
static const char *gdal_msg(const lb_cpl_capture *cap)
{
    return cap->msg[0] ? cap->msg : "no message from GDAL";
}

/* Forget earlier captured failures so the next step reports only its own. */
static void cap_reset(lb_cpl_capture *cap)
{
    cap->msg[0] = '\0';
    cap->n_errors = 0;
    CPLErrorReset();
}

/* Close an output and report a failure raised while flushing (GDAL 3.6's GDALClose returns
 * void, so the error state is the only signal). */
static lb_status close_output(lb_ctx *ctx, GDALDatasetH ds, const char *path, lb_cpl_capture *cap)
{
    cap_reset(cap);
    GDALClose(ds);
    if (cap->n_errors > 0 || CPLGetLastErrorType() >= CE_Failure)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': closing failed: %s", path,
                            cap->msg[0] ? cap->msg : CPLGetLastErrorMsg());
    return LB_OK;
}

/* VSIStatBufL needs _LARGEFILE64_SOURCE, which strict C17 does not give; opening for reading
 * answers the same question for the files written here. */
static int path_exists(const char *path)
{
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (fp)
        VSIFCloseL(fp);
    return fp != NULL;
}

/* Round half away from zero at @p decimals digits. The double nearest a decimal such as 2.675
 * lies a few ulps below it, so round(267.49999999999997) would give 2.67 where the decimal the
 * user sees asks for 2.68; a scaled value within a few ulps of the half therefore counts as the
 * half. Non-finite values and values already integral at this scale pass through. */
double lb_io_round_decimals(double v, int decimals)
{
    if (decimals < 0 || decimals > 15 || !isfinite(v))
        return v;
    /* 10^0 .. 10^15 are exact doubles, and so is what pow(10, d) returns for them (glibc's
     * pow is within 1 ULP): a table, as a national grid.csv rounds millions of values */
    static const double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    double p = pow10[decimals];
    double y = v * p;
    if (!isfinite(y) || fabs(y) >= 4503599627370496.0) /* 2^52: no fraction left */
        return v;
    double t = trunc(y);
    double frac = fabs(y - t);
    double r = frac >= 0.5 - 4.0 * DBL_EPSILON * fabs(y) ? t + copysign(1.0, y) : t;
    if (r == 0.0)
        return 0.0; /* no "-0" in the output */
    return r / p;
}

/* The geometry type code in a WKB header (ISO numbering), 0 when the blob is too short. */
static uint32_t wkb_header_type(const unsigned char *wkb, size_t size)
{
    if (!wkb || size < 5)
        return 0;
    return lb_core_load_u32(wkb + 1, wkb[0] == 1);
}

/* The layer geometry type: the single 2D type all rows share; MultiPolygon when polygons and
 * multipolygons mix (polygons are then promoted, which GeoPackage requires); else Unknown. */
static OGRwkbGeometryType layer_geometry_type(const lb_table *t)
{
    if (!t->wkb)
        return wkbNone;
    uint32_t first = 0;
    int polys_mixed = 0, mixed = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        uint32_t ty = wkb_header_type(t->wkb[r], t->wkb_size[r]);
        if (ty == 0)
            continue;
        if (first == 0)
            first = ty;
        else if (ty != first && (ty == 3 || ty == 6) && (first == 3 || first == 6))
            polys_mixed = 1;
        else if (ty != first)
            mixed = 1;
    }
    if (mixed || first < 1 || first > 7)
        return wkbUnknown;
    if (polys_mixed)
        return wkbMultiPolygon;
    return (OGRwkbGeometryType)first;
}

static char **layer_options(const lb_vector_opts *o)
{
    char **opts = NULL;
    if (o->format == LB_FMT_GEOJSON && !o->geojson_rd) {
        /* RFC 7946: the driver reprojects to CRS84 lon/lat, orients rings by the right-hand
         * rule and leaves out the crs member */
        opts = CSLSetNameValue(opts, "RFC7946", "YES");
        opts = CSLSetNameValue(opts, "COORDINATE_PRECISION", "7");
    } else if (o->format == LB_FMT_GEOJSON) {
        opts = CSLSetNameValue(opts, "COORDINATE_PRECISION", "2"); /* centimetres */
    }
    if (o->format == LB_FMT_GEOJSON)
        /* attributes are rounded already; 15 digits keep 0.1 from printing as
           0.10000000000000001. Full precision needs 17 to read back every double. */
        opts = CSLSetNameValue(opts, "SIGNIFICANT_FIGURES", o->full_precision ? "17" : "15");
    if (o->format == LB_FMT_CSV) {
        opts = CSLSetNameValue(opts, "SEPARATOR", o->csv_sep == ';' ? "SEMICOLON" : "COMMA");
        /* quote strings that look like numbers, so codes such as "0599" stay text for readers
           that honour quotes (GDAL's QUOTED_FIELDS_AS_STRING); see csv_int_as_real() */
        opts = CSLSetNameValue(opts, "STRING_QUOTING", "IF_AMBIGUOUS");
    }
    return opts;
}

/* GDAL 3.6's CSV writer quotes every field that is not OFTReal once STRING_QUOTING is
 * IF_AMBIGUOUS, integers included. A CSV column has no declared type, so integer columns go out
 * as OFTReal: an integral double prints without decimals ("2021"), unquoted. Values beyond 2^53
 * would lose digits that way and keep OFTInteger64. */
static int csv_int_as_real(const lb_column *c, size_t n_rows)
{
    for (size_t r = 0; r < n_rows; r++)
        if (c->integer[r] != LB_INT_NULL &&
            (c->integer[r] > (INT64_C(1) << 53) || c->integer[r] < -(INT64_C(1) << 53)))
            return 0;
    return 1;
}

static OGRFieldType field_type(const lb_column *c, size_t n_rows, lb_vector_format fmt)
{
    switch (c->type) {
    case LB_COL_REAL:
        return OFTReal;
    case LB_COL_INT:
        return fmt == LB_FMT_CSV && csv_int_as_real(c, n_rows) ? OFTReal : OFTInteger64;
    case LB_COL_TEXT:
        break;
    }
    return OFTString;
}

/* Non-finite reals are written as NULL: JSON has no NaN or Infinity and a missing value is
 * what they mean here. */
static void set_field(OGRFeatureH f, int i, const lb_column *c, size_t r, int as_real, int decimals)
{
    switch (c->type) {
    case LB_COL_REAL:
        if (isfinite(c->real[r]))
            OGR_F_SetFieldDouble(f, i, lb_io_round_decimals(c->real[r], decimals));
        else
            OGR_F_SetFieldNull(f, i);
        return;
    case LB_COL_INT:
        if (c->integer[r] != LB_INT_NULL && as_real)
            OGR_F_SetFieldDouble(f, i, (double)c->integer[r]);
        else if (c->integer[r] != LB_INT_NULL)
            OGR_F_SetFieldInteger64(f, i, (GIntBig)c->integer[r]);
        else
            OGR_F_SetFieldNull(f, i);
        return;
    case LB_COL_TEXT:
        if (c->text[r])
            OGR_F_SetFieldString(f, i, c->text[r]);
        else
            OGR_F_SetFieldNull(f, i);
        return;
    }
}

/* Twice the signed area of a ring (shoelace, relative to its first point for precision with
 * RD coordinates); > 0 for counter-clockwise. */
static double ring_area2(OGRGeometryH ring)
{
    int n = OGR_G_GetPointCount(ring);
    if (n < 3)
        return 0.0;
    double x0 = OGR_G_GetX(ring, 0), y0 = OGR_G_GetY(ring, 0), s = 0.0;
    for (int i = 1; i + 1 < n; i++)
        s += (OGR_G_GetX(ring, i) - x0) * (OGR_G_GetY(ring, i + 1) - y0) -
             (OGR_G_GetX(ring, i + 1) - x0) * (OGR_G_GetY(ring, i) - y0);
    return s;
}

static void reverse_ring(OGRGeometryH ring)
{
    int n = OGR_G_GetPointCount(ring), dim3 = OGR_G_CoordinateDimension(ring) == 3;
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        double xi, yi, zi, xj, yj, zj;
        OGR_G_GetPoint(ring, i, &xi, &yi, &zi);
        OGR_G_GetPoint(ring, j, &xj, &yj, &zj);
        if (dim3) {
            OGR_G_SetPoint(ring, i, xj, yj, zj);
            OGR_G_SetPoint(ring, j, xi, yi, zi);
        } else {
            OGR_G_SetPoint_2D(ring, i, xj, yj);
            OGR_G_SetPoint_2D(ring, j, xi, yi);
        }
    }
}

/* Wind polygon rings by the right-hand rule of RFC 7946 §3.1.6 (exterior counter-clockwise,
 * holes clockwise). GDAL does this itself only in RFC 7946 mode; RD output gets it here. */
static void wind_right_hand(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            wind_right_hand(OGR_G_GetGeometryRef(g, i));
        return;
    }
    if (t != wkbPolygon)
        return;
    for (int r = 0; r < OGR_G_GetGeometryCount(g); r++) {
        OGRGeometryH ring = OGR_G_GetGeometryRef(g, r);
        double a = ring_area2(ring);
        if ((r == 0 && a < 0.0) || (r > 0 && a > 0.0))
            reverse_ring(ring);
    }
}

/* The shortest of %.15g, %.16g and %.17g that reads back as @p v (finite); 17 always does. */
void lb_io_shortest_exact(double v, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            return;
    }
}

/* Full precision in GeoJSON. GDAL 3.6's GeoJSON writer prints reals with at most 17
 * significant digits and then tidies runs of 0s and 9s at the end ("intelligent rounding"),
 * so 0.17999999999999994 comes out as 0.18: not the double that was written. Its output has
 * one feature per line, in row order; each feature line is parsed here with json-c, which
 * keeps the text of every number it parses (GDAL's 7-decimal coordinates stay as written),
 * its real properties are replaced by numbers whose text reads back exactly, and the file is
 * rewritten beside and renamed over the original. */
static lb_status geojson_exact_reals(lb_ctx *ctx, const char *path, const lb_table *t)
{
    lb_status st = LB_OK;
    char *tmp = lb_core_strfmt("%s.exact", path);
    VSILFILE *in = VSIFOpenL(path, "rb");
    VSILFILE *out = tmp ? VSIFOpenL(tmp, "wb") : NULL;
    json_tokener *tok = json_tokener_new();
    if (!tmp || !tok) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
        goto done;
    }
    if (!in || !out) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot %s for full precision", path,
                          in ? "create a temporary file" : "reopen");
        goto done;
    }
    size_t row = 0;
    const char *line;
    while (st == LB_OK && (line = CPLReadLine2L(in, -1, NULL)) != NULL) {
        size_t n = strlen(line);
        static const char feature[] = "{ \"type\": \"Feature\"";
        if (strncmp(line, feature, sizeof(feature) - 1) != 0) {
            if (VSIFWriteL(line, 1, n, out) != n || VSIFWriteL("\n", 1, 1, out) != 1)
                st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", tmp, strerror(errno));
            continue;
        }
        int comma = n > 0 && line[n - 1] == ',';
        json_tokener_reset(tok);
        json_object *feat = json_tokener_parse_ex(tok, line, (int)(n - (size_t)comma));
        json_object *props = NULL;
        if (!feat || row >= t->n_rows || !json_object_object_get_ex(feat, "properties", &props)) {
            json_object_put(feat);
            st = lb_ctx_error(ctx, LB_ERR_INTERNAL,
                              "write '%s': feature %zu of GDAL's GeoJSON is not as expected", path,
                              row);
            break;
        }
        for (size_t c = 0; c < t->n_cols; c++) {
            const lb_column *col = &t->cols[c];
            if (col->type != LB_COL_REAL || !isfinite(col->real[row]))
                continue;
            char num[40];
            lb_io_shortest_exact(col->real[row], num, sizeof(num));
            json_object_object_add(props, col->name, json_object_new_double_s(col->real[row], num));
        }
        const char *text = json_object_to_json_string_ext(feat, JSON_C_TO_STRING_SPACED |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
        size_t tn = strlen(text);
        if (VSIFWriteL(text, 1, tn, out) != tn || (comma && VSIFWriteL(",", 1, 1, out) != 1) ||
            VSIFWriteL("\n", 1, 1, out) != 1)
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", tmp, strerror(errno));
        json_object_put(feat);
        row++;
    }
    if (st == LB_OK && row != t->n_rows)
        st = lb_ctx_error(ctx, LB_ERR_INTERNAL, "write '%s': %zu features for %zu rows", path, row,
                          t->n_rows);
done:
    if (in)
        VSIFCloseL(in);
    if (out && VSIFCloseL(out) != 0 && st == LB_OK)
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", tmp, strerror(errno));
    if (st == LB_OK && VSIRename(tmp, path) != 0)
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot rename '%s' over it: %s", path, tmp,
                          strerror(errno));
    if (tmp && st != LB_OK)
        VSIUnlink(tmp);
    if (tok)
        json_tokener_free(tok);
    free(tmp);
    return st;
}

static lb_status check_vector_args(lb_ctx *ctx, const char *path, const lb_table *t,
                                   const lb_vector_opts *o)
{
    if (!path || !t || !o)
        return lb_ctx_error(ctx, LB_ERR_ARG, "write vector: path, table and options are required");
    if ((unsigned)o->format > LB_FMT_CSV)
        return lb_ctx_error(ctx, LB_ERR_ARG, "write '%s': unknown vector format %d", path,
                            (int)o->format);
    if (o->format == LB_FMT_GPKG && (!o->layer || !o->layer[0]))
        return lb_ctx_error(ctx, LB_ERR_ARG, "write '%s': a GeoPackage layer needs a name", path);
    if (o->format == LB_FMT_CSV && o->csv_sep != 0 && o->csv_sep != ',' && o->csv_sep != ';')
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "write '%s': CSV separator must be ',' or ';', not '%c'", path,
                            o->csv_sep);
    const char *ext = vector_formats[o->format].need_ext;
    if (ext && !EQUAL(CPLGetExtension(path), ext))
        return lb_ctx_error(ctx, LB_ERR_ARG, "write '%s': a %s file name must end in .%s", path,
                            vector_formats[o->format].driver, ext);
    for (size_t c = 0; c < t->n_cols; c++)
        if (!t->cols[c].name || !t->cols[c].name[0])
            return lb_ctx_error(ctx, LB_ERR_ARG, "write '%s': column %zu has no name", path, c);
    return LB_OK;
}

/* ---- CSV, written directly ----------------------------------------------------------------
 * A national grid.csv has half a million rows; through OGR's CSV driver (a feature, a field
 * lookup and a printf per value) writing it took longer than computing it. The format is the
 * one the driver wrote with STRING_QUOTING=IF_AMBIGUOUS, except that small numbers are written
 * in fixed notation (0.000029, not 2.9e-05): a header of the column names; reals rounded to
 * their decimals, 15 significant digits at most, no trailing zeros, never "-0"; integers
 * as digits; NULL, NaN and LB_INT_NULL as an empty field; text quoted (with "" for a quote)
 * when it could be misread: when it parses as a number (codes such as "0599" stay text), has
 * the separator, a quote or a line break, leading or trailing blanks, or is empty.
 * With ';' as separator the decimal mark is a comma (4,1023): Dutch spreadsheets read ';'
 * files with decimal commas, and read "4.1023" as text or as 41023. Text that would read as a
 * number with a decimal comma ("4,5") is quoted as well. Full precision (analysts who re-use
 * the numbers) writes each real as the shortest of %.15g, %.16g and %.17g that reads back as
 * the same double. */

/* Does @p v parse as a whole number, taking a ',' for the decimal point when @p comma? */
static int reads_as_number(const char *v, int comma)
{
    /* what strtod reads starts (after blanks, quoted anyway) with a sign, a digit, a point
     * (or the comma that stands for it), "inf" or "nan": ids such as E1553N4632 and class
     * names start with none of these */
    char first = comma && v[0] == ',' ? '.' : v[0];
    if (!first || !strchr("+-.0123456789iInN", first))
        return 0;
    char *end = NULL;
    if (comma && strchr(v, ',')) {
        char tmp[64];
        size_t n = strlen(v);
        if (n >= sizeof(tmp))
            return 0;
        for (size_t i = 0; i <= n; i++)
            tmp[i] = v[i] == ',' ? '.' : v[i];
        (void)strtod(tmp, &end);
        return end != tmp && *end == '\0';
    }
    (void)strtod(v, &end);
    return end != v && *end == '\0';
}

/* Does text @p v need quotes in a CSV with separator @p sep? */
static int csv_needs_quotes(const char *v, char sep)
{
    size_t n = strlen(v);
    if (n == 0 || isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]))
        return 1;
    if (strchr(v, sep) || strpbrk(v, "\"\r\n"))
        return 1;
    return reads_as_number(v, sep == ';');
}

/* The rows of a CSV are formatted into one large buffer that goes to the file in big writes
 * (a putc per separator took a tenth of a national csv-only run). */
enum { CSV_BUF = 1 << 16 };

typedef struct csv_out {
    FILE *f;
    char *buf; /* CSV_BUF bytes */
    size_t n;  /* bytes in buf */
    int bad;   /* a write failed */
} csv_out;

static void csv_flush(csv_out *o)
{
    if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
        o->bad = 1;
    o->n = 0;
}

/* Append @p k bytes: into the buffer, or straight to the file when they do not fit in it. */
static void csv_put(csv_out *o, const char *s, size_t k)
{
    if (o->n + k > CSV_BUF)
        csv_flush(o);
    if (k > CSV_BUF) {
        if (fwrite(s, 1, k, o->f) != k)
            o->bad = 1;
        return;
    }
    memcpy(o->buf + o->n, s, k);
    o->n += k;
}

static void csv_char(csv_out *o, char c)
{
    if (o->n == CSV_BUF)
        csv_flush(o);
    o->buf[o->n++] = c;
}

static void csv_text(csv_out *o, const char *v, char sep)
{
    if (!csv_needs_quotes(v, sep)) {
        csv_put(o, v, strlen(v));
        return;
    }
    csv_char(o, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            csv_char(o, '"');
        csv_char(o, *p);
    }
    csv_char(o, '"');
}

/* Write a number printed with a '.' decimal point, with @p mark instead. */
static void put_number(csv_out *o, char *buf, char mark)
{
    if (mark != '.') {
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = mark;
    }
    csv_put(o, buf, strlen(buf));
}

/* @p v (finite) unrounded: the shortest of 15, 16 or 17 significant digits that reads back as
 * @p v (17 always does). */
static void csv_real_full(csv_out *o, double v, char mark)
{
    char buf[40];
    lb_io_shortest_exact(v, buf, sizeof(buf));
    put_number(o, buf, mark);
}

/* The decimal digits of @p u into @p out (room for 20), as "%llu" prints them; their count. */
static int csv_digits(unsigned long long u, char *out)
{
    char rev[20];
    int n = 0;
    do {
        rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return n;
}

/* @p v as "%lld" prints it, without printf (a national grid table has millions of them). */
static void csv_int(csv_out *o, long long v)
{
    char out[24];
    int k = 0;
    if (v < 0)
        out[k++] = '-';
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    k += csv_digits(u, out + k);
    csv_put(o, out, (size_t)k);
}

/* @p v (finite) rounded to @p decimals, the way %.15g prints the rounded double, with decimal
 * mark @p mark. */
static void csv_real(csv_out *o, double v, int decimals, char mark)
{
    /* the powers pow(10, d) gives, all exact */
    static const double pow10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double r = lb_io_round_decimals(v, decimals);
    double scaled = decimals >= 0 && decimals <= 9 ? r * pow10[decimals] : INFINITY;
    if (!(fabs(scaled) < 1e15)) {
        char buf[40];
        snprintf(buf, sizeof(buf), "%.15g", r);
        put_number(o, buf, mark);
        return;
    }
    /* r is the double nearest to n / 10^decimals with |n| < 10^15: its 15 significant digits
     * are those of n, so the digits of n with the point put back are what %.15g prints. */
    long long n = llround(scaled);
    char digits[24], out[48];
    int nd = csv_digits((unsigned long long)(n < 0 ? -n : n), digits);
    int k = 0;
    if (n < 0)
        out[k++] = '-';
    if (nd <= decimals) { /* 0.000ddd */
        out[k++] = '0';
        out[k++] = mark;
        for (int i = nd; i < decimals; i++)
            out[k++] = '0';
        memcpy(out + k, digits, (size_t)nd);
        k += nd;
    } else {
        memcpy(out + k, digits, (size_t)(nd - decimals));
        k += nd - decimals;
        if (decimals > 0) {
            out[k++] = mark;
            memcpy(out + k, digits + nd - decimals, (size_t)decimals);
            k += decimals;
        }
    }
    if (decimals > 0) { /* no trailing zeros, no bare point */
        while (out[k - 1] == '0')
            k--;
        if (out[k - 1] == mark)
            k--;
    }
    csv_put(o, out, (size_t)k);
}

static lb_status write_csv(lb_ctx *ctx, const char *path, const lb_table *t,
                           const lb_vector_opts *o)
{
    char sep = o->csv_sep ? o->csv_sep : ',';
    char mark = sep == ';' ? ',' : '.';
    if (path_exists(path))
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': the file already exists", path);
    char *buf = malloc(CSV_BUF);
    if (!buf)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(buf);
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot create: %s", path, strerror(errno));
    }
    setvbuf(f, NULL, _IONBF, 0); /* csv_out is the buffer */
    csv_out out = {.f = f, .buf = buf};
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c)
            csv_char(&out, sep);
        csv_text(&out, t->cols[c].name, sep);
    }
    csv_char(&out, '\n');
    for (size_t r = 0; r < t->n_rows && !out.bad; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const lb_column *col = &t->cols[c];
            if (c)
                csv_char(&out, sep);
            if (col->type == LB_COL_REAL && isfinite(col->real[r]) && o->full_precision)
                csv_real_full(&out, col->real[r], mark);
            else if (col->type == LB_COL_REAL && isfinite(col->real[r]))
                csv_real(&out, col->real[r], col->decimals, mark);
            else if (col->type == LB_COL_INT && col->integer[r] != LB_INT_NULL)
                csv_int(&out, (long long)col->integer[r]);
            else if (col->type == LB_COL_TEXT && col->text[r])
                csv_text(&out, col->text[r], sep);
        }
        csv_char(&out, '\n');
    }
    csv_flush(&out);
    int bad = out.bad || ferror(f);
    int closed = fclose(f) == 0;
    free(buf);
    if (!closed || bad) {
        remove(path);
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", path, strerror(errno ? errno : EIO));
    }
    return LB_OK;
}

/* GeoJSON through geojson.c, with the SRS and layer type the driver would get; *handled 0
 * when that writer leaves the table to the driver. */
static lb_status write_geojson_direct(lb_ctx *ctx, const char *path, const lb_table *t,
                                      const lb_vector_opts *o, int *handled)
{
    OGRwkbGeometryType gtype = layer_geometry_type(t);
    OGRSpatialReferenceH srs = NULL;
    if (gtype != wkbNone) {
        srs = lb_srs_rd(ctx);
        if (!srs)
            return lb_ctx_error_prefix(ctx, LB_ERR_CRS, "write '%s': ", path);
    }
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap); /* PROJ's complaints stay off stderr */
    lb_status st = lb_geojson_write(ctx, path, t, o, srs, gtype == wkbMultiPolygon, handled);
    lb_io_cpl_end(&cap);
    if (srs)
        OSRRelease(srs);
    return st;
}

static lb_status write_vector(lb_ctx *ctx, const char *path, const lb_table *t,
                              const lb_vector_opts *o, int via_gdal)
{
    lb_status st = check_vector_args(ctx, path, t, o);
    if (st != LB_OK)
        return st;
    if (o->format == LB_FMT_CSV)
        return write_csv(ctx, path, t, o);
    lb_io_gdal_init();
    if (o->format == LB_FMT_GEOJSON && !via_gdal) {
        int handled = 0;
        st = write_geojson_direct(ctx, path, t, o, &handled);
        if (st != LB_OK || handled)
            return st;
    }
    const vector_format *vf = &vector_formats[o->format];

    /* GeoJSON and CSV layers are named after the file (the GeoJSON "name" member) */
    char *lname = lb_core_strdup(vf->add_to_existing ? o->layer : CPLGetBasename(path));
    if (!lname)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);

    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap); /* also keeps GDAL's warnings off stderr: the library never prints */
    int date_set = 0;
    lb_io_gpkg_date_begin(&date_set); /* reruns write identical GeoPackages */
    int nosync = lb_io_gpkg_nosync_begin();
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH srs = NULL;
    OGRFeatureH f = NULL;
    char **opts = NULL;
    lb_gpkg_rtree *rtree = NULL;
    int created_file = 0, layer_index = -1, in_transaction = 0;
    int exists = path_exists(path);

    GDALDriverH drv = GDALGetDriverByName(vf->driver);
    if (!drv) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': GDAL has no %s driver", path, vf->driver);
        goto done;
    }
    if (exists && !vf->add_to_existing) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': the file already exists", path);
        goto done;
    }
    cap_reset(&cap);
    if (exists) {
        const char *const allowed[] = {vf->driver, NULL};
        ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR, allowed,
                        NULL, NULL);
        if (!ds) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot open for update: %s",
                              path, lname, gdal_msg(&cap));
            goto done;
        }
    } else {
        ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
        if (!ds) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot create: %s", path,
                              lname, gdal_msg(&cap));
            goto done;
        }
        created_file = 1;
    }
    if (GDALDatasetGetLayerByName(ds, lname)) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': layer '%s' already exists", path, lname);
        goto done;
    }

    OGRwkbGeometryType gtype = vf->geometry ? layer_geometry_type(t) : wkbNone;
    if (gtype != wkbNone) {
        srs = lb_srs_rd(ctx);
        if (!srs) {
            st = lb_ctx_error_prefix(ctx, LB_ERR_CRS, "write '%s' layer '%s': ", path, lname);
            goto done;
        }
    }
    opts = layer_options(o);
    if (o->format == LB_FMT_GPKG && gtype != wkbNone) {
        /* GDAL 3.6 fills the rtree one R*-tree insertion per row; the boxes are collected here
           and the index is written packed after the rows (gpkg_rtree.c) */
        opts = CSLSetNameValue(opts, "SPATIAL_INDEX", "NO");
        st = lb_gpkg_rtree_create(ctx, t->n_rows, &rtree);
        if (st != LB_OK)
            goto done;
    }
    cap_reset(&cap);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, lname, srs, gtype, opts);
    if (!layer) {
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot create layer '%s': %s", path, lname,
                          gdal_msg(&cap));
        goto done;
    }
    layer_index = GDALDatasetGetLayerCount(ds) - 1;

    for (size_t c = 0; c < t->n_cols; c++) {
        OGRFieldDefnH fd =
            OGR_Fld_Create(t->cols[c].name, field_type(&t->cols[c], t->n_rows, o->format));
        cap_reset(&cap);
        OGRErr err = OGR_L_CreateField(layer, fd, FALSE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s' layer '%s': cannot create field '%s': %s",
                              path, lname, t->cols[c].name, gdal_msg(&cap));
            goto done;
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    if ((size_t)OGR_FD_GetFieldCount(defn) != t->n_cols) {
        st = lb_ctx_error(ctx, LB_ERR_INTERNAL, "write '%s' layer '%s': %d fields for %zu columns",
                          path, lname, OGR_FD_GetFieldCount(defn), t->n_cols);
        goto done;
    }

    if (vf->transaction) {
        cap_reset(&cap);
        if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_IO,
                              "write '%s' layer '%s': cannot start a transaction: %s", path, lname,
                              gdal_msg(&cap));
            goto done;
        }
        in_transaction = 1;
    }
    f = OGR_F_Create(defn);
    if (!f) {
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s' layer '%s': out of memory", path, lname);
        goto done;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        /* one feature reused for all rows: CreateFeature assigns it an FID each time */
        OGR_F_SetFID(f, OGRNullFID);
        for (size_t c = 0; c < t->n_cols; c++)
            set_field(f, (int)c, &t->cols[c], r,
                      OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, (int)c)) == OFTReal,
                      o->full_precision ? -1 : t->cols[c].decimals);
        OGRGeometryH g = NULL;
        if (gtype != wkbNone && t->wkb[r]) {
            cap_reset(&cap);
            OGRErr err = OGR_G_CreateFromWkbEx(t->wkb[r], srs, &g, t->wkb_size[r]);
            if (err != OGRERR_NONE) {
                st = lb_ctx_error(
                    ctx, LB_ERR_GEOM,
                    "write '%s' layer '%s': row %zu: invalid WKB geometry (%zu bytes)%s%s", path,
                    lname, r, t->wkb_size[r], cap.msg[0] ? ": " : "", cap.msg);
                goto done;
            }
            if (gtype == wkbMultiPolygon && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
                g = OGR_G_ForceToMultiPolygon(g);
            if (o->format == LB_FMT_GEOJSON && o->geojson_rd)
                wind_right_hand(g);
        }
        OGR_F_SetGeometryDirectly(f, g);
        cap_reset(&cap);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s' layer '%s': row %zu: cannot write: %s",
                              path, lname, r, gdal_msg(&cap));
            goto done;
        }
        if (rtree && g && !OGR_G_IsEmpty(g)) { /* what GDAL's rtree triggers index */
            OGREnvelope env;
            OGR_G_GetEnvelope(g, &env);
            st = lb_gpkg_rtree_add(ctx, rtree, OGR_F_GetFID(f), env.MinX, env.MaxX, env.MinY,
                                   env.MaxY);
            if (st != LB_OK)
                goto done;
        }
    }
    if (rtree) {
        st = lb_gpkg_rtree_write(ctx, rtree, ds, path, lname, OGR_L_GetGeometryColumn(layer),
                                 OGR_L_GetFIDColumn(layer));
        if (st != LB_OK)
            goto done;
    }
    if (in_transaction) {
        cap_reset(&cap);
        in_transaction = 0;
        if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s' layer '%s': commit failed: %s", path,
                              lname, gdal_msg(&cap));
            goto done;
        }
    }
    GDALDatasetH closing = ds;
    ds = NULL;
    st = close_output(ctx, closing, path, &cap);
    if (st != LB_OK)
        lb_ctx_error_prefix(ctx, st, "layer '%s': ", lname);
    if (st == LB_OK && o->format == LB_FMT_GEOJSON && o->full_precision)
        st = geojson_exact_reals(ctx, path, t);

done:
    lb_gpkg_rtree_destroy(rtree);
    OGR_F_Destroy(f);
    if (ds && in_transaction)
        GDALDatasetRollbackTransaction(ds);
    /* leave no half-written output: a file we created goes, a layer we added goes */
    if (ds && st != LB_OK && !created_file && layer_index >= 0)
        GDALDatasetDeleteLayer(ds, layer_index);
    if (ds)
        GDALClose(ds);
    if (st != LB_OK && (created_file || (!exists && path_exists(path))))
        VSIUnlink(path);
    CSLDestroy(opts);
    if (srs)
        OSRRelease(srs);
    lb_io_gpkg_nosync_end(nosync);
    lb_io_gpkg_date_end(date_set);
    lb_io_cpl_end(&cap);
    free(lname);
    return st;
}

lb_status lb_write_vector(lb_ctx *ctx, const char *path, const lb_table *t, const lb_vector_opts *o)
{
    return write_vector(ctx, path, t, o, 0);
}

lb_status lb_io_write_vector_via_gdal(lb_ctx *ctx, const char *path, const lb_table *t,
                                      const lb_vector_opts *o)
{
    return write_vector(ctx, path, t, o, 1);
}

/* ---- Rasters: Cloud Optimized GeoTIFF by default ---- */

void lb_io_format_double(double v, char *buf, size_t size)
{
    if (isnan(v) || isinf(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

int lb_io_colour_parse(const char *s, unsigned char rgb[3])
{
    if (!s || s[0] != '#' || strlen(s) != 7)
        return 0;
    for (int k = 0; k < 3; k++) {
        int v = 0;
        for (int d = 0; d < 2; d++) {
            char ch = s[1 + 2 * k + d];
            int x = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (x < 0)
                return 0;
            v = v * 16 + x;
        }
        rgb[k] = (unsigned char)v;
    }
    return 1;
}

lb_status lb_class_table_check(lb_ctx *ctx, const lb_class_table *ct, const char *what)
{
    if (!ct || ct->n < 1 || ct->n > LB_MAX_CLASSES || !ct->colours)
        return lb_ctx_error(ctx, LB_ERR_ARG, "%s: a class table needs 1..%d classes with colours",
                            what, (int)LB_MAX_CLASSES);
    for (size_t k = 0; k < ct->n; k++) {
        unsigned char rgb[3];
        if (!lb_io_colour_parse(ct->colours[k], rgb))
            return lb_ctx_error(ctx, LB_ERR_ARG, "%s: class %zu: colour '%s' is not #rrggbb", what,
                                k + 1, ct->colours[k] ? ct->colours[k] : "(null)");
    }
    for (size_t k = 0; ct->breaks && k + 1 < ct->n; k++)
        if (!isfinite(ct->breaks[k]) || (k > 0 && !(ct->breaks[k] > ct->breaks[k - 1])))
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "%s: class cut-points must be finite and strictly ascending "
                                "(cut-point %zu is %g)",
                                what, k + 1, ct->breaks[k]);
    return LB_OK;
}

lb_status lb_io_class_grid_check(lb_ctx *ctx, const char *what, const char *path, const lb_grid *g,
                                 const unsigned char *classes, const lb_class_table *ct)
{
    if (!path || !g || g->nx <= 0 || g->ny <= 0 || !classes)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "%s '%s': a path, a non-empty grid and the classes are required", what,
                            path ? path : "(null)");
    lb_status st = lb_class_table_check(ctx, ct, path);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "%s: ", what);
    size_t n = lb_grid_ncells(g);
    for (size_t i = 0; i < n; i++)
        if (classes[i] > ct->n)
            return lb_ctx_error(ctx, LB_ERR_ARG, "%s '%s': cell %zu has class %u of %zu", what,
                                path, i, (unsigned)classes[i], ct->n);
    return LB_OK;
}

/* A raster output format: the GDAL driver and our default creation options per kind. */
typedef struct raster_format {
    const char *driver;
    const char *const *float_opts; /* Float32 scores */
    const char *const *class_opts; /* Byte classes */
    int build_overviews;           /* 1: overviews are added after the copy (the COG driver
                                      makes its own, in the order its layout requires) */
} raster_format;

/* COG's PREDICTOR=YES means 3 (floating point) for Float32 and 2 (horizontal) for Byte. */
static const char *const cog_float_opts[] = {"COMPRESS=DEFLATE",
                                             "PREDICTOR=YES",
                                             "BLOCKSIZE=256",
                                             "BIGTIFF=IF_SAFER",
                                             "OVERVIEW_RESAMPLING=AVERAGE",
                                             NULL};
/* MODE keeps overview pixels real classes (the most frequent one) where AVERAGE would invent
 * in-between classes and NEAREST would pick whichever cell happens to sit at the sample point. */
static const char *const cog_class_opts[] = {"COMPRESS=DEFLATE",
                                             "PREDICTOR=YES",
                                             "BLOCKSIZE=256",
                                             "BIGTIFF=IF_SAFER",
                                             "OVERVIEW_RESAMPLING=MODE",
                                             NULL};
static const char *const gtiff_float_opts[] = {"TILED=YES",
                                               "BLOCKXSIZE=256",
                                               "BLOCKYSIZE=256",
                                               "COMPRESS=DEFLATE",
                                               "PREDICTOR=3",
                                               "BIGTIFF=IF_SAFER",
                                               NULL};
static const char *const gtiff_class_opts[] = {"TILED=YES",
                                               "BLOCKXSIZE=256",
                                               "BLOCKYSIZE=256",
                                               "COMPRESS=DEFLATE",
                                               "PREDICTOR=2",
                                               "BIGTIFF=IF_SAFER",
                                               NULL};

static const raster_format raster_formats[] = {
    {"COG", cog_float_opts, cog_class_opts, 0},
    {"GTiff", gtiff_float_opts, gtiff_class_opts, 1},
};

static const raster_format *find_raster_format(const char *name)
{
    if (!name)
        return &raster_formats[0];
    for (size_t i = 0; i < sizeof(raster_formats) / sizeof(raster_formats[0]); i++)
        if (EQUAL(name, raster_formats[i].driver))
            return &raster_formats[i];
    return NULL;
}

/* GDALValidateCreationOptions reports through CE_Warning, which lb_cpl_capture ignores. */
typedef struct warn_capture {
    char msg[512];
} warn_capture;

static void CPL_STDCALL capture_warnings(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    warn_capture *w = CPLGetErrorHandlerUserData();
    if (w && cls >= CE_Warning && !w->msg[0])
        snprintf(w->msg, sizeof(w->msg), "%s", msg ? msg : "");
}

static int is_name_value(const char *s)
{
    const char *eq = s ? strchr(s, '=') : NULL;
    return eq && eq != s;
}

lb_status lb_raster_opts_check(lb_ctx *ctx, const lb_raster_opts *o)
{
    if (!o)
        return LB_OK;
    const raster_format *rf = find_raster_format(o->format);
    if (!rf)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "raster format '%s' is not supported; use COG or GTiff", o->format);
    lb_io_gdal_init();
    GDALDriverH drv = GDALGetDriverByName(rf->driver);
    if (!drv)
        return lb_ctx_error(ctx, LB_ERR_IO, "GDAL has no %s driver", rf->driver);
    for (size_t i = 0; o->creation_options && o->creation_options[i]; i++) {
        const char *co = o->creation_options[i];
        if (!is_name_value(co))
            return lb_ctx_error(ctx, LB_ERR_ARG, "creation option '%s' is not NAME=VALUE", co);
        const char *one[] = {co, NULL};
        warn_capture w = {{0}};
        CPLPushErrorHandlerEx(capture_warnings, &w);
        int ok = GDALValidateCreationOptions(drv, (CSLConstList)one);
        CPLPopErrorHandler();
        if (!ok)
            return lb_ctx_error(ctx, LB_ERR_ARG,
                                "creation option '%s' is refused by GDAL's %s driver: %s", co,
                                rf->driver, w.msg[0] ? w.msg : "invalid");
    }
    for (size_t i = 0; o->metadata && o->metadata[i]; i++)
        if (!is_name_value(o->metadata[i]))
            return lb_ctx_error(ctx, LB_ERR_ARG, "raster metadata item '%s' is not NAME=VALUE",
                                o->metadata[i]);
    return LB_OK;
}

/* Georeference @p ds on grid @p g in RD and give it the caller's metadata. */
static lb_status georeference(lb_ctx *ctx, const char *path, GDALDatasetH ds, const lb_grid *g,
                              const lb_raster_opts *o, lb_cpl_capture *cap)
{
    OGRSpatialReferenceH srs = lb_srs_rd(ctx);
    if (!srs)
        return lb_ctx_error_prefix(ctx, LB_ERR_CRS, "write '%s': ", path);
    double gt[6];
    lb_grid_geotransform(g, gt);
    GDALSetGeoTransform(ds, gt);
    cap_reset(cap);
    CPLErr err = GDALSetSpatialRef(ds, srs);
    OSRRelease(srs);
    if (err != CE_None)
        return lb_ctx_error(ctx, LB_ERR_CRS, "write '%s': cannot assign EPSG:28992: %s", path,
                            gdal_msg(cap));
    for (size_t i = 0; o && o->metadata && o->metadata[i]; i++) {
        char *key = NULL;
        const char *value = CPLParseNameValue(o->metadata[i], &key);
        if (key && value)
            GDALSetMetadataItem(ds, key, value, NULL);
        CPLFree(key);
    }
    return LB_OK;
}

/* A MEM dataset over the grid in RD with no bands yet, carrying the caller's metadata. */
static lb_status mem_dataset(lb_ctx *ctx, const char *path, const lb_grid *g,
                             const lb_raster_opts *o, lb_cpl_capture *cap, GDALDatasetH *out)
{
    GDALDriverH mem = GDALGetDriverByName("MEM");
    if (!mem)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': GDAL has no MEM driver", path);
    cap_reset(cap);
    GDALDatasetH ds = GDALCreate(mem, "", g->nx, g->ny, 0, GDT_Byte, NULL);
    if (!ds)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': cannot create a %d x %d MEM raster: %s",
                            path, g->nx, g->ny, gdal_msg(cap));
    lb_status st = georeference(ctx, path, ds, g, o, cap);
    if (st != LB_OK) {
        GDALClose(ds);
        return st;
    }
    *out = ds;
    return LB_OK;
}

/* Add a band that reads the caller's array in place. The grids can be hundreds of megabytes, so
 * the MEM band borrows the array instead of copying it; nothing writes to it (only
 * GDALCreateCopy reads), which is why dropping const is safe. */
static lb_status add_borrowed_band(lb_ctx *ctx, const char *path, GDALDatasetH ds,
                                   GDALDataType type, const void *data, lb_cpl_capture *cap)
{
    char ptr[64] = {0};
    int n = CPLPrintPointer(ptr, (void *)(uintptr_t)data, (int)sizeof(ptr) - 1);
    ptr[n] = '\0';
    char *opt = lb_core_strfmt("DATAPOINTER=%s", ptr);
    if (!opt)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
    char *opts[] = {opt, NULL};
    cap_reset(cap);
    CPLErr err = GDALAddBand(ds, type, opts);
    free(opt);
    if (err != CE_None)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot add a band to the MEM raster: %s",
                            path, gdal_msg(cap));
    return LB_OK;
}

/* Remove a failed raster output and its PAM sidecar (category names live there). */
static void remove_raster(const char *path)
{
    VSIUnlink(path);
    char *aux = lb_core_strfmt("%s.aux.xml", path);
    if (aux)
        VSIUnlink(aux);
    free(aux);
}

/* Internal overviews halving the size until the smallest fits in one 256 × 256 block, as the
 * COG driver makes them; for formats whose copy makes none. */
static lb_status add_overviews(lb_ctx *ctx, const char *path, const raster_format *rf,
                               const char *resampling, lb_cpl_capture *cap)
{
    const char *const allowed[] = {rf->driver, NULL};
    cap_reset(cap);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR,
                                 allowed, NULL, NULL);
    if (!ds)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot reopen to add overviews: %s", path,
                            gdal_msg(cap));
    int nx = GDALGetRasterXSize(ds), ny = GDALGetRasterYSize(ds);
    int levels[32], n = 0;
    for (int f = 1; n < 32 && ((nx + f - 1) / f > 256 || (ny + f - 1) / f > 256);) {
        f *= 2;
        levels[n++] = f;
    }
    cap_reset(cap);
    if (n > 0 && GDALBuildOverviews(ds, resampling, n, levels, 0, NULL, NULL, NULL) != CE_None) {
        GDALClose(ds);
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot build %s overviews: %s", path,
                            resampling, gdal_msg(cap));
    }
    return close_output(ctx, ds, path, cap);
}

/* Copy @p src to @p path in the chosen format: our defaults for the kind, overridden by the
 * caller's creation options; overviews resampled with @p resampling where the driver does not
 * make them. On failure nothing is left at @p path. */
static lb_status raster_copy(lb_ctx *ctx, const char *path, GDALDatasetH src,
                             const lb_raster_opts *o, int classes, const char *resampling,
                             lb_cpl_capture *cap)
{
    const raster_format *rf = find_raster_format(o ? o->format : NULL);
    GDALDriverH drv = GDALGetDriverByName(rf->driver);
    if (!drv)
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': GDAL has no %s driver", path, rf->driver);
    char **opts = NULL;
    for (const char *const *d = classes ? rf->class_opts : rf->float_opts; *d; d++)
        opts = CSLAddString(opts, *d);
    /* compress the tiles on the run's threads (GDAL's own pool; the bytes do not depend on it) */
    char threads[32];
    snprintf(threads, sizeof(threads), "%d", lb_ctx_threads(ctx));
    opts = CSLSetNameValue(opts, "NUM_THREADS", threads);
    for (size_t i = 0; o && o->creation_options && o->creation_options[i]; i++) {
        char *key = NULL;
        const char *value = CPLParseNameValue(o->creation_options[i], &key);
        if (key && value)
            opts = CSLSetNameValue(opts, key, value);
        CPLFree(key);
    }
    cap_reset(cap);
    GDALDatasetH out = GDALCreateCopy(drv, path, src, FALSE, opts, NULL, NULL);
    CSLDestroy(opts);
    if (!out || cap->n_errors > 0) {
        lb_status st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s creation failed: %s", path,
                                    rf->driver, gdal_msg(cap));
        if (out)
            GDALClose(out);
        remove_raster(path);
        return st;
    }
    lb_status st = close_output(ctx, out, path, cap);
    if (st == LB_OK && rf->build_overviews)
        st = add_overviews(ctx, path, rf, resampling, cap);
    if (st != LB_OK)
        remove_raster(path);
    return st;
}

static int grid_ok(const lb_grid *g)
{
    return g && g->nx > 0 && g->ny > 0 && g->cell_m > 0;
}

/* Nodata NaN, the band's name and unit (either may be NULL). */
static void float_band_meta(GDALRasterBandH band, const char *name, const char *unit)
{
    GDALSetRasterNoDataValue(band, NAN);
    if (name)
        GDALSetDescription(band, name);
    if (unit)
        GDALSetRasterUnitType(band, unit);
}

lb_status lb_write_raster_float(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                                const float *const *bands, const char *const *names,
                                const char *const *units, const lb_raster_opts *o)
{
    if (!path || !grid_ok(g) || n_bands == 0 || !bands)
        return lb_ctx_error(ctx, LB_ERR_ARG,
                            "write raster '%s': a path, a non-empty grid and at least one band are "
                            "required",
                            path ? path : "(null)");
    for (size_t b = 0; b < n_bands; b++)
        if (!bands[b])
            return lb_ctx_error(ctx, LB_ERR_ARG, "write raster '%s': band %zu has no data", path,
                                b + 1);
    lb_status st = lb_raster_opts_check(ctx, o);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "write raster '%s': ", path);
    lb_io_gdal_init();

    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    GDALDatasetH mem = NULL;
    st = mem_dataset(ctx, path, g, o, &cap, &mem);
    for (size_t b = 0; st == LB_OK && b < n_bands; b++) {
        st = add_borrowed_band(ctx, path, mem, GDT_Float32, bands[b], &cap);
        if (st != LB_OK)
            break;
        float_band_meta(GDALGetRasterBand(mem, (int)b + 1), names ? names[b] : NULL,
                        units ? units[b] : NULL);
    }
    if (st == LB_OK)
        st = raster_copy(ctx, path, mem, o, 0, "AVERAGE", &cap);
    if (mem)
        GDALClose(mem);
    lb_io_cpl_end(&cap);
    return st;
}

lb_status lb_write_raster_float_bands(lb_ctx *ctx, const char *path, const lb_grid *g,
                                      size_t n_bands, lb_band_fill_fn fill, void *user,
                                      const char *const *names, const char *const *units,
                                      const lb_raster_opts *o)
{
    if (!path || !grid_ok(g) || n_bands == 0 || !fill)
        return lb_ctx_error(
            ctx, LB_ERR_ARG,
            "write raster '%s': a path, a non-empty grid, bands and a fill function "
            "are required",
            path ? path : "(null)");
    lb_status st = lb_raster_opts_check(ctx, o);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "write raster '%s': ", path);
    lb_io_gdal_init();
    size_t n = lb_grid_ncells(g);
    float *buf = malloc(n * sizeof(float));
    char *tmp = lb_core_strfmt("%s.bands.tif", path);
    GDALDatasetH ds = NULL;
    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    if (!buf || !tmp)
        st = lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path);
    GDALDriverH gtiff = GDALGetDriverByName("GTiff");
    if (st == LB_OK && !gtiff)
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': GDAL has no GTiff driver", path);
    if (st == LB_OK) {
        /* Band-interleaved tiles, uncompressed, tiles of nodata only left out: a scratch file
         * read twice by the copy (overviews, then full resolution), which would otherwise
         * compress every tile once and decompress it twice. It lives in the page cache, not
         * in the process's memory. */
        char *copts[] = {"TILED=YES",
                         "BLOCKXSIZE=256",
                         "BLOCKYSIZE=256",
                         "INTERLEAVE=BAND",
                         "SPARSE_OK=YES",
                         "BIGTIFF=IF_SAFER",
                         NULL};
        cap_reset(&cap);
        ds = GDALCreate(gtiff, tmp, g->nx, g->ny, (int)n_bands, GDT_Float32, copts);
        if (!ds)
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot create '%s': %s", path, tmp,
                              gdal_msg(&cap));
    }
    if (st == LB_OK)
        st = georeference(ctx, path, ds, g, o, &cap);
    for (size_t b = 0; st == LB_OK && b < n_bands; b++) {
        st = fill(user, b, buf);
        if (st != LB_OK)
            break;
        GDALRasterBandH band = GDALGetRasterBand(ds, (int)b + 1);
        float_band_meta(band, names ? names[b] : NULL, units ? units[b] : NULL);
        cap_reset(&cap);
        if (GDALRasterIO(band, GF_Write, 0, 0, g->nx, g->ny, buf, g->nx, g->ny, GDT_Float32, 0,
                         0) != CE_None ||
            GDALFlushRasterCache(band) != CE_None)
            st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': band %zu: %s", path, b + 1,
                              gdal_msg(&cap));
    }
    free(buf);
    if (st == LB_OK)
        st = raster_copy(ctx, path, ds, o, 0, "AVERAGE", &cap);
    if (ds)
        GDALClose(ds);
    if (tmp)
        remove_raster(tmp);
    lb_io_cpl_end(&cap);
    free(tmp);
    return st;
}

lb_status lb_write_cog_float(lb_ctx *ctx, const char *path, const lb_grid *g, size_t n_bands,
                             const float *const *bands, const char *const *names, const char *units)
{
    const char **unit_list = calloc(n_bands ? n_bands : 1, sizeof(char *));
    if (!unit_list)
        return lb_ctx_error(ctx, LB_ERR_NOMEM, "write '%s': out of memory", path ? path : "(null)");
    for (size_t b = 0; b < n_bands; b++)
        unit_list[b] = units;
    lb_status st = lb_write_raster_float(ctx, path, g, n_bands, bands, names, unit_list, NULL);
    free(unit_list);
    return st;
}

/* The label of class k (1-based) into @p buf: the table's label or the number. */
static const char *class_label(const lb_class_table *ct, size_t k, char *buf, size_t size)
{
    if (ct->labels && ct->labels[k - 1])
        return ct->labels[k - 1];
    snprintf(buf, size, "%zu", k);
    return buf;
}

/* Colour table, category names and CLASS_<k> metadata on @p band; entry 0 is the transparent
 * nodata class. The table was checked. */
static lb_status class_legend(lb_ctx *ctx, const char *path, GDALRasterBandH band,
                              const lb_class_table *ct, lb_cpl_capture *cap)
{
    GDALColorTableH colours = GDALCreateColorTable(GPI_RGB);
    char **cats = CSLAddString(NULL, "geen waarde");
    GDALColorEntry none = {0, 0, 0, 0};
    GDALSetColorEntry(colours, 0, &none);
    cap_reset(cap);
    for (size_t k = 1; k <= ct->n; k++) {
        unsigned char rgb[3];
        lb_io_colour_parse(ct->colours[k - 1], rgb);
        GDALColorEntry e = {rgb[0], rgb[1], rgb[2], 255};
        GDALSetColorEntry(colours, (int)k, &e);
        char num[32], key[32];
        const char *label = class_label(ct, k, num, sizeof(num));
        cats = CSLAddString(cats, label);
        /* inside the TIFF (GDAL_METADATA tag), unlike the category names */
        snprintf(key, sizeof(key), "CLASS_%zu", k);
        GDALSetMetadataItem(band, key, label, NULL);
    }
    lb_status st = LB_OK;
    if (GDALSetRasterColorTable(band, colours) != CE_None ||
        GDALSetRasterCategoryNames(band, cats) != CE_None || cap->n_errors > 0)
        st = lb_ctx_error(ctx, LB_ERR_IO, "write '%s': cannot set the class legend: %s", path,
                          gdal_msg(cap));
    CSLDestroy(cats);
    GDALDestroyColorTable(colours);
    return st;
}

lb_status lb_write_raster_classes(lb_ctx *ctx, const char *path, const lb_grid *g,
                                  const unsigned char *classes, const lb_class_table *ct,
                                  const lb_raster_opts *o)
{
    lb_status st = lb_io_class_grid_check(ctx, "write class raster", path, g, classes, ct);
    if (st != LB_OK)
        return st;
    st = lb_raster_opts_check(ctx, o);
    if (st != LB_OK)
        return lb_ctx_error_prefix(ctx, st, "write class raster '%s': ", path);
    lb_io_gdal_init();

    lb_cpl_capture cap;
    lb_io_cpl_begin(&cap);
    GDALDatasetH mem = NULL;
    st = mem_dataset(ctx, path, g, o, &cap, &mem);
    if (st == LB_OK)
        st = add_borrowed_band(ctx, path, mem, GDT_Byte, classes, &cap);
    if (st == LB_OK) {
        GDALRasterBandH band = GDALGetRasterBand(mem, 1);
        GDALSetRasterNoDataValue(band, 0);
        if (ct->title)
            GDALSetDescription(band, ct->title);
        st = class_legend(ctx, path, band, ct, &cap);
    }
    if (st == LB_OK)
        st = raster_copy(ctx, path, mem, o, 1, "MODE", &cap);
    if (mem)
        GDALClose(mem);
    lb_io_cpl_end(&cap);
    return st;
}

lb_status lb_write_cog_classes(lb_ctx *ctx, const char *path, const lb_grid *g,
                               const unsigned char *classes, size_t n_classes,
                               const char *const *labels, const char *const *colours)
{
    lb_class_table ct = {.n = n_classes, .labels = labels, .colours = colours};
    return lb_write_raster_classes(ctx, path, g, classes, &ct, NULL);
}

/* ---- JSON ---- */

lb_status lb_write_json(lb_ctx *ctx, const char *path, struct json_object *doc)
{
    if (!path || !doc)
        return lb_ctx_error(ctx, LB_ERR_ARG, "write JSON: a path and a document are required");
    errno = 0;
    if (json_object_to_file_ext(path, doc,
                                JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) != 0) {
        int err = errno;
        return lb_ctx_error(ctx, LB_ERR_IO, "write '%s': %s", path,
                            err ? strerror(err) : json_util_get_last_err());
    }
    return LB_OK;
}
