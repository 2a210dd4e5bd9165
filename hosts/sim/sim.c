// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sim backend: pp_host_ops over the simulated slot.  Argument checks,
 * claim and release, the host's config-write filter, BAR access and
 * mapping, the interrupt latch and its descriptor, events, resets, and the
 * test hooks of sim.h.  Semantics: docs/host-interface.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_internal.h"

struct sim_host {
	struct pp_host host;       /* first: the handle the VMM holds */
	struct sim_slot slot;
};

static struct sim_slot *slot_of(struct pp_host *h)
{
	return &((struct sim_host *)h)->slot;
}

/* ---- events and the descriptor --------------------------------------------- */

void sim_fn_event(struct sim_fn *fn, uint32_t ev)
{
	if (!fn->open)
		return;
	atomic_fetch_or(&fn->events, ev);
	sim_notify_signal(&fn->notify);
}

/*
 * Called after a drain and a read-and-clear: if something is still
 * deliverable (raised after the take, or an event not yet read) the
 * descriptor must stay readable.  Drain first, check second: a wake-up
 * that lands in between is seen by the check or re-signals by itself.
 */
static void rearm(struct sim_fn *fn)
{
	if (sim_gone(fn))
		return;          /* GONE is signalled once; nothing else comes */
	if (pp_irqlatch_deliverable(&fn->latch) || atomic_load(&fn->events))
		sim_notify_signal(&fn->notify);
}

/* ---- backend ------------------------------------------------------------------- */

static int sim_enumerate(struct pp_host *h, struct pp_host_dev_info *out,
			 unsigned int max, unsigned int *n)
{
	struct sim_slot *s = slot_of(h);

	if (!n || (max && !out))
		return PP_ERR_INVAL;
	if (atomic_load(&s->gone)) {
		*n = 0;
		return PP_OK;
	}
	for (unsigned int i = 0; i < s->nfn && i < max; i++)
		out[i] = s->fns[i]->info;
	*n = s->nfn;
	return PP_OK;
}

static void close_fn(struct sim_fn *fn);

static int sim_open(struct pp_host *h, const char *id,
		    struct pp_host_dev **out)
{
	struct sim_slot *s = slot_of(h);
	struct sim_fn *fn = NULL;
	int st;

	if (!id || !out)
		return PP_ERR_INVAL;
	if (atomic_load(&s->gone))
		return PP_ERR_NOENT;
	for (unsigned int i = 0; i < s->nfn; i++)
		if (!strcmp(s->fns[i]->info.id, id))
			fn = s->fns[i];
	if (!fn)
		return PP_ERR_NOENT;
	if (!fn->info.owned)
		return PP_ERR_HOST;      /* no user client: the dext has no claim */

	pthread_mutex_lock(&fn->lock);
	if (fn->open) {
		pthread_mutex_unlock(&fn->lock);
		return PP_ERR_HOST;      /* claimed: the claim is exclusive */
	}
	st = sim_notify_init(&fn->notify, s->opts.notify);
	if (st) {
		pthread_mutex_unlock(&fn->lock);
		return st;
	}
	pp_irqlatch_init(&fn->latch);
	atomic_store(&fn->events, 0);
	fn->irq_open = 0;
	/* A claim starts with the device unable to decode or DMA: the
	 * guest's COMMAND writes decide. */
	sim_cfg_put16(&fn->cfg, SIM_CFG_COMMAND, (uint16_t)(sim_cfg_get16(&fn->cfg,
		      SIM_CFG_COMMAND) & ~(SIM_CMD_MSE | SIM_CMD_BME)));
	fn->open = true;
	pthread_mutex_unlock(&fn->lock);

	st = fn->model->open(fn);
	if (st) {
		close_fn(fn);
		return st;
	}
	*out = &fn->dev;
	return PP_OK;
}

