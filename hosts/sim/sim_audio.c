// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Function 1: a minimal "HDMI audio" function (class 0x0403), so that
 * multi-function passthrough has a second function to claim: one 16 KiB
 * trap-only MMIO BAR with an ID and a scratch register, MSI with one
 * vector (as HD audio uses) and a register that sends it.
 */
#include <stdlib.h>

#include "sim_internal.h"
#include "sim_gpu_regs.h"

#define AUD_BAR0_ADDR 0xa0010000ull

struct sim_audio {
	uint32_t scratch;
};

static uint32_t reg_read(struct sim_fn *fn, uint64_t off)
{
	struct sim_audio *a = fn->priv;

	switch (off) {
	case SIMAUD_REG_ID:
		return (uint32_t)SIMGPU_ARCH << 24 |
		       (uint32_t)SIMGPU_IMPL_AUDIO << 16 | fn->info.revision;
	case SIMAUD_REG_SCRATCH:
		return a->scratch;
	default:
		return 0;
	}
}

static void reg_write(struct sim_fn *fn, uint64_t off, uint32_t v)
{
	struct sim_audio *a = fn->priv;

	if (off == SIMAUD_REG_SCRATCH)
		a->scratch = v;
	else if (off == SIMAUD_REG_IRQ_TRIGGER)
		sim_irq_msi_send(fn);
}

static uint64_t aud_bar_read(struct sim_fn *fn, unsigned int bar,
			     uint64_t off, unsigned int size)
{
	uint64_t v;

	(void)bar;
	v = reg_read(fn, off & ~3ull);
	if (size == 8)
		return v | (uint64_t)reg_read(fn, off + 4) << 32;
	v >>= 8 * (off & 3);
	return size == 4 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Same access rules as the GPU's registers: 4 or 8 bytes, low word first. */
static void aud_bar_write(struct sim_fn *fn, unsigned int bar, uint64_t off,
			  unsigned int size, uint64_t val)
{
	(void)bar;
	if (size == 4) {
		reg_write(fn, off, (uint32_t)val);
	} else if (size == 8) {
		reg_write(fn, off, (uint32_t)val);
		reg_write(fn, off + 4, (uint32_t)(val >> 32));
	}
}

static void aud_reset(struct sim_fn *fn)
{
	struct sim_audio *a = fn->priv;

	a->scratch = 0;
}

static int aud_open(struct sim_fn *fn)
{
	(void)fn;
	return PP_OK;
}

static void aud_nop(struct sim_fn *fn)
{
	(void)fn;
}

static void aud_destroy(struct sim_fn *fn)
{
	free(fn->priv);
	fn->priv = NULL;
}

static const struct sim_model audio_model = {
	.bar_read = aud_bar_read,
	.bar_write = aud_bar_write,
	.reset = aud_reset,
	.open = aud_open,
	.close = aud_nop,
	.gone = aud_nop,
	.destroy = aud_destroy,
};

int sim_audio_create(struct sim_fn *fn, const struct sim_opts *o)
{
	struct sim_cfg_ids ids = {
		.vendor = o->vendor, .device = (uint16_t)(o->device + 1),
		.subsys_vendor = o->vendor, .subsys_device = (uint16_t)(o->device + 1),
		.class_code = SIMGPU_CLASS_AUDIO, .revision = o->revision,
		.header_type = 0x80, .int_pin = 2,
	};
	struct sim_audio *a = calloc(1, sizeof(*a));

	if (!a)
		return PP_ERR_NOMEM;
	fn->priv = a;
	fn->model = &audio_model;
	sim_cfg_init(&fn->cfg, &ids);
	sim_cfg_bar(&fn->cfg, 0, SIMAUD_BAR0_SIZE, PP_HOST_BAR_MEM32, false);
	fn->bar[0] = (struct sim_bar){
		.size = SIMAUD_BAR0_SIZE, .type = PP_HOST_BAR_MEM32,
		.addr = AUD_BAR0_ADDR,
	};
	sim_cfg_add_msi(&fn->cfg);
	sim_cfg_add_pcie(&fn->cfg);
	sim_cfg_seal(&fn->cfg);
	sim_cfg_assign_bar(&fn->cfg, 0, AUD_BAR0_ADDR);
	return PP_OK;
}
