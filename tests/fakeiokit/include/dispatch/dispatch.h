/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only stand-in for <dispatch/dispatch.h> (tests/fakeiokit): serial
 * queues only, each run by one thread, with the _f (function pointer)
 * entry points a C client uses.
 */
#ifndef FAKEIOKIT_DISPATCH_H
#define FAKEIOKIT_DISPATCH_H

#include <stddef.h>

typedef struct dispatch_queue_s *dispatch_queue_t;
typedef struct dispatch_queue_attr_s *dispatch_queue_attr_t;
typedef void (*dispatch_function_t)(void *);

#define DISPATCH_QUEUE_SERIAL ((dispatch_queue_attr_t)NULL)

dispatch_queue_t dispatch_queue_create(const char *label,
				       dispatch_queue_attr_t attr);
void dispatch_async_f(dispatch_queue_t queue, void *context,
		      dispatch_function_t work);
void dispatch_sync_f(dispatch_queue_t queue, void *context,
		     dispatch_function_t work);
void dispatch_release(void *object);

#endif
