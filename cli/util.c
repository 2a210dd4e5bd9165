// SPDX-License-Identifier: GPL-2.0-or-later
/* pcipass launcher: messages, string vectors, sizes, files. */
#include "cli.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int pp_quiet;

int pp_socket(int domain, int type)
{
	int fd = socket(domain, type, 0);

	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
	fprintf(stderr, "pcipass: %s", tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pp_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void pp_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void pp_info(const char *fmt, ...)
{
	va_list ap;

	if (pp_quiet)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	fputs("pcipass: out of memory\n", stderr);
	abort();
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void sv_push(struct strvec *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			oom();
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = xstrdup(s);
	sv->v[sv->n] = NULL;
}

void sv_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sv_push(sv, s);
	free(s);
}

void sv_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

char **sv_argv(struct strvec *sv)
{
	if (!sv->v) {
		sv->cap = 16;
		sv->v = xcalloc(sv->cap, sizeof(*sv->v));
	}
	return sv->v;
}

static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("@%+=:,./-_", *s))
			return false;
	return true;
}

char *sv_shell_join(const struct strvec *sv)
{
	size_t len = 1;
	char *out, *p;

	for (size_t i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) * 4 + 3;
	out = p = xcalloc(1, len);
	for (size_t i = 0; i < sv->n; i++) {
		const char *s = sv->v[i];

		if (i)
			*p++ = ' ';
		if (shell_safe(s)) {
			p = stpcpy(p, s);
			continue;
		}
		*p++ = '\'';
		for (; *s; s++) {
			if (*s == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *s;
		}
		*p++ = '\'';
	}
	*p = '\0';
	return out;
}

bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long v;
	const char *u;
	unsigned int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return false;
		shift = 10 * (unsigned int)(u - units + 1);
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (toupper((unsigned char)*end) == 'B')
			end++;
		if (*end)
			return false;
	}
	if (v == 0 || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*bytes = (uint64_t)v << shift;
	return true;
}

const char *fmt_size(uint64_t b, char buf[32])
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int i = 0;

	/* the largest unit that keeps at least 1; exact values stay whole
	 * ("256 MiB", "1536 MiB" rather than "1.5 GiB"), the rest get one
	 * decimal ("291.7 MiB") */
#define EXACT(k) (!((b) & ((1ull << (10 * (k))) - 1)))
	while (i < 4 && b >> (10 * (i + 1)))
		i++;
	if (i && !EXACT(i) && EXACT(i - 1) && (b >> (10 * (i - 1))) < 10240)
		i--;
	if (!i || EXACT(i))
		snprintf(buf, 32, "%" PRIu64 " %s", b >> (10 * i), u[i]);
	else
		snprintf(buf, 32, "%.1f %s", (double)b / (double)(1ull << (10 * i)), u[i]);
#undef EXACT
	return buf;
}

int mkdir_p(const char *path, unsigned int mode)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			rc = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (!rc && !is_dir(path))
		rc = -ENOTDIR;
	return rc;
}

int rm_rf(const char *path)
{
	struct stat st;
	int rc = 0;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;

		if (!d)
			return -errno;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *c = xasprintf("%s/%s", path, e->d_name);
			int r = rm_rf(c);

			free(c);
			if (r && !rc)
				rc = r;
		}
		closedir(d);
		if (rmdir(path) && !rc)
			rc = -errno;
	} else if (unlink(path) && !rc) {
		rc = -errno;
	}
	return rc;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);

			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	if (!buf)
		buf = xcalloc(1, 1);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int write_file_atomic(const char *path, const char *data, size_t len,
		      unsigned int mode)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *tail_lines(const char *path, unsigned int n)
{
	size_t len;
	char *buf = read_file(path, &len), *p;
	unsigned int lines = 0;

	if (!buf)
		return NULL;
	p = buf + len;
	if (p > buf && p[-1] == '\n')
		p--;
	while (p > buf) {
		if (p[-1] == '\n' && ++lines == n)
			break;
		p--;
	}
	memmove(buf, p, strlen(p) + 1);
	return buf;
}

/* Can QEMU's user-mode network bind addr:port?  (slirp binds with
 * SO_REUSEADDR, so a port in TIME_WAIT is free for it too.) */
bool pp_port_free(const char *addr, unsigned int port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1;
	bool ok;

	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return false;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, !strcmp(addr, "localhost") ? "127.0.0.1" : addr,
			      &s4->sin_addr) != 1)
			return false;
		len = sizeof(*s4);
	}
	fd = pp_socket(ss.ss_family, SOCK_STREAM);
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return ok;
}

bool valid_name(const char *s)
{
	size_t n = 0;

	if (!s || !isalnum((unsigned char)*s))
		return false;
	for (; *s; s++, n++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return n <= 64;
}
