// SPDX-License-Identifier: GPL-2.0-or-later
/* pcipass launcher: run a helper program, its output captured or logged. */
#include "spawn.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void child(char *const argv[], const struct pp_spawn *o, int wfd)
{
	if (o->stdin_null) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, STDIN_FILENO);
	}
	if (wfd < 0 && o->log)
		wfd = open(o->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (wfd >= 0) {
		dup2(wfd, STDOUT_FILENO);
		if (!o->capture || o->merge_stderr)
			dup2(wfd, STDERR_FILENO);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "pcipass: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reads the pipe until EOF or the deadline (0: none); true on timeout. */
static bool drain(int fd, time_t deadline, size_t max, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = xcalloc(1, cap);

	*out = buf;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait_ms = -1;
		char chunk[4096];
		ssize_t n;

		if (deadline) {
			time_t now = time(NULL);

			if (now >= deadline)
				return true;
			wait_ms = (int)(deadline - now) * 1000;
		}
		int pr = poll(&p, 1, wait_ms);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;	/* the deadline, seen at the top */
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		if (len + (size_t)n > max)	/* keep reading: the child must not block */
			n = (ssize_t)(max > len ? max - len : 0);
		if (len + (size_t)n + 1 > cap) {
			while (len + (size_t)n + 1 > cap)
				cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
			*out = buf;
		}
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
		buf[len] = '\0';
	}
}

int pp_spawn(char *const argv[], const struct pp_spawn *o, char **out)
{
	int pfd[2] = { -1, -1 }, status, rc;
	bool timed_out = false;
	pid_t pid;

	if (o->capture) {
		*out = NULL;
		if (pipe(pfd))
			return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		if (o->capture) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return rc;
	}
	if (!pid) {
		if (o->capture)
			close(pfd[0]);
		child(argv, o, o->capture ? pfd[1] : -1);
	}
	if (o->capture) {
		close(pfd[1]);
		timed_out = drain(pfd[0], o->timeout_s > 0 ? time(NULL) + o->timeout_s : 0,
				  o->max_out ? o->max_out : (1u << 20), out);
		close(pfd[0]);
	} else if (o->timeout_s > 0) {
		for (int ms = 0; !timed_out; ms += 100) {
			pid_t r = waitpid(pid, &status, WNOHANG);

			if (r == pid)
				goto done;
			if (r < 0 && errno != EINTR)
				return -ECHILD;
			timed_out = ms >= o->timeout_s * 1000;
			if (!timed_out)
				usleep(100 * 1000);
		}
	}
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -ECHILD;
done:
	if (timed_out)
		return -ETIMEDOUT;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}
