// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DMA window policy: see pcipass/dmawin.h for the contract and
 * docs/architecture.md for the reasoning.  In short:
 *
 *  - A guest request (gpa, len) is served by a host mapping that covers it:
 *    an aligned window of 2^level bytes shared by refcount, or a direct
 *    mapping of exactly the 16 KiB pages it touches.
 *  - Existing covering mappings are reused first (live or idle).
 *  - Otherwise, in adaptive mode, the largest window whose block is dense
 *    enough wins; "dense enough" is an exchange rate between the two DART
 *    limits: the bytes a window exposes beyond its live pages must buy
 *    entries (one window instead of k page mappings) at no more than the
 *    current ratio of free bytes to free entries.  When entries run short,
 *    bytes get cheap and windows grow; when bytes run short, they shrink to
 *    exact pages.
 *  - Live-page counts per block at every level feed that decision; they are
 *    heuristics and tolerate allocation failures (counts stay >= 0).
 *  - Host calls are collected and sent in one round trip per batch, idle
 *    evictions first so they make room for the maps that follow.
 */
#include "pcipass/dmawin.h"
#include "pcipass/avl.h"
#include "pcipass/proto.h"
#include "blocktab.h"

#define PG_SHIFT    PP_WIN_PAGE_SHIFT
#define PG          (1ull << PG_SHIFT)
#define SMALL_PAGES 4	/* requests up to 4 DART pages feed the counts */
#define DIRECT_TAG  63	/* block-key "level" of direct mappings */
#define NO_LEVEL    0

/*
 * Exchange rate between exposed bytes and saved entries, as a fraction of
 * free_bytes / free_entries.  Below 1 keeps windows denser than a balanced
 * spend of both limits would need, so DART bytes stay close to exact pages.
 */
#define RATE_NUM 1
#define RATE_DEN 2

enum map_state { MS_PENDING, MS_LIVE, MS_IDLE, MS_FAILED };

struct pp_mapping {
	struct pp_avl_node by_bus;	/* key: bus address of gpa */
	struct pp_mapping *lru_prev, *lru_next;
	uint64_t key;			/* block key, 0 when not in the table */
	uint64_t gpa;			/* 16 KiB aligned */
	uint64_t bus;
	uint32_t len;			/* 16 KiB multiple */
	uint32_t handle;
	uint32_t refs;
	uint8_t level;			/* window level, NO_LEVEL for direct */
	uint8_t state;
	uint8_t charged;		/* counted in the totals */
	int16_t status;			/* host status when MS_FAILED */
};

struct pp_win {
	struct pp_win_config cfg;
	struct pp_win_ops ops;
	struct pp_blocktab blocks;
	struct pp_avl by_bus;
	struct pp_mapping *lru_head, *lru_tail; /* idle, head most recent */

	/* Host round trip being assembled: evictions, then new mappings. */
	uint32_t *ev;
	unsigned int nev;
	struct pp_mapping **pend;
	unsigned int npend;
	struct pp_host_op *hops;
	struct pp_mapping **seg_map;	/* per segment of the current chunk */

	uint64_t mapped_bytes, mapped_entries;	/* incl. pending and idle */
	uint64_t live_pages;		/* pages of counted live requests */
	uint64_t live_direct_pages;	/* pages of the other live requests */
	uint64_t idle_bytes, idle_entries;
	struct pp_win_stats st;
};

/* ---- small helpers ---------------------------------------------------- */

static uint64_t block_key(unsigned int level, uint64_t gpa)
{
	return ((uint64_t)level << 58) | (gpa >> level);
}

static uint64_t direct_key(uint64_t gpa)
{
	return ((uint64_t)DIRECT_TAG << 58) | (gpa >> PG_SHIFT);
}

static bool adaptive(const struct pp_win *w)
{
	return w->cfg.mode == PP_WIN_ADAPTIVE;
}

static bool keeps_idle(const struct pp_win *w)
{
	return w->cfg.idle_bytes && w->cfg.idle_entries;
}

static uint64_t npages(uint64_t gpa, uint64_t len)
{
	return ((gpa + len - 1) >> PG_SHIFT) - (gpa >> PG_SHIFT) + 1;
}

