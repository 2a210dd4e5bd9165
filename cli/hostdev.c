// SPDX-License-Identifier: GPL-2.0-or-later
/* pcipass launcher: enumerate and select the host's passable devices. */
#include "hostdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pp_host_backend_name(void)
{
	const char *e = getenv("PCIPASS_BACKEND");

	if (e && *e)
		return e;
#ifdef __APPLE__
	return "dext";
#else
	return "sim";
#endif
}

/* "root:bb:dd.f" -> "root:bb:dd" */
static void slot_of(const char *id, char *out, size_t len)
{
	const char *dot = strrchr(id, '.');
	size_t n = dot ? (size_t)(dot - id) : strlen(id);

	if (n >= len)
		n = len - 1;
	memcpy(out, id, n);
	out[n] = '\0';
}

static struct pp_scan_slot *slot_get(struct pp_scan *s, const char *fid)
{
	char sid[PP_HOST_ID_LEN];

	slot_of(fid, sid, sizeof(sid));
	for (unsigned int i = 0; i < s->nslots; i++)
		if (!strcmp(s->slots[i].id, sid))
			return &s->slots[i];
	if (s->nslots == PP_SCAN_MAX_SLOTS)
		return NULL;
	struct pp_scan_slot *sl = &s->slots[s->nslots++];

	memset(sl, 0, sizeof(*sl));
	snprintf(sl->id, sizeof(sl->id), "%s", sid);
	return sl;
}

static int by_fn(const void *a, const void *b)
{
	const struct pp_scan_func *x = a, *y = b;

	return (int)x->info.fn - (int)y->info.fn;
}

int pp_scan_devices(struct pp_scan *s, char *err, size_t errlen)
{
	struct pp_host_dev_info infos[64];
	const char *args = getenv("PCIPASS_BACKEND_ARGS");
	unsigned int n = 0;
	struct pp_host *h;
	int st;

	memset(s, 0, sizeof(*s));
	s->backend = pp_host_backend_name();
	snprintf(s->backend_args, sizeof(s->backend_args), "%s", args ? args : "");
	h = pp_host_create(s->backend, *s->backend_args ? s->backend_args : NULL, &st);
	if (!h) {
		snprintf(err, errlen, "host backend \"%s\" unavailable: %s%s", s->backend,
			 pp_status_name(st),
			 !strcmp(s->backend, "dext") ?
			 " (is the pcipass extension installed and approved? "
			 "pcipass doctor)" : "");
		return st ? st : PP_ERR_HOST;
	}
	st = h->ops->enumerate(h, infos, sizeof(infos) / sizeof(infos[0]), &n);
	if (st != PP_OK) {
		snprintf(err, errlen, "enumerating \"%s\" devices failed: %s",
			 s->backend, pp_status_name(st));
		h->ops->destroy(h);
		return st;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct pp_scan_slot *sl = slot_get(s, infos[i].id);
		struct pp_scan_func *f;
		struct pp_host_dev *d = NULL;

		if (!sl || sl->nfuncs == PP_VM_MAX_FUNCS)
			continue;
		f = &sl->funcs[sl->nfuncs++];
		f->info = infos[i];
		f->open_status = h->ops->open(h, infos[i].id, &d);
		if (f->open_status != PP_OK)
			continue;
		f->opened = true;
		for (unsigned int b = 0; b < PP_HOST_MAX_BARS; b++)
			if (d->ops->bar_info(d, b, &f->bars[b]) != PP_OK)
				memset(&f->bars[b], 0, sizeof(f->bars[b]));
		if (!sl->have_usage && d->ops->dma_usage(d, &sl->usage) == PP_OK)
			sl->have_usage = true;
		d->ops->close(d);
	}
	for (unsigned int i = 0; i < s->nslots; i++)
		qsort(s->slots[i].funcs, s->slots[i].nfuncs, sizeof(s->slots[i].funcs[0]),
		      by_fn);
	h->ops->destroy(h);
	return PP_OK;
}

static void valid_ids(const struct pp_scan *s, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < s->nslots && o < len; i++) {
		o += (size_t)snprintf(out + o, len - o, "%s%s (", i ? ", " : "", s->slots[i].id);
		for (unsigned int f = 0; f < s->slots[i].nfuncs && o < len; f++)
			o += (size_t)snprintf(out + o, len - o, "%s%s", f ? ", " : "",
					      s->slots[i].funcs[f].info.id);
		if (o < len)
			o += (size_t)snprintf(out + o, len - o, ")");
	}
	if (!s->nslots)
		snprintf(out, len, "none: the host has no device to pass through");
}

