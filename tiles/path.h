/* path.h — the one geometry type of the rasterizer: closed rings of points in
 * pixel coordinates (x right, y down, pixel (i, j) covers [i, i+1) × [j, j+1)).
 *
 * Fills read it; strokes (stroke.h) and shapes write it.  A path is a flat
 * point array plus ring offsets, so building one allocates only when it
 * grows, and a worker thread reuses one path across tiles. */
#ifndef YZ_PATH_H
#define YZ_PATH_H

#include <stdint.h>

struct path {
	float *xy;             /* [2 * pt_count] x0, y0, x1, y1, … */
	uint32_t pt_count, pt_cap;
	uint32_t *ring_first;  /* [ring_count + 1]: ring r is points [ring_first[r], ring_first[r+1]) */
	uint32_t ring_count, ring_cap;
	int failed;            /* an allocation failed: the path is incomplete, do not draw it */
};

/* Lifecycle: init leaves an empty path owning nothing; fini frees. */
void path_init(struct path *p);
void path_fini(struct path *p);
/* Forget the contents, keep the allocations. */
void path_reset(struct path *p);

/* Building: rings are implicitly closed (the last point joins the first);
 * a ring with fewer than 3 points contributes nothing to a fill. */
void path_move_to(struct path *p, float x, float y); /* starts a new ring */
void path_line_to_slow(struct path *p, float x, float y);

/* Extends the current ring.  Inline: the stroker adds every point here. */
static inline void path_line_to(struct path *p, float x, float y)
{
	if (p->pt_count < p->pt_cap && p->ring_count && !p->failed) {
		p->xy[2 * p->pt_count] = x;
		p->xy[2 * p->pt_count + 1] = y;
		p->ring_first[p->ring_count] = ++p->pt_count;
		return;
	}
	path_line_to_slow(p, x, y);
}

/* Appends the ring xy[0..n) (n points, implicitly closed) cut to the box
 * [lo, hi]² (Sutherland–Hodgman): inside the box its winding is the ring's,
 * outside it nothing, so a fill of the path is unchanged inside the box —
 * while a long ring around or beside a tile (a coastline) costs the fill
 * only its few edges near the box.  Nothing when the ring lies outside. */
void path_ring_in_box(struct path *p, const float *xy, uint32_t n, float lo, float hi);

#endif
