/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake struct pp_dext_platform for the unit tests and the fuzzer of the
 * dext core: a simulated PCI function (config space bytes, BARs, MSI and
 * MSI-X capabilities), a DART-like segment provider that can split a range
 * at fixed boundaries (adjacent or not), truncate the segment list (a short
 * preparation) and fail on demand, interrupt configuration with failures,
 * resets, wait-token completions and an error-checking lock.
 *
 * Test code only: not part of the dext (mac/dext/build.sh lists its
 * sources); it is compiled into libpcipass-dext.a here for the tests.
 */
#ifndef PCIPASS_DEXT_FAKEPF_H
#define PCIPASS_DEXT_FAKEPF_H

#include <pthread.h>
#include <stdatomic.h>

#include "dext_core.h"

#define PP_FAKE_WLOG 64
#define PP_FAKE_CPL  64

struct pp_fake_prep;

struct pp_fake {
	/* ---- the function ---- */
	uint8_t cfg[PP_DEXT_CFG_SIZE];
	bool cfg_fail;                 /* every config access fails */
	struct {
		uint64_t size;
		uint8_t memory_index, raw_type;
		bool present;
	} bar[PP_DEXT_ROM_BAR + 1];
	uint64_t bar_last_write[8];    /* by memory index */
	unsigned int cfg_writes;
	struct { uint32_t off, size, val; } wlog[PP_FAKE_WLOG];
	unsigned int nwlog;
	unsigned int device_calls;     /* cfg/bar/irq/reset calls */

	/* ---- the DART ---- */
	uint64_t next_iova;            /* bump allocator, 16 KiB pages */
	uint64_t split_every;          /* 0: one segment; else pieces end at
					* VA multiples of this */
	bool adjacent;                 /* pieces adjacent in bus space */
	unsigned int max_segs;         /* segments reported (<= 32) */
	int fail_next;                 /* next prepare returns this */
	uint32_t grant_mask;           /* granted prot = prot & mask */
	bool dup_bus;                  /* reuse the last bus (an anomaly) */
	unsigned int zero_segs;        /* next prepare reports 0 segments */
	unsigned int bad_seg;          /* next prepare: 1 a zero-length
					* segment, 2 more bytes than asked,
					* 3 a wrapping segment, 4 no token */
	unsigned int force_split;      /* next n prepares: split in two
					* halves (a DART that never gives
					* the same answer twice) */
	int complete_fail;             /* CompleteDMA returns this */
	uint64_t bad_lo, bad_hi;       /* client VAs that are not memory */
	struct pp_fake_prep *preps;    /* live preparations */
	uint64_t live_preps, prepares, completes, complete_errors;
	uint64_t last_bus;
	uint64_t completes_with_bme;   /* CompleteDMA while BME was set */

	/* ---- interrupts ---- */
	int irq_fail_msix, irq_fail_msi;
	unsigned int irq_grant_max;    /* 0: grant all */
	unsigned int irq_calls, irq_type, irq_granted, irq_enable_calls;
	bool irq_enabled;

	/* ---- reset ---- */
	int reset_fail_flr, reset_fail_hot;
	unsigned int resets[3];

	/* ---- wait completions ---- */
	_Atomic unsigned int completions;
	struct {
		void *token;
		uint32_t ioret;
		uint64_t args[PP_DEXT_WAIT_NARGS];
	} cpl[PP_FAKE_CPL];            /* ring, index completions % 64 */
	void (*on_complete)(struct pp_fake *f, void *token, uint32_t ioret,
			    const uint64_t *args);
	void *on_complete_arg;

	/* ---- lock ---- */
	pthread_mutex_t mutex;
	unsigned int lock_errors;
	_Atomic int lock_depth;

	/* ---- memory ---- */
	size_t mem_live;
	unsigned int mem_errors;       /* free with the wrong size */
	long alloc_fail_in;            /* fail the Nth next allocation (1 =
					* the next one); 0: never */
	unsigned int logs;
	bool quiet;
};

extern const struct pp_dext_platform pp_fake_platform;

/*
 * A GPU-like function: 10de:2b85 class 030000 rev a1, subsystem
 * 10de:2057, MSI (64-bit, per-vector mask, 1 vector) at 0x68, MSI-X
 * (9 vectors) at 0x80, BAR0 16 MiB mem32, BAR1 256 MiB mem64 prefetchable
 * (BAR2 its upper half), BAR3 32 MiB mem64 prefetchable (BAR4), BAR5 I/O
 * 128 bytes, ROM 512 KiB.  DART: one segment, 32 reported, RW granted.
 */
void pp_fake_init(struct pp_fake *f);
void pp_fake_fini(struct pp_fake *f);   /* frees leftover preparations */

void pp_fake_set_class(struct pp_fake *f, uint32_t class_code);
/* Removes the capability list (no MSI, no MSI-X). */
void pp_fake_no_caps(struct pp_fake *f);
/* A small BAR (memory, mem32) at index bar. */
void pp_fake_set_bar(struct pp_fake *f, unsigned int bar, uint64_t size,
		     uint8_t raw_type, uint8_t memory_index);

uint16_t pp_fake_cfg16(const struct pp_fake *f, uint32_t off);
uint32_t pp_fake_cfg32(const struct pp_fake *f, uint32_t off);

/* Whether a live preparation starts at bus and maps at least len bytes
 * contiguously from there (*addr: the client address it maps). */
bool pp_fake_covers(const struct pp_fake *f, uint64_t bus, uint64_t len,
		    uint64_t *addr);

#endif
