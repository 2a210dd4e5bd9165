/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the dext core (mac/dext/core/) on the fake platform
 * (mac/dext/test/fakepf.c): the checked dispatch table, claim/release,
 * config filtering, BARs, batched DMA map/unmap with multi-segment and
 * short preparations and the 1.5 GiB chunk case, usage accounting and caps,
 * the interrupt latch and the async wait, unplug, reset, the IOReturn
 * mapping and the memory bound per client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "dext_core.h"
#include "fakepf.h"
#include "pcipass/dext_abi.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define KiB (1ull << 10)
#define PG  PP_DEXT_PAGE_SIZE

struct env {
	struct pp_fake f;
	struct pp_dext_dev *d;
	struct pp_dext_client *c, *c2;
};

static struct env *env_new(const struct pp_dext_config *cfg)
{
	struct env *e = calloc(1, sizeof(*e));
	int st = -1;

	assert_non_null(e);
	pp_fake_init(&e->f);
	e->d = pp_dext_device_new(&pp_fake_platform, &e->f, cfg, 3, 0, 0,
				  0x1000abcdull, &st);
	assert_int_equal(st, PP_OK);
	assert_non_null(e->d);
	e->c = pp_dext_client_new(e->d, &e->f);
	e->c2 = pp_dext_client_new(e->d, &e->f);
	assert_non_null(e->c);
	assert_non_null(e->c2);
	return e;
}

static void env_free(struct env *e)
{
	pp_dext_client_close(e->c);
	pp_dext_client_close(e->c2);
	pp_dext_device_free(e->d);
	assert_int_equal(e->f.live_preps, 0);
	assert_int_equal(e->f.mem_live, 0);
	assert_int_equal(e->f.mem_errors, 0);
	assert_int_equal(e->f.lock_errors, 0);
	assert_int_equal(e->f.complete_errors, 0);
	assert_int_equal(atomic_load(&e->f.lock_depth), 0);
	pp_fake_fini(&e->f);
	free(e);
}

static int setup(void **state)
{
	*state = env_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	env_free(*state);
	return 0;
}

/* ---- call helpers ---- */

static int call(struct pp_dext_client *c, uint32_t sel, const uint64_t *in,
		uint32_t nin, const void *sin, size_t sin_size, uint64_t *out,
		uint32_t nout, void *sout, size_t sout_size, void *tok)
{
	struct pp_dext_args a = {
		.scalar_in = in, .scalar_in_count = nin,
		.struct_in = sin, .struct_in_size = sin_size,
		.scalar_out = out, .scalar_out_count = nout,
		.struct_out = sout, .struct_out_size = sout_size,
		.completion = tok,
	};

	return pp_dext_dispatch(c, sel, &a);
}

static int claim(struct pp_dext_client *c)
{
	uint64_t in[2] = { PP_DEXT_ABI_VERSION, 0 };

	return call(c, PP_DEXT_SEL_CLAIM, in, 2, NULL, 0, NULL, 0, NULL, 0,
		    NULL);
}

static int release(struct pp_dext_client *c)
{
	return call(c, PP_DEXT_SEL_RELEASE, NULL, 0, NULL, 0, NULL, 0, NULL,
		    0, NULL);
}

static int info(struct pp_dext_client *c, struct pp_dext_info *i)
{
	return call(c, PP_DEXT_SEL_INFO, NULL, 0, NULL, 0, NULL, 0, i,
		    sizeof(*i), NULL);
}

static int cfg_read(struct pp_dext_client *c, uint64_t off, uint64_t size,
		    uint64_t *v)
{
	uint64_t in[2] = { off, size };

	return call(c, PP_DEXT_SEL_CFG_READ, in, 2, NULL, 0, v, 1, NULL, 0,
		    NULL);
}

static int cfg_write(struct pp_dext_client *c, uint64_t off, uint64_t size,
		     uint64_t v, uint64_t *mask)
{
	uint64_t in[3] = { off, size, v }, m = 0;
	int st = call(c, PP_DEXT_SEL_CFG_WRITE, in, 3, NULL, 0, &m, 1, NULL,
		      0, NULL);

	if (mask)
		*mask = m;
	return st;
}

static int bar_info(struct pp_dext_client *c, uint64_t bar,
		    struct pp_dext_bar_info *bi)
{
	return call(c, PP_DEXT_SEL_BAR_INFO, &bar, 1, NULL, 0, NULL, 0, bi,
		    sizeof(*bi), NULL);
}

static int map_n(struct pp_dext_client *c, const struct pp_dext_map_in *in,
		 struct pp_dext_map_out *out, uint32_t n)
{
	uint64_t cnt = n;

	return call(c, PP_DEXT_SEL_DMA_MAP, &cnt, 1, in, n * sizeof(*in),
		    NULL, 0, out, n * sizeof(*out), NULL);
}

static int map1(struct pp_dext_client *c, uint64_t addr, uint64_t len,
		uint32_t prot, uint32_t flags, struct pp_dext_map_out *out)
{
	struct pp_dext_map_in in = { addr, len, prot, flags, 0 };
	int st;

	memset(out, 0x5a, sizeof(*out));
	st = map_n(c, &in, out, 1);
	assert_int_equal(st, PP_OK);
	return out->status;
}

static int unmap_n(struct pp_dext_client *c, const struct pp_dext_unmap_in *in,
		   int32_t *status, uint32_t n)
{
	uint64_t cnt = n;

	return call(c, PP_DEXT_SEL_DMA_UNMAP, &cnt, 1, in, n * sizeof(*in),
		    NULL, 0, status, n * sizeof(*status), NULL);
}

static int unmap1(struct pp_dext_client *c, uint64_t bus, uint32_t handle)
{
	struct pp_dext_unmap_in in = { bus, handle, 0 };
	int32_t st = -1;

	assert_int_equal(unmap_n(c, &in, &st, 1), PP_OK);
	return st;
}

static void usage(struct pp_dext_client *c, struct pp_dext_dma_usage *u)
{
	assert_int_equal(call(c, PP_DEXT_SEL_DMA_USAGE, NULL, 0, NULL, 0,
			      NULL, 0, u, sizeof(*u), NULL), PP_OK);
}

static int irq_conf(struct pp_dext_client *c, uint64_t type, uint64_t n,
		    uint64_t *got_type, uint64_t *granted)
{
	uint64_t in[2] = { type, n }, out[2] = { 0, 0 };
	int st = call(c, PP_DEXT_SEL_IRQ_CONFIGURE, in, 2, NULL, 0, out, 2,
		      NULL, 0, NULL);

	if (got_type)
		*got_type = out[0];
	if (granted)
		*granted = out[1];
	return st;
}

static int arm(struct pp_dext_client *c, void *tok)
{
	return call(c, PP_DEXT_SEL_IRQ_WAIT, NULL, 0, NULL, 0, NULL, 0, NULL,
		    0, tok);
}

static int take(struct pp_dext_client *c, uint64_t p[4])
{
	return call(c, PP_DEXT_SEL_IRQ_TAKE, NULL, 0, NULL, 0, p, 4, NULL, 0,
		    NULL);
}

static int mask(struct pp_dext_client *c, uint64_t vec, uint64_t m)
{
	uint64_t in[2] = { vec, m };

	return call(c, PP_DEXT_SEL_IRQ_MASK, in, 2, NULL, 0, NULL, 0, NULL, 0,
		    NULL);
}

static int events(struct pp_dext_client *c, uint64_t *ev)
{
	return call(c, PP_DEXT_SEL_EVENTS, NULL, 0, NULL, 0, ev, 1, NULL, 0,
		    NULL);
}

static int reset(struct pp_dext_client *c, uint64_t type)
{
	return call(c, PP_DEXT_SEL_RESET, &type, 1, NULL, 0, NULL, 0, NULL, 0,
		    NULL);
}

/* The n-th completion (0-based) the fake saw. */
#define CPL(e, n) ((e)->f.cpl[(n) % PP_FAKE_CPL])

static unsigned int ncpl(struct env *e)
{
	return atomic_load(&e->f.completions);
}

/* ---- a valid call for every selector (for the shape tests) ---- */

struct shape {
	uint64_t in[8], out[8];
	uint32_t nin, nout;
	uint8_t sin[PP_DEXT_INLINE_MAX], sout[PP_DEXT_INLINE_MAX];
	size_t sin_size, sout_size;
	void *tok;
};

static char token_a, token_b, token_c;

static void valid_shape(uint32_t sel, struct shape *s)
{
	memset(s, 0, sizeof(*s));
	switch (sel) {
	case PP_DEXT_SEL_INFO:
		s->sout_size = sizeof(struct pp_dext_info);
		break;
	case PP_DEXT_SEL_CLAIM:
		s->in[0] = PP_DEXT_ABI_VERSION;
		s->nin = 2;
		break;
	case PP_DEXT_SEL_RELEASE:
		break;
	case PP_DEXT_SEL_CFG_READ:
		s->in[1] = 4;
		s->nin = 2;
		s->nout = 1;
		break;
	case PP_DEXT_SEL_CFG_WRITE:
		s->in[0] = 0x40;
		s->in[1] = 4;
		s->nin = 3;
		s->nout = 1;
		break;
	case PP_DEXT_SEL_BAR_INFO:
		s->nin = 1;
		s->sout_size = sizeof(struct pp_dext_bar_info);
		break;
	case PP_DEXT_SEL_BAR_READ:
		s->in[2] = 4;
		s->nin = 3;
		s->nout = 1;
		break;
	case PP_DEXT_SEL_BAR_WRITE:
		s->in[2] = 4;
		s->nin = 4;
		break;
	case PP_DEXT_SEL_DMA_MAP: {
		struct pp_dext_map_in m = { 0x10000000, 4096,
					    PP_DEXT_PROT_RW, 0, 0 };

		s->in[0] = 1;
		s->nin = 1;
		memcpy(s->sin, &m, sizeof(m));
		s->sin_size = sizeof(m);
		s->sout_size = sizeof(struct pp_dext_map_out);
		break;
	}
	case PP_DEXT_SEL_DMA_UNMAP:
		s->in[0] = 1;
		s->nin = 1;
		s->sin_size = sizeof(struct pp_dext_unmap_in);
		s->sout_size = sizeof(int32_t);
		break;
	case PP_DEXT_SEL_DMA_USAGE:
		s->sout_size = sizeof(struct pp_dext_dma_usage);
		break;
	case PP_DEXT_SEL_IRQ_CONFIGURE:
		s->in[0] = PP_DEXT_IRQ_MSIX;
		s->in[1] = 4;
		s->nin = 2;
		s->nout = 2;
		break;
	case PP_DEXT_SEL_IRQ_WAIT:
		s->tok = &token_a;
		break;
	case PP_DEXT_SEL_IRQ_TAKE:
		s->nout = 4;
		break;
	case PP_DEXT_SEL_IRQ_MASK:
		s->nin = 2;
		break;
	case PP_DEXT_SEL_EVENTS:
		s->nout = 1;
		break;
	case PP_DEXT_SEL_RESET:
		s->in[0] = PP_DEXT_RESET_FUNCTION;
		s->nin = 1;
		break;
	default:
		fail();
	}
}

static int call_shape(struct pp_dext_client *c, uint32_t sel, struct shape *s)
{
	return call(c, sel, s->in, s->nin, s->sin_size ? s->sin : NULL,
		    s->sin_size, s->out, s->nout, s->sout_size ? s->sout : NULL,
		    s->sout_size, s->tok);
}

/* ==== dispatch ======================================================= */

