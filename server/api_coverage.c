/* api_coverage.c — /api/coverage and /api/suggest: the planners' questions
 * (SPEC §3, §4).
 *
 * Coverage reads the dataset's nearest-station field (computed at load, one
 * per mode, routing/coverage.h) for the asked limit: one pass over the
 * mode's segments for the totals and the gaps, one over each community's
 * clipped stretches for the table.  Suggest runs the lazy greedy of
 * routing/suggest.h.  Both answer JSON, or with format=csv a table for
 * spreadsheets (UTF-8 with a byte-order mark, which Excel needs to read
 * Chinese) and with format=geojson features for GIS tools. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "common/geo.h"
#include "common/json.h"
#include "routing/cover_comm.h"
#include "routing/snap.h"
#include "routing/suggest.h"
#include "workspace.h"

#define API_SUGGEST_DEFAULT_K 3
#define API_SUGGEST_CELL_M 50.0
#define API_SUGGEST_MAX_CANDIDATES 5000

enum format { FMT_JSON, FMT_CSV, FMT_GEOJSON };

static int parse_format(struct http_request *req, struct http_response *res, enum format *out)
{
	const char *v = query_get(&req->query, "format");
	*out = FMT_JSON;
	if (!v || !strcmp(v, "json"))
		return 0;
	if (!strcmp(v, "csv")) {
		*out = FMT_CSV;
		return 0;
	}
	if (!strcmp(v, "geojson")) {
		*out = FMT_GEOJSON;
		return 0;
	}
	http_error(res, 400, "parse", "format: expected json, csv or geojson, got \"%.20s\"", v);
	return -1;
}

/* mode, one limit in minutes (default 15). */
static int parse_limit(struct http_request *req, struct http_response *res, enum mode *m,
		       double *minutes)
{
	return api_mode(req, res, m) || api_one_limit(req, res, minutes) ? -1 : 0;
}

static void csv_field(struct buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}


/* "type":"FeatureCollection","features":[ — inside an open object. */
static void begin_collection(struct json *j)
{
	json_key(j, "type");
	json_str(j, "FeatureCollection");
	json_key(j, "features");
	json_arr_begin(j);
}

/* {"type":"Feature","properties":{ — the caller writes the properties,
 * closes them, then writes "geometry" and closes the feature. */
static void begin_feature(struct json *j)
{
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, "Feature");
	json_key(j, "properties");
	json_obj_begin(j);
}

/* ---- coverage -------------------------------------------------------------------- */

static void emit_point(void *ctx, double lon, double lat)
{
	json_lonlat(ctx, lon, lat);
}

