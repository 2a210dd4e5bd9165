// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fake platform of the dext core's tests (contract: fakepf.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakepf.h"

#define PG PP_DEXT_PAGE_SIZE
#define PREP_MAGIC 0x70726570u   /* "prep" */
#define MAX_PIECES 4096u

struct pp_fake_prep {
	uint32_t magic;
	unsigned int nseg;
	uint64_t addr, len;
	struct pp_dext_seg segs[PP_DEXT_MAX_SEGMENTS]; /* reported ones */
	uint64_t bus_lo, bus_hi;                     /* whole IOVA span */
	struct pp_fake_prep *next, *prev;
};

static void put16(struct pp_fake *f, uint32_t off, uint16_t v)
{
	f->cfg[off] = (uint8_t)v;
	f->cfg[off + 1] = (uint8_t)(v >> 8);
}

static void put32(struct pp_fake *f, uint32_t off, uint32_t v)
{
	put16(f, off, (uint16_t)v);
	put16(f, off + 2, (uint16_t)(v >> 16));
}

uint16_t pp_fake_cfg16(const struct pp_fake *f, uint32_t off)
{
	return (uint16_t)(f->cfg[off] | f->cfg[off + 1] << 8);
}

uint32_t pp_fake_cfg32(const struct pp_fake *f, uint32_t off)
{
	return pp_fake_cfg16(f, off) | (uint32_t)pp_fake_cfg16(f, off + 2) << 16;
}

void pp_fake_set_bar(struct pp_fake *f, unsigned int bar, uint64_t size,
		     uint8_t raw_type, uint8_t memory_index)
{
	f->bar[bar].size = size;
	f->bar[bar].raw_type = raw_type;
	f->bar[bar].memory_index = memory_index;
	f->bar[bar].present = size != 0;
}

void pp_fake_init(struct pp_fake *f)
{
	pthread_mutexattr_t at;

	memset(f, 0, sizeof(*f));
	put32(f, 0x00, 0x2b8510de);
	put16(f, 0x04, 0x0000);            /* COMMAND */
	put16(f, 0x06, 0x0010);            /* STATUS: capability list */
	put32(f, 0x08, 0x030000a1);        /* class 030000 rev a1 */
	f->cfg[0x0e] = 0x80;               /* multi-function, type 0 */
	put32(f, 0x10, 0xf0000000);        /* BAR values (host-owned) */
	put32(f, 0x14, 0x0000000c);
	put32(f, 0x2c, 0x205710de);        /* subsystem */
	put32(f, 0x30, 0xfff00000);        /* ROM BAR */
	f->cfg[0x34] = 0x60;
	/* PM at 0x60 -> MSI at 0x68 (24 bytes) -> MSI-X at 0x80 -> end */
	f->cfg[0x60] = 0x01;
	f->cfg[0x61] = 0x68;
	f->cfg[0x68] = 0x05;
	f->cfg[0x69] = 0x80;
	put16(f, 0x6a, 0x0180);            /* 64-bit, per-vector mask, 1 vec */
	f->cfg[0x80] = 0x11;
	f->cfg[0x81] = 0x00;
	put16(f, 0x82, 0x0008);            /* 9 vectors */
	put32(f, 0x84, 0x00fa0000);        /* table in BAR0 */
	put32(f, 0x88, 0x00fb0000);        /* PBA in BAR0 */

	pp_fake_set_bar(f, 0, 16ull << 20, PP_DEXT_RAW_BAR_M32, 0);
	pp_fake_set_bar(f, 1, 256ull << 20, PP_DEXT_RAW_BAR_M64PF, 1);
	pp_fake_set_bar(f, 3, 32ull << 20, PP_DEXT_RAW_BAR_M64PF, 2);
	pp_fake_set_bar(f, 5, 128, PP_DEXT_RAW_BAR_IO, 3);
	pp_fake_set_bar(f, 6, 512ull << 10, PP_DEXT_RAW_BAR_M32, 4);

	f->next_iova = 0x100000;
	f->max_segs = PP_DEXT_MAX_SEGMENTS;
	f->grant_mask = PP_DEXT_PROT_RW;
	f->quiet = true;
	pthread_mutexattr_init(&at);
	pthread_mutexattr_settype(&at, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&f->mutex, &at);
	pthread_mutexattr_destroy(&at);
	atomic_init(&f->completions, 0);
	atomic_init(&f->lock_depth, 0);
}

