/* stroke.c — stroked polylines, disks and markers as rings for the NONZERO
 * fill; see stroke.h.
 *
 * Method.  The stroke of a polyline is the union of simple pieces: one
 * rectangle per segment, one wedge per join on the outer side of the turn
 * (the miter kite, bevel triangle or round sector between the two rectangle
 * corners), and the caps.  Every piece, oriented clockwise on screen, has
 * winding +1 inside and 0 outside, so their sum has winding ≥ 1 exactly on
 * the union.  We do not emit the pieces: we emit one ring whose edges are
 * their sum as a 1-chain (edges shared by two pieces in opposite directions
 * cancel), which has the same winding number everywhere with about half the
 * points.  That ring is: the left offset side walked forward, the end cap,
 * the left side of the reversed polyline (= the right side, backwards), the
 * start cap.  At each vertex the outer side gets the join points, and the
 * inner side goes offset-corner → vertex → offset-corner — the edges left
 * over from the two rectangles' end edges.  Nothing is trimmed, so there is
 * no case analysis for short segments, sharp angles or 180° reversals and
 * no crack can open at a join: correctness is an identity of chains, not a
 * floating-point decision.  One shortcut: where both segments are long
 * enough that the rectangles' overlap at the inner corner lies inside both,
 * the inner side goes through the offset lines' crossing instead (one point,
 * not three; the overlap then has winding 1, not 2, which the rasterizer
 * covers exactly).  A closed polyline
 * gives two rings: the left side loop forward and the left side loop of the
 * reversed polyline (one of them winds backwards: the hole).  Dashes cut the
 * polyline into sub-polylines by arc length, each stroked as an open one.
 *
 * Invariants: both walks over one (sub-)polyline see the same vertices (only
 * exactly equal consecutive points are dropped, which is symmetric) and the
 * reversed walk's directions are exact negations, so the right side is the
 * mirror of the left.  Every arc turns clockwise through less than 2π.  A
 * vertex whose turn moves the offset corner by at most `tolerance` is
 * treated as straight (one point between the two corners, on each side):
 * curves densified into many short segments do not pay for joins.
 *
 * Sizes: 2–6 points per vertex for bevel/miter (solid), plus arc points for
 * round joins (≤ 1024 per circle).  No allocation other than the path's. */
#include "stroke.h"

#include <math.h>
#include <stddef.h>

#define PI 3.14159265358979323846

/* Per-call state. */
struct ctx {
	struct path *out;
	const float *xy;       /* the caller's points, read only */
	uint32_t n;
	float h;               /* half width, px */
	float tol;             /* max deviation of arcs, px */
	float miter2;          /* miter limit squared, ≥ 1 */
	enum stroke_join join;
	enum stroke_cap cap;
	uint32_t circle_seg;   /* segments of a full circle of radius h */
	float rc, rs;          /* cos, sin of one arc step (2π / circle_seg) */
	int fresh;             /* the next emitted point starts a ring */
	/* the directions and lengths of an open side's segments, kept by its
	 * forward walk for the backward one (which takes them reversed and
	 * negated: the same values, no square root and division again);
	 * [3 · UNIT_CACHE] */
	float *units;
	uint32_t unit_count;   /* segments the forward walk kept */
	int units_ok;          /* all of them: the backward walk may use them */
};

#define UNIT_CACHE 256u

/* Run offsets are 64-bit: a merged dash on a closed line spans up to 2n. */
struct seq {                   /* open sub-polyline S, run[lo..hi], E */
	uint32_t base;         /* raw index of run offset 0 */
	int64_t lo, hi;        /* interior run offsets, inclusive; none if hi < lo */
	float sx, sy, ex, ey;  /* first and last points */
};

static int valid_pt(float x, float y)
{
	return fabsf(x) <= STROKE_COORD_MAX && fabsf(y) <= STROKE_COORD_MAX; /* false for NaN */
}

static void emit(struct ctx *c, float x, float y)
{
	if (c->fresh) {
		path_move_to(c->out, x, y);
		c->fresh = 0;
	} else {
		path_line_to(c->out, x, y);
	}
}

