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

static int grow_pts(struct path *p)
{
	if (p->pt_count < p->pt_cap)
		return 0;
	uint32_t cap = p->pt_cap ? p->pt_cap * 2 : 256;
	float *n = realloc(p->xy, (size_t)cap * 2 * sizeof *n);
	if (!n)
		return -1;
	p->xy = n;
	p->pt_cap = cap;
	return 0;
}

void path_move_to(struct path *p, float x, float y)
{
	if (p->failed)
		return;
	if (p->ring_count + 2 > p->ring_cap) {
		uint32_t cap = p->ring_cap ? p->ring_cap * 2 : 64;
		uint32_t *n = realloc(p->ring_first, (size_t)cap * sizeof *n);
		if (!n) {
			p->failed = 1;
			return;
		}
		p->ring_first = n;
		p->ring_cap = cap;
	}
	if (!p->ring_count)
		p->ring_first[0] = p->pt_count;
	p->ring_count++;
	p->ring_first[p->ring_count] = p->pt_count;
	path_line_to(p, x, y);
}

void path_line_to(struct path *p, float x, float y)
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
