/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only stand-in for <IOKit/IOMessage.h> (tests/fakeiokit). */
#ifndef FAKEIOKIT_IOMESSAGE_H
#define FAKEIOKIT_IOMESSAGE_H

#include <IOKit/IOReturn.h>

#define iokit_common_msg(m) ((uint32_t)(0xE0000000u | (m)))
#define kIOMessageServiceIsTerminated  iokit_common_msg(0x010)
#define kIOMessageServiceIsSuspended   iokit_common_msg(0x020)

#endif
