/* fuzz_json.c — libFuzzer target for the JSON writer (common/json.c).
 *
 * Three checks on each input, each aborting on a violation:
 *   1. the bytes written with json_strn form one JSON string that is valid
 *      UTF-8 and properly quoted and escaped; decoded again it gives back the
 *      input exactly when the input was valid UTF-8 (checked here by an
 *      independent validator) and otherwise valid UTF-8 with U+FFFD in it;
 *   2. the bytes drive a sequence of writer calls; whenever json_ok() says
 *      the output is complete it must parse as exactly one JSON value, and a
 *      sequence that a model of the rules says is well formed must be ok;
 *   3. the first bytes as a double through json_num: null exactly for
 *      non-finite values, otherwise a JSON number, never "-0", within half a
 *      unit of the last decimal of the value.
 * Build: clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_json.c
 *        common/json.c common/buf.c -lm; replay without libFuzzer with
 *        tests/fuzz/replay.c. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/json.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- an independent strict UTF-8 validator --------------------------- */

/* Length of the valid sequence at s[0..n), or 0 when it is not valid. */
static size_t utf8_valid_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3F);
	}
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = utf8_valid_seq(s + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* ---- a tiny JSON validator -------------------------------------------- */

struct rd {
	const unsigned char *s;
	size_t n, i;
	struct buf *dec; /* when set, string contents are decoded into it */
};

static void rd_ws(struct rd *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' ||
			       r->s[r->i] == '\r'))
		r->i++;
}

static bool rd_lit(struct rd *r, const char *lit)
{
	size_t n = strlen(lit);
	if (r->n - r->i < n || memcmp(r->s + r->i, lit, n) != 0)
		return false;
	r->i += n;
	return true;
}

static int rd_hex4(struct rd *r)
{
	int v = 0;
	if (r->n - r->i < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		unsigned char c = r->s[r->i++];
		int d = c >= '0' && c <= '9' ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
			: -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	char t[4];
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | cp >> 6);
		t[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | cp >> 12);
		t[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, t, 3);
	} else {
		t[0] = (char)(0xF0 | cp >> 18);
		t[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		t[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(b, t, 4);
	}
}

static bool rd_string(struct rd *r)
{
	if (r->i >= r->n || r->s[r->i] != '"')
		return false;
	r->i++;
	for (;;) {
		if (r->i >= r->n)
			return false;
		unsigned char c = r->s[r->i];
		if (c == '"') {
			r->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			size_t k = utf8_valid_seq(r->s + r->i, r->n - r->i);
			if (k == 0)
				return false;
			if (r->dec)
				buf_add(r->dec, r->s + r->i, k);
			r->i += k;
			continue;
		}
		r->i++;
		if (r->i >= r->n)
			return false;
		c = r->s[r->i++];
		const char *simple = "\"\\/bfnrt";
		const char *plain = "\"\\/\b\f\n\r\t";
		const char *p = c ? strchr(simple, c) : NULL;
		if (p) {
			if (r->dec)
				buf_addc(r->dec, plain[p - simple]);
			continue;
		}
		if (c != 'u')
			return false;
		int u = rd_hex4(r);
		if (u < 0)
			return false;
		uint32_t cp = (uint32_t)u;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (!rd_lit(r, "\\u"))
				return false;
			int lo = rd_hex4(r);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return false;
			cp = 0x10000 + ((uint32_t)(u - 0xD800) << 10) + (uint32_t)(lo - 0xDC00);
		} else if (u >= 0xDC00 && u <= 0xDFFF) {
			return false;
		}
		if (r->dec)
			put_utf8(r->dec, cp);
	}
}

static bool rd_digits(struct rd *r)
{
	size_t start = r->i;
	while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9')
		r->i++;
	return r->i > start;
}

static bool rd_number(struct rd *r)
{
	if (r->i < r->n && r->s[r->i] == '-')
		r->i++;
	if (r->i < r->n && r->s[r->i] == '0')
		r->i++;
	else if (!rd_digits(r))
		return false;
	if (r->i < r->n && r->s[r->i] == '.') {
		r->i++;
		if (!rd_digits(r))
			return false;
	}
	if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-'))
			r->i++;
		if (!rd_digits(r))
			return false;
	}
	return true;
}

