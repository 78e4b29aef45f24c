/* geo.h — small geodesy used everywhere: fixed-point coordinates, haversine,
 * the local flat frame used for snapping, Web Mercator.
 *
 * Coordinates are stored as int32 in units of 1e-7 degree ("e7"), the OSM
 * precision: about 1 cm, and exactly what a .osm.pbf holds. */
#ifndef YZ_GEO_H
#define YZ_GEO_H

#include <math.h>
#include <stdint.h>

#define GEO_EARTH_RADIUS_M 6371008.8 /* SPEC §2: mean Earth radius */
#define GEO_E7 10000000.0

static inline int32_t geo_to_e7(double deg)
{
	return (int32_t)lround(deg * GEO_E7);
}

static inline double geo_from_e7(int32_t e7)
{
	return (double)e7 / GEO_E7;
}

/* Great-circle distance in metres between two lon/lat points in degrees. */
double geo_haversine_m(double lon1, double lat1, double lon2, double lat2);

/* A local equirectangular frame centred on (lon0, lat0): x east, y north, in
 * metres.  SPEC §7 measures snapping distances in this frame. */
struct geo_frame {
	double lon0, lat0;
	double m_per_deg_lon; /* shrinks with cos(lat0) */
	double m_per_deg_lat;
};

void geo_frame_init(struct geo_frame *f, double lon0, double lat0);

static inline double geo_frame_x(const struct geo_frame *f, double lon)
{
	return (lon - f->lon0) * f->m_per_deg_lon;
}

static inline double geo_frame_y(const struct geo_frame *f, double lat)
{
	return (lat - f->lat0) * f->m_per_deg_lat;
}

/* Web Mercator (EPSG:3857) in "world pixels" of a zoom level: the world is
 * 256 * 2^z pixels wide, x grows east, y grows south. */
double geo_merc_x(double lon, double world_px);
double geo_merc_y(double lat, double world_px);
double geo_merc_lon(double x, double world_px);
double geo_merc_lat(double y, double world_px);

/* Latitude limit of Web Mercator tiles. */
#define GEO_MERC_MAX_LAT 85.0511287798066

#endif
