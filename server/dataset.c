/* dataset.c — building a dataset from sources, saving it as a snapshot and
 * loading it back (see dataset.h).
 *
 * Every array of the dataset is listed once, in dataset_arrays(): the same
 * table drives writing the snapshot, checking each section's size against
 * the counts in the meta section, and pointing the dataset into the loaded
 * bytes.  After that, each structure's own validator checks every index, so a
 * corrupt or hostile snapshot is refused instead of crashing a search. */
#include "dataset.h"
#include "routing/search.h"
#include "routing/snap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/geo.h"
#include "data/roads.h"
#include "data/source_path.h"
#include "data/snapshot.h"
#include "routing/graph_build.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the array table ---------------------------------------------------- */

enum {
	SEC_META = 1,
	SEC_NODE_LON, SEC_NODE_LAT, SEC_SEG_FROM, SEC_SEG_TO, SEC_SEG_PT_FIRST,
	SEC_PT_LON, SEC_PT_LAT, SEC_SEG_LEN, SEC_SEG_CLASS, SEC_SEG_NAME, SEC_NAMES,
	SEC_PGRID_FIRST, SEC_PGRID_ITEMS, SEC_SGRID_FIRST, SEC_SGRID_ITEMS,
	SEC_STATIONS, SEC_STATION_STR,
	SEC_COMM, SEC_RING_FIRST, SEC_RING_FLAGS, SEC_CPT_LON, SEC_CPT_LAT, SEC_COMM_STR,
	SEC_FEAT_KIND, SEC_FEAT_NAME, SEC_FEAT_BBOX, SEC_FEAT_PART_FIRST, SEC_FEAT_PART_PT_FIRST,
	SEC_FEAT_PART_FLAGS, SEC_FEAT_PT_LON, SEC_FEAT_PT_LAT, SEC_FEAT_NAMES,
	SEC_MODE_BASE = 100, /* + 16 * mode + field */
};

enum { MF_FIRST_OUT, MF_HEAD, MF_TIME, MF_ARC_SEG, MF_FIRST_IN, MF_TAIL, MF_IN_TIME,
       MF_IN_ARC_SEG, MF_SEG_DIRS, MF_SEG_TIME, MF_COUNT };

/* Fixed-layout summary written as SEC_META. */
struct meta {
	char name[CONFIG_STR], timezone[CONFIG_STR], source[512];
	uint32_t demo;
	double max_snap_m, build_ms;
	uint64_t version;
	uint32_t node_count, seg_count, pt_count, names_len, road_ways;
	struct {
		uint32_t arc_count, kept_nodes, kept_vertices, kept_segs;
	} mode[MODE_COUNT];
	struct grid pgrid_shape, sgrid_shape; /* pointers zeroed */
	uint32_t station_count, station_strings_len;
	uint32_t comm_count, ring_count, cpt_count, comm_strings_len;
	uint32_t feat_count, feat_part_count, feat_pt_count, feat_names_len;
	struct load_report report;
};

struct array_ref {
	uint32_t id;
	const void **ptr;
	size_t elem;
	uint64_t count;
};

