/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the VMM's passthrough config/BAR policy
 * (core/src/passthru.c, used by QEMU's pcipass-pci): capability parsing of
 * good and hostile config images (including the sim GPU's and audio
 * function's real config space), BAR register virtualization, the read
 * fix-ups, the write filter (host-owned bytes, MSI/MSI-X capabilities, the
 * Initiate-FLR bit), the split into naturally aligned pieces, and the BAR
 * pieces around MSI-X holes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcipass/cfgfilter.h"
#include "pcipass/host.h"
#include "pcipass/passthru.h"

static void put16(uint8_t *b, unsigned int off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, unsigned int off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

/* A config image: PCIe at 0x40, MSI-X at 0x7c (table BAR0+0x8000, 8
 * entries, PBA BAR0+0x9000), MSI 64-bit with masking at 0x90. */
static void make_cfg(uint8_t *c)
{
	memset(c, 0, 256);
	put16(c, 0x00, 0x7070);
	put16(c, 0x06, 0x0010);               /* capability list */
	c[0x34] = 0x40;
	c[0x40] = 0x10; c[0x41] = 0x7c;       /* PCIe */
	c[0x7c] = 0x11; c[0x7d] = 0x90;       /* MSI-X */
	put16(c, 0x7e, 7);                    /* 8 entries */
	put32(c, 0x80, 0x8000 | 0);
	put32(c, 0x84, 0x9000 | 0);
	c[0x90] = 0x05; c[0x91] = 0x00;       /* MSI, last */
	put16(c, 0x92, 0x0180);               /* 64-bit, per-vector mask */
}

static void test_parse_caps(void **state)
{
	uint8_t c[256];
	struct pp_pt_caps caps;

	(void)state;
	make_cfg(c);
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 3);
	assert_int_equal(caps.pcie, 0x40);
	assert_int_equal(caps.msix, 0x7c);
	assert_int_equal(caps.msix_table_size, 8);
	assert_int_equal(caps.msix_table_bar, 0);
	assert_int_equal(caps.msix_table_off, 0x8000);
	assert_int_equal(caps.msix_pba_bar, 0);
	assert_int_equal(caps.msix_pba_off, 0x9000);
	assert_int_equal(caps.msi, 0x90);
	assert_int_equal(caps.msi_len, 24);

	/* 32-bit MSI without masking: 10 bytes. */
	put16(c, 0x92, 0);
	pp_pt_parse_caps(c, sizeof(c), &caps);
	assert_int_equal(caps.msi_len, 10);
	put16(c, 0x92, 0x0080);
	pp_pt_parse_caps(c, sizeof(c), &caps);
	assert_int_equal(caps.msi_len, 14);

	/* No capability list bit: nothing. */
	c[0x06] = 0;
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 0);
	assert_int_equal(caps.msix, 0);
	/* Too short an image. */
	make_cfg(c);
	assert_int_equal(pp_pt_parse_caps(c, 32, &caps), 0);
	assert_int_equal(pp_pt_parse_caps(NULL, 256, &caps), 0);
}

static void test_parse_hostile(void **state)
{
	uint8_t c[256];
	struct pp_pt_caps caps;

	(void)state;
	make_cfg(c);
	c[0x91] = 0x40;                       /* loop back to the first */
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 3);
	assert_int_equal(caps.msi, 0x90);

	c[0x91] = 0x90;                       /* points at itself */
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 3);

	c[0x91] = 0x20;                       /* into the header: stop */
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 3);

	c[0x34] = 0xff;                       /* at the very end */
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 1);

	/* An MSI-X capability cut off by the image end is not taken. */
	memset(c, 0, sizeof(c));
	c[0x06] = 0x10;
	c[0x34] = 0xf8;
	c[0xf8] = 0x11;
	assert_int_equal(pp_pt_parse_caps(c, sizeof(c), &caps), 1);
	assert_int_equal(caps.msix, 0);

	/* Random garbage never walks more than 48 capabilities. */
	srand(7);
	for (int round = 0; round < 2000; round++) {
		for (unsigned int i = 0; i < sizeof(c); i++)
			c[i] = (uint8_t)rand();
		c[0x06] |= 0x10;
		assert_true(pp_pt_parse_caps(c, sizeof(c), &caps) <= 48);
		if (caps.msi)
			assert_true(caps.msi >= 0x40 && caps.msi < 256);
		if (caps.msix)
			assert_true(caps.msix + PP_PT_MSIX_CAP_LEN <= 256);
	}
}

