/* strpool.c — string pool with dedup by FNV-1a hashing; see strpool.h.
 * The hash table is kept at most half full. */
#include "strpool.h"

#include <stdlib.h>
#include <string.h>

void strpool_init(struct strpool *p)
{
	memset(p, 0, sizeof *p);
}

void strpool_fini(struct strpool *p)
{
	free(p->data);
	free(p->slots);
	memset(p, 0, sizeof *p);
}

void strpool_seal(struct strpool *p)
{
	free(p->slots);
	p->slots = NULL;
	p->slot_cap = p->slot_used = 0;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int grow_slots(struct strpool *p)
{
	size_t cap = p->slot_cap ? p->slot_cap * 2 : 1024;
	uint32_t *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < p->slot_cap; i++) {
		uint32_t off = p->slots[i];
		if (!off)
			continue;
		size_t j = fnv1a(p->data + off, strlen(p->data + off)) & (cap - 1);
		while (s[j])
			j = (j + 1) & (cap - 1);
		s[j] = off;
	}
	free(p->slots);
	p->slots = s;
	p->slot_cap = cap;
	return 0;
}

uint32_t strpool_addn(struct strpool *p, const char *s, size_t n)
{
	if (!s || !n || p->failed)
		return 0;
	if (!p->data) {
		p->cap = 4096;
		p->data = malloc(p->cap);
		if (!p->data)
			goto fail;
		p->data[0] = '\0';
		p->len = 1;
	}
	if ((p->slot_used + 1) * 2 > p->slot_cap && grow_slots(p))
		goto fail;
	size_t j = fnv1a(s, n) & (p->slot_cap - 1);
	while (p->slots[j]) {
		const char *c = p->data + p->slots[j];
		if (!strncmp(c, s, n) && c[n] == '\0')
			return p->slots[j];
		j = (j + 1) & (p->slot_cap - 1);
	}
	if (p->len + n + 1 > UINT32_MAX)
		goto fail;
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap;
		while (cap < p->len + n + 1)
			cap *= 2;
		char *d = realloc(p->data, cap);
		if (!d)
			goto fail;
		p->data = d;
		p->cap = cap;
	}
	uint32_t off = (uint32_t)p->len;
	memcpy(p->data + off, s, n);
	p->data[off + n] = '\0';
	p->len += n + 1;
	p->slots[j] = off;
	p->slot_used++;
	return off;
fail:
	p->failed = 1;
	return 0;
}

uint32_t strpool_add(struct strpool *p, const char *s)
{
	return s ? strpool_addn(p, s, strlen(s)) : 0;
}
