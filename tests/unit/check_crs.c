/* check_crs.c — data/crs: a table of (CRS, input, expected, tolerance) checked
 * in both directions with the axis order, the published GCJ-02/BD-09 vectors,
 * round trips over a grid across China, and bad names and points.
 *
 * Expected values never come from the code under test: identity, closed-form
 * web Mercator, a Krüger-series Gauss-Krüger inverse written here, or vectors
 * published with the reference coordtransform implementation.  The reverse
 * direction of a PROJ row uses a WGS84 → CRS transform built here with PROJ. */
#include <check.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/crs.h"

Suite *crs_suite(void);

#define PI 3.14159265358979323846
#define DEG (PI / 180.0)

/* Distance between two lon/lat points in metres, in a local flat frame:
 * exact enough for the sub-kilometre differences compared here. */
static double dist_m(double lon1, double lat1, double lon2, double lat2)
{
	const double m_per_deg = 6371008.8 * DEG;
	double dx = (lon2 - lon1) * cos(lat1 * DEG) * m_per_deg;
	double dy = (lat2 - lat1) * m_per_deg;
	return sqrt(dx * dx + dy * dy);
}

/* ---- Independent expectations ------------------------------------------ */

typedef void expect_fn(double x, double y, double *lon, double *lat);

static void expect_same(double x, double y, double *lon, double *lat)
{
	*lon = x;
	*lat = y;
}

/* EPSG:3857: spherical Mercator on R = 6378137 m. */
static void expect_webmerc(double x, double y, double *lon, double *lat)
{
	const double r = 6378137.0;
	*lon = x / r / DEG;
	*lat = (2.0 * atan(exp(y / r)) - PI / 2.0) / DEG;
}

/* EPSG:4547: transverse Mercator on the CGCS2000 ellipsoid, central meridian
 * 114°E, k0 = 1, false easting 500 000 m.  Inverse by the Krüger series to
 * third order in n (truncation ~ a n^4 ≈ 0.05 mm).  CGCS2000 → WGS84 is taken
 * as the null transform, as PROJ's ballpark does. */
static void expect_gk114(double e, double n_m, double *lon, double *lat)
{
	const double a = 6378137.0, f = 1.0 / 298.257222101;
	double n = f / (2.0 - f), n2 = n * n, n3 = n2 * n;
	double big_a = a / (1.0 + n) * (1.0 + n2 / 4.0 + n2 * n2 / 64.0);
	double beta[3] = { n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0,
			   n2 / 48.0 + n3 / 15.0, 17.0 * n3 / 480.0 };
	double delta[3] = { 2.0 * n - 2.0 * n2 / 3.0 - 2.0 * n3,
			    7.0 * n2 / 3.0 - 8.0 * n3 / 5.0, 56.0 * n3 / 15.0 };
	double xi = n_m / big_a, eta = (e - 500000.0) / big_a;
	double xi1 = xi, eta1 = eta;

	for (int j = 1; j <= 3; j++) {
		xi1 -= beta[j - 1] * sin(2 * j * xi) * cosh(2 * j * eta);
		eta1 -= beta[j - 1] * cos(2 * j * xi) * sinh(2 * j * eta);
	}
	double chi = asin(sin(xi1) / cosh(eta1));
	double phi = chi;
	for (int j = 1; j <= 3; j++)
		phi += delta[j - 1] * sin(2 * j * chi);
	*lat = phi / DEG;
	*lon = 114.0 + atan2(sinh(eta1), cos(xi1)) / DEG;
}

/* ---- The table ----------------------------------------------------------- */

/* Published with wandergis/coordtransform (README), the reference most GCJ-02
 * code is checked against: WGS84 (116.404, 39.915) near Tiananmen. */
#define PUB_WGS_LON 116.404
#define PUB_WGS_LAT 39.915
#define PUB_GCJ_LON 116.41024449916938
#define PUB_GCJ_LAT 39.91640428150164
#define PUB_BD_LON 116.41662724378733
#define PUB_BD_LAT 39.922699552216216
/* gcj02tobd09(116.404, 39.915) and the closed-form bd09togcj02(116.404, 39.915). */
#define PUB_G2B_LON 116.41036949371029
#define PUB_G2B_LAT 39.92133699351021
#define PUB_B2G_LON 116.39762729119315
#define PUB_B2G_LAT 39.90865673957631

