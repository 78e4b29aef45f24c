/* e2e_cli.c — `yizhan render` and `yizhan seed`: a rendered tile is a PNG of
 * 256 or 512 px equal, byte for byte, to the server's answer for the same
 * tile and style (style by name or by path; the shared one-colour tiles too); seed
 * writes exactly the tiles of the box and zooms as LAYER/Z/X/Y.png and ends
 * with a one-line summary (or, with --tiles, exactly the listed tiles and their
 * timings); bad arguments exit 2 with a message, before any data is loaded. */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/support/e2e.h"
#include "tiles/pngenc.h"

Suite *cli_suite(void);

static struct sproc *srv;
static unsigned port;
static char tmp[256];

static void up(void)
{
	static const char *const args[] = {"serve", E2E_DATASET, "--port", "0", NULL};
	srv = e2e_serve(args);
	port = sproc_port(srv);
	ck_assert_msg(sproc_mkdtemp(tmp, sizeof tmp) == 0, "mkdtemp");
}

static void down(void)
{
	sproc_stop(srv, 6000);
	sproc_free(srv);
	srv = NULL;
	sproc_rmtree(tmp);
}

static struct sproc_result run(const char *const *args)
{
	struct sproc_result res;
	ck_assert_msg(sproc_run(args, 60000, &res) == 0, "cannot run %s", sproc_bin());
	return res;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap)
			b = realloc(b, cap *= 2);
	}
	fclose(f);
	*len = n;
	return b;
}

/* One tile both ways: `yizhan render` and GET /tiles/… */
struct case_ {
	const char *tile;   /* Z/X/Y[@2x] */
	const char *layer;  /* NULL: default (map) */
	const char *style;  /* --style value, NULL: default */
	const char *query;  /* the server's ?style=…, "" for the default */
	unsigned px;
};

START_TEST(render_equals_server)
{
	static const struct case_ cases[] = {
		{"15/27440/13389", NULL, NULL, "", 256},
		{"16/54881/26777@2x", "map", "dark", "?style=dark", 512},
		{"16/54881/26777", "map", "styles/dark.json", "?style=dark", 256},
		{"14/13718/6693", "stations", "light", "?style=light", 256},
		{"12/3420/1673@2x", "stations", NULL, "", 512}, /* empty: the shared tile */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct case_ *c = &cases[i];
		char out[512];
		snprintf(out, sizeof out, "%s/render-%zu.png", tmp, i);
		const char *args[12] = {"render", E2E_DATASET, c->tile, "-o", out};
		int n = 5;
		if (c->layer) {
			args[n++] = "--layer";
			args[n++] = c->layer;
		}
		if (c->style) {
			args[n++] = "--style";
			args[n++] = c->style;
		}
		struct sproc_result res = run(args);
		ck_assert_msg(res.status == 0, "render %s: exit %d\n%s", c->tile, res.status, res.err);
		ck_assert_msg(strstr(res.err, "wrote") != NULL, "render %s: stderr:\n%s", c->tile,
			      res.err);
		sproc_result_fini(&res);

		size_t len = 0;
		char *png = read_file(out, &len);
		ck_assert_msg(png != NULL, "%s: not written", out);
		uint8_t *px = NULL;
		unsigned w, h;
		ck_assert_int_eq(pngenc_decode_rgba(png, len, &px, &w, &h), YZ_OK);
		ck_assert_uint_eq(w, c->px);
		ck_assert_uint_eq(h, c->px);
		free(px);

		char target[256];
		const char *at = strchr(c->tile, '@');
		snprintf(target, sizeof target, "/tiles/%s/%.*s%s.png%s", c->layer ? c->layer : "map",
			 at ? (int)(at - c->tile) : (int)strlen(c->tile), c->tile, at ? "@2x" : "",
			 c->query);
		struct hc_response r = {0};
		ck_assert_why(e2e_get(port, target, 200, &r));
		ck_assert_msg(r.body_len == len && !memcmp(r.body, png, len),
			      "%s: render wrote %zu bytes, the server sent %zu, not the same", target,
			      len, r.body_len);
		hc_response_fini(&r);
		free(png);
	}
}
END_TEST

static unsigned files_seen;

