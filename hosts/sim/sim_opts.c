// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sim backend's option string: "key=value,key=value".  Every key, its
 * default and its range are listed in docs/host-interface.md ("The sim
 * backend"); an unknown key or a value out of range refuses the whole string
 * (PP_ERR_INVAL) rather than running a different machine than asked for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static void defaults(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cap = PP_DART_DEFAULT_CAP_BYTES;
	o->entries = PP_DART_DEFAULT_MAX_ENTRIES;
	/* Where the real allocator is unknown, the harder placement: no bus
	 * address is ever aligned above 16 KiB. */
	o->placement = PP_DART_ADVERSARIAL;
	o->seed = 1;
	o->vendor = 0x7070;
	o->device = 0x1000;
	o->functions = 2;
	o->vram = 256ull << 20;
	o->vectors = 8;
	o->grant = PP_HOST_MAX_VECTORS;
	/* The dext refuses single registrations over 1 GiB (its default
	 * max_map_len) with PP_ERR_SPLIT; so does its twin. */
	o->split = 1ull << 30;
	o->revision = 1;
#ifdef __linux__
	o->notify = SIM_NOTIFY_EVENTFD;
#else
	o->notify = SIM_NOTIFY_PIPE;
#endif
}

/* A number with an optional binary suffix K, M, G, T. */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long v;
	unsigned int shift = 0;

	if (len == 0 || len >= sizeof(buf) || s[0] == '-' || s[0] == '+')
		return PP_ERR_INVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	switch (buf[len - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	}
	if (shift)
		buf[--len] = '\0';
	if (len == 0)
		return PP_ERR_INVAL;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno || *end)
		return PP_ERR_INVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return PP_ERR_INVAL;
	*out = (uint64_t)v << shift;
	return PP_OK;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int set(struct sim_opts *o, const char *key, size_t klen,
	       const char *val, size_t vlen)
{
	uint64_t v = 0;

#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(key, k, klen))
	if (KEY("placement")) {
		if (vlen == 9 && !memcmp(val, "first-fit", 9))
			o->placement = PP_DART_FIRST_FIT;
		else if (vlen == 6 && !memcmp(val, "random", 6))
			o->placement = PP_DART_RANDOM;
		else if (vlen == 11 && !memcmp(val, "adversarial", 11))
			o->placement = PP_DART_ADVERSARIAL;
		else
			return PP_ERR_INVAL;
		return PP_OK;
	}
	if (KEY("notify")) {
		if (vlen == 7 && !memcmp(val, "eventfd", 7)) {
#ifdef __linux__
			o->notify = SIM_NOTIFY_EVENTFD;
#else
			return PP_ERR_INVAL;
#endif
		} else if (vlen == 4 && !memcmp(val, "pipe", 4)) {
			o->notify = SIM_NOTIFY_PIPE;
		} else {
			return PP_ERR_INVAL;
		}
		return PP_OK;
	}
	if (parse_u64(val, vlen, &v))
		return PP_ERR_INVAL;
	if (KEY("cap")) {
		if (v < PP_DART_PAGE_SIZE)
			return PP_ERR_INVAL;
		o->cap = v;
	} else if (KEY("entries")) {
		if (v == 0 || v >= UINT32_MAX)
			return PP_ERR_INVAL;
		o->entries = (uint32_t)v;
	} else if (KEY("seed")) {
		o->seed = v;
	} else if (KEY("vendor")) {
		if (v == 0 || v >= 0xffff)
			return PP_ERR_INVAL;
		o->vendor = (uint16_t)v;
	} else if (KEY("device")) {
		if (v >= 0xfffe)   /* the audio function is device + 1 */
			return PP_ERR_INVAL;
		o->device = (uint16_t)v;
	} else if (KEY("functions")) {
		if (v < 1 || v > SIM_MAX_FNS)
			return PP_ERR_INVAL;
		o->functions = (unsigned int)v;
	} else if (KEY("vram")) {
		if (!pow2(v) || v < (64u << 10) || v > (64ull << 30))
			return PP_ERR_INVAL;
		o->vram = v;
	} else if (KEY("vectors")) {
		if (v < 4 || v > PP_HOST_MAX_VECTORS)
			return PP_ERR_INVAL;
		o->vectors = (unsigned int)v;
	} else if (KEY("grant")) {
		if (v < 1 || v > PP_HOST_MAX_VECTORS)
			return PP_ERR_INVAL;
		o->grant = (unsigned int)v;
	} else if (KEY("split")) {
		if (v != 0 && v < PP_DART_PAGE_SIZE)
			return PP_ERR_INVAL;
		o->split = v;
	} else if (KEY("unowned")) {
		if (v >= (1u << SIM_MAX_FNS))
			return PP_ERR_INVAL;
		o->unowned = (unsigned int)v;
	} else if (KEY("revision")) {
		if (v > 0xff)
			return PP_ERR_INVAL;
		o->revision = (uint8_t)v;
	} else {
		return PP_ERR_INVAL;
	}
#undef KEY
	return PP_OK;
}

int sim_opts_parse(const char *args, struct sim_opts *o)
{
	const char *p = args;

	defaults(o);
	if (!p)
		return PP_OK;
	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', len);
		if (len && !eq)
			return PP_ERR_INVAL;
		if (len && set(o, p, (size_t)(eq - p), eq + 1,
			       len - (size_t)(eq - p) - 1))
			return PP_ERR_INVAL;
		if (!end)
			break;
		p = end + 1;
	}
	return PP_OK;
}