/* Lists every array of `d` with its expected element count. */
static size_t dataset_arrays(struct dataset *d, struct array_ref *out)
{
	size_t n = 0;
	struct network *net = &d->net;
#define ARR(sec, p, cnt) \
	out[n++] = (struct array_ref){(sec), (const void **)&(p), sizeof(*(p)), (uint64_t)(cnt)}
	ARR(SEC_NODE_LON, net->node_lon_e7, net->node_count);
	ARR(SEC_NODE_LAT, net->node_lat_e7, net->node_count);
	ARR(SEC_SEG_FROM, net->seg_from, net->seg_count);
	ARR(SEC_SEG_TO, net->seg_to, net->seg_count);
	ARR(SEC_SEG_PT_FIRST, net->seg_pt_first, (uint64_t)net->seg_count + 1);
	ARR(SEC_PT_LON, net->pt_lon_e7, net->pt_count);
	ARR(SEC_PT_LAT, net->pt_lat_e7, net->pt_count);
	ARR(SEC_SEG_LEN, net->seg_length_m, net->seg_count);
	ARR(SEC_SEG_CLASS, net->seg_class, net->seg_count);
	ARR(SEC_SEG_NAME, net->seg_name, net->seg_count);
	ARR(SEC_NAMES, net->names, net->names_len);
	ARR(SEC_PGRID_FIRST, d->piece_grid.cell_first,
	    (uint64_t)d->piece_grid.cols * d->piece_grid.rows + 1);
	ARR(SEC_PGRID_ITEMS, d->piece_grid.cell_items, d->piece_grid.item_count);
	ARR(SEC_SGRID_FIRST, d->station_grid.cell_first,
	    (uint64_t)d->station_grid.cols * d->station_grid.rows + 1);
	ARR(SEC_SGRID_ITEMS, d->station_grid.cell_items, d->station_grid.item_count);
	ARR(SEC_STATIONS, d->stations, d->station_count);
	ARR(SEC_STATION_STR, d->station_strings, d->station_strings_len);
	ARR(SEC_COMM, d->comm.items, d->comm.count);
	ARR(SEC_RING_FIRST, d->comm.ring_pt_first, (uint64_t)d->comm.ring_count + 1);
	ARR(SEC_RING_FLAGS, d->comm.ring_flags, d->comm.ring_count);
	ARR(SEC_CPT_LON, d->comm.pt_lon_e7, d->comm.pt_count);
	ARR(SEC_CPT_LAT, d->comm.pt_lat_e7, d->comm.pt_count);
	ARR(SEC_COMM_STR, d->comm.strings.data, d->comm.strings.len);
	ARR(SEC_FEAT_KIND, d->feat.kind, d->feat.count);
	ARR(SEC_FEAT_NAME, d->feat.name, d->feat.count);
	ARR(SEC_FEAT_BBOX, d->feat.bbox, 4 * (uint64_t)d->feat.count);
	ARR(SEC_FEAT_PART_FIRST, d->feat.part_first, (uint64_t)d->feat.count + 1);
	ARR(SEC_FEAT_PART_PT_FIRST, d->feat.part_pt_first, (uint64_t)d->feat.part_count + 1);
	ARR(SEC_FEAT_PART_FLAGS, d->feat.part_flags, d->feat.part_count);
	ARR(SEC_FEAT_PT_LON, d->feat.pt_lon_e7, d->feat.pt_count);
	ARR(SEC_FEAT_PT_LAT, d->feat.pt_lat_e7, d->feat.pt_count);
	ARR(SEC_FEAT_NAMES, d->feat.names.data, d->feat.names.len);
	for (int m = 0; m < MODE_COUNT; m++) {
		struct graph *g = &d->graph[m];
		uint32_t b = SEC_MODE_BASE + 16u * (uint32_t)m;
		ARR(b + MF_FIRST_OUT, g->first_out, (uint64_t)g->node_count + 1);
		ARR(b + MF_HEAD, g->head, g->arc_count);
		ARR(b + MF_TIME, g->time_ms, g->arc_count);
		ARR(b + MF_ARC_SEG, g->arc_seg, g->arc_count);
		ARR(b + MF_FIRST_IN, g->first_in, (uint64_t)g->node_count + 1);
		ARR(b + MF_TAIL, g->tail, g->arc_count);
		ARR(b + MF_IN_TIME, g->in_time_ms, g->arc_count);
		ARR(b + MF_IN_ARC_SEG, g->in_arc_seg, g->arc_count);
		ARR(b + MF_SEG_DIRS, g->seg_dirs, net->seg_count);
		ARR(b + MF_SEG_TIME, g->seg_time_ms, net->seg_count);
	}
#undef ARR
	return n;
}

#define MAX_ARRAYS 64

static enum yz_err dataset_finish(struct dataset *d, struct yz_errbuf *eb);

/* ---- building ------------------------------------------------------------- */

static void progress(const struct dataset_sources *src, const char *what, double t0)
{
	if (src->progress)
		fprintf(stderr, "\r\033[K  %-40s %7.0f ms", what, now_ms() - t0);
}

/* The content hash: CRC-32 of every array, mixed with the sizes. */
static uint64_t content_version(struct dataset *d)
{
	struct array_ref a[MAX_ARRAYS];
	size_t n = dataset_arrays(d, a);
	uLong c = crc32(0L, Z_NULL, 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t bytes = a[i].count * a[i].elem;
		const unsigned char *p = *a[i].ptr;
		c = crc32(c, (const Bytef *)&bytes, sizeof bytes);
		while (bytes && p) {
			uInt k = bytes > (1u << 30) ? (1u << 30) : (uInt)bytes;
			c = crc32(c, p, k);
			p += k;
			bytes -= k;
		}
	}
	return ((uint64_t)c << 32) ^ (uint64_t)d->station_count << 8 ^ d->comm.count;
}

