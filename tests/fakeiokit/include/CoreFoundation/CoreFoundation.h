/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only stand-in for <CoreFoundation/CoreFoundation.h>
 * (tests/fakeiokit): strings and matching dictionaries, enough for IOKit
 * service matching and registry properties.
 */
#ifndef FAKEIOKIT_COREFOUNDATION_H
#define FAKEIOKIT_COREFOUNDATION_H

#include <stdbool.h>
#include <stdint.h>

typedef const void *CFTypeRef;
typedef const struct __CFString *CFStringRef;
typedef const struct __CFAllocator *CFAllocatorRef;
typedef const struct __CFDictionary *CFDictionaryRef;
typedef struct __CFDictionary *CFMutableDictionaryRef;
typedef unsigned long CFTypeID;
typedef long CFIndex;
typedef uint32_t CFStringEncoding;
typedef unsigned char Boolean;

#define kCFStringEncodingUTF8 0x08000100u
#define kCFAllocatorDefault   ((CFAllocatorRef)NULL)

CFStringRef CFStringCreateWithCString(CFAllocatorRef alloc, const char *cStr,
				      CFStringEncoding encoding);
Boolean CFStringGetCString(CFStringRef theString, char *buffer,
			   CFIndex bufferSize, CFStringEncoding encoding);
CFTypeID CFGetTypeID(CFTypeRef cf);
CFTypeID CFStringGetTypeID(void);
void CFRelease(CFTypeRef cf);

#endif
