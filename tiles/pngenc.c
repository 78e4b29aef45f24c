/* pngenc.c — premultiplied canvas → PNG in a buf, and any PNG → 8-bit RGBA
 * for tests.  The only file that includes png.h.
 *
 * Encoding: the image data (a filter byte, 0 = none, before each row) is
 * compressed in one call — by tilez.c, made for tile images, or at a
 * given level by libdeflate (for comparison) — and libpng writes the file
 * around it: signature, IHDR, the one IDAT chunk (png_write_chunk), IEND,
 * with their CRCs.  libpng's own path compresses through zlib row by row,
 * several times slower on map tiles (README, "Tiles").  Rows are not
 * filtered: map tiles are flat colours with anti-aliased edges, whose raw
 * rows repeat whole pixels and runs of pixels that deflate matches directly;
 * SUB/UP filters cost time and made files larger.  An opaque canvas (every
 * map tile: its background is opaque) is written as RGB, else as straight
 * RGBA, un-premultiplied.
 *
 * libpng reports errors by longjmp.  Each public function therefore does its
 * allocations first, then calls a small function that only does setjmp and
 * a body function; everything that must survive a longjmp (the output
 * buffer, the decoded pixels) lives in a context struct, never in a local
 * modified after setjmp.  Typical sizes: a 256 px tile is 256 KiB of pixels
 * and 2–40 KiB of PNG; a 512 px one four times that. */
#include "pngenc.h"

#include <libdeflate.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "tilez.h"

/* ---- libpng callbacks ---- */

static void on_error(png_structp png, png_const_charp msg)
{
	(void)msg; /* the code says enough; tiles are not user input */
	png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void write_to_buf(png_structp png, png_bytep data, size_t len)
{
	struct buf *b = png_get_io_ptr(png);
	buf_add(b, data, len);
	if (b->failed)
		png_error(png, "out of memory");
}

static void flush_nothing(png_structp png)
{
	(void)png;
}

/* ---- encoding ---- */

struct pngenc {
	struct libdeflate_compressor *z[PNGENC_MAX_LEVEL + 1]; /* made on first use */
	struct tilez *tz;                                      /* the same */
	uint8_t *raw;      /* the image data: per row a filter byte and the pixels */
	size_t raw_cap;
	uint8_t *zdata;    /* the compressed image data */
	size_t zcap;
};

enum yz_err pngenc_new(struct pngenc **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? YZ_OK : YZ_ENOMEM;
}

void pngenc_free(struct pngenc *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i <= PNGENC_MAX_LEVEL; i++)
		if (e->z[i])
			libdeflate_free_compressor(e->z[i]);
	tilez_free(e->tz);
	free(e->raw);
	free(e->zdata);
	free(e);
}

static int reserve(uint8_t **p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	uint8_t *n = realloc(*p, need);
	if (!n)
		return -1;
	*p = n;
	*cap = need;
	return 0;
}

/* The image data of an opaque canvas as RGB rows into raw; 0 (raw then
 * undefined) as soon as a pixel is not opaque.  Four pixels at a time with
 * SSE2, then two: per 8 bytes (two pixels) R G B A R G B A → R G B R G B,
 * the two 6-byte halves of a 16-byte step closed up to 12, stored as 16
 * (the rest overwritten next; raw has the slack); the alpha bytes are ANDed
 * together for the row's check. */
