// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the device-side mapper (core/src/mapper.c) with the DART
 * model as its backend: commands are built as the guest would lay them out
 * in memory (little-endian), validated with pp_mapper_check_gpa/
 * check_header, executed with pp_mapper_exec, and every effect is checked
 * through the DART (translate, live counts) as well as through the results
 * written back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcipass/dart.h"
#include "pcipass/mapper.h"
#include "pcipass/proto.h"

#define RAM0_BASE 0x40000000ull
#define RAM0_SIZE (256ull << 20)
#define RAM1_BASE 0x100000000ull
#define RAM1_SIZE (64ull << 20)
#define CMD_GPA   (RAM0_BASE + 0x1000)

/* ---- DART backend with call counting and failure injection ------------- */

struct dart_be {
	struct pp_dart *dart;
	unsigned long map_calls, map_reqs, unmap_calls;
	unsigned long max_batch_seen;
	int fail_call;          /* nonzero: next map call fails with it */
	int fail_unmap_status;  /* nonzero: unmaps report it (and do nothing) */
};

static int be_map(void *ctx, struct pp_dma_req *reqs, unsigned int n)
{
	struct dart_be *b = ctx;
	unsigned int i;

	b->map_calls++;
	b->map_reqs += n;
	if (n > b->max_batch_seen)
		b->max_batch_seen = n;
	if (b->fail_call) {
		int st = b->fail_call;

		b->fail_call = 0;
		return st;
	}
	for (i = 0; i < n; i++)
		reqs[i].status = pp_dart_map(b->dart, reqs[i].addr, reqs[i].len,
					     reqs[i].prot, &reqs[i].bus);
	return PP_OK;
}

static int be_unmap(void *ctx, const uint64_t *bus, int32_t *status,
		    unsigned int n)
{
	struct dart_be *b = ctx;
	unsigned int i;

	b->unmap_calls++;
	for (i = 0; i < n; i++) {
		if (b->fail_unmap_status)
			status[i] = b->fail_unmap_status;
		else
			status[i] = pp_dart_unmap(b->dart, bus[i]);
	}
	return PP_OK;
}

static void be_usage(void *ctx, uint64_t *lb, uint64_t *le, uint64_t *cb,
		     uint64_t *ce)
{
	struct dart_be *b = ctx;
	struct pp_dart_stats st;

	pp_dart_get_stats(b->dart, &st);
	*lb = st.live_bytes;
	*le = st.live_entries;
	*cb = pp_dart_config(b->dart)->cap_bytes;
	*ce = pp_dart_config(b->dart)->max_entries;
}

/* ---- environment --------------------------------------------------------- */

struct env {
	struct dart_be be;
	struct pp_mapper_backend ops;
	struct pp_ram_range ram[2];
	struct pp_proto_limits lim;
	struct pp_mapper *m;
};

static void env_init_cfg(struct env *e, const struct pp_dart_config *cfg,
			 uint32_t max_handles, uint32_t features)
{
	memset(e, 0, sizeof(*e));
	e->be.dart = pp_dart_new(cfg);
	assert_non_null(e->be.dart);
	e->ops.ctx = &e->be;
	e->ops.map = be_map;
	e->ops.unmap = be_unmap;
	e->ops.usage = be_usage;
	e->ram[0].base = RAM0_BASE;
	e->ram[0].size = RAM0_SIZE;
	e->ram[1].base = RAM1_BASE;
	e->ram[1].size = RAM1_SIZE;
	e->lim.max_batch = 64;
	e->lim.max_map_len = 64u << 20;
	e->lim.features = features;
	e->lim.ram = e->ram;
	e->lim.nr_ram = 2;
	e->m = pp_mapper_new(&e->lim, max_handles, &e->ops);
	assert_non_null(e->m);
}

static void env_init(struct env *e)
{
	struct pp_dart_config cfg;

	pp_dart_config_default(&cfg);
	env_init_cfg(e, &cfg, 1024, PP_FEAT_ALL);
}

static void env_fini(struct env *e)
{
	pp_mapper_free(e->m);
	pp_dart_free(e->be.dart);
}

static uint64_t dart_live(struct env *e)
{
	struct pp_dart_stats st;

	pp_dart_get_stats(e->be.dart, &st);
	return st.live_entries;
}

static uint64_t mapper_live(struct pp_mapper *m)
{
	struct pp_mapper_stats st;

	pp_mapper_get_stats(m, &st);
	return st.live_mappings;
}

/* A command in wire format. */
struct cmd {
	struct pp_cmd_header h;
	struct pp_cmd_entry e[PP_MAX_BATCH_LIMIT];
	uint32_t n;
};

static void cmd_init(struct cmd *c)
{
	memset(c, 0, sizeof(*c));
}

static struct pp_cmd_entry *cmd_add(struct cmd *c, uint8_t op, uint8_t flags)
{
	struct pp_cmd_entry *x = &c->e[c->n++];

	memset(x, 0, sizeof(*x));
	x->op = op;
	x->flags = flags;
	x->status = pp_le32(0xdeadbeef); /* output: must be overwritten */
	return x;
}

static void cmd_map(struct cmd *c, uint64_t addr, uint32_t len, uint8_t flags)
{
	struct pp_cmd_entry *x = cmd_add(c, PP_OP_MAP, flags);

	x->addr = pp_le64(addr);
	x->len = pp_le32(len);
}

