/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_UNISTD_H
#define PP_DARWIN_UNISTD_H
#include <sys/types.h>
__BEGIN_DECLS
#define _SC_PAGESIZE 29
#define _SC_PAGE_SIZE _SC_PAGESIZE
#define _SC_NPROCESSORS_ONLN 58
int close(int);
ssize_t read(int, void *, size_t);
ssize_t write(int, const void *, size_t);
int pipe(int[2]);
pid_t getpid(void);
long sysconf(int);
int getpagesize(void);
int usleep(useconds_t);
unsigned int sleep(unsigned int);
int isatty(int);
__END_DECLS
#endif
