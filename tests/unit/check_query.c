/* check_query.c — unit tests of query-string parsing and the typed API
 * parameters (common/query.c): decoding, limits, duplicates, and each typed
 * parser's accepted and rejected inputs with the error code and message the
 * API will show.  Every rejection also checks that the out parameters were
 * left untouched. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/query.h"
#include "common/services.h"

Suite *query_suite(void);

static struct query q;
static struct yz_errbuf eb;

static enum yz_err parse(const char *s)
{
	eb.msg[0] = '\0';
	return query_parse(s, strlen(s), &q, &eb);
}

#define ck_msg_has(needle)                                                        \
	ck_assert_msg(strstr(eb.msg, needle) != NULL, "message \"%s\" lacks \"%s\"",  \
		      eb.msg, needle)

/* ---- query strings ---- */

START_TEST(test_parse_basic)
{
	ck_assert_int_eq(parse("a=1&b=x%20y+z"), YZ_OK);
	ck_assert_uint_eq(query_count(&q), 2);
	ck_assert_str_eq(query_get(&q, "a"), "1");
	ck_assert_str_eq(query_get(&q, "b"), "x y z");
	ck_assert_str_eq(query_key(&q, 1), "b");
	ck_assert_str_eq(query_value(&q, 0), "1");
	ck_assert_ptr_null(query_key(&q, 2));
	ck_assert_ptr_null(query_value(&q, 2));
	ck_assert_ptr_null(query_get(&q, "c"));
	query_fini(&q);
	ck_assert_uint_eq(query_count(&q), 0);
}
END_TEST

START_TEST(test_parse_realistic)
{
	ck_assert_int_eq(parse("lon=121.47&lat=31.23&mode=ebike&k=5&service=charging,water"),
			 YZ_OK);
	ck_assert_uint_eq(query_count(&q), 5);
	ck_assert_str_eq(query_get(&q, "lon"), "121.47");
	ck_assert_str_eq(query_get(&q, "service"), "charging,water");
}
END_TEST

START_TEST(test_parse_hex_case_and_utf8)
{
	ck_assert_int_eq(parse("p=%2f%2F&q=%E9%A9%BF%E7%AB%99&%6Con=1"), YZ_OK);
	ck_assert_str_eq(query_get(&q, "p"), "//");
	ck_assert_str_eq(query_get(&q, "q"), "驿站");
	ck_assert_str_eq(query_get(&q, "lon"), "1");
}
END_TEST

START_TEST(test_parse_encoded_delimiters)
{
	ck_assert_int_eq(parse("a=%26%3D%2B&a+b=1"), YZ_OK);
	ck_assert_str_eq(query_get(&q, "a"), "&=+");
	ck_assert_str_eq(query_get(&q, "a b"), "1");
}
END_TEST

START_TEST(test_parse_empty_pairs)
{
	ck_assert_int_eq(parse(""), YZ_OK);
	ck_assert_uint_eq(query_count(&q), 0);
	ck_assert_int_eq(parse("&"), YZ_OK);
	ck_assert_uint_eq(query_count(&q), 0);
	ck_assert_int_eq(parse("&&a=1&&&b=2&"), YZ_OK);
	ck_assert_uint_eq(query_count(&q), 2);
	ck_assert_str_eq(query_get(&q, "b"), "2");
	ck_assert_int_eq(query_parse(NULL, 0, &q, &eb), YZ_OK);
	ck_assert_uint_eq(query_count(&q), 0);
}
END_TEST

START_TEST(test_parse_key_without_value)
{
	ck_assert_int_eq(parse("network&x=1&y="), YZ_OK);
	ck_assert_str_eq(query_get(&q, "network"), "");
	ck_assert_str_eq(query_get(&q, "y"), "");
	ck_assert_int_eq(parse("a==b"), YZ_OK);
	ck_assert_str_eq(query_get(&q, "a"), "=b");
	ck_assert_int_eq(parse("=x"), YZ_OK);
	ck_assert_str_eq(query_get(&q, ""), "x");
}
END_TEST

