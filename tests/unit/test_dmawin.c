// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the DMA window policy against the DART model: what the
 * device sees (every dma address translates to the guest page that was
 * mapped), what the DART holds (entries, bytes, nothing left behind), and
 * how failures behave (all or nothing, retries, no leaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_host.h"
#include "pcipass/proto.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define RAM_BASE 0x40000000ull

struct env {
	struct fake_host h;
	struct pp_win *w;
};

enum preset { STRICT, REFERENCE, PCIPASS };

static void env_init_cfg(struct env *e, const struct pp_dart_config *dcfg,
			 const struct pp_win_config *wcfg)
{
	fake_host_init(&e->h, dcfg);
	assert_non_null(e->h.dart);
	e->w = pp_win_create(wcfg, &e->h.ops);
	assert_non_null(e->w);
}

static void preset_cfg(struct pp_win_config *c, enum preset p, uint64_t cap,
		       uint32_t entries)
{
	if (p == STRICT)
		pp_win_config_strict(c, cap, entries);
	else if (p == REFERENCE)
		pp_win_config_reference(c, cap, entries);
	else
		pp_win_config_pcipass(c, cap, entries);
}

static void env_init(struct env *e, enum preset p, uint64_t cap,
		     uint32_t entries, enum pp_dart_placement place)
{
	struct pp_dart_config d;
	struct pp_win_config c;

	pp_dart_config_default(&d);
	d.cap_bytes = cap;
	d.max_entries = entries;
	d.placement = place;
	d.seed = 7;
	preset_cfg(&c, p, cap, entries);
	env_init_cfg(e, &d, &c);
}

/* Destroys the policy and checks that it left nothing in the DART. */
static void env_fini(struct env *e)
{
	struct pp_dart_stats ds;

	pp_win_destroy(e->w);
	pp_dart_get_stats(e->h.dart, &ds);
	assert_int_equal(ds.live_entries, 0);
	assert_int_equal(ds.live_bytes, 0);
	assert_int_equal(e->h.bad_unmaps, 0);
	assert_int_equal(e->h.allocs, e->h.frees);
	fake_host_fini(&e->h);
}

/* The device's view: dma .. dma+len must reach exactly gpa .. gpa+len. */
static void assert_translates(struct env *e, const struct pp_win_seg *s)
{
	uint64_t host = 0;

	assert_int_equal(pp_dart_translate(e->h.dart, s->dma, s->len,
					   PP_DART_RW, &host), PP_OK);
	assert_int_equal(host, s->gpa);
}

static int map1(struct env *e, struct pp_win_seg *s, uint64_t gpa,
		uint64_t len)
{
	s->gpa = gpa;
	s->len = len;
	s->dma = 0;
	return pp_win_map(e->w, s, 1, PP_MAP_RW);
}

static void stats(struct env *e, struct pp_win_stats *st)
{
	pp_win_get_stats(e->w, st);
}

/* ---------------------------------------------------------------------- */

static void test_config_validation(void **state)
{
	struct fake_host h;
	struct pp_win_config c;

	(void)state;
	fake_host_init(&h, NULL);
	pp_win_config_pcipass(&c, 1536 * MiB, 65536);
	c.min_shift = 12;
	assert_null(pp_win_create(&c, &h.ops));
	pp_win_config_pcipass(&c, 1536 * MiB, 65536);
	c.max_shift = 40;
	assert_null(pp_win_create(&c, &h.ops));
	pp_win_config_reference(&c, 1536 * MiB, 65536);
	c.max_shift = 20; /* fixed mode needs one size */
	assert_null(pp_win_create(&c, &h.ops));
	pp_win_config_strict(&c, 1536 * MiB, 0);
	assert_null(pp_win_create(&c, &h.ops));
	pp_win_config_strict(&c, 1536 * MiB, 65536);
	c.max_batch = PP_MAX_BATCH_LIMIT + 1;
	assert_null(pp_win_create(&c, &h.ops));
	pp_win_config_strict(&c, 1536 * MiB, 65536);
	c.max_map_len = 5000;
	assert_null(pp_win_create(&c, &h.ops));
	assert_null(pp_win_create(NULL, &h.ops));
	assert_int_equal(h.allocs, h.frees);
	fake_host_fini(&h);
}

static void test_strict_shares_a_page(void **state)
{
	struct env e;
	struct pp_win_seg a, b, c;
	struct pp_win_stats st;

	(void)state;
	env_init(&e, STRICT, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	assert_int_equal(map1(&e, &a, RAM_BASE + 0x1000, 4096), PP_OK);
	assert_int_equal(map1(&e, &b, RAM_BASE + 0x3000, 4096), PP_OK);
	assert_int_equal(map1(&e, &c, RAM_BASE + 0x5000, 4096), PP_OK);
	assert_translates(&e, &a);
	assert_translates(&e, &b);
	assert_translates(&e, &c);
	stats(&e, &st);
	/* a and b share one 16 KiB page mapping; c has its own */
	assert_int_equal(st.mapped_entries, 2);
	assert_int_equal(st.mapped_bytes, 32 * KiB);
	assert_int_equal(b.dma - a.dma, 0x2000);
	/* strict keeps nothing idle: unmapping a page's last user unmaps it */
	assert_int_equal(pp_win_unmap(e.w, &a, 1), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, &b, 1), PP_OK);
	stats(&e, &st);
	assert_int_equal(st.mapped_entries, 1);
	assert_int_equal(pp_dart_translate(e.h.dart, a.dma, 4096, PP_DART_RW,
					   &(uint64_t){ 0 }), PP_ERR_FAULT);
	assert_int_equal(pp_win_unmap(e.w, &c, 1), PP_OK);
	stats(&e, &st);
	assert_int_equal(st.mapped_entries, 0);
	assert_int_equal(st.live_requests, 0);
	env_fini(&e);
}

static void test_reference_uses_256k_windows(void **state)
{
	struct env e;
	struct pp_win_seg a, b, big;
	struct pp_win_stats st;

	(void)state;
	env_init(&e, REFERENCE, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	assert_int_equal(map1(&e, &a, RAM_BASE + 0x1000, 4096), PP_OK);
	assert_int_equal(map1(&e, &b, RAM_BASE + 0x50000, 4096), PP_OK);
	/* straddles a 256 KiB boundary: a direct mapping of 2 pages */
	assert_int_equal(map1(&e, &big, RAM_BASE + 0x3f000, 8192), PP_OK);
	assert_translates(&e, &a);
	assert_translates(&e, &b);
	assert_translates(&e, &big);
	stats(&e, &st);
	assert_int_equal(st.windows, 2); /* the second window: 0x40000 block */
	assert_int_equal(st.directs, 1);
	assert_int_equal(st.mapped_bytes, 2 * 256 * KiB + 32 * KiB);
	assert_int_equal(pp_win_unmap(e.w, &a, 1), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, &b, 1), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, &big, 1), PP_OK);
	stats(&e, &st);
	assert_int_equal(st.mapped_entries, 0);
	env_fini(&e);
}

