// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the window policy driven by an arbitrary stream of
 * map/unmap/reclaim operations (and injected host and allocation failures)
 * over a small DART.  Invariants checked after every step:
 *  - every live request translates, through the DART, to exactly its gpa;
 *  - no two host mappings overlap in bus space (the DART would have refused);
 *  - the policy's totals match the DART's, and never exceed the caps;
 *  - after unmapping everything and a reclaim, both are empty, and every
 *    allocation was freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcipass/dart.h"
#include "pcipass/dmawin.h"
#include "pcipass/proto.h"

#define LIVE_MAX 64
#define HANDLES  4096

struct host {
	struct pp_dart *dart;
	uint64_t bus_of[HANDLES];
	uint32_t next;
	unsigned int fail_maps;
	int fail_call;
	unsigned int fail_alloc_in;
	long outstanding;
};

static void *h_alloc(void *ctx, size_t size)
{
	struct host *h = ctx;

	if (h->fail_alloc_in && --h->fail_alloc_in == 0)
		return NULL;
	h->outstanding++;
	return malloc(size);
}

static void h_free(void *ctx, void *p)
{
	struct host *h = ctx;

	h->outstanding--;
	free(p);
}

static int h_exec(void *ctx, struct pp_host_op *ops, unsigned int n)
{
	struct host *h = ctx;
	unsigned int i, k;

	/* A whole call refused: only for calls without unmaps, whose loss
	 * would leave DART entries the policy no longer knows (a dead host). */
	for (i = 0; i < n && h->fail_call; i++)
		if (ops[i].op == PP_OP_UNMAP)
			break;
	if (h->fail_call && i == n) {
		h->fail_call = 0;
		return PP_ERR_HOST;
	}
	for (i = 0; i < n; i++) {
		struct pp_host_op *op = &ops[i];

		if (op->op == PP_OP_MAP) {
			if (h->fail_maps) {
				h->fail_maps--;
				op->status = PP_ERR_NOSPC;
				continue;
			}
			op->status = pp_dart_map(h->dart, op->gpa, op->len,
						 PP_DART_RW, &op->bus);
			if (op->status != PP_OK)
				continue;
			for (k = 0; k < HANDLES - 1; k++) {
				h->next = h->next % (HANDLES - 1) + 1;
				if (!h->bus_of[h->next])
					break;
			}
			if (h->bus_of[h->next])
				abort(); /* more live mappings than HANDLES */
			op->handle = h->next;
			h->bus_of[h->next] = op->bus;
		} else if (op->op == PP_OP_UNMAP) {
			if (!op->handle || op->handle >= HANDLES ||
			    !h->bus_of[op->handle])
				abort(); /* the policy unmapped what it never had */
			op->status = pp_dart_unmap(h->dart,
						   h->bus_of[op->handle]);
			if (op->status != PP_OK)
				abort();
			h->bus_of[op->handle] = 0;
		} else {
			abort();
		}
	}
	return PP_OK;
}

struct req {
	struct pp_win_seg seg;
	int live;
};

