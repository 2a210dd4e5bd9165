/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interrupt latch shared by every host backend (the sim and the Mac
 * dext): a 256-vector pending bitmap and a per-vector host-level mask.
 * The backend's interrupt path raises vectors; the VMM takes the unmasked
 * pending ones.  A vector raised while masked stays latched and becomes
 * deliverable when unmasked: nothing is ever dropped, and several raises of
 * one vector before a take coalesce into one (MSI pending-bit semantics).
 *
 * Lock-free (C11 atomics, sequentially consistent), so the raiser (device
 * thread, or the dext's interrupt queue), the taker (VMM event loop) and the
 * masker (vCPU thread) never block each other.  Lock-free 64-bit atomics are
 * address-free, so the latch may also live in memory shared between two
 * processes (the dext and its client).  Host side only: not for the guest
 * module.
 *
 * Wake-up rule (what the boolean results are for): the party that must wake
 * the VMM is the one whose call returns true.  raise() returns true when the
 * vector went from not pending to pending while unmasked; set_mask(v, false)
 * returns true when unmasking made a latched vector deliverable.  A consumer
 * that drains its wake-up signal BEFORE calling take() and re-signals when
 * deliverable() is still true afterwards never loses a wake-up (see
 * docs/host-interface.md, "Interrupts").
 */
#ifndef PCIPASS_IRQLATCH_H
#define PCIPASS_IRQLATCH_H

#include <stdbool.h>
#include <stdint.h>

#define PP_IRQLATCH_VECTORS 256
#define PP_IRQLATCH_WORDS   (PP_IRQLATCH_VECTORS / 64)

#ifdef __cplusplus
/* The DriverKit shell is C++: it only passes pointers (same layout: a
 * lock-free _Atomic uint64_t is a plain 8-byte word). */
struct pp_irqlatch {
	uint64_t pending[PP_IRQLATCH_WORDS];
	uint64_t masked[PP_IRQLATCH_WORDS];
};
extern "C" {
#else
struct pp_irqlatch {
	_Atomic uint64_t pending[PP_IRQLATCH_WORDS]; /* bit v of word v / 64 */
	_Atomic uint64_t masked[PP_IRQLATCH_WORDS];
};
#endif

/* Nothing pending, every vector unmasked.  Not atomic: before sharing. */
void pp_irqlatch_init(struct pp_irqlatch *l);

/*
 * Marks vec pending.  Returns true when the VMM must be woken: the vector
 * was not pending before and is unmasked.  False for vec >= 256.
 */
bool pp_irqlatch_raise(struct pp_irqlatch *l, unsigned int vec);

/*
 * Reads and clears the pending vectors that are unmasked (masked ones stay
 * latched).  pending[] receives them (bit v of word v / 64); returns how
 * many vectors were taken.
 */
unsigned int pp_irqlatch_take(struct pp_irqlatch *l,
			      uint64_t pending[PP_IRQLATCH_WORDS]);

/*
 * Masks or unmasks vec.  Returns true when unmasking made a latched vector
 * deliverable (the caller then wakes the VMM).  False for vec >= 256.
 */
bool pp_irqlatch_set_mask(struct pp_irqlatch *l, unsigned int vec,
			  bool masked);

/* Whether any unmasked vector is pending right now. */
bool pp_irqlatch_deliverable(struct pp_irqlatch *l);

/* Drops every pending vector, masked or not; masks are kept. */
void pp_irqlatch_clear(struct pp_irqlatch *l);

/* A snapshot for inspection (either pointer may be NULL). */
void pp_irqlatch_peek(struct pp_irqlatch *l,
		      uint64_t pending[PP_IRQLATCH_WORDS],
		      uint64_t masked[PP_IRQLATCH_WORDS]);

#ifdef __cplusplus
}
#endif

#endif
