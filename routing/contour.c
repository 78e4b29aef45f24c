/* contour.c — isochrone polygons from reachable road pieces; see contour.h.
 *
 * Method, per call:
 *  1. One bit grid covers the pieces of every level (the largest limit's
 *     extent plus margins).  Cells are cell_m squares (8 m), one sample at
 *     each cell centre: a 9 km × 9 km e-bike extent is 1.3 M cells, 160 KB a
 *     grid.  Where the extent would need more than max_cells (2 M: a
 *     60-minute car isochrone), the cell grows instead, and the buffer with
 *     it (guarantee (a) below).
 *  2. Levels are built in increasing order on one cumulative "raw" grid: the
 *     pieces of level i are added, then limit i is traced.  Reachable within
 *     limit i implies within every larger limit, so each piece is rasterised
 *     once whatever the number of limits.
 *  3. Raw grid: the cells each piece passes through, row band by row band
 *     (one span per band).  Exact capsules of radius buffer_m, cut row by row,
 *     were measured 6 times slower (16 ms for 9·10^4 pieces): they pay the
 *     buffer's rows on every piece, where here the buffer costs nothing per
 *     piece.
 *  4. Buffer and closing as bit-parallel morphology: dilation by the digital
 *     disk of radius buffer + close (offsets with dx² + dy² <= r²), then
 *     erosion by the disk of radius close.  A disk is separable into one
 *     horizontal run per row offset, so both are shifts and ORs/ANDs of
 *     64-bit words over a sliding window of rows, independent of the number
 *     of pieces.  The result contains the buffered pieces and lies inside
 *     their dilation by buffer + close.  The closing (16 m) fills the narrow
 *     wedges between buffered roads at forks and bends that make an outline
 *     ragged: a fifth fewer points on the synthetic city, for 0.3 point of
 *     the worst exclusion share on real data (below).
 *  5. Components: rows are cut into runs; a union–find over runs labels the
 *     foreground 4-connected and the background 8-connected (the pair that
 *     makes marching-squares saddles unambiguous).  A background component
 *     not reaching the border is a hole; holes under hole_min_m2 (0.2 km²,
 *     a block of some 450 m: every point of it lies within ~225 m of a
 *     reachable street all around, which a rider counts as reachable) are
 *     filled, so a block ringed by reachable streets is solid, while a lake,
 *     a rail yard or a large closed compound stays a hole.  Foreground
 *     islands of a filled hole join the polygon around it.  Nesting comes
 *     from the runs for free: a component's root is its first run, and the
 *     run just west of it belongs to the component around it.
 *  6. Marching squares on the samples, one pass: each unvisited horizontal
 *     crossing starts a ring, walked with the foreground on the left, so
 *     exteriors come out counter-clockwise and holes clockwise; saddles turn
 *     left (foreground 4-connected).  Vertices sit at midpoints between
 *     samples, on a half-cell integer lattice, so the predicates below are
 *     exact integer arithmetic.  Collinear steps are merged while walking.
 *     No two rings share a point: each crossing belongs to one ring.
 *  7. Douglas–Peucker per ring, tolerance simplify_cells (0.5 cell): the
 *     raster staircase along a straight road deviates ≤ 0.35 cell from a line,
 *     so it vanishes.  Then the topology of all rings of the limit together
 *     is checked (segments binned in 16-cell tiles, every pair of a tile
 *     tested, touching counts as crossing); a simplified segment that meets
 *     anything gets back its farthest raw vertex, until nothing meets.  Raw
 *     rings are valid, so this ends; in practice it is needed only where
 *     polygons touch at a saddle and the tolerance is large.  A ring whose
 *     orientation would flip keeps all its vertices.
 *  8. Rings are ordered exterior, then its holes, closed, and converted from
 *     the half-cell lattice to lon/lat through the frame.
 *
 * Guarantees.  (a) Every piece lies inside its limit's polygon.  A point P
 * of a piece is within 0.71 cell of a marked sample, so every sample within
 * b - 0.71 cell of P is set (b = buffer); the marching-squares outline of
 * the samples within d of P contains P once d >= sqrt(10)/4 = 0.79 cell
 * (worst case: P a quarter cell from a sample along both axes); and DP moves
 * no point farther than its tolerance t from the outline to the other side
 * (a simplified chord and its chain bound a region within t of the chord).
 * Hence b >= (0.71 + 0.79 + t) cells = CONTOUR_BUFFER_MIN_CELLS + t, which
 * 16 m at 8 m cells meets (2.0 cells).  (b) Without closing and hole
 * filling, no point of a polygon is farther than b + (0.71 + 0.71 + t) cells
 * from a piece: 31 m by default, about 21 m along a straight road; closing
 * adds at most close_m.  SPEC §7 forgives nodes within 20 m of reachable
 * road.  Measured with the real-data test of routing/isochrone (Huangpu,
 * Monaco, Hsinchu; walk, e-bike, car; 2/5/10 min): 100 % of reachable
 * vertices inside everywhere, and at worst 97.9 % of the far ones outside
 * (98.2 % without closing; 92.8 % with 10 m cells and a 20 m buffer, the
 * reach growing with the cell).
 *
 * Costs, measured by scripts/bench/contour_bench.c on a busy 2-core EPYC
 * (9 × 9 km synthetic city, 5/10/15 min in one call): 2.5 ms for 2.2·10^4
 * pieces, 3.3 ms for 9.4·10^4; on the real datasets above (1–3·10^3
 * pieces) 0.4–0.6 ms.  10 m cells with a 20 m buffer are 30 % faster.
 * Marking is linear in the pieces; morphology and labelling in the grid's
 * rows; the trace, DP and topology check in the outline.  No allocation once
 * the workspace has grown: every array is sized before the loop that fills
 * it (vertex counts come from bit counts of the grid, runs from the row
 * width). */
#include "contour.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

#define NONE UINT32_MAX
#define MAX_MORPH_CELLS 16 /* buffer + closing, in cells; the cell grows beyond */
#define TILE_HALF 32          /* topology-check bin side, half-cell units (16 cells) */
#define MAX_REFINE_ROUNDS 200 /* then every raw vertex is kept (never seen) */

/* run_flag bits */
#define F_FILLED 1u /* background component that is filled */
#define F_DROP 2u   /* foreground component (final root) too small to keep */
#define F_FG 4u     /* foreground component */

/* ---- memory ---- */

static void *resize(void *p, size_t count, size_t elem)
{
	if (count != 0 && elem > SIZE_MAX / count)
		return NULL;
	return realloc(p, count * elem);
}

static size_t next_cap(size_t cap, size_t need)
{
	size_t c = cap ? cap : 256;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	return c;
}

#define RESIZE(field, c)                                                          \
	do {                                                                      \
		void *q_ = resize((field), (c), sizeof *(field));                 \
		if (!q_)                                                          \
			return YZ_ENOMEM;                                         \
		(field) = q_;                                                     \
	} while (0)

static enum yz_err need_grid(struct contour_ws *ws, size_t words)
{
	if (words <= ws->grid_cap)
		return YZ_OK;
	/* exact size: grids are large and their size rarely changes */
	free(ws->grid);
	ws->grid = malloc(words * sizeof *ws->grid);
	ws->grid_cap = ws->grid ? words : 0;
	return ws->grid ? YZ_OK : YZ_ENOMEM;
}

static enum yz_err need_runs(struct contour_ws *ws, size_t need)
{
	if (need <= ws->run_cap)
		return YZ_OK;
	size_t c = next_cap(ws->run_cap, need);
	RESIZE(ws->run_x, c);
	RESIZE(ws->run_parent, c);
	RESIZE(ws->run_area, c);
	RESIZE(ws->run_aux, c);
	RESIZE(ws->run_roots, c);
	RESIZE(ws->run_flag, c);
	ws->run_cap = c;
	return YZ_OK;
}

