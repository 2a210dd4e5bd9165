/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only stand-in for <IOKit/IOKitLib.h> (tests/fakeiokit): the subset
 * of IOKitLib the dext host backend (hosts/dext/dext.c) uses, with the
 * SDK's names, signatures and constant values (mac-driverkit.md 5), so
 * that the same source compiles here and on macOS.  The implementation
 * (tests/fakeiokit/fakeiokit.c) dispatches user-client calls in-process
 * into the dext core.  Not Apple's header.
 */
#ifndef FAKEIOKIT_IOKITLIB_H
#define FAKEIOKIT_IOKITLIB_H

#include <stddef.h>
#include <stdint.h>

#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOReturn.h>
#include <dispatch/dispatch.h>
#include <mach/mach.h>

typedef mach_port_t io_object_t;
typedef io_object_t io_connect_t;
typedef io_object_t io_iterator_t;
typedef io_object_t io_registry_entry_t;
typedef io_object_t io_service_t;
typedef char io_name_t[128];
typedef uint32_t IOOptionBits;
/* The SDK declares name parameters as `const io_name_t` (char[128]); they
 * are spelled `const char *` here (the same type after adjustment) so that
 * GCC's -Wstringop-overread does not flag string literals. */

#define IO_OBJECT_NULL ((io_object_t)0)

extern const mach_port_t kIOMainPortDefault;

#define kIOServicePlane     "IOService"
#define kIOGeneralInterest  "IOGeneralInterest"

/* IOMapTypes.h */
enum {
	kIOMapAnywhere                = 0x00000001,
	kIOMapCacheMask               = 0x00000f00,
	kIOMapDefaultCache            = 0x00000000,
	kIOMapInhibitCache            = 0x00000100,
	kIOMapWriteThruCache          = 0x00000200,
	kIOMapCopybackCache           = 0x00000300,
	kIOMapWriteCombineCache       = 0x00000400,
	kIOMapPostedWrite             = 0x00000600,
	kIOMapReadOnly                = 0x00001000,
};

/* OSMessageNotification.h */
enum {
	kIOAsyncReservedIndex      = 0,
	kIOAsyncReservedCount,
	kIOAsyncCalloutFuncIndex   = kIOAsyncReservedCount,
	kIOAsyncCalloutRefconIndex,
	kIOAsyncCalloutCount,
};
#define kOSAsyncRef64Count 8
typedef uint64_t io_async_ref64_t[kOSAsyncRef64Count];

typedef struct IONotificationPort *IONotificationPortRef;
typedef void (*IOServiceInterestCallback)(void *refcon, io_service_t service,
					  uint32_t messageType,
					  void *messageArgument);
typedef void (*IOAsyncCallback)(void *refcon, IOReturn result, void **args,
				uint32_t numArgs);

kern_return_t IOObjectRelease(io_object_t object);
boolean_t IOObjectConformsTo(io_object_t object, const char *className);
io_object_t IOIteratorNext(io_iterator_t iterator);

CFMutableDictionaryRef IOServiceMatching(const char *name);
CFMutableDictionaryRef IOServiceNameMatching(const char *name);
io_service_t IOServiceGetMatchingService(mach_port_t mainPort,
					 CFDictionaryRef matching);
kern_return_t IOServiceGetMatchingServices(mach_port_t mainPort,
					   CFDictionaryRef matching,
					   io_iterator_t *existing);

kern_return_t IORegistryEntryGetName(io_registry_entry_t entry,
				     io_name_t name);
kern_return_t IORegistryEntryGetRegistryEntryID(io_registry_entry_t entry,
						uint64_t *entryID);
kern_return_t IORegistryEntryGetParentEntry(io_registry_entry_t entry,
					    const char *plane,
					    io_registry_entry_t *parent);
CFTypeRef IORegistryEntryCreateCFProperty(io_registry_entry_t entry,
					  CFStringRef key,
					  CFAllocatorRef allocator,
					  IOOptionBits options);

kern_return_t IOServiceOpen(io_service_t service, task_port_t owningTask,
			    uint32_t type, io_connect_t *connect);
kern_return_t IOServiceClose(io_connect_t connect);

kern_return_t IOConnectCallMethod(mach_port_t connection, uint32_t selector,
				  const uint64_t *input, uint32_t inputCnt,
				  const void *inputStruct,
				  size_t inputStructCnt, uint64_t *output,
				  uint32_t *outputCnt, void *outputStruct,
				  size_t *outputStructCnt);
kern_return_t IOConnectCallScalarMethod(mach_port_t connection,
					uint32_t selector,
					const uint64_t *input,
					uint32_t inputCnt, uint64_t *output,
					uint32_t *outputCnt);
kern_return_t IOConnectCallStructMethod(mach_port_t connection,
					uint32_t selector,
					const void *inputStruct,
					size_t inputStructCnt,
					void *outputStruct,
					size_t *outputStructCnt);
kern_return_t IOConnectCallAsyncMethod(mach_port_t connection,
				       uint32_t selector,
				       mach_port_t wake_port,
				       uint64_t *reference,
				       uint32_t referenceCnt,
				       const uint64_t *input,
				       uint32_t inputCnt,
				       const void *inputStruct,
				       size_t inputStructCnt,
				       uint64_t *output, uint32_t *outputCnt,
				       void *outputStruct,
				       size_t *outputStructCnt);
kern_return_t IOConnectCallAsyncScalarMethod(mach_port_t connection,
					     uint32_t selector,
					     mach_port_t wake_port,
					     uint64_t *reference,
					     uint32_t referenceCnt,
					     const uint64_t *input,
					     uint32_t inputCnt,
					     uint64_t *output,
					     uint32_t *outputCnt);

kern_return_t IOConnectMapMemory64(io_connect_t connect, uint32_t memoryType,
				   task_port_t intoTask,
				   mach_vm_address_t *atAddress,
				   mach_vm_size_t *ofSize,
				   IOOptionBits options);
kern_return_t IOConnectUnmapMemory64(io_connect_t connect,
				     uint32_t memoryType,
				     task_port_t fromTask,
				     mach_vm_address_t atAddress);

IONotificationPortRef IONotificationPortCreate(mach_port_t mainPort);
void IONotificationPortDestroy(IONotificationPortRef notify);
mach_port_t IONotificationPortGetMachPort(IONotificationPortRef notify);
void IONotificationPortSetDispatchQueue(IONotificationPortRef notify,
					dispatch_queue_t queue);
kern_return_t IOServiceAddInterestNotification(IONotificationPortRef notifyPort,
					       io_service_t service,
					       const char *interestType,
					       IOServiceInterestCallback callback,
					       void *refCon,
					       io_object_t *notification);

#endif
