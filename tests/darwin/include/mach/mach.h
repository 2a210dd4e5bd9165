/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin): the Mach types and calls
 * pcipass's darwin C uses, with Darwin's types (arm64: natural_t is
 * unsigned int, boolean_t is int) and values.  mach_task_self() is the
 * SDK's macro over the mach_task_self_ variable.  Not Apple's header.
 */
#ifndef PP_DARWIN_MACH_MACH_H
#define PP_DARWIN_MACH_MACH_H

#include <stdint.h>
#include <Availability.h>
#include <os/base.h>

__BEGIN_DECLS
typedef int kern_return_t;
typedef kern_return_t mach_error_t;
typedef unsigned int natural_t;
typedef int integer_t;
typedef natural_t mach_port_name_t;
typedef mach_port_name_t mach_port_t;
typedef mach_port_t task_t;
typedef mach_port_t task_port_t;
typedef mach_port_t thread_t;
typedef mach_port_t vm_map_t;
typedef uint64_t mach_vm_address_t;
typedef uint64_t mach_vm_size_t;
typedef uint64_t mach_vm_offset_t;
typedef uintptr_t vm_offset_t;
typedef uintptr_t vm_size_t;
typedef int boolean_t;

#define KERN_SUCCESS             0
#define KERN_INVALID_ADDRESS     1
#define KERN_PROTECTION_FAILURE  2
#define KERN_NO_SPACE            3
#define KERN_INVALID_ARGUMENT    4
#define KERN_FAILURE             5
#define KERN_RESOURCE_SHORTAGE   6
#define KERN_NOT_SUPPORTED       46
#define KERN_OPERATION_TIMED_OUT 49
#define MACH_PORT_NULL           ((mach_port_t)0)
#define MACH_SEND_INVALID_DEST   0x10000003

#define VM_FLAGS_FIXED           0x0000
#define VM_FLAGS_ANYWHERE        0x0001

extern mach_port_t mach_task_self_;
#define mach_task_self() mach_task_self_
#define current_task()   mach_task_self()

char *mach_error_string(mach_error_t error_value);
__END_DECLS

#endif
