/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DMA mapping traces (docs/trace-format.md): a strict line parser that turns
 * a trace into an array of operations, with request ids resolved to dense
 * slot numbers so that a replay needs no lookup in its timed loop.
 *
 * Shared by bench/replay.c and bench/tracegen.c (tracegen uses the parser to
 * check what it writes in --check mode).  Userspace only.
 */
#ifndef PCIPASS_BENCH_TRACE_H
#define PCIPASS_BENCH_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_UNMAP     0x80000000u /* in trace_op.slot: an unmap */
#define TRACE_SLOT_MASK 0x7fffffffu
#define TRACE_MAX_SIZE  0xffffffffull /* one DMA segment: the wire's u32 len */
#define TRACE_MAX_SLOTS 0x7ffffffeu

/* One operation.  map: gpa, size and the slot its request occupies while
 * live; unmap: gpa 0, the size the request was mapped with and
 * slot | TRACE_UNMAP.  A slot is reused only after its request's unmap. */
struct trace_op {
	uint64_t gpa;
	uint32_t size;
	uint32_t slot;
};

struct trace {
	struct trace_op *ops;
	size_t n, cap;
	uint32_t nslots;          /* slots used: the most requests live at once */
	uint64_t maps, unmaps;
	uint64_t live_requests;   /* at the end of the trace */
	uint64_t peak_live_bytes; /* requested bytes, as if every map succeeded */
	uint64_t live_bytes;
};

struct trace_error {
	unsigned long line;       /* 1-based; 0 for an I/O or memory error */
	char msg[256];
};

struct trace_parser;

/* A parser appending to t (zero it first).  NULL when memory is short. */
struct trace_parser *trace_parser_new(struct trace *t);
void trace_parser_free(struct trace_parser *p);

/*
 * Parses one line (without or with its '\n') of length len, the lineno'th
 * of the trace.  0 on success (comment and blank lines included), -1 with
 * err filled otherwise; the trace is unchanged by a refused line.
 */
int trace_parser_line(struct trace_parser *p, const char *line, size_t len,
		      unsigned long lineno, struct trace_error *err);

/* Parses all of f.  0, or -1 with err filled. */
int trace_load(FILE *f, struct trace *t, struct trace_error *err);

void trace_free(struct trace *t);

/* Command-line numbers: plain decimal; sizes may end in K, M or G (binary
 * multiples, optionally followed by "iB" or "B").  0 or -1. */
int bench_parse_u64(const char *s, uint64_t *out);
int bench_parse_size(const char *s, uint64_t *out);

#endif
