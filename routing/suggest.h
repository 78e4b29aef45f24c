/* suggest.h — where the next stations should go: greedy maximum coverage
 * (SPEC §3 suggest).
 *
 * Sites are junctions of the mode's graph.  Each step adds the candidate
 * whose time-to-it search (bounded by the limit) newly covers the most road
 * length, measured exactly as coverage measures it (coverage.h); the chosen
 * site then counts as a station for the next steps.  Gains only shrink as
 * sites are added (coverage is submodular), so the lazy greedy — re-evaluate
 * only the candidate whose stale gain tops the queue — picks the same sites
 * as evaluating every candidate at every step (`plain`, kept for tests).
 *
 * Candidates are the junctions at the ends of segments with an uncovered
 * part.  When there are more than `max_candidates` (a province), they are
 * thinned to the best one per grid cell (the one touching the most uncovered
 * length), the cell doubling from `cell_m` until they fit. */
#ifndef YZ_SUGGEST_H
#define YZ_SUGGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "coverage.h"
#include "graph.h"
#include "search.h"

#define SUGGEST_MAX_K 20

struct suggest_params {
	uint32_t limit_ms;
	unsigned k;                  /* ≤ SUGGEST_MAX_K */
	double cell_m;               /* first thinning cell, metres (> 0) */
	uint32_t max_candidates;     /* thin beyond this many; 0: never */
	bool plain;                  /* evaluate every candidate at every step */
};

struct suggest_site {
	uint32_t node;
	double lon, lat;
	double gain_m;               /* road length newly covered by this site */
	double covered_m_after;      /* covered road length with it and the earlier ones */
};

struct suggest_stats {
	double road_m, covered_m_before;
	uint32_t candidates;
	uint32_t evaluations;        /* bounded searches run */
};

/* Up to p->k sites into out[]; *count receives how many (fewer when no
 * candidate covers anything more).  YZ_ENOMEM only. */
enum yz_err suggest_run(struct search *s, const struct network *net, const struct graph *g,
			const struct coverage_field *f, const struct suggest_params *p,
			struct suggest_site *out, unsigned *count, struct suggest_stats *st);

#endif
