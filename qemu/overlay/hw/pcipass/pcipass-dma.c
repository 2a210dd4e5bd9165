/*
 * pcipass-dma: the paravirtual DMA mapper (docs/protocol.md).
 *
 * A PCI function (0x7070:0x0001) with one 4 KiB register BAR.  The guest
 * module writes a command (header + entries) into its RAM and stores the
 * command's guest-physical address to DOORBELL with one 8-byte store; the
 * whole command is validated and executed inside that MMIO write, so the
 * results are in guest RAM when the store completes.  Commands map guest
 * buffers into the DART of its target ("target" property, a
 * pcipass-dma-target: a pcipass-dart-port, whose DART model serves the
 * devices behind the port, or a pcipass-pci function, whose host backend's
 * DART serves every passed-through function of that host slot; "dart" is
 * the older name for a pcipass-dart-port target).  The MANAGED table lists
 * the guest BDFs of the functions the target serves.
 *
 * The protocol logic lives in the portable core (core/src/mapper.c and
 * proto.c); this file is the register file, the copy of the command in and
 * of the results out, and the QOM state.  Everything the guest writes is
 * hostile: every refusal sets a status, none asserts.
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
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_bus.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/address-spaces.h"
#include "hw/pcipass/pcipass.h"
#include "pcipass-qom.h"

OBJECT_DECLARE_SIMPLE_TYPE(PCIPassDMAState, PCIPASS_DMA)

#define PCIPASS_DMA_DEFAULT_MAX_MAP_LEN (1U << 30)
#define PCIPASS_CLASS_SYSTEM_OTHER      0x0880

struct PCIPassDMAState {
    /*< private >*/
    PCIDevice parent_obj;
    /*< public >*/

    MemoryRegion bar0;

    /* properties: exactly one of dart/target */
    PCIPassDartPort *port;
    Object *target_prop;

    /* the resolved target and its backend */
    Object *target;
    PCIPassDMATargetClass *tc;
    struct pp_mapper_backend tbe;
    uint32_t dev_features;
    uint32_t max_batch;
    uint32_t max_map_len;
    uint16_t vendor_id;
    uint16_t device_id;

    /* registers */
    uint32_t drv_features;
    uint32_t status;
    uint32_t last_error;

    struct pp_mapper *mapper;
    struct pp_cmd_entry *ents;     /* private copy of one command's entries */
    struct pp_ram_range *ram;      /* guest RAM as last seen */
    unsigned int nr_ram;
    uint64_t ram_gen;

    /* counters (beyond the mapper's) */
    uint64_t doorbells;
    uint64_t refused_doorbells;    /* D1-D4: reported in LAST_ERROR */
    uint64_t register_errors;      /* other refused register accesses */
    uint64_t resets;
};

/* ---- backend: the target's DART, or nothing once the host is gone -------- */

/*
 * STATUS.HOST_GONE (docs/protocol.md section 8): every MAP fails with HOST,
 * UNMAP releases and succeeds.  It is set when the target reports its host
 * device gone (a pcipass-pci whose backend raised PP_HOST_EV_GONE), and by
 * the "x-host-gone" property, to test guests against it.  Sticky.
 */
static bool pcipass_dma_host_gone(PCIPassDMAState *s)
{
    if (!(s->status & PP_STATUS_HOST_GONE) && s->tc &&
        s->tc->host_gone(s->target)) {
        s->status |= PP_STATUS_HOST_GONE;
    }
    return s->status & PP_STATUS_HOST_GONE;
}

static int pcipass_dma_be_map(void *opaque, struct pp_dma_req *reqs,
                              unsigned int n)
{
    PCIPassDMAState *s = opaque;

    if (pcipass_dma_host_gone(s)) {
        return PP_ERR_HOST;
    }
    return s->tbe.map(s->tbe.ctx, reqs, n);
}

static int pcipass_dma_be_unmap(void *opaque, const uint64_t *bus,
                                int32_t *status, unsigned int n)
{
    PCIPassDMAState *s = opaque;
    unsigned int i;
    int rc = s->tbe.unmap(s->tbe.ctx, bus, status, n);

    if (pcipass_dma_host_gone(s)) {
        for (i = 0; i < n; i++) {
            status[i] = PP_OK;
        }
        return PP_OK;
    }
    return rc;
}

