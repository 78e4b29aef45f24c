/* check_coverage.c — the nearest-station field, coverage figures, community
 * clipping and suggest (routing/coverage.h, cover_comm.h, suggest.h).
 *
 * The field is checked against one search per station (the per-node minimum)
 * and, at random road positions, against nearest_run from that position —
 * the rider's own query, written independently.  Community stretches must
 * add up to the whole network when communities tile it.  Adding a station
 * never lowers coverage.  Lazy greedy picks exactly what plain greedy picks,
 * and each site's covered_m_after equals the coverage of a field rebuilt
 * with the chosen sites as stations. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "routing/attach.h"
#include "routing/cover_comm.h"
#include "routing/coverage.h"
#include "routing/nearest.h"
#include "routing/search.h"
#include "routing/snap.h"
#include "routing/suggest.h"
#include "server/dataset.h"
#include "tests/support/shared_data.h"

Suite *coverage_suite(void);

#define EXPECT(cond, ...)                          \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* n station positions on the network: half on shape points, half between
 * them (so some stations lie inside segments). */
static void random_stations(const struct dataset *d, uint32_t n, int32_t *lon, int32_t *lat)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t p = rnd() % (d->net.pt_count - 1);
		double t = (i & 1) ? (rnd() % 1000) / 1000.0 : 0;
		lon[i] = (int32_t)lround(d->net.pt_lon_e7[p] + t * (d->net.pt_lon_e7[p + 1] - d->net.pt_lon_e7[p]));
		lat[i] = (int32_t)lround(d->net.pt_lat_e7[p] + t * (d->net.pt_lat_e7[p + 1] - d->net.pt_lat_e7[p]));
	}
}

struct field_set {
	struct station_attach a;
	struct coverage_field f;
};

static void field_of(struct field_set *fs, const struct dataset *d, enum mode m, struct search *s,
		     const int32_t *lon, const int32_t *lat, uint32_t n)
{
	ck_assert_int_eq(attach_build(&fs->a, &d->net, &d->graph[m], &d->piece_grid, 1000, lon, lat,
				      1, n),
			 YZ_OK);
	ck_assert_int_eq(coverage_field_build(&fs->f, s, &d->net, &d->graph[m], &fs->a), YZ_OK);
}

static void field_free(struct field_set *fs)
{
	coverage_field_free(&fs->f);
	attach_free(&fs->a);
}

static double covered_total(const struct dataset *d, enum mode m, const struct coverage_field *f,
			    double limit_ms, double *road_m)
{
	double cov = 0, road = 0;
	const struct graph *g = &d->graph[m];
	for (uint32_t seg = 0; seg < d->net.seg_count; seg++) {
		if (!g->seg_dirs[seg])
			continue;
		struct cover_iv iv;
		coverage_seg_covered_now(f, &d->net, g, seg, limit_ms, &iv);
		road += d->net.seg_length_m[seg];
		cov += cover_iv_sum(&iv) * d->net.seg_length_m[seg];
	}
	if (road_m)
		*road_m = road;
	return cov;
}

/* The field is the per-node minimum over one backward search per station,
 * and node_station names a station achieving it. */