/* A dense cluster ends up in few large windows; every dma still lands. */
static void test_adaptive_coalesces_dense_cluster(void **state)
{
	enum { N = 2048 };
	struct env e;
	struct pp_win_seg *s = calloc(N, sizeof(*s));
	struct pp_win_stats st;
	uint64_t base = RAM_BASE + 64 * MiB;
	unsigned int i;

	(void)state;
	/* Scarce entries make windows worth their bytes. */
	env_init(&e, PCIPASS, 1536 * MiB, 4096, PP_DART_ADVERSARIAL);
	srand(1);
	for (i = 0; i < N; i++) {
		/* half of the 4 KiB slots of a 16 MiB cluster, shuffled */
		uint64_t slot = ((uint64_t)i * 2654435761u) % 4096;

		assert_int_equal(map1(&e, &s[i], base + slot * 4096, 4096),
				 PP_OK);
		assert_translates(&e, &s[i]);
	}
	stats(&e, &st);
	assert_true(st.mapped_entries * 10 <= N);
	assert_true(st.peak_entries < 4096);
	for (i = 0; i < N; i++)
		assert_translates(&e, &s[i]);
	for (i = 0; i < N; i++)
		assert_int_equal(pp_win_unmap(e.w, &s[i], 1), PP_OK);
	stats(&e, &st);
	assert_int_equal(st.live_requests, 0);
	assert_int_equal(st.mapped_entries, st.idle_entries);
	free(s);
	env_fini(&e);
}

