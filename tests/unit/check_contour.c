/* check_contour.c — routing/contour: isochrone polygons from reachable pieces.
 *
 * Every result goes through check_valid(), which holds the polygon contract
 * by brute force in the metric frame: rings closed with at least three
 * distinct points, exteriors counter-clockwise and holes clockwise, each
 * polygon an exterior followed by its holes, each hole inside its exterior,
 * polygons disjoint, and no two segments anywhere (same ring or not) crossing
 * or coming within 1 mm of each other except consecutive ones at their shared
 * point (O(n²) over all segments).  Containment is tested on every piece end
 * and midpoint (even–odd rule over all rings); exclusion on random points.
 * The last test builds a small synthetic city, runs a Dijkstra and checks the
 * SPEC §3/§7 criterion on its nodes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/geo.h"
#include "common/json.h"
#include "routing/contour.h"

Suite *contour_suite(void);

/* Check records every passing ck_assert (a write to its log), which makes
 * the O(n²) loops below crawl: loops use this, which only fails. */
#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (!(cond))                                                      \
			ck_abort_msg(__VA_ARGS__);                                \
	} while (0)

#define LON0 121.47
#define LAT0 31.23

/* ---- fixtures ---- */

static struct contour_ws ws;
static struct contour_result res[CONTOUR_MAX_LEVELS];

static void setup(void)
{
	contour_ws_init(&ws);
	for (int i = 0; i < CONTOUR_MAX_LEVELS; i++)
		contour_result_init(&res[i]);
}

static void teardown(void)
{
	contour_ws_fini(&ws);
	for (int i = 0; i < CONTOUR_MAX_LEVELS; i++)
		contour_result_fini(&res[i]);
}

/* A growable list of pieces. */
struct plist {
	struct contour_piece *p;
	size_t n, cap;
};

static void add(struct plist *l, double x0, double y0, double x1, double y1, uint32_t level)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->p = realloc(l->p, l->cap * sizeof *l->p);
		CHECK(l->p != NULL, "out of memory");
	}
	l->p[l->n++] = (struct contour_piece){(float)x0, (float)y0, (float)x1, (float)y1, level};
}

/* A straight road from a to b cut into pieces of at most `step` metres. */
static void add_road(struct plist *l, double x0, double y0, double x1, double y1, double step, uint32_t level)
{
	double len = hypot(x1 - x0, y1 - y0);
	int k = (int)ceil(len / step);
	if (k < 1)
		k = 1;
	for (int i = 0; i < k; i++)
		add(l, x0 + (x1 - x0) * i / k, y0 + (y1 - y0) * i / k, x0 + (x1 - x0) * (i + 1) / k,
		    y0 + (y1 - y0) * (i + 1) / k, level);
}

static void plist_free(struct plist *l)
{
	free(l->p);
	memset(l, 0, sizeof *l);
}

static struct contour_params params(uint32_t levels)
{
	struct contour_params p;
	contour_params_init(&p, LON0, LAT0);
	p.level_count = levels;
	return p;
}

static void build(const struct contour_params *p, const struct plist *l)
{
	struct yz_errbuf eb = {{0}};
	enum yz_err e = contour_build(&ws, p, l->p, l->n, res, &eb);
	ck_assert_msg(e == YZ_OK, "contour_build: %s (%s)", yz_strerror(e), eb.msg);
}

/* Deterministic random numbers (xorshift), so that failures reproduce. */
static uint64_t rng_state;

static double rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* ---- geometry in the frame ---- */

static struct geo_frame frame;

static double px(const struct contour_result *r, uint32_t i)
{
	return geo_frame_x(&frame, r->lon[i]);
}

static double py(const struct contour_result *r, uint32_t i)
{
	return geo_frame_y(&frame, r->lat[i]);
}

static double ring_area(const struct contour_result *r, uint32_t k)
{
	double a = 0;
	for (uint32_t i = r->ring_first[k]; i + 1 < r->ring_first[k + 1]; i++)
		a += px(r, i) * py(r, i + 1) - px(r, i + 1) * py(r, i);
	return a / 2;
}

/* Crossing number of ring k around (x, y). */
static int ring_contains(const struct contour_result *r, uint32_t k, double x, double y)
{
	int in = 0;
	for (uint32_t i = r->ring_first[k]; i + 1 < r->ring_first[k + 1]; i++) {
		double xa = px(r, i), ya = py(r, i), xb = px(r, i + 1), yb = py(r, i + 1);
		if ((ya > y) != (yb > y) && x < xa + (y - ya) * (xb - xa) / (yb - ya))
			in = !in;
	}
	return in;
}

/* Inside the result: even–odd over every ring (valid because polygons are
 * disjoint and holes lie in their exteriors). */
static int contains(const struct contour_result *r, double x, double y)
{
	int in = 0;
	for (uint32_t k = 0; k < r->ring_count; k++)
		in ^= ring_contains(r, k, x, y);
	return in;
}

static double pt_seg_dist(double x, double y, double ax, double ay, double bx, double by)
{
	double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
	double t = l2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / l2 : 0;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(ax + t * dx - x, ay + t * dy - y);
}

static int cross_strict(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy)
{
	double d1 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx);
	double d2 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx);
	double d3 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
	double d4 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax);
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/* Segments (ring k, point i) and (ring m, point j) cross or come within 1 mm;
 * consecutive segments only when they fold back over each other. */