static enum yz_err need_verts(struct contour_ws *ws, size_t need)
{
	if (need <= ws->v_cap)
		return YZ_OK;
	size_t c = next_cap(ws->v_cap, need);
	RESIZE(ws->vx, c);
	RESIZE(ws->vy, c);
	RESIZE(ws->keep, c);
	RESIZE(ws->s_idx, c);
	RESIZE(ws->s_next, c);
	RESIZE(ws->s_bad, c);
	RESIZE(ws->stack, 3 * c + 12); /* (a, b, forced) per waiting chain */
	ws->v_cap = c;
	return YZ_OK;
}

static enum yz_err need_rings(struct contour_ws *ws, size_t need)
{
	if (need <= ws->ring_cap)
		return YZ_OK;
	size_t c = next_cap(ws->ring_cap, need);
	RESIZE(ws->ring_first, c + 1);
	RESIZE(ws->ring_root, c);
	RESIZE(ws->ring_area2, c);
	RESIZE(ws->s_ring_first, c + 1);
	RESIZE(ws->out_order, c);
	RESIZE(ws->out_key, c);
	ws->ring_cap = c;
	return YZ_OK;
}

void contour_ws_init(struct contour_ws *ws)
{
	memset(ws, 0, sizeof *ws);
}

void contour_ws_fini(struct contour_ws *ws)
{
	if (!ws)
		return;
	free(ws->grid);
	free(ws->order);
	free(ws->run_x);
	free(ws->run_parent);
	free(ws->run_area);
	free(ws->run_aux);
	free(ws->run_roots);
	free(ws->run_flag);
	free(ws->row_first);
	free(ws->vx);
	free(ws->vy);
	free(ws->keep);
	free(ws->s_idx);
	free(ws->s_next);
	free(ws->s_bad);
	free(ws->stack);
	free(ws->ring_first);
	free(ws->ring_root);
	free(ws->ring_area2);
	free(ws->s_ring_first);
	free(ws->out_order);
	free(ws->out_key);
	free(ws->tile_first);
	free(ws->tile_items);
	memset(ws, 0, sizeof *ws);
}

void contour_params_init(struct contour_params *p, double lon0, double lat0)
{
	p->lon0 = lon0;
	p->lat0 = lat0;
	p->level_count = 1;
	p->cell_m = 8.0;
	p->buffer_m = 16.0;
	p->close_m = 16.0;
	p->hole_min_m2 = 200000.0;
	p->simplify_cells = 0.5;
	p->min_area_m2 = 200.0;
	p->max_cells = 1u << 21;
}

void contour_result_init(struct contour_result *r)
{
	memset(r, 0, sizeof *r);
}

void contour_result_fini(struct contour_result *r)
{
	if (!r)
		return;
	free(r->ring_first);
	free(r->ring_outer);
	free(r->lon);
	free(r->lat);
	memset(r, 0, sizeof *r);
}

/* Empty the result, keeping its arrays; ring_first gets its one entry. */
static enum yz_err result_clear(struct contour_result *r)
{
	r->ring_count = 0;
	r->polygon_count = 0;
	r->pt_count = 0;
	r->area_m2 = 0;
	if (!r->ring_first) {
		r->ring_first = malloc(sizeof *r->ring_first);
		if (!r->ring_first)
			return YZ_ENOMEM;
		r->ring_cap = 0;
	}
	r->ring_first[0] = 0;
	return YZ_OK;
}

static enum yz_err result_reserve(struct contour_result *r, uint32_t rings, uint32_t pts)
{
	if (rings > r->ring_cap) {
		RESIZE(r->ring_first, (size_t)rings + 1);
		RESIZE(r->ring_outer, rings);
		r->ring_cap = rings;
	}
	if (pts > r->pt_cap) {
		RESIZE(r->lon, pts);
		RESIZE(r->lat, pts);
		r->pt_cap = pts;
	}
	return YZ_OK;
}

/* ---- the grid ---- */

/* One call's raster geometry and working state. */
struct ctx {
	struct contour_ws *ws;
	const struct contour_params *p;
	uint32_t w, h, stride;    /* samples per row (bits), rows, 64-bit words per row */
	size_t words;             /* stride * h */
	double x_org, y_org;      /* metres: sample (i, j) sits at x_org + (i + 0.5) cell, ... */
	double cell, buffer;      /* metres, as used */
	double inv_cell;          /* 1 / cell */
	double dil, ero;          /* dilation (buffer + closing) and erosion (closing) radii, cells */
	double hole_min_cells, min_cells;
	uint64_t *raw, *work, *tmp, *vis; /* grids of `words` */
	uint64_t *win;            /* morph's window: (2 dil + 1) * dil rows */
	uint32_t j0, j1;          /* rows worked on for the current level */
	uint32_t w0, w1;          /* words of a row the current level can reach */
	uint32_t nruns;
	uint32_t nv, nrings;      /* raw ring vertices and rings of the current level */
	uint32_t ns;              /* simplified vertices */
};

static inline int get_bit(const struct ctx *c, const uint64_t *g, int32_t x, int32_t y)
{
	return (int)((g[(size_t)y * c->stride + ((uint32_t)x >> 6)] >> ((uint32_t)x & 63)) & 1u);
}

/* Set samples a..b (inclusive) of one row. */
static void row_set(uint64_t *row, uint32_t a, uint32_t b)
{
	uint32_t wa = a >> 6, wb = b >> 6;
	uint64_t ma = ~0ull << (a & 63), mb = ~0ull >> (63 - (b & 63));
	if (wa == wb) {
		row[wa] |= ma & mb;
		return;
	}
	row[wa] |= ma;
	for (uint32_t w = wa + 1; w < wb; w++)
		row[w] = ~0ull;
	row[wb] |= mb;
}

/* Choose cell, buffer and extent so that the grid holds the bounding box of
 * the pieces with room for the dilation and two empty cells (and one for
 * rounding): the trace and
 * the labelling then never look outside the grid, and the first and last
 * rows and columns are background connected to the outside.  The cell grows
 * when the grid would exceed max_cells or the dilation MAX_MORPH_CELLS. */
static enum yz_err choose_grid(struct ctx *c, double minx, double miny, double maxx, double maxy)
{
	const struct contour_params *p = c->p;
	double cell = p->cell_m;
	for (int iter = 0; iter < 200; iter++) {
		double b = fmax(p->buffer_m, (CONTOUR_BUFFER_MIN_CELLS + p->simplify_cells) * cell);
		double dil = (b + p->close_m) / cell;
		double pad = b + p->close_m + 4 * cell; /* dilation, 2 empty rows, rounding */
		double w = ceil((maxx - minx + 2 * pad) / cell) + 1;
		double h = ceil((maxy - miny + 2 * pad) / cell) + 1;
		if (dil > MAX_MORPH_CELLS) {
			cell *= dil / MAX_MORPH_CELLS * 1.001;
			continue;
		}
		if (w * h > (double)p->max_cells) {
			cell *= fmax(1.01, sqrt(w * h / (double)p->max_cells));
			continue;
		}
		c->cell = cell;
		c->inv_cell = 1.0 / cell;
		c->buffer = b;
		c->dil = dil;
		c->ero = p->close_m / cell;
		c->w = (uint32_t)w;
		c->h = (uint32_t)h;
		c->stride = (c->w + 63) / 64;
		c->words = (size_t)c->stride * c->h;
		c->x_org = minx - pad;
		c->y_org = miny - pad;
		c->hole_min_cells = p->hole_min_m2 / (cell * cell);
		c->min_cells = p->min_area_m2 / (cell * cell);
		return YZ_OK;
	}
	return YZ_ERANGE;
}

