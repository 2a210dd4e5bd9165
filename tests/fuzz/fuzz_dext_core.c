// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the dext core's user-client entry point
 * (pp_dext_dispatch, pp_dext_map_type, pp_dext_irq_raise,
 * pp_dext_device_gone, client open/close) on the fake platform.
 *
 * The input configures the device (limits, class, capabilities) and then
 * runs a sequence of steps: raw dispatches with arbitrary selector, scalar
 * counts and values, structure bytes and sizes, output capacities and
 * completion tokens; shaped DMA maps and unmaps of live and stale
 * addresses; interrupts; mask/arm/take; claims, releases, client closes;
 * unplug; and platform misbehaviour (split/short preparations, failures,
 * a DART returning a live range, CompleteDMA errors, allocation failures,
 * config-space failures).  Checked after every step:
 *
 *   - the lock is free and was used correctly; no allocation was freed
 *     with a wrong size; no preparation was completed twice;
 *   - a failed call reports no output, a successful one exactly the
 *     table's output shape, and nothing is written past the caller's
 *     buffers (canaries, and ASan);
 *   - every status is a known pp_status, per call and per entry;
 *   - the owner's registrations are ordered by bus address, never
 *     overlap, each is backed by a live preparation of the fake DART that
 *     maps it contiguously, and their number and accounted bytes equal
 *     DMA_USAGE's and stay within the caps; without an owner (or after
 *     unplug) no preparation is live;
 *   - a successful map result is contiguous, non-empty and no longer
 *     than asked (exactly as asked without PARTIAL);
 *   - every wait token the core accepted is completed exactly once, a
 *     refused one never, and at most one is armed;
 *   - after unplug the core makes no device call;
 *   - at the end, with every client closed and the device freed, nothing
 *     is left: no memory, no preparation, no armed token.
 *
 * Run: make fuzz && build/fuzz/fuzz_dext_core -max_total_time=60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dext_core.h"
#include "fakepf.h"

#define CHECK(c)                                                          \
	do {                                                              \
		if (!(c)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",      \
				__FILE__, __LINE__, #c);                  \
			abort();                                          \
		}                                                         \
	} while (0)

/* ---- input ---- */

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static uint64_t uN(struct in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)u8(in) << (8 * i);
	return v;
}

/* A 64-bit value biased toward the interesting ones. */
static uint64_t val(struct in *in)
{
	static const uint64_t special[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 255, 256, 257, 4095, 4096,
		16383, 16384, 0xffff, 0x10000, 0x7fffffff, 0xffffffffull,
		0x100000000ull, UINT64_MAX, UINT64_MAX - 1, 1ull << 63,
		PP_DEXT_ABI_VERSION,
	};
	uint8_t k = u8(in);

	if (k < 128)
		return special[k % (sizeof(special) / sizeof(special[0]))];
	if (k < 192)
		return uN(in, 2);
	return uN(in, 8);
}

/* ---- tokens ---- */

#define NTOK 64
enum { TOK_FREE, TOK_ARMED, TOK_DONE };

struct world {
	struct pp_fake f;
	struct pp_dext_dev *d;
	struct pp_dext_client *c[2];
	uint8_t tok_state[NTOK];
	unsigned int next_tok;
	unsigned int armed;           /* tokens accepted, not completed */
	bool gone;
	unsigned int calls_at_gone;
};

static char tok_pool[NTOK];

static void on_complete(struct pp_fake *f, void *token, uint32_t ioret,
			const uint64_t *args)
{
	struct world *w = f->on_complete_arg;
	ptrdiff_t i = (char *)token - tok_pool;

	CHECK(i >= 0 && i < NTOK);
	CHECK(w->tok_state[i] == TOK_ARMED);
	CHECK(ioret == PP_DEXT_IORET_SUCCESS || ioret == PP_DEXT_IORET_ABORTED);
	if (ioret == PP_DEXT_IORET_ABORTED)
		CHECK(args[0] == 0);
	else
		CHECK(!(args[0] & ~(uint64_t)(PP_DEXT_WAKE_IRQ |
					      PP_DEXT_WAKE_EVENT)));
	w->tok_state[i] = TOK_DONE;
	CHECK(w->armed > 0);
	w->armed--;
}

/* A fresh token (NULL when the pool is used up). */
static void *new_token(struct world *w)
{
	if (w->next_tok >= NTOK)
		return NULL;
	return &tok_pool[w->next_tok++];
}

/* ---- invariants ---- */

struct walk {
	struct world *w;
	uint64_t prev_end, count, bytes;
	bool first;
};

static int check_reg(void *arg, uint64_t bus, uint64_t addr, uint64_t len,
		     uint32_t handle)
{
	struct walk *k = arg;
	uint64_t a = 0;

	CHECK(len > 0 && handle != 0);
	CHECK(bus + len - 1 >= bus);
	CHECK(k->first || bus >= k->prev_end);
	CHECK(pp_fake_covers(&k->w->f, bus, len, &a));
	CHECK(a == addr);
	k->first = false;
	k->prev_end = bus + len;
	k->count++;
	k->bytes += ((addr & (PP_DEXT_PAGE_SIZE - 1)) + len +
		     PP_DEXT_PAGE_SIZE - 1) & ~(uint64_t)(PP_DEXT_PAGE_SIZE - 1);
	return 0;
}

static struct pp_dext_client *owner(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		struct pp_dext_info inf;
		struct pp_dext_args a = {
			.struct_out = &inf,
			.struct_out_size = sizeof(inf),
		};

		if (!w->c[i])
			continue;
		CHECK(pp_dext_dispatch(w->c[i], PP_DEXT_SEL_INFO, &a) == PP_OK);
		CHECK(inf.abi_version == PP_DEXT_ABI_VERSION);
		CHECK(!!(inf.state & PP_DEXT_STATE_GONE) == w->gone);
		if (inf.state & PP_DEXT_STATE_MINE) {
			CHECK(inf.state & PP_DEXT_STATE_CLAIMED);
			return w->c[i];
		}
	}
	return NULL;
}

