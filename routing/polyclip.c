/* polyclip.c — line-in-polygon clipping over a grid of the polygon's edges.
 *
 * A line is cut at every parameter where it meets an edge (and at both ends
 * of a stretch it shares with an edge); each stretch between cuts is wholly
 * inside or wholly outside, so its midpoint decides.  Extra cuts are
 * harmless, so intersections are accepted with a small tolerance. */
#include "polyclip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void cell_range(const struct polyclip *pc, double x0, double y0, double x1, double y1,
		       uint32_t *c0, uint32_t *r0, uint32_t *c1, uint32_t *r1)
{
	double fx0 = floor((fmin(x0, x1) - pc->min_x) / pc->cell_w);
	double fx1 = floor((fmax(x0, x1) - pc->min_x) / pc->cell_w);
	double fy0 = floor((fmin(y0, y1) - pc->min_y) / pc->cell_h);
	double fy1 = floor((fmax(y0, y1) - pc->min_y) / pc->cell_h);
	double cm = pc->cols - 1, rm = pc->rows - 1;
	*c0 = (uint32_t)(fx0 < 0 ? 0 : fx0 > cm ? cm : fx0);
	*c1 = (uint32_t)(fx1 < 0 ? 0 : fx1 > cm ? cm : fx1);
	*r0 = (uint32_t)(fy0 < 0 ? 0 : fy0 > rm ? rm : fy0);
	*r1 = (uint32_t)(fy1 < 0 ? 0 : fy1 > rm ? rm : fy1);
}

enum yz_err polyclip_init(struct polyclip *pc, const uint32_t *ring_pt_first, uint32_t ring_first,
			  uint32_t ring_count, const int32_t *lon_e7, const int32_t *lat_e7)
{
	memset(pc, 0, sizeof *pc);
	pc->min_x = pc->min_y = INFINITY;
	pc->max_x = pc->max_y = -INFINITY;
	uint32_t edges = 0;
	for (uint32_t r = ring_first; r < ring_first + ring_count; r++) {
		uint32_t a = ring_pt_first[r], b = ring_pt_first[r + 1];
		if (b > a)
			edges += b - a - 1;
	}
	pc->edge = malloc((edges ? edges : 1) * sizeof *pc->edge);
	pc->stamp = calloc(edges ? edges : 1, sizeof *pc->stamp);
	if (!pc->edge || !pc->stamp)
		goto nomem;
	for (uint32_t r = ring_first; r < ring_first + ring_count; r++) {
		uint32_t a = ring_pt_first[r], b = ring_pt_first[r + 1];
		for (uint32_t i = a; i + 1 < b; i++) {
			double x0 = lon_e7[i], y0 = lat_e7[i], x1 = lon_e7[i + 1], y1 = lat_e7[i + 1];
			if (x0 == x1 && y0 == y1)
				continue;
			double *e = pc->edge[pc->edge_count++];
			e[0] = x0, e[1] = y0, e[2] = x1, e[3] = y1;
			pc->min_x = fmin(pc->min_x, fmin(x0, x1));
			pc->max_x = fmax(pc->max_x, fmax(x0, x1));
			pc->min_y = fmin(pc->min_y, fmin(y0, y1));
			pc->max_y = fmax(pc->max_y, fmax(y0, y1));
		}
	}
	if (pc->edge_count == 0) {
		pc->min_x = pc->min_y = pc->max_x = pc->max_y = 0;
		pc->cols = pc->rows = 1;
		pc->cell_w = pc->cell_h = 1;
		pc->cell_first = calloc(2, sizeof *pc->cell_first);
		pc->cell_edges = malloc(sizeof *pc->cell_edges);
		if (!pc->cell_first || !pc->cell_edges)
			goto nomem;
		return YZ_OK;
	}
	/* about two edges per cell, at most 256 × 256 cells */
	double side = ceil(sqrt(pc->edge_count / 2.0));
	pc->cols = pc->rows = (uint32_t)(side < 1 ? 1 : side > 256 ? 256 : side);
	pc->cell_w = fmax((pc->max_x - pc->min_x) / pc->cols, 1.0);
	pc->cell_h = fmax((pc->max_y - pc->min_y) / pc->rows, 1.0);
	size_t cells = (size_t)pc->cols * pc->rows;
	pc->cell_first = calloc(cells + 1, sizeof *pc->cell_first);
	if (!pc->cell_first)
		goto nomem;
	/* count, prefix-sum, fill: CSR as the other grids */
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t k = 0; k < pc->edge_count; k++) {
			const double *e = pc->edge[k];
			uint32_t c0, r0, c1, r1;
			cell_range(pc, e[0], e[1], e[2], e[3], &c0, &r0, &c1, &r1);
			for (uint32_t r = r0; r <= r1; r++)
				for (uint32_t c = c0; c <= c1; c++) {
					size_t cell = (size_t)r * pc->cols + c;
					if (pass == 0)
						pc->cell_first[cell + 1]++;
					else
						pc->cell_edges[pc->cell_first[cell]++] = k;
				}
		}
		if (pass == 0) {
			for (size_t c = 0; c < cells; c++)
				pc->cell_first[c + 1] += pc->cell_first[c];
			pc->cell_edges = malloc((pc->cell_first[cells] ? pc->cell_first[cells] : 1) *
						sizeof *pc->cell_edges);
			if (!pc->cell_edges)
				goto nomem;
		} else {
			/* fill advanced each start to the next cell's: shift back */
			memmove(pc->cell_first + 1, pc->cell_first, cells * sizeof *pc->cell_first);
			pc->cell_first[0] = 0;
		}
	}
	return YZ_OK;
nomem:
	polyclip_fini(pc);
	return YZ_ENOMEM;
}

