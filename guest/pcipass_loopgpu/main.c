// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass_loopgpu: driver for the sim backend's loopback GPU (7070:1000).
 *
 * The device (docs/sim-gpu.md, hosts/sim/sim_gpu_regs.h) has trap-only
 * registers in BAR0, VRAM in BAR1 (direct-mapped into the guest by
 * pcipass-pci), MSI-X, and a copy engine that runs 64-byte descriptors from a
 * ring in system memory: SYS->VRAM, VRAM->SYS, SYS->SYS and fills.  Every
 * system address the engine touches is a bus address from the DMA API, which
 * pcipass_dma translates into DART mappings; so this driver exercises the
 * whole pcipass path: DMA mapping, the DART, BAR mapping, MSI-X delivery.
 *
 * The driver exposes a misc device per GPU, /dev/pcipass_loopgpuN, with the
 * ioctls of pcipass_loopgpu.h: info, a verified copy self-test with timings
 * and interrupt round trips, fault injection (a descriptor pointing at an
 * unmapped bus address: the engine's error, the error vector, recovery by
 * engine reset), a masked-vector latch test and register/VRAM access costs.
 * tools/pp-gpu-test is the user.
 *
 * pcipass_dma must own the device's DMA before this driver binds
 * (docs/guest-module.md); the probe defers until it does (require_pcipass=0
 * to bind anyway, e.g. on a machine without a DART).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/dma-mapping.h>
#include <linux/dma-map-ops.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/kref.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/delay.h>
#include <linux/sort.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/unaligned.h>

#include "sim_gpu_regs.h"
#include "loopgpu.h"

static bool require_pcipass = true;
module_param(require_pcipass, bool, 0444);
MODULE_PARM_DESC(require_pcipass,
		 "defer probe until pcipass_dma translates the device's DMA (default 1)");

static unsigned int max_vectors = 8;
module_param(max_vectors, uint, 0444);
MODULE_PARM_DESC(max_vectors,
		 "MSI-X vectors to use, 2.." __stringify(LG_MAX_VECTORS) " (default 8)");

static unsigned int ring_entries = 256;
module_param(ring_entries, uint, 0444);
MODULE_PARM_DESC(ring_entries, "descriptor ring size, power of two, 16..4096 (default 256)");

#define LG_VEC_COMPLETION	0
#define LG_VEC_ERROR		1
#define LG_TRIGGER_TIMEOUT	msecs_to_jiffies(2000)

/* A descriptor as the engine reads it (64 bytes, little-endian). */
struct lg_desc {
	__le32 op;
	__le32 flags;
	__le64 len;
	__le64 src;
	__le64 dst;
	__le64 compl_addr;
	__le64 compl_value;
	__le64 reserved[2];
};
static_assert(sizeof(struct lg_desc) == SIMGPU_DESC_SIZE);
static_assert(offsetof(struct lg_desc, compl_addr) == SIMGPU_DESC_COMPL_ADDR);
static_assert(offsetof(struct lg_desc, reserved) == SIMGPU_DESC_RESERVED);

struct lg_dev;

struct lg_vec {
	struct lg_dev *ld;
	unsigned int idx;		/* MSI-X entry */
	int irq;			/* Linux IRQ, or 0 when not requested */
	atomic64_t count;
	u64 last_ns;			/* ktime of the last interrupt */
	char name[64];
};

struct lg_dev {
	struct pci_dev *pdev;
	struct kref kref;
	struct mutex lock;		/* engine use, ring, gone */
	bool gone;
	int instance;
	char name[32];
	struct miscdevice misc;
	bool misc_registered;

	void __iomem *regs;		/* BAR0: trapped */
	void __iomem *vram;		/* BAR1: direct-mapped */
	u64 vram_size;
	u32 id, caps, nr_vectors_dev;
	bool translated;		/* pcipass_dma's ops were installed at probe */

	int nvec;
	struct lg_vec vec[LG_MAX_VECTORS];
	wait_queue_head_t wq;		/* every interrupt wakes it */
	atomic_t err_pending;		/* set by the error vector */

	struct lg_desc *ring;		/* coherent */
	dma_addr_t ring_bus;
	u32 ring_size, tail;
	__le64 *compl;			/* one completion word per ring entry, coherent */
	dma_addr_t compl_bus;
	size_t compl_len;
	u64 seq;			/* completion values */

	u64 errors_seen, resets;
	bool dead;			/* reads all ones: gone */
};

static DEFINE_IDA(lg_ida);
static unsigned long lg_defer_told;

/* ---- registers ------------------------------------------------------------- */

static u32 lg_rd(struct lg_dev *ld, u32 off)
{
	return readl(ld->regs + off);
}

static void lg_wr(struct lg_dev *ld, u32 off, u32 val)
{
	writel(val, ld->regs + off);
}

/* 8-byte registers are two 4-byte accesses, low word first (sim-gpu.md). */
static u64 lg_rd64(struct lg_dev *ld, u32 off)
{
	return lo_hi_readq(ld->regs + off);
}

static void lg_wr64(struct lg_dev *ld, u32 off, u64 val)
{
	lo_hi_writeq(val, ld->regs + off);
}

static const char *lg_err_name(u32 code)
{
	static const char *const names[] = {
		[SIMGPU_ERR_NONE] = "none",
		[SIMGPU_ERR_DMA_READ] = "DMA_READ",
		[SIMGPU_ERR_DMA_WRITE] = "DMA_WRITE",
		[SIMGPU_ERR_BAD_DESC] = "BAD_DESC",
		[SIMGPU_ERR_VRAM_RANGE] = "VRAM_RANGE",
		[SIMGPU_ERR_BUS_MASTER] = "BUS_MASTER",
		[SIMGPU_ERR_BAD_RING] = "BAD_RING",
	};

	return code < ARRAY_SIZE(names) && names[code] ? names[code] : "unknown";
}

/*
 * A function that went away (Thunderbolt cable pulled, host driver gone)
 * reads as all ones: the ID register can never be ~0 on a live device.
 */
static bool lg_alive(struct lg_dev *ld)
{
	if (ld->dead)
		return false;
	if (lg_rd(ld, SIMGPU_REG_ID) != U32_MAX)
		return true;
	ld->dead = true;
	dev_err(&ld->pdev->dev, "the device reads as all ones: unplugged or reset by the host; engine operations now fail with -ENODEV\n");
	return false;
}

/* ---- statistics ------------------------------------------------------------- */

static int lg_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void lg_stat_compute(struct lg_stat *st, u64 *s, u32 n)
{
	u64 sum = 0;
	u32 i;

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	sort(s, n, sizeof(*s), lg_cmp_u64, NULL);
	for (i = 0; i < n; i++)
		sum += s[i];
	st->n = n;
	st->min = s[0];
	st->max = s[n - 1];
	st->avg = div_u64(sum, n);
	st->p50 = s[n / 2];
}

/* ---- interrupts ------------------------------------------------------------- */

static irqreturn_t lg_irq(int irq, void *data)
{
	struct lg_vec *v = data;
	struct lg_dev *ld = v->ld;

	WRITE_ONCE(v->last_ns, ktime_get_ns());
	atomic64_inc(&v->count);
	if (v->idx == LG_VEC_ERROR)
		atomic_set(&ld->err_pending, 1);
	wake_up(&ld->wq);
	return IRQ_HANDLED;
}

static u64 lg_count(struct lg_dev *ld, unsigned int vec)
{
	return atomic64_read(&ld->vec[vec].count);
}