START_TEST(test_parse_duplicates_first_wins)
{
	ck_assert_int_eq(parse("k=1&k=2&K=3"), YZ_OK);
	ck_assert_uint_eq(query_count(&q), 3);
	ck_assert_str_eq(query_get(&q, "k"), "1");
	ck_assert_str_eq(query_get(&q, "K"), "3");
	ck_assert_str_eq(query_value(&q, 1), "2");
}
END_TEST

START_TEST(test_parse_leading_question_mark)
{
	ck_assert_int_eq(parse("?a=1"), YZ_OK);
	ck_assert_str_eq(query_get(&q, "a"), "1");
}
END_TEST

START_TEST(test_parse_bad_escapes)
{
	static const char *const bad[] = { "a=%", "a=%4", "a=%G1", "a=%4G", "a=%%41", "a=1%",
					   "a=%-1", "a=% 1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(parse("x=1"), YZ_OK);
		ck_assert_msg(parse(bad[i]) == YZ_EPARSE, "%s accepted", bad[i]);
		ck_assert_uint_eq(query_count(&q), 0);
		ck_assert_ptr_null(query_get(&q, "x"));
		ck_msg_has("a: invalid percent-escape");
	}
	ck_assert_int_eq(parse("lon=1&l%zzat=2"), YZ_EPARSE);
	ck_msg_has("parameter name \"l%zzat\"");
	ck_assert_int_eq(parse("ok=1&=%"), YZ_EPARSE);
	ck_msg_has("(empty name)");
}
END_TEST

START_TEST(test_parse_nul_rejected)
{
	ck_assert_int_eq(parse("a=%00"), YZ_EPARSE);
	ck_msg_has("a: NUL");
	ck_assert_int_eq(parse("%00=1"), YZ_EPARSE);
	ck_assert_int_eq(query_parse("a=b\0c", 5, &q, &eb), YZ_EPARSE);
	ck_assert_int_eq(query_parse("a\0=1", 4, &q, &eb), YZ_EPARSE);
	/* The length decides: a NUL beyond it is never read. */
	ck_assert_int_eq(query_parse("a=b\0c", 3, &q, &eb), YZ_OK);
	ck_assert_str_eq(query_get(&q, "a"), "b");
}
END_TEST

START_TEST(test_parse_param_limit)
{
	char s[512];
	size_t n = 0;
	for (int i = 0; i < QUERY_MAX_PARAMS; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "%sp%d=%d", i ? "&" : "", i, i);
	ck_assert_int_eq(parse(s), YZ_OK);
	ck_assert_uint_eq(query_count(&q), QUERY_MAX_PARAMS);
	ck_assert_str_eq(query_get(&q, "p31"), "31");
	/* Empty pairs do not count. */
	snprintf(s + n, sizeof s - n, "&&&");
	ck_assert_int_eq(parse(s), YZ_OK);
	snprintf(s + n, sizeof s - n, "&x");
	ck_assert_int_eq(parse(s), YZ_ELIMIT);
	ck_assert_uint_eq(query_count(&q), 0);
	ck_msg_has("too many");
}
END_TEST

START_TEST(test_parse_length_limit)
{
	char *s = malloc(QUERY_MAX_BYTES + 2);
	ck_assert_ptr_nonnull(s);
	memcpy(s, "v=", 2);
	memset(s + 2, 'x', QUERY_MAX_BYTES - 2);
	s[QUERY_MAX_BYTES] = '\0';
	ck_assert_int_eq(parse(s), YZ_OK);
	ck_assert_uint_eq(strlen(query_get(&q, "v")), QUERY_MAX_BYTES - 2);
	s[QUERY_MAX_BYTES] = 'x';
	s[QUERY_MAX_BYTES + 1] = '\0';
	ck_assert_int_eq(parse(s), YZ_ELIMIT);
	ck_assert_uint_eq(query_count(&q), 0);
	ck_msg_has("4097 bytes");
	free(s);
}
END_TEST

