/* mapfeat.c — OSM road source → base-map features (see mapfeat.h).
 *
 * One pass over the file with GDAL's OSM driver (GDALDatasetGetNextFeature,
 * only the `multipolygons` and `lines` layers declared interesting), with the
 * configuration below: GDAL's standard `closed_ways_are_polygons` list plus
 * water, waterway=riverbank and waterway=dock, so that a closed way tagged only
 * that way is an area too; a closed highway is not on the list and stays a
 * line, which no line kind takes.  Each feature is classified by its tags
 * (area_kind, line_kind); only the kinds of mapfeat.h are kept.
 *
 * Points are rounded to e7 (OSM's own precision, so exact), consecutive
 * duplicates dropped, rings re-closed and re-oriented (outer CCW, holes CW);
 * a ring left with fewer than 4 points or no area is dropped, and a feature
 * left with no part is dropped.  Invalid areas (GEOS) are repaired with
 * MakeValid when that yields polygons.  The `amenity` and `layer` tags are
 * read for later use (labels, drawing order) but do not classify yet.
 * The sea: natural=coastline ways are kept aside and, when they all close
 * into rings, become one water feature (add_sea).
 * Typical sizes: malta (2016) 13k features of which 9.7k buildings, 13k
 * parts, 117k points, 1.3 MB of arrays, read in ~0.3 s; monaco 1k features.
 *
 * Invariants on return: see mapfeat.h. */
#include "mapfeat.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/geo.h"
#include "communities.h"
#include "ogr_source.h"

_Static_assert(MAPFEAT_OUTER == RING_OUTER, "one ring flag for communities and base map");

static const char osmconf_mapfeat[] =
	"# yizhan: osmconf.ini for reading the base map (see data/mapfeat.c)\n"
	"closed_ways_are_polygons=aeroway,amenity,boundary,building,craft,geological,historic,"
	"landuse,leisure,military,natural,office,place,shop,sport,tourism,highway=platform,"
	"public_transport=platform,water,waterway=riverbank,waterway=dock\n"
	"report_all_nodes=no\n"
	"report_all_ways=no\n"
	"[points]\nosm_id=no\nattributes=name\n"
	"[lines]\nosm_id=no\nattributes=name,name:zh,waterway,railway,tunnel,natural\n"
	"[multipolygons]\nosm_id=no\n"
	"attributes=name,name:zh,natural,water,waterway,landuse,leisure,building,amenity,layer\n"
	"ignore=area,created_by,converted_by,source,note,fixme,FIXME\n"
	"[multilinestrings]\nosm_id=no\nattributes=name\n"
	"[other_relations]\nosm_id=no\nattributes=name\n";

static const struct {
	const char *name;
	int area;
} kind_info[MAPFEAT_KIND_COUNT] = {
#define MAPFEAT_KIND_INFO(e, nm, ar) [e] = {nm, ar},
	MAPFEAT_KIND_TABLE(MAPFEAT_KIND_INFO)
#undef MAPFEAT_KIND_INFO
};

const char *mapfeat_kind_name(unsigned kind)
{
	return kind < MAPFEAT_KIND_COUNT ? kind_info[kind].name : NULL;
}

int mapfeat_kind_is_area(unsigned kind)
{
	return kind < MAPFEAT_KIND_COUNT && kind_info[kind].area;
}

/* ---- classification ---- */

#define NO_KIND (-1)

static int eq(const char *s, const char *v)
{
	return s && !strcmp(s, v);
}

/* Whether `s` is one of the NULL-terminated `vals`. */
static int one_of(const char *s, const char *const *vals)
{
	if (!s)
		return 0;
	for (; *vals; vals++)
		if (!strcmp(s, *vals))
			return 1;
	return 0;
}

/* Tag values of one area feature (NULL = tag absent). */
struct area_tags {
	const char *natural, *water, *waterway, *landuse, *leisure, *building;
};

