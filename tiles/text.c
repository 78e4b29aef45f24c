/* text.c — fonts through FreeType, glyph outlines as flattened rings, simple
 * horizontal layout and halo drawing; see text.h.
 *
 * The font file is mapped once, read-only (Noto Sans CJK: 19 MB, of which a
 * map touches only the pages of the glyphs it uses).  Each shaper owns an
 * FT_Library and FT_Face over those bytes and a direct-mapped cache of
 * TEXT_CACHE_SLOTS glyphs keyed by (codepoint, size in 1/64 px): a slot holds
 * the glyph's outline flattened at that size, relative to the pen origin,
 * y down, outer rings clockwise on screen.  A CJK glyph at 16 px is about
 * 100–300 points, so a full cache is a few MB per thread.  A collision
 * evicts: the cache only saves work and never changes output, because a
 * glyph is always rebuilt the same way (unhinted font units × scale, curves
 * cut into a number of chords that depends only on the curve).
 *
 * Glyphs are loaded with FT_LOAD_NO_SCALE: outlines and advances come in
 * integer font units and we scale in double, so FreeType's 26.6 rounding and
 * hinting never move a point, and rotated labels keep their shapes. */
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include FT_TRUETYPE_TABLES_H

#include "tiles/stroke.h"

/* Chords per curve are capped: a curve of a 256-px glyph needs far fewer. */
#define CURVE_MAX_SEG 64
/* Halo round joins deviate at most this much from the true arc (px). */
#define HALO_TOL 0.1f

struct text_font {
	unsigned char *bytes;   /* the mapped file, read-only, len bytes */
	size_t len;
	long face_index;        /* in the collection, ≥ 0 */
	char face_name[160];    /* "family style" */
};

/* One cached glyph at one size. */
struct glyph {
	uint32_t cp;            /* codepoint */
	uint32_t size_q;        /* em size, 1/64 px; 0 = empty slot */
	uint32_t gid;           /* glyph index in the face, 0 = .notdef */
	float advance;          /* px */
	float x0, y0, x1, y1;   /* ink bounds, px, relative to the pen origin, y down */
	float *xy;              /* [2 * pt_count] flattened rings, same frame */
	uint32_t pt_count, pt_cap;
	uint32_t *ring_end;     /* [ring_count] ring r is points [ring_end[r−1] or 0, ring_end[r]) */
	uint32_t ring_count, ring_cap;
};

struct text_shaper {
	const struct text_font *font;  /* borrowed */
	FT_Library lib;
	FT_Face face;
	double upem;                   /* font units per em */
	double asc_u, desc_u;          /* em box above / below the baseline, font units, ≥ 0 */
	int kern;                      /* the face has a 'kern' table */
	struct path glyphs, halo;      /* text_draw's scratch */
	struct glyph slot[TEXT_CACHE_SLOTS];
};

/* ---- The font ---- */

static int name_matches(FT_Face face, const char *hint)
{
	if (!face->family_name)
		return 0;
	if (!strcasecmp(face->family_name, hint))
		return 1;
	size_t fl = strlen(face->family_name);
	return face->style_name && !strncasecmp(face->family_name, hint, fl) && hint[fl] == ' ' &&
	       !strcasecmp(hint + fl + 1, face->style_name);
}

enum yz_err text_font_open(const char *path, const char *face_name_hint, struct text_font **out,
			   struct yz_errbuf *eb)
{
	enum yz_err err = YZ_OK;
	struct text_font *f = NULL;
	FT_Library lib = NULL;
	FT_Face face = NULL;
	int fd = -1;
	*out = NULL;

