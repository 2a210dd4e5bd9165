/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The portable core of the pcipass dext: every decision the dext makes
 * (argument checking, ownership, config filtering, DMA registration tables
 * and accounting, the interrupt latch and the async wait, unplug) lives
 * here, in C11, and is unit-tested and fuzzed off the Mac.  The DriverKit
 * shell (mac/dext/driver/) only implements struct pp_dext_platform with
 * PCIDriverKit calls and passes the user client's raw arguments to
 * pp_dext_dispatch().
 *
 * Objects:
 *   struct pp_dext_dev     one per IOPCIDevice the dext started on;
 *   struct pp_dext_client  one per IOUserClient (IOServiceOpen); at most one
 *                          client of a device owns it (CLAIM) at a time.
 *
 * Threading: every entry point may be called from any thread.  A device
 * lock (pf->lock/unlock) serialises the calls that touch device state;
 * pp_dext_irq_raise() takes no lock (C11 atomics + the lock-free irqlatch)
 * so the interrupt queue is never held up by a DMA batch, and
 * pp_dext_device_gone() wakes the armed wait before it takes the lock.
 *
 * Memory: a client that never claims costs sizeof(struct pp_dext_client);
 * the owner adds a handle table (PP_DEXT_HANDLE_SLOT_BYTES per possible
 * registration) and one registration record per live registration; see
 * pp_dext_client_mem_bound() and docs/mac-dext.md.
 */
#ifndef PCIPASS_DEXT_CORE_H
#define PCIPASS_DEXT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcipass/dext_abi.h"
#include "pcipass/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One DMA segment as IODMACommand::PrepareForDMA returns it. */
struct pp_dext_seg {
	uint64_t addr, len;
};

/* kPCIBARType* values GetBARInfo reports (IOPCIFamilyDefinitions.h). */
#define PP_DEXT_RAW_BAR_M32    0x0u
#define PP_DEXT_RAW_BAR_IO     0x1u
#define PP_DEXT_RAW_BAR_M64    0x4u
#define PP_DEXT_RAW_BAR_M32PF  0x8u
#define PP_DEXT_RAW_BAR_M64PF  0xCu

/*
 * What the shell provides.  Every op returns a pp_status (the shell maps
 * kern_return_t failures: see mac/dext/driver/PcipassPlatform.cpp) unless
 * it returns void.  `dev` is the context given to pp_dext_device_new(),
 * `client` the one given to pp_dext_client_new().  All ops are required
 * except mem_alloc/mem_free/log.
 */
struct pp_dext_platform {
	/* ---- device ---- */
	/* Config space: size 1, 2 or 4, naturally aligned, off < 4096
	 * (the core checks before calling). */
	int (*cfg_read)(void *dev, uint32_t off, unsigned int size,
			uint32_t *val);
	int (*cfg_write)(void *dev, uint32_t off, unsigned int size,
			 uint32_t val);
	/* GetBARInfo(bar 0..6): PP_OK with memory index, size and the raw
	 * kPCIBARType; any failure means "no such BAR". */
	int (*bar_info)(void *dev, unsigned int bar, uint8_t *memory_index,
			uint64_t *size, uint8_t *raw_type);
	/* MemoryRead/Write 8/16/32/64 at off of the BAR with this memory
	 * index (checked by the core: inside the BAR, aligned). */
	int (*bar_read)(void *dev, uint8_t memory_index, uint64_t off,
			unsigned int size, uint64_t *val);
	int (*bar_write)(void *dev, uint8_t memory_index, uint64_t off,
			 unsigned int size, uint64_t val);
	/* One ConfigureInterrupts of this type (PP_DEXT_IRQ_MSI or _MSIX)
	 * asking for nvec (1..256) and one interrupt source per granted
	 * vector, disabled; *granted = sources made (1..nvec).  The core
	 * calls it until one succeeds, then never again for the device, and
	 * does the MSI-X -> MSI fallback of PP_DEXT_IRQ_ANY itself. */
	int (*irq_configure)(void *dev, unsigned int type, unsigned int nvec,
			     unsigned int *granted);
	/* Enables or disables every configured interrupt source. */
	void (*irq_enable)(void *dev, bool on);
	/* One IOPCIDevice::Reset of this type (PP_DEXT_RESET_FUNCTION = FLR,
	 * PP_DEXT_RESET_HOT = hot reset); the core does the FLR -> hot
	 * fallback. */
	int (*reset)(void *dev, unsigned int type);
	/* Completes an async wait token (see IRQ_WAIT in dext_abi.h) and
	 * releases it: called exactly once per token the core accepted. */
	void (*complete_wait)(void *dev, void *token, uint32_t ioreturn,
			      const uint64_t *args, unsigned int nargs);
	void (*lock)(void *dev);
	void (*unlock)(void *dev);
	/* Optional diagnostics (one line, no newline). */
	void (*log)(void *dev, const char *line);