static void pcipass_dma_be_usage(void *opaque, uint64_t *live_bytes,
                                 uint64_t *live_entries, uint64_t *cap_bytes,
                                 uint64_t *max_entries)
{
    PCIPassDMAState *s = opaque;

    s->tbe.usage(s->tbe.ctx, live_bytes, live_entries, cap_bytes,
                 max_entries);
}

/* ---- guest RAM ---------------------------------------------------------- */

static void pcipass_dma_refresh_ram(PCIPassDMAState *s)
{
    if (pcipass_ram_refresh(&s->ram_gen, &s->ram, &s->nr_ram)) {
        pp_mapper_set_ram(s->mapper, s->ram, s->nr_ram);
    }
}

/* ---- managed devices ----------------------------------------------------- */

typedef struct ManagedList {
    PCIPassDMAState *self;
    uint32_t v[PP_MAX_MANAGED];
    unsigned int n;
} ManagedList;

static void pcipass_dma_collect_fn(PCIBus *bus, PCIDevice *d, void *opaque)
{
    ManagedList *l = opaque;

    if (d == PCI_DEVICE(l->self)) {
        return; /* never manage ourselves */
    }
    if (l->n < PP_MAX_MANAGED) {
        l->v[l->n++] = ((uint32_t)pci_bus_num(bus) << 8) | d->devfn;
    }
}

static int pcipass_dma_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * The guest's BDFs of the functions the target serves, computed now: the
 * bus numbers are whatever the guest's enumeration programmed.  Segment 0.
 */
static void pcipass_dma_managed(PCIPassDMAState *s, ManagedList *l)
{
    l->self = s;
    l->n = 0;
    if (s->tc) {
        s->tc->foreach_function(s->target, pcipass_dma_collect_fn, l);
    }
    qsort(l->v, l->n, sizeof(l->v[0]), pcipass_dma_cmp_u32);
}

/* ---- the doorbell -------------------------------------------------------- */

/* Where a command's bytes are: a direct mapping, or GPAs (slow path). */
typedef struct CmdWin {
    uint64_t gpa;
    uint8_t *host;
} CmdWin;