/* The table says what dext_abi.h documents; a drift fails here. */
static void test_method_table(void **state)
{
	static const struct {
		uint32_t sel;
		uint8_t si, so;
		uint32_t sti, sto;
		bool async, claim, gone_ok;
	} want[] = {
		{ PP_DEXT_SEL_INFO, 0, 0, 0, 128, false, false, true },
		{ PP_DEXT_SEL_CLAIM, 2, 0, 0, 0, false, false, false },
		{ PP_DEXT_SEL_RELEASE, 0, 0, 0, 0, false, true, true },
		{ PP_DEXT_SEL_CFG_READ, 2, 1, 0, 0, false, true, false },
		{ PP_DEXT_SEL_CFG_WRITE, 3, 1, 0, 0, false, true, false },
		{ PP_DEXT_SEL_BAR_INFO, 1, 0, 0, 32, false, true, false },
		{ PP_DEXT_SEL_BAR_READ, 3, 1, 0, 0, false, true, false },
		{ PP_DEXT_SEL_BAR_WRITE, 4, 0, 0, 0, false, true, false },
		{ PP_DEXT_SEL_DMA_MAP, 1, 0, PP_DEXT_VAR, PP_DEXT_VAR, false,
		  true, false },
		{ PP_DEXT_SEL_DMA_UNMAP, 1, 0, PP_DEXT_VAR, PP_DEXT_VAR, false,
		  true, false },
		{ PP_DEXT_SEL_DMA_USAGE, 0, 0, 0, 128, false, true, false },
		{ PP_DEXT_SEL_IRQ_CONFIGURE, 2, 2, 0, 0, false, true, false },
		{ PP_DEXT_SEL_IRQ_WAIT, 0, 0, 0, 0, true, true, false },
		{ PP_DEXT_SEL_IRQ_TAKE, 0, 4, 0, 0, false, true, false },
		{ PP_DEXT_SEL_IRQ_MASK, 2, 0, 0, 0, false, true, false },
		{ PP_DEXT_SEL_EVENTS, 0, 1, 0, 0, false, true, true },
		{ PP_DEXT_SEL_RESET, 1, 0, 0, 0, false, true, false },
	};

	(void)state;
	assert_int_equal(PP_DEXT_SEL_COUNT, 17);
	assert_int_equal(sizeof(want) / sizeof(want[0]), PP_DEXT_SEL_COUNT);
	for (size_t i = 0; i < PP_DEXT_SEL_COUNT; i++) {
		const struct pp_dext_method *m = &pp_dext_methods[want[i].sel];

		assert_int_equal(want[i].sel, i);
		assert_non_null(m->name);
		assert_int_equal(m->scalar_in, want[i].si);
		assert_int_equal(m->scalar_out, want[i].so);
		assert_int_equal(m->struct_in, want[i].sti);
		assert_int_equal(m->struct_out, want[i].sto);
		assert_int_equal(m->async, want[i].async);
		assert_int_equal(m->needs_claim, want[i].claim);
		assert_int_equal(m->after_gone, want[i].gone_ok);
		assert_true(m->scalar_in <= 16 && m->scalar_out <= 16);
	}
	assert_int_equal(pp_dext_methods[PP_DEXT_SEL_DMA_MAP].entry_in, 32);
	assert_int_equal(pp_dext_methods[PP_DEXT_SEL_DMA_MAP].entry_out, 32);
	assert_int_equal(pp_dext_methods[PP_DEXT_SEL_DMA_MAP].max_count, 128);
	assert_int_equal(pp_dext_methods[PP_DEXT_SEL_DMA_UNMAP].entry_in, 16);
	assert_int_equal(pp_dext_methods[PP_DEXT_SEL_DMA_UNMAP].entry_out, 4);
	assert_int_equal(pp_dext_methods[PP_DEXT_SEL_DMA_UNMAP].max_count, 256);
}

static void test_expected_struct_out(void **state)
{
	uint64_t n;

	(void)state;
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_INFO, NULL, 0),
			 sizeof(struct pp_dext_info));
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_BAR_INFO,
						     NULL, 0),
			 sizeof(struct pp_dext_bar_info));
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_CLAIM, NULL, 0),
			 0);
	n = 3;
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_DMA_MAP, &n, 1),
			 3 * sizeof(struct pp_dext_map_out));
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_DMA_UNMAP, &n,
						     1), 3 * sizeof(int32_t));
	n = 0;
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_DMA_MAP, &n, 1),
			 0);
	n = PP_DEXT_MAP_BATCH_MAX + 1;
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_DMA_MAP, &n, 1),
			 0);
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_DMA_MAP, NULL,
						     1), 0);
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_DMA_MAP, &n, 2),
			 0);
	assert_int_equal(pp_dext_expected_struct_out(PP_DEXT_SEL_COUNT, &n, 1),
			 0);
}

static void test_unknown_selector(void **state)
{
	struct env *e = *state;
	struct pp_dext_args a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(pp_dext_dispatch(e->c, PP_DEXT_SEL_COUNT, &a),
			 PP_ERR_BADOP);
	assert_int_equal(pp_dext_dispatch(e->c, 1000, &a), PP_ERR_BADOP);
	assert_int_equal(pp_dext_dispatch(e->c, UINT32_MAX, &a), PP_ERR_BADOP);
	assert_int_equal(pp_dext_dispatch(e->c, 0, NULL), PP_ERR_INVAL);
	assert_int_equal(pp_dext_dispatch(NULL, 0, &a), PP_ERR_INVAL);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_BADOP),
			 0xE00002C7u); /* kIOReturnUnsupported */
}

/* Every selector: each shape dimension off by one is refused, before the
 * selector runs (the fake sees no device call). */
static void test_wrong_shapes(void **state)
{
	struct env *e = *state;
	struct shape s;

	(void)state;
	assert_int_equal(claim(e->c), PP_OK);
	for (uint32_t sel = 0; sel < PP_DEXT_SEL_COUNT; sel++) {
		const struct pp_dext_method *m = &pp_dext_methods[sel];
		unsigned int calls = e->f.device_calls;

		/* scalar input count */
		valid_shape(sel, &s);
		s.nin++;
		assert_int_equal(call_shape(e->c, sel, &s), PP_ERR_INVAL);
		if (m->scalar_in) {
			valid_shape(sel, &s);
			s.nin--;
			assert_int_equal(call_shape(e->c, sel, &s),
					 PP_ERR_INVAL);
		}
		/* scalar output count */
		valid_shape(sel, &s);
		s.nout++;
		assert_int_equal(call_shape(e->c, sel, &s), PP_ERR_INVAL);
		if (m->scalar_out) {
			valid_shape(sel, &s);
			s.nout--;
			assert_int_equal(call_shape(e->c, sel, &s),
					 PP_ERR_INVAL);
		}
		/* structure sizes */
		valid_shape(sel, &s);
		s.sin_size++;
		assert_int_equal(call_shape(e->c, sel, &s), PP_ERR_INVAL);
		valid_shape(sel, &s);
		s.sout_size++;
		assert_int_equal(call_shape(e->c, sel, &s), PP_ERR_INVAL);
		if (s.sin_size) {
			valid_shape(sel, &s);
			s.sin_size--;
			assert_int_equal(call_shape(e->c, sel, &s),
					 PP_ERR_INVAL);
		}
		valid_shape(sel, &s);
		if (s.sout_size) {
			s.sout_size--;
			assert_int_equal(call_shape(e->c, sel, &s),
					 PP_ERR_INVAL);
			/* size right, buffer missing */
			valid_shape(sel, &s);
			assert_int_equal(call(e->c, sel, s.in, s.nin,
					      s.sin_size ? s.sin : NULL,
					      s.sin_size, s.out, s.nout, NULL,
					      s.sout_size, s.tok),
					 PP_ERR_INVAL);
		}
		/* scalar arrays missing */
		valid_shape(sel, &s);
		if (s.nin)
			assert_int_equal(call(e->c, sel, NULL, s.nin,
					      s.sin_size ? s.sin : NULL,
					      s.sin_size, s.out, s.nout,
					      s.sout_size ? s.sout : NULL,
					      s.sout_size, s.tok),
					 PP_ERR_INVAL);
		/* completion present iff async */
		valid_shape(sel, &s);
		s.tok = m->async ? NULL : &token_b;
		assert_int_equal(call_shape(e->c, sel, &s), PP_ERR_INVAL);
		assert_int_equal(e->f.device_calls, calls);
	}
	assert_int_equal(ncpl(e), 0);
}

static void test_batch_counts(void **state)
{
	struct env *e = *state;
	static struct pp_dext_map_in in[PP_DEXT_MAP_BATCH_MAX + 1];
	static struct pp_dext_map_out out[PP_DEXT_MAP_BATCH_MAX + 1];
	static struct pp_dext_unmap_in uin[PP_DEXT_UNMAP_BATCH_MAX + 1];
	static int32_t ust[PP_DEXT_UNMAP_BATCH_MAX + 1];
	uint64_t cnt;

	assert_int_equal(claim(e->c), PP_OK);
	cnt = 0;
	assert_int_equal(call(e->c, PP_DEXT_SEL_DMA_MAP, &cnt, 1, NULL, 0,
			      NULL, 0, NULL, 0, NULL), PP_ERR_COUNT);
	cnt = PP_DEXT_MAP_BATCH_MAX + 1;
	assert_int_equal(call(e->c, PP_DEXT_SEL_DMA_MAP, &cnt, 1, in,
			      cnt * sizeof(in[0]), NULL, 0, out,
			      cnt * sizeof(out[0]), NULL), PP_ERR_COUNT);
	/* A count that would truncate to 1 in 32 bits. */
	cnt = (1ull << 32) + 1;
	assert_int_equal(call(e->c, PP_DEXT_SEL_DMA_MAP, &cnt, 1, in,
			      sizeof(in[0]), NULL, 0, out, sizeof(out[0]),
			      NULL), PP_ERR_COUNT);
	/* Count and sizes disagree. */
	cnt = 2;
	assert_int_equal(call(e->c, PP_DEXT_SEL_DMA_MAP, &cnt, 1, in,
			      sizeof(in[0]), NULL, 0, out, 2 * sizeof(out[0]),
			      NULL), PP_ERR_INVAL);
	assert_int_equal(call(e->c, PP_DEXT_SEL_DMA_MAP, &cnt, 1, in,
			      2 * sizeof(in[0]), NULL, 0, out, sizeof(out[0]),
			      NULL), PP_ERR_INVAL);
	cnt = PP_DEXT_UNMAP_BATCH_MAX + 1;
	assert_int_equal(call(e->c, PP_DEXT_SEL_DMA_UNMAP, &cnt, 1, uin,
			      cnt * sizeof(uin[0]), NULL, 0, ust,
			      cnt * sizeof(ust[0]), NULL), PP_ERR_COUNT);
	/* The full batches are accepted (and fit inline). */
	for (unsigned int i = 0; i < PP_DEXT_MAP_BATCH_MAX; i++) {
		in[i].addr = 0x40000000ull + i * PG;
		in[i].len = PG;
		in[i].prot = PP_DEXT_PROT_RW;
	}
	assert_int_equal(map_n(e->c, in, out, PP_DEXT_MAP_BATCH_MAX), PP_OK);
	for (unsigned int i = 0; i < PP_DEXT_MAP_BATCH_MAX; i++) {
		assert_int_equal(out[i].status, PP_OK);
		uin[i].bus = out[i].bus;
		uin[i].handle = out[i].handle;
	}
	for (unsigned int i = PP_DEXT_MAP_BATCH_MAX; i < PP_DEXT_UNMAP_BATCH_MAX;
	     i++)
		uin[i].bus = 0xdead0000ull + i;   /* unknown: NOENT */
	assert_int_equal(unmap_n(e->c, uin, ust, PP_DEXT_UNMAP_BATCH_MAX),
			 PP_OK);
	for (unsigned int i = 0; i < PP_DEXT_UNMAP_BATCH_MAX; i++)
		assert_int_equal(ust[i], i < PP_DEXT_MAP_BATCH_MAX ?
				 PP_OK : PP_ERR_NOENT);
	assert_int_equal(e->f.live_preps, 0);
}

static void test_claim_required(void **state)
{
	struct env *e = *state;
	struct shape s;

	for (uint32_t sel = 0; sel < PP_DEXT_SEL_COUNT; sel++) {
		valid_shape(sel, &s);
		if (pp_dext_methods[sel].needs_claim)
			assert_int_equal(call_shape(e->c, sel, &s),
					 PP_ERR_NOTREADY);
	}
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_NOTREADY),
			 0xE00002CDu);   /* kIOReturnNotOpen */
	assert_int_equal(ncpl(e), 0);
	assert_int_equal(e->f.prepares, 0);
}

/* ==== claim, release, identity ===================================== */

