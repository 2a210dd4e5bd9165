/*
 * pcipass-pci: PCI passthrough of a function the host owns, reached through
 * the pcipass host-backend interface (hosts/include/pcipass/host.h,
 * docs/host-interface.md) instead of the Linux VFIO kernel driver: the
 * pcipass dext on a Mac ("dext"), or the in-process twin of a Mac ("sim").
 *
 * It is a subclass of QEMU's vfio-pci base device, built like vfio-user's
 * (hw/vfio-user/): its own VFIODeviceIOOps turn VFIO's config, BAR and
 * interrupt operations into host-backend calls, and its own VFIO IOMMU
 * (container) class maps nothing.  QEMU's vfio code keeps doing what it
 * does for a real assigned device: it virtualizes the BARs and emulates the
 * MSI and MSI-X capabilities and the MSI-X table and PBA for the guest.
 *
 *   config space   backend cfg_read/cfg_write; BAR registers, ROM BAR and
 *                  interrupt pin virtualized on reads; host-owned bytes, the
 *                  MSI/MSI-X capabilities and Initiate-FLR never forwarded
 *                  (FLR becomes a backend reset)              (passthru.c)
 *   BARs           RAM-device regions over the backend's bar_map pointer
 *                  (minus the MSI-X table/PBA pages), trapped bar_read/
 *                  bar_write otherwise
 *   interrupts     one backend irq_configure per claim; a main-loop handler
 *                  on irq_fd takes pending vectors and signals the vector
 *                  eventfds vfio gave through set_irqs; vectors the guest
 *                  masked are masked at the host lazily (the host latches,
 *                  the unmask delivers)
 *   DMA            not through the container: a pcipass-dma device names this
 *                  function as its target and maps guest RAM with the
 *                  backend's dma_map, guest-physical translated to QEMU's
 *                  own virtual address (the memory the host must wire)
 *   reset          device reset = backend FUNCTION reset
 *   unplug         PP_HOST_EV_GONE: reported, BARs taken away from the
 *                  guest, every access reads all ones, DMA maps fail; the VM
 *                  keeps running
 *
 * One backend instance is created per (backend, backend-args) and shared by
 * every pcipass-pci function that names the same pair, so the functions of
 * one host slot share one DART, as on a Mac.
 *
 * Copyright (c) 2026 The pcipass authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <linux/vfio.h>

#include "qapi/error.h"
#include "qemu/bitops.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_bus.h"
#include "hw/qdev-properties.h"
#include "hw/vfio/pci.h"
#include "hw/vfio/vfio-container.h"
#include "hw/vfio/vfio-device.h"
#include "migration/vmstate.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "hw/pcipass/pcipass.h"
#include "pcipass-qom.h"

#include "pcipass/host.h"
#include "pcipass/host_testhooks.h"
#include "pcipass/passthru.h"
#include "hosts/sim/sim.h"

OBJECT_DECLARE_SIMPLE_TYPE(PCIPassPCIDevice, PCIPASS_PCI)

#define TYPE_VFIO_IOMMU_PCIPASS TYPE_VFIO_IOMMU "-pcipass"

#define PCIPASS_PCI_MAX_PIECES  4
#define PCIPASS_DART_PAGE       (16 * KiB)

/* DMA fault log: the first few, then at most this many per second. */
#define PCIPASS_PCI_FAULT_LOG_FIRST   8
#define PCIPASS_PCI_FAULT_LOG_PER_SEC 4

/* One backend instance, shared by the functions that name it. */
typedef struct PCIPassHost {
    char *backend;
    char *args;
    struct pp_host *h;
    unsigned int refs;
    QLIST_HEAD(, PCIPassPCIDevice) devs;   /* realized functions */
    QLIST_ENTRY(PCIPassHost) next;
} PCIPassHost;

static QLIST_HEAD(, PCIPassHost) pcipass_hosts =
    QLIST_HEAD_INITIALIZER(pcipass_hosts);

/* A BAR mapped into the guest from the backend's pointer. */
typedef struct PCIPassBarMap {
    void *ptr;
    uint64_t len;
    MemoryRegion mr[PCIPASS_PCI_MAX_PIECES];
    unsigned int nr;
} PCIPassBarMap;

struct PCIPassPCIDevice {
    /*< private >*/
    VFIOPCIDevice parent_obj;
    /*< public >*/

    /* properties */
    char *backend;              /* "sim" (default) or "dext" */
    char *host_id;              /* e.g. "sim0:01:00.0" */
    char *backend_args;

    /* the claim */
    PCIPassHost *host;
    struct pp_host_dev *dev;
    const struct pp_host_ops *ops;
    struct pp_host_dev_info info;
    struct pp_host_bar_info bar_info[PP_HOST_MAX_BARS];
    struct pp_pt_bar bars[PP_PT_NR_BARS];
    struct pp_pt_caps caps;
    char slot[PP_HOST_ID_LEN];  /* host id without the function */
    uint64_t dma_cap_bytes, dma_max_entries;
    struct pp_host_dma_usage usage;     /* last dma_usage() seen */
    int irq_fd;
    bool irq_handler;
    bool listed;
    bool gone;
    QLIST_ENTRY(PCIPassPCIDevice) next;

    PCIPassBarMap map[PP_HOST_MAX_BARS];

    /* interrupts */
    enum pp_host_irq_type irq_type;     /* configured in this claim */
    unsigned int irq_granted;
    int vec_fd[PP_HOST_MAX_VECTORS];    /* vfio's trigger fd, or -1 */
    unsigned long host_masked[BITS_TO_LONGS(PP_HOST_MAX_VECTORS)];
    bool warned_grant;

    /* counters */
    uint64_t irqs_taken, irqs_delivered, irqs_latched, irqs_dropped;
    uint64_t trapped_reads, trapped_writes, cfg_reads, cfg_writes;
    uint64_t resets, flrs, backend_errors, dma_fault_events;
    int64_t fault_log_window;
    uint32_t fault_log_burst;
    uint64_t faults_suppressed;
};

static PCIPassPCIDevice *pcipass_pci_of(VFIODevice *vbasedev)
{
    return PCIPASS_PCI(container_of(vbasedev, VFIOPCIDevice, vbasedev));
}

static const char *pcipass_pci_name(PCIPassPCIDevice *p)
{
    return DEVICE(p)->id ?: (p->host_id ?: TYPE_PCIPASS_PCI);
}

/* ---- the shared backend instances ---------------------------------------- */

static PCIPassHost *pcipass_host_get(const char *backend, const char *args,
                                     Error **errp)
{
    PCIPassHost *ph;
    struct pp_host *h;
    int st = PP_OK;

    args = args ?: "";
    QLIST_FOREACH(ph, &pcipass_hosts, next) {
        if (!strcmp(ph->backend, backend) && !strcmp(ph->args, args)) {
            ph->refs++;
            return ph;
        }
    }
    h = pp_host_create(backend, *args ? args : NULL, &st);
    if (!h) {
        if (st == PP_ERR_NOENT) {
            error_setg(errp, "no host backend '%s' in this QEMU (\"sim\" "
                       "everywhere; \"dext\" on macOS, and for tests in "
                       "the Linux build over the fake IOKit)", backend);
        } else if (st == PP_ERR_INVAL) {
            error_setg(errp, "host backend '%s' refused backend-args '%s' "
                       "(docs/host-interface.md lists its options)",
                       backend, args);
        } else {
            error_setg(errp, "cannot create host backend '%s': %s",
                       backend, pp_status_name(st));
        }
        return NULL;
    }
    ph = g_new0(PCIPassHost, 1);
    ph->backend = g_strdup(backend);
    ph->args = g_strdup(args);
    ph->h = h;
    ph->refs = 1;
    QLIST_INIT(&ph->devs);
    QLIST_INSERT_HEAD(&pcipass_hosts, ph, next);
    return ph;
}

static void pcipass_host_put(PCIPassHost *ph)
{
    if (!ph || --ph->refs) {
        return;
    }
    QLIST_REMOVE(ph, next);
    ph->h->ops->destroy(ph->h);
    g_free(ph->backend);
    g_free(ph->args);
    g_free(ph);
}