	f = calloc(1, sizeof *f);
	if (!f)
		return yz_fail(eb, YZ_ENOMEM, "%s: out of memory", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;
		err = yz_fail(eb, YZ_EIO, "%s: %s%s", path, strerror(e),
			      strcmp(path, TEXT_FONT_DEFAULT) ? ""
							       : " (install Debian's fonts-noto-cjk)");
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (unsigned long long)st.st_size > (1ull << 31)) {
		err = yz_fail(eb, YZ_EFORMAT, "%s: not a font file (size %lld)", path,
			      (long long)st.st_size);
		goto out;
	}
	f->len = (size_t)st.st_size;
	/* Mapped, not read: threads share the page cache's copy and only the
	 * glyphs in use are ever paged in. */
	void *m = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		err = yz_fail(eb, YZ_EIO, "%s: mmap: %s", path, strerror(errno));
		goto out;
	}
	f->bytes = m;

	if (FT_Init_FreeType(&lib)) {
		err = yz_fail(eb, YZ_ENOMEM, "%s: FreeType initialisation failed", path);
		goto out;
	}
	FT_Error fe = FT_New_Memory_Face(lib, f->bytes, (FT_Long)f->len, -1, &face);
	if (fe) {
		err = yz_fail(eb, YZ_EFORMAT, "%s: FreeType cannot read it (error 0x%02x)", path, fe);
		goto out;
	}
	long nfaces = face->num_faces;
	FT_Done_Face(face);
	face = NULL;

	/* Find the face by name: collection order is the font vendor's choice. */
	char seen[256] = "";
	size_t seen_len = 0;
	f->face_index = -1;
	for (long i = 0; i < nfaces && f->face_index < 0; i++) {
		if (FT_New_Memory_Face(lib, f->bytes, (FT_Long)f->len, i, &face))
			continue;
		if (!face_name_hint || !*face_name_hint || name_matches(face, face_name_hint)) {
			if (!FT_IS_SCALABLE(face)) {
				err = yz_fail(eb, YZ_EFORMAT, "%s: face %ld has no outlines", path, i);
				goto out;
			}
			f->face_index = i;
			snprintf(f->face_name, sizeof f->face_name, "%s%s%s",
				 face->family_name ? face->family_name : "?",
				 face->style_name ? " " : "",
				 face->style_name ? face->style_name : "");
		} else if (seen_len + 4 < sizeof seen) {
			int k = snprintf(seen + seen_len, sizeof seen - seen_len, "%s\"%s\"",
					 seen_len ? ", " : "",
					 face->family_name ? face->family_name : "?");
			if (k > 0)
				seen_len += (size_t)k;
			if (seen_len >= sizeof seen)
				seen_len = sizeof seen - 1;
		}
		FT_Done_Face(face);
		face = NULL;
	}
	if (f->face_index < 0)
		err = yz_fail(eb, YZ_ENOTFOUND, "%s: no face named \"%s\" (faces: %s)", path,
			      face_name_hint, seen);
out:
	if (face)
		FT_Done_Face(face);
	if (lib)
		FT_Done_FreeType(lib);
	if (fd >= 0)
		close(fd);
	if (err) {
		text_font_close(f);
		return err;
	}
	*out = f;
	return YZ_OK;
}

void text_font_close(struct text_font *f)
{
	if (!f)
		return;
	if (f->bytes)
		munmap(f->bytes, f->len);
	free(f);
}

long text_font_face_index(const struct text_font *f)
{
	return f->face_index;
}

const char *text_font_face_name(const struct text_font *f)
{
	return f->face_name;
}

/* ---- The shaper ---- */

enum yz_err text_shaper_new(const struct text_font *f, struct text_shaper **out,
			    struct yz_errbuf *eb)
{
	*out = NULL;
	struct text_shaper *s = calloc(1, sizeof *s);
	if (!s)
		return yz_fail(eb, YZ_ENOMEM, "text shaper: out of memory");
	s->font = f;
	path_init(&s->glyphs);
	path_init(&s->halo);
	if (FT_Init_FreeType(&s->lib)) {
		s->lib = NULL;
		text_shaper_free(s);
		return yz_fail(eb, YZ_ENOMEM, "text shaper: FreeType initialisation failed");
	}
	FT_Error fe = FT_New_Memory_Face(s->lib, f->bytes, (FT_Long)f->len, f->face_index, &s->face);
	if (fe) {
		s->face = NULL;
		text_shaper_free(s);
		return yz_fail(eb, YZ_EFORMAT, "text shaper: face %ld: FreeType error 0x%02x",
			       f->face_index, fe);
	}
	s->upem = s->face->units_per_EM ? s->face->units_per_EM : 1000;
	/* The em box for centring: OS/2 typo metrics are the ideographic em box
	 * in CJK fonts (0.88 / −0.12 em); hhea's ascender also covers accents. */
	const TT_OS2 *os2 = FT_Get_Sfnt_Table(s->face, FT_SFNT_OS2);
	if (os2 && os2->version != 0xFFFFu && os2->sTypoAscender > 0 &&
	    os2->sTypoAscender > os2->sTypoDescender) {
		s->asc_u = os2->sTypoAscender;
		s->desc_u = -(double)os2->sTypoDescender;
	} else {
		s->asc_u = s->face->ascender;
		s->desc_u = -(double)s->face->descender;
	}
	if (s->desc_u < 0)
		s->desc_u = 0;
	s->kern = FT_HAS_KERNING(s->face) ? 1 : 0;
	*out = s;
	return YZ_OK;
}

