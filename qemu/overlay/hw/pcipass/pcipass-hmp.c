/*
 * pcipass: "info pcipass" (HMP).
 *
 * Prints every pcipass-dart-port, pcipass-pci and pcipass-dma device from
 * their
 * read-only QOM properties -- the same values QMP's qom-get returns -- so
 * this file needs nothing from the devices and links in any build.
 *
 * Copyright (c) 2026 The pcipass authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "hw/qdev-core.h"
#include "qom/object.h"

typedef struct PCIPassHmp {
    Monitor *mon;
    const char *type;
    unsigned int found;
    GPtrArray *objs;
} PCIPassHmp;

static uint64_t pp_hmp_u64(Object *obj, const char *name)
{
    Error *err = NULL;
    uint64_t v = object_property_get_uint(obj, name, &err);

    if (err) {
        error_free(err);
        return 0;
    }
    return v;
}

static const char *pp_hmp_id(Object *obj)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    return dev && dev->id ? dev->id : "(no id)";
}

static void pp_hmp_port(Monitor *mon, Object *obj)
{
    g_autofree char *placement = object_property_get_str(obj, "placement",
                                                         NULL);
    uint64_t cap = pp_hmp_u64(obj, "cap-bytes");
    uint64_t bytes = pp_hmp_u64(obj, "dart-bytes");

    monitor_printf(mon, "pcipass-dart-port %s (placement %s)\n",
                   pp_hmp_id(obj),
                   placement && *placement ? placement : "first-fit");
    monitor_printf(mon, "  DART entries: %" PRIu64 " live, %" PRIu64
                   " peak, %" PRIu64 " cap\n",
                   pp_hmp_u64(obj, "dart-entries"),
                   pp_hmp_u64(obj, "peak-entries"),
                   pp_hmp_u64(obj, "max-entries"));
    monitor_printf(mon, "  DART bytes:   %" PRIu64 " live (%" PRIu64
                   "%%), %" PRIu64 " peak, %" PRIu64 " cap\n",
                   bytes, cap ? bytes * 100 / cap : 0,
                   pp_hmp_u64(obj, "peak-bytes"), cap);
    monitor_printf(mon, "  maps %" PRIu64 ", unmaps %" PRIu64
                   ", map failures %" PRIu64 ", DMA faults %" PRIu64
                   ", MSI writes %" PRIu64 "\n",
                   pp_hmp_u64(obj, "maps"), pp_hmp_u64(obj, "unmaps"),
                   pp_hmp_u64(obj, "map-failures"),
                   pp_hmp_u64(obj, "faults"),
                   pp_hmp_u64(obj, "msi-writes"));
}

static char *pp_hmp_str(Object *obj, const char *name)
{
    Error *err = NULL;
    char *v = object_property_get_str(obj, name, &err);

    if (err) {
        error_free(err);
        return g_strdup("?");
    }
    return v;
}

static void pp_hmp_pci(Monitor *mon, Object *obj)
{
    g_autofree char *host = pp_hmp_str(obj, "host");
    g_autofree char *backend = pp_hmp_str(obj, "backend");
    g_autofree char *ident = pp_hmp_str(obj, "identity");
    g_autofree char *bdf = pp_hmp_str(obj, "guest-bdf");
    g_autofree char *loc = pp_hmp_str(obj, "host-location");
    g_autofree char *bars = pp_hmp_str(obj, "bars");
    g_autofree char *irq = pp_hmp_str(obj, "irq-type");
    bool gone = object_property_get_bool(obj, "gone", NULL);

    monitor_printf(mon, "pcipass-pci %s: host %s (backend %s) %s, guest "
                   "%s%s\n", pp_hmp_id(obj), host,
                   strcmp(backend, "") ? backend : "sim", ident, bdf,
                   gone ? " [GONE]" : "");
    monitor_printf(mon, "  location: %s\n", loc);
    monitor_printf(mon, "  BARs: %s (%" PRIu64 " mapped, %" PRIu64
                   " trapped)\n", *bars ? bars : "none",
                   pp_hmp_u64(obj, "bars-mapped"),
                   pp_hmp_u64(obj, "bars-trapped"));
    monitor_printf(mon, "  interrupts: %s, %" PRIu64 " vectors; %" PRIu64
                   " delivered, %" PRIu64 " latched, %" PRIu64
                   " dropped\n", irq, pp_hmp_u64(obj, "vectors"),
                   pp_hmp_u64(obj, "irqs-delivered"),
                   pp_hmp_u64(obj, "irqs-latched"),
                   pp_hmp_u64(obj, "irqs-dropped"));
    monitor_printf(mon, "  DMA (host DART, shared by the slot): %" PRIu64
                   " entries, %" PRIu64 " bytes live; caps %" PRIu64
                   " entries, %" PRIu64 " bytes; %" PRIu64 " faults\n",
                   pp_hmp_u64(obj, "dma-live-entries"),
                   pp_hmp_u64(obj, "dma-live-bytes"),
                   pp_hmp_u64(obj, "dma-max-entries"),
                   pp_hmp_u64(obj, "dma-cap-bytes"),
                   pp_hmp_u64(obj, "dma-faults"));
    monitor_printf(mon, "  accesses: BAR %" PRIu64 " reads, %" PRIu64
                   " writes trapped; config %" PRIu64 " reads, %" PRIu64
                   " writes; resets %" PRIu64 ", FLRs %" PRIu64
                   ", backend errors %" PRIu64 "\n",
                   pp_hmp_u64(obj, "trapped-reads"),
                   pp_hmp_u64(obj, "trapped-writes"),
                   pp_hmp_u64(obj, "config-reads"),
                   pp_hmp_u64(obj, "config-writes"),
                   pp_hmp_u64(obj, "resets"), pp_hmp_u64(obj, "flrs"),
                   pp_hmp_u64(obj, "backend-errors"));
}

static void pp_hmp_dma(Monitor *mon, Object *obj)
{
    Object *port = object_property_get_link(obj, "target", NULL);

    if (!port) {
        port = object_property_get_link(obj, "dart", NULL);
    }

    monitor_printf(mon, "pcipass-dma %s -> %s (%" PRIu64
                   " managed functions)\n", pp_hmp_id(obj),
                   port ? pp_hmp_id(port) : "(none)",
                   pp_hmp_u64(obj, "nr-managed"));
    monitor_printf(mon, "  mappings: %" PRIu64 " live (%" PRIu64
                   " bytes), %" PRIu64 " peak (%" PRIu64 " bytes)\n",
                   pp_hmp_u64(obj, "live-mappings"),
                   pp_hmp_u64(obj, "live-bytes"),
                   pp_hmp_u64(obj, "peak-mappings"),
                   pp_hmp_u64(obj, "peak-bytes"));
    monitor_printf(mon, "  doorbells %" PRIu64 " (refused %" PRIu64
                   "), commands %" PRIu64 " (refused %" PRIu64
                   "), entries %" PRIu64 " (refused %" PRIu64 ")\n",
                   pp_hmp_u64(obj, "doorbells"),
                   pp_hmp_u64(obj, "refused-doorbells"),
                   pp_hmp_u64(obj, "commands"),
                   pp_hmp_u64(obj, "refused-commands"),
                   pp_hmp_u64(obj, "entries"),
                   pp_hmp_u64(obj, "refused-entries"));
    monitor_printf(mon, "  maps %" PRIu64 ", unmaps %" PRIu64
                   ", queries %" PRIu64 ", map failures %" PRIu64
                   ", register errors %" PRIu64 ", last status %" PRIu64
                   "\n",
                   pp_hmp_u64(obj, "maps"), pp_hmp_u64(obj, "unmaps"),
                   pp_hmp_u64(obj, "queries"),
                   pp_hmp_u64(obj, "map-failures"),
                   pp_hmp_u64(obj, "register-errors"),
                   pp_hmp_u64(obj, "last-status"));
}

static int pp_hmp_collect(Object *obj, void *opaque)
{
    PCIPassHmp *h = opaque;

    if (object_dynamic_cast(obj, h->type)) {
        g_ptr_array_add(h->objs, obj);
    }
    return 0;
}

static gint pp_hmp_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(pp_hmp_id(*(Object *const *)a),
                  pp_hmp_id(*(Object *const *)b));
}

static int pp_hmp_visit(Object *obj, void *opaque)
{
    PCIPassHmp *h = opaque;

    h->found++;
    if (!strcmp(h->type, "pcipass-dart-port")) {
        pp_hmp_port(h->mon, obj);
    } else if (!strcmp(h->type, "pcipass-pci")) {
        pp_hmp_pci(h->mon, obj);
    } else {
        pp_hmp_dma(h->mon, obj);
    }
    return 0;
}

void hmp_info_pcipass(Monitor *mon, const QDict *qdict)
{
    static const char *const types[] = {
        "pcipass-dart-port", "pcipass-pci", "pcipass-dma",
    };
    PCIPassHmp h = { .mon = mon };
    unsigned int t, i;

    if (!object_class_by_name("pcipass-dart-port")) {
        monitor_printf(mon, "pcipass devices are not built into this "
                       "QEMU\n");
        return;
    }
    /* Each kind in order of id, so the output is stable. */
    for (t = 0; t < ARRAY_SIZE(types); t++) {
        h.type = types[t];
        h.objs = g_ptr_array_new();
        object_child_foreach_recursive(object_get_root(), pp_hmp_collect, &h);
        g_ptr_array_sort(h.objs, pp_hmp_cmp);
        for (i = 0; i < h.objs->len; i++) {
            pp_hmp_visit(g_ptr_array_index(h.objs, i), &h);
        }
        g_ptr_array_free(h.objs, true);
    }
    if (!h.found) {
        monitor_printf(mon, "no pcipass devices\n");
    }
}
