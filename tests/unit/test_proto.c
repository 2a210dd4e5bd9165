// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the wire-protocol validators (core/src/proto.c) and of the
 * status names (core/src/status.c).  Every rule of docs/protocol.md is
 * exercised on both sides of its boundary, with the exact status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pcipass/proto.h"
#include "pcipass/status.h"

#define GiB (UINT64_C(1) << 30)
#define TOP UINT64_MAX

/*
 * Guest RAM used by most tests:
 *   [1 GiB, 2 GiB) and [2 GiB, 3 GiB): adjacent, but two separate ranges;
 *   [2^64 - 64 KiB, 2^64): touches the top of the address space.
 */
static const struct pp_ram_range ram3[] = {
	{ 1 * GiB, GiB },
	{ 2 * GiB, GiB },
	{ TOP - 0xffff, 0x10000 },
};

#define MAX_BATCH   64u
#define MAX_MAP_LEN (4u << 20)

static struct pp_proto_limits limits(uint32_t features)
{
	struct pp_proto_limits l = {
		.max_batch = MAX_BATCH,
		.max_map_len = MAX_MAP_LEN,
		.features = features,
		.ram = ram3,
		.nr_ram = PP_ARRAY_SIZE(ram3),
	};
	return l;
}

/* ---- status names ------------------------------------------------------ */

static void test_status_names(void **state)
{
	static const struct { int st; const char *name; } want[] = {
		{ PP_OK, "ok" },            { PP_ERR_NOSPC, "nospc" },
		{ PP_ERR_TOOMANY, "toomany" }, { PP_ERR_INVAL, "inval" },
		{ PP_ERR_RANGE, "range" },  { PP_ERR_OVERFLOW, "overflow" },
		{ PP_ERR_ALIGN, "align" },  { PP_ERR_BADOP, "badop" },
		{ PP_ERR_NOENT, "noent" },  { PP_ERR_COUNT, "count" },
		{ PP_ERR_VERSION, "version" }, { PP_ERR_SPLIT, "split" },
		{ PP_ERR_HOST, "host" },    { PP_ERR_NOMEM, "nomem" },
		{ PP_ERR_FAULT, "fault" },  { PP_ERR_RESERVED, "reserved" },
		{ PP_ERR_NOTREADY, "notready" },
	};
	size_t i, j;

	(void)state;
	assert_int_equal(PP_ARRAY_SIZE(want), PP_STATUS_COUNT);
	for (i = 0; i < PP_ARRAY_SIZE(want); i++)
		assert_string_equal(pp_status_name(want[i].st), want[i].name);
	/* Unique, and none is "unknown". */
	for (i = 0; i < PP_STATUS_COUNT; i++) {
		assert_string_not_equal(pp_status_name((int)i), "unknown");
		for (j = i + 1; j < PP_STATUS_COUNT; j++)
			assert_string_not_equal(pp_status_name((int)i),
						pp_status_name((int)j));
	}
	assert_string_equal(pp_status_name(-1), "unknown");
	assert_string_equal(pp_status_name(PP_STATUS_COUNT), "unknown");
	assert_string_equal(pp_status_name(1000), "unknown");
	assert_string_equal(pp_status_name(-2147483647 - 1), "unknown");
}

/* ---- pp_range_in_ram --------------------------------------------------- */

static void test_range_basic(void **state)
{
	struct pp_proto_limits l = limits(0);

	(void)state;
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, 1), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, GiB), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 2 * GiB - 1, 1), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB + 4096, 4096), PP_OK);
	/* Length 0 is malformed, wherever it points. */
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, 0), PP_ERR_INVAL);
	assert_int_equal(pp_range_in_ram(&l, 0, 0), PP_ERR_INVAL);
	/* Just below the first range, just past the last. */
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB - 1, 1), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB - 1, 2), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 3 * GiB, 1), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 0, 1), PP_ERR_RANGE);
}

static void test_range_end_exact_vs_past(void **state)
{
	struct pp_proto_limits l = limits(0);

	(void)state;
	/* Ends exactly at the end of the range, then one byte past. */
	assert_int_equal(pp_range_in_ram(&l, 3 * GiB - 4096, 4096), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 3 * GiB - 4096, 4097),
			 PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 3 * GiB - 1, 1), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 3 * GiB - 1, 2), PP_ERR_RANGE);
}

