// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The launcher's QEMU command line, for a Mac and for a Linux host, held
 * to golden files (tests/cli/golden/NAME.txt: the notes, then one argument
 * per line).  PP_GOLDEN_UPDATE=1 rewrites them; review the diff.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../cli/vm.h"

#define GiB ((uint64_t)1 << 30)
#define MiB ((uint64_t)1 << 20)

static void add_func(struct pp_vm_slot *s, const char *id, uint32_t cls,
		     uint64_t bar0, uint64_t bar1, uint64_t bar3)
{
	struct pp_vm_func *f = &s->funcs[s->nfuncs];

	snprintf(f->id, sizeof(f->id), "%s", id);
	f->fn = s->nfuncs++;
	f->class_code = cls;
	f->bar_size[0] = bar0;
	f->bar_size[1] = bar1;
	f->bar_mem64[1] = bar1 != 0;
	f->bar_size[3] = bar3;
	f->bar_mem64[3] = bar3 != 0;
}

/* An M4 Pro Mac (macOS 15.4, 10 performance cores, 48 GiB, 42-bit IPA)
 * with an RTX 5090 over Thunderbolt: GPU + HDMI audio in one slot. */
static void mac_vm(struct pp_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->name = "default";
	vm->qemu = "/opt/pcipass/bin/qemu-system-aarch64";
	vm->host = (struct pp_host_facts){ .kind = PP_HOST_KIND_MAC, .os_major = 15,
					   .os_minor = 4, .ncpu = 10,
					   .mem_bytes = 48 * GiB, .max_ipa_bits = 42 };
	vm->cpus = pp_vm_default_cpus(&vm->host);
	vm->mem_bytes = pp_vm_default_mem(&vm->host);
	vm->tso = true;
	vm->vcpu_priority = "interactive";
	vm->kernel = "/Users/me/Library/Application Support/pcipass/images/default/vmlinuz";
	vm->initrd = "/Users/me/Library/Application Support/pcipass/images/default/initrd.img";
	vm->root_disk = "/Users/me/Library/Application Support/pcipass/vms/default/disk.qcow2";
	vm->root_arg = "LABEL=pcipass-root";
	vm->nslots = 1;
	strcpy(vm->slots[0].backend, "dext");
	add_func(&vm->slots[0], "pcic2-bridge:05:00.0", 0x030000, 64 * MiB, 32 * GiB, 32 * MiB);
	add_func(&vm->slots[0], "pcic2-bridge:05:00.1", 0x040300, 16 * 1024, 0, 0);
	vm->nforwards = 1;
	vm->forwards[0] = (struct pp_vm_forward){ "127.0.0.1", 2222, 22 };
	vm->qmp_socket = "/Users/me/Library/Application Support/pcipass/vms/default/qmp.sock";
	vm->serial_log = NULL;
	vm->pidfile = "/Users/me/Library/Application Support/pcipass/vms/default/qemu.pid";
}

/* This machine's kind: Linux, TCG, the simulated Mac host's eGPU. */
static void linux_vm(struct pp_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->name = "dev";
	vm->qemu = "/home/me/pcipass/build/testbed/qemu-system-aarch64";
	vm->host = (struct pp_host_facts){ .kind = PP_HOST_KIND_LINUX, .ncpu = 2,
					   .mem_bytes = 24 * GiB };
	vm->cpus = pp_vm_default_cpus(&vm->host);
	vm->mem_bytes = pp_vm_default_mem(&vm->host);
	vm->kernel = "/home/me/.local/state/pcipass/images/default/vmlinuz";
	vm->initrd = "/home/me/.local/state/pcipass/images/default/initrd.img";
	vm->root_disk = "/home/me/.local/state/pcipass/vms/dev/disk.qcow2";
	vm->root_arg = "LABEL=pcipass-root";
	vm->nslots = 1;
	strcpy(vm->slots[0].backend, "sim");
	add_func(&vm->slots[0], "sim0:01:00.0", 0x030000, 64 * 1024, 256 * MiB, 0);
	add_func(&vm->slots[0], "sim0:01:00.1", 0x040300, 16 * 1024, 0, 0);
	vm->nforwards = 2;
	vm->forwards[0] = (struct pp_vm_forward){ "127.0.0.1", 2222, 22 };
	vm->forwards[1] = (struct pp_vm_forward){ "127.0.0.1", 8000, 8000 };
	vm->ndisks = 1;
	vm->disks[0] = (struct pp_vm_disk){ "/data/models, 2026.img", true, false };
	vm->qmp_socket = "/home/me/.local/state/pcipass/vms/dev/qmp.sock";
	vm->serial_log = "/home/me/.local/state/pcipass/vms/dev/serial.log";
	vm->pidfile = "/home/me/.local/state/pcipass/vms/dev/qemu.pid";
}