static void check_world(struct world *w)
{
	struct pp_dext_client *o;
	struct walk k = { .w = w, .first = true };

	CHECK(atomic_load(&w->f.lock_depth) == 0);
	CHECK(w->f.lock_errors == 0);
	CHECK(w->f.mem_errors == 0);
	CHECK(w->f.complete_errors == 0);
	CHECK(w->armed <= 1);
	if (w->gone)
		CHECK(w->f.device_calls == w->calls_at_gone);
	o = owner(w);
	if (!o || w->gone) {
		CHECK(w->f.live_preps == 0);
		return;
	}
	pp_dext_walk_regs(o, check_reg, &k);
	CHECK(k.count == w->f.live_preps);
	{
		struct pp_dext_dma_usage u;
		struct pp_dext_args a = {
			.struct_out = &u, .struct_out_size = sizeof(u),
		};

		CHECK(pp_dext_dispatch(o, PP_DEXT_SEL_DMA_USAGE, &a) == PP_OK);
		CHECK(u.live_entries == k.count);
		CHECK(u.live_bytes == k.bytes);
		CHECK(u.live_bytes <= u.cap_bytes);
		CHECK(u.live_entries <= u.max_entries);
		CHECK(u.peak_entries >= u.live_entries);
		CHECK(u.peak_bytes >= u.live_bytes);
	}
	CHECK(pp_dext_client_mem(o) <=
	      pp_dext_client_mem_bound(&(struct pp_dext_config){
		      .cap_bytes = 1, .max_entries = 64, .max_map_len = 1 }));
}

/* ---- steps ---- */

#define CANARY 0xa5

static int dispatch_checked(struct world *w, struct pp_dext_client *c,
			    uint32_t sel, struct pp_dext_args *a)
{
	size_t cap_out = a->struct_out_size;
	uint32_t cap_sout = a->scalar_out_count;
	int st;

	(void)w;
	st = pp_dext_dispatch(c, sel, a);
	CHECK(st >= 0 && st < PP_STATUS_COUNT);
	if (st != PP_OK) {
		CHECK(a->scalar_out_count == 0 && a->struct_out_size == 0);
	} else {
		CHECK(sel < PP_DEXT_SEL_COUNT);
		CHECK(a->scalar_out_count == pp_dext_methods[sel].scalar_out);
		CHECK(a->scalar_out_count == cap_sout);
		CHECK(a->struct_out_size == cap_out);
	}
	return st;
}

