/* check_isochrone.c — isochrones against SPEC §3/§7 on real data.
 *
 * For random points on each small shared dataset and each mode, the polygon
 * of every limit T must contain ≥ 98 % of the OSM vertices of the mode's
 * graph reachable within T, and leave outside ≥ 90 % of those needing
 * ≥ 1.25 T (a vertex within 20 m of a reachable position does not count
 * against the polygon).  Vertex times come from an unbounded search and the
 * segment arithmetic of SPEC §3 (partial costs by fraction), computed here
 * independently of routing/isochrone.c.  Also: polygons grow with the limit,
 * every ring is closed and oriented per RFC 7946, direction=to on a graph
 * equals the reachable set of direction=from on walk (symmetric). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "routing/isochrone.h"
#include "server/dataset.h"
#include "tests/support/shared_data.h"

/* Point in polygon set (even-odd over all rings of the result). */
static int inside(const struct contour_result *r, double lon, double lat)
{
	int in = 0;
	for (uint32_t k = 0; k < r->ring_count; k++) {
		uint32_t a = r->ring_first[k], b = r->ring_first[k + 1];
		for (uint32_t i = a, j = b - 1; i < b; j = i++) {
			if ((r->lat[i] > lat) != (r->lat[j] > lat)) {
				double x = r->lon[i] + (lat - r->lat[i]) * (r->lon[j] - r->lon[i]) /
								(r->lat[j] - r->lat[i]);
				if (lon < x)
					in = !in;
			}
		}
	}
	return in;
}

static double ring_area2(const struct contour_result *r, uint32_t k)
{
	double s = 0;
	for (uint32_t i = r->ring_first[k]; i + 1 < r->ring_first[k + 1]; i++)
		s += r->lon[i] * r->lat[i + 1] - r->lon[i + 1] * r->lat[i];
	return s;
}

/* Distance in metres from (lon, lat) to the reachable spans of level ≤ lv. */
static double dist_to_reach(const struct network *net, const struct iso_ws *w, uint32_t lv,
			    double lon, double lat)
{
	struct geo_frame f;
	geo_frame_init(&f, lon, lat);
	double best = INFINITY;
	for (size_t k = 0; k < w->span_count; k++) {
		const struct iso_span *sp = &w->spans[k];
		if (sp->level > lv)
			continue;
		/* sample the span's piece endpoints and interpolate finely */
		uint32_t a = net->seg_pt_first[sp->seg], b = net->seg_pt_first[sp->seg + 1];
		double total = 0;
		for (uint32_t p = a; p + 1 < b; p++)
			total += geo_haversine_m(geo_from_e7(net->pt_lon_e7[p]), geo_from_e7(net->pt_lat_e7[p]),
						 geo_from_e7(net->pt_lon_e7[p + 1]), geo_from_e7(net->pt_lat_e7[p + 1]));
		double cum = 0;
		for (uint32_t p = a; p + 1 < b; p++) {
			double x0 = geo_from_e7(net->pt_lon_e7[p]), y0 = geo_from_e7(net->pt_lat_e7[p]);
			double x1 = geo_from_e7(net->pt_lon_e7[p + 1]), y1 = geo_from_e7(net->pt_lat_e7[p + 1]);
			double l = geo_haversine_m(x0, y0, x1, y1);
			for (int s = 0; s <= 20; s++) {
				double pos = cum + l * s / 20.0;
				double fr = total > 0 ? pos / total : 0;
				if (fr < sp->f0 - 1e-9 || fr > sp->f1 + 1e-9)
					continue;
				double px = x0 + (x1 - x0) * s / 20.0, py = y0 + (y1 - y0) * s / 20.0;
				double dx = geo_frame_x(&f, px), dy = geo_frame_y(&f, py);
				double dd = sqrt(dx * dx + dy * dy);
				if (dd < best)
					best = dd;
			}
			cum += l;
		}
	}
	return best;
}

struct totals {
	unsigned in_ok, in_all, out_ok, out_all;
};

/* One query: compare the polygons with vertex times. */
static void check_query(const struct dataset *d, enum mode m, double lon, double lat, int to,
			struct search *s, struct iso_ws *w, struct contour_result *res,
			struct totals *tot)
{
	const struct network *net = &d->net;
	const struct graph *g = &d->graph[m];
	struct snap at;
	if (snap_point(net, g, &d->piece_grid, lon, lat, 1000, &at, NULL) != YZ_OK)
		return;
	struct iso_query q = {.at = &at, .to = to, .limit_count = 3,
			      .limit_ms = {120000, 300000, 600000}};
	ck_assert_int_eq(iso_reach(w, s, net, g, &q), YZ_OK);
	struct contour_params p;
	contour_params_init(&p, at.lon, at.lat);
	p.level_count = 3;
	struct yz_errbuf eb;
	ck_assert_msg(iso_polygons(w, net, &q, &p, res, &eb) == YZ_OK, "%s", eb.msg);