/* Does the request count towards block densities? */
static bool counted(const struct pp_win *w, uint64_t gpa, uint64_t len)
{
	return adaptive(w) && npages(gpa, len) <= SMALL_PAGES;
}

/* Smallest configured level whose aligned block holds the request. */
static unsigned int fit_level(const struct pp_win *w, uint64_t gpa,
			      uint64_t len)
{
	unsigned int l;

	for (l = w->cfg.min_shift; l <= w->cfg.max_shift; l++)
		if ((gpa >> l) == ((gpa + len - 1) >> l))
			return l;
	return NO_LEVEL;
}

static void track_peak(struct pp_win *w)
{
	if (w->mapped_entries > w->st.peak_entries)
		w->st.peak_entries = w->mapped_entries;
	if (w->mapped_bytes > w->st.peak_bytes)
		w->st.peak_bytes = w->mapped_bytes;
}

/* ---- live-page counts ------------------------------------------------- */

/*
 * The page-level entry counts live requests in a 16 KiB page; entries of
 * higher levels count live pages in their block, updated when a page turns
 * live or idle.  Allocation failures only make the counts (a heuristic)
 * lower; decrements never go below zero.
 */
static void count_levels(struct pp_win *w, uint64_t pg_gpa, int delta)
{
	unsigned int l;
	struct pp_block *b;

	for (l = PG_SHIFT + 1; l <= w->cfg.max_shift; l++) {
		uint64_t key = block_key(l, pg_gpa);

		b = delta > 0 ? pp_blocktab_get(&w->blocks, key) :
				pp_blocktab_find(&w->blocks, key);
		if (!b)
			continue;
		if (delta > 0)
			b->count++;
		else if (b->count)
			b->count--;
		pp_blocktab_put(&w->blocks, b);
	}
}

static void count_request(struct pp_win *w, uint64_t gpa, uint64_t len,
			  int delta)
{
	uint64_t pg, last = (gpa + len - 1) >> PG_SHIFT;
	struct pp_block *b;
	bool edge;

	for (pg = gpa >> PG_SHIFT; pg <= last; pg++) {
		uint64_t key = block_key(PG_SHIFT, pg << PG_SHIFT);

		b = delta > 0 ? pp_blocktab_get(&w->blocks, key) :
				pp_blocktab_find(&w->blocks, key);
		if (!b)
			continue;
		if (delta > 0) {
			edge = b->count++ == 0;
		} else {
			edge = b->count == 1;
			if (b->count)
				b->count--;
		}
		pp_blocktab_put(&w->blocks, b);
		if (edge) {
			w->live_pages += delta;
			count_levels(w, pg << PG_SHIFT, delta);
		}
	}
}

static uint32_t live_pages(const struct pp_win *w, unsigned int level,
			   uint64_t gpa)
{
	const struct pp_block *b = pp_blocktab_find(&w->blocks,
						    block_key(level, gpa));

	return b ? b->count : 0;
}

/* ---- the window-size decision ----------------------------------------- */

/* Capacity not held by live or pending mappings (idle ones can be freed). */
static uint64_t free_bytes(const struct pp_win *w)
{
	uint64_t used = w->mapped_bytes - w->idle_bytes;

	return used < w->cfg.cap_bytes ? w->cfg.cap_bytes - used : 0;
}

static uint64_t free_entries(const struct pp_win *w)
{
	uint64_t used = w->mapped_entries - w->idle_entries;

	return used < w->cfg.max_entries ? w->cfg.max_entries - used : 0;
}

/*
 * A window of 2^level bytes with k live pages replaces k page mappings: it
 * saves k - 1 entries and exposes size - k pages more.  Worth it when the
 * bytes per saved entry stay under the current free-bytes/free-entries rate.
 */
static bool window_pays(const struct pp_win *w, unsigned int level,
			uint64_t k)
{
	uint64_t size = 1ull << level, fe = free_entries(w), fb = free_bytes(w);
	uint64_t waste;

	if (k < 2 || k * PG > size)
		return false;
	if (size > (uint64_t)w->cfg.max_expose * k * PG)
		return false;
	if (size * 8 > fb)	/* one window never takes an eighth of what is left */
		return false;
	if (!fe)
		return true;
	waste = size - k * PG;
	/* waste / (k - 1) <= RATE * fb / fe, in integers without overflow:
	 * waste < 2^26, fe < 2^32, fb < 2^44 for any sane configuration. */
	return waste * fe * RATE_DEN <= (uint64_t)RATE_NUM * fb * (k - 1);
}

