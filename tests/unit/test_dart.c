/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the DART model (core/src/dart.c, docs/dart-model.md).
 * Reference behaviour comes from simple shadows (a page-owner array and a
 * list of live mappings) checked by brute force, plus the model's own
 * invariant checker (core/src/dart_check.c), which recomputes its tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pcipass/dart.h>

#include "../../core/src/dart_internal.h" /* pp_dart_check_invariants */

#define PG PP_DART_PAGE_SIZE
#define MASK PP_DART_PAGE_MASK

static const enum pp_dart_placement placements[] = {
	PP_DART_FIRST_FIT, PP_DART_RANDOM, PP_DART_ADVERSARIAL,
};

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static struct pp_dart *mk(enum pp_dart_placement pl, uint64_t cap_pages,
			  uint32_t entries, uint64_t base, uint64_t npages,
			  uint64_t seed)
{
	struct pp_dart_config c;
	struct pp_dart *d;

	pp_dart_config_default(&c);
	c.placement = pl;
	c.seed = seed;
	if (cap_pages)
		c.cap_bytes = cap_pages * PG;
	if (entries)
		c.max_entries = entries;
	if (base)
		c.iova_base = base;
	if (npages)
		c.iova_size = npages * PG;
	d = pp_dart_new(&c);
	assert_non_null(d);
	return d;
}

static uint64_t pages_touched(uint64_t host, uint64_t len)
{
	return ((host + len - 1) / PG) - host / PG + 1;
}

static void assert_in_aperture(const struct pp_dart *d, uint64_t bus,
			       uint64_t host, uint64_t len)
{
	const struct pp_dart_config *c = pp_dart_config(d);
	uint64_t first = bus & ~MASK;

	assert_int_equal(bus & MASK, host & MASK);
	assert_true(first >= c->iova_base);
	assert_true(first + pages_touched(host, len) * PG <= c->iova_base + c->iova_size);
	if (c->placement == PP_DART_ADVERSARIAL)
		assert_int_equal((bus >> PP_DART_PAGE_SHIFT) & 1, 1);
}

/*
 * Shadow of a DART: stable ids, a page -> id array over the aperture and the
 * list of live ids.  Brute force, obviously right.
 */
struct sh_map {
	uint64_t host, len, bus, np;
	uint32_t prot;
};

struct shadow {
	uint64_t base, npages, cap_pages, live_pages;
	uint64_t rng; /* replica of the model's RANDOM generator */
	uint32_t max;
	int32_t *owner;     /* page -> id, -1 free */
	struct sh_map *m;   /* by id */
	uint32_t *live;     /* live ids */
	uint32_t *pos;      /* id -> index in live */
	uint32_t *free_ids;
	uint32_t nlive, nfree;
};

static void sh_init(struct shadow *s, const struct pp_dart *d)
{
	const struct pp_dart_config *c = pp_dart_config(d);

	memset(s, 0, sizeof(*s));
	s->base = c->iova_base;
	s->npages = c->iova_size / PG;
	s->cap_pages = c->cap_bytes / PG;
	s->max = c->max_entries;
	s->rng = c->seed;
	s->owner = malloc(s->npages * sizeof(*s->owner));
	s->m = calloc(s->max, sizeof(*s->m));
	s->live = calloc(s->max, sizeof(*s->live));
	s->pos = calloc(s->max, sizeof(*s->pos));
	s->free_ids = calloc(s->max, sizeof(*s->free_ids));
	assert_true(s->owner && s->m && s->live && s->pos && s->free_ids);
	for (uint64_t i = 0; i < s->npages; i++)
		s->owner[i] = -1;
	for (uint32_t i = 0; i < s->max; i++)
		s->free_ids[s->nfree++] = s->max - 1 - i;
}

static void sh_fini(struct shadow *s)
{
	free(s->owner);
	free(s->m);
	free(s->live);
	free(s->pos);
	free(s->free_ids);
}

static uint64_t sh_page(const struct shadow *s, uint64_t bus)
{
	return (bus - s->base) / PG;
}

/* Records a mapping the model returned, checking its pages were free. */
static void sh_add(struct shadow *s, uint64_t host, uint64_t len, uint32_t prot,
		   uint64_t bus)
{
	uint32_t id = s->free_ids[--s->nfree];
	uint64_t np = pages_touched(host, len), p0 = sh_page(s, bus);

	for (uint64_t p = p0; p < p0 + np; p++) {
		assert_int_equal(s->owner[p], -1); /* overlap! */
		s->owner[p] = (int32_t)id;
	}
	s->m[id] = (struct sh_map){ host, len, bus, np, prot };
	s->pos[id] = s->nlive;
	s->live[s->nlive++] = id;
	s->live_pages += np;
}

static void sh_remove(struct shadow *s, uint32_t id)
{
	uint64_t p0 = sh_page(s, s->m[id].bus);
	uint32_t last = s->live[--s->nlive];

	for (uint64_t p = p0; p < p0 + s->m[id].np; p++)
		s->owner[p] = -1;
	s->live[s->pos[id]] = last;
	s->pos[last] = s->pos[id];
	s->free_ids[s->nfree++] = id;
	s->live_pages -= s->m[id].np;
}

/* Lowest aperture page p >= from with [p, p + k) free (odd bus page if odd),
 * or -1. */
