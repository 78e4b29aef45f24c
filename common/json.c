/* json.c — the streaming JSON writer; see json.h.
 *
 * Invariants: 0 <= depth <= JSON_MAX_DEPTH; first[depth] says whether the
 * innermost open container (or the top level, depth 0) has received nothing
 * yet, so the next value needs no comma; after_key is set between json_key and
 * the member's value, which then also needs no comma.  Once the buffer has
 * failed nothing here touches the state again, so a failure can never lead to
 * an out-of-bounds index.  Strings are escaped in runs: bytes that need no
 * change are copied with one buf_add per run, so typical names and addresses
 * cost one append. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

void json_init(struct json *j, struct buf *out)
{
	j->out = out;
	j->depth = 0;
	j->after_key = false;
	j->first[0] = true;
	j->kind[0] = 0;
}

bool json_ok(const struct json *j)
{
	return !j->out->failed && j->depth == 0 && !j->after_key;
}

static void json_fail(struct json *j)
{
	j->out->failed = true;
}

/* Prepare for a value: a comma unless it is the first item of its container
 * or the value of a member.  Returns false (and fails) when a value is not
 * allowed here: inside an object without a key, or a second value at the top
 * level. */
static bool json_value_begin(struct json *j)
{
	if (j->out->failed)
		return false;
	if (j->after_key) {
		j->after_key = false;
		return true;
	}
	if (j->kind[j->depth] == '{' || (j->depth == 0 && !j->first[0])) {
		json_fail(j);
		return false;
	}
	if (!j->first[j->depth])
		buf_addc(j->out, ',');
	j->first[j->depth] = false;
	return true;
}

static void json_begin(struct json *j, char kind)
{
	if (!json_value_begin(j))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		json_fail(j);
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
	j->kind[j->depth] = kind;
	buf_addc(j->out, kind);
}

static void json_end(struct json *j, char kind)
{
	if (j->out->failed)
		return;
	if (j->depth == 0 || j->kind[j->depth] != kind || j->after_key) {
		json_fail(j);
		return;
	}
	j->depth--;
	buf_addc(j->out, kind == '{' ? '}' : ']');
}

void json_obj_begin(struct json *j)
{
	json_begin(j, '{');
}

void json_obj_end(struct json *j)
{
	json_end(j, '{');
}

void json_arr_begin(struct json *j)
{
	json_begin(j, '[');
}

void json_arr_end(struct json *j)
{
	json_end(j, '[');
}

/* Length of the well-formed UTF-8 sequence at s[0..n), n >= 1, or the negated
 * length of the maximal ill-formed subpart to replace by one U+FFFD (Unicode
 * 15, §3.9, table 3-7).  ASCII is handled by the caller. */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	int need;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return -1; /* 80..C1 (stray continuation, overlong lead), F5..FF */
	}
	for (int k = 1; k < need; k++) {
		if ((size_t)k >= n)
			return -k; /* truncated at the end of the input */
		unsigned char b = s[k];
		if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return -k;
	}
	return need;
}

static void json_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* start of the pending run of bytes copied verbatim */
	size_t i = 0;
	buf_reserve(out, n + 2);
	buf_addc(out, '"');
	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			int len = utf8_seq(p + i, n - i);
			if (len > 0) {
				i += (size_t)len;
				continue;
			}
			buf_add(out, s + run, i - run);
			buf_add(out, "\xEF\xBF\xBD", 3); /* U+FFFD */
			i += (size_t)-len;
			run = i;
			continue;
		}
		buf_add(out, s + run, i - run);
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			buf_add(out, e, 2);
		} else {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_add(out, e, 6);
		}
		i++;
		run = i;
	}
	buf_add(out, s + run, i - run);
	buf_addc(out, '"');
}