/* Segments per full circle so that chords deviate at most tol from radius r;
 * at least 4 (a cap of a hairline is then half a square, its corners within
 * r·(1 − cos 45°) < tol of the circle), at most 1024.  No more than the
 * tolerance asks: a 2.5 px road's joins and caps (r = 1.25, tol = 0.2) take
 * 6 a circle, where a floor of 8 cost 1–2 % of a map tile's time. */
static uint32_t circle_segments(double r, double tol)
{
	if (!(tol > 0))
		tol = 0.25;
	double n = 4;
	if (tol < r) {
		double step = 2 * acos(1 - tol / r);
		n = step > 0 ? ceil(2 * PI / step) : 1024;
	}
	return n < 4 ? 4 : n > 1024 ? 1024 : (uint32_t)n;
}

/* The arc step for radius h and tolerance tol: segments per circle, and
 * the cosine and sine of one step.  The last answer is kept per thread: a
 * layer strokes thousands of lines of one width, each call would otherwise
 * pay an acos, a cos and a sin. */
static void arc_steps(float h, float tol, uint32_t *seg, float *rc, float *rs)
{
	static _Thread_local struct {
		float h, tol, rc, rs;
		uint32_t seg;
	} last;
	if (last.seg == 0 || last.h != h || last.tol != tol) {
		last.h = h;
		last.tol = tol;
		last.seg = circle_segments(h, tol);
		last.rc = (float)cos(2 * PI / last.seg);
		last.rs = (float)sin(2 * PI / last.seg);
	}
	*seg = last.seg;
	*rc = last.rc;
	*rs = last.rs;
}

/* A full circle as a new ring, clockwise (reverse: counter-clockwise).
 * Rotation in double keeps 1024 steps closed to ~1e-13. */
static void ring_circle(struct path *p, double cx, double cy, double r, uint32_t seg, int reverse)
{
	double a = 2 * PI / seg, cs = cos(a), sn = reverse ? -sin(a) : sin(a);
	double ux = 1, uy = 0;
	path_move_to(p, (float)(cx + r), (float)cy);
	for (uint32_t i = 1; i < seg; i++) {
		double t = ux * cs - uy * sn;
		uy = ux * sn + uy * cs;
		ux = t;
		path_line_to(p, (float)(cx + r * ux), (float)(cy + r * uy));
	}
}

/* Unit direction of (dx, dy) ≠ 0; returns the length.  Double, because a
 * difference of two distinct floats can be so small that its float square
 * underflows. */
static float unit(float dx, float dy, float *ux, float *uy)
{
	double l = sqrt((double)dx * dx + (double)dy * dy);
	*ux = (float)(dx / l);
	*uy = (float)(dy / l);
	return (float)l;
}

/* Points strictly between centre + h·u and centre + h·v, turning clockwise
 * on screen from u to v (unit vectors) in fixed steps; the last chord is the
 * remainder (≤ one step).  Precondition: the clockwise sweep is in [0, 2π);
 * sweeps below one step emit nothing. */
static void arc(struct ctx *c, float cx, float cy, float ux, float uy, float vx, float vy)
{
	float h = c->h, rc = c->rc, rs = c->rs;
	/* dot(u, v) < cos(step) ⟺ more than one step remains (sweep < 2π − step);
	 * the bound only guards against rounding at the last step. */
	for (uint32_t i = 0; i < c->circle_seg && ux * vx + uy * vy < rc; i++) {
		float t = ux * rc - uy * rs;
		uy = ux * rs + uy * rc;
		ux = t;
		emit(c, cx + h * ux, cy + h * uy);
	}
}

/* The join at vertex (vx, vy) on the left side (−n, n = (−dy, dx)) of the
 * walk, arriving with direction d0 along a segment of length len0, leaving
 * with d1 along one of length len1.  The ring is at the previous point;
 * ends at the leaving segment's left corner (or a point standing for it). */
