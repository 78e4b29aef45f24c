/* routing_bench.c — compute-only timings of yizhan's three queries (issue 3).
 *
 * Loads one dataset, draws a fixed list of query points (random points within
 * 25 m of random nodes of the e-bike graph, splitmix64 with a fixed seed,
 * rounded to 1e-7 degree so that every other engine gets exactly the same
 * numbers) and times, one query at a time on the calling thread with
 * CLOCK_MONOTONIC (and CLOCK_THREAD_CPUTIME_ID beside it, which shows what
 * other processes on a busy machine took away):
 *
 *   route     snap both ends + route_compute (with its geometry)
 *   nearest   snap + nearest_run k=5 + route_trace / route_along_segment for
 *             every hit, as server/api_route.c does (JSON writing excluded)
 *   iso       snap + iso_reach + iso_polygons, e-bike, limits 5, 10, 15 min,
 *             as server/api_iso.c does (JSON writing excluded)
 *
 * Every query list is run once untimed first (warm-up).  Besides the summary
 * on stdout it writes to --out DIR (for scripts/bench/pgrouting.sh and the
 * wrk URL lists):
 *
 *   NAME.queries.csv    qid,lon,lat,lon2,lat2          (route: (lon,lat)→(lon2,lat2);
 *                                                       nearest and iso: (lon,lat))
 *   NAME.snaps.csv      qid,seg1,frac1,seg2,frac2      yizhan's snapped positions,
 *                                                       seg as export-edges' id (seg + 1)
 *   NAME.stations.csv   sid,lon,lat,seg,frac           stations snapped in the mode
 *   NAME.shapes.csv     id,wkt                         full segment shapes of the mode
 *   NAME.results.csv    qid,route_ms,route_m,nearest(sid:ms;…),iso_vertices(5;10;15)
 *   NAME.times.csv      kind,qid,ms,cpu_ms         (wall clock and thread CPU time)
 *
 *   routing_bench (--snapshot F | --roads F [--stations F] | DIR) --name NAME
 *                 [--n N] [--seed S] [--out DIR] [--only route|nearest|iso]
 *                 [--repeat R] [--no-files]
 *
 * --only and --repeat are for profiling (perf record -g): one kind, R timed
 * passes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/geo.h"
#include "routing/isochrone.h"
#include "routing/nearest.h"
#include "routing/route.h"
#include "routing/search.h"
#include "routing/snap.h"
#include "server/dataset.h"

#define BENCH_MODE MODE_EBIKE
#define BENCH_K 5
#define BENCH_OFFSET_M 25.0
#define BENCH_LIMITS 3

enum kind { K_ROUTE, K_NEAREST, K_ISO, K_COUNT };
static const char *const kind_name[K_COUNT] = {"route", "nearest", "iso"};

struct query {
	double lon, lat, lon2, lat2;
};

/* Per-query outputs kept for the results file (sanity comparison). */
struct result {
	uint32_t route_ms;
	double route_m;
	unsigned hit_count;
	struct nearest_hit hits[BENCH_K];
	uint32_t iso_vertices[BENCH_LIMITS];
};

struct bench {
	const struct dataset *d;
	const struct graph *g;
	struct search s;
	struct iso_ws iso;
	struct contour_result cres[BENCH_LIMITS];
	struct polyline line;
	uint32_t n;
	struct query *q;
	struct result *res;
	double *ms;            /* [n] one pass's wall-clock times */
	double *cpu_ms;        /* [n] the same queries' thread CPU times */
	unsigned long errors;  /* snap or routing failures (should stay 0) */
	double settled;        /* nodes settled, summed over a pass */
};