/* With plenty of entries, sparse traffic stays exact: no slop. */
static void test_adaptive_sparse_stays_exact(void **state)
{
	enum { N = 512 };
	struct env e;
	struct pp_win_seg s[N];
	struct pp_win_stats st;
	unsigned int i;

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 65536, PP_DART_RANDOM);
	for (i = 0; i < N; i++)
		assert_int_equal(map1(&e, &s[i], RAM_BASE + i * 1 * MiB,
				      4096), PP_OK);
	stats(&e, &st);
	assert_int_equal(st.mapped_entries, N);
	assert_int_equal(st.mapped_bytes, N * 16 * KiB);
	for (i = 0; i < N; i++)
		assert_int_equal(pp_win_unmap(e.w, &s[i], 1), PP_OK);
	env_fini(&e);
}

static void test_idle_reuse_saves_host_calls(void **state)
{
	struct env e;
	struct pp_win_seg s;
	struct pp_win_stats st;
	unsigned long calls;
	int i;

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	assert_int_equal(map1(&e, &s, RAM_BASE + 3 * MiB, 256 * KiB), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, &s, 1), PP_OK);
	calls = e.h.calls;
	for (i = 0; i < 100; i++) {
		assert_int_equal(map1(&e, &s, RAM_BASE + 3 * MiB, 256 * KiB),
				 PP_OK);
		assert_translates(&e, &s);
		assert_int_equal(pp_win_unmap(e.w, &s, 1), PP_OK);
	}
	assert_int_equal(e.h.calls, calls); /* no round trip at all */
	stats(&e, &st);
	assert_int_equal(st.reuse_hits, 100);
	assert_int_equal(st.idle_entries, 1);
	assert_int_equal(pp_win_reclaim(e.w), 1);
	stats(&e, &st);
	assert_int_equal(st.mapped_entries, 0);
	env_fini(&e);
}

