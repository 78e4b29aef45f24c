/* tilemath.h — XYZ tile addressing in Web Mercator (SPEC §5): parsing tile
 * paths, and the projection from lon/lat to a tile's pixels.
 *
 * A tile (z, x, y) covers world pixels [x·256, (x+1)·256) × [y·256, (y+1)·256)
 * of the 256·2^z-pixel world; an @2x tile draws the same area at 512 px. */
#ifndef YZ_TILEMATH_H
#define YZ_TILEMATH_H

#include <stdint.h>

#include "common/err.h"

#define TILE_MAX_ZOOM 20
#define TILE_SIZE 256

enum tile_layer { TILE_LAYER_MAP, TILE_LAYER_STATIONS, TILE_LAYER_COVERAGE, TILE_LAYER_COUNT };

struct tile_req {
	enum tile_layer layer;
	unsigned z;         /* 0..TILE_MAX_ZOOM */
	uint32_t x, y;      /* 0..2^z - 1 */
	unsigned scale;     /* 1, or 2 for @2x (512 px) */
};

/* Parse the part of a URL path after "/tiles/": "{layer}/{z}/{x}/{y}.png" or
 * "…/{y}@2x.png".  Numbers are plain decimal without sign or leading zeros
 * (except "0").  Errors: YZ_ENOTFOUND for an unknown layer (404),
 * YZ_EPARSE for a malformed path, YZ_ERANGE for z > 20 or x, y outside the
 * zoom's range; the message names the part. */
enum yz_err tilepath_parse(const char *path, struct tile_req *out, struct yz_errbuf *eb);

const char *tile_layer_name(enum tile_layer l);

/* The projection of one tile: world pixel size and the tile's origin, so
 * that tile_px_x(t, lon) is the pixel column (fractional) in the output
 * image (0..256·scale). */
struct tile_proj {
	double world_px;   /* 256 · 2^z · scale */
	double x0, y0;     /* world pixel of the tile's top-left corner */
	unsigned size;     /* 256 · scale */
};

void tile_proj_init(struct tile_proj *p, const struct tile_req *t);
double tile_px_x(const struct tile_proj *p, double lon);
double tile_px_y(const struct tile_proj *p, double lat);
/* The tile's extent in lon/lat, grown by `margin_px` pixels on each side. */
void tile_bounds(const struct tile_proj *p, double margin_px, double *min_lon, double *min_lat,
		 double *max_lon, double *max_lat);

#endif
