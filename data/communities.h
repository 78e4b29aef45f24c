/* communities.h — community (社区/街道) boundaries from any OGR polygon source.
 *
 * Polygons are flattened: a community owns rings [ring_first, ring_first +
 * ring_count); each ring is flagged outer or hole and holes follow their
 * outer ring, so a MultiPolygon is rebuilt by starting a new polygon at each
 * outer ring.  Rings are closed (last point == first). */
#ifndef YZ_COMMUNITIES_H
#define YZ_COMMUNITIES_H

#include <stdint.h>

#include "common/err.h"
#include "common/strpool.h"
#include "config.h"
#include "report.h"

#define RING_OUTER 1u

struct community {
	uint32_t id, name;          /* string offsets; id never 0 */
	double population;          /* < 0 when the source has none */
	uint32_t ring_first, ring_count;
	int32_t min_lon_e7, min_lat_e7, max_lon_e7, max_lat_e7;
};

struct communityset {
	uint32_t count;
	struct community *items;
	uint32_t ring_count;
	uint32_t *ring_pt_first;     /* [ring_count + 1] */
	uint8_t *ring_flags;         /* [ring_count] RING_OUTER */
	uint32_t pt_count;
	int32_t *pt_lon_e7, *pt_lat_e7;
	struct strpool strings;
};

/* Read communities from `src` (see stations_read for paths and errors).
 * Skipped with a counted warning: empty or non-polygonal geometry, geometry
 * that stays invalid after GEOS's MakeValid (a repaired one is kept, with a
 * warning), duplicate id. */
enum yz_err communities_read(struct communityset *cs, const struct config_source_def *src,
			     const char *dir, struct load_report *rep, struct yz_errbuf *eb);
void communities_free(struct communityset *cs);

/* Point-in-community test (even-odd over all rings), lon/lat in e7. */
int community_contains(const struct communityset *cs, uint32_t c, int32_t lon_e7, int32_t lat_e7);

#endif
