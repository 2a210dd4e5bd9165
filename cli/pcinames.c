// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: PCI id -> name (pcinames.h).  libpci when built with it:
 * pci_alloc + pci_init on the "dump" access method reading /dev/null, so no
 * PCI bus of this machine is touched and no privilege is needed (names need
 * no bus access); libpci's fatal error hook is caught, so a libpci that
 * cannot initialise only costs the names.  Without libpci (or when it has
 * no name): the class table below, and raw ids for vendors and devices.
 */
#include "pcinames.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PP_CLI_HAVE_LIBPCI
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#endif

/* Built-in names, spelled as in pci.ids: subclasses first (base << 8 | sub),
 * then base classes (sub 0xff marks "any"). */
static const struct {
	uint16_t code;
	const char *name;
} classes[] = {
	{ 0x0100, "SCSI storage controller" },
	{ 0x0101, "IDE interface" },
	{ 0x0104, "RAID bus controller" },
	{ 0x0106, "SATA controller" },
	{ 0x0107, "Serial Attached SCSI controller" },
	{ 0x0108, "Non-Volatile memory controller" },
	{ 0x0200, "Ethernet controller" },
	{ 0x0280, "Network controller" },
	{ 0x0300, "VGA compatible controller" },
	{ 0x0302, "3D controller" },
	{ 0x0380, "Display controller" },
	{ 0x0400, "Multimedia video controller" },
	{ 0x0401, "Multimedia audio controller" },
	{ 0x0403, "Audio device" },
	{ 0x0480, "Multimedia controller" },
	{ 0x0600, "Host bridge" },
	{ 0x0604, "PCI bridge" },
	{ 0x0880, "System peripheral" },
	{ 0x0c03, "USB controller" },
	{ 0x0c05, "SMBus" },
	{ 0x0c80, "Serial bus controller" },
	{ 0x0d80, "Wireless controller" },
	{ 0x1080, "Encryption controller" },
	{ 0x1180, "Signal processing controller" },
	{ 0x1200, "Processing accelerators" },
	{ 0x00ff, "Unclassified device" },
	{ 0x01ff, "Mass storage controller" },
	{ 0x02ff, "Network controller" },
	{ 0x03ff, "Display controller" },
	{ 0x04ff, "Multimedia controller" },
	{ 0x05ff, "Memory controller" },
	{ 0x06ff, "Bridge" },
	{ 0x07ff, "Communication controller" },
	{ 0x08ff, "Generic system peripheral" },
	{ 0x09ff, "Input device controller" },
	{ 0x0aff, "Docking station" },
	{ 0x0bff, "Processor" },
	{ 0x0cff, "Serial bus controller" },
	{ 0x0dff, "Wireless controller" },
	{ 0x0eff, "Intelligent controller" },
	{ 0x0fff, "Satellite communications controller" },
	{ 0x10ff, "Encryption controller" },
	{ 0x11ff, "Signal processing controller" },
	{ 0x12ff, "Processing accelerators" },
	{ 0x13ff, "Non-Essential Instrumentation" },
	{ 0x40ff, "Coprocessor" },
};

static const char *builtin_class(uint32_t class_code)
{
	uint16_t sub = (uint16_t)(class_code >> 8), base = (uint16_t)(class_code >> 16);

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].code == sub)
			return classes[i].name;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].code == (uint16_t)(base << 8 | 0xff))
			return classes[i].name;
	return NULL;
}

#ifdef PP_CLI_HAVE_LIBPCI
static struct pci_access *pacc;
static bool tried;
static jmp_buf pci_jmp;
static volatile bool in_pci;

/* libpci's "write an error and exit": back to whoever called into it. */
static void __attribute__((noreturn, format(printf, 1, 2)))
pci_fatal(char *msg, ...)
{
	(void)msg;
	if (in_pci)
		longjmp(pci_jmp, 1);
	abort();	/* not reached: libpci calls it only inside our calls */
}

static void __attribute__((format(printf, 1, 2))) pci_quiet(char *msg, ...)
{
	(void)msg;
}

static struct pci_access *names(void)
{
	struct pci_access *a;

	if (tried)
		return pacc;
	tried = true;
	a = pci_alloc();
	if (!a)
		return NULL;
	a->error = pci_fatal;
	a->warning = pci_quiet;
	a->debug = pci_quiet;
	a->method = PCI_ACCESS_DUMP;
	if (pci_set_param(a, "dump.name", "/dev/null"))
		a->method = PCI_ACCESS_AUTO;
	in_pci = true;
	if (setjmp(pci_jmp)) {
		/* half initialised: leak it rather than run its cleanup */
		in_pci = false;
		return NULL;
	}
	pci_init(a);
	in_pci = false;
	pacc = a;
	return pacc;
}

/* One lookup, NULL when the database has no name (PCI_LOOKUP_NO_NUMBERS)
 * or libpci failed. */
static const char *lookup(char *buf, size_t len, int flags, int a1, int a2)
{
	struct pci_access *a = names();
	const char *volatile r = NULL;

	if (!a || !len)
		return NULL;
	in_pci = true;
	if (!setjmp(pci_jmp))
		r = pci_lookup_name(a, buf, (int)len, flags | PCI_LOOKUP_NO_NUMBERS,
				    a1, a2);
	in_pci = false;
	return r && *r ? r : NULL;
}
#endif

const char *pp_pci_vendor_name(uint16_t vendor, char *buf, size_t len)
{
#ifdef PP_CLI_HAVE_LIBPCI
	return lookup(buf, len, PCI_LOOKUP_VENDOR, vendor, 0);
#else
	(void)vendor, (void)buf, (void)len;
	return NULL;
#endif
}

const char *pp_pci_device_name(uint16_t vendor, uint16_t device, char *buf,
			       size_t len)
{
#ifdef PP_CLI_HAVE_LIBPCI
	return lookup(buf, len, PCI_LOOKUP_DEVICE, vendor, device);
#else
	(void)vendor, (void)device, (void)buf, (void)len;
	return NULL;
#endif
}

const char *pp_pci_class_name(uint32_t class_code, char *buf, size_t len)
{
	const char *r = NULL;

#ifdef PP_CLI_HAVE_LIBPCI
	r = lookup(buf, len, PCI_LOOKUP_CLASS, (int)(class_code >> 8), 0);
#endif
	if (!r) {
		r = builtin_class(class_code);
		if (r && len) {
			snprintf(buf, len, "%s", r);
			r = buf;
		}
	}
	return r;
}

void pp_pcinames_cleanup(void)
{
#ifdef PP_CLI_HAVE_LIBPCI
	if (pacc) {
		in_pci = true;
		if (!setjmp(pci_jmp))
			pci_cleanup(pacc);
		in_pci = false;
	}
	pacc = NULL;
	tried = false;
#endif
}