void text_shaper_free(struct text_shaper *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < TEXT_CACHE_SLOTS; i++) {
		free(s->slot[i].xy);
		free(s->slot[i].ring_end);
	}
	path_fini(&s->glyphs);
	path_fini(&s->halo);
	if (s->face)
		FT_Done_Face(s->face);
	if (s->lib)
		FT_Done_FreeType(s->lib);
	free(s);
}

bool text_has_glyph(struct text_shaper *s, uint32_t cp)
{
	return FT_Get_Char_Index(s->face, cp) != 0;
}

/* ---- UTF-8 ---- */

uint32_t text_utf8_next(const char *s, size_t len, size_t *pos)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = *pos;
	unsigned b = p[i++];
	if (b < 0x80) {
		*pos = i;
		return b;
	}
	/* Unicode Table 3-7: the second byte's range depends on the lead byte
	 * (no overlongs, no surrogates, nothing above U+10FFFF). */
	unsigned need, lo = 0x80, hi = 0xBF;
	uint32_t cp;
	if (b >= 0xC2 && b <= 0xDF) {
		need = 1;
		cp = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		cp = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		cp = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		*pos = i;
		return TEXT_REPLACEMENT;
	}
	for (unsigned k = 0; k < need; k++) {
		if (i >= len || p[i] < lo || p[i] > hi) {
			*pos = i; /* the maximal subpart so far becomes one U+FFFD */
			return TEXT_REPLACEMENT;
		}
		cp = cp << 6 | (p[i] & 0x3Fu);
		i++;
		lo = 0x80;
		hi = 0xBF;
	}
	*pos = i;
	return cp;
}

/* ---- Glyph outlines ---- */

/* FT_Outline_Decompose's state: the glyph being filled, font units → px. */
struct decomp {
	struct glyph *g;
	double scale;        /* px per font unit */
	double cx, cy;       /* current point, px, y down */
	int failed;          /* allocation failed */
};

static void put_pt(struct decomp *d, double x, double y)
{
	struct glyph *g = d->g;
	if (d->failed || !g->ring_count)
		return;
	float fx = (float)x, fy = (float)y;
	uint32_t first = g->ring_count > 1 ? g->ring_end[g->ring_count - 2] : 0;
	/* Repeated points are zero-length edges: harmless to the fill, but the
	 * stroker would see them as joins. */
	if (g->pt_count > first && g->xy[2 * g->pt_count - 2] == fx && g->xy[2 * g->pt_count - 1] == fy)
		return;
	if (g->pt_count == g->pt_cap) {
		uint32_t cap = g->pt_cap ? 2 * g->pt_cap : 256;
		float *n = realloc(g->xy, (size_t)cap * 2 * sizeof *n);
		if (!n) {
			d->failed = 1;
			return;
		}
		g->xy = n;
		g->pt_cap = cap;
	}
	g->xy[2 * g->pt_count] = fx;
	g->xy[2 * g->pt_count + 1] = fy;
	g->pt_count++;
	g->ring_end[g->ring_count - 1] = g->pt_count;
}

/* Closes the current ring: drops the closing point FreeType repeats, and the
 * whole ring if fewer than 3 points remain. */
static void end_ring(struct glyph *g)
{
	if (!g->ring_count)
		return;
	uint32_t first = g->ring_count > 1 ? g->ring_end[g->ring_count - 2] : 0;
	uint32_t n = g->pt_count - first;
	if (n >= 2 && g->xy[2 * first] == g->xy[2 * g->pt_count - 2] &&
	    g->xy[2 * first + 1] == g->xy[2 * g->pt_count - 1]) {
		g->pt_count--;
		n--;
	}
	if (n < 3) {
		g->pt_count = first;
		g->ring_count--;
		return;
	}
	g->ring_end[g->ring_count - 1] = g->pt_count;
}

static int dc_move(const FT_Vector *to, void *user)
{
	struct decomp *d = user;
	struct glyph *g = d->g;
	end_ring(g);
	if (g->ring_count == g->ring_cap) {
		uint32_t cap = g->ring_cap ? 2 * g->ring_cap : 16;
		uint32_t *n = realloc(g->ring_end, (size_t)cap * sizeof *n);
		if (!n) {
			d->failed = 1;
			return 1;
		}
		g->ring_end = n;
		g->ring_cap = cap;
	}
	g->ring_end[g->ring_count++] = g->pt_count;
	d->cx = to->x * d->scale;
	d->cy = -to->y * d->scale;
	put_pt(d, d->cx, d->cy);
	return d->failed;
}

