/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): <os/object.h> for plain C
 * (OS_OBJECT_USE_OBJC is 0 outside Objective-C): os_retain/os_release on
 * Hypervisor configuration objects.  Not Apple's header.
 */
#ifndef PP_DARWIN_OS_OBJECT_H
#define PP_DARWIN_OS_OBJECT_H

#include <os/base.h>

#define OS_OBJECT_USE_OBJC 0

__BEGIN_DECLS
API_AVAILABLE(macos(10.10))
OS_EXPORT void *os_retain(void *object);
API_AVAILABLE(macos(10.10))
OS_EXPORT void os_release(void *object);
__END_DECLS

#endif