static void join(struct ctx *c, float vx, float vy, float d0x, float d0y, float len0,
		 float d1x, float d1y, float len1)
{
	float h = c->h;
	float ix = vx + h * d0y, iy = vy - h * d0x; /* arriving segment's left corner */
	float ox = vx + h * d1y, oy = vy - h * d1x; /* leaving segment's left corner */
	float cr = d0x * d1y - d0y * d1x, dt = d0x * d1x + d0y * d1y;
	if (dt > 0 && fabsf(cr) * h <= c->tol) {
		/* Nearly straight: the corners are ≤ tol apart and any join
		 * lies within tol of them, so one point between them stands
		 * for the whole vertex, on either side. */
		emit(c, 0.5f * (ix + ox), 0.5f * (iy + oy));
		return;
	}
	if (cr < 0 && 1 + dt > 0) {
		/* Inner side.  The two rectangles overlap in the quadrilateral
		 * (V, ix, P, ox), P where the offset lines cross, at h·tan(θ/2)
		 * from V's foot along each segment.  When that quadrilateral lies
		 * inside both rectangles — each of ix, ox and P within the other
		 * segment's length, which needs len ≥ h·sin θ and ≥ h·tan(θ/2) —
		 * the path ix → P → ox only lowers its winding from 2 to 1, and
		 * the union is unchanged with two points fewer. */
		float s = -cr, reach = h * (dt >= 0 ? s : s / (1 + dt));
		if (reach * 1.001f <= (len0 < len1 ? len0 : len1)) {
			float k = h / (1 + dt);
			emit(c, vx + k * (d0y + d1y), vy - k * (d0x + d1x));
			return;
		}
	}
	emit(c, ix, iy);
	if (cr >= 0) {
		/* Clockwise turn (or a reversal, cr = 0, dt < 0: both walks take it
		 * as outer, which adds the wedge twice — harmless under NONZERO). */
		switch (c->join) {
		case STROKE_JOIN_MITER:
			/* miter length / width = 1/cos(β/2) ≤ limit ⟺ (1+dt)·limit² ≥ 2;
			 * the tip is V − h·(n0+n1)/(1+dt), 1+dt ≥ 2/limit² > 0 here. */
			if ((1 + dt) * c->miter2 >= 2) {
				float k = h / (1 + dt);
				emit(c, vx + k * (d0y + d1y), vy - k * (d0x + d1x));
			}
			break;
		case STROKE_JOIN_ROUND:
			arc(c, vx, vy, d0y, -d0x, d1y, -d1x);
			break;
		case STROKE_JOIN_BEVEL:
			break;
		}
	} else {
		/* Inner side next to a short segment: through the vertex, the
		 * rest of the two rectangles' end edges; the offset lines may
		 * not meet within the segments. */
		emit(c, vx, vy);
	}
	if (ox != ix || oy != iy)
		emit(c, ox, oy);
}

/* The cap at (ex, ey) for a walk arriving with direction d: the ring is at
 * the left corner E − h·n, the next point will be the right corner E + h·n. */
static void cap(struct ctx *c, float ex, float ey, float dx, float dy)
{
	float h = c->h;
	switch (c->cap) {
	case STROKE_CAP_BUTT:
		break;
	case STROKE_CAP_SQUARE:
		emit(c, ex + h * (dy + dx), ey + h * (dy - dx));
		emit(c, ex + h * (dx - dy), ey + h * (dx + dy));
		break;
	case STROKE_CAP_ROUND:
		arc(c, ex, ey, dy, -dx, -dy, dx);
		break;
	}
}

/* What a zero-length (sub-)polyline at (x, y) draws; d orients a square. */
static void dot(struct ctx *c, float x, float y, float dx, float dy)
{
	float h = c->h;
	switch (c->cap) {
	case STROKE_CAP_BUTT:
		break;
	case STROKE_CAP_ROUND:
		ring_circle(c->out, x, y, h, c->circle_seg, 0);
		break;
	case STROKE_CAP_SQUARE:
		c->fresh = 1;
		emit(c, x + h * (dy - dx), y - h * (dx + dy));
		emit(c, x + h * (dy + dx), y + h * (dy - dx));
		emit(c, x + h * (dx - dy), y + h * (dx + dy));
		emit(c, x - h * (dx + dy), y + h * (dx - dy));
		break;
	}
}

