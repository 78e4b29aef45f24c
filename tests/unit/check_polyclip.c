/* check_polyclip.c — line-in-polygon clipping (routing/polyclip.h) on shapes
 * whose answers are known by hand: a square with a square hole, a concave
 * "U", lines along edges, and random lines compared with dense sampling. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "routing/polyclip.h"

Suite *polyclip_suite(void);

/* Square 0..1000 with a hole 400..600 (both as closed rings). */
static const int32_t sq_x[] = {0, 1000, 1000, 0, 0, 400, 400, 600, 600, 400};
static const int32_t sq_y[] = {0, 0, 1000, 1000, 0, 400, 600, 600, 400, 400};
static const uint32_t sq_rings[] = {0, 5, 10};

/* A "U": 0..300 wide, the notch 100..200 from y = 100 up. */
static const int32_t u_x[] = {0, 300, 300, 200, 200, 100, 100, 0, 0};
static const int32_t u_y[] = {0, 0, 300, 300, 100, 100, 300, 300, 0};
static const uint32_t u_rings[] = {0, 9};

static double inside_len(struct polyclip *pc, double ax, double ay, double bx, double by)
{
	double iv[32][2];
	unsigned n = polyclip_line(pc, ax, ay, bx, by, iv, 32);
	double sum = 0;
	for (unsigned i = 0; i < n; i++) {
		ck_assert(iv[i][0] >= 0 && iv[i][1] <= 1 && iv[i][1] >= iv[i][0]);
		ck_assert(i == 0 || iv[i][0] > iv[i - 1][1]);
		sum += iv[i][1] - iv[i][0];
	}
	return sum * hypot(bx - ax, by - ay);
}

START_TEST(square_with_hole)
{
	struct polyclip pc;
	ck_assert_int_eq(polyclip_init(&pc, sq_rings, 0, 2, sq_x, sq_y), YZ_OK);
	/* across the middle: 1000 of square minus 200 of hole */
	ck_assert_double_eq_tol(inside_len(&pc, -500, 500, 1500, 500), 800, 1e-6);
	/* entirely in the hole */
	ck_assert_double_eq_tol(inside_len(&pc, 450, 450, 550, 550), 0, 1e-9);
	/* along the outer boundary: closed polygon, so inside */
	ck_assert_double_eq_tol(inside_len(&pc, 0, 0, 1000, 0), 1000, 1e-6);
	/* along the hole's edge: its boundary belongs to the polygon too */
	ck_assert_double_eq_tol(inside_len(&pc, 400, 300, 400, 700), 400, 1e-6);
	ck_assert(polyclip_contains(&pc, 100, 100));
	ck_assert(!polyclip_contains(&pc, 500, 500));
	ck_assert(polyclip_contains(&pc, 400, 500));
	ck_assert(!polyclip_contains(&pc, -1, 500));
	polyclip_fini(&pc);
}
END_TEST

START_TEST(concave_u)
{
	struct polyclip pc;
	ck_assert_int_eq(polyclip_init(&pc, u_rings, 0, 1, u_x, u_y), YZ_OK);
	/* through both arms above the notch's floor */
	ck_assert_double_eq_tol(inside_len(&pc, -50, 200, 350, 200), 200, 1e-6);
	/* below the floor: the full width */
	ck_assert_double_eq_tol(inside_len(&pc, -50, 50, 350, 50), 300, 1e-6);
	polyclip_fini(&pc);
}
END_TEST

/* Random lines: the clipped length equals dense midpoint sampling. */
START_TEST(random_lines_match_sampling)
{
	struct polyclip pc;
	ck_assert_int_eq(polyclip_init(&pc, sq_rings, 0, 2, sq_x, sq_y), YZ_OK);
	srand(4);
	for (int trial = 0; trial < 200; trial++) {
		double ax = rand() % 1400 - 200 + 0.37, ay = rand() % 1400 - 200 + 0.71;
		double bx = rand() % 1400 - 200 + 0.13, by = rand() % 1400 - 200 + 0.53;
		double len = hypot(bx - ax, by - ay), got = inside_len(&pc, ax, ay, bx, by);
		enum { S = 20000 };
		unsigned in = 0;
		for (unsigned k = 0; k < S; k++) {
			double t = (k + 0.5) / S;
			in += polyclip_contains(&pc, ax + t * (bx - ax), ay + t * (by - ay));
		}
		ck_assert_double_eq_tol(got, len * in / S, len * 2.0 / S + 1e-6);
	}
	polyclip_fini(&pc);
}
END_TEST

Suite *polyclip_suite(void)
{
	Suite *s = suite_create("polyclip");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, square_with_hole);
	tcase_add_test(tc, concave_u);
	tcase_add_test(tc, random_lines_match_sampling);
	suite_add_tcase(s, tc);
	return s;
}