static int raw_rgb(const struct rast_canvas *c, uint8_t *raw)
{
	const unsigned w = c->w, h = c->h; /* locals: the stores below may alias c */
	size_t row_bytes = 1 + 3 * (size_t)w;
	const uint64_t lo3 = 0xffffffu, hi3 = lo3 << 24, alphas = 0xff000000ff000000u;
	for (unsigned y = 0; y < h; y++) {
		const uint8_t *src = c->px + (size_t)y * c->stride;
		uint8_t *dst = raw + y * row_bytes + 1;
		uint64_t all = ~(uint64_t)0;
		raw[y * row_bytes] = 0; /* filter: none */
		unsigned x = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#ifdef __SSE2__
		__m128i all4 = _mm_set1_epi32(-1);
		const __m128i l3 = _mm_set1_epi64x((long long)lo3), h3 = _mm_set1_epi64x((long long)hi3);
		const __m128i first6 = _mm_setr_epi32(-1, 0xffff, 0, 0);
		for (; x + 4 <= w; x += 4) {
			__m128i v = _mm_loadu_si128((const __m128i *)(src + 4 * x));
			all4 = _mm_and_si128(all4, v);
			__m128i o = _mm_or_si128(_mm_and_si128(v, l3),
						 _mm_and_si128(_mm_srli_epi64(v, 8), h3));
			o = _mm_or_si128(_mm_and_si128(o, first6),
					 _mm_andnot_si128(first6, _mm_srli_si128(o, 2)));
			_mm_storeu_si128((__m128i *)(dst + 3 * x), o);
		}
		uint64_t halves[2];
		_mm_storeu_si128((__m128i *)halves, all4);
		all = halves[0] & halves[1];
#endif
		for (; x + 2 <= w; x += 2) {
			uint64_t v, o;
			memcpy(&v, src + 4 * x, 8);
			all &= v;
			/* little-endian: bytes R G B A R G B A → R G B R G B */
			o = (v & lo3) | (v >> 8 & hi3);
			memcpy(dst + 3 * x, &o, 8);
		}
#endif
		if ((all & alphas) != alphas)
			return 0;
		for (; x < w; x++) {
			memcpy(dst + 3 * x, src + 4 * x, 4);
			if (src[4 * x + 3] != 0xff)
				return 0;
		}
	}
	return 1;
}

/* The image data as straight RGBA rows into raw. */
static void raw_rgba(const struct rast_canvas *c, uint8_t *raw)
{
	size_t row_bytes = 1 + 4 * (size_t)c->w;
	for (unsigned y = 0; y < c->h; y++) {
		uint8_t *dst = raw + y * row_bytes;
		dst[0] = 0;
		rast_unpremultiply_row(c->px + (size_t)y * c->stride, dst + 1, c->w);
	}
}

struct wctx {
	const struct rast_canvas *c;
	int rgb;
	const uint8_t *zdata;
	size_t zlen;
};