static int seg_bad(const struct contour_result *r, uint32_t k, uint32_t i, uint32_t m, uint32_t j)
{
	double ax = px(r, i), ay = py(r, i), bx = px(r, i + 1), by = py(r, i + 1);
	double cx = px(r, j), cy = py(r, j), dx = px(r, j + 1), dy = py(r, j + 1);
	const double tol = 1e-3;
	if (k == m) {
		uint32_t first = r->ring_first[k], last = r->ring_first[k + 1] - 2; /* segments first..last */
		if (j == i + 1 || (i == first && j == last)) {
			/* shared point: b == c, or a == d for the seam pair */
			if (j == i + 1)
				return pt_seg_dist(dx, dy, ax, ay, bx, by) < tol || pt_seg_dist(ax, ay, cx, cy, dx, dy) < tol;
			return pt_seg_dist(cx, cy, ax, ay, bx, by) < tol || pt_seg_dist(bx, by, cx, cy, dx, dy) < tol;
		}
	}
	if (cross_strict(ax, ay, bx, by, cx, cy, dx, dy))
		return 1;
	return pt_seg_dist(ax, ay, cx, cy, dx, dy) < tol || pt_seg_dist(bx, by, cx, cy, dx, dy) < tol ||
	       pt_seg_dist(cx, cy, ax, ay, bx, by) < tol || pt_seg_dist(dx, dy, ax, ay, bx, by) < tol;
}

/* The whole contract of one result; see the file's opening comment. */
static void check_valid(const struct contour_result *r)
{
	geo_frame_init(&frame, LON0, LAT0);
	CHECK(r->ring_first[0] == 0, "ring_first[0]");
	CHECK(r->ring_first[r->ring_count] == r->pt_count, "pt_count");
	uint32_t outers = 0, cur_outer = UINT32_MAX;
	double area = 0;
	for (uint32_t k = 0; k < r->ring_count; k++) {
		uint32_t a = r->ring_first[k], b = r->ring_first[k + 1];
		CHECK(b - a >= 4, "ring %u has %u points", k, b - a);
		CHECK(r->lon[a] == r->lon[b - 1] && r->lat[a] == r->lat[b - 1], "ring %u not closed", k);
		double ar = ring_area(r, k);
		area += ar;
		if (r->ring_outer[k]) {
			CHECK(ar > 0, "exterior %u not counter-clockwise (%g m²)", k, ar);
			outers++;
			cur_outer = k;
		} else {
			CHECK(ar < 0, "hole %u not clockwise (%g m²)", k, ar);
			CHECK(cur_outer != UINT32_MAX, "hole %u before any exterior", k);
			CHECK(ring_contains(r, cur_outer, px(r, a), py(r, a)), "hole %u outside its exterior %u",
				      k, cur_outer);
		}
	}
	CHECK(outers == r->polygon_count, "%u exteriors, polygon_count %u", outers, r->polygon_count);
	CHECK(fabs(area - r->area_m2) <= 1e-6 * fabs(area) + 1, "area %g vs %g", area, r->area_m2);
	if (r->ring_count)
		CHECK(r->ring_outer[0], "first ring is a hole");
	/* disjoint polygons: no exterior point inside another polygon (with no
	 * crossings, one point per exterior decides) */
	for (uint32_t k = 0; k < r->ring_count; k++) {
		if (!r->ring_outer[k])
			continue;
		double x = px(r, r->ring_first[k]), y = py(r, r->ring_first[k]);
		int in = 0;
		for (uint32_t m = 0; m < r->ring_count; m++) {
			/* the polygon of exterior m: m and its holes */
			if (!r->ring_outer[m] || m == k)
				continue;
			int pin = ring_contains(r, m, x, y);
			for (uint32_t h = m + 1; h < r->ring_count && !r->ring_outer[h]; h++)
				pin ^= ring_contains(r, h, x, y);
			in |= pin;
		}
		CHECK(!in, "exterior %u inside another polygon", k);
	}
	/* no crossings, no touching, anywhere */
	for (uint32_t k = 0; k < r->ring_count; k++)
		for (uint32_t i = r->ring_first[k]; i + 1 < r->ring_first[k + 1]; i++)
			for (uint32_t m = k; m < r->ring_count; m++)
				for (uint32_t j = m == k ? i + 1 : r->ring_first[m]; j + 1 < r->ring_first[m + 1]; j++)
					CHECK(!seg_bad(r, k, i, m, j), "segments cross: ring %u point %u, ring %u point %u",
						      k, i - r->ring_first[k], m, j - r->ring_first[m]);
}

/* Every end and midpoint of the pieces of levels <= level is inside. */
static void check_contains(const struct contour_result *r, const struct plist *l, uint32_t level)
{
	for (size_t k = 0; k < l->n; k++) {
		const struct contour_piece *p = &l->p[k];
		if (p->level > level)
			continue;
		CHECK(contains(r, p->x0, p->y0), "piece %zu start (%g, %g) outside", k, p->x0, p->y0);
		CHECK(contains(r, p->x1, p->y1), "piece %zu end (%g, %g) outside", k, p->x1, p->y1);
		CHECK(contains(r, (p->x0 + p->x1) / 2, (p->y0 + p->y1) / 2), "piece %zu middle outside", k);
	}
}

static double dist_to_pieces(const struct plist *l, double x, double y, uint32_t level)
{
	double best = HUGE_VAL;
	for (size_t k = 0; k < l->n; k++)
		if (l->p[k].level <= level)
			best = fmin(best, pt_seg_dist(x, y, l->p[k].x0, l->p[k].y0, l->p[k].x1, l->p[k].y1));
	return best;
}

static uint32_t holes(const struct contour_result *r)
{
	return r->ring_count - r->polygon_count;
}

/* ---- shapes ---- */