static void test_strict_never_keeps_idle(void **state)
{
	struct env e;
	struct pp_win_seg s;
	int i;

	(void)state;
	env_init(&e, STRICT, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	for (i = 0; i < 10; i++) {
		assert_int_equal(map1(&e, &s, RAM_BASE, 64 * KiB), PP_OK);
		assert_int_equal(pp_win_unmap(e.w, &s, 1), PP_OK);
	}
	assert_int_equal(e.h.maps, 10);
	assert_int_equal(e.h.unmaps, 10);
	env_fini(&e);
}

/* One sg list, one round trip. */
static void test_batch_is_one_round_trip(void **state)
{
	enum { N = 200 };
	struct env e;
	struct pp_win_seg s[N];
	unsigned int i;

	(void)state;
	env_init(&e, STRICT, 1536 * MiB, 65536, PP_DART_RANDOM);
	for (i = 0; i < N; i++) {
		s[i].gpa = RAM_BASE + i * 64 * KiB + (i % 3) * 4096;
		s[i].len = 4096 + (i % 5) * 512;
	}
	assert_int_equal(pp_win_map(e.w, s, N, PP_MAP_RW), PP_OK);
	assert_int_equal(e.h.calls, 1);
	for (i = 0; i < N; i++)
		assert_translates(&e, &s[i]);
	assert_int_equal(pp_win_unmap(e.w, s, N), PP_OK);
	assert_int_equal(e.h.calls, 2);
	env_fini(&e);
}

/* A batch larger than max_batch is split, never over the limit. */
static void test_batch_respects_max_batch(void **state)
{
	enum { N = 700 };
	struct env e;
	struct pp_win_seg *s = calloc(N, sizeof(*s));
	unsigned int i;

	(void)state;
	env_init(&e, STRICT, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	for (i = 0; i < N; i++) {
		s[i].gpa = RAM_BASE + i * 32 * KiB;
		s[i].len = 4096;
	}
	assert_int_equal(pp_win_map(e.w, s, N, PP_MAP_RW), PP_OK);
	assert_true(e.h.max_ops <= 256);
	assert_int_equal(e.h.calls, 3);
	assert_int_equal(pp_win_unmap(e.w, s, N), PP_OK);
	free(s);
	env_fini(&e);
}

/* Byte cap: the failing batch leaves nothing mapped; others stay intact. */
static void test_exhaustion_bytes_all_or_nothing(void **state)
{
	struct env e;
	struct pp_win_seg keep, batch[4];
	struct pp_win_stats st;
	unsigned int i;

	(void)state;
	env_init(&e, STRICT, 1 * MiB, 65536, PP_DART_FIRST_FIT);
	assert_int_equal(map1(&e, &keep, RAM_BASE, 512 * KiB), PP_OK);
	for (i = 0; i < 4; i++) {
		batch[i].gpa = RAM_BASE + 2 * MiB + i * 256 * KiB;
		batch[i].len = 160 * KiB;
	}
	assert_int_equal(pp_win_map(e.w, batch, 4, PP_MAP_RW), PP_ERR_NOSPC);
	stats(&e, &st);
	assert_int_equal(st.live_requests, 1);
	assert_int_equal(st.mapped_bytes, 512 * KiB);
	assert_int_equal(st.map_failures, 1);
	assert_translates(&e, &keep);
	/* three of them fit */
	assert_int_equal(pp_win_map(e.w, batch, 3, PP_MAP_RW), PP_OK);
	for (i = 0; i < 3; i++)
		assert_translates(&e, &batch[i]);
	assert_int_equal(pp_win_unmap(e.w, batch, 3), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, &keep, 1), PP_OK);
	env_fini(&e);
}

static void test_exhaustion_entries(void **state)
{
	struct env e;
	struct pp_win_seg s[9];
	unsigned int i;

	(void)state;
	env_init(&e, STRICT, 1536 * MiB, 8, PP_DART_FIRST_FIT);
	for (i = 0; i < 8; i++)
		assert_int_equal(map1(&e, &s[i], RAM_BASE + i * MiB, 4096),
				 PP_OK);
	assert_int_equal(map1(&e, &s[8], RAM_BASE + 100 * MiB, 4096),
			 PP_ERR_TOOMANY);
	/* the same page as a live mapping still works: it is shared */
	assert_int_equal(map1(&e, &s[8], RAM_BASE + 0x2000, 4096), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, s, 9), PP_OK);
	env_fini(&e);
}

/* Idle mappings never make a request fail: they are reclaimed first. */
static void test_idle_reclaimed_under_pressure(void **state)
{
	struct env e;
	struct pp_win_seg s[8], big;
	struct pp_win_stats st;
	unsigned int i;

	(void)state;
	env_init(&e, PCIPASS, 4 * MiB, 65536, PP_DART_ADVERSARIAL);
	for (i = 0; i < 8; i++) {
		assert_int_equal(map1(&e, &s[i], RAM_BASE + i * 2 * MiB,
				      256 * KiB), PP_OK);
		assert_int_equal(pp_win_unmap(e.w, &s[i], 1), PP_OK);
	}
	stats(&e, &st);
	assert_true(st.idle_bytes <= 4 * MiB / 8);
	/* 3 MiB needs everything idle gone */
	assert_int_equal(map1(&e, &big, RAM_BASE + 64 * MiB, 3 * MiB), PP_OK);
	assert_translates(&e, &big);
	assert_int_equal(pp_win_unmap(e.w, &big, 1), PP_OK);
	env_fini(&e);
}