static bool rd_value(struct rd *r, int depth)
{
	if (depth > 64)
		return false;
	rd_ws(r);
	if (r->i >= r->n)
		return false;
	unsigned char c = r->s[r->i];
	bool ok;
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		r->i++;
		rd_ws(r);
		if (r->i < r->n && r->s[r->i] == close) {
			r->i++;
			return true;
		}
		for (;;) {
			if (c == '{') {
				rd_ws(r);
				if (!rd_string(r))
					return false;
				rd_ws(r);
				if (!rd_lit(r, ":"))
					return false;
			}
			if (!rd_value(r, depth + 1))
				return false;
			rd_ws(r);
			if (rd_lit(r, ","))
				continue;
			return rd_lit(r, close == '}' ? "}" : "]");
		}
	}
	if (c == '"')
		ok = rd_string(r);
	else if (c == 't')
		ok = rd_lit(r, "true");
	else if (c == 'f')
		ok = rd_lit(r, "false");
	else if (c == 'n')
		ok = rd_lit(r, "null");
	else
		ok = rd_number(r);
	return ok;
}

/* Whether s[0..n) is exactly one JSON value. */
static bool json_valid(const char *s, size_t n)
{
	struct rd r = { (const unsigned char *)s, n, 0, NULL };
	if (!rd_value(&r, 0))
		return false;
	rd_ws(&r);
	return r.i == n && utf8_valid(r.s, n);
}

/* ---- 1. strings --------------------------------------------------------- */

static bool has_fffd(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (memcmp(s + i, "\xEF\xBF\xBD", 3) == 0)
			return true;
	return false;
}

static void check_string(const uint8_t *data, size_t size)
{
	struct buf out, dec;
	struct json j;
	buf_init(&out);
	buf_init(&dec);
	json_init(&j, &out);
	json_strn(&j, (const char *)data, size);
	CHECK(json_ok(&j));
	CHECK(out.len >= 2 && out.data[0] == '"' && out.data[out.len - 1] == '"');
	CHECK(utf8_valid((const unsigned char *)out.data, out.len));
	CHECK(strlen(out.data) == out.len); /* no raw NUL */
	struct rd r = { (const unsigned char *)out.data, out.len, 0, &dec };
	CHECK(rd_string(&r) && r.i == out.len);
	CHECK(!dec.failed);
	if (utf8_valid(data, size)) {
		CHECK(dec.len == size);
		CHECK(size == 0 || memcmp(dec.data, data, size) == 0);
	} else {
		CHECK(dec.len > 0 && dec.len <= 3 * size);
		CHECK(has_fffd(dec.data, dec.len));
	}
	buf_fini(&dec);
	buf_fini(&out);
}

/* ---- 2. call sequences -------------------------------------------------- */

