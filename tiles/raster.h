/* raster.h — the anti-aliased coverage rasterizer and its RGBA canvas.
 *
 * One fill routine: a struct path (pixel coordinates, x right, y down, pixel
 * (i, j) covers [i, i+1) × [j, j+1)) is turned into exact per-pixel area
 * coverage by accumulating signed area per scanline (stb_truetype v2,
 * font-rs), then composited source-over onto a premultiplied RGBA8 canvas.
 * Strokes, markers and circles become paths first (stroke.h), so there is
 * nothing else to draw with.
 *
 * Coverage semantics.  The accumulation yields, per pixel, the average of
 * the winding number over the pixel's area (exact, in float).  Nonzero rule:
 * coverage = min(|average|, 1); even-odd: the average folded into [0, 1]
 * (a triangle wave of period 2).  Both are exact wherever the winding number
 * inside a pixel takes only two adjacent values of one sign (k and k+1) —
 * every pixel of a simple polygon, of a polygon with holes, and the interior
 * boundaries of overlapping same-orientation rings.  Where one pixel holds
 * three winding values, or 0 next to ±2 (edges crossing, or two rings' edges
 * running together, inside the same pixel), the result is off by up to the
 * area of the extra part: nonzero counts a ±2 part twice before clamping,
 * +1 next to −1 cancel, and even-odd folds 0 + 2 into 1.  This is the
 * standard approximation of stb_truetype, font-rs and analytic font
 * renderers, visible only on the few pixels where such edges meet.  Strokes
 * should therefore avoid pieces whose outer edges run together.
 *
 * Clipping: geometry is clipped analytically to the canvas; parts left of it
 * still carry their winding (they are moved onto x = 0), parts above, below
 * or right of it are dropped.  So the caller needs no margin for the fill
 * itself; margins around the tile matter only for what the stroker sees.
 * Non-finite coordinates (NaN, ±inf) drop the edges that touch them; huge
 * finite coordinates are fine. */
#ifndef YZ_RASTER_H
#define YZ_RASTER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "tiles/path.h"

/* Largest canvas side a workspace accepts (pixels). */
#define RAST_MAX_DIM 4096u

enum rast_rule {
	RAST_NONZERO, /* inside where the winding number is not 0 */
	RAST_EVENODD, /* inside where the winding number is odd */
};

/* A straight (not premultiplied) 8-bit RGBA colour; a = 255 is opaque. */
struct rast_color {
	uint8_t r, g, b, a;
};

/* A premultiplied RGBA8 image: byte 4x+c of row y is px[y * stride + 4x + c],
 * c = 0..3 for R, G, B, A, and every colour byte is <= its alpha byte. */
struct rast_canvas {
	uint8_t *px;     /* [h * stride]; owned by the canvas if made by rast_canvas_init */
	unsigned w, h;   /* pixels, 1..RAST_MAX_DIM */
	unsigned stride; /* bytes per row, >= 4 * w */
	/* A clear not carried out yet (rast_canvas_clear_later): every pixel is
	 * later_px (premultiplied), whatever px holds, until rast_canvas_settle. */
	int later;
	uint8_t later_px[4];
};

/* The per-thread workspace: accumulation buffers for a canvas of at most
 * w × h pixels, allocated once.  Between calls every acc cell is 0 and no
 * row is marked touched; each fill clears exactly what it touched. */
struct rast {
	unsigned w, h;      /* the largest canvas this workspace serves, pixels */
	uint32_t *acc;      /* [h * stride], stride = w + 2 rounded up to 16: per row,
	                     * cell x holds cover(x) − cover(x−1), cover being the
	                     * winding-weighted area of pixel x in 1/2^19 pixel
	                     * (two's complement, wrapping: a path piling more than
	                     * 4096 windings on a pixel wraps); x in 0..w+1 */
	uint64_t *blk;      /* [h * blk_words] per row, bit b set: some acc cell in
	                     * [16b, 16b + 16) was written (the sweep skips the rest) */
	unsigned blk_words; /* 64-bit words per row of blk */
	unsigned y_lo, y_hi; /* rows touched by the current fill: [y_lo, y_hi), empty if y_lo >= y_hi */
};

/* Workspace lifecycle.  init allocates for canvases up to w × h; returns
 * YZ_ERANGE if a side is 0 or above RAST_MAX_DIM, YZ_ENOMEM (the workspace
 * then owns nothing).  fini frees and accepts a zeroed or failed workspace. */
enum yz_err rast_init(struct rast *r, unsigned w, unsigned h);
void rast_fini(struct rast *r);

/* Coverage only: writes the exact coverage in [0, 1] of every pixel of the
 * workspace's full w × h grid to cov[y * cov_stride + x] (cov_stride in
 * floats, >= w).  A path marked failed covers nothing.  Never allocates.
 * Meant for tests and masks; drawing goes through rast_fill. */
void rast_fill_coverage(struct rast *r, const struct path *p, enum rast_rule rule,
			float *cov, size_t cov_stride);

/* Painting: composites colour c, its alpha scaled by each pixel's coverage
 * (quantised to 0..255), source-over onto dst.  Touches only the rows and
 * x-spans the path reaches.  dst may be smaller than the workspace (the path
 * is clipped to dst); it must not be larger (programmer error, asserted).
 * Full coverage of an opaque colour writes exactly the colour; zero coverage
 * leaves a pixel untouched.  A clear pending on dst (rast_canvas_clear_later)
 * is carried out first if the path paints anything.  Never allocates. */
void rast_fill(struct rast *r, const struct path *p, enum rast_rule rule,
	       struct rast_color c, struct rast_canvas *dst);

/* Canvas lifecycle.  init allocates w × h (stride 4w), cleared to
 * transparent; YZ_ERANGE for a side of 0 or above RAST_MAX_DIM, YZ_ENOMEM.
 * fini frees px and accepts a zeroed canvas. */
enum yz_err rast_canvas_init(struct rast_canvas *c, unsigned w, unsigned h);
void rast_canvas_fini(struct rast_canvas *c);
/* Fill every pixel with the (straight) colour c, premultiplied. */
void rast_canvas_clear(struct rast_canvas *c, struct rast_color col);
/* The same, done only when needed: the first rast_fill that paints
 * anything carries it out, and a canvas nothing painted stays one colour
 * without a pixel written (most tiles of the sea or of empty land).  Code
 * reading px itself calls rast_canvas_settle first. */
void rast_canvas_clear_later(struct rast_canvas *c, struct rast_color col);
void rast_canvas_settle(struct rast_canvas *c);

/* Premultiplied → straight alpha for n pixels (4n bytes each way; src and
 * dst may be the same row).  Transparent pixels become 0,0,0,0; others
 * round to nearest (clamped to 255); opaque pixels come back unchanged. */
void rast_unpremultiply_row(const uint8_t *src, uint8_t *dst, unsigned n);

#endif