static void test_claim_release(void **state)
{
	struct env *e = *state;
	struct pp_dext_info i;
	uint64_t in[2];

	assert_int_equal(release(e->c), PP_ERR_NOTREADY);
	assert_int_equal(info(e->c, &i), PP_OK);
	assert_int_equal(i.state & (PP_DEXT_STATE_CLAIMED | PP_DEXT_STATE_MINE),
			 0);

	/* Version and flags. */
	in[0] = (PP_DEXT_ABI_MAJOR + 1) << 16;
	in[1] = 0;
	assert_int_equal(call(e->c, PP_DEXT_SEL_CLAIM, in, 2, NULL, 0, NULL, 0,
			      NULL, 0, NULL), PP_ERR_VERSION);
	in[0] = (1ull << 32) | PP_DEXT_ABI_VERSION;
	assert_int_equal(call(e->c, PP_DEXT_SEL_CLAIM, in, 2, NULL, 0, NULL, 0,
			      NULL, 0, NULL), PP_ERR_VERSION);
	in[0] = PP_DEXT_ABI_VERSION + 7;   /* a newer minor is fine */
	in[1] = 1;
	assert_int_equal(call(e->c, PP_DEXT_SEL_CLAIM, in, 2, NULL, 0, NULL, 0,
			      NULL, 0, NULL), PP_ERR_RESERVED);
	in[1] = 0;
	assert_int_equal(call(e->c, PP_DEXT_SEL_CLAIM, in, 2, NULL, 0, NULL, 0,
			      NULL, 0, NULL), PP_OK);

	assert_int_equal(claim(e->c), PP_OK);    /* again: no-op */
	assert_int_equal(claim(e->c2), PP_ERR_FAULT);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_FAULT),
			 0xE00002C5u);   /* kIOReturnExclusiveAccess */
	assert_int_equal(info(e->c, &i), PP_OK);
	assert_int_equal(i.state & (PP_DEXT_STATE_CLAIMED | PP_DEXT_STATE_MINE),
			 PP_DEXT_STATE_CLAIMED | PP_DEXT_STATE_MINE);
	assert_int_equal(info(e->c2, &i), PP_OK);
	assert_int_equal(i.state & (PP_DEXT_STATE_CLAIMED | PP_DEXT_STATE_MINE),
			 PP_DEXT_STATE_CLAIMED);
	assert_int_equal(release(e->c2), PP_ERR_NOTREADY);

	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(release(e->c), PP_ERR_NOTREADY);
	assert_int_equal(claim(e->c2), PP_OK);
	assert_int_equal(claim(e->c), PP_ERR_FAULT);

	/* Closing the owner frees the function for the others. */
	pp_dext_client_close(e->c2);
	e->c2 = pp_dext_client_new(e->d, &e->f);
	assert_non_null(e->c2);
	assert_int_equal(claim(e->c), PP_OK);
}

/* A claim starts with COMMAND.MSE and BME clear, whatever the previous
 * claim left; other COMMAND bits are kept. */
static void test_claim_quiesces(void **state)
{
	struct env *e = *state;
	uint64_t m;

	e->f.cfg[0x04] = 0x06 | 0x40;      /* MSE, BME, parity response */
	e->f.cfg[0x05] = 0x04;             /* INTx disable */
	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(pp_fake_cfg16(&e->f, 0x04), 0x0440);
	assert_int_equal(cfg_write(e->c, 0x04, 2, 0x0446, &m), PP_OK);
	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(pp_fake_cfg16(&e->f, 0x04), 0x0440);
	/* A function that reads all ones is left alone. */
	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(release(e->c), PP_OK);
	e->f.cfg[0x04] = 0xff;
	e->f.cfg[0x05] = 0xff;
	e->f.nwlog = 0;
	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(e->f.nwlog, 0);
}

static void test_info(void **state)
{
	struct env *e = *state;
	struct pp_dext_info i;

	memset(&i, 0xee, sizeof(i));
	assert_int_equal(info(e->c, &i), PP_OK);
	assert_int_equal(i.abi_version, PP_DEXT_ABI_VERSION);
	assert_int_equal(i.vendor, 0x10de);
	assert_int_equal(i.device, 0x2b85);
	assert_int_equal(i.subsys_vendor, 0x10de);
	assert_int_equal(i.subsys_device, 0x2057);
	assert_int_equal(i.class_code, 0x030000);
	assert_int_equal(i.revision, 0xa1);
	assert_int_equal(i.header_type, 0x80);
	assert_int_equal(i.bus, 3);
	assert_int_equal(i.dev, 0);
	assert_int_equal(i.fn, 0);
	assert_int_equal(i.msi_cap, 0x68);
	assert_int_equal(i.msix_cap, 0x80);
	assert_int_equal(i.nr_vectors, 9);
	assert_int_equal(i.irq_type, 0);
	assert_int_equal(i.max_map_batch, PP_DEXT_MAP_BATCH_MAX);
	assert_int_equal(i.max_unmap_batch, PP_DEXT_UNMAP_BATCH_MAX);
	assert_int_equal(i.page_size, PG);
	assert_int_equal(i.max_entries, PP_DEXT_DEFAULT_MAX_ENTRIES);
	assert_int_equal(i.cap_bytes, PP_DEXT_DEFAULT_CAP_BYTES);
	assert_int_equal(i.max_map_len, PP_DEXT_DEFAULT_MAX_MAP_LEN);
	assert_int_equal(i.registry_id, 0x1000abcdull);
	for (unsigned int k = 0; k < 7; k++)
		assert_int_equal(i.reserved[k], 0);
	assert_int_equal(i.reserved0[0] | i.reserved0[1], 0);
}

static void test_multimedia_refused(void **state)
{
	struct pp_fake f;
	struct pp_dext_config cfg;
	struct pp_dext_dev *d;
	int st;

	(void)state;
	assert_false(pp_dext_class_allowed(0x040300, false));  /* HDA */
	assert_false(pp_dext_class_allowed(0x040100, false));
	assert_true(pp_dext_class_allowed(0x040300, true));
	assert_true(pp_dext_class_allowed(0x030000, false));
	assert_true(pp_dext_class_allowed(0x030200, false));
	assert_true(pp_dext_class_allowed(0x0c0330, false));

	pp_fake_init(&f);
	pp_fake_set_class(&f, 0x040300);
	st = -1;
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 3, 0, 1, 0, &st);
	assert_null(d);
	assert_int_equal(st, PP_ERR_BADOP);
	assert_int_equal(f.mem_live, 0);

	pp_dext_config_defaults(&cfg);
	cfg.allow_multimedia = true;
	d = pp_dext_device_new(&pp_fake_platform, &f, &cfg, 3, 0, 1, 0, &st);
	assert_non_null(d);
	assert_int_equal(st, PP_OK);
	pp_dext_device_free(d);
	assert_int_equal(f.mem_live, 0);

	/* A function that does not answer. */
	f.cfg[0] = f.cfg[1] = 0xff;
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 3, 0, 1, 0, &st);
	assert_null(d);
	assert_int_equal(st, PP_ERR_HOST);
	f.cfg_fail = true;
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 3, 0, 1, 0, &st);
	assert_null(d);
	assert_int_equal(st, PP_ERR_HOST);
	assert_int_equal(f.mem_live, 0);
	/* An incomplete platform. */
	{
		struct pp_dext_platform pf = pp_fake_platform;

		pf.dma_prepare = NULL;
		f.cfg_fail = false;
		d = pp_dext_device_new(&pf, &f, NULL, 3, 0, 1, 0, &st);
		assert_null(d);
		assert_int_equal(st, PP_ERR_INVAL);
	}
	pp_fake_fini(&f);
}

static void test_config_sanitize(void **state)
{
	struct pp_dext_config c;

	(void)state;
	memset(&c, 0, sizeof(c));
	pp_dext_config_sanitize(&c);
	assert_int_equal(c.cap_bytes, PP_DEXT_DEFAULT_CAP_BYTES);
	assert_int_equal(c.max_entries, PP_DEXT_DEFAULT_MAX_ENTRIES);
	assert_int_equal(c.max_map_len, PP_DEXT_DEFAULT_MAX_MAP_LEN);
	c.cap_bytes = 100;              /* below a page */
	c.max_entries = UINT32_MAX;
	c.max_map_len = UINT64_MAX;
	pp_dext_config_sanitize(&c);
	assert_int_equal(c.cap_bytes, PG);
	assert_int_equal(c.max_entries, PP_DEXT_MAX_MAX_ENTRIES);
	assert_int_equal(c.max_map_len, PG);   /* never above the cap */
	c.cap_bytes = UINT64_MAX;
	c.max_map_len = 5;
	pp_dext_config_sanitize(&c);
	assert_int_equal(c.cap_bytes, 1ull << 40);
	assert_int_equal(c.max_map_len, PG);
}

/* ==== config space ==================================================== */

static void test_cfg_read(void **state)
{
	struct env *e = *state;
	uint64_t v;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(cfg_read(e->c, 0, 4, &v), PP_OK);
	assert_int_equal(v, 0x2b8510de);
	assert_int_equal(cfg_read(e->c, 2, 2, &v), PP_OK);
	assert_int_equal(v, 0x2b85);
	assert_int_equal(cfg_read(e->c, 0x0b, 1, &v), PP_OK);
	assert_int_equal(v, 0x03);
	assert_int_equal(cfg_read(e->c, 0xffc, 4, &v), PP_OK);
	/* size, then range, then alignment */
	assert_int_equal(cfg_read(e->c, 0, 3, &v), PP_ERR_INVAL);
	assert_int_equal(cfg_read(e->c, 0, 8, &v), PP_ERR_INVAL);
	assert_int_equal(cfg_read(e->c, 0, 0, &v), PP_ERR_INVAL);
	assert_int_equal(cfg_read(e->c, 0x1000, 1, &v), PP_ERR_RANGE);
	assert_int_equal(cfg_read(e->c, 0xffe, 4, &v), PP_ERR_RANGE);
	assert_int_equal(cfg_read(e->c, UINT64_MAX, 4, &v), PP_ERR_RANGE);
	assert_int_equal(cfg_read(e->c, 0x41, 2, &v), PP_ERR_ALIGN);
	assert_int_equal(cfg_read(e->c, 0x42, 4, &v), PP_ERR_ALIGN);
	/* A platform failure is a host error. */
	e->f.cfg_fail = true;
	assert_int_equal(cfg_read(e->c, 0, 4, &v), PP_ERR_HOST);
	e->f.cfg_fail = false;
}

