/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * End-to-end tests of the dext host backend (hosts/dext/dext.c) off the
 * Mac: the backend runs unchanged over tests/fakeiokit, whose IOKitLib
 * calls dispatch into the real dext core (mac/dext/core) on a fake
 * PCIDriverKit platform backed by the sim's loopback GPU and DART.  Only
 * the public host.h interface is used, as QEMU uses it; the fake's
 * counters confirm selector traffic, batching and leaks.
 *
 * Built with -Itests/fakeiokit/include and linked with the dext core, the
 * fake and dext.c (see docs/mac-client.md, "Building the test").
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

#include <IOKit/IOKitLib.h>

#include <pcipass/dext_abi.h>
#include <pcipass/host.h>
#include <pcipass/proto.h>

#include "../../hosts/dext/dext.h"
#include "../../hosts/sim/sim.h"
#include "../../hosts/sim/sim_gpu_regs.h"
#include "../../mac/dext/core/dext_core.h"
#include "../fakeiokit/fakeiokit.h"

#define PG   16384u
#define ID0  "pcie-tb0:01:00.0"
#define ID1  "pcie-tb1:01:00.0"
#define SIM  "vram=1M,vectors=8,split=0"

/* ---- helpers ----------------------------------------------------------------- */

static struct pp_host *up(unsigned int slots, bool no_name)
{
	struct fakeiokit_opts o = { .sim_args = SIM, .slots = slots,
				    .no_service_name = no_name };
	struct pp_host *h;
	int st = -1;

	assert_int_equal(fakeiokit_init(&o), PP_OK);
	h = pp_host_dext_create(NULL, &st);
	assert_non_null(h);
	assert_int_equal(st, PP_OK);
	return h;
}

/* destroy, then nothing of the client may be left in the fake */
static void down(struct pp_host *h)
{
	struct fakeiokit_counts c;

	h->ops->destroy(h);
	fakeiokit_counts(&c);
	assert_int_equal(c.handles, 0);
	assert_int_equal(c.connections, 0);
	assert_int_equal(c.mappings, 0);
	assert_int_equal(c.cf_objects, 0);
	assert_int_equal(c.queues, 0);
	assert_int_equal(c.ports, 0);
	assert_int_equal(c.tokens, 0);
	assert_int_equal(fakeiokit_fini(), 0);
}

static struct pp_host_dev *opn(struct pp_host *h, const char *id)
{
	struct pp_host_dev *d = NULL;

	assert_int_equal(h->ops->open(h, id, &d), PP_OK);
	assert_non_null(d);
	return d;
}

static void *buf(size_t bytes)
{
	void *p = aligned_alloc(PG, (bytes + PG - 1) / PG * PG);

	assert_non_null(p);
	memset(p, 0, (bytes + PG - 1) / PG * PG);
	return p;
}

static uint64_t map1(struct pp_host_dev *d, void *p, uint64_t len,
		     uint32_t prot)
{
	struct pp_dma_req r = { .addr = (uint64_t)(uintptr_t)p, .len = len,
				.prot = prot };

	assert_int_equal(d->ops->dma_map(d, &r, 1), PP_OK);
	assert_int_equal(r.status, PP_OK);
	assert_int_equal(r.bus & (PG - 1), r.addr & (PG - 1));
	return r.bus;
}

static void unmap1(struct pp_host_dev *d, uint64_t bus)
{
	int32_t s = -1;

	assert_int_equal(d->ops->dma_unmap(d, &bus, &s, 1), PP_OK);
	assert_int_equal(s, PP_OK);
}

static void wr(struct pp_host_dev *d, uint64_t off, unsigned int size,
	       uint64_t v)
{
	assert_int_equal(d->ops->bar_write(d, 0, off, size, v), PP_OK);
}

