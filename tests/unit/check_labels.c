/* check_labels.c — tiles/labels: placement without overlaps, in a global
 * order, the same in neighbouring tiles.
 *
 * No font needed: candidates carry their text box size, as the renderer
 * will fill it from text_measure.  Overlap is checked on the real rotated
 * rectangles (separating axes), not on the module's collision boxes.
 * Random inputs come from a fixed-seed generator, so failures reproduce. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/labels.h"

Suite *labels_suite(void);

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond))                               \
			ck_abort_msg(__VA_ARGS__);         \
	} while (0)

#define PI 3.14159265358979323846
#define MAXC 1024

static struct label_ws *W;
static const struct label_opts OPTS = { 2, 256, 0 };
static const struct label_tile TILE = { 256.0 * 1000, 256.0 * 700, 256 };

static void setup(void)
{
	W = label_ws_new();
	ck_assert_ptr_nonnull(W);
}

static void teardown(void)
{
	label_ws_free(W);
	W = NULL;
}

static uint64_t rng;

static double rnd(void) /* uniform in [0, 1) */
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

static const char *const NAMES[] = { "淮海中路", "南京西路", "长乐路", "复兴中路", "陕西南路",
				     "驿站", "田子坊社区", "瑞金二路", "思南路", "延安高架路" };
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

static struct label_cand point(const char *text, uint64_t fid, int32_t prio, enum label_kind k,
			       float x, float y, float w, float h, float gap)
{
	struct label_cand c;
	memset(&c, 0, sizeof c);
	c.text = text;
	c.text_len = (uint32_t)strlen(text);
	c.feature_id = fid;
	c.priority = prio;
	c.kind = k;
	c.x = x;
	c.y = y;
	c.w = w;
	c.h = h;
	c.gap = gap;
	return c;
}

static struct label_cand line(const char *text, uint64_t fid, int32_t prio, const float *xy,
			      uint32_t n, float w, float h)
{
	struct label_cand c = point(text, fid, prio, LABEL_LINE, 0, 0, w, h, 0);
	c.xy = xy;
	c.n = n;
	return c;
}

/* Do the two placed labels' rotated rectangles (grown by pad) overlap by
 * more than eps?  Separating axis test over the four edge normals. */
static int rects_overlap(const struct label_placed *a, const struct label_cand *ca,
			 const struct label_placed *b, const struct label_cand *cb, double pad,
			 double eps)
{
	const struct label_placed *p[2] = { a, b };
	const struct label_cand *c[2] = { ca, cb };
	double hw[2], hh[2], ux[2], uy[2];
	for (int i = 0; i < 2; i++) {
		hw[i] = c[i]->w / 2.0 + pad;
		hh[i] = c[i]->h / 2.0 + pad;
		ux[i] = cos(p[i]->angle);
		uy[i] = sin(p[i]->angle);
	}
	double dx = b->x - a->x, dy = b->y - a->y;
	for (int i = 0; i < 2; i++) {
		for (int axis = 0; axis < 2; axis++) {
			double nx = axis ? -uy[i] : ux[i], ny = axis ? ux[i] : uy[i];
			double ra = 0;
			for (int k = 0; k < 2; k++)
				ra += hw[k] * fabs(ux[k] * nx + uy[k] * ny) +
				      hh[k] * fabs(-uy[k] * nx + ux[k] * ny);
			if (fabs(dx * nx + dy * ny) >= ra - eps)
				return 0;
		}
	}
	return 1;
}

static void check_no_overlap(const struct label_cand *c, const struct label_placed *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++)
			CHECK(!rects_overlap(&p[i], &c[p[i].cand], &p[j], &c[p[j].cand], OPTS.pad_px, 1e-3),
			      "labels %u (%s at %g,%g) and %u (%s at %g,%g) overlap", p[i].cand,
			      c[p[i].cand].text, p[i].x, p[i].y, p[j].cand, c[p[j].cand].text, p[j].x,
			      p[j].y);
}

