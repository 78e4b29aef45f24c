/* check_config.c — data/config: the dataset.conf parser.
 *
 * Accepts the bundled data/shanghai/dataset.conf and a full example with every
 * key; rejects each kind of mistake with YZ_EPARSE and a message that names
 * the line (or, for what no line holds, the section); tolerates comments,
 * blank lines, CRLF line ends and a UTF-8 byte order mark. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/config.h"

Suite *config_suite(void);

static struct config cfg;
static struct yz_errbuf eb;

static enum yz_err parse_n(const char *text, size_t len)
{
	config_init(&cfg);
	strcpy(eb.msg, "(untouched)");
	return config_parse(&cfg, text, len, &eb);
}

static enum yz_err parse(const char *text)
{
	return parse_n(text, strlen(text));
}

#define ck_msg_has(needle)                                                       \
	ck_assert_msg(strstr(eb.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", \
		      eb.msg, needle)

#define MIN_ROADS "[roads]\npath = r.osm.pbf\n"

START_TEST(test_defaults)
{
	config_init(&cfg);
	ck_assert_str_eq(cfg.timezone, "Asia/Shanghai");
	ck_assert(cfg.max_snap_m == 1000.0);
	ck_assert(!cfg.demo);
	ck_assert_str_eq(cfg.name, "");
	for (int s = 0; s < CONFIG_SOURCE_COUNT; s++)
		ck_assert(!cfg.src[s].present);

	ck_assert_int_eq(parse(MIN_ROADS), YZ_OK);
	ck_assert(cfg.src[CONFIG_ROADS].present);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "r.osm.pbf");
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].crs, "");
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].layer, "");
	ck_assert(!cfg.src[CONFIG_STATIONS].present);
	ck_assert(!cfg.src[CONFIG_COMMUNITIES].present);
	ck_assert_str_eq(cfg.timezone, "Asia/Shanghai");
	ck_assert(cfg.max_snap_m == 1000.0);
	for (int f = 0; f < CONFIG_FIELD_COUNT; f++)
		ck_assert_str_eq(config_field_source(&cfg.src[CONFIG_ROADS], (enum config_field)f),
				 config_field_name((enum config_field)f));
}
END_TEST

START_TEST(test_bundled)
{
	const char *path = "data/shanghai/dataset.conf";
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s (tests run from the repository root)", path);
	static char text[65536];
	size_t len = fread(text, 1, sizeof text, f);
	fclose(f);
	ck_assert_uint_lt(len, sizeof text);

	ck_assert_msg(parse_n(text, len) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(cfg.name, "上海市中心城区（演示数据）");
	ck_assert(cfg.demo);
	ck_assert_str_eq(cfg.timezone, "Asia/Shanghai");
	ck_assert(cfg.max_snap_m == 1000.0);
	ck_assert(cfg.src[CONFIG_ROADS].present);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "roads.osm.pbf");
	ck_assert(cfg.src[CONFIG_STATIONS].present);
	ck_assert_str_eq(cfg.src[CONFIG_STATIONS].path, "stations.geojson");
	ck_assert_str_eq(cfg.src[CONFIG_STATIONS].crs, "EPSG:4326");
	ck_assert(cfg.src[CONFIG_COMMUNITIES].present);
	ck_assert_str_eq(cfg.src[CONFIG_COMMUNITIES].path, "districts.geojson");
	ck_assert_str_eq(cfg.src[CONFIG_COMMUNITIES].crs, "EPSG:4326");
}
END_TEST

static const char full_example[] =
	"# A dataset with every key\n"
	"name = 徐汇区 驿站 (test)  \n"
	"timezone=Asia/Urumqi\n"
	"demo = no\n"
	"max_snap = 250.5\n"
	"\n"
	"[roads]\n"
	"path = roads/xuhui.gpkg\n"
	"layer = road_lines\n"
	"crs = EPSG:4547\n"
	"field.highway = fclass\n"
	"\n"
	"[stations]\n"
	"file = stations.csv\n"
	"crs = GCJ02\n"
	"field.id = 编号\n"
	"field.name = 名称\n"
	"field.address = addr\n"
	"field.phone = tel\n"
	"field.hours = opening_hours\n"
	"field.services = svc\n"
	"field.kind = type\n"
	"field.lon = x\n"
	"field.lat = y\n"
	"\n"
	"[communities]\n"
	"path = /abs/communities.shp\n"
	"crs = BD09\n"
	"layer = 社区\n"
	"field.id = code\n"
	"field.population = pop2020\n";

START_TEST(test_full_example)
{
	ck_assert_msg(parse(full_example) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(cfg.name, "徐汇区 驿站 (test)");
	ck_assert_str_eq(cfg.timezone, "Asia/Urumqi");
	ck_assert(!cfg.demo);
	ck_assert(cfg.max_snap_m == 250.5);

	const struct config_source_def *r = &cfg.src[CONFIG_ROADS];
	ck_assert(r->present);
	ck_assert_str_eq(r->path, "roads/xuhui.gpkg");
	ck_assert_str_eq(r->layer, "road_lines");
	ck_assert_str_eq(r->crs, "EPSG:4547");
	ck_assert_str_eq(config_field_source(r, CF_HIGHWAY), "fclass");
	ck_assert_str_eq(config_field_source(r, CF_NAME), "name");

	const struct config_source_def *s = &cfg.src[CONFIG_STATIONS];
	ck_assert(s->present);
	ck_assert_str_eq(s->path, "stations.csv");
	ck_assert_str_eq(s->crs, "GCJ02");
	ck_assert_str_eq(s->layer, "");
	ck_assert_str_eq(config_field_source(s, CF_ID), "编号");
	ck_assert_str_eq(config_field_source(s, CF_NAME), "名称");
	ck_assert_str_eq(config_field_source(s, CF_ADDRESS), "addr");
	ck_assert_str_eq(config_field_source(s, CF_PHONE), "tel");
	ck_assert_str_eq(config_field_source(s, CF_HOURS), "opening_hours");
	ck_assert_str_eq(config_field_source(s, CF_SERVICES), "svc");
	ck_assert_str_eq(config_field_source(s, CF_KIND), "type");
	ck_assert_str_eq(config_field_source(s, CF_LON), "x");
	ck_assert_str_eq(config_field_source(s, CF_LAT), "y");
	ck_assert_str_eq(config_field_source(s, CF_POPULATION), "population");
	ck_assert_str_eq(config_field_source(s, CF_HIGHWAY), "highway");

	const struct config_source_def *c = &cfg.src[CONFIG_COMMUNITIES];
	ck_assert(c->present);
	ck_assert_str_eq(c->path, "/abs/communities.shp");
	ck_assert_str_eq(c->crs, "BD09");
	ck_assert_str_eq(c->layer, "社区");
	ck_assert_str_eq(config_field_source(c, CF_ID), "code");
	ck_assert_str_eq(config_field_source(c, CF_POPULATION), "pop2020");
	ck_assert_str_eq(config_field_source(c, CF_NAME), "name");
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(config_source_name(CONFIG_ROADS), "roads");
	ck_assert_str_eq(config_source_name(CONFIG_STATIONS), "stations");
	ck_assert_str_eq(config_source_name(CONFIG_COMMUNITIES), "communities");
	ck_assert_str_eq(config_source_name(CONFIG_SOURCE_COUNT), "?");
	static const char *const want[CONFIG_FIELD_COUNT] = {
		"id", "name", "address", "phone", "hours", "services", "kind", "population",
		"lon", "lat", "highway"};
	for (int f = 0; f < CONFIG_FIELD_COUNT; f++)
		ck_assert_str_eq(config_field_name((enum config_field)f), want[f]);
	ck_assert_str_eq(config_field_name(CONFIG_FIELD_COUNT), "?");
}
END_TEST

START_TEST(test_demo_values)
{
	static const struct {
		const char *v;
		bool demo;
	} ok[] = {{"yes", true}, {"YES", true}, {"true", true}, {"True", true}, {"1", true},
		  {"no", false}, {"No", false}, {"false", false}, {"FALSE", false}, {"0", false}};
	char text[256];
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		snprintf(text, sizeof text, "demo = %s\n" MIN_ROADS, ok[i].v);
		config_init(&cfg);
		cfg.demo = !ok[i].demo;
		strcpy(eb.msg, "");
		ck_assert_msg(config_parse(&cfg, text, strlen(text), &eb) == YZ_OK, "demo=%s: %s",
			      ok[i].v, eb.msg);
		ck_assert_msg(cfg.demo == ok[i].demo, "demo=%s", ok[i].v);
	}
}
END_TEST

START_TEST(test_max_snap_values)
{
	static const struct {
		const char *v;
		double m;
	} ok[] = {{"1000", 1000}, {"0.5", 0.5}, {"100000", 100000}, {"1e3", 1000},
		  {"  42  ", 42}};
	char text[256];
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		snprintf(text, sizeof text, "max_snap = %s\n" MIN_ROADS, ok[i].v);
		ck_assert_msg(parse(text) == YZ_OK, "max_snap=%s: %s", ok[i].v, eb.msg);
		ck_assert_msg(cfg.max_snap_m == ok[i].m, "max_snap=%s: %g", ok[i].v, cfg.max_snap_m);
	}
}
END_TEST

/* ---- rejections ------------------------------------------------------------- */

