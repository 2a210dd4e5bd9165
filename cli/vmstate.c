// SPDX-License-Identifier: GPL-2.0-or-later
/* pcipass launcher: per-VM state, its lock and stale leftovers. */
#include "vmstate.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void pp_vmstate_init(struct pp_vmstate *st, const struct pp_paths *p,
		     const char *name)
{
	memset(st, 0, sizeof(*st));
	st->name = xstrdup(name);
	st->dir = pp_vm_dir(p, name);
	st->lock = xasprintf("%s/lock", st->dir);
	st->pidfile = xasprintf("%s/qemu.pid", st->dir);
	st->qmp = xasprintf("%s/qmp.sock", st->dir);
	st->serial_log = xasprintf("%s/serial.log", st->dir);
	st->qemu_log = xasprintf("%s/qemu.log", st->dir);
	st->overlay = xasprintf("%s/disk.qcow2", st->dir);
	st->json = xasprintf("%s/vm.json", st->dir);
	st->lock_fd = -1;
}

void pp_vmstate_free(struct pp_vmstate *st)
{
	pp_vm_unlock(st);
	free(st->name);
	free(st->dir);
	free(st->lock);
	free(st->pidfile);
	free(st->qmp);
	free(st->serial_log);
	free(st->qemu_log);
	free(st->overlay);
	free(st->json);
}

static pid_t read_pid(const struct pp_vmstate *st)
{
	char *s = read_file(st->pidfile, NULL);
	unsigned long v = 0;

	if (s) {
		s[strcspn(s, "\n")] = '\0';
		if (!parse_uint(s, 0x7fffffff, &v))
			v = 0;
	}
	free(s);
	return (pid_t)v;
}

bool pp_vm_is_running(const struct pp_vmstate *st, pid_t *pid)
{
	int fd = open(st->lock, O_RDWR | O_CLOEXEC);
	bool held = false;

	if (pid)
		*pid = 0;
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK)
		held = true;
	close(fd);	/* releases it if we got it */
	if (held && pid)
		*pid = read_pid(st);
	return held;
}

int pp_vm_lock(struct pp_vmstate *st)
{
	/* not O_CLOEXEC: QEMU inherits the descriptor and with it the lock */
	int fd = open(st->lock, O_RDWR | O_CREAT, 0600);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	st->lock_fd = fd;
	return 0;
}

void pp_vm_unlock(struct pp_vmstate *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}

int pp_vm_clean_stale(const struct pp_vmstate *st)
{
	int n = 0;

	if (file_exists(st->pidfile)) {
		pid_t pid = read_pid(st);

		/* the lock is free, so whatever that pid is now, it is not
		 * our QEMU: never signal it, just forget it */
		pp_info("removing a stale pidfile of VM '%s' (pid %ld, from a crash "
			"or a kill)", st->name, (long)pid);
		unlink(st->pidfile);
		n++;
	}
	if (file_exists(st->qmp)) {
		pp_info("removing a stale QMP socket of VM '%s'", st->name);
		unlink(st->qmp);
		n++;
	}
	return n;
}

json_t *pp_vm_record(const struct pp_vmstate *st)
{
	json_error_t je;

	if (!file_exists(st->json))
		return NULL;
	return json_load_file(st->json, 0, &je);
}

int pp_vm_require_running(const struct pp_vmstate *st, pid_t *pid)
{
	if (!is_dir(st->dir)) {
		pp_err("no VM named '%s' (pcipass run %s starts it)", st->name, st->name);
		return PP_EXIT_NOTFOUND;
	}
	if (!pp_vm_is_running(st, pid)) {
		pp_vm_clean_stale(st);
		pp_err("VM '%s' is not running (pcipass run %s --detach starts it)",
		       st->name, st->name);
		return PP_EXIT_FAIL;
	}
	return 0;
}

int pp_vmstate_open_running(struct pp_vmstate *st, const char *name, pid_t *pid)
{
	struct pp_paths paths;

	if (pp_paths_init(&paths)) {
		memset(st, 0, sizeof(*st));
		st->lock_fd = -1;
		return PP_EXIT_ENV;
	}
	pp_vmstate_init(st, &paths, name);
	pp_paths_free(&paths);	/* st has its own copies */
	return pp_vm_require_running(st, pid);
}