static void cmd_unmap(struct cmd *c, uint32_t handle)
{
	cmd_add(c, PP_OP_UNMAP, 0)->handle = pp_le32(handle);
}

static void cmd_query(struct cmd *c, uint8_t what, uint32_t handle)
{
	cmd_add(c, PP_OP_QUERY, what)->handle = pp_le32(handle);
}

/* Validates and runs c as a doorbell at gpa would; returns the header
 * status (refusal or exec result). */
static int cmd_run_at(struct pp_mapper *m, struct cmd *c, uint64_t gpa)
{
	uint32_t count = 0;
	int st;

	c->h.version = pp_le16(PP_PROTO_MAJOR);
	c->h.count = pp_le32(c->n);
	c->h.status = pp_le32(0xdeadbeef);
	c->h.completed = pp_le32(0xdeadbeef);
	c->h.cookie = pp_le64(0x1122334455667788ull);
	st = pp_mapper_check_gpa(m, gpa);
	if (st != PP_OK)
		return st;
	st = pp_mapper_check_header(m, gpa, &c->h, &count);
	if (st != PP_OK)
		return st;
	assert_int_equal(count, c->n);
	st = pp_mapper_exec(m, &c->h, c->e, count);
	assert_int_equal(pp_le32(c->h.status), (uint32_t)st);
	assert_int_equal(pp_le64(c->h.cookie), 0x1122334455667788ull);
	if (st == PP_OK)
		assert_int_equal(pp_le32(c->h.completed), c->n);
	return st;
}

static int cmd_run(struct pp_mapper *m, struct cmd *c)
{
	return cmd_run_at(m, c, CMD_GPA);
}

static uint32_t est(const struct cmd *c, unsigned int i)
{
	return pp_le32(c->e[i].status);
}

/* Maps one range in its own command; returns the handle (asserts OK). */
static uint32_t map_one(struct pp_mapper *m, uint64_t addr, uint32_t len,
			uint8_t flags, uint64_t *bus)
{
	struct cmd c;

	cmd_init(&c);
	cmd_map(&c, addr, len, flags);
	assert_int_equal(cmd_run(m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_OK);
	assert_int_not_equal(pp_le32(c.e[0].handle), 0);
	if (bus)
		*bus = pp_le64(c.e[0].bus);
	return pp_le32(c.e[0].handle);
}

static int unmap_one(struct pp_mapper *m, uint32_t handle)
{
	struct cmd c;

	cmd_init(&c);
	cmd_unmap(&c, handle);
	assert_int_equal(cmd_run(m, &c), PP_OK);
	return (int)est(&c, 0);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_new_args(void **state)
{
	struct env e;
	struct pp_mapper_backend bad;

	(void)state;
	env_init(&e);
	assert_null(pp_mapper_new(NULL, 16, &e.ops));
	assert_null(pp_mapper_new(&e.lim, 16, NULL));
	assert_null(pp_mapper_new(&e.lim, 0, &e.ops));
	assert_null(pp_mapper_new(&e.lim, (1u << 20) + 1, &e.ops));
	bad = e.ops;
	bad.map = NULL;
	assert_null(pp_mapper_new(&e.lim, 16, &bad));
	pp_mapper_free(NULL);
	pp_mapper_reset(NULL);
	env_fini(&e);
}

static void test_roundtrip_translate(void **state)
{
	struct env e;
	uint64_t bus, host = 0, gpa = RAM0_BASE + 0x12345;
	uint32_t h;

	(void)state;
	env_init(&e);
	h = map_one(e.m, gpa, 3000, PP_MAP_RW, &bus);
	assert_int_not_equal(bus, 0);
	/* DART keeps the offset within the 16 KiB page. */
	assert_int_equal(bus & PP_DART_PAGE_MASK, gpa & PP_DART_PAGE_MASK);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 3000, PP_DART_WRITE,
					   &host), PP_OK);
	assert_int_equal(host, gpa);
	assert_int_equal(pp_dart_translate(e.be.dart, bus + 100, 8,
					   PP_DART_READ, &host), PP_OK);
	assert_int_equal(host, gpa + 100);
	assert_int_equal(dart_live(&e), 1);
	assert_int_equal(mapper_live(e.m), 1);

	assert_int_equal(unmap_one(e.m, h), PP_OK);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 8, PP_DART_READ,
					   &host), PP_ERR_FAULT);
	assert_int_equal(dart_live(&e), 0);
	assert_int_equal(mapper_live(e.m), 0);
	env_fini(&e);
}

static void test_second_ram_range(void **state)
{
	struct env e;
	uint64_t bus, host = 0;

	(void)state;
	env_init(&e);
	map_one(e.m, RAM1_BASE + RAM1_SIZE - 4096, 4096, PP_MAP_READ, &bus);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4096, PP_DART_READ,
					   &host), PP_OK);
	assert_int_equal(host, RAM1_BASE + RAM1_SIZE - 4096);
	/* The command itself may live in the second range too. */
	{
		struct cmd c;

		cmd_init(&c);
		cmd_query(&c, PP_QUERY_USAGE, 0);
		assert_int_equal(cmd_run_at(e.m, &c, RAM1_BASE + 64), PP_OK);
		assert_int_equal(est(&c, 0), PP_OK);
	}
	env_fini(&e);
}

