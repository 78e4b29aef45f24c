/* check_text.c — tiles/text: the CJK font, UTF-8, layout, outlines, halos.
 *
 * Needs Debian's fonts-noto-cjk (scripts/install-deps installs it); without
 * it every test fails naming the package.  Properties rather than pictures:
 * the face found by name has the glyphs of our labels; "驿站" at 16 px
 * covers a plausible share of its em boxes and stays inside them; widths
 * grow with length and scale linearly with size (outlines are unhinted);
 * invalid UTF-8 becomes U+FFFD per maximal subpart and never crashes; a
 * rotation by 90° rotates the bounding box; the halo contains the glyphs;
 * the cache and the threads never change output.  One picture is written
 * for people to look at: tests/out/text_sample.png (when tests/out can be
 * made; it is gitignored). */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "tiles/path.h"
#include "tiles/pngenc.h"
#include "tiles/raster.h"
#include "tiles/text.h"

Suite *text_suite(void);

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond))                               \
			ck_abort_msg(__VA_ARGS__);         \
	} while (0)

#define PI 3.14159265358979323846

static struct text_font *F;
static struct text_shaper *S;
static struct path P;

static void setup(void)
{
	struct yz_errbuf eb = { "" };
	enum yz_err e = text_font_open(TEXT_FONT_DEFAULT, TEXT_FACE_DEFAULT, &F, &eb);
	if (e)
		ck_abort_msg("cannot open the label font: %s — it comes from Debian's fonts-noto-cjk "
			     "(sh scripts/install-deps installs it)", eb.msg);
	e = text_shaper_new(F, &S, &eb);
	if (e)
		ck_abort_msg("text_shaper_new: %s", eb.msg);
	path_init(&P);
}

static void teardown(void)
{
	path_fini(&P);
	text_shaper_free(S);
	text_font_close(F);
	S = NULL;
	F = NULL;
}

static size_t slen(const char *s)
{
	return strlen(s);
}

static void bbox(const struct path *p, float *x0, float *y0, float *x1, float *y1)
{
	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (uint32_t i = 0; i < p->pt_count; i++) {
		*x0 = fminf(*x0, p->xy[2 * i]);
		*x1 = fmaxf(*x1, p->xy[2 * i]);
		*y0 = fminf(*y0, p->xy[2 * i + 1]);
		*y1 = fmaxf(*y1, p->xy[2 * i + 1]);
	}
}

/* ---- the font ---- */

START_TEST(font_has_our_glyphs)
{
	ck_assert_str_eq(text_font_face_name(F), "Noto Sans CJK SC Regular");
	ck_assert_int_eq(text_font_face_index(F), 2);
	const char *cjk = "路站驿社区街道弄淮海中";
	for (size_t pos = 0, n = slen(cjk); pos < n;) {
		size_t at = pos;
		uint32_t cp = text_utf8_next(cjk, n, &pos);
		CHECK(cp != TEXT_REPLACEMENT, "decoding failed at byte %zu", at);
		CHECK(text_has_glyph(S, cp), "no glyph for U+%04X", (unsigned)cp);
	}
	for (uint32_t cp = 0x21; cp < 0x7F; cp++)
		CHECK(text_has_glyph(S, cp), "no glyph for ASCII 0x%02X", (unsigned)cp);
	ck_assert(!text_has_glyph(S, 0x10FFFD)); /* private use plane: nothing */
}
END_TEST