static uint64_t rd(struct pp_host_dev *d, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	assert_int_equal(d->ops->bar_read(d, 0, off, size, &v), PP_OK);
	return v;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Waits for vector vec through irq_fd + irq_take (QEMU's loop). */
static bool wait_vec(struct pp_host_dev *d, unsigned int vec, int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint64_t p[4];
		long el;

		if (readable(d->ops->irq_fd(d), 20)) {
			assert_int_equal(d->ops->irq_take(d, p), PP_OK);
			if (p[vec / 64] >> (vec % 64) & 1)
				return true;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el > ms)
			return false;
	}
}

static void desc(uint8_t *ring, unsigned int i, uint32_t op, uint32_t flags,
		 uint64_t len, uint64_t src, uint64_t dst, uint64_t caddr,
		 uint64_t cval)
{
	uint8_t *e = ring + (size_t)i * SIMGPU_DESC_SIZE;

	memset(e, 0, SIMGPU_DESC_SIZE);
	memcpy(e + SIMGPU_DESC_OP, &op, 4);
	memcpy(e + SIMGPU_DESC_FLAGS, &flags, 4);
	memcpy(e + SIMGPU_DESC_LEN, &len, 8);
	memcpy(e + SIMGPU_DESC_SRC, &src, 8);
	memcpy(e + SIMGPU_DESC_DST, &dst, 8);
	memcpy(e + SIMGPU_DESC_COMPL_ADDR, &caddr, 8);
	memcpy(e + SIMGPU_DESC_COMPL_VALUE, &cval, 8);
}

/* MSE|BME, MSI-X x8, ring of 16 at ring_bus, both causes enabled. */
static void engine_setup(struct pp_host_dev *d, uint64_t ring_bus)
{
	unsigned int g = 0;

	assert_int_equal(d->ops->cfg_write(d, 0x04, 2, 0x0006), PP_OK);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 8, &g),
			 PP_OK);
	assert_int_equal(g, 8);
	wr(d, SIMGPU_REG_RING_BASE, 8, ring_bus);
	wr(d, SIMGPU_REG_RING_SIZE, 4, 16);
	wr(d, SIMGPU_REG_IRQ_ENABLE, 4, SIMGPU_IRQ_COMPLETION | SIMGPU_IRQ_ERROR);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_enumerate(void **state)
{
	struct pp_host *h = up(2, false);
	struct pp_host_dev_info in[4];
	unsigned int n = 99;

	(void)state;
	assert_int_equal(h->ops->enumerate(h, NULL, 0, &n), PP_OK);
	assert_int_equal(n, 2);              /* audio refused by the dext */
	assert_int_equal(h->ops->enumerate(h, NULL, 1, &n), PP_ERR_INVAL);
	assert_int_equal(h->ops->enumerate(h, in, 4, NULL), PP_ERR_INVAL);
	assert_int_equal(h->ops->enumerate(h, in, 4, &n), PP_OK);
	assert_int_equal(n, 2);
	/* Same BDF under two roots: the ids differ by the root port. */
	assert_string_equal(in[0].id, ID0);
	assert_string_equal(in[1].id, ID1);
	for (unsigned int i = 0; i < 2; i++) {
		assert_int_equal(in[i].bus, 1);
		assert_int_equal(in[i].dev, 0);
		assert_int_equal(in[i].fn, 0);
		assert_int_equal(in[i].vendor, SIMGPU_VENDOR_ID);
		assert_int_equal(in[i].device, SIMGPU_DEVICE_ID);
		assert_int_equal(in[i].class_code, SIMGPU_CLASS_GPU);
		assert_int_equal(in[i].nr_vectors, 8);
		assert_true(in[i].owned);
		assert_non_null(strstr(in[i].location, "root port"));
	}
	assert_int_equal(h->ops->open(h, "pcie-tb9:01:00.0", &(struct pp_host_dev *){ NULL }),
			 PP_ERR_NOENT);
	assert_int_equal(h->ops->open(h, NULL, NULL), PP_ERR_INVAL);
	down(h);

	/* A dext that did not SetName(): IOUserService + IOUserClass. */
	h = up(1, true);
	assert_int_equal(h->ops->enumerate(h, in, 4, &n), PP_OK);
	assert_int_equal(n, 1);              /* not the decoy */
	assert_string_equal(in[0].id, ID0);
	down(h);
}

static void test_args(void **state)
{
	int st = -1;

	(void)state;
	assert_null(pp_host_dext_create("bogus=1", &st));
	assert_int_equal(st, PP_ERR_INVAL);
	assert_null(pp_host_dext_create("wc=maybe", NULL));
}

