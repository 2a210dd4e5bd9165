/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the interrupt latch (core/src/irqlatch.c): raise/take/mask
 * semantics, and threaded stress runs proving that no interrupt is lost or
 * delivered twice and that no wake-up is lost while vectors are masked and
 * unmasked concurrently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>

#include <pcipass/irqlatch.h>

static bool has(const uint64_t p[4], unsigned int v)
{
	return (p[v / 64] >> (v % 64)) & 1;
}

static unsigned int count(const uint64_t p[4])
{
	unsigned int n = 0;

	for (int w = 0; w < 4; w++)
		n += (unsigned int)__builtin_popcountll(p[w]);
	return n;
}

static void test_raise_take(void **state)
{
	struct pp_irqlatch l;
	uint64_t p[4];

	(void)state;
	pp_irqlatch_init(&l);
	assert_false(pp_irqlatch_deliverable(&l));
	assert_true(pp_irqlatch_raise(&l, 5));
	/* Coalesces: the first raise already asked for the wake-up. */
	assert_false(pp_irqlatch_raise(&l, 5));
	assert_true(pp_irqlatch_deliverable(&l));
	assert_true(pp_irqlatch_raise(&l, 64));
	assert_true(pp_irqlatch_raise(&l, 255));
	assert_int_equal(pp_irqlatch_take(&l, p), 3);
	assert_true(has(p, 5) && has(p, 64) && has(p, 255));
	assert_int_equal(count(p), 3);
	assert_false(pp_irqlatch_deliverable(&l));
	assert_int_equal(pp_irqlatch_take(&l, p), 0);
	assert_int_equal(count(p), 0);
	/* After a take, a raise wakes again. */
	assert_true(pp_irqlatch_raise(&l, 5));
}

static void test_out_of_range(void **state)
{
	struct pp_irqlatch l;
	uint64_t p[4];

	(void)state;
	pp_irqlatch_init(&l);
	assert_false(pp_irqlatch_raise(&l, 256));
	assert_false(pp_irqlatch_raise(&l, 1000));
	assert_false(pp_irqlatch_set_mask(&l, 256, true));
	assert_false(pp_irqlatch_set_mask(&l, 256, false));
	assert_int_equal(pp_irqlatch_take(&l, p), 0);
}

static void test_masked_latches(void **state)
{
	struct pp_irqlatch l;
	uint64_t p[4], m[4];

	(void)state;
	pp_irqlatch_init(&l);
	assert_false(pp_irqlatch_set_mask(&l, 7, true));
	/* Raised while masked: no wake-up, not deliverable, not dropped. */
	assert_false(pp_irqlatch_raise(&l, 7));
	assert_false(pp_irqlatch_deliverable(&l));
	assert_int_equal(pp_irqlatch_take(&l, p), 0);
	pp_irqlatch_peek(&l, p, m);
	assert_true(has(p, 7));
	assert_true(has(m, 7));
	/* A second raise while masked still coalesces. */
	assert_false(pp_irqlatch_raise(&l, 7));
	/* Unmasking makes it deliverable and asks for the wake-up. */
	assert_true(pp_irqlatch_set_mask(&l, 7, false));
	assert_true(pp_irqlatch_deliverable(&l));
	assert_int_equal(pp_irqlatch_take(&l, p), 1);
	assert_true(has(p, 7));
	/* Unmasking with nothing pending, or unmasking twice: no wake-up. */
	assert_false(pp_irqlatch_set_mask(&l, 7, false));
	assert_true(pp_irqlatch_raise(&l, 7));
	assert_false(pp_irqlatch_set_mask(&l, 7, false));
}