static char *render(const struct pp_vm *vm, int *rc)
{
	struct strvec argv = { 0 }, notes = { 0 };
	char err[1024] = "";
	size_t len = 1;
	char *out;

	*rc = pp_vm_cmdline(vm, &argv, &notes, err, sizeof(err));
	if (*rc) {
		out = xasprintf("error: %s\n", err);
	} else {
		for (size_t i = 0; i < notes.n; i++)
			len += strlen(notes.v[i]) + 1;
		for (size_t i = 0; i < argv.n; i++)
			len += strlen(argv.v[i]) + 1;
		out = xcalloc(1, len);
		for (size_t i = 0; i < notes.n; i++)
			strcat(strcat(out, notes.v[i]), "\n");
		for (size_t i = 0; i < argv.n; i++)
			strcat(strcat(out, argv.v[i]), "\n");
	}
	sv_free(&argv);
	sv_free(&notes);
	return out;
}

static void golden(const char *name, const struct pp_vm *vm, int want_rc)
{
	char path[256];
	int rc;
	char *got = render(vm, &rc), *want;

	snprintf(path, sizeof(path), "tests/cli/golden/%s.txt", name);
	if (getenv("PP_GOLDEN_UPDATE")) {
		assert_int_equal(write_file_atomic(path, got, strlen(got), 0644), 0);
		print_message("updated %s\n", path);
	}
	want = read_file(path, NULL);
	if (!want)
		fail_msg("missing %s (PP_GOLDEN_UPDATE=1 writes it)", path);
	if (strcmp(got, want))
		print_message("--- %s\n+++ got\n%s", path, got);
	assert_string_equal(got, want);
	assert_int_equal(rc, want_rc);
	free(got);
	free(want);
}

static void test_mac_rtx5090(void **state)
{
	struct pp_vm vm;

	(void)state;
	mac_vm(&vm);
	golden("mac-rtx5090", &vm, 0);
	/* the facts behind it, stated once more outside the golden file */
	char why[256];

	assert_int_equal(pp_vm_ipa_bits(&vm, why, sizeof(why)), 40);
	assert_int_equal(vm.cpus, 10);
	assert_true(vm.mem_bytes == 24 * GiB);
}

static void test_mac_36bit_refuses_large_bar(void **state)
{
	struct pp_vm vm;

	(void)state;
	mac_vm(&vm);
	vm.host.max_ipa_bits = 36;	/* M1/M2 */
	golden("mac-m1-36bit", &vm, -EINVAL);
}

static void test_mac_36bit_small_device_fits(void **state)
{
	struct pp_vm vm;
	char why[256];

	(void)state;
	mac_vm(&vm);
	vm.host.max_ipa_bits = 36;
	vm.slots[0].funcs[0].bar_size[1] = 256 * MiB;	/* a small NIC-sized BAR */
	vm.slots[0].funcs[0].bar_size[3] = 0;
	vm.slots[0].nfuncs = 1;
	assert_int_equal(pp_vm_ipa_bits(&vm, why, sizeof(why)), 35);
	golden("mac-m1-small", &vm, 0);
}

static void test_mac14_tso_refused(void **state)
{
	struct pp_vm vm;

	(void)state;
	mac_vm(&vm);
	vm.host.os_major = 14;
	golden("mac-14-tso", &vm, -EINVAL);
	vm.tso = false;
	vm.vcpu_priority = "rr";
	golden("mac-14-notso", &vm, 0);
}

static void test_mac_memory_bounds(void **state)
{
	struct pp_vm vm;

	(void)state;
	mac_vm(&vm);
	vm.mem_bytes = 46 * GiB;	/* leaves 2 GiB to macOS */
	golden("mac-memory-too-large", &vm, -EINVAL);
	vm.host.mem_bytes = 8 * GiB;
	assert_true(pp_vm_default_mem(&vm.host) == 4 * GiB);
	vm.host.mem_bytes = 2 * GiB;
	assert_true(pp_vm_default_mem(&vm.host) == 2 * GiB);
}