static void test_never_issued(void **state)
{
	struct env e;
	struct cmd c;
	uint32_t h;

	(void)state;
	env_init(&e);
	assert_int_equal(unmap_one(e.m, 12345), PP_ERR_NOENT);
	assert_int_equal(unmap_one(e.m, 0xffffffffu), PP_ERR_NOENT);
	assert_int_equal(unmap_one(e.m, 0), PP_ERR_NOENT);

	h = map_one(e.m, RAM0_BASE, 4096, PP_MAP_RW, NULL);
	/* Neighbours of a live handle are not live. */
	assert_int_equal(unmap_one(e.m, h + 1), PP_ERR_NOENT);
	assert_int_equal(unmap_one(e.m, h ^ 0x80000000u), PP_ERR_NOENT);
	cmd_init(&c);
	cmd_query(&c, PP_QUERY_MAPPING, h + 1);
	cmd_query(&c, PP_QUERY_MAPPING, 0);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_NOENT);
	assert_int_equal(est(&c, 1), PP_ERR_NOENT);
	assert_int_equal(dart_live(&e), 1);
	env_fini(&e);
}

static void test_double_unmap(void **state)
{
	struct env e;
	struct cmd c;
	uint32_t h, h2;

	(void)state;
	env_init(&e);
	h = map_one(e.m, RAM0_BASE + 0x8000, 8192, PP_MAP_RW, NULL);
	h2 = map_one(e.m, RAM0_BASE + 0x10000, 8192, PP_MAP_RW, NULL);
	assert_int_equal(unmap_one(e.m, h), PP_OK);
	assert_int_equal(unmap_one(e.m, h), PP_ERR_NOENT);
	assert_int_equal(dart_live(&e), 1);

	/* Twice in one command: the second is refused, the first did it. */
	cmd_init(&c);
	cmd_unmap(&c, h2);
	cmd_unmap(&c, h2);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_OK);
	assert_int_equal(est(&c, 1), PP_ERR_NOENT);
	assert_int_equal(dart_live(&e), 0);

	/* A new mapping in the same slot does not revive the old id. */
	map_one(e.m, RAM0_BASE, 4096, PP_MAP_RW, NULL);
	assert_int_equal(unmap_one(e.m, h), PP_ERR_NOENT);
	assert_int_equal(unmap_one(e.m, h2), PP_ERR_NOENT);
	assert_int_equal(dart_live(&e), 1);
	env_fini(&e);
}

static void test_other_mappers_handle(void **state)
{
	struct env e;
	struct pp_mapper *b;
	struct cmd c;
	uint64_t bus, host;
	uint32_t ha, hb;

	(void)state;
	env_init(&e);
	b = pp_mapper_new(&e.lim, 1024, &e.ops); /* same DART */
	assert_non_null(b);
	ha = map_one(e.m, RAM0_BASE + 0x4000, 4096, PP_MAP_RW, &bus);
	/* b issues and releases an id first, so a's id is not live in b. */
	hb = map_one(b, RAM0_BASE + 0xc000, 4096, PP_MAP_RW, NULL);
	assert_int_equal(unmap_one(b, hb), PP_OK);
	hb = map_one(b, RAM0_BASE + 0x8000, 4096, PP_MAP_RW, NULL);
	assert_int_not_equal(ha, hb);
	assert_int_equal(dart_live(&e), 2);

	/* b cannot unmap or query a's mapping. */
	assert_int_equal(unmap_one(b, ha), PP_ERR_NOENT);
	cmd_init(&c);
	cmd_query(&c, PP_QUERY_MAPPING, ha);
	assert_int_equal(cmd_run(b, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_NOENT);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4096, PP_DART_READ,
					   &host), PP_OK);
	assert_int_equal(dart_live(&e), 2);

	/* Handle tables are per device: the same value may exist in both,
	 * and then each one only reaches its own mapping. */
	assert_int_equal(unmap_one(b, hb), PP_OK);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4096, PP_DART_READ,
					   &host), PP_OK);
	assert_int_equal(unmap_one(b, hb), PP_ERR_NOENT);
	assert_int_equal(unmap_one(e.m, ha), PP_OK);
	assert_int_equal(dart_live(&e), 0);

	/* Resetting b leaves a's mappings alone. */
	ha = map_one(e.m, RAM0_BASE, 4096, PP_MAP_RW, NULL);
	map_one(b, RAM0_BASE + 0x4000, 4096, PP_MAP_RW, NULL);
	pp_mapper_reset(b);
	assert_int_equal(dart_live(&e), 1);
	assert_int_equal(unmap_one(e.m, ha), PP_OK);
	pp_mapper_free(b);
	env_fini(&e);
}