	/* ---- client ---- */
	/*
	 * Registers [addr, addr + len) of the client's memory for DMA:
	 * CreateMemoryDescriptorFromClient (kIOMemoryDisableCopyOnWrite) and
	 * one IODMACommand preparation.  On PP_OK: *token (non-NULL) owns the
	 * preparation, segs[0..*nseg) as PrepareForDMA returned them (at most
	 * PP_DEXT_MAX_SEGMENTS; fewer bytes than len when the preparation
	 * needed more segments), *granted_prot the direction granted
	 * (PP_DEXT_PROT_*).  The core checks all of it and calls dma_complete
	 * for every token it does not keep.  Failures: PP_ERR_RANGE (not the
	 * client's memory), PP_ERR_NOMEM, PP_ERR_NOSPC / PP_ERR_TOOMANY (the
	 * DART said no), PP_ERR_HOST.
	 */
	int (*dma_prepare)(void *client, uint64_t addr, uint64_t len,
			   uint32_t prot, void **token,
			   struct pp_dext_seg segs[PP_DEXT_MAX_SEGMENTS],
			   unsigned int *nseg, uint32_t *granted_prot);
	/* CompleteDMA and release; the token is gone afterwards whatever the
	 * result (a failure is counted). */
	int (*dma_complete)(void *client, void *token);

	/* ---- memory (optional: NULL = calloc/free) ---- */
	void *(*mem_alloc)(void *dev, size_t size);          /* zeroed */
	void (*mem_free)(void *dev, void *p, size_t size);
};

/* Per-device limits, from the personality's properties (docs/mac-dext.md). */
struct pp_dext_config {
	uint64_t cap_bytes;        /* mapped bytes (16 KiB pages) per claim */
	uint32_t max_entries;      /* live registrations per claim */
	uint64_t max_map_len;      /* longest single registration */
	bool allow_multimedia;     /* accept class 0x04 functions */
};

#define PP_DEXT_DEFAULT_CAP_BYTES   (1472ull << 20)  /* 1.5 GiB - 64 MiB */
#define PP_DEXT_DEFAULT_MAX_ENTRIES 65024u           /* 64k - 512 */
#define PP_DEXT_DEFAULT_MAX_MAP_LEN (1ull << 30)
#define PP_DEXT_MAX_MAX_ENTRIES     (1u << 20)       /* handle table cap */

/* Bytes of the handle table per possible registration (handles.c: a
 * 16-byte slot plus a 4-byte live index). */
#define PP_DEXT_HANDLE_SLOT_BYTES   20u

void pp_dext_config_defaults(struct pp_dext_config *cfg);
/* Clamps every field into its valid range (0 = default). */
void pp_dext_config_sanitize(struct pp_dext_config *cfg);

/* Whether a function of this class (24-bit class code) may be driven. */
bool pp_dext_class_allowed(uint32_t class_code, bool allow_multimedia);

struct pp_dext_dev;
struct pp_dext_client;

/*
 * Probes the function (identity, capabilities, BARs: all through pf) with
 * the PCI device already open.  NULL with *status set: PP_ERR_BADOP for a
 * refused class (multimedia), PP_ERR_HOST if the function does not answer
 * (vendor 0xffff), PP_ERR_NOMEM.  registry_id is reported in INFO.
 */
struct pp_dext_dev *pp_dext_device_new(const struct pp_dext_platform *pf,
				       void *dev_ctx,
				       const struct pp_dext_config *cfg,
				       uint8_t bus, uint8_t devno, uint8_t fn,
				       uint64_t registry_id, int *status);

/*
 * The function is gone (unplugged, or the driver is stopping): the armed
 * wait completes at once with PP_DEXT_WAKE_EVENT / PP_DEXT_EV_GONE, every
 * DMA registration is completed and released, interrupts are disabled,
 * and every later call but INFO, EVENTS and RELEASE returns PP_ERR_HOST.
 * The core makes no device call (cfg, bar, irq, reset) after this returns.
 * Idempotent.
 */
void pp_dext_device_gone(struct pp_dext_dev *d);

/*
 * Frees the device once its last client is closed (deferred until then
 * if clients remain; implies pp_dext_device_gone()).  The platform context
 * (its lock) must stay valid until the device is actually freed, and no
 * pp_dext_client_new() may follow.  (The shell guarantees both: every user
 * client retains the driver, whose free() calls this.)
 */
