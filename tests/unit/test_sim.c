/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the sim backend (hosts/sim, docs/host-interface.md,
 * docs/sim-gpu.md) through the host-backend interface only, as QEMU uses
 * it, plus the registry and the shared config-write rule (hosts/host.c).
 * Device-side checks go through registers and memory; pp_sim_inspect only
 * confirms what the interface cannot show (leaks, engine thread, DART).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pcipass/host.h>
#include <pcipass/proto.h>

#include "../../hosts/sim/sim.h"
#include "../../hosts/sim/sim_gpu_regs.h"

#define PG 16384u
#define ID0 "sim0:01:00.0"
#define ID1 "sim0:01:00.1"

/* ---- helpers --------------------------------------------------------------- */

static struct pp_host *mk(const char *args)
{
	int st = -1;
	struct pp_host *h = pp_host_create("sim", args, &st);

	assert_non_null(h);
	assert_int_equal(st, PP_OK);
	return h;
}

static struct pp_host_dev *op(struct pp_host *h, const char *id)
{
	struct pp_host_dev *d = NULL;

	assert_int_equal(h->ops->open(h, id, &d), PP_OK);
	assert_non_null(d);
	return d;
}

static uint32_t cfg(struct pp_host_dev *d, uint32_t off, unsigned int size)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(d->ops->cfg_read(d, off, size, &v), PP_OK);
	return v;
}

static void cfgw(struct pp_host_dev *d, uint32_t off, unsigned int size,
		 uint32_t v)
{
	assert_int_equal(d->ops->cfg_write(d, off, size, v), PP_OK);
}

static uint32_t rd(struct pp_host_dev *d, uint64_t off)
{
	uint64_t v = 0;

	assert_int_equal(d->ops->bar_read(d, 0, off, 4, &v), PP_OK);
	return (uint32_t)v;
}

static uint64_t rd64(struct pp_host_dev *d, uint64_t off)
{
	uint64_t v = 0;

	assert_int_equal(d->ops->bar_read(d, 0, off, 8, &v), PP_OK);
	return v;
}

static void wr(struct pp_host_dev *d, uint64_t off, uint32_t v)
{
	assert_int_equal(d->ops->bar_write(d, 0, off, 4, v), PP_OK);
}

static void wr64(struct pp_host_dev *d, uint64_t off, uint64_t v)
{
	assert_int_equal(d->ops->bar_write(d, 0, off, 8, v), PP_OK);
}

/* MSE and BME, as a guest driver's pci_enable_device + pci_set_master. */
static void enable(struct pp_host_dev *d)
{
	cfgw(d, 0x04, 2, 0x0006);
}

/* Offset of a capability, found by walking the list as a guest does. */
static uint32_t find_cap(struct pp_host_dev *d, uint8_t id)
{
	uint32_t p = cfg(d, 0x34, 1);

	for (int n = 0; p && n < 48; n++, p = cfg(d, p + 1, 1))
		if (cfg(d, p, 1) == id)
			return p;
	fail_msg("capability 0x%x not found", id);
	return 0;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static bool has(const uint64_t p[4], unsigned int v)
{
	return (p[v / 64] >> (v % 64)) & 1;
}

static unsigned int npending(const uint64_t p[4])
{
	unsigned int n = 0;

	for (int w = 0; w < 4; w++)
		n += (unsigned int)__builtin_popcountll(p[w]);
	return n;
}

/* Waits until the engine leaves BUSY (or times out: fails the test). */
static uint32_t wait_engine(struct pp_host_dev *d)
{
	for (int i = 0; i < 5000; i++) {
		uint32_t s = rd(d, SIMGPU_REG_ENGINE_STATUS);

		if (SIMGPU_STATUS_STATE(s) != SIMGPU_STATE_BUSY &&
		    rd(d, SIMGPU_REG_RING_HEAD) == rd(d, SIMGPU_REG_RING_TAIL))
			return s;
		if (SIMGPU_STATUS_STATE(s) == SIMGPU_STATE_ERROR)
			return s;
		usleep(1000);
	}
	fail_msg("engine still busy");
	return 0;
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void *alloc_pages(size_t bytes)
{
	void *p = aligned_alloc(PG, (bytes + PG - 1) / PG * PG);

	assert_non_null(p);
	return p;
}

static uint64_t map1(struct pp_host_dev *d, void *p, uint64_t len,
		     uint32_t prot)
{
	struct pp_dma_req r = {
		.addr = (uint64_t)(uintptr_t)p, .len = len, .prot = prot,
	};

	assert_int_equal(d->ops->dma_map(d, &r, 1), PP_OK);
	assert_int_equal(r.status, PP_OK);
	assert_true(r.bus != 0);
	return r.bus;
}

static void unmap1(struct pp_host_dev *d, uint64_t bus)
{
	int32_t st = -1;

	assert_int_equal(d->ops->dma_unmap(d, &bus, &st, 1), PP_OK);
	assert_int_equal(st, PP_OK);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void desc(uint8_t *ring, unsigned int i, uint32_t op, uint32_t flags,
		 uint64_t len, uint64_t src, uint64_t dst, uint64_t caddr,
		 uint64_t cval)
{
	uint8_t *d = ring + (size_t)i * SIMGPU_DESC_SIZE;

	memset(d, 0, SIMGPU_DESC_SIZE);
	put32(d + SIMGPU_DESC_OP, op);
	put32(d + SIMGPU_DESC_FLAGS, flags);
	put64(d + SIMGPU_DESC_LEN, len);
	put64(d + SIMGPU_DESC_SRC, src);
	put64(d + SIMGPU_DESC_DST, dst);
	put64(d + SIMGPU_DESC_COMPL_ADDR, caddr);
	put64(d + SIMGPU_DESC_COMPL_VALUE, cval);
}

/* A GPU claimed, enabled, interrupts configured, a 16-entry ring mapped. */
struct rig {
	struct pp_host *h;
	struct pp_host_dev *d;
	uint8_t *ring;
	uint64_t ring_bus;
	int fd;
};

static void rig_up(struct rig *r, const char *args)
{
	unsigned int granted = 0;

	r->h = mk(args);
	r->d = op(r->h, ID0);
	r->ring = alloc_pages(16 * SIMGPU_DESC_SIZE);
	memset(r->ring, 0, 16 * SIMGPU_DESC_SIZE);
	r->ring_bus = map1(r->d, r->ring, 16 * SIMGPU_DESC_SIZE, PP_MAP_READ);
	assert_int_equal(r->d->ops->irq_configure(r->d, PP_HOST_IRQ_MSIX, 8,
						  &granted), PP_OK);
	assert_int_equal(granted, 8);
	r->fd = r->d->ops->irq_fd(r->d);
	assert_true(r->fd >= 0);
	enable(r->d);
	wr64(r->d, SIMGPU_REG_RING_BASE, r->ring_bus);
	wr(r->d, SIMGPU_REG_RING_SIZE, 16);
	wr(r->d, SIMGPU_REG_IRQ_ENABLE, SIMGPU_IRQ_COMPLETION | SIMGPU_IRQ_ERROR);
}

static void rig_down(struct rig *r)
{
	r->d->ops->close(r->d);
	r->h->ops->destroy(r->h);
	free(r->ring);
}

/* ---- registry and the config-write rule ------------------------------------------ */

static void test_registry(void **state)
{
	int st = -1;
	struct pp_host *h;

	(void)state;
	assert_null(pp_host_create("nosuch", NULL, &st));
	assert_int_equal(st, PP_ERR_NOENT);
	assert_null(pp_host_create(NULL, NULL, &st));
	assert_int_equal(st, PP_ERR_INVAL);
#ifndef __APPLE__
	assert_null(pp_host_create("dext", NULL, &st));
	assert_int_equal(st, PP_ERR_NOENT);
#endif
	h = pp_host_create("sim", NULL, NULL);         /* status may be NULL */
	assert_non_null(h);
	assert_string_equal(h->ops->name, "sim");
	h->ops->destroy(h);
}

static void test_options(void **state)
{
	static const char *const good[] = {
		"", ",",
		("cap=1536M,entries=65536,placement=adversarial,seed=1,"
		 "vendor=0x7070,device=0x1000,functions=2,vram=256M,vectors=8"),
		"placement=first-fit", "placement=random,seed=99", "cap=16K",
		"vram=64K", "vectors=256", "grant=1", "split=32K", "revision=0xff",
		"notify=pipe", "functions=1", "vram=1g",
	};
	static const char *const bad[] = {
		"nosuch=1", "cap", "cap=", "cap=1K", "cap=-1", "cap=12Q",
		"entries=0", "placement=best", "vendor=0xffff", "vendor=0",
		"device=0xfffe", "functions=0", "functions=3", "vram=3M",
		"vram=32K", "vectors=3", "vectors=257", "grant=0", "split=1K",
		"revision=256", "notify=carrier-pigeon", "cap=99999999999999999999",
	};
	int st;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct pp_host *h = pp_host_create("sim", good[i], &st);

		if (!h)
			fail_msg("refused good options \"%s\"", good[i]);
		h->ops->destroy(h);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		st = -1;
		if (pp_host_create("sim", bad[i], &st))
			fail_msg("accepted bad options \"%s\"", bad[i]);
		assert_int_equal(st, PP_ERR_INVAL);
	}
}

static void test_cfg_write_mask(void **state)
{
	(void)state;
	/* COMMAND forwarded, STATUS dropped. */
	assert_int_equal(pp_host_cfg_write_mask(0x04, 4), 0x3);
	assert_int_equal(pp_host_cfg_write_mask(0x04, 2), 0x3);
	assert_int_equal(pp_host_cfg_write_mask(0x05, 1), 0x1);
	assert_int_equal(pp_host_cfg_write_mask(0x06, 2), 0x0);
	assert_int_equal(pp_host_cfg_write_mask(0x07, 1), 0x0);
	/* BARs 0x10-0x27 and the ROM BAR dropped, neighbours forwarded. */
	assert_int_equal(pp_host_cfg_write_mask(0x0c, 4), 0xf);
	for (uint32_t off = 0x10; off < 0x28; off += 4)
		assert_int_equal(pp_host_cfg_write_mask(off, 4), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x26, 2), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x28, 4), 0xf);
	assert_int_equal(pp_host_cfg_write_mask(0x2c, 4), 0xf);
	assert_int_equal(pp_host_cfg_write_mask(0x30, 4), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x33, 1), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x34, 4), 0xf);
	assert_int_equal(pp_host_cfg_write_mask(0x3c, 2), 0x3);
	assert_int_equal(pp_host_cfg_write_mask(0xffc, 4), 0xf);
	/* Malformed: nothing may be written. */
	assert_int_equal(pp_host_cfg_write_mask(0x04, 3), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x05, 2), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x06, 4), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x1000, 1), 0);
	assert_int_equal(pp_host_cfg_write_mask(0x0, 8), 0);
}

