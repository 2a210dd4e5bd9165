/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin): <IOKit/IOMessage.h> subset.
 * Not Apple's header. */
#ifndef PP_DARWIN_IOMESSAGE_H
#define PP_DARWIN_IOMESSAGE_H

#include <stdint.h>
#include <IOKit/IOReturn.h>

#define iokit_common_msg(message) ((uint32_t)(0xE0000000u | (message)))
#define kIOMessageServiceIsTerminated     iokit_common_msg(0x010)
#define kIOMessageServiceIsSuspended      iokit_common_msg(0x020)
#define kIOMessageServiceIsResumed        iokit_common_msg(0x030)
#define kIOMessageServiceIsRequestingClose iokit_common_msg(0x100)
#define kIOMessageServiceWasClosed        iokit_common_msg(0x110)

#endif
