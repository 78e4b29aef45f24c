/* isochrone.h — where can I get to (or come from) within each limit
 * (SPEC §3): one search for all limits, the reachable network cut exactly at
 * each limit, and polygons around it (routing/contour.h). */
#ifndef YZ_ISOCHRONE_H
#define YZ_ISOCHRONE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "contour.h"
#include "graph.h"
#include "search.h"
#include "snap.h"

#define ISO_MAX_LIMITS 6

/* A reachable stretch of one segment: [f0, f1] of its length. */
struct iso_span {
	uint32_t seg;
	uint32_t level;      /* smallest limit index it is reachable within */
	double f0, f1;
};

/* Per-thread scratch, reused across queries. */
struct iso_ws {
	struct contour_ws contour;
	struct contour_piece *pieces;
	size_t piece_cap, piece_count;
	struct iso_span *spans;          /* the reachable network, by level */
	size_t span_cap, span_count;
	uint32_t *settled;               /* nodes settled by the last search */
	size_t settled_cap, settled_count;
	uint32_t *seg_stamp;             /* segments already cut in this query */
	uint32_t seg_cap, stamp;
};

void iso_ws_init(struct iso_ws *w);
void iso_ws_fini(struct iso_ws *w);

struct iso_query {
	const struct snap *at;
	bool to;                         /* direction=to: times towards the point */
	uint32_t limit_ms[ISO_MAX_LIMITS];  /* ascending */
	unsigned limit_count;
};

/* Run the search and cut the network: fills w->spans (each segment stretch
 * tagged with the smallest limit reaching it; the stretches of level i are
 * disjoint from those of lower levels).  YZ_ENOMEM only. */
enum yz_err iso_reach(struct iso_ws *w, struct search *s, const struct network *net,
		      const struct graph *g, const struct iso_query *q);

/* Polygons for every limit from w->spans: out[i] for limit i.  Errors are
 * contour_build's. */
enum yz_err iso_polygons(struct iso_ws *w, const struct network *net, const struct iso_query *q,
			 const struct contour_params *p, struct contour_result *out,
			 struct yz_errbuf *eb);

#endif
