// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcipass devices [--json]: what this host can pass through, per slot (the
 * unit `run --device` takes and that shares one DART), with each slot's DART
 * capacity and use and each function's ids, names, BARs and interrupts.
 * From pp_scan_devices(): the same host backend QEMU uses (the dext on a
 * Mac, the simulated Mac host elsewhere).
 */
#include "cli.h"
#include "hostdev.h"
#include "pcinames.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *bar_type_name(enum pp_host_bar_type t)
{
	switch (t) {
	case PP_HOST_BAR_MEM32: return "mem32";
	case PP_HOST_BAR_MEM64: return "mem64";
	case PP_HOST_BAR_IO: return "io";
	default: return "none";
	}
}

struct names {
	char vendor[128], device[192], class_[128];
	const char *vendor_name, *device_name, *class_name;
};

static void get_names(const struct pp_host_dev_info *in, struct names *n)
{
	n->vendor_name = pp_pci_vendor_name(in->vendor, n->vendor, sizeof(n->vendor));
	n->device_name = n->vendor_name ?
		pp_pci_device_name(in->vendor, in->device, n->device, sizeof(n->device)) :
		NULL;
	n->class_name = pp_pci_class_name(in->class_code, n->class_, sizeof(n->class_));
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pcipass devices [--json]\n\n"
		   "Lists what this host can pass through: per slot (the id `pcipass run\n"
		   "--device` takes) its DART's capacity and use, then its functions with\n"
		   "ids, names, BARs, interrupt vectors and whether they are free.\n"
		   "  --json   the same as a JSON document\n");
}

/* ---- text ---- */

static void print_bar(unsigned int b, const struct pp_host_bar_info *bi)
{
	char sz[32];

	printf("      BAR%u      %-9s %s%s%s\n", b, fmt_size(bi->size, sz),
	       bi->type == PP_HOST_BAR_MEM64 ? "64-bit" :
	       bi->type == PP_HOST_BAR_IO ? "I/O" : "32-bit",
	       bi->prefetchable ? ", prefetchable" : "",
	       bi->type == PP_HOST_BAR_IO ? "" :
	       bi->mappable ? ", mappable" : ", trap-only");
}

static void print_func(const struct pp_scan_func *f)
{
	const struct pp_host_dev_info *in = &f->info;
	struct names n;
	unsigned int nbars = 0;

	get_names(in, &n);
	printf("    %s  %04x:%04x", in->id, in->vendor, in->device);
	if (n.vendor_name)
		printf("  %s%s%s", n.vendor_name, n.device_name ? " " : "",
		       n.device_name ? n.device_name : "");
	printf("\n");
	printf("      class     %s [%06x]\n", n.class_name ? n.class_name : "unknown class",
	       in->class_code);
	if (*in->location)
		printf("      location  %s\n", in->location);
	if (!in->owned)
		printf("      state     not owned: the host's own driver has it, "
		       "it cannot be passed through\n");
	else if (!f->opened)
		printf("      state     owned, in use (%s: another VM holds it)\n",
		       pp_status_name(f->open_status));
	else
		printf("      state     owned, free\n");
	if (f->opened) {
		for (unsigned int b = 0; b < PP_HOST_MAX_BARS; b++) {
			if (f->bars[b].type == PP_HOST_BAR_NONE || !f->bars[b].size)
				continue;
			print_bar(b, &f->bars[b]);
			nbars++;
		}
		if (!nbars)
			printf("      BARs      none\n");
	} else {
		printf("      BARs      unknown (the function could not be opened)\n");
	}
	printf("      vectors   %u%s\n", in->nr_vectors,
	       in->nr_vectors ? " (MSI-X, else MSI)" : " (no MSI or MSI-X)");
}

static void print_text(const struct pp_scan *s)
{
	char a[32], b[32];

	printf("backend: %s%s%s\n", s->backend, *s->backend_args ? " " : "",
	       s->backend_args);
	if (!s->nslots) {
		printf("no devices: the host has nothing to pass through%s\n",
		       !strcmp(s->backend, "dext") ?
		       " (is the device attached and the pcipass extension enabled? "
		       "pcipass doctor)" : "");
		return;
	}
	for (unsigned int i = 0; i < s->nslots; i++) {
		const struct pp_scan_slot *sl = &s->slots[i];

		printf("\nslot %s  (%u function%s)\n", sl->id, sl->nfuncs,
		       sl->nfuncs == 1 ? "" : "s");
		if (sl->have_usage)
			printf("  DART  %s of %s mapped, %" PRIu64 " of %" PRIu64
			       " entries, %" PRIu64 " fault%s\n",
			       fmt_size(sl->usage.live_bytes, a),
			       fmt_size(sl->usage.cap_bytes, b), sl->usage.live_entries,
			       sl->usage.max_entries, sl->usage.faults,
			       sl->usage.faults == 1 ? "" : "s");
		else
			printf("  DART  unknown (no function of the slot could be opened)\n");
		printf("  functions:\n");
		for (unsigned int f = 0; f < sl->nfuncs; f++)
			print_func(&sl->funcs[f]);
	}
	printf("\npass a slot with: pcipass run --device %s (or a function: %s)\n",
	       s->slots[0].id, s->slots[0].nfuncs ? s->slots[0].funcs[0].info.id : "");
}

