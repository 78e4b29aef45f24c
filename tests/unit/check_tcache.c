/* check_tcache.c — the tile cache: hits and misses, LRU order under the byte
 * bound, references outliving eviction and clears, oversize entries,
 * single-flight with real threads (one render, every waiter gets the same
 * entry; abandon and timeout hand the render on), and a 4-thread stress run
 * that checks every hit's bytes (meant for the ASan/UBSan and TSan builds). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tiles/tcache.h"

Suite *tcache_suite(void);

static void nap_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* The blob a test publishes for `key`: `len` bytes derived from the key, so
 * a hit can be checked byte for byte. */
static void fill(unsigned char *b, size_t len, uint64_t key)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(key * 31 + i * 7);
}

static int blob_ok(const struct tcache_entry *e, uint64_t key, size_t len)
{
	if (e->key != key || e->len != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (e->bytes[i] != (unsigned char)(key * 31 + i * 7))
			return 0;
	return 1;
}

/* Miss, render `len` bytes, publish. */
static void put(struct tcache *c, uint64_t key, size_t len)
{
	struct tcache_entry *e;
	struct tcache_flight *f;
	ck_assert_int_eq(tcache_get_or_begin(c, key, &e, &f), TCACHE_MISS);
	ck_assert_ptr_nonnull(f);
	unsigned char *b = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(b);
	fill(b, len, key);
	ck_assert_int_eq(tcache_finish(c, f, b, len), YZ_OK);
	free(b); /* the cache copied it */
}

/* Is `key` cached (with the right bytes)?  A miss is abandoned, so the
 * probe leaves nothing behind (but a hit refreshes the LRU position). */
static int cached(struct tcache *c, uint64_t key, size_t len)
{
	struct tcache_entry *e;
	struct tcache_flight *f;
	if (tcache_get_or_begin(c, key, &e, &f) == TCACHE_MISS) {
		tcache_abandon(c, f);
		return 0;
	}
	int ok = blob_ok(e, key, len);
	tcache_unref(e);
	ck_assert_msg(ok, "key %llu: wrong bytes", (unsigned long long)key);
	return 1;
}

START_TEST(test_hit_miss)
{
	struct tcache *c;
	ck_assert_int_eq(tcache_new(1 << 20, 1, &c), YZ_OK);
	ck_assert(!cached(c, 1, 100));
	put(c, 1, 100);
	ck_assert(cached(c, 1, 100));
	ck_assert(cached(c, 1, 100));
	ck_assert(!cached(c, 2, 100)); /* another key */
	/* an abandoned flight publishes nothing */
	struct tcache_entry *e;
	struct tcache_flight *f;
	ck_assert_int_eq(tcache_get_or_begin(c, 3, &e, &f), TCACHE_MISS);
	ck_assert_ptr_null(e);
	tcache_abandon(c, f);
	ck_assert(!cached(c, 3, 10));
	/* an empty blob is a valid tile */
	put(c, 4, 0);
	ck_assert(cached(c, 4, 0));
	struct tcache_stats st;
	tcache_stats(c, &st);
	ck_assert_uint_eq(st.hits, 3);
	ck_assert_uint_eq(st.misses, 6);
	ck_assert_uint_eq(st.entries, 2);
	ck_assert_uint_ge(st.bytes, 100);
	ck_assert_uint_eq(st.max_bytes, 1 << 20);
	ck_assert_uint_eq(st.evictions, 0);
	tcache_free(c);
	tcache_free(NULL);
	tcache_unref(NULL);
}
END_TEST

START_TEST(test_lru_bound)
{
	/* one shard so the order is exactly LRU: room for three 3000-byte
	 * tiles (plus overhead) in 10000 bytes, not four */
	struct tcache *c;
	ck_assert_int_eq(tcache_new(10000, 1, &c), YZ_OK);
	put(c, 1, 3000);
	put(c, 2, 3000);
	put(c, 3, 3000);
	ck_assert(cached(c, 1, 3000)); /* 1 is now the most recent; 2 the least */
	put(c, 4, 3000);
	ck_assert(!cached(c, 2, 3000));
	ck_assert(cached(c, 1, 3000));
	ck_assert(cached(c, 3, 3000));
	ck_assert(cached(c, 4, 3000));
	struct tcache_stats st;
	tcache_stats(c, &st);
	ck_assert_uint_eq(st.evictions, 1);
	ck_assert_uint_eq(st.entries, 3);
	ck_assert_uint_le(st.bytes, 10000);
	ck_assert_uint_gt(st.bytes, 9000);
	/* any mix of sizes: the bound holds after every publish */
	unsigned seed = 7;
	for (uint64_t k = 100; k < 400; k++) {
		size_t len = 1 + (size_t)rand_r(&seed) % 4000;
		put(c, k, len);
		tcache_stats(c, &st);
		ck_assert_uint_le(st.bytes, 10000);
		ck_assert(cached(c, k, len)); /* the newest always stays */
	}
	tcache_free(c);
}
END_TEST

START_TEST(test_ref_outlives_eviction)
{
	struct tcache *c;
	ck_assert_int_eq(tcache_new(10000, 1, &c), YZ_OK);
	put(c, 1, 3000);
	struct tcache_entry *held;
	struct tcache_flight *f;
	ck_assert_int_eq(tcache_get_or_begin(c, 1, &held, &f), TCACHE_HIT);
	tcache_ref(held); /* a second holder */
	put(c, 2, 3000);
	put(c, 3, 3000);
	put(c, 4, 3000); /* evicts 1, which is still held twice */
	ck_assert(!cached(c, 1, 3000));
	ck_assert(blob_ok(held, 1, 3000)); /* ASan: no use after free */
	tcache_unref(held);
	ck_assert(blob_ok(held, 1, 3000));
	tcache_unref(held);
	/* also across tcache_free: an entry held by a request outlives the cache */
	ck_assert_int_eq(tcache_get_or_begin(c, 4, &held, &f), TCACHE_HIT);
	tcache_free(c);
	ck_assert(blob_ok(held, 4, 3000));
	tcache_unref(held);
}
END_TEST

START_TEST(test_oversize)
{
	struct tcache *c;
	ck_assert_int_eq(tcache_new(10000, 1, &c), YZ_OK);
	put(c, 1, 3000);
	put(c, 2, 20000); /* returned to its renderer, not kept, evicts nothing */
	ck_assert(!cached(c, 2, 20000));
	ck_assert(cached(c, 1, 3000));
	struct tcache_stats st;
	tcache_stats(c, &st);
	ck_assert_uint_eq(st.oversize, 1);
	ck_assert_uint_eq(st.entries, 1);
	ck_assert_uint_eq(st.evictions, 0);
	tcache_free(c);
}
END_TEST

START_TEST(test_borrowed)
{
	/* a borrowed blob is not copied and costs only the entry's overhead */
	static const unsigned char blank[5000];
	struct tcache *c;
	ck_assert_int_eq(tcache_new(10000, 1, &c), YZ_OK);
	struct tcache_entry *e;
	struct tcache_flight *f;
	for (uint64_t k = 1; k <= 8; k++) {
		ck_assert_int_eq(tcache_get_or_begin(c, k, &e, &f), TCACHE_MISS);
		ck_assert_int_eq(tcache_finish_borrowed(c, f, blank, sizeof blank), YZ_OK);
	}
	for (uint64_t k = 1; k <= 8; k++) {
		ck_assert_int_eq(tcache_get_or_begin(c, k, &e, &f), TCACHE_HIT);
		ck_assert_ptr_eq(e->bytes, blank);
		ck_assert_uint_eq(e->len, sizeof blank);
		tcache_unref(e);
	}
	struct tcache_stats st;
	tcache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 8);
	ck_assert_uint_lt(st.bytes, 2000);
	tcache_free(c);
}
END_TEST

