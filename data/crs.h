/* crs.h — everything about coordinate reference systems, in one place.
 *
 * Every source is turned into WGS84 longitude/latitude (degrees, lon first)
 * before anything else sees it.  Real CRSs go through PROJ; the Chinese web
 * map offsets GCJ-02 (Amap, Tencent) and BD-09 (Baidu) are not in PROJ and use
 * the published formulas, with an iterative inverse accurate to < 0.5 m.
 *
 * Only data/ includes this header. */
#ifndef YZ_CRS_H
#define YZ_CRS_H

#include <stddef.h>

#include "common/err.h"

/* An opened transform from a source CRS to WGS84 lon/lat.  Not thread-safe:
 * one per loading thread. */
struct crs_xform;

/* Open a transform from the CRS named `name` to WGS84.
 * `name` is anything PROJ accepts ("EPSG:4490", "EPSG:4547", a PROJ string,
 * WKT), or "GCJ02"/"GCJ-02" or "BD09"/"BD-09" (case-insensitive), or
 * NULL / "" / "WGS84" / "EPSG:4326" for the identity.
 * Fails with YZ_ECRS and a message naming the CRS. *out is owned by the
 * caller: crs_free(). */
enum yz_err crs_open(const char *name, struct crs_xform **out, struct yz_errbuf *eb);

/* True when the transform changes nothing (WGS84 input). */
int crs_is_identity(const struct crs_xform *x);

/* Transform `n` points in place.  Input is in the source CRS's
 * easting/longitude-first order whatever the CRS's official axis order
 * (GIS order, as GDAL's OAMS_TRADITIONAL_GIS_ORDER gives); output is lon, lat
 * in degrees.  A point that cannot be transformed fails the call with
 * YZ_ECRS and the point's index in the message; points before it are
 * transformed. */
enum yz_err crs_to_wgs84(struct crs_xform *x, double *xs, double *ys, size_t n,
			 struct yz_errbuf *eb);

void crs_free(struct crs_xform *x);

/* Chinese offsets (degrees in, degrees out).  Outside mainland China's
 * bounding box (the published out-of-China test) GCJ-02 equals WGS84. */
void crs_wgs84_to_gcj02(double lon, double lat, double *out_lon, double *out_lat);
void crs_gcj02_to_wgs84(double lon, double lat, double *out_lon, double *out_lat);
void crs_gcj02_to_bd09(double lon, double lat, double *out_lon, double *out_lat);
void crs_bd09_to_gcj02(double lon, double lat, double *out_lon, double *out_lat);
void crs_wgs84_to_bd09(double lon, double lat, double *out_lon, double *out_lat);
void crs_bd09_to_wgs84(double lon, double lat, double *out_lon, double *out_lat);

#endif
