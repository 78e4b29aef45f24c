/* e2e_tiles.c — map tiles over real HTTP: PNG of the right size drawn from
 * the data (not blank), @2x at 512 px, ETag and 304, cache headers, and the
 * 400/404 answers for malformed or unknown tile paths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "tests/support/e2e.h"
#include "tiles/pngenc.h"

Suite *tiles_suite(void);

static struct sproc *srv;
static unsigned port;

static void server_up(void)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", NULL};
	srv = e2e_serve(args);
	port = sproc_port(srv);
}

static void server_down(void)
{
	sproc_stop(srv, 6000);
	sproc_free(srv);
	srv = NULL;
}

/* Decode a PNG response; count the distinct colours of its pixels. */
static unsigned png_colours(const struct hc_response *r, unsigned *w, unsigned *h)
{
	uint8_t *px = NULL;
	ck_assert_int_eq(pngenc_decode_rgba(r->body, r->body_len, &px, w, h), YZ_OK);
	unsigned distinct = 0;
	uint32_t seen[64];
	for (size_t i = 0; i < (size_t)*w * *h && distinct < 64; i++) {
		uint32_t v;
		memcpy(&v, px + 4 * i, 4);
		unsigned k = 0;
		while (k < distinct && seen[k] != v)
			k++;
		if (k == distinct)
			seen[distinct++] = v;
	}
	free(px);
	return distinct;
}

/* The z15 tile over central Shanghai (121.47 E, 31.23 N). */
#define CENTRE "/tiles/map/15/27440/13389"

START_TEST(test_map_tile)
{
	struct hc_response r = {0};
	ck_assert_why(e2e_get(port, CENTRE ".png", 200, &r));
	ck_assert_str_eq(hc_header(&r, "Content-Type"), "image/png");
	ck_assert_ptr_nonnull(hc_header(&r, "ETag"));
	ck_assert_ptr_nonnull(strstr(hc_header(&r, "Cache-Control"), "max-age"));
	unsigned w, h;
	/* roads, casings, background: many colours once anti-aliased */
	ck_assert_uint_ge(png_colours(&r, &w, &h), 10);
	ck_assert_uint_eq(w, 256);
	ck_assert_uint_eq(h, 256);
	hc_response_fini(&r);

	ck_assert_why(e2e_get(port, CENTRE "@2x.png", 200, &r));
	ck_assert_uint_ge(png_colours(&r, &w, &h), 10);
	ck_assert_uint_eq(w, 512);
	ck_assert_uint_eq(h, 512);
	hc_response_fini(&r);

	/* the dark style is a different picture with a different ETag */
	struct hc_response a = {0}, b = {0};
	ck_assert_why(e2e_get(port, CENTRE ".png", 200, &a));
	ck_assert_why(e2e_get(port, CENTRE ".png?style=dark", 200, &b));
	ck_assert_str_ne(hc_header(&a, "ETag"), hc_header(&b, "ETag"));
	ck_assert(a.body_len != b.body_len || memcmp(a.body, b.body, a.body_len));
	hc_response_fini(&a);
	hc_response_fini(&b);
}
END_TEST

START_TEST(test_etag_304)
{
	struct hc_response r = {0};
	ck_assert_why(e2e_get(port, CENTRE ".png", 200, &r));
	char hdr[128];
	snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", hc_header(&r, "ETag"));
	hc_response_fini(&r);
	struct hc_response n;
	hc_response_init(&n);
	ck_assert_int_eq(hc_request(port, "GET", CENTRE ".png", hdr, &n), HC_OK);
	ck_assert_int_eq(n.status, 304);
	ck_assert_uint_eq(n.body_len, 0);
	hc_response_fini(&n);
	/* a different tile does not match */
	hc_response_init(&n);
	ck_assert_int_eq(hc_request(port, "GET", "/tiles/map/15/27441/13389.png", hdr, &n), HC_OK);
	ck_assert_int_eq(n.status, 200);
	hc_response_fini(&n);
}
END_TEST

START_TEST(test_same_tile_same_bytes)
{
	/* rendering is deterministic: two requests, identical PNGs */
	struct hc_response a = {0}, b = {0};
	ck_assert_why(e2e_get(port, "/tiles/map/14/13720/6694.png", 200, &a));
	ck_assert_why(e2e_get(port, "/tiles/map/14/13720/6694.png", 200, &b));
	ck_assert_uint_eq(a.body_len, b.body_len);
	ck_assert(!memcmp(a.body, b.body, a.body_len));
	hc_response_fini(&a);
	hc_response_fini(&b);
}
END_TEST

START_TEST(test_stations_layer_transparent)
{
	/* far from every station: a fully transparent tile */
	struct hc_response r = {0};
	ck_assert_why(e2e_get(port, "/tiles/stations/3/1/1.png", 200, &r));
	uint8_t *px = NULL;
	unsigned w, h;
	ck_assert_int_eq(pngenc_decode_rgba(r.body, r.body_len, &px, &w, &h), YZ_OK);
	for (size_t i = 0; i < (size_t)w * h; i++)
		ck_assert_uint_eq(px[4 * i + 3], 0);
	free(px);
	hc_response_fini(&r);
}
END_TEST

START_TEST(test_bad_paths)
{
	struct hc_response r = {0};
	const struct {
		const char *target;
		int status;
	} cases[] = {
		{"/tiles/map/21/0/0.png", 400},    {"/tiles/map/2/4/0.png", 400},
		{"/tiles/map/2/0/4.png", 400},     {"/tiles/map/a/0/0.png", 400},
		{"/tiles/map/1/0/0.jpg", 400},     {"/tiles/map/1/0/0@3x.png", 400},
		{"/tiles/map/-1/0/0.png", 400},    {"/tiles/map/1/0", 400},
		{"/tiles/roads/1/0/0.png", 404},   {"/tiles/map/1/0/0.png?style=nope", 400},
		{"/tiles/map/1/0/0.png?bogus=1", 400},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ck_assert_msg(e2e_get(port, cases[i].target, cases[i].status, &r), "%s: %s",
			      cases[i].target, e2e_why);
		ck_assert_msg(e2e_is_error(&r, cases[i].status, NULL), "%s: %s", cases[i].target,
			      e2e_why);
		hc_response_fini(&r);
	}
	ck_assert_why(e2e_healthy(srv));
}
END_TEST

Suite *tiles_suite(void)
{
	Suite *s = suite_create("tiles");
	TCase *tc = tcase_create("tiles");
	tcase_add_unchecked_fixture(tc, server_up, server_down);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT_S);
	tcase_add_test(tc, test_map_tile);
	tcase_add_test(tc, test_etag_304);
	tcase_add_test(tc, test_same_tile_same_bytes);
	tcase_add_test(tc, test_stations_layer_transparent);
	tcase_add_test(tc, test_bad_paths);
	suite_add_tcase(s, tc);
	return s;
}
