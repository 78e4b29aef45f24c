/* coverage.h — time from every road position to the nearest station
 * (SPEC §3 coverage, §7).
 *
 * The field is one backward multi-source search per mode, seeded at every
 * snapped station: node_ms[v] is the time from junction v to its nearest
 * station.  A position at fraction x of segment s = (a → b), of time T, then
 * reaches a station
 *   - forwards (the mode may travel s from a to b):  (1 − x)·T + node_ms[b]
 *   - backwards (from b to a):                        x·T + node_ms[a]
 *   - directly, when a station lies on s itself at fraction g:
 *     (g − x)·T for x ≤ g forwards, (x − g)·T for x ≥ g backwards,
 * and its time is the least of these.  The field is independent of the limit,
 * so any limit is a pass over the segments.  Segments are counted once,
 * whichever directions the mode may use them in (SPEC §7). */
#ifndef YZ_COVERAGE_H
#define YZ_COVERAGE_H

#include <stdint.h>

#include "attach.h"
#include "common/err.h"
#include "graph.h"
#include "search.h"

/* A station snapped inside a segment (not on a junction). */
struct cover_onseg {
	uint32_t seg;
	uint32_t station;
	double frac;
};

struct coverage_field {
	uint32_t node_count;
	uint32_t *node_ms;          /* [node_count] SEARCH_INF = no station reachable */
	uint32_t *node_station;     /* [node_count] the nearest station, GRAPH_NONE */
	uint32_t onseg_count;
	struct cover_onseg *onseg;  /* sorted by segment */
	uint32_t stations_used;     /* stations snapped onto this mode's graph */
};

/* Build the field of graph `g` from the stations attached to it.  `s` is a
 * search workspace for at least net->node_count nodes.  YZ_ENOMEM only. */
enum yz_err coverage_field_build(struct coverage_field *f, struct search *s,
				 const struct network *net, const struct graph *g,
				 const struct station_attach *a);
void coverage_field_free(struct coverage_field *f);

/* Disjoint sorted intervals of a segment, as fractions of its length.  More
 * than COVER_MAX_IV pieces (dozens of stations on one segment) are merged
 * where they lie closest, which can only over-count: never reached in
 * practice, and said in the README. */
#define COVER_MAX_IV 32
struct cover_iv {
	unsigned n;
	double iv[COVER_MAX_IV][2];
};

/* Stations lying inside `seg`: [*first, *end) of f->onseg. */
void coverage_onseg(const struct coverage_field *f, uint32_t seg, uint32_t *first, uint32_t *end);

/* The parts of `seg` whose time to a station is ≤ limit_ms, given the times
 * of its ends (from_ms at seg_from, to_ms at seg_to; the field's own, or
 * better ones when suggest tries a new site).  Empty for segments outside the
 * mode's graph. */
void coverage_seg_covered(const struct coverage_field *f, const struct graph *g, uint32_t seg,
			  uint32_t from_ms, uint32_t to_ms, double limit_ms, struct cover_iv *out);

/* The same with the field's own times at the segment's ends. */
void coverage_seg_covered_now(const struct coverage_field *f, const struct network *net,
			      const struct graph *g, uint32_t seg, double limit_ms,
			      struct cover_iv *out);

/* Covered fraction of the segment: the summed lengths of `iv`. */
double cover_iv_sum(const struct cover_iv *iv);

/* The complement of `in` in [0, 1]. */
void cover_iv_complement(const struct cover_iv *in, struct cover_iv *out);

/* The time (ms) from fraction x of `seg` to the nearest station, or INFINITY. */
double coverage_time_at(const struct coverage_field *f, const struct network *net,
			const struct graph *g, uint32_t seg, double x);

/* Split `seg` where its time to the nearest station crosses a threshold:
 * calls band(ctx, x0, x1, i) for consecutive stretches, i the index of the
 * first threshold (ascending, ms) the stretch's time stays within, or n when
 * beyond all of them (a gap).  Adjacent stretches of one band are merged. */
typedef void cover_band_fn(void *ctx, double x0, double x1, unsigned band);
void coverage_seg_bands(const struct coverage_field *f, const struct network *net,
			const struct graph *g, uint32_t seg, const double *thresholds_ms,
			unsigned n, cover_band_fn *band, void *ctx);

#endif
