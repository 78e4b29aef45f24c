/* render.c — one tile: the style's visible layers in draw order.
 *
 * Geometry is selected through the grids: the tile's extent plus a margin
 * (the widest stroke and marker reach across tile edges, so neighbours draw
 * the same pixels along their shared edge and lines continue seamlessly).
 * Coordinates go lon/lat → world pixels of the zoom in double, then to float
 * pixels of the tile.  Each style layer becomes one path filled once with the
 * nonzero rule: strokes, rings and markers are polygons of one orientation,
 * so overlaps union instead of darkening.
 *
 * Labels come last in their style order: candidates from the roads' names
 * (along the segment) and the communities' names (at the box centre), placed
 * by labels.c in world coordinates so neighbouring tiles agree, drawn with
 * text.c's outlines and halos.
 *
 * The coverage overlay draws the roads of one mode's graph coloured by their
 * time to the nearest station (routing/coverage.h): each segment is cut
 * exactly where that time crosses a band's limit, the stretches beyond the
 * asked limit are the gaps (a flat colour and a dashed hatch line), and the
 * bands are painted from the farthest to the nearest so the near ones win
 * at junctions. */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/geo.h"
#include "labels.h"
#include "routing/snap.h"
#include "stroke.h"
#include "text.h"

#define RENDER_MAX_PX 512
#define MARGIN_PX 64.0  /* widest casing + marker radius, in 256-px tile pixels */
#define TOLERANCE 0.2f
#define DECIMATE_PX 0.25f
#define THIN_PX 1.5f       /* strokes thinner than this get plain joins and caps */  /* shape points closer than this to the previous one are dropped */

enum yz_err render_ws_init(struct render_ws *w)
{
	memset(w, 0, sizeof *w);
	path_init(&w->path);
	if (rast_init(&w->rast, RENDER_MAX_PX, RENDER_MAX_PX) ||
	    rast_canvas_init(&w->canvas, RENDER_MAX_PX, RENDER_MAX_PX) || pngenc_new(&w->png)) {
		render_ws_fini(w);
		return YZ_ENOMEM;
	}
	return YZ_OK;
}

void render_ws_fini(struct render_ws *w)
{
	rast_fini(&w->rast);
	rast_canvas_fini(&w->canvas);
	pngenc_free(w->png);
	path_fini(&w->path);
	free(w->xy);
	free(w->seg_stamp);
	free(w->seg_drawn);
	free(w->segs);
	free(w->near);
	text_shaper_free(w->shaper);
	label_ws_free(w->labels);
	free(w->cands);
	free(w->line_xy);
	free(w->stretch);
	free(w->feat_stamp);
	memset(w, 0, sizeof *w);
}

static struct rast_color to_rast(struct style_color c)
{
	return (struct rast_color){c.r, c.g, c.b, c.a};
}

static int xy_reserve(struct render_ws *w, uint32_t pts)
{
	if (pts <= w->xy_cap)
		return 0;
	uint32_t cap = w->xy_cap ? w->xy_cap : 1024;
	while (cap < pts)
		cap *= 2;
	float *n = realloc(w->xy, (size_t)cap * 2 * sizeof *n);
	if (!n)
		return -1;
	w->xy = n;
	w->xy_cap = cap;
	return 0;
}

/* Points [a, b) of e7 arrays → tile pixels at xy (interleaved x, y). */
static void project(float *xy, const struct tile_proj *p, const int32_t *lon_e7,
		    const int32_t *lat_e7, uint32_t a, uint32_t b)
{
	uint32_t i = a;
#ifdef __SSE2__
	/* two points at a time, the very operations of tile_px_x and
	 * tile_px_y (so the same bits); a pair with a point beyond the row
	 * series' reach goes the scalar way below */
	const __m128d e7 = _mm_set1_pd(GEO_E7), c180 = _mm_set1_pd(180.0);
	const __m128d ppd = _mm_set1_pd(p->px_per_deg), x0 = _mm_set1_pd(p->x0);
	const __m128d mid = _mm_set1_pd(p->lat_mid), reach = _mm_set1_pd(p->poly_reach);
	const __m128d nreach = _mm_set1_pd(-p->poly_reach);
	const __m128d c0 = _mm_set1_pd(p->poly[0]), c1 = _mm_set1_pd(p->poly[1]);
	const __m128d c2 = _mm_set1_pd(p->poly[2]), c3 = _mm_set1_pd(p->poly[3]);
	const __m128d c4 = _mm_set1_pd(p->poly[4]);
	for (; i + 2 <= b; i += 2) {
		__m128i lo = _mm_loadl_epi64((const __m128i *)(lon_e7 + i));
		__m128i la = _mm_loadl_epi64((const __m128i *)(lat_e7 + i));
		__m128d lon = _mm_div_pd(_mm_cvtepi32_pd(lo), e7);
		__m128d lat = _mm_div_pd(_mm_cvtepi32_pd(la), e7);
		__m128d d = _mm_sub_pd(lat, mid);
		if (_mm_movemask_pd(_mm_and_pd(_mm_cmple_pd(d, reach), _mm_cmpge_pd(d, nreach))) != 3) {
			for (uint32_t k = i; k < i + 2; k++) {
				xy[2 * (k - a)] = (float)tile_px_x(p, geo_from_e7(lon_e7[k]));
				xy[2 * (k - a) + 1] = (float)tile_px_y(p, geo_from_e7(lat_e7[k]));
			}
			continue;
		}
		__m128d x = _mm_sub_pd(_mm_mul_pd(_mm_add_pd(lon, c180), ppd), x0);
		__m128d y = _mm_add_pd(c3, _mm_mul_pd(d, c4));
		y = _mm_add_pd(c2, _mm_mul_pd(d, y));
		y = _mm_add_pd(c1, _mm_mul_pd(d, y));
		y = _mm_add_pd(c0, _mm_mul_pd(d, y));
		_mm_storeu_ps(xy + 2 * (i - a), _mm_unpacklo_ps(_mm_cvtpd_ps(x), _mm_cvtpd_ps(y)));
	}
#endif
	for (; i < b; i++) {
		xy[2 * (i - a)] = (float)tile_px_x(p, geo_from_e7(lon_e7[i]));
		xy[2 * (i - a) + 1] = (float)tile_px_y(p, geo_from_e7(lat_e7[i]));
	}
}

/* The same into the workspace's scratch polyline; -1 on ENOMEM. */
static int project_ws(struct render_ws *w, const struct tile_proj *p, const int32_t *lon_e7,
		      const int32_t *lat_e7, uint32_t a, uint32_t b)
{
	if (xy_reserve(w, b - a))
		return -1;
	project(w->xy, p, lon_e7, lat_e7, a, b);
	return 0;
}

/* A closed ring of n points (the last repeating the first) as a fill ring,
 * cut to a pixel beyond the tile: a fill reaches no further than its ring. */
static void add_ring(struct path *out, const struct tile_proj *p, const float *xy, uint32_t n)
{
	if (n > 1)
		path_ring_in_box(out, xy, n - 1, -1.0f, (float)p->size + 1.0f);
}

