/* SPDX-License-Identifier: GPL-2.0-or-later WITH Linux-syscall-note */
/*
 * pcipass_loopgpu: ioctl interface of the loopback GPU driver.
 *
 * The driver binds the sim backend's loopback GPU (7070:1000, see
 * docs/sim-gpu.md) and its audio function (7070:1001), and creates one misc
 * device per GPU, /dev/pcipass_loopgpuN.  tools/pp-gpu-test is its user.
 *
 * Every structure is fixed-size, naturally aligned, with explicit padding,
 * so 32- and 64-bit userspace see the same layout.  "in" fields are read by
 * the driver; "out" fields are written by it.  Reserved fields must be 0.
 * All times are nanoseconds of ktime_get_ns() (CLOCK_MONOTONIC).
 */
#ifndef PCIPASS_LOOPGPU_H
#define PCIPASS_LOOPGPU_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#else
#include <linux/types.h>
#include <sys/ioctl.h>
#endif

#define LG_ABI_VERSION		1
#define LG_DEV_NAME		"pcipass_loopgpu"	/* + instance number */
#define LG_MAX_VECTORS		32	/* vectors the driver uses at most */
#define LG_MAX_SAMPLES		64	/* per-submit samples returned */

/* ---- LG_IOC_INFO ----------------------------------------------------------- */
struct lg_info {
	__u32 abi_version;		/* LG_ABI_VERSION */
	__u32 instance;			/* N of /dev/pcipass_loopgpuN */
	char  bdf[16];			/* "0000:01:00.0" */
	__u16 vendor, device, subvendor, subdevice;
	__u32 class_code;		/* 24-bit class */
	__u8  revision;
	__u8  dma_translated;		/* pcipass_dma's DMA ops installed */
	__u8  reserved0[2];
	__u32 id_reg, caps;		/* ID, CAPS registers */
	__u32 nr_vectors_dev;		/* NR_VECTORS register (MSI-X table size) */
	__u32 nr_vectors;		/* MSI-X vectors allocated and requested */
	__u32 irq_base;			/* Linux IRQ of vector 0 */
	__u32 vec_completion, vec_error;	/* MSI-X entries used */
	__u64 bar_start[2], bar_len[2];	/* BAR0 (registers), BAR1 (VRAM) */
	__u64 vram_size;		/* VRAM_SIZE register */
	__u32 engine_status, error_count, completed;
	__u32 ring_head, ring_tail, ring_size;
	__u64 ring_bus, compl_bus;	/* bus (DART) addresses */
	__u64 irq_count[LG_MAX_VECTORS];	/* interrupts handled per vector */
	__u64 engine_errors_seen;	/* errors the driver handled (and reset) */
	__u64 engine_resets;
	/* the audio function of the same slot, if the audio driver bound it */
	__u32 audio_present;
	__u32 audio_id_reg;
	char  audio_bdf[16];
	__u16 audio_vendor, audio_device;
	__u32 audio_class_code;
	__u64 audio_bar0_len;
	__u32 audio_irq_mode;		/* 0 none, 1 MSI, 2 MSI-X */
	__u32 audio_nr_vectors;
	__u64 audio_irq_count;
	__u32 audio_probe_scratch_ok, audio_probe_irq_ok;
	__u32 device_gone;		/* the GPU reads as all ones (unplugged) */
	__u32 reserved2;
	__u64 reserved1[3];
};

/* ---- LG_IOC_SELFTEST -------------------------------------------------------- */
#define LG_ST_VRAM	(1u << 0)	/* SYS -> VRAM -> SYS */
#define LG_ST_S2S	(1u << 1)	/* SYS -> SYS */
#define LG_ST_COHERENT	(1u << 2)	/* data from dma_alloc_coherent, not dma_map_single */
#define LG_ST_RTT	(1u << 3)	/* interrupt round trips (fences, IRQ_TRIGGER) */
#define LG_ST_MEMCPY	(1u << 4)	/* time a CPU memcpy of the same buffers */
#define LG_ST_DEFAULT	(LG_ST_VRAM | LG_ST_S2S | LG_ST_RTT | LG_ST_MEMCPY)
#define LG_ST_ALL	(LG_ST_DEFAULT | LG_ST_COHERENT)
#define LG_ST_MAX_SIZE	(4u << 20)	/* per buffer + offset (largest page allocation) */
#define LG_ST_MAX_COUNT	64

