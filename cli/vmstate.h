/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: one VM's state directory, vms/NAME/:
 *   lock        flock()ed by the running QEMU (inherited from `run`), so a
 *               VM is running exactly when its lock is held; nothing
 *               stale can claim otherwise
 *   qemu.pid    QEMU's pid (-pidfile)    qmp.sock   the QMP socket
 *   serial.log  console when detached    qemu.log   QEMU's own output
 *   disk.qcow2  the root overlay on the image's base disk
 *   vm.json     what the last `run` used (image, resources, ports, devices)
 */
#ifndef PCIPASS_CLI_VMSTATE_H
#define PCIPASS_CLI_VMSTATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cli.h"

struct pp_vmstate {
	char *name, *dir;
	char *lock, *pidfile, *qmp, *serial_log, *qemu_log, *overlay, *json;
	int lock_fd;           /* held by us (run), -1 otherwise */
};

void pp_vmstate_init(struct pp_vmstate *st, const struct pp_paths *p,
		     const char *name);
void pp_vmstate_free(struct pp_vmstate *st);

/* True when the VM's QEMU holds its lock; *pid from the pidfile (0 if
 * unknown). */
bool pp_vm_is_running(const struct pp_vmstate *st, pid_t *pid);

/* Takes the lock for `run` (the fd is inherited by QEMU).  0, or -EBUSY. */
int pp_vm_lock(struct pp_vmstate *st);
void pp_vm_unlock(struct pp_vmstate *st);

/* With the VM not running: removes a pidfile or socket left by a crash;
 * says so.  Returns how many it removed. */
int pp_vm_clean_stale(const struct pp_vmstate *st);

/* vm.json, or NULL if the VM has never run. */
json_t *pp_vm_record(const struct pp_vmstate *st);

/* "VM 'x' is not running" errors and the like share one wording. */
int pp_vm_require_running(const struct pp_vmstate *st, pid_t *pid);

/* status, stop, ssh: the state of VM name from the usual place, which must
 * be running.  0 or an exit code (the error printed); pp_vmstate_free()
 * in every case. */
int pp_vmstate_open_running(struct pp_vmstate *st, const char *name, pid_t *pid);

#endif