static void warn_stations_outside(struct dataset *d)
{
	/* A station beyond the network's extent (plus max_snap) can never be
	 * snapped: it stays on the map but is named in the report. */
	const struct grid *g = &d->piece_grid;
	double pad_lat = d->max_snap_m / 111195.0;
	for (uint32_t i = 0; i < d->station_count; i++) {
		const struct station *s = &d->stations[i];
		double lat = geo_from_e7(s->lat_e7), lon = geo_from_e7(s->lon_e7);
		double pad_lon = pad_lat / (cos(lat * M_PI / 180) + 1e-9);
		double minx = geo_from_e7(g->min_lon_e7) - pad_lon;
		double miny = geo_from_e7(g->min_lat_e7) - pad_lat;
		double maxx = geo_from_e7(g->min_lon_e7) + geo_from_e7(g->cell_lon_e7) * g->cols + pad_lon;
		double maxy = geo_from_e7(g->min_lat_e7) + geo_from_e7(g->cell_lat_e7) * g->rows + pad_lat;
		if (lon < minx || lon > maxx || lat < miny || lat > maxy)
			report_warn(&d->report, LW_STATION_OUTSIDE,
				    "station %s \"%s\": outside the road network's area",
				    dataset_station_str(d, s->id), dataset_station_str(d, s->name));
	}
}

static bool is_osm_file(const char *p)
{
	size_t n = strlen(p);
	return (n >= 4 && !strcasecmp(p + n - 4, ".osm")) || (n >= 4 && !strcasecmp(p + n - 4, ".pbf"));
}

enum yz_err dataset_build(const struct dataset_sources *src, struct dataset **out,
			  struct yz_errbuf *eb)
{
	double t0 = now_ms();
	*out = NULL;
	struct dataset *d = calloc(1, sizeof *d);
	if (!d)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	struct config cfg;
	config_init(&cfg);
	const char *dir = NULL;
	enum yz_err err;
	struct roadset rs;
	struct stationset ss;
	memset(&rs, 0, sizeof rs);
	memset(&ss, 0, sizeof ss);
	report_init(&d->report);

	if (src->dir) {
		char path[1024];
		snprintf(path, sizeof path, "%s/dataset.conf", src->dir);
		FILE *f = fopen(path, "rb");
		if (!f) {
			err = yz_fail(eb, YZ_EIO, "%s: %s (a dataset folder needs a dataset.conf)",
				      path, strerror(errno));
			goto fail;
		}
		char *text = malloc(65536);
		size_t len = text ? fread(text, 1, 65536, f) : 0;
		int toolong = text && len == 65536;
		fclose(f);
		if (!text || toolong) {
			free(text);
			err = yz_fail(eb, text ? YZ_ELIMIT : YZ_ENOMEM, "%s: too large", path);
			goto fail;
		}
		struct yz_errbuf ceb;
		err = config_parse(&cfg, text, len, &ceb);
		free(text);
		if (err) {
			yz_fail(eb, err, "%s: %s", path, ceb.msg);
			goto fail;
		}
		dir = src->dir;
		snprintf(d->source, sizeof d->source, "%s", src->dir);
	} else {
		if (!src->roads) {
			err = yz_fail(eb, YZ_EPARSE, "no road source given (--roads FILE)");
			goto fail;
		}
		struct { enum config_source s; const char *p; } named[] = {
			{CONFIG_ROADS, src->roads},
			{CONFIG_STATIONS, src->stations},
			{CONFIG_COMMUNITIES, src->communities},
		};
		for (int i = 0; i < 3; i++) {
			if (!named[i].p)
				continue;
			struct config_source_def *c = &cfg.src[named[i].s];
			c->present = true;
			snprintf(c->path, sizeof c->path, "%s", named[i].p);
			/* --crs names the CRS of the files given; OSM data is WGS84 by
			 * definition, so it never applies to an OSM road file. */
			if (src->crs && !(named[i].s == CONFIG_ROADS && is_osm_file(named[i].p)))
				snprintf(c->crs, sizeof c->crs, "%s", src->crs);
		}
		snprintf(cfg.name, sizeof cfg.name, "%s", src->roads);
		snprintf(d->source, sizeof d->source, "%s", src->roads);
	}
	snprintf(d->name, sizeof d->name, "%.255s", cfg.name[0] ? cfg.name : d->source);
	snprintf(d->timezone, sizeof d->timezone, "%s", cfg.timezone);
	d->demo = cfg.demo;
	d->max_snap_m = cfg.max_snap_m;