/* ---- engine ------------------------------------------------------------------- */

/*
 * Reset the engine: abandons the current descriptor, clears an error, head =
 * tail = 0; the ring registers and the interrupt routing are kept.
 */
static bool lg_engine_reset(struct lg_dev *ld)
{
	u32 st;

	lg_wr(ld, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	ld->tail = 0;
	lg_wr(ld, SIMGPU_REG_IRQ_STATUS, SIMGPU_IRQ_COMPLETION | SIMGPU_IRQ_ERROR);
	atomic_set(&ld->err_pending, 0);
	ld->resets++;
	st = lg_rd(ld, SIMGPU_REG_ENGINE_STATUS);
	return SIMGPU_STATUS_STATE(st) == SIMGPU_STATE_IDLE &&
	       lg_rd(ld, SIMGPU_REG_RING_HEAD) == 0 && lg_rd(ld, SIMGPU_REG_RING_TAIL) == 0;
}

static int lg_engine_init(struct lg_dev *ld)
{
	u64 base;
	u32 size;

	lg_engine_reset(ld);
	lg_wr64(ld, SIMGPU_REG_RING_BASE, ld->ring_bus);
	lg_wr(ld, SIMGPU_REG_RING_SIZE, ld->ring_size);
	lg_wr(ld, SIMGPU_REG_IRQ_VEC_COMPLETION, LG_VEC_COMPLETION);
	lg_wr(ld, SIMGPU_REG_IRQ_VEC_ERROR, LG_VEC_ERROR);
	lg_wr(ld, SIMGPU_REG_IRQ_STATUS, SIMGPU_IRQ_COMPLETION | SIMGPU_IRQ_ERROR);
	lg_wr(ld, SIMGPU_REG_IRQ_ENABLE, SIMGPU_IRQ_COMPLETION | SIMGPU_IRQ_ERROR);
	base = lg_rd64(ld, SIMGPU_REG_RING_BASE);
	size = lg_rd(ld, SIMGPU_REG_RING_SIZE);
	if (base != ld->ring_bus || size != ld->ring_size) {
		dev_err(&ld->pdev->dev, "ring registers did not take: base %#llx size %u (wrote %pad, %u)\n",
			base, size, &ld->ring_bus, ld->ring_size);
		return -EIO;
	}
	return 0;
}

/* After an error interrupt or a timeout: report the engine state, reset it. */
static void lg_engine_recover(struct lg_dev *ld, const char *why)
{
	u32 st = lg_rd(ld, SIMGPU_REG_ENGINE_STATUS);
	u64 fa = lg_rd64(ld, SIMGPU_REG_FAULT_ADDR);

	if (SIMGPU_STATUS_STATE(st) == SIMGPU_STATE_ERROR)
		ld->errors_seen++;
	dev_warn(&ld->pdev->dev,
		 "%s: engine status %#x (%s, error %s), fault address %#llx, head %u tail %u; resetting the engine\n",
		 why, st, SIMGPU_STATUS_STATE(st) == SIMGPU_STATE_ERROR ? "ERROR" :
		 SIMGPU_STATUS_STATE(st) == SIMGPU_STATE_BUSY ? "BUSY" : "IDLE",
		 lg_err_name(SIMGPU_STATUS_ERROR(st)), fa,
		 lg_rd(ld, SIMGPU_REG_RING_HEAD), lg_rd(ld, SIMGPU_REG_RING_TAIL));
	if (!lg_engine_reset(ld))
		dev_err(&ld->pdev->dev, "engine not idle after reset: status %#x\n",
			lg_rd(ld, SIMGPU_REG_ENGINE_STATUS));
}

static void lg_desc_set(struct lg_desc *d, u32 op, u32 flags, u64 len, u64 src, u64 dst)
{
	memset(d, 0, sizeof(*d));
	d->op = cpu_to_le32(op);
	d->flags = cpu_to_le32(flags);
	d->len = cpu_to_le64(len);
	d->src = cpu_to_le64(src);
	d->dst = cpu_to_le64(dst);
}

/*
 * Write @n descriptors at the tail, each with its own completion word, and
 * ring the doorbell.  The last one always raises the completion interrupt.
 * Returns the ring index of the last descriptor; *seq_out its completion
 * value, *t0 the time of the doorbell.
 */
static u32 lg_post(struct lg_dev *ld, const struct lg_desc *d, u32 n, u64 *seq_out, u64 *t0)
{
	u32 i, idx = ld->tail;
	u64 seq = 0;

	for (i = 0; i < n; i++) {
		struct lg_desc *r;

		idx = (ld->tail + i) & (ld->ring_size - 1);
		r = &ld->ring[idx];
		seq = ++ld->seq;
		WRITE_ONCE(ld->compl[idx], 0);
		*r = d[i];
		r->compl_addr = cpu_to_le64(ld->compl_bus + idx * sizeof(u64));
		r->compl_value = cpu_to_le64(seq);
		if (i == n - 1)
			r->flags |= cpu_to_le32(SIMGPU_DESC_F_IRQ);
	}
	ld->tail = (ld->tail + n) & (ld->ring_size - 1);
	/* descriptors visible before the doorbell (writel orders too) */
	dma_wmb();
	*t0 = ktime_get_ns();
	lg_wr(ld, SIMGPU_REG_RING_TAIL, ld->tail);
	*seq_out = seq;
	return idx;
}

static bool lg_compl_done(struct lg_dev *ld, u32 idx, u64 seq)
{
	bool done = le64_to_cpu(READ_ONCE(ld->compl[idx])) == seq;

	dma_rmb();
	return done;
}

/* Timeout for a submission moving @bytes: TCG is slow, be generous. */
static unsigned long lg_timeout(u64 bytes)
{
	return msecs_to_jiffies(10000 + div_u64(bytes, 4096));
}

/*
 * Post @n descriptors and wait for the last one's completion write and its
 * interrupt.  On an engine error or a timeout the engine is reset and an
 * error returned.  *irq_ns: doorbell to interrupt handler, *wake_ns:
 * doorbell to this thread running again.
 */
static int lg_run(struct lg_dev *ld, const struct lg_desc *d, u32 n, u64 bytes,
		  u64 *irq_ns, u64 *wake_ns)
{
	struct lg_vec *vc = &ld->vec[LG_VEC_COMPLETION];
	u64 c0 = atomic64_read(&vc->count), seq, t0, t1;
	long left;
	u32 idx;

	if (WARN_ON(!n || n >= ld->ring_size))
		return -EINVAL;
	idx = lg_post(ld, d, n, &seq, &t0);
	left = wait_event_timeout(ld->wq,
				  (lg_compl_done(ld, idx, seq) &&
				   atomic64_read(&vc->count) != c0) ||
				  atomic_read(&ld->err_pending), lg_timeout(bytes));
	t1 = ktime_get_ns();
	if (!left && !lg_alive(ld))
		return -ENODEV;
	if (atomic_read(&ld->err_pending)) {
		lg_engine_recover(ld, "engine error interrupt");
		return -EIO;
	}
	if (!left) {
		lg_engine_recover(ld, lg_compl_done(ld, idx, seq) ?
				  "completion written but no interrupt" : "engine timeout");
		return -ETIMEDOUT;
	}
	if (irq_ns)
		*irq_ns = READ_ONCE(vc->last_ns) - t0;
	if (wake_ns)
		*wake_ns = t1 - t0;
	return 0;
}

/* ---- self-test ---------------------------------------------------------------- */

struct lg_buf {
	void *cpu;			/* base + off */
	dma_addr_t bus;			/* bus address of cpu */
	size_t size;
	void *base;			/* the allocation */
	dma_addr_t base_bus;		/* coherent: its bus address */
	size_t alloc, off;
	enum dma_data_direction dir;
	bool coherent;
};

static void lg_buf_free(struct lg_dev *ld, struct lg_buf *b)
{
	struct device *dev = &ld->pdev->dev;

	if (!b->base)
		return;
	if (b->coherent) {
		dma_free_coherent(dev, b->alloc, b->base, b->base_bus);
	} else {
		dma_unmap_single(dev, b->bus, b->size, b->dir);
		free_pages((unsigned long)b->base, get_order(b->alloc));
	}
	b->base = NULL;
	b->cpu = NULL;
}

/*
 * A buffer of @size bytes starting @off bytes into its allocation (so its
 * bus address has that sub-page offset too), through the DMA API: streaming
 * (pages + dma_map_single) or coherent (dma_alloc_coherent).
 */
static int lg_buf_alloc(struct lg_dev *ld, struct lg_buf *b, size_t size, size_t off,
			enum dma_data_direction dir, bool coherent)
{
	struct device *dev = &ld->pdev->dev;

	b->size = size;
	b->off = off;
	b->alloc = size + off;
	b->dir = dir;
	b->coherent = coherent;
	if (coherent) {
		b->base = dma_alloc_coherent(dev, b->alloc, &b->base_bus,
					     GFP_KERNEL | __GFP_NOWARN);
		if (!b->base)
			return -ENOMEM;
		b->cpu = b->base + off;
		b->bus = b->base_bus + off;
		return 0;
	}
	b->base = (void *)__get_free_pages(GFP_KERNEL | __GFP_NOWARN, get_order(b->alloc));
	if (!b->base)
		return -ENOMEM;
	b->cpu = b->base + off;
	b->bus = dma_map_single(dev, b->cpu, size, dir);
	if (dma_mapping_error(dev, b->bus)) {
		free_pages((unsigned long)b->base, get_order(b->alloc));
		b->base = NULL;
		b->cpu = NULL;
		return -ENOSPC;
	}
	return 0;
}

static void lg_sync_dev(struct lg_dev *ld, struct lg_buf *b)
{
	if (!b->coherent)
		dma_sync_single_for_device(&ld->pdev->dev, b->bus, b->size, b->dir);
}

static void lg_sync_cpu(struct lg_dev *ld, struct lg_buf *b)
{
	if (!b->coherent)
		dma_sync_single_for_cpu(&ld->pdev->dev, b->bus, b->size, b->dir);
}

/* The seeded pattern: xorshift64 per 8-byte word, seeded per buffer. */
static u64 lg_seed(u64 seed, u32 buf)
{
	u64 z = seed + 0x9e3779b97f4a7c15ull * (buf + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}

static inline u64 lg_next(u64 *x)
{
	u64 v = *x;

	v ^= v << 13;
	v ^= v >> 7;
	v ^= v << 17;
	*x = v;
	return v;
}

static void lg_pattern_fill(void *p, size_t len, u64 seed)
{
	u64 x = seed, v;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++)
		put_unaligned(lg_next(&x), (u64 *)p + i);
	if (len & 7) {
		v = lg_next(&x);
		memcpy((u8 *)p + n * 8, &v, len & 7);
	}
}

/* Number of differing bytes; *first: offset of the first one. */
static u64 lg_pattern_check(const void *p, size_t len, u64 seed, u64 *first)
{
	u64 x = seed, v, w, bad = 0, d;
	size_t i, n = len / 8;
	int b;

	for (i = 0; i < n; i++) {
		v = lg_next(&x);
		w = get_unaligned((const u64 *)p + i);
		if (likely(w == v))
			continue;
		d = w ^ v;
		for (b = 0; b < 8; b++) {
			if (!((d >> (8 * b)) & 0xff))
				continue;
			if (!bad)
				*first = i * 8 + b;
			bad++;
		}
	}
	if (len & 7) {
		u8 tail[8];

		v = lg_next(&x);
		memcpy(tail, &v, sizeof(tail));
		for (b = 0; b < (int)(len & 7); b++) {
			if (((const u8 *)p)[n * 8 + b] == tail[b])
				continue;
			if (!bad)
				*first = n * 8 + b;
			bad++;
		}
	}
	return bad;
}

/* Is every byte of @p the FILL pattern @pat (byte i = byte i % 4 of pat)? */
static bool lg_fill_check(const void *p, size_t len, u32 pat)
{
	const u8 *b = p;
	size_t i;

	/* the ends and a stride through the middle: the full compare follows */
	for (i = 0; i < len; i += (i < 64 || i + 64 >= len) ? 1 : 4093)
		if (b[i] != ((pat >> (8 * (i & 3))) & 0xff))
			return false;
	return true;
}

#define LG_POISON	0xa5c3e17bu

/* runs a selftest phase of n descriptors, size bytes each, and records its time */
static int lg_st_phase(struct lg_dev *ld, struct lg_selftest *st, const struct lg_desc *d,
		       u32 n, size_t size, u64 *bytes, u64 *ns)
{
	u64 irq_ns;
	int ret;

	ret = lg_run(ld, d, n, n * size, &irq_ns, NULL);
	if (ret)
		return ret;
	st->descriptors += n;
	*bytes = (u64)n * size;
	*ns = irq_ns;
	return 0;
}

/* compares the n destination buffers with the pattern of their sources */
static void lg_st_verify(struct lg_dev *ld, struct lg_selftest *st, struct lg_buf *dst, u32 n,
			 size_t size)
{
	u64 t = ktime_get_ns(), bad, first;
	u32 i;

	for (i = 0; i < n; i++) {
		lg_sync_cpu(ld, &dst[i]);
		first = 0;
		bad = lg_pattern_check(dst[i].cpu, size, lg_seed(st->seed, i), &first);
		if (bad && !st->mismatches)
			st->first_mismatch = (u64)i << 32 | first;
		st->mismatches += bad;
		st->bytes_verified += size;
	}
	st->ns_verify_cpu += ktime_get_ns() - t;
}

static int lg_selftest(struct lg_dev *ld, void *arg)
{
	struct lg_selftest *st = arg;
	struct device *dev = &ld->pdev->dev;
	bool coherent = st->flags & LG_ST_COHERENT;
	u32 n = st->count, i, k, iters = st->rtt_iters ? st->rtt_iters : 32;
	size_t size = st->size, stride = ALIGN(st->size, 64);
	struct lg_buf *src = NULL, *dst = NULL;
	struct lg_desc *d = NULL;
	u64 *samp = NULL, *wake = NULL;
	u64 c0, e0, errs0, t;
	int ret;

	if (!st->flags)
		st->flags = LG_ST_DEFAULT;
	if (st->flags & ~LG_ST_ALL || st->offset >= PAGE_SIZE || !size ||
	    size + st->offset > LG_ST_MAX_SIZE ||
	    !n || n > LG_ST_MAX_COUNT || iters > 1000 || 2 * n + 1 >= ld->ring_size)
		return -EINVAL;
	if ((u64)n * stride > ld->vram_size)
		return -EINVAL;

	src = kcalloc(n, sizeof(*src), GFP_KERNEL);
	dst = kcalloc(n, sizeof(*dst), GFP_KERNEL);
	d = kcalloc(2 * n, sizeof(*d), GFP_KERNEL);
	samp = kcalloc(iters, sizeof(*samp), GFP_KERNEL);
	wake = kcalloc(iters, sizeof(*wake), GFP_KERNEL);
	if (!src || !dst || !d || !samp || !wake) {
		ret = -ENOMEM;
		goto out;
	}

	c0 = lg_count(ld, LG_VEC_COMPLETION);
	e0 = lg_count(ld, LG_VEC_ERROR);
	errs0 = ld->errors_seen;
	st->dart_bus_lo = U64_MAX;

	/* buffers through the DMA API: pcipass_dma maps them in the DART */
	t = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ret = lg_buf_alloc(ld, &src[i], size, st->offset, DMA_TO_DEVICE, coherent);
		if (!ret)
			ret = lg_buf_alloc(ld, &dst[i], size, st->offset, DMA_BIDIRECTIONAL,
					   coherent);
		if (ret) {
			dev_warn(dev, "selftest: buffer %u of %zu bytes: %s\n", i, size,
				 ret == -ENOSPC ? "DMA mapping failed" : "out of memory");
			goto out;
		}
		st->dart_bus_lo = min3(st->dart_bus_lo, (u64)src[i].bus, (u64)dst[i].bus);
		st->dart_bus_hi = max3(st->dart_bus_hi, (u64)src[i].bus + size - 1,
				       (u64)dst[i].bus + size - 1);
	}
	st->ns_map = ktime_get_ns() - t;

	t = ktime_get_ns();
	for (i = 0; i < n; i++) {
		lg_pattern_fill(src[i].cpu, size, lg_seed(st->seed, i));
		lg_sync_dev(ld, &src[i]);
	}
	st->ns_fill_cpu = ktime_get_ns() - t;

	if (st->flags & LG_ST_VRAM) {
		/* poison the destinations (DMA write) and the VRAM range */
		for (i = 0; i < n; i++) {
			lg_sync_dev(ld, &dst[i]);
			lg_desc_set(&d[2 * i], SIMGPU_OP_FILL_SYS, 0, size, LG_POISON, dst[i].bus);
			lg_desc_set(&d[2 * i + 1], SIMGPU_OP_FILL_VRAM, 0, size, ~LG_POISON,
				    (u64)i * stride);
		}
		ret = lg_run(ld, d, 2 * n, 2 * n * size, NULL, NULL);
		if (ret)
			goto out;
		st->descriptors += 2 * n;
		for (i = 0; i < n; i++) {
			lg_sync_cpu(ld, &dst[i]);
			if (!lg_fill_check(dst[i].cpu, size, LG_POISON)) {
				dev_err(dev, "selftest: FILL_SYS of buffer %u did not land\n", i);
				ret = -EIO;
				goto out;
			}
			lg_sync_dev(ld, &dst[i]);
		}

		/* SYS -> VRAM */
		for (i = 0; i < n; i++)
			lg_desc_set(&d[i], SIMGPU_OP_COPY_S2V, 0, size, src[i].bus,
				    (u64)i * stride);
		ret = lg_st_phase(ld, st, d, n, size, &st->bytes_s2v, &st->ns_s2v);
		if (ret)
			goto out;

		/* spot-check VRAM through the BAR1 mapping: first, middle, last word */
		for (i = 0; i < n; i++) {
			size_t offs[3] = { 0, (size / 2) & ~7ul, (size & ~7ul) - 8 };

			for (k = 0; k < 3; k++) {
				if (size < 8 || (k && offs[k] == offs[k - 1]))
					continue;
				st->vram_spot_checks++;
				/* src holds the pattern: compare with it */
				if (readq(ld->vram + (u64)i * stride + offs[k]) !=
				    get_unaligned((u64 *)(src[i].cpu + offs[k])))
					st->vram_spot_bad++;
			}
		}

		/* VRAM -> SYS */
		for (i = 0; i < n; i++)
			lg_desc_set(&d[i], SIMGPU_OP_COPY_V2S, 0, size, (u64)i * stride,
				    dst[i].bus);
		ret = lg_st_phase(ld, st, d, n, size, &st->bytes_v2s, &st->ns_v2s);
		if (ret)
			goto out;
		lg_st_verify(ld, st, dst, n, size);
	}

	if (st->flags & LG_ST_S2S) {
		for (i = 0; i < n; i++) {
			lg_sync_dev(ld, &dst[i]);
			lg_desc_set(&d[i], SIMGPU_OP_FILL_SYS, 0, size, ~LG_POISON, dst[i].bus);
		}
		ret = lg_run(ld, d, n, n * size, NULL, NULL);
		if (ret)
			goto out;
		st->descriptors += n;
		for (i = 0; i < n; i++)
			lg_desc_set(&d[i], SIMGPU_OP_COPY_S2S, 0, size, src[i].bus, dst[i].bus);
		ret = lg_st_phase(ld, st, d, n, size, &st->bytes_s2s, &st->ns_s2s);
		if (ret)
			goto out;
		lg_st_verify(ld, st, dst, n, size);
	}

	if (st->flags & LG_ST_MEMCPY) {
		t = ktime_get_ns();
		for (i = 0; i < n; i++)
			memcpy(dst[i].cpu, src[i].cpu, size);
		st->ns_memcpy = ktime_get_ns() - t;
		st->bytes_memcpy = (u64)n * size;
	}

	if (st->flags & LG_ST_RTT) {
		/* 0-byte fences: doorbell -> completion write -> MSI-X -> handler */
		for (k = 0; k < iters; k++) {
			lg_desc_set(&d[0], SIMGPU_OP_COPY_S2V, 0, 0, ld->compl_bus, 0);
			ret = lg_run(ld, d, 1, 0, &samp[k], &wake[k]);
			if (ret)
				goto out;
			if (k < LG_MAX_SAMPLES)
				st->samples[k] = samp[k];
		}
		st->descriptors += iters;
		lg_stat_compute(&st->fence_rtt, samp, iters);
		lg_stat_compute(&st->fence_wake, wake, iters);

		/* IRQ_TRIGGER: register write -> MSI-X -> handler */
		for (k = 0; k < iters; k++) {
			struct lg_vec *v = &ld->vec[LG_VEC_COMPLETION];
			u64 c = atomic64_read(&v->count);

			t = ktime_get_ns();
			lg_wr(ld, SIMGPU_REG_IRQ_TRIGGER, LG_VEC_COMPLETION);
			if (!wait_event_timeout(ld->wq, atomic64_read(&v->count) != c,
						LG_TRIGGER_TIMEOUT)) {
				dev_err(dev, "selftest: IRQ_TRIGGER of vector %u: no interrupt in 2 s\n",
					LG_VEC_COMPLETION);
				ret = -ETIMEDOUT;
				goto out;
			}
			samp[k] = READ_ONCE(v->last_ns) - t;
		}
		lg_stat_compute(&st->trigger_rtt, samp, iters);
	}
	ret = 0;

out:
	if (src && dst)
		for (i = 0; i < n; i++) {
			lg_buf_free(ld, &src[i]);
			lg_buf_free(ld, &dst[i]);
		}
	st->irqs_completion = lg_count(ld, LG_VEC_COMPLETION) - c0;
	st->irqs_error = lg_count(ld, LG_VEC_ERROR) - e0;
	st->engine_errors = ld->errors_seen - errs0;
	if (st->dart_bus_lo == U64_MAX)
		st->dart_bus_lo = 0;
	kfree(wake);
	kfree(samp);
	kfree(d);
	kfree(dst);
	kfree(src);
	if (!ret)
		dev_info(dev, "selftest: %u x %zu bytes at offset %u%s, %llu bytes verified, %llu mismatches, %u descriptors\n",
			 n, size, st->offset, coherent ? " (coherent)" : "", st->bytes_verified,
			 st->mismatches, st->descriptors);
	return ret;
}

