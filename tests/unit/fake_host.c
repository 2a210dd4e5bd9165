// SPDX-License-Identifier: GPL-2.0-or-later
#include "fake_host.h"

#include <stdlib.h>
#include <string.h>

#include "pcipass/proto.h"

static void *fake_alloc(void *ctx, size_t size)
{
	struct fake_host *h = ctx;

	if (h->alloc_fail_in > 0 && --h->alloc_fail_in == 0)
		return NULL;
	h->allocs++;
	return malloc(size);
}

static void fake_free(void *ctx, void *p)
{
	struct fake_host *h = ctx;

	h->frees++;
	free(p);
}

static uint32_t new_handle(struct fake_host *h)
{
	uint32_t i;

	for (i = 0; i < FAKE_MAX_HANDLES - 1; i++) {
		h->next_handle = h->next_handle % (FAKE_MAX_HANDLES - 1) + 1;
		if (!h->bus_of[h->next_handle])
			return h->next_handle;
	}
	return 0;
}

static int fake_exec(void *ctx, struct pp_host_op *ops, unsigned int n)
{
	struct fake_host *h = ctx;
	unsigned int i;

	h->calls++;
	if (n > h->max_ops)
		h->max_ops = n;
	if (h->fail_call_status) {
		int st = h->fail_call_status;

		h->fail_call_status = 0;
		return st;
	}
	for (i = 0; i < n; i++) {
		struct pp_host_op *op = &ops[i];

		if (op->op == PP_OP_MAP) {
			h->maps++;
			if (h->fail_maps) {
				h->fail_maps--;
				op->status = h->fail_maps_status;
				continue;
			}
			op->status = pp_dart_map(h->dart, op->gpa, op->len,
						 PP_DART_RW, &op->bus);
			if (op->status == PP_OK) {
				op->handle = new_handle(h);
				h->bus_of[op->handle] = op->bus;
			}
		} else if (op->op == PP_OP_UNMAP) {
			h->unmaps++;
			if (!op->handle || op->handle >= FAKE_MAX_HANDLES ||
			    !h->bus_of[op->handle]) {
				h->bad_unmaps++;
				op->status = PP_ERR_NOENT;
				continue;
			}
			op->status = pp_dart_unmap(h->dart,
						   h->bus_of[op->handle]);
			h->bus_of[op->handle] = 0;
		} else {
			op->status = PP_ERR_BADOP;
		}
	}
	return PP_OK;
}

void fake_host_init(struct fake_host *h, const struct pp_dart_config *cfg)
{
	struct pp_dart_config def;

	memset(h, 0, sizeof(*h));
	if (!cfg) {
		pp_dart_config_default(&def);
		cfg = &def;
	}
	h->dart = pp_dart_new(cfg);
	h->bus_of = calloc(FAKE_MAX_HANDLES, sizeof(*h->bus_of));
	h->ops = (struct pp_win_ops){ .ctx = h, .alloc = fake_alloc,
				      .free = fake_free, .host = fake_exec };
}

void fake_host_fini(struct fake_host *h)
{
	pp_dart_free(h->dart);
	free(h->bus_of);
}
