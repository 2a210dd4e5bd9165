// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dext core: device probe, ownership, the checked dispatch table and
 * every selector but the DMA ones (dext_dma.c).  Contract: dext_core.h and
 * dext_abi.h; the prose is docs/mac-dext.md.
 *
 * Locking: d->pf->lock protects everything but the interrupt path, which
 * uses only atomics: irq_live (how many vectors are delivered now), the
 * irqlatch, the events word, the gone flag and the armed wait token.  A
 * token is completed by whoever atomically exchanges it out of
 * d->wait_token, so it is completed exactly once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dext_internal.h"
#include "pcipass/cfgfilter.h"
#include "pcipass/proto.h"

PP_STATIC_ASSERT(PP_DEXT_PROT_READ == PP_MAP_READ &&
		 PP_DEXT_PROT_WRITE == PP_MAP_WRITE,
		 "dext prot bits are the wire protocol's");
PP_STATIC_ASSERT(PP_DEXT_MAX_VECTORS == PP_IRQLATCH_VECTORS &&
		 PP_DEXT_IRQ_WORDS == PP_IRQLATCH_WORDS, "irqlatch size");
PP_STATIC_ASSERT(PP_DEXT_CFG_SIZE == PP_CFG_SPACE_SIZE, "config size");

#define PCI_COMMAND          0x04
#define PCI_COMMAND_MEMORY   0x2
#define PCI_COMMAND_MASTER   0x4
#define PCI_STATUS           0x06
#define PCI_STATUS_CAP_LIST  0x10
#define PCI_CLASS_REVISION   0x08
#define PCI_HEADER_TYPE      0x0e
#define PCI_SUBSYSTEM        0x2c
#define PCI_CAPABILITY_LIST  0x34
#define PCI_CAP_ID_MSI       0x05
#define PCI_CAP_ID_MSIX      0x11
#define PCI_CLASS_MULTIMEDIA 0x04

#define LOG_BUDGET           64   /* anomaly lines per claim */

/* ---- config --------------------------------------------------------------- */

void pp_dext_config_defaults(struct pp_dext_config *cfg)
{
	cfg->cap_bytes = PP_DEXT_DEFAULT_CAP_BYTES;
	cfg->max_entries = PP_DEXT_DEFAULT_MAX_ENTRIES;
	cfg->max_map_len = PP_DEXT_DEFAULT_MAX_MAP_LEN;
	cfg->allow_multimedia = false;
}

void pp_dext_config_sanitize(struct pp_dext_config *cfg)
{
	if (!cfg->cap_bytes)
		cfg->cap_bytes = PP_DEXT_DEFAULT_CAP_BYTES;
	if (cfg->cap_bytes < PP_DEXT_PAGE_SIZE)
		cfg->cap_bytes = PP_DEXT_PAGE_SIZE;
	if (cfg->cap_bytes > (1ull << 40))
		cfg->cap_bytes = 1ull << 40;
	cfg->cap_bytes &= ~(uint64_t)(PP_DEXT_PAGE_SIZE - 1);
	if (!cfg->max_entries)
		cfg->max_entries = PP_DEXT_DEFAULT_MAX_ENTRIES;
	if (cfg->max_entries > PP_DEXT_MAX_MAX_ENTRIES)
		cfg->max_entries = PP_DEXT_MAX_MAX_ENTRIES;
	if (!cfg->max_map_len)
		cfg->max_map_len = PP_DEXT_DEFAULT_MAX_MAP_LEN;
	if (cfg->max_map_len < PP_DEXT_PAGE_SIZE)
		cfg->max_map_len = PP_DEXT_PAGE_SIZE;
	if (cfg->max_map_len > cfg->cap_bytes)
		cfg->max_map_len = cfg->cap_bytes;
}

bool pp_dext_class_allowed(uint32_t class_code, bool allow_multimedia)
{
	return allow_multimedia ||
	       ((class_code >> 16) & 0xff) != PCI_CLASS_MULTIMEDIA;
}

/* ---- memory and logs ------------------------------------------------------- */

static void *dev_alloc(const struct pp_dext_platform *pf, void *ctx,
		       size_t size)
{
	return pf->mem_alloc ? pf->mem_alloc(ctx, size) : calloc(1, size);
}

static void dev_free(const struct pp_dext_platform *pf, void *ctx, void *p,
		     size_t size)
{
	if (!p)
		return;
	if (pf->mem_free)
		pf->mem_free(ctx, p, size);
	else
		free(p);
}

void *pp_dext_alloc(struct pp_dext_client *c, size_t size)
{
	void *p = dev_alloc(c->dev->pf, c->dev->ctx, size);

	if (p)
		c->mem += size;
	return p;
}

void pp_dext_free(struct pp_dext_client *c, void *p, size_t size)
{
	if (!p)
		return;
	c->mem -= size;
	dev_free(c->dev->pf, c->dev->ctx, p, size);
}

static void vlog(struct pp_dext_dev *d, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vlog(struct pp_dext_dev *d, const char *fmt, va_list ap)
{
	char line[192];

	if (!d->pf->log)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	d->pf->log(d->ctx, line);
}

void pp_dext_logf(struct pp_dext_dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(d, fmt, ap);
	va_end(ap);
}

void pp_dext_anomaly(struct pp_dext_dev *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->log_budget)
		return;
	if (!--d->log_budget)
		pp_dext_logf(d, "further anomalies not logged this claim");
	va_start(ap, fmt);
	vlog(d, fmt, ap);
	va_end(ap);
}

/* ---- config space helpers ---------------------------------------------------- */

static uint32_t cfg_rd(struct pp_dext_dev *d, uint32_t off, unsigned int size,
		       int *st)
{
	uint32_t v = 0;
	int r = d->pf->cfg_read(d->ctx, off, size, &v);

	if (r != PP_OK && *st == PP_OK)
		*st = PP_ERR_HOST;
	if (size < 4)
		v &= (1u << (8 * size)) - 1;
	return v;
}