/* ---- marking and dilation ---- */

/* Mark the sample of every cell the piece passes through (cells are the
 * unit squares around the samples): row band by row band, the piece covers
 * one span of cells, from where it enters the band to where it leaves.
 * Every point of the piece is then within 0.71 cell of a marked sample, and
 * every marked sample within 0.71 cell of the piece.  (A cell-by-cell grid
 * walk is slower: its read-modify-writes of one word form a chain.) */
static inline void mark(const struct ctx *c, const struct contour_piece *pc)
{
	double inv = c->inv_cell, xo = c->x_org, yo = c->y_org;
	/* grid units where cell (i, j) is [i, i + 1) × [j, j + 1); all positive
	 * thanks to the margins, so a cast is a floor */
	double u0 = ((double)pc->x0 - xo) * inv, v0 = ((double)pc->y0 - yo) * inv;
	double u1 = ((double)pc->x1 - xo) * inv, v1 = ((double)pc->y1 - yo) * inv;
	if (v1 < v0) {
		double t = u0;
		u0 = u1, u1 = t, t = v0, v0 = v1, v1 = t;
	}
	uint32_t j = (uint32_t)v0, je = (uint32_t)v1;
	uint64_t *row = c->raw + (size_t)j * c->stride;
	if (j == je) {
		row_set(row, (uint32_t)(u0 < u1 ? u0 : u1), (uint32_t)(u0 < u1 ? u1 : u0));
		return;
	}
	double slope = (u1 - u0) / (v1 - v0), xa = u0;
	for (;; j++, row += c->stride) {
		double xb = j == je ? u1 : u0 + ((double)(j + 1) - v0) * slope;
		row_set(row, (uint32_t)(xa < xb ? xa : xb), (uint32_t)(xa < xb ? xb : xa));
		if (j == je)
			break;
		xa = xb;
	}
}

/* The marked part of the raw grid: first and last rows with anything set
 * in *m0, *m1 (m0 > m1 when empty), and the words that the dilation can
 * reach in c->w0, c->w1 (it moves bits by less than a word). */
static void marked_span(struct ctx *c, uint32_t *m0, uint32_t *m1)
{
	uint32_t S = c->stride, first = UINT32_MAX, last = 0;
	*m0 = 1;
	*m1 = 0;
	for (uint32_t j = 0; j < c->h; j++) {
		const uint64_t *row = c->raw + (size_t)j * S;
		uint64_t any = 0;
		for (uint32_t w = 0; w < S; w++) {
			if (row[w]) {
				any = 1;
				first = w < first ? w : first;
				last = w > last ? w : last;
			}
		}
		if (any) {
			if (*m0 > *m1)
				*m0 = j;
			*m1 = j;
		}
	}
	c->w0 = first > 0 && first != UINT32_MAX ? first - 1 : 0;
	c->w1 = last + 1 < S ? last + 1 : S - 1;
}

/* Horizontal pass of a dilation or erosion, words a..b of one row (words
 * outside count as empty): out[h - 1] = in combined (| or &) with in shifted
 * by 1..h samples either way, for h = 1..r, each built from the previous. */
static void hpass(uint64_t *out, const uint64_t *in, uint32_t S, uint32_t a, uint32_t b, uint32_t r, bool is_and)
{
	const uint64_t *prev = in;
	for (uint32_t h = 1; h <= r; h++) {
		uint64_t *o = out + (size_t)(h - 1) * S;
		unsigned sh = h, rs = 64u - h;
		/* the ends apart, so that the middle loop has no conditions */
		uint64_t first_left = in[a] << sh, last_right = in[b] >> sh;
		if (a == b) {
			o[a] = is_and ? (prev[a] & first_left & last_right) : (prev[a] | first_left | last_right);
		} else {
			uint64_t fr = (in[a] >> sh) | (in[a + 1] << rs), ll = (in[b] << sh) | (in[b - 1] >> rs);
			o[a] = is_and ? (prev[a] & first_left & fr) : (prev[a] | first_left | fr);
			o[b] = is_and ? (prev[b] & ll & last_right) : (prev[b] | ll | last_right);
		}
		if (is_and) {
			for (uint32_t w = a + 1; w < b; w++)
				o[w] = prev[w] & ((in[w] << sh) | (in[w - 1] >> rs)) & ((in[w] >> sh) | (in[w + 1] << rs));
		} else {
			for (uint32_t w = a + 1; w < b; w++)
				o[w] = prev[w] | (in[w] << sh) | (in[w - 1] >> rs) | (in[w] >> sh) | (in[w + 1] << rs);
		}
		prev = o;
	}
}

/* dst rows o0..o1 = src dilated (is_and false) or eroded (true) by the
 * digital disk {(dx, dy) : dx² + dy² <= radius²} (radius in cells), over
 * the level's words w0..w1; other words of those rows are cleared.  Rows of
 * src outside s0..s1 and words outside w0..w1 count as empty (the caller
 * knows they are).  The disk is separable into one horizontal run per dy:
 * each source row is combined with its shifts once, into a window of the
 * last 2r + 1 rows, and each output row combines 2r + 1 window rows — a few
 * word operations per 64 samples, whatever the number of pieces. */
static void morph(struct ctx *c, uint64_t *dst, const uint64_t *src, double radius, bool is_and, uint32_t s0,
		  uint32_t s1, uint32_t o0, uint32_t o1)
{
	/* radius² + 1e-9: a radius of 4 computed as 3.9999999 must still reach 4 */
	double r2 = radius * radius + 1e-9;
	uint32_t r = (uint32_t)sqrt(r2), S = c->stride, slots = 2 * r + 1, w0 = c->w0, w1 = c->w1;
	uint32_t hw[2 * MAX_MORPH_CELLS + 1];
	for (uint32_t k = 0; k < slots; k++) {
		double dy = (double)k - (double)r;
		hw[k] = (uint32_t)sqrt(r2 - dy * dy);
	}
	/* window slot of row y: y % slots, holding its shifts by h = 1..r */
	uint64_t *win = c->win;
	size_t slot_words = (size_t)r * S;
	for (uint32_t j = o0; j <= o1; j++) {
		/* bring in row j + r (on the first output row, all of j - r .. j + r) */
		uint32_t ylo = j == o0 ? (j >= r ? j - r : 0) : j + r;
		for (uint32_t y = ylo; y <= j + r && y <= s1; y++)
			if (y >= s0)
				hpass(win + (size_t)(y % slots) * slot_words, src + (size_t)y * S, S, w0, w1, r, is_and);
		uint64_t *o = dst + (size_t)j * S;
		memset(o, 0, w0 * sizeof *o);
		memset(o + w1 + 1, 0, (S - w1 - 1) * sizeof *o);
		if (is_and && (j < s0 + r || j + r > s1)) {
			memset(o + w0, 0, (w1 - w0 + 1) * sizeof *o); /* the disk reaches an empty row */
			continue;
		}
		for (uint32_t w = w0; w <= w1; w++)
			o[w] = is_and ? ~0ull : 0;
		for (uint32_t k = 0; k < slots; k++) {
			uint32_t y = j + k - r; /* wraps below 0: then > s1 */
			if (j + k < r || y < s0 || y > s1)
				continue;
			const uint64_t *g = hw[k] == 0 ? src + (size_t)y * S
						     : win + (size_t)(y % slots) * slot_words + (size_t)(hw[k] - 1) * S;
			if (is_and)
				for (uint32_t w = w0; w <= w1; w++)
					o[w] &= g[w];
			else
				for (uint32_t w = w0; w <= w1; w++)
					o[w] |= g[w];
		}
	}
}

