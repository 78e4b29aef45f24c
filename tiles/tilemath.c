/* tilemath.c — tile paths and the tile projection; see tilemath.h.
 * Parsing is a pure function over the request path (fuzzed). */
#include "tilemath.h"

#include <math.h>
#include <string.h>

#include "common/geo.h"

static const char *const layer_names[TILE_LAYER_COUNT] = {"map", "stations", "coverage"};

const char *tile_layer_name(enum tile_layer l)
{
	return (unsigned)l < TILE_LAYER_COUNT ? layer_names[l] : "?";
}

/* Decimal digits at *p up to a non-digit; at most 7 digits (2^20 has 7). */
static int read_uint(const char **p, uint32_t *out)
{
	const char *s = *p;
	uint32_t v = 0;
	int n = 0;
	while (*s >= '0' && *s <= '9') {
		if (++n > 7)
			return -1;
		v = v * 10 + (uint32_t)(*s - '0');
		s++;
	}
	if (!n || (n > 1 && **p == '0'))
		return -1;
	*p = s;
	*out = v;
	return 0;
}

enum yz_err tilepath_parse(const char *path, struct tile_req *out, struct yz_errbuf *eb)
{
	const char *slash = strchr(path, '/');
	if (!slash)
		return yz_fail(eb, YZ_EPARSE, "tile path: expected {layer}/{z}/{x}/{y}.png");
	size_t ln = (size_t)(slash - path);
	int layer = -1;
	for (int l = 0; l < TILE_LAYER_COUNT; l++)
		if (strlen(layer_names[l]) == ln && !strncmp(path, layer_names[l], ln))
			layer = l;
	if (layer < 0)
		return yz_fail(eb, YZ_ENOTFOUND, "no tile layer \"%.*s\" (map, stations, coverage)",
			       (int)(ln > 20 ? 20 : ln), path);
	const char *p = slash + 1;
	uint32_t z, x, y;
	if (read_uint(&p, &z) || *p++ != '/' || read_uint(&p, &x) || *p++ != '/' ||
	    read_uint(&p, &y))
		return yz_fail(eb, YZ_EPARSE, "tile path: expected {layer}/{z}/{x}/{y}.png");
	unsigned scale = 1;
	if (!strcmp(p, "@2x.png"))
		scale = 2;
	else if (strcmp(p, ".png"))
		return yz_fail(eb, YZ_EPARSE, "tile path: expected .png or @2x.png at the end");
	if (z > TILE_MAX_ZOOM)
		return yz_fail(eb, YZ_ERANGE, "tile zoom %u out of range [0, %d]", z, TILE_MAX_ZOOM);
	uint32_t n = 1u << z;
	if (x >= n || y >= n)
		return yz_fail(eb, YZ_ERANGE, "tile %u/%u/%u: x and y must be below %u at zoom %u", z,
			       x, y, n, z);
	out->layer = (enum tile_layer)layer;
	out->z = z;
	out->x = x;
	out->y = y;
	out->scale = scale;
	return YZ_OK;
}

/* The 5th derivative of f(φ) = atanh(sin φ), whose magnitude grows with
 * |φ|: sec φ (24 tan⁴ φ + 28 tan² φ + 5). */
static double merc_d5(double phi)
{
	double sec = 1.0 / cos(phi), t2 = tan(phi) * tan(phi);
	return sec * (24.0 * t2 * t2 + 28.0 * t2 + 5.0);
}

void tile_proj_init(struct tile_proj *p, const struct tile_req *t)
{
	p->size = TILE_SIZE * t->scale;
	p->world_px = (double)p->size * (double)(1u << t->z);
	p->x0 = (double)t->x * p->size;
	p->y0 = (double)t->y * p->size;
	p->px_per_deg = p->world_px / 360.0;
	/* The series about the middle row's latitude.  With f = atanh(sin φ)
	 * a row is (1/2 − f/2π)·world_px − y0, and f's derivatives are sec φ,
	 * sec φ tan φ, sec φ (2 tan² φ + 1) and sec φ tan φ (6 tan² φ + 5). */
	const double k = M_PI / 180.0; /* radians per degree */
	double phi = geo_merc_lat(p->y0 + 0.5 * p->size, p->world_px) * k;
	double sec = 1.0 / cos(phi), tn = tan(phi), t2 = tn * tn;
	const double f[5] = {0, sec, sec * tn, sec * (2 * t2 + 1), sec * tn * (6 * t2 + 5)};
	double scale = -p->world_px / (2.0 * M_PI), kk = 1, fact = 1;
	p->lat_mid = phi / k;
	p->poly[0] = tile_px_y_exact(p, p->lat_mid);
	for (int i = 1; i < 5; i++) {
		kk *= k;
		fact *= i;
		p->poly[i] = scale * f[i] / fact * kk;
	}
	/* Reach: the remainder is at most world_px/2π · max|f⁽⁵⁾|/120 · (k·d)⁵,
	 * the maximum at the far end since |f⁽⁵⁾| grows with |φ|; shrink the
	 * reach until that bound holds.  Near the poles' clamp: no series. */
	double reach = 3.0;
	for (int i = 0; i < 80; i++, reach *= 0.8) {
		double far = fabs(p->lat_mid) + reach;
		if (far < GEO_MERC_MAX_LAT &&
		    -scale * merc_d5(far * k) / 120.0 * pow(k * reach, 5) <= TILE_PROJ_ERR_PX)
			break;
	}
	p->poly_reach = fabs(p->lat_mid) + reach < GEO_MERC_MAX_LAT ? reach : -1.0;
}

double tile_px_y_exact(const struct tile_proj *p, double lat)
{
	return geo_merc_y(lat, p->world_px) - p->y0;
}

void tile_bounds(const struct tile_proj *p, double margin_px, double *min_lon, double *min_lat,
		 double *max_lon, double *max_lat)
{
	*min_lon = geo_merc_lon(p->x0 - margin_px, p->world_px);
	*max_lon = geo_merc_lon(p->x0 + p->size + margin_px, p->world_px);
	*max_lat = geo_merc_lat(p->y0 - margin_px, p->world_px);
	*min_lat = geo_merc_lat(p->y0 + p->size + margin_px, p->world_px);
}
