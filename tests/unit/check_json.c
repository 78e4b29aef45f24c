/* check_json.c — unit tests of the JSON writer (common/json.c): automatic
 * commas and colons through nesting, string escaping and the replacement of
 * every class of ill-formed UTF-8, number formatting, and the sticky failure
 * on depth overflow and misuse. */
#include <check.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/json.h"

Suite *json_suite(void);

#define FFFD "\xEF\xBF\xBD"

static struct buf b;
static struct json j;

static void setup(void)
{
	buf_init(&b);
	json_init(&j, &b);
}

static void teardown(void)
{
	buf_fini(&b);
}

#define ck_json(want)                                                            \
	do {                                                                       \
		ck_assert_msg(json_ok(&j), "writer failed or unbalanced");         \
		ck_assert_str_eq(b.data, want);                                    \
	} while (0)

/* json_strn of n bytes at `in` on a fresh writer must give `want`. */
static void check_strn(const char *in, size_t n, const char *want)
{
	struct buf sb;
	struct json sj;
	buf_init(&sb);
	json_init(&sj, &sb);
	json_strn(&sj, in, n);
	ck_assert(json_ok(&sj));
	ck_assert_msg(strcmp(sb.data, want) == 0, "input of %zu bytes: got %s, want %s", n,
		      sb.data, want);
	buf_fini(&sb);
}

#define CHECK_STR(lit, want) check_strn(lit, sizeof(lit) - 1, want)

/* ---- structure ---- */

START_TEST(test_empty_containers)
{
	json_arr_begin(&j);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_end(&j);
	ck_json("[{},[],{}]");
}
END_TEST

START_TEST(test_object_members)
{
	json_obj_begin(&j);
	json_key(&j, "a");
	json_int(&j, 1);
	json_key(&j, "b");
	json_str(&j, "x");
	json_key(&j, "c");
	json_arr_begin(&j);
	json_int(&j, 1);
	json_int(&j, 2);
	json_arr_end(&j);
	json_key(&j, "d");
	json_obj_begin(&j);
	json_key(&j, "e");
	json_null(&j);
	json_obj_end(&j);
	json_key(&j, "f");
	json_bool(&j, true);
	json_obj_end(&j);
	ck_json("{\"a\":1,\"b\":\"x\",\"c\":[1,2],\"d\":{\"e\":null},\"f\":true}");
}
END_TEST

