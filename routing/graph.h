/* graph.h — the road network and the per-mode routing graphs (SPEC §2, §7).
 *
 * Read-only after building; every array may point into a mapped snapshot.
 *
 * The network is shared by the modes: junction nodes (OSM vertices where ways
 * meet, and way ends) and segments (a way's stretch between two junctions,
 * with its full shape).  Each mode's graph is CSR in RoutingKit's shape over
 * the same node numbering: forward arcs (first_out/head) for searches from a
 * point, and the reversed graph (first_in/tail) for searches towards one.
 * A segment is in a mode's graph when both its ends are in the mode's largest
 * strongly connected component (counted in OSM vertices, SPEC §7).
 *
 * Sizes: a city has 10^4–10^5 nodes, a province a few 10^6; ids are uint32. */
#ifndef YZ_GRAPH_H
#define YZ_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "data/profile.h"

#define GRAPH_NONE UINT32_MAX

struct network {
	uint32_t node_count;
	const int32_t *node_lon_e7, *node_lat_e7;   /* [node_count] */
	uint32_t seg_count;
	const uint32_t *seg_from, *seg_to;          /* [seg_count] node ids */
	const uint32_t *seg_pt_first;               /* [seg_count + 1] */
	uint32_t pt_count;
	const int32_t *pt_lon_e7, *pt_lat_e7;       /* shape points, ends included */
	const float *seg_length_m;                  /* haversine along the shape */
	const uint8_t *seg_class;                   /* enum road_class */
	const uint32_t *seg_name;                   /* offset into names, 0 = none */
	const char *names;                          /* string pool (strpool.h) */
	uint32_t names_len;
	/* derived at load, not stored: the segment of every shape point (the
	 * last point of a segment maps to it too); NULL = look it up */
	const uint32_t *pt_seg;                     /* [pt_count] */
	/* derived at load too: haversine length from the segment's first point
	 * to each point (the measure of every fraction); NULL = compute it */
	const double *pt_cum;                       /* [pt_count] */
};

/* An arc's segment reference: segment id << 1, low bit set when the arc runs
 * against the segment's point order. */
#define ARC_SEG(ref) ((ref) >> 1)
#define ARC_REVERSED(ref) ((ref) & 1u)

struct graph {
	enum mode mode;
	uint32_t node_count;      /* == network.node_count */
	uint32_t arc_count;
	const uint32_t *first_out;   /* [node_count + 1] */
	const uint32_t *head;        /* [arc_count] */
	const uint32_t *time_ms;     /* [arc_count] travel time, milliseconds */
	const uint32_t *arc_seg;     /* [arc_count] ARC_SEG/ARC_REVERSED */
	const uint32_t *first_in;    /* [node_count + 1] reversed graph */
	const uint32_t *tail;        /* [arc_count] */
	const uint32_t *in_time_ms;  /* [arc_count] */
	const uint32_t *in_arc_seg;  /* [arc_count] */
	const uint8_t *seg_dirs;     /* [seg_count] DIR_FWD|DIR_BWD, 0 = not in graph */
	const uint32_t *seg_time_ms; /* [seg_count] time of the whole segment, either way */
	uint32_t kept_nodes;         /* junction nodes in the component */
	uint32_t kept_vertices;      /* OSM vertices in the component */
	uint32_t kept_segs;
};

/* One point of a segment's shape. */
static inline uint32_t network_seg_pts(const struct network *n, uint32_t seg)
{
	return n->seg_pt_first[seg + 1] - n->seg_pt_first[seg];
}

static inline const char *network_name(const struct network *n, uint32_t off)
{
	return off < n->names_len ? n->names + off : "";
}

/* Check every invariant a search relies on (ids in range, CSR monotone,
 * reverse graph consistent in size).  Used on snapshots, which may be
 * corrupt or hostile.  Returns 0 when valid. */
int network_validate(const struct network *n);
int graph_validate(const struct graph *g, const struct network *n);

#endif
