/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test-only declaration header (tests/darwin/libc, see ../README.md):
 * the macOS libc declarations pcipass's darwin C uses, with Darwin's
 * types and values (from Apple's man pages and SDK documentation).
 * Used only by tests/darwin-check; not Apple's header. */
#ifndef PP_DARWIN_STDIO_H
#define PP_DARWIN_STDIO_H
#include <stdarg.h>
#include <sys/types.h>
__BEGIN_DECLS
typedef struct __sFILE FILE;
extern FILE *__stdinp;
extern FILE *__stdoutp;
extern FILE *__stderrp;
#define stdin __stdinp
#define stdout __stdoutp
#define stderr __stderrp
#define EOF (-1)
#define BUFSIZ 1024
int printf(const char *restrict, ...) __printflike(1, 2);
int fprintf(FILE *restrict, const char *restrict, ...) __printflike(2, 3);
int snprintf(char *restrict, size_t, const char *restrict, ...) __printflike(3, 4);
int vfprintf(FILE *restrict, const char *restrict, va_list) __printflike(2, 0);
int vsnprintf(char *restrict, size_t, const char *restrict, va_list) __printflike(3, 0);
int sscanf(const char *restrict, const char *restrict, ...);
int fputs(const char *restrict, FILE *restrict);
int fputc(int, FILE *);
int puts(const char *);
int fflush(FILE *);
FILE *fopen(const char *restrict, const char *restrict);
int fclose(FILE *);
char *fgets(char *restrict, int, FILE *restrict);
size_t fread(void *restrict, size_t, size_t, FILE *restrict);
size_t fwrite(const void *restrict, size_t, size_t, FILE *restrict);
ssize_t getline(char **restrict, size_t *restrict, FILE *restrict);
void perror(const char *);
__END_DECLS
#endif