static const struct {
	const char *text;
	const char *want[3]; /* substrings of the message */
} bad[] = {
	{"colour = red\n" MIN_ROADS, {"line 1", "unknown key", "colour"}},
	{"# c\n\nname = x\nNAME = y\n" MIN_ROADS, {"line 4", "unknown key", "NAME"}},
	{MIN_ROADS "size = 3\n", {"line 3", "unknown key", "size"}},
	{MIN_ROADS "field.colour = c\n", {"line 3", "colour", NULL}},
	{MIN_ROADS "field. = c\n", {"line 3", NULL, NULL}},
	{MIN_ROADS "[stations]\npath = s.csv\nfield.Name = n\n", {"line 5", "Name", NULL}},
	{MIN_ROADS "[stations]\npath = s.csv\nmax_snap = 5\n", {"line 5", "max_snap", NULL}},
	{"[stop]\npath = x\n" MIN_ROADS, {"line 1", "unknown section", "stop"}},
	{MIN_ROADS "\n[Roads]\n", {"line 4", "unknown section", "Roads"}},
	{MIN_ROADS "[roads\n", {"line 3", "section", NULL}},
	{MIN_ROADS "[]\n", {"line 3", "section", NULL}},
	{"name\n" MIN_ROADS, {"line 1", "=", NULL}},
	{"[roads]\npath r.osm\n", {"line 2", "=", NULL}},
	{MIN_ROADS "\n\n\njust words\n", {"line 6", "=", NULL}},
	{"= value\n" MIN_ROADS, {"line 1", "key", NULL}},
	{"demo = maybe\n" MIN_ROADS, {"line 1", "demo", NULL}},
	{"demo =\n" MIN_ROADS, {"line 1", "demo", NULL}},
	{"demo = yes please\n" MIN_ROADS, {"line 1", "demo", NULL}},
	{"max_snap = abc\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = 0\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = -5\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = 100001\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = 12m\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = 12 m\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap =\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = nan\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = inf\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"max_snap = 1e400\n" MIN_ROADS, {"line 1", "max_snap", NULL}},
	{"name = x\n", {"[roads]", NULL, NULL}},
	{"", {"[roads]", NULL, NULL}},
	{"# only a comment\n", {"[roads]", NULL, NULL}},
	{"[stations]\npath = s.geojson\n", {"[roads]", NULL, NULL}},
	{"[roads]\ncrs = EPSG:4326\n", {"roads", "path", NULL}},
	{"[roads]\npath =\n", {"roads", "path", NULL}},
	{MIN_ROADS "[stations]\ncrs = GCJ02\n", {"stations", "path", NULL}},
	{MIN_ROADS "[communities]\n", {"communities", "path", NULL}},
};
#define N_BAD ((int)(sizeof bad / sizeof bad[0]))

START_TEST(test_reject)
{
	const char *text = bad[_i].text;
	ck_assert_msg(parse(text) == YZ_EPARSE, "accepted:\n%s", text);
	for (int k = 0; k < 3 && bad[_i].want[k]; k++)
		ck_assert_msg(strstr(eb.msg, bad[_i].want[k]) != NULL,
			      "case %d: message \"%s\" lacks \"%s\"", _i, eb.msg, bad[_i].want[k]);
}
END_TEST

/* Values and keys must fit CONFIG_STR - 1 bytes; the limit is exact. */
START_TEST(test_long_values)
{
	static char text[4096], val[1024];
	memset(val, 'a', CONFIG_STR - 1);
	val[CONFIG_STR - 1] = '\0';
	snprintf(text, sizeof text, "name = %s\n[roads]\npath = %s\n", val, val);
	ck_assert_msg(parse(text) == YZ_OK, "%s", eb.msg);
	ck_assert_uint_eq(strlen(cfg.name), CONFIG_STR - 1);
	ck_assert_uint_eq(strlen(cfg.src[CONFIG_ROADS].path), CONFIG_STR - 1);

	/* trimming happens before the length check */
	snprintf(text, sizeof text, "name =     %s     \n" MIN_ROADS, val);
	ck_assert_msg(parse(text) == YZ_OK, "%s", eb.msg);

	val[CONFIG_STR - 1] = 'a';
	val[CONFIG_STR] = '\0';
	snprintf(text, sizeof text, "name = %s\n" MIN_ROADS, val);
	ck_assert_int_eq(parse(text), YZ_EPARSE);
	ck_msg_has("line 1");
	snprintf(text, sizeof text, MIN_ROADS "\n[stations]\npath = %s\n", val);
	ck_assert_int_eq(parse(text), YZ_EPARSE);
	ck_msg_has("line 5");
	snprintf(text, sizeof text, MIN_ROADS "field.lon = %s\n", val);
	ck_assert_int_eq(parse(text), YZ_EPARSE);
	ck_msg_has("line 3");
	/* an over-long key */
	snprintf(text, sizeof text, MIN_ROADS "%s = 1\n", val);
	ck_assert_int_eq(parse(text), YZ_EPARSE);
	ck_msg_has("line 3");
	/* an over-long section name */
	snprintf(text, sizeof text, MIN_ROADS "[%s]\n", val);
	ck_assert_int_eq(parse(text), YZ_EPARSE);
	ck_msg_has("line 3");
	/* a huge value */
	static char huge[20000];
	memset(huge, 'x', sizeof huge - 1);
	memcpy(huge, "[roads]\npath = ", 15);
	ck_assert_int_eq(parse(huge), YZ_EPARSE);
	ck_msg_has("line 2");
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char v1[] = "name = ab\0cd\n[roads]\npath = r.osm\n";
	ck_assert_int_eq(parse_n(v1, sizeof v1 - 1), YZ_EPARSE);
	ck_msg_has("line 1");
	static const char v2[] = "[roads]\npath = r.osm\0.pbf\n";
	ck_assert_int_eq(parse_n(v2, sizeof v2 - 1), YZ_EPARSE);
	ck_msg_has("line 2");
	static const char v3[] = "[roads]\npath = r.osm\n\0\n";
	ck_assert_int_eq(parse_n(v3, sizeof v3 - 1), YZ_EPARSE);
	ck_msg_has("line 3");
	static const char v4[] = "[roads]\npa\0th = r.osm\n";
	ck_assert_int_eq(parse_n(v4, sizeof v4 - 1), YZ_EPARSE);
	ck_msg_has("line 2");
	static const char v5[] = "[road\0s]\npath = r.osm\n";
	ck_assert_int_eq(parse_n(v5, sizeof v5 - 1), YZ_EPARSE);
	ck_msg_has("line 1");
	/* the length is what counts, not a terminating NUL */
	static const char v6[] = "[roads]\npath = r.osm\nname";
	ck_assert_int_eq(parse_n(v6, sizeof v6 - 5), YZ_OK);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "r.osm");
}
END_TEST

