// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass doctor [--json] [--qemu PATH]: checks every layer a VM stands on,
 * bottom up, one line each
 *
 *   ok|FAIL|warn  <layer>: <finding>[ -- what to do]
 *
 * host OS, accelerator, IPA size against the devices' BARs, the driver
 * extension (Mac), the host backend and its devices, the patched QEMU,
 * qemu-img, the default guest image, the first SSH port.  It goes on after
 * a failure (each later check says what it could still learn) and exits
 * PP_EXIT_ENV if anything FAILed, else 0.  --json: an array of
 * {layer, status ("ok", "fail", "warn"), finding, fix (null: nothing to do)}.
 *
 * The macOS checks (kern.hv_support, systemextensionsctl) have not run on a
 * Mac: they follow docs/mac.md and docs/mac-dext.md ("Activation").
 */
#include "cli.h"
#include "hostdev.h"
#include "image.h"
#include "spawn.h"
#include "vm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __APPLE__
#include <sys/sysctl.h>
#endif

#define SSH_PORT_FIRST 2222      /* the first port `run` tries (run.c) */
#define RUN_TIMEOUT_S  30        /* for qemu -version, -device help, ... */
#define RUN_MAX_OUT    (1u << 20)
#define DEFAULT_DEXT_ID "org.pcipass.app.driver" /* docs/mac-dext.md */

enum status { ST_OK, ST_WARN, ST_FAIL };

struct doctor {
	bool json;
	json_t *arr;
	unsigned int nfail, nwarn;
	const char *qemu_override;
	struct pp_host_facts facts;
	struct pp_scan *scan;
	int scan_st;
	char scan_err[512];
};

/* One line: finding and fix are allocated (fix may be NULL) and consumed. */
static void report(struct doctor *d, const char *layer, enum status st,
		   char *finding, char *fix)
{
	static const char *const text[] = { "ok", "warn", "FAIL" };
	static const char *const js[] = { "ok", "warn", "fail" };

	if (st == ST_FAIL)
		d->nfail++;
	else if (st == ST_WARN)
		d->nwarn++;
	if (d->json) {
		json_t *o = json_object();

		json_object_set_new(o, "layer", json_string(layer));
		json_object_set_new(o, "status", json_string(js[st]));
		json_object_set_new(o, "finding", json_string(finding));
		json_object_set_new(o, "fix", fix ? json_string(fix) : json_null());
		json_array_append_new(d->arr, o);
	} else {
		printf("%-4s  %s: %s%s%s\n", text[st], layer, finding, fix ? " -- " : "",
		       fix ? fix : "");
		fflush(stdout);
	}
	free(finding);
	free(fix);
}

/* ---- running a tool: stdout and stderr captured, bounded in time ---- */

/*
 * Runs argv (PATH lookup), stdin from /dev/null, stdout and stderr into
 * *out (NUL-terminated, at most RUN_MAX_OUT bytes kept).  The exit status,
 * 128 + signal, -ETIMEDOUT (killed after timeout_s) or -errno.
 */
static int run_capture(char *const argv[], char **out, int timeout_s)
{
	struct pp_spawn o = { .stdin_null = true, .capture = true, .merge_stderr = true,
			      .timeout_s = timeout_s, .max_out = RUN_MAX_OUT };
	int rc = pp_spawn(argv, &o, out);

	if (!*out)
		*out = xcalloc(1, 1);
	return rc;
}

/* The first non-empty line of s (allocated), or NULL. */
static char *first_line(const char *s)
{
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	if (!*s)
		return NULL;
	size_t n = strcspn(s, "\r\n");

	return xasprintf("%.*s", (int)n, s);
}

/* Does QEMU's "-device help" list the device?  Lines look like
 * `name "pcipass-pci", bus PCI, desc "..."`. */
static bool lists_device(const char *help, const char *dev)
{
	char *pat = xasprintf("name \"%s\"", dev);
	bool r = strstr(help, pat) != NULL;

	free(pat);
	return r;
}

/* ---- the layers ---- */