START_TEST(test_clear)
{
	struct tcache *c;
	ck_assert_int_eq(tcache_new(1 << 20, 4, &c), YZ_OK);
	for (uint64_t k = 1; k <= 20; k++)
		put(c, k, 500);
	struct tcache_entry *held;
	struct tcache_flight *f;
	ck_assert_int_eq(tcache_get_or_begin(c, 5, &held, &f), TCACHE_HIT);
	/* a flight that began before the clear renders from old data: its
	 * result goes to its waiters but is not cached */
	struct tcache_flight *stale;
	struct tcache_entry *e;
	ck_assert_int_eq(tcache_get_or_begin(c, 99, &e, &stale), TCACHE_MISS);
	tcache_clear(c);
	struct tcache_stats st;
	tcache_stats(c, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.bytes, 0);
	ck_assert_uint_eq(st.evictions, 0);
	unsigned char b[500];
	fill(b, sizeof b, 99);
	ck_assert_int_eq(tcache_finish(c, stale, b, sizeof b), YZ_OK);
	ck_assert(!cached(c, 99, 500));
	for (uint64_t k = 1; k <= 20; k++)
		ck_assert(!cached(c, k, 500));
	ck_assert(blob_ok(held, 5, 500));
	tcache_unref(held);
	/* and the cache works as before */
	put(c, 5, 500);
	ck_assert(cached(c, 5, 500));
	tcache_free(c);
}
END_TEST

