/* tilez.h — a deflate compressor (RFC 1951, in a zlib stream, RFC 1950)
 * made for the image data of map tiles.
 *
 * A general compressor looks for repeats at every distance and pays for
 * every byte, runs included: libdeflate's fastest level spends as long on a
 * tile of one flat colour as on a busy one (~0.4 ms for 256 × 256 RGB).  A
 * map tile's repeats are nearly all of two kinds: the pixel before (a flat
 * area along a row) and the pixel above (the same row again, or a vertical
 * edge).  So this compressor tries just those two distances where each
 * pixel starts, and extends a match 16 bytes at a time (8 without SSE2),
 * so that a flat stretch costs a few steps per 258 bytes; everything else
 * is a literal.  One block with Huffman codes built for the image's own
 * symbols.  On the tile benchmark's tiles it takes under half libdeflate
 * level 1's time for files 10–14 % larger (README, "Tiles").
 *
 * The output is a complete zlib stream (header, one final deflate block,
 * Adler-32), as PNG's IDAT data.  Thread-safe per workspace. */
#ifndef YZ_TILEZ_H
#define YZ_TILEZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct tilez;

/* A workspace (token buffer, grown to the largest input seen).  YZ_ENOMEM. */
enum yz_err tilez_new(struct tilez **out);
/* Frees it; NULL is fine. */
void tilez_free(struct tilez *z);

/* Room tilez_compress needs for n input bytes (never less than enough). */
size_t tilez_bound(size_t n);

/* Compresses data[0..n) into out[0..cap) as a zlib stream; *len gets its
 * length.  Matches are looked for `near` and `far` bytes back (for PNG
 * image data: a pixel's size, and a row's size including its filter byte);
 * any values in 1..32768 are valid, the output is correct for every input.
 * cap must be at least tilez_bound(n).  YZ_ENOMEM (the token buffer could
 * not grow) or YZ_ERANGE (cap too small, a distance out of range). */
enum yz_err tilez_compress(struct tilez *z, const uint8_t *data, size_t n, unsigned near,
			   unsigned far, uint8_t *out, size_t cap, size_t *len);

#endif
