/* jval.h — a strict JSON reader for the tests: parses a document into a tree
 * the tests walk to check response shapes.
 *
 * Strict per RFC 8259: one value with optional whitespace around it, no
 * trailing commas, no comments, no NaN, numbers in the RFC grammar, strings
 * of valid UTF-8 (no overlong forms, no encoded surrogates), no raw control
 * characters, \u escapes with paired surrogates.  So "jval_parse succeeded"
 * is the test's "this is valid JSON".  Nesting deeper than JVAL_MAX_DEPTH is
 * refused.  Not meant for speed: every node is its own allocation. */
#ifndef YZ_TESTS_JVAL_H
#define YZ_TESTS_JVAL_H

#include <stdbool.h>
#include <stddef.h>

#define JVAL_MAX_DEPTH 64

enum jval_type { JVAL_NULL, JVAL_BOOL, JVAL_NUM, JVAL_STR, JVAL_ARR, JVAL_OBJ };

struct jval {
	enum jval_type type;
	bool b;              /* JVAL_BOOL */
	double num;          /* JVAL_NUM */
	char *str;           /* JVAL_STR: decoded UTF-8, NUL-terminated (may hold
			      * NULs from \u0000: use len) */
	size_t len;          /* JVAL_STR: bytes of str */
	size_t count;        /* JVAL_ARR / JVAL_OBJ: elements or members */
	struct jval *items;  /* elements, or member values */
	char **keys;         /* JVAL_OBJ: member names, in document order */
};

/* Parse `len` bytes of `text`.  Returns a tree owned by the caller (free with
 * jval_free), or NULL with a message "offset 17: …" in `err` (size `errlen`,
 * may be 0). */
struct jval *jval_parse(const char *text, size_t len, char *err, size_t errlen);
void jval_free(struct jval *v);

/* Lookups: NULL when `v` is NULL, of the wrong type, or has no such member /
 * element.  Results are borrowed from the tree.
 *
 * jval_get: the first member named `key` of an object.
 * jval_at: element `i` of an array.
 * jval_path: a dotted path of member names and array indexes, e.g.
 * "dataset.modes.walk.nodes" or "features.0.geometry.type". */
const struct jval *jval_get(const struct jval *v, const char *key);
const struct jval *jval_at(const struct jval *v, size_t i);
const struct jval *jval_path(const struct jval *v, const char *path);

/* Typed views: the string (NULL unless JVAL_STR), whether `v` is a number
 * (and its value through `out`), the element/member count (0 unless an
 * array or object). */
const char *jval_str(const struct jval *v);
bool jval_num(const struct jval *v, double *out);
size_t jval_count(const struct jval *v);

/* Deep equality; object members compare in order, numbers by value. */
bool jval_equal(const struct jval *a, const struct jval *b);

#endif
