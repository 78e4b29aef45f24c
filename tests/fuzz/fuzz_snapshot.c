/* fuzz_snapshot.c — libFuzzer target for the snapshot loader.
 *
 * Feeds arbitrary bytes to dataset_from_bytes (header, table, checksums, then
 * every index of every structure).  An accepted input must be usable: the
 * target walks every graph arc, segment shape and station string, so an index
 * the validators missed shows up as an out-of-bounds read under ASan.
 * Seeds are real snapshots (tests/fuzz/corpus/snapshot/).  Inputs whose size
 * is odd get their CRCs recomputed first (snap_fix_checksums), so mutated
 * contents reach the structural validators instead of stopping at a CRC;
 * even-sized inputs exercise the checksum path itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "data/snapshot.h"
#include "routing/snap.h"
#include "server/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dataset *d = NULL;
	struct yz_errbuf eb;
	enum yz_err err;
	if (size & 1) {
		uint8_t *copy = malloc(size);
		if (!copy)
			return 0;
		memcpy(copy, data, size);
		snap_fix_checksums(copy, size);
		err = dataset_from_bytes(copy, size, &d, &eb);
		free(copy);
	} else {
		err = dataset_from_bytes(data, size, &d, &eb);
	}
	if (err != YZ_OK)
		return 0;
	volatile uint64_t sink = 0;
	const struct network *n = &d->net;
	for (uint32_t s = 0; s < n->seg_count; s++) {
		for (uint32_t p = n->seg_pt_first[s]; p < n->seg_pt_first[s + 1]; p++)
			sink += (uint32_t)n->pt_lon_e7[p];
		sink += strlen(network_name(n, n->seg_name[s]));
	}
	for (int m = 0; m < MODE_COUNT; m++) {
		const struct graph *g = &d->graph[m];
		for (uint32_t v = 0; v < g->node_count; v++)
			for (uint32_t a = g->first_out[v]; a < g->first_out[v + 1]; a++)
				sink += n->node_lat_e7[g->head[a]] + g->seg_dirs[ARC_SEG(g->arc_seg[a])];
	}
	for (uint32_t i = 0; i < d->station_count; i++)
		sink += strlen(dataset_station_str(d, d->stations[i].name));
	/* snapping reads the piece grid and the shapes */
	for (int m = 0; m < MODE_COUNT && n->node_count; m++) {
		struct snap sn;
		if (snap_point(n, &d->graph[m], &d->piece_grid, geo_from_e7(n->node_lon_e7[0]) + 1e-4,
			       geo_from_e7(n->node_lat_e7[0]), 1000, &sn, NULL) == YZ_OK)
			sink += sn.seg;
	}
	for (uint32_t c = 0; c < d->comm.count; c++)
		sink += strlen(dataset_comm_str(d, d->comm.items[c].name));
	(void)sink;
	dataset_free(d);
	return 0;
}