START_TEST(test_single_piece)
{
	struct plist l = {0};
	add(&l, 0, 0, 100, 50, 0);
	struct contour_params p = params(1);
	build(&p, &l);
	const struct contour_result *r = &res[0];
	check_valid(r);
	ck_assert_uint_eq(r->polygon_count, 1);
	ck_assert_uint_eq(r->ring_count, 1);
	check_contains(r, &l, 0);
	/* between the capsules of radius b - 0.8 cell and b + 1.92 cells around
	 * the 111.8 m road (contour.c, guarantees) */
	double b = r->buffer_m, c = r->cell_m, len = hypot(100, 50);
	double rlo = b - 0.8 * c, rhi = b + 1.92 * c;
	double lo = len * 2 * rlo + M_PI * rlo * rlo, hi = len * 2 * rhi + M_PI * rhi * rhi;
	ck_assert_msg(r->area_m2 > lo && r->area_m2 < hi, "area %g, capsules %g..%g", r->area_m2, lo, hi);
	ck_assert_uint_le(r->pt_count, 24);
	/* 35 m from the middle of the road, square to it, is out; 5 m is in */
	ck_assert(!contains(r, 50 - 35 / sqrt(5), 25 + 70 / sqrt(5)));
	ck_assert(contains(r, 50 - 5 / sqrt(5), 25 + 10 / sqrt(5)));
	ck_assert(!contains(r, -35, 0));
	ck_assert(!contains(r, 135, 65));
	ck_assert_double_eq(r->cell_m, 8);
	ck_assert_double_eq(r->buffer_m, 16);
	plist_free(&l);
}
END_TEST

START_TEST(test_single_point)
{
	struct plist l = {0};
	add(&l, 30, -20, 30, -20, 0);
	struct contour_params p = params(1);
	build(&p, &l);
	check_valid(&res[0]);
	ck_assert_uint_eq(res[0].polygon_count, 1);
	ck_assert(contains(&res[0], 30, -20));
	ck_assert(contains(&res[0], 35, -20));
	ck_assert(!contains(&res[0], 65, -20));
	double b = res[0].buffer_m, c = res[0].cell_m;
	double lo = M_PI * (b - 0.8 * c) * (b - 0.8 * c), hi = M_PI * (b + 1.92 * c) * (b + 1.92 * c);
	ck_assert_msg(res[0].area_m2 > lo && res[0].area_m2 < hi, "disk area %g, %g..%g", res[0].area_m2, lo, hi);
	plist_free(&l);
}
END_TEST

/* 2 km × 2 km of streets every 150 m: one polygon, no holes, and the block
 * centres (70 m from the nearest street) inside. */
START_TEST(test_street_grid_filled)
{
	struct plist l = {0};
	for (int i = 0; i <= 13; i++) {
		add_road(&l, i * 150.0, 0, i * 150.0, 1950, 30, 0);
		add_road(&l, 0, i * 150.0, 1950, i * 150.0, 30, 0);
	}
	struct contour_params p = params(1);
	build(&p, &l);
	const struct contour_result *r = &res[0];
	check_valid(r);
	ck_assert_uint_eq(r->polygon_count, 1);
	ck_assert_uint_eq(holes(r), 0);
	check_contains(r, &l, 0);
	ck_assert(contains(r, 75, 75));
	ck_assert(contains(r, 1875, 975));
	ck_assert(!contains(r, -60, 500));
	/* a filled square: 4 sides after simplification, a few corners */
	ck_assert_msg(r->pt_count <= 24, "%u points for a square", r->pt_count);
	double want = 2000.0 * 2000.0; /* 1950 m of streets and ~25 m each side */
	ck_assert_msg(fabs(r->area_m2 - want) < 0.02 * want, "area %g", r->area_m2);
	plist_free(&l);
}
END_TEST

/* A ring road around 1 km × 1 km of nothing: a hole of (1000 - 2 b)² m²,
 * b the outline's distance to the road (at most 31 m, ~21 m), above the
 * 0.2 km² threshold; a 300 m loop is filled. */
START_TEST(test_ring_road_hole)
{
	struct plist l = {0};
	add_road(&l, 0, 0, 1000, 0, 50, 0);
	add_road(&l, 1000, 0, 1000, 1000, 50, 0);
	add_road(&l, 1000, 1000, 0, 1000, 50, 0);
	add_road(&l, 0, 1000, 0, 0, 50, 0);
	struct contour_params p = params(1);
	build(&p, &l);
	const struct contour_result *r = &res[0];
	check_valid(r);
	ck_assert_uint_eq(r->polygon_count, 1);
	ck_assert_uint_eq(r->ring_count, 2);
	ck_assert(r->ring_outer[0] && !r->ring_outer[1]);
	double hole = -ring_area(r, 1);
	ck_assert_msg(hole > 937.0 * 937 && hole < 981.0 * 981, "hole %g m²", hole);
	ck_assert(!contains(r, 500, 500));
	ck_assert(!contains(r, 100, 100));
	check_contains(r, &l, 0);
	plist_free(&l);

	add_road(&l, 0, 0, 300, 0, 50, 0);
	add_road(&l, 300, 0, 300, 300, 50, 0);
	add_road(&l, 300, 300, 0, 300, 50, 0);
	add_road(&l, 0, 300, 0, 0, 50, 0);
	build(&p, &l);
	check_valid(r);
	ck_assert_uint_eq(r->ring_count, 1);
	ck_assert(contains(r, 150, 150));
	/* the same loop with filling switched off keeps its hole */
	p.hole_min_m2 = 0;
	build(&p, &l);
	check_valid(r);
	ck_assert_uint_eq(r->ring_count, 2);
	ck_assert(!contains(r, 150, 150));
	plist_free(&l);
}
END_TEST

