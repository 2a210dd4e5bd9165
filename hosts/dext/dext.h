/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "dext" host backend: the IOKit client of the pcipass PCIDriverKit
 * extension (macOS only; built off the Mac only against the test fake in
 * tests/fakeiokit).  docs/mac-client.md says how each host.h call becomes
 * user-client selectors (mac/include/pcipass/dext_abi.h) and IOKit calls.
 */
#ifndef PCIPASS_HOSTS_DEXT_H
#define PCIPASS_HOSTS_DEXT_H

#include "pcipass/host.h"

/*
 * args: NULL, "" or a comma-separated list of
 *   wc=on|off   map prefetchable BARs write-combining (default on; off maps
 *               every BAR with the default, device, cache mode)
 * NULL with *status PP_ERR_INVAL (bad args) or PP_ERR_NOMEM/PP_ERR_HOST.
 */
struct pp_host *pp_host_dext_create(const char *args, int *status);

#endif
