/* check_datasets.c — server/dataset's dataset_build over real and bad input.
 *
 * Every data set of the shared folder is loaded with its files named directly
 * (roads, stations, boundaries where present) and checked against what its
 * files hold (feature counts from the data README, first and last features
 * read from the files), plus the graph and community invariants.  Small
 * GeoJSON / CSV / dataset.conf files written here give each SPEC §1 bad-input
 * case — no geometry, duplicate id, unknown service, out-of-range coordinate,
 * a station far from the roads, a self-intersecting or holed community — and
 * the test checks the counted, named warning and what was (not) loaded.
 * Errors (missing file, unknown CRS, no highway field) must fail cleanly; the
 * sanitizer build checks that nothing leaks on those paths. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/services.h"
#include "data/crs.h"
#include "server/dataset.h"
#include "tests/support/shared_data.h"

Suite *datasets_suite(void);

#define FIXTURES "tests/fixtures/osm/"

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/yz-ds-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Path of `name` in the temporary folder; four rotating buffers. */
static const char *tmp(const char *name)
{
	static char paths[4][512];
	static int k;
	char *p = paths[k++ % 4];
	snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	ck_assert_int_eq(fclose(f), 0);
}

/* Absolute path of a repository file (dataset.conf paths are relative to the
 * dataset folder, which is a temporary one). */
static const char *repo_path(const char *rel)
{
	static char p[1024];
	ck_assert_ptr_nonnull(getcwd(p, sizeof p - 200));
	strcat(p, "/");
	strcat(p, rel);
	return p;
}

static enum yz_err build_files(const char *roads, const char *stations, const char *communities,
			       const char *crs, struct dataset **d, struct yz_errbuf *eb)
{
	struct dataset_sources src = {.roads = roads, .stations = stations,
				      .communities = communities, .crs = crs};
	eb->msg[0] = '\0';
	return dataset_build(&src, d, eb);
}

static enum yz_err build_dir(const char *dir, struct dataset **d, struct yz_errbuf *eb)
{
	struct dataset_sources src = {.dir = dir};
	eb->msg[0] = '\0';
	return dataset_build(&src, d, eb);
}

/* Is there a kept warning of kind w whose message holds both substrings? */
static int has_warning(const struct dataset *d, enum load_warn w, const char *a, const char *b)
{
	unsigned kept = d->report.count[w] < REPORT_KEEP ? d->report.count[w] : REPORT_KEEP;
	for (unsigned k = 0; k < kept; k++) {
		const char *m = d->report.msg[w][k];
		if ((!a || strstr(m, a)) && (!b || strstr(m, b)))
			return 1;
	}
	return 0;
}

static void dump_warnings(const struct dataset *d)
{
	for (int w = 0; w < LW_COUNT; w++)
		for (unsigned k = 0; k < d->report.count[w] && k < REPORT_KEEP; k++)
			fprintf(stderr, "  %s: %s\n", report_kind_name((enum load_warn)w),
				d->report.msg[w][k]);
}

#define ck_warn(d, w, a, b)                                                                \
	do {                                                                                \
		if (!has_warning((d), (w), (a), (b)))                                       \
			dump_warnings(d);                                                   \
		ck_assert_msg(has_warning((d), (w), (a), (b)), "no %s warning with \"%s\" \"%s\"", \
			      report_kind_name(w), (a) ? (a) : "", (b) ? (b) : "");          \
	} while (0)

static const struct station *station_by_id(const struct dataset *d, const char *id)
{
	for (uint32_t i = 0; i < d->station_count; i++)
		if (!strcmp(dataset_station_str(d, d->stations[i].id), id))
			return &d->stations[i];
	return NULL;
}

static const struct community *community_by_id(const struct dataset *d, const char *id)
{
	for (uint32_t i = 0; i < d->comm.count; i++)
		if (!strcmp(dataset_comm_str(d, d->comm.items[i].id), id))
			return &d->comm.items[i];
	return NULL;
}

static int32_t e7(double deg)
{
	return (int32_t)lround(deg * 1e7);
}

/* Twice the signed area of ring r (lon/lat e7 units), positive when CCW. */
static double ring_area2(const struct communityset *cs, uint32_t r)
{
	double a = 0;
	for (uint32_t i = cs->ring_pt_first[r]; i + 1 < cs->ring_pt_first[r + 1]; i++)
		a += (double)cs->pt_lon_e7[i] * cs->pt_lat_e7[i + 1] -
		     (double)cs->pt_lon_e7[i + 1] * cs->pt_lat_e7[i];
	return a;
}