/* ---- components ---- */

static inline uint32_t uf_find(uint32_t *par, uint32_t x)
{
	while (par[x] != x) {
		par[x] = par[par[x]];
		x = par[x];
	}
	return x;
}

/* Link the two sets; the smaller index becomes the root, so a root is always
 * its component's first run in row order. */
static inline void uf_union(uint32_t *par, uint32_t a, uint32_t b)
{
	a = uf_find(par, a);
	b = uf_find(par, b);
	if (a < b)
		par[b] = a;
	else if (b < a)
		par[a] = b;
}

/* Cut rows j0..j1 of the work grid into alternating runs and label them.
 * Row r (= j - j0) holds runs row_first[r] .. row_first[r + 1] - 2, even
 * offsets background (column 0 always is), odd foreground, followed by a
 * sentinel whose run_x is w, so that run k always ends at run_x[k + 1].
 * Each run is unioned with the runs of the row below that touch it: sharing
 * a column for foreground (4-connected), a corner for background
 * (8-connected). */
static enum yz_err label_runs(struct ctx *c)
{
	struct contour_ws *ws = c->ws;
	uint32_t rows = c->j1 - c->j0 + 1;
	if (rows + 1 > ws->row_cap) {
		size_t cap = next_cap(ws->row_cap, rows + 1);
		RESIZE(ws->row_first, cap);
		ws->row_cap = cap;
	}
	uint32_t *rf = ws->row_first;
	uint32_t k = 0;
	for (uint32_t r = 0; r < rows; r++) {
		/* a row has at most w runs and a sentinel: reserve before the row,
		 * not per run */
		if ((size_t)k + c->w + 2 > ws->run_cap) {
			enum yz_err e = need_runs(ws, (size_t)k + c->w + 2);
			if (e)
				return e;
		}
		uint32_t *rx = ws->run_x, *par = ws->run_parent;
		const uint64_t *row = c->work + (size_t)(c->j0 + r) * c->stride;
		uint32_t first = k;
		rx[k] = 0;
		par[k] = k;
		k++;
		/* a run starts wherever a bit differs from the one before it */
		uint64_t before = 0;
		for (uint32_t w = 0; w < c->stride; w++) {
			uint64_t x = row[w], t = x ^ ((x << 1) | before);
			before = x >> 63;
			for (; t; t &= t - 1) {
				rx[k] = w * 64 + (uint32_t)__builtin_ctzll(t);
				par[k] = k;
				k++;
			}
		}
		rx[k] = c->w; /* sentinel */
		par[k] = k;
		k++;
		rf[r] = first;
		rf[r + 1] = k;
		if (r == 0)
			continue;
		/* merge with the row below: q walks the previous row's runs */
		uint32_t pfirst = rf[r - 1], q0 = pfirst, qend = first - 1;
		for (uint32_t i = first; i + 1 < k; i++) {
			uint32_t a = rx[i], b = rx[i + 1];
			uint32_t ki = (i - first) & 1u;
			while (rx[q0 + 1] < a)
				q0++;
			uint32_t q = q0 + (((q0 - pfirst) & 1u) != ki);
			for (; q < qend && rx[q] <= b; q += 2) {
				/* same kind as i by parity.  Background: [rx[q], rx[q + 1])
				 * and [a, b) touch at least at a corner (given the loop
				 * bounds); foreground: they must share a column */
				if (ki && !(rx[q] < b && a < rx[q + 1]))
					continue;
				if (par[i] == i) /* i's first link: it just joins q's set */
					par[i] = uf_find(par, q);
				else
					uf_union(par, i, q);
			}
		}
	}
	c->nruns = k;
	return YZ_OK;
}

/* From the labelled runs: fill the holes smaller than hole_min_cells (their
 * islands join the polygon around them) and mark the polygons smaller than
 * min_cells.  Afterwards uf_find(run_parent, k) of a foreground run is its
 * polygon's root, and run_aux of that root is NONE (emit numbers polygons
 * there). */
static void fill_holes(struct ctx *c)
{
	struct contour_ws *ws = c->ws;
	uint32_t *par = ws->run_parent, *area = ws->run_area, *aux = ws->run_aux, *roots = ws->run_roots;
	uint8_t *flag = ws->run_flag;
	const uint32_t *rf = ws->row_first, *rx = ws->run_x;
	uint32_t rows = c->j1 - c->j0 + 1, nroots = 0;
	/* Areas, and nesting.  A component's root is its first run in row order
	 * (uf_union keeps the smaller index), met before its other runs, and the
	 * run just west of it (same row; never the row's first run, column 0
	 * being outside) belongs to the component around it: anything nested
	 * inside starts on a later row.  Run 0 is the outside. */
	for (uint32_t r = 0; r < rows; r++) {
		for (uint32_t k = rf[r]; k + 1 < rf[r + 1]; k++) {
			uint32_t root = uf_find(par, k);
			par[k] = root;
			if (root == k) {
				area[k] = 0;
				flag[k] = (k - rf[r]) & 1u ? F_FG : 0;
				aux[k] = k ? par[k - 1] : NONE;
				roots[nroots++] = k;
			}
			area[root] += rx[k + 1] - rx[k];
		}
	}
	/* In root order, outer components first.  A hole is filled when small;
	 * a foreground inside a filled hole joins the foreground around the
	 * hole, whose final root is known since it came first.  area[] of a
	 * final root accumulates its polygon's area: a root's own area is read
	 * before anything can be added to it (additions go to smaller roots). */
	for (uint32_t i = 1; i < nroots; i++) { /* roots[0] is the outside */
		uint32_t k = roots[i], around = aux[k];
		if (flag[k] & F_FG) {
			if (around != 0 && (flag[around] & F_FILLED)) {
				uint32_t f = uf_find(par, aux[around]);
				par[k] = f; /* f < k: k joins f */
				area[f] += area[k];
			}
		} else if (area[k] < c->hole_min_cells) {
			flag[k] |= F_FILLED;
			area[uf_find(par, around)] += area[k];
		}
	}
	for (uint32_t i = 1; i < nroots; i++) {
		uint32_t k = roots[i];
		if ((flag[k] & F_FG) && par[k] == k) {
			if (area[k] < c->min_cells)
				flag[k] |= F_DROP;
			aux[k] = NONE;
		}
	}
	for (uint32_t r = 0; r < rows; r++) {
		uint64_t *row = c->work + (size_t)(c->j0 + r) * c->stride;
		for (uint32_t k = rf[r]; k + 1 < rf[r + 1]; k += 2)
			if (flag[par[k]] & F_FILLED)
				row_set(row, rx[k], rx[k + 1] - 1);
	}
}

/* Polygon root of the foreground sample (x, row j). */
static uint32_t component_at(const struct ctx *c, uint32_t x, uint32_t j)
{
	const struct contour_ws *ws = c->ws;
	uint32_t r = j - c->j0, lo = ws->row_first[r], hi = ws->row_first[r + 1] - 2;
	while (lo < hi) { /* last run with run_x <= x */
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (ws->run_x[mid] <= x)
			lo = mid;
		else
			hi = mid - 1;
	}
	return uf_find(ws->run_parent, lo);
}

/* ---- marching squares ---- */

static const int32_t DX[4] = {1, 0, -1, 0}; /* east, north, west, south */
static const int32_t DY[4] = {0, 1, 0, -1};

