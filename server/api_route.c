/* api_route.c — /api/route: the fastest path between two points for a mode.
 *
 * Both points are snapped (SPEC §3); the snap distances are reported, never
 * charged.  The geometry runs from the snapped start to the snapped end,
 * partial first and last segments included. */
#include <string.h>
#include <time.h>

#include "api.h"
#include "common/geo.h"
#include "common/json.h"
#include "routing/route.h"
#include "workspace.h"

int api_mode(struct http_request *req, struct http_response *res, enum mode *out)
{
	const char *v = query_get(&req->query, "mode");
	if (!v || !*v) {
		*out = MODE_EBIKE;
		return 0;
	}
	int m = mode_parse(v);
	if (m < 0) {
		http_error(res, 400, "parse", "mode: unknown mode \"%.20s\" (walk, ebike or car)", v);
		return -1;
	}
	*out = (enum mode)m;
	return 0;
}

int api_one_limit(struct http_request *req, struct http_response *res, double *minutes)
{
	*minutes = API_DEFAULT_MINUTES;
	const char *v = query_get(&req->query, "minutes");
	struct yz_errbuf eb;
	enum yz_err err;
	if (v && (err = query_double("minutes", v, 0, API_MAX_MINUTES, minutes, &eb))) {
		http_fail(res, err, eb.msg);
		return -1;
	}
	if (!(*minutes > 0)) {
		http_error(res, 400, "parse", "minutes: must be more than 0");
		return -1;
	}
	return 0;
}

/* Reject parameters the endpoint does not know: a typo must not silently
 * change the answer (`servce=charging` returning every station). */
int api_check_params(struct http_request *req, struct http_response *res,
		     const char *const *known)
{
	for (unsigned i = 0; i < query_count(&req->query); i++) {
		const char *k = query_key(&req->query, i);
		int ok = 0;
		for (const char *const *p = known; *p; p++)
			ok |= !strcmp(k, *p);
		if (!ok && k[0] != '_') {
			http_error(res, 400, "parse", "unknown parameter \"%.40s\"", k);
			return -1;
		}
	}
	return 0;
}

void api_write_line(struct json *j, const struct polyline *l)
{
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, "LineString");
	json_key(j, "coordinates");
	json_arr_begin(j);
	for (uint32_t i = 0; i < l->n; i++)
		json_lonlat_e7(j, l->lon_e7[i], l->lat_e7[i]);
	if (l->n == 1) /* a LineString has at least two positions */
		json_lonlat_e7(j, l->lon_e7[0], l->lat_e7[0]);
	json_arr_end(j);
	json_obj_end(j);
}

int api_snap(const struct dataset *d, enum mode m, const char *what, double lon, double lat,
	     struct snap *out, struct http_response *res)
{
	struct yz_errbuf eb;
	enum yz_err err = snap_point(&d->net, &d->graph[m], &d->piece_grid, lon, lat,
				     d->max_snap_m, out, &eb);
	if (err) {
		http_error(res, 422, "snap", "%s: %s (mode %s)", what, eb.msg, mode_name(m));
		return -1;
	}
	return 0;
}

void api_route(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"from", "to", "mode", NULL};
	if (api_check_params(req, res, known))
		return;
	const struct dataset *d = req->data;
	enum mode m;
	if (api_mode(req, res, &m))
		return;
	double lon[2], lat[2];
	const char *names[2] = {"from", "to"};
	struct yz_errbuf eb;
	for (int i = 0; i < 2; i++) {
		const char *v = query_get(&req->query, names[i]);
		enum yz_err err = query_lonlat(names[i], v, &lon[i], &lat[i], &eb);
		if (err) {
			http_fail(res, err, eb.msg);
			return;
		}
	}
	struct snap a, b;
	if (api_snap(d, m, "from", lon[0], lat[0], &a, res) ||
	    api_snap(d, m, "to", lon[1], lat[1], &b, res))
		return;
	struct search *s = workspace_search(d->net.node_count);
	if (!s) {
		http_busy(res);
		return;
	}
	struct route_result r;
	polyline_init(&r.line);
	enum yz_err err = route_compute(s, &d->net, &d->graph[m], &a, &b, &r);
	if (err == YZ_EUNREACHABLE) {
		http_error(res, 422, "unreachable", "no %s route between the points", mode_name(m));
	} else if (err) {
		http_busy(res);
	} else {
		struct json j;
		json_init(&j, &res->body);
		json_obj_begin(&j);
		json_key(&j, "mode");
		json_str(&j, mode_name(m));
		json_key(&j, "duration_s");
		json_num(&j, r.time_ms / 1000.0, 3);
		json_key(&j, "distance_m");
		json_num(&j, r.distance_m, 2);
		json_key(&j, "geometry");
		api_write_line(&j, &r.line);
		json_key(&j, "snap");
		json_obj_begin(&j);
		json_key(&j, "from_m");
		json_num(&j, a.dist_m, 2);
		json_key(&j, "to_m");
		json_num(&j, b.dist_m, 2);
		json_obj_end(&j);
		json_obj_end(&j);
		res->content_type = "application/json; charset=utf-8";
		res->cache_control = "public, max-age=60";
	}
	polyline_fini(&r.line);
}

