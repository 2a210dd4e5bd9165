/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STAND-IN declarations of the DriverKit / PCIDriverKit APIs the pcipass
 * shell uses, written from the signatures quoted in the project's notes
 * (mac-driverkit.md) -- NOT Apple's headers.  They exist only so that
 * mac/dext/test/shellcheck/run can type-check the shell's .cpp files off a
 * Mac (clang++ -fsyntax-only): it catches the shell drifting from the
 * portable core (e.g. the positional platform table), not mistakes against
 * the real SDK.  The real build (mac/dext/build.sh) never sees this.
 */
#ifndef PCIPASS_STANDIN_H
#define PCIPASS_STANDIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int kern_return_t;
typedef kern_return_t IOReturn;
typedef uint32_t IOOptionBits;

#define kIOReturnSuccess          0
#define iokit_common_err(x)       ((kern_return_t)(0xE0000000u | (x)))
#define kIOReturnInvalid          iokit_common_err(0x001)
#define kIOReturnError            iokit_common_err(0x2bc)
#define kIOReturnNoMemory         iokit_common_err(0x2bd)
#define kIOReturnNoResources      iokit_common_err(0x2be)
#define kIOReturnNoDevice         iokit_common_err(0x2c0)
#define kIOReturnBadArgument      iokit_common_err(0x2c2)
#define kIOReturnExclusiveAccess  iokit_common_err(0x2c5)
#define kIOReturnBadMessageID     iokit_common_err(0x2c6)
#define kIOReturnUnsupported      iokit_common_err(0x2c7)
#define kIOReturnVMError          iokit_common_err(0x2c8)
#define kIOReturnNotOpen          iokit_common_err(0x2cd)
#define kIOReturnNotReadable      iokit_common_err(0x2ce)
#define kIOReturnNotWritable      iokit_common_err(0x2cf)
#define kIOReturnNotAligned       iokit_common_err(0x2d0)
#define kIOReturnDMAError         iokit_common_err(0x2d4)
#define kIOReturnBusy             iokit_common_err(0x2d5)
#define kIOReturnNotReady         iokit_common_err(0x2d8)
#define kIOReturnNoSpace          iokit_common_err(0x2db)
#define kIOReturnMessageTooLarge  iokit_common_err(0x2e1)
#define kIOReturnNotPermitted     iokit_common_err(0x2e2)
#define kIOReturnOverrun          iokit_common_err(0x2e8)
#define kIOReturnAborted          iokit_common_err(0x2eb)
#define kIOReturnNotFound         iokit_common_err(0x2f0)

#define os_log(log, fmt, ...)     ((void)(log), (void)(fmt))
#define OS_LOG_DEFAULT            0

struct IOLock;
IOLock *IOLockAlloc(void);
void IOLockFree(IOLock *);
void IOLockLock(IOLock *);
void IOLockUnlock(IOLock *);

#define IONewZero(type, n)        ((type *)calloc((n), sizeof(type)))
#define IOSafeDeleteNULL(p, type, n) do { ::free(p); (p) = nullptr; } while (0)
#define OSSafeReleaseNULL(p)      do { if (p) (p)->release(); (p) = nullptr; } while (0)
class OSObject;
template <class T> T *pcipass_standin_cast(OSObject *) { return nullptr; }
#define OSDynamicCast(type, p)    (pcipass_standin_cast<type>(p))
#define SUPERDISPATCH             0
#define LOCALONLY
#define TYPE(x)

class OSObject {
public:
	virtual ~OSObject() {}
	virtual bool init() { return true; }
	virtual void free() {}
	void retain() {}
	void release() {}
};

class OSContainer : public OSObject {};
class OSDictionary : public OSContainer {};
typedef OSDictionary *OSDictionaryPtr;
typedef OSObject *OSObjectPtr;
OSObjectPtr OSDictionaryGetValue(OSDictionaryPtr obj, const char *key);
uint64_t OSDictionaryGetUInt64Value(OSDictionaryPtr obj, const char *key);

class OSData : public OSObject {
public:
	static OSData *withBytes(const void *bytes, size_t length);
	const void *getBytesNoCopy() const;
	size_t getLength() const;
};

class OSAction : public OSObject {
public:
	void *GetReference();
};

typedef char IOServiceName[128];
typedef char IOPropertyName[128];
typedef char IODispatchQueueName[256];
typedef void (^IODispatchSourceCancelHandler)(void);

class IODispatchQueue : public OSObject {
public:
	static kern_return_t Create(const IODispatchQueueName name,
				    uint64_t options, uint64_t priority,
				    IODispatchQueue **queue);
};

class IOUserClient;
class IOMemoryDescriptor;

class IOService : public OSObject {
public:
	virtual kern_return_t Start(IOService *provider, int superdispatch);
	virtual kern_return_t Stop(IOService *provider, int superdispatch);
	kern_return_t GetRegistryEntryID(uint64_t *registryEntryID);
	kern_return_t SetName(const IOServiceName name);
	kern_return_t RegisterService();
	kern_return_t CopyProperties(OSDictionary **properties);
	kern_return_t Create(IOService *provider, const IOPropertyName key,
			     IOService **result);
};

struct IOAddressSegment {
	uint64_t address;
	uint64_t length;
};

enum {
	kIOMemoryDirectionIn = 1,
	kIOMemoryDirectionOut = 2,
	kIOMemoryDirectionInOut = 3,
	kIOMemoryDisableCopyOnWrite = 0x10,
};

class IOMemoryDescriptor : public OSObject {};

struct IODMACommandSpecification {
	uint64_t options;
	uint64_t maxAddressBits;
	uint64_t _resv[16];
};
enum {
	kIODMACommandCreateNoOptions = 0,
	kIODMACommandPrepareForDMANoOptions = 0,
	kIODMACommandCompleteDMANoOptions = 0,
};