START_TEST(field_is_minimum_of_single_searches)
{
	struct dataset *d = shared_load_roads("shanghai_huangpu_small/shanghai_huangpu.osm.pbf");
	rng_state = 7;
	enum { N = 24 };
	int32_t lon[N], lat[N];
	random_stations(d, N, lon, lat);
	struct search s, one;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	ck_assert_int_eq(search_init(&one, d->net.node_count), YZ_OK);
	uint32_t *best = malloc(d->net.node_count * sizeof *best);
	uint32_t *per = malloc((size_t)N * d->net.node_count * sizeof *per);
	for (int m = 0; m < MODE_COUNT; m++) {
		struct field_set fs;
		field_of(&fs, d, (enum mode)m, &s, lon, lat, N);
		for (uint32_t v = 0; v < d->net.node_count; v++)
			best[v] = SEARCH_INF;
		for (uint32_t i = 0; i < N; i++) {
			search_start(&one, &d->graph[m], SEARCH_BACKWARD);
			for (uint32_t e = 0; e < fs.a.entry_count; e++)
				if (fs.a.entries[e].station == i)
					search_add_source(&one, fs.a.entries[e].node, fs.a.entries[e].extra_ms);
			uint32_t v, t;
			while (search_next(&one, &v, &t)) {
			}
			for (v = 0; v < d->net.node_count; v++) {
				uint32_t dv = search_dist(&one, v);
				per[(size_t)i * d->net.node_count + v] = dv;
				if (dv < best[v])
					best[v] = dv;
			}
		}
		uint32_t reached = 0;
		for (uint32_t v = 0; v < d->net.node_count; v++) {
			EXPECT(fs.f.node_ms[v] == best[v], "mode %d node %u: field %u, minimum %u", m, v,
			       fs.f.node_ms[v], best[v]);
			if (best[v] == SEARCH_INF) {
				EXPECT(fs.f.node_station[v] == GRAPH_NONE, "unreached node has a station");
				continue;
			}
			reached++;
			uint32_t st = fs.f.node_station[v];
			EXPECT(st < N, "mode %d node %u: no station", m, v);
			EXPECT(per[(size_t)st * d->net.node_count + v] == best[v],
			       "mode %d node %u: station %u takes %u, not %u", m, v, st,
			       per[(size_t)st * d->net.node_count + v], best[v]);
		}
		ck_assert_uint_ge(reached, d->graph[m].kept_nodes);
		field_free(&fs);
	}
	free(best);
	free(per);
	search_fini(&s);
	search_fini(&one);
	dataset_free(d);
}
END_TEST

/* At random road positions, the field's time equals the time nearest_run
 * finds from that position, and "covered" agrees with it. */
START_TEST(field_agrees_with_nearest_from_positions)
{
	static const char *const sets[] = {"shanghai_huangpu_small/shanghai_huangpu.osm.pbf",
					   "monaco/monaco.osm.pbf"};
	for (size_t di = 0; di < sizeof sets / sizeof *sets; di++) {
		struct dataset *d = shared_load_roads(sets[di]);
		rng_state = 11 + di;
		enum { N = 12 };
		int32_t lon[N], lat[N];
		random_stations(d, N, lon, lat);
		struct search s;
		ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
		for (int m = 0; m < MODE_COUNT; m++) {
			const struct graph *g = &d->graph[m];
			struct field_set fs;
			field_of(&fs, d, (enum mode)m, &s, lon, lat, N);
			struct search q;
			ck_assert_int_eq(search_init(&q, d->net.node_count), YZ_OK);
			unsigned checked = 0;
			for (int trial = 0; trial < 300; trial++) {
				uint32_t p = rnd() % (d->net.pt_count - 1);
				double t = (rnd() % 1001) / 1000.0;
				double plon = geo_from_e7(d->net.pt_lon_e7[p]) +
					      t * (geo_from_e7(d->net.pt_lon_e7[p + 1]) - geo_from_e7(d->net.pt_lon_e7[p]));
				double plat = geo_from_e7(d->net.pt_lat_e7[p]) +
					      t * (geo_from_e7(d->net.pt_lat_e7[p + 1]) - geo_from_e7(d->net.pt_lat_e7[p]));
				struct snap at;
				if (snap_point(&d->net, g, &d->piece_grid, plon, plat, 1000, &at, NULL) != YZ_OK)
					continue;
				struct nearest_hit hit;
				unsigned n;
				nearest_run(&q, &d->net, g, &fs.a, &at, 1, NULL, NULL, &hit, &n);
				/* a junction may be left by any of its arcs: its own time */
				double ft = at.node != GRAPH_NONE
						    ? (fs.f.node_ms[at.node] == SEARCH_INF ? INFINITY
											     : fs.f.node_ms[at.node])
						    : coverage_time_at(&fs.f, &d->net, g, at.seg, at.frac);
				if (n == 0) {
					EXPECT(isinf(ft), "mode %d: nearest finds none, field says %.1f ms", m, ft);
				} else {
					EXPECT(fabs(ft - hit.time_ms) <= 2.0,
					       "%s mode %d seg %u frac %.4f: field %.1f ms, nearest %u ms",
					       sets[di], m, at.seg, at.frac, ft, hit.time_ms);
					/* and the interval form says the same, away from its edge */
					for (double L = 30000; L <= 300000; L += 90000) {
						if (fabs(ft - L) < 5 || at.node != GRAPH_NONE)
							continue;
						struct cover_iv iv;
						coverage_seg_covered_now(&fs.f, &d->net, g, at.seg, L, &iv);
						bool in = false;
						for (unsigned i = 0; i < iv.n; i++)
							in |= at.frac >= iv.iv[i][0] && at.frac <= iv.iv[i][1];
						EXPECT(in == (ft <= L), "seg %u frac %.5f: time %.1f, limit %.0f, covered %d",
						       at.seg, at.frac, ft, L, in);
					}
				}
				checked++;
			}
			ck_assert_uint_gt(checked, 100);
			search_fini(&q);
			field_free(&fs);
		}
		search_fini(&s);
		dataset_free(d);
	}
}
END_TEST