/* ---- unplug and DMA faults ----------------------------------------------- */

/* The host DART's usage now (the last values seen once the device is gone). */
static const struct pp_host_dma_usage *pcipass_pci_usage(PCIPassPCIDevice *p)
{
    struct pp_host_dma_usage u;

    if (p->dev && !p->gone && p->ops->dma_usage(p->dev, &u) == PP_OK) {
        p->usage = u;
    }
    return &p->usage;
}

static void pcipass_pci_set_gone(PCIPassPCIDevice *p)
{
    unsigned int b, k;

    if (p->gone) {
        return;
    }
    p->gone = true;
    error_report("%s: host device %s (%s) is gone: unplugged, or the host "
                 "driver stopped.  It stays in the guest but reads as all "
                 "ones, and DMA maps fail; the VM keeps running",
                 pcipass_pci_name(p), p->host_id, p->info.location);
    if (p->irq_handler) {
        qemu_set_fd_handler(p->irq_fd, NULL, NULL, NULL);
        p->irq_handler = false;
    }
    /*
     * The guest must stop touching the BARs: take the direct mappings
     * away (accesses then trap and read all ones).  The pointers are given
     * back at close, as the interface asks.
     */
    for (b = 0; b < PP_HOST_MAX_BARS; b++) {
        for (k = 0; k < p->map[b].nr; k++) {
            memory_region_set_enabled(&p->map[b].mr[k], false);
        }
    }
}

/* A backend call failed: PP_ERR_HOST means the device went away. */
static void pcipass_pci_backend_error(PCIPassPCIDevice *p, int st,
                                      const char *what)
{
    p->backend_errors++;
    if (st == PP_ERR_HOST) {
        pcipass_pci_set_gone(p);
        return;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %s failed: %s\n",
                  pcipass_pci_name(p), what, pp_status_name(st));
}

static void pcipass_pci_dma_fault(PCIPassPCIDevice *p)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    uint64_t faults = pcipass_pci_usage(p)->faults;

    p->dma_fault_events++;
    if (p->dma_fault_events > PCIPASS_PCI_FAULT_LOG_FIRST) {
        if (now - p->fault_log_window >= 1000) {
            p->fault_log_window = now;
            p->fault_log_burst = 0;
        }
        if (p->fault_log_burst >= PCIPASS_PCI_FAULT_LOG_PER_SEC) {
            p->faults_suppressed++;
            return;
        }
        p->fault_log_burst++;
    }
    warn_report("%s: %s hit a DMA address the host's DART refused (%" PRIu64
                " DART faults so far, %" PRIu64 " messages suppressed)",
                pcipass_pci_name(p), p->host_id, faults,
                p->faults_suppressed);
}

/* ---- interrupts ------------------------------------------------------------ */

/*
 * Signals the eventfd vfio gave for vector v.  It is one of the vector's
 * EventNotifiers; setting the notifier (rather than writing the raw fd)
 * also works where EventNotifier is a pipe pair (macOS).
 */
static void pcipass_pci_signal(PCIPassPCIDevice *p, unsigned int v, int fd)
{
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(p);
    uint64_t one = 1;

    if (vdev->msi_vectors && (int)v < vdev->nr_vectors) {
        VFIOMSIVector *vec = &vdev->msi_vectors[v];

        if (event_notifier_get_fd(&vec->interrupt) == fd) {
            event_notifier_set(&vec->interrupt);
            return;
        }
        if (vec->virq >= 0 && event_notifier_get_fd(&vec->kvm_interrupt) == fd) {
            event_notifier_set(&vec->kvm_interrupt);
            return;
        }
    }
    if (write(fd, &one, sizeof(one)) != sizeof(one)) {
        p->irqs_dropped++;
    }
}

static void pcipass_pci_deliver(PCIPassPCIDevice *p, unsigned int v)
{
    PCIDevice *pdev = PCI_DEVICE(p);
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(p);
    int fd = p->vec_fd[v];
    int st;

    p->irqs_taken++;
    if (fd < 0) {
        /* No trigger: the guest has not enabled this vector. */
        p->irqs_dropped++;
        return;
    }
    if (p->irq_type == PP_HOST_IRQ_MSIX && vdev->interrupt == VFIO_INT_MSIX &&
        (int)v < pdev->msix_entries_nr && msix_is_masked(pdev, v)) {
        /*
         * The guest masked it: QEMU's MSI-X emulation keeps it pending
         * (vfio's PBA) and sends it on unmask.  Mask at the host too, so
         * that further raises wait in the host's latch instead of waking
         * us; the unmask comes back through set_irqs.
         */
        p->irqs_latched++;
        if (!test_bit(v, p->host_masked)) {
            st = p->ops->irq_mask(p->dev, v, true);
            if (st == PP_OK) {
                set_bit(v, p->host_masked);
            } else {
                pcipass_pci_backend_error(p, st, "irq_mask");
            }
        }
    } else if (p->irq_type == PP_HOST_IRQ_MSI &&
               vdev->interrupt == VFIO_INT_MSI && msi_is_masked(pdev, v)) {
        p->irqs_latched++;      /* QEMU's MSI emulation keeps it pending */
    } else {
        p->irqs_delivered++;
    }
    pcipass_pci_signal(p, v, fd);
}

/* Main loop: irq_fd is readable. */
static void pcipass_pci_irq_handler(void *opaque)
{
    PCIPassPCIDevice *p = opaque;
    uint64_t pending[4];
    uint32_t ev = 0;
    unsigned int w;

    if (p->gone) {
        return;
    }
    if (p->ops->events(p->dev, &ev) == PP_OK && ev) {
        if (ev & PP_HOST_EV_GONE) {
            pcipass_pci_set_gone(p);
            return;
        }
        if (ev & PP_HOST_EV_DMA_FAULT) {
            pcipass_pci_dma_fault(p);
        }
    }
    if (p->ops->irq_take(p->dev, pending) != PP_OK) {
        return;
    }
    for (w = 0; w < 4; w++) {
        while (pending[w]) {
            unsigned int b = ctz64(pending[w]);

            pending[w] &= pending[w] - 1;
            pcipass_pci_deliver(p, w * 64 + b);
        }
    }
}

/* vfio set vector v's trigger to fd (-1: none). */
static void pcipass_pci_set_vector(PCIPassPCIDevice *p, unsigned int v, int fd)
{
    int st;

    if (v >= p->irq_granted) {
        if (fd >= 0 && !p->warned_grant) {
            p->warned_grant = true;
            warn_report("%s: the guest enables vector %u, but the host "
                        "granted only %u: it will never fire",
                        pcipass_pci_name(p), v, p->irq_granted);
        }
        return;
    }
    p->vec_fd[v] = fd;
    if (test_bit(v, p->host_masked)) {
        /* Unmasked by the guest (or disabled): latched raises come now. */
        st = p->ops->irq_mask(p->dev, v, false);
        if (st == PP_OK) {
            clear_bit(v, p->host_masked);
        } else {
            pcipass_pci_backend_error(p, st, "irq_mask");
        }
    }
}

/* The one host interrupt configuration of this claim. */
static int pcipass_pci_irq_configure(PCIPassPCIDevice *p,
                                     enum pp_host_irq_type type,
                                     unsigned int nvec)
{
    unsigned int granted = 0;
    int st;

    if (p->irq_type == type && p->irq_granted >= nvec) {
        return 0;
    }
    st = p->ops->irq_configure(p->dev, type, MIN(nvec, PP_HOST_MAX_VECTORS),
                               &granted);
    if (st != PP_OK) {
        if (st == PP_ERR_HOST) {
            pcipass_pci_set_gone(p);
            return -ENODEV;
        }
        error_report("%s: host refused %s with %u vectors: %s (a host "
                     "configures one interrupt type per device, for good)",
                     pcipass_pci_name(p),
                     type == PP_HOST_IRQ_MSIX ? "MSI-X" : "MSI", nvec,
                     pp_status_name(st));
        return -EINVAL;
    }
    p->irq_type = type;
    p->irq_granted = MAX(p->irq_granted, granted);
    return 0;
}

