/* json.h — a streaming JSON writer on top of `struct buf`.
 *
 * The writer only appends: no tree is built, so a response of any size costs
 * one growing buffer.  Commas and colons are automatic: call json_key() and
 * then exactly one value (a scalar or a whole container) for each object
 * member, and plain values inside arrays.
 *
 * Failure is sticky and lives in the buffer: every function here returns
 * void, and when memory runs out, when nesting exceeds JSON_MAX_DEPTH, or when
 * the calls do not form one well-formed value (a value in an object without a
 * key, a key in an array, an end that does not match its begin, a second value
 * at the top level) the buffer's `failed` flag is set and every later call is
 * a no-op.  The owner checks json_ok() (or `out->failed`) once at the end and
 * throws the output away if it failed.  One writer writes one JSON value;
 * start another writer for the next document.
 *
 * Output is always valid UTF-8: strings are escaped per RFC 8259 and invalid
 * UTF-8 in them is replaced by U+FFFD. */
#ifndef YZ_JSON_H
#define YZ_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Deepest nesting of objects and arrays; GeoJSON needs about 6. */
#define JSON_MAX_DEPTH 32

/* Writer state: caller storage, no heap of its own.  Fields are private. */
struct json {
	struct buf *out;                /* borrowed; must outlive the writer */
	unsigned depth;                 /* open containers, 0..JSON_MAX_DEPTH */
	bool after_key;                 /* a key was written, its value is due */
	bool first[JSON_MAX_DEPTH + 1]; /* first[d]: nothing written yet at depth d */
	char kind[JSON_MAX_DEPTH + 1];  /* kind[d]: '{' or '[' for d >= 1, 0 at top */
};

/* Lifecycle.  json_init starts a writer that appends to `out` (which may
 * already hold text); there is nothing to finish or free.  json_ok is true when
 * nothing failed and every container has been closed (no key left without its
 * value): only then is the appended text a complete JSON value. */
void json_init(struct json *j, struct buf *out);
bool json_ok(const struct json *j);

/* Containers.  Each begin must be matched by the end of the same kind;
 * nesting deeper than JSON_MAX_DEPTH, a mismatched end, or an end with a key
 * still waiting for its value marks the buffer failed. */
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);

/* Object member name, escaped like json_str.  Only valid directly inside an
 * object and not right after another key; the next call must write a value.
 * `key` is a NUL-terminated string, borrowed for the call. */
void json_key(struct json *j, const char *key);

/* Strings.  json_str takes a NUL-terminated string (NULL writes null);
 * json_strn takes `n` bytes that may contain NUL (written as \u0000).
 * Escapes '"', '\\' and U+0000..U+001F (as \u00XX); copies valid UTF-8 as is;
 * replaces each maximal ill-formed subsequence (overlong forms, surrogates,
 * code points above U+10FFFF, truncated or stray bytes) by one U+FFFD, as the
 * Unicode standard recommends. */
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);

/* Numbers.  json_num writes `v` with `decimals` digits after the point
 * (clamped to 0..17), then trims trailing zeros and a bare point; a result of
 * "-0" is written as 0; NaN and infinities are written as null. */
void json_int(struct json *j, long long v);
void json_uint(struct json *j, unsigned long long v);
void json_num(struct json *j, double v, int decimals);

/* Literals. */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* A pre-encoded JSON value, copied verbatim: the caller vouches that `s` is
 * one complete, valid JSON value in UTF-8.  Borrowed for the call. */
void json_raw(struct json *j, const char *s);

/* A GeoJSON position: [lon,lat] with 7 decimals (about 1 cm), trimmed. */
void json_lonlat(struct json *j, double lon, double lat);
/* The same from 1e-7 degree integers (exact, and about twice as fast). */
void json_lonlat_e7(struct json *j, int32_t lon_e7, int32_t lat_e7);

#endif
