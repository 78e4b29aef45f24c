/* tilez.c — see tilez.h.
 *
 * Three passes over a tile's image data:
 *   1. tokens: where a pixel starts, the longer of the matches `near` and
 *      `far` bytes back (3..258 bytes; one 8-byte compare each tells a busy
 *      pixel, a match then extends 16 bytes at a step), else literals to
 *      the next pixel — a run of busy RGB pixels in a loop of its own;
 *      symbol frequencies are counted on the way;
 *   2. Huffman code lengths for the literal/length and distance alphabets
 *      (limited to 15 bits, and the code-length alphabet to 7, by halving
 *      the frequencies until the tree is shallow enough), canonical codes;
 *   3. the block: header, the run-length coded code lengths, the tokens
 *      (each one table lookup, two a write of the bit buffer when they
 *      fit, which stores 8 bytes and moves on by the whole ones), end of
 *      block — or stored blocks if those would be smaller (noise).
 * Then the zlib header and the Adler-32 of the input (libdeflate's).
 *
 * Token layout (uint16_t): a literal is its byte (0..255); a match `near`
 * bytes back is TOK_NEAR + length − 3, one `far` back TOK_FAR + length − 3
 * — the only two distances tried.  So after the codes are made, every
 * token is one entry of a table of its bits (pass 3 has no branch per
 * token). */
#include "tilez.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define MIN_MATCH 3
#define MAX_MATCH 258
#define MAX_DIST 32768
#define NLITLEN 286 /* 0..255 literals, 256 end of block, 257..285 lengths */
#define NDIST 30
#define NCLEN 19
#define EOB 256
#define TOK_NEAR 256u
#define TOK_FAR 512u
#define NTOK 768u /* distinct tokens */
#define STORED_MAX 65535u

static unsigned length_sym(unsigned len, unsigned *nextra, unsigned *extra);

struct tilez {
	uint16_t *tok;
	size_t tok_cap;
	/* per match length 3..258: its symbol and its extra bits (count, value) */
	uint16_t len_sym[MAX_MATCH + 1];
	uint8_t len_nextra[MAX_MATCH + 1], len_extra[MAX_MATCH + 1];
	/* per position in a row of `far` bytes: 0 where a pixel (or the row)
	 * starts, else the bytes to the next such place; made for the last
	 * near/far seen */
	uint16_t *to_start;
	unsigned start_near, start_far;
};

enum yz_err tilez_new(struct tilez **out)
{
	struct tilez *z = calloc(1, sizeof *z);
	*out = z;
	if (!z)
		return YZ_ENOMEM;
	for (unsigned l = MIN_MATCH; l <= MAX_MATCH; l++) {
		unsigned ne, ex;
		z->len_sym[l] = (uint16_t)length_sym(l, &ne, &ex);
		z->len_nextra[l] = (uint8_t)ne;
		z->len_extra[l] = (uint8_t)ex;
	}
	return YZ_OK;
}

void tilez_free(struct tilez *z)
{
	if (!z)
		return;
	free(z->tok);
	free(z->to_start);
	free(z);
}

size_t tilez_bound(size_t n)
{
	/* stored blocks (chosen whenever the coded block would be larger):
	 * 5 bytes per block of up to 65535, the zlib header and trailer, and
	 * room for the bit writer's 4-byte stores */
	return n + 5 * (n / STORED_MAX + 1) + 2 + 4 + 16;
}

/* ---- symbols ---- */

/* Length 3..258 → its symbol (257..285), extra bits and their value. */
static unsigned length_sym(unsigned len, unsigned *nextra, unsigned *extra)
{
	unsigned v = len - MIN_MATCH;
	if (len == MAX_MATCH) {
		*nextra = 0;
		*extra = 0;
		return 285;
	}
	if (v < 8) {
		*nextra = 0;
		*extra = 0;
		return 257 + v;
	}
	unsigned nb = 31 - (unsigned)__builtin_clz(v); /* v >= 8: nb >= 3 */
	*nextra = nb - 2;
	*extra = v & ((1u << (nb - 2)) - 1);
	return 257 + 4 * (nb - 1) + ((v >> (nb - 2)) & 3);
}