struct lg_stat {			/* min/avg/max over n samples, ns */
	__u64 n, min, avg, max, p50;
};

struct lg_selftest {
	/* in */
	__u64 size;			/* bytes per buffer, 1..LG_ST_MAX_SIZE */
	__u32 count;			/* buffers, 1..LG_ST_MAX_COUNT */
	__u32 flags;			/* LG_ST_*; 0 means LG_ST_DEFAULT */
	__u64 seed;
	__u32 rtt_iters;		/* fences and triggers for RTT, <= 1000; 0: 32 */
	__u32 offset;			/* buffers start this far into their pages, < 4096 */
	/* out */
	__u64 bytes_verified;		/* bytes compared after DMA (all of them) */
	__u64 mismatches;		/* bytes that differed */
	__u64 first_mismatch;		/* buffer << 32 | offset, if any */
	__u64 bytes_s2v, ns_s2v;	/* data phase: doorbell to completion IRQ */
	__u64 bytes_v2s, ns_v2s;
	__u64 bytes_s2s, ns_s2s;
	__u64 bytes_memcpy, ns_memcpy;	/* CPU memcpy src -> dst, same buffers */
	__u64 ns_fill_cpu, ns_verify_cpu;	/* CPU time to write/verify the pattern */
	__u64 ns_map;			/* dma_map/alloc of all buffers */
	__u64 vram_spot_checks, vram_spot_bad;	/* VRAM words read back through BAR1 */
	__u32 descriptors, irqs_completion;	/* descriptors run; completion IRQs */
	__u32 irqs_error, engine_errors;
	struct lg_stat fence_rtt;	/* doorbell of a 0-byte fence -> IRQ handler */
	struct lg_stat fence_wake;	/* same, until the waiting thread runs */
	struct lg_stat trigger_rtt;	/* IRQ_TRIGGER write -> IRQ handler */
	__u64 samples[LG_MAX_SAMPLES];	/* fence_rtt per submit (first ones) */
	__u64 dart_bus_lo, dart_bus_hi;	/* lowest/highest bus address of the buffers */
	__u64 reserved1[4];
};

/* ---- LG_IOC_FAULT ------------------------------------------------------------- */
#define LG_FAULT_READ	1	/* COPY_S2V from addr (default: unmapped) */
#define LG_FAULT_WRITE	2	/* COPY_V2S to addr */
#define LG_FAULT_DESC	3	/* descriptor with an unknown op */
#define LG_FAULT_VRAM	4	/* COPY_S2V beyond the end of VRAM */
#define LG_FAULT_DEFAULT_ADDR	0xc0000ull	/* below every DART aperture */

struct lg_fault {
	/* in */
	__u32 kind;			/* LG_FAULT_* */
	__u32 len;			/* data length (0: 16 KiB) */
	__u64 addr;			/* bus address for READ/WRITE (0: default) */
	/* out */
	__u64 addr_used;
	__u32 engine_status;		/* ENGINE_STATUS after the error */
	__u32 error_code;		/* its error field (SIMGPU_ERR_*) */
	__u64 fault_addr;		/* FAULT_ADDR */
	__u64 desc_bus;			/* bus address of the failing descriptor */
	__u32 error_irqs;		/* error-vector interrupts seen */
	__u32 completion_irqs;		/* completion-vector interrupts (expect 0) */
	__u64 irq_ns;			/* doorbell -> error IRQ handler */
	__u32 error_count_before, error_count_after;
	__u32 head_at_error, compl_written;	/* compl_written: must stay 0 */
	__u32 reset_ok;			/* after ENGINE_CTRL.RESET: IDLE, head = tail = 0 */
	__u32 status_after_reset;
	__u64 reserved[4];
};

/*
 * LG_IOC_STALE_ADDR: map a buffer through the DMA API, unmap and free it;
 * returns the bus address it had (what a use after unmap would DMA to).
 */
struct lg_stale {
	__u64 len;			/* in: bytes (0: 64 KiB) */
	__u64 bus;			/* out */
	__u64 reserved[2];
};

