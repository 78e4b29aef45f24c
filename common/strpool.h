/* strpool.h — an append-only pool of NUL-terminated strings addressed by
 * 32-bit offsets, so that tables of names live in one block that can be
 * written to and mapped from a snapshot.  Offset 0 is always "" (no string).
 * Equal strings are stored once (a hash table used only while building). */
#ifndef YZ_STRPOOL_H
#define YZ_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

struct strpool {
	char *data;        /* the strings, back to back; data[0] == '\0' */
	size_t len, cap;
	uint32_t *slots;   /* open-addressing table of offsets (0 = empty) */
	size_t slot_cap, slot_used;
	int failed;        /* an allocation failed; offsets returned are 0 */
};

void strpool_init(struct strpool *p);
void strpool_fini(struct strpool *p);
/* Offset of a copy of `s` (n bytes, no NUL inside); 0 for NULL or empty, and
 * on allocation failure (then p->failed is set). */
uint32_t strpool_addn(struct strpool *p, const char *s, size_t n);
uint32_t strpool_add(struct strpool *p, const char *s);
/* Drop the dedup table (after building); the strings stay. */
void strpool_seal(struct strpool *p);

#endif