static void test_cfg_write_filter(void **state)
{
	struct env *e = *state;
	uint64_t m;
	uint32_t bar0 = pp_fake_cfg32(&e->f, 0x10);

	assert_int_equal(claim(e->c), PP_OK);
	/* COMMAND is forwarded. */
	e->f.nwlog = 0;
	assert_int_equal(cfg_write(e->c, 0x04, 2, 0x0006, &m), PP_OK);
	assert_int_equal(m, 0x3);
	assert_int_equal(pp_fake_cfg16(&e->f, 0x04), 0x0006);
	/* A dword at 0x04 writes COMMAND only, as one 16-bit write. */
	e->f.nwlog = 0;
	assert_int_equal(cfg_write(e->c, 0x04, 4, 0xffff0002, &m), PP_OK);
	assert_int_equal(m, 0x3);
	assert_int_equal(e->f.nwlog, 1);
	assert_int_equal(e->f.wlog[0].off, 0x04);
	assert_int_equal(e->f.wlog[0].size, 2);
	assert_int_equal(e->f.wlog[0].val, 0x0002);
	assert_int_equal(pp_fake_cfg16(&e->f, 0x06), 0x0010); /* STATUS kept */
	/* BARs and the ROM BAR are dropped: PP_OK, mask 0, no write. */
	e->f.nwlog = 0;
	assert_int_equal(cfg_write(e->c, 0x10, 4, 0xffffffff, &m), PP_OK);
	assert_int_equal(m, 0);
	assert_int_equal(cfg_write(e->c, 0x24, 2, 0x1234, &m), PP_OK);
	assert_int_equal(m, 0);
	assert_int_equal(cfg_write(e->c, 0x30, 4, 0xfffff801, &m), PP_OK);
	assert_int_equal(m, 0);
	assert_int_equal(e->f.nwlog, 0);
	assert_int_equal(pp_fake_cfg32(&e->f, 0x10), bar0);
	/* The interrupt capabilities are the host's: MSI control, address,
	 * data, mask; MSI-X message control.  Their headers pass. */
	assert_int_equal(cfg_write(e->c, 0x6a, 2, 0x0001, &m), PP_OK);
	assert_int_equal(m, 0);
	assert_int_equal(cfg_write(e->c, 0x6c, 4, 0xfee00000, &m), PP_OK);
	assert_int_equal(m, 0);
	assert_int_equal(cfg_write(e->c, 0x78, 4, 0x11111111, &m), PP_OK);
	assert_int_equal(m, 0);   /* mask bits at 0x68 + 0x10 */
	assert_int_equal(cfg_write(e->c, 0x7c, 4, 0x11111111, &m), PP_OK);
	assert_int_equal(m, 0);   /* pending bits: the 24-byte cap's end */
	assert_int_equal(cfg_write(e->c, 0x80, 4, 0xc0000011, &m), PP_OK);
	assert_int_equal(m, 0x3); /* MSI-X header passes, control not */
	assert_int_equal(pp_fake_cfg16(&e->f, 0x82), 0x0008);
	assert_int_equal(cfg_write(e->c, 0x84, 4, 0x00fa0000, &m), PP_OK);
	assert_int_equal(m, 0xf); /* table offset (read-only in hardware) */
	/* Ordinary registers pass whole. */
	e->f.nwlog = 0;
	assert_int_equal(cfg_write(e->c, 0x3c, 1, 0x0b, &m), PP_OK);
	assert_int_equal(m, 0x1);
	assert_int_equal(cfg_write(e->c, 0x100, 4, 0xdeadbeef, &m), PP_OK);
	assert_int_equal(m, 0xf);
	assert_int_equal(pp_fake_cfg32(&e->f, 0x100), 0xdeadbeef);
	/* Values wider than the access; the usual shape errors. */
	assert_int_equal(cfg_write(e->c, 0x40, 1, 0x100, &m), PP_ERR_INVAL);
	assert_int_equal(cfg_write(e->c, 0x40, 2, 0x10000, &m), PP_ERR_INVAL);
	assert_int_equal(cfg_write(e->c, 0x40, 4, 1ull << 32, &m),
			 PP_ERR_INVAL);
	assert_int_equal(cfg_write(e->c, 0x40, 3, 0, &m), PP_ERR_INVAL);
	assert_int_equal(cfg_write(e->c, 0x1000, 1, 0, &m), PP_ERR_RANGE);
	assert_int_equal(cfg_write(e->c, 0x41, 2, 0, &m), PP_ERR_ALIGN);
	e->f.cfg_fail = true;
	assert_int_equal(cfg_write(e->c, 0x40, 4, 0, &m), PP_ERR_HOST);
	e->f.cfg_fail = false;
}

/* ==== BARs ============================================================ */

static void test_bar_info(void **state)
{
	struct env *e = *state;
	struct pp_dext_bar_info b;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(bar_info(e->c, 0, &b), PP_OK);
	assert_int_equal(b.size, 16 * MiB);
	assert_int_equal(b.type, PP_DEXT_BAR_MEM32);
	assert_int_equal(b.flags, PP_DEXT_BAR_F_MAPPABLE);
	assert_int_equal(b.map_type, 1);
	assert_int_equal(b.memory_index, 0);

	assert_int_equal(bar_info(e->c, 1, &b), PP_OK);
	assert_int_equal(b.size, 256 * MiB);
	assert_int_equal(b.type, PP_DEXT_BAR_MEM64);
	assert_int_equal(b.flags, PP_DEXT_BAR_F_MAPPABLE | PP_DEXT_BAR_F_PREFETCH);
	assert_int_equal(b.map_type, 2);
	assert_int_equal(b.memory_index, 1);

	assert_int_equal(bar_info(e->c, 2, &b), PP_OK);   /* upper half */
	assert_int_equal(b.size, 0);
	assert_int_equal(b.type, PP_DEXT_BAR_NONE);
	assert_int_equal(b.flags, PP_DEXT_BAR_F_UPPER);
	assert_int_equal(b.map_type, 0);

	assert_int_equal(bar_info(e->c, 3, &b), PP_OK);
	assert_int_equal(b.map_type, 4);
	assert_int_equal(b.memory_index, 2);
	assert_int_equal(bar_info(e->c, 4, &b), PP_OK);
	assert_int_equal(b.flags, PP_DEXT_BAR_F_UPPER);

	assert_int_equal(bar_info(e->c, 5, &b), PP_OK);   /* I/O: trap only */
	assert_int_equal(b.type, PP_DEXT_BAR_IO);
	assert_int_equal(b.size, 128);
	assert_int_equal(b.flags, 0);
	assert_int_equal(b.map_type, 0);

	assert_int_equal(bar_info(e->c, 6, &b), PP_OK);   /* ROM */
	assert_int_equal(b.size, 512 * KiB);
	assert_int_equal(b.flags, PP_DEXT_BAR_F_ROM);
	assert_int_equal(b.map_type, 0);

	assert_int_equal(bar_info(e->c, 7, &b), PP_ERR_INVAL);
	assert_int_equal(bar_info(e->c, UINT64_MAX, &b), PP_ERR_INVAL);
}

static void test_bar_small_and_odd(void **state)
{
	struct pp_fake f;
	struct pp_dext_dev *d;
	struct pp_dext_client *c;
	struct pp_dext_bar_info b;
	int st;

	(void)state;
	pp_fake_init(&f);
	/* A 4 KiB BAR shares its 16 KiB page: not mappable.  A BAR whose
	 * size is not a power of two is not trusted.  A 64-bit BAR in the
	 * last slot has no upper half to pair with. */
	pp_fake_set_bar(&f, 0, 4 * KiB, PP_DEXT_RAW_BAR_M32, 0);
	pp_fake_set_bar(&f, 1, 48 * KiB, PP_DEXT_RAW_BAR_M32, 1);
	pp_fake_set_bar(&f, 3, 0, 0, 0);
	pp_fake_set_bar(&f, 5, 64 * KiB, PP_DEXT_RAW_BAR_M64, 5);
	pp_fake_set_bar(&f, 4, 64 * KiB, 0x7, 4);   /* unknown raw type */
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 1, 2, 3, 0, &st);
	assert_non_null(d);
	c = pp_dext_client_new(d, &f);
	assert_int_equal(claim(c), PP_OK);
	assert_int_equal(bar_info(c, 0, &b), PP_OK);
	assert_int_equal(b.size, 4 * KiB);
	assert_int_equal(b.flags & PP_DEXT_BAR_F_MAPPABLE, 0);
	assert_int_equal(bar_info(c, 1, &b), PP_OK);
	assert_int_equal(b.size, 0);
	assert_int_equal(bar_info(c, 4, &b), PP_OK);
	assert_int_equal(b.size, 0);
	assert_int_equal(bar_info(c, 5, &b), PP_OK);
	assert_int_equal(b.type, PP_DEXT_BAR_MEM32);
	assert_int_equal(b.map_type, 6);
	{
		uint8_t idx = 0;
		uint64_t sz = 0;

		assert_int_equal(pp_dext_map_type(c, 1, &idx, &sz),
				 PP_ERR_INVAL);
		assert_int_equal(pp_dext_map_type(c, 6, &idx, &sz), PP_OK);
		assert_int_equal(idx, 5);
		assert_int_equal(sz, 64 * KiB);
	}
	pp_dext_client_close(c);
	pp_dext_device_free(d);
	assert_int_equal(f.mem_live, 0);
	pp_fake_fini(&f);
}

static void test_bar_rw(void **state)
{
	struct env *e = *state;
	uint64_t in[4], v = 0;

	assert_int_equal(claim(e->c), PP_OK);
	in[0] = 3;            /* BAR3: memory index 2 */
	in[1] = 0x100;
	in[2] = 8;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_OK);
	assert_int_equal(v, 0x0123456789abcdefull ^ 0x100 ^ 2);
	in[2] = 2;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_OK);
	assert_int_equal(v, (0x0123456789abcdefull ^ 0x100 ^ 2) & 0xffff);
	in[3] = 0xabcd;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_WRITE, in, 4, NULL, 0,
			      NULL, 0, NULL, 0, NULL), PP_OK);
	assert_int_equal(e->f.bar_last_write[2], 0xabcd);
	/* Value too wide, bad size, outside, misaligned, absent BARs. */
	in[3] = 0x10000;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_WRITE, in, 4, NULL, 0,
			      NULL, 0, NULL, 0, NULL), PP_ERR_INVAL);
	in[2] = 3;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_INVAL);
	in[1] = 32 * MiB;
	in[2] = 4;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_RANGE);
	in[1] = 32 * MiB - 4;
	in[2] = 8;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_RANGE);
	in[1] = UINT64_MAX - 3;
	in[2] = 8;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_RANGE);
	in[1] = 0x102;
	in[2] = 4;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_ALIGN);
	in[0] = 2;            /* upper half of BAR1 */
	in[1] = 0;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_INVAL);
	in[0] = 6;            /* ROM: not through BAR_READ */
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_ERR_INVAL);
	in[0] = 5;            /* I/O BAR: trapped access allowed */
	in[2] = 1;
	assert_int_equal(call(e->c, PP_DEXT_SEL_BAR_READ, in, 3, NULL, 0, &v,
			      1, NULL, 0, NULL), PP_OK);
}

static void test_map_type(void **state)
{
	struct env *e = *state;
	uint8_t idx = 0xff;
	uint64_t sz = 0;

	assert_int_equal(pp_dext_map_type(e->c, 1, &idx, &sz), PP_ERR_NOTREADY);
	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(pp_dext_map_type(e->c2, 1, &idx, &sz),
			 PP_ERR_NOTREADY);
	assert_int_equal(pp_dext_map_type(e->c, 0, &idx, &sz), PP_ERR_INVAL);
	assert_int_equal(pp_dext_map_type(e->c, 7, &idx, &sz), PP_ERR_INVAL);
	assert_int_equal(pp_dext_map_type(e->c, 3, &idx, &sz), PP_ERR_INVAL);
	assert_int_equal(pp_dext_map_type(e->c, 6, &idx, &sz), PP_ERR_INVAL);
	assert_int_equal(pp_dext_map_type(e->c, 1ull << 32 | 1, &idx, &sz),
			 PP_ERR_INVAL);
	assert_int_equal(pp_dext_map_type(e->c, PP_DEXT_MAP_TYPE_BAR(1), &idx,
					  &sz), PP_OK);
	assert_int_equal(idx, 1);
	assert_int_equal(sz, 256 * MiB);
	assert_int_equal(pp_dext_map_type(e->c, PP_DEXT_MAP_TYPE_BAR(3), &idx,
					  &sz), PP_OK);
	assert_int_equal(idx, 2);
	pp_dext_device_gone(e->d);
	assert_int_equal(pp_dext_map_type(e->c, 1, &idx, &sz), PP_ERR_HOST);
}

/* ==== DMA ============================================================= */