static void test_open_claim(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d, *d2 = NULL;
	struct pp_host_dev_info info, in[2];
	struct pp_host_bar_info bi;
	uint32_t v = 0;
	unsigned int n;

	(void)state;
	d = opn(h, ID0);
	assert_int_equal(h->ops->open(h, ID0, &d2), PP_ERR_HOST);
	assert_int_equal(d->ops->info(d, &info), PP_OK);
	assert_string_equal(info.id, ID0);
	assert_true(info.owned);
	/* still listed as owned: the claim is ours */
	assert_int_equal(h->ops->enumerate(h, in, 2, &n), PP_OK);
	assert_int_equal(n, 1);
	assert_true(in[0].owned);

	assert_int_equal(d->ops->cfg_read(d, 0, 4, &v), PP_OK);
	assert_int_equal(v, 0x10007070);
	assert_int_equal(d->ops->cfg_read(d, 0x04, 2, &v), PP_OK);
	assert_int_equal(v & 0x6, 0);        /* MSE/BME clear after open */
	assert_int_equal(d->ops->cfg_read(d, 1, 2, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_read(d, 4096, 1, &v), PP_ERR_INVAL);
	assert_int_equal(d->ops->cfg_read(d, 0, 3, &v), PP_ERR_INVAL);
	/* BAR bytes are the host's: dropped, PP_OK */
	assert_int_equal(d->ops->cfg_read(d, 0x10, 4, &v), PP_OK);
	assert_int_equal(d->ops->cfg_write(d, 0x10, 4, 0xffffffff), PP_OK);
	{
		uint32_t v2 = 0;

		assert_int_equal(d->ops->cfg_read(d, 0x10, 4, &v2), PP_OK);
		assert_int_equal(v2, v);
	}
	assert_int_equal(d->ops->cfg_write(d, 0x04, 2, 0x0002), PP_OK);
	assert_int_equal(d->ops->cfg_read(d, 0x04, 2, &v), PP_OK);
	assert_int_equal(v & 0x6, 0x2);

	assert_int_equal(d->ops->bar_info(d, 0, &bi), PP_OK);
	assert_int_equal(bi.type, PP_HOST_BAR_MEM32);
	assert_int_equal(bi.size, SIMGPU_BAR0_SIZE);
	assert_false(bi.prefetchable);
	assert_int_equal(d->ops->bar_info(d, 1, &bi), PP_OK);
	assert_int_equal(bi.type, PP_HOST_BAR_MEM64);
	assert_int_equal(bi.size, 1u << 20);
	assert_true(bi.prefetchable);
	assert_true(bi.mappable);
	assert_int_equal(d->ops->bar_info(d, 2, &bi), PP_OK);
	assert_int_equal(bi.type, PP_HOST_BAR_NONE);
	assert_int_equal(bi.size, 0);
	assert_int_equal(d->ops->bar_info(d, 6, &bi), PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 0, 2, 4, &(uint64_t){ 0 }),
			 PP_ERR_INVAL);
	assert_int_equal(d->ops->bar_read(d, 3, 0, 4, &(uint64_t){ 0 }),
			 PP_ERR_INVAL);
	assert_int_equal(SIMGPU_ID_ARCH(rd(d, SIMGPU_REG_ID, 4)), SIMGPU_ARCH);
	assert_int_equal(d->ops->reset(d, PP_HOST_RESET_FUNCTION), PP_OK);
	assert_int_equal(d->ops->reset(d, (enum pp_host_reset)7), PP_ERR_INVAL);

	/* Close leaves MSE/BME clear; the function may be claimed again. */
	d->ops->close(d);
	d = opn(h, ID0);
	assert_int_equal(d->ops->cfg_read(d, 0x04, 2, &v), PP_OK);
	assert_int_equal(v & 0x6, 0);
	d->ops->close(d);
	down(h);
}