/* What every community set must satisfy. */
static void check_communities(const struct communityset *cs)
{
	uint32_t next_ring = 0;
	for (uint32_t c = 0; c < cs->count; c++) {
		const struct community *cm = &cs->items[c];
		ck_assert_uint_eq(cm->ring_first, next_ring); /* in order, no gaps */
		ck_assert_uint_ge(cm->ring_count, 1);
		ck_assert_uint_ne(cm->id, 0);
		next_ring += cm->ring_count;
		ck_assert_msg(cs->ring_flags[cm->ring_first] & RING_OUTER,
			      "community %u starts with a hole", c);
		for (uint32_t r = cm->ring_first; r < cm->ring_first + cm->ring_count; r++) {
			uint32_t a = cs->ring_pt_first[r], b = cs->ring_pt_first[r + 1];
			ck_assert_uint_ge(b - a, 4);
			ck_assert(cs->pt_lon_e7[a] == cs->pt_lon_e7[b - 1] &&
				  cs->pt_lat_e7[a] == cs->pt_lat_e7[b - 1]);
			/* RFC 7946: outer rings counter-clockwise, holes clockwise */
			if (cs->ring_flags[r] & RING_OUTER)
				ck_assert_msg(ring_area2(cs, r) > 0, "community %u ring %u not CCW", c, r);
			else
				ck_assert_msg(ring_area2(cs, r) < 0, "community %u hole %u not CW", c, r);
			for (uint32_t i = a; i < b; i++) {
				ck_assert(cs->pt_lon_e7[i] >= cm->min_lon_e7 &&
					  cs->pt_lon_e7[i] <= cm->max_lon_e7);
				ck_assert(cs->pt_lat_e7[i] >= cm->min_lat_e7 &&
					  cs->pt_lat_e7[i] <= cm->max_lat_e7);
			}
		}
	}
	ck_assert_uint_eq(next_ring, cs->ring_count);
	ck_assert_uint_eq(cs->ring_pt_first[cs->ring_count], cs->pt_count);
}

/* ---- the shared data sets ---------------------------------------------------------- */

struct shared_set {
	const char *roads, *stations, *communities;
	uint32_t n_stations, n_communities; /* from the data README */
	/* first and last station as in the file: name ("" for null), lon, lat */
	const char *first_name;
	double first_lon, first_lat;
	const char *last_name;
	double last_lon, last_lat;
	const char *comm0_id, *comm0_name;
};

