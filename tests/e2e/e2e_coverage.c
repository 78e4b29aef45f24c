/* e2e_coverage.c — /api/coverage and /api/suggest over real TCP, their
 * exports, errors, and the coverage / suggest commands (SPEC §3, §4, §6).
 *
 * Meaning, not only shape: covered length grows with the limit; the gaps'
 * drawn length is the road length minus the covered length; a rider standing
 * in the middle of a gap finds no station within the limit by /api/nearest
 * (an independent query), and one standing on a covered road does; the
 * community table adds up to the total where the districts tile the roads;
 * suggest's figures chain (covered_m_after = before + the gains so far) and
 * its gains shrink step by step. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/e2e.h"
#include "tiles/pngenc.h"

Suite *coverage_suite(void);

#define need(cond, ...)                          \
	do {                                     \
		if (!(cond))                     \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

#define R_EARTH_M 6371008.8

static struct sproc *srv;
static unsigned port;

static void server_up(void)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", "--host",
					   "127.0.0.1", NULL};
	srv = e2e_serve(args);
	port = sproc_port(srv);
}

static void server_down(void)
{
	sproc_stop(srv, 6000);
	sproc_free(srv);
	srv = NULL;
}

static char target[1024];

__attribute__((format(printf, 1, 2))) static struct jval *get_ok(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(target, sizeof target, fmt, ap);
	va_end(ap);
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_why(e2e_get(port, target, 200, &r));
	struct jval *v = e2e_json(&r);
	ck_assert_why(v != NULL);
	hc_response_fini(&r);
	return v;
}

static double num(const struct jval *v, const char *path)
{
	double x;
	need(jval_num(jval_path(v, path), &x), "%s: %s is not a number", target, path);
	return x;
}

static double hav(double lon1, double lat1, double lon2, double lat2)
{
	double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
	double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	return 2 * R_EARTH_M * asin(fmin(1, sqrt(a)));
}

static double line_len(const struct jval *line)
{
	double sum = 0;
	for (size_t i = 1; i < jval_count(line); i++) {
		double x0, y0, x1, y1;
		jval_num(jval_at(jval_at(line, i - 1), 0), &x0);
		jval_num(jval_at(jval_at(line, i - 1), 1), &y0);
		jval_num(jval_at(jval_at(line, i), 0), &x1);
		jval_num(jval_at(jval_at(line, i), 1), &y1);
		sum += hav(x0, y0, x1, y1);
	}
	return sum;
}

/* The point halfway along a line. */
static void line_mid(const struct jval *line, double *lon, double *lat)
{
	double half = line_len(line) / 2, cum = 0;
	for (size_t i = 1; i < jval_count(line); i++) {
		double x0, y0, x1, y1;
		jval_num(jval_at(jval_at(line, i - 1), 0), &x0);
		jval_num(jval_at(jval_at(line, i - 1), 1), &y0);
		jval_num(jval_at(jval_at(line, i), 0), &x1);
		jval_num(jval_at(jval_at(line, i), 1), &y1);
		double l = hav(x0, y0, x1, y1);
		if (cum + l >= half) {
			double t = l > 0 ? (half - cum) / l : 0;
			*lon = x0 + t * (x1 - x0);
			*lat = y0 + t * (y1 - y0);
			return;
		}
		cum += l;
	}
	jval_num(jval_at(jval_at(line, 0), 0), lon);
	jval_num(jval_at(jval_at(line, 0), 1), lat);
}

/* Time (s) to the nearest station from a point by /api/nearest, or -1. */
static double nearest_s(double lon, double lat, const char *mode)
{
	struct jval *v = get_ok("/api/nearest?lon=%.7f&lat=%.7f&mode=%s&k=1", lon, lat, mode);
	double t = -1, snap = 0;
	jval_num(jval_get(v, "snap_m"), &snap);
	need(snap < 0.5, "%s: the gap point is %.2f m off the road", target, snap);
	if (jval_count(jval_get(v, "results")))
		t = num(v, "results.0.duration_s");
	jval_free(v);
	return t;
}

