/* labels.c — collision-free, tile-independent label placement; see labels.h.
 *
 * Pipeline per call: (1) candidates are sorted into the global order;
 * (2) each valid candidate yields its positions ("spots") in world pixels,
 * in order, so a spot's index is its rank; (3) every spot gets its
 * collision boxes (padded), which go into a uniform grid; (4) LABEL_ROUNDS
 * rounds decide, each spot looking only at earlier spots: those of its own
 * candidate (one position per label), those whose boxes overlap its boxes,
 * and same-text line spots closer than repeat_px; (5) placed spots touching
 * the tile are written out in tile pixels.
 *
 * Invariants: spots of one candidate are consecutive; boxes of one spot are
 * consecutive; everything decided is computed from snapped world
 * coordinates and the candidates' content, in double.  The grid's cell size
 * depends on the extent of the input, but it only finds neighbours: the
 * decisions are exact box tests.  Memory stays in the workspace and is
 * reused across tiles. */
#include "labels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
/* Grid cells: at least this many px, at most this many per side. */
#define GRID_MIN_CELL 64.0
#define GRID_MAX_SIDE 128
/* Most positions of one candidate (LINE: middle, ±¼, ±½ text length). */
#define MAX_SPOTS 5

/* One candidate in the global order. */
struct ord {
	uint32_t cand;
	int32_t prio;
	uint64_t hash;          /* of text and feature id */
	uint64_t fid;
	const char *text;
	uint32_t len;
	double ax, ay;          /* world anchor (LINE: first point), for ties */
};

/* One position of one candidate. */
struct spot {
	uint32_t cand;          /* input index */
	uint32_t first;         /* index of the candidate's first spot */
	uint32_t box_first, box_count;
	double cx, cy;          /* centre, world px */
	double angle;           /* radians, (−π/2, π/2] */
	double hx, hy;          /* half extents of the padded rotated box's bounds */
	uint64_t name_hash;     /* of the text alone */
	uint32_t g_first, g_end; /* LINE: range of same-hash spots in name_order */
	int line;
};

struct box {
	double x0, y0, x1, y1;  /* world px, padded */
	uint32_t spot;
};

struct label_ws {
	struct ord *ord;
	uint32_t ord_cap;
	struct spot *spot;
	uint32_t spot_count, spot_cap;
	struct box *box;
	uint32_t box_count, box_cap;
	uint32_t *cell_first;   /* [cells + 1] CSR over box indices */
	uint32_t cell_cap;
	uint32_t *cell_items;
	uint32_t items_cap;
	uint32_t *name_order;   /* line spots sorted by (name hash, text, index) */
	uint32_t name_cap;
	uint8_t *st;            /* [2 × spots]: placed in the previous round, in this one */
	uint32_t st_cap;
	double *cum;            /* LINE scratch: world points then arc lengths */
	uint32_t cum_cap;
	struct label_placed *out;
	uint32_t out_cap;
	/* grid geometry of the current call */
	double gx0, gy0, cell;
	int gw, gh;
	const struct label_cand *cands; /* borrowed during the call */
};

static int grow(void *pp, uint32_t *cap, uint64_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	if (need > UINT32_MAX / 2)
		return -1;
	uint64_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *n = realloc(*(void **)pp, (size_t)c * elem);
	if (!n)
		return -1;
	*(void **)pp = n;
	*cap = (uint32_t)c;
	return 0;
}

struct label_ws *label_ws_new(void)
{
	return calloc(1, sizeof(struct label_ws));
}

void label_ws_free(struct label_ws *w)
{
	if (!w)
		return;
	free(w->ord);
	free(w->spot);
	free(w->box);
	free(w->cell_first);
	free(w->cell_items);
	free(w->name_order);
	free(w->st);
	free(w->cum);
	free(w->out);
	free(w);
}

/* ---- Order ---- */

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* splitmix64's finaliser: FNV's low bits alone mix poorly. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ x >> 31;
}

static uint64_t name_hash(const char *text, uint32_t len)
{
	return mix64(fnv1a(0xcbf29ce484222325ull, text, len));
}

static int text_cmp(const char *a, uint32_t al, const char *b, uint32_t bl)
{
	int c = al && bl ? memcmp(a, b, al < bl ? al : bl) : 0; /* a may be NULL when al is 0 */
	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

static int ord_cmp(const void *pa, const void *pb)
{
	const struct ord *a = pa, *b = pb;
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->fid != b->fid)
		return a->fid < b->fid ? -1 : 1;
	int c = text_cmp(a->text, a->len, b->text, b->len);
	if (c)
		return c;
	if (a->ax != b->ax)
		return a->ax < b->ax ? -1 : 1;
	if (a->ay != b->ay)
		return a->ay < b->ay ? -1 : 1;
	/* Only exact duplicates get here; they place identically either way. */
	return a->cand < b->cand ? -1 : a->cand > b->cand;
}