static void test_range_spanning_two_ranges(void **state)
{
	struct pp_proto_limits l = limits(0);

	(void)state;
	/* [1G,2G) and [2G,3G) are adjacent: a range across 2G is refused. */
	assert_int_equal(pp_range_in_ram(&l, 2 * GiB - 1, 2), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, 2 * GiB), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 2 * GiB - 4096, 8192),
			 PP_ERR_RANGE);
	/* Each side alone is fine. */
	assert_int_equal(pp_range_in_ram(&l, 2 * GiB - 4096, 4096), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 2 * GiB, 4096), PP_OK);
}

static void test_range_wrap(void **state)
{
	struct pp_proto_limits l = limits(0);

	(void)state;
	/* The top range ends at 2^64: last byte 2^64 - 1 is fine. */
	assert_int_equal(pp_range_in_ram(&l, TOP, 1), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, TOP - 0xffff, 0x10000), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, TOP - 0xff, 0x100), PP_OK);
	/* One byte more wraps. */
	assert_int_equal(pp_range_in_ram(&l, TOP, 2), PP_ERR_OVERFLOW);
	assert_int_equal(pp_range_in_ram(&l, TOP - 0xff, 0x101),
			 PP_ERR_OVERFLOW);
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, TOP), PP_ERR_OVERFLOW);
	assert_int_equal(pp_range_in_ram(&l, TOP, TOP), PP_ERR_OVERFLOW);
	/* A huge length that does not wrap is a range error, not overflow. */
	assert_int_equal(pp_range_in_ram(&l, 0, TOP), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 1, TOP), PP_ERR_RANGE);
}

static void test_range_bad_config(void **state)
{
	static const struct pp_ram_range odd[] = {
		{ 0x1000, 0 },                /* empty: never matches */
		{ TOP - 0xfff, 0x2000 },      /* wraps: ignored */
		{ 0x10000, 0x1000 },
	};
	struct pp_proto_limits l = limits(0);

	(void)state;
	l.nr_ram = 0;
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, 1), PP_ERR_RANGE);
	l.ram = NULL;
	l.nr_ram = 3;
	assert_int_equal(pp_range_in_ram(&l, 1 * GiB, 1), PP_ERR_RANGE);
	l.ram = odd;
	l.nr_ram = PP_ARRAY_SIZE(odd);
	assert_int_equal(pp_range_in_ram(&l, 0x1000, 1), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, TOP - 0xfff, 1), PP_ERR_RANGE);
	assert_int_equal(pp_range_in_ram(&l, 0x10000, 0x1000), PP_OK);
	assert_int_equal(pp_range_in_ram(&l, 0x10000, 0x1001), PP_ERR_RANGE);
}

/* ---- pp_check_cmd_gpa --------------------------------------------------- */

static void test_cmd_gpa(void **state)
{
	/* RAM whose end is 32 (mod 64): a header can end exactly on it. */
	static const struct pp_ram_range r[] = { { 0x10000, 0x1020 } };
	struct pp_proto_limits l = limits(0);
	unsigned int off;

	(void)state;
	assert_int_equal(pp_check_cmd_gpa(&l, 1 * GiB), PP_OK);
	assert_int_equal(pp_check_cmd_gpa(&l, 1 * GiB + 64), PP_OK);
	for (off = 1; off < PP_CMD_ALIGN; off++)
		assert_int_equal(pp_check_cmd_gpa(&l, 1 * GiB + off),
				 PP_ERR_ALIGN);
	/* Alignment is checked before the range. */
	assert_int_equal(pp_check_cmd_gpa(&l, 8), PP_ERR_ALIGN);
	assert_int_equal(pp_check_cmd_gpa(&l, TOP), PP_ERR_ALIGN);
	assert_int_equal(pp_check_cmd_gpa(&l, 0), PP_ERR_RANGE);
	assert_int_equal(pp_check_cmd_gpa(&l, 3 * GiB), PP_ERR_RANGE);
	assert_int_equal(pp_check_cmd_gpa(&l, 3 * GiB - 64), PP_OK);
	/* Header at the very top of the address space. */
	assert_int_equal(pp_check_cmd_gpa(&l, TOP - 63), PP_OK);

	l.ram = r;
	l.nr_ram = 1;
	assert_int_equal(pp_check_cmd_gpa(&l, 0x11000), PP_OK); /* ends at end */
	assert_int_equal(pp_check_cmd_gpa(&l, 0x11040), PP_ERR_RANGE);
	assert_int_equal(pp_check_cmd_gpa(&l, 0x0ffc0), PP_ERR_RANGE);
}

