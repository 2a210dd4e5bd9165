// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loopback GPU's copy engine: a thread that runs descriptors from a
 * ring in system memory, like a GPU's copy engine (docs/sim-gpu.md).  Every
 * system-memory access is a DMA through the DART (bus addresses) and needs
 * COMMAND.BME, exactly like the device's other bus transactions; VRAM is
 * the BAR1 memory.  A refused access stops the engine with an error, the
 * faulting bus address and the error interrupt, never touching memory
 * outside a mapping.
 *
 * Work runs in chunks under fn->lock (so BME and resets are checked
 * against every access); the lock is dropped between chunks so that the
 * VMM can read registers while a large copy runs.  A reset bumps gen and
 * the in-flight descriptor is abandoned at the next chunk.
 */
#include <string.h>

#include "sim_gpu.h"
#include "sim_gpu_regs.h"

#define CHUNK (64u << 10)

static bool bme(const struct sim_gpu *g)
{
	return (sim_cfg_get16(&g->fn->cfg, SIM_CFG_COMMAND) & SIM_CMD_BME) != 0;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void fail(struct sim_gpu *g, uint32_t code, uint64_t addr)
{
	struct sim_engine *e = &g->eng;

	e->state = SIMGPU_STATE_ERROR;
	e->error = code;
	e->fault_addr = addr;
	e->errors++;
	sim_gpu_cause(g, SIMGPU_IRQ_ERROR);
	if (code == SIMGPU_ERR_DMA_READ || code == SIMGPU_ERR_DMA_WRITE)
		sim_fn_event(g->fn, PP_HOST_EV_DMA_FAULT);
}

static bool vram_range(const struct sim_gpu *g, uint64_t off, uint64_t len)
{
	return off <= g->vram_size && len <= g->vram_size - off;
}

struct desc {
	uint32_t op, flags;
	uint64_t len, src, dst, caddr, cval;
	uint64_t bus;              /* where it was fetched from */
};

static bool desc_ok(const struct sim_gpu *g, const struct desc *d,
		    const uint8_t *raw, uint32_t *code)
{
	*code = SIMGPU_ERR_BAD_DESC;
	if (d->flags & ~SIMGPU_DESC_F_IRQ || le64(raw + 0x30) || le64(raw + 0x38) ||
	    (d->caddr & 7))
		return false;
	*code = SIMGPU_ERR_VRAM_RANGE;
	switch (d->op) {
	case SIMGPU_OP_COPY_S2V:
	case SIMGPU_OP_FILL_VRAM:
		return vram_range(g, d->dst, d->len);
	case SIMGPU_OP_COPY_V2S:
		return vram_range(g, d->src, d->len);
	case SIMGPU_OP_COPY_S2S:
	case SIMGPU_OP_FILL_SYS:
		return true;
	default:
		*code = SIMGPU_ERR_BAD_DESC;
		return false;
	}
}

/* One chunk [done, done + n) of a descriptor; 0 or fails the engine. */
static int chunk(struct sim_gpu *g, const struct desc *d, uint64_t done,
		 uint64_t n)
{
	struct sim_slot *s = g->fn->slot;
	uint64_t fault = 0;
	bool wr = false;
	int st = PP_OK;

	switch (d->op) {
	case SIMGPU_OP_COPY_S2V:
		if (!bme(g))
			goto no_bme_src;
		st = sim_dma_read(s, d->src + done, g->vram + d->dst + done, n, &fault);
		break;
	case SIMGPU_OP_COPY_V2S:
		if (!bme(g))
			goto no_bme_dst;
		st = sim_dma_write(s, d->dst + done, g->vram + d->src + done, n, &fault);
		wr = true;
		break;
	case SIMGPU_OP_COPY_S2S:
		if (!bme(g))
			goto no_bme_src;
		st = sim_dma_copy(s, d->src + done, d->dst + done, n, &fault, &wr);
		break;
	case SIMGPU_OP_FILL_SYS:
		if (!bme(g))
			goto no_bme_dst;
		st = sim_dma_fill(s, d->dst + done, (uint32_t)d->src, done, n, &fault);
		wr = true;
		break;
	case SIMGPU_OP_FILL_VRAM:
		for (uint64_t i = 0; i < n; i++)
			g->vram[d->dst + done + i] =
				(uint8_t)(d->src >> (8 * ((done + i) & 3)));
		break;
	}
	if (st == PP_OK)
		return 0;
	fail(g, wr ? SIMGPU_ERR_DMA_WRITE : SIMGPU_ERR_DMA_READ, fault);
	return -1;
no_bme_src:
	fail(g, SIMGPU_ERR_BUS_MASTER, d->src + done);
	return -1;
no_bme_dst:
	fail(g, SIMGPU_ERR_BUS_MASTER, d->dst + done);
	return -1;
}

/* Runs the descriptor at head; fn->lock held on entry and on return. */
static void run_one(struct sim_gpu *g)
{
	struct sim_engine *e = &g->eng;
	uint32_t gen = e->gen, code;
	uint8_t raw[SIMGPU_DESC_SIZE];
	uint64_t fault = 0;
	struct desc d;

	d.bus = e->ring_base + (uint64_t)e->head * SIMGPU_DESC_SIZE;
	if (!bme(g)) {
		fail(g, SIMGPU_ERR_BUS_MASTER, d.bus);
		return;
	}
	if (sim_dma_read(g->fn->slot, d.bus, raw, sizeof(raw), &fault)) {
		fail(g, SIMGPU_ERR_DMA_READ, fault);
		return;
	}
	d.op = le32(raw + SIMGPU_DESC_OP);
	d.flags = le32(raw + SIMGPU_DESC_FLAGS);
	d.len = le64(raw + SIMGPU_DESC_LEN);
	d.src = le64(raw + SIMGPU_DESC_SRC);
	d.dst = le64(raw + SIMGPU_DESC_DST);
	d.caddr = le64(raw + SIMGPU_DESC_COMPL_ADDR);
	d.cval = le64(raw + SIMGPU_DESC_COMPL_VALUE);
	if (!desc_ok(g, &d, raw, &code)) {
		fail(g, code, d.bus);
		return;
	}

	for (uint64_t done = 0; done < d.len;) {
		uint64_t n = d.len - done < CHUNK ? d.len - done : CHUNK;

		if (chunk(g, &d, done, n))
			return;
		done += n;
		/* Let the VMM in; a reset, close or unplug meanwhile
		 * abandons this descriptor. */
		pthread_mutex_unlock(&g->fn->lock);
		pthread_mutex_lock(&g->fn->lock);
		if (e->gen != gen || e->stop || sim_gone(g->fn))
			return;
	}

	if (d.caddr) {
		uint8_t v[8];

		for (int i = 0; i < 8; i++)
			v[i] = (uint8_t)(d.cval >> (8 * i));
		if (!bme(g)) {
			fail(g, SIMGPU_ERR_BUS_MASTER, d.caddr);
			return;
		}
		if (sim_dma_write(g->fn->slot, d.caddr, v, 8, &fault)) {
			fail(g, SIMGPU_ERR_DMA_WRITE, fault);
			return;
		}
	}
	e->head = (e->head + 1) & (e->ring_size - 1);
	e->completed++;
	if (e->head == e->tail)
		e->state = SIMGPU_STATE_IDLE;
	if (d.flags & SIMGPU_DESC_F_IRQ)
		sim_gpu_cause(g, SIMGPU_IRQ_COMPLETION);
}

static void *engine_thread(void *arg)
{
	struct sim_gpu *g = arg;
	struct sim_engine *e = &g->eng;

	pthread_mutex_lock(&g->fn->lock);
	while (!e->stop) {
		if (e->state != SIMGPU_STATE_BUSY || sim_gone(g->fn)) {
			pthread_cond_wait(&e->cond, &g->fn->lock);
			continue;
		}
		if (e->head == e->tail) {
			e->state = SIMGPU_STATE_IDLE;
			continue;
		}
		run_one(g);
	}
	pthread_mutex_unlock(&g->fn->lock);
	return NULL;
}

int sim_engine_init(struct sim_gpu *g)
{
	return pthread_cond_init(&g->eng.cond, NULL) ? PP_ERR_NOMEM : PP_OK;
}

void sim_engine_fini(struct sim_gpu *g)
{
	pthread_cond_destroy(&g->eng.cond);
}

int sim_engine_start(struct sim_gpu *g)
{
	struct sim_engine *e = &g->eng;
	int st = PP_OK;

	pthread_mutex_lock(&g->fn->lock);
	if (!e->running) {
		e->stop = false;
		if (pthread_create(&e->thread, NULL, engine_thread, g))
			st = PP_ERR_NOMEM;
		else
			e->running = true;
	}
	pthread_mutex_unlock(&g->fn->lock);
	return st;
}

void sim_engine_stop(struct sim_gpu *g)
{
	struct sim_engine *e = &g->eng;
	bool join;

	pthread_mutex_lock(&g->fn->lock);
	join = e->running;
	e->stop = true;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&g->fn->lock);
	if (!join)
		return;
	pthread_join(e->thread, NULL);
	pthread_mutex_lock(&g->fn->lock);
	e->running = false;
	pthread_mutex_unlock(&g->fn->lock);
}

