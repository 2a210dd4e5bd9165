// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interrupts of a simulated function, from the device's message to the
 * VMM's descriptor, in the order hardware and a Mac see them:
 *
 *   device event -> MSI-X entry (or MSI): sent only with COMMAND.BME and the
 *   capability enabled; held in the PBA while the entry or the function is
 *   masked in the device, and sent when unmasked -> it reaches the host only
 *   if the entry still holds the address/data the host programmed (else it
 *   is misrouted and lost, as it would be on a Mac) -> the host's handler
 *   for that vector (one per granted vector, claimed and configured) -> the
 *   latch (host-level mask, never drops) -> irq_fd.
 *
 * The device's table is the host's: QEMU emulates the guest's view and
 * must not forward table writes.  Everything here runs under fn->lock.
 */
#include <string.h>

#include "sim_internal.h"

/* The host's MSI doorbell and payload (any fixed values will do: what
 * matters is that the device's entry still holds them). */
#define SIM_HOST_MSI_ADDR    0x0000000ffff00000ull
#define SIM_HOST_MSI_DATA(v) (0x4000u + (v))

static bool bus_master(const struct sim_fn *fn)
{
	return (sim_cfg_get16(&fn->cfg, SIM_CFG_COMMAND) & SIM_CMD_BME) != 0;
}

static void host_deliver(struct sim_fn *fn, unsigned int vec)
{
	if (!fn->open || vec >= fn->irq_open || sim_gone(fn)) {
		fn->msgs_dropped++;      /* no handler: the host drops it */
		return;
	}
	fn->msgs_delivered++;
	if (pp_irqlatch_raise(&fn->latch, vec))
		sim_notify_signal(&fn->notify);
}

static void msix_deliver(struct sim_fn *fn, unsigned int e)
{
	const uint32_t *ent = fn->msix.table[e];
	uint64_t addr = ent[0] | (uint64_t)ent[1] << 32;

	if (addr != SIM_HOST_MSI_ADDR || ent[2] != SIM_HOST_MSI_DATA(e)) {
		fn->msgs_dropped++;      /* misrouted */
		return;
	}
	host_deliver(fn, e);
}

static uint16_t msix_ctrl(const struct sim_fn *fn)
{
	return sim_cfg_get16(&fn->cfg, fn->cfg.msix + 2);
}

void sim_irq_msix_send(struct sim_fn *fn, unsigned int e)
{
	uint16_t ctrl;

	if (!fn->cfg.msix || e >= fn->msix.nvec)
		return;
	ctrl = msix_ctrl(fn);
	if (!(ctrl & SIM_MSIX_CTRL_ENABLE) || !bus_master(fn)) {
		fn->msgs_dropped++;
		return;
	}
	if ((ctrl & SIM_MSIX_CTRL_MASKALL) || (fn->msix.table[e][3] & 1)) {
		fn->msix.pba[e / 64] |= 1ull << (e % 64);
		fn->msgs_pended++;
		return;
	}
	msix_deliver(fn, e);
}

/* Sends what the PBA holds for entries that may now send. */
static void msix_flush(struct sim_fn *fn)
{
	uint16_t ctrl;

	if (!fn->cfg.msix)
		return;
	ctrl = msix_ctrl(fn);
	if (!(ctrl & SIM_MSIX_CTRL_ENABLE) || (ctrl & SIM_MSIX_CTRL_MASKALL) ||
	    !bus_master(fn))
		return;
	for (unsigned int e = 0; e < fn->msix.nvec; e++) {
		uint64_t bit = 1ull << (e % 64);

		if (!(fn->msix.pba[e / 64] & bit) || (fn->msix.table[e][3] & 1))
			continue;
		fn->msix.pba[e / 64] &= ~bit;
		msix_deliver(fn, e);
	}
}

void sim_irq_msi_send(struct sim_fn *fn)
{
	unsigned int p = fn->cfg.msi;
	uint64_t addr;

	if (!p)
		return;
	if (!(sim_cfg_get16(&fn->cfg, p + 2) & SIM_MSI_CTRL_ENABLE) ||
	    !bus_master(fn)) {
		fn->msgs_dropped++;
		return;
	}
	addr = sim_cfg_get32(&fn->cfg, p + 4) |
	       (uint64_t)sim_cfg_get32(&fn->cfg, p + 8) << 32;
	if (addr != SIM_HOST_MSI_ADDR ||
	    sim_cfg_get16(&fn->cfg, p + 12) != SIM_HOST_MSI_DATA(0)) {
		fn->msgs_dropped++;
		return;
	}
	host_deliver(fn, 0);
}

/* ---- the table and PBA in BAR memory ----------------------------------------- */

static uint32_t pba_bytes(const struct sim_fn *fn)
{
	return (fn->msix.nvec + 63) / 64 * 8;
}

bool sim_irq_msix_bar_hit(const struct sim_fn *fn, unsigned int bar,
			  uint64_t off)
{
	const struct sim_msix *m = &fn->msix;

	if (!fn->cfg.msix || bar != m->bir)
		return false;
	return (off >= m->table_off && off < m->table_off + 16ull * m->nvec) ||
	       (off >= m->pba_off && off < m->pba_off + pba_bytes(fn));
}

