/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the sim backend's files.  Who owns what:
 *   sim.c        the pp_host_ops: claim/release, dispatch, events, hooks
 *   sim_opts.c   the option string
 *   sim_notify.c the wake-up descriptor (eventfd, or a pipe)
 *   sim_cfg.c    config-space images: builder, masked writes
 *   sim_dma.c    the slot's DART behind a lock; device-side DMA
 *   sim_irq.c    MSI/MSI-X of a function and the host's interrupt path
 *   sim_gpu.c    function 0's registers and VRAM
 *   sim_engine.c function 0's copy engine (its own thread)
 *   sim_audio.c  function 1
 *
 * Locks: fn->lock (config, registers, model state, interrupt path) before
 * slot->dma_lock (DART and every function's set of owned mappings).  A
 * device DMA runs with both held, so an unmap that got the DART lock knows
 * no copy into that memory is in flight, and clearing COMMAND.BME stops DMA
 * before the config write returns.
 */
#ifndef PCIPASS_HOSTS_SIM_INTERNAL_H
#define PCIPASS_HOSTS_SIM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pcipass/dart.h"
#include "pcipass/host.h"
#include "pcipass/irqlatch.h"

#define SIM_MAX_FNS     2
#define SIM_MAX_BATCH   4096   /* ranges per dma_map/dma_unmap call */

/* ---- options (sim_opts.c) ------------------------------------------------- */

enum sim_notify_kind { SIM_NOTIFY_EVENTFD, SIM_NOTIFY_PIPE };

struct sim_opts {
	uint64_t cap;
	uint32_t entries;
	enum pp_dart_placement placement;
	uint64_t seed;
	uint16_t vendor, device;
	unsigned int functions;
	uint64_t vram;
	unsigned int vectors;
	unsigned int grant;        /* most vectors the host grants */
	uint64_t split;            /* longer ranges: PP_ERR_SPLIT (0: none) */
	uint8_t revision;
	unsigned int unowned;       /* functions the extension does not own (bits) */
	enum sim_notify_kind notify;
};

int sim_opts_parse(const char *args, struct sim_opts *o);

/* ---- wake-up descriptor (sim_notify.c) ------------------------------------ */

struct sim_notify {
	int rfd, wfd;              /* equal for an eventfd */
};

int sim_notify_init(struct sim_notify *n, enum sim_notify_kind kind);
void sim_notify_signal(struct sim_notify *n);
void sim_notify_drain(struct sim_notify *n);
void sim_notify_fini(struct sim_notify *n);

/* ---- config space (sim_cfg.c) --------------------------------------------- */

struct sim_cfg {
	uint8_t b[PP_HOST_CFG_SIZE];      /* current contents */
	uint8_t wmask[PP_HOST_CFG_SIZE];  /* bits a write may change */
	uint8_t w1c[PP_HOST_CFG_SIZE];    /* bits a written 1 clears */
	uint8_t por[PP_HOST_CFG_SIZE];    /* power-on image (raw FLR) */
	unsigned int next_free;           /* builder: next capability offset */
	unsigned int last_cap;            /* builder: previous capability */
	unsigned int pcie, msix, msi;     /* capability offsets, 0 if none */
};

struct sim_cfg_ids {
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint32_t class_code;
	uint8_t revision, header_type, int_pin;
};

void sim_cfg_init(struct sim_cfg *c, const struct sim_cfg_ids *ids);
/* Size and type of a BAR; its address register stays 0 until the host
 * assigns it (sim_cfg_assign_bar). */
void sim_cfg_bar(struct sim_cfg *c, unsigned int bar, uint64_t size,
		 enum pp_host_bar_type type, bool prefetchable);
void sim_cfg_assign_bar(struct sim_cfg *c, unsigned int bar, uint64_t addr);
void sim_cfg_add_pcie(struct sim_cfg *c);
void sim_cfg_add_msix(struct sim_cfg *c, unsigned int nvec, unsigned int bir,
		      uint32_t table_off, uint32_t pba_off);
void sim_cfg_add_msi(struct sim_cfg *c);
void sim_cfg_seal(struct sim_cfg *c);       /* current image = power-on */
void sim_cfg_power_on(struct sim_cfg *c);   /* back to the power-on image */

uint32_t sim_cfg_read(const struct sim_cfg *c, uint32_t off, unsigned int size);
/* Writes the bytes of bytemask (bit i = byte off + i) through wmask/w1c. */
void sim_cfg_write(struct sim_cfg *c, uint32_t off, unsigned int size,
		   uint32_t val, unsigned int bytemask);
uint16_t sim_cfg_get16(const struct sim_cfg *c, unsigned int off);
uint32_t sim_cfg_get32(const struct sim_cfg *c, unsigned int off);
void sim_cfg_put16(struct sim_cfg *c, unsigned int off, uint16_t v);
void sim_cfg_put32(struct sim_cfg *c, unsigned int off, uint32_t v);

#define SIM_CFG_COMMAND         0x04
#define SIM_CMD_MSE             (1u << 1)
#define SIM_CMD_BME             (1u << 2)
#define SIM_PCIE_DEVCTL         0x08      /* offset in the PCIe capability */
#define SIM_PCIE_DEVCTL_FLR     (1u << 15)
#define SIM_MSIX_CTRL_ENABLE    (1u << 15)
#define SIM_MSIX_CTRL_MASKALL   (1u << 14)
#define SIM_MSI_CTRL_ENABLE     (1u << 0)

/* ---- an owned-mapping set (sim_dma.c) ------------------------------------- */

struct sim_busset {
	uint64_t *slot;            /* open addressing; 0 = empty */
	size_t cap, n;
};

/* ---- functions and the slot ------------------------------------------------ */

struct sim_fn;
struct sim_slot;

/* A device model: called with fn->lock held unless said otherwise. */
struct sim_model {
	/* Trapped BAR access; bar, off, size already validated. */
	uint64_t (*bar_read)(struct sim_fn *fn, unsigned int bar, uint64_t off,
			     unsigned int size);
	void (*bar_write)(struct sim_fn *fn, unsigned int bar, uint64_t off,
			  unsigned int size, uint64_t val);
	/* Registers and engine to their reset values. */
	void (*reset)(struct sim_fn *fn);
	/* Claim and release (lock NOT held): start/stop threads. */
	int (*open)(struct sim_fn *fn);
	void (*close)(struct sim_fn *fn);
	/* The slot was unplugged: stop touching memory. */
	void (*gone)(struct sim_fn *fn);
	void (*destroy)(struct sim_fn *fn);
};

struct sim_bar {
	uint64_t size;             /* 0: not implemented */
	enum pp_host_bar_type type;
	bool prefetchable;
	void *mem;                 /* backing of a mappable BAR, else NULL */
	uint64_t addr;             /* the host's assignment */
	unsigned int maps;         /* outstanding bar_map */
};

/* MSI-X state that lives in BAR memory (table and PBA). */
struct sim_msix {
	unsigned int nvec;
	unsigned int bir;
	uint32_t table_off, pba_off;
	uint32_t table[PP_HOST_MAX_VECTORS][4]; /* addr lo, hi, data, ctrl */
	uint64_t pba[4];
};

struct sim_fn {
	struct pp_host_dev dev;    /* first: the handle the VMM holds */
	struct sim_slot *slot;
	unsigned int fn;
	const struct sim_model *model;
	void *priv;
	struct pp_host_dev_info info;
	struct sim_bar bar[PP_HOST_MAX_BARS];

	pthread_mutex_t lock;
	struct sim_cfg cfg;
	struct sim_msix msix;

	/* The host's interrupt configuration: once per device, as on a Mac
	 * (survives close/open; only replug would reset it). */
	enum pp_host_irq_type irq_type;
	unsigned int irq_granted;

	/* Per claim. */
	bool open;
	unsigned int irq_open;     /* vectors delivered in this claim, 0=off */
	struct sim_notify notify;
	struct pp_irqlatch latch;
	_Atomic uint32_t events;   /* PP_HOST_EV_* not yet read */
	struct sim_busset owned;   /* under slot->dma_lock */

	uint64_t msgs_delivered, msgs_pended, msgs_dropped;
};

struct sim_slot {
	pthread_mutex_t dma_lock;
	struct pp_dart *dart;
	uint64_t split;
	atomic_bool gone;
	unsigned int nfn;
	struct sim_fn *fns[SIM_MAX_FNS];
	struct sim_opts opts;
};

static inline struct sim_fn *sim_fn_of(struct pp_host_dev *d)
{
	return (struct sim_fn *)d;
}

static inline bool sim_gone(const struct sim_fn *fn)
{
	return atomic_load(&fn->slot->gone);
}

/* Raises an event to the VMM (fd signalled), if the function is claimed. */
void sim_fn_event(struct sim_fn *fn, uint32_t ev);

/* ---- DMA (sim_dma.c) ---------------------------------------------------------- */

int sim_dma_init(struct sim_slot *s);
void sim_dma_fini(struct sim_slot *s);
int sim_dma_map(struct sim_fn *fn, struct pp_dma_req *reqs, unsigned int n);
int sim_dma_unmap(struct sim_fn *fn, const uint64_t *bus, int32_t *status,
		  unsigned int n);
int sim_dma_usage(struct sim_fn *fn, struct pp_host_dma_usage *u);
/* Unmaps everything this claim mapped (takes the DMA lock). */
void sim_dma_release(struct sim_fn *fn);

/*
 * Device-side DMA, as the device's bus transactions: each returns PP_OK,
 * or PP_ERR_FAULT with *fault = the first bus address the DART refused
 * (bytes before it were transferred, as on hardware).  Caller holds
 * fn->lock and has checked COMMAND.BME.
 */
int sim_dma_read(struct sim_slot *s, uint64_t bus, void *dst, uint64_t len,
		 uint64_t *fault);
int sim_dma_write(struct sim_slot *s, uint64_t bus, const void *src,
		  uint64_t len, uint64_t *fault);
/* System to system: *fault_write tells which side faulted. */
int sim_dma_copy(struct sim_slot *s, uint64_t src, uint64_t dst, uint64_t len,
		 uint64_t *fault, bool *fault_write);
int sim_dma_fill(struct sim_slot *s, uint64_t bus, uint32_t pattern,
		 uint64_t pat_off, uint64_t len, uint64_t *fault);

/* ---- interrupts (sim_irq.c) ------------------------------------------------------ */

/* Device side (fn->lock held). */
void sim_irq_msix_send(struct sim_fn *fn, unsigned int entry);
void sim_irq_msi_send(struct sim_fn *fn);
bool sim_irq_msix_bar_hit(const struct sim_fn *fn, unsigned int bar,
			  uint64_t off);
uint64_t sim_irq_msix_read(struct sim_fn *fn, uint64_t off, unsigned int size);
void sim_irq_msix_write(struct sim_fn *fn, uint64_t off, unsigned int size,
			uint64_t val);
/* After a config write: MSI-X unmasked or enabled: flush the PBA. */
void sim_irq_cfg_written(struct sim_fn *fn);
/* Device reset: PBA and table to their reset values. */
void sim_irq_device_reset(struct sim_fn *fn);
/* The host puts its MSI/MSI-X programming back (after a host reset). */
void sim_irq_host_restore(struct sim_fn *fn);
/* Host side. */
int sim_irq_configure(struct sim_fn *fn, enum pp_host_irq_type type,
		      unsigned int nvec, unsigned int *granted);

/* ---- device models ---------------------------------------------------------------- */

int sim_gpu_create(struct sim_fn *fn, const struct sim_opts *o);
int sim_audio_create(struct sim_fn *fn, const struct sim_opts *o);
bool sim_gpu_engine_thread(struct sim_fn *fn);

/* True when trapped BAR accesses reach the device: memory space enabled and
 * BARs still holding the host's assignment (a raw FLR clears them). */
bool sim_fn_decodes(const struct sim_fn *fn);

#endif