static void test_count_limits(void **state)
{
	struct env e;
	struct cmd c;
	unsigned int i;

	(void)state;
	env_init(&e); /* max_batch 64 */
	cmd_init(&c);
	assert_int_equal(cmd_run(e.m, &c), PP_ERR_COUNT); /* count 0 */
	for (i = 0; i < 65; i++)
		cmd_map(&c, RAM0_BASE + i * 0x4000ull, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_ERR_COUNT);
	/* Refused before anything ran: statuses untouched, nothing mapped. */
	assert_int_equal(est(&c, 0), 0xdeadbeef);
	assert_int_equal(dart_live(&e), 0);

	c.n = 64;
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	for (i = 0; i < 64; i++)
		assert_int_equal(est(&c, i), PP_OK);
	assert_int_equal(dart_live(&e), 64);
	/* One backend call for the 64 consecutive MAPs. */
	assert_int_equal(e.be.max_batch_seen, 64);
	assert_int_equal(e.be.map_calls, 1);
	env_fini(&e);
}

static void test_exec_count_mismatch(void **state)
{
	struct env e;
	struct cmd c;

	(void)state;
	env_init(&e);
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + 0x4000, 4096, PP_MAP_RW);
	c.h.version = pp_le16(PP_PROTO_MAJOR);
	c.h.count = pp_le32(2);
	assert_int_equal(pp_mapper_exec(e.m, &c.h, c.e, 1), PP_ERR_COUNT);
	assert_int_equal(pp_le32(c.h.status), PP_ERR_COUNT);
	assert_int_equal(pp_le32(c.h.completed), 0);
	assert_int_equal(pp_mapper_exec(e.m, &c.h, NULL, 2), PP_ERR_COUNT);
	assert_int_equal(pp_mapper_exec(e.m, NULL, c.e, 2), PP_ERR_INVAL);
	assert_int_equal(dart_live(&e), 0);
	env_fini(&e);
}

static void test_handle_table_full(void **state)
{
	struct env e;
	struct pp_dart_config cfg;
	struct cmd c;
	uint32_t h[4];
	unsigned int i;

	(void)state;
	pp_dart_config_default(&cfg);
	env_init_cfg(&e, &cfg, 4, PP_FEAT_ALL);
	for (i = 0; i < 4; i++)
		h[i] = map_one(e.m, RAM0_BASE + i * 0x4000ull, 4096, PP_MAP_RW,
			       NULL);
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE + 0x40000, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_TOOMANY);
	assert_int_equal(pp_le32(c.e[0].handle), 0);
	assert_int_equal(pp_le64(c.e[0].bus), 0);
	assert_int_equal(dart_live(&e), 4); /* nothing leaked in the DART */

	/* Unmap then map in one command: order makes room. */
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE + 0x40000, 4096, PP_MAP_RW);
	cmd_unmap(&c, h[0]);
	cmd_map(&c, RAM0_BASE + 0x40000, 4096, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + 0x44000, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_TOOMANY);
	assert_int_equal(est(&c, 1), PP_OK);
	assert_int_equal(est(&c, 2), PP_OK);
	assert_int_equal(est(&c, 3), PP_ERR_TOOMANY);
	assert_int_equal(dart_live(&e), 4);
	assert_int_equal(mapper_live(e.m), 4);
	env_fini(&e);
}

static void test_dart_caps(void **state)
{
	struct env e;
	struct pp_dart_config cfg;
	struct pp_mapper_stats st;
	struct cmd c;

	(void)state;
	pp_dart_config_default(&cfg);
	cfg.max_entries = 3;
	cfg.cap_bytes = 4 * PP_DART_PAGE_SIZE;
	env_init_cfg(&e, &cfg, 64, PP_FEAT_ALL);

	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);             /* 1 page */
	cmd_map(&c, RAM0_BASE + 0x100000, 0x8000, PP_MAP_RW); /* 2 pages */
	cmd_map(&c, RAM0_BASE + 0x200000, 0x8000, PP_MAP_RW); /* byte cap */
	cmd_map(&c, RAM0_BASE + 0x300000, 0x4000, PP_MAP_RW); /* fits: 4 */
	cmd_map(&c, RAM0_BASE + 0x400000, 0x1000, PP_MAP_RW); /* entry cap */
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_OK);
	assert_int_equal(est(&c, 1), PP_OK);
	assert_int_equal(est(&c, 2), PP_ERR_NOSPC);
	assert_int_equal(est(&c, 3), PP_OK);
	assert_int_equal(est(&c, 4), PP_ERR_TOOMANY);
	assert_int_equal(dart_live(&e), 3);
	assert_int_equal(mapper_live(e.m), 3);
	pp_mapper_get_stats(e.m, &st);
	assert_int_equal(st.map_failures, 2);
	assert_int_equal(st.maps, 3);
	assert_int_equal(st.last_status, PP_ERR_TOOMANY);
	env_fini(&e);
}