static const struct pp_pt_bar sim_gpu_bars[PP_PT_NR_BARS] = {
	{ 64 << 10, PP_PT_BAR_MEM32, false },
	{ 256 << 20, PP_PT_BAR_MEM64, true },
	{ 0, PP_PT_BAR_NONE, false },         /* upper half of BAR1 */
	{ 0x100, PP_PT_BAR_IO, false },
	{ 0, PP_PT_BAR_NONE, false },
	{ 4096, PP_PT_BAR_MEM32, true },
};

static void test_bar_regs(void **state)
{
	(void)state;
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 0), 0x0);
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 1), 0xc);
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 2), 0x0);
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 3), 0x1);
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 4), 0x0);
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 5), 0x8);
	assert_int_equal(pp_pt_bar_reg(sim_gpu_bars, 6), 0x0);
}

static void test_fixup_read(void **state)
{
	uint8_t buf[64];

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	pp_pt_cfg_fixup_read(sim_gpu_bars, 0, buf, sizeof(buf));
	assert_int_equal(buf[0x00], 0xa5);    /* IDs pass through */
	assert_int_equal(buf[0x10], 0x00);    /* BAR0: host address hidden */
	assert_int_equal(buf[0x13], 0x00);
	assert_int_equal(buf[0x14], 0x0c);    /* BAR1: 64-bit prefetchable */
	assert_int_equal(buf[0x15], 0x00);
	assert_int_equal(buf[0x18], 0x00);    /* BAR2: upper half */
	assert_int_equal(buf[0x1c], 0x01);    /* BAR3: I/O */
	assert_int_equal(buf[0x24], 0x08);
	assert_int_equal(buf[0x28], 0xa5);    /* CardBus CIS: not touched */
	assert_int_equal(buf[0x2c], 0xa5);    /* subsystem */
	for (unsigned int i = 0x30; i < 0x34; i++)
		assert_int_equal(buf[i], 0);  /* no ROM */
	assert_int_equal(buf[0x3c], 0xa5);    /* interrupt line kept */
	assert_int_equal(buf[0x3d], 0x00);    /* no INTx pin */

	/* An unaligned window inside a BAR register. */
	memset(buf, 0xa5, sizeof(buf));
	pp_pt_cfg_fixup_read(sim_gpu_bars, 0x13, buf, 3);
	assert_int_equal(buf[0], 0x00);
	assert_int_equal(buf[1], 0x0c);
	assert_int_equal(buf[2], 0x00);

	/* Past the config space: all ones. */
	memset(buf, 0, sizeof(buf));
	pp_pt_cfg_fixup_read(sim_gpu_bars, PP_PT_CFG_SIZE - 2, buf, 4);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 0);
	assert_int_equal(buf[2], 0xff);
	assert_int_equal(buf[3], 0xff);
}

static void test_write_mask(void **state)
{
	uint8_t c[256];
	struct pp_pt_caps caps;
	uint32_t v;
	bool flr;

	(void)state;
	make_cfg(c);
	pp_pt_parse_caps(c, sizeof(c), &caps);

	/* COMMAND forwarded, STATUS dropped (host rule). */
	v = 0xffff0006;
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x04, 4, &v, &flr), 0x3);
	assert_false(flr);
	/* BARs and ROM: dropped. */
	v = ~0u;
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x10, 4, &v, &flr), 0);
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x30, 4, &v, &flr), 0);
	/* MSI-X capability (0x7c..0x87): dropped, the next byte is not. */
	for (uint32_t off = 0x7c; off < 0x88; off++) {
		v = 0xff;
		assert_int_equal(pp_pt_cfg_write_mask(&caps, off, 1, &v, &flr), 0);
	}
	v = 0xff;
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x88, 1, &v, &flr), 1);
	/* MSI capability (0x90..0xa7): dropped. */
	v = ~0u;
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x90, 4, &v, &flr), 0);
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0xa4, 4, &v, &flr), 0);
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0xa8, 4, &v, &flr), 0xf);

	/* DEVCTL at 0x48: FLR stripped and reported, other bits kept. */
	v = 0x8000 | 0x0010;
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x48, 2, &v, &flr), 0x3);
	assert_true(flr);
	assert_int_equal(v, 0x0010);
	v = 0x0010;
	pp_pt_cfg_write_mask(&caps, 0x48, 2, &v, &flr);
	assert_false(flr);
	/* As a dword (DEVCTL + DEVSTA) and as the upper byte alone. */
	v = 0x00048000;
	pp_pt_cfg_write_mask(&caps, 0x48, 4, &v, &flr);
	assert_true(flr);
	assert_int_equal(v, 0x00040000);
	v = 0x80;
	pp_pt_cfg_write_mask(&caps, 0x49, 1, &v, &flr);
	assert_true(flr);
	assert_int_equal(v, 0);
	/* The low byte alone never carries FLR. */
	v = 0x80;
	pp_pt_cfg_write_mask(&caps, 0x48, 1, &v, &flr);
	assert_false(flr);
	assert_int_equal(v, 0x80);

	/* Malformed writes forward nothing. */
	v = 0;
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x05, 2, &v, &flr), 0);
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 0x40, 3, &v, &flr), 0);
	assert_int_equal(pp_pt_cfg_write_mask(&caps, 4096, 1, &v, &flr), 0);

	/* Without capabilities it is exactly the host rule. */
	memset(&caps, 0, sizeof(caps));
	for (unsigned int size = 1; size <= 4; size *= 2)
		for (uint32_t off = 0; off < 4096; off += size) {
			v = 0;
			assert_int_equal(pp_pt_cfg_write_mask(&caps, off, size,
							      &v, &flr),
					 pp_host_cfg_write_mask(off, size));
		}
}