/* ---- pp_check_header ---------------------------------------------------- */

static struct pp_cmd_header hdr(uint32_t count)
{
	struct pp_cmd_header h = {
		.version = PP_PROTO_MAJOR,
		.count = count,
	};
	return h;
}

static void test_header_valid(void **state)
{
	struct pp_proto_limits l = limits(PP_FEAT_BATCH);
	struct pp_cmd_header h = hdr(1);

	(void)state;
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_OK);
	/* Outputs and the cookie are not inputs: any value is accepted. */
	h.status = 0xdeadbeef;
	h.completed = 0xffffffff;
	h.cookie = UINT64_MAX;
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_OK);
}

static void test_header_version(void **state)
{
	struct pp_proto_limits l = limits(PP_FEAT_ALL);
	struct pp_cmd_header h = hdr(1);
	static const uint16_t bad[] = { 0, PP_PROTO_MAJOR + 1, 0x100, 0xffff };
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(bad); i++) {
		h.version = bad[i];
		assert_int_equal(pp_check_header(&l, 1 * GiB, &h),
				 PP_ERR_VERSION);
	}
}

static void test_header_reserved(void **state)
{
	struct pp_proto_limits l = limits(PP_FEAT_ALL);
	struct pp_cmd_header h;

	(void)state;
	h = hdr(1); h.flags = 1;
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_RESERVED);
	h = hdr(1); h.flags = 0x8000;
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_RESERVED);
	h = hdr(1); h.reserved = 1;
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_RESERVED);
	h = hdr(1); h.reserved2 = 0x80000000u;
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_RESERVED);
}

static void test_header_count(void **state)
{
	struct pp_proto_limits l = limits(PP_FEAT_BATCH);
	struct pp_cmd_header h;

	(void)state;
	h = hdr(0);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_COUNT);
	h = hdr(MAX_BATCH);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_OK);
	h = hdr(MAX_BATCH + 1);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_COUNT);
	h = hdr(UINT32_MAX);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_COUNT);

	/* Without BATCH only count == 1 is allowed. */
	l.features = PP_FEAT_ALL & ~PP_FEAT_BATCH;
	h = hdr(1);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_OK);
	h = hdr(2);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_COUNT);

	/* A device limit above the protocol's bound is clamped to it. */
	l.features = PP_FEAT_BATCH;
	l.max_batch = UINT32_MAX;
	h = hdr(PP_MAX_BATCH_LIMIT);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_OK);
	h = hdr(PP_MAX_BATCH_LIMIT + 1);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_COUNT);

	/* A device limit of 0 refuses everything. */
	l.max_batch = 0;
	h = hdr(1);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_ERR_COUNT);
}

static void test_header_extent(void **state)
{
	/* [0x10000, 0x10000 + 0x1000): end is 64-aligned. */
	static const struct pp_ram_range r[] = { { 0x10000, 0x1000 } };
	static const struct pp_ram_range r_short[] = { { 0x10000, 0xfff } };
	struct pp_proto_limits l = limits(PP_FEAT_BATCH);
	struct pp_cmd_header h;

	(void)state;
	l.ram = r;
	l.nr_ram = 1;
	/* 32 + 3 * 32 = 128 bytes ending exactly at 0x11000. */
	h = hdr(3);
	assert_int_equal(pp_check_header(&l, 0x11000 - 128, &h), PP_OK);
	/* One more entry runs 32 bytes past the end. */
	h = hdr(4);
	assert_int_equal(pp_check_header(&l, 0x11000 - 128, &h), PP_ERR_RANGE);
	/* Same command, RAM one byte shorter: one byte past. */
	h = hdr(3);
	l.ram = r_short;
	assert_int_equal(pp_check_header(&l, 0x11000 - 128, &h), PP_ERR_RANGE);

	/* Entries spilling into the adjacent range are refused. */
	l = limits(PP_FEAT_BATCH);
	h = hdr(1);
	assert_int_equal(pp_check_header(&l, 2 * GiB - 64, &h), PP_OK);
	h = hdr(2);
	assert_int_equal(pp_check_header(&l, 2 * GiB - 64, &h), PP_ERR_RANGE);

	/* Top of the address space: 64 bytes fit, 96 wrap. */
	h = hdr(1);
	assert_int_equal(pp_check_header(&l, TOP - 63, &h), PP_OK);
	h = hdr(2);
	assert_int_equal(pp_check_header(&l, TOP - 63, &h), PP_ERR_OVERFLOW);
	h = hdr(MAX_BATCH);
	assert_int_equal(pp_check_header(&l, TOP - 127, &h), PP_ERR_OVERFLOW);

	/* GPA outside RAM altogether. */
	h = hdr(1);
	assert_int_equal(pp_check_header(&l, 0, &h), PP_ERR_RANGE);
}

