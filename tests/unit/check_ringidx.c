/* check_ringidx.c — lines (here rings) cut into chunks (tiles/ringidx.h): the chunks
 * tile each line's segments in order, each box holds its chunk's points, and
 * `along` is the line's length in zoom-0 world pixels up to the chunk. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "common/geo.h"
#include "tiles/ringidx.h"
#include "tiles/tilemath.h"

Suite *ringidx_suite(void);

START_TEST(test_chunks)
{
	/* rings of 1 (degenerate), 2, 33, 34 and 100 points, on a wobbly circle */
	static const uint32_t sizes[] = {1, 2, 33, 34, 100};
	enum { R = sizeof sizes / sizeof *sizes };
	uint32_t first[R + 1], n = 0;
	for (unsigned r = 0; r < R; r++) {
		first[r] = n;
		n += sizes[r];
	}
	first[R] = n;
	int32_t *lon = malloc(n * sizeof *lon), *lat = malloc(n * sizeof *lat);
	ck_assert(lon && lat);
	for (unsigned r = 0; r < R; r++) {
		uint32_t a = first[r], k = sizes[r];
		for (uint32_t i = 0; i < k; i++) {
			double t = 2 * M_PI * i / (k > 1 ? k - 1 : 1), rad = 0.01 * (1 + 0.3 * sin(7 * t));
			lon[a + i] = geo_to_e7(14.5 + r * 0.05 + rad * cos(t));
			lat[a + i] = geo_to_e7(35.9 + rad * sin(t));
		}
		if (k > 1) { /* closed: the last point repeats the first */
			lon[a + k - 1] = lon[a];
			lat[a + k - 1] = lat[a];
		}
	}
	struct ringidx ix;
	ck_assert_int_eq(ringidx_build(&ix, R, first, lon, lat), YZ_OK);
	struct tile_proj world;
	tile_proj_init(&world, &(struct tile_req){.z = 0, .scale = 1});
	for (unsigned r = 0; r < R; r++) {
		uint32_t a = first[r], segs = sizes[r] > 1 ? sizes[r] - 1 : 0;
		uint32_t chunks = ix.line_first[r + 1] - ix.line_first[r];
		ck_assert_uint_eq(chunks, (segs + RINGIDX_CHUNK - 1) / RINGIDX_CHUNK);
		double along = 0;
		for (uint32_t c = 0; c < chunks; c++) {
			uint32_t k = ix.line_first[r] + c, i0 = c * RINGIDX_CHUNK, i1 = i0 + RINGIDX_CHUNK;
			i1 = i1 < segs ? i1 : segs;
			const int32_t *b = ix.box + 4 * k;
			ck_assert_msg(fabs(ix.along[k] - along) <= 1e-9 * (1 + along),
				      "ring %u chunk %u: along %.12g, want %.12g", r, c, ix.along[k], along);
			int32_t mnx = INT32_MAX, mny = INT32_MAX, mxx = INT32_MIN, mxy = INT32_MIN;
			for (uint32_t i = a + i0; i <= a + i1; i++) {
				mnx = lon[i] < mnx ? lon[i] : mnx;
				mxx = lon[i] > mxx ? lon[i] : mxx;
				mny = lat[i] < mny ? lat[i] : mny;
				mxy = lat[i] > mxy ? lat[i] : mxy;
				if (i > a + i0) {
					double dx = tile_px_x(&world, geo_from_e7(lon[i])) -
						    tile_px_x(&world, geo_from_e7(lon[i - 1]));
					double dy = tile_px_y_exact(&world, geo_from_e7(lat[i])) -
						    tile_px_y_exact(&world, geo_from_e7(lat[i - 1]));
					along += sqrt(dx * dx + dy * dy);
				}
			}
			/* the box is exactly the chunk's points' box */
			ck_assert_int_eq(b[0], mnx);
			ck_assert_int_eq(b[1], mny);
			ck_assert_int_eq(b[2], mxx);
			ck_assert_int_eq(b[3], mxy);
		}
	}
	ck_assert_uint_eq(ix.line_first[R], ix.line_first[R - 1] + 4); /* 99 segments */
	ringidx_free(&ix);
	ringidx_free(&ix); /* twice is harmless */
	free(lon);
	free(lat);
}
END_TEST

START_TEST(test_empty)
{
	struct ringidx ix;
	uint32_t first[1] = {0};
	ck_assert_int_eq(ringidx_build(&ix, 0, first, NULL, NULL), YZ_OK);
	ck_assert_uint_eq(ix.line_count, 0);
	ck_assert_uint_eq(ix.line_first[0], 0);
	ringidx_free(&ix);
}
END_TEST

Suite *ringidx_suite(void)
{
	Suite *s = suite_create("ringidx");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_chunks);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	return s;
}