START_TEST(test_two_clusters)
{
	struct plist l = {0};
	for (int i = 0; i <= 4; i++) {
		add_road(&l, i * 100.0, 0, i * 100.0, 400, 40, 0);
		add_road(&l, 0, i * 100.0, 400, i * 100.0, 40, 0);
		add_road(&l, 3000 + i * 100.0, 2000, 3000 + i * 100.0, 2400, 40, 0);
		add_road(&l, 3000, 2000 + i * 100.0, 3400, 2000 + i * 100.0, 40, 0);
	}
	struct contour_params p = params(1);
	build(&p, &l);
	const struct contour_result *r = &res[0];
	check_valid(r);
	ck_assert_uint_eq(r->polygon_count, 2);
	ck_assert_uint_eq(holes(r), 0);
	check_contains(r, &l, 0);
	ck_assert(!contains(r, 1500, 1000));

	struct buf b;
	struct json j;
	buf_init(&b);
	json_init(&j, &b);
	contour_write_geojson(&j, r);
	ck_assert(json_ok(&j));
	ck_assert_msg(strncmp(b.data, "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[", 41) == 0, "%.60s", b.data);
	ck_assert(strcmp(b.data + b.len - 5, "]]]]}") == 0);
	/* two polygons of one ring each: "]]],[[[" separates them */
	ck_assert_ptr_nonnull(strstr(b.data, "]]],[[["));
	ck_assert_ptr_null(strstr(strstr(b.data, "]]],[[[") + 1, "]]],[[["));
	buf_fini(&b);
	plist_free(&l);
}
END_TEST

/* A ring road 1.5 km square with a small separate cluster in its middle:
 * the cluster is an island, a polygon of its own inside the hole.  A small
 * loop with a point in the middle: the hole is filled and the point's disk
 * merges into the loop's polygon. */
START_TEST(test_island)
{
	struct plist l = {0};
	add_road(&l, 0, 0, 1500, 0, 50, 0);
	add_road(&l, 1500, 0, 1500, 1500, 50, 0);
	add_road(&l, 1500, 1500, 0, 1500, 50, 0);
	add_road(&l, 0, 1500, 0, 0, 50, 0);
	add_road(&l, 700, 750, 800, 750, 50, 0);
	struct contour_params p = params(1);
	build(&p, &l);
	const struct contour_result *r = &res[0];
	check_valid(r);
	ck_assert_uint_eq(r->polygon_count, 2);
	ck_assert_uint_eq(r->ring_count, 3);
	check_contains(r, &l, 0);
	ck_assert(!contains(r, 400, 400));
	plist_free(&l);

	add_road(&l, 0, 0, 300, 0, 50, 0);
	add_road(&l, 300, 0, 300, 300, 50, 0);
	add_road(&l, 300, 300, 0, 300, 50, 0);
	add_road(&l, 0, 300, 0, 0, 50, 0);
	add(&l, 150, 150, 150, 150, 0);
	build(&p, &l);
	check_valid(r);
	ck_assert_uint_eq(r->ring_count, 1);
	check_contains(r, &l, 0);
	/* islands in a filled hole that itself holds a large hole: a 1.2 km loop
	 * inside a 1.3 km loop: the gap between their buffers (70 m less two
	 * buffers) is a hole of about 0.1 km², filled, so the inner loop joins
	 * the outer one and its own hole (1.1 km²) becomes the polygon's hole */
	plist_free(&l);
	add_road(&l, 0, 0, 1300, 0, 50, 0);
	add_road(&l, 1300, 0, 1300, 1300, 50, 0);
	add_road(&l, 1300, 1300, 0, 1300, 50, 0);
	add_road(&l, 0, 1300, 0, 0, 50, 0);
	add_road(&l, 70, 70, 1230, 70, 50, 0);
	add_road(&l, 1230, 70, 1230, 1230, 50, 0);
	add_road(&l, 1230, 1230, 70, 1230, 50, 0);
	add_road(&l, 70, 1230, 70, 70, 50, 0);
	p.close_m = 0;
	build(&p, &l);
	check_valid(r);
	ck_assert_uint_eq(r->polygon_count, 1);
	ck_assert_uint_eq(r->ring_count, 2);
	ck_assert(contains(r, 35, 650));
	ck_assert(!contains(r, 650, 650));
	check_contains(r, &l, 0);
	plist_free(&l);
}
END_TEST

/* Random road networks: random polylines, several seeds and cell sizes.
 * Valid, containing, and — without closing and hole filling, where the
 * outline is within buffer + 1.42 cells + tolerance (0.5 cell) of a piece —
 * every random point farther than buffer + 2 cells from all pieces outside
 * (no tolerance share needed: it is a guarantee). */
START_TEST(test_random_networks)
{
	for (int seed = 1; seed <= 12; seed++) {
		rng_state = 0x9E3779B97F4A7C15ull * (uint64_t)seed;
		struct plist l = {0};
		int roads = 5 + seed * 3;
		for (int k = 0; k < roads; k++) {
			double x = rnd() * 2000 - 1000, y = rnd() * 2000 - 1000, a = rnd() * 2 * M_PI;
			int n = 2 + (int)(rnd() * 30);
			for (int s = 0; s < n; s++) {
				double len = 5 + rnd() * 80;
				a += (rnd() - 0.5) * 0.8;
				double x1 = x + len * cos(a), y1 = y + len * sin(a);
				add(&l, x, y, x1, y1, 0);
				x = x1, y = y1;
			}
		}
		if (seed % 3 == 0)
			add(&l, 0, 0, 0, 0, 0);
		struct contour_params p = params(1);
		p.cell_m = seed % 2 ? 10 : 15;
		p.close_m = 0;
		p.hole_min_m2 = 0;
		build(&p, &l);
		const struct contour_result *r = &res[0];
		check_valid(r);
		check_contains(r, &l, 0);
		double far = r->buffer_m + 2.0 * r->cell_m;
		int tried = 0;
		for (int t = 0; t < 3000; t++) {
			double x = rnd() * 2600 - 1300, y = rnd() * 2600 - 1300;
			double d = dist_to_pieces(&l, x, y, 0);
			if (d <= far)
				continue;
			tried++;
			CHECK(!contains(r, x, y), "seed %d: (%g, %g) is %g m from the pieces but inside", seed, x, y, d);
		}
		ck_assert_int_gt(tried, 500);
		/* defaults (closing, hole filling) only add: containment holds and
		 * the result stays valid */
		p = params(1);
		build(&p, &l);
		check_valid(r);
		check_contains(r, &l, 0);
		plist_free(&l);
	}
}
END_TEST

