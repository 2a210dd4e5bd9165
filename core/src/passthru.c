// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMM's config-space and BAR policy for a passed-through function
 * (contract: core/include/pcipass/passthru.h).  Freestanding: no libc.
 */
#include "pcipass/passthru.h"
#include "pcipass/cfgfilter.h"

#define CFG_STATUS          0x06
#define CFG_STATUS_CAPLIST  0x10
#define CFG_CAP_PTR         0x34
#define CFG_BAR0            0x10
#define CFG_ROM             0x30
#define CFG_INT_PIN         0x3d

#define CAP_ID_MSI          0x05
#define CAP_ID_PCIE         0x10
#define CAP_ID_MSIX         0x11

#define PCIE_DEVCTL         0x08
#define PCIE_DEVCTL_FLR     0x8000u

static uint16_t get16(const uint8_t *b, unsigned int off)
{
	return (uint16_t)(b[off] | b[off + 1] << 8);
}

static uint32_t get32(const uint8_t *b, unsigned int off)
{
	return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
	       (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
}

unsigned int pp_pt_parse_caps(const uint8_t *cfg, unsigned int len,
			      struct pp_pt_caps *caps)
{
	uint8_t seen[256 / 4 / 8] = { 0 };
	unsigned int limit = len < 256 ? len : 256, pos, n = 0;

	*caps = (struct pp_pt_caps){ 0 };
	if (!cfg || limit < 64 || !(cfg[CFG_STATUS] & CFG_STATUS_CAPLIST))
		return 0;
	pos = cfg[CFG_CAP_PTR] & ~3u;
	while (pos >= 0x40 && pos + 2 <= limit) {
		unsigned int slot = pos / 4;

		if (seen[slot / 8] & (1u << (slot % 8)))
			break;                          /* a loop */
		seen[slot / 8] |= (uint8_t)(1u << (slot % 8));
		n++;
		switch (cfg[pos]) {
		case CAP_ID_MSI:
			if (!caps->msi && pos + 4 <= limit) {
				uint16_t fl = get16(cfg, pos + 2);

				caps->msi = (uint16_t)pos;
				caps->msi_len = (uint16_t)(10 +
					((fl & 0x0080) ? 4 : 0) +   /* 64-bit */
					((fl & 0x0100) ? 10 : 0));  /* masking */
			}
			break;
		case CAP_ID_MSIX:
			if (!caps->msix && pos + PP_PT_MSIX_CAP_LEN <= limit) {
				uint32_t t = get32(cfg, pos + 4);
				uint32_t p = get32(cfg, pos + 8);

				caps->msix = (uint16_t)pos;
				caps->msix_table_size = (uint16_t)
					((get16(cfg, pos + 2) & 0x7ff) + 1);
				caps->msix_table_bar = (uint8_t)(t & 7);
				caps->msix_table_off = t & ~7u;
				caps->msix_pba_bar = (uint8_t)(p & 7);
				caps->msix_pba_off = p & ~7u;
			}
			break;
		case CAP_ID_PCIE:
			if (!caps->pcie)
				caps->pcie = (uint16_t)pos;
			break;
		default:
			break;
		}
		pos = cfg[pos + 1] & ~3u;
	}
	return n;
}

uint32_t pp_pt_bar_reg(const struct pp_pt_bar bars[PP_PT_NR_BARS],
		       unsigned int bar)
{
	const struct pp_pt_bar *b;

	if (bar >= PP_PT_NR_BARS)
		return 0;
	b = &bars[bar];
	if (!b->size)
		return 0;
	switch (b->type) {
	case PP_PT_BAR_MEM32:
		return b->prefetchable ? 0x8u : 0;
	case PP_PT_BAR_MEM64:
		return 0x4u | (b->prefetchable ? 0x8u : 0);
	case PP_PT_BAR_IO:
		return 0x1u;
	default:
		return 0;
	}
}

void pp_pt_cfg_fixup_read(const struct pp_pt_bar bars[PP_PT_NR_BARS],
			  uint32_t off, uint8_t *buf, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		uint32_t b = off + i;

		if (b < off || b >= PP_PT_CFG_SIZE) {
			buf[i] = 0xff;
		} else if (b >= CFG_BAR0 && b < CFG_BAR0 + 4 * PP_PT_NR_BARS) {
			uint32_t r = pp_pt_bar_reg(bars, (b - CFG_BAR0) / 4);

			buf[i] = (uint8_t)(r >> (8 * ((b - CFG_BAR0) % 4)));
		} else if ((b >= CFG_ROM && b < CFG_ROM + 4) || b == CFG_INT_PIN) {
			buf[i] = 0;
		}
	}
}

