/* text.h — label text: a CJK font read once, glyph outlines as paths, simple
 * horizontal layout, and drawing with a halo through the one fill routine.
 *
 * Why FreeType.  Map labels are Chinese road and community names, so we need
 * an OpenType/CFF reader for a font collection (.ttc) with tens of thousands
 * of glyphs; FreeType (Debian's libfreetype-dev) is the standard, packaged,
 * fuzzed one.  We only ask it for unscaled outlines and advances: flattening,
 * scaling, rotation and coverage are ours (tiles/raster.h), so labels are
 * anti-aliased exactly like every other shape and do not depend on
 * FreeType's hinting or its rasterizer.  No shaping: CJK needs none for
 * names on a map; HarfBuzz is the future option for scripts that do
 * (Arabic, Indic) or for GPOS kerning, which FreeType's FT_Get_Kerning does
 * not read (it reads the old 'kern' table only; Noto CJK has none).
 *
 * Threads.  FreeType's FT_Library and FT_Face are not thread-safe.  The font
 * (struct text_font) holds only the file's bytes, mapped read-only once, and
 * which face of the collection to use; it is immutable and shared by all
 * threads without locks.  Each worker thread opens its own text_shaper from
 * it: a private FT_Library and FT_Face over the shared bytes
 * (FT_New_Memory_Face does not copy them) plus a bounded glyph cache.  So
 * there is no lock on the drawing path; the cost is one face's tables per
 * thread (about 1 MB with Noto Sans CJK, measured), plus the cached glyphs.
 *
 * Coordinates are pixels, x right, y down (tiles/path.h).  Outlines are
 * unhinted and scaled in float, so output depends only on the font file, the
 * string, the size and the position — never on the cache's state. */
#ifndef YZ_TEXT_H
#define YZ_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "tiles/path.h"
#include "tiles/raster.h"

/* The font Debian's fonts-noto-cjk installs, and its Simplified Chinese face
 * (face 2 of the collection; found by name, not by index). */
#define TEXT_FONT_DEFAULT "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#define TEXT_FACE_DEFAULT "Noto Sans CJK SC"

/* Sizes (em, px) accepted by the functions below: [TEXT_SIZE_MIN, TEXT_SIZE_MAX]. */
#define TEXT_SIZE_MIN 1.0f
#define TEXT_SIZE_MAX 256.0f
/* Glyph outlines' curves deviate at most this much from the true curve (px). */
#define TEXT_FLATTEN_TOL 0.05f
/* Glyph cache slots per shaper (direct-mapped by codepoint and size). */
#define TEXT_CACHE_SLOTS 1024u
/* U+FFFD, what invalid UTF-8 decodes to. */
#define TEXT_REPLACEMENT 0xFFFDu

struct text_font;   /* opaque, immutable after open; shared by threads */
struct text_shaper; /* opaque, one per thread */

/* ---- The font (once per process) ---- */

/* Maps the font file at `path` (a .ttf/.otf, or a .ttc/.otc collection) and
 * picks the face whose family name — or "family style" — equals
 * `face_name_hint` (ASCII case-insensitive); NULL or "" takes face 0.
 * Errors: YZ_EIO (cannot open/read; the message names the path, and the
 * Debian package for the default font), YZ_EFORMAT (FreeType cannot read
 * it, or the face has no scalable outlines), YZ_ENOTFOUND (no face has that
 * name; the message lists the faces), YZ_ENOMEM.  On failure *out is NULL.
 * Free with text_font_close (NULL is fine) after every shaper is freed. */
enum yz_err text_font_open(const char *path, const char *face_name_hint, struct text_font **out,
			   struct yz_errbuf *eb);
void text_font_close(struct text_font *f);
/* The chosen face: its index in the collection and "family style" (e.g.
 * "Noto Sans CJK SC Regular"); borrowed, lives until text_font_close. */
long text_font_face_index(const struct text_font *f);
const char *text_font_face_name(const struct text_font *f);

/* ---- The per-thread shaper ---- */

/* A private FreeType library and face over f's bytes, and an empty glyph
 * cache.  YZ_ENOMEM, or YZ_EFORMAT if FreeType fails (message in eb).  The
 * shaper borrows f, which must outlive it.  Use from one thread at a time. */
enum yz_err text_shaper_new(const struct text_font *f, struct text_shaper **out,
			    struct yz_errbuf *eb);
