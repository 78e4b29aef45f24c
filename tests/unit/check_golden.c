/* check_golden.c — golden tiles (STYLE.md): every tile listed in
 * tests/golden/manifest.txt is drawn in-process through the server's own path
 * (server/tilejob.c) and compared, decoded, with the committed
 * tests/golden/expected/NAME.png.
 *
 * A tile passes when at most GOLDEN_MAX_FRACTION of its pixels differ by more
 * than GOLDEN_TOL in some channel, premultiplied (what a pixel shows over any
 * background: a nearly transparent pixel, whose straight colour jumps with
 * one level of rounding, counts by what it adds).  On failure the fresh tile
 * and a diff image (the expected tile faded to grey, differing pixels in red)
 * are written to tests/out/golden/ and the message says where.  The committed
 * PNG must also match its manifest hash, so the two cannot drift apart.
 *
 * Determinism: every tile is drawn a second time in another thread, with a
 * fresh workspace and in reverse order, and must come out byte for byte the
 * same.  `make golden-update` redraws the list with `yizhan render`; review
 * with `git diff`. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/dataset.h"
#include "server/tilejob.h"
#include "tiles/pngenc.h"
#include "tiles/style.h"
#include "tiles/text.h"

Suite *golden_suite(void);

#define GOLDEN_DIR "tests/golden"
#define GOLDEN_OUT "tests/out/golden"
#define GOLDEN_MAX 64
#define GOLDEN_TOL 2               /* per channel, 0..255 */
#define GOLDEN_MAX_FRACTION 0.001  /* of the pixels may differ by more */

struct gtile {
	char name[64], data[256], tile[64], style[64];
	uint64_t hash;
	int has_hash;
	struct tile_req t;
	enum mode mode;            /* coverage tiles: TILE:MODE:MINUTES */
	double minutes;
	const struct dataset *d;   /* set by the fixture */
	const struct style *st;
};

static struct gtile tiles[GOLDEN_MAX];
static unsigned tile_count;
static char manifest_err[512];

/* Loaded once in the runner's process (unchecked fixture), inherited by the
 * forked tests. */
static struct dataset *datasets[8];
static struct style *styles[8];
static const char *dataset_keys[8], *style_keys[8];
static unsigned dataset_count, style_count;
static struct text_font *font;
static char load_err[1024];

static void read_manifest(void)
{
	FILE *f = fopen(GOLDEN_DIR "/manifest.txt", "r");
	if (!f) {
		snprintf(manifest_err, sizeof manifest_err, "%s/manifest.txt: %s", GOLDEN_DIR,
			 strerror(errno));
		return;
	}
	char line[1024];
	unsigned no = 0;
	while (fgets(line, sizeof line, f)) {
		no++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (tile_count == GOLDEN_MAX) {
			snprintf(manifest_err, sizeof manifest_err, "manifest: over %d tiles", GOLDEN_MAX);
			break;
		}
		struct gtile *g = &tiles[tile_count];
		char hash[32];
		if (sscanf(line, "%63s %255s %63s %63s %31s", g->name, g->data, g->tile, g->style,
			   hash) != 5) {
			snprintf(manifest_err, sizeof manifest_err,
				 "manifest line %u: want NAME DATA TILE STYLE PIXELS", no);
			break;
		}
		char *end;
		g->hash = strtoull(hash, &end, 16);
		g->has_hash = strlen(hash) == 16 && *end == '\0';
		char path[80], mode[16] = "ebike";
		struct yz_errbuf eb;
		g->minutes = 15;
		char *colon = strchr(g->tile, ':');
		int m;
		if (colon && (sscanf(colon, ":%15[a-z]:%lf", mode, &g->minutes) != 2 ||
			      (m = mode_parse(mode)) < 0 || !(g->minutes > 0 && g->minutes <= 60))) {
			snprintf(manifest_err, sizeof manifest_err,
				 "manifest line %u: %s: want TILE:MODE:MINUTES", no, g->tile);
			break;
		}
		g->mode = colon ? (enum mode)m : MODE_EBIKE;
		snprintf(path, sizeof path, "%.*s.png", colon ? (int)(colon - g->tile) : 63, g->tile);
		if (tilepath_parse(path, &g->t, &eb)) {
			snprintf(manifest_err, sizeof manifest_err, "manifest line %u: %s: %.200s", no,
				 g->tile, eb.msg);
			break;
		}
		for (unsigned i = 0; i < tile_count; i++)
			if (!strcmp(tiles[i].name, g->name))
				snprintf(manifest_err, sizeof manifest_err,
					 "manifest line %u: name %s used twice", no, g->name);
		tile_count++;
	}
	fclose(f);
}

