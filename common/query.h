/* query.h — URL query strings and the typed parameters of the HTTP API.
 *
 * Everything here is a pure function over bytes that face the public
 * internet: no allocation, no global state, no locale beyond the C library's
 * default "C" (the server never calls setlocale for LC_NUMERIC), and each
 * one has a libFuzzer target (tests/fuzz/fuzz_query.c).
 *
 * Errors follow err.h.  The codes are used consistently:
 *   YZ_EPARSE  malformed text: not a number, a bad %-escape, an unknown word;
 *   YZ_ERANGE  a well-formed value outside its range (lat 91, k 0, an
 *              inverted bbox, a number too large for a double);
 *   YZ_ELIMIT  a documented size limit: too many parameters, a query string
 *              too long, too many minutes values, a bbox area too large.
 * On failure `eb` (which may be NULL) gets one line that names the parameter,
 * e.g. `lat: 91 is out of range [-90, 90]`; excerpts of the input in it are
 * shortened and stripped of control characters.  On failure the out
 * parameters are left untouched. */
#ifndef YZ_QUERY_H
#define YZ_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Limits of the contract (SPEC §4): a longer query string or more pairs is
 * YZ_ELIMIT. */
#define QUERY_MAX_PARAMS 32
#define QUERY_MAX_BYTES 4096
/* Most values query_minutes can return, whatever its caller allows. */
#define QUERY_MINUTES_MAX 64

/* A decoded query string.  Caller storage (about 4.4 KiB, fine on a worker's
 * stack); all text lives inline, so the struct owns no heap and may be copied.
 * Read it with the functions below; the fields are private. */
struct query {
	unsigned count; /* pairs stored, 0..QUERY_MAX_PARAMS, in input order */
	struct {
		uint16_t key, value; /* offsets of NUL-terminated text in `text` */
	} pair[QUERY_MAX_PARAMS];
	/* Decoding never lengthens text; each key and value adds one NUL. */
	char text[QUERY_MAX_BYTES + 2 * QUERY_MAX_PARAMS];
};

/* Parsing.
 *
 * query_parse splits the `len` bytes at `raw` (the part of a URL after '?',
 * which may itself start with one '?' that is ignored; `raw` may be NULL when
 * `len` is 0) into `key=value` pairs at '&', decodes '+' as a space and %XX
 * escapes (either hex case) in keys and values, and stores the pairs in `q`.
 * Empty pairs (`a=1&&b=2`, a trailing '&') are skipped; a pair without '='
 * has the value ""; an empty key (`=x`) is kept as the key "".  Keys compare
 * case-sensitively.  Duplicate keys are all stored, and query_get returns the
 * first: `k=1&k=2` means k=1.
 *
 * Returns YZ_OK; YZ_ELIMIT when `len` > QUERY_MAX_BYTES or there are more than
 * QUERY_MAX_PARAMS pairs; YZ_EPARSE for a '%' not followed by two hex digits
 * or for a NUL byte, raw or decoded.  On failure `q` is left empty (count 0),
 * never half-filled.  `q` needs no init and no fini beyond query_fini. */
enum yz_err query_parse(const char *raw, size_t len, struct query *q, struct yz_errbuf *eb);

/* Leave `q` empty.  The struct owns no heap; this exists so callers can treat
 * every struct the same way. */
void query_fini(struct query *q);

/* The decoded value of the first pair named `key` (NUL-terminated, not NULL),
 * or NULL when there is none.  The string lives in `q`: valid until `q` is
 * parsed into again or goes out of scope. */
const char *query_get(const struct query *q, const char *key);

/* Iteration in input order, for i < query_count(q) (duplicates included).
 * Same lifetime as query_get's result. */
unsigned query_count(const struct query *q);
const char *query_key(const struct query *q, unsigned i);
const char *query_value(const struct query *q, unsigned i);

/* Typed parameters.
 *
 * Each parser reads the whole NUL-terminated string `s` (NULL is reported as
 * a missing parameter, YZ_EPARSE) and is strict: no leading or trailing
 * spaces, no hex, NaN or infinity.  A number is [+-]digits[.digits][e[+-]digits]
 * (".5" and "5." are accepted, as are leading zeros) in at most 64 bytes.
 * `name` is the parameter's name for messages and must not be NULL; it is
 * borrowed for the call. */

/* A number in [min, max].  YZ_EPARSE when malformed, YZ_ERANGE when outside
 * the range or too large for a double (1e999).  Underflow rounds toward 0;
 * -0 is stored as 0. */
enum yz_err query_double(const char *name, const char *s, double min, double max,
			 double *out, struct yz_errbuf *eb);

/* An integer [+-]digits in [min, max].  YZ_EPARSE when malformed (also "1.0",
 * "1e3"), YZ_ERANGE when outside the range or beyond `long`. */
enum yz_err query_int(const char *name, const char *s, long min, long max, long *out,
		      struct yz_errbuf *eb);

/* A point "lon,lat": two numbers and exactly one comma, lon in [-180, 180],
 * lat in [-90, 90].  YZ_EPARSE when malformed, YZ_ERANGE when outside. */
enum yz_err query_lonlat(const char *name, const char *s, double *lon, double *lat,
			 struct yz_errbuf *eb);

/* A box "w,s,e,n" (RFC 7946 order) into out[0..3]: w and e in [-180, 180],
 * s and n in [-90, 90], w < e and s < n (a box crossing the antimeridian is
 * not supported).  YZ_EPARSE when malformed, YZ_ERANGE when a coordinate is
 * outside its range or the box is inverted or empty, YZ_ELIMIT when
 * (e - w) * (n - s) exceeds `max_area_deg2` (pass HUGE_VAL for no bound). */
enum yz_err query_bbox(const char *name, const char *s, double out[4], double max_area_deg2,
		       struct yz_errbuf *eb);

/* Time limits "5,10,15": one or more comma-separated numbers, each in
 * (0, max_minutes].  At most `max_count` values may be given (counting
 * repeats), else YZ_ELIMIT; `out` must have room for `max_count`, and
 * max_count above QUERY_MINUTES_MAX counts as QUERY_MINUTES_MAX.  The values
 * are stored sorted ascending without repeats, their number in `*count`
 * (1..max_count).  YZ_EPARSE when malformed (also "" and "5,,10"), YZ_ERANGE
 * when a value is out of range. */
enum yz_err query_minutes(const char *name, const char *s, double *out, int max_count,
			  double max_minutes, int *count, struct yz_errbuf *eb);

/* Service keys of services.h, separated by ',' or ';', case-insensitive,
 * spaces around each key ignored, empty items skipped (so "" is the empty
 * set).  Stores the bit set in `*mask`.  YZ_EPARSE naming the first unknown
 * key. */
enum yz_err query_services(const char *name, const char *s, uint32_t *mask,
			   struct yz_errbuf *eb);

/* A flag: 1, true, yes, on → 1; 0, false, no, off → 0 (ASCII
 * case-insensitive).  Anything else, "" included, is YZ_EPARSE. */
enum yz_err query_bool(const char *name, const char *s, int *out, struct yz_errbuf *eb);

#endif
