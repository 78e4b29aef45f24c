/* stroke_bench.c — microseconds per 1 000-segment polyline in tiles/stroke.
 *
 * The line: a random walk of 1 000 segments of 2–12 px with turns of up to
 * ±100° (splitmix64, fixed seed), like a dense road geometry at high zoom.
 * Each style strokes it RUNS times into one reused path (path_reset, so no
 * allocation after the first run); reported: minimum and median µs per
 * polyline over 15 batches, and the output points and rings per polyline.
 *
 *   cc -std=c11 -D_GNU_SOURCE -O2 -I. scripts/bench/stroke_bench.c \
 *      tiles/stroke.c tiles/path.c -lm -o /tmp/stroke_bench && /tmp/stroke_bench
 *
 * Timings are for this machine only and never asserted anywhere. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tiles/path.h"
#include "tiles/stroke.h"

#define SEGS 1000
#define RUNS 200
#define BATCHES 15

static uint64_t seed = 0x5eed;

static double rnd(void)
{
	uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double u = *(const double *)a, v = *(const double *)b;
	return u < v ? -1 : u > v;
}

int main(void)
{
	static float xy[2 * (SEGS + 1)];
	double x = 128, y = 128, a = 0;
	for (int i = 0; i <= SEGS; i++) {
		xy[2 * i] = (float)x;
		xy[2 * i + 1] = (float)y;
		a += (rnd() - 0.5) * 2 * (100 * 3.14159265358979 / 180);
		double l = 2 + rnd() * 10;
		x += l * cos(a);
		y += l * sin(a);
	}
	static const float dash[] = {6, 3};
	struct {
		const char *name;
		struct stroke_style st;
	} cases[] = {
		{"w3 miter/butt", {3, STROKE_JOIN_MITER, 4, STROKE_CAP_BUTT, NULL, 0, 0}},
		{"w3 bevel/square", {3, STROKE_JOIN_BEVEL, 4, STROKE_CAP_SQUARE, NULL, 0, 0}},
		{"w3 round/round", {3, STROKE_JOIN_ROUND, 4, STROKE_CAP_ROUND, NULL, 0, 0}},
		{"w12 round/round", {12, STROKE_JOIN_ROUND, 4, STROKE_CAP_ROUND, NULL, 0, 0}},
		{"w3 round dashed 6,3", {3, STROKE_JOIN_ROUND, 4, STROKE_CAP_ROUND, dash, 2, 0}},
		{"w3 miter dashed 6,3", {3, STROKE_JOIN_MITER, 4, STROKE_CAP_BUTT, dash, 2, 0}},
	};
	struct path p;
	path_init(&p);
	printf("%-22s %10s %10s %8s %7s\n", "style (tol 0.25)", "min_us", "median_us", "points", "rings");
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double t[BATCHES];
		for (int b = 0; b < BATCHES; b++) {
			double t0 = now_us();
			for (int r = 0; r < RUNS; r++) {
				path_reset(&p);
				stroke_polyline(&p, xy, SEGS + 1, 0, &cases[c].st, 0.25f);
			}
			t[b] = (now_us() - t0) / RUNS;
		}
		qsort(t, BATCHES, sizeof t[0], cmp);
		printf("%-22s %10.1f %10.1f %8u %7u\n", cases[c].name, t[0], t[BATCHES / 2], p.pt_count,
		       p.ring_count);
	}
	path_fini(&p);
	return 0;
}