/* Finds MSI and MSI-X; bounded walk (at most 48 capabilities). */
static void probe_caps(struct pp_dext_dev *d, int *st)
{
	uint32_t pos;
	unsigned int guard = 48;

	if (!(cfg_rd(d, PCI_STATUS, 2, st) & PCI_STATUS_CAP_LIST))
		return;
	pos = cfg_rd(d, PCI_CAPABILITY_LIST, 1, st) & 0xfc;
	while (pos >= 0x40 && pos < 0x100 && guard--) {
		uint32_t hdr = cfg_rd(d, pos, 2, st);
		uint32_t id = hdr & 0xff;
		uint32_t ctl = cfg_rd(d, pos + 2, 2, st);

		if (id == PCI_CAP_ID_MSI && !d->msi_cap) {
			d->msi_cap = (uint16_t)pos;
			d->msi_vectors = (uint16_t)(1u << ((ctl >> 1) & 7));
			if (d->msi_vectors > 32)
				d->msi_vectors = 32;
			d->msi_len = (uint16_t)(10 + ((ctl & 0x80) ? 4 : 0) +
						((ctl & 0x100) ? 10 : 0));
		} else if (id == PCI_CAP_ID_MSIX && !d->msix_cap) {
			d->msix_cap = (uint16_t)pos;
			d->msix_vectors = (uint16_t)((ctl & 0x7ff) + 1);
		}
		pos = (hdr >> 8) & 0xfc;
	}
}

static void probe_bars(struct pp_dext_dev *d)
{
	for (unsigned int i = 0; i <= PP_DEXT_ROM_BAR; i++) {
		struct pp_dext_bar *b = &d->bars[i];
		uint8_t idx = 0, raw = 0;
		uint64_t size = 0;

		memset(b, 0, sizeof(*b));
		if (i > 0 && d->bars[i - 1].type == PP_DEXT_BAR_MEM64) {
			b->flags = PP_DEXT_BAR_F_UPPER;
			continue;
		}
		if (d->pf->bar_info(d->ctx, i, &idx, &size, &raw) != PP_OK ||
		    !size)
			continue;
		/* A BAR is a power of two; anything else is not trusted. */
		if (size & (size - 1)) {
			pp_dext_logf(d, "BAR%u size %#llx not a power of two",
				     i, (unsigned long long)size);
			continue;
		}
		b->size = size;
		b->memory_index = idx;
		b->raw_type = raw;
		if (i == PP_DEXT_ROM_BAR) {
			b->type = PP_DEXT_BAR_MEM32;
			b->flags = PP_DEXT_BAR_F_ROM;
			continue;
		}
		switch (raw & ~(uint8_t)PP_DEXT_RAW_BAR_M32PF) {
		case PP_DEXT_RAW_BAR_M32:
			b->type = PP_DEXT_BAR_MEM32;
			break;
		case PP_DEXT_RAW_BAR_M64:
			b->type = i < PP_DEXT_NR_BARS - 1 ?
				  PP_DEXT_BAR_MEM64 : PP_DEXT_BAR_MEM32;
			break;
		case PP_DEXT_RAW_BAR_IO:
			b->type = PP_DEXT_BAR_IO;
			break;
		default:
			b->size = 0;
			continue;
		}
		if (b->type != PP_DEXT_BAR_IO && (raw & PP_DEXT_RAW_BAR_M32PF))
			b->flags |= PP_DEXT_BAR_F_PREFETCH;
		/* Mapped whole into the client, then into the guest with
		 * 16 KiB granularity: a smaller BAR would expose whatever
		 * shares its page, so it is trap-only (BAR_READ/BAR_WRITE). */
		if (b->type != PP_DEXT_BAR_IO && size >= PP_DEXT_PAGE_SIZE)
			b->flags |= PP_DEXT_BAR_F_MAPPABLE;
	}
}

/* ---- device ---------------------------------------------------------------- */

struct pp_dext_dev *pp_dext_device_new(const struct pp_dext_platform *pf,
				       void *dev_ctx,
				       const struct pp_dext_config *cfg,
				       uint8_t bus, uint8_t devno, uint8_t fn,
				       uint64_t registry_id, int *status)
{
	struct pp_dext_dev *d;
	int dummy, st = PP_OK;
	uint32_t v;

	if (!status)
		status = &dummy;
	if (!pf || !pf->cfg_read || !pf->cfg_write || !pf->bar_info ||
	    !pf->bar_read || !pf->bar_write || !pf->irq_configure ||
	    !pf->irq_enable || !pf->reset || !pf->complete_wait ||
	    !pf->lock || !pf->unlock || !pf->dma_prepare ||
	    !pf->dma_complete || !pf->mem_alloc != !pf->mem_free) {
		*status = PP_ERR_INVAL;
		return NULL;
	}
	d = dev_alloc(pf, dev_ctx, sizeof(*d));
	if (!d) {
		*status = PP_ERR_NOMEM;
		return NULL;
	}
	d->pf = pf;
	d->ctx = dev_ctx;
	d->mem = sizeof(*d);
	if (cfg)
		d->cfg = *cfg;
	else
		pp_dext_config_defaults(&d->cfg);
	pp_dext_config_sanitize(&d->cfg);
	d->bus = bus;
	d->devno = devno;
	d->fn = fn;
	d->registry_id = registry_id;
	d->log_budget = LOG_BUDGET;
	pp_irqlatch_init(&d->latch);
	atomic_init(&d->wait_token, NULL);
	atomic_init(&d->irq_live, 0);
	atomic_init(&d->events, 0);
	atomic_init(&d->gone, false);
	atomic_init(&d->wait_seq, 0);
	atomic_init(&d->irq_raised, 0);
	atomic_init(&d->irq_spurious, 0);
	atomic_init(&d->irq_wakeups, 0);
	atomic_init(&d->waits_completed, 0);
	atomic_init(&d->waits_aborted, 0);

	v = cfg_rd(d, 0x00, 4, &st);
	d->vendor = (uint16_t)v;
	d->device = (uint16_t)(v >> 16);
	if (st != PP_OK || d->vendor == 0xffff || d->vendor == 0) {
		pp_dext_logf(d, "function does not answer (id %#x)", v);
		*status = PP_ERR_HOST;
		dev_free(pf, dev_ctx, d, sizeof(*d));
		return NULL;
	}
	v = cfg_rd(d, PCI_CLASS_REVISION, 4, &st);
	d->revision = (uint8_t)v;
	d->class_code = v >> 8;
	d->header_type = (uint8_t)cfg_rd(d, PCI_HEADER_TYPE, 1, &st);
	if ((d->header_type & 0x7f) == 0) {
		v = cfg_rd(d, PCI_SUBSYSTEM, 4, &st);
		d->subsys_vendor = (uint16_t)v;
		d->subsys_device = (uint16_t)(v >> 16);
	}
	probe_caps(d, &st);
	if (st != PP_OK) {
		*status = st;
		dev_free(pf, dev_ctx, d, sizeof(*d));
		return NULL;
	}
	if (!pp_dext_class_allowed(d->class_code, d->cfg.allow_multimedia)) {
		pp_dext_logf(d, "%04x:%04x class %06x refused (multimedia)",
			     d->vendor, d->device, d->class_code);
		*status = PP_ERR_BADOP;
		dev_free(pf, dev_ctx, d, sizeof(*d));
		return NULL;
	}
	probe_bars(d);
	pp_dext_logf(d, "%02x:%02x.%u %04x:%04x class %06x msi %u msix %u",
		     bus, devno, fn, d->vendor, d->device, d->class_code,
		     d->msi_vectors, d->msix_vectors);
	*status = PP_OK;
	return d;
}