static int area_kind(const struct area_tags *t)
{
	static const char *const water_ww[] = {"riverbank", "dock", NULL};
	static const char *const water_lu[] = {"reservoir", "basin", NULL};
	static const char *const green_le[] = {"park", "garden", "playground", "pitch",
					       "nature_reserve", NULL};
	static const char *const green_lu[] = {"grass", "forest", "meadow", "recreation_ground",
					       "village_green", "cemetery", NULL};
	static const char *const green_na[] = {"wood", "scrub", "grassland", NULL};

	if (eq(t->natural, "water") || one_of(t->waterway, water_ww) ||
	    one_of(t->landuse, water_lu) || (t->water && *t->water))
		return MAPFEAT_WATER;
	if (t->building && *t->building && strcmp(t->building, "no"))
		return MAPFEAT_BUILDING;
	if (one_of(t->leisure, green_le) || one_of(t->landuse, green_lu) ||
	    one_of(t->natural, green_na))
		return MAPFEAT_GREEN;
	if (eq(t->landuse, "residential"))
		return MAPFEAT_RESIDENTIAL;
	if (eq(t->landuse, "commercial"))
		return MAPFEAT_COMMERCIAL;
	if (eq(t->landuse, "retail"))
		return MAPFEAT_RETAIL;
	if (eq(t->landuse, "industrial"))
		return MAPFEAT_INDUSTRIAL;
	return NO_KIND;
}

/* Lines in tunnels (and culverts) are not drawn on a base map. */
static int line_kind(const char *waterway, const char *railway, const char *tunnel)
{
	static const char *const rail[] = {"rail", "light_rail", "subway", NULL};
	if (tunnel && *tunnel && strcmp(tunnel, "no"))
		return NO_KIND;
	if (eq(waterway, "river") || eq(waterway, "canal"))
		return MAPFEAT_RIVER;
	if (eq(waterway, "stream"))
		return MAPFEAT_STREAM;
	if (one_of(railway, rail))
		return MAPFEAT_RAIL;
	return NO_KIND;
}

static int names_kept(int kind)
{
	return kind == MAPFEAT_WATER || kind == MAPFEAT_GREEN || kind == MAPFEAT_RIVER ||
	       kind == MAPFEAT_STREAM;
}

/* ---- building the arrays ---- */

struct mf_builder {
	struct mapfeat_set *m;
	uint32_t feat_cap, part_cap, pt_cap;   /* capacities of the arrays */
	double *xs, *ys;                       /* scratch for one part's points */
	int32_t *ix, *iy;                      /* the same in e7 */
	size_t xy_cap;
	uint32_t part0, pt0;                   /* the feature in progress starts here */
	int32_t bbox[4];                       /* and has this bounding box so far */
	/* natural=coastline ways, kept aside to become the sea (add_sea) */
	int32_t *cx, *cy;                      /* their points, e7 */
	uint32_t *cfirst;                      /* [ccount + 1] way i's points */
	uint32_t ccount, cpt, ccap, cwcap;
	int coast_bad;                         /* a coastline way could not be read */
};

static size_t at_least_1(size_t n)
{
	return n ? n : 1;
}

/* Resize array `p` to n elements (at least one); on failure `p` stays as it
 * was and the enclosing function returns -1. */
#define RESIZE_OR_FAIL(p, n)                                                     \
	do {                                                                     \
		void *q_ = realloc((p), at_least_1((size_t)(n)) * sizeof *(p)); \
		if (!q_)                                                         \
			return -1;                                               \
		(p) = q_;                                                        \
	} while (0)

