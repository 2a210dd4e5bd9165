// SPDX-License-Identifier: GPL-2.0-or-later
/* Block table of the window policy: see blocktab.h. */
#include "blocktab.h"

static uint32_t slot_of(const struct pp_blocktab *t, uint64_t key)
{
	/* Fibonacci hashing: block indices are clustered, so mix them. */
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
}

static struct pp_block *new_slots(struct pp_blocktab *t, uint32_t capacity)
{
	struct pp_block *s = t->alloc(t->ctx, (size_t)capacity * sizeof(*s));
	uint32_t i;

	if (s)
		for (i = 0; i < capacity; i++)
			s[i].key = 0;
	return s;
}

int pp_blocktab_init(struct pp_blocktab *t, uint32_t capacity,
		     void *(*alloc)(void *, size_t), void (*free)(void *, void *),
		     void *ctx)
{
	uint32_t cap = 16;

	while (cap < capacity && cap < (1u << 30))
		cap <<= 1;
	t->alloc = alloc;
	t->free = free;
	t->ctx = ctx;
	t->used = 0;
	t->mask = cap - 1;
	t->slots = new_slots(t, cap);
	return t->slots ? 0 : -1;
}

void pp_blocktab_fini(struct pp_blocktab *t)
{
	if (t->slots)
		t->free(t->ctx, t->slots);
	t->slots = NULL;
}

struct pp_block *pp_blocktab_find(const struct pp_blocktab *t, uint64_t key)
{
	uint32_t i = slot_of(t, key);

	while (t->slots[i].key) {
		if (t->slots[i].key == key)
			return &t->slots[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

int pp_blocktab_adopt(struct pp_blocktab *t, struct pp_block *slots,
		      uint32_t capacity)
{
	uint32_t old_cap = t->mask + 1, i, j;
	struct pp_block *old = t->slots;

	if (!slots || !capacity || (capacity & (capacity - 1)) ||
	    (uint64_t)t->used * 2 > capacity)
		return -1;
	for (i = 0; i < capacity; i++)
		slots[i].key = 0;
	t->slots = slots;
	t->mask = capacity - 1;
	for (i = 0; i < old_cap; i++) {
		if (!old[i].key)
			continue;
		j = slot_of(t, old[i].key);
		while (slots[j].key)
			j = (j + 1) & t->mask;
		slots[j] = old[i];
	}
	t->free(t->ctx, old);
	return 0;
}

uint32_t pp_blocktab_wanted(const struct pp_blocktab *t)
{
	uint32_t cap = t->mask + 1;

	/* a quarter full: leaves room for a burst of maps before the caller's
	 * memory arrives (get() itself grows at three quarters) */
	if (cap >= (1u << 30) || (uint64_t)t->used * 4 <= cap)
		return 0;
	return cap * 2;
}

static void grow(struct pp_blocktab *t)
{
	uint32_t cap = t->mask + 1;
	struct pp_block *s;

	if (cap >= (1u << 30))
		return;
	s = t->alloc(t->ctx, (size_t)cap * 2 * sizeof(*s));
	/* on failure keep going at a higher load; get() fails when full */
	if (s)
		pp_blocktab_adopt(t, s, cap * 2);
}

struct pp_block *pp_blocktab_get(struct pp_blocktab *t, uint64_t key)
{
	struct pp_block *b = pp_blocktab_find(t, key);
	uint32_t i, cap;

	if (b)
		return b;
	cap = t->mask + 1;
	if ((uint64_t)(t->used + 1) * 4 > (uint64_t)cap * 3)
		grow(t);
	cap = t->mask + 1;
	/* Never fill the table: probing needs empty slots to stop. */
	if ((uint64_t)(t->used + 1) * 16 > (uint64_t)cap * 15)
		return NULL;
	i = slot_of(t, key);
	while (t->slots[i].key)
		i = (i + 1) & t->mask;
	b = &t->slots[i];
	b->key = key;
	b->count = 0;
	b->unused = 0;
	b->map = NULL;
	t->used++;
	return b;
}

void pp_blocktab_put(struct pp_blocktab *t, struct pp_block *b)
{
	uint32_t hole, i, home;

	if (b->count || b->map)
		return;
	hole = (uint32_t)(b - t->slots);
	t->used--;
	/* Backward-shift: pull later members of the probe run into the hole. */
	for (i = (hole + 1) & t->mask; t->slots[i].key; i = (i + 1) & t->mask) {
		home = slot_of(t, t->slots[i].key);
		/* Move i to hole unless its home lies cyclically in (hole, i]. */
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slots[hole] = t->slots[i];
			hole = i;
		}
	}
	t->slots[hole].key = 0;
}