static void check(struct pp_win *w, struct host *h, struct req *r)
{
	struct pp_win_stats ws;
	struct pp_dart_stats ds;
	uint64_t host;
	int i;

	for (i = 0; i < LIVE_MAX; i++) {
		if (!r[i].live)
			continue;
		if (pp_dart_translate(h->dart, r[i].seg.dma, r[i].seg.len,
				      PP_DART_RW, &host) != PP_OK ||
		    host != r[i].seg.gpa)
			abort();
	}
	pp_win_get_stats(w, &ws);
	pp_dart_get_stats(h->dart, &ds);
	if (ws.mapped_entries != ds.live_entries ||
	    ws.mapped_bytes != ds.live_bytes)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host h;
	struct pp_dart_config dc;
	struct pp_win_config wc;
	struct pp_win_ops ops = { .ctx = &h, .alloc = h_alloc,
				  .free = h_free, .host = h_exec };
	struct req r[LIVE_MAX];
	struct pp_win *w;
	size_t pos = 0;
	int i;

	if (size < 2)
		return 0;
	memset(&h, 0, sizeof(h));
	memset(r, 0, sizeof(r));
	pp_dart_config_default(&dc);
	dc.cap_bytes = (uint64_t)(1 + (data[0] & 15)) << 20;
	dc.max_entries = 4 + (data[1] >> 2);
	dc.placement = data[1] % 3;
	dc.seed = data[0];
	dc.iova_size = 64ull << 20; /* small aperture: fast setup per input */
	h.dart = pp_dart_new(&dc);
	if (!h.dart)
		abort();
	switch (data[0] >> 6) {
	case 0:
		pp_win_config_strict(&wc, dc.cap_bytes, dc.max_entries);
		break;
	case 1:
		pp_win_config_reference(&wc, dc.cap_bytes, dc.max_entries);
		break;
	default:
		pp_win_config_pcipass(&wc, dc.cap_bytes, dc.max_entries);
		wc.max_batch = 1 + (data[1] & 7);
		break;
	}
	w = pp_win_create(&wc, &ops);
	if (!w)
		abort();
	pos = 2;
	while (pos + 4 <= size) {
		uint8_t op = data[pos], a = data[pos + 1];
		uint16_t b = (uint16_t)(data[pos + 2] | data[pos + 3] << 8);
		struct req *q = &r[a % LIVE_MAX];

		pos += 4;
		switch (op % 8) {
		case 0: case 1: case 2: case 3: {
			/* map: 8 MiB of guest space, lengths up to ~1 MiB */
			int n = 1 + (op >> 3) % 4, k, ret;
			struct pp_win_seg segs[4];
			int idx[4];

			for (k = 0; k < n; k++) {
				idx[k] = (a + k * 17) % LIVE_MAX;
				if (r[idx[k]].live)
					break;
				segs[k].gpa = 0x40000000ull +
					      ((uint64_t)(b + k * 977) % 2048) * 4096 +
					      (op & 0x80 ? (b & 0xfff) : 0);
				segs[k].len = op & 0x40 ? 4096 :
					      1 + ((uint64_t)b * 131 + k) % (1u << 20);
			}
			if (k < n)
				break;
			/* idx distinct for n <= 4 since 17 * 3 < LIVE_MAX */
			ret = pp_win_map(w, segs, (unsigned int)n, PP_MAP_RW);
			if (ret == PP_OK) {
				for (k = 0; k < n; k++) {
					r[idx[k]].seg = segs[k];
					r[idx[k]].live = 1;
				}
			} else if (ret != PP_ERR_NOSPC && ret != PP_ERR_TOOMANY &&
				   ret != PP_ERR_NOMEM && ret != PP_ERR_HOST &&
				   ret != PP_ERR_INVAL) {
				abort();
			}
			break;
		}
		case 4:
		case 5:
			if (q->live) {
				if (pp_win_unmap(w, &q->seg, 1) != PP_OK)
					abort();
				q->live = 0;
			} else {
				/* never mapped: must be refused, harmlessly */
				struct pp_win_seg bogus = { .dma = b * 4096ull,
							    .len = 4096 };
				uint64_t gpa;

				/* (inside a live mapping it would be a driver
				 * bug the policy cannot tell from a real one) */
				if (pp_win_dma_to_gpa(w, bogus.dma, &gpa) != PP_OK &&
				    pp_win_unmap(w, &bogus, 1) != PP_ERR_NOENT)
					abort();
			}
			break;
		case 6:
			pp_win_reclaim(w);
			break;
		case 7:
			if (b & 1)
				h.fail_maps = b % 5;
			else if (b & 2)
				h.fail_call = 1;
			else
				h.fail_alloc_in = 1 + b % 7;
			break;
		}
		h.fail_alloc_in = op % 8 == 7 ? h.fail_alloc_in : 0;
		check(w, &h, r);
	}
	h.fail_maps = 0;
	h.fail_call = 0;
	h.fail_alloc_in = 0;
	for (i = 0; i < LIVE_MAX; i++)
		if (r[i].live && pp_win_unmap(w, &r[i].seg, 1) != PP_OK)
			abort();
	pp_win_reclaim(w);
	{
		struct pp_dart_stats ds;

		pp_dart_get_stats(h.dart, &ds);
		if (ds.live_entries || ds.live_bytes)
			abort();
	}
	pp_win_destroy(w);
	if (h.outstanding)
		abort();
	pp_dart_free(h.dart);
	return 0;
}