void sim_engine_reset(struct sim_gpu *g)
{
	struct sim_engine *e = &g->eng;

	e->gen++;
	e->state = SIMGPU_STATE_IDLE;
	e->error = SIMGPU_ERR_NONE;
	e->fault_addr = 0;
	e->errors = 0;
	e->completed = 0;
	e->ring_base = 0;
	e->ring_size = 0;
	e->head = e->tail = 0;
}

void sim_engine_abort(struct sim_gpu *g)
{
	struct sim_engine *e = &g->eng;

	e->gen++;
	e->state = SIMGPU_STATE_IDLE;
	e->error = SIMGPU_ERR_NONE;
	e->fault_addr = 0;
	e->head = e->tail = 0;
}

static bool ring_ok(const struct sim_engine *e)
{
	uint32_t n = e->ring_size;

	return e->ring_base && !(e->ring_base & (SIMGPU_DESC_SIZE - 1)) &&
	       n >= 2 && n <= 65536 && !(n & (n - 1));
}

void sim_engine_doorbell(struct sim_gpu *g, uint32_t tail)
{
	struct sim_engine *e = &g->eng;

	e->tail = tail;
	if (e->state == SIMGPU_STATE_ERROR)
		return;                  /* stays stopped until CTRL.RESET */
	if (!ring_ok(e) || tail >= e->ring_size) {
		fail(g, SIMGPU_ERR_BAD_RING, e->ring_base);
		return;
	}
	if (e->head != e->tail) {
		e->state = SIMGPU_STATE_BUSY;
		pthread_cond_signal(&e->cond);
	}
}

uint32_t sim_engine_status(const struct sim_gpu *g)
{
	return g->eng.state | g->eng.error << 8;
}