static inline int sgn(int32_t v)
{
	return (v > 0) - (v < 0);
}

/* Same direction for the steps a->b and b->d: steps are axis-parallel or
 * exact diagonals on the lattice, so equal signs mean collinear. */
static inline bool same_dir(int32_t ax, int32_t ay, int32_t bx, int32_t by, int32_t dx, int32_t dy)
{
	return sgn(bx - ax) == sgn(dx - bx) && sgn(by - ay) == sgn(dy - by);
}

static inline void push_vertex(struct ctx *c, uint32_t rs, int32_t x, int32_t y)
{
	int32_t *vx = c->ws->vx, *vy = c->ws->vy;
	uint32_t n = c->nv;
	if (n - rs >= 2 && same_dir(vx[n - 2], vy[n - 2], vx[n - 1], vy[n - 1], x, y)) {
		vx[n - 1] = x;
		vy[n - 1] = y;
		return;
	}
	vx[n] = x;
	vy[n] = y;
	c->nv = n + 1;
}

static inline void mark_visited(struct ctx *c, int32_t lx, int32_t rx, int32_t y)
{
	uint32_t i = (uint32_t)(lx < rx ? lx : rx);
	c->vis[(size_t)y * c->stride + (i >> 6)] |= 1ull << (i & 63);
}

/* Walk the ring through the horizontal crossing between samples i and i + 1
 * of row j, foreground on the left.  State: L (foreground) and R
 * (background) are the samples either side of the current crossing, d the
 * direction of travel (R is to the right of d).  Every crossing point is the
 * midpoint of L and R: (Lx + Rx + 1, Ly + Ry + 1) in half-cell units. */
static void trace_ring(struct ctx *c, int32_t i, int32_t j)
{
	struct contour_ws *ws = c->ws;
	const uint64_t *g = c->work;
	int32_t lx, ly = j, rx, ry = j;
	int d;
	if (get_bit(c, g, i, j)) {
		lx = i, rx = i + 1, d = 1;
	} else {
		lx = i + 1, rx = i, d = 3;
	}
	const int32_t lx0 = lx, rx0 = rx;
	uint32_t comp = component_at(c, (uint32_t)lx, (uint32_t)j);
	uint32_t rs = c->nv;
	mark_visited(c, lx, rx, j);
	push_vertex(c, rs, lx + rx + 1, 2 * j + 1);
	for (;;) {
		int32_t flx = lx + DX[d], fly = ly + DY[d];
		if (!get_bit(c, g, flx, fly)) { /* far-left empty (or saddle): turn left */
			rx = flx, ry = fly;
			d = (d + 1) & 3;
		} else {
			int32_t frx = rx + DX[d], fry = ry + DY[d];
			if (get_bit(c, g, frx, fry)) { /* both far samples set: turn right */
				lx = frx, ly = fry;
				d = (d + 3) & 3;
			} else { /* straight on */
				lx = flx, ly = fly, rx = frx, ry = fry;
			}
		}
		if (lx == lx0 && ly == j && rx == rx0 && ry == j)
			break;
		if (ly == ry)
			mark_visited(c, lx, rx, ly);
		push_vertex(c, rs, lx + rx + 1, ly + ry + 1);
	}
	/* merge collinear steps across the ring's seam */
	int32_t *vx = ws->vx, *vy = ws->vy;
	while (c->nv - rs >= 4 && same_dir(vx[c->nv - 2], vy[c->nv - 2], vx[c->nv - 1], vy[c->nv - 1], vx[rs], vy[rs]))
		c->nv--;
	uint32_t n = c->nv - rs;
	if (n >= 4 && same_dir(vx[c->nv - 1], vy[c->nv - 1], vx[rs], vy[rs], vx[rs + 1], vy[rs + 1])) {
		memmove(vx + rs, vx + rs + 1, (n - 1) * sizeof *vx);
		memmove(vy + rs, vy + rs + 1, (n - 1) * sizeof *vy);
		c->nv--;
		n--;
	}
	if (ws->run_flag[comp] & F_DROP) {
		c->nv = rs;
		return;
	}
	int64_t a2 = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t k1 = k + 1 == n ? 0 : k + 1;
		a2 += (int64_t)vx[rs + k] * vy[rs + k1] - (int64_t)vx[rs + k1] * vy[rs + k];
	}
	uint32_t q = c->nrings++;
	ws->ring_first[q] = rs;
	ws->ring_first[q + 1] = c->nv;
	ws->ring_root[q] = comp;
	ws->ring_area2[q] = a2;
}

/* Bits set in x: the classic SWAR count (no -mpopcnt in our flags, and
 * the builtin would be a library call). */
static inline uint32_t popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
	return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

/* Upper bounds of the crossings (vertices) of rows j0..j1: every crossing
 * separates two different neighbouring samples. */
static void count_crossings(const struct ctx *c, size_t *hcross, size_t *vcross)
{
	size_t hc = 0, vc = 0;
	uint32_t S = c->stride;
	for (uint32_t j = c->j0; j <= c->j1; j++) {
		const uint64_t *row = c->work + (size_t)j * S, *up = row + S;
		for (uint32_t w = 0; w < S; w++) {
			uint64_t nxt = w + 1 < S ? row[w + 1] : 0;
			uint64_t t = row[w] ^ ((row[w] >> 1) | (nxt << 63));
			if (t)
				hc += popcount64(t);
			if (j < c->j1 && (t = row[w] ^ up[w]) != 0)
				vc += popcount64(t);
		}
	}
	*hcross = hc;
	*vcross = vc;
}

static enum yz_err trace_all(struct ctx *c)
{
	struct contour_ws *ws = c->ws;
	size_t hc, vc;
	count_crossings(c, &hc, &vc);
	/* every ring holds at least two horizontal crossings */
	enum yz_err e = need_verts(ws, hc + vc + 1);
	if (!e)
		e = need_rings(ws, hc / 2 + 1);
	if (e)
		return e;
	uint32_t S = c->stride;
	memset(c->vis + (size_t)c->j0 * S, 0, (size_t)(c->j1 - c->j0 + 1) * S * sizeof *c->vis);
	c->nv = 0;
	c->nrings = 0;
	ws->ring_first[0] = 0;
	for (uint32_t j = c->j0; j <= c->j1; j++) {
		const uint64_t *row = c->work + (size_t)j * S;
		const uint64_t *vrow = c->vis + (size_t)j * S;
		for (uint32_t w = 0; w < S; w++) {
			uint64_t nxt = w + 1 < S ? row[w + 1] : 0;
			uint64_t t = row[w] ^ ((row[w] >> 1) | (nxt << 63));
			for (uint64_t cand = t & ~vrow[w]; cand; cand = t & ~vrow[w])
				trace_ring(c, (int32_t)(w * 64 + (uint32_t)__builtin_ctzll(cand)), (int32_t)j);
		}
	}
	return YZ_OK;
}

/* ---- simplification ---- */

/* Raw vertex, of ring [rs, re), farthest from the segment between raw
 * vertices a and b, walking forward from a (wrapping) to b, exclusive; NONE
 * if a and b are neighbours.  *d2 is its squared distance.  Distances are
 * compared scaled by the squared chord length l2 (no division per vertex):
 * cross² inside the chord's span, squared end distance times l2 beyond it. */
