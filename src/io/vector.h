/* SPDX-License-Identifier: MIT */
/* Reading vector layers into memory (the lb_vlayer of data/vlayer.h), reprojected to
 * EPSG:28992, with missing values as NaN. */
#ifndef LB_IO_VECTOR_H
#define LB_IO_VECTOR_H

#include "../data/vlayer.h"
#include "number.h"

#include <leefbaar/core.h>

#include <stddef.h>
#include <stdint.h>

/* Read a layer. Only features matching @p filter (OGR SQL WHERE, may be NULL) are kept.
 * Errors (LB_ERR_IO, LB_ERR_CRS, LB_ERR_DATA, LB_ERR_GEOM) name the file, layer and feature:
 * missing file or layer (listing the layers), an empty layer, a CRS-less GeoJSON whose
 * coordinates are RD metres, a layer without CRS and no @p src->s_srs, a bad filter.
 * Points outside the Netherlands' RD envelope (e.g. at 0,0) are skipped and reported in one
 * warning naming the file, the count and the first feature ids.
 * A TopoJSON file without CRS whose coordinates are degrees is read as WGS84 (the format's
 * convention); a layer without geometry gets an error that points to attribute joins.
 * *out is owned by the caller (lb_vlayer_destroy). */
lb_status lb_vlayer_read(lb_ctx *ctx, const lb_source *src, const char *filter, lb_vlayer **out);

/* lb_vlayer_read() of a polygon layer whose features are needed as rings only (exact coverage,
 * areas, extent): no WKB is kept (l->wkb NULL), as lb_vlayer_polygon_wkb() writes it back from
 * the rings byte for byte. When a feature's rings do not give back its WKB (a MultiPolygon with
 * an empty part) the layer keeps the WKB of every feature, as lb_vlayer_read. Other layers are
 * read as lb_vlayer_read reads them, but never by CBS square codes (see below). */
lb_status lb_vlayer_read_rings(lb_ctx *ctx, const lb_source *src, const char *filter,
                               lb_vlayer **out);

/* CBS squares (issue 17): lb_vlayer_read and lb_vlayer_read_list read a GeoPackage layer in RD
 * with a text field crs28992res100m or crs28992res500m and no filter by the codes in that
 * field (E and N, then the RD x and y of the square's lower-left corner in hectometres, four
 * digits each) without building its geometries: the layer they give is the one read by the
 * geometry (the same ids, fields, rings, areas and WKB) when every feature's geometry is a 2D
 * polygon of one 5-point ring whose envelope (the GeoPackage blob header) is exactly the square
 * of its code, the rings walk the corners in the first feature's order, and about 1,000 whole
 * geometries spread over the layer equal their squares. Otherwise the layer is read by its
 * geometry, with an info message saying why. */

/* lb_vlayer_read by the geometry of every feature, never by CBS square codes. */
lb_status lb_vlayer_read_by_geometry(lb_ctx *ctx, const lb_source *src, const char *filter,
                                     lb_vlayer **out);

/* Read the attribute rows of a table (DBF, CSV, a layer without geometry, or any layer whose
 * geometry is ignored) into a layer of kind LB_GEOM_NONE: n rows, fields, fid; no geometry.
 * CSV is read with every column as text and numbers parsed by lb_number_parse with the
 * decimal separator the file's unambiguous values show (Dutch decimal comma, StatLine symbols);
 * text values are trimmed (StatLine pads codes: "GM0363    "). A field holding numbers whose
 * other values are no number ("n.b.", "0x10") or ambiguous ("1.200" in a file that does not
 * show its decimal separator) gets one warning with the count and the first lines; those values
 * are missing. A CSV with a NUL byte or a row whose number of fields differs from the header's
 * is refused (LB_ERR_DATA naming the line). This holds for lb_vlayer_read as well.
 * A StatLine export in table layout ("CSV volgens tabelindeling": topics as rows) is refused
 * with a message saying which export to download instead. *out: lb_vlayer_destroy. */
lb_status lb_vlayer_read_table(lb_ctx *ctx, const lb_source *src, lb_vlayer **out);

/* lb_vlayer_read_table() keeping only the rows that match the OGR SQL attribute filter @p where
 * (NULL keeps all; a filter OGR cannot parse is LB_ERR_DATA naming it, and one matching no row
 * is LB_ERR_DATA like an empty table). @p warn_text 0 leaves out the warning about text fields
 * whose values are partly no number, for callers that use text fields as text (codes, names;
 * the counts in lb_field are kept). The one table reader: lb_attr_table_read_where() is this
 * call. *out: lb_vlayer_destroy. */
lb_status lb_vlayer_read_table_where(lb_ctx *ctx, const lb_source *src, const char *where,
                                     int warn_text, lb_vlayer **out);

/* Read the @p n sources @p src (one input bound to several files) as one layer: each file is
 * read as lb_vlayer_read would (the same filter, each from its own CRS) and appended in order
 * (lb_vlayer_append). With n > 1 a file may have no matching features, but not all of them.
 * Errors as lb_vlayer_read and lb_vlayer_append. *out: lb_vlayer_destroy. */
lb_status lb_vlayer_read_list(lb_ctx *ctx, const lb_source *const *src, size_t n,
                              const char *filter, lb_vlayer **out);

/* Append the rows of @p more to @p l (both read by lb_vlayer_read or both by
 * lb_vlayer_read_table), leaving @p more empty (destroy it still). Features keep their own fid.
 * The fields are matched by name: both layers must have the same set of field names, each of
 * the same type (text or number; a text field null in every row of its file takes the other's
 * type, as GeoJSON types such a field as text), in any order; otherwise LB_ERR_DATA naming both
 * files and the differing fields, and @p l is unchanged. Both must hold the same kind of geometry
 * (a layer with no rows takes the other's). l->path becomes "PATH1 + PATH2". */
lb_status lb_vlayer_append(lb_ctx *ctx, lb_vlayer *l, lb_vlayer *more);

/* Points of @p l outside the RD box @p extent (xmin, ymin, xmax, ymax) grown by @p margin_m
 * (the largest radius or distance cap that uses the layer, so that no such point can be
 * counted or change a capped distance). Reports them in one warning (file, count, first
 * feature ids; also recorded in run.json) and returns the count. */
size_t lb_vlayer_report_outside(lb_ctx *ctx, const lb_vlayer *l, const double extent[4],
                                double margin_m);

/* Is @p v one of the CBS special values: −99999997 (secret), −99999998, −99999999 (unknown) of
 * the Wijk- en Buurtkaart up to 2021, or −99997 (secret or absent), −99995 (published later),
 * −99991 (no longer published) from 2022 on? */
int lb_io_is_cbs_sentinel(double v);

#endif