static void destroy_dev(struct pp_dext_dev *d)
{
	dev_free(d->pf, d->ctx, d, sizeof(*d));
}

/* ---- the async wait ---------------------------------------------------------- */

static uint64_t wake_reasons(struct pp_dext_dev *d)
{
	uint64_t r = 0;

	if (pp_irqlatch_deliverable(&d->latch))
		r |= PP_DEXT_WAKE_IRQ;
	if (atomic_load(&d->events) || atomic_load(&d->gone))
		r |= PP_DEXT_WAKE_EVENT;
	return r;
}

static void finish_wait(struct pp_dext_dev *d, void *tok, uint32_t ioret,
			uint64_t reasons)
{
	uint64_t args[PP_DEXT_WAIT_NARGS];

	args[0] = reasons;
	args[1] = atomic_load(&d->events) |
		  (atomic_load(&d->gone) ? PP_DEXT_EV_GONE : 0);
	args[2] = atomic_fetch_add(&d->wait_seq, 1) + 1;
	if (ioret == PP_DEXT_IORET_SUCCESS)
		atomic_fetch_add(&d->waits_completed, 1);
	else
		atomic_fetch_add(&d->waits_aborted, 1);
	d->pf->complete_wait(d->ctx, tok, ioret, args, PP_DEXT_WAIT_NARGS);
}

/* Completes the armed wait, if any (lock-free). */
static void wake(struct pp_dext_dev *d)
{
	void *tok = atomic_exchange(&d->wait_token, NULL);

	if (tok)
		finish_wait(d, tok, PP_DEXT_IORET_SUCCESS, wake_reasons(d));
}

static void abort_wait(struct pp_dext_dev *d)
{
	void *tok = atomic_exchange(&d->wait_token, NULL);

	if (tok)
		finish_wait(d, tok, PP_DEXT_IORET_ABORTED, 0);
}

void pp_dext_irq_raise(struct pp_dext_dev *d, unsigned int vec)
{
	if (vec >= atomic_load(&d->irq_live)) {
		/* Not configured, not claimed, or gone: nobody to tell. */
		atomic_fetch_add(&d->irq_spurious, 1);
		return;
	}
	atomic_fetch_add(&d->irq_raised, 1);
	if (pp_irqlatch_raise(&d->latch, vec)) {
		atomic_fetch_add(&d->irq_wakeups, 1);
		wake(d);
	}
}

/* ---- ownership ------------------------------------------------------------------ */

/* COMMAND.MSE and BME off (a function that does not answer is left). */
static void quiesce(struct pp_dext_dev *d)
{
	const uint32_t bits = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	int st = PP_OK;
	uint32_t cmd = cfg_rd(d, PCI_COMMAND, 2, &st);

	if (st == PP_OK && cmd != 0xffff && (cmd & bits))
		d->pf->cfg_write(d->ctx, PCI_COMMAND, 2, cmd & ~bits);
}

/* Releases the device from its owner c (lock held). */
static void release_locked(struct pp_dext_client *c)
{
	struct pp_dext_dev *d = c->dev;
	bool gone = atomic_load(&d->gone);

	atomic_store(&d->irq_live, 0);
	abort_wait(d);
	if (!gone) {
		if (d->irq_type)
			d->pf->irq_enable(d->ctx, false);
		/* Stop the function's DMA (and its MSIs, which are DMA
		 * writes) before its memory is unwired, and its decoding:
		 * the client unmapped its BARs before RELEASE. */
		quiesce(d);
	}
	pp_dext_dma_fini(c);
	pp_irqlatch_clear(&d->latch);
	d->owner = NULL;
	d->stats.releases++;
	pp_dext_logf(d, "released");
}

void pp_dext_device_gone(struct pp_dext_dev *d)
{
	if (atomic_exchange(&d->gone, true))
		return;
	atomic_store(&d->irq_live, 0);
	atomic_fetch_or(&d->events, PP_DEXT_EV_GONE);
	wake(d);    /* the client learns now, before any teardown */
	d->pf->lock(d->ctx);
	if (d->owner)
		pp_dext_dma_fini(d->owner);
	d->pf->unlock(d->ctx);
	pp_dext_logf(d, "gone");
}

