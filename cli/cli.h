/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: what the subcommands share.  One file per command
 * (run.c, status.c, ...); the QEMU command line itself is built by the pure
 * function in cmdline.c from a struct pp_vm (vm.h), so that it can be
 * tested for a Mac and a Linux host on either.
 */
#ifndef PCIPASS_CLI_H
#define PCIPASS_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A close-on-exec socket (the VM's lock is the only descriptor QEMU may
 * inherit; macOS has no SOCK_CLOEXEC, hence fcntl). */
int pp_socket(int domain, int type);
/* Could QEMU's user-mode network listen on addr:port? */
bool pp_port_free(const char *addr, unsigned int port);

/* Exit codes (pcipass(1), docs/cli.md). */
enum {
	PP_EXIT_OK = 0,
	PP_EXIT_FAIL = 1,      /* the operation failed (QEMU died, download broke) */
	PP_EXIT_USAGE = 2,     /* bad command line or bad value */
	PP_EXIT_NOTFOUND = 3,  /* unknown VM, device or image */
	PP_EXIT_BUSY = 4,      /* VM already running, port in use, locked */
	PP_EXIT_ENV = 5,       /* a layer below is missing: QEMU, host, image */
};

/* ---- messages: "pcipass: ..." on stderr ---- */
void pp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pp_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int pp_quiet;

/* ---- growable string vector (argv) ---- */
struct strvec {
	char **v;
	size_t n, cap;
};
void sv_push(struct strvec *sv, const char *s);
void sv_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sv_free(struct strvec *sv);
/* NULL-terminated view for execv (valid until the next push). */
char **sv_argv(struct strvec *sv);
/* A shell-quoted, copy-pastable rendering (one allocation). */
char *sv_shell_join(const struct strvec *sv);

/* ---- small helpers ---- */
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t sz);
/* "512M", "12G", "1T", plain bytes; false if malformed or zero. */
bool parse_size(const char *s, uint64_t *bytes);
/* Human form: "12 GiB", "768 MiB". */
const char *fmt_size(uint64_t bytes, char buf[32]);
bool parse_uint(const char *s, unsigned long max, unsigned long *out);
int mkdir_p(const char *path, unsigned int mode);
/* rm -rf without following symlinks; 0 or -errno. */
int rm_rf(const char *path);
/* Whole file into a NUL-terminated buffer (NULL on error, errno set). */
char *read_file(const char *path, size_t *len);
/* Write via a temporary file and rename (0 or -errno). */
int write_file_atomic(const char *path, const char *data, size_t len,
		      unsigned int mode);
bool file_exists(const char *path);
bool is_dir(const char *path);
/* Last n lines of a file, for error reports (caller frees). */
char *tail_lines(const char *path, unsigned int n);
/* A VM or image name: [A-Za-z0-9][A-Za-z0-9._-]{0,63}. */
bool valid_name(const char *s);

/* ---- where things live (paths.c) ---- */
struct pp_paths {
	char *home;        /* $PCIPASS_HOME, else XDG_STATE_HOME/pcipass or
			    * ~/Library/Application Support/pcipass */
	char *images;      /* home/images */
	char *vms;         /* home/vms */
};
int pp_paths_init(struct pp_paths *p);
void pp_paths_free(struct pp_paths *p);
/* Creates home (0700) and its subdirectories. */
int pp_paths_ensure(const struct pp_paths *p);
char *pp_vm_dir(const struct pp_paths *p, const char *vm);
char *pp_image_dir(const struct pp_paths *p, const char *image);

/* The patched QEMU: --qemu, $PCIPASS_QEMU, the source tree's testbed
 * (Linux), then qemu-system-aarch64 on PATH.  NULL if none found. */
char *pp_find_qemu(const char *override);
/* qemu-img next to that QEMU, else on PATH. */
char *pp_find_qemu_img(const char *qemu);
/* The source tree this binary was built from (image/build lives there),
 * or NULL when it is gone (an installed binary). */
const char *pp_srcdir(void);
/* PATH lookup; NULL if not found. */
char *pp_which(const char *prog);

/* ---- subcommands: argv[0] is the command name ---- */
int cmd_devices(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_ssh(int argc, char **argv);

#endif
