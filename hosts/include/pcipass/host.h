/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host-backend interface: how the VMM reaches a physical PCI function
 * that the host owns.  Shaped like the pcipass dext's user client (one call
 * here is one selector there), so the Mac backend ("dext", IOKit) and the
 * in-process twin of a Mac host ("sim") meet the same contract, and QEMU's
 * passthrough device is written once against it.  docs/host-interface.md
 * gives the semantics of every call; nothing here depends on QEMU.
 *
 * Threading: every call may come from any one thread at a time per device,
 * except pp_host_irq_take(), which the VMM's event loop may call
 * concurrently with the others.  A backend signals interrupts and events on
 * irq_fd from its own threads.
 */
#ifndef PCIPASS_HOST_H
#define PCIPASS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcipass/mapper.h" /* struct pp_dma_req */
#include "pcipass/status.h"

#define PP_HOST_ID_LEN      64
#define PP_HOST_MAX_BARS    6
#define PP_HOST_MAX_VECTORS 256
#define PP_HOST_CFG_SIZE    4096

/* Identity of one PCI function the backend can pass through. */
struct pp_host_dev_info {
	char id[PP_HOST_ID_LEN];        /* stable, unique across PCIe roots:
					 * "<root>:<bus>:<dev>.<fn>" */
	char location[PP_HOST_ID_LEN];  /* human-readable: root port, slot */
	uint16_t segment;
	uint8_t bus, dev, fn;           /* host BDF: not unique on a Mac */
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;            /* 24 bits: base, sub, prog-if */
	uint8_t revision;
	uint16_t nr_vectors;            /* MSI-X table size, or MSI count */
	bool owned;                     /* the host driver (dext) owns it */
};

enum pp_host_bar_type {
	PP_HOST_BAR_NONE = 0,           /* not implemented */
	PP_HOST_BAR_MEM32,
	PP_HOST_BAR_MEM64,              /* the BAR pair's lower index */
	PP_HOST_BAR_IO,
};

struct pp_host_bar_info {
	uint64_t size;                  /* bytes, power of two; 0 if none */
	enum pp_host_bar_type type;
	bool prefetchable;
	bool mappable;                  /* pp_host_bar_map gives a pointer */
};

enum pp_host_irq_type {
	PP_HOST_IRQ_NONE = 0,
	PP_HOST_IRQ_MSI,
	PP_HOST_IRQ_MSIX,
};

enum pp_host_reset {
	PP_HOST_RESET_FUNCTION = 1,     /* FLR, falling back to hot reset */
	PP_HOST_RESET_HOT = 2,          /* secondary bus reset: all functions */
};

/* Events besides interrupts, read with pp_host_events(). */
#define PP_HOST_EV_GONE    (1u << 0) /* device unplugged or driver stopped */
#define PP_HOST_EV_DMA_FAULT (1u << 1) /* the device hit an unmapped address */

struct pp_host_dma_usage {
	uint64_t live_bytes, live_entries;
	uint64_t cap_bytes, max_entries;
	uint64_t faults;
};

struct pp_host;      /* a backend instance (one per VMM process) */
struct pp_host_dev;  /* one opened (claimed) function */

struct pp_host_ops {
	const char *name;

	/* ---- backend ---- */
	int (*enumerate)(struct pp_host *h, struct pp_host_dev_info *out,
			 unsigned int max, unsigned int *n);
	/* Claims the function (exclusive) by its id. */
	int (*open)(struct pp_host *h, const char *id, struct pp_host_dev **out);
	void (*destroy)(struct pp_host *h);

	/* ---- device ---- */
	/* Releases: every DMA mapping unmapped, interrupts off, BARs unmapped. */
	void (*close)(struct pp_host_dev *d);
	int (*info)(struct pp_host_dev *d, struct pp_host_dev_info *info);

