/* coverage.c — the nearest-station time field and its per-segment reading
 * (see coverage.h for the formulas). */
#include "coverage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int onseg_cmp(const void *x, const void *y)
{
	const struct cover_onseg *a = x, *b = y;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	if (a->frac != b->frac)
		return a->frac < b->frac ? -1 : 1;
	return a->station < b->station ? -1 : a->station > b->station;
}

/* The node an arc of the reversed graph leads back to: the settled node
 * whose in-arc it is, i.e. the head of the real arc. */
static uint32_t in_arc_head(const struct network *net, const struct graph *g, uint32_t arc)
{
	uint32_t ref = g->in_arc_seg[arc], seg = ARC_SEG(ref);
	return ARC_REVERSED(ref) ? net->seg_from[seg] : net->seg_to[seg];
}

enum yz_err coverage_field_build(struct coverage_field *f, struct search *s,
				 const struct network *net, const struct graph *g,
				 const struct station_attach *a)
{
	memset(f, 0, sizeof *f);
	f->node_count = net->node_count;
	size_t n = net->node_count ? net->node_count : 1;
	f->node_ms = malloc(n * sizeof *f->node_ms);
	f->node_station = malloc(n * sizeof *f->node_station);
	f->onseg = malloc((a->station_count ? a->station_count : 1) * sizeof *f->onseg);
	if (!f->node_ms || !f->node_station || !f->onseg) {
		coverage_field_free(f);
		return YZ_ENOMEM;
	}
	for (uint32_t v = 0; v < net->node_count; v++) {
		f->node_ms[v] = SEARCH_INF;
		f->node_station[v] = GRAPH_NONE;
	}
	for (uint32_t i = 0; i < a->station_count; i++) {
		if (!a->snapped[i])
			continue;
		f->stations_used++;
		if (a->snaps[i].node == GRAPH_NONE)
			f->onseg[f->onseg_count++] =
				(struct cover_onseg){a->snaps[i].seg, i, a->snaps[i].frac};
	}
	qsort(f->onseg, f->onseg_count, sizeof *f->onseg, onseg_cmp);
	if (g->arc_count == 0 || a->entry_count == 0)
		return YZ_OK;

	/* Times *to* the stations: a backward search seeded where each station
	 * is reached from (attach.h), settled in time order so a node's station
	 * is its predecessor's. */
	search_start(s, g, SEARCH_BACKWARD);
	for (uint32_t e = 0; e < a->entry_count; e++)
		search_add_source(s, a->entries[e].node, a->entries[e].extra_ms);
	uint32_t v, t;
	while (search_next(s, &v, &t)) {
		f->node_ms[v] = t;
		uint32_t arc = search_pred(s, v);
		if (arc != SEARCH_INF) {
			f->node_station[v] = f->node_station[in_arc_head(net, g, arc)];
			continue;
		}
		/* a source: the station whose entry gave this time (entries are
		 * sorted by station within the node, so ties go to the lowest) */
		uint32_t e0, e1;
		attach_entries(a, v, &e0, &e1);
		for (uint32_t e = e0; e < e1; e++)
			if (a->entries[e].extra_ms == t) {
				f->node_station[v] = a->entries[e].station;
				break;
			}
	}
	return YZ_OK;
}

void coverage_field_free(struct coverage_field *f)
{
	free(f->node_ms);
	free(f->node_station);
	free(f->onseg);
	memset(f, 0, sizeof *f);
}

void coverage_onseg(const struct coverage_field *f, uint32_t seg, uint32_t *first, uint32_t *end)
{
	uint32_t lo = 0, hi = f->onseg_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (f->onseg[mid].seg < seg)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t e = lo;
	while (e < f->onseg_count && f->onseg[e].seg == seg)
		e++;
	*first = lo;
	*end = e;
}

/* ---- interval sets ------------------------------------------------------------ */

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static void iv_normalise(struct cover_iv *s)
{
	for (unsigned i = 1; i < s->n; i++)
		for (unsigned j = i; j > 0 && s->iv[j][0] < s->iv[j - 1][0]; j--) {
			double a = s->iv[j][0], b = s->iv[j][1];
			s->iv[j][0] = s->iv[j - 1][0];
			s->iv[j][1] = s->iv[j - 1][1];
			s->iv[j - 1][0] = a;
			s->iv[j - 1][1] = b;
		}
	unsigned k = 0;
	for (unsigned i = 0; i < s->n; i++) {
		if (k && s->iv[i][0] <= s->iv[k - 1][1]) {
			if (s->iv[i][1] > s->iv[k - 1][1])
				s->iv[k - 1][1] = s->iv[i][1];
		} else {
			s->iv[k][0] = s->iv[i][0];
			s->iv[k][1] = s->iv[i][1];
			k++;
		}
	}
	s->n = k;
}

static void iv_add(struct cover_iv *s, double a, double b)
{
	if (s->n == COVER_MAX_IV) {
		iv_normalise(s);
		if (s->n == COVER_MAX_IV) {
			/* close the narrowest gap */
			unsigned best = 1;
			for (unsigned i = 2; i < s->n; i++)
				if (s->iv[i][0] - s->iv[i - 1][1] < s->iv[best][0] - s->iv[best - 1][1])
					best = i;
			s->iv[best - 1][1] = s->iv[best][1];
			memmove(&s->iv[best], &s->iv[best + 1], (s->n - best - 1) * sizeof s->iv[0]);
			s->n--;
		}
	}
	s->iv[s->n][0] = a;
	s->iv[s->n][1] = b;
	s->n++;
}

double cover_iv_sum(const struct cover_iv *iv)
{
	double sum = 0;
	for (unsigned i = 0; i < iv->n; i++)
		sum += iv->iv[i][1] - iv->iv[i][0];
	return sum;
}