static int64_t sh_fit_from(const struct shadow *s, uint64_t k, bool odd, uint64_t from)
{
	uint64_t run = 0;

	for (uint64_t p = from; p < s->npages; p++) {
		if (s->owner[p] != -1) {
			run = 0;
			continue;
		}
		/* Count the run only from an allowed start page. */
		if (run == 0 && odd && !(((s->base / PG) + p) & 1))
			continue;
		if (++run == k)
			return (int64_t)(p + 1 - k);
	}
	return -1;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Where the model must place k pages, per docs/dart-model.md: FIRST_FIT the
 * lowest fit, ADVERSARIAL the lowest fit on an odd bus page, RANDOM the
 * lowest fit at or after the first page of a zone (1/64 of the aperture)
 * drawn from splitmix64(seed), else the lowest fit, moved back to the start
 * of its free run but not before the zone.  -1 when nothing fits.  Advances the RANDOM replica like the model.
 */
static int64_t sh_place(struct shadow *s, enum pp_dart_placement pl, uint64_t k)
{
	int64_t fit;

	switch (pl) {
	case PP_DART_RANDOM: {
		uint64_t zone = s->npages / 64 ? s->npages / 64 : 1;
		uint64_t nz = (s->npages + zone - 1) / zone;
		uint64_t r = ((splitmix64(&s->rng) >> 32) * nz >> 32) * zone;

		fit = sh_fit_from(s, k, false, r);
		if (fit < 0) {
			r = 0;
			fit = sh_fit_from(s, k, false, 0);
		}
		/* back to the start of its free run, not before the zone */
		while (fit > (int64_t)r && s->owner[fit - 1] < 0)
			fit--;
		return fit;
	}
	case PP_DART_ADVERSARIAL:
		return sh_fit_from(s, k, true, 0);
	default:
		return sh_fit_from(s, k, false, 0);
	}
}

/* Expected result of translate, from the shadow alone. */
static int sh_translate(const struct shadow *s, uint64_t bus, uint64_t len,
			uint32_t access, uint64_t *host)
{
	uint64_t last = bus + len - 1, p;
	int32_t id;
	const struct sh_map *m;

	if (last < bus || bus < s->base || last >= s->base + s->npages * PG)
		return PP_ERR_FAULT;
	p = sh_page(s, bus);
	id = s->owner[p];
	if (id < 0 || s->owner[sh_page(s, last)] != id)
		return PP_ERR_FAULT;
	m = &s->m[id];
	if (access & ~m->prot)
		return PP_ERR_FAULT;
	*host = (m->host & ~MASK) + (bus - (m->bus & ~MASK));
	return PP_OK;
}

/* ---- configuration ------------------------------------------------------------ */

static void test_config_default(void **state)
{
	struct pp_dart_config c;
	struct pp_dart *d;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	pp_dart_config_default(&c);
	assert_int_equal(c.cap_bytes, PP_DART_DEFAULT_CAP_BYTES);
	assert_int_equal(c.max_entries, PP_DART_DEFAULT_MAX_ENTRIES);
	assert_int_equal(c.iova_base, PP_DART_DEFAULT_IOVA_BASE);
	assert_int_equal(c.iova_size, PP_DART_DEFAULT_IOVA_SIZE);
	assert_int_equal(c.placement, PP_DART_FIRST_FIT);
	assert_int_equal(c.seed, 0);
	d = pp_dart_new(&c);
	assert_non_null(d);
	assert_memory_equal(pp_dart_config(d), &c, sizeof(c));
	assert_int_equal(pp_dart_free_bytes(d), PP_DART_DEFAULT_CAP_BYTES);
	assert_int_equal(pp_dart_free_entries(d), PP_DART_DEFAULT_MAX_ENTRIES);
	pp_dart_free(d);
	pp_dart_free(NULL);
}

static void test_config_validation(void **state)
{
	struct pp_dart_config good, c;
	struct pp_dart *d;

	(void)state;
	pp_dart_config_default(&good);
	assert_null(pp_dart_new(NULL));

#define BAD(stmt) do { c = good; stmt; assert_null(pp_dart_new(&c)); } while (0)
	BAD(c.iova_base = 0);
	BAD(c.iova_base = PP_DART_DEFAULT_IOVA_BASE + 0x1000);
	BAD(c.iova_size = 0);
	BAD(c.iova_size = PP_DART_DEFAULT_IOVA_SIZE - 0x2000);
	BAD((c.iova_base = UINT64_MAX - 0x3fffull - 16 * PG, c.iova_size = 32 * PG));
	BAD((c.iova_base = UINT64_MAX - 0x3fffull - 16 * PG, c.iova_size = 17 * PG));
	BAD(c.iova_size = 1ull << 40); /* larger than the model accepts */
	BAD(c.cap_bytes = 0);
	BAD(c.cap_bytes = PG - 1);
	BAD(c.max_entries = 0);
	BAD(c.max_entries = UINT32_MAX);
	BAD(c.placement = (enum pp_dart_placement)3);
#undef BAD

	/* Edges that are fine: aperture ending at the last page below 2^64,
	 * one page, a cap that is not a page multiple (floored), odd base. */
	c = good;
	c.iova_base = UINT64_MAX - 0x3fffull - 16 * PG;
	c.iova_size = 16 * PG;
	d = pp_dart_new(&c);
	assert_non_null(d);
	pp_dart_free(d);
	c = good;
	c.iova_base = 3 * PG;
	c.iova_size = PG;
	c.cap_bytes = PG + 100;
	c.max_entries = 1;
	d = pp_dart_new(&c);
	assert_non_null(d);
	{
		uint64_t bus;

		assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &bus), PP_OK);
		assert_int_equal(bus, 3 * PG);
		assert_int_equal(pp_dart_free_bytes(d), 100);
		assert_int_equal(pp_dart_unmap(d, bus), PP_OK);
		assert_int_equal(pp_dart_map(d, 0, PG + 1, PP_DART_RW, &bus), PP_ERR_NOSPC);
	}
	pp_dart_free(d);
}

/* ---- map argument errors ------------------------------------------------------ */

static void test_map_errors(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 0, 0, 0, 0, 0);
	struct pp_dart_stats st;
	uint64_t bus = 0xdead;

	(void)state;
	assert_int_equal(pp_dart_map(NULL, 0, PG, PP_DART_RW, &bus), PP_ERR_INVAL);
	assert_int_equal(pp_dart_map(d, 0x10000, 0, PP_DART_RW, &bus), PP_ERR_INVAL);
	assert_int_equal(pp_dart_map(d, 0x10000, PG, 0, &bus), PP_ERR_INVAL);
	assert_int_equal(pp_dart_map(d, 0x10000, PG, 4, &bus), PP_ERR_INVAL);
	assert_int_equal(pp_dart_map(d, 0x10000, PG, PP_DART_RW | 8, &bus), PP_ERR_INVAL);
	assert_int_equal(pp_dart_map(d, 0x10000, PG, PP_DART_RW, NULL), PP_ERR_INVAL);
	/* INVAL is checked before OVERFLOW. */
	assert_int_equal(pp_dart_map(d, UINT64_MAX, 2, 0, &bus), PP_ERR_INVAL);
	assert_int_equal(pp_dart_map(d, UINT64_MAX, 2, PP_DART_READ, &bus), PP_ERR_OVERFLOW);
	assert_int_equal(pp_dart_map(d, UINT64_MAX - PG + 1, PG, PP_DART_READ, &bus),
			 PP_ERR_OVERFLOW); /* end == 2^64 is not representable */
	assert_int_equal(pp_dart_map(d, 1, UINT64_MAX, PP_DART_READ, &bus), PP_ERR_OVERFLOW);
	assert_int_equal(bus, 0xdead); /* untouched on failure */
	/* OVERFLOW is checked before the caps. */
	assert_int_equal(pp_dart_map(d, 0, 1ull << 40, PP_DART_READ, &bus), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0, UINT64_MAX, PP_DART_READ, &bus), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, UINT64_MAX - PG, PG, PP_DART_READ, &bus), PP_OK);
	assert_int_equal(bus & MASK, MASK);

	pp_dart_get_stats(d, &st);
	assert_int_equal(st.fail_inval, 6);
	assert_int_equal(st.fail_overflow, 3);
	assert_int_equal(st.fail_nospc, 2);
	assert_int_equal(st.fail_toomany, 0);
	assert_int_equal(st.maps, 1);
	assert_int_equal(st.live_entries, 1);
	assert_int_equal(st.live_bytes, 2 * PG); /* straddles two pages */
	pp_dart_free(d);
}

