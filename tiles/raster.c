/* raster.c — exact-area scanline coverage and premultiplied compositing.
 *
 * Accumulation (stb_truetype v2, font-rs): every edge, clipped to the canvas,
 * walks the rows it crosses; in each row it adds to the row's acc cells the
 * *derivative along x* of the signed area it puts to its right, so that the
 * running sum of a row's cells is, per pixel, the winding-weighted covered
 * area.  An edge's piece in a row writes two cells per pixel column it
 * crosses.  No edge list, no sorting, no active
 * edge table: the work is proportional to the cells the edges touch, and the
 * only memory is the workspace, (w + 2) × h cells rounded up to 16 per row
 * (288 KiB for a 256 px tile, 1 MiB for 512 px), allocated once per thread.
 *
 * Fixed point, as AGG and FreeType do: each clipped edge's ends are
 * rounded to a 1/512-pixel grid, and from there everything is integer —
 * where an edge crosses a row or column boundary (one division each, from
 * the edge's own start), and each cell's area, in 1/2^19 pixel.  So a
 * row's pieces add up to exactly 0 after its last cell, the sums are
 * associative (the sweep adds 4 cells at a time, SSE2) and the same
 * whatever the block grid, and a path moved by whole pixels moves its
 * cells exactly.  The price is the grid: an edge sits within 1/1024 px of
 * where it was asked to, a fraction of a coverage level.
 *
 * Invariants between fills: acc and blk are all zero, y_lo >= y_hi.  A
 * fill marks each row's written 16-cell blocks; the sweep sums only written
 * blocks (re-zeroing them), gives each run of unwritten blocks the running
 * coverage in one go (empty runs are then skipped, full opaque ones filled),
 * so a path costs what it touches.  Right of a row's last nonzero cell the running sum
 * is exactly 0 again (a closed ring crosses each row up as often as down),
 * so nothing there is read or painted.
 *
 * Compositing is integer, 4 pixels at a time with SSE2 (a scalar path with
 * the same arithmetic elsewhere, or with RAST_SCALAR defined), a written
 * block's 16 pixels all composited, uncovered ones unchanged: coverage
 * quantised to m in 0..255; an opaque colour (a map's roads, most fills) is
 * mixed in one rounding, out = (m·src + (255 − m)·dst)/255 per channel; a
 * translucent one as the premultiplied source at full coverage scaled by
 * m/255, alpha included, then out = src + dst·(255 − src alpha)/255, each
 * step rounded once (exact division by 255). */
#include "raster.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(RAST_SCALAR)
#include <emmintrin.h>
#endif

/* ---- workspace ---- */

/* Cell values are areas in units of 1/COV_ONE pixel: integers, so a row's
 * running sum is exact, associative (summed 4 cells at a time) and the same
 * whatever the block grid. */
#define SUB_SHIFT 9
#define SUB (1 << SUB_SHIFT)              /* subpixel steps per pixel */
#define COV_SHIFT (2 * SUB_SHIFT + 1)
#define COV_ONE (1 << COV_SHIFT)          /* a pixel's full area: 2·SUB·SUB */
#define BLOCK 16u /* cells per block: the unit the sweep skips or sums */

/* Cells per acc row: w + 2, rounded up to whole blocks. */
static unsigned acc_stride(unsigned w)
{
	return (w + 2 + BLOCK - 1) / BLOCK * BLOCK;
}

enum yz_err rast_init(struct rast *r, unsigned w, unsigned h)
{
	memset(r, 0, sizeof *r);
	if (w == 0 || h == 0 || w > RAST_MAX_DIM || h > RAST_MAX_DIM)
		return YZ_ERANGE;
	size_t cells = (size_t)acc_stride(w) * h;
	r->acc = aligned_alloc(64, cells * sizeof *r->acc);
	if (r->acc)
		memset(r->acc, 0, cells * sizeof *r->acc);
	r->blk_words = (acc_stride(w) / BLOCK + 63) / 64;
	r->blk = calloc((size_t)h * r->blk_words, sizeof *r->blk);
	if (!r->acc || !r->blk) {
		rast_fini(r);
		return YZ_ENOMEM;
	}
	r->w = w;
	r->h = h;
	return YZ_OK;
}