/* Collect the segments whose pieces touch the tile's extent (deduplicated). */
static int select_segments(struct render_ws *w, const struct render_data *d,
			   const struct tile_proj *p, double margin)
{
	const struct network *net = d->net;
	w->seg_count = 0;
	if (!net || !net->seg_count)
		return 0;
	if (w->seg_cap < net->seg_count) {
		free(w->seg_stamp);
		free(w->seg_drawn);
		w->seg_stamp = calloc(net->seg_count, sizeof *w->seg_stamp);
		w->seg_drawn = calloc(net->seg_count, sizeof *w->seg_drawn);
		if (!w->seg_stamp || !w->seg_drawn) {
			free(w->seg_stamp);
			free(w->seg_drawn);
			w->seg_stamp = w->seg_drawn = NULL;
			w->seg_cap = 0;
			return -1;
		}
		w->seg_cap = net->seg_count;
		w->stamp = 0;
		w->drawn_stamp = 0;
	}
	if (++w->stamp == 0) {
		memset(w->seg_stamp, 0, (size_t)w->seg_cap * sizeof *w->seg_stamp);
		w->stamp = 1;
	}
	double minx, miny, maxx, maxy;
	tile_bounds(p, margin, &minx, &miny, &maxx, &maxy);
	const struct grid *g = d->seg_grid ? d->seg_grid : d->piece_grid;
	int32_t cx0, cy0, cx1, cy1;
	grid_cell_of(g, geo_to_e7(minx), geo_to_e7(miny), &cx0, &cy0);
	grid_cell_of(g, geo_to_e7(maxx), geo_to_e7(maxy), &cx1, &cy1);
	/* the grid clamps: a tile entirely outside it selects nothing */
	if (geo_to_e7(maxx) < g->min_lon_e7 || geo_to_e7(maxy) < g->min_lat_e7)
		return 0;
	for (int32_t y = cy0; y <= cy1; y++) {
		for (int32_t x = cx0; x <= cx1; x++) {
			size_t cell = (size_t)y * g->cols + (size_t)x;
			for (uint32_t i = g->cell_first[cell]; i < g->cell_first[cell + 1]; i++) {
				uint32_t s = d->seg_grid ? g->cell_items[i]
							 : network_piece_seg(net, g->cell_items[i]);
				if (w->seg_stamp[s] == w->stamp)
					continue;
				w->seg_stamp[s] = w->stamp;
				if (w->seg_count == w->segs_cap) {
					uint32_t cap = w->segs_cap ? w->segs_cap * 2 : 4096;
					uint32_t *n = realloc(w->segs, (size_t)cap * sizeof *n);
					if (!n)
						return -1;
					w->segs = n;
					w->segs_cap = cap;
				}
				w->segs[w->seg_count++] = s;
			}
		}
	}
	return 0;
}

static void stroke_style_of(const struct style_line *l, float width, float scale,
			    struct stroke_style *st, float *dash)
{
	memset(st, 0, sizeof *st);
	st->width = width;
	st->join = l->join == STYLE_JOIN_MITER   ? STROKE_JOIN_MITER
		   : l->join == STYLE_JOIN_BEVEL ? STROKE_JOIN_BEVEL
						 : STROKE_JOIN_ROUND;
	st->cap = l->cap == STYLE_CAP_ROUND    ? STROKE_CAP_ROUND
		  : l->cap == STYLE_CAP_SQUARE ? STROKE_CAP_SQUARE
					       : STROKE_CAP_BUTT;
	st->miter_limit = 4;
	/* Under THIN_PX a round join or cap differs from a bevel or a butt end
	 * by less than a tenth of a pixel of coverage, but costs an arc of
	 * edges at every shape point. */
	if (width < THIN_PX) {
		if (st->join == STROKE_JOIN_ROUND)
			st->join = STROKE_JOIN_BEVEL;
		if (st->cap == STROKE_CAP_ROUND)
			st->cap = STROKE_CAP_BUTT;
	}
	for (unsigned i = 0; i < l->ndash; i++)
		dash[i] = l->dash[i] * scale;
	st->dash = l->ndash ? dash : NULL;
	st->dash_count = l->ndash;
}

/* Drop the points of xy[0..2n) that lie within `tol` px of the last kept
 * one (the last point is always kept), in place; returns the new count.  At
 * low zooms most shape points of a road fall within a fraction of a pixel
 * of each other: stroking them costs joins that draw nothing visible. */
static uint32_t decimate(float *xy, uint32_t n, float tol)
{
	if (n < 3)
		return n;
	uint32_t k = 1;
	float t2 = tol * tol;
	for (uint32_t i = 1; i + 1 < n; i++) {
		float dx = xy[2 * i] - xy[2 * (k - 1)], dy = xy[2 * i + 1] - xy[2 * (k - 1) + 1];
		if (dx * dx + dy * dy < t2)
			continue;
		xy[2 * k] = xy[2 * i];
		xy[2 * k + 1] = xy[2 * i + 1];
		k++;
	}
	xy[2 * k] = xy[2 * (n - 1)];
	xy[2 * k + 1] = xy[2 * (n - 1) + 1];
	return k + 1;
}

/* How far beyond the tile a line of style st is drawn, px: its reach
 * (stroke_reach), at most MARGIN_PX. */
static float near_margin(const struct tile_proj *p, const struct stroke_style *st)
{
	float margin = (float)(MARGIN_PX * p->size / TILE_SIZE), reach = stroke_reach(st);
	return reach < margin ? reach : margin;
}

/* Strokes the polyline w->xy[0..n) (closed: a ring) where it comes near the
 * tile: within the stroke's reach, capped at MARGIN_PX
 * (stroke_polyline_near).  A thin line's segments just beyond the tile's
 * edge, which the selection's margin brings in, then cost nothing.  -1 on
 * ENOMEM. */
static int stroke_near(struct render_ws *w, const struct tile_proj *p, uint32_t n, int closed,
		       const struct stroke_style *st)
{
	float margin = near_margin(p, st);
	/* room behind the points for stroke_polyline_near's scratch */
	if (closed && xy_reserve(w, 2 * n + 1))
		return -1;
	stroke_polyline_near(&w->path, w->xy, n, closed, st, TOLERANCE, -margin,
			     (float)p->size + margin, w->xy + 2 * (size_t)n);
	return 0;
}

/* Whether segment s goes into the current stroke_roads pass: taken for the
 * tile, of the pass's classes, not stroked yet. */
static int chain_usable(const struct render_ws *w, const struct network *net, uint32_t s,
			uint32_t mask)
{
	return w->seg_stamp[s] == w->stamp && (mask & (1u << net->seg_class[s])) &&
	       w->seg_drawn[s] != w->drawn_stamp;
}

/* Projects points [a, b) of the e7 arrays onto w->xy from point n on and
 * thins them as a line of their own (decimate: the ends stay).  Returns
 * the new point count, or UINT32_MAX on ENOMEM. */
static uint32_t append_thinned(struct render_ws *w, const struct tile_proj *p, const int32_t *lon_e7,
			       const int32_t *lat_e7, uint32_t a, uint32_t b, uint32_t n)
{
	if (xy_reserve(w, n + (b - a)))
		return UINT32_MAX;
	float *xy = w->xy + 2 * (size_t)n;
	project(xy, p, lon_e7, lat_e7, a, b);
	return n + decimate(xy, b - a, DECIMATE_PX);
}

/* Projects segment s onto w->xy from point n on, thinned as a line of its
 * own (decimate: its ends stay), then walked from its end `from` (0: its
 * first point).  Thinning in the segment's own order, whatever the walk's,
 * gives every tile the same points.  The first point goes over point n − 1
 * when `join` (the previous segment ended on that node).  Returns the new
 * count, or UINT32_MAX on ENOMEM. */