/* ---- placement: aperture and overlap ------------------------------------------ */

/* Many random maps and unmaps under a placement: every bus is inside the
 * aperture, keeps the host offset, and no two page spans overlap. */
static void run_no_overlap(enum pp_dart_placement pl, uint64_t base)
{
	struct pp_dart *d = mk(pl, 0, 0, base, 0, 42);
	struct shadow s;
	int ok = 0;

	rnd_state = 1000 + pl;
	sh_init(&s, d);
	for (int i = 0; i < 40000; i++) {
		/* Up to 3000 live (~30k pages): well under both caps. */
		if (s.nlive == 3000 || (s.nlive && rnd_below(10) < 3)) {
			uint32_t id = s.live[rnd_below(s.nlive)];

			assert_int_equal(pp_dart_unmap(d, s.m[id].bus), PP_OK);
			sh_remove(&s, id);
		} else {
			uint64_t host = rnd() & 0xffffffffffull;
			uint64_t len = 1 + rnd_below(rnd_below(4) ? 64 << 10 : 1 << 20);
			uint64_t bus;

			assert_int_equal(pp_dart_map(d, host, len, PP_DART_RW, &bus), PP_OK);
			assert_in_aperture(d, bus, host, len);
			sh_add(&s, host, len, PP_DART_RW, bus);
			ok++;
		}
		if (i % 4096 == 0)
			assert_int_equal(pp_dart_check_invariants(d), 0);
	}
	assert_int_equal(pp_dart_check_invariants(d), 0);
	assert_true(ok > 20000);
	sh_fini(&s);
	pp_dart_free(d);
}

static void test_no_overlap_first_fit(void **state)
{
	(void)state;
	run_no_overlap(PP_DART_FIRST_FIT, 0);
}

static void test_no_overlap_random(void **state)
{
	(void)state;
	run_no_overlap(PP_DART_RANDOM, 0);
}

static void test_no_overlap_adversarial(void **state)
{
	(void)state;
	run_no_overlap(PP_DART_ADVERSARIAL, 0);
	run_no_overlap(PP_DART_ADVERSARIAL, 0x104000); /* base on an odd page */
}

/* ---- translate ---------------------------------------------------------------- */

static void test_translate_every_byte(void **state)
{
	(void)state;
	for (size_t pi = 0; pi < PP_ARRAY_SIZE(placements); pi++) {
		struct pp_dart *d = mk(placements[pi], 0, 0, 0, 0, 7);
		uint64_t bus[40], hostv[40], lenv[40], h;
		struct pp_dart_stats st;
		uint64_t faults = 0;

		rnd_state = 77;
		for (int i = 0; i < 40; i++) {
			hostv[i] = (rnd() & 0xfffffffffull) | (i == 0 ? 0 : 1);
			lenv[i] = 1 + rnd_below(2 * PG + 100);
			assert_int_equal(pp_dart_map(d, hostv[i], lenv[i], PP_DART_RW, &bus[i]),
					 PP_OK);
		}
		for (int i = 0; i < 40; i++) {
			uint64_t np = pages_touched(hostv[i], lenv[i]);
			uint64_t b0 = bus[i] & ~MASK, h0 = hostv[i] & ~MASK;

			/* Every byte of the page span, including the slack around
			 * the requested range (the DART maps whole pages). */
			for (uint64_t o = 0; o < np * PG; o++) {
				h = 0;
				assert_int_equal(pp_dart_translate(d, b0 + o, 1, PP_DART_READ, &h),
						 PP_OK);
				assert_int_equal(h, h0 + o);
			}
			assert_int_equal(pp_dart_translate(d, bus[i], lenv[i], PP_DART_WRITE, &h),
					 PP_OK);
			assert_int_equal(h, hostv[i]);
			assert_int_equal(pp_dart_translate(d, b0, np * PG, PP_DART_RW, &h), PP_OK);
			assert_int_equal(h, h0);
			/* One byte too many. */
			assert_int_equal(pp_dart_translate(d, b0, np * PG + 1, PP_DART_READ, &h),
					 PP_ERR_FAULT);
			faults++;
		}
		for (int i = 0; i < 40; i++) {
			uint64_t np = pages_touched(hostv[i], lenv[i]);
			uint64_t b0 = bus[i] & ~MASK;

			assert_int_equal(pp_dart_unmap(d, bus[i]), PP_OK);
			assert_int_equal(pp_dart_translate(d, bus[i], 1, PP_DART_READ, &h),
					 PP_ERR_FAULT);
			assert_int_equal(pp_dart_translate(d, b0 + np * PG - 1, 1, PP_DART_READ, &h),
					 PP_ERR_FAULT);
			faults += 2;
		}
		pp_dart_get_stats(d, &st);
		assert_int_equal(st.faults, faults);
		pp_dart_free(d);
	}
}