/* on_complete may run inside dispatch, before the token is marked armed:
 * mark tokens armed before the call and undo it when refused. */
static int dispatch_tok(struct world *w, struct pp_dext_client *c,
			uint32_t sel, struct pp_dext_args *a)
{
	void *tok = a->completion;
	ptrdiff_t i = tok ? (char *)tok - tok_pool : -1;
	int st;

	if (tok) {
		w->tok_state[i] = TOK_ARMED;
		w->armed++;
	}
	st = dispatch_checked(w, c, sel, a);
	if (tok && (st != PP_OK || sel != PP_DEXT_SEL_IRQ_WAIT)) {
		CHECK(w->tok_state[i] == TOK_ARMED);   /* never completed */
		w->tok_state[i] = TOK_FREE;
		w->armed--;
	}
	return st;
}

static void step_raw(struct world *w, struct in *in)
{
	uint64_t sin[20], sout[20];
	uint8_t bin[PP_DEXT_INLINE_MAX + 16], bout[PP_DEXT_INLINE_MAX + 16];
	struct pp_dext_client *c = w->c[u8(in) & 1];
	uint8_t k = u8(in);
	uint32_t sel;
	struct pp_dext_args a;
	size_t insz, outsz;
	bool shaped;

	if (!c)
		return;
	sel = k < 240 ? k % (PP_DEXT_SEL_COUNT + 2) : (uint32_t)uN(in, 4);
	memset(&a, 0, sizeof(a));
	shaped = u8(in) < 192 && sel < PP_DEXT_SEL_COUNT;
	a.scalar_in_count = shaped ? pp_dext_methods[sel].scalar_in :
			    u8(in) % 18u;
	for (unsigned int i = 0; i < a.scalar_in_count; i++)
		sin[i] = val(in);
	a.scalar_in = (u8(in) & 7) ? sin : NULL;
	k = u8(in);
	if (k < 200 && sel < PP_DEXT_SEL_COUNT &&
	    pp_dext_methods[sel].struct_in == PP_DEXT_VAR && a.scalar_in_count)
		insz = (size_t)(sin[0] % 300) * pp_dext_methods[sel].entry_in +
		       (k & 1);
	else
		insz = (size_t)uN(in, 2) % (PP_DEXT_INLINE_MAX + 8);
	if (insz > sizeof(bin))
		insz = sizeof(bin);
	for (size_t i = 0; i < insz; i++)
		bin[i] = u8(in);
	a.struct_in = insz || (k & 2) ? bin : NULL;
	a.struct_in_size = insz;
	a.scalar_out_count = shaped ? pp_dext_methods[sel].scalar_out :
			     u8(in) % 18u;
	a.scalar_out = (u8(in) & 7) ? sout : NULL;
	k = u8(in);
	if (k < 200 && sel < PP_DEXT_SEL_COUNT) {
		const struct pp_dext_method *m = &pp_dext_methods[sel];

		outsz = m->struct_out == PP_DEXT_VAR ?
			(a.scalar_in_count ? (size_t)(sin[0] % 300) *
					     m->entry_out : 0) :
			m->struct_out;
		if (k & 1)
			outsz += 1;
	} else {
		outsz = (size_t)uN(in, 2) % (PP_DEXT_INLINE_MAX + 8);
	}
	if (outsz > PP_DEXT_INLINE_MAX)
		outsz = PP_DEXT_INLINE_MAX;
	memset(bout, CANARY, sizeof(bout));
	memset(sout, CANARY, sizeof(sout));
	a.struct_out = (outsz || (k & 2)) ? bout : NULL;
	a.struct_out_size = outsz;
	if (u8(in) & 1)
		a.completion = new_token(w);
	dispatch_tok(w, c, sel, &a);
	for (size_t i = outsz; i < sizeof(bout); i++)
		CHECK(bout[i] == CANARY);
	for (size_t i = a.scalar_out_count; i < 20; i++)
		CHECK(sout[i] == 0xa5a5a5a5a5a5a5a5ull);
}