/* ---- enumerate, open, close ---------------------------------------------------------- */

static void test_enumerate(void **state)
{
	struct pp_host *h = mk(NULL);
	struct pp_host_dev_info in[4];
	unsigned int n = 99;

	(void)state;
	assert_int_equal(h->ops->enumerate(h, NULL, 0, &n), PP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(h->ops->enumerate(h, NULL, 1, &n), PP_ERR_INVAL);
	assert_int_equal(h->ops->enumerate(h, in, 4, NULL), PP_ERR_INVAL);
	memset(in, 0, sizeof(in));
	assert_int_equal(h->ops->enumerate(h, in, 1, &n), PP_OK);
	assert_int_equal(n, 2);                          /* total, not copied */
	assert_string_equal(in[0].id, ID0);
	assert_int_equal(in[1].vendor, 0);               /* not written */
	assert_int_equal(h->ops->enumerate(h, in, 4, &n), PP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(in[0].id, ID0);
	assert_string_equal(in[1].id, ID1);
	assert_true(strstr(in[0].location, "sim0") != NULL);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(in[i].segment, 0);
		assert_int_equal(in[i].bus, 1);
		assert_int_equal(in[i].dev, 0);
		assert_int_equal(in[i].fn, i);
		assert_int_equal(in[i].vendor, 0x7070);
		assert_int_equal(in[i].subsys_vendor, 0x7070);
		assert_int_equal(in[i].revision, 1);
		assert_true(in[i].owned);
	}
	assert_int_equal(in[0].device, 0x1000);
	assert_int_equal(in[1].device, 0x1001);
	assert_int_equal(in[0].class_code, 0x030200);
	assert_int_equal(in[1].class_code, 0x040300);
	assert_int_equal(in[0].nr_vectors, 8);
	assert_int_equal(in[1].nr_vectors, 1);
	h->ops->destroy(h);

	h = mk("functions=1,vendor=0x1234,device=0x5678,vectors=16,revision=7");
	assert_int_equal(h->ops->enumerate(h, in, 4, &n), PP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(in[0].vendor, 0x1234);
	assert_int_equal(in[0].device, 0x5678);
	assert_int_equal(in[0].nr_vectors, 16);
	assert_int_equal(in[0].revision, 7);
	h->ops->destroy(h);
}

static void test_open_close(void **state)
{
	struct pp_host *h = mk(NULL);
	struct pp_host_dev *d0, *d1, *x = NULL;
	struct pp_host_dev_info in;
	struct pp_sim_inspect si;

	(void)state;
	assert_int_equal(h->ops->open(h, "sim0:01:00.2", &x), PP_ERR_NOENT);
	assert_int_equal(h->ops->open(h, "01:00.0", &x), PP_ERR_NOENT);
	assert_int_equal(h->ops->open(h, NULL, &x), PP_ERR_INVAL);
	assert_null(x);
	d0 = op(h, ID0);
	/* The claim is exclusive. */
	assert_int_equal(h->ops->open(h, ID0, &x), PP_ERR_HOST);
	d1 = op(h, ID1);
	assert_int_equal(d0->ops->info(d0, &in), PP_OK);
	assert_string_equal(in.id, ID0);
	assert_int_equal(d1->ops->info(d1, &in), PP_OK);
	assert_string_equal(in.id, ID1);
	assert_int_equal(pp_sim_inspect(h, 0, &si), PP_OK);
	assert_true(si.open);
	assert_true(si.engine_thread);
	/* A claim starts with decoding and bus mastering off. */
	assert_int_equal(cfg(d0, 0x04, 2) & 0x6, 0);
	assert_true(d0->ops->irq_fd(d0) >= 0);
	d0->ops->close(d0);
	assert_int_equal(pp_sim_inspect(h, 0, &si), PP_OK);
	assert_false(si.open);
	assert_false(si.engine_thread);
	d0 = op(h, ID0);                                 /* claimable again */
	d0->ops->close(d0);
	d1->ops->close(d1);
	assert_int_equal(pp_sim_inspect(h, 2, &si), PP_ERR_INVAL);
	h->ops->destroy(h);
}

/* ---- config space ----------------------------------------------------------------------- */

/* Walks the capability list; returns the IDs in order. */
static unsigned int caps(struct pp_host_dev *d, uint8_t *ids, uint8_t *offs,
			 unsigned int max)
{
	unsigned int n = 0;
	uint32_t p;

	assert_true(cfg(d, 0x06, 2) & 0x10);            /* list present */
	p = cfg(d, 0x34, 1);
	while (p && n < max) {
		assert_int_equal(p & 3, 0);
		assert_true(p >= 0x40 && p < 0x100);
		ids[n] = (uint8_t)cfg(d, p, 1);
		offs[n++] = (uint8_t)p;
		p = cfg(d, p + 1, 1);
	}
	assert_int_equal(p, 0);                          /* terminated */
	return n;
}

static void test_cfg_read(void **state)
{
	struct pp_host *h = mk("vectors=12");
	struct pp_host_dev *d = op(h, ID0), *a = op(h, ID1);
	uint8_t ids[8], offs[8];
	unsigned int n, x = 0;
	uint32_t v;

	(void)state;
	assert_int_equal(cfg(d, 0x00, 4), 0x10007070);
	assert_int_equal(cfg(d, 0x00, 2), 0x7070);
	assert_int_equal(cfg(d, 0x02, 2), 0x1000);
	assert_int_equal(cfg(d, 0x01, 1), 0x70);
	assert_int_equal(cfg(d, 0x08, 4), 0x03020001);   /* class, revision */
	assert_int_equal(cfg(d, 0x0e, 1), 0x80);         /* multi-function */
	assert_int_equal(cfg(d, 0x2c, 4), 0x10007070);
	assert_int_equal(cfg(d, 0x3d, 1), 1);
	/* BAR registers carry the type bits (addresses are the host's). */
	assert_int_equal(cfg(d, 0x10, 4) & 0xf, 0x0);    /* mem32 */
	assert_int_equal(cfg(d, 0x14, 4) & 0xf, 0xc);    /* mem64, pref */
	assert_int_equal(cfg(d, 0x30, 4), 0);            /* no ROM */
	assert_int_equal(cfg(d, 0x100, 4), 0);           /* no ext caps */

	n = caps(d, ids, offs, 8);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 0x10);                  /* PCIe */
	assert_int_equal(ids[1], 0x11);                  /* MSI-X */
	v = cfg(d, offs[0] + 2, 2);
	assert_int_equal(v & 0xf, 2);                    /* version 2 */
	assert_int_equal((v >> 4) & 0xf, 0);             /* endpoint */
	assert_true(cfg(d, offs[0] + 4, 4) & (1u << 28)); /* FLR capable */
	v = cfg(d, offs[1] + 2, 2);
	assert_int_equal(v & 0x7ff, 11);                 /* table size - 1 */
	assert_int_equal(v & 0xc000, 0);                 /* off until set up */
	assert_int_equal(cfg(d, offs[1] + 4, 4), SIMGPU_MSIX_TABLE_OFF | 0);
	assert_int_equal(cfg(d, offs[1] + 8, 4), SIMGPU_MSIX_PBA_OFF | 0);
	/* The host's interrupt setup enables MSI-X in the device. */
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 4, &x), PP_OK);
	assert_int_equal(cfg(d, offs[1] + 2, 2) & 0xc000, 0x8000);

	/* The audio function: class, MSI then PCIe. */
	assert_int_equal(cfg(a, 0x00, 4), 0x10017070);
	assert_int_equal(cfg(a, 0x08, 4) >> 8, 0x040300);
	n = caps(a, ids, offs, 8);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 0x05);
	assert_int_equal(ids[1], 0x10);
	assert_int_equal(cfg(a, offs[0] + 2, 2) & 0x8e, 0x80); /* 64-bit, 1 vec */

	/* Malformed accesses. */
	assert_int_equal(d->ops->cfg_read(d, 0, 3, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_read(d, 2, 4, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_read(d, 0x1000, 1, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_read(d, 0xffe, 4, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_read(d, 0, 4, NULL), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_write(d, 1, 2, 0), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_write(d, 0, 8, 0), PP_ERR_INVAL);
	assert_int_equal(cfg(d, 0xffc, 4), 0);
	d->ops->close(d);
	a->ops->close(a);
	h->ops->destroy(h);
}

static void test_cfg_write_filtered(void **state)
{
	struct pp_host *h = mk(NULL);
	struct pp_host_dev *d = op(h, ID0);
	uint32_t bar0 = cfg(d, 0x10, 4), bar1 = cfg(d, 0x14, 4),
		 bar2 = cfg(d, 0x18, 4), st = cfg(d, 0x06, 2);

	(void)state;
	/* BAR sizing writes never reach the device: sizes come from bar_info. */
	for (uint32_t off = 0x10; off < 0x28; off += 4)
		cfgw(d, off, 4, 0xffffffff);
	cfgw(d, 0x30, 4, 0xffffffff);
	assert_int_equal(cfg(d, 0x10, 4), bar0);
	assert_int_equal(cfg(d, 0x14, 4), bar1);
	assert_int_equal(cfg(d, 0x18, 4), bar2);
	assert_int_equal(cfg(d, 0x30, 4), 0);
	/* COMMAND is forwarded, STATUS in the same dword is not. */
	cfgw(d, 0x04, 4, 0xffff0006);
	assert_int_equal(cfg(d, 0x04, 2), 0x0006);
	assert_int_equal(cfg(d, 0x06, 2), st);
	cfgw(d, 0x04, 2, 0xffff);
	assert_int_equal(cfg(d, 0x04, 2), 0x0546);       /* writable bits */
	cfgw(d, 0x04, 2, 0);
	assert_int_equal(cfg(d, 0x04, 2), 0);
	/* Read-only IDs stay, RW bytes take the write. */
	cfgw(d, 0x00, 4, 0x12345678);
	assert_int_equal(cfg(d, 0x00, 4), 0x10007070);
	cfgw(d, 0x3c, 1, 0x2a);
	assert_int_equal(cfg(d, 0x3c, 1), 0x2a);
	cfgw(d, 0x0c, 1, 0x10);
	assert_int_equal(cfg(d, 0x0c, 1), 0x10);
	d->ops->close(d);
	h->ops->destroy(h);
}

/* ---- BARs ---------------------------------------------------------------------------------- */

static void test_bar_info_map(void **state)
{
	struct pp_host *h = mk("vram=1M");
	struct pp_host_dev *d = op(h, ID0), *a = op(h, ID1);
	struct pp_host_bar_info bi;
	struct pp_sim_inspect si;
	void *p = NULL, *q = NULL;
	uint64_t len = 0, v = 0;

	(void)state;
	assert_int_equal(d->ops->bar_info(d, 0, &bi), PP_OK);
	assert_int_equal(bi.size, SIMGPU_BAR0_SIZE);
	assert_int_equal(bi.type, PP_HOST_BAR_MEM32);
	assert_false(bi.prefetchable);
	assert_false(bi.mappable);
	assert_int_equal(d->ops->bar_info(d, 1, &bi), PP_OK);
	assert_int_equal(bi.size, 1u << 20);
	assert_int_equal(bi.type, PP_HOST_BAR_MEM64);
	assert_true(bi.prefetchable);
	assert_true(bi.mappable);
	for (unsigned int b = 2; b < 6; b++) {              /* 2: upper half */
		assert_int_equal(d->ops->bar_info(d, b, &bi), PP_OK);
		assert_int_equal(bi.size, 0);
		assert_int_equal(bi.type, PP_HOST_BAR_NONE);
		assert_false(bi.mappable);
	}
	assert_int_equal(d->ops->bar_info(d, 6, &bi), PP_ERR_INVAL);
	assert_int_equal(a->ops->bar_info(a, 0, &bi), PP_OK);
	assert_int_equal(bi.size, SIMAUD_BAR0_SIZE);
	assert_false(bi.mappable);

	/* Trap-only and missing BARs refuse a mapping. */
	assert_int_equal(d->ops->bar_map(d, 0, &p, &len), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_map(d, 2, &p, &len), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_map(d, 6, &p, &len), PP_ERR_INVAL);
	assert_int_equal(a->ops->bar_map(a, 0, &p, &len), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_map(d, 1, &p, &len), PP_OK);
	assert_non_null(p);
	assert_int_equal(len, 1u << 20);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_int_equal(d->ops->bar_map(d, 1, &q, &len), PP_OK);
	assert_ptr_equal(p, q);
	assert_int_equal(pp_sim_inspect(h, 0, &si), PP_OK);
	assert_int_equal(si.bar_maps, 2);

	/* Stores through the pointer are what trapped reads see. */
	enable(d);
	memcpy((uint8_t *)p + 0x1000, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	assert_int_equal(d->ops->bar_read(d, 1, 0x1000, 8, &v), PP_OK);
	assert_int_equal(v, 0x8877665544332211ull);
	assert_int_equal(d->ops->bar_write(d, 1, 0xffff8, 8, 0x0102030405060708ull),
			 PP_OK);
	assert_int_equal(((uint8_t *)p)[0xffff8], 0x08);
	assert_int_equal(d->ops->bar_read(d, 1, 0xffffc, 4, &v), PP_OK);
	assert_int_equal(v, 0x01020304);
	/* Out of range, misaligned, bad size. */
	assert_int_equal(d->ops->bar_read(d, 1, 1u << 20, 4, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 1, 2, 4, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 0, 0, 3, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 0, 0, 16, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 2, 0, 4, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 0, SIMGPU_BAR0_SIZE - 4, 8, &v),
			 PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_write(d, 0, SIMGPU_BAR0_SIZE, 4, 0),
			 PP_ERR_INVAL);

	d->ops->bar_unmap(d, 1, p);
	d->ops->bar_unmap(d, 1, (uint8_t *)p + 1);          /* not ours: no-op */
	assert_int_equal(pp_sim_inspect(h, 0, &si), PP_OK);
	assert_int_equal(si.bar_maps, 1);
	d->ops->close(d);                                   /* drops the rest */
	assert_int_equal(pp_sim_inspect(h, 0, &si), PP_OK);
	assert_int_equal(si.bar_maps, 0);
	a->ops->close(a);
	h->ops->destroy(h);
}

static void test_registers(void **state)
{
	struct pp_host *h = mk("vram=1M,revision=7,vectors=12");
	struct pp_host_dev *d = op(h, ID0), *a = op(h, ID1);
	uint64_t v = 0;
	uint32_t id;

	(void)state;
	/* Memory space disabled: the device does not answer (all ones). */
	assert_int_equal(rd(d, SIMGPU_REG_ID), 0xffffffff);
	assert_int_equal(rd64(d, SIMGPU_REG_VRAM_SIZE), ~0ull);
	wr(d, SIMGPU_REG_SCRATCH, 0x1234);                  /* dropped */
	cfgw(d, 0x04, 2, 0x0002);
	assert_int_equal(rd(d, SIMGPU_REG_SCRATCH), 0);

	id = rd(d, SIMGPU_REG_ID);
	assert_int_equal(SIMGPU_ID_ARCH(id), SIMGPU_ARCH);
	assert_int_equal(SIMGPU_ID_IMPL(id), SIMGPU_IMPL_LOOPBACK);
	assert_int_equal(SIMGPU_ID_REV(id), 7);
	assert_int_equal(d->ops->bar_read(d, 0, SIMGPU_REG_ID + 3, 1, &v), PP_OK);
	assert_int_equal(v, SIMGPU_ARCH);
	assert_int_equal(d->ops->bar_read(d, 0, SIMGPU_REG_ID + 2, 2, &v), PP_OK);
	assert_int_equal(v, (uint32_t)SIMGPU_ARCH << 8 | SIMGPU_IMPL_LOOPBACK);
	wr(d, SIMGPU_REG_ID, 0);                            /* read-only */
	assert_int_equal(rd(d, SIMGPU_REG_ID), id);

	wr(d, SIMGPU_REG_SCRATCH, 0xa5a55a5a);
	assert_int_equal(rd(d, SIMGPU_REG_SCRATCH), 0xa5a55a5a);
	assert_int_equal(d->ops->bar_write(d, 0, SIMGPU_REG_SCRATCH, 2, 0), PP_OK);
	assert_int_equal(rd(d, SIMGPU_REG_SCRATCH), 0xa5a55a5a); /* narrow: dropped */
	assert_int_equal(rd64(d, SIMGPU_REG_VRAM_SIZE), 1u << 20);
	assert_int_equal(rd(d, SIMGPU_REG_VRAM_SIZE), 1u << 20);
	assert_int_equal(rd(d, SIMGPU_REG_VRAM_SIZE + 4), 0);
	assert_int_equal(rd(d, SIMGPU_REG_CAPS), SIMGPU_CAPS_ALL);
	assert_int_equal(rd(d, SIMGPU_REG_NR_VECTORS), 12);
	assert_int_equal(rd(d, SIMGPU_REG_ENGINE_STATUS), SIMGPU_STATE_IDLE);
	assert_int_equal(rd(d, SIMGPU_REG_IRQ_VEC_COMPLETION), 0);
	assert_int_equal(rd(d, SIMGPU_REG_IRQ_VEC_ERROR), 1);
	assert_int_equal(rd(d, 0x7ffc), 0);                 /* unimplemented */
	/* 64-bit register written as one 8-byte access or two halves. */
	wr64(d, SIMGPU_REG_RING_BASE, 0x123456789abcdec0ull);
	assert_int_equal(rd64(d, SIMGPU_REG_RING_BASE), 0x123456789abcdec0ull);
	wr(d, SIMGPU_REG_RING_BASE + 4, 0x1);
	assert_int_equal(rd64(d, SIMGPU_REG_RING_BASE), 0x19abcdec0ull);

	cfgw(a, 0x04, 2, 0x0002);
	assert_int_equal(a->ops->bar_read(a, 0, SIMAUD_REG_ID, 4, &v), PP_OK);
	assert_int_equal(SIMGPU_ID_IMPL(v), SIMGPU_IMPL_AUDIO);
	assert_int_equal(a->ops->bar_write(a, 0, SIMAUD_REG_SCRATCH, 4, 77), PP_OK);
	assert_int_equal(a->ops->bar_read(a, 0, SIMAUD_REG_SCRATCH, 4, &v), PP_OK);
	assert_int_equal(v, 77);
	d->ops->close(d);
	a->ops->close(a);
	h->ops->destroy(h);
}

/* ---- DMA and the copy engine ---------------------------------------------------------------- */

static void test_roundtrip(void **state)
{
	const size_t L = 300001;               /* odd: not a page multiple */
	struct rig r;
	struct pp_host_dma_usage u;
	uint8_t *srcb = malloc(L + 123), *dstb = malloc(L + 77), *vram;
	uint8_t *src = srcb + 123, *dst = dstb + 77;
	uint64_t *compl = alloc_pages(8), vram_len = 0, pending[4];
	struct pp_dma_req req[3];
	uint32_t s;

	(void)state;
	assert_non_null(srcb);
	assert_non_null(dstb);
	rig_up(&r, "vram=1M");
	rnd_state = 42;
	for (size_t i = 0; i < L; i++)
		src[i] = (uint8_t)rnd();
	memset(dst, 0, L);
	*compl = 0;

	memset(req, 0, sizeof(req));
	req[0] = (struct pp_dma_req){ .addr = (uintptr_t)src, .len = L, .prot = PP_MAP_READ };
	req[1] = (struct pp_dma_req){ .addr = (uintptr_t)dst, .len = L, .prot = PP_MAP_WRITE };
	req[2] = (struct pp_dma_req){ .addr = (uintptr_t)compl, .len = 8, .prot = PP_MAP_RW };
	assert_int_equal(r.d->ops->dma_map(r.d, req, 3), PP_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(req[i].status, PP_OK);
		/* The DART keeps the offset within the 16 KiB page. */
		assert_int_equal(req[i].bus & (PG - 1), req[i].addr & (PG - 1));
		/* Adversarial placement: never aligned above 16 KiB. */
		assert_true((req[i].bus >> 14) & 1);
	}
	assert_int_equal(r.d->ops->dma_usage(r.d, &u), PP_OK);
	assert_int_equal(u.live_entries, 4);            /* + the ring */
	assert_int_equal(u.cap_bytes, 1536ull << 20);
	assert_int_equal(u.max_entries, 65536);
	assert_int_equal(u.faults, 0);

	wr(r.d, SIMGPU_REG_IRQ_VEC_COMPLETION, 3);
	desc(r.ring, 0, SIMGPU_OP_COPY_S2V, 0, L, req[0].bus, 4096, 0, 0);
	desc(r.ring, 1, SIMGPU_OP_COPY_V2S, SIMGPU_DESC_F_IRQ, L, 4096, req[1].bus,
	     req[2].bus, 0xc0ffee0123456789ull);
	assert_false(readable(r.fd, 0));
	wr(r.d, SIMGPU_REG_RING_TAIL, 2);                /* doorbell */
	assert_true(readable(r.fd, 5000));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 3));
	assert_int_equal(npending(pending), 1);
	assert_false(readable(r.fd, 0));                 /* drained */

	s = wait_engine(r.d);
	assert_int_equal(SIMGPU_STATUS_STATE(s), SIMGPU_STATE_IDLE);
	assert_int_equal(SIMGPU_STATUS_ERROR(s), 0);
	assert_int_equal(rd(r.d, SIMGPU_REG_RING_HEAD), 2);
	assert_int_equal(rd(r.d, SIMGPU_REG_COMPLETED), 2);
	assert_int_equal(rd(r.d, SIMGPU_REG_IRQ_STATUS), SIMGPU_IRQ_COMPLETION);
	wr(r.d, SIMGPU_REG_IRQ_STATUS, SIMGPU_IRQ_COMPLETION);   /* W1C */
	assert_int_equal(rd(r.d, SIMGPU_REG_IRQ_STATUS), 0);
	assert_int_equal(*compl, 0xc0ffee0123456789ull);
	assert_memory_equal(dst, src, L);

	/* The engine's VRAM is the BAR1 memory the guest maps, both ways. */
	assert_int_equal(r.d->ops->bar_map(r.d, 1, (void **)&vram, &vram_len), PP_OK);
	assert_memory_equal(vram + 4096, src, L);
	for (size_t i = 0; i < 8192; i++)
		vram[0x80000 + i] = (uint8_t)(i * 7 + 1);
	desc(r.ring, 2, SIMGPU_OP_COPY_V2S, SIMGPU_DESC_F_IRQ, 8192, 0x80000,
	     req[1].bus, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 3);
	assert_true(readable(r.fd, 5000));
	assert_int_equal(wait_engine(r.d), SIMGPU_STATE_IDLE);
	assert_memory_equal(dst, vram + 0x80000, 8192);
	r.d->ops->bar_unmap(r.d, 1, vram);

	assert_int_equal(r.d->ops->dma_usage(r.d, &u), PP_OK);
	assert_int_equal(u.faults, 0);
	rig_down(&r);
	free(srcb);
	free(dstb);
	free(compl);
}

static void test_fill_and_s2s(void **state)
{
	struct rig r;
	uint8_t *a = alloc_pages(3 * PG), *b = alloc_pages(3 * PG), *vram;
	uint64_t ba, bb, len;
	uint64_t pending[4];

	(void)state;
	rig_up(&r, "vram=64K,placement=random,seed=5");
	memset(a, 0, 3 * PG);
	memset(b, 0, 3 * PG);
	ba = map1(r.d, a, 3 * PG, PP_MAP_RW);
	bb = map1(r.d, b, 3 * PG, PP_MAP_RW);
	/* Fill 10 bytes at an odd offset, copy across pages, fill VRAM. */
	desc(r.ring, 0, SIMGPU_OP_FILL_SYS, 0, 10, 0xdeadbeef, ba + 3, 0, 0);
	desc(r.ring, 1, SIMGPU_OP_FILL_SYS, 0, 2 * PG, 0x01020304, ba + PG / 2, 0, 0);
	desc(r.ring, 2, SIMGPU_OP_COPY_S2S, 0, 2 * PG + 5, ba, bb + 1, 0, 0);
	desc(r.ring, 3, SIMGPU_OP_FILL_VRAM, SIMGPU_DESC_F_IRQ, 6, 0xa1b2c3d4,
	     100, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 4);
	assert_true(readable(r.fd, 5000));
	assert_int_equal(wait_engine(r.d), SIMGPU_STATE_IDLE);
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 0));                    /* default vector */

	assert_int_equal(a[2], 0);
	assert_memory_equal(a + 3, "\xef\xbe\xad\xde\xef\xbe\xad\xde\xef\xbe", 10);
	assert_int_equal(a[13], 0);
	for (size_t i = 0; i < 2 * PG; i++)
		assert_int_equal(a[PG / 2 + i], (uint8_t)(0x01020304 >> (8 * (i & 3))));
	assert_int_equal(b[0], 0);
	assert_memory_equal(b + 1, a, 2 * PG + 5);
	assert_int_equal(b[2 * PG + 6], 0);
	assert_int_equal(r.d->ops->bar_map(r.d, 1, (void **)&vram, &len), PP_OK);
	assert_memory_equal(vram + 100, "\xd4\xc3\xb2\xa1\xd4\xc3", 6);
	assert_int_equal(vram[106], 0);
	r.d->ops->bar_unmap(r.d, 1, vram);
	rig_down(&r);
	free(a);
	free(b);
}

