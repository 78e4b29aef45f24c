/* roadchain.c — see roadchain.h.
 *
 * Per node, the segment ends there (a counting sort by node); per pair of
 * ends of one class, the cosine of the angle between their directions out
 * of the node (−1: straight on).  Pairs are taken greedily, lowest cosine
 * first, while it is below 0 (a turn under 90°).  A segment is never paired
 * with itself (a loop would close into a ring).  Directions use the first
 * shape point that differs from the node's. */
#include "roadchain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROADCHAIN_MAX_DEGREE 32

/* Unit direction out of the node at end e of segment s (0, 0 if the
 * segment has no second distinct point). */
static void end_dir(const struct network *net, uint32_t s, unsigned e, double *dx, double *dy)
{
	uint32_t a = net->seg_pt_first[s], end = net->seg_pt_first[s + 1];
	*dx = *dy = 0;
	if (end <= a)
		return;
	uint32_t b = end - 1, at = e ? b : a;
	double cl = cos(net->pt_lat_e7[at] * 1e-7 * M_PI / 180);
	for (uint32_t k = 1; k <= b - a; k++) {
		uint32_t q = e ? b - k : a + k;
		/* in double: any two e7 values, even far apart, subtract exactly */
		double x = ((double)net->pt_lon_e7[q] - net->pt_lon_e7[at]) * cl;
		double y = (double)net->pt_lat_e7[q] - net->pt_lat_e7[at];
		double l = sqrt(x * x + y * y);
		if (l > 0) {
			*dx = x / l;
			*dy = y / l;
			return;
		}
	}
}

enum yz_err roadchain_build(struct roadchain *rc, const struct network *net)
{
	memset(rc, 0, sizeof *rc);
	uint32_t ns = net->seg_count, nn = net->node_count;
	size_t ends = 2 * (size_t)ns;
	rc->link = malloc((ends ? ends : 1) * sizeof *rc->link);
	uint32_t *first = calloc((size_t)nn + 1, sizeof *first);
	uint32_t *at = malloc((ends ? ends : 1) * sizeof *at);
	double *dir = malloc((ends ? ends : 1) * 2 * sizeof *dir);
	if (!rc->link || !first || !at || !dir || ends > UINT32_MAX) {
		free(first);
		free(at);
		free(dir);
		roadchain_free(rc);
		return YZ_ENOMEM;
	}
	rc->seg_count = ns;
	for (size_t i = 0; i < ends; i++)
		rc->link[i] = ROADCHAIN_NONE;
	/* ends by node */
	for (uint32_t s = 0; s < ns; s++) {
		first[net->seg_from[s] + 1]++;
		first[net->seg_to[s] + 1]++;
	}
	for (uint32_t v = 0; v < nn; v++)
		first[v + 1] += first[v];
	for (uint32_t s = 0; s < ns; s++) {
		at[first[net->seg_from[s]]++] = 2 * s;
		at[first[net->seg_to[s]]++] = 2 * s + 1;
	}
	for (uint32_t v = nn; v > 0; v--)
		first[v] = first[v - 1];
	first[0] = 0;
	for (size_t i = 0; i < ends; i++)
		end_dir(net, (uint32_t)(i / 2), (unsigned)(i % 2), &dir[2 * i], &dir[2 * i + 1]);
	/* greedy pairing per node (a node of absurd degree, broken data, is
	 * left unpaired: the search is cubic in it) */
	for (uint32_t v = 0; v < nn; v++) {
		uint32_t a = first[v], b = first[v + 1];
		for (; b - a <= ROADCHAIN_MAX_DEGREE;) {
			double best = 0;
			uint32_t bi = 0, bj = 0;
			for (uint32_t i = a; i < b; i++) {
				uint32_t ei = at[i];
				if (rc->link[ei] != ROADCHAIN_NONE)
					continue;
				for (uint32_t j = i + 1; j < b; j++) {
					uint32_t ej = at[j];
					if (rc->link[ej] != ROADCHAIN_NONE || ej / 2 == ei / 2 ||
					    net->seg_class[ei / 2] != net->seg_class[ej / 2])
						continue;
					double c = dir[2 * ei] * dir[2 * ej] + dir[2 * ei + 1] * dir[2 * ej + 1];
					if (c < best) {
						best = c;
						bi = ei;
						bj = ej;
					}
				}
			}
			if (!(best < 0))
				break;
			rc->link[bi] = bj;
			rc->link[bj] = bi;
		}
	}
	free(first);
	free(at);
	free(dir);
	return YZ_OK;
}

void roadchain_free(struct roadchain *rc)
{
	free(rc->link);
	memset(rc, 0, sizeof *rc);
}
