/* query.c — URL query strings and typed API parameters; see query.h.
 *
 * Invariants: a parsed `struct query` holds count <= QUERY_MAX_PARAMS pairs
 * whose keys and values are NUL-terminated, contain no NUL, and lie inside
 * `text`; decoding only shrinks text, so `text` never overflows for an input
 * of at most QUERY_MAX_BYTES.  Inputs are small (a few hundred bytes), so
 * lookups are linear scans.
 *
 * The number parsers check the grammar themselves before calling strtod or
 * strtol, so that nothing the C library would also accept ("nan", "inf",
 * "0x10", " 1") slips through, and they parse from a bounded local copy so a
 * part of a list ("1,2") is never read past its end.  Nothing writes an out
 * parameter before the whole input has been accepted. */
#include "query.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "services.h"

/* Longest number text accepted: far more digits than a double can use. */
#define NUM_MAX_LEN 64

/* Room for a quoted excerpt of input in a message. */
#define EXCERPT_MAX 40

/* Copy a printable excerpt of s[0..n) into dst (EXCERPT_MAX + 4 bytes):
 * control bytes become '?', long input is cut (never inside a UTF-8
 * sequence) and marked with "...".  Returns dst. */
static const char *excerpt(char *dst, const char *s, size_t n)
{
	size_t m = n;
	bool cut = false;
	if (m > EXCERPT_MAX) {
		m = EXCERPT_MAX;
		/* Step back over continuation bytes to the start of a sequence. */
		while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
			m--;
		cut = true;
	}
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
	}
	if (cut) {
		memcpy(dst + m, "...", 3);
		m += 3;
	}
	dst[m] = '\0';
	return dst;
}

/* ---- query strings ---------------------------------------------------- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) at q->text + *used, NUL-terminate, advance *used.  On error
 * writes the detail, naming `what` (an already clean label). */
static enum yz_err decode(struct query *q, size_t *used, const char *s, size_t n,
			  const char *what, struct yz_errbuf *eb)
{
	char ex[EXCERPT_MAX + 4];
	char *d = q->text + *used;
	assert(*used + n + 1 <= sizeof q->text);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 1 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return yz_fail(eb, YZ_EPARSE, "%s: invalid percent-escape \"%s\"", what,
					       excerpt(ex, s + i, n - i < 3 ? n - i : 3));
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+') {
			c = ' ';
		}
		if (c == '\0')
			return yz_fail(eb, YZ_EPARSE, "%s: NUL byte not allowed", what);
		*d++ = (char)c;
	}
	*d++ = '\0';
	*used = (size_t)(d - q->text);
	return YZ_OK;
}

enum yz_err query_parse(const char *raw, size_t len, struct query *q, struct yz_errbuf *eb)
{
	char ex[EXCERPT_MAX + 4];
	char label[EXCERPT_MAX + 32];
	size_t used = 0;
	enum yz_err err = YZ_OK;

	q->count = 0;
	if (len > QUERY_MAX_BYTES)
		return yz_fail(eb, YZ_ELIMIT, "query string too long: %zu bytes (limit %d)", len,
			       QUERY_MAX_BYTES);
	if (len > 0 && raw[0] == '?') {
		raw++;
		len--;
	}
	size_t i = 0;
	while (i < len) {
		const char *pair = raw + i;
		const char *amp = memchr(pair, '&', len - i);
		size_t n = amp ? (size_t)(amp - pair) : len - i;
		i += n + 1;
		if (n == 0)
			continue;
		if (q->count == QUERY_MAX_PARAMS) {
			err = yz_fail(eb, YZ_ELIMIT, "too many query parameters (limit %d)",
				      QUERY_MAX_PARAMS);
			goto fail;
		}
		const char *eq = memchr(pair, '=', n);
		size_t klen = eq ? (size_t)(eq - pair) : n;
		size_t key_off = used;
		snprintf(label, sizeof label, "parameter name \"%s\"", excerpt(ex, pair, klen));
		err = decode(q, &used, pair, klen, label, eb);
		if (err)
			goto fail;
		size_t val_off = used;
		/* The decoded key names the parameter in messages about its value. */
		if (val_off - key_off > 1)
			excerpt(label, q->text + key_off, val_off - key_off - 1);
		else
			strcpy(label, "(empty name)");
		if (eq)
			err = decode(q, &used, eq + 1, n - klen - 1, label, eb);
		else
			err = decode(q, &used, "", 0, label, eb);
		if (err)
			goto fail;
		q->pair[q->count].key = (uint16_t)key_off;
		q->pair[q->count].value = (uint16_t)val_off;
		q->count++;
	}
	return YZ_OK;
fail:
	q->count = 0;
	return err;
}

void query_fini(struct query *q)
{
	q->count = 0;
}