/* World position of a tile pixel, snapped so that tiles that rounded the
 * same world point to float differently still agree. */
static double snap(double origin, float v)
{
	return nearbyint((origin + (double)v) * 256.0) / 256.0;
}

/* ---- Positions ---- */

static int finite_pos(float v)
{
	return isfinite(v) && fabsf(v) < 1e9f;
}

/* Appends one spot with its collision boxes; -1 when out of memory. */
static int add_spot(struct label_ws *w, uint32_t cand, uint32_t first, double cx, double cy,
		    double angle, const struct label_cand *c, const struct label_opts *o)
{
	if (grow(&w->spot, &w->spot_cap, (uint64_t)w->spot_count + 1, sizeof *w->spot) ||
	    grow(&w->box, &w->box_cap, (uint64_t)w->box_count + LABEL_MAX_BOXES, sizeof *w->box))
		return -1;
	double pad = o->pad_px > 0 && isfinite(o->pad_px) ? o->pad_px : 0;
	double len = c->w + 2 * pad, hgt = c->h + 2 * pad;
	double ca = fabs(cos(angle)), sa = fabs(sin(angle));
	if (angle == 0) /* point labels: exact, whatever cos(0) rounds to */
		ca = 1, sa = 0;
	struct spot *s = &w->spot[w->spot_count];
	s->cand = cand;
	s->first = first;
	s->cx = cx;
	s->cy = cy;
	s->angle = angle;
	s->hx = len / 2 * ca + hgt / 2 * sa;
	s->hy = len / 2 * sa + hgt / 2 * ca;
	s->line = c->kind == LABEL_LINE;
	s->name_hash = name_hash(c->text, c->text_len);
	s->g_first = s->g_end = 0;
	s->box_first = w->box_count;
	/* A rotated box is covered by the bounds of n slices along it; one
	 * bounding box suffices when it is nearly axis-aligned. */
	uint32_t n = 1;
	if (len * sa > hgt / 4 && len * ca > hgt / 4) {
		double k = ceil(len / hgt);
		n = k > LABEL_MAX_BOXES ? LABEL_MAX_BOXES : (uint32_t)k;
	}
	double dx = cos(angle), dy = sin(angle), piece = len / n;
	double phx = piece / 2 * ca + hgt / 2 * sa, phy = piece / 2 * sa + hgt / 2 * ca;
	if (n == 1)
		phx = s->hx, phy = s->hy;
	for (uint32_t i = 0; i < n; i++) {
		double t = -len / 2 + (i + 0.5) * piece;
		double px = n == 1 ? cx : cx + t * dx, py = n == 1 ? cy : cy + t * dy;
		struct box *b = &w->box[w->box_count++];
		b->x0 = px - phx;
		b->x1 = px + phx;
		b->y0 = py - phy;
		b->y1 = py + phy;
		b->spot = w->spot_count;
	}
	s->box_count = n;
	w->spot_count++;
	return 0;
}

/* Point on the polyline (world xy[2k], arc lengths cum[k]) at arc length d. */
static void point_at(const double *xy, const double *cum, uint32_t n, double d, double *x,
		     double *y)
{
	uint32_t lo = 0, hi = n - 1; /* cum[lo] ≤ d ≤ cum[hi] */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (cum[mid] <= d)
			lo = mid;
		else
			hi = mid;
	}
	double seg = cum[hi] - cum[lo];
	double t = seg > 0 ? (d - cum[lo]) / seg : 0;
	*x = xy[2 * lo] + t * (xy[2 * hi] - xy[2 * lo]);
	*y = xy[2 * lo + 1] + t * (xy[2 * hi + 1] - xy[2 * lo + 1]);
}