#define GK114 "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"

struct crs_case {
	const char *crs;
	double x, y;		/* input, easting/longitude first */
	expect_fn *expect;	/* computes lon, lat from x, y; NULL: use lon, lat */
	double lon, lat;	/* expected WGS84 when expect is NULL */
	double tol_m;		/* both directions */
	int in_deg;		/* input is lon/lat degrees (else metres) */
	/* Reverse direction: our forward formula, or else PROJ from EPSG:4326 to
	 * reverse_crs (NULL: crs itself). */
	void (*reverse)(double lon, double lat, double *x, double *y);
	const char *reverse_crs;
};

static const struct crs_case cases[] = {
	/* Identity, by every accepted name; the (45, 10) rows catch a swap. */
	{ "EPSG:4326", 116.391, 39.907, expect_same, 0, 0, 1e-6, 1, NULL, NULL },
	{ "epsg:4326", 45.0, 10.0, expect_same, 0, 0, 1e-6, 1, NULL, "EPSG:4326" },
	{ "WGS84", -73.9857, 40.7484, expect_same, 0, 0, 1e-6, 1, NULL, "EPSG:4326" },
	/* CGCS2000 is WGS84 to centimetres; officially lat-first, taken lon-first. */
	{ "EPSG:4490", 116.391, 39.907, expect_same, 0, 0, 1.0, 1, NULL, NULL },
	{ "EPSG:4490", 45.0, 10.0, expect_same, 0, 0, 1.0, 1, NULL, NULL },
	/* Web Mercator: Shanghai, New York, and the origin. */
	{ "EPSG:3857", 13522000.0, 3662000.0, expect_webmerc, 0, 0, 1e-3, 0, NULL, NULL },
	{ "EPSG:3857", -8238310.0, 4970072.0, expect_webmerc, 0, 0, 1e-3, 0, NULL, NULL },
	{ "EPSG:3857", 0.0, 0.0, expect_webmerc, 0, 0, 1e-3, 0, NULL, NULL },
	/* Gauss-Krüger CM 114°E, officially northing-first, taken easting-first:
	 * on the central meridian, then 100 km west and 120 km east of it. */
	{ "EPSG:4547", 500000.0, 3000000.0, expect_gk114, 0, 0, 1e-3, 0, NULL, NULL },
	{ "EPSG:4547", 500000.0, 4420000.0, expect_gk114, 0, 0, 1e-3, 0, NULL, NULL },
	{ "EPSG:4547", 400000.0, 3500000.0, expect_gk114, 0, 0, 1e-3, 0, NULL, NULL },
	{ "EPSG:4547", 620000.0, 2500000.0, expect_gk114, 0, 0, 1e-3, 0, NULL, NULL },
	/* The same CRS as a bare PROJ string, as older Chinese data gives it. */
	{ GK114, 400000.0, 3500000.0, expect_gk114, 0, 0, 1e-3, 0, NULL, "EPSG:4547" },
	/* GCJ-02 and BD-09: published vectors, and Berlin (outside China). */
	{ "GCJ02", PUB_GCJ_LON, PUB_GCJ_LAT, NULL, PUB_WGS_LON, PUB_WGS_LAT, 0.01, 1,
	  crs_wgs84_to_gcj02, NULL },
	{ "gcj-02", 13.405, 52.52, NULL, 13.405, 52.52, 1e-6, 1, crs_wgs84_to_gcj02, NULL },
	{ "BD09", PUB_BD_LON, PUB_BD_LAT, NULL, PUB_WGS_LON, PUB_WGS_LAT, 0.01, 1,
	  crs_wgs84_to_bd09, NULL },
	{ "bd-09", PUB_BD_LON, PUB_BD_LAT, NULL, PUB_WGS_LON, PUB_WGS_LAT, 0.01, 1,
	  crs_wgs84_to_bd09, NULL },
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

/* PROJ's own WGS84 → CRS, GIS order, for the reverse direction. */
static void proj_from_wgs84(const char *crs, double lon, double lat, double *x, double *y)
{
	PJ_CONTEXT *ctx = proj_context_create();
	proj_log_level(ctx, PJ_LOG_NONE);
	PJ *op = proj_create_crs_to_crs(ctx, "EPSG:4326", crs, NULL);
	ck_assert_msg(op != NULL, "test cannot build EPSG:4326 -> %s", crs);
	PJ *norm = proj_normalize_for_visualization(ctx, op);
	ck_assert_ptr_nonnull(norm);
	PJ_COORD c = proj_trans(norm, PJ_FWD, proj_coord(lon, lat, 0, HUGE_VAL));
	*x = c.xy.x;
	*y = c.xy.y;
	proj_destroy(norm);
	proj_destroy(op);
	proj_context_destroy(ctx);
}

START_TEST(test_table)
{
	const struct crs_case *c = &cases[_i];
	struct crs_xform *x = NULL;
	struct yz_errbuf eb = { "" };
	double lon, lat, xs = c->x, ys = c->y;

	if (c->expect) {
		c->expect(c->x, c->y, &lon, &lat);
	} else {
		lon = c->lon;
		lat = c->lat;
	}

	ck_assert_msg(crs_open(c->crs, &x, &eb) == YZ_OK, "%s: %s", c->crs, eb.msg);
	ck_assert_int_eq(crs_to_wgs84(x, &xs, &ys, 1, &eb), YZ_OK);
	double err = dist_m(lon, lat, xs, ys);
	ck_assert_msg(err <= c->tol_m,
		      "%s (%.9f, %.9f) -> (%.12f, %.12f), expected (%.12f, %.12f): %.3g m off",
		      c->crs, c->x, c->y, xs, ys, lon, lat, err);
	crs_free(x);

	double rx, ry;
	if (c->reverse)
		c->reverse(lon, lat, &rx, &ry);
	else
		proj_from_wgs84(c->reverse_crs ? c->reverse_crs : c->crs, lon, lat, &rx, &ry);
	err = c->in_deg ? dist_m(c->x, c->y, rx, ry) : hypot(rx - c->x, ry - c->y);
	ck_assert_msg(err <= c->tol_m,
		      "%s reverse (%.12f, %.12f) -> (%.9f, %.9f), expected (%.9f, %.9f): %.3g m off",
		      c->crs, lon, lat, rx, ry, c->x, c->y, err);
}
END_TEST

/* On the central meridian the easting alone fixes the longitude, exactly. */
START_TEST(test_gk_central_meridian)
{
	struct crs_xform *x = NULL;
	struct yz_errbuf eb = { "" };
	double xs[4] = { 500000, 500000, 500000, 500000 };
	double ys[4] = { 2000000, 3000000, 4000000, 5500000 };

	ck_assert_int_eq(crs_open("EPSG:4547", &x, &eb), YZ_OK);
	ck_assert_int_eq(crs_to_wgs84(x, xs, ys, 4, &eb), YZ_OK);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(fabs(xs[i] - 114.0) < 1e-11, "lon %.15f", xs[i]);
	ck_assert(ys[0] < ys[1] && ys[1] < ys[2] && ys[2] < ys[3]);
	crs_free(x);
}
END_TEST

/* ---- Names --------------------------------------------------------------- */

START_TEST(test_identity_names)
{
	const char *names[] = { NULL, "", "WGS84", "wgs84", "EPSG:4326", "Epsg:4326" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct crs_xform *x = NULL;
		struct yz_errbuf eb = { "" };
		double xs[2] = { 116.3, -180.0 }, ys[2] = { 39.9, -90.0 };

		ck_assert_int_eq(crs_open(names[i], &x, &eb), YZ_OK);
		ck_assert(crs_is_identity(x));
		ck_assert_int_eq(crs_to_wgs84(x, xs, ys, 2, &eb), YZ_OK);
		ck_assert(xs[0] == 116.3 && ys[0] == 39.9 && xs[1] == -180.0 && ys[1] == -90.0);
		crs_free(x);
	}
}
END_TEST

START_TEST(test_builtin_names)
{
	const char *names[] = { "GCJ02", "gcj02", "GCJ-02", "Gcj-02",
				"BD09", "bd09", "BD-09", "bd-09" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct crs_xform *x = NULL;
		struct yz_errbuf eb = { "" };

		ck_assert_msg(crs_open(names[i], &x, &eb) == YZ_OK, "%s: %s", names[i], eb.msg);
		ck_assert(!crs_is_identity(x));
		crs_free(x);
	}
	/* Real CRSs are not the identity, even EPSG:4490 (≈ WGS84). */
	struct crs_xform *x = NULL;
	ck_assert_int_eq(crs_open("EPSG:4490", &x, NULL), YZ_OK);
	ck_assert(!crs_is_identity(x));
	crs_free(x);
	crs_free(NULL);
}
END_TEST

START_TEST(test_bad_names)
{
	static const struct {
		const char *name, *msg;
	} bad[] = {
		{ "EPSG:99999", "unknown CRS \"EPSG:99999\"" },
		{ "nonsense", "unknown CRS \"nonsense\"" },
		{ "GCJ", "unknown CRS \"GCJ\"" },
		{ "+proj=nosuchprojection", "unknown CRS \"+proj=nosuchprojection\"" },
		{ "EPSG:4978", "EPSG:4978" },	/* geocentric: 3D X, Y, Z */
		{ "EPSG:5773", "EPSG:5773" },	/* vertical only */
	};

	static char sentinel;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct crs_xform *x = (struct crs_xform *)(void *)&sentinel;	/* must be reset */
		struct yz_errbuf eb = { "" };

		ck_assert_int_eq(crs_open(bad[i].name, &x, &eb), YZ_ECRS);
		ck_assert_ptr_null(x);
		ck_assert_msg(strstr(eb.msg, bad[i].msg) != NULL, "%s: message \"%s\"",
			      bad[i].name, eb.msg);
	}
	/* A NULL error buffer is allowed. */
	struct crs_xform *x = NULL;
	ck_assert_int_eq(crs_open("EPSG:99999", &x, NULL), YZ_ECRS);
	ck_assert_ptr_null(x);
}
END_TEST