static bool pcipass_dma_cmd_read(CmdWin *w, uint64_t off, void *buf,
                                 uint64_t len)
{
    if (w->host) {
        memcpy(buf, w->host + off, len);
        return true;
    }
    return address_space_read(&address_space_memory, w->gpa + off,
                              MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK;
}

static void pcipass_dma_cmd_write(CmdWin *w, uint64_t off, const void *buf,
                                  uint64_t len)
{
    if (w->host) {
        memcpy(w->host + off, buf, len);
        return;
    }
    address_space_write(&address_space_memory, w->gpa + off,
                        MEMTXATTRS_UNSPECIFIED, buf, len);
}

/*
 * Writes back the out fields of entry i (docs/protocol.md section 6): the
 * status always, plus the results of the op it recognised.  In-fields are
 * never written, so a concurrent change by the guest survives.
 */
static void pcipass_dma_put_entry(CmdWin *w, uint32_t i,
                                  const struct pp_cmd_entry *e)
{
    const uint8_t *b = (const uint8_t *)e;
    uint64_t base = sizeof(struct pp_cmd_header) +
                    (uint64_t)i * sizeof(struct pp_cmd_entry);
    bool badop = pp_le32(e->status) == PP_ERR_BADOP;

    switch (badop ? 0 : e->op) {
    case PP_OP_MAP:     /* status | handle, bus */
        pcipass_dma_cmd_write(w, base + 4, b + 4, 4);
        pcipass_dma_cmd_write(w, base + 20, b + 20, 12);
        break;
    case PP_OP_QUERY:
        if (e->flags == PP_QUERY_USAGE) {       /* status .. bus */
            pcipass_dma_cmd_write(w, base + 4, b + 4, 28);
        } else if (e->flags == PP_QUERY_MAPPING) {
            pcipass_dma_cmd_write(w, base + 4, b + 4, 16); /* .. len */
            pcipass_dma_cmd_write(w, base + 24, b + 24, 8);
        } else {
            pcipass_dma_cmd_write(w, base + 4, b + 4, 4);
        }
        break;
    default:            /* UNMAP, refused as BADOP: status only */
        pcipass_dma_cmd_write(w, base + 4, b + 4, 4);
        break;
    }
}

/* status and completed of the header, in one 8-byte write. */
static void pcipass_dma_put_header(CmdWin *w, const struct pp_cmd_header *h)
{
    pcipass_dma_cmd_write(w, offsetof(struct pp_cmd_header, status),
                          &h->status, 8);
}

static void pcipass_dma_doorbell(PCIPassDMAState *s, uint64_t gpa)
{
    struct pp_cmd_header hdr;
    CmdWin w = { .gpa = gpa };
    hwaddr mlen = 0, len;
    void *map = NULL;
    uint32_t count = 0, i;
    int st;

    s->doorbells++;
    if (!(s->status & PP_STATUS_DRIVER_OK)) {                   /* D2 */
        s->last_error = PP_ERR_NOTREADY;
        s->refused_doorbells++;
        return;
    }
    pcipass_dma_refresh_ram(s);
    st = pp_mapper_check_gpa(s->mapper, gpa);                   /* D3, D4 */
    if (st != PP_OK) {
        s->last_error = st;
        s->refused_doorbells++;
        return;
    }
    if (!pcipass_dma_cmd_read(&w, 0, &hdr, sizeof(hdr))) {
        /* RAM vanished between the check and the read. */
        s->last_error = PP_ERR_RANGE;
        s->refused_doorbells++;
        return;
    }
    st = pp_mapper_check_header(s->mapper, gpa, &hdr, &count);  /* H1-H5 */
    if (st != PP_OK) {
        hdr.status = pp_le32(st);
        hdr.completed = 0;
        pcipass_dma_put_header(&w, &hdr);
        return;
    }

    /* The whole command is in one RAM range: map it for direct access. */
    len = sizeof(hdr) + (hwaddr)count * sizeof(struct pp_cmd_entry);
    mlen = len;
    map = address_space_map(&address_space_memory, gpa, &mlen, true,
                            MEMTXATTRS_UNSPECIFIED);
    if (map && mlen == len) {
        w.host = map;
    } else if (map) {
        address_space_unmap(&address_space_memory, map, mlen, false, 0);
        map = NULL;
    }

    /* Each entry byte is read once, into private memory. */
    if (!pcipass_dma_cmd_read(&w, sizeof(hdr), s->ents,
                              (uint64_t)count * sizeof(*s->ents))) {
        hdr.status = pp_le32(PP_ERR_RANGE);
        hdr.completed = 0;
        pcipass_dma_put_header(&w, &hdr);
        goto out;
    }
    pp_mapper_exec(s->mapper, &hdr, s->ents, count);
    for (i = 0; i < count; i++) {
        pcipass_dma_put_entry(&w, i, &s->ents[i]);
    }
    /* Entries before the header: completed != 0 means results are there. */
    smp_wmb();
    pcipass_dma_put_header(&w, &hdr);
out:
    if (map) {
        address_space_unmap(&address_space_memory, map, len, true, len);
    }
}

/* ---- registers ------------------------------------------------------ */

static void pcipass_dma_reset_state(PCIPassDMAState *s)
{
    pp_mapper_reset(s->mapper);
    pp_mapper_set_features(s->mapper, 0);
    s->drv_features = 0;
    s->status &= ~PP_STATUS_DRIVER_OK;
    s->last_error = 0;
    s->resets++;
}

static uint32_t pcipass_dma_reg(PCIPassDMAState *s, hwaddr off)
{
    ManagedList l;
    uint64_t cap_bytes = 0, max_entries = 0;

    if (s->tc && (off == PP_REG_DART_ENTRIES || off == PP_REG_DART_CAP ||
                  off == PP_REG_DART_CAP + 4)) {
        s->tc->get_caps(s->target, &cap_bytes, &max_entries);
    }

    switch (off) {
    case PP_REG_MAGIC:
        return PP_PROTO_MAGIC;
    case PP_REG_VERSION:
        return PP_PROTO_VERSION;
    case PP_REG_DEV_FEATURES:
        return s->dev_features;
    case PP_REG_DRV_FEATURES:
        return s->drv_features;
    case PP_REG_MAX_BATCH:
        return s->max_batch;
    case PP_REG_PAGE_SHIFT:
        return PP_DART_PAGE_SHIFT;
    case PP_REG_DART_ENTRIES:
        return (uint32_t)MIN(max_entries, UINT32_MAX);
    case PP_REG_NR_MANAGED:
        pcipass_dma_managed(s, &l);
        return l.n;
    case PP_REG_DART_CAP:
        return (uint32_t)cap_bytes;
    case PP_REG_DART_CAP + 4:
        return (uint32_t)(cap_bytes >> 32);
    case PP_REG_STATUS:
        pcipass_dma_host_gone(s);
        return s->status;
    case PP_REG_LAST_ERROR:
        return s->last_error;
    case PP_REG_MAX_MAP_LEN:
        return s->max_map_len;
    default:
        break;
    }
    if (off >= PP_REG_MANAGED_BASE && off < PP_REG_MANAGED(PP_MAX_MANAGED)) {
        unsigned int i = (off - PP_REG_MANAGED_BASE) / 4;

        pcipass_dma_managed(s, &l);
        return i < l.n ? l.v[i] : 0;
    }
    return 0; /* DOORBELL, RESET and reserved offsets */
}

static uint64_t pcipass_dma_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIPassDMAState *s = opaque;

    if (size == 4 && !(addr & 3)) {
        return pcipass_dma_reg(s, addr);
    }
    if (size == 8 && !(addr & 7)) {
        return pcipass_dma_reg(s, addr) |
               (uint64_t)pcipass_dma_reg(s, addr + 4) << 32;
    }
    s->last_error = PP_ERR_ALIGN;
    s->register_errors++;
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %u-byte read at 0x%" HWADDR_PRIx
                  " refused (align)\n", TYPE_PCIPASS_DMA, size, addr);
    return 0;
}

