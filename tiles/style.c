/* style.c — the style file parser and the helpers that evaluate a style.
 *
 * The JSON is read by common/jsonr into a tree; this file walks the tree once
 * and fills one allocation: struct style followed by its layers.  Everything
 * the renderer needs is checked here, so it never meets a bad value: zooms in
 * 0..24 with minzoom ≤ maxzoom, stops strictly increasing, widths finite and
 * within their documented ranges, dash patterns even and positive, coverage
 * bands strictly increasing.  Every object's keys are checked against the
 * keys its kind allows, so a typo ("colour", "tpye") is an error with a
 * suggestion, never a silently ignored property; duplicate keys are refused.
 *
 * Messages name the line of the offending value ("line 30: layer \"roads\":
 * unknown road class \"primay\"") and quote user text sanitized and cut to
 * a few dozen bytes so a message always fits struct yz_errbuf.
 *
 * Typical size: a layer is about 800 bytes, a style of 30 layers 25 KiB. */
#include "style.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/jsonr.h"
#include "data/profile.h"

struct style {
	char name[STYLE_NAME_MAX];
	struct style_color background;
	uint64_t hash;                    /* FNV-1a of the source bytes */
	size_t nlayers;
	struct style_layer layers[];      /* draw order */
};

static const char *const type_names[] = {
#define STYLE_NAME(e, s) s,
	STYLE_TYPE_TABLE(STYLE_NAME)
};
static const char *const source_names[] = {
	STYLE_SOURCE_TABLE(STYLE_NAME)
#undef STYLE_NAME
};
static const char *const join_names[] = {"miter", "round", "bevel"};
static const char *const cap_names[] = {"butt", "round", "square"};

#define SRC(x) (1u << (x))
/* Which sources each layer type can draw (polygons can be outlined). */
static const uint32_t type_sources[STYLE_TYPE_COUNT] = {
	[STYLE_FILL] = SRC(STYLE_SRC_LAND) | SRC(STYLE_SRC_WATER) | SRC(STYLE_SRC_GREEN) |
		       SRC(STYLE_SRC_BUILDING) | SRC(STYLE_SRC_COMMUNITY),
	[STYLE_LINE] = SRC(STYLE_SRC_LAND) | SRC(STYLE_SRC_WATER) | SRC(STYLE_SRC_GREEN) |
		       SRC(STYLE_SRC_BUILDING) | SRC(STYLE_SRC_ROAD) | SRC(STYLE_SRC_COMMUNITY),
	[STYLE_CIRCLE] = SRC(STYLE_SRC_STATION),
	[STYLE_LABEL] = SRC(STYLE_SRC_ROAD) | SRC(STYLE_SRC_COMMUNITY) | SRC(STYLE_SRC_STATION),
	[STYLE_COVERAGE] = SRC(STYLE_SRC_COVERAGE),
};

/* Keys each kind of object allows; NULL-terminated. */
static const char *const top_keys[] = {"name", "description", "background", "layers", NULL};
static const char *const common_keys[] = {"id", "type", "source", "minzoom", "maxzoom", "filter", "description", NULL};
static const char *const type_keys[STYLE_TYPE_COUNT][8] = {
	[STYLE_FILL] = {"color", NULL},
	[STYLE_LINE] = {"color", "width", "casing", "dash", "join", "cap", NULL},
	[STYLE_CIRCLE] = {"radius", "color", "stroke_color", "stroke_width", "cluster", NULL},
	[STYLE_LABEL] = {"field", "size", "color", "halo_color", "halo_width", NULL},
	[STYLE_COVERAGE] = {"bands", "gap", "width", NULL},
};
static const char *const filter_keys[] = {"class", NULL};
static const char *const casing_keys[] = {"color", "width", NULL};
static const char *const cluster_keys[] = {"maxzoom", "cell", "radius", "color", "stroke_color",
					   "stroke_width", "text_color", "text_size", NULL};
static const char *const band_keys[] = {"max_minutes", "color", NULL};
static const char *const gap_keys[] = {"color", "hatch_color", "hatch_spacing", "hatch_width", NULL};
static const char *const value_keys[] = {"stops", "base", NULL};

/* Walk state: where messages go and which layer they concern. */
struct ctx {
	struct yz_errbuf *eb;
	const char *layer; /* id of the layer being read; NULL outside layers */
};

