// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: `pcipass image build|import|list|path|check|prune` and
 * the image store's reader, pp_image_open (layout in image.h; user's view in
 * docs/cli.md, "Images").
 *
 * Every import is staged in images/.tmp-NAME-PID/, checked, described in
 * image.json and renamed into place, so a half-made image never looks like
 * one; downloads go to images/.partial/NAME.part and resume.  Imports and
 * prune hold a flock on images/.lock so prune never removes a stage in use.
 */
#include "image.h"
#include "spawn.h"
#include "fetch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define DEFAULT_USER "pcipass"
#define DEFAULT_ROOT "LABEL=pcipass-root"

static const struct {
	const char *name;
	bool required;
	unsigned int mode;
} image_files[] = {
	{ "disk.qcow2", true, 0644 },
	{ "vmlinuz", true, 0644 },
	{ "initrd.img", true, 0644 },
	{ "id_ed25519", false, 0600 },
	{ "id_ed25519.pub", false, 0644 },
};
#define N_FILES (sizeof(image_files) / sizeof(image_files[0]))

/* ---- small helpers ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs argv (PATH lookup), stdout captured into *out when out != NULL,
 * stderr passed through (image/build's progress).  Exit status, 128+signal,
 * or negative. */
static int run(char *const argv[], char **out)
{
	struct pp_spawn o = { .capture = out != NULL };

	return pp_spawn(argv, &o, out);
}

static void on_signal(int sig)
{
	(void)sig;
	pp_fetch_interrupted = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * flock on images/.lock (op LOCK_EX or LOCK_SH), retried every 100 ms up to
 * tries times: the fd to close, or -1 with an error printed that says who
 * holds it.
 */
static int store_flock(const struct pp_paths *p, int op, int tries)
{
	char *path = xasprintf("%s/.lock", p->images);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		pp_err("cannot open %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	for (int i = 0; flock(fd, op | LOCK_NB); i++) {
		if (errno == EWOULDBLOCK && i < tries) {
			usleep(100 * 1000);
			continue;
		}
		if (errno != EWOULDBLOCK)
			pp_err("cannot lock %s: %s", path, strerror(errno));
		else if (op == LOCK_EX)
			pp_err("another 'pcipass image' build, import or prune is running "
			       "(%s is locked); try again when it is done", path);
		else
			pp_err("the image store is busy (an image build, import or prune "
			       "holds %s); try again when it is done", path);
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

/* build, import and prune: exclusive, and never waiting */
static int store_lock(const struct pp_paths *p)
{
	return store_flock(p, LOCK_EX, 0);
}

/* a prune or an import holds it for seconds: wait up to 10 s */
int pp_image_store_lock_shared(const struct pp_paths *p)
{
	return store_flock(p, LOCK_SH, 100);
}

/* ---- the installed images ---- */

int pp_image_list_names(const struct pp_paths *p, struct strvec *names)
{
	DIR *d = opendir(p->images);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !valid_name(e->d_name))
			continue;
		char *dir = pp_image_dir(p, e->d_name);

		if (is_dir(dir))
			sv_push(names, e->d_name);
		free(dir);
	}
	closedir(d);
	if (names->n)
		qsort(names->v, names->n, sizeof(char *), cmp_str);
	return 0;
}

/* "a, b, c" or "none" (allocated). */
static char *installed_list(const struct pp_paths *p)
{
	struct strvec names = { 0 };
	char *s = NULL;

	pp_image_list_names(p, &names);
	if (!names.n) {
		s = xstrdup("none");
	} else {
		for (size_t i = 0; i < names.n; i++) {
			char *t = xasprintf("%s%s%s", s ? s : "", s ? ", " : "", names.v[i]);

			free(s);
			s = t;
		}
	}
	sv_free(&names);
	return s;
}

static char *not_installed(const struct pp_paths *p, const char *name)
{
	char *list = installed_list(p);
	char *why = xasprintf("no image '%s' (installed: %s); make one with "
			      "'pcipass image build%s%s' or 'pcipass image import "
			      "FILE|URL%s%s'", name, list,
			      strcmp(name, PP_DEFAULT_IMAGE) ? " --name " : "",
			      strcmp(name, PP_DEFAULT_IMAGE) ? name : "",
			      strcmp(name, PP_DEFAULT_IMAGE) ? " --name " : "",
			      strcmp(name, PP_DEFAULT_IMAGE) ? name : "");
	free(list);
	return why;
}

static json_t *load_meta(const char *dir, char **why)
{
	char *path = xasprintf("%s/image.json", dir);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	if (!j) {
		*why = file_exists(path) ?
			xasprintf("%s: %s (line %d)", path, jerr.text, jerr.line) :
			xasprintf("%s is missing", path);
	} else if (!json_is_object(j) || !json_is_object(json_object_get(j, "files"))) {
		*why = xasprintf("%s: not an image description (no \"files\")", path);
		json_decref(j);
		j = NULL;
	}
	free(path);
	return j;
}

static const char *meta_str(json_t *j, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s && *s ? s : dflt;
}

static bool meta_size(json_t *j, const char *file, uint64_t *size)
{
	json_t *v = json_object_get(json_object_get(json_object_get(j, "files"), file), "size");

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*size = (uint64_t)json_integer_value(v);
	return true;
}

int pp_image_open(const struct pp_paths *p, const char *name,
		  struct pp_image *img, char **why)
{
	char *dir, *mwhy = NULL;
	json_t *meta;
	int rc = 0;

	memset(img, 0, sizeof(*img));
	*why = NULL;
	if (!name)
		name = PP_DEFAULT_IMAGE;
	if (!valid_name(name)) {
		*why = xasprintf("'%s' is not a valid image name "
				 "([A-Za-z0-9][A-Za-z0-9._-]*, at most 64)", name);
		return -ENOENT;
	}
	dir = pp_image_dir(p, name);
	if (!is_dir(dir)) {
		*why = not_installed(p, name);
		free(dir);
		return -ENOENT;
	}
	meta = load_meta(dir, &mwhy);
	if (!meta) {
		*why = xasprintf("image '%s' is damaged: %s; re-import it "
				 "(pcipass image import ... --name %s --force)",
				 name, mwhy, name);
		free(mwhy);
		free(dir);
		return -EINVAL;
	}
	for (size_t i = 0; i < N_FILES && !rc; i++) {
		const char *f = image_files[i].name;
		bool recorded = json_object_get(json_object_get(meta, "files"), f);
		char *path = xasprintf("%s/%s", dir, f);
		uint64_t want;
		struct stat st;

		if (stat(path, &st)) {
			if (image_files[i].required || recorded) {
				*why = xasprintf("image '%s' is damaged: %s is missing "
						 "(%s); re-import it with --force",
						 name, path, strerror(errno));
				rc = -EINVAL;
			}
		} else if (!S_ISREG(st.st_mode)) {
			*why = xasprintf("image '%s' is damaged: %s is not a regular file",
					 name, path);
			rc = -EINVAL;
		} else if (image_files[i].required && !meta_size(meta, f, &want)) {
			*why = xasprintf("image '%s' is damaged: image.json records no "
					 "size for %s", name, f);
			rc = -EINVAL;
		} else if (recorded && meta_size(meta, f, &want) &&
			   (uint64_t)st.st_size != want) {
			*why = xasprintf("image '%s' is damaged: %s is %" PRIu64
					 " bytes, image.json records %" PRIu64 " (%s); "
					 "re-import it with --force", name, path,
					 (uint64_t)st.st_size, want,
					 (uint64_t)st.st_size < want ? "truncated" : "grown");
			rc = -EINVAL;
		}
		free(path);
	}
	if (!rc) {
		char *key = xasprintf("%s/id_ed25519", dir);

		img->name = xstrdup(name);
		img->dir = dir;
		img->disk = xasprintf("%s/disk.qcow2", dir);
		img->kernel = xasprintf("%s/vmlinuz", dir);
		img->initrd = xasprintf("%s/initrd.img", dir);
		if (file_exists(key))
			img->key = key;
		else
			free(key);
		img->user = xstrdup(meta_str(meta, "user", DEFAULT_USER));
		img->root = xstrdup(meta_str(meta, "root", DEFAULT_ROOT));
		meta_size(meta, "disk.qcow2", &img->disk_size);
	} else {
		free(dir);
	}
	json_decref(meta);
	return rc;
}

void pp_image_free(struct pp_image *img)
{
	free(img->name);
	free(img->dir);
	free(img->disk);
	free(img->kernel);
	free(img->initrd);
	free(img->key);
	free(img->user);
	free(img->root);
	memset(img, 0, sizeof(*img));
}

/* ---- which VMs use an image ---- */

static uint64_t be64(const unsigned char *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static uint32_t be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The backing file named in a qcow2 header: 0 (*backing NULL if none) or
 * -errno. */
static int qcow2_backing(const char *path, char **backing)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t off;
	uint32_t len;
	int rc = 0;

	*backing = NULL;
	if (fd < 0)
		return -errno;
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "QFI\xfb", 4)) {
		rc = -EINVAL;
	} else {
		off = be64(h + 8);
		len = be32(h + 16);
		if (off && (len == 0 || len > 4096)) {
			rc = -EINVAL;
		} else if (off) {
			char *b = xcalloc(1, len + 1);

			if (pread(fd, b, len, (off_t)off) != (ssize_t)len) {
				free(b);
				rc = -EINVAL;
			} else {
				*backing = b;
			}
		}
	}
	close(fd);
	return rc;
}

