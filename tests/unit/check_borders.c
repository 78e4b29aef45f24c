/* check_borders.c — community outlines with each shared border once
 * (tiles/borders.h): a border two rings share comes out once, a ring met
 * twice not at all, a run that wraps round a ring's first point stays one
 * line, a ring with nothing shared stays closed; and on a grid of squares
 * walked from random corners in random directions, the lines hold every
 * distinct segment exactly once. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/borders.h"

Suite *borders_suite(void);

/* Rings given as point lists (x, y pairs, closed: last == first). */
struct rings {
	struct communityset cs;
	uint32_t first[64];
	int32_t lon[1024], lat[1024];
};

static void rings_add(struct rings *r, const int32_t *xy, uint32_t n)
{
	struct communityset *cs = &r->cs;
	cs->ring_pt_first = r->first;
	cs->pt_lon_e7 = r->lon;
	cs->pt_lat_e7 = r->lat;
	r->first[cs->ring_count] = cs->pt_count;
	for (uint32_t i = 0; i < n; i++) {
		r->lon[cs->pt_count] = xy[2 * i];
		r->lat[cs->pt_count++] = xy[2 * i + 1];
	}
	r->first[++cs->ring_count] = cs->pt_count;
}

/* Line l's points as x, y pairs; returns the count. */
static uint32_t line_pts(const struct borders *b, uint32_t l, int32_t *xy)
{
	uint32_t a = b->line_pt_first[l], e = b->line_pt_first[l + 1];
	for (uint32_t i = a; i < e; i++) {
		xy[2 * (i - a)] = b->pt_lon_e7[i];
		xy[2 * (i - a) + 1] = b->pt_lat_e7[i];
	}
	return e - a;
}

START_TEST(test_shared_edge_once)
{
	static struct rings r;
	memset(&r, 0, sizeof r);
	/* A, then B to its right: B walks the shared edge x = 10 downwards */
	const int32_t a[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};
	const int32_t b[] = {10, 0, 20, 0, 20, 10, 10, 10, 10, 0};
	rings_add(&r, a, 5);
	rings_add(&r, b, 5);
	struct borders bd;
	ck_assert_int_eq(borders_build(&bd, &r.cs), YZ_OK);
	ck_assert_uint_eq(bd.line_count, 2);
	int32_t xy[64];
	ck_assert_uint_eq(line_pts(&bd, 0, xy), 5);
	ck_assert_int_eq(bd.line_closed[0], 1);
	ck_assert(!memcmp(xy, a, sizeof a));
	ck_assert_uint_eq(line_pts(&bd, 1, xy), 4);
	ck_assert_int_eq(bd.line_closed[1], 0);
	ck_assert(!memcmp(xy, b, 8 * sizeof *b));
	/* the boxes */
	ck_assert_int_eq(bd.line_box[0], 0);
	ck_assert_int_eq(bd.line_box[3], 10);
	ck_assert_int_eq(bd.line_box[4], 10);
	ck_assert_int_eq(bd.line_box[6], 20);
	borders_free(&bd);
	borders_free(&bd); /* twice is harmless */
}
END_TEST

START_TEST(test_wrapping_run_one_line)
{
	static struct rings r;
	memset(&r, 0, sizeof r);
	/* B starts in the middle of its kept run: the run wraps round its
	 * first point and must still come out as one line */
	const int32_t a[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};
	const int32_t b[] = {20, 0, 20, 10, 10, 10, 10, 0, 20, 0};
	rings_add(&r, a, 5);
	rings_add(&r, b, 5);
	struct borders bd;
	ck_assert_int_eq(borders_build(&bd, &r.cs), YZ_OK);
	ck_assert_uint_eq(bd.line_count, 2);
	int32_t xy[64];
	const int32_t want[] = {10, 0, 20, 0, 20, 10, 10, 10};
	ck_assert_uint_eq(line_pts(&bd, 1, xy), 4);
	ck_assert(!memcmp(xy, want, sizeof want));
	borders_free(&bd);
}
END_TEST