START_TEST(coverage_totals_and_gaps)
{
	static const char *const modes[] = {"walk", "ebike", "car"};
	static const double minutes[] = {2, 4, 8};
	for (int m = 0; m < 3; m++) {
		double prev = -1, road0 = -1;
		for (int li = 0; li < 3; li++) {
			struct jval *v = get_ok("/api/coverage?mode=%s&minutes=%g", modes[m], minutes[li]);
			need(!strcmp(jval_str(jval_get(v, "mode")), modes[m]), "%s: mode", target);
			need(num(v, "minutes") == minutes[li], "%s: minutes", target);
			double road = num(v, "total.road_m"), cov = num(v, "total.covered_m");
			double ratio = num(v, "total.ratio");
			need(road > 100000 && cov >= 0 && cov <= road + 0.01, "%s: road %.1f covered %.1f",
			     target, road, cov);
			need(fabs(ratio - cov / road) < 1e-5, "%s: ratio %.6f", target, ratio);
			need(road0 < 0 || fabs(road - road0) < 0.01, "%s: road length changed", target);
			need(cov >= prev, "%s: covered %.1f < %.1f at a smaller limit", target, cov, prev);
			road0 = road;
			prev = cov;
			/* the community table: districts tile the bundled roads */
			const struct jval *cs = jval_get(v, "communities");
			need(jval_count(cs) == 10, "%s: %zu communities", target, jval_count(cs));
			double sum_road = 0, sum_cov = 0;
			for (size_t i = 0; i < jval_count(cs); i++) {
				const struct jval *c = jval_at(cs, i);
				need(jval_str(jval_get(c, "id")) && jval_str(jval_get(c, "name")),
				     "%s: community %zu without id/name", target, i);
				double r, cv, ra;
				need(jval_num(jval_get(c, "road_m"), &r) && jval_num(jval_get(c, "covered_m"), &cv) &&
					     jval_num(jval_get(c, "ratio"), &ra),
				     "%s: community %zu figures", target, i);
				need(cv <= r + 0.01 && (r == 0 ? ra == 0 : fabs(ra - cv / r) < 1e-5),
				     "%s: community %zu: %.2f of %.2f, ratio %.6f", target, i, cv, r, ra);
				sum_road += r;
				sum_cov += cv;
			}
			need(fabs(sum_road - road) < 1e-3 * road && fabs(sum_cov - cov) < 1e-3 * road,
			     "%s: communities add up to %.1f/%.1f, total %.1f/%.1f", target, sum_road,
			     sum_cov, road, cov);
			/* gaps: their length is what is not covered */
			const struct jval *gaps = jval_get(v, "gaps");
			need(!strcmp(jval_str(jval_get(gaps, "type")), "MultiLineString"), "%s: gaps type",
			     target);
			const struct jval *lines = jval_get(gaps, "coordinates");
			double glen = 0;
			size_t longest = 0;
			double longest_len = -1;
			for (size_t i = 0; i < jval_count(lines); i++) {
				double l = line_len(jval_at(lines, i));
				glen += l;
				if (l > longest_len) {
					longest_len = l;
					longest = i;
				}
			}
			need(fabs(glen - (road - cov)) <= 2e-3 * road + 1,
			     "%s: gaps are %.1f m, road − covered = %.1f m", target, glen, road - cov);
			/* a rider in the middle of the longest gaps finds no station
			 * within the limit */
			if (jval_count(lines) > 0 && longest_len > 50) {
				double lon, lat;
				line_mid(jval_at(lines, longest), &lon, &lat);
				double t = nearest_s(lon, lat, modes[m]);
				need(t < 0 || t > minutes[li] * 60 - 0.01,
				     "%s: from the gap at %.7f,%.7f a station is %.3f s away", target, lon, lat, t);
			}
			jval_free(v);
		}
	}
	/* gaps=0 leaves them out */
	struct jval *v = get_ok("/api/coverage?minutes=5&gaps=0");
	need(jval_get(v, "gaps") && jval_get(v, "gaps")->type == JVAL_NULL, "%s: gaps not null", target);
	need(!strcmp(jval_str(jval_get(v, "mode")), "ebike"), "%s: default mode", target);
	jval_free(v);
	v = get_ok("/api/coverage");
	need(num(v, "minutes") == 15, "%s: default limit", target);
	jval_free(v);
}
END_TEST

