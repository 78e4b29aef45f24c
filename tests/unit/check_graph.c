/* check_graph.c — routing/graph_build on hand-written OSM fixtures and on the
 * shared data sets.
 *
 * Each fixture in tests/fixtures/osm/ shows one SPEC §2/§7 rule on a few
 * nodes.  The test reads it with roads_read() + graph_build() and compares the
 * CSR arrays with expectations written here from the fixture's coordinates:
 * the exact set of junction nodes, the exact set of arcs per mode (each with
 * its full shape, so the segment and its direction are pinned down), each
 * arc's time from a haversine length recomputed here, and the kept counts of
 * the largest strongly connected component.  Every graph, fixture or real,
 * also goes through check_invariants(): CSR shape, arcs agreeing with their
 * segments, the reversed graph holding exactly the forward arcs, strong
 * connectivity, nodes that are exactly the segment ends. */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/roads.h"
#include "routing/graph.h"
#include "routing/graph_build.h"
#include "tests/support/shared_data.h"

Suite *graph_suite(void);

#define FIXTURES "tests/fixtures/osm/"
#define R_EARTH 6371008.8
#define PI 3.14159265358979323846

/* A point in OSM's e7 units, written as in the fixture: 121.4700000 -> 1214700000. */
struct pt {
	int32_t lon, lat;
};

static double haversine(struct pt a, struct pt b)
{
	double la1 = a.lat / 1e7 * PI / 180, la2 = b.lat / 1e7 * PI / 180;
	double dla = la2 - la1, dlo = (b.lon - a.lon) / 1e7 * PI / 180;
	double h = sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);
	return 2 * R_EARTH * asin(sqrt(h));
}

/* ---- loading ---------------------------------------------------------------- */

struct built {
	struct roadset rs;
	struct load_report rep;
	struct network net;
	struct graph g[MODE_COUNT];
};

static void build(struct built *b, const char *path)
{
	struct yz_errbuf eb = {""};
	memset(b, 0, sizeof *b);
	report_init(&b->rep);
	enum yz_err err = roads_read(&b->rs, path, NULL, NULL, NULL, &b->rep, &eb);
	ck_assert_msg(err == YZ_OK, "roads_read %s: %s (%s)", path, yz_strerror(err), eb.msg);
	err = graph_build(&b->rs, &b->net, b->g, &eb);
	ck_assert_msg(err == YZ_OK, "graph_build %s: %s", path, eb.msg);
}

static void unbuild(struct built *b)
{
	graph_build_free(&b->net, b->g);
	roads_free(&b->rs);
}

static struct pt node_pt(const struct network *n, uint32_t v)
{
	return (struct pt){n->node_lon_e7[v], n->node_lat_e7[v]};
}

static struct pt shape_pt(const struct network *n, uint32_t i)
{
	return (struct pt){n->pt_lon_e7[i], n->pt_lat_e7[i]};
}

static int same(struct pt a, struct pt b)
{
	return a.lon == b.lon && a.lat == b.lat;
}

/* ---- invariants every graph must hold ----------------------------------------- */

struct arc4 {
	uint32_t tail, head, time, ref;
};

static int arc4_cmp(const void *a, const void *b)
{
	const struct arc4 *x = a, *y = b;
	if (x->tail != y->tail)
		return x->tail < y->tail ? -1 : 1;
	if (x->head != y->head)
		return x->head < y->head ? -1 : 1;
	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return (x->time > y->time) - (x->time < y->time);
}

static int pt_cmp(const void *a, const void *b)
{
	const struct pt *x = a, *y = b;
	if (x->lon != y->lon)
		return x->lon < y->lon ? -1 : 1;
	return (x->lat > y->lat) - (x->lat < y->lat);
}

/* Nodes reachable from `src` in the forward (dir 0) or reversed graph. */
static uint32_t reach(const struct graph *g, uint32_t src, int reversed, unsigned char *seen)
{
	uint32_t n = g->node_count, *queue = malloc(((size_t)n + 1) * sizeof *queue);
	ck_assert_ptr_nonnull(queue);
	memset(seen, 0, n);
	uint32_t qh = 0, qt = 0, count = 0;
	queue[qt++] = src;
	seen[src] = 1;
	while (qh < qt) {
		uint32_t v = queue[qh++];
		count++;
		const uint32_t *first = reversed ? g->first_in : g->first_out;
		const uint32_t *other = reversed ? g->tail : g->head;
		for (uint32_t a = first[v]; a < first[v + 1]; a++) {
			uint32_t w = other[a];
			if (!seen[w]) {
				seen[w] = 1;
				queue[qt++] = w;
			}
		}
	}
	free(queue);
	return count;
}

