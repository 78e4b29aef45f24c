/* tile_split.c — where a yizhan tile's time goes: drawing (render_tile)
 * against PNG encoding (pngenc_write as served, with tilez.c, and with
 * libdeflate's levels 1 and 0 for comparison), mean per zoom over a tile list such as the one
 * scripts/bench/tiles.sh writes.  Drawing is the mean over all tiles;
 * encoding the mean over the tiles not of one colour (those are served
 * from a shared PNG, tiles/solid.h, and cost no encoding).  Thread CPU time; no labels (no font).
 *
 *   make build/release/tile_split        (scripts/bench/tiles.sh runs it)
 *   taskset -c 0 build/release/tile_split ROADS STATIONS COMMUNITIES STYLE TILES.txt
 *
 * Timings are for this machine only and never asserted anywhere. */
#include <stdio.h>
#include <time.h>

#include "server/dataset.h"
#include "server/tilejob.h"
#include "server/workspace.h"
#include "tiles/pngenc.h"
#include "tiles/solid.h"
#include "tiles/style.h"

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: tile_split ROADS STATIONS COMMUNITIES STYLE TILES.txt\n");
		return 2;
	}
	struct dataset_sources src = {.roads = argv[1], .stations = argv[2], .communities = argv[3]};
	struct dataset *d;
	struct style *st;
	struct yz_errbuf eb;
	if (dataset_build(&src, &d, &eb) || tilejob_style_load(argv[4], &st, &eb)) {
		fprintf(stderr, "tile_split: %s\n", eb.msg);
		return 1;
	}
	struct render_data rd;
	tilejob_data(d, NULL, &rd);
	struct render_ws *w = workspace_render();
	FILE *f = fopen(argv[5], "r");
	if (!w || !f) {
		fprintf(stderr, "tile_split: cannot start\n");
		return 1;
	}
	enum { ZMAX = TILE_MAX_ZOOM + 1 };
	double draw[ZMAX] = {0}, enc[ZMAX] = {0}, enc1[ZMAX] = {0}, enc0[ZMAX] = {0};
	unsigned n[ZMAX] = {0}, solid[ZMAX] = {0};
	struct buf png;
	buf_init(&png);
	char line[128];
	while (fgets(line, sizeof line, f)) {
		unsigned z, x, y;
		if (line[0] == '#' || sscanf(line, "%u/%u/%u", &z, &x, &y) != 3 || z > TILE_MAX_ZOOM)
			continue;
		struct tile_req t = {.layer = TILE_LAYER_MAP, .z = z, .x = x, .y = y, .scale = 1};
		double t0 = cpu_ms();
		render_tile(w, &rd, st, &t);
		double t1 = cpu_ms();
		draw[z] += t1 - t0;
		n[z]++;
		/* a tile of one colour is served from its colour's shared PNG */
		uint8_t px[4];
		if (solid_canvas(&w->canvas, TILE_SIZE, TILE_SIZE, px)) {
			solid[z]++;
			continue;
		}
		buf_reset(&png);
		pngenc_write(w->png, &w->canvas, &png, PNGENC_DEFAULT_LEVEL);
		double t2 = cpu_ms();
		buf_reset(&png);
		pngenc_write(w->png, &w->canvas, &png, 1);
		double t3 = cpu_ms();
		buf_reset(&png);
		pngenc_write(w->png, &w->canvas, &png, 0);
		double t4 = cpu_ms();
		enc[z] += t2 - t1;
		enc1[z] += t3 - t2;
		enc0[z] += t4 - t3;
	}
	fclose(f);
	printf("zoom tiles one_colour draw_ms encode_ms(tilez) encode_ms(libdeflate 1) "
	       "encode_ms(libdeflate 0)\n");
	for (unsigned z = 0; z < ZMAX; z++) {
		unsigned m = n[z] - solid[z];
		if (n[z])
			printf("%u %u %u %.3f %.3f %.3f %.3f\n", z, n[z], solid[z], draw[z] / n[z],
			       m ? enc[z] / m : 0, m ? enc1[z] / m : 0, m ? enc0[z] / m : 0);
	}
	buf_fini(&png);
	return 0;
}
