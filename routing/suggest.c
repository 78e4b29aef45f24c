/* suggest.c — lazy greedy maximum coverage over junction candidates (see
 * suggest.h). */
#include "suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

struct state {
	const struct network *net;
	const struct graph *g;
	const struct coverage_field *f;
	struct search *s;
	double limit;
	uint32_t *cur;          /* [nodes] time to the nearest station or chosen site */
	uint32_t *seg_stamp;    /* [segs] segment already counted in this evaluation */
	uint32_t stamp;
	uint32_t *touched;      /* nodes the last evaluation brought closer */
	size_t touched_n, touched_cap;
	uint32_t evaluations;
	const float *weight;    /* [segs] or NULL */
};

struct gain {
	double m, w;            /* metres, and weighted metres (= m without weights) */
};

static double seg_covered_m(const struct state *st, uint32_t seg, uint32_t a_ms, uint32_t b_ms)
{
	struct cover_iv iv;
	coverage_seg_covered(st->f, st->g, seg, a_ms, b_ms, st->limit, &iv);
	return cover_iv_sum(&iv) * st->net->seg_length_m[seg];
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Gain of a site at node c: the road length it newly covers, plain and
 * weighted.  With `apply` the site is added.  m < 0 when memory runs out. */
static struct gain evaluate(struct state *st, uint32_t c, bool apply)
{
	const struct network *net = st->net;
	const struct graph *g = st->g;
	struct search *s = st->s;
	st->evaluations++;
	search_start(s, g, SEARCH_BACKWARD);
	search_add_source(s, c, 0);
	st->touched_n = 0;
	uint32_t v, t;
	while (search_min_key(s) <= st->limit && search_next(s, &v, &t)) {
		if (t >= st->cur[v])
			continue;
		if (st->touched_n == st->touched_cap) {
			size_t cap = st->touched_cap ? st->touched_cap * 2 : 1024;
			uint32_t *nt = realloc(st->touched, cap * sizeof *nt);
			if (!nt)
				return (struct gain){-1, -1};
			st->touched = nt;
			st->touched_cap = cap;
		}
		st->touched[st->touched_n++] = v;
	}
	if (++st->stamp == 0) {
		memset(st->seg_stamp, 0, (size_t)net->seg_count * sizeof *st->seg_stamp);
		st->stamp = 1;
	}
	struct gain gain = {0, 0};
	for (size_t i = 0; i < st->touched_n; i++) {
		uint32_t u = st->touched[i];
		for (int pass = 0; pass < 2; pass++) {
			const uint32_t *first = pass ? g->first_in : g->first_out;
			const uint32_t *ref = pass ? g->in_arc_seg : g->arc_seg;
			for (uint32_t a = first[u]; a < first[u + 1]; a++) {
				uint32_t seg = ARC_SEG(ref[a]);
				if (st->seg_stamp[seg] == st->stamp)
					continue;
				st->seg_stamp[seg] = st->stamp;
				uint32_t x = net->seg_from[seg], y = net->seg_to[seg];
				uint32_t ox = st->cur[x], oy = st->cur[y];
				uint32_t nx = min_u32(ox, search_dist(s, x)), ny = min_u32(oy, search_dist(s, y));
				double d = seg_covered_m(st, seg, nx, ny) - seg_covered_m(st, seg, ox, oy);
				gain.m += d;
				gain.w += st->weight ? d * st->weight[seg] : d;
			}
		}
	}
	if (apply)
		for (size_t i = 0; i < st->touched_n; i++)
			st->cur[st->touched[i]] = search_dist(s, st->touched[i]);
	return gain;
}

/* ---- candidates --------------------------------------------------------------- */

struct cand {
	int64_t cell;
	double uncovered;
	uint32_t node;
};

static int cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	if (a->cell != b->cell)
		return a->cell < b->cell ? -1 : 1;
	if (a->uncovered != b->uncovered)
		return a->uncovered > b->uncovered ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	return a < b ? -1 : a > b;
}

/* Junctions at the ends of segments with an uncovered part, the best per
 * cell; returns the count (nodes into *out, ascending), or -1. */
static long candidates(const struct state *st, const struct suggest_params *p, uint32_t **out)
{
	const struct network *net = st->net;
	const struct graph *g = st->g;
	double *unc = calloc(net->node_count ? net->node_count : 1, sizeof *unc);
	if (!unc)
		return -1;
	double lat_sum = 0;
	uint32_t n = 0;
	for (uint32_t seg = 0; seg < net->seg_count; seg++) {
		if (!g->seg_dirs[seg])
			continue;
		uint32_t a = net->seg_from[seg], b = net->seg_to[seg];
		double u = net->seg_length_m[seg] - seg_covered_m(st, seg, st->cur[a], st->cur[b]);
		if (u <= 1e-6)
			continue;
		for (int e = 0; e < 2; e++) {
			uint32_t v = e ? b : a;
			if (unc[v] == 0) {
				n++;
				lat_sum += geo_from_e7(net->node_lat_e7[v]);
			}
			unc[v] += u;
		}
	}
	struct cand *c = malloc((n ? n : 1) * sizeof *c);
	if (!c) {
		free(unc);
		return -1;
	}
	double lat0 = n ? lat_sum / n : 0;
	double mx = 111194.9266 * cos(lat0 * M_PI / 180), my = 111194.9266; /* metres per degree */
	/* every candidate when they fit; else thinned, from cell_m up */
	double cell = p->max_candidates && n > p->max_candidates ? p->cell_m : 0;
	uint32_t kept;
	for (;;) {
		uint32_t k = 0;
		for (uint32_t v = 0; v < net->node_count; v++) {
			if (unc[v] == 0)
				continue;
			int64_t cx = 0, cy = 0;
			if (cell > 0) {
				cx = (int64_t)floor(geo_from_e7(net->node_lon_e7[v]) * mx / cell);
				cy = (int64_t)floor(geo_from_e7(net->node_lat_e7[v]) * my / cell);
			}
			c[k++] = (struct cand){cell > 0 ? cx * 4000003 + cy : (int64_t)v, unc[v], v};
		}
		qsort(c, k, sizeof *c, cand_cmp);
		kept = 0;
		for (uint32_t i = 0; i < k; i++)
			if (i == 0 || c[i].cell != c[i - 1].cell)
				c[kept++] = c[i];
		if (cell <= 0 || kept <= p->max_candidates)
			break;
		cell *= 2;
	}
	free(unc);
	uint32_t *nodes = malloc((kept ? kept : 1) * sizeof *nodes);
	if (!nodes) {
		free(c);
		return -1;
	}
	for (uint32_t i = 0; i < kept; i++)
		nodes[i] = c[i].node;
	free(c);
	/* ascending node order: the tie-break is the lowest node */
	qsort(nodes, kept, sizeof *nodes, cmp_u32);
	*out = nodes;
	return kept;
}

