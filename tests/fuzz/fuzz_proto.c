// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the wire protocol.
 *
 * The input describes a device (negotiated features, limits, up to four
 * guest RAM ranges, handle-table size) and then a sequence of doorbells:
 * each is a command GPA plus the bytes the guest left at that GPA (header,
 * then entries).  A small model of the device's processing loop runs them
 * with a real handle table: MAP issues handles, UNMAP releases them,
 * QUERY looks them up.  Checked on every step:
 *
 *   - every validator agrees exactly with an independent reference written
 *     with 128-bit arithmetic and no tables (differential check);
 *   - a validated command and a validated MAP lie inside one RAM range;
 *   - a handle is accepted (UNMAP, QUERY_MAPPING) iff the model issued it
 *     and has not released it, and resolves to the mapping it was issued
 *     for; issued handles are nonzero and never issued twice in a run
 *     (the generation cannot wrap within one);
 *   - the table's live count equals the model's after every command;
 *   - byte-order conversion round-trips, and the walk at the end sees
 *     exactly the live handles.
 *
 * Run: make fuzz && build/fuzz/fuzz_proto -max_total_time=60
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcipass/handles.h"
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

#define MAX_RAM    4
#define MAX_CAP    64
#define HIST       64
#define MAX_CMDS   32
#define EVER       8192 /* power of two */

typedef unsigned __int128 u128;
#define TOP_END ((u128)1 << 64)

/* ---- reference validators (independent of core/src/proto.c) ------------ */

static int ref_in_ram(const struct pp_proto_limits *l, uint64_t addr,
		      uint64_t len)
{
	u128 end = (u128)addr + len;
	unsigned int i;

	if (len == 0)
		return PP_ERR_INVAL;
	if (end > TOP_END)
		return PP_ERR_OVERFLOW;
	for (i = 0; l->ram && i < l->nr_ram; i++) {
		u128 rend = (u128)l->ram[i].base + l->ram[i].size;

		if (l->ram[i].size == 0 || rend > TOP_END)
			continue;
		if (addr >= l->ram[i].base && end <= rend)
			return PP_OK;
	}
	return PP_ERR_RANGE;
}

static int ref_cmd_gpa(const struct pp_proto_limits *l, uint64_t gpa)
{
	if (gpa % 64)
		return PP_ERR_ALIGN;
	return ref_in_ram(l, gpa, 32);
}

static int ref_header(const struct pp_proto_limits *l, uint64_t gpa,
		      const struct pp_cmd_header *h)
{
	uint64_t max = l->max_batch > 4096 ? 4096 : l->max_batch;

	if (gpa % 64)
		return PP_ERR_ALIGN;
	if (h->version != 1)
		return PP_ERR_VERSION;
	if (h->flags != 0 || h->reserved != 0 || h->reserved2 != 0)
		return PP_ERR_RESERVED;
	if (h->count < 1 || h->count > max)
		return PP_ERR_COUNT;
	if (h->count > 1 && !(l->features & 1))
		return PP_ERR_COUNT;
	return ref_in_ram(l, gpa, 32 + 32 * (uint64_t)h->count);
}

static int ref_entry(const struct pp_proto_limits *l,
		     const struct pp_cmd_entry *e)
{
	switch (e->op) {
	case 1: /* MAP */
		if (e->reserved)
			return PP_ERR_RESERVED;
		if (e->flags > 3)
			return PP_ERR_RESERVED;
		if (e->flags == 0)
			return PP_ERR_INVAL;
		if (e->len == 0 || e->len > l->max_map_len)
			return PP_ERR_INVAL;
		return ref_in_ram(l, e->addr, e->len);
	case 2: /* UNMAP */
		if (e->reserved || e->flags || e->addr || e->len || e->bus)
			return PP_ERR_RESERVED;
		return e->handle ? PP_OK : PP_ERR_NOENT;
	case 3: /* QUERY */
		if (!(l->features & 2))
			return PP_ERR_BADOP;
		if (e->reserved)
			return PP_ERR_RESERVED;
		if (e->flags == 1)
			return e->handle ? PP_OK : PP_ERR_NOENT;
		if (e->flags == 2)
			return PP_OK;
		return PP_ERR_BADOP;
	default:
		return PP_ERR_BADOP;
	}
}

