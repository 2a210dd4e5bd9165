// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pt-check: checks QEMU's pcipass-pci passthrough of the sim backend's slot
 * (loopback GPU 7070:1000 + audio 7070:1001) and its pcipass-dma companion
 * from guest userspace, with no kernel module (tests/guest/passthrough-qemu).
 * Everything goes through sysfs: config, resourceN mmaps, /proc/self/pagemap.
 *
 *   pt-check enum VRAM VECTORS   enumeration, classes, BAR sizes and types,
 *                                virtualized BAR/ROM/pin registers, COMMAND
 *                                forwarding, trapped ID/SCRATCH/VRAM_SIZE
 *                                registers, the direct-mapped VRAM BAR, the
 *                                MANAGED table and caps of pcipass-dma
 *   pt-check dma                 pcipass-dma MAPs through the host's DART;
 *                                the GPU's copy engine fills and copies
 *                                guest RAM and VRAM through them; a DMA to
 *                                an unmapped bus address faults
 *   pt-check irq                 MSI-X and MSI end to end: with no driver,
 *                                the vectors are pointed at guest RAM (an
 *                                MSI is a memory write), so the message QEMU
 *                                sends shows up there; a masked vector is
 *                                held (PBA) and delivered on unmask
 *   pt-check flr                 a Function Level Reset through sysfs: QEMU
 *                                turns the guest's Initiate-FLR into the
 *                                host's reset; registers are back at reset
 *                                values and the function still answers
 *   pt-check gone                after the host side unplugged the slot:
 *                                BARs read all ones, config reads all ones,
 *                                pcipass-dma reports HOST_GONE, MAP fails
 *
 * Prints one line per check; exits 0 when all passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pcipass/proto.h"              /* pcipass-dma registers, commands */
#include "pp-guest.h"                   /* tests/guest/lib: CHECK, MMIO, sysfs */
#include "sim_gpu_regs.h"               /* hosts/sim: the loopback GPU */

/* ---- sysfs --------------------------------------------------------------- */

struct fn {
	char name[256];         /* "0000:01:00.0" */
	char path[300];         /* /sys/bus/pci/devices/NAME */
};

static struct fn gpu, aud, dma;

static uint64_t attr(const struct fn *f, const char *a)
{
	char p[512];
	uint64_t v = ~0ull;

	snprintf(p, sizeof(p), "%s/%s", f->path, a);
	if (read_hex(p, &v))
		return ~0ull;
	return v;
}

static int find_fn(unsigned int ven, unsigned int dev, struct fn *out)
{
	if (pci_find(ven, dev, out->name, sizeof(out->name)))
		return -1;
	snprintf(out->path, sizeof(out->path), "/sys/bus/pci/devices/%s",
		 out->name);
	return 0;
}

static void find_all(void)
{
	if (find_fn(SIMGPU_VENDOR_ID, SIMGPU_DEVICE_ID, &gpu))
		DIE("no 7070:1000 (sim GPU) function in /sys/bus/pci/devices");
	if (find_fn(SIMGPU_VENDOR_ID, SIMGPU_DEVICE_ID + 1, &aud))
		DIE("no 7070:1001 (sim audio) function");
	if (find_fn(PP_DMA_PCI_VENDOR_ID, PP_DMA_PCI_DEVICE_ID, &dma))
		DIE("no 7070:0001 (pcipass-dma) function");
}

static int cfg_fd(const struct fn *f)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/config", f->path);
	fd = open(p, O_RDWR);
	if (fd < 0)
		DIE("open %s: %s", p, strerror(errno));
	return fd;
}

static uint32_t cfg_rd(const struct fn *f, unsigned int off, unsigned int sz)
{
	uint32_t v = 0;
	int fd = cfg_fd(f);

	if (pread(fd, &v, sz, off) != (ssize_t)sz)
		v = ~0u;
	close(fd);
	return v;
}

static void cfg_wr(const struct fn *f, unsigned int off, unsigned int sz,
		   uint32_t v)
{
	int fd = cfg_fd(f);

	if (pwrite(fd, &v, sz, off) != (ssize_t)sz)
		DIE("config write %s+0x%x: %s", f->name, off, strerror(errno));
	close(fd);
}

static unsigned int find_cap(const struct fn *f, unsigned int id)
{
	unsigned int pos = cfg_rd(f, 0x34, 1) & 0xfc, n = 0;

	while (pos >= 0x40 && n++ < 48) {
		if ((cfg_rd(f, pos, 1)) == id)
			return pos;
		pos = cfg_rd(f, pos + 1, 1) & 0xfc;
	}
	return 0;
}

