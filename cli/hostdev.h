/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: the host's passable devices, grouped by slot, through
 * the same host-backend interface QEMU uses (hosts/include/pcipass/host.h):
 * the dext on a Mac, the simulated Mac host on Linux.  Also the facts about
 * the host itself (OS version, CPUs, memory, IPA size).
 */
#ifndef PCIPASS_CLI_HOSTDEV_H
#define PCIPASS_CLI_HOSTDEV_H

#include "pcipass/host.h"
#include "vm.h"

#define PP_SCAN_MAX_SLOTS 16

struct pp_scan_func {
	struct pp_host_dev_info info;
	struct pp_host_bar_info bars[PP_HOST_MAX_BARS];
	bool opened;                 /* false: in use elsewhere (a running VM) */
	int open_status;             /* PP_OK or why it could not be opened */
};

struct pp_scan_slot {
	char id[PP_HOST_ID_LEN];     /* the function id without ".F" */
	unsigned int nfuncs;
	struct pp_scan_func funcs[PP_VM_MAX_FUNCS];
	bool have_usage;
	struct pp_host_dma_usage usage; /* the slot's DART */
};

struct pp_scan {
	const char *backend;         /* "sim" or "dext" */
	char backend_args[128];
	unsigned int nslots;
	struct pp_scan_slot slots[PP_SCAN_MAX_SLOTS];
};

/* The backend this host uses: "dext" on a Mac, "sim" elsewhere
 * ($PCIPASS_BACKEND overrides, $PCIPASS_BACKEND_ARGS gives its args). */
const char *pp_host_backend_name(void);

/* Fills facts about this machine (hostfacts.c). */
int pp_host_facts_get(struct pp_host_facts *f);

/*
 * Enumerates the backend's functions, opens each briefly for its BARs and
 * DART usage (a function a running VM holds is listed as in use), groups
 * them by slot.  PP_OK, or a status with *err set (no backend: the dext
 * not installed, ...).
 */
int pp_scan_devices(struct pp_scan *s, char *err, size_t errlen);

/*
 * Resolves what the user asked for (--device values: "all", "none", a slot
 * id "sim0:01:00" or a function id "sim0:01:00.1"; several allowed) into
 * vm->slots.  No selection means "all".  0, or -ENOENT / -EBUSY with *err
 * naming the valid ids.
 */
int pp_select_devices(const struct pp_scan *s, char *const *sel, unsigned int nsel,
		      struct pp_vm *vm, char *err, size_t errlen);

#endif
