/* pngenc.h — PNG in and out for tiles; the only place that talks to libpng.
 *
 * Tiles are drawn premultiplied (raster.h) and shipped as 8-bit PNG: RGB when
 * opaque, else straight-alpha RGBA.  Decoding exists for tests and
 * golden-tile comparisons. */
#ifndef YZ_PNGENC_H
#define YZ_PNGENC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "tiles/raster.h"

/* How the image data is compressed: PNGENC_DEFAULT_LEVEL (< 0) is tilez.h's
 * compressor made for tiles, what is served; 0..PNGENC_MAX_LEVEL are
 * libdeflate's levels, for the benchmarks and tests to compare. */
#define PNGENC_DEFAULT_LEVEL (-1)
#define PNGENC_MAX_LEVEL 12

/* A PNG writer: the compressor and the image buffers, kept from one tile to
 * the next.  One per thread (not thread-safe); pngenc_free accepts NULL. */
struct pngenc;
enum yz_err pngenc_new(struct pngenc **out);
void pngenc_free(struct pngenc *e);

/* Appends to out the PNG of canvas c (premultiplied): 8-bit RGB when every
 * pixel is opaque, else straight RGBA; no interlace.  level: < 0 for the
 * default, 0..12 for libdeflate's, above 12 taken as 12.  Returns
 * YZ_ENOMEM (a buffer or out failed) or YZ_EFORMAT (libpng refused: an
 * internal error); on failure out may hold a partial image and the caller
 * discards it. */
enum yz_err pngenc_write(struct pngenc *e, const struct rast_canvas *c, struct buf *out, int level);

/* The same with a writer made for the call (tests, one-off images). */
enum yz_err pngenc_rgba(const struct rast_canvas *c, struct buf *out, int level);

/* Decodes any PNG (palette, grey, 16-bit, with or without alpha) to 8-bit
 * straight RGBA, 4·w bytes per row, rows top to bottom.  On YZ_OK *px is a
 * malloc'd buffer the caller frees; on failure *px is NULL and the code is
 * YZ_EFORMAT (not a PNG, corrupt, truncated, wider or taller than
 * RAST_MAX_DIM) or YZ_ENOMEM. */
enum yz_err pngenc_decode_rgba(const void *png, size_t len, uint8_t **px, unsigned *w, unsigned *h);

#endif