static uint32_t append_seg(struct render_ws *w, const struct network *net, const struct tile_proj *p,
			   uint32_t s, unsigned from, int join, uint32_t n)
{
	uint32_t at = join ? n - 1 : n;
	uint32_t m = append_thinned(w, p, net->pt_lon_e7, net->pt_lat_e7, net->seg_pt_first[s],
				    net->seg_pt_first[s + 1], at);
	if (m == UINT32_MAX)
		return m;
	uint32_t k = m - at;
	float *xy = w->xy + 2 * (size_t)at;
	if (from)
		for (uint32_t i = 0, j = k - 1; i < j; i++, j--) {
			float tx = xy[2 * i], ty = xy[2 * i + 1];
			xy[2 * i] = xy[2 * j];
			xy[2 * i + 1] = xy[2 * j + 1];
			xy[2 * j] = tx;
			xy[2 * j + 1] = ty;
		}
	return m;
}

/* Projects the chain through segment s (roadchain.h) — the segments linked
 * end to end with it that this pass takes — into w->xy, marking them
 * stroked.  Returns the point count, or UINT32_MAX on ENOMEM; *ring is set
 * when the chain closes on itself (its last point is then its first). */
static uint32_t project_chain(struct render_ws *w, const struct render_data *d,
			      const struct tile_proj *p, uint32_t s, uint32_t mask, int *ring)
{
	const struct network *net = d->net;
	const uint32_t *link = d->chain->link;
	/* back to the chain's first segment and the end it starts from (a
	 * cycle comes back to s: it starts there) */
	uint32_t c = s;
	unsigned from = 0;
	for (;;) {
		uint32_t l = link[2 * c + from];
		if (l == ROADCHAIN_NONE || !chain_usable(w, net, l / 2, mask) || l / 2 == s)
			break;
		c = l / 2;
		from = 1 - l % 2; /* the previous one is entered at its other end */
	}
	uint32_t n = 0, start = c, start_from = from;
	*ring = 0;
	for (int join = 0;; join = 1) {
		w->seg_drawn[c] = w->drawn_stamp;
		n = append_seg(w, net, p, c, from, join, n);
		if (n == UINT32_MAX)
			return n;
		uint32_t l = link[2 * c + 1 - from];
		if (l == ROADCHAIN_NONE)
			return n;
		if (!chain_usable(w, net, l / 2, mask)) {
			*ring = l / 2 == start && l % 2 == start_from && n > 2;
			return n;
		}
		c = l / 2;
		from = l % 2;
	}
}

/* Append the roads of `mask` as strokes of `width` px: chained segments
 * (d->chain) as one line, unless dashed — a chain's pattern would start
 * wherever the tile picks the chain up, so a dashed line keeps starting it
 * at every segment's first point, the same in every tile. */
static int stroke_roads(struct render_ws *w, const struct render_data *d, const struct tile_proj *p,
			uint32_t mask, const struct stroke_style *st)
{
	const struct network *net = d->net;
	int chained = d->chain && d->chain->seg_count == net->seg_count && !st->dash_count;
	if (chained && ++w->drawn_stamp == 0) {
		memset(w->seg_drawn, 0, (size_t)w->seg_cap * sizeof *w->seg_drawn);
		w->drawn_stamp = 1;
	}
	for (uint32_t k = 0; k < w->seg_count; k++) {
		uint32_t s = w->segs[k], n;
		if (!(mask & (1u << net->seg_class[s])))
			continue;
		if (chained) {
			if (w->seg_drawn[s] == w->drawn_stamp)
				continue;
			int ring;
			n = project_chain(w, d, p, s, mask, &ring);
			if (n == UINT32_MAX || stroke_near(w, p, ring ? n - 1 : n, ring, st))
				return -1;
			continue;
		}
		uint32_t a = net->seg_pt_first[s], b = net->seg_pt_first[s + 1];
		if (project_ws(w, p, net->pt_lon_e7, net->pt_lat_e7, a, b))
			return -1;
		n = b - a;
		if (stroke_near(w, p, decimate(w->xy, n, DECIMATE_PX), 0, st))
			return -1;
	}
	return w->path.failed ? -1 : 0;
}

/* A road line's width at the zoom, px; with `casing`, its casing's (the
 * line plus the casing on both sides). */
static float road_width(const struct style_line *l, float zoom, float scale, int casing)
{
	float width = style_eval_width(&l->width, zoom) * scale;
	if (casing)
		width += 2 * style_eval_width(&l->casing_width, zoom) * scale;
	return width;
}

static int draw_road_run(struct render_ws *w, const struct render_data *d,
			 const struct style_layer *first, const struct tile_proj *p, float zoom,
			 float scale, int casing)
{
	/* one layer of the run: its casing pass or its line pass */
	const struct style_line *l = &first->line;
	struct stroke_style st;
	float dash[STYLE_MAX_DASH];
	struct style_color col = l->color;
	if (casing && !l->has_casing)
		return 0;
	stroke_style_of(l, road_width(l, zoom, scale, casing), scale, &st, dash);
	if (casing) {
		st.dash = NULL;
		st.dash_count = 0;
		col = l->casing_color;
	}
	if (st.width <= 0 || col.a == 0)
		return 0;
	path_reset(&w->path);
	if (stroke_roads(w, d, p, first->class_mask, &st))
		return -1;
	rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(col), &w->canvas);
	return 0;
}

/* Whether a base-map feature kind belongs to a style source. */
static int kind_in_source(unsigned kind, enum style_source src)
{
	switch (src) {
	case STYLE_SRC_LAND:
		return kind == MAPFEAT_RESIDENTIAL || kind == MAPFEAT_COMMERCIAL ||
		       kind == MAPFEAT_RETAIL || kind == MAPFEAT_INDUSTRIAL;
	case STYLE_SRC_WATER:
		return kind == MAPFEAT_WATER || kind == MAPFEAT_RIVER || kind == MAPFEAT_STREAM;
	case STYLE_SRC_GREEN:
		return kind == MAPFEAT_GREEN;
	case STYLE_SRC_BUILDING:
		return kind == MAPFEAT_BUILDING;
	default:
		return 0;
	}
}

/* Base-map areas (fill: their rings) or lines (line: rivers, streams). */
/* Append feature i's parts of the layer's kind (rings or strokes) when its
 * box meets [x0, x1] × [y0, y1]. */
static int draw_feature(struct render_ws *w, const struct mapfeat_set *f, uint32_t i,
			const struct style_layer *l, const struct tile_proj *p, int32_t x0, int32_t y0,
			int32_t x1, int32_t y1, const struct stroke_style *st)
{
	const int32_t *b = &f->bbox[4 * i];
	if (b[2] < x0 || b[0] > x1 || b[3] < y0 || b[1] > y1)
		return 0;
	if (!kind_in_source(f->kind[i], l->source))
		return 0;
	for (uint32_t q = f->part_first[i]; q < f->part_first[i + 1]; q++) {
		int line = (f->part_flags[q] & MAPFEAT_LINE) != 0;
		if (line != (l->type == STYLE_LINE))
			continue;
		uint32_t a = f->part_pt_first[q], e = f->part_pt_first[q + 1];
		if (project_ws(w, p, f->pt_lon_e7, f->pt_lat_e7, a, e))
			return -1;
		if (line) {
			if (stroke_near(w, p, e - a, 0, st))
				return -1;
		} else
			add_ring(&w->path, p, w->xy, e - a);
	}
	return 0;
}