static uint32_t next_cap(uint32_t cap, uint64_t need, uint32_t first)
{
	uint64_t c = cap ? cap : first;
	while (c < need)
		c *= 2;
	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

/* Room for `n` features (plus the part_first sentinel). */
static int reserve_feats(struct mf_builder *b, uint64_t n)
{
	struct mapfeat_set *m = b->m;
	if (n + 1 <= b->feat_cap)
		return 0;
	if (n + 1 >= UINT32_MAX)
		return -1;
	uint32_t cap = next_cap(b->feat_cap, n + 1, 1024);
	RESIZE_OR_FAIL(m->kind, cap);
	RESIZE_OR_FAIL(m->name, cap);
	RESIZE_OR_FAIL(m->bbox, (size_t)cap * 4);
	RESIZE_OR_FAIL(m->part_first, cap);
	b->feat_cap = cap;
	return 0;
}

static int reserve_parts(struct mf_builder *b, uint64_t n)
{
	struct mapfeat_set *m = b->m;
	if (n + 1 <= b->part_cap)
		return 0;
	if (n + 1 >= UINT32_MAX)
		return -1;
	uint32_t cap = next_cap(b->part_cap, n + 1, 1024);
	RESIZE_OR_FAIL(m->part_pt_first, cap);
	RESIZE_OR_FAIL(m->part_flags, cap);
	b->part_cap = cap;
	return 0;
}

static int reserve_pts(struct mf_builder *b, uint64_t n)
{
	struct mapfeat_set *m = b->m;
	if (n <= b->pt_cap)
		return 0;
	if (n >= UINT32_MAX)
		return -1;
	uint32_t cap = next_cap(b->pt_cap, n, 16384);
	RESIZE_OR_FAIL(m->pt_lon_e7, cap);
	RESIZE_OR_FAIL(m->pt_lat_e7, cap);
	b->pt_cap = cap;
	return 0;
}

static void begin_feature(struct mf_builder *b)
{
	b->part0 = b->m->part_count;
	b->pt0 = b->m->pt_count;
	b->bbox[0] = b->bbox[1] = INT32_MAX;
	b->bbox[2] = b->bbox[3] = INT32_MIN;
}

/* Forget the parts the feature in progress had added. */
static void drop_feature(struct mf_builder *b)
{
	b->m->part_count = b->part0;
	b->m->pt_count = b->pt0;
}

/* Keep the feature in progress; 0, or -1 on ENOMEM. */
static int commit_feature(struct mf_builder *b, int kind, uint32_t name)
{
	struct mapfeat_set *m = b->m;
	if (reserve_feats(b, (uint64_t)m->count + 1))
		return -1;
	uint32_t f = m->count;
	m->kind[f] = (uint8_t)kind;
	m->name[f] = name;
	memcpy(&m->bbox[4 * (size_t)f], b->bbox, sizeof b->bbox);
	m->part_first[f] = b->part0;
	m->part_first[f + 1] = m->part_count;
	m->count++;
	return 0;
}

/* Append points (px, py)[0..n) (e7) as one part with `flags`: consecutive
 * duplicates dropped, a ring closed and oriented (outer CCW, hole CW);
 * returns 0, 1 when degenerate (dropped), -1 on ENOMEM. */
static int add_points(struct mf_builder *b, const int32_t *px, const int32_t *py, uint32_t n,
		      unsigned flags)
{
	struct mapfeat_set *m = b->m;
	int ring = !(flags & MAPFEAT_LINE);
	if (n < (ring ? 4u : 2u))
		return 1;
	/* +1: room to close a ring */
	if (reserve_pts(b, (uint64_t)m->pt_count + (uint64_t)n + 1) ||
	    reserve_parts(b, (uint64_t)m->part_count + 1))
		return -1;
	int32_t *x = m->pt_lon_e7 + m->pt_count, *y = m->pt_lat_e7 + m->pt_count;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (k > 0 && x[k - 1] == px[i] && y[k - 1] == py[i])
			continue;
		x[k] = px[i];
		y[k] = py[i];
		k++;
	}
	if (ring) {
		if (x[k - 1] != x[0] || y[k - 1] != y[0]) {
			x[k] = x[0];
			y[k] = y[0];
			k++;
		}
		if (k < 4)
			return 1;
		/* twice the signed area, relative to the first point (exact
		 * enough in double for an orientation test) */
		double area2 = 0;
		for (uint32_t i = 1; i + 1 < k; i++)
			area2 += (double)(x[i] - x[0]) * (double)(y[i + 1] - y[0]) -
				 (double)(x[i + 1] - x[0]) * (double)(y[i] - y[0]);
		if (area2 == 0)
			return 1;
		if ((flags & MAPFEAT_OUTER) ? area2 < 0 : area2 > 0) {
			for (uint32_t i = 0, j = k - 1; i < j; i++, j--) {
				int32_t t = x[i];
				x[i] = x[j];
				x[j] = t;
				t = y[i];
				y[i] = y[j];
				y[j] = t;
			}
		}
	} else if (k < 2) {
		return 1;
	}
	for (uint32_t i = 0; i < k; i++) {
		if (x[i] < b->bbox[0]) b->bbox[0] = x[i];
		if (y[i] < b->bbox[1]) b->bbox[1] = y[i];
		if (x[i] > b->bbox[2]) b->bbox[2] = x[i];
		if (y[i] > b->bbox[3]) b->bbox[3] = y[i];
	}
	m->part_pt_first[m->part_count] = m->pt_count;
	m->part_flags[m->part_count] = (uint8_t)flags;
	m->pt_count += k;
	m->part_count++;
	m->part_pt_first[m->part_count] = m->pt_count;
	return 0;
}

