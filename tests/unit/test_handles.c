// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the generation-tagged handle table (core/src/handles.c).
 * Handles are opaque to the guest; these tests only rely on the documented
 * properties: nonzero, unique while live, refused once released (until the
 * documented generation wrap), FIFO reuse of free slots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcipass/handles.h"

/* Distinct non-NULL objects. */
static char objs[4096];
#define OBJ(i) ((void *)&objs[(i)])

static void test_new_bounds(void **state)
{
	struct pp_handles *t;

	(void)state;
	assert_null(pp_handles_new(0));
	assert_null(pp_handles_new(PP_HANDLES_MAX_CAPACITY + 1));
	assert_null(pp_handles_new(UINT32_MAX));

	t = pp_handles_new(1);
	assert_non_null(t);
	assert_int_equal(pp_handles_live(t), 0);
	pp_handles_free(t);

	t = pp_handles_new(PP_HANDLES_MAX_CAPACITY);
	assert_non_null(t);
	pp_handles_free(t);

	pp_handles_free(NULL); /* no-op */
}

static void test_alloc_until_full(void **state)
{
	enum { CAP = 100 };
	uint32_t h[CAP];
	struct pp_handles *t = pp_handles_new(CAP);
	unsigned int i, j;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < CAP; i++) {
		h[i] = pp_handles_alloc(t, OBJ(i));
		assert_int_not_equal(h[i], 0);
		assert_int_equal(pp_handles_live(t), i + 1);
		for (j = 0; j < i; j++)
			assert_int_not_equal(h[i], h[j]);
	}
	/* Full: 0, and nothing changes. */
	assert_int_equal(pp_handles_alloc(t, OBJ(CAP)), 0);
	assert_int_equal(pp_handles_alloc(t, OBJ(CAP)), 0);
	assert_int_equal(pp_handles_live(t), CAP);
	for (i = 0; i < CAP; i++)
		assert_ptr_equal(pp_handles_lookup(t, h[i]), OBJ(i));

	/* One release makes exactly one more alloc possible. */
	assert_ptr_equal(pp_handles_release(t, h[42]), OBJ(42));
	assert_int_equal(pp_handles_live(t), CAP - 1);
	h[42] = pp_handles_alloc(t, OBJ(1000));
	assert_int_not_equal(h[42], 0);
	assert_int_equal(pp_handles_alloc(t, OBJ(1001)), 0);
	assert_ptr_equal(pp_handles_lookup(t, h[42]), OBJ(1000));
	pp_handles_free(t);
}

static void test_alloc_null_obj(void **state)
{
	struct pp_handles *t = pp_handles_new(4);

	(void)state;
	assert_int_equal(pp_handles_alloc(t, NULL), 0);
	assert_int_equal(pp_handles_live(t), 0);
	pp_handles_free(t);
}

static void test_release_lookup(void **state)
{
	struct pp_handles *t = pp_handles_new(8);
	uint32_t a, b;

	(void)state;
	a = pp_handles_alloc(t, OBJ(1));
	b = pp_handles_alloc(t, OBJ(2));
	assert_ptr_equal(pp_handles_lookup(t, a), OBJ(1));
	assert_ptr_equal(pp_handles_release(t, a), OBJ(1));
	assert_null(pp_handles_lookup(t, a));
	assert_null(pp_handles_release(t, a)); /* double release */
	assert_int_equal(pp_handles_live(t), 1);
	assert_ptr_equal(pp_handles_lookup(t, b), OBJ(2)); /* untouched */
	assert_null(pp_handles_lookup(t, 0));
	assert_null(pp_handles_release(t, 0));
	assert_int_equal(pp_handles_live(t), 1);
	pp_handles_free(t);
}

