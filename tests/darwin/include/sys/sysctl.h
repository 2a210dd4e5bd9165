/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): <sys/sysctl.h>, the one
 * call the launcher uses, as documented in sysctlbyname(3) (macOS): read a
 * value by its name ("hw.memsize", "kern.osproductversion",
 * "hw.perflevel0.physicalcpu", "kern.hv_support").  Not Apple's header.
 */
#ifndef PP_DARWIN_SYS_SYSCTL_H
#define PP_DARWIN_SYS_SYSCTL_H

#include <stddef.h>

int sysctlbyname(const char *name, void *oldp, size_t *oldlenp, void *newp,
		 size_t newlen);

#endif