/* PROJ's reason reaches our message, and nothing reaches stderr. */
START_TEST(test_bad_name_quiet)
{
	struct crs_xform *x = NULL;
	struct yz_errbuf eb = { "" };
	FILE *tmp = tmpfile();
	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);

	enum yz_err err = crs_open("EPSG:99999", &x, &eb);
	enum yz_err err2 = crs_open("nonsense", &x, NULL);

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ck_assert_int_eq(fseek(tmp, 0, SEEK_END), 0);
	long written = ftell(tmp);
	fclose(tmp);

	ck_assert_int_eq(err, YZ_ECRS);
	ck_assert_int_eq(err2, YZ_ECRS);
	ck_assert_msg(written == 0, "PROJ wrote %ld bytes to stderr", written);
	ck_assert_msg(strstr(eb.msg, "not found") != NULL, "message \"%s\"", eb.msg);
}
END_TEST

/* ---- Bad points ---------------------------------------------------------- */

START_TEST(test_bad_point_proj)
{
	struct crs_xform *x = NULL;
	struct yz_errbuf eb = { "" };
	double xs[3] = { 500000, 1e30, 500000 }, ys[3] = { 3000000, 3000000, 3000000 };

	ck_assert_int_eq(crs_open("EPSG:4547", &x, &eb), YZ_OK);
	ck_assert_int_eq(crs_to_wgs84(x, xs, ys, 3, &eb), YZ_ECRS);
	ck_assert_msg(strstr(eb.msg, "point 1 ") != NULL, "message \"%s\"", eb.msg);
	ck_assert_msg(strstr(eb.msg, "EPSG:4547") != NULL, "message \"%s\"", eb.msg);
	/* Points before the bad one are done, the rest untouched. */
	ck_assert(fabs(xs[0] - 114.0) < 1e-9);
	ck_assert(xs[1] == 1e30 && xs[2] == 500000 && ys[2] == 3000000);
	crs_free(x);
}
END_TEST

