// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host-backend registry and the config-write rule every backend shares
 * (contract: hosts/include/pcipass/host.h, docs/host-interface.md).
 */
#include <string.h>

#include "pcipass/cfgfilter.h"
#include "pcipass/host.h"
#include "pcipass/host_testhooks.h"
#include "sim/sim.h"

#if defined(__APPLE__) || defined(PCIPASS_FAKE_IOKIT)
#define PP_HAVE_DEXT 1
#endif

#ifdef PP_HAVE_DEXT
/*
 * The Mac backend lives in hosts/dext/ (IOKit client of the pcipass dext)
 * and is built by its own rules on macOS.  It declares, in
 * hosts/dext/dext.h:
 *   struct pp_host *pp_host_dext_create(const char *args, int *status);
 */
#include "dext/dext.h"
#endif

#if defined(PCIPASS_FAKE_IOKIT) && !defined(__APPLE__)
/*
 * FOR TESTS ONLY.  Linux builds with PCIPASS_FAKE_IOKIT (the testbed's
 * QEMU, qemu/overlay/hw/pcipass/meson.build) have a "dext" backend too: the
 * real client, hosts/dext/dext.c, unchanged, talking to tests/fakeiokit,
 * which answers the IOKit calls in-process with the real dext core
 * (mac/dext/core) and the sim backend's devices behind it.  Nothing of it
 * touches a real device; it exists so that the guest tests can run the Mac
 * client's code path end to end (docs/mac.md, "What ran where").
 *
 * backend-args: the client's own options (hosts/dext/dext.h: wc=on|off),
 * plus two for the fake, as tests/unit/test_dext_backend.c sets them up:
 *   fake-slots=N    Thunderbolt roots, one sim slot each (1..4, default 1);
 *                   function F of root S is host=pcie-tbS:01:00.F (the
 *                   audio function has no service: the dext refuses it)
 *   fake-sim=OPTS   the sim options of every slot (docs/host-interface.md,
 *                   "The sim backend"); takes the REST of the string,
 *                   commas included, so it must come last
 * The fake is one per process: the first dext backend created starts it,
 * it stays up until QEMU exits, and every dext backend must give the same
 * fake-* options (PP_ERR_INVAL otherwise).  Called from QEMU's main thread
 * (device realize) only, like pp_host_create itself.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/fakeiokit/fakeiokit.h"

static char *fake_started;  /* the fake's options once it is up */

static struct pp_host *fake_dext_create(const char *args, int *status)
{
	char *buf = strdup(args ? args : ""), *client = NULL, *p, *end;
	const char *sim = NULL;
	unsigned long slots = 1;
	char fake[512];
	struct pp_host *h = NULL;
	size_t n = 0;

	if (buf)
		client = calloc(1, strlen(buf) + 1);
	if (!client) {
		*status = PP_ERR_NOMEM;
		goto out;
	}
	*status = PP_ERR_INVAL;
	for (p = buf; *p; p = end) {
		end = strchr(p, ',');
		if (!strncmp(p, "fake-sim=", 9)) {
			sim = p + 9;     /* the rest, commas included */
			break;
		}
		if (end)
			*end++ = '\0';
		else
			end = p + strlen(p);
		if (!strncmp(p, "fake-slots=", 11)) {
			char *e;

			slots = strtoul(p + 11, &e, 10);
			if (e == p + 11 || *e || !slots ||
			    slots > FAKEIOKIT_MAX_SLOTS)
				goto out;
		} else if (*p) {
			n += (size_t)sprintf(client + n, "%s%s", n ? "," : "",
					     p);
		}
	}
	if ((size_t)snprintf(fake, sizeof(fake), "slots=%lu sim=%s", slots,
			     sim ? sim : "") >= sizeof(fake))
		goto out;
	if (!fake_started) {
		struct fakeiokit_opts o = {
			.sim_args = sim && *sim ? sim : NULL,
			.slots = (unsigned int)slots,
		};
		char *copy = strdup(fake);

		if (!copy) {
			*status = PP_ERR_NOMEM;
			goto out;
		}
		/* A failed start (bad fake-sim= options) may leave part of
		 * the fake behind; QEMU then fails to start anyway
		 * (pcipass-pci is not hot-pluggable). */
		*status = fakeiokit_init(&o);
		if (*status != PP_OK) {
			free(copy);
			goto out;
		}
		fake_started = copy;
	} else if (strcmp(fake, fake_started)) {
		goto out;                /* one fake, one set of options */
	}
	h = pp_host_dext_create(n ? client : NULL, status);
out:
	free(client);
	free(buf);
	return h;
}
#define dext_create fake_dext_create

/*
 * The test hook behind QEMU's x-sim-unplug for backend=dext
 * (host_testhooks.h): host id "pcie-tbS:..." is fake Thunderbolt root S;
 * fakeiokit_unplug(S) does what a cable pull does on a Mac (the dext's
 * Stop, kIOMessageServiceIsTerminated to the client's interest
 * notifications; the client then raises PP_HOST_EV_GONE on its own).
 * The slot's DART (the sim's, behind the fake) is read around it.
 */
int pp_host_fake_dext_unplug(const char *id, struct pp_host_test_unplug *r)
{
	struct pp_host_test_unplug u = { 0 };
	struct pp_sim_inspect si;
	struct pp_host *sim;
	unsigned long slot;
	char *e;

	if (!fake_started)
		return PP_ERR_NOENT;
	if (!id || strncmp(id, "pcie-tb", 7) || id[7] < '0' || id[7] > '9')
		return PP_ERR_INVAL;
	slot = strtoul(id + 7, &e, 10);
	if (*e != ':' || slot >= FAKEIOKIT_MAX_SLOTS)
		return PP_ERR_INVAL;
	sim = fakeiokit_sim((unsigned int)slot);
	if (!sim)
		return PP_ERR_INVAL;     /* no such root in this fake */
	u.slot = (unsigned int)slot;
	if (pp_sim_inspect(sim, 0, &si) == PP_OK) {
		u.live_entries_before = si.dart.live_entries;
		u.live_bytes_before = si.dart.live_bytes;
	}
	fakeiokit_unplug(u.slot);
	if (pp_sim_inspect(sim, 0, &si) == PP_OK) {
		u.live_entries_after = si.dart.live_entries;
		u.live_bytes_after = si.dart.live_bytes;
	}
	if (r)
		*r = u;
	return PP_OK;
}
#else
#define dext_create pp_host_dext_create

/* No fake IOKit in this build (a real dext cannot be unplugged from here). */
int pp_host_fake_dext_unplug(const char *id, struct pp_host_test_unplug *r)
{
	(void)id;
	(void)r;
	return PP_ERR_NOENT;
}
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
#ifdef PP_HAVE_DEXT
	if (!strcmp(name, "dext"))
		return dext_create(args, status);
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