static void test_dma_basic(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_in in[3] = {
		{ 0x10000000, 4096, PP_DEXT_PROT_READ, 0, 0 },
		{ 0x10003000, 0x2000, PP_DEXT_PROT_RW, 0, 0 },  /* 2 pages */
		{ 0x20000000, 256 * KiB, PP_DEXT_PROT_WRITE, 0, 0 },
	};
	struct pp_dext_map_out out[3];
	struct pp_dext_unmap_in un[3];
	struct pp_dext_dma_usage u;
	int32_t st[3];
	uint64_t addr;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(map_n(e->c, in, out, 3), PP_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(out[i].status, PP_OK);
		assert_int_not_equal(out[i].handle, 0);
		assert_int_equal(out[i].len, in[i].len);
		assert_int_equal(out[i].nseg, 1);
		assert_int_equal(out[i].reserved, 0);
		/* The DART keeps the offset in the 16 KiB page. */
		assert_int_equal(out[i].bus & (PG - 1), in[i].addr & (PG - 1));
		assert_true(pp_fake_covers(&e->f, out[i].bus, in[i].len,
					   &addr));
		assert_int_equal(addr, in[i].addr);
	}
	assert_int_not_equal(out[0].bus, out[1].bus);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 3);
	assert_int_equal(u.live_bytes, PG + 2 * PG + 256 * KiB);
	assert_int_equal(u.cap_bytes, PP_DEXT_DEFAULT_CAP_BYTES);
	assert_int_equal(u.max_entries, PP_DEXT_DEFAULT_MAX_ENTRIES);
	assert_int_equal(u.max_map_len, PP_DEXT_DEFAULT_MAX_MAP_LEN);
	assert_int_equal(u.maps, 3);
	assert_int_equal(u.faults, 0);
	assert_int_equal(e->f.live_preps, 3);

	for (int i = 0; i < 3; i++) {
		un[i].bus = out[i].bus;
		un[i].handle = i == 1 ? 0 : out[i].handle;  /* by bus alone */
		un[i].reserved = 0;
	}
	assert_int_equal(unmap_n(e->c, un, st, 3), PP_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(st[i], PP_OK);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 0);
	assert_int_equal(u.live_bytes, 0);
	assert_int_equal(u.peak_entries, 3);
	assert_int_equal(u.unmaps, 3);
	assert_int_equal(e->f.live_preps, 0);
}

static void test_dma_entry_validation(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_in in[10] = {
		{ 0x10000000, PG, PP_DEXT_PROT_RW, 0, 1 },        /* reserved */
		{ 0x10000000, PG, PP_DEXT_PROT_RW, 2, 0 },        /* flag */
		{ 0x10000000, 0, PP_DEXT_PROT_RW, 0, 0 },         /* len 0 */
		{ 0, PG, PP_DEXT_PROT_RW, 0, 0 },                 /* addr 0 */
		{ 0x10000000, PG, 0, 0, 0 },                      /* prot 0 */
		{ 0x10000000, PG, 4, 0, 0 },                      /* prot bit */
		{ UINT64_MAX - PG + 2, PG, PP_DEXT_PROT_RW, 0, 0 }, /* wraps */
		{ 1ull << 63, 1ull << 63, PP_DEXT_PROT_RW, 0, 0 },  /* = 2^64 */
		{ 0x10000000, PG, PP_DEXT_PROT_RW, 0, 0 },        /* good */
		{ 0x10004000, PG, PP_DEXT_PROT_READ, 0, 0 },      /* good */
	};
	static const int want[10] = {
		PP_ERR_RESERVED, PP_ERR_RESERVED, PP_ERR_INVAL, PP_ERR_INVAL,
		PP_ERR_INVAL, PP_ERR_INVAL, PP_ERR_OVERFLOW, PP_ERR_OVERFLOW,
		PP_OK, PP_OK,
	};
	struct pp_dext_map_out out[10];
	struct pp_dext_dma_usage u;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(map_n(e->c, in, out, 10), PP_OK);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(out[i].status, want[i]);
		if (want[i] != PP_OK) {
			assert_int_equal(out[i].bus, 0);
			assert_int_equal(out[i].handle, 0);
			assert_int_equal(out[i].len, 0);
		}
	}
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 2);
	assert_int_equal(u.map_failures, 8);
	assert_int_equal(e->f.prepares, 2);   /* refusals never reach DART */
}

/* A DART that splits the range into non-adjacent pieces: the range fails
 * with SPLIT, the hint is the first piece, nothing stays mapped. */
static void test_dma_split_refused(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;
	struct pp_dext_dma_usage u;

	assert_int_equal(claim(e->c), PP_OK);
	e->f.split_every = 64 * KiB;
	assert_int_equal(map1(e->c, 0x10008000, 128 * KiB, PP_DEXT_PROT_RW, 0,
			      &o), PP_ERR_SPLIT);
	assert_int_equal(o.len, 32 * KiB);        /* up to the boundary */
	assert_int_equal(o.bus, 0);
	assert_int_equal(o.handle, 0);
	assert_int_equal(o.nseg, 3);
	assert_int_equal(e->f.live_preps, 0);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 0);
	assert_int_equal(u.live_bytes, 0);
	assert_int_equal(u.splits, 1);
	assert_int_equal(u.map_failures, 1);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_SPLIT), 0xE00002D4u);
	/* Inside one piece it maps. */
	assert_int_equal(map1(e->c, 0x10010000, 64 * KiB, PP_DEXT_PROT_RW, 0,
			      &o), PP_OK);
	assert_int_equal(o.nseg, 1);
}

/* Adjacent pieces form one contiguous bus range: accepted. */
static void test_dma_adjacent_merged(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;

	assert_int_equal(claim(e->c), PP_OK);
	e->f.split_every = 16 * KiB;
	e->f.adjacent = true;
	assert_int_equal(map1(e->c, 0x10000000, 20 * PG, PP_DEXT_PROT_RW, 0,
			      &o), PP_OK);
	assert_int_equal(o.nseg, 20);
	assert_int_equal(o.len, 20 * PG);
	assert_true(pp_fake_covers(&e->f, o.bus, 20 * PG, NULL));
	assert_int_equal(unmap1(e->c, o.bus, o.handle), PP_OK);
}

struct piece { uint64_t addr, len, bus; uint32_t handle; };

/* Maps [addr, addr + len) with PARTIAL, window by window, as a client
 * does; returns the pieces. */
static unsigned int map_windows(struct env *e, uint64_t addr, uint64_t len,
				struct piece *p, unsigned int max)
{
	unsigned int n = 0;

	while (len) {
		struct pp_dext_map_out o;

		assert_true(n < max);
		assert_int_equal(map1(e->c, addr, len, PP_DEXT_PROT_RW,
				      PP_DEXT_MAP_F_PARTIAL, &o), PP_OK);
		assert_true(o.len > 0 && o.len <= len);
		assert_true(pp_fake_covers(&e->f, o.bus, o.len, NULL));
		p[n].addr = addr;
		p[n].len = o.len;
		p[n].bus = o.bus;
		p[n].handle = o.handle;
		n++;
		addr += o.len;
		len -= o.len;
	}
	return n;
}

static void test_dma_partial_windows(void **state)
{
	struct env *e = *state;
	struct piece p[8];
	struct pp_dext_dma_usage u;
	unsigned int n;

	assert_int_equal(claim(e->c), PP_OK);
	e->f.split_every = 64 * KiB;
	n = map_windows(e, 0x10008000, 160 * KiB, p, 8);
	/* Pieces end at the DART's boundaries: 32 + 64 + 64 KiB. */
	assert_int_equal(n, 3);
	assert_int_equal(p[0].len, 32 * KiB);
	assert_int_equal(p[1].len, 64 * KiB);
	assert_int_equal(p[2].len, 64 * KiB);
	assert_int_not_equal(p[0].bus, p[1].bus);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 3);
	assert_int_equal(e->f.live_preps, 3);   /* no stray preparation */
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(unmap1(e->c, p[i].bus, p[i].handle), PP_OK);
	assert_int_equal(e->f.live_preps, 0);
}

/* More than 32 segments: PrepareForDMA returns 32 and does not fail.  The
 * core notices the short preparation and keeps nothing of it. */
static void test_dma_short_preparation(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;
	struct piece p[4];
	unsigned int n;

	assert_int_equal(claim(e->c), PP_OK);
	e->f.split_every = PG;
	e->f.adjacent = true;        /* even adjacent: 32 of 64 reported */
	assert_int_equal(map1(e->c, 0x10000000, 64 * PG, PP_DEXT_PROT_RW, 0,
			      &o), PP_ERR_SPLIT);
	assert_int_equal(o.nseg, 32);
	assert_int_equal(o.len, 32 * PG);
	assert_int_equal(e->f.live_preps, 0);
	/* PARTIAL: two windows of 32 pages. */
	n = map_windows(e, 0x10000000, 64 * PG, p, 4);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].len, 32 * PG);
	assert_int_equal(p[1].len, 32 * PG);
	assert_int_equal(e->f.live_preps, 2);
	/* PARTIAL with a DART that splits the window prepared again too:
	 * SPLIT with the new hint, nothing kept.  With one split only, the
	 * window maps. */
	e->f.split_every = 0;
	e->f.adjacent = false;
	e->f.force_split = 1;
	assert_int_equal(map1(e->c, 0x30000000, 4 * PG, PP_DEXT_PROT_RW,
			      PP_DEXT_MAP_F_PARTIAL, &o), PP_OK);
	assert_int_equal(o.len, 2 * PG);
	e->f.force_split = 2;
	assert_int_equal(map1(e->c, 0x30010000, 4 * PG, PP_DEXT_PROT_RW,
			      PP_DEXT_MAP_F_PARTIAL, &o), PP_ERR_SPLIT);
	assert_int_equal(o.len, PG);
	assert_int_equal(e->f.live_preps, 3);
	e->f.split_every = PG;
	/* A platform that reports fewer segments than it could. */
	e->f.max_segs = 3;
	e->f.adjacent = false;
	assert_int_equal(map1(e->c, 0x20000000, 10 * PG, PP_DEXT_PROT_RW, 0,
			      &o), PP_ERR_SPLIT);
	assert_int_equal(o.nseg, 3);
	assert_int_equal(o.len, PG);
	assert_int_equal(e->f.live_preps, 3);
}

/* The reference's bug: 1.5 GiB chunks, only the first chunk's address
 * returned.  Here a 2 GiB range the DART maps as 1.5 + 0.5 GiB is never
 * reported as one bus range. */
static void test_dma_chunk_1_5g(void **state)
{
	struct pp_dext_config cfg;
	struct env *e;
	struct pp_dext_map_out o;
	struct pp_dext_dma_usage u;
	struct piece p[4];
	unsigned int n;
	const uint64_t base = 0x180000000ull;   /* 6 GiB: 1.5 GiB-aligned */

	(void)state;
	pp_dext_config_defaults(&cfg);
	cfg.cap_bytes = 8 * GiB;
	cfg.max_map_len = 4 * GiB;
	e = env_new(&cfg);
	assert_int_equal(claim(e->c), PP_OK);
	e->f.split_every = 1536 * MiB;
	assert_int_equal(map1(e->c, base, 2 * GiB, PP_DEXT_PROT_RW, 0, &o),
			 PP_ERR_SPLIT);
	assert_int_equal(o.nseg, 2);
	assert_int_equal(o.len, 1536 * MiB);
	assert_int_equal(o.bus, 0);
	assert_int_equal(e->f.live_preps, 0);
	usage(e->c, &u);
	assert_int_equal(u.live_bytes, 0);

	n = map_windows(e, base, 2 * GiB, p, 4);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].len, 1536 * MiB);
	assert_int_equal(p[1].len, 512 * MiB);
	assert_int_equal(p[1].addr, base + 1536 * MiB);
	usage(e->c, &u);
	assert_int_equal(u.live_bytes, 2 * GiB);
	assert_int_equal(u.live_entries, 2);
	env_free(e);

	/* With the default max_map_len (1 GiB) a 2 GiB range is refused up
	 * front, hint 1 GiB, and PARTIAL maps it in 1 GiB windows. */
	e = env_new(NULL);
	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(map1(e->c, base, 2 * GiB, PP_DEXT_PROT_RW, 0, &o),
			 PP_ERR_SPLIT);
	assert_int_equal(o.len, 1 * GiB);
	assert_int_equal(o.nseg, 0);
	assert_int_equal(e->f.prepares, 0);
	n = map_windows(e, base + PG / 2, 1 * GiB + PG, p, 4);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].len, 1 * GiB);
	assert_int_equal(p[1].len, PG);
	env_free(e);
}

