/* tcache.c — the sharded, byte-bounded LRU tile cache with single-flight
 * rendering (see tcache.h for the contract).
 *
 * Layout: the key is scrambled once (splitmix64's finaliser, because ETag
 * hashes are built with a weak combiner); its top bits pick the shard, its
 * low bits the bucket.  Each shard holds, under one mutex: a chained hash
 * table (grown ×2 when entries outnumber buckets), a doubly linked LRU list
 * (most recent first), its byte count, and the list of open flights (one per
 * key being rendered; as many as rendering threads, so a linear list).
 *
 * Invariants, per shard, under its lock: every entry in the table is in the
 * LRU list and vice versa; `bytes` is the sum of their costs and is at most
 * `max_bytes` after every publish; each cached entry holds one reference for
 * the cache; at most one registered flight per key.
 *
 * Flights: the owner (the caller that got the MISS) ends a flight with
 * finish or abandon; waiters sleep on the flight's condition variable, with
 * the shard's mutex.  A flight is freed by whoever leaves it last (the owner
 * at its end, or the last waiter to wake), tracked by `owner_done` and
 * `waiters`.  A finished flight keeps one reference on its entry so that
 * waiters get the tile even when it was too large to cache.
 *
 * Typical sizes: 256 MiB bound, 10–40 KB per tile, so some 10^4 entries. */
#include "tcache.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum flight_state { FL_PENDING, FL_DONE, FL_ABANDONED };

struct tcache_flight {
	uint64_t key;
	uint64_t gen;               /* the shard's generation when it began */
	struct shard *sh;
	struct tcache_flight *next; /* the shard's open flights */
	pthread_cond_t cond;        /* signalled when state leaves FL_PENDING */
	enum flight_state state;
	struct tcache_entry *entry; /* FL_DONE: the result, one reference held */
	unsigned waiters;           /* threads waiting on cond now */
	bool registered;            /* in the shard's list (waiters can find it) */
	bool owner_done;            /* finish/abandon has run */
};

struct shard {
	pthread_mutex_t lock;
	struct tcache_entry **buckets; /* [nbuckets], chains through hnext */
	size_t nbuckets;               /* power of two */
	size_t count;                  /* entries cached */
	struct tcache_entry *head, *tail; /* LRU: head most recent */
	size_t bytes, max_bytes;       /* charged bytes now, and this shard's bound */
	struct tcache_flight *flights; /* open registered flights */
	uint64_t gen;                  /* bumped by tcache_clear */
	uint64_t hits, misses, evictions, waits, wait_timeouts, oversize;
	/* Keep neighbouring shards' locks off one cache line. */
	char pad[64];
};

struct tcache {
	struct shard *shards;
	unsigned nshards;
	unsigned shard_shift;          /* shard = scrambled key >> shift (64: one shard) */
	size_t max_bytes;
	unsigned wait_ms;              /* bound of a wait for another renderer */
	pthread_condattr_t condattr;   /* CLOCK_MONOTONIC for the bounded waits */
};

#define INITIAL_BUCKETS 64

