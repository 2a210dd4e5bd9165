// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass launcher: struct pp_vm -> QEMU argv.  A pure function: the same
 * description gives the same command line on any machine, which is what
 * tests/unit/test_cli_cmdline.c holds it to (golden files for a Mac and a
 * Linux host).
 *
 * The shape (docs/cli.md, "The command line"):
 *   machine   virt, GICv3, highmem (the 64-bit PCIe window for large BARs)
 *   accel     Mac: hvf with tso and vcpu-priority, -cpu host
 *             Linux: tcg, -cpu max
 *   memory    Mac: an anonymous RAM backend, preallocated: the dext wires
 *             guest RAM as QEMU allocated it (never a copy-on-write copy,
 *             docs/mac-client.md); Linux: plain -m
 *   boot      the image's kernel and initramfs, root on a per-VM overlay
 *   devices   per slot a root port, its functions as pcipass-pci at
 *             addr 0.F, and the slot's pcipass-dma companion
 *   disks, user network with loopback forwards, virtio-rng, serial on the
 *   terminal or in a log, a QMP socket, a pidfile, then raw args.
 */
#include "vm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GiB ((uint64_t)1 << 30)
#define MiB ((uint64_t)1 << 20)

/* virt's 32-bit PCIe MMIO window (0x10000000 + 0x2eff0000): about 752 MiB,
 * whose largest naturally aligned block is 256 MiB.  Anything beyond needs
 * the high window at [512 GiB, 1 TiB), i.e. a 40-bit IPA space
 * (docs/mac-hvf-patches.md, patch 0015). */
#define LOW_WINDOW_BYTES  0x2eff0000ull
#define LOW_WINDOW_BLOCK  (256 * MiB)
#define HIGH_WINDOW_BITS  40
#define RAM_BASE          GiB

void pp_vm_func_qid(unsigned int s, unsigned int f, char *buf, size_t len)
{
	snprintf(buf, len, "pp%uf%u", s, f);
}

void pp_vm_dma_qid(unsigned int s, char *buf, size_t len)
{
	snprintf(buf, len, "pp%udma", s);
}

unsigned int pp_vm_default_cpus(const struct pp_host_facts *h)
{
	unsigned int n = h->ncpu ? h->ncpu : 1;

	/* Mac: the performance cores (vCPU threads run user-interactive and
	 * would otherwise spill to efficiency cores).  TCG: at most 4, each
	 * vCPU is a host thread busy all the time. */
	if (h->kind == PP_HOST_KIND_MAC)
		return n;
	return n < 4 ? n : 4;
}

uint64_t pp_vm_default_mem(const struct pp_host_facts *h)
{
	uint64_t m;

	if (h->kind == PP_HOST_KIND_MAC) {
		/* Half the Mac, in whole GiB: the RAM is preallocated and wired
		 * while DMA uses it, so macOS must keep the other half. */
		m = (h->mem_bytes / 2) & ~(GiB - 1);
		if (m < 2 * GiB)
			m = 2 * GiB;
		return m;
	}
	/* TCG: an eighth of the host, between 1 and 4 GiB, in 512 MiB steps. */
	m = (h->mem_bytes / 8) & ~(512 * MiB - 1);
	if (m < GiB)
		m = GiB;
	if (m > 4 * GiB)
		m = 4 * GiB;
	return m;
}

static unsigned int bits_for(uint64_t top)
{
	unsigned int b = 32;

	while (b < 64 && (1ull << b) < top)
		b++;
	return b;
}

