/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the config-space write filter (core/src/cfgfilter.c):
 * the documented host-owned bytes (STATUS 0x06-0x07, BARs 0x10-0x27, ROM BAR
 * 0x30-0x33), COMMAND forwarded, refusal of bad sizes, misalignment and
 * accesses outside the 4 KiB space; an exhaustive comparison with an
 * independent byte-by-byte model; and agreement with the host interface's
 * pp_host_cfg_write_mask (host.h: "portable rule shared with the dext").
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

/* The rule restated independently: the list of owned ranges. */
static const struct { uint32_t lo, hi; } owned[] = {
	{ 0x06, 0x07 }, { 0x10, 0x27 }, { 0x30, 0x33 },
};

static bool model_owned(uint32_t b)
{
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (b >= owned[i].lo && b <= owned[i].hi)
			return true;
	return false;
}

static void test_named_registers(void **state)
{
	(void)state;
	/* COMMAND is forwarded, STATUS is not. */
	assert_int_equal(pp_cfg_write_mask(0x04, 2), 0x3);
	assert_int_equal(pp_cfg_write_mask(0x04, 1), 0x1);
	assert_int_equal(pp_cfg_write_mask(0x05, 1), 0x1);
	assert_int_equal(pp_cfg_write_mask(0x06, 2), 0x0);
	assert_int_equal(pp_cfg_write_mask(0x04, 4), 0x3);  /* COMMAND+STATUS */
	/* Every BAR dword, and the ROM BAR. */
	for (uint32_t off = 0x10; off <= 0x24; off += 4)
		assert_int_equal(pp_cfg_write_mask(off, 4), 0x0);
	assert_int_equal(pp_cfg_write_mask(0x30, 4), 0x0);
	assert_int_equal(pp_cfg_write_mask(0x32, 2), 0x0);
	/* Neighbours are forwarded: cache line / latency, cardbus, subsystem
	 * (read-only in hardware anyway), capabilities pointer, interrupt
	 * line, capabilities and extended capabilities. */
	assert_int_equal(pp_cfg_write_mask(0x0c, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0x28, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0x2c, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0x34, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0x3c, 2), 0x3);
	assert_int_equal(pp_cfg_write_mask(0x40, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0x100, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0xffc, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0xfff, 1), 0x1);
}

static void test_partial_overlap(void **state)
{
	(void)state;
	/* A dword at 0x04: bytes 0-1 (COMMAND) pass, 2-3 (STATUS) do not. */
	assert_int_equal(pp_cfg_write_mask(0x04, 4), 0x3);
	/* Bytes around the BAR block: 0x0e/0x0f header/BIST pass. */
	assert_int_equal(pp_cfg_write_mask(0x0c, 4), 0xf);
	assert_int_equal(pp_cfg_write_mask(0x0e, 2), 0x3);
	assert_int_equal(pp_cfg_write_mask(0x26, 2), 0x0);
	assert_int_equal(pp_cfg_write_mask(0x28, 2), 0x3);
	assert_int_equal(pp_cfg_write_mask(0x2e, 2), 0x3);
	assert_int_equal(pp_cfg_write_mask(0x33, 1), 0x0);
	assert_int_equal(pp_cfg_write_mask(0x34, 1), 0x1);
}

static void test_refusals(void **state)
{
	(void)state;
	/* Sizes other than 1, 2, 4. */
	assert_int_equal(pp_cfg_write_mask(0x40, 0), 0);
	assert_int_equal(pp_cfg_write_mask(0x40, 3), 0);
	assert_int_equal(pp_cfg_write_mask(0x40, 8), 0);
	assert_int_equal(pp_cfg_write_mask(0x40, 0xffffffffu), 0);
	/* Misaligned. */
	assert_int_equal(pp_cfg_write_mask(0x41, 2), 0);
	assert_int_equal(pp_cfg_write_mask(0x42, 4), 0);
	assert_int_equal(pp_cfg_write_mask(0x05, 2), 0);
	/* Outside the 4 KiB space, including wrap-around offsets. */
	assert_int_equal(pp_cfg_write_mask(0x1000, 1), 0);
	assert_int_equal(pp_cfg_write_mask(0x1000, 4), 0);
	assert_int_equal(pp_cfg_write_mask(0xfffffffcu, 4), 0);
	assert_int_equal(pp_cfg_write_mask(UINT32_MAX, 1), 0);
	/* Owned-byte query. */
	assert_true(pp_cfg_host_owned(0x06));
	assert_true(pp_cfg_host_owned(0x27));
	assert_true(pp_cfg_host_owned(0x1000));
	assert_false(pp_cfg_host_owned(0x04));
	assert_false(pp_cfg_host_owned(0x28));
}

static void test_exhaustive_model(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 4 };

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		unsigned int size = sizes[s];

		for (uint32_t off = 0; off < PP_CFG_SPACE_SIZE + 8; off++) {
			unsigned int want = 0;

			if (off % size == 0 && off + size <= PP_CFG_SPACE_SIZE)
				for (unsigned int i = 0; i < size; i++)
					if (!model_owned(off + i))
						want |= 1u << i;
			assert_int_equal(pp_cfg_write_mask(off, size), want);
		}
	}
}

static void test_agrees_with_host_rule(void **state)
{
	(void)state;
	for (unsigned int size = 0; size <= 8; size++)
		for (uint32_t off = 0; off < PP_CFG_SPACE_SIZE + 8; off++)
			assert_int_equal(pp_cfg_write_mask(off, size),
					 pp_host_cfg_write_mask(off, size));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_registers),
		cmocka_unit_test(test_partial_overlap),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_exhaustive_model),
		cmocka_unit_test(test_agrees_with_host_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
