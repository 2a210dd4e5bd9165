/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcipass launcher: a VM description, and the pure function that turns it
 * into a QEMU command line (cmdline.c).  Nothing here touches the system:
 * run.c gathers the facts (host, devices, image, free ports) into a
 * struct pp_vm; tests build one by hand for a Mac and for Linux.
 */
#ifndef PCIPASS_CLI_VM_H
#define PCIPASS_CLI_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

#define PP_VM_MAX_SLOTS     8
#define PP_VM_MAX_FUNCS     8
#define PP_VM_MAX_DISKS     8
#define PP_VM_MAX_FORWARDS  16

enum pp_host_kind {
	PP_HOST_KIND_LINUX,   /* TCG, the simulated Mac host ("sim" backend) */
	PP_HOST_KIND_MAC,     /* Hypervisor.framework, the dext ("dext") */
};

/* What run.c learns about the machine it runs on (hostfacts.c). */
struct pp_host_facts {
	enum pp_host_kind kind;
	unsigned int os_major, os_minor; /* macOS version; 0 on Linux */
	unsigned int ncpu;               /* online CPUs (performance cores on a Mac) */
	uint64_t mem_bytes;              /* physical memory */
	unsigned int max_ipa_bits;       /* Hypervisor.framework's maximum; 0 = no limit (TCG) */
};

/* One passed-through PCI function, from the host backend. */
struct pp_vm_func {
	char id[64];          /* backend id, e.g. "sim0:01:00.0" */
	unsigned int fn;      /* function number inside the slot */
	uint32_t class_code;
	uint64_t bar_size[6];
	bool bar_mem64[6];
};

/* One slot (device): its functions share a DART and go to one root port. */
struct pp_vm_slot {
	char backend[16];     /* "sim" or "dext" */
	char backend_args[128];
	unsigned int nfuncs;
	struct pp_vm_func funcs[PP_VM_MAX_FUNCS];
};

struct pp_vm_disk {
	char path[4096];
	bool readonly;
	bool qcow2;           /* else raw */
};

struct pp_vm_forward {
	char addr[64];        /* host address to bind: "127.0.0.1" unless named */
	unsigned int host_port, guest_port;
};

struct pp_vm {
	const char *name;
	const char *qemu;                 /* the binary (argv[0]) */
	struct pp_host_facts host;

	unsigned int cpus;
	uint64_t mem_bytes;
	bool tso;                         /* Mac: -accel hvf,tso=on (macOS 15+) */
	const char *vcpu_priority;        /* Mac: "interactive", "rr", "default" */

	/* Image: direct kernel boot of the image's kernel, root on an overlay. */
	const char *kernel, *initrd, *root_disk, *root_arg;
	const char *append_extra;         /* more kernel arguments, or NULL */

	unsigned int nslots;
	struct pp_vm_slot slots[PP_VM_MAX_SLOTS];
	unsigned int ndisks;
	struct pp_vm_disk disks[PP_VM_MAX_DISKS];
	unsigned int nforwards;           /* forwards[0] is the SSH forward */
	struct pp_vm_forward forwards[PP_VM_MAX_FORWARDS];

	const char *qmp_socket;
	const char *serial_log;           /* NULL = serial on the terminal */
	const char *pidfile;
	int nextra;                       /* raw QEMU args after `--` */
	char **extra;
};

/* Smallest IPA (guest physical address) width this VM needs, and why. */
unsigned int pp_vm_ipa_bits(const struct pp_vm *vm, char *why, size_t whylen);

/*
 * Builds QEMU's argv into *out (argv[0] = vm->qemu) and one line per
 * decision worth telling the user into *notes ("# ..." lines: defaults
 * taken, warnings).  0, or -EINVAL with *err set to a message (a VM this
 * host cannot run: a BAR beyond the IPA space, too many slots, ...).
 */
int pp_vm_cmdline(const struct pp_vm *vm, struct strvec *out,
		  struct strvec *notes, char *err, size_t errlen);

/* Defaults derived from the host: see cmdline.c for the reasoning. */
unsigned int pp_vm_default_cpus(const struct pp_host_facts *h);
uint64_t pp_vm_default_mem(const struct pp_host_facts *h);

/* QEMU ids of the devices of slot s, function f (status.c reads them back). */
void pp_vm_func_qid(unsigned int s, unsigned int f, char *buf, size_t len);
void pp_vm_dma_qid(unsigned int s, char *buf, size_t len);

/* "[ADDR:]HOSTPORT:GUESTPORT" */
bool pp_parse_forward(const char *s, struct pp_vm_forward *f);
bool pp_forward_is_loopback(const struct pp_vm_forward *f);

#endif
