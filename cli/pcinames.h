/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: names for PCI vendor, device and class ids, for
 * `pcipass devices`.  From libpci's pci.ids when built with it
 * (PP_CLI_HAVE_LIBPCI), else a small built-in class table and raw ids (a Mac
 * without pciutils).  Unknown ids give NULL, never "Unknown vendor 7070":
 * the caller prints the raw ids it always shows anyway.
 */
#ifndef PCIPASS_CLI_PCINAMES_H
#define PCIPASS_CLI_PCINAMES_H

#include <stddef.h>
#include <stdint.h>

/* The vendor's name, or NULL if the database does not know it. */
const char *pp_pci_vendor_name(uint16_t vendor, char *buf, size_t len);
/* The device's name (without the vendor), or NULL. */
const char *pp_pci_device_name(uint16_t vendor, uint16_t device, char *buf,
			       size_t len);
/* class_code is the 24-bit base/sub/prog-if code.  The subclass's name,
 * else the base class's, from the database or the built-in table; NULL
 * only for a class nobody knows. */
const char *pp_pci_class_name(uint32_t class_code, char *buf, size_t len);
/* Releases libpci's database (harmless when never loaded). */
void pp_pcinames_cleanup(void);

#endif