__attribute__((format(printf, 3, 4))) static bool bad(struct ctx *c, unsigned line, const char *fmt, ...)
{
	if (c->eb) {
		char detail[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
		if (c->layer)
			yz_fail(c->eb, YZ_EPARSE, "line %u: layer \"%s\": %s", line, c->layer, detail);
		else
			yz_fail(c->eb, YZ_EPARSE, "line %u: %s", line, detail);
	}
	return false;
}

/* User text fit for a message: at most ~40 bytes cut at a character boundary,
 * quotes, backslashes and control bytes replaced by '?'. */
static const char *quote(const char *s, size_t len, char out[64])
{
	size_t o = 0, i = 0;
	while (i < len && o < 40) {
		unsigned char ch = (unsigned char)s[i];
		size_t n = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
		if (i + n > len)
			break;
		if (n == 1 && (ch < 0x20 || ch == '"' || ch == '\\' || ch == 0x7F))
			out[o] = '?';
		else
			memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	if (i < len) {
		memcpy(out + o, "…", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

/* Levenshtein distance of two short strings, capped: for "did you mean". */
static size_t edit_distance(const char *a, size_t na, const char *b)
{
	size_t nb = strlen(b);
	if (na > 31 || nb > 31)
		return 99;
	size_t row[32];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

static const char *nearest(const char *s, size_t len, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3; /* suggest only close misspellings */
	for (size_t i = 0; i < n && names[i]; i++) {
		size_t d = edit_distance(s, len, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

static bool name_is(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(s, name, len) == 0;
}

/* Index of `s` in names[0..n) (stopping at a NULL), or -1. */
static int find_name(const char *s, size_t len, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && names[i]; i++)
		if (name_is(s, len, names[i]))
			return (int)i;
	return -1;
}

static size_t count_names(const char *const *names)
{
	size_t n = 0;
	while (names[n])
		n++;
	return n;
}

/* "a, b or c" for messages. */
static const char *list_names(const char *const *names, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && names[i]; i++) {
		const char *sep = i == 0 ? "" : (i + 1 == n || !names[i + 1]) ? " or " : ", ";
		int w = snprintf(out + o, cap - o, "%s%s", sep, names[i]);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
	return out;
}

/* A key as messages show it: "width" quoted, descriptions ("dash length") not. */
static const char *keyname(const char *key, char out[48])
{
	if (strchr(key, ' ') || key[0] == '"')
		return key;
	snprintf(out, 48, "\"%s\"", key);
	return out;
}

static bool want_type(struct ctx *c, const struct jsonr_node *n, enum jsonr_type t, const char *what)
{
	enum jsonr_type got = jsonr_type(n);
	if (got == t || (t == JSONR_TRUE && got == JSONR_FALSE))
		return true;
	return bad(c, jsonr_line(n), "%s must be %s %s, not %s %s", what, t == JSONR_ARRAY || t == JSONR_OBJECT ? "an" : "a",
		   jsonr_type_name(t), got == JSONR_ARRAY || got == JSONR_OBJECT ? "an" : "a", jsonr_type_name(got));
}

/* Every member of `obj` must be named in keys[] (NULL-terminated; `keys2`
 * may add a second list) and appear once. */
static bool check_keys(struct ctx *c, const struct jsonr_node *obj, const char *what, const char *const *keys,
		       const char *const *keys2)
{
	size_t n1 = count_names(keys), n2 = keys2 ? count_names(keys2) : 0;
	uint64_t seen = 0;
	for (const struct jsonr_node *m = jsonr_first(obj); m; m = jsonr_next(m)) {
		size_t klen;
		const char *k = jsonr_key(m, &klen);
		int i = find_name(k, klen, keys, n1);
		if (i < 0 && keys2) {
			i = find_name(k, klen, keys2, n2);
			if (i >= 0)
				i += (int)n1;
		}
		char q[64];
		if (i < 0) {
			const char *hint = nearest(k, klen, keys, n1);
			if (!hint && keys2)
				hint = nearest(k, klen, keys2, n2);
			return bad(c, jsonr_key_line(m), "unknown key \"%s\" in %s%s%s%s", quote(k, klen, q), what,
				   hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
		}
		if (seen & (1ull << i))
			return bad(c, jsonr_key_line(m), "duplicate key \"%s\" in %s", quote(k, klen, q), what);
		seen |= 1ull << i;
	}
	return true;
}

/* The member `key` of obj, which must be present when `required`; *out is
 * NULL when an optional member is absent. */
static bool member(struct ctx *c, const struct jsonr_node *obj, const char *key, bool required, const char *what,
		   const struct jsonr_node **out)
{
	*out = jsonr_get(obj, key);
	if (!*out && required)
		return bad(c, jsonr_line(obj), "missing \"%s\" in %s", key, what);
	return true;
}

static bool get_number(struct ctx *c, const struct jsonr_node *n, const char *key, double lo, double hi, float *out)
{
	double v;
	char kn[48];
	if (!want_type(c, n, JSONR_NUMBER, keyname(key, kn)))
		return false;
	jsonr_num(n, &v);
	if (!(v >= lo && v <= hi))
		return bad(c, jsonr_line(n), "\"%s\" must be between %g and %g, not %g", key, lo, hi, v);
	*out = (float)v;
	return true;
}

static bool get_string(struct ctx *c, const struct jsonr_node *n, const char *key, size_t max, char *out)
{
	const char *s;
	size_t len;
	char kn[48];
	if (!want_type(c, n, JSONR_STRING, keyname(key, kn)))
		return false;
	jsonr_str(n, &s, &len);
	if (len == 0 || len >= max || memchr(s, '\0', len))
		return bad(c, jsonr_line(n), "\"%s\" must be 1 to %zu bytes without NUL", key, max - 1);
	memcpy(out, s, len + 1);
	return true;
}

static bool get_enum(struct ctx *c, const struct jsonr_node *n, const char *key, const char *const *names,
		     size_t count, int *out)
{
	const char *s;
	size_t len;
	char q[64], list[160], kn[48];
	if (!want_type(c, n, JSONR_STRING, keyname(key, kn)))
		return false;
	jsonr_str(n, &s, &len);
	int i = find_name(s, len, names, count);
	if (i < 0)
		return bad(c, jsonr_line(n), "unknown %s \"%s\" (expected %s)", key, quote(s, len, q),
			   list_names(names, count, list, sizeof list));
	*out = i;
	return true;
}

static bool get_color(struct ctx *c, const struct jsonr_node *n, const char *key, struct style_color *out)
{
	const char *s;
	size_t len;
	char q[64], kn[48];
	if (!want_type(c, n, JSONR_STRING, keyname(key, kn)))
		return false;
	jsonr_str(n, &s, &len);
	if (!style_parse_color(s, len, out))
		return bad(c, jsonr_line(n),
			   "bad color \"%s\" in \"%s\" (expected #rrggbb, #rrggbbaa, rgb(r, g, b) or rgba(r, g, b, a))",
			   quote(s, len, q), key);
	return true;
}

static bool opt_color(struct ctx *c, const struct jsonr_node *obj, const char *key, struct style_color *out)
{
	const struct jsonr_node *n = jsonr_get(obj, key);
	return !n || get_color(c, n, key, out);
}

static bool req_color(struct ctx *c, const struct jsonr_node *obj, const char *key, const char *what,
		      struct style_color *out)
{
	const struct jsonr_node *n;
	return member(c, obj, key, true, what, &n) && get_color(c, n, key, out);
}

/* A zoom-dependent number: 3.5, or {"stops": [[z, v], …], "base": b}. */
static bool get_value(struct ctx *c, const struct jsonr_node *n, const char *key, double lo, double hi,
		      struct style_value *out)
{
	memset(out, 0, sizeof *out);
	out->base = 1;
	out->nstops = 1;
	if (jsonr_type(n) == JSONR_NUMBER)
		return get_number(c, n, key, lo, hi, &out->v[0]);
	if (jsonr_type(n) != JSONR_OBJECT)
		return bad(c, jsonr_line(n), "\"%s\" must be a number or {\"stops\": [[zoom, value], …]}, not %s %s",
			   key, jsonr_type(n) == JSONR_ARRAY ? "an" : "a", jsonr_type_name(jsonr_type(n)));
	const struct jsonr_node *stops, *base;
	if (!check_keys(c, n, "a zoom function", value_keys, NULL) ||
	    !member(c, n, "stops", true, "a zoom function", &stops) || !want_type(c, stops, JSONR_ARRAY, "\"stops\""))
		return false;
	base = jsonr_get(n, "base");
	if (base && !get_number(c, base, "base", 0.1, 10, &out->base))
		return false;
	size_t count = jsonr_count(stops);
	if (count < 1 || count > STYLE_MAX_STOPS)
		return bad(c, jsonr_line(stops), "\"stops\" of \"%s\" needs 1 to %d [zoom, value] pairs, not %zu", key,
			   STYLE_MAX_STOPS, count);
	size_t i = 0;
	for (const struct jsonr_node *s = jsonr_first(stops); s; s = jsonr_next(s), i++) {
		if (jsonr_type(s) != JSONR_ARRAY || jsonr_count(s) != 2)
			return bad(c, jsonr_line(s), "each stop of \"%s\" must be a [zoom, value] pair", key);
		const struct jsonr_node *zn = jsonr_first(s), *vn = jsonr_next(zn);
		if (!get_number(c, zn, "stop zoom", 0, STYLE_ZOOM_MAX, &out->z[i]) ||
		    !get_number(c, vn, key, lo, hi, &out->v[i]))
			return false;
		if (i > 0 && !(out->z[i] > out->z[i - 1]))
			return bad(c, jsonr_line(s), "stop zooms of \"%s\" must increase: %g after %g", key,
				   (double)out->z[i], (double)out->z[i - 1]);
	}
	out->nstops = (uint8_t)count;
	return true;
}

static bool opt_value(struct ctx *c, const struct jsonr_node *obj, const char *key, double lo, double hi,
		      float dflt, struct style_value *out)
{
	const struct jsonr_node *n = jsonr_get(obj, key);
	if (n)
		return get_value(c, n, key, lo, hi, out);
	memset(out, 0, sizeof *out);
	out->base = 1;
	out->nstops = 1;
	out->v[0] = dflt;
	return true;
}

static bool req_value(struct ctx *c, const struct jsonr_node *obj, const char *key, const char *what, double lo,
		      double hi, struct style_value *out)
{
	const struct jsonr_node *n;
	return member(c, obj, key, true, what, &n) && get_value(c, n, key, lo, hi, out);
}

static bool want_object(struct ctx *c, const struct jsonr_node *n, const char *what, const char *const *keys)
{
	return want_type(c, n, JSONR_OBJECT, what) && check_keys(c, n, what, keys, NULL);
}

/* "filter": {"class": ["primary", …]} — roads only. */
static bool parse_filter(struct ctx *c, const struct jsonr_node *f, struct style_layer *l)
{
	if (!want_object(c, f, "\"filter\"", filter_keys))
		return false;
	const struct jsonr_node *cls = jsonr_get(f, "class");
	if (!cls)
		return true;
	if (l->source != STYLE_SRC_ROAD)
		return bad(c, jsonr_line(cls), "filter \"class\" applies to source \"road\" only, not \"%s\"",
			   source_names[l->source]);
	if (!want_type(c, cls, JSONR_ARRAY, "filter \"class\""))
		return false;
	if (jsonr_count(cls) == 0)
		return bad(c, jsonr_line(cls), "filter \"class\" is empty and would match nothing");
	l->class_mask = 0;
	for (const struct jsonr_node *e = jsonr_first(cls); e; e = jsonr_next(e)) {
		const char *s;
		size_t len;
		char q[64];
		if (!want_type(c, e, JSONR_STRING, "a road class"))
			return false;
		jsonr_str(e, &s, &len);
		enum road_class rc = strlen(s) == len ? profile_class(s) : RC_NONE;
		if (rc == RC_NONE) {
			static const char *const names[] = {
#define RC_NAME(e_, s_) s_,
				ROAD_CLASS_TABLE(RC_NAME)
#undef RC_NAME
			};
			const char *hint = nearest(s, len, names, RC_COUNT);
			return bad(c, jsonr_line(e), "unknown road class \"%s\"%s%s%s", quote(s, len, q),
				   hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
		}
		l->class_mask |= 1u << rc;
	}
	return true;
}

static bool parse_line(struct ctx *c, const struct jsonr_node *o, struct style_line *p)
{
	const struct jsonr_node *n;
	int v;
	p->join = STYLE_JOIN_ROUND;
	p->cap = STYLE_CAP_BUTT;
	if (!req_color(c, o, "color", "a line layer", &p->color) ||
	    !req_value(c, o, "width", "a line layer", 0, 100, &p->width))
		return false;
	if ((n = jsonr_get(o, "casing"))) {
		if (!want_object(c, n, "\"casing\"", casing_keys) || !req_color(c, n, "color", "\"casing\"", &p->casing_color) ||
		    !req_value(c, n, "width", "\"casing\"", 0, 50, &p->casing_width))
			return false;
		p->has_casing = true;
	}
	if ((n = jsonr_get(o, "dash"))) {
		if (!want_type(c, n, JSONR_ARRAY, "\"dash\""))
			return false;
		size_t count = jsonr_count(n);
		if (count < 2 || count > STYLE_MAX_DASH || count % 2)
			return bad(c, jsonr_line(n), "\"dash\" needs an even number (2 to %d) of lengths [on, off, …], not %zu",
				   STYLE_MAX_DASH, count);
		size_t i = 0;
		for (const struct jsonr_node *e = jsonr_first(n); e; e = jsonr_next(e), i++)
			if (!get_number(c, e, "dash length", 0.25, 256, &p->dash[i]))
				return false;
		p->ndash = (uint8_t)count;
	}
	if ((n = jsonr_get(o, "join"))) {
		if (!get_enum(c, n, "join", join_names, 3, &v))
			return false;
		p->join = (enum style_join)v;
	}
	if ((n = jsonr_get(o, "cap"))) {
		if (!get_enum(c, n, "cap", cap_names, 3, &v))
			return false;
		p->cap = (enum style_cap)v;
	}
	return true;
}

static bool parse_circle(struct ctx *c, const struct jsonr_node *o, struct style_circle *p)
{
	const struct jsonr_node *n;
	if (!req_value(c, o, "radius", "a circle layer", 0, 100, &p->radius) ||
	    !req_color(c, o, "color", "a circle layer", &p->color) || !opt_color(c, o, "stroke_color", &p->stroke_color) ||
	    !opt_value(c, o, "stroke_width", 0, 20, 0, &p->stroke_width))
		return false;
	if (!(n = jsonr_get(o, "cluster")))
		return true;
	const struct jsonr_node *mz, *cell;
	p->cluster_cell_px = 64;
	if (!want_object(c, n, "\"cluster\"", cluster_keys) || !member(c, n, "maxzoom", true, "\"cluster\"", &mz) ||
	    !get_number(c, mz, "maxzoom", 0, STYLE_ZOOM_MAX, &p->cluster_maxzoom) ||
	    ((cell = jsonr_get(n, "cell")) && !get_number(c, cell, "cell", 16, 512, &p->cluster_cell_px)) ||
	    !req_value(c, n, "radius", "\"cluster\"", 0, 100, &p->cluster_radius) ||
	    !req_color(c, n, "color", "\"cluster\"", &p->cluster_color) ||
	    !opt_color(c, n, "stroke_color", &p->cluster_stroke_color) ||
	    !opt_value(c, n, "stroke_width", 0, 20, 0, &p->cluster_stroke_width) ||
	    !req_color(c, n, "text_color", "\"cluster\"", &p->cluster_text_color) ||
	    !opt_value(c, n, "text_size", 4, 64, 11, &p->cluster_text_size))
		return false;
	p->has_cluster = true;
	return true;
}

static bool parse_label(struct ctx *c, const struct jsonr_node *o, struct style_label *p)
{
	static const char *const fields[] = {"name"};
	const struct jsonr_node *n;
	int v;
	/* Only names are labelled today; the key exists so a style says so. */
	if ((n = jsonr_get(o, "field")) && !get_enum(c, n, "field", fields, 1, &v))
		return false;
	return req_value(c, o, "size", "a label layer", 4, 64, &p->size) &&
	       req_color(c, o, "color", "a label layer", &p->color) && opt_color(c, o, "halo_color", &p->halo_color) &&
	       opt_value(c, o, "halo_width", 0, 10, 0, &p->halo_width);
}

static bool parse_coverage(struct ctx *c, const struct jsonr_node *o, struct style_coverage *p)
{
	const struct jsonr_node *bands, *gap, *n;
	if (!member(c, o, "bands", true, "a coverage layer", &bands) || !want_type(c, bands, JSONR_ARRAY, "\"bands\""))
		return false;
	size_t count = jsonr_count(bands);
	if (count < 1 || count > STYLE_MAX_BANDS)
		return bad(c, jsonr_line(bands), "\"bands\" needs 1 to %d bands, not %zu", STYLE_MAX_BANDS, count);
	size_t i = 0;
	for (const struct jsonr_node *b = jsonr_first(bands); b; b = jsonr_next(b), i++) {
		struct style_band *band = &p->band[i];
		if (!want_object(c, b, "a band", band_keys) || !member(c, b, "max_minutes", true, "a band", &n) ||
		    !get_number(c, n, "max_minutes", 0.1, 1440, &band->max_minutes) ||
		    !req_color(c, b, "color", "a band", &band->color))
			return false;
		if (i > 0 && !(band->max_minutes > p->band[i - 1].max_minutes))
			return bad(c, jsonr_line(n), "band \"max_minutes\" must increase: %g after %g",
				   (double)band->max_minutes, (double)p->band[i - 1].max_minutes);
	}
	p->nbands = (uint8_t)count;
	if (!opt_value(c, o, "width", 0, 256, 4, &p->width))
		return false;
	if (!(gap = jsonr_get(o, "gap")))
		return true;
	p->hatch_spacing_px = 8;
	p->hatch_width_px = 1;
	if (!want_object(c, gap, "\"gap\"", gap_keys) || !req_color(c, gap, "color", "\"gap\"", &p->gap_color) ||
	    !opt_color(c, gap, "hatch_color", &p->hatch_color) ||
	    ((n = jsonr_get(gap, "hatch_spacing")) && !get_number(c, n, "hatch_spacing", 2, 64, &p->hatch_spacing_px)) ||
	    ((n = jsonr_get(gap, "hatch_width")) && !get_number(c, n, "hatch_width", 0.25, 16, &p->hatch_width_px)))
		return false;
	p->has_gap = true;
	return true;
}

static bool parse_layer(struct ctx *c, const struct jsonr_node *o, struct style_layer *l)
{
	/* Every key any layer may have, for the first typo check. */
	static const char *const all_keys[] = {"color", "width", "casing", "dash", "join", "cap", "radius",
					       "stroke_color", "stroke_width", "cluster", "field", "size",
					       "halo_color", "halo_width", "bands", "gap", NULL};
	const struct jsonr_node *n;
	const char *s;
	size_t len;
	char q[64], list[160];
	int v;
	memset(l, 0, sizeof *l);
	l->file_line = jsonr_line(o);
	l->maxzoom = STYLE_ZOOM_MAX;
	l->class_mask = UINT32_MAX;
	if (!want_type(c, o, JSONR_OBJECT, "a layer"))
		return false;
	/* Name the layer in messages as early as possible, even those about
	 * its keys; a bad id is reported below. */
	if ((n = jsonr_get(o, "id")) && jsonr_str(n, &s, &len) && len > 0 && len < STYLE_ID_MAX &&
	    !memchr(s, '\0', len)) {
		memcpy(l->id, s, len + 1);
		c->layer = l->id;
	}
	if (!check_keys(c, o, "a layer", common_keys, all_keys) ||
	    !member(c, o, "id", true, "a layer", &n) || !get_string(c, n, "id", STYLE_ID_MAX, l->id))
		return false;
	c->layer = l->id;
	if (!member(c, o, "type", true, "the layer", &n) || !want_type(c, n, JSONR_STRING, "\"type\""))
		return false;
	jsonr_str(n, &s, &len);
	if ((v = find_name(s, len, type_names, STYLE_TYPE_COUNT)) < 0)
		return bad(c, jsonr_line(n), "unknown layer type \"%s\" (expected %s)", quote(s, len, q),
			   list_names(type_names, STYLE_TYPE_COUNT, list, sizeof list));
	l->type = (enum style_type)v;
	if (!member(c, o, "source", true, "the layer", &n) || !want_type(c, n, JSONR_STRING, "\"source\""))
		return false;
	jsonr_str(n, &s, &len);
	if ((v = find_name(s, len, source_names, STYLE_SOURCE_COUNT)) < 0)
		return bad(c, jsonr_line(n), "unknown source \"%s\" (expected %s)", quote(s, len, q),
			   list_names(source_names, STYLE_SOURCE_COUNT, list, sizeof list));
	l->source = (enum style_source)v;
	if (!(type_sources[l->type] & SRC(l->source)))
		return bad(c, jsonr_line(n), "a %s layer cannot draw source \"%s\"", type_names[l->type],
			   source_names[l->source]);
	/* Now the keys this type allows: "radius" on a line layer is a mistake. */
	for (const struct jsonr_node *m = jsonr_first(o); m; m = jsonr_next(m)) {
		size_t klen;
		const char *k = jsonr_key(m, &klen);
		if (find_name(k, klen, common_keys, SIZE_MAX) < 0 && find_name(k, klen, type_keys[l->type], SIZE_MAX) < 0)
			return bad(c, jsonr_key_line(m), "key \"%s\" does not apply to a %s layer", quote(k, klen, q),
				   type_names[l->type]);
	}
	if (((n = jsonr_get(o, "minzoom")) && !get_number(c, n, "minzoom", 0, STYLE_ZOOM_MAX, &l->minzoom)) ||
	    ((n = jsonr_get(o, "maxzoom")) && !get_number(c, n, "maxzoom", 0, STYLE_ZOOM_MAX, &l->maxzoom)))
		return false;
	if (l->minzoom > l->maxzoom)
		return bad(c, n ? jsonr_line(n) : l->file_line, "minzoom %g is greater than maxzoom %g",
			   (double)l->minzoom, (double)l->maxzoom);
	if ((n = jsonr_get(o, "description")) && !want_type(c, n, JSONR_STRING, "\"description\""))
		return false;
	if ((n = jsonr_get(o, "filter")) && !parse_filter(c, n, l))
		return false;
	switch (l->type) {
	case STYLE_FILL:
		return req_color(c, o, "color", "a fill layer", &l->fill.color);
	case STYLE_LINE:
		return parse_line(c, o, &l->line);
	case STYLE_CIRCLE:
		return parse_circle(c, o, &l->circle);
	case STYLE_LABEL:
		return parse_label(c, o, &l->label);
	case STYLE_COVERAGE:
		return parse_coverage(c, o, &l->coverage);
	case STYLE_TYPE_COUNT:
		break;
	}
	return false;
}

/* Casing runs (see struct style_layer): maximal spans of adjacent line
 * layers that have a casing. */
static void find_runs(struct style *s)
{
	for (size_t i = 0; i < s->nlayers;) {
		size_t j = i + 1;
		bool cased = s->layers[i].type == STYLE_LINE && s->layers[i].line.has_casing;
		while (cased && j < s->nlayers && s->layers[j].type == STYLE_LINE && s->layers[j].line.has_casing)
			j++;
		for (size_t k = i; k < j; k++) {
			s->layers[k].run_first = (uint16_t)i;
			s->layers[k].run_last = (uint16_t)(j - 1);
		}
		i = j;
	}
}

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

enum yz_err style_parse(const char *text, size_t len, struct style **out, struct yz_errbuf *eb)
{
	struct jsonr_doc *doc = NULL;
	struct style *s = NULL;
	struct ctx c = {.eb = eb};
	const struct jsonr_node *n, *layers;
	enum yz_err err;
	*out = NULL;
	if ((err = jsonr_parse(text, len, &doc, eb)) != YZ_OK)
		return err;
	err = YZ_EPARSE;
	const struct jsonr_node *root = jsonr_root(doc);
	if (!want_object(&c, root, "the style", top_keys) || !member(&c, root, "layers", true, "the style", &layers) ||
	    !want_type(&c, layers, JSONR_ARRAY, "\"layers\""))
		goto done;
	size_t count = jsonr_count(layers);
	if (count > STYLE_MAX_LAYERS) {
		bad(&c, jsonr_line(layers), "%zu layers, more than %d", count, STYLE_MAX_LAYERS);
		goto done;
	}
	s = calloc(1, sizeof *s + count * sizeof s->layers[0]);
	if (!s) {
		err = yz_fail(eb, YZ_ENOMEM, "line %u: out of memory for %zu layers", jsonr_line(layers), count);
		goto done;
	}
	s->nlayers = count;
	s->hash = fnv1a(text, len);
	if (!member(&c, root, "name", true, "the style", &n) || !get_string(&c, n, "name", STYLE_NAME_MAX, s->name) ||
	    !req_color(&c, root, "background", "the style", &s->background) ||
	    ((n = jsonr_get(root, "description")) && !want_type(&c, n, JSONR_STRING, "\"description\"")))
		goto done;
	size_t i = 0;
	for (const struct jsonr_node *o = jsonr_first(layers); o; o = jsonr_next(o), i++) {
		c.layer = NULL;
		if (!parse_layer(&c, o, &s->layers[i]))
			goto done;
		c.layer = NULL;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->layers[j].id, s->layers[i].id)) {
				char q[64];
				bad(&c, s->layers[i].file_line, "duplicate layer id \"%s\" (first on line %u)",
				    quote(s->layers[i].id, strlen(s->layers[i].id), q), s->layers[j].file_line);
				goto done;
			}
	}
	find_runs(s);
	*out = s;
	s = NULL;
	err = YZ_OK;
done:
	free(s);
	jsonr_free(doc);
	return err;
}

enum yz_err style_load_file(const char *path, struct style **out, struct yz_errbuf *eb)
{
	enum yz_err err;
	char *text = NULL;
	struct yz_errbuf inner;
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return yz_fail(eb, errno == ENOENT ? YZ_ENOTFOUND : YZ_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		err = yz_fail(eb, YZ_EIO, "%s: not a regular file", path);
		goto done;
	}
	if (st.st_size > (off_t)JSONR_MAX_INPUT) {
		err = yz_fail(eb, YZ_ELIMIT, "%s: %lld bytes, more than the %u-byte limit of a style", path,
			      (long long)st.st_size, JSONR_MAX_INPUT);
		goto done;
	}
	/* Ask for one byte more than fstat reported: a file that grew since
	 * (an editor saving) is reported rather than parsed cut short. */
	size_t cap = (size_t)st.st_size + 1, len = 0, got;
	if (!(text = malloc(cap))) {
		err = yz_fail(eb, YZ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	while (len < cap && (got = fread(text + len, 1, cap - len, f)) > 0)
		len += got;
	if (ferror(f)) {
		err = yz_fail(eb, YZ_EIO, "%s: read error", path);
		goto done;
	}
	if (len == cap) {
		err = yz_fail(eb, YZ_EIO, "%s: the file grew while being read", path);
		goto done;
	}
	if ((err = style_parse(text, len, out, &inner)) != YZ_OK)
		yz_fail(eb, err, "%s: %s", path, inner.msg);
done:
	free(text);
	fclose(f);
	return err;
}

void style_free(struct style *s)
{
	free(s);
}

const char *style_name(const struct style *s)
{
	return s->name;
}

struct style_color style_background(const struct style *s)
{
	return s->background;
}

uint64_t style_hash(const struct style *s)
{
	return s->hash;
}

size_t style_layer_count(const struct style *s)
{
	return s->nlayers;
}

const struct style_layer *style_layer(const struct style *s, size_t i)
{
	return i < s->nlayers ? &s->layers[i] : NULL;
}

bool style_visible(const struct style_layer *l, float zoom)
{
	return zoom >= l->minzoom && zoom <= l->maxzoom;
}

const struct style_layer *style_next_visible(const struct style *s, const struct style_layer *prev, float zoom)
{
	size_t i = prev ? (size_t)(prev - s->layers) + 1 : 0;
	for (; i < s->nlayers; i++)
		if (style_visible(&s->layers[i], zoom))
			return &s->layers[i];
	return NULL;
}

float style_eval_width(const struct style_value *v, float zoom)
{
	size_t n = v->nstops;
	if (n == 0)
		return 0;
	/* The negated test also sends a NaN zoom to the first value. */
	if (!(zoom > v->z[0]) || n == 1)
		return v->v[0];
	if (zoom >= v->z[n - 1])
		return v->v[n - 1];
	size_t i = 1;
	while (zoom >= v->z[i])
		i++;
	double z0 = v->z[i - 1], z1 = v->z[i], a = v->v[i - 1], b = v->v[i];
	double t = (zoom - z0) / (z1 - z0);
	if (v->base != 1.0f) {
		/* Mapbox GL's exponential interpolation: the value grows by the
		 * factor `base` per zoom level between the two stops. */
		double den = pow(v->base, z1 - z0) - 1;
		if (den != 0)
			t = (pow(v->base, zoom - z0) - 1) / den;
	}
	return (float)(a + t * (b - a));
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0'
	       : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	       : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/* An integer 0..255 of decimal digits. */
static bool color_int(const char **p, const char *end, uint8_t *out)
{
	unsigned v = 0, digits = 0;
	skip_spaces(p, end);
	while (*p < end && **p >= '0' && **p <= '9' && digits < 4) {
		v = v * 10 + (unsigned)(**p - '0');
		(*p)++;
		digits++;
	}
	skip_spaces(p, end);
	if (digits == 0 || v > 255)
		return false;
	*out = (uint8_t)v;
	return true;
}

/* An alpha 0..1 written as digits with an optional fraction ("0.35", ".5", "1"). */
static bool color_alpha(const char **p, const char *end, uint8_t *out)
{
	double v = 0, scale = 1;
	unsigned digits = 0;
	skip_spaces(p, end);
	while (*p < end && **p >= '0' && **p <= '9' && digits < 8) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	if (*p < end && **p == '.') {
		(*p)++;
		while (*p < end && **p >= '0' && **p <= '9' && digits < 16) {
			scale /= 10;
			v += (**p - '0') * scale;
			(*p)++;
			digits++;
		}
	}
	skip_spaces(p, end);
	if (digits == 0 || v > 1)
		return false;
	*out = (uint8_t)lround(v * 255);
	return true;
}

bool style_parse_color(const char *s, size_t len, struct style_color *out)
{
	struct style_color col = {0, 0, 0, 255};
	if (len > 0 && s[0] == '#') {
		if (len != 7 && len != 9)
			return false;
		uint8_t b[4] = {0, 0, 0, 255};
		for (size_t i = 1; i < len; i += 2) {
			int hi = hexval(s[i]), lo = hexval(s[i + 1]);
			if (hi < 0 || lo < 0)
				return false;
			b[i / 2] = (uint8_t)(hi * 16 + lo);
		}
		*out = (struct style_color){b[0], b[1], b[2], b[3]};
		return true;
	}
	const char *p = s, *end = s + len;
	bool alpha;
	if (len > 5 && !memcmp(s, "rgba(", 5)) {
		alpha = true;
		p += 5;
	} else if (len > 4 && !memcmp(s, "rgb(", 4)) {
		alpha = false;
		p += 4;
	} else {
		return false;
	}
	if (!color_int(&p, end, &col.r) || p >= end || *p++ != ',' || !color_int(&p, end, &col.g) || p >= end ||
	    *p++ != ',' || !color_int(&p, end, &col.b))
		return false;
	if (alpha && (p >= end || *p++ != ',' || !color_alpha(&p, end, &col.a)))
		return false;
	if (p >= end || *p++ != ')' || p != end)
		return false;
	*out = col;
	return true;
}

const char *style_type_name(enum style_type t)
{
	return (unsigned)t < STYLE_TYPE_COUNT ? type_names[t] : "?";
}

const char *style_source_name(enum style_source s)
{
	return (unsigned)s < STYLE_SOURCE_COUNT ? source_names[s] : "?";
}
