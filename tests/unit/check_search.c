/* check_search.c — routing/search (the Dijkstra workspace) as properties on
 * random synthetic graphs.
 *
 * Each graph is built here directly as `struct graph` CSR arrays (forward and
 * reversed) from a fixed seed: 5–300 nodes, weights from 0 to a few thousand
 * ms (a few graphs with weights near 2^31, so that sums overflow the 32-bit
 * time), some nodes with no arc at all, parallel arcs and self loops.  After a
 * full search the labels must be a shortest-path tree: every arc u→v with u
 * reached has d[u] + w >= d[v] (and reaches v unless the sum overflows), every
 * reached non-source has a tight predecessor arc, unreached nodes stay
 * SEARCH_INF, and settling order is non-decreasing.  The times are also
 * compared with a plain O(n²) Dijkstra over 64-bit sums.  A backward search
 * must equal a forward search on the explicitly reversed graph, and one
 * workspace reused for many searches (interrupted ones, wrapped stamps, larger
 * graphs before smaller ones) must give what a fresh workspace gives. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing/search.h"

Suite *search_suite(void);

#define MAX_NODES 300

/* Check's ck_assert writes a checkpoint per call; the inner loops here make
 * millions of checks, so they only call into Check on failure. */
#define EXPECT(cond, ...)                         \
	do {                                      \
		if (!(cond))                      \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* ---- random graphs ------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: fixed seeds, same sequence everywhere */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

/* A graph owning its arrays; `g` points into them. */
struct tgraph {
	struct graph g;
	uint32_t n, m;
	uint32_t *first_out, *head, *w, *first_in, *tail, *in_w;
	uint32_t *out_from, *in_from;  /* [m] the node whose range holds the arc */
	uint32_t *arc_u, *arc_v, *arc_w;  /* the arcs as generated */
};

/* CSR grouped by key[a] (stable), with other[a] and w[a] alongside. */
static void csr(uint32_t n, uint32_t m, const uint32_t *key, const uint32_t *other,
		const uint32_t *w, uint32_t *first, uint32_t *o_other, uint32_t *o_w,
		uint32_t *o_from)
{
	memset(first, 0, ((size_t)n + 1) * sizeof *first);
	for (uint32_t a = 0; a < m; a++)
		first[key[a] + 1]++;
	for (uint32_t v = 0; v < n; v++)
		first[v + 1] += first[v];
	uint32_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
	ck_assert_ptr_nonnull(pos);
	memcpy(pos, first, ((size_t)n + 1) * sizeof *pos);
	for (uint32_t a = 0; a < m; a++) {
		uint32_t p = pos[key[a]]++;
		o_other[p] = other[a];
		o_w[p] = w[a];
		o_from[p] = key[a];
	}
	free(pos);
}

static void tgraph_layout(struct tgraph *t)
{
	size_t n1 = (size_t)t->n + 1, m1 = (size_t)t->m + 1;
	t->first_out = malloc(n1 * sizeof(uint32_t));
	t->first_in = malloc(n1 * sizeof(uint32_t));
	t->head = malloc(m1 * sizeof(uint32_t));
	t->w = malloc(m1 * sizeof(uint32_t));
	t->tail = malloc(m1 * sizeof(uint32_t));
	t->in_w = malloc(m1 * sizeof(uint32_t));
	t->out_from = malloc(m1 * sizeof(uint32_t));
	t->in_from = malloc(m1 * sizeof(uint32_t));
	ck_assert(t->first_out && t->first_in && t->head && t->w && t->tail && t->in_w &&
		  t->out_from && t->in_from);
	csr(t->n, t->m, t->arc_u, t->arc_v, t->arc_w, t->first_out, t->head, t->w, t->out_from);
	csr(t->n, t->m, t->arc_v, t->arc_u, t->arc_w, t->first_in, t->tail, t->in_w, t->in_from);
	memset(&t->g, 0, sizeof t->g);
	t->g.node_count = t->n;
	t->g.arc_count = t->m;
	t->g.first_out = t->first_out;
	t->g.head = t->head;
	t->g.time_ms = t->w;
	t->g.first_in = t->first_in;
	t->g.tail = t->tail;
	t->g.in_time_ms = t->in_w;
}

/* A random graph from `seed`: 5..300 nodes, about 0..4 arcs per node. */
static void tgraph_random(struct tgraph *t, uint64_t seed)
{
	uint64_t r = seed * 0x2545f4914f6cdd1dull + 1;
	memset(t, 0, sizeof *t);
	t->n = 5 + rng_below(&r, MAX_NODES - 4);
	uint32_t per_node = rng_below(&r, 5); /* density: sparse trees to dense */
	uint32_t m_cap = t->n * per_node + t->n / 4 + 8;
	t->arc_u = malloc((size_t)m_cap * sizeof(uint32_t));
	t->arc_v = malloc((size_t)m_cap * sizeof(uint32_t));
	t->arc_w = malloc((size_t)m_cap * sizeof(uint32_t));
	ck_assert(t->arc_u && t->arc_v && t->arc_w);
	/* about one node in eight has no arc at all */
	unsigned char *isolated = calloc(t->n, 1);
	ck_assert_ptr_nonnull(isolated);
	for (uint32_t v = 0; v < t->n; v++)
		isolated[v] = rng_below(&r, 8) == 0;
	int huge = rng_below(&r, 6) == 0; /* weights near 2^31: sums overflow */
	uint32_t m = 0;
	while (m + 2 < m_cap) {
		uint32_t u = rng_below(&r, t->n), v;
		uint32_t kind = rng_below(&r, 20);
		if (kind == 0)
			v = u; /* self loop */
		else if (kind < 12)
			v = (u + 1 + rng_below(&r, 5)) % t->n; /* local: long paths */
		else
			v = rng_below(&r, t->n);
		if (isolated[u] || isolated[v])
			continue;
		uint32_t w;
		uint32_t wk = rng_below(&r, 10);
		if (huge)
			w = wk < 2 ? 0 : 0x40000000u + rng_below(&r, 0x40000000u);
		else
			w = wk < 2 ? 0 : wk < 8 ? rng_below(&r, 1000) : rng_below(&r, 100000);
		t->arc_u[m] = u;
		t->arc_v[m] = v;
		t->arc_w[m++] = w;
		if (rng_below(&r, 10) == 0) { /* a parallel arc, heavier or lighter */
			t->arc_u[m] = u;
			t->arc_v[m] = v;
			t->arc_w[m++] = rng_below(&r, 2) ? w / 2 : w + rng_below(&r, 50);
		}
	}
	t->m = m;
	free(isolated);
	tgraph_layout(t);
}

/* The same arcs, each turned around: forward on it = backward on t. */
static void tgraph_reversed(struct tgraph *rev, const struct tgraph *t)
{
	memset(rev, 0, sizeof *rev);
	rev->n = t->n;
	rev->m = t->m;
	size_t m1 = (size_t)t->m + 1;
	rev->arc_u = malloc(m1 * sizeof(uint32_t));
	rev->arc_v = malloc(m1 * sizeof(uint32_t));
	rev->arc_w = malloc(m1 * sizeof(uint32_t));
	ck_assert(rev->arc_u && rev->arc_v && rev->arc_w);
	/* in reverse order too, so the CSR arc order differs from t's first_in */
	for (uint32_t a = 0; a < t->m; a++) {
		uint32_t b = t->m - 1 - a;
		rev->arc_u[a] = t->arc_v[b];
		rev->arc_v[a] = t->arc_u[b];
		rev->arc_w[a] = t->arc_w[b];
	}
	tgraph_layout(rev);
}

static void tgraph_free(struct tgraph *t)
{
	free(t->first_out);
	free(t->head);
	free(t->w);
	free(t->first_in);
	free(t->tail);
	free(t->in_w);
	free(t->out_from);
	free(t->in_from);
	free(t->arc_u);
	free(t->arc_v);
	free(t->arc_w);
	memset(t, 0, sizeof *t);
}

/* ---- reference: O(n²) Dijkstra in 64 bits over the generated arc list ------------ */

/* d[v] = min over sources (t_s + path), SEARCH_INF when that is >= 2^32 - 1. */
static void ref_dijkstra(const struct tgraph *t, int backward, const uint32_t *src,
			 const uint32_t *src_t, uint32_t ns, uint32_t *out)
{
	uint64_t *d = malloc((size_t)t->n * sizeof *d);
	unsigned char *done = calloc(t->n, 1);
	ck_assert(d && done);
	for (uint32_t v = 0; v < t->n; v++)
		d[v] = UINT64_MAX;
	for (uint32_t i = 0; i < ns; i++)
		if (src_t[i] < d[src[i]])
			d[src[i]] = src_t[i];
	for (;;) {
		uint32_t best = UINT32_MAX;
		for (uint32_t v = 0; v < t->n; v++)
			if (!done[v] && d[v] != UINT64_MAX && (best == UINT32_MAX || d[v] < d[best]))
				best = v;
		if (best == UINT32_MAX)
			break;
		done[best] = 1;
		for (uint32_t a = 0; a < t->m; a++) {
			uint32_t from = backward ? t->arc_v[a] : t->arc_u[a];
			uint32_t to = backward ? t->arc_u[a] : t->arc_v[a];
			if (from == best && d[best] + t->arc_w[a] < d[to])
				d[to] = d[best] + t->arc_w[a];
		}
	}
	for (uint32_t v = 0; v < t->n; v++)
		out[v] = d[v] >= SEARCH_INF ? SEARCH_INF : (uint32_t)d[v];
	free(d);
	free(done);
}

/* ---- running a search and checking its labels ------------------------------------ */

struct result {
	uint32_t dist[MAX_NODES];
	uint32_t settled;
};

/* Start, add the sources, settle everything; check the settling order. */
static void run_full(struct search *s, const struct tgraph *t, enum search_dir dir,
		     const uint32_t *src, const uint32_t *src_t, uint32_t ns, struct result *res)
{
	search_start(s, &t->g, dir);
	for (uint32_t i = 0; i < ns; i++)
		search_add_source(s, src[i], src_t[i]);
	unsigned char seen[MAX_NODES] = {0};
	uint32_t v, tm, last = 0, count = 0;
	while (search_next(s, &v, &tm)) {
		EXPECT(v < t->n, "settled node %u out of range", v);
		EXPECT(tm >= last, "settled %u at %u after a node at %u", v, tm, last);
		EXPECT(!seen[v], "node %u settled twice", v);
		EXPECT(tm == search_dist(s, v), "node %u settled at %u, label %u", v, tm, search_dist(s, v));
		EXPECT(search_settled(s, v), "node %u returned but not settled", v);
		seen[v] = 1;
		last = tm;
		count++;
	}
	EXPECT(search_min_key(s) == SEARCH_INF, "queue empty but min key %u", search_min_key(s));
	EXPECT(s->settled == count, "settled counter %u, nodes returned %u", s->settled, count);
	for (uint32_t x = 0; x < t->n; x++) {
		res->dist[x] = search_dist(s, x);
		EXPECT(seen[x] == (res->dist[x] != SEARCH_INF),
			      "node %u: settled %d but dist %u", x, seen[x], res->dist[x]);
	}
	res->settled = count;
}

/* The labels of a finished search form a shortest-path tree of `dir`. */
static void check_tree(const struct search *s, const struct tgraph *t, enum search_dir dir,
		       const uint32_t *src, const uint32_t *src_t, uint32_t ns)
{
	const uint32_t *first = dir == SEARCH_FORWARD ? t->first_out : t->first_in;
	const uint32_t *adj = dir == SEARCH_FORWARD ? t->head : t->tail;
	const uint32_t *w = dir == SEARCH_FORWARD ? t->w : t->in_w;
	const uint32_t *from = dir == SEARCH_FORWARD ? t->out_from : t->in_from;
	/* no arc can improve a label */
	for (uint32_t u = 0; u < t->n; u++) {
		uint32_t du = search_dist(s, u);
		if (du == SEARCH_INF)
			continue;
		for (uint32_t a = first[u]; a < first[u + 1]; a++) {
			uint64_t via = (uint64_t)du + w[a];
			uint32_t dv = search_dist(s, adj[a]);
			if (via >= SEARCH_INF)
				continue; /* overflows: the search drops it, so do we */
			EXPECT(dv != SEARCH_INF, "arc %u: %u reached, %u not", a, u, adj[a]);
			EXPECT(via >= dv, "arc %u->%u: %u + %u < %u", u, adj[a], du, w[a], dv);
		}
	}
	/* every reached node has a tight witness: its pred arc, or it is a source */
	for (uint32_t v = 0; v < t->n; v++) {
		uint32_t dv = search_dist(s, v), a = search_pred(s, v);
		if (dv == SEARCH_INF) {
			EXPECT(a == SEARCH_INF, "unreached node %u has pred arc %u", v, a);
			continue;
		}
		if (a == SEARCH_INF) {
			int ok = 0;
			for (uint32_t i = 0; i < ns; i++)
				ok |= src[i] == v && src_t[i] == dv;
			EXPECT(ok, "node %u at %u has no pred and is no source at that time", v, dv);
			continue;
		}
		EXPECT(a < t->m, "node %u: pred arc %u out of range", v, a);
		EXPECT(adj[a] == v, "node %u: pred arc %u leads to %u", v, a, adj[a]);
		uint32_t u = from[a];
		EXPECT(search_dist(s, u) != SEARCH_INF, "node %u: pred arc from unreached %u", v, u);
		EXPECT((uint64_t)search_dist(s, u) + w[a] == dv,
			      "pred arc %u of %u: %u + %u != %u", a, v, search_dist(s, u), w[a], dv);
	}
	/* following preds ends at a source without a cycle */
	for (uint32_t v = 0; v < t->n; v++) {
		uint32_t x = v, steps = 0;
		while (search_dist(s, x) != SEARCH_INF && search_pred(s, x) != SEARCH_INF) {
			x = from[search_pred(s, x)];
			steps++;
			EXPECT(steps <= t->n, "pred chain from %u has a cycle", v);
		}
	}
}

/* Pick 1..4 sources (repeats allowed) with start times, mostly 0. */
static uint32_t pick_sources(const struct tgraph *t, uint64_t *r, uint32_t *src, uint32_t *src_t)
{
	uint32_t ns = 1 + (rng_below(r, 3) == 0 ? rng_below(r, 4) : 0);
	for (uint32_t i = 0; i < ns; i++) {
		src[i] = rng_below(r, t->n);
		src_t[i] = rng_below(r, 3) ? 0 : rng_below(r, 5000);
	}
	return ns;
}

/* ---- tests ------------------------------------------------------------------------ */

#define GRAPHS 60

/* Forward searches: tree properties and the reference's times. */
START_TEST(test_forward_properties)
{
	struct search s;
	ck_assert_int_eq(search_init(&s, MAX_NODES), YZ_OK);
	for (int gi = 0; gi < 4; gi++) {
		struct tgraph t;
		tgraph_random(&t, (uint64_t)_i * 4 + (uint64_t)gi);
		uint64_t r = 1000 + (uint64_t)_i * 7 + (uint64_t)gi;
		for (int q = 0; q < 6; q++) {
			uint32_t src[4], src_t[4], ref[MAX_NODES];
			uint32_t ns = pick_sources(&t, &r, src, src_t);
			struct result res;
			run_full(&s, &t, SEARCH_FORWARD, src, src_t, ns, &res);
			check_tree(&s, &t, SEARCH_FORWARD, src, src_t, ns);
			ref_dijkstra(&t, 0, src, src_t, ns, ref);
			for (uint32_t v = 0; v < t.n; v++)
				EXPECT(res.dist[v] == ref[v],
					      "graph %d/%d (n=%u m=%u) node %u: %u, reference %u", _i,
					      gi, t.n, t.m, v, res.dist[v], ref[v]);
		}
		tgraph_free(&t);
	}
	search_fini(&s);
}
END_TEST

/* Backward search on t == forward search on t reversed, label for label. */
START_TEST(test_backward_equals_reversed)
{
	struct search s, s2;
	ck_assert_int_eq(search_init(&s, MAX_NODES), YZ_OK);
	ck_assert_int_eq(search_init(&s2, MAX_NODES), YZ_OK);
	for (int gi = 0; gi < 4; gi++) {
		struct tgraph t, rev;
		tgraph_random(&t, 5000 + (uint64_t)_i * 4 + (uint64_t)gi);
		tgraph_reversed(&rev, &t);
		uint64_t r = 77 + (uint64_t)_i * 5 + (uint64_t)gi;
		for (int q = 0; q < 6; q++) {
			uint32_t src[4], src_t[4], ref[MAX_NODES];
			uint32_t ns = pick_sources(&t, &r, src, src_t);
			struct result back, fwd;
			run_full(&s, &t, SEARCH_BACKWARD, src, src_t, ns, &back);
			check_tree(&s, &t, SEARCH_BACKWARD, src, src_t, ns);
			run_full(&s2, &rev, SEARCH_FORWARD, src, src_t, ns, &fwd);
			check_tree(&s2, &rev, SEARCH_FORWARD, src, src_t, ns);
			ref_dijkstra(&t, 1, src, src_t, ns, ref);
			ck_assert_uint_eq(back.settled, fwd.settled);
			for (uint32_t v = 0; v < t.n; v++) {
				EXPECT(back.dist[v] == fwd.dist[v],
					      "node %u: backward %u, forward on reversed %u", v,
					      back.dist[v], fwd.dist[v]);
				EXPECT(back.dist[v] == ref[v], "node %u: backward %u, reference %u", v,
				       back.dist[v], ref[v]);
			}
		}
		tgraph_free(&t);
		tgraph_free(&rev);
	}
	search_fini(&s);
	search_fini(&s2);
}
END_TEST

/* One workspace, many searches on graphs of different sizes, some stopped
 * half-way (queued labels left behind), the stamp forced over UINT32_MAX:
 * every full search must equal the same search on a fresh workspace. */
START_TEST(test_reuse_and_stamp_wrap)
{
	struct search s;
	ck_assert_int_eq(search_init(&s, MAX_NODES), YZ_OK);
	struct tgraph t[3];
	for (int i = 0; i < 3; i++)
		tgraph_random(&t[i], 9000 + (uint64_t)_i * 3 + (uint64_t)i);
	uint64_t r = 31337 + (uint64_t)_i;
	if (_i % 2)
		s.stamp = UINT32_MAX - 40; /* wraps within this test */
	for (int q = 0; q < 120; q++) {
		const struct tgraph *g = &t[rng_below(&r, 3)];
		enum search_dir dir = rng_below(&r, 2) ? SEARCH_FORWARD : SEARCH_BACKWARD;
		uint32_t src[4], src_t[4];
		uint32_t ns = pick_sources(g, &r, src, src_t);
		if (rng_below(&r, 3) == 0) {
			/* interrupted: settle only a few nodes, leave the heap full */
			search_start(&s, &g->g, dir);
			for (uint32_t i = 0; i < ns; i++)
				search_add_source(&s, src[i], src_t[i]);
			uint32_t stop = rng_below(&r, 6), v, tm;
			for (uint32_t k = 0; k < stop && search_next(&s, &v, &tm); k++)
				;
			continue;
		}
		struct result reused, fresh;
		uint32_t before = s.stamp;
		run_full(&s, g, dir, src, src_t, ns, &reused);
		ck_assert_uint_ne(s.stamp, 0);
		ck_assert_uint_ne(s.stamp, before);
		check_tree(&s, g, dir, src, src_t, ns);
		struct search f;
		ck_assert_int_eq(search_init(&f, g->n), YZ_OK);
		run_full(&f, g, dir, src, src_t, ns, &fresh);
		search_fini(&f);
		ck_assert_uint_eq(reused.settled, fresh.settled);
		for (uint32_t v = 0; v < g->n; v++)
			EXPECT(reused.dist[v] == fresh.dist[v],
				      "search %d, node %u: reused %u, fresh %u (stamp %u)", q, v,
				      reused.dist[v], fresh.dist[v], s.stamp);
	}
	if (_i % 2)
		ck_assert_uint_lt(s.stamp, 200); /* it did wrap */
	for (int i = 0; i < 3; i++)
		tgraph_free(&t[i]);
	search_fini(&s);
}
END_TEST

/* Multiple sources: the result is the minimum over sources of start + path,
 * a source reached more cheaply from another keeps a pred arc, and adding a
 * source twice keeps the lower time. */
START_TEST(test_multi_source)
{
	struct search s;
	ck_assert_int_eq(search_init(&s, MAX_NODES), YZ_OK);
	struct tgraph t;
	tgraph_random(&t, 424242 + (uint64_t)_i);
	uint64_t r = 99 + (uint64_t)_i;
	for (int q = 0; q < 10; q++) {
		uint32_t ns = 2 + rng_below(&r, 10), src[12], src_t[12], ref[MAX_NODES];
		for (uint32_t i = 0; i < ns; i++) {
			src[i] = rng_below(&r, t.n);
			src_t[i] = rng_below(&r, 3000);
		}
		src[ns - 1] = src[0]; /* the same node twice */
		struct result res;
		run_full(&s, &t, SEARCH_FORWARD, src, src_t, ns, &res);
		check_tree(&s, &t, SEARCH_FORWARD, src, src_t, ns);
		ref_dijkstra(&t, 0, src, src_t, ns, ref);
		for (uint32_t v = 0; v < t.n; v++)
			EXPECT(res.dist[v] == ref[v], "node %u: %u, reference %u", v, res.dist[v], ref[v]);
		/* per-source minimum: run each alone and take the minimum */
		uint32_t mins[MAX_NODES];
		for (uint32_t v = 0; v < t.n; v++)
			mins[v] = SEARCH_INF;
		for (uint32_t i = 0; i < ns; i++) {
			struct result one;
			run_full(&s, &t, SEARCH_FORWARD, &src[i], &src_t[i], 1, &one);
			for (uint32_t v = 0; v < t.n; v++)
				if (one.dist[v] < mins[v])
					mins[v] = one.dist[v];
		}
		for (uint32_t v = 0; v < t.n; v++)
			EXPECT(res.dist[v] == mins[v], "node %u: %u, best single source %u", v,
			       res.dist[v], mins[v]);
	}
	tgraph_free(&t);
	search_fini(&s);
}
END_TEST

/* Hand-made corner cases: an isolated source, zero-weight cycles, a self loop
 * on the source, parallel arcs where the second is the cheaper, and a chain
 * whose sum passes 2^32 - 1 (the far end is unreachable, not wrapped). */
START_TEST(test_corner_cases)
{
	struct tgraph t;
	memset(&t, 0, sizeof t);
	static uint32_t u[] = {0, 1, 2, 0, 3, 3, 4, 5, 6, 7};
	static uint32_t v[] = {1, 2, 0, 0, 4, 4, 5, 6, 7, 8};
	static uint32_t w[] = {0, 0, 0, 7, 9, 4, 0x7fffffffu, 0x7fffffffu, 1, 0};
	t.n = 10; /* node 9 has no arc */
	t.m = sizeof u / sizeof u[0];
	t.arc_u = malloc(sizeof u);
	t.arc_v = malloc(sizeof v);
	t.arc_w = malloc(sizeof w);
	memcpy(t.arc_u, u, sizeof u);
	memcpy(t.arc_v, v, sizeof v);
	memcpy(t.arc_w, w, sizeof w);
	tgraph_layout(&t);
	struct search s;
	ck_assert_int_eq(search_init(&s, 10), YZ_OK);
	struct result res;
	uint32_t src = 0, zero = 0;
	run_full(&s, &t, SEARCH_FORWARD, &src, &zero, 1, &res);
	ck_assert_uint_eq(res.dist[0], 0);
	ck_assert_uint_eq(res.dist[1], 0);
	ck_assert_uint_eq(res.dist[2], 0);
	ck_assert_uint_eq(res.settled, 3);
	for (uint32_t x = 3; x < 10; x++)
		ck_assert_uint_eq(res.dist[x], SEARCH_INF);
	ck_assert_uint_eq(search_pred(&s, 0), SEARCH_INF);

	src = 3;
	run_full(&s, &t, SEARCH_FORWARD, &src, &zero, 1, &res);
	check_tree(&s, &t, SEARCH_FORWARD, &src, &zero, 1);
	ck_assert_uint_eq(res.dist[4], 4);  /* the cheaper parallel arc */
	ck_assert_uint_eq(res.dist[5], 4 + 0x7fffffffu);
	ck_assert_uint_eq(res.dist[6], SEARCH_INF); /* 2^32 + 2 would wrap */
	ck_assert_uint_eq(res.dist[8], SEARCH_INF);
	ck_assert_uint_eq(res.dist[0], SEARCH_INF);

	src = 9;
	run_full(&s, &t, SEARCH_BACKWARD, &src, &zero, 1, &res);
	ck_assert_uint_eq(res.settled, 1);
	src = 8;
	run_full(&s, &t, SEARCH_BACKWARD, &src, &zero, 1, &res);
	ck_assert_uint_eq(res.dist[7], 0);
	ck_assert_uint_eq(res.dist[6], 1);
	ck_assert_uint_eq(res.dist[5], 0x80000000u);
	ck_assert_uint_eq(res.dist[4], SEARCH_INF);

	/* a source already settled is not re-added; one queued is lowered */
	search_start(&s, &t.g, SEARCH_FORWARD);
	search_add_source(&s, 3, 100);
	search_add_source(&s, 3, 50);
	ck_assert_uint_eq(search_dist(&s, 3), 50);
	uint32_t node, tm;
	ck_assert(search_next(&s, &node, &tm));
	ck_assert_uint_eq(node, 3);
	ck_assert_uint_eq(tm, 50);
	search_add_source(&s, 3, 10);
	ck_assert_uint_eq(search_dist(&s, 3), 50);
	search_add_source(&s, 4, 1); /* queued at 54 via the arc: now a source at 1 */
	ck_assert_uint_eq(search_dist(&s, 4), 1);
	ck_assert_uint_eq(search_pred(&s, 4), SEARCH_INF);
	ck_assert(search_next(&s, &node, &tm));
	ck_assert_uint_eq(node, 4);
	ck_assert_uint_eq(tm, 1);
	search_fini(&s);
	tgraph_free(&t);
}
END_TEST

Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("properties");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_forward_properties, 0, GRAPHS);
	tcase_add_loop_test(tc, test_backward_equals_reversed, 0, GRAPHS / 2);
	tcase_add_loop_test(tc, test_reuse_and_stamp_wrap, 0, 8);
	tcase_add_loop_test(tc, test_multi_source, 0, 10);
	tcase_add_test(tc, test_corner_cases);
	suite_add_tcase(s, tc);
	return s;
}
