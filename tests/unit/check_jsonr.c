/* check_jsonr.c — common/jsonr: the strict JSON reader.
 *
 * Conformance: a table of valid documents and one of invalid ones, each with
 * the line, column and words of the expected message (syntax, UTF-8, escapes,
 * numbers, nesting depth, the input limit); the tree accessors (lookup,
 * iteration, keys, lines and columns, scalars, wrong-type accessors); and a
 * megabyte on one line, which must stay fast (columns are incremental). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonr.h"

Suite *jsonr_suite(void);

static struct yz_errbuf eb;

static enum yz_err parse_n(const char *text, size_t len, struct jsonr_doc **doc)
{
	strcpy(eb.msg, "(untouched)");
	return jsonr_parse(text, len, doc, &eb);
}

static const char *const valid[] = {
	"{}", "[]", "0", "-0", "1.5e10", "-1E-2", "1e+2", "0.0", "true", "false", "null",
	"\"\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"",
	"[1,[2,[3]]]", " \t\r\n null \n", "\xEF\xBB\xBF{}", "\"中文 驿站\"", "\"\xF0\x9F\x98\x80\"",
	"{\"a\":{\"b\":[true,false,null]},\"c\":\"d\"}", "1e-400", "[\"\\u0000\"]", "{\"a\":1,\"a\":2}",
};

START_TEST(test_valid)
{
	const char *t = valid[_i];
	struct jsonr_doc *doc = NULL;
	ck_assert_msg(parse_n(t, strlen(t), &doc) == YZ_OK, "%s: %s", t, eb.msg);
	ck_assert_ptr_nonnull(doc);
	jsonr_free(doc);
}
END_TEST

struct bad_case {
	const char *text;
	size_t len;            /* 0: strlen */
	enum yz_err err;
	const char *where;     /* "line L, column C:" */
	const char *words;
};

