/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcipass launcher: a small QMP client over QEMU's unix socket (jansson). */
#ifndef PCIPASS_CLI_QMP_H
#define PCIPASS_CLI_QMP_H

#include <jansson.h>
#include <stddef.h>

struct pp_qmp {
	int fd;
	char *buf;          /* bytes read but not yet parsed */
	size_t len, cap;
	int timeout_ms;     /* per reply */
	json_t *events;     /* events seen while waiting for replies */
};

/* Connects, reads the greeting, negotiates capabilities.  0 or -errno with
 * *err set. */
int pp_qmp_open(struct pp_qmp *q, const char *path, int timeout_ms,
		char *err, size_t errlen);
void pp_qmp_close(struct pp_qmp *q);

/* Runs cmd with args (stolen; may be NULL); returns the "return" value (a
 * new reference) or NULL with *err set (QMP's error description, or an I/O
 * error). */
json_t *pp_qmp_exec(struct pp_qmp *q, const char *cmd, json_t *args,
		    char *err, size_t errlen);

/* qom-get of one property; NULL if it failed. */
json_t *pp_qmp_qom_get(struct pp_qmp *q, const char *path, const char *prop);

/* Waits up to timeout_ms for an event (already seen ones count).  0 when
 * seen, -ETIMEDOUT, or -EPIPE when QEMU closed the socket. */
int pp_qmp_wait_event(struct pp_qmp *q, const char *name, int timeout_ms);

#endif