/* Distance 1..32768 → its code (0..29), extra bits and their value. */
static unsigned dist_code(unsigned dist, unsigned *nextra, unsigned *extra)
{
	unsigned v = dist - 1;
	if (v < 4) {
		*nextra = 0;
		*extra = 0;
		return v;
	}
	unsigned nb = 31 - (unsigned)__builtin_clz(v); /* v >= 4: nb >= 2 */
	*nextra = nb - 1;
	*extra = v & ((1u << (nb - 1)) - 1);
	return 2 * nb + ((v >> (nb - 1)) & 1);
}

/* ---- pass 1: tokens ---- */

/* How many of the first `max` bytes of a and b agree: 16 bytes a step
 * where SSE2 is (matches average ~56 bytes on map tiles), else 8. */
static inline size_t match_len(const uint8_t *a, const uint8_t *b, size_t max)
{
	size_t k = 0;
#ifdef __SSE2__
	while (k + 16 <= max) {
		__m128i x = _mm_loadu_si128((const __m128i *)(a + k));
		__m128i y = _mm_loadu_si128((const __m128i *)(b + k));
		unsigned ne = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) & 0xffff;
		if (ne)
			return k + (unsigned)__builtin_ctz(ne);
		k += 16;
	}
#endif
	while (k + 8 <= max) {
		uint64_t x, y;
		memcpy(&x, a + k, 8);
		memcpy(&y, b + k, 8);
		uint64_t d = x ^ y;
		if (d)
			return k + ((unsigned)__builtin_ctzll(d) >> 3);
		k += 8;
	}
	while (k < max && a[k] == b[k])
		k++;
	return k;
}

/* Matches are tried where a pixel starts — at a row's filter byte and then
 * every `near` bytes (`far` being the row's size) — and the bytes up to the
 * next such place go out as literals: a repeat of pixels starts on a
 * pixel, and a busy stretch costs one match attempt per pixel.
 * z->to_start[col] is how far the next of those places is from position
 * col of a row.  Literal counts go to two tables in turn (added up after),
 * so that a run of one byte value does not wait on its own counter. */
static size_t tokenize(const struct tilez *z, const uint8_t *data, size_t n, unsigned near,
		       unsigned far, uint16_t *tok, uint32_t *lit_freq, uint32_t *dist_freq)
{
	uint32_t lit2[256] = {0};
	size_t t = 0, i = 0;
	unsigned col = 0; /* position in the row */
	while (i < n) {
		size_t max = n - i < MAX_MATCH ? n - i : MAX_MATCH, best = 0;
		unsigned dist = 0, step = z->to_start[col];
		if (step == 0 && max >= 8 && i >= near && i >= far) {
			/* the common case, both references in reach: one 8-byte
			 * compare each tells a busy pixel (neither matches its
			 * first three bytes) at once; the same choice as below */
			uint64_t x, yn, yf;
			memcpy(&x, data + i, 8);
			memcpy(&yn, data + i - near, 8);
			memcpy(&yf, data + i - far, 8);
			uint64_t dn = x ^ yn, df = x ^ yf;
			if ((dn & 0xffffff) && (df & 0xffffff) && near == 3 && col && col + 3 <= far) {
				/* a run of busy RGB pixels: each one's three literals
				 * from x, in a loop of its own, until a pixel matches
				 * (the general code then takes it), the row or the
				 * data ends */
				for (;;) {
					uint8_t v0 = (uint8_t)x, v1 = (uint8_t)(x >> 8), v2 = (uint8_t)(x >> 16);
					tok[t] = v0;
					tok[t + 1] = v1;
					tok[t + 2] = v2;
					t += 3;
					lit_freq[v0]++;
					lit2[v1]++;
					lit_freq[v2]++;
					i += 3;
					col += 3;
					if (col + 3 > far || n - i < 8)
						break;
					memcpy(&x, data + i, 8);
					memcpy(&yn, data + i - near, 8);
					memcpy(&yf, data + i - far, 8);
					if (!((x ^ yn) & 0xffffff) || !((x ^ yf) & 0xffffff))
						break;
				}
				if (col == far)
					col = 0;
				continue;
			}
			if (!(dn & 0xffffff) || !(df & 0xffffff)) {
				best = dn ? (unsigned)__builtin_ctzll(dn) >> 3
					  : 8 + match_len(data + i + 8, data + i + 8 - near, max - 8);
				dist = near;
				if (best < max) {
					size_t l = df ? (unsigned)__builtin_ctzll(df) >> 3
						      : 8 + match_len(data + i + 8, data + i + 8 - far, max - 8);
					if (l > best) {
						best = l;
						dist = far;
					}
				}
			}
		} else if (step == 0 && max >= MIN_MATCH) {
			if (i >= near) {
				best = match_len(data + i, data + i - near, max);
				dist = near;
			}
			if (best < max && i >= far) {
				size_t l = match_len(data + i, data + i - far, max);
				if (l > best) {
					best = l;
					dist = far;
				}
			}
		}
		if (best >= MIN_MATCH) {
			unsigned ne, ex;
			tok[t++] = (uint16_t)((dist == near ? TOK_NEAR : TOK_FAR) + best - MIN_MATCH);
			lit_freq[z->len_sym[best]]++;
			dist_freq[dist_code(dist, &ne, &ex)]++;
			i += best;
			col += (unsigned)best;
			while (col >= far)
				col -= far;
			continue;
		}
		/* literals: to the next pixel (the whole pixel when at its start) */
		if (step == 0)
			step = col == 0 ? 1 : near;
		if (step > far - col)
			step = far - col;
		if (step > n - i)
			step = (unsigned)(n - i);
		for (unsigned q = 0; q < step; q++) {
			uint8_t v = data[i + q];
			tok[t++] = v;
			if (q & 1)
				lit2[v]++;
			else
				lit_freq[v]++;
		}
		i += step;
		col += step;
		if (col == far)
			col = 0;
	}
	for (unsigned v = 0; v < 256; v++)
		lit_freq[v] += lit2[v];
	return t;
}