/* Saddles: isolated points on a 10 m lattice, no closing, no filling, the
 * largest tolerance (1 cell), so that many small polygons touch at corners.
 * In these seeds Douglas–Peucker makes a ring cross its diagonal neighbour
 * (seen in a debug build) and the repair must give back vertices. */
START_TEST(test_saddles_repair)
{
	static const int seeds[] = {63, 95, 127, 129, 277, 5, 41};
	for (size_t si = 0; si < sizeof seeds / sizeof *seeds; si++) {
		int seed = seeds[si];
		rng_state = 0x9E3779B97F4A7C15ull * (uint64_t)seed;
		struct plist l = {0};
		int pts = 20 + seed % 200;
		for (int k = 0; k < pts; k++) {
			double x = 5 + 10 * (int)(rnd() * 40), y = 5 + 10 * (int)(rnd() * 40);
			add(&l, x, y, x, y, 0);
		}
		struct contour_params p = params(1);
		p.cell_m = 10; /* the seeds were found with these */
		p.buffer_m = 25;
		p.close_m = 0;
		p.hole_min_m2 = 0;
		p.min_area_m2 = 0;
		p.simplify_cells = 1.0;
		build(&p, &l);
		check_valid(&res[0]);
		check_contains(&res[0], &l, 0);
		ck_assert_uint_gt(res[0].ring_count, 1);
		plist_free(&l);
	}
}
END_TEST

/* With the defaults, points far from the pieces are outside except where
 * closing or hole filling put them in: on random networks the share of
 * points farther than buffer + cell (24 m) that end up inside stays small. */
START_TEST(test_exclusion_share)
{
	long far_pts = 0, far_in = 0;
	for (int seed = 1; seed <= 6; seed++) {
		rng_state = 0xD1B54A32D192ED03ull * (uint64_t)seed;
		struct plist l = {0};
		for (int k = 0; k < 40; k++) {
			double x = rnd() * 3000 - 1500, y = rnd() * 3000 - 1500, a = rnd() * 2 * M_PI;
			for (int s = 0; s < 20; s++) {
				a += (rnd() - 0.5) * 0.6;
				double x1 = x + 40 * cos(a), y1 = y + 40 * sin(a);
				add(&l, x, y, x1, y1, 0);
				x = x1, y = y1;
			}
		}
		struct contour_params p = params(1);
		build(&p, &l);
		check_valid(&res[0]);
		for (int t = 0; t < 2000; t++) {
			double x = rnd() * 3400 - 1700, y = rnd() * 3400 - 1700;
			if (dist_to_pieces(&l, x, y, 0) <= p.buffer_m + p.cell_m)
				continue;
			far_pts++;
			far_in += contains(&res[0], x, y);
		}
		plist_free(&l);
	}
	struct contour_params d = params(1);
	printf("contour: random roads: %ld of %ld points farther than %g m from them inside\n", far_in, far_pts,
	       d.buffer_m + d.cell_m);
	/* closing fills wedges at forks and tight bends, holes under 0.2 km²
	 * enclosed by crossing roads are filled, and the outline may reach 31 m:
	 * measured 1.4 %, allow 5 % */
	ck_assert_msg(far_in * 20 <= far_pts, "%ld of %ld far points inside", far_in, far_pts);
}
END_TEST

/* Several limits in one call: nested growth, each level containing its own
 * and all smaller levels' pieces, areas increasing. */