static int draw_features(struct render_ws *w, const struct render_data *d,
			 const struct style_layer *l, const struct tile_proj *p, float zoom,
			 float scale)
{
	const struct mapfeat_set *f = d->feat;
	if (!f || !f->count)
		return 0;
	double minx, miny, maxx, maxy;
	tile_bounds(p, MARGIN_PX * scale, &minx, &miny, &maxx, &maxy);
	int32_t x0 = geo_to_e7(minx), y0 = geo_to_e7(miny), x1 = geo_to_e7(maxx), y1 = geo_to_e7(maxy);
	struct stroke_style st = {0};
	float dash[STYLE_MAX_DASH];
	if (l->type == STYLE_LINE)
		stroke_style_of(&l->line, style_eval_width(&l->line.width, zoom) * scale, scale, &st,
				dash);
	path_reset(&w->path);
	/* The features whose boxes meet the tile: through the grid's cells,
	 * each feature once (a stamp), or all of them without a grid. */
	const struct grid *g = d->feat_grid;
	if (!g || !g->cell_first) {
		for (uint32_t i = 0; i < f->count; i++)
			if (draw_feature(w, f, i, l, p, x0, y0, x1, y1, &st))
				return -1;
	} else {
		if (w->feat_cap < f->count) {
			free(w->feat_stamp);
			w->feat_stamp = calloc(f->count, sizeof *w->feat_stamp);
			if (!w->feat_stamp) {
				w->feat_cap = 0;
				return -1;
			}
			w->feat_cap = f->count;
			w->feat_cur = 0;
		}
		if (++w->feat_cur == 0) {
			memset(w->feat_stamp, 0, (size_t)w->feat_cap * sizeof *w->feat_stamp);
			w->feat_cur = 1;
		}
		int32_t cx0, cy0, cx1, cy1;
		grid_cell_of(g, x0, y0, &cx0, &cy0);
		grid_cell_of(g, x1, y1, &cx1, &cy1);
		for (int32_t cy = cy0; cy <= cy1; cy++)
			for (int32_t cx = cx0; cx <= cx1; cx++) {
				size_t cell = (size_t)cy * g->cols + (size_t)cx;
				for (uint32_t k = g->cell_first[cell]; k < g->cell_first[cell + 1]; k++) {
					uint32_t i = g->cell_items[k];
					if (w->feat_stamp[i] == w->feat_cur)
						continue;
					w->feat_stamp[i] = w->feat_cur;
					if (draw_feature(w, f, i, l, p, x0, y0, x1, y1, &st))
						return -1;
				}
			}
	}
	if (w->path.failed)
		return -1;
	struct style_color col = l->type == STYLE_FILL ? l->fill.color : l->line.color;
	rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(col), &w->canvas);
	return 0;
}

