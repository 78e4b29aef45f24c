/* pngenc.h — PNG in and out for tiles; the only place that talks to libpng.
 *
 * Tiles are drawn premultiplied (raster.h) and shipped as 8-bit straight-alpha
 * RGBA PNG.  Decoding exists for tests and golden-tile comparisons. */
#ifndef YZ_PNGENC_H
#define YZ_PNGENC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "tiles/raster.h"

/* zlib level used when the caller passes a negative level: fast, and within
 * a few per cent of level 9 on map tiles. */
#define PNGENC_DEFAULT_LEVEL 3

/* Appends to out the PNG of canvas c (premultiplied, un-premultiplied row by
 * row), RGBA 8 bits, no interlace.  level: zlib 0..9, or < 0 for the
 * default; above 9 is taken as 9.  Returns YZ_ENOMEM (scratch row or out
 * failed) or YZ_EFORMAT (libpng refused: an internal error); on failure out
 * may hold a partial image and the caller discards it.  Allocates one row of
 * scratch per call; thread-safe (no shared state). */
enum yz_err pngenc_rgba(const struct rast_canvas *c, struct buf *out, int level);

/* Decodes any PNG (palette, grey, 16-bit, with or without alpha) to 8-bit
 * straight RGBA, 4·w bytes per row, rows top to bottom.  On YZ_OK *px is a
 * malloc'd buffer the caller frees; on failure *px is NULL and the code is
 * YZ_EFORMAT (not a PNG, corrupt, truncated, wider or taller than
 * RAST_MAX_DIM) or YZ_ENOMEM. */
enum yz_err pngenc_decode_rgba(const void *png, size_t len, uint8_t **px, unsigned *w, unsigned *h);

#endif