static void step_map(struct world *w, struct in *in)
{
	struct pp_dext_map_in mi[8];
	struct pp_dext_map_out mo[8];
	struct pp_dext_client *c = w->c[u8(in) & 1];
	unsigned int n = 1 + u8(in) % 8;
	uint64_t cnt = n;
	struct pp_dext_args a;
	int st;

	if (!c)
		return;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t k = u8(in);

		mi[i].addr = 0x10000000ull + uN(in, 3) * 256;
		mi[i].len = 1 + uN(in, 2) * ((k & 0x40) ? 4096 : 16);
		mi[i].prot = (k & 3) ? (k & 3) : PP_DEXT_PROT_RW;
		mi[i].flags = (k >> 2) & 1;
		mi[i].reserved = 0;
		if (k == 0xff) {         /* something odd */
			mi[i].addr = val(in);
			mi[i].len = val(in);
			mi[i].prot = (uint32_t)val(in);
			mi[i].flags = (uint32_t)val(in);
			mi[i].reserved = val(in);
		}
	}
	memset(&a, 0, sizeof(a));
	a.scalar_in = &cnt;
	a.scalar_in_count = 1;
	a.struct_in = mi;
	a.struct_in_size = n * sizeof(mi[0]);
	a.struct_out = mo;
	a.struct_out_size = n * sizeof(mo[0]);
	st = dispatch_checked(w, c, PP_DEXT_SEL_DMA_MAP, &a);
	if (st != PP_OK)
		return;
	for (unsigned int i = 0; i < n; i++) {
		CHECK(mo[i].status >= 0 && mo[i].status < PP_STATUS_COUNT);
		CHECK(mo[i].reserved == 0);
		if (mo[i].status != PP_OK) {
			CHECK(mo[i].handle == 0 && mo[i].bus == 0);
			if (mo[i].status != PP_ERR_SPLIT)
				CHECK(mo[i].len == 0);
			continue;
		}
		CHECK(mo[i].handle != 0);
		CHECK(mo[i].len > 0 && mo[i].len <= mi[i].len);
		if (!(mi[i].flags & PP_DEXT_MAP_F_PARTIAL))
			CHECK(mo[i].len == mi[i].len);
		CHECK(mo[i].nseg >= 1 && mo[i].nseg <= PP_DEXT_MAX_SEGMENTS);
		/* Contiguous and live right now unless a later entry of the
		 * same batch could not have removed it (maps never unmap). */
		CHECK(pp_fake_covers(&w->f, mo[i].bus, mo[i].len, NULL));
	}
}

struct pick {
	unsigned int want, seen;
	uint64_t bus;
	uint32_t handle;
};

static int pick_reg(void *arg, uint64_t bus, uint64_t addr, uint64_t len,
		    uint32_t handle)
{
	struct pick *p = arg;

	(void)addr;
	(void)len;
	if (p->seen++ == p->want) {
		p->bus = bus;
		p->handle = handle;
		return 1;
	}
	return 0;
}

static void step_unmap(struct world *w, struct in *in)
{
	struct pp_dext_unmap_in ui[8];
	int32_t us[8];
	struct pp_dext_client *c = w->c[u8(in) & 1];
	unsigned int n = 1 + u8(in) % 8;
	uint64_t cnt = n;
	struct pp_dext_args a;

	if (!c)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct pick p = { .want = u8(in) };
		uint8_t k = u8(in);

		pp_dext_walk_regs(c, pick_reg, &p);
		ui[i].bus = p.bus + ((k & 1) ? val(in) : 0);
		ui[i].handle = (k & 2) ? 0 : p.handle + ((k & 4) ? 1 : 0);
		ui[i].reserved = (k & 8) ? (uint32_t)val(in) : 0;
	}
	memset(&a, 0, sizeof(a));
	a.scalar_in = &cnt;
	a.scalar_in_count = 1;
	a.struct_in = ui;
	a.struct_in_size = n * sizeof(ui[0]);
	a.struct_out = us;
	a.struct_out_size = n * sizeof(us[0]);
	if (dispatch_checked(w, c, PP_DEXT_SEL_DMA_UNMAP, &a) == PP_OK)
		for (unsigned int i = 0; i < n; i++)
			CHECK(us[i] >= 0 && us[i] < PP_STATUS_COUNT);
}