/*
 * Bytes mapped beyond the pages live requests touch ("waste"), and what we
 * may waste for free.  Exact mappings of max_entries live pages need at most
 * max_entries * 16 KiB, so while the waste stays under cap minus that, no
 * request can fail that exact mappings would have served: windows up to
 * that budget cost nothing.  Dense windows waste little, so as a burst fills
 * its blocks the budget comes back by itself.
 */
static uint64_t waste(const struct pp_win *w)
{
	uint64_t used = w->mapped_bytes - w->idle_bytes;
	uint64_t live = (w->live_pages + w->live_direct_pages) * PG;

	return used > live ? used - live : 0;
}

static bool within_waste_budget(const struct pp_win *w, unsigned int level,
				uint64_t k)
{
	uint64_t exact_max = (uint64_t)w->cfg.max_entries * PG;
	uint64_t size = 1ull << level;

	if (k < 2 || k * PG > size || w->cfg.cap_bytes <= exact_max)
		return false;
	if (size > (uint64_t)w->cfg.max_expose * k * PG)
		return false;
	return waste(w) + size - k * PG <= w->cfg.cap_bytes - exact_max;
}

/*
 * Level of the new mapping for a request, no larger than ceiling;
 * NO_LEVEL means a direct mapping of exactly the pages it touches.
 */
static unsigned int choose_level(const struct pp_win *w, uint64_t gpa,
				 uint64_t len, unsigned int ceiling)
{
	unsigned int fit = fit_level(w, gpa, len), l;

	if (fit == NO_LEVEL || fit > ceiling)
		return NO_LEVEL;
	if (adaptive(w) && counted(w, gpa, len)) {
		uint64_t k, pred = 0, own = npages(gpa, len);

		for (l = w->cfg.max_shift; l > fit; l--) {
			/* A young block inherits its parent's density: early in
			 * a burst the larger block has seen more of it. */
			k = live_pages(w, l, gpa);
			pred = pred / 2 > k ? pred / 2 : k;
			/* only a neighbour is evidence of density */
			if (l > ceiling || pred <= own)
				continue;
			if (within_waste_budget(w, l, k) ||
			    window_pays(w, l, pred))
				return l;
		}
	} else if (!adaptive(w)) {
		return fit;	/* fixed mode: the one window size when it fits */
	}
	/* The smallest block is as good as direct when it is the exact span. */
	if ((1ull << fit) == npages(gpa, len) * PG)
		return fit;
	return NO_LEVEL;
}

/* ---- mapping lifecycle ------------------------------------------------ */

static void lru_unlink(struct pp_win *w, struct pp_mapping *m)
{
	if (m->lru_prev)
		m->lru_prev->lru_next = m->lru_next;
	else
		w->lru_head = m->lru_next;
	if (m->lru_next)
		m->lru_next->lru_prev = m->lru_prev;
	else
		w->lru_tail = m->lru_prev;
	m->lru_prev = m->lru_next = NULL;
	w->idle_bytes -= m->len;
	w->idle_entries--;
}

static void lru_push(struct pp_win *w, struct pp_mapping *m)
{
	m->lru_prev = NULL;
	m->lru_next = w->lru_head;
	if (w->lru_head)
		w->lru_head->lru_prev = m;
	else
		w->lru_tail = m;
	w->lru_head = m;
	w->idle_bytes += m->len;
	w->idle_entries++;
}

static void unkey(struct pp_win *w, struct pp_mapping *m)
{
	struct pp_block *b;

	if (m->key) {
		b = pp_blocktab_find(&w->blocks, m->key);
		if (b && b->map == m) {
			b->map = NULL;
			pp_blocktab_put(&w->blocks, b);
		}
		m->key = 0;
	}
}

/* Removes m from the block table and the totals and frees it. */
static void forget(struct pp_win *w, struct pp_mapping *m)
{
	unkey(w, m);
	if (m->charged) {
		w->mapped_bytes -= m->len;
		w->mapped_entries--;
		if (m->level == NO_LEVEL)
			w->st.directs--;
		else
			w->st.windows--;
	}
	w->ops.free(w->ops.ctx, m);
}

