/* main.c — the `yizhan` program: command-line parsing and the commands.
 *
 *   yizhan serve [DATASET_DIR | --roads F --stations F [--communities F] [--crs C]
 *                 | --snapshot F] [--port N] [--host H] [--threads N] [--web DIR]
 *   yizhan build [data arguments] -o FILE
 *   yizhan info  [data arguments | --snapshot F]
 *   yizhan render [data arguments] Z/X/Y[@2x] [--layer L] [--style S] -o FILE.png
 *   yizhan seed [data arguments] --bbox W,S,E,N --zooms Z0-Z1 [--layer L] [--style S] -o DIR
 *   yizhan seed [data arguments] --tiles LIST [--timings FILE] [--layer L] [--style S] -o DIR
 *
 * Signals: the serving process blocks SIGTERM/SIGINT/SIGHUP in every thread
 * and waits for them in main with sigwait, so handlers never run inside
 * library code.  SIGTERM drains requests in flight (bounded) and exits;
 * SIGHUP rebuilds the dataset beside the old one and swaps it in. */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "common/geo.h"
#include "common/buf.h"
#include "dataset.h"
#include "http.h"
#include "tilejob.h"
#include "tiles/pngenc.h"
#include "tiles/style.h"
#include "tiles/text.h"
#include "workspace.h"

#define DEFAULT_DATASET "data/shanghai"
#define DRAIN_MS 5000

struct args {
	const char *command;
	struct dataset_sources src;
	const char *snapshot;
	const char *out;
	const char *host;
	const char *web;
	const char *mode;        /* export-edges */
	const char *styles;      /* serve: folder of tile styles */
	const char *tile;        /* render: Z/X/Y[@2x] */
	const char *layer;       /* render, seed: map | stations | coverage */
	const char *minutes;     /* render, seed: the coverage layer's limit */
	const char *style;       /* render, seed: a style file or name */
	const char *bbox;        /* seed: W,S,E,N */
	const char *zooms;       /* seed: Z0-Z1 or Z */
	const char *tiles;       /* seed: a file of Z/X/Y lines instead of box and zooms */
	const char *timings;     /* seed: per-tile drawing times written here */
	unsigned port, threads;
	unsigned tile_cache_mb;  /* serve: --tile-cache-mb, 0 = no cache */
	unsigned max_conn, max_client_conn, timeout_s;  /* serve: limits, 0 = default */
	unsigned max_url, max_body, header_kb;          /* serve: request limits, 0 = default */
	const char *admin_token_file;                   /* serve */
	struct buf query;        /* query commands: --key value → key=value&… */
};

static void usage(FILE *f)
{
	fputs("yizhan — 驿站 map-tile and routing server\n"
	      "\n"
	      "usage:\n"
	      "  yizhan serve [DATA] [--port N] [--host H] [--threads N] [--web DIR] [--styles DIR]\n"
	      "        [--tile-cache-mb N] [--max-connections N] [--max-client-connections N]\n"
	      "        [--timeout S] [--max-url-bytes N] [--max-body-bytes N] [--max-header-kb N]\n"
	      "        [--admin-token-file F]\n"
	      "        serve the map page and the API (default: the bundled dataset "
	      DEFAULT_DATASET ");\n"
	      "        rendered tiles are cached in N MiB (default 256, 0 = no cache);\n"
	      "        connections: 1024 in all, 256 per client address, idle timeout 15 s;\n"
	      "        requests: URL 4096 bytes, body 64 KiB, headers 64 KiB;\n"
	      "        POST /admin/reload needs the token in F (or $YIZHAN_ADMIN_TOKEN)\n"
	      "  yizhan build [DATA] -o FILE     compile DATA into a snapshot file\n"
	      "  yizhan info  [DATA]             print the dataset summary as JSON\n"
	      "  yizhan route [DATA] --from LON,LAT --to LON,LAT [--mode M]\n"
	      "  yizhan nearest [DATA] --lon LON --lat LAT [--k N] [--service a,b] [--mode M]\n"
	      "        the API's JSON on stdout; every --name value is the API parameter\n"
	      "  yizhan isochrone [DATA] --lon LON --lat LAT [--minutes 5,10,15] [--direction to]\n"
	      "  yizhan coverage [DATA] [--mode M] [--minutes 15] [--gaps 0] [--format csv|geojson]\n"
	      "        covered road length in total and per community, and the gaps\n"
	      "  yizhan suggest [DATA] [--mode M] [--minutes 15] [--k 3] [--format csv|geojson]\n"
	      "        the next k station sites, greedy maximum coverage\n"
	      "  yizhan export-edges [DATA] --mode M -o FILE.csv   a mode's graph as CSV (benchmarks)\n"
	      "  yizhan render [DATA] Z/X/Y[@2x] [--layer map|stations|coverage] [--style S]\n"
	      "        [--mode M] [--minutes 15] -o FILE.png\n"
	      "        draw one tile as the server does; S is a style file or a name\n"
	      "        (styles/S.json; default light)\n"
	      "  yizhan seed [DATA] --bbox W,S,E,N --zooms Z0-Z1 [--layer L] [--style S] -o DIR\n"
	      "        draw every tile of the zooms covering the box into DIR/LAYER/Z/X/Y.png\n"
	      "  yizhan seed [DATA] --tiles LIST [--timings FILE] [--layer L] [--style S] -o DIR\n"
	      "        the same for the tiles listed in LIST (one Z/X/Y a line, in that order);\n"
	      "        FILE gets each tile's drawing + encoding time: Z/X/Y MS CPU_MS BYTES EMPTY\n"
	      "  yizhan --help                   this text\n"
	      "\n"
	      "DATA is one of:\n"
	      "  DATASET_DIR                     a folder with dataset.conf\n"
	      "  --roads FILE [--stations FILE] [--communities FILE] [--crs CRS]\n"
	      "  --snapshot FILE                 a snapshot made by `yizhan build`\n"
	      "\n"
	      "Modes: walk, ebike (default), car.\n"
	      "Map data © OpenStreetMap contributors.\n",
	      f);
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	/* digits only: no sign, no spaces, no hex */
	unsigned long v = 0;
	if (!*s)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s > 9)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static const char *const query_commands[] = {"route", "nearest", "isochrone", "coverage",
					     "suggest", NULL};