/* ---- fault injection ------------------------------------------------------------ */

static int lg_fault(struct lg_dev *ld, void *arg)
{
	struct lg_fault *f = arg;
	struct device *dev = &ld->pdev->dev;
	u64 len = f->len ? f->len : SZ_16K, addr = f->addr ? f->addr : LG_FAULT_DEFAULT_ADDR;
	u64 e0 = lg_count(ld, LG_VEC_ERROR), c0 = lg_count(ld, LG_VEC_COMPLETION), t0, seq;
	u32 expect, idx, st;
	struct lg_desc d;

	if (f->len > SZ_16M)
		return -EINVAL;
	switch (f->kind) {
	case LG_FAULT_READ:
		lg_desc_set(&d, SIMGPU_OP_COPY_S2V, 0, len, addr, 0);
		expect = SIMGPU_ERR_DMA_READ;
		break;
	case LG_FAULT_WRITE:
		lg_desc_set(&d, SIMGPU_OP_COPY_V2S, 0, len, 0, addr);
		expect = SIMGPU_ERR_DMA_WRITE;
		break;
	case LG_FAULT_DESC:
		lg_desc_set(&d, 0x77, 0, len, 0, 0);
		expect = SIMGPU_ERR_BAD_DESC;
		addr = 0;
		break;
	case LG_FAULT_VRAM:
		lg_desc_set(&d, SIMGPU_OP_COPY_S2V, 0, len, ld->compl_bus, ld->vram_size - len / 2);
		expect = SIMGPU_ERR_VRAM_RANGE;
		addr = 0;
		break;
	default:
		return -EINVAL;
	}
	f->addr_used = addr;
	f->error_count_before = lg_rd(ld, SIMGPU_REG_ERROR_COUNT);
	f->desc_bus = ld->ring_bus + (u64)ld->tail * SIMGPU_DESC_SIZE;

	idx = lg_post(ld, &d, 1, &seq, &t0);
	/* the error interrupt, or (if the engine did not fault) the completion */
	if (!wait_event_timeout(ld->wq, atomic_read(&ld->err_pending) ||
				(lg_compl_done(ld, idx, seq) &&
				 lg_count(ld, LG_VEC_COMPLETION) != c0), lg_timeout(len)))
		dev_err(dev, "fault: no error interrupt within the timeout\n");
	else if (!atomic_read(&ld->err_pending))
		dev_err(dev, "fault: the descriptor completed: %#llx is mapped\n", addr);

	f->error_irqs = lg_count(ld, LG_VEC_ERROR) - e0;
	f->irq_ns = f->error_irqs ? READ_ONCE(ld->vec[LG_VEC_ERROR].last_ns) - t0 : 0;
	st = lg_rd(ld, SIMGPU_REG_ENGINE_STATUS);
	f->engine_status = st;
	f->error_code = SIMGPU_STATUS_ERROR(st);
	f->fault_addr = lg_rd64(ld, SIMGPU_REG_FAULT_ADDR);
	f->head_at_error = lg_rd(ld, SIMGPU_REG_RING_HEAD);
	f->error_count_after = lg_rd(ld, SIMGPU_REG_ERROR_COUNT);
	f->compl_written = lg_compl_done(ld, idx, seq);
	f->completion_irqs = lg_count(ld, LG_VEC_COMPLETION) - c0;

	dev_info(dev, "fault injection: engine error %s (expected %s), fault address %#llx (injected %#llx), error IRQ %s; recovering\n",
		 lg_err_name(f->error_code), lg_err_name(expect), f->fault_addr, addr,
		 f->error_irqs ? "received" : "MISSING");
	lg_engine_recover(ld, "injected fault");
	f->status_after_reset = lg_rd(ld, SIMGPU_REG_ENGINE_STATUS);
	f->reset_ok = f->status_after_reset == 0 && lg_rd(ld, SIMGPU_REG_RING_HEAD) == 0 &&
		      lg_rd(ld, SIMGPU_REG_RING_TAIL) == 0;
	return 0;
}