static void load_all(void)
{
	struct yz_errbuf eb;
	if (text_font_open(TEXT_FONT_DEFAULT, TEXT_FACE_DEFAULT, &font, &eb)) {
		snprintf(load_err, sizeof load_err, "golden tiles need the labels' font: %s", eb.msg);
		return;
	}
	for (unsigned i = 0; i < tile_count; i++) {
		struct gtile *g = &tiles[i];
		for (unsigned k = 0; k < dataset_count && !g->d; k++)
			if (!strcmp(dataset_keys[k], g->data))
				g->d = datasets[k];
		for (unsigned k = 0; k < style_count && !g->st; k++)
			if (!strcmp(style_keys[k], g->style))
				g->st = styles[k];
		if (!g->d && dataset_count < 8) {
			struct stat sb;
			struct dataset_sources src = {0};
			if (!stat(g->data, &sb) && S_ISDIR(sb.st_mode))
				src.dir = g->data;
			else
				src.roads = g->data;
			if (dataset_build(&src, &datasets[dataset_count], &eb)) {
				snprintf(load_err, sizeof load_err, "%s: %s", g->name, eb.msg);
				return;
			}
			dataset_keys[dataset_count] = g->data;
			g->d = datasets[dataset_count++];
		}
		if (!g->st && style_count < 8) {
			if (tilejob_style_load(g->style, &styles[style_count], &eb)) {
				snprintf(load_err, sizeof load_err, "%s: %s", g->name, eb.msg);
				return;
			}
			style_keys[style_count] = g->style;
			g->st = styles[style_count++];
		}
		if (!g->d || !g->st) {
			snprintf(load_err, sizeof load_err, "too many datasets or styles");
			return;
		}
	}
}

static void setup(void)
{
	load_all();
}

static void teardown(void)
{
	for (unsigned k = 0; k < dataset_count; k++)
		dataset_free(datasets[k]);
	for (unsigned k = 0; k < style_count; k++)
		style_free(styles[k]);
	text_font_close(font);
	dataset_count = style_count = 0;
	font = NULL;
}

/* Draws tile g as `yizhan render` does (the shared PNG when of one colour). */
static void draw(struct render_ws *w, const struct gtile *g, struct buf *png)
{
	struct render_data rd;
	tilejob_data(g->d, font, &rd);
	tilejob_coverage(g->d, g->mode, g->minutes, &rd);
	struct solid *solids;
	ck_assert_int_eq(solid_new(&solids), YZ_OK);
	struct tilejob_out made;
	buf_reset(png);
	ck_assert_int_eq(tilejob_render(w, &rd, g->st, &g->t, solids, png, &made), YZ_OK);
	ck_assert(!png->failed);
	solid_free(solids);
}

static void *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b, len);
}

static int write_all(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return (fclose(f) || n != len) ? -1 : 0;
}

