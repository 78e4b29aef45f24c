/* check_style.c — tiles/style: the style parser and its evaluation helpers.
 *
 * Every shipped style (each styles/<name>.json, globbed; none found is a failure) loads; each
 * class of style mistake fails with YZ_EPARSE and a message naming the right
 * line; zoom functions are exact at stops, interpolated between (linear and
 * exponential), clamped outside; colours parse in each accepted form and
 * refuse near misses; layers are visible exactly in their zoom range; casing
 * runs and file-name prefixes behave as documented.  The JSON layer itself
 * has its own suite (check_jsonr.c). */
#include <check.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/profile.h"
#include "tiles/style.h"

Suite *style_suite(void);

static struct yz_errbuf eb;

static enum yz_err parse(const char *text, struct style **out)
{
	strcpy(eb.msg, "(untouched)");
	return style_parse(text, strlen(text), out, &eb);
}

/* Styles are found from the repository root (where make runs the tests);
 * YZ_STYLES overrides. */
static const char *styles_dir(void)
{
	const char *d = getenv("YZ_STYLES");
	return d && *d ? d : "styles";
}

START_TEST(test_shipped_styles)
{
	char pattern[512];
	glob_t g;
	snprintf(pattern, sizeof pattern, "%s/*.json", styles_dir());
	int rc = glob(pattern, 0, NULL, &g);
	ck_assert_msg(rc == 0 && g.gl_pathc > 0, "no style files match %s (run from the repository root)", pattern);
	bool light = false, dark = false;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct style *s = NULL;
		enum yz_err err = style_load_file(g.gl_pathv[i], &s, &eb);
		ck_assert_msg(err == YZ_OK, "%s", eb.msg);
		ck_assert(style_layer_count(s) > 0);
		ck_assert(style_background(s).a == 255);
		light |= !strcmp(style_name(s), "light");
		dark |= !strcmp(style_name(s), "dark");
		/* Every shipped style draws the whole content of SPEC §5. */
		bool src[STYLE_SOURCE_COUNT] = {false};
		bool cased_road = false, station_cluster = false, road_label = false, gap = false;
		for (size_t j = 0; j < style_layer_count(s); j++) {
			const struct style_layer *l = style_layer(s, j);
			src[l->source] = true;
			cased_road |= l->source == STYLE_SRC_ROAD && l->type == STYLE_LINE && l->line.has_casing;
			station_cluster |= l->type == STYLE_CIRCLE && l->circle.has_cluster;
			road_label |= l->type == STYLE_LABEL && l->source == STYLE_SRC_ROAD;
			gap |= l->type == STYLE_COVERAGE && l->coverage.has_gap;
			ck_assert(l->minzoom <= l->maxzoom);
		}
		for (int k = 0; k < STYLE_SOURCE_COUNT; k++)
			ck_assert_msg(src[k], "%s: no layer draws \"%s\"", g.gl_pathv[i],
				      style_source_name((enum style_source)k));
		ck_assert(cased_road && station_cluster && road_label && gap);
		/* Every road class is drawn by some line layer at z18. */
		uint32_t drawn = 0;
		for (const struct style_layer *l = style_next_visible(s, NULL, 18); l; l = style_next_visible(s, l, 18))
			if (l->type == STYLE_LINE && l->source == STYLE_SRC_ROAD)
				drawn |= l->class_mask;
		ck_assert_uint_eq(drawn & ((1u << RC_COUNT) - 1), (1u << RC_COUNT) - 1);
		style_free(s);
	}
	ck_assert_msg(light && dark, "the light and dark styles must ship");
	globfree(&g);
}
END_TEST

/* The tile benchmark's style (scripts/bench/tiles.sh) is not shipped, but it
 * must load, and it keeps within what scripts/bench/tiles_peers.py translates
 * for Mapnik and MapServer: line and circle layers, no casing, no dash, no
 * cluster, linear zoom functions. */