/* Bands split a segment exactly where its time crosses a threshold. */
struct band_check {
	const struct coverage_field *f;
	const struct network *net;
	const struct graph *g;
	uint32_t seg;
	const double *th;
	unsigned n;
	double last;
	int bad;
};

static void check_band(void *ctx, double x0, double x1, unsigned band)
{
	struct band_check *c = ctx;
	if (x0 != c->last || !(x1 > x0))
		c->bad = 1;
	c->last = x1;
	for (int k = 1; k < 4; k++) {
		double t = coverage_time_at(c->f, c->net, c->g, c->seg, x0 + (x1 - x0) * k / 4.0);
		unsigned b = 0;
		while (b < c->n && !(t <= c->th[b] + 1e-6))
			b++;
		unsigned b2 = 0;
		while (b2 < c->n && !(t <= c->th[b2] - 1e-6))
			b2++;
		if (band != b && band != b2)
			c->bad = 2;
	}
}

START_TEST(bands_follow_the_time)
{
	struct dataset *d = shared_load_roads("monaco/monaco.osm.pbf");
	rng_state = 5;
	enum { N = 6 };
	int32_t lon[N], lat[N];
	random_stations(d, N, lon, lat);
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	struct field_set fs;
	field_of(&fs, d, MODE_WALK, &s, lon, lat, N);
	const double th[] = {60000, 180000, 300000};
	for (uint32_t seg = 0; seg < d->net.seg_count; seg++) {
		if (!d->graph[MODE_WALK].seg_dirs[seg])
			continue;
		struct band_check c = {&fs.f, &d->net, &d->graph[MODE_WALK], seg, th, 3, 0, 0};
		coverage_seg_bands(&fs.f, &d->net, &d->graph[MODE_WALK], seg, th, 3, check_band, &c);
		EXPECT(!c.bad && c.last == 1, "segment %u: bands wrong (%d, ends at %g)", seg, c.bad, c.last);
	}
	field_free(&fs);
	search_fini(&s);
	dataset_free(d);
}
END_TEST

/* Adding a station never lowers any node's time bound or the covered
 * length. */
START_TEST(adding_a_station_never_lowers_coverage)
{
	struct dataset *d = shared_load_roads("shanghai_huangpu_small/shanghai_huangpu.osm.pbf");
	rng_state = 3;
	enum { N = 10 };
	int32_t lon[N], lat[N];
	random_stations(d, N, lon, lat);
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	for (int m = 0; m < MODE_COUNT; m++) {
		double prev[4] = {0};
		for (uint32_t n = 1; n <= N; n++) {
			struct field_set fs;
			field_of(&fs, d, (enum mode)m, &s, lon, lat, n);
			for (int li = 0; li < 4; li++) {
				double c = covered_total(d, (enum mode)m, &fs.f, 60000.0 * (1 + 2 * li), NULL);
				EXPECT(c >= prev[li] - 1e-6, "mode %d: %u stations cover %.3f m < %.3f m", m, n,
				       c, prev[li]);
				prev[li] = c;
			}
			field_free(&fs);
		}
		ck_assert_double_gt(prev[3], 0);
	}
	search_fini(&s);
	dataset_free(d);
}
END_TEST