/* The expected tile faded towards white and grey, differing pixels red. */
static int write_diff(const char *path, const uint8_t *exp, const uint8_t *act, unsigned w,
		      unsigned h)
{
	struct rast_canvas cv;
	if (rast_canvas_init(&cv, w, h))
		return -1;
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			const uint8_t *e = exp + 4 * ((size_t)y * w + x);
			const uint8_t *a = act + 4 * ((size_t)y * w + x);
			uint8_t *o = cv.px + (size_t)y * cv.stride + 4 * x;
			int d = 0;
			for (int c = 0; c < 4; c++)
				d = abs(e[c] - a[c]) > d ? abs(e[c] - a[c]) : d;
			if (d > GOLDEN_TOL) {
				o[0] = 255, o[1] = 0, o[2] = 0;
			} else {
				/* luminance over white, then lightened to a quarter */
				unsigned lum = (e[0] * 77u + e[1] * 150u + e[2] * 29u) >> 8;
				unsigned g = (lum * e[3] + 255u * (255u - e[3])) / 255u;
				o[0] = o[1] = o[2] = (uint8_t)(255u - (255u - g) / 4u);
			}
			o[3] = 255;
		}
	struct buf png;
	buf_init(&png);
	int rc = pngenc_rgba(&cv, &png, -1) || png.failed ? -1
							   : write_all(path, png.data, png.len);
	buf_fini(&png);
	rast_canvas_fini(&cv);
	return rc;
}

START_TEST(manifest_well_formed)
{
	ck_assert_msg(!manifest_err[0], "%s", manifest_err);
	ck_assert_uint_ge(tile_count, 1);
	int layers[TILE_LAYER_COUNT] = {0}, scales[3] = {0};
	for (unsigned i = 0; i < tile_count; i++) {
		ck_assert_msg(tiles[i].has_hash, "%s: no pixel hash yet: run make golden-update",
			      tiles[i].name);
		layers[tiles[i].t.layer]++;
		scales[tiles[i].t.scale]++;
	}
	/* the list covers both drawn layers and both sizes */
	ck_assert(layers[TILE_LAYER_MAP] && layers[TILE_LAYER_STATIONS]);
	ck_assert(scales[1] && scales[2]);
}
END_TEST

START_TEST(tile_matches)
{
	ck_assert_msg(!manifest_err[0], "%s", manifest_err);
	ck_assert_msg(!load_err[0], "%s", load_err);
	if ((unsigned)_i >= tile_count)
		return; /* the loop runs over GOLDEN_MAX at most */
	const struct gtile *g = &tiles[_i];

	char path[512];
	snprintf(path, sizeof path, "%s/expected/%s.png", GOLDEN_DIR, g->name);
	size_t elen = 0;
	void *epng = read_all(path, &elen);
	ck_assert_msg(epng, "%s: cannot read (make golden-update makes it)", path);
	uint8_t *exp = NULL, *act = NULL;
	unsigned ew, eh, aw, ah;
	ck_assert_int_eq(pngenc_decode_rgba(epng, elen, &exp, &ew, &eh), YZ_OK);
	free(epng);
	uint64_t eh64 = tilejob_pixel_hash(exp, (size_t)ew * eh * 4);
	ck_assert_msg(eh64 == g->hash,
		      "%s: pixels hash to %016llx, the manifest says %016llx: the PNG and the "
		      "manifest disagree (make golden-update, then review with git diff)",
		      path, (unsigned long long)eh64, (unsigned long long)g->hash);

	struct render_ws w;
	ck_assert_int_eq(render_ws_init(&w), YZ_OK);
	struct buf png;
	buf_init(&png);
	draw(&w, g, &png);
	ck_assert_int_eq(pngenc_decode_rgba(png.data, png.len, &act, &aw, &ah), YZ_OK);
	ck_assert_uint_eq(aw, 256u * g->t.scale);
	ck_assert_msg(aw == ew && ah == eh, "%s: %u×%u px, expected %u×%u", g->name, aw, ah, ew,
		      eh);

	size_t n = (size_t)aw * ah, bad = 0;
	int worst = 0;
	for (size_t p = 0; p < n; p++) {
		int d = 0, ea = exp[4 * p + 3], aa = act[4 * p + 3];
		for (int c = 0; c < 4; c++) {
			/* premultiplied: what the pixel adds over any background */
			int e = c == 3 ? ea : (exp[4 * p + c] * ea + 127) / 255;
			int a = c == 3 ? aa : (act[4 * p + c] * aa + 127) / 255;
			int v = abs(e - a);
			d = v > d ? v : d;
		}
		bad += d > GOLDEN_TOL;
		worst = d > worst ? d : worst;
	}
	if ((double)bad > GOLDEN_MAX_FRACTION * (double)n) {
		char apath[512], dpath[512];
		snprintf(apath, sizeof apath, "%s/%s.actual.png", GOLDEN_OUT, g->name);
		snprintf(dpath, sizeof dpath, "%s/%s.diff.png", GOLDEN_OUT, g->name);
		mkdir("tests/out", 0777);
		mkdir(GOLDEN_OUT, 0777);
		int wrote = !write_all(apath, png.data, png.len) && !write_diff(dpath, exp, act, aw, ah);
		ck_abort_msg("golden %s (%s, %s, %s): %zu of %zu pixels (%.3f %%) differ by more than "
			     "%d (at most %.1f %% may; worst %d); %s %s and %s; if the change is "
			     "intended: make golden-update, then review with git diff",
			     g->name, g->data, g->tile, g->style, bad, n, 100.0 * (double)bad / (double)n,
			     GOLDEN_TOL, 100.0 * GOLDEN_MAX_FRACTION, worst,
			     wrote ? "see" : "could not write", apath, dpath);
	}
	free(exp);
	free(act);
	buf_fini(&png);
	render_ws_fini(&w);
}
END_TEST

