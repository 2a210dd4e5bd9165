/*
 * pcipass: internal interfaces between the DART-fronted root port
 * (pcipass-dart-port), the passthrough device (pcipass-pci), the
 * paravirtual DMA mapper (pcipass-dma) and the guest-RAM tracker they
 * share.
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

#define TYPE_PCIPASS_PCI "pcipass-pci"

/*
 * "pcipass-dma-target": what a pcipass-dma device maps for.  Implemented by
 * pcipass-dart-port (its DART model; the functions behind the port) and by
 * pcipass-pci (the host backend's DART through that function's claim; every
 * pcipass-pci function of the same host slot).  pcipass-dma's "target"
 * property links to one; its older "dart" property is the same link
 * restricted to a pcipass-dart-port.
 */
#define TYPE_PCIPASS_DMA_TARGET "pcipass-dma-target"
typedef struct PCIPassDMATargetClass PCIPassDMATargetClass;
DECLARE_CLASS_CHECKERS(PCIPassDMATargetClass, PCIPASS_DMA_TARGET,
                       TYPE_PCIPASS_DMA_TARGET)

/* Called for each guest PCI function a target's DART serves. */
typedef void (*PCIPassFnVisitor)(PCIBus *bus, PCIDevice *dev, void *opaque);

struct PCIPassDMATargetClass {
    InterfaceClass parent_class;

    /*
     * May @companion (a realized-to-be pcipass-dma) serve this target?  Also
     * the place to fail when the target cannot map (e.g. not realized).
     */
    bool (*check_companion)(Object *target, PCIDevice *companion,
                            Error **errp);
    /* The mapper backend: map/unmap/usage with GPAs (called under the BQL). */
    void (*get_backend)(Object *target, struct pp_mapper_backend *be);
    /* The DART's caps (DART_CAP and DART_ENTRIES registers). */
    void (*get_caps)(Object *target, uint64_t *cap_bytes,
                     uint64_t *max_entries);
    /* The functions whose DMA goes through this DART (MANAGED table). */
    void (*foreach_function)(Object *target, PCIPassFnVisitor fn,
                             void *opaque);
    /* The host device is gone for good (STATUS.HOST_GONE). */
    bool (*host_gone)(Object *target);
};

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

/* ---- guest-physical to VMM virtual ------------------------------------ */

/*
 * The VMM virtual address of guest-physical [gpa, gpa + len): NULL unless
 * the range is writable guest RAM inside one flat range of one RAM region
 * (so contiguous in one RAMBlock).  Call under the BQL or an RCU read lock.
 */
void *pcipass_gpa_to_hva(uint64_t gpa, uint64_t len);

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
