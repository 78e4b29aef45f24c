/* tcache.h — the in-memory cache of encoded tiles (SPEC §5): immutable PNG
 * blobs keyed by a 64-bit key, LRU by bytes, shared by every worker thread.
 *
 * The key is the tile's ETag hash, which already folds in the dataset
 * version, the style hash and the tile address, so a reload or a new style
 * simply misses; tcache_clear frees the old tiles at once.  The key is stored
 * whole and compared on lookup; two tiles collide only when their 64-bit
 * ETags do, which would already confuse HTTP caches.
 *
 * Concurrency: entries are spread over shards (a power of two, default 16),
 * each with its own mutex, hash table and LRU list, so worker threads rarely
 * contend.  The byte bound is split evenly between shards, which makes the
 * LRU per shard (close to global LRU for many keys).  Concurrent misses of
 * one key are coalesced ("single-flight"): the first caller renders, the
 * others wait for its result.
 *
 * Typical use, one request:
 *
 *	struct tcache_entry *e;
 *	struct tcache_flight *f;
 *	if (tcache_get_or_begin(c, key, &e, &f) == TCACHE_HIT) {
 *		send(e->bytes, e->len);
 *		tcache_unref(e);
 *	} else if (render(&png) == OK) {
 *		send(png); tcache_finish(c, f, png, png_len);
 *	} else {
 *		tcache_abandon(c, f);
 *	}
 *
 * Entries are immutable once published and reference counted: an entry
 * evicted or cleared while a request still sends it stays alive until that
 * request's tcache_unref. */
#ifndef YZ_TCACHE_H
#define YZ_TCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Defaults of tcache_new. */
#define TCACHE_DEFAULT_BYTES ((size_t)256 << 20)
#define TCACHE_DEFAULT_SHARDS 16u
#define TCACHE_MAX_SHARDS 256u
/* How long a caller waits, by default, for another thread rendering the same
 * key before it renders the tile itself (a stuck renderer must not stall
 * everyone). */
#define TCACHE_WAIT_MS 10000

struct tcache;
struct tcache_flight;

/* One cached tile.  Public fields are read-only for users; the rest belongs
 * to the cache.  Valid while the caller holds a reference. */
struct tcache_entry {
	uint64_t key;                 /* the full key it was published under */
	const unsigned char *bytes;   /* the encoded tile, len bytes */
	size_t len;
	/* private */
	_Atomic unsigned refs;        /* one per holder, plus one while cached */
	size_t cost;                  /* bytes charged to the bound: len (unless
				       * borrowed) plus the entry's overhead */
	struct tcache_entry *hnext;   /* hash chain of its shard */
	struct tcache_entry *prev, *next; /* LRU list, most recent first */
	unsigned char data[];         /* the bytes, unless borrowed */
};

/* Counters for /metrics: summed over shards, each shard read under its lock
 * (so a snapshot is per-shard consistent only). */
struct tcache_stats {
	uint64_t hits;        /* lookups answered from the cache, incl. after a wait */
	uint64_t misses;      /* lookups that rendered (owners and timed-out waiters) */
	uint64_t evictions;   /* entries dropped to respect the bound (not clears) */
	uint64_t waits;       /* lookups that waited for another renderer */
	uint64_t wait_timeouts; /* waits that gave up after the wait bound */
	uint64_t oversize;    /* published entries too large to keep */
	uint64_t bytes;       /* charged bytes held now */
	uint64_t entries;     /* entries held now */
	uint64_t max_bytes;   /* the bound */
};

enum tcache_result {
	TCACHE_HIT = 0,   /* *entry holds a reference; *flight is NULL */
	TCACHE_MISS,      /* *flight: the caller renders, then finish or abandon */
};

/* Lifecycle.
 *
 * tcache_new: a cache of at most max_bytes charged bytes (0 = the default,
 * 256 MiB) over `shards` shards (0 = default 16; rounded up to a power of
 * two, at most TCACHE_MAX_SHARDS; tests use 1 for an exact LRU order).
 * Returns YZ_ENOMEM with *out = NULL.
 * tcache_free: frees the cache and drops its references; accepts NULL.  No
 * thread may be inside a tcache_ call and no flight may be open; entries
 * still referenced by callers stay valid until their tcache_unref. */
enum yz_err tcache_new(size_t max_bytes, unsigned shards, struct tcache **out);
void tcache_free(struct tcache *c);
/* How long a caller waits for another renderer of its key (default
 * TCACHE_WAIT_MS); set before the cache is shared (tests use a short one). */
void tcache_set_wait_ms(struct tcache *c, unsigned ms);

/* Lookup and single-flight.
 *
 * tcache_get_or_begin: TCACHE_HIT with a new reference in *entry (release
 * with tcache_unref), or TCACHE_MISS with *flight: the caller must render
 * and then call exactly one of tcache_finish, tcache_finish_borrowed or
 * tcache_abandon with it.  While a flight for `key` is open, other callers
 * of the same key wait (up to tcache_set_wait_ms's bound) and get its entry;
 * when it is abandoned they try again (one of them becomes the renderer); on
 * timeout they get a private flight, render themselves, and their finish
 * publishes unless the key got cached meanwhile.  Never fails: when memory for a
 * flight is short, the caller gets a MISS with *flight = NULL, which the
 * three functions below accept (and then publish nothing). */
enum tcache_result tcache_get_or_begin(struct tcache *c, uint64_t key,
				       struct tcache_entry **entry, struct tcache_flight **flight);

/* tcache_finish: publish `len` bytes of `blob` (copied; the caller keeps its
 * blob) for the flight's key, wake its waiters and end the flight.  The
 * entry is not kept (but still handed to waiters) when it is larger than a
 * shard's share of the bound, or when tcache_clear ran since the flight
 * began (its data may be stale).  Returns YZ_OK, or YZ_ENOMEM (nothing
 * published; waiters retry as after tcache_abandon).  `flight` is invalid
 * afterwards either way. */
enum yz_err tcache_finish(struct tcache *c, struct tcache_flight *flight, const void *blob,
			  size_t len);
/* As tcache_finish without the copy: the entry points at `blob`, which must
 * stay valid and unchanged until tcache_free (shared blobs such as the
 * one-colour tiles of tiles/solid.h).  Only the entry's overhead counts to the bound. */
enum yz_err tcache_finish_borrowed(struct tcache *c, struct tcache_flight *flight,
				   const void *blob, size_t len);
/* Rendering failed: nothing is published, waiters wake and retry. */
void tcache_abandon(struct tcache *c, struct tcache_flight *flight);

/* References.  tcache_ref adds one to an entry the caller already holds;
 * tcache_unref drops one and frees the entry when it was the last (accepts
 * NULL).  Thread-safe; the cache need not be alive for tcache_unref. */
void tcache_ref(struct tcache_entry *e);
void tcache_unref(struct tcache_entry *e);

/* Maintenance.
 *
 * tcache_clear: drop every cached entry now (data or styles changed) and
 * keep flights already running from publishing their possibly stale
 * result.  Entries in use stay alive until unref'd.
 * tcache_stats: the counters into *out. */
void tcache_clear(struct tcache *c);
void tcache_stats(struct tcache *c, struct tcache_stats *out);

#endif
