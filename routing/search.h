/* search.h — the Dijkstra workspace: one per worker thread, allocated once.
 *
 * A search settles one node at a time (search_next), so callers stop exactly
 * where they need: at the target, after k stations, past a time limit.
 * Labels are reset by a timestamp, so starting a new search costs only what
 * the previous one touched.  The queue is a 4-ary heap keyed by time in ms
 * with a position index (decrease-key in place).
 *
 * Direction: SEARCH_FORWARD follows arcs (first_out/head): times *from* the
 * sources.  SEARCH_BACKWARD follows them against their direction
 * (first_in/tail): times *to* the sources. */
#ifndef YZ_SEARCH_H
#define YZ_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "graph.h"

#define SEARCH_INF UINT32_MAX

enum search_dir { SEARCH_FORWARD, SEARCH_BACKWARD };

/* Per-node label, one cache line holds four: a relaxation touches one. */
struct search_label {
	uint32_t stamp;            /* labels valid when equal to search.stamp */
	uint32_t dist_ms;          /* tentative or final time */
	uint32_t pred_arc;         /* arc index that reached the node, or SEARCH_INF for a source */
	uint32_t heap_pos;         /* position in heap + 1; 0 = not queued (settled or new) */
};

struct search {
	uint32_t node_capacity;
	uint32_t stamp;            /* current search's stamp */
	struct search_label *label; /* [cap] */
	uint32_t *heap_node;       /* [cap] the heap, of nodes */
	uint32_t *heap_key;        /* [cap] keys aligned with heap_node */
	uint32_t heap_len;
	/* the graph being searched, set by search_start */
	const uint32_t *first, *adj, *w;
	uint32_t settled;          /* nodes settled so far in this search */
};

/* Allocate for graphs of up to `nodes` nodes.  YZ_ENOMEM on failure. */
enum yz_err search_init(struct search *s, uint32_t nodes);
void search_fini(struct search *s);

/* Begin a new search over `g` in direction `dir`; previous labels vanish. */
void search_start(struct search *s, const struct graph *g, enum search_dir dir);

/* Offer node v at time t (a source, with pred SEARCH_INF). */
void search_add_source(struct search *s, uint32_t v, uint32_t t_ms);

/* Settle the next node: returns false when the queue is empty; otherwise
 * stores the node and its final time and relaxes its arcs. */
bool search_next(struct search *s, uint32_t *node, uint32_t *t_ms);

/* Time of v in this search: final once settled, tentative if queued,
 * SEARCH_INF when never reached. */
static inline uint32_t search_dist(const struct search *s, uint32_t v)
{
	return s->label[v].stamp == s->stamp ? s->label[v].dist_ms : SEARCH_INF;
}

/* True once v is settled (reached and no longer queued). */
static inline bool search_settled(const struct search *s, uint32_t v)
{
	return s->label[v].stamp == s->stamp && s->label[v].heap_pos == 0;
}

/* The arc index (in the searched direction's arrays) that reached v, or
 * SEARCH_INF for a source or an unreached node. */
static inline uint32_t search_pred(const struct search *s, uint32_t v)
{
	return s->label[v].stamp == s->stamp ? s->label[v].pred_arc : SEARCH_INF;
}

/* Peek at the smallest queued time (SEARCH_INF when empty). */
static inline uint32_t search_min_key(const struct search *s)
{
	return s->heap_len ? s->heap_key[0] : SEARCH_INF;
}

#endif