static void test_dma_caps(void **state)
{
	struct pp_dext_config cfg;
	struct env *e;
	struct pp_dext_map_out o[5];
	struct pp_dext_dma_usage u;

	(void)state;
	pp_dext_config_defaults(&cfg);
	cfg.max_entries = 4;
	cfg.cap_bytes = 6 * PG;
	cfg.max_map_len = 4 * PG;
	e = env_new(&cfg);
	assert_int_equal(claim(e->c), PP_OK);
	/* An unaligned 2-byte range across a page boundary costs 2 pages. */
	assert_int_equal(map1(e->c, 0x10003fff, 2, PP_DEXT_PROT_RW, 0, &o[0]),
			 PP_OK);
	usage(e->c, &u);
	assert_int_equal(u.live_bytes, 2 * PG);
	/* 5 pages would exceed 6. */
	assert_int_equal(map1(e->c, 0x20000000, 4 * PG + 1, PP_DEXT_PROT_RW,
			      0, &o[1]), PP_ERR_SPLIT);  /* > max_map_len */
	assert_int_equal(map1(e->c, 0x20000001, 4 * PG, PP_DEXT_PROT_RW, 0,
			      &o[1]), PP_ERR_NOSPC);   /* 5 pages */
	assert_int_equal(map1(e->c, 0x20000000, 4 * PG, PP_DEXT_PROT_RW, 0,
			      &o[1]), PP_OK);          /* exactly 6 */
	assert_int_equal(map1(e->c, 0x30000000, 1, PP_DEXT_PROT_RW, 0, &o[2]),
			 PP_ERR_NOSPC);
	assert_int_equal(unmap1(e->c, o[1].bus, o[1].handle), PP_OK);
	assert_int_equal(map1(e->c, 0x30000000, 1, PP_DEXT_PROT_RW, 0, &o[1]),
			 PP_OK);
	assert_int_equal(map1(e->c, 0x30004000, 1, PP_DEXT_PROT_RW, 0, &o[2]),
			 PP_OK);
	assert_int_equal(map1(e->c, 0x30008000, 1, PP_DEXT_PROT_RW, 0, &o[3]),
			 PP_OK);
	/* Entry cap: TOOMANY wins even with bytes left. */
	assert_int_equal(map1(e->c, 0x3000c000, 1, PP_DEXT_PROT_RW, 0, &o[4]),
			 PP_ERR_TOOMANY);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 4);
	assert_int_equal(u.live_bytes, 5 * PG);
	assert_true(u.live_bytes <= u.cap_bytes);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_TOOMANY),
			 0xE00002BEu);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_NOSPC),
			 0xE00002DBu);
	env_free(e);
}

static void test_dma_unmap_errors(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;
	struct pp_dext_unmap_in in = { 0, 0, 1 };
	struct pp_dext_dma_usage u;
	int32_t st;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_OK);
	assert_int_equal(unmap1(e->c, o.bus + 1, 0), PP_ERR_NOENT);
	assert_int_equal(unmap1(e->c, o.bus - 1, 0), PP_ERR_NOENT);
	assert_int_equal(unmap1(e->c, 0, 0), PP_ERR_NOENT);
	assert_int_equal(unmap1(e->c, o.bus, o.handle + 1), PP_ERR_NOENT);
	in.bus = o.bus;
	assert_int_equal(unmap_n(e->c, &in, &st, 1), PP_OK);
	assert_int_equal(st, PP_ERR_RESERVED);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 1);     /* still mapped */
	assert_int_equal(unmap1(e->c, o.bus, o.handle), PP_OK);
	assert_int_equal(unmap1(e->c, o.bus, o.handle), PP_ERR_NOENT);
	/* A stale handle does not unmap a newer registration at the same
	 * bus address (the fake reuses it with dup_bus). */
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_OK);
	{
		uint32_t old = o.handle;
		uint64_t bus = o.bus;

		assert_int_equal(unmap1(e->c, bus, old), PP_OK);
		e->f.last_bus = bus;
		e->f.dup_bus = true;
		assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW,
				      0, &o), PP_OK);
		assert_int_equal(o.bus, bus);
		assert_int_not_equal(o.handle, old);
		assert_int_equal(unmap1(e->c, bus, old), PP_ERR_NOENT);
		assert_int_equal(unmap1(e->c, bus, o.handle), PP_OK);
	}
	/* CompleteDMA failing: released anyway, reported as HOST. */
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_OK);
	e->f.complete_fail = PP_ERR_HOST;
	assert_int_equal(unmap1(e->c, o.bus, o.handle), PP_ERR_HOST);
	e->f.complete_fail = 0;
	assert_int_equal(unmap1(e->c, o.bus, o.handle), PP_ERR_NOENT);
	usage(e->c, &u);
	assert_int_equal(u.live_entries, 0);
	assert_int_equal(u.live_bytes, 0);
	assert_int_equal(e->f.live_preps, 0);
}

static void test_dma_platform_errors(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o, o2;
	struct pp_dext_stats s;
	static const int passthrough[] = { PP_ERR_RANGE, PP_ERR_NOMEM,
					   PP_ERR_NOSPC, PP_ERR_TOOMANY,
					   PP_ERR_HOST };

	assert_int_equal(claim(e->c), PP_OK);
	for (size_t i = 0; i < 5; i++) {
		e->f.fail_next = passthrough[i];
		assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0,
				      &o), passthrough[i]);
	}
	/* Any other status from the platform is a host failure. */
	e->f.fail_next = PP_ERR_SPLIT;
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_ERR_HOST);
	e->f.fail_next = 99;
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_ERR_HOST);
	/* Not the client's memory. */
	e->f.bad_lo = 0x50000000;
	e->f.bad_hi = 0x50010000;
	assert_int_equal(map1(e->c, 0x4fffc000, 2 * PG, PP_DEXT_PROT_RW, 0,
			      &o), PP_ERR_RANGE);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_RANGE), 0xE00002C8u);
	/* Direction not granted: refused, the preparation completed. */
	e->f.grant_mask = PP_DEXT_PROT_READ;
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_ERR_HOST);
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_READ, 0, &o),
			 PP_OK);
	e->f.grant_mask = PP_DEXT_PROT_RW;
	/* Zero segments. */
	e->f.zero_segs = 1;
	assert_int_equal(map1(e->c, 0x10004000, PG, PP_DEXT_PROT_RW, 0, &o2),
			 PP_ERR_HOST);
	/* The DART handing out a live range again. */
	e->f.last_bus = o.bus;
	e->f.dup_bus = true;
	assert_int_equal(map1(e->c, 0x10004000, PG, PP_DEXT_PROT_RW, 0, &o2),
			 PP_ERR_HOST);
	e->f.last_bus = o.bus - 100;     /* overlapping, not equal */
	e->f.dup_bus = true;
	assert_int_equal(map1(e->c, 0x10004000, PG, PP_DEXT_PROT_RW, 0, &o2),
			 PP_ERR_HOST);
	/* Garbage segments: zero-length, longer than asked, wrapping; and
	 * success without a token. */
	for (unsigned int k = 1; k <= 4; k++) {
		e->f.bad_seg = k;
		assert_int_equal(map1(e->c, 0x10004000, PG, PP_DEXT_PROT_RW,
				      0, &o2), PP_ERR_HOST);
	}
	assert_int_equal(e->f.live_preps, 1);
	pp_dext_get_stats(e->d, &s);
	assert_int_equal(s.platform_anomalies, 8);
	assert_int_equal(unmap1(e->c, o.bus, o.handle), PP_OK);
}

static void test_dma_nomem(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;

	assert_int_equal(claim(e->c), PP_OK);
	e->f.alloc_fail_in = 1;          /* the registration record */
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_ERR_NOMEM);
	assert_int_equal(e->f.live_preps, 0);
	assert_int_equal(map1(e->c, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_OK);
	/* CLAIM itself out of memory. */
	assert_int_equal(release(e->c), PP_OK);
	e->f.alloc_fail_in = 1;
	assert_int_equal(claim(e->c), PP_ERR_NOMEM);
	assert_int_equal(claim(e->c2), PP_OK);    /* nothing left claimed */
}

/* RELEASE: bus mastering off first, then every preparation completed. */
static void test_release_completes_dma(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;
	struct pp_dext_dma_usage u;
	uint64_t m;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(cfg_write(e->c, 0x04, 2, 0x0006, &m), PP_OK);
	for (int i = 0; i < 50; i++)
		assert_int_equal(map1(e->c, 0x10000000 + i * 3 * PG, 2 * PG,
				      PP_DEXT_PROT_RW, 0, &o), PP_OK);
	assert_int_equal(e->f.live_preps, 50);
	e->f.completes_with_bme = 0;
	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(e->f.live_preps, 0);
	assert_int_equal(e->f.completes_with_bme, 0);
	assert_int_equal(pp_fake_cfg16(&e->f, 0x04), 0x0000); /* MSE, BME */
	assert_int_equal(pp_dext_client_mem(e->c),
			 pp_dext_client_mem(e->c2));           /* all freed */
	/* The next owner starts empty. */
	assert_int_equal(claim(e->c2), PP_OK);
	usage(e->c2, &u);
	assert_int_equal(u.live_entries, 0);
	assert_int_equal(u.peak_entries, 0);
	/* Closing the owner does the same. */
	assert_int_equal(map1(e->c2, 0x10000000, PG, PP_DEXT_PROT_RW, 0, &o),
			 PP_OK);
	pp_dext_client_close(e->c2);
	e->c2 = pp_dext_client_new(e->d, &e->f);
	assert_int_equal(e->f.live_preps, 0);
	assert_int_equal(claim(e->c), PP_OK);
}

/* ==== interrupts ======================================================= */

static void test_irq_configure(void **state)
{
	struct env *e = *state;
	uint64_t t, g;
	struct pp_dext_info i;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(irq_conf(e->c, 0, 4, &t, &g), PP_ERR_INVAL);
	assert_int_equal(irq_conf(e->c, 4, 4, &t, &g), PP_ERR_INVAL);
	assert_int_equal(irq_conf(e->c, 1ull << 32 | 2, 4, &t, &g),
			 PP_ERR_INVAL);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 0, &t, &g),
			 PP_ERR_COUNT);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 257, &t, &g),
			 PP_ERR_COUNT);
	assert_int_equal(e->f.irq_calls, 0);
	/* 32 asked, the table has 9: 9 asked of the kernel. */
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 32, &t, &g), PP_OK);
	assert_int_equal(t, PP_DEXT_IRQ_MSIX);
	assert_int_equal(g, 9);
	assert_int_equal(e->f.irq_granted, 9);
	assert_true(e->f.irq_enabled);
	/* Again: served from the existing configuration. */
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 4, &t, &g), PP_OK);
	assert_int_equal(g, 4);
	assert_int_equal(e->f.irq_calls, 1);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSI, 1, &t, &g),
			 PP_ERR_INVAL);
	assert_int_equal(info(e->c, &i), PP_OK);
	assert_int_equal(i.irq_type, PP_DEXT_IRQ_MSIX);
	assert_int_equal(i.irq_granted, 9);
	assert_true(i.state & PP_DEXT_STATE_IRQ_CONFIGURED);
	/* Release disables; a new claim re-enables without reconfiguring. */
	assert_int_equal(release(e->c), PP_OK);
	assert_false(e->f.irq_enabled);
	assert_int_equal(claim(e->c2), PP_OK);
	assert_true(e->f.irq_enabled);
	assert_int_equal(irq_conf(e->c2, PP_DEXT_IRQ_MSIX, 16, &t, &g), PP_OK);
	assert_int_equal(g, 9);
	assert_int_equal(e->f.irq_calls, 1);
}

static void test_irq_fallback(void **state)
{
	struct env *e = *state;
	uint64_t t, g;

	assert_int_equal(claim(e->c), PP_OK);
	e->f.irq_fail_msix = PP_ERR_HOST;
	/* MSI-X is strict: refused by the kernel, nothing configured. */
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 8, &t, &g),
			 PP_ERR_HOST);
	assert_int_equal(e->f.irq_calls, 1);
	/* ANY falls back to MSI and says so. */
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_ANY, 8, &t, &g), PP_OK);
	assert_int_equal(t, PP_DEXT_IRQ_MSI);
	assert_int_equal(g, 1);               /* the MSI cap has one vector */
	assert_int_equal(e->f.irq_calls, 3);
	/* MSI configured: MSI and ANY requests are served, MSI-X not. */
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSI, 1, &t, &g), PP_OK);
	assert_int_equal(t, PP_DEXT_IRQ_MSI);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_ANY, 4, &t, &g), PP_OK);
	assert_int_equal(t, PP_DEXT_IRQ_MSI);
	assert_int_equal(g, 1);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 4, &t, &g),
			 PP_ERR_INVAL);
	assert_int_equal(e->f.irq_calls, 3);
}