START_TEST(test_bad_point_nonfinite)
{
	const char *names[] = { "WGS84", "GCJ02", "BD09", "EPSG:3857", "EPSG:4490" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct crs_xform *x = NULL;
		struct yz_errbuf eb = { "" };
		double xs[3] = { 10, 20, NAN }, ys[3] = { 10, INFINITY, 10 };

		ck_assert_int_eq(crs_open(names[i], &x, &eb), YZ_OK);
		ck_assert_int_eq(crs_to_wgs84(x, xs, ys, 3, &eb), YZ_ECRS);
		ck_assert_msg(strstr(eb.msg, "point 1 ") != NULL, "%s: \"%s\"", names[i], eb.msg);
		crs_free(x);
	}
}
END_TEST

/* A latitude beyond the pole is not a WGS84 point, even when a ballpark
 * transform would pass it through. */
START_TEST(test_bad_point_latitude)
{
	const char *names[] = { "WGS84", "EPSG:4490" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct crs_xform *x = NULL;
		struct yz_errbuf eb = { "" };
		double xs[2] = { 116.4, 116.4 }, ys[2] = { 39.9, 100.0 };

		ck_assert_int_eq(crs_open(names[i], &x, &eb), YZ_OK);
		ck_assert_int_eq(crs_to_wgs84(x, xs, ys, 2, &eb), YZ_ECRS);
		ck_assert_msg(strstr(eb.msg, "point 1 ") != NULL, "%s: \"%s\"", names[i], eb.msg);
		crs_free(x);
	}
}
END_TEST