static int dc_line(const FT_Vector *to, void *user)
{
	struct decomp *d = user;
	d->cx = to->x * d->scale;
	d->cy = -to->y * d->scale;
	put_pt(d, d->cx, d->cy);
	return d->failed;
}

/* Chords for a curve whose second derivative is at most dd px (per unit t²):
 * a chord over a t-interval of length 1/n deviates at most dd / (8 n²). */
static int chords_for(double dd)
{
	double n = ceil(sqrt(dd / (8.0 * TEXT_FLATTEN_TOL)));
	if (!(n >= 1))
		return 1;
	return n > CURVE_MAX_SEG ? CURVE_MAX_SEG : (int)n;
}

static int dc_conic(const FT_Vector *c, const FT_Vector *to, void *user)
{
	struct decomp *d = user;
	double x0 = d->cx, y0 = d->cy;
	double x1 = c->x * d->scale, y1 = -c->y * d->scale;
	double x2 = to->x * d->scale, y2 = -to->y * d->scale;
	/* B'' = 2 (p0 − 2 p1 + p2) */
	int n = chords_for(2.0 * hypot(x0 - 2 * x1 + x2, y0 - 2 * y1 + y2));
	for (int i = 1; i <= n; i++) {
		double t = (double)i / n, u = 1 - t;
		put_pt(d, u * u * x0 + 2 * u * t * x1 + t * t * x2,
		       u * u * y0 + 2 * u * t * y1 + t * t * y2);
	}
	d->cx = x2;
	d->cy = y2;
	return d->failed;
}

static int dc_cubic(const FT_Vector *c1, const FT_Vector *c2, const FT_Vector *to, void *user)
{
	struct decomp *d = user;
	double x0 = d->cx, y0 = d->cy;
	double x1 = c1->x * d->scale, y1 = -c1->y * d->scale;
	double x2 = c2->x * d->scale, y2 = -c2->y * d->scale;
	double x3 = to->x * d->scale, y3 = -to->y * d->scale;
	/* |B''| ≤ 6 max(|p0 − 2p1 + p2|, |p1 − 2p2 + p3|) */
	double a = hypot(x0 - 2 * x1 + x2, y0 - 2 * y1 + y2);
	double b = hypot(x1 - 2 * x2 + x3, y1 - 2 * y2 + y3);
	int n = chords_for(6.0 * (a > b ? a : b));
	for (int i = 1; i <= n; i++) {
		double t = (double)i / n, u = 1 - t;
		double k0 = u * u * u, k1 = 3 * u * u * t, k2 = 3 * u * t * t, k3 = t * t * t;
		put_pt(d, k0 * x0 + k1 * x1 + k2 * x2 + k3 * x3, k0 * y0 + k1 * y1 + k2 * y2 + k3 * y3);
	}
	d->cx = x3;
	d->cy = y3;
	return d->failed;
}

static const FT_Outline_Funcs decomp_funcs = {
	.move_to = dc_move,
	.line_to = dc_line,
	.conic_to = dc_conic,
	.cubic_to = dc_cubic,
	.shift = 0,
	.delta = 0,
};

/* Makes outer rings clockwise on screen (positive shoelace area with y
 * down), like stroke.h's pieces: TrueType and CFF outlines wind opposite
 * ways, and the halo path unions glyphs with strokes under NONZERO. */
static void orient(struct glyph *g)
{
	double area = 0;
	for (uint32_t r = 0, a = 0; r < g->ring_count; a = g->ring_end[r], r++) {
		uint32_t b = g->ring_end[r];
		for (uint32_t i = a; i < b; i++) {
			uint32_t j = i + 1 < b ? i + 1 : a;
			area += (double)g->xy[2 * i] * g->xy[2 * j + 1] -
				(double)g->xy[2 * j] * g->xy[2 * i + 1];
		}
	}
	if (area >= 0)
		return;
	for (uint32_t r = 0, a = 0; r < g->ring_count; a = g->ring_end[r], r++) {
		for (uint32_t i = a, j = g->ring_end[r] - 1; i < j; i++, j--) {
			float tx = g->xy[2 * i], ty = g->xy[2 * i + 1];
			g->xy[2 * i] = g->xy[2 * j];
			g->xy[2 * i + 1] = g->xy[2 * j + 1];
			g->xy[2 * j] = tx;
			g->xy[2 * j + 1] = ty;
		}
	}
}