const char *query_get(const struct query *q, const char *key)
{
	for (unsigned i = 0; i < q->count; i++)
		if (strcmp(q->text + q->pair[i].key, key) == 0)
			return q->text + q->pair[i].value;
	return NULL;
}

unsigned query_count(const struct query *q)
{
	return q->count;
}

const char *query_key(const struct query *q, unsigned i)
{
	return i < q->count ? q->text + q->pair[i].key : NULL;
}

const char *query_value(const struct query *q, unsigned i)
{
	return i < q->count ? q->text + q->pair[i].value : NULL;
}

/* ---- numbers ---------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether s[0..n) is [+-]digits[.digits][(e|E)[+-]digits] with at least one
 * digit in the mantissa; with `integer`, only [+-]digits. */
static bool num_syntax(const char *s, size_t n, bool integer)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < n && is_digit(s[i]))
		i++, digits++;
	if (integer)
		return digits > 0 && i == n;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && is_digit(s[i]))
			i++, digits++;
	}
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t exp_digits = 0;
		while (i < n && is_digit(s[i]))
			i++, exp_digits++;
		if (exp_digits == 0)
			return false;
	}
	return i == n;
}

/* Parse s[0..n) as a number in [min, max], or in (min, max] with `min_open`.
 * `name` and `what` ("" or "longitude") label the message:
 * `from: longitude: not a number: "x"`, `from: longitude 200 is out of …`. */
static enum yz_err num_parse(const char *name, const char *what, const char *s, size_t n,
			     double min, bool min_open, double max, double *out,
			     struct yz_errbuf *eb)
{
	char ex[EXCERPT_MAX + 4];
	char t[NUM_MAX_LEN + 1];
	const char *colon = *what ? ": " : "", *space = *what ? " " : "";
	if (n > NUM_MAX_LEN || !num_syntax(s, n, false))
		return yz_fail(eb, YZ_EPARSE, "%s: %s%snot a number: \"%s\"", name, what, colon,
			       excerpt(ex, s, n));
	memcpy(t, s, n);
	t[n] = '\0';
	errno = 0;
	char *end;
	double v = strtod(t, &end);
	bool overflow = errno == ERANGE && fabs(v) > 1.0; /* underflow is fine */
	if (end != t + n)
		return yz_fail(eb, YZ_EPARSE, "%s: %s%snot a number: \"%s\"", name, what, colon,
			       excerpt(ex, s, n));
	if (overflow || !isfinite(v) || v < min || (min_open && v == min) || v > max)
		return yz_fail(eb, YZ_ERANGE, "%s: %s%s%s is out of range %c%g, %g]", name, what,
			       space, excerpt(ex, s, n), min_open ? '(' : '[', min, max);
	*out = v == 0 ? 0.0 : v;
	return YZ_OK;
}

enum yz_err query_double(const char *name, const char *s, double min, double max,
			 double *out, struct yz_errbuf *eb)
{
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	return num_parse(name, "", s, strlen(s), min, false, max, out, eb);
}

enum yz_err query_int(const char *name, const char *s, long min, long max, long *out,
		      struct yz_errbuf *eb)
{
	char ex[EXCERPT_MAX + 4];
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	size_t n = strlen(s);
	if (n > NUM_MAX_LEN || !num_syntax(s, n, true))
		return yz_fail(eb, YZ_EPARSE, "%s: not an integer: \"%s\"", name, excerpt(ex, s, n));
	errno = 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (end != s + n)
		return yz_fail(eb, YZ_EPARSE, "%s: not an integer: \"%s\"", name, excerpt(ex, s, n));
	if (errno == ERANGE || v < min || v > max)
		return yz_fail(eb, YZ_ERANGE, "%s: %s is out of range [%ld, %ld]", name,
			       excerpt(ex, s, n), min, max);
	*out = v;
	return YZ_OK;
}

/* Split s at `sep` characters into exactly `want` parts (start, length).
 * Returns the number of parts found, at most want + 1 (then it stops). */
static int split(const char *s, const char *sep, int want, const char **part, size_t *plen)
{
	int k = 0;
	const char *p = s;
	for (;;) {
		size_t n = strcspn(p, sep);
		if (k == want)
			return want + 1;
		part[k] = p;
		plen[k] = n;
		k++;
		if (p[n] == '\0')
			return k;
		p += n + 1;
	}
}

enum yz_err query_lonlat(const char *name, const char *s, double *lon, double *lat,
			 struct yz_errbuf *eb)
{
	char ex[EXCERPT_MAX + 4];
	const char *part[2];
	size_t plen[2];
	double v[2];
	enum yz_err err;
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	if (split(s, ",", 2, part, plen) != 2)
		return yz_fail(eb, YZ_EPARSE, "%s: expected \"lon,lat\", got \"%s\"", name,
			       excerpt(ex, s, strlen(s)));
	err = num_parse(name, "longitude", part[0], plen[0], -180, false, 180, &v[0], eb);
	if (err)
		return err;
	err = num_parse(name, "latitude", part[1], plen[1], -90, false, 90, &v[1], eb);
	if (err)
		return err;
	*lon = v[0];
	*lat = v[1];
	return YZ_OK;
}