START_TEST(test_empty_batch)
{
	struct crs_xform *x = NULL;
	struct yz_errbuf eb = { "" };

	ck_assert_int_eq(crs_open("EPSG:3857", &x, &eb), YZ_OK);
	ck_assert_int_eq(crs_to_wgs84(x, NULL, NULL, 0, &eb), YZ_OK);
	crs_free(x);
}
END_TEST

/* ---- GCJ-02 and BD-09 ---------------------------------------------------- */

START_TEST(test_published_forward)
{
	double lon, lat;

	crs_wgs84_to_gcj02(PUB_WGS_LON, PUB_WGS_LAT, &lon, &lat);
	ck_assert_msg(fabs(lon - PUB_GCJ_LON) < 1e-11 && fabs(lat - PUB_GCJ_LAT) < 1e-11,
		      "gcj (%.17g, %.17g)", lon, lat);
	crs_wgs84_to_bd09(PUB_WGS_LON, PUB_WGS_LAT, &lon, &lat);
	ck_assert_msg(fabs(lon - PUB_BD_LON) < 1e-11 && fabs(lat - PUB_BD_LAT) < 1e-11,
		      "bd (%.17g, %.17g)", lon, lat);
	crs_gcj02_to_bd09(PUB_WGS_LON, PUB_WGS_LAT, &lon, &lat);
	ck_assert_msg(fabs(lon - PUB_G2B_LON) < 1e-11 && fabs(lat - PUB_G2B_LAT) < 1e-11,
		      "gcj->bd (%.17g, %.17g)", lon, lat);
}
END_TEST

/* Our bd09 → gcj02 is within a metre of the published closed form (same
 * transform) but, unlike it, maps back onto its input. */
