/* snap.c — closest point on the mode's graph, through the piece grid.
 *
 * The search reads the query's cell, then rings of cells around it, and stops
 * once the nearest possible point of the next ring is farther than the best
 * found (or than max_snap).  Each piece costs one point-to-segment distance
 * in the query's local frame.  Ties go to the lower segment id, so results
 * do not depend on the grid's item order.  Overlapping pieces are common (an
 * OSMnx export writes a two-way street as a way A-B-A): a piece's distance is
 * computed from its lesser end, so both copies tie exactly and every query
 * point near them picks the same segment — two points on one street are then
 * joined along it, not through the junction and back. */
#include "snap.h"

#include <math.h>

#include "common/geo.h"

static double haversine_piece_m(const struct network *net, uint32_t p)
{
	return geo_haversine_m(geo_from_e7(net->pt_lon_e7[p]), geo_from_e7(net->pt_lat_e7[p]),
			       geo_from_e7(net->pt_lon_e7[p + 1]), geo_from_e7(net->pt_lat_e7[p + 1]));
}

static double piece_len_m(const struct network *net, uint32_t p)
{
	if (net->pt_cum)
		return net->pt_cum[p + 1] - net->pt_cum[p];
	return haversine_piece_m(net, p);
}

void network_measure_points(const struct network *net, double *cum)
{
	for (uint32_t s = 0; s < net->seg_count; s++) {
		uint32_t a = net->seg_pt_first[s], b = net->seg_pt_first[s + 1];
		if (a < b)
			cum[a] = 0;
		for (uint32_t p = a; p + 1 < b; p++)
			cum[p + 1] = cum[p] + haversine_piece_m(net, p);
	}
}

enum yz_err snap_point(const struct network *net, const struct graph *g,
		       const struct grid *pieces, double lon, double lat, double max_m,
		       struct snap *out, struct yz_errbuf *eb)
{
	struct geo_frame f;
	geo_frame_init(&f, lon, lat);
	int32_t cx, cy;
	grid_cell_of(pieces, geo_to_e7(lon), geo_to_e7(lat), &cx, &cy);
	/* metres per cell step, the smaller side bounds the ring distance */
	double cell_w = geo_from_e7(pieces->cell_lon_e7) * f.m_per_deg_lon;
	double cell_h = geo_from_e7(pieces->cell_lat_e7) * f.m_per_deg_lat;
	double step = cell_w < cell_h ? cell_w : cell_h;
	/* how far outside the grid the query lies (its cell is clamped) */
	double gx0 = geo_from_e7(pieces->min_lon_e7), gy0 = geo_from_e7(pieces->min_lat_e7);
	double gx1 = gx0 + geo_from_e7(pieces->cell_lon_e7) * pieces->cols;
	double gy1 = gy0 + geo_from_e7(pieces->cell_lat_e7) * pieces->rows;
	double ox = lon < gx0 ? (gx0 - lon) * f.m_per_deg_lon : lon > gx1 ? (lon - gx1) * f.m_per_deg_lon : 0;
	double oy = lat < gy0 ? (gy0 - lat) * f.m_per_deg_lat : lat > gy1 ? (lat - gy1) * f.m_per_deg_lat : 0;
	double outside = sqrt(ox * ox + oy * oy);
	if (outside > max_m)
		return yz_fail(eb, YZ_ESNAP,
			       "no road for this mode within %.0f m of the point (the network is "
			       "%.0f m away)", max_m, outside);