static int box_meets(const int32_t *a, const int32_t *b)
{
	return !(a[2] < b[0] || a[0] > b[2] || a[3] < b[1] || a[1] > b[3]);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* w->near: the items (of `count`) grid g lists in the cells meeting the
 * box, each once, ascending — the order a scan would take them (a
 * cluster's sums come out the same in every tile); all of them without a
 * grid.  The caller still tests each against the box.  -1 on ENOMEM. */
static int select_near(struct render_ws *w, const struct grid *g, uint32_t count, double minx,
		       double miny, double maxx, double maxy)
{
	int whole = !g || !g->cell_first || !g->cols || !g->rows;
	uint32_t want = whole ? count : 0;
	int32_t cx0 = 0, cy0 = 0, cx1 = -1, cy1 = -1;
	if (!whole) {
		/* the box in e7 within the world (a low zoom's box, grown by a
		 * cluster cell, reaches past ±180°, beyond int32 in e7) */
		minx = minx < -180 ? -180 : minx, maxx = maxx > 180 ? 180 : maxx;
		miny = miny < -90 ? -90 : miny, maxy = maxy > 90 ? 90 : maxy;
		grid_cell_of(g, geo_to_e7(minx), geo_to_e7(miny), &cx0, &cy0);
		grid_cell_of(g, geo_to_e7(maxx), geo_to_e7(maxy), &cx1, &cy1);
		for (int32_t y = cy0; y <= cy1; y++)
			want += g->cell_first[(size_t)y * g->cols + (size_t)cx1 + 1] -
				g->cell_first[(size_t)y * g->cols + (size_t)cx0];
	}
	if (want > w->near_cap) {
		uint32_t *n = realloc(w->near, (size_t)want * sizeof *n);
		if (!n)
			return -1;
		w->near = n;
		w->near_cap = want;
	}
	w->near_count = 0;
	if (whole) {
		for (uint32_t i = 0; i < count; i++)
			w->near[w->near_count++] = i;
		return 0;
	}
	for (int32_t y = cy0; y <= cy1; y++) {
		size_t row = (size_t)y * g->cols;
		for (uint32_t i = g->cell_first[row + (size_t)cx0]; i < g->cell_first[row + (size_t)cx1 + 1]; i++)
			w->near[w->near_count++] = g->cell_items[i];
	}
	/* in order; a box over several cells is listed in each: once */
	if (w->near_count > 1)
		qsort(w->near, w->near_count, sizeof *w->near, u32_cmp);
	uint32_t k = 0;
	for (uint32_t i = 0; i < w->near_count; i++)
		if (k == 0 || w->near[i] != w->near[k - 1])
			w->near[k++] = w->near[i];
	w->near_count = k;
	return 0;
}

/* Projects chunks [c, e) of border line l (ringidx.h over the borders'
 * lines) onto w->xy as one line, each chunk thinned on its own (decimate
 * keeps its ends), so every tile gets the same points for a chunk wherever
 * its run starts.  Returns the point count, or UINT32_MAX on ENOMEM. */
static uint32_t project_chunks(struct render_ws *w, const struct render_data *d,
			       const struct tile_proj *p, uint32_t l, uint32_t c, uint32_t e)
{
	const struct borders *bd = d->borders;
	uint32_t a = bd->line_pt_first[l], nseg = bd->line_pt_first[l + 1] - a - 1;
	uint32_t c0 = d->border_idx->line_first[l], n = 0;
	for (uint32_t q = c; q < e; q++) {
		uint32_t i0 = (q - c0) * RINGIDX_CHUNK, i1 = i0 + RINGIDX_CHUNK;
		if (i1 > nseg)
			i1 = nseg;
		/* a chunk starts on the previous one's last point */
		n = append_thinned(w, p, bd->pt_lon_e7, bd->pt_lat_e7, a + i0, a + i1 + 1, n ? n - 1 : 0);
		if (n == UINT32_MAX)
			return n;
	}
	return n;
}

/* Strokes border line l where it comes near the tile, chunk by chunk
 * (ringidx.h): each run of consecutive chunks whose boxes meet `box` (the
 * tile grown by the stroke's reach) is projected and stroked as an open
 * line, its dash pattern (of `period` px, 0: solid) shifted by the line's
 * length before it.  A run ends on the line's own end or on a point of a
 * chunk beyond the box, where its end draws nothing visible.  A closed
 * line (a whole ring) whose first point is inside the box would have a run
 * end there, in sight (and a dashed ring restart its pattern there): it is
 * stroked whole, as a ring.  -1 on ENOMEM. */
static int stroke_border_chunks(struct render_ws *w, const struct render_data *d,
				const struct tile_proj *p, uint32_t l, const struct stroke_style *st,
				double period, const int32_t *box)
{
	const struct borders *bd = d->borders;
	const struct ringidx *ix = d->border_idx;
	uint32_t a = bd->line_pt_first[l], c0 = ix->line_first[l], c1 = ix->line_first[l + 1], n;
	int32_t lon = bd->pt_lon_e7[a], lat = bd->pt_lat_e7[a];
	if (bd->line_closed[l] && lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]) {
		n = project_chunks(w, d, p, l, c0, c1);
		if (n == UINT32_MAX)
			return -1;
		return n > 1 ? stroke_near(w, p, n - 1, 1, st) : 0;
	}
	for (uint32_t c = c0; c < c1;) {
		if (!box_meets(ix->box + 4 * (size_t)c, box)) {
			c++;
			continue;
		}
		uint32_t e = c + 1;
		while (e < c1 && box_meets(ix->box + 4 * (size_t)e, box))
			e++;
		n = project_chunks(w, d, p, l, c, e);
		if (n == UINT32_MAX)
			return -1;
		struct stroke_style rs = *st;
		if (period > 0)
			rs.dash_offset = (float)(st->dash_offset +
						 fmod(ix->along[c] * p->world_px / TILE_SIZE, period));
		if (stroke_near(w, p, n, 0, &rs))
			return -1;
		c = e;
	}
	return 0;
}

/* Community outlines from the borders (borders.h: each shared border
 * once), the lines whose boxes meet `box`: chunk by chunk when the chunk
 * index is there, else each line projected whole.  -1 on ENOMEM. */
static int stroke_borders(struct render_ws *w, const struct render_data *d,
			  const struct tile_proj *p, const struct stroke_style *st, double period,
			  const int32_t *box)
{
	const struct borders *bd = d->borders;
	if (select_near(w, d->border_grid, bd->line_count, geo_from_e7(box[0]), geo_from_e7(box[1]),
			geo_from_e7(box[2]), geo_from_e7(box[3])))
		return -1;
	for (uint32_t k = 0; k < w->near_count; k++) {
		uint32_t l = w->near[k];
		if (!box_meets(bd->line_box + 4 * (size_t)l, box))
			continue;
		if (d->border_idx) {
			if (stroke_border_chunks(w, d, p, l, st, period, box))
				return -1;
			continue;
		}
		uint32_t a = bd->line_pt_first[l], b = bd->line_pt_first[l + 1];
		if (project_ws(w, p, bd->pt_lon_e7, bd->pt_lat_e7, a, b) ||
		    stroke_near(w, p, bd->line_closed[l] ? b - a - 1 : b - a, bd->line_closed[l], st))
			return -1;
	}
	return 0;
}

/* Projects community ring r onto w->xy for a fill, chunk by chunk
 * (ringidx.h): a chunk whose box lies wholly beyond one side of `box` (the
 * tile grown past the pixel add_ring cuts at) gives only its first point.
 * The ring then runs straight from there to the next chunk's first point,
 * in the same half-plane beyond the cut, and the cut (Sutherland–Hodgman,
 * one side after another) makes of it what it made of the chunk: nothing
 * but the same crossings into the box, from the same edges.  So a tile
 * near a long coast projects the coast near it, not the whole ring, and
 * draws the same pixels.  Returns the point count (the last repeating the
 * first), or UINT32_MAX on ENOMEM. */
static uint32_t project_fill_ring(struct render_ws *w, const struct render_data *d,
				  const struct tile_proj *p, uint32_t r, const int32_t *box)
{
	const struct communityset *cs = d->comm;
	const struct ringidx *ix = d->comm_ring_idx;
	uint32_t a = cs->ring_pt_first[r], last = cs->ring_pt_first[r + 1] - 1, n = 0;
	if (xy_reserve(w, last - a + 1))
		return UINT32_MAX;
	for (uint32_t c = ix->line_first[r]; c < ix->line_first[r + 1]; c++) {
		uint32_t i0 = a + (c - ix->line_first[r]) * RINGIDX_CHUNK, i1 = i0 + RINGIDX_CHUNK;
		int beyond = !box_meets(ix->box + 4 * (size_t)c, box);
		if (beyond || i1 > last)
			i1 = beyond ? i0 + 1 : last;
		project(w->xy + 2 * (size_t)n, p, cs->pt_lon_e7, cs->pt_lat_e7, i0, i1);
		n += i1 - i0;
	}
	project(w->xy + 2 * (size_t)n, p, cs->pt_lon_e7, cs->pt_lat_e7, last, last + 1);
	return n + 1;
}

/* Every ring of the communities whose boxes meet the tile's, into w->path:
 * as it is (fill) or stroked (line).  -1 on ENOMEM. */
static int draw_rings(struct render_ws *w, const struct render_data *d, const struct style_layer *l,
		      const struct tile_proj *p, const struct stroke_style *st, double minx,
		      double miny, double maxx, double maxy)
{
	const struct communityset *cs = d->comm;
	/* what add_ring cuts at (a pixel beyond the tile), and one more */
	double cx0, cy0, cx1, cy1;
	tile_bounds(p, 2.0, &cx0, &cy0, &cx1, &cy1);
	const int32_t cut[4] = {geo_to_e7(cx0), geo_to_e7(cy0), geo_to_e7(cx1), geo_to_e7(cy1)};
	for (uint32_t c = 0; c < cs->count; c++) {
		const struct community *cm = &cs->items[c];
		if (geo_from_e7(cm->max_lon_e7) < minx || geo_from_e7(cm->min_lon_e7) > maxx ||
		    geo_from_e7(cm->max_lat_e7) < miny || geo_from_e7(cm->min_lat_e7) > maxy)
			continue;
		for (uint32_t r = cm->ring_first; r < cm->ring_first + cm->ring_count; r++) {
			uint32_t a = cs->ring_pt_first[r], b = cs->ring_pt_first[r + 1];
			if (l->type == STYLE_FILL && d->comm_ring_idx && b - a > 1) {
				uint32_t n = project_fill_ring(w, d, p, r, cut);
				if (n == UINT32_MAX)
					return -1;
				add_ring(&w->path, p, w->xy, n);
				continue;
			}
			if (project_ws(w, p, cs->pt_lon_e7, cs->pt_lat_e7, a, b))
				return -1;
			if (l->type == STYLE_FILL)
				add_ring(&w->path, p, w->xy, b - a);
			else if (stroke_near(w, p, b - a - 1, 1, st))
				return -1;
		}
	}
	return 0;
}

/* Community polygons (fill) or their outlines (line). */
static int draw_communities(struct render_ws *w, const struct render_data *d,
			    const struct style_layer *l, const struct tile_proj *p, float zoom,
			    float scale)
{
	const struct communityset *cs = d->comm;
	if (!cs || !cs->count)
		return 0;
	double minx, miny, maxx, maxy;
	tile_bounds(p, MARGIN_PX * scale, &minx, &miny, &maxx, &maxy);
	path_reset(&w->path);
	struct stroke_style st = {0};
	float dash[STYLE_MAX_DASH];
	double period = 0;
	int32_t box[4] = {0};
	if (l->type == STYLE_LINE) {
		stroke_style_of(&l->line, style_eval_width(&l->line.width, zoom) * scale, scale, &st,
				dash);
		/* the lines a stroke can reach the tile from */
		double bx0, by0, bx1, by1;
		tile_bounds(p, near_margin(p, &st), &bx0, &by0, &bx1, &by1);
		box[0] = geo_to_e7(bx0), box[1] = geo_to_e7(by0);
		box[2] = geo_to_e7(bx1), box[3] = geo_to_e7(by1);
		period = stroke_dash_period(&st);
	}
	if (l->type == STYLE_LINE && d->borders) {
		if (stroke_borders(w, d, p, &st, period, box))
			return -1;
	} else if (draw_rings(w, d, l, p, &st, minx, miny, maxx, maxy)) {
		return -1;
	}
	if (w->path.failed)
		return -1;
	struct style_color col = l->type == STYLE_FILL ? l->fill.color : l->line.color;
	rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(col), &w->canvas);
	return 0;
}