static uint8_t msix_byte(const struct sim_fn *fn, uint64_t off)
{
	const struct sim_msix *m = &fn->msix;

	if (off >= m->table_off && off < m->table_off + 16ull * m->nvec) {
		uint64_t r = off - m->table_off;

		return (uint8_t)(m->table[r / 16][(r % 16) / 4] >> (8 * (r % 4)));
	}
	if (off >= m->pba_off && off < m->pba_off + pba_bytes(fn)) {
		uint64_t r = off - m->pba_off;

		return (uint8_t)(m->pba[r / 8] >> (8 * (r % 8)));
	}
	return 0;
}

uint64_t sim_irq_msix_read(struct sim_fn *fn, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)msix_byte(fn, off + i) << (8 * i);
	return v;
}

void sim_irq_msix_write(struct sim_fn *fn, uint64_t off, unsigned int size,
			uint64_t val)
{
	struct sim_msix *m = &fn->msix;

	for (unsigned int i = 0; i < size; i++) {
		uint64_t o = off + i, r;
		uint32_t *w;
		unsigned int sh;

		if (o < m->table_off || o >= m->table_off + 16ull * m->nvec)
			continue;        /* PBA: read-only */
		r = o - m->table_off;
		w = &m->table[r / 16][(r % 16) / 4];
		sh = 8 * (r % 4);
		*w = (*w & ~(0xffu << sh)) | (uint32_t)((val >> (8 * i)) & 0xff) << sh;
		if ((r % 16) / 4 == 3)
			*w &= 1;         /* vector control: only the mask bit */
	}
	msix_flush(fn);
}

void sim_irq_cfg_written(struct sim_fn *fn)
{
	msix_flush(fn);
}

void sim_irq_device_reset(struct sim_fn *fn)
{
	struct sim_msix *m = &fn->msix;

	memset(m->table, 0, sizeof(m->table));
	for (unsigned int e = 0; e < m->nvec; e++)
		m->table[e][3] = 1;      /* entries come out of reset masked */
	memset(m->pba, 0, sizeof(m->pba));
}

/* What the host's interrupt setup writes into the device. */
static void host_program(struct sim_fn *fn)
{
	unsigned int p;

	if (fn->irq_type == PP_HOST_IRQ_MSIX) {
		p = fn->cfg.msix;
		for (unsigned int e = 0; e < fn->irq_granted; e++) {
			fn->msix.table[e][0] = (uint32_t)SIM_HOST_MSI_ADDR;
			fn->msix.table[e][1] = (uint32_t)(SIM_HOST_MSI_ADDR >> 32);
			fn->msix.table[e][2] = SIM_HOST_MSI_DATA(e);
			fn->msix.table[e][3] = 0;
		}
		sim_cfg_put16(&fn->cfg, p + 2, (uint16_t)((msix_ctrl(fn) |
			      SIM_MSIX_CTRL_ENABLE) & ~SIM_MSIX_CTRL_MASKALL));
		msix_flush(fn);
	} else if (fn->irq_type == PP_HOST_IRQ_MSI) {
		p = fn->cfg.msi;
		sim_cfg_put32(&fn->cfg, p + 4, (uint32_t)SIM_HOST_MSI_ADDR);
		sim_cfg_put32(&fn->cfg, p + 8, (uint32_t)(SIM_HOST_MSI_ADDR >> 32));
		sim_cfg_put16(&fn->cfg, p + 12, (uint16_t)SIM_HOST_MSI_DATA(0));
		sim_cfg_put16(&fn->cfg, p + 2, (uint16_t)((sim_cfg_get16(&fn->cfg,
			      p + 2) & ~0x70u) | SIM_MSI_CTRL_ENABLE));
	}
}

void sim_irq_host_restore(struct sim_fn *fn)
{
	host_program(fn);
}

int sim_irq_configure(struct sim_fn *fn, enum pp_host_irq_type type,
		      unsigned int nvec, unsigned int *granted)
{
	unsigned int max;

	if (!granted || nvec == 0 || nvec > PP_HOST_MAX_VECTORS)
		return PP_ERR_INVAL;
	if (type == PP_HOST_IRQ_MSIX && fn->cfg.msix)
		max = fn->msix.nvec;
	else if (type == PP_HOST_IRQ_MSI && fn->cfg.msi)
		max = 1;                 /* the sim's MSI functions: 1 vector */
	else
		return PP_ERR_INVAL;     /* no such capability: no fallback */

	if (fn->irq_type == PP_HOST_IRQ_NONE) {
		unsigned int g = nvec < max ? nvec : max;

		if (g > fn->slot->opts.grant)
			g = fn->slot->opts.grant;
		fn->irq_type = type;
		fn->irq_granted = g;
	} else if (fn->irq_type != type) {
		return PP_ERR_INVAL;     /* the Mac configures a device once */
	}
	fn->irq_open = nvec < fn->irq_granted ? nvec : fn->irq_granted;
	host_program(fn);
	*granted = fn->irq_open;
	return PP_OK;
}