START_TEST(test_parse_full_storage)
{
	/* 32 pairs "a" without '=' in nearly 4096 bytes: every key and value
	 * needs its NUL, the worst case for the inline storage. */
	char *s = malloc(QUERY_MAX_BYTES + 1);
	ck_assert_ptr_nonnull(s);
	size_t per = QUERY_MAX_BYTES / QUERY_MAX_PARAMS;
	for (int i = 0; i < QUERY_MAX_PARAMS; i++) {
		memset(s + (size_t)i * per, 'k', per - 1);
		s[(size_t)i * per + per - 1] = '&';
	}
	s[QUERY_MAX_BYTES - 1] = 'k';
	s[QUERY_MAX_BYTES] = '\0';
	ck_assert_int_eq(parse(s), YZ_OK);
	ck_assert_uint_eq(query_count(&q), QUERY_MAX_PARAMS);
	ck_assert_str_eq(query_value(&q, 31), "");
	free(s);
}
END_TEST

START_TEST(test_parse_null_eb)
{
	ck_assert_int_eq(query_parse("a=%zz", 5, &q, NULL), YZ_EPARSE);
}
END_TEST

/* ---- query_double ---- */

START_TEST(test_double_accept)
{
	static const struct {
		const char *s;
		double v;
	} ok[] = { { "0", 0 },        { "1.5", 1.5 },   { "+2", 2 },     { ".5", 0.5 },
		   { "5.", 5 },       { "1e2", 100 },   { "1E-2", 0.01 }, { "-180", -180 },
		   { "180", 180 },    { "00012", 12 },  { "121.47", 121.47 },
		   { "1e-400", 0 },   { "-1.25e+1", -12.5 } };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double v = 99;
		ck_assert_msg(query_double("x", ok[i].s, -180, 180, &v, &eb) == YZ_OK, "%s: %s",
			      ok[i].s, eb.msg);
		ck_assert_msg(v == ok[i].v, "%s gave %g", ok[i].s, v);
	}
}
END_TEST

START_TEST(test_double_negative_zero)
{
	double v = 1;
	ck_assert_int_eq(query_double("x", "-0", -1, 1, &v, &eb), YZ_OK);
	ck_assert(v == 0 && !signbit(v));
	ck_assert_int_eq(query_double("x", "-0.0e5", -1, 1, &v, &eb), YZ_OK);
	ck_assert(v == 0 && !signbit(v));
}
END_TEST

START_TEST(test_double_reject_malformed)
{
	static const char *const bad[] = { "",    " 1",  "1 ",  "abc",      "nan",  "NaN",
					   "inf", "-inf", "Infinity", "0x10", "0X1p3", "1e",
					   "1e+", ".",   "-",   "+",        "1.2.3", "1,5",
					   "--1", "1e5x", "e5", "1_000",    "\t1",  "1\n",
					   "１" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v = 99;
		ck_assert_msg(query_double("lon", bad[i], -1e9, 1e9, &v, &eb) == YZ_EPARSE,
			      "\"%s\" accepted", bad[i]);
		ck_assert(v == 99);
		ck_msg_has("lon: not a number");
	}
	double v;
	ck_assert_int_eq(query_double("lon", "abc", -180, 180, &v, &eb), YZ_EPARSE);
	ck_assert_str_eq(eb.msg, "lon: not a number: \"abc\"");
}
END_TEST

START_TEST(test_double_too_long)
{
	char s[80];
	memset(s, '1', 65);
	s[65] = '\0';
	double v = 99;
	ck_assert_int_eq(query_double("x", s, -HUGE_VAL, HUGE_VAL, &v, &eb), YZ_EPARSE);
	s[64] = '\0';
	ck_assert_int_eq(query_double("x", s, -HUGE_VAL, HUGE_VAL, &v, &eb), YZ_OK);
	ck_assert(v > 1e63);
}
END_TEST

START_TEST(test_double_range)
{
	double v = 99;
	ck_assert_int_eq(query_double("lat", "91", -90, 90, &v, &eb), YZ_ERANGE);
	ck_assert_str_eq(eb.msg, "lat: 91 is out of range [-90, 90]");
	ck_assert_int_eq(query_double("lat", "-90.0000001", -90, 90, &v, &eb), YZ_ERANGE);
	ck_assert_int_eq(query_double("x", "1e999", -HUGE_VAL, HUGE_VAL, &v, &eb), YZ_ERANGE);
	ck_assert_int_eq(query_double("x", "-1e999", -HUGE_VAL, HUGE_VAL, &v, &eb), YZ_ERANGE);
	ck_assert_int_eq(query_double("x", "1e999", -1, 1, &v, &eb), YZ_ERANGE);
	ck_msg_has("x: 1e999 is out of range");
	ck_assert(v == 99);
}
END_TEST

