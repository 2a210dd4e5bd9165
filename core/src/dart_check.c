/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Invariant checker for the DART model (see dart_internal.h).  It trusts
 * none of dart.c's arithmetic: tree summaries are recomputed by scanning
 * pages, so a summary that is wrong but still yields correct answers (and
 * would only make searches slow) is caught too.
 */
#include "dart_internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                    \
	do {                           \
		if (!(cond)) {         \
			ret = __LINE__; \
			goto out;      \
		}                      \
	} while (0)

static bool odd_page(const struct pp_dart *d, uint32_t p)
{
	return ((p + d->base_odd) & 1u) != 0;
}

/* Summary of pages [lo, hi) by brute force; used[p] != 0 means mapped. */
static struct seg brute(const struct pp_dart *d, const uint8_t *used,
			uint32_t lo, uint32_t hi)
{
	struct seg r = { 0, 0, 0, 0 };
	uint32_t p, e, o;

	for (p = lo; p < hi && !used[p]; p++)
		;
	r.pref = p - lo;
	for (p = hi; p > lo && !used[p - 1]; p--)
		;
	r.suff = hi - p;
	for (p = lo; p < hi; p = e) {
		if (used[p]) {
			e = p + 1;
			continue;
		}
		for (e = p; e < hi && !used[e]; e++)
			;
		if (e - p > r.best)
			r.best = e - p;
		o = odd_page(d, p) ? p : p + 1;
		if (o < e && e - o > r.bodd)
			r.bodd = e - o;
	}
	return r;
}

/*
 * Derives the state of every page below node i (a uniform node speaks for
 * its whole span; its descendants may be stale and are not visited) and
 * checks node i against it.  Returns 0 or a line number.
 */
static int walk(const struct pp_dart *d, uint8_t *used, uint32_t i, uint32_t lo,
		uint32_t hi)
{
	const struct seg *n = &d->tree[i];
	struct seg want;
	int ret;

	if (i >= d->tree_leaves) {
		uint64_t w = d->freebits[i - d->tree_leaves];

		for (uint32_t b = 0; b < 64; b++)
			used[lo + b] = !((w >> b) & 1);
	} else if (n->best == hi - lo || n->best == 0) {
		memset(used + lo, n->best == 0, hi - lo);
	} else {
		uint32_t mid = lo + (hi - lo) / 2;

		ret = walk(d, used, 2 * i, lo, mid);
		if (ret)
			return ret;
		ret = walk(d, used, 2 * i + 1, mid, hi);
		if (ret)
			return ret;
	}
	want = brute(d, used, lo, hi);
	if (want.pref != n->pref || want.suff != n->suff || want.best != n->best ||
	    want.bodd != n->bodd)
		return __LINE__;
	return 0;
}

int pp_dart_check_invariants(const struct pp_dart *d)
{
	const uint32_t tree_pages = d->tree_leaves * 64, max = d->cfg.max_entries;
	uint8_t *used = malloc(tree_pages);
	uint8_t *mark = calloc(d->npages, 1); /* 1 mapped, 2 mapping start */
	uint8_t *is_free = calloc(max, 1);
	uint64_t live = 0, pages = 0, nfree = 0, words;
	int ret = 0;

	CHECK(used && mark && is_free);
	ret = walk(d, used, 1, 0, tree_pages);
	if (ret)
		goto out;
	for (uint32_t p = d->npages; p < tree_pages; p++)
		CHECK(used[p]); /* padding is never free */

	/* Slot free list: no cycles, no live slot on it. */
	for (uint32_t s = d->free_head; s != DART_NONE; s = d->slots[s].start) {
		CHECK(s < max && !is_free[s] && d->slots[s].npages == 0);
		is_free[s] = 1;
		nfree++;
	}

	/* Live mappings: disjoint, inside the aperture, mapped in the tree,
	 * indexed by their start. */
	for (uint32_t s = 0; s < max; s++) {
		const struct mapping *m = &d->slots[s];

		if (is_free[s])
			continue;
		CHECK(m->npages > 0 && (uint64_t)m->start + m->npages <= d->npages);
		CHECK(m->off < PP_DART_PAGE_SIZE && !(m->host_page & PP_DART_PAGE_MASK));
		CHECK(m->prot && !(m->prot & ~(uint32_t)PP_DART_RW));
		if (d->cfg.placement == PP_DART_ADVERSARIAL)
			CHECK(odd_page(d, m->start));
		for (uint32_t p = m->start; p < m->start + m->npages; p++) {
			CHECK(!mark[p] && used[p]);
			mark[p] = 1;
		}
		mark[m->start] = 2;
		CHECK(d->start_owner[m->start] == s);
		live++;
		pages += m->npages;
	}
	CHECK(live + nfree == max);
	for (uint32_t p = 0; p < d->npages; p++) {
		bool bit = (d->bm[0][p >> 6] >> (p & 63)) & 1;

		CHECK(!used[p] == !mark[p]); /* mapped exactly where a mapping is */
		CHECK(bit == (mark[p] == 2));
	}

	/* Start index: no bits past the aperture; each upper bit says "the
	 * word below is nonempty". */
	words = (d->npages + 63) / 64;
	if (d->npages % 64)
		CHECK(!(d->bm[0][words - 1] >> (d->npages % 64)));
	for (unsigned l = 1; l < d->bm_levels; l++) {
		uint64_t up = (words + 63) / 64;

		for (uint64_t w = 0; w < up * 64; w++) {
			bool bit = (d->bm[l][w >> 6] >> (w & 63)) & 1;

			CHECK(bit == (w < words && d->bm[l - 1][w] != 0));
		}
		words = up;
	}
	CHECK(words == 1);

	/* Counters. */
	CHECK(d->st.live_entries == live && d->live_pages == pages);
	CHECK(d->st.live_bytes == pages << PP_DART_PAGE_SHIFT);
	CHECK(pages <= d->cap_pages && live <= max);
	CHECK(d->st.peak_entries >= live && d->st.peak_bytes >= d->st.live_bytes);
	CHECK(d->st.maps - d->st.unmaps == live);
out:
	free(used);
	free(mark);
	free(is_free);
	return ret;
}