/* ---- VFIODeviceIOOps: VFIO's device calls, on the host backend ----------- */

static int pcipass_io_device_feature(VFIODevice *vbasedev,
                                     struct vfio_device_feature *feat)
{
    return -ENOTTY;     /* no migration, no dirty tracking */
}

static int pcipass_io_get_region_info(VFIODevice *vbasedev,
                                      struct vfio_region_info *info, int *fd)
{
    PCIPassPCIDevice *p = pcipass_pci_of(vbasedev);
    uint32_t index = info->index;

    *fd = -1;
    if (info->argsz < sizeof(*info)) {
        return -EINVAL;
    }
    memset(info, 0, sizeof(*info));
    info->argsz = sizeof(*info);
    info->index = index;
    if (index < VFIO_PCI_ROM_REGION_INDEX) {
        if (p->bars[index].size) {
            /*
             * No VFIO_REGION_INFO_FLAG_MMAP: vfio would mmap an fd.  The
             * direct mapping comes from bar_map (pcipass_pci_map_bars).
             */
            info->flags = VFIO_REGION_INFO_FLAG_READ |
                          VFIO_REGION_INFO_FLAG_WRITE;
            info->size = p->bars[index].size;
        }
    } else if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
        info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
        info->size = PP_HOST_CFG_SIZE;
    } else if (index >= VFIO_PCI_NUM_REGIONS) {
        return -EINVAL;
    }
    /* ROM (the Mac reports none) and VGA: size 0. */
    return 0;
}

static int pcipass_io_get_irq_info(VFIODevice *vbasedev,
                                   struct vfio_irq_info *irq)
{
    PCIPassPCIDevice *p = pcipass_pci_of(vbasedev);
    uint32_t index = irq->index;

    if (index >= VFIO_PCI_NUM_IRQS || index == VFIO_PCI_ERR_IRQ_INDEX ||
        index == VFIO_PCI_REQ_IRQ_INDEX) {
        /* No AER and no device request: the host handles both. */
        return -EINVAL;
    }
    memset(irq, 0, sizeof(*irq));
    irq->argsz = sizeof(*irq);
    irq->index = index;
    irq->flags = VFIO_IRQ_INFO_EVENTFD;
    if (index == VFIO_PCI_MSIX_IRQ_INDEX && p->caps.msix) {
        irq->count = p->caps.msix_table_size;
    } else if (index == VFIO_PCI_MSI_IRQ_INDEX && p->caps.msi) {
        irq->count = 32;
    }
    /* INTx: none (a Mac delivers only MSI/MSI-X). */
    return 0;
}

static int pcipass_io_set_irqs(VFIODevice *vbasedev, struct vfio_irq_set *irq)
{
    PCIPassPCIDevice *p = pcipass_pci_of(vbasedev);
    uint32_t action = irq->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    uint32_t data = irq->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    enum pp_host_irq_type type;
    const int32_t *fds;
    unsigned int i;
    int ret;

    if (irq->index != VFIO_PCI_MSI_IRQ_INDEX &&
        irq->index != VFIO_PCI_MSIX_IRQ_INDEX) {
        /* INTx, ERR, REQ do not exist here; tearing them down is fine. */
        return data == VFIO_IRQ_SET_DATA_NONE && !irq->count ? 0 : -EINVAL;
    }
    if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
        return -EINVAL;
    }
    type = irq->index == VFIO_PCI_MSIX_IRQ_INDEX ? PP_HOST_IRQ_MSIX :
                                                   PP_HOST_IRQ_MSI;
    if (data == VFIO_IRQ_SET_DATA_NONE) {
        if (irq->count) {
            return -EINVAL;     /* loopback triggers: not supported */
        }
        /* Disable the index: no triggers; host masks lifted. */
        if (p->irq_type == type) {
            for (i = 0; i < p->irq_granted; i++) {
                pcipass_pci_set_vector(p, i, -1);
            }
        }
        return 0;
    }
    if (data != VFIO_IRQ_SET_DATA_EVENTFD || !irq->count ||
        irq->start + irq->count > PP_HOST_MAX_VECTORS) {
        return -EINVAL;
    }
    if (p->gone) {
        return 0;               /* nothing will fire any more */
    }
    ret = pcipass_pci_irq_configure(p, type,
                                    type == PP_HOST_IRQ_MSIX ?
                                    p->caps.msix_table_size :
                                    irq->start + irq->count);
    if (ret) {
        return ret;
    }
    if (type == PP_HOST_IRQ_MSI && p->irq_granted < irq->start + irq->count) {
        /* vfio's MSI path retries with the number we return. */
        return (int)p->irq_granted;
    }
    fds = (const int32_t *)irq->data;
    for (i = 0; i < irq->count; i++) {
        pcipass_pci_set_vector(p, irq->start + i, fds[i]);
    }
    return 0;
}

/* Config space: [off, off + size) read into buf. */
static int pcipass_pci_cfg_read(PCIPassPCIDevice *p, uint32_t off,
                                uint32_t size, uint8_t *buf)
{
    uint32_t a, v;
    int st;

    if (off >= PP_HOST_CFG_SIZE || size > PP_HOST_CFG_SIZE - off) {
        return -EINVAL;
    }
    p->cfg_reads++;
    if (p->gone) {
        memset(buf, 0xff, size);
        return size;
    }
    if ((size == 1 || size == 2 || size == 4) && !(off % size)) {
        st = p->ops->cfg_read(p->dev, off, size, &v);
        if (st != PP_OK) {
            pcipass_pci_backend_error(p, st, "cfg_read");
            v = UINT32_MAX;
        }
        v = cpu_to_le32(v);
        memcpy(buf, &v, size);
    } else {
        for (a = off & ~3u; a < off + size; a += 4) {
            uint8_t d[4];
            uint32_t i;

            st = p->ops->cfg_read(p->dev, a, 4, &v);
            if (st != PP_OK) {
                pcipass_pci_backend_error(p, st, "cfg_read");
                v = UINT32_MAX;
            }
            v = cpu_to_le32(v);
            memcpy(d, &v, 4);
            for (i = 0; i < 4; i++) {
                if (a + i >= off && a + i < off + size) {
                    buf[a + i - off] = d[i];
                }
            }
        }
    }
    pp_pt_cfg_fixup_read(p->bars, off, buf, size);
    return size;
}

static void pcipass_pci_flr(PCIPassPCIDevice *p)
{
    int st;

    /*
     * The guest asked for a Function Level Reset.  Forwarding the bit would
     * reset the function behind the host's back (BARs and interrupt
     * programming lost); the host's reset restores both.  Afterwards the
     * function looks freshly reset to the guest: decoding and bus
     * mastering off, as after a real FLR.
     */
    p->flrs++;
    st = p->ops->reset(p->dev, PP_HOST_RESET_FUNCTION);
    if (st != PP_OK) {
        pcipass_pci_backend_error(p, st, "reset (FLR)");
        return;
    }
    st = p->ops->cfg_write(p->dev, PCI_COMMAND, 2, 0);
    if (st != PP_OK) {
        pcipass_pci_backend_error(p, st, "cfg_write");
    }
}

static int pcipass_pci_cfg_write(PCIPassPCIDevice *p, uint32_t off,
                                 uint32_t size, const uint8_t *buf)
{
    struct pp_pt_chunk ch[4];
    uint32_t val = 0;
    unsigned int mask, n, i;
    bool flr = false;
    int st;

    if (off >= PP_HOST_CFG_SIZE || size > PP_HOST_CFG_SIZE - off) {
        return -EINVAL;
    }
    if ((size != 1 && size != 2 && size != 4) || off % size) {
        /* vfio writes naturally aligned 1/2/4 bytes only */
        return -EINVAL;
    }
    p->cfg_writes++;
    if (p->gone) {
        return size;
    }
    memcpy(&val, buf, size);
    val = le32_to_cpu(val);
    mask = pp_pt_cfg_write_mask(&p->caps, off, size, &val, &flr);
    n = pp_pt_split(off, size, mask, ch);
    for (i = 0; i < n; i++) {
        uint32_t v = val >> (8 * ch[i].shift);

        if (ch[i].size < 4) {
            v &= (1u << (8 * ch[i].size)) - 1;
        }
        st = p->ops->cfg_write(p->dev, ch[i].off, ch[i].size, v);
        if (st != PP_OK) {
            pcipass_pci_backend_error(p, st, "cfg_write");
            break;
        }
    }
    if (flr && !p->gone) {
        pcipass_pci_flr(p);
    }
    return size;
}