/* z->to_start for rows of `far` bytes and pixels of `near`; -1 on ENOMEM. */
static int make_starts(struct tilez *z, unsigned near, unsigned far)
{
	if (z->to_start && z->start_near == near && z->start_far == far)
		return 0;
	uint16_t *st = realloc(z->to_start, far * sizeof *st);
	if (!st)
		return -1;
	z->to_start = st;
	/* 0 at the row's start and at every pixel's; else the bytes to the
	 * next of those, or to the row's end */
	for (unsigned col = 0; col < far; col++)
		st[col] = col == 0 || (col - 1) % near == 0 ? 0 : (uint16_t)(near - (col - 1) % near);
	for (unsigned col = 1; col < far; col++)
		if (st[col] && col + st[col] > far)
			st[col] = (uint16_t)(far - col);
	z->start_near = near;
	z->start_far = far;
	return 0;
}

/* ---- pass 2: codes ---- */

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts key[0..m) ascending (m <= 288): byte-wise radix passes (skipping
 * bytes all keys share) when every key fits 32 bits — always for tiles,
 * frequencies stay below 2^23 — else qsort, whose comparator calls cost
 * more than a few hundred keys' worth of counting. */
static void sort_keys(uint64_t *key, unsigned m)
{
	uint64_t all = 0;
	for (unsigned k = 0; k < m; k++)
		all |= key[k];
	if (all >> 32) {
		qsort(key, m, sizeof key[0], key_cmp);
		return;
	}
	uint64_t tmp[288], *src = key, *dst = tmp;
	for (unsigned shift = 0; shift < 32; shift += 8) {
		unsigned count[257] = {0};
		for (unsigned k = 0; k < m; k++)
			count[(src[k] >> shift & 255) + 1]++;
		if (count[(src[0] >> shift & 255) + 1] == m)
			continue; /* one value of this byte: already in order */
		for (unsigned b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (unsigned k = 0; k < m; k++)
			dst[count[src[k] >> shift & 255]++] = src[k];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != key)
		memcpy(key, src, m * sizeof *key);
}

/* Huffman code lengths of the used symbols of freq[0..n) (n <= 288), none
 * longer than `limit`; unused symbols get 0.  One used symbol gets length
 * 1 (the single code the format allows to be incomplete). */
static void code_lengths(const uint32_t *freq_in, unsigned n, unsigned limit, uint8_t *len)
{
	uint64_t key[288];
	uint32_t freq[288], w[576];
	uint16_t parent[576], depth[576];
	unsigned m = 0;
	memset(len, 0, n);
	memcpy(freq, freq_in, n * sizeof *freq);
	for (;;) {
		m = 0;
		for (unsigned s = 0; s < n; s++)
			if (freq[s])
				key[m++] = (uint64_t)freq[s] << 9 | s;
		if (m <= 1) {
			if (m == 1)
				len[key[0] & 511] = 1;
			return;
		}
		sort_keys(key, m);
		/* two queues: the sorted leaves 0..m−1, and the internal nodes
		 * m.. in the order they are made (their weights never decrease) */
		for (unsigned k = 0; k < m; k++)
			w[k] = (uint32_t)(key[k] >> 9);
		unsigned leaf = 0, inner = m, made = m;
		for (unsigned k = 0; k + 1 < m; k++) {
			unsigned pick[2];
			for (int q = 0; q < 2; q++)
				pick[q] = leaf < m && (inner >= made || w[leaf] <= w[inner]) ? leaf++ : inner++;
			w[made] = w[pick[0]] + w[pick[1]];
			parent[pick[0]] = parent[pick[1]] = (uint16_t)made;
			made++;
		}
		unsigned root = made - 1, deepest = 0;
		depth[root] = 0;
		for (unsigned k = root; k-- > 0;) {
			depth[k] = (uint16_t)(depth[parent[k]] + 1);
			if (k < m && depth[k] > deepest)
				deepest = depth[k];
		}
		if (deepest <= limit) {
			for (unsigned k = 0; k < m; k++)
				len[key[k] & 511] = (uint8_t)depth[k];
			return;
		}
		/* too deep: flatten the distribution and build again */
		for (unsigned s = 0; s < n; s++)
			if (freq[s])
				freq[s] = (freq[s] >> 1) | 1;
	}
}

/* Canonical codes (RFC 1951 3.2.2), bit-reversed for LSB-first output. */
static void canonical_codes(const uint8_t *len, unsigned n, uint16_t *code)
{
	unsigned count[16] = {0}, next[16];
	for (unsigned s = 0; s < n; s++)
		count[len[s]]++;
	count[0] = 0;
	unsigned c = 0;
	for (unsigned b = 1; b < 16; b++) {
		c = (c + count[b - 1]) << 1;
		next[b] = c;
	}
	for (unsigned s = 0; s < n; s++) {
		code[s] = 0;
		if (!len[s])
			continue;
		unsigned v = next[len[s]]++, r = 0;
		for (unsigned b = 0; b < len[s]; b++, v >>= 1)
			r = r << 1 | (v & 1);
		code[s] = (uint16_t)r;
	}
}

/* The code lengths of both alphabets as code-length symbols: (symbol,
 * extra value) pairs; returns how many. */
static unsigned rle_lengths(const uint8_t *lens, unsigned total, uint8_t *sym, uint8_t *extra)
{
	unsigned k = 0;
	for (unsigned i = 0; i < total;) {
		unsigned v = lens[i], run = 1;
		while (i + run < total && lens[i + run] == v)
			run++;
		i += run;
		if (v == 0) {
			while (run >= 11) {
				unsigned r = run < 138 ? run : 138;
				sym[k] = 18, extra[k++] = (uint8_t)(r - 11);
				run -= r;
			}
			if (run >= 3) {
				sym[k] = 17, extra[k++] = (uint8_t)(run - 3);
				run = 0;
			}
		} else {
			sym[k] = (uint8_t)v, extra[k++] = 0;
			run--;
			while (run >= 3) {
				unsigned r = run < 6 ? run : 6;
				sym[k] = 16, extra[k++] = (uint8_t)(r - 3);
				run -= r;
			}
		}
		while (run--)
			sym[k] = (uint8_t)v, extra[k++] = 0;
	}
	return k;
}

/* ---- pass 3: bits ---- */

struct bits {
	uint8_t *p;
	uint64_t acc;
	unsigned n; /* bits in acc, < 8 between calls */
};

/* Appends the k <= 56 low bits of v.  The whole bytes go out at once, with
 * no branch: 8 bytes are stored (those past the last whole one are
 * rewritten later; the output has tilez_bound's slack). */
static inline void put(struct bits *b, uint64_t v, unsigned k)
{
	b->acc |= v << b->n;
	b->n += k;
	unsigned bytes = b->n >> 3;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(b->p, &b->acc, 8);
#else
	for (unsigned i = 0; i < 8; i++)
		b->p[i] = (uint8_t)(b->acc >> 8 * i);
#endif
	b->p += bytes;
	b->acc >>= 8 * bytes;
	b->n &= 7;
}

/* Out to the next byte boundary. */
static void flush(struct bits *b)
{
	while (b->n > 0) {
		*b->p++ = (uint8_t)b->acc;
		b->acc >>= 8;
		b->n = b->n > 8 ? b->n - 8 : 0;
	}
	b->acc = 0;
}

static const uint8_t clen_order[NCLEN] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5,
					  11, 4, 12, 3, 13, 2, 14, 1, 15};
