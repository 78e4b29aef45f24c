/* geo.c — haversine, local frames and Web Mercator; see geo.h. */
#include "geo.h"

#define DEG2RAD (M_PI / 180.0)

double geo_haversine_m(double lon1, double lat1, double lon2, double lat2)
{
	double phi1 = lat1 * DEG2RAD, phi2 = lat2 * DEG2RAD;
	double dphi = (lat2 - lat1) * DEG2RAD;
	double dlam = (lon2 - lon1) * DEG2RAD;
	double s1 = sin(dphi * 0.5), s2 = sin(dlam * 0.5);
	double a = s1 * s1 + cos(phi1) * cos(phi2) * s2 * s2;
	if (a > 1.0)
		a = 1.0;
	return 2.0 * GEO_EARTH_RADIUS_M * asin(sqrt(a));
}

void geo_frame_init(struct geo_frame *f, double lon0, double lat0)
{
	f->lon0 = lon0;
	f->lat0 = lat0;
	f->m_per_deg_lat = GEO_EARTH_RADIUS_M * DEG2RAD;
	f->m_per_deg_lon = f->m_per_deg_lat * cos(lat0 * DEG2RAD);
}

double geo_merc_x(double lon, double world_px)
{
	return (lon + 180.0) / 360.0 * world_px;
}

double geo_merc_y(double lat, double world_px)
{
	if (lat > GEO_MERC_MAX_LAT)
		lat = GEO_MERC_MAX_LAT;
	if (lat < -GEO_MERC_MAX_LAT)
		lat = -GEO_MERC_MAX_LAT;
	double s = sin(lat * DEG2RAD);
	return (0.5 - log((1.0 + s) / (1.0 - s)) / (4.0 * M_PI)) * world_px;
}

double geo_merc_lon(double x, double world_px)
{
	return x / world_px * 360.0 - 180.0;
}

double geo_merc_lat(double y, double world_px)
{
	double n = M_PI * (1.0 - 2.0 * y / world_px);
	return atan(sinh(n)) / DEG2RAD;
}