static void check_host(struct doctor *d)
{
#ifdef __APPLE__
	const struct pp_host_facts *f = &d->facts;

	if (!f->os_major) {
		report(d, "host", ST_WARN,
		       xstrdup("macOS, version unknown (sysctl kern.osproductversion "
			       "failed)"),
		       xstrdup("pcipass needs macOS 15 or later for TSO"));
	} else if (f->os_major < 15) {
		report(d, "host", ST_WARN,
		       xasprintf("macOS %u.%u: TSO unavailable (-accel hvf,tso=on needs "
				 "macOS 15), x86 emulation in the guest runs without "
				 "hardware memory ordering", f->os_major, f->os_minor),
		       xstrdup("update to macOS 15 or later"));
	} else {
		report(d, "host", ST_OK,
		       xasprintf("macOS %u.%u, %u performance cores, %.1f GiB memory",
				 f->os_major, f->os_minor, f->ncpu,
				 (double)f->mem_bytes / (double)(1ull << 30)),
		       NULL);
	}
#else
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	report(d, "host", ST_OK,
	       xasprintf("Linux, the simulated Mac host (kernel %s, %u CPUs, %.1f GiB "
			 "memory)", u.release, d->facts.ncpu,
			 (double)d->facts.mem_bytes / (double)(1ull << 30)),
	       NULL);
#endif
}

static void check_accel(struct doctor *d)
{
#ifdef __APPLE__
	int hv = 0;
	size_t len = sizeof(hv);

	if (sysctlbyname("kern.hv_support", &hv, &len, NULL, 0))
		report(d, "accelerator", ST_FAIL,
		       xasprintf("sysctl kern.hv_support failed: %s", strerror(errno)),
		       xstrdup("pcipass needs Hypervisor.framework: a Mac with Apple "
			       "silicon, not a VM"));
	else if (hv != 1)
		report(d, "accelerator", ST_FAIL,
		       xasprintf("Hypervisor.framework unavailable (kern.hv_support=%d)",
				 hv),
		       xstrdup("run on a Mac with Apple silicon directly, not inside "
			       "a VM"));
	else
		report(d, "accelerator", ST_OK,
		       xstrdup("Hypervisor.framework (kern.hv_support=1)"), NULL);
#else
	report(d, "accelerator", ST_OK,
	       xstrdup("TCG (software emulation: there is no hardware accelerator "
		       "for arm64 guests on this host)"),
	       NULL);
#endif
}

static void check_ipa(struct doctor *d)
{
	struct pp_vm *vm = xcalloc(1, sizeof(*vm));
	unsigned int need, nfuncs = 0;
	char why[512];

	vm->host = d->facts;
	vm->mem_bytes = pp_vm_default_mem(&d->facts);
	/* every function whose BARs the scan saw, one VM slot per host slot */
	for (unsigned int s = 0; d->scan_st == PP_OK && s < d->scan->nslots &&
	     vm->nslots < PP_VM_MAX_SLOTS; s++) {
		const struct pp_scan_slot *sl = &d->scan->slots[s];
		struct pp_vm_slot *vs = &vm->slots[vm->nslots];

		for (unsigned int f = 0; f < sl->nfuncs; f++) {
			const struct pp_scan_func *sf = &sl->funcs[f];
			struct pp_vm_func *vf;

			if (!sf->opened || vs->nfuncs == PP_VM_MAX_FUNCS)
				continue;
			vf = &vs->funcs[vs->nfuncs++];
			snprintf(vf->id, sizeof(vf->id), "%s", sf->info.id);
			vf->fn = sf->info.fn;
			vf->class_code = sf->info.class_code;
			for (unsigned int b = 0; b < 6; b++) {
				vf->bar_size[b] = sf->bars[b].size;
				vf->bar_mem64[b] = sf->bars[b].type == PP_HOST_BAR_MEM64;
			}
			nfuncs++;
		}
		if (vs->nfuncs)
			vm->nslots++;
	}
	need = pp_vm_ipa_bits(vm, why, sizeof(why));
	const char *which = nfuncs ? "" : d->scan_st == PP_OK ?
		" (no device could be opened: RAM only)" :
		" (devices not scanned, see backend: RAM only)";

#ifdef __APPLE__
	unsigned int max = d->facts.max_ipa_bits;

	if (max && need > max)
		report(d, "ipa", ST_FAIL,
		       xasprintf("this VM needs a %u-bit guest physical address space "
				 "(%s); this Mac's Hypervisor.framework supports %u bits",
				 need, why, max),
		       xasprintf("pass fewer or smaller devices (pcipass run --device), "
				 "or use a Mac with a %u-bit IPA (M3 or later)", need));
	else
		report(d, "ipa", ST_OK,
		       xasprintf("%u bits needed (%s)%s; this Mac supports %u", need,
				 why, which, max),
		       NULL);
#else
	report(d, "ipa", ST_OK,
	       xasprintf("%u bits needed (%s)%s; TCG has no limit", need, why, which),
	       NULL);
#endif
	free(vm);
}