static int line_spots(struct label_ws *w, const struct label_tile *t, uint32_t cand,
		      const struct label_cand *c, const struct label_opts *o)
{
	if (!c->xy || c->n < 2)
		return 0;
	if (grow(&w->cum, &w->cum_cap, (uint64_t)c->n * 3, sizeof *w->cum))
		return -1;
	double *xy = w->cum, *cum = w->cum + 2 * (size_t)c->n;
	for (uint32_t k = 0; k < c->n; k++) {
		if (!finite_pos(c->xy[2 * k]) || !finite_pos(c->xy[2 * k + 1]))
			return 0;
		xy[2 * k] = snap(t->x0, c->xy[2 * k]);
		xy[2 * k + 1] = snap(t->y0, c->xy[2 * k + 1]);
		cum[k] = k ? cum[k - 1] + hypot(xy[2 * k] - xy[2 * k - 2], xy[2 * k + 1] - xy[2 * k - 1]) : 0;
	}
	double total = cum[c->n - 1], half = c->w / 2.0;
	if (total < c->w)
		return 0;
	double tol = o->straight_px > 0 ? o->straight_px : 0.25 * c->h;
	static const double step[MAX_SPOTS] = { 0, -0.25, 0.25, -0.5, 0.5 };
	uint32_t first = w->spot_count;
	for (int k = 0; k < MAX_SPOTS; k++) {
		double mid = total / 2 + step[k] * c->w;
		double s0 = mid - half, s1 = mid + half;
		if (s0 < 0 || s1 > total)
			continue;
		double ax, ay, bx, by;
		point_at(xy, cum, c->n, s0, &ax, &ay);
		point_at(xy, cum, c->n, s1, &bx, &by);
		double vx = bx - ax, vy = by - ay, chord = hypot(vx, vy);
		if (!(chord >= 0.5 * c->w) || chord <= 0)
			continue;
		int straight = 1;
		for (uint32_t i = 0; i < c->n && straight; i++) {
			if (cum[i] <= s0 || cum[i] >= s1)
				continue;
			double dist = fabs(vx * (xy[2 * i + 1] - ay) - vy * (xy[2 * i] - ax)) / chord;
			straight = dist <= tol;
		}
		if (!straight)
			continue;
		/* Never upside down: the baseline points right, or straight down. */
		double angle = atan2(vy, vx);
		if (angle > PI / 2)
			angle -= PI;
		else if (angle <= -PI / 2)
			angle += PI;
		if (add_spot(w, cand, first, (ax + bx) / 2, (ay + by) / 2, angle, c, o))
			return -1;
	}
	return 0;
}

static int point_spots(struct label_ws *w, const struct label_tile *t, uint32_t cand,
		       const struct label_cand *c, const struct label_opts *o)
{
	if (!finite_pos(c->x) || !finite_pos(c->y))
		return 0;
	double ax = snap(t->x0, c->x), ay = snap(t->y0, c->y);
	uint32_t first = w->spot_count;
	if (c->kind == LABEL_CENTER)
		return add_spot(w, cand, first, ax, ay, 0, c, o);
	double gap = isfinite(c->gap) && c->gap > 0 ? c->gap : 0;
	double dx = gap + c->w / 2.0, dy = gap + c->h / 2.0;
	if (add_spot(w, cand, first, ax + dx, ay, 0, c, o) ||
	    add_spot(w, cand, first, ax - dx, ay, 0, c, o) ||
	    add_spot(w, cand, first, ax, ay + dy, 0, c, o) ||
	    add_spot(w, cand, first, ax, ay - dy, 0, c, o))
		return -1;
	return 0;
}

/* ---- Neighbours ---- */

static int build_grid(struct label_ws *w)
{
	w->gw = w->gh = 0;
	if (!w->box_count)
		return 0;
	double x0 = w->box[0].x0, y0 = w->box[0].y0, x1 = w->box[0].x1, y1 = w->box[0].y1;
	for (uint32_t i = 1; i < w->box_count; i++) {
		const struct box *b = &w->box[i];
		x0 = fmin(x0, b->x0);
		y0 = fmin(y0, b->y0);
		x1 = fmax(x1, b->x1);
		y1 = fmax(y1, b->y1);
	}
	double span = fmax(x1 - x0, y1 - y0);
	w->cell = fmax(GRID_MIN_CELL, span / GRID_MAX_SIDE);
	w->gx0 = x0;
	w->gy0 = y0;
	w->gw = (int)((x1 - x0) / w->cell) + 1;
	w->gh = (int)((y1 - y0) / w->cell) + 1;
	if (w->gw > GRID_MAX_SIDE + 1)
		w->gw = GRID_MAX_SIDE + 1;
	if (w->gh > GRID_MAX_SIDE + 1)
		w->gh = GRID_MAX_SIDE + 1;
	uint32_t cells = (uint32_t)(w->gw * w->gh);
	if (grow(&w->cell_first, &w->cell_cap, (uint64_t)cells + 1, sizeof *w->cell_first))
		return -1;
	memset(w->cell_first, 0, ((size_t)cells + 1) * sizeof *w->cell_first);
	/* Two passes over the boxes: count per cell, then fill (CSR). */
	uint64_t items = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < w->box_count; i++) {
			const struct box *b = &w->box[i];
			int cx0 = (int)((b->x0 - w->gx0) / w->cell), cx1 = (int)((b->x1 - w->gx0) / w->cell);
			int cy0 = (int)((b->y0 - w->gy0) / w->cell), cy1 = (int)((b->y1 - w->gy0) / w->cell);
			if (cx1 >= w->gw)
				cx1 = w->gw - 1;
			if (cy1 >= w->gh)
				cy1 = w->gh - 1;
			for (int gy = cy0; gy <= cy1; gy++)
				for (int gx = cx0; gx <= cx1; gx++) {
					uint32_t cell = (uint32_t)(gy * w->gw + gx);
					if (pass == 0)
						w->cell_first[cell + 1]++;
					else
						w->cell_items[w->cell_first[cell]++] = i;
				}
		}
		if (pass == 0) {
			for (uint32_t k = 0; k < cells; k++)
				w->cell_first[k + 1] += w->cell_first[k];
			items = w->cell_first[cells];
			if (grow(&w->cell_items, &w->items_cap, items ? items : 1, sizeof *w->cell_items))
				return -1;
		}
	}
	/* The fill pass moved each start to the next cell's start: shift back. */
	for (uint32_t k = cells; k > 0; k--)
		w->cell_first[k] = w->cell_first[k - 1];
	w->cell_first[0] = 0;
	return 0;
}

