/* SPDX-License-Identifier: MIT */
/* The offline viewer from the inside: the runs it read, the units' outlines in WGS84 with a
 * point inside each, and the writers of the viewer folder (page, library, data scripts). */
#ifndef LB_VIEWER_VIEWER_H
#define LB_VIEWER_VIEWER_H

#include "../scores/scoreset.h"

#include <leefbaar/viewer.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

/* Decimals of the coordinates the viewer writes: 1e-6 degree is 0.11 m north-south and 0.07 m
 * east-west in the Netherlands, far below the 100 m cells and the buurtkaart's own accuracy,
 * while every vertex keeps its place relative to its neighbours (shared borders stay shared:
 * both sides are transformed and rounded alike). */
#define LB_VIEWER_COORD_DECIMALS 6

/* Decimals of the numbers the viewer shows (scores, dimension scores, developments). */
#define LB_VIEWER_SHOWN_DECIMALS 3

/* One file of the page (index.html, app.js, app.css) built into the library (assets.c,
 * generated from viewer/app/ by viewer/embed.py). */
typedef struct lb_viewer_asset {
    const char *name;
    const unsigned char *data;
    size_t size;
} lb_viewer_asset;
extern const lb_viewer_asset lb_viewer_assets[];
extern const size_t lb_viewer_n_assets;

/* A diagnosis found in a run folder: the unit (wijk) code and the report file. */
typedef struct lb_viewer_diag {
    char *code;
    char *path; /* the report (.html) */
    char *name; /* its file name in the viewer's diagnose/ folder */
} lb_viewer_diag;

/* A 100 m grid of one gemeente and year: cells with their class values, read from the grid
 * layer of a score run. */
typedef struct lb_viewer_grid {
    char *gemeente; /* the gemeente code the cells were chosen by; "all" for the whole run */
    int year;
    size_t n;
    double *xy;     /* 8 per cell: lon, lat of its corners south-west, south-east, north-east,
                       north-west (the RD square transformed) */
    double *value;  /* n * n_out: lbm, afw, dims (as the scoreset's outcomes) */
    char **cell_id; /* n cell ids (the layer's cell_id; entries may be NULL) */
    double bbox[4]; /* west, south, east, north of the cells (lon/lat) */
} lb_viewer_grid;

/* Everything the writer needs. */
typedef struct lb_viewer_data {
    lb_scoreset *s; /* the score runs, merged */
    double *lonlat; /* s->geom's rings, transformed: interleaved lon, lat per ring point */
    double *label;  /* label[2 u], label[2 u + 1]: a point inside unit u (lon, lat); NaN
                       when the unit has no polygon */
    char *title;
    char **run_dirs; /* the score runs read */
    size_t n_run_dirs;
    char **inputs; /* every folder given, for run.json and the never-over-an-input rule */
    size_t n_inputs;
    lb_viewer_diag *diag;
    size_t n_diag;
    lb_viewer_grid *grid;
    size_t n_grid;
    /* A waterbed run: {"run", "legend": [{value, label, colour}], "units": {code: {"zone",
     * "focus"}}, "results": {focus_id: {"name", "period", "rows": [{scheme, zone, n, did,
     * p_one, p_two}]}}}, and its focus areas' outlines; NULL when no waterbed run was given. */
    struct json_object *waterbed;
    lb_vlayer *wb_focus;
    double *wb_focus_ll;
    char *lib_dir;
    struct json_object *doc; /* run.json without its tail */
    /* The development classes of a change run given (its run.json "development": cuts, labels,
     * colours), which replace the model's in the development view; NULL when none was given. */
    struct json_object *dev;
    char *dev_from; /* that run.json */
} lb_viewer_data;

void lb_viewer_data_free(lb_viewer_data *d);

/* A point well inside feature @p f of polygon layer @p l (RD metres): of candidate points on
 * horizontal lines across the feature, the one farthest from the boundary measured along the
 * horizontal and the vertical through it (an approximation of the pole of inaccessibility,
 * always inside the polygon, never in a hole). 0 when the feature has no area. */