class IODMACommand : public OSObject {
public:
	static kern_return_t Create(IOService *device, uint64_t options,
				    const IODMACommandSpecification *spec,
				    IODMACommand **command);
	kern_return_t PrepareForDMA(uint64_t options, IOMemoryDescriptor *memory,
				    uint64_t offset, uint64_t length,
				    uint64_t *flags, uint32_t *segmentsCount,
				    IOAddressSegment segments[32]);
	kern_return_t CompleteDMA(uint64_t options);
};

enum {
	kIOUserClientScalarArrayCountMax = 16,
	kIOUserClientAsyncArgumentsCountMax = 16,
	kIOUserClientVariableStructureSize = 0xffffffff,
};
typedef uint64_t IOUserClientAsyncArgumentsArray[kIOUserClientAsyncArgumentsCountMax];

struct IOUserClientMethodArguments {
	uint64_t version;
	uint64_t selector;
	OSAction *completion;
	const uint64_t *scalarInput;
	uint32_t scalarInputCount;
	OSData *structureInput;
	IOMemoryDescriptor *structureInputDescriptor;
	uint64_t *scalarOutput;
	uint32_t scalarOutputCount;
	OSData *structureOutput;
	IOMemoryDescriptor *structureOutputDescriptor;
	uint64_t structureOutputMaximumSize;
	uint64_t __reserved[30];
};
struct IOUserClientMethodDispatch;

class IOUserClient : public IOService {
public:
	virtual kern_return_t ExternalMethod(uint64_t selector,
		IOUserClientMethodArguments *arguments,
		const IOUserClientMethodDispatch *dispatch, OSObject *target,
		void *reference);
	virtual kern_return_t CopyClientMemoryForType(uint64_t type,
		uint64_t *options, IOMemoryDescriptor **memory);
	virtual void AsyncCompletion(OSAction *action, IOReturn status,
		const IOUserClientAsyncArgumentsArray asyncData,
		uint32_t asyncDataCount);
	virtual kern_return_t CreateMemoryDescriptorFromClient(
		uint64_t memoryDescriptorCreateOptions, uint32_t segmentsCount,
		const IOAddressSegment segments[32],
		IOMemoryDescriptor **memory);
};

class IOInterruptDispatchSource : public OSObject {
public:
	static kern_return_t Create(IOService *provider, uint32_t index,
				    IODispatchQueue *queue,
				    IOInterruptDispatchSource **source);
	static kern_return_t GetInterruptType(IOService *provider,
					      uint32_t index,
					      uint64_t *interruptType);
	kern_return_t SetHandler(OSAction *action);
	kern_return_t SetEnable(bool enable);
	kern_return_t Cancel(IODispatchSourceCancelHandler handler);
};

/* PCIDriverKit */
enum {
	kPCIBARTypeM32 = 0x0, kPCIBARTypeIO = 0x1, kPCIBARTypeM64 = 0x4,
	kPCIBARTypeM32PF = 0x8, kPCIBARTypeM64PF = 0xC,
};
enum {
	kIOPCIDeviceResetTypeHotReset = 1,
	kIOPCIDeviceResetTypeFunctionReset = 0x10,
	kIOPCIDeviceResetOptionNone = 0,
};
enum {
	kIOInterruptTypePCIMessaged = 0x10000,
	kIOInterruptTypePCIMessagedX = 0x20000,
};

class IOPCIDevice : public IOService {
public:
	kern_return_t Open(IOService *forClient, IOOptionBits options = 0);
	void Close(IOService *forClient, IOOptionBits options = 0);
	void ConfigurationRead32(uint64_t offset, uint32_t *readData);
	void ConfigurationRead16(uint64_t offset, uint16_t *readData);
	void ConfigurationRead8(uint64_t offset, uint8_t *readData);
	void ConfigurationWrite32(uint64_t offset, uint32_t data);
	void ConfigurationWrite16(uint64_t offset, uint16_t data);
	void ConfigurationWrite8(uint64_t offset, uint8_t data);
	void MemoryRead64(uint8_t memoryIndex, uint64_t offset, uint64_t *readData);
	void MemoryRead32(uint8_t memoryIndex, uint64_t offset, uint32_t *readData);
	void MemoryRead16(uint8_t memoryIndex, uint64_t offset, uint16_t *readData);
	void MemoryRead8(uint8_t memoryIndex, uint64_t offset, uint8_t *readData);
	void MemoryWrite64(uint8_t memoryIndex, uint64_t offset, uint64_t data);
	void MemoryWrite32(uint8_t memoryIndex, uint64_t offset, uint32_t data);
	void MemoryWrite16(uint8_t memoryIndex, uint64_t offset, uint16_t data);
	void MemoryWrite8(uint8_t memoryIndex, uint64_t offset, uint8_t data);
	virtual kern_return_t GetBusDeviceFunction(uint8_t *bus, uint8_t *device,
						   uint8_t *function);
	virtual kern_return_t GetBARInfo(uint8_t barIndex, uint8_t *memoryIndex,
					 uint64_t *barSize = 0,
					 uint8_t *barType = 0);
	virtual kern_return_t ConfigureInterrupts(uint32_t interruptType,
						  uint32_t numRequired = 1,
						  uint32_t numRequested = 1,
						  IOOptionBits options = 0);
	virtual kern_return_t Reset(IOOptionBits type, IOOptionBits options = 0);
	kern_return_t _CopyDeviceMemoryWithIndex(uint64_t memoryIndex,
						 IOMemoryDescriptor **returnMemory,
						 IOService *forClient);
};

#endif
