/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wire protocol between the guest module (pcipass_dma.ko) and the
 * paravirtual DMA mapper device (QEMU "pcipass-dma").  This header is the
 * single definition both sides compile; docs/protocol.md describes every
 * byte.  All multi-byte fields are little-endian; use the pp_le*() helpers
 * to read and write them.
 *
 * The device has one 4 KiB MMIO BAR (BAR0) of registers.  A command lives in
 * guest RAM: a 32-byte header followed by `count` 32-byte entries.  The guest
 * writes the command's guest-physical address to DOORBELL with a single 8-byte
 * store; the device has processed the whole command, and written every status
 * and result back, by the time that store completes.  Nothing sleeps and no
 * interrupt is involved, so a map works from atomic context.
 */
#ifndef PCIPASS_PROTO_H
#define PCIPASS_PROTO_H

#include "types.h"
#include "status.h"

/* PCI identity.  0x7070 is not assigned in pci.ids; both are properties. */
#define PP_DMA_PCI_VENDOR_ID  0x7070
#define PP_DMA_PCI_DEVICE_ID  0x0001
#define PP_DMA_PCI_REVISION   0x01

#define PP_PROTO_MAGIC        0x616d6470u /* "pdma" in memory order */
#define PP_PROTO_MAJOR        1
#define PP_PROTO_MINOR        0
#define PP_PROTO_VERSION      ((PP_PROTO_MAJOR << 16) | PP_PROTO_MINOR)

/* ---- BAR0 registers ------------------------------------------------- */
#define PP_BAR0_SIZE          0x1000

#define PP_REG_MAGIC          0x000 /* RO u32: PP_PROTO_MAGIC */
#define PP_REG_VERSION        0x004 /* RO u32: major << 16 | minor */
#define PP_REG_DEV_FEATURES   0x008 /* RO u32: PP_FEAT_* the device offers */
#define PP_REG_DRV_FEATURES   0x00c /* RW u32: PP_FEAT_* the driver uses */
#define PP_REG_MAX_BATCH      0x010 /* RO u32: max entries in one command */
#define PP_REG_PAGE_SHIFT     0x014 /* RO u32: DART page shift (14) */
#define PP_REG_DART_ENTRIES   0x018 /* RO u32: DART live-mapping cap */
#define PP_REG_NR_MANAGED     0x01c /* RO u32: valid PP_REG_MANAGED slots */
#define PP_REG_DART_CAP       0x020 /* RO u64: DART byte cap */
#define PP_REG_STATUS         0x028 /* RW u32: PP_STATUS_* bits */
#define PP_REG_LAST_ERROR     0x02c /* RO u32: status of last refused access */
#define PP_REG_DOORBELL       0x030 /* WO u64: command GPA, 8-byte store */
#define PP_REG_RESET          0x038 /* WO u32: PP_RESET_KEY unmaps all */
#define PP_REG_MAX_MAP_LEN    0x03c /* RO u32: longest single mapping */
#define PP_REG_MANAGED_BASE   0x100 /* RO u32[PP_MAX_MANAGED]: managed BDFs */
#define PP_REG_MANAGED(i)     (PP_REG_MANAGED_BASE + 4 * (i))
#define PP_MAX_MANAGED        64

/* A managed device: PCI segment, bus, devfn as the guest enumerated them. */
#define PP_MANAGED_SEG(v)     (((v) >> 16) & 0xffff)
#define PP_MANAGED_BUS(v)     (((v) >> 8) & 0xff)
#define PP_MANAGED_DEVFN(v)   ((v) & 0xff)

/* Features: the driver writes the subset it uses, then sets DRIVER_OK. */
#define PP_FEAT_BATCH         (1u << 0) /* count > 1 */
#define PP_FEAT_QUERY         (1u << 1) /* PP_OP_QUERY */
#define PP_FEAT_PERM          (1u << 2) /* PP_MAP_READ/WRITE enforced */
#define PP_FEAT_ALL           (PP_FEAT_BATCH | PP_FEAT_QUERY | PP_FEAT_PERM)

#define PP_STATUS_DRIVER_OK   (1u << 0) /* RW: driver is ready; doorbell works */
#define PP_STATUS_HOST_GONE   (1u << 1) /* RO: host device gone; maps fail */

#define PP_RESET_KEY          0x52534554u /* "TESR": guards against stray writes */

#define PP_MAX_BATCH_LIMIT    4096 /* hard upper bound of PP_REG_MAX_BATCH */

/* ---- Commands in guest RAM ------------------------------------------ */
#define PP_CMD_ALIGN          64

struct pp_cmd_header {
	uint16_t version;   /* in: PP_PROTO_MAJOR */
	uint16_t flags;     /* in: 0 (reserved) */
	uint32_t count;     /* in: entries that follow, 1..MAX_BATCH */
	uint32_t status;    /* out: PP_OK, or why the command was refused */
	uint32_t completed; /* out: entries processed (each has its status) */
	uint32_t reserved;  /* in: 0 */
	uint32_t reserved2; /* in: 0 */
	uint64_t cookie;    /* in: echoed untouched, for tracing */
};

