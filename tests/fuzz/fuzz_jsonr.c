/* fuzz_jsonr.c — libFuzzer target for the strict JSON reader (common/jsonr.c).
 *
 * Checks on each input, each aborting on a violation:
 *   1. a failure leaves no document and a message "line L, column C: …";
 *   2. a parsed tree is consistent: counts match iteration, lines and columns
 *      are ≥ 1 and never go backwards in document order, keys exist exactly on
 *      object members, strings are NUL-terminated valid UTF-8 of their length;
 *   3. round trip: the tree written back as JSON (numbers with %.17g) parses
 *      again to an equal tree.
 * Replay without libFuzzer with tests/fuzz/replay.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/jsonr.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An independent UTF-8 check (decode and re-range), not jsonr's own. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], cp, len;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			cp = c & 0x1F;
			len = 2;
		} else if ((c & 0xF0) == 0xE0) {
			cp = c & 0x0F;
			len = 3;
		} else if ((c & 0xF8) == 0xF0) {
			cp = c & 0x07;
			len = 4;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

static void check_str(const char *s, size_t len)
{
	CHECK(s != NULL);
	CHECK(s[len] == '\0');
	CHECK(valid_utf8((const unsigned char *)s, len));
}

static void write_str(struct buf *b, const char *s, size_t len)
{
	buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			buf_printf(b, "\\u%04x", c);
		else
			buf_addc(b, (char)c);
	}
	buf_addc(b, '"');
}

/* Check node invariants and write it back as JSON. */
static void walk(const struct jsonr_node *n, unsigned *line, unsigned *col, int depth, struct buf *out)
{
	CHECK(depth <= JSONR_MAX_DEPTH);
	CHECK(jsonr_line(n) >= 1 && jsonr_col(n) >= 1);
	CHECK(jsonr_line(n) > *line || (jsonr_line(n) == *line && jsonr_col(n) > *col));
	*line = jsonr_line(n);
	*col = jsonr_col(n);
	double d;
	bool b;
	const char *s;
	size_t len;
	enum jsonr_type t = jsonr_type(n);
	CHECK(jsonr_num(n, &d) == (t == JSONR_NUMBER));
	CHECK(jsonr_bool(n, &b) == (t == JSONR_TRUE || t == JSONR_FALSE));
	CHECK(jsonr_str(n, &s, &len) == (t == JSONR_STRING));
	switch (t) {
	case JSONR_NULL: buf_adds(out, "null"); break;
	case JSONR_FALSE: buf_adds(out, "false"); break;
	case JSONR_TRUE: buf_adds(out, "true"); break;
	case JSONR_NUMBER:
		CHECK(isfinite(d));
		buf_printf(out, "%.17g", d);
		break;
	case JSONR_STRING:
		check_str(s, len);
		write_str(out, s, len);
		break;
	case JSONR_ARRAY:
	case JSONR_OBJECT: {
		size_t count = 0;
		buf_addc(out, t == JSONR_ARRAY ? '[' : '{');
		for (const struct jsonr_node *c = jsonr_first(n); c; c = jsonr_next(c), count++) {
			if (count)
				buf_addc(out, ',');
			const char *k = jsonr_key(c, &len);
			CHECK((k != NULL) == (t == JSONR_OBJECT));
			if (k) {
				check_str(k, len);
				CHECK(jsonr_key_line(c) >= 1 && jsonr_key_line(c) <= jsonr_line(c));
				CHECK(jsonr_get(n, k) != NULL || memchr(k, '\0', len));
				write_str(out, k, len);
				buf_addc(out, ':');
			}
			walk(c, line, col, depth + 1, out);
		}
		CHECK(count == jsonr_count(n));
		CHECK((count == 0) == (jsonr_first(n) == NULL));
		CHECK(t == JSONR_OBJECT || jsonr_at(n, count) == NULL);
		buf_addc(out, t == JSONR_ARRAY ? ']' : '}');
		break;
	}
	default:
		CHECK(0);
	}
}

static void same(const struct jsonr_node *a, const struct jsonr_node *b)
{
	CHECK(jsonr_type(a) == jsonr_type(b));
	double x, y;
	const char *s, *t;
	size_t n, m;
	if (jsonr_num(a, &x)) {
		CHECK(jsonr_num(b, &y));
		CHECK(memcmp(&x, &y, sizeof x) == 0);
	}
	if (jsonr_str(a, &s, &n)) {
		CHECK(jsonr_str(b, &t, &m));
		CHECK(n == m && memcmp(s, t, n) == 0);
	}
	CHECK(jsonr_count(a) == jsonr_count(b));
	const struct jsonr_node *c = jsonr_first(a), *d = jsonr_first(b);
	for (; c && d; c = jsonr_next(c), d = jsonr_next(d)) {
		s = jsonr_key(c, &n);
		t = jsonr_key(d, &m);
		CHECK((s == NULL) == (t == NULL));
		CHECK(!s || (n == m && memcmp(s, t, n) == 0));
		same(c, d);
	}
	CHECK(!c && !d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonr_doc *doc = (struct jsonr_doc *)&size, *again = NULL;
	struct yz_errbuf eb;
	eb.msg[0] = '\0';
	enum yz_err err = jsonr_parse((const char *)data, size, &doc, &eb);
	if (err != YZ_OK) {
		unsigned l, c;
		CHECK(doc == NULL);
		CHECK(memchr(eb.msg, '\0', sizeof eb.msg));
		CHECK(sscanf(eb.msg, "line %u, column %u: ", &l, &c) == 2 && l >= 1 && c >= 1);
		CHECK(err == YZ_EPARSE || err == YZ_ELIMIT);
		return 0;
	}
	struct buf out;
	buf_init(&out);
	unsigned line = 0, col = 0;
	walk(jsonr_root(doc), &line, &col, 0, &out);
	CHECK(!out.failed);
	if (out.len <= JSONR_MAX_INPUT) {
		CHECK(jsonr_parse(out.data, out.len, &again, &eb) == YZ_OK);
		same(jsonr_root(doc), jsonr_root(again));
		jsonr_free(again);
	}
	buf_fini(&out);
	jsonr_free(doc);
	return 0;
}
