/* api_iso.c — /api/isochrone: polygons per limit, and on request the exact
 * reachable network (SPEC §3, §4).
 *
 * Limits: minutes in (0, 60], at most 6 values, default 5,10,15.  The polygon
 * method is documented in routing/contour.c and the README. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "common/geo.h"
#include "common/json.h"
#include "routing/isochrone.h"
#include "workspace.h"


struct line_ctx {
	struct json *j;
};

/* A limit as the client gave it: the shortest decimal that reads back as
 * the same double, in plain notation unless the value is tiny.  A fixed
 * number of decimals would label 0.0001 as 0 (a value the API refuses) and
 * 5 and 5.0001 both as 5.  v is finite and in (0, 60]. */
static void json_minutes(struct json *j, double v)
{
	char t[48];
	for (int p = 0; p <= 17; p++) {
		snprintf(t, sizeof t, "%.*f", p, v);
		if (strtod(t, NULL) == v) {
			json_raw(j, t);
			return;
		}
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(t, sizeof t, "%.*g", p, v);
		if (strtod(t, NULL) == v)
			break;
	}
	json_raw(j, t);
}

static void emit_json_point(void *ctx, double lon, double lat)
{
	struct line_ctx *c = ctx;
	json_lonlat(c->j, lon, lat);
}

void api_isochrone(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"lon", "lat", "mode", "minutes", "direction",
					    "network", NULL};
	if (api_check_params(req, res, known))
		return;
	const struct dataset *d = req->data;
	enum mode m;
	if (api_mode(req, res, &m))
		return;
	struct yz_errbuf eb;
	double lon, lat, minutes[QUERY_MINUTES_MAX] = {5, 10, 15};
	int count = 3, network = 0;
	bool to = false;
	enum yz_err err;
	const char *v;
	if ((err = query_double("lon", query_get(&req->query, "lon"), -180, 180, &lon, &eb)) ||
	    (err = query_double("lat", query_get(&req->query, "lat"), -90, 90, &lat, &eb)) ||
	    ((v = query_get(&req->query, "minutes")) &&
	     (err = query_minutes("minutes", v, minutes, ISO_MAX_LIMITS, API_MAX_MINUTES, &count, &eb))) ||
	    ((v = query_get(&req->query, "network")) && (err = query_bool("network", v, &network, &eb)))) {
		http_fail(res, err, eb.msg);
		return;
	}
	if ((v = query_get(&req->query, "direction"))) {
		if (!strcmp(v, "to")) {
			to = true;
		} else if (strcmp(v, "from")) {
			http_error(res, 400, "parse", "direction: expected from or to, got \"%.20s\"", v);
			return;
		}
	}
	if (count < 1) {
		http_error(res, 400, "parse", "minutes: at least one limit is needed");
		return;
	}
	struct snap at;
	if (api_snap(d, m, "point", lon, lat, &at, res))
		return;
	struct search *s = workspace_search(d->net.node_count);
	struct iso_scratch *x = workspace_iso();
	if (!s || !x) {
		http_busy(res);
		return;
	}
	struct iso_query q = {.at = &at, .to = to, .limit_count = (unsigned)count};
	for (int i = 0; i < count; i++)
		q.limit_ms[i] = (uint32_t)(minutes[i] * 60000.0 + 0.5);
	const struct graph *g = &d->graph[m];
	struct contour_params p;
	contour_params_init(&p, at.lon, at.lat);
	p.level_count = (uint32_t)count;
	if ((err = iso_reach(&x->iso, s, &d->net, g, &q)) ||
	    (err = iso_polygons(&x->iso, &d->net, &q, &p, x->res, &eb))) {
		if (err == YZ_ENOMEM) {
			http_busy(res);
		} else {
			http_fail(res, err, eb.msg);
		}
		return;
	}
	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	json_key(&j, "type");
	json_str(&j, "FeatureCollection");
	json_key(&j, "features");
	json_arr_begin(&j);
	for (int i = 0; i < count; i++) {
		const struct contour_result *r = &x->res[i];
		json_obj_begin(&j);
		json_key(&j, "type");
		json_str(&j, "Feature");
		json_key(&j, "properties");
		json_obj_begin(&j);
		json_key(&j, "minutes");
		json_minutes(&j, minutes[i]);
		json_key(&j, "kind");
		json_str(&j, "polygon");
		json_key(&j, "mode");
		json_str(&j, mode_name(m));
		json_key(&j, "direction");
		json_str(&j, to ? "to" : "from");
		json_key(&j, "area_m2");
		json_num(&j, r->area_m2, 0);
		json_key(&j, "vertices");
		json_uint(&j, r->pt_count);
		json_obj_end(&j);
		json_key(&j, "geometry");
		contour_write_geojson(&j, r);
		json_obj_end(&j);
	}
	if (network) {
		for (int i = 0; i < count; i++) {
			json_obj_begin(&j);
			json_key(&j, "type");
			json_str(&j, "Feature");
			json_key(&j, "properties");
			json_obj_begin(&j);
			json_key(&j, "minutes");
			json_minutes(&j, minutes[i]);
			json_key(&j, "kind");
			json_str(&j, "network");
			json_obj_end(&j);
			json_key(&j, "geometry");
			json_obj_begin(&j);
			json_key(&j, "type");
			json_str(&j, "MultiLineString");
			json_key(&j, "coordinates");
			json_arr_begin(&j);
			/* limit i: the stretches of every level up to i */
			struct line_ctx c = {&j};
			for (size_t k = 0; k < x->iso.span_count; k++) {
				const struct iso_span *sp = &x->iso.spans[k];
				if (sp->level > (uint32_t)i)
					continue;
				json_arr_begin(&j);
				network_seg_slice(&d->net, sp->seg, sp->f0, sp->f1, emit_json_point, &c);
				json_arr_end(&j);
			}
			json_arr_end(&j);
			json_obj_end(&j);
			json_obj_end(&j);
		}
	}
	json_arr_end(&j);
	json_key(&j, "snap_m");
	json_num(&j, at.dist_m, 2);
	json_obj_end(&j);
	res->content_type = "application/geo+json; charset=utf-8";
	res->cache_control = "public, max-age=60";
}