/* Brute-force statement of "lies in one RAM range". */
static int in_one_range(const struct pp_proto_limits *l, uint64_t addr,
			uint64_t len)
{
	unsigned int i;

	for (i = 0; i < l->nr_ram; i++) {
		const struct pp_ram_range *r = &l->ram[i];

		if (r->size && addr >= r->base &&
		    (u128)addr + len <= (u128)r->base + r->size)
			return 1;
	}
	return 0;
}

/* ---- device model ----------------------------------------------------- */

struct mapping {
	uint64_t addr, bus;
	uint32_t len, handle;
	int used;
};

struct dev {
	struct pp_proto_limits lim;
	struct pp_ram_range ram[MAX_RAM];
	struct pp_handles *tab;
	uint32_t cap;
	struct mapping maps[MAX_CAP];
	uint32_t live[MAX_CAP];     /* model: handles issued and not released */
	unsigned int nlive;
	uint32_t hist[HIST];        /* every handle ever issued (ring) */
	unsigned int nhist;
	uint32_t ever[EVER];         /* hash set of every handle issued */
	unsigned int n_ever;
	uint64_t next_bus;
	uint64_t live_bytes;
	int last_error;
};

static int model_find(const struct dev *d, uint32_t h)
{
	unsigned int i;

	for (i = 0; i < d->nlive; i++)
		if (d->live[i] == h)
			return (int)i;
	return -1;
}

/*
 * Records h as issued; false if it was issued before in this run.  With at
 * most 64 slots a generation has at least 26 bits, far more than a run can
 * wrap, so a value issued twice means a released handle came back to life.
 */
static int ever_add(struct dev *d, uint32_t h)
{
	unsigned int i = (h * 2654435761u) & (EVER - 1);

	if (d->n_ever >= EVER / 2)
		return 1; /* set full enough: stop checking */
	while (d->ever[i]) {
		if (d->ever[i] == h)
			return 0;
		i = (i + 1) & (EVER - 1);
	}
	d->ever[i] = h;
	d->n_ever++;
	return 1;
}

static void do_map(struct dev *d, struct pp_cmd_entry *e)
{
	struct mapping *m = NULL;
	uint32_t h;
	unsigned int i;

	CHECK(in_one_range(&d->lim, e->addr, e->len));
	for (i = 0; i < MAX_CAP; i++) {
		if (!d->maps[i].used) {
			m = &d->maps[i];
			break;
		}
	}
	if (!m) {
		/* Pool exhausted: only when the table (cap == pool) is full. */
		static char dummy;

		CHECK(d->nlive == MAX_CAP && d->cap == MAX_CAP);
		CHECK(pp_handles_alloc(d->tab, &dummy) == 0);
		e->status = PP_ERR_TOOMANY;
		e->handle = 0;
		e->bus = 0;
		return;
	}
	h = pp_handles_alloc(d->tab, m);
	if (!h) {
		CHECK(d->nlive == d->cap);
		e->status = PP_ERR_TOOMANY;
		e->handle = 0;
		e->bus = 0;
		return;
	}
	CHECK(d->nlive < d->cap);
	CHECK(model_find(d, h) < 0);
	CHECK(ever_add(d, h));
	m->used = 1;
	m->addr = e->addr;
	m->len = e->len;
	m->handle = h;
	m->bus = d->next_bus + (e->addr & 0x3fff);
	d->next_bus += ((e->len + (e->addr & 0x3fff) + 0x3fff) & ~0x3fffull);
	d->live_bytes += e->len;
	d->live[d->nlive++] = h;
	d->hist[d->nhist++ % HIST] = h;
	e->status = PP_OK;
	e->handle = h;
	e->bus = m->bus;
}