	double best = INFINITY, best_t = 0;
	uint32_t best_p = GRAPH_NONE, best_seg = GRAPH_NONE;
	int32_t max_r = (int32_t)(pieces->cols > pieces->rows ? pieces->cols : pieces->rows);
	for (int32_t r = 0; r <= max_r; r++) {
		/* every point of ring r is at least (r - 1) * step away from the
		 * query's projection onto the grid, which is `outside` away from the
		 * query at a right angle: the two add as squares, not as lengths */
		double in = r > 0 ? (r - 1) * step : 0;
		double ring_min = sqrt(in * in + outside * outside);
		if (ring_min > best || ring_min > max_m)
			break;
		for (int32_t y = cy - r; y <= cy + r; y++) {
			if (y < 0 || y >= (int32_t)pieces->rows)
				continue;
			int32_t dx = (y == cy - r || y == cy + r) ? 1 : 2 * r;
			for (int32_t x = cx - r; x <= cx + r; x += dx ? dx : 1) {
				if (x < 0 || x >= (int32_t)pieces->cols)
					continue;
				size_t cell = (size_t)y * pieces->cols + (size_t)x;
				for (uint32_t i = pieces->cell_first[cell]; i < pieces->cell_first[cell + 1]; i++) {
					uint32_t p = pieces->cell_items[i];
					/* measured from the piece's lesser end, so that the
					 * same stretch drawn both ways gives the same bits */
					uint32_t e0 = p, e1 = p + 1;
					int flip = net->pt_lon_e7[e1] < net->pt_lon_e7[e0] ||
						   (net->pt_lon_e7[e1] == net->pt_lon_e7[e0] &&
						    net->pt_lat_e7[e1] < net->pt_lat_e7[e0]);
					if (flip) {
						e0 = p + 1;
						e1 = p;
					}
					double x0 = geo_frame_x(&f, geo_from_e7(net->pt_lon_e7[e0]));
					double y0 = geo_frame_y(&f, geo_from_e7(net->pt_lat_e7[e0]));
					double x1 = geo_frame_x(&f, geo_from_e7(net->pt_lon_e7[e1]));
					double y1 = geo_frame_y(&f, geo_from_e7(net->pt_lat_e7[e1]));
					double vx = x1 - x0, vy = y1 - y0, vv = vx * vx + vy * vy;
					double t = vv > 0 ? -(x0 * vx + y0 * vy) / vv : 0;
					if (t < 0)
						t = 0;
					else if (t > 1)
						t = 1;
					double px = x0 + t * vx, py = y0 + t * vy;
					double d = sqrt(px * px + py * py);
					if (flip)
						t = 1 - t;
					if (d > best)
						continue;
					uint32_t seg = network_piece_seg(net, p);
					if (!g->seg_dirs[seg])
						continue;
					if (d == best && seg >= best_seg)
						continue;
					best = d;
					best_t = t;
					best_p = p;
					best_seg = seg;
				}
				if (!dx)
					break;
			}
		}
	}
	if (best_p == GRAPH_NONE || best > max_m)
		return yz_fail(eb, YZ_ESNAP, "no road for this mode within %.0f m of the point",
			       max_m);

	uint32_t seg = best_seg, first = net->seg_pt_first[seg], last = net->seg_pt_first[seg + 1] - 1;
	double along = 0;
	if (net->pt_cum) {
		along = net->pt_cum[best_p] - net->pt_cum[first];
	} else {
		for (uint32_t p = first; p < best_p; p++)
			along += piece_len_m(net, p);
	}
	along += best_t * piece_len_m(net, best_p);
	double len = net->seg_length_m[seg];
	out->seg = seg;
	out->piece = best_p;
	out->frac = len > 0 ? along / len : 0;
	if (out->frac > 1)
		out->frac = 1;
	out->node = GRAPH_NONE;
	/* exactly on a junction: the junction itself (SPEC §7) */
	if ((best_p == first && best_t == 0) || (len > 0 && along <= 0)) {
		out->frac = 0;
		out->node = net->seg_from[seg];
	} else if (best_p + 1 == last && best_t == 1) {
		out->frac = 1;
		out->node = net->seg_to[seg];
	}
	double ax = geo_from_e7(net->pt_lon_e7[best_p]), ay = geo_from_e7(net->pt_lat_e7[best_p]);
	double bx = geo_from_e7(net->pt_lon_e7[best_p + 1]), by = geo_from_e7(net->pt_lat_e7[best_p + 1]);
	out->lon = ax + best_t * (bx - ax);
	out->lat = ay + best_t * (by - ay);
	out->dist_m = best;
	return YZ_OK;
}

static uint32_t frac_ms(double frac, uint32_t seg_ms)
{
	double t = frac * seg_ms;
	return t <= 0 ? 0 : (uint32_t)llround(t);
}

