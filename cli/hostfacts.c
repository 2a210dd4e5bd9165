// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: facts about this machine.  On a Mac: macOS version
 * (kern.osproductversion), performance cores (hw.perflevel0.physicalcpu),
 * memory (hw.memsize) and Hypervisor.framework's maximum IPA size.  The
 * macOS half has never run (docs/mac.md); it is compiled by the darwin
 * check.  Elsewhere: sysconf and /proc.
 */
#include "hostdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __APPLE__
#include <Hypervisor/Hypervisor.h>
#include <sys/sysctl.h>

int pp_host_facts_get(struct pp_host_facts *f)
{
	char ver[32] = "";
	size_t len = sizeof(ver);
	int32_t pcores = 0;
	uint64_t mem = 0;
	uint32_t ipa = 0;

	memset(f, 0, sizeof(*f));
	f->kind = PP_HOST_KIND_MAC;
	if (!sysctlbyname("kern.osproductversion", ver, &len, NULL, 0))
		sscanf(ver, "%u.%u", &f->os_major, &f->os_minor);
	len = sizeof(pcores);
	if (sysctlbyname("hw.perflevel0.physicalcpu", &pcores, &len, NULL, 0) || pcores < 1)
		pcores = (int32_t)sysconf(_SC_NPROCESSORS_ONLN);
	f->ncpu = pcores > 0 ? (unsigned int)pcores : 1;
	len = sizeof(mem);
	if (!sysctlbyname("hw.memsize", &mem, &len, NULL, 0))
		f->mem_bytes = mem;
	if (__builtin_available(macOS 13.0, *)) {
		if (hv_vm_config_get_max_ipa_size(&ipa) == HV_SUCCESS)
			f->max_ipa_bits = ipa;
	}
	if (!f->max_ipa_bits)
		f->max_ipa_bits = 36;	/* the oldest Apple silicon's */
	return 0;
}
#else
int pp_host_facts_get(struct pp_host_facts *f)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	memset(f, 0, sizeof(*f));
	f->kind = PP_HOST_KIND_LINUX;
	f->ncpu = n > 0 ? (unsigned int)n : 1;
	if (pages > 0 && psz > 0)
		f->mem_bytes = (uint64_t)pages * (uint64_t)psz;
	f->max_ipa_bits = 0;	/* TCG: -cpu max has 48+ bits */
	return 0;
}
#endif