static void test_translate_edges(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 0, 0, 0, 0, 0);
	const struct pp_dart_config *c = pp_dart_config(d);
	uint64_t a, b, h, end = c->iova_base + c->iova_size;
	struct pp_dart_stats st;

	(void)state;
	/* Two adjacent mappings (first fit packs them). */
	assert_int_equal(pp_dart_map(d, 0x100000, PG, PP_DART_RW, &a), PP_OK);
	assert_int_equal(pp_dart_map(d, 0x900000, 2 * PG, PP_DART_RW, &b), PP_OK);
	assert_int_equal(a, c->iova_base);
	assert_int_equal(b, a + PG);
	assert_int_equal(pp_dart_translate(d, a + PG - 8, 8, PP_DART_READ, &h), PP_OK);
	assert_int_equal(h, 0x100000 + PG - 8);
	assert_int_equal(pp_dart_translate(d, b, 8, PP_DART_READ, &h), PP_OK);
	assert_int_equal(h, 0x900000);
	/* Crossing from one mapping into the next faults, though both exist. */
	assert_int_equal(pp_dart_translate(d, a + PG - 8, 16, PP_DART_READ, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, a, 3 * PG, PP_DART_READ, &h), PP_ERR_FAULT);
	/* Past the end of the second (free page behind it). */
	assert_int_equal(pp_dart_translate(d, b + 2 * PG, 1, PP_DART_READ, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, b + 2 * PG - 1, 2, PP_DART_READ, &h),
			 PP_ERR_FAULT);
	/* Outside the aperture, and a wrapping range. */
	assert_int_equal(pp_dart_translate(d, 0, 1, PP_DART_READ, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, c->iova_base - 1, 2, PP_DART_READ, &h),
			 PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, end, 1, PP_DART_READ, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, UINT64_MAX, 1, PP_DART_READ, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, a, UINT64_MAX, PP_DART_READ, &h), PP_ERR_FAULT);
	/* Malformed: INVAL, neither a translation nor a fault. */
	assert_int_equal(pp_dart_translate(d, a, 0, PP_DART_READ, &h), PP_ERR_INVAL);
	assert_int_equal(pp_dart_translate(d, a, 1, 0, &h), PP_ERR_INVAL);
	assert_int_equal(pp_dart_translate(d, a, 1, 4, &h), PP_ERR_INVAL);
	assert_int_equal(pp_dart_translate(d, a, 1, PP_DART_READ, NULL), PP_ERR_INVAL);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.translations, 11);
	assert_int_equal(st.faults, 9);
	assert_int_equal(st.fail_inval, 4);
	pp_dart_free(d);

	/* A mapping on the aperture's very last page. */
	d = mk(PP_DART_FIRST_FIT, 0, 0, 0, 4, 0);
	c = pp_dart_config(d);
	end = c->iova_base + c->iova_size;
	assert_int_equal(pp_dart_map(d, 0, 3 * PG, PP_DART_RW, &a), PP_OK);
	assert_int_equal(pp_dart_map(d, 0x20000 + 5, 1, PP_DART_RW, &b), PP_OK);
	assert_int_equal(b, end - PG + 5);
	assert_int_equal(pp_dart_translate(d, end - 1, 1, PP_DART_WRITE, &h), PP_OK);
	assert_int_equal(h, 0x20000 + PG - 1);
	assert_int_equal(pp_dart_translate(d, end - 1, 2, PP_DART_WRITE, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &a), PP_ERR_NOSPC);
	pp_dart_free(d);
}

static void test_permissions(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 0, 0, 0, 0, 0);
	uint64_t r, w, rw, h;
	uint32_t prot;

	(void)state;
	assert_int_equal(pp_dart_map(d, 0x10000, PG, PP_DART_READ, &r), PP_OK);
	assert_int_equal(pp_dart_map(d, 0x20000, PG, PP_DART_WRITE, &w), PP_OK);
	assert_int_equal(pp_dart_map(d, 0x30000, PG, PP_DART_RW, &rw), PP_OK);

	assert_int_equal(pp_dart_translate(d, r, 4, PP_DART_READ, &h), PP_OK);
	assert_int_equal(pp_dart_translate(d, r, 4, PP_DART_WRITE, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, r, 4, PP_DART_RW, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, w, 4, PP_DART_WRITE, &h), PP_OK);
	assert_int_equal(pp_dart_translate(d, w, 4, PP_DART_READ, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(d, rw, 4, PP_DART_READ, &h), PP_OK);
	assert_int_equal(pp_dart_translate(d, rw, 4, PP_DART_WRITE, &h), PP_OK);
	assert_int_equal(pp_dart_translate(d, rw, 4, PP_DART_RW, &h), PP_OK);

	assert_int_equal(pp_dart_lookup(d, w + 3, NULL, NULL, &prot), PP_OK);
	assert_int_equal(prot, PP_DART_WRITE);
	pp_dart_free(d);
}

static void test_lookup(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 0, 0, 0, 0, 0);
	struct pp_dart_stats before, after;
	uint64_t a, h, avail;
	uint32_t prot;

	(void)state;
	assert_int_equal(pp_dart_map(d, 0x123456, 3 * PG, PP_DART_READ, &a), PP_OK);
	assert_int_equal(a & MASK, 0x123456 & MASK);
	pp_dart_get_stats(d, &before);
	assert_int_equal(pp_dart_lookup(d, a, &h, &avail, &prot), PP_OK);
	assert_int_equal(h, 0x123456);
	assert_int_equal(avail, 4 * PG - (a & MASK)); /* to the end of the page span */
	assert_int_equal(prot, PP_DART_READ);
	assert_int_equal(pp_dart_lookup(d, (a & ~MASK) + 4 * PG - 1, &h, &avail, NULL), PP_OK);
	assert_int_equal(avail, 1);
	assert_int_equal(h, (0x123456 & ~MASK) + 4 * PG - 1);
	assert_int_equal(pp_dart_lookup(d, (a & ~MASK) + 4 * PG, &h, &avail, &prot),
			 PP_ERR_FAULT);
	assert_int_equal(pp_dart_lookup(d, 0, NULL, NULL, NULL), PP_ERR_FAULT);
	pp_dart_get_stats(d, &after);
	assert_memory_equal(&before, &after, sizeof(before)); /* no stats */
	assert_int_equal(pp_dart_unmap(d, a), PP_OK);
	assert_int_equal(pp_dart_lookup(d, a, &h, &avail, &prot), PP_ERR_FAULT);
	pp_dart_free(d);
}

/* ---- unmap ---------------------------------------------------------------------- */

