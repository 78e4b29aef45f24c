/* tilejob.h — one tile from a dataset, a style and a font: the steps the
 * server's /tiles handler (api_tiles.c), `yizhan render` / `yizhan seed`
 * (main.c) and the golden-tile tests share, so all three draw and encode a
 * tile the same way, byte for byte. */
#ifndef YZ_TILEJOB_H
#define YZ_TILEJOB_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "tiles/render.h"
#include "tiles/solid.h"

struct dataset;
struct text_font;
struct style;

/* Where style names are looked up: "light" → styles/light.json. */
#define TILEJOB_STYLES_DIR "styles"
#define TILEJOB_STYLE_DEFAULT "light"
/* What a tile of dataset d shows, with labels in `font` (NULL: none); every
 * pointer borrowed from d, which must outlive *out. */
void tilejob_data(const struct dataset *d, const struct text_font *font, struct render_data *out);

/* Point the coverage layer of *rd at mode m's field with the limit
 * `minutes` (times beyond it are gaps). */
void tilejob_coverage(const struct dataset *d, enum mode m, double minutes, struct render_data *rd);

/* What tilejob_render made of a tile. */
struct tilejob_out {
	int solid;                /* every pixel is one colour ... */
	int empty;                /* ... and it is transparent */
	const struct buf *shared; /* the PNG appended is this one, shared by every
				   * tile of that colour (tiles/solid.h) and valid
				   * while `solids` lives; NULL: encoded from the canvas */
};

/* Draws tile t into w->canvas and appends its PNG to `png`.  A tile of one
 * colour gets that colour's shared PNG from `solids` when it is not NULL
 * (and has room), else its canvas encoded like any other tile.  YZ_ENOMEM
 * (png may then hold part of an image) or YZ_EFORMAT (libpng refused). */
enum yz_err tilejob_render(struct render_ws *w, const struct render_data *rd, const struct style *st,
			   const struct tile_req *t, struct solid *solids, struct buf *png,
			   struct tilejob_out *out);

/* Loads a style given as a file path (anything with a '/' or ending in
 * ".json") or as a name resolved as TILEJOB_STYLES_DIR/NAME.json; NULL or ""
 * is TILEJOB_STYLE_DEFAULT.  Errors as style_load_file, plus YZ_EPARSE for a
 * name that is not [A-Za-z0-9_-]. */
enum yz_err tilejob_style_load(const char *file_or_name, struct style **out, struct yz_errbuf *eb);

/* The tiles of zoom z covering the lon/lat box [w, e] × [s, n] (w ≤ e,
 * s ≤ n; latitudes clamped to Web Mercator's ±85.0511°): columns x0..x1 and
 * rows y0..y1, inclusive. */
void tilejob_range(double w, double s, double e, double n, unsigned z, uint32_t *x0, uint32_t *y0,
		   uint32_t *x1, uint32_t *y1);

/* 64-bit FNV-1a of `len` bytes: the golden manifest's hash of a tile's
 * decoded RGBA pixels (pngenc_decode_rgba). */
uint64_t tilejob_pixel_hash(const uint8_t *px, size_t len);

#endif
