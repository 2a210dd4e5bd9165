/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Block table of the window policy: an open-addressing hash from a block key
 * (window level and block index, or a direct mapping's first page) to the
 * block's live-use count and the mapping that covers exactly that block.
 * Linear probing with backward-shift deletion, so no tombstones build up
 * under churn.  Pointers to entries are valid only until the next get/put.
 */
#ifndef PCIPASS_BLOCKTAB_H
#define PCIPASS_BLOCKTAB_H

#include "pcipass/types.h"

struct pp_mapping;

struct pp_block {
	uint64_t key;            /* 0: empty slot */
	uint32_t count;          /* live requests (page level) or pages */
	uint32_t unused;
	struct pp_mapping *map;  /* mapping of exactly this block, or NULL */
};

struct pp_blocktab {
	struct pp_block *slots;
	uint32_t mask;           /* capacity - 1, capacity a power of two */
	uint32_t used;
	void *ctx;
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p);
};

int pp_blocktab_init(struct pp_blocktab *t, uint32_t capacity,
		     void *(*alloc)(void *, size_t), void (*free)(void *, void *),
		     void *ctx);
void pp_blocktab_fini(struct pp_blocktab *t);
struct pp_block *pp_blocktab_find(const struct pp_blocktab *t, uint64_t key);
/* Finds or inserts a zeroed entry; NULL when memory is exhausted. */
struct pp_block *pp_blocktab_get(struct pp_blocktab *t, uint64_t key);
/* Deletes b if it holds nothing any more (count 0, no mapping). */
void pp_blocktab_put(struct pp_blocktab *t, struct pp_block *b);

/*
 * Growing ahead of need, for callers whose get() runs where allocating is
 * fragile (atomic context in the guest module): the capacity worth growing
 * to now (load over a quarter), or 0.
 */
uint32_t pp_blocktab_wanted(const struct pp_blocktab *t);
/* Moves every entry into slots[capacity] (allocated by the caller with the
 * table's allocator family) and frees the old array; -1 (nothing done) if
 * capacity is not a power of two at least twice the entries in use. */
int pp_blocktab_adopt(struct pp_blocktab *t, struct pp_block *slots,
		      uint32_t capacity);

#endif
