/* ringidx.c — see ringidx.h. */
#include "ringidx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "tilemath.h"

/* Chunks of a line of n points (n − 1 segments). */
static uint32_t chunks_of(uint32_t n)
{
	return n < 2 ? 0 : (n - 1 + RINGIDX_CHUNK - 1) / RINGIDX_CHUNK;
}

enum yz_err ringidx_build(struct ringidx *ix, uint32_t line_count, const uint32_t *line_pt_first,
			  const int32_t *lon_e7, const int32_t *lat_e7)
{
	memset(ix, 0, sizeof *ix);
	size_t total = 0;
	for (uint32_t r = 0; r < line_count; r++)
		total += chunks_of(line_pt_first[r + 1] - line_pt_first[r]);
	ix->line_first = malloc(((size_t)line_count + 1) * sizeof *ix->line_first);
	ix->box = malloc((total ? total : 1) * 4 * sizeof *ix->box);
	ix->along = malloc((total ? total : 1) * sizeof *ix->along);
	if (!ix->line_first || !ix->box || !ix->along || total > UINT32_MAX) {
		ringidx_free(ix);
		return YZ_ENOMEM;
	}
	ix->line_count = line_count;
	/* zoom 0: tile (0, 0, 0) is the whole 256-pixel world */
	struct tile_proj world;
	tile_proj_init(&world, &(struct tile_req){.z = 0, .x = 0, .y = 0, .scale = 1});
	uint32_t c = 0;
	for (uint32_t r = 0; r < line_count; r++) {
		ix->line_first[r] = c;
		uint32_t a = line_pt_first[r], n = line_pt_first[r + 1] - a, k = chunks_of(n);
		double along = 0;
		double px = 0, py = 0;
		for (uint32_t q = 0; q < k; q++, c++) {
			uint32_t i0 = a + q * RINGIDX_CHUNK, i1 = a + (q + 1) * RINGIDX_CHUNK;
			if (i1 > a + n - 1)
				i1 = a + n - 1;
			int32_t *b = ix->box + 4 * (size_t)c;
			b[0] = b[2] = lon_e7[i0];
			b[1] = b[3] = lat_e7[i0];
			ix->along[c] = along;
			for (uint32_t i = i0; i <= i1; i++) {
				b[0] = lon_e7[i] < b[0] ? lon_e7[i] : b[0];
				b[2] = lon_e7[i] > b[2] ? lon_e7[i] : b[2];
				b[1] = lat_e7[i] < b[1] ? lat_e7[i] : b[1];
				b[3] = lat_e7[i] > b[3] ? lat_e7[i] : b[3];
				double x = tile_px_x(&world, geo_from_e7(lon_e7[i]));
				double y = tile_px_y_exact(&world, geo_from_e7(lat_e7[i]));
				if (i > i0) {
					double l = hypot(x - px, y - py);
					along += isfinite(l) ? l : 0; /* coordinates off the map: no length */
				}
				px = x;
				py = y;
			}
		}
	}
	ix->line_first[line_count] = c;
	return YZ_OK;
}

void ringidx_free(struct ringidx *ix)
{
	free(ix->line_first);
	free(ix->box);
	free(ix->along);
	memset(ix, 0, sizeof *ix);
}