/* A bus address that was valid once: map, unmap, free. */
static int lg_stale(struct lg_dev *ld, void *arg)
{
	struct lg_stale *s = arg;
	struct lg_buf b = {};
	u64 len = s->len ? s->len : SZ_64K;
	int ret;

	if (len > LG_ST_MAX_SIZE)
		return -EINVAL;
	ret = lg_buf_alloc(ld, &b, len, 0, DMA_BIDIRECTIONAL, false);
	if (ret)
		return ret;
	s->bus = b.bus;
	lg_buf_free(ld, &b);
	return 0;
}

/* ---- interrupt latch ---------------------------------------------------------- */

static void __iomem *lg_msix_ctrl(struct lg_dev *ld, unsigned int vec)
{
	return ld->pdev->msix_base + vec * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL;
}

/* PBA word 0 through our BAR mapping, if the PBA lives in a BAR we map. */
static u32 lg_pba0(struct lg_dev *ld)
{
	struct pci_dev *pdev = ld->pdev;
	u32 pba;

	if (!pdev->msix_cap)
		return U32_MAX;
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	if ((pba & PCI_MSIX_PBA_BIR) != 0 ||
	    (pba & PCI_MSIX_PBA_OFFSET) + 4 > pci_resource_len(pdev, 0))
		return U32_MAX;
	return readl(ld->regs + (pba & PCI_MSIX_PBA_OFFSET));
}