static uint32_t size_quant(float size_px)
{
	return (uint32_t)lrintf(size_px * 64.0f);
}

static double px_per_unit(const struct text_shaper *s, uint32_t size_q)
{
	return size_q / 64.0 / s->upem;
}

/* The cached glyph of cp at size_q, loading it on a miss.  The pointer lives
 * until the next call (which may evict it). */
static enum yz_err get_glyph(struct text_shaper *s, uint32_t cp, uint32_t size_q,
			     const struct glyph **out)
{
	uint32_t h = cp * 2654435761u ^ size_q * 2246822519u;
	struct glyph *g = &s->slot[(h ^ h >> 15) & (TEXT_CACHE_SLOTS - 1)];
	if (g->size_q == size_q && g->cp == cp) {
		*out = g;
		return YZ_OK;
	}
	g->size_q = 0; /* empty until fully loaded */
	g->cp = cp;
	g->pt_count = g->ring_count = 0;
	g->gid = FT_Get_Char_Index(s->face, cp);
	FT_Error fe = FT_Load_Glyph(s->face, g->gid,
				    FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP |
					    FT_LOAD_IGNORE_TRANSFORM);
	if (fe || s->face->glyph->format != FT_GLYPH_FORMAT_OUTLINE)
		return YZ_EFORMAT;
	struct decomp d = { .g = g, .scale = px_per_unit(s, size_q) };
	g->advance = (float)(s->face->glyph->metrics.horiAdvance * d.scale);
	if (FT_Outline_Decompose(&s->face->glyph->outline, &decomp_funcs, &d) || d.failed) {
		g->pt_count = g->ring_count = 0;
		return d.failed ? YZ_ENOMEM : YZ_EFORMAT;
	}
	end_ring(g);
	orient(g);
	g->x0 = g->y0 = g->x1 = g->y1 = 0;
	for (uint32_t i = 0; i < g->pt_count; i++) {
		float x = g->xy[2 * i], y = g->xy[2 * i + 1];
		if (i == 0 || x < g->x0)
			g->x0 = x;
		if (i == 0 || x > g->x1)
			g->x1 = x;
		if (i == 0 || y < g->y0)
			g->y0 = y;
		if (i == 0 || y > g->y1)
			g->y1 = y;
	}
	g->size_q = size_q;
	*out = g;
	return YZ_OK;
}

/* ---- Layout ---- */

static int is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F;
}

static int size_ok(float size_px)
{
	return size_px >= TEXT_SIZE_MIN && size_px <= TEXT_SIZE_MAX;
}

/* Where the pen stands, and what glyph came before (for kerning). */
struct pen {
	double x;       /* px from the string's origin */
	FT_UInt prev;   /* previous glyph index, 0 at the start */
};

/* Moves the pen over glyph g (kerning first); returns the glyph's x origin. */
static double pen_step(const struct text_shaper *s, struct pen *p, const struct glyph *g,
		       uint32_t size_q)
{
	if (s->kern && p->prev && g->gid) {
		FT_Vector k;
		if (!FT_Get_Kerning(s->face, p->prev, g->gid, FT_KERNING_UNSCALED, &k))
			p->x += k.x * px_per_unit(s, size_q);
	}
	double at = p->x;
	p->x += g->advance;
	p->prev = g->gid;
	return at;
}

enum yz_err text_measure(struct text_shaper *s, const char *utf8, size_t len, float size_px,
			 struct text_extent *out)
{
	memset(out, 0, sizeof *out);
	if (!size_ok(size_px))
		return YZ_ERANGE;
	uint32_t size_q = size_quant(size_px);
	double k = px_per_unit(s, size_q);
	out->ascent = (float)(s->asc_u * k);
	out->descent = (float)(s->desc_u * k);
	struct pen pen = { 0, 0 };
	int ink = 0;
	for (size_t pos = 0; pos < len;) {
		uint32_t cp = text_utf8_next(utf8, len, &pos);
		if (is_control(cp))
			continue;
		const struct glyph *g;
		enum yz_err err = get_glyph(s, cp, size_q, &g);
		if (err)
			return err;
		float at = (float)pen_step(s, &pen, g, size_q);
		out->glyphs++;
		if (!g->pt_count)
			continue;
		float x0 = at + g->x0, x1 = at + g->x1;
		if (!ink || x0 < out->ink_x0)
			out->ink_x0 = x0;
		if (!ink || x1 > out->ink_x1)
			out->ink_x1 = x1;
		if (!ink || g->y0 < out->ink_y0)
			out->ink_y0 = g->y0;
		if (!ink || g->y1 > out->ink_y1)
			out->ink_y1 = g->y1;
		ink = 1;
	}
	out->advance = (float)pen.x;
	return YZ_OK;
}