static void check_network(const struct network *net)
{
	ck_assert_int_eq(network_validate(net), 0);
	ck_assert_uint_eq(net->seg_pt_first[0], 0);
	ck_assert_uint_eq(net->seg_pt_first[net->seg_count], net->pt_count);

	/* node coordinates are distinct: renumbering lost and duplicated nothing */
	uint32_t n = net->node_count;
	struct pt *sorted = malloc(((size_t)n + 1) * sizeof *sorted);
	ck_assert_ptr_nonnull(sorted);
	for (uint32_t v = 0; v < n; v++)
		sorted[v] = node_pt(net, v);
	qsort(sorted, n, sizeof *sorted, pt_cmp);
	for (uint32_t v = 1; v < n; v++)
		ck_assert_msg(!same(sorted[v - 1], sorted[v]), "two nodes at (%d, %d)",
			      sorted[v].lon, sorted[v].lat);

	unsigned char *is_end = calloc(n ? n : 1, 1);
	ck_assert_ptr_nonnull(is_end);
	for (uint32_t s = 0; s < net->seg_count; s++) {
		uint32_t a = net->seg_pt_first[s], b = net->seg_pt_first[s + 1];
		ck_assert_uint_ge(b, a + 2);
		ck_assert_uint_lt(net->seg_from[s], n);
		ck_assert_uint_lt(net->seg_to[s], n);
		/* a segment runs from its from-node to its to-node */
		ck_assert(same(shape_pt(net, a), node_pt(net, net->seg_from[s])));
		ck_assert(same(shape_pt(net, b - 1), node_pt(net, net->seg_to[s])));
		is_end[net->seg_from[s]] = is_end[net->seg_to[s]] = 1;
		/* no junction inside a segment: it would have been split there */
		double len = 0;
		for (uint32_t p = a; p + 1 < b; p++) {
			struct pt q = shape_pt(net, p + 1);
			ck_assert_msg(!same(shape_pt(net, p), q), "segment %u repeats a point", s);
			len += haversine(shape_pt(net, p), q);
			if (p + 2 < b)
				ck_assert_msg(!bsearch(&q, sorted, n, sizeof *sorted, pt_cmp),
					      "segment %u passes through a node at (%d, %d)", s, q.lon,
					      q.lat);
		}
		ck_assert_msg(fabs(net->seg_length_m[s] - len) <= 1e-6 * len + 1e-3,
			      "segment %u: length %.6f, haversine %.6f", s,
			      (double)net->seg_length_m[s], len);
		ck_assert_uint_lt(net->seg_class[s], RC_COUNT);
	}
	/* every node is the end of some segment */
	for (uint32_t v = 0; v < n; v++)
		ck_assert_msg(is_end[v], "node %u ends no segment", v);
	free(is_end);
	free(sorted);
}

