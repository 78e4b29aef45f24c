/* check_stroke.c — tiles/stroke: outlines checked without the rasterizer.
 *
 * The reference is our own NONZERO coverage: cover() walks horizontal sample
 * rows dy apart over the output's bounding box, intersects every ring edge
 * with the row (half-open in y), sorts the crossings and measures exactly
 * the x-length where the summed winding is non-zero; the area is Σ length·dy
 * (exact for the axis-aligned tests, O(dy²)-close otherwise).  It also
 * reports any place of negative winding: with clockwise pieces the winding
 * of a stroke must never go below 0.  winding() is the same count at one
 * point.  Expected areas are analytic (L·w, corner squares, quarter disks,
 * outer² − inner², …); round parts are inscribed polygons, so those compare
 * within perimeter × tolerance. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/path.h"
#include "tiles/stroke.h"

Suite *stroke_suite(void);

/* Check logs every passing ck_assert: loops use this, which only fails. */
#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (!(cond))                                                      \
			ck_abort_msg(__VA_ARGS__);                                \
	} while (0)

#define PI 3.14159265358979323846

static struct path P;

static void setup(void)
{
	path_init(&P);
}

static void teardown(void)
{
	path_fini(&P);
}

static struct stroke_style style(float w, enum stroke_join j, enum stroke_cap c)
{
	struct stroke_style s;
	memset(&s, 0, sizeof s);
	s.width = w;
	s.join = j;
	s.cap = c;
	s.miter_limit = 4;
	return s;
}

/* ---- reference geometry ---- */

struct xing {
	double x;
	int d;
};

static int xing_cmp(const void *a, const void *b)
{
	double u = ((const struct xing *)a)->x, v = ((const struct xing *)b)->x;
	return u < v ? -1 : u > v;
}

/* Crossings of every edge with the row at y; returns their count. */
static size_t row_xings(const struct path *p, double y, struct xing *xs)
{
	size_t m = 0;
	for (uint32_t r = 0; r < p->ring_count; r++) {
		uint32_t a = p->ring_first[r], b = p->ring_first[r + 1];
		for (uint32_t i = a; i < b; i++) {
			uint32_t j = i + 1 < b ? i + 1 : a;
			double x0 = p->xy[2 * i], y0 = p->xy[2 * i + 1];
			double x1 = p->xy[2 * j], y1 = p->xy[2 * j + 1];
			if ((y0 <= y) == (y1 <= y))
				continue;
			xs[m].x = x0 + (y - y0) * (x1 - x0) / (y1 - y0);
			xs[m].d = y1 > y0 ? -1 : 1; /* clockwise on screen counts +1 */
			m++;
		}
	}
	return m;
}

/* Area where the winding is non-zero; *neg set if it is ever negative. */
static double cover(const struct path *p, double dy, int *neg)
{
	if (neg)
		*neg = 0;
	if (!p->pt_count)
		return 0;
	double y0 = INFINITY, y1 = -INFINITY, area = 0;
	for (uint32_t i = 0; i < p->pt_count; i++) {
		y0 = fmin(y0, p->xy[2 * i + 1]);
		y1 = fmax(y1, p->xy[2 * i + 1]);
	}
	struct xing *xs = malloc((p->pt_count + 1) * sizeof *xs);
	CHECK(xs != NULL, "oom");
	for (double y = floor(y0) + dy / 2; y < y1; y += dy) {
		size_t m = row_xings(p, y, xs);
		qsort(xs, m, sizeof *xs, xing_cmp);
		int w = 0;
		for (size_t k = 0; k < m; k++) {
			if (w && k)
				area += (xs[k].x - xs[k - 1].x) * dy;
			w += xs[k].d;
			if (w < 0 && neg)
				*neg = 1;
		}
	}
	free(xs);
	return area;
}

static int winding(const struct path *p, double x, double y)
{
	int w = 0;
	for (uint32_t r = 0; r < p->ring_count; r++) {
		uint32_t a = p->ring_first[r], b = p->ring_first[r + 1];
		for (uint32_t i = a; i < b; i++) {
			uint32_t j = i + 1 < b ? i + 1 : a;
			double x0 = p->xy[2 * i], y0 = p->xy[2 * i + 1];
			double x1 = p->xy[2 * j], y1 = p->xy[2 * j + 1];
			if ((y0 <= y) == (y1 <= y))
				continue;
			if (x0 + (y - y0) * (x1 - x0) / (y1 - y0) < x)
				w += y1 > y0 ? -1 : 1;
		}
	}
	return w;
}

/* Shoelace area: positive = clockwise on screen. */
static double ring_area(const struct path *p, uint32_t r)
{
	uint32_t a = p->ring_first[r], b = p->ring_first[r + 1];
	double s = 0;
	for (uint32_t i = a; i < b; i++) {
		uint32_t j = i + 1 < b ? i + 1 : a;
		s += (double)p->xy[2 * i] * p->xy[2 * j + 1] - (double)p->xy[2 * j] * p->xy[2 * i + 1];
	}
	return s / 2;
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by)
{
	double vx = bx - ax, vy = by - ay, l2 = vx * vx + vy * vy, t = 0;
	if (l2 > 0)
		t = fmax(0, fmin(1, ((px - ax) * vx + (py - ay) * vy) / l2));
	return hypot(px - ax - t * vx, py - ay - t * vy);
}

