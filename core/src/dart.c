/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DART model (see core/include/pcipass/dart.h and docs/dart-model.md).
 *
 * Everything is sized at pp_dart_new and never grows:
 *
 *  - a free bitmap of the aperture's 16 KiB pages (bit set = free), and a
 *    segment tree whose leaves are its 64-page words.  Each node keeps the
 *    free prefix, free suffix and longest free run of its span, plus the
 *    longest run usable by a mapping that must start on an odd bus page
 *    (ADVERSARIAL).  First fit at or after any page is O(log n).  Range
 *    updates are lazy without a tag: a node whose span is uniformly free or
 *    uniformly used says so by its own values (best == len or best == 0), and
 *    its children (and words) are only trusted when it is not uniform.
 *
 *  - a 64-ary bitmap of mapping start pages, so that the mapping holding a
 *    page is "the live mapping with the greatest start <= page": a
 *    predecessor query of at most one word per level (3 levels for the
 *    default aperture).  start_owner[] names its slot.
 *
 *  - a slab of max_entries mapping records with an intrusive free list.
 *
 * So map, unmap and translate cost O(log pages) whatever the mapping's size.
 */
#include "dart_internal.h"

#include <stdlib.h>
#include <string.h>

/* Zones of the RANDOM placement: see place(). */
#define RANDOM_ZONES 64u

/* ---- odd-start arithmetic ------------------------------------------------ */

static inline bool page_is_odd(const struct pp_dart *d, uint32_t p)
{
	return ((p + d->base_odd) & 1u) != 0;
}

/* Pages of a free run [s, s + len) usable by a mapping that must begin on an
 * odd bus page: all of them if s is odd, one fewer otherwise. */
static inline uint32_t odd_len(const struct pp_dart *d, uint32_t s, uint32_t len)
{
	if (len == 0)
		return 0;
	return page_is_odd(d, s) ? len : len - 1;
}

/* ---- 64-page words ----------------------------------------------------------
 *
 * The tree's leaves are 64-bit words of the free bitmap (bit set = page
 * free), so the tree is 64x smaller than one node per page and the bottom
 * six levels become word arithmetic.
 */

/* Bits of a word at which an odd bus page sits (words start on even pages). */
static inline uint64_t odd_bits(const struct pp_dart *d)
{
	return d->base_odd ? 0x5555555555555555ull : 0xaaaaaaaaaaaaaaaaull;
}

/*
 * Runs of set bits in x: m[j] has bit p set when bits p .. p + 2^j - 1 of x
 * are all set (runs stop at bit 63; the next word is the tree's business).
 */
static void word_runs(uint64_t x, uint64_t m[7])
{
	m[0] = x;
	for (unsigned j = 1; j < 7; j++)
		m[j] = m[j - 1] & (m[j - 1] >> (1u << (j - 1)));
}

/* Starts p (as a mask) among cand with bits p .. p + k - 1 set, 1 <= k <= 64. */
static uint64_t word_fits(const uint64_t m[7], uint64_t cand, uint32_t k)
{
	uint32_t len = 0;

	for (unsigned j = 0; j < 7 && cand; j++) {
		if (k & (1u << j)) {
			cand &= m[j] >> len;
			len += 1u << j;
		}
	}
	return cand;
}

/* Longest stretch of set bits of x that begins at a bit of filter. */
static uint32_t word_best(const uint64_t m[7], uint64_t filter)
{
	uint64_t cur = m[0] & filter;
	uint32_t len = 0;

	if (!cur)
		return 0;
	/* Greedy on the bits of the answer: keep starts with a run >= len. */
	for (int j = 6; j >= 0; j--) {
		uint64_t next;

		if (len >= 64)
			break;
		next = cur & (m[j] >> len);
		if (next) {
			cur = next;
			len += 1u << j;
		}
	}
	return len;
}

/* ---- segment tree ------------------------------------------------------------ */

static inline bool is_leaf(const struct pp_dart *d, uint32_t i)
{
	return i >= d->tree_leaves;
}

static inline uint64_t *leaf_word(const struct pp_dart *d, uint32_t i)
{
	return &d->freebits[i - d->tree_leaves];
}