/* Is [off, off + size) of BAR nr inside the MSI-X table or PBA? */
static bool pcipass_pci_in_msix(PCIPassPCIDevice *p, unsigned int nr,
                                uint64_t off, unsigned int size)
{
    const struct pp_pt_caps *c = &p->caps;
    uint64_t t_len = (uint64_t)c->msix_table_size * PCI_MSIX_ENTRY_SIZE;
    uint64_t p_len = DIV_ROUND_UP(c->msix_table_size, 64) * 8;

    if (!c->msix) {
        return false;
    }
    return (nr == c->msix_table_bar && off < c->msix_table_off + t_len &&
            c->msix_table_off < off + size) ||
           (nr == c->msix_pba_bar && off < c->msix_pba_off + p_len &&
            c->msix_pba_off < off + size);
}

static int pcipass_pci_bar_access(PCIPassPCIDevice *p, unsigned int nr,
                                  uint64_t off, uint32_t size, void *data,
                                  bool write)
{
    uint64_t v = 0;
    int st;

    if (nr >= PP_PT_NR_BARS || !p->bars[nr].size ||
        off >= p->bars[nr].size || size > p->bars[nr].size - off ||
        (size != 1 && size != 2 && size != 4 && size != 8) || off % size) {
        return -EINVAL;
    }
    if (write) {
        p->trapped_writes++;
    } else {
        p->trapped_reads++;
    }
    /*
     * The MSI-X table and PBA belong to the host: QEMU emulates the guest's
     * view (the table always; the PBA while a masked vector is pending).
     * What falls through to here reads as 0 (nothing pending) and is never
     * forwarded.
     */
    if (p->gone || pcipass_pci_in_msix(p, nr, off, size)) {
        if (!write) {
            memset(data, p->gone ? 0xff : 0, size);
        }
        return size;
    }
    if (write) {
        memcpy(&v, data, size);
        v = le64_to_cpu(v);
        st = p->ops->bar_write(p->dev, nr, off, size, v);
    } else {
        st = p->ops->bar_read(p->dev, nr, off, size, &v);
    }
    if (st != PP_OK) {
        pcipass_pci_backend_error(p, st, write ? "bar_write" : "bar_read");
        v = UINT64_MAX;
    }
    if (!write) {
        v = cpu_to_le64(v);
        memcpy(data, &v, size);
    }
    return size;
}

static int pcipass_io_region_read(VFIODevice *vbasedev, uint8_t nr, off_t off,
                                  uint32_t size, void *data)
{
    PCIPassPCIDevice *p = pcipass_pci_of(vbasedev);

    if (off < 0) {
        return -EINVAL;
    }
    if (nr == VFIO_PCI_CONFIG_REGION_INDEX) {
        return pcipass_pci_cfg_read(p, off, size, data);
    }
    return pcipass_pci_bar_access(p, nr, off, size, data, false);
}

static int pcipass_io_region_write(VFIODevice *vbasedev, uint8_t nr,
                                   off_t off, uint32_t size, void *data,
                                   bool post)
{
    PCIPassPCIDevice *p = pcipass_pci_of(vbasedev);

    if (off < 0) {
        return -EINVAL;
    }
    if (nr == VFIO_PCI_CONFIG_REGION_INDEX) {
        return pcipass_pci_cfg_write(p, off, size, data);
    }
    /* Backend writes are synchronous: "post" changes nothing. */
    return pcipass_pci_bar_access(p, nr, off, size, data, true);
}

static VFIODeviceIOOps pcipass_io_ops = {
    .device_feature = pcipass_io_device_feature,
    .get_region_info = pcipass_io_get_region_info,
    .get_irq_info = pcipass_io_get_irq_info,
    .set_irqs = pcipass_io_set_irqs,
    .region_read = pcipass_io_region_read,
    .region_write = pcipass_io_region_write,
};

/* ---- the VFIO container: attaches devices, maps nothing ------------------ */

/*
 * vfio's containers map all of guest RAM for the device (a MemoryListener
 * calling dma_map).  On a Mac that is impossible (about 1.5 GB of DART,
 * bus addresses chosen by the host), so this container registers no
 * listener: DMA goes through pcipass-dma, which maps what the guest's
 * driver asks for.  It still disables RAM discard, as vfio does: the host
 * holds pointers into guest RAM while they are mapped.
 */
static bool pcipass_iommu_setup(VFIOContainer *bcontainer, Error **errp)
{
    bcontainer->pgsizes = PCIPASS_DART_PAGE;
    bcontainer->dma_max_mappings = 0;
    bcontainer->dirty_pages_supported = false;
    return true;
}

static int pcipass_iommu_dma_map(const VFIOContainer *bcontainer, hwaddr iova,
                                 uint64_t size, void *vaddr, bool readonly,
                                 MemoryRegion *mr)
{
    return -ENOTSUP;    /* never called: no listener */
}

static int pcipass_iommu_dma_unmap(const VFIOContainer *bcontainer,
                                   hwaddr iova, uint64_t size,
                                   IOMMUTLBEntry *iotlb, bool unmap_all)
{
    return -ENOTSUP;
}

static int pcipass_iommu_set_dirty_page_tracking(const VFIOContainer *bc,
                                                 bool start, Error **errp)
{
    error_setg_errno(errp, ENOTSUP, "pcipass: no dirty tracking");
    return -ENOTSUP;
}

static int pcipass_iommu_query_dirty_bitmap(const VFIOContainer *bc,
                                            VFIOBitmap *vbmap, hwaddr iova,
                                            hwaddr size, Error **errp)
{
    error_setg_errno(errp, ENOTSUP, "pcipass: no dirty tracking");
    return -ENOTSUP;
}

static int pcipass_iommu_pci_hot_reset(VFIODevice *vbasedev, bool single)
{
    return 0;           /* resets go through the backend (device reset) */
}

static bool pcipass_iommu_attach_device(const char *name, VFIODevice *vbasedev,
                                        AddressSpace *as, Error **errp)
{
    struct vfio_device_info info = {
        .argsz = sizeof(info),
        .flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET,
        .num_regions = VFIO_PCI_NUM_REGIONS,
        .num_irqs = VFIO_PCI_NUM_IRQS,
    };
    VFIOAddressSpace *space = vfio_address_space_get(as);
    VFIOContainer *bcontainer;
    int ret;

    bcontainer = VFIO_IOMMU(object_new(TYPE_VFIO_IOMMU_PCIPASS));
    ret = ram_block_uncoordinated_discard_disable(true);
    if (ret) {
        error_setg_errno(errp, -ret, "cannot set discarding of RAM broken");
        object_unref(bcontainer);
        vfio_address_space_put(space);
        return false;
    }
    pcipass_iommu_setup(bcontainer, errp);
    vfio_address_space_insert(space, bcontainer);
    bcontainer->initialized = true;
    vbasedev->fd = -1;
    vfio_device_prepare(vbasedev, bcontainer, &info);
    return true;
}

static void pcipass_iommu_detach_device(VFIODevice *vbasedev)
{
    VFIOContainer *bcontainer = vbasedev->bcontainer;
    VFIOAddressSpace *space = bcontainer->space;

    vfio_device_unprepare(vbasedev);
    ram_block_uncoordinated_discard_disable(false);
    object_unref(bcontainer);
    vfio_address_space_put(space);
}