/* A station's own position is covered at any limit; its gap neighbour is
 * not (checked above): here the covered side of the same rule. */
START_TEST(coverage_covered_roads_reach_a_station)
{
	struct jval *v = get_ok("/api/coverage?mode=walk&minutes=3&gaps=0");
	double cov = num(v, "total.covered_m");
	need(cov > 0, "%s: nothing covered", target);
	jval_free(v);
	/* station positions (on roads) reach themselves in 0 s */
	struct jval *st = get_ok("/api/stations");
	const struct jval *f = jval_get(st, "features");
	for (size_t i = 0; i < jval_count(f) && i < 10; i++) {
		double lon = num(jval_at(f, i), "geometry.coordinates.0");
		double lat = num(jval_at(f, i), "geometry.coordinates.1");
		struct jval *n = get_ok("/api/nearest?lon=%.7f&lat=%.7f&mode=walk&k=1", lon, lat);
		if (jval_count(jval_get(n, "results")))
			need(num(n, "results.0.duration_s") < 180, "%s: a station is not covered", target);
		jval_free(n);
	}
	jval_free(st);
}
END_TEST

START_TEST(coverage_exports)
{
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_why(e2e_get(port, "/api/coverage?mode=walk&minutes=5&format=csv", 200, &r));
	const char *ct = hc_header(&r, "Content-Type");
	need(ct && !strncmp(ct, "text/csv", 8), "csv: Content-Type %s", ct ? ct : "(none)");
	need(!strncmp(r.body, "\xEF\xBB\xBFid,name,road_m,covered_m,ratio,population,covered_population\r\n",
		      strlen("\xEF\xBB\xBFid,name,road_m,covered_m,ratio,population,covered_population\r\n")),
	     "csv header: %.80s", r.body);
	size_t rows = 0;
	for (const char *p = r.body; (p = strstr(p, "\r\n")); p += 2)
		rows++;
	need(rows == 11, "csv: %zu lines, expected header + 10", rows);
	need(strstr(r.body, "黄浦区") != NULL, "csv lacks the district names");
	need(hc_header(&r, "Content-Disposition") != NULL, "csv: no Content-Disposition");
	hc_response_fini(&r);

	struct jval *v = get_ok("/api/coverage?mode=walk&minutes=5&format=geojson");
	need(!strcmp(jval_str(jval_get(v, "type")), "FeatureCollection"), "geojson type");
	const struct jval *f = jval_get(v, "features");
	need(jval_count(f) == 11, "geojson: %zu features", jval_count(f));
	need(!strcmp(jval_str(jval_path(v, "features.0.properties.kind")), "community"), "kind");
	need(jval_path(v, "features.0.properties.ratio") != NULL, "ratio");
	need(!strcmp(jval_str(jval_path(v, "features.10.properties.kind")), "gaps"), "gaps feature");
	jval_free(v);

	ck_assert_why(e2e_get(port, "/api/suggest?mode=walk&minutes=3&k=2&format=csv", 200, &r));
	static const char head[] = "\xEF\xBB\xBFrank,lon,lat,gain_m,covered_m_after\r\n1,";
	need(!strncmp(r.body, head, strlen(head)),
	     "suggest csv: %.80s", r.body);
	hc_response_fini(&r);
	v = get_ok("/api/suggest?mode=walk&minutes=3&k=2&format=geojson");
	need(jval_count(jval_get(v, "features")) == 2, "suggest geojson: features");
	need(!strcmp(jval_str(jval_path(v, "features.0.geometry.type")), "Point"), "Point");
	jval_free(v);
}
END_TEST