	/* roads → graph */
	progress(src, "reading roads", t0);
	char path[1024];
	if (source_path(path, sizeof path, dir, cfg.src[CONFIG_ROADS].path)) {
		err = yz_fail(eb, YZ_EIO, "road path too long");
		goto fail;
	}
	err = roads_read(&rs, path, cfg.src[CONFIG_ROADS].layer, cfg.src[CONFIG_ROADS].crs,
			 cfg.src[CONFIG_ROADS].field[CF_HIGHWAY], &d->report, eb);
	if (err)
		goto fail;
	d->road_ways = rs.way_count;
	progress(src, "reading base-map features", t0);
	if ((err = mapfeat_read(&d->owned_feat, path, eb)))
		goto fail;
	if (!d->owned_feat.names.data) {
		/* materialise the empty pool: offset 0 is "" */
		d->owned_feat.names.data = calloc(1, 1);
		d->owned_feat.names.len = 1;
		if (!d->owned_feat.names.data) {
			err = yz_fail(eb, YZ_ENOMEM, "out of memory");
			goto fail;
		}
	}
	d->feat = d->owned_feat;
	progress(src, "building graphs", t0);
	err = graph_build(&rs, &d->net, d->graph, eb);
	roads_free(&rs);
	if (err)
		goto fail;
	progress(src, "indexing", t0);
	if ((err = grid_build_pieces(&d->piece_grid, &d->net, eb)))
		goto fail;

	/* stations */
	if (cfg.src[CONFIG_STATIONS].present) {
		progress(src, "reading stations", t0);
		if ((err = stations_read(&ss, &cfg.src[CONFIG_STATIONS], dir, &d->report, eb)))
			goto fail;
	} else {
		strpool_init(&ss.strings);
	}
	d->station_count = ss.count;
	d->stations = ss.items ? ss.items : calloc(1, sizeof *ss.items);
	ss.items = NULL;
	if (!ss.strings.data) {
		strpool_add(&ss.strings, "x"); /* materialise the pool: offset 0 = "" */
		ss.strings.data[0] = '\0';
		ss.strings.len = 1;
	}
	d->station_strings = ss.strings.data;
	d->station_strings_len = (uint32_t)ss.strings.len;
	ss.strings.data = NULL;
	strpool_fini(&ss.strings);
	if (!d->stations || !d->station_strings) {
		err = yz_fail(eb, YZ_ENOMEM, "out of memory");
		goto fail;
	}
	{
		int32_t *lon = malloc(((size_t)d->station_count + 1) * sizeof *lon);
		int32_t *lat = malloc(((size_t)d->station_count + 1) * sizeof *lat);
		if (!lon || !lat) {
			free(lon);
			free(lat);
			err = yz_fail(eb, YZ_ENOMEM, "out of memory");
			goto fail;
		}
		for (uint32_t i = 0; i < d->station_count; i++) {
			lon[i] = d->stations[i].lon_e7;
			lat[i] = d->stations[i].lat_e7;
		}
		err = grid_build_points(&d->station_grid, lon, lat, d->station_count, eb);
		free(lon);
		free(lat);
		if (err)
			goto fail;
	}
	warn_stations_outside(d);

	/* communities */
	if (cfg.src[CONFIG_COMMUNITIES].present) {
		progress(src, "reading communities", t0);
		if ((err = communities_read(&d->owned_comm, &cfg.src[CONFIG_COMMUNITIES], dir,
					    &d->report, eb)))
			goto fail;
	} else {
		d->owned_comm.ring_pt_first = calloc(1, sizeof(uint32_t));
		strpool_init(&d->owned_comm.strings);
	}
	if (!d->owned_comm.strings.data) {
		d->owned_comm.strings.data = calloc(1, 1);
		d->owned_comm.strings.len = 1;
	}
	d->comm = d->owned_comm;
	if ((err = dataset_finish(d, eb)))
		goto fail;
	d->build_ms = now_ms() - t0;
	d->load_ms = d->build_ms;
	d->version = content_version(d);
	if (src->progress)
		fprintf(stderr, "\r\033[K");
	*out = d;
	return YZ_OK;
fail:
	if (src->progress)
		fprintf(stderr, "\r\033[K");
	roads_free(&rs);
	stations_free(&ss);
	dataset_free(d);
	return err;
}

