/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixed-width types for code that is compiled both in userspace (tests,
 * benchmarks, QEMU) and in the Linux guest module.  The core never includes
 * libc headers directly: everything it needs comes from here or from the
 * hooks its callers pass in.
 */
#ifndef PCIPASS_TYPES_H
#define PCIPASS_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/build_bug.h>
#define PP_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#define PP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#define PP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Round helpers for power-of-two sizes. */
#define PP_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define PP_ALIGN_UP(x, a)   PP_ALIGN_DOWN((x) + (uint64_t)(a) - 1, (a))

#endif