void pp_fake_fini(struct pp_fake *f)
{
	while (f->preps) {
		struct pp_fake_prep *p = f->preps;

		f->preps = p->next;
		free(p);
	}
	pthread_mutex_destroy(&f->mutex);
}

void pp_fake_set_class(struct pp_fake *f, uint32_t class_code)
{
	put32(f, 0x08, class_code << 8 | f->cfg[0x08]);
}

void pp_fake_no_caps(struct pp_fake *f)
{
	put16(f, 0x06, 0x0000);
	f->cfg[0x34] = 0;
}

bool pp_fake_covers(const struct pp_fake *f, uint64_t bus, uint64_t len,
		    uint64_t *addr)
{
	for (const struct pp_fake_prep *p = f->preps; p; p = p->next) {
		uint64_t run;

		if (!p->nseg || p->segs[0].addr != bus)
			continue;
		run = p->segs[0].len;
		for (unsigned int i = 1; i < p->nseg; i++) {
			if (p->segs[i - 1].addr + p->segs[i - 1].len !=
			    p->segs[i].addr)
				break;
			run += p->segs[i].len;
		}
		if (run >= len) {
			if (addr)
				*addr = p->addr;
			return true;
		}
	}
	return false;
}

/* ---- device ops ---- */

static int f_cfg_read(void *dev, uint32_t off, unsigned int size,
		      uint32_t *val)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	if (f->cfg_fail || off + size > PP_DEXT_CFG_SIZE) {
		*val = 0xffffffffu;
		return PP_ERR_HOST;
	}
	*val = 0;
	for (unsigned int i = 0; i < size; i++)
		*val |= (uint32_t)f->cfg[off + i] << (8 * i);
	return PP_OK;
}

static int f_cfg_write(void *dev, uint32_t off, unsigned int size,
		       uint32_t val)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	if (f->cfg_fail || off + size > PP_DEXT_CFG_SIZE ||
	    (size != 1 && size != 2 && size != 4) || off % size)
		return PP_ERR_HOST;
	for (unsigned int i = 0; i < size; i++)
		f->cfg[off + i] = (uint8_t)(val >> (8 * i));
	f->cfg_writes++;
	if (f->nwlog < PP_FAKE_WLOG) {
		f->wlog[f->nwlog].off = off;
		f->wlog[f->nwlog].size = size;
		f->wlog[f->nwlog].val = val;
		f->nwlog++;
	}
	return PP_OK;
}

static int f_bar_info(void *dev, unsigned int bar, uint8_t *memory_index,
		      uint64_t *size, uint8_t *raw_type)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	if (bar > PP_DEXT_ROM_BAR || !f->bar[bar].present)
		return PP_ERR_NOENT;
	*memory_index = f->bar[bar].memory_index;
	*size = f->bar[bar].size;
	*raw_type = f->bar[bar].raw_type;
	return PP_OK;
}

static int f_bar_read(void *dev, uint8_t memory_index, uint64_t off,
		      unsigned int size, uint64_t *val)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	(void)size;
	*val = 0x0123456789abcdefull ^ off ^ memory_index;
	return PP_OK;
}

static int f_bar_write(void *dev, uint8_t memory_index, uint64_t off,
		       unsigned int size, uint64_t val)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	(void)off;
	(void)size;
	f->bar_last_write[memory_index & 7] = val;
	return PP_OK;
}

