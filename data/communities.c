/* communities.c — polygon source → communityset (see communities.h).
 *
 * Geometry is checked with GEOS (through OGR); an invalid polygon is repaired
 * with MakeValid when that yields polygons, otherwise skipped.  Rings are
 * stored closed, outer rings counter-clockwise and holes clockwise (RFC 7946),
 * so GeoJSON output needs no further work. */
#include "communities.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "ogr_source.h"
#include "source_path.h"

struct comm_builder {
	struct communityset *cs;
	uint32_t item_cap, ring_cap, pt_cap;
};

static int grow_u32(uint32_t **a, uint32_t need, uint32_t *cap, size_t elem)
{
	if (need <= *cap)
		return 0;
	uint32_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *n = realloc(*a, (size_t)nc * elem);
	if (!n)
		return -1;
	*a = n;
	*cap = nc;
	return 0;
}

static int add_ring(struct comm_builder *b, struct ogr_source *src, OGRGeometryH ring,
		    int outer, struct community *c)
{
	struct communityset *cs = b->cs;
	int n = OGR_G_GetPointCount(ring);
	if (n < 4)
		return 1;
	uint32_t cap_r = b->ring_cap, cap_p = b->pt_cap;
	if (grow_u32(&cs->ring_pt_first, cs->ring_count + 2, &cap_r, sizeof(uint32_t)))
		return -1;
	uint32_t cap_f = b->ring_cap;
	if (grow_u32((uint32_t **)&cs->ring_flags, cs->ring_count + 2, &cap_f, 1))
		return -1;
	b->ring_cap = cap_r < cap_f ? cap_r : cap_f;
	uint32_t cap_y = b->pt_cap;
	if (grow_u32((uint32_t **)&cs->pt_lon_e7, cs->pt_count + (uint32_t)n, &cap_p, 4) ||
	    grow_u32((uint32_t **)&cs->pt_lat_e7, cs->pt_count + (uint32_t)n, &cap_y, 4))
		return -1;
	b->pt_cap = cap_p < cap_y ? cap_p : cap_y;

	double *xs = malloc((size_t)n * sizeof *xs), *ys = malloc((size_t)n * sizeof *ys);
	if (!xs || !ys) {
		free(xs);
		free(ys);
		return -1;
	}
	OGR_G_GetPoints(ring, xs, sizeof(double), ys, sizeof(double), NULL, 0);
	int bad = !crs_is_identity(src->xf) && crs_to_wgs84(src->xf, xs, ys, (size_t)n, NULL);
	double area2 = 0;
	for (int i = 0; i < n && !bad; i++) {
		if (!(xs[i] >= -180 && xs[i] <= 180 && ys[i] >= -90 && ys[i] <= 90))
			bad = 1;
		int j = (i + 1) % n;
		area2 += xs[i] * ys[j] - xs[j] * ys[i];
	}
	if (bad) {
		free(xs);
		free(ys);
		return 1;
	}
	/* RFC 7946: exterior counter-clockwise (positive area), holes clockwise */
	int reverse = outer ? area2 < 0 : area2 > 0;
	uint32_t first = cs->pt_count;
	for (int k = 0; k < n; k++) {
		int i = reverse ? n - 1 - k : k;
		int32_t x = geo_to_e7(xs[i]), y = geo_to_e7(ys[i]);
		cs->pt_lon_e7[cs->pt_count] = x;
		cs->pt_lat_e7[cs->pt_count] = y;
		cs->pt_count++;
		if (x < c->min_lon_e7) c->min_lon_e7 = x;
		if (x > c->max_lon_e7) c->max_lon_e7 = x;
		if (y < c->min_lat_e7) c->min_lat_e7 = y;
		if (y > c->max_lat_e7) c->max_lat_e7 = y;
	}
	free(xs);
	free(ys);
	/* close the ring exactly */
	if (cs->pt_lon_e7[first] != cs->pt_lon_e7[cs->pt_count - 1] ||
	    cs->pt_lat_e7[first] != cs->pt_lat_e7[cs->pt_count - 1]) {
		if (grow_u32((uint32_t **)&cs->pt_lon_e7, cs->pt_count + 1, &cap_p, 4) ||
		    grow_u32((uint32_t **)&cs->pt_lat_e7, cs->pt_count + 1, &cap_y, 4))
			return -1;
		b->pt_cap = cap_p < cap_y ? cap_p : cap_y;
		cs->pt_lon_e7[cs->pt_count] = cs->pt_lon_e7[first];
		cs->pt_lat_e7[cs->pt_count] = cs->pt_lat_e7[first];
		cs->pt_count++;
	}
	cs->ring_pt_first[cs->ring_count] = first;
	cs->ring_flags[cs->ring_count] = outer ? RING_OUTER : 0;
	cs->ring_count++;
	cs->ring_pt_first[cs->ring_count] = cs->pt_count;
	c->ring_count++;
	return 0;
}

