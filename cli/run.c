// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass run: gather the facts (host, devices, image, ports), build the
 * command line (cmdline.c), then start QEMU in the foreground (serial on
 * the terminal) or detached (serial in a log), and wait until its QMP
 * socket answers.  A failure leaves nothing behind: a VM directory created
 * by this run is removed, an overlay is created under a temporary name.
 */
#include "hostdev.h"
#include "image.h"
#include "qmp.h"
#include "spawn.h"
#include "vm.h"
#include "vmstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SSH_PORT_FIRST 2222
#define SSH_PORT_LAST  2321
#define START_TIMEOUT_MS 30000

static const char usage_text[] =
	"usage: pcipass run [NAME] [options] [-- raw QEMU args]\n"
	"\n"
	"Starts VM NAME (default \"default\"): the image's kernel, a root overlay on\n"
	"its disk, the host's devices passed through with their DMA companion.\n"
	"\n"
	"  --device ID|all|none  what to pass through (repeatable; slot or function\n"
	"                        id from `pcipass devices`; default all)\n"
	"  --image NAME          guest image (default \"default\"; `pcipass image list`)\n"
	"  --cpus N              vCPUs (default: performance cores on a Mac, <=4 TCG)\n"
	"  --memory SIZE         guest RAM, e.g. 8G (default: half a Mac, 1/8 on Linux)\n"
	"  --disk PATH[:ro]      an extra virtio disk (raw or qcow2; repeatable)\n"
	"  --forward [ADDR:]HOSTPORT:GUESTPORT\n"
	"                        TCP forward; binds 127.0.0.1 unless ADDR is given\n"
	"  --ssh-port PORT       host port of the SSH forward (default: first free\n"
	"                        from 2222)\n"
	"  --append ARGS         extra kernel arguments\n"
	"  --no-tso              Mac: no hardware TSO (default on with macOS 15+)\n"
	"  --vcpu-priority P     Mac: interactive (default), rr, default\n"
	"  --qemu PATH           the patched QEMU (default: $PCIPASS_QEMU, the\n"
	"                        testbed's, qemu-system-aarch64 on PATH)\n"
	"  --detach              run in the background; serial in the VM's serial.log\n"
	"  --dry-run             print the QEMU command and what is missing, run nothing\n";

