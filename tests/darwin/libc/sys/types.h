/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_SYS_TYPES_H
#define PP_DARWIN_SYS_TYPES_H
#include <stddef.h>
#include <stdint.h>
#include <sys/cdefs.h>
typedef long ssize_t;
typedef int64_t off_t;
typedef int32_t pid_t;
typedef uint32_t uid_t;
typedef uint32_t gid_t;
typedef uint16_t mode_t;
typedef uint32_t useconds_t;
typedef long time_t;
typedef int32_t dev_t;
typedef uint64_t ino_t;
#endif