static void test_header_order(void **state)
{
	struct pp_proto_limits l = limits(0);
	struct pp_cmd_header h;

	(void)state;
	/* Everything wrong: alignment is reported first ... */
	h = hdr(0);
	h.version = 7;
	h.flags = 1;
	assert_int_equal(pp_check_header(&l, 32, &h), PP_ERR_ALIGN);
	/* ... then version, reserved, count, extent. */
	assert_int_equal(pp_check_header(&l, 0, &h), PP_ERR_VERSION);
	h.version = PP_PROTO_MAJOR;
	assert_int_equal(pp_check_header(&l, 0, &h), PP_ERR_RESERVED);
	h.flags = 0;
	assert_int_equal(pp_check_header(&l, 0, &h), PP_ERR_COUNT);
	h.count = 2; /* no BATCH */
	assert_int_equal(pp_check_header(&l, 0, &h), PP_ERR_COUNT);
	h.count = 1;
	assert_int_equal(pp_check_header(&l, 0, &h), PP_ERR_RANGE);
	assert_int_equal(pp_check_header(&l, 1 * GiB, &h), PP_OK);
}

/* ---- pp_check_entry: table of cases ------------------------------------ */

struct entry_case {
	const char *what;
	uint32_t features;
	struct pp_cmd_entry e;
	int want;
};

#define MAP(a, l, f) { .op = PP_OP_MAP, .flags = (f), .addr = (a), .len = (l) }
#define ALLF PP_FEAT_ALL

