// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DMA registrations of the owning client (contract: dext_core.h,
 * DMA_MAP/DMA_UNMAP in dext_abi.h, docs/mac-dext.md "DMA").
 *
 * A registration is one IODMACommand preparation of one client range that
 * the DART gave as ONE contiguous bus range.  Two indexes, both bounded:
 *   - the generation-tagged handle table (core/src/handles.c): O(1), a
 *     stale handle is refused instead of aliasing a newer registration;
 *   - an AVL tree by bus address (core/src/avl.c): O(log n) unmap by bus,
 *     and the overlap check that catches a platform handing out an address
 *     range that is already live.
 * No flat slot arrays: a claim costs PP_DEXT_HANDLE_SLOT_BYTES per
 * possible registration plus one struct pp_dext_reg per live one.
 *
 * Called with the device lock held.
 */
#include <string.h>

#include "dext_internal.h"

uint64_t pp_dext_acct_bytes(uint64_t addr, uint64_t len)
{
	/* len <= max_map_len <= 2^40 (config), so this cannot overflow. */
	uint64_t off = addr & (PP_DEXT_PAGE_SIZE - 1);

	return (off + len + PP_DEXT_PAGE_SIZE - 1) &
	       ~(uint64_t)(PP_DEXT_PAGE_SIZE - 1);
}

int pp_dext_dma_init(struct pp_dext_client *c)
{
	struct pp_dext_dma *dma = pp_dext_alloc(c, sizeof(*dma));

	if (!dma)
		return PP_ERR_NOMEM;
	dma->handles = pp_handles_new(c->dev->cfg.max_entries);
	if (!dma->handles) {
		pp_dext_free(c, dma, sizeof(*dma));
		return PP_ERR_NOMEM;
	}
	c->mem += (size_t)c->dev->cfg.max_entries * PP_DEXT_HANDLE_SLOT_BYTES;
	c->dma = dma;
	return PP_OK;
}

static int complete_token(struct pp_dext_client *c, void *token)
{
	int st = c->dev->pf->dma_complete(c->ctx, token);

	if (st != PP_OK) {
		c->dev->stats.dma_complete_failures++;
		pp_dext_anomaly(c->dev, "CompleteDMA failed: %s",
				pp_status_name(st));
	}
	return st;
}

static void drop_reg(struct pp_dext_client *c, struct pp_dext_reg *r)
{
	struct pp_dext_dma *dma = c->dma;

	dma->live_entries--;
	dma->live_bytes -= r->acct;
	pp_dext_free(c, r, sizeof(*r));
}

void pp_dext_dma_fini(struct pp_dext_client *c)
{
	struct pp_dext_dma *dma = c->dma;
	struct pp_avl_node *n;

	if (!dma)
		return;
	while ((n = pp_avl_first(&dma->by_bus))) {
		struct pp_dext_reg *r =
			pp_container_of(n, struct pp_dext_reg, node);

		pp_avl_remove(&dma->by_bus, n->key);
		pp_handles_release(dma->handles, r->handle);
		complete_token(c, r->token);
		drop_reg(c, r);
	}
	pp_handles_free(dma->handles);
	c->mem -= (size_t)c->dev->cfg.max_entries * PP_DEXT_HANDLE_SLOT_BYTES;
	pp_dext_free(c, dma, sizeof(*dma));
	c->dma = NULL;
}

/*
 * Checks what the platform's preparation returned.  PP_OK with *contig =
 * the bytes the DART mapped contiguously from segs[0].addr (adjacent
 * segments merged); PP_ERR_HOST when the answer is impossible (no
 * segments, empty or wrapping ones, more bytes than asked, direction not
 * granted).
 */
static int check_prep(struct pp_dext_dev *d, uint64_t want, uint32_t prot,
		      const struct pp_dext_seg *segs, unsigned int nseg,
		      uint32_t granted, uint64_t *contig)
{
	uint64_t total = 0, run;
	bool adjacent = true;

	if (nseg == 0 || nseg > PP_DEXT_MAX_SEGMENTS) {
		pp_dext_anomaly(d, "PrepareForDMA gave %u segments", nseg);
		return PP_ERR_HOST;
	}
	if ((granted & prot) != prot) {
		pp_dext_anomaly(d, "PrepareForDMA granted prot %#x of %#x",
				granted, prot);
		return PP_ERR_HOST;
	}
	run = 0;
	for (unsigned int i = 0; i < nseg; i++) {
		if (!segs[i].len || segs[i].len > UINT64_MAX - segs[i].addr ||
		    segs[i].len > want - total) {
			pp_dext_anomaly(d, "bad segment %u: %#llx+%#llx", i,
					(unsigned long long)segs[i].addr,
					(unsigned long long)segs[i].len);
			return PP_ERR_HOST;
		}
		total += segs[i].len;
		if (i && segs[i - 1].addr + segs[i - 1].len != segs[i].addr)
			adjacent = false;
		if (adjacent)
			run += segs[i].len;
	}
	*contig = run;
	return PP_OK;
}