static void write_gaps(struct json *j, const struct dataset *d, enum mode m, double limit_ms)
{
	const struct graph *g = &d->graph[m];
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, "MultiLineString");
	json_key(j, "coordinates");
	json_arr_begin(j);
	for (uint32_t seg = 0; seg < d->net.seg_count; seg++) {
		if (!g->seg_dirs[seg])
			continue;
		struct cover_iv cov, gap;
		coverage_seg_covered_now(&d->cover[m], &d->net, g, seg, limit_ms, &cov);
		cover_iv_complement(&cov, &gap);
		for (unsigned i = 0; i < gap.n; i++) {
			if (!(gap.iv[i][1] - gap.iv[i][0] > 1e-9))
				continue;
			json_arr_begin(j);
			network_seg_slice(&d->net, seg, gap.iv[i][0], gap.iv[i][1], emit_point, j);
			json_arr_end(j);
		}
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void write_comm_props(struct json *j, const struct dataset *d, const struct community *cm,
			     const struct cover_sum *r)
{
	json_key(j, "id");
	json_str(j, dataset_comm_str(d, cm->id));
	json_key(j, "name");
	json_str(j, dataset_comm_str(d, cm->name));
	json_key(j, "road_m");
	json_num(j, r->road_m, 2);
	json_key(j, "covered_m");
	json_num(j, r->covered_m, 2);
	json_key(j, "ratio");
	json_num(j, r->road_m > 0 ? r->covered_m / r->road_m : 0, 6);
	if (cm->population >= 0) {
		json_key(j, "population");
		json_num(j, cm->population, 0);
		json_key(j, "covered_population");
		json_num(j, r->road_m > 0 ? cm->population * r->covered_m / r->road_m : 0, 1);
	}
}

void api_coverage(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"mode", "minutes", "gaps", "format", NULL};
	if (api_check_params(req, res, known))
		return;
	const struct dataset *d = req->data;
	enum mode m;
	double minutes;
	enum format fmt;
	int gaps = 1;
	const char *v;
	struct yz_errbuf eb;
	enum yz_err err;
	if (parse_limit(req, res, &m, &minutes) || parse_format(req, res, &fmt))
		return;
	if ((v = query_get(&req->query, "gaps")) && (err = query_bool("gaps", v, &gaps, &eb))) {
		http_fail(res, err, eb.msg);
		return;
	}
	double limit_ms = minutes * 60000.0;
	const struct graph *g = &d->graph[m];

	/* totals and the community table */
	struct cover_sum *rows = calloc(d->comm.count ? d->comm.count : 1, sizeof *rows);
	if (!rows) {
		http_busy(res);
		return;
	}
	struct cover_sum total;
	cover_sums(&d->cover[m], &d->net, g, limit_ms, &d->comm_spans, &total, rows);
	double road_m = total.road_m, covered_m = total.covered_m;
	double pop = 0, pop_covered = 0;
	bool any_pop = false;
	for (uint32_t c = 0; c < d->comm.count; c++) {
		const struct community *cm = &d->comm.items[c];
		if (cm->population >= 0) {
			any_pop = true;
			pop += cm->population;
			if (rows[c].road_m > 0)
				pop_covered += cm->population * rows[c].covered_m / rows[c].road_m;
		}
	}

	if (fmt == FMT_CSV) {
		struct buf *b = &res->body;
		buf_adds(b, "\xEF\xBB\xBFid,name,road_m,covered_m,ratio,population,covered_population\r\n");
		for (uint32_t c = 0; c < d->comm.count; c++) {
			const struct community *cm = &d->comm.items[c];
			csv_field(b, dataset_comm_str(d, cm->id));
			buf_addc(b, ',');
			csv_field(b, dataset_comm_str(d, cm->name));
			double ratio = rows[c].road_m > 0 ? rows[c].covered_m / rows[c].road_m : 0;
			buf_printf(b, ",%.2f,%.2f,%.6f", rows[c].road_m, rows[c].covered_m, ratio);
			if (cm->population >= 0)
				buf_printf(b, ",%.0f,%.1f\r\n", cm->population, cm->population * ratio);
			else
				buf_adds(b, ",,\r\n");
		}
		free(rows);
		res->content_type = "text/csv; charset=utf-8";
		res->disposition = "attachment; filename=\"coverage.csv\"";
		res->cache_control = "public, max-age=60";
		return;
	}

	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	if (fmt == FMT_GEOJSON) {
		/* the communities with their figures, then the gaps */
		begin_collection(&j);
		for (uint32_t c = 0; c < d->comm.count; c++) {
			const struct community *cm = &d->comm.items[c];
			begin_feature(&j);
			json_key(&j, "kind");
			json_str(&j, "community");
			write_comm_props(&j, d, cm, &rows[c]);
			json_obj_end(&j);
			json_key(&j, "geometry");
			api_write_community_geometry(&j, &d->comm, cm);
			json_obj_end(&j);
		}
		if (gaps) {
			begin_feature(&j);
			json_key(&j, "kind");
			json_str(&j, "gaps");
			json_key(&j, "mode");
			json_str(&j, mode_name(m));
			json_key(&j, "minutes");
			json_num(&j, minutes, 3);
			json_obj_end(&j);
			json_key(&j, "geometry");
			write_gaps(&j, d, m, limit_ms);
			json_obj_end(&j);
		}
		json_arr_end(&j);
	} else {
		json_key(&j, "mode");
		json_str(&j, mode_name(m));
		json_key(&j, "minutes");
		json_num(&j, minutes, 3);
		json_key(&j, "stations");
		json_uint(&j, d->cover[m].stations_used);
		json_key(&j, "total");
		json_obj_begin(&j);
		json_key(&j, "road_m");
		json_num(&j, road_m, 2);
		json_key(&j, "covered_m");
		json_num(&j, covered_m, 2);
		json_key(&j, "ratio");
		json_num(&j, road_m > 0 ? covered_m / road_m : 0, 6);
		if (any_pop) {
			json_key(&j, "population");
			json_num(&j, pop, 0);
			json_key(&j, "covered_population");
			json_num(&j, pop_covered, 1);
		}
		json_obj_end(&j);
		json_key(&j, "communities");
		json_arr_begin(&j);
		for (uint32_t c = 0; c < d->comm.count; c++) {
			json_obj_begin(&j);
			write_comm_props(&j, d, &d->comm.items[c], &rows[c]);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_key(&j, "gaps");
		if (gaps)
			write_gaps(&j, d, m, limit_ms);
		else
			json_null(&j);
	}
	json_key(&j, "attribution");
	json_str(&j, API_ATTRIBUTION);
	json_obj_end(&j);
	free(rows);
	res->content_type = fmt == FMT_GEOJSON ? "application/geo+json; charset=utf-8"
					       : "application/json; charset=utf-8";
	if (fmt == FMT_GEOJSON)
		res->disposition = "attachment; filename=\"coverage.geojson\"";
	res->cache_control = "public, max-age=60";
}

/* ---- suggest ---------------------------------------------------------------------- */

static void write_site_gains(struct json *j, const struct suggest_site *s, bool by_pop)
{
	json_key(j, "gain_m");
	json_num(j, s->gain_m, 2);
	json_key(j, "covered_m_after");
	json_num(j, s->covered_m_after, 2);
	if (by_pop) {
		json_key(j, "gain_population");
		json_num(j, s->gain_w, 1);
		json_key(j, "covered_population_after");
		json_num(j, s->covered_w_after, 1);
	}
}

void api_suggest(struct http_request *req, struct http_response *res)
{
	static const char *const known[] = {"mode", "minutes", "k", "format", "by", NULL};
	if (api_check_params(req, res, known))
		return;
	const struct dataset *d = req->data;
	enum mode m;
	double minutes;
	enum format fmt;
	long k = API_SUGGEST_DEFAULT_K;
	const char *v;
	struct yz_errbuf eb;
	enum yz_err err;
	if (parse_limit(req, res, &m, &minutes) || parse_format(req, res, &fmt))
		return;
	if ((v = query_get(&req->query, "k")) &&
	    (err = query_int("k", v, 1, SUGGEST_MAX_K, &k, &eb))) {
		http_fail(res, err, eb.msg);
		return;
	}
	bool by_pop = false;
	if ((v = query_get(&req->query, "by"))) {
		if (!strcmp(v, "population")) {
			by_pop = true;
		} else if (strcmp(v, "length")) {
			http_error(res, 400, "parse", "by: expected length or population, got \"%.20s\"", v);
			return;
		}
	}
	struct search *s = workspace_search(d->net.node_count);
	float *weight = NULL;
	if (by_pop) {
		weight = malloc((d->net.seg_count ? d->net.seg_count : 1) * sizeof *weight);
		if (!weight) {
			http_busy(res);
			return;
		}
		if (cover_comm_weights(&d->comm_spans, &d->comm, &d->net, &d->graph[m], weight) < 0) {
			free(weight);
			http_error(res, 422, "nopopulation",
				   "by=population: no community of this dataset has a population");
			return;
		}
	}
	if (!s) {
		free(weight);
		http_busy(res);
		return;
	}
	struct suggest_params p = {
		.seg_weight = weight,
		.limit_ms = (uint32_t)(minutes * 60000.0 + 0.5),
		.k = (unsigned)k,
		.cell_m = API_SUGGEST_CELL_M,
		.max_candidates = API_SUGGEST_MAX_CANDIDATES,
	};
	struct suggest_site sites[SUGGEST_MAX_K];
	unsigned n;
	struct suggest_stats st;
	enum yz_err serr = suggest_run(s, &d->net, &d->graph[m], &d->cover[m], &p, sites, &n, &st);
	free(weight);
	if (serr) {
		http_busy(res);
		return;
	}
	res->cache_control = "public, max-age=60";
	if (fmt == FMT_CSV) {
		struct buf *b = &res->body;
		buf_adds(b, by_pop ? "\xEF\xBB\xBFrank,lon,lat,gain_m,covered_m_after,gain_population,"
				     "covered_population_after\r\n"
				   : "\xEF\xBB\xBFrank,lon,lat,gain_m,covered_m_after\r\n");
		for (unsigned i = 0; i < n; i++) {
			buf_printf(b, "%u,%.7f,%.7f,%.2f,%.2f", i + 1, sites[i].lon, sites[i].lat,
				   sites[i].gain_m, sites[i].covered_m_after);
			if (by_pop)
				buf_printf(b, ",%.1f,%.1f", sites[i].gain_w, sites[i].covered_w_after);
			buf_adds(b, "\r\n");
		}
		res->content_type = "text/csv; charset=utf-8";
		res->disposition = "attachment; filename=\"suggest.csv\"";
		return;
	}
	struct json j;
	json_init(&j, &res->body);
	json_obj_begin(&j);
	if (fmt == FMT_GEOJSON) {
		begin_collection(&j);
		for (unsigned i = 0; i < n; i++) {
			begin_feature(&j);
			json_key(&j, "rank");
			json_uint(&j, i + 1);
			write_site_gains(&j, &sites[i], by_pop);
			json_obj_end(&j);
			json_key(&j, "geometry");
			json_obj_begin(&j);
			json_key(&j, "type");
			json_str(&j, "Point");
			json_key(&j, "coordinates");
			json_lonlat(&j, sites[i].lon, sites[i].lat);
			json_obj_end(&j);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		res->disposition = "attachment; filename=\"suggest.geojson\"";
	} else {
		json_key(&j, "mode");
		json_str(&j, mode_name(m));
		json_key(&j, "minutes");
		json_num(&j, minutes, 3);
		json_key(&j, "road_m");
		json_num(&j, st.road_m, 2);
		json_key(&j, "covered_m_before");
		json_num(&j, st.covered_m_before, 2);
		json_key(&j, "by");
		json_str(&j, by_pop ? "population" : "length");
		if (by_pop) {
			json_key(&j, "population");
			json_num(&j, st.total_w, 1);
			json_key(&j, "covered_population_before");
			json_num(&j, st.covered_w_before, 1);
		}
		json_key(&j, "candidates");
		json_uint(&j, st.candidates);
		json_key(&j, "evaluations");
		json_uint(&j, st.evaluations);
		json_key(&j, "sites");
		json_arr_begin(&j);
		for (unsigned i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_key(&j, "lon");
			json_num(&j, sites[i].lon, 7);
			json_key(&j, "lat");
			json_num(&j, sites[i].lat, 7);
			write_site_gains(&j, &sites[i], by_pop);
			json_obj_end(&j);
		}
		json_arr_end(&j);
	}
	json_key(&j, "attribution");
	json_str(&j, API_ATTRIBUTION);
	json_obj_end(&j);
	res->content_type = fmt == FMT_GEOJSON ? "application/geo+json; charset=utf-8"
					       : "application/json; charset=utf-8";
}
