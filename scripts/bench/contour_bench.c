/* contour_bench.c — time and quality of routing/contour on a synthetic city.
 *
 * The city: a 9 km × 9 km jittered grid of junctions (spacing_m apart,
 * 100 by default), 15 % of the links missing, every fourth street a main
 * road (18 km/h, others 15 km/h — SPEC §2 e-bike speeds), links bent and cut
 * into PIECES shape pieces, and a river 900 m north of the start crossed by
 * a bridge every 12 streets (the far bank is close but late: what the
 * exclusion criterion is about).  A Dijkstra from the centre gives every junction's time; each
 * link's reachable part within 5, 10 and 15 min is cut exactly at the limit
 * and tagged with the smallest limit that reaches it — what the isochrone
 * module hands to contour_build.  Reported: milliseconds per call (minimum
 * and median of RUNS — the minimum is the figure on a busy machine; all
 * three limits in one call, and the 15-minute limit alone), the
 * points and rings per limit, and the SPEC §3/§7 criterion over every vertex
 * (junctions and shape points): share of vertices with t <= T inside, and of
 * vertices with t >= 1.25 T outside among those farther than 20 m from any
 * reachable piece.  Then the same for a few parameter variants.
 *
 *   cc -std=c11 -D_GNU_SOURCE -O2 -I. scripts/bench/contour_bench.c \
 *      routing/contour.c common/[a-z]*.c -lm -o /tmp/contour_bench && /tmp/contour_bench [spacing_m]
 *
 * Timings are for this machine only and never asserted anywhere. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/geo.h"
#include "routing/contour.h"

#define EXTENT 9000.0
#define PIECES 4
#define RUNS 21
#define RIVER_M 900.0   /* north of the start */
#define BRIDGE_EVERY 12 /* streets between bridges */

static const double LIMITS_S[3] = {300, 600, 900};

struct city {
	int n;                 /* junctions per side */
	double *x, *y, *t;     /* [n * n] */
	unsigned char *link;   /* [n * n * 2]: east, north */
	double *speed;         /* [n * n * 2] m/s */
	double *sx, *sy;       /* [n * n * 2 * (PIECES + 1)] shapes */
	double *len;           /* [n * n * 2] */
};

static uint64_t rng = 88172645463325252ull;

static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n, s);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return p;
}

#define SX(c, k, d, s) ((c)->sx[((size_t)(k) * 2 + (d)) * (PIECES + 1) + (s)])
#define SY(c, k, d, s) ((c)->sy[((size_t)(k) * 2 + (d)) * (PIECES + 1) + (s)])

static void city_make(struct city *c, double spacing)
{
	int n = (int)(EXTENT / spacing) + 1;
	size_t nn = (size_t)n * n;
	c->n = n;
	c->x = xcalloc(nn, sizeof *c->x);
	c->y = xcalloc(nn, sizeof *c->y);
	c->t = xcalloc(nn, sizeof *c->t);
	c->link = xcalloc(nn * 2, 1);
	c->speed = xcalloc(nn * 2, sizeof *c->speed);
	c->len = xcalloc(nn * 2, sizeof *c->len);
	c->sx = xcalloc(nn * 2 * (PIECES + 1), sizeof *c->sx);
	c->sy = xcalloc(nn * 2 * (PIECES + 1), sizeof *c->sy);
	for (int j = 0; j < n; j++)
		for (int i = 0; i < n; i++) {
			c->x[j * n + i] = (i - n / 2) * spacing + (rnd() - 0.5) * spacing * 0.35;
			c->y[j * n + i] = (j - n / 2) * spacing + (rnd() - 0.5) * spacing * 0.35;
		}
	for (int j = 0; j < n; j++)
		for (int i = 0; i < n; i++)
			for (int d = 0; d < 2; d++) {
				int k = j * n + i, m = d ? k + n : k + 1;
				size_t e = (size_t)k * 2 + d;
				c->link[e] = (d ? j + 1 < n : i + 1 < n) && rnd() > 0.15;
				/* a river between rows RIVER_ROW and RIVER_ROW + 1, bridged every
				 * BRIDGE_EVERY streets: the far bank is near but late */
				if (d && j == n / 2 + (int)(RIVER_M / spacing) && i % BRIDGE_EVERY != 0)
					c->link[e] = 0;
				if (!c->link[e])
					continue;
				c->speed[e] = ((d ? i % 4 : j % 4) == 0 ? 18 : 15) / 3.6;
				double dx = c->x[m] - c->x[k], dy = c->y[m] - c->y[k], l = hypot(dx, dy);
				double bend = (rnd() - 0.5) * spacing * 0.2;
				for (int s = 0; s <= PIECES; s++) {
					double f = (double)s / PIECES, off = bend * sin(M_PI * f);
					SX(c, k, d, s) = c->x[k] + dx * f - dy / l * off;
					SY(c, k, d, s) = c->y[k] + dy * f + dx / l * off;
					if (s)
						c->len[e] += hypot(SX(c, k, d, s) - SX(c, k, d, s - 1), SY(c, k, d, s) - SY(c, k, d, s - 1));
				}
			}
}