/* Derived structures, computed after a build or a snapshot load. */
static enum yz_err dataset_finish(struct dataset *d, struct yz_errbuf *eb)
{
	/* time zone: tzdata when installed; Asia/Shanghai has been a fixed
	 * UTC+8 since 1991, so it has a fallback when tzdata is missing */
	struct yz_errbuf tzeb;
	enum yz_err tzerr = tz_load(d->timezone, &d->tz, &tzeb);
	if (tzerr == YZ_ENOTFOUND &&
	    (!strcmp(d->timezone, "Asia/Shanghai") || !strcmp(d->timezone, "PRC")))
		tz_fixed(&d->tz, d->timezone, 8 * 3600);
	else if (tzerr)
		return yz_fail(eb, tzerr, "timezone: %s", tzeb.msg);
	d->station_hours = calloc(d->station_count ? d->station_count : 1, sizeof *d->station_hours);
	if (!d->station_hours)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < d->station_count; i++) {
		const char *h = dataset_station_str(d, d->stations[i].hours);
		hours_parse(h, strlen(h), &d->station_hours[i], NULL);
	}
	for (int m = 0; m < MODE_COUNT; m++) {
		const struct station *st = d->stations;
		size_t stride = sizeof *st / sizeof(int32_t);
		if (attach_build(&d->attach[m], &d->net, &d->graph[m], &d->piece_grid, d->max_snap_m,
				 st ? &st->lon_e7 : NULL, st ? &st->lat_e7 : NULL, stride,
				 d->station_count))
			return yz_fail(eb, YZ_ENOMEM, "out of memory");
	}
	/* every shape point's segment: the grids name pieces by point */
	uint32_t *pt_seg = calloc(d->net.pt_count ? d->net.pt_count : 1, sizeof *pt_seg);
	if (!pt_seg)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	for (uint32_t sg = 0; sg < d->net.seg_count; sg++)
		for (uint32_t p = d->net.seg_pt_first[sg]; p < d->net.seg_pt_first[sg + 1]; p++)
			pt_seg[p] = sg;
	d->net.pt_seg = pt_seg;
	/* and each point's distance along its segment (haversine, as routing
	 * measures every fraction), so slicing a segment needs no trigonometry */
	double *pt_cum = calloc(d->net.pt_count ? d->net.pt_count : 1, sizeof *pt_cum);
	if (!pt_cum)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	network_measure_points(&d->net, pt_cum);
	d->net.pt_cum = pt_cum;
	struct search s;
	if (search_init(&s, d->net.node_count))
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	for (int m = 0; m < MODE_COUNT; m++)
		if (coverage_field_build(&d->cover[m], &s, &d->net, &d->graph[m], &d->attach[m])) {
			search_fini(&s);
			return yz_fail(eb, YZ_ENOMEM, "out of memory");
		}
	search_fini(&s);
	if (comm_spans_build(&d->comm_spans, &d->net, &d->piece_grid, &d->comm) ||
	    borders_build(&d->borders, &d->comm) ||
	    ringidx_build(&d->comm_ring_idx, d->comm.ring_count, d->comm.ring_pt_first,
			  d->comm.pt_lon_e7, d->comm.pt_lat_e7) ||
	    ringidx_build(&d->border_idx, d->borders.line_count, d->borders.line_pt_first,
			  d->borders.pt_lon_e7, d->borders.pt_lat_e7) ||
	    roadchain_build(&d->road_chain, &d->net))
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	enum yz_err err = grid_segments_of(&d->seg_grid, &d->piece_grid, &d->net, eb);
	if (!err)
		err = grid_build_boxes(&d->border_grid, d->borders.line_box, d->borders.line_count, eb);
	if (err)
		return err;
	return grid_build_boxes(&d->feat_grid, d->feat.bbox, d->feat.count, eb);
}

