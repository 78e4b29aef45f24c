/* solid.h — one shared PNG for every tile that is all one colour.
 *
 * Many tiles are a single colour: the transparent stations or coverage tile
 * far from any station, the base map's background where no road passes (the
 * sea around an island, empty land), a park or a lake that fills the tile.
 * Such a tile is the same picture whatever its address, so its PNG is
 * encoded once per colour and size and the same bytes are handed out after
 * that: the tile costs its drawing and a scan of the canvas, not a PNG
 * encoding (which is most of a near-empty tile's time), and the tile cache
 * can borrow the bytes instead of storing a copy per address.
 *
 * The table is bounded (SOLID_MAX colours per tile size); a colour beyond
 * that is simply encoded like any other tile.  Entries are never removed
 * before solid_free, so a returned PNG stays valid until then.  Thread-safe:
 * one mutex, held for a lookup (a scan of at most SOLID_MAX keys) and, the
 * first time a colour is seen, its encoding. */
#ifndef YZ_SOLID_H
#define YZ_SOLID_H

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "tiles/pngenc.h"
#include "tiles/raster.h"

/* Colours kept per tile size (256 and 512 px). */
#define SOLID_MAX 32u
/* How the shared PNGs are compressed: like every tile (a flat colour
 * compresses to a few hundred bytes either way, and libdeflate's best
 * level would spend ~13 ms on the first tile of each colour). */
#define SOLID_LEVEL PNGENC_DEFAULT_LEVEL

struct solid;

/* A new empty table; YZ_ENOMEM. */
enum yz_err solid_new(struct solid **out);
/* Frees the table and every PNG it handed out; NULL is fine. */
void solid_free(struct solid *s);

/* Whether the top-left w × h pixels of canvas c are all one colour; if so,
 * *px gets it (premultiplied RGBA, bytes in canvas order). */
int solid_canvas(const struct rast_canvas *c, unsigned w, unsigned h, uint8_t px[4]);

/* The PNG of a `side` × `side` tile (256 or 512) all of premultiplied colour
 * px, encoded on first use.  NULL when the table is full, the side is
 * another, or memory is short: the caller then encodes the tile itself. */
const struct buf *solid_png(struct solid *s, const uint8_t px[4], unsigned side);

#endif
