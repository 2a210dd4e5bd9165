/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): libdispatch for plain C
 * (OS_OBJECT_USE_OBJC 0: each object type is a struct pointer and
 * dispatch_object_t a transparent union of them, so dispatch_release()
 * takes any of them), with the _f (function pointer) entry points a C
 * client uses.  Not Apple's header.
 */
#ifndef PP_DARWIN_DISPATCH_H
#define PP_DARWIN_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include <Availability.h>
#include <os/base.h>

__BEGIN_DECLS
typedef struct dispatch_object_s *dispatch_object_s_ptr;
typedef struct dispatch_queue_s *dispatch_queue_t;
typedef struct dispatch_queue_attr_s *dispatch_queue_attr_t;
typedef struct dispatch_semaphore_s *dispatch_semaphore_t;
typedef struct dispatch_source_s *dispatch_source_t;
typedef struct dispatch_group_s *dispatch_group_t;

typedef union {
	struct dispatch_object_s *_do;
	struct dispatch_queue_s *_dq;
	struct dispatch_queue_attr_s *_dqa;
	struct dispatch_semaphore_s *_dsema;
	struct dispatch_source_s *_ds;
	struct dispatch_group_s *_dg;
} dispatch_object_t __attribute__((__transparent_union__));

typedef void (*dispatch_function_t)(void *);
typedef uint64_t dispatch_time_t;

#define DISPATCH_QUEUE_SERIAL NULL
#define DISPATCH_TIME_NOW     (0ull)
#define DISPATCH_TIME_FOREVER (~0ull)
#define NSEC_PER_SEC  1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

#define DISPATCH_QUEUE_PRIORITY_HIGH    2
#define DISPATCH_QUEUE_PRIORITY_DEFAULT 0

void dispatch_retain(dispatch_object_t object);
void dispatch_release(dispatch_object_t object);

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr);
dispatch_queue_t dispatch_get_global_queue(intptr_t identifier,
					   uintptr_t flags);
void dispatch_async_f(dispatch_queue_t queue, void *context,
		      dispatch_function_t work);
void dispatch_sync_f(dispatch_queue_t queue, void *context,
		     dispatch_function_t work);

dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta);
dispatch_semaphore_t dispatch_semaphore_create(intptr_t value);
intptr_t dispatch_semaphore_wait(dispatch_semaphore_t dsema,
				 dispatch_time_t timeout);
intptr_t dispatch_semaphore_signal(dispatch_semaphore_t dsema);
__END_DECLS

#endif
