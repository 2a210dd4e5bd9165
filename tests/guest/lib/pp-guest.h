/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/guest/lib/pp-guest.h: what the static arm64 guest programs of the
 * tests (pp-regs, pt-check) share: one-line-per-check reporting, MMIO
 * accessors, PCI functions found and BARs mapped through sysfs, guest-physical
 * addresses from /proc/self/pagemap.  Build with pp-guest.c:
 *   cc-arm64 ... -I tests/guest/lib -o prog prog.c tests/guest/lib/pp-guest.c
 */
#ifndef PP_GUEST_H
#define PP_GUEST_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Counted by CHECK; the program prints them at the end. */
extern int failures, checks;

/* One line per check: "ok   ..." or "FAIL ...". */
#define CHECK(cond, ...)                                                  \
	do {                                                              \
		checks++;                                                 \
		if (cond) {                                               \
			printf("ok   ");                                  \
		} else {                                                  \
			printf("FAIL ");                                  \
			failures++;                                       \
		}                                                         \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
		fflush(stdout);                                           \
	} while (0)

#define CHECK_EQ(got, want, what)                                         \
	do {                                                              \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);     \
		CHECK(g_ == w_, "%s: 0x%" PRIx64 " (expected 0x%" PRIx64 ")", \
		      what, g_, w_);                                      \
	} while (0)

/* A FAIL line, then exit 1. */
#define DIE(...)                                                          \
	do {                                                              \
		printf("FAIL ");                                          \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
		exit(1);                                                  \
	} while (0)

/* ---- MMIO: stores are followed by a barrier ---------------------------- */

static inline void mb(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

static inline uint32_t rd32(volatile uint8_t *b, unsigned int off)
{
	return *(volatile uint32_t *)(b + off);
}

static inline uint64_t rd64(volatile uint8_t *b, unsigned int off)
{
	return *(volatile uint64_t *)(b + off);
}

static inline void wr32(volatile uint8_t *b, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(b + off) = v;
	mb();
}

static inline void wr64(volatile uint8_t *b, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(b + off) = v;    /* one str x, as writeq() */
	mb();
}

/* ---- sysfs and /proc ----------------------------------------------------- */

/* The hex number in a file (sysfs attribute); 0 or -1. */
int read_hex(const char *path, uint64_t *v);

/* First PCI function with this vendor:device; its sysfs name in name[]. */
int pci_find(unsigned int ven, unsigned int dev, char *name, size_t len);

/* "0000:01:00.0" -> seg << 16 | bus << 8 | devfn; ~0 when unparsable */
uint32_t pci_bdf(const char *name);

/* mmaps len bytes of BAR i of the function through resourceI; DIEs if not. */
volatile uint8_t *map_bar(const char *name, unsigned int i, size_t len);

/* The guest-physical address of p (a locked page), 0 when unknown. */
uint64_t virt_to_phys(const void *p);

#endif