static void close_fn(struct sim_fn *fn)
{
	/* Quiesce first: with BME clear the device cannot start another
	 * DMA, and the interrupt path has no handler. */
	pthread_mutex_lock(&fn->lock);
	sim_cfg_put16(&fn->cfg, SIM_CFG_COMMAND, (uint16_t)(sim_cfg_get16(&fn->cfg,
		      SIM_CFG_COMMAND) & ~(SIM_CMD_MSE | SIM_CMD_BME)));
	fn->irq_open = 0;
	pthread_mutex_unlock(&fn->lock);

	fn->model->close(fn);
	sim_dma_release(fn);

	pthread_mutex_lock(&fn->lock);
	for (unsigned int b = 0; b < PP_HOST_MAX_BARS; b++)
		fn->bar[b].maps = 0;
	sim_notify_fini(&fn->notify);
	fn->open = false;
	pthread_mutex_unlock(&fn->lock);
}

static void sim_close(struct pp_host_dev *d)
{
	if (d)
		close_fn(sim_fn_of(d));
}

static void sim_destroy(struct pp_host *h)
{
	struct sim_host *sh = (struct sim_host *)h;
	struct sim_slot *s;

	if (!h)
		return;
	s = &sh->slot;
	for (unsigned int i = 0; i < s->nfn; i++) {
		struct sim_fn *fn = s->fns[i];

		if (fn->open)
			close_fn(fn);
		if (fn->model)
			fn->model->destroy(fn);
		pthread_mutex_destroy(&fn->lock);
		free(fn);
	}
	sim_dma_fini(s);
	free(sh);
}

/* ---- device ------------------------------------------------------------------------ */

static int sim_info(struct pp_host_dev *d, struct pp_host_dev_info *info)
{
	struct sim_fn *fn = sim_fn_of(d);

	if (!info)
		return PP_ERR_INVAL;
	if (sim_gone(fn))
		return PP_ERR_HOST;
	*info = fn->info;
	return PP_OK;
}

static bool cfg_args_ok(uint32_t off, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && !(off % size) &&
	       off < PP_HOST_CFG_SIZE && off + size <= PP_HOST_CFG_SIZE;
}

static int sim_cfg_read_op(struct pp_host_dev *d, uint32_t off,
			   unsigned int size, uint32_t *val)
{
	struct sim_fn *fn = sim_fn_of(d);

	if (!val || !cfg_args_ok(off, size))
		return PP_ERR_INVAL;
	if (sim_gone(fn))
		return PP_ERR_HOST;
	pthread_mutex_lock(&fn->lock);
	*val = sim_cfg_read(&fn->cfg, off, size);
	pthread_mutex_unlock(&fn->lock);
	return PP_OK;
}

static bool bar_assigned(const struct sim_fn *fn, unsigned int b)
{
	unsigned int off = 0x10 + 4 * b;
	uint64_t a = sim_cfg_get32(&fn->cfg, off) & ~0xfull;

	if (fn->bar[b].type == PP_HOST_BAR_MEM64)
		a |= (uint64_t)sim_cfg_get32(&fn->cfg, off + 4) << 32;
	return a == fn->bar[b].addr;
}

bool sim_fn_decodes(const struct sim_fn *fn)
{
	if (!(sim_cfg_get16(&fn->cfg, SIM_CFG_COMMAND) & SIM_CMD_MSE))
		return false;
	for (unsigned int b = 0; b < PP_HOST_MAX_BARS; b++)
		if (fn->bar[b].size && !bar_assigned(fn, b))
			return false;
	return true;
}

/* A Function Level Reset that the host did not initiate (a forwarded
 * Initiate-FLR write): the function returns to its power-on state and
 * nobody restores the host's BARs and interrupt programming. */
static void raw_flr(struct sim_fn *fn)
{
	sim_cfg_power_on(&fn->cfg);
	fn->model->reset(fn);
	sim_irq_device_reset(fn);
}