static void check_graph(const struct network *net, const struct graph *g)
{
	uint32_t n = net->node_count, m = g->arc_count;
	ck_assert_int_eq(graph_validate(g, net), 0);
	ck_assert_uint_eq(g->node_count, n);
	ck_assert_uint_eq(g->first_out[0], 0);
	ck_assert_uint_eq(g->first_in[0], 0);
	ck_assert_uint_eq(g->first_out[n], m);
	ck_assert_uint_eq(g->first_in[n], m);
	for (uint32_t v = 0; v < n; v++) {
		ck_assert_uint_le(g->first_out[v], g->first_out[v + 1]);
		ck_assert_uint_le(g->first_in[v], g->first_in[v + 1]);
	}

	/* every arc agrees with its segment; count arcs per (segment, direction) */
	uint8_t *seen_dir = calloc(net->seg_count ? net->seg_count : 1, 1);
	struct arc4 *fwd = malloc(((size_t)m + 1) * sizeof *fwd);
	struct arc4 *bwd = malloc(((size_t)m + 1) * sizeof *bwd);
	ck_assert(seen_dir && fwd && bwd);
	for (uint32_t u = 0; u < n; u++) {
		for (uint32_t a = g->first_out[u]; a < g->first_out[u + 1]; a++) {
			uint32_t v = g->head[a], ref = g->arc_seg[a], s = ARC_SEG(ref);
			ck_assert_uint_lt(v, n);
			ck_assert_uint_lt(s, net->seg_count);
			unsigned bit = ARC_REVERSED(ref) ? DIR_BWD : DIR_FWD;
			uint32_t from = ARC_REVERSED(ref) ? net->seg_to[s] : net->seg_from[s];
			uint32_t to = ARC_REVERSED(ref) ? net->seg_from[s] : net->seg_to[s];
			ck_assert_msg(from == u && to == v, "arc %u->%u on segment %u (%u->%u) rev %u",
				      u, v, s, net->seg_from[s], net->seg_to[s], ARC_REVERSED(ref));
			ck_assert_msg(g->seg_dirs[s] & bit, "arc on segment %u without its dir bit", s);
			ck_assert_msg(!(seen_dir[s] & bit), "two arcs for segment %u dir %u", s, bit);
			seen_dir[s] |= (uint8_t)bit;
			ck_assert_uint_eq(g->time_ms[a], g->seg_time_ms[s]);
			fwd[a] = (struct arc4){u, v, g->time_ms[a], ref};
		}
	}
	uint32_t kept_segs = 0;
	uint64_t interior = 0;
	for (uint32_t s = 0; s < net->seg_count; s++) {
		ck_assert_msg(seen_dir[s] == g->seg_dirs[s], "segment %u: dirs %u, arcs %u", s,
			      g->seg_dirs[s], seen_dir[s]);
		if (g->seg_dirs[s]) {
			kept_segs++;
			interior += network_seg_pts(net, s) - 2;
		}
	}
	ck_assert_uint_eq(kept_segs, g->kept_segs);

	/* the reversed graph holds exactly the forward arcs */
	for (uint32_t v = 0; v < n; v++)
		for (uint32_t b = g->first_in[v]; b < g->first_in[v + 1]; b++) {
			ck_assert_uint_lt(g->tail[b], n);
			bwd[b] = (struct arc4){g->tail[b], v, g->in_time_ms[b], g->in_arc_seg[b]};
		}
	qsort(fwd, m, sizeof *fwd, arc4_cmp);
	qsort(bwd, m, sizeof *bwd, arc4_cmp);
	for (uint32_t a = 0; a < m; a++)
		ck_assert_msg(!arc4_cmp(&fwd[a], &bwd[a]),
			      "%s: forward arc %u->%u (t %u, seg %u) vs reversed %u->%u (t %u, seg %u)",
			      mode_name(g->mode), fwd[a].tail, fwd[a].head, fwd[a].time, fwd[a].ref,
			      bwd[a].tail, bwd[a].head, bwd[a].time, bwd[a].ref);

	/* kept nodes: exactly those with arcs, each with arcs out and in; they form
	 * one strongly connected component */
	uint32_t kept = 0, any = GRAPH_NONE;
	for (uint32_t v = 0; v < n; v++) {
		int out = g->first_out[v + 1] > g->first_out[v];
		int in = g->first_in[v + 1] > g->first_in[v];
		ck_assert_msg(out == in, "%s: node %u has %s arcs only", mode_name(g->mode), v,
			      out ? "outgoing" : "incoming");
		if (out) {
			kept++;
			any = v;
		}
	}
	for (uint32_t s = 0; s < net->seg_count; s++) {
		if (!g->seg_dirs[s])
			continue;
		uint32_t f = net->seg_from[s], t = net->seg_to[s];
		ck_assert(g->first_out[f + 1] > g->first_out[f]);
		ck_assert(g->first_out[t + 1] > g->first_out[t]);
	}
	ck_assert_uint_eq(kept, g->kept_nodes);
	ck_assert_uint_eq(g->kept_vertices, (uint64_t)kept + interior);
	if (any != GRAPH_NONE) {
		unsigned char *seen = malloc(n);
		ck_assert_ptr_nonnull(seen);
		ck_assert_uint_eq(reach(g, any, 0, seen), kept);
		ck_assert_uint_eq(reach(g, any, 1, seen), kept);
		free(seen);
	} else {
		ck_assert_uint_eq(m, 0);
		ck_assert_uint_eq(g->kept_vertices, 0);
	}
	free(seen_dir);
	free(fwd);
	free(bwd);
}

static void check_invariants(const struct built *b)
{
	check_network(&b->net);
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_int_eq(b->g[m].mode, m);
		check_graph(&b->net, &b->g[m]);
	}
}

/* ---- expectations for fixtures ------------------------------------------------- */

/* The network's nodes are exactly these points. */
static void expect_nodes(const struct network *net, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	ck_assert_msg(net->node_count == (uint32_t)n, "%u nodes, want %d", net->node_count, n);
	for (int i = 0; i < n; i++) {
		struct pt p = va_arg(ap, struct pt);
		int found = 0;
		for (uint32_t v = 0; v < net->node_count; v++)
			found += same(node_pt(net, v), p);
		ck_assert_msg(found == 1, "no node at (%d, %d)", p.lon, p.lat);
	}
	va_end(ap);
}

static uint32_t node_at(const struct network *net, struct pt p)
{
	for (uint32_t v = 0; v < net->node_count; v++)
		if (same(node_pt(net, v), p))
			return v;
	return GRAPH_NONE;
}

#define MAX_WANT 64
#define MAX_PTS 10

struct want_arc {
	float kmh;
	int n;
	struct pt p[MAX_PTS];
};

struct want {
	int n;
	struct want_arc a[MAX_WANT];
};