void json_key(struct json *j, const char *key)
{
	if (j->out->failed)
		return;
	if (j->kind[j->depth] != '{' || j->after_key) {
		json_fail(j);
		return;
	}
	if (!j->first[j->depth])
		buf_addc(j->out, ',');
	j->first[j->depth] = false;
	json_escape(j->out, key, strlen(key));
	buf_addc(j->out, ':');
	j->after_key = true;
}

void json_strn(struct json *j, const char *s, size_t n)
{
	if (json_value_begin(j))
		json_escape(j->out, s, n);
}

void json_str(struct json *j, const char *s)
{
	if (!s)
		json_null(j);
	else
		json_strn(j, s, strlen(s));
}

void json_int(struct json *j, long long v)
{
	if (json_value_begin(j))
		buf_printf(j->out, "%lld", v);
}

void json_uint(struct json *j, unsigned long long v)
{
	if (json_value_begin(j))
		buf_printf(j->out, "%llu", v);
}

/* Fixed-point text of v with `decimals` (0..17) decimals, trailing zeros of
 * the fraction trimmed, "-0" as "0", into t (>= 32 bytes); returns the length,
 * or 0 when v is outside the fast range (the caller then uses snprintf).
 * Scaling to an integer and printing digits is ~10x cheaper than
 * snprintf("%.*f"), which dominated the profile of /api/nearest.  Below 1e14
 * the scaled value is exact to well under one unit; exact ties of the decimal
 * rounding may differ from printf's in the last digit, both being correct to
 * the requested precision. */