static const struct bad_case invalid[] = {
	{"", 0, YZ_EPARSE, "line 1, column 1:", "expected a value, found end of input"},
	{"   \n  ", 0, YZ_EPARSE, "line 2, column 3:", "expected a value"},
	{"{\"a\":1,}", 0, YZ_EPARSE, "line 1, column 7:", "trailing comma before '}'"},
	{"[1,2,]", 0, YZ_EPARSE, "line 1, column 5:", "trailing comma before ']'"},
	{"{\n  \"a\": [1,\n    2,\n  ],\n}", 0, YZ_EPARSE, "line 3, column 6:", "trailing comma before ']'"},
	{"{\"a\" 1}", 0, YZ_EPARSE, "line 1, column 6:", "expected ':'"},
	{"{\"a\":1 \"b\":2}", 0, YZ_EPARSE, "line 1, column 8:", "expected ',' or '}'"},
	{"[1 2]", 0, YZ_EPARSE, "line 1, column 4:", "expected ',' or ']'"},
	{"// c\n{}", 0, YZ_EPARSE, "line 1, column 1:", "no comments"},
	{"{'a':1}", 0, YZ_EPARSE, "line 1, column 2:", "expected a string key"},
	{"['a']", 0, YZ_EPARSE, "line 1, column 2:", "double quotes"},
	{"{a:1}", 0, YZ_EPARSE, "line 1, column 2:", "expected a string key"},
	{"{\n  \"a\": 1,\n  \"b\" 2\n}", 0, YZ_EPARSE, "line 3, column 7:", "expected ':'"},
	{"{\"名字\": x}", 0, YZ_EPARSE, "line 1, column 8:", "expected a value, found 'x'"},
	{"01", 0, YZ_EPARSE, "line 1, column 1:", "leading zero"},
	{"-01", 0, YZ_EPARSE, "line 1, column 1:", "leading zero"},
	{"1.", 0, YZ_EPARSE, "line 1, column 3:", "digit after '.'"},
	{"[.5]", 0, YZ_EPARSE, "line 1, column 2:", "expected a value"},
	{"+1", 0, YZ_EPARSE, "line 1, column 1:", "expected a value"},
	{"1e", 0, YZ_EPARSE, "line 1, column 3:", "exponent"},
	{"1e+", 0, YZ_EPARSE, "line 1, column 4:", "exponent"},
	{"-", 0, YZ_EPARSE, "line 1, column 2:", "expected a digit"},
	{"-x", 0, YZ_EPARSE, "line 1, column 2:", "expected a digit, found 'x'"},
	{"NaN", 0, YZ_EPARSE, "line 1, column 1:", "expected a value"},
	{"Infinity", 0, YZ_EPARSE, "line 1, column 1:", "expected a value"},
	{"1e400", 0, YZ_EPARSE, "line 1, column 1:", "out of range"},
	{"tru", 0, YZ_EPARSE, "line 1, column 1:", "invalid literal"},
	{"nulll", 0, YZ_EPARSE, "line 1, column 5:", "after the JSON value"},
	{"{} x", 0, YZ_EPARSE, "line 1, column 4:", "unexpected 'x' after the JSON value"},
	{"{}{}", 0, YZ_EPARSE, "line 1, column 3:", "after the JSON value"},
	{"[\"abc", 0, YZ_EPARSE, "line 1, column 2:", "unterminated string"},
	{"[\"ab\ncd\"]", 0, YZ_EPARSE, "line 1, column 2:", "unterminated string"},
	{"\"a\x01\"", 0, YZ_EPARSE, "line 1, column 3:", "control character U+0001"},
	{"\"a\tb\"", 0, YZ_EPARSE, "line 1, column 3:", "control character U+0009"},
	{"\"\\x\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid escape \\x"},
	{"\"\\u12\"", 0, YZ_EPARSE, "line 1, column 2:", "four hex digits"},
	{"\"\\ud800\"", 0, YZ_EPARSE, "line 1, column 2:", "unpaired high surrogate"},
	{"\"\\ud800\\u0041\"", 0, YZ_EPARSE, "line 1, column 2:", "unpaired high surrogate"},
	{"\"\\udc00\"", 0, YZ_EPARSE, "line 1, column 2:", "unpaired low surrogate"},
	{"\"\xC0\x80\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"},       /* overlong NUL */
	{"\"\xE0\x80\xAF\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"},   /* overlong '/' */
	{"\"\xED\xA0\x80\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"},   /* surrogate */
	{"\"\xF4\x90\x80\x80\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"}, /* > U+10FFFF */
	{"\"\xC3\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"},           /* truncated */
	{"\"\xFF\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"},
	{"\"\x80\"", 0, YZ_EPARSE, "line 1, column 2:", "invalid UTF-8"},
	{"\xC3\xA9", 0, YZ_EPARSE, "line 1, column 1:", "byte 0xC3"},
	{"[1]\0", 4, YZ_EPARSE, "line 1, column 4:", "byte 0x00"},
	{"\"a\0b\"", 5, YZ_EPARSE, "line 1, column 3:", "control character U+0000"},
};

START_TEST(test_invalid)
{
	const struct bad_case *c = &invalid[_i];
	struct jsonr_doc *doc = (struct jsonr_doc *)&eb; /* must be reset to NULL */
	size_t len = c->len ? c->len : strlen(c->text);
	ck_assert_int_eq(parse_n(c->text, len, &doc), c->err);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strncmp(eb.msg, c->where, strlen(c->where)) == 0, "case %d: \"%s\" does not start with \"%s\"",
		      _i, eb.msg, c->where);
	ck_assert_msg(strstr(eb.msg, c->words) != NULL, "case %d: \"%s\" lacks \"%s\"", _i, eb.msg, c->words);
}
END_TEST

static char *nested(int depth, size_t *len)
{
	char *s = malloc((size_t)depth * 2 + 1);
	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[depth + i] = ']';
	}
	*len = (size_t)depth * 2;
	s[*len] = '\0';
	return s;
}

START_TEST(test_depth)
{
	struct jsonr_doc *doc;
	size_t len;
	char *s = nested(JSONR_MAX_DEPTH, &len);
	ck_assert_int_eq(parse_n(s, len, &doc), YZ_OK);
	const struct jsonr_node *n = jsonr_root(doc);
	for (int i = 1; i < JSONR_MAX_DEPTH; i++)
		n = jsonr_first(n);
	ck_assert_int_eq(jsonr_type(n), JSONR_ARRAY);
	ck_assert_int_eq(jsonr_count(n), 0);
	jsonr_free(doc);
	free(s);

	s = nested(JSONR_MAX_DEPTH + 1, &len);
	ck_assert_int_eq(parse_n(s, len, &doc), YZ_ELIMIT);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strstr(eb.msg, "line 1, column 65: nested deeper than 64") != NULL, "%s", eb.msg);
	free(s);

	/* Objects count too, and deep input fails without deep recursion. */
	s = nested(100000, &len);
	ck_assert_int_eq(parse_n(s, len, &doc), YZ_ELIMIT);
	free(s);
}
END_TEST

