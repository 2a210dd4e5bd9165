/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_SYS_CDEFS_H
#define PP_DARWIN_SYS_CDEFS_H
#include <os/base.h>
#define __dead2 __attribute__((__noreturn__))
#define __printflike(f, a) __attribute__((__format__(__printf__, f, a)))
#define __restrict restrict
#endif