static int is_query_command(const char *c)
{
	for (const char *const *q = query_commands; *q; q++)
		if (!strcmp(c, *q))
			return 1;
	return 0;
}

static void url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == ',' || c == '~') {
			buf_addc(b, (char)c);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

static int is_tile_command(const char *c)
{
	return !strcmp(c, "render") || !strcmp(c, "seed");
}

/* "14/13722/6697" or "…@2x": digits and slashes, the shape of a tile address
 * (the numbers are checked by tilepath_parse). */
static int looks_like_tile(const char *s)
{
	size_t n = strspn(s, "0123456789/");
	return n > 0 && (!s[n] || !strcmp(s + n, "@2x")) && strchr(s, '/');
}

/* The options that take a whole number: the args field and the range. */
struct num_opt {
	const char *name;
	size_t field;
	unsigned lo, hi;
};

static const struct num_opt num_opts[] = {
	{"--port", offsetof(struct args, port), 0, 65535},
	{"--threads", offsetof(struct args, threads), 0, 256},
	/* 1 TiB: a typo guard, not a real limit */
	{"--tile-cache-mb", offsetof(struct args, tile_cache_mb), 0, 1u << 20},
	{"--max-connections", offsetof(struct args, max_conn), 1, 1000000},
	{"--max-client-connections", offsetof(struct args, max_client_conn), 1, 1000000},
	{"--timeout", offsetof(struct args, timeout_s), 1, 3600},
	{"--max-url-bytes", offsetof(struct args, max_url), 256, HTTP_MAX_URL},
	{"--max-body-bytes", offsetof(struct args, max_body), 1, HTTP_MAX_BODY_LIMIT},
	{"--max-header-kb", offsetof(struct args, header_kb), 16, HTTP_HEADER_KB_LIMIT},
};

static const struct num_opt *num_option(const char *o)
{
	for (size_t i = 0; i < sizeof num_opts / sizeof num_opts[0]; i++)
		if (!strcmp(o, num_opts[i].name))
			return &num_opts[i];
	return NULL;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	buf_init(&a->query);
	a->port = 8080;
	a->tile_cache_mb = 256;
	a->host = "127.0.0.1";
	a->src.progress = isatty(STDERR_FILENO);
	if (argc < 2)
		return -1;
	a->command = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		const struct num_opt *no;
#define TAKE(field)                                                          \
	do {                                                                 \
		if (!v) {                                                    \
			fprintf(stderr, "yizhan: %s needs a value\n", o);    \
			return -1;                                           \
		}                                                            \
		field = v;                                                   \
		i++;                                                         \
	} while (0)
		if (!strcmp(o, "--roads"))
			TAKE(a->src.roads);
		else if (!strcmp(o, "--stations"))
			TAKE(a->src.stations);
		else if (!strcmp(o, "--communities"))
			TAKE(a->src.communities);
		else if (!strcmp(o, "--crs"))
			TAKE(a->src.crs);
		else if (!strcmp(o, "--snapshot"))
			TAKE(a->snapshot);
		else if (!strcmp(o, "-o") || !strcmp(o, "--output"))
			TAKE(a->out);
		else if (!strcmp(o, "--host"))
			TAKE(a->host);
		else if (!strcmp(o, "--web"))
			TAKE(a->web);
		else if (!strcmp(o, "--styles"))
			TAKE(a->styles);
		else if (!strcmp(o, "--mode") && !is_query_command(a->command))
			TAKE(a->mode);
		else if (!strcmp(o, "--layer") && is_tile_command(a->command))
			TAKE(a->layer);
		else if (!strcmp(o, "--style") && is_tile_command(a->command))
			TAKE(a->style);
		else if (!strcmp(o, "--minutes") && is_tile_command(a->command))
			TAKE(a->minutes);
		else if (!strcmp(o, "--bbox") && !strcmp(a->command, "seed"))
			TAKE(a->bbox);
		else if (!strcmp(o, "--zooms") && !strcmp(a->command, "seed"))
			TAKE(a->zooms);
		else if (!strcmp(o, "--tiles") && !strcmp(a->command, "seed"))
			TAKE(a->tiles);
		else if (!strcmp(o, "--timings") && !strcmp(a->command, "seed"))
			TAKE(a->timings);
		else if ((no = num_option(o))) {
			const char *val = NULL;
			TAKE(val);
			unsigned x;
			if (parse_uint(val, no->hi, &x) || x < no->lo) {
				fprintf(stderr, "yizhan: %s: a number from %u to %u, not %s\n", o, no->lo,
					no->hi, val);
				return -1;
			}
			*(unsigned *)((char *)a + no->field) = x;
		} else if (!strcmp(o, "--admin-token-file")) {
			TAKE(a->admin_token_file);
		} else if (o[0] == '-' && o[1] == '-' && o[2] && v && is_query_command(a->command)) {
			/* --lon 121.47 → lon=121.47, the API's own parameter names */
			if (a->query.len)
				buf_addc(&a->query, '&');
			url_encode(&a->query, o + 2);
			buf_addc(&a->query, '=');
			url_encode(&a->query, v);
			i++;
		} else if (o[0] == '-') {
			fprintf(stderr, "yizhan: unknown option %s\n", o);
			return -1;
		} else if (!strcmp(a->command, "render") && !a->tile && looks_like_tile(o)) {
			a->tile = o;
		} else if (!a->src.dir) {
			a->src.dir = o;
		} else {
			fprintf(stderr, "yizhan: unexpected argument %s\n", o);
			return -1;
		}
#undef TAKE
	}
	if (a->src.dir && (a->src.roads || a->snapshot)) {
		fprintf(stderr, "yizhan: give a dataset folder, --roads or --snapshot, not several\n");
		return -1;
	}
	if (!a->src.dir && !a->src.roads && !a->snapshot)
		a->src.dir = DEFAULT_DATASET;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static enum yz_err load(const struct args *a, struct dataset **out, struct yz_errbuf *eb)
{
	if (a->snapshot)
		return dataset_open_snapshot(a->snapshot, out, eb);
	return dataset_build(&a->src, out, eb);
}

static void summary_line(const struct dataset *d, double secs)
{
	fprintf(stderr,
		"yizhan: %s — %u stations, %u communities, %u junctions, arcs walk %u / "
		"ebike %u / car %u, %u warnings, %.2f s%s\n",
		d->name, d->station_count, d->comm.count, d->net.node_count,
		d->graph[MODE_WALK].arc_count, d->graph[MODE_EBIKE].arc_count,
		d->graph[MODE_CAR].arc_count, report_total(&d->report), secs,
		d->from_snapshot ? " (snapshot)" : "");
	for (int w = 0; w < LW_COUNT; w++)
		for (unsigned k = 0; k < d->report.count[w] && k < 3; k++)
			fprintf(stderr, "  warning: %s\n", d->report.msg[w][k]);
}

static int cmd_build(const struct args *a)
{
	if (!a->out) {
		fprintf(stderr, "yizhan build: -o FILE is required\n");
		return 2;
	}
	double t0 = now_s();
	struct dataset *d;
	struct yz_errbuf eb;
	if (load(a, &d, &eb)) {
		fprintf(stderr, "yizhan build: %s\n", eb.msg);
		return 1;
	}
	enum yz_err err = dataset_save(d, a->out, &eb);
	summary_line(d, now_s() - t0);
	dataset_free(d);
	if (err) {
		fprintf(stderr, "yizhan build: %s\n", eb.msg);
		return 1;
	}
	fprintf(stderr, "yizhan: wrote %s\n", a->out);
	return 0;
}

/* export-edges: one mode's graph as CSV, one row per segment with its cost
 * each way (-1 when not allowed), for loading the very same graph into
 * other routing engines in benchmarks (scripts/bench/). */
static int cmd_export_edges(const struct args *a)
{
	int m = mode_parse(a->mode ? a->mode : "ebike");
	if (m < 0 || !a->out) {
		fprintf(stderr, "yizhan export-edges: needs --mode walk|ebike|car and -o FILE\n");
		return 2;
	}
	struct dataset *d;
	struct yz_errbuf eb;
	if (load(a, &d, &eb)) {
		fprintf(stderr, "yizhan export-edges: %s\n", eb.msg);
		return 1;
	}
	FILE *f = fopen(a->out, "w");
	if (!f) {
		fprintf(stderr, "yizhan export-edges: %s: cannot write\n", a->out);
		dataset_free(d);
		return 1;
	}
	const struct network *n = &d->net;
	const struct graph *g = &d->graph[m];
	fprintf(f, "id,source,target,cost_s,reverse_cost_s,length_m,x1,y1,x2,y2\n");
	for (uint32_t s = 0; s < n->seg_count; s++) {
		uint8_t dirs = g->seg_dirs[s];
		if (!dirs)
			continue;
		double t = g->seg_time_ms[s] / 1000.0;
		fprintf(f, "%u,%u,%u,%.3f,%.3f,%.2f,%.7f,%.7f,%.7f,%.7f\n", s + 1, n->seg_from[s] + 1,
			n->seg_to[s] + 1, dirs & DIR_FWD ? t : -1.0, dirs & DIR_BWD ? t : -1.0,
			n->seg_length_m[s], geo_from_e7(n->node_lon_e7[n->seg_from[s]]),
			geo_from_e7(n->node_lat_e7[n->seg_from[s]]),
			geo_from_e7(n->node_lon_e7[n->seg_to[s]]),
			geo_from_e7(n->node_lat_e7[n->seg_to[s]]));
	}
	int bad = fclose(f) != 0;
	dataset_free(d);
	return bad;
}

static int cmd_info(const struct args *a)
{
	struct dataset *d;
	struct yz_errbuf eb;
	if (load(a, &d, &eb)) {
		fprintf(stderr, "yizhan info: %s\n", eb.msg);
		return 1;
	}
	struct buf out;
	buf_init(&out);
	api_write_summary(d, &out);
	if (!out.failed)
		printf("%s\n", out.data);
	buf_fini(&out);
	dataset_free(d);
	return 0;
}

/* ---- render and seed: tiles without a server ---------------------------- */

/* What both commands draw with: the server's own setup (dataset, style,
 * font, the thread's render workspace, the shared one-colour tiles) and its
 * drawing path (server/tilejob.c), so a tile is the server's byte for byte. */
struct tilectx {
	struct dataset *d;
	struct style *st;
	struct text_font *font;
	struct render_data rd;
	struct render_ws *w;
	struct solid *solids;
	enum tile_layer layer;
};

static int parse_layer(const char *cmd, const char *s, enum tile_layer *out)
{
	if (!s || !strcmp(s, "map"))
		*out = TILE_LAYER_MAP;
	else if (!strcmp(s, "stations"))
		*out = TILE_LAYER_STATIONS;
	else if (!strcmp(s, "coverage"))
		*out = TILE_LAYER_COVERAGE;
	else {
		fprintf(stderr, "yizhan %s: --layer must be map, stations or coverage, not \"%s\"\n",
			cmd, s);
		return -1;
	}
	return 0;
}

static void tilectx_close(struct tilectx *c)
{
	solid_free(c->solids);
	text_font_close(c->font);
	style_free(c->st);
	dataset_free(c->d);
}

/* 0, or the exit status: 2 for a bad style, 1 when the data cannot be
 * loaded or memory is short.  The font is optional, as in the server. */
static int tilectx_open(const struct args *a, struct tilectx *c)
{
	memset(c, 0, sizeof *c);
	struct yz_errbuf eb;
	/* the coverage layer's mode and limit, as the tile URL's parameters */
	int mode = a->mode ? mode_parse(a->mode) : MODE_EBIKE;
	double minutes = API_DEFAULT_MINUTES;
	if (mode < 0) {
		fprintf(stderr, "yizhan %s: --mode must be walk, ebike or car, not \"%s\"\n", a->command,
			a->mode);
		return 2;
	}
	if (a->minutes &&
	    (query_double("minutes", a->minutes, 0, API_MAX_MINUTES, &minutes, &eb) || !(minutes > 0))) {
		fprintf(stderr, "yizhan %s: --minutes must be a number in (0, 60], not \"%s\"\n",
			a->command, a->minutes);
		return 2;
	}
	if (tilejob_style_load(a->style, &c->st, &eb)) {
		fprintf(stderr, "yizhan %s: %s\n", a->command, eb.msg);
		return 2;
	}
	if (load(a, &c->d, &eb)) {
		fprintf(stderr, "yizhan %s: %s\n", a->command, eb.msg);
		tilectx_close(c);
		return 1;
	}
	if (text_font_open(TEXT_FONT_DEFAULT, TEXT_FACE_DEFAULT, &c->font, &eb))
		fprintf(stderr, "yizhan: tiles without labels: %s\n", eb.msg);
	tilejob_data(c->d, c->font, &c->rd);
	tilejob_coverage(c->d, (enum mode)mode, minutes, &c->rd);
	c->w = workspace_render();
	if (!c->w || solid_new(&c->solids)) {
		fprintf(stderr, "yizhan %s: out of memory\n", a->command);
		tilectx_close(c);
		return 1;
	}
	return 0;
}

static enum yz_err tilectx_draw(struct tilectx *c, const struct tile_req *t, struct buf *png,
				struct tilejob_out *made)
{
	buf_reset(png);
	enum yz_err err = tilejob_render(c->w, &c->rd, c->st, t, c->solids, png, made);
	return !err && png->failed ? YZ_ENOMEM : err;
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	int bad = fclose(f) != 0 || n != len;
	return bad ? -1 : 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
	char p[4096];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return -1;
	for (char *q = p + 1;; q++) {
		if (*q == '/' || !*q) {
			char c = *q;
			*q = 0;
			if (mkdir(p, 0777) && errno != EEXIST)
				return -1;
			*q = c;
			if (!c)
				return 0;
		}
	}
}

static int cmd_render(const struct args *a)
{
	enum tile_layer layer;
	if (!a->tile || !a->out) {
		fprintf(stderr, "yizhan render: needs a tile Z/X/Y[@2x] and -o FILE.png\n");
		return 2;
	}
	if (parse_layer("render", a->layer, &layer))
		return 2;
	char path[128];
	snprintf(path, sizeof path, "%s/%.60s.png", tile_layer_name(layer), a->tile);
	struct tile_req t;
	struct yz_errbuf eb;
	if (tilepath_parse(path, &t, &eb)) {
		fprintf(stderr, "yizhan render: %s\n", eb.msg);
		return 2;
	}
	struct tilectx c;
	int rc = tilectx_open(a, &c);
	if (rc)
		return rc;
	struct buf png;
	buf_init(&png);
	struct tilejob_out made;
	uint8_t *px = NULL;
	unsigned w = 0, h = 0;
	if (tilectx_draw(&c, &t, &png, &made) || pngenc_decode_rgba(png.data, png.len, &px, &w, &h)) {
		fprintf(stderr, "yizhan render: out of memory\n");
		rc = 1;
	} else if (write_file(a->out, png.data, png.len)) {
		fprintf(stderr, "yizhan render: %s: cannot write: %s\n", a->out, strerror(errno));
		rc = 1;
	} else {
		/* the pixel hash is the golden manifest's (scripts/golden-update) */
		fprintf(stderr, "yizhan: wrote %s — %s, %s, %u×%u px, %zu bytes%s, pixels %016llx\n",
			a->out, path, style_name(c.st), w, h, png.len,
			made.empty ? ", empty" : made.solid ? ", one colour" : "",
			(unsigned long long)tilejob_pixel_hash(px, (size_t)w * h * 4));
	}
	free(px);
	buf_fini(&png);
	tilectx_close(&c);
	return rc;
}

/* Typo guard: a world-wide box at z16 would be 4 billion tiles. */
#define SEED_MAX_TILES 10000000ull

static int parse_bbox(const char *s, double bb[4])
{
	const char *p = s;
	for (int i = 0; i < 4; i++) {
		char *end;
		errno = 0;
		bb[i] = strtod(p, &end);
		if (end == p || errno || !isfinite(bb[i]) || *end != (i < 3 ? ',' : '\0'))
			return -1;
		p = end + 1;
	}
	return bb[0] >= -180 && bb[2] <= 180 && bb[0] <= bb[2] && bb[1] >= -90 && bb[3] <= 90 &&
			       bb[1] <= bb[3]
		       ? 0
		       : -1;
}

static int parse_zooms(const char *s, unsigned *z0, unsigned *z1)
{
	char lo[8];
	const char *dash = strchr(s, '-');
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	if (n >= sizeof lo)
		return -1;
	memcpy(lo, s, n);
	lo[n] = 0;
	if (parse_uint(lo, TILE_MAX_ZOOM, z0))
		return -1;
	if (!dash)
		*z1 = *z0;
	else if (parse_uint(dash + 1, TILE_MAX_ZOOM, z1))
		return -1;
	return *z0 <= *z1 ? 0 : -1;
}

static void seed_progress(unsigned z, unsigned long long done, unsigned long long total,
			  double secs)
{
	fprintf(stderr, "\r  seeding z%u  %llu/%llu  %.1f%%  %.0f tiles/s ", z, done, total,
		total ? 100.0 * (double)done / (double)total : 100.0,
		secs > 0 ? (double)done / secs : 0.0);
}

/* One seeding run: where the tiles go, the figures of the summary line and
 * the optional per-tile timings. */
struct seed_run {
	struct tilectx *c;
	const char *out;
	enum tile_layer layer;
	FILE *timings;
	bool tty;
	double t0, shown;
	unsigned long long total, done, solids, bytes;
	unsigned dir_z;     /* DIR/LAYER/dir_z/dir_x exists; dir_z > TILE_MAX_ZOOM: none yet */
	uint32_t dir_x;
	struct buf png;
};

/* CPU time of the calling thread: unlike the clock, not stretched when other
 * work on the machine takes the core. */
static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Draws, writes and counts one tile: 0, or 1 with the reason on stderr.  The
 * times in the timings file (clock and thread CPU) are the drawing and the
 * PNG encoding only. */
static int seed_tile(struct seed_run *r, unsigned z, uint32_t x, uint32_t y)
{
	const char *nl = r->tty ? "\n" : "";
	char path[4096];
	if (z != r->dir_z || x != r->dir_x) {
		snprintf(path, sizeof path, "%s/%s/%u/%u", r->out, tile_layer_name(r->layer), z, x);
		if (make_dirs(path)) {
			fprintf(stderr, "%syizhan seed: %s: cannot create: %s\n", nl, path,
				strerror(errno));
			return 1;
		}
		r->dir_z = z;
		r->dir_x = x;
	}
	struct tile_req t = {.layer = r->layer, .z = z, .x = x, .y = y, .scale = 1};
	struct tilejob_out made;
	double t1 = now_s(), c1 = thread_cpu_s();
	if (tilectx_draw(r->c, &t, &r->png, &made)) {
		fprintf(stderr, "%syizhan seed: out of memory\n", nl);
		return 1;
	}
	double ms = (now_s() - t1) * 1e3, cpu_ms = (thread_cpu_s() - c1) * 1e3;
	snprintf(path, sizeof path, "%s/%s/%u/%u/%u.png", r->out, tile_layer_name(r->layer), z, x, y);
	if (write_file(path, r->png.data, r->png.len)) {
		fprintf(stderr, "%syizhan seed: %s: cannot write: %s\n", nl, path, strerror(errno));
		return 1;
	}
	if (r->timings)
		fprintf(r->timings, "%u/%u/%u %.3f %.3f %zu %d\n", z, x, y, ms, cpu_ms, r->png.len,
			made.solid);
	r->done++;
	r->solids += made.solid != 0;
	r->bytes += r->png.len;
	double now = now_s();
	if (r->tty && (now - r->shown >= 0.1 || r->done == r->total)) {
		seed_progress(z, r->done, r->total, now - r->t0);
		r->shown = now;
	}
	return 0;
}

/* --tiles: one Z/X/Y a line, kept in file order; blank lines and lines
 * starting with '#' are skipped.  0, or the exit status (2 for a bad or
 * unreadable list, 1 when memory is short) with the reason on stderr. */
static int read_tile_list(const char *file, enum tile_layer layer, struct tile_req **out,
			  unsigned long long *count)
{
	*out = NULL;
	*count = 0;
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "yizhan seed: %s: cannot read: %s\n", file, strerror(errno));
		return 2;
	}
	struct tile_req *v = NULL;
	size_t n = 0, cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	char line[128];
	while (!rc && fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char path[160];
		struct tile_req t;
		struct yz_errbuf eb;
		snprintf(path, sizeof path, "%s/%s.png", tile_layer_name(layer), line);
		if (!looks_like_tile(line) || strchr(line, '@') || tilepath_parse(path, &t, &eb)) {
			fprintf(stderr, "yizhan seed: %s:%u: not a tile Z/X/Y: %.40s\n", file, lineno,
				line);
			rc = 2;
		} else if (n == SEED_MAX_TILES) {
			fprintf(stderr, "yizhan seed: %s: more than %llu tiles\n", file, SEED_MAX_TILES);
			rc = 2;
		} else if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			struct tile_req *nv = realloc(v, cap * sizeof *v);
			if (!nv) {
				fprintf(stderr, "yizhan seed: out of memory\n");
				rc = 1;
			} else {
				v = nv;
			}
		}
		if (!rc)
			v[n++] = t;
	}
	if (!rc && ferror(f)) {
		fprintf(stderr, "yizhan seed: %s: cannot read\n", file);
		rc = 2;
	}
	fclose(f);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*count = n;
	return 0;
}