/* binary heap Dijkstra over the grid links */
static void city_times(struct city *c, int src)
{
	int n = c->n;
	size_t nn = (size_t)n * n;
	int *heap = xcalloc(nn * 4 + 4, sizeof *heap);
	size_t hn = 0;
	for (size_t k = 0; k < nn; k++)
		c->t[k] = HUGE_VAL;
	c->t[src] = 0;
	heap[hn++] = src;
	while (hn) {
		int u = heap[0];
		heap[0] = heap[--hn];
		for (size_t i = 0;;) { /* sift down */
			size_t l = 2 * i + 1, r = l + 1, m = i;
			if (l < hn && c->t[heap[l]] < c->t[heap[m]])
				m = l;
			if (r < hn && c->t[heap[r]] < c->t[heap[m]])
				m = r;
			if (m == i)
				break;
			int tmp = heap[i];
			heap[i] = heap[m];
			heap[m] = tmp;
			i = m;
		}
		int cand[4][2] = {{u, 0}, {u, 1}, {u - 1, 0}, {u - n, 1}};
		for (int q = 0; q < 4; q++) {
			int k = cand[q][0], d = cand[q][1];
			if (k < 0 || (q == 2 && u % n == 0) || !c->link[(size_t)k * 2 + d])
				continue;
			int m = d ? k + n : k + 1, v = k == u ? m : k;
			double w = c->len[(size_t)k * 2 + d] / c->speed[(size_t)k * 2 + d];
			if (c->t[u] + w < c->t[v]) { /* lazy insertion: stale entries are harmless */
				c->t[v] = c->t[u] + w;
				size_t i = hn++;
				heap[i] = v;
				while (i && c->t[heap[(i - 1) / 2]] > c->t[heap[i]]) {
					int tmp = heap[i];
					heap[i] = heap[(i - 1) / 2];
					heap[(i - 1) / 2] = tmp;
					i = (i - 1) / 2;
				}
				if (hn >= nn * 4)
					hn = nn * 4 - 1;
			}
		}
	}
	free(heap);
}

struct plist {
	struct contour_piece *p;
	size_t n, cap;
};

static void add(struct plist *l, double x0, double y0, double x1, double y1, uint32_t level)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->p = realloc(l->p, l->cap * sizeof *l->p);
		if (!l->p)
			exit(1);
	}
	l->p[l->n++] = (struct contour_piece){(float)x0, (float)y0, (float)x1, (float)y1, level};
}

/* Pieces of [lo, hi] along link e (distance from its start). */
static void add_interval(struct plist *l, const struct city *c, int k, int d, double lo, double hi, uint32_t level)
{
	double pos = 0;
	for (int s = 0; s < PIECES && lo < hi; s++) {
		double x0 = SX(c, k, d, s), y0 = SY(c, k, d, s), x1 = SX(c, k, d, s + 1), y1 = SY(c, k, d, s + 1);
		double sl = hypot(x1 - x0, y1 - y0), a = fmax(lo, pos), b = fmin(hi, pos + sl);
		if (a < b)
			add(l, x0 + (x1 - x0) * (a - pos) / sl, y0 + (y1 - y0) * (a - pos) / sl,
			    x0 + (x1 - x0) * (b - pos) / sl, y0 + (y1 - y0) * (b - pos) / sl, level);
		pos += sl;
	}
}

/* Every link's reachable stretch from each end, cut at each limit; the
 * stretch between limit i - 1 and limit i gets level i. */