void pp_dext_device_free(struct pp_dext_dev *d)
{
	bool now;

	if (!d)
		return;
	pp_dext_device_gone(d);
	d->pf->lock(d->ctx);
	d->dying = true;
	now = d->nclients == 0;
	d->pf->unlock(d->ctx);
	if (now)
		destroy_dev(d);
}

struct pp_dext_client *pp_dext_client_new(struct pp_dext_dev *d,
					  void *client_ctx)
{
	struct pp_dext_client *c;

	c = dev_alloc(d->pf, d->ctx, sizeof(*c));
	if (!c)
		return NULL;
	c->dev = d;
	c->ctx = client_ctx;
	c->mem = sizeof(*c);
	d->pf->lock(d->ctx);
	d->nclients++;
	d->pf->unlock(d->ctx);
	return c;
}

void pp_dext_client_close(struct pp_dext_client *c)
{
	const struct pp_dext_platform *pf;
	struct pp_dext_dev *d;
	bool free_dev;
	void *ctx;

	if (!c)
		return;
	d = c->dev;
	/* Once unlocked, d may be freed by a pp_dext_device_free running
	 * elsewhere (when this was the last client): keep what we need. */
	pf = d->pf;
	ctx = d->ctx;
	pf->lock(ctx);
	if (d->owner == c)
		release_locked(c);
	d->nclients--;
	free_dev = d->dying && !d->nclients;
	pf->unlock(ctx);
	dev_free(pf, ctx, c, sizeof(*c));
	if (free_dev)
		destroy_dev(d);
}

/* ---- selectors ----------------------------------------------------------------- */

typedef int (*pp_dext_handler)(struct pp_dext_client *c,
			       struct pp_dext_args *a, uint32_t count);

static int sel_info(struct pp_dext_client *c, struct pp_dext_args *a,
		    uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	struct pp_dext_info in;

	(void)count;
	memset(&in, 0, sizeof(in));
	in.abi_version = PP_DEXT_ABI_VERSION;
	if (d->owner)
		in.state |= PP_DEXT_STATE_CLAIMED;
	if (d->owner == c)
		in.state |= PP_DEXT_STATE_MINE;
	if (atomic_load(&d->gone))
		in.state |= PP_DEXT_STATE_GONE;
	if (d->irq_type)
		in.state |= PP_DEXT_STATE_IRQ_CONFIGURED;
	in.vendor = d->vendor;
	in.device = d->device;
	in.subsys_vendor = d->subsys_vendor;
	in.subsys_device = d->subsys_device;
	in.class_code = d->class_code;
	in.revision = d->revision;
	in.header_type = d->header_type;
	in.bus = d->bus;
	in.dev = d->devno;
	in.fn = d->fn;
	in.irq_type = (uint8_t)d->irq_type;
	in.nr_vectors = d->msix_cap ? d->msix_vectors : d->msi_vectors;
	in.irq_granted = (uint16_t)d->irq_granted;
	in.msi_cap = d->msi_cap;
	in.msix_cap = d->msix_cap;
	in.max_map_batch = PP_DEXT_MAP_BATCH_MAX;
	in.max_unmap_batch = PP_DEXT_UNMAP_BATCH_MAX;
	in.page_size = PP_DEXT_PAGE_SIZE;
	in.max_entries = d->cfg.max_entries;
	in.cap_bytes = d->cfg.cap_bytes;
	in.max_map_len = d->cfg.max_map_len;
	in.registry_id = d->registry_id;
	memcpy(a->struct_out, &in, sizeof(in));
	return PP_OK;
}

static int sel_claim(struct pp_dext_client *c, struct pp_dext_args *a,
		     uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t version = a->scalar_in[0], flags = a->scalar_in[1];
	int st;

	(void)count;
	if (flags & ~(uint64_t)PP_DEXT_CLAIM_FLAGS_KNOWN)
		return PP_ERR_RESERVED;
	if (version > UINT32_MAX || (version >> 16) != PP_DEXT_ABI_MAJOR)
		return PP_ERR_VERSION;
	if (!pp_dext_class_allowed(d->class_code, d->cfg.allow_multimedia))
		return PP_ERR_BADOP;
	if (d->owner == c)
		return PP_OK;
	if (d->owner)
		return PP_ERR_FAULT;
	st = pp_dext_dma_init(c);
	if (st != PP_OK)
		return st;
	d->owner = c;
	d->log_budget = LOG_BUDGET;
	/* A claim starts quiet: the guest's COMMAND writes decide. */
	quiesce(d);
	atomic_store(&d->events, 0);
	pp_irqlatch_clear(&d->latch);
	for (unsigned int v = 0; v < PP_DEXT_MAX_VECTORS; v++)
		pp_irqlatch_set_mask(&d->latch, v, false);
	if (d->irq_type) {
		d->pf->irq_enable(d->ctx, true);
		atomic_store(&d->irq_live, d->irq_granted);
	}
	d->stats.claims++;
	pp_dext_logf(d, "claimed (client abi %#llx)",
		     (unsigned long long)version);
	return PP_OK;
}

static int sel_release(struct pp_dext_client *c, struct pp_dext_args *a,
		       uint32_t count)
{
	(void)a;
	(void)count;
	release_locked(c);
	return PP_OK;
}

/* Size, range and alignment of a config access, in that order. */
static int check_cfg(uint64_t off, uint64_t size)
{
	if (size != 1 && size != 2 && size != 4)
		return PP_ERR_INVAL;
	if (off >= PP_DEXT_CFG_SIZE || off + size > PP_DEXT_CFG_SIZE)
		return PP_ERR_RANGE;
	if (off % size)
		return PP_ERR_ALIGN;
	return PP_OK;
}

static int sel_cfg_read(struct pp_dext_client *c, struct pp_dext_args *a,
			uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t off = a->scalar_in[0], size = a->scalar_in[1];
	int st = check_cfg(off, size);
	uint32_t v;

	(void)count;
	if (st != PP_OK)
		return st;
	v = cfg_rd(d, (uint32_t)off, (unsigned int)size, &st);
	if (st != PP_OK)
		return st;
	a->scalar_out[0] = v;
	return PP_OK;
}

