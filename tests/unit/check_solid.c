/* check_solid.c — one-colour tiles: detection on a canvas, and the shared
 * PNG per colour and size (tiles/solid.h). */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/pngenc.h"
#include "tiles/solid.h"

Suite *solid_suite(void);

static void fill(struct rast_canvas *c, const uint8_t px[4])
{
	for (unsigned y = 0; y < c->h; y++)
		for (unsigned x = 0; x < c->w; x++)
			memcpy(c->px + (size_t)y * c->stride + 4 * x, px, 4);
}

START_TEST(test_canvas)
{
	struct rast_canvas c;
	ck_assert_int_eq(rast_canvas_init(&c, 64, 48), YZ_OK);
	const uint8_t sea[4] = {170, 211, 223, 255};
	uint8_t got[4] = {0};
	fill(&c, sea);
	ck_assert(solid_canvas(&c, 64, 48, got));
	ck_assert(!memcmp(got, sea, 4));
	/* one channel of one pixel differs: in the first row, inside, last */
	static const unsigned where[][2] = {{1, 0}, {63, 0}, {0, 1}, {31, 20}, {63, 47}};
	for (size_t k = 0; k < sizeof where / sizeof where[0]; k++) {
		uint8_t *p = c.px + (size_t)where[k][1] * c.stride + 4 * where[k][0];
		p[k % 4] ^= 1;
		ck_assert_msg(!solid_canvas(&c, 64, 48, got), "pixel %u,%u", where[k][0], where[k][1]);
		p[k % 4] ^= 1;
	}
	/* a clear left for later is one colour without a pixel looked at */
	rast_canvas_clear_later(&c, (struct rast_color){1, 2, 3, 255});
	ck_assert(solid_canvas(&c, 64, 48, got));
	ck_assert(!memcmp(got, (uint8_t[4]){1, 2, 3, 255}, 4));
	rast_canvas_settle(&c);
	ck_assert(solid_canvas(&c, 64, 48, got));
	ck_assert(!memcmp(got, (uint8_t[4]){1, 2, 3, 255}, 4));
	fill(&c, sea);
	/* only the top-left w × h counts (a 256 px tile on a 512 px canvas) */
	c.px[(size_t)47 * c.stride + 4 * 63] ^= 0x80;
	ck_assert(solid_canvas(&c, 63, 48, got));
	ck_assert(solid_canvas(&c, 64, 47, got));
	ck_assert(!solid_canvas(&c, 64, 48, got));
	rast_canvas_fini(&c);
}
END_TEST

/* The PNG decodes to side × side of the colour, straight alpha. */
static void check_png(const struct buf *png, unsigned side, const uint8_t straight[4])
{
	ck_assert_ptr_nonnull(png);
	uint8_t *px;
	unsigned w, h;
	ck_assert_int_eq(pngenc_decode_rgba(png->data, png->len, &px, &w, &h), YZ_OK);
	ck_assert_uint_eq(w, side);
	ck_assert_uint_eq(h, side);
	for (size_t i = 0; i < (size_t)w * h; i++)
		ck_assert_msg(!memcmp(px + 4 * i, straight, 4), "pixel %zu", i);
	free(px);
}

START_TEST(test_shared_png)
{
	struct solid *s;
	ck_assert_int_eq(solid_new(&s), YZ_OK);
	const uint8_t land[4] = {242, 239, 233, 255};
	const uint8_t clear[4] = {0, 0, 0, 0};
	/* half-transparent red, premultiplied: 128/255 of 255 */
	const uint8_t glass[4] = {128, 0, 0, 128}, glass_straight[4] = {255, 0, 0, 128};
	const struct buf *a = solid_png(s, land, 256);
	check_png(a, 256, land);
	ck_assert_ptr_eq(solid_png(s, land, 256), a);    /* encoded once */
	const struct buf *b = solid_png(s, land, 512);   /* its own size */
	ck_assert_ptr_ne(b, a);
	check_png(b, 512, land);
	check_png(solid_png(s, clear, 256), 256, clear);
	check_png(solid_png(s, glass, 256), 256, glass_straight);
	ck_assert_ptr_null(solid_png(s, land, 300));
	ck_assert_ptr_null(solid_png(NULL, land, 256));
	/* bounded: the table fills, what is in it stays */
	unsigned kept = 3;
	for (unsigned i = 0; i < 2 * SOLID_MAX; i++) {
		uint8_t px[4] = {(uint8_t)i, 7, 9, 255};
		if (solid_png(s, px, 256))
			kept++;
	}
	ck_assert_uint_eq(kept, SOLID_MAX);
	ck_assert_ptr_eq(solid_png(s, land, 256), a);
	uint8_t late[4] = {1, 2, 3, 255};
	ck_assert_ptr_null(solid_png(s, late, 256));
	check_png(a, 256, land);
	solid_free(s);
	solid_free(NULL);
}
END_TEST

struct racer {
	struct solid *s;
	const struct buf *got[64];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	for (unsigned i = 0; i < 64; i++) {
		uint8_t px[4] = {(uint8_t)(i % 8), 0, 0, 255};
		r->got[i] = solid_png(r->s, px, 256);
	}
	return NULL;
}

START_TEST(test_threads)
{
	/* four threads asking for the same eight colours get the same eight PNGs */
	struct solid *s;
	ck_assert_int_eq(solid_new(&s), YZ_OK);
	static struct racer r[4];
	pthread_t th[4];
	for (unsigned k = 0; k < 4; k++) {
		r[k].s = s;
		ck_assert_int_eq(pthread_create(&th[k], NULL, race, &r[k]), 0);
	}
	for (unsigned k = 0; k < 4; k++)
		pthread_join(th[k], NULL);
	for (unsigned k = 0; k < 4; k++)
		for (unsigned i = 0; i < 64; i++) {
			ck_assert_ptr_nonnull(r[k].got[i]);
			ck_assert_ptr_eq(r[k].got[i], r[0].got[i % 8]);
		}
	solid_free(s);
}
END_TEST

Suite *solid_suite(void)
{
	Suite *s = suite_create("solid");
	TCase *tc = tcase_create("solid");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_canvas);
	tcase_add_test(tc, test_shared_png);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