static bool in_range(uint32_t b, uint32_t start, uint32_t len)
{
	return start && b >= start && b - start < len;
}

unsigned int pp_pt_cfg_write_mask(const struct pp_pt_caps *caps,
				  uint32_t off, unsigned int size,
				  uint32_t *val, bool *flr)
{
	unsigned int mask = pp_cfg_write_mask(off, size);

	*flr = false;
	for (unsigned int i = 0; i < size && mask; i++) {
		uint32_t b = off + i;

		if (in_range(b, caps->msi, caps->msi_len) ||
		    in_range(b, caps->msix, PP_PT_MSIX_CAP_LEN))
			mask &= ~(1u << i);
	}
	if (caps->pcie) {
		/* Initiate FLR is bit 7 of DEVCTL's upper byte. */
		uint32_t hi = (uint32_t)caps->pcie + PCIE_DEVCTL + 1;

		if (hi >= off && hi - off < size && (mask & (1u << (hi - off)))) {
			uint32_t bit = 1u << (8 * (hi - off) + 7);

			if (*val & bit) {
				*flr = true;
				*val &= ~bit;
			}
		}
	}
	return mask;
}

unsigned int pp_pt_split(uint32_t off, unsigned int size, unsigned int mask,
			 struct pp_pt_chunk out[4])
{
	unsigned int n = 0, p = 0;

	if (size > 4)
		return 0;
	while (p < size) {
		unsigned int w;

		if (!(mask & (1u << p))) {
			p++;
			continue;
		}
		if (!((off + p) % 4) && p + 4 <= size &&
		    ((mask >> p) & 0xf) == 0xf)
			w = 4;
		else if (!((off + p) % 2) && p + 2 <= size &&
			 ((mask >> p) & 0x3) == 0x3)
			w = 2;
		else
			w = 1;
		out[n].off = off + p;
		out[n].size = w;
		out[n].shift = p;
		n++;
		p += w;
	}
	return n;
}

unsigned int pp_pt_bar_pieces(uint64_t bar_size, uint64_t page,
			      const struct pp_pt_range *holes,
			      unsigned int nholes,
			      struct pp_pt_range *out, unsigned int max)
{
	uint64_t cur = 0;
	unsigned int n = 0;

	if (!page || (page & (page - 1)))
		page = 1;
	while (cur < bar_size) {
		uint64_t next = bar_size;
		bool moved = true;

		/* Skip every (widened) hole that covers cur. */
		while (moved) {
			moved = false;
			for (unsigned int i = 0; i < nholes; i++) {
				uint64_t lo, hi;

				if (!holes[i].len || holes[i].off >= bar_size)
					continue;
				lo = PP_ALIGN_DOWN(holes[i].off, page);
				hi = holes[i].len > bar_size - holes[i].off ?
				     bar_size : holes[i].off + holes[i].len;
				hi = PP_ALIGN_UP(hi, page);
				if (hi > bar_size || hi < lo)
					hi = bar_size;
				if (lo <= cur && cur < hi) {
					cur = hi;
					moved = true;
				}
			}
		}
		if (cur >= bar_size)
			break;
		/* The next hole after cur ends this piece. */
		for (unsigned int i = 0; i < nholes; i++) {
			uint64_t lo;

			if (!holes[i].len || holes[i].off >= bar_size)
				continue;
			lo = PP_ALIGN_DOWN(holes[i].off, page);
			if (lo > cur && lo < next)
				next = lo;
		}
		if (n < max) {
			out[n].off = cur;
			out[n].len = next - cur;
		}
		n++;
		cur = next;
	}
	return n;
}