static inline void seg_set_free(const struct pp_dart *d, uint32_t i, uint32_t lo,
				uint32_t hi)
{
	struct seg *n = &d->tree[i];

	n->pref = n->suff = n->best = hi - lo;
	n->bodd = odd_len(d, lo, hi - lo);
	if (is_leaf(d, i))
		*leaf_word(d, i) = ~0ull;
}

static inline void seg_set_used(const struct pp_dart *d, uint32_t i)
{
	memset(&d->tree[i], 0, sizeof(d->tree[i]));
	if (is_leaf(d, i))
		*leaf_word(d, i) = 0;
}

/* Recomputes leaf i from its word. */
static void seg_leaf_update(const struct pp_dart *d, uint32_t i)
{
	uint64_t x = *leaf_word(d, i), m[7];
	struct seg *n = &d->tree[i];

	word_runs(x, m);
	n->pref = ~x ? (uint32_t)__builtin_ctzll(~x) : 64;
	n->suff = ~x ? (uint32_t)__builtin_clzll(~x) : 64;
	n->best = word_best(m, ~0ull);
	n->bodd = word_best(m, odd_bits(d));
}

static inline uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a > b ? a : b;

	return m > c ? m : c;
}

/* Recomputes node i over [lo, hi) from its two children. */
static void seg_pull(const struct pp_dart *d, uint32_t i, uint32_t lo,
		     uint32_t mid, uint32_t hi)
{
	const struct seg *l = &d->tree[2 * i], *r = &d->tree[2 * i + 1];
	struct seg *n = &d->tree[i];
	uint32_t cross = l->suff + r->pref;

	n->pref = l->pref == mid - lo ? l->pref + r->pref : l->pref;
	n->suff = r->suff == hi - mid ? r->suff + l->suff : r->suff;
	n->best = max3(l->best, r->best, cross);
	n->bodd = max3(l->bodd, r->bodd, odd_len(d, mid - l->suff, cross));
}

/* A uniform node's children may be stale: make them agree with it. */
static void seg_push(const struct pp_dart *d, uint32_t i, uint32_t lo,
		     uint32_t mid, uint32_t hi)
{
	const struct seg *n = &d->tree[i];

	if (n->best == hi - lo) {
		seg_set_free(d, 2 * i, lo, mid);
		seg_set_free(d, 2 * i + 1, mid, hi);
	} else if (n->best == 0) {
		seg_set_used(d, 2 * i);
		seg_set_used(d, 2 * i + 1);
	}
}

/* Initial state: real pages free, padding past the aperture used forever. */
static void seg_build(const struct pp_dart *d, uint32_t i, uint32_t lo, uint32_t hi)
{
	uint32_t mid;

	if (hi <= d->npages) {
		seg_set_free(d, i, lo, hi);
	} else if (lo >= d->npages) {
		seg_set_used(d, i);
	} else if (is_leaf(d, i)) { /* the word holding the aperture's end */
		*leaf_word(d, i) = (1ull << (d->npages - lo)) - 1;
		seg_leaf_update(d, i);
	} else {
		mid = lo + (hi - lo) / 2;
		seg_build(d, 2 * i, lo, mid);
		seg_build(d, 2 * i + 1, mid, hi);
		seg_pull(d, i, lo, mid, hi);
	}
}

/* Marks pages [a, b), which meet node i's [lo, hi), free or used. */
static void seg_assign(struct pp_dart *d, uint32_t i, uint32_t lo, uint32_t hi,
		       uint32_t a, uint32_t b, bool make_free)
{
	uint32_t mid;

	if (a <= lo && hi <= b) {
		if (make_free)
			seg_set_free(d, i, lo, hi);
		else
			seg_set_used(d, i);
		return;
	}
	if (is_leaf(d, i)) { /* part of one word */
		uint32_t from = a > lo ? a - lo : 0, to = b < hi ? b - lo : 64;
		uint64_t bits = (~0ull >> (64 - (to - from))) << from;

		if (make_free)
			*leaf_word(d, i) |= bits;
		else
			*leaf_word(d, i) &= ~bits;
		seg_leaf_update(d, i);
		return;
	}
	mid = lo + (hi - lo) / 2;
	seg_push(d, i, lo, mid, hi);
	if (a < mid)
		seg_assign(d, 2 * i, lo, mid, a, b, make_free);
	if (b > mid)
		seg_assign(d, 2 * i + 1, mid, hi, a, b, make_free);
	seg_pull(d, i, lo, mid, hi);
}