struct cluster {
	double x, y;   /* sum of world pixel positions */
	uint32_t n;
	int64_t key;   /* world cell */
};

/* Station markers; below the cluster zoom, stations in one grid cell of the
 * world merge into one larger marker at their mean position. */
/* A cluster's marker radius: grows with the log of its count; a lone
 * station keeps the plain marker's radius r. */
static float cluster_radius(const struct cluster *k, float cr, float r)
{
	return k->n > 1 ? cr * (1.0f + 0.25f * log10f((float)k->n)) : r;
}

/* Clusters' outlines and their counts, in the cluster's own colours; counts
 * over 999 read "999+".  Without a font the counts are left out. */
static int draw_cluster_marks(struct render_ws *w, const struct render_data *d,
			      const struct style_circle *c, const struct tile_proj *p, float zoom,
			      float scale, const struct cluster *cl, unsigned ncl, float r)
{
	float cr = style_eval_width(&c->cluster_radius, zoom) * scale;
	float csw = style_eval_width(&c->cluster_stroke_width, zoom) * scale;
	float margin = MARGIN_PX * scale;
	if (csw > 0 && c->cluster_stroke_color.a) {
		path_reset(&w->path);
		for (unsigned j = 0; j < ncl; j++) {
			double x = cl[j].x / cl[j].n - p->x0, y = cl[j].y / cl[j].n - p->y0;
			if (x < -margin || y < -margin || x > p->size + margin || y > p->size + margin)
				continue;
			stroke_ring(&w->path, (float)x, (float)y, cluster_radius(&cl[j], cr, r), csw,
				    TOLERANCE);
		}
		if (w->path.failed)
			return -1;
		rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(c->cluster_stroke_color), &w->canvas);
	}
	float size = style_eval_width(&c->cluster_text_size, zoom) * scale;
	if (!d->font || !c->cluster_text_color.a || size < TEXT_SIZE_MIN)
		return 0;
	if (!w->shaper && text_shaper_new(d->font, &w->shaper, NULL))
		return -1;
	struct text_paint paint = {.size_px = size, .color = to_rast(c->cluster_text_color)};
	for (unsigned j = 0; j < ncl; j++) {
		if (cl[j].n < 2)
			continue;
		double x = cl[j].x / cl[j].n - p->x0, y = cl[j].y / cl[j].n - p->y0;
		if (x < -margin || y < -margin || x > p->size + margin || y > p->size + margin)
			continue;
		char num[16];
		int len = cl[j].n > 999 ? snprintf(num, sizeof num, "999+")
					: snprintf(num, sizeof num, "%u", cl[j].n);
		if (text_draw(w->shaper, &w->rast, &w->canvas, num, (size_t)len, &paint, (float)x,
			      (float)y, 0, TEXT_ANCHOR_CENTER) == YZ_ENOMEM)
			return -1;
	}
	return 0;
}

static int draw_stations(struct render_ws *w, const struct render_data *d,
			 const struct style_layer *l, const struct tile_proj *p, float zoom,
			 float scale)
{
	const struct style_circle *c = &l->circle;
	float r = style_eval_width(&c->radius, zoom) * scale;
	float sw = style_eval_width(&c->stroke_width, zoom) * scale;
	double minx, miny, maxx, maxy, cminx, cminy, cmaxx, cmaxy;
	tile_bounds(p, MARGIN_PX * scale, &minx, &miny, &maxx, &maxy);
	int cluster = c->has_cluster && zoom <= c->cluster_maxzoom;
	float cell = c->cluster_cell_px * scale;
	/* A cluster's stations all lie in its cell and its marker inside it,
	 * so only stations within a cell of the margin can make a cluster
	 * that shows: the others are not even projected. */
	tile_bounds(p, MARGIN_PX * scale + (cluster ? cell : 0), &cminx, &cminy, &cmaxx, &cmaxy);
	/* clusters: bucket stations by world cell (cells aligned to the world,
	 * so neighbouring tiles agree on every cluster) */
	enum { MAXC = 4096 };
	static _Thread_local struct cluster cl[MAXC];
	unsigned ncl = 0;
	path_reset(&w->path);
	struct path *pp = &w->path;
	if (select_near(w, d->station_grid, d->station_count, cminx, cminy, cmaxx, cmaxy))
		return -1;
	for (uint32_t k = 0; k < w->near_count; k++) {
		const struct station *s = &d->stations[w->near[k]];
		double lon = geo_from_e7(s->lon_e7), lat = geo_from_e7(s->lat_e7);
		if (lon < cminx || lon > cmaxx || lat < cminy || lat > cmaxy)
			continue;
		if (!cluster) {
			stroke_circle(pp, (float)tile_px_x(p, lon), (float)tile_px_y(p, lat), r, TOLERANCE);
			continue;
		}
		/* exact world pixels: every tile must put a station in the same cell */
		double wx = geo_merc_x(lon, p->world_px), wy = geo_merc_y(lat, p->world_px);
		int64_t kx = (int64_t)floor(wx / cell), ky = (int64_t)floor(wy / cell);
		int64_t key = kx * 1000003 + ky;
		unsigned j = 0;
		while (j < ncl && cl[j].key != key)
			j++;
		if (j == ncl) {
			if (ncl == MAXC)
				continue;
			cl[ncl++] = (struct cluster){0, 0, 0, key};
		}
		cl[j].x += wx;
		cl[j].y += wy;
		cl[j].n++;
	}
	struct style_color fill = c->color;
	if (cluster) {
		float cr = style_eval_width(&c->cluster_radius, zoom) * scale;
		for (unsigned j = 0; j < ncl; j++) {
			double x = cl[j].x / cl[j].n - p->x0, y = cl[j].y / cl[j].n - p->y0;
			if (x < -MARGIN_PX * scale || y < -MARGIN_PX * scale ||
			    x > p->size + MARGIN_PX * scale || y > p->size + MARGIN_PX * scale)
				continue;
			stroke_circle(pp, (float)x, (float)y, cluster_radius(&cl[j], cr, r), TOLERANCE);
		}
		fill = c->cluster_color.a ? c->cluster_color : c->color;
	}
	if (pp->failed)
		return -1;
	rast_fill(&w->rast, pp, RAST_NONZERO, to_rast(fill), &w->canvas);
	if (cluster)
		return draw_cluster_marks(w, d, c, p, zoom, scale, cl, ncl, r);
	if (sw > 0 && c->stroke_color.a) {
		/* outline: rings around the same centres */
		path_reset(pp);
		for (uint32_t k = 0; !cluster && k < w->near_count; k++) {
			const struct station *s = &d->stations[w->near[k]];
			double lon = geo_from_e7(s->lon_e7), lat = geo_from_e7(s->lat_e7);
			if (lon < minx || lon > maxx || lat < miny || lat > maxy)
				continue;
			stroke_ring(pp, (float)tile_px_x(p, lon), (float)tile_px_y(p, lat), r, sw,
				    TOLERANCE);
		}
		if (pp->failed)
			return -1;
		rast_fill(&w->rast, pp, RAST_NONZERO, to_rast(c->stroke_color), &w->canvas);
	}
	return 0;
}