unsigned int pp_vm_ipa_bits(const struct pp_vm *vm, char *why, size_t whylen)
{
	uint64_t total = 0, largest = 0;
	const char *lid = NULL;
	unsigned int lbar = 0;

	for (unsigned int s = 0; s < vm->nslots; s++) {
		const struct pp_vm_slot *sl = &vm->slots[s];

		for (unsigned int f = 0; f < sl->nfuncs; f++) {
			for (unsigned int b = 0; b < 6; b++) {
				uint64_t sz = sl->funcs[f].bar_size[b];

				total += sz;
				if (sz > largest) {
					largest = sz;
					lid = sl->funcs[f].id;
					lbar = b;
				}
			}
		}
	}
	char a[32], c[32];

	if (largest > LOW_WINDOW_BLOCK) {
		snprintf(why, whylen, "BAR %u of %s is %s, more than the %s a BAR "
			 "can get in the 32-bit PCIe window: the 64-bit window "
			 "at 512 GiB is needed", lbar, lid, fmt_size(largest, a),
			 fmt_size(LOW_WINDOW_BLOCK, c));
		return HIGH_WINDOW_BITS;
	}
	if (total > LOW_WINDOW_BYTES) {
		snprintf(why, whylen, "the BARs add up to %s, more than the 32-bit "
			 "PCIe window's %s: the 64-bit window at 512 GiB is needed",
			 fmt_size(total, a), fmt_size(LOW_WINDOW_BYTES, c));
		return HIGH_WINDOW_BITS;
	}
	unsigned int b = bits_for(RAM_BASE + vm->mem_bytes);

	snprintf(why, whylen, "RAM ends at %s", fmt_size(RAM_BASE + vm->mem_bytes, a));
	return b;
}

/* QEMU option values: a comma is written twice. */
static const char *qesc(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 2 < len; s++) {
		if (*s == ',')
			buf[o++] = ',';
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return buf;
}

static void size_arg(uint64_t b, char *buf, size_t len)
{
	if (b % GiB == 0)
		snprintf(buf, len, "%" PRIu64 "G", b / GiB);
	else
		snprintf(buf, len, "%" PRIu64 "M", b / MiB);
}

static int fail(char *err, size_t errlen, const char *fmt, const char *a,
		const char *b)
{
	snprintf(err, errlen, fmt, a, b);
	return -EINVAL;
}

bool pp_parse_forward(const char *s, struct pp_vm_forward *f)
{
	char buf[128], *last, *mid;
	unsigned long hp, gp;

	if (!s || strlen(s) >= sizeof(buf))
		return false;
	memset(f, 0, sizeof(*f));
	strcpy(buf, s);
	last = strrchr(buf, ':');
	if (!last)
		return false;
	*last = '\0';
	if (!parse_uint(last + 1, 65535, &gp) || !gp)
		return false;
	mid = strrchr(buf, ':');
	if (mid) {
		*mid = '\0';
		if (!parse_uint(mid + 1, 65535, &hp) || !hp)
			return false;
		/* [v6]:port or a.b.c.d:port; empty address is refused: binding
		 * every interface must be named ("0.0.0.0"). */
		char *addr = buf;
		size_t n = strlen(addr);

		if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
			addr[n - 1] = '\0';
			addr++;
		}
		if (!*addr || strlen(addr) >= sizeof(f->addr) ||
		    strpbrk(addr, ",= "))
			return false;
		strcpy(f->addr, addr);
	} else {
		if (!parse_uint(buf, 65535, &hp) || !hp)
			return false;
		strcpy(f->addr, "127.0.0.1");
	}
	f->host_port = (unsigned int)hp;
	f->guest_port = (unsigned int)gp;
	return true;
}

bool pp_forward_is_loopback(const struct pp_vm_forward *f)
{
	return !strncmp(f->addr, "127.", 4) || !strcmp(f->addr, "::1") ||
	       !strcmp(f->addr, "localhost");
}

int pp_vm_cmdline(const struct pp_vm *vm, struct strvec *out,
		  struct strvec *notes, char *err, size_t errlen)
{
	const bool mac = vm->host.kind == PP_HOST_KIND_MAC;
	char e1[4200], e2[4200], sz[32], why[256];
	unsigned int ipa;