/* ---- threads ------------------------------------------------------------- */

enum { SF_THREADS = 8 };

struct sf_ctx {
	struct tcache *c;
	uint64_t key;
	size_t len;
	unsigned render_ms;           /* how long a "render" takes */
	int abandon_first;            /* the first renderer fails */
	pthread_barrier_t start;
	atomic_int renders;           /* MISS results */
	atomic_int abandons;
	struct tcache_entry *got[SF_THREADS]; /* HIT results (references held) */
};

struct sf_arg {
	struct sf_ctx *x;
	int me;
};

static void *sf_worker(void *arg)
{
	struct sf_ctx *x = ((struct sf_arg *)arg)->x;
	int me = ((struct sf_arg *)arg)->me;
	pthread_barrier_wait(&x->start);
	struct tcache_entry *e;
	struct tcache_flight *f;
	if (tcache_get_or_begin(x->c, x->key, &e, &f) == TCACHE_HIT) {
		x->got[me] = e;
		return NULL;
	}
	atomic_fetch_add(&x->renders, 1);
	nap_ms(x->render_ms); /* the others pile up behind this flight */
	if (x->abandon_first && atomic_exchange(&x->abandons, 1) == 0) {
		tcache_abandon(x->c, f);
		return NULL;
	}
	unsigned char *b = malloc(x->len);
	fill(b, x->len, x->key);
	tcache_finish(x->c, f, b, x->len);
	free(b);
	return NULL;
}

/* Run SF_THREADS workers on one key; returns the HIT entries' common
 * pointer (asserting they agree) and leaves counts in x. */
static const struct tcache_entry *sf_run(struct sf_ctx *x)
{
	pthread_t th[SF_THREADS];
	struct sf_arg args[SF_THREADS];
	memset(x->got, 0, sizeof x->got);
	pthread_barrier_init(&x->start, NULL, SF_THREADS);
	for (int i = 0; i < SF_THREADS; i++) {
		args[i] = (struct sf_arg){x, i};
		ck_assert_int_eq(pthread_create(&th[i], NULL, sf_worker, &args[i]), 0);
	}
	for (int i = 0; i < SF_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&x->start);
	const struct tcache_entry *same = NULL;
	for (int i = 0; i < SF_THREADS; i++) {
		if (!x->got[i])
			continue;
		ck_assert(blob_ok(x->got[i], x->key, x->len));
		if (!same)
			same = x->got[i];
		ck_assert_ptr_eq(x->got[i], same);
	}
	return same;
}