START_TEST(test_limit)
{
	struct jsonr_doc *doc;
	size_t len = JSONR_MAX_INPUT + 1;
	char *s = malloc(len);
	memset(s, ' ', len);
	s[0] = '0';
	ck_assert_int_eq(parse_n(s, len, &doc), YZ_ELIMIT);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strncmp(eb.msg, "line 1, column 1: input is 1048577 bytes", 40) == 0, "%s", eb.msg);
	/* Exactly at the limit is fine. */
	ck_assert_int_eq(parse_n(s, len - 1, &doc), YZ_OK);
	jsonr_free(doc);
	free(s);
}
END_TEST

START_TEST(test_big_one_line)
{
	/* A megabyte of "0," on one line: 2^19 nodes; columns must not make it
	 * quadratic, and the error at the end must count them right. */
	struct jsonr_doc *doc;
	size_t n = JSONR_MAX_INPUT / 2 - 1, len = 2 * n + 1;
	char *s = malloc(len + 1);
	s[0] = '[';
	for (size_t i = 0; i < n; i++)
		memcpy(s + 1 + 2 * i, "0,", 2);
	s[len - 1] = ']';
	ck_assert_int_eq(parse_n(s, len, &doc), YZ_OK);
	ck_assert_uint_eq(jsonr_count(jsonr_root(doc)), n);
	const struct jsonr_node *last = jsonr_root(doc), *c;
	for (c = jsonr_first(last); c; c = jsonr_next(c))
		last = c;
	ck_assert_uint_eq(jsonr_col(last), len - 1);
	jsonr_free(doc);
	s[len - 1] = ','; /* "…0,0," : trailing comma, then end of input */
	ck_assert_int_eq(parse_n(s, len, &doc), YZ_EPARSE);
	char want[64];
	snprintf(want, sizeof want, "line 1, column %zu: expected a value", len + 1);
	ck_assert_msg(strncmp(eb.msg, want, strlen(want)) == 0, "%s", eb.msg);
	free(s);
}
END_TEST

START_TEST(test_numbers)
{
	static const struct {
		const char *text;
		double v;
	} cases[] = {
		{"0", 0}, {"-0", -0.0}, {"-0.5e1", -5}, {"1E2", 100}, {"123456789012", 123456789012.0},
		{"0.1", 0.1}, {"2.5e-3", 0.0025}, {"1e-400", 0}, {"1.7976931348623157e308", 1.7976931348623157e308},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct jsonr_doc *doc;
		double v = 42;
		ck_assert_int_eq(parse_n(cases[i].text, strlen(cases[i].text), &doc), YZ_OK);
		ck_assert(jsonr_num(jsonr_root(doc), &v));
		ck_assert_msg(v == cases[i].v, "%s gave %.17g", cases[i].text, v);
		jsonr_free(doc);
	}
}
END_TEST

