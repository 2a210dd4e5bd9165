/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only stand-in for <mach/mach.h> (tests/fakeiokit): the few Mach
 * types and calls the dext host backend uses, with Darwin's spellings and
 * values.  Not Apple's header; declarations follow the SDK's signatures.
 */
#ifndef FAKEIOKIT_MACH_MACH_H
#define FAKEIOKIT_MACH_MACH_H

#include <stdint.h>

typedef int kern_return_t;
typedef unsigned int natural_t;
typedef unsigned int mach_port_t;
typedef mach_port_t task_t;
typedef mach_port_t task_port_t;
typedef mach_port_t vm_map_t;
typedef uint64_t mach_vm_address_t;
typedef uint64_t mach_vm_size_t;
typedef int boolean_t;

#define KERN_SUCCESS             0
#define KERN_INVALID_ADDRESS     1
#define KERN_INVALID_ARGUMENT    4
#define KERN_FAILURE             5
#define MACH_PORT_NULL           ((mach_port_t)0)
#define MACH_SEND_INVALID_DEST   0x10000003

mach_port_t fakeiokit_mach_task_self(void);
#define mach_task_self() fakeiokit_mach_task_self()

#endif
