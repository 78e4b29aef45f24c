/* e2e_tiles.c — map tiles over real HTTP: PNG of the right size drawn from
 * the data (not blank), @2x at 512 px, ETag and 304, cache headers, the
 * 400/404 answers for malformed or unknown tile paths, and the tile cache
 * (X-Tile-Cache hit/miss, one shared PNG per colour, /metrics counters, a miss
 * again after a SIGHUP reload). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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


/* stations=0: the map without its station markers — the stations layer's
 * opaque pixels are exactly where the two map tiles differ most. */
START_TEST(test_map_without_stations)
{
	static const char *const tile = "/tiles/map/12/3430/1673.png";
	char t[128];
	struct hc_response with = {0}, without = {0}, st = {0};
	ck_assert_why(e2e_get(port, tile, 200, &with));
	snprintf(t, sizeof t, "%s?stations=0", tile);
	ck_assert_why(e2e_get(port, t, 200, &without));
	ck_assert_why(e2e_get(port, "/tiles/stations/12/3430/1673.png", 200, &st));
	ck_assert_str_ne(hc_header(&with, "ETag"), hc_header(&without, "ETag"));
	uint8_t *a = NULL, *b = NULL, *m = NULL;
	unsigned w, h;
	ck_assert_int_eq(pngenc_decode_rgba(with.body, with.body_len, &a, &w, &h), YZ_OK);
	ck_assert_int_eq(pngenc_decode_rgba(without.body, without.body_len, &b, &w, &h), YZ_OK);
	ck_assert_int_eq(pngenc_decode_rgba(st.body, st.body_len, &m, &w, &h), YZ_OK);
	unsigned marker = 0, differ_on_marker = 0, differ_elsewhere = 0;
	for (size_t i = 0; i < (size_t)w * h; i++) {
		bool differs = memcmp(a + 4 * i, b + 4 * i, 4) != 0;
		if (m[4 * i + 3] == 255) {
			marker++;
			differ_on_marker += differs;
		} else if (m[4 * i + 3] == 0) {
			differ_elsewhere += differs;
		}
	}
	ck_assert_uint_gt(marker, 100);
	ck_assert_msg(differ_on_marker * 10 >= marker * 9, "%u of %u marker pixels differ",
		      differ_on_marker, marker);
	ck_assert_msg(differ_elsewhere == 0, "%u pixels off the markers differ", differ_elsewhere);
	free(a);
	free(b);
	free(m);
	hc_response_fini(&with);
	hc_response_fini(&without);
	hc_response_fini(&st);
	ck_assert_why(e2e_get(port, "/tiles/map/12/3430/1673.png?stations=maybe", 400, &with));
	hc_response_fini(&with);
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

/* The value of the un-labelled metric `name` in a /metrics body, or -1. */
static double metric(const struct hc_response *r, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = r->body; (p = strstr(p, name)); p += n)
		if ((p == r->body || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

/* GET `target`: 200, X-Tile-Cache `want`; the body stays in *r. */
static bool tile_get(unsigned p, const char *target, const char *want, struct hc_response *r)
{
	if (!e2e_get(p, target, 200, r))
		return false;
	const char *got = hc_header(r, "X-Tile-Cache");
	if (!got || strcmp(got, want)) {
		snprintf(e2e_why, sizeof e2e_why, "%s: X-Tile-Cache %s, want %s", target,
			 got ? got : "(none)", want);
		return false;
	}
	return true;
}

static bool same_body(const struct hc_response *a, const struct hc_response *b)
{
	return a->body_len == b->body_len && !memcmp(a->body, b->body, a->body_len);
}

/* A tile no other test asks for, so its first request is a miss. */
#define CACHED "/tiles/map/15/27439/13388.png"

START_TEST(test_cache_hit)
{
	struct hc_response a = {0}, b = {0};
	ck_assert_why(tile_get(port, CACHED, "miss", &a));
	ck_assert_why(tile_get(port, CACHED, "hit", &b));
	ck_assert(same_body(&a, &b));
	ck_assert_str_eq(hc_header(&a, "ETag"), hc_header(&b, "ETag"));
	ck_assert_str_eq(hc_header(&b, "Content-Type"), "image/png");
	ck_assert_ptr_nonnull(strstr(hc_header(&b, "Cache-Control"), "max-age"));
	hc_response_fini(&a);
	hc_response_fini(&b);
	/* another style is another tile: a miss with its own bytes */
	ck_assert_why(tile_get(port, CACHED "?style=dark", "miss", &a));
	ck_assert_why(tile_get(port, CACHED "?style=dark", "hit", &b));
	ck_assert(same_body(&a, &b));
	hc_response_fini(&a);
	hc_response_fini(&b);
}
END_TEST

START_TEST(test_empty_tiles_shared)
{
	/* two tiles far from every station: different tiles (ETags), the one
	 * shared transparent PNG; @2x has its own */
	struct hc_response a = {0}, b = {0}, c = {0};
	ck_assert_why(e2e_get(port, "/tiles/stations/4/2/3.png", 200, &a));
	ck_assert_why(e2e_get(port, "/tiles/stations/5/1/9.png", 200, &b));
	ck_assert_str_ne(hc_header(&a, "ETag"), hc_header(&b, "ETag"));
	ck_assert(same_body(&a, &b));
	unsigned w, h;
	ck_assert_uint_eq(png_colours(&a, &w, &h), 1);
	ck_assert_uint_eq(w, 256);
	ck_assert_why(e2e_get(port, "/tiles/stations/4/2/3@2x.png", 200, &c));
	ck_assert_uint_eq(png_colours(&c, &w, &h), 1);
	ck_assert_uint_eq(w, 512);
	hc_response_fini(&c);
	/* cached like any tile */
	ck_assert_why(tile_get(port, "/tiles/stations/5/1/9.png", "hit", &c));
	ck_assert(same_body(&b, &c));
	hc_response_fini(&a);
	hc_response_fini(&b);
	hc_response_fini(&c);
}
END_TEST

/* The first pixel of a PNG, straight RGBA. */
static void png_first_pixel(const struct hc_response *r, uint8_t px[4])
{
	uint8_t *all = NULL;
	unsigned w, h;
	ck_assert_int_eq(pngenc_decode_rgba(r->body, r->body_len, &all, &w, &h), YZ_OK);
	memcpy(px, all, 4);
	free(all);
}

START_TEST(test_one_colour_map_tiles)
{
	/* map tiles far from any data are the style's background alone: two
	 * addresses, two ETags, one shared PNG; the dark style has its own */
	struct hc_response a = {0}, b = {0}, c = {0};
	ck_assert_why(e2e_get(port, "/tiles/map/16/0/0.png", 200, &a));
	ck_assert_why(e2e_get(port, "/tiles/map/16/5/7.png", 200, &b));
	ck_assert_str_ne(hc_header(&a, "ETag"), hc_header(&b, "ETag"));
	ck_assert(same_body(&a, &b));
	unsigned w, h;
	ck_assert_uint_eq(png_colours(&a, &w, &h), 1);
	ck_assert_uint_eq(w, 256);
	uint8_t px[4];
	png_first_pixel(&a, px);
	const uint8_t light_bg[4] = {0xf2, 0xef, 0xe9, 0xff}; /* styles/light.json "background" */
	ck_assert(!memcmp(px, light_bg, 4));
	ck_assert_why(e2e_get(port, "/tiles/map/16/0/0.png?style=dark", 200, &c));
	ck_assert_uint_eq(png_colours(&c, &w, &h), 1);
	ck_assert(!same_body(&a, &c));
	hc_response_fini(&c);
	ck_assert_why(e2e_get(port, "/tiles/map/16/0/0@2x.png", 200, &c));
	ck_assert_uint_eq(png_colours(&c, &w, &h), 1);
	ck_assert_uint_eq(w, 512);
	hc_response_fini(&c);
	/* cached like any tile, the same bytes */
	ck_assert_why(tile_get(port, "/tiles/map/16/5/7.png", "hit", &c));
	ck_assert(same_body(&b, &c));
	hc_response_fini(&a);
	hc_response_fini(&b);
	hc_response_fini(&c);
}
END_TEST

START_TEST(test_cache_metrics)
{
	struct hc_response r = {0};
	ck_assert_why(e2e_get(port, "/tiles/map/14/13719/6694.png", 200, &r));
	hc_response_fini(&r);
	ck_assert_why(e2e_get(port, "/tiles/map/14/13719/6694.png", 200, &r));
	hc_response_fini(&r);
	ck_assert_why(e2e_get(port, "/metrics", 200, &r));
	ck_assert_double_ge(metric(&r, "yizhan_tile_cache_hits_total"), 1);
	ck_assert_double_ge(metric(&r, "yizhan_tile_cache_misses_total"), 1);
	ck_assert_double_ge(metric(&r, "yizhan_tile_cache_evictions_total"), 0);
	ck_assert_double_ge(metric(&r, "yizhan_tile_cache_entries"), 1);
	ck_assert_double_gt(metric(&r, "yizhan_tile_cache_bytes"), 1000);
	ck_assert_double_eq(metric(&r, "yizhan_tile_cache_max_bytes"), 256.0 * 1024 * 1024);
	ck_assert_ptr_nonnull(strstr(r.body, "# TYPE yizhan_tile_cache_hits_total counter"));
	hc_response_fini(&r);
}
END_TEST

/* Poll the server's stderr until it says `needle`. */
static bool stderr_has(struct sproc *p, const char *needle, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (strstr(sproc_stderr(p), needle))
			return true;
		struct timespec ts = {0, 10 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return strstr(sproc_stderr(p), needle) != NULL;
}

START_TEST(test_reload_misses)
{
	/* its own server: a reload must not disturb the other tests */
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0",
					   "--tile-cache-mb", "16", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned pp = sproc_port(p);
	struct hc_response a = {0}, b = {0};
	ck_assert_why(tile_get(pp, CENTRE ".png", "miss", &a));
	ck_assert_why(tile_get(pp, CENTRE ".png", "hit", &b));
	hc_response_fini(&b);
	ck_assert_why(e2e_get(pp, "/metrics", 200, &b));
	ck_assert_double_eq(metric(&b, "yizhan_tile_cache_max_bytes"), 16.0 * 1024 * 1024);
	ck_assert_double_eq(metric(&b, "yizhan_tile_cache_entries"), 1);
	hc_response_fini(&b);
	ck_assert(sproc_signal(p, SIGHUP) == 0);
	ck_assert_msg(stderr_has(p, "reloaded", 20000), "no reload reported:\n%s",
		      sproc_stderr(p));
	/* the same data, so the same tile and ETag, but drawn again */
	ck_assert_why(tile_get(pp, CENTRE ".png", "miss", &b));
	ck_assert(same_body(&a, &b));
	ck_assert_str_eq(hc_header(&a, "ETag"), hc_header(&b, "ETag"));
	hc_response_fini(&b);
	ck_assert_why(tile_get(pp, CENTRE ".png", "hit", &b));
	hc_response_fini(&a);
	hc_response_fini(&b);
	ck_assert_int_eq(sproc_stop(p, 6000), 0);
	sproc_free(p);
}
END_TEST

START_TEST(test_cache_off)
{
	/* --tile-cache-mb 0: every request draws; no cache metrics */
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0",
					   "--tile-cache-mb", "0", NULL};
	struct sproc *p = e2e_serve(args);
	unsigned pp = sproc_port(p);
	struct hc_response a = {0}, b = {0};
	ck_assert_why(tile_get(pp, CENTRE ".png", "miss", &a));
	ck_assert_why(tile_get(pp, CENTRE ".png", "miss", &b));
	ck_assert(same_body(&a, &b));
	hc_response_fini(&b);
	ck_assert_why(e2e_get(pp, "/metrics", 200, &b));
	ck_assert(metric(&b, "yizhan_tile_cache_hits_total") < 0);
	hc_response_fini(&a);
	hc_response_fini(&b);
	ck_assert_int_eq(sproc_stop(p, 6000), 0);
	sproc_free(p);
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
	tcase_add_test(tc, test_map_without_stations);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_cache_hit);
	tcase_add_test(tc, test_empty_tiles_shared);
	tcase_add_test(tc, test_one_colour_map_tiles);
	tcase_add_test(tc, test_cache_metrics);
	tcase_add_test(tc, test_reload_misses);
	tcase_add_test(tc, test_cache_off);
	suite_add_tcase(s, tc);
	return s;
}