START_TEST(test_levels)
{
	struct plist l = {0};
	/* a star of 8 roads; segment k of each arm belongs to level k / 4 */
	for (int arm = 0; arm < 8; arm++) {
		double a = arm * M_PI / 4 + 0.1;
		for (int k = 0; k < 12; k++)
			add(&l, k * 100 * cos(a), k * 100 * sin(a), (k + 1) * 100 * cos(a), (k + 1) * 100 * sin(a),
			    (uint32_t)(k / 4));
	}
	add(&l, 0, 0, 0, 0, 0);
	/* a ring at 1000 m joining the arms at level 2: holes appear */
	for (int k = 0; k < 64; k++) {
		double a0 = k * 2 * M_PI / 64, a1 = (k + 1) * 2 * M_PI / 64;
		add(&l, 1000 * cos(a0), 1000 * sin(a0), 1000 * cos(a1), 1000 * sin(a1), 2);
	}
	struct contour_params p = params(3);
	build(&p, &l);
	double prev = 0;
	for (uint32_t lv = 0; lv < 3; lv++) {
		check_valid(&res[lv]);
		check_contains(&res[lv], &l, lv);
		ck_assert_uint_eq(res[lv].polygon_count, 1);
		ck_assert_msg(res[lv].area_m2 > prev, "level %u area %g <= %g", lv, res[lv].area_m2, prev);
		prev = res[lv].area_m2;
	}
	/* level 0 stops at 400 m */
	ck_assert(!contains(&res[0], 600 * cos(0.1), 600 * sin(0.1)));
	ck_assert(contains(&res[1], 600 * cos(0.1), 600 * sin(0.1)));
	ck_assert_uint_eq(holes(&res[1]), 0);
	/* the ring closes 8 sectors of ~0.39 km² each: 8 holes */
	ck_assert_uint_eq(holes(&res[2]), 8);
	/* the same as three single-level calls */
	struct contour_result one;
	contour_result_init(&one);
	for (uint32_t lv = 0; lv < 3; lv++) {
		struct plist sub = {0};
		for (size_t k = 0; k < l.n; k++)
			if (l.p[k].level <= lv)
				add(&sub, l.p[k].x0, l.p[k].y0, l.p[k].x1, l.p[k].y1, 0);
		struct contour_params p1 = params(1);
		struct contour_ws w2;
		contour_ws_init(&w2);
		/* a smaller extent shifts the grid by a fraction of a cell: compare
		 * ring counts and areas, not points */
		ck_assert_int_eq(contour_build(&w2, &p1, sub.p, sub.n, &one, NULL), YZ_OK);
		ck_assert_uint_eq(one.ring_count, res[lv].ring_count);
		ck_assert_msg(fabs(one.area_m2 - res[lv].area_m2) < 0.03 * res[lv].area_m2, "level %u: %g vs %g", lv,
			      one.area_m2, res[lv].area_m2);
		contour_ws_fini(&w2);
		plist_free(&sub);
	}
	contour_result_fini(&one);
	plist_free(&l);
}
END_TEST

/* Simplification: far fewer vertices than the raw outline, still valid.
 * A 4 × 4 km grid of diagonal streets (every 120 m, at 30°) cut at a
 * circle of 1.8 km: a realistic ragged outline. */
static void diagonal_city(struct plist *l)
{
	double c = cos(M_PI / 6), s = sin(M_PI / 6);
	for (int i = -20; i <= 20; i++)
		for (int k = -20; k < 20; k++)
			for (int dir = 0; dir < 2; dir++) {
				double u0 = k * 120.0, u1 = (k + 1) * 120.0, v = i * 120.0;
				double x0 = dir ? v : u0, y0 = dir ? u0 : v, x1 = dir ? v : u1, y1 = dir ? u1 : v;
				double X0 = x0 * c - y0 * s, Y0 = x0 * s + y0 * c, X1 = x1 * c - y1 * s, Y1 = x1 * s + y1 * c;
				double r0 = hypot(X0, Y0), r1 = hypot(X1, Y1);
				if (r0 > 1800 && r1 > 1800)
					continue;
				if (r1 > 1800) { /* cut at the circle, as the caller cuts at the limit */
					double t = (1800 - r0) / (r1 - r0);
					X1 = X0 + (X1 - X0) * t, Y1 = Y0 + (Y1 - Y0) * t;
				} else if (r0 > 1800) {
					double t = (1800 - r1) / (r0 - r1);
					X0 = X1 + (X0 - X1) * t, Y0 = Y1 + (Y0 - Y1) * t;
				}
				add_road(l, X0, Y0, X1, Y1, 40, 0);
			}
}

START_TEST(test_simplification)
{
	struct plist l = {0};
	diagonal_city(&l);
	struct contour_params p = params(1);
	p.simplify_cells = 0;
	build(&p, &l);
	check_valid(&res[0]);
	uint32_t raw = res[0].pt_count;
	p.simplify_cells = 0.5;
	build(&p, &l);
	check_valid(&res[0]);
	check_contains(&res[0], &l, 0);
	uint32_t simp = res[0].pt_count;
	printf("contour: diagonal city, %zu pieces: %u points raw, %u simplified, %u rings\n", l.n, raw, simp,
	       res[0].ring_count);
	ck_assert_msg(simp * 3 <= raw * 2, "%u simplified vs %u raw", simp, raw);
	ck_assert_uint_le(simp, 1000);
	plist_free(&l);
}
END_TEST

/* Repeated calls on one workspace and result give identical output. */
START_TEST(test_reuse)
{
	struct plist l = {0};
	diagonal_city(&l);
	struct contour_params p = params(1);
	build(&p, &l);
	uint32_t n = res[0].pt_count;
	double *lon = malloc(n * sizeof *lon);
	memcpy(lon, res[0].lon, n * sizeof *lon);
	struct plist small = {0};
	add(&small, 0, 0, 10, 10, 0);
	build(&p, &small);
	ck_assert_uint_eq(res[0].ring_count, 1);
	build(&p, &l);
	ck_assert_uint_eq(res[0].pt_count, n);
	ck_assert(memcmp(lon, res[0].lon, n * sizeof *lon) == 0);
	free(lon);
	plist_free(&small);
	plist_free(&l);
}
END_TEST

/* A 100 km extent with a small cell budget: the cell grows, the buffer with
 * it, and containment still holds. */
START_TEST(test_coarsening)
{
	struct plist l = {0};
	rng_state = 77;
	for (int k = 0; k < 300; k++) {
		double x = rnd() * 100000 - 50000, y = rnd() * 100000 - 50000, a = rnd() * 2 * M_PI;
		add(&l, x, y, x + 500 * cos(a), y + 500 * sin(a), 0);
	}
	struct contour_params p = params(1);
	p.max_cells = 1u << 16;
	build(&p, &l);
	const struct contour_result *r = &res[0];
	ck_assert_double_gt(r->cell_m, 300);
	ck_assert_double_ge(r->buffer_m, (CONTOUR_BUFFER_MIN_CELLS + 0.5) * r->cell_m - 1e-9);
	check_valid(r);
	check_contains(r, &l, 0);
	plist_free(&l);
}
END_TEST

