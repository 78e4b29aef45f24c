/* labels.h — label placement for one tile: which candidate labels are drawn,
 * where and at what angle, with no two overlapping, the same way in every
 * tile that shows them.
 *
 * Candidates are points (a station name beside its marker, a community name
 * on its centroid) or polylines (a road name along the road).  A line label
 * is one straight run of text on the straight-ish middle part of the line:
 * windows of the text's length are tried at the line's middle, then a
 * quarter and half a text length either side; the first whose points stay
 * within `straight_px` of its chord wins, the text is rotated to the chord
 * and turned so it never reads upside down (angle in (−90°, 90°]).  A line
 * shorter than its text (plus padding) gets no label.  A point label BESIDE
 * tries right, left, below and above its anchor.  Each position is covered
 * by collision boxes (one axis-aligned box, or a row of boxes along a
 * rotated label); boxes of different labels may not overlap, and two line
 * labels with the same text must be `repeat_px` apart (centre to centre),
 * so a road split into many ways is named about once per repeat_px.
 *
 * Consistency across tiles.  The order is global: priority (higher first),
 * then a hash of the text and the feature id, then the feature id, the text
 * and the world position — never the order of the input array.  Positions
 * are computed in world pixels (the tile's origin plus the candidate's tile
 * pixels, snapped to 1/256 px so the float rounding of tile coordinates
 * vanishes).  The decision is then a function of world positions alone: a
 * fixed number (LABEL_ROUNDS, odd) of rounds of "placed iff no earlier
 * conflicting position was placed in the previous round", starting from
 * "all placed".  Odd rounds are subsets of the plain greedy answer (so they
 * never overlap) and, unlike the greedy answer, depend only on positions
 * within LABEL_ROUNDS conflict hops.  Hence:
 *
 *   the caller passes every candidate whose anchor (or any point of whose
 *   polyline) lies in the tile grown by a margin, in tile pixels, with the
 *   feature's whole polyline (not clipped: the middle of a clipped line
 *   would depend on the tile).  Two tiles then place a label straddling
 *   their edge identically when both margins hold everything within
 *   LABEL_ROUNDS hops of it; a hop spans at most longest label + repeat_px
 *   + 2 × pad_px.  With 16-px names (≤ 200 px) and repeat_px 256 a margin
 *   of about 3 × 460 px is the guarantee; a smaller margin only risks a
 *   difference where conflicts chain across it.
 *
 * Typical sizes: tens to a few thousand candidates per tile; the work is
 * O(candidates × neighbours × LABEL_ROUNDS) with a uniform grid. */
#ifndef YZ_LABELS_H
#define YZ_LABELS_H

#include <stdint.h>

#include "common/err.h"

/* Rounds of the placement (odd; see above). */
#define LABEL_ROUNDS 3
/* Most collision boxes of one rotated label. */
#define LABEL_MAX_BOXES 32

enum label_kind {
	LABEL_BESIDE, /* beside a point: right, left, below or above it, `gap` away */
	LABEL_CENTER, /* centred on a point */
	LABEL_LINE,   /* along a polyline */
};

struct label_cand {
	const char *text;       /* UTF-8, borrowed for the call; the label's identity */
	uint32_t text_len;      /* bytes */
	uint64_t feature_id;    /* the feature's id, the same in every tile */
	int32_t priority;       /* higher is placed first */
	enum label_kind kind;
	float w, h;             /* the text box, px: text_extent advance × (ascent + descent) */
	float x, y;             /* BESIDE, CENTER: the anchor, tile px */
	float gap;              /* BESIDE: anchor to box edge (marker radius + spacing), px, ≥ 0 */
	const float *xy;        /* LINE: the whole polyline, tile px, x0, y0, x1, …; borrowed */
	uint32_t n;             /* LINE: points, ≥ 2 */
};

/* Where the tile is in the world. */
struct label_tile {
	double x0, y0;          /* world pixel of the tile's top-left corner (tile_proj x0, y0) */
	float size;             /* tile side, px (256 · scale) */
};

struct label_opts {
	float pad_px;           /* free space kept around each text box, px, ≥ 0 */
	float repeat_px;        /* min distance between same-text line labels, px; ≤ 0: no rule */
	float straight_px;      /* max distance of the line from a line label's chord, px;
	                         * ≤ 0 or NaN: a quarter of the text height */
};

struct label_placed {
	uint32_t cand;          /* index into the caller's candidate array */
	float x, y;             /* centre of the text box, tile px: draw with TEXT_ANCHOR_CENTER */
	float angle;            /* radians, (−π/2, π/2]; 0 for point labels */
	float x0, y0, x1, y1;   /* bounds of the rotated text box grown by pad_px, tile px */
};

struct label_ws; /* opaque; one per thread, reused across tiles */

/* Workspace lifecycle: new returns NULL when out of memory; free accepts NULL. */
struct label_ws *label_ws_new(void);
void label_ws_free(struct label_ws *w);

/* Places the n candidates (read only during the call) for tile t.  On YZ_OK
 * *out points to *count placed labels whose boxes touch the tile, in the
 * global order (priority first); the array belongs to w and lives until the
 * next call.  Candidates with a non-finite coordinate, an empty or
 * non-positive box, or fewer than 2 points (LINE) are never placed.  Only
 * error: YZ_ENOMEM (*out NULL, *count 0). */
enum yz_err label_place(struct label_ws *w, const struct label_tile *t, const struct label_cand *c,
			uint32_t n, const struct label_opts *o, const struct label_placed **out,
			uint32_t *count);

#endif