	if (!vm->qemu || !vm->kernel || !vm->initrd || !vm->root_disk ||
	    !vm->root_arg || !vm->qmp_socket)
		return fail(err, errlen, "incomplete VM description%s%s", "", "");
	if (!vm->cpus || vm->cpus > 512)
		return fail(err, errlen, "--cpus must be 1..512%s%s", "", "");
	if (vm->mem_bytes < 256 * MiB || vm->mem_bytes % MiB)
		return fail(err, errlen, "--memory must be at least 256M and a "
			    "whole number of MiB%s%s", "", "");
	if (vm->host.mem_bytes && vm->mem_bytes > vm->host.mem_bytes) {
		char a[32], b[32];

		snprintf(err, errlen, "--memory %s is more than this host has (%s)",
			 fmt_size(vm->mem_bytes, a), fmt_size(vm->host.mem_bytes, b));
		return -EINVAL;
	}
	if (mac && vm->host.mem_bytes && vm->mem_bytes + 4 * GiB > vm->host.mem_bytes) {
		char a[32], b[32];

		snprintf(err, errlen, "--memory %s would leave macOS less than 4 GiB of "
			 "this Mac's %s (guest RAM is preallocated and wired)",
			 fmt_size(vm->mem_bytes, a), fmt_size(vm->host.mem_bytes, b));
		return -EINVAL;
	}
	if (vm->tso && !mac)
		return fail(err, errlen, "TSO is a Mac (Hypervisor.framework) feature; "
			    "TCG has none%s%s", "", "");
	if (vm->tso && vm->host.os_major < 15)
		return fail(err, errlen, "TSO needs macOS 15 or later (EnTSO through "
			    "ACTLR_EL1); run with --no-tso on this Mac%s%s", "", "");
	for (unsigned int s = 0; s < vm->nslots; s++)
		if (!vm->slots[s].nfuncs || vm->slots[s].nfuncs > PP_VM_MAX_FUNCS)
			return fail(err, errlen, "slot without functions%s%s", "", "");

	ipa = pp_vm_ipa_bits(vm, why, sizeof(why));
	if (mac && vm->host.max_ipa_bits && ipa > vm->host.max_ipa_bits) {
		snprintf(err, errlen, "this VM needs a %u-bit guest physical address "
			 "space (%s); this Mac's Hypervisor.framework supports %u bits "
			 "(hv_vm_config_get_max_ipa_size). Pass fewer or smaller devices, "
			 "or use a Mac with a %u-bit IPA (M3 or later)",
			 ipa, why, vm->host.max_ipa_bits, ipa);
		return -EINVAL;
	}
	if (mac)
		sv_pushf(notes, "# IPA: %u bits needed (%s); this Mac supports %u",
			 ipa, why, vm->host.max_ipa_bits);

	sv_push(out, vm->qemu);
	sv_push(out, "-name");
	sv_pushf(out, "%s,process=pcipass-%s", vm->name, vm->name);
	sv_push(out, "-nodefaults");
	sv_push(out, "-no-user-config");

	/* machine, accelerator, CPUs, memory */
	size_arg(vm->mem_bytes, sz, sizeof(sz));
	sv_push(out, "-machine");
	sv_pushf(out, "virt,gic-version=3,highmem=on%s", mac ? ",memory-backend=ram0" : "");
	sv_push(out, "-accel");
	if (mac) {
		sv_pushf(out, "hvf,tso=%s,vcpu-priority=%s", vm->tso ? "on" : "off",
			 vm->vcpu_priority ? vm->vcpu_priority : "interactive");
		sv_push(out, "-cpu");
		sv_push(out, "host");
	} else {
		sv_push(out, "tcg");
		sv_push(out, "-cpu");
		sv_push(out, "max");
	}
	sv_push(out, "-smp");
	sv_pushf(out, "%u", vm->cpus);
	sv_push(out, "-m");
	sv_push(out, sz);
	if (mac) {
		sv_push(out, "-object");
		sv_pushf(out, "memory-backend-ram,id=ram0,size=%s,prealloc=on", sz);
	}