static void step_simple(struct world *w, struct in *in, uint32_t sel)
{
	struct pp_dext_client *c = w->c[u8(in) & 1];
	const struct pp_dext_method *m = &pp_dext_methods[sel];
	uint64_t sin[4], sout[4];
	struct pp_dext_args a;

	if (!c)
		return;
	memset(&a, 0, sizeof(a));
	for (unsigned int i = 0; i < m->scalar_in; i++)
		sin[i] = u8(in) < 200 ? u8(in) % 12 : val(in);
	if (sel == PP_DEXT_SEL_CLAIM) {
		sin[0] = PP_DEXT_ABI_VERSION;
		sin[1] = 0;
	}
	a.scalar_in = sin;
	a.scalar_in_count = m->scalar_in;
	a.scalar_out = sout;
	a.scalar_out_count = m->scalar_out;
	if (m->async)
		a.completion = new_token(w);
	if (m->async && !a.completion)
		return;
	dispatch_tok(w, c, sel, &a);
}

static void step_knobs(struct world *w, struct in *in)
{
	struct pp_fake *f = &w->f;

	switch (u8(in) % 14) {
	case 0: f->split_every = (uint64_t)(u8(in) % 8) * 16384; break;
	case 1: f->adjacent = u8(in) & 1; break;
	case 2: f->max_segs = 1 + u8(in) % 32; break;
	case 3: f->fail_next = u8(in) % (PP_STATUS_COUNT + 2); break;
	case 4: f->grant_mask = u8(in) & 3; break;
	case 5: f->dup_bus = true; f->last_bus += (uint64_t)(int8_t)u8(in);
		break;
	case 6: f->zero_segs = u8(in) % 2; break;
	case 7: f->complete_fail = (u8(in) & 1) ? PP_ERR_HOST : 0; break;
	case 8: f->alloc_fail_in = u8(in) % 4; break;
	case 9: f->cfg_fail = u8(in) & 1; break;
	case 10: f->irq_fail_msix = (u8(in) & 1) ? PP_ERR_HOST : 0;
		 f->irq_fail_msi = (u8(in) & 1) ? PP_ERR_NOMEM : 0;
		 f->irq_grant_max = u8(in) % 4;
		 break;
	case 11: f->reset_fail_flr = (u8(in) & 1) ? PP_ERR_BADOP : 0;
		 f->reset_fail_hot = (u8(in) & 1) ? PP_ERR_HOST : 0;
		 break;
	case 12: f->bad_seg = u8(in) % 5; break;
	case 13: f->force_split = u8(in) % 3; break;
	}
}