static void raw_pt(const struct ctx *c, uint32_t base, int64_t off, float *x, float *y)
{
	uint64_t i = base + (uint64_t)off;
	while (i >= c->n)
		i -= c->n;
	*x = c->xy[2 * i];
	*y = c->xy[2 * i + 1];
}

static uint64_t seq_len(const struct seq *q)
{
	return 2 + (uint64_t)(q->hi >= q->lo ? q->hi - q->lo + 1 : 0);
}

static void seq_pt(const struct ctx *c, const struct seq *q, uint64_t k, uint64_t len, int rev,
                   float *x, float *y)
{
	if (rev)
		k = len - 1 - k;
	if (k == 0) {
		*x = q->sx;
		*y = q->sy;
	} else if (k == len - 1) {
		*x = q->ex;
		*y = q->ey;
	} else {
		raw_pt(c, q->base, q->lo + (int64_t)k - 1, x, y);
	}
}

/* Segment j of an open side's walk, from its difference (sx, sy): unit
 * direction and length, as unit() gives them — kept by the forward walk,
 * taken back (reversed, negated: exactly unit() of the negated difference)
 * by the backward one when all of them were kept. */
static inline float side_unit(struct ctx *c, int rev, uint32_t j, float sx, float sy, float *ux,
			      float *uy)
{
	if (rev && c->units_ok && j < c->unit_count) {
		const float *u = c->units + 3 * (size_t)(c->unit_count - 1 - j);
		*ux = -u[0];
		*uy = -u[1];
		return u[2];
	}
	float l = unit(sx, sy, ux, uy);
	if (!rev && c->units && j < UNIT_CACHE) {
		float *u = c->units + 3 * (size_t)j;
		u[0] = *ux;
		u[1] = *uy;
		u[2] = l;
	}
	return l;
}

/* The left side of q walked forward (rev: backward): the first point's
 * corner, a join at every interior vertex, the last point's corner.
 * Returns 0, emitting nothing, if all points coincide; else the last point
 * and direction through (lx, ly), (ldx, ldy). */
static int side_open(struct ctx *c, const struct seq *q, int rev, float *lx, float *ly, float *ldx, float *ldy)
{
	uint64_t len = seq_len(q), k;
	float vx, vy, nx = 0, ny = 0, dx, dy, ex, ey;
	seq_pt(c, q, 0, len, rev, &vx, &vy);
	for (k = 1; k < len; k++) {
		seq_pt(c, q, k, len, rev, &nx, &ny);
		if (nx != vx || ny != vy)
			break;
	}
	if (k == len)
		return 0;
	uint32_t j = 0;
	float dl = side_unit(c, rev, j++, nx - vx, ny - vy, &dx, &dy), el;
	emit(c, vx + c->h * dy, vy - c->h * dx);
	vx = nx;
	vy = ny;
	for (k++; k < len; k++) {
		seq_pt(c, q, k, len, rev, &nx, &ny);
		if (nx == vx && ny == vy)
			continue;
		el = side_unit(c, rev, j++, nx - vx, ny - vy, &ex, &ey);
		join(c, vx, vy, dx, dy, dl, ex, ey, el);
		dx = ex;
		dy = ey;
		dl = el;
		vx = nx;
		vy = ny;
	}
	emit(c, vx + c->h * dy, vy - c->h * dx);
	if (!rev) {
		c->unit_count = j;
		c->units_ok = c->units && j <= UNIT_CACHE;
	} else {
		c->units_ok = 0;
	}
	*lx = vx;
	*ly = vy;
	*ldx = dx;
	*ldy = dy;
	return 1;
}

/* One open (sub-)polyline as one ring; (fdx, fdy) orients a square dot. */
static void stroke_seq(struct ctx *c, const struct seq *q, float fdx, float fdy)
{
	float x, y, dx, dy;
	c->fresh = 1;
	if (!side_open(c, q, 0, &x, &y, &dx, &dy)) {
		dot(c, q->sx, q->sy, fdx, fdy);
		return;
	}
	cap(c, x, y, dx, dy);
	side_open(c, q, 1, &x, &y, &dx, &dy);
	cap(c, x, y, dx, dy);
}

