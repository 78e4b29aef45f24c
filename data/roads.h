/* roads.h — the road source read into flat arrays (SPEC §1, §2).
 *
 * A `roadset` is the list of usable ways (ways some mode may use), each a
 * polyline of e7 points with its profile.  It is an intermediate product:
 * routing/ turns it into graphs; nothing of it outlives the load except what
 * the graph keeps. */
#ifndef YZ_ROADS_H
#define YZ_ROADS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/strpool.h"
#include "profile.h"
#include "report.h"

struct roadset {
	uint32_t way_count;
	uint32_t *way_pt_first;          /* [way_count + 1] into the point arrays */
	uint32_t pt_count;
	int32_t *pt_lon_e7, *pt_lat_e7;  /* consecutive duplicates removed */
	struct way_profile *way_prof;    /* [way_count] */
	uint32_t *way_name;              /* [way_count] offset into names (0 = unnamed) */
	struct strpool names;            /* road names, Chinese name preferred */
	uint32_t ways_read;              /* features seen with a highway value */
	uint32_t ways_unusable;          /* not a road for any mode (area=yes, class, access) */
};

/* Read roads from `path`: an OSM file (.osm / .osm.pbf, GDAL's OSM driver,
 * with the project's own osmconf that keeps closed highway ways as lines) or
 * any line layer with a `highway` field (`highway_field` renames it).
 * `crs` NULL/"" = the file's own.  Features without usable geometry are
 * counted in `rep`.  Fails with YZ_EIO/YZ_ECRS/YZ_ENOTFOUND/YZ_ENOMEM, or
 * YZ_EEMPTY when not one usable way was found; `rs` is then empty. */
enum yz_err roads_read(struct roadset *rs, const char *path, const char *layer, const char *crs,
		       const char *highway_field, struct load_report *rep, struct yz_errbuf *eb);

void roads_free(struct roadset *rs);

#endif