START_TEST(test_bd_inverse_beats_closed_form)
{
	double glon, glat, blon, blat;

	crs_bd09_to_gcj02(PUB_WGS_LON, PUB_WGS_LAT, &glon, &glat);
	ck_assert_double_lt(dist_m(glon, glat, PUB_B2G_LON, PUB_B2G_LAT), 1.0);
	crs_gcj02_to_bd09(glon, glat, &blon, &blat);
	ck_assert_double_lt(dist_m(blon, blat, PUB_WGS_LON, PUB_WGS_LAT), 0.001);
	crs_gcj02_to_bd09(PUB_B2G_LON, PUB_B2G_LAT, &blon, &blat);
	ck_assert_double_gt(dist_m(blon, blat, PUB_WGS_LON, PUB_WGS_LAT),
			    dist_m(glon, glat, PUB_B2G_LON, PUB_B2G_LAT) / 2.0);
}
END_TEST

/* 500 points over 73–135°E, 18–53°N: a 25 × 20 lattice, each point jittered
 * by a fixed pseudo-random amount so no two share a sine phase. */
#define GRID_NLON 25
#define GRID_NLAT 20

static void grid_point(int k, double *lon, double *lat)
{
	unsigned s = 2463534242u + (unsigned)k * 2654435761u;
	s ^= s << 13;
	s ^= s >> 17;
	s ^= s << 5;
	double jx = (s & 0xffff) / 65536.0, jy = (s >> 16) / 65536.0;
	*lon = 73.0 + (k % GRID_NLON + jx) * (62.0 / GRID_NLON);
	*lat = 18.0 + (k / GRID_NLON + jy) * (35.0 / GRID_NLAT);
}

/* Round trips must stay under 1 cm (the contract asks for 0.5 m). */
#define ROUND_TRIP_M 0.01

START_TEST(test_gcj_grid)
{
	double worst_wgw = 0, worst_gwg = 0;

	for (int k = 0; k < GRID_NLON * GRID_NLAT; k++) {
		double lon, lat, glon, glat, wlon, wlat;
		grid_point(k, &lon, &lat);

		crs_wgs84_to_gcj02(lon, lat, &glon, &glat);
		/* The offset is tens to hundreds of metres everywhere in the box,
		 * 100–700 m east of 100°E; it drops to ~18 m in Qinghai. */
		double off = dist_m(lon, lat, glon, glat);
		ck_assert_msg(off > 10.0 && off < 710.0, "offset %.1f m at (%g, %g)", off, lon, lat);
		if (lon >= 100.0)
			ck_assert_msg(off > 100.0, "offset %.1f m at (%g, %g)", off, lon, lat);

		crs_gcj02_to_wgs84(glon, glat, &wlon, &wlat);
		worst_wgw = fmax(worst_wgw, dist_m(lon, lat, wlon, wlat));

		/* The same point read as GCJ-02 input. */
		crs_gcj02_to_wgs84(lon, lat, &wlon, &wlat);
		crs_wgs84_to_gcj02(wlon, wlat, &glon, &glat);
		worst_gwg = fmax(worst_gwg, dist_m(lon, lat, glon, glat));
	}
	ck_assert_msg(worst_wgw < ROUND_TRIP_M, "wgs->gcj->wgs %.3g m", worst_wgw);
	ck_assert_msg(worst_gwg < ROUND_TRIP_M, "gcj->wgs->gcj %.3g m", worst_gwg);
}
END_TEST

START_TEST(test_bd_grid)
{
	double worst_gbg = 0, worst_bgb = 0, worst_wbw = 0;

	for (int k = 0; k < GRID_NLON * GRID_NLAT; k++) {
		double lon, lat, blon, blat, glon, glat, wlon, wlat;
		grid_point(k, &lon, &lat);

		crs_gcj02_to_bd09(lon, lat, &blon, &blat);
		/* BD-09 adds roughly (0.0065°, 0.006°): several hundred metres. */
		double off = dist_m(lon, lat, blon, blat);
		ck_assert_msg(off > 500.0 && off < 1500.0, "offset %.1f m at (%g, %g)", off, lon, lat);
		crs_bd09_to_gcj02(blon, blat, &glon, &glat);
		worst_gbg = fmax(worst_gbg, dist_m(lon, lat, glon, glat));

		crs_bd09_to_gcj02(lon, lat, &glon, &glat);
		crs_gcj02_to_bd09(glon, glat, &blon, &blat);
		worst_bgb = fmax(worst_bgb, dist_m(lon, lat, blon, blat));

		crs_wgs84_to_bd09(lon, lat, &blon, &blat);
		crs_bd09_to_wgs84(blon, blat, &wlon, &wlat);
		worst_wbw = fmax(worst_wbw, dist_m(lon, lat, wlon, wlat));
	}
	ck_assert_msg(worst_gbg < ROUND_TRIP_M, "gcj->bd->gcj %.3g m", worst_gbg);
	ck_assert_msg(worst_bgb < ROUND_TRIP_M, "bd->gcj->bd %.3g m", worst_bgb);
	ck_assert_msg(worst_wbw < ROUND_TRIP_M, "wgs->bd->wgs %.3g m", worst_wbw);
}
END_TEST