static uint32_t farthest(const struct ctx *c, uint32_t rs, uint32_t re, uint32_t a, uint32_t b, double *d2)
{
	const int32_t *vx = c->ws->vx, *vy = c->ws->vy;
	double ax = vx[a], ay = vy[a], dx = vx[b] - ax, dy = vy[b] - ay, l2 = dx * dx + dy * dy;
	uint32_t best = NONE;
	double bd = -1;
	for (uint32_t k = a + 1 == re ? rs : a + 1; k != b; k = k + 1 == re ? rs : k + 1) {
		double px = vx[k] - ax, py = vy[k] - ay, t = px * dx + py * dy, key;
		if (t <= 0) {
			key = (px * px + py * py) * l2;
		} else if (t >= l2) {
			double qx = px - dx, qy = py - dy;
			key = (qx * qx + qy * qy) * l2;
		} else {
			double cr = px * dy - py * dx;
			key = cr * cr;
		}
		if (key > bd) {
			bd = key;
			best = k;
		}
	}
	if (best != NONE && l2 == 0) { /* a closed chain: plain distance to a */
		double px = vx[best] - ax, py = vy[best] - ay;
		*d2 = px * px + py * py;
	} else {
		*d2 = best != NONE ? bd / l2 : -1;
	}
	return best;
}

/* Douglas–Peucker on ring q: set keep[] for the vertices that stay.  The
 * anchors are vertex 0 and the vertex farthest from it; the farthest vertex
 * of each half is kept whatever its distance, so a ring never collapses below
 * four vertices. */
static void dp_ring(struct ctx *c, uint32_t q, double eps2)
{
	struct contour_ws *ws = c->ws;
	uint32_t rs = ws->ring_first[q], re = ws->ring_first[q + 1], n = re - rs;
	uint8_t *keep = ws->keep;
	if (eps2 <= 0 || n <= 4) {
		memset(keep + rs, 1, n);
		return;
	}
	memset(keep + rs, 0, n);
	const int32_t *vx = ws->vx, *vy = ws->vy;
	uint32_t far = rs;
	int64_t fd = -1;
	for (uint32_t k = rs + 1; k < re; k++) {
		int64_t dx = vx[k] - vx[rs], dy = vy[k] - vy[rs], dd = dx * dx + dy * dy;
		if (dd > fd) {
			fd = dd;
			far = k;
		}
	}
	keep[rs] = keep[far] = 1;
	/* chains as (a, b, forced) triples; at most one chain per vertex waits */
	uint32_t *st = ws->stack, sp = 0;
	st[sp++] = rs, st[sp++] = far, st[sp++] = 1;
	st[sp++] = far, st[sp++] = rs, st[sp++] = 1;
	while (sp) {
		uint32_t forced = st[--sp], b = st[--sp], a = st[--sp];
		double d2;
		uint32_t m = farthest(c, rs, re, a, b, &d2);
		if (m == NONE || (!forced && d2 <= eps2))
			continue;
		keep[m] = 1;
		st[sp++] = a, st[sp++] = m, st[sp++] = 0;
		st[sp++] = m, st[sp++] = b, st[sp++] = 0;
	}
}

/* Simplified rings from keep[]: s_idx lists kept raw vertices ring by ring,
 * s_next is each one's successor in its ring.  Returns true when every ring
 * kept its orientation; a ring that did not keeps all its vertices and the
 * caller rebuilds. */
static bool build_simplified(struct ctx *c)
{
	struct contour_ws *ws = c->ws;
	bool ok = true;
	uint32_t ns = 0;
	for (uint32_t q = 0; q < c->nrings; q++) {
		uint32_t rs = ws->ring_first[q], re = ws->ring_first[q + 1], s0 = ns;
		ws->s_ring_first[q] = ns;
		for (uint32_t k = rs; k < re; k++)
			if (ws->keep[k])
				ws->s_idx[ns++] = k;
		int64_t a2 = 0;
		for (uint32_t k = s0; k < ns; k++) {
			uint32_t k1 = k + 1 == ns ? s0 : k + 1;
			ws->s_next[k] = k1;
			uint32_t p = ws->s_idx[k], p1 = ws->s_idx[k1];
			a2 += (int64_t)ws->vx[p] * ws->vy[p1] - (int64_t)ws->vx[p1] * ws->vy[p];
		}
		if (ns - s0 < 3 || (a2 > 0) != (ws->ring_area2[q] > 0)) {
			memset(ws->keep + rs, 1, re - rs);
			ok = false;
		}
	}
	ws->s_ring_first[c->nrings] = ns;
	c->ns = ns;
	return ok;
}

