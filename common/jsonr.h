/* jsonr.h — a small strict JSON reader that builds a read-only tree.
 *
 * Strict RFC 8259: no comments, no trailing commas, no single quotes, no
 * NaN/Infinity, no leading zeros or '+' on numbers, strings in valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF are refused, as
 * are unpaired \uD800..\uDFFF escapes and raw control characters).  One
 * leading UTF-8 byte order mark is skipped, since editors add it.  Duplicate
 * object keys are kept (RFC 8259 allows them); jsonr_get returns the first,
 * and callers that care (the style parser) refuse them while walking.
 *
 * The whole tree lives in one allocation sized by a first validating pass, so
 * jsonr_free is a single free and a parsed document costs about 40 bytes per
 * value plus the decoded strings.  Every node remembers the line and column
 * where its value starts, so the caller's own semantic errors can name the
 * line ("line 30: unknown layer type \"fil\"").
 *
 * Parsing is a pure function over bytes (it is fuzzed: tests/fuzz/fuzz_jsonr.c).
 * A parsed document is immutable and may be read from several threads. */
#ifndef YZ_JSONR_H
#define YZ_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Largest accepted input; longer inputs fail with YZ_ELIMIT. */
#define JSONR_MAX_INPUT (1u << 20)
/* Deepest nesting of arrays and objects; deeper input fails with YZ_ELIMIT. */
#define JSONR_MAX_DEPTH 64

enum jsonr_type { JSONR_NULL, JSONR_FALSE, JSONR_TRUE, JSONR_NUMBER, JSONR_STRING, JSONR_ARRAY, JSONR_OBJECT };

struct jsonr_doc;  /* opaque: a parsed document */
struct jsonr_node; /* opaque: one value inside a document */

/* Parsing and freeing */

/* Parse `len` bytes of `text` (need not be NUL-terminated) into a new
 * document stored in *doc, which the caller frees with jsonr_free.
 * Fails with YZ_EPARSE on a syntax error, YZ_ELIMIT when the input is longer
 * than JSONR_MAX_INPUT or nests deeper than JSONR_MAX_DEPTH, YZ_ENOMEM; on
 * failure *doc is NULL and `eb` (may be NULL) holds
 * "line L, column C: what was expected", columns counting characters from 1. */
enum yz_err jsonr_parse(const char *text, size_t len, struct jsonr_doc **doc, struct yz_errbuf *eb);
/* Free a document and every node in it; NULL is fine. */
void jsonr_free(struct jsonr_doc *doc);

/* The top-level value; never NULL for a parsed document.  Every node pointer
 * returned by the functions below is borrowed from its document and lives
 * until jsonr_free. */
const struct jsonr_node *jsonr_root(const struct jsonr_doc *doc);

/* Any node */

enum jsonr_type jsonr_type(const struct jsonr_node *n);
/* "null", "false", "true", "number", "string", "array", "object". */
const char *jsonr_type_name(enum jsonr_type t);
/* Line (from 1) and column (in characters, from 1) where the value starts. */
unsigned jsonr_line(const struct jsonr_node *n);
unsigned jsonr_col(const struct jsonr_node *n);

/* Scalars: each returns false (and leaves *out alone) when `n` has another
 * type.  A string is NUL-terminated and valid UTF-8; it may hold NUL bytes
 * (from \u0000), so *len_out (may be NULL) is its length in bytes. */
bool jsonr_num(const struct jsonr_node *n, double *out);
bool jsonr_bool(const struct jsonr_node *n, bool *out);
bool jsonr_str(const struct jsonr_node *n, const char **out, size_t *len_out);

/* Containers */

/* Number of elements of an array or members of an object; 0 for scalars. */
size_t jsonr_count(const struct jsonr_node *n);
/* Iteration in document order: jsonr_first gives the first element (array) or
 * member value (object), NULL when empty or not a container; jsonr_next the
 * following sibling, NULL after the last.
 *     for (c = jsonr_first(arr); c; c = jsonr_next(c)) ... */
const struct jsonr_node *jsonr_first(const struct jsonr_node *n);
const struct jsonr_node *jsonr_next(const struct jsonr_node *n);
/* For a member value reached by iterating an object: its key (NUL-terminated,
 * may hold NUL bytes: see *len_out, which may be NULL) and the line of the
 * key; NULL / 0 for nodes that are not object members. */
const char *jsonr_key(const struct jsonr_node *n, size_t *len_out);
unsigned jsonr_key_line(const struct jsonr_node *n);
/* The value of the first member named `key` (NUL-terminated), or NULL when
 * there is none or `obj` is not an object.  Linear in the member count. */
const struct jsonr_node *jsonr_get(const struct jsonr_node *obj, const char *key);
/* Element i of an array, or NULL when out of range.  Linear in i. */
const struct jsonr_node *jsonr_at(const struct jsonr_node *arr, size_t i);

#endif