static void do_unmap(struct dev *d, struct pp_cmd_entry *e)
{
	int k = model_find(d, e->handle);
	struct mapping *m = pp_handles_release(d->tab, e->handle);

	if (k < 0) {
		CHECK(m == NULL); /* never issued, or already released */
		e->status = PP_ERR_NOENT;
		return;
	}
	CHECK(m != NULL && m->used && m->handle == e->handle);
	CHECK(m >= d->maps && m < d->maps + MAX_CAP);
	m->used = 0;
	d->live_bytes -= m->len;
	d->live[k] = d->live[--d->nlive];
	e->status = PP_OK;
}

static void do_query(struct dev *d, struct pp_cmd_entry *e)
{
	if (e->flags == PP_QUERY_USAGE) {
		e->addr = d->live_bytes;
		e->len = pp_handles_live(d->tab);
		CHECK(e->len == d->nlive);
		e->bus = 0;
		e->handle = d->cap;
		e->status = PP_OK;
		return;
	} else {
		int k = model_find(d, e->handle);
		const struct mapping *m = pp_handles_lookup(d->tab, e->handle);

		if (k < 0) {
			CHECK(m == NULL);
			e->status = PP_ERR_NOENT;
			e->addr = e->bus = 0;
			e->len = 0;
			return;
		}
		CHECK(m != NULL && m->used && m->handle == e->handle);
		e->addr = m->addr;
		e->len = m->len;
		e->bus = m->bus;
		e->status = PP_OK;
	}
}

/*
 * Harness convenience: a handle field of the form 0xa5xxxxxx names the
 * xx-th handle ever issued (live or released), so the fuzzer reaches real
 * and stale handles without guessing their encoding.  Raw values are used
 * as they are.
 */
static uint32_t pick_handle(const struct dev *d, uint32_t v)
{
	if ((v >> 24) != 0xa5 || !d->nhist)
		return v;
	return d->hist[(v & 0xff) % (d->nhist < HIST ? d->nhist : HIST)];
}

static void roundtrip_entry(const struct pp_cmd_entry *wire)
{
	struct pp_cmd_entry cpu, back;

	pp_cmd_entry_from_le(&cpu, wire);
	pp_cmd_entry_to_le(&back, &cpu);
	CHECK(memcmp(&back, wire, sizeof(back)) == 0);
}

/* A full walk sees exactly the model's live handles, each once. */
static void check_walk(const struct dev *d)
{
	uint32_t cur = 0, h, seen = 0;
	uint64_t mask = 0;
	void *obj;

	while ((h = pp_handles_next(d->tab, &cur, &obj))) {
		int k = model_find(d, h);
		const struct mapping *m = obj;

		CHECK(k >= 0 && !(mask & (1ull << k)));
		mask |= 1ull << k;
		CHECK(m && m->used && m->handle == h);
		CHECK(pp_handles_lookup(d->tab, h) == obj);
		CHECK(++seen <= d->nlive);
	}
	CHECK(seen == d->nlive);
}

