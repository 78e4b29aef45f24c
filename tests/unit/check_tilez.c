/* check_tilez.c — the tile deflate compressor (tiles/tilez.h): every
 * output inflates (zlib's own inflate) back to the input exactly, for
 * image-like data, noise, runs, edge sizes, any match distances and
 * skewed symbol counts that force the 15-bit code length limit; flat
 * images come out small; bad arguments are refused. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tiles/tilez.h"

Suite *tilez_suite(void);

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/* Compresses, checks the bound, inflates and compares; returns the size. */
static size_t round_trip(struct tilez *z, const uint8_t *data, size_t n, unsigned near,
			 unsigned far)
{
	size_t cap = tilez_bound(n), len = 0;
	uint8_t *out = malloc(cap);
	uint8_t *back = malloc(n + 1);
	ck_assert(out && back);
	ck_assert_int_eq(tilez_compress(z, data, n, near, far, out, cap, &len), YZ_OK);
	ck_assert_uint_le(len, cap);
	uLongf got = n + 1;
	int rc = uncompress(back, &got, out, len);
	ck_assert_msg(rc == Z_OK, "inflate: %d (n %zu, near %u, far %u)", rc, n, near, far);
	ck_assert_uint_eq(got, n);
	ck_assert_msg(!memcmp(back, data, n), "differs (n %zu, near %u, far %u)", n, near, far);
	free(out);
	free(back);
	return len;
}

/* A w × h image as PNG image data (filter byte 0 per row), bpp 3 or 4:
 * flat areas, a few lines with soft edges, some noise. */
static size_t image(uint8_t *raw, unsigned w, unsigned h, unsigned bpp)
{
	size_t row = 1 + (size_t)w * bpp;
	for (unsigned y = 0; y < h; y++) {
		raw[y * row] = 0;
		for (unsigned x = 0; x < w; x++) {
			uint8_t *p = raw + y * row + 1 + (size_t)x * bpp;
			unsigned d = (x + 2 * y) % 97, v = d < 3 ? 120 + 40 * d : 240;
			if (x % 61 == 7 || (y > 100 && y < 104))
				v = 90;
			if (rnd() % 50 == 0)
				v = rnd() & 0xff;
			for (unsigned c = 0; c < bpp; c++)
				p[c] = (uint8_t)(c == 3 ? 255 : v - 10 * c);
		}
	}
	return row * h;
}

START_TEST(test_images)
{
	struct tilez *z;
	ck_assert_int_eq(tilez_new(&z), YZ_OK);
	static uint8_t raw[(1 + 512 * 4) * 512];
	const unsigned sizes[][2] = {{256, 256}, {512, 512}, {1, 1}, {7, 300}, {300, 7}};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
		for (unsigned bpp = 3; bpp <= 4; bpp++) {
			size_t n = image(raw, sizes[k][0], sizes[k][1], bpp);
			size_t len = round_trip(z, raw, n, bpp, 1 + sizes[k][0] * bpp);
			if (n > 100000)
				ck_assert_uint_lt(len, n / 4); /* flat areas and repeats found */
		}
	/* one flat colour: a few hundred bytes */
	size_t row = 1 + 256 * 3;
	for (size_t i = 0; i < row * 256; i++)
		raw[i] = i % row ? 0xc8 : 0;
	ck_assert_uint_lt(round_trip(z, raw, row * 256, 3, (unsigned)row), 1000);
	tilez_free(z);
}
END_TEST

START_TEST(test_any_input)
{
	struct tilez *z;
	ck_assert_int_eq(tilez_new(&z), YZ_OK);
	static uint8_t buf[300000];
	/* sizes around the edges, every kind of content, any distances */
	const size_t ns[] = {0, 1, 2, 3, 4, 7, 8, 9, 257, 258, 259, 65535, 65536, 140000, 300000};
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
		for (int kind = 0; kind < 4; kind++) {
			size_t n = ns[k];
			for (size_t i = 0; i < n; i++)
				buf[i] = kind == 0   ? (uint8_t)rnd()             /* noise */
					 : kind == 1 ? (uint8_t)(i / 300 % 3)     /* long runs */
					 : kind == 2 ? (uint8_t)(i % 5 ? buf[i - 1] : rnd())
						     : (uint8_t)(rnd() % 3);     /* few symbols */
			unsigned near = 1 + rnd() % 8, far = 1 + rnd() % 32768;
			size_t len = round_trip(z, buf, n, near, far);
			if (kind == 0)
				ck_assert_uint_le(len, n + 5 * (n / 65535 + 1) + 6); /* stored, no worse */
		}
	for (int k = 0; k < 200; k++)
		round_trip(z, buf, rnd() % 5000, 1 + rnd() % 32768, 1 + rnd() % 32768);
	tilez_free(z);
}
END_TEST

START_TEST(test_deep_codes)
{
	/* symbol counts in Fibonacci proportions would make a Huffman tree
	 * far deeper than deflate's 15 bits; shuffled so few matches hide them */
	struct tilez *z;
	ck_assert_int_eq(tilez_new(&z), YZ_OK);
	static uint8_t buf[200000];
	size_t n = 0;
	uint32_t a = 1, b = 1;
	for (unsigned sym = 0; sym < 26 && n < sizeof buf; sym++) {
		for (uint32_t i = 0; i < a && n < sizeof buf; i++)
			buf[n++] = (uint8_t)(sym * 9 + 1);
		uint32_t c = a + b;
		a = b;
		b = c;
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd() % (i + 1);
		uint8_t t = buf[i];
		buf[i] = buf[j];
		buf[j] = t;
	}
	round_trip(z, buf, n, 7, 4099);
	tilez_free(z);
}
END_TEST

START_TEST(test_refused)
{
	struct tilez *z;
	ck_assert_int_eq(tilez_new(&z), YZ_OK);
	uint8_t in[64] = {0}, out[256];
	size_t len = 1;
	ck_assert_int_eq(tilez_compress(z, in, sizeof in, 3, 10, out, tilez_bound(sizeof in) - 1, &len),
			 YZ_ERANGE);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(tilez_compress(z, in, sizeof in, 0, 10, out, sizeof out, &len), YZ_ERANGE);
	ck_assert_int_eq(tilez_compress(z, in, sizeof in, 3, 32769, out, sizeof out, &len), YZ_ERANGE);
	ck_assert_int_eq(tilez_compress(z, in, sizeof in, 3, 32768, out, sizeof out, &len), YZ_OK);
	tilez_free(z);
	tilez_free(NULL);
}
END_TEST

Suite *tilez_suite(void)
{
	Suite *s = suite_create("tilez");
	TCase *tc = tcase_create("tilez");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_images);
	tcase_add_test(tc, test_any_input);
	tcase_add_test(tc, test_deep_codes);
	tcase_add_test(tc, test_refused);
	suite_add_tcase(s, tc);
	return s;
}