static int lg_latch(struct lg_dev *ld, void *arg)
{
	struct lg_latch *l = arg;
	struct device *dev = &ld->pdev->dev;
	struct lg_vec *v = &ld->vec[LG_VEC_COMPLETION];
	void __iomem *ctrl = lg_msix_ctrl(ld, v->idx);
	u32 wait_ms = l->wait_ms ? l->wait_ms : 200, idx = 0, c;
	u64 seq = 0, t0, c0, c1, tu;
	unsigned long end;
	struct lg_desc d;
	int ret = 0;

	if ((l->mask_method != LG_LATCH_MASK_KERNEL && l->mask_method != LG_LATCH_MASK_TABLE) ||
	    (l->source != LG_LATCH_SRC_TRIGGER && l->source != LG_LATCH_SRC_FENCE) ||
	    wait_ms > 10000 || l->reserved0)
		return -EINVAL;
	if (!ld->pdev->msix_base)
		return -ENXIO;
	l->vector = v->idx;

	/* mask */
	if (l->mask_method == LG_LATCH_MASK_KERNEL) {
		/* lazy disable would only mask when an interrupt arrives */
		irq_set_status_flags(v->irq, IRQ_DISABLE_UNLAZY);
		disable_irq(v->irq);
	} else {
		writel(readl(ctrl) | PCI_MSIX_ENTRY_CTRL_MASKBIT, ctrl);
	}
	l->ctrl_masked = readl(ctrl);
	c0 = atomic64_read(&v->count);

	/* make the device send the vector while it is masked */
	if (l->source == LG_LATCH_SRC_TRIGGER) {
		lg_wr(ld, SIMGPU_REG_IRQ_TRIGGER, v->idx);
	} else {
		lg_desc_set(&d, SIMGPU_OP_COPY_S2V, 0, 0, ld->compl_bus, 0);
		idx = lg_post(ld, &d, 1, &seq, &t0);
		end = jiffies + msecs_to_jiffies(5000);
		while (!lg_compl_done(ld, idx, seq) && !atomic_read(&ld->err_pending) &&
		       time_before(jiffies, end))
			usleep_range(500, 1000);
		l->fence_done = lg_compl_done(ld, idx, seq);
	}
	msleep(wait_ms);
	c1 = atomic64_read(&v->count);
	l->irqs_while_masked = c1 - c0;
	l->pba_masked = lg_pba0(ld);

	/* unmask: the latched message must arrive now, exactly once */
	tu = ktime_get_ns();
	if (l->mask_method == LG_LATCH_MASK_KERNEL) {
		enable_irq(v->irq);
		irq_clear_status_flags(v->irq, IRQ_DISABLE_UNLAZY);
	} else {
		writel(readl(ctrl) & ~PCI_MSIX_ENTRY_CTRL_MASKBIT, ctrl);
	}
	l->ctrl_unmasked = readl(ctrl);
	wait_event_timeout(ld->wq, atomic64_read(&v->count) != c1, LG_TRIGGER_TIMEOUT);
	msleep(50);	/* a duplicate would show up by now */
	c = atomic64_read(&v->count) - c1;
	l->irqs_after_unmask = c;
	if (c)
		l->unmask_to_irq_ns = READ_ONCE(v->last_ns) - tu;

	/* and the vector still works afterwards */
	c1 = atomic64_read(&v->count);
	lg_wr(ld, SIMGPU_REG_IRQ_TRIGGER, v->idx);
	wait_event_timeout(ld->wq, atomic64_read(&v->count) != c1, LG_TRIGGER_TIMEOUT);
	msleep(20);
	l->irqs_after_retrigger = atomic64_read(&v->count) - c1;

	if (atomic_read(&ld->err_pending)) {
		lg_engine_recover(ld, "latch test");
		ret = -EIO;
	}
	dev_info(dev, "latch (%s mask, %s): %u interrupts while masked, %u after unmask (%llu ns), %u after a new trigger\n",
		 l->mask_method == LG_LATCH_MASK_KERNEL ? "kernel" : "MSI-X table",
		 l->source == LG_LATCH_SRC_TRIGGER ? "IRQ_TRIGGER" : "fence",
		 l->irqs_while_masked, l->irqs_after_unmask, l->unmask_to_irq_ns,
		 l->irqs_after_retrigger);
	return ret;
}