/* Whether [bus, bus + len) overlaps a live registration. */
static bool overlaps(const struct pp_dext_dma *dma, uint64_t bus,
		     uint64_t len)
{
	struct pp_avl_node *n = pp_avl_floor(&dma->by_bus, bus + len - 1);

	if (!n)
		return false;
	return n->key + pp_container_of(n, struct pp_dext_reg, node)->len > bus;
}

/* One preparation of [addr, addr + want); PP_OK with the token when the
 * DART gave it as one contiguous range, else everything undone and the
 * status (SPLIT with *hint = the contiguous prefix). */
static int prepare_one(struct pp_dext_client *c, uint64_t addr,
		       uint64_t want, uint32_t prot, void **token,
		       uint64_t *bus, unsigned int *nseg, uint64_t *hint)
{
	struct pp_dext_dev *d = c->dev;
	struct pp_dext_seg segs[PP_DEXT_MAX_SEGMENTS];
	uint32_t granted = 0;
	uint64_t contig = 0;
	void *tok = NULL;
	int st;

	*nseg = 0;
	*hint = 0;
	memset(segs, 0, sizeof(segs));
	st = d->pf->dma_prepare(c->ctx, addr, want, prot, &tok, segs, nseg,
				&granted);
	if (st != PP_OK) {
		switch (st) {
		case PP_ERR_RANGE: case PP_ERR_NOMEM: case PP_ERR_NOSPC:
		case PP_ERR_TOOMANY: case PP_ERR_HOST:
			return st;
		default:
			pp_dext_anomaly(d, "dma_prepare said %s",
					pp_status_name(st));
			return PP_ERR_HOST;
		}
	}
	if (!tok) {
		d->stats.platform_anomalies++;
		pp_dext_anomaly(d, "dma_prepare gave no token");
		return PP_ERR_HOST;
	}
	st = check_prep(d, want, prot, segs, *nseg, granted, &contig);
	if (st != PP_OK) {
		d->stats.platform_anomalies++;
		complete_token(c, tok);
		return st;
	}
	if (contig != want) {
		/* Several bus ranges, or a short preparation (the range needed
		 * more than 32 segments): the rest of the range is mapped
		 * somewhere we were not told, so none of it is kept. */
		c->dma->splits++;
		complete_token(c, tok);
		*hint = contig;
		return PP_ERR_SPLIT;
	}
	if (segs[0].addr + want - 1 < segs[0].addr ||
	    overlaps(c->dma, segs[0].addr, want)) {
		d->stats.platform_anomalies++;
		pp_dext_anomaly(d, "bus range %#llx+%#llx overlaps a live one",
				(unsigned long long)segs[0].addr,
				(unsigned long long)want);
		complete_token(c, tok);
		return PP_ERR_HOST;
	}
	*token = tok;
	*bus = segs[0].addr;
	return PP_OK;
}

static int map_one(struct pp_dext_client *c, const struct pp_dext_map_in *in,
		   struct pp_dext_map_out *out)
{
	struct pp_dext_dev *d = c->dev;
	struct pp_dext_dma *dma = c->dma;
	bool partial = in->flags & PP_DEXT_MAP_F_PARTIAL;
	uint64_t want = in->len, bus = 0, hint = 0, acct;
	unsigned int nseg = 0;
	struct pp_dext_reg *r;
	void *tok = NULL;
	uint32_t h;
	int st;

	if (in->reserved || (in->flags & ~(uint32_t)PP_DEXT_MAP_F_KNOWN))
		return PP_ERR_RESERVED;
	if (!in->addr || !in->len || !in->prot ||
	    (in->prot & ~(uint32_t)PP_DEXT_PROT_RW))
		return PP_ERR_INVAL;
	if (in->len > UINT64_MAX - in->addr)
		return PP_ERR_OVERFLOW;
	if (want > d->cfg.max_map_len) {
		if (!partial) {
			out->len = d->cfg.max_map_len;
			return PP_ERR_SPLIT;
		}
		want = d->cfg.max_map_len;
	}
	if (dma->live_entries >= d->cfg.max_entries)
		return PP_ERR_TOOMANY;
	acct = pp_dext_acct_bytes(in->addr, want);
	if (acct > d->cfg.cap_bytes - dma->live_bytes)
		return PP_ERR_NOSPC;