/* ---- communities ---------------------------------------------------------------- */

/* A community set of axis-aligned rectangles (each with an optional hole),
 * built in memory. */
struct rects {
	struct communityset cs;
	uint32_t rings_first[16 + 1];
	uint8_t flags[16];
	int32_t lon[16 * 5], lat[16 * 5];
	struct community items[8];
};

static void add_ring(struct rects *r, int32_t x0, int32_t y0, int32_t x1, int32_t y1, bool outer)
{
	uint32_t k = r->cs.ring_count++, p = r->cs.pt_count;
	const int32_t xs[5] = {x0, x1, x1, x0, x0}, ys[5] = {y0, y0, y1, y1, y0};
	for (int i = 0; i < 5; i++) {
		r->lon[p + i] = xs[i];
		r->lat[p + i] = ys[i];
	}
	r->cs.pt_count += 5;
	r->rings_first[k] = p;
	r->rings_first[k + 1] = p + 5;
	r->flags[k] = outer ? RING_OUTER : 0;
}

static void add_comm(struct rects *r, uint32_t ring_first, uint32_t rings)
{
	struct community *c = &r->items[r->cs.count++];
	memset(c, 0, sizeof *c);
	c->ring_first = ring_first;
	c->ring_count = rings;
	c->population = -1;
	c->min_lon_e7 = c->min_lat_e7 = INT32_MAX;
	c->max_lon_e7 = c->max_lat_e7 = INT32_MIN;
	for (uint32_t k = ring_first; k < ring_first + rings; k++)
		for (uint32_t p = r->rings_first[k]; p < r->rings_first[k + 1]; p++) {
			if (r->lon[p] < c->min_lon_e7) c->min_lon_e7 = r->lon[p];
			if (r->lon[p] > c->max_lon_e7) c->max_lon_e7 = r->lon[p];
			if (r->lat[p] < c->min_lat_e7) c->min_lat_e7 = r->lat[p];
			if (r->lat[p] > c->max_lat_e7) c->max_lat_e7 = r->lat[p];
		}
}

static void rects_init(struct rects *r)
{
	memset(r, 0, sizeof *r);
	r->cs.items = r->items;
	r->cs.ring_pt_first = r->rings_first;
	r->cs.ring_flags = r->flags;
	r->cs.pt_lon_e7 = r->lon;
	r->cs.pt_lat_e7 = r->lat;
}

static double spans_road_m(const struct dataset *d, enum mode m, const struct comm_spans *cs,
			   uint32_t c)
{
	double sum = 0;
	for (uint32_t i = cs->first[c]; i < cs->first[c + 1]; i++) {
		const struct comm_span *sp = &cs->spans[i];
		EXPECT(sp->f0 >= 0 && sp->f1 <= 1 && sp->f1 >= sp->f0, "span out of range");
		if (d->graph[m].seg_dirs[sp->seg])
			sum += (sp->f1 - sp->f0) * d->net.seg_length_m[sp->seg];
	}
	return sum;
}

/* The box of every shape point, e7. */
static void net_bbox(const struct dataset *d, int32_t *x0, int32_t *y0, int32_t *x1, int32_t *y1)
{
	*x0 = *y0 = INT32_MAX;
	*x1 = *y1 = INT32_MIN;
	for (uint32_t p = 0; p < d->net.pt_count; p++) {
		int32_t x = d->net.pt_lon_e7[p], y = d->net.pt_lat_e7[p];
		*x0 = x < *x0 ? x : *x0;
		*x1 = x > *x1 ? x : *x1;
		*y0 = y < *y0 ? y : *y0;
		*y1 = y > *y1 ? y : *y1;
	}
}