/* The host's reset: the function (or bus) is reset, and the host saves and
 * restores config space around it and re-programs BARs and interrupts. */
static void host_reset(struct sim_fn *fn)
{
	uint8_t saved[PP_HOST_CFG_SIZE];

	memcpy(saved, fn->cfg.b, sizeof(saved));
	fn->model->reset(fn);
	sim_irq_device_reset(fn);
	memcpy(fn->cfg.b, saved, sizeof(saved));
	if (fn->cfg.pcie)
		sim_cfg_put16(&fn->cfg, fn->cfg.pcie + SIM_PCIE_DEVCTL,
			      (uint16_t)(sim_cfg_get16(&fn->cfg, fn->cfg.pcie +
			      SIM_PCIE_DEVCTL) & ~SIM_PCIE_DEVCTL_FLR));
	for (unsigned int b = 0; b < PP_HOST_MAX_BARS; b++)
		if (fn->bar[b].size)
			sim_cfg_assign_bar(&fn->cfg, b, fn->bar[b].addr);
	sim_irq_host_restore(fn);
}

static int sim_cfg_write_op(struct pp_host_dev *d, uint32_t off,
			    unsigned int size, uint32_t val)
{
	struct sim_fn *fn = sim_fn_of(d);
	unsigned int mask;

	if (!cfg_args_ok(off, size))
		return PP_ERR_INVAL;
	if (sim_gone(fn))
		return PP_ERR_HOST;
	mask = pp_host_cfg_write_mask(off, size);
	if (!mask)
		return PP_OK;
	pthread_mutex_lock(&fn->lock);
	sim_cfg_write(&fn->cfg, off, size, val, mask);
	if (fn->cfg.pcie && (sim_cfg_get16(&fn->cfg, fn->cfg.pcie +
				SIM_PCIE_DEVCTL) & SIM_PCIE_DEVCTL_FLR))
		raw_flr(fn);
	sim_irq_cfg_written(fn);
	pthread_mutex_unlock(&fn->lock);
	return PP_OK;
}

static int sim_bar_info(struct pp_host_dev *d, unsigned int bar,
			struct pp_host_bar_info *info)
{
	struct sim_fn *fn = sim_fn_of(d);

	if (bar >= PP_HOST_MAX_BARS || !info)
		return PP_ERR_INVAL;
	if (sim_gone(fn))
		return PP_ERR_HOST;
	info->size = fn->bar[bar].size;
	info->type = fn->bar[bar].size ? fn->bar[bar].type : PP_HOST_BAR_NONE;
	info->prefetchable = fn->bar[bar].prefetchable;
	info->mappable = fn->bar[bar].mem != NULL;
	return PP_OK;
}

static int sim_bar_map(struct pp_host_dev *d, unsigned int bar, void **ptr,
		       uint64_t *len)
{
	struct sim_fn *fn = sim_fn_of(d);

	if (bar >= PP_HOST_MAX_BARS || !ptr || !len)
		return PP_ERR_INVAL;
	if (sim_gone(fn))
		return PP_ERR_HOST;
	if (!fn->bar[bar].mem)
		return PP_ERR_INVAL;     /* none, or trap-only */
	pthread_mutex_lock(&fn->lock);
	fn->bar[bar].maps++;
	pthread_mutex_unlock(&fn->lock);
	*ptr = fn->bar[bar].mem;
	*len = fn->bar[bar].size;
	return PP_OK;
}

static void sim_bar_unmap(struct pp_host_dev *d, unsigned int bar, void *ptr)
{
	struct sim_fn *fn = sim_fn_of(d);

	if (bar >= PP_HOST_MAX_BARS || !ptr)
		return;
	pthread_mutex_lock(&fn->lock);
	if (ptr == fn->bar[bar].mem && fn->bar[bar].maps)
		fn->bar[bar].maps--;
	pthread_mutex_unlock(&fn->lock);
}