/*
 * Lowest page s >= from such that [s, s + k) is free (and, with odd, s is an
 * odd bus page), inside node i over [lo, hi); DART_NONE if there is none.
 *
 * O(log n): nodes that straddle `from` form one root-to-leaf path; a node
 * wholly at or after `from` is entered only when its summary promises a fit,
 * and then one of its children (or the run across them) delivers it.
 * Read-only: a non-uniform node's children are exact, and a uniform node is
 * answered from its own values.
 */
static uint32_t seg_find(const struct pp_dart *d, uint32_t i, uint32_t lo,
			 uint32_t hi, uint32_t k, uint32_t from, bool odd)
{
	const struct seg *n = &d->tree[i];
	uint32_t mid, s, got;

	if (hi <= from || (odd ? n->bodd : n->best) < k)
		return DART_NONE;
	if (n->best == hi - lo) { /* all free: children may be stale */
		s = lo > from ? lo : from;
		if (odd && !page_is_odd(d, s))
			s++;
		return (uint64_t)s + k <= hi ? s : DART_NONE;
	}
	if (is_leaf(d, i)) { /* k <= 64 here: best >= k */
		uint64_t m[7], cand = odd ? odd_bits(d) : ~0ull;

		if (from > lo)
			cand &= ~0ull << (from - lo);
		word_runs(*leaf_word(d, i), m);
		cand = word_fits(m, cand, k);
		return cand ? lo + (uint32_t)__builtin_ctzll(cand) : DART_NONE;
	}
	mid = lo + (hi - lo) / 2;
	got = seg_find(d, 2 * i, lo, mid, k, from, odd);
	if (got != DART_NONE)
		return got;
	/* The free run across the middle, started no earlier than from. */
	s = mid - d->tree[2 * i].suff;
	if (s < from)
		s = from;
	if (s < mid) {
		if (odd && !page_is_odd(d, s))
			s++;
		if ((uint64_t)s + k <= (uint64_t)mid + d->tree[2 * i + 1].pref)
			return s;
	}
	return seg_find(d, 2 * i + 1, mid, hi, k, from, odd);
}

static inline uint32_t tree_pages(const struct pp_dart *d)
{
	return d->tree_leaves * 64;
}

static uint32_t find_fit(const struct pp_dart *d, uint32_t k, uint32_t from,
			 bool odd)
{
	return seg_find(d, 1, 0, tree_pages(d), k, from, odd);
}

/* Free pages right before page p, in node i over [lo, hi), lo <= p <= hi. */
static uint32_t free_before(const struct pp_dart *d, uint32_t i, uint32_t lo,
			    uint32_t hi, uint32_t p)
{
	const struct seg *n = &d->tree[i];
	uint32_t mid, r;

	if (p == lo || n->best == 0)
		return 0;
	if (p == hi)
		return n->suff;
	if (n->best == hi - lo)
		return p - lo;
	if (is_leaf(d, i)) {
		uint32_t t = p - lo;
		uint64_t used = ~*leaf_word(d, i) & ((1ull << t) - 1);

		return used ? t - 1 - (63 - (uint32_t)__builtin_clzll(used)) : t;
	}
	mid = lo + (hi - lo) / 2;
	if (p <= mid)
		return free_before(d, 2 * i, lo, mid, p);
	r = free_before(d, 2 * i + 1, mid, hi, p);
	return r == p - mid ? r + d->tree[2 * i].suff : r;
}

static void mark_pages(struct pp_dart *d, uint32_t a, uint32_t b, bool make_free)
{
	seg_assign(d, 1, 0, tree_pages(d), a, b, make_free);
}

/* ---- mapping-start bitmap -------------------------------------------------- */

static void bm_set(struct pp_dart *d, uint32_t p)
{
	for (unsigned l = 0; l < d->bm_levels; l++, p >>= 6) {
		uint64_t *w = &d->bm[l][p >> 6];
		bool had = *w != 0;

		*w |= 1ull << (p & 63);
		if (had) /* upper levels already say this word is nonempty */
			break;
	}
}

static void bm_clear(struct pp_dart *d, uint32_t p)
{
	for (unsigned l = 0; l < d->bm_levels; l++, p >>= 6) {
		uint64_t *w = &d->bm[l][p >> 6];

		*w &= ~(1ull << (p & 63));
		if (*w) /* word still nonempty: upper levels stay set */
			break;
	}
}

