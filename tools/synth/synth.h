/* SPDX-License-Identifier: MIT */
/* leefbaar-synth: shared types of the deterministic demo-city generator (a developer tool that
 * makes shapes/ and rasters/; not part of the library). */
#ifndef LEEFBAAR_SYNTH_H
#define LEEFBAAR_SYNTH_H

#include <stddef.h>

#include <geos_c.h>
#include <gsl/gsl_rng.h>

#define SY_PI 3.14159265358979323846

#define SY_DEFAULT_SEED 20071UL /* 2007: the year of the 40 aandachtswijken; 1: first edition */
#define SY_DEFAULT_STRENGTH 1.0
#define SY_GRID_M 0.01 /* every polygon vertex lies on this grid (GEOS snap rounding) */
#define SY_CELL_M 100.0
#define SY_RASTER_MARGIN_M 1000.0
#define SY_NODATA (-9999.0)
#define SY_SENT_SECRET (-99999997.0)  /* CBS: geheim (too few units to publish) */
#define SY_SENT_UNKNOWN (-99999999.0) /* CBS: onbekend */

#define SY_GM_CODE "GM9901"
#define SY_GM_NAAM "Leefstad"
#define SY_CENTRE_X 155000.0
#define SY_CENTRE_Y 463000.0

#define SY_N_WIJKEN 10
#define SY_N_FOCUS 2
#define SY_SEEDS_PER_FOCUS 5
#define SY_N_BUURTEN 62
#define SY_N_PC4 14
#define SY_FINE_SPACING_M 165.0
#define SY_RING_M 500.0
#define SY_N_YEARS 2
#define SY_N_INC_TYPES 4
#define SY_N_AMENITY_CATS 6
#define SY_N_ROADS 4

/* Planted waterbed effect, in standard deviations of the 2020 latent livability L, times S. */
#define SY_FOCUS_DL 0.8
#define SY_RING_DL (-0.5)
/* Incident multipliers in 2022, raised to the power S. */
#define SY_FOCUS_INC_MULT 0.60
#define SY_RING_INC_MULT 1.50
/* Ordinary (unplanted) change of L between the years: N(0, SY_NOISE_DL). */
#define SY_NOISE_DL 0.15

/* Resident judgements (judgement.c): the planted oordelenmodel's intercept, the survey's
 * response share of the inhabitants, the sd of one respondent's grade around the buurt's
 * expected cijfer, and the fewest respondents for a published buurt cijfer. */
#define SY_JUDGE_INTERCEPT 2.5
#define SY_JUDGE_RESPONSE 0.05
#define SY_JUDGE_SD 1.2
#define SY_JUDGE_MIN_RESP 30
#define SY_N_JUDGE_TERMS 4

typedef enum sy_status {
    SY_OK = 0,
    SY_ERR_NOMEM,
    SY_ERR_ARG,
    SY_ERR_IO,
    SY_ERR_GEOM,
    SY_ERR_DATA
} sy_status;

/* Independent random streams: each purpose (and where it matters each buurt) gets its own
 * seeded mt19937, so the strength S changes only the planted values, never other draws. */
typedef enum sy_stream {
    SY_STREAM_LAYOUT = 1,
    SY_STREAM_NAMES,
    SY_STREAM_ROADS,
    SY_STREAM_FIELD,
    SY_STREAM_BUURT,
    SY_STREAM_YEAR,
    SY_STREAM_AMENITIES,
    SY_STREAM_INCIDENTS,
    SY_STREAM_RASTER,
    SY_STREAM_NONRES,
    SY_STREAM_JUDGEMENT /* appended last: the other streams keep their seeds */
} sy_stream;

typedef struct sy_ctx {
    GEOSContextHandle_t geos;
    unsigned long seed;
    double strength;
    char geos_msg[512];
    char err[1024];
} sy_ctx;

typedef enum sy_zone { SY_ZONE_FOCUS = 0, SY_ZONE_RING, SY_ZONE_REST, SY_ZONE_NONRES } sy_zone;
#define SY_N_ZONES 4

typedef enum sy_kind { SY_KIND_RESIDENTIAL = 0, SY_KIND_INDUSTRIAL, SY_KIND_PARK } sy_kind;

/* CBS-like attributes of one buurt in one year; sentinels are stored as CBS does. */
typedef struct sy_attrs {
    int inw, hh, won;
    double woz, p_koop, p_corp, p_eenp, p_hhmk, p_65, p_link;
    double inc_lambda[SY_N_INC_TYPES]; /* expected incidents per type */
} sy_attrs;