static const struct shared_set shared_sets[] = {
	{"shanghai_huangpu_small/shanghai_huangpu.osm.pbf",
	 "shanghai_huangpu_small/stations_candidates_busstops.geojson",
	 "shanghai_huangpu_small/shanghai_districts_wgs84.geojson", 144, 2,
	 "淮海中路重庆南路", 121.4649162, 31.2230482, "延安东路重庆北路", 121.4665421, 31.2268487,
	 "310101", "黄浦区"},
	{"hsinchu_nctu/hsinchu_nctu.osm.pbf", "hsinchu_nctu/stations_candidates.geojson",
	 "hsinchu_nctu/hsinchu_villages.geojson", 189, 12, "7-Eleven", 121.0133255, 24.7847278,
	 "獅子亭", 120.9865187, 24.7950644, "1000410001", "雙溪村"},
	{"monaco/monaco.osm.pbf", "monaco/stations_candidates.geojson",
	 "monaco/boundaries_admin.geojson", 30, 4, "", 7.4118228, 43.7285497, "", 7.4235185,
	 43.7299774, "0", "Monaco"},
	{"shanghai_center/shanghai_center.osm.pbf",
	 "shanghai_center/stations_candidates_busstops.geojson",
	 "shanghai_center/shanghai_districts_wgs84.geojson", 1226, 10, "重庆南路复兴中路",
	 121.4664839, 31.2192531, "延安东路重庆北路", 121.4665421, 31.2268487, "310101", "黄浦区"},
	{"malta/malta.osm.pbf", "malta/stations_candidates.geojson",
	 "malta/boundaries_admin.geojson", 352, 64, "", 14.528417, 35.872008, "", 14.4895273,
	 35.8639386, "0", "Malta"},
	{"rnv_mannheim/rnv.osm.pbf", NULL, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};
#define N_SHARED ((int)(sizeof shared_sets / sizeof shared_sets[0]))

START_TEST(test_shared)
{
	const struct shared_set *s = &shared_sets[_i];
	char roads[1024], stations[1024], comm[1024];
	snprintf(roads, sizeof roads, "%s/%s", shared_dir(), s->roads);
	snprintf(stations, sizeof stations, "%s/%s", shared_dir(), s->stations ? s->stations : "");
	snprintf(comm, sizeof comm, "%s/%s", shared_dir(), s->communities ? s->communities : "");
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	enum yz_err err = build_files(roads, s->stations ? stations : NULL,
				      s->communities ? comm : NULL, NULL, &d, &eb);
	ck_assert_msg(err == YZ_OK, "%s: %s", s->roads, eb.msg);

	/* clean data: nothing to warn about (stations without names included),
	 * except real-world opening_hours beyond what stations use (malta has
	 * one with a month selector): those are named warnings about hours */
	if (report_total(&d->report) != d->report.count[LW_STATION_FIELD])
		dump_warnings(d);
	ck_assert_uint_eq(report_total(&d->report), d->report.count[LW_STATION_FIELD]);
	ck_assert_uint_le(d->report.count[LW_STATION_FIELD], 2);
	for (unsigned k = 0; k < d->report.count[LW_STATION_FIELD] && k < REPORT_KEEP; k++)
		ck_assert_msg(strstr(d->report.msg[LW_STATION_FIELD][k], "hours") != NULL, "%s",
			      d->report.msg[LW_STATION_FIELD][k]);
	ck_assert_uint_eq(d->station_count, s->n_stations);
	ck_assert_uint_eq(d->comm.count, s->n_communities);
	ck_assert_str_eq(d->source, roads);
	ck_assert_str_eq(d->timezone, "Asia/Shanghai");
	ck_assert(d->max_snap_m == 1000);
	ck_assert(!d->from_snapshot);
	ck_assert_uint_ne(d->version, 0);

	/* roads: every mode has a graph, a part of the network */
	ck_assert_uint_gt(d->road_ways, 100);
	ck_assert_uint_gt(d->net.node_count, 100);
	ck_assert_int_eq(network_validate(&d->net), 0);
	for (int m = 0; m < MODE_COUNT; m++) {
		const struct graph *g = &d->graph[m];
		ck_assert_int_eq(graph_validate(g, &d->net), 0);
		ck_assert_msg(g->arc_count > 0 && g->kept_nodes > 1, "%s: empty %s graph", s->roads,
			      mode_name((enum mode)m));
		ck_assert_uint_le(g->kept_nodes, d->net.node_count);
		ck_assert_uint_le(g->kept_segs, d->net.seg_count);
		ck_assert_uint_ge(g->kept_vertices, g->kept_nodes);
		/* strongly connected: at least one arc in and out per kept node */
		ck_assert_uint_ge(g->arc_count, g->kept_nodes);
	}

	/* stations: no id field, so the id is the feature's index */
	char want[24];
	for (uint32_t i = 0; i < d->station_count; i++) {
		snprintf(want, sizeof want, "%u", i);
		ck_assert_str_eq(dataset_station_str(d, d->stations[i].id), want);
		ck_assert_uint_eq(d->stations[i].services, 0);
	}
	if (d->station_count) {
		const struct station *f = &d->stations[0], *l = &d->stations[d->station_count - 1];
		ck_assert_str_eq(dataset_station_str(d, f->name), s->first_name);
		ck_assert_int_eq(f->lon_e7, e7(s->first_lon));
		ck_assert_int_eq(f->lat_e7, e7(s->first_lat));
		ck_assert_str_eq(dataset_station_str(d, l->name), s->last_name);
		ck_assert_int_eq(l->lon_e7, e7(s->last_lon));
		ck_assert_int_eq(l->lat_e7, e7(s->last_lat));
	}

	/* communities */
	check_communities(&d->comm);
	if (d->comm.count) {
		ck_assert_str_eq(dataset_comm_str(d, d->comm.items[0].id), s->comm0_id);
		ck_assert_str_eq(dataset_comm_str(d, d->comm.items[0].name), s->comm0_name);
		for (uint32_t c = 0; c < d->comm.count; c++)
			ck_assert(d->comm.items[c].population < 0); /* no population field */
	}
	dataset_free(d);
}
END_TEST

/* The bundled dataset through its folder. */
START_TEST(test_bundled)
{
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(build_dir("data/shanghai", &d, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(d->name, "上海市中心城区（演示数据）");
	ck_assert(d->demo);
	ck_assert_uint_eq(d->station_count, 80);
	ck_assert_uint_eq(d->comm.count, 10);
	ck_assert_uint_eq(report_total(&d->report), 0);
	/* SOURCES.md: stations SH-001… with 3–8 known services each */
	ck_assert_str_eq(dataset_station_str(d, d->stations[0].id), "SH-001");
	for (uint32_t i = 0; i < d->station_count; i++) {
		int n = __builtin_popcount(d->stations[i].services);
		ck_assert_msg(n >= 3 && n <= 8, "station %u: %d services", i, n);
		ck_assert_str_ne(dataset_station_str(d, d->stations[i].name), "");
		ck_assert_str_ne(dataset_station_str(d, d->stations[i].hours), "");
	}
	check_communities(&d->comm);
	dataset_free(d);
}
END_TEST

/* ---- stations with bad input ---------------------------------------------------------- */

static const char bad_stations[] =
	"{\"type\":\"FeatureCollection\",\"features\":[\n"
	/* 0: good, every field */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A1\",\"name\":\"好驿站\","
	"\"address\":\"上海市黄浦区南一路1号\",\"phone\":\"021-60000000\",\"hours\":\"24/7\","
	"\"services\":\"water, charging;toilet\",\"kind\":\"工会驿站\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.4705,31.2301]}},\n"
	/* 1: no geometry */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A2\",\"name\":\"无几何\"},\"geometry\":null},\n"
	/* 2: duplicate id */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A1\",\"name\":\"重复\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.471,31.2302]}},\n"
	/* 3: an unknown service among known ones */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A3\",\"name\":\"怪服务\","
	"\"services\":\"water,massage; wifi\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.4712,31.2305]}},\n"
	/* 4: longitude out of range */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A4\",\"name\":\"越界\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[200.0,31.23]}},\n"
	/* 5: Beijing, far outside the roads */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A5\",\"name\":\"远方\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[116.404,39.915]}},\n"
	/* 6: not a point */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A6\",\"name\":\"线\"},"
	"\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[121.47,31.23],[121.471,31.231]]}},\n"
	/* 7: no id: the index */
	"{\"type\":\"Feature\",\"properties\":{\"name\":\"无编号\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.4715,31.2308]}},\n"
	/* 8: no name */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A8\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.4716,31.2309]}},\n"
	/* 9: empty point */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A9\",\"name\":\"空点\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[]}},\n"
	/* 10: a one-point MultiPoint counts as a point */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"A10\",\"name\":\"多点\"},"
	"\"geometry\":{\"type\":\"MultiPoint\",\"coordinates\":[[121.4702,31.2303]]}}\n"
	"]}\n";