/* ---- the greedy ------------------------------------------------------------------ */

struct entry {
	double gain;
	uint32_t node;
	uint32_t round;        /* the step its gain was evaluated at */
};

/* Heap order: larger gain first, then lower node. */
static bool above(const struct entry *a, const struct entry *b)
{
	return a->gain != b->gain ? a->gain > b->gain : a->node < b->node;
}

static void sift_down(struct entry *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, best = i;
		if (l < n && above(&h[l], &h[best]))
			best = l;
		if (r < n && above(&h[r], &h[best]))
			best = r;
		if (best == i)
			return;
		struct entry t = h[i];
		h[i] = h[best];
		h[best] = t;
		i = best;
	}
}

enum yz_err suggest_run(struct search *s, const struct network *net, const struct graph *g,
			const struct coverage_field *f, const struct suggest_params *p,
			struct suggest_site *out, unsigned *count, struct suggest_stats *stats)
{
	*count = 0;
	memset(stats, 0, sizeof *stats);
	struct state st = {.net = net, .g = g, .f = f, .s = s, .limit = p->limit_ms,
			   .weight = p->seg_weight};
	st.cur = malloc((net->node_count ? net->node_count : 1) * sizeof *st.cur);
	st.seg_stamp = calloc(net->seg_count ? net->seg_count : 1, sizeof *st.seg_stamp);
	uint32_t *cand = NULL;
	struct entry *heap = NULL;
	enum yz_err err = YZ_ENOMEM;
	if (!st.cur || !st.seg_stamp)
		goto done;
	memcpy(st.cur, f->node_ms, (size_t)net->node_count * sizeof *st.cur);
	for (uint32_t seg = 0; seg < net->seg_count; seg++)
		if (g->seg_dirs[seg]) {
			double len = net->seg_length_m[seg];
			double cov = seg_covered_m(&st, seg, st.cur[net->seg_from[seg]],
						   st.cur[net->seg_to[seg]]);
			double w = st.weight ? st.weight[seg] : 1;
			stats->road_m += len;
			stats->covered_m_before += cov;
			stats->total_w += w * len;
			stats->covered_w_before += w * cov;
		}
	long nc = candidates(&st, p, &cand);
	if (nc < 0)
		goto done;
	stats->candidates = (uint32_t)nc;
	heap = malloc((size_t)(nc ? nc : 1) * sizeof *heap);
	if (!heap)
		goto done;
	size_t hn = 0;
	for (long i = 0; i < nc; i++) {
		struct gain gain = evaluate(&st, cand[i], false);
		if (gain.m < 0)
			goto done;
		heap[hn++] = (struct entry){gain.w, cand[i], 0};
	}
	for (size_t i = hn / 2; i-- > 0;)
		sift_down(heap, hn, i);
	double covered = stats->covered_m_before, covered_w = stats->covered_w_before;
	unsigned k = p->k < SUGGEST_MAX_K ? p->k : SUGGEST_MAX_K;
	for (uint32_t round = 0; round < k && hn > 0; round++) {
		if (p->plain && round > 0) {
			/* every remaining candidate, afresh */
			for (size_t i = 0; i < hn; i++) {
				struct gain gain = evaluate(&st, heap[i].node, false);
				if (gain.m < 0)
					goto done;
				heap[i].gain = gain.w;
				heap[i].round = round;
			}
			for (size_t i = hn / 2; i-- > 0;)
				sift_down(heap, hn, i);
		}
		while (heap[0].round != round) {
			struct gain gain = evaluate(&st, heap[0].node, false);
			if (gain.m < 0)
				goto done;
			heap[0].gain = gain.w;
			heap[0].round = round;
			sift_down(heap, hn, 0);
		}
		struct entry best = heap[0];
		if (!(best.gain > 1e-6))
			break; /* nothing left to cover within reach */
		heap[0] = heap[--hn];
		sift_down(heap, hn, 0);
		struct gain got = evaluate(&st, best.node, true);
		if (got.m < 0)
			goto done;
		covered += got.m;
		covered_w += got.w;
		out[(*count)++] = (struct suggest_site){
			best.node,      geo_from_e7(net->node_lon_e7[best.node]),
			geo_from_e7(net->node_lat_e7[best.node]), got.m, covered, got.w, covered_w};
	}
	err = YZ_OK;
done:
	stats->evaluations = st.evaluations;
	free(st.cur);
	free(st.seg_stamp);
	free(st.touched);
	free(cand);
	free(heap);
	return err;
}