enum pp_op {
	PP_OP_MAP   = 1, /* addr,len,flags -> bus,handle */
	PP_OP_UNMAP = 2, /* handle -> (nothing) */
	PP_OP_QUERY = 3, /* see PP_QUERY_* in flags */
};

/* MAP flags: what the device may do with the mapping. */
#define PP_MAP_READ           (1u << 0) /* device reads memory (to device) */
#define PP_MAP_WRITE          (1u << 1) /* device writes memory (from device) */
#define PP_MAP_RW             (PP_MAP_READ | PP_MAP_WRITE)

/* QUERY flags: which query. */
#define PP_QUERY_MAPPING      1 /* handle -> addr, len, bus of that mapping */
#define PP_QUERY_USAGE        2 /* -> addr: DART bytes live, len: entries live,
				   * bus: DART bytes cap, handle: entry cap */

struct pp_cmd_entry {
	uint8_t  op;        /* in: enum pp_op */
	uint8_t  flags;     /* in: PP_MAP_* or PP_QUERY_* */
	uint16_t reserved;  /* in: 0 */
	uint32_t status;    /* out: enum pp_status */
	uint64_t addr;      /* MAP in: guest-physical address */
	uint32_t len;       /* MAP in: length in bytes, 1..MAX_MAP_LEN */
	uint32_t handle;    /* MAP out / UNMAP, QUERY_MAPPING in: mapping id */
	uint64_t bus;       /* MAP out: bus address of addr */
};

PP_STATIC_ASSERT(sizeof(struct pp_cmd_header) == 32, "header is 32 bytes");
PP_STATIC_ASSERT(sizeof(struct pp_cmd_entry) == 32, "entry is 32 bytes");
PP_STATIC_ASSERT(offsetof(struct pp_cmd_header, cookie) == 24, "cookie at 24");
PP_STATIC_ASSERT(offsetof(struct pp_cmd_entry, addr) == 8, "addr at 8");
PP_STATIC_ASSERT(offsetof(struct pp_cmd_entry, len) == 16, "len at 16");
PP_STATIC_ASSERT(offsetof(struct pp_cmd_entry, handle) == 20, "handle at 20");
PP_STATIC_ASSERT(offsetof(struct pp_cmd_entry, bus) == 24, "bus at 24");

/* ---- Little-endian access ------------------------------------------- */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define pp_le16(x) __builtin_bswap16(x)
#define pp_le32(x) __builtin_bswap32(x)
#define pp_le64(x) __builtin_bswap64(x)
#else
#define pp_le16(x) ((uint16_t)(x))
#define pp_le32(x) ((uint32_t)(x))
#define pp_le64(x) ((uint64_t)(x))
#endif

/* ---- Validation (used by the device for everything the guest wrote) -- */

/* One range of guest RAM as the device sees it: [base, base + size). */
struct pp_ram_range {
	uint64_t base;
	uint64_t size;
};

/* Limits the device enforces; filled from its configuration. */
struct pp_proto_limits {
	uint32_t max_batch;    /* <= PP_MAX_BATCH_LIMIT */
	uint32_t max_map_len;  /* longest single mapping in bytes */
	uint32_t features;     /* negotiated PP_FEAT_* */
	const struct pp_ram_range *ram;
	unsigned int nr_ram;
};

/*
 * Is [addr, addr + len) inside one guest RAM range?  PP_OK, PP_ERR_OVERFLOW
 * when addr + len wraps, PP_ERR_RANGE otherwise.  len 0 is PP_ERR_INVAL.
 */
int pp_range_in_ram(const struct pp_proto_limits *lim, uint64_t addr,
		    uint64_t len);

/* Validates the command's GPA before anything is read from it. */
int pp_check_cmd_gpa(const struct pp_proto_limits *lim, uint64_t gpa);

/*
 * Validates a header in CPU byte order (the caller has converted it with
 * pp_cmd_header_from_le()).  On success the whole command (header and
 * count entries at gpa) is known to lie in guest RAM.
 */
int pp_check_header(const struct pp_proto_limits *lim, uint64_t gpa,
		    const struct pp_cmd_header *h);

/*
 * Validates one entry in CPU byte order.  Handles are not checked here (the
 * device's handle table knows which were issued); everything else is.
 */
int pp_check_entry(const struct pp_proto_limits *lim,
		   const struct pp_cmd_entry *e);

/* Byte-order conversion of whole structures (identity on little-endian). */
void pp_cmd_header_from_le(struct pp_cmd_header *dst,
			   const struct pp_cmd_header *src);
void pp_cmd_header_to_le(struct pp_cmd_header *dst,
			 const struct pp_cmd_header *src);
void pp_cmd_entry_from_le(struct pp_cmd_entry *dst,
			  const struct pp_cmd_entry *src);
void pp_cmd_entry_to_le(struct pp_cmd_entry *dst,
			const struct pp_cmd_entry *src);

#endif
