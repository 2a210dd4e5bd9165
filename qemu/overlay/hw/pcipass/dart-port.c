/*
 * pcipass-dart-port: a PCI Express root port whose secondary bus does DMA
 * through a model of Apple's DART IOMMU, as a Thunderbolt device behind a
 * Mac's PCIe root sees it: 16 KiB pages, about 1.5 GB and 64k mappings at
 * most, bus addresses chosen by the DART.
 *
 * Every device placed on the port (bus=<port id>) gets one DMA address
 * space whose IOMMU region translates through the DART model
 * (core/src/dart.c).  The DART is empty until a pcipass-dma device maps
 * guest buffers into it, so a device behind the port can reach exactly
 * the guest RAM that is mapped for it.  An access to a bus address with no
 * mapping (or without the permission) is a DMA fault: the access fails, as
 * on hardware; it is counted and logged at a bounded rate, and QEMU keeps
 * running.
 *
 * In this emulation the DART maps guest-physical addresses (the "host"
 * side of a mapping is a GPA in address_space_memory); on a Mac it is the
 * VMM's own virtual address, mapped by the host driver.
 *
 * Copyright (c) 2026 The pcipass authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pcie_port.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "migration/vmstate.h"
#include "system/address-spaces.h"
#include "system/dma.h"
#include "qemu/target-info.h"
#include "hw/pcipass/pcipass.h"
#include "pcipass-qom.h"

#define PCIPASS_RP_AER_OFFSET           0x100
#define PCIPASS_RP_ACS_OFFSET           (PCIPASS_RP_AER_OFFSET + PCI_ERR_SIZEOF)
#define PCIPASS_RP_MSIX_NR_VECTOR       1

/*
 * MSI doorbells.  A device behind the port signals MSI/MSI-X by a DMA
 * write to the interrupt controller's doorbell, which therefore goes
 * through the DART too.  The Mac's PCIe root keeps its MSI doorbell
 * reachable outside the DART's mappings; the port does the same for one
 * window of bus addresses (writes only, never guest RAM), and keeps the
 * DART's bus-address aperture clear of it.
 */
#define PCIPASS_MSI_AUTO                UINT64_MAX
#define PCIPASS_ARM_VIRT_MSI_BASE       0x08020000ULL /* GICv2m .. ITS */
#define PCIPASS_ARM_VIRT_MSI_SIZE       0x00080000ULL
#define PCIPASS_X86_MSI_BASE            0xfee00000ULL
#define PCIPASS_X86_MSI_SIZE            0x00100000ULL

/* Fault log: the first few, then at most this many per second. */
#define PCIPASS_FAULT_LOG_FIRST         8
#define PCIPASS_FAULT_LOG_PER_SEC       4

/* ---- DART backend (called by pcipass-dma's mapper) ------------------- */

PCIBus *pcipass_dart_port_sec_bus(PCIPassDartPort *p)
{
    return pci_bridge_get_sec_bus(PCI_BRIDGE(p));
}

int pcipass_dart_port_map(void *opaque, struct pp_dma_req *reqs,
                          unsigned int n)
{
    PCIPassDartPort *p = opaque;
    unsigned int i;

    qemu_mutex_lock(&p->lock);
    for (i = 0; i < n; i++) {
        uint32_t prot = 0;

        if (reqs[i].prot & PP_MAP_READ) {
            prot |= PP_DART_READ;
        }
        if (reqs[i].prot & PP_MAP_WRITE) {
            prot |= PP_DART_WRITE;
        }
        reqs[i].bus = 0;
        reqs[i].status = pp_dart_map(p->dart, reqs[i].addr, reqs[i].len,
                                     prot, &reqs[i].bus);
    }
    qemu_mutex_unlock(&p->lock);
    /*
     * No MAP notification: translate() is consulted on every access and
     * nothing caches a miss (MAP notifiers are refused, see below).
     */
    return PP_OK;
}

