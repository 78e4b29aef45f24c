/* isochrone.c — reachable network and isochrone polygons.
 *
 * The search runs once, to the largest limit, recording the settled nodes.
 * Every segment touching a settled node is then cut: with d(a), d(b) the
 * times of its ends and T its time, a forward-travellable segment is reached
 * from a up to fraction (L − d(a))/T, a backward-travellable one from b down
 * to 1 − (L − d(b))/T, and the query's own segment from the query point both
 * ways as the directions allow.  For direction=to the same holds with the
 * directions swapped (a backward search gives times *to* the point).
 * Each limit's stretches are stored as the difference from the previous
 * limit's, so the polygon builder rasterises every piece of road once. */
#include "isochrone.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "route.h"

void iso_ws_init(struct iso_ws *w)
{
	memset(w, 0, sizeof *w);
	contour_ws_init(&w->contour);
}

void iso_ws_fini(struct iso_ws *w)
{
	contour_ws_fini(&w->contour);
	free(w->pieces);
	free(w->spans);
	free(w->settled);
	free(w->seg_stamp);
	memset(w, 0, sizeof *w);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 256;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * elem);
	if (!n)
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

/* Merge up to 3 intervals into disjoint sorted ones; returns the count. */
static unsigned merge(double iv[][2], unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && iv[j][0] < iv[j - 1][0]; j--) {
			double t0 = iv[j][0], t1 = iv[j][1];
			iv[j][0] = iv[j - 1][0];
			iv[j][1] = iv[j - 1][1];
			iv[j - 1][0] = t0;
			iv[j - 1][1] = t1;
		}
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		if (k && iv[i][0] <= iv[k - 1][1]) {
			if (iv[i][1] > iv[k - 1][1])
				iv[k - 1][1] = iv[i][1];
		} else {
			iv[k][0] = iv[i][0];
			iv[k][1] = iv[i][1];
			k++;
		}
	}
	return k;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Reachable intervals of seg within limit L (ms). */
static unsigned seg_intervals(const struct network *net, const struct graph *g,
			      const struct search *s, const struct iso_query *q, uint32_t seg,
			      double L, double iv[3][2])
{
	uint8_t dirs = g->seg_dirs[seg];
	/* direction=to swaps the roles of the directions */
	uint8_t along = q->to ? DIR_BWD : DIR_FWD, against = q->to ? DIR_FWD : DIR_BWD;
	double T = g->seg_time_ms[seg];
	uint32_t da = search_dist(s, net->seg_from[seg]), db = search_dist(s, net->seg_to[seg]);
	unsigned n = 0;
	if ((dirs & along) && da != SEARCH_INF && da <= L) {
		iv[n][0] = 0;
		iv[n][1] = T > 0 ? clamp01((L - da) / T) : 1;
		n++;
	}
	if ((dirs & against) && db != SEARCH_INF && db <= L) {
		iv[n][0] = T > 0 ? clamp01(1 - (L - db) / T) : 0;
		iv[n][1] = 1;
		n++;
	}
	const struct snap *at = q->at;
	if (at->node == GRAPH_NONE && at->seg == seg) {
		double reach = T > 0 ? L / T : 1;
		/* from the point along (towards seg_to) and against (towards seg_from) */
		double lo = at->frac, hi = at->frac;
		if (dirs & along)
			hi = clamp01(at->frac + reach);
		if (dirs & against)
			lo = clamp01(at->frac - reach);
		iv[n][0] = lo;
		iv[n][1] = hi;
		n++;
	}
	return merge(iv, n);
}

static int add_span(struct iso_ws *w, uint32_t seg, uint32_t level, double f0, double f1)
{
	if (grow((void **)&w->spans, &w->span_cap, w->span_count + 1, sizeof *w->spans))
		return -1;
	w->spans[w->span_count++] = (struct iso_span){seg, level, f0, f1};
	return 0;
}

/* Cut seg for every limit; store level i's intervals minus level i−1's. */
static int cut_segment(struct iso_ws *w, const struct network *net, const struct graph *g,
		       const struct search *s, const struct iso_query *q, uint32_t seg)
{
	double prev[3][2];
	unsigned np = 0;
	for (unsigned li = 0; li < q->limit_count; li++) {
		double cur[3][2];
		unsigned nc = seg_intervals(net, g, s, q, seg, q->limit_ms[li], cur);
		/* cur minus prev (prev ⊆ cur: limits grow) */
		for (unsigned i = 0; i < nc; i++) {
			double a = cur[i][0], b = cur[i][1];
			for (unsigned j = 0; j < np && a <= b; j++) {
				double pa = prev[j][0], pb = prev[j][1];
				if (pb < a || pa > b)
					continue;
				if (pa > a && add_span(w, seg, li, a, pa))
					return -1;
				a = pb;
			}
			if (a < b || (a == b && np == 0))
				if (add_span(w, seg, li, a, b))
					return -1;
		}
		memcpy(prev, cur, sizeof cur);
		np = nc;
	}
	return 0;
}

