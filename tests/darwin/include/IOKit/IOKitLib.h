/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only declaration header (tests/darwin, see README.md): the
 * IOKitLib subset a PCIDriverKit user client (hosts/dext) uses: service
 * matching and the registry, opening a user client, the IOConnectCall*
 * family (sync and async), BAR mapping with IOConnectMapMemory64, and
 * notification ports on a dispatch queue.  Signatures, types and constants
 * as documented by Apple (IOKitLib.h, IOTypes.h, IOMapTypes.h,
 * OSMessageNotification.h).  Declarations only.  Not Apple's header.
 */
#ifndef PP_DARWIN_IOKITLIB_H
#define PP_DARWIN_IOKITLIB_H

#include <stddef.h>
#include <stdint.h>

#include <Availability.h>
#include <CoreFoundation/CoreFoundation.h>
#include <IOKit/IOReturn.h>
#include <dispatch/dispatch.h>
#include <mach/mach.h>
#include <os/base.h>

__BEGIN_DECLS
/* IOTypes.h */
typedef mach_port_t io_object_t;
typedef io_object_t io_connect_t;
typedef io_object_t io_enumerator_t;
typedef io_object_t io_iterator_t;
typedef io_object_t io_registry_entry_t;
typedef io_object_t io_service_t;
typedef char io_name_t[128];
typedef char io_string_t[512];
typedef UInt32 IOOptionBits;
typedef uint64_t io_user_reference_t;

#define IO_OBJECT_NULL ((io_object_t)0)

/* IOKitKeys.h */
#define kIOServicePlane      "IOService"
#define kIOGeneralInterest   "IOGeneralInterest"
#define kIOPublishNotification   "IOServicePublish"
#define kIOFirstMatchNotification "IOServiceFirstMatch"
#define kIOTerminatedNotification "IOServiceTerminate"

/* IORegistryEntry search options */
enum {
	kIORegistryIterateRecursively = 0x00000001,
	kIORegistryIterateParents     = 0x00000002,
};

/* IOMapTypes.h */
enum {
	kIOMapAnywhere          = 0x00000001,
	kIOMapCacheMask         = 0x00000f00,
	kIOMapCacheShift        = 8,
	kIOMapDefaultCache      = 0x00000000,
	kIOMapInhibitCache      = 0x00000100,
	kIOMapWriteThruCache    = 0x00000200,
	kIOMapCopybackCache     = 0x00000300,
	kIOMapWriteCombineCache = 0x00000400,
	kIOMapCopybackInnerCache = 0x00000500,
	kIOMapPostedWrite       = 0x00000600,
	kIOMapRealTimeCache     = 0x00000700,
	kIOMapPostedReordered   = 0x00000800,
	kIOMapPostedCombinedReordered = 0x00000900,
	kIOMapUserOptionsMask   = 0x00000fff,
	kIOMapReadOnly          = 0x00001000,
	kIOMapStatic            = 0x01000000,
	kIOMapReference         = 0x02000000,
	kIOMapUnique            = 0x04000000,
	kIOMapPrefault          = 0x10000000,
	kIOMapOverwrite         = 0x20000000,
};

/* OSMessageNotification.h */
enum {
	kIOAsyncReservedIndex      = 0,
	kIOAsyncReservedCount,
	kIOAsyncCalloutFuncIndex   = kIOAsyncReservedCount,
	kIOAsyncCalloutRefconIndex,
	kIOAsyncCalloutCount,
	kIOMatchingCalloutFuncIndex = kIOAsyncReservedCount,
	kIOMatchingCalloutRefconIndex,
	kIOMatchingCalloutCount,
	kIOInterestCalloutFuncIndex = kIOAsyncReservedCount,
	kIOInterestCalloutRefconIndex,
	kIOInterestCalloutServiceIndex,
	kIOInterestCalloutCount,
};
#define kOSAsyncRef64Count 8
#define kOSAsyncRef64Size  (kOSAsyncRef64Count * ((int)sizeof(io_user_reference_t)))
typedef io_user_reference_t OSAsyncReference64[kOSAsyncRef64Count];
typedef io_user_reference_t io_async_ref64_t[kOSAsyncRef64Count];
#define kIOMaxBusStall40usec 40000

typedef struct IONotificationPort *IONotificationPortRef;
typedef void (*IOServiceMatchingCallback)(void *refcon,
					  io_iterator_t iterator);
typedef void (*IOServiceInterestCallback)(void *refcon, io_service_t service,
					  uint32_t messageType,
					  void *messageArgument);
typedef void (*IOAsyncCallback0)(void *refcon, IOReturn result);
typedef void (*IOAsyncCallback1)(void *refcon, IOReturn result, void *arg0);
typedef void (*IOAsyncCallback)(void *refcon, IOReturn result, void **args,
				uint32_t numArgs);

