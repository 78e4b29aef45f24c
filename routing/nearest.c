/* nearest.c — k nearest stations by travel time (see nearest.h).
 *
 * Candidates are kept in a small array (a station appears once, with its best
 * time so far); the number seen before k are final is about k plus the
 * stations met on the last ring of the search, so a linear scan is cheapest. */
#include "nearest.h"

#include <math.h>
#include <stdlib.h>

#include "route.h"

#define CAND_MAX 1024

struct cand_list {
	struct nearest_hit c[CAND_MAX];
	unsigned n;
};

static void offer(struct cand_list *cl, uint32_t station, uint32_t t, uint32_t via)
{
	for (unsigned i = 0; i < cl->n; i++) {
		if (cl->c[i].station != station)
			continue;
		if (t < cl->c[i].time_ms) {
			cl->c[i].time_ms = t;
			cl->c[i].via_node = via;
		}
		return;
	}
	if (cl->n < CAND_MAX) {
		cl->c[cl->n++] = (struct nearest_hit){station, t, via};
		return;
	}
	/* full: replace the worst candidate if this one is better */
	unsigned worst = 0;
	for (unsigned i = 1; i < cl->n; i++)
		if (cl->c[i].time_ms > cl->c[worst].time_ms)
			worst = i;
	if (t < cl->c[worst].time_ms)
		cl->c[worst] = (struct nearest_hit){station, t, via};
}

static int hit_cmp(const void *x, const void *y)
{
	const struct nearest_hit *a = x, *b = y;
	if (a->time_ms != b->time_ms)
		return a->time_ms < b->time_ms ? -1 : 1;
	return a->station < b->station ? -1 : a->station > b->station;
}

static unsigned final_count(const struct cand_list *cl, uint32_t bound)
{
	unsigned n = 0;
	for (unsigned i = 0; i < cl->n; i++)
		n += cl->c[i].time_ms <= bound;
	return n;
}

void nearest_run(struct search *s, const struct network *net, const struct graph *g,
		 const struct station_attach *a, const struct snap *q, unsigned k,
		 nearest_accept_fn *accept, void *ctx, struct nearest_hit *out, unsigned *count)
{
	static _Thread_local struct cand_list cl;
	cl.n = 0;
	*count = 0;
	if (k > NEAREST_MAX_K)
		k = NEAREST_MAX_K;
	if (!k)
		return;
	/* stations on the query's own segment, reached along it */
	if (q->node == GRAPH_NONE) {
		uint8_t dirs = g->seg_dirs[q->seg];
		double T = g->seg_time_ms[q->seg];
		for (uint32_t i = 0; i < a->station_count; i++) {
			const struct snap *st = &a->snaps[i];
			if (!a->snapped[i] || st->seg != q->seg || (accept && !accept(ctx, i)))
				continue;
			double d = st->frac - q->frac;
			if ((d >= 0 && (dirs & DIR_FWD)) || (d <= 0 && (dirs & DIR_BWD)))
				offer(&cl, i, (uint32_t)llround(fabs(d) * T), GRAPH_NONE);
		}
	}
	search_start(s, g, SEARCH_FORWARD);
	route_seed_source(s, net, g, q);
	uint32_t v, t;
	for (;;) {
		uint32_t bound = search_min_key(s);
		if (cl.n >= k && final_count(&cl, bound) >= k)
			break;
		if (!search_next(s, &v, &t))
			break;
		if (!attach_has(a, v))
			continue;
		uint32_t e, end;
		attach_entries(a, v, &e, &end);
		for (; e < end; e++) {
			const struct attach_entry *en = &a->entries[e];
			if (accept && !accept(ctx, en->station))
				continue;
			uint64_t tt = (uint64_t)t + en->extra_ms;
			if (tt < UINT32_MAX)
				offer(&cl, en->station, (uint32_t)tt, v);
		}
	}
	qsort(cl.c, cl.n, sizeof cl.c[0], hit_cmp);
	unsigned n = cl.n < k ? cl.n : k;
	for (unsigned i = 0; i < n; i++)
		out[i] = cl.c[i];
	*count = n;
}