/* Append the points of the simple curve `g` (a LineString or LinearRing) as
 * one part with `flags`, rounded to e7; returns 0, 1 when degenerate or out
 * of range (dropped), -1 on ENOMEM. */
static int add_part(struct mf_builder *b, OGRGeometryH g, unsigned flags)
{
	int n = OGR_G_GetPointCount(g);
	if (n < 2)
		return 1;
	if ((size_t)n > b->xy_cap) {
		RESIZE_OR_FAIL(b->xs, n);
		RESIZE_OR_FAIL(b->ys, n);
		RESIZE_OR_FAIL(b->ix, n);
		RESIZE_OR_FAIL(b->iy, n);
		b->xy_cap = (size_t)n;
	}
	OGR_G_GetPoints(g, b->xs, sizeof(double), b->ys, sizeof(double), NULL, 0);
	for (int i = 0; i < n; i++) {
		double lon = b->xs[i], lat = b->ys[i];
		if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
			return 1;
		b->ix[i] = geo_to_e7(lon);
		b->iy[i] = geo_to_e7(lat);
	}
	return add_points(b, b->ix, b->iy, (uint32_t)n, flags);
}

/* Add one Polygon; returns 0, 1 when its exterior is unusable (nothing
 * added), -1 on ENOMEM.  An unusable hole is dropped alone. */
static int add_polygon(struct mf_builder *b, OGRGeometryH poly)
{
	int rings = OGR_G_GetGeometryCount(poly);
	if (rings < 1)
		return 1;
	int r = add_part(b, OGR_G_GetGeometryRef(poly, 0), MAPFEAT_OUTER);
	if (r)
		return r;
	for (int i = 1; i < rings; i++)
		if (add_part(b, OGR_G_GetGeometryRef(poly, i), 0) < 0)
			return -1;
	return 0;
}

/* Add the polygons of `g` (Polygon, MultiPolygon, or a collection as
 * MakeValid returns, whose non-polygonal members are ignored); returns the
 * number added, or -1 on ENOMEM. */
static int add_area(struct mf_builder *b, OGRGeometryH g)
{
	OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
	if (t == wkbPolygon) {
		int r = add_polygon(b, g);
		return r < 0 ? -1 : r == 0;
	}
	if (t != wkbMultiPolygon && t != wkbGeometryCollection)
		return 0;
	int parts = OGR_G_GetGeometryCount(g), added = 0;
	for (int i = 0; i < parts; i++) {
		int r = add_area(b, OGR_G_GetGeometryRef(g, i));
		if (r < 0)
			return -1;
		added += r;
	}
	return added;
}

/* Add the lines of `g` (LineString or MultiLineString); returns the number
 * added, or -1 on ENOMEM. */
static int add_lines(struct mf_builder *b, OGRGeometryH g)
{
	OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
	if (t == wkbLineString) {
		int r = add_part(b, g, MAPFEAT_LINE);
		return r < 0 ? -1 : r == 0;
	}
	if (t != wkbMultiLineString)
		return 0;
	int parts = OGR_G_GetGeometryCount(g), added = 0;
	for (int i = 0; i < parts; i++) {
		int r = add_lines(b, OGR_G_GetGeometryRef(g, i));
		if (r < 0)
			return -1;
		added += r;
	}
	return added;
}

