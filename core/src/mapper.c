// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device side of the wire protocol (core/include/pcipass/mapper.h):
 * validates each command with proto.h's validators, executes it against a
 * host DMA backend and keeps the mappings it created in a handle table.
 *
 * Execution model (docs/protocol.md):
 *
 *  - A command whose GPA or header is refused is not executed at all; the
 *    header status says why and completed stays 0.
 *  - An accepted command runs every entry in order.  Each entry gets its own
 *    status; a refused or failed entry does not stop the ones after it, so
 *    completed == count and the header status is PP_OK.
 *  - Consecutive MAP entries go to the backend in one call (the dext's user
 *    client is batch-shaped).  Any other valid op ends the batch first, so
 *    an UNMAP frees its space before a later MAP asks for it and a QUERY
 *    sees every earlier entry done.  Entries refused by validation have no
 *    effect and do not end a batch.
 *  - A MAP maps [addr, addr + len) read/write unless PP_FEAT_PERM was
 *    negotiated, in which case exactly the PP_MAP_* flags given.
 *
 * No allocation after pp_mapper_new: mapping records come from a pool
 * sized like the handle table, so the MMIO path never mallocs.
 */
#include <stdlib.h>
#include <string.h>

#include "pcipass/handles.h"
#include "pcipass/mapper.h"

#define PP_MAPPER_NIL UINT32_MAX
#define PP_RESET_CHUNK 256

struct pp_mapping {
	uint64_t gpa;
	uint64_t bus;
	uint32_t len;
	uint32_t next_free; /* pool free list while unused */
	uint32_t handle;    /* 0 while unused */
};

struct pp_mapper {
	struct pp_proto_limits lim;
	struct pp_mapper_backend be;
	struct pp_handles *handles;
	uint32_t max_handles;

	struct pp_mapping *pool;
	uint32_t free_head;

	/* Scratch for one backend batch (max_batch entries). */
	uint32_t batch_max;
	struct pp_dma_req *reqs;
	uint32_t *req_ent;   /* entry index of each pending request */
	uint32_t nreq;

	struct pp_mapper_stats st;
};

static uint32_t pp_mapper_batch_limit(const struct pp_proto_limits *lim)
{
	if (!lim->max_batch)
		return 1;
	return lim->max_batch < PP_MAX_BATCH_LIMIT ? lim->max_batch
						   : PP_MAX_BATCH_LIMIT;
}

struct pp_mapper *pp_mapper_new(const struct pp_proto_limits *lim,
				uint32_t max_handles,
				const struct pp_mapper_backend *be)
{
	struct pp_mapper *m;
	uint32_t i;

	if (!lim || !be || !be->map || !be->unmap || !be->usage)
		return NULL;
	if (!max_handles || max_handles > PP_HANDLES_MAX_CAPACITY)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->lim = *lim;
	m->lim.features &= PP_FEAT_ALL;
	m->be = *be;
	m->max_handles = max_handles;
	m->batch_max = pp_mapper_batch_limit(lim);
	m->handles = pp_handles_new(max_handles);
	m->pool = calloc(max_handles, sizeof(*m->pool));
	m->reqs = calloc(m->batch_max, sizeof(*m->reqs));
	m->req_ent = calloc(m->batch_max, sizeof(*m->req_ent));
	if (!m->handles || !m->pool || !m->reqs || !m->req_ent) {
		pp_handles_free(m->handles);
		free(m->pool);
		free(m->reqs);
		free(m->req_ent);
		free(m);
		return NULL;
	}
	for (i = 0; i < max_handles; i++)
		m->pool[i].next_free = i + 1 < max_handles ? i + 1 : PP_MAPPER_NIL;
	m->free_head = 0;
	return m;
}

void pp_mapper_free(struct pp_mapper *m)
{
	if (!m)
		return;
	pp_mapper_reset(m);
	pp_handles_free(m->handles);
	free(m->pool);
	free(m->reqs);
	free(m->req_ent);
	free(m);
}

void pp_mapper_set_ram(struct pp_mapper *m, const struct pp_ram_range *ram,
		       unsigned int nr_ram)
{
	m->lim.ram = ram;
	m->lim.nr_ram = ram ? nr_ram : 0;
}