static int boxes_overlap(const struct box *a, const struct box *b)
{
	return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

static int name_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct label_ws *w = ctx;
	const struct spot *a = &w->spot[*(const uint32_t *)pa], *b = &w->spot[*(const uint32_t *)pb];
	if (a->name_hash != b->name_hash)
		return a->name_hash < b->name_hash ? -1 : 1;
	const struct label_cand *ca = &w->cands[a->cand], *cb = &w->cands[b->cand];
	int c = text_cmp(ca->text, ca->text_len, cb->text, cb->text_len);
	if (c)
		return c;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	return ia < ib ? -1 : ia > ib;
}

/* Groups the line spots by text so the repeat rule finds its pairs. */
static int build_names(struct label_ws *w)
{
	uint32_t m = 0;
	if (grow(&w->name_order, &w->name_cap, (uint64_t)w->spot_count + 1, sizeof *w->name_order))
		return -1;
	for (uint32_t i = 0; i < w->spot_count; i++)
		if (w->spot[i].line)
			w->name_order[m++] = i;
	qsort_r(w->name_order, m, sizeof *w->name_order, name_cmp, w);
	for (uint32_t a = 0; a < m;) {
		uint32_t b = a + 1;
		const struct spot *s = &w->spot[w->name_order[a]];
		const struct label_cand *c = &w->cands[s->cand];
		while (b < m) {
			const struct spot *u = &w->spot[w->name_order[b]];
			const struct label_cand *cu = &w->cands[u->cand];
			if (u->name_hash != s->name_hash ||
			    text_cmp(c->text, c->text_len, cu->text, cu->text_len))
				break;
			b++;
		}
		for (uint32_t k = a; k < b; k++) {
			w->spot[w->name_order[k]].g_first = a;
			w->spot[w->name_order[k]].g_end = b;
		}
		a = b;
	}
	return 0;
}

/* Does an earlier spot that `st` marks placed conflict with spot i? */
static int blocked(const struct label_ws *w, uint32_t i, const uint8_t *st, double repeat2)
{
	const struct spot *s = &w->spot[i];
	for (uint32_t j = s->first; j < i; j++)
		if (st[j])
			return 1;
	for (uint32_t k = s->box_first; k < s->box_first + s->box_count; k++) {
		const struct box *b = &w->box[k];
		int cx0 = (int)((b->x0 - w->gx0) / w->cell), cx1 = (int)((b->x1 - w->gx0) / w->cell);
		int cy0 = (int)((b->y0 - w->gy0) / w->cell), cy1 = (int)((b->y1 - w->gy0) / w->cell);
		if (cx1 >= w->gw)
			cx1 = w->gw - 1;
		if (cy1 >= w->gh)
			cy1 = w->gh - 1;
		for (int gy = cy0; gy <= cy1; gy++)
			for (int gx = cx0; gx <= cx1; gx++) {
				uint32_t cell = (uint32_t)(gy * w->gw + gx);
				for (uint32_t e = w->cell_first[cell]; e < w->cell_first[cell + 1]; e++) {
					const struct box *o = &w->box[w->cell_items[e]];
					if (o->spot < i && st[o->spot] && boxes_overlap(b, o))
						return 1;
				}
			}
	}
	if (s->line && repeat2 > 0) {
		for (uint32_t g = s->g_first; g < s->g_end; g++) {
			uint32_t j = w->name_order[g];
			if (j >= i || !st[j])
				continue;
			double dx = w->spot[j].cx - s->cx, dy = w->spot[j].cy - s->cy;
			if (dx * dx + dy * dy < repeat2)
				return 1;
		}
	}
	return 0;
}

