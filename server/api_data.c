/* api_data.c — endpoints over the loaded data: /health, /metrics,
 * /api/stations, /api/stations/{id}, /api/communities, and the static page.
 *
 * Output is GeoJSON (RFC 7946: WGS84, lon/lat, 7 decimals, exterior rings
 * counter-clockwise).  Station lists are small (a province has ~5 000), so a
 * scan with the bbox test first is cheaper than anything cleverer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "common/geo.h"
#include "common/json.h"
#include "common/services.h"

#define DEMO_NOTICE "演示数据：驿站位置取自真实公交站点，名称、电话、时间与服务为虚构。" \
		    "Demonstration data: invented station details at real bus-stop positions."

/* ---- summary --------------------------------------------------------------- */

void api_write_summary(const struct dataset *d, struct buf *out)
{
	struct json j;
	json_init(&j, out);
	json_obj_begin(&j);
	json_key(&j, "name");
	json_str(&j, d->name);
	json_key(&j, "demo");
	json_bool(&j, d->demo);
	if (d->demo) {
		json_key(&j, "notice");
		json_str(&j, DEMO_NOTICE);
	}
	json_key(&j, "attribution");
	json_str(&j, API_ATTRIBUTION);
	json_key(&j, "source");
	json_str(&j, d->source);
	char ver[24];
	snprintf(ver, sizeof ver, "%016llx", (unsigned long long)d->version);
	json_key(&j, "version");
	json_str(&j, ver);
	json_key(&j, "timezone");
	json_str(&j, d->timezone);
	json_key(&j, "max_snap_m");
	json_num(&j, d->max_snap_m, 1);
	json_key(&j, "stations");
	json_uint(&j, d->station_count);
	json_key(&j, "communities");
	json_uint(&j, d->comm.count);
	json_key(&j, "map_features");
	json_uint(&j, d->feat.count);
	json_key(&j, "roads");
	json_obj_begin(&j);
	json_key(&j, "ways");
	json_uint(&j, d->road_ways);
	json_key(&j, "junctions");
	json_uint(&j, d->net.node_count);
	json_key(&j, "segments");
	json_uint(&j, d->net.seg_count);
	json_key(&j, "shape_points");
	json_uint(&j, d->net.pt_count);
	json_obj_end(&j);
	json_key(&j, "modes");
	json_obj_begin(&j);
	for (int m = 0; m < MODE_COUNT; m++) {
		const struct graph *g = &d->graph[m];
		json_key(&j, mode_name((enum mode)m));
		json_obj_begin(&j);
		json_key(&j, "nodes");
		json_uint(&j, g->kept_nodes);
		json_key(&j, "arcs");
		json_uint(&j, g->arc_count);
		json_key(&j, "osm_vertices");
		json_uint(&j, g->kept_vertices);
		json_key(&j, "segments");
		json_uint(&j, g->kept_segs);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_key(&j, "from_snapshot");
	json_bool(&j, d->from_snapshot);
	json_key(&j, "build_ms");
	json_num(&j, d->build_ms, 1);
	json_key(&j, "load_ms");
	json_num(&j, d->load_ms, 1);
	json_key(&j, "warnings");
	json_obj_begin(&j);
	json_key(&j, "total");
	json_uint(&j, report_total(&d->report));
	for (int w = 0; w < LW_COUNT; w++) {
		if (!d->report.count[w])
			continue;
		json_key(&j, report_kind_name((enum load_warn)w));
		json_obj_begin(&j);
		json_key(&j, "count");
		json_uint(&j, d->report.count[w]);
		json_key(&j, "examples");
		json_arr_begin(&j);
		for (unsigned k = 0; k < d->report.count[w] && k < REPORT_KEEP; k++)
			json_str(&j, d->report.msg[w][k]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_obj_end(&j);
}

void api_health(struct http_request *req, struct http_response *res)
{
	res->content_type = "application/json; charset=utf-8";
	res->cache_control = "no-store";
	buf_printf(&res->body, "{\"status\":\"ok\",\"uptime_s\":%.3f,\"dataset\":",
		   http_uptime_s(req->server));
	api_write_summary(req->data, &res->body);
	/* the last reload: when, how long, and why it failed (the old data
	 * keeps being served then) */
	struct http_reload_status rs;
	http_reload_status(req->server, &rs);
	buf_adds(&res->body, ",\"reload\":");
	struct json j;
	json_init(&j, &res->body);
	if (!rs.any) {
		json_null(&j);
	} else {
		char at[32];
		time_t t = (time_t)rs.at_unix;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_obj_begin(&j);
		json_key(&j, "count");
		json_uint(&j, rs.count);
		json_key(&j, "ok");
		json_bool(&j, rs.ok);
		json_key(&j, "at");
		json_str(&j, at);
		json_key(&j, "duration_s");
		json_num(&j, rs.duration_s, 3);
		json_key(&j, "message");
		json_str(&j, rs.message);
		json_obj_end(&j);
	}
	buf_addc(&res->body, '}');
}

void api_metrics(struct http_request *req, struct http_response *res)
{
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	res->cache_control = "no-store";
	http_metrics_text(req->server, &res->body);
}

/* ---- stations ------------------------------------------------------------------ */

void api_write_station_props(struct json *j, const struct dataset *d, const struct station *s,
			     int64_t now)
{
	json_key(j, "id");
	json_str(j, dataset_station_str(d, s->id));
	json_key(j, "name");
	json_str(j, dataset_station_str(d, s->name));
	json_key(j, "kind");
	json_str(j, dataset_station_str(d, s->kind));
	json_key(j, "address");
	json_str(j, dataset_station_str(d, s->address));
	json_key(j, "phone");
	json_str(j, dataset_station_str(d, s->phone));
	json_key(j, "hours");
	json_str(j, dataset_station_str(d, s->hours));
	api_write_open(j, d, (uint32_t)(s - d->stations), now);
	json_key(j, "services");
	json_arr_begin(j);
	for (unsigned i = 0; i < SERVICE_COUNT; i++)
		if (s->services & (1u << i))
			json_str(j, service_key(i));
	json_arr_end(j);
}

static void write_station_feature(struct json *j, const struct dataset *d, const struct station *s,
				  int64_t now)
{
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, "Feature");
	json_key(j, "id");
	json_str(j, dataset_station_str(d, s->id));
	json_key(j, "geometry");
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, "Point");
	json_key(j, "coordinates");
	json_lonlat(j, geo_from_e7(s->lon_e7), geo_from_e7(s->lat_e7));
	json_obj_end(j);
	json_key(j, "properties");
	json_obj_begin(j);
	api_write_station_props(j, d, s, now);
	json_obj_end(j);
	json_obj_end(j);
}

void api_stations(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"bbox", "service", "q", "at", NULL};
	if (api_check_params(req, res, known))
		return;
	int64_t now;
	if (api_now(req, res, &now))
		return;
	const struct dataset *d = req->data;
	struct yz_errbuf eb;
	double bbox[4] = {-180, -90, 180, 90};
	uint32_t mask = 0;
	const char *v;
	enum yz_err err;
	if ((v = query_get(&req->query, "bbox")) &&
	    (err = query_bbox("bbox", v, bbox, API_MAX_BBOX_DEG2, &eb))) {
		http_fail(res, err, eb.msg);
		return;
	}
	if ((v = query_get(&req->query, "service")) && *v &&
	    (err = query_services("service", v, &mask, &eb))) {
		http_fail(res, err, eb.msg);
		return;
	}
	const char *q = query_get(&req->query, "q");
	if (q && strlen(q) > API_MAX_Q_BYTES) {
		http_error(res, 413, "limit", "q: longer than %d bytes", API_MAX_Q_BYTES);
		return;
	}
	if (q && !*q)
		q = NULL;
	int32_t x0 = geo_to_e7(bbox[0]), y0 = geo_to_e7(bbox[1]);
	int32_t x1 = geo_to_e7(bbox[2]), y1 = geo_to_e7(bbox[3]);
	res->content_type = "application/geo+json; charset=utf-8";
	res->cache_control = "public, max-age=60";
	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	json_key(&j, "type");
	json_str(&j, "FeatureCollection");
	json_key(&j, "features");
	json_arr_begin(&j);
	unsigned n = 0;
	for (uint32_t i = 0; i < d->station_count; i++) {
		const struct station *s = &d->stations[i];
		if (s->lon_e7 < x0 || s->lon_e7 > x1 || s->lat_e7 < y0 || s->lat_e7 > y1)
			continue;
		if ((s->services & mask) != mask)
			continue;
		if (q && !strcasestr(dataset_station_str(d, s->name), q) &&
		    !strcasestr(dataset_station_str(d, s->address), q))
			continue;
		write_station_feature(&j, d, s, now);
		n++;
	}
	json_arr_end(&j);
	json_key(&j, "count");
	json_uint(&j, n);
	json_key(&j, "attribution");
	json_str(&j, API_ATTRIBUTION);
	json_obj_end(&j);
}

