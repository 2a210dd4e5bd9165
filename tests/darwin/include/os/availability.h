/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): API_AVAILABLE and friends,
 * as the SDK's <os/availability.h> spells them for callers
 * (API_AVAILABLE(macos(15.0)), API_UNAVAILABLE(ios), ...).  They expand to
 * clang's availability attribute, so -Wunguarded-availability sees exactly
 * what it would see with the real SDK.  On non-Apple targets (the QEMU glue
 * check builds as aarch64-linux) they expand to nothing.  Not Apple's header.
 */
#ifndef PP_DARWIN_OS_AVAILABILITY_H
#define PP_DARWIN_OS_AVAILABILITY_H

#if defined(__APPLE__)
#define __PP_AV_macos(v)     __attribute__((availability(macos, introduced = v)))
#define __PP_AV_macOS(v)     __PP_AV_macos(v)
#define __PP_AV_ios(v)       __attribute__((availability(ios, introduced = v)))
#define __PP_AV_driverkit(v) __attribute__((availability(driverkit, introduced = v)))
#define __PP_UNAV_macos      __attribute__((availability(macos, unavailable)))
#define __PP_UNAV_ios        __attribute__((availability(ios, unavailable)))
#define __PP_UNAV_tvos       __attribute__((availability(tvos, unavailable)))
#define __PP_UNAV_watchos    __attribute__((availability(watchos, unavailable)))
#define __PP_UNAV_driverkit  __attribute__((availability(driverkit, unavailable)))
#else
#define __PP_AV_macos(v)
#define __PP_AV_macOS(v)
#define __PP_AV_ios(v)
#define __PP_AV_driverkit(v)
#define __PP_UNAV_macos
#define __PP_UNAV_ios
#define __PP_UNAV_tvos
#define __PP_UNAV_watchos
#define __PP_UNAV_driverkit
#endif

#define __PP_AV_1(a)        __PP_AV_##a
#define __PP_AV_2(a, b)     __PP_AV_##a __PP_AV_##b
#define __PP_AV_3(a, b, c)  __PP_AV_##a __PP_AV_##b __PP_AV_##c
#define __PP_UNAV_1(a)       __PP_UNAV_##a
#define __PP_UNAV_2(a, b)    __PP_UNAV_##a __PP_UNAV_##b
#define __PP_UNAV_3(a, b, c) __PP_UNAV_##a __PP_UNAV_##b __PP_UNAV_##c
#define __PP_UNAV_4(a, b, c, d) __PP_UNAV_##a __PP_UNAV_##b __PP_UNAV_##c __PP_UNAV_##d
#define __PP_PICK(_1, _2, _3, _4, name, ...) name

#define API_AVAILABLE(...) \
	__PP_PICK(__VA_ARGS__, __PP_AV_4_unsupported, __PP_AV_3, __PP_AV_2, \
		  __PP_AV_1, _)(__VA_ARGS__)
#define API_UNAVAILABLE(...) \
	__PP_PICK(__VA_ARGS__, __PP_UNAV_4, __PP_UNAV_3, __PP_UNAV_2, \
		  __PP_UNAV_1, _)(__VA_ARGS__)

#endif