START_TEST(test_double_missing_and_null_eb)
{
	double v = 99;
	ck_assert_int_eq(query_double("lon", NULL, -1, 1, &v, &eb), YZ_EPARSE);
	ck_assert_str_eq(eb.msg, "lon: missing");
	ck_assert_int_eq(query_double("lon", "x", -1, 1, &v, NULL), YZ_EPARSE);
	ck_assert_int_eq(query_double("lon", "5", -1, 1, &v, NULL), YZ_ERANGE);
	ck_assert(v == 99);
}
END_TEST

START_TEST(test_message_excerpt_sanitised)
{
	double v;
	ck_assert_int_eq(query_double("x", "\x01" "ab\x1b[31m", -1, 1, &v, &eb), YZ_EPARSE);
	ck_assert_str_eq(eb.msg, "x: not a number: \"?ab?[31m\"");
	char s[200];
	memset(s, 'a', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	ck_assert_int_eq(query_double("x", s, -1, 1, &v, &eb), YZ_EPARSE);
	ck_msg_has("aaa...\"");
	ck_assert_uint_lt(strlen(eb.msg), 80);
	/* Cut never splits a UTF-8 sequence: 20 three-byte characters. */
	char u[61];
	for (int i = 0; i < 20; i++)
		memcpy(u + 3 * i, "站", 3);
	u[60] = '\0';
	ck_assert_int_eq(query_double("x", u, -1, 1, &v, &eb), YZ_EPARSE);
	ck_msg_has("站站...\"");
}
END_TEST

/* ---- query_int ---- */

START_TEST(test_int_accept)
{
	static const struct {
		const char *s;
		long v;
	} ok[] = { { "0", 0 }, { "-5", -5 }, { "+7", 7 }, { "50", 50 }, { "007", 7 } };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		long v = 99;
		ck_assert_msg(query_int("k", ok[i].s, -50, 50, &v, &eb) == YZ_OK, "%s", ok[i].s);
		ck_assert_int_eq(v, ok[i].v);
	}
	long v;
	ck_assert_int_eq(query_int("k", "9223372036854775807", LONG_MIN, LONG_MAX, &v, &eb),
			 YZ_OK);
	ck_assert(v == LONG_MAX);
	ck_assert_int_eq(query_int("k", "-9223372036854775808", LONG_MIN, LONG_MAX, &v, &eb),
			 YZ_OK);
	ck_assert(v == LONG_MIN);
}
END_TEST

START_TEST(test_int_reject)
{
	static const char *const bad[] = { "1.0", "1e3", "",  " 1",  "1 ", "0x10", "abc",
					   "-",   "+",   "1-", "nan", "inf", "5k",   "1,2" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		long v = 99;
		ck_assert_msg(query_int("k", bad[i], -100, 100, &v, &eb) == YZ_EPARSE,
			      "\"%s\" accepted", bad[i]);
		ck_assert_int_eq(v, 99);
		ck_msg_has("k: not an integer");
	}
	long v = 99;
	ck_assert_int_eq(query_int("k", "51", 1, 50, &v, &eb), YZ_ERANGE);
	ck_assert_str_eq(eb.msg, "k: 51 is out of range [1, 50]");
	ck_assert_int_eq(query_int("k", "0", 1, 50, &v, &eb), YZ_ERANGE);
	ck_assert_int_eq(query_int("k", "99999999999999999999", LONG_MIN, LONG_MAX, &v, &eb),
			 YZ_ERANGE);
	ck_assert_int_eq(query_int("k", "-99999999999999999999", LONG_MIN, LONG_MAX, &v, &eb),
			 YZ_ERANGE);
	ck_assert_int_eq(query_int("k", NULL, 1, 50, &v, &eb), YZ_EPARSE);
	ck_assert_int_eq(v, 99);
}
END_TEST

/* ---- query_lonlat ---- */