void text_shaper_free(struct text_shaper *s); /* NULL is fine */

/* True when the face maps codepoint cp to a glyph (not .notdef). */
bool text_has_glyph(struct text_shaper *s, uint32_t cp);

/* ---- UTF-8 ---- */

/* Decodes the codepoint at s[*pos] (pos < len) and advances *pos past it.
 * Invalid input — a stray continuation byte, a truncated, overlong or
 * surrogate sequence, a value above U+10FFFF — yields TEXT_REPLACEMENT for
 * each maximal invalid subpart (Unicode's "substitution of maximal subparts"),
 * so every byte is consumed and decoding always progresses. */
uint32_t text_utf8_next(const char *s, size_t len, size_t *pos);

/* ---- Layout and measurement ---- */

/* One line of text, laid out horizontally: glyphs side by side by their
 * advance widths plus kerning (when the face has a 'kern' table).  C0
 * controls and DEL take no space and draw nothing; unmapped codepoints draw
 * the face's .notdef. */
struct text_extent {
	float advance;          /* pen advance of the whole string, px, ≥ 0 */
	float ascent, descent;  /* the em box above / below the baseline, px, ≥ 0
	                         * (OS/2 typo metrics: 0.88 / 0.12 em for Noto CJK) */
	float ink_x0, ink_y0;   /* bounding box of the outlines relative to the pen */
	float ink_x1, ink_y1;   /* origin (left end of the baseline), y down; all 0 if no ink */
	uint32_t glyphs;        /* glyphs laid out */
};

/* Measures `len` bytes of UTF-8 at size_px.  YZ_ERANGE for a size outside
 * [TEXT_SIZE_MIN, TEXT_SIZE_MAX] (or NaN), YZ_ENOMEM (cache), YZ_EFORMAT if
 * FreeType cannot load a glyph. */
enum yz_err text_measure(struct text_shaper *s, const char *utf8, size_t len, float size_px,
			 struct text_extent *out);

/* ---- Outlines ---- */

/* Which point of the text lands on (x, y). */
enum text_anchor {
	TEXT_ANCHOR_BASELINE_LEFT, /* the pen origin: left end of the baseline */
	TEXT_ANCHOR_CENTER,        /* the middle of the advance × em box */
};

/* Appends the glyph outlines of the string to `out` (NONZERO rule), placed
 * so that `anchor` is at (x, y) and rotated by `angle` radians about it: the
 * baseline runs along (cos angle, sin angle) on screen, so a positive angle
 * turns the text clockwise (y is down).  Every glyph's outer rings wind
 * clockwise on screen, as stroke.h's pieces do, so outlines and strokes
 * union under NONZERO.  Errors as text_measure, plus YZ_ERANGE for a
 * non-finite x, y or angle; on YZ_ENOMEM `out` is marked failed. */
enum yz_err text_path(struct text_shaper *s, const char *utf8, size_t len, float size_px, float x,
		      float y, float angle, enum text_anchor anchor, struct path *out);

/* Appends the halo of `glyphs` (a text_path output) to `out`: every ring
 * stroked closed with round joins, halo_px on each side, plus the glyphs'
 * own rings, so the halo also lies under the letters (a translucent text
 * colour shows the halo, not the map).  halo_px ≤ 0 (or NaN) appends
 * nothing.  Allocation failure marks `out` failed.  glyphs and out must be
 * different paths. */
void text_halo_path(const struct path *glyphs, float halo_px, struct path *out);

/* ---- Drawing ---- */

struct text_paint {
	float size_px;                 /* em size, px */
	struct rast_color color;       /* glyph fill */
	struct rast_color halo_color;  /* alpha 0: no halo */
	float halo_px;                 /* halo width outside the outlines, px; ≤ 0: no halo */
};

/* Draws the string onto dst: the halo (if any) in halo_color, then the
 * glyphs in color on top, both NONZERO, placed as text_path.  Uses the
 * shaper's scratch paths; r must serve dst's size (raster.h).  Errors as
 * text_path (nothing is drawn then). */
enum yz_err text_draw(struct text_shaper *s, struct rast *r, struct rast_canvas *dst,
		      const char *utf8, size_t len, const struct text_paint *p, float x, float y,
		      float angle, enum text_anchor anchor);

#endif
