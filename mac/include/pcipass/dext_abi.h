/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user-client ABI of the pcipass dext: what the QEMU-side IOKit client
 * (hosts/dext/) and the dext (mac/dext/) agree on.  Selector numbers,
 * argument shapes, limits, the memory types of IOConnectMapMemory64, the
 * async wait's completion, and the one mapping between pp_status and
 * IOReturn that both sides use.  docs/mac-dext.md explains every selector.
 *
 * C11 and C++ (the dext's shell is C++), no system header beyond
 * <stddef.h>/<stdint.h>: the IOReturn values are spelled out here and the
 * dext's shell checks them against <DriverKit/IOReturn.h> at compile time
 * (mac/dext/driver/PcipassShared.h).
 *
 * Conventions:
 *  - every selector returns an IOReturn: kIOReturnSuccess or the mapping of
 *    one pp_status (pp_dext_status_to_ioreturn);
 *  - batched selectors (DMA_MAP, DMA_UNMAP) return success with a status
 *    per entry, or a whole-call failure after which nothing changed;
 *  - scalar counts and structure sizes must be EXACTLY the ones listed
 *    (the dext refuses anything else with kIOReturnBadArgument), and every
 *    structure travels inline (<= 4096 bytes: never an out-of-line
 *    descriptor);
 *  - all structures are little-endian host layout (arm64), naturally
 *    aligned, sizes fixed by the static assertions at the end;
 *  - reserved fields and unknown flag bits must be zero (PP_ERR_RESERVED).
 */
#ifndef PCIPASS_DEXT_ABI_H
#define PCIPASS_DEXT_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "pcipass/status.h"

#ifdef __cplusplus
#define PP_DEXT_ASSERT(c, m) static_assert(c, m)
extern "C" {
#else
#define PP_DEXT_ASSERT(c, m) _Static_assert(c, m)
#endif

/* ---- identity -------------------------------------------------------- */

#define PP_DEXT_ABI_MAJOR    1
#define PP_DEXT_ABI_MINOR    0
#define PP_DEXT_ABI_VERSION  ((PP_DEXT_ABI_MAJOR << 16) | PP_DEXT_ABI_MINOR)

/* The dext's IOService (IOUserClass) and the name it sets with SetName():
 * a client finds it with IOServiceNameMatching(PP_DEXT_SERVICE_NAME). */
#define PP_DEXT_USER_CLASS    "PcipassDriver"
#define PP_DEXT_SERVICE_NAME  "pcipass"
#define PP_DEXT_UC_TYPE       0u    /* the IOServiceOpen type */

/* ---- selectors -------------------------------------------------------- */

enum pp_dext_selector {
	PP_DEXT_SEL_INFO          = 0,
	PP_DEXT_SEL_CLAIM         = 1,
	PP_DEXT_SEL_RELEASE       = 2,
	PP_DEXT_SEL_CFG_READ      = 3,
	PP_DEXT_SEL_CFG_WRITE     = 4,
	PP_DEXT_SEL_BAR_INFO      = 5,
	PP_DEXT_SEL_BAR_READ      = 6,
	PP_DEXT_SEL_BAR_WRITE     = 7,
	PP_DEXT_SEL_DMA_MAP       = 8,
	PP_DEXT_SEL_DMA_UNMAP     = 9,
	PP_DEXT_SEL_DMA_USAGE     = 10,
	PP_DEXT_SEL_IRQ_CONFIGURE = 11,
	PP_DEXT_SEL_IRQ_WAIT      = 12,   /* async: IOConnectCallAsync* */
	PP_DEXT_SEL_IRQ_TAKE      = 13,
	PP_DEXT_SEL_IRQ_MASK      = 14,
	PP_DEXT_SEL_EVENTS        = 15,
	PP_DEXT_SEL_RESET         = 16,
	PP_DEXT_SEL_COUNT
};

/*
 * Shapes (scalars are uint64_t; "-" = none):
 *
 *  sel            claim  scalar in             scalar out        struct in       struct out
 *  INFO           no     -                     -                 -               pp_dext_info
 *  CLAIM          -      abi_version, flags    -                 -               -
 *  RELEASE        yes    -                     -                 -               -
 *  CFG_READ       yes    off, size             value             -               -
 *  CFG_WRITE      yes    off, size, value      written-mask      -               -
 *  BAR_INFO       yes    bar (0..6)            -                 -               pp_dext_bar_info
 *  BAR_READ       yes    bar, off, size        value             -               -
 *  BAR_WRITE      yes    bar, off, size, value -                 -               -
 *  DMA_MAP        yes    count                 -                 count x map_in  count x map_out
 *  DMA_UNMAP      yes    count                 -                 count x unmap_in count x int32 status
 *  DMA_USAGE      yes    -                     -                 -               pp_dext_dma_usage
 *  IRQ_CONFIGURE  yes    type, nvec            type, granted     -               -
 *  IRQ_WAIT       yes    - (async)             -                 -               -
 *  IRQ_TAKE       yes    -                     pending[4]        -               -
 *  IRQ_MASK       yes    vec, masked (0/1)     -                 -               -
 *  EVENTS         yes    -                     events            -               -
 *  RESET          yes    type                  -                 -               -
 */

/* ---- limits ------------------------------------------------------------ */

#define PP_DEXT_CFG_SIZE          4096u
#define PP_DEXT_NR_BARS           6u      /* BAR0..BAR5: mappable ones */
#define PP_DEXT_ROM_BAR           6u      /* BAR_INFO only: expansion ROM */
#define PP_DEXT_MAX_VECTORS       256u
#define PP_DEXT_IRQ_WORDS         4u      /* pending[] words of IRQ_TAKE */
#define PP_DEXT_MAP_BATCH_MAX     128u    /* 128 x 32 B = 4096: inline */
#define PP_DEXT_UNMAP_BATCH_MAX   256u    /* 256 x 16 B = 4096: inline */
#define PP_DEXT_INLINE_MAX        4096u   /* IOKit's inline structure limit */
#define PP_DEXT_PAGE_SIZE         16384u  /* DART page: the accounting unit */
#define PP_DEXT_MAX_SEGMENTS      32u     /* IODMACommand::PrepareForDMA */

/* ---- memory types of IOConnectMapMemory64 ------------------------------ */

/* Type 1 + n maps BAR n (0..5) whole; anything else is refused.  Only a
 * BAR whose pp_dext_bar_info has PP_DEXT_BAR_F_MAPPABLE can be mapped. */
#define PP_DEXT_MAP_TYPE_BAR(n)   (1u + (unsigned int)(n))
#define PP_DEXT_MAP_TYPE_FIRST    1u
#define PP_DEXT_MAP_TYPE_LAST     6u

/* ---- INFO --------------------------------------------------------------- */

#define PP_DEXT_STATE_CLAIMED     (1u << 0) /* some client owns the function */
#define PP_DEXT_STATE_MINE        (1u << 1) /* ... and it is the caller */
#define PP_DEXT_STATE_GONE        (1u << 2) /* unplugged / driver stopped */
#define PP_DEXT_STATE_IRQ_CONFIGURED (1u << 3) /* ConfigureInterrupts done */

struct pp_dext_info {
	uint32_t abi_version;          /* PP_DEXT_ABI_VERSION of the dext */
	uint32_t state;                /* PP_DEXT_STATE_* */
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;           /* 24 bits: base, sub, prog-if */
	uint8_t  revision, header_type;
	uint8_t  bus, dev;             /* host BDF: NOT unique on a Mac */
	uint8_t  fn;
	uint8_t  irq_type;             /* PP_DEXT_IRQ_*, 0 until configured */
	uint8_t  reserved0[2];
	uint16_t nr_vectors;           /* MSI-X table size, else MSI count */
	uint16_t irq_granted;          /* vectors configured (device-wide) */
	uint16_t msi_cap, msix_cap;    /* capability offsets, 0 if absent */
	uint16_t max_map_batch;        /* PP_DEXT_MAP_BATCH_MAX */
	uint16_t max_unmap_batch;      /* PP_DEXT_UNMAP_BATCH_MAX */
	uint32_t page_size;            /* PP_DEXT_PAGE_SIZE */
	uint32_t max_entries;          /* live registrations per claim */
	uint64_t cap_bytes;            /* mapped bytes per claim (pages) */
	uint64_t max_map_len;          /* longest single registration */
	uint64_t registry_id;          /* IORegistry entry ID of the
					* IOPCIDevice nub, 0 if unknown */
	uint64_t reserved[7];
};

/* ---- CLAIM / RESET / IRQ scalars ---------------------------------------- */

#define PP_DEXT_CLAIM_FLAGS_KNOWN 0u       /* no flags defined yet */

#define PP_DEXT_RESET_FUNCTION    1u       /* FLR, falling back to hot reset */
#define PP_DEXT_RESET_HOT         2u       /* secondary bus reset */

/* IRQ_CONFIGURE type (in) and the type granted (out: MSI or MSIX). */
#define PP_DEXT_IRQ_NONE          0u
#define PP_DEXT_IRQ_MSI           1u       /* MSI only */
#define PP_DEXT_IRQ_MSIX          2u       /* MSI-X only */
#define PP_DEXT_IRQ_ANY           3u       /* in only: MSI-X, else MSI */

/* ---- BAR_INFO ------------------------------------------------------------ */

#define PP_DEXT_BAR_NONE          0u       /* = pp_host_bar_type values */
#define PP_DEXT_BAR_MEM32         1u
#define PP_DEXT_BAR_MEM64         2u       /* the pair's lower index */
#define PP_DEXT_BAR_IO            3u

#define PP_DEXT_BAR_F_PREFETCH    (1u << 0)
#define PP_DEXT_BAR_F_MAPPABLE    (1u << 1) /* IOConnectMapMemory64 works */
#define PP_DEXT_BAR_F_UPPER       (1u << 2) /* upper half of a 64-bit BAR */
#define PP_DEXT_BAR_F_ROM         (1u << 3) /* index 6: expansion ROM */

struct pp_dext_bar_info {
	uint64_t size;                 /* bytes; 0 if not implemented */
	uint32_t type;                 /* PP_DEXT_BAR_* */
	uint32_t flags;                /* PP_DEXT_BAR_F_* */
	uint32_t map_type;             /* memory type to map it, 0 if none */
	uint8_t  memory_index;         /* PCIDriverKit memoryIndex */
	uint8_t  raw_type;             /* kPCIBARType* as GetBARInfo said */
	uint8_t  reserved0[2];
	uint64_t reserved[1];
};

/* ---- DMA_MAP / DMA_UNMAP ------------------------------------------------- */

#define PP_DEXT_PROT_READ         (1u << 0) /* device reads memory */
#define PP_DEXT_PROT_WRITE        (1u << 1) /* device writes memory */
#define PP_DEXT_PROT_RW           (PP_DEXT_PROT_READ | PP_DEXT_PROT_WRITE)

/*
 * PARTIAL: the client accepts a registration shorter than asked for.  The
 * dext then maps the longest prefix it can give as ONE contiguous bus range
 * (limited by max_map_len, or by where the DART split the range) and says
 * how long it is in map_out.len; the client maps the rest with further
 * entries (a window at a time).  Without PARTIAL such a range fails with
 * PP_ERR_SPLIT and nothing stays mapped.  Either way a registration is
 * always exactly one contiguous bus range.
 */
#define PP_DEXT_MAP_F_PARTIAL     (1u << 0)
#define PP_DEXT_MAP_F_KNOWN       PP_DEXT_MAP_F_PARTIAL

struct pp_dext_map_in {
	uint64_t addr;                 /* client (VMM) virtual address */
	uint64_t len;                  /* bytes, >= 1 */
	uint32_t prot;                 /* nonzero subset of PP_DEXT_PROT_RW */
	uint32_t flags;                /* PP_DEXT_MAP_F_* */
	uint64_t reserved;
};

struct pp_dext_map_out {
	int32_t  status;               /* pp_status of this range */
	uint32_t handle;               /* OK: nonzero, for DMA_UNMAP */
	uint64_t bus;                  /* OK: device address of addr */
	uint64_t len;                  /* OK: bytes mapped at bus (== in.len
					* unless PARTIAL); SPLIT: the longest
					* prefix the dext could map in one
					* piece (a hint, may be 0); else 0 */
	uint32_t nseg;                 /* segments the DART returned */
	uint32_t reserved;
};

struct pp_dext_unmap_in {
	uint64_t bus;                  /* exactly as map_out.bus */
	uint32_t handle;               /* map_out.handle, or 0: by bus only */
	uint32_t reserved;
};

/* ---- DMA_USAGE ----------------------------------------------------------- */

struct pp_dext_dma_usage {
	uint64_t live_bytes;           /* 16 KiB pages touched, summed */
	uint64_t live_entries;
	uint64_t cap_bytes;
	uint64_t max_entries;
	uint64_t faults;               /* DART faults: no DriverKit source, 0 */
	uint64_t max_map_len;
	uint64_t peak_bytes, peak_entries;
	uint64_t maps, map_failures;   /* ranges mapped / refused */
	uint64_t unmaps, unmap_failures;
	uint64_t splits;               /* ranges the DART gave in pieces */
	uint64_t reserved[3];
};

/* ---- IRQ_WAIT completion and EVENTS -------------------------------------- */

/*
 * IRQ_WAIT arms one wait per device (arming again replaces the armed one,
 * which completes with PP_DEXT_IORET_ABORTED).  The wait completes when an
 * unmasked vector is pending or an event is raised, at once if that is
 * already so.  Completion status: kIOReturnSuccess (woken) or
 * kIOReturnAborted (replaced, released, client closing); arguments:
 *   [0] PP_DEXT_WAKE_* reasons, [1] events (a peek: read them with EVENTS),
 *   [2] a per-device completion sequence number.
 * The pending vectors themselves are read (and cleared) with IRQ_TAKE.
 */
#define PP_DEXT_WAIT_NARGS        3u
#define PP_DEXT_WAKE_IRQ          (1u << 0)
#define PP_DEXT_WAKE_EVENT        (1u << 1)

#define PP_DEXT_EV_GONE           (1u << 0) /* = PP_HOST_EV_GONE */
#define PP_DEXT_EV_DMA_FAULT      (1u << 1) /* = PP_HOST_EV_DMA_FAULT; never
					      * raised: no DriverKit source */

/* ---- IOReturn values (IOReturn.h: 0xE0000000 | code) ---------------------- */

#define PP_DEXT_IORET_SUCCESS       0x00000000u
#define PP_DEXT_IORET_INVALID       0xE0000001u /* kIOReturnInvalid */
#define PP_DEXT_IORET_ERROR         0xE00002BCu
#define PP_DEXT_IORET_NO_MEMORY     0xE00002BDu
#define PP_DEXT_IORET_NO_RESOURCES  0xE00002BEu
#define PP_DEXT_IORET_NO_DEVICE     0xE00002C0u
#define PP_DEXT_IORET_BAD_ARGUMENT  0xE00002C2u
#define PP_DEXT_IORET_EXCLUSIVE     0xE00002C5u /* ExclusiveAccess */
#define PP_DEXT_IORET_BAD_MSG_ID    0xE00002C6u
#define PP_DEXT_IORET_UNSUPPORTED   0xE00002C7u
#define PP_DEXT_IORET_VM_ERROR      0xE00002C8u
#define PP_DEXT_IORET_NOT_OPEN      0xE00002CDu
#define PP_DEXT_IORET_NOT_ALIGNED   0xE00002D0u
#define PP_DEXT_IORET_DMA_ERROR     0xE00002D4u
#define PP_DEXT_IORET_NO_SPACE      0xE00002DBu
#define PP_DEXT_IORET_MSG_TOO_LARGE 0xE00002E1u
#define PP_DEXT_IORET_OVERRUN       0xE00002E8u
#define PP_DEXT_IORET_ABORTED       0xE00002EBu
#define PP_DEXT_IORET_NOT_FOUND     0xE00002F0u

/*
 * pp_status -> IOReturn, one IOReturn per status (so the client gets the
 * exact status back).  A status outside the enum gives kIOReturnError.
 */
static inline uint32_t pp_dext_status_to_ioreturn(int status)
{
	switch (status) {
	case PP_OK:           return PP_DEXT_IORET_SUCCESS;
	case PP_ERR_NOSPC:    return PP_DEXT_IORET_NO_SPACE;
	case PP_ERR_TOOMANY:  return PP_DEXT_IORET_NO_RESOURCES;
	case PP_ERR_INVAL:    return PP_DEXT_IORET_BAD_ARGUMENT;
	case PP_ERR_RANGE:    return PP_DEXT_IORET_VM_ERROR;
	case PP_ERR_OVERFLOW: return PP_DEXT_IORET_OVERRUN;
	case PP_ERR_ALIGN:    return PP_DEXT_IORET_NOT_ALIGNED;
	case PP_ERR_BADOP:    return PP_DEXT_IORET_UNSUPPORTED;
	case PP_ERR_NOENT:    return PP_DEXT_IORET_NOT_FOUND;
	case PP_ERR_COUNT:    return PP_DEXT_IORET_MSG_TOO_LARGE;
	case PP_ERR_VERSION:  return PP_DEXT_IORET_BAD_MSG_ID;
	case PP_ERR_SPLIT:    return PP_DEXT_IORET_DMA_ERROR;
	case PP_ERR_HOST:     return PP_DEXT_IORET_NO_DEVICE;
	case PP_ERR_NOMEM:    return PP_DEXT_IORET_NO_MEMORY;
	case PP_ERR_FAULT:    return PP_DEXT_IORET_EXCLUSIVE;
	case PP_ERR_RESERVED: return PP_DEXT_IORET_INVALID;
	case PP_ERR_NOTREADY: return PP_DEXT_IORET_NOT_OPEN;
	default:              return PP_DEXT_IORET_ERROR;
	}
}

/*
 * IOReturn -> pp_status, the inverse of the above.  Anything else (IPC
 * failures, kIOReturnNotPermitted from a missing entitlement, ...) is
 * PP_ERR_HOST.
 */
static inline int pp_dext_ioreturn_to_status(uint32_t ret)
{
	for (int st = 0; st < PP_STATUS_COUNT; st++)
		if (pp_dext_status_to_ioreturn(st) == ret)
			return st;
	return PP_ERR_HOST;
}

/* ---- layout checks --------------------------------------------------------- */

PP_DEXT_ASSERT(sizeof(struct pp_dext_info) == 128, "info size");
PP_DEXT_ASSERT(offsetof(struct pp_dext_info, class_code) == 16, "info");
PP_DEXT_ASSERT(offsetof(struct pp_dext_info, nr_vectors) == 28, "info");
PP_DEXT_ASSERT(offsetof(struct pp_dext_info, page_size) == 40, "info");
PP_DEXT_ASSERT(offsetof(struct pp_dext_info, cap_bytes) == 48, "info");
PP_DEXT_ASSERT(offsetof(struct pp_dext_info, registry_id) == 64, "info");
PP_DEXT_ASSERT(sizeof(struct pp_dext_bar_info) == 32, "bar_info size");
PP_DEXT_ASSERT(offsetof(struct pp_dext_bar_info, map_type) == 16, "bar");
PP_DEXT_ASSERT(offsetof(struct pp_dext_bar_info, memory_index) == 20, "bar");
PP_DEXT_ASSERT(sizeof(struct pp_dext_map_in) == 32, "map_in size");
PP_DEXT_ASSERT(offsetof(struct pp_dext_map_in, prot) == 16, "map_in");
PP_DEXT_ASSERT(offsetof(struct pp_dext_map_in, reserved) == 24, "map_in");
PP_DEXT_ASSERT(sizeof(struct pp_dext_map_out) == 32, "map_out size");
PP_DEXT_ASSERT(offsetof(struct pp_dext_map_out, bus) == 8, "map_out");
PP_DEXT_ASSERT(offsetof(struct pp_dext_map_out, len) == 16, "map_out");
PP_DEXT_ASSERT(offsetof(struct pp_dext_map_out, nseg) == 24, "map_out");
PP_DEXT_ASSERT(sizeof(struct pp_dext_unmap_in) == 16, "unmap_in size");
PP_DEXT_ASSERT(offsetof(struct pp_dext_unmap_in, handle) == 8, "unmap_in");
PP_DEXT_ASSERT(sizeof(struct pp_dext_dma_usage) == 128, "usage size");
PP_DEXT_ASSERT(PP_DEXT_MAP_BATCH_MAX * sizeof(struct pp_dext_map_in) <=
	       PP_DEXT_INLINE_MAX, "a full map batch travels inline");
PP_DEXT_ASSERT(PP_DEXT_MAP_BATCH_MAX * sizeof(struct pp_dext_map_out) <=
	       PP_DEXT_INLINE_MAX, "a full map result travels inline");
PP_DEXT_ASSERT(PP_DEXT_UNMAP_BATCH_MAX * sizeof(struct pp_dext_unmap_in) <=
	       PP_DEXT_INLINE_MAX, "a full unmap batch travels inline");
PP_DEXT_ASSERT(PP_DEXT_WAIT_NARGS <= 16, "kIOUserClientAsyncArgumentsCountMax");
PP_DEXT_ASSERT(PP_DEXT_IRQ_WORDS * 64 == PP_DEXT_MAX_VECTORS, "irq words");
PP_DEXT_ASSERT(PP_STATUS_COUNT == 17, "a new pp_status needs an IOReturn here");

#ifdef __cplusplus
}
#endif

#endif