/* Random candidates over the tile and a margin (px); polylines in xy_store. */
static float xy_store[MAXC * 8];

static uint32_t random_cands(struct label_cand *c, uint32_t n, float lo, float hi)
{
	for (uint32_t i = 0; i < n; i++) {
		const char *t = NAMES[(uint32_t)(rnd() * NNAMES)];
		float w = 14.0f * (float)(strlen(t) / 3), h = 16;
		float x = lo + (float)rnd() * (hi - lo), y = lo + (float)rnd() * (hi - lo);
		int32_t prio = (int32_t)(rnd() * 4);
		double r = rnd();
		if (r < 0.3) {
			c[i] = point(t, 1000 + i, prio, LABEL_BESIDE, x, y, w, h, 5);
		} else if (r < 0.45) {
			c[i] = point(t, 1000 + i, prio, LABEL_CENTER, x, y, w, h, 0);
		} else {
			float *xy = xy_store + 8 * i;
			double a = rnd() * 2 * PI, len = 40 + rnd() * 200;
			for (int k = 0; k < 4; k++) {
				double s = len * (k / 3.0 - 0.5), wig = (rnd() - 0.5) * 3;
				xy[2 * k] = x + (float)(s * cos(a) - wig * sin(a));
				xy[2 * k + 1] = y + (float)(s * sin(a) + wig * cos(a));
			}
			c[i] = line(t, 1000 + i, prio, xy, 4, w, h);
		}
	}
	return n;
}

/* ---- no overlaps ---- */

START_TEST(no_two_labels_overlap)
{
	static struct label_cand c[MAXC];
	for (int trial = 0; trial < 20; trial++) {
		rng = 1000 + (uint64_t)trial;
		uint32_t n = random_cands(c, 50 + 40 * (uint32_t)trial, -300, 556);
		const struct label_placed *p;
		uint32_t k;
		ck_assert_int_eq(label_place(W, &TILE, c, n, &OPTS, &p, &k), YZ_OK);
		CHECK(k >= 3, "trial %d: only %u labels placed", trial, k);
		check_no_overlap(c, p, k);
		for (uint32_t i = 0; i < k; i++) {
			/* everything returned touches the tile */
			CHECK(p[i].x1 > 0 && p[i].y1 > 0 && p[i].x0 < 256 && p[i].y0 < 256,
			      "label %u off the tile", i);
			/* same-text line labels keep their distance */
			for (uint32_t j = i + 1; j < k; j++) {
				const struct label_cand *a = &c[p[i].cand], *b = &c[p[j].cand];
				if (a->kind != LABEL_LINE || b->kind != LABEL_LINE || strcmp(a->text, b->text))
					continue;
				CHECK(hypotf(p[i].x - p[j].x, p[i].y - p[j].y) >= OPTS.repeat_px - 1e-3,
				      "two \"%s\" %g px apart", a->text,
				      hypotf(p[i].x - p[j].x, p[i].y - p[j].y));
			}
		}
	}
}
END_TEST

