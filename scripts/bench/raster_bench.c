/* raster_bench.c — time of tiles/raster fills and tiles/pngenc on a
 * synthetic but map-like 256 px tile (and its 512 px @2x twin).
 *
 * The tile, in drawing order, one rast_fill per layer:
 *   land      the whole tile plus margin, 4 edges
 *   water     a river polygon with wiggly banks crossing the tile and leaving
 *             it on both sides, 2 × 300 points
 *   green     12 parks, 20-point blobs
 *   buildings 150 rotated rectangles 4–14 px (one path, 600 edges)
 *   casings   24 road polylines of 10 segments, each segment a quad and each
 *             joint a hexagon (what a simple stroker emits), wider
 *   roads     the same polylines, narrower, other colour
 * About 6 000 edges in all (printed).  Coordinates come from a fixed-seed
 * generator; timings are the minimum and median of RUNS repetitions of the
 * whole tile (clear + every layer), CLOCK_MONOTONIC, after a warm-up; then
 * of one fill of all those edges as a single path; then the PNG encoding of
 * the tile at the default level.
 *
 *   cc -std=c11 -D_GNU_SOURCE -O2 -I. scripts/bench/raster_bench.c \
 *      tiles/raster.c tiles/path.c tiles/pngenc.c common/buf.c \
 *      $(pkg-config --cflags --libs libpng) -lm -o /tmp/raster_bench && /tmp/raster_bench
 *
 * Timings are for this machine only and never asserted anywhere. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "tiles/path.h"
#include "tiles/pngenc.h"
#include "tiles/raster.h"

#define RUNS 201
#define ROADS 24
#define ROAD_SEGS 10

static unsigned long long seed = 42;

static double rnd(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(seed >> 11) * (1.0 / 9007199254740992.0);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum { LAND, WATER, GREEN, BUILDINGS, CASINGS, ROADS_L, LAYERS };

static const struct rast_color colours[LAYERS] = {
	{242, 239, 233, 255}, {170, 211, 223, 255}, {200, 230, 190, 255},
	{217, 208, 201, 230}, {160, 150, 140, 255}, {255, 255, 255, 255},
};

/* A thick polyline as quads plus octagonal joints (nonzero union). */
static void road(struct path *p, const double *xy, int n, double half)
{
	for (int i = 0; i + 1 < n; i++) {
		double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
		double dx = x1 - x0, dy = y1 - y0, l = sqrt(dx * dx + dy * dy);
		if (l == 0)
			continue;
		double nx = -dy / l * half, ny = dx / l * half;
		path_move_to(p, (float)(x0 + nx), (float)(y0 + ny));
		path_line_to(p, (float)(x1 + nx), (float)(y1 + ny));
		path_line_to(p, (float)(x1 - nx), (float)(y1 - ny));
		path_line_to(p, (float)(x0 - nx), (float)(y0 - ny));
	}
	for (int i = 1; i + 1 < n; i++)
		for (int k = 0; k < 6; k++) {
			double a = k * M_PI / 3;
			float x = (float)(xy[2 * i] + half * cos(a)), y = (float)(xy[2 * i + 1] + half * sin(a));
			if (k == 0)
				path_move_to(p, x, y);
			else
				path_line_to(p, x, y);
		}
}

