/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin, see README.md): the part of
 * the macOS SDK's <Availability.h> that pcipass's darwin C relies on.
 * Written from Apple's documentation; not Apple's header.
 *
 * __MAC_OS_X_VERSION_MAX_ALLOWED is the SDK version (here 150000, a macOS
 * 15 SDK, unless the check overrides PP_DARWIN_SDK, e.g. 140000 to play an
 * SDK that predates macOS 15).  __MAC_OS_X_VERSION_MIN_REQUIRED is the
 * deployment target, from the compiler (-target arm64-apple-macosNN).
 */
#ifndef PP_DARWIN_AVAILABILITY_H
#define PP_DARWIN_AVAILABILITY_H

#ifndef PP_DARWIN_SDK
#define PP_DARWIN_SDK 150000
#endif

#define __MAC_11_0  110000
#define __MAC_12_0  120000
#define __MAC_13_0  130000
#define __MAC_14_0  140000
#define __MAC_15_0  150000
#define __MAC_15_2  150200
#define __MAC_26_0  260000

#define __MAC_OS_X_VERSION_MAX_ALLOWED PP_DARWIN_SDK
#ifdef __ENVIRONMENT_MAC_OS_X_VERSION_MIN_REQUIRED__
#define __MAC_OS_X_VERSION_MIN_REQUIRED __ENVIRONMENT_MAC_OS_X_VERSION_MIN_REQUIRED__
#elif defined(__ENVIRONMENT_OS_VERSION_MIN_REQUIRED__)
#define __MAC_OS_X_VERSION_MIN_REQUIRED __ENVIRONMENT_OS_VERSION_MIN_REQUIRED__
#endif

#include <os/availability.h>

#endif
