// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the device-side mapper (core/src/mapper.c) on a
 * real DART model.
 *
 * The input describes a DART (caps, placement), up to three guest RAM
 * ranges, two mappers sharing that DART (features, batch limit, handle
 * table size), then a sequence of steps: doorbells (a command GPA and the
 * bytes the guest left there, entries either raw or shaped from the input:
 * MAPs inside/around RAM, UNMAPs and QUERYs of handles seen before, by
 * either mapper), feature changes, backend failures, resets.  Checked after
 * every step:
 *
 *   - nothing is mapped outside guest RAM: every live mapping of every
 *     mapper lies in one RAM range, and the DART translates its bus
 *     address back to its guest-physical address;
 *   - the DART's live entries equal the mappers' live mappings summed (plus
 *     the mappings an injected host failure left behind: an UNMAP releases
 *     its handle whatever the host says), and the bus addresses are
 *     distinct (so the DART holds nothing else);
 *   - every status written back is a known status; an accepted command has
 *     completed == count and the cookie intact; a refused one wrote no
 *     entry;
 *   - MAP results are consistent with QUERY_MAPPING, handles nonzero;
 *   - after reset a mapper owns nothing, and after both reset (and the
 *     injected leaks removed) the DART is empty.
 *
 * Run: make fuzz && build/fuzz/fuzz_mapper -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcipass/dart.h"
#include "pcipass/mapper.h"
#include "pcipass/proto.h"
#include "fuzz_reader.h"

