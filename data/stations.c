/* stations.c — station source → stationset (see stations.h).
 *
 * Every skipped feature is named in the load report by its source index and
 * name, e.g. `station 17 "五角场驿站": no geometry`. */
#include "stations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "common/services.h"
#include "hours.h"
#include "ogr_source.h"
#include "source_path.h"

int source_path(char *out, size_t cap, const char *dir, const char *path)
{
	int n;
	if (!dir || !*dir || path[0] == '/')
		n = snprintf(out, cap, "%s", path);
	else
		n = snprintf(out, cap, "%s/%s", dir, path);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Services: comma- or semicolon-separated keys; unknown ones are reported. */
static uint32_t parse_services(const char *s, struct load_report *rep, long idx, const char *name)
{
	uint32_t mask = 0;
	while (s && *s) {
		const char *e = s;
		while (*e && *e != ',' && *e != ';')
			e++;
		size_t n = (size_t)(e - s);
		int k = service_lookup(s, n);
		if (k >= 0) {
			mask |= 1u << k;
		} else {
			const char *b = s;
			while (n && (*b == ' ' || *b == '\t'))
				b++, n--;
			if (n)
				report_warn(rep, LW_STATION_UNKNOWN_SERVICE,
					    "station %ld \"%s\": unknown service \"%.*s\" ignored", idx,
					    name, (int)(n > 40 ? 40 : n), b);
		}
		s = *e ? e + 1 : e;
	}
	return mask;
}

static int grow(struct stationset *ss, uint32_t *cap)
{
	if (ss->count < *cap)
		return 0;
	uint32_t nc = *cap ? *cap * 2 : 256;
	struct station *n = realloc(ss->items, (size_t)nc * sizeof *n);
	if (!n)
		return -1;
	ss->items = n;
	*cap = nc;
	return 0;
}

/* Duplicate-id detection: open addressing over string offsets (the pool
 * dedups strings, so equal ids have equal offsets). */
struct id_set {
	uint32_t *slots;
	size_t cap;
};

static int id_seen(struct id_set *s, uint32_t off)
{
	size_t i = (off * 2654435761u) & (s->cap - 1);
	while (s->slots[i]) {
		if (s->slots[i] == off)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	s->slots[i] = off;
	return 0;
}

enum yz_err stations_read(struct stationset *ss, const struct config_source_def *src,
			  const char *dir, struct load_report *rep, struct yz_errbuf *eb)
{
	memset(ss, 0, sizeof *ss);
	strpool_init(&ss->strings);
	char path[1024];
	if (source_path(path, sizeof path, dir, src->path))
		return yz_fail(eb, YZ_EIO, "station path too long");

	/* CSV: tell GDAL which columns hold the coordinates. */
	char xopt[300], yopt[300];
	const char *fl = src->field[CF_LON], *fa = src->field[CF_LAT];
	snprintf(xopt, sizeof xopt, "X_POSSIBLE_NAMES=%s", *fl ? fl : "lon,lng,longitude,x");
	snprintf(yopt, sizeof yopt, "Y_POSSIBLE_NAMES=%s", *fa ? fa : "lat,latitude,y");
	const char *opts[] = {xopt, yopt, "KEEP_GEOM_COLUMNS=NO", NULL};

	struct ogr_source s;
	enum yz_err err = ogr_source_open(&s, path, src->layer, NULL, src->crs, NULL, opts, eb);
	if (err)
		return err;
	int fi[CONFIG_FIELD_COUNT];
	for (int f = 0; f < CONFIG_FIELD_COUNT; f++)
		fi[f] = ogr_source_field(&s, config_field_source(src, (enum config_field)f));
	if (fi[CF_HOURS] < 0 && !src->field[CF_HOURS][0])
		fi[CF_HOURS] = ogr_source_field(&s, "opening_hours");

	struct id_set ids = {.cap = 1024};
	ids.slots = calloc(ids.cap, sizeof *ids.slots);
	uint32_t cap = 0;
	if (!ids.slots) {
		err = YZ_ENOMEM;
		goto done;
	}
	OGRFeatureH feat;
	long idx = -1;
	while ((feat = OGR_L_GetNextFeature(s.layer)) != NULL) {
		idx++;
		const char *name = ogr_field_str(feat, fi[CF_NAME]);
		const char *shown = name ? name : "";
		OGRGeometryH g = OGR_F_GetGeometryRef(feat);
		if (g && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPoint &&
		    OGR_G_GetGeometryCount(g) == 1)
			g = OGR_G_GetGeometryRef(g, 0);
		if (!g || OGR_G_IsEmpty(g) || wkbFlatten(OGR_G_GetGeometryType(g)) != wkbPoint) {
			report_warn(rep, LW_STATION_GEOMETRY, "station %ld \"%s\": no point geometry",
				    idx, shown);
			OGR_F_Destroy(feat);
			continue;
		}
		double x = OGR_G_GetX(g, 0), y = OGR_G_GetY(g, 0);
		if (!crs_is_identity(s.xf) && crs_to_wgs84(s.xf, &x, &y, 1, NULL) != YZ_OK)
			x = y = 1e9;
		if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90)) {
			report_warn(rep, LW_STATION_GEOMETRY,
				    "station %ld \"%s\": coordinates out of range", idx, shown);
			OGR_F_Destroy(feat);
			continue;
		}
		/* id: the source's id field, else the feature's index (SPEC §4) */
		const char *id = ogr_field_str(feat, fi[CF_ID]);
		char idxbuf[24];
		if (!id || !*id) {
			snprintf(idxbuf, sizeof idxbuf, "%ld", idx);
			id = idxbuf;
		}
		if ((ss->count + 1) * 2 > ids.cap) {
			struct id_set bigger = {.cap = ids.cap * 2};
			bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
			if (!bigger.slots) {
				err = YZ_ENOMEM;
				OGR_F_Destroy(feat);
				goto done;
			}
			for (uint32_t i = 0; i < ss->count; i++)
				id_seen(&bigger, ss->items[i].id);
			free(ids.slots);
			ids = bigger;
		}
		uint32_t id_off = strpool_add(&ss->strings, id);
		if (id_off && id_seen(&ids, id_off)) {
			report_warn(rep, LW_STATION_DUPLICATE_ID,
				    "station %ld \"%s\": duplicate id \"%s\", skipped", idx, shown, id);
			OGR_F_Destroy(feat);
			continue;
		}
		if (grow(ss, &cap)) {
			err = YZ_ENOMEM;
			OGR_F_Destroy(feat);
			goto done;
		}
		struct station *st = &ss->items[ss->count++];
		st->lon_e7 = geo_to_e7(x);
		st->lat_e7 = geo_to_e7(y);
		st->id = id_off;
		st->name = strpool_add(&ss->strings, name);
		st->address = strpool_add(&ss->strings, ogr_field_str(feat, fi[CF_ADDRESS]));
		st->phone = strpool_add(&ss->strings, ogr_field_str(feat, fi[CF_PHONE]));
		const char *hours = ogr_field_str(feat, fi[CF_HOURS]);
		st->hours = strpool_add(&ss->strings, hours);
		if (hours && *hours) {
			struct hours h;
			struct yz_errbuf heb;
			enum yz_err herr = hours_parse(hours, strlen(hours), &h, &heb);
			if (herr && herr != YZ_EEMPTY)
				report_warn(rep, LW_STATION_FIELD,
					    "station %ld \"%s\": %s; hours shown as unknown", idx, shown,
					    heb.msg);
		}
		st->kind = strpool_add(&ss->strings, ogr_field_str(feat, fi[CF_KIND]));
		st->services = parse_services(ogr_field_str(feat, fi[CF_SERVICES]), rep, idx, shown);
		OGR_F_Destroy(feat);
	}
	if (ss->strings.failed)
		err = YZ_ENOMEM;
done:
	free(ids.slots);
	ogr_source_close(&s);
	strpool_seal(&ss->strings);
	if (err) {
		stations_free(ss);
		return yz_fail(eb, err, "%s: %s", path, yz_strerror(err));
	}
	return YZ_OK;
}

void stations_free(struct stationset *ss)
{
	free(ss->items);
	strpool_fini(&ss->strings);
	memset(ss, 0, sizeof *ss);
}