static void pcipass_dart_port_notify_unmap(PCIPassDartPort *p,
                                           uint64_t first, uint64_t last)
{
    IOMMUMemoryRegion *mr = &p->iommu;
    IOMMUTLBEvent event;

    if (!p->iommu_ready ||
        !(mr->iommu_notify_flags & (IOMMU_NOTIFIER_UNMAP |
                                    IOMMU_NOTIFIER_DEVIOTLB_UNMAP))) {
        return;
    }
    event.entry.target_as = &address_space_memory;
    event.entry.perm = IOMMU_NONE;
    event.entry.translated_addr = 0;
    event.entry.pasid = 0;
    while (first <= last) {
        uint64_t mask = dma_aligned_pow2_mask(first, last, 64);

        event.entry.iova = first;
        event.entry.addr_mask = mask;
        if (mr->iommu_notify_flags & IOMMU_NOTIFIER_UNMAP) {
            event.type = IOMMU_NOTIFIER_UNMAP;
            memory_region_notify_iommu(mr, 0, event);
        }
        if (mr->iommu_notify_flags & IOMMU_NOTIFIER_DEVIOTLB_UNMAP) {
            event.type = IOMMU_NOTIFIER_DEVIOTLB_UNMAP;
            memory_region_notify_iommu(mr, 0, event);
        }
        p->unmap_notifies++;
        if (first + mask == last) {
            break;
        }
        first += mask + 1;
    }
}

int pcipass_dart_port_unmap(void *opaque, const uint64_t *bus,
                            int32_t *status, unsigned int n)
{
    PCIPassDartPort *p = opaque;
    uint64_t first_buf[16], last_buf[16];
    g_autofree uint64_t *first_heap = NULL, *last_heap = NULL;
    uint64_t *first = first_buf, *last = last_buf;
    unsigned int i;

    if (n > ARRAY_SIZE(first_buf)) {
        first = first_heap = g_new(uint64_t, n);
        last = last_heap = g_new(uint64_t, n);
    }

    qemu_mutex_lock(&p->lock);
    for (i = 0; i < n; i++) {
        uint64_t avail = 0;

        first[i] = 1;
        last[i] = 0;
        /* The page span of the mapping, for the notifiers. */
        if (pp_dart_lookup(p->dart, bus[i], NULL, &avail, NULL) == PP_OK &&
            avail) {
            first[i] = bus[i] & ~PP_DART_PAGE_MASK;
            last[i] = bus[i] + avail - 1;
        }
        status[i] = pp_dart_unmap(p->dart, bus[i]);
    }
    qemu_mutex_unlock(&p->lock);

    /* Outside the lock: a notifier may translate again. */
    for (i = 0; i < n; i++) {
        if (status[i] == PP_OK && first[i] <= last[i]) {
            pcipass_dart_port_notify_unmap(p, first[i], last[i]);
        }
    }
    return PP_OK;
}

void pcipass_dart_port_usage(void *opaque, uint64_t *live_bytes,
                             uint64_t *live_entries, uint64_t *cap_bytes,
                             uint64_t *max_entries)
{
    PCIPassDartPort *p = opaque;
    struct pp_dart_stats st;

    qemu_mutex_lock(&p->lock);
    pp_dart_get_stats(p->dart, &st);
    qemu_mutex_unlock(&p->lock);
    *live_bytes = st.live_bytes;
    *live_entries = st.live_entries;
    *cap_bytes = p->cap_bytes;
    *max_entries = p->max_entries;
}

/* ---- pcipass-dma-target ---------------------------------------------- */

static bool pcipass_dart_port_check_companion(Object *target,
                                              PCIDevice *companion,
                                              Error **errp)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(target);

    if (pci_get_bus(companion) == pcipass_dart_port_sec_bus(p)) {
        error_setg(errp, "%s: must not sit behind its own DART port '%s': "
                   "its command reads are not device DMA", TYPE_PCIPASS_DMA,
                   DEVICE(p)->id ?: "");
        return false;
    }
    return true;
}

static void pcipass_dart_port_get_backend(Object *target,
                                          struct pp_mapper_backend *be)
{
    be->ctx = PCIPASS_DART_PORT(target);
    be->map = pcipass_dart_port_map;
    be->unmap = pcipass_dart_port_unmap;
    be->usage = pcipass_dart_port_usage;
}