/* Checks that the engine stopped on an error, with code and address. */
static void expect_error(struct rig *r, uint32_t code, uint64_t addr,
			 uint32_t head)
{
	uint32_t s = wait_engine(r->d);

	assert_int_equal(SIMGPU_STATUS_STATE(s), SIMGPU_STATE_ERROR);
	assert_int_equal(SIMGPU_STATUS_ERROR(s), code);
	assert_int_equal(rd64(r->d, SIMGPU_REG_FAULT_ADDR), addr);
	assert_int_equal(rd(r->d, SIMGPU_REG_RING_HEAD), head);
	assert_true(rd(r->d, SIMGPU_REG_IRQ_STATUS) & SIMGPU_IRQ_ERROR);
}

static void test_fault_unmapped(void **state)
{
	struct rig r;
	uint8_t *x = alloc_pages(PG), *c = alloc_pages(PG);
	uint64_t bx, bc, pending[4];
	struct pp_host_dma_usage u;
	uint32_t ev = 0;

	(void)state;
	rig_up(&r, "vram=64K");
	memset(x, 0x5a, PG);
	memset(c, 0x5a, PG);
	bx = map1(r.d, x, PG, PP_MAP_RW);
	bc = map1(r.d, c, PG, PP_MAP_RW);
	unmap1(r.d, bx);                       /* bx: no longer mapped */

	/* VRAM -> an unmapped bus address, completion into c. */
	desc(r.ring, 0, SIMGPU_OP_COPY_V2S, SIMGPU_DESC_F_IRQ, 256, 0, bx, bc, 7);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	assert_true(readable(r.fd, 5000));
	expect_error(&r, SIMGPU_ERR_DMA_WRITE, bx, 0);
	assert_int_equal(rd(r.d, SIMGPU_REG_ERROR_COUNT), 1);
	assert_int_equal(rd(r.d, SIMGPU_REG_COMPLETED), 0);
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 1));          /* the error vector only */
	assert_int_equal(npending(pending), 1);
	assert_int_equal(r.d->ops->events(r.d, &ev), PP_OK);
	assert_int_equal(ev, PP_HOST_EV_DMA_FAULT);
	assert_int_equal(r.d->ops->events(r.d, &ev), PP_OK);
	assert_int_equal(ev, 0);               /* read and cleared */
	assert_int_equal(r.d->ops->dma_usage(r.d, &u), PP_OK);
	assert_int_equal(u.faults, 1);
	/* Nothing outside the mappings was touched: x was unmapped, and the
	 * completion (after the fault) never happened. */
	for (size_t i = 0; i < PG; i++) {
		assert_int_equal(x[i], 0x5a);
		assert_int_equal(c[i], 0x5a);
	}
	/* Stopped: a doorbell does nothing until the engine is reset. */
	desc(r.ring, 1, SIMGPU_OP_FILL_SYS, 0, 8, 0, bc, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 2);
	usleep(20000);
	assert_int_equal(SIMGPU_STATUS_STATE(rd(r.d, SIMGPU_REG_ENGINE_STATUS)),
			 SIMGPU_STATE_ERROR);
	assert_int_equal(c[0], 0x5a);
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	assert_int_equal(rd(r.d, SIMGPU_REG_ENGINE_STATUS), SIMGPU_STATE_IDLE);
	assert_int_equal(rd(r.d, SIMGPU_REG_RING_HEAD), 0);
	assert_int_equal(rd64(r.d, SIMGPU_REG_FAULT_ADDR), 0);
	/* And runs again. */
	desc(r.ring, 0, SIMGPU_OP_FILL_SYS, 0, 8, 0, bc, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	assert_int_equal(wait_engine(r.d), SIMGPU_STATE_IDLE);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[8], 0x5a);
	rig_down(&r);
	free(x);
	free(c);
}

