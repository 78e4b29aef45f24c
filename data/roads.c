/* roads.c — road source → roadset (see roads.h).
 *
 * OSM files are read through GDAL's OSM driver with the configuration below
 * (our osmconf.ini).  It differs from GDAL's default in one way that matters
 * for routing: `closed_ways_are_polygons` names no real key, so a closed
 * highway way (a roundabout, a loop road) stays in the `lines` layer, unless
 * it carries area=yes, which SPEC §2 says is not a road anyway.  Every tag the
 * profiles read is a field of its own.
 *
 * Topology is by identical coordinates (SPEC §7 allows it for readers that see
 * no node ids): points are kept as e7 integers, exactly the OSM precision. */
#include "roads.h"

#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "ogr_source.h"

static const char osmconf_roads[] =
	"# yizhan: osmconf.ini for reading roads (see data/roads.c)\n"
	"closed_ways_are_polygons=yizhan_no_such_key\n"
	"report_all_nodes=no\n"
	"report_all_ways=no\n"
	"[points]\nosm_id=no\nattributes=name\n"
	"[lines]\nosm_id=yes\n"
	"attributes=name,name:zh,highway,oneway,junction,access,foot,bicycle,motor_vehicle,"
	"motorcar,maxspeed,oneway:bicycle,cycleway,area\n"
	"[multipolygons]\nosm_id=no\nattributes=name\n"
	"[multilinestrings]\nosm_id=no\nattributes=name\n"
	"[other_relations]\nosm_id=no\nattributes=name\n";

/* Growable arrays while reading. */
struct road_builder {
	struct roadset *rs;
	uint32_t way_cap, pt_cap;
};

static int reserve(struct road_builder *b, uint32_t ways, uint32_t pts)
{
	struct roadset *rs = b->rs;
	if (rs->way_count + ways + 1 > b->way_cap) {
		uint32_t cap = b->way_cap ? b->way_cap * 2 : 4096;
		while (cap < rs->way_count + ways + 1)
			cap *= 2;
		uint32_t *f = realloc(rs->way_pt_first, (size_t)cap * sizeof *f);
		if (f)
			rs->way_pt_first = f;
		struct way_profile *p = realloc(rs->way_prof, (size_t)cap * sizeof *p);
		if (p)
			rs->way_prof = p;
		uint32_t *n = realloc(rs->way_name, (size_t)cap * sizeof *n);
		if (n)
			rs->way_name = n;
		if (!f || !p || !n)
			return -1;
		b->way_cap = cap;
	}
	if ((uint64_t)rs->pt_count + pts > UINT32_MAX - 1)
		return -1;
	if (rs->pt_count + pts > b->pt_cap) {
		uint32_t cap = b->pt_cap ? b->pt_cap * 2 : 65536;
		while (cap < rs->pt_count + pts)
			cap *= 2;
		int32_t *x = realloc(rs->pt_lon_e7, (size_t)cap * sizeof *x);
		if (x)
			rs->pt_lon_e7 = x;
		int32_t *y = realloc(rs->pt_lat_e7, (size_t)cap * sizeof *y);
		if (y)
			rs->pt_lat_e7 = y;
		if (!x || !y)
			return -1;
		b->pt_cap = cap;
	}
	return 0;
}

/* Field indexes of the tags, -1 when the source lacks the field. */
struct road_fields {
	int highway, name, name_zh, oneway, junction, access, area, foot, bicycle;
	int motor_vehicle, motorcar, maxspeed, oneway_bicycle, cycleway, osm_id;
};

static int field2(const struct ogr_source *s, const char *a, const char *b)
{
	int i = ogr_source_field(s, a);
	return i >= 0 || !b ? i : ogr_source_field(s, b);
}

static void find_fields(const struct ogr_source *s, const char *highway_field,
			struct road_fields *f)
{
	f->highway = ogr_source_field(s, highway_field && *highway_field ? highway_field : "highway");
	f->name = ogr_source_field(s, "name");
	f->name_zh = field2(s, "name_zh", "name:zh");
	f->oneway = ogr_source_field(s, "oneway");
	f->junction = ogr_source_field(s, "junction");
	f->access = ogr_source_field(s, "access");
	f->area = ogr_source_field(s, "area");
	f->foot = ogr_source_field(s, "foot");
	f->bicycle = ogr_source_field(s, "bicycle");
	f->motor_vehicle = ogr_source_field(s, "motor_vehicle");
	f->motorcar = ogr_source_field(s, "motorcar");
	f->maxspeed = ogr_source_field(s, "maxspeed");
	f->oneway_bicycle = field2(s, "oneway_bicycle", "oneway:bicycle");
	f->cycleway = ogr_source_field(s, "cycleway");
	f->osm_id = ogr_source_field(s, "osm_id");
}

/* Append one linestring as a way; returns 0, 1 when degenerate, -1 on ENOMEM
 * or CRS failure (eb filled). */