static const uint8_t clen_extra_bits[NCLEN] = {[16] = 2, [17] = 3, [18] = 7};

/* Everything pass 3 needs. */
struct block {
	uint8_t lit_len[NLITLEN], dist_len[NDIST], clen_len[NCLEN];
	uint16_t lit_code[NLITLEN], dist_code[NDIST], clen_code[NCLEN];
	unsigned nlit, ndist, nclen, nrle;
	uint8_t rle_sym[NLITLEN + NDIST], rle_extra[NLITLEN + NDIST];
};

/* Codes for the frequencies; returns the block's size in bits. */
static uint64_t plan_block(struct block *k, const uint32_t *lit_freq, const uint32_t *dist_freq)
{
	code_lengths(lit_freq, NLITLEN, 15, k->lit_len);
	code_lengths(dist_freq, NDIST, 15, k->dist_len);
	int any_dist = 0;
	for (unsigned s = 0; s < NDIST; s++)
		any_dist |= k->dist_len[s] != 0;
	if (!any_dist)
		k->dist_len[0] = 1; /* all literals: one unused distance code */
	canonical_codes(k->lit_len, NLITLEN, k->lit_code);
	canonical_codes(k->dist_len, NDIST, k->dist_code);
	k->nlit = NLITLEN;
	while (k->nlit > 257 && !k->lit_len[k->nlit - 1])
		k->nlit--;
	k->ndist = NDIST;
	while (k->ndist > 1 && !k->dist_len[k->ndist - 1])
		k->ndist--;
	uint8_t all[NLITLEN + NDIST];
	memcpy(all, k->lit_len, k->nlit);
	memcpy(all + k->nlit, k->dist_len, k->ndist);
	k->nrle = rle_lengths(all, k->nlit + k->ndist, k->rle_sym, k->rle_extra);
	uint32_t clen_freq[NCLEN] = {0};
	for (unsigned i = 0; i < k->nrle; i++)
		clen_freq[k->rle_sym[i]]++;
	code_lengths(clen_freq, NCLEN, 7, k->clen_len);
	canonical_codes(k->clen_len, NCLEN, k->clen_code);
	k->nclen = NCLEN;
	while (k->nclen > 4 && !k->clen_len[clen_order[k->nclen - 1]])
		k->nclen--;
	/* size: header, code lengths, symbols with their extra bits */
	uint64_t bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)k->nclen;
	for (unsigned i = 0; i < k->nrle; i++)
		bits += k->clen_len[k->rle_sym[i]] + clen_extra_bits[k->rle_sym[i]];
	for (unsigned s = 0; s < NLITLEN; s++) {
		/* length symbols 265..284 carry 1..5 extra bits (the end of
		 * block, counted once in lit_freq, is among the others) */
		unsigned ne = s >= 265 && s < 285 ? (s - 261) / 4 : 0;
		bits += (uint64_t)lit_freq[s] * (k->lit_len[s] + ne);
	}
	for (unsigned c = 0; c < NDIST; c++)
		bits += (uint64_t)dist_freq[c] * (k->dist_len[c] + (c >= 4 ? c / 2 - 1 : 0));
	return bits;
}