static void doorbell(struct dev *d, struct reader *r)
{
	struct pp_cmd_header wire, h;
	uint8_t mode = (uint8_t)take(r, 1);
	uint64_t gpa;
	uint32_t i;
	int st;

	if ((mode & 1) && d->lim.nr_ram) {
		const struct pp_ram_range *rr = &d->ram[take(r, 1) % d->lim.nr_ram];

		/* Mostly 64-byte steps from the range base; sometimes bytes. */
		gpa = rr->base + take(r, 2) * (mode & 2 ? 1 : 64);
	} else {
		gpa = take(r, 8);
	}

	st = pp_check_cmd_gpa(&d->lim, gpa);
	CHECK(st == ref_cmd_gpa(&d->lim, gpa));
	if (st != PP_OK) {
		d->last_error = st; /* nothing is read */
		return;
	}
	CHECK(in_one_range(&d->lim, gpa, sizeof(h)));

	take_bytes(r, &wire, sizeof(wire));
	pp_cmd_header_from_le(&h, &wire);
	{
		struct pp_cmd_header back;

		pp_cmd_header_to_le(&back, &h);
		CHECK(memcmp(&back, &wire, sizeof(back)) == 0);
	}
	if (mode & 4) {
		/* Direct range check with the cookie as a length. */
		CHECK(pp_range_in_ram(&d->lim, gpa, h.cookie) ==
		      ref_in_ram(&d->lim, gpa, h.cookie));
	}

	st = pp_check_header(&d->lim, gpa, &h);
	CHECK(st == ref_header(&d->lim, gpa, &h));
	h.status = (uint32_t)st;
	h.completed = 0;
	if (st != PP_OK)
		return; /* status written to the header; entries not read */

	CHECK(h.count >= 1 && h.count <= PP_MAX_BATCH_LIMIT);
	CHECK(h.count <= d->lim.max_batch);
	CHECK(h.count == 1 || (d->lim.features & PP_FEAT_BATCH));
	CHECK(in_one_range(&d->lim, gpa, 32 + 32 * (uint64_t)h.count));

	for (i = 0; i < h.count; i++) {
		struct pp_cmd_entry ew, e;

		take_bytes(r, &ew, sizeof(ew));
		roundtrip_entry(&ew);
		pp_cmd_entry_from_le(&e, &ew);
		e.handle = pick_handle(d, e.handle);

		st = pp_check_entry(&d->lim, &e);
		CHECK(st == ref_entry(&d->lim, &e));
		if (st != PP_OK) {
			e.status = (uint32_t)st;
		} else {
			switch (e.op) {
			case PP_OP_MAP:
				do_map(d, &e);
				break;
			case PP_OP_UNMAP:
				do_unmap(d, &e);
				break;
			case PP_OP_QUERY:
				CHECK(d->lim.features & PP_FEAT_QUERY);
				do_query(d, &e);
				break;
			default:
				CHECK(0); /* validator let an unknown op through */
			}
		}
		pp_cmd_entry_to_le(&ew, &e);
		h.completed++;
	}
	CHECK(h.completed == h.count);
	CHECK(pp_handles_live(d->tab) == d->nlive);
	check_walk(d);
}

static void teardown(struct dev *d)
{
	uint32_t cur = 0, h, n = 0;
	void *obj;

	/* The walk sees each live handle once; release them all as we go. */
	while ((h = pp_handles_next(d->tab, &cur, &obj))) {
		struct mapping *m = obj;
		int k = model_find(d, h);

		CHECK(k >= 0);
		CHECK(m && m->used && m->handle == h);
		CHECK(pp_handles_release(d->tab, h) == m);
		m->used = 0;
		d->live[k] = d->live[--d->nlive];
		n++;
		CHECK(n <= d->cap);
	}
	CHECK(d->nlive == 0);
	CHECK(pp_handles_live(d->tab) == 0);
	pp_handles_free(d->tab);
}

static void run_input(const uint8_t *data, size_t size)
{
	static struct dev d;
	struct reader r = { data, size };
	unsigned int i, cmds;

	memset(&d, 0, sizeof(d));
	d.lim.features = (uint32_t)take(&r, 1) & PP_FEAT_ALL;
	d.cap = (uint32_t)(take(&r, 1) % MAX_CAP) + 1;
	d.lim.max_batch = (uint32_t)take(&r, 2);
	d.lim.max_map_len = (uint32_t)take(&r, 4);
	d.lim.nr_ram = (unsigned int)(take(&r, 1) % (MAX_RAM + 1));
	for (i = 0; i < d.lim.nr_ram; i++) {
		d.ram[i].base = take(&r, 8);
		d.ram[i].size = take(&r, 8);
	}
	d.lim.ram = d.ram;
	d.next_bus = 0x100000;
	d.tab = pp_handles_new(d.cap);
	CHECK(d.tab);

	for (cmds = 0; r.n && cmds < MAX_CMDS; cmds++)
		doorbell(&d, &r);

	teardown(&d);
}