enum yz_err text_path(struct text_shaper *s, const char *utf8, size_t len, float size_px, float x,
		      float y, float angle, enum text_anchor anchor, struct path *out)
{
	if (!size_ok(size_px))
		return YZ_ERANGE;
	if (!isfinite(x) || !isfinite(y) || !isfinite(angle))
		return YZ_ERANGE;
	/* The anchor in the text's own frame (u along the baseline from the pen
	 * origin, v down from the baseline). */
	double au = 0, av = 0;
	if (anchor == TEXT_ANCHOR_CENTER) {
		struct text_extent e;
		enum yz_err err = text_measure(s, utf8, len, size_px, &e);
		if (err)
			return err;
		au = e.advance / 2.0;
		av = ((double)e.descent - e.ascent) / 2.0;
	}
	/* angle 0 must be an exact translation (sin 0 = 0, cos 0 = 1). */
	double c = cos(angle), sn = sin(angle);
	uint32_t size_q = size_quant(size_px);
	struct pen pen = { 0, 0 };
	for (size_t pos = 0; pos < len;) {
		uint32_t cp = text_utf8_next(utf8, len, &pos);
		if (is_control(cp))
			continue;
		const struct glyph *g;
		enum yz_err err = get_glyph(s, cp, size_q, &g);
		if (err)
			return err;
		double ox = pen_step(s, &pen, g, size_q) - au;
		for (uint32_t r = 0, a = 0; r < g->ring_count; a = g->ring_end[r], r++) {
			for (uint32_t i = a; i < g->ring_end[r]; i++) {
				double u = ox + g->xy[2 * i], v = g->xy[2 * i + 1] - av;
				float px = (float)(x + u * c - v * sn), py = (float)(y + u * sn + v * c);
				if (i == a)
					path_move_to(out, px, py);
				else
					path_line_to(out, px, py);
			}
		}
	}
	return out->failed ? YZ_ENOMEM : YZ_OK;
}

void text_halo_path(const struct path *glyphs, float halo_px, struct path *out)
{
	if (!(halo_px > 0) || glyphs->failed)
		return;
	struct stroke_style st;
	memset(&st, 0, sizeof st);
	st.width = 2 * halo_px;
	st.join = STROKE_JOIN_ROUND;
	for (uint32_t r = 0; r < glyphs->ring_count; r++) {
		uint32_t a = glyphs->ring_first[r], b = glyphs->ring_first[r + 1];
		stroke_polyline(out, glyphs->xy + 2 * (size_t)a, b - a, 1, &st, HALO_TOL);
	}
	for (uint32_t r = 0; r < glyphs->ring_count; r++) {
		uint32_t a = glyphs->ring_first[r], b = glyphs->ring_first[r + 1];
		for (uint32_t i = a; i < b; i++) {
			if (i == a)
				path_move_to(out, glyphs->xy[2 * i], glyphs->xy[2 * i + 1]);
			else
				path_line_to(out, glyphs->xy[2 * i], glyphs->xy[2 * i + 1]);
		}
	}
}

enum yz_err text_draw(struct text_shaper *s, struct rast *r, struct rast_canvas *dst,
		      const char *utf8, size_t len, const struct text_paint *p, float x, float y,
		      float angle, enum text_anchor anchor)
{
	path_reset(&s->glyphs);
	enum yz_err err = text_path(s, utf8, len, p->size_px, x, y, angle, anchor, &s->glyphs);
	if (err)
		return err;
	if (p->halo_px > 0 && p->halo_color.a) {
		path_reset(&s->halo);
		text_halo_path(&s->glyphs, p->halo_px, &s->halo);
		if (s->halo.failed)
			return YZ_ENOMEM;
		rast_fill(r, &s->halo, RAST_NONZERO, p->halo_color, dst);
	}
	rast_fill(r, &s->glyphs, RAST_NONZERO, p->color, dst);
	return YZ_OK;
}