/* Does [addr, addr + size) touch a writable register? */
static bool pcipass_dma_touches_writable(hwaddr addr, unsigned size)
{
    static const struct {
        hwaddr off;
        unsigned size;
    } w[] = {
        { PP_REG_DRV_FEATURES, 4 },
        { PP_REG_STATUS, 4 },
        { PP_REG_DOORBELL, 8 },
        { PP_REG_RESET, 4 },
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(w); i++) {
        if (addr < w[i].off + w[i].size && w[i].off < addr + size) {
            return true;
        }
    }
    return false;
}

static void pcipass_dma_refuse(PCIPassDMAState *s, int st, hwaddr addr,
                               unsigned size)
{
    s->last_error = st;
    s->register_errors++;
    qemu_log_mask(LOG_GUEST_ERROR, "%s: %u-byte write at 0x%" HWADDR_PRIx
                  " refused (%s)\n", TYPE_PCIPASS_DMA, size, addr,
                  pp_status_name(st));
}

static void pcipass_dma_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    PCIPassDMAState *s = opaque;
    uint32_t v = (uint32_t)val;

    if (addr == PP_REG_DOORBELL && size == 8) {
        pcipass_dma_doorbell(s, val);
        return;
    }
    if (size != 4 || (addr & 3) ||
        addr == PP_REG_DOORBELL || addr == PP_REG_DOORBELL + 4) {
        if (pcipass_dma_touches_writable(addr, size)) {
            pcipass_dma_refuse(s, PP_ERR_ALIGN, addr, size);
            if (addr == PP_REG_DOORBELL || addr == PP_REG_DOORBELL + 4) {
                s->refused_doorbells++;                  /* D1 */
            }
        } else {
            pcipass_dma_refuse(s, PP_ERR_INVAL, addr, size);
        }
        return;
    }

    switch (addr) {
    case PP_REG_DRV_FEATURES:
        if (s->status & PP_STATUS_DRIVER_OK) {
            pcipass_dma_refuse(s, PP_ERR_INVAL, addr, size);
            return;
        }
        s->drv_features = v & s->dev_features;
        pp_mapper_set_features(s->mapper, s->drv_features);
        if (v & ~s->dev_features) {
            pcipass_dma_refuse(s, PP_ERR_RESERVED, addr, size);
        }
        return;
    case PP_REG_STATUS:
        if (v & ~(PP_STATUS_DRIVER_OK | PP_STATUS_HOST_GONE)) {
            pcipass_dma_refuse(s, PP_ERR_RESERVED, addr, size);
            return;
        }
        if (v & PP_STATUS_DRIVER_OK) {
            s->status |= PP_STATUS_DRIVER_OK;
        }
        return;
    case PP_REG_RESET:
        if (v != PP_RESET_KEY) {
            pcipass_dma_refuse(s, PP_ERR_INVAL, addr, size);
            return;
        }
        pcipass_dma_reset_state(s);
        return;
    default:
        pcipass_dma_refuse(s, PP_ERR_INVAL, addr, size);
        return;
    }
}