/* ---- built-in scenarios (the empty input runs them) --------------------- */

/*
 * libFuzzer always runs the empty input first, so these run on every
 * fuzzing session, even from an empty corpus (as in tests/run): they put
 * the model through states random bytes reach slowly -- stale handles after
 * slot reuse, a full table, swap-removal order, the top of the address
 * space.  They are also a good seed corpus shape (see the format above).
 */
struct builder {
	uint8_t b[2048];
	size_t n;
};

static void put(struct builder *w, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		CHECK(w->n < sizeof(w->b));
		w->b[w->n++] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
	}
}

/* Device: features, cap - 1, max_batch, max_map_len, RAM ranges. */
static void b_dev(struct builder *w, uint8_t feat, uint8_t cap_m1,
		  const struct pp_ram_range *ram, unsigned int nr)
{
	unsigned int i;

	w->n = 0;
	put(w, feat, 1);
	put(w, cap_m1, 1);
	put(w, 4096, 2);
	put(w, 0x100000, 4);
	put(w, nr, 1);
	for (i = 0; i < nr; i++) {
		put(w, ram[i].base, 8);
		put(w, ram[i].size, 8);
	}
}

/* Doorbell at RAM range 0 + 64 * slot, header with count entries. */
static void b_bell(struct builder *w, unsigned int slot, uint32_t count)
{
	put(w, 1, 1);
	put(w, 0, 1);
	put(w, slot, 2);
	put(w, PP_PROTO_MAJOR, 2);
	put(w, 0, 2);
	put(w, count, 4);
	put(w, 0, 16);
	put(w, 0xc00c1e, 8);
}

/* Doorbell at a raw GPA. */
static void b_bell_raw(struct builder *w, uint64_t gpa, uint32_t count)
{
	put(w, 0, 1);
	put(w, gpa, 8);
	put(w, PP_PROTO_MAJOR, 2);
	put(w, 0, 2);
	put(w, count, 4);
	put(w, 0, 24);
}

static void b_ent(struct builder *w, uint8_t op, uint8_t flags, uint64_t addr,
		  uint32_t len, uint32_t handle)
{
	put(w, op, 1);
	put(w, flags, 1);
	put(w, 0, 6);
	put(w, addr, 8);
	put(w, len, 4);
	put(w, handle, 4);
	put(w, 0, 8);
}

#define B_MAP(w, a, l)  b_ent(w, PP_OP_MAP, PP_MAP_RW, a, l, 0)
#define B_UNMAP(w, k)   b_ent(w, PP_OP_UNMAP, 0, 0, 0, 0xa5000000u | (k))
#define B_QMAP(w, k)    b_ent(w, PP_OP_QUERY, PP_QUERY_MAPPING, 0, 0, \
			      0xa5000000u | (k))

