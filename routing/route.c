/* route.c — point-to-point routing on one mode's graph.
 *
 * The source position seeds the search at its segment's ends (partial costs);
 * the target position is reached through its segment's ends plus the partial
 * cost, or directly along the shared segment when both lie on one.  The
 * search stops once the smallest queued time cannot improve the best total,
 * which makes the result exact. */
#include "route.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

void polyline_init(struct polyline *l)
{
	memset(l, 0, sizeof *l);
}

void polyline_fini(struct polyline *l)
{
	free(l->lon_e7);
	free(l->lat_e7);
	memset(l, 0, sizeof *l);
}

void polyline_reset(struct polyline *l)
{
	l->n = 0;
	l->failed = 0;
}

void polyline_add_e7(struct polyline *l, int32_t lon_e7, int32_t lat_e7)
{
	if (l->failed)
		return;
	if (l->n && l->lon_e7[l->n - 1] == lon_e7 && l->lat_e7[l->n - 1] == lat_e7)
		return;
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 64;
		int32_t *x = realloc(l->lon_e7, cap * sizeof *x);
		if (x)
			l->lon_e7 = x;
		int32_t *y = realloc(l->lat_e7, cap * sizeof *y);
		if (y)
			l->lat_e7 = y;
		if (!x || !y) {
			l->failed = 1;
			return;
		}
		l->cap = cap;
	}
	l->lon_e7[l->n] = lon_e7;
	l->lat_e7[l->n] = lat_e7;
	l->n++;
}

void polyline_add(struct polyline *l, double lon, double lat)
{
	polyline_add_e7(l, geo_to_e7(lon), geo_to_e7(lat));
}

static void emit_to_line(void *ctx, double lon, double lat)
{
	polyline_add(ctx, lon, lat);
}

void route_seed_source(struct search *s, const struct network *net, const struct graph *g,
		       const struct snap *a)
{
	if (a->node != GRAPH_NONE) {
		search_add_source(s, a->node, 0);
		return;
	}
	uint32_t t_to = snap_time_to_to_node(g, a), t_from = snap_time_to_from_node(g, a);
	if (t_to != UINT32_MAX)
		search_add_source(s, net->seg_to[a->seg], t_to);
	if (t_from != UINT32_MAX)
		search_add_source(s, net->seg_from[a->seg], t_from);
}

/* The fraction of segment `seg` at which `node` lies (0 or 1). */
static double node_frac(const struct network *net, uint32_t seg, uint32_t node)
{
	return net->seg_from[seg] == node ? 0.0 : 1.0;
}

/* The end through which a path from `node` enters `seg` to reach `frac`.  On
 * a loop segment both ends are `node`: the path takes the cheaper allowed
 * direction, priced as route_compute and attach_build price it (forwards
 * over frac, backwards over 1 - frac; a tie goes forwards, as there). */
static double entry_frac(const struct network *net, const struct graph *g, uint32_t seg,
			 uint32_t node, double frac)
{
	if (net->seg_from[seg] != net->seg_to[seg])
		return node_frac(net, seg, node);
	uint64_t fwd = UINT64_MAX, bwd = UINT64_MAX;
	if (g->seg_dirs[seg] & DIR_FWD)
		fwd = (uint64_t)llround(frac * g->seg_time_ms[seg]);
	if (g->seg_dirs[seg] & DIR_BWD)
		bwd = (uint64_t)llround((1 - frac) * g->seg_time_ms[seg]);
	return fwd <= bwd ? 0.0 : 1.0;
}

