/* check_tilemath.c — tile paths and the Web Mercator tile projection. */
#include <check.h>
#include <math.h>

#include "common/geo.h"
#include "tiles/tilemath.h"

Suite *tilemath_suite(void);

START_TEST(test_parse_ok)
{
	struct tile_req t;
	ck_assert_int_eq(tilepath_parse("map/0/0/0.png", &t, NULL), YZ_OK);
	ck_assert(t.layer == TILE_LAYER_MAP && t.z == 0 && t.x == 0 && t.y == 0 && t.scale == 1);
	ck_assert_int_eq(tilepath_parse("coverage/14/13707/6693@2x.png", &t, NULL), YZ_OK);
	ck_assert(t.layer == TILE_LAYER_COVERAGE && t.z == 14 && t.x == 13707 && t.y == 6693 &&
		  t.scale == 2);
	ck_assert_int_eq(tilepath_parse("stations/20/1048575/1048575.png", &t, NULL), YZ_OK);
	ck_assert_uint_eq(t.x, 1048575);
}
END_TEST

START_TEST(test_parse_errors)
{
	struct tile_req t;
	struct yz_errbuf eb;
	ck_assert_int_eq(tilepath_parse("roads/1/0/0.png", &t, &eb), YZ_ENOTFOUND);
	ck_assert_int_eq(tilepath_parse("map/21/0/0.png", &t, &eb), YZ_ERANGE);
	ck_assert_int_eq(tilepath_parse("map/1/2/0.png", &t, &eb), YZ_ERANGE);
	ck_assert_int_eq(tilepath_parse("map/1/0/2.png", &t, &eb), YZ_ERANGE);
	const char *bad[] = {"map", "map/", "map/1", "map/1/0", "map/1/0/0", "map/1/0/0.jpg",
			     "map/1/0/0@3x.png", "map/-1/0/0.png", "map/+1/0/0.png", "map/01/0/0.png",
			     "map/1//0.png", "map/1/0/0.png/", "map/99999999/0/0.png",
			     "map/1/0/0.pngx", "map/1/0/0@2x.png.png", "map/1 /0/0.png", ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(tilepath_parse(bad[i], &t, &eb) != YZ_OK, "%s", bad[i]);
}
END_TEST

START_TEST(test_projection)
{
	/* z0: the world is 256 px; lon -180 → 0, lon 0 → 128, lat 0 → 128 */
	struct tile_req t = {TILE_LAYER_MAP, 0, 0, 0, 1};
	struct tile_proj p;
	tile_proj_init(&p, &t);
	ck_assert(fabs(tile_px_x(&p, -180) - 0) < 1e-9);
	ck_assert(fabs(tile_px_x(&p, 0) - 128) < 1e-9);
	ck_assert(fabs(tile_px_y(&p, 0) - 128) < 1e-9);
	ck_assert(fabs(tile_px_y(&p, GEO_MERC_MAX_LAT) - 0) < 1e-6);
	/* a z14 tile: its own corners map to 0 and 256, @2x to 0 and 512 */
	struct tile_req t2 = {TILE_LAYER_MAP, 14, 13722, 6698, 1};
	tile_proj_init(&p, &t2);
	double w, s, e, n;
	tile_bounds(&p, 0, &w, &s, &e, &n);
	ck_assert(fabs(tile_px_x(&p, w)) < 1e-6 && fabs(tile_px_x(&p, e) - 256) < 1e-6);
	ck_assert(fabs(tile_px_y(&p, n)) < 1e-6 && fabs(tile_px_y(&p, s) - 256) < 1e-6);
	ck_assert(w > 121.4 && e < 121.6 && w < e && n > s && fabs((e - w) - 360.0 / 16384) < 1e-9);
	t2.scale = 2;
	tile_proj_init(&p, &t2);
	ck_assert(fabs(tile_px_x(&p, e) - 512) < 1e-6);
	/* margins grow the bounds */
	double w2, s2, e2, n2;
	tile_bounds(&p, 64, &w2, &s2, &e2, &n2);
	ck_assert(w2 < w && e2 > e && s2 < s && n2 > n);
}
END_TEST

Suite *tilemath_suite(void)
{
	Suite *s = suite_create("tilemath");
	TCase *tc = tcase_create("tilemath");
	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_projection);
	suite_add_tcase(s, tc);
	return s;
}
