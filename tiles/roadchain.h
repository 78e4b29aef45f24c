/* roadchain.h — road segments joined end to end for drawing.
 *
 * The network is cut at every junction, so a street is many segments, and
 * stroked one by one each gets two caps — arcs of points at every junction,
 * where one join would do.  With round caps and joins the union is the same
 * (both are the points within half a width of the line); with butt caps a
 * junction loses its notch.  So segments of one class meeting at a node are
 * paired, the straightest continuations first and none turning by 90° or
 * more, and a tile strokes each run of paired segments as one polyline.
 *
 * Built once per dataset at load (not stored in snapshots); read-only after
 * that. */
#ifndef YZ_ROADCHAIN_H
#define YZ_ROADCHAIN_H

#include <stdint.h>

#include "common/err.h"
#include "routing/graph.h"

#define ROADCHAIN_NONE UINT32_MAX

struct roadchain {
	/* [2 · seg_count]: end e of segment s (0: its first point, 1: its last)
	 * is continued by link[2s + e] = 2t + f — end f of segment t, at the
	 * same node — or ROADCHAIN_NONE.  Symmetric: link[link[i]] == i. */
	uint32_t *link;
	uint32_t seg_count;
};

/* YZ_ENOMEM (rc then owns nothing). */
enum yz_err roadchain_build(struct roadchain *rc, const struct network *net);
void roadchain_free(struct roadchain *rc);

#endif