/* ---- snapshot ---------------------------------------------------------------- */

enum yz_err dataset_save(const struct dataset *dc, const char *path, struct yz_errbuf *eb)
{
	struct dataset *d = (struct dataset *)dc; /* dataset_arrays takes addresses only */
	struct meta *m = calloc(1, sizeof *m);
	if (!m)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	snprintf(m->name, sizeof m->name, "%s", d->name);
	snprintf(m->timezone, sizeof m->timezone, "%s", d->timezone);
	snprintf(m->source, sizeof m->source, "%s", d->source);
	m->demo = d->demo;
	m->max_snap_m = d->max_snap_m;
	m->build_ms = d->build_ms;
	m->version = d->version;
	m->node_count = d->net.node_count;
	m->seg_count = d->net.seg_count;
	m->pt_count = d->net.pt_count;
	m->names_len = d->net.names_len;
	m->road_ways = d->road_ways;
	for (int i = 0; i < MODE_COUNT; i++) {
		m->mode[i].arc_count = d->graph[i].arc_count;
		m->mode[i].kept_nodes = d->graph[i].kept_nodes;
		m->mode[i].kept_vertices = d->graph[i].kept_vertices;
		m->mode[i].kept_segs = d->graph[i].kept_segs;
	}
	m->pgrid_shape = d->piece_grid;
	m->pgrid_shape.cell_first = m->pgrid_shape.cell_items = NULL;
	m->sgrid_shape = d->station_grid;
	m->sgrid_shape.cell_first = m->sgrid_shape.cell_items = NULL;
	m->station_count = d->station_count;
	m->station_strings_len = d->station_strings_len;
	m->comm_count = d->comm.count;
	m->ring_count = d->comm.ring_count;
	m->cpt_count = d->comm.pt_count;
	m->comm_strings_len = (uint32_t)d->comm.strings.len;
	m->feat_count = d->feat.count;
	m->feat_part_count = d->feat.part_count;
	m->feat_pt_count = d->feat.pt_count;
	m->feat_names_len = (uint32_t)d->feat.names.len;
	m->report = d->report;

	struct array_ref a[MAX_ARRAYS];
	size_t n = dataset_arrays(d, a);
	struct snap_section secs[MAX_ARRAYS + 1];
	secs[0] = (struct snap_section){SEC_META, m, sizeof *m};
	for (size_t i = 0; i < n; i++)
		secs[i + 1] = (struct snap_section){a[i].id, *a[i].ptr, a[i].count * a[i].elem};
	enum yz_err err = snap_write(path, secs, n + 1, eb);
	free(m);
	return err;
}

/* Every item of the piece grid must start a piece: p and p + 1 in one
 * segment (snapping reads both points). */
static int pieces_invalid(const struct dataset *d)
{
	const struct network *n = &d->net;
	uint8_t *is_last = calloc(n->pt_count ? n->pt_count : 1, 1);
	if (!is_last)
		return 1;
	for (uint32_t s = 0; s < n->seg_count; s++)
		is_last[n->seg_pt_first[s + 1] - 1] = 1;
	int bad = 0;
	for (uint32_t i = 0; i < d->piece_grid.item_count && !bad; i++)
		bad = is_last[d->piece_grid.cell_items[i]];
	free(is_last);
	return bad;
}

/* Base-map features: every offset in range, parts of at least 2 points
 * (lines) or 4 (rings), kinds known, names inside a terminated pool. */
static int feat_invalid(const struct mapfeat_set *f)
{
	if (!f->names.len || f->names.data[f->names.len - 1] != '\0')
		return 1;
	if (f->part_first[0] != 0 || f->part_first[f->count] != f->part_count ||
	    f->part_pt_first[0] != 0 || f->part_pt_first[f->part_count] != f->pt_count)
		return 1;
	for (uint32_t i = 0; i < f->count; i++)
		if (f->part_first[i] > f->part_first[i + 1] || f->kind[i] >= MAPFEAT_KIND_COUNT ||
		    f->name[i] >= f->names.len)
			return 1;
	for (uint32_t p = 0; p < f->part_count; p++) {
		uint64_t need = (f->part_flags[p] & MAPFEAT_LINE) ? 2 : 4;
		if ((uint64_t)f->part_pt_first[p + 1] < (uint64_t)f->part_pt_first[p] + need)
			return 1;
	}
	return 0;
}