static void test_stale_after_slot_reuse(void **state)
{
	/* Capacity 1: every alloc reuses the same slot. */
	struct pp_handles *t = pp_handles_new(1);
	uint32_t h1, h2, h3;

	(void)state;
	h1 = pp_handles_alloc(t, OBJ(1));
	assert_ptr_equal(pp_handles_release(t, h1), OBJ(1));
	h2 = pp_handles_alloc(t, OBJ(2));
	assert_int_not_equal(h2, 0);
	assert_int_not_equal(h2, h1);
	assert_null(pp_handles_lookup(t, h1));
	assert_null(pp_handles_release(t, h1)); /* stale: must not free h2 */
	assert_int_equal(pp_handles_live(t), 1);
	assert_ptr_equal(pp_handles_lookup(t, h2), OBJ(2));
	assert_ptr_equal(pp_handles_release(t, h2), OBJ(2));
	h3 = pp_handles_alloc(t, OBJ(3));
	assert_int_not_equal(h3, h1);
	assert_int_not_equal(h3, h2);
	assert_null(pp_handles_lookup(t, h1));
	assert_null(pp_handles_lookup(t, h2));
	pp_handles_free(t);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void test_fifo_reuse(void **state)
{
	/*
	 * A released slot goes to the back of the free FIFO.  At capacity 2^20
	 * (12-bit generations), alloc/release cycles with nothing else live
	 * walk through all slots, so no value repeats for 2^20 cycles; a LIFO
	 * would hand back the first value after 4095 cycles.
	 */
	enum { ROUNDS = 3 * 4096 };
	struct pp_handles *t = pp_handles_new(PP_HANDLES_MAX_CAPACITY);
	uint32_t *seen = calloc(ROUNDS, sizeof(*seen));
	unsigned int i;

	(void)state;
	assert_non_null(t);
	assert_non_null(seen);
	for (i = 0; i < ROUNDS; i++) {
		seen[i] = pp_handles_alloc(t, OBJ(i % 4096));
		assert_int_not_equal(seen[i], 0);
		if (i)
			assert_null(pp_handles_lookup(t, seen[0]));
		assert_ptr_equal(pp_handles_release(t, seen[i]), OBJ(i % 4096));
	}
	qsort(seen, ROUNDS, sizeof(*seen), cmp_u32);
	for (i = 1; i < ROUNDS; i++)
		assert_int_not_equal(seen[i], seen[i - 1]);
	assert_int_equal(pp_handles_live(t), 0);
	free(seen);
	pp_handles_free(t);
}

static void test_never_issued(void **state)
{
	struct pp_handles *t = pp_handles_new(5);
	uint32_t a, b, v;
	uint64_t x;
	unsigned int bit, n = 0;

	(void)state;
	a = pp_handles_alloc(t, OBJ(1));
	b = pp_handles_alloc(t, OBJ(2));

	/* Every value of the low 2^20, and a stride over all 2^32. */
	for (v = 0; v < (1u << 20); v++) {
		if (pp_handles_lookup(t, v)) {
			assert_true(v == a || v == b);
			n++;
		}
	}
	assert_int_equal(n, 2);
	for (x = 0; x <= UINT32_MAX; x += 65521) {
		v = (uint32_t)x;
		if (v != a && v != b)
			assert_null(pp_handles_lookup(t, v));
	}
	/* Single-bit corruptions of the issued handles. */
	for (bit = 0; bit < 32; bit++) {
		v = a ^ (1u << bit);
		if (v != b)
			assert_null(pp_handles_lookup(t, v));
		v = b ^ (1u << bit);
		if (v != a)
			assert_null(pp_handles_lookup(t, v));
	}
	assert_null(pp_handles_lookup(t, UINT32_MAX));
	assert_null(pp_handles_release(t, UINT32_MAX));
	assert_int_equal(pp_handles_live(t), 2);
	/* Releasing never-issued values changes nothing (free slots too). */
	for (v = 0; v < (1u << 16); v++)
		if (v != a && v != b)
			assert_null(pp_handles_release(t, v));
	assert_int_equal(pp_handles_live(t), 2);
	assert_ptr_equal(pp_handles_lookup(t, a), OBJ(1));
	assert_ptr_equal(pp_handles_lookup(t, b), OBJ(2));
	for (v = 0; v < 3; v++)
		assert_int_not_equal(pp_handles_alloc(t, OBJ(10 + v)), 0);
	assert_int_equal(pp_handles_alloc(t, OBJ(20)), 0);
	assert_int_equal(pp_handles_live(t), 5);
	pp_handles_free(t);
}

static void test_never_issued_exhaustive_small(void **state)
{
	/*
	 * Capacity 3 after some churn: of all 2^32 values exactly the live
	 * ones resolve.  Scans 2^32 lookups, so sample by a large odd stride
	 * plus the whole low 2^24.
	 */
	struct pp_handles *t = pp_handles_new(3);
	uint32_t live[3], v;
	uint64_t x;
	unsigned int i;

	(void)state;
	for (i = 0; i < 10; i++)
		pp_handles_release(t, pp_handles_alloc(t, OBJ(i)));
	for (i = 0; i < 3; i++)
		live[i] = pp_handles_alloc(t, OBJ(100 + i));
	for (x = 0; x <= UINT32_MAX; x += (x < (1u << 24)) ? 1 : 4099) {
		void *o;

		v = (uint32_t)x;
		o = pp_handles_lookup(t, v);
		if (v == live[0] || v == live[1] || v == live[2])
			assert_non_null(o);
		else
			assert_null(o);
	}
	pp_handles_free(t);
}

static void test_generation_wrap_period(void **state)
{
	/*
	 * Documented wrap: at the maximum capacity 2^20 a handle has a 12-bit
	 * generation, so a slot's released value comes back after exactly
	 * 2^12 - 1 = 4095 further releases of that slot, and not before.
	 * Fill all slots but one so that every alloc reuses the same slot.
	 */
	const uint32_t cap = PP_HANDLES_MAX_CAPACITY, period = 4095;
	struct pp_handles *t = pp_handles_new(cap);
	uint32_t i, first, h;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < cap - 1; i++)
		assert_int_not_equal(pp_handles_alloc(t, OBJ(1)), 0);
	first = pp_handles_alloc(t, OBJ(2));
	assert_int_not_equal(first, 0);
	assert_int_equal(pp_handles_alloc(t, OBJ(3)), 0);
	assert_ptr_equal(pp_handles_release(t, first), OBJ(2));

	for (i = 1; i < period; i++) {
		h = pp_handles_alloc(t, OBJ(3));
		assert_int_not_equal(h, 0);
		assert_int_not_equal(h, first);
		assert_null(pp_handles_lookup(t, first));
		assert_ptr_equal(pp_handles_release(t, h), OBJ(3));
	}
	h = pp_handles_alloc(t, OBJ(4));
	assert_int_equal(h, first); /* wrapped: the old value is live again */
	assert_ptr_equal(pp_handles_lookup(t, first), OBJ(4));
	pp_handles_free(t);
}