/* Bytes of [off, off + size) inside [lo, hi). */
static unsigned int range_mask(uint32_t off, unsigned int size, uint32_t lo,
			       uint32_t hi)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < size; i++)
		if (off + i >= lo && off + i < hi)
			m |= 1u << i;
	return m;
}

/*
 * The dext's own addition to pp_cfg_write_mask: the interrupt capabilities
 * the kernel configured (ConfigureInterrupts) -- MSI control, address,
 * data and mask bits; MSI-X message control.  QEMU emulates both for the
 * guest; a write reaching the device would redirect or disable the host's
 * vectors.  (The MSI-X table lives in a BAR and is the client's to leave
 * alone: see docs/mac-dext.md.)
 */
static unsigned int protected_mask(struct pp_dext_dev *d, uint32_t off,
				   unsigned int size)
{
	unsigned int m = 0;

	if (d->msi_cap)
		m |= range_mask(off, size, d->msi_cap + 2u,
				(uint32_t)d->msi_cap + d->msi_len);
	if (d->msix_cap)
		m |= range_mask(off, size, d->msix_cap + 2u,
				d->msix_cap + 4u);
	return m;
}

static int sel_cfg_write(struct pp_dext_client *c, struct pp_dext_args *a,
			 uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t off = a->scalar_in[0], size = a->scalar_in[1];
	uint64_t val = a->scalar_in[2];
	unsigned int mask, full;
	int st = check_cfg(off, size);

	(void)count;
	if (st != PP_OK)
		return st;
	if (val >> (8 * size))
		return PP_ERR_INVAL;
	full = (1u << size) - 1;
	mask = pp_cfg_write_mask((uint32_t)off, (unsigned int)size) &
	       ~protected_mask(d, (uint32_t)off, (unsigned int)size);
	if (mask == full) {
		st = d->pf->cfg_write(d->ctx, (uint32_t)off, (unsigned int)size,
				      (uint32_t)val);
	} else {
		d->stats.cfg_writes_filtered++;
		/* The allowed bytes only: aligned pairs as 16-bit writes. */
		for (unsigned int i = 0; i < size && st == PP_OK; i++) {
			if (!(mask & (1u << i)))
				continue;
			if (!(i & 1) && i + 1 < size && (mask & (2u << i))) {
				st = d->pf->cfg_write(d->ctx,
						      (uint32_t)off + i, 2,
						      (uint32_t)(val >> (8 * i)) &
						      0xffff);
				i++;
			} else {
				st = d->pf->cfg_write(d->ctx,
						      (uint32_t)off + i, 1,
						      (uint32_t)(val >> (8 * i)) &
						      0xff);
			}
		}
	}
	if (st != PP_OK)
		return PP_ERR_HOST;
	a->scalar_out[0] = mask;
	return PP_OK;
}

static int sel_bar_info(struct pp_dext_client *c, struct pp_dext_args *a,
			uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t bar = a->scalar_in[0];
	struct pp_dext_bar_info bi;
	const struct pp_dext_bar *b;

	(void)count;
	if (bar > PP_DEXT_ROM_BAR)
		return PP_ERR_INVAL;
	b = &d->bars[bar];
	memset(&bi, 0, sizeof(bi));
	bi.size = b->size;
	bi.type = b->size ? b->type : PP_DEXT_BAR_NONE;
	bi.flags = b->flags;
	bi.memory_index = b->memory_index;
	bi.raw_type = b->raw_type;
	if (b->flags & PP_DEXT_BAR_F_MAPPABLE)
		bi.map_type = PP_DEXT_MAP_TYPE_BAR(bar);
	memcpy(a->struct_out, &bi, sizeof(bi));
	return PP_OK;
}

/* A BAR access: BAR 0..5 present, size 1/2/4/8, inside, aligned. */
static int check_bar(struct pp_dext_dev *d, uint64_t bar, uint64_t off,
		     uint64_t size, const struct pp_dext_bar **out)
{
	const struct pp_dext_bar *b;

	if (bar >= PP_DEXT_NR_BARS)
		return PP_ERR_INVAL;
	b = &d->bars[bar];
	if (!b->size)
		return PP_ERR_INVAL;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return PP_ERR_INVAL;
	if (off >= b->size || size > b->size - off)
		return PP_ERR_RANGE;
	if (off % size)
		return PP_ERR_ALIGN;
	*out = b;
	return PP_OK;
}

static int sel_bar_read(struct pp_dext_client *c, struct pp_dext_args *a,
			uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	const struct pp_dext_bar *b = NULL;
	uint64_t v = 0;
	int st = check_bar(d, a->scalar_in[0], a->scalar_in[1],
			   a->scalar_in[2], &b);

	(void)count;
	if (st != PP_OK)
		return st;
	if (d->pf->bar_read(d->ctx, b->memory_index, a->scalar_in[1],
			    (unsigned int)a->scalar_in[2], &v) != PP_OK)
		return PP_ERR_HOST;
	if (a->scalar_in[2] < 8)
		v &= (1ull << (8 * a->scalar_in[2])) - 1;
	a->scalar_out[0] = v;
	return PP_OK;
}

static int sel_bar_write(struct pp_dext_client *c, struct pp_dext_args *a,
			 uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	const struct pp_dext_bar *b = NULL;
	uint64_t size = a->scalar_in[2], v = a->scalar_in[3];
	int st = check_bar(d, a->scalar_in[0], a->scalar_in[1], size, &b);

	(void)count;
	if (st != PP_OK)
		return st;
	if (size < 8 && (v >> (8 * size)))
		return PP_ERR_INVAL;
	if (d->pf->bar_write(d->ctx, b->memory_index, a->scalar_in[1],
			     (unsigned int)size, v) != PP_OK)
		return PP_ERR_HOST;
	return PP_OK;
}