static void build(struct path layer[LAYERS], double scale)
{
	seed = 42;
	for (int l = 0; l < LAYERS; l++)
		path_reset(&layer[l]);
	double S = 256 * scale;
	struct path *p = &layer[LAND];
	path_move_to(p, (float)(-8 * scale), (float)(-8 * scale));
	path_line_to(p, (float)(S + 8 * scale), (float)(-8 * scale));
	path_line_to(p, (float)(S + 8 * scale), (float)(S + 8 * scale));
	path_line_to(p, (float)(-8 * scale), (float)(S + 8 * scale));

	p = &layer[WATER];
	for (int side = 0; side < 2; side++)
		for (int i = 0; i < 300; i++) {
			int k = side ? 299 - i : i;
			double x = -20 + (S + 40) * k / 299.0;
			double y = S * 0.45 + 30 * scale * sin(k * 0.03) + (side ? 25 : -25) * scale
				   + 2 * scale * (rnd() - 0.5);
			if (i == 0 && side == 0)
				path_move_to(p, (float)x, (float)y);
			else
				path_line_to(p, (float)x, (float)y);
		}

	p = &layer[GREEN];
	for (int g = 0; g < 12; g++) {
		double cx = rnd() * S, cy = rnd() * S, r = (6 + rnd() * 18) * scale;
		for (int k = 0; k < 20; k++) {
			double a = k * 2 * M_PI / 20, rr = r * (0.7 + 0.3 * rnd());
			float x = (float)(cx + rr * cos(a)), y = (float)(cy + rr * sin(a));
			if (k == 0)
				path_move_to(p, x, y);
			else
				path_line_to(p, x, y);
		}
	}

	p = &layer[BUILDINGS];
	for (int b = 0; b < 150; b++) {
		double cx = rnd() * S, cy = rnd() * S, w = (4 + rnd() * 10) * scale, h = (4 + rnd() * 10) * scale;
		double a = rnd() * M_PI, c = cos(a), s = sin(a);
		const double corner[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
		for (int k = 0; k < 4; k++) {
			double u = corner[k][0] * w / 2, v = corner[k][1] * h / 2;
			float x = (float)(cx + u * c - v * s), y = (float)(cy + u * s + v * c);
			if (k == 0)
				path_move_to(p, x, y);
			else
				path_line_to(p, x, y);
		}
	}

	for (int r = 0; r < ROADS; r++) {
		double xy[2 * (ROAD_SEGS + 1)];
		double x = rnd() * S, y = rnd() * S, a = rnd() * 2 * M_PI;
		for (int i = 0; i <= ROAD_SEGS; i++) {
			xy[2 * i] = x;
			xy[2 * i + 1] = y;
			a += (rnd() - 0.5) * 0.6;
			x += cos(a) * 12 * scale;
			y += sin(a) * 12 * scale;
		}
		double w = r % 5 == 0 ? 4 : 2;
		road(&layer[CASINGS], xy, ROAD_SEGS + 1, (w + 1) * scale);
		road(&layer[ROADS_L], xy, ROAD_SEGS + 1, w * scale);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double d = *(const double *)a - *(const double *)b;
	return d < 0 ? -1 : d > 0;
}

static void run(unsigned side)
{
	struct path layer[LAYERS];
	for (int l = 0; l < LAYERS; l++)
		path_init(&layer[l]);
	build(layer, side / 256.0);
	unsigned long edges = 0;
	for (int l = 0; l < LAYERS; l++)
		edges += layer[l].pt_count;

	struct rast r;
	struct rast_canvas c;
	if (rast_init(&r, side, side) != YZ_OK || rast_canvas_init(&c, side, side) != YZ_OK) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	static double t[RUNS];
	for (int i = -5; i < RUNS; i++) {
		double t0 = now_ms();
		rast_canvas_clear(&c, (struct rast_color){0, 0, 0, 0});
		for (int l = 0; l < LAYERS; l++)
			rast_fill(&r, &layer[l], RAST_NONZERO, colours[l], &c);
		if (i >= 0)
			t[i] = now_ms() - t0;
	}
	qsort(t, RUNS, sizeof *t, cmp_double);
	printf("%u px tile, %lu edges, %d layers: fill min %.3f ms, median %.3f ms (%.1f ns/edge at the median)\n",
	       side, edges, LAYERS, t[0], t[RUNS / 2], t[RUNS / 2] * 1e6 / (double)edges);

	/* The same edges as one path, one fill: the cost of a single fill of
	 * ~6 000 edges (roads, buildings, water together). */
	struct path all;
	path_init(&all);
	for (int l = WATER; l < LAYERS; l++)
		for (uint32_t k = 0; k < layer[l].ring_count; k++)
			for (uint32_t i = layer[l].ring_first[k]; i < layer[l].ring_first[k + 1]; i++) {
				float x = layer[l].xy[2 * i], y = layer[l].xy[2 * i + 1];
				if (i == layer[l].ring_first[k])
					path_move_to(&all, x, y);
				else
					path_line_to(&all, x, y);
			}
	for (int i = -5; i < RUNS; i++) {
		double t0 = now_ms();
		rast_fill(&r, &all, RAST_NONZERO, colours[ROADS_L], &c);
		if (i >= 0)
			t[i] = now_ms() - t0;
	}
	qsort(t, RUNS, sizeof *t, cmp_double);
	printf("%u px tile, one fill of %u edges: min %.3f ms, median %.3f ms\n", side, all.pt_count, t[0],
	       t[RUNS / 2]);
	path_fini(&all);
	/* Re-draw the tile for the PNG. */
	rast_canvas_clear(&c, (struct rast_color){0, 0, 0, 0});
	for (int l = 0; l < LAYERS; l++)
		rast_fill(&r, &layer[l], RAST_NONZERO, colours[l], &c);

	struct buf b;
	buf_init(&b);
	for (int i = -2; i < 51; i++) {
		buf_reset(&b);
		double t0 = now_ms();
		if (pngenc_rgba(&c, &b, -1) != YZ_OK) {
			fprintf(stderr, "png failed\n");
			exit(1);
		}
		if (i >= 0)
			t[i] = now_ms() - t0;
	}
	qsort(t, 51, sizeof *t, cmp_double);
	printf("%u px tile: PNG level %d %zu bytes, min %.3f ms, median %.3f ms\n", side,
	       PNGENC_DEFAULT_LEVEL, b.len, t[0], t[25]);
	if (getenv("RASTER_BENCH_PNG")) { /* look at it */
		char name[64];
		snprintf(name, sizeof name, "%s.%u.png", getenv("RASTER_BENCH_PNG"), side);
		FILE *f = fopen(name, "wb");
		if (f) {
			fwrite(b.data, 1, b.len, f);
			fclose(f);
		}
	}
	buf_fini(&b);
	rast_canvas_fini(&c);
	rast_fini(&r);
	for (int l = 0; l < LAYERS; l++)
		path_fini(&layer[l]);
}

int main(void)
{
	run(256);
	run(512);
	return 0;
}