/* Add a Polygon; returns 0, 1 when its exterior is unusable, -1 on ENOMEM. */
static int add_polygon(struct comm_builder *b, struct ogr_source *src, OGRGeometryH poly,
		       struct community *c)
{
	int rings = OGR_G_GetGeometryCount(poly);
	if (rings < 1)
		return 1;
	int r = add_ring(b, src, OGR_G_GetGeometryRef(poly, 0), 1, c);
	if (r)
		return r;
	for (int i = 1; i < rings; i++)
		if (add_ring(b, src, OGR_G_GetGeometryRef(poly, i), 0, c) < 0)
			return -1;
	return 0;
}

/* Roll back the rings a skipped feature had added. */
static void drop_rings(struct communityset *cs, const struct community *c)
{
	cs->ring_count = c->ring_first;
	cs->pt_count = cs->ring_count ? cs->ring_pt_first[cs->ring_count] : 0;
}

/* Whether an accepted community has the id at pool offset `id` (the pool
 * stores equal strings once).  Linear: a boundary file holds thousands of
 * communities at most. */
static int id_taken(const struct communityset *cs, uint32_t id)
{
	for (uint32_t i = 0; i < cs->count; i++)
		if (cs->items[i].id == id)
			return 1;
	return 0;
}

enum yz_err communities_read(struct communityset *cs, const struct config_source_def *src,
			     const char *dir, struct load_report *rep, struct yz_errbuf *eb)
{
	memset(cs, 0, sizeof *cs);
	strpool_init(&cs->strings);
	char path[1024];
	if (source_path(path, sizeof path, dir, src->path))
		return yz_fail(eb, YZ_EIO, "community path too long");
	struct ogr_source s;
	enum yz_err err = ogr_source_open(&s, path, src->layer, NULL, src->crs, NULL, NULL, eb);
	if (err)
		return err;
	int f_id = ogr_source_field(&s, config_field_source(src, CF_ID));
	int f_name = ogr_source_field(&s, config_field_source(src, CF_NAME));
	int f_pop = ogr_source_field(&s, config_field_source(src, CF_POPULATION));
	struct comm_builder b = {.cs = cs};
	OGRFeatureH feat;
	long idx = -1;
	while ((feat = OGR_L_GetNextFeature(s.layer)) != NULL) {
		idx++;
		const char *name = ogr_field_str(feat, f_name);
		const char *shown = name ? name : "";
		OGRGeometryH g = OGR_F_GetGeometryRef(feat), fixed = NULL;
		OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbUnknown;
		if (!g || OGR_G_IsEmpty(g) || (t != wkbPolygon && t != wkbMultiPolygon)) {
			report_warn(rep, LW_COMMUNITY_GEOMETRY,
				    "community %ld \"%s\": no polygon geometry", idx, shown);
			OGR_F_Destroy(feat);
			continue;
		}
		if (!OGR_G_IsValid(g)) {
			fixed = OGR_G_MakeValid(g);
			OGRwkbGeometryType ft = fixed ? wkbFlatten(OGR_G_GetGeometryType(fixed)) : wkbUnknown;
			if (!fixed || (ft != wkbPolygon && ft != wkbMultiPolygon)) {
				report_warn(rep, LW_COMMUNITY_GEOMETRY,
					    "community %ld \"%s\": invalid polygon, skipped", idx, shown);
				if (fixed)
					OGR_G_DestroyGeometry(fixed);
				OGR_F_Destroy(feat);
				continue;
			}
			report_warn(rep, LW_COMMUNITY_GEOMETRY,
				    "community %ld \"%s\": invalid polygon repaired", idx, shown);
			g = fixed;
			t = wkbFlatten(OGR_G_GetGeometryType(g));
		}
		if (cs->count + 1 > b.item_cap) {
			uint32_t nc = b.item_cap ? b.item_cap * 2 : 64;
			struct community *n = realloc(cs->items, (size_t)nc * sizeof *n);
			if (!n) {
				err = YZ_ENOMEM;
				goto feature_done;
			}
			cs->items = n;
			b.item_cap = nc;
		}
		struct community *c = &cs->items[cs->count];
		memset(c, 0, sizeof *c);
		c->ring_first = cs->ring_count;
		c->min_lon_e7 = c->min_lat_e7 = INT32_MAX;
		c->max_lon_e7 = c->max_lat_e7 = INT32_MIN;
		int ok = 0;
		if (t == wkbPolygon) {
			int r = add_polygon(&b, &s, g, c);
			if (r < 0)
				err = YZ_ENOMEM;
			ok = r == 0;
		} else {
			int parts = OGR_G_GetGeometryCount(g);
			for (int i = 0; i < parts && !err; i++) {
				int r = add_polygon(&b, &s, OGR_G_GetGeometryRef(g, i), c);
				if (r < 0)
					err = YZ_ENOMEM;
				ok += r == 0;
			}
		}
		if (err)
			goto feature_done;
		if (!ok) {
			drop_rings(cs, c);
			report_warn(rep, LW_COMMUNITY_GEOMETRY,
				    "community %ld \"%s\": no usable ring", idx, shown);
			goto feature_done;
		}
		const char *id = ogr_field_str(feat, f_id);
		char idxbuf[24];
		if (!id || !*id) {
			snprintf(idxbuf, sizeof idxbuf, "%ld", idx);
			id = idxbuf;
		}
		c->id = strpool_add(&cs->strings, id);
		if (c->id && id_taken(cs, c->id)) {
			drop_rings(cs, c);
			report_warn(rep, LW_COMMUNITY_FIELD,
				    "community %ld \"%s\": duplicate id \"%.40s\", skipped", idx, shown,
				    id);
			goto feature_done;
		}
		c->name = strpool_add(&cs->strings, name);
		c->population = -1;
		const char *pop = ogr_field_str(feat, f_pop);
		if (pop && *pop) {
			char *end;
			double v = strtod(pop, &end);
			if (*end || !isfinite(v) || v < 0)
				report_warn(rep, LW_COMMUNITY_FIELD,
					    "community %ld \"%s\": population \"%.32s\" is not a number",
					    idx, shown, pop);
			else
				c->population = v;
		}
		cs->count++;
	feature_done:
		if (fixed)
			OGR_G_DestroyGeometry(fixed);
		OGR_F_Destroy(feat);
		if (err)
			break;
	}
	if (!err && cs->strings.failed)
		err = YZ_ENOMEM;
	if (!err && !cs->ring_pt_first) {
		cs->ring_pt_first = calloc(1, sizeof *cs->ring_pt_first);
		if (!cs->ring_pt_first)
			err = YZ_ENOMEM;
	}
	ogr_source_close(&s);
	strpool_seal(&cs->strings);
	if (err) {
		communities_free(cs);
		return yz_fail(eb, err, "%s: %s", path, yz_strerror(err));
	}
	return YZ_OK;
}

