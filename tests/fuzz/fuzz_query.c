/* fuzz_query.c — libFuzzer target for query strings and typed parameters
 * (common/query.c).
 *
 * The input is parsed as a raw query string; the pairs found are checked
 * against a simple model (count of non-empty pairs, first-wins lookup, text
 * copied verbatim when nothing needs decoding), then every typed parser runs
 * on every value and on the whole input as one string.  Invariants, each an
 * abort() when violated: only the documented error codes; on failure the out
 * parameters are untouched and the message is one non-empty line that starts
 * with the parameter's name; on success the result is in range (a lonlat is
 * within [-180, 180] x [-90, 90], a bbox is non-empty and within its area,
 * minutes are strictly ascending in (0, max]), and the integer and number
 * parsers agree with each other.
 * Build: clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_query.c
 *        common/query.c common/services.c common/err.c common/buf.c -lm;
 *        replay without libFuzzer with tests/fuzz/replay.c. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/query.h"
#include "common/services.h"
#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SENTINEL 12345.25

static struct yz_errbuf eb;

static void reset_msg(void)
{
	memset(eb.msg, 0x5A, sizeof eb.msg);
}

/* A failure message: NUL-terminated within the buffer, non-empty, no control
 * characters (excerpts are cleaned), starting with `name` and ':' when a name
 * is given. */
static void check_msg(const char *name)
{
	size_t n = strnlen(eb.msg, sizeof eb.msg);
	CHECK(n > 0 && n < sizeof eb.msg);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)eb.msg[i] >= 0x20 && eb.msg[i] != 0x7F);
	if (name) {
		size_t k = strlen(name);
		CHECK(strncmp(eb.msg, name, k) == 0 && eb.msg[k] == ':');
	}
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Characters a number may contain once accepted. */
static bool only_number_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!strchr("0123456789+-.eE", *s) && !strchr(extra, *s))
			return false;
	return true;
}

static void check_typed(const char *s)
{
	enum yz_err err;

	/* query_double */
	double d = SENTINEL;
	reset_msg();
	err = query_double("x", s, -1000, 1000, &d, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_ERANGE);
	if (err == YZ_OK) {
		CHECK(isfinite(d) && d >= -1000 && d <= 1000 && !(d == 0 && signbit(d)));
		CHECK(*s && only_number_chars(s, ""));
		CHECK(strlen(s) <= 64);
	} else {
		CHECK(d == SENTINEL);
		check_msg("x");
	}

	/* query_int, and agreement with query_double */
	long l = 77;
	reset_msg();
	err = query_int("k", s, -50, 50, &l, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_ERANGE);
	if (err == YZ_OK) {
		CHECK(l >= -50 && l <= 50);
		CHECK(*s && only_number_chars(s, "") && !strpbrk(s, ".eE"));
		double d2 = SENTINEL;
		CHECK(query_double("k", s, -50, 50, &d2, &eb) == YZ_OK && d2 == (double)l);
	} else {
		CHECK(l == 77);
		check_msg("k");
	}
	if (err == YZ_ERANGE) {
		/* A well-formed integer out of range is a well-formed number. */
		double d3;
		CHECK(query_double("k", s, -HUGE_VAL, HUGE_VAL, &d3, &eb) != YZ_EPARSE);
	}

	/* query_lonlat */
	double lon = SENTINEL, lat = SENTINEL;
	reset_msg();
	err = query_lonlat("from", s, &lon, &lat, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_ERANGE);
	if (err == YZ_OK) {
		CHECK(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90);
		CHECK(count_char(s, ',') == 1 && only_number_chars(s, ","));
	} else {
		CHECK(lon == SENTINEL && lat == SENTINEL);
		check_msg("from");
	}

	/* query_bbox */
	double bb[4] = { SENTINEL, SENTINEL, SENTINEL, SENTINEL };
	reset_msg();
	err = query_bbox("bbox", s, bb, 4.0, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_ERANGE || err == YZ_ELIMIT);
	if (err == YZ_OK) {
		CHECK(bb[0] >= -180 && bb[2] <= 180 && bb[1] >= -90 && bb[3] <= 90);
		CHECK(bb[0] < bb[2] && bb[1] < bb[3]);
		CHECK((bb[2] - bb[0]) * (bb[3] - bb[1]) <= 4.0);
		CHECK(count_char(s, ',') == 3);
	} else {
		for (int k = 0; k < 4; k++)
			CHECK(bb[k] == SENTINEL);
		check_msg("bbox");
	}

	/* query_minutes */
	double m[6] = { SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL };
	int n = -7;
	reset_msg();
	err = query_minutes("minutes", s, m, 6, 60, &n, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_ERANGE || err == YZ_ELIMIT);
	if (err == YZ_OK) {
		CHECK(n >= 1 && n <= 6 && (size_t)n <= count_char(s, ',') + 1);
		for (int k = 0; k < n; k++) {
			CHECK(m[k] > 0 && m[k] <= 60);
			CHECK(k == 0 || m[k - 1] < m[k]);
		}
		for (int k = n; k < 6; k++)
			CHECK(m[k] == SENTINEL);
	} else {
		CHECK(n == -7);
		for (int k = 0; k < 6; k++)
			CHECK(m[k] == SENTINEL);
		check_msg("minutes");
		if (err == YZ_ELIMIT)
			CHECK(count_char(s, ',') + 1 > 6);
	}

	/* query_services */
	uint32_t mask = 0xDEADBEEF;
	reset_msg();
	err = query_services("service", s, &mask, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE);
	if (err == YZ_OK) {
		CHECK((mask & ~((UINT32_C(1) << SERVICE_COUNT) - 1)) == 0);
		CHECK(mask != 0 || strspn(s, ",; \t") == strlen(s));
	} else {
		CHECK(mask == 0xDEADBEEF);
		check_msg("service");
	}

	/* query_bool */
	int b = 5;
	reset_msg();
	err = query_bool("open_now", s, &b, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE);
	if (err == YZ_OK) {
		CHECK(b == 0 || b == 1);
		CHECK(strlen(s) >= 1 && strlen(s) <= 5);
	} else {
		CHECK(b == 5);
		check_msg("open_now");
	}
}