#ifdef __APPLE__
/* Case-insensitive strstr, portable. */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		size_t i = 0;

		while (i < n && hay[i] &&
		       (hay[i] | 0x20) == (needle[i] | 0x20))
			i++;
		if (i == n)
			return hay;
	}
	return NULL;
}

/* The state words of a systemextensionsctl line, "[...]" (allocated), or NULL. */
static char *ext_state(const char *line)
{
	const char *open = strrchr(line, '[');
	const char *close = open ? strchr(open, ']') : NULL;

	if (!close)
		return NULL;
	return xasprintf("%.*s", (int)(close - open - 1), open + 1);
}

/* Does the line name bundle id as a whole word ("<id> (1.0/1)")? */
static bool line_has_id(const char *line, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = line; (p = strstr(p, id)); p++)
		if ((p == line || p[-1] == ' ' || p[-1] == '\t') &&
		    (!p[n] || p[n] == ' ' || p[n] == '\t'))
			return true;
	return false;
}
#endif

static void check_extension(struct doctor *d)
{
#ifdef __APPLE__
	const char *env = getenv("PCIPASS_DEXT_ID");
	const char *id = env && *env ? env : DEFAULT_DEXT_ID;
	char *argv[] = { "systemextensionsctl", "list", NULL };
	char *out = NULL, *best = NULL, *other = NULL;
	int rc = run_capture(argv, &out, RUN_TIMEOUT_S);
	bool enabled = false;

	if (rc) {
		char *l = first_line(out);

		report(d, "extension", ST_FAIL,
		       rc < 0 ? xasprintf("cannot run systemextensionsctl list: %s",
					  strerror(-rc)) :
		       xasprintf("systemextensionsctl list failed (exit %d)%s%s", rc,
				 l ? ": " : "", l ? l : ""),
		       xstrdup("check the extension by hand: systemextensionsctl list "
			       "(docs/mac-dext.md, \"Activation\")"));
		free(l);
		free(out);
		return;
	}
	/* One line per installed version: "*\t*\tTEAMID\t<id> (1.0/1)\t<name>\t
	 * [activated enabled]".  An old version may linger as "terminated";
	 * the enabled one wins. */
	for (const char *next = out; *next; ) {
		size_t len = strcspn(next, "\n");
		char *line = xasprintf("%.*s", (int)len, next);

		next += len;
		if (*next == '\n')
			next++;
		if (line_has_id(line, id)) {
			char *st = ext_state(line);

			if (st && !strcmp(st, "activated enabled")) {
				enabled = true;
				free(best);
				best = st;
			} else if (!enabled && !best) {
				best = st ? st : xstrdup("state unknown");
			} else {
				free(st);
			}
			free(line);
		} else if (!other && find_ci(line, "pcipass") && strchr(line, '[')) {
			/* another bundle id with our name in it: "TEAM id (ver) name [state]" */
			char *o = line, *w = line;

			for (; *o == '*' || *o == ' ' || *o == '\t'; o++)
				;
			for (; *o; o++)
				if (*o != '\t' || (w > line && w[-1] != ' '))
					*w++ = *o == '\t' ? ' ' : *o;
			*w = '\0';
			other = line;
		} else {
			free(line);
		}
	}
	if (enabled) {
		report(d, "extension", ST_OK,
		       xasprintf("%s installed and approved [activated enabled]", id), NULL);
	} else if (best && strstr(best, "waiting for user")) {
		report(d, "extension", ST_FAIL,
		       xasprintf("%s installed but not approved [%s]", id, best),
		       xstrdup("approve it in System Settings > General > Login Items & "
			       "Extensions > Driver Extensions"));
	} else if (best) {
		report(d, "extension", ST_FAIL,
		       xasprintf("%s is installed but not active [%s]", id, best),
		       xstrdup(strstr(best, "terminated") || strstr(best, "uninstall") ?
			       "reinstall it: /Applications/Pcipass.app/Contents/MacOS/"
			       "Pcipass install, then reboot if macOS asks (docs/mac-dext.md)" :
			       "wait for activation to finish, or reinstall: "
			       "/Applications/Pcipass.app/Contents/MacOS/Pcipass install "
			       "(docs/mac-dext.md, \"Activation\")"));
	} else if (other) {
		report(d, "extension", ST_FAIL,
		       xasprintf("%s is not installed, but systemextensionsctl lists: %s",
				 id, other),
		       xstrdup("if that is the pcipass extension under your team's "
			       "prefix, set PCIPASS_DEXT_ID to its bundle id"));
	} else {
		report(d, "extension", ST_FAIL,
		       xasprintf("%s is not installed (systemextensionsctl list)", id),
		       xstrdup("build it (mac/dext/build.sh), copy Pcipass.app to "
			       "/Applications and run /Applications/Pcipass.app/Contents/"
			       "MacOS/Pcipass install (docs/mac-dext.md, \"Activation\"); "
			       "with another bundle id prefix set PCIPASS_DEXT_ID"));
	}
	free(best);
	free(other);
	free(out);
#else
	report(d, "extension", ST_OK,
	       xstrdup("n/a (Linux: the simulated Mac host needs no driver extension)"),
	       NULL);
#endif
}

