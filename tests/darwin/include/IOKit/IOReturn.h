/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin): <IOKit/IOReturn.h> subset,
 * values as documented (iokit_common_err(x) = 0xE0000000 | x).  Not
 * Apple's header. */
#ifndef PP_DARWIN_IORETURN_H
#define PP_DARWIN_IORETURN_H

#include <mach/mach.h>

typedef kern_return_t IOReturn;

#define iokit_common_err(r)      ((IOReturn)(0xE0000000u | (r)))
#define kIOReturnSuccess         KERN_SUCCESS
#define kIOReturnError           iokit_common_err(0x2bc)
#define kIOReturnNoMemory        iokit_common_err(0x2bd)
#define kIOReturnNoResources     iokit_common_err(0x2be)
#define kIOReturnIPCError        iokit_common_err(0x2bf)
#define kIOReturnNoDevice        iokit_common_err(0x2c0)
#define kIOReturnNotPrivileged   iokit_common_err(0x2c1)
#define kIOReturnBadArgument     iokit_common_err(0x2c2)
#define kIOReturnLockedRead      iokit_common_err(0x2c3)
#define kIOReturnLockedWrite     iokit_common_err(0x2c4)
#define kIOReturnExclusiveAccess iokit_common_err(0x2c5)
#define kIOReturnUnsupported     iokit_common_err(0x2c7)
#define kIOReturnVMError         iokit_common_err(0x2c8)
#define kIOReturnInternalError   iokit_common_err(0x2c9)
#define kIOReturnIOError         iokit_common_err(0x2ca)
#define kIOReturnNotOpen         iokit_common_err(0x2cd)
#define kIOReturnNotReadable     iokit_common_err(0x2ce)
#define kIOReturnNotWritable     iokit_common_err(0x2cf)
#define kIOReturnNotAligned      iokit_common_err(0x2d0)
#define kIOReturnBadMedia        iokit_common_err(0x2d1)
#define kIOReturnBusy            iokit_common_err(0x2d5)
#define kIOReturnTimeout         iokit_common_err(0x2d6)
#define kIOReturnNotReady        iokit_common_err(0x2d8)
#define kIOReturnNotAttached     iokit_common_err(0x2d9)
#define kIOReturnNoSpace         iokit_common_err(0x2db)
#define kIOReturnNotPermitted    iokit_common_err(0x2e2)
#define kIOReturnAborted         iokit_common_err(0x2eb)
#define kIOReturnNotFound        iokit_common_err(0x2f0)
#define kIOReturnOverrun         iokit_common_err(0x2e8)
#define kIOReturnUnderrun        iokit_common_err(0x2e7)

#endif