START_TEST(suggest_sites)
{
	static const char *const modes[] = {"walk", "ebike"};
	for (int m = 0; m < 2; m++) {
		double minutes = m ? 2 : 3;
		struct jval *c = get_ok("/api/coverage?mode=%s&minutes=%g&gaps=0", modes[m], minutes);
		double road = num(c, "total.road_m"), cov = num(c, "total.covered_m");
		jval_free(c);
		struct jval *v = get_ok("/api/suggest?mode=%s&minutes=%g&k=4", modes[m], minutes);
		need(fabs(num(v, "road_m") - road) < 0.02, "%s: road_m", target);
		need(fabs(num(v, "covered_m_before") - cov) < 0.02, "%s: covered_m_before %.2f vs %.2f",
		     target, num(v, "covered_m_before"), cov);
		const struct jval *sites = jval_get(v, "sites");
		need(jval_count(sites) == 4, "%s: %zu sites", target, jval_count(sites));
		double after = cov, prev_gain = INFINITY;
		for (size_t i = 0; i < jval_count(sites); i++) {
			const struct jval *s = jval_at(sites, i);
			double gain = num(s, "gain_m"), ca = num(s, "covered_m_after");
			double lon = num(s, "lon"), lat = num(s, "lat");
			need(gain > 0 && gain <= prev_gain + 0.01, "%s: gain %zu = %.2f after %.2f", target,
			     i, gain, prev_gain);
			after += gain;
			need(fabs(ca - after) < 0.05 && ca <= road + 0.01, "%s: covered_m_after %.2f, expected %.2f",
			     target, ca, after);
			need(lon > 121 && lon < 122 && lat > 30.9 && lat < 31.5, "%s: site at %f,%f", target,
			     lon, lat);
			prev_gain = gain;
		}
		jval_free(v);
	}
}
END_TEST