static inline int64_t orient(int64_t ax, int64_t ay, int64_t bx, int64_t by, int64_t px, int64_t py)
{
	return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/* p on the segment a-b, given that the three are collinear. */
static inline bool on_seg(int64_t ax, int64_t ay, int64_t bx, int64_t by, int64_t px, int64_t py)
{
	return px >= (ax < bx ? ax : bx) && px <= (ax > bx ? ax : bx) && py >= (ay < by ? ay : by) &&
	       py <= (ay > by ? ay : by);
}

/* Do simplified segments s and t (starting at s_idx[s], s_idx[t]) cross,
 * touch, or — when consecutive — fold back onto each other? */
static bool seg_conflict(const struct ctx *c, uint32_t s, uint32_t t)
{
	const struct contour_ws *ws = c->ws;
	const int32_t *vx = ws->vx, *vy = ws->vy;
	if (ws->s_next[t] == s) {
		uint32_t tmp = s;
		s = t;
		t = tmp;
	}
	uint32_t a = ws->s_idx[s], b = ws->s_idx[ws->s_next[s]];
	uint32_t p = ws->s_idx[t], q = ws->s_idx[ws->s_next[t]];
	if (ws->s_next[s] == t) { /* a-b then b-q: only a fold-back conflicts */
		if (ws->s_next[t] == s)
			return false; /* a two-vertex ring; never built */
		return orient(vx[a], vy[a], vx[b], vy[b], vx[q], vy[q]) == 0 &&
		       (int64_t)(vx[b] - vx[a]) * (vx[q] - vx[b]) + (int64_t)(vy[b] - vy[a]) * (vy[q] - vy[b]) < 0;
	}
	int64_t d1 = orient(vx[p], vy[p], vx[q], vy[q], vx[a], vy[a]);
	int64_t d2 = orient(vx[p], vy[p], vx[q], vy[q], vx[b], vy[b]);
	int64_t d3 = orient(vx[a], vy[a], vx[b], vy[b], vx[p], vy[p]);
	int64_t d4 = orient(vx[a], vy[a], vx[b], vy[b], vx[q], vy[q]);
	if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
		return true;
	return (d1 == 0 && on_seg(vx[p], vy[p], vx[q], vy[q], vx[a], vy[a])) ||
	       (d2 == 0 && on_seg(vx[p], vy[p], vx[q], vy[q], vx[b], vy[b])) ||
	       (d3 == 0 && on_seg(vx[a], vy[a], vx[b], vy[b], vx[p], vy[p])) ||
	       (d4 == 0 && on_seg(vx[a], vy[a], vx[b], vy[b], vx[q], vy[q]));
}

static void seg_tiles(const struct ctx *c, uint32_t s, uint32_t *tx0, uint32_t *ty0, uint32_t *tx1,
		      uint32_t *ty1)
{
	const struct contour_ws *ws = c->ws;
	uint32_t a = ws->s_idx[s], b = ws->s_idx[ws->s_next[s]];
	int32_t x0 = ws->vx[a], x1 = ws->vx[b], y0 = ws->vy[a], y1 = ws->vy[b];
	*tx0 = (uint32_t)(x0 < x1 ? x0 : x1) / TILE_HALF;
	*tx1 = (uint32_t)(x0 > x1 ? x0 : x1) / TILE_HALF;
	*ty0 = (uint32_t)(y0 < y1 ? y0 : y1) / TILE_HALF;
	*ty1 = (uint32_t)(y0 > y1 ? y0 : y1) / TILE_HALF;
}

/* Mark in s_bad every simplified segment that conflicts with another one.
 * Segments are binned by bounding box into tiles; two segments that meet
 * share a tile.  Returns the number of marked segments, or -1 (no memory). */
static long find_conflicts(struct ctx *c)
{
	struct contour_ws *ws = c->ws;
	uint32_t ntx = (2 * c->w) / TILE_HALF + 1, nty = (2 * c->h) / TILE_HALF + 1;
	size_t nt = (size_t)ntx * nty;
	if (nt + 1 > ws->tile_cap) {
		size_t cap = next_cap(ws->tile_cap, nt + 1);
		void *q = resize(ws->tile_first, cap, sizeof *ws->tile_first);
		if (!q)
			return -1;
		ws->tile_first = q;
		ws->tile_cap = cap;
	}
	uint32_t *tf = ws->tile_first;
	memset(tf, 0, (nt + 1) * sizeof *tf);
	size_t items = 0;
	for (uint32_t s = 0; s < c->ns; s++) {
		uint32_t tx0, ty0, tx1, ty1;
		seg_tiles(c, s, &tx0, &ty0, &tx1, &ty1);
		for (uint32_t ty = ty0; ty <= ty1; ty++)
			for (uint32_t tx = tx0; tx <= tx1; tx++)
				tf[(size_t)ty * ntx + tx + 1]++;
		items += (size_t)(tx1 - tx0 + 1) * (ty1 - ty0 + 1);
		ws->s_bad[s] = 0;
	}
	if (items > ws->item_cap) {
		size_t cap = next_cap(ws->item_cap, items);
		void *q = resize(ws->tile_items, cap, sizeof *ws->tile_items);
		if (!q)
			return -1;
		ws->tile_items = q;
		ws->item_cap = cap;
	}
	for (size_t t = 0; t < nt; t++)
		tf[t + 1] += tf[t];
	/* fill: tf[t] serves as tile t's cursor */
	for (uint32_t s = 0; s < c->ns; s++) {
		uint32_t tx0, ty0, tx1, ty1;
		seg_tiles(c, s, &tx0, &ty0, &tx1, &ty1);
		for (uint32_t ty = ty0; ty <= ty1; ty++)
			for (uint32_t tx = tx0; tx <= tx1; tx++)
				ws->tile_items[tf[(size_t)ty * ntx + tx]++] = s;
	}
	/* the cursors now hold each tile's end: shift back to starts */
	for (size_t t = nt; t > 0; t--)
		tf[t] = tf[t - 1];
	tf[0] = 0;
	long bad = 0;
	for (size_t t = 0; t < nt; t++) {
		for (uint32_t i = tf[t]; i < tf[t + 1]; i++) {
			uint32_t s = ws->tile_items[i];
			for (uint32_t k = i + 1; k < tf[t + 1]; k++) {
				uint32_t u = ws->tile_items[k];
				if (seg_conflict(c, s, u)) {
					bad += !ws->s_bad[s] + !ws->s_bad[u];
					ws->s_bad[s] = ws->s_bad[u] = 1;
				}
			}
		}
	}
	return bad;
}

/* Simplify every ring, then give conflicting segments back their farthest
 * raw vertex until nothing conflicts. */
static enum yz_err simplify(struct ctx *c)
{
	struct contour_ws *ws = c->ws;
	double eps = 2.0 * c->p->simplify_cells; /* half-cell units */
	for (uint32_t q = 0; q < c->nrings; q++)
		dp_ring(c, q, eps * eps);
	if (eps <= 0) {
		build_simplified(c);
		return YZ_OK; /* raw rings: valid by construction */
	}
	for (int round = 0;; round++) {
		if (!build_simplified(c))
			continue; /* a ring got all its vertices back; rebuild */
		long bad = find_conflicts(c);
		if (bad < 0)
			return YZ_ENOMEM;
		if (bad == 0)
			return YZ_OK;
		if (round >= MAX_REFINE_ROUNDS) {
			memset(ws->keep, 1, c->nv);
			build_simplified(c);
			return YZ_OK;
		}
		for (uint32_t q = 0; q < c->nrings; q++) {
			uint32_t rs = ws->ring_first[q], re = ws->ring_first[q + 1];
			for (uint32_t s = ws->s_ring_first[q]; s < ws->s_ring_first[q + 1]; s++) {
				if (!ws->s_bad[s])
					continue;
				double d2;
				uint32_t m = farthest(c, rs, re, ws->s_idx[s], ws->s_idx[ws->s_next[s]], &d2);
				if (m != NONE)
					ws->keep[m] = 1;
			}
		}
	}
}

/* ---- output ---- */

static enum yz_err emit(struct ctx *c, struct contour_result *out)
{
	struct contour_ws *ws = c->ws;
	uint32_t *aux = ws->run_aux, npoly = 0;
	/* polygon indexes in order of first ring; key = 2 poly + hole */
	for (uint32_t q = 0; q < c->nrings; q++) {
		uint32_t root = ws->ring_root[q];
		if (aux[root] == NONE)
			aux[root] = npoly++;
		ws->out_key[q] = 2 * aux[root] + (ws->ring_area2[q] < 0);
	}
	/* counting sort by key; tile_first is free again and serves as counters */
	uint32_t nkeys = 2 * npoly;
	if ((size_t)nkeys + 1 > ws->tile_cap) {
		size_t cap = next_cap(ws->tile_cap, (size_t)nkeys + 1);
		RESIZE(ws->tile_first, cap);
		ws->tile_cap = cap;
	}
	uint32_t *cnt = ws->tile_first;
	memset(cnt, 0, ((size_t)nkeys + 1) * sizeof *cnt);
	for (uint32_t q = 0; q < c->nrings; q++)
		cnt[ws->out_key[q] + 1]++;
	for (uint32_t k = 0; k < nkeys; k++)
		cnt[k + 1] += cnt[k];
	for (uint32_t q = 0; q < c->nrings; q++)
		ws->out_order[cnt[ws->out_key[q]]++] = q;

	uint32_t pts = c->ns + c->nrings;
	enum yz_err e = result_reserve(out, c->nrings, pts);
	if (e)
		return e;
	struct geo_frame f;
	geo_frame_init(&f, c->p->lon0, c->p->lat0);
	double half = c->cell * 0.5, area2 = 0;
	uint32_t np = 0, outers = 0;
	for (uint32_t i = 0; i < c->nrings; i++) {
		uint32_t q = ws->out_order[i];
		uint32_t s0 = ws->s_ring_first[q], s1 = ws->s_ring_first[q + 1];
		out->ring_first[i] = np;
		out->ring_outer[i] = ws->ring_area2[q] > 0;
		outers += out->ring_outer[i];
		double a2 = 0;
		for (uint32_t s = s0; s <= s1; s++) {
			uint32_t v = ws->s_idx[s == s1 ? s0 : s]; /* closed: first point again */
			double x = c->x_org + ws->vx[v] * half, y = c->y_org + ws->vy[v] * half;
			out->lon[np] = f.lon0 + x / f.m_per_deg_lon;
			out->lat[np] = f.lat0 + y / f.m_per_deg_lat;
			np++;
			if (s < s1) {
				uint32_t v1 = ws->s_idx[ws->s_next[s]];
				a2 += (double)ws->vx[v] * ws->vy[v1] - (double)ws->vx[v1] * ws->vy[v];
			}
		}
		area2 += a2;
	}
	out->ring_first[c->nrings] = np;
	out->ring_count = c->nrings;
	out->polygon_count = outers;
	out->pt_count = np;
	out->area_m2 = area2 * 0.5 * half * half;
	return YZ_OK;
}

/* ---- the call ---- */

static enum yz_err check_params(const struct contour_params *p, struct yz_errbuf *eb)
{
	if (!(p->cell_m > 0 && p->cell_m < 1e5) || !(p->buffer_m >= 0 && p->buffer_m < 1e5) ||
	    !(p->close_m >= 0 && p->close_m < 1e5) || !(p->hole_min_m2 >= 0 && p->hole_min_m2 < 1e13) ||
	    !(p->simplify_cells >= 0 && p->simplify_cells <= 1) ||
	    !(p->min_area_m2 >= 0 && p->min_area_m2 < 1e13) || p->max_cells < 4096 || p->max_cells > (1u << 26) ||
	    !(fabs(p->lon0) <= 180 && fabs(p->lat0) <= 85))
		return yz_fail(eb, YZ_ERANGE, "contour: parameter out of range");
	return YZ_OK;
}

enum yz_err contour_build(struct contour_ws *ws, const struct contour_params *p,
			  const struct contour_piece *pieces, size_t n, struct contour_result *out,
			  struct yz_errbuf *eb)
{
	uint32_t levels = p->level_count;
	if (levels < 1 || levels > CONTOUR_MAX_LEVELS) /* out[] has no known size */
		return yz_fail(eb, YZ_ERANGE, "contour: %u limits (1..%d)", levels, CONTOUR_MAX_LEVELS);
	for (uint32_t l = 0; l < levels; l++)
		if (result_clear(&out[l]))
			return yz_fail(eb, YZ_ENOMEM, "contour: out of memory");
	enum yz_err e = check_params(p, eb);
	if (e)
		return e;
	if (n > UINT32_MAX)
		return yz_fail(eb, YZ_ELIMIT, "contour: %zu pieces", n);

	/* extent, and pieces counted per level */
	uint32_t level_first[CONTOUR_MAX_LEVELS + 1] = {0};
	double minx = HUGE_VAL, miny = HUGE_VAL, maxx = -HUGE_VAL, maxy = -HUGE_VAL;
	for (size_t k = 0; k < n; k++) {
		const struct contour_piece *pc = &pieces[k];
		/* plain comparisons: fmin and fabs are library calls in our flags,
		 * and this loop sees every piece; NaN fails the range test */
		float v[4] = {pc->x0, pc->y0, pc->x1, pc->y1};
		for (int i = 0; i < 4; i++)
			if (!(v[i] >= -CONTOUR_MAX_COORD_M && v[i] <= CONTOUR_MAX_COORD_M))
				return yz_fail(eb, YZ_ERANGE, "contour: piece %zu: coordinate out of range", k);
		if (pc->level >= levels)
			return yz_fail(eb, YZ_ERANGE, "contour: piece %zu: level %u of %u", k, pc->level, levels);
		level_first[pc->level + 1]++;
		for (int i = 0; i < 4; i += 2) {
			minx = v[i] < minx ? v[i] : minx;
			maxx = v[i] > maxx ? v[i] : maxx;
			miny = v[i + 1] < miny ? v[i + 1] : miny;
			maxy = v[i + 1] > maxy ? v[i + 1] : maxy;
		}
	}
	struct ctx c = {.ws = ws, .p = p};
	if (n == 0) {
		minx = miny = maxx = maxy = 0;
	}
	if ((e = choose_grid(&c, minx, miny, maxx, maxy)))
		return yz_fail(eb, e, "contour: no grid fits %u cells", p->max_cells);
	for (uint32_t l = 0; l < levels; l++) {
		out[l].cell_m = c.cell;
		out[l].buffer_m = c.buffer;
	}
	if (n == 0)
		return YZ_OK;

	/* pieces by level: a counting sort into ws->order */
	if (n > ws->order_cap) {
		size_t cap = next_cap(ws->order_cap, n);
		void *q = resize(ws->order, cap, sizeof *ws->order);
		if (!q)
			goto nomem;
		ws->order = q;
		ws->order_cap = cap;
	}
	for (uint32_t l = 0; l < levels; l++)
		level_first[l + 1] += level_first[l];
	{
		uint32_t cur[CONTOUR_MAX_LEVELS];
		memcpy(cur, level_first, sizeof cur);
		for (size_t k = 0; k < n; k++)
			ws->order[cur[pieces[k].level]++] = (uint32_t)k;
	}

	/* grids: raw, work, tmp, visited, then the morph window */
	uint32_t rmax = (uint32_t)sqrt(c.dil * c.dil + 1e-9); /* as morph rounds it */
	size_t win_words = (size_t)(2 * rmax + 1) * rmax * c.stride;
	if (need_grid(ws, c.words * 4 + win_words))
		goto nomem;
	c.raw = ws->grid;
	c.work = c.raw + c.words;
	c.tmp = c.work + c.words;
	c.vis = c.tmp + c.words;
	c.win = c.vis + c.words;
	memset(c.raw, 0, c.words * sizeof *c.raw);

	for (uint32_t l = 0; l < levels; l++) {
		for (uint32_t k = level_first[l]; k < level_first[l + 1]; k++)
			mark(&c, &pieces[ws->order[k]]);
		uint32_t m0, m1; /* rows marked so far */
		marked_span(&c, &m0, &m1);
		if (m0 > m1)
			continue; /* nothing reachable yet */
		/* rows that can be set: the marked ones and the dilation's reach;
		 * and one empty row more either side for the trace (all inside the
		 * grid's margins) */
		uint32_t reach = rmax + 2;
		c.j0 = m0 - reach;
		c.j1 = m1 + reach;
		if (c.ero > 0) {
			/* closing: dilate by buffer + close, erode by close */
			morph(&c, c.tmp, c.raw, c.dil, false, m0, m1, c.j0, c.j1);
			morph(&c, c.work, c.tmp, c.ero, true, c.j0, c.j1, c.j0, c.j1);
		} else {
			morph(&c, c.work, c.raw, c.dil, false, m0, m1, c.j0, c.j1);
		}
		if ((e = label_runs(&c)))
			goto fail;
		fill_holes(&c);
		if ((e = trace_all(&c)))
			goto fail;
		if ((e = simplify(&c)))
			goto fail;
		if ((e = emit(&c, &out[l])))
			goto fail;
	}
	return YZ_OK;
nomem:
	e = YZ_ENOMEM;
fail:
	for (uint32_t l = 0; l < levels; l++)
		(void)result_clear(&out[l]); /* ring_first exists already */
	return yz_fail(eb, e, "contour: %s", yz_strerror(e));
}

/* ---- GeoJSON ---- */

void contour_write_geojson(struct json *j, const struct contour_result *r)
{
	bool multi = r->polygon_count != 1;
	json_obj_begin(j);
	json_key(j, "type");
	json_str(j, multi ? "MultiPolygon" : "Polygon");
	json_key(j, "coordinates");
	json_arr_begin(j);
	bool open = false;
	for (uint32_t k = 0; k < r->ring_count; k++) {
		if (multi && r->ring_outer[k]) {
			if (open)
				json_arr_end(j);
			json_arr_begin(j);
			open = true;
		}
		json_arr_begin(j);
		for (uint32_t i = r->ring_first[k]; i < r->ring_first[k + 1]; i++)
			json_lonlat(j, r->lon[i], r->lat[i]);
		json_arr_end(j);
	}
	if (open)
		json_arr_end(j);
	json_arr_end(j);
	json_obj_end(j);
}