static int f_irq_configure(void *dev, unsigned int type, unsigned int nvec,
			   unsigned int *granted)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	f->irq_calls++;
	if (type == PP_DEXT_IRQ_MSIX && f->irq_fail_msix)
		return f->irq_fail_msix;
	if (type == PP_DEXT_IRQ_MSI && f->irq_fail_msi)
		return f->irq_fail_msi;
	if (f->irq_type)       /* the kernel: once per nub */
		return PP_ERR_HOST;
	f->irq_type = type;
	f->irq_granted = f->irq_grant_max && nvec > f->irq_grant_max ?
			 f->irq_grant_max : nvec;
	*granted = f->irq_granted;
	return PP_OK;
}

static void f_irq_enable(void *dev, bool on)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	f->irq_enable_calls++;
	f->irq_enabled = on;
}

static int f_reset(void *dev, unsigned int type)
{
	struct pp_fake *f = dev;

	f->device_calls++;
	if (type >= 3)
		return PP_ERR_INVAL;
	f->resets[type]++;
	if (type == PP_DEXT_RESET_FUNCTION && f->reset_fail_flr)
		return f->reset_fail_flr;
	if (type == PP_DEXT_RESET_HOT && f->reset_fail_hot)
		return f->reset_fail_hot;
	return PP_OK;
}

static void f_complete_wait(void *dev, void *token, uint32_t ioret,
			    const uint64_t *args, unsigned int nargs)
{
	struct pp_fake *f = dev;
	unsigned int i = atomic_load(&f->completions) % PP_FAKE_CPL;

	f->cpl[i].token = token;
	f->cpl[i].ioret = ioret;
	for (unsigned int k = 0; k < PP_DEXT_WAIT_NARGS && k < nargs; k++)
		f->cpl[i].args[k] = args[k];
	if (f->on_complete)
		f->on_complete(f, token, ioret, args);
	atomic_fetch_add(&f->completions, 1);
}

static void f_lock(void *dev)
{
	struct pp_fake *f = dev;

	if (pthread_mutex_lock(&f->mutex)) {
		f->lock_errors++;          /* recursion: EDEADLK */
		return;
	}
	atomic_fetch_add(&f->lock_depth, 1);
}

static void f_unlock(void *dev)
{
	struct pp_fake *f = dev;

	atomic_fetch_sub(&f->lock_depth, 1);
	if (pthread_mutex_unlock(&f->mutex))
		f->lock_errors++;          /* not held: EPERM */
}

static void f_log(void *dev, const char *line)
{
	struct pp_fake *f = dev;

	f->logs++;
	if (!f->quiet)
		fprintf(stderr, "dext: %s\n", line);
}

/* ---- the DART ---- */