static const MemoryRegionOps pcipass_dma_ops = {
    .read = pcipass_dma_read,
    .write = pcipass_dma_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
        .unaligned = true,
    },
};

/* ---- device life cycle ---------------------------------------------- */

static void pcipass_dma_realize(PCIDevice *pdev, Error **errp)
{
    PCIPassDMAState *s = PCIPASS_DMA(pdev);
    struct pp_proto_limits lim = { 0 };
    struct pp_mapper_backend be;
    uint64_t cap_bytes = 0, max_entries = 0;

    if (s->port && s->target_prop) {
        error_setg(errp, "%s: give either 'dart' or 'target', not both",
                   TYPE_PCIPASS_DMA);
        return;
    }
    s->target = s->port ? OBJECT(s->port) : s->target_prop;
    if (!s->target) {
        error_setg(errp, "%s: property 'target' must name the id of a %s "
                   "or %s device (or 'dart' a %s)", TYPE_PCIPASS_DMA,
                   TYPE_PCIPASS_PCI, TYPE_PCIPASS_DART_PORT,
                   TYPE_PCIPASS_DART_PORT);
        return;
    }
    if (!s->max_batch || s->max_batch > PP_MAX_BATCH_LIMIT) {
        error_setg(errp, "%s: max-batch must be 1..%u", TYPE_PCIPASS_DMA,
                   PP_MAX_BATCH_LIMIT);
        return;
    }
    if (!s->max_map_len) {
        error_setg(errp, "%s: max-map-len must be at least 1",
                   TYPE_PCIPASS_DMA);
        return;
    }
    if (s->dev_features & ~PP_FEAT_ALL) {
        error_setg(errp, "%s: features 0x%x has bits this version does not "
                   "know (known: 0x%x)", TYPE_PCIPASS_DMA, s->dev_features,
                   PP_FEAT_ALL);
        return;
    }
    s->tc = PCIPASS_DMA_TARGET_GET_CLASS(s->target);
    if (!s->tc->check_companion(s->target, pdev, errp)) {
        s->tc = NULL;
        return;
    }
    s->tc->get_backend(s->target, &s->tbe);
    s->tc->get_caps(s->target, &cap_bytes, &max_entries);
    if (!max_entries || max_entries > (1u << 20)) {
        error_setg(errp, "%s: the target's DART reports %" PRIu64
                   " entries; expected 1..1048576", TYPE_PCIPASS_DMA,
                   max_entries);
        s->tc = NULL;
        return;
    }

    pcipass_ram_track();
    lim.max_batch = s->max_batch;
    lim.max_map_len = s->max_map_len;
    lim.features = 0;
    be.ctx = s;
    be.map = pcipass_dma_be_map;
    be.unmap = pcipass_dma_be_unmap;
    be.usage = pcipass_dma_be_usage;
    /* The handle table holds at least DART_ENTRIES handles. */
    s->mapper = pp_mapper_new(&lim, (uint32_t)max_entries, &be);
    if (!s->mapper) {
        error_setg(errp, "%s: cannot create the mapper", TYPE_PCIPASS_DMA);
        s->tc = NULL;
        return;
    }
    s->ents = g_new0(struct pp_cmd_entry, s->max_batch);
    s->ram_gen = 0;
    pcipass_dma_refresh_ram(s);

    pci_config_set_vendor_id(pdev->config, s->vendor_id);
    pci_config_set_device_id(pdev->config, s->device_id);
    pci_set_word(pdev->config + PCI_SUBSYSTEM_VENDOR_ID, s->vendor_id);
    pci_set_word(pdev->config + PCI_SUBSYSTEM_ID, s->device_id);
    pci_config_set_interrupt_pin(pdev->config, 0);

    memory_region_init_io(&s->bar0, OBJECT(s), &pcipass_dma_ops, s,
                          "pcipass-dma-regs", PP_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->bar0);
}

static void pcipass_dma_exit(PCIDevice *pdev)
{
    PCIPassDMAState *s = PCIPASS_DMA(pdev);

    pp_mapper_free(s->mapper);  /* unmaps everything */
    s->mapper = NULL;
    g_free(s->ents);
    s->ents = NULL;
    g_free(s->ram);
    s->ram = NULL;
    s->nr_ram = 0;
}

static void pcipass_dma_reset_hold(Object *obj, ResetType type)
{
    PCIPassDMAState *s = PCIPASS_DMA(obj);

    if (s->mapper) {
        pcipass_dma_reset_state(s);
    }
}