uint32_t snap_time_to_from_node(const struct graph *g, const struct snap *s)
{
	if (s->node != GRAPH_NONE && s->frac == 0)
		return 0;
	if (!(g->seg_dirs[s->seg] & DIR_BWD))
		return UINT32_MAX;
	return frac_ms(s->frac, g->seg_time_ms[s->seg]);
}

uint32_t snap_time_to_to_node(const struct graph *g, const struct snap *s)
{
	if (s->node != GRAPH_NONE && s->frac == 1)
		return 0;
	if (!(g->seg_dirs[s->seg] & DIR_FWD))
		return UINT32_MAX;
	return frac_ms(1 - s->frac, g->seg_time_ms[s->seg]);
}

double network_seg_length_between(const struct network *net, uint32_t seg, double f0, double f1)
{
	double d = f1 - f0;
	return (d < 0 ? -d : d) * net->seg_length_m[seg];
}

/* Point at `pos` metres along piece p of length l (pos within [0, l]). */
static void emit_on_piece(const struct network *net, uint32_t p, double t, snap_emit_fn *emit,
			  void *ctx)
{
	double x0 = geo_from_e7(net->pt_lon_e7[p]), y0 = geo_from_e7(net->pt_lat_e7[p]);
	double x1 = geo_from_e7(net->pt_lon_e7[p + 1]), y1 = geo_from_e7(net->pt_lat_e7[p + 1]);
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	emit(ctx, x0 + t * (x1 - x0), y0 + t * (y1 - y0));
}

void network_seg_slice(const struct network *net, uint32_t seg, double f0, double f1,
		       snap_emit_fn *emit, void *ctx)
{
	uint32_t first = net->seg_pt_first[seg], last = net->seg_pt_first[seg + 1] - 1;
	/* Whole segments (most of a route, most of an isochrone) need no
	 * lengths: their points as they are, in either order. */
	if ((f0 == 0 && f1 == 1) || (f0 == 1 && f1 == 0)) {
		for (uint32_t k = 0; k <= last - first; k++) {
			uint32_t p = f0 == 0 ? first + k : last - k;
			emit(ctx, geo_from_e7(net->pt_lon_e7[p]), geo_from_e7(net->pt_lat_e7[p]));
		}
		return;
	}
	/* Fractions are of the shape's own length, so positions are measured
	 * along the pieces directly (seg_length_m is that length, rounded). */
	double total = 0;
	if (net->pt_cum) {
		total = net->pt_cum[last] - net->pt_cum[first];
	} else {
		for (uint32_t p = first; p < last; p++)
			total += piece_len_m(net, p);
	}
	int backwards = f1 < f0;
	double a = (backwards ? f1 : f0) * total, b = (backwards ? f0 : f1) * total;
	if (!backwards) {
		double cum = 0;
		for (uint32_t p = first; p < last && cum <= b; p++) {
			double l = piece_len_m(net, p), s1 = cum + l;
			if (s1 >= a) {
				if (cum <= a)  /* the slice starts on this piece */
					emit_on_piece(net, p, l > 0 ? (a - cum) / l : 0, emit, ctx);
				if (s1 <= b && p + 1 < last)
					emit_on_piece(net, p, 1, emit, ctx);
				else if (s1 >= b)
					emit_on_piece(net, p, l > 0 ? (b - cum) / l : 1, emit, ctx);
				else
					emit_on_piece(net, p, 1, emit, ctx);
			}
			cum = s1;
		}
	} else {
		double cum = total; /* position of the end of piece p */
		for (uint32_t p = last; p-- > first && cum >= a;) {
			double l = piece_len_m(net, p), s0 = cum - l;
			if (s0 <= b) {
				if (cum >= b)  /* the slice starts on this piece */
					emit_on_piece(net, p, l > 0 ? (b - s0) / l : 1, emit, ctx);
				if (s0 >= a && p > first)
					emit_on_piece(net, p, 0, emit, ctx);
				else if (s0 <= a)
					emit_on_piece(net, p, l > 0 ? (a - s0) / l : 0, emit, ctx);
				else
					emit_on_piece(net, p, 0, emit, ctx);
			}
			cum = s0;
		}
	}
}