static void flush(struct pp_win *w);
static void send_evictions(struct pp_win *w);

/* Queues the host unmap of a mapped (live or idle) mapping and forgets it. */
static void evict(struct pp_win *w, struct pp_mapping *m)
{
	if (m->state == MS_IDLE) {
		lru_unlink(w, m);
		w->st.reclaims++;
	}
	pp_avl_remove(&w->by_bus, m->by_bus.key);
	if (w->nev == w->cfg.max_batch)
		send_evictions(w);
	w->ev[w->nev++] = m->handle;
	forget(w, m);
}

/* The last reference went away. */
static void release(struct pp_win *w, struct pp_mapping *m)
{
	if (m->state == MS_FAILED) {
		forget(w, m);
		return;
	}
	if (!keeps_idle(w)) {
		evict(w, m);
		return;
	}
	m->state = MS_IDLE;
	lru_push(w, m);
	while (w->lru_tail && (w->idle_bytes > w->cfg.idle_bytes ||
			       w->idle_entries > w->cfg.idle_entries))
		evict(w, w->lru_tail);
}

/* Evicts idle mappings until a new mapping of len bytes fits the caps. */
static void make_room(struct pp_win *w, uint64_t len)
{
	while (w->lru_tail && (w->mapped_bytes + len > w->cfg.cap_bytes ||
			       w->mapped_entries + 1 > w->cfg.max_entries))
		evict(w, w->lru_tail);
}

static void take(struct pp_win *w, struct pp_mapping *m)
{
	if (m->state == MS_IDLE) {
		lru_unlink(w, m);
		m->state = MS_LIVE;
		w->st.reuse_hits++;
	}
	m->refs++;
}

/* Drops one request's reference on m (and its counts). */
static void detach(struct pp_win *w, struct pp_mapping *m, uint64_t gpa,
		   uint64_t len)
{
	if (counted(w, gpa, len))
		count_request(w, gpa, len, -1);
	else
		w->live_direct_pages -= npages(gpa, len);
	if (--m->refs == 0)
		release(w, m);
}

/* The largest existing mapping that covers the request, or NULL. */
static struct pp_mapping *find_cover(const struct pp_win *w, uint64_t gpa,
				     uint64_t len)
{
	unsigned int l, fit = fit_level(w, gpa, len);
	const struct pp_block *b;

	if (fit != NO_LEVEL) {
		for (l = w->cfg.max_shift; l >= fit; l--) {
			b = pp_blocktab_find(&w->blocks, block_key(l, gpa));
			if (b && b->map && b->map->state != MS_FAILED)
				return b->map;
		}
	}
	b = pp_blocktab_find(&w->blocks, direct_key(gpa));
	if (b && b->map && b->map->state != MS_FAILED &&
	    b->map->gpa + b->map->len >= gpa + len)
		return b->map;
	return NULL;
}

/* Creates a pending mapping at level (or direct) and queues its host map. */
static struct pp_mapping *create(struct pp_win *w, uint64_t gpa, uint64_t len,
				 unsigned int level, int *status)
{
	struct pp_mapping *m;
	struct pp_block *b;
	uint64_t start, size;

	if (level != NO_LEVEL) {
		size = 1ull << level;
		start = gpa & ~(size - 1);
	} else {
		start = gpa & ~(PG - 1);
		size = npages(gpa, len) * PG;
	}
	if (size > w->cfg.max_map_len) {
		*status = PP_ERR_INVAL;
		return NULL;
	}
	if (w->npend == w->cfg.max_batch)
		flush(w);
	make_room(w, size);

	m = w->ops.alloc(w->ops.ctx, sizeof(*m));
	if (!m) {
		*status = PP_ERR_NOMEM;
		return NULL;
	}
	m->gpa = start;
	m->len = (uint32_t)size;
	m->refs = 0;
	m->level = (uint8_t)level;
	m->lru_prev = m->lru_next = NULL;
	m->key = 0;
	m->charged = 0;
	/* Known not to fit: refuse it here, as the host would, without a
	 * round trip; the caller's retry goes smaller. */
	if (w->mapped_entries + 1 > w->cfg.max_entries ||
	    w->mapped_bytes + size > w->cfg.cap_bytes) {
		m->state = MS_FAILED;
		m->status = w->mapped_entries + 1 > w->cfg.max_entries ?
				    PP_ERR_TOOMANY : PP_ERR_NOSPC;
		return m;
	}
	m->key = level != NO_LEVEL ? block_key(level, gpa) : direct_key(gpa);
	b = pp_blocktab_get(&w->blocks, m->key);
	if (!b) {
		w->ops.free(w->ops.ctx, m);
		*status = PP_ERR_NOMEM;
		return NULL;
	}
	if (b->map)
		m->key = 0;	/* a shorter direct mapping owns this key */
	else
		b->map = m;
	m->bus = 0;
	m->handle = 0;
	m->state = MS_PENDING;
	m->status = PP_OK;
	m->charged = 1;
	w->mapped_bytes += size;
	w->mapped_entries++;
	if (level == NO_LEVEL)
		w->st.directs++;
	else
		w->st.windows++;
	w->pend[w->npend++] = m;
	return m;
}

