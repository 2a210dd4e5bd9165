// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host-backend registry and the config-write rule every backend shares
 * (contract: hosts/include/pcipass/host.h, docs/host-interface.md).
 */
#include <string.h>

#include "pcipass/cfgfilter.h"
#include "pcipass/host.h"
#include "sim/sim.h"

#ifdef __APPLE__
/*
 * The Mac backend lives in hosts/dext/ (IOKit client of the pcipass dext)
 * and is built by its own rules on macOS only.  It must declare, in
 * hosts/dext/dext.h:
 *   struct pp_host *pp_host_dext_create(const char *args, int *status);
 */
#include "dext/dext.h"
#endif

struct pp_host *pp_host_create(const char *name, const char *args,
			       int *status)
{
	int dummy;

	if (!status)
		status = &dummy;
	if (!name) {
		*status = PP_ERR_INVAL;
		return NULL;
	}
	if (!strcmp(name, "sim"))
		return pp_host_sim_create(args, status);
#ifdef __APPLE__
	if (!strcmp(name, "dext"))
		return pp_host_dext_create(args, status);
#endif
	*status = PP_ERR_NOENT;          /* no such backend on this host */
	return NULL;
}

/*
 * The rule itself lives in the freestanding core (core/src/cfgfilter.c) so
 * that the dext applies exactly the same one: STATUS, the BARs and the ROM
 * BAR are the host's; COMMAND and everything else is forwarded.
 */
PP_STATIC_ASSERT(PP_HOST_CFG_SIZE == PP_CFG_SPACE_SIZE, "one config size");

unsigned int pp_host_cfg_write_mask(uint32_t off, unsigned int size)
{
	return pp_cfg_write_mask(off, size);
}