static inline uint32_t top_bit(uint64_t w)
{
	return 63u - (uint32_t)__builtin_clzll(w);
}

/* Greatest set page <= p, or DART_NONE. */
static uint32_t bm_pred(const struct pp_dart *d, uint32_t p)
{
	unsigned l = 0;
	uint64_t pos = p;

	/* Climb until some word holds a set bit at or before pos. */
	for (;;) {
		uint64_t w = d->bm[l][pos >> 6] & (~0ull >> (63 - (pos & 63)));

		if (w) {
			pos = (pos & ~63ull) | top_bit(w);
			break;
		}
		if (pos < 64 || l + 1 == d->bm_levels)
			return DART_NONE; /* no earlier word at this level */
		pos = (pos >> 6) - 1; /* the previous word, one level up */
		l++;
	}
	/* Descend taking the highest set bit of each word. */
	while (l > 0) {
		l--;
		pos = (pos << 6) | top_bit(d->bm[l][pos]);
	}
	return (uint32_t)pos;
}

/* ---- misc -------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t mapping_bus(const struct pp_dart *d, const struct mapping *m)
{
	return d->cfg.iova_base + ((uint64_t)m->start << PP_DART_PAGE_SHIFT) + m->off;
}

/* Mapping whose page span holds bus, or NULL. */
static const struct mapping *mapping_at(const struct pp_dart *d, uint64_t bus)
{
	uint64_t rel;
	uint32_t p, s;
	const struct mapping *m;

	if (bus < d->cfg.iova_base || bus - d->cfg.iova_base >= d->cfg.iova_size)
		return NULL;
	rel = bus - d->cfg.iova_base;
	p = (uint32_t)(rel >> PP_DART_PAGE_SHIFT);
	s = bm_pred(d, p);
	if (s == DART_NONE)
		return NULL;
	m = &d->slots[d->start_owner[s]];
	return p - s < m->npages ? m : NULL;
}

/* ---- API ---------------------------------------------------------------------- */

void pp_dart_config_default(struct pp_dart_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cap_bytes = PP_DART_DEFAULT_CAP_BYTES;
	cfg->max_entries = PP_DART_DEFAULT_MAX_ENTRIES;
	cfg->iova_base = PP_DART_DEFAULT_IOVA_BASE;
	cfg->iova_size = PP_DART_DEFAULT_IOVA_SIZE;
	cfg->placement = PP_DART_FIRST_FIT;
	cfg->seed = 0;
}

static bool config_ok(const struct pp_dart_config *c)
{
	if (c->iova_base == 0 || (c->iova_base & PP_DART_PAGE_MASK))
		return false;
	if (c->iova_size == 0 || (c->iova_size & PP_DART_PAGE_MASK))
		return false;
	if (c->iova_size > UINT64_MAX - c->iova_base) /* end must be representable */
		return false;
	if ((c->iova_size >> PP_DART_PAGE_SHIFT) > PP_DART_MAX_PAGES)
		return false;
	if (c->cap_bytes < PP_DART_PAGE_SIZE) /* no page could ever be mapped */
		return false;
	if (c->max_entries == 0 || c->max_entries == DART_NONE)
		return false;
	switch (c->placement) {
	case PP_DART_FIRST_FIT:
	case PP_DART_RANDOM:
	case PP_DART_ADVERSARIAL:
		return true;
	}
	return false;
}

struct pp_dart *pp_dart_new(const struct pp_dart_config *cfg)
{
	struct pp_dart *d;
	uint32_t leaves, words;

	if (!cfg || !config_ok(cfg))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->npages = (uint32_t)(cfg->iova_size >> PP_DART_PAGE_SHIFT);
	for (leaves = 1; leaves * 64ull < d->npages; leaves <<= 1)
		;
	d->tree_leaves = leaves;
	d->base_odd = (uint32_t)(cfg->iova_base >> PP_DART_PAGE_SHIFT) & 1u;
	d->cap_pages = cfg->cap_bytes >> PP_DART_PAGE_SHIFT;
	d->rng = cfg->seed;