START_TEST(font_errors)
{
	struct text_font *f = (struct text_font *)1;
	struct yz_errbuf eb = { "" };
	ck_assert_int_eq(text_font_open("/nonexistent/font.ttc", NULL, &f, &eb), YZ_EIO);
	ck_assert_ptr_null(f);
	ck_assert(strstr(eb.msg, "/nonexistent/font.ttc") != NULL);
	ck_assert_int_eq(text_font_open(TEXT_FONT_DEFAULT, "Comic Sans", &f, &eb), YZ_ENOTFOUND);
	ck_assert_ptr_null(f);
	ck_assert_msg(strstr(eb.msg, "Noto Sans CJK SC") != NULL, "message lists the faces: %s", eb.msg);
	ck_assert_int_eq(text_font_open("Makefile", NULL, &f, &eb), YZ_EFORMAT);
	ck_assert_ptr_null(f);
	/* "family style" works too, and any case */
	ck_assert_int_eq(text_font_open(TEXT_FONT_DEFAULT, "noto sans cjk tc regular", &f, &eb), YZ_OK);
	ck_assert_str_eq(text_font_face_name(f), "Noto Sans CJK TC Regular");
	text_font_close(f);
	text_font_close(NULL);
	text_shaper_free(NULL);
}
END_TEST

/* ---- UTF-8 ---- */

struct utf8_case {
	const char *in;
	size_t len;
	uint32_t out[8];
	int n;
};

START_TEST(utf8_decoding)
{
	static const struct utf8_case cases[] = {
		{ "a", 1, { 'a' }, 1 },
		{ "\xC3\xA9", 2, { 0xE9 }, 1 },
		{ "\xE9\xA9\xBF\xE7\xAB\x99", 6, { 0x9A7F, 0x7AD9 }, 2 }, /* 驿站 */
		{ "\xF0\x9F\x98\x80", 4, { 0x1F600 }, 1 },
		{ "\x80", 1, { 0xFFFD }, 1 },                        /* stray continuation */
		{ "\xC0\xAF", 2, { 0xFFFD, 0xFFFD }, 2 },            /* overlong lead C0 */
		{ "\xE0\x80\xAF", 3, { 0xFFFD, 0xFFFD, 0xFFFD }, 3 }, /* overlong 3-byte */
		{ "\xED\xA0\x80", 3, { 0xFFFD, 0xFFFD, 0xFFFD }, 3 }, /* surrogate */
		{ "\xF4\x90\x80\x80", 4, { 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD }, 4 }, /* > U+10FFFF */
		{ "\xE9\xA9", 2, { 0xFFFD }, 1 },                    /* truncated: one subpart */
		{ "\xE9\xA9" "a", 3, { 0xFFFD, 'a' }, 2 },
		{ "\xF0\x9F\x98", 3, { 0xFFFD }, 1 },
		{ "\xFF\xFE", 2, { 0xFFFD, 0xFFFD }, 2 },
		{ "a\0b", 3, { 'a', 0, 'b' }, 3 },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const struct utf8_case *c = &cases[k];
		int n = 0;
		for (size_t pos = 0; pos < c->len;) {
			size_t before = pos;
			uint32_t cp = text_utf8_next(c->in, c->len, &pos);
			CHECK(pos > before && pos <= c->len, "case %zu: no progress", k);
			CHECK(n < c->n, "case %zu: too many codepoints", k);
			CHECK(cp == c->out[n], "case %zu: codepoint %d is U+%04X, want U+%04X", k, n,
			      (unsigned)cp, (unsigned)c->out[n]);
			n++;
		}
		CHECK(n == c->n, "case %zu: %d codepoints, want %d", k, n, c->n);
	}
}
END_TEST