static void pcipass_dart_port_get_caps(Object *target, uint64_t *cap_bytes,
                                       uint64_t *max_entries)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(target);

    *cap_bytes = p->cap_bytes;
    *max_entries = p->max_entries;
}

typedef struct PortWalk {
    PCIPassFnVisitor fn;
    void *opaque;
    int depth;
} PortWalk;

static void pcipass_dart_port_walk_bus(PCIBus *bus, PortWalk *w);

static void pcipass_dart_port_walk_dev(PCIBus *bus, PCIDevice *d,
                                       void *opaque)
{
    PortWalk *w = opaque;

    if (object_dynamic_cast(OBJECT(d), TYPE_PCI_BRIDGE)) {
        /* A switch below the port: its functions are behind the DART. */
        PortWalk sub = { .fn = w->fn, .opaque = w->opaque,
                         .depth = w->depth + 1 };

        pcipass_dart_port_walk_bus(pci_bridge_get_sec_bus(PCI_BRIDGE(d)),
                                   &sub);
        return;
    }
    w->fn(bus, d, w->opaque);
}

static void pcipass_dart_port_walk_bus(PCIBus *bus, PortWalk *w)
{
    if (!bus || w->depth > 8) {
        return;
    }
    pci_for_each_device_under_bus(bus, pcipass_dart_port_walk_dev, w);
}

/*
 * The functions behind the port (and behind any switch on it, up to 8
 * levels), bridges skipped.
 */
static void pcipass_dart_port_foreach_function(Object *target,
                                               PCIPassFnVisitor fn,
                                               void *opaque)
{
    PortWalk w = { .fn = fn, .opaque = opaque, .depth = 0 };

    pcipass_dart_port_walk_bus(
        pcipass_dart_port_sec_bus(PCIPASS_DART_PORT(target)), &w);
}

static bool pcipass_dart_port_host_gone(Object *target)
{
    return false;   /* the model never goes away */
}

/* ---- IOMMU region ---------------------------------------------------- */

/* Called with p->lock held. */
static void pcipass_dart_port_fault(PCIPassDartPort *p, hwaddr addr,
                                    IOMMUAccessFlags flag, bool mapped)
{
    int64_t now;
    const char *what = mapped ? "permission denied" : "no mapping";
    const char *dir = (flag & IOMMU_WO) ? ((flag & IOMMU_RO) ? "rw" : "write")
                                        : "read";

    p->faults++;
    if (p->faults_logged >= PCIPASS_FAULT_LOG_FIRST) {
        now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
        if (now - p->fault_log_window >= 1000) {
            p->fault_log_window = now;
            p->fault_log_burst = 0;
        }
        if (p->fault_log_burst >= PCIPASS_FAULT_LOG_PER_SEC) {
            p->faults_suppressed++;
            return;
        }
        p->fault_log_burst++;
    }
    p->faults_logged++;
    qemu_log_mask(LOG_GUEST_ERROR,
                  "%s: DMA fault: %s at bus address 0x%" PRIx64 " (%s)\n",
                  DEVICE(p)->id ?: TYPE_PCIPASS_DART_PORT, what,
                  (uint64_t)addr, dir);
    warn_report("%s: DMA fault: %s at bus address 0x%" PRIx64
                " (%s; %" PRIu64 " faults so far, %" PRIu64
                " messages suppressed)",
                DEVICE(p)->id ?: TYPE_PCIPASS_DART_PORT, what, (uint64_t)addr,
                dir, p->faults, p->faults_suppressed);
}