START_TEST(road_split_into_ways_named_once_per_repeat)
{
	/* One straight road of 12 ways of 100 px, all "淮海中路". */
	static float xy[12][4];
	struct label_cand c[12];
	for (int i = 0; i < 12; i++) {
		xy[i][0] = -400 + 100.0f * i;
		xy[i][1] = 128;
		xy[i][2] = -300 + 100.0f * i;
		xy[i][3] = 128;
		c[i] = line("淮海中路", 500 + (uint64_t)i, 1, xy[i], 2, 56, 16);
	}
	const struct label_placed *p;
	uint32_t k;
	ck_assert_int_eq(label_place(W, &TILE, c, 12, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_ge(k, 1);
	ck_assert_uint_le(k, 2); /* 256 px of tile, 256 px apart */
	for (uint32_t i = 0; i < k; i++)
		for (uint32_t j = i + 1; j < k; j++)
			ck_assert(fabsf(p[i].x - p[j].x) >= 256 - 1e-3);
	/* a different name on the same spacing is not affected by the rule */
	c[1].text = "长乐路";
	c[1].text_len = (uint32_t)strlen(c[1].text);
	ck_assert_int_eq(label_place(W, &TILE, c, 12, &OPTS, &p, &k), YZ_OK);
	check_no_overlap(c, p, k);
}
END_TEST

/* ---- priorities ---- */

START_TEST(priorities_respected)
{
	const struct label_placed *p;
	uint32_t k;
	/* same place: the higher priority wins, whatever the order or ids */
	for (int swap = 0; swap < 2; swap++) {
		struct label_cand c[2] = {
			point("低", 1, 1, LABEL_CENTER, 128, 128, 40, 16, 0),
			point("高", 2, 5, LABEL_CENTER, 130, 126, 40, 16, 0),
		};
		if (swap) {
			struct label_cand t = c[0];
			c[0] = c[1];
			c[1] = t;
		}
		ck_assert_int_eq(label_place(W, &TILE, c, 2, &OPTS, &p, &k), YZ_OK);
		ck_assert_uint_eq(k, 1);
		ck_assert_str_eq(c[p[0].cand].text, "高");
	}
	/* a chain A(3) – B(2) – C(1): B loses to A, so C is free */
	struct label_cand ch[3] = {
		point("CCC", 30, 1, LABEL_CENTER, 180, 100, 60, 16, 0),
		point("AAA", 10, 3, LABEL_CENTER, 100, 100, 60, 16, 0),
		point("BBB", 20, 2, LABEL_CENTER, 140, 100, 60, 16, 0),
	};
	ck_assert_int_eq(label_place(W, &TILE, ch, 3, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 2);
	ck_assert_str_eq(ch[p[0].cand].text, "AAA"); /* output in priority order */
	ck_assert_str_eq(ch[p[1].cand].text, "CCC");
	/* beside: blocked on the right, the label moves to the left */
	struct label_cand b[2] = {
		point("站名", 2, 1, LABEL_BESIDE, 110, 100, 40, 16, 4),
		point("大社区", 1, 10, LABEL_CENTER, 150, 100, 60, 16, 0),
	};
	ck_assert_int_eq(label_place(W, &TILE, b, 2, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 2);
	ck_assert_uint_eq(p[1].cand, 0);
	ck_assert_float_eq(p[1].x, 110 - 4 - 20);
	ck_assert_float_eq(p[1].y, 100);
	ck_assert_float_eq(p[1].angle, 0);
	/* with nothing in the way it goes right */
	ck_assert_int_eq(label_place(W, &TILE, b, 1, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 1);
	ck_assert_float_eq(p[0].x, 110 + 4 + 20);
}
END_TEST

/* ---- determinism ---- */

struct result {
	uint64_t fid;
	float x, y, angle;
};

static int result_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct result *)a)->fid, y = ((const struct result *)b)->fid;
	return x < y ? -1 : x > y;
}

static uint32_t results(const struct label_cand *c, const struct label_placed *p, uint32_t k,
			struct result *r)
{
	for (uint32_t i = 0; i < k; i++)
		r[i] = (struct result){ c[p[i].cand].feature_id, p[i].x, p[i].y, p[i].angle };
	qsort(r, k, sizeof *r, result_cmp);
	return k;
}

START_TEST(input_order_does_not_matter)
{
	static struct label_cand c[400];
	static struct result r0[4 * 400], r1[4 * 400];
	rng = 77;
	uint32_t n = random_cands(c, 400, -200, 456);
	const struct label_placed *p;
	uint32_t k0, k1;
	ck_assert_int_eq(label_place(W, &TILE, c, n, &OPTS, &p, &k0), YZ_OK);
	results(c, p, k0, r0);
	for (int trial = 0; trial < 5; trial++) {
		for (uint32_t i = n - 1; i > 0; i--) { /* Fisher–Yates */
			uint32_t j = (uint32_t)(rnd() * (i + 1));
			struct label_cand t = c[i];
			c[i] = c[j];
			c[j] = t;
		}
		ck_assert_int_eq(label_place(W, &TILE, c, n, &OPTS, &p, &k1), YZ_OK);
		ck_assert_uint_eq(k1, k0);
		results(c, p, k1, r1);
		for (uint32_t i = 0; i < k0; i++)
			CHECK(r0[i].fid == r1[i].fid && r0[i].x == r1[i].x && r0[i].y == r1[i].y &&
				      r0[i].angle == r1[i].angle,
			      "trial %d: label %u differs", trial, i);
	}
}
END_TEST

/* ---- along lines ---- */

START_TEST(line_labels_never_upside_down)
{
	const struct label_placed *p;
	uint32_t k;
	for (int deg = 0; deg < 360; deg += 5) {
		double a = deg * PI / 180;
		float xy[4] = { (float)(128 - 100 * cos(a)), (float)(128 - 100 * sin(a)),
				(float)(128 + 100 * cos(a)), (float)(128 + 100 * sin(a)) };
		struct label_cand c = line("淮海中路", 7, 1, xy, 2, 64, 16);
		ck_assert_int_eq(label_place(W, &TILE, &c, 1, &OPTS, &p, &k), YZ_OK);
		CHECK(k == 1, "%d°: not placed", deg);
		CHECK(p[0].angle > -PI / 2 && p[0].angle <= PI / 2 + 1e-6, "%d°: angle %g", deg,
		      p[0].angle);
		/* along the line, within the snapping of its ends: (1/256) / 64 px */
		CHECK(fabs(sin(p[0].angle - a)) < 2e-4, "%d°: angle %g not along the line", deg,
		      p[0].angle);
		CHECK(fabsf(p[0].x - 128) < 5e-3f && fabsf(p[0].y - 128) < 5e-3f, "%d°: centre %g,%g",
		      deg, p[0].x, p[0].y);
	}
	/* straight up the screen reads downwards, like straight down */
	float up[4] = { 100, 200, 100, 40 };
	struct label_cand c = line("思南路", 8, 1, up, 2, 48, 16);
	ck_assert_int_eq(label_place(W, &TILE, &c, 1, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 1);
	ck_assert_float_eq_tol(p[0].angle, PI / 2, 1e-6);
}
END_TEST

START_TEST(line_labels_need_room_and_straightness)
{
	const struct label_placed *p;
	uint32_t k;
	/* shorter than the text: no label */
	float shortl[4] = { 100, 100, 150, 100 };
	struct label_cand c = line("延安高架路", 1, 1, shortl, 2, 70, 16);
	ck_assert_int_eq(label_place(W, &TILE, &c, 1, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 0);
	/* a zigzag: no straight window anywhere */
	float zig[2 * 21];
	for (int i = 0; i < 21; i++) {
		zig[2 * i] = 20 + 10.0f * i;
		zig[2 * i + 1] = 100 + (i % 2 ? 12 : 0);
	}
	c = line("延安高架路", 1, 1, zig, 21, 70, 16);
	ck_assert_int_eq(label_place(W, &TILE, &c, 1, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 0);
	/* an L: the middle is the corner, so the label slides onto the long leg */
	float ell[6] = { 20, 100, 220, 100, 220, 300 };
	c = line("淮海中路", 1, 1, ell, 3, 60, 16);
	ck_assert_int_eq(label_place(W, &TILE, &c, 1, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 1);
	ck_assert_float_eq(p[0].angle, 0);
	ck_assert_float_eq_tol(p[0].x, 20 + 170, 1e-3);
	ck_assert_float_eq_tol(p[0].y, 100, 1e-3);
	/* bad input is skipped, not placed and not fatal */
	float bad[4] = { 0, NAN, 100, 100 };
	struct label_cand d[3] = { line("A", 1, 1, bad, 2, 10, 16), line("B", 2, 1, NULL, 0, 10, 16),
				   point("C", 3, 1, LABEL_CENTER, 50, 50, -1, 16, 0) };
	ck_assert_int_eq(label_place(W, &TILE, d, 3, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 0);
	ck_assert_int_eq(label_place(W, &TILE, d, 0, &OPTS, &p, &k), YZ_OK);
	ck_assert_uint_eq(k, 0);
}
END_TEST

/* ---- neighbouring tiles ---- */

/* A world of candidates in world px (double); each tile gets those near it,
 * in its own tile pixels, as the renderer will pass them. */
struct wcand {
	const char *text;
	uint64_t fid;
	int32_t prio;
	enum label_kind kind;
	double x, y;          /* point anchor */
	double lxy[8];        /* line points */
	float w, h, gap;
};

static uint32_t tile_cands(const struct wcand *wc, uint32_t n, const struct label_tile *t,
			   double margin, struct label_cand *c, float *xy)
{
	uint32_t m = 0;
	double lo_x = t->x0 - margin, hi_x = t->x0 + t->size + margin;
	double lo_y = t->y0 - margin, hi_y = t->y0 + t->size + margin;
	for (uint32_t i = 0; i < n; i++) {
		const struct wcand *w = &wc[i];
		int in = 0;
		if (w->kind == LABEL_LINE) {
			for (int k = 0; k < 4; k++)
				in |= w->lxy[2 * k] >= lo_x && w->lxy[2 * k] <= hi_x &&
				      w->lxy[2 * k + 1] >= lo_y && w->lxy[2 * k + 1] <= hi_y;
		} else {
			in = w->x >= lo_x && w->x <= hi_x && w->y >= lo_y && w->y <= hi_y;
		}
		if (!in)
			continue;
		if (w->kind == LABEL_LINE) {
			float *p = xy + 8 * m;
			for (int k = 0; k < 4; k++) {
				p[2 * k] = (float)(w->lxy[2 * k] - t->x0);
				p[2 * k + 1] = (float)(w->lxy[2 * k + 1] - t->y0);
			}
			c[m] = line(w->text, w->fid, w->prio, p, 4, w->w, w->h);
		} else {
			c[m] = point(w->text, w->fid, w->prio, w->kind, (float)(w->x - t->x0),
				     (float)(w->y - t->y0), w->w, w->h, w->gap);
		}
		m++;
	}
	return m;
}

START_TEST(neighbouring_tiles_agree_on_the_edge)
{
	enum { NW = 900 };
	static struct wcand wc[NW];
	static struct label_cand ca[NW], cb[NW];
	static float xya[NW * 8], xyb[NW * 8];
	static struct result ra[NW * 5], rb[NW * 5];
	const struct label_opts o = { 2, 128, 0 };
	/* Tiles A and B side by side at zoom 16 (@1x); the shared edge is x = xe. */
	const struct label_tile ta = { 256.0 * 53500, 256.0 * 26000, 256 };
	const struct label_tile tb = { 256.0 * 53501, 256.0 * 26000, 256 };
	const double xe = tb.x0;
	for (int trial = 0; trial < 10; trial++) {
		rng = 4242 + (uint64_t)trial;
		/* dense around the edge, sparse further out */
		for (uint32_t i = 0; i < NW; i++) {
			struct wcand *w = &wc[i];
			const char *t = NAMES[(uint32_t)(rnd() * NNAMES)];
			double spread = i < NW / 2 ? 300 : 1600;
			w->text = t;
			w->fid = 77000 + i;
			w->prio = (int32_t)(rnd() * 3);
			w->w = 14.0f * (float)(strlen(t) / 3);
			w->h = 16;
			w->gap = 5;
			/* fractional world positions, as projections give */
			w->x = xe + (rnd() - 0.5) * 2 * spread + 0.123456789;
			w->y = ta.y0 + 128 + (rnd() - 0.5) * 2 * spread + 0.987654321;
			double r = rnd();
			w->kind = r < 0.3 ? LABEL_BESIDE : r < 0.4 ? LABEL_CENTER : LABEL_LINE;
			double a = rnd() * 2 * PI, len = 60 + rnd() * 260;
			for (int k = 0; k < 4; k++) {
				double s = len * (k / 3.0 - 0.5), wig = (rnd() - 0.5) * 2;
				w->lxy[2 * k] = w->x + s * cos(a) - wig * sin(a);
				w->lxy[2 * k + 1] = w->y + s * sin(a) + wig * cos(a);
			}
		}
		/* the margin covers LABEL_ROUNDS hops of ≤ 128 + 2·2 px plus the
		 * reach from a candidate's points to its label and the tile */
		const double margin = 1024;
		uint32_t na = tile_cands(wc, NW, &ta, margin, ca, xya);
		uint32_t nb = tile_cands(wc, NW, &tb, margin, cb, xyb);
		CHECK(na < NW && nb < NW, "trial %d: the margin leaves nothing out", trial);
		const struct label_placed *p;
		uint32_t ka, kb;
		ck_assert_int_eq(label_place(W, &ta, ca, na, &o, &p, &ka), YZ_OK);
		check_no_overlap(ca, p, ka);
		/* keep A's labels that reach across the edge, in world px */
		uint32_t ma = 0;
		for (uint32_t i = 0; i < ka; i++)
			if (ta.x0 + p[i].x1 > xe)
				ra[ma++] = (struct result){ ca[p[i].cand].feature_id,
							    (float)(ta.x0 + p[i].x - xe),
							    (float)(ta.y0 + p[i].y - ta.y0), p[i].angle };
		ck_assert_int_eq(label_place(W, &tb, cb, nb, &o, &p, &kb), YZ_OK);
		check_no_overlap(cb, p, kb);
		uint32_t mb = 0;
		for (uint32_t i = 0; i < kb; i++)
			if (tb.x0 + p[i].x0 < xe)
				rb[mb++] = (struct result){ cb[p[i].cand].feature_id,
							    (float)(tb.x0 + p[i].x - xe),
							    (float)(tb.y0 + p[i].y - tb.y0), p[i].angle };
		CHECK(ma > 0, "trial %d: nothing straddles the edge", trial);
		CHECK(ma == mb, "trial %d: A has %u labels across the edge, B %u", trial, ma, mb);
		qsort(ra, ma, sizeof *ra, result_cmp);
		qsort(rb, mb, sizeof *rb, result_cmp);
		for (uint32_t i = 0; i < ma; i++)
			CHECK(ra[i].fid == rb[i].fid && fabsf(ra[i].x - rb[i].x) < 1e-3f &&
				      fabsf(ra[i].y - rb[i].y) < 1e-3f && ra[i].angle == rb[i].angle,
			      "trial %d: edge label %u: A has %llu at %g,%g %g; B %llu at %g,%g %g", trial,
			      i, (unsigned long long)ra[i].fid, ra[i].x, ra[i].y, ra[i].angle,
			      (unsigned long long)rb[i].fid, rb[i].x, rb[i].y, rb[i].angle);
	}
}
END_TEST

Suite *labels_suite(void)
{
	Suite *s = suite_create("labels");
	TCase *tc = tcase_create("labels");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, no_two_labels_overlap);
	tcase_add_test(tc, road_split_into_ways_named_once_per_repeat);
	tcase_add_test(tc, priorities_respected);
	tcase_add_test(tc, input_order_does_not_matter);
	tcase_add_test(tc, line_labels_never_upside_down);
	tcase_add_test(tc, line_labels_need_room_and_straightness);
	tcase_add_test(tc, neighbouring_tiles_agree_on_the_edge);
	suite_add_tcase(s, tc);
	return s;
}
