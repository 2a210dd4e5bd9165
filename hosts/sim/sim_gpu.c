// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Function 0: the loopback GPU.  Config space (3D controller, PCIe and
 * MSI-X capabilities), BAR0 registers (trap-only: reads and writes have
 * effects, so there is no memory to hand out), BAR1 "VRAM" (64-bit
 * prefetchable, plain memory that bar_map hands out, so the guest gets a
 * direct-mapped BAR as it would on a Mac), and the MSI-X table and PBA
 * inside BAR0.  The copy engine is in sim_engine.c.  Register map:
 * sim_gpu_regs.h and docs/sim-gpu.md.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim_gpu.h"
#include "sim_gpu_regs.h"

/* Where the "host" placed the BARs (any addresses will do; the VMM must
 * take sizes and types from bar_info, never from these registers). */
#define GPU_BAR0_ADDR 0xa0000000ull
#define GPU_VRAM_ADDR 0x4000000000ull

static struct sim_gpu *gpu(struct sim_fn *fn)
{
	return fn->priv;
}

void sim_gpu_cause(struct sim_gpu *g, uint32_t causes)
{
	g->irq_status |= causes;
	if (causes & g->irq_enable & SIMGPU_IRQ_COMPLETION)
		sim_irq_msix_send(g->fn, g->vec_completion);
	if (causes & g->irq_enable & SIMGPU_IRQ_ERROR)
		sim_irq_msix_send(g->fn, g->vec_error);
}

static uint32_t reg_read(struct sim_gpu *g, uint64_t off)
{
	struct sim_engine *e = &g->eng;

	switch (off) {
	case SIMGPU_REG_ID:
		return (uint32_t)SIMGPU_ARCH << 24 |
		       (uint32_t)SIMGPU_IMPL_LOOPBACK << 16 |
		       g->fn->info.revision;
	case SIMGPU_REG_SCRATCH:          return g->scratch;
	case SIMGPU_REG_VRAM_SIZE:        return (uint32_t)g->vram_size;
	case SIMGPU_REG_VRAM_SIZE + 4:    return (uint32_t)(g->vram_size >> 32);
	case SIMGPU_REG_CAPS:             return SIMGPU_CAPS_ALL;
	case SIMGPU_REG_NR_VECTORS:       return g->fn->msix.nvec;
	case SIMGPU_REG_ENGINE_STATUS:    return sim_engine_status(g);
	case SIMGPU_REG_FAULT_ADDR:       return (uint32_t)e->fault_addr;
	case SIMGPU_REG_FAULT_ADDR + 4:   return (uint32_t)(e->fault_addr >> 32);
	case SIMGPU_REG_ERROR_COUNT:      return e->errors;
	case SIMGPU_REG_COMPLETED:        return e->completed;
	case SIMGPU_REG_RING_BASE:        return (uint32_t)e->ring_base;
	case SIMGPU_REG_RING_BASE + 4:    return (uint32_t)(e->ring_base >> 32);
	case SIMGPU_REG_RING_SIZE:        return e->ring_size;
	case SIMGPU_REG_RING_HEAD:        return e->head;
	case SIMGPU_REG_RING_TAIL:        return e->tail;
	case SIMGPU_REG_IRQ_ENABLE:       return g->irq_enable;
	case SIMGPU_REG_IRQ_STATUS:       return g->irq_status;
	case SIMGPU_REG_IRQ_VEC_COMPLETION: return g->vec_completion;
	case SIMGPU_REG_IRQ_VEC_ERROR:    return g->vec_error;
	default:                          return 0;
	}
}