/* Second drawing: another thread, a fresh workspace, reverse order. */
struct redraw {
	struct buf png[GOLDEN_MAX];
	int failed;
};

static void *redraw_thread(void *arg)
{
	struct redraw *r = arg;
	struct render_ws w;
	if (render_ws_init(&w)) {
		r->failed = 1;
		return NULL;
	}
	struct render_data rd;
	for (unsigned i = tile_count; i-- > 0;) {
		tilejob_data(tiles[i].d, font, &rd);
		tilejob_coverage(tiles[i].d, tiles[i].mode, tiles[i].minutes, &rd);
		struct tilejob_out made;
		if (tilejob_render(&w, &rd, tiles[i].st, &tiles[i].t, NULL, &r->png[i], &made) ||
		    r->png[i].failed)
			r->failed = 1;
	}
	render_ws_fini(&w);
	return NULL;
}

START_TEST(deterministic)
{
	ck_assert_msg(!manifest_err[0], "%s", manifest_err);
	ck_assert_msg(!load_err[0], "%s", load_err);
	static struct redraw first, second;
	for (unsigned i = 0; i < tile_count; i++) {
		buf_init(&first.png[i]);
		buf_init(&second.png[i]);
	}
	struct render_ws w;
	ck_assert_int_eq(render_ws_init(&w), YZ_OK);
	struct render_data rd;
	for (unsigned i = 0; i < tile_count; i++) {
		tilejob_data(tiles[i].d, font, &rd);
		tilejob_coverage(tiles[i].d, tiles[i].mode, tiles[i].minutes, &rd);
		struct tilejob_out made;
		ck_assert_int_eq(tilejob_render(&w, &rd, tiles[i].st, &tiles[i].t, NULL,
						&first.png[i], &made),
				 YZ_OK);
	}
	render_ws_fini(&w);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, redraw_thread, &second), 0);
	pthread_join(th, NULL);
	ck_assert(!second.failed);
	for (unsigned i = 0; i < tile_count; i++) {
		ck_assert_msg(first.png[i].len == second.png[i].len &&
				      !memcmp(first.png[i].data, second.png[i].data, first.png[i].len),
			      "%s: drawn twice, the PNGs differ", tiles[i].name);
		buf_fini(&first.png[i]);
		buf_fini(&second.png[i]);
	}
}
END_TEST

