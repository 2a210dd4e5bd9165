/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_SCHED_H
#define PP_DARWIN_SCHED_H
#include <sys/cdefs.h>
__BEGIN_DECLS
/* Darwin: struct sched_param carries an opaque tail (__SCHED_PARAM_SIZE__ 4). */
struct sched_param {
	int sched_priority;
	char __opaque[4];
};
#define SCHED_OTHER 1
#define SCHED_FIFO 4
#define SCHED_RR 2
int sched_yield(void);
int sched_get_priority_min(int);
int sched_get_priority_max(int);
__END_DECLS
#endif
