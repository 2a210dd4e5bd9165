// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: QMP client.  QEMU sends one JSON object per line:
 * a greeting, then replies ({"return": ...} or {"error": ...}) in order,
 * with asynchronous events ({"event": ...}) in between.
 */
#include "qmp.h"
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: main() ignores SIGPIPE instead */
#endif

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Next JSON object from the socket; NULL on timeout (-ETIMEDOUT in *rc),
 * EOF (-EPIPE) or bad JSON (-EPROTO). */
static json_t *read_msg(struct pp_qmp *q, int timeout_ms, int *rc)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;

		if (nl) {
			json_error_t je;
			size_t n = (size_t)(nl - q->buf) + 1;
			json_t *m = json_loadb(q->buf, n, 0, &je);

			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (!m || !json_is_object(m)) {
				json_decref(m);
				*rc = -EPROTO;
				return NULL;
			}
			return m;
		}
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = q->fd, .events = POLLIN };

		if (left <= 0) {
			*rc = -ETIMEDOUT;
			return NULL;
		}
		int pr = poll(&p, 1, (int)left);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			*rc = pr ? -errno : -ETIMEDOUT;
			return NULL;
		}
		if (q->len + 4096 > q->cap) {
			q->cap = q->cap ? q->cap * 2 : 16384;
			if (q->cap > (64u << 20)) {
				*rc = -EPROTO;
				return NULL;
			}
			q->buf = realloc(q->buf, q->cap);
			if (!q->buf)
				abort();
		}
		ssize_t r = read(q->fd, q->buf + q->len, q->cap - q->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*rc = -EPIPE;
			return NULL;
		}
		q->len += (size_t)r;
	}
}

static int send_msg(struct pp_qmp *q, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	size_t len, off = 0;
	int rc = 0;

	json_decref(msg);
	if (!s)
		return -ENOMEM;
	len = strlen(s);
	s[len++] = '\n';	/* json_dumps leaves room for the NUL */
	while (off < len) {
		ssize_t w = send(q->fd, s + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -EPIPE;
			break;
		}
		off += (size_t)w;
	}
	free(s);
	return rc;
}

int pp_qmp_open(struct pp_qmp *q, const char *path, int timeout_ms,
		char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_t *m, *r;
	int rc = 0;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->timeout_ms = timeout_ms;
	q->events = json_array();
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "QMP socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	q->fd = pp_socket(AF_UNIX, SOCK_STREAM);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		pp_qmp_close(q);
		return rc;
	}
	m = read_msg(q, timeout_ms, &rc);
	if (!m || !json_object_get(m, "QMP")) {
		snprintf(err, errlen, "no QMP greeting on %s", path);
		json_decref(m);
		pp_qmp_close(q);
		return rc ? rc : -EPROTO;
	}
	json_decref(m);
	r = pp_qmp_exec(q, "qmp_capabilities", NULL, err, errlen);
	if (!r) {
		pp_qmp_close(q);
		return -EPROTO;
	}
	json_decref(r);
	return 0;
}

void pp_qmp_close(struct pp_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
	json_decref(q->events);
	q->events = NULL;
}

json_t *pp_qmp_exec(struct pp_qmp *q, const char *cmd, json_t *args,
		    char *err, size_t errlen)
{
	json_t *msg = json_pack("{s:s}", "execute", cmd);
	int rc;

	if (args)
		json_object_set_new(msg, "arguments", args);
	rc = send_msg(q, msg);
	if (rc) {
		snprintf(err, errlen, "QMP %s: QEMU closed the connection", cmd);
		return NULL;
	}
	for (;;) {
		json_t *m = read_msg(q, q->timeout_ms, &rc), *v;

		if (!m) {
			snprintf(err, errlen, "QMP %s: %s", cmd,
				 rc == -ETIMEDOUT ? "no reply" :
				 rc == -EPIPE ? "QEMU closed the connection" : "bad reply");
			return NULL;
		}
		if (json_object_get(m, "event")) {
			json_array_append_new(q->events, m);
			continue;
		}
		v = json_object_get(m, "return");
		if (v) {
			json_incref(v);
			json_decref(m);
			return v;
		}
		v = json_object_get(json_object_get(m, "error"), "desc");
		snprintf(err, errlen, "QMP %s: %s", cmd,
			 json_is_string(v) ? json_string_value(v) : "error");
		json_decref(m);
		return NULL;
	}
}

json_t *pp_qmp_qom_get(struct pp_qmp *q, const char *path, const char *prop)
{
	char err[256];

	return pp_qmp_exec(q, "qom-get",
			   json_pack("{s:s,s:s}", "path", path, "property", prop),
			   err, sizeof(err));
}

static bool seen(const struct pp_qmp *q, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(q->events, i, e) {
		const char *n = json_string_value(json_object_get(e, "event"));

		if (n && !strcmp(n, name))
			return true;
	}
	return false;
}

int pp_qmp_wait_event(struct pp_qmp *q, const char *name, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	int rc;

	while (!seen(q, name)) {
		long long left = deadline - now_ms();
		json_t *m;

		if (left <= 0)
			return -ETIMEDOUT;
		m = read_msg(q, (int)left, &rc);
		if (!m)
			return rc;
		if (json_object_get(m, "event"))
			json_array_append_new(q->events, m);
		else
			json_decref(m);
	}
	return 0;
}
