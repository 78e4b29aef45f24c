/* check_routing_ref.c — route_compute, snap_point and nearest_run against an
 * independent reference written from SPEC §2, §3 and §7 alone.
 *
 * The reference shares nothing with routing/ but the roadset (data/roads.c)
 * and each way's profile (profile_way, tested in check_profile.c):
 *   - every OSM vertex is a node (vertices are distinct e7 coordinates, as
 *     SPEC §7 allows for a reader that sees only coordinates); every pair of
 *     consecutive points of a way the mode may use is an edge ("piece") with
 *     time = haversine length (R = 6 371 008.8 m) / speed, in double seconds,
 *     in the directions the profile allows;
 *   - the largest strongly connected component by vertex count (Kosaraju);
 *     a piece is kept when both its vertices are in it;
 *   - snapping by brute force over every kept piece: the closest point in the
 *     equirectangular frame centred on the query point, 1000 m at most; a
 *     point exactly on a vertex is that vertex; a point on several pieces at
 *     once (overlapping ways) is on all of them, and may leave by any;
 *   - the partial pieces at both ends cost their fraction of the piece's time;
 *   - a textbook binary-heap Dijkstra in doubles.
 * Random query pairs (fixed seeds) over the small shared data sets, each mode,
 * must give the same reachability, snap failures, snap distances, durations
 * and distances.  The geometry must run from the snapped start to the snapped
 * end, be as long as the distance, and be a walk on the mode's graph that
 * takes the reported duration when the reference times it.  nearest_run is
 * compared the same way on random stations, with the routes drawn as
 * /api/nearest draws them.  The hand-made fixtures pin concrete routes: a
 * one-way street, roundabouts, an access=no road open to bicycles.
 *
 * YZ_VERBOSE=1 prints the largest differences seen per data set and mode. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/roads.h"
#include "routing/attach.h"
#include "routing/nearest.h"
#include "routing/route.h"
#include "routing/search.h"
#include "routing/snap.h"
#include "server/dataset.h"
#include "tests/support/shared_data.h"

Suite *routing_ref_suite(void);

#define R_EARTH 6371008.8 /* SPEC §2 */
#define PI 3.14159265358979323846
#define MAX_SNAP 1000.0   /* SPEC §3 default */

/* Check's ck_assert records a checkpoint per call (a write); loops here make
 * many checks, so they only call into Check on failure. */
#define EXPECT(cond, ...)                          \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

