/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_TIME_H
#define PP_DARWIN_TIME_H
#include <sys/types.h>
__BEGIN_DECLS
struct timespec {
	time_t tv_sec;
	long tv_nsec;
};
typedef enum {
	_CLOCK_REALTIME = 0,
	_CLOCK_MONOTONIC = 6,
	_CLOCK_MONOTONIC_RAW = 4,
	_CLOCK_MONOTONIC_RAW_APPROX = 5,
	_CLOCK_UPTIME_RAW = 8,
	_CLOCK_UPTIME_RAW_APPROX = 9,
	_CLOCK_PROCESS_CPUTIME_ID = 12,
	_CLOCK_THREAD_CPUTIME_ID = 16,
} clockid_t;
#define CLOCK_REALTIME _CLOCK_REALTIME
#define CLOCK_MONOTONIC _CLOCK_MONOTONIC
#define CLOCK_MONOTONIC_RAW _CLOCK_MONOTONIC_RAW
#define CLOCK_UPTIME_RAW _CLOCK_UPTIME_RAW
API_AVAILABLE(macos(10.12))
int clock_gettime(clockid_t, struct timespec *);
API_AVAILABLE(macos(10.12))
uint64_t clock_gettime_nsec_np(clockid_t);
int nanosleep(const struct timespec *, struct timespec *);
time_t time(time_t *);
__END_DECLS
#endif
