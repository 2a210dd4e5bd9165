/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handle table: the ids the DMA device hands to the guest for its mappings.
 * Bounded, O(1) allocate/lookup/release, and generation-tagged so that an id
 * that was released (or never issued) is recognised as such instead of
 * aliasing a newer mapping in the same slot.  Userspace only (host side).
 */
#ifndef PCIPASS_HANDLES_H
#define PCIPASS_HANDLES_H

#include "types.h"

#define PP_HANDLES_MAX_CAPACITY (1u << 20)

struct pp_handles;

/* capacity: 1..PP_HANDLES_MAX_CAPACITY live handles.  NULL on bad size/OOM. */
struct pp_handles *pp_handles_new(uint32_t capacity);
void pp_handles_free(struct pp_handles *t);

/* Issues a nonzero handle for obj (non-NULL); 0 when the table is full. */
uint32_t pp_handles_alloc(struct pp_handles *t, void *obj);

/* The object of a live handle, or NULL (never issued, released, or 0). */
void *pp_handles_lookup(const struct pp_handles *t, uint32_t handle);

/* Releases a live handle and returns its object; NULL if not live. */
void *pp_handles_release(struct pp_handles *t, uint32_t handle);

uint32_t pp_handles_live(const struct pp_handles *t);

/*
 * Iterates live handles: start with *cursor = 0; returns the next live
 * handle (and its object in *obj) or 0 at the end.  Releasing the returned
 * handle during the walk is allowed.
 */
uint32_t pp_handles_next(const struct pp_handles *t, uint32_t *cursor,
			 void **obj);

#endif