enum yz_err iso_reach(struct iso_ws *w, struct search *s, const struct network *net,
		      const struct graph *g, const struct iso_query *q)
{
	w->span_count = 0;
	w->settled_count = 0;
	if (w->seg_cap < net->seg_count) {
		free(w->seg_stamp);
		w->seg_stamp = calloc(net->seg_count, sizeof *w->seg_stamp);
		if (!w->seg_stamp) {
			w->seg_cap = 0;
			return YZ_ENOMEM;
		}
		w->seg_cap = net->seg_count;
		w->stamp = 0;
	}
	if (++w->stamp == 0) {
		memset(w->seg_stamp, 0, (size_t)w->seg_cap * sizeof *w->seg_stamp);
		w->stamp = 1;
	}
	const struct snap *at = q->at;
	uint32_t Lmax = q->limit_ms[q->limit_count - 1];
	search_start(s, g, q->to ? SEARCH_BACKWARD : SEARCH_FORWARD);
	if (!q->to) {
		route_seed_source(s, net, g, at);
	} else if (at->node != GRAPH_NONE) {
		search_add_source(s, at->node, 0);
	} else {
		/* times to the point: from seg_from forwards, from seg_to backwards */
		double T = g->seg_time_ms[at->seg];
		if (g->seg_dirs[at->seg] & DIR_FWD)
			search_add_source(s, net->seg_from[at->seg], (uint32_t)llround(at->frac * T));
		if (g->seg_dirs[at->seg] & DIR_BWD)
			search_add_source(s, net->seg_to[at->seg], (uint32_t)llround((1 - at->frac) * T));
	}
	uint32_t v, t;
	while (search_min_key(s) <= Lmax && search_next(s, &v, &t)) {
		if (grow((void **)&w->settled, &w->settled_cap, w->settled_count + 1, sizeof *w->settled))
			return YZ_ENOMEM;
		w->settled[w->settled_count++] = v;
	}
	/* the query's own segment, even when neither end is reached */
	if (at->node == GRAPH_NONE) {
		w->seg_stamp[at->seg] = w->stamp;
		if (cut_segment(w, net, g, s, q, at->seg))
			return YZ_ENOMEM;
	}
	for (size_t i = 0; i < w->settled_count; i++) {
		uint32_t u = w->settled[i];
		for (int pass = 0; pass < 2; pass++) {
			const uint32_t *first = pass ? g->first_in : g->first_out;
			const uint32_t *ref = pass ? g->in_arc_seg : g->arc_seg;
			for (uint32_t a = first[u]; a < first[u + 1]; a++) {
				uint32_t seg = ARC_SEG(ref[a]);
				if (w->seg_stamp[seg] == w->stamp)
					continue;
				w->seg_stamp[seg] = w->stamp;
				if (cut_segment(w, net, g, s, q, seg))
					return YZ_ENOMEM;
			}
		}
	}
	return YZ_OK;
}

struct piece_emit {
	struct iso_ws *w;
	const struct geo_frame *f;
	uint32_t level;
	int have;
	float x, y;
	int failed;
};

static void emit_piece_point(void *ctx, double lon, double lat)
{
	struct piece_emit *e = ctx;
	float x = (float)geo_frame_x(e->f, lon), y = (float)geo_frame_y(e->f, lat);
	if (e->have) {
		struct iso_ws *w = e->w;
		if (grow((void **)&w->pieces, &w->piece_cap, w->piece_count + 1, sizeof *w->pieces)) {
			e->failed = 1;
			return;
		}
		w->pieces[w->piece_count++] = (struct contour_piece){e->x, e->y, x, y, e->level};
	}
	e->have = 1;
	e->x = x;
	e->y = y;
}

enum yz_err iso_polygons(struct iso_ws *w, const struct network *net, const struct iso_query *q,
			 const struct contour_params *p, struct contour_result *out,
			 struct yz_errbuf *eb)
{
	struct geo_frame f;
	geo_frame_init(&f, p->lon0, p->lat0);
	w->piece_count = 0;
	/* the point itself is reachable at time 0 */
	if (grow((void **)&w->pieces, &w->piece_cap, 1, sizeof *w->pieces))
		return YZ_ENOMEM;
	float ax = (float)geo_frame_x(&f, q->at->lon), ay = (float)geo_frame_y(&f, q->at->lat);
	w->pieces[w->piece_count++] = (struct contour_piece){ax, ay, ax, ay, 0};
	for (size_t i = 0; i < w->span_count; i++) {
		const struct iso_span *sp = &w->spans[i];
		struct piece_emit e = {.w = w, .f = &f, .level = sp->level};
		network_seg_slice(net, sp->seg, sp->f0, sp->f1, emit_piece_point, &e);
		if (e.failed)
			return YZ_ENOMEM;
	}
	return contour_build(&w->contour, p, w->pieces, w->piece_count, out, eb);
}
