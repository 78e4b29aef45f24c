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

/* The rows' series: within TILE_PROJ_ERR_PX of the exact row everywhere —
 * near the tile, at the series' reach, far beyond it, at every zoom and
 * latitude including the poles' clamp; columns as geo_merc_x. */
START_TEST(test_projection_series)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	double worst = 0;
	unsigned series = 0;
	for (int iter = 0; iter < 4000; iter++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		struct tile_req t = {.z = (unsigned)(seed >> 59) % (TILE_MAX_ZOOM + 1),
				     .scale = 1 + (unsigned)(seed >> 40 & 1)};
		uint32_t n = 1u << t.z;
		t.x = (uint32_t)((seed >> 8) % n);
		t.y = (uint32_t)((seed >> 20) % n);
		if (iter % 10 == 0)
			t.y = iter % 20 ? 0 : n - 1; /* the rows at the poles' clamp */
		struct tile_proj p;
		tile_proj_init(&p, &t);
		series += p.poly_reach > 0;
		for (int k = 0; k < 40; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			double u = (double)(seed >> 11) / 9007199254740992.0 * 2 - 1;
			/* within the reach, just past it, and anywhere on Earth */
			double lat = k < 20   ? p.lat_mid + u * fmax(p.poly_reach, 0)
				     : k < 30 ? p.lat_mid + u * 1.5 * fmax(p.poly_reach, 0)
					      : 89 * u;
			double err = fabs(tile_px_y(&p, lat) - tile_px_y_exact(&p, lat));
			ck_assert_msg(err <= TILE_PROJ_ERR_PX,
				      "z%u/%u/%u@%ux lat %.9f: %.3g px off (reach %.6f)", t.z, t.x, t.y,
				      t.scale, lat, err, p.poly_reach);
			worst = fmax(worst, err);
			double lon = 180 * u;
			ck_assert(fabs(tile_px_x(&p, lon) - (geo_merc_x(lon, p.world_px) - p.x0)) <=
				  1e-6 + 1e-12 * p.world_px);
		}
	}
	ck_assert_uint_gt(series, 3000); /* the series is used almost everywhere */
	ck_assert(worst > 0);            /* and is not the exact formula */
}
END_TEST

Suite *tilemath_suite(void)
{
	Suite *s = suite_create("tilemath");
	TCase *tc = tcase_create("tilemath");
	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_projection);
	tcase_add_test(tc, test_projection_series);
	suite_add_tcase(s, tc);
	return s;
}