static int count_file(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)path;
	(void)sb;
	(void)ftw;
	files_seen += type == FTW_F;
	return 0;
}

/* Tile column and row of a point (Web Mercator, as SPEC §5). */
static unsigned col(double lon, unsigned z)
{
	return (unsigned)floor((lon + 180.0) / 360.0 * (double)(1u << z));
}

static unsigned row(double lat, unsigned z)
{
	double r = lat * M_PI / 180.0;
	return (unsigned)floor((1.0 - asinh(tan(r)) / M_PI) / 2.0 * (double)(1u << z));
}

START_TEST(seed_writes_the_box)
{
	const double w = 121.465, s = 31.225, e = 121.49, n = 31.245;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/seed", tmp);
	const char *const args[] = {"seed", E2E_DATASET, "--bbox", "121.465,31.225,121.49,31.245",
				    "--zooms", "12-15", "-o", dir, NULL};
	struct sproc_result res = run(args);
	ck_assert_msg(res.status == 0, "seed: exit %d\n%s", res.status, res.err);

	unsigned expect = 0;
	for (unsigned z = 12; z <= 15; z++)
		for (unsigned x = col(w, z); x <= col(e, z); x++)
			for (unsigned y = row(n, z); y <= row(s, z); y++) {
				char path[640];
				snprintf(path, sizeof path, "%s/map/%u/%u/%u.png", dir, z, x, y);
				struct stat sb;
				ck_assert_msg(stat(path, &sb) == 0 && sb.st_size > 0, "%s missing", path);
				expect++;
			}
	ck_assert_uint_ge(expect, 10);
	files_seen = 0;
	ck_assert_int_eq(nftw(dir, count_file, 16, FTW_PHYS), 0);
	ck_assert_msg(files_seen == expect, "%u files written, %u expected", files_seen, expect);

	/* the one-line summary, and no progress bar when stderr is not a terminal */
	char want[64];
	snprintf(want, sizeof want, "yizhan seed: %u tiles (", expect);
	const char *line = strstr(res.err, want);
	ck_assert_msg(line != NULL, "no summary \"%s…\" in stderr:\n%s", want, res.err);
	ck_assert_msg(strstr(line, "of one colour") && strstr(line, "bytes") && strstr(line, "tiles/s"),
		      "summary: %s", line);
	ck_assert_msg(strchr(res.err, '\r') == NULL, "progress bar on a pipe:\n%s", res.err);
	sproc_result_fini(&res);

	/* A seeded tile is the rendered one. */
	char one[640], two[640];
	snprintf(one, sizeof one, "%s/map/15/%u/%u.png", dir, col(w, 15), row(n, 15));
	snprintf(two, sizeof two, "%s/one.png", tmp);
	char tile[64];
	snprintf(tile, sizeof tile, "15/%u/%u", col(w, 15), row(n, 15));
	const char *const r1[] = {"render", E2E_DATASET, tile, "-o", two, NULL};
	res = run(r1);
	ck_assert_msg(res.status == 0, "render: %d\n%s", res.status, res.err);
	sproc_result_fini(&res);
	size_t la, lb;
	char *a = read_file(one, &la), *b = read_file(two, &lb);
	ck_assert(a && b);
	ck_assert_msg(la == lb && !memcmp(a, b, la), "%s differs from yizhan render %s", one, tile);
	free(a);
	free(b);

	/* The stations layer, one zoom: one-colour (here empty) tiles are
	 * counted and written. */
	const char *const st[] = {"seed", E2E_DATASET, "--bbox", "121.0,31.0,121.9,31.5",
				  "--zooms", "11", "--layer", "stations", "-o", dir, NULL};
	res = run(st);
	ck_assert_msg(res.status == 0, "seed stations: exit %d\n%s", res.status, res.err);
	unsigned tiles = 0, empty = 0;
	line = strstr(res.err, "yizhan seed: ");
	ck_assert_msg(line && sscanf(line, "yizhan seed: %u tiles (%u of one colour)", &tiles, &empty) == 2,
		      "stderr:\n%s", res.err);
	ck_assert_uint_eq(tiles, (col(121.9, 11) - col(121.0, 11) + 1) *
					 (row(31.0, 11) - row(31.5, 11) + 1));
	ck_assert_uint_gt(empty, 0);
	ck_assert_uint_lt(empty, tiles);
	sproc_result_fini(&res);
}
END_TEST