static void check_calls(const uint8_t *data, size_t size)
{
	struct buf out;
	struct json j;
	char kind[80];    /* model of the open containers */
	unsigned depth = 0;
	bool need_value = false; /* a key was written */
	bool misuse = false;     /* a call the model knows to be wrong was made */
	bool too_deep = false;
	size_t i = 0;
	buf_init(&out);
	json_init(&j, &out);
	/* Start with a container so that most sequences are long documents. */
	json_arr_begin(&j);
	kind[depth++] = '[';
	while (i < size && depth > 0 && !too_deep) {
		uint8_t c = data[i++];
		bool raw = c & 0x80; /* any call, right or wrong */
		int op = (c & 0x7F) % 13;
		bool in_obj = kind[depth - 1] == '{';
		if (!raw && in_obj && !need_value && op != 1 && op != 4) {
			json_key(&j, "k");
			need_value = true;
		}
		if (raw) {
			bool ok_here = (op == 4) ? (in_obj && !need_value)
				     : (op == 1 || op == 3) ? (!need_value &&
						kind[depth - 1] == (op == 1 ? '{' : '['))
				     : (!in_obj || need_value);
			if (!ok_here)
				misuse = true;
		} else if ((op == 1 && (!in_obj || need_value)) ||
			   (op == 3 && (in_obj || need_value)) ||
			   (op == 4 && (!in_obj || need_value))) {
			op = 10; /* the model writes a null instead */
		}
		switch (op) {
		case 0:
		case 2:
			if (depth >= JSON_MAX_DEPTH) {
				too_deep = true; /* the writer allows JSON_MAX_DEPTH levels */
			} else {
				kind[depth++] = op == 0 ? '{' : '[';
			}
			if (op == 0)
				json_obj_begin(&j);
			else
				json_arr_begin(&j);
			need_value = false;
			break;
		case 1:
			json_obj_end(&j);
			depth--;
			need_value = false;
			break;
		case 3:
			json_arr_end(&j);
			depth--;
			need_value = false;
			break;
		case 4: {
			size_t n = i < size ? data[i++] % 8 : 0;
			char key[9];
			n = n < size - i ? n : size - i;
			memcpy(key, data + i, n);
			key[n] = '\0';
			i += n;
			json_key(&j, key);
			need_value = true;
			break;
		}
		case 5: {
			size_t n = i < size ? data[i++] % 16 : 0;
			n = n < size - i ? n : size - i;
			json_strn(&j, (const char *)data + i, n);
			i += n;
			need_value = false;
			break;
		}
		case 6:
		case 7:
		case 8: {
			uint64_t u = 0;
			size_t n = size - i < 8 ? size - i : 8;
			memcpy(&u, data + i, n);
			i += n;
			double d;
			memcpy(&d, &u, sizeof d);
			if (op == 6)
				json_int(&j, (long long)u);
			else if (op == 7)
				json_uint(&j, (unsigned long long)u);
			else
				json_num(&j, d, (int)(u % 23) - 3);
			need_value = false;
			break;
		}
		case 9:
			json_bool(&j, c & 1);
			need_value = false;
			break;
		case 10:
			json_null(&j);
			need_value = false;
			break;
		case 11:
			if (depth >= JSON_MAX_DEPTH)
				too_deep = true; /* a position is an array too */
			json_lonlat(&j, (double)c - 64, (double)i / 3);
			need_value = false;
			break;
		default:
			json_raw(&j, "{\"raw\":[1,\"\\u00e9\"]}");
			need_value = false;
			break;
		}
		if (misuse)
			break; /* the writer has failed; the model cannot follow */
	}
	if (!misuse && !too_deep) {
		/* Close what the model has open; the result must be a document. */
		if (need_value)
			json_null(&j);
		while (depth > 0) {
			if (kind[--depth] == '{')
				json_obj_end(&j);
			else
				json_arr_end(&j);
		}
		CHECK(json_ok(&j));
	}
	if (too_deep || misuse)
		CHECK(out.failed);
	if (json_ok(&j))
		CHECK(json_valid(out.data, out.len));
	buf_fini(&out);
}

/* ---- 3. numbers --------------------------------------------------------- */

static void check_number(const uint8_t *data, size_t size)
{
	double v;
	struct buf out;
	struct json j;
	if (size < sizeof v + 1)
		return;
	memcpy(&v, data, sizeof v);
	int decimals = (int)(data[sizeof v] % 24) - 3;
	buf_init(&out);
	json_init(&j, &out);
	json_num(&j, v, decimals);
	CHECK(json_ok(&j));
	if (!isfinite(v)) {
		CHECK(strcmp(out.data, "null") == 0);
	} else {
		int d = decimals < 0 ? 0 : decimals > 17 ? 17 : decimals;
		CHECK(json_valid(out.data, out.len));
		CHECK(strcmp(out.data, "-0") != 0);
		CHECK(strpbrk(out.data, "eE") == NULL);
		if (strchr(out.data, '.'))
			CHECK(out.data[out.len - 1] != '0' && out.data[out.len - 1] != '.');
		double back = strtod(out.data, NULL);
		double tol = 0.5 * pow(10, -d) * (1 + 1e-9) + fabs(v) * 4e-16;
		CHECK(fabs(back - v) <= tol);
	}
	buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_string(data, size);
	check_calls(data, size);
	check_number(data, size);
	return 0;
}
