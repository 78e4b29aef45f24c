/* jval.c — see jval.h.  A recursive-descent parser over a byte range; the
 * depth bound keeps the recursion bounded whatever the input. */
#include "jval.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *start, *end;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void fail(struct parser *ps, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = true;
	if (!ps->errlen)
		return;
	int n = snprintf(ps->err, ps->errlen, "offset %zu: ", (size_t)(ps->p - ps->start));
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		fail(ps, "invalid literal");
		return false;
	}
	ps->p += n;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void parse_number(struct parser *ps, struct jval *v)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || !is_digit(*ps->p))
		return fail(ps, "invalid number");
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return fail(ps, "invalid number: digits must follow '.'");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !is_digit(*ps->p))
			return fail(ps, "invalid number: digits must follow the exponent");
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	char tmp[128];
	size_t n = (size_t)(ps->p - s);
	if (n >= sizeof tmp)
		return fail(ps, "number longer than %zu bytes", sizeof tmp - 1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v->type = JVAL_NUM;
	v->num = strtod(tmp, NULL);
}

static int hex4(const char *p)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if ill-formed. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n;
	uint32_t min, cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		min = 0x80;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		min = 0x800;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		min = 0x10000;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* A string; the opening quote is at ps->p.  Result malloc'd into *out. */
static char *parse_string(struct parser *ps, size_t *out_len)
{
	ps->p++; /* '"' */
	/* Decoded text is never longer than the source. */
	const char *q = ps->p;
	while (q < ps->end && *q != '"')
		q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
	char *s = malloc((size_t)(q - ps->p) + 1);
	if (!s) {
		fail(ps, "out of memory");
		return NULL;
	}
	size_t n = 0;
	for (;;) {
		if (ps->p >= ps->end) {
			fail(ps, "unterminated string");
			break;
		}
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			s[n] = '\0';
			*out_len = n;
			return s;
		}
		if (c < 0x20) {
			fail(ps, "raw control character 0x%02x in a string", c);
			break;
		}
		if (c != '\\') {
			size_t k = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
			if (!k) {
				fail(ps, "invalid UTF-8 byte 0x%02x in a string", c);
				break;
			}
			memcpy(s + n, ps->p, k);
			n += k;
			ps->p += k;
			continue;
		}
		if (ps->end - ps->p < 2) {
			fail(ps, "unterminated escape");
			break;
		}
		char e = ps->p[1];
		ps->p += 2;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (simple && e) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			s[n++] = map[simple - "\"\\/bfnrt"];
			continue;
		}
		if (e != 'u') {
			fail(ps, "invalid escape \\%c", e);
			break;
		}
		int u = ps->end - ps->p >= 4 ? hex4(ps->p) : -1;
		if (u < 0) {
			fail(ps, "invalid \\u escape");
			break;
		}
		ps->p += 4;
		uint32_t cp = (uint32_t)u;
		if (cp >= 0xDC00 && cp <= 0xDFFF) {
			fail(ps, "lone low surrogate \\u%04x", (unsigned)cp);
			break;
		}
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			int lo = ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u'
					 ? hex4(ps->p + 2)
					 : -1;
			if (lo < 0xDC00 || lo > 0xDFFF) {
				fail(ps, "lone high surrogate \\u%04x", (unsigned)cp);
				break;
			}
			ps->p += 6;
			cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
		}
		n += put_utf8(s + n, cp);
	}
	free(s);
	return NULL;
}

static void parse_value(struct parser *ps, struct jval *v, unsigned depth);

static bool push(struct parser *ps, struct jval *v, size_t *cap)
{
	if (v->count < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 4;
	struct jval *ni = realloc(v->items, ncap * sizeof *ni);
	if (!ni) {
		fail(ps, "out of memory");
		return false;
	}
	v->items = ni;
	if (v->type == JVAL_OBJ) {
		char **nk = realloc(v->keys, ncap * sizeof *nk);
		if (!nk) {
			fail(ps, "out of memory");
			return false;
		}
		v->keys = nk;
	}
	*cap = ncap;
	return true;
}

static void parse_container(struct parser *ps, struct jval *v, unsigned depth, bool obj)
{
	if (depth >= JVAL_MAX_DEPTH)
		return fail(ps, "nesting deeper than %d", JVAL_MAX_DEPTH);
	v->type = obj ? JVAL_OBJ : JVAL_ARR;
	char close = obj ? '}' : ']';
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return;
	}
	size_t cap = 0;
	for (;;) {
		skip_ws(ps);
		if (!push(ps, v, &cap))
			return;
		struct jval *item = &v->items[v->count];
		memset(item, 0, sizeof *item);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			size_t kl;
			char *k = parse_string(ps, &kl);
			if (!k)
				return;
			v->keys[v->count] = k;
			v->count++; /* counted now so that jval_free sees the key */
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
			skip_ws(ps);
			parse_value(ps, item, depth + 1);
		} else {
			v->count++;
			parse_value(ps, item, depth + 1);
		}
		if (ps->failed)
			return;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return;
		}
		return fail(ps, "expected ',' or '%c'", close);
	}
}