int lb_viewer_label_point(const lb_vlayer *l, size_t f, double *x, double *y);

/* Write feature @p f of @p l as a GeoJSON Polygon or MultiPolygon geometry to @p fp, with the
 * coordinates of @p lonlat (the layer's ring points, transformed) rounded to
 * LB_VIEWER_COORD_DECIMALS: points that round onto their predecessor are dropped, rings left
 * with fewer than 4 points skipped, outer rings counter-clockwise and holes clockwise
 * (RFC 7946). Returns the number of rings written. */
size_t lb_viewer_write_polygon(FILE *fp, const lb_vlayer *l, const double *lonlat, size_t f);

/* @p v rounded to LB_VIEWER_COORD_DECIMALS, written exactly (no binary residue). */
void lb_viewer_write_coord(FILE *fp, double v);

/* @p v as the shortest decimal text that reads back as the same double ("null" for NaN). */
void lb_viewer_format_number(double v, char *buf, size_t n);

/* @p s as a JSON string (quoted, escaped; "</" written as "<\/" so that it may sit in a
 * script) to @p fp; NULL as null. */
void lb_viewer_write_string(FILE *fp, const char *s);

/* Read the waterbed run in @p dir (zones.gpkg layers units and focus, waterbed.csv) into
 * d->waterbed, d->wb_focus and d->wb_focus_ll. @p json is its run.json, for messages. */
lb_status lb_viewer_waterbed_read(lb_ctx *ctx, const char *dir, lb_viewer_data *d);

/* Add the diagnoses in folder @p dir (a diagnose or scan output: every <name>.json that is a
 * diagnosis of leefbaar, with its <name>.html beside it) to d->diag; a wijk already listed
 * keeps its first diagnosis. The number added in *n_added. */
lb_status lb_viewer_diagnoses_find(lb_ctx *ctx, const char *dir, lb_viewer_data *d,
                                   size_t *n_added);

/* The viewer of the runs @p runs (n of them) into @p outdir with the library in @p lib, as
 * `leefbaar viewer` makes it: for the demo's and the other commands' --viewer. */
lb_status lb_viewer_exec(lb_ctx *ctx, const char *const *runs, size_t n, const char *outdir,
                         const char *lib, int overwrite, const char *command_line);

/* The feature of polygon layer @p l in which each of the @p n points (@p xy interleaved, RD
 * metres) lies, into @p feat (SIZE_MAX for a point in no feature; the first feature when
 * polygons overlap). Even-odd rule over all rings, so a point in a hole is outside; a point on
 * a horizontal scanline through a vertex is decided as the crossing rule of
 * lb_viewer_label_point decides. 0 when out of memory. */
int lb_viewer_points_locate(const lb_vlayer *l, const double *xy, size_t n, size_t *feat);

/* Read the 100 m grids of the score runs in d->run_dirs (scores.gpkg layer "grid" of each run
 * whose run.json says mode "grid") into d->grid: one lb_viewer_grid per gemeente and year,
 * a cell's gemeente that of the unit its centre lies in ("geen_<east>_<north>" of its 20 km
 * square when in none, see lb_viewer_grid_outside_key; "all" when the units have no gemeente
 * codes). Runs without a grid add nothing. */
lb_status lb_viewer_grid_read(lb_ctx *ctx, lb_viewer_data *d);

/* The chunk of grid cells in no unit whose centre (RD metres) is @p x, @p y:
 * "geen_<east>_<north>", the south-west corner in km of its LB_VIEWER_OUTSIDE_TILE square, so
 * that such cells, scattered over the country, load only with the view around them. Caller
 * frees; NULL when out of memory. */
#define LB_VIEWER_OUTSIDE_TILE 20000
char *lb_viewer_grid_outside_key(double x, double y);

/* The file name (under data/) of grid @p g: "grid_<gemeente>_<year>.js" with any character
 * other than A-Z, a-z, 0-9, '-' and '_' as '_'. Caller frees. */