void api_station_one(struct http_request *req, struct http_response *res)
{
	const struct dataset *d = req->data;
	const char *id = req->path + strlen("/api/stations/");
	for (uint32_t i = 0; i < d->station_count; i++) {
		const struct station *s = &d->stations[i];
		if (strcmp(dataset_station_str(d, s->id), id))
			continue;
		res->content_type = "application/geo+json; charset=utf-8";
		res->cache_control = "public, max-age=60";
		int64_t now;
		if (api_now(req, res, &now))
			return;
		struct json j;
		json_init(&j, &res->body);
		write_station_feature(&j, d, s, now);
		return;
	}
	http_error(res, 404, "notfound", "no station with id \"%.80s\"", id);
}

/* ---- communities ------------------------------------------------------------------ */

static void write_ring(struct json *j, const struct communityset *cs, uint32_t r)
{
	json_arr_begin(j);
	for (uint32_t p = cs->ring_pt_first[r]; p < cs->ring_pt_first[r + 1]; p++)
		json_lonlat(j, geo_from_e7(cs->pt_lon_e7[p]), geo_from_e7(cs->pt_lat_e7[p]));
	json_arr_end(j);
}

void api_write_community_geometry(struct json *j, const struct communityset *cs,
				  const struct community *c)
{
	unsigned outers = 0;
	for (uint32_t r = c->ring_first; r < c->ring_first + c->ring_count; r++)
		outers += (cs->ring_flags[r] & RING_OUTER) != 0;
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, outers > 1 ? "MultiPolygon" : "Polygon");
	json_key(j, "coordinates");
	json_arr_begin(j);
	bool open = false;
	for (uint32_t r = c->ring_first; r < c->ring_first + c->ring_count; r++) {
		if (outers > 1 && (cs->ring_flags[r] & RING_OUTER)) {
			if (open)
				json_arr_end(j);
			json_arr_begin(j);
			open = true;
		}
		write_ring(j, cs, r);
	}
	if (open)
		json_arr_end(j);
	json_arr_end(j);
	json_obj_end(j);
}

