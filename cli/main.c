// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass: the launcher.  Runs an arm64 Linux VM with PCIe functions of the
 * host passed through (the dext on a Mac, the simulated Mac host on Linux),
 * without the user writing a QEMU command line.  See pcipass(1) and
 * docs/cli.md.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#ifndef PP_CLI_VERSION
#define PP_CLI_VERSION "0.1"
#endif

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "run", cmd_run, "start a VM (foreground, or --detach)" },
	{ "status", cmd_status, "VM state, passed-through devices, DMA and interrupts" },
	{ "stop", cmd_stop, "power a VM down (then SIGTERM, then SIGKILL)" },
	{ "ssh", cmd_ssh, "ssh into a VM over its loopback forward" },
	{ "devices", cmd_devices, "what the host can pass through" },
	{ "doctor", cmd_doctor, "check every layer, say which one fails" },
	{ "image", cmd_image, "guest images: build, import, list, prune, path" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pcipass [-q] COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'pcipass COMMAND --help' for each; pcipass(1) for exit codes and files.\n"
		   "State: $PCIPASS_HOME, else ~/.local/state/pcipass "
		   "(~/Library/Application Support/pcipass on a Mac).\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	/* a QEMU that went away must be an error, not a silent death */
	signal(SIGPIPE, SIG_IGN);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			pp_quiet = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PP_EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("pcipass %s\n", PP_CLI_VERSION);
			return PP_EXIT_OK;
		} else {
			pp_err("unknown option %s", argv[i]);
			usage(stderr);
			return PP_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return PP_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	pp_err("unknown command '%s' (pcipass --help lists them)", argv[i]);
	return PP_EXIT_USAGE;
}