/* The left side loop of the closed run [0, len) (rev: walked backward) as
 * one ring, a join at every vertex.  Precondition: ≥ 2 distinct points. */
static void cpt(const struct ctx *c, uint32_t base, uint64_t len, int rev, uint64_t k, float *x, float *y)
{
	uint64_t o = k == len ? 0 : rev && k ? len - k : k; /* k in [0, len] */
	raw_pt(c, base, (int64_t)o, x, y);
}

static void side_closed(struct ctx *c, uint32_t base, uint64_t len, int rev)
{
#define CPT(k, x, y) cpt(c, base, len, rev, k, x, y)
	float v0x, v0y, vx = 0, vy = 0, nx, ny, dx, dy, ex, ey;
	uint64_t k;
	CPT(0, &v0x, &v0y);
	for (k = len - 1; k > 0; k--) { /* the last distinct point before v0 */
		CPT(k, &vx, &vy);
		if (vx != v0x || vy != v0y)
			break;
	}
	float dl = unit(v0x - vx, v0y - vy, &dx, &dy), el;
	c->fresh = 1;
	vx = v0x;
	vy = v0y;
	for (k = 1; k <= len; k++) {
		CPT(k, &nx, &ny);
		if (nx == vx && ny == vy)
			continue;
		el = unit(nx - vx, ny - vy, &ex, &ey);
		join(c, vx, vy, dx, dy, dl, ex, ey, el);
		dx = ex;
		dy = ey;
		dl = el;
		vx = nx;
		vy = ny;
	}
#undef CPT
}

/* ---- dashes ---- */

struct dash {
	const float *v;
	uint32_t count;        /* given entries */
	uint32_t period_n;     /* entries per period: count, doubled when odd */
	uint32_t k0;           /* state at the start of a run: entry … */
	double rem0;           /* … and what is left of it, px */
	double period;         /* px of one period_n entries */
};

/* Validates the pattern and finds the state at dash_offset; 0 = draw solid. */
static int dash_init(struct dash *d, const struct stroke_style *st)
{
	if (!st->dash || !st->dash_count)
		return 0;
	double period = 0;
	for (unsigned i = 0; i < st->dash_count; i++) {
		if (!(st->dash[i] >= 0) || !(st->dash[i] <= STROKE_COORD_MAX))
			return 0;
		period += st->dash[i];
	}
	if (!(period > 0))
		return 0;
	d->v = st->dash;
	d->count = st->dash_count;
	d->period_n = d->count & 1 ? 2 * d->count : d->count;
	if (d->count & 1)
		period *= 2;
	d->period = period;
	double o = isfinite(st->dash_offset) ? fmod(st->dash_offset, period) : 0;
	if (o < 0)
		o += period;
	uint32_t k = 0;
	double rem = d->v[0];
	/* Ends within period_n + 1 steps since o < period (fmod); an offset on
	 * a boundary starts the next entry. */
	for (uint32_t guard = 0; o > 0 && guard <= d->period_n; guard++) {
		if (rem <= o) {
			o -= rem;
			k = (k + 1) % d->period_n;
			rem = d->v[k % d->count];
		} else {
			rem -= o;
			o = 0;
		}
	}
	d->k0 = k;
	d->rem0 = rem;
	return 1;
}

/* Dashes of one run of `len` points from raw index `base` (closed: the
 * segment back to offset 0 too). */