void pp_mapper_set_features(struct pp_mapper *m, uint32_t features)
{
	m->lim.features = features & PP_FEAT_ALL;
}

/* ---- bookkeeping ---------------------------------------------------------- */

static void pp_mapper_refuse(struct pp_mapper *m, int st)
{
	m->st.last_status = (uint32_t)st;
}

static struct pp_mapping *pp_mapping_get(struct pp_mapper *m)
{
	struct pp_mapping *r;

	if (m->free_head == PP_MAPPER_NIL)
		return NULL;
	r = &m->pool[m->free_head];
	m->free_head = r->next_free;
	r->next_free = PP_MAPPER_NIL;
	return r;
}

static void pp_mapping_put(struct pp_mapper *m, struct pp_mapping *r)
{
	r->handle = 0;
	r->gpa = r->bus = 0;
	r->len = 0;
	r->next_free = m->free_head;
	m->free_head = (uint32_t)(r - m->pool);
}

static void pp_mapper_account_map(struct pp_mapper *m, uint32_t len)
{
	m->st.maps++;
	m->st.live_mappings++;
	m->st.live_bytes += len;
	if (m->st.live_mappings > m->st.peak_mappings)
		m->st.peak_mappings = m->st.live_mappings;
	if (m->st.live_bytes > m->st.peak_bytes)
		m->st.peak_bytes = m->st.live_bytes;
}

static void pp_mapper_account_unmap(struct pp_mapper *m, uint32_t len)
{
	m->st.live_mappings--;
	m->st.live_bytes -= len;
}

/* Drops a live mapping from the table (the host side is already gone). */
static void pp_mapper_forget(struct pp_mapper *m, struct pp_mapping *r)
{
	pp_handles_release(m->handles, r->handle);
	pp_mapper_account_unmap(m, r->len);
	pp_mapping_put(m, r);
}

/* ---- header ---------------------------------------------------------------- */

int pp_mapper_check_gpa(struct pp_mapper *m, uint64_t gpa)
{
	int st = pp_check_cmd_gpa(&m->lim, gpa);

	if (st != PP_OK) {
		m->st.refused_commands++;
		pp_mapper_refuse(m, st);
	}
	return st;
}

int pp_mapper_check_header(struct pp_mapper *m, uint64_t gpa,
			   const struct pp_cmd_header *hdr_le,
			   uint32_t *count)
{
	struct pp_cmd_header h;
	int st;

	if (count)
		*count = 0;
	if (!hdr_le) {
		st = PP_ERR_INVAL;
		goto refused;
	}
	st = pp_check_cmd_gpa(&m->lim, gpa);
	if (st != PP_OK)
		goto refused;
	pp_cmd_header_from_le(&h, hdr_le);
	st = pp_check_header(&m->lim, gpa, &h);
	if (st != PP_OK)
		goto refused;
	if (count)
		*count = h.count;
	return PP_OK;
refused:
	m->st.refused_commands++;
	pp_mapper_refuse(m, st);
	return st;
}

/* ---- execution --------------------------------------------------------------- */

/*
 * Out fields of a failed entry whose op was recognised are written as 0
 * (docs/protocol.md section 6); a BADOP entry keeps everything but status.
 */
static void pp_entry_clear_outs(struct pp_cmd_entry *e, int st)
{
	if (st == PP_ERR_BADOP)
		return;
	switch (e->op) {
	case PP_OP_MAP:
		e->handle = 0;
		e->bus = 0;
		break;
	case PP_OP_QUERY:
		if (e->flags == PP_QUERY_MAPPING) {
			e->addr = 0;
			e->len = 0;
			e->bus = 0;
		} else if (e->flags == PP_QUERY_USAGE) {
			e->addr = 0;
			e->len = 0;
			e->handle = 0;
			e->bus = 0;
		}
		break;
	default:
		break;
	}
}

static void pp_entry_store(struct pp_cmd_entry *dst_le,
			   const struct pp_cmd_entry *e)
{
	pp_cmd_entry_to_le(dst_le, e);
}