/* ---- LG_IOC_LATCH ---------------------------------------------------------- */
#define LG_LATCH_MASK_KERNEL	1	/* disable_irq() with IRQ_DISABLE_UNLAZY */
#define LG_LATCH_MASK_TABLE	2	/* set the MSI-X entry's mask bit directly */
#define LG_LATCH_SRC_TRIGGER	1	/* IRQ_TRIGGER register */
#define LG_LATCH_SRC_FENCE	2	/* a real 0-byte fence descriptor with IRQ */

struct lg_latch {
	/* in */
	__u32 mask_method;		/* LG_LATCH_MASK_* */
	__u32 source;			/* LG_LATCH_SRC_* */
	__u32 wait_ms;			/* how long to watch while masked (0: 200) */
	__u32 reserved0;
	/* out */
	__u32 vector;			/* MSI-X entry tested (the completion vector) */
	__u32 ctrl_masked;		/* vector control read back while masked */
	__u32 ctrl_unmasked;		/* ... after unmask */
	__u32 pba_masked;		/* PBA word 0 while masked */
	__u32 fence_done;		/* the fence's completion write happened while masked */
	__u32 irqs_while_masked;	/* must be 0 */
	__u32 irqs_after_unmask;	/* must be 1 */
	__u32 irqs_after_retrigger;	/* a plain trigger afterwards: must be 1 */
	__u64 unmask_to_irq_ns;
	__u64 reserved[4];
};

/* ---- LG_IOC_IRQTEST: IRQ_TRIGGER every vector, iters times ----------------- */
struct lg_irqtest {
	__u32 iters;			/* in: rounds (0: 8), <= 1000 */
	__u32 nr_vectors;		/* out */
	__u64 delivered[LG_MAX_VECTORS];	/* out: per vector */
	__u64 lost;			/* out: triggers with no interrupt in 2 s */
	struct lg_stat rtt;		/* out: trigger -> handler, all vectors */
	__u64 reserved[4];
};

/* ---- LG_IOC_BARBENCH: register and VRAM access cost from the kernel ----- */
struct lg_barbench {
	/* in */
	__u32 reg_iters;		/* SCRATCH writes, then reads (0: 2000) */
	__u32 reserved0;
	__u64 vram_bytes;		/* BAR1 bytes written then read (0: 4 MiB) */
	/* out */
	__u64 ns_reg_write, ns_reg_read;	/* total for reg_iters accesses each */
	__u32 reg_readback_ok, vram_readback_ok;
	__u64 ns_vram_write, ns_vram_read;	/* 8-byte accesses, total */
	__u64 reserved[4];
};

/* ---- LG_IOC_AUDIO: the audio function of the same slot ----------------------- */
struct lg_audio {
	__u32 iters;			/* in: MSI triggers (0: 8) */
	__u32 present;			/* out: audio driver bound to function 1 */
	__u32 id_reg;
	__u32 scratch_ok;		/* patterns written and read back */
	__u32 irqs_delivered, irqs_lost;
	struct lg_stat rtt;		/* IRQ_TRIGGER -> handler */
	__u64 reserved[4];
};

#define LG_IOC_MAGIC	'L'
#define LG_IOC_INFO		_IOR(LG_IOC_MAGIC, 0x00, struct lg_info)
#define LG_IOC_SELFTEST		_IOWR(LG_IOC_MAGIC, 0x01, struct lg_selftest)
#define LG_IOC_FAULT		_IOWR(LG_IOC_MAGIC, 0x02, struct lg_fault)
#define LG_IOC_STALE_ADDR	_IOWR(LG_IOC_MAGIC, 0x03, struct lg_stale)
#define LG_IOC_LATCH		_IOWR(LG_IOC_MAGIC, 0x04, struct lg_latch)
#define LG_IOC_IRQTEST		_IOWR(LG_IOC_MAGIC, 0x05, struct lg_irqtest)
#define LG_IOC_BARBENCH		_IOWR(LG_IOC_MAGIC, 0x06, struct lg_barbench)
#define LG_IOC_AUDIO		_IOWR(LG_IOC_MAGIC, 0x07, struct lg_audio)
#define LG_IOC_RESET		_IO(LG_IOC_MAGIC, 0x08)	/* engine reset */

#endif