/* Communities that tile the network (west half, east half with a hole, the
 * hole) have road lengths that add up to the whole. */
/* The drawing grid (grid_segments_of): each cell lists exactly the
 * segments owning the piece grid's pieces there, each once. */
START_TEST(segment_grid_lists_piece_owners)
{
	struct dataset *d = shared_load_roads("shanghai_huangpu_small/shanghai_huangpu.osm.pbf");
	const struct grid *pg = &d->piece_grid, *sg = &d->seg_grid;
	ck_assert_uint_eq(sg->cols, pg->cols);
	ck_assert_uint_eq(sg->rows, pg->rows);
	ck_assert_uint_gt(sg->item_count, 0);
	ck_assert_uint_lt(sg->item_count, pg->item_count);
	uint8_t *seen = calloc(d->net.seg_count, 1);
	ck_assert_ptr_nonnull(seen);
	for (size_t c = 0; c < (size_t)pg->cols * pg->rows; c++) {
		for (uint32_t i = sg->cell_first[c]; i < sg->cell_first[c + 1]; i++) {
			uint32_t s = sg->cell_items[i];
			ck_assert_uint_lt(s, d->net.seg_count);
			ck_assert_msg(!seen[s], "cell %zu lists segment %u twice", c, s);
			seen[s] = 1;
		}
		for (uint32_t i = pg->cell_first[c]; i < pg->cell_first[c + 1]; i++) {
			uint32_t s = network_piece_seg(&d->net, pg->cell_items[i]);
			ck_assert_msg(seen[s], "cell %zu misses segment %u", c, s);
			seen[s] = 2;
		}
		for (uint32_t i = sg->cell_first[c]; i < sg->cell_first[c + 1]; i++) {
			ck_assert_msg(seen[sg->cell_items[i]] == 2, "cell %zu lists segment %u, no piece of it",
				      c, sg->cell_items[i]);
			seen[sg->cell_items[i]] = 0;
		}
	}
	free(seen);
	dataset_free(d);
}
END_TEST

START_TEST(clipped_lengths_sum_to_total)
{
	struct dataset *d = shared_load_roads("shanghai_huangpu_small/shanghai_huangpu.osm.pbf");
	int32_t x0, y0, x1, y1;
	net_bbox(d, &x0, &y0, &x1, &y1);
	x0 -= 1000, y0 -= 1000, x1 += 1000, y1 += 1000;
	/* split lines off any e7 vertex: half units cannot be hit exactly */
	int32_t mx = x0 + (x1 - x0) / 2 + 3, hx0 = mx + (x1 - mx) / 4, hx1 = mx + (x1 - mx) / 2;
	int32_t hy0 = y0 + (y1 - y0) / 3, hy1 = y0 + 2 * (y1 - y0) / 3;
	struct rects r;
	rects_init(&r);
	add_ring(&r, x0, y0, mx, y1, true);
	add_comm(&r, 0, 1);
	add_ring(&r, mx, y0, x1, y1, true);
	add_ring(&r, hx0, hy0, hx1, hy1, false);
	add_comm(&r, 1, 2);
	add_ring(&r, hx0, hy0, hx1, hy1, true);
	add_comm(&r, 3, 1);
	struct comm_spans cs;
	ck_assert_int_eq(comm_spans_build(&cs, &d->net, &d->piece_grid, &r.cs), YZ_OK);
	for (int m = 0; m < MODE_COUNT; m++) {
		double total = 0;
		for (uint32_t seg = 0; seg < d->net.seg_count; seg++)
			if (d->graph[m].seg_dirs[seg])
				total += d->net.seg_length_m[seg];
		double a = spans_road_m(d, (enum mode)m, &cs, 0), b = spans_road_m(d, (enum mode)m, &cs, 1),
		       c = spans_road_m(d, (enum mode)m, &cs, 2);
		ck_assert_double_gt(a, 0);
		ck_assert_double_gt(b, 0);
		ck_assert_double_gt(c, 0);
		EXPECT(fabs(a + b + c - total) <= 1e-4 * total, "mode %d: %.3f + %.3f + %.3f != %.3f", m,
		       a, b, c, total);
	}
	/* one community covering everything has the whole network */
	struct rects all;
	rects_init(&all);
	add_ring(&all, x0, y0, x1, y1, true);
	add_comm(&all, 0, 1);
	struct comm_spans ca;
	ck_assert_int_eq(comm_spans_build(&ca, &d->net, &d->piece_grid, &all.cs), YZ_OK);
	uint32_t in_graph = 0;
	for (uint32_t i = ca.first[0]; i < ca.first[1]; i++) {
		ck_assert(ca.spans[i].f0 == 0 && ca.spans[i].f1 == 1);
		in_graph++;
	}
	ck_assert_uint_eq(in_graph, d->net.seg_count);
	comm_spans_free(&ca);
	comm_spans_free(&cs);
	dataset_free(d);
}
END_TEST

