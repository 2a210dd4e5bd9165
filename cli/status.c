// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass status: over QMP, the VM's run state, each passed-through
 * function (identity, gone or present, interrupts) and each slot's DMA
 * (live mappings and peaks, DART entries and bytes, failures).
 */
#include "pcinames.h"
#include "qmp.h"
#include "vm.h"
#include "vmstate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const func_props[] = {
	"vectors", "irqs-delivered", "irqs-latched", "irqs-dropped",
	"trapped-reads", "trapped-writes", "dma-faults", "backend-errors",
	"dma-live-bytes", "dma-live-entries", "dma-cap-bytes", "dma-max-entries",
};
static const char *const dma_props[] = {
	"live-mappings", "live-bytes", "peak-mappings", "peak-bytes", "maps",
	"unmaps", "map-failures", "refused-commands", "dart-entries",
	"dart-bytes", "nr-managed",
};

static json_t *qom_obj(struct pp_qmp *q, const char *qid, const char *const *props,
		       size_t n, const char *const *strs, size_t ns)
{
	char path[96];
	json_t *o = json_object();

	snprintf(path, sizeof(path), "/machine/peripheral/%s", qid);
	for (size_t i = 0; i < ns; i++) {
		json_t *v = pp_qmp_qom_get(q, path, strs[i]);

		if (v)
			json_object_set_new(o, strs[i], v);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = pp_qmp_qom_get(q, path, props[i]);

		if (v)
			json_object_set_new(o, props[i], v);
	}
	return o;
}

static uint64_t u(json_t *o, const char *k)
{
	return (uint64_t)json_integer_value(json_object_get(o, k));
}

static const char *s_(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "?";
}

static void print_human(json_t *doc)
{
	char a[32], b[32], c[32];
	size_t i, k;
	json_t *slot, *fn;

	printf("VM %s: %s (pid %" JSON_INTEGER_FORMAT ")\n", s_(doc, "name"),
	       s_(doc, "state"), json_integer_value(json_object_get(doc, "pid")));
	printf("  %" JSON_INTEGER_FORMAT " vCPUs, %s, image %s, ssh 127.0.0.1:%"
	       JSON_INTEGER_FORMAT "\n", json_integer_value(json_object_get(doc, "cpus")),
	       fmt_size(u(doc, "memory"), a), s_(doc, "image"),
	       json_integer_value(json_object_get(doc, "ssh_port")));
	json_array_foreach(json_object_get(doc, "slots"), i, slot) {
		json_t *d = json_object_get(slot, "dma");

		printf("  slot %zu (%s backend):\n", i, s_(slot, "backend"));
		json_array_foreach(json_object_get(slot, "functions"), k, fn) {
			unsigned int v = 0, dv = 0, cls = 0;
			char vn[128], dn[128], cn[128];
			const char *vname = NULL, *dname = NULL, *cname = NULL;

			/* identity: "VVVV:DDDD class CCCCCC" */
			if (sscanf(s_(fn, "identity"), "%x:%x class %x", &v, &dv, &cls) == 3) {
				vname = pp_pci_vendor_name((uint16_t)v, vn, sizeof(vn));
				dname = pp_pci_device_name((uint16_t)v, (uint16_t)dv, dn, sizeof(dn));
				cname = pp_pci_class_name(cls, cn, sizeof(cn));
			}
			printf("    %-22s %s%s%s%s%s%s%s%s\n", s_(fn, "id"), s_(fn, "identity"),
			       cname ? ", " : "", cname ? cname : "",
			       vname ? ": " : "", vname ? vname : "", dname ? " " : "",
			       dname ? dname : "",
			       json_is_true(json_object_get(fn, "gone")) ? "  [GONE: unplugged]" : "");
			printf("      guest %s, irq %s x%" PRIu64 ": %" PRIu64 " delivered, %" PRIu64
			       " latched, %" PRIu64 " dropped; DMA faults %" PRIu64 "\n",
			       s_(fn, "guest-bdf"), s_(fn, "irq-type"), u(fn, "vectors"),
			       u(fn, "irqs-delivered"), u(fn, "irqs-latched"),
			       u(fn, "irqs-dropped"), u(fn, "dma-faults"));
		}
		printf("    DMA: %" PRIu64 " live mappings (%s; peak %" PRIu64 ", %s), "
		       "%" PRIu64 " map failures\n", u(d, "live-mappings"),
		       fmt_size(u(d, "live-bytes"), a), u(d, "peak-mappings"),
		       fmt_size(u(d, "peak-bytes"), b), u(d, "map-failures"));
		fn = json_array_get(json_object_get(slot, "functions"), 0);
		printf("    DART: %" PRIu64 " entries, %s of %s (%" PRIu64 " entries max)\n",
		       u(d, "dart-entries"), fmt_size(u(d, "dart-bytes"), a),
		       fmt_size(u(fn, "dma-cap-bytes"), c), u(fn, "dma-max-entries"));
	}
}