#define CHECK(c)                                                          \
	do {                                                              \
		if (!(c)) {                                               \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",  \
				__FILE__, __LINE__, #c);                  \
			abort();                                          \
		}                                                         \
	} while (0)

#define MAX_RAM   3
#define MAX_STEPS 64
#define MAX_BATCH 32
#define NMAPPERS  2
#define SEEN      256

/* ---- backend on the DART ------------------------------------------------ */

struct be {
	struct pp_dart *dart;
	int fail_next_map;      /* whole-call status for the next map call */
	int fail_unmaps;        /* unmaps report PP_ERR_HOST, DART untouched */
	uint64_t leaked[4096];  /* bus addresses the "host" failed to unmap */
	unsigned int nleaked;
};

static int be_map(void *ctx, struct pp_dma_req *reqs, unsigned int n)
{
	struct be *b = ctx;

	CHECK(n >= 1 && n <= MAX_BATCH);
	if (b->fail_next_map) {
		int st = b->fail_next_map;

		b->fail_next_map = 0;
		return st;
	}
	for (unsigned int i = 0; i < n; i++) {
		CHECK(reqs[i].len >= 1);
		CHECK(reqs[i].prot && !(reqs[i].prot & ~PP_MAP_RW));
		reqs[i].status = pp_dart_map(b->dart, reqs[i].addr, reqs[i].len,
					     reqs[i].prot, &reqs[i].bus);
	}
	return PP_OK;
}

static int be_unmap(void *ctx, const uint64_t *bus, int32_t *status,
		    unsigned int n)
{
	struct be *b = ctx;

	for (unsigned int i = 0; i < n; i++) {
		if (b->fail_unmaps) {
			CHECK(b->nleaked < PP_ARRAY_SIZE(b->leaked));
			b->leaked[b->nleaked++] = bus[i];
			status[i] = PP_ERR_HOST;
		} else {
			status[i] = pp_dart_unmap(b->dart, bus[i]);
		}
	}
	return PP_OK;
}

static void be_usage(void *ctx, uint64_t *lb, uint64_t *le, uint64_t *cb,
		     uint64_t *ce)
{
	struct be *b = ctx;
	struct pp_dart_stats st;

	pp_dart_get_stats(b->dart, &st);
	*lb = st.live_bytes;
	*le = st.live_entries;
	*cb = pp_dart_config(b->dart)->cap_bytes;
	*ce = pp_dart_config(b->dart)->max_entries;
}

/* ---- state ------------------------------------------------------------------ */

struct world {
	struct be be;
	struct pp_ram_range ram[MAX_RAM];
	unsigned int nr_ram;
	struct pp_proto_limits lim[NMAPPERS];
	struct pp_mapper *m[NMAPPERS];
	uint32_t seen[SEEN];    /* handles seen in MAP results (any mapper) */
	unsigned int nseen;
};

static bool in_one_range(const struct world *w, uint64_t a, uint64_t len)
{
	for (unsigned int i = 0; i < w->nr_ram; i++) {
		const struct pp_ram_range *r = &w->ram[i];

		if (!r->size || len == 0)
			continue;
		if (a >= r->base && a - r->base <= r->size - 1 &&
		    len - 1 <= r->size - 1 - (a - r->base))
			return true;
	}
	return false;
}

struct walk_ctx {
	struct world *w;
	uint64_t *bus;
	unsigned int n, cap;
	uint64_t bytes;
};

static int check_mapping(void *arg, uint32_t handle, uint64_t gpa,
			 uint64_t len, uint64_t bus)
{
	struct walk_ctx *c = arg;
	uint64_t host = 0, avail = 0;

	CHECK(handle != 0);
	CHECK(in_one_range(c->w, gpa, len));
	CHECK(pp_dart_lookup(c->w->be.dart, bus, &host, &avail, NULL) == PP_OK);
	CHECK(host == gpa);
	CHECK(avail >= len);
	CHECK(c->n < c->cap);
	c->bus[c->n++] = bus;
	c->bytes += len;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_world(struct world *w)
{
	static uint64_t bus[2 * 4096];
	struct walk_ctx c = { w, bus, 0, PP_ARRAY_SIZE(bus), 0 };
	struct pp_dart_stats ds;
	uint64_t live = 0;

	for (unsigned int k = 0; k < NMAPPERS; k++) {
		struct pp_mapper_stats ms;
		unsigned int before = c.n;

		c.bytes = 0;
		pp_mapper_walk(w->m[k], check_mapping, &c);
		pp_mapper_get_stats(w->m[k], &ms);
		CHECK(ms.live_mappings == c.n - before);
		CHECK(ms.live_bytes == c.bytes);
		CHECK(ms.peak_mappings >= ms.live_mappings);
		live += ms.live_mappings;
	}
	/* What the mappers own plus what the host failed to unmap. */
	for (unsigned int i = 0; i < w->be.nleaked; i++) {
		CHECK(c.n < c.cap);
		CHECK(pp_dart_lookup(w->be.dart, w->be.leaked[i], NULL, NULL,
				     NULL) == PP_OK);
		bus[c.n++] = w->be.leaked[i];
	}
	pp_dart_get_stats(w->be.dart, &ds);
	CHECK(ds.live_entries == live + w->be.nleaked);
	qsort(bus, c.n, sizeof(bus[0]), cmp_u64);
	for (unsigned int i = 1; i < c.n; i++)
		CHECK(bus[i] != bus[i - 1]);
	CHECK(ds.live_bytes <= pp_dart_config(w->be.dart)->cap_bytes);
}

static void remember(struct world *w, uint32_t h)
{
	w->seen[w->nseen++ % SEEN] = h;
}

static uint32_t pick_handle(struct world *w, struct reader *r)
{
	uint8_t sel = (uint8_t)take(r, 1);

	if (sel < 200 && w->nseen) {
		unsigned int n = w->nseen < SEEN ? w->nseen : SEEN;

		return w->seen[sel % n];
	}
	return (uint32_t)take(r, 4);
}

static uint64_t pick_addr(struct world *w, struct reader *r)
{
	uint8_t mode = (uint8_t)take(r, 1);
	const struct pp_ram_range *rr;

	if (!w->nr_ram || (mode & 3) == 3)
		return take(r, 8);
	rr = &w->ram[(mode >> 2) % w->nr_ram];
	switch (mode & 3) {
	case 0: /* inside, pages */
		return rr->base + (take(r, 2) << 12);
	case 1: /* near the end */
		return rr->base + rr->size - take(r, 2);
	default: /* near the start, either side */
		return rr->base + (uint64_t)(int64_t)(int16_t)take(r, 2);
	}
}

static void build_entry(struct world *w, struct reader *r,
			struct pp_cmd_entry *le)
{
	uint8_t kind = (uint8_t)take(r, 1);
	struct pp_cmd_entry e;

	memset(&e, 0, sizeof(e));
	switch (kind % 8) {
	case 0: /* raw */
		take_bytes(r, le, sizeof(*le));
		return;
	case 1: case 2: case 3:
		e.op = PP_OP_MAP;
		e.flags = (kind >> 3) & 3 ? (kind >> 3) & 3 : PP_MAP_RW;
		e.addr = pick_addr(w, r);
		e.len = (kind & 0x80) ? (uint32_t)take(r, 4)
				      : (uint32_t)take(r, 2) + 1;
		break;
	case 4: case 5:
		e.op = PP_OP_UNMAP;
		e.handle = pick_handle(w, r);
		break;
	case 6:
		e.op = PP_OP_QUERY;
		e.flags = PP_QUERY_MAPPING;
		e.handle = pick_handle(w, r);
		break;
	default:
		e.op = PP_OP_QUERY;
		e.flags = PP_QUERY_USAGE;
		break;
	}
	e.status = (uint32_t)take(r, 1); /* output: any value */
	pp_cmd_entry_to_le(le, &e);
}

static void doorbell(struct world *w, struct reader *r, unsigned int k)
{
	static struct pp_cmd_entry ents[MAX_BATCH + 1], copy[MAX_BATCH + 1];
	struct pp_mapper *m = w->m[k];
	struct pp_cmd_header h, hw;
	uint64_t gpa;
	uint32_t count = 0, n;
	uint8_t mode = (uint8_t)take(r, 1);
	int st;

	if ((mode & 1) && w->nr_ram)
		gpa = w->ram[(mode >> 1) % w->nr_ram].base + take(r, 1) * 64;
	else
		gpa = take(r, 8);

	n = (uint32_t)take(r, 1) % (MAX_BATCH + 2);
	memset(&h, 0, sizeof(h));
	h.version = PP_PROTO_MAJOR;
	h.count = n;
	h.cookie = 0x0123456789abcdefull;
	if (mode & 0x80) { /* damaged header */
		h.version = (uint16_t)take(r, 1);
		h.flags = (uint16_t)(take(r, 1) & 1);
		h.reserved = (uint32_t)(take(r, 1) & 1);
		h.count = (uint32_t)take(r, 4);
	}
	pp_cmd_header_to_le(&hw, &h);
	for (uint32_t i = 0; i < n && i <= MAX_BATCH; i++)
		build_entry(w, r, &ents[i]);
	memcpy(copy, ents, sizeof(ents));

	st = pp_mapper_check_gpa(m, gpa);
	if (st != PP_OK) {
		CHECK(st < PP_STATUS_COUNT);
		return;
	}
	st = pp_mapper_check_header(m, gpa, &hw, &count);
	if (st != PP_OK) {
		CHECK(st < PP_STATUS_COUNT && count == 0);
		return;
	}
	CHECK(count == h.count && count >= 1 && count <= MAX_BATCH);
	CHECK(in_one_range(w, gpa, 32 + 32ull * count));
	st = pp_mapper_exec(m, &hw, ents, count);
	CHECK(st == PP_OK);
	pp_cmd_header_from_le(&h, &hw);
	CHECK(h.status == PP_OK && h.completed == count);
	CHECK(h.cookie == 0x0123456789abcdefull);

	for (uint32_t i = 0; i < count; i++) {
		struct pp_cmd_entry e, in;

		pp_cmd_entry_from_le(&e, &ents[i]);
		pp_cmd_entry_from_le(&in, &copy[i]);
		CHECK(e.status < PP_STATUS_COUNT);
		CHECK(e.op == in.op && e.flags == in.flags);
		if (e.status != PP_OK)
			continue;
		switch (e.op) {
		case PP_OP_MAP:
			CHECK(e.handle != 0 && e.bus != 0);
			CHECK(e.addr == in.addr && e.len == in.len);
			CHECK(in_one_range(w, e.addr, e.len));
			remember(w, e.handle);
			break;
		case PP_OP_UNMAP:
			CHECK(e.handle == in.handle);
			break;
		case PP_OP_QUERY:
			CHECK(w->lim[k].features & PP_FEAT_QUERY);
			if (e.flags == PP_QUERY_MAPPING)
				CHECK(in_one_range(w, e.addr, e.len));
			break;
		default:
			CHECK(0);
		}
	}
	/* Entries past count were not touched. */
	if (count <= MAX_BATCH)
		CHECK(memcmp(&ents[count], &copy[count],
			     sizeof(ents[0]) * (MAX_BATCH + 1 - count)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct pp_dart_config cfg;
	struct pp_mapper_backend ops;
	struct world w;
	unsigned int i, steps;

	memset(&w, 0, sizeof(w));
	pp_dart_config_default(&cfg);
	cfg.cap_bytes = (take(&r, 1) % 64 + 1) * PP_DART_PAGE_SIZE;
	cfg.max_entries = (uint32_t)take(&r, 1) % 48 + 1;
	cfg.placement = (enum pp_dart_placement)(take(&r, 1) % 3);
	cfg.seed = take(&r, 2);
	cfg.iova_size = (take(&r, 1) % 128 + 1) * PP_DART_PAGE_SIZE;
	w.be.dart = pp_dart_new(&cfg);
	CHECK(w.be.dart);

	w.nr_ram = (unsigned int)take(&r, 1) % (MAX_RAM + 1);
	for (i = 0; i < w.nr_ram; i++) {
		uint8_t shape = (uint8_t)take(&r, 1);

		if (shape & 0x80) { /* anywhere, including the top */
			w.ram[i].base = take(&r, 8);
			w.ram[i].size = take(&r, 3) + 1;
			if (w.ram[i].base > UINT64_MAX - (w.ram[i].size - 1))
				w.ram[i].base = UINT64_MAX - (w.ram[i].size - 1);
		} else {
			w.ram[i].base = (take(&r, 2) + 1) << 20;
			w.ram[i].size = (take(&r, 1) + 1) << 16;
		}
		w.ram[i].base &= ~63ull;
	}

	ops.ctx = &w.be;
	ops.map = be_map;
	ops.unmap = be_unmap;
	ops.usage = be_usage;
	for (i = 0; i < NMAPPERS; i++) {
		w.lim[i].max_batch = (uint32_t)take(&r, 1) % MAX_BATCH + 1;
		w.lim[i].max_map_len = (uint32_t)take(&r, 3) + 1;
		w.lim[i].features = (uint32_t)take(&r, 1) & PP_FEAT_ALL;
		w.lim[i].ram = w.ram;
		w.lim[i].nr_ram = w.nr_ram;
		w.m[i] = pp_mapper_new(&w.lim[i], (uint32_t)take(&r, 1) % 40 + 1,
				       &ops);
		CHECK(w.m[i]);
	}

	steps = 0;
	while (r.n && steps++ < MAX_STEPS) {
		uint8_t op = (uint8_t)take(&r, 1);
		unsigned int k = (op >> 4) & 1;

		switch (op & 0xf) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
			doorbell(&w, &r, k);
			break;
		case 8:
			w.lim[k].features = (uint32_t)take(&r, 1);
			pp_mapper_set_features(w.m[k], w.lim[k].features);
			w.lim[k].features &= PP_FEAT_ALL;
			break;
		case 9:
			w.be.fail_next_map = (int)(take(&r, 1) % PP_STATUS_COUNT);
			break;
		case 10: {
			/* unmaps fail for one doorbell */
			w.be.fail_unmaps = 1;
			doorbell(&w, &r, k);
			w.be.fail_unmaps = 0;
			break;
		}
		case 11: {
			struct pp_mapper_stats ms;

			pp_mapper_reset(w.m[k]);
			pp_mapper_get_stats(w.m[k], &ms);
			CHECK(ms.live_mappings == 0 && ms.live_bytes == 0);
			break;
		}
		default:
			doorbell(&w, &r, k);
			break;
		}
		check_world(&w);
	}

	for (i = 0; i < NMAPPERS; i++)
		pp_mapper_reset(w.m[i]);
	check_world(&w);
	for (i = 0; i < w.be.nleaked; i++)
		CHECK(pp_dart_unmap(w.be.dart, w.be.leaked[i]) == PP_OK);
	{
		struct pp_dart_stats ds;

		pp_dart_get_stats(w.be.dart, &ds);
		CHECK(ds.live_entries == 0 && ds.live_bytes == 0);
		CHECK(pp_dart_free_bytes(w.be.dart) == cfg.cap_bytes);
	}
	for (i = 0; i < NMAPPERS; i++)
		pp_mapper_free(w.m[i]);
	pp_dart_free(w.be.dart);
	return 0;
}
