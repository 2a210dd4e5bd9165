/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only stand-in for <IOKit/IOReturn.h> (tests/fakeiokit): values as
 * in xnu's IOReturn.h (0xE0000000 | code). */
#ifndef FAKEIOKIT_IORETURN_H
#define FAKEIOKIT_IORETURN_H

#include <mach/mach.h>

typedef kern_return_t IOReturn;

#define iokit_common_err(r) ((IOReturn)(0xE0000000u | (r)))
#define kIOReturnSuccess      0
#define kIOReturnError        iokit_common_err(0x2bc)
#define kIOReturnNoMemory     iokit_common_err(0x2bd)
#define kIOReturnNoResources  iokit_common_err(0x2be)
#define kIOReturnIPCError     iokit_common_err(0x2bf)
#define kIOReturnNoDevice     iokit_common_err(0x2c0)
#define kIOReturnBadArgument  iokit_common_err(0x2c2)
#define kIOReturnExclusiveAccess iokit_common_err(0x2c5)
#define kIOReturnUnsupported  iokit_common_err(0x2c7)
#define kIOReturnNotOpen      iokit_common_err(0x2cd)
#define kIOReturnNotReady     iokit_common_err(0x2d8)
#define kIOReturnNotAttached  iokit_common_err(0x2d9)
#define kIOReturnAborted      iokit_common_err(0x2eb)
#define kIOReturnNotFound     iokit_common_err(0x2f0)

#endif