START_TEST(test_bench_style)
{
	struct style *s;
	const char *path = "scripts/bench/styles/bench-simple.json";
	ck_assert_msg(style_load_file(path, &s, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(style_name(s), "bench-simple");
	for (size_t i = 0; i < style_layer_count(s); i++) {
		const struct style_layer *l = style_layer(s, i);
		ck_assert_msg(l->type == STYLE_LINE || l->type == STYLE_CIRCLE, "%s: layer %s", path,
			      l->id);
		if (l->type == STYLE_LINE)
			ck_assert_msg(!l->line.has_casing && !l->line.ndash, "%s: layer %s", path,
				      l->id);
		else
			ck_assert_msg(!l->circle.has_cluster, "%s: layer %s", path, l->id);
	}
	style_free(s);
}
END_TEST

START_TEST(test_light_details)
{
	char path[512];
	struct style *s;
	snprintf(path, sizeof path, "%s/light.json", styles_dir());
	ck_assert_msg(style_load_file(path, &s, &eb) == YZ_OK, "%s", eb.msg);
	const struct style_layer *primary = NULL, *building = NULL;
	for (size_t i = 0; i < style_layer_count(s); i++) {
		const struct style_layer *l = style_layer(s, i);
		if (!strcmp(l->id, "road-primary"))
			primary = l;
		if (!strcmp(l->id, "building"))
			building = l;
	}
	ck_assert_ptr_nonnull(primary);
	ck_assert_ptr_nonnull(building);
	ck_assert(primary->class_mask & (1u << RC_PRIMARY));
	ck_assert(!(primary->class_mask & (1u << RC_RESIDENTIAL)));
	ck_assert(building->minzoom == 15);
	ck_assert(!style_visible(building, 14) && style_visible(building, 15));
	/* Roads widen with the zoom. */
	float prev = 0;
	for (int z = 8; z <= 20; z++) {
		float w = style_eval_width(&primary->line.width, (float)z);
		ck_assert_msg(w > prev, "z%d: %g after %g", z, (double)w, (double)prev);
		prev = w;
	}
	/* The road layers with casings form one run. */
	ck_assert(primary->run_first < primary->run_last);
	style_free(s);
}
END_TEST

#define HEAD "{\n\"name\": \"t\",\n\"background\": \"#ffffff\",\n\"layers\": [\n" /* lines 1-4 */
#define TAIL "\n]}\n"
/* A line layer of roads on line 5 whose `extra` members follow on line 6. */
#define ROAD(extra)                                                                                    \
	HEAD "{\"id\": \"r\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#000000\", \"width\": 1,\n" \
	     extra "}" TAIL

/* The same without a width, for cases about the width itself. */
#define ROADW(extra) \
	HEAD "{\"id\": \"r\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#000000\",\n" extra "}" TAIL

struct err_case {
	const char *text;
	unsigned line;
	const char *words;
};

static const struct err_case errors[] = {
	/* unknown type / source, type-source mismatch */
	{HEAD "{\"id\": \"a\",\n\"type\": \"fil\",\n\"source\": \"land\", \"color\": \"#000000\"}" TAIL, 6,
	 "layer \"a\": unknown layer type \"fil\" (expected fill, line, circle, label or coverage)"},
	{HEAD "{\"id\": \"a\", \"type\": \"fill\",\n\n\"source\": \"lands\", \"color\": \"#000000\"}" TAIL, 7,
	 "unknown source \"lands\""},
	{HEAD "{\"id\": \"a\", \"type\": \"circle\", \"source\": \"road\", \"radius\": 2, \"color\": \"#000000\"}" TAIL, 5,
	 "a circle layer cannot draw source \"road\""},
	/* colours */
	{ROAD("\"casing\": {\"width\": 1, \"color\": \"#12345\"}"), 6, "bad color \"#12345\""},
	{HEAD "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"water\",\n\"color\": \"rgba(0, 0, 0, 1.5)\"}" TAIL, 6,
	 "bad color \"rgba(0, 0, 0, 1.5)\""},
	{"{\"name\": \"t\",\n\"background\": \"white\", \"layers\": []}", 2, "bad color \"white\" in \"background\""},
	/* zooms */
	{ROAD("\"minzoom\": 16,\n\"maxzoom\": 12"), 7, "minzoom 16 is greater than maxzoom 12"},
	{ROAD("\"minzoom\": 25"), 6, "\"minzoom\" must be between 0 and 24, not 25"},
	{ROAD("\"casing\": {\"color\": \"#000000\", \"width\": {\"stops\": [[10, 1],\n[10, 2]]}}"), 7,
	 "stop zooms of \"width\" must increase: 10 after 10"},
	/* filters */
	{ROAD("\"filter\": {\"class\": [\"primary\",\n\"primay\"]}"), 7,
	 "unknown road class \"primay\" (did you mean \"primary\"?)"},
	{ROAD("\"filter\": {\"class\": []}"), 6, "filter \"class\" is empty"},
	{ROAD("\"filter\": {\"clas\": [\"primary\"]}"), 6, "unknown key \"clas\" in \"filter\" (did you mean \"class\"?)"},
	{HEAD "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"water\", \"color\": \"#000000\",\n"
	      "\"filter\": {\"class\": [\"primary\"]}}" TAIL,
	 6, "filter \"class\" applies to source \"road\" only"},
	/* missing keys (named at the object's first line) */
	{HEAD "\n{\"id\": \"a\", \"type\": \"fill\",\n\"source\": \"water\"}" TAIL, 6, "layer \"a\": missing \"color\""},
	{HEAD "{\"type\": \"fill\", \"source\": \"water\", \"color\": \"#000000\"}" TAIL, 5, "missing \"id\" in a layer"},
	{"{\"name\": \"t\", \"layers\": []}", 1, "missing \"background\" in the style"},
	{"{\n\"background\": \"#000000\", \"layers\": []}", 1, "missing \"name\""},
	{ROAD("\"casing\": {\"color\": \"#000000\"}"), 6, "missing \"width\" in \"casing\""},
	/* wrong JSON types */
	{ROAD("\"dash\": [4, \"2\"]"), 6, "dash length must be a number, not a string"},
	{HEAD "{\"id\": \"a\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#000000\",\n\"width\": \"2\"}" TAIL, 6,
	 "\"width\" must be a number or {\"stops\""},
	{"{\"name\": \"t\", \"background\": \"#000000\",\n\"layers\": {}}", 2, "\"layers\" must be an array, not an object"},
	{"[1]", 1, "the style must be an object, not an array"},
	{HEAD "42" TAIL, 5, "a layer must be an object, not a number"},
	{HEAD "{\"id\": 7}" TAIL, 5, "\"id\" must be a string, not a number"},
	/* unknown and misplaced keys */
	{HEAD "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"water\",\n\"colour\": \"#000000\"}" TAIL, 6,
	 "layer \"a\": unknown key \"colour\" in a layer (did you mean \"color\"?)"},
	{HEAD "{\"id\": \"a\", \"tpye\": \"fill\"}" TAIL, 5, "unknown key \"tpye\" in a layer (did you mean \"type\"?)"},
	{ROAD("\"radius\": 3"), 6, "key \"radius\" does not apply to a line layer"},
	{"{\"name\": \"t\", \"background\": \"#000000\", \"layers\": [],\n\"version\": 1}", 2,
	 "unknown key \"version\" in the style"},
	{ROAD("\"color\": \"#000000\""), 6, "duplicate key \"color\" in a layer"},
	/* value shapes */
	{ROADW("\"width\": {\"stops\": [[10, 1], [12, 2],\n[11, 3]]}"), 7, "stop zooms of \"width\" must increase: 11 after 12"},
	{ROADW("\"width\": {\"stops\": []}"), 6, "needs 1 to 16 [zoom, value] pairs, not 0"},
	{ROADW("\"width\": {\"stops\": [[10, 1, 2]]}"), 6, "each stop of \"width\" must be a [zoom, value] pair"},
	{ROADW("\"width\": {\"stops\": [[10, 1]], \"base\": 0}"), 6, "\"base\" must be between 0.1 and 10"},
	{ROADW("\"width\": -1"), 6, "\"width\" must be between 0 and 100, not -1"},
	{ROAD("\"dash\": [4, 2, 1]"), 6, "\"dash\" needs an even number (2 to 8) of lengths"},
	{ROAD("\"join\": \"mitre\""), 6, "unknown join \"mitre\" (expected miter, round or bevel)"},
	{ROAD("\"cap\": \"flat\""), 6, "unknown cap \"flat\""},
	{HEAD "{\"id\": \"a\", \"type\": \"label\", \"source\": \"road\", \"size\": 10, \"color\": \"#000000\",\n"
	      "\"field\": \"ref\"}" TAIL,
	 6, "unknown field \"ref\" (expected name)"},
	{HEAD "{\"id\": \"a\", \"type\": \"coverage\", \"source\": \"coverage\", \"bands\": [\n"
	      "{\"max_minutes\": 10, \"color\": \"#000000\"},\n{\"max_minutes\": 5, \"color\": \"#000000\"}]}" TAIL,
	 7, "band \"max_minutes\" must increase: 5 after 10"},
	{HEAD "{\"id\": \"a\", \"type\": \"coverage\", \"source\": \"coverage\", \"bands\": [\n"
	      "{\"max_minutes\": 10, \"color\": \"#000000\"}],\n\"gap\": {\"hatch_color\": \"#000000\"}}" TAIL,
	 7, "missing \"color\" in \"gap\""},
	{HEAD "{\"id\": \"a\", \"type\": \"circle\", \"source\": \"station\", \"radius\": 2, \"color\": \"#000000\",\n"
	      "\"cluster\": {\"radius\": 9, \"color\": \"#000000\", \"text_color\": \"#ffffff\"}}" TAIL,
	 6, "missing \"maxzoom\" in \"cluster\""},
	/* ids */
	{HEAD "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"water\", \"color\": \"#000000\"},\n"
	      "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"green\", \"color\": \"#000000\"}" TAIL,
	 6, "duplicate layer id \"a\" (first on line 5)"},
	{HEAD "{\"id\": \"\"}" TAIL, 5, "\"id\" must be 1 to 63 bytes"},
	/* JSON syntax errors keep their column */
	{HEAD "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"water\", \"color\": \"#000000\",}" TAIL, 5,
	 "column 66: trailing comma before '}'"},
	{"{\"name\": \"t\"\n\"background\": \"#000000\"}", 2, "column 1: expected ',' or '}'"},
};

START_TEST(test_errors)
{
	const struct err_case *c = &errors[_i];
	struct style *s = (struct style *)&eb; /* must be reset to NULL */
	ck_assert_msg(parse(c->text, &s) == YZ_EPARSE, "case %d parsed: %s", _i, eb.msg);
	ck_assert_ptr_null(s);
	char want[32];
	snprintf(want, sizeof want, "line %u", c->line);
	size_t n = strlen(want);
	ck_assert_msg(!strncmp(eb.msg, want, n) && (eb.msg[n] == ':' || eb.msg[n] == ','),
		      "case %d: \"%s\" does not start with \"%s\"", _i, eb.msg, want);
	ck_assert_msg(strstr(eb.msg, c->words) != NULL, "case %d: \"%s\" lacks \"%s\"", _i, eb.msg, c->words);
}
END_TEST

START_TEST(test_minimal_and_defaults)
{
	struct style *s;
	const char *text = HEAD "{\"id\": \"r\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#102030\", \"width\": 2}"
		TAIL;
	ck_assert_msg(parse(text, &s) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(style_name(s), "t");
	ck_assert_uint_eq(style_layer_count(s), 1);
	const struct style_layer *l = style_layer(s, 0);
	ck_assert_ptr_null(style_layer(s, 1));
	ck_assert_str_eq(l->id, "r");
	ck_assert_int_eq(l->type, STYLE_LINE);
	ck_assert_int_eq(l->source, STYLE_SRC_ROAD);
	ck_assert(l->minzoom == 0 && l->maxzoom == STYLE_ZOOM_MAX);
	ck_assert_uint_eq(l->class_mask, UINT32_MAX);
	ck_assert_uint_eq(l->file_line, 5);
	ck_assert_int_eq(l->line.join, STYLE_JOIN_ROUND);
	ck_assert_int_eq(l->line.cap, STYLE_CAP_BUTT);
	ck_assert(!l->line.has_casing);
	ck_assert_uint_eq(l->line.ndash, 0);
	ck_assert(l->line.color.r == 0x10 && l->line.color.g == 0x20 && l->line.color.b == 0x30 && l->line.color.a == 255);
	ck_assert(style_eval_width(&l->line.width, 3) == 2);
	uint64_t h = style_hash(s);
	style_free(s);
	style_free(NULL);

	/* The hash follows the bytes. */
	ck_assert(parse(text, &s) == YZ_OK);
	ck_assert(style_hash(s) == h);
	style_free(s);
	const char *text2 = HEAD "{\"id\": \"r\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#102030\", \"width\": 3}"
		TAIL;
	ck_assert(parse(text2, &s) == YZ_OK);
	ck_assert(style_hash(s) != h);
	style_free(s);
}
END_TEST

START_TEST(test_full_layer_kinds)
{
	const char *text = HEAD
		"{\"id\": \"c\", \"type\": \"circle\", \"source\": \"station\", \"radius\": {\"stops\": [[10, 3], [18, 8]]},\n"
		" \"color\": \"#00897b\", \"stroke_color\": \"#ffffff\", \"stroke_width\": 1.5,\n"
		" \"cluster\": {\"maxzoom\": 12, \"cell\": 80, \"radius\": 12, \"color\": \"#00897b\", \"text_color\": \"#ffffff\"}},\n"
		"{\"id\": \"l\", \"type\": \"label\", \"source\": \"community\", \"size\": 12, \"color\": \"#333333\",\n"
		" \"halo_color\": \"#ffffff\", \"halo_width\": 1.5, \"field\": \"name\"},\n"
		"{\"id\": \"v\", \"type\": \"coverage\", \"source\": \"coverage\", \"bands\": [{\"max_minutes\": 5, \"color\": \"#1a9850\"},\n"
		" {\"max_minutes\": 15, \"color\": \"rgba(254, 224, 139, 0.5)\"}], \"gap\": {\"color\": \"#d7302733\"}},\n"
		"{\"id\": \"d\", \"type\": \"line\", \"source\": \"community\", \"color\": \"#9a7fc2\", \"width\": 1,\n"
		" \"dash\": [6, 3, 1, 3], \"join\": \"bevel\", \"cap\": \"square\", \"description\": \"boundary\"}"
		TAIL;
	struct style *s;
	ck_assert_msg(parse(text, &s) == YZ_OK, "%s", eb.msg);
	const struct style_layer *c = style_layer(s, 0), *l = style_layer(s, 1), *v = style_layer(s, 2),
				 *d = style_layer(s, 3);
	ck_assert(c->circle.has_cluster);
	ck_assert(c->circle.cluster_maxzoom == 12 && c->circle.cluster_cell_px == 80);
	ck_assert(style_eval_width(&c->circle.cluster_text_size, 5) == 11); /* default */
	ck_assert(c->circle.cluster_stroke_color.a == 0);
	ck_assert(style_eval_width(&c->circle.radius, 14) == 5.5f);
	ck_assert(l->label.halo_color.r == 255 && style_eval_width(&l->label.halo_width, 0) == 1.5f);
	ck_assert_uint_eq(v->coverage.nbands, 2);
	ck_assert(v->coverage.band[1].max_minutes == 15 && v->coverage.band[1].color.a == 128);
	ck_assert(v->coverage.has_gap && v->coverage.gap_color.a == 0x33);
	ck_assert(v->coverage.hatch_color.a == 0 && v->coverage.hatch_spacing_px == 8 && v->coverage.hatch_width_px == 1);
	ck_assert_uint_eq(d->line.ndash, 4);
	ck_assert(d->line.dash[2] == 1);
	ck_assert_int_eq(d->line.join, STYLE_JOIN_BEVEL);
	ck_assert_int_eq(d->line.cap, STYLE_CAP_SQUARE);
	style_free(s);
}
END_TEST

static struct style_value stops(float base, int n, const float *z, const float *v)
{
	struct style_value sv = {.base = base, .nstops = (uint8_t)n};
	for (int i = 0; i < n; i++) {
		sv.z[i] = z[i];
		sv.v[i] = v[i];
	}
	return sv;
}

START_TEST(test_eval_width)
{
	static const float z[] = {10, 14, 18}, v[] = {0.5f, 2, 12};
	struct style_value lin = stops(1, 3, z, v);
	/* exact at stops */
	ck_assert(style_eval_width(&lin, 10) == 0.5f);
	ck_assert(style_eval_width(&lin, 14) == 2);
	ck_assert(style_eval_width(&lin, 18) == 12);
	/* linear between */
	ck_assert_float_eq_tol(style_eval_width(&lin, 12), 1.25f, 1e-6f);
	ck_assert_float_eq_tol(style_eval_width(&lin, 17), 9.5f, 1e-6f);
	ck_assert_float_eq_tol(style_eval_width(&lin, 10.5f), 0.6875f, 1e-6f);
	/* clamped outside */
	ck_assert(style_eval_width(&lin, 0) == 0.5f);
	ck_assert(style_eval_width(&lin, 9.99f) == 0.5f);
	ck_assert(style_eval_width(&lin, 24) == 12);
	ck_assert(style_eval_width(&lin, NAN) == 0.5f);
	/* exponential: base 2 between (0, 0) and (2, 3): t = (2^1 - 1) / (2^2 - 1) = 1/3 */
	static const float z2[] = {0, 2}, v2[] = {0, 3};
	struct style_value ex = stops(2, 2, z2, v2);
	ck_assert_float_eq_tol(style_eval_width(&ex, 1), 1.0f, 1e-6f);
	ck_assert(style_eval_width(&ex, 0) == 0 && style_eval_width(&ex, 2) == 3);
	/* monotone and within the stop values */
	float prev = -1;
	for (float zz = 0; zz <= 2; zz += 0.125f) {
		float w = style_eval_width(&ex, zz);
		ck_assert(w >= prev && w >= 0 && w <= 3);
		prev = w;
	}
	/* a constant is the same at every zoom */
	static const float zc[] = {0}, vc[] = {4};
	struct style_value k = stops(1, 1, zc, vc);
	ck_assert(style_eval_width(&k, 0) == 4 && style_eval_width(&k, 20) == 4);
	/* parsed from a style: {"stops": …, "base": 2} */
	struct style *s;
	ck_assert(parse(ROAD("\"casing\": {\"color\": \"#000000\", \"width\": {\"stops\": [[0, 0], [2, 3]], \"base\": 2}}"),
			&s) == YZ_OK);
	ck_assert_float_eq_tol(style_eval_width(&style_layer(s, 0)->line.casing_width, 1), 1.0f, 1e-6f);
	style_free(s);
}
END_TEST

START_TEST(test_colors)
{
	static const struct {
		const char *s;
		uint8_t r, g, b, a;
	} good[] = {
		{"#ff8000", 255, 128, 0, 255},      {"#FF800080", 255, 128, 0, 128}, {"#000000", 0, 0, 0, 255},
		{"#aBcDeF00", 0xab, 0xcd, 0xef, 0}, {"rgb(1, 2, 3)", 1, 2, 3, 255},  {"rgb(255,255,255)", 255, 255, 255, 255},
		{"rgba(10,20,30,0.5)", 10, 20, 30, 128}, {"rgba(0, 0, 0, .25)", 0, 0, 0, 64},
		{"rgba( 1 , 2 , 3 , 1 )", 1, 2, 3, 255}, {"rgba(0,0,0,0)", 0, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct style_color c;
		ck_assert_msg(style_parse_color(good[i].s, strlen(good[i].s), &c), "%s", good[i].s);
		ck_assert_msg(c.r == good[i].r && c.g == good[i].g && c.b == good[i].b && c.a == good[i].a,
			      "%s gave %u %u %u %u", good[i].s, c.r, c.g, c.b, c.a);
	}
	static const char *const bad_colors[] = {
		"", "#", "#12345", "#1234567", "#123456789", "#gggggg", "#fff", "red", "rgb(256, 0, 0)",
		"rgba(0, 0, 0)", "rgb(0, 0, 0, 1)", "rgba(0, 0, 0, 2)", "rgb(1, 2, 3)x", "rgb(1, 2, 3", "rgb(-1, 0, 0)",
		"rgb(1.5, 0, 0)", "rgba(0, 0, 0, 1.)x", "RGB(1, 2, 3)", " #000000", "rgb(,,)", "rgba(0,0,0,.)",
	};
	for (size_t i = 0; i < sizeof bad_colors / sizeof bad_colors[0]; i++) {
		struct style_color c = {1, 2, 3, 4};
		ck_assert_msg(!style_parse_color(bad_colors[i], strlen(bad_colors[i]), &c), "accepted \"%s\"",
			      bad_colors[i]);
		ck_assert(c.r == 1 && c.a == 4);
	}
	/* The length bounds the parse: no reading past it. */
	struct style_color c;
	ck_assert(style_parse_color("#102030ff", 7, &c) && c.a == 255 && c.b == 0x30);
}
END_TEST

START_TEST(test_visibility)
{
	const char *text = HEAD
		"{\"id\": \"all\", \"type\": \"fill\", \"source\": \"water\", \"color\": \"#0000ff\"},\n"
		"{\"id\": \"low\", \"type\": \"fill\", \"source\": \"green\", \"maxzoom\": 12, \"color\": \"#00ff00\"},\n"
		"{\"id\": \"high\", \"type\": \"fill\", \"source\": \"building\", \"minzoom\": 15, \"color\": \"#888888\"},\n"
		"{\"id\": \"mid\", \"type\": \"fill\", \"source\": \"land\", \"minzoom\": 12, \"maxzoom\": 15.5, \"color\": \"#eeeeee\"}"
		TAIL;
	static const struct {
		float z;
		const char *ids;
	} cases[] = {
		{0, "all low "}, {11.9f, "all low "}, {12, "all low mid "}, {14, "all mid "},
		{15, "all high mid "}, {15.5f, "all high mid "}, {16, "all high "}, {20, "all high "}, {24, "all high "},
	};
	struct style *s;
	ck_assert_msg(parse(text, &s) == YZ_OK, "%s", eb.msg);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[64] = "";
		for (const struct style_layer *l = style_next_visible(s, NULL, cases[i].z); l;
		     l = style_next_visible(s, l, cases[i].z)) {
			strcat(got, l->id);
			strcat(got, " ");
		}
		ck_assert_msg(!strcmp(got, cases[i].ids), "z%g: \"%s\", want \"%s\"", (double)cases[i].z, got, cases[i].ids);
	}
	style_free(s);
}
END_TEST

START_TEST(test_casing_runs)
{
	const char *text = HEAD
		"{\"id\": \"w\", \"type\": \"fill\", \"source\": \"water\", \"color\": \"#0000ff\"},\n"
		"{\"id\": \"a\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#ffffff\", \"width\": 2,"
		" \"casing\": {\"color\": \"#999999\", \"width\": 1}},\n"
		"{\"id\": \"b\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#ffcc00\", \"width\": 3,"
		" \"casing\": {\"color\": \"#996600\", \"width\": 1}},\n"
		"{\"id\": \"x\", \"type\": \"line\", \"source\": \"community\", \"color\": \"#000000\", \"width\": 1},\n"
		"{\"id\": \"c\", \"type\": \"line\", \"source\": \"road\", \"color\": \"#ffffff\", \"width\": 2,"
		" \"casing\": {\"color\": \"#999999\", \"width\": 1}}"
		TAIL;
	static const uint16_t first[] = {0, 1, 1, 3, 4}, last[] = {0, 2, 2, 3, 4};
	struct style *s;
	ck_assert_msg(parse(text, &s) == YZ_OK, "%s", eb.msg);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(style_layer(s, i)->run_first, first[i]);
		ck_assert_uint_eq(style_layer(s, i)->run_last, last[i]);
	}
	style_free(s);
}
END_TEST

START_TEST(test_load_file_errors)
{
	char path[] = "/tmp/yz_style_XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	static const char text[] = "{\n\"name\": \"t\",\n\"background\": \"#12345\", \"layers\": []}\n";
	ck_assert(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
	close(fd);
	struct style *s = (struct style *)&eb;
	ck_assert_int_eq(style_load_file(path, &s, &eb), YZ_EPARSE);
	ck_assert_ptr_null(s);
	char want[128];
	snprintf(want, sizeof want, "%s: line 3: bad color \"#12345\"", path);
	ck_assert_msg(!strncmp(eb.msg, want, strlen(want)), "%s", eb.msg);
	unlink(path);

	ck_assert_int_eq(style_load_file("/nonexistent/dir/none.json", &s, &eb), YZ_ENOTFOUND);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(eb.msg, "/nonexistent/dir/none.json: ") == eb.msg, "%s", eb.msg);
	ck_assert_int_eq(style_load_file("/tmp", &s, &eb), YZ_EIO);

	ck_assert_str_eq(style_type_name(STYLE_COVERAGE), "coverage");
	ck_assert_str_eq(style_source_name(STYLE_SRC_BUILDING), "building");
	ck_assert_str_eq(style_type_name(STYLE_TYPE_COUNT), "?");
}
END_TEST

START_TEST(test_long_text_in_messages)
{
	/* User text is cut and sanitized so the message stays readable. */
	static char text[4096];
	char id[2048];
	memset(id, 'x', sizeof id - 1);
	id[sizeof id - 1] = '\0';
	snprintf(text, sizeof text, HEAD "{\"id\": \"a\", \"type\": \"fill\", \"source\": \"water\", \"color\": \"%s\\n\"}" TAIL,
		 id);
	struct style *s;
	ck_assert_int_eq(parse(text, &s), YZ_EPARSE);
	ck_assert_msg(strlen(eb.msg) < 300 && strstr(eb.msg, "xxx…\""), "%s", eb.msg);
	snprintf(text, sizeof text, HEAD "{\"id\": \"a\", \"type\": \"fil\\\"\\n\"}" TAIL);
	ck_assert_int_eq(parse(text, &s), YZ_EPARSE);
	ck_assert_msg(strstr(eb.msg, "\"fil??\""), "%s", eb.msg);
}
END_TEST

Suite *style_suite(void)
{
	Suite *s = suite_create("style");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_shipped_styles);
	tcase_add_test(tc, test_bench_style);
	tcase_add_test(tc, test_light_details);
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof errors / sizeof errors[0]));
	tcase_add_test(tc, test_minimal_and_defaults);
	tcase_add_test(tc, test_full_layer_kinds);
	tcase_add_test(tc, test_eval_width);
	tcase_add_test(tc, test_colors);
	tcase_add_test(tc, test_visibility);
	tcase_add_test(tc, test_casing_runs);
	tcase_add_test(tc, test_load_file_errors);
	tcase_add_test(tc, test_long_text_in_messages);
	suite_add_tcase(s, tc);
	return s;
}