/* One more candidate slot (and room for `pts` polyline points). */
static struct label_cand *cand_push(struct render_ws *w, uint32_t *n, uint32_t pts, uint32_t *used)
{
	if (*n == w->cand_cap) {
		uint32_t cap = w->cand_cap ? w->cand_cap * 2 : 256;
		struct label_cand *c = realloc(w->cands, (size_t)cap * sizeof *c);
		if (!c)
			return NULL;
		w->cands = c;
		w->cand_cap = cap;
	}
	if (*used + pts > w->line_cap) {
		uint32_t cap = w->line_cap ? w->line_cap : 4096;
		while (cap < *used + pts)
			cap *= 2;
		float *x = realloc(w->line_xy, (size_t)cap * 2 * sizeof *x);
		if (!x)
			return NULL;
		w->line_xy = x;
		w->line_cap = cap;
	}
	struct label_cand *c = &w->cands[(*n)++];
	memset(c, 0, sizeof *c);
	return c;
}

static int draw_labels(struct render_ws *w, const struct render_data *d,
		       const struct style_layer *l, const struct tile_proj *p, float zoom,
		       float scale)
{
	if (!d->font)
		return 0;
	if (!w->shaper && text_shaper_new(d->font, &w->shaper, NULL))
		return 0; /* no labels rather than no tile */
	if (!w->labels && !(w->labels = label_ws_new()))
		return -1;
	float size = style_eval_width(&l->label.size, zoom) * scale;
	if (!(size >= TEXT_SIZE_MIN) || size > TEXT_SIZE_MAX)
		return 0;
	uint32_t n = 0, used = 0;
	struct text_extent ext;
	if (l->source == STYLE_SRC_ROAD) {
		const struct network *net = d->net;
		for (uint32_t k = 0; k < w->seg_count; k++) {
			uint32_t s = w->segs[k];
			if (!net->seg_name[s] || !(l->class_mask & (1u << net->seg_class[s])))
				continue;
			const char *name = network_name(net, net->seg_name[s]);
			uint32_t a = net->seg_pt_first[s], b = net->seg_pt_first[s + 1];
			size_t len = strlen(name);
			if (text_measure(w->shaper, name, len, size, &ext))
				continue;
			struct label_cand *c = cand_push(w, &n, b - a, &used);
			if (!c)
				return -1;
			project(w->line_xy + 2 * (size_t)used, p, net->pt_lon_e7, net->pt_lat_e7, a, b);
			c->text = name;
			c->text_len = (uint32_t)len;
			c->feature_id = s;
			c->priority = RC_COUNT - net->seg_class[s];
			c->kind = LABEL_LINE;
			c->w = ext.advance;
			c->h = ext.ascent + ext.descent;
			c->n = b - a;
			/* pointers are set once the buffer stops moving */
			c->xy = (const float *)(uintptr_t)used;
			used += b - a;
		}
		for (uint32_t i = 0; i < n; i++)
			w->cands[i].xy = w->line_xy + 2 * (size_t)(uintptr_t)w->cands[i].xy;
	} else if (l->source == STYLE_SRC_COMMUNITY && d->comm) {
		const struct communityset *cs = d->comm;
		double minx, miny, maxx, maxy;
		tile_bounds(p, 256.0 * scale, &minx, &miny, &maxx, &maxy);
		for (uint32_t ci = 0; ci < cs->count; ci++) {
			const struct community *cm = &cs->items[ci];
			const char *name = cm->name < cs->strings.len ? cs->strings.data + cm->name : "";
			if (!*name)
				continue;
			double lon = geo_from_e7((int32_t)(((int64_t)cm->min_lon_e7 + cm->max_lon_e7) / 2));
			double lat = geo_from_e7((int32_t)(((int64_t)cm->min_lat_e7 + cm->max_lat_e7) / 2));
			if (lon < minx || lon > maxx || lat < miny || lat > maxy)
				continue;
			size_t len = strlen(name);
			if (text_measure(w->shaper, name, len, size, &ext))
				continue;
			struct label_cand *c = cand_push(w, &n, 0, &used);
			if (!c)
				return -1;
			c->text = name;
			c->text_len = (uint32_t)len;
			c->feature_id = (1ull << 40) | ci;
			c->priority = 100;
			c->kind = LABEL_CENTER;
			c->w = ext.advance;
			c->h = ext.ascent + ext.descent;
			c->x = (float)tile_px_x(p, lon);
			c->y = (float)tile_px_y(p, lat);
		}
	} else {
		return 0;
	}
	struct label_tile lt = {p->x0, p->y0, (float)p->size};
	struct label_opts o = {2.0f * scale, 256.0f * scale, 0};
	const struct label_placed *placed;
	uint32_t count;
	if (label_place(w->labels, &lt, w->cands, n, &o, &placed, &count))
		return -1;
	struct text_paint paint = {
		.size_px = size,
		.color = to_rast(l->label.color),
		.halo_color = to_rast(l->label.halo_color),
		.halo_px = style_eval_width(&l->label.halo_width, zoom) * scale,
	};
	for (uint32_t i = 0; i < count; i++) {
		const struct label_cand *c = &w->cands[placed[i].cand];
		text_draw(w->shaper, &w->rast, &w->canvas, c->text, c->text_len, &paint, placed[i].x,
			  placed[i].y, placed[i].angle, TEXT_ANCHOR_CENTER);
	}
	return 0;
}

/* ---- coverage ------------------------------------------------------------------ */

/* Upper limits (ms) of the bands under the asked limit L: band i holds times
 * up to th[i].  Bands beyond L are dropped, the band reaching L ends at L,
 * and when L lies beyond the last band that band stretches to L; times over
 * L are the gap (index n). */
static unsigned cover_thresholds(const struct style_coverage *c, double L, double *th,
				 struct style_color *col)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->nbands; i++) {
		double t = c->band[i].max_minutes * 60000.0;
		col[n] = c->band[i].color;
		if (t >= L) {
			th[n++] = L;
			return n;
		}
		th[n++] = t;
	}
	th[n - 1] = L;
	return n;
}

struct stretch_ctx {
	struct render_ws *w;
	uint32_t seg;
	int failed;
};

static void add_stretch(void *ctx, double x0, double x1, unsigned band)
{
	struct stretch_ctx *c = ctx;
	struct render_ws *w = c->w;
	if (w->stretch_n == w->stretch_cap) {
		uint32_t cap = w->stretch_cap ? w->stretch_cap * 2 : 4096;
		struct cover_stretch *n = realloc(w->stretch, (size_t)cap * sizeof *n);
		if (!n) {
			c->failed = 1;
			return;
		}
		w->stretch = n;
		w->stretch_cap = cap;
	}
	w->stretch[w->stretch_n++] = (struct cover_stretch){c->seg, (float)x0, (float)x1, band};
}

struct slice_px {
	struct render_ws *w;
	const struct tile_proj *p;
	uint32_t n;
	int failed;
};

