/* attach.h — stations hooked onto one mode's graph.
 *
 * Each station is snapped like a query point (SPEC §3, §7: one farther than
 * max_snap cannot be reached in this mode).  A snapped station is reached by
 * a forward search through its segment's ends: from seg_from when the mode
 * may travel the segment forwards (extra time frac·T), from seg_to when it
 * may travel it backwards (extra (1−frac)·T).  The entries are sorted by node
 * with a bitmap over nodes, so a search asks "any station here?" in O(1). */
#ifndef YZ_ATTACH_H
#define YZ_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "graph.h"
#include "snap.h"
#include "spatial.h"

struct attach_entry {
	uint32_t node;
	uint32_t station;
	uint32_t extra_ms;   /* from the node to the station along its segment */
};

struct station_attach {
	uint32_t station_count;
	struct snap *snaps;          /* [station_count] */
	bool *snapped;               /* [station_count] within max_snap */
	uint32_t entry_count;
	struct attach_entry *entries;   /* sorted by node, then station */
	uint64_t *node_bits;         /* bit per node: has entries */
};

/* Snap `n` stations given by e7 coordinates (strided arrays: lon_e7[i *
 * stride]).  YZ_ENOMEM only. */
enum yz_err attach_build(struct station_attach *a, const struct network *net,
			 const struct graph *g, const struct grid *pieces, double max_snap_m,
			 const int32_t *lon_e7, const int32_t *lat_e7, size_t stride, uint32_t n);
void attach_free(struct station_attach *a);

static inline bool attach_has(const struct station_attach *a, uint32_t node)
{
	return (a->node_bits[node >> 6] >> (node & 63)) & 1;
}

/* Entries of `node`: [*first, *end). */
void attach_entries(const struct station_attach *a, uint32_t node, uint32_t *first,
		    uint32_t *end);

#endif