static void test_outside_ram(void **state)
{
	struct env e;
	struct cmd c;
	struct pp_mapper_stats st;

	(void)state;
	env_init(&e);
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE - 4096, 4096, PP_MAP_RW);            /* below */
	cmd_map(&c, RAM0_BASE - 1, 2, PP_MAP_RW);                  /* straddles */
	cmd_map(&c, RAM0_BASE + RAM0_SIZE - 4096, 4097, PP_MAP_RW); /* past end */
	cmd_map(&c, RAM0_BASE + RAM0_SIZE, 4096, PP_MAP_RW);       /* gap */
	cmd_map(&c, 0x09000000, 4096, PP_MAP_RW);                  /* MMIO */
	cmd_map(&c, 0, 4096, PP_MAP_RW);
	cmd_map(&c, RAM1_BASE - 0x1000, 0x2000, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + RAM0_SIZE - 4096, 4096, PP_MAP_RW); /* ok */
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	for (unsigned int i = 0; i < 7; i++)
		assert_int_equal(est(&c, i), PP_ERR_RANGE);
	assert_int_equal(est(&c, 7), PP_OK);
	assert_int_equal(dart_live(&e), 1);

	/* The command itself outside RAM, misaligned, or running past the
	 * end of its range: nothing read, nothing done. */
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run_at(e.m, &c, 0x08000000), PP_ERR_RANGE);
	assert_int_equal(cmd_run_at(e.m, &c, RAM0_BASE + 32), PP_ERR_ALIGN);
	assert_int_equal(cmd_run_at(e.m, &c, RAM0_BASE + RAM0_SIZE - 64),
			 PP_OK);
	cmd_map(&c, RAM0_BASE + 0x4000, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run_at(e.m, &c, RAM0_BASE + RAM0_SIZE - 64),
			 PP_ERR_RANGE);
	assert_int_equal(cmd_run_at(e.m, &c, UINT64_MAX - 63), PP_ERR_RANGE);
	pp_mapper_get_stats(e.m, &st);
	assert_int_equal(st.refused_commands, 4);
	assert_int_equal(dart_live(&e), 2);

	/* No RAM known at all: everything refused. */
	pp_mapper_set_ram(e.m, NULL, 0);
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_ERR_RANGE);
	pp_mapper_set_ram(e.m, e.ram, 1);
	cmd_init(&c);
	cmd_map(&c, RAM1_BASE, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_RANGE);
	env_fini(&e);
}

static void test_overflow(void **state)
{
	struct env e;
	struct pp_ram_range top = { UINT64_MAX - (1ull << 20) + 1, 1ull << 20 };
	struct cmd c;
	uint64_t bus, host;

	(void)state;
	env_init(&e);
	cmd_init(&c);
	cmd_map(&c, UINT64_MAX - 10, 100, PP_MAP_RW);
	cmd_map(&c, UINT64_MAX, 2, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE, 0, PP_MAP_RW);           /* len 0 */
	cmd_map(&c, RAM0_BASE, (64u << 20) + 1, PP_MAP_RW); /* > max_map_len */
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_OVERFLOW);
	assert_int_equal(est(&c, 1), PP_ERR_OVERFLOW);
	assert_int_equal(est(&c, 2), PP_ERR_INVAL);
	assert_int_equal(est(&c, 3), PP_ERR_INVAL);
	assert_int_equal(dart_live(&e), 0);

	/* RAM at the very top of the address space. */
	pp_mapper_set_ram(e.m, &top, 1);
	cmd_init(&c);
	cmd_map(&c, UINT64_MAX - 8191, 4096, PP_MAP_RW);
	cmd_map(&c, UINT64_MAX - 4095, 4097, PP_MAP_RW);
	assert_int_equal(cmd_run_at(e.m, &c, top.base), PP_OK);
	assert_int_equal(est(&c, 0), PP_OK);
	assert_int_equal(est(&c, 1), PP_ERR_OVERFLOW);
	bus = pp_le64(c.e[0].bus);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4096, PP_DART_READ,
					   &host), PP_OK);
	assert_int_equal(host, UINT64_MAX - 8191);
	env_fini(&e);
}

static void test_unknown_ops_and_reserved(void **state)
{
	struct env e;
	struct cmd c;
	struct pp_cmd_entry *x;
	struct pp_mapper_stats st;

	(void)state;
	env_init(&e);
	cmd_init(&c);
	cmd_add(&c, 0, 0);
	cmd_add(&c, 4, 0);
	cmd_add(&c, 255, 0);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW); /* still runs */
	x = cmd_add(&c, PP_OP_MAP, PP_MAP_RW);
	x->addr = pp_le64(RAM0_BASE);
	x->len = pp_le32(4096);
	x->reserved = pp_le16(1);
	cmd_map(&c, RAM0_BASE, 4096, 0x4);      /* unknown MAP flag */
	cmd_map(&c, RAM0_BASE, 4096, 0);        /* no permission at all */
	x = cmd_add(&c, PP_OP_UNMAP, 0);        /* UNMAP with an address */
	x->handle = pp_le32(1);
	x->addr = pp_le64(RAM0_BASE);
	cmd_query(&c, 7, 0);                    /* unknown query */
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_BADOP);
	assert_int_equal(est(&c, 1), PP_ERR_BADOP);
	assert_int_equal(est(&c, 2), PP_ERR_BADOP);
	assert_int_equal(est(&c, 3), PP_OK);
	assert_int_equal(est(&c, 4), PP_ERR_RESERVED);
	assert_int_equal(est(&c, 5), PP_ERR_RESERVED);
	assert_int_equal(est(&c, 6), PP_ERR_INVAL);
	assert_int_equal(est(&c, 7), PP_ERR_RESERVED);
	assert_int_equal(est(&c, 8), PP_ERR_BADOP);
	assert_int_equal(dart_live(&e), 1);
	pp_mapper_get_stats(e.m, &st);
	assert_int_equal(st.refused_entries, 8);
	assert_int_equal(st.entries, 9);
	assert_int_equal(st.commands, 1);

	/* Header-level refusals: version, flags, reserved fields. */
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	{
		uint32_t count;

		c.h.version = pp_le16(2);
		c.h.count = pp_le32(1);
		assert_int_equal(pp_mapper_check_header(e.m, CMD_GPA, &c.h,
							&count), PP_ERR_VERSION);
		assert_int_equal(count, 0);
		c.h.version = pp_le16(PP_PROTO_MAJOR);
		c.h.flags = pp_le16(1);
		assert_int_equal(pp_mapper_check_header(e.m, CMD_GPA, &c.h,
							&count), PP_ERR_RESERVED);
		c.h.flags = 0;
		c.h.reserved2 = pp_le32(1);
		assert_int_equal(pp_mapper_check_header(e.m, CMD_GPA, &c.h,
							&count), PP_ERR_RESERVED);
		assert_int_equal(pp_mapper_check_header(e.m, CMD_GPA, NULL,
							&count), PP_ERR_INVAL);
	}
	env_fini(&e);
}

