/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the DART model, shared by dart.c and the invariant checker
 * (dart_check.c) that the unit tests call.  Nothing else includes this.
 */
#ifndef PCIPASS_DART_INTERNAL_H
#define PCIPASS_DART_INTERNAL_H

#include <pcipass/dart.h>

#define DART_NONE UINT32_MAX /* no page, no slot */

/* Largest aperture accepted: 2^24 pages = 256 GiB of bus space (64 MiB of
 * start index).  Keeps page arithmetic in u32 and a typo in iova_size from
 * asking for gigabytes of state. */
#define PP_DART_MAX_PAGES (1u << 24)
/* 64-ary levels of the start index: 4 cover PP_DART_MAX_PAGES. */
#define DART_BM_LEVELS 6

struct seg {
	uint32_t pref; /* free pages from the span's first page */
	uint32_t suff; /* free pages ending at the span's last page */
	uint32_t best; /* longest free run inside the span */
	uint32_t bodd; /* longest run left when it must start on an odd bus page */
};

struct mapping {
	uint64_t host_page; /* host rounded down to 16 KiB */
	uint32_t start;     /* first aperture page; next free slot when free */
	uint32_t npages;    /* 0 when the slot is free */
	uint32_t off;       /* host's offset in its 16 KiB page (bus keeps it) */
	uint32_t prot;
};

struct pp_dart {
	struct pp_dart_config cfg;
	uint32_t npages;      /* aperture pages */
	uint32_t tree_leaves; /* leaf words: power of two >= npages / 64 */
	uint32_t base_odd;    /* parity of iova_base's bus page number */
	uint64_t cap_pages;
	uint64_t live_pages;
	uint64_t rng;         /* splitmix64 state (RANDOM) */

	struct seg *tree;     /* 1-based heap, 2 * tree_leaves nodes */
	uint64_t *freebits;   /* leaf words, bit set = page free, padding used */
	uint32_t *start_owner; /* page -> slot, only valid at mapping starts */
	uint64_t *bm[DART_BM_LEVELS];
	unsigned bm_levels;

	struct mapping *slots;
	uint32_t free_head;

	struct pp_dart_stats st;
};

/*
 * Recomputes everything from first principles (every tree summary by brute
 * force over the pages, the free bitmap against the live mappings, the start
 * index, the slot free list, the counters) and returns 0, or the line number
 * in dart_check.c of the first check that failed.  O(pages * log(pages) +
 * entries): for tests only.
 */
int pp_dart_check_invariants(const struct pp_dart *d);

#endif