START_TEST(test_bad_stations)
{
	make_tmpdir();
	write_text(tmp("stations.geojson"), bad_stations);
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	enum yz_err err = build_files(FIXTURES "oneway.osm", tmp("stations.geojson"), NULL, NULL,
				      &d, &eb);
	ck_assert_msg(err == YZ_OK, "%s", eb.msg);

	ck_assert_uint_eq(d->station_count, 6); /* A1 A3 A5 7 A8 A10 */
	ck_assert_uint_eq(d->report.count[LW_STATION_GEOMETRY], 4);
	ck_assert_uint_eq(d->report.count[LW_STATION_DUPLICATE_ID], 1);
	ck_assert_uint_eq(d->report.count[LW_STATION_UNKNOWN_SERVICE], 1);
	ck_assert_uint_eq(d->report.count[LW_STATION_OUTSIDE], 1);
	ck_assert_uint_eq(report_total(&d->report), 7);
	ck_warn(d, LW_STATION_GEOMETRY, "station 1 ", "无几何");
	ck_warn(d, LW_STATION_GEOMETRY, "station 4 ", "越界");
	ck_warn(d, LW_STATION_GEOMETRY, "station 6 ", "线");
	ck_warn(d, LW_STATION_GEOMETRY, "station 9 ", "空点");
	ck_warn(d, LW_STATION_DUPLICATE_ID, "station 2 \"重复\"", "\"A1\"");
	ck_warn(d, LW_STATION_UNKNOWN_SERVICE, "station 3 \"怪服务\"", "massage");
	ck_warn(d, LW_STATION_OUTSIDE, "A5", "远方");

	const struct station *a1 = station_by_id(d, "A1");
	ck_assert_ptr_nonnull(a1);
	ck_assert_str_eq(dataset_station_str(d, a1->name), "好驿站"); /* the first A1 */
	ck_assert_int_eq(a1->lon_e7, 1214705000);
	ck_assert_int_eq(a1->lat_e7, 312301000);
	ck_assert_str_eq(dataset_station_str(d, a1->address), "上海市黄浦区南一路1号");
	ck_assert_str_eq(dataset_station_str(d, a1->phone), "021-60000000");
	ck_assert_str_eq(dataset_station_str(d, a1->hours), "24/7");
	ck_assert_str_eq(dataset_station_str(d, a1->kind), "工会驿站");
	ck_assert_uint_eq(a1->services,
			  (1u << SVC_WATER) | (1u << SVC_CHARGING) | (1u << SVC_TOILET));

	const struct station *a3 = station_by_id(d, "A3");
	ck_assert_ptr_nonnull(a3);
	ck_assert_uint_eq(a3->services, (1u << SVC_WATER) | (1u << SVC_WIFI));

	ck_assert_ptr_nonnull(station_by_id(d, "A5")); /* kept, on the map */
	const struct station *s7 = station_by_id(d, "7");
	ck_assert_ptr_nonnull(s7);
	ck_assert_str_eq(dataset_station_str(d, s7->name), "无编号");
	const struct station *a8 = station_by_id(d, "A8");
	ck_assert_ptr_nonnull(a8);
	ck_assert_str_eq(dataset_station_str(d, a8->name), "");
	ck_assert_ptr_nonnull(station_by_id(d, "A10"));
	ck_assert_ptr_null(station_by_id(d, "A2"));
	ck_assert_ptr_null(station_by_id(d, "A4"));
	ck_assert_ptr_null(station_by_id(d, "A6"));
	ck_assert_ptr_null(station_by_id(d, "A9"));
	/* source order is kept */
	ck_assert_str_eq(dataset_station_str(d, d->stations[0].id), "A1");
	ck_assert_str_eq(dataset_station_str(d, d->stations[5].id), "A10");
	dataset_free(d);
	remove_tmpdir();
}
END_TEST

