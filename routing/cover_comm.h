/* cover_comm.h — the road inside each community, clipped exactly.
 *
 * Computed once per dataset, independent of mode and limit: for each
 * community, the stretches of network segments inside its closed polygon
 * (holes and multipolygons handled, boundary included, SPEC §7), as fractions
 * of each segment's length.  Coverage per community is then the overlap of
 * these stretches with a segment's covered intervals (coverage.h). */
#ifndef YZ_COVER_COMM_H
#define YZ_COVER_COMM_H

#include <stdint.h>

#include "common/err.h"
#include "coverage.h"
#include "data/communities.h"
#include "graph.h"
#include "spatial.h"

/* A stretch [f0, f1] of segment `seg` inside a community.  Floats: a
 * fraction to 1e-7 is under a millimetre on any real segment. */
struct comm_span {
	uint32_t seg;
	float f0, f1;
};

struct comm_spans {
	uint32_t count;              /* communities */
	uint32_t *first;             /* [count + 1] into spans */
	struct comm_span *spans;     /* per community, sorted by segment, then f0 */
};

/* Clip the network against every community, looking up pieces in the piece
 * grid.  YZ_ENOMEM only. */
enum yz_err comm_spans_build(struct comm_spans *cs, const struct network *net,
			     const struct grid *pieces, const struct communityset *comm);
void comm_spans_free(struct comm_spans *cs);

/* Road length and the part within the limit. */
struct cover_sum {
	double road_m, covered_m;
};

/* Coverage of graph g under `limit_ms` from field f: the whole network in
 * *total, and per community into per_comm[cs->count] when cs is not NULL.
 * Segments outside g count neither as road nor as covered (SPEC §7). */
void cover_sums(const struct coverage_field *f, const struct network *net, const struct graph *g,
		double limit_ms, const struct comm_spans *cs, struct cover_sum *total,
		struct cover_sum *per_comm);

#endif