static void test_split(void **state)
{
	struct pp_pt_chunk ch[4];

	(void)state;
	assert_int_equal(pp_pt_split(0x04, 4, 0x3, ch), 1);
	assert_int_equal(ch[0].off, 0x04);
	assert_int_equal(ch[0].size, 2);
	assert_int_equal(ch[0].shift, 0);

	assert_int_equal(pp_pt_split(0x40, 4, 0xf, ch), 1);
	assert_int_equal(ch[0].size, 4);

	assert_int_equal(pp_pt_split(0x40, 4, 0xd, ch), 2);   /* 1 0 1 1 */
	assert_int_equal(ch[0].off, 0x40);
	assert_int_equal(ch[0].size, 1);
	assert_int_equal(ch[1].off, 0x42);
	assert_int_equal(ch[1].size, 2);
	assert_int_equal(ch[1].shift, 2);

	assert_int_equal(pp_pt_split(0x40, 4, 0x6, ch), 2);   /* 0 1 1 0 */
	assert_int_equal(ch[0].off, 0x41);
	assert_int_equal(ch[0].size, 1);
	assert_int_equal(ch[1].off, 0x42);
	assert_int_equal(ch[1].size, 1);

	assert_int_equal(pp_pt_split(0x40, 4, 0, ch), 0);
	assert_int_equal(pp_pt_split(0x40, 8, 0xff, ch), 0);

	/* Every mask: pieces cover exactly the mask, aligned, in order. */
	for (unsigned int mask = 0; mask < 16; mask++) {
		unsigned int n = pp_pt_split(0x100, 4, mask, ch), got = 0;

		for (unsigned int i = 0; i < n; i++) {
			assert_int_equal(ch[i].off % ch[i].size, 0);
			assert_int_equal(ch[i].off, 0x100 + ch[i].shift);
			if (i)
				assert_true(ch[i].off >= ch[i - 1].off +
					    ch[i - 1].size);
			got |= ((1u << ch[i].size) - 1) << ch[i].shift;
		}
		assert_int_equal(got, mask);
	}
}