/* ---- the host round trip ---------------------------------------------- */

static void host_call(struct pp_win *w, unsigned int n)
{
	int ret, i;

	w->st.host_calls++;
	ret = w->ops.host(w->ops.ctx, w->hops, n);
	if (ret != PP_OK)
		for (i = 0; i < (int)n; i++)
			w->hops[i].status = ret;
}

static void count_unmap_errors(struct pp_win *w, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (w->hops[i].status != PP_OK)
			w->st.host_unmap_errors++;
}

static void send_evictions(struct pp_win *w)
{
	unsigned int i;

	if (!w->nev)
		return;
	for (i = 0; i < w->nev; i++) {
		w->hops[i] = (struct pp_host_op){ .op = PP_OP_UNMAP,
						  .handle = w->ev[i] };
	}
	w->st.host_unmaps += w->nev;
	host_call(w, w->nev);
	count_unmap_errors(w, w->nev);
	w->nev = 0;
}

/*
 * Sends queued evictions and pending maps; each pending mapping ends up
 * MS_LIVE (mapped) or MS_FAILED (with the host's status).
 */
static void flush(struct pp_win *w)
{
	unsigned int i, n = 0;
	struct pp_mapping *m;

	if (w->nev + w->npend > w->cfg.max_batch)
		send_evictions(w);
	for (i = 0; i < w->nev; i++)
		w->hops[n++] = (struct pp_host_op){ .op = PP_OP_UNMAP,
						    .handle = w->ev[i] };
	w->st.host_unmaps += w->nev;
	for (i = 0; i < w->npend; i++) {
		m = w->pend[i];
		w->hops[n++] = (struct pp_host_op){ .op = PP_OP_MAP,
						    .prot = PP_MAP_RW,
						    .len = m->len,
						    .gpa = m->gpa };
	}
	w->st.host_maps += w->npend;
	if (!n)
		return;
	host_call(w, n);
	count_unmap_errors(w, w->nev);
	for (i = 0; i < w->npend; i++) {
		struct pp_host_op *op = &w->hops[w->nev + i];

		m = w->pend[i];
		if (op->status == PP_OK) {
			m->bus = op->bus;
			m->handle = op->handle;
			m->by_bus.key = op->bus;
			pp_avl_insert(&w->by_bus, &m->by_bus);
			m->state = MS_LIVE;
			track_peak(w);
		} else {
			m->state = MS_FAILED;
			m->status = (int16_t)op->status;
			unkey(w, m);	/* a retry may take its block */
		}
	}
	w->nev = 0;
	w->npend = 0;
}

/* ---- map and unmap ---------------------------------------------------- */

static int check_seg(const struct pp_win *w, uint64_t gpa, uint64_t len)
{
	if (!len)
		return PP_ERR_INVAL;
	if (gpa + len < gpa)
		return PP_ERR_OVERFLOW;
	if (npages(gpa, len) * PG > w->cfg.max_map_len)
		return PP_ERR_INVAL;
	return PP_OK;
}