/* Another process holds the claim: listed not owned, open refused. */
static void test_claimed_elsewhere(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev_info in[1];
	struct pp_host_dev *d = NULL;
	io_service_t svc;
	io_connect_t conn;
	uint64_t claim[2] = { PP_DEXT_ABI_VERSION, 0 };
	unsigned int n;

	(void)state;
	svc = IOServiceGetMatchingService(kIOMainPortDefault,
					  IOServiceNameMatching(PP_DEXT_SERVICE_NAME));
	assert_int_not_equal(svc, IO_OBJECT_NULL);
	assert_int_equal(IOServiceOpen(svc, mach_task_self(), 0, &conn), 0);
	assert_int_equal(IOConnectCallScalarMethod(conn, PP_DEXT_SEL_CLAIM,
						   claim, 2, NULL, NULL), 0);
	assert_int_equal(h->ops->enumerate(h, in, 1, &n), PP_OK);
	assert_int_equal(n, 1);
	assert_false(in[0].owned);
	assert_int_equal(h->ops->open(h, ID0, &d), PP_ERR_HOST);
	IOServiceClose(conn);
	IOObjectRelease(svc);
	d = opn(h, ID0);
	d->ops->close(d);
	down(h);
}

/* The sim-gpu.md round trip through the dext: ring, copy engine, MSI-X. */
static void test_roundtrip(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d = opn(h, ID0);
	struct fakeiokit_counts c0, c1;
	struct pp_host_dma_usage u;
	struct pp_sim_inspect si;
	uint8_t *ring = buf(PG), *src = buf(3 * PG), *dst = buf(3 * PG);
	uint64_t *compl = buf(PG);
	uint64_t ring_bus, src_bus, dst_bus, c_bus, len = 3 * PG - 100;
	uint8_t *vram;
	void *p = NULL, *p2 = NULL;
	uint64_t blen = 0;

	(void)state;
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	/* BAR1 (prefetchable) mapped write-combining, BAR0 refused by the
	 * fake (the sim's register BAR is trap-only). */
	assert_int_equal(d->ops->bar_map(d, 1, &p, &blen), PP_OK);
	fakeiokit_counts(&c0);
	assert_int_equal(c0.last_map_options & kIOMapCacheMask,
			 kIOMapWriteCombineCache);
	assert_true(c0.last_map_options & kIOMapAnywhere);
	assert_int_equal(blen, 1u << 20);
	assert_int_equal(d->ops->bar_map(d, 1, &p2, &blen), PP_OK);
	assert_ptr_equal(p, p2);             /* refcounted, one mapping */
	fakeiokit_counts(&c1);
	assert_int_equal(c1.map_calls, c0.map_calls);
	d->ops->bar_unmap(d, 1, p2);
	assert_int_equal(d->ops->bar_map(d, 0, &p2, &blen), PP_ERR_HOST);
	vram = p;

	ring_bus = map1(d, ring, PG, PP_MAP_READ);
	src_bus = map1(d, src + 100, len, PP_MAP_READ);
	dst_bus = map1(d, dst, len, PP_MAP_WRITE);
	c_bus = map1(d, compl, 8, PP_MAP_WRITE);
	engine_setup(d, ring_bus);
	desc(ring, 0, SIMGPU_OP_COPY_S2V, 0, len - 100, src_bus, 0x1000, 0, 0);
	desc(ring, 1, SIMGPU_OP_COPY_V2S, SIMGPU_DESC_F_IRQ, len - 100, 0x1000,
	     dst_bus, c_bus, 0xc0ffee);
	wr(d, SIMGPU_REG_RING_TAIL, 4, 2);     /* doorbell */
	assert_true(wait_vec(d, 0, 5000));
	assert_int_equal(compl[0], 0xc0ffee);
	/* The device wrote the VMM's own pages: never a copy. */
	assert_memory_equal(dst, src + 100, len - 100);
	assert_memory_equal(vram + 0x1000, src + 100, len - 100);
	assert_int_equal(rd(d, SIMGPU_REG_COMPLETED, 4), 2);
	assert_int_equal(d->ops->dma_usage(d, &u), PP_OK);
	assert_int_equal(u.live_entries, 4);
	assert_true(u.live_bytes >= 8 * PG);
	assert_int_equal(u.max_entries, PP_DEXT_DEFAULT_MAX_ENTRIES);
	assert_int_equal(u.cap_bytes, PP_DEXT_DEFAULT_CAP_BYTES);
	assert_int_equal(u.faults, 0);

	/* Interrupts raised by IRQ_TRIGGER on every granted vector. */
	for (unsigned int v = 0; v < 8; v++) {
		wr(d, SIMGPU_REG_IRQ_TRIGGER, 4, v);
		assert_true(wait_vec(d, v, 5000));
	}
	unmap1(d, src_bus);
	unmap1(d, dst_bus);
	{
		int32_t s = 0;

		/* already unmapped */
		assert_int_equal(d->ops->dma_unmap(d, &src_bus, &s, 1), PP_OK);
		assert_int_equal(s, PP_ERR_NOENT);
	}
	/* close with live mappings and a mapped BAR: nothing left behind */
	d->ops->close(d);
	assert_int_equal(pp_sim_inspect(fakeiokit_sim(0), 0, &si), PP_OK);
	assert_int_equal(si.bar_maps, 0);
	assert_int_equal(si.command & 0x6, 0);
	assert_int_equal(si.dart.live_entries, 0);
	fakeiokit_counts(&c1);
	assert_int_equal(c1.mappings, 0);
	assert_int_equal(c1.tokens, 0);
	assert_int_equal(c1.unmap_refused, 0);
	assert_true(c1.calls[PP_DEXT_SEL_RELEASE] >= 1);
	down(h);
	free(ring);
	free(src);
	free(dst);
	free(compl);
}

