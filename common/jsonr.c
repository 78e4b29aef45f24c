/* jsonr.c — strict JSON reader (see jsonr.h for what is accepted).
 *
 * Two passes of the same recursive-descent code over the bytes: the first
 * validates and counts nodes and decoded string bytes, the second, run only
 * on valid input, fills one allocation sized from those counts.  Running the
 * same code twice keeps the passes in agreement by construction, so the
 * second pass cannot fail.
 *
 * Tree invariants: nodes sit in preorder in one array; a container's first
 * child is the node right after it; `next` is the distance in nodes to the
 * following sibling (0 for the last), so no node needs its document to be
 * navigated.  Strings and keys are decoded UTF-8, NUL-terminated, in the same
 * block after the nodes.
 *
 * Sizes: input ≤ 1 MiB, so ≤ 2^20 nodes and offsets fit 32 bits; recursion
 * depth ≤ JSONR_MAX_DEPTH.  Columns are tracked incrementally (a cached
 * position on the current line) so a megabyte on one line stays linear. */
#include "jsonr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest number token we convert; longer (still valid) numbers are refused
 * rather than copied to the heap — no style or config needs 200 digits. */
#define NUM_MAX 200

struct jsonr_node {
	uint8_t type;       /* enum jsonr_type */
	uint32_t line, col; /* where the value starts, from 1 */
	uint32_t key_line;  /* line of the member's key; 0 outside objects */
	uint32_t next;      /* nodes to the next sibling; 0 = last */
	uint32_t count;     /* container: children; string: bytes */
	uint32_t key_len;   /* bytes of key */
	const char *key;    /* member key, NULL outside objects */
	union {
		double num;
		const char *str;
	} u;
};

struct jsonr_doc {
	size_t count;                 /* nodes; nodes[0] is the root */
	struct jsonr_node nodes[];    /* followed by the string bytes */
};

struct parser {
	const char *p, *end;
	unsigned line;          /* line of p, from 1 */
	const char *line_start; /* first byte of that line */
	const char *cpos;       /* column cache: position ... */
	unsigned ccol;          /* ... and its column */
	unsigned depth;
	bool build;             /* second pass: write nodes and strings */
	size_t nodes_used, str_used;
	struct jsonr_node *nodes;
	char *strs;
	struct yz_errbuf *eb;
	enum yz_err err;
};

/* Column (characters from 1) of `pos` on the current line: UTF-8
 * continuation bytes do not start a character. */