/* ---- read-only state for QMP (qom-get) and "info pcipass" -------------- */

typedef enum {
    PCIPASS_DMA_LIVE_MAPPINGS,
    PCIPASS_DMA_LIVE_BYTES,
    PCIPASS_DMA_PEAK_MAPPINGS,
    PCIPASS_DMA_PEAK_BYTES,
    PCIPASS_DMA_MAPS,
    PCIPASS_DMA_UNMAPS,
    PCIPASS_DMA_QUERIES,
    PCIPASS_DMA_MAP_FAILURES,
    PCIPASS_DMA_COMMANDS,
    PCIPASS_DMA_ENTRIES,
    PCIPASS_DMA_REFUSED_COMMANDS,
    PCIPASS_DMA_REFUSED_ENTRIES,
    PCIPASS_DMA_DOORBELLS,
    PCIPASS_DMA_REFUSED_DOORBELLS,
    PCIPASS_DMA_REGISTER_ERRORS,
    PCIPASS_DMA_LAST_STATUS,
    PCIPASS_DMA_DART_ENTRIES,
    PCIPASS_DMA_DART_BYTES,
    PCIPASS_DMA_NR_MANAGED,
} PCIPassDMAStat;

static const char *const pcipass_dma_stat_names[] = {
    [PCIPASS_DMA_LIVE_MAPPINGS] = "live-mappings",
    [PCIPASS_DMA_LIVE_BYTES] = "live-bytes",
    [PCIPASS_DMA_PEAK_MAPPINGS] = "peak-mappings",
    [PCIPASS_DMA_PEAK_BYTES] = "peak-bytes",
    [PCIPASS_DMA_MAPS] = "maps",
    [PCIPASS_DMA_UNMAPS] = "unmaps",
    [PCIPASS_DMA_QUERIES] = "queries",
    [PCIPASS_DMA_MAP_FAILURES] = "map-failures",
    [PCIPASS_DMA_COMMANDS] = "commands",
    [PCIPASS_DMA_ENTRIES] = "entries",
    [PCIPASS_DMA_REFUSED_COMMANDS] = "refused-commands",
    [PCIPASS_DMA_REFUSED_ENTRIES] = "refused-entries",
    [PCIPASS_DMA_DOORBELLS] = "doorbells",
    [PCIPASS_DMA_REFUSED_DOORBELLS] = "refused-doorbells",
    [PCIPASS_DMA_REGISTER_ERRORS] = "register-errors",
    [PCIPASS_DMA_LAST_STATUS] = "last-status",
    [PCIPASS_DMA_DART_ENTRIES] = "dart-entries",
    [PCIPASS_DMA_DART_BYTES] = "dart-bytes",
    [PCIPASS_DMA_NR_MANAGED] = "nr-managed",
};

static uint64_t pcipass_dma_stat(Object *obj, unsigned int i)
{
    PCIPassDMAState *s = PCIPASS_DMA(obj);
    PCIPassDMAStat which = i;
    struct pp_mapper_stats st = { 0 };
    uint64_t lb = 0, le = 0, cb = 0, ce = 0;
    ManagedList l;

    if (!s->mapper) {
        return 0;
    }
    pp_mapper_get_stats(s->mapper, &st);
    switch (which) {
    case PCIPASS_DMA_LIVE_MAPPINGS:
        return st.live_mappings;
    case PCIPASS_DMA_LIVE_BYTES:
        return st.live_bytes;
    case PCIPASS_DMA_PEAK_MAPPINGS:
        return st.peak_mappings;
    case PCIPASS_DMA_PEAK_BYTES:
        return st.peak_bytes;
    case PCIPASS_DMA_MAPS:
        return st.maps;
    case PCIPASS_DMA_UNMAPS:
        return st.unmaps;
    case PCIPASS_DMA_QUERIES:
        return st.queries;
    case PCIPASS_DMA_MAP_FAILURES:
        return st.map_failures;
    case PCIPASS_DMA_COMMANDS:
        return st.commands;
    case PCIPASS_DMA_ENTRIES:
        return st.entries;
    case PCIPASS_DMA_REFUSED_COMMANDS:
        return st.refused_commands;
    case PCIPASS_DMA_REFUSED_ENTRIES:
        return st.refused_entries;
    case PCIPASS_DMA_DOORBELLS:
        return s->doorbells;
    case PCIPASS_DMA_REFUSED_DOORBELLS:
        return s->refused_doorbells;
    case PCIPASS_DMA_REGISTER_ERRORS:
        return s->register_errors;
    case PCIPASS_DMA_LAST_STATUS:
        return st.last_status;
    case PCIPASS_DMA_DART_ENTRIES:
    case PCIPASS_DMA_DART_BYTES:
        if (!s->tc) {
            return 0;
        }
        s->tbe.usage(s->tbe.ctx, &lb, &le, &cb, &ce);
        return which == PCIPASS_DMA_DART_ENTRIES ? le : lb;
    case PCIPASS_DMA_NR_MANAGED:
        pcipass_dma_managed(s, &l);
        return l.n;
    }
    return 0;
}

