/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): the <os/base.h> macros the
 * Hypervisor, IOKit and dispatch subsets use.  OS_ENUM gives a fixed
 * underlying type where the compiler supports it, as the SDK does.  Not
 * Apple's header.
 */
#ifndef PP_DARWIN_OS_BASE_H
#define PP_DARWIN_OS_BASE_H

#include <os/availability.h>

#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif

#define OS_EXPORT extern __attribute__((__visibility__("default")))
#define OS_NOTHROW __attribute__((__nothrow__))
#define OS_WARN_RESULT __attribute__((__warn_unused_result__))

#if __has_feature(assume_nonnull)
#define OS_ASSUME_NONNULL_BEGIN _Pragma("clang assume_nonnull begin")
#define OS_ASSUME_NONNULL_END   _Pragma("clang assume_nonnull end")
#else
#define OS_ASSUME_NONNULL_BEGIN
#define OS_ASSUME_NONNULL_END
#endif

#if __has_feature(objc_fixed_enum) || __has_extension(cxx_fixed_enum) || \
	__has_extension(cxx_strong_enums)
#define OS_ENUM(_name, _type, ...) \
	typedef enum : _type { __VA_ARGS__ } _name##_t
#else
#define OS_ENUM(_name, _type, ...) \
	enum { __VA_ARGS__ }; typedef _type _name##_t
#endif

#endif