static int cmd_seed(const struct args *a)
{
	enum tile_layer layer;
	double bb[4];
	unsigned z0 = 0, z1 = 0;
	if (!a->out || (a->tiles ? a->bbox || a->zooms : !a->bbox || !a->zooms)) {
		fprintf(stderr, "yizhan seed: needs --bbox W,S,E,N and --zooms Z0-Z1, or --tiles LIST, "
				"and -o DIR\n");
		return 2;
	}
	if (parse_layer("seed", a->layer, &layer))
		return 2;
	struct tile_req *list = NULL;
	unsigned long long total = 0;
	if (a->tiles) {
		int rc = read_tile_list(a->tiles, layer, &list, &total);
		if (rc)
			return rc;
	} else {
		if (parse_bbox(a->bbox, bb)) {
			fprintf(stderr,
				"yizhan seed: --bbox %s: want W,S,E,N in degrees, W ≤ E in -180..180, "
				"S ≤ N in -90..90\n",
				a->bbox);
			return 2;
		}
		if (parse_zooms(a->zooms, &z0, &z1)) {
			fprintf(stderr, "yizhan seed: --zooms %s: want Z0-Z1 or Z, 0 ≤ Z0 ≤ Z1 ≤ %d\n",
				a->zooms, TILE_MAX_ZOOM);
			return 2;
		}
		for (unsigned z = z0; z <= z1; z++) {
			uint32_t x0, y0, x1, y1;
			tilejob_range(bb[0], bb[1], bb[2], bb[3], z, &x0, &y0, &x1, &y1);
			total += (unsigned long long)(x1 - x0 + 1) * (y1 - y0 + 1);
		}
		if (total > SEED_MAX_TILES) {
			fprintf(stderr,
				"yizhan seed: that is %llu tiles, more than %llu: narrow the box or "
				"the zooms\n",
				total, SEED_MAX_TILES);
			return 2;
		}
	}
	FILE *timings = NULL;
	if (a->timings && !(timings = fopen(a->timings, "w"))) {
		fprintf(stderr, "yizhan seed: %s: cannot write: %s\n", a->timings, strerror(errno));
		free(list);
		return 2;
	}
	struct tilectx c;
	int rc = tilectx_open(a, &c);
	if (rc) {
		if (timings)
			fclose(timings);
		free(list);
		return rc;
	}
	struct seed_run r = {
		.c = &c,
		.out = a->out,
		.layer = layer,
		.timings = timings,
		.tty = isatty(STDERR_FILENO),
		.t0 = now_s(),
		.total = total,
		.dir_z = TILE_MAX_ZOOM + 1,
	};
	buf_init(&r.png);
	if (list) {
		for (unsigned long long i = 0; i < total && !rc; i++)
			rc = seed_tile(&r, list[i].z, list[i].x, list[i].y);
	} else {
		for (unsigned z = z0; z <= z1 && !rc; z++) {
			uint32_t x0, y0, x1, y1;
			tilejob_range(bb[0], bb[1], bb[2], bb[3], z, &x0, &y0, &x1, &y1);
			for (uint32_t x = x0; x <= x1 && !rc; x++)
				for (uint32_t y = y0; y <= y1 && !rc; y++)
					rc = seed_tile(&r, z, x, y);
		}
	}
	double secs = now_s() - r.t0;
	if (r.tty)
		fputc('\n', stderr);
	if (timings && fclose(timings) && !rc) {
		fprintf(stderr, "yizhan seed: %s: cannot write\n", a->timings);
		rc = 1;
	}
	if (!rc)
		fprintf(stderr,
			"yizhan seed: %llu tiles (%llu of one colour), %llu bytes, %.2f s, %.0f tiles/s, "
			"in %s/%s\n",
			r.done, r.solids, r.bytes, secs, secs > 0 ? (double)r.done / secs : 0.0, a->out,
			tile_layer_name(layer));
	buf_fini(&r.png);
	free(list);
	tilectx_close(&c);
	return rc;
}