static void test_fault_crossing_end(void **state)
{
	struct rig r;
	uint8_t *buf = alloc_pages(3 * PG), *vram;
	uint64_t b, len;

	(void)state;
	/* First fit: buf is the highest mapping, nothing follows it. */
	rig_up(&r, "vram=1M,placement=first-fit");
	memset(buf, 0x33, 3 * PG);
	b = map1(r.d, buf, 2 * PG, PP_MAP_WRITE);
	assert_int_equal(r.d->ops->bar_map(r.d, 1, (void **)&vram, &len), PP_OK);
	for (size_t i = 0; i < 3 * PG; i++)
		vram[i] = (uint8_t)(i ^ (i >> 8));
	desc(r.ring, 0, SIMGPU_OP_COPY_V2S, 0, 3 * PG, 0, b, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	assert_true(readable(r.fd, 5000));
	/* The device wrote up to the end of the mapping, then faulted at
	 * exactly the first byte past it. */
	expect_error(&r, SIMGPU_ERR_DMA_WRITE, b + 2 * PG, 0);
	assert_memory_equal(buf, vram, 2 * PG);
	for (size_t i = 2 * PG; i < 3 * PG; i++)
		assert_int_equal(buf[i], 0x33);
	r.d->ops->bar_unmap(r.d, 1, vram);

	/* A read-only mapping refuses device writes at its first byte. */
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	unmap1(r.d, b);
	b = map1(r.d, buf, PG, PP_MAP_READ);
	desc(r.ring, 0, SIMGPU_OP_FILL_SYS, 0, 16, 0, b, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_DMA_WRITE, b, 0);
	assert_memory_equal(buf, vram, 16);      /* unchanged from before */
	rig_down(&r);
	free(buf);
}

static void test_bad_descriptors(void **state)
{
	struct rig r;
	uint8_t *c = alloc_pages(PG);
	uint64_t bc;

	(void)state;
	rig_up(&r, "vram=64K");
	bc = map1(r.d, c, PG, PP_MAP_RW);
	/* unknown op, reserved bytes, misaligned completion, VRAM range */
	desc(r.ring, 0, 0, 0, 0, 0, 0, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_BAD_DESC, r.ring_bus, 0);
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	desc(r.ring, 0, SIMGPU_OP_FILL_SYS, 0, 8, 0, bc, 0, 0);
	r.ring[SIMGPU_DESC_RESERVED + 9] = 1;
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_BAD_DESC, r.ring_bus, 0);
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	desc(r.ring, 0, SIMGPU_OP_FILL_SYS, 0, 8, 0, bc, bc + 4, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_BAD_DESC, r.ring_bus, 0);
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	desc(r.ring, 0, SIMGPU_OP_COPY_S2V, 0, 2, bc, 65535, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_VRAM_RANGE, r.ring_bus, 0);
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	desc(r.ring, 0, SIMGPU_OP_COPY_V2S, 0, ~0ull, 1, bc, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_VRAM_RANGE, r.ring_bus, 0);
	/* A tail outside the ring. */
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	wr(r.d, SIMGPU_REG_RING_TAIL, 16);
	expect_error(&r, SIMGPU_ERR_BAD_RING, r.ring_bus, 0);
	assert_int_equal(rd(r.d, SIMGPU_REG_ERROR_COUNT), 6);
	rig_down(&r);
	free(c);
}