static void reg_write(struct sim_gpu *g, uint64_t off, uint32_t v)
{
	struct sim_engine *e = &g->eng;
	bool busy = e->state == SIMGPU_STATE_BUSY;
	uint32_t newly;

	switch (off) {
	case SIMGPU_REG_SCRATCH:
		g->scratch = v;
		break;
	case SIMGPU_REG_ENGINE_CTRL:
		if (v & SIMGPU_CTRL_RESET)
			sim_engine_abort(g);
		break;
	/* The ring is fixed while the engine runs: writes then are dropped. */
	case SIMGPU_REG_RING_BASE:
		if (!busy)
			e->ring_base = (e->ring_base & ~0xffffffffull) | v;
		break;
	case SIMGPU_REG_RING_BASE + 4:
		if (!busy)
			e->ring_base = (e->ring_base & 0xffffffffull) | (uint64_t)v << 32;
		break;
	case SIMGPU_REG_RING_SIZE:
		if (!busy)
			e->ring_size = v;
		break;
	case SIMGPU_REG_RING_TAIL:
		sim_engine_doorbell(g, v);
		break;
	case SIMGPU_REG_IRQ_ENABLE:
		newly = v & ~g->irq_enable;
		g->irq_enable = v & (SIMGPU_IRQ_COMPLETION | SIMGPU_IRQ_ERROR);
		/* A cause that is already set sends when it gets enabled. */
		if (newly & g->irq_status & SIMGPU_IRQ_COMPLETION)
			sim_irq_msix_send(g->fn, g->vec_completion);
		if (newly & g->irq_status & SIMGPU_IRQ_ERROR)
			sim_irq_msix_send(g->fn, g->vec_error);
		break;
	case SIMGPU_REG_IRQ_STATUS:
		g->irq_status &= ~v;
		break;
	case SIMGPU_REG_IRQ_VEC_COMPLETION:
		g->vec_completion = v;
		break;
	case SIMGPU_REG_IRQ_VEC_ERROR:
		g->vec_error = v;
		break;
	case SIMGPU_REG_IRQ_TRIGGER:
		sim_irq_msix_send(g->fn, v);
		break;
	default:
		break;
	}
}

static uint64_t gpu_bar_read(struct sim_fn *fn, unsigned int bar, uint64_t off,
			     unsigned int size)
{
	uint64_t v;

	if (sim_irq_msix_bar_hit(fn, bar, off))
		return sim_irq_msix_read(fn, off, size);
	if (bar != SIMGPU_BAR_REGS || off >= SIMGPU_MSIX_TABLE_OFF)
		return 0;
	v = reg_read(gpu(fn), off & ~3ull);
	if (size == 8)
		return v | (uint64_t)reg_read(gpu(fn), off + 4) << 32;
	/* Narrow reads see their bytes of the register. */
	v >>= 8 * (off & 3);
	return size == 4 ? v : v & ((1ull << (8 * size)) - 1);
}

static void gpu_bar_write(struct sim_fn *fn, unsigned int bar, uint64_t off,
			  unsigned int size, uint64_t val)
{
	if (sim_irq_msix_bar_hit(fn, bar, off)) {
		sim_irq_msix_write(fn, off, size, val);
		return;
	}
	if (bar != SIMGPU_BAR_REGS || off >= SIMGPU_MSIX_TABLE_OFF)
		return;
	/* Registers take 4- and 8-byte writes (low word first); narrower
	 * writes are dropped. */
	if (size == 4) {
		reg_write(gpu(fn), off, (uint32_t)val);
	} else if (size == 8) {
		reg_write(gpu(fn), off, (uint32_t)val);
		reg_write(gpu(fn), off + 4, (uint32_t)(val >> 32));
	}
}

static void gpu_reset(struct sim_fn *fn)
{
	struct sim_gpu *g = gpu(fn);

	g->scratch = 0;
	g->irq_enable = 0;
	g->irq_status = 0;
	g->vec_completion = 0;
	g->vec_error = 1;
	sim_engine_reset(g);
}

static int gpu_open(struct sim_fn *fn)
{
	return sim_engine_start(gpu(fn));
}

static void gpu_close(struct sim_fn *fn)
{
	sim_engine_stop(gpu(fn));
}