static void test_irq_any_prefers_msix(void **state)
{
	struct env *e = *state;
	uint64_t t, g;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_ANY, 4, &t, &g), PP_OK);
	assert_int_equal(t, PP_DEXT_IRQ_MSIX);
	assert_int_equal(g, 4);
	assert_int_equal(e->f.irq_calls, 1);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 2, &t, &g), PP_OK);
	assert_int_equal(g, 2);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSI, 1, &t, &g),
			 PP_ERR_INVAL);
}

/* A function with MSI only: an MSI-X request is unsupported (the client
 * then asks for MSI), ANY gives MSI. */
static void test_irq_msi_only(void **state)
{
	struct pp_fake f;
	struct pp_dext_dev *d;
	struct pp_dext_client *c;
	uint64_t t, g;
	int st;

	(void)state;
	pp_fake_init(&f);
	f.cfg[0x69] = 0x00;                   /* MSI is the last capability */
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 0, 0, 0, 0, &st);
	c = pp_dext_client_new(d, &f);
	assert_int_equal(claim(c), PP_OK);
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_MSIX, 4, &t, &g), PP_ERR_BADOP);
	assert_int_equal(f.irq_calls, 0);
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_ANY, 4, &t, &g), PP_OK);
	assert_int_equal(t, PP_DEXT_IRQ_MSI);
	assert_int_equal(g, 1);
	pp_dext_client_close(c);
	pp_dext_device_free(d);
	assert_int_equal(f.mem_live, 0);
	pp_fake_fini(&f);
}

static void test_irq_fail_and_nocaps(void **state)
{
	struct pp_fake f;
	struct pp_dext_dev *d;
	struct pp_dext_client *c;
	uint64_t t, g;
	int st;

	(void)state;
	/* Both refused: a host error, nothing configured. */
	pp_fake_init(&f);
	f.irq_fail_msix = PP_ERR_HOST;
	f.irq_fail_msi = PP_ERR_NOMEM;
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 0, 0, 0, 0, &st);
	c = pp_dext_client_new(d, &f);
	assert_int_equal(claim(c), PP_OK);
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_ANY, 4, &t, &g), PP_ERR_HOST);
	assert_int_equal(f.irq_calls, 2);
	f.irq_fail_msix = 0;
	f.irq_grant_max = 2;      /* the kernel grants fewer */
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_MSIX, 4, &t, &g), PP_OK);
	assert_int_equal(g, 2);
	pp_dext_client_close(c);
	pp_dext_device_free(d);
	pp_fake_fini(&f);

	/* No MSI, no MSI-X: unsupported. */
	pp_fake_init(&f);
	pp_fake_no_caps(&f);
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 0, 0, 0, 0, &st);
	c = pp_dext_client_new(d, &f);
	assert_int_equal(claim(c), PP_OK);
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_MSIX, 4, &t, &g), PP_ERR_BADOP);
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_MSI, 1, &t, &g), PP_ERR_BADOP);
	assert_int_equal(irq_conf(c, PP_DEXT_IRQ_ANY, 1, &t, &g), PP_ERR_BADOP);
	assert_int_equal(f.irq_calls, 0);
	pp_dext_client_close(c);
	pp_dext_device_free(d);
	assert_int_equal(f.mem_live, 0);
	pp_fake_fini(&f);
}

static bool has(const uint64_t p[4], unsigned int v)
{
	return (p[v / 64] >> (v % 64)) & 1;
}

static unsigned int bits(const uint64_t p[4])
{
	unsigned int n = 0;

	for (int w = 0; w < 4; w++)
		n += (unsigned int)__builtin_popcountll(p[w]);
	return n;
}

/* The latch through the core: masked raise -> no completion; unmask ->
 * completion; nothing dropped, nothing doubled. */
static void test_irq_latch(void **state)
{
	struct env *e = *state;
	uint64_t p[4], g;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 9, NULL, &g), PP_OK);

	assert_int_equal(arm(e->c, &token_a), PP_OK);
	assert_int_equal(ncpl(e), 0);
	pp_dext_irq_raise(e->d, 2);
	assert_int_equal(ncpl(e), 1);
	assert_ptr_equal(CPL(e, 0).token, &token_a);
	assert_int_equal(CPL(e, 0).ioret, PP_DEXT_IORET_SUCCESS);
	assert_int_equal(CPL(e, 0).args[0], PP_DEXT_WAKE_IRQ);
	assert_int_equal(CPL(e, 0).args[1], 0);
	assert_int_equal(CPL(e, 0).args[2], 1);
	pp_dext_irq_raise(e->d, 2);          /* coalesces */
	pp_dext_irq_raise(e->d, 8);
	assert_int_equal(ncpl(e), 1);        /* no wait armed */
	assert_int_equal(take(e->c, p), PP_OK);
	assert_int_equal(bits(p), 2);
	assert_true(has(p, 2) && has(p, 8));
	assert_int_equal(take(e->c, p), PP_OK);
	assert_int_equal(bits(p), 0);

	/* Masked: latched, no wake-up. */
	assert_int_equal(mask(e->c, 3, 1), PP_OK);
	assert_int_equal(arm(e->c, &token_b), PP_OK);
	pp_dext_irq_raise(e->d, 3);
	pp_dext_irq_raise(e->d, 3);
	assert_int_equal(ncpl(e), 1);
	assert_int_equal(take(e->c, p), PP_OK);
	assert_int_equal(bits(p), 0);        /* masked ones stay latched */
	/* Unmask: delivered, once. */
	assert_int_equal(mask(e->c, 3, 0), PP_OK);
	assert_int_equal(ncpl(e), 2);
	assert_ptr_equal(CPL(e, 1).token, &token_b);
	assert_int_equal(CPL(e, 1).args[0], PP_DEXT_WAKE_IRQ);
	assert_int_equal(take(e->c, p), PP_OK);
	assert_int_equal(bits(p), 1);
	assert_true(has(p, 3));
	/* Unmasking something not latched wakes nobody. */
	assert_int_equal(arm(e->c, &token_c), PP_OK);
	assert_int_equal(mask(e->c, 4, 1), PP_OK);
	assert_int_equal(mask(e->c, 4, 0), PP_OK);
	assert_int_equal(ncpl(e), 2);
	/* Field checks. */
	assert_int_equal(mask(e->c, 256, 1), PP_ERR_INVAL);
	assert_int_equal(mask(e->c, 0, 2), PP_ERR_INVAL);
	/* Release aborts the armed wait. */
	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(ncpl(e), 3);
	assert_ptr_equal(CPL(e, 2).token, &token_c);
	assert_int_equal(CPL(e, 2).ioret, PP_DEXT_IORET_ABORTED);
	assert_int_equal(CPL(e, 2).args[0], 0);
}

static void test_irq_arm_when_pending(void **state)
{
	struct env *e = *state;
	uint64_t p[4];

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 9, NULL, NULL),
			 PP_OK);
	pp_dext_irq_raise(e->d, 5);     /* nobody waiting */
	assert_int_equal(ncpl(e), 0);
	assert_int_equal(arm(e->c, &token_a), PP_OK);   /* completes now */
	assert_int_equal(ncpl(e), 1);
	assert_int_equal(CPL(e, 0).args[0], PP_DEXT_WAKE_IRQ);
	assert_int_equal(take(e->c, p), PP_OK);
	assert_true(has(p, 5));
	/* Replacing an armed wait aborts the old one. */
	assert_int_equal(arm(e->c, &token_a), PP_OK);
	assert_int_equal(arm(e->c, &token_b), PP_OK);
	assert_int_equal(ncpl(e), 2);
	assert_ptr_equal(CPL(e, 1).token, &token_a);
	assert_int_equal(CPL(e, 1).ioret, PP_DEXT_IORET_ABORTED);
	pp_dext_irq_raise(e->d, 0);
	assert_int_equal(ncpl(e), 3);
	assert_ptr_equal(CPL(e, 2).token, &token_b);
	assert_int_equal(CPL(e, 2).ioret, PP_DEXT_IORET_SUCCESS);
	/* Sequence numbers run on. */
	assert_int_equal(CPL(e, 2).args[2], 3);
}

static void test_irq_spurious(void **state)
{
	struct env *e = *state;
	struct pp_dext_stats s;
	uint64_t p[4];

	pp_dext_irq_raise(e->d, 0);           /* not configured, not claimed */
	assert_int_equal(claim(e->c), PP_OK);
	pp_dext_irq_raise(e->d, 0);           /* claimed, not configured */
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 2, NULL, NULL),
			 PP_OK);
	pp_dext_irq_raise(e->d, 2);           /* beyond the granted two */
	pp_dext_irq_raise(e->d, 255);
	pp_dext_irq_raise(e->d, 100000);
	assert_int_equal(take(e->c, p), PP_OK);
	assert_int_equal(bits(p), 0);
	pp_dext_irq_raise(e->d, 1);
	assert_int_equal(release(e->c), PP_OK);
	pp_dext_irq_raise(e->d, 1);           /* released */
	assert_int_equal(claim(e->c), PP_OK); /* latch cleared at claim */
	assert_int_equal(take(e->c, p), PP_OK);
	assert_int_equal(bits(p), 0);
	pp_dext_get_stats(e->d, &s);
	assert_int_equal(s.irq_spurious, 6);
	assert_int_equal(s.irq_raised, 1);
	/* Masks are reset at claim too. */
	assert_int_equal(mask(e->c, 1, 1), PP_OK);
	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(claim(e->c), PP_OK);
	pp_dext_irq_raise(e->d, 1);
	assert_int_equal(take(e->c, p), PP_OK);
	assert_true(has(p, 1));
}

/* A raiser thread against a waiter that arms, waits and takes: every
 * raise is taken exactly once and no wake-up is lost. */
struct race {
	struct env *e;
	_Atomic unsigned int taken_total;
	_Atomic bool stop;
	unsigned int rounds;
};

static void *raiser(void *arg)
{
	struct race *r = arg;

	for (unsigned int k = 0; k < r->rounds; k++) {
		unsigned int before = atomic_load(&r->taken_total);

		pp_dext_irq_raise(r->e->d, k % 9);
		/* Wait until the waiter took it (no coalescing to account). */
		while (atomic_load(&r->taken_total) == before &&
		       !atomic_load(&r->stop))
			;
	}
	return NULL;
}

static void test_irq_threaded(void **state)
{
	struct env *e = *state;
	struct race r = { .e = e, .rounds = 20000 };
	pthread_t th;
	unsigned int seen = 0;
	time_t t0 = time(NULL);

	atomic_init(&r.taken_total, 0);
	atomic_init(&r.stop, false);
	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 9, NULL, NULL),
			 PP_OK);
	assert_int_equal(pthread_create(&th, NULL, raiser, &r), 0);
	while (atomic_load(&r.taken_total) < r.rounds) {
		unsigned int c0 = ncpl(e);
		uint64_t p[4];

		assert_int_equal(arm(e->c, &token_a), PP_OK);
		while (ncpl(e) == c0) {
			if (time(NULL) - t0 > 60) {
				atomic_store(&r.stop, true);
				pthread_join(th, NULL);
				fail_msg("lost wake-up after %u takes",
					 atomic_load(&r.taken_total));
			}
		}
		assert_int_equal(CPL(e, c0).ioret, PP_DEXT_IORET_SUCCESS);
		assert_int_equal(take(e->c, p), PP_OK);
		seen = bits(p);
		assert_true(seen <= 1);
		atomic_fetch_add(&r.taken_total, seen);
	}
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&r.taken_total), r.rounds);
}

/* ==== unplug ============================================================== */