static void write_block(struct bits *b, const struct tilez *z, const struct block *k,
			const uint16_t *tok, size_t ntok, unsigned near, unsigned far)
{
	put(b, 1 | 2 << 1, 3); /* final, dynamic Huffman */
	put(b, k->nlit - 257, 5);
	put(b, k->ndist - 1, 5);
	put(b, k->nclen - 4, 4);
	for (unsigned i = 0; i < k->nclen; i++)
		put(b, k->clen_len[clen_order[i]], 3);
	for (unsigned i = 0; i < k->nrle; i++) {
		unsigned s = k->rle_sym[i];
		put(b, k->clen_code[s], k->clen_len[s]);
		if (clen_extra_bits[s])
			put(b, k->rle_extra[i], clen_extra_bits[s]);
	}
	/* Every token as one table entry: its bits (a literal's code; a
	 * match's length code, extra bits, distance code, extra bits — at most
	 * 15 + 5 + 15 + 13) and their count in the top byte. */
	uint64_t tab[NTOK];
	for (unsigned v = 0; v < 256; v++)
		tab[v] = k->lit_code[v] | (uint64_t)k->lit_len[v] << 56;
	for (unsigned j = 0; j < 2; j++) {
		unsigned ne, ex, c = dist_code(j ? far : near, &ne, &ex);
		uint64_t dbits = k->dist_code[c] | (uint64_t)ex << k->dist_len[c];
		unsigned dn = k->dist_len[c] + ne;
		for (unsigned l = MIN_MATCH; l <= MAX_MATCH; l++) {
			unsigned s = z->len_sym[l], ln = k->lit_len[s] + z->len_nextra[l];
			uint64_t lbits = k->lit_code[s] | (uint64_t)z->len_extra[l] << k->lit_len[s];
			tab[(j ? TOK_FAR : TOK_NEAR) + l - MIN_MATCH] =
				(lbits | dbits << ln) | (uint64_t)(ln + dn) << 56;
		}
	}
	const uint64_t low56 = ((uint64_t)1 << 56) - 1;
	/* two tokens a put when their bits fit (literals, mostly): half the
	 * steps of the bit writer's dependency chain through a busy stretch */
	size_t i = 0;
	for (; i + 1 < ntok; i += 2) {
		uint64_t e = tab[tok[i]], f = tab[tok[i + 1]];
		unsigned ne = (unsigned)(e >> 56), nf = (unsigned)(f >> 56);
		if (ne + nf <= 56) {
			put(b, (e & low56) | (f & low56) << ne, ne + nf);
		} else {
			put(b, e & low56, ne);
			put(b, f & low56, nf);
		}
	}
	for (; i < ntok; i++) {
		uint64_t e = tab[tok[i]];
		put(b, e & low56, (unsigned)(e >> 56));
	}
	put(b, k->lit_code[EOB], k->lit_len[EOB]);
}

