/* raster.c — exact-area scanline coverage and premultiplied compositing.
 *
 * Accumulation (stb_truetype v2, font-rs): every edge, clipped to the canvas,
 * walks the rows it crosses; in each row it adds to the row's acc cells the
 * *derivative along x* of the signed area it puts to its right, so that the
 * running sum of a row's cells is, per pixel, the winding-weighted covered
 * area.  An edge crossing a row within one pixel column writes two cells,
 * one spanning k columns writes k + 1.  No edge list, no sorting, no active
 * edge table: the work is proportional to the cells the edges touch, and the
 * only memory is the workspace (w + 2) × h floats (256 KiB for a 256 px tile,
 * 1 MiB for 512 px), allocated once per thread.
 *
 * Invariants between fills: acc and blk are all zero, y_lo >= y_hi.  A
 * fill marks each row's written 16-cell blocks; the sweep sums only written
 * blocks cell by cell (re-zeroing them), gives unwritten blocks the running
 * coverage in one go (empty ones are then skipped, full opaque ones filled),
 * so a path costs what it touches.  Right of a row's last written cell the
 * running sum is 0 again (a closed ring crosses each row up as often as
 * down), so nothing there needs reading.
 *
 * Exact whole-pixel shifts: each edge is carried into a local frame whose
 * origin is the integer pixel corner below its minimum, so a path moved by
 * whole pixels (with exactly representable coordinates) produces bitwise the
 * same cell values, shifted; the sweep then sums them in the same order.
 *
 * Compositing is integer: coverage quantised to m in 0..255, source alpha
 * sa = m·a/255 and premultiplied source channel m·a·c/255², each rounded once,
 * then out = src + dst·(255 − sa)/255, rounded (exact division by 255). */
#include "raster.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- workspace ---- */

