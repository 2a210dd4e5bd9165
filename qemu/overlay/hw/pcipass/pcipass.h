/*
 * pcipass: internal interfaces between the DART-fronted root port
 * (pcipass-dart-port), the paravirtual DMA mapper (pcipass-dma) and the
 * guest-RAM tracker they share.
 *
 * Copyright (c) 2026 The pcipass authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_PCIPASS_PCIPASS_H
#define HW_PCIPASS_PCIPASS_H

#include "hw/pci/pcie_port.h"
#include "system/memory.h"
#include "qemu/thread.h"
#include "qom/object.h"

#include "pcipass/dart.h"
#include "pcipass/mapper.h"

#define TYPE_PCIPASS_DART_PORT "pcipass-dart-port"
OBJECT_DECLARE_SIMPLE_TYPE(PCIPassDartPort, PCIPASS_DART_PORT)

#define TYPE_PCIPASS_DART_IOMMU_MR "pcipass-dart-iommu-memory-region"

#define TYPE_PCIPASS_DMA "pcipass-dma"

struct PCIPassDartPort {
    /*< private >*/
    PCIESlot parent_obj;
    /*< public >*/

    /* properties */
    uint64_t cap_bytes;
    uint32_t max_entries;
    char *placement;
    uint64_t seed;
    uint64_t msi_base;          /* MSI doorbell window (see dart-port.c) */
    uint64_t msi_size;

    /* the DART's bus-address aperture, chosen at realize */
    uint64_t iova_base;
    uint64_t iova_size;

    /* the DART; lock guards it and the counters below */
    QemuMutex lock;
    struct pp_dart *dart;
    uint64_t faults;            /* DMA accesses that missed or were denied */
    uint64_t faults_logged;
    uint64_t faults_suppressed;
    int64_t fault_log_window;   /* start of the current 1 s log window, ms */
    uint32_t fault_log_burst;   /* messages in that window */
    uint64_t unmap_notifies;
    uint64_t msi_writes;        /* writes let through the MSI window */

    IOMMUMemoryRegion iommu;
    AddressSpace as;
    bool iommu_ready;
};

/* ---- the port's DART, as a pp_mapper_backend -------------------------- */

int pcipass_dart_port_map(void *opaque, struct pp_dma_req *reqs,
                          unsigned int n);
int pcipass_dart_port_unmap(void *opaque, const uint64_t *bus,
                            int32_t *status, unsigned int n);
void pcipass_dart_port_usage(void *opaque, uint64_t *live_bytes,
                             uint64_t *live_entries, uint64_t *cap_bytes,
                             uint64_t *max_entries);

PCIBus *pcipass_dart_port_sec_bus(PCIPassDartPort *p);

/* ---- guest RAM as the devices may reach it ---------------------------- */

/*
 * Starts tracking the RAM sections of address_space_memory (idempotent;
 * call from realize, under the BQL).
 */
void pcipass_ram_track(void);

/*
 * Copies the current RAM ranges into *ranges (g_renew'ed to fit) when the
 * layout changed since *gen; returns true when it did (then *n and *gen
 * are updated).  Thread safe.
 */
bool pcipass_ram_refresh(uint64_t *gen, struct pp_ram_range **ranges,
                         unsigned int *n);

/* Is [addr, addr + len) inside one RAM range right now?  Thread safe. */
bool pcipass_ram_contains(uint64_t addr, uint64_t len);

#endif