/* ---- JSON ---- */

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *jhex(unsigned int v, int digits)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", digits, v);
	return json_string(buf);
}

static json_t *func_json(const struct pp_scan_func *f)
{
	const struct pp_host_dev_info *in = &f->info;
	json_t *o = json_object(), *bars = json_array();
	struct names n;

	get_names(in, &n);
	json_object_set_new(o, "id", json_string(in->id));
	json_object_set_new(o, "fn", json_integer(in->fn));
	json_object_set_new(o, "vendor", jhex(in->vendor, 4));
	json_object_set_new(o, "device", jhex(in->device, 4));
	json_object_set_new(o, "vendor_name", jstr_or_null(n.vendor_name));
	json_object_set_new(o, "device_name", jstr_or_null(n.device_name));
	json_object_set_new(o, "class", jhex(in->class_code, 6));
	json_object_set_new(o, "class_name", jstr_or_null(n.class_name));
	json_object_set_new(o, "subsys_vendor", jhex(in->subsys_vendor, 4));
	json_object_set_new(o, "subsys_device", jhex(in->subsys_device, 4));
	json_object_set_new(o, "revision", json_integer(in->revision));
	json_object_set_new(o, "location", json_string(in->location));
	json_object_set_new(o, "owned", json_boolean(in->owned));
	json_object_set_new(o, "in_use", json_boolean(in->owned && !f->opened));
	json_object_set_new(o, "open_status", f->opened ? json_null() :
			    json_string(pp_status_name(f->open_status)));
	json_object_set_new(o, "vectors", json_integer(in->nr_vectors));
	for (unsigned int b = 0; f->opened && b < PP_HOST_MAX_BARS; b++) {
		const struct pp_host_bar_info *bi = &f->bars[b];
		json_t *jb;

		if (bi->type == PP_HOST_BAR_NONE || !bi->size)
			continue;
		jb = json_object();
		json_object_set_new(jb, "index", json_integer(b));
		json_object_set_new(jb, "size", json_integer((json_int_t)bi->size));
		json_object_set_new(jb, "type", json_string(bar_type_name(bi->type)));
		json_object_set_new(jb, "prefetchable", json_boolean(bi->prefetchable));
		json_object_set_new(jb, "mappable", json_boolean(bi->mappable));
		json_array_append_new(bars, jb);
	}
	/* null: unknown (the function could not be opened) */
	if (f->opened)
		json_object_set_new(o, "bars", bars);
	else {
		json_decref(bars);
		json_object_set_new(o, "bars", json_null());
	}
	return o;
}

static json_t *scan_json(const struct pp_scan *s)
{
	json_t *root = json_object(), *slots = json_array();

	json_object_set_new(root, "backend", json_string(s->backend));
	json_object_set_new(root, "backend_args", json_string(s->backend_args));
	for (unsigned int i = 0; i < s->nslots; i++) {
		const struct pp_scan_slot *sl = &s->slots[i];
		json_t *js = json_object(), *funcs = json_array();

		json_object_set_new(js, "id", json_string(sl->id));
		if (sl->have_usage) {
			json_t *d = json_object();

			json_object_set_new(d, "cap_bytes",
					    json_integer((json_int_t)sl->usage.cap_bytes));
			json_object_set_new(d, "max_entries",
					    json_integer((json_int_t)sl->usage.max_entries));
			json_object_set_new(d, "live_bytes",
					    json_integer((json_int_t)sl->usage.live_bytes));
			json_object_set_new(d, "live_entries",
					    json_integer((json_int_t)sl->usage.live_entries));
			json_object_set_new(d, "faults",
					    json_integer((json_int_t)sl->usage.faults));
			json_object_set_new(js, "dart", d);
		} else {
			json_object_set_new(js, "dart", json_null());
		}
		for (unsigned int f = 0; f < sl->nfuncs; f++)
			json_array_append_new(funcs, func_json(&sl->funcs[f]));
		json_object_set_new(js, "functions", funcs);
		json_array_append_new(slots, js);
	}
	json_object_set_new(root, "slots", slots);
	return root;
}

int cmd_devices(int argc, char **argv)
{
	struct pp_scan *s;
	char err[512];
	bool json = false;
	int st, rc = PP_EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PP_EXIT_OK;
		} else {
			pp_err("devices: unexpected argument '%s'", argv[i]);
			usage(stderr);
			return PP_EXIT_USAGE;
		}
	}
	s = xcalloc(1, sizeof(*s));
	st = pp_scan_devices(s, err, sizeof(err));
	if (st != PP_OK) {
		pp_err("%s", err);
		free(s);
		return PP_EXIT_ENV;
	}
	if (json) {
		json_t *root = scan_json(s);
		char *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (out) {
			printf("%s\n", out);
			free(out);
		} else {
			pp_err("devices: cannot encode JSON");
			rc = PP_EXIT_FAIL;
		}
		json_decref(root);
	} else {
		print_text(s);
	}
	pp_pcinames_cleanup();
	free(s);
	if (fflush(stdout)) {
		pp_err("devices: cannot write the listing");
		rc = PP_EXIT_FAIL;
	}
	return rc;
}