static void test_bus_master_gates_dma(void **state)
{
	struct rig r;
	struct pp_sim_inspect before, after;
	uint8_t *c = alloc_pages(PG);
	uint64_t bc, pending[4];
	uint32_t ev = 0;

	(void)state;
	rig_up(&r, "vram=64K");
	bc = map1(r.d, c, PG, PP_MAP_RW);
	memset(c, 0x77, PG);
	cfgw(r.d, 0x04, 2, 0x0002);             /* memory space, no BME */
	assert_int_equal(pp_sim_inspect(r.h, 0, &before), PP_OK);
	desc(r.ring, 0, SIMGPU_OP_FILL_SYS, SIMGPU_DESC_F_IRQ, 8, 0, bc, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	expect_error(&r, SIMGPU_ERR_BUS_MASTER, r.ring_bus, 0);
	assert_int_equal(c[0], 0x77);
	/* No bus mastering, no MSI-X either: nothing arrives. */
	assert_false(readable(r.fd, 50));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_int_equal(npending(pending), 0);
	assert_int_equal(r.d->ops->events(r.d, &ev), PP_OK);
	assert_int_equal(ev, 0);                 /* not a DART fault */
	assert_int_equal(pp_sim_inspect(r.h, 0, &after), PP_OK);
	assert_int_equal(after.dart.faults, before.dart.faults);
	assert_int_equal(after.msgs_dropped, before.msgs_dropped + 1);
	/* With BME the same descriptor runs. */
	enable(r.d);
	wr(r.d, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	assert_int_equal(wait_engine(r.d), SIMGPU_STATE_IDLE);
	assert_int_equal(c[0], 0);
	rig_down(&r);
	free(c);
}

/* ---- interrupts ----------------------------------------------------------------------------- */

static void test_irq_masking(void **state)
{
	struct rig r;
	uint64_t pending[4], v = 0;
	struct pp_sim_inspect si;

	(void)state;
	rig_up(&r, "vram=64K");
	/* Host-level mask: raised while masked -> latched, not signalled. */
	assert_int_equal(r.d->ops->irq_mask(r.d, 2, true), PP_OK);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 2);
	assert_false(readable(r.fd, 50));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_int_equal(npending(pending), 0);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 2);      /* coalesces */
	assert_int_equal(r.d->ops->irq_mask(r.d, 2, false), PP_OK);
	assert_true(readable(r.fd, 0));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 2));
	assert_int_equal(npending(pending), 1);
	assert_false(readable(r.fd, 0));
	assert_int_equal(r.d->ops->irq_mask(r.d, 8, true), PP_ERR_INVAL);

	/* events() drains the fd too, but what is still pending re-arms it. */
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 5);
	assert_true(readable(r.fd, 0));
	{
		uint32_t ev = 1;

		assert_int_equal(r.d->ops->events(r.d, &ev), PP_OK);
		assert_int_equal(ev, 0);
	}
	assert_true(readable(r.fd, 0));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 5));
	assert_false(readable(r.fd, 0));

	/* Device-level mask (the MSI-X table's vector control): held in the
	 * PBA, sent on unmask. */
	wr(r.d, SIMGPU_MSIX_TABLE_OFF + 4 * 16 + 12, 1);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 4);
	assert_false(readable(r.fd, 50));
	assert_int_equal(r.d->ops->bar_read(r.d, 0, SIMGPU_MSIX_PBA_OFF, 8, &v), PP_OK);
	assert_int_equal(v, 1u << 4);
	wr(r.d, SIMGPU_MSIX_TABLE_OFF + 4 * 16 + 12, 0);
	assert_true(readable(r.fd, 0));
	assert_int_equal(r.d->ops->bar_read(r.d, 0, SIMGPU_MSIX_PBA_OFF, 8, &v), PP_OK);
	assert_int_equal(v, 0);
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 4));

	/* Function mask in the capability, same. */
	cfgw(r.d, find_cap(r.d, 0x11) + 2, 2, 0xc000);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 6);
	assert_false(readable(r.fd, 50));
	cfgw(r.d, find_cap(r.d, 0x11) + 2, 2, 0x8000);
	assert_true(readable(r.fd, 0));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 6));

	/* The table is the host's: an entry rewritten with a guest address
	 * misroutes the message, which is lost (QEMU must not forward). */
	assert_int_equal(pp_sim_inspect(r.h, 0, &si), PP_OK);
	wr(r.d, SIMGPU_MSIX_TABLE_OFF + 3 * 16, 0xfee00000);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 3);
	assert_false(readable(r.fd, 50));
	{
		struct pp_sim_inspect s2;

		assert_int_equal(pp_sim_inspect(r.h, 0, &s2), PP_OK);
		assert_int_equal(s2.msgs_dropped, si.msgs_dropped + 1);
		assert_int_equal(s2.msgs_delivered, si.msgs_delivered);
	}
	rig_down(&r);
}