void communities_free(struct communityset *cs)
{
	free(cs->items);
	free(cs->ring_pt_first);
	free(cs->ring_flags);
	free(cs->pt_lon_e7);
	free(cs->pt_lat_e7);
	strpool_fini(&cs->strings);
	memset(cs, 0, sizeof *cs);
}

int community_contains(const struct communityset *cs, uint32_t c, int32_t lon_e7, int32_t lat_e7)
{
	const struct community *cm = &cs->items[c];
	if (lon_e7 < cm->min_lon_e7 || lon_e7 > cm->max_lon_e7 || lat_e7 < cm->min_lat_e7 ||
	    lat_e7 > cm->max_lat_e7)
		return 0;
	int inside = 0;
	for (uint32_t r = cm->ring_first; r < cm->ring_first + cm->ring_count; r++) {
		uint32_t a = cs->ring_pt_first[r], b = cs->ring_pt_first[r + 1];
		for (uint32_t i = a, j = b - 1; i < b; j = i++) {
			int64_t yi = cs->pt_lat_e7[i], yj = cs->pt_lat_e7[j];
			int64_t xi = cs->pt_lon_e7[i], xj = cs->pt_lon_e7[j];
			if ((yi > lat_e7) != (yj > lat_e7)) {
				/* x of the edge at lat: xi + (lat-yi)*(xj-xi)/(yj-yi) */
				double x = (double)xi + (double)(lat_e7 - yi) * (double)(xj - xi) /
								 (double)(yj - yi);
				if ((double)lon_e7 < x)
					inside = !inside;
			}
		}
	}
	return inside;
}