static void sf_release(struct sf_ctx *x)
{
	for (int i = 0; i < SF_THREADS; i++)
		tcache_unref(x->got[i]);
}

START_TEST(test_single_flight)
{
	struct sf_ctx x = {.key = 42, .len = 2000, .render_ms = 100};
	ck_assert_int_eq(tcache_new(1 << 20, 0, &x.c), YZ_OK);
	const struct tcache_entry *e = sf_run(&x);
	ck_assert_int_eq(atomic_load(&x.renders), 1);
	ck_assert_ptr_nonnull(e);
	int hits = 0;
	for (int i = 0; i < SF_THREADS; i++)
		hits += x.got[i] != NULL;
	ck_assert_int_eq(hits, SF_THREADS - 1);
	/* the renderer's own later lookup finds the same entry */
	struct tcache_entry *again;
	struct tcache_flight *f;
	ck_assert_int_eq(tcache_get_or_begin(x.c, 42, &again, &f), TCACHE_HIT);
	ck_assert_ptr_eq(again, e);
	tcache_unref(again);
	struct tcache_stats st;
	tcache_stats(x.c, &st);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.hits, SF_THREADS);
	ck_assert_uint_ge(st.waits, 1); /* normally SF_THREADS - 1: all waited */
	sf_release(&x);
	tcache_free(x.c);
}
END_TEST

START_TEST(test_single_flight_abandon)
{
	/* the first renderer fails: the waiters wake, one of them renders */
	struct sf_ctx x = {.key = 43, .len = 1500, .render_ms = 60, .abandon_first = 1};
	ck_assert_int_eq(tcache_new(1 << 20, 0, &x.c), YZ_OK);
	const struct tcache_entry *e = sf_run(&x);
	ck_assert_int_eq(atomic_load(&x.renders), 2);
	ck_assert_ptr_nonnull(e);
	int hits = 0;
	for (int i = 0; i < SF_THREADS; i++)
		hits += x.got[i] != NULL;
	ck_assert_int_eq(hits, SF_THREADS - 2);
	sf_release(&x);
	tcache_free(x.c);
}
END_TEST

START_TEST(test_single_flight_oversize)
{
	/* too large to keep, yet every waiter gets the renderer's tile */
	struct sf_ctx x = {.key = 44, .len = 50000, .render_ms = 100};
	ck_assert_int_eq(tcache_new(10000, 1, &x.c), YZ_OK);
	const struct tcache_entry *e = sf_run(&x);
	ck_assert_int_eq(atomic_load(&x.renders), 1);
	ck_assert_ptr_nonnull(e);
	struct tcache_stats st;
	tcache_stats(x.c, &st);
	ck_assert_uint_eq(st.entries, 0);
	ck_assert_uint_eq(st.oversize, 1);
	sf_release(&x);
	tcache_free(x.c);
}
END_TEST

struct to_ctx {
	struct tcache *c;
	enum tcache_result r;
	struct tcache_flight *f;
};

static void *to_worker(void *arg)
{
	struct to_ctx *x = arg;
	struct tcache_entry *e;
	x->r = tcache_get_or_begin(x->c, 5, &e, &x->f);
	return NULL;
}