static double poly_dist(double px, double py, const float *xy, uint32_t n, int closed)
{
	double d = hypot(px - xy[0], py - xy[1]);
	for (uint32_t i = 0; i + 1 < n + (closed ? 1u : 0u); i++) {
		uint32_t j = (i + 1) % n;
		d = fmin(d, seg_dist(px, py, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]));
	}
	return d;
}

static void assert_area(double got, double want, double tol, const char *what)
{
	ck_assert_msg(fabs(got - want) <= tol, "%s: area %.4f, want %.4f ± %.4f", what, got, want, tol);
}

/* xorshift, so that failures reproduce */
static uint64_t rng = 88172645463325252ull;

static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* ---- straight segments and caps ---- */

START_TEST(test_caps)
{
	const float seg[] = {10, 20, 60, 20};
	const double w = 8, L = 50, tol = 0.05;
	struct stroke_style s = style(8, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	int neg;

	stroke_polyline(&P, seg, 2, 0, &s, tol);
	ck_assert_uint_eq(P.ring_count, 1);
	assert_area(cover(&P, 0.01, &neg), L * w, 1e-6, "butt");
	ck_assert_int_eq(neg, 0);

	path_reset(&P);
	s.cap = STROKE_CAP_SQUARE;
	stroke_polyline(&P, seg, 2, 0, &s, tol);
	assert_area(cover(&P, 0.01, &neg), (L + w) * w, 1e-6, "square");

	path_reset(&P);
	s.cap = STROKE_CAP_ROUND;
	stroke_polyline(&P, seg, 2, 0, &s, tol);
	/* inscribed arcs: deficit ≤ perimeter of the caps × tolerance */
	assert_area(cover(&P, 0.01, &neg), L * w + PI * w * w / 4, PI * w * tol + 0.01, "round");
	ck_assert_int_eq(neg, 0);
	for (uint32_t i = 0; i < P.pt_count; i++)
		CHECK(poly_dist(P.xy[2 * i], P.xy[2 * i + 1], seg, 2, 0) <= w / 2 + 1e-3, "point %u too far", i);

	/* a slanted segment: the same area */
	path_reset(&P);
	s.cap = STROKE_CAP_BUTT;
	const float slant[] = {10, 10, (float)(10 + L * cos(0.5)), (float)(10 + L * sin(0.5))};
	stroke_polyline(&P, slant, 2, 0, &s, tol);
	assert_area(cover(&P, 0.005, NULL), L * w, 0.02, "slanted butt");
}
END_TEST

/* ---- joins ---- */

START_TEST(test_right_angle_joins)
{
	/* east then south: a clockwise turn, the outer corner is north-east */
	const float pl[] = {10, 10, 50, 10, 50, 50};
	const double h = 4, base = 2 * 40 * 8 - 16; /* two quads minus their overlap */
	struct stroke_style s = style(8, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	int neg;

	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), base + h * h, 1e-6, "miter");
	ck_assert_int_eq(neg, 0);
	ck_assert_int_ne(winding(&P, 53.5, 6.5), 0);

	path_reset(&P);
	s.join = STROKE_JOIN_BEVEL;
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), base + h * h / 2, 1e-3, "bevel");
	ck_assert_int_eq(winding(&P, 53.5, 6.5), 0);

	path_reset(&P);
	s.join = STROKE_JOIN_ROUND;
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), base + PI * h * h / 4, PI / 2 * h * 0.05 + 0.01, "round");
	ck_assert_int_eq(neg, 0);

	/* the mirror turn (counter-clockwise) gives the same areas */
	const float pm[] = {10, 50, 50, 50, 50, 10};
	path_reset(&P);
	s.join = STROKE_JOIN_MITER;
	stroke_polyline(&P, pm, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), base + h * h, 1e-6, "mirror miter");
	ck_assert_int_eq(neg, 0);
}
END_TEST

/* Where both segments are long enough, the inner side of a turn goes
 * through the offset lines' crossing: the stroke is then covered once
 * (winding 1) everywhere, which is what the rasterizer's coverage is exact
 * for; with a short segment it may be covered twice, never less than once. */
START_TEST(test_inner_corner_once)
{
	const double turns[] = {10, 45, 90, 135, 170};
	for (int j = 0; j < 3; j++) {
		for (size_t t = 0; t < sizeof turns / sizeof *turns; t++) {
			for (int mirror = 0; mirror < 2; mirror++) {
				double a = turns[t] * PI / 180 * (mirror ? -1 : 1);
				const float pl[] = {10, 60, 60, 60, (float)(60 + 50 * cos(a)), (float)(60 + 50 * sin(a))};
				struct stroke_style s = style(8, (enum stroke_join)j, STROKE_CAP_BUTT);
				path_reset(&P);
				stroke_polyline(&P, pl, 3, 0, &s, 0.05f);
				/* 170°: the inner crossing lies h·tan(85°) = 46 px back, within 50 */
				for (double y = 0.3; y < 120; y += 0.7) {
					for (double x = 0.1; x < 120; x += 0.7) {
						int w = winding(&P, x, y);
						CHECK(w == 0 || w == 1, "turn %g join %d: winding %d at (%g, %g)",
						      turns[t] * (mirror ? -1 : 1), j, w, x, y);
					}
				}
			}
		}
	}
	/* a 90° turn after a 2 px segment (half width 4): the crossing is
	 * out of reach, the vertex detour stays, and the inner corner is
	 * still covered */
	const float sh[] = {58, 60, 60, 60, 60, 110};
	struct stroke_style s = style(8, STROKE_JOIN_ROUND, STROKE_CAP_BUTT);
	path_reset(&P);
	stroke_polyline(&P, sh, 3, 0, &s, 0.05f);
	ck_assert_int_gt(winding(&P, 57.5, 63.5), 0);
	ck_assert_int_gt(winding(&P, 56.5, 61.5), 0);
}
END_TEST