/* Takes a reference for one request: reuse, or a new pending mapping. */
static struct pp_mapping *attach(struct pp_win *w, uint64_t gpa, uint64_t len,
				 unsigned int ceiling, int *status)
{
	struct pp_mapping *m;

	if (counted(w, gpa, len))
		count_request(w, gpa, len, +1);
	m = find_cover(w, gpa, len);
	if (counted(w, gpa, len)) {
		/*
		 * Promotion: when a larger window pays by now, open it even
		 * though a smaller cover exists, or yesterday's small windows
		 * would pin a block that became dense to small windows for
		 * good.  The small ones drain as their requests go.  A live
		 * cover must be beaten by more than one level (no churn).
		 */
		unsigned int level = choose_level(w, gpa, len, ceiling);

		if (!m || (level != NO_LEVEL &&
			   level > m->level + (m->state == MS_LIVE ? 1u : 0u)))
			m = create(w, gpa, len, level, status);
	} else if (!m) {
		m = create(w, gpa, len, choose_level(w, gpa, len, ceiling),
			   status);
	}
	if (!m) {
		if (counted(w, gpa, len))
			count_request(w, gpa, len, -1);
		return NULL;
	}
	if (!counted(w, gpa, len))
		w->live_direct_pages += npages(gpa, len);
	take(w, m);
	return m;
}

/*
 * A request whose mapping the host refused: free every idle mapping, then
 * try again, smaller each time the host says it has no space.
 */
static struct pp_mapping *retry(struct pp_win *w, uint64_t gpa, uint64_t len,
				unsigned int failed_level, int *status)
{
	unsigned int ceiling = failed_level == NO_LEVEL ? w->cfg.max_shift :
							  failed_level;
	struct pp_mapping *m;

	pp_win_reclaim(w);
	for (;;) {
		w->st.retries++;
		m = attach(w, gpa, len, ceiling, status);
		if (!m)
			return NULL;
		if (m->state == MS_PENDING)
			flush(w);
		if (m->state != MS_FAILED)
			return m;
		*status = m->status;
		failed_level = m->level;
		detach(w, m, gpa, len);
		if (*status != PP_ERR_NOSPC || failed_level == NO_LEVEL)
			return NULL;
		ceiling = failed_level - 1;
	}
}

static void unmap_one(struct pp_win *w, struct pp_mapping *m, uint64_t dma,
		      uint64_t len)
{
	uint64_t gpa = m->gpa + (dma - m->bus);

	detach(w, m, gpa, len);
	w->st.unmaps++;
	w->st.live_requests--;
	w->st.live_req_bytes -= len;
}

static struct pp_mapping *lookup(const struct pp_win *w, uint64_t dma,
				 uint64_t len)
{
	struct pp_avl_node *n = pp_avl_floor(&w->by_bus, dma);
	struct pp_mapping *m;

	if (!n)
		return NULL;
	m = pp_container_of(n, struct pp_mapping, by_bus);
	if (dma + len < dma || dma + len > m->bus + m->len)
		return NULL;
	return m;
}

/* Undoes n requests of this call that were resolved (dma set). */
static void rollback(struct pp_win *w, const struct pp_win_seg *segs,
		     struct pp_mapping *const *maps, unsigned int n)
{
	struct pp_mapping *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = maps ? maps[i] : lookup(w, segs[i].dma, segs[i].len);
		if (!m)
			continue;
		unmap_one(w, m, segs[i].dma, segs[i].len);
		w->st.maps--;
		w->st.unmaps--;
	}
}

/* Maps up to max_batch requests with one round trip (more on retries). */
static int map_chunk(struct pp_win *w, struct pp_win_seg *segs,
		     unsigned int n)
{
	unsigned int planned, i, fail;
	int status = PP_OK;
	struct pp_mapping *m;

	for (planned = 0; planned < n; planned++) {
		m = attach(w, segs[planned].gpa, segs[planned].len,
			   w->cfg.max_shift, &status);
		if (!m)
			break;
		w->seg_map[planned] = m;
	}
	flush(w);
	for (i = 0; i < planned; i++) {
		struct pp_win_seg *s = &segs[i];

		m = w->seg_map[i];
		if (m->state == MS_FAILED) {
			unsigned int level = m->level;

			status = m->status;
			detach(w, m, s->gpa, s->len);
			/* only a full DART is worth another try */
			if (status != PP_ERR_NOSPC && status != PP_ERR_TOOMANY)
				break;
			m = retry(w, s->gpa, s->len, level, &status);
			if (!m)
				break;
			w->seg_map[i] = m;
		}
		s->dma = m->bus + (s->gpa - m->gpa);
		w->st.live_requests++;
		w->st.live_req_bytes += s->len;
		w->st.maps++;
	}
	if (i == n)
		return PP_OK;
	/* All or nothing: let go of the unresolved rest, undo the resolved. */
	fail = i;
	for (i = fail + 1; i < planned; i++)
		detach(w, w->seg_map[i], segs[i].gpa, segs[i].len);
	rollback(w, segs, w->seg_map, fail);
	return status != PP_OK ? status : PP_ERR_NOMEM;
}

