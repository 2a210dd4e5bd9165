// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The config-space write filter (contract: core/include/pcipass/cfgfilter.h).
 * Freestanding: no libc.
 */
#include "pcipass/cfgfilter.h"

bool pp_cfg_host_owned(uint32_t off)
{
	return off >= PP_CFG_SPACE_SIZE ||
	       (off >= 0x06 && off <= 0x07) ||   /* STATUS */
	       (off >= 0x10 && off <= 0x27) ||   /* BAR0-BAR5 */
	       (off >= 0x30 && off <= 0x33);     /* expansion ROM BAR */
}

unsigned int pp_cfg_write_mask(uint32_t off, unsigned int size)
{
	unsigned int mask = 0;

	if ((size != 1 && size != 2 && size != 4) || off % size ||
	    off >= PP_CFG_SPACE_SIZE || PP_CFG_SPACE_SIZE - off < size)
		return 0;
	for (unsigned int i = 0; i < size; i++)
		if (!pp_cfg_host_owned(off + i))
			mask |= 1u << i;
	return mask;
}