void route_trace(const struct search *s, const struct network *net, const struct graph *g,
		 const struct snap *a, uint32_t node, uint32_t tail_seg, double tail_frac,
		 struct polyline *line, double *dist_m)
{
	/* Walk the predecessor arcs back to a source, remembering them. */
	enum { STACK = 256 };
	uint32_t small[STACK], *arcs = small, cap = STACK, n = 0;
	for (uint32_t v = node, arc; (arc = search_pred(s, v)) != SEARCH_INF;) {
		if (n == cap) {
			uint32_t *bigger = malloc((size_t)cap * 2 * sizeof *bigger);
			if (!bigger) {
				line->failed = 1;
				break;
			}
			memcpy(bigger, arcs, (size_t)n * sizeof *arcs);
			if (arcs != small)
				free(arcs);
			arcs = bigger;
			cap *= 2;
		}
		arcs[n++] = arc;
		uint32_t ref = g->arc_seg[arc];
		uint32_t seg = ARC_SEG(ref);
		v = ARC_REVERSED(ref) ? net->seg_to[seg] : net->seg_from[seg];
	}
	/* The source node of the path: the first arc's tail, or `node` itself. */
	uint32_t start = node;
	if (n) {
		uint32_t ref = g->arc_seg[arcs[n - 1]], seg = ARC_SEG(ref);
		start = ARC_REVERSED(ref) ? net->seg_to[seg] : net->seg_from[seg];
	}
	/* partial first segment: from the snapped point to the start node */
	if (a->node == GRAPH_NONE) {
		double f = node_frac(net, a->seg, start);
		if (net->seg_from[a->seg] == net->seg_to[a->seg]) {
			/* a loop segment: both ends are `start`; the search used the
			 * cheaper direction, and so do we */
			uint32_t t0 = snap_time_to_from_node(g, a), t1 = snap_time_to_to_node(g, a);
			f = t0 <= t1 ? 0.0 : 1.0;
		}
		network_seg_slice(net, a->seg, a->frac, f, emit_to_line, line);
		*dist_m += network_seg_length_between(net, a->seg, a->frac, f);
	}
	for (uint32_t i = n; i-- > 0;) {
		/* whole segments: their shape points as they are */
		uint32_t ref = g->arc_seg[arcs[i]], seg = ARC_SEG(ref);
		uint32_t first = net->seg_pt_first[seg], last = net->seg_pt_first[seg + 1] - 1;
		for (uint32_t k = 0; k <= last - first; k++) {
			uint32_t p = ARC_REVERSED(ref) ? last - k : first + k;
			polyline_add_e7(line, net->pt_lon_e7[p], net->pt_lat_e7[p]);
		}
		*dist_m += net->seg_length_m[seg];
	}
	if (arcs != small)
		free(arcs);
	if (!n && a->node != GRAPH_NONE)
		polyline_add_e7(line, net->node_lon_e7[node], net->node_lat_e7[node]);
	if (tail_seg != GRAPH_NONE) {
		double f = entry_frac(net, g, tail_seg, node, tail_frac);
		network_seg_slice(net, tail_seg, f, tail_frac, emit_to_line, line);
		*dist_m += network_seg_length_between(net, tail_seg, f, tail_frac);
	}
}

void route_along_segment(const struct network *net, const struct snap *a, const struct snap *b,
			 struct polyline *line, double *dist_m)
{
	network_seg_slice(net, a->seg, a->frac, b->frac, emit_to_line, line);
	*dist_m += network_seg_length_between(net, a->seg, a->frac, b->frac);
}

/* Cost of going directly from a to b along their shared segment, or
 * UINT32_MAX when they are on different segments or the direction is not
 * allowed. */
static uint32_t same_segment_ms(const struct graph *g, const struct snap *a, const struct snap *b)
{
	if (a->seg != b->seg)
		return UINT32_MAX;
	uint8_t dirs = g->seg_dirs[a->seg];
	double d = b->frac - a->frac;
	if (d >= 0 && (dirs & DIR_FWD))
		return (uint32_t)llround(d * g->seg_time_ms[a->seg]);
	if (d <= 0 && (dirs & DIR_BWD))
		return (uint32_t)llround(-d * g->seg_time_ms[a->seg]);
	return UINT32_MAX;
}

enum yz_err route_compute(struct search *s, const struct network *net, const struct graph *g,
			  const struct snap *a, const struct snap *b, struct route_result *res)
{
	polyline_reset(&res->line);
	res->distance_m = 0;
	res->time_ms = 0;
	uint32_t direct = same_segment_ms(g, a, b);
	if (a->node != GRAPH_NONE && a->node == b->node)
		direct = 0;

	/* Target entries: reach b from its segment's ends. */
	uint32_t tnode[2] = {GRAPH_NONE, GRAPH_NONE}, textra[2] = {0, 0};
	if (b->node != GRAPH_NONE) {
		tnode[0] = b->node;
	} else {
		/* arriving at b from seg_from travels forward over frac */
		if (g->seg_dirs[b->seg] & DIR_FWD) {
			tnode[0] = net->seg_from[b->seg];
			textra[0] = (uint32_t)llround(b->frac * g->seg_time_ms[b->seg]);
		}
		if (g->seg_dirs[b->seg] & DIR_BWD) {
			tnode[1] = net->seg_to[b->seg];
			textra[1] = (uint32_t)llround((1 - b->frac) * g->seg_time_ms[b->seg]);
		}
	}
	search_start(s, g, SEARCH_FORWARD);
	route_seed_source(s, net, g, a);
	uint64_t best = direct;
	int best_via = -1; /* -1: direct (or none) */
	uint32_t v, t;
	while (search_min_key(s) < best && search_next(s, &v, &t)) {
		for (int i = 0; i < 2; i++)
			if (v == tnode[i] && (uint64_t)t + textra[i] < best) {
				best = (uint64_t)t + textra[i];
				best_via = i;
			}
	}
	if (best >= UINT32_MAX)
		return YZ_EUNREACHABLE;
	res->time_ms = (uint32_t)best;
	if (best_via < 0) {
		/* along the shared segment, or both on the same junction */
		if (a->seg == b->seg) {
			route_along_segment(net, a, b, &res->line, &res->distance_m);
		} else {
			polyline_add(&res->line, a->lon, a->lat);
		}
		return res->line.failed ? YZ_ENOMEM : YZ_OK;
	}
	route_trace(s, net, g, a, tnode[best_via], b->node != GRAPH_NONE ? GRAPH_NONE : b->seg,
		    b->frac, &res->line, &res->distance_m);
	return res->line.failed ? YZ_ENOMEM : YZ_OK;
}
