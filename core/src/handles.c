// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Generation-tagged handle table (host side only).
 *
 * A handle is (generation << slot_bits) | slot, where slot_bits is the
 * smallest width that indexes `capacity` slots and the generation takes the
 * remaining 32 - slot_bits bits.  Generations run 1..gen_max and skip 0, so
 * no handle is 0.  A slot's generation advances when its handle is
 * released, so the released value no longer matches; it matches again only
 * after gen_max = 2^(32 - slot_bits) - 1 further releases of that same slot
 * (the wrap period: 65535 for a 65536-slot table, 4095 at the 2^20 maximum).
 *
 * Free slots form a FIFO: a released slot goes to the back and is reused
 * only after every slot that was free before it, which keeps the reuse of
 * any one slot (and so the generation wrap) as far away as the load allows.
 *
 * Live slots are also kept in a dense array (`live`, swap-remove), so
 * allocation, lookup, release, count and each iteration step are O(1).
 */
#include <stdlib.h>

#include "pcipass/handles.h"

#define PP_SLOT_NIL UINT32_MAX

struct pp_handle_slot {
	void *obj;     /* NULL while free */
	uint32_t gen;  /* generation of the current (or next) handle: 1..gen_max */
	uint32_t link; /* live: index in live[]; free: next free slot or NIL */
};

struct pp_handles {
	uint32_t capacity;
	uint32_t slot_bits;
	uint32_t slot_mask;
	uint32_t gen_max;
	uint32_t nr_live;
	uint32_t free_head, free_tail;
	uint32_t *live;                /* nr_live slot indices */
	struct pp_handle_slot *slots;  /* capacity slots */
};

struct pp_handles *pp_handles_new(uint32_t capacity)
{
	struct pp_handles *t;
	uint32_t i, bits = 0;

	if (!capacity || capacity > PP_HANDLES_MAX_CAPACITY)
		return NULL;
	while ((UINT64_C(1) << bits) < capacity)
		bits++;

	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->slots = calloc(capacity, sizeof(*t->slots));
	t->live = calloc(capacity, sizeof(*t->live));
	if (!t->slots || !t->live) {
		pp_handles_free(t);
		return NULL;
	}
	t->capacity = capacity;
	t->slot_bits = bits;
	t->slot_mask = (uint32_t)((UINT64_C(1) << bits) - 1);
	t->gen_max = (uint32_t)((UINT64_C(1) << (32 - bits)) - 1);
	for (i = 0; i < capacity; i++) {
		t->slots[i].gen = 1;
		t->slots[i].link = i + 1 < capacity ? i + 1 : PP_SLOT_NIL;
	}
	t->free_head = 0;
	t->free_tail = capacity - 1;
	return t;
}

void pp_handles_free(struct pp_handles *t)
{
	if (!t)
		return;
	free(t->live);
	free(t->slots);
	free(t);
}

uint32_t pp_handles_alloc(struct pp_handles *t, void *obj)
{
	struct pp_handle_slot *s;
	uint32_t i = t->free_head;

	if (!obj || i == PP_SLOT_NIL)
		return 0;
	s = &t->slots[i];
	t->free_head = s->link;
	if (t->free_head == PP_SLOT_NIL)
		t->free_tail = PP_SLOT_NIL;

	s->obj = obj;
	s->link = t->nr_live;
	t->live[t->nr_live++] = i;
	return (uint32_t)(((uint64_t)s->gen << t->slot_bits) | i);
}

/* The slot of a live handle, or NULL. */
static struct pp_handle_slot *pp_handles_slot(const struct pp_handles *t,
					      uint32_t handle)
{
	uint32_t i = handle & t->slot_mask;
	struct pp_handle_slot *s;

	if (!handle || i >= t->capacity)
		return NULL;
	s = &t->slots[i];
	if (!s->obj || s->gen != (uint32_t)((uint64_t)handle >> t->slot_bits))
		return NULL;
	return s;
}

void *pp_handles_lookup(const struct pp_handles *t, uint32_t handle)
{
	struct pp_handle_slot *s = pp_handles_slot(t, handle);

	return s ? s->obj : NULL;
}

void *pp_handles_release(struct pp_handles *t, uint32_t handle)
{
	struct pp_handle_slot *s = pp_handles_slot(t, handle);
	uint32_t i, pos, moved;
	void *obj;

	if (!s)
		return NULL;
	i = (uint32_t)(s - t->slots);
	obj = s->obj;
	s->obj = NULL;
	s->gen = s->gen == t->gen_max ? 1 : s->gen + 1;

	/* Swap-remove from the dense live array. */
	pos = s->link;
	moved = t->live[--t->nr_live];
	t->live[pos] = moved;
	t->slots[moved].link = pos;

	/* Back of the free FIFO. */
	s->link = PP_SLOT_NIL;
	if (t->free_tail == PP_SLOT_NIL)
		t->free_head = i;
	else
		t->slots[t->free_tail].link = i;
	t->free_tail = i;
	return obj;
}

uint32_t pp_handles_live(const struct pp_handles *t)
{
	return t->nr_live;
}

/*
 * The walk goes down the live array; *cursor is 0 before the first step,
 * then 1 + the position last returned.  Releasing the returned handle moves
 * the last live entry (already visited) into its position, so nothing is
 * skipped or seen twice.  Handles allocated during the walk may be missed;
 * releasing other handles than the returned one may make the walk miss or
 * repeat entries, but never reads out of bounds.
 */
uint32_t pp_handles_next(const struct pp_handles *t, uint32_t *cursor,
			 void **obj)
{
	uint32_t pos = *cursor ? *cursor - 1 : t->nr_live;
	const struct pp_handle_slot *s;
	uint32_t i;

	if (pos > t->nr_live)
		pos = t->nr_live;
	if (!pos) {
		if (obj)
			*obj = NULL;
		return 0;
	}
	pos--;
	*cursor = pos + 1;
	i = t->live[pos];
	s = &t->slots[i];
	if (obj)
		*obj = s->obj;
	return (uint32_t)(((uint64_t)s->gen << t->slot_bits) | i);
}