/* Sends the pending MAP entries to the backend in one call. */
static void pp_mapper_flush(struct pp_mapper *m, struct pp_cmd_entry *ents_le)
{
	uint32_t n = m->nreq, room, i;
	int st = PP_OK;

	if (!n)
		return;
	m->nreq = 0;

	/* Entries past the free handles fail without bothering the host. */
	room = m->max_handles - pp_handles_live(m->handles);
	if (room < n) {
		for (i = room; i < n; i++)
			m->reqs[i].status = PP_ERR_TOOMANY;
	}
	if (room) {
		uint32_t k = room < n ? room : n;

		for (i = 0; i < k; i++) {
			m->reqs[i].status = PP_ERR_HOST;
			m->reqs[i].bus = 0;
		}
		st = m->be.map(m->be.ctx, m->reqs, k);
		if (st != PP_OK) {
			for (i = 0; i < k; i++)
				m->reqs[i].status = st;
		}
	}

	for (i = 0; i < n; i++) {
		struct pp_dma_req *q = &m->reqs[i];
		struct pp_cmd_entry e;
		struct pp_mapping *r = NULL;
		uint32_t h = 0;
		int est = q->status;

		pp_cmd_entry_from_le(&e, &ents_le[m->req_ent[i]]);
		e.bus = 0;
		e.handle = 0;
		if (est == PP_OK) {
			r = pp_mapping_get(m);
			if (r)
				h = pp_handles_alloc(m->handles, r);
			if (!h) {
				/* Cannot hand out an id: undo the host map. */
				int32_t ust = PP_ERR_HOST;
				uint64_t bus = q->bus;

				m->be.unmap(m->be.ctx, &bus, &ust, 1);
				if (r)
					pp_mapping_put(m, r);
				est = PP_ERR_TOOMANY;
			} else {
				r->handle = h;
				r->gpa = q->addr;
				r->len = (uint32_t)q->len;
				r->bus = q->bus;
				e.bus = q->bus;
				e.handle = h;
				pp_mapper_account_map(m, r->len);
			}
		}
		if (est != PP_OK) {
			m->st.map_failures++;
			pp_mapper_refuse(m, est);
		}
		e.status = (uint32_t)est;
		pp_entry_store(&ents_le[m->req_ent[i]], &e);
	}
}

static int pp_mapper_do_unmap(struct pp_mapper *m, uint32_t handle)
{
	struct pp_mapping *r = pp_handles_lookup(m->handles, handle);
	uint64_t bus;
	int32_t st = PP_ERR_HOST;
	int rc;

	if (!r)
		return PP_ERR_NOENT;
	bus = r->bus;
	rc = m->be.unmap(m->be.ctx, &bus, &st, 1);
	if (rc != PP_OK)
		st = rc;
	/*
	 * The handle goes whatever the host said (docs/protocol.md, UNMAP):
	 * a host that failed to unmap cannot be helped by a retry, and the
	 * guest must never be able to unmap the same id twice.
	 */
	pp_mapper_forget(m, r);
	if (st == PP_OK) {
		m->st.unmaps++;
	} else {
		m->st.unmap_failures++;
		st = PP_ERR_HOST;
	}
	return st;
}

static int pp_mapper_do_query(struct pp_mapper *m, struct pp_cmd_entry *e)
{
	struct pp_mapping *r;
	uint64_t lb = 0, le = 0, cb = 0, ce = 0;

	switch (e->flags) {
	case PP_QUERY_MAPPING:
		r = pp_handles_lookup(m->handles, e->handle);
		if (!r)
			return PP_ERR_NOENT;
		e->addr = r->gpa;
		e->len = r->len;
		e->bus = r->bus;
		return PP_OK;
	case PP_QUERY_USAGE:
		m->be.usage(m->be.ctx, &lb, &le, &cb, &ce);
		e->addr = lb;
		e->len = le > UINT32_MAX ? UINT32_MAX : (uint32_t)le;
		e->bus = cb;
		e->handle = ce > UINT32_MAX ? UINT32_MAX : (uint32_t)ce;
		return PP_OK;
	default:
		return PP_ERR_BADOP; /* the validator already refused it */
	}
}

int pp_mapper_exec(struct pp_mapper *m, struct pp_cmd_header *hdr_le,
		   struct pp_cmd_entry *ents_le, uint32_t count)
{
	struct pp_cmd_header h;
	uint32_t i;
	int st;

