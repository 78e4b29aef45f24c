/* ogr_source.c — the one place data/ opens files with GDAL; see ogr_source.h.
 *
 * GDAL's error handler is replaced by a silent one: messages reach the user
 * through our error buffers (CPLGetLastErrorMsg), never as stray stderr. */
#include "ogr_source.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_srs_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void quiet_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
	(void)cls;
	(void)num;
	(void)msg;
}

static pthread_once_t ogr_once = PTHREAD_ONCE_INIT;

static void ogr_init_once(void)
{
	GDALAllRegister();
	CPLSetErrorHandler(quiet_handler);
}

void ogr_init(void)
{
	pthread_once(&ogr_once, ogr_init_once);
}

/* Write `text` to a fresh temporary file; returns its malloc'd path. */
static char *write_temp(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	if (asprintf(&path, "%s/yizhan-osmconf-XXXXXX", dir && *dir ? dir : "/tmp") < 0)
		return NULL;
	int fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w <= 0) {
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		off += (size_t)w;
	}
	close(fd);
	return path;
}

static int is_osm_path(const char *path)
{
	size_t n = strlen(path);
	return (n > 4 && !strcasecmp(path + n - 4, ".osm")) ||
	       (n > 8 && !strcasecmp(path + n - 8, ".osm.pbf")) ||
	       (n > 4 && !strcasecmp(path + n - 4, ".pbf"));
}

static enum yz_err open_crs(struct ogr_source *s, const char *crs, struct yz_errbuf *eb)
{
	if (crs && *crs)
		return crs_open(crs, &s->xf, eb);
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(s->layer);
	if (!srs)
		return crs_open(NULL, &s->xf, eb);
	const char *auth = OSRGetAuthorityName(srs, NULL);
	const char *code = OSRGetAuthorityCode(srs, NULL);
	if (auth && code &&
	    ((!strcasecmp(auth, "EPSG") && !strcmp(code, "4326")) ||
	     (!strcasecmp(auth, "OGC") && !strcasecmp(code, "CRS84"))))
		return crs_open(NULL, &s->xf, eb);
	char *wkt = NULL;
	const char *opts[] = {"FORMAT=WKT2_2018", NULL};
	if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
		CPLFree(wkt);
		return yz_fail(eb, YZ_ECRS, "%s: cannot read the layer's CRS", s->path);
	}
	enum yz_err err = crs_open(wkt, &s->xf, eb);
	CPLFree(wkt);
	return err;
}

enum yz_err ogr_source_open(struct ogr_source *s, const char *path, const char *layer,
			    const char *default_layer, const char *crs, const char *osm_conf,
			    const char *const *open_opts, struct yz_errbuf *eb)
{
	memset(s, 0, sizeof *s);
	s->path = path;
	ogr_init();
	if (access(path, R_OK) != 0)
		return yz_fail(eb, YZ_EIO, "%s: cannot read file", path);

	const char *opts[16] = {NULL};
	int nopt = 0;
	char conf_opt[512];
	if (osm_conf && is_osm_path(path)) {
		s->tmp_conf = write_temp(osm_conf);
		if (!s->tmp_conf)
			return yz_fail(eb, YZ_EIO, "cannot write a temporary OSM configuration");
		snprintf(conf_opt, sizeof conf_opt, "CONFIG_FILE=%s", s->tmp_conf);
		opts[nopt++] = conf_opt;
		/* Keep GDAL's node index in memory up to 1 GiB instead of the
		 * default 100 MB: a province's nodes then never go to disk. */
		opts[nopt++] = "MAX_TMPFILE_SIZE=1024";
	}
	for (int i = 0; open_opts && open_opts[i] && nopt < 15; i++)
		opts[nopt++] = open_opts[i];
	CPLErrorReset();
	s->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
			   opts, NULL);
	if (!s->ds) {
		const char *why = CPLGetLastErrorMsg();
		enum yz_err err = yz_fail(eb, YZ_EIO, "%s: not a readable vector file%s%s", path,
					  why && *why ? ": " : "", why ? why : "");
		ogr_source_close(s);
		return err;
	}
	if (layer && *layer) {
		s->layer = GDALDatasetGetLayerByName(s->ds, layer);
	} else {
		if (default_layer)
			s->layer = GDALDatasetGetLayerByName(s->ds, default_layer);
		if (!s->layer && GDALDatasetGetLayerCount(s->ds) > 0)
			s->layer = GDALDatasetGetLayer(s->ds, 0);
	}
	if (!s->layer) {
		enum yz_err err = yz_fail(eb, YZ_ENOTFOUND, "%s: no layer \"%s\"", path,
					  layer && *layer ? layer : default_layer ? default_layer : "");
		ogr_source_close(s);
		return err;
	}
	enum yz_err err = open_crs(s, crs, eb);
	if (err) {
		/* Say which source the CRS belongs to. */
		char detail[YZ_ERRBUF_SIZE];
		snprintf(detail, sizeof detail, "%s", eb ? eb->msg : "");
		yz_fail(eb, err, "%s: %s", path, detail);
		ogr_source_close(s);
		return err;
	}
	OGR_L_ResetReading(s->layer);
	return YZ_OK;
}

void ogr_source_close(struct ogr_source *s)
{
	if (s->ds)
		GDALClose(s->ds);
	crs_free(s->xf);
	if (s->tmp_conf) {
		unlink(s->tmp_conf);
		free(s->tmp_conf);
	}
	s->ds = NULL;
	s->layer = NULL;
	s->xf = NULL;
	s->tmp_conf = NULL;
}

int ogr_source_field(const struct ogr_source *s, const char *name)
{
	OGRFeatureDefnH def = OGR_L_GetLayerDefn(s->layer);
	int n = OGR_FD_GetFieldCount(def);
	for (int i = 0; i < n; i++) {
		const char *fn = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(def, i));
		if (fn && !strcasecmp(fn, name))
			return i;
	}
	return -1;
}

const char *ogr_field_str(OGRFeatureH f, int idx)
{
	if (idx < 0 || !OGR_F_IsFieldSetAndNotNull(f, idx))
		return NULL;
	return OGR_F_GetFieldAsString(f, idx);
}