static void city_pieces(const struct city *c, int levels, const double *lim, struct plist *l)
{
	int n = c->n;
	for (int k = 0; k < n * n; k++)
		for (int d = 0; d < 2; d++) {
			size_t e = (size_t)k * 2 + d;
			if (!c->link[e])
				continue;
			int m = d ? k + n : k + 1;
			double len = c->len[e], v = c->speed[e], pa = 0, pb = 0;
			for (int i = 0; i < levels; i++) {
				double a = fmin(len, fmax(0, (lim[i] - c->t[k]) * v));
				double b = fmin(len, fmax(0, (lim[i] - c->t[m]) * v));
				if (a + b >= len)
					a = len, b = len - a; /* the whole link: [pa, len] from the start */
				if (a > pa)
					add_interval(l, c, k, d, pa, a, (uint32_t)i);
				if (b > pb)
					add_interval(l, c, k, d, len - b, len - pb, (uint32_t)i);
				pa = fmax(pa, a);
				pb = fmax(pb, b);
			}
		}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static struct geo_frame frame;

static int contains(const struct contour_result *r, double x, double y)
{
	int in = 0;
	for (uint32_t k = 0; k < r->ring_count; k++)
		for (uint32_t i = r->ring_first[k]; i + 1 < r->ring_first[k + 1]; i++) {
			double xa = geo_frame_x(&frame, r->lon[i]), ya = geo_frame_y(&frame, r->lat[i]);
			double xb = geo_frame_x(&frame, r->lon[i + 1]), yb = geo_frame_y(&frame, r->lat[i + 1]);
			if ((ya > y) != (yb > y) && x < xa + (y - ya) * (xb - xa) / (yb - ya))
				in = !in;
		}
	return in;
}

static double seg_dist(double x, double y, const struct contour_piece *p)
{
	double dx = p->x1 - p->x0, dy = p->y1 - p->y0, l2 = dx * dx + dy * dy;
	double t = l2 > 0 ? ((x - p->x0) * dx + (y - p->y0) * dy) / l2 : 0;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(p->x0 + t * dx - x, p->y0 + t * dy - y);
}

static int near_reachable(const struct plist *l, uint32_t level, double x, double y, double r)
{
	for (size_t k = 0; k < l->n; k++)
		if (l->p[k].level <= level && fabs(l->p[k].x0 - x) < 400 && fabs(l->p[k].y0 - y) < 400 &&
		    seg_dist(x, y, &l->p[k]) <= r)
			return 1;
	return 0;
}

/* SPEC §3/§7 over every vertex for limit `level`. */
static void spec_check(const struct city *c, const struct plist *l, const struct contour_result *r, uint32_t level,
		       double T, double *in_share, double *out_share)
{
	long in_n = 0, in_ok = 0, out_n = 0, out_ok = 0;
	int n = c->n;
	/* polygon bounding box: vertices outside it are trivially outside */
	double bx0 = HUGE_VAL, by0 = HUGE_VAL, bx1 = -HUGE_VAL, by1 = -HUGE_VAL;
	for (uint32_t i = 0; i < r->pt_count; i++) {
		double x = geo_frame_x(&frame, r->lon[i]), y = geo_frame_y(&frame, r->lat[i]);
		bx0 = fmin(bx0, x), bx1 = fmax(bx1, x), by0 = fmin(by0, y), by1 = fmax(by1, y);
	}
	for (int k = 0; k < n * n; k++)
		for (int d = -1; d < 2; d++) {
			size_t e = (size_t)k * 2 + (d < 0 ? 0 : d);
			if (d >= 0 && !c->link[e])
				continue;
			for (int s = d < 0 ? 0 : 1; s < (d < 0 ? 1 : PIECES); s++) {
				double t, x, y;
				if (d < 0) {
					t = c->t[k], x = c->x[k], y = c->y[k];
				} else {
					int m = d ? k + n : k + 1;
					double at = 0;
					for (int q = 0; q < s; q++)
						at += hypot(SX(c, k, d, q + 1) - SX(c, k, d, q), SY(c, k, d, q + 1) - SY(c, k, d, q));
					t = fmin(c->t[k] + at / c->speed[e], c->t[m] + (c->len[e] - at) / c->speed[e]);
					x = SX(c, k, d, s), y = SY(c, k, d, s);
				}
				if (t > T && t < 1.25 * T)
					continue;
				int inside = x >= bx0 && x <= bx1 && y >= by0 && y <= by1 && contains(r, x, y);
				if (t <= T) {
					in_n++;
					in_ok += inside;
				} else if (!inside) {
					out_n++;
					out_ok++;
				} else if (!near_reachable(l, level, x, y, 20)) {
					out_n++;
				}
			}
		}
	*in_share = (double)in_ok / (double)in_n;
	*out_share = (double)out_ok / (double)out_n;
}

static void run(const char *name, const struct contour_params *base, const struct city *c,
		const struct plist *l, int check)
{
	struct contour_ws ws;
	struct contour_result res[3];
	contour_ws_init(&ws);
	for (int i = 0; i < 3; i++)
		contour_result_init(&res[i]);
	struct contour_params p = *base;
	double t3[RUNS], t1[RUNS];
	/* all three limits in one call */
	for (int k = 0; k < RUNS; k++) {
		double t0 = now_ms();
		if (contour_build(&ws, &p, l->p, l->n, res, NULL) != YZ_OK) {
			fprintf(stderr, "contour_build failed\n");
			exit(1);
		}
		t3[k] = now_ms() - t0;
	}
	/* the largest limit alone: every piece as level 0 */
	struct plist one = {0};
	for (size_t k = 0; k < l->n; k++)
		add(&one, l->p[k].x0, l->p[k].y0, l->p[k].x1, l->p[k].y1, 0);
	struct contour_params p1 = p;
	p1.level_count = 1;
	struct contour_result r1;
	contour_result_init(&r1);
	for (int k = 0; k < RUNS; k++) {
		double t0 = now_ms();
		contour_build(&ws, &p1, one.p, one.n, &r1, NULL);
		t1[k] = now_ms() - t0;
	}
	qsort(t3, RUNS, sizeof *t3, cmp_d);
	qsort(t1, RUNS, sizeof *t1, cmp_d);
	printf("| %s | %.2f / %.2f | %.2f / %.2f |", name, t3[0], t3[RUNS / 2], t1[0], t1[RUNS / 2]);
	for (int i = 0; i < 3; i++)
		printf(" %u / %u / %u |", res[i].pt_count, res[i].polygon_count, res[i].ring_count - res[i].polygon_count);
	if (check) {
		for (int i = 0; i < 3; i++) {
			double in, out;
			spec_check(c, l, &res[i], (uint32_t)i, LIMITS_S[i], &in, &out);
			printf(" %.1f / %.1f |", 100 * in, 100 * out);
		}
	}
	printf("\n");
	contour_result_fini(&r1);
	free(one.p);
	for (int i = 0; i < 3; i++)
		contour_result_fini(&res[i]);
	contour_ws_fini(&ws);
}

int main(int argc, char **argv)
{
	double spacing = argc > 1 ? atof(argv[1]) : 100;
	if (!(spacing >= 30 && spacing <= 1000)) {
		fprintf(stderr, "usage: contour_bench [spacing_m 30..1000]\n");
		return 2;
	}
	geo_frame_init(&frame, 121.47, 31.23);
	struct city c;
	city_make(&c, spacing);
	int src = (c.n / 2) * c.n + c.n / 2;
	city_times(&c, src);
	struct plist l = {0};
	add(&l, c.x[src], c.y[src], c.x[src], c.y[src], 0); /* the start itself */
	city_pieces(&c, 3, LIMITS_S, &l);
	size_t per[3] = {0};
	for (size_t k = 0; k < l.n; k++)
		per[l.p[k].level]++;
	printf("synthetic city: %d × %d junctions %.0f m apart over 9 × 9 km, %zu pieces (%zu / %zu / %zu by limit)\n\n",
	       c.n, c.n, spacing, l.n, per[0], per[1], per[2]);
	printf("| variant | ms, 3 limits (min / median) | ms, 15 min alone | 5 min: points / polygons / holes | 10 min | 15 min |"
	       " SPEC 5 min: in %% / out %% | 10 min | 15 min |\n|---|---|---|---|---|---|---|---|---|\n");
	struct contour_params p;
	contour_params_init(&p, 121.47, 31.23);
	p.level_count = 3;
	run("defaults (8 m cells, buffer 16, close 16, holes < 0.2 km² filled, DP 0.5 cell)", &p, &c, &l, 1);
	struct contour_params v = p;
	v.close_m = 0;
	run("no closing", &v, &c, &l, 1);
	v = p;
	v.close_m = 32;
	run("close 32 m", &v, &c, &l, 1);
	v = p;
	v.hole_min_m2 = 0;
	run("no hole filling", &v, &c, &l, 1);
	v = p;
	v.simplify_cells = 0;
	run("no simplification", &v, &c, &l, 0);
	v = p;
	v.simplify_cells = 1;
	run("DP 1 cell (buffer raised to 20 m)", &v, &c, &l, 1);
	v = p;
	v.cell_m = 10;
	v.buffer_m = 20;
	v.close_m = 20;
	run("10 m cells, buffer 20, close 20", &v, &c, &l, 1);
	v = p;
	v.cell_m = 15;
	v.close_m = 15;
	run("15 m cells, close 15 (buffer raised to 30 m)", &v, &c, &l, 1);
	free(l.p);
	free(c.x), free(c.y), free(c.t), free(c.link), free(c.speed), free(c.len), free(c.sx), free(c.sy);
	return 0;
}