/* route / nearest / isochrone / coverage / suggest: the API's JSON on stdout,
 * the same handler as the server's; exit 1 with the error JSON on 4xx. */
static int cmd_query(const struct args *a)
{
	struct dataset *d;
	struct yz_errbuf eb;
	if (load(a, &d, &eb)) {
		fprintf(stderr, "yizhan %s: %s\n", a->command, eb.msg);
		return 1;
	}
	char path[64];
	snprintf(path, sizeof path, "/api/%s", a->command);
	struct http_response res = {.status = 200};
	buf_init(&res.body);
	http_call(path, a->query.data ? a->query.data : "", d, &res);
	if (!res.body.failed)
		printf("%s\n", res.body.data ? res.body.data : "");
	int rc = res.status < 400 ? 0 : 1;
	buf_fini(&res.body);
	dataset_free(d);
	return rc;
}

/* The reload function of the server: the same data arguments again. */
static enum yz_err reload_data(void *ctx, struct dataset **out, struct yz_errbuf *eb)
{
	return load(ctx, out, eb);
}

/* The admin token from --admin-token-file (first line, surrounding blanks
 * dropped) or $YIZHAN_ADMIN_TOKEN; "" when neither (admin endpoints off).
 * 0, or -1 after saying what is wrong. */
static int admin_token(const struct args *a, char *out, size_t cap)
{
	out[0] = '\0';
	const char *src = getenv("YIZHAN_ADMIN_TOKEN");
	char line[512];
	if (a->admin_token_file) {
		FILE *f = fopen(a->admin_token_file, "r");
		if (!f) {
			fprintf(stderr, "yizhan serve: --admin-token-file %s: %s\n", a->admin_token_file,
				strerror(errno));
			return -1;
		}
		struct stat sb;
		if (!fstat(fileno(f), &sb) && (sb.st_mode & 077))
			fprintf(stderr, "yizhan serve: warning: %s is readable by others (chmod 600)\n",
				a->admin_token_file);
		if (!fgets(line, sizeof line, f))
			line[0] = '\0';
		fclose(f);
		src = line;
	}
	if (!src)
		return 0;
	while (*src == ' ' || *src == '\t')
		src++;
	size_t n = strcspn(src, "\r\n");
	while (n && (src[n - 1] == ' ' || src[n - 1] == '\t'))
		n--;
	if (n < 16 || n >= cap) {
		fprintf(stderr, "yizhan serve: the admin token must be 16 to %zu characters\n", cap - 1);
		return -1;
	}
	memcpy(out, src, n);
	out[n] = '\0';
	return 0;
}

