/* raster.c — exact-area scanline coverage and premultiplied compositing.
 *
 * Accumulation (stb_truetype v2, font-rs): every edge, clipped to the canvas,
 * walks the rows it crosses; in each row it adds to the row's acc cells the
 * *derivative along x* of the signed area it puts to its right, so that the
 * running sum of a row's cells is, per pixel, the winding-weighted covered
 * area.  An edge crossing a row within one pixel column writes two cells,
 * one spanning k columns writes k + 1.  No edge list, no sorting, no active
 * edge table: the work is proportional to the cells the edges touch, and the
 * only memory is the workspace, (w + 2) × h cells rounded up to 16 per row
 * (288 KiB for a 256 px tile, 1 MiB for 512 px), allocated once per thread.
 *
 * Cells are integers, areas in 1/65536 pixel: each piece's area is worked
 * out in double and its cells get the differences of its rounded cumulative
 * covers, so they add up to the piece's rounded area exactly.  Integer sums
 * are associative, so the sweep adds 4 cells at a time (SSE2) and still gets
 * the same result wherever a block starts.
 *
 * Invariants between fills: acc and blk are all zero, y_lo >= y_hi.  A
 * fill marks each row's written 16-cell blocks; the sweep sums only written
 * blocks (re-zeroing them), gives unwritten blocks the running coverage in
 * one go (empty ones are then skipped, full opaque ones filled), so a path
 * costs what it touches.  Right of a row's last nonzero cell the running sum
 * is 0 again but for rounding (a closed ring crosses each row up as often as
 * down), so nothing there is read or painted.
 *
 * Exact whole-pixel shifts: each edge is carried into a local frame whose
 * origin is the integer pixel corner below its minimum, so a path moved by
 * whole pixels (with exactly representable coordinates) produces bitwise the
 * same cell values, shifted.
 *
 * Compositing is integer, 4 pixels at a time with SSE2 (a scalar path with
 * the same arithmetic elsewhere, or with RAST_SCALAR defined): coverage
 * quantised to m in 0..255, the premultiplied source at full coverage scaled
 * by m/255 per channel, alpha included, then out = src + dst·(255 − src
 * alpha)/255, each step rounded once (exact division by 255). */
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
#define COV_ONE 65536
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

/* round(v) for |v| < 2^20, by truncation of a positive number (no libm
 * call, no dependence on the rounding mode). */
static inline int32_t round_cell(double v)
{
	return (int32_t)(v + 1048576.5) - 1048576;
}

/* Adds one row's piece of an edge.  In the edge's local frame (origin ox on
 * the row's cells): the piece spans x in [xa, xb] (either order, both >= 0)
 * and covers a height d (signed by direction: +dy going down).  Cell values
 * are the piece's area right of the line, per column, differenced along x;
 * see the file comment.  ox + ceil(max(xa, xb)) + 1 <= w + 1 by clipping. */