static void want_v(struct want *w, float kmh, int both, int n, va_list ap)
{
	ck_assert(n >= 2 && n <= MAX_PTS && w->n + 2 <= MAX_WANT);
	struct want_arc *a = &w->a[w->n++];
	a->kmh = kmh;
	a->n = n;
	for (int i = 0; i < n; i++)
		a->p[i] = va_arg(ap, struct pt);
	if (both) {
		struct want_arc *r = &w->a[w->n++];
		r->kmh = kmh;
		r->n = n;
		for (int i = 0; i < n; i++)
			r->p[i] = a->p[n - 1 - i];
	}
}

/* One arc along the points given (first = tail, last = head). */
static void want_one(struct want *w, float kmh, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	want_v(w, kmh, 0, n, ap);
	va_end(ap);
}

/* Arcs both ways along the points given. */
static void want_both(struct want *w, float kmh, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	want_v(w, kmh, 1, n, ap);
	va_end(ap);
}

/* Does arc `a` (tail u) run exactly along w's points? */
static int arc_matches(const struct network *net, const struct graph *g, uint32_t u, uint32_t a,
		       const struct want_arc *w)
{
	uint32_t s = ARC_SEG(g->arc_seg[a]);
	uint32_t first = net->seg_pt_first[s], np = network_seg_pts(net, s);
	if (np != (uint32_t)w->n || !same(node_pt(net, u), w->p[0]) ||
	    !same(node_pt(net, g->head[a]), w->p[w->n - 1]))
		return 0;
	for (uint32_t i = 0; i < np; i++) {
		uint32_t k = ARC_REVERSED(g->arc_seg[a]) ? np - 1 - i : i;
		if (!same(shape_pt(net, first + k), w->p[i]))
			return 0;
	}
	return 1;
}

/* The mode's graph has exactly the wanted arcs, each with time
 * round(length / speed) for the haversine length of its points. */
static void expect_arcs(const struct built *b, enum mode mode, const struct want *w)
{
	const struct network *net = &b->net;
	const struct graph *g = &b->g[mode];
	ck_assert_msg(g->arc_count == (uint32_t)w->n, "%s: %u arcs, want %d", mode_name(mode),
		      g->arc_count, w->n);
	unsigned char *used = calloc(g->arc_count + 1, 1);
	ck_assert_ptr_nonnull(used);
	for (int i = 0; i < w->n; i++) {
		const struct want_arc *x = &w->a[i];
		uint32_t u = node_at(net, x->p[0]), hit = GRAPH_NONE;
		ck_assert_msg(u != GRAPH_NONE, "%s: no node at (%d, %d)", mode_name(mode),
			      x->p[0].lon, x->p[0].lat);
		for (uint32_t a = g->first_out[u]; a < g->first_out[u + 1]; a++) {
			if (!arc_matches(net, g, u, a, x))
				continue;
			ck_assert_msg(hit == GRAPH_NONE, "%s: two arcs for wanted arc %d",
				      mode_name(mode), i);
			hit = a;
		}
		ck_assert_msg(hit != GRAPH_NONE, "%s: no arc (%d,%d) -> (%d,%d) through %d points",
			      mode_name(mode), x->p[0].lon, x->p[0].lat, x->p[x->n - 1].lon,
			      x->p[x->n - 1].lat, x->n);
		ck_assert(!used[hit]);
		used[hit] = 1;
		double len = 0;
		for (int k = 0; k + 1 < x->n; k++)
			len += haversine(x->p[k], x->p[k + 1]);
		double ms = len / (x->kmh / 3.6) * 1000.0;
		/* the length is stored as a float: allow a hair beyond rounding */
		ck_assert_msg(fabs(g->time_ms[hit] - ms) <= 0.5 + 1e-6 * ms,
			      "%s: arc %d: %u ms, want %.3f (%.3f m at %g km/h)", mode_name(mode), i,
			      g->time_ms[hit], ms, len, x->kmh);
	}
	free(used);
}

static void expect_kept(const struct built *b, enum mode mode, uint32_t nodes, uint32_t vertices,
			uint32_t segs)
{
	const struct graph *g = &b->g[mode];
	ck_assert_msg(g->kept_nodes == nodes, "%s: kept_nodes %u, want %u", mode_name(mode),
		      g->kept_nodes, nodes);
	ck_assert_msg(g->kept_vertices == vertices, "%s: kept_vertices %u, want %u",
		      mode_name(mode), g->kept_vertices, vertices);
	ck_assert_msg(g->kept_segs == segs, "%s: kept_segs %u, want %u", mode_name(mode),
		      g->kept_segs, segs);
}

/* ---- fixtures ------------------------------------------------------------------ */

