/* ogr_source.h — opening one vector source with GDAL/OGR (internal to data/).
 *
 * Resolves the layer, the CRS transform to WGS84 (the config's CRS, else the
 * layer's own, else WGS84), and fields by case-insensitive name. */
#ifndef YZ_OGR_SOURCE_H
#define YZ_OGR_SOURCE_H

#include <gdal.h>
#include <ogr_api.h>

#include "common/err.h"
#include "crs.h"

struct ogr_source {
	GDALDatasetH ds;
	OGRLayerH layer;
	struct crs_xform *xf;   /* to WGS84 lon/lat */
	const char *path;       /* borrowed from the caller, for messages */
	char *tmp_conf;         /* a temporary OSM config file to remove, or NULL */
};

/* Register GDAL drivers and silence GDAL's stderr output (once, thread-safe). */
void ogr_init(void);

/* Open `path`.  `layer` "" or NULL picks `default_layer` if the file has it,
 * else the first layer.  `crs` "" or NULL uses the layer's own CRS (WGS84 when
 * it has none).  `osm_conf` (may be NULL) is the text of an osmconf.ini used
 * when the file is read by GDAL's OSM driver.  `open_opts` (may be NULL) are
 * extra GDAL open options, NULL-terminated.  Errors: YZ_EIO (cannot open,
 * with GDAL's reason), YZ_ENOTFOUND (no such layer), YZ_ECRS. */
enum yz_err ogr_source_open(struct ogr_source *s, const char *path, const char *layer,
			    const char *default_layer, const char *crs, const char *osm_conf,
			    const char *const *open_opts, struct yz_errbuf *eb);
void ogr_source_close(struct ogr_source *s);

/* Index of the field named `name` (case-insensitive), or -1. */
int ogr_source_field(const struct ogr_source *s, const char *name);

/* Value of field `idx` of `f` as a string, NULL when idx < 0 or unset/null. */
const char *ogr_field_str(OGRFeatureH f, int idx);

#endif