static int cmd_serve(const struct args *a)
{
	/* Block the signals before any thread exists, so every thread inherits
	 * the mask and only sigwait below sees them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	double t0 = now_s();
	struct dataset *d;
	struct yz_errbuf eb;
	char token[256];
	if (admin_token(a, token, sizeof token))
		return 2;
	if (load(a, &d, &eb)) {
		fprintf(stderr, "yizhan serve: %s\n", eb.msg);
		return 1;
	}
	summary_line(d, now_s() - t0);
	malloc_trim(0); /* what reading the sources took and freed goes back now */
	struct http_options opt = {
		.host = a->host,
		.port = a->port,
		.threads = a->threads,
		.static_root = a->web ? a->web : "web",
		.styles_dir = a->styles ? a->styles : "styles",
		.tile_cache_mb = a->tile_cache_mb ? a->tile_cache_mb : HTTP_TILE_CACHE_OFF,
		.max_connections = a->max_conn,
		.per_ip_connections = a->max_client_conn,
		.timeout_s = a->timeout_s,
		.max_url = a->max_url,
		.max_body = a->max_body,
		.header_kb = a->header_kb,
		.admin_token = token,
		.reload = reload_data,
		.reload_ctx = (void *)a,
	};
	struct http_server *srv;
	if (http_start(&opt, d, &srv, &eb)) {
		fprintf(stderr, "yizhan serve: %s\n", eb.msg);
		return 1;
	}
	const char *shown = a->host;
	if (strchr(shown, ':'))
		printf("yizhan: serving 驿站地图 at http://[%s]:%u/\n", shown, http_port(srv));
	else
		printf("yizhan: serving 驿站地图 at http://%s:%u/\n", shown, http_port(srv));
	fflush(stdout);

	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			double t1 = now_s();
			enum yz_err err = http_reload(srv, &eb);
			if (err == YZ_EBUSY)
				fprintf(stderr, "yizhan: SIGHUP ignored: %s\n", eb.msg);
			else if (err)
				fprintf(stderr, "yizhan: reload failed, still serving the old data: %s\n",
					eb.msg);
			else
				fprintf(stderr, "yizhan: reloaded in %.2f s\n", now_s() - t1);
			continue;
		}
		fprintf(stderr, "yizhan: %s, draining requests and stopping\n",
			sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	}
	http_stop(srv, DRAIN_MS);
	fprintf(stderr, "yizhan: stopped\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	struct args a;
	if (parse_args(argc, argv, &a)) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(a.command, "serve"))
		return cmd_serve(&a);
	if (!strcmp(a.command, "build"))
		return cmd_build(&a);
	if (!strcmp(a.command, "info"))
		return cmd_info(&a);
	if (!strcmp(a.command, "export-edges"))
		return cmd_export_edges(&a);
	if (!strcmp(a.command, "render"))
		return cmd_render(&a);
	if (!strcmp(a.command, "seed"))
		return cmd_seed(&a);
	if (is_query_command(a.command)) {
		int rc = cmd_query(&a);
		buf_fini(&a.query);
		return rc;
	}
	fprintf(stderr, "yizhan: unknown command \"%s\"\n\n", a.command);
	usage(stderr);
	return 2;
}