static int add_line(struct road_builder *b, struct ogr_source *src, OGRGeometryH g,
		    const struct way_profile *prof, uint32_t name, double **xs, double **ys,
		    size_t *cap, struct yz_errbuf *eb)
{
	int n = OGR_G_GetPointCount(g);
	if (n < 2)
		return 1;
	if ((size_t)n > *cap) {
		double *nx = realloc(*xs, (size_t)n * sizeof **xs);
		if (nx)
			*xs = nx;
		double *ny = realloc(*ys, (size_t)n * sizeof **ys);
		if (ny)
			*ys = ny;
		if (!nx || !ny)
			return -1;
		*cap = (size_t)n;
	}
	OGR_G_GetPoints(g, *xs, sizeof(double), *ys, sizeof(double), NULL, 0);
	if (!crs_is_identity(src->xf) &&
	    crs_to_wgs84(src->xf, *xs, *ys, (size_t)n, eb) != YZ_OK)
		return 1;
	if (reserve(b, 1, (uint32_t)n))
		return -1;
	struct roadset *rs = b->rs;
	uint32_t first = rs->pt_count;
	for (int i = 0; i < n; i++) {
		double lon = (*xs)[i], lat = (*ys)[i];
		if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
			rs->pt_count = first;
			return 1;
		}
		int32_t x = geo_to_e7(lon), y = geo_to_e7(lat);
		if (rs->pt_count > first && rs->pt_lon_e7[rs->pt_count - 1] == x &&
		    rs->pt_lat_e7[rs->pt_count - 1] == y)
			continue;
		rs->pt_lon_e7[rs->pt_count] = x;
		rs->pt_lat_e7[rs->pt_count] = y;
		rs->pt_count++;
	}
	if (rs->pt_count - first < 2) {
		rs->pt_count = first;
		return 1;
	}
	rs->way_pt_first[rs->way_count] = first;
	rs->way_prof[rs->way_count] = *prof;
	rs->way_name[rs->way_count] = name;
	rs->way_count++;
	rs->way_pt_first[rs->way_count] = rs->pt_count;
	return 0;
}

enum yz_err roads_read(struct roadset *rs, const char *path, const char *layer, const char *crs,
		       const char *highway_field, struct load_report *rep, struct yz_errbuf *eb)
{
	memset(rs, 0, sizeof *rs);
	strpool_init(&rs->names);
	struct ogr_source src;
	enum yz_err err = ogr_source_open(&src, path, layer, "lines", crs, osmconf_roads, NULL, eb);
	if (err)
		return err;
	struct road_fields f;
	find_fields(&src, highway_field, &f);
	if (f.highway < 0) {
		ogr_source_close(&src);
		return yz_fail(eb, YZ_EFORMAT, "%s: the layer has no \"%s\" field", path,
			       highway_field && *highway_field ? highway_field : "highway");
	}
	struct road_builder b = {.rs = rs};
	double *xs = NULL, *ys = NULL;
	size_t cap = 0;
	err = YZ_OK;
	if (reserve(&b, 0, 0)) {
		err = yz_fail(eb, YZ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	rs->way_pt_first[0] = 0;
	OGRFeatureH feat;
	while ((feat = OGR_L_GetNextFeature(src.layer)) != NULL) {
		const char *hw = ogr_field_str(feat, f.highway);
		if (!hw || !*hw) {
			OGR_F_Destroy(feat);
			continue;
		}
		rs->ways_read++;
		struct way_tags t = {
			.highway = hw,
			.oneway = ogr_field_str(feat, f.oneway),
			.junction = ogr_field_str(feat, f.junction),
			.access = ogr_field_str(feat, f.access),
			.area = ogr_field_str(feat, f.area),
			.foot = ogr_field_str(feat, f.foot),
			.bicycle = ogr_field_str(feat, f.bicycle),
			.motor_vehicle = ogr_field_str(feat, f.motor_vehicle),
			.motorcar = ogr_field_str(feat, f.motorcar),
			.maxspeed = ogr_field_str(feat, f.maxspeed),
			.oneway_bicycle = ogr_field_str(feat, f.oneway_bicycle),
			.cycleway = ogr_field_str(feat, f.cycleway),
		};
		struct way_profile prof;
		profile_way(&t, &prof);
		if (prof.road_class == RC_NONE) {
			rs->ways_unusable++;
			OGR_F_Destroy(feat);
			continue;
		}
		const char *nm = ogr_field_str(feat, f.name_zh);
		if (!nm || !*nm)
			nm = ogr_field_str(feat, f.name);
		uint32_t name = strpool_add(&rs->names, nm);
		OGRGeometryH g = OGR_F_GetGeometryRef(feat);
		OGRwkbGeometryType gt = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
		int bad = 0;
		if (gt == wkbLineString) {
			int r = add_line(&b, &src, g, &prof, name, &xs, &ys, &cap, eb);
			if (r < 0)
				err = YZ_ENOMEM;
			bad = r != 0;
		} else if (gt == wkbMultiLineString) {
			int parts = OGR_G_GetGeometryCount(g), good = 0;
			for (int i = 0; i < parts && !err; i++) {
				int r = add_line(&b, &src, OGR_G_GetGeometryRef(g, i), &prof, name,
						 &xs, &ys, &cap, eb);
				if (r < 0)
					err = YZ_ENOMEM;
				good += r == 0;
			}
			bad = good == 0;
		} else {
			bad = 1;
		}
		if (bad && !err) {
			const char *id = ogr_field_str(feat, f.osm_id);
			report_warn(rep, LW_ROAD_GEOMETRY, "road %s%s: no usable line geometry",
				    id ? "way " : "feature ",
				    id ? id : "?");
		}
		OGR_F_Destroy(feat);
		if (err) {
			yz_fail(eb, err, "%s: out of memory", path);
			goto done;
		}
	}
	if (rs->names.failed) {
		err = yz_fail(eb, YZ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	if (rs->way_count == 0)
		err = yz_fail(eb, YZ_EEMPTY, "%s: no usable roads (%u highway features read)", path,
			      rs->ways_read);
done:
	free(xs);
	free(ys);
	ogr_source_close(&src);
	strpool_seal(&rs->names);
	if (err)
		roads_free(rs);
	return err;
}

void roads_free(struct roadset *rs)
{
	free(rs->way_pt_first);
	free(rs->pt_lon_e7);
	free(rs->pt_lat_e7);
	free(rs->way_prof);
	free(rs->way_name);
	strpool_fini(&rs->names);
	memset(rs, 0, sizeof *rs);
}