static void run_scenarios(void)
{
	static const struct pp_ram_range ram[] = {
		{ 0x40000000, 0x40000000 },
		{ 0x80000000, 0x40000000 },
		{ UINT64_MAX - 0xffff, 0x10000 },
	};
	struct builder w;
	unsigned int i;

	/* Map three, unmap first then last (swap-removal), stale reuse. */
	b_dev(&w, PP_FEAT_ALL, 7, ram, 3);
	b_bell(&w, 0, 5);
	B_MAP(&w, 0x40010000, 0x4000);
	B_MAP(&w, 0x40020000, 0x1000);
	B_MAP(&w, 0x40030000, 0x1000);
	B_UNMAP(&w, 0);
	B_UNMAP(&w, 2);
	b_bell(&w, 1, 4);
	B_UNMAP(&w, 0);      /* stale */
	B_QMAP(&w, 1);       /* live */
	B_QMAP(&w, 2);       /* stale */
	b_ent(&w, PP_OP_QUERY, PP_QUERY_USAGE, 0, 0, 0);
	run_input(w.b, w.n);

	/* Table of one: full table, then the slot reused, old handle stale. */
	b_dev(&w, PP_FEAT_ALL, 0, ram, 1);
	b_bell(&w, 0, 4);
	B_MAP(&w, 0x40000000, 1);
	B_MAP(&w, 0x40000000, 1);   /* TOOMANY */
	B_UNMAP(&w, 0);
	B_MAP(&w, 0x40000000, 2);
	b_bell(&w, 1, 3);
	B_UNMAP(&w, 0);             /* stale: must not free the new one */
	B_QMAP(&w, 1);
	B_UNMAP(&w, 1);
	run_input(w.b, w.n);

	/* Many live, released in a scrambled order; adjacency and the top. */
	b_dev(&w, PP_FEAT_ALL, 63, ram, 3);
	b_bell(&w, 0, 16);
	for (i = 0; i < 16; i++)
		B_MAP(&w, 0x40000000 + i * 0x4000, 0x4000);
	b_bell(&w, 2, 16);
	for (i = 0; i < 16; i++)
		B_UNMAP(&w, (i * 7) % 16);
	b_bell(&w, 3, 2);
	B_MAP(&w, 0x7fffff00, 0x200);          /* spans two ranges: RANGE */
	B_MAP(&w, 0x7fffff00, 0x100);          /* ends at the range end */
	b_bell_raw(&w, UINT64_MAX - 63, 1);    /* command at the very top */
	B_MAP(&w, UINT64_MAX - 0xfff, 0x1000);
	run_input(w.b, w.n);

	/*
	 * Table of five (3-bit slots, handle = gen << 3 | slot): never-issued
	 * values of a free slot (gen 1, slot 4) and of slots past the
	 * capacity (5..7); then releases from a full table and refills.
	 */
	b_dev(&w, PP_FEAT_ALL, 4, ram, 1);
	b_bell(&w, 0, 9);
	for (i = 0; i < 3; i++)
		B_MAP(&w, 0x40000000 + i, 1);
	b_ent(&w, PP_OP_UNMAP, 0, 0, 0, 1u << 3 | 4);
	b_ent(&w, PP_OP_UNMAP, 0, 0, 0, 1u << 3 | 5);
	b_ent(&w, PP_OP_UNMAP, 0, 0, 0, 1u << 3 | 7);
	b_ent(&w, PP_OP_QUERY, PP_QUERY_MAPPING, 0, 0, 1u << 3 | 6);
	B_MAP(&w, 0x40000000, 1);
	B_MAP(&w, 0x40000000, 1);              /* full now */
	b_bell(&w, 1, 8);
	B_UNMAP(&w, 0);
	B_UNMAP(&w, 1);
	B_UNMAP(&w, 4);
	B_MAP(&w, 0x40000000, 1);
	B_MAP(&w, 0x40000000, 1);
	B_MAP(&w, 0x40000000, 1);
	B_MAP(&w, 0x40000000, 1);              /* TOOMANY */
	B_UNMAP(&w, 2);
	run_input(w.b, w.n);

	/* No features: batches refused, QUERY refused, single ops work. */
	b_dev(&w, 0, 3, ram, 2);
	b_bell(&w, 0, 2);
	B_MAP(&w, 0x40000000, 1);
	B_MAP(&w, 0x40000000, 1);
	b_bell(&w, 1, 1);
	B_MAP(&w, 0x40000000, 0x100000);
	b_bell(&w, 2, 1);
	B_QMAP(&w, 0);
	b_bell(&w, 3, 1);
	B_UNMAP(&w, 0);
	run_input(w.b, w.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		run_scenarios();
	else
		run_input(data, size);
	return 0;
}