static IOMMUTLBEntry pcipass_dart_translate(IOMMUMemoryRegion *iommu,
                                            hwaddr addr,
                                            IOMMUAccessFlags flag,
                                            int iommu_idx)
{
    PCIPassDartPort *p = container_of(iommu, PCIPassDartPort, iommu);
    IOMMUAccessFlags want = flag & IOMMU_RW;
    uint64_t page = addr & ~PP_DART_PAGE_MASK, host = 0, avail = 0;
    uint32_t prot = 0;
    IOMMUTLBEntry entry = {
        .target_as = &address_space_memory,
        .iova = page,
        .translated_addr = 0,
        .addr_mask = PP_DART_PAGE_MASK,
        .perm = IOMMU_NONE,
    };
    bool mapped;

    qemu_mutex_lock(&p->lock);
    mapped = p->dart &&
             pp_dart_lookup(p->dart, page, &host, &avail, &prot) == PP_OK;
    if (mapped) {
        entry.translated_addr = host;
        entry.perm = IOMMU_ACCESS_FLAG(prot & PP_DART_READ,
                                       prot & PP_DART_WRITE);
        /*
         * The DART exposes whole 16 KiB pages.  Where the page is not
         * entirely guest RAM (RAM not 16 KiB aligned, or unplugged since
         * the map), fall back to the 4 KiB page of the access, and to a
         * fault if that is not RAM either: the device never reaches MMIO.
         */
        if (!pcipass_ram_contains(host, PP_DART_PAGE_SIZE)) {
            uint64_t off4k = addr & PP_DART_PAGE_MASK & ~0xfffULL;

            entry.iova = page + off4k;
            entry.translated_addr = host + off4k;
            entry.addr_mask = 0xfff;
            if (!pcipass_ram_contains(host + off4k, 0x1000)) {
                entry.translated_addr = 0;
                entry.perm = IOMMU_NONE;
            }
        }
    }
    if (!mapped && p->msi_size && addr - p->msi_base < p->msi_size &&
        !(want & IOMMU_RO) && !pcipass_ram_contains(addr & ~0xfffULL,
                                                    0x1000)) {
        /* MSI doorbell: identity, write only. */
        entry.iova = addr & ~0xfffULL;
        entry.translated_addr = entry.iova;
        entry.addr_mask = 0xfff;
        entry.perm = IOMMU_WO;
        p->msi_writes += want ? 1 : 0;
    }
    if (want && (want & ~entry.perm)) {
        pcipass_dart_port_fault(p, addr, want, mapped);
    }
    qemu_mutex_unlock(&p->lock);
    return entry;
}

static uint64_t pcipass_dart_get_min_page_size(IOMMUMemoryRegion *iommu)
{
    return PP_DART_PAGE_SIZE;
}

static int pcipass_dart_notify_flag_changed(IOMMUMemoryRegion *iommu,
                                            IOMMUNotifierFlag old,
                                            IOMMUNotifierFlag new,
                                            Error **errp)
{
    if (new & IOMMU_NOTIFIER_MAP) {
        error_setg(errp, "%s does not support MAP notifiers (vfio, vhost "
                   "with a shadow IOMMU): the DART is programmed by "
                   "pcipass-dma, not by the guest", TYPE_PCIPASS_DART_PORT);
        return -EINVAL;
    }
    return 0;
}

static void pcipass_dart_replay(IOMMUMemoryRegion *iommu, IOMMUNotifier *n)
{
    /* Only UNMAP notifiers are allowed; there is nothing to replay. */
}

static AddressSpace *pcipass_dart_port_get_as(PCIBus *bus, void *opaque,
                                              int devfn)
{
    PCIPassDartPort *p = opaque;

    return &p->as;
}

static const PCIIOMMUOps pcipass_dart_port_iommu_ops = {
    .get_address_space = pcipass_dart_port_get_as,
};

/* ---- root port ------------------------------------------------------- */

/* The abstract root port's exit (rp_exit), which ours wraps. */
static void (*pcipass_rp_parent_exit)(PCIDevice *d);

static uint8_t pcipass_rp_aer_vector(const PCIDevice *d)
{
    return 0;
}

static int pcipass_rp_interrupts_init(PCIDevice *d, Error **errp)
{
    int rc;

    rc = msix_init_exclusive_bar(d, PCIPASS_RP_MSIX_NR_VECTOR, 0, errp);
    if (rc >= 0) {
        msix_vector_use(d, 0);
    }
    return rc;
}

static void pcipass_rp_interrupts_uninit(PCIDevice *d)
{
    msix_uninit_exclusive_bar(d);
}