START_TEST(test_miter_limit)
{
	/* turn β = 160° (20° between the segments): miter ratio 1/cos(80°) = 5.76 */
	const double beta = 160 * PI / 180, h = 4;
	const float pl[] = {0, 0, 60, 0, (float)(60 + 60 * cos(beta)), (float)(60 * sin(beta))};
	struct stroke_style s = style(8, STROKE_JOIN_BEVEL, STROKE_CAP_BUTT);

	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	double bevel = cover(&P, 0.005, NULL);

	path_reset(&P);
	s.join = STROKE_JOIN_MITER;
	s.miter_limit = 4;
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.005, NULL), bevel, 1e-6, "miter beyond limit = bevel");

	path_reset(&P);
	s.miter_limit = 10;
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	double tip = h * h * pow(sin(beta / 2), 3) / cos(beta / 2);
	assert_area(cover(&P, 0.005, NULL), bevel + tip, 0.05, "miter within limit");
	/* the miter tip is where it should be, and nothing lies beyond it */
	double mx = 60 + h / cos(beta / 2) * cos(beta / 2 - PI / 2), my = h / cos(beta / 2) * sin(beta / 2 - PI / 2);
	double far = 0;
	for (uint32_t i = 0; i < P.pt_count; i++)
		far = fmax(far, poly_dist(P.xy[2 * i], P.xy[2 * i + 1], pl, 3, 0));
	ck_assert_double_eq_tol(far, h / cos(beta / 2), 1e-3);
	ck_assert_int_ne(winding(&P, mx + 0.98 * (60 - mx), my + 0.98 * (0 - my)), 0);

	/* zero/NaN limit means the SVG default 4 */
	path_reset(&P);
	s.miter_limit = 0;
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.005, NULL), bevel, 1e-6, "default limit");
}
END_TEST

START_TEST(test_reversal_and_collinear)
{
	const float rev[] = {0, 0, 50, 0, 20, 0}; /* a 180° turn */
	struct stroke_style s = style(4, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	int neg;

	stroke_polyline(&P, rev, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), 200, 1e-6, "reversal, miter → bevel");
	ck_assert_int_eq(neg, 0);

	path_reset(&P);
	s.join = STROKE_JOIN_ROUND;
	stroke_polyline(&P, rev, 3, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), 200 + PI * 2, PI * 2 * 0.05 + 0.01, "reversal, round");
	ck_assert_int_eq(neg, 0);

	/* collinear and duplicate points: one plain band, few points */
	const float col[] = {0, 0, 10, 0, 10, 0, 20, 0, 30, 0, 30, 0};
	path_reset(&P);
	s.join = STROKE_JOIN_MITER;
	stroke_polyline(&P, col, 6, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), 120, 1e-6, "collinear");
	ck_assert_uint_le(P.pt_count, 8);
}
END_TEST

/* ---- closed lines ---- */

START_TEST(test_closed_square)
{
	const float cw[] = {10, 10, 60, 10, 60, 60, 10, 60};
	const float ccw[] = {10, 10, 10, 60, 60, 60, 60, 10};
	const float rep[] = {10, 10, 60, 10, 60, 60, 10, 60, 10, 10};
	const float *in[] = {cw, ccw, rep};
	const uint32_t n[] = {4, 4, 5};
	struct stroke_style s = style(8, STROKE_JOIN_MITER, STROKE_CAP_ROUND); /* caps unused */
	int neg;

	for (int k = 0; k < 3; k++) {
		path_reset(&P);
		stroke_polyline(&P, in[k], n[k], 1, &s, 0.05);
		ck_assert_uint_eq(P.ring_count, 2);
		assert_area(cover(&P, 0.01, &neg), 58.0 * 58 - 42.0 * 42, 1e-6, "closed square");
		ck_assert_int_eq(neg, 0);
		ck_assert_int_eq(winding(&P, 35, 35), 0);
		ck_assert_int_ne(winding(&P, 7, 7), 0);
		/* one ring winds each way: outer clockwise, hole counter-clockwise */
		ck_assert(ring_area(&P, 0) * ring_area(&P, 1) < 0);
	}
	path_reset(&P);
	s.join = STROKE_JOIN_BEVEL;
	stroke_polyline(&P, cw, 4, 1, &s, 0.05);
	assert_area(cover(&P, 0.01, &neg), 58.0 * 58 - 42.0 * 42 - 4 * 8, 1e-3, "closed bevel");
}
END_TEST

/* ---- dashes ---- */