/* The batch entry point agrees with the per-point functions. */
START_TEST(test_batch_matches_functions)
{
	enum { N = GRID_NLON * GRID_NLAT };
	static double xs[N], ys[N];
	struct crs_xform *x = NULL;
	struct yz_errbuf eb = { "" };

	for (int k = 0; k < N; k++)
		grid_point(k, &xs[k], &ys[k]);
	ck_assert_int_eq(crs_open("BD09", &x, &eb), YZ_OK);
	ck_assert_int_eq(crs_to_wgs84(x, xs, ys, N, &eb), YZ_OK);
	for (int k = 0; k < N; k++) {
		double lon, lat, wlon, wlat;
		grid_point(k, &lon, &lat);
		crs_bd09_to_wgs84(lon, lat, &wlon, &wlat);
		ck_assert(xs[k] == wlon && ys[k] == wlat);
	}
	crs_free(x);
}
END_TEST

START_TEST(test_outside_china)
{
	static const double pts[][2] = {
		{ 13.405, 52.52 },	/* Berlin */
		{ -73.9857, 40.7484 },	/* New York */
		{ 151.2093, -33.8688 },	/* Sydney */
		{ 139.6917, 35.6895 },	/* Tokyo: east of the box */
		{ 0.0, 0.0 },
	};

	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
		double lon = pts[i][0], lat = pts[i][1], glon, glat, blon, blat, wlon, wlat;

		crs_wgs84_to_gcj02(lon, lat, &glon, &glat);
		ck_assert(glon == lon && glat == lat);
		crs_gcj02_to_wgs84(lon, lat, &wlon, &wlat);
		ck_assert(wlon == lon && wlat == lat);
		/* BD-09's own shift applies everywhere, as in the published code. */
		crs_wgs84_to_bd09(lon, lat, &blon, &blat);
		crs_gcj02_to_bd09(lon, lat, &glon, &glat);
		ck_assert(blon == glon && blat == glat);
		crs_bd09_to_wgs84(blon, blat, &wlon, &wlat);
		ck_assert_double_lt(dist_m(lon, lat, wlon, wlat), ROUND_TRIP_M);
	}
}
END_TEST

Suite *crs_suite(void)
{
	Suite *s = suite_create("crs");
	TCase *tc = tcase_create("table");
	tcase_add_loop_test(tc, test_table, 0, N_CASES);
	tcase_add_test(tc, test_gk_central_meridian);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_identity_names);
	tcase_add_test(tc, test_builtin_names);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_bad_name_quiet);
	suite_add_tcase(s, tc);

	tc = tcase_create("points");
	tcase_add_test(tc, test_bad_point_proj);
	tcase_add_test(tc, test_bad_point_nonfinite);
	tcase_add_test(tc, test_bad_point_latitude);
	tcase_add_test(tc, test_empty_batch);
	suite_add_tcase(s, tc);

	tc = tcase_create("china");
	tcase_add_test(tc, test_published_forward);
	tcase_add_test(tc, test_bd_inverse_beats_closed_form);
	tcase_add_test(tc, test_gcj_grid);
	tcase_add_test(tc, test_bd_grid);
	tcase_add_test(tc, test_batch_matches_functions);
	tcase_add_test(tc, test_outside_china);
	suite_add_tcase(s, tc);
	return s;
}
