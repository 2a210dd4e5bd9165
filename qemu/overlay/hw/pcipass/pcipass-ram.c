/*
 * pcipass: the guest RAM a pcipass device may let a DMA master reach.
 *
 * A MemoryListener on address_space_memory rebuilds, after every memory
 * transaction, the list of writable RAM ranges (no ROM, no ROM devices, no
 * RAM-device BARs, no MMIO).  pcipass-dma validates every command and every
 * MAP against it (a MAP outside RAM is refused with PP_ERR_RANGE), and the
 * DART port checks each translation against it again, so that a device
 * behind the DART reaches guest RAM and nothing else.
 *
 * Copyright (c) 2026 The pcipass authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/rcu.h"
#include "qemu/main-loop.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "hw/pcipass/pcipass.h"

static struct {
    bool tracking;
    MemoryListener listener;
    QemuMutex lock;               /* guards ranges, n, gen */
    struct pp_ram_range *ranges;
    unsigned int n;
    uint64_t gen;                 /* bumped on every change, starts at 1 */
} pcipass_ram;

typedef struct RamCollect {
    GArray *ranges;               /* struct pp_ram_range */
    const MemoryRegion *last_mr;
    hwaddr last_offset_end;       /* offset in last_mr after the last range */
} RamCollect;

static bool pcipass_ram_section_ok(const MemoryRegion *mr)
{
    MemoryRegion *m = (MemoryRegion *)mr;

    return memory_region_is_ram(m) && !m->readonly && !m->rom_device &&
           !memory_region_is_ram_device(m);
}

static bool pcipass_ram_collect_cb(Int128 start, Int128 len,
                                   const MemoryRegion *mr,
                                   hwaddr offset_in_region, void *opaque)
{
    RamCollect *c = opaque;
    struct pp_ram_range r;

    if (!pcipass_ram_section_ok(mr) || !int128_nz(len)) {
        c->last_mr = NULL;
        return false;
    }
    if (int128_gt(len, int128_make64(UINT64_MAX))) {
        /* The whole 64-bit space cannot be RAM; ignore (fail closed). */
        c->last_mr = NULL;
        return false;
    }
    r.base = int128_get64(start);
    r.size = int128_get64(len);

    /*
     * Flat ranges of one region that follow each other both in the address
     * space and inside the region are one host allocation: merge them.
     */
    if (c->ranges->len && c->last_mr == mr &&
        c->last_offset_end == offset_in_region) {
        struct pp_ram_range *prev = &g_array_index(c->ranges,
                                                   struct pp_ram_range,
                                                   c->ranges->len - 1);
        if (prev->base + prev->size == r.base) {
            prev->size += r.size;
            c->last_offset_end += r.size;
            return false;
        }
    }
    g_array_append_val(c->ranges, r);
    c->last_mr = mr;
    c->last_offset_end = offset_in_region + r.size;
    return false;
}

static void pcipass_ram_commit(MemoryListener *listener)
{
    RamCollect c = { .ranges = g_array_new(false, false,
                                           sizeof(struct pp_ram_range)) };
    struct pp_ram_range *old;
    unsigned int n;
    bool same;

    WITH_RCU_READ_LOCK_GUARD() {
        flatview_for_each_range(address_space_to_flatview(
                                    &address_space_memory),
                                pcipass_ram_collect_cb, &c);
    }
    n = c.ranges->len;

    qemu_mutex_lock(&pcipass_ram.lock);
    same = n == pcipass_ram.n &&
           (n == 0 || !memcmp(pcipass_ram.ranges, c.ranges->data,
                              n * sizeof(struct pp_ram_range)));
    if (same) {
        qemu_mutex_unlock(&pcipass_ram.lock);
        g_array_free(c.ranges, true);
        return;
    }
    old = pcipass_ram.ranges;
    pcipass_ram.ranges = (struct pp_ram_range *)g_array_free(c.ranges, false);
    pcipass_ram.n = n;
    pcipass_ram.gen++;
    qemu_mutex_unlock(&pcipass_ram.lock);
    g_free(old);
}

void pcipass_ram_track(void)
{
    if (pcipass_ram.tracking) {
        return;
    }
    pcipass_ram.tracking = true;
    qemu_mutex_init(&pcipass_ram.lock);
    pcipass_ram.gen = 1;
    pcipass_ram.listener = (MemoryListener) {
        .name = "pcipass-ram",
        .commit = pcipass_ram_commit,
        .priority = MEMORY_LISTENER_PRIORITY_MIN,
    };
    /* Registration replays the current map and ends with a commit. */
    memory_listener_register(&pcipass_ram.listener, &address_space_memory);
}

bool pcipass_ram_refresh(uint64_t *gen, struct pp_ram_range **ranges,
                         unsigned int *n)
{
    bool changed = false;

    if (!pcipass_ram.tracking) {
        return false;
    }
    qemu_mutex_lock(&pcipass_ram.lock);
    if (*gen != pcipass_ram.gen) {
        *ranges = g_renew(struct pp_ram_range, *ranges,
                          MAX(pcipass_ram.n, 1));
        if (pcipass_ram.n) {
            memcpy(*ranges, pcipass_ram.ranges,
                   pcipass_ram.n * sizeof(struct pp_ram_range));
        }
        *n = pcipass_ram.n;
        *gen = pcipass_ram.gen;
        changed = true;
    }
    qemu_mutex_unlock(&pcipass_ram.lock);
    return changed;
}

bool pcipass_ram_contains(uint64_t addr, uint64_t len)
{
    struct pp_proto_limits lim = { 0 };
    bool ok;

    if (!pcipass_ram.tracking) {
        return false;
    }
    qemu_mutex_lock(&pcipass_ram.lock);
    lim.ram = pcipass_ram.ranges;
    lim.nr_ram = pcipass_ram.n;
    ok = pp_range_in_ram(&lim, addr, len) == PP_OK;
    qemu_mutex_unlock(&pcipass_ram.lock);
    return ok;
}

void *pcipass_gpa_to_hva(uint64_t gpa, uint64_t len)
{
    MemoryRegionSection sec;
    void *hva = NULL;

    if (!len || gpa + len < gpa) {
        return NULL;
    }
    RCU_READ_LOCK_GUARD();
    /* The section is clipped to the one flat range holding gpa. */
    sec = memory_region_find(get_system_memory(), gpa, len);
    if (!sec.mr) {
        return NULL;
    }
    if (pcipass_ram_section_ok(sec.mr) && int128_eq(sec.size,
                                                   int128_make64(len)) &&
        sec.offset_within_address_space == gpa) {
        hva = (uint8_t *)memory_region_get_ram_ptr(sec.mr) +
              sec.offset_within_region;
    }
    memory_region_unref(sec.mr);
    return hva;
}