static int bar_args(struct sim_fn *fn, unsigned int bar, uint64_t off,
		    unsigned int size)
{
	if (bar >= PP_HOST_MAX_BARS || !fn->bar[bar].size)
		return PP_ERR_INVAL;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return PP_ERR_INVAL;
	if ((off % size) || off >= fn->bar[bar].size ||
	    size > fn->bar[bar].size - off)
		return PP_ERR_INVAL;
	return sim_gone(fn) ? PP_ERR_HOST : PP_OK;
}

static uint64_t ones(unsigned int size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static int sim_bar_read(struct pp_host_dev *d, unsigned int bar, uint64_t off,
			unsigned int size, uint64_t *val)
{
	struct sim_fn *fn = sim_fn_of(d);
	int st = val ? bar_args(fn, bar, off, size) : PP_ERR_INVAL;

	if (st)
		return st;
	pthread_mutex_lock(&fn->lock);
	if (!sim_fn_decodes(fn)) {
		*val = ones(size);       /* Unsupported Request: all ones */
	} else if (fn->bar[bar].mem) {
		uint64_t v = 0;

		memcpy(&v, (uint8_t *)fn->bar[bar].mem + off, size);
		*val = v;
	} else {
		*val = fn->model->bar_read(fn, bar, off, size) & ones(size);
	}
	pthread_mutex_unlock(&fn->lock);
	return PP_OK;
}

static int sim_bar_write(struct pp_host_dev *d, unsigned int bar, uint64_t off,
			 unsigned int size, uint64_t val)
{
	struct sim_fn *fn = sim_fn_of(d);
	int st = bar_args(fn, bar, off, size);

	if (st)
		return st;
	pthread_mutex_lock(&fn->lock);
	if (!sim_fn_decodes(fn))
		;                        /* dropped, as the device never sees it */
	else if (fn->bar[bar].mem)
		memcpy((uint8_t *)fn->bar[bar].mem + off, &val, size);
	else
		fn->model->bar_write(fn, bar, off, size, val & ones(size));
	pthread_mutex_unlock(&fn->lock);
	return PP_OK;
}

static int sim_dma_map_op(struct pp_host_dev *d, struct pp_dma_req *reqs,
			  unsigned int n)
{
	return sim_dma_map(sim_fn_of(d), reqs, n);
}

static int sim_dma_unmap_op(struct pp_host_dev *d, const uint64_t *bus,
			    int32_t *status, unsigned int n)
{
	return sim_dma_unmap(sim_fn_of(d), bus, status, n);
}

static int sim_dma_usage_op(struct pp_host_dev *d, struct pp_host_dma_usage *u)
{
	return sim_dma_usage(sim_fn_of(d), u);
}

static int sim_irq_configure_op(struct pp_host_dev *d,
				enum pp_host_irq_type type, unsigned int nvec,
				unsigned int *granted)
{
	struct sim_fn *fn = sim_fn_of(d);
	int st;

	if (sim_gone(fn))
		return PP_ERR_HOST;
	pthread_mutex_lock(&fn->lock);
	st = sim_irq_configure(fn, type, nvec, granted);
	pthread_mutex_unlock(&fn->lock);
	return st;
}

static int sim_irq_fd(struct pp_host_dev *d)
{
	return sim_fn_of(d)->notify.rfd;
}

static int sim_irq_take(struct pp_host_dev *d, uint64_t pending[4])
{
	struct sim_fn *fn = sim_fn_of(d);

	if (!pending)
		return PP_ERR_INVAL;
	memset(pending, 0, 4 * sizeof(pending[0]));
	if (sim_gone(fn))
		return PP_ERR_HOST;
	sim_notify_drain(&fn->notify);
	pp_irqlatch_take(&fn->latch, pending);
	rearm(fn);
	return PP_OK;
}

static int sim_irq_mask(struct pp_host_dev *d, unsigned int vec, bool masked)
{
	struct sim_fn *fn = sim_fn_of(d);
	unsigned int nvec;

	if (sim_gone(fn))
		return PP_ERR_HOST;
	pthread_mutex_lock(&fn->lock);
	nvec = fn->irq_open;
	pthread_mutex_unlock(&fn->lock);
	if (!nvec)
		return PP_ERR_NOTREADY;
	if (vec >= nvec)
		return PP_ERR_INVAL;
	if (pp_irqlatch_set_mask(&fn->latch, vec, masked))
		sim_notify_signal(&fn->notify);
	return PP_OK;
}

static int sim_events(struct pp_host_dev *d, uint32_t *events)
{
	struct sim_fn *fn = sim_fn_of(d);

	if (!events)
		return PP_ERR_INVAL;
	sim_notify_drain(&fn->notify);
	*events = atomic_exchange(&fn->events, 0);
	if (sim_gone(fn))
		*events |= PP_HOST_EV_GONE;  /* sticky; signalled once */
	rearm(fn);
	return PP_OK;
}

static int sim_reset(struct pp_host_dev *d, enum pp_host_reset type)
{
	struct sim_fn *fn = sim_fn_of(d);
	struct sim_slot *s = fn->slot;

	if (type != PP_HOST_RESET_FUNCTION && type != PP_HOST_RESET_HOT)
		return PP_ERR_INVAL;
	if (sim_gone(fn))
		return PP_ERR_HOST;
	for (unsigned int i = 0; i < s->nfn; i++) {
		struct sim_fn *f = s->fns[i];

		/* A hot reset (secondary bus reset) hits every function. */
		if (f != fn && type != PP_HOST_RESET_HOT)
			continue;
		pthread_mutex_lock(&f->lock);
		host_reset(f);
		pthread_mutex_unlock(&f->lock);
	}
	return PP_OK;
}

static const struct pp_host_ops sim_ops = {
	.name = "sim",
	.enumerate = sim_enumerate,
	.open = sim_open,
	.destroy = sim_destroy,
	.close = sim_close,
	.info = sim_info,
	.cfg_read = sim_cfg_read_op,
	.cfg_write = sim_cfg_write_op,
	.bar_info = sim_bar_info,
	.bar_map = sim_bar_map,
	.bar_unmap = sim_bar_unmap,
	.bar_read = sim_bar_read,
	.bar_write = sim_bar_write,
	.dma_map = sim_dma_map_op,
	.dma_unmap = sim_dma_unmap_op,
	.dma_usage = sim_dma_usage_op,
	.irq_configure = sim_irq_configure_op,
	.irq_fd = sim_irq_fd,
	.irq_take = sim_irq_take,
	.irq_mask = sim_irq_mask,
	.events = sim_events,
	.reset = sim_reset,
};

/* ---- construction -------------------------------------------------------------------- */

static void fill_info(struct sim_fn *fn)
{
	struct pp_host_dev_info *in = &fn->info;
	const struct sim_cfg *c = &fn->cfg;

	memset(in, 0, sizeof(*in));
	/* Root-qualified, as on a Mac, where BDFs repeat across roots. */
	snprintf(in->id, sizeof(in->id), "sim0:01:00.%u", fn->fn);
	snprintf(in->location, sizeof(in->location),
		 "sim0 root port, slot 0 (simulated Thunderbolt)");
	in->segment = 0;
	in->bus = 1;
	in->dev = 0;
	in->fn = (uint8_t)fn->fn;
	in->vendor = sim_cfg_get16(c, 0x00);
	in->device = sim_cfg_get16(c, 0x02);
	in->subsys_vendor = sim_cfg_get16(c, 0x2c);
	in->subsys_device = sim_cfg_get16(c, 0x2e);
	in->class_code = sim_cfg_get32(c, 0x08) >> 8;
	in->revision = c->b[0x08];
	in->nr_vectors = (uint16_t)(c->msix ? fn->msix.nvec : c->msi ? 1 : 0);
	/* as on a Mac where the function's own driver, not the pcipass
	 * extension, matched it: listed, but it cannot be claimed */
	in->owned = !(fn->slot->opts.unowned & (1u << fn->fn));
}

struct pp_host *pp_host_sim_create(const char *args, int *status)
{
	struct sim_host *sh;
	struct sim_slot *s;
	int st, dummy;

	if (!status)
		status = &dummy;
	sh = calloc(1, sizeof(*sh));
	if (!sh) {
		*status = PP_ERR_NOMEM;
		return NULL;
	}
	sh->host.ops = &sim_ops;
	s = &sh->slot;
	atomic_init(&s->gone, false);
	st = sim_opts_parse(args, &s->opts);
	if (!st)
		st = sim_dma_init(s);
	if (st) {
		free(sh);
		*status = st;
		return NULL;
	}
	for (unsigned int i = 0; i < s->opts.functions; i++) {
		struct sim_fn *fn = calloc(1, sizeof(*fn));

		if (!fn) {
			st = PP_ERR_NOMEM;
			break;
		}
		if (pthread_mutex_init(&fn->lock, NULL)) {
			free(fn);
			st = PP_ERR_NOMEM;
			break;
		}
		fn->dev.ops = &sim_ops;
		fn->slot = s;
		fn->fn = i;
		fn->notify.rfd = fn->notify.wfd = -1;
		atomic_init(&fn->events, 0);
		s->fns[s->nfn++] = fn;
		st = i == 0 ? sim_gpu_create(fn, &s->opts)
			    : sim_audio_create(fn, &s->opts);
		if (st)
			break;
		fill_info(fn);
	}
	if (st) {
		sim_destroy(&sh->host);
		*status = st;
		return NULL;
	}
	*status = PP_OK;
	return &sh->host;
}

/* ---- test hooks (sim.h) ------------------------------------------------------------------ */

void pp_sim_unplug(struct pp_host *h)
{
	struct sim_slot *s = slot_of(h);

	if (atomic_exchange(&s->gone, true))
		return;
	for (unsigned int i = 0; i < s->nfn; i++) {
		struct sim_fn *fn = s->fns[i];

		pthread_mutex_lock(&fn->lock);
		fn->model->gone(fn);
		/* The host tears the device's DMA down with it. */
		sim_dma_release(fn);
		if (fn->open)
			sim_notify_signal(&fn->notify);
		pthread_mutex_unlock(&fn->lock);
	}
}

int pp_sim_inspect(struct pp_host *h, unsigned int idx,
		   struct pp_sim_inspect *st)
{
	struct sim_slot *s = slot_of(h);
	struct sim_fn *fn;

	if (!st || idx >= s->nfn)
		return PP_ERR_INVAL;
	fn = s->fns[idx];
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&fn->lock);
	pthread_mutex_lock(&s->dma_lock);
	pp_dart_get_stats(s->dart, &st->dart);
	st->owned_mappings = fn->owned.n;
	pthread_mutex_unlock(&s->dma_lock);
	st->gone = atomic_load(&s->gone);
	st->open = fn->open;
	st->engine_thread = sim_gpu_engine_thread(fn);
	st->command = sim_cfg_get16(&fn->cfg, SIM_CFG_COMMAND);
	st->irq_type = fn->irq_type;
	st->irq_granted = fn->irq_granted;
	memcpy(st->pba, fn->msix.pba, sizeof(st->pba));
	st->msgs_delivered = fn->msgs_delivered;
	st->msgs_pended = fn->msgs_pended;
	st->msgs_dropped = fn->msgs_dropped;
	for (unsigned int b = 0; b < PP_HOST_MAX_BARS; b++)
		st->bar_maps += fn->bar[b].maps;
	pthread_mutex_unlock(&fn->lock);
	return PP_OK;
}