static void test_batching(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d = opn(h, ID0);
	enum { N = 600 };
	struct pp_dma_req *r = calloc(N, sizeof(*r));
	uint64_t *bus = calloc(N, sizeof(*bus));
	int32_t *st = calloc(N, sizeof(*st));
	uint8_t *mem = buf((size_t)N * PG);
	struct fakeiokit_counts c;
	struct pp_host_dma_usage u;
	void *hole;

	(void)state;
	assert_non_null(r);
	for (unsigned int i = 0; i < N; i++) {
		r[i].addr = (uint64_t)(uintptr_t)(mem + (size_t)i * PG + i % 64);
		r[i].len = 1000 + i;
		r[i].prot = PP_MAP_RW;
		r[i].status = 77;
	}
	r[5].len = 0;                          /* INVAL, never sent */
	r[6].prot = 8;
	r[7].addr = 0;
	r[8].addr = UINT64_MAX - 10;           /* wraps */
	hole = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(hole != MAP_FAILED);
	munmap(hole, PG);
	r[9].addr = (uint64_t)(uintptr_t)hole; /* not the VMM's memory */
	assert_int_equal(d->ops->dma_map(d, r, N), PP_OK);
	fakeiokit_counts(&c);
	assert_int_equal(c.max_map_batch, PP_DEXT_MAP_BATCH_MAX);
	assert_int_equal(c.max_struct_in, PP_DEXT_INLINE_MAX);
	assert_int_equal(r[5].status, PP_ERR_INVAL);
	assert_int_equal(r[6].status, PP_ERR_INVAL);
	assert_int_equal(r[7].status, PP_ERR_INVAL);
	assert_int_equal(r[8].status, PP_ERR_INVAL);
	assert_int_equal(r[9].status, PP_ERR_RANGE);
	for (unsigned int i = 0; i < N; i++) {
		if (i >= 5 && i <= 9) {
			assert_int_equal(r[i].bus, 0);
			continue;
		}
		assert_int_equal(r[i].status, PP_OK);
		assert_int_equal(r[i].bus & (PG - 1), r[i].addr & (PG - 1));
	}
	assert_int_equal(d->ops->dma_usage(d, &u), PP_OK);
	assert_int_equal(u.live_entries, N - 5);
	for (unsigned int i = 0; i < N; i++)
		bus[i] = r[i].bus;
	assert_int_equal(d->ops->dma_unmap(d, bus, st, N), PP_OK);
	fakeiokit_counts(&c);
	assert_int_equal(c.max_unmap_batch, PP_DEXT_UNMAP_BATCH_MAX);
	for (unsigned int i = 0; i < N; i++)
		assert_int_equal(st[i], i >= 5 && i <= 9 ? PP_ERR_NOENT : PP_OK);
	assert_int_equal(d->ops->dma_usage(d, &u), PP_OK);
	assert_int_equal(u.live_entries, 0);
	assert_int_equal(u.live_bytes, 0);
	/* whole-call checks */
	assert_int_equal(d->ops->dma_map(d, NULL, 1), PP_ERR_INVAL);
	assert_int_equal(d->ops->dma_map(d, r, 0), PP_OK);
	assert_int_equal(d->ops->dma_map(d, r, 4097), PP_ERR_COUNT);
	assert_int_equal(d->ops->dma_unmap(d, bus, st, 4097), PP_ERR_COUNT);
	assert_int_equal(d->ops->dma_unmap(d, NULL, st, 1), PP_ERR_INVAL);
	d->ops->close(d);
	down(h);
	free(r);
	free(bus);
	free(st);
	free(mem);
}

