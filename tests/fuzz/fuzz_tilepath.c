/* fuzz_tilepath.c — libFuzzer target for tile paths: an accepted path has
 * its numbers in range, and parsing never reads past the NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tiles/tilemath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct tile_req t;
	struct yz_errbuf eb;
	if (tilepath_parse(s, &t, &eb) == YZ_OK) {
		if (t.z > TILE_MAX_ZOOM || t.x >= (1u << t.z) || t.y >= (1u << t.z) ||
		    (t.scale != 1 && t.scale != 2) || t.layer >= TILE_LAYER_COUNT)
			abort();
		struct tile_proj p;
		tile_proj_init(&p, &t);
		if (p.size != 256u * t.scale)
			abort();
	}
	free(s);
	return 0;
}