/* ---- reading ---- */

static int is_osm_path(const char *path)
{
	size_t n = strlen(path);
	return (n > 4 && !strcasecmp(path + n - 4, ".osm")) ||
	       (n > 4 && !strcasecmp(path + n - 4, ".pbf"));
}

/* Index of field `a` (or, when absent, `alt`) of layer `l`, or -1. */
static int layer_field(OGRLayerH l, const char *a, const char *alt)
{
	OGRFeatureDefnH def = OGR_L_GetLayerDefn(l);
	int n = OGR_FD_GetFieldCount(def);
	for (int pass = 0; pass < 2; pass++) {
		const char *want = pass ? alt : a;
		for (int i = 0; want && i < n; i++) {
			const char *fn = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(def, i));
			if (fn && !strcasecmp(fn, want))
				return i;
		}
	}
	return -1;
}

/* Field indexes, -1 when the layer lacks the field. */
struct mf_fields {
	int name, name_zh;
	int natural, water, waterway, landuse, leisure, building;   /* multipolygons */
	int l_name, l_name_zh, l_waterway, l_railway, l_tunnel, l_natural; /* lines */
};

static void find_fields(OGRLayerH areas, OGRLayerH lines, struct mf_fields *f)
{
	f->name = layer_field(areas, "name", NULL);
	f->name_zh = layer_field(areas, "name:zh", "name_zh");
	f->natural = layer_field(areas, "natural", NULL);
	f->water = layer_field(areas, "water", NULL);
	f->waterway = layer_field(areas, "waterway", NULL);
	f->landuse = layer_field(areas, "landuse", NULL);
	f->leisure = layer_field(areas, "leisure", NULL);
	f->building = layer_field(areas, "building", NULL);
	f->l_name = f->l_name_zh = f->l_waterway = f->l_railway = f->l_tunnel = f->l_natural = -1;
	if (lines) {
		f->l_name = layer_field(lines, "name", NULL);
		f->l_name_zh = layer_field(lines, "name:zh", "name_zh");
		f->l_waterway = layer_field(lines, "waterway", NULL);
		f->l_railway = layer_field(lines, "railway", NULL);
		f->l_tunnel = layer_field(lines, "tunnel", NULL);
		f->l_natural = layer_field(lines, "natural", NULL);
	}
}

static uint32_t feature_name(struct strpool *pool, OGRFeatureH feat, int f_zh, int f_name)
{
	const char *nm = ogr_field_str(feat, f_zh);
	if (!nm || !*nm)
		nm = ogr_field_str(feat, f_name);
	return strpool_add(pool, nm);
}

static int keep_coast(struct mf_builder *b, OGRGeometryH g);

/* One feature of the multipolygons layer; 0, or -1 on ENOMEM. */
static int read_area(struct mf_builder *b, OGRFeatureH feat, const struct mf_fields *f)
{
	struct area_tags t = {
		.natural = ogr_field_str(feat, f->natural),
		.water = ogr_field_str(feat, f->water),
		.waterway = ogr_field_str(feat, f->waterway),
		.landuse = ogr_field_str(feat, f->landuse),
		.leisure = ogr_field_str(feat, f->leisure),
		.building = ogr_field_str(feat, f->building),
	};
	if (eq(t.natural, "coastline"))
		return keep_coast(b, OGR_F_GetGeometryRef(feat));
	int kind = area_kind(&t);
	if (kind == NO_KIND)
		return 0;
	OGRGeometryH g = OGR_F_GetGeometryRef(feat), fixed = NULL;
	if (!g || OGR_G_IsEmpty(g)) {
		b->m->skipped_invalid++;
		return 0;
	}
	int repaired = 0;
	if (!OGR_G_IsValid(g)) {
		fixed = OGR_G_MakeValid(g);
		if (!fixed) {
			b->m->skipped_invalid++;
			return 0;
		}
		g = fixed;
		repaired = 1;
	}
	int ret = 0;
	begin_feature(b);
	int added = add_area(b, g);
	if (added < 0) {
		ret = -1;
	} else if (added == 0) {
		drop_feature(b);
		b->m->skipped_invalid++;
	} else {
		uint32_t name = names_kept(kind) ? feature_name(&b->m->names, feat, f->name_zh, f->name)
						 : 0;
		ret = commit_feature(b, kind, name);
		b->m->repaired += (uint32_t)repaired;
	}
	if (fixed)
		OGR_G_DestroyGeometry(fixed);
	return ret;
}

