/* nearest.h — the k stations reachable soonest from a point (SPEC §3).
 *
 * One forward search from the snapped point, stopped as soon as k accepted
 * stations have final times: a station's time is final once the smallest
 * queued time is not below it. */
#ifndef YZ_NEAREST_H
#define YZ_NEAREST_H

#include <stdbool.h>
#include <stdint.h>

#include "attach.h"
#include "search.h"

struct nearest_hit {
	uint32_t station;
	uint32_t time_ms;
	uint32_t via_node;   /* settled node the path goes through, GRAPH_NONE = along the query's own segment */
};

/* Decides whether a station may be returned (filters). */
typedef bool nearest_accept_fn(void *ctx, uint32_t station);

#define NEAREST_MAX_K 64

/* Fill `out` (capacity k ≤ NEAREST_MAX_K) with up to k hits ordered by time,
 * then station index; *count receives how many.  Stations that cannot be
 * reached are left out.  The search `s` keeps the tree for route_trace. */
void nearest_run(struct search *s, const struct network *net, const struct graph *g,
		 const struct station_attach *a, const struct snap *q, unsigned k,
		 nearest_accept_fn *accept, void *ctx, struct nearest_hit *out, unsigned *count);

#endif