static void test_gone(void **state)
{
	struct env *e = *state;
	struct pp_dext_map_out o;
	struct pp_dext_info i;
	struct pp_dext_stats s;
	struct shape sh;
	unsigned int calls;
	uint64_t ev = 0;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(irq_conf(e->c, PP_DEXT_IRQ_MSIX, 4, NULL, NULL),
			 PP_OK);
	for (int k = 0; k < 10; k++)
		assert_int_equal(map1(e->c, 0x10000000 + k * PG, PG,
				      PP_DEXT_PROT_RW, 0, &o), PP_OK);
	assert_int_equal(arm(e->c, &token_a), PP_OK);

	pp_dext_device_gone(e->d);
	/* The client learns at once... */
	assert_int_equal(ncpl(e), 1);
	assert_ptr_equal(CPL(e, 0).token, &token_a);
	assert_int_equal(CPL(e, 0).ioret, PP_DEXT_IORET_SUCCESS);
	assert_int_equal(CPL(e, 0).args[0], PP_DEXT_WAKE_EVENT);
	assert_int_equal(CPL(e, 0).args[1], PP_DEXT_EV_GONE);
	/* ... DMA is completed and released ... */
	assert_int_equal(e->f.live_preps, 0);
	/* ... and no device call is made afterwards. */
	calls = e->f.device_calls;
	for (uint32_t sel = 0; sel < PP_DEXT_SEL_COUNT; sel++) {
		int st;

		if (sel == PP_DEXT_SEL_RELEASE)
			continue;
		valid_shape(sel, &sh);
		st = call_shape(e->c, sel, &sh);
		if (pp_dext_methods[sel].after_gone)
			assert_int_equal(st, PP_OK);
		else
			assert_int_equal(st, PP_ERR_HOST);
		valid_shape(sel, &sh);
		st = call_shape(e->c2, sel, &sh);
		if (sel == PP_DEXT_SEL_INFO)
			assert_int_equal(st, PP_OK);
		else if (pp_dext_methods[sel].after_gone)
			assert_int_equal(st, PP_ERR_NOTREADY);
		else
			assert_int_equal(st, PP_ERR_HOST);
	}
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_HOST), 0xE00002C0u);
	assert_int_equal(ncpl(e), 1);   /* arming after gone is refused */
	pp_dext_irq_raise(e->d, 0);
	assert_int_equal(ncpl(e), 1);
	assert_int_equal(events(e->c, &ev), PP_OK);
	assert_int_equal(ev, PP_DEXT_EV_GONE);
	assert_int_equal(events(e->c, &ev), PP_OK);
	assert_int_equal(ev, PP_DEXT_EV_GONE);   /* sticky: a state */
	assert_int_equal(info(e->c, &i), PP_OK);
	assert_true(i.state & PP_DEXT_STATE_GONE);
	assert_true(i.state & PP_DEXT_STATE_MINE);
	assert_int_equal(claim(e->c2), PP_ERR_HOST);
	pp_dext_device_gone(e->d);                /* idempotent */
	assert_int_equal(ncpl(e), 1);
	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(e->f.device_calls, calls);
	pp_dext_get_stats(e->d, &s);
	assert_int_equal(s.releases, 1);
}

/* The device is freed by the shell while a client still holds it: the
 * free waits for the last client. */
static void test_device_free_deferred(void **state)
{
	struct pp_fake f;
	struct pp_dext_dev *d;
	struct pp_dext_client *c;
	struct pp_dext_info i;
	int st;

	(void)state;
	pp_fake_init(&f);
	d = pp_dext_device_new(&pp_fake_platform, &f, NULL, 0, 0, 0, 0, &st);
	c = pp_dext_client_new(d, &f);
	assert_int_equal(claim(c), PP_OK);
	pp_dext_device_free(d);         /* implies gone */
	assert_true(f.mem_live > 0);
	assert_int_equal(info(c, &i), PP_OK);
	assert_true(i.state & PP_DEXT_STATE_GONE);
	pp_dext_client_close(c);        /* frees the device now */
	assert_int_equal(f.mem_live, 0);
	pp_fake_fini(&f);
}

static void test_events_cleared_at_claim(void **state)
{
	struct env *e = *state;
	uint64_t ev = 1;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(events(e->c, &ev), PP_OK);
	assert_int_equal(ev, 0);
}

/* ==== reset =================================================================== */

static void test_reset(void **state)
{
	struct env *e = *state;

	assert_int_equal(claim(e->c), PP_OK);
	assert_int_equal(reset(e->c, 0), PP_ERR_INVAL);
	assert_int_equal(reset(e->c, 3), PP_ERR_INVAL);
	assert_int_equal(reset(e->c, 1ull << 32 | 1), PP_ERR_INVAL);
	assert_int_equal(reset(e->c, PP_DEXT_RESET_FUNCTION), PP_OK);
	assert_int_equal(e->f.resets[1], 1);
	assert_int_equal(e->f.resets[2], 0);
	e->f.reset_fail_flr = PP_ERR_BADOP;      /* no FLR: hot reset */
	assert_int_equal(reset(e->c, PP_DEXT_RESET_FUNCTION), PP_OK);
	assert_int_equal(e->f.resets[1], 2);
	assert_int_equal(e->f.resets[2], 1);
	assert_int_equal(reset(e->c, PP_DEXT_RESET_HOT), PP_OK);
	assert_int_equal(e->f.resets[1], 2);
	assert_int_equal(e->f.resets[2], 2);
	e->f.reset_fail_hot = PP_ERR_HOST;
	assert_int_equal(reset(e->c, PP_DEXT_RESET_FUNCTION), PP_ERR_HOST);
	assert_int_equal(reset(e->c, PP_DEXT_RESET_HOT), PP_ERR_HOST);
}

/* ==== IOReturn mapping ============================================================ */

static void test_ioreturn_mapping(void **state)
{
	(void)state;
	for (int a = 0; a < PP_STATUS_COUNT; a++) {
		uint32_t r = pp_dext_status_to_ioreturn(a);

		assert_int_equal(pp_dext_ioreturn_to_status(r), a);
		if (a)
			assert_int_equal(r >> 24, 0xE0);  /* sys_iokit */
		for (int b = 0; b < a; b++)
			assert_int_not_equal(r, pp_dext_status_to_ioreturn(b));
		assert_int_not_equal(r, PP_DEXT_IORET_ABORTED);
	}
	assert_int_equal(pp_dext_status_to_ioreturn(PP_OK), 0);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_INVAL), 0xE00002C2u);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_ERR_NOMEM), 0xE00002BDu);
	assert_int_equal(pp_dext_status_to_ioreturn(-1), 0xE00002BCu);
	assert_int_equal(pp_dext_status_to_ioreturn(PP_STATUS_COUNT),
			 0xE00002BCu);
	/* Anything the dext never returns is a host failure for the client. */
	assert_int_equal(pp_dext_ioreturn_to_status(0xE00002E2u), PP_ERR_HOST);
	assert_int_equal(pp_dext_ioreturn_to_status(0x10000003u), PP_ERR_HOST);
	assert_int_equal(pp_dext_ioreturn_to_status(PP_DEXT_IORET_ERROR),
			 PP_ERR_HOST);
}

/* ==== memory bound ================================================================= */

static int count_reg(void *arg, uint64_t bus, uint64_t addr, uint64_t len,
		     uint32_t handle)
{
	uint64_t *prev = arg;

	(void)addr;
	(void)len;
	(void)handle;
	assert_true(bus > prev[0] || prev[1] == 0);   /* ordered by bus */
	prev[0] = bus;
	prev[1]++;
	return 0;
}

static void test_memory_bound(void **state)
{
	struct pp_dext_config cfg;
	struct env *e;
	struct pp_dext_map_in in[PP_DEXT_MAP_BATCH_MAX];
	struct pp_dext_map_out out[PP_DEXT_MAP_BATCH_MAX];
	size_t idle, bound;
	uint64_t walk[2] = { 0, 0 };

	(void)state;
	/* The defaults: a few MiB per claim at most, not hundreds. */
	pp_dext_config_defaults(&cfg);
	bound = pp_dext_client_mem_bound(&cfg);
	assert_true(bound < 8 * MiB);
	print_message("client memory bound at defaults: %zu bytes "
		      "(%u entries)\n", bound, cfg.max_entries);

	cfg.max_entries = 4096;
	e = env_new(&cfg);
	idle = pp_dext_client_mem(e->c);
	assert_true(idle < 256);                    /* a non-claimer */
	assert_int_equal(claim(e->c), PP_OK);
	for (unsigned int b = 0; b < 4096 / PP_DEXT_MAP_BATCH_MAX; b++) {
		for (unsigned int i = 0; i < PP_DEXT_MAP_BATCH_MAX; i++) {
			in[i].addr = 0x100000000ull +
				     (b * PP_DEXT_MAP_BATCH_MAX + i) * 2 * PG;
			in[i].len = PG;
			in[i].prot = PP_DEXT_PROT_RW;
			in[i].flags = 0;
			in[i].reserved = 0;
		}
		assert_int_equal(map_n(e->c, in, out, PP_DEXT_MAP_BATCH_MAX),
				 PP_OK);
		for (unsigned int i = 0; i < PP_DEXT_MAP_BATCH_MAX; i++)
			assert_int_equal(out[i].status, PP_OK);
	}
	assert_int_equal(map1(e->c, 0x10, 1, PP_DEXT_PROT_RW, 0, &out[0]),
			 PP_ERR_TOOMANY);
	assert_true(pp_dext_client_mem(e->c) <= pp_dext_client_mem_bound(&cfg));
	assert_true(pp_dext_client_mem(e->c) > pp_dext_client_mem_bound(&cfg) / 2);
	/* The fake allocator agrees with the core's count (registrations,
	 * DMA state, the clients and the device: everything but the
	 * handle table, which handles.c allocates itself). */
	assert_int_equal(e->f.mem_live,
			 pp_dext_client_mem(e->c) - 4096 * PP_DEXT_HANDLE_SLOT_BYTES +
			 pp_dext_client_mem(e->c2) + pp_dext_device_mem(e->d));
	pp_dext_walk_regs(e->c, count_reg, walk);
	assert_int_equal(walk[1], 4096);
	assert_int_equal(release(e->c), PP_OK);
	assert_int_equal(pp_dext_client_mem(e->c), idle);
	env_free(e);
}

static void test_lock_discipline(void **state)
{
	struct env *e = *state;
	struct shape s;

	/* Every selector, valid and invalid, leaves the lock free. */
	assert_int_equal(claim(e->c), PP_OK);
	for (uint32_t sel = 0; sel < PP_DEXT_SEL_COUNT; sel++) {
		if (sel == PP_DEXT_SEL_RELEASE)
			continue;
		valid_shape(sel, &s);
		call_shape(e->c, sel, &s);
		assert_int_equal(atomic_load(&e->f.lock_depth), 0);
		valid_shape(sel, &s);
		s.nin++;
		call_shape(e->c, sel, &s);
		assert_int_equal(atomic_load(&e->f.lock_depth), 0);
	}
	assert_int_equal(e->f.lock_errors, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_table),
		cmocka_unit_test(test_expected_struct_out),
		T(test_unknown_selector),
		T(test_wrong_shapes),
		T(test_batch_counts),
		T(test_claim_required),
		T(test_claim_release),
		T(test_claim_quiesces),
		T(test_info),
		cmocka_unit_test(test_multimedia_refused),
		cmocka_unit_test(test_config_sanitize),
		T(test_cfg_read),
		T(test_cfg_write_filter),
		T(test_bar_info),
		cmocka_unit_test(test_bar_small_and_odd),
		T(test_bar_rw),
		T(test_map_type),
		T(test_dma_basic),
		T(test_dma_entry_validation),
		T(test_dma_split_refused),
		T(test_dma_adjacent_merged),
		T(test_dma_partial_windows),
		T(test_dma_short_preparation),
		cmocka_unit_test(test_dma_chunk_1_5g),
		cmocka_unit_test(test_dma_caps),
		T(test_dma_unmap_errors),
		T(test_dma_platform_errors),
		T(test_dma_nomem),
		T(test_release_completes_dma),
		T(test_irq_configure),
		T(test_irq_fallback),
		T(test_irq_any_prefers_msix),
		cmocka_unit_test(test_irq_msi_only),
		cmocka_unit_test(test_irq_fail_and_nocaps),
		T(test_irq_latch),
		T(test_irq_arm_when_pending),
		T(test_irq_spurious),
		T(test_irq_threaded),
		T(test_gone),
		cmocka_unit_test(test_device_free_deferred),
		T(test_events_cleared_at_claim),
		T(test_reset),
		cmocka_unit_test(test_ioreturn_mapping),
		cmocka_unit_test(test_memory_bound),
		T(test_lock_discipline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
