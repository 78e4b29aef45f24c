/* route.h — fastest path between two snapped positions, and paths out of a
 * finished search tree (used by nearest).  Geometry includes the partial
 * first and last segments, cut at the snapped points. */
#ifndef YZ_ROUTE_H
#define YZ_ROUTE_H

#include <stdint.h>

#include "common/err.h"
#include "graph.h"
#include "search.h"
#include "snap.h"

/* A growable lon/lat line at the output's precision: points are kept in
 * 1e-7 degree (about 1 cm, what the API prints), so writing them is integer
 * formatting; consecutive duplicate points are dropped. */
struct polyline {
	int32_t *lon_e7, *lat_e7;
	uint32_t n, cap;
	int failed;           /* allocation failed: contents incomplete */
};

void polyline_init(struct polyline *l);
void polyline_fini(struct polyline *l);
void polyline_reset(struct polyline *l);
void polyline_add(struct polyline *l, double lon, double lat);   /* rounded to 1e-7° */
void polyline_add_e7(struct polyline *l, int32_t lon_e7, int32_t lat_e7);

/* Point i in degrees. */
static inline double polyline_lon(const struct polyline *l, uint32_t i)
{
	return l->lon_e7[i] / 1e7;
}
static inline double polyline_lat(const struct polyline *l, uint32_t i)
{
	return l->lat_e7[i] / 1e7;
}

struct route_result {
	uint32_t time_ms;
	double distance_m;
	struct polyline line;     /* caller-initialised; filled by the call */
};

/* Fastest route from `a` to `b` on `g` (forward search).  YZ_EUNREACHABLE
 * when b cannot be reached (cannot happen inside one strongly connected
 * component, but one-way ends of a segment can make it so).  `res->line`
 * must be initialised by the caller and is reset first. */
enum yz_err route_compute(struct search *s, const struct network *net, const struct graph *g,
			  const struct snap *a, const struct snap *b, struct route_result *res);

/* Seed a forward search with the snapped source (both ends of its segment
 * as the directions allow). */
void route_seed_source(struct search *s, const struct network *net, const struct graph *g,
		       const struct snap *a);

/* After a forward search from `a` (seeded with route_seed_source) settled
 * `node`: append the path a → node, then the partial segment from `node` to
 * `tail_frac` of `tail_seg` when tail_seg != GRAPH_NONE.  Adds the distance to
 * *dist_m. */
void route_trace(const struct search *s, const struct network *net, const struct graph *g,
		 const struct snap *a, uint32_t node, uint32_t tail_seg, double tail_frac,
		 struct polyline *line, double *dist_m);

/* Append the stretch of a's segment from a to b (both on the same segment)
 * and add its length to *dist_m. */
void route_along_segment(const struct network *net, const struct snap *a, const struct snap *b,
			 struct polyline *line, double *dist_m);

#endif