START_TEST(test_oneway)
{
	const struct pt A = {1214700000, 312300000}, B = {1214720000, 312300000},
			C = {1214720000, 312315000}, D = {1214700000, 312315000},
			S = {1214710000, 312301000};
	struct built b;
	build(&b, FIXTURES "oneway.osm");
	check_invariants(&b);
	ck_assert_uint_eq(b.rs.ways_read, 5);
	ck_assert_uint_eq(b.rs.ways_unusable, 0);
	/* S is a shape point of one way only: not a node, and 101 is not split */
	expect_nodes(&b.net, 4, A, B, C, D);
	ck_assert_uint_eq(b.net.seg_count, 5);
	ck_assert_uint_eq(b.net.pt_count, 11);

	struct want w = {0};
	want_one(&w, 20, 3, A, S, B);       /* 101 oneway=yes */
	want_one(&w, 20, 2, B, C);          /* 102 oneway=true */
	want_one(&w, 20, 2, C, D);          /* 103 oneway=1 */
	want_one(&w, 20, 2, D, A);          /* 104 oneway=yes */
	want_both(&w, 20, 2, A, C);         /* 105 oneway=no */
	expect_arcs(&b, MODE_CAR, &w);

	w.n = 0;
	want_one(&w, 15, 3, A, S, B);
	want_one(&w, 15, 2, B, C);
	want_both(&w, 15, 2, C, D);         /* cycleway=opposite_lane */
	want_both(&w, 15, 2, D, A);         /* oneway:bicycle=no */
	want_both(&w, 15, 2, A, C);
	expect_arcs(&b, MODE_EBIKE, &w);

	w.n = 0;
	want_both(&w, 5, 3, A, S, B);
	want_both(&w, 5, 2, B, C);
	want_both(&w, 5, 2, C, D);
	want_both(&w, 5, 2, D, A);
	want_both(&w, 5, 2, A, C);
	expect_arcs(&b, MODE_WALK, &w);

	for (int m = 0; m < MODE_COUNT; m++)
		expect_kept(&b, (enum mode)m, 4, 5, 5);
	unbuild(&b);
}
END_TEST

START_TEST(test_oneway_reverse)
{
	const struct pt A = {1214800000, 312300000}, B = {1214815000, 312300000},
			C = {1214807500, 312312000}, M = {1214813000, 312307000};
	struct built b;
	build(&b, FIXTURES "oneway_reverse.osm");
	check_invariants(&b);
	expect_nodes(&b.net, 3, A, B, C);

	struct want w = {0};
	want_one(&w, 30, 2, B, A);          /* 201 oneway=-1, drawn A -> B */
	want_one(&w, 30, 3, C, M, B);       /* 202 oneway=reverse, drawn B -> M -> C */
	want_one(&w, 30, 2, A, C);          /* 203 oneway=-1, drawn C -> A */
	expect_arcs(&b, MODE_CAR, &w);
	/* all three run against their segments */
	for (uint32_t a = 0; a < b.g[MODE_CAR].arc_count; a++)
		ck_assert_uint_eq(ARC_REVERSED(b.g[MODE_CAR].arc_seg[a]), 1);

	w.n = 0;
	want_one(&w, 18, 2, B, A);
	want_one(&w, 18, 3, C, M, B);
	want_both(&w, 18, 2, C, A);         /* oneway:bicycle=no */
	expect_arcs(&b, MODE_EBIKE, &w);

	w.n = 0;
	want_both(&w, 5, 2, A, B);
	want_both(&w, 5, 3, B, M, C);
	want_both(&w, 5, 2, C, A);
	expect_arcs(&b, MODE_WALK, &w);
	for (int m = 0; m < MODE_COUNT; m++)
		expect_kept(&b, (enum mode)m, 3, 4, 3);
	unbuild(&b);
}
END_TEST