/* A road along a shared boundary counts for both communities: two
 * quadrilaterals on either side of one road piece, sharing it as an edge. */
START_TEST(boundary_road_counts_for_both_sides)
{
	struct dataset *d = shared_load_roads("shanghai_huangpu_small/shanghai_huangpu.osm.pbf");
	rng_state = 99;
	for (int trial = 0; trial < 20; trial++) {
		uint32_t p = rnd() % (d->net.pt_count - 1);
		if (network_piece_seg(&d->net, p) != network_piece_seg(&d->net, p + 1) ||
		    (d->net.pt_lon_e7[p] == d->net.pt_lon_e7[p + 1] &&
		     d->net.pt_lat_e7[p] == d->net.pt_lat_e7[p + 1]))
			continue;
		int32_t ax = d->net.pt_lon_e7[p], ay = d->net.pt_lat_e7[p];
		int32_t bx = d->net.pt_lon_e7[p + 1], by = d->net.pt_lat_e7[p + 1];
		int32_t nx = -(by - ay), ny = bx - ax; /* a normal, as long as the piece */
		struct rects r;
		rects_init(&r);
		for (int side = 0; side < 2; side++) {
			int32_t sx = side ? -nx : nx, sy = side ? -ny : ny;
			const int32_t xs[5] = {ax, bx, bx + sx, ax + sx, ax};
			const int32_t ys[5] = {ay, by, by + sy, ay + sy, ay};
			uint32_t k = r.cs.ring_count++, q = r.cs.pt_count;
			memcpy(&r.lon[q], xs, sizeof xs);
			memcpy(&r.lat[q], ys, sizeof ys);
			r.cs.pt_count += 5;
			r.rings_first[k] = q;
			r.rings_first[k + 1] = q + 5;
			r.flags[k] = RING_OUTER;
			add_comm(&r, k, 1);
		}
		struct comm_spans cs;
		ck_assert_int_eq(comm_spans_build(&cs, &d->net, &d->piece_grid, &r.cs), YZ_OK);
		uint32_t seg = network_piece_seg(&d->net, p);
		for (uint32_t c = 0; c < 2; c++) {
			double inside = 0;
			for (uint32_t i = cs.first[c]; i < cs.first[c + 1]; i++)
				if (cs.spans[i].seg == seg)
					inside += (cs.spans[i].f1 - cs.spans[i].f0) * d->net.seg_length_m[seg];
			double piece = geo_haversine_m(geo_from_e7(ax), geo_from_e7(ay), geo_from_e7(bx),
						       geo_from_e7(by));
			EXPECT(inside >= piece * 0.999, "trial %d community %u: %.3f m of the %.3f m piece",
			       trial, c, inside, piece);
		}
		comm_spans_free(&cs);
	}
	dataset_free(d);
}
END_TEST

/* ---- suggest --------------------------------------------------------------------- */