static void test_unmap_exact(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 0, 0, 0, 0, 0);
	struct pp_dart_stats st;
	uint64_t a, b;

	(void)state;
	assert_int_equal(pp_dart_map(d, 0x5000, 3 * PG, PP_DART_RW, &a), PP_OK);
	assert_int_equal(pp_dart_map(d, 0x40000, PG, PP_DART_RW, &b), PP_OK);
	assert_int_equal(pp_dart_unmap(d, a & ~MASK), PP_ERR_NOENT); /* offset dropped */
	assert_int_equal(pp_dart_unmap(d, a + 1), PP_ERR_NOENT);
	assert_int_equal(pp_dart_unmap(d, a + PG), PP_ERR_NOENT);     /* middle page */
	assert_int_equal(pp_dart_unmap(d, b + PG), PP_ERR_NOENT);     /* free page */
	assert_int_equal(pp_dart_unmap(d, 0), PP_ERR_NOENT);
	assert_int_equal(pp_dart_unmap(d, UINT64_MAX), PP_ERR_NOENT);
	assert_int_equal(pp_dart_unmap(NULL, a), PP_ERR_INVAL);
	assert_int_equal(pp_dart_unmap(d, a), PP_OK);
	assert_int_equal(pp_dart_unmap(d, a), PP_ERR_NOENT); /* twice */
	assert_int_equal(pp_dart_unmap(d, b), PP_OK);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.unmaps, 2);
	assert_int_equal(st.fail_noent, 7);
	assert_int_equal(st.live_entries, 0);
	assert_int_equal(st.live_bytes, 0);
	pp_dart_free(d);
}

/* ---- caps --------------------------------------------------------------------- */

static void test_cap_bytes_exact(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 64, 1000, 0, 0, 0);
	struct pp_dart_stats st;
	uint64_t bus[64], x;

	(void)state;
	for (int i = 0; i < 64; i++) {
		assert_int_equal(pp_dart_free_bytes(d), (64 - i) * PG);
		assert_int_equal(pp_dart_map(d, (uint64_t)i * PG, PG, PP_DART_RW, &bus[i]),
				 PP_OK);
	}
	assert_int_equal(pp_dart_free_bytes(d), 0);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_unmap(d, bus[10]), PP_OK);
	/* 16 KiB that straddles two pages costs two pages: does not fit. */
	assert_int_equal(pp_dart_map(d, 0x2000, PG, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0x2000, PG - 0x2000, PP_DART_RW, &x), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_NOSPC);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.fail_nospc, 3);
	assert_int_equal(st.live_bytes, 64 * PG);
	assert_int_equal(st.peak_bytes, 64 * PG);
	pp_dart_free(d);

	/* The default cap, reached exactly with 1 MiB maps (1536 of them). */
	d = mk(PP_DART_RANDOM, 0, 0, 0, 0, 3);
	for (uint64_t i = 0; i < PP_DART_DEFAULT_CAP_BYTES / (1 << 20); i++)
		assert_int_equal(pp_dart_map(d, i << 20, 1 << 20, PP_DART_RW, &x), PP_OK);
	assert_int_equal(pp_dart_free_bytes(d), 0);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_NOSPC);
	pp_dart_free(d);
}

static void test_cap_entries(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 0, 8, 0, 0, 0);
	struct pp_dart_stats st;
	uint64_t bus[8], x;

	(void)state;
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pp_dart_free_entries(d), 8 - i);
		assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &bus[i]), PP_OK);
	}
	assert_int_equal(pp_dart_free_entries(d), 0);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_TOOMANY);
	assert_int_equal(pp_dart_unmap(d, bus[3]), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_OK);
	assert_int_equal(x, bus[3]); /* first fit reuses the hole */
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_TOOMANY);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.fail_toomany, 2);
	assert_int_equal(st.fail_nospc, 0);
	pp_dart_free(d);
}

/* When the entry cap and the byte cap both refuse, TOOMANY is reported. */
static void test_both_caps_bind(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 4, 4, 0, 0, 0);
	struct pp_dart_stats st;
	uint64_t x;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &x), PP_OK);
	assert_int_equal(pp_dart_free_bytes(d), 0);
	assert_int_equal(pp_dart_free_entries(d), 0);
	assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &x), PP_ERR_TOOMANY);
	/* And an oversized request with the table full: still TOOMANY. */
	assert_int_equal(pp_dart_map(d, 0, 1ull << 30, PP_DART_RW, &x), PP_ERR_TOOMANY);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.fail_toomany, 2);
	assert_int_equal(st.fail_nospc, 0);
	pp_dart_free(d);

	/* Byte cap larger than the aperture: the aperture gives NOSPC. */
	d = mk(PP_DART_FIRST_FIT, 100, 0, 0, 10, 0);
	assert_int_equal(pp_dart_map(d, 0, 11 * PG, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0, 10 * PG, PP_DART_RW, &x), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_NOSPC);
	pp_dart_free(d);
}

/* ---- offsets and alignment ------------------------------------------------------ */

static void test_offset_preservation(void **state)
{
	static const uint64_t offs[] = { 0, 1, 0x7ff, 0x1000, 0x2345, PG - 1 };

	(void)state;
	for (size_t pi = 0; pi < PP_ARRAY_SIZE(placements); pi++) {
		struct pp_dart *d = mk(placements[pi], 0, 0, 0, 0, 9);

		for (size_t i = 0; i < PP_ARRAY_SIZE(offs); i++) {
			uint64_t host = 0x7f0000000000ull + i * 0x100000 + offs[i];
			uint64_t bus, h;

			assert_int_equal(pp_dart_map(d, host, 100, PP_DART_RW, &bus), PP_OK);
			assert_int_equal(bus & MASK, offs[i]);
			assert_int_equal(pp_dart_translate(d, bus, 1, PP_DART_READ, &h), PP_OK);
			assert_int_equal(h, host);
			assert_int_equal(pp_dart_translate(d, bus + 99, 1, PP_DART_READ, &h), PP_OK);
			assert_int_equal(h, host + 99);
		}
		{
			struct pp_dart_stats st;

			pp_dart_get_stats(d, &st);
			/* 100 bytes from offset PG - 1 touch two pages. */
			assert_int_equal(st.live_bytes, 7 * PG);
		}
		pp_dart_free(d);
	}
}