/* The host refuses a window for lack of space: retried smaller, works. */
static void test_host_nospc_retries_smaller(void **state)
{
	enum { N = 64 };
	struct env e;
	struct pp_win_seg s[N], x;
	struct pp_win_stats st;
	unsigned int i;

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 256, PP_DART_FIRST_FIT);
	for (i = 0; i < N; i++)
		assert_int_equal(map1(&e, &s[i], RAM_BASE + i * 8192, 4096),
				 PP_OK);
	/* the next new mapping is refused twice, as a full DART would */
	e.h.fail_maps = 2;
	e.h.fail_maps_status = PP_ERR_NOSPC;
	assert_int_equal(map1(&e, &x, RAM_BASE + 512 * MiB, 4096), PP_OK);
	assert_translates(&e, &x);
	stats(&e, &st);
	assert_true(st.retries >= 2);
	/* a hard host error is not retried into success */
	e.h.fail_maps = 100;
	e.h.fail_maps_status = PP_ERR_HOST;
	assert_int_equal(map1(&e, &x, RAM_BASE + 900 * MiB, 4096),
			 PP_ERR_HOST);
	e.h.fail_maps = 0;
	e.h.fail_call_status = PP_ERR_HOST;
	assert_int_equal(map1(&e, &x, RAM_BASE + 901 * MiB, 4096),
			 PP_ERR_HOST);
	for (i = 0; i < N; i++)
		assert_int_equal(pp_win_unmap(e.w, &s[i], 1), PP_OK);
	env_fini(&e);
}

static void test_unknown_unmaps_are_refused(void **state)
{
	struct env e;
	struct pp_win_seg s, bogus = { .gpa = 0, .len = 4096, .dma = 0x1234 };
	struct pp_win_stats st;

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	assert_int_equal(pp_win_unmap(e.w, &bogus, 1), PP_ERR_NOENT);
	assert_int_equal(map1(&e, &s, RAM_BASE, 4096), PP_OK);
	assert_int_equal(pp_win_unmap(e.w, &s, 1), PP_OK);
	/* double unmap: the mapping is idle now, refused */
	assert_int_equal(pp_win_unmap(e.w, &s, 1), PP_ERR_NOENT);
	/* past the end of the mapping */
	bogus.dma = s.dma;
	bogus.len = 1 * MiB;
	assert_int_equal(pp_win_unmap(e.w, &bogus, 1), PP_ERR_NOENT);
	stats(&e, &st);
	assert_int_equal(st.unknown_unmaps, 3);
	assert_int_equal(st.live_requests, 0);
	env_fini(&e);
}

static void test_bad_requests(void **state)
{
	struct env e;
	struct pp_win_seg s = { 0 };

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	assert_int_equal(map1(&e, &s, RAM_BASE, 0), PP_ERR_INVAL);
	assert_int_equal(map1(&e, &s, UINT64_MAX - 100, 4096),
			 PP_ERR_OVERFLOW);
	assert_int_equal(map1(&e, &s, RAM_BASE, 2 * GiB), PP_ERR_INVAL);
	s.gpa = RAM_BASE;
	s.len = 4096;
	assert_int_equal(pp_win_map(e.w, &s, 1, 0), PP_ERR_INVAL);
	assert_int_equal(pp_win_map(e.w, &s, 1, 0x80), PP_ERR_INVAL);
	assert_int_equal(pp_win_map(e.w, &s, 0, PP_MAP_RW), PP_ERR_INVAL);
	assert_int_equal(e.h.calls, 0);
	env_fini(&e);
}

