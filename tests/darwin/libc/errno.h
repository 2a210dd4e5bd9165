/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_ERRNO_H
#define PP_DARWIN_ERRNO_H
#include <sys/cdefs.h>
__BEGIN_DECLS
extern int *__error(void);
__END_DECLS
#define errno (*__error())
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EBADF 9
#define ECHILD 10
#define EDEADLK 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define EAGAIN 35
#define EWOULDBLOCK EAGAIN
#define EINPROGRESS 36
#define EALREADY 37
#define EMSGSIZE 40
#define ENOTSUP 45
#define ENOBUFS 55
#define ETIMEDOUT 60
#define ENOSYS 78
#define EOVERFLOW 84
#define ECANCELED 89
#define ENOMSG 91
#define EBADMSG 94
#define ENODATA 96
#define EPROTO 100
#define EOPNOTSUPP 102
#endif