START_TEST(test_same_ring_twice_and_zero_length)
{
	static struct rings r;
	memset(&r, 0, sizeof r);
	/* the same outline at two levels (a council and its region), the second
	 * from another corner; and a ring with a repeated point */
	const int32_t a[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};
	const int32_t a2[] = {10, 10, 0, 10, 0, 0, 10, 0, 10, 10};
	const int32_t c[] = {30, 0, 40, 0, 40, 0, 40, 10, 30, 0};
	rings_add(&r, a, 5);
	rings_add(&r, a2, 5);
	rings_add(&r, c, 5);
	struct borders bd;
	ck_assert_int_eq(borders_build(&bd, &r.cs), YZ_OK);
	ck_assert_uint_eq(bd.line_count, 2);
	int32_t xy[64];
	ck_assert_uint_eq(line_pts(&bd, 1, xy), 5);
	ck_assert_int_eq(bd.line_closed[1], 1);
	ck_assert(!memcmp(xy, c, sizeof c));
	borders_free(&bd);
}
END_TEST

START_TEST(test_empty)
{
	static struct rings r;
	memset(&r, 0, sizeof r);
	r.cs.ring_pt_first = r.first;
	struct borders bd;
	ck_assert_int_eq(borders_build(&bd, &r.cs), YZ_OK);
	ck_assert_uint_eq(bd.line_count, 0);
	borders_free(&bd);
}
END_TEST

static int seg_cmp(const void *p, const void *q)
{
	return memcmp(p, q, 4 * sizeof(int32_t));
}

/* Undirected segment (x0, y0, x1, y1), lesser end first, into out[4]. */
static void seg_put(int32_t *out, int32_t x0, int32_t y0, int32_t x1, int32_t y1)
{
	int swap = x1 < x0 || (x1 == x0 && y1 < y0);
	out[0] = swap ? x1 : x0;
	out[1] = swap ? y1 : y0;
	out[2] = swap ? x0 : x1;
	out[3] = swap ? y0 : y1;
}

START_TEST(test_grid_every_segment_once)
{
	static struct rings r;
	memset(&r, 0, sizeof r);
	/* 6 × 6 unit squares (side 100), each from a random corner in a
	 * random direction */
	srand(7);
	for (int gy = 0; gy < 6; gy++)
		for (int gx = 0; gx < 6; gx++) {
			int32_t cx[4] = {0, 100, 100, 0}, cy[4] = {0, 0, 100, 100}, xy[10];
			int start = rand() % 4, dir = rand() % 2 ? 1 : 3;
			for (int k = 0; k <= 4; k++) {
				int c = (start + dir * k) % 4;
				xy[2 * k] = gx * 100 + cx[c];
				xy[2 * k + 1] = gy * 100 + cy[c];
			}
			rings_add(&r, xy, 5);
		}
	/* the distinct segments of the rings */
	static int32_t want[4 * 144], got[4 * 288];
	uint32_t nw = 0, ng = 0;
	for (uint32_t i = 0; i + 1 < r.cs.pt_count; i++) {
		if (i % 5 == 4)
			continue; /* a ring's last point: the next ring starts */
		seg_put(want + 4 * nw++, r.lon[i], r.lat[i], r.lon[i + 1], r.lat[i + 1]);
	}
	qsort(want, nw, 4 * sizeof *want, seg_cmp);
	uint32_t distinct = 0;
	for (uint32_t i = 0; i < nw; i++)
		if (i == 0 || seg_cmp(want + 4 * i, want + 4 * (i - 1)))
			memmove(want + 4 * distinct++, want + 4 * i, 4 * sizeof *want);
	ck_assert_uint_eq(distinct, 2 * 6 * 7); /* 6·7 horizontal, 6·7 vertical */
	struct borders bd;
	ck_assert_int_eq(borders_build(&bd, &r.cs), YZ_OK);
	for (uint32_t l = 0; l < bd.line_count; l++) {
		uint32_t a = bd.line_pt_first[l], e = bd.line_pt_first[l + 1];
		ck_assert_uint_ge(e - a, 2);
		for (uint32_t i = a; i + 1 < e; i++)
			seg_put(got + 4 * ng++, bd.pt_lon_e7[i], bd.pt_lat_e7[i], bd.pt_lon_e7[i + 1],
				bd.pt_lat_e7[i + 1]);
	}
	qsort(got, ng, 4 * sizeof *got, seg_cmp);
	ck_assert_uint_eq(ng, distinct);
	ck_assert(!memcmp(got, want, (size_t)ng * 4 * sizeof *got));
	borders_free(&bd);
}
END_TEST

Suite *borders_suite(void)
{
	Suite *s = suite_create("borders");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_shared_edge_once);
	tcase_add_test(tc, test_wrapping_run_one_line);
	tcase_add_test(tc, test_same_ring_twice_and_zero_length);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_grid_every_segment_once);
	suite_add_tcase(s, tc);
	return s;
}