static void pcipass_iommu_class_init(ObjectClass *klass, const void *data)
{
    VFIOIOMMUClass *vioc = VFIO_IOMMU_CLASS(klass);

    vioc->setup = pcipass_iommu_setup;
    vioc->dma_map = pcipass_iommu_dma_map;
    vioc->dma_unmap = pcipass_iommu_dma_unmap;
    vioc->attach_device = pcipass_iommu_attach_device;
    vioc->detach_device = pcipass_iommu_detach_device;
    vioc->set_dirty_page_tracking = pcipass_iommu_set_dirty_page_tracking;
    vioc->query_dirty_bitmap = pcipass_iommu_query_dirty_bitmap;
    vioc->pci_hot_reset = pcipass_iommu_pci_hot_reset;
}

/* ---- BARs mapped from the backend's pointers ------------------------------ */

static void pcipass_pci_map_bars(PCIPassPCIDevice *p)
{
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(p);
    uint64_t page = MAX(qemu_real_host_page_size(), 4 * KiB);
    unsigned int b, k, n, nh;

    for (b = 0; b < PP_PT_NR_BARS; b++) {
        PCIPassBarMap *m = &p->map[b];
        struct pp_pt_range holes[2], pieces[PCIPASS_PCI_MAX_PIECES];
        MemoryRegion *container = vdev->bars[b].region.mem;
        void *ptr = NULL;
        uint64_t len = 0;
        int st;

        if (!p->bars[b].size || !p->bar_info[b].mappable || !container) {
            continue;
        }
        st = p->ops->bar_map(p->dev, b, &ptr, &len);
        if (st != PP_OK || !ptr || len < p->bars[b].size) {
            warn_report("%s: BAR%u cannot be mapped (%s); every access traps",
                        pcipass_pci_name(p), b,
                        st != PP_OK ? pp_status_name(st) : "short mapping");
            if (st == PP_OK) {
                p->ops->bar_unmap(p->dev, b, ptr);
            }
            continue;
        }
        nh = 0;
        if (p->caps.msix && p->caps.msix_table_bar == b) {
            holes[nh++] = (struct pp_pt_range){
                p->caps.msix_table_off,
                (uint64_t)p->caps.msix_table_size * PCI_MSIX_ENTRY_SIZE };
        }
        if (p->caps.msix && p->caps.msix_pba_bar == b) {
            holes[nh++] = (struct pp_pt_range){
                p->caps.msix_pba_off,
                DIV_ROUND_UP(p->caps.msix_table_size, 64) * 8 };
        }
        n = pp_pt_bar_pieces(p->bars[b].size, page, holes, nh, pieces,
                             PCIPASS_PCI_MAX_PIECES);
        if (!n || n > PCIPASS_PCI_MAX_PIECES) {
            /* all of it is MSI-X: nothing to map */
            p->ops->bar_unmap(p->dev, b, ptr);
            continue;
        }
        m->ptr = ptr;
        m->len = len;
        for (k = 0; k < n; k++) {
            g_autofree char *name = g_strdup_printf("%s BAR%u mmap[%u]",
                                                    p->host_id, b, k);

            /*
             * A RAM-device region: guest loads and stores reach the
             * backend's memory directly (TCG: as MMIO-sized accesses;
             * HVF: hv_vm_map'ed read/write, never executable: see
             * qemu/patches/0010-hvf-ram-device-no-exec.patch).
             */
            memory_region_init_ram_device_ptr(&m->mr[k], OBJECT(p), name,
                                              pieces[k].len,
                                              (uint8_t *)ptr + pieces[k].off);
            memory_region_add_subregion(container, pieces[k].off, &m->mr[k]);
        }
        m->nr = n;
    }
}

static void pcipass_pci_unmap_bars(PCIPassPCIDevice *p)
{
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(p);
    unsigned int b, k;

    for (b = 0; b < PP_PT_NR_BARS; b++) {
        PCIPassBarMap *m = &p->map[b];

        for (k = 0; k < m->nr; k++) {
            memory_region_del_subregion(vdev->bars[b].region.mem, &m->mr[k]);
            object_unparent(OBJECT(&m->mr[k]));
        }
        m->nr = 0;
        if (m->ptr) {
            p->ops->bar_unmap(p->dev, b, m->ptr);
            m->ptr = NULL;
        }
    }
}

/* ---- claim and release -------------------------------------------------- */

static bool pcipass_pci_open(PCIPassPCIDevice *p, Error **errp)
{
    uint8_t cfg[256];
    struct pp_host_dma_usage u = { 0 };
    const char *dot;
    unsigned int b, v;
    uint32_t w;
    int st;

    p->host = pcipass_host_get(p->backend ?: "sim", p->backend_args, errp);
    if (!p->host) {
        return false;
    }
    st = p->host->h->ops->open(p->host->h, p->host_id, &p->dev);
    if (st != PP_OK) {
        if (st == PP_ERR_NOENT) {
            struct pp_host_dev_info list[16];
            unsigned int n = 0, i;
            GString *ids = g_string_new("");

            p->host->h->ops->enumerate(p->host->h, list, ARRAY_SIZE(list), &n);
            for (i = 0; i < MIN(n, ARRAY_SIZE(list)); i++) {
                g_string_append_printf(ids, "%s%s", i ? ", " : "", list[i].id);
            }
            error_setg(errp, "no host function '%s' (backend %s has: %s)",
                       p->host_id, p->host->backend,
                       ids->len ? ids->str : "none");
            g_string_free(ids, true);
        } else {
            error_setg(errp, "cannot claim host function '%s': %s (claimed "
                       "already, or not owned by the host driver)",
                       p->host_id, pp_status_name(st));
        }
        p->dev = NULL;
        return false;
    }
    p->ops = p->dev->ops;
    p->irq_fd = p->ops->irq_fd(p->dev);
    if (p->ops->info(p->dev, &p->info) != PP_OK) {
        error_setg(errp, "host function '%s' went away", p->host_id);
        return false;
    }
    for (b = 0; b < PP_HOST_MAX_BARS; b++) {
        struct pp_host_bar_info *bi = &p->bar_info[b];

        if (p->ops->bar_info(p->dev, b, bi) != PP_OK) {
            error_setg(errp, "host function '%s': bar_info(%u) failed",
                       p->host_id, b);
            return false;
        }
        /* No I/O space on Apple Silicon: I/O BARs are not exposed. */
        if (!bi->size || bi->type == PP_HOST_BAR_NONE ||
            bi->type == PP_HOST_BAR_IO) {
            continue;
        }
        if (bi->size & (bi->size - 1)) {
            error_setg(errp, "host function '%s': BAR%u size 0x%" PRIx64
                       " is not a power of two", p->host_id, b, bi->size);
            return false;
        }
        if (bi->type == PP_HOST_BAR_MEM64 && b == PP_HOST_MAX_BARS - 1) {
            error_setg(errp, "host function '%s': 64-bit BAR5", p->host_id);
            return false;
        }
        p->bars[b].size = bi->size;
        p->bars[b].type = bi->type == PP_HOST_BAR_MEM64 ? PP_PT_BAR_MEM64 :
                                                           PP_PT_BAR_MEM32;
        p->bars[b].prefetchable = bi->prefetchable;
        if (bi->type == PP_HOST_BAR_MEM64) {
            b++;                /* the upper half */
        }
    }
    for (w = 0; w < sizeof(cfg); w += 4) {
        uint32_t val = UINT32_MAX;

        p->ops->cfg_read(p->dev, w, 4, &val);
        cfg[w] = val;
        cfg[w + 1] = val >> 8;
        cfg[w + 2] = val >> 16;
        cfg[w + 3] = val >> 24;
    }
    pp_pt_parse_caps(cfg, sizeof(cfg), &p->caps);
    if (p->ops->dma_usage(p->dev, &u) != PP_OK) {
        error_setg(errp, "host function '%s': dma_usage failed", p->host_id);
        return false;
    }
    p->dma_cap_bytes = u.cap_bytes;
    p->dma_max_entries = u.max_entries;
    p->usage = u;

    /* The slot: the id without ".<function>". */
    pstrcpy(p->slot, sizeof(p->slot), p->host_id);
    dot = strrchr(p->slot, '.');
    if (dot) {
        p->slot[dot - p->slot] = '\0';
    }
    for (v = 0; v < PP_HOST_MAX_VECTORS; v++) {
        p->vec_fd[v] = -1;
    }
    return true;
}

