/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a fuzzer's input as a stream of little-endian fields: past the end
 * every field reads as zero, so any input length drives a whole scenario.
 */
#ifndef PCIPASS_FUZZ_READER_H
#define PCIPASS_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct reader {
	const uint8_t *p;
	size_t n;
};

/* The next `bytes` bytes (<= 8) as a little-endian value. */
static inline uint64_t take(struct reader *r, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		uint64_t b = 0;

		if (r->n) {
			b = *r->p++;
			r->n--;
		}
		v |= b << (8 * i);
	}
	return v;
}

/* The next len bytes into dst, zero-filled past the end of the input. */
static inline void take_bytes(struct reader *r, void *dst, size_t len)
{
	size_t k = len < r->n ? len : r->n;

	memcpy(dst, r->p, k);
	memset((uint8_t *)dst + k, 0, len - k);
	r->p += k;
	r->n -= k;
}

#endif
