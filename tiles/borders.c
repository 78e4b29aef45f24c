/* borders.c — see borders.h.
 *
 * One pass marks each ring segment kept or not: an open-addressing set of
 * the kept segments, keyed by their two ends in a fixed order (so a border
 * walked the other way by the neighbour matches), holds the index of the
 * segment's first point (0: empty slot, so index + 1).  A second pass
 * walks each ring from a point where a kept run starts, so a run that
 * wraps around the ring's first point stays one line.  Temporary memory:
 * the set (4 B per slot, at most half full) and a byte per point. */
#include "borders.h"

#include <stdlib.h>
#include <string.h>

struct seg_key {
	int32_t ax, ay, bx, by; /* the lesser end first (lon, then lat) */
};

static struct seg_key key_of(const struct communityset *cs, uint32_t i)
{
	int32_t x0 = cs->pt_lon_e7[i], y0 = cs->pt_lat_e7[i];
	int32_t x1 = cs->pt_lon_e7[i + 1], y1 = cs->pt_lat_e7[i + 1];
	if (x1 < x0 || (x1 == x0 && y1 < y0))
		return (struct seg_key){x1, y1, x0, y0};
	return (struct seg_key){x0, y0, x1, y1};
}

static uint64_t hash_of(struct seg_key k)
{
	uint64_t a = (uint64_t)(uint32_t)k.ax << 32 | (uint32_t)k.ay;
	uint64_t b = (uint64_t)(uint32_t)k.bx << 32 | (uint32_t)k.by;
	uint64_t h = a * 0x9e3779b97f4a7c15u ^ b * 0xc2b2ae3d27d4eb4fu;
	return h ^ h >> 31;
}

static int same_key(struct seg_key p, struct seg_key q)
{
	return p.ax == q.ax && p.ay == q.ay && p.bx == q.bx && p.by == q.by;
}

/* keep[i] for every segment starting at point i of a ring (`segs` of
 * them): 1 where it is first met (or of length 0).  -1 on ENOMEM. */
static int mark_kept(const struct communityset *cs, size_t segs, uint8_t *keep)
{
	size_t cap = 16;
	while (cap < 2 * segs)
		cap *= 2;
	uint32_t *slot = calloc(cap, sizeof *slot);
	if (!slot)
		return -1;
	for (uint32_t r = 0; r < cs->ring_count; r++) {
		uint32_t a = cs->ring_pt_first[r], b = cs->ring_pt_first[r + 1];
		for (uint32_t i = a; i + 1 < b; i++) {
			struct seg_key k = key_of(cs, i);
			keep[i] = 1;
			if (k.ax == k.bx && k.ay == k.by)
				continue;
			size_t h = (size_t)hash_of(k) & (cap - 1);
			while (slot[h] && !same_key(key_of(cs, slot[h] - 1), k))
				h = (h + 1) & (cap - 1);
			if (slot[h])
				keep[i] = 0;
			else
				slot[h] = i + 1;
		}
	}
	free(slot);
	return 0;
}

/* Appends point i of cs as the next point of the current line. */
static void put_pt(struct borders *bd, const struct communityset *cs, uint32_t i, uint32_t *np)
{
	bd->pt_lon_e7[*np] = cs->pt_lon_e7[i];
	bd->pt_lat_e7[*np] = cs->pt_lat_e7[i];
	(*np)++;
}

/* Closes the current line (points from its first to *np). */
static void end_line(struct borders *bd, uint32_t np, int closed)
{
	uint32_t l = bd->line_count++;
	bd->line_closed[l] = (uint8_t)closed;
	bd->line_pt_first[l + 1] = np;
	int32_t *box = bd->line_box + 4 * (size_t)l;
	uint32_t p = bd->line_pt_first[l];
	box[0] = box[2] = bd->pt_lon_e7[p];
	box[1] = box[3] = bd->pt_lat_e7[p];
	for (; p < np; p++) {
		box[0] = bd->pt_lon_e7[p] < box[0] ? bd->pt_lon_e7[p] : box[0];
		box[2] = bd->pt_lon_e7[p] > box[2] ? bd->pt_lon_e7[p] : box[2];
		box[1] = bd->pt_lat_e7[p] < box[1] ? bd->pt_lat_e7[p] : box[1];
		box[3] = bd->pt_lat_e7[p] > box[3] ? bd->pt_lat_e7[p] : box[3];
	}
}