START_TEST(invalid_utf8_does_not_crash)
{
	/* Every byte value, and random junk: measure and draw must survive. */
	unsigned char junk[512];
	uint64_t st = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		st = st * 6364136223846793005ULL + 1442695040888963407ULL;
		junk[i] = (unsigned char)(i < 256 ? i : st >> 56);
	}
	struct text_extent e;
	ck_assert_int_eq(text_measure(S, (const char *)junk, sizeof junk, 16, &e), YZ_OK);
	ck_assert(e.glyphs > 0 && isfinite(e.advance) && e.advance > 0);
	ck_assert_int_eq(text_path(S, (const char *)junk, sizeof junk, 16, 10, 20, 0.3f,
				   TEXT_ANCHOR_CENTER, &P), YZ_OK);
	ck_assert(!P.failed);
	/* A lone bad byte between two characters: three glyphs, the middle one U+FFFD. */
	ck_assert_int_eq(text_measure(S, "\xE8\xB7\xAF\xFF\xE8\xB7\xAF", 7, 16, &e), YZ_OK);
	ck_assert_int_eq(e.glyphs, 3);
	/* Controls take no space; empty strings are empty. */
	ck_assert_int_eq(text_measure(S, "\t\n", 2, 16, &e), YZ_OK);
	ck_assert_int_eq(e.glyphs, 0);
	ck_assert(e.advance == 0);
	ck_assert_int_eq(text_measure(S, "", 0, 16, &e), YZ_OK);
	ck_assert(e.advance == 0 && e.ink_x1 == 0);
	/* Sizes outside the range are refused, not drawn. */
	ck_assert_int_eq(text_measure(S, "a", 1, 0, &e), YZ_ERANGE);
	ck_assert_int_eq(text_measure(S, "a", 1, NAN, &e), YZ_ERANGE);
	ck_assert_int_eq(text_path(S, "a", 1, 1000, 0, 0, 0, TEXT_ANCHOR_CENTER, &P), YZ_ERANGE);
	ck_assert_int_eq(text_path(S, "a", 1, 16, NAN, 0, 0, TEXT_ANCHOR_CENTER, &P), YZ_ERANGE);
}
END_TEST

/* ---- layout ---- */

START_TEST(width_grows_with_length_and_size)
{
	static const char *const s[] = { "驿", "驿站", "驿站地图", "驿站地图 淮海中路" };
	float prev = 0;
	for (int i = 0; i < 4; i++) {
		struct text_extent e;
		ck_assert_int_eq(text_measure(S, s[i], slen(s[i]), 16, &e), YZ_OK);
		CHECK(e.advance > prev, "\"%s\" is %g px, not wider than the shorter string", s[i],
		      e.advance);
		prev = e.advance;
	}
	/* CJK ideographs are one em wide; the em box is 0.88 + 0.12 em. */
	struct text_extent a, b;
	ck_assert_int_eq(text_measure(S, "驿站", slen("驿站"), 16, &a), YZ_OK);
	ck_assert_float_eq_tol(a.advance, 32, 1e-4);
	ck_assert_float_eq_tol(a.ascent, 0.88f * 16, 1e-4);
	ck_assert_float_eq_tol(a.descent, 0.12f * 16, 1e-4);
	ck_assert_int_eq(a.glyphs, 2);
	/* Unhinted outlines scale linearly, ink included. */
	const char *t = "Huaihai Rd 淮海中路 88";
	ck_assert_int_eq(text_measure(S, t, slen(t), 12, &a), YZ_OK);
	ck_assert_int_eq(text_measure(S, t, slen(t), 36, &b), YZ_OK);
	ck_assert_float_eq_tol(b.advance, 3 * a.advance, 1e-3);
	ck_assert_float_eq_tol(b.ink_x1, 3 * a.ink_x1, 0.2);
	ck_assert_float_eq_tol(b.ink_y0, 3 * a.ink_y0, 0.2);
	ck_assert(a.ink_y0 < 0 && a.ink_y0 > -a.ascent * 1.3f); /* ink is above the baseline */
}
END_TEST

/* ---- outlines ---- */

