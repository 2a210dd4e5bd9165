/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass_dma: workarounds for guest software that meets Apple Silicon
 * specifics through us (docs/guest-quirks.md).
 *
 *  - quirk_uvm.c: NVIDIA UVM asks RM for 64 KiB / 2 MiB system-memory pages,
 *    and RM then requires the DMA address to be aligned to that size, which
 *    DART-chosen bus addresses are not.  A kprobe on
 *    nvUvmInterfaceMemoryAllocSys rewrites such requests to the default
 *    page size.
 *  - quirk_tso.c (arm64 only): when the host runs every vCPU with
 *    ACTLR_EL1.EnTSO set, answer FEX's PR_GET/SET_MEM_MODEL prctl calls.
 *
 * Every quirk degrades to a log line: nothing here may oops or panic.
 */
#ifndef PCIPASS_QUIRKS_H
#define PCIPASS_QUIRKS_H

#include <linux/pci.h>
#include <linux/seq_file.h>

/* main.c: module parameter "quirks" (default on) */
extern bool pp_quirks;

/* quirk_uvm.c */
int pp_quirk_uvm_init(void);
void pp_quirk_uvm_exit(void);
/* A managed device appeared / went away (under pp_mutex; never sleeps). */
void pp_quirk_uvm_device_get(struct pci_dev *pdev);
void pp_quirk_uvm_device_put(struct pci_dev *pdev);
void pp_quirk_uvm_show(struct seq_file *s);

/* quirk_tso.c */
void pp_quirk_tso_init(void);
void pp_quirk_tso_exit(void);
void pp_quirk_tso_show(struct seq_file *s);

#endif