START_TEST(test_roundabout)
{
	const struct pt W1 = {1214900000, 312300000}, S1 = {1214903000, 312297000},
			E1 = {1214906000, 312300000}, N1 = {1214903000, 312303000},
			X1 = {1214890000, 312300000}, W2 = {1214920000, 312300000},
			S2 = {1214923000, 312297000}, E2 = {1214926000, 312300000},
			N2 = {1214923000, 312303000}, X2 = {1214936000, 312300000};
	struct built b;
	build(&b, FIXTURES "roundabout.osm");
	check_invariants(&b);
	/* the closed ways stay lines and are cut where the approaches meet them */
	ck_assert_uint_eq(b.rs.ways_read, 5);
	ck_assert_uint_eq(b.rs.way_count, 5);
	expect_nodes(&b.net, 6, W1, E1, X1, W2, E2, X2);
	ck_assert_uint_eq(b.net.seg_count, 7);

	struct want w = {0};
	want_one(&w, 30, 3, W1, S1, E1);   /* junction=roundabout + oneway=no: forward */
	want_one(&w, 30, 3, E1, N1, W1);
	want_one(&w, 30, 3, W2, S2, E2);   /* junction=circular: forward */
	want_one(&w, 30, 3, E2, N2, W2);
	want_both(&w, 20, 2, X1, W1);
	want_both(&w, 20, 2, E1, W2);
	want_both(&w, 20, 2, E2, X2);
	expect_arcs(&b, MODE_CAR, &w);

	w.n = 0;
	want_one(&w, 18, 3, W1, S1, E1);
	want_one(&w, 18, 3, E1, N1, W1);
	want_both(&w, 18, 3, W2, S2, E2);  /* oneway:bicycle=no frees e-bikes */
	want_both(&w, 18, 3, E2, N2, W2);
	want_both(&w, 15, 2, X1, W1);
	want_both(&w, 15, 2, E1, W2);
	want_both(&w, 15, 2, E2, X2);
	expect_arcs(&b, MODE_EBIKE, &w);

	w.n = 0;
	want_both(&w, 5, 3, W1, S1, E1);
	want_both(&w, 5, 3, E1, N1, W1);
	want_both(&w, 5, 3, W2, S2, E2);
	want_both(&w, 5, 3, E2, N2, W2);
	want_both(&w, 5, 2, X1, W1);
	want_both(&w, 5, 2, E1, W2);
	want_both(&w, 5, 2, E2, X2);
	expect_arcs(&b, MODE_WALK, &w);
	for (int m = 0; m < MODE_COUNT; m++)
		expect_kept(&b, (enum mode)m, 6, 10, 7);
	unbuild(&b);
}
END_TEST

/* access.osm: backbone P0..P13, test way i from P(i) to P(i+1) through Q(i). */
static struct pt access_p(int i)
{
	return (struct pt){1214700000 + i * 10000, 312400000};
}

static struct pt access_q(int i)
{
	return (struct pt){1214705000 + i * 10000, 312404000};
}