/* The lines of ring [a, a + m] (m segments, the last point repeating the
 * first), from the kept flags. */
static void ring_lines(struct borders *bd, const struct communityset *cs, const uint8_t *keep,
		       uint32_t a, uint32_t m, uint32_t *np)
{
	uint32_t kept = 0, s0 = 0;
	for (uint32_t s = 0; s < m; s++)
		kept += keep[a + s];
	if (kept == 0)
		return;
	if (kept == m) {
		for (uint32_t s = 0; s <= m; s++)
			put_pt(bd, cs, a + s, np);
		end_line(bd, *np, 1);
		return;
	}
	/* start where a kept run starts: segment s0 kept, the one before not */
	while (!(keep[a + s0] && !keep[a + (s0 + m - 1) % m]))
		s0++;
	int open = 0;
	for (uint32_t k = 0; k < m; k++) {
		uint32_t s = (s0 + k) % m;
		if (!keep[a + s]) {
			if (open)
				end_line(bd, *np, 0);
			open = 0;
			continue;
		}
		if (!open) {
			bd->line_pt_first[bd->line_count] = *np;
			put_pt(bd, cs, a + s, np);
			open = 1;
		}
		put_pt(bd, cs, a + s + 1, np);
	}
	if (open)
		end_line(bd, *np, 0);
}

enum yz_err borders_build(struct borders *bd, const struct communityset *cs)
{
	memset(bd, 0, sizeof *bd);
	/* at most a line and two points per segment */
	size_t segs = 0;
	for (uint32_t r = 0; r < cs->ring_count; r++) {
		uint32_t n = cs->ring_pt_first[r + 1] - cs->ring_pt_first[r];
		segs += n > 1 ? n - 1 : 0;
	}
	uint8_t *keep = malloc(cs->pt_count ? cs->pt_count : 1);
	size_t pts = 2 * segs + 1;
	bd->line_pt_first = malloc((segs + 1) * sizeof *bd->line_pt_first);
	bd->line_closed = malloc(segs + 1);
	bd->line_box = malloc((segs + 1) * 4 * sizeof *bd->line_box);
	bd->pt_lon_e7 = malloc(pts * sizeof *bd->pt_lon_e7);
	bd->pt_lat_e7 = malloc(pts * sizeof *bd->pt_lat_e7);
	if (!keep || !bd->line_pt_first || !bd->line_closed || !bd->line_box || !bd->pt_lon_e7 ||
	    !bd->pt_lat_e7 || pts > UINT32_MAX || mark_kept(cs, segs, keep)) {
		free(keep);
		borders_free(bd);
		return YZ_ENOMEM;
	}
	uint32_t np = 0;
	bd->line_pt_first[0] = 0;
	for (uint32_t r = 0; r < cs->ring_count; r++) {
		uint32_t a = cs->ring_pt_first[r], n = cs->ring_pt_first[r + 1] - a;
		if (n > 1)
			ring_lines(bd, cs, keep, a, n - 1, &np);
	}
	free(keep);
	/* give back what the bounds over-reserved (a failed shrink keeps the block) */
	void *p;
	if ((p = realloc(bd->pt_lon_e7, (np ? np : 1) * sizeof *bd->pt_lon_e7)))
		bd->pt_lon_e7 = p;
	if ((p = realloc(bd->pt_lat_e7, (np ? np : 1) * sizeof *bd->pt_lat_e7)))
		bd->pt_lat_e7 = p;
	return YZ_OK;
}

void borders_free(struct borders *bd)
{
	free(bd->line_pt_first);
	free(bd->line_closed);
	free(bd->line_box);
	free(bd->pt_lon_e7);
	free(bd->pt_lat_e7);
	memset(bd, 0, sizeof *bd);
}