	/* Neither needs clearing: seg_build writes what will be read. */
	d->tree = malloc(2 * (size_t)leaves * sizeof(*d->tree));
	d->freebits = malloc((size_t)leaves * sizeof(*d->freebits));
	d->start_owner = malloc((size_t)d->npages * sizeof(*d->start_owner));
	d->slots = malloc((size_t)cfg->max_entries * sizeof(*d->slots));
	words = d->npages;
	do { /* one level per 64x reduction, down to a single word */
		words = (words + 63) / 64;
		d->bm[d->bm_levels] = calloc(words, sizeof(uint64_t));
		if (!d->bm[d->bm_levels++])
			goto fail;
	} while (words > 1);
	if (!d->tree || !d->freebits || !d->start_owner || !d->slots)
		goto fail;

	seg_build(d, 1, 0, tree_pages(d));

	for (uint32_t i = 0; i < cfg->max_entries; i++) {
		d->slots[i].npages = 0;
		d->slots[i].start = i + 1 < cfg->max_entries ? i + 1 : DART_NONE;
	}
	d->free_head = 0;
	return d;
fail:
	pp_dart_free(d);
	return NULL;
}

void pp_dart_free(struct pp_dart *d)
{
	if (!d)
		return;
	for (unsigned l = 0; l < d->bm_levels; l++)
		free(d->bm[l]);
	free(d->tree);
	free(d->freebits);
	free(d->start_owner);
	free(d->slots);
	free(d);
}

const struct pp_dart_config *pp_dart_config(const struct pp_dart *d)
{
	return &d->cfg;
}

/* Chooses the first aperture page for k pages, or DART_NONE. */
static uint32_t place(struct pp_dart *d, uint32_t k)
{
	uint32_t s;

	switch (d->cfg.placement) {
	case PP_DART_RANDOM: {
		/*
		 * A uniform zone (1/64 of the aperture), then the lowest fit at
		 * or after its first page (wrapping), moved back to the start
		 * of its free run but not before the zone: addresses spread
		 * over the whole aperture, yet holes are never cut at random
		 * points, which fragments the aperture far beyond what an
		 * IOVA allocator does (large maps failed with a third of the
		 * cap in use).
		 */
		uint32_t zone = d->npages / RANDOM_ZONES ? d->npages / RANDOM_ZONES : 1;
		uint32_t nz = (d->npages + zone - 1) / zone, from, run;

		from = (uint32_t)(((splitmix64(&d->rng) >> 32) * nz) >> 32) * zone;
		s = find_fit(d, k, from, false);
		if (s == DART_NONE) {
			from = 0;
			s = find_fit(d, k, 0, false);
		}
		if (s == DART_NONE)
			return s;
		run = s - free_before(d, 1, 0, tree_pages(d), s);
		return run > from ? run : from;
	}
	case PP_DART_ADVERSARIAL:
		return find_fit(d, k, 0, true);
	case PP_DART_FIRST_FIT:
	default:
		return find_fit(d, k, 0, false);
	}
}

/*
 * Check order (docs/dart-model.md): INVAL (arguments), OVERFLOW (host range),
 * TOOMANY (entry cap), NOSPC (byte cap), NOSPC (no aperture run).
 */
int pp_dart_map(struct pp_dart *d, uint64_t host, uint64_t len, uint32_t prot,
		uint64_t *bus)
{
	uint64_t np;
	uint32_t k, s, slot;
	struct mapping *m;

	if (!d)
		return PP_ERR_INVAL;
	if (!bus || len == 0 || prot == 0 || (prot & ~(uint32_t)PP_DART_RW)) {
		d->st.fail_inval++;
		return PP_ERR_INVAL;
	}
	if (len > UINT64_MAX - host) {
		d->st.fail_overflow++;
		return PP_ERR_OVERFLOW;
	}
	if (d->st.live_entries >= d->cfg.max_entries) {
		d->st.fail_toomany++;
		return PP_ERR_TOOMANY;
	}
	/* Whole pages touched: the DART charges and maps pages, not bytes. */
	np = ((host + len - 1) >> PP_DART_PAGE_SHIFT) - (host >> PP_DART_PAGE_SHIFT) + 1;
	if (np > d->cap_pages - d->live_pages || np > d->npages) {
		d->st.fail_nospc++;
		return PP_ERR_NOSPC;
	}
	k = (uint32_t)np;
	s = place(d, k);
	if (s == DART_NONE) {
		d->st.fail_nospc++;
		return PP_ERR_NOSPC;
	}

	slot = d->free_head;
	m = &d->slots[slot];
	d->free_head = m->start;
	m->host_page = host & ~PP_DART_PAGE_MASK;
	m->start = s;
	m->npages = k;
	m->off = (uint32_t)(host & PP_DART_PAGE_MASK);
	m->prot = prot;

	mark_pages(d, s, s + k, false);
	d->start_owner[s] = slot;
	bm_set(d, s);

	d->live_pages += k;
	d->st.maps++;
	d->st.live_entries++;
	d->st.live_bytes = d->live_pages << PP_DART_PAGE_SHIFT;
	if (d->st.live_entries > d->st.peak_entries)
		d->st.peak_entries = d->st.live_entries;
	if (d->st.live_bytes > d->st.peak_bytes)
		d->st.peak_bytes = d->st.live_bytes;
	*bus = mapping_bus(d, m);
	return PP_OK;
}