/* A vector raised while masked is latched and delivered on unmask. */
static void test_mask_latch(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d = opn(h, ID0);
	uint8_t *ring = buf(PG);
	uint64_t p[4];
	unsigned int g = 0;

	(void)state;
	assert_int_equal(d->ops->irq_mask(d, 0, true), PP_ERR_NOTREADY);
	assert_int_equal(d->ops->irq_take(d, p), PP_OK);   /* nothing yet */
	assert_int_equal(p[0], 0);
	/* no silent fallback: the GPU has MSI-X only */
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSI, 1, &g),
			 PP_ERR_INVAL);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_NONE, 1, &g),
			 PP_ERR_INVAL);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 0, &g),
			 PP_ERR_INVAL);
	engine_setup(d, map1(d, ring, PG, PP_MAP_READ));
	assert_int_equal(d->ops->irq_mask(d, 8, true), PP_ERR_INVAL);
	assert_int_equal(d->ops->irq_mask(d, 3, true), PP_OK);
	wr(d, SIMGPU_REG_IRQ_TRIGGER, 4, 3);
	wr(d, SIMGPU_REG_IRQ_TRIGGER, 4, 4);   /* unmasked: delivered */
	assert_true(wait_vec(d, 4, 5000));
	usleep(50000);
	assert_int_equal(d->ops->irq_take(d, p), PP_OK);
	assert_int_equal(p[0] & (1u << 3), 0); /* latched, not delivered */
	assert_false(readable(d->ops->irq_fd(d), 50));
	assert_int_equal(d->ops->irq_mask(d, 3, false), PP_OK);
	assert_true(readable(d->ops->irq_fd(d), 5000));
	assert_true(wait_vec(d, 3, 5000));
	/* no duplicates */
	assert_int_equal(d->ops->irq_take(d, p), PP_OK);
	assert_int_equal(p[0], 0);
	/* A reclaim: configure again, same type, fewer vectors. */
	d->ops->close(d);
	d = opn(h, ID0);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 4, &g),
			 PP_OK);
	assert_int_equal(g, 4);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSI, 1, &g),
			 PP_ERR_INVAL);
	d->ops->close(d);
	down(h);
	free(ring);
}

/* The engine reads an address nobody mapped: error interrupt, no access
 * outside the mappings.  A dext has no DART-fault source: faults stay 0. */
