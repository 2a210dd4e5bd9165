/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass_loopgpu: internal declarations shared by the GPU (main.c) and the
 * audio function (audio.c) drivers.
 */
#ifndef LOOPGPU_H
#define LOOPGPU_H

#include <linux/pci.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/list.h>
#include <linux/atomic.h>

#include "pcipass_loopgpu.h"

#define LG_DRV_NAME	"pcipass_loopgpu"
#define LG_AUD_DRV_NAME	"pcipass_loopaud"

/* One bound audio function (7070:1001). */
struct lg_aud {
	struct pci_dev *pdev;
	struct list_head node;		/* on lg_aud_list */
	void __iomem *regs;
	u32 id;
	int irq;			/* Linux IRQ, or -1 */
	int irq_mode;			/* 0 none, 1 MSI, 2 MSI-X */
	int nvec;
	atomic64_t irq_count;
	u64 last_irq_ns;
	wait_queue_head_t wq;
	bool probe_scratch_ok, probe_irq_ok;
};

/*
 * Bound audio functions, under lg_aud_lock (the GPU driver looks up its
 * sibling there; holding the lock keeps it from being removed meanwhile).
 */
extern struct mutex lg_aud_lock;
extern struct list_head lg_aud_list;
extern struct pci_driver lg_aud_driver;

/* The audio function in the same slot as @gpu, or NULL; lg_aud_lock held. */
struct lg_aud *lg_aud_find_sibling(struct pci_dev *gpu);

/* Scratch patterns and iters MSI round trips on @a; lg_aud_lock held. */
void lg_aud_test(struct lg_aud *a, struct lg_audio *out);

/* min/avg/max/p50 of n samples (sorted in place) */
void lg_stat_compute(struct lg_stat *st, u64 *samples, u32 n);

#endif
