/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin): <mach/mach_vm.h> subset.
 * Not Apple's header. */
#ifndef PP_DARWIN_MACH_MACH_VM_H
#define PP_DARWIN_MACH_MACH_VM_H

#include <mach/mach.h>

__BEGIN_DECLS
kern_return_t mach_vm_allocate(vm_map_t target, mach_vm_address_t *address,
			       mach_vm_size_t size, int flags);
kern_return_t mach_vm_deallocate(vm_map_t target, mach_vm_address_t address,
				 mach_vm_size_t size);
__END_DECLS

#endif