static unsigned col_at(struct parser *ps, const char *pos)
{
	if (ps->cpos < ps->line_start || pos < ps->cpos) {
		ps->cpos = ps->line_start;
		ps->ccol = 1;
	}
	for (const char *q = ps->cpos; q < pos; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			ps->ccol++;
	ps->cpos = pos;
	return ps->ccol;
}

/* Record the first failure at `pos`; later ones are ignored, so the message
 * always describes the innermost cause. */
__attribute__((format(printf, 4, 5))) static bool fail_at(struct parser *ps, const char *pos, enum yz_err err,
							    const char *fmt, ...)
{
	if (ps->err != YZ_OK)
		return false;
	ps->err = err;
	if (ps->eb) {
		char detail[256];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
		yz_fail(ps->eb, err, "line %u, column %u: %s", ps->line, col_at(ps, pos), detail);
	}
	return false;
}

/* A short description of the byte at p for messages: 'x', "end of input",
 * or a hex byte for what would not print. */
static const char *describe(const struct parser *ps, const char *p, char buf[16])
{
	if (p >= ps->end)
		return "end of input";
	unsigned char c = (unsigned char)*p;
	if (c >= 0x21 && c < 0x7F)
		snprintf(buf, 16, "'%c'", c);
	else if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		snprintf(buf, 16, "whitespace");
	else
		snprintf(buf, 16, "byte 0x%02X", c);
	return buf;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

/* Length of the valid UTF-8 sequence at p (Unicode Table 3-7: no overlongs,
 * no surrogates, nothing above U+10FFFF), 0 when invalid or truncated. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int hex4(const char *p, const char *end)
{
	if (end - p < 4)
		return -1;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Write `n` bytes of decoded string output (second pass) and count them. */
static void put(struct parser *ps, const void *b, size_t n)
{
	if (ps->build)
		memcpy(ps->strs + ps->str_used, b, n);
	ps->str_used += n;
}

static void put_cp(struct parser *ps, unsigned cp)
{
	unsigned char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	put(ps, b, n);
}

/* A string at ps->p (which is '"'); on success *off and *len locate the decoded,
 * NUL-terminated bytes in the string area. */
static bool parse_string(struct parser *ps, size_t *off, size_t *len)
{
	const char *start = ps->p++;
	size_t begin = ps->str_used;
	char buf[16];
	for (;;) {
		if (ps->p >= ps->end || *ps->p == '\n')
			return fail_at(ps, start, YZ_EPARSE, "unterminated string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return fail_at(ps, ps->p, YZ_EPARSE,
				       "control character U+%04X in string (write it as an escape)", c);
		if (c != '\\') {
			/* Copy the run of plain bytes up to the next quote,
			 * backslash or control byte, validating UTF-8. */
			const char *run = ps->p;
			while (ps->p < ps->end) {
				unsigned char d = (unsigned char)*ps->p;
				if (d == '"' || d == '\\' || d < 0x20)
					break;
				size_t n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
				if (n == 0)
					return fail_at(ps, ps->p, YZ_EPARSE, "invalid UTF-8 in string");
				ps->p += n;
			}
			put(ps, run, (size_t)(ps->p - run));
			continue;
		}
		const char *esc = ps->p++;
		if (ps->p >= ps->end)
			return fail_at(ps, start, YZ_EPARSE, "unterminated string");
		char e = *ps->p++;
		switch (e) {
		case '"': put(ps, "\"", 1); break;
		case '\\': put(ps, "\\", 1); break;
		case '/': put(ps, "/", 1); break;
		case 'b': put(ps, "\b", 1); break;
		case 'f': put(ps, "\f", 1); break;
		case 'n': put(ps, "\n", 1); break;
		case 'r': put(ps, "\r", 1); break;
		case 't': put(ps, "\t", 1); break;
		case 'u': {
			int cp = hex4(ps->p, ps->end);
			if (cp < 0)
				return fail_at(ps, esc, YZ_EPARSE, "\\u must be followed by four hex digits");
			ps->p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail_at(ps, esc, YZ_EPARSE, "unpaired low surrogate \\u%04X", (unsigned)cp);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				/* A high surrogate must be followed by an escaped low one;
				 * UTF-8 cannot carry a lone surrogate. */
				int lo = ps->end - ps->p >= 2 && ps->p[0] == '\\' && ps->p[1] == 'u'
						 ? hex4(ps->p + 2, ps->end) : -1;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail_at(ps, esc, YZ_EPARSE, "unpaired high surrogate \\u%04X",
						       (unsigned)cp);
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			put_cp(ps, (unsigned)cp);
			break;
		}
		default:
			return fail_at(ps, esc, YZ_EPARSE, "invalid escape \\%s in string",
				       (unsigned char)e >= 0x21 && (unsigned char)e < 0x7F
					       ? (snprintf(buf, sizeof buf, "%c", e), buf) : "?");
		}
	}
	*off = begin;
	*len = ps->str_used - begin;
	put(ps, "", 1);
	return true;
}

/* A number per the RFC 8259 grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool parse_number(struct parser *ps, double *out)
{
	const char *s = ps->p, *p = s, *end = ps->end;
	char buf[16];
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			return fail_at(ps, s, YZ_EPARSE, "number with a leading zero");
	} else if (p < end && *p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return fail_at(ps, p, YZ_EPARSE, "expected a digit, found %s", describe(ps, p, buf));
	}
	if (p < end && *p == '.') {
		p++;
		if (!(p < end && *p >= '0' && *p <= '9'))
			return fail_at(ps, p, YZ_EPARSE, "expected a digit after '.', found %s",
				       describe(ps, p, buf));
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!(p < end && *p >= '0' && *p <= '9'))
			return fail_at(ps, p, YZ_EPARSE, "expected a digit in the exponent, found %s",
				       describe(ps, p, buf));
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	size_t n = (size_t)(p - s);
	if (n > NUM_MAX)
		return fail_at(ps, s, YZ_ELIMIT, "number longer than %d characters", NUM_MAX);
	/* The input need not be NUL-terminated: convert a copy.  strtod is
	 * locale-dependent; yizhan never calls setlocale, so '.' is the point. */
	char tmp[NUM_MAX + 1];
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	double v = strtod(tmp, NULL);
	if (!isfinite(v))
		return fail_at(ps, s, YZ_EPARSE, "number out of range");
	*out = v;
	ps->p = p;
	return true;
}

static bool parse_value(struct parser *ps, size_t *idx);

/* Allocate the next node (counted in the first pass, written in the second). */
static size_t new_node(struct parser *ps, enum jsonr_type t, unsigned line, unsigned col)
{
	size_t i = ps->nodes_used++;
	if (ps->build) {
		struct jsonr_node *n = &ps->nodes[i];
		memset(n, 0, sizeof *n);
		n->type = (uint8_t)t;
		n->line = line;
		n->col = col;
	}
	return i;
}

/* Link child `c` after `prev` (SIZE_MAX = first child) under `parent`. */
static void link_child(struct parser *ps, size_t parent, size_t prev, size_t c)
{
	if (!ps->build)
		return;
	if (prev != SIZE_MAX)
		ps->nodes[prev].next = (uint32_t)(c - prev);
	ps->nodes[parent].count++;
}

static bool parse_array(struct parser *ps, size_t self)
{
	char buf[16];
	size_t prev = SIZE_MAX;
	ps->p++; /* '[' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return true;
	}
	for (;;) {
		size_t c;
		if (!parse_value(ps, &c))
			return false;
		link_child(ps, self, prev, c);
		prev = c;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return true;
		}
		if (!(ps->p < ps->end && *ps->p == ','))
			return fail_at(ps, ps->p, YZ_EPARSE, "expected ',' or ']', found %s",
				       describe(ps, ps->p, buf));
		const char *comma = ps->p++, *comma_line_start = ps->line_start;
		unsigned comma_line = ps->line;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ']') {
			/* Point at the comma, which may sit on an earlier line. */
			ps->line = comma_line;
			ps->line_start = comma_line_start;
			return fail_at(ps, comma, YZ_EPARSE, "trailing comma before ']'");
		}
	}
}