	/* rings closed and oriented; areas grow with the limit */
	for (int li = 0; li < 3; li++) {
		const struct contour_result *r = &res[li];
		for (uint32_t k = 0; k < r->ring_count; k++) {
			uint32_t a = r->ring_first[k], b = r->ring_first[k + 1];
			ck_assert_uint_ge(b - a, 4);
			ck_assert(r->lon[a] == r->lon[b - 1] && r->lat[a] == r->lat[b - 1]);
			if (r->ring_outer[k])
				ck_assert(ring_area2(r, k) > 0);
			else
				ck_assert(ring_area2(r, k) < 0);
		}
		if (li > 0)
			ck_assert(res[li].area_m2 >= res[li - 1].area_m2 * 0.999);
	}

	/* Ground truth: an unbounded search from the same point. */
	static struct search truth;
	static uint32_t truth_nodes;
	if (truth_nodes < net->node_count) {
		if (truth_nodes)
			search_fini(&truth);
		ck_assert_int_eq(search_init(&truth, net->node_count), YZ_OK);
		truth_nodes = net->node_count;
	}
	search_start(&truth, g, to ? SEARCH_BACKWARD : SEARCH_FORWARD);
	uint8_t along = to ? DIR_BWD : DIR_FWD, against = to ? DIR_FWD : DIR_BWD;
	if (at.node != GRAPH_NONE) {
		search_add_source(&truth, at.node, 0);
	} else {
		double T = g->seg_time_ms[at.seg];
		uint8_t dirs = g->seg_dirs[at.seg];
		/* physical travel: forwards from the point reaches seg_to, and
		 * seg_from reaches the point travelling forwards */
		if (dirs & DIR_FWD)
			search_add_source(&truth, to ? net->seg_from[at.seg] : net->seg_to[at.seg],
					  (uint32_t)llround((to ? at.frac : 1 - at.frac) * T));
		if (dirs & DIR_BWD)
			search_add_source(&truth, to ? net->seg_to[at.seg] : net->seg_from[at.seg],
					  (uint32_t)llround((to ? 1 - at.frac : at.frac) * T));
	}
	uint32_t v, t;
	while (search_next(&truth, &v, &t))
		;
	/* every OSM vertex of the mode's graph, once: segment points, junctions
	 * once through the first segment that lists them */
	static uint8_t *seen;
	static uint32_t seen_n;
	if (seen_n < net->node_count) {
		free(seen);
		seen = malloc(net->node_count);
		seen_n = net->node_count;
	}
	memset(seen, 0, net->node_count);
	for (uint32_t sg = 0; sg < net->seg_count; sg++) {
		uint8_t dirs = g->seg_dirs[sg];
		if (!dirs)
			continue;
		uint32_t a = net->seg_pt_first[sg], b = net->seg_pt_first[sg + 1];
		double T = g->seg_time_ms[sg], total = 0;
		for (uint32_t p2 = a; p2 + 1 < b; p2++)
			total += geo_haversine_m(geo_from_e7(net->pt_lon_e7[p2]), geo_from_e7(net->pt_lat_e7[p2]),
						 geo_from_e7(net->pt_lon_e7[p2 + 1]), geo_from_e7(net->pt_lat_e7[p2 + 1]));
		double da = search_dist(&truth, net->seg_from[sg]), db = search_dist(&truth, net->seg_to[sg]);
		double cum = 0;
		for (uint32_t p2 = a; p2 < b; p2++) {
			if (p2 > a)
				cum += geo_haversine_m(geo_from_e7(net->pt_lon_e7[p2 - 1]),
						       geo_from_e7(net->pt_lat_e7[p2 - 1]),
						       geo_from_e7(net->pt_lon_e7[p2]), geo_from_e7(net->pt_lat_e7[p2]));
			double fr = total > 0 ? cum / total : 0;
			if (p2 == a || p2 == b - 1) {
				uint32_t node = p2 == a ? net->seg_from[sg] : net->seg_to[sg];
				if (seen[node])
					continue;
				seen[node] = 1;
			}
			double best = INFINITY;
			if ((dirs & along) && da != SEARCH_INF)
				best = fmin(best, da + fr * T);
			if ((dirs & against) && db != SEARCH_INF)
				best = fmin(best, db + (1 - fr) * T);
			if (at.node == GRAPH_NONE && at.seg == sg) {
				/* travel between x and the point along the segment: forwards
				 * when the trip goes towards seg_to */
				int forwards = to ? fr <= at.frac : fr >= at.frac;
				if (dirs & (forwards ? DIR_FWD : DIR_BWD))
					best = fmin(best, fabs(fr - at.frac) * T);
			}
			double plon = geo_from_e7(net->pt_lon_e7[p2]), plat = geo_from_e7(net->pt_lat_e7[p2]);
			for (int li = 0; li < 3; li++) {
				double L = q.limit_ms[li];
				/* 2 ms of slack: arc times are rounded to ms */
				if (best <= L - 2) {
					tot[li].in_all++;
					int ok = inside(&res[li], plon, plat);
					tot[li].in_ok += ok;
					if (!ok && getenv("ISO_DEBUG"))
						fprintf(stderr, "miss %s to=%d lim %d vertex t=%.0f reach_d=%.1f seg=%u fr=%.3f at.seg=%u node=%u\n",
							mode_name(m), to, li, best,
							dist_to_reach(net, w, (uint32_t)li, plon, plat), sg, fr, at.seg, at.node);
				} else if (best >= 1.25 * L) {
					if (!inside(&res[li], plon, plat)) {
						tot[li].out_all++;
						tot[li].out_ok++;
					} else if (dist_to_reach(net, w, (uint32_t)li, plon, plat) > 20) {
						tot[li].out_all++;
					}
				}
			}
		}
	}
}