static int sel_dma_map(struct pp_dext_client *c, struct pp_dext_args *a,
		       uint32_t count)
{
	pp_dext_dma_map(c, a->struct_in, a->struct_out, count);
	return PP_OK;
}

static int sel_dma_unmap(struct pp_dext_client *c, struct pp_dext_args *a,
			 uint32_t count)
{
	pp_dext_dma_unmap(c, a->struct_in, a->struct_out, count);
	return PP_OK;
}

static int sel_dma_usage(struct pp_dext_client *c, struct pp_dext_args *a,
			 uint32_t count)
{
	struct pp_dext_dma_usage u;

	(void)count;
	pp_dext_dma_usage(c, &u);
	memcpy(a->struct_out, &u, sizeof(u));
	return PP_OK;
}

/* One kernel configuration of this kind (PP_OK, or why not). */
static int try_irq(struct pp_dext_dev *d, unsigned int type, unsigned int nvec)
{
	unsigned int avail = type == PP_DEXT_IRQ_MSIX ? d->msix_vectors :
			     d->msi_vectors;
	unsigned int n = nvec < avail ? nvec : avail, granted = 0;
	int st;

	if (!n)
		return PP_ERR_BADOP;        /* no such capability */
	st = d->pf->irq_configure(d->ctx, type, n, &granted);
	if (st != PP_OK || granted < 1 || granted > n) {
		pp_dext_logf(d, "%s x%u refused (%s, %u)",
			     type == PP_DEXT_IRQ_MSIX ? "MSI-X" : "MSI", n,
			     pp_status_name(st), granted);
		return PP_ERR_HOST;
	}
	d->irq_type = type;
	d->irq_granted = granted;
	return PP_OK;
}

static int configure_irq(struct pp_dext_dev *d, unsigned int type,
			 unsigned int nvec)
{
	int st;

	if (type != PP_DEXT_IRQ_ANY)
		return try_irq(d, type, nvec);
	/* ANY: MSI-X first; MSI when MSI-X is absent or refused. */
	st = try_irq(d, PP_DEXT_IRQ_MSIX, nvec);
	if (st == PP_OK)
		return st;
	return d->msi_vectors ? try_irq(d, PP_DEXT_IRQ_MSI, nvec) : st;
}

/* Whether an existing configuration serves a request of this type. */
static bool irq_compatible(unsigned int have, unsigned int want)
{
	return want == PP_DEXT_IRQ_ANY || want == have;
}

static int sel_irq_configure(struct pp_dext_client *c, struct pp_dext_args *a,
			     uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t type = a->scalar_in[0], nvec = a->scalar_in[1];
	int st;

	(void)count;
	if (type != PP_DEXT_IRQ_MSI && type != PP_DEXT_IRQ_MSIX &&
	    type != PP_DEXT_IRQ_ANY)
		return PP_ERR_INVAL;
	if (!nvec || nvec > PP_DEXT_MAX_VECTORS)
		return PP_ERR_COUNT;
	if (d->irq_type) {
		/* Once per device: a later request (this claim or a later
		 * one) is served by the existing configuration if the type
		 * fits; the count granted then is min(nvec, granted). */
		if (!irq_compatible(d->irq_type, (unsigned int)type))
			return PP_ERR_INVAL;
	} else {
		st = configure_irq(d, (unsigned int)type, (unsigned int)nvec);
		if (st != PP_OK)
			return st;
		d->pf->irq_enable(d->ctx, true);
	}
	atomic_store(&d->irq_live, d->irq_granted);
	a->scalar_out[0] = d->irq_type;
	a->scalar_out[1] = nvec < d->irq_granted ? nvec : d->irq_granted;
	return PP_OK;
}

static int sel_irq_wait(struct pp_dext_client *c, struct pp_dext_args *a,
			uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	void *old;

	(void)count;
	old = atomic_exchange(&d->wait_token, a->completion);
	if (old)
		finish_wait(d, old, PP_DEXT_IORET_ABORTED, 0);
	/* Arming after the condition became true must not sleep: whoever
	 * raised it may have found no token.  Recheck after publishing. */
	if (wake_reasons(d))
		wake(d);
	return PP_OK;
}

static int sel_irq_take(struct pp_dext_client *c, struct pp_dext_args *a,
			uint32_t count)
{
	uint64_t p[PP_IRQLATCH_WORDS];

	(void)count;
	pp_irqlatch_take(&c->dev->latch, p);
	for (unsigned int w = 0; w < PP_IRQLATCH_WORDS; w++)
		a->scalar_out[w] = p[w];
	return PP_OK;
}

static int sel_irq_mask(struct pp_dext_client *c, struct pp_dext_args *a,
			uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t vec = a->scalar_in[0], masked = a->scalar_in[1];

	(void)count;
	if (vec >= PP_DEXT_MAX_VECTORS || masked > 1)
		return PP_ERR_INVAL;
	if (pp_irqlatch_set_mask(&d->latch, (unsigned int)vec, masked != 0))
		wake(d);
	return PP_OK;
}

static int sel_events(struct pp_dext_client *c, struct pp_dext_args *a,
		      uint32_t count)
{
	struct pp_dext_dev *d = c->dev;

	(void)count;
	a->scalar_out[0] = atomic_exchange(&d->events, 0) |
			   (atomic_load(&d->gone) ? PP_DEXT_EV_GONE : 0);
	return PP_OK;
}

static int sel_reset(struct pp_dext_client *c, struct pp_dext_args *a,
		     uint32_t count)
{
	struct pp_dext_dev *d = c->dev;
	uint64_t type = a->scalar_in[0];
	int st;

	(void)count;
	if (type != PP_DEXT_RESET_FUNCTION && type != PP_DEXT_RESET_HOT)
		return PP_ERR_INVAL;
	st = d->pf->reset(d->ctx, (unsigned int)type);
	if (st != PP_OK && type == PP_DEXT_RESET_FUNCTION) {
		pp_dext_logf(d, "FLR failed (%s); hot reset",
			     pp_status_name(st));
		st = d->pf->reset(d->ctx, PP_DEXT_RESET_HOT);
	}
	return st == PP_OK ? PP_OK : PP_ERR_HOST;
}

