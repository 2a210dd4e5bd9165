// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Config-space images of the simulated functions: a builder (type 0 header,
 * BARs, a capability list) and byte-wise masked access.  Each byte has a
 * write mask and a write-1-to-clear mask, so a function behaves like
 * hardware for whatever write reaches it.  Which writes reach it at all is
 * the host's rule (pp_host_cfg_write_mask), applied by the caller.
 */
#include <string.h>

#include "sim_internal.h"

static void put8(struct sim_cfg *c, unsigned int off, uint8_t v, uint8_t wm)
{
	c->b[off] = v;
	c->wmask[off] = wm;
}

void sim_cfg_put16(struct sim_cfg *c, unsigned int off, uint16_t v)
{
	c->b[off] = (uint8_t)v;
	c->b[off + 1] = (uint8_t)(v >> 8);
}

void sim_cfg_put32(struct sim_cfg *c, unsigned int off, uint32_t v)
{
	sim_cfg_put16(c, off, (uint16_t)v);
	sim_cfg_put16(c, off + 2, (uint16_t)(v >> 16));
}

uint16_t sim_cfg_get16(const struct sim_cfg *c, unsigned int off)
{
	return (uint16_t)(c->b[off] | c->b[off + 1] << 8);
}

uint32_t sim_cfg_get32(const struct sim_cfg *c, unsigned int off)
{
	return sim_cfg_get16(c, off) | (uint32_t)sim_cfg_get16(c, off + 2) << 16;
}

static void wmask16(struct sim_cfg *c, unsigned int off, uint16_t m)
{
	c->wmask[off] = (uint8_t)m;
	c->wmask[off + 1] = (uint8_t)(m >> 8);
}

static void wmask32(struct sim_cfg *c, unsigned int off, uint32_t m)
{
	wmask16(c, off, (uint16_t)m);
	wmask16(c, off + 2, (uint16_t)(m >> 16));
}

static void w1c16(struct sim_cfg *c, unsigned int off, uint16_t m)
{
	c->w1c[off] = (uint8_t)m;
	c->w1c[off + 1] = (uint8_t)(m >> 8);
}

void sim_cfg_init(struct sim_cfg *c, const struct sim_cfg_ids *ids)
{
	memset(c, 0, sizeof(*c));
	sim_cfg_put16(c, 0x00, ids->vendor);
	sim_cfg_put16(c, 0x02, ids->device);
	/* COMMAND: memory space, bus master, parity, SERR, INTx disable.  No
	 * I/O BARs, so I/O space enable is hardwired 0. */
	wmask16(c, SIM_CFG_COMMAND, 0x0546);
	/* STATUS: error bits are write-1-to-clear, as on hardware; the
	 * host's filter keeps guest writes away from them. */
	w1c16(c, 0x06, 0xf900);
	put8(c, 0x08, ids->revision, 0);
	put8(c, 0x09, (uint8_t)ids->class_code, 0);
	put8(c, 0x0a, (uint8_t)(ids->class_code >> 8), 0);
	put8(c, 0x0b, (uint8_t)(ids->class_code >> 16), 0);
	put8(c, 0x0c, 0, 0xff);                  /* cache line size */
	put8(c, 0x0e, ids->header_type, 0);
	sim_cfg_put16(c, 0x2c, ids->subsys_vendor);
	sim_cfg_put16(c, 0x2e, ids->subsys_device);
	put8(c, 0x3c, 0, 0xff);                  /* interrupt line */
	put8(c, 0x3d, ids->int_pin, 0);
	c->next_free = 0x40;
}

void sim_cfg_bar(struct sim_cfg *c, unsigned int bar, uint64_t size,
		 enum pp_host_bar_type type, bool prefetchable)
{
	unsigned int off = 0x10 + 4 * bar;
	uint32_t lo = prefetchable ? 0x8 : 0;
	uint64_t wm = ~(size - 1) & ~0xfull;

	if (type == PP_HOST_BAR_MEM64)
		lo |= 0x4;
	/* Address bits stay 0 until the host assigns them.  They are
	 * writable, as on hardware (that is how sizing works): only the
	 * host's filter keeps a guest's write from moving the BAR. */
	sim_cfg_put32(c, off, lo);
	wmask32(c, off, (uint32_t)wm);
	if (type == PP_HOST_BAR_MEM64)
		wmask32(c, off + 4, (uint32_t)(wm >> 32));
}