START_TEST(test_nested_commas)
{
	json_arr_begin(&j);
	for (int i = 0; i < 3; i++) {
		json_arr_begin(&j);
		for (int k = 0; k < i; k++) {
			json_obj_begin(&j);
			json_key(&j, "k");
			json_int(&j, k);
			json_key(&j, "v");
			json_arr_begin(&j);
			json_arr_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
	}
	json_null(&j);
	json_arr_end(&j);
	ck_json("[[],[{\"k\":0,\"v\":[]}],[{\"k\":0,\"v\":[]},{\"k\":1,\"v\":[]}],null]");
}
END_TEST

START_TEST(test_geojson_shape)
{
	json_obj_begin(&j);
	json_key(&j, "type");
	json_str(&j, "Feature");
	json_key(&j, "geometry");
	json_obj_begin(&j);
	json_key(&j, "type");
	json_str(&j, "LineString");
	json_key(&j, "coordinates");
	json_arr_begin(&j);
	json_lonlat(&j, 121.4737, 31.2304);
	json_lonlat(&j, 121.5, 31.25);
	json_arr_end(&j);
	json_obj_end(&j);
	json_key(&j, "properties");
	json_raw(&j, "{\"minutes\":5}");
	json_obj_end(&j);
	ck_json("{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
		"[[121.4737,31.2304],[121.5,31.25]]},\"properties\":{\"minutes\":5}}");
}
END_TEST

START_TEST(test_top_level_scalar)
{
	json_str(&j, "solo");
	ck_json("\"solo\"");
}
END_TEST

START_TEST(test_appends_to_existing_text)
{
	buf_adds(&b, "cb(");
	json_arr_begin(&j);
	json_int(&j, 1);
	json_arr_end(&j);
	buf_adds(&b, ")");
	ck_json("cb([1])");
}
END_TEST

START_TEST(test_raw_values)
{
	json_arr_begin(&j);
	json_raw(&j, "{\"a\":[1,2]}");
	json_raw(&j, "3.25");
	json_arr_end(&j);
	ck_json("[{\"a\":[1,2]},3.25]");
}
END_TEST

START_TEST(test_key_escaped)
{
	json_obj_begin(&j);
	json_key(&j, "a\"b\\c\n");
	json_int(&j, 0);
	json_key(&j, "名称");
	json_str(&j, "驿站");
	json_obj_end(&j);
	ck_json("{\"a\\\"b\\\\c\\u000a\":0,\"名称\":\"驿站\"}");
}
END_TEST

/* ---- failure ---- */

START_TEST(test_depth_limit_ok)
{
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_begin(&j);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_end(&j);
	ck_assert(json_ok(&j));
	ck_assert_uint_eq(b.len, 2 * JSON_MAX_DEPTH);
}
END_TEST

START_TEST(test_depth_overflow_fails)
{
	for (int i = 0; i < JSON_MAX_DEPTH + 10; i++) {
		json_obj_begin(&j);
		json_key(&j, "x");
	}
	json_int(&j, 1);
	for (int i = 0; i < JSON_MAX_DEPTH + 10; i++)
		json_obj_end(&j);
	ck_assert(b.failed);
	ck_assert(!json_ok(&j));
}
END_TEST

START_TEST(test_after_failure_nothing_changes)
{
	json_arr_begin(&j);
	json_arr_end(&j);
	json_arr_end(&j); /* unbalanced */
	ck_assert(b.failed);
	json_str(&j, "more");
	json_obj_begin(&j);
	ck_assert(b.failed);
	ck_assert(!json_ok(&j));
}
END_TEST

START_TEST(test_misuse_key_in_array)
{
	json_arr_begin(&j);
	json_key(&j, "k");
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_misuse_key_at_top)
{
	json_key(&j, "k");
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_misuse_value_without_key)
{
	json_obj_begin(&j);
	json_int(&j, 1);
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_misuse_two_keys)
{
	json_obj_begin(&j);
	json_key(&j, "a");
	json_key(&j, "b");
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_misuse_end_after_key)
{
	json_obj_begin(&j);
	json_key(&j, "a");
	json_obj_end(&j);
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_misuse_mismatched_end)
{
	json_obj_begin(&j);
	json_arr_end(&j);
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_misuse_second_top_value)
{
	json_int(&j, 1);
	json_int(&j, 2);
	ck_assert(b.failed);
}
END_TEST

START_TEST(test_unclosed_not_ok)
{
	json_obj_begin(&j);
	ck_assert(!b.failed);
	ck_assert(!json_ok(&j));
	json_key(&j, "a");
	ck_assert(!json_ok(&j));
	json_int(&j, 1);
	ck_assert(!json_ok(&j));
	json_obj_end(&j);
	ck_json("{\"a\":1}");
}
END_TEST

/* ---- strings ---- */

START_TEST(test_escape_ascii)
{
	CHECK_STR("plain text", "\"plain text\"");
	CHECK_STR("", "\"\"");
	CHECK_STR("q\"uote", "\"q\\\"uote\"");
	CHECK_STR("back\\slash", "\"back\\\\slash\"");
	CHECK_STR("/slash", "\"/slash\"");
	CHECK_STR("\n\r\t\b\f", "\"\\u000a\\u000d\\u0009\\u0008\\u000c\"");
	CHECK_STR("\x01\x1f", "\"\\u0001\\u001f\"");
	CHECK_STR("\x7f", "\"\x7f\"");
	CHECK_STR(" ~", "\" ~\"");
}
END_TEST

START_TEST(test_escape_every_control)
{
	for (int c = 0; c < 0x20; c++) {
		char in = (char)c, want[16];
		snprintf(want, sizeof want, "\"\\u00%02x\"", c);
		check_strn(&in, 1, want);
	}
}
END_TEST

START_TEST(test_strn_embedded_nul)
{
	CHECK_STR("a\0b", "\"a\\u0000b\"");
}
END_TEST

START_TEST(test_str_null_pointer)
{
	json_str(&j, NULL);
	ck_json("null");
}
END_TEST

START_TEST(test_utf8_valid_kept)
{
	CHECK_STR("驿站地图", "\"驿站地图\"");
	CHECK_STR("caf\xC3\xA9", "\"caf\xC3\xA9\"");               /* U+00E9 */
	CHECK_STR("\xC2\x80", "\"\xC2\x80\"");                     /* U+0080 */
	CHECK_STR("\xDF\xBF", "\"\xDF\xBF\"");                     /* U+07FF */
	CHECK_STR("\xE0\xA0\x80", "\"\xE0\xA0\x80\"");             /* U+0800 */
	CHECK_STR("\xED\x9F\xBF", "\"\xED\x9F\xBF\"");             /* U+D7FF */
	CHECK_STR("\xEE\x80\x80", "\"\xEE\x80\x80\"");             /* U+E000 */
	CHECK_STR("\xEF\xBF\xBF", "\"\xEF\xBF\xBF\"");             /* U+FFFF */
	CHECK_STR("\xF0\x90\x80\x80", "\"\xF0\x90\x80\x80\"");     /* U+10000 */
	CHECK_STR("\xF0\x9F\x98\x80", "\"\xF0\x9F\x98\x80\"");     /* U+1F600 */
	CHECK_STR("\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\"");     /* U+10FFFF */
	CHECK_STR("\xE2\x80\xA8", "\"\xE2\x80\xA8\"");             /* U+2028 */
	CHECK_STR(FFFD, "\"" FFFD "\"");
}
END_TEST

START_TEST(test_utf8_stray_bytes)
{
	CHECK_STR("\x80", "\"" FFFD "\"");
	CHECK_STR("\xBF", "\"" FFFD "\"");
	CHECK_STR("\x80\x80", "\"" FFFD FFFD "\"");
	CHECK_STR("\xFF", "\"" FFFD "\"");
	CHECK_STR("\xFE\xFF", "\"" FFFD FFFD "\"");
	CHECK_STR("\xF5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR("ok\xFFok", "\"ok" FFFD "ok\"");
}
END_TEST

START_TEST(test_utf8_overlong)
{
	CHECK_STR("\xC0\xAF", "\"" FFFD FFFD "\"");             /* '/' in 2 bytes */
	CHECK_STR("\xC1\xBF", "\"" FFFD FFFD "\"");
	CHECK_STR("\xC0\x80", "\"" FFFD FFFD "\"");             /* "modified UTF-8" NUL */
	CHECK_STR("\xE0\x80\xAF", "\"" FFFD FFFD FFFD "\"");    /* '/' in 3 bytes */
	CHECK_STR("\xE0\x9F\xBF", "\"" FFFD FFFD FFFD "\"");    /* U+07FF in 3 bytes */
	CHECK_STR("\xF0\x80\x80\xAF", "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR("\xF0\x8F\xBF\xBF", "\"" FFFD FFFD FFFD FFFD "\""); /* U+FFFF in 4 */
}
END_TEST

START_TEST(test_utf8_surrogates_and_beyond)
{
	CHECK_STR("\xED\xA0\x80", "\"" FFFD FFFD FFFD "\"");    /* U+D800 */
	CHECK_STR("\xED\xBF\xBF", "\"" FFFD FFFD FFFD "\"");    /* U+DFFF */
	CHECK_STR("\xED\xA0\xBD\xED\xB8\x80",                   /* CESU-8 pair */
		  "\"" FFFD FFFD FFFD FFFD FFFD FFFD "\"");
	CHECK_STR("\xF4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* U+110000 */
	CHECK_STR("\xF7\xBF\xBF\xBF", "\"" FFFD FFFD FFFD FFFD "\"");
}
END_TEST

START_TEST(test_utf8_truncated)
{
	/* A truncated sequence is one maximal subpart: one U+FFFD. */
	CHECK_STR("\xE9\xA9", "\"" FFFD "\"");                  /* 驿 without its last byte */
	CHECK_STR("\xE9\xA9x", "\"" FFFD "x\"");
	CHECK_STR("\xE9", "\"" FFFD "\"");
	CHECK_STR("a\xC3", "\"a" FFFD "\"");
	CHECK_STR("\xC3\x28", "\"" FFFD "(\"");
	CHECK_STR("\xF0\x9F\x98", "\"" FFFD "\"");
	CHECK_STR("\xF0\x9F\x98\"", "\"" FFFD "\\\"\"");
	CHECK_STR("\xF0\x9F", "\"" FFFD "\"");
	CHECK_STR("\xE9\xA9\xE7\xAB\x99", "\"" FFFD "站\"");
	CHECK_STR("\xC3\xC3\xA9", "\"" FFFD "\xC3\xA9\"");
}
END_TEST

START_TEST(test_long_string)
{
	size_t n = 100000;
	char *in = malloc(n);
	ck_assert_ptr_nonnull(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)(i % 3 == 0 ? '"' : 'a');
	json_strn(&j, in, n);
	ck_assert(json_ok(&j));
	ck_assert_uint_eq(b.len, n + (n + 2) / 3 + 2);
	free(in);
}
END_TEST

/* ---- numbers ---- */

START_TEST(test_integers)
{
	json_arr_begin(&j);
	json_int(&j, 0);
	json_int(&j, -5);
	json_int(&j, LLONG_MAX);
	json_int(&j, LLONG_MIN);
	json_uint(&j, 0);
	json_uint(&j, ULLONG_MAX);
	json_arr_end(&j);
	ck_json("[0,-5,9223372036854775807,-9223372036854775808,0,18446744073709551615]");
}
END_TEST

static void check_num(double v, int decimals, const char *want)
{
	struct buf nb;
	struct json nj;
	buf_init(&nb);
	json_init(&nj, &nb);
	json_num(&nj, v, decimals);
	ck_assert(json_ok(&nj));
	ck_assert_msg(strcmp(nb.data, want) == 0, "json_num(%.17g, %d): got %s, want %s", v,
		      decimals, nb.data, want);
	buf_fini(&nb);
}

START_TEST(test_num_trimming)
{
	check_num(1.5, 3, "1.5");
	check_num(2.0, 3, "2");
	check_num(0.1, 1, "0.1");
	check_num(1234.5678, 2, "1234.57");
	check_num(10, 0, "10");
	check_num(100, 3, "100");
	check_num(0.25, 7, "0.25");
	check_num(-12.5, 7, "-12.5");
	check_num(31.2304, 7, "31.2304");
	check_num(121.47371234, 7, "121.4737123");
	check_num(1e20, 0, "100000000000000000000");
	check_num(0.0000001, 7, "0.0000001");
	check_num(0.00000004, 7, "0");
}
END_TEST

START_TEST(test_num_negative_zero)
{
	check_num(-0.0, 2, "0");
	check_num(-0.0, 0, "0");
	check_num(-0.00001, 2, "0");
	check_num(-0.4, 0, "0");
	check_num(-0.000000049, 7, "0");
	check_num(-0.5001, 0, "-1");
}
END_TEST

START_TEST(test_num_non_finite)
{
	check_num(NAN, 3, "null");
	check_num(-NAN, 3, "null");
	check_num(INFINITY, 3, "null");
	check_num(-INFINITY, 0, "null");
}
END_TEST

START_TEST(test_num_decimals_clamped)
{
	check_num(2.7, -1, "3");
	check_num(0.5, 100, "0.5");
	json_num(&j, DBL_MAX, 100);
	ck_assert(json_ok(&j));
	ck_assert_uint_eq(b.len, 309);
	ck_assert(strncmp(b.data, "17976931348623157", 17) == 0);
}
END_TEST

START_TEST(test_num_huge_negative)
{
	json_num(&j, -DBL_MAX, 17);
	ck_assert(json_ok(&j));
	ck_assert_uint_eq(b.len, 310);
}
END_TEST

START_TEST(test_lonlat)
{
	json_arr_begin(&j);
	json_lonlat(&j, 121.4737, 31.2304);
	json_lonlat(&j, -0.00000001, 0.123456789);
	json_lonlat(&j, -180, 90);
	json_lonlat(&j, NAN, 1);
	json_arr_end(&j);
	ck_json("[[121.4737,31.2304],[0,0.1234568],[-180,90],[null,1]]");
}
END_TEST

START_TEST(test_literals)
{
	json_arr_begin(&j);
	json_bool(&j, true);
	json_bool(&j, false);
	json_null(&j);
	json_arr_end(&j);
	ck_json("[true,false,null]");
}
END_TEST

/* json_lonlat_e7 writes exactly what json_lonlat writes for v / 1e7. */
START_TEST(test_lonlat_e7)
{
	static const int32_t edge[] = {0, 1, -1, 10, -10, 9999999, 10000000, -10000000, 10000001,
				       1800000000, -1800000000, 900000000, -900000000, 1214700000,
				       121470001, INT32_MAX, INT32_MIN, 5, -5, 123456789};
	struct buf a, c;
	srand(7);
	for (int k = 0; k < 20000; k++) {
		int32_t x = k < 20 ? edge[k] : (int32_t)((unsigned)rand() * 2654435761u);
		int32_t y = k < 20 ? edge[19 - k] : (int32_t)((unsigned)rand() * 40503u);
		buf_init(&a);
		buf_init(&c);
		struct json ja, jc;
		json_init(&ja, &a);
		json_init(&jc, &c);
		json_lonlat(&ja, x / 1e7, y / 1e7);
		json_lonlat_e7(&jc, x, y);
		ck_assert_msg(a.len == c.len && !memcmp(a.data, c.data, a.len), "%d %d: %.*s vs %.*s", x, y,
			      (int)a.len, a.data, (int)c.len, c.data);
		buf_fini(&a);
		buf_fini(&c);
	}
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("structure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_containers);
	tcase_add_test(tc, test_object_members);
	tcase_add_test(tc, test_nested_commas);
	tcase_add_test(tc, test_geojson_shape);
	tcase_add_test(tc, test_top_level_scalar);
	tcase_add_test(tc, test_appends_to_existing_text);
	tcase_add_test(tc, test_raw_values);
	tcase_add_test(tc, test_key_escaped);
	suite_add_tcase(s, tc);

	tc = tcase_create("failure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_depth_limit_ok);
	tcase_add_test(tc, test_depth_overflow_fails);
	tcase_add_test(tc, test_after_failure_nothing_changes);
	tcase_add_test(tc, test_misuse_key_in_array);
	tcase_add_test(tc, test_misuse_key_at_top);
	tcase_add_test(tc, test_misuse_value_without_key);
	tcase_add_test(tc, test_misuse_two_keys);
	tcase_add_test(tc, test_misuse_end_after_key);
	tcase_add_test(tc, test_misuse_mismatched_end);
	tcase_add_test(tc, test_misuse_second_top_value);
	tcase_add_test(tc, test_unclosed_not_ok);
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_escape_ascii);
	tcase_add_test(tc, test_escape_every_control);
	tcase_add_test(tc, test_strn_embedded_nul);
	tcase_add_test(tc, test_str_null_pointer);
	tcase_add_test(tc, test_utf8_valid_kept);
	tcase_add_test(tc, test_utf8_stray_bytes);
	tcase_add_test(tc, test_utf8_overlong);
	tcase_add_test(tc, test_utf8_surrogates_and_beyond);
	tcase_add_test(tc, test_utf8_truncated);
	tcase_add_test(tc, test_long_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("numbers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_num_trimming);
	tcase_add_test(tc, test_num_negative_zero);
	tcase_add_test(tc, test_num_non_finite);
	tcase_add_test(tc, test_num_decimals_clamped);
	tcase_add_test(tc, test_num_huge_negative);
	tcase_add_test(tc, test_lonlat);
	tcase_add_test(tc, test_lonlat_e7);
	tcase_add_test(tc, test_literals);
	suite_add_tcase(s, tc);
	return s;
}