START_TEST(test_errors_and_empty)
{
	struct plist l = {0};
	struct yz_errbuf eb = {{0}};
	struct contour_params p = params(2);
	ck_assert_int_eq(contour_build(&ws, &p, NULL, 0, res, &eb), YZ_OK);
	ck_assert_uint_eq(res[0].ring_count, 0);
	ck_assert_ptr_nonnull(res[0].ring_first);
	ck_assert_uint_eq(res[0].ring_first[0], 0);
	ck_assert_uint_eq(res[1].polygon_count, 0);
	struct buf b;
	struct json j;
	buf_init(&b);
	json_init(&j, &b);
	contour_write_geojson(&j, &res[0]);
	ck_assert(json_ok(&j));
	ck_assert_str_eq(b.data, "{\"type\":\"MultiPolygon\",\"coordinates\":[]}");
	buf_fini(&b);

	add(&l, 0, 0, 10, 0, 2);
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, &eb), YZ_ERANGE);
	ck_assert_ptr_nonnull(strstr(eb.msg, "level"));
	l.p[0].level = 1;
	l.p[0].x1 = NAN;
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, &eb), YZ_ERANGE);
	l.p[0].x1 = 3e6f;
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, NULL), YZ_ERANGE);
	l.p[0].x1 = 10;
	p.level_count = 0;
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, &eb), YZ_ERANGE);
	p = params(2);
	p.cell_m = 0;
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, &eb), YZ_ERANGE);
	p = params(2);
	p.simplify_cells = 2;
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, &eb), YZ_ERANGE);
	/* after failures the results are empty and usable */
	ck_assert_uint_eq(res[0].ring_count, 0);
	p = params(2);
	ck_assert_int_eq(contour_build(&ws, &p, l.p, l.n, res, &eb), YZ_OK);
	ck_assert_uint_eq(res[0].ring_count, 0); /* nothing at level 0 */
	ck_assert_uint_eq(res[1].polygon_count, 1);

	buf_init(&b);
	json_init(&j, &b);
	contour_write_geojson(&j, &res[1]);
	ck_assert(json_ok(&j));
	ck_assert_msg(strncmp(b.data, "{\"type\":\"Polygon\",\"coordinates\":[[[121.4", 40) == 0, "%.60s", b.data);
	ck_assert(strcmp(b.data + b.len - 4, "]]]}") == 0);
	buf_fini(&b);
	plist_free(&l);
}
END_TEST

/* ---- the SPEC criterion on a synthetic city ---- */

/* A jittered grid of junctions 110 m apart, 15 % of the links missing, each
 * link with three shape points and a speed of 15 or 18 km/h (every fourth
 * street a main road); times by Dijkstra from the centre; pieces cut at the
 * limit exactly.  Checks SPEC §3/§7 on every vertex (junction or shape):
 * >= 98 % of those with t <= T inside, >= 90 % of those with t >= 1.25 T
 * outside, not counting those within 20 m of a reachable position. */
#define CN 33
#define CSHAPE 4 /* pieces per link */
struct city {
	double x[CN * CN], y[CN * CN];
	int link[CN * CN][2];      /* east and north links present */
	double speed[CN * CN][2];  /* m/s */
	double sx[CN * CN][2][CSHAPE + 1], sy[CN * CN][2][CSHAPE + 1]; /* link shapes */
	double t[CN * CN];
};

static void city_make(struct city *c)
{
	rng_state = 12345;
	for (int j = 0; j < CN; j++)
		for (int i = 0; i < CN; i++) {
			int n = j * CN + i;
			c->x[n] = (i - CN / 2) * 110.0 + (rnd() - 0.5) * 40;
			c->y[n] = (j - CN / 2) * 110.0 + (rnd() - 0.5) * 40;
		}
	for (int j = 0; j < CN; j++)
		for (int i = 0; i < CN; i++) {
			int n = j * CN + i;
			for (int d = 0; d < 2; d++) {
				int m = d ? n + CN : n + 1;
				c->link[n][d] = (d ? j + 1 < CN : i + 1 < CN) && rnd() > 0.15;
				if (!c->link[n][d])
					continue;
				int main_road = d ? i % 4 == 0 : j % 4 == 0;
				c->speed[n][d] = (main_road ? 18 : 15) / 3.6;
				double bend = (rnd() - 0.5) * 20;
				for (int s = 0; s <= CSHAPE; s++) {
					double f = (double)s / CSHAPE, off = bend * sin(M_PI * f);
					double dx = c->x[m] - c->x[n], dy = c->y[m] - c->y[n], len = hypot(dx, dy);
					c->sx[n][d][s] = c->x[n] + dx * f - dy / len * off;
					c->sy[n][d][s] = c->y[n] + dy * f + dx / len * off;
				}
			}
		}
}

static double shape_len(const struct city *c, int n, int d, int upto)
{
	double len = 0;
	for (int s = 0; s < upto; s++)
		len += hypot(c->sx[n][d][s + 1] - c->sx[n][d][s], c->sy[n][d][s + 1] - c->sy[n][d][s]);
	return len;
}