static void emit_px(void *ctx, double lon, double lat)
{
	struct slice_px *c = ctx;
	if (xy_reserve(c->w, c->n + 1)) {
		c->failed = 1;
		return;
	}
	c->w->xy[2 * c->n] = (float)tile_px_x(c->p, lon);
	c->w->xy[2 * c->n + 1] = (float)tile_px_y(c->p, lat);
	c->n++;
}

/* Stroke every stretch of `band` into w->path. */
static int stroke_band(struct render_ws *w, const struct render_data *d, const struct tile_proj *p,
		       unsigned band, const struct stroke_style *st)
{
	for (uint32_t i = 0; i < w->stretch_n; i++) {
		const struct cover_stretch *cs = &w->stretch[i];
		if (cs->band != band)
			continue;
		struct slice_px c = {w, p, 0, 0};
		network_seg_slice(d->net, cs->seg, cs->x0, cs->x1, emit_px, &c);
		if (c.failed || stroke_near(w, p, c.n, 0, st))
			return -1;
	}
	return w->path.failed ? -1 : 0;
}

static int draw_coverage(struct render_ws *w, const struct render_data *d,
			 const struct style_layer *l, const struct tile_proj *p, float zoom,
			 float scale)
{
	const struct style_coverage *c = &l->coverage;
	if (!d->cover || !d->cover_graph || !(d->cover_limit_ms > 0))
		return 0;
	double th[STYLE_MAX_BANDS];
	struct style_color col[STYLE_MAX_BANDS];
	unsigned n = cover_thresholds(c, d->cover_limit_ms, th, col);
	w->stretch_n = 0;
	for (uint32_t k = 0; k < w->seg_count; k++) {
		struct stretch_ctx sc = {w, w->segs[k], 0};
		coverage_seg_bands(d->cover, d->net, d->cover_graph, w->segs[k], th, n, add_stretch, &sc);
		if (sc.failed)
			return -1;
	}
	struct stroke_style st = {.width = style_eval_width(&c->width, zoom) * scale,
				  .join = STROKE_JOIN_ROUND,
				  .cap = STROKE_CAP_ROUND};
	if (!(st.width > 0))
		return 0;
	if (c->has_gap && c->gap_color.a) {
		path_reset(&w->path);
		if (stroke_band(w, d, p, n, &st))
			return -1;
		rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(c->gap_color), &w->canvas);
	}
	if (c->has_gap && c->hatch_color.a) {
		float dash[2] = {c->hatch_spacing_px * scale * 0.5f, c->hatch_spacing_px * scale * 0.5f};
		struct stroke_style hs = {.width = fmaxf(c->hatch_width_px * scale, st.width * 0.4f),
					  .cap = STROKE_CAP_BUTT,
					  .dash = dash,
					  .dash_count = 2};
		path_reset(&w->path);
		if (stroke_band(w, d, p, n, &hs))
			return -1;
		rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(c->hatch_color), &w->canvas);
	}
	for (unsigned b = n; b-- > 0;) {
		if (!col[b].a)
			continue;
		path_reset(&w->path);
		if (stroke_band(w, d, p, b, &st))
			return -1;
		rast_fill(&w->rast, &w->path, RAST_NONZERO, to_rast(col[b]), &w->canvas);
	}
	return 0;
}

/* The margin, in px, around the tile within which road segments are
 * selected: the farthest reach of any visible road stroke (stroke_reach,
 * casings included), or MARGIN_PX when road labels or the coverage overlay
 * (which place or hatch beyond their strokes) are drawn. */
static double road_margin(const struct style *s, const struct tile_req *t, float zoom, float scale)
{
	if (t->layer == TILE_LAYER_COVERAGE)
		return MARGIN_PX * scale;
	double margin = 0;
	size_t n = style_layer_count(s);
	for (size_t i = 0; i < n; i++) {
		const struct style_layer *l = style_layer(s, i);
		if (l->source != STYLE_SRC_ROAD || !style_visible(l, zoom))
			continue;
		if (l->type == STYLE_LABEL)
			return MARGIN_PX * scale;
		if (l->type != STYLE_LINE)
			continue;
		struct stroke_style st;
		float dash[STYLE_MAX_DASH];
		stroke_style_of(&l->line, road_width(&l->line, zoom, scale, l->line.has_casing), scale,
				&st, dash);
		double reach = stroke_reach(&st);
		if (reach > margin)
			margin = reach;
	}
	return margin < MARGIN_PX * scale ? margin : MARGIN_PX * scale;
}

enum yz_err render_tile(struct render_ws *w, const struct render_data *d, const struct style *s,
			const struct tile_req *t)
{
	struct tile_proj p;
	tile_proj_init(&p, t);
	float zoom = (float)t->z, scale = (float)t->scale;
	w->canvas.w = w->canvas.h = p.size;
	struct style_color bg = style_background(s);
	if (t->layer != TILE_LAYER_MAP)
		bg.a = 0;
	rast_canvas_clear_later(&w->canvas, to_rast(bg));
	if (select_segments(w, d, &p, road_margin(s, t, zoom, scale)))
		return YZ_ENOMEM;
	size_t n = style_layer_count(s);
	for (size_t i = 0; i < n; i++) {
		const struct style_layer *l = style_layer(s, i);
		if (!style_visible(l, zoom))
			continue;
		/* the stations layer draws only the markers, the coverage
		 * layer only the overlay, the map everything else */
		if (t->layer == TILE_LAYER_STATIONS && l->source != STYLE_SRC_STATION)
			continue;
		if ((t->layer == TILE_LAYER_COVERAGE) != (l->source == STYLE_SRC_COVERAGE))
			continue;
		if (t->layer == TILE_LAYER_MAP && d->hide_stations && l->source == STYLE_SRC_STATION)
			continue;
		int err = 0;
		if (l->type == STYLE_LABEL) {
			if (t->layer == TILE_LAYER_MAP && draw_labels(w, d, l, &p, zoom, scale))
				return YZ_ENOMEM;
			continue;
		}
		switch (l->source) {
		case STYLE_SRC_ROAD:
			if (l->type != STYLE_LINE)
				break;
			if (l->run_first == i) {
				/* a run of cased lines: all casings, then all lines */
				for (size_t k = l->run_first; k <= l->run_last && !err; k++)
					if (style_visible(style_layer(s, k), zoom))
						err = draw_road_run(w, d, style_layer(s, k), &p, zoom, scale, 1);
				for (size_t k = l->run_first; k <= l->run_last && !err; k++)
					if (style_visible(style_layer(s, k), zoom))
						err = draw_road_run(w, d, style_layer(s, k), &p, zoom, scale, 0);
			}
			break;
		case STYLE_SRC_COMMUNITY:
			if (l->type == STYLE_FILL || l->type == STYLE_LINE)
				err = draw_communities(w, d, l, &p, zoom, scale);
			break;
		case STYLE_SRC_STATION:
			if (l->type == STYLE_CIRCLE)
				err = draw_stations(w, d, l, &p, zoom, scale);
			break;
		case STYLE_SRC_LAND:
		case STYLE_SRC_WATER:
		case STYLE_SRC_GREEN:
		case STYLE_SRC_BUILDING:
			if (l->type == STYLE_FILL || l->type == STYLE_LINE)
				err = draw_features(w, d, l, &p, zoom, scale);
			break;
		case STYLE_SRC_COVERAGE:
			if (l->type == STYLE_COVERAGE)
				err = draw_coverage(w, d, l, &p, zoom, scale);
			break;
		default:
			break;
		}
		if (err)
			return YZ_ENOMEM;
	}
	return YZ_OK;
}