/* ---- /api/nearest ---------------------------------------------------------- */

#include "routing/nearest.h"

#define API_MAX_K 50

struct nearest_filter {
	const struct dataset *d;
	uint32_t services;       /* all of these required */
	int open_now;            /* only stations open at `now` */
	int64_t now;             /* unix seconds */
};

static bool nearest_accept(void *ctx, uint32_t i)
{
	const struct nearest_filter *f = ctx;
	if ((f->d->stations[i].services & f->services) != f->services)
		return false;
	return !f->open_now || dataset_station_open(f->d, i, f->now) == 1;
}

int api_now(struct http_request *req, struct http_response *res, int64_t *now)
{
	const char *v = query_get(&req->query, "at");
	if (!v) {
		*now = (int64_t)time(NULL);
		return 0;
	}
	struct yz_errbuf eb;
	long t;
	enum yz_err err = query_int("at", v, 0, 253402300799L, &t, &eb);
	if (err) {
		http_fail(res, err, eb.msg);
		return -1;
	}
	*now = t;
	return 0;
}

void api_write_open(struct json *j, const struct dataset *d, uint32_t i, int64_t now)
{
	int open = dataset_station_open(d, i, now);
	json_key(j, "open_now");
	if (open < 0)
		json_null(j);
	else
		json_bool(j, open == 1);
}

void api_nearest(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"lon", "lat", "mode", "k", "service", "open_now", "at",
					    NULL};
	if (api_check_params(req, res, known))
		return;
	const struct dataset *d = req->data;
	enum mode m;
	if (api_mode(req, res, &m))
		return;
	struct yz_errbuf eb;
	double lon, lat;
	long k = 3;
	struct nearest_filter filter = {.d = d};
	enum yz_err err;
	const char *v;
	if ((err = query_double("lon", query_get(&req->query, "lon"), -180, 180, &lon, &eb)) ||
	    (err = query_double("lat", query_get(&req->query, "lat"), -90, 90, &lat, &eb)) ||
	    ((v = query_get(&req->query, "k")) && (err = query_int("k", v, 1, API_MAX_K, &k, &eb))) ||
	    ((v = query_get(&req->query, "service")) &&
	     (err = query_services("service", v, &filter.services, &eb))) ||
	    ((v = query_get(&req->query, "open_now")) &&
	     (err = query_bool("open_now", v, &filter.open_now, &eb)))) {
		http_fail(res, err, eb.msg);
		return;
	}
	if (api_now(req, res, &filter.now))
		return;
	struct snap q;
	if (api_snap(d, m, "point", lon, lat, &q, res))
		return;
	struct search *s = workspace_search(d->net.node_count);
	if (!s) {
		http_busy(res);
		return;
	}
	struct nearest_hit hits[NEAREST_MAX_K];
	unsigned n;
	const struct graph *g = &d->graph[m];
	const struct station_attach *at = &d->attach[m];
	nearest_run(s, &d->net, g, at, &q, (unsigned)k, nearest_accept, &filter, hits, &n);

	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	json_key(&j, "mode");
	json_str(&j, mode_name(m));
	json_key(&j, "snap_m");
	json_num(&j, q.dist_m, 2);
	json_key(&j, "results");
	json_arr_begin(&j);
	struct polyline line;
	polyline_init(&line);
	for (unsigned i = 0; i < n; i++) {
		const struct station *st = &d->stations[hits[i].station];
		const struct snap *ss = &at->snaps[hits[i].station];
		double dist = 0;
		polyline_reset(&line);
		if (hits[i].via_node == GRAPH_NONE) {
			/* along the query's own segment */
			route_along_segment(&d->net, &q, ss, &line, &dist);
		} else {
			route_trace(s, &d->net, g, &q, hits[i].via_node,
				    ss->node != GRAPH_NONE ? GRAPH_NONE : ss->seg, ss->frac, &line, &dist);
		}
		json_obj_begin(&j);
		api_write_station_props(&j, d, st, filter.now);
		json_key(&j, "duration_s");
		json_num(&j, hits[i].time_ms / 1000.0, 3);
		json_key(&j, "distance_m");
		json_num(&j, dist, 2);
		json_key(&j, "straight_m");
		json_num(&j, geo_haversine_m(lon, lat, geo_from_e7(st->lon_e7), geo_from_e7(st->lat_e7)), 2);
		json_key(&j, "snap_m");
		json_num(&j, ss->dist_m, 2);
		json_key(&j, "lon");
		json_num(&j, geo_from_e7(st->lon_e7), 7);
		json_key(&j, "lat");
		json_num(&j, geo_from_e7(st->lat_e7), 7);
		json_key(&j, "route");
		api_write_line(&j, &line);
		json_obj_end(&j);
	}
	polyline_fini(&line);
	json_arr_end(&j);
	json_obj_end(&j);
	res->content_type = "application/json; charset=utf-8";
	res->cache_control = "no-store";
}