static void test_irq_configure(void **state)
{
	struct pp_host *h = mk("vectors=8");
	struct pp_host_dev *d = op(h, ID0), *a = op(h, ID1);
	unsigned int g = 99;
	uint64_t pending[4];
	struct pp_sim_inspect si;

	(void)state;
	/* Before configuration: nothing to mask, nothing delivered. */
	assert_int_equal(d->ops->irq_mask(d, 0, true), PP_ERR_NOTREADY);
	enable(d);
	wr(d, SIMGPU_REG_IRQ_TRIGGER, 0);
	assert_false(readable(d->ops->irq_fd(d), 20));
	assert_int_equal(d->ops->irq_take(d, pending), PP_OK);
	assert_int_equal(npending(pending), 0);

	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_NONE, 1, &g), PP_ERR_INVAL);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 0, &g), PP_ERR_INVAL);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 1, NULL), PP_ERR_INVAL);
	/* No MSI capability on the GPU: no silent fallback. */
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSI, 1, &g), PP_ERR_INVAL);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 4, &g), PP_OK);
	assert_int_equal(g, 4);
	/* Vectors past the grant have no host handler. */
	assert_int_equal(d->ops->irq_mask(d, 4, true), PP_ERR_INVAL);
	wr(d, SIMGPU_REG_IRQ_TRIGGER, 5);
	assert_false(readable(d->ops->irq_fd(d), 20));
	wr(d, SIMGPU_REG_IRQ_TRIGGER, 3);
	assert_true(readable(d->ops->irq_fd(d), 1000));
	assert_int_equal(d->ops->irq_take(d, pending), PP_OK);
	assert_true(has(pending, 3));
	assert_int_equal(npending(pending), 1);

	/* Configured once per device, as on a Mac: survives a re-claim. */
	d->ops->close(d);
	d = op(h, ID0);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 8, &g), PP_OK);
	assert_int_equal(g, 4);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 2, &g), PP_OK);
	assert_int_equal(g, 2);
	assert_int_equal(pp_sim_inspect(h, 0, &si), PP_OK);
	assert_int_equal(si.irq_type, PP_HOST_IRQ_MSIX);
	assert_int_equal(si.irq_granted, 4);

	/* The audio function: MSI, one vector. */
	assert_int_equal(a->ops->irq_configure(a, PP_HOST_IRQ_MSIX, 1, &g), PP_ERR_INVAL);
	assert_int_equal(a->ops->irq_configure(a, PP_HOST_IRQ_MSI, 4, &g), PP_OK);
	assert_int_equal(g, 1);
	enable(a);
	assert_int_equal(a->ops->bar_write(a, 0, SIMAUD_REG_IRQ_TRIGGER, 4, 1), PP_OK);
	assert_true(readable(a->ops->irq_fd(a), 1000));
	assert_int_equal(a->ops->irq_take(a, pending), PP_OK);
	assert_true(has(pending, 0));
	assert_int_equal(npending(pending), 1);
	d->ops->close(d);
	a->ops->close(a);
	h->ops->destroy(h);

	/* A host that grants fewer vectors than asked. */
	h = mk("grant=2");
	d = op(h, ID0);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 8, &g), PP_OK);
	assert_int_equal(g, 2);
	d->ops->close(d);
	h->ops->destroy(h);
}