static void pcipass_pci_close(PCIPassPCIDevice *p)
{
    if (p->irq_handler) {
        qemu_set_fd_handler(p->irq_fd, NULL, NULL, NULL);
        p->irq_handler = false;
    }
    if (p->listed) {
        QLIST_REMOVE(p, next);
        p->listed = false;
    }
    if (p->dev) {
        p->ops->close(p->dev);    /* unmaps every DMA mapping of the claim */
        p->dev = NULL;
    }
    pcipass_host_put(p->host);
    p->host = NULL;
}

/* ---- device life cycle ---------------------------------------------------- */

static Object *pcipass_pci_get_object(VFIODevice *vbasedev)
{
    return OBJECT(pcipass_pci_of(vbasedev));
}

static void pcipass_pci_compute_needs_reset(VFIODevice *vbasedev)
{
    vbasedev->needs_reset = false;  /* resets are per function, below */
}

static VFIODeviceOps pcipass_pci_vfio_ops = {
    .vfio_compute_needs_reset = pcipass_pci_compute_needs_reset,
    .vfio_eoi = vfio_pci_intx_eoi,
    .vfio_get_object = pcipass_pci_get_object,
};

static void pcipass_pci_realize(PCIDevice *pdev, Error **errp)
{
    ERRP_GUARD();
    PCIPassPCIDevice *p = PCIPASS_PCI(pdev);
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(pdev);
    VFIODevice *vbasedev = &vdev->vbasedev;

    if (!p->host_id || !*p->host_id) {
        error_setg(errp, "%s: property 'host' must name the host function, "
                   "e.g. host=sim0:01:00.0", TYPE_PCIPASS_PCI);
        return;
    }
    if (!pcipass_pci_open(p, errp)) {
        goto error;
    }

    vbasedev->name = g_strdup(p->host_id);
    vbasedev->io_ops = &pcipass_io_ops;
    vbasedev->mdev = true;              /* no host IOMMU device */
    vbasedev->use_region_fds = false;
    if (!vfio_device_attach_by_iommu_type(TYPE_VFIO_IOMMU_PCIPASS,
                                          vbasedev->name, vbasedev,
                                          pci_device_iommu_address_space(pdev),
                                          errp)) {
        goto error;
    }
    if (!vfio_pci_populate_device(vdev, errp)) {
        goto error;
    }
    if (!vfio_pci_config_setup(vdev, errp)) {
        goto error;
    }
    pcipass_pci_map_bars(p);
    if (!vfio_pci_add_capabilities(vdev, errp)) {
        goto out_teardown;
    }
    if (!vfio_pci_interrupt_setup(vdev, errp)) {
        goto out_teardown;
    }

    QLIST_INSERT_HEAD(&p->host->devs, p, next);
    p->listed = true;
    qemu_set_fd_handler(p->irq_fd, pcipass_pci_irq_handler, NULL, p);
    p->irq_handler = true;
    return;

out_teardown:
    vfio_pci_teardown_msi(vdev);
    pcipass_pci_unmap_bars(p);
    vfio_pci_bars_exit(vdev);
error:
    error_prepend(errp, "%s %s: ", TYPE_PCIPASS_PCI, p->host_id);
    pcipass_pci_close(p);
}

static void (*pcipass_pci_parent_exit)(PCIDevice *pdev);

static void pcipass_pci_exit(PCIDevice *pdev)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(pdev);

    if (p->irq_handler) {
        qemu_set_fd_handler(p->irq_fd, NULL, NULL, NULL);
        p->irq_handler = false;
    }
    pcipass_pci_unmap_bars(p);
    pcipass_pci_parent_exit(pdev);      /* vfio: interrupts off, BARs out */
    pcipass_pci_close(p);
}

static void pcipass_pci_reset(DeviceState *dev)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(dev);
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(dev);
    uint64_t pending[4];
    int st;

    if (!p->dev) {
        return;
    }
    /* vfio: interrupts off, decoding and bus mastering off */
    vfio_pci_pre_reset(vdev);
    if (!p->gone) {
        st = p->ops->reset(p->dev, PP_HOST_RESET_FUNCTION);
        if (st != PP_OK) {
            pcipass_pci_backend_error(p, st, "reset");
        } else {
            /* What the device raised before the reset is stale. */
            p->ops->irq_take(p->dev, pending);
        }
    }
    p->resets++;
    vfio_pci_post_reset(vdev);
}

static void pcipass_pci_instance_init(Object *obj)
{
    PCIDevice *pdev = PCI_DEVICE(obj);
    VFIOPCIDevice *vdev = VFIO_PCI_DEVICE(obj);
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);

    device_add_bootindex_property(obj, &vdev->bootindex, "bootindex", NULL,
                                  &pdev->qdev);
    vdev->host.domain = ~0U;
    vdev->host.bus = ~0U;
    vdev->host.slot = ~0U;
    vdev->host.function = ~0U;
    vfio_device_init(&vdev->vbasedev, VFIO_DEVICE_TYPE_PCI,
                     &pcipass_pci_vfio_ops, DEVICE(vdev), false);
    vdev->nv_gpudirect_clique = 0xFF;
    pdev->cap_present |= QEMU_PCI_CAP_EXPRESS;
    p->irq_fd = -1;
}

static void pcipass_pci_instance_finalize(Object *obj)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);

    vfio_pci_put_device(VFIO_PCI_DEVICE(obj));  /* detaches the container */
    pcipass_pci_close(p);
}

/* ---- pcipass-dma-target: the host backend's DART ------------------------- */

static int pcipass_pci_dma_map(void *opaque, struct pp_dma_req *reqs,
                               unsigned int n)
{
    PCIPassPCIDevice *p = opaque;
    g_autofree struct pp_dma_req *hr = NULL;
    g_autofree unsigned int *idx = NULL;
    unsigned int i, m = 0;
    int st;

    if (p->gone || !p->dev) {
        return PP_ERR_HOST;
    }
    hr = g_new(struct pp_dma_req, n);
    idx = g_new(unsigned int, n);
    for (i = 0; i < n; i++) {
        void *hva = pcipass_gpa_to_hva(reqs[i].addr, reqs[i].len);

        /*
         * The host maps QEMU's virtual address and keeps its offset in the
         * 16 KiB page; the protocol promises the guest-physical offset.
         * Guest RAM is allocated at least 16 KiB aligned, so they agree.
         */
        if (!hva || (((uintptr_t)hva ^ reqs[i].addr) &
                     (PCIPASS_DART_PAGE - 1))) {
            reqs[i].status = PP_ERR_RANGE;
            reqs[i].bus = 0;
            continue;
        }
        hr[m] = reqs[i];
        hr[m].addr = (uintptr_t)hva;
        hr[m].status = PP_OK;
        hr[m].bus = 0;
        idx[m++] = i;
    }
    if (!m) {
        return PP_OK;
    }
    st = p->ops->dma_map(p->dev, hr, m);
    if (st != PP_OK) {
        if (st == PP_ERR_HOST) {
            pcipass_pci_set_gone(p);
        }
        return st;              /* nothing was mapped */
    }
    for (i = 0; i < m; i++) {
        reqs[idx[i]].status = hr[i].status;
        reqs[idx[i]].bus = hr[i].bus;
    }
    return PP_OK;
}

static int pcipass_pci_dma_unmap(void *opaque, const uint64_t *bus,
                                 int32_t *status, unsigned int n)
{
    PCIPassPCIDevice *p = opaque;
    int st;

    if (!p->dev) {
        return PP_ERR_HOST;
    }
    st = p->ops->dma_unmap(p->dev, bus, status, n);
    if (st == PP_ERR_HOST) {
        pcipass_pci_set_gone(p);
    }
    return st;
}