static void check_suggest(const char *roads, enum mode m, uint32_t nst, double minutes,
			  double cell_m, uint64_t seed)
{
	struct dataset *d = shared_load_roads(roads);
	rng_state = seed;
	int32_t lon[64], lat[64];
	random_stations(d, nst, lon, lat);
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	struct field_set fs;
	field_of(&fs, d, m, &s, lon, lat, nst);
	struct suggest_params p = {.limit_ms = (uint32_t)(minutes * 60000), .k = 5, .cell_m = cell_m,
				   .max_candidates = cell_m > 0 ? 30 : 0};
	struct suggest_site lazy[SUGGEST_MAX_K], plain[SUGGEST_MAX_K];
	unsigned nl, np;
	struct suggest_stats sl, sp;
	ck_assert_int_eq(suggest_run(&s, &d->net, &d->graph[m], &fs.f, &p, lazy, &nl, &sl), YZ_OK);
	p.plain = true;
	ck_assert_int_eq(suggest_run(&s, &d->net, &d->graph[m], &fs.f, &p, plain, &np, &sp), YZ_OK);
	ck_assert_uint_gt(nl, 0);
	ck_assert_uint_eq(nl, np);
	if (cell_m > 0)
		ck_assert_uint_le(sl.candidates, 30);
	ck_assert_uint_le(sl.evaluations, sp.evaluations);
	for (unsigned i = 0; i < nl; i++) {
		ck_assert_uint_eq(lazy[i].node, plain[i].node);
		ck_assert(lazy[i].gain_m == plain[i].gain_m);
		ck_assert(i == 0 || lazy[i].gain_m <= lazy[i - 1].gain_m);
	}
	/* the chosen sites as stations: coverage is what suggest said */
	for (unsigned i = 0; i < nl; i++) {
		lon[nst + i] = d->net.node_lon_e7[lazy[i].node];
		lat[nst + i] = d->net.node_lat_e7[lazy[i].node];
		struct field_set with;
		field_of(&with, d, m, &s, lon, lat, nst + i + 1);
		double road, cov = covered_total(d, m, &with.f, p.limit_ms, &road);
		EXPECT(fabs(cov - lazy[i].covered_m_after) <= 1e-6 * road + 1e-3,
		       "site %u: rebuilt coverage %.3f m, suggest said %.3f m", i, cov,
		       lazy[i].covered_m_after);
		field_free(&with);
	}
	field_free(&fs);
	search_fini(&s);
	dataset_free(d);
}

START_TEST(lazy_greedy_equals_plain_greedy)
{
	/* every candidate junction, then candidates thinned to at most 30 */
	check_suggest("shanghai_huangpu_small/shanghai_huangpu.osm.pbf", MODE_WALK, 3, 4, 0, 21);
	check_suggest("monaco/monaco.osm.pbf", MODE_EBIKE, 2, 2, 0, 22);
	check_suggest("monaco/monaco.osm.pbf", MODE_CAR, 4, 1, 150, 23);
}
END_TEST

/* Population weights place each community's people on its roads, and the
 * weighted greedy is still the plain greedy, its running totals equal to
 * the weighted coverage of a rebuilt field. */