static bool pcipass_parse_placement(const char *s,
                                    enum pp_dart_placement *out)
{
    if (!s || !strcmp(s, "first-fit")) {
        *out = PP_DART_FIRST_FIT;
    } else if (!strcmp(s, "random")) {
        *out = PP_DART_RANDOM;
    } else if (!strcmp(s, "adversarial")) {
        *out = PP_DART_ADVERSARIAL;
    } else {
        return false;
    }
    return true;
}

/*
 * The DART's bus-address aperture: the model's default, [1 MiB, 4 GiB),
 * minus the MSI window: the larger part below or above it.
 */
static void pcipass_dart_port_aperture(PCIPassDartPort *p,
                                       struct pp_dart_config *cfg)
{
    uint64_t lo = cfg->iova_base, hi = cfg->iova_base + cfg->iova_size;
    uint64_t wlo, whi, below, above;

    if (p->msi_size && p->msi_base < hi &&
        p->msi_base + p->msi_size > lo) {
        wlo = p->msi_base & ~PP_DART_PAGE_MASK;
        whi = ROUND_UP(p->msi_base + p->msi_size, PP_DART_PAGE_SIZE);
        below = wlo > lo ? wlo - lo : 0;
        above = hi > whi ? hi - whi : 0;
        if (above >= below) {
            lo = whi;
        } else {
            hi = wlo;
        }
    }
    cfg->iova_base = lo;
    cfg->iova_size = hi - lo;
    p->iova_base = lo;
    p->iova_size = hi - lo;
}

static void pcipass_dart_port_realize(DeviceState *dev, Error **errp)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(dev);
    PCIERootPortClass *rpc = PCIE_ROOT_PORT_GET_CLASS(dev);
    struct pp_dart_config cfg;
    Error *local_err = NULL;
    g_autofree char *name = NULL;

    pp_dart_config_default(&cfg);
    if (!pcipass_parse_placement(p->placement, &cfg.placement)) {
        error_setg(errp, "%s: placement must be first-fit, random or "
                   "adversarial, not '%s'", TYPE_PCIPASS_DART_PORT,
                   p->placement);
        return;
    }
    if (p->cap_bytes < PP_DART_PAGE_SIZE) {
        error_setg(errp, "%s: cap-bytes must be at least 16 KiB",
                   TYPE_PCIPASS_DART_PORT);
        return;
    }
    if (p->max_entries == 0 || p->max_entries > (1u << 20)) {
        error_setg(errp, "%s: max-entries must be 1..1048576",
                   TYPE_PCIPASS_DART_PORT);
        return;
    }
    if (p->msi_base == PCIPASS_MSI_AUTO) {
        if (target_base_arm()) {
            p->msi_base = PCIPASS_ARM_VIRT_MSI_BASE;
            p->msi_size = PCIPASS_ARM_VIRT_MSI_SIZE;
        } else if (!strcmp(target_name(), "x86_64") ||
                   !strcmp(target_name(), "i386")) {
            p->msi_base = PCIPASS_X86_MSI_BASE;
            p->msi_size = PCIPASS_X86_MSI_SIZE;
        } else {
            p->msi_base = 0;
            p->msi_size = 0;
        }
    }
    if (p->msi_size && p->msi_base + p->msi_size - 1 < p->msi_base) {
        error_setg(errp, "%s: msi-base + msi-size wraps",
                   TYPE_PCIPASS_DART_PORT);
        return;
    }
    pcipass_dart_port_aperture(p, &cfg);
    cfg.cap_bytes = p->cap_bytes;
    cfg.max_entries = p->max_entries;
    cfg.seed = p->seed;
    p->dart = pp_dart_new(&cfg);
    if (!p->dart) {
        error_setg(errp, "%s: cannot create the DART model (cap-bytes %"
                   PRIu64 ", max-entries %" PRIu32 ")",
                   TYPE_PCIPASS_DART_PORT, p->cap_bytes, p->max_entries);
        return;
    }

    rpc->parent_realize(dev, &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        pp_dart_free(p->dart);
        p->dart = NULL;
        return;
    }

    name = g_strdup_printf("%s-dart", dev->id ?: TYPE_PCIPASS_DART_PORT);
    memory_region_init_iommu(&p->iommu, sizeof(p->iommu),
                             TYPE_PCIPASS_DART_IOMMU_MR, OBJECT(p), name,
                             UINT64_MAX);
    address_space_init(&p->as, MEMORY_REGION(&p->iommu), name);
    p->iommu_ready = true;
    pcipass_ram_track();
    pci_setup_iommu(pcipass_dart_port_sec_bus(p),
                    &pcipass_dart_port_iommu_ops, p);
}