int pp_win_map(struct pp_win *w, struct pp_win_seg *segs, unsigned int n,
	       uint32_t prot)
{
	unsigned int done, chunk, i;
	int status;

	if (!n || !prot || (prot & ~PP_MAP_RW))
		return PP_ERR_INVAL;
	for (i = 0; i < n; i++) {
		status = check_seg(w, segs[i].gpa, segs[i].len);
		if (status != PP_OK) {
			w->st.map_failures++;
			return status;
		}
	}
	for (done = 0; done < n; done += chunk) {
		chunk = n - done < w->cfg.max_batch ? n - done :
						      w->cfg.max_batch;
		status = map_chunk(w, segs + done, chunk);
		if (status != PP_OK) {
			rollback(w, segs, NULL, done);
			flush(w);
			w->st.map_failures++;
			return status;
		}
	}
	if (w->nev)
		flush(w);
	return PP_OK;
}

int pp_win_unmap(struct pp_win *w, const struct pp_win_seg *segs,
		 unsigned int n)
{
	int status = PP_OK;
	struct pp_mapping *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = lookup(w, segs[i].dma, segs[i].len);
		if (!m || !segs[i].len || m->state != MS_LIVE) {
			w->st.unknown_unmaps++;
			status = PP_ERR_NOENT;
			continue;
		}
		unmap_one(w, m, segs[i].dma, segs[i].len);
	}
	flush(w);
	return status;
}

int pp_win_dma_to_gpa(const struct pp_win *w, uint64_t dma, uint64_t *gpa)
{
	struct pp_mapping *m = lookup(w, dma, 1);

	if (!m)
		return PP_ERR_NOENT;
	*gpa = m->gpa + (dma - m->bus);
	return PP_OK;
}

size_t pp_win_prealloc_wanted(const struct pp_win *w)
{
	return (size_t)pp_blocktab_wanted(&w->blocks) * sizeof(struct pp_block);
}

bool pp_win_prealloc_provide(struct pp_win *w, void *mem, size_t bytes)
{
	uint32_t cap = pp_blocktab_wanted(&w->blocks);

	if (!cap || bytes != (size_t)cap * sizeof(struct pp_block))
		return false;
	return pp_blocktab_adopt(&w->blocks, mem, cap) == 0;
}

unsigned int pp_win_reclaim(struct pp_win *w)
{
	unsigned int n = 0;

	while (w->lru_tail) {
		evict(w, w->lru_tail);
		n++;
	}
	send_evictions(w);
	return n;
}

/* ---- setup, stats, walk ----------------------------------------------- */

static void preset(struct pp_win_config *c, uint64_t cap, uint32_t entries)
{
	c->cap_bytes = cap;
	c->max_entries = entries;
	c->max_batch = 256;
	c->max_map_len = cap < (1ull << 30) ? (uint32_t)cap : 1u << 30;
	c->max_expose = 16;
	c->idle_bytes = 0;
	c->idle_entries = 0;
}

void pp_win_config_pcipass(struct pp_win_config *c, uint64_t cap_bytes,
			   uint32_t max_entries)
{
	preset(c, cap_bytes, max_entries);
	c->mode = PP_WIN_ADAPTIVE;
	c->min_shift = 14;
	c->max_shift = 22;
	c->max_expose = 16;
	c->idle_bytes = cap_bytes / 32;
	c->idle_entries = max_entries / 64;
}