static void test_features_not_negotiated(void **state)
{
	struct env e;
	struct pp_dart_config cfg;
	struct cmd c;
	uint64_t bus, host;

	(void)state;
	pp_dart_config_default(&cfg);
	env_init_cfg(&e, &cfg, 64, 0);

	/* No BATCH: one entry per command. */
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + 0x4000, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_ERR_COUNT);
	assert_int_equal(dart_live(&e), 0);

	/* No QUERY: the op is unknown. */
	cmd_init(&c);
	cmd_query(&c, PP_QUERY_USAGE, 0);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_BADOP);

	/* No PERM: a READ-only request is mapped read/write. */
	map_one(e.m, RAM0_BASE, 4096, PP_MAP_READ, &bus);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4, PP_DART_WRITE,
					   &host), PP_OK);

	/* Negotiated later: all three apply. */
	pp_mapper_set_features(e.m, PP_FEAT_ALL | 0x80000000u);
	map_one(e.m, RAM0_BASE + 0x8000, 4096, PP_MAP_READ, &bus);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4, PP_DART_WRITE,
					   &host), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4, PP_DART_READ,
					   &host), PP_OK);
	map_one(e.m, RAM0_BASE + 0xc000, 4096, PP_MAP_WRITE, &bus);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4, PP_DART_READ,
					   &host), PP_ERR_FAULT);
	assert_int_equal(pp_dart_translate(e.be.dart, bus, 4, PP_DART_WRITE,
					   &host), PP_OK);
	cmd_init(&c);
	cmd_query(&c, PP_QUERY_USAGE, 0);
	cmd_query(&c, PP_QUERY_USAGE, 0);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 1), PP_OK);
	env_fini(&e);
}

static void test_query(void **state)
{
	struct env e;
	struct cmd c;
	uint64_t bus;
	uint32_t h;

	(void)state;
	env_init(&e);
	h = map_one(e.m, RAM0_BASE + 0x4100, 0x4000, PP_MAP_RW, &bus);
	cmd_init(&c);
	cmd_query(&c, PP_QUERY_MAPPING, h);
	cmd_query(&c, PP_QUERY_USAGE, 0);
	/* Map and query in one command: the query sees the map. */
	cmd_map(&c, RAM0_BASE + 0x100000, 0x10000, PP_MAP_RW);
	cmd_query(&c, PP_QUERY_USAGE, 0);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_OK);
	assert_int_equal(pp_le64(c.e[0].addr), RAM0_BASE + 0x4100);
	assert_int_equal(pp_le32(c.e[0].len), 0x4000);
	assert_int_equal(pp_le64(c.e[0].bus), bus);
	assert_int_equal(pp_le32(c.e[0].handle), h);

	/* 0x4100 + 0x4000 touches two 16 KiB pages. */
	assert_int_equal(est(&c, 1), PP_OK);
	assert_int_equal(pp_le64(c.e[1].addr), 2 * PP_DART_PAGE_SIZE);
	assert_int_equal(pp_le32(c.e[1].len), 1);
	assert_int_equal(pp_le64(c.e[1].bus), PP_DART_DEFAULT_CAP_BYTES);
	assert_int_equal(pp_le32(c.e[1].handle), PP_DART_DEFAULT_MAX_ENTRIES);

	assert_int_equal(est(&c, 2), PP_OK);
	assert_int_equal(est(&c, 3), PP_OK);
	assert_int_equal(pp_le64(c.e[3].addr), 6 * PP_DART_PAGE_SIZE);
	assert_int_equal(pp_le32(c.e[3].len), 2);

	/* After unmap the mapping is gone from QUERY too. */
	assert_int_equal(unmap_one(e.m, h), PP_OK);
	cmd_init(&c);
	cmd_query(&c, PP_QUERY_MAPPING, h);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_NOENT);
	env_fini(&e);
}