static void test_iterate(void **state)
{
	enum { CAP = 64 };
	struct pp_handles *t = pp_handles_new(CAP);
	uint32_t h[CAP], cur, got;
	int seen[CAP];
	unsigned int i, n;
	void *o;

	(void)state;
	/* Empty table. */
	cur = 0;
	o = OBJ(0);
	assert_int_equal(pp_handles_next(t, &cur, &o), 0);
	assert_null(o);

	for (i = 0; i < CAP; i++)
		h[i] = pp_handles_alloc(t, OBJ(i));
	/* Release every third one: they must not show up. */
	for (i = 0; i < CAP; i += 3)
		pp_handles_release(t, h[i]);

	memset(seen, 0, sizeof(seen));
	cur = 0;
	n = 0;
	while ((got = pp_handles_next(t, &cur, &o))) {
		for (i = 0; i < CAP && h[i] != got; i++)
			;
		assert_true(i < CAP);
		assert_true(i % 3 != 0);
		assert_ptr_equal(o, OBJ(i));
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		n++;
	}
	assert_int_equal(n, pp_handles_live(t));
	/* Past the end stays at the end. */
	assert_int_equal(pp_handles_next(t, &cur, &o), 0);
	assert_int_equal(pp_handles_next(t, &cur, NULL), 0);
	pp_handles_free(t);
}

