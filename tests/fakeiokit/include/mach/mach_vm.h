/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only stand-in for <mach/mach_vm.h> (tests/fakeiokit). */
#ifndef FAKEIOKIT_MACH_MACH_VM_H
#define FAKEIOKIT_MACH_MACH_VM_H

#include <mach/mach.h>

kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t address,
				 mach_vm_size_t size);

#endif