/* --tiles: exactly the listed tiles, in order, each equal to the box seed's
 * copy; --timings gets one line per tile; a bad list or a list with a box is
 * refused with exit 2 before any data is loaded. */
START_TEST(seed_tile_list)
{
	char list[512], times[512], dir[512], box[512];
	snprintf(list, sizeof list, "%s/tiles.txt", tmp);
	snprintf(times, sizeof times, "%s/times.txt", tmp);
	snprintf(dir, sizeof dir, "%s/list", tmp);
	snprintf(box, sizeof box, "%s/box", tmp);
	static const char *const tiles[] = {"15/27440/13389", "12/3430/1673", "14/13720/6694"};
	FILE *f = fopen(list, "w");
	ck_assert(f != NULL);
	fprintf(f, "# three tiles\n%s\n\n%s\r\n%s\n", tiles[0], tiles[1], tiles[2]);
	ck_assert_int_eq(fclose(f), 0);

	const char *const args[] = {"seed", E2E_DATASET, "--tiles", list, "--timings", times,
				    "-o", dir, NULL};
	struct sproc_result res = run(args);
	ck_assert_msg(res.status == 0, "seed --tiles: exit %d\n%s", res.status, res.err);
	ck_assert_msg(strstr(res.err, "yizhan seed: 3 tiles (") != NULL, "stderr:\n%s", res.err);
	sproc_result_fini(&res);
	files_seen = 0;
	ck_assert_int_eq(nftw(dir, count_file, 16, FTW_PHYS), 0);
	ck_assert_uint_eq(files_seen, 3);

	f = fopen(times, "r");
	ck_assert(f != NULL);
	for (size_t i = 0; i < 3; i++) {
		char tile[64];
		double ms, cpu_ms;
		unsigned long bytes;
		int solid;
		ck_assert_int_eq(fscanf(f, "%63s %lf %lf %lu %d", tile, &ms, &cpu_ms, &bytes, &solid), 5);
		ck_assert_str_eq(tile, tiles[i]);
		ck_assert(ms >= 0 && cpu_ms >= 0 && bytes > 0 && (solid == 0 || solid == 1));
	}
	char extra[8];
	ck_assert_int_eq(fscanf(f, "%7s", extra), EOF);
	fclose(f);

	/* the z15 tile (tiles[0]) as the box seed draws it */
	ck_assert_uint_eq(col(121.465, 15), 27440);
	ck_assert_uint_eq(row(31.2251, 15), 13389);
	const char *const b[] = {"seed", E2E_DATASET, "--bbox", "121.465,31.225,121.4651,31.2251",
				 "--zooms", "15", "-o", box, NULL};
	res = run(b);
	ck_assert_msg(res.status == 0, "seed box: exit %d\n%s", res.status, res.err);
	sproc_result_fini(&res);
	char one[640], two[640];
	snprintf(one, sizeof one, "%s/map/15/%u/%u.png", dir, col(121.465, 15), row(31.2251, 15));
	snprintf(two, sizeof two, "%s/map/15/%u/%u.png", box, col(121.465, 15), row(31.2251, 15));
	size_t la, lb;
	char *pa = read_file(one, &la), *pb = read_file(two, &lb);
	ck_assert_msg(pa && pb, "%s or %s missing", one, two);
	ck_assert_msg(la == lb && !memcmp(pa, pb, la), "%s differs from %s", one, two);
	free(pa);
	free(pb);

	/* refused: a bad line, a missing list, a list and a box together */
	f = fopen(list, "w");
	ck_assert(f != NULL);
	fprintf(f, "15/27440/13389\n15/99999/1\n");
	ck_assert_int_eq(fclose(f), 0);
	char missing[512];
	snprintf(missing, sizeof missing, "%s/none.txt", tmp);
	const char *const bad[][10] = {
		{"seed", E2E_DATASET, "--tiles", list, "-o", dir, NULL},
		{"seed", E2E_DATASET, "--tiles", missing, "-o", dir, NULL},
		{"seed", E2E_DATASET, "--tiles", list, "--zooms", "12", "-o", dir, NULL},
		{"seed", E2E_DATASET, "--tiles", list, NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		res = run(bad[i]);
		ck_assert_msg(res.status == 2, "bad case %zu: exit %d\n%s", i, res.status, res.err);
		ck_assert_msg(strstr(res.err, "yizhan seed") && !strstr(res.err, "warning"),
			      "bad case %zu: stderr:\n%s", i, res.err);
		sproc_result_fini(&res);
	}
}
END_TEST

START_TEST(bad_arguments_exit_2)
{
	static const char *const bad[][12] = {
		{"render", E2E_DATASET, "15/27440/13389", NULL},                    /* no -o */
		{"render", E2E_DATASET, "-o", "x.png", NULL},                       /* no tile */
		{"render", E2E_DATASET, "15/99999/1", "-o", "x.png", NULL},         /* x out of range */
		{"render", E2E_DATASET, "21/0/0", "-o", "x.png", NULL},             /* zoom */
		{"render", E2E_DATASET, "15/1/1", "--layer", "roads", "-o", "x.png", NULL},
		{"render", E2E_DATASET, "15/1/1", "--layer", "coverage", "--minutes", "0", "-o", "x.png", NULL},
		{"render", E2E_DATASET, "15/1/1", "--layer", "coverage", "--minutes", "61", "-o", "x.png", NULL},
		{"render", E2E_DATASET, "15/1/1", "--layer", "coverage", "--mode", "boat", "-o", "x.png", NULL},
		{"render", E2E_DATASET, "15/1/1", "--style", "nosuch", "-o", "x.png", NULL},
		{"render", E2E_DATASET, "15/1/1", "--style", "../etc", "-o", "x.png", NULL},
		{"render", E2E_DATASET, "15/1/1", "--style", NULL},                 /* no value */
		{"render", E2E_DATASET, "15/1/1", "--bbox", "1,2,3,4", "-o", "x.png", NULL},
		{"seed", E2E_DATASET, "--zooms", "12-14", "-o", "d", NULL},         /* no --bbox */
		{"seed", E2E_DATASET, "--bbox", "1,2,3,4", "-o", "d", NULL},        /* no --zooms */
		{"seed", E2E_DATASET, "--bbox", "1,2,3,4", "--zooms", "12", NULL},  /* no -o */
		{"seed", E2E_DATASET, "--bbox", "1,2,3", "--zooms", "12", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "5,2,3,4", "--zooms", "12", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "1,2,3,x", "--zooms", "12", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "1,2,3,95", "--zooms", "12", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "1,2,3,4", "--zooms", "14-12", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "1,2,3,4", "--zooms", "12-21", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "1,2,3,4", "--zooms", "a", "-o", "d", NULL},
		{"seed", E2E_DATASET, "--bbox", "-180,-85,180,85", "--zooms", "0-16", "-o", "d", NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sproc_result res = run(bad[i]);
		char cmd[256] = "";
		for (size_t k = 0; bad[i][k]; k++) {
			strncat(cmd, " ", sizeof cmd - strlen(cmd) - 1);
			strncat(cmd, bad[i][k], sizeof cmd - strlen(cmd) - 1);
		}
		ck_assert_msg(res.status == 2, "yizhan%s: exit %d, stderr:\n%s", cmd, res.status,
			      res.err);
		ck_assert_msg(strstr(res.err, "yizhan") != NULL, "yizhan%s: no message", cmd);
		ck_assert_msg(strstr(res.err, "wrote") == NULL && strstr(res.err, "warning") == NULL,
			      "yizhan%s: went on:\n%s", cmd, res.err);
		sproc_result_fini(&res);
	}
	struct stat sb;
	ck_assert(stat("x.png", &sb) != 0 && stat("d", &sb) != 0);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("render_seed");
	tcase_add_unchecked_fixture(tc, up, down);
	tcase_set_timeout(tc, 2 * E2E_TEST_TIMEOUT_S);
	tcase_add_test(tc, render_equals_server);
	tcase_add_test(tc, seed_writes_the_box);
	tcase_add_test(tc, seed_tile_list);
	tcase_add_test(tc, bad_arguments_exit_2);
	suite_add_tcase(s, tc);
	return s;
}