static void test_adversarial_alignment(void **state)
{
	static const uint64_t bases[] = { 0x100000, 0x104000, 0x4000 };

	(void)state;
	for (size_t bi = 0; bi < PP_ARRAY_SIZE(bases); bi++) {
		struct pp_dart *d = mk(PP_DART_ADVERSARIAL, 0, 0, bases[bi], 0, 0);
		uint64_t live[512];
		int n = 0;

		rnd_state = 5 + bi;
		for (int i = 0; i < 20000; i++) {
			uint64_t bus, host = rnd() & ~MASK, len = PG * (1 + rnd_below(8));

			if (n == 512 || (n && rnd_below(3) == 0)) {
				uint64_t j = rnd_below((uint64_t)n);

				assert_int_equal(pp_dart_unmap(d, live[j]), PP_OK);
				live[j] = live[--n];
				continue;
			}
			assert_int_equal(pp_dart_map(d, host, len, PP_DART_RW, &bus), PP_OK);
			assert_int_not_equal(bus % (2 * PG), 0); /* never 32 KiB aligned */
			assert_int_equal(bus % PG, 0);
			live[n++] = bus;
		}
		pp_dart_free(d);
	}
}

/* Hand-built runs: a k-page run usable iff it holds an odd-start k pages. */
static void test_adversarial_runs(void **state)
{
	/* Aperture = bus pages 1..8 (base page 1 is odd). */
	struct pp_dart *d = mk(PP_DART_ADVERSARIAL, 0, 0, PG, 8, 0);
	uint64_t a, b, c, e, x;

	(void)state;
	assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &a), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 2 * PG, PP_DART_RW, &b), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &c), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 2 * PG, PP_DART_RW, &e), PP_OK);
	assert_int_equal(a, 1 * PG);
	assert_int_equal(b, 3 * PG); /* pages 3,4 */
	assert_int_equal(c, 5 * PG);
	assert_int_equal(e, 7 * PG); /* pages 7,8 */
	/* Free: pages 2 and 6, even singles.  Bytes remain, nothing fits. */
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &x), PP_ERR_NOSPC);
	/* Free 1: run 1..2 starts odd, exactly 2 pages: a 2-page map fits. */
	assert_int_equal(pp_dart_unmap(d, a), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 2 * PG, PP_DART_RW, &a), PP_OK);
	assert_int_equal(a, 1 * PG);
	/* Free 3,4: run 2..4 starts even; 2 pages fit at 3, 3 pages do not. */
	assert_int_equal(pp_dart_unmap(d, b), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 3 * PG, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0, 2 * PG, PP_DART_RW, &b), PP_OK);
	assert_int_equal(b, 3 * PG);
	pp_dart_free(d);

	/* Same aperture shifted to even base page 2 (pages 2..9). */
	d = mk(PP_DART_ADVERSARIAL, 0, 0, 2 * PG, 8, 0);
	assert_int_equal(pp_dart_map(d, 0, 8 * PG, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0, 7 * PG, PP_DART_RW, &x), PP_OK);
	assert_int_equal(x, 3 * PG);
	pp_dart_free(d);
}

/* ---- random placement ------------------------------------------------------------ */

static void random_sequence(uint64_t seed, uint64_t *out, int n)
{
	struct pp_dart *d = mk(PP_DART_RANDOM, 0, 0, 0, 0, seed);

	for (int i = 0; i < n; i++) {
		assert_int_equal(pp_dart_map(d, (uint64_t)i << 20, PG * (1 + i % 5),
					     PP_DART_RW, &out[i]), PP_OK);
		if (i % 3 == 2) /* interleave unmaps so the state matters too */
			assert_int_equal(pp_dart_unmap(d, out[i - 1]), PP_OK);
	}
	pp_dart_free(d);
}

static void test_random_deterministic(void **state)
{
	uint64_t a[300], b[300], c[300];
	int same = 0, spread = 0;

	(void)state;
	random_sequence(1234, a, 300);
	random_sequence(1234, b, 300);
	random_sequence(1235, c, 300);
	assert_memory_equal(a, b, sizeof(a));
	for (int i = 0; i < 300; i++) {
		same += a[i] == c[i];
		spread += a[i] > PP_DART_DEFAULT_IOVA_BASE + PP_DART_DEFAULT_IOVA_SIZE / 2;
	}
	assert_true(same < 5);
	assert_true(spread > 100 && spread < 200); /* not first fit in disguise */
}

/* ---- stats ---------------------------------------------------------------------- */

static void test_stats(void **state)
{
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 100, 10, 0, 0, 0);
	struct pp_dart_stats st;
	uint64_t a, b, c, h;

	(void)state;
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.live_entries + st.peak_entries + st.maps + st.translations, 0);
	assert_int_equal(pp_dart_map(d, 0, 3 * PG, PP_DART_RW, &a), PP_OK);
	assert_int_equal(pp_dart_map(d, 1, 3 * PG, PP_DART_RW, &b), PP_OK); /* 4 pages */
	assert_int_equal(pp_dart_map(d, 0, 1, PP_DART_RW, &c), PP_OK);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.live_entries, 3);
	assert_int_equal(st.peak_entries, 3);
	assert_int_equal(st.live_bytes, 8 * PG);
	assert_int_equal(st.peak_bytes, 8 * PG);
	assert_int_equal(pp_dart_free_bytes(d), 92 * PG);
	assert_int_equal(pp_dart_free_entries(d), 7);
	assert_int_equal(pp_dart_unmap(d, b), PP_OK);
	assert_int_equal(pp_dart_unmap(d, a), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 2 * PG, PP_DART_READ, &a), PP_OK);
	assert_int_equal(pp_dart_translate(d, a, 1, PP_DART_READ, &h), PP_OK);
	assert_int_equal(pp_dart_translate(d, a, 1, PP_DART_WRITE, &h), PP_ERR_FAULT);
	assert_int_equal(pp_dart_map(d, 0, 200 * PG, PP_DART_RW, &b), PP_ERR_NOSPC);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.live_entries, 2);
	assert_int_equal(st.peak_entries, 3);
	assert_int_equal(st.live_bytes, 3 * PG);
	assert_int_equal(st.peak_bytes, 8 * PG);
	assert_int_equal(st.maps, 4);
	assert_int_equal(st.unmaps, 2);
	assert_int_equal(st.translations, 2);
	assert_int_equal(st.faults, 1);
	assert_int_equal(st.fail_nospc, 1);
	assert_int_equal(pp_dart_free_bytes(d), 97 * PG);
	assert_int_equal(pp_dart_free_entries(d), 8);
	pp_dart_free(d);
}

/* ---- fragmentation ------------------------------------------------------------- */