struct run_opts {
	const char *name, *image, *qemu, *append, *prio;
	char *devices[16];
	unsigned int ndevices;
	unsigned long cpus;
	uint64_t mem;
	unsigned long ssh_port;
	bool detach, dry_run, no_tso;
	struct pp_vm_disk disks[PP_VM_MAX_DISKS];
	unsigned int ndisks;
	struct pp_vm_forward fwd[PP_VM_MAX_FORWARDS];
	unsigned int nfwd;
	int nextra;
	char **extra;
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_IMAGE = 256, OPT_CPUS, OPT_MEM, OPT_DISK, OPT_FWD, OPT_SSH, OPT_APPEND,
	       OPT_NOTSO, OPT_PRIO, OPT_QEMU, OPT_DETACH, OPT_DRY, OPT_DEV };
	static const struct option lo[] = {
		{ "device", required_argument, NULL, OPT_DEV },
		{ "image", required_argument, NULL, OPT_IMAGE },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "memory", required_argument, NULL, OPT_MEM },
		{ "disk", required_argument, NULL, OPT_DISK },
		{ "forward", required_argument, NULL, OPT_FWD },
		{ "ssh-port", required_argument, NULL, OPT_SSH },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "no-tso", no_argument, NULL, OPT_NOTSO },
		{ "vcpu-priority", required_argument, NULL, OPT_PRIO },
		{ "qemu", required_argument, NULL, OPT_QEMU },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	int nopt = 1;

	memset(o, 0, sizeof(*o));
	o->name = "default";
	o->image = PP_DEFAULT_IMAGE;
	/* everything after `--` goes to QEMU untouched */
	while (nopt < argc && strcmp(argv[nopt], "--"))
		nopt++;
	if (nopt < argc) {
		o->extra = argv + nopt + 1;
		o->nextra = argc - nopt - 1;
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(nopt, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case OPT_DEV:
			if (o->ndevices == 16) {
				pp_err("too many --device values");
				return PP_EXIT_USAGE;
			}
			o->devices[o->ndevices++] = optarg;
			break;
		case OPT_IMAGE:
			o->image = optarg;
			break;
		case OPT_CPUS:
			if (!parse_uint(optarg, 512, &o->cpus) || !o->cpus) {
				pp_err("--cpus %s: a number from 1 to 512", optarg);
				return PP_EXIT_USAGE;
			}
			break;
		case OPT_MEM:
			if (!parse_size(optarg, &o->mem)) {
				pp_err("--memory %s: a size such as 4G or 3072M", optarg);
				return PP_EXIT_USAGE;
			}
			break;
		case OPT_DISK: {
			struct pp_vm_disk *d;
			size_t n = strlen(optarg);

			if (o->ndisks == PP_VM_MAX_DISKS) {
				pp_err("at most %d --disk", PP_VM_MAX_DISKS);
				return PP_EXIT_USAGE;
			}
			d = &o->disks[o->ndisks++];
			d->readonly = n > 3 && !strcmp(optarg + n - 3, ":ro");
			if (d->readonly)
				n -= 3;
			if (!n || n >= sizeof(d->path)) {
				pp_err("--disk %s: PATH[:ro]", optarg);
				return PP_EXIT_USAGE;
			}
			memcpy(d->path, optarg, n);
			d->path[n] = '\0';
			break;
		}
		case OPT_FWD:
			if (o->nfwd == PP_VM_MAX_FORWARDS - 1 ||
			    !pp_parse_forward(optarg, &o->fwd[o->nfwd])) {
				pp_err("--forward %s: [ADDR:]HOSTPORT:GUESTPORT with ports "
				       "1-65535 (ADDR 0.0.0.0 exposes it to the network)",
				       optarg);
				return PP_EXIT_USAGE;
			}
			o->nfwd++;
			break;
		case OPT_SSH:
			if (!parse_uint(optarg, 65535, &o->ssh_port) || !o->ssh_port) {
				pp_err("--ssh-port %s: a port from 1 to 65535", optarg);
				return PP_EXIT_USAGE;
			}
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_NOTSO:
			o->no_tso = true;
			break;
		case OPT_PRIO:
			if (strcmp(optarg, "interactive") && strcmp(optarg, "rr") &&
			    strcmp(optarg, "default")) {
				pp_err("--vcpu-priority %s: interactive, rr or default", optarg);
				return PP_EXIT_USAGE;
			}
			o->prio = optarg;
			break;
		case OPT_QEMU:
			o->qemu = optarg;
			break;
		case OPT_DETACH:
			o->detach = true;
			break;
		case OPT_DRY:
			o->dry_run = true;
			break;
		default:
			pp_err("run: unknown option or missing value: %s (pcipass run --help)",
			       argv[optind - 1]);
			return PP_EXIT_USAGE;
		}
	}
	if (optind < nopt)
		o->name = argv[optind++];
	if (optind < nopt) {
		pp_err("run: unexpected argument '%s' (raw QEMU arguments go after --)",
		       argv[optind]);
		return PP_EXIT_USAGE;
	}
	if (!valid_name(o->name) || !valid_name(o->image)) {
		pp_err("'%s': names are letters, digits, '.', '_', '-' (64 at most)",
		       valid_name(o->name) ? o->image : o->name);
		return PP_EXIT_USAGE;
	}
	return 0;
}

static bool is_qcow2(const char *path)
{
	unsigned char m[4] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool q;

	if (fd < 0)
		return false;
	q = read(fd, m, 4) == 4 && !memcmp(m, "QFI\xfb", 4);
	close(fd);
	return q;
}

static char *exit_reason(int st)
{
	if (WIFEXITED(st))
		return xasprintf("exited with status %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return xasprintf("was killed by signal %d (%s)", WTERMSIG(st),
				 strsignal(WTERMSIG(st)));
	return xstrdup("stopped");
}

