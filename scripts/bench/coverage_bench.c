/* coverage_bench.c — compute-only timings of coverage and suggest (issue 5).
 *
 * Loads one dataset and times, on the calling thread, R times each (after
 * one untimed run), with CLOCK_MONOTONIC:
 *
 *   field      coverage_field_build: the backward multi-source search from
 *              every station over the whole e-bike graph
 *   coverage   field + cover_sums at --minutes (totals and the per-community
 *              table): a full coverage computation, as after a reload
 *   suggest    suggest_run with the API's parameters (k = --k), on the field
 *
 * and prints RESULT lines (median, p90) plus the covered totals at 5, 10 and
 * 15 minutes.  With --out DIR it writes NAME.cov_starts.csv (the junction
 * id, as `yizhan export-edges` numbers them, nearest to each snapped
 * station: pgRouting's start vertices) and NAME.cov_yizhan.csv
 * (minutes,road_m,covered_m).
 *
 *   coverage_bench (--snapshot F | DIR) --name NAME [--repeat R] [--minutes M]
 *                  [--k K] [--cell M] [--max-candidates N] [--out DIR]
 *
 * --cell and --max-candidates override the API's candidate thinning (50 m,
 * beyond 5000), to see what thinning costs in coverage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routing/cover_comm.h"
#include "routing/coverage.h"
#include "routing/search.h"
#include "routing/suggest.h"
#include "server/dataset.h"

#define BENCH_MODE MODE_EBIKE

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static void report(const char *name, const char *kind, double *t, unsigned n)
{
	qsort(t, n, sizeof *t, cmp_d);
	printf("RESULT dataset=%s kind=%s n=%u median_ms=%.3f p90_ms=%.3f min_ms=%.3f\n", name, kind, n,
	       t[n / 2], t[(unsigned)(0.9 * (n - 1) + 0.5)], t[0]);
}

int main(int argc, char **argv)
{
	const char *snapshot = NULL, *dir = NULL, *name = "data", *out = NULL;
	unsigned repeat = 21, k = 5, max_cand = 5000;
	double cell = 50;
	double minutes = 15;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v && a[0] == '-') {
			fprintf(stderr, "coverage_bench: %s needs a value\n", a);
			return 2;
		}
		if (!strcmp(a, "--snapshot"))
			snapshot = argv[++i];
		else if (!strcmp(a, "--name"))
			name = argv[++i];
		else if (!strcmp(a, "--out"))
			out = argv[++i];
		else if (!strcmp(a, "--repeat"))
			repeat = (unsigned)atoi(argv[++i]);
		else if (!strcmp(a, "--k"))
			k = (unsigned)atoi(argv[++i]);
		else if (!strcmp(a, "--cell"))
			cell = atof(argv[++i]);
		else if (!strcmp(a, "--max-candidates"))
			max_cand = (unsigned)atoi(argv[++i]);
		else if (!strcmp(a, "--minutes"))
			minutes = atof(argv[++i]);
		else if (a[0] != '-')
			dir = a;
		else {
			fprintf(stderr, "coverage_bench: unknown option %s\n", a);
			return 2;
		}
	}
	if (repeat < 1 || repeat > 10000 || !(minutes > 0) || k < 1 || k > SUGGEST_MAX_K) {
		fprintf(stderr, "coverage_bench: bad --repeat, --minutes or --k\n");
		return 2;
	}
	struct dataset *d;
	struct yz_errbuf eb;
	struct dataset_sources src = {.dir = dir ? dir : "data/shanghai"};
	if (snapshot ? dataset_open_snapshot(snapshot, &d, &eb) : dataset_build(&src, &d, &eb)) {
		fprintf(stderr, "coverage_bench: %s\n", eb.msg);
		return 1;
	}
	const struct graph *g = &d->graph[BENCH_MODE];
	const struct station_attach *at = &d->attach[BENCH_MODE];
	struct search s;
	if (search_init(&s, d->net.node_count))
		return 1;
	double *t = malloc(repeat * sizeof *t);
	struct cover_sum *rows = calloc(d->comm.count + 1, sizeof *rows);
	if (!t || !rows)
		return 1;
	double limit = minutes * 60000.0;

	/* field alone, then field + sums */
	for (int kind = 0; kind < 2; kind++) {
		for (unsigned r = 0; r <= repeat; r++) {
			double t0 = now_ms();
			struct coverage_field f;
			if (coverage_field_build(&f, &s, &d->net, g, at))
				return 1;
			if (kind == 1) {
				struct cover_sum total;
				cover_sums(&f, &d->net, g, limit, &d->comm_spans, &total, rows);
			}
			double t1 = now_ms();
			coverage_field_free(&f);
			if (r > 0)
				t[r - 1] = t1 - t0;
		}
		report(name, kind ? "coverage" : "field", t, repeat);
	}

	/* suggest, with the API's parameters */
	struct suggest_params p = {.limit_ms = (uint32_t)(limit + 0.5), .k = k, .cell_m = cell,
				   .max_candidates = max_cand};
	struct suggest_site sites[SUGGEST_MAX_K];
	unsigned n = 0;
	struct suggest_stats st;
	unsigned sug_repeat = repeat < 11 ? repeat : 11;
	for (unsigned r = 0; r <= sug_repeat; r++) {
		double t0 = now_ms();
		if (suggest_run(&s, &d->net, g, &d->cover[BENCH_MODE], &p, sites, &n, &st))
			return 1;
		if (r > 0)
			t[r - 1] = now_ms() - t0;
	}
	report(name, "suggest", t, sug_repeat);
	printf("SUGGEST dataset=%s k=%u candidates=%u evaluations=%u covered_before=%.1f", name, k,
	       st.candidates, st.evaluations, st.covered_m_before);
	for (unsigned i = 0; i < n; i++)
		printf(" gain%u=%.1f", i + 1, sites[i].gain_m);
	printf("\n");

	FILE *fy = NULL, *fs = NULL;
	if (out) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.cov_yizhan.csv", out, name);
		fy = fopen(path, "w");
		snprintf(path, sizeof path, "%s/%s.cov_starts.csv", out, name);
		fs = fopen(path, "w");
		if (!fy || !fs) {
			fprintf(stderr, "coverage_bench: cannot write in %s\n", out);
			return 1;
		}
		fprintf(fy, "minutes,road_m,covered_m\n");
		fprintf(fs, "vid\n");
		for (uint32_t i = 0; i < at->station_count; i++) {
			if (!at->snapped[i])
				continue;
			const struct snap *sn = &at->snaps[i];
			uint32_t v = sn->node != GRAPH_NONE ? sn->node
				     : sn->frac < 0.5       ? d->net.seg_from[sn->seg]
							    : d->net.seg_to[sn->seg];
			fprintf(fs, "%u\n", v + 1);
		}
	}
	for (int m = 5; m <= 15; m += 5) {
		struct cover_sum total;
		cover_sums(&d->cover[BENCH_MODE], &d->net, g, m * 60000.0, NULL, &total, NULL);
		printf("COVERED dataset=%s minutes=%d road_m=%.1f covered_m=%.1f ratio=%.4f\n", name, m,
		       total.road_m, total.covered_m, total.covered_m / total.road_m);
		if (fy)
			fprintf(fy, "%d,%.1f,%.1f\n", m, total.road_m, total.covered_m);
	}
	if ((fy && fclose(fy)) || (fs && fclose(fs)))
		return 1;
	printf("INFO dataset=%s stations=%u snapped=%u nodes=%u segments=%u communities=%u\n", name,
	       d->station_count, d->cover[BENCH_MODE].stations_used, g->kept_nodes, g->kept_segs,
	       d->comm.count);
	free(t);
	free(rows);
	search_fini(&s);
	dataset_free(d);
	return 0;
}