API_AVAILABLE(macos(12.0))
extern const mach_port_t kIOMainPortDefault;

IONotificationPortRef IONotificationPortCreate(mach_port_t mainPort);
void IONotificationPortDestroy(IONotificationPortRef notify);
mach_port_t IONotificationPortGetMachPort(IONotificationPortRef notify);
API_AVAILABLE(macos(10.6))
void IONotificationPortSetDispatchQueue(IONotificationPortRef notify,
					dispatch_queue_t queue);

kern_return_t IOObjectRelease(io_object_t object);
kern_return_t IOObjectRetain(io_object_t object);
kern_return_t IOObjectGetClass(io_object_t object, io_name_t className);
boolean_t IOObjectConformsTo(io_object_t object, const io_name_t className);
boolean_t IOObjectIsEqualTo(io_object_t object, io_object_t anObject);
io_object_t IOIteratorNext(io_iterator_t iterator);
void IOIteratorReset(io_iterator_t iterator);
boolean_t IOIteratorIsValid(io_iterator_t iterator);

CFMutableDictionaryRef IOServiceMatching(const char *name);
CFMutableDictionaryRef IOServiceNameMatching(const char *name);
CFMutableDictionaryRef IORegistryEntryIDMatching(uint64_t entryID);
io_service_t IOServiceGetMatchingService(mach_port_t mainPort,
					 CFDictionaryRef matching);
kern_return_t IOServiceGetMatchingServices(mach_port_t mainPort,
					   CFDictionaryRef matching,
					   io_iterator_t *existing);
kern_return_t IOServiceAddMatchingNotification(
	IONotificationPortRef notifyPort, const io_name_t notificationType,
	CFDictionaryRef matching, IOServiceMatchingCallback callback,
	void *refCon, io_iterator_t *notification);
kern_return_t IOServiceAddInterestNotification(
	IONotificationPortRef notifyPort, io_service_t service,
	const io_name_t interestType, IOServiceInterestCallback callback,
	void *refCon, io_object_t *notification);

kern_return_t IOServiceOpen(io_service_t service, task_port_t owningTask,
			    uint32_t type, io_connect_t *connect);
kern_return_t IOServiceClose(io_connect_t connect);

kern_return_t IORegistryEntryGetName(io_registry_entry_t entry,
				     io_name_t name);
kern_return_t IORegistryEntryGetNameInPlane(io_registry_entry_t entry,
					    const io_name_t plane,
					    io_name_t name);
kern_return_t IORegistryEntryGetLocationInPlane(io_registry_entry_t entry,
						const io_name_t plane,
						io_name_t location);
kern_return_t IORegistryEntryGetPath(io_registry_entry_t entry,
				     const io_name_t plane, io_string_t path);
kern_return_t IORegistryEntryGetRegistryEntryID(io_registry_entry_t entry,
						uint64_t *entryID);
kern_return_t IORegistryEntryGetParentEntry(io_registry_entry_t entry,
					    const io_name_t plane,
					    io_registry_entry_t *parent);
kern_return_t IORegistryEntryGetChildIterator(io_registry_entry_t entry,
					      const io_name_t plane,
					      io_iterator_t *iterator);
CFTypeRef IORegistryEntryCreateCFProperty(io_registry_entry_t entry,
					  CFStringRef key,
					  CFAllocatorRef allocator,
					  IOOptionBits options);
CFTypeRef IORegistryEntrySearchCFProperty(io_registry_entry_t entry,
					  const io_name_t plane,
					  CFStringRef key,
					  CFAllocatorRef allocator,
					  IOOptionBits options);

kern_return_t IOConnectCallMethod(mach_port_t connection, uint32_t selector,
				  const uint64_t *input, uint32_t inputCnt,
				  const void *inputStruct,
				  size_t inputStructCnt, uint64_t *output,
				  uint32_t *outputCnt, void *outputStruct,
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
kern_return_t IOConnectCallStructMethod(mach_port_t connection,
					uint32_t selector,
					const void *inputStruct,
					size_t inputStructCnt,
					void *outputStruct,
					size_t *outputStructCnt);
kern_return_t IOConnectCallAsyncStructMethod(mach_port_t connection,
					     uint32_t selector,
					     mach_port_t wake_port,
					     uint64_t *reference,
					     uint32_t referenceCnt,
					     const void *inputStruct,
					     size_t inputStructCnt,
					     void *outputStruct,
					     size_t *outputStructCnt);
kern_return_t IOConnectCallScalarMethod(mach_port_t connection,
					uint32_t selector,
					const uint64_t *input,
					uint32_t inputCnt, uint64_t *output,
					uint32_t *outputCnt);
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
__END_DECLS

#endif