static void check_backend(struct doctor *d)
{
	const struct pp_scan *s = d->scan;
	unsigned int nfunc = 0, nowned = 0, nbusy = 0;
	size_t o = 0;
	char ids[256] = "";

	if (d->scan_st != PP_OK) {
		report(d, "backend", ST_FAIL, xstrdup(d->scan_err),
		       xstrdup(!strcmp(pp_host_backend_name(), "dext") ?
			       "install and approve the pcipass extension (see the "
			       "extension line) and attach the device" :
			       "check PCIPASS_BACKEND and PCIPASS_BACKEND_ARGS "
			       "(docs/host-interface.md)"));
		return;
	}
	for (unsigned int i = 0; i < s->nslots; i++) {
		if (o < sizeof(ids))
			o += (size_t)snprintf(ids + o, sizeof(ids) - o, "%s%s", i ? ", " : "",
					      s->slots[i].id);
		for (unsigned int f = 0; f < s->slots[i].nfuncs; f++) {
			const struct pp_scan_func *sf = &s->slots[i].funcs[f];

			nfunc++;
			nowned += sf->info.owned;
			nbusy += sf->info.owned && !sf->opened;
		}
	}
	if (!s->nslots) {
		report(d, "backend", ST_FAIL,
		       xasprintf("\"%s\" reachable, but it lists no device", s->backend),
		       xstrdup(!strcmp(s->backend, "dext") ?
			       "attach the device (Thunderbolt) and check that the "
			       "extension matches it (docs/mac-dext.md)" :
			       "check PCIPASS_BACKEND_ARGS (docs/host-interface.md)"));
	} else if (!nowned) {
		report(d, "backend", ST_FAIL,
		       xasprintf("\"%s\": %u function%s in %s, none owned by the pcipass "
				 "extension", s->backend, nfunc, nfunc == 1 ? "" : "s", ids),
		       xstrdup("the host's own driver has them; check the extension's "
			       "matching (docs/mac-dext.md) and replug the device"));
	} else if (nbusy == nowned) {
		report(d, "backend", ST_WARN,
		       xasprintf("\"%s\": %u function%s in %s, %u owned, all in use "
				 "(held by a running VM)", s->backend, nfunc,
				 nfunc == 1 ? "" : "s", ids, nowned),
		       xstrdup("pcipass status shows which VM; stop it to free them"));
	} else {
		report(d, "backend", ST_OK,
		       xasprintf("\"%s\": %u slot%s (%s), %u function%s, %u owned%s "
				 "(pcipass devices lists them)",
				 s->backend, s->nslots, s->nslots == 1 ? "" : "s", ids, nfunc,
				 nfunc == 1 ? "" : "s", nowned,
				 nbusy ? ", some in use" : ""),
		       NULL);
	}
}

