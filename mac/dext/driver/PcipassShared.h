/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compile-time cross-checks between the portable ABI/core constants and
 * Apple's headers, plus the shell's internal types.  Included by the two
 * .cpp files of the shell only (DriverKit SDK needed).
 *
 * NEVER BUILT HERE: this directory needs the DriverKit SDK (Xcode).  The
 * static_asserts below are the first thing to look at when it is built for
 * the first time: each one pins a value that mac-driverkit.md quotes or
 * that dext_abi.h spells out without Apple's headers.
 */
#ifndef PCIPASS_SHARED_H
#define PCIPASS_SHARED_H

#include <DriverKit/IOReturn.h>
#include <DriverKit/IOLib.h>
#include <DriverKit/IOMemoryDescriptor.h>
#include <DriverKit/IOUserClient.h>
#include <PCIDriverKit/PCIDriverKit.h>

extern "C" {
#include "dext_core.h"
}
#include "pcipass/dext_abi.h"

/* IOReturn values dext_abi.h spells out (pp_status <-> IOReturn). */
static_assert((uint32_t)kIOReturnSuccess == PP_DEXT_IORET_SUCCESS, "");
static_assert((uint32_t)kIOReturnInvalid == PP_DEXT_IORET_INVALID, "");
static_assert((uint32_t)kIOReturnError == PP_DEXT_IORET_ERROR, "");
static_assert((uint32_t)kIOReturnNoMemory == PP_DEXT_IORET_NO_MEMORY, "");
static_assert((uint32_t)kIOReturnNoResources == PP_DEXT_IORET_NO_RESOURCES, "");
static_assert((uint32_t)kIOReturnNoDevice == PP_DEXT_IORET_NO_DEVICE, "");
static_assert((uint32_t)kIOReturnBadArgument == PP_DEXT_IORET_BAD_ARGUMENT, "");
static_assert((uint32_t)kIOReturnExclusiveAccess == PP_DEXT_IORET_EXCLUSIVE, "");
static_assert((uint32_t)kIOReturnBadMessageID == PP_DEXT_IORET_BAD_MSG_ID, "");
static_assert((uint32_t)kIOReturnUnsupported == PP_DEXT_IORET_UNSUPPORTED, "");
static_assert((uint32_t)kIOReturnVMError == PP_DEXT_IORET_VM_ERROR, "");
static_assert((uint32_t)kIOReturnNotOpen == PP_DEXT_IORET_NOT_OPEN, "");
static_assert((uint32_t)kIOReturnNotAligned == PP_DEXT_IORET_NOT_ALIGNED, "");
static_assert((uint32_t)kIOReturnDMAError == PP_DEXT_IORET_DMA_ERROR, "");
static_assert((uint32_t)kIOReturnNoSpace == PP_DEXT_IORET_NO_SPACE, "");
static_assert((uint32_t)kIOReturnMessageTooLarge == PP_DEXT_IORET_MSG_TOO_LARGE, "");
static_assert((uint32_t)kIOReturnOverrun == PP_DEXT_IORET_OVERRUN, "");
static_assert((uint32_t)kIOReturnAborted == PP_DEXT_IORET_ABORTED, "");
static_assert((uint32_t)kIOReturnNotFound == PP_DEXT_IORET_NOT_FOUND, "");

/* GetBARInfo types (IOPCIFamilyDefinitions.h) as the core decodes them. */
static_assert(kPCIBARTypeM32 == PP_DEXT_RAW_BAR_M32, "");
static_assert(kPCIBARTypeIO == PP_DEXT_RAW_BAR_IO, "");
static_assert(kPCIBARTypeM64 == PP_DEXT_RAW_BAR_M64, "");
static_assert(kPCIBARTypeM32PF == PP_DEXT_RAW_BAR_M32PF, "");
static_assert(kPCIBARTypeM64PF == PP_DEXT_RAW_BAR_M64PF, "");

/* Async completion arguments fit. */
static_assert(PP_DEXT_WAIT_NARGS <= kIOUserClientAsyncArgumentsCountMax, "");
static_assert(PP_DEXT_MAX_SEGMENTS == 32, "PrepareForDMA's segments[32]");

/* Personality properties read in PcipassDriver::Start (numbers). */
#define PCIPASS_PROP_ALLOW_MULTIMEDIA "PcipassAllowMultimedia"
#define PCIPASS_PROP_MAX_DMA_BYTES    "PcipassMaxDMABytes"
#define PCIPASS_PROP_MAX_DMA_ENTRIES  "PcipassMaxDMAEntries"
#define PCIPASS_PROP_MAX_MAP_LEN      "PcipassMaxMapLen"
/* The user client's properties dictionary in the personality. */
#define PCIPASS_UC_PROPERTIES         "PcipassUserClientProperties"

class PcipassDriver;
class PcipassUserClient;
class IOInterruptDispatchSource;
class IODispatchQueue;
class OSAction;
class IODMACommand;

static_assert(sizeof(PP_DEXT_SERVICE_NAME) <= sizeof(IOServiceName), "");
static_assert(sizeof(PCIPASS_UC_PROPERTIES) <= sizeof(IOPropertyName), "");

/* The platform context of one device (the core's `dev`). */
struct PcipassDevCtx {
	PcipassDriver *driver;          /* not retained: owns this struct */
	IOPCIDevice *pci;
	IOLock *lock;                   /* the core's device lock */
	IODispatchQueue *irqQueue;      /* InterruptOccurred runs here */
	IOInterruptDispatchSource *sources[PP_DEXT_MAX_VECTORS];
	OSAction *actions[PP_DEXT_MAX_VECTORS];
	uint32_t nsources;
};

/* The platform context of one user client (the core's `client`). */
struct PcipassClientCtx {
	PcipassUserClient *uc;          /* not retained: owns this struct */
	IOPCIDevice *pci;
};

/* One DMA registration's platform objects (the core's dma token). */
struct PcipassDMAPrep {
	IOMemoryDescriptor *md;
	IODMACommand *cmd;
};

/* One armed IRQ_WAIT (the core's wait token). */
struct PcipassWait {
	PcipassUserClient *uc;          /* retained */
	OSAction *action;               /* retained */
};

extern const struct pp_dext_platform gPcipassPlatform;

/* kern_return_t of a PCIDriverKit call -> pp_status for the core. */
int PcipassStatus(kern_return_t ret);

#endif
