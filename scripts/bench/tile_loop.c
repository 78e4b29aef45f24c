/* tile_loop.c — a tile list drawn and encoded as the server does
 * (tilejob_render: the shared PNG for a tile of one colour, tilez for the
 * others), PASSES times over in one process; prints the fastest pass.
 *
 * For changes whose gain is smaller than the machine's run-to-run noise:
 * `yizhan seed --timings` starts a process, loads the data and writes a
 * file per tile, and its totals wander by several per cent from one run to
 * the next; the best of 9 in-process passes wanders by about one.  Its
 * times track the seed's per-tile timings (the same work) within a few per
 * cent.  Thread CPU time; no labels (no font), as the bench style has none.
 *
 *   make build/release/tile_loop
 *   taskset -c 0 build/release/tile_loop ROADS STATIONS COMMUNITIES STYLE TILES.txt [PASSES]
 *
 * Timings are for this machine only and never asserted anywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/buf.h"
#include "server/dataset.h"
#include "server/tilejob.h"
#include "server/workspace.h"
#include "tiles/solid.h"
#include "tiles/style.h"

#define MAX_TILES 100000

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: tile_loop ROADS STATIONS COMMUNITIES STYLE TILES.txt [PASSES]\n");
		return 2;
	}
	int passes = argc == 7 ? atoi(argv[6]) : 9;
	struct dataset_sources src = {.roads = argv[1], .stations = argv[2], .communities = argv[3]};
	struct dataset *d;
	struct style *st;
	struct yz_errbuf eb;
	if (dataset_build(&src, &d, &eb) || tilejob_style_load(argv[4], &st, &eb)) {
		fprintf(stderr, "tile_loop: %s\n", eb.msg);
		return 1;
	}
	static struct tile_req tiles[MAX_TILES];
	unsigned n = 0;
	char line[128];
	FILE *f = fopen(argv[5], "r");
	while (f && n < MAX_TILES && fgets(line, sizeof line, f)) {
		unsigned z, x, y;
		if (line[0] != '#' && sscanf(line, "%u/%u/%u", &z, &x, &y) == 3 && z <= TILE_MAX_ZOOM)
			tiles[n++] = (struct tile_req){.layer = TILE_LAYER_MAP, .z = z, .x = x, .y = y,
						       .scale = 1};
	}
	struct render_data rd;
	tilejob_data(d, NULL, &rd);
	struct render_ws *w = workspace_render();
	struct solid *solids;
	if (!f || !w || solid_new(&solids) || passes < 1) {
		fprintf(stderr, "tile_loop: cannot start\n");
		return 1;
	}
	fclose(f);
	struct buf png;
	buf_init(&png);
	double best = 0;
	size_t bytes = 0;
	for (int k = 0; k < passes; k++) {
		double t0 = cpu_ms();
		bytes = 0;
		for (unsigned i = 0; i < n; i++) {
			struct tilejob_out made;
			buf_reset(&png);
			if (tilejob_render(w, &rd, st, &tiles[i], solids, &png, &made) || png.failed) {
				fprintf(stderr, "tile_loop: out of memory\n");
				return 1;
			}
			bytes += png.len;
		}
		double ms = cpu_ms() - t0;
		best = k == 0 || ms < best ? ms : best;
	}
	printf("%u tiles: %.1f ms, the best of %d passes (%.0f tiles/s), %zu PNG bytes a pass\n", n, best,
	       passes, best > 0 ? n / best * 1e3 : 0.0, bytes);
	return 0;
}