/* Dijkstra by repeated minimum (1089 nodes: quadratic is fine). */
static void city_times(struct city *c, int src)
{
	static char done[CN * CN];
	memset(done, 0, sizeof done);
	for (int n = 0; n < CN * CN; n++)
		c->t[n] = HUGE_VAL;
	c->t[src] = 0;
	for (;;) {
		int u = -1;
		for (int n = 0; n < CN * CN; n++)
			if (!done[n] && c->t[n] < HUGE_VAL && (u < 0 || c->t[n] < c->t[u]))
				u = n;
		if (u < 0)
			break;
		done[u] = 1;
		/* the four links of u: its own east/north, and its west/south
		 * neighbours' */
		int cand[4][2] = {{u, 0}, {u, 1}, {u - 1, 0}, {u - CN, 1}};
		for (int k = 0; k < 4; k++) {
			int n = cand[k][0], d = cand[k][1];
			if (n < 0 || (k == 2 && u % CN == 0) || !c->link[n][d])
				continue;
			int m = d ? n + CN : n + 1, v = n == u ? m : n;
			double w = shape_len(c, n, d, CSHAPE) / c->speed[n][d];
			if (c->t[u] + w < c->t[v])
				c->t[v] = c->t[u] + w;
		}
	}
}

/* Reachable part of a link within T as pieces: from each end, as far as the
 * remaining time goes. */
static void city_pieces(const struct city *c, double T, struct plist *l)
{
	for (int n = 0; n < CN * CN; n++)
		for (int d = 0; d < 2; d++) {
			if (!c->link[n][d])
				continue;
			int m = d ? n + CN : n + 1;
			double len = shape_len(c, n, d, CSHAPE), v = c->speed[n][d];
			double a = fmin(len, fmax(0, (T - c->t[n]) * v)), b = fmin(len, fmax(0, (T - c->t[m]) * v));
			if (a + b >= len)
				a = len, b = 0;
			double pos = 0;
			for (int s = 0; s < CSHAPE; s++) {
				double x0 = c->sx[n][d][s], y0 = c->sy[n][d][s], x1 = c->sx[n][d][s + 1], y1 = c->sy[n][d][s + 1];
				double sl = hypot(x1 - x0, y1 - y0), p0 = pos, p1 = pos + sl;
				pos = p1;
				/* [0, a] and [len - b, len] intersected with [p0, p1] */
				double lo[2] = {p0, fmax(p0, len - b)}, hi[2] = {fmin(p1, a), p1};
				for (int k = 0; k < 2; k++) {
					if (k == 1 && b <= 0)
						continue;
					if (lo[k] > hi[k] || (k == 0 && a <= 0))
						continue;
					double f0 = (lo[k] - p0) / sl, f1 = (hi[k] - p0) / sl;
					add(l, x0 + (x1 - x0) * f0, y0 + (y1 - y0) * f0, x0 + (x1 - x0) * f1, y0 + (y1 - y0) * f1,
					    0);
				}
			}
		}
}

START_TEST(test_spec_criterion)
{
	static struct city c;
	city_make(&c);
	int src = (CN / 2) * CN + CN / 2;
	city_times(&c, src);
	const double T = 240; /* 4 minutes: ~1 km at 15 km/h, inside the 3.5 km city */
	struct plist l = {0};
	city_pieces(&c, T, &l);
	add(&l, c.x[src], c.y[src], c.x[src], c.y[src], 0);
	struct contour_params p = params(1);
	build(&p, &l);
	check_valid(&res[0]);
	check_contains(&res[0], &l, 0);
	long in_n = 0, in_ok = 0, out_n = 0, out_ok = 0;
	/* every vertex once: each junction, and each link's inner shape points */
	for (int n = 0; n < CN * CN; n++)
		for (int d = -1; d < 2; d++) {
			if (d >= 0 && !c.link[n][d])
				continue;
			for (int s = d < 0 ? 0 : 1; s < (d < 0 ? 1 : CSHAPE); s++) {
				double t, x, y;
				if (d < 0) {
					t = c.t[n], x = c.x[n], y = c.y[n];
				} else {
					int m = d ? n + CN : n + 1;
					double len = shape_len(&c, n, d, CSHAPE), v = c.speed[n][d], at = shape_len(&c, n, d, s);
					t = fmin(c.t[n] + at / v, c.t[m] + (len - at) / v);
					x = c.sx[n][d][s], y = c.sy[n][d][s];
				}
				int inside = contains(&res[0], x, y);
				if (t <= T) {
					in_n++;
					in_ok += inside;
				} else if (t >= 1.25 * T && dist_to_pieces(&l, x, y, 0) > 20) {
					out_n++;
					out_ok += !inside;
				}
			}
		}
	printf("contour: synthetic city T=%g s: %ld/%ld reachable vertices inside, %ld/%ld far ones outside\n", T,
	       in_ok, in_n, out_ok, out_n);
	ck_assert_int_gt(in_n, 300);
	ck_assert_int_gt(out_n, 1000);
	ck_assert_msg(in_ok * 100 >= in_n * 98, "%ld of %ld reachable inside", in_ok, in_n);
	ck_assert_msg(out_ok * 100 >= out_n * 90, "%ld of %ld far outside", out_ok, out_n);
	plist_free(&l);
}
END_TEST

Suite *contour_suite(void)
{
	Suite *s = suite_create("contour");
	TCase *tc = tcase_create("contour");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_single_piece);
	tcase_add_test(tc, test_single_point);
	tcase_add_test(tc, test_street_grid_filled);
	tcase_add_test(tc, test_ring_road_hole);
	tcase_add_test(tc, test_two_clusters);
	tcase_add_test(tc, test_island);
	tcase_add_test(tc, test_random_networks);
	tcase_add_test(tc, test_saddles_repair);
	tcase_add_test(tc, test_exclusion_share);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_simplification);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_coarsening);
	tcase_add_test(tc, test_errors_and_empty);
	tcase_add_test(tc, test_spec_criterion);
	suite_add_tcase(s, tc);
	return s;
}