static void dash_run(struct ctx *c, const struct dash *d, uint32_t base, uint64_t len, int closed)
{
	uint32_t k = d->k0, ndash = 0;
	double rem = d->rem0;
	int on = !(k & 1), started_on = on, have_first = 0;
	struct seq cur = {base, 0, -1, 0, 0, 0, 0}, first = cur;
	int64_t end = closed ? (int64_t)len : (int64_t)len - 1; /* last offset */
	float ax, ay, bx, by, dx = 1, dy = 0;

	raw_pt(c, base, 0, &ax, &ay);
	cur.sx = ax;
	cur.sy = ay;
	cur.lo = 0;
	if (on)
		ndash++;
	for (int64_t o = 0; o < end;) {
		int64_t o2 = o + 1;
		raw_pt(c, base, o2, &bx, &by);
		while (bx == ax && by == ay && o2 < end)
			raw_pt(c, base, ++o2, &bx, &by);
		if (bx == ax && by == ay)
			break; /* only duplicates left */
		double sx = (double)bx - ax, sy = (double)by - ay, l = sqrt(sx * sx + sy * sy), t = 0;
		dx = (float)(sx / l);
		dy = (float)(sy / l);
		while (t + rem <= l) { /* the current entry ends inside this segment */
			t += rem;
			float px = t >= l ? bx : (float)(ax + sx * (t / l));
			float py = t >= l ? by : (float)(ay + sy * (t / l));
			if (on) {
				cur.hi = o;
				cur.ex = px;
				cur.ey = py;
				if (started_on && closed) {
					first = cur; /* may continue the last dash: emit at the end */
					have_first = 1;
				} else {
					stroke_seq(c, &cur, dx, dy);
				}
				started_on = 0;
			} else {
				cur.sx = px;
				cur.sy = py;
				cur.lo = o2;
				cur.hi = -1;
			}
			k = (k + 1) % d->period_n;
			on = !on;
			rem = d->v[k % d->count];
			if (on && ++ndash >= STROKE_MAX_DASHES)
				rem = INFINITY; /* bound the output: the rest is solid */
		}
		rem -= l - t;
		ax = bx;
		ay = by;
		o = o2;
	}
	if (on) { /* a dash reaches the end of the run */
		if (closed && have_first) {
			cur.hi = (int64_t)len + first.hi;
			cur.ex = first.ex;
			cur.ey = first.ey;
			have_first = 0;
		} else if (closed && started_on) {
			/* one dash all the way round: the closed line itself */
			side_closed(c, base, len, 0);
			side_closed(c, base, len, 1);
			return;
		} else {
			cur.hi = end;
			raw_pt(c, base, end, &cur.ex, &cur.ey);
		}
		stroke_seq(c, &cur, dx, dy);
	}
	if (have_first)
		stroke_seq(c, &first, dx, dy);
}

/* One run of valid points: len points from raw index base. */
static void stroke_run(struct ctx *c, const struct dash *d, uint32_t base, uint64_t len, int closed)
{
	float x0, y0, x, y;
	raw_pt(c, base, 0, &x0, &y0);
	uint64_t i = 1;
	for (; i < len; i++) {
		raw_pt(c, base, (int64_t)i, &x, &y);
		if (x != x0 || y != y0)
			break;
	}
	if (i == len) { /* zero length */
		if (!d || !(d->k0 & 1))
			dot(c, x0, y0, 1, 0);
		return;
	}
	if (d) {
		dash_run(c, d, base, len, closed);
	} else if (closed) {
		side_closed(c, base, len, 0);
		side_closed(c, base, len, 1);
	} else {
		struct seq q = {base, 0, (int64_t)len - 1, x0, y0, 0, 0};
		raw_pt(c, base, (int64_t)len - 1, &q.ex, &q.ey);
		stroke_seq(c, &q, 1, 0);
	}
}

/* The style's miter limit as drawn: ≤ 0, NaN or huge means 4, below 1 is 1. */
static float miter_limit(const struct stroke_style *st)
{
	float ml = st->miter_limit > 0 && st->miter_limit <= STROKE_COORD_MAX ? st->miter_limit : 4;
	return ml < 1 ? 1 : ml;
}

float stroke_reach(const struct stroke_style *st)
{
	float f = st->join == STROKE_JOIN_MITER ? miter_limit(st) : 1.0f;
	if (st->cap == STROKE_CAP_SQUARE && f < 1.4143f)
		f = 1.4143f;
	return 0.5f * st->width * f + 1.0f;
}

double stroke_dash_period(const struct stroke_style *st)
{
	struct dash d;
	return dash_init(&d, st) ? d.period : 0;
}