static int add_func(const struct pp_scan *s, const struct pp_scan_slot *sl,
		    const struct pp_scan_func *f, struct pp_vm *vm,
		    char *err, size_t errlen)
{
	struct pp_vm_slot *vs = NULL;

	if (!f->info.owned) {
		snprintf(err, errlen, "%s is not owned by the pcipass extension (the host "
			 "driver has it); see pcipass doctor", f->info.id);
		return -EPERM;
	}
	if (!f->opened) {
		snprintf(err, errlen, "%s is in use (another VM holds it): %s", f->info.id,
			 pp_status_name(f->open_status));
		return -EBUSY;
	}
	for (unsigned int i = 0; i < vm->nslots; i++)
		if (!strncmp(vm->slots[i].funcs[0].id, sl->id, strlen(sl->id)) &&
		    vm->slots[i].funcs[0].id[strlen(sl->id)] == '.')
			vs = &vm->slots[i];
	if (!vs) {
		if (vm->nslots == PP_VM_MAX_SLOTS) {
			snprintf(err, errlen, "more than %d slots", PP_VM_MAX_SLOTS);
			return -E2BIG;
		}
		vs = &vm->slots[vm->nslots++];
		memset(vs, 0, sizeof(*vs));
		snprintf(vs->backend, sizeof(vs->backend), "%s", s->backend);
		snprintf(vs->backend_args, sizeof(vs->backend_args), "%s", s->backend_args);
	}
	for (unsigned int i = 0; i < vs->nfuncs; i++)
		if (!strcmp(vs->funcs[i].id, f->info.id))
			return 0;	/* named twice */
	struct pp_vm_func *vf = &vs->funcs[vs->nfuncs++];

	memset(vf, 0, sizeof(*vf));
	snprintf(vf->id, sizeof(vf->id), "%s", f->info.id);
	vf->fn = f->info.fn;
	vf->class_code = f->info.class_code;
	for (unsigned int b = 0; b < 6; b++) {
		vf->bar_size[b] = f->bars[b].size;
		vf->bar_mem64[b] = f->bars[b].type == PP_HOST_BAR_MEM64;
	}
	return 0;
}

static int by_vfn(const void *a, const void *b)
{
	const struct pp_vm_func *x = a, *y = b;

	return (int)x->fn - (int)y->fn;
}

int pp_select_devices(const struct pp_scan *s, char *const *sel, unsigned int nsel,
		      struct pp_vm *vm, char *err, size_t errlen)
{
	static char *const all[] = { "all" };
	char ids[1024];
	int rc;

	vm->nslots = 0;
	if (!nsel) {
		sel = all;
		nsel = 1;
	}
	for (unsigned int i = 0; i < nsel; i++) {
		bool found = false;

		if (!strcmp(sel[i], "none")) {
			if (nsel > 1) {
				snprintf(err, errlen, "--device none cannot be combined "
					 "with other --device values");
				return -EINVAL;
			}
			return 0;
		}
		for (unsigned int k = 0; k < s->nslots; k++) {
			const struct pp_scan_slot *sl = &s->slots[k];
			bool whole = !strcmp(sel[i], "all") || !strcmp(sel[i], sl->id);

			for (unsigned int f = 0; f < sl->nfuncs; f++) {
				if (!whole && strcmp(sel[i], sl->funcs[f].info.id))
					continue;
				found = true;
				/* "all" skips what cannot be had, naming it */
				rc = add_func(s, sl, &sl->funcs[f], vm, err, errlen);
				if (rc && strcmp(sel[i], "all"))
					return rc;
				if (rc)
					pp_warn("%s; skipping it", err);
			}
		}
		if (!found && strcmp(sel[i], "all")) {
			valid_ids(s, ids, sizeof(ids));
			snprintf(err, errlen, "no device \"%s\" on the %s host; valid ids: %s",
				 sel[i], s->backend, ids);
			return -ENOENT;
		}
	}
	for (unsigned int i = 0; i < vm->nslots; i++)
		qsort(vm->slots[i].funcs, vm->slots[i].nfuncs, sizeof(vm->slots[i].funcs[0]),
		      by_vfn);
	return 0;
}