	st = prepare_one(c, in->addr, want, in->prot, &tok, &bus, &nseg,
			 &hint);
	if (st == PP_ERR_SPLIT && partial && hint && hint < want) {
		/* A window: the contiguous prefix alone, prepared again. */
		uint64_t hint2;

		want = hint;
		st = prepare_one(c, in->addr, want, in->prot, &tok, &bus,
				 &nseg, &hint2);
		if (st == PP_ERR_SPLIT)
			hint = hint2;
	}
	if (st != PP_OK) {
		out->nseg = nseg;
		if (st == PP_ERR_SPLIT)
			out->len = hint;
		return st;
	}

	r = pp_dext_alloc(c, sizeof(*r));
	h = r ? pp_handles_alloc(dma->handles, r) : 0;
	if (!h) {
		if (r)
			pp_dext_free(c, r, sizeof(*r));
		complete_token(c, tok);
		return PP_ERR_NOMEM;
	}
	r->node.key = bus;
	r->addr = in->addr;
	r->len = want;
	r->acct = pp_dext_acct_bytes(in->addr, want);
	r->token = tok;
	r->handle = h;
	r->prot = in->prot;
	pp_avl_insert(&dma->by_bus, &r->node);
	dma->live_entries++;
	dma->live_bytes += r->acct;
	if (dma->live_entries > dma->peak_entries)
		dma->peak_entries = dma->live_entries;
	if (dma->live_bytes > dma->peak_bytes)
		dma->peak_bytes = dma->live_bytes;

	out->handle = h;
	out->bus = bus;
	out->len = want;
	out->nseg = nseg;
	return PP_OK;
}

void pp_dext_dma_map(struct pp_dext_client *c,
		     const struct pp_dext_map_in *in,
		     struct pp_dext_map_out *out, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct pp_dext_map_in e;
		struct pp_dext_map_out o;

		/* The input may be unaligned (an OSData's bytes): copy. */
		memcpy(&e, (const char *)in + (size_t)i * sizeof(e), sizeof(e));
		memset(&o, 0, sizeof(o));
		o.status = map_one(c, &e, &o);
		if (o.status == PP_OK)
			c->dma->maps++;
		else
			c->dma->map_failures++;
		memcpy((char *)out + (size_t)i * sizeof(o), &o, sizeof(o));
	}
}

static int unmap_one(struct pp_dext_client *c,
		     const struct pp_dext_unmap_in *in)
{
	struct pp_dext_dma *dma = c->dma;
	struct pp_avl_node *n;
	struct pp_dext_reg *r;
	int st;

	if (in->reserved)
		return PP_ERR_RESERVED;
	n = pp_avl_floor(&dma->by_bus, in->bus);
	if (!n || n->key != in->bus)
		return PP_ERR_NOENT;
	r = pp_container_of(n, struct pp_dext_reg, node);
	if (in->handle && in->handle != r->handle)
		return PP_ERR_NOENT;
	pp_avl_remove(&dma->by_bus, r->node.key);
	pp_handles_release(dma->handles, r->handle);
	st = complete_token(c, r->token);
	drop_reg(c, r);
	/* Released whatever CompleteDMA said: the client must not retry. */
	return st == PP_OK ? PP_OK : PP_ERR_HOST;
}

void pp_dext_dma_unmap(struct pp_dext_client *c,
		       const struct pp_dext_unmap_in *in, int32_t *status,
		       uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct pp_dext_unmap_in e;
		int32_t st;

		memcpy(&e, (const char *)in + (size_t)i * sizeof(e), sizeof(e));
		st = unmap_one(c, &e);
		if (st == PP_OK)
			c->dma->unmaps++;
		else
			c->dma->unmap_failures++;
		memcpy((char *)status + (size_t)i * sizeof(st), &st,
		       sizeof(st));
	}
}

void pp_dext_dma_usage(struct pp_dext_client *c, struct pp_dext_dma_usage *u)
{
	struct pp_dext_dma *dma = c->dma;
	struct pp_dext_dev *d = c->dev;

	memset(u, 0, sizeof(*u));
	u->cap_bytes = d->cfg.cap_bytes;
	u->max_entries = d->cfg.max_entries;
	u->max_map_len = d->cfg.max_map_len;
	if (!dma)
		return;
	u->live_bytes = dma->live_bytes;
	u->live_entries = dma->live_entries;
	u->peak_bytes = dma->peak_bytes;
	u->peak_entries = dma->peak_entries;
	u->maps = dma->maps;
	u->map_failures = dma->map_failures;
	u->unmaps = dma->unmaps;
	u->unmap_failures = dma->unmap_failures;
	u->splits = dma->splits;
}
