/* graph.c — validation of network and graph arrays (snapshots may be corrupt
 * or hostile; a CRC only proves the bytes are the ones written). */
#include "graph.h"

int network_validate(const struct network *n)
{
	if (!n->names_len || n->names[n->names_len - 1] != '\0')
		return -1;
	if (n->seg_pt_first[0] != 0 || n->seg_pt_first[n->seg_count] != n->pt_count)
		return -1;
	for (uint32_t s = 0; s < n->seg_count; s++) {
		/* 64-bit: a hostile offset near UINT32_MAX must not wrap */
		if ((uint64_t)n->seg_pt_first[s + 1] < (uint64_t)n->seg_pt_first[s] + 2)
			return -1;
		if (n->seg_from[s] >= n->node_count || n->seg_to[s] >= n->node_count)
			return -1;
		if (n->seg_class[s] >= RC_COUNT || n->seg_name[s] >= n->names_len)
			return -1;
		if (!(n->seg_length_m[s] >= 0) || n->seg_length_m[s] > 1e8f)
			return -1;
	}
	return 0;
}

static int csr_ok(uint32_t n, uint32_t m, const uint32_t *first, const uint32_t *other,
		  const uint32_t *ref, uint32_t seg_count)
{
	if (first[0] != 0 || first[n] != m)
		return -1;
	for (uint32_t v = 0; v < n; v++)
		if (first[v] > first[v + 1])
			return -1;
	for (uint32_t a = 0; a < m; a++)
		if (other[a] >= n || ARC_SEG(ref[a]) >= seg_count)
			return -1;
	return 0;
}

int graph_validate(const struct graph *g, const struct network *n)
{
	if (g->node_count != n->node_count || (unsigned)g->mode >= MODE_COUNT)
		return -1;
	if (csr_ok(g->node_count, g->arc_count, g->first_out, g->head, g->arc_seg, n->seg_count) ||
	    csr_ok(g->node_count, g->arc_count, g->first_in, g->tail, g->in_arc_seg, n->seg_count))
		return -1;
	for (uint32_t s = 0; s < n->seg_count; s++)
		if (g->seg_dirs[s] > (DIR_FWD | DIR_BWD))
			return -1;
	return 0;
}