char *lb_viewer_grid_file(const lb_viewer_grid *g);

/* The coordinate rounded to LB_VIEWER_COORD_DECIMALS as an integer (units of 1e-6 degree),
 * rounded as printf rounds the exact binary value. */
int64_t lb_viewer_fixed(double v);

/* Integers @p v (n of them) as text of 6-bit characters for a data script: each value's
 * zigzag form (0, -1, 1, -2 ... as 0, 1, 2, 3 ...) in groups of 5 bits, lowest first, a
 * character per group from LB_VIEWER_INT_ALPHABET, its index + 32 when more groups follow.
 * app.js decodes it (decodeInts). */
#define LB_VIEWER_INT_ALPHABET "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
void lb_viewer_put_ints(FILE *fp, const int64_t *v, size_t n);

/* Feature @p f of @p l as lb_viewer_write_polygon writes it (the same rings, rounded, in the
 * same order and direction), as lb_viewer_put_ints text: the number of polygons; per polygon
 * the number of rings; per ring the number of points without the closing one, then each
 * point's lon and lat in 1e-6 degree as differences from the previous point of the feature
 * (the first from 0, 0). app.js decodes it (decodeGeometry). Returns the rings written. */
size_t lb_viewer_put_polygon_ints(FILE *fp, const lb_vlayer *l, const double *lonlat, size_t f);

/* The overview of the units the page draws below LB_VIEWER_DETAIL_MINZOOM: every outline
 * snapped to a grid of these steps (1e-6 degree; about 96 m east-west and 100 m north-south
 * in the Netherlands, under a pixel up to zoom 9 of MapLibre's 512-pixel tiles), then each
 * border between two nodes (where three or more units meet, or a unit meets the outside)
 * simplified once with Douglas-Peucker to LB_VIEWER_OVERVIEW_TOLERANCE grid cells, the same way
 * for the units on both sides. The full outlines are in per-gemeente scripts that the page
 * loads from LB_VIEWER_DETAIL_MINZOOM on, where they meet the view. */
#define LB_VIEWER_OVERVIEW_STEP_LON 1400
#define LB_VIEWER_OVERVIEW_STEP_LAT 900
#define LB_VIEWER_OVERVIEW_TOLERANCE 1.0
#define LB_VIEWER_DETAIL_MINZOOM 10

/* The overview's grid and its nodes: the snapped vertices of all units with their distinct
 * neighbours. */
typedef struct lb_viewer_overview {
    int64_t step[2];  /* lon, lat */
    double tolerance; /* grid cells; the arcs are not simplified without nodes */
    struct lb_viewer_ov_nodes *nodes;
} lb_viewer_overview;

/* The overview of features @p feats (n of them) of @p l with the ring points @p lonlat: the
 * grid, the tolerance and the nodes. 0 when out of memory. */
int lb_viewer_overview_init(lb_viewer_overview *ov, const lb_vlayer *l, const double *lonlat,
                            const size_t *feats, size_t n);
void lb_viewer_overview_free(lb_viewer_overview *ov);

/* As lb_viewer_put_polygon_ints, with the rings of the overview @p ov when given: every point
 * snapped to its grid, the borders between nodes simplified (when it has nodes), points on a
 * line with their neighbours and spikes dropped, rings left without area skipped. A vertex
 * that neighbouring units share snaps alike in both, and a border is simplified alike for
 * both, so the simplified units still tile without gaps or overlaps. The points written
 * (without closing ones) in *n_points when given. */
size_t lb_viewer_put_polygon_ints_snapped(FILE *fp, const lb_vlayer *l, const double *lonlat,
                                          size_t f, const lb_viewer_overview *ov, size_t *n_points);

/* Write the viewer folder's data scripts into @p dir/data (meta.js, units.js, grid and
 * waterbed scripts). */
lb_status lb_viewer_write_data(lb_ctx *ctx, const lb_viewer_data *d, const char *dir);

#endif