START_TEST(suggest_by_population)
{
	struct dataset *d = shared_load_roads("shanghai_huangpu_small/shanghai_huangpu.osm.pbf");
	int32_t x0, y0, x1, y1;
	net_bbox(d, &x0, &y0, &x1, &y1);
	int32_t mx = x0 + (x1 - x0) / 3 + 3;
	struct rects r;
	rects_init(&r);
	add_ring(&r, x0 - 10, y0 - 10, mx, y1 + 10, true);
	add_comm(&r, 0, 1);
	add_ring(&r, mx, y0 - 10, x1 + 10, y1 + 10, true);
	add_comm(&r, 1, 1);
	r.items[0].population = 90000;  /* the dense third */
	r.items[1].population = 10000;
	struct comm_spans cs;
	ck_assert_int_eq(comm_spans_build(&cs, &d->net, &d->piece_grid, &r.cs), YZ_OK);
	enum mode m = MODE_WALK;
	float *w = malloc(d->net.seg_count * sizeof *w);
	ck_assert_ptr_nonnull(w);
	double placed = cover_comm_weights(&cs, &r.cs, &d->net, &d->graph[m], w);
	ck_assert_double_eq_tol(placed, 100000, 1e-9);
	double sum = 0;
	for (uint32_t seg = 0; seg < d->net.seg_count; seg++)
		sum += w[seg] * d->net.seg_length_m[seg];
	ck_assert_double_eq_tol(sum, 100000, 1.0);

	rng_state = 31;
	int32_t lon[16], lat[16];
	random_stations(d, 3, lon, lat);
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	struct field_set fs;
	field_of(&fs, d, m, &s, lon, lat, 3);
	struct suggest_params p = {.limit_ms = 180000, .k = 4, .seg_weight = w};
	struct suggest_site lazy[SUGGEST_MAX_K], plain[SUGGEST_MAX_K], bylen[SUGGEST_MAX_K];
	unsigned nl, np, nb;
	struct suggest_stats sl, sp, sb;
	ck_assert_int_eq(suggest_run(&s, &d->net, &d->graph[m], &fs.f, &p, lazy, &nl, &sl), YZ_OK);
	p.plain = true;
	ck_assert_int_eq(suggest_run(&s, &d->net, &d->graph[m], &fs.f, &p, plain, &np, &sp), YZ_OK);
	p.plain = false;
	p.seg_weight = NULL;
	ck_assert_int_eq(suggest_run(&s, &d->net, &d->graph[m], &fs.f, &p, bylen, &nb, &sb), YZ_OK);
	ck_assert_uint_eq(nl, 4);
	ck_assert_uint_eq(nl, np);
	ck_assert_double_eq_tol(sl.total_w, 100000, 1.0);
	for (unsigned i = 0; i < nl; i++) {
		ck_assert_uint_eq(lazy[i].node, plain[i].node);
		ck_assert(lazy[i].gain_w == plain[i].gain_w);
		/* rebuilt with the sites as stations: weighted coverage agrees */
		lon[3 + i] = d->net.node_lon_e7[lazy[i].node];
		lat[3 + i] = d->net.node_lat_e7[lazy[i].node];
		struct field_set with;
		field_of(&with, d, m, &s, lon, lat, 4 + i);
		double cw = 0;
		for (uint32_t seg = 0; seg < d->net.seg_count; seg++) {
			if (!d->graph[m].seg_dirs[seg])
				continue;
			struct cover_iv iv;
			coverage_seg_covered_now(&with.f, &d->net, &d->graph[m], seg, 180000, &iv);
			cw += cover_iv_sum(&iv) * d->net.seg_length_m[seg] * w[seg];
		}
		EXPECT(fabs(cw - lazy[i].covered_w_after) <= 1e-3 * 100000,
		       "site %u: rebuilt %.2f people, suggest said %.2f", i, cw, lazy[i].covered_w_after);
		field_free(&with);
	}
	/* the first site by population lies in the dense third more often than
	 * by length: at least its weighted gain is no smaller */
	ck_assert(lazy[0].gain_w >= bylen[0].gain_w - 1e-6 || nb == 0);
	field_free(&fs);
	search_fini(&s);
	free(w);
	comm_spans_free(&cs);
	dataset_free(d);
}
END_TEST

Suite *coverage_suite(void)
{
	Suite *s = suite_create("coverage");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, segment_grid_lists_piece_owners);
	tcase_add_test(tc, field_is_minimum_of_single_searches);
	tcase_add_test(tc, field_agrees_with_nearest_from_positions);
	tcase_add_test(tc, bands_follow_the_time);
	tcase_add_test(tc, adding_a_station_never_lowers_coverage);
	tcase_add_test(tc, clipped_lengths_sum_to_total);
	tcase_add_test(tc, boundary_road_counts_for_both_sides);
	tcase_add_test(tc, lazy_greedy_equals_plain_greedy);
	tcase_add_test(tc, suggest_by_population);
	suite_add_tcase(s, tc);
	return s;
}