START_TEST(test_tree)
{
	static const char text[] = "{\n"
				   "  \"name\": \"驿站\",\n"
				   "  \"n\": -2.5,\n"
				   "  \"list\": [1, \"two\", [3], {\"k\": null}],\n"
				   "  \"flag\": true,\n"
				   "  \"nul\": \"a\\u0000b\",\n"
				   "  \"empty\": {}\n"
				   "}";
	struct jsonr_doc *doc;
	ck_assert_int_eq(parse_n(text, sizeof text - 1, &doc), YZ_OK);
	const struct jsonr_node *root = jsonr_root(doc), *n;
	ck_assert_int_eq(jsonr_type(root), JSONR_OBJECT);
	ck_assert_uint_eq(jsonr_count(root), 6);
	ck_assert_uint_eq(jsonr_line(root), 1);
	ck_assert_ptr_null(jsonr_key(root, NULL));

	const char *s;
	size_t len;
	n = jsonr_get(root, "name");
	ck_assert(jsonr_str(n, &s, &len));
	ck_assert_str_eq(s, "驿站");
	ck_assert_uint_eq(len, 6);
	ck_assert_uint_eq(jsonr_line(n), 2);
	ck_assert_uint_eq(jsonr_col(n), 11);
	ck_assert_str_eq(jsonr_key(n, &len), "name");
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(jsonr_key_line(n), 2);

	double d;
	bool b;
	n = jsonr_get(root, "n");
	ck_assert(jsonr_num(n, &d) && d == -2.5);
	ck_assert(!jsonr_str(n, &s, &len));
	ck_assert(!jsonr_bool(n, &b));
	ck_assert_ptr_null(jsonr_first(n));
	ck_assert_uint_eq(jsonr_count(n), 0);

	const struct jsonr_node *list = jsonr_get(root, "list");
	ck_assert_int_eq(jsonr_type(list), JSONR_ARRAY);
	ck_assert_uint_eq(jsonr_count(list), 4);
	ck_assert_uint_eq(jsonr_line(list), 4);
	ck_assert_int_eq(jsonr_type(jsonr_at(list, 0)), JSONR_NUMBER);
	ck_assert(jsonr_str(jsonr_at(list, 1), &s, NULL) && !strcmp(s, "two"));
	ck_assert_uint_eq(jsonr_col(jsonr_at(list, 1)), 15);
	ck_assert_uint_eq(jsonr_count(jsonr_at(list, 2)), 1);
	ck_assert_ptr_null(jsonr_at(list, 4));
	ck_assert_ptr_null(jsonr_key(jsonr_at(list, 0), NULL));
	n = jsonr_get(jsonr_at(list, 3), "k");
	ck_assert_int_eq(jsonr_type(n), JSONR_NULL);
	ck_assert_ptr_null(jsonr_next(jsonr_at(list, 3)));
	ck_assert_ptr_null(jsonr_get(list, "k"));
	ck_assert_ptr_null(jsonr_at(root, 0));

	ck_assert(jsonr_bool(jsonr_get(root, "flag"), &b) && b);
	ck_assert(jsonr_str(jsonr_get(root, "nul"), &s, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(s, "a\0b", 4) == 0);
	n = jsonr_get(root, "empty");
	ck_assert_int_eq(jsonr_type(n), JSONR_OBJECT);
	ck_assert_ptr_null(jsonr_first(n));
	ck_assert_ptr_null(jsonr_get(root, "missing"));

	/* Iteration visits members in document order, siblings skip subtrees. */
	static const char *const keys[] = {"name", "n", "list", "flag", "nul", "empty"};
	size_t i = 0;
	for (n = jsonr_first(root); n; n = jsonr_next(n), i++)
		ck_assert_str_eq(jsonr_key(n, NULL), keys[i]);
	ck_assert_uint_eq(i, 6);
	ck_assert_str_eq(jsonr_type_name(JSONR_OBJECT), "object");
	jsonr_free(doc);
	jsonr_free(NULL);
}
END_TEST

START_TEST(test_duplicates_first)
{
	struct jsonr_doc *doc;
	double d = 0;
	ck_assert_int_eq(parse_n("{\"a\":1,\"a\":2}", 13, &doc), YZ_OK);
	ck_assert(jsonr_num(jsonr_get(jsonr_root(doc), "a"), &d) && d == 1);
	jsonr_free(doc);
}
END_TEST

START_TEST(test_bom_and_null_eb)
{
	struct jsonr_doc *doc;
	/* The BOM is not a character of line 1. */
	ck_assert_int_eq(parse_n("\xEF\xBB\xBF x", 5, &doc), YZ_EPARSE);
	ck_assert_msg(strncmp(eb.msg, "line 1, column 2:", 17) == 0, "%s", eb.msg);
	/* A NULL error buffer is allowed. */
	ck_assert_int_eq(jsonr_parse("[", 1, &doc, NULL), YZ_EPARSE);
	ck_assert_int_eq(jsonr_parse(NULL, 0, &doc, NULL), YZ_EPARSE);
}
END_TEST

Suite *jsonr_suite(void)
{
	Suite *s = suite_create("jsonr");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_valid, 0, (int)(sizeof valid / sizeof valid[0]));
	tcase_add_loop_test(tc, test_invalid, 0, (int)(sizeof invalid / sizeof invalid[0]));
	tcase_add_test(tc, test_depth);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_big_one_line);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_duplicates_first);
	tcase_add_test(tc, test_bom_and_null_eb);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