void api_communities(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {NULL};
	if (api_check_params(req, res, known))
		return;
	const struct dataset *d = req->data;
	res->content_type = "application/geo+json; charset=utf-8";
	res->cache_control = "public, max-age=300";
	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	json_key(&j, "type");
	json_str(&j, "FeatureCollection");
	json_key(&j, "features");
	json_arr_begin(&j);
	for (uint32_t c = 0; c < d->comm.count; c++) {
		const struct community *cm = &d->comm.items[c];
		json_obj_begin(&j);
		json_key(&j, "type");
		json_str(&j, "Feature");
		json_key(&j, "id");
		json_str(&j, dataset_comm_str(d, cm->id));
		json_key(&j, "geometry");
		api_write_community_geometry(&j, &d->comm, cm);
		json_key(&j, "properties");
		json_obj_begin(&j);
		json_key(&j, "id");
		json_str(&j, dataset_comm_str(d, cm->id));
		json_key(&j, "name");
		json_str(&j, dataset_comm_str(d, cm->name));
		if (cm->population >= 0) {
			json_key(&j, "population");
			json_num(&j, cm->population, 0);
		}
		json_obj_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "attribution");
	json_str(&j, API_ATTRIBUTION);
	json_obj_end(&j);
}

/* ---- static files ------------------------------------------------------------------- */

static const char *mime_of(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},   {".png", "image/png"},
		{".svg", "image/svg+xml"},             {".json", "application/json"},
		{".ico", "image/x-icon"},              {".txt", "text/plain; charset=utf-8"},
		{".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* A request path is served only when every component is a plain name: no
 * "..", no hidden files, no backslashes, no empty components; the resolved
 * file must then still lie inside the root (symlinks out are refused). */
static int safe_path(const char *p)
{
	if (*p != '/')
		return 0;
	for (const char *c = p; *c; c++)
		if (*c == '\\' || (unsigned char)*c < 0x20)
			return 0;
	const char *seg = p + 1;
	while (*seg) {
		if (*seg == '.' || *seg == '/')
			return 0;
		const char *e = strchr(seg, '/');
		if (!e)
			break;
		seg = e + 1;
	}
	return strlen(p) < 512;
}

void api_static(struct http_request *req, struct http_response *res)
{
	const char *p = req->path;
	if (!strcmp(p, "/"))
		p = "/index.html";
	if (!safe_path(p)) {
		http_error(res, 404, "notfound", "no such file");
		return;
	}
	char root[PATH_MAX], want[PATH_MAX + 600], real[PATH_MAX];
	if (!realpath(req->static_root, root)) {
		http_error(res, 404, "notfound", "no such file");
		return;
	}
	snprintf(want, sizeof want, "%s%s", root, p);
	size_t rl = strlen(root);
	if (!realpath(want, real) || strncmp(real, root, rl) || real[rl] != '/') {
		http_error(res, 404, "notfound", "no such file");
		return;
	}
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer forever, holding a worker thread; fstat then refuses it. */
	int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024) {
		if (fd >= 0)
			close(fd);
		http_error(res, 404, "notfound", "no such file");
		return;
	}
	snprintf(res->etag, sizeof res->etag, "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
		 (unsigned long long)st.st_size);
	res->content_type = mime_of(real);
	res->compressible = !strncmp(res->content_type, "text/", 5) ||
			    strstr(res->content_type, "json") || strstr(res->content_type, "svg");
	res->cache_control = "public, max-age=300";
	if (req->if_none_match && !strcmp(req->if_none_match, res->etag)) {
		close(fd);
		res->status = 304;
		return;
	}
	buf_reserve(&res->body, (size_t)st.st_size);
	char chunk[65536];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof chunk)) > 0)
		buf_add(&res->body, chunk, (size_t)r);
	close(fd);
}