static const struct entry_case entry_cases[] = {
	/* op */
	{ "op 0", ALLF, { .op = 0 }, PP_ERR_BADOP },
	{ "op 4", ALLF, { .op = 4, .flags = 1 }, PP_ERR_BADOP },
	{ "op 255", ALLF, { .op = 255 }, PP_ERR_BADOP },
	{ "bad op beats reserved", ALLF, { .op = 9, .reserved = 1 },
	  PP_ERR_BADOP },

	/* MAP: flags */
	{ "map R", 0, MAP(GiB, 4096, PP_MAP_READ), PP_OK },
	{ "map W", 0, MAP(GiB, 4096, PP_MAP_WRITE), PP_OK },
	{ "map RW", 0, MAP(GiB, 4096, PP_MAP_RW), PP_OK },
	{ "map RW perm", ALLF, MAP(GiB, 4096, PP_MAP_RW), PP_OK },
	{ "map flags 0", ALLF, MAP(GiB, 4096, 0), PP_ERR_INVAL },
	{ "map flags 0 no perm", 0, MAP(GiB, 4096, 0), PP_ERR_INVAL },
	{ "map flags 4", ALLF, MAP(GiB, 4096, 4), PP_ERR_RESERVED },
	{ "map flags R|4", ALLF, MAP(GiB, 4096, PP_MAP_READ | 4),
	  PP_ERR_RESERVED },
	{ "map flags 0x80", ALLF, MAP(GiB, 4096, 0x80), PP_ERR_RESERVED },
	{ "map reserved", ALLF,
	  { .op = PP_OP_MAP, .flags = 1, .reserved = 1, .addr = GiB,
	    .len = 1 }, PP_ERR_RESERVED },
	{ "map reserved high", ALLF,
	  { .op = PP_OP_MAP, .flags = 1, .reserved = 0x8000, .addr = GiB,
	    .len = 1 }, PP_ERR_RESERVED },
	{ "reserved beats len", ALLF,
	  { .op = PP_OP_MAP, .flags = 1, .reserved = 1 }, PP_ERR_RESERVED },

	/* MAP: len */
	{ "map len 0", ALLF, MAP(GiB, 0, PP_MAP_RW), PP_ERR_INVAL },
	{ "map len 1", ALLF, MAP(GiB, 1, PP_MAP_RW), PP_OK },
	{ "map len max", ALLF, MAP(GiB, MAX_MAP_LEN, PP_MAP_RW), PP_OK },
	{ "map len max+1", ALLF, MAP(GiB, MAX_MAP_LEN + 1, PP_MAP_RW),
	  PP_ERR_INVAL },
	{ "map len u32 max", ALLF, MAP(GiB, UINT32_MAX, PP_MAP_RW),
	  PP_ERR_INVAL },
	{ "len beats range", ALLF, MAP(0, MAX_MAP_LEN + 1, PP_MAP_RW),
	  PP_ERR_INVAL },

	/* MAP: addr */
	{ "map unaligned addr", ALLF, MAP(GiB + 1, 4095, PP_MAP_RW), PP_OK },
	{ "map ends at range end", ALLF, MAP(3 * GiB - 4096, 4096, PP_MAP_RW),
	  PP_OK },
	{ "map one byte past", ALLF, MAP(3 * GiB - 4096, 4097, PP_MAP_RW),
	  PP_ERR_RANGE },
	{ "map across adjacent", ALLF, MAP(2 * GiB - 4096, 8192, PP_MAP_RW),
	  PP_ERR_RANGE },
	{ "map below ram", ALLF, MAP(GiB - 1, 1, PP_MAP_RW), PP_ERR_RANGE },
	{ "map gpa 0", ALLF, MAP(0, 4096, PP_MAP_RW), PP_ERR_RANGE },
	{ "map at 2^64-1", ALLF, MAP(TOP, 1, PP_MAP_RW), PP_OK },
	{ "map to 2^64", ALLF, MAP(TOP - 4095, 4096, PP_MAP_RW), PP_OK },
	{ "map wraps", ALLF, MAP(TOP - 4095, 4097, PP_MAP_RW),
	  PP_ERR_OVERFLOW },
	{ "map wraps far", ALLF, MAP(TOP, MAX_MAP_LEN, PP_MAP_RW),
	  PP_ERR_OVERFLOW },

	/* MAP: outputs are ignored on input */
	{ "map outputs ignored", ALLF,
	  { .op = PP_OP_MAP, .flags = 3, .addr = GiB, .len = 64,
	    .status = 0xffffffff, .handle = 0x1234, .bus = TOP }, PP_OK },

	/* UNMAP */
	{ "unmap", 0, { .op = PP_OP_UNMAP, .handle = 1 }, PP_OK },
	{ "unmap big handle", 0, { .op = PP_OP_UNMAP, .handle = UINT32_MAX },
	  PP_OK },
	{ "unmap handle 0", 0, { .op = PP_OP_UNMAP }, PP_ERR_NOENT },
	{ "unmap flags", 0, { .op = PP_OP_UNMAP, .flags = 1, .handle = 1 },
	  PP_ERR_RESERVED },
	{ "unmap addr", 0, { .op = PP_OP_UNMAP, .addr = GiB, .handle = 1 },
	  PP_ERR_RESERVED },
	{ "unmap len", 0, { .op = PP_OP_UNMAP, .len = 1, .handle = 1 },
	  PP_ERR_RESERVED },
	{ "unmap bus", 0, { .op = PP_OP_UNMAP, .bus = 1, .handle = 1 },
	  PP_ERR_RESERVED },
	{ "unmap reserved", 0, { .op = PP_OP_UNMAP, .reserved = 2, .handle = 1 },
	  PP_ERR_RESERVED },
	{ "unmap unused beats handle 0", 0, { .op = PP_OP_UNMAP, .len = 1 },
	  PP_ERR_RESERVED },
	{ "unmap status ignored", 0,
	  { .op = PP_OP_UNMAP, .status = 5, .handle = 7 }, PP_OK },

	/* QUERY */
	{ "query without feature", ALLF & ~PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_USAGE }, PP_ERR_BADOP },
	{ "query mapping no feature", 0,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_MAPPING, .handle = 1 },
	  PP_ERR_BADOP },
	{ "query usage", PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_USAGE }, PP_OK },
	{ "query usage outputs ignored", PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_USAGE, .addr = 1, .len = 2,
	    .handle = 3, .bus = 4, .status = 5 }, PP_OK },
	{ "query mapping", PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_MAPPING, .handle = 9 }, PP_OK },
	{ "query mapping outputs ignored", PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_MAPPING, .handle = 9,
	    .addr = TOP, .len = 7, .bus = 8 }, PP_OK },
	{ "query mapping handle 0", PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_MAPPING }, PP_ERR_NOENT },
	{ "query kind 0", PP_FEAT_QUERY, { .op = PP_OP_QUERY }, PP_ERR_BADOP },
	{ "query kind 3", PP_FEAT_QUERY, { .op = PP_OP_QUERY, .flags = 3 },
	  PP_ERR_BADOP },
	{ "query kind 255", PP_FEAT_QUERY, { .op = PP_OP_QUERY, .flags = 255 },
	  PP_ERR_BADOP },
	{ "query reserved", PP_FEAT_QUERY,
	  { .op = PP_OP_QUERY, .flags = PP_QUERY_USAGE, .reserved = 1 },
	  PP_ERR_RESERVED },
};