static void test_take_keeps_masked(void **state)
{
	struct pp_irqlatch l;
	uint64_t p[4];

	(void)state;
	pp_irqlatch_init(&l);
	for (unsigned int v = 0; v < 256; v++)
		assert_true(pp_irqlatch_raise(&l, v));
	for (unsigned int v = 0; v < 256; v += 3)
		pp_irqlatch_set_mask(&l, v, true);
	assert_int_equal(pp_irqlatch_take(&l, p), 256 - 86);
	for (unsigned int v = 0; v < 256; v++)
		assert_int_equal(has(p, v), v % 3 != 0);
	assert_false(pp_irqlatch_deliverable(&l));
	for (unsigned int v = 0; v < 256; v += 3)
		assert_true(pp_irqlatch_set_mask(&l, v, false));
	assert_int_equal(pp_irqlatch_take(&l, p), 86);
	for (unsigned int v = 0; v < 256; v++)
		assert_int_equal(has(p, v), v % 3 == 0);
}

static void test_clear(void **state)
{
	struct pp_irqlatch l;
	uint64_t p[4], m[4];

	(void)state;
	pp_irqlatch_init(&l);
	pp_irqlatch_set_mask(&l, 1, true);
	pp_irqlatch_raise(&l, 1);
	pp_irqlatch_raise(&l, 2);
	pp_irqlatch_clear(&l);
	pp_irqlatch_peek(&l, p, m);
	assert_int_equal(count(p), 0);
	assert_true(has(m, 1));
	assert_int_equal(count(m), 1);
	assert_false(pp_irqlatch_set_mask(&l, 1, false));
	pp_irqlatch_peek(&l, NULL, NULL);
}

/* ---- stress ------------------------------------------------------------------ */

#ifndef TIMEOUT_S
#define TIMEOUT_S 10
#endif

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Handshake run: the raiser raises a vector only once the taker has taken
 * its previous raise, so every raise must come out of exactly one take (a
 * second take is a duplicate, a missing one a loss).  The wake-up is a
 * semaphore posted only when raise() or set_mask() says so; the taker
 * sleeps on it, so a lost wake-up hangs it and the timeout fails the test.
 * A third thread masks and unmasks vectors all along.
 */
struct hs {
	struct pp_irqlatch l;
	sem_t wake;
	atomic_int outstanding[256];
	atomic_bool raiser_done, masker_done, abort;
	atomic_ulong raised, taken, dup, lost_wakeups;
	unsigned long n;
};

static void *hs_raiser(void *arg)
{
	struct hs *h = arg;
	uint64_t s = 1;

	for (unsigned long i = 0; i < h->n; i++) {
		unsigned int v = (unsigned int)(rnd(&s) % 256);

		while (atomic_load(&h->outstanding[v])) {
			v = (v + 1) % 256;   /* all busy: spin until taken */
			if (atomic_load(&h->abort))
				goto out;
		}
		atomic_store(&h->outstanding[v], 1);
		atomic_fetch_add(&h->raised, 1);
		if (pp_irqlatch_raise(&h->l, v))
			sem_post(&h->wake);
	}
out:
	atomic_store(&h->raiser_done, true);
	return NULL;
}

static void *hs_masker(void *arg)
{
	struct hs *h = arg;
	uint64_t s = 2;

	while (!atomic_load(&h->raiser_done)) {
		uint64_t z = rnd(&s);
		unsigned int v = (unsigned int)(z % 256);

		if (pp_irqlatch_set_mask(&h->l, v, (z >> 32) & 1))
			sem_post(&h->wake);
	}
	for (unsigned int v = 0; v < 256; v++)
		if (pp_irqlatch_set_mask(&h->l, v, false))
			sem_post(&h->wake);
	atomic_store(&h->masker_done, true);
	return NULL;
}

static void *hs_taker(void *arg)
{
	struct hs *h = arg;

	while (atomic_load(&h->taken) < h->n) {
		struct timespec ts;
		uint64_t p[4];

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += TIMEOUT_S;
		if (sem_timedwait(&h->wake, &ts)) {
			if (errno == EINTR)
				continue;
			atomic_fetch_add(&h->lost_wakeups, 1);
			atomic_store(&h->abort, true);
			break;
		}
		/* A doorbell, not a counter (like the backends' eventfd):
		 * drain every post, then take.  Surplus posts would hide a
		 * lost wake-up. */
		while (!sem_trywait(&h->wake))
			;
		pp_irqlatch_take(&h->l, p);
		for (unsigned int v = 0; v < 256; v++) {
			if (!has(p, v))
				continue;
			if (atomic_exchange(&h->outstanding[v], 0) != 1)
				atomic_fetch_add(&h->dup, 1);
			atomic_fetch_add(&h->taken, 1);
		}
	}
	return NULL;
}

