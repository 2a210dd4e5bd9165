// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass stop: ACPI powerdown over QMP (the guest shuts down cleanly and
 * its module gives every DART mapping back), SIGTERM if it has not gone
 * after --timeout, SIGKILL after --kill-timeout more.  The VM is gone when
 * its lock is free: that is what we wait for, not a pid that may be reused.
 */
#include "qmp.h"
#include "vmstate.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static bool wait_gone(const struct pp_vmstate *st, unsigned long secs)
{
	for (unsigned long ms = 0; ms <= secs * 1000; ms += 200) {
		if (!pp_vm_is_running(st, NULL))
			return true;
		usleep(200 * 1000);
	}
	return false;
}

int cmd_stop(int argc, char **argv)
{
	const char *name = "default";
	unsigned long timeout = 60, kill_timeout = 10;
	struct pp_vmstate st;
	struct pp_qmp q;
	char err[512];
	pid_t pid;
	int rc;

	for (int a = 1; a < argc; a++) {
		if ((!strcmp(argv[a], "--timeout") || !strcmp(argv[a], "--kill-timeout")) &&
		    a + 1 < argc) {
			unsigned long *t = argv[a][2] == 't' ? &timeout : &kill_timeout;

			if (!parse_uint(argv[a + 1], 86400, t)) {
				pp_err("%s %s: seconds", argv[a], argv[a + 1]);
				return PP_EXIT_USAGE;
			}
			a++;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			puts("usage: pcipass stop [NAME] [--timeout S] [--kill-timeout S]\n\n"
			     "Powers VM NAME (default \"default\") down over QMP; SIGTERM to QEMU\n"
			     "after --timeout seconds (60), SIGKILL after --kill-timeout more (10).");
			return PP_EXIT_OK;
		} else if (argv[a][0] != '-' && valid_name(argv[a])) {
			name = argv[a];
		} else {
			pp_err("stop: unexpected argument '%s'", argv[a]);
			return PP_EXIT_USAGE;
		}
	}
	rc = pp_vmstate_open_running(&st, name, &pid);
	if (rc)
		goto out;
	if (!pid) {
		json_t *rec = pp_vm_record(&st);

		pid = (pid_t)json_integer_value(json_object_get(rec, "pid"));
		json_decref(rec);
	}
	if (!pp_qmp_open(&q, st.qmp, 5000, err, sizeof(err))) {
		json_t *r = pp_qmp_exec(&q, "system_powerdown", NULL, err, sizeof(err));

		json_decref(r);
		pp_qmp_close(&q);
		if (r)
			pp_info("VM '%s': powerdown requested, waiting up to %lus", name, timeout);
		else
			pp_warn("VM '%s': %s", name, err);
	} else {
		pp_warn("VM '%s': no QMP (%s)", name, err);
	}
	if (wait_gone(&st, timeout)) {
		pp_info("VM '%s' powered off", name);
		goto done;
	}
	if (pid <= 0) {
		pp_err("VM '%s' ignored the powerdown and its pid is unknown", name);
		rc = PP_EXIT_FAIL;
		goto out;
	}
	pp_warn("VM '%s' still running after %lus: SIGTERM to QEMU (pid %ld)", name,
		timeout, (long)pid);
	kill(pid, SIGTERM);
	if (wait_gone(&st, kill_timeout)) {
		pp_info("VM '%s' stopped (SIGTERM)", name);
		goto done;
	}
	pp_warn("VM '%s' still running after %lus more: SIGKILL", name, kill_timeout);
	kill(pid, SIGKILL);
	if (!wait_gone(&st, 5)) {
		pp_err("VM '%s' (pid %ld) survived SIGKILL", name, (long)pid);
		rc = PP_EXIT_FAIL;
		goto out;
	}
	pp_info("VM '%s' killed (SIGKILL)", name);
done:
	pp_vm_clean_stale(&st);
	rc = PP_EXIT_OK;
out:
	pp_vmstate_free(&st);
	return rc;
}