static void test_entry_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PP_ARRAY_SIZE(entry_cases); i++) {
		const struct entry_case *c = &entry_cases[i];
		struct pp_proto_limits l = limits(c->features);
		int got = pp_check_entry(&l, &c->e);

		if (got != c->want)
			fail_msg("case %zu \"%s\": got %s, want %s", i, c->what,
				 pp_status_name(got), pp_status_name(c->want));
	}
}

static void test_entry_map_limit_zero(void **state)
{
	struct pp_proto_limits l = limits(PP_FEAT_ALL);
	struct pp_cmd_entry e = MAP(GiB, 1, PP_MAP_READ);

	(void)state;
	l.max_map_len = 0;
	assert_int_equal(pp_check_entry(&l, &e), PP_ERR_INVAL);
	/* The largest limit: any u32 length passes the length rule. */
	l.max_map_len = UINT32_MAX;
	e.len = (uint32_t)GiB;
	assert_int_equal(pp_check_entry(&l, &e), PP_OK);
	e.len = UINT32_MAX;
	assert_int_equal(pp_check_entry(&l, &e), PP_ERR_RANGE);
	e.addr = TOP - 0xffff;
	assert_int_equal(pp_check_entry(&l, &e), PP_ERR_OVERFLOW);
}

/* ---- byte order -------------------------------------------------------- */

static void test_header_wire_layout(void **state)
{
	static const uint8_t want[32] = {
		0x02, 0x01, 0x04, 0x03, 0x08, 0x07, 0x06, 0x05,
		0x0c, 0x0b, 0x0a, 0x09, 0x10, 0x0f, 0x0e, 0x0d,
		0x14, 0x13, 0x12, 0x11, 0x18, 0x17, 0x16, 0x15,
		0x20, 0x1f, 0x1e, 0x1d, 0x1c, 0x1b, 0x1a, 0x19,
	};
	struct pp_cmd_header h = {
		.version = 0x0102, .flags = 0x0304, .count = 0x05060708,
		.status = 0x090a0b0c, .completed = 0x0d0e0f10,
		.reserved = 0x11121314, .reserved2 = 0x15161718,
		.cookie = 0x191a1b1c1d1e1f20ull,
	};
	struct pp_cmd_header wire, back;
	uint8_t bytes[32];

	(void)state;
	pp_cmd_header_to_le(&wire, &h);
	memcpy(bytes, &wire, sizeof(bytes));
	assert_memory_equal(bytes, want, sizeof(want));

	pp_cmd_header_from_le(&back, &wire);
	assert_memory_equal(&back, &h, sizeof(h));

	/* In place, both directions. */
	back = h;
	pp_cmd_header_to_le(&back, &back);
	assert_memory_equal(&back, &wire, sizeof(back));
	pp_cmd_header_from_le(&back, &back);
	assert_memory_equal(&back, &h, sizeof(back));
}

static void test_entry_wire_layout(void **state)
{
	static const uint8_t want[32] = {
		0x01, 0x02, 0x04, 0x03, 0x08, 0x07, 0x06, 0x05,
		0x10, 0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09,
		0x14, 0x13, 0x12, 0x11, 0x18, 0x17, 0x16, 0x15,
		0x20, 0x1f, 0x1e, 0x1d, 0x1c, 0x1b, 0x1a, 0x19,
	};
	struct pp_cmd_entry e = {
		.op = 0x01, .flags = 0x02, .reserved = 0x0304,
		.status = 0x05060708, .addr = 0x090a0b0c0d0e0f10ull,
		.len = 0x11121314, .handle = 0x15161718,
		.bus = 0x191a1b1c1d1e1f20ull,
	};
	struct pp_cmd_entry wire, back;
	uint8_t bytes[32];

	(void)state;
	pp_cmd_entry_to_le(&wire, &e);
	memcpy(bytes, &wire, sizeof(bytes));
	assert_memory_equal(bytes, want, sizeof(want));

	pp_cmd_entry_from_le(&back, &wire);
	assert_memory_equal(&back, &e, sizeof(e));

	back = e;
	pp_cmd_entry_to_le(&back, &back);
	assert_memory_equal(&back, &wire, sizeof(back));
	pp_cmd_entry_from_le(&back, &back);
	assert_memory_equal(&back, &e, sizeof(back));
}