void cover_iv_complement(const struct cover_iv *in, struct cover_iv *out)
{
	double at = 0;
	out->n = 0;
	for (unsigned i = 0; i < in->n; i++) {
		if (in->iv[i][0] > at)
			iv_add(out, at, in->iv[i][0]);
		at = in->iv[i][1];
	}
	if (at < 1)
		iv_add(out, at, 1);
}

/* ---- one segment -------------------------------------------------------------- */

void coverage_seg_covered(const struct coverage_field *f, const struct graph *g, uint32_t seg,
			  uint32_t from_ms, uint32_t to_ms, double limit_ms, struct cover_iv *out)
{
	out->n = 0;
	uint8_t dirs = g->seg_dirs[seg];
	if (!dirs)
		return;
	double T = g->seg_time_ms[seg];
	/* forwards to seg_to: x ≥ 1 − (L − d(b))/T */
	if ((dirs & DIR_FWD) && to_ms != SEARCH_INF && to_ms <= limit_ms)
		iv_add(out, T > 0 ? clamp01(1 - (limit_ms - to_ms) / T) : 0, 1);
	/* backwards to seg_from: x ≤ (L − d(a))/T */
	if ((dirs & DIR_BWD) && from_ms != SEARCH_INF && from_ms <= limit_ms)
		iv_add(out, 0, T > 0 ? clamp01((limit_ms - from_ms) / T) : 1);
	uint32_t e0, e1;
	coverage_onseg(f, seg, &e0, &e1);
	for (uint32_t e = e0; e < e1; e++) {
		double gf = f->onseg[e].frac, reach = T > 0 ? limit_ms / T : 1;
		double lo = gf, hi = gf;
		if (dirs & DIR_FWD)
			lo = clamp01(gf - reach);
		if (dirs & DIR_BWD)
			hi = clamp01(gf + reach);
		iv_add(out, lo, hi);
	}
	iv_normalise(out);
}

void coverage_seg_covered_now(const struct coverage_field *f, const struct network *net,
			      const struct graph *g, uint32_t seg, double limit_ms,
			      struct cover_iv *out)
{
	coverage_seg_covered(f, g, seg, f->node_ms[net->seg_from[seg]],
			     f->node_ms[net->seg_to[seg]], limit_ms, out);
}

double coverage_time_at(const struct coverage_field *f, const struct network *net,
			const struct graph *g, uint32_t seg, double x)
{
	uint8_t dirs = g->seg_dirs[seg];
	double best = INFINITY;
	if (!dirs)
		return best;
	double T = g->seg_time_ms[seg];
	uint32_t da = f->node_ms[net->seg_from[seg]], db = f->node_ms[net->seg_to[seg]];
	if ((dirs & DIR_FWD) && db != SEARCH_INF)
		best = fmin(best, (1 - x) * T + db);
	if ((dirs & DIR_BWD) && da != SEARCH_INF)
		best = fmin(best, x * T + da);
	uint32_t e0, e1;
	coverage_onseg(f, seg, &e0, &e1);
	for (uint32_t e = e0; e < e1; e++) {
		double gf = f->onseg[e].frac;
		if ((dirs & DIR_FWD) && x <= gf)
			best = fmin(best, (gf - x) * T);
		if ((dirs & DIR_BWD) && x >= gf)
			best = fmin(best, (x - gf) * T);
	}
	return best;
}

static int dbl_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static void add_break(double *xs, unsigned *n, unsigned cap, double x)
{
	if (x > 0 && x < 1 && *n < cap)
		xs[(*n)++] = x;
}

void coverage_seg_bands(const struct coverage_field *f, const struct network *net,
			const struct graph *g, uint32_t seg, const double *thresholds_ms,
			unsigned n, cover_band_fn *band, void *ctx)
{
	uint8_t dirs = g->seg_dirs[seg];
	if (!dirs)
		return;
	enum { CAP = 256 };
	double xs[CAP];
	unsigned nx = 0;
	xs[nx++] = 0;
	xs[nx++] = 1;
	double T = g->seg_time_ms[seg];
	uint32_t da = f->node_ms[net->seg_from[seg]], db = f->node_ms[net->seg_to[seg]];
	uint32_t e0, e1;
	coverage_onseg(f, seg, &e0, &e1);
	for (uint32_t e = e0; e < e1; e++)
		add_break(xs, &nx, CAP, f->onseg[e].frac);
	if (T > 0) {
		for (unsigned i = 0; i < n; i++) {
			double th = thresholds_ms[i];
			if (db != SEARCH_INF)
				add_break(xs, &nx, CAP, 1 - (th - db) / T);
			if (da != SEARCH_INF)
				add_break(xs, &nx, CAP, (th - da) / T);
			for (uint32_t e = e0; e < e1; e++) {
				add_break(xs, &nx, CAP, f->onseg[e].frac - th / T);
				add_break(xs, &nx, CAP, f->onseg[e].frac + th / T);
			}
		}
	}
	qsort(xs, nx, sizeof *xs, dbl_cmp);
	double run0 = 0;
	unsigned run_band = ~0u;
	for (unsigned i = 0; i + 1 < nx; i++) {
		double x0 = xs[i], x1 = xs[i + 1];
		if (!(x1 > x0))
			continue;
		double t = coverage_time_at(f, net, g, seg, 0.5 * (x0 + x1));
		unsigned b = 0;
		while (b < n && !(t <= thresholds_ms[b]))
			b++;
		if (b != run_band) {
			if (run_band != ~0u)
				band(ctx, run0, x0, run_band);
			run0 = x0;
			run_band = b;
		}
	}
	if (run_band != ~0u)
		band(ctx, run0, 1, run_band);
}