START_TEST(test_dash_lengths)
{
	const float line[] = {0, 10, 100, 10};
	const float d1[] = {10, 5}, d2[] = {5}, d3[] = {10, 0, 0, 5};
	struct stroke_style s = style(4, STROKE_JOIN_MITER, STROKE_CAP_BUTT);

	s.dash = d1;
	s.dash_count = 2;
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 7); /* 0, 15, … 90 */
	assert_area(cover(&P, 0.01, NULL), 70 * 4, 1e-3, "10 on 5 off");

	path_reset(&P);
	s.dash = d2; /* odd count: 5 on 5 off */
	s.dash_count = 1;
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 10);
	assert_area(cover(&P, 0.01, NULL), 50 * 4, 1e-3, "odd count");

	path_reset(&P);
	s.dash = d3; /* zero-length entries */
	s.dash_count = 4;
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, NULL), 70 * 4, 1e-3, "zero entries");

	/* with square caps every dash grows by the width */
	path_reset(&P);
	s.dash = d1;
	s.dash_count = 2;
	s.cap = STROKE_CAP_SQUARE;
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, NULL), 7 * 14.0 * 4, 1e-3, "square caps"); /* 7 dashes of 10 + 2·2 */
}
END_TEST

START_TEST(test_dash_offset)
{
	const float line[] = {0, 10, 100, 10};
	const float d1[] = {10, 5};
	const float offs[] = {0, 5, -3, 47, 1e9f};
	struct stroke_style s = style(4, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	s.dash = d1;
	s.dash_count = 2;
	for (int k = 0; k < 5; k++) {
		path_reset(&P);
		s.dash_offset = offs[k];
		stroke_polyline(&P, line, 2, 0, &s, 0.05);
		double o = fmod(offs[k], 15);
		for (double x = 0.05; x < 100; x += 0.1) {
			double ph = fmod(x + o + 15, 15);
			if (fabs(ph - 10) < 0.02 || ph < 0.02 || ph > 14.98)
				continue;
			CHECK((winding(&P, x, 10) != 0) == (ph < 10), "offset %g: x=%g phase %g", offs[k], x, ph);
		}
	}
}
END_TEST

START_TEST(test_dash_across_vertices)
{
	const float pl[] = {0, 0, 30, 0, 30, 30};
	const float d[] = {35, 100}, d2[] = {25, 10};
	struct stroke_style s = style(8, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	s.dash = d;
	s.dash_count = 2;
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 1);
	ck_assert_int_ne(winding(&P, 10, 0), 0);
	ck_assert_int_ne(winding(&P, 30, 4.9), 0);
	ck_assert_int_eq(winding(&P, 30, 5.1), 0);
	ck_assert_int_ne(winding(&P, 33.5, -3.5), 0); /* the miter joins inside the dash */
	/* 30·8 + 5·8, minus the quads' overlap 16, plus the miter square 16 */
	assert_area(cover(&P, 0.01, NULL), 30 * 8 + 5 * 8, 1e-3, "dash round a corner");

	path_reset(&P);
	s.dash = d2; /* on 0–25, off 25–35 (over the vertex), on 35–60 */
	stroke_polyline(&P, pl, 3, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 2);
	ck_assert_int_eq(winding(&P, 30, 0), 0);
	ck_assert_int_ne(winding(&P, 30, 5.5), 0);
	assert_area(cover(&P, 0.01, NULL), 50 * 8, 1e-3, "two dashes");
}
END_TEST

START_TEST(test_dash_dots)
{
	const float line[] = {0, 10, 100, 10};
	const float d[] = {0, 10};
	struct stroke_style s = style(4, STROKE_JOIN_MITER, STROKE_CAP_ROUND);
	s.dash = d;
	s.dash_count = 2;
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 11);
	assert_area(cover(&P, 0.01, NULL), 11 * PI * 4, 11 * 2 * PI * 2 * 0.05, "dots");
	for (int i = 0; i <= 10; i++)
		ck_assert_int_ne(winding(&P, 10 * i, 10), 0);
	ck_assert_int_eq(winding(&P, 5, 10), 0);

	path_reset(&P);
	s.cap = STROKE_CAP_BUTT;
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 0);

	path_reset(&P);
	s.cap = STROKE_CAP_SQUARE; /* squares along the line: 4×4 each */
	stroke_polyline(&P, line, 2, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, NULL), 11 * 16, 1e-3, "square dots");
}
END_TEST