static const char *qemu_build_fix(void)
{
#ifdef __APPLE__
	return "build QEMU 10.2.2 with the pcipass patches and --enable-hvf "
	       "(docs/mac.md, section 2), sign it with mac/dext/build.sh sign-client, "
	       "then pass --qemu PATH or set PCIPASS_QEMU";
#else
	return "build it with make testbed (Linux), then pass --qemu PATH or set "
	       "PCIPASS_QEMU (or unset it to use the testbed's)";
#endif
}

/* Returns the QEMU found (allocated) or NULL. */
static char *check_qemu(struct doctor *d)
{
	const char *env = getenv("PCIPASS_QEMU");
	char *q = pp_find_qemu(d->qemu_override), *out = NULL, *ver = NULL;
	const char *from;
	int rc;

	if (d->qemu_override && *d->qemu_override)
		from = "--qemu";
	else if (env && *env)
		from = "PCIPASS_QEMU";
	else
		from = NULL;
	if (!q) {
		report(d, "qemu", ST_FAIL,
		       from ? xasprintf("%s=%s: not found or not executable", from,
					!strcmp(from, "--qemu") ? d->qemu_override : env) :
		       xstrdup("no QEMU: neither the source tree's testbed QEMU nor "
			       "qemu-system-aarch64 on PATH"),
		       xasprintf("%s", qemu_build_fix()));
		return NULL;
	}
	{
		char *argv[] = { q, "-version", NULL };

		rc = run_capture(argv, &out, RUN_TIMEOUT_S);
		ver = first_line(out);
		free(out);
		out = NULL;
	}
	if (rc) {
		report(d, "qemu", ST_FAIL,
		       xasprintf("%s -version %s%s%s", q,
				 rc == -ETIMEDOUT ? "hung" : rc < 0 ? "could not run" :
				 "failed", ver ? ": " : "", ver ? ver : ""),
		       xasprintf("%s", qemu_build_fix()));
		free(ver);
		return q;
	}
	{
		char *argv[] = { q, "-device", "help", NULL };

		rc = run_capture(argv, &out, RUN_TIMEOUT_S);
	}
	bool pci = rc == 0 && lists_device(out, "pcipass-pci");
	bool dma = rc == 0 && lists_device(out, "pcipass-dma");

	if (!pci || !dma) {
		report(d, "qemu", ST_FAIL,
		       xasprintf("%s (%s): not the patched QEMU: -device help lists no %s%s%s",
				 q, ver ? ver : "-version printed nothing",
				 !pci ? "pcipass-pci" : "", !pci && !dma ? ", " : "",
				 !dma ? "pcipass-dma" : ""),
		       xasprintf("%s", qemu_build_fix()));
		free(out);
		free(ver);
		return q;
	}
	free(out);
	out = NULL;
#ifdef __APPLE__
	{
		char *argv[] = { q, "-accel", "help", NULL };

		rc = run_capture(argv, &out, RUN_TIMEOUT_S);
		if (rc || !strstr(out, "hvf")) {
			report(d, "qemu", ST_FAIL,
			       xasprintf("%s (%s) has the pcipass devices but no hvf "
					 "accelerator", q, ver ? ver : "?"),
			       xstrdup("configure QEMU with --enable-hvf (docs/mac.md, "
				       "section 2)"));
			free(out);
			free(ver);
			return q;
		}
		free(out);
	}
#endif
	report(d, "qemu", ST_OK,
	       xasprintf("%s (%s%s%s), with pcipass-pci and pcipass-dma", q,
			 ver ? ver : "version unknown", from ? ", from " : "",
			 from ? from : ""),
	       NULL);
	free(ver);
	return q;
}

static void check_qemu_img(struct doctor *d, const char *qemu)
{
	char *img = pp_find_qemu_img(qemu);

	if (!img) {
		report(d, "qemu-img", ST_FAIL,
		       xstrdup("qemu-img not found (next to QEMU or on PATH); run needs "
			       "it for the VM's overlay disk"),
#ifdef __APPLE__
		       xstrdup("install it with QEMU's build (make install) or brew "
			       "install qemu")
#else
		       xstrdup("install it: apt-get install qemu-utils")
#endif
		      );
		return;
	}
	report(d, "qemu-img", ST_OK, img, NULL);
}