static int f_dma_prepare(void *client, uint64_t addr, uint64_t len,
			 uint32_t prot, void **token,
			 struct pp_dext_seg segs[PP_DEXT_MAX_SEGMENTS],
			 unsigned int *nseg, uint32_t *granted_prot)
{
	struct pp_fake *f = client;
	struct pp_fake_prep *p;
	uint64_t a = addr, end = addr + len;
	unsigned int n = 0, pieces = 0;
	int st;

	if (f->fail_next) {
		st = f->fail_next;
		f->fail_next = 0;
		return st;
	}
	if (addr < f->bad_hi && end > f->bad_lo)
		return PP_ERR_RANGE;
	p = calloc(1, sizeof(*p));
	if (!p)
		return PP_ERR_NOMEM;
	p->magic = PREP_MAGIC;
	p->addr = addr;
	p->len = len;
	if (f->dup_bus) {
		/* The DART hands out a range that is already live. */
		f->dup_bus = false;
		segs[0].addr = f->last_bus;
		segs[0].len = len;
		p->segs[0] = segs[0];
		n = 1;
		p->bus_lo = f->last_bus;
		p->bus_hi = f->last_bus + len;
	} else {
		p->bus_lo = f->next_iova;
		while (a < end && pieces < MAX_PIECES) {
			uint64_t piece = end - a, pg_off = a & (PG - 1);

			if (f->split_every) {
				uint64_t next = (a / f->split_every + 1) *
						f->split_every;

				if (next < end)
					piece = next - a;
			}
			if (f->force_split && a == addr && len > 1 &&
			    len / 2 < piece)
				piece = len / 2;    /* two halves */
			if (n < f->max_segs && n < PP_DEXT_MAX_SEGMENTS) {
				segs[n].addr = f->next_iova + pg_off;
				segs[n].len = piece;
				p->segs[n] = segs[n];
				n++;
			}
			f->next_iova += (pg_off + piece + PG - 1) & ~(uint64_t)(PG - 1);
			if (!f->adjacent)
				f->next_iova += PG;    /* a hole */
			a += piece;
			pieces++;
		}
		p->bus_hi = f->next_iova;
	}
	if (f->force_split)
		f->force_split--;
	if (f->zero_segs) {
		f->zero_segs--;
		n = 0;
	}
	switch (f->bad_seg) {
	case 1:
		if (n < PP_DEXT_MAX_SEGMENTS)
			segs[n++].len = 0;
		break;
	case 2:
		segs[0].len = len + 1;
		break;
	case 3:
		segs[0].addr = UINT64_MAX;  /* end wraps past 2^64 */
		break;
	}
	for (unsigned int i = 0; i < n; i++)
		p->segs[i] = segs[i];     /* what was reported */
	p->nseg = n;
	if (n)
		f->last_bus = segs[0].addr;
	if (f->bad_seg == 4) {
		/* A platform bug: success without a token (nothing kept). */
		f->bad_seg = 0;
		free(p);
		*token = NULL;
		*nseg = n;
		*granted_prot = prot;
		return PP_OK;
	}
	p->next = f->preps;
	if (f->preps)
		f->preps->prev = p;
	f->preps = p;
	f->live_preps++;
	f->prepares++;
	*token = p;
	f->bad_seg = 0;
	*nseg = n;
	*granted_prot = prot & f->grant_mask;
	return PP_OK;
}

static int f_dma_complete(void *client, void *token)
{
	struct pp_fake *f = client;
	struct pp_fake_prep *p = token;

	if (!p || p->magic != PREP_MAGIC) {
		f->complete_errors++;      /* double complete, bad token */
		return PP_ERR_HOST;
	}
	if (f->cfg[0x04] & 0x4)
		f->completes_with_bme++;
	p->magic = 0;
	if (p->prev)
		p->prev->next = p->next;
	else
		f->preps = p->next;
	if (p->next)
		p->next->prev = p->prev;
	free(p);
	f->live_preps--;
	f->completes++;
	return f->complete_fail ? f->complete_fail : PP_OK;
}

/* ---- memory ---- */

struct mem_hdr {
	size_t size;
	size_t pad;
};

static void *f_mem_alloc(void *dev, size_t size)
{
	struct pp_fake *f = dev;
	struct mem_hdr *h;

	if (f->alloc_fail_in > 0 && --f->alloc_fail_in == 0)
		return NULL;
	h = calloc(1, sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	f->mem_live += size;
	return h + 1;
}

static void f_mem_free(void *dev, void *p, size_t size)
{
	struct pp_fake *f = dev;
	struct mem_hdr *h = (struct mem_hdr *)p - 1;

	if (h->size != size)
		f->mem_errors++;
	f->mem_live -= h->size;
	free(h);
}

const struct pp_dext_platform pp_fake_platform = {
	.cfg_read = f_cfg_read,
	.cfg_write = f_cfg_write,
	.bar_info = f_bar_info,
	.bar_read = f_bar_read,
	.bar_write = f_bar_write,
	.irq_configure = f_irq_configure,
	.irq_enable = f_irq_enable,
	.reset = f_reset,
	.complete_wait = f_complete_wait,
	.lock = f_lock,
	.unlock = f_unlock,
	.log = f_log,
	.dma_prepare = f_dma_prepare,
	.dma_complete = f_dma_complete,
	.mem_alloc = f_mem_alloc,
	.mem_free = f_mem_free,
};