static void gpu_gone(struct sim_fn *fn)
{
	sim_engine_reset(gpu(fn));
}

static void gpu_destroy(struct sim_fn *fn)
{
	struct sim_gpu *g = gpu(fn);

	if (!g)
		return;
	sim_engine_stop(g);
	sim_engine_fini(g);
	if (g->vram)
		munmap(g->vram, g->vram_size);
	free(g);
	fn->priv = NULL;
}

static const struct sim_model gpu_model = {
	.bar_read = gpu_bar_read,
	.bar_write = gpu_bar_write,
	.reset = gpu_reset,
	.open = gpu_open,
	.close = gpu_close,
	.gone = gpu_gone,
	.destroy = gpu_destroy,
};

bool sim_gpu_engine_thread(struct sim_fn *fn)
{
	return fn->model == &gpu_model && gpu(fn)->eng.running;
}

int sim_gpu_create(struct sim_fn *fn, const struct sim_opts *o)
{
	struct sim_cfg_ids ids = {
		.vendor = o->vendor, .device = o->device,
		.subsys_vendor = o->vendor, .subsys_device = o->device,
		.class_code = SIMGPU_CLASS_GPU, .revision = o->revision,
		.header_type = o->functions > 1 ? 0x80 : 0x00,
		.int_pin = 1,
	};
	struct sim_gpu *g = calloc(1, sizeof(*g));
	void *vram;

	if (!g)
		return PP_ERR_NOMEM;
	/* Lazily zero-filled and page aligned (a guest BAR mapping needs
	 * that); untouched VRAM costs nothing. */
	vram = mmap(NULL, o->vram, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vram == MAP_FAILED) {
		free(g);
		return PP_ERR_NOMEM;
	}
	g->fn = fn;
	g->vram = vram;
	g->vram_size = o->vram;
	if (sim_engine_init(g)) {
		munmap(vram, o->vram);
		free(g);
		return PP_ERR_NOMEM;
	}
	fn->priv = g;
	fn->model = &gpu_model;

	sim_cfg_init(&fn->cfg, &ids);
	sim_cfg_bar(&fn->cfg, SIMGPU_BAR_REGS, SIMGPU_BAR0_SIZE,
		    PP_HOST_BAR_MEM32, false);
	fn->bar[SIMGPU_BAR_REGS] = (struct sim_bar){
		.size = SIMGPU_BAR0_SIZE, .type = PP_HOST_BAR_MEM32,
		.addr = GPU_BAR0_ADDR,
	};
	sim_cfg_bar(&fn->cfg, SIMGPU_BAR_VRAM, o->vram, PP_HOST_BAR_MEM64, true);
	fn->bar[SIMGPU_BAR_VRAM] = (struct sim_bar){
		.size = o->vram, .type = PP_HOST_BAR_MEM64, .prefetchable = true,
		.mem = vram, .addr = GPU_VRAM_ADDR,
	};
	sim_cfg_add_pcie(&fn->cfg);
	sim_cfg_add_msix(&fn->cfg, o->vectors, SIMGPU_BAR_REGS,
			 SIMGPU_MSIX_TABLE_OFF, SIMGPU_MSIX_PBA_OFF);
	fn->msix.nvec = o->vectors;
	fn->msix.bir = SIMGPU_BAR_REGS;
	fn->msix.table_off = SIMGPU_MSIX_TABLE_OFF;
	fn->msix.pba_off = SIMGPU_MSIX_PBA_OFF;
	sim_cfg_seal(&fn->cfg);
	sim_cfg_assign_bar(&fn->cfg, SIMGPU_BAR_REGS, GPU_BAR0_ADDR);
	sim_cfg_assign_bar(&fn->cfg, SIMGPU_BAR_VRAM, GPU_VRAM_ADDR);
	sim_irq_device_reset(fn);
	gpu_reset(fn);
	return PP_OK;
}