enum {
    SY_U_DENS = 0,
    SY_U_OCC,
    SY_U_EENP,
    SY_U_HHMK,
    SY_U_65,
    SY_U_WOZ,
    SY_U_KOOP,
    SY_U_CORP,
    SY_U_LINK,
    SY_U_INC,
    SY_N_U
};

typedef struct sy_buurt {
    char code[32];
    char name[64];
    int wijk;    /* index into sy_city.wijken */
    size_t orig; /* seed index (layout internal) */
    double seed_x, seed_y;
    GEOSGeometry *geom;
    double area_m2, cx, cy; /* area and centroid */
    double dist_focus_m;    /* distance from the buurt to the nearest focus wijk (0 inside) */
    sy_zone zone;
    sy_kind kind;
    double L[SY_N_YEARS]; /* latent livability, standardised on 2020 residential buurten */
    double dL_noise, dL_planted;
    double u[SY_N_U]; /* persistent buurt residuals */
    sy_attrs a[SY_N_YEARS];
    double judgement[SY_N_YEARS]; /* rapportcijfer, NaN when not published */
    int n_resp[SY_N_YEARS];       /* survey respondents */
} sy_buurt;

typedef struct sy_wijk {
    char code[32];
    char name[64];
    int focus;
    int label; /* layout-internal cluster label */
    GEOSGeometry *geom;
    double cx, cy;
    int n_buurten;
} sy_wijk;

typedef struct sy_pc4 {
    char code[8];
    double x, y; /* centre used to draw it */
    GEOSGeometry *geom;
} sy_pc4;

typedef struct sy_pc6 {
    char code[8];
    int pc4;
    GEOSGeometry *geom;
} sy_pc6;

typedef struct sy_road {
    const char *type;
    const char *name;
    GEOSGeometry *geom;
} sy_road;

typedef struct sy_point {
    int cat; /* amenity category or incident type */
    int buurt;
    char name[80];
    double x, y;
} sy_point;

typedef struct sy_points {
    sy_point *v;
    size_t n, cap;
} sy_points;

/* Atoms: the common refinement of the buurt and the fine (postcode) Voronoi partitions inside
 * the outline. Every published polygon is an exact union of atoms, so shared boundaries have
 * identical vertices in every layer. */
typedef struct sy_atoms {
    GEOSGeometry **geom;
    int *buurt; /* owning buurt seed index */
    int *fine;  /* owning fine seed index */
    size_t n;
} sy_atoms;

/* Outline radius as a function of the angle: an ellipse times seeded harmonics 2..9. */
#define SY_SHAPE_HARMONICS 8
typedef struct sy_shape {
    double a_m, b_m;
    double amp[SY_SHAPE_HARMONICS], phase[SY_SHAPE_HARMONICS];
} sy_shape;

/* The smooth part of the latent livability field (before standardisation). */
typedef struct sy_field {
    int n;
    double x[8], y[8], amp[8], sd[8];
    double dip, dip_sd;
    double mean, sd_all; /* standardisation over residential buurten in 2020 */
} sy_field;

typedef struct sy_city {
    sy_shape shape;
    int layout_attempt;
    GEOSGeometry *outline;  /* drawn outline (before noding) */
    GEOSGeometry *gemeente; /* exact union of all buurten */
    sy_buurt buurten[SY_N_BUURTEN];
    size_t n_buurten;
    sy_wijk wijken[SY_N_WIJKEN];
    int focus[SY_N_FOCUS]; /* wijk indices */
    double focus_x[SY_N_FOCUS], focus_y[SY_N_FOCUS];
    sy_atoms atoms;
    double *fine_xy; /* fine seeds, x y pairs */
    int *fine_pc4;
    size_t n_fine;
    sy_pc4 pc4[SY_N_PC4];
    sy_pc6 *pc6;
    size_t n_pc6;
    sy_road roads[SY_N_ROADS];
    double station_x, station_y;
    sy_field field;
    sy_points amenities[SY_N_YEARS];
    sy_points incidents[SY_N_YEARS];
} sy_city;

extern const int sy_years[SY_N_YEARS];
extern const char *const sy_zone_names[SY_N_ZONES];
extern const char *const sy_inc_types[SY_N_INC_TYPES];
extern const char *const sy_amenity_cats[SY_N_AMENITY_CATS];