static void parse_value(struct parser *ps, struct jval *v, unsigned depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, v, depth, true);
	case '[':
		return parse_container(ps, v, depth, false);
	case '"':
		v->str = parse_string(ps, &v->len);
		if (v->str)
			v->type = JVAL_STR;
		return;
	case 't':
		if (literal(ps, "true")) {
			v->type = JVAL_BOOL;
			v->b = true;
		}
		return;
	case 'f':
		if (literal(ps, "false"))
			v->type = JVAL_BOOL;
		return;
	case 'n':
		if (literal(ps, "null"))
			v->type = JVAL_NULL;
		return;
	default:
		return parse_number(ps, v);
	}
}

static void free_children(struct jval *v)
{
	if (v->type == JVAL_STR)
		free(v->str);
	if (v->type != JVAL_ARR && v->type != JVAL_OBJ)
		return;
	for (size_t i = 0; i < v->count; i++) {
		free_children(&v->items[i]);
		if (v->type == JVAL_OBJ)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
}

void jval_free(struct jval *v)
{
	if (!v)
		return;
	free_children(v);
	free(v);
}

struct jval *jval_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser ps = {.p = text, .start = text, .end = text + len, .err = err,
			    .errlen = errlen};
	if (errlen)
		err[0] = '\0';
	struct jval *v = calloc(1, sizeof *v);
	if (!v) {
		fail(&ps, "out of memory");
		return NULL;
	}
	if (!text) {
		fail(&ps, "no input");
	} else {
		parse_value(&ps, v, 0);
		skip_ws(&ps);
		if (!ps.failed && ps.p != ps.end)
			fail(&ps, "trailing bytes after the value");
	}
	if (ps.failed) {
		jval_free(v);
		return NULL;
	}
	return v;
}

/* ---- lookups -------------------------------------------------------------- */

const struct jval *jval_get(const struct jval *v, const char *key)
{
	if (!v || v->type != JVAL_OBJ)
		return NULL;
	for (size_t i = 0; i < v->count; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

const struct jval *jval_at(const struct jval *v, size_t i)
{
	if (!v || v->type != JVAL_ARR || i >= v->count)
		return NULL;
	return &v->items[i];
}

const struct jval *jval_path(const struct jval *v, const char *path)
{
	char part[256];
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof part)
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (v->type == JVAL_ARR) {
			char *e;
			unsigned long i = strtoul(part, &e, 10);
			v = *part && !*e ? jval_at(v, i) : NULL;
		} else {
			v = jval_get(v, part);
		}
		path += n + (dot != NULL);
	}
	return v;
}

const char *jval_str(const struct jval *v)
{
	return v && v->type == JVAL_STR ? v->str : NULL;
}

bool jval_num(const struct jval *v, double *out)
{
	if (!v || v->type != JVAL_NUM)
		return false;
	if (out)
		*out = v->num;
	return true;
}

size_t jval_count(const struct jval *v)
{
	return v && (v->type == JVAL_ARR || v->type == JVAL_OBJ) ? v->count : 0;
}

bool jval_equal(const struct jval *a, const struct jval *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JVAL_NULL: return true;
	case JVAL_BOOL: return a->b == b->b;
	case JVAL_NUM: return a->num == b->num;
	case JVAL_STR: return a->len == b->len && !memcmp(a->str, b->str, a->len);
	case JVAL_ARR:
	case JVAL_OBJ:
		if (a->count != b->count)
			return false;
		for (size_t i = 0; i < a->count; i++) {
			if (a->type == JVAL_OBJ && strcmp(a->keys[i], b->keys[i]))
				return false;
			if (!jval_equal(&a->items[i], &b->items[i]))
				return false;
		}
		return true;
	}
	return false;
}