static int verbose(void)
{
	const char *v = getenv("YZ_VERBOSE");
	return v && *v && *v != '0';
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double haversine(double lon1, double lat1, double lon2, double lat2)
{
	double p1 = lat1 * PI / 180, p2 = lat2 * PI / 180;
	double dp = p2 - p1, dl = (lon2 - lon1) * PI / 180;
	double h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	return 2 * R_EARTH * asin(sqrt(h < 1 ? h : 1));
}

/* ==== the reference ================================================================ */

/* Vertices: the distinct coordinates of all points of all usable ways. */
struct ref_world {
	const struct roadset *rs;
	uint32_t nv;
	uint64_t *key;           /* [nv] sorted packed coordinates */
	double *lon, *lat;       /* [nv] degrees */
	uint32_t *pt_v;          /* [rs->pt_count] vertex of each point */
};

static uint64_t pack(int32_t lon, int32_t lat)
{
	return ((uint64_t)((uint32_t)lon ^ 0x80000000u) << 32) | ((uint32_t)lat ^ 0x80000000u);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static uint32_t world_find(const struct ref_world *w, int32_t lon, int32_t lat)
{
	uint64_t k = pack(lon, lat);
	const uint64_t *f = bsearch(&k, w->key, w->nv, sizeof k, u64_cmp);
	return f ? (uint32_t)(f - w->key) : UINT32_MAX;
}

static void world_build(struct ref_world *w, const struct roadset *rs)
{
	memset(w, 0, sizeof *w);
	w->rs = rs;
	uint64_t *k = malloc(((size_t)rs->pt_count + 1) * sizeof *k);
	ck_assert_ptr_nonnull(k);
	for (uint32_t p = 0; p < rs->pt_count; p++)
		k[p] = pack(rs->pt_lon_e7[p], rs->pt_lat_e7[p]);
	qsort(k, rs->pt_count, sizeof *k, u64_cmp);
	uint32_t n = 0;
	for (uint32_t p = 0; p < rs->pt_count; p++)
		if (!n || k[p] != k[n - 1])
			k[n++] = k[p];
	w->nv = n;
	w->key = k;
	w->lon = malloc(((size_t)n + 1) * sizeof *w->lon);
	w->lat = malloc(((size_t)n + 1) * sizeof *w->lat);
	w->pt_v = malloc(((size_t)rs->pt_count + 1) * sizeof *w->pt_v);
	ck_assert(w->lon && w->lat && w->pt_v);
	for (uint32_t v = 0; v < n; v++) {
		w->lon[v] = (int32_t)((uint32_t)(k[v] >> 32) ^ 0x80000000u) / 1e7;
		w->lat[v] = (int32_t)((uint32_t)k[v] ^ 0x80000000u) / 1e7;
	}
	for (uint32_t p = 0; p < rs->pt_count; p++)
		w->pt_v[p] = world_find(w, rs->pt_lon_e7[p], rs->pt_lat_e7[p]);
}

static void world_free(struct ref_world *w)
{
	free(w->key);
	free(w->lon);
	free(w->lat);
	free(w->pt_v);
	memset(w, 0, sizeof *w);
}

/* A kept piece: the straight stretch between two consecutive way points. */
struct ref_piece {
	uint32_t a, b;        /* vertices, in the way's order */
	uint8_t dirs;         /* DIR_FWD: a→b allowed, DIR_BWD: b→a */
	double len_m, time_s;
	double lon0, lat0, lon1, lat1; /* bounding box, degrees */
};

/* One mode's graph, restricted to its largest SCC. */
struct ref_mode {
	const struct ref_world *w;
	enum mode mode;
	uint32_t nv;
	unsigned char *kept;         /* [nv] in the largest SCC */
	uint32_t kept_count;
	uint32_t *first;             /* [nv + 1] kept arcs, CSR by tail */
	uint32_t *to;
	double *time_s, *len_m;
	uint32_t *rfirst, *rfrom;    /* the same arcs, CSR by head */
	double *rtime_s;
	uint32_t piece_count;
	struct ref_piece *pieces;
	/* Dijkstra state */
	double *d, *dl;              /* time and length of the best path found */
	uint32_t *stamp, cur;
	unsigned char *done;
	struct hitem { double key; uint32_t v; } *heap;
	uint32_t heap_len, heap_cap;
	uint32_t settled;
};

struct arc_tmp {
	uint32_t u, v;
	double t, l;
};

static int arc_tmp_cmp(const void *a, const void *b)
{
	const struct arc_tmp *x = a, *y = b;
	return (x->u > y->u) - (x->u < y->u);
}

/* Kosaraju, iterative: comp[v] for every vertex with an arc; returns the
 * number of components. */
static uint32_t kosaraju(uint32_t n, const uint32_t *f_first, const uint32_t *f_to,
			 const uint32_t *r_first, const uint32_t *r_to, const unsigned char *active,
			 uint32_t *comp)
{
	uint32_t *order = malloc(((size_t)n + 1) * sizeof *order);
	uint32_t *stack_v = malloc(((size_t)n + 1) * sizeof *stack_v);
	uint32_t *stack_i = malloc(((size_t)n + 1) * sizeof *stack_i);
	unsigned char *seen = calloc((size_t)n + 1, 1);
	ck_assert(order && stack_v && stack_i && seen);
	uint32_t no = 0;
	for (uint32_t r = 0; r < n; r++) {
		if (!active[r] || seen[r])
			continue;
		uint32_t sp = 0;
		stack_v[sp] = r;
		stack_i[sp++] = f_first[r];
		seen[r] = 1;
		while (sp) {
			uint32_t v = stack_v[sp - 1];
			if (stack_i[sp - 1] < f_first[v + 1]) {
				uint32_t x = f_to[stack_i[sp - 1]++];
				if (!seen[x]) {
					seen[x] = 1;
					stack_v[sp] = x;
					stack_i[sp++] = f_first[x];
				}
			} else {
				order[no++] = v;
				sp--;
			}
		}
	}
	for (uint32_t v = 0; v < n; v++)
		comp[v] = UINT32_MAX;
	uint32_t nc = 0;
	for (uint32_t i = no; i-- > 0;) {
		uint32_t r = order[i];
		if (comp[r] != UINT32_MAX)
			continue;
		uint32_t sp = 0;
		stack_v[sp++] = r;
		comp[r] = nc;
		while (sp) {
			uint32_t v = stack_v[--sp];
			for (uint32_t a = r_first[v]; a < r_first[v + 1]; a++)
				if (comp[r_to[a]] == UINT32_MAX) {
					comp[r_to[a]] = nc;
					stack_v[sp++] = r_to[a];
				}
		}
		nc++;
	}
	free(order);
	free(stack_v);
	free(stack_i);
	free(seen);
	return nc;
}

static void csr_of(uint32_t n, const struct arc_tmp *arcs, uint32_t m, int reversed,
		   uint32_t **first, uint32_t **to)
{
	*first = calloc((size_t)n + 2, sizeof **first);
	*to = malloc(((size_t)m + 1) * sizeof **to);
	ck_assert(*first && *to);
	for (uint32_t a = 0; a < m; a++)
		(*first)[(reversed ? arcs[a].v : arcs[a].u) + 1]++;
	for (uint32_t v = 0; v < n; v++)
		(*first)[v + 1] += (*first)[v];
	uint32_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
	ck_assert_ptr_nonnull(pos);
	memcpy(pos, *first, ((size_t)n + 1) * sizeof *pos);
	for (uint32_t a = 0; a < m; a++) {
		uint32_t from = reversed ? arcs[a].v : arcs[a].u;
		(*to)[pos[from]++] = reversed ? arcs[a].u : arcs[a].v;
	}
	free(pos);
}

static void mode_build(struct ref_mode *rm, const struct ref_world *w, enum mode mode)
{
	const struct roadset *rs = w->rs;
	memset(rm, 0, sizeof *rm);
	rm->w = w;
	rm->mode = mode;
	rm->nv = w->nv;
	uint32_t n = w->nv;
	/* every allowed direction of every piece of every usable way */
	size_t cap = 2 * (size_t)rs->pt_count + 1, m = 0;
	struct arc_tmp *arcs = malloc(cap * sizeof *arcs);
	unsigned char *active = calloc((size_t)n + 1, 1);
	ck_assert(arcs && active);
	for (uint32_t wy = 0; wy < rs->way_count; wy++) {
		const struct way_profile *p = &rs->way_prof[wy];
		uint8_t dirs = p->dirs[mode];
		if (!dirs)
			continue;
		double mps = p->speed_kmh[mode] / 3.6;
		for (uint32_t q = rs->way_pt_first[wy]; q + 1 < rs->way_pt_first[wy + 1]; q++) {
			uint32_t a = w->pt_v[q], b = w->pt_v[q + 1];
			double l = haversine(w->lon[a], w->lat[a], w->lon[b], w->lat[b]);
			if (dirs & DIR_FWD)
				arcs[m++] = (struct arc_tmp){a, b, l / mps, l};
			if (dirs & DIR_BWD)
				arcs[m++] = (struct arc_tmp){b, a, l / mps, l};
			active[a] = active[b] = 1;
		}
	}
	uint32_t *ff, *ft, *rf, *rt, *comp = malloc(((size_t)n + 1) * sizeof *comp);
	ck_assert_ptr_nonnull(comp);
	csr_of(n, arcs, (uint32_t)m, 0, &ff, &ft);
	csr_of(n, arcs, (uint32_t)m, 1, &rf, &rt);
	uint32_t nc = kosaraju(n, ff, ft, rf, rt, active, comp);
	free(ff);
	free(ft);
	free(rf);
	free(rt);
	/* the largest component by vertex count */
	uint32_t *size = calloc((size_t)nc + 1, sizeof *size);
	ck_assert_ptr_nonnull(size);
	for (uint32_t v = 0; v < n; v++)
		if (active[v])
			size[comp[v]]++;
	uint32_t best = UINT32_MAX, ties = 0;
	for (uint32_t c = 0; c < nc; c++) {
		if (best == UINT32_MAX || size[c] > size[best]) {
			best = c;
			ties = 0;
		} else if (size[c] == size[best]) {
			ties++;
		}
	}
	/* SPEC §7 does not say which of two equal components wins */
	EXPECT(ties == 0 || nc == 0, "%s: %u components tie for largest (%u vertices)",
	       mode_name(mode), ties + 1, best == UINT32_MAX ? 0 : size[best]);
	rm->kept = calloc((size_t)n + 1, 1);
	ck_assert_ptr_nonnull(rm->kept);
	for (uint32_t v = 0; v < n; v++)
		if (active[v] && comp[v] == best) {
			rm->kept[v] = 1;
			rm->kept_count++;
		}
	/* kept arcs: both ends in the component */
	size_t k = 0;
	for (size_t a = 0; a < m; a++)
		if (rm->kept[arcs[a].u] && rm->kept[arcs[a].v])
			arcs[k++] = arcs[a];
	qsort(arcs, k, sizeof *arcs, arc_tmp_cmp);
	rm->first = calloc((size_t)n + 2, sizeof *rm->first);
	rm->to = malloc((k + 1) * sizeof *rm->to);
	rm->time_s = malloc((k + 1) * sizeof *rm->time_s);
	rm->len_m = malloc((k + 1) * sizeof *rm->len_m);
	ck_assert(rm->first && rm->to && rm->time_s && rm->len_m);
	for (size_t a = 0; a < k; a++) {
		rm->first[arcs[a].u + 1]++;
		rm->to[a] = arcs[a].v;
		rm->time_s[a] = arcs[a].t;
		rm->len_m[a] = arcs[a].l;
	}
	for (uint32_t v = 0; v < n; v++)
		rm->first[v + 1] += rm->first[v];
	rm->rfirst = calloc((size_t)n + 2, sizeof *rm->rfirst);
	rm->rfrom = malloc((k + 1) * sizeof *rm->rfrom);
	rm->rtime_s = malloc((k + 1) * sizeof *rm->rtime_s);
	uint32_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
	ck_assert(rm->rfirst && rm->rfrom && rm->rtime_s && pos);
	for (size_t a = 0; a < k; a++)
		rm->rfirst[arcs[a].v + 1]++;
	for (uint32_t v = 0; v < n; v++)
		rm->rfirst[v + 1] += rm->rfirst[v];
	memcpy(pos, rm->rfirst, ((size_t)n + 1) * sizeof *pos);
	for (size_t a = 0; a < k; a++) {
		rm->rfrom[pos[arcs[a].v]] = arcs[a].u;
		rm->rtime_s[pos[arcs[a].v]++] = arcs[a].t;
	}
	free(pos);
	/* kept pieces, in way order */
	rm->pieces = malloc(((size_t)rs->pt_count + 1) * sizeof *rm->pieces);
	ck_assert_ptr_nonnull(rm->pieces);
	for (uint32_t wy = 0; wy < rs->way_count; wy++) {
		const struct way_profile *p = &rs->way_prof[wy];
		if (!p->dirs[mode])
			continue;
		for (uint32_t q = rs->way_pt_first[wy]; q + 1 < rs->way_pt_first[wy + 1]; q++) {
			uint32_t a = w->pt_v[q], b = w->pt_v[q + 1];
			if (!rm->kept[a] || !rm->kept[b])
				continue;
			double l = haversine(w->lon[a], w->lat[a], w->lon[b], w->lat[b]);
			rm->pieces[rm->piece_count++] = (struct ref_piece){
				a, b, p->dirs[mode], l, l / (p->speed_kmh[mode] / 3.6),
				fmin(w->lon[a], w->lon[b]), fmin(w->lat[a], w->lat[b]),
				fmax(w->lon[a], w->lon[b]), fmax(w->lat[a], w->lat[b])};
		}
	}
	free(arcs);
	free(active);
	free(comp);
	free(size);
	rm->d = malloc(((size_t)n + 1) * sizeof *rm->d);
	rm->dl = malloc(((size_t)n + 1) * sizeof *rm->dl);
	rm->stamp = calloc((size_t)n + 1, sizeof *rm->stamp);
	rm->done = calloc((size_t)n + 1, 1);
	rm->heap_cap = 1024;
	rm->heap = malloc(rm->heap_cap * sizeof *rm->heap);
	ck_assert(rm->d && rm->dl && rm->stamp && rm->done && rm->heap);
}

static void mode_free(struct ref_mode *rm)
{
	free(rm->kept);
	free(rm->first);
	free(rm->to);
	free(rm->time_s);
	free(rm->len_m);
	free(rm->rfirst);
	free(rm->rfrom);
	free(rm->rtime_s);
	free(rm->pieces);
	free(rm->d);
	free(rm->dl);
	free(rm->stamp);
	free(rm->done);
	free(rm->heap);
	memset(rm, 0, sizeof *rm);
}

/* ---- reference snapping ---------------------------------------------------------- */

/* The closest point may lie on several pieces at once: overlapping ways (an
 * OSMnx export draws a two-way street as a way A-B-A) or a vertex shared by
 * pieces.  The point is then on all of them, and a rider there may use any:
 * every piece within SNAP_TIE of the closest distance is a candidate, and
 * times are the minimum over candidates. */
#define SNAP_TIE 1e-6  /* metres */
#define MAX_CAND 8

struct ref_cand {
	uint32_t piece;
	double t;             /* 0..1 from piece.a */
	uint32_t vertex;      /* when t is exactly 0 or 1, else UINT32_MAX */
};

struct ref_snap {
	int ok;
	unsigned nc;
	struct ref_cand c[MAX_CAND];
	double lon, lat, dist_m;   /* of the first candidate */
};

/* The closest point on any kept piece, in the equirectangular frame centred
 * on (lon, lat): x = R·Δλ·cos φ0, y = R·Δφ, in metres. */
static struct ref_snap ref_snap_point(const struct ref_mode *rm, double lon, double lat)
{
	const struct ref_world *w = rm->w;
	double ky = R_EARTH * PI / 180, kx = ky * cos(lat * PI / 180);
	struct ref_snap best = {0};
	double cd[MAX_CAND];
	best.dist_m = INFINITY;
	for (uint32_t i = 0; i < rm->piece_count; i++) {
		const struct ref_piece *p = &rm->pieces[i];
		/* the box's distance bounds the piece's: skip what cannot be closer */
		double ox = fmax(0, fmax(p->lon0 - lon, lon - p->lon1)) * kx;
		double oy = fmax(0, fmax(p->lat0 - lat, lat - p->lat1)) * ky;
		double lim = best.dist_m + SNAP_TIE;
		if (ox * ox + oy * oy > lim * lim)
			continue;
		double ax = (w->lon[p->a] - lon) * kx, ay = (w->lat[p->a] - lat) * ky;
		double bx = (w->lon[p->b] - lon) * kx, by = (w->lat[p->b] - lat) * ky;
		double dx = bx - ax, dy = by - ay, dd = dx * dx + dy * dy;
		double t = dd > 0 ? -(ax * dx + ay * dy) / dd : 0;
		t = t < 0 ? 0 : t > 1 ? 1 : t;
		double px = ax + t * dx, py = ay + t * dy, dist = sqrt(px * px + py * py);
		if (dist > best.dist_m + SNAP_TIE)
			continue;
		if (dist < best.dist_m - SNAP_TIE) {
			/* strictly closer: drop the candidates it beats */
			unsigned k = 0;
			for (unsigned j = 0; j < best.nc; j++)
				if (cd[j] <= dist + SNAP_TIE) {
					cd[k] = cd[j];
					best.c[k++] = best.c[j];
				}
			best.nc = k;
		}
		if (best.nc < MAX_CAND) {
			cd[best.nc] = dist;
			best.c[best.nc++] = (struct ref_cand){i, t, UINT32_MAX};
		}
		if (dist < best.dist_m)
			best.dist_m = dist;
	}
	if (!(best.dist_m <= MAX_SNAP))
		return (struct ref_snap){0};
	best.ok = 1;
	for (unsigned j = 0; j < best.nc; j++) {
		struct ref_cand *c = &best.c[j];
		const struct ref_piece *p = &rm->pieces[c->piece];
		c->vertex = c->t == 0 ? p->a : c->t == 1 ? p->b : UINT32_MAX;
	}
	const struct ref_piece *p = &rm->pieces[best.c[0].piece];
	best.lon = w->lon[p->a] + best.c[0].t * (w->lon[p->b] - w->lon[p->a]);
	best.lat = w->lat[p->a] + best.c[0].t * (w->lat[p->b] - w->lat[p->a]);
	return best;
}

/* ---- reference Dijkstra ------------------------------------------------------------ */

static void heap_push(struct ref_mode *rm, double key, uint32_t v)
{
	if (rm->heap_len == rm->heap_cap) {
		rm->heap_cap *= 2;
		rm->heap = realloc(rm->heap, rm->heap_cap * sizeof *rm->heap);
		ck_assert_ptr_nonnull(rm->heap);
	}
	uint32_t i = rm->heap_len++;
	while (i > 0 && rm->heap[(i - 1) / 2].key > key) {
		rm->heap[i] = rm->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	rm->heap[i] = (struct hitem){key, v};
}

static struct hitem heap_pop(struct ref_mode *rm)
{
	struct hitem top = rm->heap[0], last = rm->heap[--rm->heap_len];
	uint32_t i = 0, n = rm->heap_len;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && rm->heap[c + 1].key < rm->heap[c].key)
			c++;
		if (rm->heap[c].key >= last.key)
			break;
		rm->heap[i] = rm->heap[c];
		i = c;
	}
	if (n)
		rm->heap[i] = last;
	return top;
}

static void ref_offer(struct ref_mode *rm, uint32_t v, double t, double l)
{
	if (rm->stamp[v] != rm->cur) {
		rm->stamp[v] = rm->cur;
		rm->done[v] = 0;
		rm->d[v] = INFINITY;
	}
	if (t < rm->d[v]) {
		rm->d[v] = t;
		rm->dl[v] = l;
		heap_push(rm, t, v);
	}
}

static void ref_start(struct ref_mode *rm)
{
	rm->cur++;
	rm->heap_len = 0;
	rm->settled = 0;
}

/* Sources of a snapped position: its vertex, or the piece's ends it may
 * travel to, each at its fraction of the piece's time; for every candidate. */
static void ref_seed(struct ref_mode *rm, const struct ref_snap *s)
{
	for (unsigned j = 0; j < s->nc; j++) {
		const struct ref_cand *c = &s->c[j];
		if (c->vertex != UINT32_MAX) {
			ref_offer(rm, c->vertex, 0, 0);
			continue;
		}
		const struct ref_piece *p = &rm->pieces[c->piece];
		if (p->dirs & DIR_FWD)
			ref_offer(rm, p->b, (1 - c->t) * p->time_s, (1 - c->t) * p->len_m);
		if (p->dirs & DIR_BWD)
			ref_offer(rm, p->a, c->t * p->time_s, c->t * p->len_m);
	}
}

/* Settle the next vertex; UINT32_MAX when the queue is empty. */
static uint32_t ref_next(struct ref_mode *rm, double *key)
{
	while (rm->heap_len) {
		struct hitem h = heap_pop(rm);
		if (rm->done[h.v] || h.key > rm->d[h.v])
			continue;
		rm->done[h.v] = 1;
		rm->settled++;
		for (uint32_t a = rm->first[h.v]; a < rm->first[h.v + 1]; a++)
			ref_offer(rm, rm->to[a], h.key + rm->time_s[a], rm->dl[h.v] + rm->len_m[a]);
		*key = h.key;
		return h.v;
	}
	return UINT32_MAX;
}

/* How a snapped target is entered: from vertices with extra cost. */
struct ref_entry {
	uint32_t v;
	double t, l;
};

#define MAX_ENTRIES (2 * MAX_CAND)

static unsigned ref_entries(const struct ref_mode *rm, const struct ref_snap *s,
			    struct ref_entry e[MAX_ENTRIES])
{
	unsigned n = 0;
	for (unsigned j = 0; j < s->nc; j++) {
		const struct ref_cand *c = &s->c[j];
		if (c->vertex != UINT32_MAX) {
			e[n++] = (struct ref_entry){c->vertex, 0, 0};
			continue;
		}
		const struct ref_piece *p = &rm->pieces[c->piece];
		if (p->dirs & DIR_FWD)
			e[n++] = (struct ref_entry){p->a, c->t * p->time_s, c->t * p->len_m};
		if (p->dirs & DIR_BWD)
			e[n++] = (struct ref_entry){p->b, (1 - c->t) * p->time_s, (1 - c->t) * p->len_m};
	}
	return n;
}

/* Directly along one piece from a to b, when both lie inside it: the best
 * over candidate pairs; 0 when there is none. */
static int ref_direct(const struct ref_mode *rm, const struct ref_snap *a,
		      const struct ref_snap *b, double *t, double *l)
{
	int found = 0;
	for (unsigned i = 0; i < a->nc; i++)
		for (unsigned j = 0; j < b->nc; j++) {
			const struct ref_cand *ca = &a->c[i], *cb = &b->c[j];
			if (ca->vertex != UINT32_MAX || cb->vertex != UINT32_MAX ||
			    ca->piece != cb->piece)
				continue;
			const struct ref_piece *p = &rm->pieces[ca->piece];
			double f = cb->t - ca->t;
			if (!((f >= 0 && (p->dirs & DIR_FWD)) || (f <= 0 && (p->dirs & DIR_BWD))))
				continue;
			if (!found || fabs(f) * p->time_s < *t) {
				*t = fabs(f) * p->time_s;
				*l = fabs(f) * p->len_m;
				found = 1;
			}
		}
	return found;
}

/* Fastest a → b; 0 when unreachable. */
static int ref_route(struct ref_mode *rm, const struct ref_snap *a, const struct ref_snap *b,
		     double *time_s, double *len_m)
{
	double best = INFINITY, best_l = 0, t, l;
	if (ref_direct(rm, a, b, &t, &l)) {
		best = t;
		best_l = l;
	}
	struct ref_entry e[MAX_ENTRIES];
	unsigned ne = ref_entries(rm, b, e);
	ref_start(rm);
	ref_seed(rm, a);
	double key;
	uint32_t v;
	while (rm->heap_len && rm->heap[0].key < best && (v = ref_next(rm, &key)) != UINT32_MAX)
		for (unsigned i = 0; i < ne; i++)
			if (e[i].v == v && key + e[i].t < best) {
				best = key + e[i].t;
				best_l = rm->dl[v] + e[i].l;
			}
	*time_s = best;
	*len_m = best_l;
	return best < INFINITY;
}

/* ---- a returned geometry, walked in the reference graph ------------------------------- */

/* Whether (lon, lat) lies on the straight piece u–v (within 2 cm, measured in
 * the frame centred on the point); *frac receives its position from u. */
static int on_piece(const struct ref_world *w, uint32_t u, uint32_t v, double lon, double lat,
		    double *frac)
{
	double ky = R_EARTH * PI / 180, kx = ky * cos(lat * PI / 180);
	double ax = (w->lon[u] - lon) * kx, ay = (w->lat[u] - lat) * ky;
	double bx = (w->lon[v] - lon) * kx, by = (w->lat[v] - lat) * ky;
	double dx = bx - ax, dy = by - ay, dd = dx * dx + dy * dy;
	double t = dd > 0 ? -(ax * dx + ay * dy) / dd : 0;
	if (t < -1e-9 || t > 1 + 1e-9)
		return 0;
	double px = ax + t * dx, py = ay + t * dy;
	*frac = t;
	return px * px + py * py <= 0.02 * 0.02;
}

static uint32_t kept_vertex(const struct ref_mode *rm, double lon, double lat)
{
	uint32_t v = world_find(rm->w, (int32_t)llround(lon * 1e7), (int32_t)llround(lat * 1e7));
	return v != UINT32_MAX && rm->kept[v] ? v : UINT32_MAX;
}

/* The time of travelling our geometry in the reference graph: each stretch
 * between consecutive points must be a kept arc in an allowed direction, the
 * first and last may be part of one.  Where parallel pieces allow a stretch,
 * the fastest counts.  -1 when a stretch is not on the mode's graph. */
static double ref_path_time(const struct ref_mode *rm, const struct polyline *l)
{
	double total = 0, f;
	for (uint32_t i = 0; i + 1 < l->n; i++) {
		double plon = polyline_lon(l, i), plat = polyline_lat(l, i), qlon = polyline_lon(l, i + 1),
		       qlat = polyline_lat(l, i + 1);
		uint32_t p = kept_vertex(rm, plon, plat), q = kept_vertex(rm, qlon, qlat);
		double best = INFINITY;
		if (p != UINT32_MAX && q != UINT32_MAX) {
			for (uint32_t a = rm->first[p]; a < rm->first[p + 1]; a++)
				if (rm->to[a] == q && rm->time_s[a] < best)
					best = rm->time_s[a];
		} else if (p != UINT32_MAX) {
			/* the last stretch: into an arc out of p, up to q */
			for (uint32_t a = rm->first[p]; a < rm->first[p + 1]; a++)
				if (on_piece(rm->w, p, rm->to[a], qlon, qlat, &f) &&
				    f * rm->time_s[a] < best)
					best = f * rm->time_s[a];
		} else if (q != UINT32_MAX) {
			/* the first stretch: the rest of an arc into q */
			for (uint32_t a = rm->rfirst[q]; a < rm->rfirst[q + 1]; a++)
				if (on_piece(rm->w, rm->rfrom[a], q, plon, plat, &f) &&
				    (1 - f) * rm->rtime_s[a] < best)
					best = (1 - f) * rm->rtime_s[a];
		} else {
			/* both inside one piece */
			for (uint32_t k = 0; k < rm->piece_count; k++) {
				const struct ref_piece *pc = &rm->pieces[k];
				double f2;
				if (!on_piece(rm->w, pc->a, pc->b, plon, plat, &f) ||
				    !on_piece(rm->w, pc->a, pc->b, qlon, qlat, &f2))
					continue;
				if (((f2 >= f && (pc->dirs & DIR_FWD)) || (f2 <= f && (pc->dirs & DIR_BWD))) &&
				    fabs(f2 - f) * pc->time_s < best)
					best = fabs(f2 - f) * pc->time_s;
			}
		}
		if (best == INFINITY)
			return -1;
		total += best;
	}
	return total;
}

/* ==== our side ========================================================================= */

static struct dataset *load_dataset(const char *roads)
{
	struct dataset_sources src = {.roads = roads};
	struct dataset *d = NULL;
	struct yz_errbuf eb = {""};
	enum yz_err err = dataset_build(&src, &d, &eb);
	ck_assert_msg(err == YZ_OK, "dataset_build %s: %s", roads, eb.msg);
	return d;
}

static void read_roads(struct roadset *rs, const char *path)
{
	struct load_report rep;
	struct yz_errbuf eb = {""};
	report_init(&rep);
	enum yz_err err = roads_read(rs, path, NULL, NULL, NULL, &rep, &eb);
	ck_assert_msg(err == YZ_OK, "roads_read %s: %s", path, eb.msg);
}

static double line_length(const struct polyline *l)
{
	double s = 0;
	for (uint32_t i = 1; i < l->n; i++)
		s += haversine(polyline_lon(l, i - 1), polyline_lat(l, i - 1), polyline_lon(l, i),
			       polyline_lat(l, i));
	return s;
}

/* Tolerances.  Our graph stores each segment's time rounded to the nearest
 * millisecond (graph_build: llround(length / speed · 1000)), and the partial
 * first and last segments are rounded to a millisecond too, so a route over N
 * segments is off by at most N/2 + 1 ms against the exact double sum (and may
 * pick another path that is no more than that slower); lengths are float32
 * per segment (relative 6e-8).  0.5 s covers routes of a thousand segments;
 * 0.1 % covers anything longer. */
static double tol_time(double t)
{
	return fmax(0.5, 1e-3 * t);
}

static double tol_dist(double l)
{
	return fmax(1.0, 1e-3 * l);
}

/* ==== the comparison on shared data sets ================================================ */

static const struct {
	const char *file;
	unsigned pairs, nearest_queries;
} shared_sets[] = {
	{"shanghai_huangpu_small/shanghai_huangpu.osm.pbf", 200, 100},
	{"monaco/monaco.osm.pbf", 200, 100},
	{"hsinchu_nctu/hsinchu_nctu.osm.pbf", 200, 100},
	{"shanghai_center/shanghai_center.osm.pbf", 200, 100},
	{"malta/malta.osm.pbf", 80, 30},
	{"rnv_mannheim/rnv.osm.pbf", 30, 10},
};
#define SHARED_SETS (int)(sizeof shared_sets / sizeof shared_sets[0])

struct loaded {
	char path[1024];
	struct roadset rs;
	struct ref_world w;
	struct dataset *d;
	int32_t min_lon, min_lat, max_lon, max_lat; /* data bbox, e7 */
};

static void load(struct loaded *L, const char *file)
{
	memset(L, 0, sizeof *L);
	snprintf(L->path, sizeof L->path, "%s/%s", shared_dir(), file);
	read_roads(&L->rs, L->path);
	world_build(&L->w, &L->rs);
	L->d = load_dataset(L->path);
	L->min_lon = L->min_lat = INT32_MAX;
	L->max_lon = L->max_lat = INT32_MIN;
	for (uint32_t p = 0; p < L->rs.pt_count; p++) {
		int32_t x = L->rs.pt_lon_e7[p], y = L->rs.pt_lat_e7[p];
		L->min_lon = x < L->min_lon ? x : L->min_lon;
		L->max_lon = x > L->max_lon ? x : L->max_lon;
		L->min_lat = y < L->min_lat ? y : L->min_lat;
		L->max_lat = y > L->max_lat ? y : L->max_lat;
	}
}

static void unload(struct loaded *L)
{
	dataset_free(L->d);
	world_free(&L->w);
	roads_free(&L->rs);
}

/* A query point: exactly on a vertex of the mode's graph (SPEC §7: the vertex
 * itself), near one (within 300 m), uniform in the data bbox, or up to 1.5 km
 * outside it (snapping from outside the index, and past max_snap). */
static void random_point(const struct loaded *L, const struct ref_mode *rm, uint64_t *r,
			 double *lon, double *lat)
{
	double x0 = L->min_lon / 1e7, x1 = L->max_lon / 1e7;
	double y0 = L->min_lat / 1e7, y1 = L->max_lat / 1e7;
	double my = 1.0 / (R_EARTH * PI / 180), mx = my / cos((y0 + y1) / 2 * PI / 180);
	double u = rng_unit(r);
	if (u < 0.5 && rm->piece_count) {
		const struct ref_piece *p = &rm->pieces[rng_next(r) % rm->piece_count];
		*lon = L->w.lon[p->a];
		*lat = L->w.lat[p->a];
		if (u >= 0.1) {
			*lon += (rng_unit(r) - 0.5) * 600 * mx;
			*lat += (rng_unit(r) - 0.5) * 600 * my;
		}
		return;
	}
	if (u >= 0.85) {
		x0 -= 1500 * mx;
		x1 += 1500 * mx;
		y0 -= 1500 * my;
		y1 += 1500 * my;
	}
	*lon = x0 + rng_unit(r) * (x1 - x0);
	*lat = y0 + rng_unit(r) * (y1 - y0);
}

/* A point within `m` metres (east and north) of (lon0, lat0). */
static void near_point(double lon0, double lat0, double m, uint64_t *r, double *lon, double *lat)
{
	double my = 1.0 / (R_EARTH * PI / 180), mx = my / cos(lat0 * PI / 180);
	*lon = lon0 + (rng_unit(r) - 0.5) * 2 * m * mx;
	*lat = lat0 + (rng_unit(r) - 0.5) * 2 * m * my;
}

struct maxdiff {
	double time_s, dist_m, snap_m;
	unsigned routes, esnap, alternates;
};

/* Our snap against the reference's: same success, same distance, same point. */
static void compare_snap(const struct snap *ours, enum yz_err err, const struct ref_snap *ref,
			 struct maxdiff *md, const char *what)
{
	EXPECT((err == YZ_OK) == (ref->ok != 0), "%s: ours %s, reference %s (%.3f m)", what,
	       yz_strerror(err), ref->ok ? "snaps" : "fails", ref->ok ? ref->dist_m : -1.0);
	if (err != YZ_OK) {
		EXPECT(err == YZ_ESNAP, "%s: %s", what, yz_strerror(err));
		return;
	}
	double dd = fabs(ours->dist_m - ref->dist_m);
	EXPECT(dd <= 0.01, "%s: snap distance %.4f m, reference %.4f m", what, ours->dist_m,
	       ref->dist_m);
	double off = haversine(ours->lon, ours->lat, ref->lon, ref->lat);
	/* the same point, unless two roads are equally close (then the distances
	 * agree and either is right) */
	EXPECT(off <= 0.01 || dd <= 1e-6, "%s: snapped %.3f m from the reference", what, off);
	if (dd > md->snap_m)
		md->snap_m = dd;
}

/* A returned line runs from the snapped start to the snapped end, repeats no
 * point, and is as long as the distance reported with it. */
static void check_line(const struct polyline *l, double distance_m, const struct snap *a,
		       const struct snap *b, const char *what)
{
	EXPECT(!l->failed && l->n >= 1, "%s: empty geometry", what);
	/* points are kept at the output's 1e-7 degree */
	EXPECT(fabs(polyline_lon(l, 0) - a->lon) <= 0.5e-7 + 1e-12 &&
		       fabs(polyline_lat(l, 0) - a->lat) <= 0.5e-7 + 1e-12,
	       "%s: geometry starts at (%.7f, %.7f), snapped start (%.7f, %.7f)", what,
	       polyline_lon(l, 0), polyline_lat(l, 0), a->lon, a->lat);
	/* the end may be dropped as a duplicate of the previous point (1e-7°) */
	double end_off = haversine(polyline_lon(l, l->n - 1), polyline_lat(l, l->n - 1), b->lon, b->lat);
	EXPECT(end_off < 0.02, "%s: geometry ends %.3f m from the snapped end", what, end_off);
	for (uint32_t i = 1; i < l->n; i++)
		EXPECT(l->lon_e7[i] != l->lon_e7[i - 1] || l->lat_e7[i] != l->lat_e7[i - 1],
		       "%s: points %u and %u repeat (%.7f, %.7f)", what, i - 1, i, polyline_lon(l, i),
		       polyline_lat(l, i));
	double len = line_length(l);
	EXPECT(fabs(len - distance_m) <= fmax(0.005 * distance_m, 0.05),
	       "%s: geometry %.2f m long, distance_m %.2f", what, len, distance_m);
}

START_TEST(test_routes_vs_reference)
{
	struct loaded L;
	load(&L, shared_sets[_i].file);
	struct dataset *d = L.d;
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	struct route_result rr;
	polyline_init(&rr.line);
	for (int m = 0; m < MODE_COUNT; m++) {
		struct ref_mode rm;
		mode_build(&rm, &L.w, (enum mode)m);
		const struct graph *g = &d->graph[m];
		/* the same component (counted in OSM vertices) */
		EXPECT(g->kept_vertices == rm.kept_count, "%s %s: %u kept vertices, reference %u",
		       shared_sets[_i].file, mode_name((enum mode)m), g->kept_vertices,
		       rm.kept_count);
		struct maxdiff md = {0};
		uint64_t r = 0x5eed0000u + (uint64_t)_i * 16 + (uint64_t)m;
		for (unsigned q = 0; q < shared_sets[_i].pairs; q++) {
			double lon[2], lat[2];
			struct snap sn[2];
			struct ref_snap rsn[2];
			enum yz_err serr[2];
			char what[192];
			for (int k = 0; k < 2; k++) {
				random_point(&L, &rm, &r, &lon[k], &lat[k]);
				if (k == 1 && rng_unit(&r) < 0.2) /* close: often the same segment */
					near_point(lon[0], lat[0], 40, &r, &lon[1], &lat[1]);
				serr[k] = snap_point(&d->net, g, &d->piece_grid, lon[k], lat[k], MAX_SNAP,
						     &sn[k], NULL);
				rsn[k] = ref_snap_point(&rm, lon[k], lat[k]);
				snprintf(what, sizeof what, "%s %s pair %u %s (%.10f, %.10f)",
					 shared_sets[_i].file, mode_name((enum mode)m), q, k ? "to" : "from",
					 lon[k], lat[k]);
				compare_snap(&sn[k], serr[k], &rsn[k], &md, what);
			}
			snprintf(what, sizeof what, "%s %s pair %u (%.10f,%.10f)->(%.10f,%.10f)",
				 shared_sets[_i].file, mode_name((enum mode)m), q, lon[0], lat[0],
				 lon[1], lat[1]);
			if (serr[0] || serr[1]) {
				md.esnap++;
				continue;
			}
			double rt, rl;
			int rok = ref_route(&rm, &rsn[0], &rsn[1], &rt, &rl);
			enum yz_err err = route_compute(&s, &d->net, g, &sn[0], &sn[1], &rr);
			EXPECT((err == YZ_OK) == rok, "%s: ours %s, reference %s", what,
			       yz_strerror(err), rok ? "reachable" : "unreachable");
			/* inside one strongly connected component everything is reachable */
			EXPECT(rok, "%s: the reference finds no path", what);
			double ot = rr.time_ms / 1000.0;
			EXPECT(fabs(ot - rt) <= tol_time(rt), "%s: duration %.3f s, reference %.3f s",
			       what, ot, rt);
			check_line(&rr.line, rr.distance_m, &sn[0], &sn[1], what);
			/* the geometry is a path of the mode's graph taking our duration */
			double pt = ref_path_time(&rm, &rr.line);
			EXPECT(pt >= 0, "%s: the geometry leaves the mode's graph", what);
			EXPECT(fabs(pt - ot) <= tol_time(ot),
			       "%s: the geometry takes %.3f s in the reference, duration %.3f s", what,
			       pt, ot);
			/* Two paths may be equally fast to within the rounding (a flight of
			 * steps against a longer level walk): then only the duration must
			 * agree, the distance is that of the path returned. */
			if (fabs(rr.distance_m - rl) > tol_dist(rl)) {
				EXPECT(fabs(ot - rt) <= 0.05,
				       "%s: distance %.2f m, reference %.2f m (durations %.3f / %.3f s)",
				       what, rr.distance_m, rl, ot, rt);
				md.alternates++;
			} else {
				md.dist_m = fmax(md.dist_m, fabs(rr.distance_m - rl));
			}
			md.time_s = fmax(md.time_s, fabs(ot - rt));
			md.routes++;
		}
		if (verbose())
			fprintf(stderr,
				"routing_ref %s %s: %u routes (%u equally fast alternates), %u snap "
				"failures; max |dt| %.4f s, max |dd| %.4f m, max |dsnap| %.2e m\n",
				shared_sets[_i].file, mode_name((enum mode)m), md.routes, md.alternates,
				md.esnap, md.time_s, md.dist_m, md.snap_m);
		ck_assert_uint_gt(md.routes, shared_sets[_i].pairs / 3);
		ck_assert_uint_le(md.alternates, md.routes / 20);
		mode_free(&rm);
	}
	polyline_fini(&rr.line);
	search_fini(&s);
	unload(&L);
}
END_TEST

/* ---- nearest ---------------------------------------------------------------------------- */

#define STATIONS 32
#define NEAREST_K 5

/* Reference times from q to every station: one Dijkstra, stopped once the
 * k-th best station time found cannot improve. */
static void ref_station_times(struct ref_mode *rm, const struct ref_snap *q,
			      const struct ref_snap *st, uint32_t n, unsigned k, double *out,
			      unsigned char *has_entry)
{
	struct ref_entry ent[STATIONS][MAX_ENTRIES];
	unsigned ne[STATIONS];
	for (uint32_t i = 0; i < n; i++) {
		out[i] = INFINITY;
		ne[i] = st[i].ok ? ref_entries(rm, &st[i], ent[i]) : 0;
		for (unsigned e = 0; e < ne[i]; e++)
			has_entry[ent[i][e].v] = 1;
		double t, l;
		if (st[i].ok && ref_direct(rm, q, &st[i], &t, &l))
			out[i] = t;
	}
	ref_start(rm);
	ref_seed(rm, q);
	double key, kth = INFINITY;
	uint32_t v;
	int changed = 1;
	while (rm->heap_len) {
		if (changed && k <= n) {
			/* the k-th smallest time so far bounds what is still useful */
			double sorted[STATIONS];
			memcpy(sorted, out, n * sizeof *out);
			for (unsigned a = 0; a < k; a++)
				for (uint32_t b = a + 1; b < n; b++)
					if (sorted[b] < sorted[a]) {
						double x = sorted[a];
						sorted[a] = sorted[b];
						sorted[b] = x;
					}
			kth = sorted[k - 1];
			changed = 0;
		}
		if (rm->heap[0].key > kth || (v = ref_next(rm, &key)) == UINT32_MAX)
			break;
		if (!has_entry[v])
			continue;
		for (uint32_t i = 0; i < n; i++)
			for (unsigned e = 0; e < ne[i]; e++)
				if (ent[i][e].v == v && key + ent[i][e].t < out[i]) {
					out[i] = key + ent[i][e].t;
					changed = 1;
				}
	}
	for (uint32_t i = 0; i < n; i++)
		for (unsigned e = 0; e < ne[i]; e++)
			has_entry[ent[i][e].v] = 0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

START_TEST(test_nearest_vs_reference)
{
	struct loaded L;
	load(&L, shared_sets[_i].file);
	struct dataset *d = L.d;
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	/* stations: near random road points, plus two far outside */
	uint64_t r = 0xa77ac400u + (uint64_t)_i;
	int32_t slon[STATIONS], slat[STATIONS];
	for (int i = 0; i < STATIONS; i++) {
		uint32_t p = (uint32_t)(rng_next(&r) % L.rs.pt_count);
		double dy = (rng_unit(&r) - 0.5) * 120 / (R_EARTH * PI / 180);
		double dx = (rng_unit(&r) - 0.5) * 120 / (R_EARTH * PI / 180) /
			    cos(L.rs.pt_lat_e7[p] / 1e7 * PI / 180);
		slon[i] = L.rs.pt_lon_e7[p] + (int32_t)lround(dx * 1e7);
		slat[i] = L.rs.pt_lat_e7[p] + (int32_t)lround(dy * 1e7);
		if (i % 8 == 0) /* exactly on a vertex */
			slon[i] = L.rs.pt_lon_e7[p], slat[i] = L.rs.pt_lat_e7[p];
	}
	slon[STATIONS - 1] = L.min_lon - 300000; /* ~3 km west: never snapped */
	slat[STATIONS - 1] = L.min_lat;
	slon[STATIONS - 2] = L.max_lon;
	slat[STATIONS - 2] = L.max_lat + 200000;
	for (int m = 0; m < MODE_COUNT; m++) {
		const struct graph *g = &d->graph[m];
		struct ref_mode rm;
		mode_build(&rm, &L.w, (enum mode)m);
		struct station_attach at;
		ck_assert_int_eq(attach_build(&at, &d->net, g, &d->piece_grid, MAX_SNAP, slon, slat, 1,
					      STATIONS),
				 YZ_OK);
		struct ref_snap rst[STATIONS];
		struct maxdiff md = {0};
		unsigned reachable = 0;
		for (int i = 0; i < STATIONS; i++) {
			rst[i] = ref_snap_point(&rm, slon[i] / 1e7, slat[i] / 1e7);
			char what[160];
			snprintf(what, sizeof what, "%s %s station %d (%.7f, %.7f)", shared_sets[_i].file,
				 mode_name((enum mode)m), i, slon[i] / 1e7, slat[i] / 1e7);
			compare_snap(&at.snaps[i], at.snapped[i] ? YZ_OK : YZ_ESNAP, &rst[i], &md, what);
			reachable += rst[i].ok;
		}
		ck_assert(!at.snapped[STATIONS - 1] && !at.snapped[STATIONS - 2]);
		double max_dt = 0;
		unsigned char *has_entry = calloc((size_t)rm.nv + 1, 1);
		ck_assert_ptr_nonnull(has_entry);
		struct polyline line;
		polyline_init(&line);
		for (unsigned q = 0; q < shared_sets[_i].nearest_queries; q++) {
			double lon, lat;
			random_point(&L, &rm, &r, &lon, &lat);
			if (rng_unit(&r) < 0.2) { /* beside a station: often its segment */
				int i = (int)(rng_next(&r) % (STATIONS - 2));
				near_point(slon[i] / 1e7, slat[i] / 1e7, 40, &r, &lon, &lat);
			}
			struct snap sq;
			struct ref_snap rq = ref_snap_point(&rm, lon, lat);
			enum yz_err err = snap_point(&d->net, g, &d->piece_grid, lon, lat, MAX_SNAP, &sq,
						     NULL);
			char what[192];
			snprintf(what, sizeof what, "%s %s nearest %u (%.10f, %.10f)",
				 shared_sets[_i].file, mode_name((enum mode)m), q, lon, lat);
			compare_snap(&sq, err, &rq, &md, what);
			if (err)
				continue;
			struct nearest_hit hits[NEAREST_K];
			unsigned count;
			nearest_run(&s, &d->net, g, &at, &sq, NEAREST_K, NULL, NULL, hits, &count);
			double ref_t[STATIONS];
			ref_station_times(&rm, &rq, rst, STATIONS, NEAREST_K, ref_t, has_entry);
			unsigned expect = reachable < NEAREST_K ? reachable : NEAREST_K;
			EXPECT(count == expect, "%s: %u results, expected %u", what, count, expect);
			/* each hit's own time; then the sorted times as multisets */
			for (unsigned i = 0; i < count; i++) {
				uint32_t st = hits[i].station;
				EXPECT(st < STATIONS && at.snapped[st], "%s: hit %u station %u", what, i,
				       st);
				double t = hits[i].time_ms / 1000.0;
				EXPECT(fabs(t - ref_t[st]) <= tol_time(ref_t[st]),
				       "%s: station %u at %.3f s, reference %.3f s", what, st, t,
				       ref_t[st]);
				/* the route to it, drawn as /api/nearest draws it */
				const struct snap *ss = &at.snaps[st];
				double dist = 0;
				polyline_reset(&line);
				if (hits[i].via_node == GRAPH_NONE)
					route_along_segment(&d->net, &sq, ss, &line, &dist);
				else
					route_trace(&s, &d->net, g, &sq, hits[i].via_node,
						    ss->node != GRAPH_NONE ? GRAPH_NONE : ss->seg, ss->frac,
						    &line, &dist);
				check_line(&line, dist, &sq, ss, what);
				double pt = ref_path_time(&rm, &line);
				EXPECT(pt >= 0 && fabs(pt - t) <= tol_time(t),
				       "%s: station %u: the route takes %.3f s in the reference, %.3f s "
				       "reported", what, st, pt, t);
				if (i)
					EXPECT(hits[i].time_ms > hits[i - 1].time_ms ||
						       (hits[i].time_ms == hits[i - 1].time_ms &&
							hits[i].station > hits[i - 1].station),
					       "%s: results %u and %u out of order", what, i - 1, i);
			}
			qsort(ref_t, STATIONS, sizeof *ref_t, dbl_cmp);
			for (unsigned i = 0; i < count; i++) {
				double t = hits[i].time_ms / 1000.0;
				EXPECT(fabs(t - ref_t[i]) <= tol_time(ref_t[i]),
				       "%s: rank %u at %.3f s, reference %.3f s", what, i, t, ref_t[i]);
				max_dt = fmax(max_dt, fabs(t - ref_t[i]));
			}
		}
		if (verbose())
			fprintf(stderr,
				"routing_ref nearest %s %s: %u/%d stations snapped; max |dt| %.4f s, "
				"max |dsnap| %.2e m\n",
				shared_sets[_i].file, mode_name((enum mode)m), reachable, STATIONS,
				max_dt, md.snap_m);
		polyline_fini(&line);
		free(has_entry);
		attach_free(&at);
		mode_free(&rm);
	}
	search_fini(&s);
	unload(&L);
}
END_TEST

/* ==== hand-made fixtures: concrete routes ================================================= */

#define FIX_OSM "tests/fixtures/osm/"
#define FIX_ROUTING "tests/fixtures/routing/"

/* A fixture node, written as in the file: 121.4700000 -> 1214700000. */
struct fpt {
	int32_t lon, lat;
};

static double fpt_dist(struct fpt a, struct fpt b)
{
	return haversine(a.lon / 1e7, a.lat / 1e7, b.lon / 1e7, b.lat / 1e7);
}

/* Route between two fixture points (snapped exactly onto them). */
static void fixture_route(const struct dataset *d, enum mode m, struct fpt from, struct fpt to,
			  struct route_result *rr)
{
	const struct graph *g = &d->graph[m];
	struct snap a, b;
	struct yz_errbuf eb = {""};
	ck_assert_msg(snap_point(&d->net, g, &d->piece_grid, from.lon / 1e7, from.lat / 1e7, MAX_SNAP,
				 &a, &eb) == YZ_OK, "%s: snap: %s", mode_name(m), eb.msg);
	ck_assert_msg(snap_point(&d->net, g, &d->piece_grid, to.lon / 1e7, to.lat / 1e7, MAX_SNAP, &b,
				 &eb) == YZ_OK, "%s: snap: %s", mode_name(m), eb.msg);
	ck_assert_double_lt(a.dist_m, 1e-6);
	ck_assert_double_lt(b.dist_m, 1e-6);
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	polyline_reset(&rr->line);
	ck_assert_int_eq(route_compute(&s, &d->net, g, &a, &b, rr), YZ_OK);
	search_fini(&s);
}

/* The route of mode m from path[0] to path[n-1] runs exactly through path[],
 * is the sum of the haversine lengths long, and takes that at kmh[i] on the
 * stretch from path[i] (kmh[0] throughout when kmh[1] is 0). */
static void expect_route(const struct dataset *d, enum mode m, const struct fpt *path, unsigned n,
			 const double *kmh, const char *what)
{
	struct route_result rr;
	polyline_init(&rr.line);
	fixture_route(d, m, path[0], path[n - 1], &rr);
	char got[1024] = "";
	for (uint32_t i = 0; i < rr.line.n && strlen(got) < sizeof got - 40; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), " (%.7f %.7f)",
			 polyline_lon(&rr.line, i), polyline_lat(&rr.line, i));
	ck_assert_msg(rr.line.n == n, "%s %s: %u points, expected %u:%s", what, mode_name(m),
		      rr.line.n, n, got);
	double len = 0, t = 0;
	for (unsigned i = 0; i < n; i++) {
		ck_assert_msg(rr.line.lon_e7[i] == path[i].lon && rr.line.lat_e7[i] == path[i].lat,
			      "%s %s: point %u is (%.7f %.7f), expected (%.7f %.7f):%s", what,
			      mode_name(m), i, polyline_lon(&rr.line, i), polyline_lat(&rr.line, i), path[i].lon / 1e7,
			      path[i].lat / 1e7, got);
		if (i) {
			double l = fpt_dist(path[i - 1], path[i]);
			len += l;
			t += l / ((kmh[1] ? kmh[i - 1] : kmh[0]) / 3.6);
		}
	}
	ck_assert_msg(fabs(rr.distance_m - len) < 0.01, "%s %s: distance %.3f m, expected %.3f",
		      what, mode_name(m), rr.distance_m, len);
	ck_assert_msg(fabs(rr.time_ms / 1000.0 - t) < 0.002 * n, "%s %s: %.3f s, expected %.3f",
		      what, mode_name(m), rr.time_ms / 1000.0, t);
	polyline_fini(&rr.line);
}

/* oneway.osm: A(1) -S(5)- B(2) one-way eastwards, B→C(3), C→D(4) (e-bikes both
 * ways: cycleway=opposite_lane), D→A (e-bikes both ways: oneway:bicycle=no),
 * A–C two-way. */
START_TEST(test_fixture_oneway)
{
	struct dataset *d = load_dataset(FIX_OSM "oneway.osm");
	const struct fpt A = {1214700000, 312300000}, B = {1214720000, 312300000},
			 C = {1214720000, 312315000}, D = {1214700000, 312315000},
			 S = {1214710000, 312301000};
	/* along the one-way street: everyone goes straight */
	const struct fpt ab[] = {A, S, B};
	expect_route(d, MODE_WALK, ab, 3, (const double[]){5, 0}, "A->B");
	expect_route(d, MODE_EBIKE, ab, 3, (const double[]){15, 0}, "A->B");
	expect_route(d, MODE_CAR, ab, 3, (const double[]){20, 0}, "A->B");
	/* against it: walk goes straight, vehicles detour B→C→A */
	const struct fpt ba_walk[] = {B, S, A}, ba_ride[] = {B, C, A};
	expect_route(d, MODE_WALK, ba_walk, 3, (const double[]){5, 0}, "B->A");
	expect_route(d, MODE_EBIKE, ba_ride, 3, (const double[]){15, 0}, "B->A");
	expect_route(d, MODE_CAR, ba_ride, 3, (const double[]){20, 0}, "B->A");
	/* D→C against way 103: e-bikes may (opposite lane), cars go D→A→C */
	const struct fpt dc_ride[] = {D, C}, dc_car[] = {D, A, C};
	expect_route(d, MODE_EBIKE, dc_ride, 2, (const double[]){15, 0}, "D->C");
	expect_route(d, MODE_CAR, dc_car, 3, (const double[]){20, 0}, "D->C");
	/* A→D against way 104: e-bikes may (oneway:bicycle=no), cars go A→C→D */
	const struct fpt ad_ride[] = {A, D}, ad_car[] = {A, C, D};
	expect_route(d, MODE_EBIKE, ad_ride, 2, (const double[]){15, 0}, "A->D");
	expect_route(d, MODE_CAR, ad_car, 3, (const double[]){20, 0}, "A->D");
	dataset_free(d);
}
END_TEST

/* roundabout.osm: two roundabouts drawn counter-clockwise 21→22(S)→23→24(N)→21
 * and 31→32(S)→33→34(N)→31, approaches 25–21, 23–31, 33–35. */
START_TEST(test_fixture_roundabout)
{
	struct dataset *d = load_dataset(FIX_OSM "roundabout.osm");
	const struct fpt n21 = {1214900000, 312300000}, n22 = {1214903000, 312297000},
			 n23 = {1214906000, 312300000}, n24 = {1214903000, 312303000},
			 n25 = {1214890000, 312300000}, n31 = {1214920000, 312300000},
			 n32 = {1214923000, 312297000}, n33 = {1214926000, 312300000},
			 n34 = {1214923000, 312303000};
	/* west (junction=roundabout + oneway=no): vehicles go the forward way,
	 * three quarters round; walkers take the short quarter */
	const struct fpt w_ride[] = {n25, n21, n22, n23, n24}, w_walk[] = {n25, n21, n24};
	expect_route(d, MODE_CAR, w_ride, 5, (const double[]){20, 30, 30, 30}, "25->24");
	expect_route(d, MODE_EBIKE, w_ride, 5, (const double[]){15, 18, 18, 18}, "25->24");
	expect_route(d, MODE_WALK, w_walk, 3, (const double[]){5, 0}, "25->24");
	/* east (junction=circular + oneway:bicycle=no): e-bikes may go backwards */
	const struct fpt e_car[] = {n31, n32, n33, n34}, e_short[] = {n31, n34};
	expect_route(d, MODE_CAR, e_car, 4, (const double[]){30, 0}, "31->34");
	expect_route(d, MODE_EBIKE, e_short, 2, (const double[]){18, 0}, "31->34");
	expect_route(d, MODE_WALK, e_short, 2, (const double[]){5, 0}, "31->34");
	dataset_free(d);
}
END_TEST

/* access_shortcut.osm: A–B is access=no bicycle=yes; A–C–B is open to all. */
START_TEST(test_fixture_access)
{
	struct dataset *d = load_dataset(FIX_ROUTING "access_shortcut.osm");
	const struct fpt A = {1215000000, 312500000}, B = {1215030000, 312500000},
			 C = {1215015000, 312510000};
	const struct fpt straight[] = {A, B}, round[] = {A, C, B};
	expect_route(d, MODE_EBIKE, straight, 2, (const double[]){15, 0}, "A->B");
	expect_route(d, MODE_WALK, round, 3, (const double[]){5, 0}, "A->B");
	expect_route(d, MODE_CAR, round, 3, (const double[]){20, 0}, "A->B");
	dataset_free(d);

	/* access.osm: Q1 (node 1101) lies only on way 402 (access=no bicycle=yes),
	 * 44.48 m north of the two-way backbone: only e-bikes snap onto it, and
	 * only their route to P0 leaves through it */
	d = load_dataset(FIX_OSM "access.osm");
	const struct fpt Q1 = {1214715000, 312404000}, P0 = {1214700000, 312400000},
			 P1 = {1214710000, 312400000}, under = {1214715000, 312400000};
	const struct fpt ride[] = {Q1, P1, P0};
	expect_route(d, MODE_EBIKE, ride, 3, (const double[]){15, 0}, "Q1->P0");
	static const struct {
		enum mode m;
		double kmh;
	} others[] = {{MODE_WALK, 5}, {MODE_CAR, 20}};
	for (int i = 0; i < 2; i++) {
		enum mode m = others[i].m;
		struct snap q;
		ck_assert_int_eq(snap_point(&d->net, &d->graph[m], &d->piece_grid, Q1.lon / 1e7,
					    Q1.lat / 1e7, MAX_SNAP, &q, NULL),
				 YZ_OK);
		ck_assert_msg(fabs(q.dist_m - 0.0004 * R_EARTH * PI / 180) < 1e-6,
			      "%s: snapped %.4f m away", mode_name(m), q.dist_m);
		ck_assert_int_eq(llround(q.lon * 1e7), under.lon);
		ck_assert_int_eq(llround(q.lat * 1e7), under.lat);
		const struct fpt along[] = {under, P1, P0};
		expect_route(d, m, along, 3, (const double[]){others[i].kmh, 0}, "below Q1->P0");
	}
	dataset_free(d);
}
END_TEST

Suite *routing_ref_suite(void)
{
	Suite *s = suite_create("routing_ref");
	TCase *tc = tcase_create("shared");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_routes_vs_reference, 0, SHARED_SETS);
	tcase_add_loop_test(tc, test_nearest_vs_reference, 0, SHARED_SETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixtures");
	tcase_add_test(tc, test_fixture_oneway);
	tcase_add_test(tc, test_fixture_roundabout);
	tcase_add_test(tc, test_fixture_access);
	suite_add_tcase(s, tc);
	return s;
}