static void test_batching(void **state)
{
	struct env e;
	struct cmd c;
	uint32_t h;

	(void)state;
	env_init(&e);
	h = map_one(e.m, RAM0_BASE, 4096, PP_MAP_RW, NULL);
	e.be.map_calls = 0;
	e.be.map_reqs = 0;

	cmd_init(&c);
	cmd_map(&c, RAM0_BASE + 0x10000, 4096, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + 0x20000, 4096, PP_MAP_RW);
	cmd_add(&c, 99, 0);                                 /* refused: no break */
	cmd_map(&c, RAM0_BASE + 0x30000, 4096, PP_MAP_RW);
	cmd_unmap(&c, h);                                   /* breaks */
	cmd_map(&c, RAM0_BASE + 0x40000, 4096, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + 0x50000, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(e.be.map_calls, 2);
	assert_int_equal(e.be.map_reqs, 5);
	assert_int_equal(est(&c, 2), PP_ERR_BADOP);
	assert_int_equal(est(&c, 4), PP_OK);
	assert_int_equal(dart_live(&e), 5);
	/* Each entry got the bus address of its own range. */
	{
		static const unsigned int idx[] = { 0, 1, 3, 5, 6 };
		static const uint64_t off[] = { 0x10000, 0x20000, 0x30000,
						0x40000, 0x50000 };
		uint64_t host;

		for (unsigned int i = 0; i < 5; i++) {
			assert_int_equal(pp_dart_translate(e.be.dart,
				pp_le64(c.e[idx[i]].bus), 4096, PP_DART_RW,
				&host), PP_OK);
			assert_int_equal(host, RAM0_BASE + off[i]);
		}
	}
	env_fini(&e);
}

static void test_backend_call_failure(void **state)
{
	struct env e;
	struct cmd c;
	struct pp_mapper_stats st;

	(void)state;
	env_init(&e);
	e.be.fail_call = PP_ERR_HOST;
	cmd_init(&c);
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	cmd_map(&c, RAM0_BASE + 0x4000, 4096, PP_MAP_RW);
	cmd_query(&c, PP_QUERY_USAGE, 0);
	cmd_map(&c, RAM0_BASE + 0x8000, 4096, PP_MAP_RW);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_HOST);
	assert_int_equal(est(&c, 1), PP_ERR_HOST);
	assert_int_equal(pp_le32(c.e[1].handle), 0);
	assert_int_equal(est(&c, 2), PP_OK);
	assert_int_equal(est(&c, 3), PP_OK); /* the next call works */
	assert_int_equal(dart_live(&e), 1);
	assert_int_equal(mapper_live(e.m), 1);
	pp_mapper_get_stats(e.m, &st);
	assert_int_equal(st.map_failures, 2);
	env_fini(&e);
}

static void test_unmap_host_failure(void **state)
{
	struct env e;
	struct pp_mapper_stats st;
	uint32_t h;

	(void)state;
	env_init(&e);
	h = map_one(e.m, RAM0_BASE, 4096, PP_MAP_RW, NULL);
	/* A host error is reported, and the handle is released anyway. */
	e.be.fail_unmap_status = PP_ERR_HOST;
	assert_int_equal(unmap_one(e.m, h), PP_ERR_HOST);
	assert_int_equal(mapper_live(e.m), 0);
	e.be.fail_unmap_status = 0;
	assert_int_equal(unmap_one(e.m, h), PP_ERR_NOENT);
	assert_int_equal(dart_live(&e), 1); /* the host kept it (its failure) */

	/* NOENT from the host (mapping lost there) is a host failure too. */
	h = map_one(e.m, RAM0_BASE, 4096, PP_MAP_RW, NULL);
	e.be.fail_unmap_status = PP_ERR_NOENT;
	assert_int_equal(unmap_one(e.m, h), PP_ERR_HOST);
	assert_int_equal(mapper_live(e.m), 0);
	e.be.fail_unmap_status = 0;
	assert_int_equal(unmap_one(e.m, h), PP_ERR_NOENT);
	pp_mapper_get_stats(e.m, &st);
	assert_int_equal(st.unmap_failures, 2);
	assert_int_equal(st.unmaps, 0);
	env_fini(&e);
}

static void test_out_fields(void **state)
{
	struct env e;
	struct cmd c;
	struct pp_cmd_entry *x;

	(void)state;
	env_init(&e);
	cmd_init(&c);
	/* MAP refused: handle and bus (out) come back 0. */
	cmd_map(&c, 0x1000, 4096, PP_MAP_RW);
	c.e[0].handle = pp_le32(0x55555555);
	c.e[0].bus = pp_le64(0x6666666666666666ull);
	/* QUERY_MAPPING of a dead handle: addr, len, bus come back 0. */
	cmd_query(&c, PP_QUERY_MAPPING, 77);
	c.e[1].addr = pp_le64(0x1234);
	c.e[1].len = pp_le32(99);
	c.e[1].bus = pp_le64(0x4321);
	/* BADOP: only the status changes. */
	x = cmd_add(&c, 9, 0x5a);
	x->addr = pp_le64(0xabcdef);
	x->handle = pp_le32(0x77);
	/* Failed MAP from the host: outs 0 as well. */
	cmd_map(&c, RAM0_BASE, 4096, PP_MAP_RW);
	c.e[3].handle = pp_le32(0x55555555);
	c.e[3].bus = pp_le64(0x6666666666666666ull);
	e.be.fail_call = PP_ERR_HOST;
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	assert_int_equal(est(&c, 0), PP_ERR_RANGE);
	assert_int_equal(pp_le32(c.e[0].handle), 0);
	assert_int_equal(pp_le64(c.e[0].bus), 0);
	assert_int_equal(pp_le64(c.e[0].addr), 0x1000);  /* in: kept */
	assert_int_equal(pp_le32(c.e[0].len), 4096);
	assert_int_equal(est(&c, 1), PP_ERR_NOENT);
	assert_int_equal(pp_le64(c.e[1].addr), 0);
	assert_int_equal(pp_le32(c.e[1].len), 0);
	assert_int_equal(pp_le64(c.e[1].bus), 0);
	assert_int_equal(pp_le32(c.e[1].handle), 77);
	assert_int_equal(est(&c, 2), PP_ERR_BADOP);
	assert_int_equal(c.e[2].flags, 0x5a);
	assert_int_equal(pp_le64(c.e[2].addr), 0xabcdef);
	assert_int_equal(pp_le32(c.e[2].handle), 0x77);
	assert_int_equal(est(&c, 3), PP_ERR_HOST);
	assert_int_equal(pp_le32(c.e[3].handle), 0);
	assert_int_equal(pp_le64(c.e[3].bus), 0);
	env_fini(&e);
}