int cmd_status(int argc, char **argv)
{
	static const char *const fstr[] = { "host", "identity", "guest-bdf", "irq-type", "gone" };
	const char *name = "default";
	bool js = false;
	struct pp_vmstate st;
	struct pp_qmp q;
	char err[512];
	json_t *rec, *doc, *slots, *r, *dev;
	size_t i, k;
	pid_t pid;
	int rc;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json")) {
			js = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			puts("usage: pcipass status [NAME] [--json]\n\n"
			     "State of VM NAME (default \"default\") over QMP: run state,\n"
			     "passed-through functions, interrupts, DMA windows and DART use.");
			return PP_EXIT_OK;
		} else if (argv[a][0] != '-' && valid_name(argv[a])) {
			name = argv[a];
		} else {
			pp_err("status: unexpected argument '%s'", argv[a]);
			return PP_EXIT_USAGE;
		}
	}
	rc = pp_vmstate_open_running(&st, name, &pid);
	if (rc) {
		if (js && rc == PP_EXIT_FAIL)
			printf("{\"name\": \"%s\", \"state\": \"stopped\"}\n", name);
		pp_vmstate_free(&st);
		return rc;
	}
	if (pp_qmp_open(&q, st.qmp, 5000, err, sizeof(err))) {
		pp_err("VM '%s' (pid %ld) does not answer on QMP: %s", name, (long)pid, err);
		pp_vmstate_free(&st);
		return PP_EXIT_FAIL;
	}
	rec = pp_vm_record(&st);
	doc = json_object();
	json_object_set_new(doc, "name", json_string(name));
	json_object_set_new(doc, "pid", json_integer(pid));
	r = pp_qmp_exec(&q, "query-status", NULL, err, sizeof(err));
	json_object_set_new(doc, "state", json_string(r ? s_(r, "status") : "unknown"));
	json_decref(r);
	for (const char *const *key = (const char *const[]){ "image", "cpus", "memory",
							    "ssh_port", "forwards", NULL };
	     *key; key++)
		if (json_object_get(rec, *key))
			json_object_set(doc, *key, json_object_get(rec, *key));
	slots = json_array();
	json_array_foreach(json_object_get(rec, "devices"), i, dev) {
		json_t *slot = json_object(), *fns = json_array(), *f;

		json_object_set(slot, "backend", json_object_get(dev, "backend"));
		json_array_foreach(json_object_get(dev, "functions"), k, f) {
			json_t *o = qom_obj(&q, s_(f, "qom"), func_props,
					    sizeof(func_props) / sizeof(*func_props), fstr,
					    sizeof(fstr) / sizeof(*fstr));

			json_object_set(o, "id", json_object_get(f, "id"));
			json_array_append_new(fns, o);
		}
		json_object_set_new(slot, "functions", fns);
		json_object_set_new(slot, "dma", qom_obj(&q, s_(dev, "dma_qom"), dma_props,
							 sizeof(dma_props) / sizeof(*dma_props),
							 NULL, 0));
		json_array_append_new(slots, slot);
	}
	json_object_set_new(doc, "slots", slots);
	pp_qmp_close(&q);
	if (js) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_human(doc);
	}
	json_decref(doc);
	json_decref(rec);
	pp_vmstate_free(&st);
	return PP_EXIT_OK;
}
