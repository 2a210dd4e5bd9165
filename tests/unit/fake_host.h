/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host for the window policy in unit tests: executes pp_host_op batches
 * on a real DART model, counts round trips, and injects failures (host
 * statuses and allocation failures) on demand.
 */
#ifndef PCIPASS_TEST_FAKE_HOST_H
#define PCIPASS_TEST_FAKE_HOST_H

#include "pcipass/dart.h"
#include "pcipass/dmawin.h"

#define FAKE_MAX_HANDLES (1u << 20)

struct fake_host {
	struct pp_dart *dart;
	uint64_t *bus_of;        /* handle -> bus, 0 when free */
	uint32_t next_handle;
	unsigned long calls, maps, unmaps, bad_unmaps;
	unsigned long max_ops;   /* largest batch seen */
	/* injection */
	int fail_maps_status;    /* nonzero: next fail_maps maps get it */
	unsigned long fail_maps;
	int fail_call_status;    /* nonzero: the whole next call fails */
	long alloc_fail_in;      /* > 0: that allocation (1-based) fails */
	unsigned long allocs, frees;
	struct pp_win_ops ops;
};

void fake_host_init(struct fake_host *h, const struct pp_dart_config *cfg);
void fake_host_fini(struct fake_host *h);

#endif
