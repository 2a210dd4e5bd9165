/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A model of Apple's DART IOMMU as PCIDriverKit exposes it to a Thunderbolt
 * device: 16 KiB pages, a cap on the bytes mapped at once (about 1.5 GB) and
 * on live mappings (about 64k), and bus addresses (IOVAs) that the DART picks
 * with no alignment promise beyond 16 KiB.  It is the host side of every
 * test: the sim backend, the QEMU DART-fronted bus and the replay benchmark
 * all map through it.  Userspace only.
 *
 * "host" addresses are whatever the caller maps (a QEMU host pointer, a
 * guest-physical address in the benchmark): the model never dereferences
 * them, it only translates bus addresses back to them.
 */
#ifndef PCIPASS_DART_H
#define PCIPASS_DART_H

#include "types.h"
#include "status.h"

#define PP_DART_PAGE_SHIFT 14
#define PP_DART_PAGE_SIZE  (1ull << PP_DART_PAGE_SHIFT)
#define PP_DART_PAGE_MASK  (PP_DART_PAGE_SIZE - 1)

#define PP_DART_DEFAULT_CAP_BYTES   (1536ull << 20)
#define PP_DART_DEFAULT_MAX_ENTRIES 65536u
/* Bus-address aperture.  Above 0 (so no mapping is ever at bus 0) and below
 * 4 GiB (so 32-bit DMA masks work), larger than the byte cap so that the cap,
 * not the aperture, is what binds -- as reported for the real DART. */
#define PP_DART_DEFAULT_IOVA_BASE   0x00100000ull
#define PP_DART_DEFAULT_IOVA_SIZE   0xfff00000ull

enum pp_dart_placement {
	PP_DART_FIRST_FIT,   /* lowest free bus address */
	PP_DART_RANDOM,      /* a random free range (seeded) */
	PP_DART_ADVERSARIAL, /* never aligned above 16 KiB: odd 16 KiB multiple */
};

/* Access kinds for map permissions and translate checks. */
#define PP_DART_READ  (1u << 0) /* device reads memory */
#define PP_DART_WRITE (1u << 1) /* device writes memory */
#define PP_DART_RW    (PP_DART_READ | PP_DART_WRITE)

struct pp_dart_config {
	uint64_t cap_bytes;     /* sum of mapped bytes (16 KiB pages) */
	uint32_t max_entries;   /* live mappings */
	uint64_t iova_base;     /* 16 KiB aligned, nonzero */
	uint64_t iova_size;     /* 16 KiB multiple */
	enum pp_dart_placement placement;
	uint64_t seed;          /* for PP_DART_RANDOM */
};

struct pp_dart_stats {
	uint64_t live_entries, peak_entries;
	uint64_t live_bytes, peak_bytes;   /* 16 KiB-page granular */
	uint64_t maps, unmaps;
	uint64_t fail_nospc, fail_toomany, fail_inval, fail_overflow;
	uint64_t fail_noent;               /* unmaps of an unknown bus value */
	uint64_t translations, faults;
};

struct pp_dart;

void pp_dart_config_default(struct pp_dart_config *cfg);

/* NULL when the configuration is invalid or memory is short. */
struct pp_dart *pp_dart_new(const struct pp_dart_config *cfg);
void pp_dart_free(struct pp_dart *d);
const struct pp_dart_config *pp_dart_config(const struct pp_dart *d);

/*
 * Maps [host, host + len) with permissions prot (PP_DART_*).  The DART maps
 * whole 16 KiB pages, so the bytes charged are those of the pages the range
 * touches, and *bus keeps host's offset within its 16 KiB page.
 * PP_OK, PP_ERR_NOSPC (byte cap or no aperture range), PP_ERR_TOOMANY,
 * PP_ERR_INVAL (len 0, prot 0 or unknown bits), PP_ERR_OVERFLOW.
 */
int pp_dart_map(struct pp_dart *d, uint64_t host, uint64_t len, uint32_t prot,
		uint64_t *bus);

/* Unmaps the mapping that pp_dart_map returned bus for (exact value).
 * PP_OK or PP_ERR_NOENT. */
int pp_dart_unmap(struct pp_dart *d, uint64_t bus);

/*
 * Device access of [bus, bus + len) of kind access (PP_DART_READ or WRITE).
 * PP_OK with *host set when the whole range lies in one live mapping that
 * allows it; PP_ERR_FAULT otherwise (counted as a fault).  PP_ERR_INVAL (not
 * a fault) for len 0, access 0 or unknown bits, or a NULL host.
 */
int pp_dart_translate(struct pp_dart *d, uint64_t bus, uint64_t len,
		      uint32_t access, uint64_t *host);

/*
 * Like translate, but never faults on a length: *avail is set to the bytes
 * from bus to the end of its mapping (for devices that DMA in chunks).
 * Any of host, avail, prot may be NULL.  PP_OK or PP_ERR_FAULT (not counted).
 */
int pp_dart_lookup(const struct pp_dart *d, uint64_t bus, uint64_t *host,
		   uint64_t *avail, uint32_t *prot);

void pp_dart_get_stats(const struct pp_dart *d, struct pp_dart_stats *st);

/* Free capacity right now (cap minus live). */
uint64_t pp_dart_free_bytes(const struct pp_dart *d);
uint32_t pp_dart_free_entries(const struct pp_dart *d);

#endif