static void test_iterate_release_returned(void **state)
{
	enum { CAP = 50 };
	struct pp_handles *t = pp_handles_new(CAP);
	uint32_t h[CAP], cur = 0, got;
	int seen[CAP];
	unsigned int i, n = 0;
	void *o;

	(void)state;
	for (i = 0; i < CAP; i++)
		h[i] = pp_handles_alloc(t, OBJ(i));
	/* Churn so that the live array is not in allocation order. */
	for (i = 0; i < CAP; i += 4) {
		pp_handles_release(t, h[i]);
		h[i] = pp_handles_alloc(t, OBJ(i));
	}
	memset(seen, 0, sizeof(seen));
	while ((got = pp_handles_next(t, &cur, &o))) {
		for (i = 0; i < CAP && h[i] != got; i++)
			;
		assert_true(i < CAP);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		assert_ptr_equal(pp_handles_release(t, got), OBJ(i));
		n++;
	}
	assert_int_equal(n, CAP);
	assert_int_equal(pp_handles_live(t), 0);
	for (i = 0; i < CAP; i++)
		assert_null(pp_handles_lookup(t, h[i]));
	pp_handles_free(t);
}

/* Random operations against a trivially correct model. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void test_random_vs_model(void **state)
{
	enum { CAP = 37, OPS = 200000, DEAD = 512 };
	struct pp_handles *t = pp_handles_new(CAP);
	uint32_t live_h[CAP], dead[DEAD] = { 0 };
	void *live_o[CAP];
	unsigned int nlive = 0, ndead = 0, i, k;

	(void)state;
	for (i = 0; i < OPS; i++) {
		switch (rnd() % 4) {
		case 0:
		case 1: {
			void *o = OBJ(rnd() % 4096);
			uint32_t h = pp_handles_alloc(t, o);

			if (nlive == CAP) {
				assert_int_equal(h, 0);
				break;
			}
			assert_int_not_equal(h, 0);
			for (k = 0; k < nlive; k++)
				assert_int_not_equal(h, live_h[k]);
			live_h[nlive] = h;
			live_o[nlive++] = o;
			break;
		}
		case 2:
			if (!nlive)
				break;
			k = rnd() % nlive;
			assert_ptr_equal(pp_handles_release(t, live_h[k]),
					 live_o[k]);
			dead[ndead++ % DEAD] = live_h[k];
			live_h[k] = live_h[--nlive];
			live_o[k] = live_o[nlive];
			break;
		case 3: {
			/* A recently released value stays dead unless reissued
			 * (impossible within DEAD releases: see wrap period). */
			uint32_t d = dead[rnd() % DEAD];

			if (d)
				assert_null(pp_handles_lookup(t, d));
			if (nlive) {
				k = rnd() % nlive;
				assert_ptr_equal(pp_handles_lookup(t, live_h[k]),
						 live_o[k]);
			}
			break;
		}
		}
		assert_int_equal(pp_handles_live(t), nlive);
	}
	pp_handles_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_bounds),
		cmocka_unit_test(test_alloc_until_full),
		cmocka_unit_test(test_alloc_null_obj),
		cmocka_unit_test(test_release_lookup),
		cmocka_unit_test(test_stale_after_slot_reuse),
		cmocka_unit_test(test_fifo_reuse),
		cmocka_unit_test(test_never_issued),
		cmocka_unit_test(test_never_issued_exhaustive_small),
		cmocka_unit_test(test_generation_wrap_period),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_iterate_release_returned),
		cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