static void test_stress_handshake(void **state)
{
	struct hs *h = calloc(1, sizeof(*h));
	pthread_t r, m, t;

	(void)state;
	assert_non_null(h);
	pp_irqlatch_init(&h->l);
	assert_int_equal(sem_init(&h->wake, 0, 0), 0);
	h->n = 300000;
	assert_int_equal(pthread_create(&t, NULL, hs_taker, h), 0);
	assert_int_equal(pthread_create(&m, NULL, hs_masker, h), 0);
	assert_int_equal(pthread_create(&r, NULL, hs_raiser, h), 0);
	pthread_join(r, NULL);
	pthread_join(m, NULL);
	pthread_join(t, NULL);

	assert_int_equal(atomic_load(&h->lost_wakeups), 0);
	assert_int_equal(atomic_load(&h->dup), 0);
	assert_int_equal(atomic_load(&h->raised), h->n);
	assert_int_equal(atomic_load(&h->taken), h->n);
	assert_false(pp_irqlatch_deliverable(&h->l));
	for (unsigned int v = 0; v < 256; v++)
		assert_int_equal(atomic_load(&h->outstanding[v]), 0);
	sem_destroy(&h->wake);
	free(h);
}

/*
 * Free-running run: raises without waiting, so raises coalesce.  Per
 * vector, a take never exceeds the raises before it (no duplicates), and
 * once the raiser stops, every raised vector has been taken after its last
 * raise (nothing lost): the raiser records a sequence per raise and the
 * taker the highest sequence it could have covered.
 */
struct fr {
	struct pp_irqlatch l;
	atomic_ulong raises[256];    /* raises so far, per vector */
	atomic_ulong takes[256];
	atomic_bool done;
	unsigned long n;
};

static void *fr_raiser(void *arg)
{
	struct fr *f = arg;
	uint64_t s = 3;

	for (unsigned long i = 0; i < f->n; i++) {
		unsigned int v = (unsigned int)(rnd(&s) % 256);

		atomic_fetch_add(&f->raises[v], 1);  /* before: a take sees it */
		pp_irqlatch_raise(&f->l, v);
	}
	atomic_store(&f->done, true);
	return NULL;
}

static void *fr_taker(void *arg)
{
	struct fr *f = arg;
	bool last = false;

	for (;;) {
		uint64_t p[4];
		bool done = atomic_load(&f->done);

		pp_irqlatch_take(&f->l, p);
		for (unsigned int v = 0; v < 256; v++)
			if (has(p, v))
				atomic_fetch_add(&f->takes[v], 1);
		if (last)
			break;
		last = done;   /* one more take after the raiser finished */
	}
	return NULL;
}

static void test_stress_coalescing(void **state)
{
	struct fr *f = calloc(1, sizeof(*f));
	pthread_t r, t;
	uint64_t p[4];

	(void)state;
	assert_non_null(f);
	pp_irqlatch_init(&f->l);
	f->n = 1000000;
	assert_int_equal(pthread_create(&t, NULL, fr_taker, f), 0);
	assert_int_equal(pthread_create(&r, NULL, fr_raiser, f), 0);
	pthread_join(r, NULL);
	pthread_join(t, NULL);
	/* Nothing left behind: the final take after the last raise got it. */
	assert_int_equal(pp_irqlatch_take(&f->l, p), 0);
	for (unsigned int v = 0; v < 256; v++) {
		unsigned long rv = atomic_load(&f->raises[v]);
		unsigned long tv = atomic_load(&f->takes[v]);

		assert_true(tv <= rv);
		assert_true(rv == 0 || tv >= 1);
	}
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raise_take),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_masked_latches),
		cmocka_unit_test(test_take_keeps_masked),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_stress_handshake),
		cmocka_unit_test(test_stress_coalescing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