static bool pcipass_dma_get_host_gone(Object *obj, Error **errp)
{
    return pcipass_dma_host_gone(PCIPASS_DMA(obj));
}

static void pcipass_dma_set_host_gone(Object *obj, bool value, Error **errp)
{
    PCIPassDMAState *s = PCIPASS_DMA(obj);

    if (!value && (s->status & PP_STATUS_HOST_GONE)) {
        error_setg(errp, "HOST_GONE stays set for the device's lifetime");
        return;
    }
    if (value) {
        s->status |= PP_STATUS_HOST_GONE;
    }
}

static const VMStateDescription vmstate_pcipass_dma = {
    .name = TYPE_PCIPASS_DMA,
    .unmigratable = 1, /* mappings live in the host's DART */
};

static const Property pcipass_dma_props[] = {
    DEFINE_PROP_LINK("dart", PCIPassDMAState, port, TYPE_PCIPASS_DART_PORT,
                     PCIPassDartPort *),
    DEFINE_PROP_LINK("target", PCIPassDMAState, target_prop,
                     TYPE_PCIPASS_DMA_TARGET, Object *),
    DEFINE_PROP_UINT32("features", PCIPassDMAState, dev_features,
                       PP_FEAT_ALL),
    DEFINE_PROP_UINT32("max-batch", PCIPassDMAState, max_batch,
                       PP_MAX_BATCH_LIMIT),
    DEFINE_PROP_UINT32("max-map-len", PCIPassDMAState, max_map_len,
                       PCIPASS_DMA_DEFAULT_MAX_MAP_LEN),
    DEFINE_PROP_UINT16("vendor-id", PCIPassDMAState, vendor_id,
                       PP_DMA_PCI_VENDOR_ID),
    DEFINE_PROP_UINT16("device-id", PCIPassDMAState, device_id,
                       PP_DMA_PCI_DEVICE_ID),
};

static void pcipass_dma_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);

    k->realize = pcipass_dma_realize;
    k->exit = pcipass_dma_exit;
    k->vendor_id = PP_DMA_PCI_VENDOR_ID;
    k->device_id = PP_DMA_PCI_DEVICE_ID;
    k->revision = PP_DMA_PCI_REVISION;
    k->class_id = PCIPASS_CLASS_SYSTEM_OTHER;
    rc->phases.hold = pcipass_dma_reset_hold;
    dc->desc = "pcipass paravirtual DMA mapper (DART)";
    dc->vmsd = &vmstate_pcipass_dma;
    dc->hotpluggable = false;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, pcipass_dma_props);

    object_class_property_add_bool(klass, "x-host-gone",
                                   pcipass_dma_get_host_gone,
                                   pcipass_dma_set_host_gone);
    object_class_property_set_description(klass, "x-host-gone",
        "Simulate the host device going away (STATUS.HOST_GONE): "
        "MAPs fail with HOST from then on; cannot be cleared");
    pcipass_qom_add_stats(klass, pcipass_dma_stat_names,
                          ARRAY_SIZE(pcipass_dma_stat_names),
                          pcipass_dma_stat);
}

static const TypeInfo pcipass_dma_info = {
    .name          = TYPE_PCIPASS_DMA,
    .parent        = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIPassDMAState),
    .class_init    = pcipass_dma_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { }
    },
};

static const TypeInfo pcipass_dma_target_info = {
    .name       = TYPE_PCIPASS_DMA_TARGET,
    .parent     = TYPE_INTERFACE,
    .class_size = sizeof(PCIPassDMATargetClass),
};

static void pcipass_dma_register_types(void)
{
    type_register_static(&pcipass_dma_target_info);
    type_register_static(&pcipass_dma_info);
}

type_init(pcipass_dma_register_types)