enum yz_err rast_init(struct rast *r, unsigned w, unsigned h)
{
	memset(r, 0, sizeof *r);
	if (w == 0 || h == 0 || w > RAST_MAX_DIM || h > RAST_MAX_DIM)
		return YZ_ERANGE;
	r->acc = calloc((size_t)(w + 2) * h, sizeof *r->acc);
	r->blk_words = ((w + 2 + 15) / 16 + 63) / 64;
	r->blk = calloc((size_t)h * r->blk_words, sizeof *r->blk);
	r->cov = calloc(w + 16, sizeof *r->cov);
	r->uni = calloc((size_t)r->blk_words * 64, sizeof *r->uni);
	if (!r->acc || !r->blk || !r->cov || !r->uni) {
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
	free(r->cov);
	free(r->uni);
	memset(r, 0, sizeof *r);
}

/* ---- accumulation ---- */

/* Adds one row's piece of an edge.  In the edge's local frame (origin ox on
 * the row's cells): the piece spans x in [xa, xb] (either order, both >= 0)
 * and covers a height d (signed by direction: +dy going down).  Cell values
 * are the piece's area right of the line, per column, differenced along x;
 * see the file comment.  ox + ceil(max(xa, xb)) + 1 <= w + 1 by clipping. */
static inline void add_row(struct rast *r, unsigned y, unsigned ox, double xa, double xb, double d)
{
	float *row = r->acc + (size_t)y * (r->w + 2) + ox;
	double lo = xa < xb ? xa : xb, hi = xa < xb ? xb : xa;
	/* floor and ceil by truncation (both are >= 0): much cheaper than
	 * floor() and ceil() without SSE4.1's rounding instruction */
	unsigned i0 = (unsigned)lo, i1 = (unsigned)hi, last;
	i1 += hi > (double)i1;
	double flo = (double)i0, chi = (double)i1;

	if (i1 <= i0 + 1) {
		/* Within one column: the trapezoid's area right of the line is
		 * 1 − (mean x within the column). */
		double xm = 0.5 * (xa + xb) - flo;
		row[i0] += (float)(d * (1.0 - xm));
		row[i0 + 1] += (float)(d * xm);
		last = i0 + 1;
	} else {
		/* Across columns i0 .. i1−1: a triangle in the first, a band
		 * of slope s per full column, and 1 − (triangle) in the last. */
		double s = 1.0 / (hi - lo);
		double f0 = 1.0 - (lo - flo);           /* width used in column i0 */
		double f1 = hi - (chi - 1.0);           /* width used in column i1−1 */
		double a0 = 0.5 * s * f0 * f0;          /* cover of column i0 */
		double am = 0.5 * s * f1 * f1;          /* 1 − cover of column i1−1 */
		row[i0] += (float)(d * a0);
		if (i1 == i0 + 2) {
			row[i0 + 1] += (float)(d * (1.0 - a0 - am));
		} else {
			double a1 = s * (f0 + 0.5);     /* cover of column i0+1 */
			row[i0 + 1] += (float)(d * (a1 - a0));
			float step = (float)(d * s);
			for (unsigned i = i0 + 2; i < i1 - 1; i++)
				row[i] += step;
			double a2 = a1 + (double)(i1 - i0 - 3) * s; /* cover of column i1−2 */
			row[i1 - 1] += (float)(d * (1.0 - a2 - am));
		}
		row[i1] += (float)(d * am);
		last = i1;
	}
	/* mark the 16-cell blocks written: one word but on huge canvases */
	uint64_t *bits = r->blk + (size_t)y * r->blk_words;
	uint32_t b = (ox + i0) >> 4, be = (ox + last) >> 4;
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

/* Coverage from the running sum (the mean winding number) by rule. */
static inline float rule_cov(float sum, enum rast_rule rule)
{
	float a = fabsf(sum);
	if (rule == RAST_NONZERO)
		return a < 1.0f ? a : 1.0f;
	/* Even-odd: fold with period 2, peaks at odd values. */
	a -= 2.0f * floorf(a * 0.5f);
	return a <= 1.0f ? a : 2.0f - a;
}

/* Turns row y's accumulated cells into coverage r->cov[x] for x in
 * [*x0, *x1) (clipped to cw), re-zeroes the cells and the row's marks.
 * Works in blocks of 16 cells: a block no edge wrote has one coverage
 * throughout (recorded in r->uni[b], so painters can skip empty blocks and
 * fill full ones); only written blocks are summed cell by cell.  Returns 0
 * if the row holds nothing.  Pixels outside [*x0, *x1) have coverage 0;
 * *x0 is a multiple of 16. */
static int sweep_row(struct rast *r, unsigned y, unsigned cw, enum rast_rule rule,
		     unsigned *x0, unsigned *x1)
{
	uint64_t *bits = r->blk + (size_t)y * r->blk_words;
	unsigned wa = 0, wb = r->blk_words;
	while (wa < wb && !bits[wa])
		wa++;
	if (wa == wb)
		return 0;
	while (!bits[wb - 1])
		wb--;
	float *row = r->acc + (size_t)y * (r->w + 2);
	unsigned ncell = r->w + 2;
	unsigned b0 = 64 * wa + (unsigned)__builtin_ctzll(bits[wa]);
	unsigned b1 = 64 * (wb - 1) + 63 - (unsigned)__builtin_clzll(bits[wb - 1]);
	/* the row's last nonzero cell: right of it the running sum is 0 but
	 * for float residue */
	unsigned hi = 16 * b1 + 15 < ncell ? 16 * b1 + 15 : ncell - 1;
	while (hi > 16 * b0 && row[hi] == 0)
		hi--;
	float sum = 0;
	for (unsigned b = b0; b <= b1; b++) {
		unsigned xa = 16 * b, xb = xa + 16;
		if (bits[b >> 6] >> (b & 63) & 1) {
			unsigned xe = xb < ncell ? xb : ncell;
			for (unsigned x = xa; x < xe; x++) {
				sum += row[x];
				row[x] = 0;
				r->cov[x] = rule_cov(sum, rule); /* cov has w + 16 slots */
			}
			r->uni[b] = -1.0f;
		} else {
			float c = rule_cov(sum, rule);
			for (unsigned x = xa; x < xb && x < cw; x++)
				r->cov[x] = c;
			r->uni[b] = c;
		}
	}
	memset(bits + wa, 0, (wb - wa) * sizeof *bits);
	/* Right of hi the sum is 0 but for float residue: report 0 there,
	 * so results do not depend on where the block grid falls. */
	*x0 = 16 * b0;
	*x1 = hi + 1 < cw ? hi + 1 : cw;
	return *x0 < *x1;
}

void rast_fill_coverage(struct rast *r, const struct path *p, enum rast_rule rule,
			float *cov, size_t cov_stride)
{
	accumulate(r, p, r->w, r->h);
	for (unsigned y = 0; y < r->h; y++) {
		float *out = cov + y * cov_stride;
		unsigned x0, x1;
		if (y < r->y_lo || y >= r->y_hi || !sweep_row(r, y, r->w, rule, &x0, &x1)) {
			memset(out, 0, r->w * sizeof *out);
			continue;
		}
		memset(out, 0, x0 * sizeof *out);
		memcpy(out + x0, r->cov + x0, (x1 - x0) * sizeof *out);
		memset(out + x1, 0, (r->w - x1) * sizeof *out);
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

/* Exact round(x / 255²) for x in [0, 255³]. */
static inline unsigned div65025(unsigned x)
{
	return (x + 65025u / 2) / 65025u;
}

/* The source colour of a fill, in the forms blend() needs. */
struct src {
	unsigned a;       /* straight alpha 0..255 */
	unsigned ca[3];   /* c·a per channel, for the once-rounded premultiplied source */
	uint8_t full[4];  /* the premultiplied source at full coverage */
};

/* Source-over of the source at coverage m (1..255) onto one pixel. */
static inline void blend(uint8_t *px, unsigned m, const struct src *s)
{
	unsigned sa, sc[3];
	if (m == 255) {
		sa = s->full[3];
		sc[0] = s->full[0], sc[1] = s->full[1], sc[2] = s->full[2];
	} else {
		sa = div255(m * s->a);
		sc[0] = div65025(m * s->ca[0]);
		sc[1] = div65025(m * s->ca[1]);
		sc[2] = div65025(m * s->ca[2]);
	}
	unsigned keep = 255 - sa;
	px[0] = (uint8_t)(sc[0] + div255(px[0] * keep));
	px[1] = (uint8_t)(sc[1] + div255(px[1] * keep));
	px[2] = (uint8_t)(sc[2] + div255(px[2] * keep));
	px[3] = (uint8_t)(sa + div255(px[3] * keep));
}

/* Coverage in [0, 1] → 0..255, round to nearest. */
static inline unsigned quantise(float cov)
{
	return (unsigned)(cov * 255.0f + 0.5f);
}

void rast_fill(struct rast *r, const struct path *p, enum rast_rule rule,
	       struct rast_color c, struct rast_canvas *dst)
{
	assert(dst->w <= r->w && dst->h <= r->h);
	if (c.a == 0 || p->failed)
		return;
	unsigned cw = dst->w, ch = dst->h;
	accumulate(r, p, cw, ch);
	struct src s = {.a = c.a, .ca = {(unsigned)c.r * c.a, (unsigned)c.g * c.a, (unsigned)c.b * c.a}};
	s.full[0] = (uint8_t)div255(s.ca[0]);
	s.full[1] = (uint8_t)div255(s.ca[1]);
	s.full[2] = (uint8_t)div255(s.ca[2]);
	s.full[3] = c.a;

	for (unsigned y = r->y_lo; y < r->y_hi; y++) {
		unsigned x0, x1;
		if (!sweep_row(r, y, cw, rule, &x0, &x1))
			continue;
		uint8_t *row = dst->px + (size_t)y * dst->stride;
		/* Block by block (x0 is a block start): uniform blocks are
		 * skipped when empty and filled when opaque and full. */
		for (unsigned xa = x0; xa < x1; xa += 16) {
			unsigned xb = xa + 16 < x1 ? xa + 16 : x1;
			float u = r->uni[xa >> 4];
			if (u >= 0) {
				unsigned m = quantise(u);
				if (m == 0)
					continue;
				if (m == 255 && c.a == 255) {
					for (unsigned x = xa; x < xb; x++)
						memcpy(row + 4 * x, s.full, 4);
					continue;
				}
				for (unsigned x = xa; x < xb; x++)
					blend(row + 4 * x, m, &s);
				continue;
			}
			for (unsigned x = xa; x < xb; x++) {
				unsigned m = quantise(r->cov[x]);
				if (m == 255 && c.a == 255)
					memcpy(row + 4 * x, s.full, 4);
				else if (m)
					blend(row + 4 * x, m, &s);
			}
		}
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