START_TEST(test_lonlat_accept)
{
	double lon = 99, lat = 99;
	ck_assert_int_eq(query_lonlat("from", "121.47,31.23", &lon, &lat, &eb), YZ_OK);
	ck_assert(lon == 121.47 && lat == 31.23);
	ck_assert_int_eq(query_lonlat("from", "-180,-90", &lon, &lat, &eb), YZ_OK);
	ck_assert(lon == -180 && lat == -90);
	ck_assert_int_eq(query_lonlat("from", "180,90", &lon, &lat, &eb), YZ_OK);
	ck_assert_int_eq(query_lonlat("from", "0,-0", &lon, &lat, &eb), YZ_OK);
	ck_assert(lon == 0 && lat == 0 && !signbit(lat));
}
END_TEST

START_TEST(test_lonlat_reject)
{
	static const char *const bad[] = { "",      ",",    "1",     "1,2,3", "1,",  ",1",
					   " 1,2",  "1, 2", "1,2 ",  "nan,0", "0,inf", "1;2",
					   "1,,2",  "0x1,2", "a,b",  "1 2" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double lon = 99, lat = 99;
		ck_assert_msg(query_lonlat("from", bad[i], &lon, &lat, &eb) == YZ_EPARSE,
			      "\"%s\" accepted", bad[i]);
		ck_assert(lon == 99 && lat == 99);
		ck_msg_has("from: ");
	}
	double lon = 99, lat = 99;
	ck_assert_int_eq(query_lonlat("from", "1,2,3", &lon, &lat, &eb), YZ_EPARSE);
	ck_assert_str_eq(eb.msg, "from: expected \"lon,lat\", got \"1,2,3\"");
	ck_assert_int_eq(query_lonlat("from", "abc,1", &lon, &lat, &eb), YZ_EPARSE);
	ck_assert_str_eq(eb.msg, "from: longitude: not a number: \"abc\"");
	ck_assert_int_eq(query_lonlat("from", "181,0", &lon, &lat, &eb), YZ_ERANGE);
	ck_assert_str_eq(eb.msg, "from: longitude 181 is out of range [-180, 180]");
	ck_assert_int_eq(query_lonlat("to", "0,91", &lon, &lat, &eb), YZ_ERANGE);
	ck_assert_str_eq(eb.msg, "to: latitude 91 is out of range [-90, 90]");
	ck_assert_int_eq(query_lonlat("to", "1e999,0", &lon, &lat, &eb), YZ_ERANGE);
	ck_assert_int_eq(query_lonlat("to", NULL, &lon, &lat, &eb), YZ_EPARSE);
	ck_assert(lon == 99 && lat == 99);
}
END_TEST

/* ---- query_bbox ---- */

START_TEST(test_bbox_accept)
{
	double b[4] = { 9, 9, 9, 9 };
	ck_assert_int_eq(query_bbox("bbox", "121.4,31.1,121.6,31.3", b, 1.0, &eb), YZ_OK);
	ck_assert(b[0] == 121.4 && b[1] == 31.1 && b[2] == 121.6 && b[3] == 31.3);
	ck_assert_int_eq(query_bbox("bbox", "-180,-90,180,90", b, HUGE_VAL, &eb), YZ_OK);
	ck_assert(b[0] == -180 && b[3] == 90);
	ck_assert_int_eq(query_bbox("bbox", "0,0,2,2", b, 4.0, &eb), YZ_OK);
}
END_TEST