START_TEST(test_dash_closed_merge)
{
	/* perimeter 200, pattern 50: offset 10 puts an "on" over the start
	 * corner (from 190 round to 20), which must be one dash with a join */
	const float sq[] = {10, 10, 60, 10, 60, 60, 10, 60};
	const float d[] = {30, 20};
	struct stroke_style s = style(8, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	s.dash = d;
	s.dash_count = 2;
	s.dash_offset = 10;
	stroke_polyline(&P, sq, 4, 1, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 4);
	ck_assert_int_ne(winding(&P, 7, 7), 0);
	/* each dash turns a corner (10 + 20): overlap and miter square cancel */
	assert_area(cover(&P, 0.01, NULL), 4 * 30 * 8, 1e-3, "merged closed dashes");

	/* a dash longer than the loop: the closed stroke */
	const float dl[] = {500, 10};
	path_reset(&P);
	s.dash = dl;
	s.dash_offset = 0;
	stroke_polyline(&P, sq, 4, 1, &s, 0.05);
	assert_area(cover(&P, 0.01, NULL), 58.0 * 58 - 42.0 * 42, 1e-3, "one dash round");
}
END_TEST

/* ---- robustness ---- */

/* A zig-zag with every kind of vertex: sharp, 179° and exact reversals,
 * collinear runs, duplicates, tiny segments. */
static uint32_t zigzag(float *xy)
{
	static const float pts[] = {
		0, 0, 20, 0, 40, 0, 40, 0, 60, 30, 61, -10,   /* collinear, duplicate, sharp */
		20, -10.35f, 80, -10, 30, -10, 30, 40,       /* 179°ish, exact reversal */
		30.01f, 40, 30.01f, 40.01f, 50, 60, 10, 61,  /* tiny segments */
		70, 62, 70, 90, 69.9f, 20, 100, 20, 100, 20,  /* near reversal, duplicate */
		130, 20, 110, 20,                             /* exact reversal at the end */
	};
	memcpy(xy, pts, sizeof pts);
	return sizeof pts / sizeof pts[0] / 2;
}

START_TEST(test_no_gaps)
{
	float xy[64];
	uint32_t n = zigzag(xy);
	for (int j = 0; j < 3; j++) {
		for (int c = 0; c < 3; c++) {
			for (int closed = 0; closed < 2; closed++) {
				struct stroke_style s = style(6, (enum stroke_join)j, (enum stroke_cap)c);
				int neg;
				path_reset(&P);
				stroke_polyline(&P, xy, n, closed, &s, 0.2f);
				for (uint32_t i = 0; i + 1 < n + (uint32_t)closed; i++) {
					uint32_t k = (i + 1) % n;
					/* strictly inside segments: a vertex itself may lie on the
					 * outline (butt end, bevel at a reversal) */
					for (int t = 0; t < 200; t++) {
						double x = xy[2 * i] + (xy[2 * k] - xy[2 * i]) * (t + 0.5) / 200.0;
						double y = xy[2 * i + 1] + (xy[2 * k + 1] - xy[2 * i + 1]) * (t + 0.5) / 200.0;
						CHECK(winding(&P, x, y) > 0, "join %d cap %d closed %d: gap at (%g, %g)",
						      j, c, closed, x, y);
					}
				}
				cover(&P, 0.05, &neg);
				CHECK(!neg, "join %d cap %d closed %d: negative winding", j, c, closed);
				if (!closed)
					for (uint32_t r = 0; r < P.ring_count; r++)
						CHECK(ring_area(&P, r) > 0, "ring %u not clockwise", r);
			}
		}
	}
}
END_TEST

START_TEST(test_random_polylines)
{
	float xy[2 * 40];
	for (int iter = 0; iter < 300; iter++) {
		uint32_t n = 2 + (uint32_t)(rnd() * 38);
		for (uint32_t i = 0; i < n; i++) {
			/* a coarse grid makes duplicates, collinear runs and reversals likely */
			xy[2 * i] = (float)(floor(rnd() * 6) * 10 + (iter % 3 ? rnd() : 0));
			xy[2 * i + 1] = (float)(floor(rnd() * 6) * 10);
		}
		int closed = iter & 1;
		struct stroke_style s = style((float)(1 + rnd() * 12), (enum stroke_join)(iter % 3),
		                              (enum stroke_cap)(iter / 3 % 3));
		s.miter_limit = (float)(1 + rnd() * 6);
		float tol = 0.1f;
		int neg;
		path_reset(&P);
		stroke_polyline(&P, xy, n, closed, &s, tol);
		CHECK(!P.failed, "path failed");
		cover(&P, 0.1, &neg);
		CHECK(!neg, "iter %d: negative winding", iter);
		/* open strokes: every ring is a sum of clockwise pieces */
		if (!closed)
			for (uint32_t r = 0; r < P.ring_count; r++)
				CHECK(ring_area(&P, r) > 0, "iter %d: ring %u area %g", iter, r, ring_area(&P, r));
		/* the centreline is covered (strictly inside segments: a vertex may
		 * lie on the outline, e.g. a bevel at a reversal) */
		for (uint32_t i = 0; i + 1 < n + (uint32_t)closed; i++) {
			uint32_t k = (i + 1) % n;
			if (xy[2 * i] == xy[2 * k] && xy[2 * i + 1] == xy[2 * k + 1])
				continue; /* a vertex: may lie on the outline */
			for (int t = 1; t < 4; t++) {
				double x = xy[2 * i] + (xy[2 * k] - xy[2 * i]) * t / 4.0;
				double y = xy[2 * i + 1] + (xy[2 * k + 1] - xy[2 * i + 1]) * t / 4.0;
				CHECK(winding(&P, x, y) > 0,
				      "iter %d: (%g, %g) uncovered (n %u cap %d join %d closed %d)", iter, x, y, n, s.cap, s.join, closed);
			}
		}
		/* bounds: h (+ tol) for round and bevel, the miter length otherwise,
		 * h·√2 at square caps */
		double h = s.width / 2, lim = h + 1e-3;
		if (s.join == STROKE_JOIN_MITER)
			lim = fmax(lim, h * s.miter_limit + 1e-3);
		if (s.cap == STROKE_CAP_SQUARE)
			lim = fmax(lim, h * sqrt(2) + 1e-3);
		for (uint32_t i = 0; i < P.pt_count; i++)
			CHECK(poly_dist(P.xy[2 * i], P.xy[2 * i + 1], xy, n, closed) <= lim,
			      "iter %d: point %u at %g > %g", iter, i,
			      poly_dist(P.xy[2 * i], P.xy[2 * i + 1], xy, n, closed), lim);
	}
}
END_TEST

/* Against the definition, on a grid: every point inside a segment's
 * rectangle (and, with round joins and caps, every point nearer than
 * h − tolerance: the stroke is then the set within h of the line) is
 * covered; no point farther than h (the miter length with miter joins,
 * h·√2 with square caps) is. */
START_TEST(test_against_definition)
{
	float xy[2 * 16];
	for (int iter = 0; iter < 144; iter++) {
		/* cells of 10 px, or of 2 px: segments shorter than the half width */
		uint32_t n = 2 + (uint32_t)(rnd() * 14);
		double cell = iter / 2 % 2 ? 2 : 10;
		for (uint32_t i = 0; i < n; i++) {
			xy[2 * i] = (float)(floor(rnd() * 5) * cell + (iter / 36 % 2 ? rnd() * 3 : 0));
			xy[2 * i + 1] = (float)(floor(rnd() * 5) * cell);
		}
		int closed = iter % 2;
		struct stroke_style s = style((float)(2 + rnd() * 10), (enum stroke_join)(iter / 4 % 3),
		                              (enum stroke_cap)(iter / 12 % 3));
		const double tol = 0.1, eps = 2e-3, h = s.width / 2;
		path_reset(&P);
		stroke_polyline(&P, xy, n, closed, &s, (float)tol);
		double far = h;
		if (s.join == STROKE_JOIN_MITER)
			far = h * s.miter_limit;
		if (s.cap == STROKE_CAP_SQUARE)
			far = fmax(far, h * sqrt(2));
		int round = s.join == STROKE_JOIN_ROUND && s.cap == STROKE_CAP_ROUND;
		for (double y = -22.1; y < 72; y += 0.71) {
			for (double x = -22.3; x < 75; x += 0.73) {
				double d = poly_dist(x, y, xy, n, closed);
				int inner = round && d < h - tol - eps;
				for (uint32_t i = 0; !inner && i + 1 < n + (uint32_t)closed; i++) {
					uint32_t k = (i + 1) % n;
					double vx = xy[2 * k] - xy[2 * i], vy = xy[2 * k + 1] - xy[2 * i + 1];
					double l = hypot(vx, vy);
					if (l == 0)
						continue;
					double t = ((x - xy[2 * i]) * vx + (y - xy[2 * i + 1]) * vy) / l;
					double o = fabs((x - xy[2 * i]) * vy - (y - xy[2 * i + 1]) * vx) / l;
					inner = t > eps && t < l - eps && o < h - eps;
				}
				int w = winding(&P, x, y);
				CHECK(!inner || w > 0, "iter %d: (%g, %g) inside but uncovered", iter, x, y);
				CHECK(d <= far + eps || w == 0, "iter %d: (%g, %g) at %g > %g covered", iter, x, y, d, far);
			}
		}
	}
}
END_TEST

START_TEST(test_zero_length)
{
	const float pt[] = {20, 30, 20, 30, 20, 30};
	struct stroke_style s = style(10, STROKE_JOIN_ROUND, STROKE_CAP_ROUND);
	for (uint32_t n = 1; n <= 3; n += 2) {
		path_reset(&P);
		s.cap = STROKE_CAP_ROUND;
		stroke_polyline(&P, pt, n, 0, &s, 0.05);
		ck_assert_uint_eq(P.ring_count, 1);
		assert_area(cover(&P, 0.01, NULL), PI * 25, 2 * PI * 5 * 0.05, "dot");
		ck_assert(ring_area(&P, 0) > 0);

		path_reset(&P);
		s.cap = STROKE_CAP_BUTT;
		stroke_polyline(&P, pt, n, 0, &s, 0.05);
		ck_assert_uint_eq(P.pt_count, 0);

		path_reset(&P);
		s.cap = STROKE_CAP_SQUARE;
		stroke_polyline(&P, pt, n, 1, &s, 0.05);
		assert_area(cover(&P, 0.01, NULL), 100, 1e-6, "square dot");
		ck_assert(ring_area(&P, 0) > 0);
	}
}
END_TEST

START_TEST(test_invalid_input)
{
	const float nan = NAN, inf = INFINITY;
	const float pl[] = {0, 10, 40, 10, nan, 10, 60, 10, 100, 10};
	struct stroke_style s = style(4, STROKE_JOIN_MITER, STROKE_CAP_BUTT);
	stroke_polyline(&P, pl, 5, 0, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 2);
	assert_area(cover(&P, 0.01, NULL), 2 * 40 * 4, 1e-6, "split at NaN");

	const float pi[] = {inf, 0, 0, 10, 40, 10, 1e30f, 3, 60, 10, 100, 10, 5, -inf};
	path_reset(&P);
	stroke_polyline(&P, pi, 7, 0, &s, 0.05);
	assert_area(cover(&P, 0.01, NULL), 2 * 40 * 4, 1e-6, "split at inf and huge");

	/* a closed square missing a corner: the rest, opened there */
	const float sq[] = {0, 0, 50, 0, nan, nan, 0, 50};
	path_reset(&P);
	stroke_polyline(&P, sq, 4, 1, &s, 0.05);
	ck_assert_uint_eq(P.ring_count, 1);
	assert_area(cover(&P, 0.01, NULL), 2 * 50 * 4 - 4 + 4, 1e-6, "closed with NaN");

	/* nothing at all */
	const float ok[] = {0, 0, 10, 10};
	const float ws[] = {0, -1, NAN, INFINITY};
	path_reset(&P);
	for (int i = 0; i < 4; i++) {
		s.width = ws[i];
		stroke_polyline(&P, ok, 2, 0, &s, 0.05);
	}
	s.width = 2;
	stroke_polyline(&P, NULL, 2, 0, &s, 0.05);
	stroke_polyline(&P, ok, 0, 0, &s, 0.05);
	const float allnan[] = {nan, nan, nan, 1};
	stroke_polyline(&P, allnan, 2, 1, &s, 0.05);
	ck_assert_uint_eq(P.pt_count, 0);

	/* bad dash patterns draw solid; bad tolerance means the default */
	const float bad1[] = {5, -1}, bad2[] = {0, 0}, bad3[] = {5, NAN};
	const float *bad[] = {bad1, bad2, bad3};
	for (int i = 0; i < 3; i++) {
		path_reset(&P);
		s.dash = bad[i];
		s.dash_count = 2;
		stroke_polyline(&P, ok, 2, 0, &s, NAN);
		assert_area(cover(&P, 0.005, NULL), sqrt(200) * 2, 0.02, "bad dash = solid");
	}
}
END_TEST

START_TEST(test_far_and_long)
{
	/* solid: the count does not depend on length or position */
	const float far[] = {-1e9f, 5, 1e9f, 5, 1e9f, 1e8f};
	struct stroke_style s = style(6, STROKE_JOIN_ROUND, STROKE_CAP_ROUND);
	stroke_polyline(&P, far, 3, 0, &s, 0.1f);
	ck_assert_uint_le(P.pt_count, 120);
	ck_assert_int_ne(winding(&P, 0, 5), 0);
	for (uint32_t i = 0; i < P.pt_count; i++)
		CHECK(isfinite(P.xy[2 * i]) && isfinite(P.xy[2 * i + 1]), "non-finite output");

	/* dashed: bounded by STROKE_MAX_DASHES, the rest solid */
	const float d[] = {2, 2};
	path_reset(&P);
	s.cap = STROKE_CAP_BUTT;
	s.join = STROKE_JOIN_MITER;
	s.dash = d;
	s.dash_count = 2;
	stroke_polyline(&P, far, 2, 0, &s, 0.1f);
	ck_assert_uint_le(P.ring_count, STROKE_MAX_DASHES);
	ck_assert_uint_le(P.pt_count, 4 * STROKE_MAX_DASHES + 8);
	ck_assert(!P.failed);
}
END_TEST

START_TEST(test_tolerance)
{
	/* max deviation of a round cap's chords from the true circle ≤ tolerance */
	const float seg[] = {0, 0, 10, 0};
	const float tols[] = {0.01f, 0.1f, 0.25f, 5};
	for (int k = 0; k < 4; k++) {
		struct stroke_style s = style(40, STROKE_JOIN_ROUND, STROKE_CAP_ROUND);
		path_reset(&P);
		stroke_polyline(&P, seg, 2, 0, &s, tols[k]);
		double worst = 0;
		for (uint32_t i = 0; i < P.pt_count; i++) {
			uint32_t j = (i + 1) % P.pt_count;
			double mx = (P.xy[2 * i] + P.xy[2 * j]) / 2, my = (P.xy[2 * i + 1] + P.xy[2 * j + 1]) / 2;
			worst = fmax(worst, 20 - poly_dist(mx, my, seg, 2, 0));
		}
		/* at least 4 chords a circle: never more than r·(1 − cos 45°) off */
		double cap = tols[k] < 20 * (1 - cos(PI / 4)) ? tols[k] : 20 * (1 - cos(PI / 4));
		ck_assert_msg(worst <= cap + 1e-3, "tol %g: deviation %g", tols[k], worst);
	}
}
END_TEST

/* ---- shapes ---- */

START_TEST(test_shapes)
{
	int neg;
	stroke_circle(&P, 50, 50, 20, 0.05f);
	ck_assert_uint_eq(P.ring_count, 1);
	ck_assert(ring_area(&P, 0) > 0);
	assert_area(cover(&P, 0.01, NULL), PI * 400, 2 * PI * 20 * 0.05, "disk");

	path_reset(&P);
	stroke_ring(&P, 50, 50, 20, 6, 0.05f);
	ck_assert_uint_eq(P.ring_count, 2);
	ck_assert(ring_area(&P, 0) > 0 && ring_area(&P, 1) < 0);
	assert_area(cover(&P, 0.01, &neg), PI * (23.0 * 23 - 17.0 * 17), 2 * PI * 40 * 0.05, "ring");
	ck_assert_int_eq(neg, 0);
	ck_assert_int_eq(winding(&P, 50, 50), 0);

	path_reset(&P);
	stroke_ring(&P, 50, 50, 2, 6, 0.05f); /* width ≥ 2r: a disk */
	ck_assert_uint_eq(P.ring_count, 1);

	/* the pin: 240° of the head plus the kite to the point */
	const double r = 10;
	path_reset(&P);
	stroke_marker_pin(&P, 50, 80, (float)r, 0, 0.05f);
	ck_assert(ring_area(&P, 0) > 0);
	double pin = (2.0 / 3 * PI + sqrt(3)) * r * r;
	assert_area(cover(&P, 0.01, NULL), pin, 2 * PI * r * 0.05, "pin");
	ck_assert_int_ne(winding(&P, 50, 79.5), 0);
	ck_assert_int_ne(winding(&P, 50, 50.5), 0);
	ck_assert_int_eq(winding(&P, 50, 49), 0);
	path_reset(&P);
	stroke_marker_pin(&P, 50, 80, (float)r, 4, 0.05f);
	assert_area(cover(&P, 0.01, &neg), pin - PI * 16, 2 * PI * 14 * 0.05, "pin with hole");
	ck_assert_int_eq(neg, 0);
	ck_assert_int_eq(winding(&P, 50, 60), 0);

	path_reset(&P);
	stroke_circle(&P, 0, 0, 0, 0.1f);
	stroke_circle(&P, NAN, 0, 3, 0.1f);
	stroke_ring(&P, 0, 0, 5, -1, 0.1f);
	stroke_marker_pin(&P, 0, 0, -1, 0, 0.1f);
	ck_assert_uint_eq(P.pt_count, 0);
}
END_TEST

/* ---- stroking near a box ---- */

/* stroke_polyline_near inside the visible square [0, 256]² equals
 * stroke_polyline: the same inside/outside at random points, for random
 * long lines, open and closed, solid and dashed, of every join and cap, with
 * the box [-64, 320]² (wider than any half-width, miter or cap here). */
START_TEST(test_near_box)
{
	enum { N = 60 };
	float xy[2 * N], scratch[2 * N + 2];
	struct path full;
	path_init(&full);
	unsigned dropped = 0;
	for (int iter = 0; iter < 400; iter++) {
		uint32_t n = 2 + (uint32_t)(rnd() * (N - 2));
		for (uint32_t i = 0; i < n; i++) {
			xy[2 * i] = (float)(-700 + rnd() * 1650);
			xy[2 * i + 1] = (float)(-700 + rnd() * 1650);
		}
		int closed = iter & 1, dashed = iter & 2;
		struct stroke_style s = style((float)(1 + rnd() * 11), (enum stroke_join)(iter / 4 % 3),
					      (enum stroke_cap)(iter / 12 % 3));
		float dash[2] = {(float)(4 + rnd() * 20), (float)(2 + rnd() * 15)};
		if (dashed) {
			s.dash = dash;
			s.dash_count = 2;
			s.dash_offset = (float)(rnd() * 10);
		}
		path_reset(&full);
		path_reset(&P);
		stroke_polyline(&full, xy, n, closed, &s, 0.1f);
		stroke_polyline_near(&P, xy, n, closed, &s, 0.1f, -64, 320, scratch);
		CHECK(!full.failed && !P.failed, "path failed");
		dropped += P.pt_count < full.pt_count;
		for (int k = 0; k < 600; k++) {
			double x = rnd() * 256, y = rnd() * 256;
			CHECK((winding(&full, x, y) > 0) == (winding(&P, x, y) > 0),
			      "iter %d (closed %d, dashed %d, n %u): differs at %.3f, %.3f", iter, closed,
			      dashed, n, x, y);
		}
	}
	/* most of these lines leave the box somewhere, and that part is left out */
	CHECK(dropped > 300, "only %u of 400 strokes were cut", dropped);
	path_fini(&full);

	/* a ring far around the box draws nothing; one crossing it, little */
	float ring[2 * N];
	for (uint32_t i = 0; i < N; i++) {
		double a = 2 * PI * i / N;
		ring[2 * i] = (float)(128 + 5000 * cos(a));
		ring[2 * i + 1] = (float)(128 + 5000 * sin(a));
	}
	struct stroke_style s = style(4, STROKE_JOIN_ROUND, STROKE_CAP_ROUND);
	path_reset(&P);
	stroke_polyline_near(&P, ring, N, 1, &s, 0.1f, -64, 320, scratch);
	ck_assert_uint_eq(P.pt_count, 0);
	for (uint32_t i = 0; i < N; i++)
		ring[2 * i] -= 5000 - 128; /* now its leftmost point is at x = 256 */
	path_reset(&P);
	stroke_polyline_near(&P, ring, N, 1, &s, 0.1f, -64, 320, scratch);
	ck_assert_uint_gt(P.pt_count, 0);
	ck_assert_uint_lt(P.pt_count, 100);
}
END_TEST

Suite *stroke_suite(void)
{
	Suite *s = suite_create("stroke");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_right_angle_joins);
	tcase_add_test(tc, test_inner_corner_once);
	tcase_add_test(tc, test_miter_limit);
	tcase_add_test(tc, test_reversal_and_collinear);
	tcase_add_test(tc, test_closed_square);
	tcase_add_test(tc, test_dash_lengths);
	tcase_add_test(tc, test_dash_offset);
	tcase_add_test(tc, test_dash_across_vertices);
	tcase_add_test(tc, test_dash_dots);
	tcase_add_test(tc, test_dash_closed_merge);
	tcase_add_test(tc, test_no_gaps);
	tcase_add_test(tc, test_random_polylines);
	tcase_add_test(tc, test_against_definition);
	tcase_add_test(tc, test_zero_length);
	tcase_add_test(tc, test_invalid_input);
	tcase_add_test(tc, test_far_and_long);
	tcase_add_test(tc, test_tolerance);
	tcase_add_test(tc, test_shapes);
	tcase_add_test(tc, test_near_box);
	suite_add_tcase(s, tc);
	return s;
}