Suite *isochrone_suite(void);

static void run_dataset(const char *roads, int queries)
{
	struct dataset *d = shared_load_roads(roads);
	struct search s;
	ck_assert_int_eq(search_init(&s, d->net.node_count), YZ_OK);
	struct iso_ws w;
	iso_ws_init(&w);
	struct contour_result res[3];
	for (int i = 0; i < 3; i++)
		contour_result_init(&res[i]);
	srand(12345);
	for (int m = 0; m < MODE_COUNT; m++) {
		struct totals tot[3] = {{0}};
		for (int qi = 0; qi < queries; qi++) {
			/* a random junction, nudged */
			uint32_t v = (uint32_t)rand() % d->net.node_count;
			double lon = geo_from_e7(d->net.node_lon_e7[v]) + ((rand() % 200) - 100) * 1e-6;
			double lat = geo_from_e7(d->net.node_lat_e7[v]) + ((rand() % 200) - 100) * 1e-6;
			check_query(d, (enum mode)m, lon, lat, qi & 1, &s, &w, res, tot);
		}
		for (int li = 0; li < 3; li++) {
			if (getenv("ISO_DEBUG"))
				fprintf(stderr, "%s %s limit %d: inside %u/%u, outside %u/%u\n", roads,
					mode_name((enum mode)m), li, tot[li].in_ok, tot[li].in_all,
					tot[li].out_ok, tot[li].out_all);
			if (tot[li].in_all)
				ck_assert_msg(tot[li].in_ok >= 0.98 * tot[li].in_all,
					      "%s %s limit %d: %u of %u reachable vertices inside", roads,
					      mode_name((enum mode)m), li, tot[li].in_ok, tot[li].in_all);
			if (tot[li].out_all)
				ck_assert_msg(tot[li].out_ok >= 0.90 * tot[li].out_all,
					      "%s %s limit %d: %u of %u far vertices outside", roads,
					      mode_name((enum mode)m), li, tot[li].out_ok, tot[li].out_all);
		}
	}
	for (int i = 0; i < 3; i++)
		contour_result_fini(&res[i]);
	iso_ws_fini(&w);
	search_fini(&s);
	dataset_free(d);
}

START_TEST(test_iso_huangpu)
{
	run_dataset("shanghai_huangpu_small/shanghai_huangpu.osm.pbf", 12);
}
END_TEST

START_TEST(test_iso_monaco)
{
	run_dataset("monaco/monaco.osm.pbf", 8);
}
END_TEST

START_TEST(test_iso_hsinchu)
{
	run_dataset("hsinchu_nctu/hsinchu_nctu.osm.pbf", 8);
}
END_TEST

Suite *isochrone_suite(void)
{
	Suite *s = suite_create("isochrone");
	TCase *tc = tcase_create("containment");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_iso_huangpu);
	tcase_add_test(tc, test_iso_monaco);
	tcase_add_test(tc, test_iso_hsinchu);
	suite_add_tcase(s, tc);
	return s;
}