static int count_walk(void *arg, uint32_t handle, uint64_t gpa, uint64_t len,
		      uint64_t bus)
{
	unsigned int *n = arg;

	assert_int_not_equal(handle, 0);
	assert_true(gpa >= RAM0_BASE);
	assert_int_not_equal(len, 0);
	assert_int_not_equal(bus, 0);
	(*n)++;
	return 0;
}

static void test_reset_and_free(void **state)
{
	struct env e;
	struct pp_dart_config cfg;
	struct pp_mapper_stats st;
	uint32_t h[600];
	unsigned int i, n = 0;

	(void)state;
	pp_dart_config_default(&cfg);
	cfg.placement = PP_DART_RANDOM;
	cfg.seed = 7;
	env_init_cfg(&e, &cfg, 1024, PP_FEAT_ALL);
	for (i = 0; i < 600; i++) /* more than one reset chunk */
		h[i] = map_one(e.m, RAM0_BASE + i * 0x8000ull, 0x5000,
			       PP_MAP_RW, NULL);
	pp_mapper_walk(e.m, count_walk, &n);
	assert_int_equal(n, 600);
	assert_int_equal(dart_live(&e), 600);
	pp_mapper_reset(e.m);
	assert_int_equal(dart_live(&e), 0);
	assert_int_equal(pp_dart_free_bytes(e.be.dart), cfg.cap_bytes);
	pp_mapper_get_stats(e.m, &st);
	assert_int_equal(st.live_mappings, 0);
	assert_int_equal(st.live_bytes, 0);
	assert_int_equal(st.peak_mappings, 600);
	assert_int_equal(st.peak_bytes, 600 * 0x5000ull);
	for (i = 0; i < 600; i += 37)
		assert_int_equal(unmap_one(e.m, h[i]), PP_ERR_NOENT);
	n = 0;
	pp_mapper_walk(e.m, count_walk, &n);
	assert_int_equal(n, 0);

	/* Usable again after reset; free unmaps what is left. */
	for (i = 0; i < 10; i++)
		map_one(e.m, RAM0_BASE + i * 0x4000ull, 4096, PP_MAP_RW, NULL);
	pp_mapper_free(e.m);
	e.m = NULL;
	assert_int_equal(dart_live(&e), 0);
	pp_dart_free(e.be.dart);
}

static void test_little_endian_writeback(void **state)
{
	struct env e;
	struct cmd c;
	const uint8_t *p;

	(void)state;
	env_init(&e);
	cmd_init(&c);
	cmd_unmap(&c, 0x01020304);
	assert_int_equal(cmd_run(e.m, &c), PP_OK);
	/* status is at offset 4 of the entry, little-endian: 08 00 00 00. */
	p = (const uint8_t *)&c.e[0];
	assert_int_equal(p[4], PP_ERR_NOENT);
	assert_int_equal(p[5] | p[6] | p[7], 0);
	/* header: status at 8, completed at 12. */
	p = (const uint8_t *)&c.h;
	assert_int_equal(p[8] | p[9] | p[10] | p[11], 0);
	assert_int_equal(p[12], 1);
	assert_int_equal(p[13] | p[14] | p[15], 0);
	env_fini(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_args),
		cmocka_unit_test(test_roundtrip_translate),
		cmocka_unit_test(test_second_ram_range),
		cmocka_unit_test(test_never_issued),
		cmocka_unit_test(test_double_unmap),
		cmocka_unit_test(test_other_mappers_handle),
		cmocka_unit_test(test_count_limits),
		cmocka_unit_test(test_exec_count_mismatch),
		cmocka_unit_test(test_handle_table_full),
		cmocka_unit_test(test_dart_caps),
		cmocka_unit_test(test_outside_ram),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_unknown_ops_and_reserved),
		cmocka_unit_test(test_features_not_negotiated),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_backend_call_failure),
		cmocka_unit_test(test_unmap_host_failure),
		cmocka_unit_test(test_out_fields),
		cmocka_unit_test(test_reset_and_free),
		cmocka_unit_test(test_little_endian_writeback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