START_TEST(test_bbox_reject)
{
	static const struct {
		const char *s;
		enum yz_err err;
		const char *msg;
	} bad[] = {
		{ "", YZ_EPARSE, "expected" },
		{ "1,2,3", YZ_EPARSE, "expected \"west,south,east,north\"" },
		{ "1,2,3,4,5", YZ_EPARSE, "expected" },
		{ "1,2,3,x", YZ_EPARSE, "bbox: north: not a number: \"x\"" },
		{ "1,2,3,4 ", YZ_EPARSE, "north" },
		{ ",,,", YZ_EPARSE, "west" },
		{ "nan,0,1,1", YZ_EPARSE, "west" },
		{ "121.6,31.1,121.4,31.3", YZ_ERANGE, "west 121.6 must be less than east 121.4" },
		{ "1,2,1,3", YZ_ERANGE, "west" },
		{ "0,2,1,1", YZ_ERANGE, "south 2 must be less than north 1" },
		{ "0,-91,1,1", YZ_ERANGE, "bbox: south -91 is out of range [-90, 90]" },
		{ "-181,0,1,1", YZ_ERANGE, "west -181" },
		{ "0,0,1e999,1", YZ_ERANGE, "east" },
		{ "-10,-10,10,10", YZ_ELIMIT, "area 400 deg^2 exceeds the limit of 1 deg^2" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double b[4] = { 9, 9, 9, 9 };
		enum yz_err err = query_bbox("bbox", bad[i].s, b, 1.0, &eb);
		ck_assert_msg(err == bad[i].err, "\"%s\": got %d (%s)", bad[i].s, err, eb.msg);
		ck_msg_has(bad[i].msg);
		ck_assert(b[0] == 9 && b[1] == 9 && b[2] == 9 && b[3] == 9);
	}
	double b[4];
	ck_assert_int_eq(query_bbox("bbox", NULL, b, 1.0, &eb), YZ_EPARSE);
}
END_TEST

/* ---- query_minutes ---- */

static enum yz_err minutes(const char *s, double *out, int *count)
{
	return query_minutes("minutes", s, out, 6, 60, count, &eb);
}

START_TEST(test_minutes_accept)
{
	double m[6];
	int n = 0;
	ck_assert_int_eq(minutes("5,10,15", m, &n), YZ_OK);
	ck_assert_int_eq(n, 3);
	ck_assert(m[0] == 5 && m[1] == 10 && m[2] == 15);
	ck_assert_int_eq(minutes("15,5,10", m, &n), YZ_OK);
	ck_assert(n == 3 && m[0] == 5 && m[1] == 10 && m[2] == 15);
	ck_assert_int_eq(minutes("10,5,10,5", m, &n), YZ_OK);
	ck_assert(n == 2 && m[0] == 5 && m[1] == 10);
	ck_assert_int_eq(minutes("7.5", m, &n), YZ_OK);
	ck_assert(n == 1 && m[0] == 7.5);
	ck_assert_int_eq(minutes("60", m, &n), YZ_OK);
	ck_assert_int_eq(minutes("6,5,4,3,2,1", m, &n), YZ_OK);
	ck_assert_int_eq(n, 6);
	for (int i = 0; i < 6; i++)
		ck_assert(m[i] == i + 1);
	ck_assert_int_eq(minutes("0.001", m, &n), YZ_OK);
}
END_TEST

START_TEST(test_minutes_reject)
{
	static const struct {
		const char *s;
		enum yz_err err;
		const char *msg;
	} bad[] = {
		{ "", YZ_EPARSE, "minutes: not a number: \"\"" },
		{ ",", YZ_EPARSE, "not a number" },
		{ "5,,10", YZ_EPARSE, "not a number" },
		{ "5,10,", YZ_EPARSE, "not a number" },
		{ " 5", YZ_EPARSE, "not a number" },
		{ "5;10", YZ_EPARSE, "not a number" },
		{ "nan", YZ_EPARSE, "not a number" },
		{ "inf", YZ_EPARSE, "not a number" },
		{ "0x10", YZ_EPARSE, "not a number" },
		{ "0", YZ_ERANGE, "minutes: 0 is out of range (0, 60]" },
		{ "-0", YZ_ERANGE, "(0, 60]" },
		{ "-5", YZ_ERANGE, "(0, 60]" },
		{ "60.0001", YZ_ERANGE, "60.0001 is out of range" },
		{ "5,1e999", YZ_ERANGE, "1e999" },
		{ "1,2,3,4,5,6,7", YZ_ELIMIT, "minutes: at most 6 values" },
		{ "5,5,5,5,5,5,5", YZ_ELIMIT, "at most 6" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double m[6] = { 9, 9, 9, 9, 9, 9 };
		int n = 9;
		enum yz_err err = minutes(bad[i].s, m, &n);
		ck_assert_msg(err == bad[i].err, "\"%s\": got %d (%s)", bad[i].s, err, eb.msg);
		ck_msg_has(bad[i].msg);
		ck_assert_int_eq(n, 9);
		for (int k = 0; k < 6; k++)
			ck_assert(m[k] == 9);
	}
	double m[1];
	int n;
	ck_assert_int_eq(query_minutes("minutes", "5", m, 0, 60, &n, &eb), YZ_ELIMIT);
	ck_assert_int_eq(query_minutes("minutes", NULL, m, 1, 60, &n, &eb), YZ_EPARSE);
}
END_TEST

START_TEST(test_minutes_count_capped)
{
	/* A caller allowing more than QUERY_MINUTES_MAX gets that many at most. */
	char s[QUERY_MINUTES_MAX * 4 + 8];
	size_t len = 0;
	for (int i = 1; i <= QUERY_MINUTES_MAX + 1; i++)
		len += (size_t)snprintf(s + len, sizeof s - len, "%s%d", i > 1 ? "," : "", i);
	double *m = malloc(1000 * sizeof *m);
	int n;
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(query_minutes("minutes", s, m, 1000, 1000, &n, &eb), YZ_ELIMIT);
	*strrchr(s, ',') = '\0';
	ck_assert_int_eq(query_minutes("minutes", s, m, 1000, 1000, &n, &eb), YZ_OK);
	ck_assert_int_eq(n, QUERY_MINUTES_MAX);
	free(m);
}
END_TEST

/* ---- query_services ---- */

START_TEST(test_services_accept)
{
	uint32_t m = 99;
	uint32_t want = (UINT32_C(1) << SVC_CHARGING) | (UINT32_C(1) << SVC_WATER);
	ck_assert_int_eq(query_services("service", "charging,water", &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, want);
	ck_assert_int_eq(query_services("service", "water;charging", &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, want);
	ck_assert_int_eq(query_services("service", " Charging , WATER ;", &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, want);
	ck_assert_int_eq(query_services("service", "water,water", &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, UINT32_C(1) << SVC_WATER);
	ck_assert_int_eq(query_services("service", "", &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(query_services("service", ",;, ", &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, 0);
}
END_TEST

START_TEST(test_services_every_key)
{
	char s[512] = "";
	for (unsigned i = 0; i < SERVICE_COUNT; i++) {
		uint32_t m = 0;
		ck_assert_int_eq(query_services("service", service_key(i), &m, &eb), YZ_OK);
		ck_assert_uint_eq(m, UINT32_C(1) << i);
		strcat(s, i ? ";" : "");
		strcat(s, service_key(i));
	}
	uint32_t m = 0;
	ck_assert_int_eq(query_services("service", s, &m, &eb), YZ_OK);
	ck_assert_uint_eq(m, (UINT32_C(1) << SERVICE_COUNT) - 1);
}
END_TEST

START_TEST(test_services_reject)
{
	static const char *const bad[] = { "charging,foo", "wat er", "hot-water", "饮水",
					   "charging,water,nope" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint32_t m = 99;
		ck_assert_msg(query_services("service", bad[i], &m, &eb) == YZ_EPARSE,
			      "\"%s\" accepted", bad[i]);
		ck_assert_uint_eq(m, 99);
		ck_msg_has("service: unknown service");
	}
	uint32_t m = 99;
	ck_assert_int_eq(query_services("service", "charging, foo ,water", &m, &eb), YZ_EPARSE);
	ck_msg_has("unknown service \"foo\"");
	ck_msg_has("known: water, hot_water, charging");
	ck_assert_int_eq(query_services("service", NULL, &m, &eb), YZ_EPARSE);
}
END_TEST

/* ---- query_bool ---- */

START_TEST(test_bool)
{
	static const char *const yes[] = { "1", "true", "yes", "on", "TRUE", "Yes" };
	static const char *const no[] = { "0", "false", "no", "off", "False", "NO" };
	static const char *const bad[] = { "", "2", " 1", "1 ", "truex", "y", "n", "01", "-1" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		int v = 9;
		ck_assert_int_eq(query_bool("open_now", yes[i], &v, &eb), YZ_OK);
		ck_assert_int_eq(v, 1);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		int v = 9;
		ck_assert_int_eq(query_bool("open_now", no[i], &v, &eb), YZ_OK);
		ck_assert_int_eq(v, 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int v = 9;
		ck_assert_msg(query_bool("open_now", bad[i], &v, &eb) == YZ_EPARSE,
			      "\"%s\" accepted", bad[i]);
		ck_assert_int_eq(v, 9);
		ck_msg_has("open_now: expected");
	}
	int v = 9;
	ck_assert_int_eq(query_bool("network", NULL, &v, &eb), YZ_EPARSE);
	ck_assert_int_eq(v, 9);
}
END_TEST

/* ---- together ---- */

START_TEST(test_parse_then_typed)
{
	ck_assert_int_eq(parse("lon=121.47&lat=31.23&mode=ebike&k=5&service=charging%2Cwater"
			       "&minutes=15,5&open_now=1&from=121.4%2C31.2"),
			 YZ_OK);
	double lon, lat, m[6];
	long k;
	int n, open;
	uint32_t mask;
	ck_assert_int_eq(query_double("lon", query_get(&q, "lon"), -180, 180, &lon, &eb), YZ_OK);
	ck_assert_int_eq(query_double("lat", query_get(&q, "lat"), -90, 90, &lat, &eb), YZ_OK);
	ck_assert_int_eq(query_int("k", query_get(&q, "k"), 1, 50, &k, &eb), YZ_OK);
	ck_assert_int_eq(query_services("service", query_get(&q, "service"), &mask, &eb), YZ_OK);
	ck_assert_int_eq(query_minutes("minutes", query_get(&q, "minutes"), m, 6, 60, &n, &eb),
			 YZ_OK);
	ck_assert_int_eq(query_bool("open_now", query_get(&q, "open_now"), &open, &eb), YZ_OK);
	ck_assert_int_eq(query_lonlat("from", query_get(&q, "from"), &lon, &lat, &eb), YZ_OK);
	ck_assert(k == 5 && n == 2 && m[0] == 5 && open == 1 && lon == 121.4 && lat == 31.2);
	ck_assert_int_eq(query_double("zoom", query_get(&q, "zoom"), 0, 20, &lon, &eb), YZ_EPARSE);
	ck_assert_str_eq(eb.msg, "zoom: missing");
}
END_TEST

Suite *query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_basic);
	tcase_add_test(tc, test_parse_realistic);
	tcase_add_test(tc, test_parse_hex_case_and_utf8);
	tcase_add_test(tc, test_parse_encoded_delimiters);
	tcase_add_test(tc, test_parse_empty_pairs);
	tcase_add_test(tc, test_parse_key_without_value);
	tcase_add_test(tc, test_parse_duplicates_first_wins);
	tcase_add_test(tc, test_parse_leading_question_mark);
	tcase_add_test(tc, test_parse_bad_escapes);
	tcase_add_test(tc, test_parse_nul_rejected);
	tcase_add_test(tc, test_parse_param_limit);
	tcase_add_test(tc, test_parse_length_limit);
	tcase_add_test(tc, test_parse_full_storage);
	tcase_add_test(tc, test_parse_null_eb);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_test(tc, test_double_accept);
	tcase_add_test(tc, test_double_negative_zero);
	tcase_add_test(tc, test_double_reject_malformed);
	tcase_add_test(tc, test_double_too_long);
	tcase_add_test(tc, test_double_range);
	tcase_add_test(tc, test_double_missing_and_null_eb);
	tcase_add_test(tc, test_message_excerpt_sanitised);
	tcase_add_test(tc, test_int_accept);
	tcase_add_test(tc, test_int_reject);
	suite_add_tcase(s, tc);

	tc = tcase_create("composite");
	tcase_add_test(tc, test_lonlat_accept);
	tcase_add_test(tc, test_lonlat_reject);
	tcase_add_test(tc, test_bbox_accept);
	tcase_add_test(tc, test_bbox_reject);
	tcase_add_test(tc, test_minutes_accept);
	tcase_add_test(tc, test_minutes_reject);
	tcase_add_test(tc, test_minutes_count_capped);
	tcase_add_test(tc, test_services_accept);
	tcase_add_test(tc, test_services_every_key);
	tcase_add_test(tc, test_services_reject);
	tcase_add_test(tc, test_bool);
	tcase_add_test(tc, test_parse_then_typed);
	suite_add_tcase(s, tc);
	return s;
}
