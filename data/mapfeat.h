/* mapfeat.h — base-map features (water, green, buildings, landuse tints,
 * rivers, railways) read from the dataset's road source when it is an OSM
 * file (SPEC §5: the `map` layer draws them "where the road source has them").
 *
 * The set is flat parallel arrays with no pointers inside records and names as
 * offsets into one string pool, so every array can be written to a snapshot and
 * mapped back unchanged.  Feature f owns parts [part_first[f],
 * part_first[f + 1]); part p owns points [part_pt_first[p],
 * part_pt_first[p + 1]).  An area's parts are rings flagged MAPFEAT_OUTER or
 * not (a hole), each hole following its outer ring, so a MultiPolygon is
 * rebuilt by starting a new polygon at each outer ring; rings are closed (last
 * point == first, at least 4 points, non-zero area), outer rings
 * counter-clockwise and holes clockwise (RFC 7946, as communities.h).  A
 * line's parts are polylines flagged MAPFEAT_LINE (at least 2 points).  No two
 * consecutive points of a part are equal. */
#ifndef YZ_MAPFEAT_H
#define YZ_MAPFEAT_H

#include <stdint.h>

#include "common/err.h"
#include "common/strpool.h"

/* Kinds, in drawing order (landuse tints first, lines last).  The second
 * column is the stable name used by styles and the snapshot; the third says
 * whether the kind is an area (1) or a line (0). */
#define MAPFEAT_KIND_TABLE(X)                                   \
	X(MAPFEAT_RESIDENTIAL, "residential", 1)                \
	X(MAPFEAT_COMMERCIAL, "commercial", 1)                  \
	X(MAPFEAT_RETAIL, "retail", 1)                          \
	X(MAPFEAT_INDUSTRIAL, "industrial", 1)                  \
	X(MAPFEAT_GREEN, "green", 1)                            \
	X(MAPFEAT_WATER, "water", 1)                            \
	X(MAPFEAT_BUILDING, "building", 1)                      \
	X(MAPFEAT_RIVER, "river", 0)    /* waterway=river, canal */ \
	X(MAPFEAT_STREAM, "stream", 0)  /* waterway=stream */   \
	X(MAPFEAT_RAIL, "rail", 0)      /* railway=rail, light_rail, subway; not in tunnels */

enum mapfeat_kind {
#define MAPFEAT_KIND_ENUM(e, name, area) e,
	MAPFEAT_KIND_TABLE(MAPFEAT_KIND_ENUM)
#undef MAPFEAT_KIND_ENUM
	MAPFEAT_KIND_COUNT
};

/* part_flags bits.  MAPFEAT_OUTER has RING_OUTER's value (communities.h), so
 * one polygon filler serves both. */
#define MAPFEAT_OUTER 1u   /* an area's outer ring (else a hole) */
#define MAPFEAT_LINE 2u    /* a polyline, not a ring */

struct mapfeat_set {
	uint32_t count;               /* features */
	uint8_t *kind;                /* [count] enum mapfeat_kind */
	uint32_t *name;               /* [count] offset into names; 0 = none (kept for water and green only) */
	int32_t *bbox;                /* [4 * count] min_lon_e7, min_lat_e7, max_lon_e7, max_lat_e7 */
	uint32_t *part_first;         /* [count + 1] into the parts */
	uint32_t part_count;
	uint32_t *part_pt_first;      /* [part_count + 1] into the points */
	uint8_t *part_flags;          /* [part_count] MAPFEAT_OUTER, MAPFEAT_LINE */
	uint32_t pt_count;
	int32_t *pt_lon_e7, *pt_lat_e7; /* [pt_count] WGS84, 1e-7 degree */
	struct strpool names;         /* Chinese name preferred (name:zh, then name);
				       * names.data is NULL when no name was kept */
	uint32_t repaired;            /* invalid polygons kept after GEOS MakeValid */
	uint32_t skipped_invalid;     /* areas skipped: invalid beyond repair, or no usable ring */
};

/* Reading
 *
 * Fill `m` (caller storage, overwritten) from `path`.  A path that is not an
 * OSM file (.osm, .osm.pbf, .pbf) gives an empty set and YZ_OK: other road
 * sources carry no base map.  Areas come from GDAL's `multipolygons` layer,
 * lines from its `lines` layer; features of no kind above are skipped without
 * a warning (most are irrelevant), invalid areas are repaired or skipped and
 * counted in m->repaired / m->skipped_invalid (not in the load report).  On
 * success every array is allocated (part_first and part_pt_first hold at
 * least one element) and owned by `m` until mapfeat_free.  Errors: YZ_EIO
 * (cannot open, GDAL's reason in `eb`), YZ_ENOMEM; `m` is then empty and
 * needs no mapfeat_free (calling it is harmless). */
enum yz_err mapfeat_read(struct mapfeat_set *m, const char *path, struct yz_errbuf *eb);

/* Free every array of `m` and zero it; accepts a zeroed set. */
void mapfeat_free(struct mapfeat_set *m);

/* Kinds
 *
 * Stable name of a kind ("water"), or NULL when kind >= MAPFEAT_KIND_COUNT. */
const char *mapfeat_kind_name(unsigned kind);
/* 1 when the kind is an area (rings), 0 for a line kind or an unknown kind. */
int mapfeat_kind_is_area(unsigned kind);

#endif