static bool parse_object(struct parser *ps, size_t self)
{
	char buf[16];
	size_t prev = SIZE_MAX;
	ps->p++; /* '{' */
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return true;
	}
	for (;;) {
		if (!(ps->p < ps->end && *ps->p == '"'))
			return fail_at(ps, ps->p, YZ_EPARSE, "expected a string key, found %s",
				       describe(ps, ps->p, buf));
		unsigned key_line = ps->line;
		size_t koff, klen, c;
		if (!parse_string(ps, &koff, &klen))
			return false;
		skip_ws(ps);
		if (!(ps->p < ps->end && *ps->p == ':'))
			return fail_at(ps, ps->p, YZ_EPARSE, "expected ':' after the key, found %s",
				       describe(ps, ps->p, buf));
		ps->p++;
		skip_ws(ps);
		if (!parse_value(ps, &c))
			return false;
		if (ps->build) {
			ps->nodes[c].key = ps->strs + koff;
			ps->nodes[c].key_len = (uint32_t)klen;
			ps->nodes[c].key_line = key_line;
		}
		link_child(ps, self, prev, c);
		prev = c;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return true;
		}
		if (!(ps->p < ps->end && *ps->p == ','))
			return fail_at(ps, ps->p, YZ_EPARSE, "expected ',' or '}', found %s",
				       describe(ps, ps->p, buf));
		const char *comma = ps->p++, *comma_line_start = ps->line_start;
		unsigned comma_line = ps->line;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '}') {
			/* Point at the comma, which may sit on an earlier line. */
			ps->line = comma_line;
			ps->line_start = comma_line_start;
			return fail_at(ps, comma, YZ_EPARSE, "trailing comma before '}'");
		}
	}
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