static void pcipass_dart_port_exit(PCIDevice *d)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(d);

    if (p->iommu_ready) {
        address_space_destroy(&p->as);
        p->iommu_ready = false;
    }
    pcipass_rp_parent_exit(d);
}

static void pcipass_dart_port_instance_init(Object *obj)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(obj);

    qemu_mutex_init(&p->lock);
}

static void pcipass_dart_port_instance_finalize(Object *obj)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(obj);

    pp_dart_free(p->dart);
    p->dart = NULL;
    qemu_mutex_destroy(&p->lock);
}

/* ---- read-only state for QMP (qom-get) and "info pcipass" ------------ */

typedef enum {
    PCIPASS_PORT_DART_ENTRIES,
    PCIPASS_PORT_DART_BYTES,
    PCIPASS_PORT_PEAK_ENTRIES,
    PCIPASS_PORT_PEAK_BYTES,
    PCIPASS_PORT_FAULTS,
    PCIPASS_PORT_MAP_FAILURES,
    PCIPASS_PORT_MAPS,
    PCIPASS_PORT_UNMAPS,
    PCIPASS_PORT_MSI_WRITES,
} PCIPassPortStat;

static const char *const pcipass_port_stat_names[] = {
    [PCIPASS_PORT_DART_ENTRIES] = "dart-entries",
    [PCIPASS_PORT_DART_BYTES] = "dart-bytes",
    [PCIPASS_PORT_PEAK_ENTRIES] = "peak-entries",
    [PCIPASS_PORT_PEAK_BYTES] = "peak-bytes",
    [PCIPASS_PORT_FAULTS] = "faults",
    [PCIPASS_PORT_MAP_FAILURES] = "map-failures",
    [PCIPASS_PORT_MAPS] = "maps",
    [PCIPASS_PORT_UNMAPS] = "unmaps",
    [PCIPASS_PORT_MSI_WRITES] = "msi-writes",
};

static uint64_t pcipass_port_stat(Object *obj, unsigned int which)
{
    PCIPassDartPort *p = PCIPASS_DART_PORT(obj);
    struct pp_dart_stats st = { 0 };
    uint64_t v = 0;

    qemu_mutex_lock(&p->lock);
    if (p->dart) {
        pp_dart_get_stats(p->dart, &st);
    }
    switch (which) {
    case PCIPASS_PORT_DART_ENTRIES:
        v = st.live_entries;
        break;
    case PCIPASS_PORT_DART_BYTES:
        v = st.live_bytes;
        break;
    case PCIPASS_PORT_PEAK_ENTRIES:
        v = st.peak_entries;
        break;
    case PCIPASS_PORT_PEAK_BYTES:
        v = st.peak_bytes;
        break;
    case PCIPASS_PORT_FAULTS:
        v = p->faults;
        break;
    case PCIPASS_PORT_MAP_FAILURES:
        v = st.fail_nospc + st.fail_toomany + st.fail_inval +
            st.fail_overflow;
        break;
    case PCIPASS_PORT_MAPS:
        v = st.maps;
        break;
    case PCIPASS_PORT_UNMAPS:
        v = st.unmaps;
        break;
    case PCIPASS_PORT_MSI_WRITES:
        v = p->msi_writes;
        break;
    }
    qemu_mutex_unlock(&p->lock);
    return v;
}

static const VMStateDescription vmstate_pcipass_dart_port = {
    .name = TYPE_PCIPASS_DART_PORT,
    .unmigratable = 1, /* the DART's mappings live in the host driver */
};