static void test_fragmentation(void **state)
{
	/* Aperture and cap both 256 pages: fill it, free a checkerboard. */
	struct pp_dart *d = mk(PP_DART_FIRST_FIT, 256, 1000, 0, 256, 0);
	uint64_t bus[256], x;
	struct pp_dart_stats st;

	(void)state;
	for (int i = 0; i < 256; i++)
		assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &bus[i]), PP_OK);
	for (int i = 0; i < 256; i += 2)
		assert_int_equal(pp_dart_unmap(d, bus[i]), PP_OK);
	assert_int_equal(pp_dart_free_bytes(d), 128 * PG);
	/* 2 pages: bytes and entries remain, no run is long enough. */
	assert_int_equal(pp_dart_map(d, 0, 2 * PG, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, PG - 1, 2, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0, PG, PP_DART_RW, &x), PP_OK);
	assert_int_equal(x, bus[0]);
	/* Free one more: pages 2..4 become a 3-page hole. */
	assert_int_equal(pp_dart_unmap(d, bus[3]), PP_OK);
	assert_int_equal(pp_dart_map(d, 0, 4 * PG, PP_DART_RW, &x), PP_ERR_NOSPC);
	assert_int_equal(pp_dart_map(d, 0, 3 * PG, PP_DART_RW, &x), PP_OK);
	assert_int_equal(x, bus[2]);
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.fail_nospc, 3);
	assert_int_equal(pp_dart_check_invariants(d), 0);
	pp_dart_free(d);
}

/* The invariant checker the stress tests lean on must itself bite. */
static void test_invariant_checker(void **state)
{
	struct pp_dart *d = mk(PP_DART_ADVERSARIAL, 0, 100, 0, 1000, 0);
	uint64_t bus[10], saved;
	struct seg node;
	uint32_t u32;

	(void)state;
	for (int i = 0; i < 10; i++)
		assert_int_equal(pp_dart_map(d, 0, (uint64_t)(i + 1) * PG, PP_DART_RW, &bus[i]),
				 PP_OK);
	assert_int_equal(pp_dart_unmap(d, bus[4]), PP_OK);
	assert_int_equal(pp_dart_check_invariants(d), 0);

	/* A summary that only slows searches down (odd-run length too high). */
	node = d->tree[1];
	d->tree[1].bodd++;
	assert_int_not_equal(pp_dart_check_invariants(d), 0);
	d->tree[1] = node;
	/* A page freed in the bitmap behind the tree's back. */
	saved = d->freebits[0];
	d->freebits[0] |= 1ull << (bus[0] >> PP_DART_PAGE_SHIFT & 63);
	assert_int_not_equal(pp_dart_check_invariants(d), 0);
	d->freebits[0] = saved;
	/* Start index pointing at the wrong slot. */
	u32 = d->start_owner[(bus[1] - d->cfg.iova_base) >> PP_DART_PAGE_SHIFT];
	d->start_owner[(bus[1] - d->cfg.iova_base) >> PP_DART_PAGE_SHIFT] = u32 ^ 1;
	assert_int_not_equal(pp_dart_check_invariants(d), 0);
	d->start_owner[(bus[1] - d->cfg.iova_base) >> PP_DART_PAGE_SHIFT] = u32;
	/* Counters. */
	d->live_pages++;
	assert_int_not_equal(pp_dart_check_invariants(d), 0);
	d->live_pages--;
	assert_int_equal(pp_dart_check_invariants(d), 0);
	pp_dart_free(d);
}

/* ---- randomized against the shadow ----------------------------------------------- */

struct stress {
	enum pp_dart_placement pl;
	uint64_t cap_pages;
	uint32_t entries;
	uint64_t base, npages; /* 0: defaults */
	uint64_t max_len;      /* longest map request */
	int ops, check_every;  /* operations; invariant check period */
	bool tight;            /* aperture, not caps, is what runs out */
};

/*
 * Mixed map / unmap / translate / lookup against the shadow.  Every result
 * is predicted: errors by the caps and the shadow's free runs, the address
 * by the documented placement rule (brute force over the shadow), and
 * translations by the page owners.  The model's own invariant checker runs
 * every check_every operations.
 */
