/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config-space write filter every host backend applies (the pcipass
 * dext on a Mac, the sim here): which bytes of a guest's config write may
 * reach the physical function.
 *
 * The host owns, and never writes on the guest's behalf:
 *   0x06-0x07  STATUS: its error bits are write-1-to-clear and belong to the
 *              host's error handling;
 *   0x10-0x27  the six BARs: macOS assigned the addresses and programmed the
 *              bridges' decoders, a guest value would make the function
 *              vanish from the host's view (QEMU emulates the guest's BARs);
 *   0x30-0x33  the expansion ROM BAR, for the same reason.
 * COMMAND (0x04-0x05) is forwarded: the guest controls memory decoding and
 * bus mastering.  Everything else is forwarded too (a backend may protect
 * more, e.g. the dext's interrupt capabilities: see docs/mac-dext.md).
 *
 * Freestanding (types.h only), so every layer can share it.
 */
#ifndef PCIPASS_CFGFILTER_H
#define PCIPASS_CFGFILTER_H

#include "types.h"

#define PP_CFG_SPACE_SIZE 4096u   /* PCIe extended config space */

/*
 * The byte mask of the write [off, off + size) that may reach the device:
 * bit i set = byte off + i may be written.  size is 1, 2 or 4 and off is a
 * multiple of size inside the config space; anything else returns 0
 * (nothing may be written).
 */
unsigned int pp_cfg_write_mask(uint32_t off, unsigned int size);

/* Whether the host owns config byte off (any off >= 4096 counts as owned). */
bool pp_cfg_host_owned(uint32_t off);

#endif
