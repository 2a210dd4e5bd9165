/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test hooks of the host backends (FOR TESTS ONLY): what QEMU's
 * x-sim-unplug property calls for a backend other than "sim"
 * (docs/qemu-devices.md).  Not part of the host interface (host.h).
 */
#ifndef PCIPASS_HOST_TESTHOOKS_H
#define PCIPASS_HOST_TESTHOOKS_H

#include <stdint.h>

/* The host DART of the unplugged slot (the sim's, behind the fake),
 * read just before the cable was pulled and just after the dext's Stop. */
struct pp_host_test_unplug {
	unsigned int slot;                     /* the fake Thunderbolt root */
	uint64_t live_entries_before, live_bytes_before;
	uint64_t live_entries_after, live_bytes_after;
};

/*
 * backend=dext in the Linux test build (PCIPASS_FAKE_IOKIT, hosts/host.c):
 * pulls the cable of the fake Thunderbolt root S of host id
 * "pcie-tbS:BB:DD.F" (fakeiokit_unplug: the sim slot goes away, the dext
 * core runs Stop, every IOKit interest notification of the slot gets
 * kIOMessageServiceIsTerminated, and the dext client raises
 * PP_HOST_EV_GONE).  Every function of the root goes, as with a real cable.
 * Main thread only (like pp_host_create).  Returns PP_OK; PP_ERR_INVAL for
 * an id that does not name a root of the running fake; PP_ERR_NOENT where
 * there is no fake IOKit (macOS, a real dext) or it is not started.
 * r may be NULL.
 */
int pp_host_fake_dext_unplug(const char *id, struct pp_host_test_unplug *r);

#endif
