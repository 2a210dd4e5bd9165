// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The interrupt latch (contract: core/include/pcipass/irqlatch.h).  Host
 * side only, so <stdatomic.h> is fine here (the guest module does not build
 * this file).
 *
 * Every operation is sequentially consistent.  That matters for one race:
 * raise() sets pending then reads the mask, set_mask(v, false) clears the
 * mask then reads pending.  Under seq_cst at least one of the two sees the
 * other's store, so at least one returns true and the wake-up is never lost
 * (both returning true is a harmless double wake).
 */
#include <stdatomic.h>

#include "pcipass/irqlatch.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2,
	       "the latch must be lock-free (and so address-free)");
_Static_assert(sizeof(struct pp_irqlatch) == 2 * PP_IRQLATCH_WORDS * 8,
	       "layout shared with the C++ view of the header");

void pp_irqlatch_init(struct pp_irqlatch *l)
{
	for (unsigned int w = 0; w < PP_IRQLATCH_WORDS; w++) {
		atomic_init(&l->pending[w], 0);
		atomic_init(&l->masked[w], 0);
	}
}

bool pp_irqlatch_raise(struct pp_irqlatch *l, unsigned int vec)
{
	uint64_t bit, old;

	if (vec >= PP_IRQLATCH_VECTORS)
		return false;
	bit = 1ull << (vec % 64);
	old = atomic_fetch_or(&l->pending[vec / 64], bit);
	if (old & bit)
		return false;   /* already pending: whoever set it woke the VMM */
	return !(atomic_load(&l->masked[vec / 64]) & bit);
}

unsigned int pp_irqlatch_take(struct pp_irqlatch *l,
			      uint64_t pending[PP_IRQLATCH_WORDS])
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < PP_IRQLATCH_WORDS; w++) {
		uint64_t m = atomic_load(&l->masked[w]);
		/* Clears exactly the bits outside m and returns what they
		 * were: masked bits stay latched, and a bit raised after this
		 * instant is left for the next take. */
		uint64_t got = atomic_fetch_and(&l->pending[w], m) & ~m;

		pending[w] = got;
		n += (unsigned int)__builtin_popcountll(got);
	}
	return n;
}

bool pp_irqlatch_set_mask(struct pp_irqlatch *l, unsigned int vec,
			  bool masked)
{
	uint64_t bit, old;

	if (vec >= PP_IRQLATCH_VECTORS)
		return false;
	bit = 1ull << (vec % 64);
	if (masked) {
		atomic_fetch_or(&l->masked[vec / 64], bit);
		return false;
	}
	old = atomic_fetch_and(&l->masked[vec / 64], ~bit);
	if (!(old & bit))
		return false;   /* was not masked: its raise already woke */
	return (atomic_load(&l->pending[vec / 64]) & bit) != 0;
}

bool pp_irqlatch_deliverable(struct pp_irqlatch *l)
{
	for (unsigned int w = 0; w < PP_IRQLATCH_WORDS; w++)
		if (atomic_load(&l->pending[w]) & ~atomic_load(&l->masked[w]))
			return true;
	return false;
}

void pp_irqlatch_clear(struct pp_irqlatch *l)
{
	for (unsigned int w = 0; w < PP_IRQLATCH_WORDS; w++)
		atomic_store(&l->pending[w], 0);
}

void pp_irqlatch_peek(struct pp_irqlatch *l,
		      uint64_t pending[PP_IRQLATCH_WORDS],
		      uint64_t masked[PP_IRQLATCH_WORDS])
{
	for (unsigned int w = 0; w < PP_IRQLATCH_WORDS; w++) {
		if (pending)
			pending[w] = atomic_load(&l->pending[w]);
		if (masked)
			masked[w] = atomic_load(&l->masked[w]);
	}
}
