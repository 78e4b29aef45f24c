/* cover_comm.c — clip the network to each community (see cover_comm.h).
 *
 * Pieces come from the piece grid's cells under the community's bounding
 * box; each is clipped in e7 degrees, where a straight piece stays straight,
 * and its inside parameters become fractions of the segment through the
 * pieces' haversine lengths, the measure every fraction in routing/ uses. */
#include "cover_comm.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "polyclip.h"
#include "snap.h"

static int span_cmp(const void *x, const void *y)
{
	const struct comm_span *a = x, *b = y;
	if (a->seg != b->seg)
		return a->seg < b->seg ? -1 : 1;
	return a->f0 < b->f0 ? -1 : a->f0 > b->f0;
}

struct span_buf {
	struct comm_span *v;
	size_t n, cap;
};

static int push(struct span_buf *b, struct comm_span s)
{
	if (b->n == b->cap) {
		size_t c = b->cap ? b->cap * 2 : 1024;
		struct comm_span *nv = realloc(b->v, c * sizeof *nv);
		if (!nv)
			return -1;
		b->v = nv;
		b->cap = c;
	}
	b->v[b->n++] = s;
	return 0;
}

/* Each point's haversine distance from its segment's first point: the
 * network's own table when it has one (the dataset builds it at load),
 * else computed here into *owned.  NULL when memory is short. */
static const double *measure(const struct network *net, double **owned)
{
	*owned = NULL;
	if (net->pt_cum)
		return net->pt_cum;
	double *cum = calloc(net->pt_count ? net->pt_count : 1, sizeof *cum);
	if (!cum)
		return NULL;
	network_measure_points(net, cum);
	*owned = cum;
	return cum;
}

static int clip_one(struct span_buf *out, struct polyclip *pc, const struct network *net,
		    const struct grid *pieces, const struct community *cm, uint32_t *piece_stamp,
		    uint32_t stamp, const double *pt_cum)
{
	int32_t cx0, cy0, cx1, cy1;
	grid_cell_of(pieces, cm->min_lon_e7, cm->min_lat_e7, &cx0, &cy0);
	grid_cell_of(pieces, cm->max_lon_e7, cm->max_lat_e7, &cx1, &cy1);
	size_t start = out->n;
	for (int32_t y = cy0; y <= cy1; y++)
		for (int32_t x = cx0; x <= cx1; x++) {
			uint32_t cell = (uint32_t)y * pieces->cols + (uint32_t)x;
			for (uint32_t i = pieces->cell_first[cell]; i < pieces->cell_first[cell + 1]; i++) {
				uint32_t p = pieces->cell_items[i];
				if (piece_stamp[p] == stamp)
					continue;
				piece_stamp[p] = stamp;
				uint32_t seg = network_piece_seg(net, p);
				double iv[16][2];
				unsigned n = polyclip_line(pc, net->pt_lon_e7[p], net->pt_lat_e7[p],
							   net->pt_lon_e7[p + 1], net->pt_lat_e7[p + 1], iv,
							   16);
				double total = pt_cum[net->seg_pt_first[seg + 1] - 1];
				double a = pt_cum[p], l = pt_cum[p + 1] - a;
				for (unsigned k = 0; k < n; k++) {
					double f0 = total > 0 ? (a + iv[k][0] * l) / total : 0;
					double f1 = total > 0 ? (a + iv[k][1] * l) / total : 1;
					if (push(out, (struct comm_span){seg, (float)f0, (float)f1}))
						return -1;
				}
			}
		}
	/* sort this community's stretches and join the touching ones */
	struct comm_span *v = out->v ? out->v + start : NULL;
	size_t n = out->n - start, k = 0;
	if (n > 1) /* n == 0 with out->v still NULL: qsort's pointer must not be NULL */
		qsort(v, n, sizeof *v, span_cmp);
	for (size_t i = 0; i < n; i++) {
		if (k && v[k - 1].seg == v[i].seg && v[i].f0 <= v[k - 1].f1) {
			if (v[i].f1 > v[k - 1].f1)
				v[k - 1].f1 = v[i].f1;
		} else {
			v[k++] = v[i];
		}
	}
	out->n = start + k;
	return 0;
}