/* Model of the pair count: non-empty '&'-separated pieces after an optional
 * leading '?'. */
static unsigned model_count(const char *raw, size_t len)
{
	unsigned n = 0;
	size_t i = 0, start;
	if (len > 0 && raw[0] == '?')
		i = 1;
	while (i <= len) {
		start = i;
		while (i < len && raw[i] != '&')
			i++;
		n += i > start;
		i++;
	}
	return n;
}

static struct query q;

/* With no '%' and no '+' in the input, pair i is the i-th non-empty piece
 * between '&'s, split at its first '=', byte for byte. */
static void check_verbatim(const char *raw, size_t len)
{
	size_t i = len > 0 && raw[0] == '?' ? 1 : 0;
	unsigned p = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && raw[i] != '&')
			i++;
		size_t n = i - start;
		i++;
		if (n == 0)
			continue;
		const char *piece = raw + start;
		const char *eq = memchr(piece, '=', n);
		size_t klen = eq ? (size_t)(eq - piece) : n;
		const char *k = query_key(&q, p), *v = query_value(&q, p);
		CHECK(k && v);
		CHECK(strlen(k) == klen && memcmp(k, piece, klen) == 0);
		if (eq)
			CHECK(strlen(v) == n - klen - 1 && memcmp(v, eq + 1, n - klen - 1) == 0);
		else
			CHECK(*v == '\0');
		p++;
	}
	CHECK(p == query_count(&q));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw = (const char *)data;
	reset_msg();
	enum yz_err err = query_parse(raw, size, &q, &eb);
	CHECK(err == YZ_OK || err == YZ_EPARSE || err == YZ_ELIMIT);
	if (size > QUERY_MAX_BYTES)
		CHECK(err == YZ_ELIMIT);
	if (err != YZ_OK) {
		CHECK(query_count(&q) == 0);
		check_msg(NULL);
	} else {
		unsigned n = query_count(&q);
		CHECK(n <= QUERY_MAX_PARAMS && n == model_count(raw, size));
		bool verbatim = memchr(raw, '%', size) == NULL && memchr(raw, '+', size) == NULL;
		size_t total = 0;
		for (unsigned i = 0; i < n; i++) {
			const char *k = query_key(&q, i), *v = query_value(&q, i);
			CHECK(k && v);
			total += strlen(k) + strlen(v);
			/* First wins: the lookup returns the earliest pair's value. */
			unsigned first = i;
			for (unsigned p = 0; p < i; p++)
				if (strcmp(query_key(&q, p), k) == 0) {
					first = p;
					break;
				}
			CHECK(query_get(&q, k) == query_value(&q, first));
		}
		CHECK(total <= size);
		if (verbatim)
			check_verbatim(raw, size);
		CHECK(total <= size);
		for (unsigned i = 0; i < n; i++)
			check_typed(query_value(&q, i));
	}

	/* The whole input as one value, up to its first NUL. */
	char *s = malloc(size + 1);
	CHECK(s);
	memcpy(s, data, size);
	s[size] = '\0';
	check_typed(s);
	free(s);
	return 0;
}
