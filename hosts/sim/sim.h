/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated Mac host ("sim" backend): an in-process twin of a Mac with
 * one Thunderbolt slot holding a loopback GPU (function 0) and a minimal
 * audio function (function 1) behind one DART.  pp_host_create("sim", args)
 * reaches it; this header adds what only tests need: the constructor itself,
 * an unplug switch and a state probe.  Options, semantics and the GPU's
 * register map: docs/host-interface.md, docs/sim-gpu.md.
 */
#ifndef PCIPASS_HOSTS_SIM_H
#define PCIPASS_HOSTS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "pcipass/dart.h"
#include "pcipass/host.h"

/* The registry's entry point (hosts/host.c). */
struct pp_host *pp_host_sim_create(const char *args, int *status);

/*
 * Unplugs the slot, as a Thunderbolt cable pull does on a Mac: every open
 * function gets PP_HOST_EV_GONE (its irq_fd becomes readable), its DMA
 * mappings are torn down, its engine stops, and every later call on it
 * fails with PP_ERR_HOST except events() and close().  enumerate() then
 * lists nothing.  Safe from any thread, concurrently with calls.
 */
void pp_sim_unplug(struct pp_host *h);

/* What a test may want to see that the interface does not show. */
struct pp_sim_inspect {
	/* the slot: one DART shared by both functions */
	struct pp_dart_stats dart;
	bool gone;
	/* the function */
	bool open;
	bool engine_thread;         /* the GPU's engine thread exists */
	uint16_t command;           /* config COMMAND register */
	uint64_t owned_mappings;    /* DMA mappings made through this open */
	enum pp_host_irq_type irq_type; /* host configuration (sticky) */
	unsigned int irq_granted;
	uint64_t pba[4];            /* device-level pending (MSI-X PBA) */
	uint64_t msgs_delivered;    /* messages that reached the host latch */
	uint64_t msgs_pended;       /* held in the PBA by a device mask */
	uint64_t msgs_dropped;      /* BME clear, MSI(-X) disabled, no host
				     * handler, or misrouted */
	uint64_t bar_maps;          /* outstanding bar_map pointers */
};

/* PP_OK, or PP_ERR_INVAL for a function that does not exist. */
int pp_sim_inspect(struct pp_host *h, unsigned int fn,
		   struct pp_sim_inspect *st);

#endif