static void check_image(struct doctor *d)
{
	struct pp_paths p;
	struct pp_image img;
	char *why = NULL, sz[32];
	int rc;

	if (pp_paths_init(&p)) {
		report(d, "image", ST_FAIL, xstrdup("no state directory: neither "
						    "PCIPASS_HOME nor HOME is set"),
		       xstrdup("set PCIPASS_HOME or HOME"));
		return;
	}
	rc = pp_image_open(&p, PP_DEFAULT_IMAGE, &img, &why);
	if (rc == -ENOENT) {
		/* image.c's message ends with how to make one: the fix says it */
		const char *cut = why ? strstr(why, "; make one with") : NULL;

		report(d, "image", ST_FAIL,
		       why ? xasprintf("%.*s", cut ? (int)(cut - why) : (int)strlen(why), why) :
		       xstrdup("no image \"" PP_DEFAULT_IMAGE "\""),
		       xstrdup("pcipass image build (or pcipass image import FILE|URL)"));
	} else if (rc) {
		report(d, "image", ST_FAIL,
		       xasprintf("%s", why ? why : "image \"" PP_DEFAULT_IMAGE "\" is "
				 "damaged"),
		       xstrdup("pcipass image build --force, or pcipass image import "
			       "FILE|URL --force"));
	} else {
		report(d, "image", ST_OK,
		       xasprintf("%s: %s (disk %s, user %s%s)", PP_DEFAULT_IMAGE, img.dir,
				 fmt_size(img.disk_size, sz), img.user ? img.user : "?",
				 img.key ? ", login key" : ", no login key"),
		       NULL);
		pp_image_free(&img);
	}
	/* why: static or allocated (image.h); a few bytes, left. */
	pp_paths_free(&p);
}

static void check_ports(struct doctor *d)
{
	if (pp_port_free("127.0.0.1", SSH_PORT_FIRST))
		report(d, "ports", ST_OK,
		       xasprintf("127.0.0.1:%d is free (the first SSH port run tries)",
				 SSH_PORT_FIRST),
		       NULL);
	else
		report(d, "ports", ST_WARN,
		       xasprintf("127.0.0.1:%d is in use", SSH_PORT_FIRST),
		       xasprintf("nothing needed: run picks the next free port (or pass "
				 "--ssh-port)"));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pcipass doctor [--json] [--qemu PATH]\n\n"
		   "Checks every layer a VM needs, bottom up, one line each:\n"
		   "  ok|FAIL|warn  LAYER: FINDING -- WHAT TO DO\n"
		   "host, accelerator, ipa, extension, backend, qemu, qemu-img, image,\n"
		   "ports.  Exit 0 if nothing FAILed, else 5.\n"
		   "  --json        an array of {layer, status, finding, fix}\n"
		   "  --qemu PATH   the QEMU to check (default as run: $PCIPASS_QEMU,\n"
		   "                the source tree's testbed, qemu-system-aarch64)\n");
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor d;
	char *qemu;

	memset(&d, 0, sizeof(d));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			d.json = true;
		} else if (!strcmp(argv[i], "--qemu") && i + 1 < argc) {
			d.qemu_override = argv[++i];
		} else if (!strncmp(argv[i], "--qemu=", 7)) {
			d.qemu_override = argv[i] + 7;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PP_EXIT_OK;
		} else {
			pp_err("doctor: %s '%s'", !strcmp(argv[i], "--qemu") ?
			       "missing PATH after" : "unexpected argument", argv[i]);
			usage(stderr);
			return PP_EXIT_USAGE;
		}
	}
	if (d.json)
		d.arr = json_array();
	pp_host_facts_get(&d.facts);
	d.scan = xcalloc(1, sizeof(*d.scan));
	d.scan_st = pp_scan_devices(d.scan, d.scan_err, sizeof(d.scan_err));

	check_host(&d);
	check_accel(&d);
	check_ipa(&d);
	check_extension(&d);
	check_backend(&d);
	qemu = check_qemu(&d);
	check_qemu_img(&d, qemu);
	check_image(&d);
	check_ports(&d);

	if (d.json) {
		char *out = json_dumps(d.arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (out)
			printf("%s\n", out);
		free(out);
		json_decref(d.arr);
	} else {
		printf("\n%s: %u failed, %u warning%s\n",
		       d.nfail ? "not ready" : "ready", d.nfail, d.nwarn,
		       d.nwarn == 1 ? "" : "s");
	}
	free(qemu);
	free(d.scan);
	return d.nfail ? PP_EXIT_ENV : PP_EXIT_OK;
}