static inline __attribute__((always_inline)) void add_row(struct rast *r, unsigned y, unsigned ox, double xa, double xb, double d)
{
	/* unsigned: a path piling up 2^15 windings in one cell wraps, no UB */
	uint32_t *row = r->acc + (size_t)y * acc_stride(r->w) + ox;
	double lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
	/* floor and ceil by truncation (both are >= 0): much cheaper than
	 * floor() and ceil() without SSE4.1's rounding instruction */
	unsigned i0 = (unsigned)lo, i1 = (unsigned)hi, last;
	i1 += hi > (double)i1;
	double flo = (double)i0, chi = (double)i1;
	/* The piece adds D in all; the cells get the differences of rounded
	 * cumulative covers, so they add up to exactly D. */
	double dd = d * COV_ONE;
	int32_t D = round_cell(dd);

	if (i1 <= i0 + 1) {
		/* Within one column: the trapezoid's area right of the line is
		 * 1 − (mean x within the column). */
		double xm = 0.5 * (xa + xb) - flo;
		int32_t a = round_cell(dd * (1.0 - xm));
		row[i0] += (uint32_t)a;
		row[i0 + 1] += (uint32_t)(D - a);
		last = i0 + 1;
	} else {
		/* Across columns i0 .. i1−1: a triangle in the first, a band
		 * of slope s per full column, and 1 − (triangle) in the last. */
		double s = 1.0 / (hi - lo);
		double f0 = 1.0 - (lo - flo);           /* width used in column i0 */
		double f1 = hi - (chi - 1.0);           /* width used in column i1−1 */
		int32_t c0 = round_cell(dd * (0.5 * s * f0 * f0));      /* cover of column i0 */
		int32_t cl = D - round_cell(dd * (0.5 * s * f1 * f1)); /* cover of column i1−1 */
		row[i0] += (uint32_t)c0;
		if (i1 == i0 + 2) {
			row[i0 + 1] += (uint32_t)(cl - c0);
		} else {
			int32_t c1 = round_cell(dd * (s * (f0 + 0.5))); /* cover of column i0+1 */
			int32_t step = round_cell(dd * s);
			row[i0 + 1] += (uint32_t)(c1 - c0);
			for (unsigned i = i0 + 2; i < i1 - 1; i++)
				row[i] += (uint32_t)step;
			int32_t c2 = c1 + (int32_t)(i1 - i0 - 3) * step; /* cover of column i1−2 */
			row[i1 - 1] += (uint32_t)(cl - c2);
		}
		row[i1] += (uint32_t)(D - cl);
		last = i1;
	}
	/* mark the blocks written: one word but on huge canvases */
	uint64_t *bits = r->blk + (size_t)y * r->blk_words;
	uint32_t b = (ox + i0) / BLOCK, be = (ox + last) / BLOCK;
	if (b >> 6 == be >> 6) {
		bits[b >> 6] |= (~(uint64_t)0 >> (63 - (be - b))) << (b & 63);
		return;
	}
	for (; b <= be; b++)
		bits[b >> 6] |= (uint64_t)1 << (b & 63);
}

/* A segment inside the canvas [0, cw] × [0, ch], any direction. */
static void add_segment(struct rast *r, double x0, double y0, double x1, double y1)
{
	if (y0 == y1)
		return; /* horizontal: no winding, no area */
	double dir = 1.0;
	if (y0 > y1) {
		double t = x0; x0 = x1; x1 = t;
		t = y0; y0 = y1; y1 = t;
		dir = -1.0;
	}
	/* Local frame: integer origin, so whole-pixel shifts are exact.  The
	 * coordinates are >= 0 (clipped to the canvas), so truncation floors. */
	double ox = (double)(unsigned)(x0 < x1 ? x0 : x1), oy = (double)(unsigned)y0;
	double lx0 = x0 - ox, ly0 = y0 - oy, lx1 = x1 - ox, ly1 = y1 - oy;
	unsigned rows = (unsigned)ly1;
	rows += ly1 > (double)rows;
	if ((unsigned)oy < r->y_lo)
		r->y_lo = (unsigned)oy;
	if ((unsigned)oy + rows > r->y_hi)
		r->y_hi = (unsigned)oy + rows;
	if (rows == 1) {
		/* within one row (most edges of a thin stroke's outline) */
		add_row(r, (unsigned)oy, (unsigned)ox, lx0, lx1, (ly1 - ly0) * dir);
		return;
	}
	double xmin = lx0 < lx1 ? lx0 : lx1, xmax = lx0 < lx1 ? lx1 : lx0;
	double dxdy = (lx1 - lx0) / (ly1 - ly0);

	for (unsigned ry = 0; ry < rows; ry++) {
		double top = ry > ly0 ? (double)ry : ly0;
		double bot = ry + 1.0 < ly1 ? ry + 1.0 : ly1;
		if (bot <= top)
			continue;
		double xt = top == ly0 ? lx0 : lx0 + (top - ly0) * dxdy;
		double xb = bot == ly1 ? lx1 : lx0 + (bot - ly0) * dxdy;
		/* Rounding must not leave the edge's own x range (whose ends
		 * may sit exactly on the canvas border). */
		xt = xt < xmin ? xmin : xt > xmax ? xmax : xt;
		xb = xb < xmin ? xmin : xb > xmax ? xmax : xb;
		unsigned y = (unsigned)oy + ry;
		add_row(r, y, (unsigned)ox, xt, xb, (bot - top) * dir);
	}
}