static void step_client(struct world *w, struct in *in)
{
	unsigned int i = u8(in) & 1;

	/* The shell closes a client (IOServiceClose or death) and may open
	 * a new one while the device lives. */
	if (w->c[i]) {
		pp_dext_client_close(w->c[i]);
		w->c[i] = NULL;
	} else if (!w->gone || (u8(in) & 1)) {
		w->f.alloc_fail_in = 0;
		w->c[i] = pp_dext_client_new(w->d, &w->f);
		CHECK(w->c[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct world *w = calloc(1, sizeof(*w));
	struct pp_dext_config cfg;
	unsigned int steps = 0;
	int st = -1;
	uint8_t k;

	CHECK(w);
	pp_fake_init(&w->f);
	w->f.on_complete = on_complete;
	w->f.on_complete_arg = w;
	pp_dext_config_defaults(&cfg);
	cfg.max_entries = 1 + u8(&in) % 64;
	cfg.cap_bytes = (uint64_t)(1 + u8(&in)) * PP_DEXT_PAGE_SIZE;
	cfg.max_map_len = (uint64_t)(1 + u8(&in) % 64) * PP_DEXT_PAGE_SIZE;
	k = u8(&in);
	cfg.allow_multimedia = k & 1;
	if (k & 2)
		pp_fake_set_class(&w->f, 0x040300);
	if (k & 4)
		pp_fake_no_caps(&w->f);
	if (k & 8)
		w->f.cfg[0x6a] = u8(&in);       /* odd MSI control */
	if (k & 16)
		w->f.cfg[0x34] = u8(&in);       /* odd capability pointer */
	w->d = pp_dext_device_new(&pp_fake_platform, &w->f, &cfg, 1, 0, 0,
				  0, &st);
	if (!w->d) {
		CHECK(st == PP_ERR_BADOP || st == PP_ERR_HOST);
		CHECK(w->f.mem_live == 0);
		pp_fake_fini(&w->f);
		free(w);
		return 0;
	}
	CHECK(st == PP_OK);
	w->c[0] = pp_dext_client_new(w->d, &w->f);
	w->c[1] = pp_dext_client_new(w->d, &w->f);
	CHECK(w->c[0] && w->c[1]);

	while (in.n && steps++ < 400) {
		switch (u8(&in) % 16) {
		case 0: case 1: step_raw(w, &in); break;
		case 2: case 3: step_map(w, &in); break;
		case 4: step_unmap(w, &in); break;
		case 5: pp_dext_irq_raise(w->d, u8(&in) % 12); break;
		case 6: step_knobs(w, &in); break;
		case 7: step_simple(w, &in, PP_DEXT_SEL_CLAIM); break;
		case 8: step_simple(w, &in, PP_DEXT_SEL_RELEASE); break;
		case 9: step_simple(w, &in, PP_DEXT_SEL_IRQ_CONFIGURE); break;
		case 10: step_simple(w, &in, PP_DEXT_SEL_IRQ_WAIT); break;
		case 11: {
			static const uint32_t sels[] = {
				PP_DEXT_SEL_IRQ_MASK, PP_DEXT_SEL_IRQ_TAKE,
				PP_DEXT_SEL_CFG_READ, PP_DEXT_SEL_BAR_READ,
				PP_DEXT_SEL_BAR_WRITE, PP_DEXT_SEL_RESET,
				PP_DEXT_SEL_EVENTS,
			};

			step_simple(w, &in, sels[u8(&in) % 7]);
			break;
		}
		case 12: step_simple(w, &in, PP_DEXT_SEL_CFG_WRITE); break;
		case 13: step_client(w, &in); break;
		case 14:
			if (!w->gone && (u8(&in) & 3) == 0) {
				pp_dext_device_gone(w->d);
				w->gone = true;
				w->calls_at_gone = w->f.device_calls;
				CHECK(w->armed == 0);
			}
			break;
		case 15: {
			struct pp_dext_client *c = w->c[u8(&in) & 1];
			uint8_t idx = 0;
			uint64_t sz = 0;

			if (c) {
				st = pp_dext_map_type(c, val(&in), &idx, &sz);
				CHECK(st == PP_OK || st == PP_ERR_INVAL ||
				      st == PP_ERR_NOTREADY ||
				      st == PP_ERR_HOST);
				if (st == PP_OK)
					CHECK(sz >= PP_DEXT_PAGE_SIZE);
			}
			break;
		}
		}
		check_world(w);
	}

	for (int i = 0; i < 2; i++)
		pp_dext_client_close(w->c[i]);
	pp_dext_device_free(w->d);
	CHECK(w->armed == 0);
	for (unsigned int i = 0; i < NTOK; i++)
		CHECK(w->tok_state[i] != TOK_ARMED);
	CHECK(w->f.live_preps == 0);
	CHECK(w->f.mem_live == 0);
	CHECK(w->f.complete_errors == 0);
	CHECK(w->f.lock_errors == 0);
	pp_fake_fini(&w->f);
	free(w);
	return 0;
}