static void test_wire_decode_from_bytes(void **state)
{
	/* A MAP entry as the guest would write it, decoded and validated. */
	static const uint8_t raw[32] = {
		0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* MAP RW */
		0x00, 0x10, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, /* 0x40001000 */
		0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 16 KiB */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct pp_proto_limits l = limits(0);
	struct pp_cmd_entry wire, e;

	(void)state;
	memcpy(&wire, raw, sizeof(wire));
	pp_cmd_entry_from_le(&e, &wire);
	assert_int_equal(e.op, PP_OP_MAP);
	assert_int_equal(e.flags, PP_MAP_RW);
	assert_true(e.addr == 0x40001000ull);
	assert_int_equal(e.len, 0x4000);
	assert_int_equal(pp_check_entry(&l, &e), PP_OK);
}

static void test_docs_worked_example(void **state)
{
	/* docs/protocol.md, "Worked example": the command as the guest wrote
	 * it at GPA 0x41234000. */
	static const uint8_t raw[96] = {
		0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
		0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x4a, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x12, 0x00, 0x4b, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const struct pp_ram_range ram[] = { { 0x40000000, 0x40000000 } };
	struct pp_proto_limits l = {
		.max_batch = PP_MAX_BATCH_LIMIT, .max_map_len = 0x40000000,
		.features = PP_FEAT_ALL, .ram = ram, .nr_ram = 1,
	};
	const uint64_t gpa = 0x41234000;
	struct pp_cmd_header wh, h;
	struct pp_cmd_entry we, e;

	(void)state;
	assert_int_equal(pp_check_cmd_gpa(&l, gpa), PP_OK);
	memcpy(&wh, raw, sizeof(wh));
	pp_cmd_header_from_le(&h, &wh);
	assert_int_equal(h.count, 2);
	assert_true(h.cookie == 0x1122334455667788ull);
	assert_int_equal(pp_check_header(&l, gpa, &h), PP_OK);

	memcpy(&we, raw + 32, sizeof(we));
	pp_cmd_entry_from_le(&e, &we);
	assert_int_equal(e.op, PP_OP_MAP);
	assert_int_equal(e.flags, PP_MAP_RW);
	assert_true(e.addr == 0x4a000000);
	assert_int_equal(e.len, 0x10000);
	assert_int_equal(pp_check_entry(&l, &e), PP_OK);

	memcpy(&we, raw + 64, sizeof(we));
	pp_cmd_entry_from_le(&e, &we);
	assert_int_equal(e.flags, PP_MAP_READ);
	assert_true(e.addr == 0x4b001200);
	assert_int_equal(e.len, 0xe00);
	assert_int_equal(pp_check_entry(&l, &e), PP_OK);

	/* Without BATCH the same command is refused as a whole. */
	l.features = PP_FEAT_QUERY | PP_FEAT_PERM;
	assert_int_equal(pp_check_header(&l, gpa, &h), PP_ERR_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_range_basic),
		cmocka_unit_test(test_range_end_exact_vs_past),
		cmocka_unit_test(test_range_spanning_two_ranges),
		cmocka_unit_test(test_range_wrap),
		cmocka_unit_test(test_range_bad_config),
		cmocka_unit_test(test_cmd_gpa),
		cmocka_unit_test(test_header_valid),
		cmocka_unit_test(test_header_version),
		cmocka_unit_test(test_header_reserved),
		cmocka_unit_test(test_header_count),
		cmocka_unit_test(test_header_extent),
		cmocka_unit_test(test_header_order),
		cmocka_unit_test(test_entry_cases),
		cmocka_unit_test(test_entry_map_limit_zero),
		cmocka_unit_test(test_header_wire_layout),
		cmocka_unit_test(test_entry_wire_layout),
		cmocka_unit_test(test_wire_decode_from_bytes),
		cmocka_unit_test(test_docs_worked_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