static uint64_t scramble(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static struct shard *shard_of(struct tcache *c, uint64_t h)
{
	return c->shard_shift >= 64 ? &c->shards[0] : &c->shards[h >> c->shard_shift];
}

/* ---- entries -------------------------------------------------------------- */

void tcache_ref(struct tcache_entry *e)
{
	atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
}

void tcache_unref(struct tcache_entry *e)
{
	/* acq_rel: the thread that frees must see every other holder's reads done. */
	if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
		free(e);
}

/* ---- shard table and LRU (shard lock held) --------------------------------- */

static struct tcache_entry *table_find(const struct shard *sh, uint64_t key, uint64_t h)
{
	for (struct tcache_entry *e = sh->buckets[h & (sh->nbuckets - 1)]; e; e = e->hnext)
		if (e->key == key)
			return e;
	return NULL;
}

static void lru_unlink(struct shard *sh, struct tcache_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		sh->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		sh->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_front(struct shard *sh, struct tcache_entry *e)
{
	e->prev = NULL;
	e->next = sh->head;
	if (sh->head)
		sh->head->prev = e;
	sh->head = e;
	if (!sh->tail)
		sh->tail = e;
}

/* Double the buckets; on allocation failure keep the old ones (longer
 * chains, still correct). */
static void table_grow(struct shard *sh)
{
	size_t n = sh->nbuckets * 2;
	struct tcache_entry **b = calloc(n, sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < sh->nbuckets; i++) {
		struct tcache_entry *e = sh->buckets[i];
		while (e) {
			struct tcache_entry *nx = e->hnext;
			size_t j = scramble(e->key) & (n - 1);
			e->hnext = b[j];
			b[j] = e;
			e = nx;
		}
	}
	free(sh->buckets);
	sh->buckets = b;
	sh->nbuckets = n;
}

static void table_remove(struct shard *sh, struct tcache_entry *e)
{
	struct tcache_entry **pp = &sh->buckets[scramble(e->key) & (sh->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->hnext = NULL;
	lru_unlink(sh, e);
	sh->count--;
	sh->bytes -= e->cost;
}

/* Cache `e` (not yet cached, cost within the bound) and evict from the LRU
 * end until the shard fits.  Takes the cache's reference. */
static void table_insert(struct shard *sh, struct tcache_entry *e, uint64_t h)
{
	if (sh->count >= sh->nbuckets)
		table_grow(sh);
	tcache_ref(e);
	size_t i = h & (sh->nbuckets - 1);
	e->hnext = sh->buckets[i];
	sh->buckets[i] = e;
	lru_push_front(sh, e);
	sh->count++;
	sh->bytes += e->cost;
	while (sh->bytes > sh->max_bytes) {
		struct tcache_entry *old = sh->tail;
		assert(old && old != e); /* e alone fits: cost <= max_bytes */
		table_remove(sh, old);
		sh->evictions++;
		tcache_unref(old);
	}
}

static void shard_drop_all(struct shard *sh)
{
	struct tcache_entry *e = sh->head;
	while (e) {
		struct tcache_entry *nx = e->next;
		e->prev = e->next = e->hnext = NULL;
		tcache_unref(e);
		e = nx;
	}
	memset(sh->buckets, 0, sh->nbuckets * sizeof *sh->buckets);
	sh->head = sh->tail = NULL;
	sh->count = 0;
	sh->bytes = 0;
}

/* ---- lifecycle ---------------------------------------------------------------- */

enum yz_err tcache_new(size_t max_bytes, unsigned shards, struct tcache **out)
{
	*out = NULL;
	if (!max_bytes)
		max_bytes = TCACHE_DEFAULT_BYTES;
	if (!shards)
		shards = TCACHE_DEFAULT_SHARDS;
	if (shards > TCACHE_MAX_SHARDS)
		shards = TCACHE_MAX_SHARDS;
	unsigned bits = 0;
	while ((1u << bits) < shards)
		bits++;
	shards = 1u << bits;

	struct tcache *c = calloc(1, sizeof *c);
	if (!c)
		return YZ_ENOMEM;
	c->shards = calloc(shards, sizeof *c->shards);
	if (!c->shards) {
		free(c);
		return YZ_ENOMEM;
	}
	c->nshards = shards;
	c->shard_shift = 64 - bits;
	c->max_bytes = max_bytes;
	c->wait_ms = TCACHE_WAIT_MS;
	pthread_condattr_init(&c->condattr);
	pthread_condattr_setclock(&c->condattr, CLOCK_MONOTONIC);
	for (unsigned i = 0; i < shards; i++) {
		struct shard *sh = &c->shards[i];
		sh->buckets = calloc(INITIAL_BUCKETS, sizeof *sh->buckets);
		if (!sh->buckets) {
			for (unsigned k = 0; k < i; k++) {
				free(c->shards[k].buckets);
				pthread_mutex_destroy(&c->shards[k].lock);
			}
			pthread_condattr_destroy(&c->condattr);
			free(c->shards);
			free(c);
			return YZ_ENOMEM;
		}
		sh->nbuckets = INITIAL_BUCKETS;
		sh->max_bytes = max_bytes / shards;
		pthread_mutex_init(&sh->lock, NULL);
	}
	*out = c;
	return YZ_OK;
}

void tcache_free(struct tcache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nshards; i++) {
		struct shard *sh = &c->shards[i];
		assert(!sh->flights); /* contract: no flight open */
		shard_drop_all(sh);
		free(sh->buckets);
		pthread_mutex_destroy(&sh->lock);
	}
	pthread_condattr_destroy(&c->condattr);
	free(c->shards);
	free(c);
}

void tcache_set_wait_ms(struct tcache *c, unsigned ms)
{
	c->wait_ms = ms;
}

/* ---- flights ---------------------------------------------------------------- */

static struct tcache_flight *flight_new(struct tcache *c, struct shard *sh, uint64_t key,
					bool registered)
{
	struct tcache_flight *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	if (pthread_cond_init(&f->cond, &c->condattr)) {
		free(f);
		return NULL;
	}
	f->key = key;
	f->gen = sh->gen;
	f->sh = sh;
	f->state = FL_PENDING;
	f->registered = registered;
	if (registered) {
		f->next = sh->flights;
		sh->flights = f;
	}
	return f;
}

static struct tcache_flight *flight_find(const struct shard *sh, uint64_t key)
{
	for (struct tcache_flight *f = sh->flights; f; f = f->next)
		if (f->key == key)
			return f;
	return NULL;
}

static void flight_unregister(struct shard *sh, struct tcache_flight *f)
{
	if (!f->registered)
		return;
	struct tcache_flight **pp = &sh->flights;
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	f->registered = false;
}

/* Free `f` if nobody is left on it (shard lock held). */
static void flight_maybe_free(struct tcache_flight *f)
{
	if (!f->owner_done || f->waiters)
		return;
	tcache_unref(f->entry);
	pthread_cond_destroy(&f->cond);
	free(f);
}

static void deadline_after_ms(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

enum tcache_result tcache_get_or_begin(struct tcache *c, uint64_t key,
				       struct tcache_entry **entry, struct tcache_flight **flight)
{
	*entry = NULL;
	*flight = NULL;
	uint64_t h = scramble(key);
	struct shard *sh = shard_of(c, h);
	pthread_mutex_lock(&sh->lock);
	for (;;) {
		struct tcache_entry *e = table_find(sh, key, h);
		if (e) {
			lru_unlink(sh, e);
			lru_push_front(sh, e);
			tcache_ref(e);
			sh->hits++;
			*entry = e;
			break;
		}
		struct tcache_flight *f = flight_find(sh, key);
		if (!f) {
			sh->misses++;
			*flight = flight_new(c, sh, key, true);
			break;
		}
		/* Someone renders this key: wait for it, with a deadline fixed
		 * once so spurious wake-ups cannot stretch it. */
		sh->waits++;
		f->waiters++;
		struct timespec dl;
		deadline_after_ms(&dl, c->wait_ms);
		int rc = 0;
		while (f->state == FL_PENDING && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&f->cond, &sh->lock, &dl);
		f->waiters--;
		enum flight_state st = f->state;
		if (st == FL_DONE && f->entry) {
			tcache_ref(f->entry);
			*entry = f->entry;
			sh->hits++;
			flight_maybe_free(f);
			break;
		}
		flight_maybe_free(f);
		if (st == FL_PENDING) {
			/* Timed out: render without waiting any longer, on a
			 * private flight nobody else waits for. */
			sh->wait_timeouts++;
			sh->misses++;
			*flight = flight_new(c, sh, key, false);
			break;
		}
		/* Abandoned (or finished without an entry): look again; one
		 * of the waiters becomes the renderer. */
	}
	pthread_mutex_unlock(&sh->lock);
	return *entry ? TCACHE_HIT : TCACHE_MISS;
}

/* End flight `f` with entry `e` (NULL: nothing to publish), caching `e`
 * when it fits and no clear intervened. */
static void flight_end(struct tcache_flight *f, struct tcache_entry *e)
{
	struct shard *sh = f->sh;
	uint64_t h = scramble(f->key);
	pthread_mutex_lock(&sh->lock);
	flight_unregister(sh, f);
	if (e) {
		struct tcache_entry *have = table_find(sh, f->key, h);
		if (have) {
			/* A timed-out waiter published first: keep one copy. */
			tcache_ref(have);
			tcache_unref(e);
			e = have;
		} else if (e->cost > sh->max_bytes) {
			sh->oversize++;
		} else if (f->gen == sh->gen) {
			table_insert(sh, e, h);
		}
	}
	f->entry = e; /* the flight's reference, for its waiters */
	f->state = e ? FL_DONE : FL_ABANDONED;
	f->owner_done = true;
	pthread_cond_broadcast(&f->cond);
	flight_maybe_free(f);
	pthread_mutex_unlock(&sh->lock);
}

static enum yz_err publish(struct tcache_flight *f, const void *blob, size_t len, bool borrow)
{
	if (!f)
		return YZ_OK;
	struct tcache_entry *e = malloc(sizeof *e + (borrow ? 0 : len));
	if (!e) {
		flight_end(f, NULL);
		return YZ_ENOMEM;
	}
	e->key = f->key;
	e->len = len;
	if (borrow) {
		e->bytes = blob;
	} else {
		if (len)
			memcpy(e->data, blob, len);
		e->bytes = e->data;
	}
	atomic_init(&e->refs, 1);
	e->cost = sizeof *e + (borrow ? 0 : len);
	e->hnext = e->prev = e->next = NULL;
	flight_end(f, e);
	return YZ_OK;
}

enum yz_err tcache_finish(struct tcache *c, struct tcache_flight *flight, const void *blob,
			  size_t len)
{
	(void)c; /* the flight knows its shard */
	return publish(flight, blob, len, false);
}

enum yz_err tcache_finish_borrowed(struct tcache *c, struct tcache_flight *flight,
				   const void *blob, size_t len)
{
	(void)c;
	return publish(flight, blob, len, true);
}

void tcache_abandon(struct tcache *c, struct tcache_flight *flight)
{
	(void)c;
	if (flight)
		flight_end(flight, NULL);
}

/* ---- maintenance ---------------------------------------------------------------- */

void tcache_clear(struct tcache *c)
{
	for (unsigned i = 0; i < c->nshards; i++) {
		struct shard *sh = &c->shards[i];
		pthread_mutex_lock(&sh->lock);
		shard_drop_all(sh);
		sh->gen++;
		pthread_mutex_unlock(&sh->lock);
	}
}

void tcache_stats(struct tcache *c, struct tcache_stats *out)
{
	memset(out, 0, sizeof *out);
	out->max_bytes = c->max_bytes;
	for (unsigned i = 0; i < c->nshards; i++) {
		struct shard *sh = &c->shards[i];
		pthread_mutex_lock(&sh->lock);
		out->hits += sh->hits;
		out->misses += sh->misses;
		out->evictions += sh->evictions;
		out->waits += sh->waits;
		out->wait_timeouts += sh->wait_timeouts;
		out->oversize += sh->oversize;
		out->bytes += sh->bytes;
		out->entries += sh->count;
		pthread_mutex_unlock(&sh->lock);
	}
}