static void test_linux_sim(void **state)
{
	struct pp_vm vm;

	(void)state;
	linux_vm(&vm);
	golden("linux-sim", &vm, 0);
	assert_int_equal(vm.cpus, 2);
	assert_true(vm.mem_bytes == 3 * GiB);
}

static void test_linux_no_device_public_forward(void **state)
{
	struct pp_vm vm;
	static char *extra[] = { "-s", "-device", "virtio-balloon-pci" };

	(void)state;
	linux_vm(&vm);
	vm.nslots = 0;
	vm.ndisks = 0;
	vm.serial_log = NULL;
	vm.forwards[1] = (struct pp_vm_forward){ "0.0.0.0", 8080, 80 };
	vm.nextra = 3;
	vm.extra = extra;
	vm.append_extra = "quiet";
	golden("linux-nodev", &vm, 0);
}

static void test_linux_refusals(void **state)
{
	struct pp_vm vm;
	struct strvec a = { 0 }, n = { 0 };
	char err[512];

	(void)state;
	linux_vm(&vm);
	vm.tso = true;
	assert_int_equal(pp_vm_cmdline(&vm, &a, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "TSO"));
	assert_int_equal(a.n, 0);
	vm.tso = false;
	vm.mem_bytes = 25 * GiB;
	assert_int_equal(pp_vm_cmdline(&vm, &a, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than this host has (24 GiB)"));
	vm.mem_bytes = 100 * MiB;
	assert_int_equal(pp_vm_cmdline(&vm, &a, &n, err, sizeof(err)), -EINVAL);
	vm.mem_bytes = GiB;
	vm.cpus = 0;
	assert_int_equal(pp_vm_cmdline(&vm, &a, &n, err, sizeof(err)), -EINVAL);
	sv_free(&a);
	sv_free(&n);
}

static void test_forward_parsing(void **state)
{
	struct pp_vm_forward f;

	(void)state;
	assert_true(pp_parse_forward("8080:80", &f));
	assert_string_equal(f.addr, "127.0.0.1");
	assert_int_equal(f.host_port, 8080);
	assert_int_equal(f.guest_port, 80);
	assert_true(pp_forward_is_loopback(&f));
	assert_true(pp_parse_forward("0.0.0.0:8080:80", &f));
	assert_string_equal(f.addr, "0.0.0.0");
	assert_false(pp_forward_is_loopback(&f));
	assert_true(pp_parse_forward("[::1]:2222:22", &f));
	assert_string_equal(f.addr, "::1");
	assert_true(pp_forward_is_loopback(&f));
	assert_false(pp_parse_forward("80", &f));
	assert_false(pp_parse_forward(":8080:80", &f));	/* every interface must be named */
	assert_false(pp_parse_forward("8080:0", &f));
	assert_false(pp_parse_forward("70000:80", &f));
	assert_false(pp_parse_forward("a,b:1:2", &f));
	assert_false(pp_parse_forward("x:y:z", &f));
}

static void test_sizes(void **state)
{
	char b[32];
	uint64_t v;

	(void)state;
	assert_string_equal(fmt_size(0, b), "0 B");
	assert_string_equal(fmt_size(16 * 1024, b), "16 KiB");
	assert_string_equal(fmt_size(1536 * MiB, b), "1536 MiB");
	assert_string_equal(fmt_size(32 * GiB, b), "32 GiB");
	assert_string_equal(fmt_size(305856512, b), "291.7 MiB");
	assert_true(parse_size("12G", &v) && v == 12 * GiB);
	assert_true(parse_size("3072M", &v) && v == 3072 * MiB);
	assert_true(parse_size("4GiB", &v) && v == 4 * GiB);
	assert_true(parse_size("512", &v) && v == 512);
	assert_false(parse_size("0", &v));
	assert_false(parse_size("12X", &v));
	assert_false(parse_size("-1G", &v));
	assert_false(parse_size("99999999999T", &v));
	assert_false(parse_size("", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_rtx5090),
		cmocka_unit_test(test_mac_36bit_refuses_large_bar),
		cmocka_unit_test(test_mac_36bit_small_device_fits),
		cmocka_unit_test(test_mac14_tso_refused),
		cmocka_unit_test(test_mac_memory_bounds),
		cmocka_unit_test(test_linux_sim),
		cmocka_unit_test(test_linux_no_device_public_forward),
		cmocka_unit_test(test_linux_refusals),
		cmocka_unit_test(test_forward_parsing),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