static enum yz_err from_snapshot(struct snapshot *snap, struct dataset **out, struct yz_errbuf *eb)
{
	uint64_t size;
	const struct meta *m = snap_get(snap, SEC_META, &size);
	if (!m || size != sizeof *m)
		return yz_fail(eb, YZ_EFORMAT, "snapshot has no valid meta section");
	struct dataset *d = calloc(1, sizeof *d);
	if (!d)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	memcpy(d->name, m->name, sizeof d->name);
	memcpy(d->timezone, m->timezone, sizeof d->timezone);
	memcpy(d->source, m->source, sizeof d->source);
	d->name[sizeof d->name - 1] = d->timezone[sizeof d->timezone - 1] = '\0';
	d->source[sizeof d->source - 1] = '\0';
	d->demo = m->demo != 0;
	d->max_snap_m = m->max_snap_m;
	d->build_ms = m->build_ms;
	d->version = m->version;
	d->road_ways = m->road_ways;
	d->report = m->report;
	for (int w = 0; w < LW_COUNT; w++)
		for (int k = 0; k < REPORT_KEEP; k++)
			d->report.msg[w][k][REPORT_MSG - 1] = '\0';
	d->net.node_count = m->node_count;
	d->net.seg_count = m->seg_count;
	d->net.pt_count = m->pt_count;
	d->net.names_len = m->names_len;
	for (int i = 0; i < MODE_COUNT; i++) {
		d->graph[i].mode = (enum mode)i;
		d->graph[i].node_count = m->node_count;
		d->graph[i].arc_count = m->mode[i].arc_count;
		d->graph[i].kept_nodes = m->mode[i].kept_nodes;
		d->graph[i].kept_vertices = m->mode[i].kept_vertices;
		d->graph[i].kept_segs = m->mode[i].kept_segs;
	}
	d->piece_grid = m->pgrid_shape;
	d->station_grid = m->sgrid_shape;
	d->station_count = m->station_count;
	d->station_strings_len = m->station_strings_len;
	d->comm.count = m->comm_count;
	d->comm.ring_count = m->ring_count;
	d->comm.pt_count = m->cpt_count;
	d->comm.strings.len = m->comm_strings_len;
	d->feat.count = m->feat_count;
	d->feat.part_count = m->feat_part_count;
	d->feat.pt_count = m->feat_pt_count;
	d->feat.names.len = m->feat_names_len;
	d->from_snapshot = true;

	/* grids: guard the multiplication before it sizes an array */
	if ((uint64_t)d->piece_grid.cols * d->piece_grid.rows > (1ull << 32) ||
	    (uint64_t)d->station_grid.cols * d->station_grid.rows > (1ull << 32)) {
		free(d);
		return yz_fail(eb, YZ_EFORMAT, "snapshot grid dimensions out of range");
	}
	struct array_ref a[MAX_ARRAYS];
	size_t n = dataset_arrays(d, a);
	for (size_t i = 0; i < n; i++) {
		const void *p = snap_get(snap, a[i].id, &size);
		if (!p || size / a[i].elem != a[i].count || size % a[i].elem) {
			free(d);
			return yz_fail(eb, YZ_EFORMAT, "snapshot section %u has the wrong size",
				       a[i].id);
		}
		*a[i].ptr = p;
	}
	/* every index checked before anything trusts it */
	const char *bad = NULL;
	if (network_validate(&d->net))
		bad = "road network";
	for (int i = 0; i < MODE_COUNT && !bad; i++)
		if (graph_validate(&d->graph[i], &d->net))
			bad = "routing graph";
	if (!bad && (grid_validate(&d->piece_grid, d->net.pt_count) ||
		     grid_validate(&d->station_grid, d->station_count)))
		bad = "spatial index";
	if (!bad && pieces_invalid(d))
		bad = "spatial index";
	if (!bad && (!d->station_strings_len ||
		     d->station_strings[d->station_strings_len - 1] != '\0'))
		bad = "station strings";
	for (uint32_t i = 0; i < d->station_count && !bad; i++) {
		const struct station *s = &d->stations[i];
		uint32_t offs[] = {s->id, s->name, s->address, s->phone, s->hours, s->kind};
		for (size_t k = 0; k < sizeof offs / sizeof *offs; k++)
			if (offs[k] >= d->station_strings_len)
				bad = "stations";
	}
	if (!bad && (!d->comm.strings.len || d->comm.strings.data[d->comm.strings.len - 1] != '\0'))
		bad = "community strings";
	if (!bad && (d->comm.ring_pt_first[0] != 0 ||
		     d->comm.ring_pt_first[d->comm.ring_count] != d->comm.pt_count))
		bad = "community rings";
	for (uint32_t r = 0; r < d->comm.ring_count && !bad; r++)
		if ((uint64_t)d->comm.ring_pt_first[r + 1] < (uint64_t)d->comm.ring_pt_first[r] + 4)
			bad = "community rings";
	for (uint32_t c = 0; c < d->comm.count && !bad; c++) {
		const struct community *cm = &d->comm.items[c];
		if (cm->id >= d->comm.strings.len || cm->name >= d->comm.strings.len ||
		    cm->ring_first > d->comm.ring_count ||
		    cm->ring_count > d->comm.ring_count - cm->ring_first)
			bad = "communities";
	}
	if (!bad && feat_invalid(&d->feat))
		bad = "base-map features";
	if (bad) {
		free(d);
		return yz_fail(eb, YZ_EFORMAT, "snapshot is inconsistent (%s)", bad);
	}
	*out = d;
	return YZ_OK;
}