/* Which chunk index a twin drawing leaves out. */
enum chunk_index { BORDER_CHUNKS, FILL_CHUNKS };

/* Draws golden tile i without the chunk index `which` (whole lines or
 * rings projected), then with it, and returns the largest difference of a
 * canvas byte; -1 for a tile without communities. */
static int chunk_index_worst(struct render_ws *w, unsigned i, enum chunk_index which)
{
	static uint8_t whole[512 * 512 * 4];
	struct render_data rd;
	tilejob_data(tiles[i].d, font, &rd);
	tilejob_coverage(tiles[i].d, tiles[i].mode, tiles[i].minutes, &rd);
	if (!rd.comm || !rd.comm->count)
		return -1;
	ck_assert_ptr_nonnull(rd.borders);
	const struct ringidx **slot = which == BORDER_CHUNKS ? &rd.border_idx : &rd.comm_ring_idx;
	const struct ringidx *ix = *slot;
	ck_assert_ptr_nonnull(ix);
	*slot = NULL;
	ck_assert_int_eq(render_tile(w, &rd, tiles[i].st, &tiles[i].t), YZ_OK);
	rast_canvas_settle(&w->canvas);
	size_t bytes = (size_t)w->canvas.h * w->canvas.stride;
	memcpy(whole, w->canvas.px, bytes);
	*slot = ix;
	ck_assert_int_eq(render_tile(w, &rd, tiles[i].st, &tiles[i].t), YZ_OK);
	rast_canvas_settle(&w->canvas);
	int worst = 0;
	for (size_t k = 0; k < bytes; k++) {
		int dv = abs((int)whole[k] - (int)w->canvas.px[k]);
		worst = dv > worst ? dv : worst;
	}
	return worst;
}

/* Community outlines drawn chunk by chunk (ringidx.h) show what the whole
 * border lines show: every golden tile drawn both ways.  Dashes may shift by
 * float rounding of their phase (a level or two of a pixel), nothing more. */
START_TEST(ring_chunks_same_pixels)
{
	ck_assert_msg(!manifest_err[0], "%s", manifest_err);
	ck_assert_msg(!load_err[0], "%s", load_err);
	struct render_ws w;
	ck_assert_int_eq(render_ws_init(&w), YZ_OK);
	unsigned compared = 0;
	for (unsigned i = 0; i < tile_count; i++) {
		int worst = chunk_index_worst(&w, i, BORDER_CHUNKS);
		if (worst < 0)
			continue;
		ck_assert_msg(worst <= 3, "%s: chunked outlines differ by %d", tiles[i].name, worst);
		compared++;
	}
	ck_assert_uint_gt(compared, 0);
	render_ws_fini(&w);
}
END_TEST

/* Community fills with the chunk index (project_fill_ring: chunks beyond
 * one side of the tile reduced to a point) draw exactly what whole rings
 * draw: every golden tile both ways, byte for byte. */
START_TEST(fill_chunks_same_pixels)
{
	ck_assert_msg(!manifest_err[0], "%s", manifest_err);
	ck_assert_msg(!load_err[0], "%s", load_err);
	struct render_ws w;
	ck_assert_int_eq(render_ws_init(&w), YZ_OK);
	unsigned compared = 0;
	for (unsigned i = 0; i < tile_count; i++) {
		int worst = chunk_index_worst(&w, i, FILL_CHUNKS);
		if (worst < 0)
			continue;
		ck_assert_msg(worst == 0, "%s: chunked fills differ by %d", tiles[i].name, worst);
		compared++;
	}
	ck_assert_uint_gt(compared, 0);
	render_ws_fini(&w);
}
END_TEST

Suite *golden_suite(void)
{
	read_manifest();
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("tiles");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, manifest_well_formed);
	tcase_add_loop_test(tc, tile_matches, 0, tile_count ? (int)tile_count : 1);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, ring_chunks_same_pixels);
	tcase_add_test(tc, fill_chunks_same_pixels);
	suite_add_tcase(s, tc);
	return s;
}
