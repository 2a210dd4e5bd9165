/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the dext core shared by dext_core.c and dext_dma.c.  Not for
 * the shell or the tests: they use dext_core.h.
 */
#ifndef PCIPASS_DEXT_INTERNAL_H
#define PCIPASS_DEXT_INTERNAL_H

#include <stdatomic.h>

#include "dext_core.h"
#include "pcipass/avl.h"
#include "pcipass/handles.h"
#include "pcipass/irqlatch.h"

/* One live DMA registration: one preparation, one contiguous bus range. */
struct pp_dext_reg {
	struct pp_avl_node node;   /* key: bus address */
	uint64_t addr, len;        /* client range */
	uint64_t acct;             /* bytes accounted: 16 KiB pages touched */
	void *token;               /* the platform's preparation */
	uint32_t handle;
	uint32_t prot;
};

/* DMA state of the owning client (allocated at CLAIM). */
struct pp_dext_dma {
	struct pp_handles *handles;
	struct pp_avl by_bus;
	uint64_t live_bytes, live_entries;
	uint64_t peak_bytes, peak_entries;
	uint64_t maps, map_failures, unmaps, unmap_failures, splits;
};

struct pp_dext_client {
	struct pp_dext_dev *dev;
	void *ctx;
	struct pp_dext_dma *dma;   /* while owner and the device is present */
	size_t mem;                /* bytes held through the allocator */
};

struct pp_dext_bar {
	uint64_t size;
	uint32_t type, flags;      /* PP_DEXT_BAR_*, PP_DEXT_BAR_F_* */
	uint8_t memory_index, raw_type;
};

struct pp_dext_dev {
	const struct pp_dext_platform *pf;
	void *ctx;
	struct pp_dext_config cfg;

	/* identity (probe) */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint32_t class_code;
	uint8_t revision, header_type, bus, devno, fn;
	uint64_t registry_id;
	uint16_t msi_cap, msix_cap;   /* offsets, 0 if absent */
	uint16_t msi_len;             /* bytes of the MSI capability */
	uint16_t msi_vectors, msix_vectors;
	struct pp_dext_bar bars[PP_DEXT_ROM_BAR + 1];

	/* interrupts: configured once per device, kept across claims */
	unsigned int irq_type, irq_granted;
	_Atomic unsigned int irq_live;  /* vectors delivered now (0: none) */
	struct pp_irqlatch latch;
	void *_Atomic wait_token;
	_Atomic uint32_t events;
	_Atomic bool gone;
	_Atomic uint64_t wait_seq;
	_Atomic uint64_t irq_raised, irq_spurious, irq_wakeups;
	_Atomic uint64_t waits_completed, waits_aborted;

	/* under the lock */
	struct pp_dext_client *owner;
	unsigned int nclients;
	bool dying;
	struct pp_dext_stats stats;   /* the non-atomic counters */
	unsigned int log_budget;
	size_t mem;
};

/* ---- dext_core.c helpers used by dext_dma.c ---- */
void *pp_dext_alloc(struct pp_dext_client *c, size_t size);
void pp_dext_free(struct pp_dext_client *c, void *p, size_t size);
void pp_dext_logf(struct pp_dext_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Rate-limited variant for per-request anomalies. */
void pp_dext_anomaly(struct pp_dext_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- dext_dma.c ---- */
int pp_dext_dma_init(struct pp_dext_client *c);
/* Completes and frees every registration, then the DMA state. */
void pp_dext_dma_fini(struct pp_dext_client *c);
void pp_dext_dma_map(struct pp_dext_client *c,
		     const struct pp_dext_map_in *in,
		     struct pp_dext_map_out *out, uint32_t count);
void pp_dext_dma_unmap(struct pp_dext_client *c,
		       const struct pp_dext_unmap_in *in, int32_t *status,
		       uint32_t count);
void pp_dext_dma_usage(struct pp_dext_client *c,
		       struct pp_dext_dma_usage *u);
/* Bytes accounted for [addr, addr + len): 16 KiB pages touched. */
uint64_t pp_dext_acct_bytes(uint64_t addr, uint64_t len);

#endif