void pp_win_config_strict(struct pp_win_config *c, uint64_t cap_bytes,
			  uint32_t max_entries)
{
	preset(c, cap_bytes, max_entries);
	c->mode = PP_WIN_FIXED;
	c->min_shift = 14;
	c->max_shift = 14;
}

void pp_win_config_reference(struct pp_win_config *c, uint64_t cap_bytes,
			     uint32_t max_entries)
{
	preset(c, cap_bytes, max_entries);
	c->mode = PP_WIN_FIXED;
	c->min_shift = 18;
	c->max_shift = 18;
}

static bool config_ok(const struct pp_win_config *c)
{
	if (c->mode != PP_WIN_ADAPTIVE && c->mode != PP_WIN_FIXED)
		return false;
	if (c->min_shift < PG_SHIFT || c->max_shift > PP_WIN_MAX_SHIFT ||
	    c->min_shift > c->max_shift)
		return false;
	if (c->mode == PP_WIN_FIXED && c->min_shift != c->max_shift)
		return false;
	if (c->cap_bytes < PG || !c->max_entries)
		return false;
	if (!c->max_batch || c->max_batch > PP_MAX_BATCH_LIMIT)
		return false;
	if (c->max_map_len < PG || (c->max_map_len & (PG - 1)))
		return false;
	return c->max_expose > 0;
}

static void *zalloc(const struct pp_win_ops *ops, size_t size)
{
	unsigned char *p = ops->alloc(ops->ctx, size);
	size_t i;

	if (p)
		for (i = 0; i < size; i++)
			p[i] = 0;
	return p;
}

struct pp_win *pp_win_create(const struct pp_win_config *cfg,
			     const struct pp_win_ops *ops)
{
	struct pp_win *w;
	size_t nb;

	if (!cfg || !ops || !ops->alloc || !ops->free || !ops->host ||
	    !config_ok(cfg))
		return NULL;
	w = zalloc(ops, sizeof(*w));
	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->ops = *ops;
	nb = cfg->max_batch;
	w->ev = zalloc(ops, nb * sizeof(*w->ev));
	w->pend = zalloc(ops, nb * sizeof(*w->pend));
	w->seg_map = zalloc(ops, nb * sizeof(*w->seg_map));
	w->hops = zalloc(ops, 2 * nb * sizeof(*w->hops));
	if (!w->ev || !w->pend || !w->seg_map || !w->hops ||
	    pp_blocktab_init(&w->blocks, 1024, ops->alloc, ops->free,
			     ops->ctx)) {
		pp_win_destroy(w);
		return NULL;
	}
	return w;
}

void pp_win_destroy(struct pp_win *w)
{
	struct pp_avl_node *n;

	if (!w)
		return;
	if (w->blocks.slots) {
		while ((n = pp_avl_first(&w->by_bus)) != NULL) {
			struct pp_mapping *m =
				pp_container_of(n, struct pp_mapping, by_bus);

			evict(w, m);
		}
		send_evictions(w);
		pp_blocktab_fini(&w->blocks);
	}
	if (w->hops)
		w->ops.free(w->ops.ctx, w->hops);
	if (w->seg_map)
		w->ops.free(w->ops.ctx, w->seg_map);
	if (w->pend)
		w->ops.free(w->ops.ctx, w->pend);
	if (w->ev)
		w->ops.free(w->ops.ctx, w->ev);
	w->ops.free(w->ops.ctx, w);
}

void pp_win_get_stats(const struct pp_win *w, struct pp_win_stats *st)
{
	*st = w->st;
	st->mapped_entries = w->mapped_entries;
	st->mapped_bytes = w->mapped_bytes;
	st->idle_entries = w->idle_entries;
	st->idle_bytes = w->idle_bytes;
}

struct walk_ctx {
	pp_win_walk_fn fn;
	void *arg;
};

static int walk_one(void *arg, struct pp_avl_node *n)
{
	struct walk_ctx *c = arg;
	struct pp_mapping *m = pp_container_of(n, struct pp_mapping, by_bus);

	return c->fn(c->arg, m->gpa, m->len, m->bus, m->handle, m->refs);
}

void pp_win_walk(const struct pp_win *w, pp_win_walk_fn fn, void *arg)
{
	struct walk_ctx c = { fn, arg };

	pp_avl_walk(&w->by_bus, walk_one, &c);
}
