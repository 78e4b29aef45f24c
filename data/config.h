/* config.h — the dataset folder's `dataset.conf`.
 *
 * The format is deliberately tiny: `# comment` lines, `key = value` lines, and
 * `[section]` headers for the three sources (roads, stations, communities).
 * A '#' after whitespace starts a comment that runs to the end of the line, so
 * a value cannot contain " #" (a '#' inside a word, "3#楼", is kept).
 * Example:
 *
 *     name = 上海市中心城区（演示数据）
 *     demo = yes
 *     timezone = Asia/Shanghai
 *     [stations]
 *     path = stations.csv
 *     crs = GCJ02
 *     field.hours = opening_hours
 *     field.lon = x
 *
 * Parsing is a pure function over bytes (it is fuzzed). */
#ifndef YZ_CONFIG_H
#define YZ_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

enum config_source { CONFIG_ROADS, CONFIG_STATIONS, CONFIG_COMMUNITIES, CONFIG_SOURCE_COUNT };

/* Our field names a source's fields can be mapped to (`field.<ours> = theirs`). */
#define CONFIG_FIELD_TABLE(X) \
	X(CF_ID, "id")         \
	X(CF_NAME, "name")     \
	X(CF_ADDRESS, "address") \
	X(CF_PHONE, "phone")   \
	X(CF_HOURS, "hours")   \
	X(CF_SERVICES, "services") \
	X(CF_KIND, "kind")     \
	X(CF_POPULATION, "population") \
	X(CF_LON, "lon")       \
	X(CF_LAT, "lat")       \
	X(CF_HIGHWAY, "highway")

enum config_field {
#define CF_ENUM(e, s) e,
	CONFIG_FIELD_TABLE(CF_ENUM)
#undef CF_ENUM
	CONFIG_FIELD_COUNT
};

#define CONFIG_STR 256

struct config_source_def {
	bool present;                         /* the section appeared */
	char path[CONFIG_STR];                /* as written; relative to the dataset folder */
	char crs[CONFIG_STR];                 /* "" = the file's own CRS, else WGS84 */
	char layer[CONFIG_STR];               /* "" = the driver's default layer */
	char field[CONFIG_FIELD_COUNT][CONFIG_STR]; /* "" = our own name */
};

struct config {
	char name[CONFIG_STR];      /* display name of the dataset */
	char timezone[CONFIG_STR];  /* IANA zone, default Asia/Shanghai */
	bool demo;                  /* demonstration data: the page and /health say so */
	double max_snap_m;          /* default 1000 (SPEC §3) */
	struct config_source_def src[CONFIG_SOURCE_COUNT];
};

/* Defaults: no sources, timezone Asia/Shanghai, max_snap 1000 m. */
void config_init(struct config *c);

/* Parse `len` bytes of dataset.conf text into `c` (which config_init set up).
 * Fails with YZ_EPARSE and "line N: …" in `eb` on an unknown key or section,
 * a line without '=', an over-long value, a bad number; YZ_OK otherwise.
 * `c` may be partly filled after a failure. */
enum yz_err config_parse(struct config *c, const char *text, size_t len, struct yz_errbuf *eb);

/* Our name of field f ("hours"). */
const char *config_field_name(enum config_field f);
/* The source field to read for our field f: the mapping, else our own name. */
const char *config_field_source(const struct config_source_def *s, enum config_field f);
/* Section name of a source ("roads"). */
const char *config_source_name(enum config_source s);

#endif