/* One value at ps->p (whitespace already skipped); *idx receives its node. */
static bool parse_value(struct parser *ps, size_t *idx)
{
	char buf[16];
	if (ps->p >= ps->end)
		return fail_at(ps, ps->p, YZ_EPARSE, "expected a value, found end of input");
	unsigned line = ps->line, col = col_at(ps, ps->p);
	char c = *ps->p;
	switch (c) {
	case '{':
	case '[': {
		if (ps->depth >= JSONR_MAX_DEPTH)
			return fail_at(ps, ps->p, YZ_ELIMIT, "nested deeper than %d levels", JSONR_MAX_DEPTH);
		ps->depth++;
		*idx = new_node(ps, c == '{' ? JSONR_OBJECT : JSONR_ARRAY, line, col);
		bool ok = c == '{' ? parse_object(ps, *idx) : parse_array(ps, *idx);
		ps->depth--;
		return ok;
	}
	case '"': {
		size_t off, len;
		if (!parse_string(ps, &off, &len))
			return false;
		*idx = new_node(ps, JSONR_STRING, line, col);
		if (ps->build) {
			ps->nodes[*idx].u.str = ps->strs + off;
			ps->nodes[*idx].count = (uint32_t)len;
		}
		return true;
	}
	case 't':
	case 'f':
	case 'n': {
		enum jsonr_type t = c == 't' ? JSONR_TRUE : c == 'f' ? JSONR_FALSE : JSONR_NULL;
		if (!literal(ps, c == 't' ? "true" : c == 'f' ? "false" : "null"))
			return fail_at(ps, ps->p, YZ_EPARSE, "invalid literal (expected true, false or null)");
		*idx = new_node(ps, t, line, col);
		return true;
	}
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			double v = 0;
			if (!parse_number(ps, &v))
				return false;
			*idx = new_node(ps, JSONR_NUMBER, line, col);
			if (ps->build)
				ps->nodes[*idx].u.num = v;
			return true;
		}
		if (c == ']' || c == '}')
			return fail_at(ps, ps->p, YZ_EPARSE, "expected a value, found %s", describe(ps, ps->p, buf));
		return fail_at(ps, ps->p, YZ_EPARSE, "expected a value, found %s%s", describe(ps, ps->p, buf),
			       c == '\'' ? " (strings take double quotes)"
			       : c == '/' ? " (JSON has no comments)" : "");
	}
}