START_TEST(coverage_errors)
{
	static const char *const bad[] = {
		"/api/coverage?mode=boat",       "/api/coverage?minutes=0",
		"/api/coverage?minutes=61",      "/api/coverage?minutes=abc",
		"/api/coverage?minutes=NaN",     "/api/coverage?minutes=5,10",
		"/api/coverage?gaps=maybe",      "/api/coverage?format=xml",
		"/api/coverage?k=3",             "/api/suggest?k=0",
		"/api/suggest?k=21",             "/api/suggest?k=x",
		"/api/suggest?minutes=-1",       "/api/suggest?mode=bike",
		"/api/suggest?format=pdf",       "/api/suggest?lon=121",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct hc_response r;
		hc_response_init(&r);
		ck_assert_why(e2e_get(port, bad[i], 400, &r));
		ck_assert_why(e2e_is_error(&r, 400, NULL));
		hc_response_fini(&r);
	}
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

/* Reddish (gap) and greenish (near band) pixels of a coverage tile. */
static void tile_hues(const char *t, unsigned *red, unsigned *green, char *etag, size_t etag_cap)
{
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_why(e2e_get(port, t, 200, &r));
	const char *ct = hc_header(&r, "Content-Type");
	need(ct && !strcmp(ct, "image/png"), "%s: Content-Type %s", t, ct ? ct : "(none)");
	const char *et = hc_header(&r, "ETag");
	need(et && strlen(et) < etag_cap, "%s: no ETag", t);
	strcpy(etag, et);
	uint8_t *px;
	unsigned w, h;
	need(pngenc_decode_rgba(r.body, r.body_len, &px, &w, &h) == YZ_OK && w == 256 && h == 256,
	     "%s: not a 256-px PNG", t);
	*red = *green = 0;
	for (size_t i = 0; i < (size_t)w * h; i++) {
		const uint8_t *p = px + 4 * i;
		if (p[3] < 16)
			continue;
		*red += p[0] > p[1] + 40;
		*green += p[1] > p[0] + 40;
	}
	free(px);
	hc_response_fini(&r);
}

/* The coverage tile layer draws the same field: a short walk leaves gaps
 * (red) around near roads (green); a 15-minute e-bike ride covers every
 * road of the bundled data (as /api/coverage says), so no red. */
START_TEST(coverage_tiles)
{
	struct jval *v = get_ok("/api/coverage?mode=ebike&minutes=15&gaps=0");
	need(num(v, "total.ratio") == 1, "the bundled data is no longer fully covered by e-bike");
	jval_free(v);
	char e1[64], e2[64], e3[64];
	unsigned red, green;
	tile_hues("/tiles/coverage/13/6860/3347.png?mode=walk&minutes=5", &red, &green, e1, sizeof e1);
	need(red > 500 && green > 500, "walk 5: %u red, %u green pixels", red, green);
	tile_hues("/tiles/coverage/13/6860/3347.png", &red, &green, e2, sizeof e2);
	need(red == 0 && green > 500, "ebike 15: %u red, %u green pixels", red, green);
	tile_hues("/tiles/coverage/13/6860/3347.png?mode=walk&minutes=6", &red, &green, e3, sizeof e3);
	need(strcmp(e1, e2) && strcmp(e1, e3) && strcmp(e2, e3), "ETags must differ: %s %s %s", e1, e2, e3);
	/* revalidation */
	char hdr[128];
	snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", e1);
	struct hc_response r;
	hc_response_init(&r);
	ck_assert_int_eq(hc_request(port, "GET", "/tiles/coverage/13/6860/3347.png?mode=walk&minutes=5",
				    hdr, &r),
			 HC_OK);
	need(r.status == 304, "If-None-Match: status %d", r.status);
	hc_response_fini(&r);
	static const char *const bad[] = {
		"/tiles/coverage/13/6860/3347.png?minutes=0",
		"/tiles/coverage/13/6860/3347.png?minutes=61",
		"/tiles/coverage/13/6860/3347.png?minutes=x",
		"/tiles/coverage/13/6860/3347.png?mode=boat",
		"/tiles/coverage/13/6860/3347.png?k=1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		hc_response_init(&r);
		ck_assert_why(e2e_get(port, bad[i], 400, &r));
		ck_assert_why(e2e_is_error(&r, 400, NULL));
		hc_response_fini(&r);
	}
}
END_TEST

static void cli_vs_api(const char *const *args, const char *api)
{
	struct sproc_result res;
	need(sproc_run(args, 60000, &res) == 0, "cannot run %s", sproc_bin());
	need(res.status == 0, "%s %s: status %d; stderr: %s", sproc_bin(), args[0], res.status, res.err);
	char err[256];
	struct jval *cli = jval_parse(res.out, strlen(res.out), err, sizeof err);
	need(cli != NULL, "%s %s: stdout is not JSON (%s)", sproc_bin(), args[0], err);
	struct jval *web = get_ok("%s", api);
	need(jval_equal(cli, web), "%s %s differs from GET %s", sproc_bin(), args[0], api);
	jval_free(cli);
	jval_free(web);
	sproc_result_fini(&res);
}

START_TEST(cli_coverage_and_suggest)
{
	const char *const cov[] = {"coverage", E2E_DATASET, "--mode", "walk", "--minutes", "4", NULL};
	cli_vs_api(cov, "/api/coverage?mode=walk&minutes=4");
	const char *const sug[] = {"suggest", E2E_DATASET, "--mode", "ebike", "--minutes", "2",
				   "--k", "3", NULL};
	cli_vs_api(sug, "/api/suggest?mode=ebike&minutes=2&k=3");
}
END_TEST

Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc = tcase_create("coverage");
	tcase_add_unchecked_fixture(tc, server_up, server_down);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT_S * 2);
	tcase_add_test(tc, coverage_totals_and_gaps);
	tcase_add_test(tc, coverage_covered_roads_reach_a_station);
	tcase_add_test(tc, coverage_exports);
	tcase_add_test(tc, suggest_sites);
	tcase_add_test(tc, coverage_errors);
	tcase_add_test(tc, coverage_tiles);
	tcase_add_test(tc, cli_coverage_and_suggest);
	suite_add_tcase(s, tc);
	return s;
}