void sim_cfg_assign_bar(struct sim_cfg *c, unsigned int bar, uint64_t addr)
{
	unsigned int off = 0x10 + 4 * bar;
	uint32_t lo = sim_cfg_get32(c, off);

	sim_cfg_put32(c, off, (uint32_t)(addr & ~0xfull) | (lo & 0xf));
	if ((lo & 0x6) == 0x4)
		sim_cfg_put32(c, off + 4, (uint32_t)(addr >> 32));
}

static unsigned int add_cap(struct sim_cfg *c, uint8_t id, unsigned int len)
{
	unsigned int off = c->next_free;

	c->b[off] = id;
	c->b[off + 1] = 0;
	if (c->last_cap)
		c->b[c->last_cap + 1] = (uint8_t)off;
	else
		c->b[0x34] = (uint8_t)off;
	c->b[0x06] |= 0x10;                      /* capabilities list */
	c->last_cap = off;
	c->next_free = (off + len + 3) & ~3u;
	return off;
}

void sim_cfg_add_pcie(struct sim_cfg *c)
{
	unsigned int p = add_cap(c, 0x10, 0x3c);

	c->pcie = p;
	sim_cfg_put16(c, p + 0x02, 0x0002);      /* v2, PCIe endpoint */
	/* DevCap: 256-byte MPS, extended tags, FLR (so reset uses FLR). */
	sim_cfg_put32(c, p + 0x04, (1u << 28) | (1u << 5) | 0x1);
	/* DevCtl: relaxed ordering, no snoop, MRRS 512; Initiate FLR is
	 * writable so that a forwarded FLR really resets the function. */
	sim_cfg_put16(c, p + SIM_PCIE_DEVCTL, 0x2810);
	wmask16(c, p + SIM_PCIE_DEVCTL, 0xffff);
	w1c16(c, p + 0x0a, 0x000f);              /* DevSta error bits */
	/* Link: 8 GT/s x4, as a Thunderbolt tunnel advertises (value only). */
	sim_cfg_put32(c, p + 0x0c, (4u << 4) | 3u);
	wmask16(c, p + 0x10, 0x00cb);            /* LnkCtl: ASPM, RCB, CCC, ES */
	sim_cfg_put16(c, p + 0x12, (4u << 4) | 3u);
	wmask16(c, p + 0x28, 0x041f);            /* DevCtl2 */
	sim_cfg_put32(c, p + 0x2c, 0x0e);        /* LnkCap2: 2.5-8 GT/s */
	sim_cfg_put16(c, p + 0x30, 3);           /* LnkCtl2: target 8 GT/s */
	wmask16(c, p + 0x30, 0x000f);
}

void sim_cfg_add_msix(struct sim_cfg *c, unsigned int nvec, unsigned int bir,
		      uint32_t table_off, uint32_t pba_off)
{
	unsigned int p = add_cap(c, 0x11, 12);

	c->msix = p;
	sim_cfg_put16(c, p + 2, (uint16_t)(nvec - 1));
	wmask16(c, p + 2, SIM_MSIX_CTRL_ENABLE | SIM_MSIX_CTRL_MASKALL);
	sim_cfg_put32(c, p + 4, table_off | bir);
	sim_cfg_put32(c, p + 8, pba_off | bir);
}

void sim_cfg_add_msi(struct sim_cfg *c)
{
	unsigned int p = add_cap(c, 0x05, 14);

	c->msi = p;
	/* 64-bit address, one vector, no per-vector masking. */
	sim_cfg_put16(c, p + 2, 0x0080);
	wmask16(c, p + 2, 0x0071);               /* enable, multiple enable */
	wmask32(c, p + 4, 0xfffffffc);
	wmask32(c, p + 8, 0xffffffff);
	wmask16(c, p + 12, 0xffff);
}

void sim_cfg_seal(struct sim_cfg *c)
{
	memcpy(c->por, c->b, sizeof(c->por));
}

void sim_cfg_power_on(struct sim_cfg *c)
{
	memcpy(c->b, c->por, sizeof(c->b));
}

uint32_t sim_cfg_read(const struct sim_cfg *c, uint32_t off, unsigned int size)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)c->b[off + i] << (8 * i);
	return v;
}

void sim_cfg_write(struct sim_cfg *c, uint32_t off, unsigned int size,
		   uint32_t val, unsigned int bytemask)
{
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t v = (uint8_t)(val >> (8 * i));

		if (!(bytemask & (1u << i)))
			continue;
		c->b[o] = (uint8_t)((c->b[o] & ~c->wmask[o]) | (v & c->wmask[o]));
		c->b[o] &= (uint8_t)~(v & c->w1c[o]);
	}
}
