/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcipass launcher: running a helper program (qemu-img, image/build, QEMU
 * probes, systemextensionsctl), the one way. */
#ifndef PCIPASS_CLI_SPAWN_H
#define PCIPASS_CLI_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

struct pp_spawn {
	bool stdin_null;      /* stdin from /dev/null (else inherited) */
	bool capture;         /* stdout into *out (NUL-terminated) */
	bool merge_stderr;    /* with capture: stderr into *out too */
	const char *log;      /* without capture: stdout and stderr appended here */
	int timeout_s;        /* > 0: SIGKILL after that long, -ETIMEDOUT */
	size_t max_out;       /* bytes of *out kept (0: 1 MiB) */
};

/*
 * Runs argv (PATH lookup).  Returns the exit status, 128 + signal, or a
 * negative errno (-ETIMEDOUT, or a failure to start it).  With capture,
 * *out is always set (possibly to "") and the caller frees it.
 */
int pp_spawn(char *const argv[], const struct pp_spawn *o, char **out);

#endif
