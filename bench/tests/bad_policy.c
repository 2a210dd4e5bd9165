/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A deliberately broken stand-in for the window policy (dmawin.h), linked
 * into a test build of bench/replay by bench/tests/run to prove that the
 * replay's checks catch a policy that is wrong.  BAD_POLICY selects the bug:
 *
 *   ok      exact 16 KiB-rounded mappings, correct (the control)
 *   offset  maps the right length at the wrong guest address (+16 KiB)
 *   early   each map also host-unmaps the previous request's mapping, so
 *           a request verified at map time is broken later
 *   leak    pp_win_destroy leaves everything mapped
 */
#include <stdlib.h>
#include <string.h>

#include <pcipass/dmawin.h>
#include <pcipass/proto.h>

struct pp_win {
	struct pp_win_ops ops;
	struct pp_win_stats st;
	int mode;
	uint32_t prev_handle;      /* "early": mapping to drop on the next map */
	struct ent { uint64_t dma_page, gpa_page, len; uint32_t handle; } *e;
	size_t n, cap;
};

static void fill(struct pp_win_config *c, uint64_t cap, uint32_t me)
{
	memset(c, 0, sizeof(*c));
	c->mode = PP_WIN_FIXED;
	c->min_shift = c->max_shift = 14;
	c->cap_bytes = cap;
	c->max_entries = me;
	c->max_batch = 1;
	c->max_map_len = UINT32_MAX & ~0x3fffu;
}

void pp_win_config_pcipass(struct pp_win_config *c, uint64_t cap, uint32_t me) { fill(c, cap, me); }
void pp_win_config_strict(struct pp_win_config *c, uint64_t cap, uint32_t me) { fill(c, cap, me); }
void pp_win_config_reference(struct pp_win_config *c, uint64_t cap, uint32_t me) { fill(c, cap, me); }

struct pp_win *pp_win_create(const struct pp_win_config *cfg, const struct pp_win_ops *ops)
{
	struct pp_win *w = calloc(1, sizeof(*w));
	const char *m = getenv("BAD_POLICY");

	(void)cfg;
	if (!w)
		return NULL;
	w->ops = *ops;
	w->mode = !m || !strcmp(m, "ok") ? 0 : !strcmp(m, "offset") ? 1
		: !strcmp(m, "early") ? 2 : !strcmp(m, "leak") ? 3 : 0;
	return w;
}

static int host1(struct pp_win *w, struct pp_host_op *o)
{
	int st = w->ops.host(w->ops.ctx, o, 1);

	w->st.host_calls++;
	return st != PP_OK ? st : o->status;
}

static void drop(struct pp_win *w, uint32_t handle)
{
	struct pp_host_op o = { .op = PP_OP_UNMAP, .handle = handle };

	host1(w, &o);
}

int pp_win_map(struct pp_win *w, struct pp_win_seg *segs, unsigned int n, uint32_t prot)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t lo = segs[i].gpa & ~0x3fffull;
		uint64_t hi = (segs[i].gpa + segs[i].len + 0x3fff) & ~0x3fffull;
		struct pp_host_op o = { .op = PP_OP_MAP, .prot = (uint8_t)prot,
					.len = (uint32_t)(hi - lo), .gpa = lo };
		int st;

		if (w->mode == 1)
			o.gpa += 0x4000;
		st = host1(w, &o);
		if (st != PP_OK)
			return st;
		if (w->mode == 2 && w->prev_handle)
			drop(w, w->prev_handle);
		w->prev_handle = o.handle;
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 1024;
			w->e = realloc(w->e, w->cap * sizeof(*w->e));
			if (!w->e)
				abort();
		}
		w->e[w->n++] = (struct ent){ o.bus, lo, hi - lo, o.handle };
		segs[i].dma = o.bus + (segs[i].gpa - lo);
	}
	return PP_OK;
}

static struct ent *find(const struct pp_win *w, uint64_t dma)
{
	for (size_t i = w->n; i-- > 0;)
		if (dma >= w->e[i].dma_page && dma < w->e[i].dma_page + w->e[i].len)
			return &w->e[i];
	return NULL;
}

int pp_win_unmap(struct pp_win *w, const struct pp_win_seg *segs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct ent *e = find(w, segs[i].dma);
		if (!e)
			return PP_ERR_NOENT;
		drop(w, e->handle);
		*e = w->e[--w->n];
	}
	return PP_OK;
}

int pp_win_dma_to_gpa(const struct pp_win *w, uint64_t dma, uint64_t *gpa)
{
	const struct ent *e = find(w, dma);

	if (!e)
		return PP_ERR_NOENT;
	*gpa = e->gpa_page + (dma - e->dma_page);
	return PP_OK;
}

unsigned int pp_win_reclaim(struct pp_win *w) { (void)w; return 0; }

void pp_win_destroy(struct pp_win *w)
{
	if (w->mode != 3)
		while (w->n)
			drop(w, w->e[--w->n].handle);
	free(w->e);
	free(w);
}

void pp_win_get_stats(const struct pp_win *w, struct pp_win_stats *st) { *st = w->st; }

void pp_win_walk(const struct pp_win *w, pp_win_walk_fn fn, void *arg)
{
	(void)w; (void)fn; (void)arg;
}