static json_t *record(const struct run_opts *o, const struct pp_vm *vm,
		      const struct pp_image *img, pid_t pid)
{
	json_t *r = json_object(), *devs = json_array(), *fw = json_array();

	for (unsigned int s = 0; s < vm->nslots; s++) {
		json_t *fns = json_array();

		for (unsigned int f = 0; f < vm->slots[s].nfuncs; f++) {
			char q[32];

			pp_vm_func_qid(s, f, q, sizeof(q));
			json_array_append_new(fns, json_pack("{s:s,s:s}", "id",
							     vm->slots[s].funcs[f].id,
							     "qom", q));
		}
		char dq[32];

		pp_vm_dma_qid(s, dq, sizeof(dq));
		json_array_append_new(devs, json_pack("{s:s,s:o,s:s}", "backend",
						      vm->slots[s].backend, "functions",
						      fns, "dma_qom", dq));
	}
	for (unsigned int i = 0; i < vm->nforwards; i++)
		json_array_append_new(fw, json_pack("{s:s,s:i,s:i}", "addr",
						    vm->forwards[i].addr, "host_port",
						    vm->forwards[i].host_port, "guest_port",
						    vm->forwards[i].guest_port));
	json_object_set_new(r, "name", json_string(o->name));
	json_object_set_new(r, "image", json_string(img->name));
	json_object_set_new(r, "cpus", json_integer(vm->cpus));
	json_object_set_new(r, "memory", json_integer((json_int_t)vm->mem_bytes));
	json_object_set_new(r, "devices", devs);
	json_object_set_new(r, "forwards", fw);
	json_object_set_new(r, "ssh_port", json_integer(vm->forwards[0].host_port));
	json_object_set_new(r, "user", json_string(img->user));
	if (img->key)
		json_object_set_new(r, "key", json_string(img->key));
	json_object_set_new(r, "detached", json_boolean(o->detach));
	json_object_set_new(r, "pid", json_integer(pid));
	json_object_set_new(r, "started", json_integer((json_int_t)time(NULL)));
	return r;
}

/* Waits until QEMU answers on QMP (0) or exits (its wait status in *st,
 * returns 1), or the timeout passes (-1). */