static void test_dma_fault(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d = opn(h, ID0);
	uint8_t *ring = buf(PG), *dst = buf(PG);
	struct pp_host_dma_usage u;
	uint64_t ring_bus, dst_bus, st, bad;
	uint32_t ev = 0;

	(void)state;
	ring_bus = map1(d, ring, PG, PP_MAP_READ);
	dst_bus = map1(d, dst, PG, PP_MAP_WRITE);
	engine_setup(d, ring_bus);
	bad = dst_bus + 64 * PG;               /* nothing mapped there */
	desc(ring, 0, SIMGPU_OP_COPY_S2S, SIMGPU_DESC_F_IRQ, 256, bad, dst_bus,
	     0, 0);
	wr(d, SIMGPU_REG_RING_TAIL, 4, 1);
	assert_true(wait_vec(d, 1, 5000));     /* IRQ_VEC_ERROR = 1 */
	st = rd(d, SIMGPU_REG_ENGINE_STATUS, 4);
	assert_int_equal(SIMGPU_STATUS_STATE(st), SIMGPU_STATE_ERROR);
	assert_int_equal(SIMGPU_STATUS_ERROR(st), SIMGPU_ERR_DMA_READ);
	assert_int_equal(rd(d, SIMGPU_REG_FAULT_ADDR, 8), bad);
	for (unsigned int i = 0; i < PG; i++)
		assert_int_equal(dst[i], 0);
	assert_int_equal(d->ops->dma_usage(d, &u), PP_OK);
	assert_int_equal(u.faults, 0);
	assert_int_equal(d->ops->events(d, &ev), PP_OK);
	assert_int_equal(ev, 0);
	/* recover and run a good descriptor */
	wr(d, SIMGPU_REG_ENGINE_CTRL, 4, SIMGPU_CTRL_RESET);
	desc(ring, 0, SIMGPU_OP_FILL_SYS, SIMGPU_DESC_F_IRQ, 64, 0x5a5a5a5a,
	     dst_bus, 0, 0);
	wr(d, SIMGPU_REG_RING_TAIL, 4, 1);
	assert_true(wait_vec(d, 0, 5000));
	assert_int_equal(dst[63], 0x5a);
	d->ops->close(d);
	down(h);
	free(ring);
	free(dst);
}

static void expect_gone(struct pp_host_dev *d)
{
	struct pp_host_dev_info info;
	struct pp_host_bar_info bi;
	struct pp_host_dma_usage u;
	struct pp_dma_req r = { .addr = 0x10000, .len = 1, .prot = 1 };
	uint64_t p[4] = { 1, 1, 1, 1 }, v, bus = 0x4000;
	uint32_t ev = 0, cv;
	int32_t s;
	void *ptr;
	unsigned int g;

	assert_int_equal(d->ops->events(d, &ev), PP_OK);
	assert_int_equal(ev & PP_HOST_EV_GONE, PP_HOST_EV_GONE);
	assert_int_equal(d->ops->info(d, &info), PP_ERR_HOST);
	assert_int_equal(d->ops->cfg_read(d, 0, 4, &cv), PP_ERR_HOST);
	assert_int_equal(d->ops->cfg_write(d, 4, 2, 0), PP_ERR_HOST);
	assert_int_equal(d->ops->bar_info(d, 1, &bi), PP_ERR_HOST);
	assert_int_equal(d->ops->bar_map(d, 1, &ptr, &v), PP_ERR_HOST);
	assert_int_equal(d->ops->bar_read(d, 0, 0, 4, &v), PP_ERR_HOST);
	assert_int_equal(d->ops->bar_write(d, 0, 4, 4, 1), PP_ERR_HOST);
	assert_int_equal(d->ops->dma_map(d, &r, 1), PP_ERR_HOST);
	assert_int_equal(d->ops->dma_unmap(d, &bus, &s, 1), PP_ERR_HOST);
	assert_int_equal(d->ops->dma_usage(d, &u), PP_ERR_HOST);
	assert_int_equal(d->ops->irq_configure(d, PP_HOST_IRQ_MSIX, 1, &g),
			 PP_ERR_HOST);
	assert_int_equal(d->ops->irq_take(d, p), PP_ERR_HOST);
	assert_int_equal(p[0] | p[1] | p[2] | p[3], 0);
	assert_int_equal(d->ops->irq_mask(d, 0, false), PP_ERR_HOST);
	assert_int_equal(d->ops->reset(d, PP_HOST_RESET_FUNCTION), PP_ERR_HOST);
	assert_true(d->ops->irq_fd(d) >= 0);
	/* sticky */
	assert_int_equal(d->ops->events(d, &ev), PP_OK);
	assert_int_equal(ev & PP_HOST_EV_GONE, PP_HOST_EV_GONE);
}