/* ctx.c */
sy_status sy_ctx_init(sy_ctx *ctx, unsigned long seed, double strength);
void sy_ctx_finish(sy_ctx *ctx);
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
sy_status
sy_fail(sy_ctx *ctx, sy_status s, const char *fmt, ...);
sy_status sy_geos_fail(sy_ctx *ctx, const char *what);
gsl_rng *sy_rng_new(const sy_ctx *ctx, sy_stream stream, unsigned long index);
double sy_round(double v, double step);
double sy_clamp(double v, double lo, double hi);
GEOSGeometry *sy_point_new(sy_ctx *ctx, double x, double y);
GEOSGeometry *sy_union_of(sy_ctx *ctx, GEOSGeometry *const *parts, size_t n);
void sy_city_free(sy_ctx *ctx, sy_city *city);
sy_status sy_points_push(sy_ctx *ctx, sy_points *pts, const sy_point *p);

/* partition.c */
sy_status sy_partition(sy_ctx *ctx, const GEOSGeometry *outline, const double *buurt_xy,
                       size_t n_buurt, const double *fine_xy, size_t n_fine, sy_atoms *out);
sy_status sy_dissolve(sy_ctx *ctx, const sy_atoms *atoms, const int *group, size_t n_groups,
                      GEOSGeometry **out);
void sy_atoms_free(sy_ctx *ctx, sy_atoms *atoms);

/* layout.c */
double sy_shape_radius(const sy_shape *s, double theta);
sy_status sy_layout_build(sy_ctx *ctx, sy_city *city);
sy_status sy_postcodes_build(sy_ctx *ctx, sy_city *city);

/* names.c */
sy_status sy_names_assign(sy_ctx *ctx, sy_city *city);
const char *sy_wijk_name(size_t i);
void sy_amenity_name(gsl_rng *r, const sy_city *city, int cat, int buurt, char *buf, size_t size);

/* roads.c */
sy_status sy_roads_build(sy_ctx *ctx, sy_city *city);

/* latent.c */
double sy_field_eval(const sy_city *city, double x, double y);
sy_status sy_latent_build(sy_ctx *ctx, sy_city *city);

/* judgement.c: one term of the planted oordelenmodel, coef * (log1p ? log1p(x) : x) with x the
 * buurt attribute as written; unit is the attribute's unit as CBS publishes it (the unit of x,
 * before the transform), written as the indicator's `unit:`. */
typedef enum sy_attr_field_id {
    SY_ATTR_WOZ,
    SY_ATTR_LINK,
    SY_ATTR_EENP,
    SY_ATTR_65
} sy_attr_field_id;
typedef struct sy_judge_term {
    const char *id, *label, *unit, *dimension;
    sy_attr_field_id field;
    int log1p;
    double coef;
    const char *why;
} sy_judge_term;
extern const sy_judge_term sy_judge_terms[SY_N_JUDGE_TERMS];
const char *sy_attr_field(sy_attr_field_id f);
double sy_judgement_expected(const sy_attrs *a);
sy_status sy_judgement_build(sy_ctx *ctx, sy_city *city);
sy_status sy_write_judgements(sy_ctx *ctx, const sy_city *city, const char *path);
sy_status sy_write_judgement_model(sy_ctx *ctx, const char *path);

/* points.c */
sy_status sy_random_point_in(sy_ctx *ctx, gsl_rng *r, const GEOSPreparedGeometry *prep,
                             const GEOSGeometry *geom, double step, double *x, double *y);
sy_status sy_points_build(sy_ctx *ctx, sy_city *city);

/* rasters.c */
sy_status sy_extent(sy_ctx *ctx, const sy_city *city, double *xmin, double *ymin, double *xmax,
                    double *ymax);
typedef struct sy_raster {
    double x0, y_top; /* upper-left corner */
    int nx, ny;
    float *noise, *green;
} sy_raster;
sy_status sy_rasters_compute(sy_ctx *ctx, const sy_city *city, sy_raster *out);
void sy_raster_free(sy_raster *r);

/* write.c */
sy_status sy_write_static(sy_ctx *ctx, const sy_city *city, const char *path);
sy_status sy_write_year(sy_ctx *ctx, const sy_city *city, int year_index, const char *path);
sy_status sy_write_raster(sy_ctx *ctx, const sy_raster *r, const float *values,
                          const char *description, const char *unit, const char *path);

#endif
