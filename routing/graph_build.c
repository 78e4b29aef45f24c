/* graph_build.c — roadset → network + per-mode CSR graphs.
 *
 * Steps: (1) count how often each coordinate occurs over all usable ways
 * (open-addressing hash on the packed e7 pair); a point is a junction when it
 * ends a way or occurs more than once; (2) cut every way at its junctions into
 * segments; (3) per mode, gather the arcs the profile allows, find the largest
 * strongly connected component (iterative Tarjan, weighted by OSM vertices:
 * junctions plus the interior points of segments inside it), and lay the kept
 * arcs out as CSR, forward and reversed; (4) renumber nodes along a Hilbert
 * curve first, so that searches touch memory that is close together.
 *
 * Memory while building is about 3× the final size; the result is
 * 8 B/node + per mode 8 B/node + 24 B/arc, plus the shapes (8 B/point). */
#include "graph_build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

/* ---- coordinate → junction map ------------------------------------------ */

struct coord_map {
	uint64_t *keys;     /* packed (lon,lat) + 1; 0 = empty slot */
	uint32_t *vals;     /* occurrence count, then node id */
	size_t cap;         /* power of two */
};

static uint64_t coord_key(int32_t lon, int32_t lat)
{
	return (((uint64_t)(uint32_t)lon << 32) | (uint32_t)lat) + 1;
}

static size_t coord_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