/* ---- every vector through IRQ_TRIGGER ------------------------------------------- */

static int lg_irqtest(struct lg_dev *ld, void *arg)
{
	struct lg_irqtest *it = arg;
	u32 iters = it->iters ? it->iters : 8, r, vi, n = 0;
	u64 *samp;

	if (iters > 1000)
		return -EINVAL;
	samp = kcalloc((size_t)iters * ld->nvec, sizeof(*samp), GFP_KERNEL);
	if (!samp)
		return -ENOMEM;
	it->nr_vectors = ld->nvec;
	for (r = 0; r < iters; r++) {
		for (vi = 0; vi < ld->nvec; vi++) {
			struct lg_vec *v = &ld->vec[vi];
			u64 c = atomic64_read(&v->count), t0 = ktime_get_ns();

			lg_wr(ld, SIMGPU_REG_IRQ_TRIGGER, vi);
			if (wait_event_timeout(ld->wq, atomic64_read(&v->count) != c,
					       LG_TRIGGER_TIMEOUT)) {
				it->delivered[vi]++;
				samp[n++] = READ_ONCE(v->last_ns) - t0;
			} else {
				it->lost++;
			}
			if (vi == LG_VEC_ERROR)	/* a test trigger, not an engine error */
				atomic_set(&ld->err_pending, 0);
		}
	}
	lg_stat_compute(&it->rtt, samp, n);
	kfree(samp);
	return 0;
}

/* ---- register and VRAM access costs --------------------------------------------- */

static int lg_barbench(struct lg_dev *ld, void *arg)
{
	struct lg_barbench *b = arg;
	u32 iters = b->reg_iters ? b->reg_iters : 2000, i, last = 0, rd = 0;
	u64 bytes = b->vram_bytes ? b->vram_bytes : SZ_4M, t, off, bad = 0;
	void __iomem *scratch = ld->regs + SIMGPU_REG_SCRATCH;

	if (iters > 1000000 || bytes > ld->vram_size || bytes & 7 || b->reserved0)
		return -EINVAL;
	t = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		last = 0x5c000000u ^ i;
		writel(last, scratch);
	}
	b->ns_reg_write = ktime_get_ns() - t;
	t = ktime_get_ns();
	for (i = 0; i < iters; i++)
		rd = readl(scratch);
	b->ns_reg_read = ktime_get_ns() - t;
	b->reg_readback_ok = rd == last;

	t = ktime_get_ns();
	for (off = 0; off < bytes; off += 8)
		writeq_relaxed(off * 0x9e3779b97f4a7c15ull, ld->vram + off);
	wmb();
	b->ns_vram_write = ktime_get_ns() - t;
	t = ktime_get_ns();
	for (off = 0; off < bytes; off += 8)
		bad += readq_relaxed(ld->vram + off) != off * 0x9e3779b97f4a7c15ull;
	b->ns_vram_read = ktime_get_ns() - t;
	b->vram_readback_ok = !bad;
	return 0;
}

/* ---- info ------------------------------------------------------------------------- */

static int lg_info(struct lg_dev *ld, void *arg)
{
	struct lg_info *in = arg;
	struct pci_dev *pdev = ld->pdev;
	struct lg_aud *a;
	int i;

	in->abi_version = LG_ABI_VERSION;
	in->device_gone = !lg_alive(ld);
	in->instance = ld->instance;
	strscpy(in->bdf, pci_name(pdev), sizeof(in->bdf));
	in->vendor = pdev->vendor;
	in->device = pdev->device;
	in->subvendor = pdev->subsystem_vendor;
	in->subdevice = pdev->subsystem_device;
	in->class_code = pdev->class;
	in->revision = pdev->revision;
	in->dma_translated = ld->translated;
	in->id_reg = lg_rd(ld, SIMGPU_REG_ID);
	in->caps = lg_rd(ld, SIMGPU_REG_CAPS);
	in->nr_vectors_dev = lg_rd(ld, SIMGPU_REG_NR_VECTORS);
	in->nr_vectors = ld->nvec;
	in->irq_base = ld->vec[0].irq;
	in->vec_completion = LG_VEC_COMPLETION;
	in->vec_error = LG_VEC_ERROR;
	for (i = 0; i < 2; i++) {
		in->bar_start[i] = pci_resource_start(pdev, i);
		in->bar_len[i] = pci_resource_len(pdev, i);
	}
	in->vram_size = lg_rd64(ld, SIMGPU_REG_VRAM_SIZE);
	in->engine_status = lg_rd(ld, SIMGPU_REG_ENGINE_STATUS);
	in->error_count = lg_rd(ld, SIMGPU_REG_ERROR_COUNT);
	in->completed = lg_rd(ld, SIMGPU_REG_COMPLETED);
	in->ring_head = lg_rd(ld, SIMGPU_REG_RING_HEAD);
	in->ring_tail = lg_rd(ld, SIMGPU_REG_RING_TAIL);
	in->ring_size = ld->ring_size;
	in->ring_bus = ld->ring_bus;
	in->compl_bus = ld->compl_bus;
	for (i = 0; i < ld->nvec; i++)
		in->irq_count[i] = atomic64_read(&ld->vec[i].count);
	in->engine_errors_seen = ld->errors_seen;
	in->engine_resets = ld->resets;

	mutex_lock(&lg_aud_lock);
	a = lg_aud_find_sibling(pdev);
	if (a) {
		in->audio_present = 1;
		in->audio_id_reg = a->id;
		strscpy(in->audio_bdf, pci_name(a->pdev), sizeof(in->audio_bdf));
		in->audio_vendor = a->pdev->vendor;
		in->audio_device = a->pdev->device;
		in->audio_class_code = a->pdev->class;
		in->audio_bar0_len = pci_resource_len(a->pdev, 0);
		in->audio_irq_mode = a->irq_mode;
		in->audio_nr_vectors = a->nvec;
		in->audio_irq_count = atomic64_read(&a->irq_count);
		in->audio_probe_scratch_ok = a->probe_scratch_ok;
		in->audio_probe_irq_ok = a->probe_irq_ok;
	}
	mutex_unlock(&lg_aud_lock);
	return 0;
}