START_TEST(test_access)
{
	/* walk, ebike, car per test way 401..413 (see the fixture's comment) */
	static const int allowed[13][MODE_COUNT] = {
		{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {0, 0, 1}, {0, 0, 1}, {1, 0, 1}, {1, 1, 1},
		{0, 0, 0}, {1, 1, 1}, {1, 1, 0}, {1, 1, 0}, {1, 1, 1}, {0, 1, 1},
	};
	static const float speed[MODE_COUNT] = {5, 15, 20};
	struct built b;
	build(&b, FIXTURES "access.osm");
	check_invariants(&b);
	ck_assert_uint_eq(b.rs.ways_read, 14);
	ck_assert_uint_eq(b.rs.ways_unusable, 2); /* 401 and 408 */
	ck_assert_uint_eq(b.rs.way_count, 12);

	/* every P is a junction, no Q is */
	ck_assert_uint_eq(b.net.node_count, 14);
	for (int i = 0; i <= 13; i++)
		ck_assert_msg(node_at(&b.net, access_p(i)) != GRAPH_NONE, "P%d is no node", i);
	for (int i = 0; i < 13; i++)
		ck_assert(node_at(&b.net, access_q(i)) == GRAPH_NONE);
	ck_assert_uint_eq(b.net.seg_count, 13 + 11);

	for (int m = 0; m < MODE_COUNT; m++) {
		struct want w = {0};
		int ways = 0;
		for (int i = 0; i < 13; i++)
			want_both(&w, speed[m], 2, access_p(i), access_p(i + 1));
		for (int i = 0; i < 13; i++) {
			if (!allowed[i][m])
				continue;
			ways++;
			/* 410 is a footway: e-bikes 6 km/h */
			float v = i == 9 ? (m == MODE_EBIKE ? 6 : 5) : speed[m];
			want_both(&w, v, 3, access_p(i), access_q(i), access_p(i + 1));
		}
		expect_arcs(&b, (enum mode)m, &w);
		expect_kept(&b, (enum mode)m, 14, 14 + (uint32_t)ways, 13 + (uint32_t)ways);
	}
	unbuild(&b);
}
END_TEST

START_TEST(test_area)
{
	const struct pt F1 = {1214700000, 312500000}, F2 = {1214705000, 312502000},
			F3 = {1214710000, 312500000}, P2 = {1214720000, 312500000},
			P3 = {1214720000, 312510000}, P4 = {1214710000, 312510000},
			G = {1214700000, 312490000}, Q2 = {1214690000, 312500000},
			Q3 = {1214690000, 312510000}, Q4 = {1214700000, 312510000},
			H = {1214680000, 312510000};
	struct built b;
	build(&b, FIXTURES "area.osm");
	check_invariants(&b);
	/* 501, 504 (area=no) and 505 are roads; 502 and 503 (area=yes) are not */
	ck_assert_uint_eq(b.rs.way_count, 3);
	ck_assert_uint_eq(b.rs.ways_read - b.rs.ways_unusable, 3);
	for (uint32_t p = 0; p < b.rs.pt_count; p++) {
		struct pt q = {b.rs.pt_lon_e7[p], b.rs.pt_lat_e7[p]};
		ck_assert(!same(q, P2) && !same(q, P3) && !same(q, P4) && !same(q, G));
	}
	expect_nodes(&b.net, 4, F1, F3, Q3, H);

	struct want w = {0};
	for (int m = MODE_WALK; m <= MODE_EBIKE; m++) {
		float v = m == MODE_WALK ? 5 : 6;
		w.n = 0;
		want_both(&w, v, 3, F1, F2, F3);
		want_both(&w, v, 3, F1, Q2, Q3);
		want_both(&w, v, 3, Q3, Q4, F1);
		want_both(&w, v, 2, Q3, H);
		expect_arcs(&b, (enum mode)m, &w);
		expect_kept(&b, (enum mode)m, 4, 7, 4);
	}
	w.n = 0;
	expect_arcs(&b, MODE_CAR, &w);
	expect_kept(&b, MODE_CAR, 0, 0, 0);
	unbuild(&b);
}
END_TEST

START_TEST(test_maxspeed)
{
	/* car km/h of ways 601..613 (see the fixture's comment) */
	static const float car[13] = {30, 30.5f, 32.18688f, 50, 50, 50, 50, 50, 50, 50, 50, 10, 50};
	struct built b;
	build(&b, FIXTURES "maxspeed.osm");
	check_invariants(&b);
	ck_assert_uint_eq(b.net.node_count, 14);
	for (int m = 0; m < MODE_COUNT; m++) {
		struct want w = {0};
		for (int i = 0; i < 13; i++) {
			struct pt p = {1214700000 + i * 10000, 312600000};
			struct pt q = {1214700000 + (i + 1) * 10000, 312600000};
			want_both(&w, m == MODE_CAR ? car[i] : m == MODE_EBIKE ? 18 : 5, 2, p, q);
		}
		expect_arcs(&b, (enum mode)m, &w);
		expect_kept(&b, (enum mode)m, 14, 14, 13);
	}
	unbuild(&b);
}
END_TEST

START_TEST(test_steps)
{
	const struct pt S1 = {1214700000, 312700000}, S2 = {1214706000, 312700000},
			S3 = {1214703000, 312705000}, T = {1214705000, 312703000};
	struct built b;
	build(&b, FIXTURES "steps.osm");
	check_invariants(&b);
	expect_nodes(&b.net, 3, S1, S2, S3);

	struct want w = {0};
	want_both(&w, 5, 2, S1, S2);
	want_both(&w, 3, 3, S2, T, S3);
	want_both(&w, 3, 2, S3, S1);       /* oneway=yes does not bind walkers */
	expect_arcs(&b, MODE_WALK, &w);
	expect_kept(&b, MODE_WALK, 3, 4, 3);

	w.n = 0;
	want_both(&w, 6, 2, S1, S2);       /* the footway alone */
	expect_arcs(&b, MODE_EBIKE, &w);
	expect_kept(&b, MODE_EBIKE, 2, 2, 1);

	w.n = 0;
	expect_arcs(&b, MODE_CAR, &w);
	expect_kept(&b, MODE_CAR, 0, 0, 0);
	unbuild(&b);
}
END_TEST

START_TEST(test_components)
{
	const struct pt E1 = {1214690000, 312800000}, C = {1214700000, 312800000},
			E2 = {1214710000, 312800000}, E3 = {1214700000, 312790000},
			E4 = {1214700000, 312810000}, B1 = {1214695000, 312795000},
			B2 = {1214695000, 312805000}, Y1 = {1214800000, 312800000},
			K1 = {1214810000, 312803000}, K2 = {1214820000, 312798000},
			K3 = {1214830000, 312803000}, K4 = {1214840000, 312798000},
			K5 = {1214850000, 312803000}, K6 = {1214860000, 312798000},
			Y2 = {1214870000, 312800000}, Z1 = {1214880000, 312802000},
			Z = {1214890000, 312805000};
	struct built b;
	build(&b, FIXTURES "components.osm");
	check_invariants(&b);
	/* C, shared by 801 and 802, is a junction that splits both; the bridge
	 * crosses 801 without a shared node and joins nothing */
	expect_nodes(&b.net, 10, E1, C, E2, E3, E4, B1, B2, Y1, Y2, Z);
	ck_assert_uint_eq(b.net.seg_count, 7);
	ck_assert(node_at(&b.net, (struct pt){1214695000, 312800000}) == GRAPH_NONE);

	/* Cluster X has 5 junctions, Y 2 (3 with the spur's end) but 8 OSM
	 * vertices: Y is the largest component in every mode.  The oneway spur
	 * is one-way for vehicles, so not strongly connected. */
	struct want w = {0};
	for (int m = MODE_EBIKE; m <= MODE_CAR; m++) {
		w.n = 0;
		want_both(&w, m == MODE_CAR ? 20 : 15, 8, Y1, K1, K2, K3, K4, K5, K6, Y2);
		expect_arcs(&b, (enum mode)m, &w);
		expect_kept(&b, (enum mode)m, 2, 8, 1);
	}
	w.n = 0;
	want_both(&w, 5, 8, Y1, K1, K2, K3, K4, K5, K6, Y2);
	want_both(&w, 5, 3, Y2, Z1, Z);
	expect_arcs(&b, MODE_WALK, &w);
	expect_kept(&b, MODE_WALK, 3, 10, 2);
	unbuild(&b);
}
END_TEST

/* The loader is deterministic: the same file gives the same arrays. */
START_TEST(test_deterministic)
{
	struct built a, b;
	build(&a, FIXTURES "roundabout.osm");
	build(&b, FIXTURES "roundabout.osm");
	ck_assert_uint_eq(a.net.node_count, b.net.node_count);
	ck_assert_uint_eq(a.net.pt_count, b.net.pt_count);
	ck_assert(!memcmp(a.net.node_lon_e7, b.net.node_lon_e7, a.net.node_count * 4));
	ck_assert(!memcmp(a.net.pt_lat_e7, b.net.pt_lat_e7, a.net.pt_count * 4));
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_uint_eq(a.g[m].arc_count, b.g[m].arc_count);
		ck_assert(!memcmp(a.g[m].head, b.g[m].head, a.g[m].arc_count * 4));
		ck_assert(!memcmp(a.g[m].time_ms, b.g[m].time_ms, a.g[m].arc_count * 4));
	}
	unbuild(&a);
	unbuild(&b);
}
END_TEST

