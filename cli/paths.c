// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: where state lives and where the tools are.
 *
 *   $PCIPASS_HOME                      if set
 *   ~/Library/Application Support/pcipass   on a Mac
 *   $XDG_STATE_HOME/pcipass (~/.local/state/pcipass)   elsewhere
 *
 * holding images/NAME/ (base images) and vms/NAME/ (per-VM state: lock,
 * pidfile, QMP socket, logs, overlay).  Everything is 0700: the QMP socket
 * is a full control channel into the VM.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PP_CLI_SRCDIR
#define PP_CLI_SRCDIR ""
#endif

int pp_paths_init(struct pp_paths *p)
{
	const char *env = getenv("PCIPASS_HOME");
	const char *home = getenv("HOME");

	memset(p, 0, sizeof(*p));
	if (env && *env) {
		/* absolute: overlays record their base image by this path */
		if (*env == '/') {
			p->home = xstrdup(env);
		} else {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd))) {
				pp_err("PCIPASS_HOME=%s is relative and the current "
				       "directory is unknown", env);
				return -ENOENT;
			}
			p->home = xasprintf("%s/%s", cwd, env);
		}
	} else {
		if (!home || !*home) {
			pp_err("neither PCIPASS_HOME nor HOME is set");
			return -ENOENT;
		}
#ifdef __APPLE__
		p->home = xasprintf("%s/Library/Application Support/pcipass", home);
#else
		const char *xdg = getenv("XDG_STATE_HOME");

		if (xdg && *xdg == '/')
			p->home = xasprintf("%s/pcipass", xdg);
		else
			p->home = xasprintf("%s/.local/state/pcipass", home);
#endif
	}
	p->images = xasprintf("%s/images", p->home);
	p->vms = xasprintf("%s/vms", p->home);
	return 0;
}

void pp_paths_free(struct pp_paths *p)
{
	free(p->home);
	free(p->images);
	free(p->vms);
	memset(p, 0, sizeof(*p));
}

int pp_paths_ensure(const struct pp_paths *p)
{
	const char *dirs[] = { p->home, p->images, p->vms };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int rc = mkdir_p(dirs[i], 0700);

		if (rc) {
			pp_err("cannot create %s: %s", dirs[i], strerror(-rc));
			return rc;
		}
		if (chmod(dirs[i], 0700)) {
			pp_err("cannot make %s private: %s", dirs[i], strerror(errno));
			return -errno;
		}
	}
	return 0;
}

char *pp_vm_dir(const struct pp_paths *p, const char *vm)
{
	return xasprintf("%s/%s", p->vms, vm);
}

char *pp_image_dir(const struct pp_paths *p, const char *image)
{
	return xasprintf("%s/%s", p->images, image);
}

const char *pp_srcdir(void)
{
	static char buf[PATH_MAX];

	if (!*PP_CLI_SRCDIR)
		return NULL;
	snprintf(buf, sizeof(buf), "%s/image/build", PP_CLI_SRCDIR);
	if (access(buf, X_OK))
		return NULL;
	return PP_CLI_SRCDIR;
}

char *pp_which(const char *prog)
{
	const char *path = getenv("PATH");
	char *dup, *save = NULL;

	if (strchr(prog, '/'))
		return access(prog, X_OK) ? NULL : xstrdup(prog);
	if (!path)
		path = "/usr/bin:/bin";
	dup = xstrdup(path);
	for (char *d = strtok_r(dup, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *c = xasprintf("%s/%s", *d ? d : ".", prog);

		if (!access(c, X_OK) && !is_dir(c)) {
			free(dup);
			return c;
		}
		free(c);
	}
	free(dup);
	return NULL;
}

/* PP_QEMU='...' from the source tree's testbed/env (written by
 * testbed/setup, single-quoted shell assignments). */
static char *testbed_qemu(void)
{
	const char *src = pp_srcdir();
	char *env, *buf, *line, *save = NULL, *out = NULL;

	if (!src)
		return NULL;
	env = getenv("PCIPASS_TESTBED_OUT") ?
		xasprintf("%s/env", getenv("PCIPASS_TESTBED_OUT")) :
		xasprintf("%s/build/testbed/env", src);
	buf = read_file(env, NULL);
	free(env);
	if (!buf)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n;

		if (strncmp(line, "PP_QEMU='", 9))
			continue;
		n = strlen(line + 9);
		if (n && line[9 + n - 1] == '\'') {
			line[9 + n - 1] = '\0';
			out = xstrdup(line + 9);
		}
		break;
	}
	free(buf);
	if (out && access(out, X_OK)) {
		free(out);
		out = NULL;
	}
	return out;
}

char *pp_find_qemu(const char *override)
{
	const char *env = getenv("PCIPASS_QEMU");
	char *q;

	if (override && *override)
		return pp_which(override);
	if (env && *env)
		return pp_which(env);
	q = testbed_qemu();
	if (q)
		return q;
	return pp_which("qemu-system-aarch64");
}

char *pp_find_qemu_img(const char *qemu)
{
	if (qemu) {
		char *dir = xstrdup(qemu), *slash = strrchr(dir, '/');

		if (slash) {
			*slash = '\0';
			char *c = xasprintf("%s/qemu-img", dir);

			free(dir);
			if (!access(c, X_OK))
				return c;
			free(c);
		} else {
			free(dir);
		}
	}
	return pp_which("qemu-img");
}