static void encode_body(png_structp png, png_infop info, struct wctx *x)
{
	png_set_IHDR(png, info, x->c->w, x->c->h, 8,
		     x->rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	png_write_chunk(png, (png_const_bytep) "IDAT", x->zdata, x->zlen);
	png_write_chunk(png, (png_const_bytep) "IEND", NULL, 0);
}

static enum yz_err encode_guarded(png_structp png, png_infop info, struct wctx *x)
{
	if (setjmp(png_jmpbuf(png)))
		return YZ_EFORMAT;
	encode_body(png, info, x);
	return YZ_OK;
}

/* Compresses the e->raw image data (raw_len bytes, rows of w pixels of bpp
 * bytes) into e->zdata as a zlib stream: tilez for level < 0, else
 * libdeflate at that level. */
static enum yz_err compress_raw(struct pngenc *e, int level, size_t raw_len, unsigned bpp,
				unsigned w, size_t *zlen)
{
	if (level < 0 && !e->tz && tilez_new(&e->tz))
		return YZ_ENOMEM;
	if (level >= 0 && !e->z[level] && !(e->z[level] = libdeflate_alloc_compressor(level)))
		return YZ_ENOMEM;
	size_t bound = level < 0 ? tilez_bound(raw_len)
				 : libdeflate_zlib_compress_bound(e->z[level], raw_len);
	if (reserve(&e->zdata, &e->zcap, bound))
		return YZ_ENOMEM;
	if (level < 0)
		return tilez_compress(e->tz, e->raw, raw_len, bpp, 1 + bpp * w, e->zdata, e->zcap,
				      zlen);
	*zlen = libdeflate_zlib_compress(e->z[level], e->raw, raw_len, e->zdata, e->zcap);
	return *zlen ? YZ_OK : YZ_EFORMAT; /* 0 cannot happen: the buffer has the bound */
}

enum yz_err pngenc_write(struct pngenc *e, const struct rast_canvas *c, struct buf *out, int level)
{
	if (c->later) {
		/* a clear still pending: write its pixels (they are what the
		 * canvas holds; c itself stays as it is, pending or not alike) */
		struct rast_canvas settled = *c;
		rast_canvas_settle(&settled);
	}
	size_t raw_len = (1 + 4 * (size_t)c->w) * c->h;
	if (reserve(&e->raw, &e->raw_cap, raw_len + 4))
		return YZ_ENOMEM;
	struct wctx x = {.c = c, .rgb = raw_rgb(c, e->raw)};
	if (x.rgb)
		raw_len = (1 + 3 * (size_t)c->w) * c->h;
	else
		raw_rgba(c, e->raw);
	enum yz_err zerr = compress_raw(e, level > PNGENC_MAX_LEVEL ? PNGENC_MAX_LEVEL : level,
					raw_len, x.rgb ? 3 : 4, c->w, &x.zlen);
	if (zerr)
		return zerr;
	x.zdata = e->zdata;
	enum yz_err err = YZ_ENOMEM;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (info) {
		png_set_write_fn(png, out, write_to_buf, flush_nothing);
		err = encode_guarded(png, info, &x);
		if (err != YZ_OK && out->failed)
			err = YZ_ENOMEM;
	}
	png_destroy_write_struct(&png, &info);
	return err;
}

enum yz_err pngenc_rgba(const struct rast_canvas *c, struct buf *out, int level)
{
	struct pngenc *e;
	if (pngenc_new(&e))
		return YZ_ENOMEM;
	enum yz_err err = pngenc_write(e, c, out, level);
	pngenc_free(e);
	return err;
}

/* ---- decoding ---- */

struct rctx {
	const uint8_t *data;
	size_t len, pos;
	uint8_t *px;  /* decoded image, owned here until handed out */
	unsigned w, h;
	int nomem;    /* the failure was an allocation */
};

static void read_from_mem(png_structp png, png_bytep dst, size_t len)
{
	struct rctx *x = png_get_io_ptr(png);
	if (len > x->len - x->pos)
		png_error(png, "truncated");
	memcpy(dst, x->data + x->pos, len);
	x->pos += len;
}

static void decode_body(png_structp png, png_infop info, struct rctx *x)
{
	png_set_read_fn(png, x, read_from_mem);
	png_set_user_limits(png, RAST_MAX_DIM, RAST_MAX_DIM);
	png_read_info(png, info);
	png_uint_32 w, h;
	int depth, ctype, interlace;
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
	int trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
	if (depth == 16)
		png_set_strip_16(png);
	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (trns)
		png_set_tRNS_to_alpha(png);
	if (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(png);
	if (!(ctype & PNG_COLOR_MASK_ALPHA) && !trns)
		png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
	int passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != 4 * (size_t)w)
		png_error(png, "unexpected row size");
	x->px = malloc(4 * (size_t)w * h);
	if (!x->px) {
		x->nomem = 1;
		png_error(png, "out of memory");
	}
	for (int pass = 0; pass < passes; pass++)
		for (png_uint_32 y = 0; y < h; y++)
			png_read_row(png, x->px + 4 * (size_t)w * y, NULL);
	png_read_end(png, NULL);
	x->w = w;
	x->h = h;
}

static int decode_guarded(png_structp png, png_infop info, struct rctx *x)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	decode_body(png, info, x);
	return 0;
}

enum yz_err pngenc_decode_rgba(const void *png_data, size_t len, uint8_t **px, unsigned *w, unsigned *h)
{
	*px = NULL;
	if (len < 8 || png_sig_cmp(png_data, 0, 8))
		return YZ_EFORMAT;
	struct rctx x = {.data = png_data, .len = len};
	enum yz_err err = YZ_ENOMEM;
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, on_error, on_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (info) {
		if (decode_guarded(png, info, &x) == 0) {
			err = YZ_OK;
			*px = x.px;
			*w = x.w;
			*h = x.h;
			x.px = NULL;
		} else {
			err = x.nomem ? YZ_ENOMEM : YZ_EFORMAT;
		}
	}
	png_destroy_read_struct(&png, &info, NULL);
	free(x.px);
	return err;
}
