// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A64 load/store decoder and emulator (contract: core/include/pcipass/
 * a64_ldst.h).  Encodings follow the Arm ARM (DDI 0487), section C4.1
 * "A64 instruction set encoding", group "Loads and Stores".  Field names
 * below are the ARM ARM's: size (31:30), V (26), opc (23:22), Rt (4:0),
 * Rn (9:5), and for the group decode op0 (31:28), op1 (26), op2 (24:23),
 * op3 (21:16), op4 (11:10).
 *
 * libc-free on purpose: it is compiled into QEMU's HVF code, into the unit
 * tests and into the core library alike.
 */
#include <stddef.h>

#include "pcipass/a64_ldst.h"

static uint32_t bits(uint32_t insn, unsigned int hi, unsigned int lo)
{
	return (insn >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int64_t sext(uint64_t v, unsigned int width)
{
	uint64_t m = 1ull << (width - 1);

	v &= (width == 64) ? ~0ull : ((1ull << width) - 1);
	return (int64_t)((v ^ m) - m);
}

static void zero(struct pp_a64_ldst *d, uint32_t insn)
{
	unsigned char *p = (unsigned char *)d;

	for (size_t i = 0; i < sizeof(*d); i++)
		p[i] = 0;
	d->insn = insn;
}

static int refuse(struct pp_a64_ldst *d, uint32_t insn, int why)
{
	zero(d, insn);
	return why;
}

/*
 * Size/opc of the single-register classes (unsigned immediate, unscaled,
 * pre/post-index, register offset).  Fills size, is_load, sign_extend,
 * reg_bits; returns the log2 scale of the scaled forms, or a negative
 * refusal (-PP_A64_...).
 */
static int single_size_opc(struct pp_a64_ldst *d, uint32_t size, uint32_t v,
			   uint32_t opc, bool writeback)
{
	if (v) {
		d->is_simd = true;
		if (opc & 2) {                  /* 128-bit Q forms */
			if (size != 0)
				return -PP_A64_UNALLOCATED;
			d->size = 16;
			d->is_load = opc & 1;
			d->reg_bits = d->is_load ? 128 : 0;
			return 4;
		}
		d->size = (uint8_t)(1u << size);
		d->is_load = opc & 1;
		d->reg_bits = d->is_load ? 128 : 0;
		return (int)size;
	}
	d->size = (uint8_t)(1u << size);
	switch (opc) {
	case 0:                                 /* STR, STRB, STRH */
		d->is_load = false;
		break;
	case 1:                                 /* LDR, LDRB, LDRH */
		d->is_load = true;
		d->reg_bits = size == 3 ? 64 : 32;
		break;
	case 2:                                 /* LDRSB/LDRSH/LDRSW Xt, PRFM */
		if (size == 3)
			return writeback ? -PP_A64_UNALLOCATED : -PP_A64_PREFETCH;
		d->is_load = true;
		d->sign_extend = true;
		d->reg_bits = 64;
		break;
	default:                                /* LDRSB/LDRSH Wt */
		if (size >= 2)
			return -PP_A64_UNALLOCATED;
		d->is_load = true;
		d->sign_extend = true;
		d->reg_bits = 32;
		break;
	}
	return (int)size;
}

/* Load with writeback into a transfer GPR: CONSTRAINED UNPREDICTABLE. */
static bool load_overlaps_base(const struct pp_a64_ldst *d)
{
	if (!d->is_load || d->is_simd || !d->writeback || d->rn == 31)
		return false;
	return d->rt == d->rn || (d->count == 2 && d->rt2 == d->rn);
}

/* op0 = xx11: the single-register classes. */
static int decode_single(uint32_t insn, struct pp_a64_ldst *d)
{
	uint32_t size = bits(insn, 31, 30), v = bits(insn, 26, 26);
	uint32_t opc = bits(insn, 23, 22);
	int scale;

	d->count = 1;
	d->rt = (uint8_t)bits(insn, 4, 0);
	d->rn = (uint8_t)bits(insn, 9, 5);

	if (bits(insn, 24, 24)) {               /* unsigned immediate */
		scale = single_size_opc(d, size, v, opc, false);
		if (scale < 0)
			return -scale;
		d->mode = PP_A64_ADDR_OFFSET;
		d->imm = (int64_t)((uint64_t)bits(insn, 21, 10) << scale);
		return PP_A64_OK;
	}

	if (bits(insn, 21, 21)) {
		switch (bits(insn, 11, 10)) {
		case 0:                         /* atomic memory operations */
			return v ? PP_A64_UNALLOCATED : PP_A64_ATOMIC;
		case 2:                         /* register offset */
			break;
		default:                        /* LDRAA, LDRAB */
			return (!v && size == 3) ? PP_A64_PAC
						 : PP_A64_UNALLOCATED;
		}
		scale = single_size_opc(d, size, v, opc, false);
		if (scale < 0)
			return -scale;
		uint32_t option = bits(insn, 15, 13);
		if (!(option & 2))
			return PP_A64_UNALLOCATED;
		d->mode = PP_A64_ADDR_OFFSET;
		d->reg_offset = true;
		d->rm = (uint8_t)bits(insn, 20, 16);
		d->extend = (uint8_t)option;
		d->shift = bits(insn, 12, 12) ? (uint8_t)scale : 0;
		return PP_A64_OK;
	}

	d->imm = sext(bits(insn, 20, 12), 9);
	switch (bits(insn, 11, 10)) {
	case 0:                                 /* LDUR/STUR..., PRFUM */
		scale = single_size_opc(d, size, v, opc, false);
		if (scale < 0)
			return -scale;
		d->mode = PP_A64_ADDR_OFFSET;
		d->unscaled = true;
		return PP_A64_OK;
	case 2:                                 /* LDTR/STTR... */
		return v ? PP_A64_UNALLOCATED : PP_A64_UNPRIVILEGED;
	default:                                /* 1: post-index, 3: pre-index */
		scale = single_size_opc(d, size, v, opc, true);
		if (scale < 0)
			return -scale;
		d->mode = bits(insn, 11, 10) == 1 ? PP_A64_ADDR_POST
						  : PP_A64_ADDR_PRE;
		d->writeback = true;
		return load_overlaps_base(d) ? PP_A64_UNPREDICTABLE : PP_A64_OK;
	}
}

/* op0 = xx10: register pairs. */
static int decode_pair(uint32_t insn, struct pp_a64_ldst *d)
{
	uint32_t opc = bits(insn, 31, 30), v = bits(insn, 26, 26);
	uint32_t op2 = bits(insn, 24, 23);
	bool load = bits(insn, 22, 22);
	unsigned int scale;

	if (v) {
		if (opc == 3)
			return PP_A64_UNALLOCATED;
		scale = 2 + opc;                /* S, D, Q */
		d->is_simd = true;
	} else {
		switch (opc) {
		case 0:
			scale = 2;              /* W */
			break;
		case 1:
			if (op2 == 0)           /* no LDNPSW */
				return PP_A64_UNALLOCATED;
			if (!load)              /* STGP */
				return PP_A64_OTHER;
			scale = 2;              /* LDPSW */
			d->sign_extend = true;
			break;
		case 2:
			scale = 3;              /* X */
			break;
		default:
			return PP_A64_UNALLOCATED;
		}
	}

	d->count = 2;
	d->size = (uint8_t)(1u << scale);
	d->is_load = load;
	if (load)
		d->reg_bits = v ? 128 : (opc == 0 ? 32 : 64);
	d->rt = (uint8_t)bits(insn, 4, 0);
	d->rn = (uint8_t)bits(insn, 9, 5);
	d->rt2 = (uint8_t)bits(insn, 14, 10);
	d->imm = (int64_t)((uint64_t)sext(bits(insn, 21, 15), 7) << scale);
	switch (op2) {
	case 0:
		d->non_temporal = true;
		d->mode = PP_A64_ADDR_OFFSET;
		break;
	case 1:
		d->mode = PP_A64_ADDR_POST;
		d->writeback = true;
		break;
	case 2:
		d->mode = PP_A64_ADDR_OFFSET;
		break;
	default:
		d->mode = PP_A64_ADDR_PRE;
		d->writeback = true;
		break;
	}
	if (load && d->rt == d->rt2)
		return PP_A64_UNPREDICTABLE;
	return load_overlaps_base(d) ? PP_A64_UNPREDICTABLE : PP_A64_OK;
}

int pp_a64_ldst_decode(uint32_t insn, struct pp_a64_ldst *out)
{
	int r;

	zero(out, insn);
	/* Loads and stores: op0 (28:25) = x1x0. */
	if (bits(insn, 27, 27) != 1 || bits(insn, 25, 25) != 0)
		return refuse(out, insn, PP_A64_NOT_LDST);

	switch (bits(insn, 29, 28)) {
	case 0:
		/* Exclusive/ordered/compare-and-swap (V = 0), SIMD structures
		 * (V = 1, bit 31 = 0). */
		if (!bits(insn, 26, 26))
			return refuse(out, insn, PP_A64_EXCLUSIVE);
		return refuse(out, insn, bits(insn, 31, 31) ? PP_A64_UNALLOCATED
							    : PP_A64_SIMD_STRUCT);
	case 1:
		/* Literal (op2 = 0x); RCpc unscaled, memory copy/set, tags. */
		return refuse(out, insn, bits(insn, 24, 24) ? PP_A64_OTHER
							    : PP_A64_LITERAL);
	case 2:
		r = decode_pair(insn, out);
		break;
	default:
		r = decode_single(insn, out);
		break;
	}
	if (r != PP_A64_OK)
		return refuse(out, insn, r);
	return PP_A64_OK;
}

const char *pp_a64_result_name(int result)
{
	static const char *const names[PP_A64_RESULT_COUNT] = {
		[PP_A64_OK]            = "ok",
		[PP_A64_NOT_LDST]      = "not-load-store",
		[PP_A64_UNALLOCATED]   = "unallocated",
		[PP_A64_EXCLUSIVE]     = "exclusive-or-ordered",
		[PP_A64_ATOMIC]        = "atomic",
		[PP_A64_SIMD_STRUCT]   = "simd-structure",
		[PP_A64_LITERAL]       = "literal",
		[PP_A64_PREFETCH]      = "prefetch",
		[PP_A64_UNPRIVILEGED]  = "unprivileged",
		[PP_A64_PAC]           = "pointer-auth",
		[PP_A64_OTHER]         = "other-unsupported",
		[PP_A64_UNPREDICTABLE] = "unpredictable",
		[PP_A64_MEM_FAULT]     = "memory-fault",
		[PP_A64_BAD_ARG]       = "bad-argument",
	};

	if (result < 0 || result >= PP_A64_RESULT_COUNT)
		return "unknown";
	return names[result];
}

/* ---- text form ---------------------------------------------------------- */

struct out {
	char *buf;
	unsigned int len, pos;
};

static void put_c(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_s(struct out *o, const char *s)
{
	while (*s)
		put_c(o, *s++);
}

static void put_u(struct out *o, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_c(o, tmp[--n]);
}

static void put_imm(struct out *o, int64_t v)
{
	put_c(o, '#');
	if (v < 0) {
		put_c(o, '-');
		put_u(o, (uint64_t)0 - (uint64_t)v);
	} else {
		put_u(o, (uint64_t)v);
	}
}

/* A transfer register as the instruction names it. */
static void put_rt(struct out *o, const struct pp_a64_ldst *d, unsigned int r)
{
	if (d->is_simd) {
		switch (d->size) {
		case 1:  put_c(o, 'b'); break;
		case 2:  put_c(o, 'h'); break;
		case 4:  put_c(o, 's'); break;
		case 8:  put_c(o, 'd'); break;
		default: put_c(o, 'q'); break;
		}
		put_u(o, r);
		return;
	}
	bool x = d->is_load ? d->reg_bits == 64 : d->size == 8;
	if (r == 31) {
		put_s(o, x ? "xzr" : "wzr");
		return;
	}
	put_c(o, x ? 'x' : 'w');
	put_u(o, r);
}

static const char *mnemonic(const struct pp_a64_ldst *d)
{
	if (d->count == 2) {
		if (d->non_temporal)
			return d->is_load ? "ldnp" : "stnp";
		if (d->sign_extend)
			return "ldpsw";
		return d->is_load ? "ldp" : "stp";
	}
	if (d->is_simd)
		return d->unscaled ? (d->is_load ? "ldur" : "stur")
				   : (d->is_load ? "ldr" : "str");
	static const char *const names[2][2][3] = {
		/* [unscaled][load]: byte, half, word/dword */
		{ { "strb", "strh", "str" }, { "ldrb", "ldrh", "ldr" } },
		{ { "sturb", "sturh", "stur" }, { "ldurb", "ldurh", "ldur" } },
	};
	static const char *const signed_names[2][3] = {
		{ "ldrsb", "ldrsh", "ldrsw" }, { "ldursb", "ldursh", "ldursw" },
	};
	unsigned int k = d->size == 1 ? 0 : d->size == 2 ? 1 : 2;
	if (d->sign_extend)
		return signed_names[d->unscaled][k];
	return names[d->unscaled][d->is_load][k];
}

unsigned int pp_a64_ldst_format(const struct pp_a64_ldst *d, char *buf,
				unsigned int len)
{
	struct out o = { buf, len, 0 };

	put_s(&o, mnemonic(d));
	put_c(&o, ' ');
	put_rt(&o, d, d->rt);
	if (d->count == 2) {
		put_s(&o, ", ");
		put_rt(&o, d, d->rt2);
	}
	put_s(&o, ", [");
	if (d->rn == 31) {
		put_s(&o, "sp");
	} else {
		put_c(&o, 'x');
		put_u(&o, d->rn);
	}
	if (d->reg_offset) {
		bool w = d->extend == PP_A64_EXT_UXTW || d->extend == PP_A64_EXT_SXTW;
		put_s(&o, ", ");
		if (d->rm == 31) {
			put_s(&o, w ? "wzr" : "xzr");
		} else {
			put_c(&o, w ? 'w' : 'x');
			put_u(&o, d->rm);
		}
		switch (d->extend) {
		case PP_A64_EXT_UXTW: put_s(&o, ", uxtw"); break;
		case PP_A64_EXT_SXTW: put_s(&o, ", sxtw"); break;
		case PP_A64_EXT_SXTX: put_s(&o, ", sxtx"); break;
		default:
			if (d->shift)
				put_s(&o, ", lsl");
			break;
		}
		if (d->shift) {
			put_c(&o, ' ');
			put_imm(&o, d->shift);
		}
		put_c(&o, ']');
	} else if (d->mode == PP_A64_ADDR_POST) {
		put_s(&o, "], ");
		put_imm(&o, d->imm);
	} else {
		if (d->imm || d->mode == PP_A64_ADDR_PRE) {
			put_s(&o, ", ");
			put_imm(&o, d->imm);
		}
		put_c(&o, ']');
		if (d->mode == PP_A64_ADDR_PRE)
			put_c(&o, '!');
	}
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos;
}

/* ---- emulation ---------------------------------------------------------- */

static uint64_t xreg(const struct pp_a64_regs *r, unsigned int n)
{
	return n == 31 ? 0 : r->x[n];           /* XZR as a data register */
}

static uint64_t base_reg(const struct pp_a64_regs *r, unsigned int n)
{
	return n == 31 ? r->sp : r->x[n];       /* SP as a base */
}

static uint64_t offset_of(const struct pp_a64_ldst *d,
			  const struct pp_a64_regs *regs)
{
	if (!d->reg_offset)
		return (uint64_t)d->imm;
	uint64_t m = xreg(regs, d->rm);
	switch (d->extend) {
	case PP_A64_EXT_UXTW:
		m = (uint32_t)m;
		break;
	case PP_A64_EXT_SXTW:
		m = (uint64_t)(int64_t)(int32_t)(uint32_t)m;
		break;
	default:                                /* LSL (UXTX), SXTX */
		break;
	}
	return m << d->shift;
}

uint64_t pp_a64_ldst_address(const struct pp_a64_ldst *d,
			     const struct pp_a64_regs *regs)
{
	uint64_t base = base_reg(regs, d->rn);

	if (d->mode == PP_A64_ADDR_POST)
		return base;
	return base + offset_of(d, regs);
}

static bool decode_is_sane(const struct pp_a64_ldst *d)
{
	if (d->count < 1 || d->count > 2 || d->rt > 31 || d->rt2 > 31 ||
	    d->rn > 31 || d->rm > 31 || d->shift > 4 || d->mode > PP_A64_ADDR_POST)
		return false;
	switch (d->size) {
	case 1: case 2: case 4: case 8:
		break;
	case 16:
		if (!d->is_simd)
			return false;
		break;
	default:
		return false;
	}
	if (d->reg_offset && d->writeback)
		return false;
	if (d->writeback != (d->mode != PP_A64_ADDR_OFFSET))
		return false;
	if (d->is_load && !d->is_simd && d->reg_bits != 32 && d->reg_bits != 64)
		return false;
	return true;
}

int pp_a64_ldst_emulate(const struct pp_a64_ldst *d, struct pp_a64_regs *regs,
			pp_a64_mem_fn mem, void *opaque)
{
	uint8_t buf[2][16];
	uint8_t rts[2] = { d->rt, d->rt2 };
	uint64_t base, addr, wb;

	if (!decode_is_sane(d) || !mem)
		return PP_A64_BAD_ARG;

	base = base_reg(regs, d->rn);
	wb = base + offset_of(d, regs);
	addr = d->mode == PP_A64_ADDR_POST ? base : wb;

	/* Stores: read every source before anything changes. */
	if (!d->is_load) {
		for (unsigned int i = 0; i < d->count; i++) {
			if (d->is_simd) {
				for (unsigned int b = 0; b < d->size; b++)
					buf[i][b] = regs->v[rts[i]][b];
			} else {
				uint64_t v = xreg(regs, rts[i]);
				for (unsigned int b = 0; b < d->size; b++)
					buf[i][b] = (uint8_t)(v >> (8 * b));
			}
		}
	}

	for (unsigned int i = 0; i < d->count; i++) {
		if (mem(opaque, addr + (uint64_t)i * d->size, buf[i], d->size,
			!d->is_load))
			return PP_A64_MEM_FAULT;
	}

	if (d->is_load) {
		for (unsigned int i = 0; i < d->count; i++) {
			if (d->is_simd) {
				for (unsigned int b = 0; b < 16; b++)
					regs->v[rts[i]][b] =
						b < d->size ? buf[i][b] : 0;
				continue;
			}
			uint64_t v = 0;
			for (unsigned int b = 0; b < d->size; b++)
				v |= (uint64_t)buf[i][b] << (8 * b);
			if (d->sign_extend)
				v = (uint64_t)sext(v, 8u * d->size);
			if (d->reg_bits == 32)
				v = (uint32_t)v;
			if (rts[i] != 31)
				regs->x[rts[i]] = v;
		}
	}

	if (d->writeback) {
		if (d->rn == 31)
			regs->sp = wb;
		else
			regs->x[d->rn] = wb;
	}
	return PP_A64_OK;
}