START_TEST(test_csv_stations)
{
	make_tmpdir();
	write_text(tmp("s.csv"),
		   "id,name,lon,lat,services,opening_hours\n"
		   "c1,驿站一,121.4705,31.2301,water,24/7\n"
		   "c2,驿站二,121.4712,31.2310,\"charging,wifi\",Mo-Fr 08:00-20:00\n"
		   "c3,坏坐标,abc,31.23,,\n"
		   "c4,空坐标,,,,\n");
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(build_files(FIXTURES "oneway.osm", tmp("s.csv"), NULL, NULL, &d, &eb) == YZ_OK,
		      "%s", eb.msg);
	ck_assert_uint_eq(d->station_count, 2);
	ck_assert_uint_eq(d->report.count[LW_STATION_GEOMETRY], 2);
	ck_assert_uint_eq(report_total(&d->report), 2);
	ck_warn(d, LW_STATION_GEOMETRY, "station 2 ", "坏坐标");
	ck_warn(d, LW_STATION_GEOMETRY, "station 3 ", "空坐标");
	const struct station *c2 = station_by_id(d, "c2");
	ck_assert_ptr_nonnull(c2);
	ck_assert_int_eq(c2->lon_e7, 1214712000);
	ck_assert_int_eq(c2->lat_e7, 312310000);
	ck_assert_uint_eq(c2->services, (1u << SVC_CHARGING) | (1u << SVC_WIFI));
	ck_assert_str_eq(dataset_station_str(d, c2->hours), "Mo-Fr 08:00-20:00");
	dataset_free(d);

	/* other column names, mapped in dataset.conf */
	write_text(tmp("t.csv"),
		   "编号,名称,经度,纬度,营业时间\n"
		   "x1,驿站甲,121.4701,31.2302,Sa-Su 09:00-18:00\n");
	char conf[2048];
	snprintf(conf, sizeof conf,
		 "[roads]\npath = %s\n[stations]\npath = t.csv\nfield.id = 编号\n"
		 "field.name = 名称\nfield.lon = 经度\nfield.lat = 纬度\nfield.hours = 营业时间\n",
		 repo_path(FIXTURES "oneway.osm"));
	write_text(tmp("dataset.conf"), conf);
	ck_assert_msg(build_dir(tmpdir, &d, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_uint_eq(d->station_count, 1);
	ck_assert_str_eq(dataset_station_str(d, d->stations[0].id), "x1");
	ck_assert_str_eq(dataset_station_str(d, d->stations[0].name), "驿站甲");
	ck_assert_str_eq(dataset_station_str(d, d->stations[0].hours), "Sa-Su 09:00-18:00");
	ck_assert_int_eq(d->stations[0].lon_e7, 1214701000);
	ck_assert_int_eq(d->stations[0].lat_e7, 312302000);
	dataset_free(d);
	remove_tmpdir();
}
END_TEST

/* A GCJ-02 source (Amap coordinates): every point goes through the inverse. */
START_TEST(test_gcj02)
{
	make_tmpdir();
	const double sx = 121.4750, sy = 31.2290; /* as an Amap user would pick it */
	write_text(tmp("s.geojson"),
		   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
		   "\"properties\":{\"id\":\"g1\",\"name\":\"火星\"},\"geometry\":{\"type\":\"Point\","
		   "\"coordinates\":[121.4750,31.2290]}}]}\n");
	write_text(tmp("c.geojson"),
		   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
		   "\"properties\":{\"id\":\"q\",\"name\":\"方块\"},\"geometry\":{\"type\":\"Polygon\","
		   "\"coordinates\":[[[121.47,31.23],[121.48,31.23],[121.48,31.24],[121.47,31.24],"
		   "[121.47,31.23]]]}}]}\n");
	char conf[2048];
	snprintf(conf, sizeof conf,
		 "name = gcj\n[roads]\npath = %s\n[stations]\npath = s.geojson\ncrs = GCJ02\n"
		 "[communities]\npath = c.geojson\ncrs = gcj-02\n",
		 repo_path(FIXTURES "oneway.osm"));
	write_text(tmp("dataset.conf"), conf);
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(build_dir(tmpdir, &d, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_str_eq(d->name, "gcj");
	ck_assert_uint_eq(d->station_count, 1);
	double lon, lat;
	crs_gcj02_to_wgs84(sx, sy, &lon, &lat);
	ck_assert_int_eq(d->stations[0].lon_e7, e7(lon));
	ck_assert_int_eq(d->stations[0].lat_e7, e7(lat));
	/* the offset in Shanghai is a few hundred metres, mostly westwards */
	ck_assert(lon < sx - 0.003 && lon > sx - 0.006);
	/* and the forward formula maps the stored point back */
	double gx, gy;
	crs_wgs84_to_gcj02(d->stations[0].lon_e7 / 1e7, d->stations[0].lat_e7 / 1e7, &gx, &gy);
	ck_assert(fabs(gx - sx) < 1e-6 && fabs(gy - sy) < 1e-6);

	ck_assert_uint_eq(d->comm.count, 1);
	const struct communityset *cs = &d->comm;
	ck_assert_uint_eq(cs->ring_count, 1);
	crs_gcj02_to_wgs84(121.48, 31.23, &lon, &lat);
	int found = 0;
	for (uint32_t i = 0; i < cs->pt_count; i++)
		found += cs->pt_lon_e7[i] == e7(lon) && cs->pt_lat_e7[i] == e7(lat);
	ck_assert_int_ge(found, 1);
	check_communities(cs);
	dataset_free(d);
	remove_tmpdir();
}
END_TEST

/* ---- communities with bad input --------------------------------------------------------- */

static const char bad_communities[] =
	"{\"type\":\"FeatureCollection\",\"features\":[\n"
	/* 0: a good square, with population; drawn clockwise */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C1\",\"name\":\"方社区\",\"population\":1234},"
	"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[121.46,31.22],[121.46,31.23],"
	"[121.47,31.23],[121.47,31.22],[121.46,31.22]]]}},\n"
	/* 1: a bow-tie: self-intersecting */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C2\",\"name\":\"蝴蝶结\"},"
	"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[121.47,31.23],[121.48,31.24],"
	"[121.48,31.23],[121.47,31.24],[121.47,31.23]]]}},\n"
	/* 2: a MultiPolygon, the first part with a hole */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C3\",\"name\":\"回字\",\"population\":\"500\"},"
	"\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
	"[[[121.50,31.20],[121.53,31.20],[121.53,31.23],[121.50,31.23],[121.50,31.20]],"
	"[[121.51,31.21],[121.51,31.22],[121.52,31.22],[121.52,31.21],[121.51,31.21]]],"
	"[[[121.55,31.20],[121.56,31.20],[121.56,31.21],[121.55,31.20]]]]}},\n"
	/* 3: no geometry */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C4\",\"name\":\"空\"},\"geometry\":null},\n"
	/* 4: a point */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C5\",\"name\":\"点\"},"
	"\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.47,31.23]}},\n"
	/* 5: duplicate id */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C1\",\"name\":\"又一个\"},"
	"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[121.40,31.20],[121.41,31.20],"
	"[121.41,31.21],[121.40,31.21],[121.40,31.20]]]}},\n"
	/* 6: population that is no number */
	"{\"type\":\"Feature\",\"properties\":{\"id\":\"C6\",\"name\":\"多少\",\"population\":\"many\"},"
	"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[121.42,31.20],[121.43,31.20],"
	"[121.43,31.21],[121.42,31.21],[121.42,31.20]]]}},\n"
	/* 7: no id: the index */
	"{\"type\":\"Feature\",\"properties\":{\"name\":\"无编号\"},"
	"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[121.44,31.20],[121.45,31.20],"
	"[121.45,31.21],[121.44,31.21],[121.44,31.20]]]}}\n"
	"]}\n";

START_TEST(test_bad_communities)
{
	make_tmpdir();
	write_text(tmp("c.geojson"), bad_communities);
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(build_files(FIXTURES "oneway.osm", NULL, tmp("c.geojson"), NULL, &d, &eb) ==
			      YZ_OK, "%s", eb.msg);
	const struct communityset *cs = &d->comm;
	check_communities(cs);

	/* C1 C2 (repaired) C3 C6 7; skipped: C4, C5, the second C1 */
	ck_assert_uint_eq(cs->count, 5);
	ck_assert_uint_eq(d->report.count[LW_COMMUNITY_GEOMETRY], 3);
	ck_assert_uint_eq(d->report.count[LW_COMMUNITY_FIELD], 2);
	ck_assert_uint_eq(report_total(&d->report), 5);
	ck_warn(d, LW_COMMUNITY_GEOMETRY, "community 1 \"蝴蝶结\"", "invalid");
	ck_warn(d, LW_COMMUNITY_GEOMETRY, "community 3 \"空\"", NULL);
	ck_warn(d, LW_COMMUNITY_GEOMETRY, "community 4 \"点\"", NULL);
	ck_warn(d, LW_COMMUNITY_FIELD, "community 5 \"又一个\"", "duplicate id \"C1\"");
	ck_warn(d, LW_COMMUNITY_FIELD, "community 6 \"多少\"", "many");

	const struct community *c1 = community_by_id(d, "C1");
	ck_assert_ptr_nonnull(c1);
	ck_assert_str_eq(dataset_comm_str(d, c1->name), "方社区"); /* the first C1 */
	ck_assert(c1->population == 1234);
	ck_assert_uint_eq(c1->ring_count, 1);
	ck_assert_int_eq(c1->min_lon_e7, 1214600000);
	ck_assert_int_eq(c1->max_lat_e7, 312300000);
	uint32_t c1i = (uint32_t)(c1 - cs->items);
	ck_assert(community_contains(cs, c1i, 1214650000, 312250000));
	ck_assert(!community_contains(cs, c1i, 1214750000, 312250000));

	/* the bow-tie, repaired into its two triangles */
	const struct community *c2 = community_by_id(d, "C2");
	ck_assert_ptr_nonnull(c2);
	ck_assert_uint_eq(c2->ring_count, 2);
	uint32_t c2i = (uint32_t)(c2 - cs->items);
	for (uint32_t r = c2->ring_first; r < c2->ring_first + 2; r++) {
		ck_assert(cs->ring_flags[r] & RING_OUTER);
		ck_assert_uint_eq(cs->ring_pt_first[r + 1] - cs->ring_pt_first[r], 4);
	}
	ck_assert(community_contains(cs, c2i, 1214720000, 312350000));  /* west triangle */
	ck_assert(community_contains(cs, c2i, 1214780000, 312350000));  /* east triangle */
	ck_assert(!community_contains(cs, c2i, 1214750000, 312380000)); /* north notch */

	/* the MultiPolygon with a hole: outer, hole, outer */
	const struct community *c3 = community_by_id(d, "C3");
	ck_assert_ptr_nonnull(c3);
	ck_assert(c3->population == 500);
	ck_assert_uint_eq(c3->ring_count, 3);
	ck_assert(cs->ring_flags[c3->ring_first] & RING_OUTER);
	ck_assert(!(cs->ring_flags[c3->ring_first + 1] & RING_OUTER));
	ck_assert(cs->ring_flags[c3->ring_first + 2] & RING_OUTER);
	uint32_t c3i = (uint32_t)(c3 - cs->items);
	ck_assert(community_contains(cs, c3i, 1215050000, 312050000));  /* in the ring */
	ck_assert(!community_contains(cs, c3i, 1215150000, 312150000)); /* in the hole */
	ck_assert(community_contains(cs, c3i, 1215580000, 312020000));  /* second part */
	ck_assert(!community_contains(cs, c3i, 1215400000, 312150000)); /* between */
	ck_assert_int_eq(c3->min_lon_e7, 1215000000);
	ck_assert_int_eq(c3->max_lon_e7, 1215600000);

	const struct community *c6 = community_by_id(d, "C6");
	ck_assert_ptr_nonnull(c6);
	ck_assert(c6->population < 0);
	const struct community *c7 = community_by_id(d, "7");
	ck_assert_ptr_nonnull(c7);
	ck_assert_str_eq(dataset_comm_str(d, c7->name), "无编号");
	ck_assert_ptr_null(community_by_id(d, "C4"));
	ck_assert_ptr_null(community_by_id(d, "C5"));
	dataset_free(d);
	remove_tmpdir();
}
END_TEST

/* ---- roads from a line layer -------------------------------------------------------------- */

START_TEST(test_line_layer_roads)
{
	make_tmpdir();
	/* a triangle of streets joined at identical coordinates, one of them oneway,
	 * and a line that is no road */
	static const char roads[] =
		"{\"type\":\"FeatureCollection\",\"features\":[\n"
		"{\"type\":\"Feature\",\"properties\":{\"%s\":\"residential\",\"oneway\":\"yes\","
		"\"name\":\"甲路\"},\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
		"[[121.47,31.23],[121.4705,31.2301],[121.471,31.23]]}},\n"
		"{\"type\":\"Feature\",\"properties\":{\"%s\":\"residential\"},\"geometry\":"
		"{\"type\":\"LineString\",\"coordinates\":[[121.471,31.23],[121.4705,31.231]]}},\n"
		"{\"type\":\"Feature\",\"properties\":{\"%s\":\"footway\"},\"geometry\":"
		"{\"type\":\"LineString\",\"coordinates\":[[121.4705,31.231],[121.47,31.23]]}},\n"
		"{\"type\":\"Feature\",\"properties\":{\"%s\":\"\"},\"geometry\":"
		"{\"type\":\"LineString\",\"coordinates\":[[121.46,31.23],[121.47,31.23]]}}\n"
		"]}\n";
	char text[2048];
	snprintf(text, sizeof text, roads, "highway", "highway", "highway", "highway");
	write_text(tmp("roads.geojson"), text);
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(build_files(tmp("roads.geojson"), NULL, NULL, NULL, &d, &eb) == YZ_OK, "%s",
		      eb.msg);
	ck_assert_uint_eq(d->road_ways, 3);
	ck_assert_uint_eq(d->net.node_count, 3);
	ck_assert_uint_eq(d->net.seg_count, 3);
	ck_assert_uint_eq(d->graph[MODE_WALK].arc_count, 6);
	ck_assert_uint_eq(d->graph[MODE_EBIKE].arc_count, 5);
	/* cars: the oneway street closes no cycle, only the two-way one is left */
	ck_assert_uint_eq(d->graph[MODE_CAR].arc_count, 2);
	ck_assert_uint_eq(d->graph[MODE_CAR].kept_vertices, 2);
	ck_assert_uint_eq(d->graph[MODE_WALK].kept_vertices, 4);
	ck_assert_uint_eq(d->graph[MODE_EBIKE].kept_vertices, 4);
	dataset_free(d);

	/* the highway field under another name, mapped in dataset.conf */
	snprintf(text, sizeof text, roads, "fclass", "fclass", "fclass", "fclass");
	write_text(tmp("roads.geojson"), text);
	write_text(tmp("dataset.conf"), "[roads]\npath = roads.geojson\nfield.highway = fclass\n");
	ck_assert_msg(build_dir(tmpdir, &d, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_uint_eq(d->graph[MODE_WALK].arc_count, 6);
	dataset_free(d);
	/* without the mapping the file has no highway field */
	ck_assert_int_ne(build_files(tmp("roads.geojson"), NULL, NULL, NULL, &d, &eb), YZ_OK);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "highway") && strstr(eb.msg, "roads.geojson"), "message \"%s\"",
		      eb.msg);
	remove_tmpdir();
}
END_TEST

/* ---- errors ---------------------------------------------------------------------------------- */

START_TEST(test_errors)
{
	make_tmpdir();
	struct dataset *d = (struct dataset *)1;
	struct yz_errbuf eb;
	enum yz_err err;

	/* a missing road file */
	err = build_files(tmp("nothere.osm.pbf"), NULL, NULL, NULL, &d, &eb);
	ck_assert_int_eq(err, YZ_EIO);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, tmp("nothere.osm.pbf")) != NULL, "message \"%s\"", eb.msg);

	/* a missing station file, or community file */
	err = build_files(FIXTURES "oneway.osm", tmp("nothere.geojson"), NULL, NULL, &d, &eb);
	ck_assert_int_eq(err, YZ_EIO);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "nothere.geojson") != NULL, "message \"%s\"", eb.msg);
	err = build_files(FIXTURES "oneway.osm", NULL, tmp("gone.geojson"), NULL, &d, &eb);
	ck_assert_int_eq(err, YZ_EIO);
	ck_assert_msg(strstr(eb.msg, "gone.geojson") != NULL, "message \"%s\"", eb.msg);

	/* unknown CRS: --crs names the CRS of the station, community and non-OSM
	 * road files (an OSM file is WGS84 by definition, README) */
	write_text(tmp("s.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
	err = build_files(FIXTURES "oneway.osm", tmp("s.geojson"), NULL, "EPSG:99999", &d, &eb);
	ck_assert_int_eq(err, YZ_ECRS);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "EPSG:99999") && strstr(eb.msg, "s.geojson"),
		      "message \"%s\"", eb.msg);
	err = build_files(FIXTURES "oneway.osm", NULL, tmp("s.geojson"), "Mars2000", &d, &eb);
	ck_assert_int_eq(err, YZ_ECRS); /* PROJ knows it, but not how to reach the Earth */
	ck_assert_ptr_null(d);
	write_text(tmp("r.geojson"),
		   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
		   "\"properties\":{\"highway\":\"residential\"},\"geometry\":{\"type\":"
		   "\"LineString\",\"coordinates\":[[121.47,31.23],[121.48,31.23]]}}]}\n");
	err = build_files(tmp("r.geojson"), NULL, NULL, "EPSG:99999", &d, &eb);
	ck_assert_int_eq(err, YZ_ECRS);
	ck_assert_msg(strstr(eb.msg, "r.geojson") != NULL, "message \"%s\"", eb.msg);
	ck_assert_int_eq(build_files(FIXTURES "oneway.osm", NULL, NULL, "EPSG:99999", &d, &eb),
			 YZ_OK);
	dataset_free(d);

	/* a file that is no vector data */
	write_text(tmp("junk.geojson"), "this is not json {");
	err = build_files(FIXTURES "oneway.osm", tmp("junk.geojson"), NULL, NULL, &d, &eb);
	ck_assert_int_eq(err, YZ_EIO);
	ck_assert_msg(strstr(eb.msg, "junk.geojson") != NULL, "message \"%s\"", eb.msg);
	err = build_files(tmp("junk.geojson"), NULL, NULL, NULL, &d, &eb);
	ck_assert_int_eq(err, YZ_EIO);

	/* a road file with no highway field */
	write_text(tmp("lines.geojson"),
		   "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
		   "\"properties\":{\"kind\":\"road\"},\"geometry\":{\"type\":\"LineString\","
		   "\"coordinates\":[[121.47,31.23],[121.48,31.23]]}}]}\n");
	err = build_files(tmp("lines.geojson"), NULL, NULL, NULL, &d, &eb);
	ck_assert_int_ne(err, YZ_OK);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "highway") != NULL, "message \"%s\"", eb.msg);

	/* an OSM file whose ways are no roads */
	write_text(tmp("houses.osm"),
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n"
		   "  <node id=\"1\" version=\"1\" lat=\"31.23\" lon=\"121.47\"/>\n"
		   "  <node id=\"2\" version=\"1\" lat=\"31.23\" lon=\"121.471\"/>\n"
		   "  <node id=\"3\" version=\"1\" lat=\"31.231\" lon=\"121.471\"/>\n"
		   "  <way id=\"9\" version=\"1\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
		   "<nd ref=\"1\"/><tag k=\"building\" v=\"yes\"/></way>\n"
		   "  <way id=\"10\" version=\"1\"><nd ref=\"1\"/><nd ref=\"3\"/>"
		   "<tag k=\"highway\" v=\"proposed\"/></way>\n"
		   "</osm>\n");
	err = build_files(tmp("houses.osm"), NULL, NULL, NULL, &d, &eb);
	ck_assert_int_eq(err, YZ_EEMPTY);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "houses.osm") != NULL, "message \"%s\"", eb.msg);

	/* dataset folders */
	err = build_dir(tmpdir, &d, &eb); /* no dataset.conf */
	ck_assert_int_eq(err, YZ_EIO);
	ck_assert_msg(strstr(eb.msg, "dataset.conf") != NULL, "message \"%s\"", eb.msg);
	write_text(tmp("dataset.conf"), "[roads]\npath = r.osm\ncolour = red\n");
	err = build_dir(tmpdir, &d, &eb);
	ck_assert_int_eq(err, YZ_EPARSE);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(eb.msg, "dataset.conf") && strstr(eb.msg, "line 3"), "message \"%s\"",
		      eb.msg);
	char conf[2048];
	snprintf(conf, sizeof conf, "[roads]\npath = %s\ncrs = nonsense\n",
		 repo_path(FIXTURES "oneway.osm"));
	write_text(tmp("dataset.conf"), conf);
	ck_assert_int_eq(build_dir(tmpdir, &d, &eb), YZ_ECRS);
	snprintf(conf, sizeof conf, "[roads]\npath = %s\nlayer = nosuchlayer\n",
		 repo_path(FIXTURES "oneway.osm"));
	write_text(tmp("dataset.conf"), conf);
	ck_assert_int_eq(build_dir(tmpdir, &d, &eb), YZ_ENOTFOUND);
	ck_assert_msg(strstr(eb.msg, "nosuchlayer") != NULL, "message \"%s\"", eb.msg);
	snprintf(conf, sizeof conf,
		 "[roads]\npath = %s\n[stations]\npath = s.geojson\ncrs = EPSG:123456\n",
		 repo_path(FIXTURES "oneway.osm"));
	write_text(tmp("dataset.conf"), conf);
	write_text(tmp("s.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
	ck_assert_int_eq(build_dir(tmpdir, &d, &eb), YZ_ECRS);
	ck_assert_ptr_null(d);

	/* no roads at all */
	struct dataset_sources none = {.stations = tmp("s.geojson")};
	ck_assert_int_ne(dataset_build(&none, &d, &eb), YZ_OK);
	ck_assert_ptr_null(d);
	remove_tmpdir();
}
END_TEST

/* Zero stations and no communities are fine. */
START_TEST(test_empty_sources)
{
	make_tmpdir();
	write_text(tmp("s.geojson"), "{\"type\":\"FeatureCollection\",\"features\":[]}\n");
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	ck_assert_msg(build_files(FIXTURES "oneway.osm", tmp("s.geojson"), tmp("s.geojson"), NULL,
				  &d, &eb) == YZ_OK, "%s", eb.msg);
	ck_assert_uint_eq(d->station_count, 0);
	ck_assert_uint_eq(d->comm.count, 0);
	ck_assert_uint_eq(report_total(&d->report), 0);
	ck_assert_uint_eq(d->graph[MODE_CAR].arc_count, 6);
	dataset_free(d);
	remove_tmpdir();
}
END_TEST

Suite *datasets_suite(void)
{
	Suite *s = suite_create("datasets");
	TCase *tc = tcase_create("shared");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_shared, 0, N_SHARED);
	tcase_add_test(tc, test_bundled);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad input");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bad_stations);
	tcase_add_test(tc, test_csv_stations);
	tcase_add_test(tc, test_gcj02);
	tcase_add_test(tc, test_bad_communities);
	tcase_add_test(tc, test_line_layer_roads);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_empty_sources);
	suite_add_tcase(s, tc);
	return s;
}