void stroke_polyline(struct path *out, const float *xy, uint32_t n, int closed,
                     const struct stroke_style *st, float tolerance)
{
	if (!out || !xy || !n || !st || !(st->width > 0) || !(st->width <= STROKE_COORD_MAX))
		return;
	struct ctx c = {0};
	float units[3 * UNIT_CACHE]; /* not cleared: written before read */
	c.units = units;
	c.out = out;
	c.xy = xy;
	c.n = n;
	c.h = st->width / 2;
	c.tol = tolerance > 0 && tolerance <= STROKE_COORD_MAX ? tolerance : 0.25f;
	float ml = miter_limit(st);
	c.miter2 = ml * ml;
	c.join = st->join;
	c.cap = st->cap;
	arc_steps(c.h, c.tol, &c.circle_seg, &c.rc, &c.rs);
	struct dash dd, *d = dash_init(&dd, st) ? &dd : NULL;

	uint32_t bad = 0; /* the first invalid point, or n */
	while (bad < n && valid_pt(xy[2 * bad], xy[2 * bad + 1]))
		bad++;
	if (bad == n) {
		stroke_run(&c, d, 0, n, closed);
		return;
	}
	/* Split at invalid points.  A closed line is walked cyclically from
	 * just after an invalid point, so the run over the end joins the start. */
	uint32_t start = closed ? bad + 1 : 0, steps = closed ? n - 1 : n, run = 0;
	for (uint32_t j = 0; j <= steps; j++) {
		uint32_t i = start + j;
		if (i >= n)
			i -= n;
		if (j < steps && valid_pt(xy[2 * i], xy[2 * i + 1])) {
			run++;
			continue;
		}
		if (run) {
			uint32_t b = i >= run ? i - run : i + n - run;
			stroke_run(&c, d, b, run, 0);
		}
		run = 0;
	}
}

void stroke_circle(struct path *out, float cx, float cy, float r, float tolerance)
{
	if (!out || !valid_pt(cx, cy) || !(r > 0) || !(r <= STROKE_COORD_MAX))
		return;
	ring_circle(out, cx, cy, r, circle_segments(r, tolerance), 0);
}

void stroke_ring(struct path *out, float cx, float cy, float r, float width, float tolerance)
{
	if (!out || !valid_pt(cx, cy) || !(r >= 0) || !(r <= STROKE_COORD_MAX) || !(width > 0) ||
	    !(width <= STROKE_COORD_MAX))
		return;
	double ro = (double)r + width / 2.0, ri = (double)r - width / 2.0;
	ring_circle(out, cx, cy, ro, circle_segments(ro, tolerance), 0);
	if (ri > 0)
		ring_circle(out, cx, cy, ri, circle_segments(ri, tolerance), 1);
}

void stroke_marker_pin(struct path *out, float x, float y, float r, float hole_r, float tolerance)
{
	if (!out || !valid_pt(x, y) || !(r > 0) || !(r <= STROKE_COORD_MAX))
		return;
	/* Head centre C = (x, y − 2r); the sides touch the head where the
	 * radius makes 60° with CT (cos = r / 2r), i.e. at angles 150° and 30°
	 * (y down).  The ring: tip, then clockwise over the top from 150° to
	 * 390°, then back to the tip. */
	double cx = x, cy = (double)y - 2.0 * r;
	uint32_t seg = circle_segments(r, tolerance);
	uint32_t k = (seg * 2 + 2) / 3; /* steps over the 240° arc */
	double a0 = 150 * PI / 180, step = (240 * PI / 180) / k;
	path_move_to(out, x, y);
	for (uint32_t i = 0; i <= k; i++) {
		double a = a0 + step * i;
		path_line_to(out, (float)(cx + r * cos(a)), (float)(cy + r * sin(a)));
	}
	if (hole_r > 0 && hole_r < r)
		ring_circle(out, cx, cy, hole_r, circle_segments(hole_r, tolerance), 1);
}

/* ---- Strokes near a box ---- */

/* Whether point a lies in the box [lo, hi]². */
static inline int pt_in_box(const float *a, float lo, float hi)
{
	return a[0] >= lo && a[0] <= hi && a[1] >= lo && a[1] <= hi;
}

/* Whether segment a–b can reach the box [lo, hi]² (its bounding box meets
 * it). */
static inline int seg_near(const float *a, const float *b, float lo, float hi)
{
	return !((a[0] < lo && b[0] < lo) || (a[0] > hi && b[0] > hi) || (a[1] < lo && b[1] < lo) ||
		 (a[1] > hi && b[1] > hi));
}