/* ---- tolerated ---------------------------------------------------------------- */

START_TEST(test_comments_blank_lines)
{
	const char *text =
		"# comment\n"
		"   # indented comment\n"
		"; semicolon comment\n"
		"\n"
		"   \t  \n"
		"name = 3#楼驿站 # a comment after whitespace\n"
		"demo = yes                  # the page and /health say so\n"
		"max_snap = 1000\t# metres\n"
		"[roads]   # the road network\n"
		"# path = wrong.osm\n"
		"path = right.osm #\n"
		"layer = lines#1\n"
		"\t\n";
	ck_assert_msg(parse(text) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(cfg.name, "3#楼驿站");
	ck_assert(cfg.demo);
	ck_assert(cfg.max_snap_m == 1000);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "right.osm");
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].layer, "lines#1");
	/* a comment does not hide a missing '=' or an empty value */
	ck_assert_int_eq(parse("[roads]\npath # = x.osm\n"), YZ_EPARSE);
	ck_msg_has("line 2");
	ck_assert_int_eq(parse("[roads]\npath = # x.osm\n"), YZ_EPARSE);
	ck_msg_has("path");
	/* no final newline */
	ck_assert_int_eq(parse("[roads]\npath = r.osm"), YZ_OK);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "r.osm");
	/* section headers with spaces around the name */
	ck_assert_int_eq(parse("  [ roads ]  \npath=r.osm"), YZ_OK);
	ck_assert(cfg.src[CONFIG_ROADS].present);
	/* '=' inside a value */
	ck_assert_int_eq(parse("[roads]\npath = a=b.osm\n"), YZ_OK);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "a=b.osm");
}
END_TEST