/* Same file by path: realpath of both when they resolve, else the strings. */
static bool same_path(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (realpath(a, ra) && realpath(b, rb))
		return !strcmp(ra, rb);
	return !strcmp(a, b);
}

int pp_image_users(const struct pp_paths *p, const char *name,
		   struct strvec *vms, char **why)
{
	char *disk = xasprintf("%s/%s/disk.qcow2", p->images, name);
	DIR *d = opendir(p->vms);
	struct dirent *e;
	int rc = 0;

	*why = NULL;
	if (!d) {
		free(disk);
		return errno == ENOENT ? 0 : -errno;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *vdir = xasprintf("%s/%s", p->vms, e->d_name);
		char *vmj = xasprintf("%s/vm.json", vdir);
		char *ovl = xasprintf("%s/disk.qcow2", vdir);
		bool uses = false;

		if (is_dir(vdir)) {
			json_t *j = json_load_file(vmj, 0, NULL);
			const char *img = json_string_value(json_object_get(j, "image"));

			if (img && !strcmp(img, name))
				uses = true;
			json_decref(j);
		}
		if (!uses && file_exists(ovl)) {
			char *backing = NULL;
			int r = qcow2_backing(ovl, &backing);

			if (r) {
				if (!rc) {
					*why = xasprintf("cannot read the backing file of %s: %s",
							 ovl, strerror(-r));
					rc = -EIO;
				}
			} else if (backing) {
				char *abs = backing[0] == '/' ? xstrdup(backing) :
					    xasprintf("%s/%s", vdir, backing);

				uses = same_path(abs, disk);
				free(abs);
				free(backing);
			}
		}
		if (uses)
			sv_push(vms, e->d_name);
		free(vdir);
		free(vmj);
		free(ovl);
	}
	closedir(d);
	free(disk);
	if (vms->n)
		qsort(vms->v, vms->n, sizeof(char *), cmp_str);
	return rc;
}

static char *join(const struct strvec *sv, const char *sep)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < sv->n; i++) {
		char *t = xasprintf("%s%s%s", s, i ? sep : "", sv->v[i]);

		free(s);
		s = t;
	}
	return s;
}

/* ---- staging an import ---- */

struct import {
	const struct pp_paths *p;
	const char *name;
	bool force;
	char *dst;          /* images/NAME */
	char *stage;        /* images/.tmp-NAME-PID */
	char *source;       /* recorded in image.json */
	const char *user;   /* --user (build), else the bundle's, else default */
	char *root;         /* from a directory's cmdline file */
	json_t *bundle;     /* a bundle's own image.json, or NULL */
};

static void import_free(struct import *im)
{
	if (im->stage)
		rm_rf(im->stage);
	free(im->stage);
	free(im->dst);
	free(im->source);
	free(im->root);
	json_decref(im->bundle);
}