static void test_bar_pieces(void **state)
{
	struct pp_pt_range out[8];
	struct pp_pt_range holes[2];

	(void)state;
	/* No holes: the whole BAR. */
	assert_int_equal(pp_pt_bar_pieces(256 << 20, 16384, NULL, 0, out, 8), 1);
	assert_int_equal(out[0].off, 0);
	assert_int_equal(out[0].len, 256 << 20);

	/* The sim GPU's BAR0 layout with 16 KiB pages: table 0x8000 (8 x 16
	 * bytes), PBA 0x9000: one hole [0x8000, 0xc000). */
	holes[0] = (struct pp_pt_range){ 0x8000, 8 * 16 };
	holes[1] = (struct pp_pt_range){ 0x9000, 8 };
	assert_int_equal(pp_pt_bar_pieces(0x10000, 16384, holes, 2, out, 8), 2);
	assert_int_equal(out[0].off, 0);
	assert_int_equal(out[0].len, 0x8000);
	assert_int_equal(out[1].off, 0xc000);
	assert_int_equal(out[1].len, 0x4000);

	/* 4 KiB pages: adjacent holes merge. */
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 2);
	assert_int_equal(out[0].len, 0x8000);
	assert_int_equal(out[1].off, 0xa000);
	assert_int_equal(out[1].len, 0x6000);

	/* Separate holes: three pieces. */
	holes[0] = (struct pp_pt_range){ 0x2000, 0x100 };
	holes[1] = (struct pp_pt_range){ 0x9000, 8 };
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 3);
	assert_int_equal(out[0].off, 0);
	assert_int_equal(out[0].len, 0x2000);
	assert_int_equal(out[1].off, 0x3000);
	assert_int_equal(out[1].len, 0x6000);
	assert_int_equal(out[2].off, 0xa000);
	assert_int_equal(out[2].len, 0x6000);
	/* Unsorted holes give the same. */
	holes[0] = (struct pp_pt_range){ 0x9000, 8 };
	holes[1] = (struct pp_pt_range){ 0x2000, 0x100 };
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 3);
	assert_int_equal(out[1].off, 0x3000);
	/* max truncates the output, not the count. */
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 1), 3);
	assert_int_equal(out[0].len, 0x2000);

	/* A hole at the start, one reaching past the end, one outside. */
	holes[0] = (struct pp_pt_range){ 0, 1 };
	holes[1] = (struct pp_pt_range){ 0xf000, 0x100000 };
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 1);
	assert_int_equal(out[0].off, 0x1000);
	assert_int_equal(out[0].len, 0xe000);
	holes[1] = (struct pp_pt_range){ 0x20000, 0x1000 };
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 1);
	assert_int_equal(out[0].off, 0x1000);
	assert_int_equal(out[0].len, 0xf000);
	/* Holes covering everything (a BAR smaller than a page). */
	holes[0] = (struct pp_pt_range){ 0x100, 0x10 };
	assert_int_equal(pp_pt_bar_pieces(0x1000, 16384, holes, 1, out, 8), 0);
	/* Overlapping holes and a zero-length one. */
	holes[0] = (struct pp_pt_range){ 0x4000, 0x3000 };
	holes[1] = (struct pp_pt_range){ 0x5000, 0x4000 };
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 2);
	assert_int_equal(out[0].len, 0x4000);
	assert_int_equal(out[1].off, 0x9000);
	holes[1].len = 0;
	assert_int_equal(pp_pt_bar_pieces(0x10000, 4096, holes, 2, out, 8), 2);
	assert_int_equal(out[1].off, 0x7000);
}

/* The sim's functions, read through the host interface as QEMU does. */
static void read_cfg(struct pp_host_dev *d, uint8_t *c)
{
	for (uint32_t off = 0; off < 256; off += 4) {
		uint32_t v = 0;

		assert_int_equal(d->ops->cfg_read(d, off, 4, &v), PP_OK);
		put32(c, off, v);
	}
}

static void test_sim_functions(void **state)
{
	struct pp_host *h;
	struct pp_host_dev *gpu, *audio;
	struct pp_host_bar_info bi;
	struct pp_pt_caps caps;
	uint8_t c[256];
	int st;

	(void)state;
	h = pp_host_create("sim", "vectors=16", &st);
	assert_non_null(h);
	assert_int_equal(h->ops->open(h, "sim0:01:00.0", &gpu), PP_OK);
	assert_int_equal(h->ops->open(h, "sim0:01:00.1", &audio), PP_OK);

	read_cfg(gpu, c);
	pp_pt_parse_caps(c, sizeof(c), &caps);
	assert_int_not_equal(caps.pcie, 0);
	assert_int_not_equal(caps.msix, 0);
	assert_int_equal(caps.msi, 0);
	assert_int_equal(caps.msix_table_size, 16);
	assert_int_equal(caps.msix_table_bar, 0);
	assert_int_equal(caps.msix_table_off, 0x8000);
	assert_int_equal(caps.msix_pba_bar, 0);
	assert_int_equal(caps.msix_pba_off, 0x9000);
	/* The type bits QEMU presents agree with the host's registers. */
	assert_int_equal(gpu->ops->bar_info(gpu, 1, &bi), PP_OK);
	assert_int_equal(bi.type, PP_HOST_BAR_MEM64);
	assert_true(bi.prefetchable);
	assert_true(bi.mappable);
	{
		struct pp_pt_bar bars[PP_PT_NR_BARS] = { { 0 } };

		bars[1] = (struct pp_pt_bar){ bi.size, PP_PT_BAR_MEM64, true };
		assert_int_equal(pp_pt_bar_reg(bars, 1), c[0x14] & 0xf);
	}

	read_cfg(audio, c);
	pp_pt_parse_caps(c, sizeof(c), &caps);
	assert_int_not_equal(caps.pcie, 0);
	assert_int_equal(caps.msix, 0);
	assert_int_equal(caps.msi, 0x40);
	assert_int_equal(caps.msi_len, 14);          /* 64-bit, no masking */

	h->ops->destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_caps),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_bar_regs),
		cmocka_unit_test(test_fixup_read),
		cmocka_unit_test(test_write_mask),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_bar_pieces),
		cmocka_unit_test(test_sim_functions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