START_TEST(yizhan_at_16px_covers_plausible_area)
{
	struct rast r;
	struct rast_canvas cv;
	ck_assert_int_eq(rast_init(&r, 48, 32), YZ_OK);
	ck_assert_int_eq(rast_canvas_init(&cv, 48, 32), YZ_OK);
	ck_assert_int_eq(text_path(S, "驿站", slen("驿站"), 16, 8, 22, 0, TEXT_ANCHOR_BASELINE_LEFT, &P),
			 YZ_OK);
	rast_fill(&r, &P, RAST_NONZERO, (struct rast_color){ 0, 0, 0, 255 }, &cv);
	unsigned nonzero = 0, half = 0;
	double ink = 0;
	unsigned mx0 = 48, my0 = 32, mx1 = 0, my1 = 0;
	for (unsigned y = 0; y < 32; y++)
		for (unsigned x = 0; x < 48; x++) {
			unsigned a = cv.px[y * cv.stride + 4 * x + 3];
			if (!a)
				continue;
			nonzero++;
			half += a >= 128;
			ink += a / 255.0;
			if (x < mx0) mx0 = x;
			if (x > mx1) mx1 = x;
			if (y < my0) my0 = y;
			if (y > my1) my1 = y;
		}
	/* Two em boxes are 2 × 16 × 16 = 512 px²: these ideographs ink about
	 * 30 % of that (155 px² with Noto Sans CJK SC), and anti-aliasing
	 * touches about 60 % of the pixels. */
	CHECK(ink > 100 && ink < 250, "ink %g px²", ink);
	CHECK(nonzero > 200 && nonzero < 450, "%u nonzero pixels", nonzero);
	/* unhinted 1.3-px strokes rarely cover a whole pixel, but often half */
	CHECK(half > 60, "only %u pixels at least half covered", half);
	/* Inside the em boxes: x in [8, 40], y in [22 − 14.08, 22 + 1.92]. */
	CHECK(mx0 >= 8 && mx1 < 40 && my0 >= 7 && my1 <= 23, "ink at x %u..%u y %u..%u", mx0, mx1,
	      my0, my1);
	CHECK(mx1 - mx0 > 24 && my1 - my0 > 10, "ink too small: x %u..%u y %u..%u", mx0, mx1, my0, my1);
	rast_canvas_fini(&cv);
	rast_fini(&r);
}
END_TEST

START_TEST(rotation_rotates_bbox)
{
	const char *t = "淮海中路";
	float cx = 100, cy = 80;
	ck_assert_int_eq(text_path(S, t, slen(t), 20, cx, cy, 0, TEXT_ANCHOR_CENTER, &P), YZ_OK);
	float a0, b0, a1, b1;
	bbox(&P, &a0, &b0, &a1, &b1);
	/* centred: the advance box is symmetric about cx */
	ck_assert_float_eq_tol((a0 + a1) / 2, cx, 1.5);
	ck_assert_float_eq_tol(a1 - a0, 80, 3);
	path_reset(&P);
	ck_assert_int_eq(text_path(S, t, slen(t), 20, cx, cy, (float)(PI / 2), TEXT_ANCHOR_CENTER, &P),
			 YZ_OK);
	float c0, d0, c1, d1;
	bbox(&P, &c0, &d0, &c1, &d1);
	/* 90° clockwise on screen about (cx, cy): (u, v) → (−v, u) */
	ck_assert_float_eq_tol(c0, cx - (b1 - cy), 1e-3);
	ck_assert_float_eq_tol(c1, cx - (b0 - cy), 1e-3);
	ck_assert_float_eq_tol(d0, cy + (a0 - cx), 1e-3);
	ck_assert_float_eq_tol(d1, cy + (a1 - cx), 1e-3);
	/* the text reads downwards: the first glyph is at the top */
	ck_assert(P.xy[1] < cy);
}
END_TEST

/* Shoelace area of a path's rings (positive = clockwise on screen). */
static double path_area(const struct path *p)
{
	double s = 0;
	for (uint32_t r = 0; r < p->ring_count; r++) {
		uint32_t a = p->ring_first[r], b = p->ring_first[r + 1];
		for (uint32_t i = a; i < b; i++) {
			uint32_t j = i + 1 < b ? i + 1 : a;
			s += (double)p->xy[2 * i] * p->xy[2 * j + 1] - (double)p->xy[2 * j] * p->xy[2 * i + 1];
		}
	}
	return s / 2;
}