/* ---- the checked dispatch table ----------------------------------------------- */

#define FIXED(nm, si, so, sti, sto, claim, gone_ok)                         \
	{ .name = nm, .scalar_in = si, .scalar_out = so, .struct_in = sti,   \
	  .struct_out = sto, .needs_claim = claim, .after_gone = gone_ok }

const struct pp_dext_method pp_dext_methods[PP_DEXT_SEL_COUNT] = {
	[PP_DEXT_SEL_INFO] = FIXED("info", 0, 0, 0,
				   sizeof(struct pp_dext_info), false, true),
	[PP_DEXT_SEL_CLAIM] = FIXED("claim", 2, 0, 0, 0, false, false),
	[PP_DEXT_SEL_RELEASE] = FIXED("release", 0, 0, 0, 0, true, true),
	[PP_DEXT_SEL_CFG_READ] = FIXED("cfg_read", 2, 1, 0, 0, true, false),
	[PP_DEXT_SEL_CFG_WRITE] = FIXED("cfg_write", 3, 1, 0, 0, true, false),
	[PP_DEXT_SEL_BAR_INFO] = FIXED("bar_info", 1, 0, 0,
				       sizeof(struct pp_dext_bar_info), true,
				       false),
	[PP_DEXT_SEL_BAR_READ] = FIXED("bar_read", 3, 1, 0, 0, true, false),
	[PP_DEXT_SEL_BAR_WRITE] = FIXED("bar_write", 4, 0, 0, 0, true, false),
	[PP_DEXT_SEL_DMA_MAP] = {
		.name = "dma_map", .scalar_in = 1,
		.struct_in = PP_DEXT_VAR, .struct_out = PP_DEXT_VAR,
		.entry_in = sizeof(struct pp_dext_map_in),
		.entry_out = sizeof(struct pp_dext_map_out),
		.max_count = PP_DEXT_MAP_BATCH_MAX, .needs_claim = true },
	[PP_DEXT_SEL_DMA_UNMAP] = {
		.name = "dma_unmap", .scalar_in = 1,
		.struct_in = PP_DEXT_VAR, .struct_out = PP_DEXT_VAR,
		.entry_in = sizeof(struct pp_dext_unmap_in),
		.entry_out = sizeof(int32_t),
		.max_count = PP_DEXT_UNMAP_BATCH_MAX, .needs_claim = true },
	[PP_DEXT_SEL_DMA_USAGE] = FIXED("dma_usage", 0, 0, 0,
					sizeof(struct pp_dext_dma_usage), true,
					false),
	[PP_DEXT_SEL_IRQ_CONFIGURE] = FIXED("irq_configure", 2, 2, 0, 0, true,
					    false),
	[PP_DEXT_SEL_IRQ_WAIT] = {
		.name = "irq_wait", .async = true, .needs_claim = true },
	[PP_DEXT_SEL_IRQ_TAKE] = FIXED("irq_take", 0, PP_DEXT_IRQ_WORDS, 0, 0,
				       true, false),
	[PP_DEXT_SEL_IRQ_MASK] = FIXED("irq_mask", 2, 0, 0, 0, true, false),
	[PP_DEXT_SEL_EVENTS] = FIXED("events", 0, 1, 0, 0, true, true),
	[PP_DEXT_SEL_RESET] = FIXED("reset", 1, 0, 0, 0, true, false),
};

static const pp_dext_handler handlers[PP_DEXT_SEL_COUNT] = {
	[PP_DEXT_SEL_INFO] = sel_info,
	[PP_DEXT_SEL_CLAIM] = sel_claim,
	[PP_DEXT_SEL_RELEASE] = sel_release,
	[PP_DEXT_SEL_CFG_READ] = sel_cfg_read,
	[PP_DEXT_SEL_CFG_WRITE] = sel_cfg_write,
	[PP_DEXT_SEL_BAR_INFO] = sel_bar_info,
	[PP_DEXT_SEL_BAR_READ] = sel_bar_read,
	[PP_DEXT_SEL_BAR_WRITE] = sel_bar_write,
	[PP_DEXT_SEL_DMA_MAP] = sel_dma_map,
	[PP_DEXT_SEL_DMA_UNMAP] = sel_dma_unmap,
	[PP_DEXT_SEL_DMA_USAGE] = sel_dma_usage,
	[PP_DEXT_SEL_IRQ_CONFIGURE] = sel_irq_configure,
	[PP_DEXT_SEL_IRQ_WAIT] = sel_irq_wait,
	[PP_DEXT_SEL_IRQ_TAKE] = sel_irq_take,
	[PP_DEXT_SEL_IRQ_MASK] = sel_irq_mask,
	[PP_DEXT_SEL_EVENTS] = sel_events,
	[PP_DEXT_SEL_RESET] = sel_reset,
};

static int dispatch(struct pp_dext_client *c, uint32_t selector,
		    struct pp_dext_args *a, uint64_t *out_size)
{
	const struct pp_dext_method *m;
	struct pp_dext_dev *d;
	uint64_t need_in, need_out;
	uint32_t count = 0;
	int st;

	if (selector >= PP_DEXT_SEL_COUNT)
		return PP_ERR_BADOP;
	m = &pp_dext_methods[selector];
	if (m->async != (a->completion != NULL))
		return PP_ERR_INVAL;
	if (a->scalar_in_count != m->scalar_in ||
	    (m->scalar_in && !a->scalar_in))
		return PP_ERR_INVAL;
	if (a->scalar_out_count != m->scalar_out ||
	    (m->scalar_out && !a->scalar_out))
		return PP_ERR_INVAL;
	if (m->struct_in == PP_DEXT_VAR) {
		if (!a->scalar_in[0] || a->scalar_in[0] > m->max_count)
			return PP_ERR_COUNT;
		count = (uint32_t)a->scalar_in[0];
		need_in = (uint64_t)count * m->entry_in;
		need_out = (uint64_t)count * m->entry_out;
	} else {
		need_in = m->struct_in;
		need_out = m->struct_out;
	}
	if (a->struct_in_size != need_in || (need_in && !a->struct_in))
		return PP_ERR_INVAL;
	if (a->struct_out_size != need_out || (need_out && !a->struct_out))
		return PP_ERR_INVAL;

