/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VMM's policy for a passed-through function's config space and BARs
 * (QEMU's pcipass-pci, docs/qemu-devices.md), kept free of QEMU so that it
 * can be unit-tested: which config bytes the guest sees from the device and
 * which it sees virtualized, which bytes of a guest write reach the host
 * backend, how a filtered write is split into naturally aligned backend
 * calls, and which parts of a BAR may be mapped into the guest directly.
 *
 * Config bytes are little-endian.  Everything here treats the config image
 * and the guest's writes as hostile input: capability walks are bounded,
 * offsets are checked.  Freestanding (types.h only).
 */
#ifndef PCIPASS_PASSTHRU_H
#define PCIPASS_PASSTHRU_H

#include "types.h"

#define PP_PT_NR_BARS      6
#define PP_PT_CFG_SIZE     4096u
#define PP_PT_MSIX_CAP_LEN 12u

enum pp_pt_bar_type {
	PP_PT_BAR_NONE = 0,     /* not implemented, or upper half of a 64-bit BAR */
	PP_PT_BAR_MEM32,
	PP_PT_BAR_MEM64,        /* at the pair's lower index */
	PP_PT_BAR_IO,
};

struct pp_pt_bar {
	uint64_t size;          /* power of two, 0 if none */
	enum pp_pt_bar_type type;
	bool prefetchable;
};

/* Capabilities the VMM handles itself (offsets 0 = absent). */
struct pp_pt_caps {
	uint16_t msi, msi_len;  /* MSI capability and its length in bytes */
	uint16_t msix;          /* MSI-X capability (PP_PT_MSIX_CAP_LEN bytes) */
	uint16_t pcie;          /* PCI Express capability */
	uint16_t msix_table_size;           /* entries, 1..2048 */
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_off, msix_pba_off;
};

/*
 * Walks the standard capability list of a config image of len bytes (at
 * least 64; the walk stays below min(len, 256)) and records MSI, MSI-X and
 * PCI Express.  A broken list (loop, pointer into the header, past the end)
 * ends the walk; what was found so far is kept.  Returns the number of
 * capabilities visited.
 */
unsigned int pp_pt_parse_caps(const uint8_t *cfg, unsigned int len,
			      struct pp_pt_caps *caps);

/*
 * The BAR register value (config offset 0x10 + 4 * bar) the guest-facing
 * side presents when the VMM virtualizes BARs: address 0 and the type bits
 * of bars[bar] (memory/I/O, 32/64-bit, prefetchable).  The host's register
 * values (host addresses, on a Mac with bogus low bits) are never shown.
 */
uint32_t pp_pt_bar_reg(const struct pp_pt_bar bars[PP_PT_NR_BARS],
		       unsigned int bar);

/*
 * Overwrites the bytes of buf (the device's config bytes [off, off + len))
 * that the VMM virtualizes on reads: the BAR registers (pp_pt_bar_reg),
 * the expansion ROM BAR (0: no ROM; the Mac reports none) and the interrupt
 * pin (0: no INTx, a Mac delivers MSI/MSI-X only).  Bytes past 4096 read
 * as all ones.
 */
void pp_pt_cfg_fixup_read(const struct pp_pt_bar bars[PP_PT_NR_BARS],
			  uint32_t off, uint8_t *buf, unsigned int len);

/*
 * Which bytes of the guest's config write [off, off + size) (size 1, 2 or
 * 4, naturally aligned) the VMM forwards to the host backend: bit i = byte
 * off + i.  Dropped: the bytes the host owns (pp_cfg_write_mask), the MSI
 * and MSI-X capabilities (the host programmed them; the VMM emulates the
 * guest's view), and PCIe Device Control's Initiate-FLR bit, which is
 * cleared in *val and reported in *flr (the VMM resets the function through
 * the backend instead).  A malformed write forwards nothing.
 */
unsigned int pp_pt_cfg_write_mask(const struct pp_pt_caps *caps,
				  uint32_t off, unsigned int size,
				  uint32_t *val, bool *flr);

/* A naturally aligned piece of a config access. */
struct pp_pt_chunk {
	uint32_t off;
	unsigned int size;      /* 1, 2 or 4 */
	unsigned int shift;     /* byte position of the piece inside the access */
};

/*
 * Splits the bytes of mask (over [off, off + size), size <= 4) into the
 * fewest naturally aligned 1/2/4-byte pieces, in address order; returns
 * their number (0..4).
 */
unsigned int pp_pt_split(uint32_t off, unsigned int size, unsigned int mask,
			 struct pp_pt_chunk out[4]);

struct pp_pt_range {
	uint64_t off, len;
};

/*
 * The parts of a BAR of bar_size bytes that may be mapped into the guest
 * directly: everything but the holes (the MSI-X table and PBA, which QEMU
 * emulates), each hole widened to whole pages of page bytes (a power of two:
 * the host page, 16 KiB on a Mac).  Holes may overlap and be unsorted;
 * parts of holes outside the BAR are ignored.  Writes at most max ranges in
 * address order and returns how many there are (which may exceed max).
 */
unsigned int pp_pt_bar_pieces(uint64_t bar_size, uint64_t page,
			      const struct pp_pt_range *holes,
			      unsigned int nholes,
			      struct pp_pt_range *out, unsigned int max);

#endif