static void test_pipe_notify(void **state)
{
	struct rig r;
	uint64_t pending[4];

	(void)state;
	rig_up(&r, "vram=64K,notify=pipe");
	assert_int_equal(r.d->ops->irq_mask(r.d, 1, true), PP_OK);
	for (int i = 0; i < 100; i++) {
		wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 0);
		wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 1);
		assert_true(readable(r.fd, 1000));
		assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
		assert_true(has(pending, 0));
		assert_false(has(pending, 1));
		assert_false(readable(r.fd, 0));
	}
	assert_int_equal(r.d->ops->irq_mask(r.d, 1, false), PP_OK);
	assert_true(readable(r.fd, 0));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 1));
	rig_down(&r);
}

/* ---- DART limits ---------------------------------------------------------------------------- */

static void test_dart_caps(void **state)
{
	struct pp_host *h = mk("cap=64K,entries=3,split=48K");
	struct pp_host_dev *d = op(h, ID0), *a = op(h, ID1);
	uint8_t *m = alloc_pages(8 * PG);
	struct pp_dma_req q[6];
	struct pp_host_dma_usage u;
	uint64_t bus[4];
	int32_t st[4];
	void *hole;

	(void)state;
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 6; i++) {
		q[i].addr = (uintptr_t)(m + (size_t)i * PG);
		q[i].len = PG;
		q[i].prot = PP_MAP_RW;
	}
	q[1].len = 3 * PG;       /* 16K + 48K live = 64K: fits */
	q[2].len = 4 * PG;       /* longer than split=48K */
	q[3].addr = (uintptr_t)(m + PG / 2);      /* 2 pages: over the cap */
	assert_int_equal(d->ops->dma_map(d, q, 6), PP_OK);
	assert_int_equal(q[0].status, PP_OK);
	assert_int_equal(q[1].status, PP_OK);
	assert_int_equal(q[2].status, PP_ERR_SPLIT);
	assert_int_equal(q[2].bus, 0);
	assert_int_equal(q[3].status, PP_ERR_NOSPC);
	assert_int_equal(q[4].status, PP_ERR_NOSPC); /* 64K used */
	assert_int_equal(q[5].status, PP_ERR_NOSPC);
	assert_int_equal(d->ops->dma_usage(d, &u), PP_OK);
	assert_int_equal(u.live_bytes, 64u << 10);
	assert_int_equal(u.live_entries, 2);
	assert_int_equal(u.cap_bytes, 64u << 10);
	assert_int_equal(u.max_entries, 3);
	/* Free bytes, then run out of entries: the function 1 maps share the
	 * slot's DART. */
	bus[0] = q[1].bus;
	assert_int_equal(d->ops->dma_unmap(d, bus, st, 1), PP_OK);
	assert_int_equal(st[0], PP_OK);
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 3; i++) {
		q[i].addr = (uintptr_t)(m + (size_t)(i + 2) * PG);
		q[i].len = 100;
		q[i].prot = PP_MAP_READ;
	}
	assert_int_equal(a->ops->dma_map(a, q, 3), PP_OK);
	assert_int_equal(q[0].status, PP_OK);
	assert_int_equal(q[1].status, PP_OK);
	assert_int_equal(q[2].status, PP_ERR_TOOMANY);
	assert_int_equal(a->ops->dma_usage(a, &u), PP_OK);
	assert_int_equal(u.live_entries, 3);
	/* A claim unmaps only what it mapped. */
	bus[0] = q[0].bus;
	assert_int_equal(d->ops->dma_unmap(d, bus, st, 1), PP_OK);
	assert_int_equal(st[0], PP_ERR_NOENT);
	assert_int_equal(a->ops->dma_unmap(a, bus, st, 1), PP_OK);
	assert_int_equal(st[0], PP_OK);
	assert_int_equal(a->ops->dma_unmap(a, bus, st, 1), PP_OK);
	assert_int_equal(st[0], PP_ERR_NOENT);  /* twice */
	bus[0] = 12345;
	assert_int_equal(a->ops->dma_unmap(a, bus, st, 1), PP_OK);
	assert_int_equal(st[0], PP_ERR_NOENT);

	/* Malformed ranges. */
	memset(q, 0, sizeof(q));
	q[0] = (struct pp_dma_req){ .addr = (uintptr_t)m, .len = 0, .prot = PP_MAP_RW };
	q[1] = (struct pp_dma_req){ .addr = (uintptr_t)m, .len = 8, .prot = 0 };
	q[2] = (struct pp_dma_req){ .addr = (uintptr_t)m, .len = 8, .prot = 4 };
	q[3] = (struct pp_dma_req){ .addr = 0, .len = 8, .prot = PP_MAP_RW };
	q[4] = (struct pp_dma_req){ .addr = ~0ull - 4, .len = 8, .prot = PP_MAP_RW };
	hole = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(hole != MAP_FAILED);
	munmap(hole, 4 * PG);                   /* not VMM memory any more */
	q[5] = (struct pp_dma_req){ .addr = (uintptr_t)hole, .len = 8, .prot = PP_MAP_RW };
	assert_int_equal(a->ops->dma_map(a, q, 6), PP_OK);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(q[i].status, i == 5 ? PP_ERR_RANGE : PP_ERR_INVAL);
		assert_int_equal(q[i].bus, 0);
	}
	/* The default limit of one registration (the dext's max_map_len). */
	hole = mmap(NULL, (1u << 30) + PG, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(hole != MAP_FAILED);
	{
		struct pp_host *h2 = mk("cap=2G");
		struct pp_host_dev *d2 = op(h2, ID0);

		q[0] = (struct pp_dma_req){ .addr = (uintptr_t)hole,
					    .len = (1u << 30) + 1, .prot = PP_MAP_RW };
		q[1] = (struct pp_dma_req){ .addr = (uintptr_t)hole,
					    .len = 1u << 30, .prot = PP_MAP_RW };
		assert_int_equal(d2->ops->dma_map(d2, q, 2), PP_OK);
		assert_int_equal(q[0].status, PP_ERR_SPLIT);
		assert_int_equal(q[1].status, PP_OK);
		d2->ops->close(d2);
		h2->ops->destroy(h2);
	}
	munmap(hole, (1u << 30) + PG);

	/* Whole-call failures. */
	assert_int_equal(a->ops->dma_map(a, NULL, 1), PP_ERR_INVAL);
	assert_int_equal(a->ops->dma_map(a, q, 0), PP_OK);
	assert_int_equal(a->ops->dma_map(a, q, 4097), PP_ERR_COUNT);
	assert_int_equal(a->ops->dma_unmap(a, bus, st, 4097), PP_ERR_COUNT);
	assert_int_equal(a->ops->dma_unmap(a, NULL, st, 1), PP_ERR_INVAL);
	d->ops->close(d);
	a->ops->close(a);
	h->ops->destroy(h);
	free(m);
}

/* ---- reset ---------------------------------------------------------------------------------- */

