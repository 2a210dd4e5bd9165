// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass ssh: ssh to the VM through its loopback forward, as the image's
 * user with the image's key.  Host keys are made by each VM at its first
 * boot, so they are trusted on first use into the VM's own known_hosts.
 */
#include "vmstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_ssh(int argc, char **argv)
{
	const char *name = "default";
	struct pp_vmstate st;
	struct strvec av = { 0 };
	json_t *rec;
	const char *user, *key;
	json_int_t port;
	char *ssh;
	int a = 1, rc;

	for (; a < argc; a++) {
		if (!strcmp(argv[a], "--")) {
			a++;
			break;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			puts("usage: pcipass ssh [NAME] [-- ssh/command args]\n\n"
			     "ssh into VM NAME (default \"default\") on its 127.0.0.1 forward,\n"
			     "as the image's user with the image's key.");
			return PP_EXIT_OK;
		} else if (argv[a][0] != '-' && valid_name(argv[a])) {
			name = argv[a];
		} else {
			pp_err("ssh: unexpected argument '%s' (ssh arguments go after --)",
			       argv[a]);
			return PP_EXIT_USAGE;
		}
	}
	rc = pp_vmstate_open_running(&st, name, NULL);
	if (rc)
		goto out;
	rec = pp_vm_record(&st);
	port = json_integer_value(json_object_get(rec, "ssh_port"));
	user = json_string_value(json_object_get(rec, "user"));
	key = json_string_value(json_object_get(rec, "key"));
	if (port <= 0 || !user) {
		pp_err("VM '%s' has no SSH forward recorded (%s)", name, st.json);
		json_decref(rec);
		rc = PP_EXIT_FAIL;
		goto out;
	}
	ssh = pp_which("ssh");
	if (!ssh) {
		pp_err("ssh not found on PATH (Debian: openssh-client)");
		json_decref(rec);
		rc = PP_EXIT_ENV;
		goto out;
	}
	sv_push(&av, ssh);
	sv_push(&av, "-p");
	sv_pushf(&av, "%lld", (long long)port);
	if (key) {
		sv_push(&av, "-i");
		sv_push(&av, key);
		sv_push(&av, "-o");
		sv_push(&av, "IdentitiesOnly=yes");
	}
	sv_push(&av, "-o");
	sv_pushf(&av, "UserKnownHostsFile=%s/known_hosts", st.dir);
	sv_push(&av, "-o");
	sv_push(&av, "StrictHostKeyChecking=accept-new");
	sv_push(&av, "-o");
	sv_push(&av, "HostKeyAlias=pcipass-" /* one alias per VM, not per port */);
	free(av.v[av.n - 1]);
	av.v[av.n - 1] = xasprintf("HostKeyAlias=pcipass-%s", name);
	sv_pushf(&av, "%s@127.0.0.1", user);
	for (; a < argc; a++)
		sv_push(&av, argv[a]);
	json_decref(rec);
	fflush(NULL);
	execv(ssh, sv_argv(&av));
	pp_err("cannot run %s: %s", ssh, strerror(errno));
	rc = PP_EXIT_ENV;
	free(ssh);
	sv_free(&av);
out:
	pp_vmstate_free(&st);
	return rc;
}
