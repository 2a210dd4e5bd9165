// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names of the status codes.  Freestanding: also built into the guest
 * module, so no libc header here.
 */
#include "pcipass/status.h"
#include "pcipass/types.h"

static const char *const pp_status_names[] = {
	[PP_OK]           = "ok",
	[PP_ERR_NOSPC]    = "nospc",
	[PP_ERR_TOOMANY]  = "toomany",
	[PP_ERR_INVAL]    = "inval",
	[PP_ERR_RANGE]    = "range",
	[PP_ERR_OVERFLOW] = "overflow",
	[PP_ERR_ALIGN]    = "align",
	[PP_ERR_BADOP]    = "badop",
	[PP_ERR_NOENT]    = "noent",
	[PP_ERR_COUNT]    = "count",
	[PP_ERR_VERSION]  = "version",
	[PP_ERR_SPLIT]    = "split",
	[PP_ERR_HOST]     = "host",
	[PP_ERR_NOMEM]    = "nomem",
	[PP_ERR_FAULT]    = "fault",
	[PP_ERR_RESERVED] = "reserved",
	[PP_ERR_NOTREADY] = "notready",
};

PP_STATIC_ASSERT(PP_ARRAY_SIZE(pp_status_names) == PP_STATUS_COUNT,
		 "every status has a name");

const char *pp_status_name(int status)
{
	if (status < 0 || status >= PP_STATUS_COUNT || !pp_status_names[status])
		return "unknown";
	return pp_status_names[status];
}
