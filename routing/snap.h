/* snap.h — putting a point on the road network (SPEC §3, §7).
 *
 * The snapped position is the closest point, in metres measured in a local
 * equirectangular frame centred on the query point, on any segment of the
 * mode's graph.  A position is a segment and a fraction of its length from
 * the segment's first point; a position exactly on a junction is that
 * junction, whatever the direction of its edges. */
#ifndef YZ_SNAP_H
#define YZ_SNAP_H

#include <stdint.h>

#include "common/err.h"
#include "graph.h"
#include "spatial.h"

struct snap {
	uint32_t seg;          /* segment in the mode's graph */
	double frac;           /* 0..1 along the segment's length, from seg_from */
	uint32_t node;         /* the junction when frac is exactly 0 or 1, else GRAPH_NONE */
	uint32_t piece;        /* shape point starting the piece it lies on */
	double lon, lat;       /* the snapped point */
	double dist_m;         /* from the query point (reported, never charged) */
};

/* Snap (lon, lat) onto graph `g` using the piece index `pieces`.  Fails with
 * YZ_ESNAP (message says how far the limit is) when nothing of the mode's
 * graph lies within `max_m` metres. */
enum yz_err snap_point(const struct network *net, const struct graph *g,
		       const struct grid *pieces, double lon, double lat, double max_m,
		       struct snap *out, struct yz_errbuf *eb);

/* Time (ms) from the snapped position to the segment's ends, following the
 * mode's allowed directions; SEARCH-style infinity (UINT32_MAX) when the
 * direction is not allowed.  to_first: towards seg_from (against the shape). */
uint32_t snap_time_to_from_node(const struct graph *g, const struct snap *s);
uint32_t snap_time_to_to_node(const struct graph *g, const struct snap *s);

/* Fill cum[pt_count]: each shape point's haversine distance from its
 * segment's first point, the measure of every fraction (what
 * network.pt_cum holds once a dataset is loaded). */
void network_measure_points(const struct network *net, double *cum);

/* Length in metres of the segment's shape between fractions f0 < f1. */
double network_seg_length_between(const struct network *net, uint32_t seg, double f0, double f1);

/* Emit the shape of `seg` from fraction f0 to f1 (f1 < f0 walks backwards)
 * as lon/lat pairs through `emit`, first and last points interpolated. */
typedef void snap_emit_fn(void *ctx, double lon, double lat);
void network_seg_slice(const struct network *net, uint32_t seg, double f0, double f1,
		       snap_emit_fn *emit, void *ctx);

#endif
