/* dataset.h — everything the server answers from, loaded once, immutable.
 *
 * A dataset is built from a dataset folder (dataset.conf + sources), from
 * files named directly, or mapped from a snapshot written by `yizhan build`.
 * Once returned it is never modified: every thread reads it without locks,
 * and a reload builds a new one beside it. */
#ifndef YZ_DATASET_H
#define YZ_DATASET_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "data/communities.h"
#include "data/config.h"
#include "data/hours.h"
#include "data/mapfeat.h"
#include "data/tz.h"
#include "data/report.h"
#include "data/stations.h"
#include "routing/attach.h"
#include "routing/cover_comm.h"
#include "routing/coverage.h"
#include "routing/graph.h"
#include "routing/spatial.h"
#include "tiles/borders.h"
#include "tiles/ringidx.h"
#include "tiles/roadchain.h"

struct dataset {
	/* identity */
	char name[CONFIG_STR];
	char timezone[CONFIG_STR];
	bool demo;
	double max_snap_m;
	char source[512];             /* where it came from, for /health */
	uint64_t version;             /* content hash: changes when data change */

	/* roads */
	struct network net;
	struct graph graph[MODE_COUNT];
	struct grid piece_grid;       /* over the network's shape pieces */
	struct roadchain road_chain;  /* segments joined end to end for drawing; built at load */
	struct grid seg_grid;         /* piece_grid's cells listing segments, for drawing; at load */
	uint32_t road_ways;           /* usable ways read */

	/* stations */
	uint32_t station_count;
	const struct station *stations;
	const char *station_strings;
	uint32_t station_strings_len;
	struct grid station_grid;

	/* derived at load, not stored: stations snapped per mode, compiled
	 * opening hours, the time zone */
	struct station_attach attach[MODE_COUNT];
	struct hours *station_hours;  /* [station_count] */
	struct tz tz;
	/* time from every junction to its nearest station, per mode, and the
	 * road inside each community (coverage, suggest, coverage tiles) */
	struct coverage_field cover[MODE_COUNT];
	struct comm_spans comm_spans;

	/* communities */
	struct communityset comm;     /* arrays may point into the snapshot */
	struct borders borders;       /* their outlines, each shared border once, for drawing;
				       * built at load, like the next */
	struct ringidx border_idx;    /* the borders' lines in chunks */
	struct grid border_grid;      /* over the lines' boxes */
	struct ringidx comm_ring_idx; /* the rings in chunks, for fills */

	/* base-map features (water, green, buildings …) of an OSM road source */
	struct mapfeat_set feat;      /* arrays may point into the snapshot */
	struct grid feat_grid;        /* over the features' boxes, built at load */

	struct load_report report;    /* warnings of the load that built the data */
	double build_ms;              /* reading the sources + building */
	double load_ms;               /* this process's start-up: build or snapshot */
	bool from_snapshot;

	/* ownership (private) */
	void *snapshot_bytes;         /* the loaded snapshot, or NULL */
	struct communityset owned_comm;
	struct mapfeat_set owned_feat;
};

/* Options for building from sources. */
struct dataset_sources {
	const char *dir;              /* dataset folder holding dataset.conf, or NULL */
	const char *roads, *stations, *communities; /* files named directly */
	const char *crs;              /* CRS for files named directly */
	bool progress;                /* print progress to stderr */
};

/* Build from a folder or files.  Fails with a clear message (a missing file,
 * an unusable CRS, no roads …) and frees everything: never half a dataset. */
enum yz_err dataset_build(const struct dataset_sources *src, struct dataset **out,
			  struct yz_errbuf *eb);

/* Write `d` as a snapshot to `path`. */
enum yz_err dataset_save(const struct dataset *d, const char *path, struct yz_errbuf *eb);

/* Load a snapshot, verify it (checksums and every index) and return a dataset
 * that owns the loaded bytes. */
enum yz_err dataset_open_snapshot(const char *path, struct dataset **out, struct yz_errbuf *eb);

/* Same from bytes in memory (copied); for the fuzz target and tests. */
enum yz_err dataset_from_bytes(const void *bytes, size_t size, struct dataset **out,
			       struct yz_errbuf *eb);

void dataset_free(struct dataset *d);

/* Whether station i is open at unix time `now` in the dataset's time zone;
 * -1 when its hours are unknown (unparsed or absent). */
int dataset_station_open(const struct dataset *d, uint32_t i, int64_t now);

/* Strings of a station ("" when absent). */
static inline const char *dataset_station_str(const struct dataset *d, uint32_t off)
{
	return off < d->station_strings_len ? d->station_strings + off : "";
}

static inline const char *dataset_comm_str(const struct dataset *d, uint32_t off)
{
	return off < d->comm.strings.len ? d->comm.strings.data + off : "";
}

#endif