/* Slot of key k (inserting it with value 0 when absent). */
static size_t coord_slot(struct coord_map *m, uint64_t k)
{
	size_t i = coord_hash(k, m->cap);
	while (m->keys[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	if (!m->keys[i]) {
		m->keys[i] = k;
		m->vals[i] = 0;
	}
	return i;
}

/* ---- Hilbert order ---------------------------------------------------------- */

static uint64_t hilbert_d(uint32_t x, uint32_t y)
{
	uint64_t d = 0;
	for (uint32_t s = 1u << 31; s > 0; s >>= 1) {
		uint32_t rx = (x & s) > 0, ry = (y & s) > 0;
		d += (uint64_t)s * s * ((3 * rx) ^ ry);
		if (ry == 0) {
			if (rx == 1) {
				x = ~x;
				y = ~y;
			}
			uint32_t t = x;
			x = y;
			y = t;
		}
	}
	return d;
}

struct order_item {
	uint64_t key;
	uint32_t node;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order_item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* ---- strongly connected components ---------------------------------------- */

/* Iterative Tarjan over a CSR graph.  comp[v] receives a component id; returns
 * the number of components, or -1 on ENOMEM. */
static long scc(uint32_t n, const uint32_t *first, const uint32_t *head, uint32_t *comp)
{
	uint32_t *index = malloc((size_t)n * sizeof *index);
	uint32_t *low = malloc((size_t)n * sizeof *low);
	uint32_t *stack = malloc((size_t)n * sizeof *stack);
	uint32_t *call_v = malloc((size_t)n * sizeof *call_v);
	uint32_t *call_e = malloc((size_t)n * sizeof *call_e);
	unsigned char *on_stack = calloc(n ? n : 1, 1);
	long ncomp = -1;
	if (!index || !low || !stack || !call_v || !call_e || !on_stack)
		goto out;
	for (uint32_t v = 0; v < n; v++)
		index[v] = GRAPH_NONE;
	uint32_t next_index = 0, sp = 0;
	ncomp = 0;
	for (uint32_t root = 0; root < n; root++) {
		if (index[root] != GRAPH_NONE)
			continue;
		uint32_t depth = 0;
		call_v[0] = root;
		call_e[0] = first[root];
		index[root] = low[root] = next_index++;
		stack[sp++] = root;
		on_stack[root] = 1;
		for (;;) {
			uint32_t v = call_v[depth];
			if (call_e[depth] < first[v + 1]) {
				uint32_t w = head[call_e[depth]++];
				if (index[w] == GRAPH_NONE) {
					index[w] = low[w] = next_index++;
					stack[sp++] = w;
					on_stack[w] = 1;
					depth++;
					call_v[depth] = w;
					call_e[depth] = first[w];
				} else if (on_stack[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			if (low[v] == index[v]) {
				uint32_t w;
				do {
					w = stack[--sp];
					on_stack[w] = 0;
					comp[w] = (uint32_t)ncomp;
				} while (w != v);
				ncomp++;
			}
			if (depth == 0)
				break;
			depth--;
			uint32_t u = call_v[depth];
			if (low[v] < low[u])
				low[u] = low[v];
		}
	}
out:
	free(index);
	free(low);
	free(stack);
	free(call_v);
	free(call_e);
	free(on_stack);
	return ncomp;
}

/* ---- per-mode graph --------------------------------------------------------- */

static uint32_t time_ms_of(float length_m, float speed_kmh)
{
	double ms = (double)length_m / ((double)speed_kmh / 3.6) * 1000.0;
	return ms >= 4.0e9 ? 4000000000u : (uint32_t)llround(ms);
}

/* Lay out CSR from arc triples; `key` picks the grouping node (tail for the
 * forward graph, head for the reversed one). */
static int csr(uint32_t n, uint32_t m, const uint32_t *key, const uint32_t *other,
	       const uint32_t *w, const uint32_t *ref, uint32_t **first_out, uint32_t **o_other,
	       uint32_t **o_w, uint32_t **o_ref)
{
	uint32_t *first = calloc((size_t)n + 1, sizeof *first);
	uint32_t *oo = malloc((size_t)(m ? m : 1) * sizeof *oo);
	uint32_t *ow = malloc((size_t)(m ? m : 1) * sizeof *ow);
	uint32_t *or = malloc((size_t)(m ? m : 1) * sizeof *or);
	if (!first || !oo || !ow || !or) {
		free(first);
		free(oo);
		free(ow);
		free(or);
		return -1;
	}
	for (uint32_t a = 0; a < m; a++)
		first[key[a] + 1]++;
	for (uint32_t v = 0; v < n; v++)
		first[v + 1] += first[v];
	/* Stable placement: arcs keep input order within a node. */
	uint32_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
	if (!pos) {
		free(first);
		free(oo);
		free(ow);
		free(or);
		return -1;
	}
	memcpy(pos, first, ((size_t)n + 1) * sizeof *pos);
	for (uint32_t a = 0; a < m; a++) {
		uint32_t p = pos[key[a]]++;
		oo[p] = other[a];
		ow[p] = w[a];
		or[p] = ref[a];
	}
	free(pos);
	*first_out = first;
	*o_other = oo;
	*o_w = ow;
	*o_ref = or;
	return 0;
}

static enum yz_err build_mode(const struct roadset *rs, const struct network *net,
			      const uint32_t *seg_way, enum mode mode, struct graph *g)
{
	uint32_t n = net->node_count, ns = net->seg_count;
	enum yz_err err = YZ_ENOMEM;
	memset(g, 0, sizeof *g);
	g->mode = mode;
	g->node_count = n;

	/* All arcs the profile allows, as (tail, head, time, ref). */
	uint32_t cap = 0;
	for (uint32_t s = 0; s < ns; s++) {
		uint8_t d = rs->way_prof[seg_way[s]].dirs[mode];
		cap += (d & DIR_FWD) != 0;
		cap += (d & DIR_BWD) != 0;
	}
	size_t c1 = cap ? cap : 1;
	uint32_t *tl = malloc(c1 * sizeof *tl), *hd = malloc(c1 * sizeof *hd);
	uint32_t *wt = malloc(c1 * sizeof *wt), *rf = malloc(c1 * sizeof *rf);
	uint32_t *comp = malloc(((size_t)n + 1) * sizeof *comp);
	uint64_t *weight = NULL;
	uint32_t *first = NULL, *h2 = NULL, *w2 = NULL, *r2 = NULL;
	uint8_t *seg_dirs = calloc(ns ? ns : 1, 1);
	uint32_t *seg_time = malloc((size_t)(ns ? ns : 1) * sizeof *seg_time);
	if (!tl || !hd || !wt || !rf || !comp || !seg_dirs || !seg_time)
		goto out;
	uint32_t m = 0;
	for (uint32_t s = 0; s < ns; s++) {
		const struct way_profile *p = &rs->way_prof[seg_way[s]];
		uint8_t d = p->dirs[mode];
		seg_time[s] = d ? time_ms_of(net->seg_length_m[s], p->speed_kmh[mode]) : GRAPH_NONE;
		if (d & DIR_FWD) {
			tl[m] = net->seg_from[s];
			hd[m] = net->seg_to[s];
			wt[m] = seg_time[s];
			rf[m++] = s << 1;
		}
		if (d & DIR_BWD) {
			tl[m] = net->seg_to[s];
			hd[m] = net->seg_from[s];
			wt[m] = seg_time[s];
			rf[m++] = (s << 1) | 1;
		}
	}
	/* Largest SCC by OSM vertex count. */
	if (csr(n, m, tl, hd, wt, rf, &first, &h2, &w2, &r2))
		goto out;
	long nc = scc(n, first, h2, comp);
	if (nc < 0)
		goto out;
	weight = calloc((size_t)nc + 1, sizeof *weight);
	if (!weight)
		goto out;
	/* A node counts when the mode can use one of its segments. */
	uint8_t *used = calloc(n ? n : 1, 1);
	if (!used)
		goto out;
	for (uint32_t a = 0; a < m; a++)
		used[tl[a]] = used[hd[a]] = 1;
	for (uint32_t v = 0; v < n; v++)
		if (used[v])
			weight[comp[v]]++;
	for (uint32_t s = 0; s < ns; s++)
		if (seg_time[s] != GRAPH_NONE && comp[net->seg_from[s]] == comp[net->seg_to[s]])
			weight[comp[net->seg_from[s]]] += network_seg_pts(net, s) - 2;
	uint32_t best = GRAPH_NONE;
	for (long c = 0; c < nc; c++)
		if (weight[c] && (best == GRAPH_NONE || weight[c] > weight[best]))
			best = (uint32_t)c;
	free(first);
	free(h2);
	free(w2);
	free(r2);
	first = h2 = w2 = r2 = NULL;

	/* Keep the arcs inside it. */
	uint32_t k = 0;
	for (uint32_t a = 0; a < m; a++) {
		if (comp[tl[a]] != best || comp[hd[a]] != best)
			continue;
		tl[k] = tl[a];
		hd[k] = hd[a];
		wt[k] = wt[a];
		rf[k++] = rf[a];
		seg_dirs[ARC_SEG(rf[a])] |= ARC_REVERSED(rf[a]) ? DIR_BWD : DIR_FWD;
	}
	for (uint32_t s = 0; s < ns; s++)
		if (!seg_dirs[s])
			seg_time[s] = GRAPH_NONE;
	for (uint32_t v = 0; v < n; v++)
		if (used[v] && comp[v] == best)
			g->kept_nodes++;
	free(used);
	for (uint32_t s = 0; s < ns; s++)
		g->kept_segs += seg_dirs[s] != 0;
	g->kept_vertices = best == GRAPH_NONE ? 0 : (uint32_t)weight[best];
	g->arc_count = k;
	uint32_t *fo, *hh, *tt, *rr, *fi, *ti, *ti_t, *ti_r;
	if (csr(n, k, tl, hd, wt, rf, &fo, &hh, &tt, &rr))
		goto out;
	if (csr(n, k, hd, tl, wt, rf, &fi, &ti, &ti_t, &ti_r)) {
		free(fo);
		free(hh);
		free(tt);
		free(rr);
		goto out;
	}
	g->first_out = fo;
	g->head = hh;
	g->time_ms = tt;
	g->arc_seg = rr;
	g->first_in = fi;
	g->tail = ti;
	g->in_time_ms = ti_t;
	g->in_arc_seg = ti_r;
	g->seg_dirs = seg_dirs;
	g->seg_time_ms = seg_time;
	seg_dirs = NULL;
	seg_time = NULL;
	err = YZ_OK;
out:
	free(tl);
	free(hd);
	free(wt);
	free(rf);
	free(comp);
	free(weight);
	free(first);
	free(h2);
	free(w2);
	free(r2);
	free(seg_dirs);
	free(seg_time);
	return err;
}

/* ---- network ---------------------------------------------------------------- */

enum yz_err graph_build(const struct roadset *rs, struct network *net,
			struct graph graphs[MODE_COUNT], struct yz_errbuf *eb)
{
	memset(net, 0, sizeof *net);
	memset(graphs, 0, sizeof(struct graph) * MODE_COUNT);
	struct coord_map map = {0};
	uint32_t *seg_way = NULL, *order_new = NULL;
	struct order_item *order = NULL;
	enum yz_err err = YZ_ENOMEM;

	if (rs->pt_count > UINT32_MAX / 4)
		return yz_fail(eb, YZ_ELIMIT, "road network too large (%u points)", rs->pt_count);
	map.cap = 1024;
	while (map.cap < (size_t)rs->pt_count * 2)
		map.cap *= 2;
	map.keys = calloc(map.cap, sizeof *map.keys);
	map.vals = malloc(map.cap * sizeof *map.vals);
	if (!map.keys || !map.vals)
		goto fail;

	/* (1) occurrences; way ends count twice so they are always junctions */
	for (uint32_t w = 0; w < rs->way_count; w++) {
		uint32_t a = rs->way_pt_first[w], b = rs->way_pt_first[w + 1];
		for (uint32_t p = a; p < b; p++) {
			size_t i = coord_slot(&map, coord_key(rs->pt_lon_e7[p], rs->pt_lat_e7[p]));
			map.vals[i] += (p == a || p == b - 1) ? 2 : 1;
		}
	}
	/* junction ids in order of first appearance; non-junctions get NONE */
	uint32_t n = 0;
	for (uint32_t p = 0; p < rs->pt_count; p++) {
		size_t i = coord_slot(&map, coord_key(rs->pt_lon_e7[p], rs->pt_lat_e7[p]));
		if (map.vals[i] >= 2 && map.vals[i] < 0x80000000u)
			map.vals[i] = 0x80000000u | n++;
	}
	for (size_t i = 0; i < map.cap; i++)
		if (map.keys[i] && !(map.vals[i] & 0x80000000u))
			map.vals[i] = GRAPH_NONE;
	/* (4) Hilbert renumbering */
	int32_t *nlon = malloc((size_t)(n ? n : 1) * sizeof *nlon);
	int32_t *nlat = malloc((size_t)(n ? n : 1) * sizeof *nlat);
	order = malloc((size_t)(n ? n : 1) * sizeof *order);
	order_new = malloc((size_t)(n ? n : 1) * sizeof *order_new);
	net->node_lon_e7 = nlon;
	net->node_lat_e7 = nlat;
	if (!nlon || !nlat || !order || !order_new)
		goto fail;
	for (size_t i = 0; i < map.cap; i++) {
		if (!map.keys[i] || map.vals[i] == GRAPH_NONE)
			continue;
		uint32_t id = map.vals[i] & 0x7fffffffu;
		uint64_t k = map.keys[i] - 1;
		int32_t lon = (int32_t)(uint32_t)(k >> 32), lat = (int32_t)(uint32_t)k;
		order[id].node = id;
		order[id].key = hilbert_d((uint32_t)lon + 0x80000000u, (uint32_t)lat + 0x80000000u);
		nlon[id] = lon;
		nlat[id] = lat;
	}
	qsort(order, n, sizeof *order, order_cmp);
	for (uint32_t i = 0; i < n; i++)
		order_new[order[i].node] = i;
	{
		int32_t *tlon = malloc((size_t)(n ? n : 1) * sizeof *tlon);
		int32_t *tlat = malloc((size_t)(n ? n : 1) * sizeof *tlat);
		if (!tlon || !tlat) {
			free(tlon);
			free(tlat);
			goto fail;
		}
		for (uint32_t i = 0; i < n; i++) {
			tlon[order_new[i]] = nlon[i];
			tlat[order_new[i]] = nlat[i];
		}
		free(nlon);
		free(nlat);
		net->node_lon_e7 = tlon;
		net->node_lat_e7 = tlat;
	}
	net->node_count = n;

	/* (2) segments */
	uint32_t ns = 0, np = 0;
	for (uint32_t w = 0; w < rs->way_count; w++) {
		uint32_t a = rs->way_pt_first[w], b = rs->way_pt_first[w + 1];
		for (uint32_t p = a + 1; p < b; p++) {
			size_t i = coord_slot(&map, coord_key(rs->pt_lon_e7[p], rs->pt_lat_e7[p]));
			if (map.vals[i] != GRAPH_NONE)
				ns++;
		}
	}
	/* every point of a way is in one segment, junction points in two */
	np = rs->pt_count + ns;
	uint32_t *sf = malloc((size_t)(ns ? ns : 1) * sizeof *sf);
	uint32_t *st = malloc((size_t)(ns ? ns : 1) * sizeof *st);
	uint32_t *spf = malloc(((size_t)ns + 1) * sizeof *spf);
	int32_t *plon = malloc((size_t)np * sizeof *plon);
	int32_t *plat = malloc((size_t)np * sizeof *plat);
	float *slen = malloc((size_t)(ns ? ns : 1) * sizeof *slen);
	uint8_t *scls = malloc(ns ? ns : 1);
	uint32_t *sname = malloc((size_t)(ns ? ns : 1) * sizeof *sname);
	seg_way = malloc((size_t)(ns ? ns : 1) * sizeof *seg_way);
	net->seg_from = sf;
	net->seg_to = st;
	net->seg_pt_first = spf;
	net->pt_lon_e7 = plon;
	net->pt_lat_e7 = plat;
	net->seg_length_m = slen;
	net->seg_class = scls;
	net->seg_name = sname;
	if (!sf || !st || !spf || !plon || !plat || !slen || !scls || !sname || !seg_way)
		goto fail;
	uint32_t s = 0, q = 0;
	for (uint32_t w = 0; w < rs->way_count; w++) {
		uint32_t a = rs->way_pt_first[w], b = rs->way_pt_first[w + 1];
		size_t i0 = coord_slot(&map, coord_key(rs->pt_lon_e7[a], rs->pt_lat_e7[a]));
		uint32_t from = order_new[map.vals[i0] & 0x7fffffffu];
		spf[s] = q;
		plon[q] = rs->pt_lon_e7[a];
		plat[q++] = rs->pt_lat_e7[a];
		double len = 0;
		for (uint32_t p = a + 1; p < b; p++) {
			plon[q] = rs->pt_lon_e7[p];
			plat[q++] = rs->pt_lat_e7[p];
			len += geo_haversine_m(geo_from_e7(rs->pt_lon_e7[p - 1]),
					       geo_from_e7(rs->pt_lat_e7[p - 1]),
					       geo_from_e7(rs->pt_lon_e7[p]),
					       geo_from_e7(rs->pt_lat_e7[p]));
			size_t i = coord_slot(&map, coord_key(rs->pt_lon_e7[p], rs->pt_lat_e7[p]));
			if (map.vals[i] == GRAPH_NONE)
				continue;
			uint32_t to = order_new[map.vals[i] & 0x7fffffffu];
			sf[s] = from;
			st[s] = to;
			slen[s] = (float)len;
			scls[s] = (uint8_t)rs->way_prof[w].road_class;
			sname[s] = rs->way_name[w];
			seg_way[s] = w;
			s++;
			if (p + 1 < b) {
				/* the junction point also starts the next segment */
				spf[s] = q;
				plon[q] = rs->pt_lon_e7[p];
				plat[q++] = rs->pt_lat_e7[p];
			}
			from = to;
			len = 0;
		}
	}
	spf[ns] = q;
	net->seg_count = ns;
	net->pt_count = q;
	char *names = malloc(rs->names.len ? rs->names.len : 1);
	if (!names)
		goto fail;
	if (rs->names.len)
		memcpy(names, rs->names.data, rs->names.len);
	else
		names[0] = '\0';
	net->names = names;
	net->names_len = (uint32_t)(rs->names.len ? rs->names.len : 1);

	/* (3) per-mode graphs */
	for (int m = 0; m < MODE_COUNT; m++)
		if ((err = build_mode(rs, net, seg_way, (enum mode)m, &graphs[m])) != YZ_OK)
			goto fail;
	free(map.keys);
	free(map.vals);
	free(seg_way);
	free(order);
	free(order_new);
	return YZ_OK;
fail:
	free(map.keys);
	free(map.vals);
	free(seg_way);
	free(order);
	free(order_new);
	graph_build_free(net, graphs);
	return yz_fail(eb, err ? err : YZ_ENOMEM, "building the road graph: %s", yz_strerror(err ? err : YZ_ENOMEM));
}

void graph_build_free(struct network *net, struct graph graphs[MODE_COUNT])
{
	free((void *)net->node_lon_e7);
	free((void *)net->node_lat_e7);
	free((void *)net->seg_from);
	free((void *)net->seg_to);
	free((void *)net->seg_pt_first);
	free((void *)net->pt_lon_e7);
	free((void *)net->pt_lat_e7);
	free((void *)net->seg_length_m);
	free((void *)net->seg_class);
	free((void *)net->seg_name);
	free((void *)net->names);
	memset(net, 0, sizeof *net);
	for (int m = 0; m < MODE_COUNT; m++) {
		struct graph *g = &graphs[m];
		free((void *)g->first_out);
		free((void *)g->head);
		free((void *)g->time_ms);
		free((void *)g->arc_seg);
		free((void *)g->first_in);
		free((void *)g->tail);
		free((void *)g->in_time_ms);
		free((void *)g->in_arc_seg);
		free((void *)g->seg_dirs);
		free((void *)g->seg_time_ms);
		memset(g, 0, sizeof *g);
	}
}