START_TEST(halo_contains_glyphs)
{
	struct rast r;
	ck_assert_int_eq(rast_init(&r, 64, 32), YZ_OK);
	ck_assert_int_eq(text_path(S, "社区", slen("社区"), 20, 32, 16, 0, TEXT_ANCHOR_CENTER, &P), YZ_OK);
	ck_assert(path_area(&P) > 0); /* outer rings clockwise, like strokes */
	struct path h;
	path_init(&h);
	text_halo_path(&P, 1.5f, &h);
	ck_assert(!h.failed && h.ring_count > P.ring_count);
	static float cg[64 * 32], ch[64 * 32];
	rast_fill_coverage(&r, &P, RAST_NONZERO, cg, 64);
	rast_fill_coverage(&r, &h, RAST_NONZERO, ch, 64);
	double sg = 0, sh = 0;
	for (unsigned i = 0; i < 64 * 32; i++) {
		CHECK(ch[i] >= cg[i] - 1e-4f, "pixel %u: halo %g < glyph %g", i, ch[i], cg[i]);
		sg += cg[i];
		sh += ch[i];
	}
	CHECK(sh > 1.8 * sg, "halo area %g, glyph area %g", sh, sg);
	path_reset(&h);
	text_halo_path(&P, 0, &h);
	ck_assert_int_eq(h.ring_count, 0);
	path_fini(&h);
	rast_fini(&r);
}
END_TEST

START_TEST(cache_never_changes_output)
{
	const char *t = "驿站 路路";
	ck_assert_int_eq(text_path(S, t, slen(t), 16, 3.25f, 17.5f, 0.4f, TEXT_ANCHOR_CENTER, &P), YZ_OK);
	struct path q;
	path_init(&q);
	/* Evict: thousands of ideographs through the 1024 slots. */
	char buf[4];
	struct text_extent e;
	for (uint32_t cp = 0x4E00; cp < 0x4E00 + 3000; cp++) {
		buf[0] = (char)(0xE0 | cp >> 12);
		buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		buf[2] = (char)(0x80 | (cp & 0x3F));
		ck_assert_int_eq(text_measure(S, buf, 3, 16, &e), YZ_OK);
	}
	ck_assert_int_eq(text_path(S, t, slen(t), 16, 3.25f, 17.5f, 0.4f, TEXT_ANCHOR_CENTER, &q), YZ_OK);
	ck_assert_uint_eq(P.pt_count, q.pt_count);
	ck_assert_uint_eq(P.ring_count, q.ring_count);
	ck_assert(memcmp(P.xy, q.xy, 2 * sizeof(float) * P.pt_count) == 0);
	/* The same glyph twice: the second copy is the first moved by one advance. */
	path_reset(&P);
	ck_assert_int_eq(text_path(S, "路路", slen("路路"), 16, 0, 0, 0, TEXT_ANCHOR_BASELINE_LEFT, &P),
			 YZ_OK);
	ck_assert(P.pt_count % 2 == 0);
	uint32_t half = P.pt_count / 2;
	for (uint32_t i = 0; i < half; i++) {
		CHECK(fabsf(P.xy[2 * (half + i)] - P.xy[2 * i] - 16) < 1e-4f, "point %u x", i);
		CHECK(P.xy[2 * (half + i) + 1] == P.xy[2 * i + 1], "point %u y", i);
	}
	path_fini(&q);
}
END_TEST

/* ---- threads ---- */

struct job {
	const struct text_font *f;
	const struct path *ref;
	int ok;
};

static void *thread_main(void *arg)
{
	struct job *j = arg;
	struct text_shaper *s;
	if (text_shaper_new(j->f, &s, NULL))
		return NULL;
	struct path p;
	path_init(&p);
	j->ok = 1;
	for (int k = 0; k < 50 && j->ok; k++) {
		path_reset(&p);
		if (text_path(s, "驿站地图 淮海中路", slen("驿站地图 淮海中路"), 16, 5, 30, 0.25f,
			      TEXT_ANCHOR_BASELINE_LEFT, &p) ||
		    p.pt_count != j->ref->pt_count ||
		    memcmp(p.xy, j->ref->xy, 2 * sizeof(float) * p.pt_count))
			j->ok = 0;
	}
	path_fini(&p);
	text_shaper_free(s);
	return NULL;
}