static void test_unplug(void **state)
{
	struct pp_host *h = up(2, false);
	struct pp_host_dev *d = opn(h, ID0), *d1 = opn(h, ID1), *x = NULL;
	struct pp_host_dev_info in[2];
	struct fakeiokit_counts c;
	struct pp_sim_inspect si;
	uint8_t *mem = buf(4 * PG);
	uint32_t ev = 0;
	unsigned int n;
	void *p = NULL;
	uint64_t len;

	(void)state;
	assert_int_equal(d->ops->bar_map(d, 1, &p, &len), PP_OK);
	map1(d, mem, 4 * PG, PP_MAP_RW);
	engine_setup(d, map1(d, mem, PG, PP_MAP_READ));
	assert_false(readable(d->ops->irq_fd(d), 20));

	fakeiokit_unplug(0);
	assert_true(readable(d->ops->irq_fd(d), 5000));
	expect_gone(d);
	assert_false(readable(d->ops->irq_fd(d), 20)); /* signalled once */
	/* the host tore the DMA mappings down */
	assert_int_equal(pp_sim_inspect(fakeiokit_sim(0), 0, &si), PP_OK);
	assert_int_equal(si.dart.live_entries, 0);
	/* no longer listed; open says NOENT; the other root is untouched */
	assert_int_equal(h->ops->enumerate(h, in, 2, &n), PP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(in[0].id, ID1);
	assert_int_equal(h->ops->open(h, ID0, &x), PP_ERR_NOENT);
	assert_int_equal(d1->ops->events(d1, &ev), PP_OK);
	assert_int_equal(ev, 0);
	assert_int_equal(d1->ops->cfg_read(d1, 0, 4, &(uint32_t){ 0 }), PP_OK);

	/* bar_unmap and close still work, and leave nothing behind (the
	 * dext refuses the unmap after GONE: mach_vm_deallocate). */
	d->ops->bar_unmap(d, 1, p);
	d->ops->close(d);
	fakeiokit_counts(&c);
	assert_int_equal(c.mappings, 0);
	assert_true(c.interest_delivered >= 1);
	assert_int_equal(pp_sim_inspect(fakeiokit_sim(0), 0, &si), PP_OK);
	assert_int_equal(si.bar_maps, 0);
	d1->ops->close(d1);
	down(h);
	free(mem);
}

/* Close without bar_unmap after unplug: close unmaps; destroy closes. */
static void test_unplug_close_mapped(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d = opn(h, ID0);
	struct fakeiokit_counts c;
	void *p = NULL;
	uint64_t len;

	(void)state;
	assert_int_equal(d->ops->bar_map(d, 1, &p, &len), PP_OK);
	fakeiokit_unplug(0);
	assert_true(readable(d->ops->irq_fd(d), 5000));
	d->ops->close(d);
	fakeiokit_counts(&c);
	assert_int_equal(c.mappings, 0);
	assert_true(c.deallocs >= 1);
	down(h);
}

/* The dext process dies: every call fails at the IPC level; the client
 * confirms with INFO (which fails too) and turns GONE. */
static void test_ipc_dead(void **state)
{
	struct pp_host *h = up(1, false);
	struct pp_host_dev *d = opn(h, ID0);
	struct fakeiokit_counts c;
	uint32_t v;
	void *p = NULL;
	uint64_t len;

	(void)state;
	assert_int_equal(d->ops->bar_map(d, 1, &p, &len), PP_OK);
	fakeiokit_set_ipc_dead(true);
	assert_int_equal(d->ops->cfg_read(d, 0, 4, &v), PP_ERR_HOST);
	assert_true(readable(d->ops->irq_fd(d), 1000));
	expect_gone(d);
	d->ops->close(d);                      /* still works */
	fakeiokit_counts(&c);
	assert_int_equal(c.mappings, 0);
	fakeiokit_set_ipc_dead(false);
	down(h);
}

/* destroy() closes what the VMM left open. */
static void test_destroy_closes(void **state)
{
	struct pp_host *h = up(2, false);
	struct pp_host_dev *d = opn(h, ID0);
	uint8_t *mem = buf(PG);
	void *p = NULL;
	uint64_t len;

	(void)state;
	opn(h, ID1);
	assert_int_equal(d->ops->bar_map(d, 1, &p, &len), PP_OK);
	map1(d, mem, PG, PP_MAP_RW);
	down(h);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_enumerate),
		cmocka_unit_test(test_open_claim),
		cmocka_unit_test(test_claimed_elsewhere),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_mask_latch),
		cmocka_unit_test(test_dma_fault),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_unplug_close_mapped),
		cmocka_unit_test(test_ipc_dead),
		cmocka_unit_test(test_destroy_closes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