START_TEST(test_crlf_and_bom)
{
	const char *text =
		"\xEF\xBB\xBF# with BOM and CRLF\r\n"
		"name = 黄浦\r\n"
		"demo = yes\r\n"
		"max_snap = 300\r\n"
		"\r\n"
		"[roads]\r\n"
		"path = roads.osm.pbf\r\n"
		"[stations]\r\n"
		"path = s.csv\r\n"
		"field.lon = lng\r\n";
	ck_assert_msg(parse(text) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(cfg.name, "黄浦");
	ck_assert(cfg.demo);
	ck_assert(cfg.max_snap_m == 300);
	ck_assert_str_eq(cfg.src[CONFIG_ROADS].path, "roads.osm.pbf");
	ck_assert_str_eq(cfg.src[CONFIG_STATIONS].path, "s.csv");
	ck_assert_str_eq(config_field_source(&cfg.src[CONFIG_STATIONS], CF_LON), "lng");

	/* a BOM directly before a key; the line count still starts at 1 */
	ck_assert_int_eq(parse("\xEF\xBB\xBFname = x\r\n[roads]\r\npath = r\r\n"), YZ_OK);
	ck_assert_str_eq(cfg.name, "x");
	ck_assert_int_eq(parse("\xEF\xBB\xBF" "colour = x\r\n" MIN_ROADS), YZ_EPARSE);
	ck_msg_has("line 1");
	ck_assert_int_eq(parse("# a\r\n# b\r\ncolour = x\r\n"), YZ_EPARSE);
	ck_msg_has("line 3");
	/* a BOM anywhere else is not whitespace */
	ck_assert_int_eq(parse(MIN_ROADS "\xEF\xBB\xBF" "name = x\n"), YZ_EPARSE);
	ck_msg_has("line 3");
}
END_TEST

/* Every prefix of a valid file parses or fails cleanly (no crash, no read
 * beyond len: ASan sees the heap copy's end). */
START_TEST(test_prefixes)
{
	size_t n = strlen(full_example);
	for (size_t len = 0; len <= n; len++) {
		char *copy = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, full_example, len);
		enum yz_err err = parse_n(copy, len);
		ck_assert(err == YZ_OK || err == YZ_EPARSE);
		if (err)
			ck_assert(strcmp(eb.msg, "(untouched)") != 0);
		free(copy);
	}
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("accept");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_bundled);
	tcase_add_test(tc, test_full_example);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_demo_values);
	tcase_add_test(tc, test_max_snap_values);
	tcase_add_test(tc, test_comments_blank_lines);
	tcase_add_test(tc, test_crlf_and_bom);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_loop_test(tc, test_reject, 0, N_BAD);
	tcase_add_test(tc, test_long_values);
	tcase_add_test(tc, test_nul_bytes);
	tcase_add_test(tc, test_prefixes);
	suite_add_tcase(s, tc);
	return s;
}