static int format_fixed(char *t, double v, int decimals)
{
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	if (decimals > 9 || !(fabs(v) * pow10[decimals] < 1e14))
		return 0;
	double scaled = v * pow10[decimals];
	long long q = (long long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
	int neg = q < 0;
	unsigned long long u = neg ? (unsigned long long)-q : (unsigned long long)q;
	/* digits, least significant first, two at a time from a table */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char d[32];
	int k = 0;
	if (decimals == 7 && u < 10000000ull * 1000) {
		/* coordinates: the 7 fraction digits from one 32-bit value, then
		 * an integer part of at most 3 digits (the hot path of GeoJSON) */
		uint32_t frac = (uint32_t)(u % 10000000u), ip = (uint32_t)(u / 10000000u);
		for (int i = 0; i < 3; i++) {
			uint32_t pr = frac % 100;
			frac /= 100;
			d[k++] = pairs[2 * pr + 1];
			d[k++] = pairs[2 * pr];
		}
		d[k++] = (char)('0' + frac);
		do {
			d[k++] = (char)('0' + ip % 10);
			ip /= 10;
		} while (ip);
		goto digits_done;
	}
	while (u >= 100) {
		unsigned r = (unsigned)(u % 100);
		u /= 100;
		d[k++] = pairs[2 * r + 1];
		d[k++] = pairs[2 * r];
	}
	if (u >= 10) {
		d[k++] = pairs[2 * u + 1];
		d[k++] = pairs[2 * u];
	} else {
		d[k++] = (char)('0' + u);
	}
	while (k <= decimals)
		d[k++] = '0';
digits_done:;
	/* drop trailing zeros of the fraction */
	int frac = decimals, lo = 0;
	while (frac > 0 && d[lo] == '0') {
		lo++;
		frac--;
	}
	int n = 0;
	if (neg && (k > lo + 1 || d[lo] != '0'))
		t[n++] = '-';
	for (int i = k - 1; i >= lo; i--) {
		t[n++] = d[i];
		if (i == lo + frac && frac > 0)
			t[n++] = '.';
	}
	return n;
}

void json_num(struct json *j, double v, int decimals)
{
	/* DBL_MAX has 309 integer digits; with 17 decimals, sign, point and NUL
	 * the text fits in 330 bytes. */
	char t[352];
	if (!json_value_begin(j))
		return;
	if (!isfinite(v)) {
		buf_add(j->out, "null", 4);
		return;
	}
	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	int n = format_fixed(t, v, decimals);
	if (n > 0) {
		buf_add(j->out, t, (size_t)n);
		return;
	}
	n = snprintf(t, sizeof t, "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof t) {
		json_fail(j);
		return;
	}
	if (memchr(t, '.', (size_t)n)) {
		while (t[n - 1] == '0')
			n--;
		if (t[n - 1] == '.')
			n--;
	}
	if (n == 2 && t[0] == '-' && t[1] == '0') {
		buf_addc(j->out, '0');
		return;
	}
	buf_add(j->out, t, (size_t)n);
}

void json_bool(struct json *j, bool v)
{
	if (json_value_begin(j))
		buf_adds(j->out, v ? "true" : "false");
}

void json_null(struct json *j)
{
	if (json_value_begin(j))
		buf_add(j->out, "null", 4);
}

void json_raw(struct json *j, const char *s)
{
	if (json_value_begin(j))
		buf_adds(j->out, s);
}

void json_lonlat(struct json *j, double lon, double lat)
{
	/* The hot path of every geometry: "[lon,lat]" written in one piece.
	 * Same rules as json_arr_begin + 2 × json_num + json_arr_end, including
	 * failing at the maximum depth (the pair is an array). */
	char t[80];
	int a, b;
	if (j->depth < JSON_MAX_DEPTH && isfinite(lon) && isfinite(lat) &&
	    (a = format_fixed(t + 1, lon, 7)) > 0 && (b = format_fixed(t + 2 + a, lat, 7)) > 0) {
		if (!json_value_begin(j))
			return;
		t[0] = '[';
		t[1 + a] = ',';
		t[2 + a + b] = ']';
		buf_add(j->out, t, (size_t)(3 + a + b));
		return;
	}
	json_arr_begin(j);
	json_num(j, lon, 7);
	json_num(j, lat, 7);
	json_arr_end(j);
}

/* A 1e-7 degree integer as a decimal number: the integer part, then up to
 * seven fraction digits with trailing zeros dropped — what format_fixed
 * writes for v / 1e7, without the floating point. */
static int format_e7(char *t, int32_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char *p = t;
	uint32_t u;
	if (v < 0) {
		*p++ = '-';
		u = (uint32_t)(-(int64_t)v);
	} else {
		u = (uint32_t)v;
	}
	uint32_t ip = u / 10000000u, fr = u % 10000000u;
	if (ip >= 100) {
		*p++ = (char)('0' + ip / 100);
		ip %= 100;
		*p++ = pairs[2 * ip];
		*p++ = pairs[2 * ip + 1];
	} else if (ip >= 10) {
		*p++ = pairs[2 * ip];
		*p++ = pairs[2 * ip + 1];
	} else {
		*p++ = (char)('0' + ip);
	}
	if (fr) {
		char d[7];
		d[6] = (char)('0' + fr % 10);
		fr /= 10;
		for (int i = 2; i >= 0; i--) {
			uint32_t r = fr % 100;
			fr /= 100;
			d[2 * i] = pairs[2 * r];
			d[2 * i + 1] = pairs[2 * r + 1];
		}
		int n = 7;
		while (d[n - 1] == '0')
			n--;
		*p++ = '.';
		memcpy(p, d, (size_t)n);
		p += n;
	}
	return (int)(p - t);
}

void json_lonlat_e7(struct json *j, int32_t lon_e7, int32_t lat_e7)
{
	if (j->depth >= JSON_MAX_DEPTH) {
		json_arr_begin(j); /* fails the writer, as json_lonlat does */
		return;
	}
	if (!json_value_begin(j))
		return;
	char t[32];
	t[0] = '[';
	int a = format_e7(t + 1, lon_e7);
	t[1 + a] = ',';
	int b = format_e7(t + 2 + a, lat_e7);
	t[2 + a + b] = ']';
	buf_add(j->out, t, (size_t)(3 + a + b));
}