void polyclip_fini(struct polyclip *pc)
{
	free(pc->edge);
	free(pc->stamp);
	free(pc->cell_first);
	free(pc->cell_edges);
	memset(pc, 0, sizeof *pc);
}

static void next_stamp(struct polyclip *pc)
{
	if (++pc->cur == 0) {
		memset(pc->stamp, 0, pc->edge_count * sizeof *pc->stamp);
		pc->cur = 1;
	}
}

/* Distance from (x, y) to edge e, e7 units. */
static double edge_dist(const double *e, double x, double y)
{
	double dx = e[2] - e[0], dy = e[3] - e[1];
	double t = ((x - e[0]) * dx + (y - e[1]) * dy) / (dx * dx + dy * dy);
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return hypot(e[0] + t * dx - x, e[1] + t * dy - y);
}

bool polyclip_contains(struct polyclip *pc, double x, double y)
{
	double eps = POLYCLIP_EPS_E7;
	if (pc->edge_count == 0 || x < pc->min_x - eps || x > pc->max_x + eps ||
	    y < pc->min_y - eps || y > pc->max_y + eps)
		return false;
	uint32_t c0, r0, c1, r1;
	/* the boundary, near the point */
	cell_range(pc, x - eps, y - eps, x + eps, y + eps, &c0, &r0, &c1, &r1);
	for (uint32_t r = r0; r <= r1; r++)
		for (uint32_t c = c0; c <= c1; c++) {
			size_t cell = (size_t)r * pc->cols + c;
			for (uint32_t i = pc->cell_first[cell]; i < pc->cell_first[cell + 1]; i++)
				if (edge_dist(pc->edge[pc->cell_edges[i]], x, y) <= eps)
					return true;
		}
	/* even-odd ray towards +x: only edges of the point's row, right of it */
	next_stamp(pc);
	cell_range(pc, x, y, pc->max_x, y, &c0, &r0, &c1, &r1);
	bool inside = false;
	for (uint32_t c = c0; c <= c1; c++) {
		size_t cell = (size_t)r0 * pc->cols + c;
		for (uint32_t i = pc->cell_first[cell]; i < pc->cell_first[cell + 1]; i++) {
			uint32_t k = pc->cell_edges[i];
			if (pc->stamp[k] == pc->cur)
				continue;
			pc->stamp[k] = pc->cur;
			const double *e = pc->edge[k];
			if ((e[1] > y) != (e[3] > y)) {
				double xe = e[0] + (y - e[1]) * (e[2] - e[0]) / (e[3] - e[1]);
				if (x < xe)
					inside = !inside;
			}
		}
	}
	return inside;
}

static int dbl_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

unsigned polyclip_line(struct polyclip *pc, double ax, double ay, double bx, double by,
		       double (*out)[2], unsigned cap)
{
	double eps = POLYCLIP_EPS_E7;
	if (cap == 0 || pc->edge_count == 0 || fmax(ax, bx) < pc->min_x - eps ||
	    fmin(ax, bx) > pc->max_x + eps || fmax(ay, by) < pc->min_y - eps ||
	    fmin(ay, by) > pc->max_y + eps)
		return 0;
	enum { CUTS = 512 };
	double cut[CUTS];
	unsigned nc = 0;
	cut[nc++] = 0;
	cut[nc++] = 1;
	double rx = bx - ax, ry = by - ay, rr = rx * rx + ry * ry;
	if (rr > 0) {
		uint32_t c0, r0, c1, r1;
		cell_range(pc, ax, ay, bx, by, &c0, &r0, &c1, &r1);
		next_stamp(pc);
		for (uint32_t r = r0; r <= r1; r++)
			for (uint32_t c = c0; c <= c1; c++) {
				size_t cell = (size_t)r * pc->cols + c;
				for (uint32_t i = pc->cell_first[cell]; i < pc->cell_first[cell + 1]; i++) {
					uint32_t k = pc->cell_edges[i];
					if (pc->stamp[k] == pc->cur)
						continue;
					pc->stamp[k] = pc->cur;
					const double *e = pc->edge[k];
					double sx = e[2] - e[0], sy = e[3] - e[1];
					double qx = e[0] - ax, qy = e[1] - ay;
					double den = rx * sy - ry * sx;
					double t[2];
					unsigned nt = 0;
					if (fabs(den) > 1e-12 * sqrt(rr * (sx * sx + sy * sy))) {
						double tt = (qx * sy - qy * sx) / den;
						double u = (qx * ry - qy * rx) / den;
						if (u >= -1e-9 && u <= 1 + 1e-9)
							t[nt++] = tt;
					} else {
						/* parallel: where the edge's ends project
						 * onto the line, if they lie on it */
						t[nt++] = (qx * rx + qy * ry) / rr;
						t[nt++] = ((e[2] - ax) * rx + (e[3] - ay) * ry) / rr;
					}
					for (unsigned j = 0; j < nt; j++)
						if (t[j] > 0 && t[j] < 1 && nc < CUTS)
							cut[nc++] = t[j];
				}
			}
	}
	qsort(cut, nc, sizeof *cut, dbl_cmp);
	unsigned n = 0;
	for (unsigned i = 0; i + 1 < nc; i++) {
		double t0 = cut[i], t1 = cut[i + 1];
		if (!(t1 > t0))
			continue;
		double tm = 0.5 * (t0 + t1);
		if (!polyclip_contains(pc, ax + tm * rx, ay + tm * ry))
			continue;
		if (n && out[n - 1][1] >= t0) {
			out[n - 1][1] = t1;
		} else if (n < cap) {
			out[n][0] = t0;
			out[n][1] = t1;
			n++;
		} else {
			out[n - 1][1] = t1;
		}
	}
	return n;
}