enum yz_err query_bbox(const char *name, const char *s, double out[4], double max_area_deg2,
		       struct yz_errbuf *eb)
{
	static const char *const what[4] = { "west", "south", "east", "north" };
	char ex[EXCERPT_MAX + 4];
	const char *part[4];
	size_t plen[4];
	double v[4];
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	if (split(s, ",", 4, part, plen) != 4)
		return yz_fail(eb, YZ_EPARSE, "%s: expected \"west,south,east,north\", got \"%s\"",
			       name, excerpt(ex, s, strlen(s)));
	for (int k = 0; k < 4; k++) {
		double lim = k % 2 ? 90 : 180;
		enum yz_err err = num_parse(name, what[k], part[k], plen[k], -lim, false, lim,
					    &v[k], eb);
		if (err)
			return err;
	}
	if (!(v[0] < v[2]))
		return yz_fail(eb, YZ_ERANGE, "%s: west %.7g must be less than east %.7g", name,
			       v[0], v[2]);
	if (!(v[1] < v[3]))
		return yz_fail(eb, YZ_ERANGE, "%s: south %.7g must be less than north %.7g", name,
			       v[1], v[3]);
	double area = (v[2] - v[0]) * (v[3] - v[1]);
	if (!(area <= max_area_deg2))
		return yz_fail(eb, YZ_ELIMIT, "%s: area %.4g deg^2 exceeds the limit of %g deg^2",
			       name, area, max_area_deg2);
	memcpy(out, v, sizeof v);
	return YZ_OK;
}

enum yz_err query_minutes(const char *name, const char *s, double *out, int max_count,
			  double max_minutes, int *count, struct yz_errbuf *eb)
{
	/* Values are collected here first so `out` stays untouched on failure;
	 * counts beyond this are rejected before any is stored. */
	double v[QUERY_MINUTES_MAX];
	int n = 0;     /* distinct values in v, sorted */
	int given = 0; /* values read, repeats included */
	int limit = max_count < QUERY_MINUTES_MAX ? max_count : QUERY_MINUTES_MAX;
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	const char *p = s;
	for (;;) {
		size_t len = strcspn(p, ",");
		if (given >= limit)
			return yz_fail(eb, YZ_ELIMIT, "%s: at most %d values are allowed", name,
				       limit < 0 ? 0 : limit);
		given++;
		double x;
		enum yz_err err = num_parse(name, "", p, len, 0, true, max_minutes, &x, eb);
		if (err)
			return err;
		/* Insertion into the sorted prefix, dropping repeats. */
		int k = n;
		while (k > 0 && v[k - 1] > x)
			k--;
		if (!(k > 0 && v[k - 1] == x)) {
			memmove(v + k + 1, v + k, (size_t)(n - k) * sizeof v[0]);
			v[k] = x;
			n++;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	memcpy(out, v, (size_t)n * sizeof v[0]);
	*count = n;
	return YZ_OK;
}

/* The message for an unknown key lists the known ones: the API's users
 * learn the vocabulary from it. */
static enum yz_err unknown_service(const char *name, const char *s, size_t n,
				   struct yz_errbuf *eb)
{
	char ex[EXCERPT_MAX + 4];
	char known[256];
	size_t k = 0;
	known[0] = '\0';
	for (unsigned i = 0; i < SERVICE_COUNT; i++) {
		int w = snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "", service_key(i));
		if (w < 0 || (size_t)w >= sizeof known - k)
			break;
		k += (size_t)w;
	}
	return yz_fail(eb, YZ_EPARSE, "%s: unknown service \"%s\" (known: %s)", name,
		       excerpt(ex, s, n), known);
}

enum yz_err query_services(const char *name, const char *s, uint32_t *mask,
			   struct yz_errbuf *eb)
{
	uint32_t m = 0;
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	const char *p = s;
	for (;;) {
		size_t len = strcspn(p, ",;");
		size_t a = 0, b = len;
		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		if (b > a) {
			int i = service_lookup(p + a, b - a);
			if (i < 0)
				return unknown_service(name, p + a, b - a, eb);
			m |= UINT32_C(1) << i;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
	return YZ_OK;
}

enum yz_err query_bool(const char *name, const char *s, int *out, struct yz_errbuf *eb)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	char ex[EXCERPT_MAX + 4];
	if (!s)
		return yz_fail(eb, YZ_EPARSE, "%s: missing", name);
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return YZ_OK;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return YZ_OK;
		}
	}
	return yz_fail(eb, YZ_EPARSE, "%s: expected 1, 0, true, false, yes or no, got \"%s\"",
		       name, excerpt(ex, s, strlen(s)));
}
