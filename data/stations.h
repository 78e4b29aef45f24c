/* stations.h — rest stations (驿站) read from any OGR point source (SPEC §1).
 *
 * Strings live in one pool and stations refer to them by offset, so the table
 * can be written to a snapshot and mapped back unchanged. */
#ifndef YZ_STATIONS_H
#define YZ_STATIONS_H

#include <stdint.h>

#include "common/err.h"
#include "common/strpool.h"
#include "config.h"
#include "report.h"

struct station {
	int32_t lon_e7, lat_e7;   /* WGS84 */
	uint32_t services;        /* bit i = service i of services.h */
	uint32_t id;              /* string offsets into the pool; id never 0 */
	uint32_t name, address, phone, hours, kind;
};

struct stationset {
	uint32_t count;
	struct station *items;    /* [count], in source order */
	struct strpool strings;
};

/* Read stations from `src` (path relative to `dir`, or absolute; dir may be
 * NULL).  Field names per the config mapping, matched case-insensitively; a
 * CSV is read with its lon/lat columns (`field.lon`/`field.lat`, else lon,
 * lng, longitude, x / lat, latitude, y).  Skipped with a counted warning: no
 * or non-point or out-of-range geometry, duplicate id.  Unknown service names
 * are dropped from the station with a warning.  An unreadable source is an
 * error (YZ_EIO/YZ_ECRS/YZ_ENOTFOUND); zero stations is not. */
enum yz_err stations_read(struct stationset *ss, const struct config_source_def *src,
			  const char *dir, struct load_report *rep, struct yz_errbuf *eb);
void stations_free(struct stationset *ss);

#endif
