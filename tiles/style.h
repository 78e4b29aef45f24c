/* style.h — map styles: what the renderer draws, in which order, how it looks
 * (SPEC §5: appearance comes from style files in styles/, not from code).
 *
 * A style is a JSON file (format in styles/README.md): a name, a background
 * colour, and layers in draw order, each taking one feature family (source)
 * at a zoom range and drawing it one way (type) with its paint properties.
 * Parsing is a pure function over bytes (fuzzed: tests/fuzz/fuzz_style.c);
 * every mistake — JSON syntax, unknown key, wrong type, bad colour, unknown
 * road class, minzoom > maxzoom — fails with a message naming the line.
 *
 * A parsed style is immutable: the renderer threads share it without locks,
 * and a style change builds a new one (style_hash feeds tile ETags). */
#ifndef YZ_STYLE_H
#define YZ_STYLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define STYLE_MAX_LAYERS 256
#define STYLE_MAX_STOPS 16  /* stops of one zoom function */
#define STYLE_MAX_BANDS 16  /* coverage bands */
#define STYLE_MAX_DASH 8    /* lengths of one dash pattern */
#define STYLE_ID_MAX 64     /* layer id, bytes with the NUL */
#define STYLE_NAME_MAX 128  /* style name, bytes with the NUL */
#define STYLE_ZOOM_MAX 24.0f

/* Layer types: how features are drawn. */
#define STYLE_TYPE_TABLE(X)                                        \
	X(STYLE_FILL, "fill")         /* polygons filled */          \
	X(STYLE_LINE, "line")         /* lines / polygon outlines */ \
	X(STYLE_CIRCLE, "circle")     /* point markers, clustered */ \
	X(STYLE_LABEL, "label")       /* text with a halo */         \
	X(STYLE_COVERAGE, "coverage") /* time bands of the overlay */

enum style_type {
#define STYLE_ENUM(e, s) e,
	STYLE_TYPE_TABLE(STYLE_ENUM)
	STYLE_TYPE_COUNT
};

/* Sources: the feature families the data provides. */
#define STYLE_SOURCE_TABLE(X)                                                  \
	X(STYLE_SRC_LAND, "land")           /* land-use areas */                 \
	X(STYLE_SRC_WATER, "water")         /* water areas and waterways */      \
	X(STYLE_SRC_GREEN, "green")         /* parks, forest, grass */           \
	X(STYLE_SRC_BUILDING, "building")   /* OSM building multipolygons */     \
	X(STYLE_SRC_ROAD, "road")           /* ways, by enum road_class */       \
	X(STYLE_SRC_COMMUNITY, "community") /* community boundaries */           \
	X(STYLE_SRC_STATION, "station")     /* the 驿站 points */                  \
	X(STYLE_SRC_COVERAGE, "coverage")   /* time to the nearest station */

enum style_source {
	STYLE_SOURCE_TABLE(STYLE_ENUM)
	STYLE_SOURCE_COUNT
};

enum style_join { STYLE_JOIN_MITER, STYLE_JOIN_ROUND, STYLE_JOIN_BEVEL };
enum style_cap { STYLE_CAP_BUTT, STYLE_CAP_ROUND, STYLE_CAP_SQUARE };
#undef STYLE_ENUM

/* A colour with straight (not premultiplied) alpha, 0..255 each. */
struct style_color {
	uint8_t r, g, b, a;
};

/* A number that may depend on the zoom: a constant (nstops == 1) or stops
 * interpolated between, exponentially with `base` (Mapbox GL's formula; base
 * 1 is linear) and held at the first / last value outside them. */
struct style_value {
	float base;                  /* > 0; 1 = linear */
	uint8_t nstops;              /* 1..STYLE_MAX_STOPS */
	float z[STYLE_MAX_STOPS];    /* zooms, strictly increasing, 0..24 */
	float v[STYLE_MAX_STOPS];    /* values, ≥ 0, unit given by the property */
};

/* Paint of each type.  Widths, radii, sizes and dashes are CSS pixels of a
 * 256-px tile (a @2x tile doubles them). */
struct style_fill {
	struct style_color color;
};

struct style_line {
	struct style_color color;
	struct style_value width;         /* full line width, px */
	bool has_casing;
	struct style_color casing_color;
	struct style_value casing_width;  /* px on each side of the line */
	uint8_t ndash;                    /* 0 = solid, else even, 2..8 */
	float dash[STYLE_MAX_DASH];       /* on, off, on, off … px, > 0 */
	enum style_join join;             /* default round */
	enum style_cap cap;               /* default butt */
};