	d = c->dev;
	d->pf->lock(d->ctx);
	if (atomic_load(&d->gone) && !m->after_gone)
		st = PP_ERR_HOST;
	else if (m->needs_claim && d->owner != c)
		st = PP_ERR_NOTREADY;
	else
		st = handlers[selector](c, a, count);
	d->pf->unlock(d->ctx);
	*out_size = need_out;
	return st;
}

/*
 * The shape checks, in this order, before anything else runs:
 *   selector known                             else PP_ERR_BADOP
 *   completion present iff the selector is async  else PP_ERR_INVAL
 *   scalar input / output counts exact            else PP_ERR_INVAL
 *   batched: count (scalar 0) in 1..max           else PP_ERR_COUNT
 *   structure input / output sizes exact          else PP_ERR_INVAL
 * then, under the device lock:
 *   device gone (unless the selector is served after it)  PP_ERR_HOST
 *   caller owns the device (if the selector needs it)     PP_ERR_NOTREADY
 * and the selector's own field checks.  On any failure the output counts
 * are set to zero (nothing to copy back).
 */
int pp_dext_dispatch(struct pp_dext_client *c, uint32_t selector,
		     struct pp_dext_args *a)
{
	uint64_t out_size = 0;
	int st;

	if (!a)
		return PP_ERR_INVAL;
	st = c ? dispatch(c, selector, a, &out_size) : PP_ERR_INVAL;
	if (st == PP_OK) {
		a->scalar_out_count = pp_dext_methods[selector].scalar_out;
		a->struct_out_size = (size_t)out_size;
	} else {
		a->scalar_out_count = 0;
		a->struct_out_size = 0;
	}
	return st;
}

size_t pp_dext_expected_struct_out(uint32_t selector,
				   const uint64_t *scalar_in,
				   uint32_t scalar_in_count)
{
	const struct pp_dext_method *m;

	if (selector >= PP_DEXT_SEL_COUNT)
		return 0;
	m = &pp_dext_methods[selector];
	if (m->struct_out != PP_DEXT_VAR)
		return m->struct_out;
	if (scalar_in_count != m->scalar_in || !scalar_in || !scalar_in[0] ||
	    scalar_in[0] > m->max_count)
		return 0;
	return (size_t)scalar_in[0] * m->entry_out;
}

int pp_dext_map_type(struct pp_dext_client *c, uint64_t type,
		     uint8_t *memory_index, uint64_t *size)
{
	struct pp_dext_dev *d = c->dev;
	int st = PP_OK;

	d->pf->lock(d->ctx);
	if (atomic_load(&d->gone)) {
		st = PP_ERR_HOST;
	} else if (d->owner != c) {
		st = PP_ERR_NOTREADY;
	} else if (type < PP_DEXT_MAP_TYPE_FIRST ||
		   type > PP_DEXT_MAP_TYPE_LAST) {
		st = PP_ERR_INVAL;
	} else {
		const struct pp_dext_bar *b =
			&d->bars[type - PP_DEXT_MAP_TYPE_FIRST];

		if (!(b->flags & PP_DEXT_BAR_F_MAPPABLE)) {
			st = PP_ERR_INVAL;
		} else {
			*memory_index = b->memory_index;
			*size = b->size;
		}
	}
	d->pf->unlock(d->ctx);
	return st;
}

/* ---- introspection --------------------------------------------------------------- */

void pp_dext_get_stats(struct pp_dext_dev *d, struct pp_dext_stats *st)
{
	d->pf->lock(d->ctx);
	*st = d->stats;
	d->pf->unlock(d->ctx);
	st->irq_raised = atomic_load(&d->irq_raised);
	st->irq_spurious = atomic_load(&d->irq_spurious);
	st->irq_wakeups = atomic_load(&d->irq_wakeups);
	st->waits_completed = atomic_load(&d->waits_completed);
	st->waits_aborted = atomic_load(&d->waits_aborted);
	st->waits_armed = st->waits_completed + st->waits_aborted +
			  (atomic_load(&d->wait_token) ? 1 : 0);
}

size_t pp_dext_client_mem(const struct pp_dext_client *c)
{
	return c->mem;
}

size_t pp_dext_client_mem_bound(const struct pp_dext_config *cfg)
{
	struct pp_dext_config k = *cfg;

	pp_dext_config_sanitize(&k);
	return sizeof(struct pp_dext_client) + sizeof(struct pp_dext_dma) +
	       (size_t)k.max_entries * (PP_DEXT_HANDLE_SLOT_BYTES +
					sizeof(struct pp_dext_reg));
}

size_t pp_dext_device_mem(const struct pp_dext_dev *d)
{
	return d->mem;
}

struct walk_ctx {
	int (*fn)(void *arg, uint64_t bus, uint64_t addr, uint64_t len,
		  uint32_t handle);
	void *arg;
};

static int walk_one(void *arg, struct pp_avl_node *n)
{
	struct walk_ctx *w = arg;
	struct pp_dext_reg *r = pp_container_of(n, struct pp_dext_reg, node);

	return w->fn(w->arg, n->key, r->addr, r->len, r->handle);
}

void pp_dext_walk_regs(struct pp_dext_client *c,
		       int (*fn)(void *arg, uint64_t bus, uint64_t addr,
				 uint64_t len, uint32_t handle),
		       void *arg)
{
	struct pp_dext_dev *d = c->dev;
	struct walk_ctx w = { fn, arg };

	d->pf->lock(d->ctx);
	if (c->dma)
		pp_avl_walk(&c->dma->by_bus, walk_one, &w);
	d->pf->unlock(d->ctx);
}