/* One edge of a ring, in path coordinates: clipped to rows [0, ch], then
 * split at x = 0 and x = cw.  Parts left of the canvas move onto x = 0
 * (they still change the winding of everything to their right); parts right
 * of it move onto x = cw: they change no visible pixel, but keep the row's
 * running sum returning to 0 right after its last written cell, which is
 * what lets the sweep stop there. */
static void add_edge(struct rast *r, unsigned cw, unsigned ch, float fx0, float fy0, float fx1, float fy1)
{
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
		add_segment(r, ax, ay, bx, by);
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
		add_segment(r, pxa, pya, pxb, pyb);
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
	return (cov * 255 + COV_ONE / 2) >> 16;
}

/* The blocks of row y a fill wrote: [*b0, *b1] (those between may be
 * unwritten), and *end, one past the last nonzero cell: right of it the
 * running sum is 0 (a closed ring crosses each row up as often as down)
 * but for rounding, and is reported as 0, so that results do not depend on
 * where the block grid falls.  0 if the row holds nothing. */
static int row_span(const struct rast *r, unsigned y, unsigned *b0, unsigned *b1, unsigned *end)
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
	const uint32_t *row = r->acc + (size_t)y * acc_stride(r->w);
	unsigned x = BLOCK * *b1 + BLOCK - 1;
	while (x > BLOCK * *b0 && row[x] == 0)
		x--;
	*end = x + 1;
	return 1;
}

static inline int block_written(const struct rast *r, unsigned y, unsigned b)
{
	return r->blk[(size_t)y * r->blk_words + (b >> 6)] >> (b & 63) & 1;
}

/* Sums block b of a row into per-pixel coverage quantised to 0..255 at
 * m[0..16), carrying the running sum through *sum, and zeroes its cells. */