	if (!hdr_le)
		return PP_ERR_INVAL;
	pp_cmd_header_from_le(&h, hdr_le);
	h.completed = 0;

	/* The caller read count entries for this very header; anything else
	 * is a caller bug, refused rather than trusted. */
	if (!ents_le || !count || count != h.count || count > m->batch_max ||
	    (count > 1 && !(m->lim.features & PP_FEAT_BATCH))) {
		st = PP_ERR_COUNT;
		m->st.refused_commands++;
		pp_mapper_refuse(m, st);
		goto out;
	}

	m->st.commands++;
	m->nreq = 0;
	for (i = 0; i < count; i++) {
		struct pp_cmd_entry e;
		int est;

		pp_cmd_entry_from_le(&e, &ents_le[i]);
		m->st.entries++;
		est = pp_check_entry(&m->lim, &e);
		if (est != PP_OK) {
			m->st.refused_entries++;
			pp_mapper_refuse(m, est);
			pp_entry_clear_outs(&e, est);
			e.status = (uint32_t)est;
			pp_entry_store(&ents_le[i], &e);
			continue;
		}
		if (e.op == PP_OP_MAP) {
			struct pp_dma_req *q = &m->reqs[m->nreq];

			q->addr = e.addr;
			q->len = e.len;
			q->prot = (m->lim.features & PP_FEAT_PERM) ?
				  (uint32_t)(e.flags & PP_MAP_RW) : PP_MAP_RW;
			q->status = PP_OK;
			q->bus = 0;
			m->req_ent[m->nreq++] = i;
			continue;
		}

		/* Anything else sees every earlier entry done. */
		pp_mapper_flush(m, ents_le);
		switch (e.op) {
		case PP_OP_UNMAP:
			est = pp_mapper_do_unmap(m, e.handle);
			break;
		case PP_OP_QUERY:
			m->st.queries++;
			est = pp_mapper_do_query(m, &e);
			break;
		default:
			est = PP_ERR_BADOP;
			break;
		}
		if (est != PP_OK) {
			pp_mapper_refuse(m, est);
			pp_entry_clear_outs(&e, est);
		}
		e.status = (uint32_t)est;
		pp_entry_store(&ents_le[i], &e);
	}
	pp_mapper_flush(m, ents_le);
	h.completed = count;
	st = PP_OK;
out:
	h.status = (uint32_t)st;
	pp_cmd_header_to_le(hdr_le, &h);
	return st;
}

void pp_mapper_reset(struct pp_mapper *m)
{
	uint64_t bus[PP_RESET_CHUNK];
	int32_t status[PP_RESET_CHUNK];
	struct pp_mapping *recs[PP_RESET_CHUNK];
	unsigned int n, i;

	if (!m)
		return;
	/*
	 * Chunks of the live set, one backend call each.  Records go whatever
	 * the host says: after a reset the guest owns nothing.
	 */
	for (;;) {
		uint32_t cur = 0, h;
		void *obj;

		n = 0;
		while (n < PP_RESET_CHUNK &&
		       (h = pp_handles_next(m->handles, &cur, &obj))) {
			recs[n] = obj;
			bus[n] = recs[n]->bus;
			status[n] = PP_ERR_HOST;
			n++;
		}
		if (!n)
			break;
		if (m->be.unmap(m->be.ctx, bus, status, n) == PP_OK) {
			for (i = 0; i < n; i++)
				if (status[i] == PP_OK)
					m->st.unmaps++;
		}
		for (i = 0; i < n; i++)
			pp_mapper_forget(m, recs[i]);
	}
	m->nreq = 0;
}

void pp_mapper_get_stats(const struct pp_mapper *m, struct pp_mapper_stats *st)
{
	*st = m->st;
}

void pp_mapper_walk(const struct pp_mapper *m,
		    int (*fn)(void *arg, uint32_t handle, uint64_t gpa,
			      uint64_t len, uint64_t bus),
		    void *arg)
{
	uint32_t cur = 0, h;
	void *obj;

	while ((h = pp_handles_next(m->handles, &cur, &obj))) {
		const struct pp_mapping *r = obj;

		if (fn(arg, h, r->gpa, r->len, r->bus))
			break;
	}
}