	/* boot: the image's kernel, root on the VM's overlay */
	sv_push(out, "-kernel");
	sv_push(out, vm->kernel);
	sv_push(out, "-initrd");
	sv_push(out, vm->initrd);
	sv_push(out, "-append");
	sv_pushf(out, "root=%s rw console=ttyAMA0%s%s", vm->root_arg,
		 vm->append_extra ? " " : "", vm->append_extra ? vm->append_extra : "");
	sv_push(out, "-drive");
	sv_pushf(out, "file=%s,if=none,id=root,format=qcow2,discard=unmap",
		 qesc(vm->root_disk, e1, sizeof(e1)));
	sv_push(out, "-device");
	sv_push(out, "virtio-blk-pci,drive=root");
	for (unsigned int i = 0; i < vm->ndisks; i++) {
		const struct pp_vm_disk *d = &vm->disks[i];

		sv_push(out, "-drive");
		sv_pushf(out, "file=%s,if=none,id=disk%u,format=%s%s",
			 qesc(d->path, e1, sizeof(e1)), i, d->qcow2 ? "qcow2" : "raw",
			 d->readonly ? ",readonly=on" : "");
		sv_push(out, "-device");
		sv_pushf(out, "virtio-blk-pci,drive=disk%u", i);
	}

	/* passthrough: a root port per slot, its functions, their DMA mapper */
	for (unsigned int s = 0; s < vm->nslots; s++) {
		const struct pp_vm_slot *sl = &vm->slots[s];
		char q[32];

		sv_push(out, "-device");
		sv_pushf(out, "pcie-root-port,id=pp%urp,chassis=%u", s, s + 1);
		for (unsigned int f = 0; f < sl->nfuncs; f++) {
			pp_vm_func_qid(s, f, q, sizeof(q));
			snprintf(e2, sizeof(e2), "%s", sl->backend_args);
			sv_push(out, "-device");
			sv_pushf(out, "pcipass-pci,id=%s,backend=%s,host=%s%s%s,bus=pp%urp,"
				 "addr=0.%u%s%s", q, sl->backend,
				 qesc(sl->funcs[f].id, e1, sizeof(e1)),
				 *sl->backend_args ? ",backend-args=" : "",
				 *sl->backend_args ? qesc(sl->backend_args, e2, sizeof(e2)) : "",
				 s, f, f == 0 && sl->nfuncs > 1 ? ",multifunction=on" : "",
				 /* the dext reports no ROM: keep QEMU from
				  * exposing an empty one */
				 !strcmp(sl->backend, "dext") ? ",rombar=0" : "");
		}
		pp_vm_func_qid(s, 0, q, sizeof(q));
		sv_push(out, "-device");
		sv_pushf(out, "pcipass-dma,id=pp%udma,target=%s", s, q);
	}

	/* network: user mode, forwards bound where the user said (loopback
	 * by default), then entropy */
	if (vm->nforwards) {
		char *net = xasprintf("user,id=net0");

		for (unsigned int i = 0; i < vm->nforwards; i++) {
			const struct pp_vm_forward *f = &vm->forwards[i];
			char *n2 = xasprintf("%s,hostfwd=tcp:%s%s%s:%u-:%u", net,
					     strchr(f->addr, ':') ? "[" : "", f->addr,
					     strchr(f->addr, ':') ? "]" : "",
					     f->host_port, f->guest_port);

			free(net);
			net = n2;
			if (!pp_forward_is_loopback(f))
				sv_pushf(notes, "# warning: port %u is reachable from other "
					 "machines (bound to %s, not loopback)",
					 f->host_port, f->addr);
		}
		sv_push(out, "-netdev");
		sv_push(out, net);
		free(net);
	} else {
		sv_push(out, "-netdev");
		sv_push(out, "user,id=net0");
	}
	sv_push(out, "-device");
	/* no option ROM: the kernel boots directly, no firmware netboot */
	sv_push(out, "virtio-net-pci,netdev=net0,romfile=");
	sv_push(out, "-device");
	sv_push(out, "virtio-rng-pci");

	/* console, control */
	sv_push(out, "-display");
	sv_push(out, "none");
	sv_push(out, "-serial");
	if (vm->serial_log)
		sv_pushf(out, "file:%s", vm->serial_log);
	else
		sv_push(out, "mon:stdio");
	sv_push(out, "-qmp");
	sv_pushf(out, "unix:%s,server=on,wait=off", qesc(vm->qmp_socket, e1, sizeof(e1)));
	if (vm->pidfile) {
		sv_push(out, "-pidfile");
		sv_push(out, vm->pidfile);
	}
	for (int i = 0; i < vm->nextra; i++)
		sv_push(out, vm->extra[i]);
	return 0;
}
