/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loopback GPU's state, shared by its register file (sim_gpu.c) and its
 * copy engine (sim_engine.c).  Everything here is under fn->lock.
 */
#ifndef PCIPASS_HOSTS_SIM_GPU_H
#define PCIPASS_HOSTS_SIM_GPU_H

#include "sim_internal.h"

struct sim_engine {
	pthread_t thread;
	bool running;              /* the thread exists */
	bool stop;                 /* the thread must exit */
	pthread_cond_t cond;       /* doorbell or stop, with fn->lock */
	uint32_t gen;              /* bumped by resets: in-flight work dies */
	/* registers */
	uint32_t state, error;
	uint64_t fault_addr;
	uint32_t errors, completed;
	uint64_t ring_base;
	uint32_t ring_size, head, tail;
};

struct sim_gpu {
	struct sim_fn *fn;
	uint8_t *vram;
	uint64_t vram_size;
	uint32_t scratch;
	uint32_t irq_enable, irq_status, vec_completion, vec_error;
	struct sim_engine eng;
};

/* Sets interrupt causes; sends the cause's vector if it is enabled. */
void sim_gpu_cause(struct sim_gpu *g, uint32_t causes);

int sim_engine_init(struct sim_gpu *g);
void sim_engine_fini(struct sim_gpu *g);
int sim_engine_start(struct sim_gpu *g);   /* lock NOT held */
void sim_engine_stop(struct sim_gpu *g);   /* lock NOT held */
void sim_engine_reset(struct sim_gpu *g);  /* registers to reset values */
void sim_engine_abort(struct sim_gpu *g);  /* ENGINE_CTRL.RESET */
void sim_engine_doorbell(struct sim_gpu *g, uint32_t tail);
uint32_t sim_engine_status(const struct sim_gpu *g);

#endif