void pp_dext_device_free(struct pp_dext_dev *d);

/* A new user client (not owning the device yet).  NULL on OOM. */
struct pp_dext_client *pp_dext_client_new(struct pp_dext_dev *d,
					  void *client_ctx);
/* The client is going away: releases the device if it owns it (DMA
 * completed, the armed wait aborted) and frees the client. */
void pp_dext_client_close(struct pp_dext_client *c);

/* Arguments of one ExternalMethod call, passed through raw. */
struct pp_dext_args {
	const uint64_t *scalar_in;
	uint32_t scalar_in_count;
	const void *struct_in;          /* NULL if none */
	size_t struct_in_size;
	uint64_t *scalar_out;
	uint32_t scalar_out_count;      /* in: caller's count; out: written */
	void *struct_out;               /* a buffer of PP_DEXT_INLINE_MAX */
	size_t struct_out_size;         /* in: caller's size; out: written */
	void *completion;               /* async token, or NULL */
};

/*
 * Runs one selector.  Returns a pp_status (the shell returns
 * pp_dext_status_to_ioreturn() of it).  The outputs are valid on PP_OK
 * only.  A completion token is owned by the core when IRQ_WAIT returns
 * PP_OK (it will be completed exactly once); on any other result the
 * caller still owns it.
 */
int pp_dext_dispatch(struct pp_dext_client *c, uint32_t selector,
		     struct pp_dext_args *a);

/*
 * The structure output size selector returns for these scalar inputs (a
 * batch count for DMA_MAP/DMA_UNMAP), or 0 if it returns none or the input
 * is not valid.  For a shell whose kernel does not say the caller's size
 * (kIOUserClientVariableStructureSize).
 */
size_t pp_dext_expected_struct_out(uint32_t selector,
				   const uint64_t *scalar_in,
				   uint32_t scalar_in_count);

/*
 * IOConnectMapMemory64 / CopyClientMemoryForType: checks that the client
 * may map this memory type now and returns the BAR's memory index for
 * _CopyDeviceMemoryWithIndex.  PP_ERR_NOTREADY (not the owner), PP_ERR_HOST
 * (gone), PP_ERR_INVAL (type not 1..6, BAR not mappable).
 */
int pp_dext_map_type(struct pp_dext_client *c, uint64_t type,
		     uint8_t *memory_index, uint64_t *size);

/* Interrupt handler of vector vec (the shell's InterruptOccurred). */
void pp_dext_irq_raise(struct pp_dext_dev *d, unsigned int vec);

/* ---- the checked dispatch table ---- */

#define PP_DEXT_VAR 0xffffffffu     /* batched: count x entry size */

struct pp_dext_method {
	const char *name;
	uint8_t scalar_in, scalar_out;  /* exact counts */
	uint32_t struct_in, struct_out; /* exact sizes, or PP_DEXT_VAR */
	uint32_t entry_in, entry_out;   /* entry sizes when PP_DEXT_VAR */
	uint32_t max_count;             /* batch limit when PP_DEXT_VAR */
	bool async;                     /* completion required (else refused) */
	bool needs_claim;
	bool after_gone;                /* still served after device_gone */
};

extern const struct pp_dext_method pp_dext_methods[PP_DEXT_SEL_COUNT];

/* ---- introspection (tests, logs) ---- */

struct pp_dext_stats {
	uint64_t irq_raised, irq_spurious, irq_wakeups;
	uint64_t waits_armed, waits_completed, waits_aborted;
	uint64_t cfg_writes_filtered;     /* writes that lost some bytes */
	uint64_t dma_complete_failures;
	uint64_t platform_anomalies;      /* bad segments, overlaps, ... */
	uint64_t claims, releases;
};

void pp_dext_get_stats(struct pp_dext_dev *d, struct pp_dext_stats *st);
/* Bytes the core holds for this client (allocator + handle table). */
size_t pp_dext_client_mem(const struct pp_dext_client *c);
/* Upper bound of pp_dext_client_mem() for a device with this config. */
size_t pp_dext_client_mem_bound(const struct pp_dext_config *cfg);
/* Bytes the core holds for the device itself (without its clients). */
size_t pp_dext_device_mem(const struct pp_dext_dev *d);

/* Walks the owner's live registrations in bus-address order; stops when
 * fn returns nonzero.  For tests and invariant checks. */
void pp_dext_walk_regs(struct pp_dext_client *c,
		       int (*fn)(void *arg, uint64_t bus, uint64_t addr,
				 uint64_t len, uint32_t handle),
		       void *arg);

#ifdef __cplusplus
}
#endif

#endif