static inline void sweep_block(uint32_t *cell, uint32_t *sum, enum rast_rule rule, uint8_t *m)
{
#if defined(__SSE2__) && !defined(RAST_SCALAR)
	__m128i carry = _mm_set1_epi32((int32_t)*sum), zero = _mm_setzero_si128();
	__m128i out[4];
	for (int q = 0; q < 4; q++) {
		__m128i v = _mm_load_si128((const __m128i *)(cell + 4 * q));
		_mm_store_si128((__m128i *)(cell + 4 * q), zero);
		v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
		v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
		v = _mm_add_epi32(v, carry);
		carry = _mm_shuffle_epi32(v, _MM_SHUFFLE(3, 3, 3, 3));
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
		/* (a·255 + ONE/2) >> 16, a·255 as a·256 − a */
		a = _mm_sub_epi32(_mm_slli_epi32(a, 8), a);
		out[q] = _mm_srli_epi32(_mm_add_epi32(a, _mm_set1_epi32(COV_ONE / 2)), 16);
	}
	*sum = (uint32_t)_mm_cvtsi128_si32(carry);
	__m128i lo = _mm_packs_epi32(out[0], out[1]), hi = _mm_packs_epi32(out[2], out[3]);
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
		unsigned b0, b1, end;
		if (y < r->y_lo || y >= r->y_hi || !row_span(r, y, &b0, &b1, &end))
			continue;
		uint32_t *row = r->acc + (size_t)y * acc_stride(r->w), sum = 0;
		unsigned x1 = end < r->w ? end : r->w;
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

/* blend_px on 4 pixels: m4 holds each pixel's m in all four of its bytes */
static inline __m128i blend4(__m128i dst, __m128i m4, __m128i full16)
{
	__m128i zero = _mm_setzero_si128(), res[2];
	__m128i d[2] = {_mm_unpacklo_epi8(dst, zero), _mm_unpackhi_epi8(dst, zero)};
	__m128i m[2] = {_mm_unpacklo_epi8(m4, zero), _mm_unpackhi_epi8(m4, zero)};
	for (int h = 0; h < 2; h++) {
		__m128i src = div255_epi16(_mm_mullo_epi16(m[h], full16));
		__m128i sa = _mm_shufflehi_epi16(_mm_shufflelo_epi16(src, _MM_SHUFFLE(3, 3, 3, 3)),
						 _MM_SHUFFLE(3, 3, 3, 3));
		__m128i keep = _mm_sub_epi16(_mm_set1_epi16(255), sa);
		res[h] = _mm_add_epi16(src, div255_epi16(_mm_mullo_epi16(d[h], keep)));
	}
	return _mm_packus_epi16(res[0], res[1]);
}
#endif

/* Composites BLOCK pixels at px with per-pixel coverage m[0..BLOCK). */
static inline void blend_block(uint8_t *px, const uint8_t *m, const uint8_t *full)
{
#if defined(__SSE2__) && !defined(RAST_SCALAR)
	__m128i full16 = _mm_setr_epi16(full[0], full[1], full[2], full[3], full[0], full[1], full[2],
					full[3]);
	__m128i mm = _mm_loadu_si128((const __m128i *)m);
	__m128i m2[2] = {_mm_unpacklo_epi8(mm, mm), _mm_unpackhi_epi8(mm, mm)};
	uint32_t m32[4];
	memcpy(m32, m, sizeof m32);
	for (int q = 0; q < 4; q++) {
		if (!m32[q])
			continue; /* 4 pixels uncovered: most of a thin line's block */
		__m128i m4 = q & 1 ? _mm_unpackhi_epi8(m2[q >> 1], m2[q >> 1])
				   : _mm_unpacklo_epi8(m2[q >> 1], m2[q >> 1]);
		__m128i *p = (__m128i *)(px + 16 * q);
		_mm_storeu_si128(p, blend4(_mm_loadu_si128(p), m4, full16));
	}
#else
	for (unsigned x = 0; x < BLOCK; x++)
		blend_px(px + 4 * x, m[x], full);
#endif
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
		unsigned b0, b1, end;
		if (!row_span(r, y, &b0, &b1, &end))
			continue;
		uint32_t *cells = r->acc + (size_t)y * acc_stride(r->w), sum = 0;
		uint8_t *row = dst->px + (size_t)y * dst->stride;
		unsigned x1 = end < cw ? end : cw;
		for (unsigned b = b0; b <= b1; b++) {
			unsigned xa = BLOCK * b, xb = xa + BLOCK < x1 ? xa + BLOCK : x1;
			/* A block short of x1 (a row's last) still goes through
			 * blend_block when it fits the canvas: coverage 0 beyond
			 * x1 leaves those pixels as they are. */
			int whole = xa + BLOCK <= cw;
			if (block_written(r, y, b)) {
				sweep_block(cells + xa, &sum, rule, m);
				if (xa >= xb)
					continue;
				if (whole) {
					memset(m + (xb - xa), 0, BLOCK - (xb - xa));
					blend_block(row + 4 * xa, m, full);
				} else {
					for (unsigned x = xa; x < xb; x++)
						blend_px(row + 4 * x, m[x - xa], full);
				}
				continue;
			}
			/* unwritten: one coverage throughout */
			unsigned mc = quantise(rule_cov(sum, rule));
			if (mc == 0 || xa >= xb)
				continue;
			if (mc == 255 && c.a == 255) {
				for (unsigned x = xa; x < xb; x++)
					memcpy(row + 4 * x, full, 4);
			} else if (whole) {
				memset(mu, (int)mc, xb - xa);
				memset(mu + (xb - xa), 0, BLOCK - (xb - xa));
				blend_block(row + 4 * xa, mu, full);
			} else {
				for (unsigned x = xa; x < xb; x++)
					blend_px(row + 4 * x, mc, full);
			}
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

void rast_canvas_clear(struct rast_canvas *c, struct rast_color col)
{
	uint8_t v[4] = {(uint8_t)div255((unsigned)col.r * col.a), (uint8_t)div255((unsigned)col.g * col.a),
			(uint8_t)div255((unsigned)col.b * col.a), col.a};
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