static void pcipass_pci_dma_usage(void *opaque, uint64_t *live_bytes,
                                  uint64_t *live_entries, uint64_t *cap_bytes,
                                  uint64_t *max_entries)
{
    PCIPassPCIDevice *p = opaque;
    const struct pp_host_dma_usage *u = pcipass_pci_usage(p);

    /* Gone: the host tore every mapping down with the device. */
    *live_bytes = p->gone ? 0 : u->live_bytes;
    *live_entries = p->gone ? 0 : u->live_entries;
    *cap_bytes = p->dma_cap_bytes;
    *max_entries = p->dma_max_entries;
}

static bool pcipass_pci_check_companion(Object *target, PCIDevice *companion,
                                        Error **errp)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(target);

    if (!p->dev) {
        error_setg(errp, "%s: target '%s' has no host function claimed "
                   "(give its -device before pcipass-dma's)", TYPE_PCIPASS_DMA,
                   pcipass_pci_name(p));
        return false;
    }
    return true;
}

static void pcipass_pci_get_backend(Object *target,
                                    struct pp_mapper_backend *be)
{
    be->ctx = PCIPASS_PCI(target);
    be->map = pcipass_pci_dma_map;
    be->unmap = pcipass_pci_dma_unmap;
    be->usage = pcipass_pci_dma_usage;
}

static void pcipass_pci_get_caps(Object *target, uint64_t *cap_bytes,
                                 uint64_t *max_entries)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(target);

    *cap_bytes = p->dma_cap_bytes;
    *max_entries = p->dma_max_entries;
}

/* Every realized pcipass-pci function of the same backend and host slot. */
static void pcipass_pci_foreach_function(Object *target, PCIPassFnVisitor fn,
                                         void *opaque)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(target), *q;

    if (!p->host) {
        return;
    }
    QLIST_FOREACH(q, &p->host->devs, next) {
        if (!strcmp(q->slot, p->slot)) {
            fn(pci_get_bus(PCI_DEVICE(q)), PCI_DEVICE(q), opaque);
        }
    }
}

static bool pcipass_pci_host_gone(Object *target)
{
    return PCIPASS_PCI(target)->gone;
}

/* ---- state for QMP (qom-get) and "info pcipass" ----------------------------- */

typedef enum {
    PCIPASS_PCI_VECTORS,
    PCIPASS_PCI_IRQS_TAKEN,
    PCIPASS_PCI_IRQS_DELIVERED,
    PCIPASS_PCI_IRQS_LATCHED,
    PCIPASS_PCI_IRQS_DROPPED,
    PCIPASS_PCI_TRAPPED_READS,
    PCIPASS_PCI_TRAPPED_WRITES,
    PCIPASS_PCI_CONFIG_READS,
    PCIPASS_PCI_CONFIG_WRITES,
    PCIPASS_PCI_RESETS,
    PCIPASS_PCI_FLRS,
    PCIPASS_PCI_BACKEND_ERRORS,
    PCIPASS_PCI_BARS_MAPPED,
    PCIPASS_PCI_BARS_TRAPPED,
    PCIPASS_PCI_DMA_LIVE_BYTES,
    PCIPASS_PCI_DMA_LIVE_ENTRIES,
    PCIPASS_PCI_DMA_CAP_BYTES,
    PCIPASS_PCI_DMA_MAX_ENTRIES,
    PCIPASS_PCI_DMA_FAULTS,
} PCIPassPCIStat;

static const char *const pcipass_pci_stat_names[] = {
    [PCIPASS_PCI_VECTORS] = "vectors",
    [PCIPASS_PCI_IRQS_TAKEN] = "irqs-taken",
    [PCIPASS_PCI_IRQS_DELIVERED] = "irqs-delivered",
    [PCIPASS_PCI_IRQS_LATCHED] = "irqs-latched",
    [PCIPASS_PCI_IRQS_DROPPED] = "irqs-dropped",
    [PCIPASS_PCI_TRAPPED_READS] = "trapped-reads",
    [PCIPASS_PCI_TRAPPED_WRITES] = "trapped-writes",
    [PCIPASS_PCI_CONFIG_READS] = "config-reads",
    [PCIPASS_PCI_CONFIG_WRITES] = "config-writes",
    [PCIPASS_PCI_RESETS] = "resets",
    [PCIPASS_PCI_FLRS] = "flrs",
    [PCIPASS_PCI_BACKEND_ERRORS] = "backend-errors",
    [PCIPASS_PCI_BARS_MAPPED] = "bars-mapped",
    [PCIPASS_PCI_BARS_TRAPPED] = "bars-trapped",
    [PCIPASS_PCI_DMA_LIVE_BYTES] = "dma-live-bytes",
    [PCIPASS_PCI_DMA_LIVE_ENTRIES] = "dma-live-entries",
    [PCIPASS_PCI_DMA_CAP_BYTES] = "dma-cap-bytes",
    [PCIPASS_PCI_DMA_MAX_ENTRIES] = "dma-max-entries",
    [PCIPASS_PCI_DMA_FAULTS] = "dma-faults",
};

static uint64_t pcipass_pci_stat(Object *obj, unsigned int i)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);
    PCIPassPCIStat which = i;
    const struct pp_host_dma_usage *u;
    uint64_t n = 0;
    unsigned int b;

    switch (which) {
    case PCIPASS_PCI_VECTORS:
        return p->irq_granted;
    case PCIPASS_PCI_IRQS_TAKEN:
        return p->irqs_taken;
    case PCIPASS_PCI_IRQS_DELIVERED:
        return p->irqs_delivered;
    case PCIPASS_PCI_IRQS_LATCHED:
        return p->irqs_latched;
    case PCIPASS_PCI_IRQS_DROPPED:
        return p->irqs_dropped;
    case PCIPASS_PCI_TRAPPED_READS:
        return p->trapped_reads;
    case PCIPASS_PCI_TRAPPED_WRITES:
        return p->trapped_writes;
    case PCIPASS_PCI_CONFIG_READS:
        return p->cfg_reads;
    case PCIPASS_PCI_CONFIG_WRITES:
        return p->cfg_writes;
    case PCIPASS_PCI_RESETS:
        return p->resets;
    case PCIPASS_PCI_FLRS:
        return p->flrs;
    case PCIPASS_PCI_BACKEND_ERRORS:
        return p->backend_errors;
    case PCIPASS_PCI_BARS_MAPPED:
    case PCIPASS_PCI_BARS_TRAPPED:
        for (b = 0; b < PP_PT_NR_BARS; b++) {
            if (p->bars[b].size &&
                (which == PCIPASS_PCI_BARS_MAPPED) ==
                (p->map[b].nr > 0 && !p->gone)) {
                n++;
            }
        }
        return n;
    case PCIPASS_PCI_DMA_CAP_BYTES:
        return p->dma_cap_bytes;
    case PCIPASS_PCI_DMA_MAX_ENTRIES:
        return p->dma_max_entries;
    case PCIPASS_PCI_DMA_LIVE_BYTES:
    case PCIPASS_PCI_DMA_LIVE_ENTRIES:
    case PCIPASS_PCI_DMA_FAULTS:
        u = pcipass_pci_usage(p);
        if (which == PCIPASS_PCI_DMA_FAULTS) {
            return u->faults;
        }
        if (p->gone) {
            return 0;   /* the host tore the mappings down */
        }
        return which == PCIPASS_PCI_DMA_LIVE_BYTES ? u->live_bytes :
                                                      u->live_entries;
    }
    return 0;
}

static bool pcipass_pci_get_gone(Object *obj, Error **errp)
{
    return PCIPASS_PCI(obj)->gone;
}