/* ---- randomness: splitmix64, same sequence on every machine ------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(void) /* [0, 1) */
{
	return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

static double clock_ms(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double round7(double deg)
{
	return (double)llround(deg * 1e7) / 1e7;
}

/* A point within BENCH_OFFSET_M of a random node of the mode's graph (a node
 * with arcs both ways, i.e. in the strongly connected component). */
static void random_point(const struct dataset *d, const uint32_t *nodes, uint32_t node_n,
			 double *lon, double *lat)
{
	uint32_t v = nodes[rng_next() % node_n];
	double lon0 = geo_from_e7(d->net.node_lon_e7[v]), lat0 = geo_from_e7(d->net.node_lat_e7[v]);
	struct geo_frame f;
	geo_frame_init(&f, lon0, lat0);
	double r = BENCH_OFFSET_M * sqrt(rng_unit()), a = 2 * M_PI * rng_unit();
	*lon = round7(lon0 + r * cos(a) / f.m_per_deg_lon);
	*lat = round7(lat0 + r * sin(a) / f.m_per_deg_lat);
}

static int make_queries(struct bench *b, uint64_t seed)
{
	const struct graph *g = b->g;
	uint32_t *nodes = malloc(g->node_count * sizeof *nodes), node_n = 0;
	if (!nodes)
		return -1;
	for (uint32_t v = 0; v < g->node_count; v++)
		if (g->first_out[v + 1] > g->first_out[v] && g->first_in[v + 1] > g->first_in[v])
			nodes[node_n++] = v;
	if (!node_n) {
		free(nodes);
		return -1;
	}
	rng_state = seed;
	for (uint32_t i = 0; i < b->n; i++) {
		random_point(b->d, nodes, node_n, &b->q[i].lon, &b->q[i].lat);
		random_point(b->d, nodes, node_n, &b->q[i].lon2, &b->q[i].lat2);
	}
	free(nodes);
	return 0;
}

/* ---- the three queries, as the API handlers run them -------------------- */

static int snap(struct bench *b, double lon, double lat, struct snap *out)
{
	struct yz_errbuf eb;
	return snap_point(&b->d->net, b->g, &b->d->piece_grid, lon, lat, b->d->max_snap_m, out,
			  &eb) != YZ_OK;
}

static void run_route(struct bench *b, uint32_t i)
{
	struct snap a, z;
	struct route_result r;
	r.line = b->line;
	if (snap(b, b->q[i].lon, b->q[i].lat, &a) || snap(b, b->q[i].lon2, b->q[i].lat2, &z) ||
	    route_compute(&b->s, &b->d->net, b->g, &a, &z, &r) != YZ_OK) {
		b->line = r.line;
		b->errors++;
		b->res[i].route_ms = SEARCH_INF;
		return;
	}
	b->line = r.line;
	b->res[i].route_ms = r.time_ms;
	b->res[i].route_m = r.distance_m;
}

/* The API's service filter (api_route.c), here with no service asked. */
struct filter {
	const struct dataset *d;
	uint32_t services;
};

static bool accept_filter(void *ctx, uint32_t i)
{
	const struct filter *f = ctx;
	return (f->d->stations[i].services & f->services) == f->services;
}

static void run_nearest(struct bench *b, uint32_t i)
{
	const struct dataset *d = b->d;
	const struct station_attach *at = &d->attach[BENCH_MODE];
	struct snap q;
	if (snap(b, b->q[i].lon, b->q[i].lat, &q)) {
		b->errors++;
		b->res[i].hit_count = 0;
		return;
	}
	struct nearest_hit *hits = b->res[i].hits;
	unsigned n;
	struct filter filter = {.d = d, .services = 0};
	nearest_run(&b->s, &d->net, b->g, at, &q, BENCH_K, accept_filter, &filter, hits, &n);
	b->res[i].hit_count = n;
	for (unsigned h = 0; h < n; h++) {
		const struct snap *ss = &at->snaps[hits[h].station];
		double dist = 0;
		polyline_reset(&b->line);
		if (hits[h].via_node == GRAPH_NONE)
			route_along_segment(&d->net, &q, ss, &b->line, &dist);
		else
			route_trace(&b->s, &d->net, b->g, &q, hits[h].via_node,
				    ss->node != GRAPH_NONE ? GRAPH_NONE : ss->seg, ss->frac, &b->line,
				    &dist);
	}
}

static void run_iso(struct bench *b, uint32_t i)
{
	struct snap at;
	if (snap(b, b->q[i].lon, b->q[i].lat, &at)) {
		b->errors++;
		return;
	}
	struct iso_query q = {.at = &at, .to = false, .limit_count = BENCH_LIMITS};
	for (unsigned l = 0; l < BENCH_LIMITS; l++)
		q.limit_ms[l] = (uint32_t)((l + 1) * 5 * 60000);
	struct contour_params p;
	contour_params_init(&p, at.lon, at.lat);
	p.level_count = BENCH_LIMITS;
	struct yz_errbuf eb;
	if (iso_reach(&b->iso, &b->s, &b->d->net, b->g, &q) ||
	    iso_polygons(&b->iso, &b->d->net, &q, &p, b->cres, &eb)) {
		b->errors++;
		return;
	}
	for (unsigned l = 0; l < BENCH_LIMITS; l++)
		b->res[i].iso_vertices[l] = b->cres[l].pt_count;
}

typedef void run_fn(struct bench *b, uint32_t i);
static run_fn *const runners[K_COUNT] = {run_route, run_nearest, run_iso};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[n]: the value at rank ceil(p·n). */
static double percentile(const double *v, uint32_t n, double p)
{
	uint32_t r = (uint32_t)ceil(p * n);
	return v[r ? r - 1 : 0];
}

/* ---- output files -------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *name, const char *suffix)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.%s", dir, name, suffix);
	FILE *f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "routing_bench: %s: %s\n", path, strerror(errno));
	return f;
}

static int write_inputs(struct bench *b, const char *dir, const char *name)
{
	const struct dataset *d = b->d;
	const struct network *net = &d->net;
	FILE *f = open_out(dir, name, "queries.csv");
	if (!f)
		return -1;
	fprintf(f, "qid,lon,lat,lon2,lat2\n");
	for (uint32_t i = 0; i < b->n; i++)
		fprintf(f, "%u,%.7f,%.7f,%.7f,%.7f\n", i, b->q[i].lon, b->q[i].lat, b->q[i].lon2,
			b->q[i].lat2);
	fclose(f);

	if (!(f = open_out(dir, name, "snaps.csv")))
		return -1;
	fprintf(f, "qid,seg1,frac1,seg2,frac2\n");
	for (uint32_t i = 0; i < b->n; i++) {
		struct snap a, z;
		if (snap(b, b->q[i].lon, b->q[i].lat, &a) || snap(b, b->q[i].lon2, b->q[i].lat2, &z))
			continue;
		fprintf(f, "%u,%u,%.9f,%u,%.9f\n", i, a.seg + 1, a.frac, z.seg + 1, z.frac);
	}
	fclose(f);

	if (!(f = open_out(dir, name, "stations.csv")))
		return -1;
	const struct station_attach *at = &d->attach[BENCH_MODE];
	fprintf(f, "sid,lon,lat,seg,frac\n");
	for (uint32_t i = 0; i < d->station_count; i++)
		if (at->snapped[i])
			fprintf(f, "%u,%.7f,%.7f,%u,%.9f\n", i, geo_from_e7(d->stations[i].lon_e7),
				geo_from_e7(d->stations[i].lat_e7), at->snaps[i].seg + 1,
				at->snaps[i].frac);
	fclose(f);

	if (!(f = open_out(dir, name, "shapes.csv")))
		return -1;
	fprintf(f, "id,wkt\n");
	for (uint32_t s = 0; s < net->seg_count; s++) {
		if (!b->g->seg_dirs[s])
			continue;
		fprintf(f, "%u,\"LINESTRING(", s + 1);
		for (uint32_t p = net->seg_pt_first[s]; p < net->seg_pt_first[s + 1]; p++)
			fprintf(f, "%s%.7f %.7f", p > net->seg_pt_first[s] ? "," : "",
				geo_from_e7(net->pt_lon_e7[p]), geo_from_e7(net->pt_lat_e7[p]));
		fprintf(f, ")\"\n");
	}
	fclose(f);
	return 0;
}

static int write_results(struct bench *b, const char *dir, const char *name)
{
	FILE *f = open_out(dir, name, "results.csv");
	if (!f)
		return -1;
	fprintf(f, "qid,route_ms,route_m,nearest,iso_vertices\n");
	for (uint32_t i = 0; i < b->n; i++) {
		const struct result *r = &b->res[i];
		fprintf(f, "%u,%u,%.2f,", i, r->route_ms, r->route_m);
		for (unsigned h = 0; h < r->hit_count; h++)
			fprintf(f, "%s%u:%u", h ? ";" : "", r->hits[h].station, r->hits[h].time_ms);
		fprintf(f, ",%u;%u;%u\n", r->iso_vertices[0], r->iso_vertices[1],
			r->iso_vertices[2]);
	}
	fclose(f);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: routing_bench (--snapshot F | --roads F [--stations F] | DIR) "
			"--name NAME [--n N] [--seed S] [--out DIR]\n"
			"                     [--only route|nearest|iso] [--repeat R] [--no-files]\n");
}

int main(int argc, char **argv)
{
	const char *snapshot = NULL, *name = NULL, *out = "/tmp/yizhan-bench", *only = NULL;
	struct dataset_sources src = {0};
	uint32_t n = 1000, repeat = 1;
	uint64_t seed = 20240603;
	int files = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-files")) {
			files = 0;
			continue;
		}
		if (a[0] != '-') {
			src.dir = a;
			continue;
		}
		if (!v) {
			usage();
			return 2;
		}
		i++;
		if (!strcmp(a, "--snapshot"))
			snapshot = v;
		else if (!strcmp(a, "--roads"))
			src.roads = v;
		else if (!strcmp(a, "--stations"))
			src.stations = v;
		else if (!strcmp(a, "--name"))
			name = v;
		else if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--only"))
			only = v;
		else if (!strcmp(a, "--n"))
			n = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--repeat"))
			repeat = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else {
			usage();
			return 2;
		}
	}
	if (!name || !n || !repeat || (!snapshot && !src.dir && !src.roads)) {
		usage();
		return 2;
	}

	struct dataset *d;
	struct yz_errbuf eb;
	enum yz_err err = snapshot ? dataset_open_snapshot(snapshot, &d, &eb)
				   : dataset_build(&src, &d, &eb);
	if (err) {
		fprintf(stderr, "routing_bench: %s\n", eb.msg);
		return 1;
	}

	struct bench b = {.d = d, .g = &d->graph[BENCH_MODE], .n = n};
	b.q = calloc(n, sizeof *b.q);
	b.res = calloc(n, sizeof *b.res);
	b.ms = calloc(n, sizeof *b.ms);
	b.cpu_ms = calloc(n, sizeof *b.cpu_ms);
	if (!b.q || !b.res || !b.ms || !b.cpu_ms || search_init(&b.s, d->net.node_count) ||
	    make_queries(&b, seed)) {
		fprintf(stderr, "routing_bench: out of memory or empty graph\n");
		return 1;
	}
	iso_ws_init(&b.iso);
	for (unsigned l = 0; l < BENCH_LIMITS; l++)
		contour_result_init(&b.cres[l]);
	polyline_init(&b.line);
	if (files && write_inputs(&b, out, name))
		return 1;

	FILE *times = files ? open_out(out, name, "times.csv") : NULL;
	if (times)
		fprintf(times, "kind,qid,ms,cpu_ms\n");
	printf("# %s: %u stations, e-bike graph %u nodes / %u arcs, %u queries per kind, seed %llu\n",
	       name, d->station_count, b.g->kept_nodes, b.g->arc_count, n,
	       (unsigned long long)seed);
	for (int k = 0; k < K_COUNT; k++) {
		if (only && strcmp(only, kind_name[k]))
			continue;
		/* warm-up: the whole list once, untimed (caches, workspace growth) */
		for (uint32_t i = 0; i < n; i++)
			runners[k](&b, i);
		b.errors = 0;
		b.settled = 0;
		for (uint32_t r = 0; r < repeat; r++) {
			for (uint32_t i = 0; i < n; i++) {
				double c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
				double t0 = clock_ms(CLOCK_MONOTONIC);
				runners[k](&b, i);
				b.ms[i] = clock_ms(CLOCK_MONOTONIC) - t0;
				b.cpu_ms[i] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
				if (r == 0)
					b.settled += b.s.settled;
			}
		}
		if (times)
			for (uint32_t i = 0; i < n; i++)
				fprintf(times, "%s,%u,%.4f,%.4f\n", kind_name[k], i, b.ms[i],
					b.cpu_ms[i]);
		double sum = 0, cpu_sum = 0;
		for (uint32_t i = 0; i < n; i++) {
			sum += b.ms[i];
			cpu_sum += b.cpu_ms[i];
		}
		qsort(b.ms, n, sizeof *b.ms, cmp_double);
		qsort(b.cpu_ms, n, sizeof *b.cpu_ms, cmp_double);
		printf("RESULT dataset=%s kind=%s n=%u median_ms=%.4f p90_ms=%.4f p99_ms=%.4f "
		       "mean_ms=%.4f cpu_median_ms=%.4f cpu_p90_ms=%.4f cpu_mean_ms=%.4f "
		       "avg_settled=%.0f errors=%lu",
		       name, kind_name[k], n, percentile(b.ms, n, 0.5), percentile(b.ms, n, 0.9),
		       percentile(b.ms, n, 0.99), sum / n, percentile(b.cpu_ms, n, 0.5),
		       percentile(b.cpu_ms, n, 0.9), cpu_sum / n, b.settled / n, b.errors);
		if (k == K_ISO) {
			double v[BENCH_LIMITS] = {0};
			for (uint32_t i = 0; i < n; i++)
				for (unsigned l = 0; l < BENCH_LIMITS; l++)
					v[l] += b.res[i].iso_vertices[l];
			printf(" avg_vertices_5=%.1f avg_vertices_10=%.1f avg_vertices_15=%.1f",
			       v[0] / n, v[1] / n, v[2] / n);
		}
		if (k == K_NEAREST) {
			double hits = 0;
			for (uint32_t i = 0; i < n; i++)
				hits += b.res[i].hit_count;
			printf(" avg_hits=%.2f", hits / n);
		}
		printf("\n");
		fflush(stdout);
	}
	if (times)
		fclose(times);
	if (files && write_results(&b, out, name))
		return 1;

	polyline_fini(&b.line);
	for (unsigned l = 0; l < BENCH_LIMITS; l++)
		contour_result_fini(&b.cres[l]);
	iso_ws_fini(&b.iso);
	search_fini(&b.s);
	free(b.q);
	free(b.res);
	free(b.ms);
	free(b.cpu_ms);
	dataset_free(d);
	return 0;
}