int pp_dart_unmap(struct pp_dart *d, uint64_t bus)
{
	uint64_t rel;
	uint32_t p, slot;
	struct mapping *m;

	if (!d)
		return PP_ERR_INVAL;
	if (bus < d->cfg.iova_base || bus - d->cfg.iova_base >= d->cfg.iova_size)
		goto noent;
	rel = bus - d->cfg.iova_base;
	p = (uint32_t)(rel >> PP_DART_PAGE_SHIFT);
	/* The bit says whether start_owner[p] is meaningful. */
	if (!(d->bm[0][p >> 6] & (1ull << (p & 63))))
		goto noent;
	slot = d->start_owner[p];
	m = &d->slots[slot];
	if (mapping_bus(d, m) != bus) /* same page, other offset */
		goto noent;

	mark_pages(d, m->start, m->start + m->npages, true);
	bm_clear(d, p);
	d->live_pages -= m->npages;
	m->npages = 0;
	m->start = d->free_head;
	d->free_head = slot;

	d->st.unmaps++;
	d->st.live_entries--;
	d->st.live_bytes = d->live_pages << PP_DART_PAGE_SHIFT;
	return PP_OK;
noent:
	d->st.fail_noent++;
	return PP_ERR_NOENT;
}

int pp_dart_translate(struct pp_dart *d, uint64_t bus, uint64_t len,
		      uint32_t access, uint64_t *host)
{
	const struct mapping *m;
	uint64_t first;

	if (!d)
		return PP_ERR_INVAL;
	if (!host || len == 0 || access == 0 || (access & ~(uint32_t)PP_DART_RW)) {
		d->st.fail_inval++;
		return PP_ERR_INVAL;
	}
	d->st.translations++;
	m = mapping_at(d, bus);
	if (!m || len - 1 > UINT64_MAX - bus || (access & ~m->prot))
		goto fault;
	/* The last byte must lie in the same mapping's page span. */
	first = d->cfg.iova_base + ((uint64_t)m->start << PP_DART_PAGE_SHIFT);
	if (bus + (len - 1) - first >= ((uint64_t)m->npages << PP_DART_PAGE_SHIFT))
		goto fault;
	*host = m->host_page + (bus - first);
	return PP_OK;
fault:
	d->st.faults++;
	return PP_ERR_FAULT;
}

int pp_dart_lookup(const struct pp_dart *d, uint64_t bus, uint64_t *host,
		   uint64_t *avail, uint32_t *prot)
{
	const struct mapping *m;
	uint64_t first;

	if (!d)
		return PP_ERR_INVAL;
	m = mapping_at(d, bus);
	if (!m)
		return PP_ERR_FAULT;
	first = d->cfg.iova_base + ((uint64_t)m->start << PP_DART_PAGE_SHIFT);
	if (host)
		*host = m->host_page + (bus - first);
	if (avail)
		*avail = ((uint64_t)m->npages << PP_DART_PAGE_SHIFT) - (bus - first);
	if (prot)
		*prot = m->prot;
	return PP_OK;
}

void pp_dart_get_stats(const struct pp_dart *d, struct pp_dart_stats *st)
{
	*st = d->st;
}

uint64_t pp_dart_free_bytes(const struct pp_dart *d)
{
	return d->cfg.cap_bytes - d->st.live_bytes;
}

uint32_t pp_dart_free_entries(const struct pp_dart *d)
{
	return d->cfg.max_entries - (uint32_t)d->st.live_entries;
}