static void run_stress(const struct stress *t)
{
	struct pp_dart *d = mk(t->pl, t->cap_pages, t->entries, t->base, t->npages,
			       99 + t->pl);
	struct shadow s;
	struct pp_dart_stats st;
	uint64_t maps = 0, unmaps = 0, trans = 0, faults = 0, nospc = 0, toomany = 0;
	uint64_t inval = 0, noent = 0, ap_nospc = 0;

	rnd_state = 0xabc0 + t->pl + t->npages + t->base;
	sh_init(&s, d);
	for (int op = 0; op < t->ops; op++) {
		uint64_t r = rnd_below(100), bus, h, h2;
		/* Drift towards full and back so the limits bind now and then. */
		bool fill = (op / 8192) % 2 == 0;

		if (r < (fill ? 45u : 25u)) {
			uint64_t host = rnd() & 0xffffffffffffull;
			uint64_t len = 1 + rnd_below(rnd_below(8) ? t->max_len / 16 : t->max_len);
			uint32_t prot = (uint32_t)(1 + rnd_below(3));
			uint64_t np = pages_touched(host, len);
			int want, got;
			int64_t fit = -2;

			if (rnd_below(200) == 0)
				prot = 0; /* malformed now and then */
			if (prot == 0) {
				want = PP_ERR_INVAL;
			} else if (s.nlive == s.max) {
				want = PP_ERR_TOOMANY;
			} else if (np > s.cap_pages - s.live_pages) {
				want = PP_ERR_NOSPC;
			} else {
				fit = sh_place(&s, t->pl, np);
				want = fit < 0 ? PP_ERR_NOSPC : PP_OK;
			}
			got = pp_dart_map(d, host, len, prot, &bus);
			assert_int_equal(got, want);
			switch (got) {
			case PP_OK:
				assert_in_aperture(d, bus, host, len);
				assert_int_equal(sh_page(&s, bus), (uint64_t)fit);
				sh_add(&s, host, len, prot, bus);
				maps++;
				break;
			case PP_ERR_NOSPC:
				nospc++;
				ap_nospc += fit == -1;
				break;
			case PP_ERR_TOOMANY:
				toomany++;
				break;
			default:
				inval++;
			}
		} else if (r < 75) {
			if (s.nlive == 0 || rnd_below(50) == 0) {
				/* A value the model never returned (or no longer). */
				bus = s.base + rnd_below(s.npages * PG);
				if (s.owner[sh_page(&s, bus)] >= 0 &&
				    s.m[s.owner[sh_page(&s, bus)]].bus == bus)
					continue;
				assert_int_equal(pp_dart_unmap(d, bus), PP_ERR_NOENT);
				noent++;
			} else {
				uint32_t id = s.live[rnd_below(s.nlive)];

				assert_int_equal(pp_dart_unmap(d, s.m[id].bus), PP_OK);
				sh_remove(&s, id);
				unmaps++;
			}
		} else {
			uint64_t len = 1 + rnd_below(rnd_below(2) ? 64 : 3 * PG);
			uint32_t acc = (uint32_t)(1 + rnd_below(3));
			uint64_t lh, avail;
			uint32_t lp;
			int want, got;

			if (s.nlive && rnd_below(4)) {
				/* Near a live mapping: inside, or running off an end. */
				const struct sh_map *m = &s.m[s.live[rnd_below(s.nlive)]];

				bus = (m->bus & ~MASK) + rnd_below(m->np * PG + 64) - 32;
			} else {
				bus = s.base + rnd_below(s.npages * PG + 2 * PG) - PG;
			}
			h = h2 = 0;
			want = sh_translate(&s, bus, len, acc, &h2);
			got = pp_dart_translate(d, bus, len, acc, &h);
			assert_int_equal(got, want);
			trans++;
			if (got == PP_OK)
				assert_int_equal(h, h2);
			else
				faults++;

			/* lookup: any mapped byte, whatever the permissions */
			if (bus >= s.base && bus < s.base + s.npages * PG &&
			    s.owner[sh_page(&s, bus)] >= 0) {
				const struct sh_map *m = &s.m[s.owner[sh_page(&s, bus)]];

				assert_int_equal(pp_dart_lookup(d, bus, &lh, &avail, &lp), PP_OK);
				assert_int_equal(lh, (m->host & ~MASK) + bus - (m->bus & ~MASK));
				assert_int_equal(avail, (m->bus & ~MASK) + m->np * PG - bus);
				assert_int_equal(lp, m->prot);
			} else {
				assert_int_equal(pp_dart_lookup(d, bus, &lh, &avail, &lp),
						 PP_ERR_FAULT);
			}
		}
		if (op % t->check_every == 0 || op == t->ops - 1) {
			assert_int_equal(pp_dart_check_invariants(d), 0);
			pp_dart_get_stats(d, &st);
			assert_int_equal(st.live_entries, s.nlive);
			assert_int_equal(st.live_bytes, s.live_pages * PG);
			assert_int_equal(pp_dart_free_entries(d), s.max - s.nlive);
			assert_int_equal(pp_dart_free_bytes(d), (s.cap_pages - s.live_pages) * PG);
		}
	}
	pp_dart_get_stats(d, &st);
	assert_int_equal(st.maps, maps);
	assert_int_equal(st.unmaps, unmaps);
	assert_int_equal(st.translations, trans);
	assert_int_equal(st.faults, faults);
	assert_int_equal(st.fail_nospc, nospc);
	assert_int_equal(st.fail_toomany, toomany);
	assert_int_equal(st.fail_inval, inval);
	assert_int_equal(st.fail_noent, noent);
	assert_true(st.peak_entries >= s.nlive && st.peak_entries <= s.max);
	/* The run must actually have exercised the interesting paths. */
	assert_true(maps > (uint64_t)t->ops / 10);
	assert_true(faults > 0 && trans - faults > trans / 10);
	if (t->tight)
		assert_true(ap_nospc > 0);
	else
		assert_true(nospc > 0 && toomany > 0);
	sh_fini(&s);
	pp_dart_free(d);
}

/* Default aperture, caps small enough to bind both ways: 200k ops. */
static void stress_default(enum pp_dart_placement pl)
{
	const struct stress t = {
		.pl = pl, .cap_pages = 4096, .entries = 600, .max_len = 1 << 20,
		.ops = 200000, .check_every = 8192,
	};

	run_stress(&t);
}

static void test_stress_first_fit(void **state)
{
	(void)state;
	stress_default(PP_DART_FIRST_FIT);
}

static void test_stress_random(void **state)
{
	(void)state;
	stress_default(PP_DART_RANDOM);
}

static void test_stress_adversarial(void **state)
{
	(void)state;
	stress_default(PP_DART_ADVERSARIAL);
}

/* Small, ragged apertures (odd and even base page) where room runs out
 * before the caps: fragmentation, crossing runs, maps of hundreds of pages. */
static void test_tight_apertures(void **state)
{
	(void)state;
	for (size_t pi = 0; pi < PP_ARRAY_SIZE(placements); pi++) {
		const struct stress t[] = {
			{ placements[pi], 400, 300, 0, 331, 12 * PG, 100000, 256, true },
			{ placements[pi], 4000, 3000, 0x104000, 3001, 40 * PG, 50000, 512, true },
			{ placements[pi], 6000, 200, 0x4000, 5000, 600 * PG, 30000, 512, true },
		};

		for (size_t i = 0; i < PP_ARRAY_SIZE(t); i++)
			run_stress(&t[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_default),
		cmocka_unit_test(test_config_validation),
		cmocka_unit_test(test_map_errors),
		cmocka_unit_test(test_no_overlap_first_fit),
		cmocka_unit_test(test_no_overlap_random),
		cmocka_unit_test(test_no_overlap_adversarial),
		cmocka_unit_test(test_translate_every_byte),
		cmocka_unit_test(test_translate_edges),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_unmap_exact),
		cmocka_unit_test(test_cap_bytes_exact),
		cmocka_unit_test(test_cap_entries),
		cmocka_unit_test(test_both_caps_bind),
		cmocka_unit_test(test_offset_preservation),
		cmocka_unit_test(test_adversarial_alignment),
		cmocka_unit_test(test_adversarial_runs),
		cmocka_unit_test(test_random_deterministic),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_fragmentation),
		cmocka_unit_test(test_invariant_checker),
		cmocka_unit_test(test_stress_first_fit),
		cmocka_unit_test(test_stress_random),
		cmocka_unit_test(test_stress_adversarial),
		cmocka_unit_test(test_tight_apertures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