/* ---- The call ---- */

enum yz_err label_place(struct label_ws *w, const struct label_tile *t, const struct label_cand *c,
			uint32_t n, const struct label_opts *o, const struct label_placed **out,
			uint32_t *count)
{
	*out = NULL;
	*count = 0;
	w->spot_count = w->box_count = 0;
	w->cands = c;
	if (grow(&w->ord, &w->ord_cap, (uint64_t)n + 1, sizeof *w->ord))
		return YZ_ENOMEM;

	/* 1. the global order */
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct label_cand *k = &c[i];
		if (!(k->w > 0) || !(k->h > 0) || !isfinite(k->w) || !isfinite(k->h) ||
		    (!k->text && k->text_len))
			continue;
		if (k->kind != LABEL_LINE && k->kind != LABEL_BESIDE && k->kind != LABEL_CENTER)
			continue;
		float axf = k->kind == LABEL_LINE ? (k->xy && k->n ? k->xy[0] : NAN) : k->x;
		float ayf = k->kind == LABEL_LINE ? (k->xy && k->n ? k->xy[1] : NAN) : k->y;
		if (!finite_pos(axf) || !finite_pos(ayf))
			continue;
		struct ord *r = &w->ord[m++];
		r->cand = i;
		r->prio = k->priority;
		r->text = k->text ? k->text : "";
		r->len = k->text_len;
		r->fid = k->feature_id;
		r->hash = mix64(fnv1a(fnv1a(0xcbf29ce484222325ull, r->text, r->len), &r->fid,
				      sizeof r->fid));
		r->ax = snap(t->x0, axf);
		r->ay = snap(t->y0, ayf);
	}
	qsort(w->ord, m, sizeof *w->ord, ord_cmp);

	/* 2, 3. positions and their boxes, in that order */
	for (uint32_t r = 0; r < m; r++) {
		uint32_t i = w->ord[r].cand;
		int e = c[i].kind == LABEL_LINE ? line_spots(w, t, i, &c[i], o)
						: point_spots(w, t, i, &c[i], o);
		if (e)
			return YZ_ENOMEM;
	}
	if (build_grid(w) || build_names(w))
		return YZ_ENOMEM;

	/* 4. rounds: start from "all placed", then "no earlier conflict placed" */
	uint32_t ns = w->spot_count;
	if (grow(&w->st, &w->st_cap, 2 * (uint64_t)ns + 2, 1))
		return YZ_ENOMEM;
	uint8_t *prev = w->st, *cur = w->st + ns;
	memset(prev, 1, ns);
	double rep = o->repeat_px > 0 && isfinite(o->repeat_px) ? o->repeat_px : 0;
	for (int round = 0; round < LABEL_ROUNDS; round++) {
		for (uint32_t i = 0; i < ns; i++)
			cur[i] = !blocked(w, i, prev, rep * rep);
		uint8_t *tmp = prev;
		prev = cur;
		cur = tmp;
	}

	/* 5. what touches the tile */
	uint32_t placed = 0;
	for (uint32_t i = 0; i < ns; i++)
		placed += prev[i];
	if (grow(&w->out, &w->out_cap, (uint64_t)placed + 1, sizeof *w->out))
		return YZ_ENOMEM;
	uint32_t k = 0;
	for (uint32_t i = 0; i < ns; i++) {
		if (!prev[i])
			continue;
		const struct spot *s = &w->spot[i];
		double x = s->cx - t->x0, y = s->cy - t->y0;
		if (x + s->hx <= 0 || y + s->hy <= 0 || x - s->hx >= t->size || y - s->hy >= t->size)
			continue;
		struct label_placed *p = &w->out[k++];
		p->cand = s->cand;
		p->x = (float)x;
		p->y = (float)y;
		p->angle = (float)s->angle;
		p->x0 = (float)(x - s->hx);
		p->y0 = (float)(y - s->hy);
		p->x1 = (float)(x + s->hx);
		p->y1 = (float)(y + s->hy);
	}
	*out = w->out;
	*count = k;
	return YZ_OK;
}