static void test_dma_to_gpa(void **state)
{
	struct env e;
	struct pp_win_seg s;
	uint64_t gpa;

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 65536, PP_DART_ADVERSARIAL);
	assert_int_equal(map1(&e, &s, RAM_BASE + 0x12345, 10000), PP_OK);
	assert_int_equal(pp_win_dma_to_gpa(e.w, s.dma + 77, &gpa), PP_OK);
	assert_int_equal(gpa, RAM_BASE + 0x12345 + 77);
	assert_int_equal(pp_win_dma_to_gpa(e.w, 0x10, &gpa), PP_ERR_NOENT);
	assert_int_equal(pp_win_unmap(e.w, &s, 1), PP_OK);
	env_fini(&e);
}

/* The block table grows from memory handed over ahead of need. */
static void test_prealloc_handover(void **state)
{
	enum { N = 3000 };
	struct env e;
	struct pp_win_seg *s = calloc(N, sizeof(*s));
	size_t want = 0;
	unsigned int i, adopted = 0;

	(void)state;
	env_init(&e, PCIPASS, 1536 * MiB, 65536, PP_DART_FIRST_FIT);
	for (i = 0; i < N; i++) {
		assert_int_equal(map1(&e, &s[i], RAM_BASE + i * 3 * MiB, 4096),
				 PP_OK);
		want = pp_win_prealloc_wanted(e.w);
		if (want) {
			void *mem = e.h.ops.alloc(e.h.ops.ctx, want);

			assert_non_null(mem);
			/* the wrong size is refused, the right one adopted */
			assert_false(pp_win_prealloc_provide(e.w, mem, want - 8));
			assert_true(pp_win_prealloc_provide(e.w, mem, want));
			assert_int_equal(pp_win_prealloc_wanted(e.w), 0);
			adopted++;
		}
	}
	assert_true(adopted >= 3);
	/* everything still reachable after the moves */
	for (i = 0; i < N; i++)
		assert_translates(&e, &s[i]);
	for (i = 0; i < N; i++)
		assert_int_equal(pp_win_unmap(e.w, &s[i], 1), PP_OK);
	free(s);
	env_fini(&e);
}

/* Allocation failures at every point: clean error or success, no leak. */
static void test_alloc_failures_are_clean(void **state)
{
	long n;

	(void)state;
	for (n = 1; n < 60; n++) {
		struct env e;
		struct pp_win_seg s[16];
		unsigned int i;
		int ret;

		env_init(&e, PCIPASS, 1536 * MiB, 64, PP_DART_FIRST_FIT);
		e.h.alloc_fail_in = n;
		for (i = 0; i < 16; i++) {
			s[i].gpa = RAM_BASE + i * 12 * KiB;
			s[i].len = 4096;
		}
		ret = pp_win_map(e.w, s, 16, PP_MAP_RW);
		assert_true(ret == PP_OK || ret == PP_ERR_NOMEM);
		if (ret == PP_OK) {
			for (i = 0; i < 16; i++)
				assert_translates(&e, &s[i]);
			assert_int_equal(pp_win_unmap(e.w, s, 16), PP_OK);
		} else {
			struct pp_win_stats st;

			stats(&e, &st);
			assert_int_equal(st.live_requests, 0);
		}
		e.h.alloc_fail_in = 0;
		env_fini(&e);
	}
}

/*
 * Random streams under every preset and placement: every live request
 * translates to its gpa at all times; after unmapping everything and a
 * reclaim, the DART is empty and the policy holds nothing.
 */