/* One run: points xy[0..n), its dash pattern (of `period` px; 0: solid)
 * shifted `along` px in, taken modulo the period so that the float offset
 * keeps its precision far along a long line. */
static void near_run(struct path *out, const float *xy, uint32_t n, const struct stroke_style *st,
		     float tolerance, double period, double along, float lo, float hi)
{
	struct stroke_style rs = *st;
	if (period > 0)
		rs.dash_offset = (float)((double)st->dash_offset + fmod(along, period));
	/* Both ends beyond the box: their caps are out of sight (the box
	 * reaches past any cap), so they need no points.  A dashed run keeps
	 * its caps: every dash has two. */
	const float *e = xy + 2 * (size_t)(n - 1);
	if (period <= 0 && !pt_in_box(xy, lo, hi) && !pt_in_box(e, lo, hi))
		rs.cap = STROKE_CAP_BUTT;
	stroke_polyline(out, xy, n, 0, &rs, tolerance);
}

/* Length of segment a–b as dash_run measures it (double). */
static double seg_len(const float *a, const float *b)
{
	double sx = (double)b[0] - a[0], sy = (double)b[1] - a[1];
	return sqrt(sx * sx + sy * sy);
}

void stroke_polyline_near(struct path *out, const float *xy, uint32_t n, int closed,
			  const struct stroke_style *st, float tolerance, float lo, float hi,
			  float *scratch)
{
	double period = stroke_dash_period(st); /* an invalid pattern draws solid */
	int dashed = period > 0;
	uint32_t nseg = n < 2 ? 0 : closed ? n : n - 1, out_seg = UINT32_MAX;
	/* A closed dashed line restarts its pattern at its first point, where
	 * a dash over it is one piece with a join: near the box, only the
	 * whole line draws that, so it is drawn whole. */
	if (closed && dashed && n && pt_in_box(xy, lo, hi))
		nseg = 0;
	for (uint32_t i = 0; i < nseg; i++)
		if (!seg_near(xy + 2 * i, xy + 2 * ((i + 1) % n), lo, hi)) {
			out_seg = i;
			break;
		}
	if (out_seg == UINT32_MAX) {
		stroke_polyline(out, xy, n, closed, st, tolerance);
		return;
	}
	/* Segments in order from the one after out_seg on a ring (an open
	 * line from its first: nothing before out_seg was left out); `along`
	 * is the length from point 0 to the current segment's start. */
	uint32_t start = closed ? (out_seg + 1) % n : 0, run_first = 0, run_len = 0;
	double along = 0, run_along = 0;
	if (dashed)
		for (uint32_t i = 0; i < start; i++)
			along += seg_len(xy + 2 * i, xy + 2 * i + 2);
	for (uint32_t k = 0; k <= nseg; k++) {
		uint32_t i = (start + k) % n, j = (i + 1) % n;
		int near = k < nseg && seg_near(xy + 2 * i, xy + 2 * j, lo, hi);
		int restart = dashed && closed && i == 0 && k > 0; /* the pattern restarts */
		if (restart)
			along = 0;
		if (run_len && (!near || restart)) {
			/* the run ends at point i: points run_first, …, i */
			uint32_t pts = run_len + 1;
			if (run_first + pts <= n) {
				near_run(out, xy + 2 * run_first, pts, st, tolerance, period,
					 run_along, lo, hi);
			} else {
				/* through a ring's first point: copied in a row */
				for (uint32_t q = 0; q < pts; q++) {
					scratch[2 * q] = xy[2 * ((run_first + q) % n)];
					scratch[2 * q + 1] = xy[2 * ((run_first + q) % n) + 1];
				}
				near_run(out, scratch, pts, st, tolerance, period, run_along, lo,
					 hi);
			}
			run_len = 0;
		}
		if (near) {
			if (!run_len) {
				run_first = i;
				run_along = along;
			}
			run_len++;
		}
		if (dashed && k < nseg)
			along += seg_len(xy + 2 * i, xy + 2 * j);
	}
}