/* ---- the sea ---- */

/* Keep a natural=coastline way's points aside; 0, or -1 on ENOMEM.  A way
 * that is not one plain line spoils the sea (coast_bad). */
static int keep_coast(struct mf_builder *b, OGRGeometryH g)
{
	OGRwkbGeometryType gt = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
	if (gt == wkbPolygon || gt == wkbMultiPolygon) {
		/* a closed coastline way (an island) arrives as an area, since
		 * `natural` makes closed ways polygons: its outer rings */
		int parts = OGR_G_GetGeometryCount(g);
		for (int i = 0; i < parts; i++) {
			OGRGeometryH pg = OGR_G_GetGeometryRef(g, i);
			OGRGeometryH ring = gt == wkbPolygon ? (i == 0 ? pg : NULL)
							     : OGR_G_GetGeometryRef(pg, 0);
			if (ring && keep_coast(b, ring) < 0)
				return -1;
		}
		return 0;
	}
	if (gt != wkbLineString && gt != wkbLinearRing) {
		b->coast_bad = 1;
		return 0;
	}
	int n = OGR_G_GetPointCount(g);
	if (n < 2) {
		b->coast_bad = 1;
		return 0;
	}
	if (b->ccount + 2 > b->cwcap) {
		uint32_t cap = b->cwcap ? b->cwcap * 2 : 64;
		uint32_t *nf = realloc(b->cfirst, cap * sizeof *nf);
		if (!nf)
			return -1;
		b->cfirst = nf;
		b->cwcap = cap;
	}
	if ((uint64_t)b->cpt + (uint64_t)n > b->ccap) {
		uint64_t cap = b->ccap ? b->ccap : 1024;
		while (cap < (uint64_t)b->cpt + (uint64_t)n)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -1;
		int32_t *nx = realloc(b->cx, cap * sizeof *nx);
		if (nx)
			b->cx = nx;
		int32_t *ny = realloc(b->cy, cap * sizeof *ny);
		if (ny)
			b->cy = ny;
		if (!nx || !ny)
			return -1;
		b->ccap = (uint32_t)cap;
	}
	if (b->ccount == 0)
		b->cfirst[0] = 0;
	for (int i = 0; i < n; i++) {
		double lon = OGR_G_GetX(g, i), lat = OGR_G_GetY(g, i);
		if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
			b->coast_bad = 1;
			return 0;
		}
		b->cx[b->cpt + (uint32_t)i] = geo_to_e7(lon);
		b->cy[b->cpt + (uint32_t)i] = geo_to_e7(lat);
	}
	b->cpt += (uint32_t)n;
	b->cfirst[++b->ccount] = b->cpt;
	return 0;
}

/* The sea from the coastlines, when there are some and they all join into
 * closed rings (islands: OSM draws a coastline with the land on its left, so
 * an island runs counter-clockwise): one water feature whose outer ring is
 * the islands' box grown by SEA_MARGIN_E7 and whose holes are the islands.
 * A coast that leaves the extract (a mainland cut by the file's edge) has
 * open ends, and then no sea is drawn at all: which side is water cannot be
 * told.  0, or -1 on ENOMEM. */
