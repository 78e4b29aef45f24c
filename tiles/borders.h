/* borders.h — community outlines with every shared border once.
 *
 * Neighbouring communities share their border: the same points, walked
 * once by each ring.  Stroked ring by ring, such a border is drawn twice —
 * twice the work, and its anti-aliased edge darkened by the second pass (a
 * dashed one even gets two patterns out of phase).  So the outlines a line
 * layer draws come from here: the rings' segments, each undirected segment
 * kept where it first occurs (rings in order, each from its first point),
 * gathered into lines — a ring none of whose segments was met before stays
 * one closed line; the others break into open lines where a run of kept
 * segments ends.  A segment of length 0 is always kept (it draws nothing
 * and does not cut a line).
 *
 * Built once per dataset at load (not stored in snapshots); read-only
 * after that.  On malta, 18 035 ring segments give 11 551 border segments. */
#ifndef YZ_BORDERS_H
#define YZ_BORDERS_H

#include <stdint.h>

#include "common/err.h"
#include "data/communities.h"

struct borders {
	uint32_t line_count;
	uint32_t *line_pt_first; /* [line_count + 1]: line l is points [line_pt_first[l], line_pt_first[l + 1]) */
	uint8_t *line_closed;    /* [line_count] 1: a whole ring (its last point repeats its first) */
	int32_t *line_box;       /* [4 · line_count] min lon, min lat, max lon, max lat (e7) */
	int32_t *pt_lon_e7, *pt_lat_e7;
};

/* The borders of every ring of cs.  YZ_ENOMEM (b then owns nothing). */
enum yz_err borders_build(struct borders *b, const struct communityset *cs);
/* Frees b's arrays (b zeroed: a second call is harmless). */
void borders_free(struct borders *b);

#endif
