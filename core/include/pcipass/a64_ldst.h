/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A64 load/store decoder and emulator for MMIO data aborts that carry no
 * instruction syndrome (ESR_ELx.ISV == 0).
 *
 * When a guest load or store hits a page that is not mapped at stage 2 (an
 * emulated MMIO region), the hypervisor only gets a full syndrome (access
 * size, register, sign extension) for single-register accesses without
 * writeback.  Pairs (LDP/STP), SIMD&FP registers (LDR Qn), pre/post-index
 * writeback forms and a few others arrive with ISV == 0: the VMM has to
 * fetch the instruction and work out the access itself.  This file does
 * that part, portably: it decodes one instruction word into the accesses it
 * makes and, given a register file and a memory callback, performs them.
 *
 * Supported (every addressing form listed, GPR and SIMD&FP where the ISA
 * has both):
 *   LDR/STR, LDRB/STRB, LDRH/STRH, LDRSB, LDRSH, LDRSW,
 *   SIMD&FP LDR/STR B/H/S/D/Q:
 *     unsigned scaled offset   [Xn|SP, #imm]
 *     unscaled offset          LDUR/STUR... [Xn|SP, #simm9]
 *     pre-index                [Xn|SP, #simm9]!
 *     post-index               [Xn|SP], #simm9
 *     register offset          [Xn|SP, Rm{, UXTW|LSL|SXTW|SXTX {#s}}]
 *   LDP/STP (W, X), LDPSW, SIMD&FP LDP/STP (S, D, Q), LDNP/STNP (W, X, S,
 *   D, Q): signed offset, pre-index, post-index (no-allocate pairs: offset
 *   only, as in the ISA).
 * Refused, with a distinct result code: exclusives and load-acquire /
 * store-release (the "load/store exclusive and ordered" class), atomics
 * (LDADD.., SWP, CAS..), LD1-4/ST1-4 and LD1R.. (SIMD structures), literal
 * loads, prefetches (PRFM/PRFUM), unprivileged LDTR/STTR, pointer-
 * authenticated LDRAA/LDRAB, memory-tag instructions, RCpc LDAPUR/STLUR,
 * anything unallocated, and CONSTRAINED UNPREDICTABLE register overlaps of
 * loads (LDP Xt, Xt; writeback into a loaded register).
 *
 * Byte order: memory buffers are little-endian (the guest's data
 * endianness is not modelled: SCTLR_ELx.EE/E0E = 0, as in every arm64
 * Linux distribution).  libc-free, C11, no allocation.
 */
#ifndef PCIPASS_A64_LDST_H
#define PCIPASS_A64_LDST_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results.  0 is success; every refusal says why. */
enum pp_a64_result {
	PP_A64_OK = 0,
	PP_A64_NOT_LDST,       /* not in the load/store encoding group */
	PP_A64_UNALLOCATED,    /* a load/store encoding the ISA leaves unallocated */
	PP_A64_EXCLUSIVE,      /* LDXR/STXR/LDAXR/LDAR/STLR/CASP...: refused */
	PP_A64_ATOMIC,         /* LDADD/SWP/LDAPR... (atomic memory ops): refused */
	PP_A64_SIMD_STRUCT,    /* LD1-4/ST1-4 (multiple and single structures) */
	PP_A64_LITERAL,        /* LDR (literal): PC-relative, not emulated */
	PP_A64_PREFETCH,       /* PRFM/PRFUM: no data access to emulate */
	PP_A64_UNPRIVILEGED,   /* LDTR/STTR family: refused */
	PP_A64_PAC,            /* LDRAA/LDRAB: refused */
	PP_A64_OTHER,          /* tags (STG..), STGP, RCpc LDAPUR/STLUR..., SVE */
	PP_A64_UNPREDICTABLE,  /* register overlap the ISA leaves unpredictable */
	PP_A64_MEM_FAULT,      /* emulate: the memory callback failed */
	PP_A64_BAD_ARG,        /* emulate: inconsistent decode (not from decode()) */
	PP_A64_RESULT_COUNT
};

/* Addressing: where the address comes from and whether Rn is updated. */
enum pp_a64_addr_mode {
	PP_A64_ADDR_OFFSET = 0, /* base + offset, no writeback */
	PP_A64_ADDR_PRE,        /* base + offset, then Rn = that address */
	PP_A64_ADDR_POST,       /* base, then Rn = base + offset */
};

/* Register-offset extension (the "option" field). */
enum pp_a64_extend {
	PP_A64_EXT_UXTW = 2,    /* Wm zero-extended */
	PP_A64_EXT_LSL  = 3,    /* Xm (UXTX) */
	PP_A64_EXT_SXTW = 6,    /* Wm sign-extended */
	PP_A64_EXT_SXTX = 7,    /* Xm */
};

/*
 * One decoded load/store.  It performs `count` accesses of `size` bytes
 * each, at address, address + size (pairs), in that order.
 */
struct pp_a64_ldst {
	uint32_t insn;          /* the word decoded */
	uint8_t  count;         /* 1, or 2 for pairs */
	uint8_t  size;          /* bytes per access: 1, 2, 4, 8 or 16 */
	bool     is_load;       /* load (register <- memory) or store */
	bool     is_simd;       /* SIMD&FP registers Vn (else Xn/Wn) */
	bool     sign_extend;   /* loads to GPR: sign-extend the memory value */
	uint8_t  reg_bits;      /* GPR loads: width of the destination after
				   extension, 32 (Wt: upper half cleared) or
				   64; SIMD: 128 (whole Vt written, bits above
				   size zeroed); stores: 0 */
	uint8_t  rt;            /* first transfer register (31 = XZR/WZR for GPR) */
	uint8_t  rt2;           /* second transfer register (pairs), else 0 */
	uint8_t  rn;            /* base register (31 = SP) */
	uint8_t  mode;          /* enum pp_a64_addr_mode */
	bool     writeback;     /* mode is PRE or POST: Rn is updated */
	bool     unscaled;      /* LDUR/STUR form (imm not scaled; text only) */
	bool     non_temporal;  /* LDNP/STNP (a hint; same accesses as LDP/STP) */
	bool     reg_offset;    /* offset comes from Rm (never with writeback) */
	uint8_t  rm;            /* register offset: Rm (31 = XZR) */
	uint8_t  extend;        /* register offset: enum pp_a64_extend */
	uint8_t  shift;         /* register offset: left shift applied, 0..4 */
	int64_t  imm;           /* immediate forms: byte offset (already scaled) */
};

/*
 * Decodes one A64 instruction word.  On PP_A64_OK *out describes it; on any
 * other result *out is zeroed except out->insn.
 */
int pp_a64_ldst_decode(uint32_t insn, struct pp_a64_ldst *out);

/* Short stable name of a result, for logs ("ok", "exclusive", ...). */
const char *pp_a64_result_name(int result);

/*
 * Formats the decode as text for traces and error messages, e.g.
 * "ldp x1, x2, [x3], #16" (a canonical form, not objdump's spelling).
 * Always NUL-terminates when len > 0; returns the length it wanted
 * (like snprintf, without libc).
 */
unsigned int pp_a64_ldst_format(const struct pp_a64_ldst *d, char *buf,
				unsigned int len);

/* ---- emulation --------------------------------------------------------- */

/*
 * The register file the emulator reads and writes.  x[0..30] are the
 * general registers, sp the stack pointer of the current exception level
 * (register 31 as a base), v[n] the 128-bit SIMD&FP register Vn as 16
 * little-endian bytes (v[n][0] is bit 0..7 of Qn).
 */
struct pp_a64_regs {
	uint64_t x[31];
	uint64_t sp;
	uint8_t  v[32][16];
};

/*
 * Memory callback: transfers len bytes (1, 2, 4, 8 or 16; one single
 * access as the instruction makes it) at guest virtual address va into
 * (load) or from (store) buf, little-endian.  Returns 0 on success,
 * anything else to abort the emulation.
 */
typedef int (*pp_a64_mem_fn)(void *opaque, uint64_t va, void *buf,
			     unsigned int len, bool is_write);

/* The address of the first access of d for the given register file. */
uint64_t pp_a64_ldst_address(const struct pp_a64_ldst *d,
			     const struct pp_a64_regs *regs);

/*
 * Performs d on regs through mem: computes the address, makes the
 * access(es) in order, then (loads) writes the destination register(s)
 * with zero/sign extension and (writeback forms) updates the base.  A
 * failing callback returns PP_A64_MEM_FAULT with no register changed
 * (a store pair may already have written its first element: as on
 * hardware, a faulting pair store may be partially performed).  Stores
 * whose transfer register is also the written-back base store the value
 * before the update.  Does not touch the PC: the caller advances it.
 */
int pp_a64_ldst_emulate(const struct pp_a64_ldst *d, struct pp_a64_regs *regs,
			pp_a64_mem_fn mem, void *opaque);

#ifdef __cplusplus
}
#endif

#endif