#define SEA_MARGIN_E7 15000000 /* 1.5 degree: past what a city map shows */
static int add_sea(struct mf_builder *b)
{
	if (b->coast_bad || b->ccount == 0)
		return 0;
	uint32_t *used = calloc(b->ccount, sizeof *used);
	int32_t *rx = malloc((size_t)b->cpt * sizeof *rx + sizeof *rx);
	int32_t *ry = malloc((size_t)b->cpt * sizeof *ry + sizeof *ry);
	uint32_t *ring_end = malloc(((size_t)b->ccount + 1) * sizeof *ring_end);
	int ret = -1;
	if (!used || !rx || !ry || !ring_end)
		goto out;
	/* chain the ways end to start into rings (quadratic in the number of
	 * ways: hundreds for a country's coast) */
	uint32_t rn = 0, nrings = 0;
	int32_t box[4] = {INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN};
	for (uint32_t w0 = 0; w0 < b->ccount; w0++) {
		if (used[w0])
			continue;
		uint32_t start = rn, w = w0;
		for (;;) {
			used[w] = 1;
			for (uint32_t p = b->cfirst[w] + (rn > start ? 1 : 0); p < b->cfirst[w + 1]; p++) {
				rx[rn] = b->cx[p];
				ry[rn] = b->cy[p];
				rn++;
			}
			if (rx[rn - 1] == rx[start] && ry[rn - 1] == ry[start])
				break; /* closed */
			uint32_t next = b->ccount;
			for (uint32_t v = 0; v < b->ccount && next == b->ccount; v++)
				if (!used[v] && b->cx[b->cfirst[v]] == rx[rn - 1] &&
				    b->cy[b->cfirst[v]] == ry[rn - 1])
					next = v;
			if (next == b->ccount) {
				ret = 0; /* an open coast: no sea */
				goto out;
			}
			w = next;
		}
		ring_end[nrings++] = rn;
		for (uint32_t p = start; p < rn; p++) {
			if (rx[p] < box[0]) box[0] = rx[p];
			if (ry[p] < box[1]) box[1] = ry[p];
			if (rx[p] > box[2]) box[2] = rx[p];
			if (ry[p] > box[3]) box[3] = ry[p];
		}
	}
	int32_t x0 = box[0] > -1800000000 + SEA_MARGIN_E7 ? box[0] - SEA_MARGIN_E7 : -1800000000;
	int32_t x1 = box[2] < 1800000000 - SEA_MARGIN_E7 ? box[2] + SEA_MARGIN_E7 : 1800000000;
	int32_t y0 = box[1] > -850000000 + SEA_MARGIN_E7 ? box[1] - SEA_MARGIN_E7 : -850000000;
	int32_t y1 = box[3] < 850000000 - SEA_MARGIN_E7 ? box[3] + SEA_MARGIN_E7 : 850000000;
	const int32_t ox[5] = {x0, x1, x1, x0, x0}, oy[5] = {y0, y0, y1, y1, y0};
	begin_feature(b);
	int r = add_points(b, ox, oy, 5, MAPFEAT_OUTER);
	for (uint32_t i = 0, at = 0; r >= 0 && i < nrings; at = ring_end[i++])
		if (add_points(b, rx + at, ry + at, ring_end[i] - at, 0) < 0)
			r = -1;
	if (r < 0)
		goto out;
	ret = r == 0 ? commit_feature(b, MAPFEAT_WATER, 0) : 0;
	if (r != 0)
		drop_feature(b);
out:
	free(used);
	free(rx);
	free(ry);
	free(ring_end);
	return ret;
}

/* One feature of the lines layer; 0, or -1 on ENOMEM. */
static int read_line(struct mf_builder *b, OGRFeatureH feat, const struct mf_fields *f)
{
	if (eq(ogr_field_str(feat, f->l_natural), "coastline"))
		return keep_coast(b, OGR_F_GetGeometryRef(feat));
	int kind = line_kind(ogr_field_str(feat, f->l_waterway), ogr_field_str(feat, f->l_railway),
			     ogr_field_str(feat, f->l_tunnel));
	if (kind == NO_KIND)
		return 0;
	OGRGeometryH g = OGR_F_GetGeometryRef(feat);
	if (!g)
		return 0;
	begin_feature(b);
	int added = add_lines(b, g);
	if (added < 0)
		return -1;
	if (added == 0) {
		drop_feature(b);
		return 0;
	}
	uint32_t name = names_kept(kind) ? feature_name(&b->m->names, feat, f->l_name_zh, f->l_name)
					 : 0;
	return commit_feature(b, kind, name);
}