	/* Config space, size 1, 2 or 4, naturally aligned, off < 4096.  The
	 * host owns the BARs and the status register: those bytes of a write
	 * are dropped (PP_OK, no effect); see pp_host_cfg_write_mask. */
	int (*cfg_read)(struct pp_host_dev *d, uint32_t off, unsigned int size,
			uint32_t *val);
	int (*cfg_write)(struct pp_host_dev *d, uint32_t off, unsigned int size,
			 uint32_t val);

	int (*bar_info)(struct pp_host_dev *d, unsigned int bar,
			struct pp_host_bar_info *info);
	/* A pointer to the whole BAR in the VMM's address space, for mapping
	 * into the guest; PP_ERR_INVAL if the BAR is not mappable ("trap
	 * only": use bar_read/bar_write). */
	int (*bar_map)(struct pp_host_dev *d, unsigned int bar, void **ptr,
		       uint64_t *len);
	void (*bar_unmap)(struct pp_host_dev *d, unsigned int bar, void *ptr);
	/* Trapped access: size 1, 2, 4 or 8, naturally aligned, inside the BAR. */
	int (*bar_read)(struct pp_host_dev *d, unsigned int bar, uint64_t off,
			unsigned int size, uint64_t *val);
	int (*bar_write)(struct pp_host_dev *d, unsigned int bar, uint64_t off,
			 unsigned int size, uint64_t val);

	/*
	 * DMA registration of VMM memory (addr = a VMM virtual address, which
	 * must stay wired and never be copied: guest RAM as the VMM allocated
	 * it).  A status per range: PP_OK with bus set, PP_ERR_NOSPC,
	 * PP_ERR_TOOMANY, PP_ERR_SPLIT (the host could not give one contiguous
	 * bus range), PP_ERR_INVAL.  Returns PP_OK or a whole-call failure
	 * (PP_ERR_HOST: device gone), in which case nothing was mapped.
	 */
	int (*dma_map)(struct pp_host_dev *d, struct pp_dma_req *reqs,
		       unsigned int n);
	int (*dma_unmap)(struct pp_host_dev *d, const uint64_t *bus,
			 int32_t *status, unsigned int n);
	int (*dma_usage)(struct pp_host_dev *d, struct pp_host_dma_usage *u);

	/* Interrupts.  configure once per open (the Mac allows one
	 * configuration per device); *granted <= nvec. */
	int (*irq_configure)(struct pp_host_dev *d, enum pp_host_irq_type type,
			     unsigned int nvec, unsigned int *granted);
	/* A descriptor that becomes readable when an unmasked vector is pending
	 * or an event is raised; the VMM polls it and then calls irq_take and
	 * events.  Draining it is the backend's job (in irq_take/events). */
	int (*irq_fd)(struct pp_host_dev *d);
	/* Reads and clears the pending unmasked vectors (bit v of word v/64). */
	int (*irq_take)(struct pp_host_dev *d, uint64_t pending[4]);
	/* Masks or unmasks one vector.  An interrupt raised while masked is
	 * latched and becomes pending (fd signalled) on unmask. */
	int (*irq_mask)(struct pp_host_dev *d, unsigned int vec, bool masked);
	/* Reads and clears PP_HOST_EV_* */
	int (*events)(struct pp_host_dev *d, uint32_t *events);

	int (*reset)(struct pp_host_dev *d, enum pp_host_reset type);
};

struct pp_host {
	const struct pp_host_ops *ops;
};

struct pp_host_dev {
	const struct pp_host_ops *ops;
};

/*
 * Creates a backend by name: "sim" (always), "dext" (macOS only).  args is
 * backend-specific ("sim": a comma-separated option list, see
 * docs/host-interface.md; may be NULL).  NULL with *status set on failure.
 */
struct pp_host *pp_host_create(const char *name, const char *args,
			       int *status);

/*
 * Config bytes the host owns (portable rule shared with the dext): the BARs
 * 0x10-0x27, the expansion ROM BAR 0x30-0x33, the status register 0x06-0x07.
 * Returns a mask of the bytes of the write [off, off + size) that may reach
 * the device: bit i set = byte off + i.  Backends write only those bytes.
 */
unsigned int pp_host_cfg_write_mask(uint32_t off, unsigned int size);

#endif
