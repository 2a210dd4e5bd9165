/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test-only IOKitLib / CoreFoundation / mach / dispatch subset on Linux
 * (declarations: tests/fakeiokit/include/, with the SDK's spellings), so
 * that hosts/dext/dext.c compiles and runs unchanged off the Mac.
 *
 * Behind it: the real dext core (mac/dext/core) on a fake PCIDriverKit
 * platform whose device is the sim backend's device model (hosts/sim: the
 * loopback GPU's registers, copy engine, MSI-X and its DART).  So a user
 * client call goes: IOConnectCall*Method -> pp_dext_dispatch (the same
 * checked dispatch the DriverKit shell runs) -> platform op -> sim device.
 * Device DMA reaches the client's own pages through the sim's DART, and
 * MSI-X messages reach pp_dext_irq_raise on an interrupt thread, as
 * InterruptOccurred does in the dext.
 *
 * Modelled IOKit behaviour (mac-driverkit.md 3, 5):
 *  - IOServiceNameMatching(PP_DEXT_SERVICE_NAME) / IOServiceMatching(
 *    "IOUserService") + the IOUserClass property; a registry per slot:
 *    root port (IOPCIDevice) -> bridge (IOPCIDevice) -> nub (IOPCIDevice)
 *    -> the dext's service (IOUserService).  Every slot has the same BDFs,
 *    as Apple Silicon's PCIe roots do.  A decoy IOUserService of another
 *    class is listed too.  The audio function (class 0x04) gets no service:
 *    the dext core refuses it at probe.
 *  - async completions and interest notifications are messages to the
 *    IONotificationPort, delivered on its dispatch queue's thread;
 *  - IOConnectMapMemory64 asks the core (pp_dext_map_type, as
 *    CopyClientMemoryForType does) and maps the sim's BAR memory; the sim's
 *    register BAR is trap-only, so mapping it fails (kIOReturnUnsupported);
 *  - IOConnectUnmapMemory64 asks the core again (as XNU does) and fails
 *    when it refuses (not the owner, gone); mach_vm_deallocate removes a
 *    mapping regardless; IOServiceClose leaves mappings in place;
 *  - structures over 4096 bytes and more than 16 scalars are refused.
 */
#ifndef PCIPASS_FAKEIOKIT_H
#define PCIPASS_FAKEIOKIT_H

#include <stdbool.h>
#include <stdint.h>

#include "pcipass/dext_abi.h"
#include "pcipass/host.h"

#define FAKEIOKIT_MAX_SLOTS 4

struct fakeiokit_opts {
	const char *sim_args;      /* each slot's sim options (NULL: default) */
	unsigned int slots;        /* Thunderbolt roots, 1..4 (0: 1) */
	bool no_service_name;      /* the dext did not SetName() */
};

int fakeiokit_init(const struct fakeiokit_opts *o);
/* Tears everything down; returns the number of leaked client objects
 * (handles, CF objects, mappings, queues) it had to clean up. */
unsigned int fakeiokit_fini(void);

/* Pulls slot's cable: sim unplug, the dext's Stop (pp_dext_device_gone,
 * pp_dext_device_free), kIOMessageServiceIsTerminated to every interest
 * notification of the slot's services; the services stop matching. */
void fakeiokit_unplug(unsigned int slot);
/* From now on every IOConnectCall* fails with MACH_SEND_INVALID_DEST (the
 * dext process died). */
void fakeiokit_set_ipc_dead(bool dead);

/* The sim behind slot (pp_sim_inspect). */
struct pp_host *fakeiokit_sim(unsigned int slot);

struct fakeiokit_counts {
	unsigned int handles;          /* io_object_t the client holds */
	unsigned int connections;      /* open io_connect_t */
	unsigned int mappings;         /* IOConnectMapMemory64 not undone */
	unsigned int cf_objects;       /* CFStrings, matching dicts */
	unsigned int queues;           /* dispatch queues not released */
	unsigned int ports;            /* notification ports not destroyed */
	unsigned int tokens;           /* async waits held by the dext */
	uint64_t calls[PP_DEXT_SEL_COUNT];
	uint64_t async_delivered, interest_delivered;
	uint64_t map_calls, unmap_calls, unmap_refused, deallocs;
	uint32_t last_map_options;
	uint64_t max_struct_in;        /* largest structure input seen */
	uint64_t max_map_batch;        /* largest DMA_MAP count seen */
	uint64_t max_unmap_batch;
};

void fakeiokit_counts(struct fakeiokit_counts *c);

#endif
