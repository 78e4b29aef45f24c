/* attach.c — station snapping and node → station entries (see attach.h).
 * A province (5 000 stations) snaps in a few ms; the bitmap costs n/8 bytes. */
#include "attach.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

static int entry_cmp(const void *x, const void *y)
{
	const struct attach_entry *a = x, *b = y;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return a->station < b->station ? -1 : a->station > b->station;
}

enum yz_err attach_build(struct station_attach *a, const struct network *net,
			 const struct graph *g, const struct grid *pieces, double max_snap_m,
			 const int32_t *lon_e7, const int32_t *lat_e7, size_t stride, uint32_t n)
{
	memset(a, 0, sizeof *a);
	a->station_count = n;
	a->snaps = calloc(n ? n : 1, sizeof *a->snaps);
	a->snapped = calloc(n ? n : 1, sizeof *a->snapped);
	a->entries = malloc(2 * (size_t)(n ? n : 1) * sizeof *a->entries);
	a->node_bits = calloc(((size_t)net->node_count + 63) / 64 + 1, sizeof *a->node_bits);
	if (!a->snaps || !a->snapped || !a->entries || !a->node_bits) {
		attach_free(a);
		return YZ_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct snap *s = &a->snaps[i];
		if (g->arc_count == 0 ||
		    snap_point(net, g, pieces, geo_from_e7(lon_e7[i * stride]),
			       geo_from_e7(lat_e7[i * stride]), max_snap_m, s, NULL) != YZ_OK)
			continue;
		a->snapped[i] = true;
		if (s->node != GRAPH_NONE) {
			a->entries[a->entry_count++] = (struct attach_entry){s->node, i, 0};
			continue;
		}
		uint8_t dirs = g->seg_dirs[s->seg];
		double T = g->seg_time_ms[s->seg];
		if (dirs & DIR_FWD)
			a->entries[a->entry_count++] = (struct attach_entry){
				net->seg_from[s->seg], i, (uint32_t)llround(s->frac * T)};
		if (dirs & DIR_BWD)
			a->entries[a->entry_count++] = (struct attach_entry){
				net->seg_to[s->seg], i, (uint32_t)llround((1 - s->frac) * T)};
	}
	qsort(a->entries, a->entry_count, sizeof *a->entries, entry_cmp);
	for (uint32_t e = 0; e < a->entry_count; e++) {
		uint32_t v = a->entries[e].node;
		a->node_bits[v >> 6] |= 1ull << (v & 63);
	}
	return YZ_OK;
}

void attach_free(struct station_attach *a)
{
	free(a->snaps);
	free(a->snapped);
	free(a->entries);
	free(a->node_bits);
	memset(a, 0, sizeof *a);
}

void attach_entries(const struct station_attach *a, uint32_t node, uint32_t *first, uint32_t *end)
{
	uint32_t lo = 0, hi = a->entry_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (a->entries[mid].node < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t e = lo;
	while (e < a->entry_count && a->entries[e].node == node)
		e++;
	*first = lo;
	*end = e;
}