/* ---- audio function and engine reset -------------------------------------------- */

static int lg_audio_test(struct lg_dev *ld, void *arg)
{
	struct lg_audio *au = arg;
	struct lg_aud *a;

	if (au->iters > 1000)
		return -EINVAL;
	mutex_lock(&lg_aud_lock);
	a = lg_aud_find_sibling(ld->pdev);
	if (a)
		lg_aud_test(a, au);
	mutex_unlock(&lg_aud_lock);
	return a ? 0 : -ENODEV;
}

static int lg_reset(struct lg_dev *ld, void *arg)
{
	return lg_engine_reset(ld) ? 0 : -EIO;
}

/* ---- misc device ------------------------------------------------------------------ */

static void lg_release_kref(struct kref *kref)
{
	kfree(container_of(kref, struct lg_dev, kref));
}

static int lg_open(struct inode *inode, struct file *file)
{
	/* misc_open() holds misc_mtx; remove() deregisters before dropping its ref */
	struct lg_dev *ld = container_of(file->private_data, struct lg_dev, misc);

	kref_get(&ld->kref);
	file->private_data = ld;
	return 0;
}

static int lg_release(struct inode *inode, struct file *file)
{
	struct lg_dev *ld = file->private_data;

	kref_put(&ld->kref, lg_release_kref);
	return 0;
}

/*
 * The ioctls.  The argument struct (_IOC_SIZE of the command) is copied in
 * for _IOC_WRITE and back out for _IOC_READ; the handler runs under ld->lock
 * while the device is bound and, unless any_state, its engine answers.
 */
static const struct lg_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct lg_dev *ld, void *arg);
	bool any_state;		/* also with the engine dead (INFO reports it) */
} lg_ioctls[] = {
	{ LG_IOC_INFO,		lg_info, true },
	{ LG_IOC_SELFTEST,	lg_selftest },
	{ LG_IOC_FAULT,		lg_fault },
	{ LG_IOC_STALE_ADDR,	lg_stale },
	{ LG_IOC_LATCH,		lg_latch },
	{ LG_IOC_IRQTEST,	lg_irqtest },
	{ LG_IOC_BARBENCH,	lg_barbench },
	{ LG_IOC_AUDIO,		lg_audio_test },
	{ LG_IOC_RESET,		lg_reset },
};

static long lg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct lg_ioctl_desc *io = NULL;
	struct lg_dev *ld = file->private_data;
	void __user *up = (void __user *)arg;
	size_t sz = _IOC_SIZE(cmd);
	void *buf = NULL;
	unsigned int i;
	long ret;

	for (i = 0; i < ARRAY_SIZE(lg_ioctls); i++)
		if (lg_ioctls[i].cmd == cmd)
			io = &lg_ioctls[i];
	if (!io)
		return -ENOTTY;
	if (sz) {
		buf = kzalloc(sz, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(buf, up, sz)) {
			kfree(buf);
			return -EFAULT;
		}
	}

	if (mutex_lock_interruptible(&ld->lock)) {
		kfree(buf);
		return -ERESTARTSYS;
	}
	if (ld->gone || (!io->any_state && !lg_alive(ld)))
		ret = -ENODEV;
	else
		ret = io->fn(ld, buf);
	mutex_unlock(&ld->lock);
	/* results are useful even when the operation failed */
	if (buf && (_IOC_DIR(cmd) & _IOC_READ) && (ret == 0 || ret == -EIO || ret == -ETIMEDOUT) &&
	    copy_to_user(up, buf, sz))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

