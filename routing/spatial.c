/* spatial.c — uniform grid over pieces or points; see spatial.h.
 *
 * The cell size aims at a few items per cell (about 2 pieces per cell on
 * average, never smaller than 50 m nor larger than 5 km), so a nearest query
 * reads a handful of cells.  A city of 10^5 pieces takes ~1 MB. */
#include "spatial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

static void choose_cells(struct grid *g, int32_t minx, int32_t miny, int32_t maxx, int32_t maxy,
			 uint32_t items)
{
	double mid_lat = geo_from_e7((int32_t)(((int64_t)miny + maxy) / 2));
	double m_lat = GEO_EARTH_RADIUS_M * M_PI / 180.0 / GEO_E7;  /* metres per e7 */
	double m_lon = m_lat * cos(mid_lat * M_PI / 180.0);
	if (m_lon < m_lat * 0.01)
		m_lon = m_lat * 0.01;
	double w = ((double)maxx - minx) * m_lon + 1, h = ((double)maxy - miny) * m_lat + 1;
	double side = sqrt(w * h / (items / 2.0 + 1));
	if (side < 50)
		side = 50;
	if (side > 5000)
		side = 5000;
	g->cell_lon_e7 = (int32_t)(side / m_lon) + 1;
	g->cell_lat_e7 = (int32_t)(side / m_lat) + 1;
	g->min_lon_e7 = minx;
	g->min_lat_e7 = miny;
	g->cols = (uint32_t)(((int64_t)maxx - minx) / g->cell_lon_e7 + 1);
	g->rows = (uint32_t)(((int64_t)maxy - miny) / g->cell_lat_e7 + 1);
	/* never more than ~4 cells per item: a bound for degenerate extents */
	while ((uint64_t)g->cols * g->rows > 4ull * items + 16) {
		g->cell_lon_e7 *= 2;
		g->cell_lat_e7 *= 2;
		g->cols = (uint32_t)(((int64_t)maxx - minx) / g->cell_lon_e7 + 1);
		g->rows = (uint32_t)(((int64_t)maxy - miny) / g->cell_lat_e7 + 1);
	}
}

void grid_cell_of(const struct grid *g, int32_t lon_e7, int32_t lat_e7, int32_t *cx, int32_t *cy)
{
	int64_t x = ((int64_t)lon_e7 - g->min_lon_e7) / g->cell_lon_e7;
	int64_t y = ((int64_t)lat_e7 - g->min_lat_e7) / g->cell_lat_e7;
	if ((int64_t)lon_e7 < g->min_lon_e7)
		x = -1;
	if ((int64_t)lat_e7 < g->min_lat_e7)
		y = -1;
	*cx = (int32_t)(x < 0 ? 0 : x >= g->cols ? (int64_t)g->cols - 1 : x);
	*cy = (int32_t)(y < 0 ? 0 : y >= g->rows ? (int64_t)g->rows - 1 : y);
}

/* Two passes over the items' cell ranges: count, then fill. */
struct range_src {
	const struct network *net;        /* pieces, or NULL for points */
	const int32_t *lon, *lat;
	const int32_t *box;               /* boxes: min lon, min lat, max lon, max lat */
	uint32_t n;                       /* pieces: pt_count; points, boxes: count */
};

static int item_range(const struct range_src *r, uint32_t i, int32_t b[4])
{
	if (r->net) {
		const struct network *net = r->net;
		/* piece i exists when i and i+1 are in the same segment */
		uint32_t s = network_piece_seg(net, i);
		if (i + 1 >= net->seg_pt_first[s + 1])
			return 0;
		int32_t x0 = net->pt_lon_e7[i], x1 = net->pt_lon_e7[i + 1];
		int32_t y0 = net->pt_lat_e7[i], y1 = net->pt_lat_e7[i + 1];
		b[0] = x0 < x1 ? x0 : x1;
		b[2] = x0 < x1 ? x1 : x0;
		b[1] = y0 < y1 ? y0 : y1;
		b[3] = y0 < y1 ? y1 : y0;
	} else if (r->box) {
		memcpy(b, &r->box[4 * (size_t)i], 4 * sizeof *b);
		if (b[0] > b[2] || b[1] > b[3])
			return 0;
	} else {
		b[0] = b[2] = r->lon[i];
		b[1] = b[3] = r->lat[i];
	}
	return 1;
}

