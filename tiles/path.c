/* path.c — growable ring lists for the rasterizer; see path.h. */
#include "path.h"

#include <stdlib.h>
#include <string.h>

void path_init(struct path *p)
{
	memset(p, 0, sizeof *p);
}

void path_fini(struct path *p)
{
	free(p->xy);
	free(p->ring_first);
	memset(p, 0, sizeof *p);
}

void path_reset(struct path *p)
{
	p->pt_count = 0;
	p->ring_count = 0;
	p->failed = 0;
	if (p->ring_first)
		p->ring_first[0] = 0;
}

/* Room for `want` points in all; -1 on ENOMEM. */
static int reserve_pts(struct path *p, uint64_t want)
{
	if (want <= p->pt_cap)
		return 0;
	uint64_t cap = p->pt_cap ? p->pt_cap : 256;
	while (cap < want)
		cap *= 2;
	if (cap > UINT32_MAX / 2)
		return -1;
	float *n = realloc(p->xy, (size_t)cap * 2 * sizeof *n);
	if (!n)
		return -1;
	p->xy = n;
	p->pt_cap = (uint32_t)cap;
	return 0;
}

static int grow_pts(struct path *p)
{
	return reserve_pts(p, (uint64_t)p->pt_count + 1);
}

/* Opens a ring at the current end of the points; -1 on ENOMEM (failed set). */
static int begin_ring(struct path *p)
{
	if (p->ring_count + 2 > p->ring_cap) {
		uint32_t cap = p->ring_cap ? p->ring_cap * 2 : 64;
		uint32_t *n = realloc(p->ring_first, (size_t)cap * sizeof *n);
		if (!n) {
			p->failed = 1;
			return -1;
		}
		p->ring_first = n;
		p->ring_cap = cap;
	}
	if (!p->ring_count)
		p->ring_first[0] = p->pt_count;
	p->ring_count++;
	p->ring_first[p->ring_count] = p->pt_count;
	return 0;
}

void path_move_to(struct path *p, float x, float y)
{
	if (p->failed || begin_ring(p))
		return;
	path_line_to(p, x, y);
}

void path_line_to_slow(struct path *p, float x, float y)
{
	if (p->failed || !p->ring_count)
		return;
	if (grow_pts(p)) {
		p->failed = 1;
		return;
	}
	p->xy[2 * p->pt_count] = x;
	p->xy[2 * p->pt_count + 1] = y;
	p->pt_count++;
	p->ring_first[p->ring_count] = p->pt_count;
}

/* One Sutherland–Hodgman step: the closed ring in[0..n) cut to the side of
 * the line `axis` = v that `keep` says (+1: coordinate >= v, −1: <= v),
 * into out (room for 2n points); returns the new count. */
static uint32_t clip_side(const float *in, uint32_t n, float *out, int axis, float v, int keep)
{
	uint32_t m = 0;
	const float *prev = in + 2 * (size_t)(n - 1);
	int prev_in = keep > 0 ? prev[axis] >= v : prev[axis] <= v;
	for (uint32_t i = 0; i < n; i++) {
		const float *cur = in + 2 * (size_t)i;
		int cur_in = keep > 0 ? cur[axis] >= v : cur[axis] <= v;
		if (cur_in != prev_in) {
			float t = (v - prev[axis]) / (cur[axis] - prev[axis]);
			out[2 * m + axis] = v;
			out[2 * m + 1 - axis] = prev[1 - axis] + t * (cur[1 - axis] - prev[1 - axis]);
			m++;
		}
		if (cur_in) {
			out[2 * m] = cur[0];
			out[2 * m + 1] = cur[1];
			m++;
		}
		prev = cur;
		prev_in = cur_in;
	}
	return m;
}

void path_ring_in_box(struct path *p, const float *xy, uint32_t n, float lo, float hi)
{
	if (p->failed || n < 3)
		return;
	float x0 = xy[0], x1 = xy[0], y0 = xy[1], y1 = xy[1];
	for (uint32_t i = 1; i < n; i++) {
		float x = xy[2 * i], y = xy[2 * i + 1];
		x0 = x < x0 ? x : x0;
		x1 = x > x1 ? x : x1;
		y0 = y < y0 ? y : y0;
		y1 = y > y1 ? y : y1;
	}
	if (!(x1 >= lo && x0 <= hi && y1 >= lo && y0 <= hi))
		return; /* wholly outside (or not finite): no winding inside the box */
	uint32_t base = p->pt_count;
	if (x0 >= lo && x1 <= hi && y0 >= lo && y1 <= hi) {
		if (reserve_pts(p, (uint64_t)base + n) || begin_ring(p)) {
			p->failed = 1;
			return;
		}
		memcpy(p->xy + 2 * (size_t)base, xy, 2 * (size_t)n * sizeof *xy);
		p->pt_count = base + n;
		p->ring_first[p->ring_count] = p->pt_count;
		return;
	}
	/* Each side in turn; every pass writes behind its input in the path's
	 * own spare room (indices, since growing may move it). */
	static const int axis[4] = {0, 0, 1, 1}, keep[4] = {1, -1, 1, -1};
	uint64_t in_at = 0, m = n;
	int in_path = 0;
	for (int side = 0; side < 4 && m > 0; side++) {
		uint64_t out_at = in_path ? in_at + m : base;
		if (reserve_pts(p, out_at + 2 * m)) {
			p->failed = 1;
			return;
		}
		const float *in = in_path ? p->xy + 2 * in_at : xy;
		m = clip_side(in, (uint32_t)m, p->xy + 2 * out_at, axis[side], side & 1 ? hi : lo,
			      keep[side]);
		in_at = out_at;
		in_path = 1;
	}
	if (m < 3)
		return;
	memmove(p->xy + 2 * (size_t)base, p->xy + 2 * in_at, 2 * m * sizeof *p->xy);
	if (begin_ring(p))
		return;
	p->pt_count = base + (uint32_t)m;
	p->ring_first[p->ring_count] = p->pt_count;
}
