/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: downloads (libcurl) and sha256 (libcrypto), for
 * `pcipass image import URL`.
 */
#ifndef PCIPASS_CLI_FETCH_H
#define PCIPASS_CLI_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set by a SIGINT/SIGTERM handler: a running download stops (keeping its
 * partial file) and pp_fetch returns -EINTR. */
extern volatile int pp_fetch_interrupted;

enum pp_fetch_status {
	PP_FETCH_OK,
	PP_FETCH_CUT,        /* connection ended early: partial kept, resumable */
	PP_FETCH_HTTP,       /* the server said no (404, 500, ...) */
	PP_FETCH_ERROR,      /* could not connect, local I/O error, ... */
	PP_FETCH_INTERRUPTED,
};

struct pp_fetch_result {
	uint64_t got;        /* bytes in the partial file afterwards */
	uint64_t total;      /* expected size, 0 if the server did not say */
	uint64_t resumed_at; /* offset the server resumed from (0: from start) */
	long http_code;
	char *why;           /* allocated message when status != PP_FETCH_OK */
};

/*
 * Downloads url into part, resuming with a Range request when part already
 * holds bytes (a 200 answer to that restarts from 0; a 416 for a part that
 * is already whole counts as done).  Progress goes to stderr unless quiet:
 * a line per 10% or a \r-updated line on a terminal.
 */
enum pp_fetch_status pp_fetch(const char *url, const char *part, bool quiet,
			      struct pp_fetch_result *res);

/* A small text resource (<= max bytes) into a NUL-terminated buffer.
 * 0, or -ENOENT for an HTTP 404/410, other -errno otherwise; *why set on
 * failure (allocated). */
int pp_fetch_small(const char *url, size_t max, char **out, char **why);

/* sha256 of a file as 64 lowercase hex digits: 0 or -errno. */
int pp_sha256_file(const char *path, char hex[65]);

/* Incremental form, for hashing while copying. */
struct pp_sha256;
struct pp_sha256 *pp_sha256_new(void);
void pp_sha256_update(struct pp_sha256 *h, const void *data, size_t len);
/* Writes the digest and frees h. */
void pp_sha256_final(struct pp_sha256 *h, char hex[65]);

/* "abc..." 64 hex digits (either case) into lowercase; false if not one. */
bool pp_sha256_parse(const char *s, char hex[65]);

#endif