enum yz_err comm_spans_build(struct comm_spans *cs, const struct network *net,
			     const struct grid *pieces, const struct communityset *comm)
{
	memset(cs, 0, sizeof *cs);
	cs->count = comm->count;
	cs->first = calloc((size_t)comm->count + 1, sizeof *cs->first);
	double *owned = NULL;
	const double *pt_cum = NULL;
	uint32_t *piece_stamp = calloc(net->pt_count ? net->pt_count : 1, sizeof *piece_stamp);
	struct span_buf out = {0};
	if (!cs->first || !piece_stamp || !(pt_cum = measure(net, &owned)))
		goto nomem;
	for (uint32_t c = 0; c < comm->count; c++) {
		const struct community *cm = &comm->items[c];
		struct polyclip pc;
		if (polyclip_init(&pc, comm->ring_pt_first, cm->ring_first, cm->ring_count,
				  comm->pt_lon_e7, comm->pt_lat_e7))
			goto nomem;
		int failed = pieces->cell_first && clip_one(&out, &pc, net, pieces, cm, piece_stamp,
							    c + 1, pt_cum);
		polyclip_fini(&pc);
		if (failed)
			goto nomem;
		cs->first[c + 1] = (uint32_t)out.n;
	}
	cs->spans = out.v ? out.v : malloc(sizeof *cs->spans);
	if (!cs->spans)
		goto nomem;
	free(owned);
	free(piece_stamp);
	return YZ_OK;
nomem:
	free(out.v);
	free(owned);
	free(piece_stamp);
	free(cs->first);
	memset(cs, 0, sizeof *cs);
	return YZ_ENOMEM;
}

void comm_spans_free(struct comm_spans *cs)
{
	free(cs->first);
	free(cs->spans);
	memset(cs, 0, sizeof *cs);
}

/* ---- sums ------------------------------------------------------------------------ */

void cover_sums(const struct coverage_field *f, const struct network *net, const struct graph *g,
		double limit_ms, const struct comm_spans *cs, struct cover_sum *total,
		struct cover_sum *per_comm)
{
	*total = (struct cover_sum){0, 0};
	for (uint32_t seg = 0; seg < net->seg_count; seg++) {
		if (!g->seg_dirs[seg])
			continue;
		struct cover_iv iv;
		coverage_seg_covered_now(f, net, g, seg, limit_ms, &iv);
		double len = net->seg_length_m[seg];
		total->road_m += len;
		total->covered_m += cover_iv_sum(&iv) * len;
	}
	if (!cs)
		return;
	for (uint32_t c = 0; c < cs->count; c++) {
		struct cover_sum *row = &per_comm[c];
		*row = (struct cover_sum){0, 0};
		uint32_t last = GRAPH_NONE;
		struct cover_iv iv = {0};
		for (uint32_t i = cs->first[c]; i < cs->first[c + 1]; i++) {
			const struct comm_span *sp = &cs->spans[i];
			if (!g->seg_dirs[sp->seg])
				continue;
			if (sp->seg != last) {
				coverage_seg_covered_now(f, net, g, sp->seg, limit_ms, &iv);
				last = sp->seg;
			}
			double len = net->seg_length_m[sp->seg], in = 0;
			for (unsigned k = 0; k < iv.n; k++) {
				double a = iv.iv[k][0] > sp->f0 ? iv.iv[k][0] : sp->f0;
				double b = iv.iv[k][1] < sp->f1 ? iv.iv[k][1] : sp->f1;
				if (b > a)
					in += b - a;
			}
			row->road_m += (sp->f1 - sp->f0) * len;
			row->covered_m += in * len;
		}
	}
}

double cover_comm_weights(const struct comm_spans *cs, const struct communityset *comm,
			  const struct network *net, const struct graph *g, float *out)
{
	memset(out, 0, (size_t)net->seg_count * sizeof *out);
	double placed = 0;
	bool any = false;
	for (uint32_t c = 0; c < cs->count && c < comm->count; c++) {
		double pop = comm->items[c].population;
		if (pop < 0)
			continue;
		any = true;
		double road = 0;
		for (uint32_t i = cs->first[c]; i < cs->first[c + 1]; i++)
			if (g->seg_dirs[cs->spans[i].seg])
				road += (cs->spans[i].f1 - cs->spans[i].f0) *
					net->seg_length_m[cs->spans[i].seg];
		if (!(road > 0))
			continue;
		double per_m = pop / road;
		for (uint32_t i = cs->first[c]; i < cs->first[c + 1]; i++)
			if (g->seg_dirs[cs->spans[i].seg])
				out[cs->spans[i].seg] += (float)(per_m * (cs->spans[i].f1 - cs->spans[i].f0));
		placed += pop;
	}
	return any ? placed : -1;
}