/* resource line i: start, end, flags */
static int resource(const struct fn *f, unsigned int i, uint64_t *start,
		    uint64_t *size, uint64_t *flags)
{
	char p[512];
	FILE *fp;
	uint64_t s, e, fl;
	int ok = -1;

	snprintf(p, sizeof(p), "%s/resource", f->path);
	fp = fopen(p, "r");
	if (!fp)
		return -1;
	for (unsigned int l = 0; l <= i; l++) {
		if (fscanf(fp, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e,
			   &fl) != 3)
			break;
		if (l == i) {
			*start = s;
			*size = e ? e - s + 1 : 0;
			*flags = fl;
			ok = 0;
		}
	}
	fclose(fp);
	return ok;
}

/* ---- memory with known guest-physical addresses -------------------------- */

#define NPAGES 8
static uint8_t *pg[NPAGES];          /* 4 KiB guest pages, locked */
static uint64_t pa[NPAGES];

static void alloc_pages(void)
{
	uint8_t *m = aligned_alloc(4096, NPAGES * 4096);

	if (!m || mlock(m, NPAGES * 4096))
		DIE("cannot lock memory");
	memset(m, 0, NPAGES * 4096);
	for (unsigned int i = 0; i < NPAGES; i++) {
		pg[i] = m + i * 4096;
		pa[i] = virt_to_phys(pg[i]);
		if (!pa[i])
			DIE("/proc/self/pagemap gave no physical address");
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls *p (volatile) until it equals want or ms pass. */
static int wait_u32(volatile uint32_t *p, uint32_t want, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (*p != want) {
		if (now_ms() > end)
			return -1;
		usleep(1000);
	}
	return 0;
}

/* ---- pcipass-dma commands ------------------------------------------------- */

static volatile uint8_t *dbar;       /* pcipass-dma BAR0 */
static struct pp_cmd_header *hdr;
static struct pp_cmd_entry *ent;

static void dma_open(void)
{
	cfg_wr(&dma, 0x04, 2, 0x0002);  /* memory decoding */
	dbar = map_bar(dma.name, 0, PP_BAR0_SIZE);
	hdr = (struct pp_cmd_header *)pg[0];
	ent = (struct pp_cmd_entry *)(pg[0] + 32);
}

static void cmd_begin(uint32_t count)
{
	memset(hdr, 0, 32 + 32 * (size_t)count);
	hdr->version = pp_le16(PP_PROTO_MAJOR);
	hdr->count = pp_le32(count);
}

static uint32_t doorbell(void)
{
	mb();
	wr64(dbar, PP_REG_DOORBELL, pa[0]);
	return pp_le32(((volatile struct pp_cmd_header *)hdr)->status);
}

/* MAPs one guest page; returns its bus address, 0 on failure. */
static uint64_t dma_map_page(unsigned int i, uint32_t *handle, uint32_t *st)
{
	cmd_begin(1);
	ent[0].op = PP_OP_MAP;
	ent[0].flags = PP_MAP_RW;
	ent[0].addr = pp_le64(pa[i]);
	ent[0].len = pp_le32(4096);
	doorbell();
	*st = pp_le32(ent[0].status);
	*handle = pp_le32(ent[0].handle);
	return *st == PP_OK ? pp_le64(ent[0].bus) : 0;
}

static uint32_t dma_unmap(uint32_t handle)
{
	cmd_begin(1);
	ent[0].op = PP_OP_UNMAP;
	ent[0].handle = pp_le32(handle);
	doorbell();
	return pp_le32(ent[0].status);
}

/* ---- enum ------------------------------------------------------------------- */

static void check_function(const struct fn *f, const char *what,
			   uint64_t dev_id, uint64_t cls)
{
	CHECK_EQ(attr(f, "vendor"), SIMGPU_VENDOR_ID, what);
	CHECK_EQ(attr(f, "device"), dev_id, "  device");
	CHECK_EQ(attr(f, "class"), cls, "  class");
	CHECK_EQ(attr(f, "subsystem_vendor"), SIMGPU_VENDOR_ID,
		 "  subsystem vendor");
	CHECK_EQ(attr(f, "subsystem_device"), dev_id, "  subsystem device");
	CHECK_EQ(attr(f, "revision"), 1, "  revision");
	CHECK_EQ(cfg_rd(f, 0x3d, 1), 0,
		 "  interrupt pin 0 (no INTx: MSI/MSI-X only)");
	CHECK_EQ(cfg_rd(f, 0x30, 4), 0, "  no expansion ROM");
}

static void check_bar(const struct fn *f, unsigned int i, uint64_t size,
		      int mem64, const char *what)
{
	uint64_t start = 0, sz = 0, fl = 0;
	uint32_t reg = cfg_rd(f, 0x10 + 4 * i, 4);

	CHECK(!resource(f, i, &start, &sz, &fl), "%s: resource%u listed", what,
	      i);
	CHECK_EQ(sz, size, "  size");
	CHECK((fl & 0x200) != 0, "  memory BAR (flags 0x%" PRIx64 ")", fl);
	if (mem64) {
		CHECK((fl & 0x00100000) && (fl & 0x2000),
		      "  64-bit prefetchable (flags 0x%" PRIx64 ")", fl);
		CHECK_EQ(reg & 0xf, 0xc, "  BAR register type bits: 64-bit pref");
		CHECK_EQ(((uint64_t)cfg_rd(f, 0x14 + 4 * i, 4) << 32 |
			  (reg & ~0xfu)), start,
			 "  BAR registers hold the guest's address");
	} else {
		CHECK_EQ(reg & 0xf, 0, "  BAR register type bits: 32-bit");
		CHECK_EQ(reg & ~0xfu, start,
			 "  BAR register holds the guest's address");
	}
}

static int cmd_enum(uint64_t vram, unsigned int vectors)
{
	volatile uint8_t *r0, *ar0, *v;
	unsigned int gslot, aslot, gfn, afn, x, y, z, w;
	uint32_t id;
	uint64_t s, sz, fl;

	find_all();
	printf("GPU %s, audio %s, pcipass-dma %s\n", gpu.name, aud.name,
	       dma.name);
	sscanf(gpu.name, "%x:%x:%x.%x", &x, &y, &gslot, &gfn);
	sscanf(aud.name, "%x:%x:%x.%x", &z, &w, &aslot, &afn);
	CHECK(x == z && y == w && gslot == aslot && gfn == 0 && afn == 1,
	      "GPU and audio are functions 0 and 1 of one slot");
	CHECK((cfg_rd(&gpu, 0x0e, 1) & 0x80) != 0,
	      "function 0 has the multi-function header bit");

	check_function(&gpu, "GPU vendor", SIMGPU_DEVICE_ID, SIMGPU_CLASS_GPU);
	check_function(&aud, "audio vendor", SIMGPU_DEVICE_ID + 1,
		       SIMGPU_CLASS_AUDIO);
	check_bar(&gpu, 0, SIMGPU_BAR0_SIZE, 0, "GPU BAR0 (registers)");
	check_bar(&gpu, 1, vram, 1, "GPU BAR1 (VRAM)");
	CHECK(!resource(&gpu, 2, &s, &sz, &fl) && sz == 0,
	      "GPU resource2 empty (upper half of BAR1)");
	for (unsigned int i = 3; i < 6; i++)
		CHECK(!resource(&gpu, i, &s, &sz, &fl) && sz == 0,
		      "GPU resource%u empty", i);
	check_bar(&aud, 0, SIMAUD_BAR0_SIZE, 0, "audio BAR0");
	CHECK(!resource(&aud, 1, &s, &sz, &fl) && sz == 0,
	      "audio resource1 empty");
	CHECK(find_cap(&gpu, 0x11) != 0, "GPU has MSI-X");
	CHECK(find_cap(&gpu, 0x10) != 0, "GPU has PCI Express");
	CHECK(find_cap(&aud, 0x05) != 0, "audio has MSI");

	/* COMMAND reaches the device (and reads back from it). */
	cfg_wr(&gpu, 0x04, 2, 0x0006);
	cfg_wr(&aud, 0x04, 2, 0x0006);
	CHECK_EQ(cfg_rd(&gpu, 0x04, 2) & 0x6, 0x6, "GPU COMMAND: MSE|BME set");
	CHECK_EQ(cfg_rd(&aud, 0x04, 2) & 0x6, 0x6, "audio COMMAND: MSE|BME set");

	/* Trapped register BARs. */
	r0 = map_bar(gpu.name, 0, SIMGPU_BAR0_SIZE);
	ar0 = map_bar(aud.name, 0, SIMAUD_BAR0_SIZE);
	id = rd32(r0, SIMGPU_REG_ID);
	printf("GPU ID 0x%08x: architecture 0x%02x, implementation 0x%02x, "
	       "revision %u\n", id, SIMGPU_ID_ARCH(id), SIMGPU_ID_IMPL(id),
	       SIMGPU_ID_REV(id));
	CHECK_EQ(SIMGPU_ID_ARCH(id), SIMGPU_ARCH, "GPU ID architecture");
	CHECK_EQ(SIMGPU_ID_IMPL(id), SIMGPU_IMPL_LOOPBACK, "GPU ID implementation");
	CHECK_EQ(SIMGPU_ID_REV(id), 1, "GPU ID revision");
	id = rd32(ar0, SIMAUD_REG_ID);
	CHECK_EQ(SIMGPU_ID_ARCH(id), SIMGPU_ARCH, "audio ID architecture");
	CHECK_EQ(SIMGPU_ID_IMPL(id), SIMGPU_IMPL_AUDIO, "audio ID implementation");
	CHECK_EQ(SIMGPU_ID_REV(id), 1, "audio ID revision");
	CHECK_EQ(rd64(r0, SIMGPU_REG_VRAM_SIZE), vram,
		 "GPU VRAM_SIZE (one 8-byte trapped read) = BAR1 size");
	CHECK_EQ(rd32(r0, SIMGPU_REG_NR_VECTORS), vectors, "GPU NR_VECTORS");
	CHECK_EQ(rd32(r0, SIMGPU_REG_CAPS), SIMGPU_CAPS_ALL, "GPU CAPS");
	CHECK_EQ(rd32(r0, SIMGPU_REG_SCRATCH), 0, "GPU SCRATCH after reset");
	wr32(r0, SIMGPU_REG_SCRATCH, 0xa5c3f00d);
	CHECK_EQ(rd32(r0, SIMGPU_REG_SCRATCH), 0xa5c3f00d,
		 "GPU SCRATCH write/read round trip");
	wr32(ar0, SIMAUD_REG_SCRATCH, 0x5a3c0ff1);
	CHECK_EQ(rd32(ar0, SIMAUD_REG_SCRATCH), 0x5a3c0ff1,
		 "audio SCRATCH write/read round trip");
	CHECK_EQ(rd32(r0, SIMGPU_REG_SCRATCH), 0xa5c3f00d,
		 "GPU SCRATCH unaffected by the audio function");
	/* The MSI-X table is QEMU's: entries start masked. */
	CHECK_EQ(rd32(r0, SIMGPU_MSIX_TABLE_OFF + 12) & 1, 1,
		 "MSI-X table entry 0 masked (QEMU's emulated table)");

	/* The direct-mapped VRAM BAR. */
	v = map_bar(gpu.name, 1, vram);
	for (uint64_t off = 0; off < 65536; off += 4)
		*(volatile uint32_t *)(v + off) = (uint32_t)(off * 2654435761u);
	*(volatile uint64_t *)(v + vram - 8) = 0x0123456789abcdefull;
	mb();
	{
		int bad = 0;

		for (uint64_t off = 0; off < 65536; off += 4)
			if (*(volatile uint32_t *)(v + off) !=
			    (uint32_t)(off * 2654435761u))
				bad++;
		CHECK(!bad, "VRAM (resource1 mmap): 64 KiB write/read round "
		      "trip (%d bad words)", bad);
	}
	CHECK_EQ(*(volatile uint64_t *)(v + vram - 8), 0x0123456789abcdefull,
		 "VRAM: last 8 bytes of the BAR");

	/* pcipass-dma manages both functions of the slot. */
	dma_open();
	CHECK_EQ(rd32(dbar, PP_REG_MAGIC), PP_PROTO_MAGIC, "pcipass-dma MAGIC");
	CHECK_EQ(rd32(dbar, PP_REG_NR_MANAGED), 2, "pcipass-dma NR_MANAGED");
	CHECK_EQ(rd32(dbar, PP_REG_MANAGED(0)), pci_bdf(gpu.name),
		 "MANAGED[0] is the GPU function");
	CHECK_EQ(rd32(dbar, PP_REG_MANAGED(1)), pci_bdf(aud.name),
		 "MANAGED[1] is the audio function");
	CHECK_EQ(rd32(dbar, PP_REG_MANAGED(2)), 0, "MANAGED[2] reads 0");
	CHECK_EQ(rd64(dbar, PP_REG_DART_CAP), 1536ull << 20,
		 "DART_CAP: the sim DART's byte cap");
	CHECK_EQ(rd32(dbar, PP_REG_DART_ENTRIES), 65536,
		 "DART_ENTRIES: the sim DART's entry cap");
	CHECK_EQ(rd32(dbar, PP_REG_STATUS), 0, "STATUS: no HOST_GONE");
	return failures ? 1 : 0;
}

/* ---- dma -------------------------------------------------------------------- */

static void put_desc(volatile uint8_t *d, uint32_t op, uint32_t flags,
		     uint64_t len, uint64_t src, uint64_t dst, uint64_t caddr,
		     uint64_t cval)
{
	memset((void *)d, 0, SIMGPU_DESC_SIZE);
	*(volatile uint32_t *)(d + SIMGPU_DESC_OP) = op;
	*(volatile uint32_t *)(d + SIMGPU_DESC_FLAGS) = flags;
	*(volatile uint64_t *)(d + SIMGPU_DESC_LEN) = len;
	*(volatile uint64_t *)(d + SIMGPU_DESC_SRC) = src;
	*(volatile uint64_t *)(d + SIMGPU_DESC_DST) = dst;
	*(volatile uint64_t *)(d + SIMGPU_DESC_COMPL_ADDR) = caddr;
	*(volatile uint64_t *)(d + SIMGPU_DESC_COMPL_VALUE) = cval;
}

static int wait_completed(volatile uint8_t *r0, uint32_t n, unsigned int ms)
{
	uint64_t end = now_ms() + ms;

	while (rd32(r0, SIMGPU_REG_COMPLETED) != n) {
		if (SIMGPU_STATUS_STATE(rd32(r0, SIMGPU_REG_ENGINE_STATUS)) ==
		    SIMGPU_STATE_ERROR || now_ms() > end)
			return -1;
		usleep(1000);
	}
	return 0;
}

/*
 * Page use: 0 pcipass-dma commands, 1 ring (16 descriptors) + completion
 * words at +2048, 2 fill/copy target, 3 mapped then unmapped (fault
 * target), 4 MSI landing zone (irq).
 */
static int cmd_dma(uint64_t vram)
{
	volatile uint8_t *r0, *v, *ring;
	volatile uint32_t *data;
	uint64_t bring, bdata, bgone;
	uint32_t hring, hdata, hgone, st, es;
	int bad;

	find_all();
	alloc_pages();
	dma_open();
	r0 = map_bar(gpu.name, 0, SIMGPU_BAR0_SIZE);
	v = map_bar(gpu.name, 1, vram);
	ring = pg[1];
	data = (volatile uint32_t *)pg[2];

	/* Features, DRIVER_OK, then MAP through the host backend's DART. */
	wr32(dbar, PP_REG_DRV_FEATURES, PP_FEAT_ALL);
	wr32(dbar, PP_REG_STATUS, PP_STATUS_DRIVER_OK);
	bring = dma_map_page(1, &hring, &st);
	CHECK(bring != 0 && (bring & 0x3fff) == (pa[1] & 0x3fff),
	      "MAP ring page GPA 0x%" PRIx64 " -> bus 0x%" PRIx64
	      " (status %u, page offset kept)", pa[1], bring, st);
	bdata = dma_map_page(2, &hdata, &st);
	CHECK(bdata != 0, "MAP data page GPA 0x%" PRIx64 " -> bus 0x%" PRIx64,
	      pa[2], bdata);
	bgone = dma_map_page(3, &hgone, &st);
	CHECK(bgone != 0, "MAP a third page -> bus 0x%" PRIx64, bgone);
	CHECK_EQ(dma_unmap(hgone), PP_OK, "UNMAP the third page");
	cmd_begin(1);
	ent[0].op = PP_OP_QUERY;
	ent[0].flags = PP_QUERY_USAGE;
	doorbell();
	CHECK_EQ(pp_le32(ent[0].len), 2, "QUERY_USAGE: 2 DART entries live");
	CHECK_EQ(pp_le64(ent[0].addr), 2 * 16384,
		 "QUERY_USAGE: 32 KiB live (whole 16 KiB pages)");

	/* Engine: ring in guest RAM, reached by bus address. */
	cfg_wr(&gpu, 0x04, 2, 0x0006);
	wr32(r0, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	wr64(r0, SIMGPU_REG_RING_BASE, bring);
	wr32(r0, SIMGPU_REG_RING_SIZE, 16);
	CHECK_EQ(rd64(r0, SIMGPU_REG_RING_BASE), bring, "RING_BASE reads back");
	put_desc(ring, SIMGPU_OP_FILL_SYS, 0, 4096, 0xc0def00d, bdata,
		 bring + 2048, 0x1111);
	put_desc(ring + 64, SIMGPU_OP_FILL_VRAM, 0, 8192, 0x600dcafe,
		 0x100000, bring + 2056, 0x2222);
	put_desc(ring + 128, SIMGPU_OP_COPY_V2S, 0, 4096, 0x200000, bdata,
		 bring + 2064, 0x3333);
	for (unsigned int i = 0; i < 1024; i++)
		*(volatile uint32_t *)(v + 0x200000 + 4 * i) = 0x51000000 + i;
	mb();
	wr32(r0, SIMGPU_REG_RING_TAIL, 1);
	CHECK(!wait_completed(r0, 1, 5000), "FILL_SYS descriptor completed");
	bad = 0;
	for (unsigned int i = 0; i < 1024; i++)
		if (data[i] != 0xc0def00d)
			bad++;
	CHECK(!bad, "FILL_SYS filled the guest page through the DART "
	      "(%d bad words)", bad);
	CHECK_EQ(*(volatile uint64_t *)(ring + 2048), 0x1111,
		 "completion word written by DMA");

	wr32(r0, SIMGPU_REG_RING_TAIL, 3);
	CHECK(!wait_completed(r0, 3, 5000), "FILL_VRAM + COPY_V2S completed");
	bad = 0;
	for (unsigned int i = 0; i < 2048; i++)
		if (*(volatile uint32_t *)(v + 0x100000 + 4 * i) != 0x600dcafe)
			bad++;
	CHECK(!bad, "FILL_VRAM visible through the mapped BAR (%d bad)", bad);
	bad = 0;
	for (unsigned int i = 0; i < 1024; i++)
		if (data[i] != 0x51000000 + i)
			bad++;
	CHECK(!bad, "COPY_V2S: VRAM written by the CPU reached guest RAM "
	      "(%d bad)", bad);
	CHECK_EQ(*(volatile uint64_t *)(ring + 2064), 0x3333,
		 "completion word of COPY_V2S");

	/* A DMA to a bus address that is no longer mapped faults. */
	put_desc(ring + 192, SIMGPU_OP_FILL_SYS, 0, 64, 0xbad0bad0, bgone, 0, 0);
	wr32(r0, SIMGPU_REG_RING_TAIL, 4);
	{
		uint64_t end = now_ms() + 5000;

		do {
			es = rd32(r0, SIMGPU_REG_ENGINE_STATUS);
		} while (SIMGPU_STATUS_STATE(es) != SIMGPU_STATE_ERROR &&
			 now_ms() < end);
	}
	CHECK_EQ(SIMGPU_STATUS_STATE(es), SIMGPU_STATE_ERROR,
		 "DMA to an unmapped bus address: engine ERROR");
	CHECK_EQ(SIMGPU_STATUS_ERROR(es), SIMGPU_ERR_DMA_WRITE,
		 "  error code DMA_WRITE");
	CHECK_EQ(rd64(r0, SIMGPU_REG_FAULT_ADDR), bgone,
		 "  FAULT_ADDR is the unmapped bus address");
	CHECK_EQ(rd32(r0, SIMGPU_REG_COMPLETED), 3,
		 "  the faulting descriptor did not complete");
	wr32(r0, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	CHECK_EQ(SIMGPU_STATUS_STATE(rd32(r0, SIMGPU_REG_ENGINE_STATUS)),
		 SIMGPU_STATE_IDLE, "  ENGINE_CTRL.RESET recovers");

	CHECK_EQ(dma_unmap(hring), PP_OK, "UNMAP ring page");
	CHECK_EQ(dma_unmap(hdata), PP_OK, "UNMAP data page");
	return failures ? 1 : 0;
}

/* ---- irq ---------------------------------------------------------------------- */

#define MSIX_ENTRY(i) (SIMGPU_MSIX_TABLE_OFF + 16 * (i))

static void msix_entry(volatile uint8_t *r0, unsigned int i, uint64_t addr,
		       uint32_t data, int masked)
{
	wr32(r0, MSIX_ENTRY(i) + 0, (uint32_t)addr);
	wr32(r0, MSIX_ENTRY(i) + 4, (uint32_t)(addr >> 32));
	wr32(r0, MSIX_ENTRY(i) + 8, data);
	wr32(r0, MSIX_ENTRY(i) + 12, masked ? 1 : 0);
}

static int cmd_irq(void)
{
	volatile uint8_t *r0, *ar0, *ring;
	volatile uint32_t *msi;
	unsigned int mx, ms;
	uint64_t bring;
	uint32_t hring, st;

	find_all();
	alloc_pages();
	r0 = map_bar(gpu.name, 0, SIMGPU_BAR0_SIZE);
	ar0 = map_bar(aud.name, 0, SIMAUD_BAR0_SIZE);
	msi = (volatile uint32_t *)pg[4];
	mx = find_cap(&gpu, 0x11);
	ms = find_cap(&aud, 0x05);
	if (!mx || !ms)
		DIE("capabilities missing");

	/*
	 * No driver owns the functions, so nothing else uses their vectors:
	 * point them at a locked page.  An MSI is a memory write of the data
	 * to the address, and QEMU sends it as one.
	 */
	cfg_wr(&gpu, 0x04, 2, 0x0006);
	cfg_wr(&gpu, mx + 2, 2, 0x8000);           /* MSI-X enable */
	CHECK_EQ(cfg_rd(&gpu, mx + 2, 2) >> 14, 2, "MSI-X enabled, not masked");
	msix_entry(r0, 0, pa[4] + 0, 0xabcd0000, 0);
	msix_entry(r0, 1, pa[4] + 64, 0xabcd0001, 0);

	wr32(r0, SIMGPU_REG_IRQ_TRIGGER, 0);
	CHECK(!wait_u32(&msi[0], 0xabcd0000, 5000),
	      "IRQ_TRIGGER 0: MSI-X vector 0 delivered (0x%08x at GPA 0x%"
	      PRIx64 ")", msi[0], pa[4]);
	msi[0] = 0;
	wr32(r0, SIMGPU_REG_IRQ_TRIGGER, 1);
	CHECK(!wait_u32(&msi[16], 0xabcd0001, 5000),
	      "IRQ_TRIGGER 1: MSI-X vector 1 delivered");
	msi[16] = 0;

	/* A masked vector is held and delivered on unmask. */
	wr32(r0, MSIX_ENTRY(0) + 12, 1);
	wr32(r0, SIMGPU_REG_IRQ_TRIGGER, 0);
	usleep(300 * 1000);
	CHECK_EQ(msi[0], 0, "masked vector 0: nothing delivered");
	CHECK_EQ(rd32(r0, SIMGPU_MSIX_PBA_OFF) & 1, 1,
		 "masked vector 0: pending in the PBA");
	wr32(r0, SIMGPU_REG_IRQ_TRIGGER, 0);       /* latched at the host */
	usleep(100 * 1000);
	CHECK_EQ(msi[0], 0, "second raise while masked: nothing delivered");
	wr32(r0, MSIX_ENTRY(0) + 12, 0);
	CHECK(!wait_u32(&msi[0], 0xabcd0000, 5000),
	      "unmask: the held interrupt is delivered");
	usleep(100 * 1000);
	CHECK_EQ(rd32(r0, SIMGPU_MSIX_PBA_OFF) & 1, 0,
		 "PBA clear after delivery");
	msi[0] = 0;

	/* Engine completion interrupt on vector 1, through the DART. */
	dma_open();
	wr32(dbar, PP_REG_STATUS, PP_STATUS_DRIVER_OK);
	bring = dma_map_page(1, &hring, &st);
	CHECK(bring != 0, "MAP ring page for the completion interrupt");
	ring = pg[1];
	wr32(r0, SIMGPU_REG_ENGINE_CTRL, SIMGPU_CTRL_RESET);
	wr64(r0, SIMGPU_REG_RING_BASE, bring);
	wr32(r0, SIMGPU_REG_RING_SIZE, 4);
	wr32(r0, SIMGPU_REG_IRQ_VEC_COMPLETION, 1);
	wr32(r0, SIMGPU_REG_IRQ_ENABLE, SIMGPU_IRQ_COMPLETION);
	put_desc(ring, SIMGPU_OP_FILL_SYS, SIMGPU_DESC_F_IRQ, 256, 0x11223344,
		 bring + 2048, bring + 3072, 0x77);
	wr32(r0, SIMGPU_REG_RING_TAIL, 1);
	CHECK(!wait_u32(&msi[16], 0xabcd0001, 5000),
	      "descriptor with IRQ: completion interrupt on vector 1");
	CHECK_EQ(*(volatile uint64_t *)(ring + 3072), 0x77,
		 "  its completion write landed first");
	CHECK_EQ(rd32(r0, SIMGPU_REG_IRQ_STATUS) & SIMGPU_IRQ_COMPLETION,
		 SIMGPU_IRQ_COMPLETION, "  IRQ_STATUS.COMPLETION set");
	wr32(r0, SIMGPU_REG_IRQ_STATUS, SIMGPU_IRQ_COMPLETION);
	CHECK_EQ(dma_unmap(hring), PP_OK, "UNMAP ring page");

	/* MSI-X off: a trigger reaches nobody. */
	cfg_wr(&gpu, mx + 2, 2, 0x0000);
	wr32(r0, SIMGPU_REG_IRQ_TRIGGER, 0);
	usleep(200 * 1000);
	CHECK_EQ(msi[0], 0, "MSI-X disabled: no message");

	/* The audio function's MSI (64-bit capability). */
	cfg_wr(&aud, 0x04, 2, 0x0006);
	cfg_wr(&aud, ms + 4, 4, (uint32_t)(pa[4] + 128));
	cfg_wr(&aud, ms + 8, 4, (uint32_t)((pa[4] + 128) >> 32));
	cfg_wr(&aud, ms + 12, 2, 0x4321);
	cfg_wr(&aud, ms + 2, 2, 0x0001);          /* MSI enable, 1 vector */
	CHECK_EQ(cfg_rd(&aud, ms + 2, 2) & 1, 1, "audio MSI enabled");
	wr32(ar0, SIMAUD_REG_IRQ_TRIGGER, 1);
	CHECK(!wait_u32(&msi[32], 0x4321, 5000),
	      "audio IRQ_TRIGGER: MSI delivered (0x%08x)", msi[32]);
	cfg_wr(&aud, ms + 2, 2, 0x0000);
	return failures ? 1 : 0;
}

/* ---- flr ------------------------------------------------------------------------ */

static int cmd_flr(void)
{
	volatile uint8_t *r0;
	unsigned int px;
	char p[512];
	int fd;

	find_all();
	px = find_cap(&gpu, 0x10);
	CHECK(px && (cfg_rd(&gpu, px + 4, 4) & (1u << 28)),
	      "GPU advertises FLR (DEVCAP bit 28)");
	cfg_wr(&gpu, 0x04, 2, 0x0006);
	r0 = map_bar(gpu.name, 0, SIMGPU_BAR0_SIZE);
	wr32(r0, SIMGPU_REG_SCRATCH, 0x0f1e2d3c);
	wr32(r0, SIMGPU_REG_IRQ_ENABLE, SIMGPU_IRQ_ERROR);
	CHECK_EQ(rd32(r0, SIMGPU_REG_SCRATCH), 0x0f1e2d3c, "SCRATCH before FLR");

	/* The kernel saves config, sets Initiate FLR, waits, restores. */
	snprintf(p, sizeof(p), "%s/reset_method", gpu.path);
	fd = open(p, O_WRONLY);
	if (fd >= 0) {
		CHECK(write(fd, "flr", 3) == 3, "reset_method = flr");
		close(fd);
	}
	snprintf(p, sizeof(p), "%s/reset", gpu.path);
	fd = open(p, O_WRONLY);
	CHECK(fd >= 0 && write(fd, "1", 1) == 1, "FLR through %s", p);
	if (fd >= 0)
		close(fd);
	CHECK_EQ(SIMGPU_ID_IMPL(rd32(r0, SIMGPU_REG_ID)), SIMGPU_IMPL_LOOPBACK,
		 "after FLR: the function still decodes (host BARs kept)");
	CHECK_EQ(rd32(r0, SIMGPU_REG_SCRATCH), 0, "after FLR: SCRATCH reset");
	CHECK_EQ(rd32(r0, SIMGPU_REG_IRQ_ENABLE), 0,
		 "after FLR: IRQ_ENABLE reset");
	CHECK_EQ(cfg_rd(&gpu, px + 8, 2) & 0x8000, 0,
		 "Initiate FLR reads back 0");
	return failures ? 1 : 0;
}

/* ---- gone ----------------------------------------------------------------------- */

static int cmd_gone(uint64_t vram)
{
	volatile uint8_t *r0, *v;
	uint64_t end = now_ms() + 30000, bus;
	uint32_t id, h, st;

	find_all();
	alloc_pages();
	r0 = map_bar(gpu.name, 0, SIMGPU_BAR0_SIZE);
	dma_open();
	/* Wait for the host to pull the cable. */
	while ((rd32(dbar, PP_REG_STATUS) & PP_STATUS_HOST_GONE) == 0 &&
	       now_ms() < end)
		usleep(20 * 1000);
	CHECK((rd32(dbar, PP_REG_STATUS) & PP_STATUS_HOST_GONE) != 0,
	      "pcipass-dma STATUS.HOST_GONE set after the unplug");
	id = rd32(r0, SIMGPU_REG_ID);
	CHECK_EQ(id, 0xffffffff, "GPU ID reads all ones");
	CHECK_EQ(cfg_rd(&gpu, 0x00, 4), 0xffffffff,
		 "GPU config reads all ones (device gone)");
	v = map_bar(gpu.name, 1, vram);
	CHECK_EQ(*(volatile uint32_t *)v, 0xffffffff,
		 "VRAM no longer mapped: reads all ones");
	wr32(dbar, PP_REG_STATUS, PP_STATUS_DRIVER_OK);
	bus = dma_map_page(2, &h, &st);
	CHECK(bus == 0 && st == PP_ERR_HOST, "MAP after the unplug fails with "
	      "HOST (status %u)", st);
	return failures ? 1 : 0;
}

static uint64_t parse_size(const char *s)
{
	char *e;
	uint64_t v = strtoull(s, &e, 0);

	switch (*e) {
	case 'K': return v << 10;
	case 'M': return v << 20;
	case 'G': return v << 30;
	default: return v;
	}
}

int main(int argc, char **argv)
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "enum"))
		rc = cmd_enum(parse_size(argv[2]), (unsigned int)atoi(argv[3]));
	else if (argc >= 3 && !strcmp(argv[1], "dma"))
		rc = cmd_dma(parse_size(argv[2]));
	else if (argc >= 2 && !strcmp(argv[1], "irq"))
		rc = cmd_irq();
	else if (argc >= 2 && !strcmp(argv[1], "flr"))
		rc = cmd_flr();
	else if (argc >= 3 && !strcmp(argv[1], "gone"))
		rc = cmd_gone(parse_size(argv[2]));
	else {
		fprintf(stderr, "usage: pt-check enum VRAM VECTORS | dma VRAM | "
			"irq | flr | gone VRAM\n");
		return 2;
	}
	printf("pt-check %s: %d checks, %d failed\n", argv[1], checks,
	       failures);
	return rc;
}