static int wait_up(pid_t pid, const char *qmp, int *st)
{
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 100) {
		struct pp_qmp q;
		char err[256];

		if (waitpid(pid, st, WNOHANG) == pid)
			return 1;
		if (!pp_qmp_open(&q, qmp, 2000, err, sizeof(err))) {
			json_t *r = pp_qmp_exec(&q, "query-status", NULL, err, sizeof(err));
			bool up = r != NULL;

			json_decref(r);
			pp_qmp_close(&q);
			if (up)
				return 0;
		}
		usleep(100 * 1000);
	}
	return -1;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct pp_paths paths;
	struct pp_host_facts facts;
	struct pp_scan *scan = xcalloc(1, sizeof(*scan));
	struct pp_vm *vm = xcalloc(1, sizeof(*vm));
	struct pp_image img = { 0 };
	struct pp_vmstate st = { .lock_fd = -1 };
	struct strvec args = { 0 }, notes = { 0 }, missing = { 0 };
	char err[2048], *why = NULL, *qemu = NULL, *qemu_img = NULL;
	bool created_dir = false, have_image = false;
	json_t *prev = NULL;
	int rc, ret = PP_EXIT_FAIL;
	pid_t pid = -1;

	rc = parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? PP_EXIT_OK : rc;
	if (pp_paths_init(&paths))
		return PP_EXIT_ENV;
	pp_vmstate_init(&st, &paths, o.name);
	pp_host_facts_get(&facts);

	/* the VM: already running?  leftovers of a crash? */
	if (!o.dry_run && pp_vm_is_running(&st, &pid)) {
		pp_err("VM '%s' is already running (pid %ld); `pcipass stop %s` first, "
		       "or give another NAME", o.name, (long)pid, o.name);
		ret = PP_EXIT_BUSY;
		goto out;
	}
	prev = pp_vm_record(&st);
	if (prev && strcmp(json_string_value(json_object_get(prev, "image")) ?: "", o.image) &&
	    file_exists(st.overlay)) {
		pp_err("VM '%s' was created from image '%s', not '%s' (its disk is an "
		       "overlay on that image); give another NAME", o.name,
		       json_string_value(json_object_get(prev, "image")), o.image);
		ret = PP_EXIT_USAGE;
		goto out;
	}

	/* the pieces: QEMU, image, devices */
	qemu = pp_find_qemu(o.qemu);
	if (!qemu) {
		if (!o.dry_run) {
			pp_err("no QEMU found%s%s: build the patched one (make testbed on "
			       "Linux; docs/mac.md on a Mac) or pass --qemu / PCIPASS_QEMU",
			       o.qemu ? " at " : "", o.qemu ? o.qemu : "");
			ret = PP_EXIT_ENV;
			goto out;
		}
		sv_push(&missing, "QEMU: the patched qemu-system-aarch64 (make testbed, or "
			"--qemu PATH)");
		qemu = xstrdup("qemu-system-aarch64");
	}
	rc = pp_image_open(&paths, o.image, &img, &why);
	have_image = rc == 0;
	if (!have_image) {
		if (!o.dry_run) {
			pp_err("%s", why);
			ret = rc == -ENOENT ? PP_EXIT_NOTFOUND : PP_EXIT_ENV;
			goto out;
		}
		sv_pushf(&missing, "image '%s': %s", o.image, why);
		img.name = xstrdup(o.image);
		img.kernel = xasprintf("%s/%s/vmlinuz", paths.images, o.image);
		img.initrd = xasprintf("%s/%s/initrd.img", paths.images, o.image);
		img.root = xstrdup("LABEL=pcipass-root");
		img.user = xstrdup("pcipass");
	}
	if (!(o.ndevices == 1 && !strcmp(o.devices[0], "none"))) {
		rc = pp_scan_devices(scan, err, sizeof(err));
		if (rc != PP_OK) {
			if (!o.dry_run) {
				pp_err("%s", err);
				ret = PP_EXIT_ENV;
				goto out;
			}
			sv_pushf(&missing, "devices: %s", err);
			scan->nslots = 0;
		}
	}
	rc = pp_select_devices(scan, o.devices, o.ndevices, vm, err, sizeof(err));
	if (rc) {
		pp_err("%s", err);
		ret = rc == -ENOENT ? PP_EXIT_NOTFOUND : rc == -EBUSY ? PP_EXIT_BUSY :
		      rc == -EPERM ? PP_EXIT_ENV : PP_EXIT_USAGE;
		goto out;
	}
	if (!vm->nslots && !(o.ndevices == 1 && !strcmp(o.devices[0], "none")))
		sv_pushf(&missing, "devices: nothing to pass through on the %s host "
			 "(pcipass devices)", scan->backend ? scan->backend : "?");

	/* disks: exist, and their format */
	for (unsigned int i = 0; i < o.ndisks; i++) {
		if (!file_exists(o.disks[i].path)) {
			pp_err("--disk %s: no such file", o.disks[i].path);
			ret = PP_EXIT_NOTFOUND;
			goto out;
		}
		o.disks[i].qcow2 = is_qcow2(o.disks[i].path);
		vm->disks[vm->ndisks++] = o.disks[i];
	}

	/* ports: the SSH forward first, then the user's */
	unsigned long ssh_port = o.ssh_port;

	if (!ssh_port) {
		json_int_t p = json_integer_value(json_object_get(prev, "ssh_port"));

		if (p > 0 && p < 65536 && pp_port_free("127.0.0.1", (unsigned int)p))
			ssh_port = (unsigned long)p;
		for (unsigned int p2 = SSH_PORT_FIRST; !ssh_port && p2 <= SSH_PORT_LAST; p2++)
			if (pp_port_free("127.0.0.1", p2))
				ssh_port = p2;
		if (!ssh_port) {
			pp_err("no free port for SSH in 127.0.0.1:%d-%d; pass --ssh-port",
			       SSH_PORT_FIRST, SSH_PORT_LAST);
			ret = PP_EXIT_BUSY;
			goto out;
		}
	} else if (!o.dry_run && !pp_port_free("127.0.0.1", (unsigned int)ssh_port)) {
		pp_err("port %lu (127.0.0.1) is in use; choose another with --ssh-port",
		       ssh_port);
		ret = PP_EXIT_BUSY;
		goto out;
	}
	vm->forwards[vm->nforwards++] = (struct pp_vm_forward){ "127.0.0.1",
		(unsigned int)ssh_port, 22 };
	for (unsigned int i = 0; i < o.nfwd; i++) {
		for (unsigned int k = 0; k < vm->nforwards; k++)
			if (vm->forwards[k].host_port == o.fwd[i].host_port) {
				pp_err("--forward %u:%u: host port %u is already forwarded "
				       "(%s)", o.fwd[i].host_port, o.fwd[i].guest_port,
				       o.fwd[i].host_port, k ? "another --forward" :
				       "the SSH forward; see --ssh-port");
				ret = PP_EXIT_USAGE;
				goto out;
			}
		if (!o.dry_run && !pp_port_free(o.fwd[i].addr, o.fwd[i].host_port)) {
			pp_err("port %u (%s) is in use; choose another host port in "
			       "--forward %s:%u:%u", o.fwd[i].host_port, o.fwd[i].addr,
			       o.fwd[i].addr, o.fwd[i].host_port, o.fwd[i].guest_port);
			ret = PP_EXIT_BUSY;
			goto out;
		}
		if (!pp_forward_is_loopback(&o.fwd[i]))
			pp_warn("--forward %s:%u:%u: port %u will be reachable from other "
				"machines, not just this one", o.fwd[i].addr,
				o.fwd[i].host_port, o.fwd[i].guest_port, o.fwd[i].host_port);
		vm->forwards[vm->nforwards++] = o.fwd[i];
	}

	/* the description */
	vm->name = o.name;
	vm->qemu = qemu;
	vm->host = facts;
	vm->cpus = o.cpus ? (unsigned int)o.cpus : pp_vm_default_cpus(&facts);
	vm->mem_bytes = o.mem ? o.mem : pp_vm_default_mem(&facts);
	vm->tso = facts.kind == PP_HOST_KIND_MAC && !o.no_tso && facts.os_major >= 15;
	if (facts.kind == PP_HOST_KIND_MAC && !o.no_tso && facts.os_major < 15)
		sv_pushf(&notes, "# TSO off: macOS %u.%u has no EnTSO for VMs (15+)",
			 facts.os_major, facts.os_minor);
	vm->vcpu_priority = o.prio;
	vm->kernel = img.kernel;
	vm->initrd = img.initrd;
	vm->root_disk = st.overlay;
	vm->root_arg = img.root;
	vm->append_extra = o.append;
	vm->qmp_socket = st.qmp;
	vm->serial_log = o.detach ? st.serial_log : NULL;
	vm->pidfile = st.pidfile;
	vm->nextra = o.nextra;
	vm->extra = o.extra;
	if (pp_vm_cmdline(vm, &args, &notes, err, sizeof(err))) {
		pp_err("%s", err);
		ret = PP_EXIT_USAGE;
		goto out;
	}

	if (o.dry_run) {
		char *line = sv_shell_join(&args);

		for (size_t i = 0; i < notes.n; i++)
			puts(notes.v[i]);
		for (size_t i = 0; i < missing.n; i++)
			printf("# missing: %s\n", missing.v[i]);
		puts(line);
		free(line);
		ret = PP_EXIT_OK;
		goto out;
	}
	for (size_t i = 0; i < notes.n; i++)
		pp_info("%s", notes.v[i] + 2);

	/* state: the VM directory, its lock, the overlay */
	if (pp_paths_ensure(&paths)) {
		ret = PP_EXIT_ENV;
		goto out;
	}
	if (!is_dir(st.dir)) {
		if (mkdir(st.dir, 0700) && errno != EEXIST) {
			pp_err("cannot create %s: %s", st.dir, strerror(errno));
			goto out;
		}
		created_dir = true;
	}
	rc = pp_vm_lock(&st);
	if (rc) {
		pp_err(rc == -EBUSY ? "VM '%s' is already running (its lock is held)" :
		       "cannot lock VM '%s'", o.name);
		ret = rc == -EBUSY ? PP_EXIT_BUSY : PP_EXIT_FAIL;
		created_dir = false;	/* not ours to remove */
		goto out;
	}
	pp_vm_clean_stale(&st);
	if (!file_exists(st.overlay)) {
		char *tmp = xasprintf("%s.tmp", st.overlay);
		char *backing = xasprintf("%s", img.disk);

		qemu_img = pp_find_qemu_img(qemu);
		if (!qemu_img) {
			pp_err("qemu-img not found (next to %s or on PATH): it makes the "
			       "VM's overlay", qemu);
			free(tmp);
			free(backing);
			ret = PP_EXIT_ENV;
			goto out;
		}
		char *const ia[] = { qemu_img, "create", "-q", "-f", "qcow2", "-F", "qcow2",
				     "-b", backing, tmp, NULL };
		int slock = pp_image_store_lock_shared(&paths);
		bool made;

		if (slock < 0) {
			free(tmp);
			free(backing);
			ret = PP_EXIT_BUSY;
			goto out;
		}
		/* re-checked under the lock: a prune may have run meanwhile */
		made = file_exists(img.disk);
		unlink(tmp);
		made = made && pp_spawn(ia, &(struct pp_spawn){ .log = st.qemu_log }, NULL) == 0 && !rename(tmp, st.overlay);
		close(slock);
		if (!made) {
			char *t = tail_lines(st.qemu_log, 5);

			pp_err("creating the overlay %s failed:\n%s", st.overlay, t ? t : "");
			free(t);
			unlink(tmp);
			free(tmp);
			free(backing);
			goto out;
		}
		free(tmp);
		free(backing);
	}

	/* QEMU */
	pp_info("starting VM '%s': %u vCPUs, %llu MiB, image '%s', %u device slot(s), "
		"ssh on 127.0.0.1:%lu", o.name, vm->cpus,
		(unsigned long long)(vm->mem_bytes >> 20), img.name, vm->nslots, ssh_port);
	unlink(st.qemu_log);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pp_err("fork: %s", strerror(errno));
		goto out;
	}
	if (!pid) {
		if (o.detach) {
			int in = open("/dev/null", O_RDONLY);
			int log = open(st.qemu_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			setsid();
			if (in >= 0)
				dup2(in, 0);
			if (log >= 0) {
				dup2(log, 1);
				dup2(log, 2);
			}
		}
		execv(args.v[0], sv_argv(&args));
		fprintf(stderr, "pcipass: cannot run %s: %s\n", args.v[0], strerror(errno));
		_exit(127);
	}
	if (!o.detach) {
		/* QEMU owns the terminal (Ctrl-A X quits); we only wait */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	}
	int wst = 0;

	rc = wait_up(pid, st.qmp, &wst);
	if (rc != 0) {
		char *r = rc > 0 ? exit_reason(wst) : xstrdup("did not answer on QMP in 30 s");
		char *t = o.detach ? tail_lines(st.qemu_log, 15) : NULL;

		if (rc < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		pp_err("QEMU %s before VM '%s' came up%s%s%s", r, o.name,
		       t ? "; the end of its log:\n" : "", t ? t : "",
		       t || o.detach ? "" : " (its messages are above)");
		free(r);
		free(t);
		unlink(st.pidfile);
		unlink(st.qmp);
		goto out;
	}
	json_t *rec = record(&o, vm, &img, pid);

	json_dump_file(rec, st.json, JSON_INDENT(2));
	json_decref(rec);
	created_dir = false;	/* the VM exists now */
	pp_vm_unlock(&st);	/* QEMU holds it from here on */
	if (o.detach) {
		printf("VM '%s' is running (pid %ld)\n"
		       "  ssh:     pcipass ssh %s      (127.0.0.1:%lu, user %s)\n"
		       "  console: %s\n"
		       "  status:  pcipass status %s\n"
		       "  stop:    pcipass stop %s\n",
		       o.name, (long)pid, o.name, ssh_port, img.user, st.serial_log, o.name,
		       o.name);
		ret = PP_EXIT_OK;
		goto out;
	}
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	unlink(st.pidfile);
	unlink(st.qmp);
	if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0) {
		ret = PP_EXIT_OK;
	} else {
		char *r = exit_reason(wst);

		pp_err("QEMU %s", r);
		free(r);
	}
out:
	if (created_dir) {
		pp_vm_unlock(&st);
		rm_rf(st.dir);
	}
	json_decref(prev);
	sv_free(&args);
	sv_free(&notes);
	sv_free(&missing);
	pp_image_free(&img);	/* also the placeholders of a dry run */
	free(why);
	free(qemu);
	free(qemu_img);
	free(scan);
	free(vm);
	pp_vmstate_free(&st);
	pp_paths_free(&paths);
	return ret;
}
