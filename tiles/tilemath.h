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
 * image (0..256·scale).
 *
 * Rows: Mercator's y needs a sine and a logarithm per point, most of the
 * cost of projecting a tile's geometry.  Near the tile it is a polynomial
 * instead: the Taylor series of y(lat) about the tile's middle latitude to
 * the 4th power, used within `poly_reach` degrees of it, the distance at
 * which the series' remainder bound (from the 5th derivative) reaches
 * TILE_PROJ_ERR_PX; beyond it, and near the poles' clamp, y is computed
 * exactly.  So every point lands within TILE_PROJ_ERR_PX of its exact row. */
#define TILE_PROJ_ERR_PX 1e-3

struct tile_proj {
	double world_px;   /* 256 · 2^z · scale */
	double x0, y0;     /* world pixel of the tile's top-left corner */
	unsigned size;     /* 256 · scale */
	double px_per_deg; /* columns per degree of longitude */
	double lat_mid;    /* the series' centre, degrees */
	double poly[5];    /* tile row at lat_mid + d ≈ Σ poly[k]·d^k, d in degrees */
	double poly_reach; /* |d| up to which the series is used, degrees; < 0: never */
};

void tile_proj_init(struct tile_proj *p, const struct tile_req *t);
/* The exact row of latitude lat (what the series approximates). */
double tile_px_y_exact(const struct tile_proj *p, double lat);

static inline double tile_px_x(const struct tile_proj *p, double lon)
{
	return (lon + 180.0) * p->px_per_deg - p->x0;
}

static inline double tile_px_y(const struct tile_proj *p, double lat)
{
	double d = lat - p->lat_mid;
	if (!(d <= p->poly_reach && d >= -p->poly_reach))
		return tile_px_y_exact(p, lat);
	const double *c = p->poly;
	return c[0] + d * (c[1] + d * (c[2] + d * (c[3] + d * c[4])));
}
/* The tile's extent in lon/lat, grown by `margin_px` pixels on each side. */
void tile_bounds(const struct tile_proj *p, double margin_px, double *min_lon, double *min_lat,
		 double *max_lon, double *max_lat);

#endif
