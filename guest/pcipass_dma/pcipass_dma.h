/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass_dma: guest driver of the pcipass paravirtual DMA mapper.
 * Internal declarations shared by the module's files.  See
 * docs/guest-module.md for the design.
 */
#ifndef PCIPASS_DMA_H
#define PCIPASS_DMA_H

#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/version.h>

#include "pcipass/dmawin.h"
#include "pcipass/proto.h"
#include "pcipass/status.h"

#define PP_DRV_NAME "pcipass_dma"

/*
 * dma_map_ops changed shape over time; these select the members this kernel
 * has.  Only the 6.12 layout is built and tested by this project.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define PP_HAVE_ALLOC_PAGES_OP 1	/* renamed from alloc_pages in 6.10 */
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define PP_HAVE_MAP_PHYS 1		/* map_page/map_resource became map_phys */
#endif

/* A value the device never writes: detects a command it did not process. */
#define PP_STATUS_UNSET 0xffffffffu

/* One device whose DMA we translate. */
struct pp_managed {
	struct list_head node;
	struct pp_dev *pd;
	struct pci_dev *pdev;		/* reference held */
	u32 bdf;			/* PP_REG_MANAGED value */
	const struct dma_map_ops *orig_ops;
	bool installed;			/* dev->dma_ops == &pd->ops */
	bool refused;			/* a driver was bound when we found it */
	bool pinned;			/* module reference held: driver bound */
	bool warned_coherent;
};

/* A record of the trace ring (docs/trace-format.md). */
struct pp_trace_rec {
	u64 id;
	u64 gpa;
	u32 size;
	u8 op;				/* 'm' or 'u' */
};

/* A live traced request: dma address -> trace id. */
struct pp_trace_live {
	struct hlist_node node;
	u64 dma;
	u64 id;
	u32 len;
};

struct pp_dev_stats {
	u64 doorbells;			/* every round trip: policy, query, raw */
	u64 host_errors;		/* commands or entries failed by the host */
	u64 map_page, unmap_page;
	u64 map_sg, unmap_sg, sg_segments;
	u64 alloc, free, alloc_pages, free_pages;
	u64 map_failed, map_sg_failed, alloc_failed;
	u64 unmap_noent_calls, unknown_frees;
	u64 mask_refused, resource_refused, noncoherent_refused;
	u64 trace_dropped;
	u64 table_grows;		/* block table grown from the work item */
};

/* One pcipass-dma device: one DART, one policy, its managed devices. */
struct pp_dev {
	struct list_head node;		/* pp_devs, under pp_mutex */
	struct kref kref;
	struct pci_dev *pdev;
	void __iomem *regs;
	char name[32];			/* pci_name(pdev), kept after removal */

	/*
	 * The ops every managed device points at; container_of() leads back
	 * here from dev->dma_ops, so no lookup happens on the map path.
	 */
	struct dma_map_ops ops;

	/* lock: the policy, the command buffer, the doorbell, stats, trace */
	spinlock_t lock;
	struct pp_win *win;
	struct work_struct grow_work;	/* grows the policy's tables */
	struct pp_cmd_header *cmd;	/* header + max_batch entries */
	phys_addr_t cmd_gpa;
	unsigned int cmd_order;
	struct pp_win_seg *scratch;	/* map_sg/unmap_sg segments */
	unsigned int scratch_len;
	u64 cookie;
	bool host_gone;
	bool may_sleep;		/* pp_win_create in process context */
	bool detached;			/* device removed: no MMIO any more */
	bool removing;			/* remove() running: no new pins */
	struct pp_dev_stats st;
	struct ratelimit_state rs;

	/* capabilities and negotiated state */
	u32 version, dev_features, features;
	u32 max_batch, page_shift, dart_entries, max_map_len;
	u64 dart_cap;
	size_t max_seg;			/* max_mapping_size() */
	struct pp_win_config cfg;
	u64 inherited_bytes, inherited_entries; /* DART usage before RESET */
	bool inherited_valid;

	/* managed devices, under pp_mutex */
	u32 managed_bdf[PP_MAX_MANAGED];
	unsigned int nr_managed;
	struct list_head managed;

	/* debugfs */
	struct dentry *dbg;
	struct mutex dbg_mutex;		/* raw buffer, bench, trace setup */
	void *raw;			/* allow_raw: command blob buffer */
	phys_addr_t raw_gpa;
	unsigned int raw_order;
	size_t raw_len;
	size_t raw_last;		/* bytes of the last blob written */
	char *bench_out;

	/* trace (under lock once enabled) */
	bool trace_on;
	bool trace_full;
	struct pp_trace_rec *ring;
	u32 ring_size, ring_len;
	u64 trace_next_id;
	DECLARE_HASHTABLE(trace_live, 10);
};

/* main.c */
extern struct mutex pp_mutex;
extern bool pp_allow_raw;
extern unsigned int pp_trace_ring;
void pp_dev_put(struct pp_dev *pd);

/* host.c */
int pp_host_call(void *ctx, struct pp_host_op *ops, unsigned int n);
void *pp_win_alloc(void *ctx, size_t size);
void pp_win_free(void *ctx, void *p);
void pp_grow_work(struct work_struct *work);
void pp_grow_soon(struct pp_dev *pd);
int pp_query_usage(struct pp_dev *pd, u64 *bytes, u64 *entries,
		   u64 *cap, u64 *max_entries);
int pp_raw_doorbell(struct pp_dev *pd, u64 gpa);
void pp_reset_device(struct pp_dev *pd);
bool pp_host_alive(struct pp_dev *pd);

/* ops.c */
void pp_init_ops(struct dma_map_ops *ops);
static inline struct pp_dev *pp_dev_of(struct device *dev)
{
	return container_of(get_dma_ops(dev), struct pp_dev, ops);
}

int pp_status_errno(int status);

/* trace, in ops.c (called under pd->lock) */
void pp_trace_map(struct pp_dev *pd, u64 dma, u64 gpa, u32 len);
void pp_trace_unmap(struct pp_dev *pd, u64 dma, u32 len);
void pp_trace_reset(struct pp_dev *pd);

/* debugfs.c */
void pp_debugfs_init(struct pp_dev *pd);
void pp_debugfs_fini(struct pp_dev *pd);
void pp_debugfs_root_init(void);
void pp_debugfs_root_fini(void);

#endif