/* Give the arrays their exact sizes; a failed shrink keeps the larger block. */
#define SHRINK(p, n)                                                             \
	do {                                                                     \
		void *q_ = realloc((p), at_least_1((size_t)(n)) * sizeof *(p)); \
		if (q_)                                                          \
			(p) = q_;                                                \
	} while (0)

static void shrink(struct mapfeat_set *m)
{
	SHRINK(m->kind, m->count);
	SHRINK(m->name, m->count);
	SHRINK(m->bbox, (size_t)m->count * 4);
	SHRINK(m->part_first, (size_t)m->count + 1);
	SHRINK(m->part_pt_first, (size_t)m->part_count + 1);
	SHRINK(m->part_flags, m->part_count);
	SHRINK(m->pt_lon_e7, m->pt_count);
	SHRINK(m->pt_lat_e7, m->pt_count);
}

enum yz_err mapfeat_read(struct mapfeat_set *m, const char *path, struct yz_errbuf *eb)
{
	memset(m, 0, sizeof *m);
	strpool_init(&m->names);
	struct mf_builder b = {.m = m};
	struct ogr_source src = {0};
	enum yz_err err = YZ_OK;
	if (reserve_feats(&b, 0) || reserve_parts(&b, 0) || reserve_pts(&b, 1)) {
		err = yz_fail(eb, YZ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	m->part_first[0] = 0;
	m->part_pt_first[0] = 0;
	if (!is_osm_path(path))
		goto done;

	err = ogr_source_open(&src, path, "multipolygons", NULL, NULL, osmconf_mapfeat, NULL, eb);
	if (err)
		goto done;
	OGRLayerH areas = src.layer;
	OGRLayerH lines = GDALDatasetGetLayerByName(src.ds, "lines");
	struct mf_fields f;
	find_fields(areas, lines, &f);
	/* The OSM driver then builds no feature of the other layers. */
	OGRLayerH res = GDALDatasetExecuteSQL(src.ds, "SET interest_layers = multipolygons,lines",
					      NULL, NULL);
	if (res)
		GDALDatasetReleaseResultSet(src.ds, res);
	GDALDatasetResetReading(src.ds);
	OGRFeatureH feat;
	OGRLayerH lyr = NULL;
	while ((feat = GDALDatasetGetNextFeature(src.ds, &lyr, NULL, NULL, NULL)) != NULL) {
		int r = 0;
		if (lyr == areas)
			r = read_area(&b, feat, &f);
		else if (lyr == lines && lines)
			r = read_line(&b, feat, &f);
		OGR_F_Destroy(feat);
		if (r < 0) {
			err = yz_fail(eb, YZ_ENOMEM, "%s: base map: out of memory", path);
			goto done;
		}
	}
	if (!err && add_sea(&b) < 0)
		err = yz_fail(eb, YZ_ENOMEM, "%s: base map: out of memory", path);
	if (m->names.failed)
		err = yz_fail(eb, YZ_ENOMEM, "%s: base map: out of memory", path);
done:
	free(b.xs);
	free(b.ys);
	free(b.ix);
	free(b.iy);
	free(b.cx);
	free(b.cy);
	free(b.cfirst);
	if (src.ds)
		ogr_source_close(&src);
	strpool_seal(&m->names);
	if (err)
		mapfeat_free(m);
	else
		shrink(m);
	return err;
}

void mapfeat_free(struct mapfeat_set *m)
{
	free(m->kind);
	free(m->name);
	free(m->bbox);
	free(m->part_first);
	free(m->part_pt_first);
	free(m->part_flags);
	free(m->pt_lon_e7);
	free(m->pt_lat_e7);
	strpool_fini(&m->names);
	memset(m, 0, sizeof *m);
}
