// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The descriptor a function's irq_fd returns: an eventfd on Linux, a
 * non-blocking pipe elsewhere (the Mac client will write its own pipe from
 * the IOKit callback, so the pipe path is the one that must keep working;
 * option notify=pipe selects it here too).  A signal makes it readable; a
 * drain empties it.  Signals coalesce: it is a doorbell, not a counter.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "sim_internal.h"

static int nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int sim_notify_init(struct sim_notify *n, enum sim_notify_kind kind)
{
	int p[2];

	n->rfd = n->wfd = -1;
#ifdef __linux__
	if (kind == SIM_NOTIFY_EVENTFD) {
		n->rfd = n->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		return n->rfd < 0 ? PP_ERR_HOST : PP_OK;
	}
#else
	(void)kind;
#endif
	if (pipe(p) < 0)
		return PP_ERR_HOST;
	if (nonblock_cloexec(p[0]) || nonblock_cloexec(p[1])) {
		close(p[0]);
		close(p[1]);
		return PP_ERR_HOST;
	}
	n->rfd = p[0];
	n->wfd = p[1];
	return PP_OK;
}

void sim_notify_signal(struct sim_notify *n)
{
	ssize_t r;

	if (n->rfd == n->wfd) {
		uint64_t one = 1;

		do
			r = write(n->wfd, &one, sizeof(one));
		while (r < 0 && errno == EINTR);
	} else {
		char c = 1;

		/* EAGAIN: the pipe is full, so it is readable anyway. */
		do
			r = write(n->wfd, &c, 1);
		while (r < 0 && errno == EINTR);
	}
}

void sim_notify_drain(struct sim_notify *n)
{
	char buf[64];
	ssize_t r;

	do
		r = read(n->rfd, buf, sizeof(buf));
	while (r > 0 || (r < 0 && errno == EINTR));
}

void sim_notify_fini(struct sim_notify *n)
{
	if (n->rfd >= 0)
		close(n->rfd);
	if (n->wfd >= 0 && n->wfd != n->rfd)
		close(n->wfd);
	n->rfd = n->wfd = -1;
}
