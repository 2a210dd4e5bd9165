/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin): <mach/mach_time.h>, as
 * documented by Apple (mach_absolute_time, mach_timebase_info).  Not
 * Apple's header. */
#ifndef PP_DARWIN_MACH_MACH_TIME_H
#define PP_DARWIN_MACH_MACH_TIME_H

#include <stdint.h>
#include <mach/mach.h>

__BEGIN_DECLS
struct mach_timebase_info {
	uint32_t numer;
	uint32_t denom;
};
typedef struct mach_timebase_info *mach_timebase_info_t;
typedef struct mach_timebase_info mach_timebase_info_data_t;

kern_return_t mach_timebase_info(mach_timebase_info_t info);
uint64_t mach_absolute_time(void);
API_AVAILABLE(macos(10.12))
uint64_t mach_continuous_time(void);
__END_DECLS

#endif