/* One pass over the whole input: a value, then only whitespace. */
static bool run_pass(struct parser *ps, const char *text, size_t len)
{
	ps->p = text;
	ps->end = text + len;
	ps->line = 1;
	ps->line_start = text;
	ps->cpos = text;
	ps->ccol = 1;
	ps->depth = 0;
	ps->nodes_used = 0;
	ps->str_used = 0;
	/* Skip one UTF-8 byte order mark; it is not part of the first line. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		ps->p += 3;
		ps->line_start = ps->cpos = ps->p;
	}
	skip_ws(ps);
	size_t root;
	if (!parse_value(ps, &root))
		return false;
	skip_ws(ps);
	if (ps->p < ps->end) {
		char buf[16];
		return fail_at(ps, ps->p, YZ_EPARSE, "unexpected %s after the JSON value",
			       describe(ps, ps->p, buf));
	}
	return true;
}

enum yz_err jsonr_parse(const char *text, size_t len, struct jsonr_doc **doc, struct yz_errbuf *eb)
{
	struct parser ps = {.eb = eb, .err = YZ_OK};
	*doc = NULL;
	if (len > JSONR_MAX_INPUT)
		return yz_fail(eb, YZ_ELIMIT, "line 1, column 1: input is %zu bytes, more than the %u-byte limit",
			       len, JSONR_MAX_INPUT);
	if (!text)
		text = "";
	if (!run_pass(&ps, text, len))
		return ps.err;

	size_t nodes = ps.nodes_used, strs = ps.str_used;
	struct jsonr_doc *d = malloc(sizeof *d + nodes * sizeof(struct jsonr_node) + strs);
	if (!d)
		return yz_fail(eb, YZ_ENOMEM, "line 1, column 1: out of memory for %zu values", nodes);
	d->count = nodes;
	ps.build = true;
	ps.nodes = d->nodes;
	ps.strs = (char *)(d->nodes + nodes);
	bool ok = run_pass(&ps, text, len);
	/* Same code over the same bytes: the counts cannot differ. */
	if (!ok || ps.nodes_used != nodes || ps.str_used != strs) {
		free(d);
		return yz_fail(eb, YZ_EPARSE, "line 1, column 1: internal error: passes disagree");
	}
	*doc = d;
	return YZ_OK;
}

void jsonr_free(struct jsonr_doc *doc)
{
	free(doc);
}

const struct jsonr_node *jsonr_root(const struct jsonr_doc *doc)
{
	return &doc->nodes[0];
}

enum jsonr_type jsonr_type(const struct jsonr_node *n)
{
	return (enum jsonr_type)n->type;
}

const char *jsonr_type_name(enum jsonr_type t)
{
	static const char *const names[] = {"null", "false", "true", "number", "string", "array", "object"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

unsigned jsonr_line(const struct jsonr_node *n)
{
	return n->line;
}

unsigned jsonr_col(const struct jsonr_node *n)
{
	return n->col;
}

bool jsonr_num(const struct jsonr_node *n, double *out)
{
	if (n->type != JSONR_NUMBER)
		return false;
	*out = n->u.num;
	return true;
}

bool jsonr_bool(const struct jsonr_node *n, bool *out)
{
	if (n->type != JSONR_TRUE && n->type != JSONR_FALSE)
		return false;
	*out = n->type == JSONR_TRUE;
	return true;
}

bool jsonr_str(const struct jsonr_node *n, const char **out, size_t *len_out)
{
	if (n->type != JSONR_STRING)
		return false;
	*out = n->u.str;
	if (len_out)
		*len_out = n->count;
	return true;
}

size_t jsonr_count(const struct jsonr_node *n)
{
	return n->type == JSONR_ARRAY || n->type == JSONR_OBJECT ? n->count : 0;
}

const struct jsonr_node *jsonr_first(const struct jsonr_node *n)
{
	return jsonr_count(n) ? n + 1 : NULL;
}

const struct jsonr_node *jsonr_next(const struct jsonr_node *n)
{
	return n->next ? n + n->next : NULL;
}

const char *jsonr_key(const struct jsonr_node *n, size_t *len_out)
{
	if (len_out)
		*len_out = n->key ? n->key_len : 0;
	return n->key;
}

unsigned jsonr_key_line(const struct jsonr_node *n)
{
	return n->key_line;
}

const struct jsonr_node *jsonr_get(const struct jsonr_node *obj, const char *key)
{
	if (obj->type != JSONR_OBJECT)
		return NULL;
	size_t klen = strlen(key);
	for (const struct jsonr_node *c = jsonr_first(obj); c; c = jsonr_next(c))
		if (c->key_len == klen && memcmp(c->key, key, klen) == 0)
			return c;
	return NULL;
}

const struct jsonr_node *jsonr_at(const struct jsonr_node *arr, size_t i)
{
	if (arr->type != JSONR_ARRAY)
		return NULL;
	const struct jsonr_node *c = jsonr_first(arr);
	while (c && i--)
		c = jsonr_next(c);
	return c;
}