/* ---- the shared data sets --------------------------------------------------------- */

static const char *const shared_roads[] = {
	"shanghai_huangpu_small/shanghai_huangpu.osm.pbf",
	"monaco/monaco.osm.pbf",
	"hsinchu_nctu/hsinchu_nctu.osm.pbf",
};

START_TEST(test_shared_invariants)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", shared_dir(), shared_roads[_i]);
	struct built b;
	build(&b, path);
	ck_assert_uint_gt(b.net.node_count, 100);
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_msg(b.g[m].arc_count > 0, "%s: no %s arcs", path, mode_name((enum mode)m));
		ck_assert_uint_le(b.g[m].kept_nodes, b.net.node_count);
		ck_assert_uint_le(b.g[m].kept_segs, b.net.seg_count);
		ck_assert_uint_ge(b.g[m].kept_vertices, b.g[m].kept_nodes);
	}
	check_invariants(&b);
	unbuild(&b);
}
END_TEST

/* The same data as .osm XML and .osm.pbf give the same graph. */
START_TEST(test_shared_xml_equals_pbf)
{
	char p1[1024], p2[1024];
	snprintf(p1, sizeof p1, "%s/shanghai_huangpu_small/shanghai_huangpu.osm", shared_dir());
	snprintf(p2, sizeof p2, "%s/shanghai_huangpu_small/shanghai_huangpu.osm.pbf", shared_dir());
	struct built a, b;
	build(&a, p1);
	build(&b, p2);
	ck_assert_uint_eq(a.rs.way_count, b.rs.way_count);
	ck_assert_uint_eq(a.net.node_count, b.net.node_count);
	ck_assert_uint_eq(a.net.seg_count, b.net.seg_count);
	ck_assert_uint_eq(a.net.pt_count, b.net.pt_count);
	ck_assert(!memcmp(a.net.node_lon_e7, b.net.node_lon_e7, a.net.node_count * 4));
	ck_assert(!memcmp(a.net.node_lat_e7, b.net.node_lat_e7, a.net.node_count * 4));
	for (int m = 0; m < MODE_COUNT; m++) {
		ck_assert_uint_eq(a.g[m].arc_count, b.g[m].arc_count);
		ck_assert_uint_eq(a.g[m].kept_vertices, b.g[m].kept_vertices);
	}
	unbuild(&a);
	unbuild(&b);
}
END_TEST

Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("fixtures");
	tcase_add_test(tc, test_oneway);
	tcase_add_test(tc, test_oneway_reverse);
	tcase_add_test(tc, test_roundabout);
	tcase_add_test(tc, test_access);
	tcase_add_test(tc, test_area);
	tcase_add_test(tc, test_maxspeed);
	tcase_add_test(tc, test_steps);
	tcase_add_test(tc, test_components);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);

	tc = tcase_create("shared");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_shared_invariants, 0,
			    (int)(sizeof shared_roads / sizeof shared_roads[0]));
	tcase_add_test(tc, test_shared_xml_equals_pbf);
	suite_add_tcase(s, tc);
	return s;
}