static const struct file_operations lg_fops = {
	.owner = THIS_MODULE,
	.open = lg_open,
	.release = lg_release,
	.unlocked_ioctl = lg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* ---- probe / remove --------------------------------------------------------------- */

static void lg_teardown(struct lg_dev *ld)
{
	struct pci_dev *pdev = ld->pdev;
	int i;

	if (ld->regs && !ld->dead) {
		lg_wr(ld, SIMGPU_REG_IRQ_ENABLE, 0);
		lg_wr(ld, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	}
	for (i = 0; i < ld->nvec; i++)
		if (ld->vec[i].irq > 0)
			free_irq(ld->vec[i].irq, &ld->vec[i]);
	ld->nvec = 0;
	pci_free_irq_vectors(pdev);
	/* the engine is stopped: nothing DMAs to these any more */
	if (ld->ring)
		dma_free_coherent(&pdev->dev, ld->ring_size * sizeof(*ld->ring), ld->ring,
				  ld->ring_bus);
	if (ld->compl)
		dma_free_coherent(&pdev->dev, ld->compl_len, ld->compl, ld->compl_bus);
	ld->ring = NULL;
	ld->compl = NULL;
	pci_clear_master(pdev);
}

static int lg_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct lg_dev *ld;
	struct lg_desc d;
	u64 rtt = 0;
	int ret, i, want;

	/*
	 * Without pcipass_dma's ops this device's DMA would reach the DART
	 * untranslated and fault.  pcipass_dma installs them on unbound
	 * managed devices when it probes; deferring lets the driver core retry
	 * then.
	 */
	if (!get_dma_ops(dev) && require_pcipass) {
		/*
		 * Said once per module load; dev_err_probe() records the
		 * reason in debugfs devices_deferred.
		 */
		if (!test_and_set_bit(0, &lg_defer_told))
			dev_info(dev, "DMA is not translated by pcipass_dma (not loaded yet?): deferring the probe until it is\n");
		return dev_err_probe(dev, -EPROBE_DEFER, "waiting for pcipass_dma\n");
	}

	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return -ENOMEM;
	kref_init(&ld->kref);
	mutex_init(&ld->lock);
	init_waitqueue_head(&ld->wq);
	ld->pdev = pdev;
	ld->translated = !!get_dma_ops(dev);
	ld->instance = ida_alloc(&lg_ida, GFP_KERNEL);
	if (ld->instance < 0) {
		ret = ld->instance;
		kfree(ld);
		return ret;
	}
	snprintf(ld->name, sizeof(ld->name), LG_DEV_NAME "%d", ld->instance);
	pci_set_drvdata(pdev, ld);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto err;
	ld->regs = pcim_iomap_region(pdev, SIMGPU_BAR_REGS, LG_DRV_NAME);
	if (IS_ERR(ld->regs)) {
		ret = PTR_ERR(ld->regs);
		ld->regs = NULL;
		dev_err(dev, "cannot map BAR0: %d\n", ret);
		goto err;
	}
	ld->vram = pcim_iomap_region(pdev, SIMGPU_BAR_VRAM, LG_DRV_NAME);
	if (IS_ERR(ld->vram)) {
		ret = PTR_ERR(ld->vram);
		ld->vram = NULL;
		dev_err(dev, "cannot map BAR1 (VRAM): %d\n", ret);
		goto err;
	}

	ld->id = lg_rd(ld, SIMGPU_REG_ID);
	if (SIMGPU_ID_ARCH(ld->id) != SIMGPU_ARCH ||
	    SIMGPU_ID_IMPL(ld->id) != SIMGPU_IMPL_LOOPBACK) {
		dev_err(dev, "ID register %#x is not a pcipass loopback GPU\n", ld->id);
		ret = -ENODEV;
		goto err;
	}
	ld->caps = lg_rd(ld, SIMGPU_REG_CAPS);
	ld->vram_size = lg_rd64(ld, SIMGPU_REG_VRAM_SIZE);
	ld->nr_vectors_dev = lg_rd(ld, SIMGPU_REG_NR_VECTORS);
	if ((ld->caps & SIMGPU_CAPS_ALL) != SIMGPU_CAPS_ALL)
		dev_warn(dev, "CAPS %#x lacks some descriptor ops\n", ld->caps);
	if (ld->vram_size != pci_resource_len(pdev, SIMGPU_BAR_VRAM))
		dev_warn(dev, "VRAM_SIZE %llu differs from BAR1's size %llu\n", ld->vram_size,
			 (u64)pci_resource_len(pdev, SIMGPU_BAR_VRAM));
	ld->vram_size = min_t(u64, ld->vram_size, pci_resource_len(pdev, SIMGPU_BAR_VRAM));

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(dev, "no usable DMA mask: %d\n", ret);
		goto err;
	}
	pci_set_master(pdev);

	want = clamp_t(int, min_t(u32, ld->nr_vectors_dev, max_vectors), 2, LG_MAX_VECTORS);
	ld->nvec = pci_alloc_irq_vectors(pdev, 2, want, PCI_IRQ_MSIX);
	if (ld->nvec < 0) {
		ret = ld->nvec;
		ld->nvec = 0;
		dev_err(dev, "cannot allocate 2..%d MSI-X vectors: %d\n", want, ret);
		goto err;
	}
	for (i = 0; i < ld->nvec; i++) {
		struct lg_vec *v = &ld->vec[i];

		v->ld = ld;
		v->idx = i;
		snprintf(v->name, sizeof(v->name), "%s-%s", ld->name,
			 i == LG_VEC_COMPLETION ? "completion" :
			 i == LG_VEC_ERROR ? "error" : "spare");
		ret = request_irq(pci_irq_vector(pdev, i), lg_irq, 0, v->name, v);
		if (ret) {
			dev_err(dev, "cannot request MSI-X vector %d: %d\n", i, ret);
			goto err;
		}
		v->irq = pci_irq_vector(pdev, i);
	}

	ld->ring_size = ring_entries;
	if (!is_power_of_2(ld->ring_size) || ld->ring_size < 16 || ld->ring_size > 4096)
		ld->ring_size = 256;
	ld->ring = dma_alloc_coherent(dev, ld->ring_size * sizeof(*ld->ring), &ld->ring_bus,
				      GFP_KERNEL);
	ld->compl_len = PAGE_ALIGN(ld->ring_size * sizeof(u64));
	ld->compl = dma_alloc_coherent(dev, ld->compl_len, &ld->compl_bus, GFP_KERNEL);
	if (!ld->ring || !ld->compl) {
		dev_err(dev, "cannot allocate the descriptor ring through the DMA API\n");
		ret = -ENOMEM;
		goto err;
	}
	ret = lg_engine_init(ld);
	if (ret)
		goto err;

	/* a first fence: ring fetch, completion write and interrupt all work */
	lg_desc_set(&d, SIMGPU_OP_COPY_S2V, 0, 0, ld->compl_bus, 0);
	ret = lg_run(ld, &d, 1, 0, &rtt, NULL);
	if (ret)
		dev_warn(dev, "first fence failed (%d): DMA or interrupts do not work\n", ret);

	ld->misc.minor = MISC_DYNAMIC_MINOR;
	ld->misc.name = ld->name;
	ld->misc.fops = &lg_fops;
	ld->misc.parent = dev;
	ld->misc.mode = 0600;
	ret = misc_register(&ld->misc);
	if (ret)
		goto err;
	ld->misc_registered = true;

	dev_info(dev, "%s: loopback GPU id %#x, BAR0 %pR, BAR1 %pR (VRAM %llu MiB), %d MSI-X vectors (device has %u), ring %u @ bus %pad, DMA %s, first fence %s (%llu us)\n",
		 ld->name, ld->id, &pdev->resource[0], &pdev->resource[1], ld->vram_size >> 20,
		 ld->nvec, ld->nr_vectors_dev, ld->ring_size, &ld->ring_bus,
		 ld->translated ? "through pcipass_dma" : "NOT translated",
		 ret ? "FAILED" : "ok", div_u64(rtt, 1000));
	return 0;

err:
	lg_teardown(ld);
	ida_free(&lg_ida, ld->instance);
	pci_set_drvdata(pdev, NULL);
	kref_put(&ld->kref, lg_release_kref);
	return ret;
}

static void lg_remove(struct pci_dev *pdev)
{
	struct lg_dev *ld = pci_get_drvdata(pdev);

	if (ld->misc_registered)
		misc_deregister(&ld->misc);
	mutex_lock(&ld->lock);
	ld->gone = true;
	lg_teardown(ld);
	mutex_unlock(&ld->lock);
	ida_free(&lg_ida, ld->instance);
	dev_info(&pdev->dev, "%s removed (%llu engine errors handled, %llu resets)\n", ld->name,
		 ld->errors_seen, ld->resets);
	kref_put(&ld->kref, lg_release_kref);
}

static const struct pci_device_id lg_ids[] = {
	{ PCI_DEVICE(SIMGPU_VENDOR_ID, SIMGPU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, lg_ids);

static struct pci_driver lg_driver = {
	.name = LG_DRV_NAME,
	.id_table = lg_ids,
	.probe = lg_probe,
	.remove = lg_remove,
};

static int __init lg_init(void)
{
	int ret;

	ret = pci_register_driver(&lg_aud_driver);
	if (ret)
		return ret;
	ret = pci_register_driver(&lg_driver);
	if (ret)
		pci_unregister_driver(&lg_aud_driver);
	return ret;
}

static void __exit lg_exit(void)
{
	pci_unregister_driver(&lg_driver);
	pci_unregister_driver(&lg_aud_driver);
	ida_destroy(&lg_ida);
}

module_init(lg_init);
module_exit(lg_exit);

MODULE_DESCRIPTION("pcipass loopback GPU (sim backend 7070:1000) and its audio function");
MODULE_AUTHOR("pcipass");
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: pcipass_dma");