enum yz_err dataset_open_snapshot(const char *path, struct dataset **out, struct yz_errbuf *eb)
{
	double t0 = now_ms();
	*out = NULL;
	struct snapshot snap;
	enum yz_err err = snap_open(&snap, path, eb);
	if (err)
		return err;
	struct yz_errbuf local;
	err = from_snapshot(&snap, out, &local);
	if (err) {
		snap_close(&snap);
		return yz_fail(eb, err, "%s: %s", path, local.msg);
	}
	(*out)->snapshot_bytes = (void *)snap.base; /* the dataset owns the bytes now */
	if ((err = dataset_finish(*out, eb))) {
		dataset_free(*out);
		*out = NULL;
		return err;
	}
	(*out)->load_ms = now_ms() - t0;
	return YZ_OK;
}

enum yz_err dataset_from_bytes(const void *bytes, size_t size, struct dataset **out,
			       struct yz_errbuf *eb)
{
	*out = NULL;
	void *copy = NULL;
	if (posix_memalign(&copy, 64, size ? size : 1) != 0)
		return yz_fail(eb, YZ_ENOMEM, "out of memory");
	memcpy(copy, bytes, size);
	struct snapshot snap;
	enum yz_err err = snap_open_mem(&snap, copy, size, eb);
	if (!err)
		err = from_snapshot(&snap, out, eb);
	if (err) {
		free(copy);
		return err;
	}
	(*out)->snapshot_bytes = copy;
	if ((err = dataset_finish(*out, eb))) {
		dataset_free(*out);
		*out = NULL;
		return err;
	}
	return YZ_OK;
}

void dataset_free(struct dataset *d)
{
	if (!d)
		return;
	for (int m = 0; m < MODE_COUNT; m++) {
		attach_free(&d->attach[m]);
		coverage_field_free(&d->cover[m]);
	}
	comm_spans_free(&d->comm_spans);
	grid_free(&d->feat_grid);
	grid_free(&d->border_grid);
	ringidx_free(&d->comm_ring_idx);
	ringidx_free(&d->border_idx);
	borders_free(&d->borders);
	roadchain_free(&d->road_chain);
	grid_free(&d->seg_grid);
	free((void *)d->net.pt_seg);
	free((void *)d->net.pt_cum);
	free(d->station_hours);
	if (d->snapshot_bytes) {
		free(d->snapshot_bytes);
	} else {
		graph_build_free(&d->net, d->graph);
		grid_free(&d->piece_grid);
		grid_free(&d->station_grid);
		free((void *)d->stations);
		free((void *)d->station_strings);
		communities_free(&d->owned_comm);
		mapfeat_free(&d->owned_feat);
	}
	free(d);
}

int dataset_station_open(const struct dataset *d, uint32_t i, int64_t now)
{
	if (i >= d->station_count || !hours_known(&d->station_hours[i]))
		return -1;
	int wd, minute;
	tz_local(&d->tz, now, &wd, &minute);
	return hours_open_at(&d->station_hours[i], wd, minute);
}