static void test_reset(void **state)
{
	struct rig r;
	struct pp_host_dev *a;
	struct pp_host_dma_usage u0, u1;
	uint64_t pending[4], v;
	uint32_t bar0, pcie;

	(void)state;
	rig_up(&r, "vram=64K");
	a = op(r.h, ID1);
	enable(a);
	assert_int_equal(a->ops->bar_write(a, 0, SIMAUD_REG_SCRATCH, 4, 9), PP_OK);
	wr(r.d, SIMGPU_REG_SCRATCH, 0x55);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);       /* ring is zeroed: bad desc */
	expect_error(&r, SIMGPU_ERR_BAD_DESC, r.ring_bus, 0);
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_int_equal(r.d->ops->dma_usage(r.d, &u0), PP_OK);
	bar0 = cfg(r.d, 0x10, 4);

	/* Function reset: registers and engine back to reset values; the
	 * host saves and restores config (COMMAND included) and its
	 * interrupt programming; DMA mappings untouched; other function
	 * untouched. */
	assert_int_equal(r.d->ops->reset(r.d, PP_HOST_RESET_FUNCTION), PP_OK);
	assert_int_equal(rd(r.d, SIMGPU_REG_SCRATCH), 0);
	assert_int_equal(rd(r.d, SIMGPU_REG_ENGINE_STATUS), SIMGPU_STATE_IDLE);
	assert_int_equal(rd64(r.d, SIMGPU_REG_RING_BASE), 0);
	assert_int_equal(rd(r.d, SIMGPU_REG_IRQ_ENABLE), 0);
	assert_int_equal(cfg(r.d, 0x04, 2), 0x0006);
	assert_int_equal(cfg(r.d, 0x10, 4), bar0);
	assert_int_equal(r.d->ops->dma_usage(r.d, &u1), PP_OK);
	assert_int_equal(u1.live_entries, u0.live_entries);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 6);
	assert_true(readable(r.fd, 1000));
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_OK);
	assert_true(has(pending, 6));
	assert_int_equal(a->ops->bar_read(a, 0, SIMAUD_REG_SCRATCH, 4, &v), PP_OK);
	assert_int_equal(v, 9);
	assert_int_equal(r.d->ops->reset(r.d, 0), PP_ERR_INVAL);

	/* A hot reset resets every function of the slot. */
	assert_int_equal(r.d->ops->reset(r.d, PP_HOST_RESET_HOT), PP_OK);
	assert_int_equal(a->ops->bar_read(a, 0, SIMAUD_REG_SCRATCH, 4, &v), PP_OK);
	assert_int_equal(v, 0);

	/* A forwarded Initiate-FLR resets the function with nobody restoring
	 * the host's state: BARs lost (the device stops answering), MSI-X
	 * off (interrupts lost).  reset() brings it back. */
	pcie = find_cap(r.d, 0x10);
	cfgw(r.d, pcie + 8, 2, 0x8000 | cfg(r.d, pcie + 8, 2));
	assert_int_equal(cfg(r.d, pcie + 8, 2) & 0x8000, 0);
	assert_int_equal(cfg(r.d, 0x04, 2), 0);
	assert_int_equal(cfg(r.d, 0x10, 4), 0);
	enable(r.d);
	assert_int_equal(rd(r.d, SIMGPU_REG_ID), 0xffffffff);
	assert_int_equal(r.d->ops->reset(r.d, PP_HOST_RESET_FUNCTION), PP_OK);
	assert_int_equal(cfg(r.d, 0x10, 4), bar0);
	assert_int_equal(SIMGPU_ID_ARCH(rd(r.d, SIMGPU_REG_ID)), SIMGPU_ARCH);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 2);
	assert_true(readable(r.fd, 1000));
	a->ops->close(a);
	rig_down(&r);
}

/* ---- unplug and teardown ------------------------------------------------------------------------ */

static void test_unplug(void **state)
{
	struct rig r;
	struct pp_host_dev *a;
	struct pp_host_dev *x = NULL;
	struct pp_host_dev_info in;
	struct pp_host_bar_info bi;
	struct pp_host_dma_usage u;
	struct pp_sim_inspect si;
	uint8_t *buf = alloc_pages(64u << 20);
	struct pp_dma_req q = { .addr = (uintptr_t)buf, .len = 64u << 20, .prot = PP_MAP_RW };
	uint64_t pending[4], v, bus = 1;
	int32_t st;
	uint32_t ev = 0, val;
	unsigned int n = 9, g;
	void *p;

	(void)state;
	rig_up(&r, "vram=64K");
	a = op(r.h, ID1);
	assert_int_equal(r.d->ops->dma_map(r.d, &q, 1), PP_OK);
	assert_int_equal(q.status, PP_OK);
	/* A long copy in flight while the cable goes. */
	desc(r.ring, 0, SIMGPU_OP_COPY_S2S, 0, 32u << 20, q.bus, q.bus + (32u << 20), 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 2);      /* pending, never taken */
	pp_sim_unplug(r.h);
	pp_sim_unplug(r.h);                      /* idempotent */

	assert_true(readable(r.fd, 1000));
	assert_true(readable(a->ops->irq_fd(a), 1000));
	assert_int_equal(r.d->ops->events(r.d, &ev), PP_OK);
	assert_true(ev & PP_HOST_EV_GONE);
	assert_false(readable(r.fd, 0));         /* signalled once, no spin */
	assert_int_equal(r.d->ops->events(r.d, &ev), PP_OK);
	assert_true(ev & PP_HOST_EV_GONE);       /* sticky */

	assert_int_equal(r.d->ops->info(r.d, &in), PP_ERR_HOST);
	assert_int_equal(r.d->ops->cfg_read(r.d, 0, 4, &val), PP_ERR_HOST);
	assert_int_equal(r.d->ops->cfg_write(r.d, 4, 2, 6), PP_ERR_HOST);
	assert_int_equal(r.d->ops->bar_info(r.d, 0, &bi), PP_ERR_HOST);
	assert_int_equal(r.d->ops->bar_map(r.d, 1, &p, &v), PP_ERR_HOST);
	assert_int_equal(r.d->ops->bar_read(r.d, 0, 0, 4, &v), PP_ERR_HOST);
	assert_int_equal(r.d->ops->bar_write(r.d, 0, 0, 4, 0), PP_ERR_HOST);
	assert_int_equal(r.d->ops->dma_map(r.d, &q, 1), PP_ERR_HOST);
	assert_int_equal(r.d->ops->dma_unmap(r.d, &bus, &st, 1), PP_ERR_HOST);
	assert_int_equal(r.d->ops->dma_usage(r.d, &u), PP_ERR_HOST);
	assert_int_equal(r.d->ops->irq_configure(r.d, PP_HOST_IRQ_MSIX, 1, &g), PP_ERR_HOST);
	assert_int_equal(r.d->ops->irq_take(r.d, pending), PP_ERR_HOST);
	assert_int_equal(npending(pending), 0);
	assert_int_equal(r.d->ops->irq_mask(r.d, 0, true), PP_ERR_HOST);
	assert_int_equal(r.d->ops->reset(r.d, PP_HOST_RESET_FUNCTION), PP_ERR_HOST);
	assert_int_equal(a->ops->cfg_read(a, 0, 4, &val), PP_ERR_HOST);
	assert_int_equal(r.h->ops->enumerate(r.h, NULL, 0, &n), PP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(r.h->ops->open(r.h, ID0, &x), PP_ERR_NOENT);
	/* The device's DMA went with it. */
	assert_int_equal(pp_sim_inspect(r.h, 0, &si), PP_OK);
	assert_true(si.gone);
	assert_int_equal(si.dart.live_entries, 0);
	assert_int_equal(si.owned_mappings, 0);
	/* close still works. */
	a->ops->close(a);
	rig_down(&r);
	free(buf);
}

static void test_close_leaves_nothing(void **state)
{
	struct rig r;
	struct pp_sim_inspect si;
	uint8_t *m = alloc_pages(200 * PG);
	struct pp_dma_req q[100];
	uint64_t len;
	void *p;

	(void)state;
	rig_up(&r, "vram=1M,placement=random,seed=3");
	memset(q, 0, sizeof(q));
	for (int i = 0; i < 100; i++) {
		q[i].addr = (uintptr_t)(m + (size_t)i * 2 * PG + (size_t)i * 13);
		q[i].len = PG + (uint64_t)i;
		q[i].prot = PP_MAP_RW;
	}
	assert_int_equal(r.d->ops->dma_map(r.d, q, 100), PP_OK);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i].status, PP_OK);
	assert_int_equal(r.d->ops->bar_map(r.d, 1, &p, &len), PP_OK);
	/* Leave work queued and an interrupt pending. */
	desc(r.ring, 0, SIMGPU_OP_COPY_S2V, SIMGPU_DESC_F_IRQ, PG, q[0].bus, 0, 0, 0);
	wr(r.d, SIMGPU_REG_RING_TAIL, 1);
	wr(r.d, SIMGPU_REG_IRQ_TRIGGER, 7);
	assert_int_equal(pp_sim_inspect(r.h, 0, &si), PP_OK);
	assert_int_equal(si.owned_mappings, 101);
	r.d->ops->close(r.d);
	assert_int_equal(pp_sim_inspect(r.h, 0, &si), PP_OK);
	assert_false(si.open);
	assert_false(si.engine_thread);
	assert_int_equal(si.dart.live_entries, 0);
	assert_int_equal(si.dart.live_bytes, 0);
	assert_int_equal(si.owned_mappings, 0);
	assert_int_equal(si.bar_maps, 0);
	assert_int_equal(si.command & 0x6, 0);   /* no decode, no DMA */
	r.h->ops->destroy(r.h);
	free(r.ring);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_cfg_write_mask),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_open_close),
		cmocka_unit_test(test_cfg_read),
		cmocka_unit_test(test_cfg_write_filtered),
		cmocka_unit_test(test_bar_info_map),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_fill_and_s2s),
		cmocka_unit_test(test_fault_unmapped),
		cmocka_unit_test(test_fault_crossing_end),
		cmocka_unit_test(test_bad_descriptors),
		cmocka_unit_test(test_bus_master_gates_dma),
		cmocka_unit_test(test_irq_masking),
		cmocka_unit_test(test_irq_configure),
		cmocka_unit_test(test_pipe_notify),
		cmocka_unit_test(test_dart_caps),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_close_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