static void write_stored(struct bits *b, const uint8_t *data, size_t n)
{
	size_t i = 0;
	do {
		size_t chunk = n - i < STORED_MAX ? n - i : STORED_MAX;
		put(b, i + chunk == n, 3); /* final?, stored */
		flush(b);
		b->p[0] = (uint8_t)chunk;
		b->p[1] = (uint8_t)(chunk >> 8);
		b->p[2] = (uint8_t)~chunk;
		b->p[3] = (uint8_t)(~chunk >> 8);
		memcpy(b->p + 4, data + i, chunk);
		b->p += 4 + chunk;
		i += chunk;
	} while (i < n);
}

enum yz_err tilez_compress(struct tilez *z, const uint8_t *data, size_t n, unsigned near,
			   unsigned far, uint8_t *out, size_t cap, size_t *len)
{
	*len = 0;
	if (cap < tilez_bound(n) || near < 1 || near > MAX_DIST || far < 1 || far > MAX_DIST)
		return YZ_ERANGE;
	if (n > z->tok_cap) {
		uint16_t *t = realloc(z->tok, n * sizeof *t);
		if (!t)
			return YZ_ENOMEM;
		z->tok = t;
		z->tok_cap = n;
	}
	if (make_starts(z, near, far))
		return YZ_ENOMEM;
	uint32_t lit_freq[NLITLEN] = {0}, dist_freq[NDIST] = {0};
	size_t ntok = tokenize(z, data, n, near, far, z->tok, lit_freq, dist_freq);
	lit_freq[EOB] = 1;
	struct block k;
	uint64_t coded = plan_block(&k, lit_freq, dist_freq);
	size_t stored = n + 5 * (n / STORED_MAX + 1);

	out[0] = 0x78; /* deflate, 32 KiB window */
	out[1] = 0x01; /* no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0 */
	struct bits b = {.p = out + 2};
	if ((coded + 7) / 8 < stored)
		write_block(&b, z, &k, z->tok, ntok, near, far);
	else
		write_stored(&b, data, n);
	flush(&b);
	uint32_t adler = libdeflate_adler32(1, data, n);
	b.p[0] = (uint8_t)(adler >> 24);
	b.p[1] = (uint8_t)(adler >> 16);
	b.p[2] = (uint8_t)(adler >> 8);
	b.p[3] = (uint8_t)adler;
	*len = (size_t)(b.p + 4 - out);
	return YZ_OK;
}