static void stress(enum preset p, enum pp_dart_placement place,
		   uint64_t cap, uint32_t entries)
{
	enum { LIVE = 3000, OPS = 60000 };
	struct env e;
	struct pp_win_seg *s = calloc(LIVE, sizeof(*s));
	bool *live = calloc(LIVE, sizeof(*live));
	struct pp_win_stats st;
	unsigned int i, k, failures = 0;
	uint64_t rng = 12345 + p * 7 + place;

	env_init(&e, p, cap, entries, place);
	for (i = 0; i < OPS; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		k = (unsigned int)(rng >> 33) % LIVE;
		if (live[k]) {
			assert_int_equal(pp_win_unmap(e.w, &s[k], 1), PP_OK);
			live[k] = false;
			continue;
		}
		{
			uint64_t r = rng >> 20;
			uint64_t cluster = (r % 16) * 64 * MiB;
			uint64_t off = ((r >> 4) % 1024) * 4096 + (r >> 14) % 64;
			uint64_t len = (r >> 24) % 10 ? 4096 : 4096 + (r >> 28) % (300 * KiB);
			int ret = map1(&e, &s[k], RAM_BASE + cluster + off, len);

			if (ret == PP_OK) {
				assert_translates(&e, &s[k]);
				live[k] = true;
			} else {
				assert_true(ret == PP_ERR_NOSPC ||
					    ret == PP_ERR_TOOMANY);
				failures++;
			}
		}
		if (i % 5000 == 0)
			for (k = 0; k < LIVE; k++)
				if (live[k])
					assert_translates(&e, &s[k]);
	}
	for (k = 0; k < LIVE; k++)
		if (live[k])
			assert_int_equal(pp_win_unmap(e.w, &s[k], 1), PP_OK);
	stats(&e, &st);
	assert_int_equal(st.live_requests, 0);
	assert_int_equal(st.live_req_bytes, 0);
	assert_true(st.peak_entries <= entries);
	assert_true(st.peak_bytes <= cap);
	pp_win_reclaim(e.w);
	stats(&e, &st);
	assert_int_equal(st.mapped_entries, 0);
	assert_int_equal(st.mapped_bytes, 0);
	{
		struct pp_dart_stats ds;

		pp_dart_get_stats(e.h.dart, &ds);
		assert_int_equal(ds.live_entries, 0);
	}
	free(s);
	free(live);
	env_fini(&e);
	(void)failures;
}

static void test_stress_all_presets_and_placements(void **state)
{
	enum preset p;
	int place;

	(void)state;
	for (p = STRICT; p <= PCIPASS; p++)
		for (place = PP_DART_FIRST_FIT; place <= PP_DART_ADVERSARIAL;
		     place++)
			stress(p, place, 1536 * MiB, 65536);
}

static void test_stress_tight_caps(void **state)
{
	int place;

	(void)state;
	for (place = PP_DART_FIRST_FIT; place <= PP_DART_ADVERSARIAL; place++) {
		stress(PCIPASS, place, 64 * MiB, 1500);
		stress(STRICT, place, 64 * MiB, 1500);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_validation),
		cmocka_unit_test(test_strict_shares_a_page),
		cmocka_unit_test(test_reference_uses_256k_windows),
		cmocka_unit_test(test_adaptive_coalesces_dense_cluster),
		cmocka_unit_test(test_adaptive_sparse_stays_exact),
		cmocka_unit_test(test_idle_reuse_saves_host_calls),
		cmocka_unit_test(test_strict_never_keeps_idle),
		cmocka_unit_test(test_batch_is_one_round_trip),
		cmocka_unit_test(test_batch_respects_max_batch),
		cmocka_unit_test(test_exhaustion_bytes_all_or_nothing),
		cmocka_unit_test(test_exhaustion_entries),
		cmocka_unit_test(test_idle_reclaimed_under_pressure),
		cmocka_unit_test(test_host_nospc_retries_smaller),
		cmocka_unit_test(test_unknown_unmaps_are_refused),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_dma_to_gpa),
		cmocka_unit_test(test_prealloc_handover),
		cmocka_unit_test(test_alloc_failures_are_clean),
		cmocka_unit_test(test_stress_all_presets_and_placements),
		cmocka_unit_test(test_stress_tight_caps),
	};

	return cmocka_run_group_tests_name("dmawin", tests, NULL, NULL);
}