/* "BAR0 64 KiB trapped, BAR1 256 MiB mapped" */
static char *pcipass_pci_get_bars(Object *obj, Error **errp)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);
    GString *s = g_string_new("");
    unsigned int b;

    for (b = 0; b < PP_PT_NR_BARS; b++) {
        g_autofree char *sz = NULL;

        if (!p->bars[b].size) {
            continue;
        }
        sz = size_to_str(p->bars[b].size);
        g_string_append_printf(s, "%sBAR%u %s%s%s %s", s->len ? ", " : "", b,
                               sz,
                               p->bars[b].type == PP_PT_BAR_MEM64 ?
                               " 64-bit" : "",
                               p->bars[b].prefetchable ? " pref" : "",
                               p->gone ? "gone" :
                               p->map[b].nr ? "mapped" : "trapped");
    }
    return g_string_free(s, false);
}

static char *pcipass_pci_get_irq_type(Object *obj, Error **errp)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);

    return g_strdup(p->irq_type == PP_HOST_IRQ_MSIX ? "msix" :
                    p->irq_type == PP_HOST_IRQ_MSI ? "msi" : "none");
}

static char *pcipass_pci_get_location(Object *obj, Error **errp)
{
    return g_strdup(PCIPASS_PCI(obj)->info.location);
}

/* "7070:1000 class 030200" */
static char *pcipass_pci_get_identity(Object *obj, Error **errp)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);

    if (!p->dev) {
        return g_strdup("");
    }
    return g_strdup_printf("%04x:%04x class %06x", p->info.vendor,
                           p->info.device, p->info.class_code);
}

/* The guest's BDF now, e.g. "01:00.0" (bus numbers are the guest's). */
static char *pcipass_pci_get_guest_bdf(Object *obj, Error **errp)
{
    PCIDevice *pdev = PCI_DEVICE(obj);

    if (!DEVICE(obj)->realized) {
        return g_strdup("");
    }
    return g_strdup_printf("%02x:%02x.%x", pci_bus_num(pci_get_bus(pdev)),
                           PCI_SLOT(pdev->devfn), PCI_FUNC(pdev->devfn));
}

/*
 * Test hook: pull the simulated Thunderbolt cable (every function of the
 * slot, as on a Mac).  Cannot be undone.  backend=sim: the sim slot goes;
 * backend=dext (the Linux test build only, over the fake IOKit): the fake
 * pulls the cable of the device's fake Thunderbolt root, the dext core
 * runs its Stop and the dext client sees the service terminated.  Either
 * way the backend raises PP_HOST_EV_GONE, which reaches
 * pcipass_pci_set_gone() through irq_fd as a real unplug does.
 */
static bool pcipass_pci_get_unplug(Object *obj, Error **errp)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);

    return p->gone;
}

static void pcipass_pci_set_unplug(Object *obj, bool value, Error **errp)
{
    PCIPassPCIDevice *p = PCIPASS_PCI(obj);

    if (!value) {
        if (p->gone) {
            error_setg(errp, "an unplugged device stays gone");
        }
        return;
    }
    if (p->host && !strcmp(p->host->backend, "dext")) {
        struct pp_host_test_unplug u;
        int st = pp_host_fake_dext_unplug(p->host_id, &u);

        if (st != PP_OK) {
            error_setg(errp, "x-sim-unplug with backend=dext needs the "
                       "fake IOKit (Linux test build) and a pcie-tbS host "
                       "id: %s", pp_status_name(st));
            return;
        }
        info_report("%s: x-sim-unplug: pulled the cable of fake Thunderbolt "
                    "root %u (backend dext); host DART %" PRIu64 " entries / "
                    "%" PRIu64 " bytes before, %" PRIu64 " entries / %" PRIu64
                    " bytes after the dext's Stop", pcipass_pci_name(p),
                    u.slot, u.live_entries_before, u.live_bytes_before,
                    u.live_entries_after, u.live_bytes_after);
        return;
    }
    if (!p->host || strcmp(p->host->backend, "sim")) {
        error_setg(errp, "x-sim-unplug works with backend=sim or dext only");
        return;
    }
    pp_sim_unplug(p->host->h);
}

static const VMStateDescription vmstate_pcipass_pci = {
    .name = TYPE_PCIPASS_PCI,
    .unmigratable = 1,  /* the device and its DMA mappings live in the host */
};

static const Property pcipass_pci_props[] = {
    DEFINE_PROP_STRING("backend", PCIPassPCIDevice, backend),
    DEFINE_PROP_STRING("host", PCIPassPCIDevice, host_id),
    DEFINE_PROP_STRING("backend-args", PCIPassPCIDevice, backend_args),
    DEFINE_PROP_UINT32("x-pci-vendor-id", VFIOPCIDevice, vendor_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-device-id", VFIOPCIDevice, device_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-sub-vendor-id", VFIOPCIDevice, sub_vendor_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-sub-device-id", VFIOPCIDevice, sub_device_id,
                       PCI_ANY_ID),
    DEFINE_PROP_UINT32("x-pci-class-code", VFIOPCIDevice, class_code,
                       PCI_ANY_ID),
};

static void pcipass_pci_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pdc = PCI_DEVICE_CLASS(klass);
    PCIPassDMATargetClass *tc = PCIPASS_DMA_TARGET_CLASS(klass);

    device_class_set_legacy_reset(dc, pcipass_pci_reset);
    device_class_set_props(dc, pcipass_pci_props);
    dc->desc = "PCI passthrough through a pcipass host backend (sim, dext)";
    dc->vmsd = &vmstate_pcipass_pci;
    /* The host claim is made at start; DMA companions link to it. */
    dc->hotpluggable = false;
    pdc->realize = pcipass_pci_realize;
    pcipass_pci_parent_exit = pdc->exit;
    pdc->exit = pcipass_pci_exit;

    tc->check_companion = pcipass_pci_check_companion;
    tc->get_backend = pcipass_pci_get_backend;
    tc->get_caps = pcipass_pci_get_caps;
    tc->foreach_function = pcipass_pci_foreach_function;
    tc->host_gone = pcipass_pci_host_gone;

    object_class_property_set_description(klass, "backend",
        "host backend: sim (default; the simulated Mac) or dext (macOS)");
    object_class_property_set_description(klass, "host",
        "host function id, e.g. sim0:01:00.0 (root:bus:dev.fn)");
    object_class_property_set_description(klass, "backend-args",
        "backend options (sim: docs/host-interface.md); functions naming "
        "the same backend and backend-args share one backend instance");
    object_class_property_add_str(klass, "bars", pcipass_pci_get_bars, NULL);
    object_class_property_add_str(klass, "irq-type", pcipass_pci_get_irq_type,
                                  NULL);
    object_class_property_add_str(klass, "host-location",
                                  pcipass_pci_get_location, NULL);
    object_class_property_add_str(klass, "identity", pcipass_pci_get_identity,
                                  NULL);
    object_class_property_add_str(klass, "guest-bdf",
                                  pcipass_pci_get_guest_bdf, NULL);
    object_class_property_add_bool(klass, "gone", pcipass_pci_get_gone, NULL);
    object_class_property_add_bool(klass, "x-sim-unplug",
                                   pcipass_pci_get_unplug,
                                   pcipass_pci_set_unplug);
    object_class_property_set_description(klass, "x-sim-unplug",
        "Test hook (backend=sim, or dext over the fake IOKit): unplug the "
        "simulated slot; cannot be undone");
    pcipass_qom_add_stats(klass, pcipass_pci_stat_names,
                          ARRAY_SIZE(pcipass_pci_stat_names),
                          pcipass_pci_stat);
}

static const TypeInfo pcipass_pci_types[] = {
    {
        .name = TYPE_PCIPASS_PCI,
        .parent = TYPE_VFIO_PCI_DEVICE,
        .instance_size = sizeof(PCIPassPCIDevice),
        .instance_init = pcipass_pci_instance_init,
        .instance_finalize = pcipass_pci_instance_finalize,
        .class_init = pcipass_pci_class_init,
        .interfaces = (const InterfaceInfo[]) {
            { TYPE_PCIPASS_DMA_TARGET },
            { }
        },
    },
    {
        .name = TYPE_VFIO_IOMMU_PCIPASS,
        .parent = TYPE_VFIO_IOMMU,
        .instance_size = sizeof(VFIOContainer),
        .class_init = pcipass_iommu_class_init,
    },
};

DEFINE_TYPES(pcipass_pci_types)
