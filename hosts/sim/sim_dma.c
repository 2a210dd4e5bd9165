// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DMA of the simulated slot.  Both functions sit behind one DART (as on
 * Thunderbolt), so the caps are shared and a function's device could reach
 * the other function's mappings; each claim still owns, and may unmap, only
 * what it mapped (a set of bus addresses per function, like the dext's
 * per-client registrations).
 *
 * Device-side DMA translates every access through the DART under the DMA
 * lock and copies with that lock held: an unmap that returns has waited for
 * any copy into the memory, so the device can no longer reach it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim_internal.h"

/* ---- the set of bus addresses a claim owns ---------------------------------- */

static size_t bs_home(uint64_t k, size_t cap)
{
	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static int bs_grow(struct sim_busset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 64;
	uint64_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return PP_ERR_NOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->slot[i])
			continue;
		for (j = bs_home(s->slot[i], ncap); ns[j]; j = (j + 1) & (ncap - 1))
			;
		ns[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = ns;
	s->cap = ncap;
	return PP_OK;
}

static int bs_add(struct sim_busset *s, uint64_t k)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap && bs_grow(s))
		return PP_ERR_NOMEM;
	for (i = bs_home(k, s->cap); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return PP_OK;
	s->slot[i] = k;
	s->n++;
	return PP_OK;
}