static int copy_file(const char *from, const char *to, unsigned int mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, rc = 0;
	char *buf;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	buf = xcalloc(1, 1 << 20);
	for (;;) {
		ssize_t r = read(in, buf, 1 << 20), off = 0;

		if (r < 0 && errno == EINTR && !pp_fetch_interrupted)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (!r)
			break;
		while (off < r) {
			ssize_t w = write(out, buf + off, (size_t)(r - off));

			if (w < 0 && errno == EINTR && !pp_fetch_interrupted)
				continue;
			if (w < 0) {
				rc = -errno;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	free(buf);
	close(in);
	if (close(out) && !rc)
		rc = -errno;
	return rc;
}

/* Checks, before anything is downloaded or copied, that NAME may be
 * (re)placed: PP_EXIT_OK or an exit code (error printed). */
static int check_target(struct import *im)
{
	struct strvec users = { 0 };
	char *why = NULL;
	int rc = PP_EXIT_OK;

	if (!valid_name(im->name)) {
		pp_err("'%s' is not a valid image name ([A-Za-z0-9][A-Za-z0-9._-]*, "
		       "at most 64 characters)", im->name);
		return PP_EXIT_USAGE;
	}
	im->dst = pp_image_dir(im->p, im->name);
	if (!file_exists(im->dst))
		return PP_EXIT_OK;
	if (!im->force) {
		pp_err("image '%s' exists (%s); pass --force to replace it",
		       im->name, im->dst);
		return PP_EXIT_BUSY;
	}
	/* replacing a base disk under an overlay would corrupt that VM */
	int r = pp_image_users(im->p, im->name, &users, &why);

	if (users.n) {
		char *list = join(&users, ", ");

		pp_err("image '%s' is used by VM%s %s (an overlay is backed by its "
		       "disk): not replacing it even with --force; delete those VMs' "
		       "disks first, or import under another --name",
		       im->name, users.n > 1 ? "s" : "", list);
		free(list);
		rc = PP_EXIT_BUSY;
	} else if (r) {
		pp_err("cannot tell whether a VM uses image '%s' (%s): not replacing it",
		       im->name, why);
		rc = PP_EXIT_BUSY;
	}
	free(why);
	sv_free(&users);
	return rc;
}

/* The start of every build or import: a name that may be (re)placed, and
 * the store's lock.  On failure im is freed and the exit code returned. */
static int import_begin(struct import *im, int *lock)
{
	int rc = check_target(im);

	if (!rc && (*lock = store_lock(im->p)) < 0)
		rc = PP_EXIT_BUSY;
	if (rc)
		import_free(im);
	return rc;
}

static int make_stage(struct import *im)
{
	im->stage = xasprintf("%s/.tmp-%s-%ld", im->p->images, im->name, (long)getpid());
	rm_rf(im->stage);
	if (mkdir(im->stage, 0700)) {
		pp_err("cannot create %s: %s", im->stage, strerror(errno));
		free(im->stage);
		im->stage = NULL;
		return PP_EXIT_FAIL;
	}
	return PP_EXIT_OK;
}

/* "root=X" from an image/build cmdline file, if there is one. */
static char *cmdline_root(const char *dir)
{
	char *path = xasprintf("%s/cmdline", dir), *buf = read_file(path, NULL);
	char *out = NULL, *save = NULL;

	free(path);
	if (!buf)
		return NULL;
	for (char *t = strtok_r(buf, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
		if (!strncmp(t, "root=", 5) && t[5])
			out = xstrdup(t + 5);
	free(buf);
	return out;
}

/* A directory in image/build's entry shape into the stage: hard links when
 * link is set (image build: the cache entry is never written), else copies. */
static int stage_dir(struct import *im, const char *src, bool link_ok)
{
	for (size_t i = 0; i < N_FILES; i++) {
		char *from = xasprintf("%s/%s", src, image_files[i].name);
		char *to = xasprintf("%s/%s", im->stage, image_files[i].name);
		struct stat st;
		int r = 0;

		if (stat(from, &st)) {
			if (image_files[i].required) {
				pp_err("%s is missing: an image directory holds disk.qcow2, "
				       "vmlinuz, initrd.img (and optionally id_ed25519{,.pub})",
				       from);
				r = -ENOENT;
			}
		} else if (!S_ISREG(st.st_mode)) {
			pp_err("%s is not a regular file", from);
			r = -EINVAL;
		} else if (!link_ok || link(from, to)) {
			r = copy_file(from, to, image_files[i].mode);
			if (r)
				pp_err("cannot copy %s to %s: %s", from, to, strerror(-r));
		}
		free(from);
		free(to);
		if (r)
			return PP_EXIT_FAIL;
		if (pp_fetch_interrupted) {
			pp_err("interrupted");
			return PP_EXIT_FAIL;
		}
	}
	im->root = cmdline_root(src);
	char *meta = xasprintf("%s/image.json", src);

	if (file_exists(meta)) {
		json_error_t jerr;

		im->bundle = json_load_file(meta, 0, &jerr);
		if (!im->bundle)
			pp_warn("ignoring %s: %s", meta, jerr.text);
	}
	free(meta);
	return PP_EXIT_OK;
}

/* Member names of a tar: rejects absolute names and "..", maps each known
 * file to the member holding it ("f", "./f" or "DIR/f"). */
static int bundle_members(const char *bundle, char *member[N_FILES + 1])
{
	char *argv[] = { "tar", "-tf", (char *)bundle, NULL };
	char *out = NULL, *save = NULL;
	int st = run(argv, &out), rc = PP_EXIT_OK;

	if (st) {
		pp_err("%s is not a tar bundle (tar -tf failed%s)", bundle,
		       st == 127 ? ": is tar installed?" : "");
		free(out);
		return PP_EXIT_FAIL;
	}
	for (char *l = strtok_r(out, "\n", &save); l && !rc; l = strtok_r(NULL, "\n", &save)) {
		const char *n = l;
		const char *slash;

		if (l[0] == '/') {
			pp_err("%s: refusing a bundle with an absolute member name (%s)",
			       bundle, l);
			rc = PP_EXIT_FAIL;
			break;
		}
		for (const char *c = l; *c; ) {
			size_t len = strcspn(c, "/");

			if (len == 2 && !strncmp(c, "..", 2)) {
				pp_err("%s: refusing a bundle with a member outside its "
				       "directory (%s)", bundle, l);
				rc = PP_EXIT_FAIL;
				break;
			}
			c += len;
			c += *c == '/';
		}
		if (rc)
			break;
		while (!strncmp(n, "./", 2))
			n += 2;
		if (!*n || n[strlen(n) - 1] == '/')
			continue;
		slash = strchr(n, '/');
		if (slash) {
			if (strchr(slash + 1, '/') || n[0] == '-')
				continue;
			n = slash + 1;
		}
		for (size_t i = 0; i <= N_FILES; i++) {
			const char *f = i < N_FILES ? image_files[i].name : "image.json";

			if (strcmp(n, f))
				continue;
			if (member[i] && strcmp(member[i], l)) {
				pp_err("%s: two members hold %s (%s and %s)", bundle, f,
				       member[i], l);
				rc = PP_EXIT_FAIL;
				break;
			}
			free(member[i]);
			member[i] = xstrdup(l);
		}
	}
	free(out);
	return rc;
}

/* A tar bundle (any compression tar recognises) into the stage. */
static int stage_bundle(struct import *im, const char *bundle)
{
	char *member[N_FILES + 1] = { 0 };
	struct strvec argv = { 0 };
	char *x = xasprintf("%s/.x", im->stage);
	int rc = bundle_members(bundle, member);

	for (size_t i = 0; i < N_FILES && !rc; i++) {
		if (image_files[i].required && !member[i]) {
			pp_err("%s: the bundle has no %s (a bundle holds disk.qcow2, "
			       "vmlinuz, initrd.img, optionally image.json and "
			       "id_ed25519{,.pub})", bundle, image_files[i].name);
			rc = PP_EXIT_FAIL;
		}
	}
	if (!rc && mkdir(x, 0700)) {
		pp_err("cannot create %s: %s", x, strerror(errno));
		rc = PP_EXIT_FAIL;
	}
	if (!rc) {
		sv_push(&argv, "tar");
		sv_push(&argv, "-xf");
		sv_push(&argv, bundle);
		sv_push(&argv, "-C");
		sv_push(&argv, x);
		sv_push(&argv, "--no-same-owner");
		sv_push(&argv, "--no-same-permissions");
		for (size_t i = 0; i <= N_FILES; i++)
			if (member[i])
				sv_push(&argv, member[i]);
		int st = run(sv_argv(&argv), NULL);

		if (st || pp_fetch_interrupted) {
			pp_err("extracting %s failed (tar exit %d)%s", bundle, st,
			       pp_fetch_interrupted ? ": interrupted" : "");
			rc = PP_EXIT_FAIL;
		}
	}
	for (size_t i = 0; i <= N_FILES && !rc; i++) {
		const char *f = i < N_FILES ? image_files[i].name : "image.json";
		char *from, *to;
		struct stat st;

		if (!member[i])
			continue;
		from = xasprintf("%s/%s", x, member[i]);
		to = xasprintf("%s/%s", im->stage, f);
		if (lstat(from, &st) || !S_ISREG(st.st_mode)) {
			pp_err("%s: %s is not a regular file in the bundle", bundle, member[i]);
			rc = PP_EXIT_FAIL;
		} else if (rename(from, to)) {
			pp_err("cannot move %s: %s", from, strerror(errno));
			rc = PP_EXIT_FAIL;
		} else if (chmod(to, i < N_FILES ? image_files[i].mode : 0644)) {
			rc = PP_EXIT_FAIL;
		}
		free(from);
		free(to);
	}
	rm_rf(x);
	free(x);
	if (!rc && member[N_FILES]) {
		char *meta = xasprintf("%s/image.json", im->stage);
		json_error_t jerr;

		im->bundle = json_load_file(meta, 0, &jerr);
		if (!im->bundle || !json_is_object(im->bundle)) {
			pp_err("%s: the bundle's image.json is not valid JSON (%s)",
			       bundle, im->bundle ? "not an object" : jerr.text);
			rc = PP_EXIT_FAIL;
		}
		unlink(meta);
		free(meta);
	}
	for (size_t i = 0; i <= N_FILES; i++)
		free(member[i]);
	sv_free(&argv);
	return rc;
}

static char *now_utc(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* Validates the stage, writes image.json and renames it into place. */
static int finish(struct import *im)
{
	json_t *files = json_object(), *meta;
	json_t *bfiles = json_object_get(im->bundle, "files");
	char *text, *path, *created;
	int rc = PP_EXIT_OK;

	for (size_t i = 0; i < N_FILES && !rc; i++) {
		const char *f = image_files[i].name;
		char *fp = xasprintf("%s/%s", im->stage, f);
		const char *want = json_string_value(json_object_get(json_object_get(bfiles, f), "sha256"));
		char hex[65], whex[65];
		struct stat st;
		int r;

		if (lstat(fp, &st)) {
			if (image_files[i].required || json_object_get(bfiles, f)) {
				pp_err("the image has no %s", f);
				rc = PP_EXIT_FAIL;
			}
			free(fp);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			pp_err("%s is not a regular file", f);
			rc = PP_EXIT_FAIL;
		} else if (image_files[i].required && st.st_size == 0) {
			pp_err("%s is empty", f);
			rc = PP_EXIT_FAIL;
		} else if ((r = pp_sha256_file(fp, hex))) {
			pp_err("cannot read %s: %s", fp, strerror(-r));
			rc = PP_EXIT_FAIL;
		} else if (want && (!pp_sha256_parse(want, whex) || strcmp(whex, hex))) {
			pp_err("%s does not match the bundle's image.json: sha256 "
			       "expected %s, got %s", f, want, hex);
			rc = PP_EXIT_FAIL;
		} else {
			json_object_set_new(files, f, json_pack("{s:I, s:s}", "size",
					    (json_int_t)st.st_size, "sha256", hex));
		}
		if (!rc && !strcmp(f, "disk.qcow2")) {
			unsigned char magic[4] = { 0 };
			int fd = open(fp, O_RDONLY | O_CLOEXEC);

			if (fd < 0 || read(fd, magic, 4) != 4 || memcmp(magic, "QFI\xfb", 4)) {
				pp_err("disk.qcow2 is not a qcow2 image (no QFI\\xfb magic)");
				rc = PP_EXIT_FAIL;
			}
			if (fd >= 0)
				close(fd);
		}
		free(fp);
		if (pp_fetch_interrupted && !rc) {
			pp_err("interrupted");
			rc = PP_EXIT_FAIL;
		}
	}
	if (rc) {
		json_decref(files);
		return rc;
	}
	created = now_utc();
	meta = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o}",
			 "format", 1, "name", im->name,
			 "user", im->user ? im->user : meta_str(im->bundle, "user", DEFAULT_USER),
			 "root", im->root ? im->root : meta_str(im->bundle, "root", DEFAULT_ROOT),
			 "source", im->source, "created", created, "files", files);
	free(created);
	char *dump = json_dumps(meta, JSON_INDENT(2));

	json_decref(meta);
	text = xasprintf("%s\n", dump);
	free(dump);
	path = xasprintf("%s/image.json", im->stage);
	int r = write_file_atomic(path, text, strlen(text), 0644);

	free(text);
	if (r) {
		pp_err("cannot write %s: %s", path, strerror(-r));
		free(path);
		return PP_EXIT_FAIL;
	}
	free(path);

	/* into place */
	if (rename(im->stage, im->dst)) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			pp_err("cannot rename %s to %s: %s", im->stage, im->dst, strerror(errno));
			return PP_EXIT_FAIL;
		}
		if (!im->force) {
			pp_err("image '%s' appeared meanwhile (%s); pass --force to replace it",
			       im->name, im->dst);
			return PP_EXIT_BUSY;
		}
		char *old = xasprintf("%s-old", im->stage);

		if (rename(im->dst, old) || rename(im->stage, im->dst)) {
			pp_err("cannot replace %s: %s", im->dst, strerror(errno));
			rename(old, im->dst);
			free(old);
			return PP_EXIT_FAIL;
		}
		rm_rf(old);
		free(old);
	}
	free(im->stage);
	im->stage = NULL;
	return PP_EXIT_OK;
}

static void report_done(struct import *im)
{
	struct pp_image img;
	char *why = NULL, buf[32];

	if (pp_image_open(im->p, im->name, &img, &why) == 0) {
		pp_info("image '%s' ready: %s (disk %s, user %s)", im->name, img.dir,
			fmt_size(img.disk_size, buf), img.user);
		pp_image_free(&img);
	}
	free(why);
	printf("%s\n", im->dst);
}

/* ---- URL downloads ---- */

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

static int import_url(struct import *im, const char *url, const char *sha_arg)
{
	char want[65], got[65];
	char *partial = xasprintf("%s/.partial", im->p->images);
	char *part = xasprintf("%s/%s.part", partial, im->name);
	char *urlf = xasprintf("%s/%s.url", partial, im->name);
	struct pp_fetch_result res;
	enum pp_fetch_status st;
	bool drop = false;
	int rc = PP_EXIT_OK, r;

	if (sha_arg) {
		if (!pp_sha256_parse(sha_arg, want)) {
			pp_err("--sha256 wants 64 hex digits, not '%s'", sha_arg);
			rc = PP_EXIT_USAGE;
			goto out;
		}
	} else {
		char *sumurl = xasprintf("%s.sha256", url), *text = NULL, *why = NULL;

		r = pp_fetch_small(sumurl, 64 * 1024, &text, &why);
		if (r == -ENOENT) {
			pp_err("%s does not exist, so the download cannot be verified: "
			       "pass --sha256 HEX (the digest published with the bundle)",
			       sumurl);
			rc = PP_EXIT_USAGE;
		} else if (r) {
			pp_err("cannot fetch the checksum: %s; pass --sha256 HEX to skip "
			       "fetching it", why);
			rc = PP_EXIT_FAIL;
		} else {
			const char *t = text + strspn(text, " \t\r\n");

			if (!pp_sha256_parse(t, want)) {
				pp_err("%s does not start with a sha256 digest; pass --sha256 HEX",
				       sumurl);
				rc = PP_EXIT_FAIL;
			}
		}
		free(sumurl);
		free(text);
		free(why);
		if (rc)
			goto out;
	}

	r = mkdir_p(partial, 0700);
	if (r) {
		pp_err("cannot create %s: %s", partial, strerror(-r));
		rc = PP_EXIT_FAIL;
		goto out;
	}
	/* a partial of another URL is no use */
	char *prev = read_file(urlf, NULL);

	if (prev && strcmp(prev, url) && file_exists(part)) {
		pp_info("discarding %s (a partial download of %s)", part, prev);
		unlink(part);
	}
	free(prev);
	if (!file_exists(part) || !file_exists(urlf)) {
		r = write_file_atomic(urlf, url, strlen(url), 0600);
		if (r) {
			pp_err("cannot write %s: %s", urlf, strerror(-r));
			rc = PP_EXIT_FAIL;
			goto out;
		}
	}

	pp_info("downloading %s", url);
	st = pp_fetch(url, part, pp_quiet, &res);
	if (st != PP_FETCH_OK) {
		pp_err("%s", res.why);
		/* nothing worth resuming: do not leave an empty file behind */
		if (res.got == 0)
			drop = true;
		rc = st == PP_FETCH_HTTP && res.http_code == 404 ? PP_EXIT_NOTFOUND : PP_EXIT_FAIL;
		free(res.why);
		goto out;
	}
	r = pp_sha256_file(part, got);
	if (r) {
		pp_err("cannot read %s: %s", part, strerror(-r));
		rc = PP_EXIT_FAIL;
		goto out;
	}
	if (strcmp(want, got)) {
		pp_err("sha256 mismatch: expected %s, got %s (%s; the download is "
		       "deleted)", want, got, url);
		drop = true;
		rc = PP_EXIT_FAIL;
		goto out;
	}
	pp_info("sha256 %s verified", got);
	rc = make_stage(im);
	if (!rc)
		rc = stage_bundle(im, part);
	if (!rc)
		rc = finish(im);
	/* a verified bundle that is not a valid image is no use to resume */
	drop = !rc || rc == PP_EXIT_FAIL;
out:
	if (drop) {
		unlink(part);
		unlink(urlf);
	}
	if (rmdir(partial) && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		pp_warn("cannot remove %s: %s", partial, strerror(errno));
	free(partial);
	free(part);
	free(urlf);
	return rc;
}

/* ---- subcommands ---- */

struct opt {
	const char *name;
	const char **val;   /* NULL for a flag */
	bool *flag;
};

/* Parses "--name V", "--name=V" and flags; positional arguments go to
 * pos[] (at most npos).  PP_EXIT_OK, PP_EXIT_USAGE, or -1 for --help. */
static int parse_opts(int argc, char **argv, const struct opt *opts,
		      const char **pos, int npos, int *ngot)
{
	*ngot = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool matched = false;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return -1;
		if (a[0] != '-' || !a[1]) {
			if (*ngot >= npos) {
				pp_err("image %s: unexpected argument '%s'", argv[0], a);
				return PP_EXIT_USAGE;
			}
			pos[(*ngot)++] = a;
			continue;
		}
		for (const struct opt *o = opts; o->name; o++) {
			size_t n = strlen(o->name);

			if (strncmp(a, o->name, n) || (a[n] && a[n] != '='))
				continue;
			matched = true;
			if (!o->val) {
				if (a[n]) {
					pp_err("image %s: %s takes no value", argv[0], o->name);
					return PP_EXIT_USAGE;
				}
				*o->flag = true;
			} else if (a[n] == '=') {
				*o->val = a + n + 1;
			} else if (i + 1 < argc) {
				*o->val = argv[++i];
			} else {
				pp_err("image %s: %s needs a value", argv[0], o->name);
				return PP_EXIT_USAGE;
			}
			break;
		}
		if (!matched) {
			pp_err("image %s: unknown option %s (see pcipass image %s --help)",
			       argv[0], a, argv[0]);
			return PP_EXIT_USAGE;
		}
	}
	return PP_EXIT_OK;
}

static const char *const help_build =
	"usage: pcipass image build [--name N] [--size S] [--user U] [--ssh-pubkey F] [--force]\n"
	"\n"
	"Builds the arm64 Debian guest image with the source tree's image/build\n"
	"(cached: minutes the first time, seconds afterwards; progress on stderr)\n"
	"and installs it as image N.\n"
	"\n"
	"  --name N          image name (default: default)\n"
	"  --size S          disk size, e.g. 8G (default 4G, sparse)\n"
	"  --user U          login user (default pcipass)\n"
	"  --ssh-pubkey F    authorized key (default: a key pair made for the image)\n"
	"  --force           replace an existing image N (not one a VM's disk uses)\n";

static const char *const help_import =
	"usage: pcipass image import SRC [--name N] [--sha256 HEX] [--force]\n"
	"\n"
	"SRC is a directory (disk.qcow2, vmlinuz, initrd.img, id_ed25519{,.pub}:\n"
	"what image/build makes), a bundle (a tar, gzip or zstd compressed or not,\n"
	"of those files and an optional image.json), or an http(s):// URL of a\n"
	"bundle.  Downloads resume where they stopped and are verified against\n"
	"--sha256, else against the first word of URL.sha256.\n"
	"\n"
	"  --name N        image name (default: default)\n"
	"  --sha256 HEX    expected sha256 of the bundle (optional for a file)\n"
	"  --force         replace an existing image N (not one a VM's disk uses)\n";

static const char *const help_list =
	"usage: pcipass image list [--json]\n"
	"\n"
	"Installed images: disk size, when and from what they were installed,\n"
	"which VMs use them, and whether their files are whole.\n";

static const char *const help_path =
	"usage: pcipass image path [NAME]\n"
	"\n"
	"Prints the directory of image NAME (default: default).\n";

static const char *const help_check =
	"usage: pcipass image check [NAME] [--sha256]\n"
	"\n"
	"Checks image NAME (default: default) as 'pcipass run' does: every file\n"
	"present, sizes as recorded.  --sha256 also re-hashes every file.\n";

static const char *const help_prune =
	"usage: pcipass image prune [--all] [--dry-run]\n"
	"\n"
	"Removes leftovers of interrupted imports and downloads, and images no VM\n"
	"uses (the image 'default' only with --all).  An image a VM's disk is\n"
	"backed by is never removed.\n"
	"\n"
	"  --all        remove 'default' too when no VM uses it\n"
	"  --dry-run    say what would be removed, remove nothing\n";

/* image/build and the options that choose its cache entry */
static void builder_args(struct strvec *av, const char *src, const char *size,
			 const char *user, const char *key)
{
	sv_pushf(av, "%s/image/build", src);
	if (size) {
		sv_push(av, "--size");
		sv_push(av, size);
	}
	if (user) {
		sv_push(av, "--user");
		sv_push(av, user);
	}
	if (key) {
		sv_push(av, "--ssh-pubkey");
		sv_push(av, key);
	}
}

/* Is image NAME whole and built by image/build from the inputs given now?
 * (image/build --print-entry names the cache entry those inputs map to;
 * image.json's source records the entry the image came from.) */
static bool image_built_from_current(const struct pp_paths *p, const char *name,
				     const char *src, const char *size,
				     const char *user, const char *key)
{
	struct strvec av = { 0 };
	struct pp_image img;
	char *dir = pp_image_dir(p, name), *why = NULL, *entry = NULL, *want;
	json_t *meta;
	bool same = false;

	if (!is_dir(dir) || pp_image_open(p, name, &img, &why)) {
		free(dir);
		free(why);
		return false;
	}
	pp_image_free(&img);
	builder_args(&av, src, size, user, key);
	sv_push(&av, "--print-entry");
	meta = load_meta(dir, &why);
	if (meta && !run(sv_argv(&av), &entry) && entry) {
		entry[strcspn(entry, "\n")] = '\0';
		want = xasprintf("image/build %s", entry);
		same = *entry && !strcmp(meta_str(meta, "source", ""), want) &&
		       file_exists(entry);
		free(want);
	}
	json_decref(meta);
	free(entry);
	free(why);
	free(dir);
	sv_free(&av);
	return same;
}

static bool image_from_build(const struct pp_paths *p, const char *name)
{
	char *dir = pp_image_dir(p, name), *why = NULL;
	json_t *meta = is_dir(dir) ? load_meta(dir, &why) : NULL;
	bool r = meta && !strncmp(meta_str(meta, "source", ""), "image/build ", 12);

	json_decref(meta);
	free(why);
	free(dir);
	return r;
}

static int image_build(const struct pp_paths *p, int argc, char **argv)
{
	const char *name = PP_DEFAULT_IMAGE, *size = NULL, *user = NULL, *key = NULL;
	bool force = false;
	struct opt opts[] = {
		{ "--name", &name, NULL }, { "--size", &size, NULL },
		{ "--user", &user, NULL }, { "--ssh-pubkey", &key, NULL },
		{ "--force", NULL, &force }, { NULL, NULL, NULL },
	};
	struct import im = { .p = p };
	struct strvec av = { 0 };
	char *out = NULL, *entry = NULL, keyabs[PATH_MAX];
	const char *src = pp_srcdir();
	uint64_t bytes;
	int n, rc, lock, st;

	rc = parse_opts(argc, argv, opts, NULL, 0, &n);
	if (rc < 0) {
		fputs(help_build, stdout);
		return PP_EXIT_OK;
	}
	if (rc)
		return rc;
	if (size && !parse_size(size, &bytes)) {
		pp_err("--size: '%s' is not a size (e.g. 4G, 8192M)", size);
		return PP_EXIT_USAGE;
	}
	if (user && !valid_name(user)) {
		pp_err("--user: '%s' is not a valid user name", user);
		return PP_EXIT_USAGE;
	}
	if (key && (!realpath(key, keyabs) || access(keyabs, R_OK))) {
		pp_err("--ssh-pubkey: cannot read %s: %s", key, strerror(errno));
		return PP_EXIT_USAGE;
	}
	if (!src) {
		pp_err("building an image needs the pcipass source tree (image/build), "
		       "and this pcipass was installed without it; import a built "
		       "image instead: pcipass image import BUNDLE|URL|DIR");
		return PP_EXIT_ENV;
	}
	if (!force && image_built_from_current(p, name, src, size, user,
					       key ? keyabs : NULL)) {
		pp_info("image '%s' is up to date (image/build's inputs have not "
			"changed; --force rebuilds it)", name);
		return PP_EXIT_OK;
	}
	/* an image image/build made is brought up to date in place (never
	 * under a VM: check_target refuses that); one imported from elsewhere
	 * is replaced only with --force */
	if (!force && image_from_build(p, name)) {
		pp_info("image '%s' was built from other inputs: rebuilding it", name);
		force = true;
	}
	im.name = name;
	im.force = force;
	im.user = user;
	if ((rc = import_begin(&im, &lock)))
		return rc;
	rc = make_stage(&im);
	if (rc)
		goto done;
	out = xasprintf("%s/.tmp-%s-%ld-build", p->images, name, (long)getpid());
	builder_args(&av, src, size, user, key ? keyabs : NULL);
	sv_push(&av, "--out");
	sv_push(&av, out);
	pp_info("building with %s/image/build (progress below)", src);
	st = run(sv_argv(&av), &entry);
	if (st || pp_fetch_interrupted) {
		pp_err("image/build failed (exit %d%s); its messages are above", st,
		       pp_fetch_interrupted ? ", interrupted" : "");
		rc = PP_EXIT_FAIL;
		goto done;
	}
	/* image/build prints the cache entry last */
	size_t el = strlen(entry);

	while (el && (entry[el - 1] == '\n' || entry[el - 1] == ' '))
		entry[--el] = '\0';
	const char *last = strrchr(entry, '\n') ? strrchr(entry, '\n') + 1 : entry;

	im.source = xasprintf("image/build %s", *last ? last : src);
	rc = stage_dir(&im, out, true);
	if (!rc)
		rc = finish(&im);
	if (!rc)
		report_done(&im);
done:
	if (out)
		rm_rf(out);
	free(out);
	free(entry);
	sv_free(&av);
	import_free(&im);
	close(lock);
	return rc;
}

static int image_import(const struct pp_paths *p, int argc, char **argv)
{
	const char *name = PP_DEFAULT_IMAGE, *sha = NULL, *pos[1] = { NULL };
	bool force = false;
	struct opt opts[] = {
		{ "--name", &name, NULL }, { "--sha256", &sha, NULL },
		{ "--force", NULL, &force }, { NULL, NULL, NULL },
	};
	struct import im = { .p = p };
	char abs[PATH_MAX], want[65], got[65];
	int n, rc, lock, r;
	const char *src;

	rc = parse_opts(argc, argv, opts, pos, 1, &n);
	if (rc < 0) {
		fputs(help_import, stdout);
		return PP_EXIT_OK;
	}
	if (rc)
		return rc;
	if (!n) {
		pp_err("image import: which image? (a directory, a bundle file or a URL; "
		       "see pcipass image import --help)");
		return PP_EXIT_USAGE;
	}
	src = pos[0];
	if (sha && !pp_sha256_parse(sha, want)) {
		pp_err("--sha256 wants 64 hex digits, not '%s'", sha);
		return PP_EXIT_USAGE;
	}
	if (!is_url(src)) {
		if (strstr(src, "://")) {
			pp_err("%s: only http:// and https:// URLs are supported", src);
			return PP_EXIT_USAGE;
		}
		if (!realpath(src, abs)) {
			pp_err("%s: %s", src, strerror(errno));
			return PP_EXIT_USAGE;
		}
		if (is_dir(abs) && sha) {
			pp_err("--sha256 applies to a bundle file or URL, not a directory");
			return PP_EXIT_USAGE;
		}
	}
	im.name = name;
	im.force = force;
	if ((rc = import_begin(&im, &lock)))
		return rc;
	if (is_url(src)) {
		im.source = xstrdup(src);
		rc = import_url(&im, src, sha);
	} else if (is_dir(abs)) {
		im.source = xstrdup(abs);
		rc = make_stage(&im);
		if (!rc)
			rc = stage_dir(&im, abs, false);
		if (!rc)
			rc = finish(&im);
	} else {
		im.source = xstrdup(abs);
		if (sha) {
			r = pp_sha256_file(abs, got);
			if (r) {
				pp_err("cannot read %s: %s", abs, strerror(-r));
				rc = PP_EXIT_FAIL;
			} else if (strcmp(want, got)) {
				pp_err("sha256 mismatch: expected %s, got %s (%s)", want, got, abs);
				rc = PP_EXIT_FAIL;
			}
		}
		if (!rc)
			rc = make_stage(&im);
		if (!rc)
			rc = stage_bundle(&im, abs);
		if (!rc)
			rc = finish(&im);
	}
	if (!rc)
		report_done(&im);
	import_free(&im);
	close(lock);
	return rc;
}

static int image_list(const struct pp_paths *p, int argc, char **argv)
{
	bool as_json = false;
	struct opt opts[] = { { "--json", NULL, &as_json }, { NULL, NULL, NULL } };
	struct strvec names = { 0 };
	json_t *arr = json_array();
	int n, rc;

	rc = parse_opts(argc, argv, opts, NULL, 0, &n);
	if (rc < 0) {
		fputs(help_list, stdout);
		json_decref(arr);
		return PP_EXIT_OK;
	}
	if (rc) {
		json_decref(arr);
		return rc;
	}
	pp_image_list_names(p, &names);
	if (!as_json && names.n)
		printf("%-16s %-10s %-21s %-16s %s\n", "NAME", "DISK", "CREATED",
		       "USED BY", "SOURCE");
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		char *dir = pp_image_dir(p, name), *disk = xasprintf("%s/disk.qcow2", dir);
		char *why = NULL, *uwhy = NULL, *mwhy = NULL, buf[32];
		struct strvec users = { 0 };
		struct pp_image img;
		json_t *meta = load_meta(dir, &mwhy), *jusers = json_array();
		int orc = pp_image_open(p, name, &img, &why);
		int urc = pp_image_users(p, name, &users, &uwhy);
		struct stat st;
		uint64_t dsize = stat(disk, &st) ? 0 : (uint64_t)st.st_size;

		for (size_t u = 0; u < users.n; u++)
			json_array_append_new(jusers, json_string(users.v[u]));
		if (as_json) {
			json_t *o = json_pack("{s:s, s:s, s:I, s:s?, s:s?, s:s?, s:o, s:b}",
					      "name", name, "dir", dir,
					      "disk_size", (json_int_t)dsize,
					      "created", json_string_value(json_object_get(meta, "created")),
					      "source", json_string_value(json_object_get(meta, "source")),
					      "user", json_string_value(json_object_get(meta, "user")),
					      "vms", jusers, "ok", orc == 0);
			if (orc)
				json_object_set_new(o, "problem", json_string(why));
			if (urc)
				json_object_set_new(o, "vms_unknown", json_string(uwhy));
			json_array_append_new(arr, o);
		} else {
			char *ul = users.n ? join(&users, ",") : xstrdup(urc ? "?" : "-");

			printf("%-16s %-10s %-21s %-16s %s\n", name, fmt_size(dsize, buf),
			       meta_str(meta, "created", "?"), ul,
			       meta_str(meta, "source", "?"));
			if (orc)
				printf("  DAMAGED: %s\n", why);
			if (urc)
				printf("  (VMs using it unknown: %s)\n", uwhy);
			free(ul);
			json_decref(jusers);
		}
		if (!orc)
			pp_image_free(&img);
		json_decref(meta);
		sv_free(&users);
		free(why);
		free(uwhy);
		free(mwhy);
		free(dir);
		free(disk);
	}
	if (as_json) {
		json_t *root = json_pack("{s:s, s:o}", "images_dir", p->images, "images", arr);

		json_dumpf(root, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(root);
	} else {
		json_decref(arr);
		if (!names.n)
			pp_info("no images in %s; make one with 'pcipass image build' or "
				"'pcipass image import FILE|URL'", p->images);
	}
	sv_free(&names);
	return PP_EXIT_OK;
}

static int image_path(const struct pp_paths *p, int argc, char **argv)
{
	const char *pos[1] = { PP_DEFAULT_IMAGE };
	struct opt opts[] = { { NULL, NULL, NULL } };
	int n, rc = parse_opts(argc, argv, opts, pos, 1, &n);
	char *dir;

	if (rc < 0) {
		fputs(help_path, stdout);
		return PP_EXIT_OK;
	}
	if (rc)
		return rc;
	if (!valid_name(pos[0])) {
		pp_err("'%s' is not a valid image name", pos[0]);
		return PP_EXIT_USAGE;
	}
	dir = pp_image_dir(p, pos[0]);
	if (!is_dir(dir)) {
		char *why = not_installed(p, pos[0]);

		pp_err("%s", why);
		free(why);
		free(dir);
		return PP_EXIT_NOTFOUND;
	}
	printf("%s\n", dir);
	free(dir);
	return PP_EXIT_OK;
}

static int image_check(const struct pp_paths *p, int argc, char **argv)
{
	const char *pos[1] = { PP_DEFAULT_IMAGE };
	bool deep = false;
	struct opt opts[] = { { "--sha256", NULL, &deep }, { NULL, NULL, NULL } };
	struct pp_image img;
	char *why = NULL, *mwhy = NULL;
	int n, rc = parse_opts(argc, argv, opts, pos, 1, &n);

	if (rc < 0) {
		fputs(help_check, stdout);
		return PP_EXIT_OK;
	}
	if (rc)
		return rc;
	rc = pp_image_open(p, pos[0], &img, &why);
	if (rc) {
		pp_err("%s", why);
		free(why);
		return rc == -ENOENT ? PP_EXIT_NOTFOUND : PP_EXIT_ENV;
	}
	if (deep) {
		json_t *meta = load_meta(img.dir, &mwhy);
		json_t *files = json_object_get(meta, "files"), *v;
		const char *f;

		json_object_foreach(files, f, v) {
			const char *want = json_string_value(json_object_get(v, "sha256"));
			char *path = xasprintf("%s/%s", img.dir, f), hex[65];

			if (!want || strchr(f, '/')) {
				free(path);
				continue;
			}
			if (pp_sha256_file(path, hex) || strcmp(hex, want)) {
				pp_err("image '%s' is damaged: %s has sha256 %s, image.json "
				       "records %s", img.name, path, hex, want);
				rc = PP_EXIT_ENV;
			}
			free(path);
		}
		json_decref(meta);
		free(mwhy);
	}
	if (!rc)
		printf("%s: ok\n", img.dir);
	pp_image_free(&img);
	return rc;
}

static int image_prune(const struct pp_paths *p, int argc, char **argv)
{
	bool all = false, dry = false;
	struct opt opts[] = {
		{ "--all", NULL, &all }, { "--dry-run", NULL, &dry }, { NULL, NULL, NULL },
	};
	const char *verb = NULL;
	struct strvec names = { 0 }, junk = { 0 };
	char *partial;
	int n, rc = parse_opts(argc, argv, opts, NULL, 0, &n), lock, failed = 0;
	DIR *d;
	struct dirent *e;

	if (rc < 0) {
		fputs(help_prune, stdout);
		return PP_EXIT_OK;
	}
	if (rc)
		return rc;
	partial = xasprintf("%s/.partial", p->images);
	verb = dry ? "would remove" : "removing";
	if ((lock = store_lock(p)) < 0) {
		free(partial);
		return PP_EXIT_BUSY;
	}
	/* leftovers */
	if ((d = opendir(p->images))) {
		while ((e = readdir(d)))
			if (!strncmp(e->d_name, ".tmp-", 5))
				sv_pushf(&junk, "%s/%s", p->images, e->d_name);
		closedir(d);
	}
	if ((d = opendir(partial))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				sv_pushf(&junk, "%s/%s", partial, e->d_name);
		closedir(d);
	}
	if (junk.n)
		qsort(junk.v, junk.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < junk.n; i++) {
		printf("%s %s (left by an interrupted import or download)\n", verb, junk.v[i]);
		if (!dry && rm_rf(junk.v[i])) {
			pp_warn("cannot remove %s", junk.v[i]);
			failed++;
		}
	}
	if (!dry)
		rmdir(partial);

	pp_image_list_names(p, &names);
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		struct strvec users = { 0 };
		char *why = NULL;
		int r = pp_image_users(p, name, &users, &why);

		if (users.n) {
			char *l = join(&users, ", ");

			printf("keeping image %s (used by VM%s %s)\n", name,
			       users.n > 1 ? "s" : "", l);
			free(l);
		} else if (r) {
			printf("keeping image %s (cannot tell whether a VM uses it: %s)\n",
			       name, why);
		} else if (!strcmp(name, PP_DEFAULT_IMAGE) && !all) {
			printf("keeping image %s (the default image; --all removes it "
			       "when no VM uses it)\n", name);
		} else {
			char *dir = pp_image_dir(p, name);

			printf("%s image %s (no VM uses it)\n", verb, name);
			if (!dry) {
				/* rename first, so a half-removed image never looks whole */
				char *tmp = xasprintf("%s/.tmp-prune-%s-%ld", p->images, name,
						      (long)getpid());

				if (rename(dir, tmp) || rm_rf(tmp)) {
					pp_warn("cannot remove %s: %s", dir, strerror(errno));
					failed++;
				}
				free(tmp);
			}
			free(dir);
		}
		sv_free(&users);
		free(why);
	}
	if (!junk.n && !names.n)
		printf("nothing to prune in %s\n", p->images);
	sv_free(&names);
	sv_free(&junk);
	free(partial);
	close(lock);
	return failed ? PP_EXIT_FAIL : PP_EXIT_OK;
}

static void image_usage(FILE *f)
{
	fprintf(f,
		"usage: pcipass image COMMAND [ARGS...]\n"
		"\n"
		"  build [--name N] [--size S] [--user U] [--ssh-pubkey F] [--force]\n"
		"                        build the guest image (needs the source tree)\n"
		"  import SRC [--name N] [--sha256 HEX] [--force]\n"
		"                        install a directory, bundle file or URL\n"
		"  list [--json]         installed images and the VMs using them\n"
		"  path [NAME]           print an image's directory\n"
		"  check [NAME] [--sha256]   check an image is whole\n"
		"  prune [--all] [--dry-run] remove leftovers and unused images\n"
		"\n"
		"'pcipass image COMMAND --help' for each.  NAME defaults to 'default'.\n");
}

int cmd_image(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct pp_paths *p, int argc, char **argv);
		bool ensure;
	} subs[] = {
		{ "build", image_build, true },
		{ "import", image_import, true },
		{ "list", image_list, false },
		{ "path", image_path, false },
		{ "check", image_check, false },
		{ "prune", image_prune, true },
	};
	struct pp_paths p;
	int rc;

	if (argc < 2) {
		image_usage(stderr);
		return PP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		image_usage(stdout);
		return PP_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name))
			continue;
		/* --help before touching any state */
		for (int a = 2; a < argc; a++)
			if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help"))
				return subs[i].fn(NULL, argc - 1, argv + 1);
		if (pp_paths_init(&p))
			return PP_EXIT_ENV;
		if (subs[i].ensure && pp_paths_ensure(&p)) {
			rc = PP_EXIT_ENV;
		} else {
			catch_signals();
			rc = subs[i].fn(&p, argc - 1, argv + 1);
		}
		pp_paths_free(&p);
		return rc;
	}
	pp_err("unknown image command '%s' (pcipass image --help lists them)", argv[1]);
	return PP_EXIT_USAGE;
}