struct style_circle {
	struct style_value radius;        /* px */
	struct style_color color;
	struct style_color stroke_color;  /* default transparent */
	struct style_value stroke_width;  /* px, default 0 */
	bool has_cluster;                 /* at zoom ≤ cluster_maxzoom points merge */
	float cluster_maxzoom;            /* 0..24 */
	float cluster_cell_px;            /* grid cell that merges, 16..512 */
	struct style_value cluster_radius;    /* px of a cluster marker */
	struct style_color cluster_color, cluster_stroke_color, cluster_text_color;
	struct style_value cluster_stroke_width; /* px, default 0 */
	struct style_value cluster_text_size;    /* px, default 11 */
};

struct style_label {
	struct style_value size;          /* font size, px */
	struct style_color color;
	struct style_color halo_color;    /* default transparent */
	struct style_value halo_width;    /* px, default 0 */
};

struct style_band {
	float max_minutes;                /* > previous band's, ≤ 1440 */
	struct style_color color;
};

struct style_coverage {
	uint8_t nbands;                   /* 1..STYLE_MAX_BANDS */
	struct style_band band[STYLE_MAX_BANDS];
	struct style_value width;         /* the roads' stroke, px, default 4 */
	bool has_gap;                     /* draw places beyond the last band */
	struct style_color gap_color;
	struct style_color hatch_color;   /* alpha 0 = no hatch */
	float hatch_spacing_px;           /* 2..64, default 8 */
	float hatch_width_px;             /* 0.25..16, default 1 */
};

struct style_layer {
	char id[STYLE_ID_MAX];            /* unique within the style */
	enum style_type type;
	enum style_source source;
	float minzoom, maxzoom;           /* visible at minzoom ≤ z ≤ maxzoom */
	uint32_t class_mask;              /* road: bit (1u << enum road_class); others all ones */
	unsigned file_line;               /* where the layer starts, for messages */
	/* A run of adjacent line layers with casings draws all its casings (in
	 * layer order), then all its lines, so junctions between classes stay
	 * clean.  Indexes into the layer array; run_first == run_last == own
	 * index for any other layer. */
	uint16_t run_first, run_last;
	union {                           /* the member named by `type` */
		struct style_fill fill;
		struct style_line line;
		struct style_circle circle;
		struct style_label label;
		struct style_coverage coverage;
	};
};

struct style; /* opaque */

/* Loading */

/* Parse `len` bytes of style JSON into a new style (*out, freed with
 * style_free).  Fails with YZ_EPARSE (or YZ_ELIMIT for input over 1 MiB or
 * nesting over 64, YZ_ENOMEM) and "line N: what is wrong" in `eb` (may be
 * NULL); *out is then NULL. */
enum yz_err style_parse(const char *text, size_t len, struct style **out, struct yz_errbuf *eb);
/* Read and parse a style file (at most 1 MiB).  Errors as style_parse plus
 * YZ_EIO / YZ_ELIMIT, every message prefixed with the path:
 * "styles/light.json: line 30: unknown layer type \"fil\"". */
enum yz_err style_load_file(const char *path, struct style **out, struct yz_errbuf *eb);
/* Free a style; NULL is fine. */
void style_free(struct style *s);

/* Reading a style: every pointer is borrowed and lives until style_free */

const char *style_name(const struct style *s);
struct style_color style_background(const struct style *s);
/* FNV-1a of the source bytes: equal for equal files, for ETags and caches. */
uint64_t style_hash(const struct style *s);
size_t style_layer_count(const struct style *s);
/* Layer i in draw order; i < style_layer_count. */
const struct style_layer *style_layer(const struct style *s, size_t i);
/* The first layer after `prev` (NULL: from the start) visible at `zoom`, in
 * draw order; NULL when none is left.
 *     for (l = style_next_visible(s, NULL, z); l; l = style_next_visible(s, l, z)) */
const struct style_layer *style_next_visible(const struct style *s, const struct style_layer *prev, float zoom);
bool style_visible(const struct style_layer *l, float zoom);

/* Evaluation */

/* The value of a zoom-dependent number (width, radius, size) at `zoom`:
 * exact at stops, interpolated between, clamped to the end values outside. */
float style_eval_width(const struct style_value *v, float zoom);
/* Parse "#rrggbb", "#rrggbbaa", "rgb(r, g, b)" or "rgba(r, g, b, a)" (r, g, b
 * integers 0..255, a 0..1) of `len` bytes; false when malformed. */
bool style_parse_color(const char *s, size_t len, struct style_color *out);

/* Names of the enums as written in style files; "?" when out of range. */
const char *style_type_name(enum style_type t);
const char *style_source_name(enum style_source s);

#endif