/* Linear probing with backward-shift deletion: no tombstones to age. */
static bool bs_del(struct sim_busset *s, uint64_t k)
{
	size_t mask = s->cap - 1, i, j;

	if (!s->cap || !k)
		return false;
	for (i = bs_home(k, s->cap); s->slot[i] != k; i = (i + 1) & mask)
		if (!s->slot[i])
			return false;
	for (j = i;;) {
		size_t h;

		j = (j + 1) & mask;
		if (!s->slot[j])
			break;
		h = bs_home(s->slot[j], s->cap);
		/* Move slot j into the hole unless its home lies in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i] = 0;
	s->n--;
	return true;
}

static void bs_free(struct sim_busset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

/* ---- the slot's DART ------------------------------------------------------------- */

int sim_dma_init(struct sim_slot *s)
{
	struct pp_dart_config c;

	pp_dart_config_default(&c);
	c.cap_bytes = s->opts.cap;
	c.max_entries = s->opts.entries;
	c.placement = s->opts.placement;
	c.seed = s->opts.seed;
	s->split = s->opts.split;
	s->dart = pp_dart_new(&c);
	if (!s->dart)
		return PP_ERR_INVAL;
	if (pthread_mutex_init(&s->dma_lock, NULL)) {
		pp_dart_free(s->dart);
		s->dart = NULL;
		return PP_ERR_NOMEM;
	}
	return PP_OK;
}

void sim_dma_fini(struct sim_slot *s)
{
	if (!s->dart)
		return;
	pp_dart_free(s->dart);
	s->dart = NULL;
	pthread_mutex_destroy(&s->dma_lock);
}

/*
 * Whether [addr, addr + len) is mapped in this process, as PrepareForDMA
 * on a Mac refuses memory the client does not have.  Linux: mincore() fails
 * with ENOMEM on any unmapped page.  Elsewhere: not checked.
 */
static bool vmm_memory(uint64_t addr, uint64_t len)
{
#ifdef __linux__
	unsigned char vec[4096];
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t a = addr & ~(pg - 1);
	uint64_t end = addr + len;

	while (a < end) {
		uint64_t chunk = end - a;

		if (chunk > sizeof(vec) * pg)
			chunk = sizeof(vec) * pg;
		if (mincore((void *)(uintptr_t)a, chunk, vec))
			return false;
		a += chunk;
	}
#else
	(void)addr;
	(void)len;
#endif
	return true;
}

static int map_one(struct sim_fn *fn, const struct pp_dma_req *r,
		   uint64_t *bus)
{
	struct sim_slot *s = fn->slot;
	uint32_t prot = 0;
	int st;

	if (r->len == 0 || r->addr == 0 || r->prot == 0 ||
	    (r->prot & ~(uint32_t)PP_MAP_RW))
		return PP_ERR_INVAL;
	if (r->addr + r->len <= r->addr)
		return PP_ERR_INVAL;
	if (s->split && r->len > s->split)
		return PP_ERR_SPLIT;
	if (!vmm_memory(r->addr, r->len))
		return PP_ERR_RANGE;     /* as the dext: not the client's memory */
	if (r->prot & PP_MAP_READ)
		prot |= PP_DART_READ;
	if (r->prot & PP_MAP_WRITE)
		prot |= PP_DART_WRITE;
	st = pp_dart_map(s->dart, r->addr, r->len, prot, bus);
	if (st == PP_ERR_OVERFLOW)
		return PP_ERR_INVAL;
	if (st != PP_OK)
		return st;
	if (bs_add(&fn->owned, *bus)) {
		pp_dart_unmap(s->dart, *bus);
		return PP_ERR_NOMEM;
	}
	return PP_OK;
}

int sim_dma_map(struct sim_fn *fn, struct pp_dma_req *reqs, unsigned int n)
{
	struct sim_slot *s = fn->slot;

	if (n && !reqs)
		return PP_ERR_INVAL;
	if (n > SIM_MAX_BATCH)
		return PP_ERR_COUNT;
	pthread_mutex_lock(&s->dma_lock);
	if (atomic_load(&s->gone)) {
		pthread_mutex_unlock(&s->dma_lock);
		return PP_ERR_HOST;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t bus = 0;

		reqs[i].status = map_one(fn, &reqs[i], &bus);
		reqs[i].bus = reqs[i].status == PP_OK ? bus : 0;
	}
	pthread_mutex_unlock(&s->dma_lock);
	return PP_OK;
}

int sim_dma_unmap(struct sim_fn *fn, const uint64_t *bus, int32_t *status,
		  unsigned int n)
{
	struct sim_slot *s = fn->slot;

	if (n && (!bus || !status))
		return PP_ERR_INVAL;
	if (n > SIM_MAX_BATCH)
		return PP_ERR_COUNT;
	pthread_mutex_lock(&s->dma_lock);
	if (atomic_load(&s->gone)) {
		pthread_mutex_unlock(&s->dma_lock);
		return PP_ERR_HOST;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (bs_del(&fn->owned, bus[i]))
			status[i] = pp_dart_unmap(s->dart, bus[i]);
		else
			status[i] = PP_ERR_NOENT;
	}
	pthread_mutex_unlock(&s->dma_lock);
	return PP_OK;
}

int sim_dma_usage(struct sim_fn *fn, struct pp_host_dma_usage *u)
{
	struct sim_slot *s = fn->slot;
	struct pp_dart_stats st;

	if (!u)
		return PP_ERR_INVAL;
	pthread_mutex_lock(&s->dma_lock);
	if (atomic_load(&s->gone)) {
		pthread_mutex_unlock(&s->dma_lock);
		return PP_ERR_HOST;
	}
	pp_dart_get_stats(s->dart, &st);
	u->live_bytes = st.live_bytes;
	u->live_entries = st.live_entries;
	u->cap_bytes = st.live_bytes + pp_dart_free_bytes(s->dart);
	u->max_entries = pp_dart_config(s->dart)->max_entries;
	u->faults = st.faults;
	pthread_mutex_unlock(&s->dma_lock);
	return PP_OK;
}

void sim_dma_release(struct sim_fn *fn)
{
	struct sim_slot *s = fn->slot;

	pthread_mutex_lock(&s->dma_lock);
	for (size_t i = 0; i < fn->owned.cap; i++)
		if (fn->owned.slot[i])
			pp_dart_unmap(s->dart, fn->owned.slot[i]);
	bs_free(&fn->owned);
	pthread_mutex_unlock(&s->dma_lock);
}

/* ---- device-side DMA -------------------------------------------------------------- */

/*
 * The longest prefix of [bus, bus + len) that one mapping covers with the
 * access.  A real device's DMA may run on into a mapping that happens to
 * follow in bus space, so transfers are split at mapping ends rather than
 * refused (the model's translate would refuse them).  Faults are counted
 * by the DART (pp_dart_translate).
 */
static int span(struct sim_slot *s, uint64_t bus, uint64_t len,
		uint32_t access, uint8_t **host, uint64_t *n)
{
	uint64_t h, avail;
	uint32_t prot;

	if (pp_dart_lookup(s->dart, bus, NULL, &avail, &prot) != PP_OK ||
	    !(prot & access)) {
		pp_dart_translate(s->dart, bus, 1, access, &h);
		return PP_ERR_FAULT;
	}
	*n = len < avail ? len : avail;
	if (pp_dart_translate(s->dart, bus, *n, access, &h) != PP_OK)
		return PP_ERR_FAULT;
	*host = (uint8_t *)(uintptr_t)h;
	return PP_OK;
}

/* What a DMA walk does with each run of host memory it reaches: h[0..n),
 * at offset off into the transfer. */
typedef void (*dma_run_fn)(uint8_t *h, uint64_t off, uint64_t n, void *ctx);

/* Device access of guest memory: hands each page run of [bus, bus + len)
 * to fn in order, under the DMA lock, stopping at the first byte the DART
 * refuses (*fault). */
static int dma_walk(struct sim_slot *s, uint64_t bus, uint64_t len,
		    uint32_t access, dma_run_fn fn, void *ctx, uint64_t *fault)
{
	uint64_t done = 0;
	int st = PP_OK;

	pthread_mutex_lock(&s->dma_lock);
	while (done < len) {
		uint8_t *h;
		uint64_t n;

		if (span(s, bus + done, len - done, access, &h, &n)) {
			*fault = bus + done;
			st = PP_ERR_FAULT;
			break;
		}
		fn(h, done, n, ctx);
		done += n;
	}
	pthread_mutex_unlock(&s->dma_lock);
	return st;
}

static void read_run(uint8_t *h, uint64_t off, uint64_t n, void *dst)
{
	memcpy((uint8_t *)dst + off, h, n);
}

static void write_run(uint8_t *h, uint64_t off, uint64_t n, void *src)
{
	memcpy(h, (const uint8_t *)src + off, n);
}

int sim_dma_read(struct sim_slot *s, uint64_t bus, void *dst, uint64_t len,
		 uint64_t *fault)
{
	return dma_walk(s, bus, len, PP_DART_READ, read_run, dst, fault);
}

int sim_dma_write(struct sim_slot *s, uint64_t bus, const void *src,
		  uint64_t len, uint64_t *fault)
{
	/* write_run only reads from src */
	return dma_walk(s, bus, len, PP_DART_WRITE, write_run,
			(void *)(uintptr_t)src, fault);
}

int sim_dma_copy(struct sim_slot *s, uint64_t src, uint64_t dst, uint64_t len,
		 uint64_t *fault, bool *fault_write)
{
	uint64_t done = 0;
	int st = PP_OK;

	pthread_mutex_lock(&s->dma_lock);
	while (done < len) {
		uint8_t *hs, *hd;
		uint64_t ns, nd;

		if (span(s, src + done, len - done, PP_DART_READ, &hs, &ns)) {
			*fault = src + done;
			*fault_write = false;
			st = PP_ERR_FAULT;
			break;
		}
		if (span(s, dst + done, ns, PP_DART_WRITE, &hd, &nd)) {
			*fault = dst + done;
			*fault_write = true;
			st = PP_ERR_FAULT;
			break;
		}
		memmove(hd, hs, nd);
		done += nd;
	}
	pthread_mutex_unlock(&s->dma_lock);
	return st;
}

struct fill_ctx {
	uint32_t pattern;
	uint64_t pat_off;
};

static void fill_run(uint8_t *h, uint64_t off, uint64_t n, void *ctx)
{
	const struct fill_ctx *f = ctx;

	for (uint64_t i = 0; i < n; i++)
		h[i] = (uint8_t)(f->pattern >> (8 * ((f->pat_off + off + i) & 3)));
}

int sim_dma_fill(struct sim_slot *s, uint64_t bus, uint32_t pattern,
		 uint64_t pat_off, uint64_t len, uint64_t *fault)
{
	struct fill_ctx f = { .pattern = pattern, .pat_off = pat_off };

	return dma_walk(s, bus, len, PP_DART_WRITE, fill_run, &f, fault);
}
