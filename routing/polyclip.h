/* polyclip.h — which parts of a straight line lie inside a polygon.
 *
 * A polygon is a set of closed rings (outer rings and holes, even-odd rule)
 * in e7 degrees.  Its edges are bucketed in a grid over its bounding box, so
 * a line looks only at edges near it and a point-in-polygon ray only at the
 * edges of its row.  The polygon is closed: points on the boundary (within
 * POLYCLIP_EPS_E7, about 0.01 mm) are inside, so a road running along a
 * boundary counts for the polygons on both sides (SPEC §7). */
#ifndef YZ_POLYCLIP_H
#define YZ_POLYCLIP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

#define POLYCLIP_EPS_E7 1e-3

struct polyclip {
	double min_x, min_y, max_x, max_y;    /* bounding box, e7 */
	uint32_t edge_count;
	double (*edge)[4];                    /* x0, y0, x1, y1 */
	uint32_t cols, rows;
	double cell_w, cell_h;
	uint32_t *cell_first;                 /* [cols * rows + 1] */
	uint32_t *cell_edges;
	uint32_t *stamp, cur;                 /* per edge: seen in this query */
};

/* Index the rings [ring_first, ring_first + ring_count) of a flattened ring
 * set: ring r has points [ring_pt_first[r], ring_pt_first[r + 1]).
 * YZ_ENOMEM only. */
enum yz_err polyclip_init(struct polyclip *pc, const uint32_t *ring_pt_first, uint32_t ring_first,
			  uint32_t ring_count, const int32_t *lon_e7, const int32_t *lat_e7);
void polyclip_fini(struct polyclip *pc);

/* Whether (x, y) lies inside or on the boundary. */
bool polyclip_contains(struct polyclip *pc, double x, double y);

/* The parameter intervals [t0, t1] ⊆ [0, 1] of the line (ax, ay) → (bx, by)
 * that lie inside, sorted and disjoint, into out[cap]; returns the count
 * (pieces beyond `cap` are merged into the last, never dropped). */
unsigned polyclip_line(struct polyclip *pc, double ax, double ay, double bx, double by,
		       double (*out)[2], unsigned cap);

#endif