void rast_fini(struct rast *r)
{
	free(r->acc);
	free(r->blk);
	memset(r, 0, sizeof *r);
}

/* ---- accumulation ---- */

/* Marks the blocks holding cells [c0, c1] of row y as written. */
static inline void mark(struct rast *r, unsigned y, uint32_t c0, uint32_t c1)
{
	uint64_t *bits = r->blk + (size_t)y * r->blk_words;
	uint32_t b = c0 / BLOCK, be = c1 / BLOCK;
	if (b >> 6 == be >> 6) {
		bits[b >> 6] |= (~(uint64_t)0 >> (63 - (be - b))) << (b & 63);
		return;
	}
	for (; b <= be; b++)
		bits[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* A piece within one pixel column i of row `row` (cells of that row): x
 * from xa to xb (subpixels, both in [i·SUB, (i+1)·SUB]) over a height h
 * (subpixels, signed: + going down).  The area right of the line is
 * h·(2·SUB − fa − fb)/2 of column i, fa and fb the ends' offsets into it;
 * the rest of h·2·SUB goes to the cell after, so the row's sum steps by the
 * piece's full height there. */
static inline void add_cell_piece(uint32_t *row, int32_t i, int32_t xa, int32_t xb, int32_t h)
{
	int32_t f = xa + xb - 2 * i * SUB;
	row[i] += (uint32_t)(h * (2 * SUB - f));
	row[i + 1] += (uint32_t)(h * f);
}

/* One row's piece of an edge: x from xa (at the piece's top) to xb, height
 * h ≠ 0 (signed), all in subpixels, xa and xb in [0, cw·SUB].  Cut at
 * every column boundary it crosses, at the height where it crosses it
 * (rounded; the parts' heights add up to h exactly). */
static inline void add_row(struct rast *r, unsigned y, int32_t xa, int32_t xb, int32_t h)
{
	uint32_t *row = r->acc + (size_t)y * acc_stride(r->w);
	int32_t ia = xa >> SUB_SHIFT, ib = xb >> SUB_SHIFT;
	/* an end exactly on a column's right boundary belongs to that column */
	if (xa == ia * SUB && xb < xa)
		ia--;
	if (xb == ib * SUB && xa < xb)
		ib--;
	if (ia == ib || xa == xb) {
		int32_t i = ia < ib ? ia : ib;
		if (i < 0)
			i = 0;
		add_cell_piece(row, i, xa, xb, h);
		mark(r, y, (uint32_t)i, (uint32_t)i + 1);
		return;
	}
	/* across columns: from column ia towards ib, cutting at each boundary */
	/* 32-bit: |bx − xa| ≤ RAST_MAX_DIM·SUB = 2^21 and |h| ≤ SUB = 2^9 */
	int32_t dx = xb - xa;
	int32_t step = xb > xa ? 1 : -1, x = xa, hdone = 0;
	for (int32_t i = ia; i != ib; i += step) {
		int32_t bx = (step > 0 ? i + 1 : i) * SUB; /* the boundary it leaves through */
		int32_t hh = (bx - xa) * h / dx - hdone;
		add_cell_piece(row, i, x, bx, hh);
		hdone += hh;
		x = bx;
	}
	add_cell_piece(row, ib, x, xb, h - hdone);
	mark(r, y, (uint32_t)(ia < ib ? ia : ib), (uint32_t)(ia < ib ? ib : ia) + 1);
}

/* A segment inside the canvas, in subpixels: x in [0, cw·SUB], y in
 * [0, ch·SUB], any direction.  Row by row; the x where it crosses a row
 * boundary comes from one division per boundary, relative to the
 * segment's own start (so whole-pixel shifts shift it exactly). */
static void add_segment(struct rast *r, int32_t x0, int32_t y0, int32_t x1, int32_t y1)
{
	if (y0 == y1)
		return; /* horizontal: no winding, no area */
	int32_t dir = 1;
	if (y0 > y1) {
		int32_t t = x0; x0 = x1; x1 = t;
		t = y0; y0 = y1; y1 = t;
		dir = -1;
	}
	unsigned ry0 = (unsigned)y0 >> SUB_SHIFT, ry1 = (unsigned)(y1 - 1) >> SUB_SHIFT;
	if (ry0 < r->y_lo)
		r->y_lo = ry0;
	if (ry1 + 1 > r->y_hi)
		r->y_hi = ry1 + 1;
	if (ry0 == ry1) {
		add_row(r, ry0, x0, x1, (y1 - y0) * dir);
		return;
	}
	int64_t dx = x1 - x0, dy = y1 - y0;
	int32_t xt = x0, top = y0;
	for (unsigned ry = ry0; ry <= ry1; ry++) {
		int32_t bot = ry == ry1 ? y1 : (int32_t)(ry + 1) * SUB;
		int32_t xb = ry == ry1 ? x1 : x0 + (int32_t)((int64_t)(bot - y0) * dx / dy);
		add_row(r, ry, xt, xb, (bot - top) * dir);
		xt = xb;
		top = bot;
	}
}

/* A canvas coordinate (>= 0, clipped) in subpixels, rounded: exact for
 * every float, so whole-pixel shifts stay exact. */
static inline int32_t to_sub(double v)
{
	return (int32_t)(v * SUB + 0.5);
}

/* One edge of a ring, in path coordinates: clipped to rows [0, ch], then
 * split at x = 0 and x = cw.  Parts left of the canvas move onto x = 0
 * (they still change the winding of everything to their right); parts right
 * of it move onto x = cw: they change no visible pixel, but keep the row's
 * running sum returning to 0 right after its last written cell, which is
 * what lets the sweep stop there. */
static void add_edge(struct rast *r, unsigned cw, unsigned ch, float fx0, float fy0, float fx1, float fy1)
{
	float fw = (float)cw, fh = (float)ch;
	if (fx0 >= 0 && fx0 <= fw && fx1 >= 0 && fx1 <= fw && fy0 >= 0 && fy0 <= fh && fy1 >= 0 &&
	    fy1 <= fh) {
		/* inside the canvas (most edges; NaN fails the tests): no clip */
		add_segment(r, to_sub(fx0), to_sub(fy0), to_sub(fx1), to_sub(fy1));
		return;
	}
	if (!isfinite(fx0) || !isfinite(fy0) || !isfinite(fx1) || !isfinite(fy1))
		return;
	double x0 = fx0, y0 = fy0, x1 = fx1, y1 = fy1, W = cw, H = ch;
	if (y0 == y1 || (y0 <= 0 && y1 <= 0) || (y0 >= H && y1 >= H))
		return;
	/* Clip in y, each end computed from the original ends. */
	double dx = x1 - x0, dy = y1 - y0;
	double ax = x0, ay = y0, bx = x1, by = y1;
	if (y0 < 0 || y0 > H) {
		ay = y0 < 0 ? 0 : H;
		ax = x0 + (ay - y0) / dy * dx;
	}
	if (y1 < 0 || y1 > H) {
		by = y1 < 0 ? 0 : H;
		bx = x0 + (by - y0) / dy * dx;
	}
	if (ax >= 0 && bx >= 0 && ax <= W && bx <= W) {
		add_segment(r, to_sub(ax), to_sub(ay), to_sub(bx), to_sub(by));
		return;
	}
	/* Split at the canvas's left and right borders.  Parameters along
	 * a → b; the pieces between consecutive splits are classified by
	 * their middle. */
	double t[4], ex = bx - ax, ey = by - ay;
	int n = 0;
	t[n++] = 0;
	if (ex != 0) {
		double ta = (0 - ax) / ex, tb = (W - ax) / ex;
		if (ta > tb) {
			double s = ta; ta = tb; tb = s;
		}
		if (ta > 0 && ta < 1)
			t[n++] = ta;
		if (tb > 0 && tb < 1)
			t[n++] = tb;
	}
	t[n++] = 1;
	for (int i = 0; i + 1 < n; i++) {
		double pya = i == 0 ? ay : ay + t[i] * ey;
		double pyb = i + 2 == n ? by : ay + t[i + 1] * ey;
		double pxa = i == 0 ? ax : ax + t[i] * ex;
		double pxb = i + 2 == n ? bx : ax + t[i + 1] * ex;
		double mid = ax + 0.5 * (t[i] + t[i + 1]) * ex;
		if (mid <= 0) {
			pxa = pxb = 0;
		} else if (mid >= W) {
			pxa = pxb = W;
		} else {
			pxa = pxa < 0 ? 0 : pxa > W ? W : pxa;
			pxb = pxb < 0 ? 0 : pxb > W ? W : pxb;
		}
		pya = pya < 0 ? 0 : pya > H ? H : pya;
		pyb = pyb < 0 ? 0 : pyb > H ? H : pyb;
		add_segment(r, to_sub(pxa), to_sub(pya), to_sub(pxb), to_sub(pyb));
	}
}

/* Accumulates every ring of p, clipped to cw × ch (<= the workspace). */
static void accumulate(struct rast *r, const struct path *p, unsigned cw, unsigned ch)
{
	r->y_lo = ch;
	r->y_hi = 0;
	if (p->failed)
		return;
	for (uint32_t ring = 0; ring < p->ring_count; ring++) {
		uint32_t a = p->ring_first[ring], b = p->ring_first[ring + 1];
		if (b - a < 3)
			continue;
		const float *xy = p->xy;
		float px = xy[2 * (b - 1)], py = xy[2 * (b - 1) + 1];
		for (uint32_t i = a; i < b; i++) {
			float qx = xy[2 * i], qy = xy[2 * i + 1];
			add_edge(r, cw, ch, px, py, qx, qy);
			px = qx;
			py = qy;
		}
	}
}

/* ---- sweep ---- */

/* A running sum (winding-weighted area, COV_ONE per pixel) → coverage in
 * 0..COV_ONE by rule: nonzero clamps |sum|, even-odd folds it with period
 * 2·COV_ONE (a power of two: a mask).  Unsigned negation: no overflow. */
static inline uint32_t rule_cov(uint32_t sum, enum rast_rule rule)
{
	uint32_t a = (int32_t)sum < 0 ? 0u - sum : sum;
	if (rule == RAST_NONZERO)
		return a < COV_ONE ? a : COV_ONE;
	a &= 2 * COV_ONE - 1;
	return a <= COV_ONE ? a : 2 * COV_ONE - a;
}

/* Coverage 0..COV_ONE → 0..255, round to nearest. */
static inline unsigned quantise(uint32_t cov)
{
	return (cov * 255 + COV_ONE / 2) >> COV_SHIFT;
}

/* The blocks of row y a fill wrote: [*b0, *b1] (those between may be
 * unwritten); right of them the running sum is exactly 0 (a closed ring
 * crosses each row up as often as down).  0 if the row holds nothing. */
static int row_span(const struct rast *r, unsigned y, unsigned *b0, unsigned *b1)
{
	const uint64_t *bits = r->blk + (size_t)y * r->blk_words;
	unsigned wa = 0, wb = r->blk_words;
	while (wa < wb && !bits[wa])
		wa++;
	if (wa == wb)
		return 0;
	while (!bits[wb - 1])
		wb--;
	*b0 = 64 * wa + (unsigned)__builtin_ctzll(bits[wa]);
	*b1 = 64 * (wb - 1) + 63 - (unsigned)__builtin_clzll(bits[wb - 1]);
	return 1;
}

static inline int block_written(const struct rast *r, unsigned y, unsigned b)
{
	return r->blk[(size_t)y * r->blk_words + (b >> 6)] >> (b & 63) & 1;
}

/* The first written block of row y at or after b (one must be). */
static inline unsigned next_written(const struct rast *r, unsigned y, unsigned b)
{
	const uint64_t *bits = r->blk + (size_t)y * r->blk_words;
	unsigned wi = b >> 6;
	uint64_t v = bits[wi] & (~(uint64_t)0 << (b & 63));
	while (!v)
		v = bits[++wi];
	return 64 * wi + (unsigned)__builtin_ctzll(v);
}

#if defined(__SSE2__) && !defined(RAST_SCALAR)
/* sweep_block on cells [0, 4): their running sums from *carry (left with
 * the last), zeroed, as coverage 0..255 in 32-bit lanes */
static inline __attribute__((always_inline)) __m128i sweep4(uint32_t *cell, __m128i *carry,
							     enum rast_rule rule, __m128i zero)
{
	__m128i v = _mm_load_si128((const __m128i *)cell);
	_mm_store_si128((__m128i *)cell, zero);
	v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
	v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
	v = _mm_add_epi32(v, *carry);
	*carry = _mm_shuffle_epi32(v, _MM_SHUFFLE(3, 3, 3, 3));
	/* |v| (two's complement, wrapping like the scalar path) */
	__m128i sg = _mm_srai_epi32(v, 31);
	__m128i a = _mm_sub_epi32(_mm_xor_si128(v, sg), sg);
	__m128i one = _mm_set1_epi32(COV_ONE);
	if (rule == RAST_NONZERO) {
		/* min(a, ONE) as unsigned: a > ONE or a "negative" (2^31) */
		__m128i big = _mm_or_si128(_mm_cmpgt_epi32(a, one), _mm_srai_epi32(a, 31));
		a = _mm_or_si128(_mm_and_si128(big, one), _mm_andnot_si128(big, a));
	} else {
		a = _mm_and_si128(a, _mm_set1_epi32(2 * COV_ONE - 1));
		__m128i over = _mm_cmpgt_epi32(a, one);
		__m128i fold = _mm_sub_epi32(_mm_set1_epi32(2 * COV_ONE), a);
		a = _mm_or_si128(_mm_and_si128(over, fold), _mm_andnot_si128(over, a));
	}
	/* (a·255 + ONE/2) >> COV_SHIFT, a·255 as a·256 − a */
	a = _mm_sub_epi32(_mm_slli_epi32(a, 8), a);
	return _mm_srli_epi32(_mm_add_epi32(a, _mm_set1_epi32(COV_ONE / 2)), COV_SHIFT);
}
#endif

/* Sums block b of a row into per-pixel coverage quantised to 0..255 at
 * m[0..16), carrying the running sum through *sum, and zeroes its cells. */
static inline void sweep_block(uint32_t *cell, uint32_t *sum, enum rast_rule rule, uint8_t *m)
{
#if defined(__SSE2__) && !defined(RAST_SCALAR)
	__m128i carry = _mm_set1_epi32((int32_t)*sum), zero = _mm_setzero_si128();
	__m128i c0 = sweep4(cell, &carry, rule, zero);
	__m128i c1 = sweep4(cell + 4, &carry, rule, zero);
	__m128i c2 = sweep4(cell + 8, &carry, rule, zero);
	__m128i c3 = sweep4(cell + 12, &carry, rule, zero);
	*sum = (uint32_t)_mm_cvtsi128_si32(carry);
	__m128i lo = _mm_packs_epi32(c0, c1), hi = _mm_packs_epi32(c2, c3);
	_mm_storeu_si128((__m128i *)m, _mm_packus_epi16(lo, hi));
#else
	uint32_t s = *sum;
	for (unsigned i = 0; i < BLOCK; i++) {
		s += cell[i];
		cell[i] = 0;
		m[i] = (uint8_t)quantise(rule_cov(s, rule));
	}
	*sum = s;
#endif
}

void rast_fill_coverage(struct rast *r, const struct path *p, enum rast_rule rule,
			float *cov, size_t cov_stride)
{
	accumulate(r, p, r->w, r->h);
	for (unsigned y = 0; y < r->h; y++) {
		float *out = cov + y * cov_stride;
		memset(out, 0, r->w * sizeof *out);
		unsigned b0, b1;
		if (y < r->y_lo || y >= r->y_hi || !row_span(r, y, &b0, &b1))
			continue;
		uint32_t *row = r->acc + (size_t)y * acc_stride(r->w), sum = 0;
		unsigned x1 = r->w;
		for (unsigned x = BLOCK * b0; x < BLOCK * (b1 + 1); x++) {
			sum += row[x];
			row[x] = 0;
			if (x < x1)
				out[x] = (float)rule_cov(sum, rule) / COV_ONE;
		}
		memset(r->blk + (size_t)y * r->blk_words, 0, r->blk_words * sizeof *r->blk);
	}
	r->y_lo = r->y_hi = 0;
}

/* ---- compositing ---- */

/* Exact round(x / 255) for x in [0, 255 * 255 + 255]. */
static inline unsigned div255(unsigned x)
{
	x += 128;
	return (x + (x >> 8)) >> 8;
}

/* Source-over of premultiplied colour `full` at coverage m (0..255) onto
 * one pixel: source s = m·full/255 per channel (alpha included), then
 * out = s + dst·(255 − s_alpha)/255, each rounded once.  m = 0 leaves the
 * pixel as it is; m = 255 of an opaque colour writes exactly the colour. */
static inline void blend_px(uint8_t *px, unsigned m, const uint8_t *full)
{
	if (full[3] == 255) {
		/* opaque: source alpha m, so one rounding for the mix of the two */
		for (int k = 0; k < 4; k++)
			px[k] = (uint8_t)div255(m * full[k] + (255 - m) * px[k]);
		return;
	}
	unsigned sa = div255(m * full[3]), keep = 255 - sa;
	for (int k = 0; k < 3; k++)
		px[k] = (uint8_t)(div255(m * full[k]) + div255(px[k] * keep));
	px[3] = (uint8_t)(sa + div255(px[3] * keep));
}

#if defined(__SSE2__) && !defined(RAST_SCALAR)
/* div255 in each 16-bit lane, x <= 255·255 */
static inline __m128i div255_epi16(__m128i x)
{
	x = _mm_add_epi16(x, _mm_set1_epi16(128));
	return _mm_srli_epi16(_mm_add_epi16(x, _mm_srli_epi16(x, 8)), 8);
}

/* blend_px on 2 pixels widened to 16 bits: d the destination, m each
 * pixel's m in all four of its lanes */
static inline __m128i blend2(__m128i d, __m128i m, __m128i full16, int opaque)
{
	if (opaque) {
		__m128i keep = _mm_sub_epi16(_mm_set1_epi16(255), m);
		return div255_epi16(_mm_add_epi16(_mm_mullo_epi16(m, full16), _mm_mullo_epi16(keep, d)));
	}
	__m128i src = div255_epi16(_mm_mullo_epi16(m, full16));
	__m128i sa = _mm_shufflehi_epi16(_mm_shufflelo_epi16(src, _MM_SHUFFLE(3, 3, 3, 3)),
					 _MM_SHUFFLE(3, 3, 3, 3));
	__m128i keep = _mm_sub_epi16(_mm_set1_epi16(255), sa);
	return _mm_add_epi16(src, div255_epi16(_mm_mullo_epi16(d, keep)));
}

/* blend_px on 4 pixels: m4 holds each pixel's m in all four of its bytes */
static inline __m128i blend4(__m128i dst, __m128i m4, __m128i full16, int opaque)
{
	__m128i zero = _mm_setzero_si128();
	__m128i lo = blend2(_mm_unpacklo_epi8(dst, zero), _mm_unpacklo_epi8(m4, zero), full16, opaque);
	__m128i hi = blend2(_mm_unpackhi_epi8(dst, zero), _mm_unpackhi_epi8(m4, zero), full16, opaque);
	return _mm_packus_epi16(lo, hi);
}
#endif

/* Composites BLOCK pixels at px with per-pixel coverage m[0..BLOCK). */
static inline __attribute__((always_inline)) void blend_block(uint8_t *px, const uint8_t *m, const uint8_t *full)
{
#if defined(__SSE2__) && !defined(RAST_SCALAR)
	__m128i full16 = _mm_setr_epi16(full[0], full[1], full[2], full[3], full[0], full[1], full[2],
					full[3]);
	__m128i mm = _mm_loadu_si128((const __m128i *)m);
	__m128i mlo = _mm_unpacklo_epi8(mm, mm), mhi = _mm_unpackhi_epi8(mm, mm);
	int opaque = full[3] == 255;
	/* all 16 pixels, covered or not (m = 0 gives back the pixel exactly):
	 * a test per 4 pixels, unpredictable along a thin line, cost more */
	__m128i *p = (__m128i *)px;
	_mm_storeu_si128(p, blend4(_mm_loadu_si128(p), _mm_unpacklo_epi8(mlo, mlo), full16, opaque));
	_mm_storeu_si128(p + 1, blend4(_mm_loadu_si128(p + 1), _mm_unpackhi_epi8(mlo, mlo), full16, opaque));
	_mm_storeu_si128(p + 2, blend4(_mm_loadu_si128(p + 2), _mm_unpacklo_epi8(mhi, mhi), full16, opaque));
	_mm_storeu_si128(p + 3, blend4(_mm_loadu_si128(p + 3), _mm_unpackhi_epi8(mhi, mhi), full16, opaque));
#else
	for (unsigned x = 0; x < BLOCK; x++)
		blend_px(px + 4 * x, m[x], full);
#endif
}

/* n pixels at px set to the colour full (the inside of an opaque shape):
 * 4 at a store where SSE2 is. */
static void fill_px(uint8_t *px, const uint8_t *full, unsigned n)
{
	unsigned x = 0;
#if defined(__SSE2__) && !defined(RAST_SCALAR)
	uint32_t v;
	memcpy(&v, full, 4);
	__m128i v4 = _mm_set1_epi32((int32_t)v);
	for (; x + 4 <= n; x += 4)
		_mm_storeu_si128((__m128i *)(px + 4 * x), v4);
#endif
	for (; x < n; x++)
		memcpy(px + 4 * x, full, 4);
}

void rast_fill(struct rast *r, const struct path *p, enum rast_rule rule,
	       struct rast_color c, struct rast_canvas *dst)
{
	assert(dst->w <= r->w && dst->h <= r->h);
	if (c.a == 0 || p->failed)
		return;
	unsigned cw = dst->w, ch = dst->h;
	accumulate(r, p, cw, ch);
	const uint8_t full[4] = {(uint8_t)div255((unsigned)c.r * c.a), (uint8_t)div255((unsigned)c.g * c.a),
				 (uint8_t)div255((unsigned)c.b * c.a), c.a};
	uint8_t m[BLOCK], mu[BLOCK];

	for (unsigned y = r->y_lo; y < r->y_hi; y++) {
		unsigned b0, b1;
		if (!row_span(r, y, &b0, &b1))
			continue;
		uint32_t *cells = r->acc + (size_t)y * acc_stride(r->w), sum = 0;
		uint8_t *row = dst->px + (size_t)y * dst->stride;
		unsigned x1 = BLOCK * (b1 + 1) < cw ? BLOCK * (b1 + 1) : cw;
		if (BLOCK * b0 < x1)
			rast_canvas_settle(dst); /* pixels to paint, maybe: the clear first */
		for (unsigned b = b0; b <= b1;) {
			/* blocks in the canvas go 4 pixels at a time; one
			 * across its right edge (a width not a multiple of 16)
			 * pixel by pixel, up to the edge */
			unsigned xa = BLOCK * b;
			if (block_written(r, y, b)) {
				unsigned xb = xa + BLOCK < x1 ? xa + BLOCK : x1;
				sweep_block(cells + xa, &sum, rule, m);
				if (xa + BLOCK <= cw) {
					blend_block(row + 4 * xa, m, full);
				} else {
					for (unsigned x = xa; x < xb; x++)
						blend_px(row + 4 * x, m[x - xa], full);
				}
				b++;
				continue;
			}
			/* a run of unwritten blocks, up to the next written one
			 * (b1 is): one coverage throughout */
			unsigned e = next_written(r, y, b);
			unsigned mc = quantise(rule_cov(sum, rule));
			b = e;
			unsigned xb = BLOCK * e < x1 ? BLOCK * e : x1;
			if (mc == 0 || xa >= xb)
				continue;
			if (mc == 255 && c.a == 255) {
				fill_px(row + 4 * xa, full, xb - xa);
				continue;
			}
			memset(mu, (int)mc, BLOCK);
			for (; xa + BLOCK <= xb; xa += BLOCK)
				blend_block(row + 4 * xa, mu, full);
			for (unsigned x = xa; x < xb; x++)
				blend_px(row + 4 * x, mc, full);
		}
		memset(r->blk + (size_t)y * r->blk_words, 0, r->blk_words * sizeof *r->blk);
	}
	r->y_lo = r->y_hi = 0;
}

/* ---- canvas ---- */

enum yz_err rast_canvas_init(struct rast_canvas *c, unsigned w, unsigned h)
{
	memset(c, 0, sizeof *c);
	if (w == 0 || h == 0 || w > RAST_MAX_DIM || h > RAST_MAX_DIM)
		return YZ_ERANGE;
	c->px = calloc((size_t)w * h, 4);
	if (!c->px)
		return YZ_ENOMEM;
	c->w = w;
	c->h = h;
	c->stride = 4 * w;
	return YZ_OK;
}

void rast_canvas_fini(struct rast_canvas *c)
{
	free(c->px);
	memset(c, 0, sizeof *c);
}

/* Every pixel of c to the premultiplied v. */
static void clear_px(struct rast_canvas *c, const uint8_t *v)
{
	size_t row_bytes = 4 * (size_t)c->w;
	if (!v[0] && !v[1] && !v[2] && !v[3]) {
		for (unsigned y = 0; y < c->h; y++)
			memset(c->px + (size_t)y * c->stride, 0, row_bytes);
		return;
	}
	/* the first row pixel by pixel, the others copied from it */
	for (unsigned x = 0; x < c->w; x++)
		memcpy(c->px + 4 * x, v, 4);
	for (unsigned y = 1; y < c->h; y++)
		memcpy(c->px + (size_t)y * c->stride, c->px, row_bytes);
}

void rast_canvas_clear(struct rast_canvas *c, struct rast_color col)
{
	rast_canvas_clear_later(c, col);
	rast_canvas_settle(c);
}

void rast_canvas_clear_later(struct rast_canvas *c, struct rast_color col)
{
	c->later_px[0] = (uint8_t)div255((unsigned)col.r * col.a);
	c->later_px[1] = (uint8_t)div255((unsigned)col.g * col.a);
	c->later_px[2] = (uint8_t)div255((unsigned)col.b * col.a);
	c->later_px[3] = col.a;
	c->later = 1;
}

void rast_canvas_settle(struct rast_canvas *c)
{
	if (!c->later)
		return;
	clear_px(c, c->later_px);
	c->later = 0;
}

void rast_unpremultiply_row(const uint8_t *src, uint8_t *dst, unsigned n)
{
	for (unsigned i = 0; i < n; i++, src += 4, dst += 4) {
		unsigned a = src[3];
		if (a == 255) {
			memmove(dst, src, 4);
			continue;
		}
		if (a == 0) {
			memset(dst, 0, 4);
			continue;
		}
		for (int k = 0; k < 3; k++) {
			unsigned v = (src[k] * 255u + a / 2) / a;
			dst[k] = (uint8_t)(v > 255 ? 255 : v);
		}
		dst[3] = (uint8_t)a;
	}
}