static enum yz_err build(struct grid *g, const struct range_src *r, struct yz_errbuf *eb)
{
	memset(g, 0, sizeof *g);
	int32_t minx = INT32_MAX, miny = INT32_MAX, maxx = INT32_MIN, maxy = INT32_MIN;
	uint32_t items = 0;
	int32_t b[4];
	for (uint32_t i = 0; i < r->n; i++) {
		if (!item_range(r, i, b))
			continue;
		items++;
		if (b[0] < minx) minx = b[0];
		if (b[1] < miny) miny = b[1];
		if (b[2] > maxx) maxx = b[2];
		if (b[3] > maxy) maxy = b[3];
	}
	if (!items)
		minx = miny = maxx = maxy = 0;
	choose_cells(g, minx, miny, maxx, maxy, items);
	size_t cells = (size_t)g->cols * g->rows;
	uint32_t *first = calloc(cells + 1, sizeof *first);
	if (!first)
		return yz_fail(eb, YZ_ENOMEM, "spatial index: out of memory");
	uint64_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *fill = NULL;
		if (pass == 1) {
			for (size_t c = 0; c < cells; c++)
				first[c + 1] += first[c];
			total = first[cells];
			fill = malloc((total ? total : 1) * sizeof *fill);
			uint32_t *pos = malloc((cells + 1) * sizeof *pos);
			if (!fill || !pos) {
				free(fill);
				free(pos);
				free(first);
				return yz_fail(eb, YZ_ENOMEM, "spatial index: out of memory");
			}
			memcpy(pos, first, (cells + 1) * sizeof *pos);
			for (uint32_t i = 0; i < r->n; i++) {
				if (!item_range(r, i, b))
					continue;
				int32_t x0, y0, x1, y1;
				grid_cell_of(g, b[0], b[1], &x0, &y0);
				grid_cell_of(g, b[2], b[3], &x1, &y1);
				for (int32_t y = y0; y <= y1; y++)
					for (int32_t x = x0; x <= x1; x++)
						fill[pos[(size_t)y * g->cols + x]++] = i;
			}
			free(pos);
			g->cell_items = fill;
			break;
		}
		for (uint32_t i = 0; i < r->n; i++) {
			if (!item_range(r, i, b))
				continue;
			int32_t x0, y0, x1, y1;
			grid_cell_of(g, b[0], b[1], &x0, &y0);
			grid_cell_of(g, b[2], b[3], &x1, &y1);
			for (int32_t y = y0; y <= y1; y++)
				for (int32_t x = x0; x <= x1; x++) {
					if (total++ >= UINT32_MAX - 1) {
						free(first);
						return yz_fail(eb, YZ_ELIMIT, "spatial index too large");
					}
					first[(size_t)y * g->cols + x + 1]++;
				}
		}
	}
	g->cell_first = first;
	g->item_count = (uint32_t)total;
	return YZ_OK;
}

enum yz_err grid_build_pieces(struct grid *g, const struct network *net, struct yz_errbuf *eb)
{
	struct range_src r = {.net = net, .n = net->pt_count};
	return build(g, &r, eb);
}

enum yz_err grid_build_points(struct grid *g, const int32_t *lon_e7, const int32_t *lat_e7,
			      uint32_t n, struct yz_errbuf *eb)
{
	struct range_src r = {.lon = lon_e7, .lat = lat_e7, .n = n};
	return build(g, &r, eb);
}

enum yz_err grid_build_boxes(struct grid *g, const int32_t *box_e7, uint32_t n,
			     struct yz_errbuf *eb)
{
	struct range_src r = {.box = box_e7, .n = n};
	return build(g, &r, eb);
}

enum yz_err grid_segments_of(struct grid *g, const struct grid *pieces, const struct network *net,
			     struct yz_errbuf *eb)
{
	memset(g, 0, sizeof *g);
	size_t cells = (size_t)pieces->cols * pieces->rows;
	uint32_t *first = malloc((cells + 1) * sizeof *first);
	uint32_t *items = malloc((pieces->item_count ? pieces->item_count : 1) * sizeof *items);
	if (!first || !items) {
		free(first);
		free(items);
		return yz_fail(eb, YZ_ENOMEM, "spatial index: out of memory");
	}
	/* a cell lists its pieces in increasing order, so one segment's
	 * pieces there are next to each other: keep the first of each run */
	uint32_t n = 0;
	for (size_t c = 0; c < cells; c++) {
		first[c] = n;
		uint32_t last = UINT32_MAX;
		for (uint32_t i = pieces->cell_first[c]; i < pieces->cell_first[c + 1]; i++) {
			uint32_t s = network_piece_seg(net, pieces->cell_items[i]);
			if (s != last)
				items[n++] = s;
			last = s;
		}
	}
	first[cells] = n;
	*g = *pieces;
	g->cell_first = first;
	g->cell_items = items;
	g->item_count = n;
	return YZ_OK;
}

void grid_free(struct grid *g)
{
	free((void *)g->cell_first);
	free((void *)g->cell_items);
	memset(g, 0, sizeof *g);
}

uint32_t network_piece_seg(const struct network *net, uint32_t p)
{
	if (net->pt_seg)
		return net->pt_seg[p];
	/* last s with seg_pt_first[s] <= p */
	uint32_t lo = 0, hi = net->seg_count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (net->seg_pt_first[mid] <= p)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int grid_validate(const struct grid *g, uint32_t item_limit)
{
	if (g->cell_lon_e7 <= 0 || g->cell_lat_e7 <= 0 || !g->cols || !g->rows)
		return -1;
	size_t cells = (size_t)g->cols * g->rows;
	if (g->cell_first[0] != 0 || g->cell_first[cells] != g->item_count)
		return -1;
	for (size_t c = 0; c < cells; c++)
		if (g->cell_first[c] > g->cell_first[c + 1])
			return -1;
	for (uint32_t i = 0; i < g->item_count; i++)
		if (g->cell_items[i] >= item_limit)
			return -1;
	return 0;
}