START_TEST(test_wait_timeout)
{
	/* a renderer that takes too long: the waiter renders itself after the
	 * bound, and the first publish wins */
	struct to_ctx x = {0};
	ck_assert_int_eq(tcache_new(1 << 20, 1, &x.c), YZ_OK);
	tcache_set_wait_ms(x.c, 50);
	struct tcache_entry *e;
	struct tcache_flight *slow;
	ck_assert_int_eq(tcache_get_or_begin(x.c, 5, &e, &slow), TCACHE_MISS);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, to_worker, &x), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(x.r, TCACHE_MISS);
	ck_assert_ptr_nonnull(x.f);
	unsigned char b[300];
	fill(b, sizeof b, 5);
	ck_assert_int_eq(tcache_finish(x.c, x.f, b, sizeof b), YZ_OK);
	unsigned char other[10] = {0};
	ck_assert_int_eq(tcache_finish(x.c, slow, other, sizeof other), YZ_OK);
	ck_assert(cached(x.c, 5, 300)); /* the waiter's copy stayed */
	struct tcache_stats st;
	tcache_stats(x.c, &st);
	ck_assert_uint_eq(st.wait_timeouts, 1);
	ck_assert_uint_eq(st.entries, 1);
	tcache_free(x.c);
}
END_TEST

/* ---- stress -------------------------------------------------------------- */

enum { ST_THREADS = 4, ST_OPS = 20000, ST_KEYS = 600 };

struct st_ctx {
	struct tcache *c;
	unsigned seed;
	int clearer;     /* this thread clears the cache now and then */
	long bad;        /* hits with wrong bytes */
	long calls;
};

static size_t st_len(uint64_t key)
{
	return 64 + (size_t)(key * 2654435761u % 5000);
}

static void *st_worker(void *arg)
{
	struct st_ctx *x = arg;
	unsigned char *b = malloc(6000);
	for (int i = 0; i < ST_OPS; i++) {
		uint64_t key = (uint64_t)rand_r(&x->seed) % ST_KEYS;
		struct tcache_entry *e;
		struct tcache_flight *f;
		x->calls++;
		if (tcache_get_or_begin(x->c, key, &e, &f) == TCACHE_HIT) {
			if (!blob_ok(e, key, st_len(key)))
				x->bad++;
			tcache_unref(e);
		} else if (rand_r(&x->seed) % 10 == 0) {
			tcache_abandon(x->c, f);
		} else {
			fill(b, st_len(key), key);
			tcache_finish(x->c, f, b, st_len(key));
		}
		if (x->clearer && i % 5000 == 4999)
			tcache_clear(x->c);
	}
	free(b);
	return NULL;
}

START_TEST(test_stress)
{
	/* 600 keys of ~2.5 KB on average (1.5 MB) into 400 KB over 16 shards:
	 * constant eviction, some abandons and clears, all under contention */
	struct tcache *c;
	ck_assert_int_eq(tcache_new(400000, 16, &c), YZ_OK);
	pthread_t th[ST_THREADS];
	struct st_ctx x[ST_THREADS];
	for (int i = 0; i < ST_THREADS; i++) {
		x[i] = (struct st_ctx){.c = c, .seed = 1234u + (unsigned)i, .clearer = i == 0};
		ck_assert_int_eq(pthread_create(&th[i], NULL, st_worker, &x[i]), 0);
	}
	long calls = 0;
	for (int i = 0; i < ST_THREADS; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(x[i].bad, 0);
		calls += x[i].calls;
	}
	struct tcache_stats st;
	tcache_stats(c, &st);
	ck_assert_uint_le(st.bytes, 400000);
	ck_assert_uint_eq(st.hits + st.misses, (uint64_t)calls); /* one outcome per call */
	ck_assert_uint_gt(st.hits, 0);
	ck_assert_uint_gt(st.evictions, 0);
	tcache_free(c);
}
END_TEST

Suite *tcache_suite(void)
{
	Suite *s = suite_create("tcache");
	TCase *tc = tcase_create("tcache");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hit_miss);
	tcase_add_test(tc, test_lru_bound);
	tcase_add_test(tc, test_ref_outlives_eviction);
	tcase_add_test(tc, test_oversize);
	tcase_add_test(tc, test_borrowed);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_single_flight);
	tcase_add_test(tc, test_single_flight_abandon);
	tcase_add_test(tc, test_single_flight_oversize);
	tcase_add_test(tc, test_wait_timeout);
	tcase_add_test(tc, test_stress);
	suite_add_tcase(s, tc);
	return s;
}