static const Property pcipass_dart_port_props[] = {
    DEFINE_PROP_SIZE("cap-bytes", PCIPassDartPort, cap_bytes,
                     PP_DART_DEFAULT_CAP_BYTES),
    DEFINE_PROP_UINT32("max-entries", PCIPassDartPort, max_entries,
                       PP_DART_DEFAULT_MAX_ENTRIES),
    DEFINE_PROP_STRING("placement", PCIPassDartPort, placement),
    DEFINE_PROP_UINT64("seed", PCIPassDartPort, seed, 0),
    DEFINE_PROP_UINT64("msi-base", PCIPassDartPort, msi_base,
                       PCIPASS_MSI_AUTO),
    DEFINE_PROP_UINT64("msi-size", PCIPassDartPort, msi_size, 0),
    DEFINE_PROP_PCIE_LINK_SPEED("x-speed", PCIESlot, speed,
                                PCIE_LINK_SPEED_16),
    DEFINE_PROP_PCIE_LINK_WIDTH("x-width", PCIESlot, width,
                                PCIE_LINK_WIDTH_32),
};

static void pcipass_dart_port_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    PCIERootPortClass *rpc = PCIE_ROOT_PORT_CLASS(klass);
    PCIPassDMATargetClass *tc = PCIPASS_DMA_TARGET_CLASS(klass);

    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_PCIE_RP;
    dc->desc = "PCI Express Root Port with a DART IOMMU (pcipass)";
    dc->vmsd = &vmstate_pcipass_dart_port;
    dc->hotpluggable = false;
    device_class_set_props(dc, pcipass_dart_port_props);
    device_class_set_parent_realize(dc, pcipass_dart_port_realize,
                                    &rpc->parent_realize);
    /* rp_exit is the PCIDeviceClass exit of the abstract root port. */
    pcipass_rp_parent_exit = k->exit;
    k->exit = pcipass_dart_port_exit;

    tc->check_companion = pcipass_dart_port_check_companion;
    tc->get_backend = pcipass_dart_port_get_backend;
    tc->get_caps = pcipass_dart_port_get_caps;
    tc->foreach_function = pcipass_dart_port_foreach_function;
    tc->host_gone = pcipass_dart_port_host_gone;

    rpc->aer_vector = pcipass_rp_aer_vector;
    rpc->interrupts_init = pcipass_rp_interrupts_init;
    rpc->interrupts_uninit = pcipass_rp_interrupts_uninit;
    rpc->aer_offset = PCIPASS_RP_AER_OFFSET;
    rpc->acs_offset = PCIPASS_RP_ACS_OFFSET;

    pcipass_qom_add_stats(klass, pcipass_port_stat_names,
                          ARRAY_SIZE(pcipass_port_stat_names),
                          pcipass_port_stat);
}

static void pcipass_dart_iommu_mr_class_init(ObjectClass *klass,
                                             const void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(klass);

    imrc->translate = pcipass_dart_translate;
    imrc->get_min_page_size = pcipass_dart_get_min_page_size;
    imrc->notify_flag_changed = pcipass_dart_notify_flag_changed;
    imrc->replay = pcipass_dart_replay;
}

static const TypeInfo pcipass_dart_port_info = {
    .name          = TYPE_PCIPASS_DART_PORT,
    .parent        = TYPE_PCIE_ROOT_PORT,
    .instance_size = sizeof(PCIPassDartPort),
    .instance_init = pcipass_dart_port_instance_init,
    .instance_finalize = pcipass_dart_port_instance_finalize,
    .class_init    = pcipass_dart_port_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { TYPE_PCIPASS_DMA_TARGET },
        { }
    },
};

static const TypeInfo pcipass_dart_iommu_mr_info = {
    .name       = TYPE_PCIPASS_DART_IOMMU_MR,
    .parent     = TYPE_IOMMU_MEMORY_REGION,
    .class_init = pcipass_dart_iommu_mr_class_init,
};

static void pcipass_dart_port_register_types(void)
{
    type_register_static(&pcipass_dart_port_info);
    type_register_static(&pcipass_dart_iommu_mr_info);
}

type_init(pcipass_dart_port_register_types)