START_TEST(shapers_per_thread_agree)
{
	ck_assert_int_eq(text_path(S, "驿站地图 淮海中路", slen("驿站地图 淮海中路"), 16, 5, 30, 0.25f,
				   TEXT_ANCHOR_BASELINE_LEFT, &P), YZ_OK);
	pthread_t th[4];
	struct job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct job){ F, &P, 0 };
		ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_msg(jobs[i].ok, "thread %d drew something else", i);
	}
}
END_TEST

/* ---- the picture ---- */

START_TEST(sample_png)
{
	enum { W = 320, H = 160 };
	struct rast r;
	struct rast_canvas cv;
	ck_assert_int_eq(rast_init(&r, W, H), YZ_OK);
	ck_assert_int_eq(rast_canvas_init(&cv, W, H), YZ_OK);
	rast_canvas_clear(&cv, (struct rast_color){ 0xE8, 0xE4, 0xDC, 255 });
	/* a "road" under the rotated label, to see the halo work */
	struct path road;
	path_init(&road);
	path_move_to(&road, 40, 150);
	path_line_to(&road, 52, 156);
	path_line_to(&road, 300, 32);
	path_line_to(&road, 288, 26);
	rast_fill(&r, &road, RAST_NONZERO, (struct rast_color){ 0xF5, 0xB9, 0x42, 255 }, &cv);
	path_fini(&road);
	const char *t = "驿站地图 淮海中路";
	struct text_paint p = { 24, { 0x33, 0x33, 0x33, 255 }, { 255, 255, 255, 255 }, 2 };
	ck_assert_int_eq(text_draw(S, &r, &cv, t, slen(t), &p, 160, 30, 0, TEXT_ANCHOR_CENTER), YZ_OK);
	struct text_paint q = { 16, { 0x22, 0x22, 0x22, 255 }, { 255, 255, 255, 230 }, 1.5f };
	ck_assert_int_eq(text_draw(S, &r, &cv, "淮海中路", slen("淮海中路"), &q, 170, 91,
				   (float)atan2(-124.0, 248.0), TEXT_ANCHOR_CENTER), YZ_OK);
	/* some pixels are the text colour, some the halo's */
	unsigned dark = 0, white = 0;
	for (unsigned i = 0; i < W * H; i++) {
		const uint8_t *px = cv.px + 4 * i;
		dark += px[0] < 0x40;
		white += px[0] == 255 && px[1] == 255;
	}
	CHECK(dark > 200 && white > 200, "dark %u, white %u pixels", dark, white);
	struct buf png;
	buf_init(&png);
	ck_assert_int_eq(pngenc_rgba(&cv, &png, -1), YZ_OK);
	if (mkdir("tests/out", 0777) == 0 || errno == EEXIST) {
		FILE *fp = fopen("tests/out/text_sample.png", "wb");
		if (fp) {
			fwrite(png.data, 1, png.len, fp);
			fclose(fp);
		}
	}
	buf_fini(&png);
	rast_canvas_fini(&cv);
	rast_fini(&r);
}
END_TEST

Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, font_has_our_glyphs);
	tcase_add_test(tc, font_errors);
	tcase_add_test(tc, utf8_decoding);
	tcase_add_test(tc, invalid_utf8_does_not_crash);
	tcase_add_test(tc, width_grows_with_length_and_size);
	tcase_add_test(tc, yizhan_at_16px_covers_plausible_area);
	tcase_add_test(tc, rotation_rotates_bbox);
	tcase_add_test(tc, halo_contains_glyphs);
	tcase_add_test(tc, cache_never_changes_output);
	tcase_add_test(tc, shapers_per_thread_agree);
	tcase_add_test(tc, sample_png);
	suite_add_tcase(s, tc);
	return s;
}
